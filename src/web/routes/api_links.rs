//! The JSON API of guest upload links: `POST /api/links`, `GET /api/links`,
//! `DELETE /api/links/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::links::link_url;
use super::rfc3339;
use crate::domain::ByteSize;
use crate::links::{Link, LinkStore, NewLink};
use crate::web::api::{ApiError, ErrorBody};
use crate::web::state::PublicUrl;
use crate::web::{Csrf, SignedIn};

/// A new link's limits; any left out take their defaults (the owner's largest file,
/// 100 files, the owner's quota or 1 GB, 7 days).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewLinkRequest {
    /// What it is for (guests see it).
    #[schema(example = "Photos from the trip")]
    label: String,
    /// Largest file, in bytes.
    #[serde(default)]
    max_size: Option<u64>,
    /// Most files.
    #[serde(default)]
    max_files: Option<u64>,
    /// Most bytes in all.
    #[serde(default)]
    max_total: Option<u64>,
    /// Lifetime in seconds (at most 30 days).
    #[serde(default)]
    #[schema(example = 604_800)]
    expires_in: Option<u64>,
    /// A password guests must give first (at least 10 characters).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    password: Option<secrecy::SecretString>,
}

/// A link just made: its URL is shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedLink {
    /// Its ID.
    id: String,
    /// The address to send: `<public URL>/u/<token>`.
    url: String,
    /// When it stops working (RFC 3339).
    expires_at: String,
}

/// A link as lists show it (never its URL: only its hash is stored).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkInfo {
    id: String,
    label: String,
    max_size: u64,
    max_files: u64,
    max_total: u64,
    /// Files received or expected from open forms.
    files: u64,
    /// Bytes received or expected from open forms.
    bytes: u64,
    /// When it stops working (RFC 3339).
    expires_at: String,
    revoked: bool,
}

/// `GET /api/links`'s answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkList {
    links: Vec<LinkInfo>,
}

impl From<&Link> for LinkInfo {
    fn from(link: &Link) -> Self {
        Self {
            id: link.id.clone(),
            label: link.label.clone(),
            max_size: link.max_size,
            max_files: link.max_files,
            max_total: link.max_total,
            files: link.files_held,
            bytes: link.bytes_held,
            expires_at: rfc3339(link.expires_at).unwrap_or_default(),
            revoked: link.revoked_at.is_some(),
        }
    }
}

/// `POST /api/links` → 201 `{"id","url","expires_at"}`.
#[utoipa::path(
    post,
    path = "/api/links",
    operation_id = "create_link",
    tag = "links",
    request_body = NewLinkRequest,
    responses(
        (status = 201, description = "The link; its URL is not shown again", body = CreatedLink),
        (status = 400, description = "A limit that cannot work or exceeds yours", body = ErrorBody),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "No CSRF token with a cookie", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn create(
    request: HttpRequest,
    user: SignedIn,
    links: web::Data<LinkStore>,
    public: web::Data<PublicUrl>,
    body: Csrf<web::Json<NewLinkRequest>>,
) -> Result<HttpResponse, ApiError> {
    let new = NewLink {
        label: body.label.clone(),
        max_size: body.max_size.map(ByteSize::from_bytes),
        max_files: body.max_files,
        max_total: body.max_total.map(ByteSize::from_bytes),
        lifetime_secs: body.expires_in,
        password: body.password.clone(),
    };
    let (link, token) = links.create(user.name.as_str(), &user, new).await?;
    Ok(HttpResponse::Created().json(CreatedLink {
        url: link_url(&request, &public, &token),
        expires_at: rfc3339(link.expires_at).unwrap_or_default(),
        id: link.id,
    }))
}

/// `GET /api/links`.
#[utoipa::path(
    get,
    path = "/api/links",
    operation_id = "list_links",
    tag = "links",
    responses(
        (status = 200, description = "Your links, newest first", body = LinkList),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn list(user: SignedIn, links: web::Data<LinkStore>) -> Result<HttpResponse, ApiError> {
    let list = links.list(user.name.as_str()).await?;
    Ok(HttpResponse::Ok().json(LinkList {
        links: list.iter().map(LinkInfo::from).collect(),
    }))
}

/// `DELETE /api/links/{id}` → 204; another's link → 404.
#[utoipa::path(
    delete,
    path = "/api/links/{id}",
    operation_id = "delete_link",
    tag = "links",
    params(("id" = String, Path, description = "The link's ID")),
    responses(
        (status = 204, description = "Revoked: its page and forms answer 410"),
        (status = 401, description = "No or bad credentials", body = ErrorBody),
        (status = 403, description = "No CSRF token with a cookie", body = ErrorBody),
        (status = 404, description = "No such link of yours", body = ErrorBody),
    ),
    security(("bearer" = []), ("cookie" = []))
)]
pub async fn delete(
    user: SignedIn,
    links: web::Data<LinkStore>,
    id: web::Path<String>,
    _checked: Csrf<web::Query<crate::web::NoFields>>,
) -> Result<HttpResponse, ApiError> {
    links
        .revoke(user.name.as_str(), &id, Some(user.name.as_str()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
