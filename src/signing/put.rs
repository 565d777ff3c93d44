//! Presigned PUT, for providers without POST policies (Cloudflare R2, Backblaze B2)
//! and for programs: one URL for one exact key, with the length and the content type
//! signed, so the bucket refuses any other body. Quota accounts reserve it like a form.

use time::OffsetDateTime;

use super::{FormSigner, SigningError, Uploader, unique_key_suffix};
use crate::domain::{FileName, MAX_KEY_BYTES};
use crate::policy::PolicyError;

/// A signed PUT request.
#[derive(Debug, Clone)]
pub struct PutRequest {
    /// Where to PUT.
    pub url: String,
    /// The key it writes.
    pub key: String,
    /// The `Content-Type` it must send.
    pub content_type: String,
    /// The `Content-Length` it must send.
    pub size: u64,
    /// When the URL stops working.
    pub expires_at: OffsetDateTime,
}

impl FormSigner {
    /// A presigned PUT of `size` bytes of `content_type`, named `name`, under
    /// `uploader`'s prefix. The caller has checked the size against their limit.
    pub async fn sign_put(
        &self,
        uploader: &Uploader,
        name: &FileName,
        content_type: &str,
        size: u64,
    ) -> Result<PutRequest, SigningError> {
        if !content_type.starts_with(uploader.content_type_prefix.as_str()) {
            return Err(PolicyError::ContentTypeNotAllowed {
                content_type: content_type.to_owned(),
                prefix: uploader.content_type_prefix.clone(),
            }
            .into());
        }
        let now = self.clock.now();
        let key = format!(
            "{}{}",
            uploader.prefix,
            unique_key_suffix(now, name.as_str())
        );
        if key.len() > MAX_KEY_BYTES {
            return Err(PolicyError::KeyTooLong(key.len()).into());
        }
        let expires_at = now + self.ttl.duration();
        self.reserve(uploader, &key, size, expires_at.unix_timestamp())
            .await?;
        let url = self
            .storage
            .presign_put(&key, self.ttl.duration(), Some(content_type), Some(size))
            .await?;
        self.metrics.policies_signed.inc();
        Ok(PutRequest {
            url,
            key,
            content_type: content_type.to_owned(),
            size,
            expires_at,
        })
    }
}
