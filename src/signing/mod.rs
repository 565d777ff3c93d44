//! Signing upload forms for someone: an account and a request in, a signed form out.
//! Their prefix and limits, a unique key part, the injected clock. Pages, the API and
//! the CLI all come through here; it is the only caller of `policy` for accounts.

mod asked;
mod clock;
mod error;
mod guest;
mod key;
mod put;
mod uploader;

pub use asked::FileAsked;
pub use clock::{Clock, ClockHandle};
pub use error::SigningError;
pub use key::unique_key_suffix;
pub use put::PutRequest;
pub use uploader::Uploader;

use crate::domain::{ByteSize, FileName, PolicyTtl};
use crate::metrics::Metrics;
use crate::policy::{PolicySigner, PostForm, UploadRules};
use crate::storage::Storage;
use crate::usage::{UsageError, UsageLedger};

/// The file a form is for: any file (the plain form, where S3 puts the name in the key),
/// or one the browser described.
#[derive(Debug, Clone, Copy)]
pub enum FormFile<'a> {
    /// The plain HTML form: the key ends in `${filename}`. Not for quota accounts:
    /// their forms name one exact key.
    Any,
    /// A guest's file for a link: the key suffix chosen (and reserved in the link's
    /// ledger) by the caller under the uploader's prefix (the link's folder), one exact
    /// key of exactly `size` bytes.
    Guest {
        /// The key under the uploader's prefix.
        key_suffix: &'a str,
        /// Its content type.
        content_type: &'a str,
        /// Its exact size.
        size: u64,
    },
    /// One named file of a known type.
    Named {
        /// Its name.
        name: &'a FileName,
        /// Its content type.
        content_type: &'a str,
        /// Its exact size, when the browser said it: the form admits no other.
        size: Option<u64>,
    },
}

/// Content type the plain form posts: it cannot know the file's.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// What a form for one file names: the key after the prefix, the content type, the
/// exact size if known, and whether the key is exact (quota accounts and guests) or any
/// under the prefix.
struct Terms<'a> {
    key_suffix: String,
    content_type: &'a str,
    size: Option<u64>,
    exact_key: bool,
}

impl<'a> FormFile<'a> {
    /// The terms of a form for this file, signed at `now` for `uploader`.
    fn terms(
        self,
        uploader: &'a Uploader,
        now: time::OffsetDateTime,
    ) -> Result<Terms<'a>, SigningError> {
        let any = |content_type| Terms {
            key_suffix: unique_key_suffix(now, "${filename}"),
            content_type,
            size: None,
            exact_key: false,
        };
        Ok(match self {
            FormFile::Any if uploader.quota.is_some() => return Err(SigningError::NameNeeded),
            // Restricted to some types, the plain form carries the allowed prefix for
            // the person to complete (the policy checks `starts-with`).
            FormFile::Any if !uploader.content_type_prefix.is_empty() => {
                any(uploader.content_type_prefix.as_str())
            }
            FormFile::Any => any(DEFAULT_CONTENT_TYPE),
            FormFile::Named {
                name,
                content_type,
                size,
            } => Terms {
                key_suffix: unique_key_suffix(now, name.as_str()),
                content_type,
                size,
                exact_key: uploader.quota.is_some(),
            },
            FormFile::Guest {
                key_suffix,
                content_type,
                size,
            } => Terms {
                key_suffix: key_suffix.to_owned(),
                content_type,
                size: Some(size),
                exact_key: true,
            },
        })
    }
}

/// Signs upload forms for a bucket.
pub struct FormSigner {
    storage: Storage,
    ledger: UsageLedger,
    signer: PolicySigner,
    ttl: PolicyTtl,
    clock: Clock,
    metrics: Metrics,
}

impl FormSigner {
    /// A signer for `storage`'s bucket and region, reserving quota in `ledger`.
    pub fn new(
        storage: Storage,
        ledger: UsageLedger,
        ttl: PolicyTtl,
        clock: Clock,
        metrics: Metrics,
    ) -> Self {
        let signer = PolicySigner::new(storage.region());
        Self {
            storage,
            ledger,
            signer,
            ttl,
            clock,
            metrics,
        }
    }

    /// The bucket forms post to.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// When a form signed now stops working, in Unix seconds.
    pub fn expiry_from_now(&self) -> i64 {
        (self.clock.now() + self.ttl.duration()).unix_timestamp()
    }

    /// What `user` may upload now (see [`Uploader::for_user`]).
    pub async fn uploader(&self, user: &crate::accounts::User) -> Result<Uploader, SigningError> {
        let now = self.clock.unix_now();
        Uploader::for_user(user, &self.ledger, &self.storage, now).await
    }

    /// A signed form that lets `uploader` post `file` under their prefix. For a quota
    /// account the form names one exact key and its bytes are reserved in the ledger
    /// before it is handed out.
    pub async fn sign(
        &self,
        uploader: &Uploader,
        file: FormFile<'_>,
    ) -> Result<PostForm, SigningError> {
        Ok(self.sign_counted(uploader, file).await?.0)
    }

    /// As [`FormSigner::sign`], with what was left of a quota before this form (`None`
    /// without a quota). With an [`Uploader::unread`], a refusal
    /// ([`SigningError::QuotaUsedUp`], [`SigningError::QuotaShort`],
    /// [`SigningError::NotCounted`]) may be out of date (see [`Uploader::unsure`]).
    pub async fn sign_counted(
        &self,
        uploader: &Uploader,
        file: FormFile<'_>,
    ) -> Result<(PostForm, Option<u64>), SigningError> {
        let credentials = self.storage.credentials().await?;
        let now = self.clock.now();
        let terms = file.terms(uploader, now)?;
        let rules = UploadRules {
            bucket: self.storage.bucket(),
            prefix: &uploader.prefix,
            key_suffix: &terms.key_suffix,
            exact_key: terms.exact_key,
            min_size: terms.size.unwrap_or(1),
            max_size: terms.size.unwrap_or(uploader.max_size.bytes()),
            content_type_prefix: &uploader.content_type_prefix,
            content_type: terms.content_type,
            uploader: &uploader.name,
        };
        let form = self.signer.sign(
            self.storage.form_url().to_owned(),
            &rules,
            &credentials,
            now,
            self.ttl,
        )?;
        let expires_at = form.expires_at().unix_timestamp();
        let left = self
            .reserve(uploader, form.key(), rules.max_size, expires_at)
            .await?;
        self.metrics.policies_signed.inc();
        Ok((form, left))
    }

    /// For a quota account, holds `size` bytes for the form or request naming `key`
    /// until `expires_at` (and says what was left before), or refuses with what is
    /// left; without a quota, nothing.
    async fn reserve(
        &self,
        uploader: &Uploader,
        key: &str,
        size: u64,
        expires_at: i64,
    ) -> Result<Option<u64>, SigningError> {
        let Some(quota) = uploader.quota else {
            return Ok(None);
        };
        let reserved = self
            .ledger
            .reserve(&uploader.name, key, size, quota.bytes(), expires_at)
            .await;
        match reserved {
            Ok(left) => Ok(Some(left)),
            Err(UsageError::OverQuota { left: 0 }) => Err(SigningError::QuotaUsedUp(quota)),
            Err(UsageError::OverQuota { left }) => Err(SigningError::QuotaShort {
                left: ByteSize::from_bytes(left),
                quota,
            }),
            Err(error) => Err(error.into()),
        }
    }
}
