//! `POST /u/{token}/confirm`: a guest's page reports a file it posted.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::guest::require_unlocked;
use crate::links::LinkStore;
use crate::signing::Clock;
use crate::web::Csrf;
use crate::web::api::ApiError;

/// What a guest's page confirms: the key it was given.
#[derive(Debug, Deserialize)]
pub struct ConfirmBody {
    key: String,
}

/// `POST /u/{token}/confirm` (JSON `{"key"}`, the page's CSRF token): the file a guest
/// just posted is checked with HeadObject under the link's folder, counted for the
/// owner, and written to the owner's audit log. Answers `{"name","size"}` only: a guest
/// learns nothing of the owner's space.
pub async fn confirm(
    token: web::Path<String>,
    links: web::Data<LinkStore>,
    clock: web::Data<Clock>,
    files: web::Data<crate::files::Files>,
    session: crate::web::session_cookie::Session,
    body: Csrf<web::Json<ConfirmBody>>,
) -> Result<HttpResponse, ApiError> {
    let now = clock.unix_now();
    let (link, owner) = links.open(&token, now).await?;
    require_unlocked(&link, &session, now)?;
    let folder = link.folder(&owner.prefix);
    let object = files
        .confirm_received(&owner, &link.id, &folder, &body.key)
        .await?;
    let name = crate::files::file_name(&object.key);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "name": name, "size": object.size })))
}
