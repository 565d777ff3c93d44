//! `POST /api/presign` and `POST /api/presign-put`: a fresh signed form, or a presigned
//! PUT, for one file the caller describes.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::policy::FieldsJson;
use crate::signing::{FileAsked, FormSigner};
use crate::web::api::{ApiError, ErrorBody};
use crate::web::json_text;
use crate::web::{Csrf, SignedIn};

/// What the caller says about the file it wants to upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PresignRequest {
    /// The file's name (its key ends with it).
    #[schema(example = "report.pdf")]
    filename: String,
    /// Its exact size in bytes: the form or URL admits no other.
    #[schema(example = 123_456, minimum = 1)]
    size: u64,
    /// Its content type (default `application/octet-stream`).
    #[serde(default)]
    #[schema(example = "application/pdf")]
    content_type: Option<String>,
}

impl PresignRequest {
    /// The file it asks a form for.
    pub(super) fn asked(&self) -> FileAsked<'_> {
        FileAsked {
            name: &self.filename,
            size: self.size,
            content_type: self.content_type.as_deref(),
        }
    }
}

/// A signed POST form: post `fields`, then the file as `file`, to `url`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PresignAnswer<'a> {
    /// Where to post (the bucket).
    url: &'a str,
    /// The form's fields, in posting order.
    #[schema(value_type = Object)]
    fields: FieldsJson<'a>,
    #[serde(skip)]
    #[schema(ignore)]
    form: &'a crate::policy::PostForm,
    /// The key the file will have.
    key: &'a str,
    /// The largest file this account may upload now.
    max_size: u64,
    /// When the form stops working (RFC 3339).
    expires_at: String,
}

impl<'a> PresignAnswer<'a> {
    /// The answer as JSON text, the same as serde_json writes it (a test checks), with
    /// the policy and signature copied rather than scanned for characters to escape.
    pub(super) fn to_json(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push('{');
        json_text::push_field(&mut out, "url", self.url);
        out.push_str(",\"fields\":{");
        for (i, (name, value)) in self.form.fields().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_text::push_field(&mut out, name, value);
        }
        out.push_str("},");
        json_text::push_field(&mut out, "key", self.key);
        out.push(',');
        json_text::push_number(&mut out, "max_size", self.max_size);
        out.push(',');
        json_text::push_field(&mut out, "expires_at", &self.expires_at);
        out.push('}');
        out
    }

    /// The answer, as JSON.
    pub fn respond(&self) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.to_json())
    }

    /// The answer for `form`, whose uploader may send files up to `max_size` bytes:
    /// written straight from the form (no JSON tree built first).
    pub(super) fn new(form: &'a crate::policy::PostForm, max_size: u64) -> Self {
        Self {
            url: form.url(),
            fields: form.fields_json(),
            form,
            key: form.key(),
            max_size,
            expires_at: form.expires_at().format(&Rfc3339).unwrap_or_default(),
        }
    }
}

/// A presigned PUT: send the file as the body with exactly these headers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PresignPutAnswer {
    /// Where to PUT.
    url: String,
    /// Always `PUT`.
    method: &'static str,
    /// The headers the request must carry.
    headers: PutHeaders,
    /// The key the file will have.
    key: String,
    /// When the URL stops working (RFC 3339).
    expires_at: String,
}

/// The signed headers of a presigned PUT.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PutHeaders {
    /// The content type asked for.
    #[serde(rename = "Content-Type")]
    content_type: String,
    /// The size asked for: a body of another length is refused.
    #[serde(rename = "Content-Length")]
    content_length: String,
}

/// `POST /api/presign`: a form admitting exactly `size` bytes.
#[utoipa::path(
    post,
    path = "/api/presign",
    operation_id = "presign_post",
    tag = "uploads",
    request_body = PresignRequest,
    responses(
        (status = 200, description = "A signed form for this one file", body = PresignAnswer),
        (status = 400, description = "A bad name, size or content type", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "No CSRF token with a cookie, or the quota is used up", body = ErrorBody),
        (status = 413, description = "Over the size limit or what is left of the quota", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn presign(
    user: SignedIn,
    forms: web::Data<FormSigner>,
    request: Csrf<web::Json<PresignRequest>>,
) -> Result<HttpResponse, ApiError> {
    let (form, max_size) = forms.sign_asked(&user, &request.asked()).await?;
    Ok(PresignAnswer::new(&form, max_size).respond())
}

/// `POST /api/presign-put` (the same body): a presigned PUT whose `Content-Length`
/// (and `Content-Type`) are signed, for buckets without POST policies and programs.
#[utoipa::path(
    post,
    path = "/api/presign-put",
    operation_id = "presign_put",
    tag = "uploads",
    request_body = PresignRequest,
    responses(
        (status = 200, description = "A presigned PUT for this one file", body = PresignPutAnswer),
        (status = 400, description = "A bad name, size or content type", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "No CSRF token with a cookie, or the quota is used up", body = ErrorBody),
        (status = 413, description = "Over the size limit or what is left of the quota", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn presign_put(
    user: SignedIn,
    forms: web::Data<FormSigner>,
    request: Csrf<web::Json<PresignRequest>>,
) -> Result<HttpResponse, ApiError> {
    let put = forms.sign_put_asked(&user, &request.asked()).await?;
    Ok(HttpResponse::Ok().json(PresignPutAnswer {
        url: put.url,
        method: "PUT",
        headers: PutHeaders {
            content_type: put.content_type,
            content_length: put.size.to_string(),
        },
        key: put.key,
        expires_at: put.expires_at.format(&Rfc3339).unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;
    use time::OffsetDateTime;

    use super::*;
    use crate::domain::{KeyPrefix, PolicyTtl};
    use crate::policy::{Credentials, PolicySigner, UploadRules};

    #[test]
    fn the_hand_written_answer_is_what_serde_json_writes() {
        let prefix = KeyPrefix::parse("users/o'brien \"q\"/").unwrap();
        let rules = UploadRules {
            bucket: "bucket",
            prefix: &prefix,
            key_suffix: "2026-12-04/abc/r\u{e9}sum\u{e9} \"final\"\\v2.pdf",
            exact_key: true,
            min_size: 1,
            max_size: 1234,
            content_type_prefix: "",
            content_type: "application/pdf",
            uploader: "o'brien",
        };
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: SecretString::from("secret"),
            session_token: Some("token+/=".into()),
        };
        let form = PolicySigner::new("us-east-1")
            .sign(
                "http://127.0.0.1:9000/bucket/".into(),
                &rules,
                &credentials,
                OffsetDateTime::from_unix_timestamp(1_764_806_400).unwrap(),
                PolicyTtl::from_secs(600).unwrap(),
            )
            .unwrap();
        let answer = PresignAnswer::new(&form, 1234);
        assert_eq!(answer.to_json(), serde_json::to_string(&answer).unwrap());
    }
}
