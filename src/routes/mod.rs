//! HTTP handlers, one module per resource. `startup` wires them.

pub mod admin;
pub mod assets;
pub mod login;
pub mod presign;
pub mod upload;
pub mod uploads;

use actix_session::Session;
use actix_web::HttpResponse;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;

use crate::auth;
use crate::error::AppError;
use crate::users::User;

/// Unix seconds as people read them, in UTC (the number itself if it is out of range).
pub fn utc_time(unix: i64, format: &[BorrowedFormatItem<'_>]) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| unix.to_string())
}

/// What the top bar shows a signed-in person: their pages, and a sign-out button.
pub struct Nav {
    /// Who is signed in.
    pub user: String,
    /// Whether to show the admin pages.
    pub admin: bool,
    /// The page being shown (`upload`, `uploads`, `users`, `audit`), marked in the bar.
    pub current: &'static str,
    /// For the sign-out form.
    pub csrf_token: String,
}

impl Nav {
    /// The bar for `user` on the page `current`.
    pub fn new(user: &User, session: &Session, current: &'static str) -> Option<Self> {
        Some(Self {
            user: user.name.clone(),
            admin: user.is_admin(),
            current,
            csrf_token: auth::csrf_token(session),
        })
    }
}

/// `GET /healthz`.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Any address with no route.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
