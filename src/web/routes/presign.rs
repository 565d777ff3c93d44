//! `POST /api/presign` and `POST /api/presign-put`: a fresh signed form, or a presigned
//! PUT, for one file the caller describes.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::domain::{ByteSize, FileName};
use crate::policy::{FieldsJson, PostForm};
use crate::signing::{DEFAULT_CONTENT_TYPE, FormFile, FormSigner, SigningError, Uploader};
use crate::web::api::ErrorBody;
use crate::web::{AppError, Csrf, SignedIn};

/// What the caller says about the file it wants to upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PresignRequest {
    /// The file's name (its key ends with it).
    #[schema(example = "report.pdf")]
    filename: String,
    /// Its exact size in bytes: the form or URL admits no other.
    #[schema(example = 123_456, minimum = 1)]
    pub(super) size: u64,
    /// Its content type (default `application/octet-stream`).
    #[serde(default)]
    #[schema(example = "application/pdf")]
    content_type: Option<String>,
}

/// A signed POST form: post `fields`, then the file as `file`, to `url`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PresignAnswer<'a> {
    /// Where to post (the bucket).
    url: &'a str,
    /// The form's fields, in posting order.
    #[schema(value_type = Object)]
    fields: FieldsJson<'a>,
    /// The key the file will have.
    key: &'a str,
    /// The largest file this account may upload now.
    max_size: u64,
    /// When the form stops working (RFC 3339).
    expires_at: String,
}

impl<'a> PresignAnswer<'a> {
    /// The answer for `form`, whose uploader may send files up to `max_size` bytes:
    /// written straight from the form (no JSON tree built first).
    pub(super) fn new(form: &'a crate::policy::PostForm, max_size: u64) -> Self {
        Self {
            url: form.url(),
            fields: form.fields_json(),
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
) -> Result<HttpResponse, AppError> {
    // Read-free first: the account is in memory and, with a quota, the reservation
    // says what is left. A refusal that may be out of date is asked again the page's
    // way (expired forms settled, an old account counted), with its answer.
    let signed = match sign_one(&forms, &Uploader::unread(&user), &request).await? {
        Some(signed) => signed,
        None => sign_one(&forms, &forms.uploader(&user).await?, &request)
            .await?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("a read uploader was unsure")))?,
    };
    let (form, max_size) = signed;
    Ok(HttpResponse::Ok().json(PresignAnswer::new(&form, max_size)))
}

/// A form for the file `request` describes, signed for `uploader`, and the largest
/// file they may upload now; `None` when `uploader` was [unsure](Uploader::unsure) and
/// refused it.
async fn sign_one(
    forms: &FormSigner,
    uploader: &Uploader,
    request: &PresignRequest,
) -> Result<Option<(PostForm, u64)>, AppError> {
    let (name, content_type) = match described(uploader, request) {
        Err(AppError::TooLarge(_)) if uploader.unsure() => return Ok(None),
        described => described?,
    };
    let file = FormFile::Named {
        name: &name,
        content_type,
        size: Some(request.size),
    };
    match forms.sign_counted(uploader, file).await {
        Ok((form, left)) => {
            let max = uploader.max_size.bytes();
            Ok(Some((form, left.map_or(max, |left| left.min(max)))))
        }
        Err(
            SigningError::QuotaUsedUp(_)
            | SigningError::QuotaShort { .. }
            | SigningError::NotCounted,
        ) if uploader.unsure() => Ok(None),
        Err(error) => Err(error.into()),
    }
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
) -> Result<HttpResponse, AppError> {
    let uploader = forms.uploader(&user).await?;
    let (name, content_type) = described(&uploader, &request)?;
    let put = forms
        .sign_put(&uploader, &name, content_type, request.size)
        .await?;
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

/// What a presign request describes, checked against `uploader`'s limits: the file's
/// name, its size (not empty, within the limit) and its content type.
pub(super) fn described<'a>(
    uploader: &Uploader,
    request: &'a PresignRequest,
) -> Result<(FileName, &'a str), AppError> {
    let name = FileName::parse(&request.filename)
        .map_err(|e| AppError::BadRequest(format!("{}.", capitalize(&e.to_string()))))?;
    let size = ByteSize::from_bytes(request.size);
    if size > uploader.max_size {
        return Err(AppError::TooLarge(too_large(
            &name,
            size,
            uploader.max_size,
        )));
    }
    if request.size == 0 {
        return Err(AppError::BadRequest(format!(
            "{name} is empty; choose a file with content."
        )));
    }
    let content_type = match request.content_type.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_CONTENT_TYPE,
        Some(given) if is_content_type(given) => given,
        Some(given) => {
            return Err(AppError::BadRequest(format!(
                "{:?} is not a valid content type.",
                given.chars().take(80).collect::<String>()
            )));
        }
    };
    Ok((name, content_type))
}

/// `report.pdf is 14.2 MB; the limit is 10 MB.`; in bytes when both sizes read alike
/// ("1 MB; the limit is 1 MB" would say nothing).
fn too_large(name: &FileName, size: ByteSize, limit: ByteSize) -> String {
    let (shown, limit_shown) = (size.to_string(), limit.to_string());
    if shown != limit_shown {
        return format!("{name} is {shown}; the limit is {limit_shown}.");
    }
    let exact = |n: u64| {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        format!("{grouped} bytes")
    };
    format!(
        "{name} is {}; the limit is {}.",
        exact(size.bytes()),
        exact(limit.bytes())
    )
}

/// `type/subtype` with optional parameters, printable ASCII only, of a sane length.
fn is_content_type(text: &str) -> bool {
    text.len() <= 255
        && text.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && text
            .split(';')
            .next()
            .and_then(|essence| essence.split_once('/'))
            .is_some_and(|(kind, sub)| !kind.trim().is_empty() && !sub.trim().is_empty())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_how_much_too_large_even_when_sizes_round_alike() {
        let name = FileName::parse("edge.bin").unwrap();
        let mb = ByteSize::from_bytes(1_000_000);
        assert_eq!(
            too_large(&name, ByteSize::from_bytes(14_200_000), mb),
            "edge.bin is 14.2 MB; the limit is 1 MB."
        );
        assert_eq!(
            too_large(&name, ByteSize::from_bytes(1_000_001), mb),
            "edge.bin is 1,000,001 bytes; the limit is 1,000,000 bytes."
        );
    }

    #[test]
    fn recognises_content_types() {
        assert!(is_content_type("image/png"));
        assert!(is_content_type("text/plain; charset=utf-8"));
        for bad in ["png", "/x", "image/", "a/b\r\nX-Evil: 1", &"a/".repeat(200)] {
            assert!(!is_content_type(bad), "{bad:?}");
        }
    }
}
