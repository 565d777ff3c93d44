//! Signing upload forms for someone: an account and a request in, a signed form out.
//! Their prefix and limits, a unique key part, the injected clock. Pages, the API and
//! the CLI all come through here; it is the only caller of `policy` for accounts.

use std::sync::Arc;

use rand::Rng;
use time::OffsetDateTime;

use crate::accounts::User;
use crate::domain::{ByteSize, FileName, KeyPrefix, PolicyTtl};
use crate::metrics::Metrics;
use crate::policy::timefmt;
use crate::policy::{PolicyError, PolicySigner, PostForm, UploadRules};
use crate::storage::{Storage, StorageError};

/// Why no form was signed.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The account's quota is used up.
    #[error("Your storage quota of {0} is used up. Ask an admin for more room.")]
    QuotaUsedUp(ByteSize),
    /// The bucket could not say how much is used, or no credentials were found.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The policy engine refused the request (a type not allowed, a key too long, or,
    /// a bug, an empty size range).
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// Where "now" comes from; tests set it to sign forms that are already expired.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(OffsetDateTime::now_utc))
    }

    /// The system clock moved by `offset` (negative: the past).
    pub fn shifted(offset: time::Duration) -> Self {
        Self(Arc::new(move || OffsetDateTime::now_utc() + offset))
    }

    /// The current time.
    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

/// Who uploads, and what they may upload.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// Recorded on each object as `x-amz-meta-uploader`.
    pub name: String,
    /// Every key they write starts with this.
    pub prefix: KeyPrefix,
    /// Their largest file.
    pub max_size: ByteSize,
    /// Content types they may upload start with this ("" for any).
    pub content_type_prefix: String,
    /// With a quota: how much of it is left, and the quota.
    pub quota_left: Option<(ByteSize, ByteSize)>,
}

impl Uploader {
    /// What `user` may upload now: their limits, the size capped at what remains of
    /// their quota. Refused when the quota is used up. (Disabled accounts never get this
    /// far: the web layer's `SignedIn` refuses them.)
    pub async fn for_user(user: &User, storage: &Storage) -> Result<Self, SigningError> {
        let mut max_size = user.max_size;
        let mut quota_left = None;
        if let Some(quota) = user.quota {
            let used = storage.usage(user.prefix.as_str()).await?;
            let left = ByteSize::from_bytes(quota.bytes().saturating_sub(used));
            if left.bytes() == 0 {
                return Err(SigningError::QuotaUsedUp(quota));
            }
            max_size = max_size.min(left);
            quota_left = Some((left, quota));
        }
        Ok(Self {
            name: user.name.to_string(),
            prefix: user.prefix.clone(),
            max_size,
            content_type_prefix: user.content_type_prefix.clone(),
            quota_left,
        })
    }
}

/// The file a form is for: any file (the plain form, where S3 puts the name in the key),
/// or one the browser described.
#[derive(Debug, Clone, Copy)]
pub enum FormFile<'a> {
    /// The plain HTML form: the key ends in `${filename}`.
    Any,
    /// One named file of a known type.
    Named {
        /// Its name.
        name: &'a FileName,
        /// Its content type.
        content_type: &'a str,
    },
}

/// Content type the plain form posts: it cannot know the file's.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// Signs upload forms for a bucket.
pub struct FormSigner {
    storage: Storage,
    signer: PolicySigner,
    ttl: PolicyTtl,
    clock: Clock,
    metrics: Metrics,
}

impl FormSigner {
    /// A signer for `storage`'s bucket and region.
    pub fn new(storage: Storage, ttl: PolicyTtl, clock: Clock, metrics: Metrics) -> Self {
        let signer = PolicySigner::new(storage.region());
        Self {
            storage,
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

    /// A signed form that lets `uploader` post `file` under their prefix.
    pub async fn sign(
        &self,
        uploader: &Uploader,
        file: FormFile<'_>,
    ) -> Result<PostForm, SigningError> {
        let credentials = self.storage.credentials().await?;
        let now = self.clock.now();
        let (file_name, content_type) = match file {
            // Restricted to some types, the plain form carries the allowed prefix for
            // the person to complete (the policy checks `starts-with`).
            FormFile::Any if !uploader.content_type_prefix.is_empty() => {
                ("${filename}", uploader.content_type_prefix.as_str())
            }
            FormFile::Any => ("${filename}", DEFAULT_CONTENT_TYPE),
            FormFile::Named { name, content_type } => (name.as_str(), content_type),
        };
        let key_suffix = unique_key_suffix(now, file_name);
        let rules = UploadRules {
            bucket: self.storage.bucket(),
            prefix: &uploader.prefix,
            key_suffix: &key_suffix,
            min_size: 1,
            max_size: uploader.max_size.bytes(),
            content_type_prefix: &uploader.content_type_prefix,
            content_type,
            uploader: &uploader.name,
        };
        let form = self.signer.sign(
            self.storage.form_url().to_owned(),
            &rules,
            &credentials,
            now,
            self.ttl,
        )?;
        self.metrics.policies_signed.inc();
        Ok(form)
    }
}

/// `<yyyy-mm-dd>/<10 random characters>/<file name>`: a new key for every form, so an
/// upload never silently replaces an earlier one.
pub fn unique_key_suffix(now: OffsetDateTime, file_name: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let date = timefmt::iso_date(now);
    let mut rng = rand::rng();
    let id: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{date}/{id}/{file_name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn each_key_gets_its_own_unique_part_under_the_date() {
        let now = datetime!(2026-11-23 10:00 UTC);
        let a = unique_key_suffix(now, "a.txt");
        let b = unique_key_suffix(now, "a.txt");
        assert_ne!(a, b);
        assert!(a.starts_with("2026-11-23/"), "{a}");
        assert!(a.ends_with("/a.txt"), "{a}");
        assert_eq!(a.split('/').nth(1).unwrap().len(), 10);
    }
}
