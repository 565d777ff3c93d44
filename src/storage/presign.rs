//! Presigned GET and PUT URLs, signed by aws-sdk-s3.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;

use super::{Storage, StorageError, error_chain};

impl Storage {
    /// A URL that downloads `key` for `expires_in`; with `download_as`, browsers save
    /// it under that name instead of showing it.
    pub async fn presign_get(
        &self,
        key: &str,
        expires_in: Duration,
        download_as: Option<&str>,
    ) -> Result<String, StorageError> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_response_content_disposition(download_as.map(attachment_disposition))
            .presigned(presigning(expires_in)?)
            .await
            .map_err(|e| StorageError::Presign(error_chain(&e)))?;
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
    ) -> Result<String, StorageError> {
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
            .map_err(|e| StorageError::Presign(error_chain(&e)))?;
        Ok(request.uri().to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_download_in_ascii_and_utf8() {
        assert_eq!(
            attachment_disposition("résumé \"v2\".pdf"),
            "attachment; filename=\"r_sum_ _v2_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf"
        );
    }
}
