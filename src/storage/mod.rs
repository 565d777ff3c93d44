//! The bucket postbox writes to: where forms post, which credentials sign them, and
//! every call the app makes to S3 (look-ups, listings, presigned GET and PUT). Each
//! call answers with a [`StorageError`](crate::storage::StorageError), never a raw
//! SDK error.

mod address;
mod bucket;
mod error;
mod expired;
mod objects;
mod post;
mod presign;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::config::timeout::TimeoutConfig;
use secrecy::SecretString;

pub use address::form_url;
pub use bucket::{BucketAnswer, CorsRule, CredentialSource, PublicAccess};
pub use error::{StorageError, error_chain};
pub use objects::StoredObject;
pub use post::PostAnswer;
pub use presign::attachment_disposition;

use crate::policy::Credentials;

/// Used when aws-config finds no region, as boto3 and the AWS CLI do for S3.
pub const FALLBACK_REGION: &str = "us-east-1";

/// How long one bucket call may take: to open a connection, and in all, retries
/// included. A bucket that hangs is then answered like one that is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a connection.
    pub connect: Duration,
    /// For the whole call.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            operation: Duration::from_secs(10),
        }
    }
}

impl Timeouts {
    fn config(self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_timeout(self.operation)
            .build()
    }
}

/// A bucket and the means to sign requests for it.
#[derive(Clone)]
pub struct Storage {
    bucket: String,
    region: String,
    form_url: String,
    credentials: SharedCredentialsProvider,
    client: aws_sdk_s3::Client,
    timeouts: Timeouts,
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
            .timeout_config(Timeouts::default().config())
            .build();
        let form_url = form_url(bucket, &region, sdk.endpoint_url(), force_path_style);
        Self {
            bucket: bucket.to_owned(),
            region,
            form_url,
            credentials,
            client: aws_sdk_s3::Client::from_conf(config),
            timeouts: Timeouts::default(),
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
            .timeout_config(Timeouts::default().config())
            .build();
        Self {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            form_url: form_url(bucket, region, Some(endpoint), true),
            credentials: provider,
            client: aws_sdk_s3::Client::from_conf(config),
            timeouts: Timeouts::default(),
        }
    }

    /// The same bucket with other [`Timeouts`] than the defaults.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        let config = self
            .client
            .config()
            .to_builder()
            .timeout_config(timeouts.config())
            .build();
        self.client = aws_sdk_s3::Client::from_conf(config);
        self.timeouts = timeouts;
        self
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
