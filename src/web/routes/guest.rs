//! Guest upload links: `GET /u/{token}` (the uploader for someone without an account)
//! and `POST /u/{token}/presign` (a form for one file under the link's folder, within
//! the link's limits and its owner's quota). An unknown token answers 404; an expired
//! or revoked link 410, with a page saying so and no form.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use secrecy::SecretString;
use serde::Deserialize;

use super::presign::{PresignAnswer, PresignRequest, described};
use super::see_other;
use crate::accounts::{LoginLimiter, User, UserStore};
use crate::domain::ByteSize;
use crate::links::{Link, LinkFull, LinkState, LinkStore};
use crate::signing::{FormFile, FormSigner, Uploader, unique_key_suffix};
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

/// The open link `token` names and its enabled owner, or the answer to give instead.
pub(super) async fn open_link(
    token: &str,
    links: &LinkStore,
    users: &UserStore,
    now: i64,
) -> Result<(Link, User), AppError> {
    let link = links.by_token(token).await?.ok_or(AppError::NotFound)?;
    let gone = |why: &str| {
        AppError::Gone(format!(
            "This upload link {why}. Ask whoever sent it for a new one."
        ))
    };
    match link.state(now) {
        LinkState::Open => {}
        LinkState::Expired => return Err(gone("has expired")),
        LinkState::Revoked => return Err(gone("was withdrawn")),
    }
    // The account behind every guest request: from memory, as a signed-in one.
    let owner = users.signed_in(&link.owner).await?;
    match owner {
        Some(owner) if !owner.disabled => Ok((link, owner)),
        _ => Err(gone("no longer works")),
    }
}

/// Refuses a link that has a password this browser has not given lately: everything
/// but its page (which asks for the password) goes through here.
pub(super) fn require_unlocked(
    link: &Link,
    session: &actix_session::Session,
    now: i64,
) -> Result<(), AppError> {
    if link.has_password && !session::link_unlocked(session, &link.id, now) {
        return Err(AppError::Forbidden(
            "Give this link's password on its page first.".to_owned(),
        ));
    }
    Ok(())
}

/// Settles the link's expired forms with what the bucket holds, so what is left is
/// exact. Whether any was.
async fn settle(
    link: &Link,
    links: &LinkStore,
    forms: &FormSigner,
    now: i64,
) -> Result<bool, AppError> {
    let expired = links.expired_forms(&link.id, now).await?;
    for form in &expired {
        let found = forms.storage().head(&form.key).await?.map(|o| o.size);
        links.settle(&link.id, form, found).await?;
    }
    Ok(!expired.is_empty())
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
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
) -> Result<HttpResponse, AppError> {
    let now = forms.clock().unix_now();
    let (link, owner) = open_link(&token, &links, &users, now).await?;
    if link.has_password && !session::link_unlocked(context.session(), &link.id, now) {
        return render(&PasswordPage {
            layout: context.anonymous(),
            token: token.into_inner(),
            label: link.label,
            owner: owner.name.to_string(),
            error: None,
        });
    }
    // Settled forms change what is left: read the link again only then.
    let link = match settle(&link, &links, &forms, now).await? {
        true => links.get(&link.id).await?.unwrap_or(link),
        false => link,
    };
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
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
    limiter: web::Data<LoginLimiter>,
    form: Csrf<web::Form<PasswordForm>>,
) -> Result<HttpResponse, AppError> {
    let token = request
        .match_info()
        .get("token")
        .unwrap_or_default()
        .to_owned();
    let now = forms.clock().unix_now();
    let (link, owner) = open_link(&token, &links, &users, now).await?;
    let account = format!("link:{}", link.id);
    let client = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Some(seconds) = limiter.retry_after(&account, &client).await? {
        return Err(AppError::TooManyAttempts(seconds));
    }
    let given = SecretString::from(form.password.clone());
    if links.check_password(&link.id, given).await? {
        limiter.succeeded(&account).await?;
        session::unlock_link(context.session(), &link.id, now);
        return Ok(see_other(&format!("/u/{token}")));
    }
    limiter.failed(&account, &client).await?;
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
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
    request: Csrf<web::Json<PresignRequest>>,
) -> Result<HttpResponse, AppError> {
    let now = forms.clock().unix_now();
    let (link, owner) = open_link(&token, &links, &users, now).await?;
    require_unlocked(&link, context.session(), now)?;
    settle(&link, &links, &forms, now).await?;
    let mut uploader: Uploader = forms.uploader(&owner).await?;
    uploader.prefix = link.folder(&owner.prefix);
    uploader.max_size = uploader.max_size.min(ByteSize::from_bytes(link.max_size));
    let (name, content_type) = described(&uploader, &request)?;
    let size = request.size;
    let key_suffix = unique_key_suffix(forms.clock().now(), name.as_str());
    let key = format!("{}{key_suffix}", uploader.prefix);
    // A second later than the form itself, so the hold never ends before the form.
    let expires_at = forms.expiry_from_now() + 1;
    match links.reserve(&link.id, &key, size, now, expires_at).await? {
        Ok(()) => {}
        Err(LinkFull::Files) => {
            return Err(AppError::TooLarge(match link.max_files {
                1 => "This link takes one file, and has it.".to_owned(),
                most => format!("This link takes {most} files, and has them all."),
            }));
        }
        Err(LinkFull::Bytes { left }) => {
            return Err(AppError::TooLarge(format!(
                "{name} is {}; only {} are left on this link.",
                ByteSize::from_bytes(size),
                ByteSize::from_bytes(left)
            )));
        }
        Err(LinkFull::Closed) => {
            return Err(AppError::Gone(
                "This upload link no longer works.".to_owned(),
            ));
        }
    }
    let file = FormFile::Guest {
        key_suffix: &key_suffix,
        content_type,
        size,
    };
    let form = match forms.sign(&uploader, file).await {
        Ok(form) => form,
        Err(error) => {
            links.release(&link.id, &key).await?;
            return Err(error.into());
        }
    };
    Ok(HttpResponse::Ok().json(PresignAnswer::new(&form, uploader.max_size.bytes())))
}
