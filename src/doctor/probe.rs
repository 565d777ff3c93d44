//! The live probe: a one-byte form signed the way the app signs users' forms (acl
//! private, success_action_status 201, a prefix, an exact size, the uploader's
//! metadata), posted to the bucket, then deleted. Object Ownership, policy and signature
//! problems show up here with S3's own words turned into a sentence.

use time::OffsetDateTime;

use super::{Check, Doctor};
use crate::domain::{HEX, KeyPrefix, PolicyTtl, random_text};
use crate::policy::{PolicySigner, PostForm, UploadRules};

const NAME: &str = "post";
/// Where probes land (each is deleted at once).
pub const PROBE_PREFIX: &str = "postbox-doctor/";

impl Doctor {
    pub(super) async fn probe(&self) -> Check {
        let form = match self.probe_form().await {
            Ok(form) => form,
            Err(check) => return check,
        };
        let answer = match self
            .storage
            .post_form(&form, "probe.txt", b"!".to_vec())
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                return Check::fail(
                    NAME,
                    format!("The probe form could not be posted. {error}"),
                    "Check that the bucket answers (see the bucket check).",
                );
            }
        };
        if answer.status != 201 {
            let (detail, fix) = refusal(answer.status, &answer.body, self.storage.bucket());
            return Check::fail(NAME, detail, fix);
        }
        let key = form.key();
        match self.storage.delete(key).await {
            Ok(()) => Check::ok(
                NAME,
                "A one-byte form signed like the app's was posted (201) and deleted again.",
            ),
            Err(error) => Check::warn(
                NAME,
                format!("The probe form was posted (201), but {key} could not be deleted. {error}"),
                format!(
                    "Delete {key} by hand, and allow s3:DeleteObject on arn:aws:s3:::{}/* \
                     (My files' delete buttons need it too).",
                    self.storage.bucket()
                ),
            ),
        }
    }

    /// A one-byte form for a new key under [`PROBE_PREFIX`], signed as users' forms are,
    /// or the failed check saying why there is none.
    async fn probe_form(&self) -> Result<PostForm, Check> {
        let credentials = self.storage.credentials().await.map_err(|error| {
            Check::fail(
                NAME,
                format!("No form could be signed. {error}"),
                "See the credentials check.",
            )
        })?;
        let now = OffsetDateTime::now_utc();
        let suffix = format!(
            "{}/{}.txt",
            crate::policy::timefmt::iso_date(now),
            random_text(HEX, 16)
        );
        let prefix = KeyPrefix::parse(PROBE_PREFIX).expect("a valid prefix");
        let rules = UploadRules {
            bucket: self.storage.bucket(),
            prefix: &prefix,
            key_suffix: &suffix,
            exact_key: true,
            min_size: 1,
            max_size: 1,
            content_type_prefix: "",
            content_type: "text/plain",
            uploader: "postbox-doctor",
        };
        let ttl = PolicyTtl::from_secs(120).expect("two minutes is a valid lifetime");
        PolicySigner::new(self.storage.region())
            .sign(
                self.storage.form_url().to_owned(),
                &rules,
                &credentials,
                now,
                ttl,
            )
            .map_err(|error| {
                Check::fail(
                    NAME,
                    format!("No form could be signed. {error}"),
                    "Report this: it is a bug.",
                )
            })
    }
}

/// S3's refusal of the probe as a sentence and a fix.
fn refusal(status: u16, body: &str, bucket: &str) -> (String, String) {
    let tag = |name: &str| {
        let open = format!("<{name}>");
        let start = body.find(&open)? + open.len();
        let end = start + body[start..].find(&format!("</{name}>"))?;
        Some(body[start..end].to_owned())
    };
    let code = tag("Code").unwrap_or_else(|| format!("HTTP {status}"));
    let message = tag("Message").unwrap_or_default();
    let said = if message.is_empty() {
        code.clone()
    } else {
        format!("{code}: {message}")
    };
    let (detail, fix) = match code.as_str() {
        "AccessControlListNotSupported" => (
            "The bucket refuses the acl=private every form carries: its Object Ownership \
             is \"bucket owner enforced\" (ACLs disabled)."
                .to_owned(),
            "Set the bucket's Object Ownership to \"Bucket owner preferred\" (ACLs enabled; \
             every object stays private)."
                .to_owned(),
        ),
        "SignatureDoesNotMatch" => (
            "The bucket refused the form's signature.".to_owned(),
            "Check the secret access key, and that AWS_REGION is the bucket's region.".to_owned(),
        ),
        "NoSuchBucket" => (
            "The bucket does not exist.".to_owned(),
            "See the bucket check.".to_owned(),
        ),
        "InvalidAccessKeyId" => (
            "The bucket does not know this access key.".to_owned(),
            "Check AWS_ACCESS_KEY_ID (or the profile in use) and AWS_ENDPOINT_URL.".to_owned(),
        ),
        "AccessDenied" if message.contains("expired") => (
            "The bucket says the probe's form had already expired.".to_owned(),
            "Synchronise this machine's clock (see the clock check).".to_owned(),
        ),
        "AccessDenied" => (
            "The bucket refused to store the probe: these credentials may not write there."
                .to_owned(),
            format!(
                "Allow s3:PutObject and s3:PutObjectAcl on arn:aws:s3:::{bucket}/* \
                 (docs/deploy.md has the whole policy)."
            ),
        ),
        _ => (
            "The bucket refused the probe form.".to_owned(),
            "Read S3's answer above; docs/deploy.md lists what the bucket needs.".to_owned(),
        ),
    };
    (format!("{detail} S3 said {said}."), fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_refusals_become_sentences_with_fixes() {
        let body = "<Error><Code>AccessControlListNotSupported</Code>\
                    <Message>The bucket does not allow ACLs</Message></Error>";
        let (detail, fix) = refusal(400, body, "b");
        assert!(detail.contains("bucket owner enforced"), "{detail}");
        assert!(
            detail.contains("The bucket does not allow ACLs"),
            "{detail}"
        );
        assert!(fix.contains("Bucket owner preferred"), "{fix}");
        let (detail, _) = refusal(403, "", "b");
        assert!(detail.contains("HTTP 403"), "{detail}");
    }
}
