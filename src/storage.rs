//! The bucket postbox writes to: where forms post, which credentials sign them, and the
//! S3 client for presigned GET and PUT.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::presigning::PresigningConfig;
use secrecy::SecretString;

use crate::policy::Credentials;

/// Used when aws-config finds no region, as boto3 and the AWS CLI do for S3.
pub const FALLBACK_REGION: &str = "us-east-1";

/// Why the bucket could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The credential chain found nothing usable.
    #[error(
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or AWS_PROFILE ({0})"
    )]
    NoCredentials(String),
    /// A presigning request was malformed (bad expiry, for example).
    #[error("cannot presign this request: {0}")]
    Presign(String),
}

/// A bucket and the means to sign requests for it.
#[derive(Clone)]
pub struct Storage {
    bucket: String,
    region: String,
    form_url: String,
    credentials: SharedCredentialsProvider,
    client: aws_sdk_s3::Client,
}

impl Storage {
    /// A bucket found through aws-config's standard chain (env, profile, SSO, IMDS…),
    /// with the endpoint from `AWS_ENDPOINT_URL` when set.
    pub async fn from_env(bucket: &str, force_path_style: bool) -> Self {
        let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
        let region = match sdk.region() {
            Some(region) => region.to_string(),
            None => {
                tracing::warn!("no AWS region configured (AWS_REGION); using {FALLBACK_REGION}");
                FALLBACK_REGION.to_owned()
            }
        };
        let credentials = sdk
            .credentials_provider()
            .unwrap_or_else(|| SharedCredentialsProvider::new(NoProvider));
        let config = aws_sdk_s3::config::Builder::from(&sdk)
            .region(aws_sdk_s3::config::Region::new(region.clone()))
            .credentials_provider(credentials.clone())
            .force_path_style(force_path_style)
            .build();
        let form_url = form_url(bucket, &region, sdk.endpoint_url(), force_path_style);
        Self {
            bucket: bucket.to_owned(),
            region,
            form_url,
            credentials,
            client: aws_sdk_s3::Client::from_conf(config),
        }
    }

    /// A bucket at a custom `endpoint` with fixed credentials, addressed path-style
    /// (the embedded local bucket, and tests).
    pub fn with_static_credentials(
        bucket: &str,
        region: &str,
        endpoint: &str,
        credentials: &Credentials,
    ) -> Self {
        use secrecy::ExposeSecret;
        let provider = SharedCredentialsProvider::new(aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.expose_secret().to_owned(),
            credentials.session_token.clone(),
            None,
            "postbox",
        ));
        let config = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new(region.to_owned()))
            .endpoint_url(endpoint)
            .credentials_provider(provider.clone())
            .force_path_style(true)
            .build();
        Self {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            form_url: form_url(bucket, region, Some(endpoint), true),
            credentials: provider,
            client: aws_sdk_s3::Client::from_conf(config),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The bucket's region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Where browsers post upload forms.
    pub fn form_url(&self) -> &str {
        &self.form_url
    }

    /// The S3 client, for calls the app makes itself.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// Current credentials; temporary ones are refreshed by aws-config's cache.
    pub async fn credentials(&self) -> Result<Credentials, StorageError> {
        let found = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| StorageError::NoCredentials(error_chain(&e)))?;
        Ok(Credentials {
            access_key_id: found.access_key_id().to_owned(),
            secret_access_key: SecretString::from(found.secret_access_key()),
            session_token: found.session_token().map(str::to_owned),
        })
    }

    /// Bytes stored under `prefix`.
    pub async fn usage(&self, prefix: &str) -> anyhow::Result<u64> {
        self.fold_objects(prefix, 0, |total, object| *total += object.size)
            .await
    }

    /// The object at `key`, or `None` when there is none.
    pub async fn head(&self, key: &str) -> anyhow::Result<Option<StoredObject>> {
        let found = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match found {
            Ok(head) => Ok(Some(StoredObject {
                key: key.to_owned(),
                size: head.content_length().unwrap_or(0).max(0) as u64,
                content_type: head.content_type().unwrap_or_default().to_owned(),
                modified: head.last_modified().map(|t| t.secs()),
            })),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => Err(anyhow::anyhow!(
                "cannot look up {key}: {}",
                error_chain(&error)
            )),
        }
    }

    /// The newest `limit` objects under `prefix`, newest first, and how many there are
    /// in all. Keys sort by name, not age, so every page is read.
    pub async fn list(
        &self,
        prefix: &str,
        limit: usize,
    ) -> anyhow::Result<(Vec<StoredObject>, usize)> {
        let mut objects = self.objects(prefix).await?;
        let total = objects.len();
        objects.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| b.key.cmp(&a.key)));
        objects.truncate(limit);
        Ok((objects, total))
    }

    /// Every object under `prefix`, in key order.
    async fn objects(&self, prefix: &str) -> anyhow::Result<Vec<StoredObject>> {
        self.fold_objects(prefix, Vec::new(), |all, object| all.push(object))
            .await
    }

    /// Feeds every object under `prefix` (all pages of ListObjectsV2) to `add`, one
    /// page in memory at a time.
    async fn fold_objects<T>(
        &self,
        prefix: &str,
        mut acc: T,
        mut add: impl FnMut(&mut T, StoredObject),
    ) -> anyhow::Result<T> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| anyhow::anyhow!("cannot list {prefix}: {}", error_chain(&e)))?;
            for object in page.contents() {
                add(
                    &mut acc,
                    StoredObject {
                        key: object.key().unwrap_or_default().to_owned(),
                        size: object.size().unwrap_or(0).max(0) as u64,
                        content_type: String::new(),
                        modified: object.last_modified().map(|t| t.secs()),
                    },
                );
            }
        }
        Ok(acc)
    }

    /// A URL that downloads `key` for `expires_in`; with `download_as`, browsers save
    /// it under that name instead of showing it.
    pub async fn presign_get(
        &self,
        key: &str,
        expires_in: Duration,
        download_as: Option<&str>,
    ) -> anyhow::Result<String> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_response_content_disposition(download_as.map(attachment_disposition))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| anyhow::anyhow!(error_chain(&e)))?;
        Ok(request.uri().to_owned())
    }

    /// A URL that uploads `key` with PUT; a given content type or length is signed,
    /// so S3 refuses a request that sends another.
    pub async fn presign_put(
        &self,
        key: &str,
        expires_in: Duration,
        content_type: Option<&str>,
        content_length: Option<u64>,
    ) -> anyhow::Result<String> {
        let length = content_length
            .map(i64::try_from)
            .transpose()
            .map_err(|_| StorageError::Presign("the content length is too large".into()))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .set_content_type(content_type.map(str::to_owned))
            .set_content_length(length)
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| anyhow::anyhow!(error_chain(&e)))?;
        Ok(request.uri().to_owned())
    }
}

/// An object in the bucket, as listed or looked up.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// Its full key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its content type (empty when listed: ListObjectsV2 does not say).
    pub content_type: String,
    /// When it was written, in Unix seconds.
    pub modified: Option<i64>,
}

/// Stands in when aws-config offers no provider at all, so requests fail clearly.
#[derive(Debug)]
struct NoProvider;

impl ProvideCredentials for NoProvider {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::ready(Err(
            aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no credentials provider is configured",
            ),
        ))
    }
}

fn presigning(expires_in: Duration) -> Result<PresigningConfig, StorageError> {
    PresigningConfig::expires_in(expires_in).map_err(|e| StorageError::Presign(e.to_string()))
}

/// `Content-Disposition: attachment` naming the file, with an ASCII fallback and the
/// exact UTF-8 name (RFC 6266).
pub fn attachment_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The form action: path style for custom endpoints or when asked, else the regional
/// virtual-hosted name (the global endpoint answers with redirects browsers refuse).
pub fn form_url(bucket: &str, region: &str, endpoint: Option<&str>, path_style: bool) -> String {
    match endpoint {
        Some(endpoint) => format!("{}/{bucket}/", endpoint.trim_end_matches('/')),
        // Dotted names do not match the bucket's TLS certificate as a subdomain.
        None if path_style || bucket.contains('.') => {
            format!("https://s3.{region}.amazonaws.com/{bucket}/")
        }
        None => format!("https://{bucket}.s3.{region}.amazonaws.com/"),
    }
}

/// An error with its sources, one line, for messages people read.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_to_the_regional_virtual_host_on_aws() {
        assert_eq!(
            form_url("photos", "eu-west-1", None, false),
            "https://photos.s3.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            form_url("photos", "eu-west-1", None, true),
            "https://s3.eu-west-1.amazonaws.com/photos/"
        );
        assert_eq!(
            form_url("my.photos", "eu-west-1", None, false),
            "https://s3.eu-west-1.amazonaws.com/my.photos/"
        );
    }

    #[test]
    fn posts_path_style_to_custom_endpoints() {
        assert_eq!(
            form_url("b", "us-east-1", Some("http://127.0.0.1:7480/"), false),
            "http://127.0.0.1:7480/b/"
        );
    }

    #[test]
    fn names_the_download_in_ascii_and_utf8() {
        assert_eq!(
            attachment_disposition("résumé \"v2\".pdf"),
            "attachment; filename=\"r_sum_ _v2_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf"
        );
    }
}
