//! The JSON API of a person's files: `GET /api/uploads[?after=…]` (newest first, 50 a
//! page), `GET /api/uploads/download?key=…`, `POST /api/uploads/confirm` and
//! `DELETE /api/uploads?key=…`. Cookie requests send `X-CSRF-Token` on POST and DELETE;
//! Bearer-token requests need none.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::uploads::{DOWNLOAD_LINK_TTL, KeyParam};
use crate::files::{Cursor, Files};
use crate::signing::FormSigner;
use crate::web::{AppError, Csrf, SignedIn};

/// Which page: from the newest, or after the `next` of the page before.
#[derive(Debug, Deserialize)]
pub struct ListParam {
    #[serde(default)]
    after: Option<String>,
}

fn rfc3339(unix: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
}

/// `GET /api/uploads[?after=…]` → `{"uploads":[{"key","name","size","last_modified"}],
/// "next"}`.
pub async fn list(
    user: SignedIn,
    files: web::Data<Files>,
    query: web::Query<ListParam>,
) -> Result<HttpResponse, AppError> {
    let after = match query.after.as_deref() {
        None | Some("") => None,
        Some(text) => Some(Cursor::parse(text, &user)?),
    };
    let page = files.page(&user, after.as_ref()).await?;
    let uploads: Vec<_> = page
        .files
        .iter()
        .map(|file| {
            serde_json::json!({
                "key": file.key,
                "name": file.key.rsplit('/').next().unwrap_or(&file.key),
                "size": file.size,
                "last_modified": file.modified.and_then(rfc3339),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "uploads": uploads,
        "next": page.next.map(|cursor| cursor.to_string()),
    })))
}

/// `GET /api/uploads/download?key=…` → `{"url","expires_at"}`: a presigned GET that
/// saves the file under its own name.
pub async fn download(
    user: SignedIn,
    files: web::Data<Files>,
    forms: web::Data<FormSigner>,
    query: web::Query<KeyParam>,
) -> Result<HttpResponse, AppError> {
    let object = files.find(&user, &query.key).await?;
    let name = object.key.rsplit('/').next().unwrap_or("download");
    let url = forms
        .storage()
        .presign_get(&object.key, DOWNLOAD_LINK_TTL, Some(name))
        .await?;
    let expires_at = OffsetDateTime::now_utc() + DOWNLOAD_LINK_TTL;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "url": url,
        "expires_at": expires_at.format(&Rfc3339).unwrap_or_default(),
    })))
}

/// `POST /api/uploads/confirm` (JSON `{"key"}`): checks the object is there and under
/// the caller's prefix, then records it.
pub async fn confirm(
    user: SignedIn,
    files: web::Data<Files>,
    body: Csrf<web::Json<KeyParam>>,
) -> Result<HttpResponse, AppError> {
    let object = files.confirm(&user, &body.key).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "key": object.key,
        "size": object.size,
        "content_type": object.content_type,
    })))
}

/// `DELETE /api/uploads?key=…` (`X-CSRF-Token`): 204 once deleted.
pub async fn delete(
    user: SignedIn,
    files: web::Data<Files>,
    forms: web::Data<FormSigner>,
    query: Csrf<web::Query<KeyParam>>,
) -> Result<HttpResponse, AppError> {
    files
        .delete(user.name.as_str(), &user, &query.key, forms.now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
