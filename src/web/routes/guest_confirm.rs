//! `POST /u/{token}/confirm`: a guest's page reports a file it posted.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::guest::{open_link, require_unlocked};
use crate::accounts::UserStore;
use crate::links::LinkStore;
use crate::signing::FormSigner;
use crate::web::{AppError, Csrf};

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
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
    files: web::Data<crate::files::Files>,
    session: actix_session::Session,
    body: Csrf<web::Json<ConfirmBody>>,
) -> Result<HttpResponse, AppError> {
    let now = forms.clock().unix_now();
    let (link, owner) = open_link(&token, &links, &users, now).await?;
    require_unlocked(&link, &session, now)?;
    let folder = link.folder(&owner.prefix);
    if !folder.contains_key(&body.key) {
        return Err(AppError::Forbidden(
            "That file was not sent through this link.".to_owned(),
        ));
    }
    let object = files.confirm(&owner, &body.key).await?;
    let name = crate::files::file_name(&object.key).to_owned();
    let details = serde_json::json!({ "link": link.id, "key": object.key, "size": object.size });
    users
        .log_event(
            &format!("link:{}", link.id),
            "receive file",
            &owner.name,
            details,
        )
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "name": name, "size": object.size })))
}
