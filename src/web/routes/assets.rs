//! The stylesheet and script, built into the binary so it runs from any folder.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::web::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/style.css"),
    ),
    (
        "upload.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/upload.js"),
    ),
];

/// `GET /static/{name}`.
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(*body))
}
