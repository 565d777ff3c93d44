//! `GET /account/tokens` (the signed-in person's API tokens, and a form for a new one),
//! `POST /account/tokens` (makes one and shows it, once), and
//! `POST /account/tokens/{id}/revoke`.

use std::time::Duration;

use super::{see_other, utc_minute};
use crate::tokens::{TokenError, TokenInfo, TokenStore};
use crate::web::render::render_with_status;
use crate::web::{AppError, Csrf, Layout, Page, PageContext, SignedIn};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// The lifetimes the form offers, in days (0: until revoked).
const LIFETIMES: [(u64, &str); 5] = [
    (0, "Until revoked"),
    (1, "1 day"),
    (30, "30 days"),
    (90, "90 days"),
    (365, "1 year"),
];

#[derive(Template)]
#[template(path = "account_tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<Row>,
    lifetimes: &'static [(u64, &'static str)],
    /// The token just made: shown on this answer only.
    new_token: Option<String>,
    error: Option<String>,
}

/// One token as the table shows it.
struct Row {
    id: String,
    label: String,
    created: String,
    last_used: String,
    expires: String,
    live: bool,
    state: &'static str,
}

fn when(at: Option<i64>, none: &str) -> String {
    at.map_or_else(|| none.to_owned(), utc_minute)
}

impl Row {
    fn new(token: &TokenInfo, now: i64) -> Self {
        let live = token.is_live(now);
        Self {
            id: token.id.clone(),
            label: token.label.clone(),
            created: when(Some(token.created_at), ""),
            last_used: when(token.last_used_at, "never"),
            expires: when(token.expires_at, "never"),
            live,
            state: token.state(now),
        }
    }
}

async fn show(
    user: &SignedIn,
    context: &PageContext,
    tokens: &TokenStore,
    new_token: Option<String>,
    error: Option<(StatusCode, String)>,
) -> Result<HttpResponse, AppError> {
    let now = crate::db::unix_now();
    let list = tokens.list(user.name.as_str()).await?;
    let (status, error) = match error {
        Some((status, error)) => (status, Some(error)),
        None => (StatusCode::OK, None),
    };
    render_with_status(
        status,
        &TokensPage {
            layout: context.signed_in(user, Page::Tokens),
            tokens: list.iter().map(|t| Row::new(t, now)).collect(),
            lifetimes: &LIFETIMES,
            new_token,
            error,
        },
    )
}

/// `GET /account/tokens`.
pub async fn page(
    user: SignedIn,
    context: PageContext,
    tokens: web::Data<TokenStore>,
) -> Result<HttpResponse, AppError> {
    show(&user, &context, &tokens, None, None).await
}

/// The new-token form.
#[derive(Debug, Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    label: String,
    /// Days as text: a flattened form field arrives as a string.
    #[serde(default)]
    days: String,
}

/// `POST /account/tokens`: makes a token and shows it on this answer only.
pub async fn create(
    user: SignedIn,
    context: PageContext,
    tokens: web::Data<TokenStore>,
    form: Csrf<web::Form<NewTokenForm>>,
) -> Result<HttpResponse, AppError> {
    let Some(days) = super::offered(&form.days, &LIFETIMES) else {
        let error = (
            StatusCode::BAD_REQUEST,
            "Choose one of the lifetimes offered.".to_owned(),
        );
        return show(&user, &context, &tokens, None, Some(error)).await;
    };
    let expires = (days > 0).then(|| Duration::from_secs(days * 86_400));
    let actor = user.name.to_string();
    match tokens.create(&actor, &user, &form.label, expires).await {
        Ok((_, token)) => show(&user, &context, &tokens, Some(token), None).await,
        Err(TokenError::BadLabel) => {
            let error = TokenError::BadLabel.to_string();
            show(
                &user,
                &context,
                &tokens,
                None,
                Some((StatusCode::BAD_REQUEST, error)),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`: only the caller's own tokens.
pub async fn revoke(
    user: SignedIn,
    tokens: web::Data<TokenStore>,
    id: web::Path<String>,
    _form: Csrf<web::Form<crate::web::NoFields>>,
) -> Result<HttpResponse, AppError> {
    let actor = user.name.to_string();
    tokens.revoke(&actor, &id, Some(user.name.as_str())).await?;
    Ok(see_other("/account/tokens"))
}
