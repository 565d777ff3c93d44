//! HTTP handlers, one module per resource. `startup` wires them.

pub mod assets;
pub mod login;
pub mod presign;
pub mod upload;

use actix_web::HttpResponse;

use crate::error::AppError;

/// `GET /healthz`.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// Any address with no route.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
