//! Rendering a page, a template failure becoming the app's error.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use askama::Template;

use super::AppError;

/// Renders a page. Pages are never stored: each carries a form signed for one moment,
/// with its own unique key, or a CSRF token.
pub fn render(page: &impl Template) -> Result<HttpResponse, AppError> {
    render_with_status(StatusCode::OK, page)
}

/// Renders a page with `status` (a sign-in form that failed answers 401, say).
pub fn render_with_status(
    status: StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    let html = page
        .render()
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("rendering a page")))?;
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}
