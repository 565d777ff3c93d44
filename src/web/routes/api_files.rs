//! The JSON API of a person's files: `GET /api/uploads[?after=…]` (newest first, 50 a
//! page), `GET /api/uploads/download?key=…`, `POST /api/uploads/confirm` and
//! `DELETE /api/uploads?key=…`. Cookie requests send `X-CSRF-Token` on POST and DELETE;
//! Bearer-token requests need none.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::my_files::{DOWNLOAD_LINK_TTL, KeyParam};
use super::rfc3339;
use crate::files::{Cursor, Files, file_name};
use crate::signing::Clock;
use crate::web::api::{ApiError, ErrorBody};
use crate::web::{Csrf, SignedIn};

/// Which page: from the newest, or after the `next` of the page before.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParam {
    /// The `next` of the page before (none: the newest files).
    #[serde(default)]
    after: Option<String>,
}

/// One page of files, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadsPage {
    /// At most 50 files.
    uploads: Vec<Upload>,
    /// The `after` of the next, older page; null on the last.
    next: Option<String>,
}

/// One file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Upload {
    /// Its full key.
    key: String,
    /// Its name (the key's last segment).
    name: String,
    /// Its size in bytes.
    size: u64,
    /// When it was written (RFC 3339).
    last_modified: Option<String>,
}

/// A download link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DownloadLink {
    /// A presigned GET that saves the file under its own name.
    url: String,
    /// When it stops working (RFC 3339).
    expires_at: String,
}

/// A confirmed upload, as the bucket holds it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Confirmed {
    /// Its full key.
    key: String,
    /// Its size in bytes.
    size: u64,
    /// Its content type.
    content_type: String,
}

/// `GET /api/uploads[?after=…]` → `{"uploads":[{"key","name","size","last_modified"}],
/// "next"}`.
#[utoipa::path(
    get,
    path = "/api/uploads",
    operation_id = "list_uploads",
    tag = "files",
    params(ListParam),
    responses(
        (status = 200, description = "Your files, newest first, 50 a page", body = UploadsPage),
        (status = 400, description = "An `after` postbox did not make", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list(
    user: SignedIn,
    files: web::Data<Files>,
    query: web::Query<ListParam>,
) -> Result<HttpResponse, ApiError> {
    let after = Cursor::parse_after(query.after.as_deref(), &user)?;
    let page = files.page(&user, after.as_ref()).await?;
    let uploads = page
        .files
        .iter()
        .map(|file| Upload {
            key: file.key.clone(),
            name: file_name(&file.key).to_owned(),
            size: file.size,
            last_modified: file.modified.and_then(rfc3339),
        })
        .collect();
    Ok(HttpResponse::Ok().json(UploadsPage {
        uploads,
        next: page.next.map(|cursor| cursor.to_string()),
    }))
}

/// `GET /api/uploads/download?key=…` → `{"url","expires_at"}`: a presigned GET that
/// saves the file under its own name.
#[utoipa::path(
    get,
    path = "/api/uploads/download",
    operation_id = "download_upload",
    tag = "files",
    params(KeyParam),
    responses(
        (status = 200, description = "A download link for five minutes", body = DownloadLink),
        (status = 400, description = "A missing key, or one with `..` segments", body = ErrorBody),
        (status = 403, description = "A key outside your prefix", body = ErrorBody),
        (status = 404, description = "No such file", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn download(
    user: SignedIn,
    files: web::Data<Files>,
    query: web::Query<KeyParam>,
) -> Result<HttpResponse, ApiError> {
    let url = files
        .download_link(&user, &query.key, DOWNLOAD_LINK_TTL)
        .await?;
    let expires_at = OffsetDateTime::now_utc() + DOWNLOAD_LINK_TTL;
    Ok(HttpResponse::Ok().json(DownloadLink {
        url,
        expires_at: expires_at.format(&Rfc3339).unwrap_or_default(),
    }))
}

/// `POST /api/uploads/confirm` (JSON `{"key"}`): checks the object is there and under
/// the caller's prefix, then records it.
#[utoipa::path(
    post,
    path = "/api/uploads/confirm",
    operation_id = "confirm_upload",
    tag = "files",
    request_body = KeyParam,
    responses(
        (status = 200, description = "Recorded: the object as the bucket holds it", body = Confirmed),
        (status = 400, description = "A bad key, or not JSON", body = ErrorBody),
        (status = 403, description = "A key outside your prefix, or no CSRF token with a cookie", body = ErrorBody),
        (status = 404, description = "Nothing at that key", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn confirm(
    user: SignedIn,
    files: web::Data<Files>,
    body: Csrf<web::Json<KeyParam>>,
) -> Result<HttpResponse, ApiError> {
    let object = files.confirm(&user, &body.key).await?;
    Ok(HttpResponse::Ok().json(Confirmed {
        key: object.key,
        size: object.size,
        content_type: object.content_type,
    }))
}

/// `DELETE /api/uploads?key=…` (`X-CSRF-Token`): 204 once deleted.
#[utoipa::path(
    delete,
    path = "/api/uploads",
    operation_id = "delete_upload",
    tag = "files",
    params(KeyParam),
    responses(
        (status = 204, description = "Deleted; its bytes are freed"),
        (status = 400, description = "A missing key, or one with `..` segments", body = ErrorBody),
        (status = 403, description = "A key outside your prefix, or no CSRF token with a cookie", body = ErrorBody),
        (status = 404, description = "No such file", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 503, description = "The bucket or the database is unavailable", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete(
    user: SignedIn,
    files: web::Data<Files>,
    clock: web::Data<Clock>,
    query: Csrf<web::Query<KeyParam>>,
) -> Result<HttpResponse, ApiError> {
    files
        .delete(user.name.as_str(), &user, &query.key, clock.unix_now())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
