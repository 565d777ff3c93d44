//! Guest upload links: `GET /u/{token}` (the uploader for someone without an account)
//! and `POST /u/{token}/presign` (a form for one file under the link's folder, within
//! the link's limits and its owner's quota). An unknown token answers 404; an expired
//! or revoked link 410, with a page saying so and no form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use secrecy::SecretString;
use serde::Deserialize;

use super::presign::{PresignAnswer, PresignRequest};
use super::see_other;
use crate::accounts::LoginLimiter;
use crate::domain::ByteSize;
use crate::links::{Link, LinkError, LinkStore};
use crate::signing::{Clock, FormSigner};
use crate::web::api::ApiError;
use crate::web::render::{render, render_with_status};
use crate::web::session;
use crate::web::{AppError, Csrf, Layout, PageContext};

#[derive(Template)]
#[template(path = "guest.html")]
struct GuestPage {
    layout: Layout,
    token: String,
    label: String,
    owner: String,
    max_size: u64,
    max_size_display: String,
    files_left: u64,
    bytes_left: String,
    expires: String,
}

/// Refuses a link that has a password this browser has not given lately: everything
/// but its page (which asks for the password) goes through here.
pub(super) fn require_unlocked(
    link: &Link,
    session: &crate::web::session_cookie::Session,
    now: i64,
) -> Result<(), LinkError> {
    if link.has_password && !session::link_unlocked(session, &link.id, now) {
        return Err(LinkError::Locked);
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "guest_password.html")]
struct PasswordPage {
    layout: Layout,
    token: String,
    label: String,
    owner: String,
    error: Option<String>,
}

/// `GET /u/{token}`: the uploader, or first the password form of a link that has one.
pub async fn page(
    token: web::Path<String>,
    context: PageContext,
    links: web::Data<LinkStore>,
    forms: web::Data<FormSigner>,
    clock: web::Data<Clock>,
) -> Result<HttpResponse, AppError> {
    let now = clock.unix_now();
    let (link, owner) = links.open(&token, now).await?;
    if link.has_password && !session::link_unlocked(context.session(), &link.id, now) {
        return render(&PasswordPage {
            layout: context.anonymous(),
            token: token.into_inner(),
            label: link.label,
            owner: owner.name.to_string(),
            error: None,
        });
    }
    let link = links.settled(link, forms.storage(), now).await?;
    let max_size = ByteSize::from_bytes(link.max_size.min(owner.max_size.bytes()));
    render(&GuestPage {
        layout: context.anonymous(),
        token: token.into_inner(),
        label: link.label.clone(),
        owner: owner.name.to_string(),
        max_size: max_size.bytes(),
        max_size_display: max_size.to_string(),
        files_left: link.files_left(),
        bytes_left: ByteSize::from_bytes(link.bytes_left()).to_string(),
        expires: super::utc_minute(link.expires_at),
    })
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /u/{token}` (form `password`, `csrf_token`): unlocks the link for this browser,
/// rate limited like signing in.
pub async fn unlock(
    request: HttpRequest,
    context: PageContext,
    links: web::Data<LinkStore>,
    clock: web::Data<Clock>,
    limiter: web::Data<LoginLimiter>,
    form: Csrf<web::Form<PasswordForm>>,
) -> Result<HttpResponse, AppError> {
    let token = request
        .match_info()
        .get("token")
        .unwrap_or_default()
        .to_owned();
    let now = clock.unix_now();
    let (link, owner) = links.open(&token, now).await?;
    let client = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let given = SecretString::from(form.password.clone());
    if links.try_password(&link, given, &client, &limiter).await? {
        session::unlock_link(context.session(), &link.id, now);
        return Ok(see_other(&format!("/u/{token}")));
    }
    render_with_status(
        StatusCode::UNAUTHORIZED,
        &PasswordPage {
            layout: context.anonymous(),
            token,
            label: link.label,
            owner: owner.name.to_string(),
            error: Some("That password is not right.".to_owned()),
        },
    )
}

/// `POST /u/{token}/presign` (the page's CSRF token as `X-CSRF-Token`): a form for one
/// file, reserved against the link (and the owner's quota) before it is handed out.
pub async fn presign(
    token: web::Path<String>,
    context: PageContext,
    links: web::Data<LinkStore>,
    forms: web::Data<FormSigner>,
    clock: web::Data<Clock>,
    request: Csrf<web::Json<PresignRequest>>,
) -> Result<HttpResponse, ApiError> {
    let now = clock.unix_now();
    let (link, owner) = links.open(&token, now).await?;
    require_unlocked(&link, context.session(), now)?;
    let (form, max_size) = forms
        .sign_for_link(&links, link, &owner, &request.asked())
        .await?;
    Ok(PresignAnswer::new(&form, max_size).respond())
}
