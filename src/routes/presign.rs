//! `POST /api/presign`: a fresh signed form for one file the browser describes.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

use crate::auth;
use crate::domain::{ByteSize, FileName};
use crate::error::{ApiError, AppError};
use crate::forms::{DEFAULT_CONTENT_TYPE, FormFile, FormSigner, Uploader};
use crate::users::UserStore;

/// What the browser says about the file it wants to upload.
#[derive(Debug, Deserialize)]
pub struct PresignRequest {
    filename: String,
    size: u64,
    #[serde(default)]
    content_type: Option<String>,
}

/// `POST /api/presign`.
pub async fn presign(
    http: HttpRequest,
    session: Session,
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
    request: web::Json<PresignRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = auth::current_user(&session, &users).await?;
    auth::check_csrf_header(&session, &http)?;
    let uploader = Uploader::for_user(&user, forms.storage()).await?;
    let name = FileName::parse(&request.filename)
        .map_err(|e| AppError::BadRequest(format!("{}.", capitalize(&e.to_string()))))?;
    let size = ByteSize::from_bytes(request.size);
    if size > uploader.max_size {
        return Err(AppError::TooLarge(format!(
            "{name} is {size}; the limit is {}.",
            uploader.max_size
        ))
        .into());
    }
    if request.size == 0 {
        return Err(
            AppError::BadRequest(format!("{name} is empty; choose a file with content.")).into(),
        );
    }
    let content_type = match request.content_type.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_CONTENT_TYPE,
        Some(given) if is_content_type(given) => given,
        Some(given) => {
            return Err(AppError::BadRequest(format!(
                "{:?} is not a valid content type.",
                given.chars().take(80).collect::<String>()
            ))
            .into());
        }
    };
    let form = forms
        .sign(
            &uploader,
            FormFile::Named {
                name: &name,
                content_type,
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "url": form.url(),
        "fields": form.fields_json(),
        "key": form.key(),
        "max_size": uploader.max_size.bytes(),
        "expires_at": form.expires_at().format(&Rfc3339).unwrap_or_default(),
    })))
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
    fn recognises_content_types() {
        assert!(is_content_type("image/png"));
        assert!(is_content_type("text/plain; charset=utf-8"));
        for bad in ["png", "/x", "image/", "a/b\r\nX-Evil: 1", &"a/".repeat(200)] {
            assert!(!is_content_type(bad), "{bad:?}");
        }
    }
}
