//! The stylesheet and the upload page's script modules, built into the binary so it
//! runs from any folder.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::web::AppError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/style.css"),
    ),
    script("upload.js", include_str!("../../../static/upload.js")),
    script("api.js", include_str!("../../../static/api.js")),
    script("s3.js", include_str!("../../../static/s3.js")),
    script("sizes.js", include_str!("../../../static/sizes.js")),
    script("copy.js", include_str!("../../../static/copy.js")),
];

/// An ES module of the upload page (`<script type="module">` needs a JavaScript type).
const fn script(
    name: &'static str,
    body: &'static str,
) -> (&'static str, &'static str, &'static str) {
    (name, "text/javascript; charset=utf-8", body)
}

/// `GET /static/{name}`.
pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name.as_str())
        .ok_or_else(AppError::no_page)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(*body))
}
