//! HTTP handlers, one module per resource. `startup` has the one route table.

pub mod admin;
pub mod api_files;
pub mod api_links;
pub mod assets;
pub mod guest;
pub mod guest_confirm;
pub mod links;
pub mod login;
pub mod my_files;
pub mod presign;
pub mod table;
pub mod tokens;
pub mod upload_page;

use actix_web::HttpResponse;
use actix_web::http::header;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;

use super::AppError;

/// Unix seconds as people read them, in UTC (the number itself if it is out of range).
pub fn utc_time(unix: i64, format: &[BorrowedFormatItem<'_>]) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// Unix seconds to the minute, as pages show times: `2026-11-29 10:00 UTC`.
pub fn utc_minute(unix: i64) -> String {
    utc_time(
        unix,
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"),
    )
}

/// Unix seconds as the JSON API writes times (RFC 3339), if they are a time.
pub fn rfc3339(unix: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
}

/// A `303 See Other` to `location`.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `GET /`: the upload page is home.
pub async fn home() -> HttpResponse {
    see_other("/upload")
}

/// `GET /healthz`.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Any address with no route.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::no_page())
}

/// The choice `text` names among `choices` (value, label) of a `<select>`, if it is one
/// of them: a posted form can carry any value.
pub(super) fn offered(text: &str, choices: &[(u64, &str)]) -> Option<u64> {
    let asked = text.parse::<u64>().ok()?;
    choices
        .iter()
        .any(|(value, _)| *value == asked)
        .then_some(asked)
}
