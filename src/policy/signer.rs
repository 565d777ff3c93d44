//! Signing a policy: the document built from [`UploadRules`], base64, SigV4.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::SecretString;
use time::OffsetDateTime;

use super::sigv4::{SigningKeyCache, hmac_sha256};
use super::{Condition, PolicyDocument, PolicyError, PostForm, UploadRules, timefmt};
use crate::domain::{MAX_KEY_BYTES, PolicyTtl};

/// The credentials a policy is signed with.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id, public: it is part of every signed form.
    pub access_key_id: String,
    /// The secret access key, never shown anywhere.
    pub secret_access_key: SecretString,
    /// The session token of temporary credentials; S3 needs it in the form.
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Signs POST policies for one region, caching the day's signing key.
pub struct PolicySigner {
    region: String,
    keys: SigningKeyCache,
}

impl PolicySigner {
    /// A signer for buckets in `region`.
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            keys: SigningKeyCache::default(),
        }
    }

    /// The region forms are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// Builds and signs the form for `rules`, valid from `now` for `ttl`.
    pub fn sign(
        &self,
        url: String,
        rules: &UploadRules<'_>,
        credentials: &Credentials,
        now: OffsetDateTime,
        ttl: PolicyTtl,
    ) -> Result<PostForm, PolicyError> {
        check(rules)?;
        // Whole seconds: S3 compares at second precision and the form shows them.
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let expires_at = now + ttl.duration();
        let amz_date = timefmt::amz_date(now);
        let date: [u8; 8] = amz_date.as_bytes()[..8]
            .try_into()
            .expect("an x-amz-date starts with eight digits");
        let credential = format!(
            "{}/{}/{}/s3/aws4_request",
            credentials.access_key_id,
            &amz_date[..8],
            self.region
        );
        let conditions = conditions(rules, &credential, &amz_date, credentials);
        let policy = encode(&conditions, expires_at);
        let signature = hex_text(&self.keys.sign(
            &credentials.secret_access_key,
            date,
            &self.region,
            policy.as_bytes(),
        ));
        Ok(PostForm {
            url,
            conditions,
            policy,
            signature,
            expires_at,
        })
    }
}

/// Refuses rules no upload could satisfy, before anything is signed.
fn check(rules: &UploadRules<'_>) -> Result<(), PolicyError> {
    let key_len = rules.prefix.as_str().len() + rules.key_suffix.len();
    if key_len > MAX_KEY_BYTES {
        return Err(PolicyError::KeyTooLong(key_len));
    }
    if !rules.content_type.starts_with(rules.content_type_prefix) {
        return Err(PolicyError::ContentTypeNotAllowed {
            content_type: rules.content_type.to_owned(),
            prefix: rules.content_type_prefix.to_owned(),
        });
    }
    if rules.min_size > rules.max_size {
        return Err(PolicyError::EmptySizeRange {
            min: rules.min_size,
            max: rules.max_size,
        });
    }
    Ok(())
}

/// The policy's conditions in posting order: what `rules` admit, then the SigV4 fields.
fn conditions(
    rules: &UploadRules<'_>,
    credential: &str,
    amz_date: &str,
    credentials: &Credentials,
) -> Vec<Condition> {
    let key = format!("{}{}", rules.prefix, rules.key_suffix);
    let key = if rules.exact_key {
        exact("key", &key)
    } else {
        Condition::StartsWith {
            field: "key".into(),
            prefix: rules.prefix.as_str().to_owned(),
            value: key,
        }
    };
    // Room for the session token too, so the push below never reallocates.
    let mut conditions = Vec::with_capacity(11);
    conditions.extend([
        Condition::Bucket(rules.bucket.to_owned()),
        key,
        exact("acl", "private"),
        exact("success_action_status", "201"),
        Condition::LengthRange {
            min: rules.min_size,
            max: rules.max_size,
        },
        Condition::StartsWith {
            field: "Content-Type".into(),
            prefix: rules.content_type_prefix.to_owned(),
            value: rules.content_type.to_owned(),
        },
        exact("x-amz-meta-uploader", rules.uploader),
        exact("x-amz-algorithm", "AWS4-HMAC-SHA256"),
        exact("x-amz-credential", credential),
        exact("x-amz-date", amz_date),
    ]);
    if let Some(token) = &credentials.session_token {
        conditions.push(exact("x-amz-security-token", token));
    }
    conditions
}

/// The policy document as base64 JSON: the text that is signed and posted.
fn encode(conditions: &[Condition], expires_at: OffsetDateTime) -> String {
    let expiration = timefmt::expiration(expires_at);
    let document = PolicyDocument {
        expiration: &expiration,
        conditions,
    };
    let mut json = Vec::with_capacity(1024);
    serde_json::to_writer(&mut json, &document).expect("a policy document always serializes");
    let mut policy = String::with_capacity(json.len() * 4 / 3 + 4);
    BASE64.encode_string(&json, &mut policy);
    policy
}

/// A 32-byte digest as 64 lowercase hex digits (written at once, not a char at a time).
fn hex_text(digest: &[u8; 32]) -> String {
    let mut text = [0u8; 64];
    // 64 bytes hold the hex of 32.
    let _ = hex::encode_to_slice(digest, &mut text);
    String::from_utf8_lossy(&text).into_owned()
}

/// The SigV4 signature of a POST policy: its base64 text is the string to sign.
pub fn sign_policy(signing_key: &[u8; 32], policy_base64: &str) -> String {
    hex_text(&hmac_sha256(signing_key, policy_base64.as_bytes()))
}

fn exact(field: &'static str, value: &str) -> Condition {
    Condition::Exact {
        field: field.into(),
        value: value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::KeyPrefix;
    use crate::policy::sigv4::derive_signing_key;
    use time::macros::datetime;

    fn aws_example_credentials(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: token.map(Into::into),
        }
    }

    fn rules(prefix: &KeyPrefix) -> UploadRules<'_> {
        UploadRules {
            bucket: "sigv4examplebucket",
            prefix,
            key_suffix: "2015-12-29/abc123/${filename}",
            exact_key: false,
            min_size: 1,
            max_size: 10_000_000,
            content_type_prefix: "",
            content_type: "application/octet-stream",
            uploader: "alice \"the\" <admin>",
        }
    }

    fn sign(token: Option<&str>) -> PostForm {
        let prefix = KeyPrefix::parse("user/user1/").unwrap();
        PolicySigner::new("us-east-1")
            .sign(
                "https://sigv4examplebucket.s3.us-east-1.amazonaws.com/".into(),
                &rules(&prefix),
                &aws_example_credentials(token),
                datetime!(2015-12-29 00:00:00.75 UTC),
                PolicyTtl::from_secs(600).unwrap(),
            )
            .unwrap()
    }

    fn decoded_policy(form: &PostForm) -> String {
        let (_, policy) = form.fields().find(|(n, _)| *n == "policy").unwrap();
        String::from_utf8(BASE64.decode(policy).unwrap()).unwrap()
    }

    /// AWS S3 API Reference, "Browser-Based Upload using HTTP POST (Using AWS Signature
    /// Version 4)": the signature over the documented base64 policy, exactly.
    #[test]
    fn signs_the_aws_documentation_post_example_exactly() {
        let policy_json = "{ \"expiration\": \"2015-12-30T12:00:00.000Z\",\r\n  \"conditions\": [\r\n    {\"bucket\": \"sigv4examplebucket\"},\r\n    [\"starts-with\", \"$key\", \"user/user1/\"],\r\n    {\"acl\": \"public-read\"},\r\n    {\"success_action_redirect\": \"http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html\"},\r\n    [\"starts-with\", \"$Content-Type\", \"image/\"],\r\n    {\"x-amz-meta-uuid\": \"14365123651274\"},\r\n    {\"x-amz-server-side-encryption\": \"AES256\"},\r\n    [\"starts-with\", \"$x-amz-meta-tag\", \"\"],\r\n\r\n    {\"x-amz-credential\": \"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request\"},\r\n    {\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"},\r\n    {\"x-amz-date\": \"20151229T000000Z\" }\r\n  ]\r\n}";
        let policy_base64 = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        assert_eq!(BASE64.encode(policy_json), policy_base64);
        let key = derive_signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20151229",
            "us-east-1",
            "s3",
        );
        assert_eq!(
            hex::encode(key),
            "cbcef1ebeaefc82cce6530b9f0a9ae598846065f5c5bae0674bd5ebc4ba52d28"
        );
        assert_eq!(
            sign_policy(&key, policy_base64),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
    }

    #[test]
    fn builds_the_policy_document_with_every_condition_in_order() {
        let form = sign(None);
        assert_eq!(
            decoded_policy(&form),
            concat!(
                r#"{"expiration":"2015-12-29T00:10:00.000Z","conditions":["#,
                r#"{"bucket":"sigv4examplebucket"},"#,
                r#"["starts-with","$key","user/user1/"],"#,
                r#"{"acl":"private"},"#,
                r#"{"success_action_status":"201"},"#,
                r#"["content-length-range",1,10000000],"#,
                r#"["starts-with","$Content-Type",""],"#,
                r#"{"x-amz-meta-uploader":"alice \"the\" <admin>"},"#,
                r#"{"x-amz-algorithm":"AWS4-HMAC-SHA256"},"#,
                r#"{"x-amz-credential":"AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},"#,
                r#"{"x-amz-date":"20151229T000000Z"}]}"#
            )
        );
    }

    #[test]
    fn an_exact_key_form_admits_that_key_only_and_exactly_its_size() {
        let prefix = KeyPrefix::parse("user/user1/").unwrap();
        let exact = UploadRules {
            key_suffix: "2015-12-29/abc123/report.pdf",
            exact_key: true,
            min_size: 4000,
            max_size: 4000,
            ..rules(&prefix)
        };
        let form = PolicySigner::new("us-east-1")
            .sign(
                "https://sigv4examplebucket.s3.us-east-1.amazonaws.com/".into(),
                &exact,
                &aws_example_credentials(None),
                datetime!(2015-12-29 00:00 UTC),
                PolicyTtl::parse("10m").unwrap(),
            )
            .unwrap();
        let policy = decoded_policy(&form);
        assert!(
            policy.contains(r#"{"key":"user/user1/2015-12-29/abc123/report.pdf"}"#),
            "{policy}"
        );
        assert!(!policy.contains(r#""$key""#), "{policy}");
        assert!(
            policy.contains(r#"["content-length-range",4000,4000]"#),
            "{policy}"
        );
        assert_eq!(form.key(), "user/user1/2015-12-29/abc123/report.pdf");
    }

    #[test]
    fn signs_the_base64_policy_with_the_days_s3_signing_key() {
        let form = sign(None);
        let (_, policy) = form.fields().find(|(n, _)| *n == "policy").unwrap();
        let (_, signature) = form
            .fields()
            .find(|(n, _)| *n == "x-amz-signature")
            .unwrap();
        let key = derive_signing_key(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20151229",
            "us-east-1",
            "s3",
        );
        assert_eq!(signature, sign_policy(&key, policy));
        assert_eq!(form.expires_at(), datetime!(2015-12-29 00:10:00 UTC));
    }

    #[test]
    fn posts_one_field_per_field_condition_in_order_and_nothing_else() {
        let form = sign(Some("token/with+chars="));
        let names: Vec<&str> = form.fields().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "key",
                "acl",
                "success_action_status",
                "Content-Type",
                "x-amz-meta-uploader",
                "x-amz-algorithm",
                "x-amz-credential",
                "x-amz-date",
                "x-amz-security-token",
                "policy",
                "x-amz-signature",
            ]
        );
        assert_eq!(form.key(), "user/user1/2015-12-29/abc123/${filename}");
        assert!(decoded_policy(&form).contains(r#"{"x-amz-security-token":"token/with+chars="}"#));
        // Each posted field but policy and signature has exactly one condition.
        let json: serde_json::Value = serde_json::from_str(&decoded_policy(&form)).unwrap();
        let conditions = json["conditions"].as_array().unwrap();
        for (name, value) in form
            .fields()
            .filter(|(n, _)| !["policy", "x-amz-signature"].contains(n))
        {
            let matching = conditions
                .iter()
                .filter(|c| match c {
                    serde_json::Value::Object(m) => {
                        m.get(name).and_then(|v| v.as_str()) == Some(value)
                    }
                    serde_json::Value::Array(a) => {
                        a[0] == "starts-with"
                            && a[1] == format!("${name}").as_str()
                            && value.starts_with(a[2].as_str().unwrap())
                    }
                    _ => false,
                })
                .count();
            assert_eq!(matching, 1, "{name}");
        }
    }

    #[test]
    fn refuses_keys_over_1024_bytes_and_disallowed_types_and_empty_ranges() {
        let prefix = KeyPrefix::parse("user/user1/").unwrap();
        let signer = PolicySigner::new("us-east-1");
        let creds = aws_example_credentials(None);
        let now = datetime!(2015-12-29 00:00:00 UTC);
        let ttl = PolicyTtl::DEFAULT;
        let long = "x".repeat(1024);
        let too_long = UploadRules {
            key_suffix: &long,
            exact_key: false,
            ..rules(&prefix)
        };
        assert_eq!(
            signer
                .sign(String::new(), &too_long, &creds, now, ttl)
                .unwrap_err(),
            PolicyError::KeyTooLong(1024 + "user/user1/".len())
        );
        let wrong_type = UploadRules {
            content_type_prefix: "image/",
            content_type: "text/html",
            ..rules(&prefix)
        };
        assert!(matches!(
            signer.sign(String::new(), &wrong_type, &creds, now, ttl),
            Err(PolicyError::ContentTypeNotAllowed { .. })
        ));
        let inverted = UploadRules {
            min_size: 5,
            max_size: 4,
            ..rules(&prefix)
        };
        assert!(matches!(
            signer.sign(String::new(), &inverted, &creds, now, ttl),
            Err(PolicyError::EmptySizeRange { .. })
        ));
    }

    #[test]
    fn never_shows_the_secret_in_debug_output() {
        let creds = aws_example_credentials(Some("tok"));
        let text = format!("{creds:?}");
        assert!(!text.contains("EXAMPLEKEY"));
        assert!(!text.contains("tok\""));
    }
}
