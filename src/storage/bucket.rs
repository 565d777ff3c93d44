//! The bucket itself, as `postbox doctor` looks at it: does it answer and where, which
//! credentials sign, its CORS rules, its public access block.

use std::time::SystemTime;

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{CorsConfiguration, CorsRule as SdkCorsRule};

use super::error::s3_said;
use super::{Storage, StorageError, error_chain};

/// Which provider of the credential chain answered, and until when its credentials last.
#[derive(Debug, Clone)]
pub struct CredentialSource {
    /// aws-config's name for it (`Environment`, `Profile`, `IMDSv2`, `postbox`…).
    pub provider: String,
    /// When temporary credentials expire; `None` for long-lived keys.
    pub expires: Option<SystemTime>,
}

/// What HeadBucket said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketAnswer {
    /// The bucket answered; its region when the service says it.
    Found {
        /// `x-amz-bucket-region`.
        region: Option<String>,
    },
    /// There is no such bucket.
    Missing,
    /// The credentials were refused, or may not read this bucket.
    Refused(String),
    /// The bucket lives in another region (S3 redirects, which browsers will not follow).
    ElsewhereIn(String),
}

/// One CORS rule, as postbox reads and writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsRule {
    /// `AllowedOrigin`s (`*` for any).
    pub allowed_origins: Vec<String>,
    /// `AllowedMethod`s.
    pub allowed_methods: Vec<String>,
    /// `AllowedHeader`s.
    pub allowed_headers: Vec<String>,
    /// `ExposeHeader`s.
    pub expose_headers: Vec<String>,
    /// `MaxAgeSeconds`.
    pub max_age_seconds: Option<i32>,
}

/// The bucket's public access block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicAccess {
    /// All four settings block public access.
    Blocked,
    /// Some are off: the names of those that are.
    PartlyOpen(Vec<&'static str>),
    /// The bucket has no public access block.
    NotConfigured,
    /// The service does not implement the call (its code).
    Unsupported(String),
}

impl Storage {
    /// Which credentials sign: the provider that answered and their expiry.
    pub async fn credential_source(&self) -> Result<CredentialSource, StorageError> {
        let found = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| StorageError::NoCredentials(error_chain(&e)))?;
        // The provider's name is only printed (never the secret: Debug redacts it).
        let debug = format!("{found:?}");
        let provider = debug
            .split("provider_name: \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("unknown")
            .to_owned();
        Ok(CredentialSource {
            provider,
            expires: found.expiry(),
        })
    }

    /// HeadBucket: whether the bucket is there, readable, and where.
    pub async fn head_bucket(&self) -> Result<BucketAnswer, StorageError> {
        let answer = self.client.head_bucket().bucket(&self.bucket).send().await;
        let error = match answer {
            Ok(head) => {
                let region = match head.bucket_region() {
                    Some(region) => Some(region.to_owned()),
                    None => self.location().await,
                };
                return Ok(BucketAnswer::Found { region });
            }
            Err(error) => error,
        };
        let Some(raw) = error.raw_response() else {
            return Err(StorageError::Unavailable(format!(
                "cannot reach the bucket {}: {}",
                self.bucket,
                error_chain(&error)
            )));
        };
        let region = raw.headers().get("x-amz-bucket-region").map(str::to_owned);
        Ok(match (raw.status().as_u16(), region) {
            (301 | 307, Some(region)) => BucketAnswer::ElsewhereIn(region),
            (400, Some(region)) if region != self.region => BucketAnswer::ElsewhereIn(region),
            (404, _) => BucketAnswer::Missing,
            (401 | 403, _) => BucketAnswer::Refused(s3_said(&error)),
            (status, _) => {
                return Err(StorageError::Unavailable(format!(
                    "HeadBucket on {} answered {status}: {}",
                    self.bucket,
                    s3_said(&error)
                )));
            }
        })
    }

    /// GetBucketLocation's region, for services whose HeadBucket does not say it
    /// (`None` when it cannot be read either).
    async fn location(&self) -> Option<String> {
        let found = self
            .client
            .get_bucket_location()
            .bucket(&self.bucket)
            .send()
            .await
            .ok()?;
        let constraint = found.location_constraint().map(|c| c.as_str().to_owned());
        tracing::debug!(?constraint, "GetBucketLocation");
        Some(match constraint.as_deref() {
            // S3's legacy answers: none for us-east-1, `EU` for eu-west-1.
            None | Some("") => "us-east-1".to_owned(),
            Some("EU") => "eu-west-1".to_owned(),
            Some(region) => region.to_owned(),
        })
    }

    /// The bucket's CORS rules; `None` when it has none.
    pub async fn cors_rules(&self) -> Result<Option<Vec<CorsRule>>, StorageError> {
        let answer = self
            .client
            .get_bucket_cors()
            .bucket(&self.bucket)
            .send()
            .await;
        match answer {
            Ok(cors) => Ok(Some(cors.cors_rules().iter().map(CorsRule::from).collect())),
            Err(error) if error.code() == Some("NoSuchCORSConfiguration") => Ok(None),
            Err(error) => Err(StorageError::Unavailable(format!(
                "cannot read the CORS rules of {}: {}",
                self.bucket,
                s3_said(&error)
            ))),
        }
    }

    /// Replaces the bucket's CORS rules with `rules` (PutBucketCors).
    pub async fn set_cors_rules(&self, rules: &[CorsRule]) -> Result<(), StorageError> {
        let rules: Vec<SdkCorsRule> = rules
            .iter()
            .map(SdkCorsRule::try_from)
            .collect::<Result<_, _>>()?;
        let configuration = CorsConfiguration::builder()
            .set_cors_rules(Some(rules))
            .build()
            .map_err(|e| StorageError::Unavailable(format!("a CORS rule is incomplete: {e}")))?;
        self.client
            .put_bucket_cors()
            .bucket(&self.bucket)
            .cors_configuration(configuration)
            .send()
            .await
            .map_err(|e| {
                StorageError::Unavailable(format!(
                    "cannot write the CORS rules of {}: {}",
                    self.bucket,
                    s3_said(&e)
                ))
            })?;
        Ok(())
    }

    /// The bucket's public access block.
    pub async fn public_access(&self) -> Result<PublicAccess, StorageError> {
        let answer = self
            .client
            .get_public_access_block()
            .bucket(&self.bucket)
            .send()
            .await;
        let error = match answer {
            Ok(found) => {
                let Some(block) = found.public_access_block_configuration() else {
                    return Ok(PublicAccess::NotConfigured);
                };
                let open: Vec<&'static str> = [
                    ("BlockPublicAcls", block.block_public_acls()),
                    ("IgnorePublicAcls", block.ignore_public_acls()),
                    ("BlockPublicPolicy", block.block_public_policy()),
                    ("RestrictPublicBuckets", block.restrict_public_buckets()),
                ]
                .into_iter()
                .filter(|(_, on)| *on != Some(true))
                .map(|(name, _)| name)
                .collect();
                return Ok(if open.is_empty() {
                    PublicAccess::Blocked
                } else {
                    PublicAccess::PartlyOpen(open)
                });
            }
            Err(error) => error,
        };
        let status = error.raw_response().map(|raw| raw.status().as_u16());
        match (error.code(), status) {
            (Some("NoSuchPublicAccessBlockConfiguration"), _) => Ok(PublicAccess::NotConfigured),
            (Some(code @ ("NotImplemented" | "MethodNotAllowed")), _) => {
                Ok(PublicAccess::Unsupported(code.to_owned()))
            }
            (_, Some(status @ (400 | 404 | 405 | 501))) => {
                Ok(PublicAccess::Unsupported(format!("HTTP {status}")))
            }
            // Answered, but not with S3's document (radosgw): as good as unsupported.
            (_, Some(200)) => Ok(PublicAccess::Unsupported(
                "an answer that is not S3's PublicAccessBlockConfiguration".to_owned(),
            )),
            _ => Err(StorageError::Unavailable(format!(
                "cannot read the public access block of {}: {}",
                self.bucket,
                s3_said(&error)
            ))),
        }
    }
}

impl From<&SdkCorsRule> for CorsRule {
    fn from(rule: &SdkCorsRule) -> Self {
        Self {
            allowed_origins: rule.allowed_origins().to_vec(),
            allowed_methods: rule.allowed_methods().to_vec(),
            allowed_headers: rule.allowed_headers().to_vec(),
            expose_headers: rule.expose_headers().to_vec(),
            max_age_seconds: rule.max_age_seconds(),
        }
    }
}

impl TryFrom<&CorsRule> for SdkCorsRule {
    type Error = StorageError;

    fn try_from(rule: &CorsRule) -> Result<Self, StorageError> {
        SdkCorsRule::builder()
            .set_allowed_origins(Some(rule.allowed_origins.clone()))
            .set_allowed_methods(Some(rule.allowed_methods.clone()))
            .set_allowed_headers(Some(rule.allowed_headers.clone()).filter(|h| !h.is_empty()))
            .set_expose_headers(Some(rule.expose_headers.clone()).filter(|h| !h.is_empty()))
            .set_max_age_seconds(rule.max_age_seconds)
            .build()
            .map_err(|e| StorageError::Unavailable(format!("a CORS rule is incomplete: {e}")))
    }
}
