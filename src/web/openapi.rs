//! The OpenAPI 3 document of `/api`, generated from the handlers' `#[utoipa::path]`
//! attributes and the answers' types, served at `GET /api/openapi.json` without
//! credentials.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::routes::{api_files, api_links, presign};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "postbox",
        description = "Upload files straight into a private S3 bucket with forms (or PUT URLs) \
                       postbox signs. Authenticate with `Authorization: Bearer <token>` (make \
                       tokens at /account/tokens or with `postbox token create`), or with the \
                       session cookie plus `X-CSRF-Token` on POST and DELETE. Errors are \
                       `{\"error\": \"<sentence>\"}`."
    ),
    paths(
        presign::presign,
        presign::presign_put,
        api_files::list,
        api_files::download,
        api_files::confirm,
        api_files::delete,
        api_links::create,
        api_links::list,
        api_links::delete,
        openapi_json,
    ),
    modifiers(&Schemes),
    tags(
        (name = "uploads", description = "Signed forms and PUT URLs for one file"),
        (name = "files", description = "Your files: list, download, confirm, delete"),
        (name = "links", description = "Guest upload links: make, list, revoke"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The two ways in: a Bearer token, or the session cookie (with `X-CSRF-Token`).
struct Schemes;

impl Modify for Schemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pbx_ token")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("postbox_session"))),
        );
    }
}

/// `GET /api/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This OpenAPI 3 document", content_type = "application/json")),
    security(())
)]
pub async fn openapi_json() -> HttpResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"the document did not render: {e}\"}}"))
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}
