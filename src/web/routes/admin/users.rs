//! `GET /admin/users` (every account, and a form for a new one), `POST /admin/users`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{parse_quota, parse_size, refusal, see_other, shown};
use std::collections::HashMap;

use crate::accounts::{NewUser, Role, User, UserStore};
use crate::domain::{KeyPrefix, Username};
use crate::files::Files;
use crate::usage::Usage;
use crate::web::render::render_with_status;
use crate::web::state::AccountDefaults;
use crate::web::{Admin, AppError, Csrf, Layout, Page, PageContext};

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<Row>,
    form: NewUserForm,
    default_max_size: String,
    error: Option<String>,
}

/// One account as the table shows it.
struct Row {
    name: String,
    role: &'static str,
    prefix: String,
    max_size: String,
    types: String,
    quota: String,
    usage: String,
    disabled: bool,
}

impl Row {
    fn new(user: &User, usage: &HashMap<String, Usage>) -> Self {
        Self {
            name: user.name.to_string(),
            role: user.role.as_str(),
            prefix: user.prefix.to_string(),
            max_size: shown(Some(user.max_size)),
            types: if user.content_type_prefix.is_empty() {
                "any".to_owned()
            } else {
                user.content_type_prefix.clone()
            },
            quota: shown(user.quota),
            usage: Usage::describe(usage.get(user.name.as_str())),
            disabled: user.disabled,
        }
    }
}

/// The new-account form as posted (and shown again, password aside, when refused).
#[derive(Debug, Default, Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    admin: Option<String>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    max_size: String,
    #[serde(default)]
    content_type_prefix: String,
    #[serde(default)]
    quota: String,
    #[serde(default)]
    password: Option<SecretString>,
}

impl NewUserForm {
    /// The account this form describes, or the first thing wrong with it.
    fn parse(&self, defaults: &AccountDefaults) -> Result<NewUser, String> {
        let name = Username::parse(&self.name).map_err(|e| format!("Name: {e}"))?;
        let prefix = match self.prefix.trim() {
            "" => KeyPrefix::for_user(&name),
            given => KeyPrefix::parse(given).map_err(|e| format!("Prefix: {e}"))?,
        };
        let max_size = match self.max_size.trim() {
            "" => defaults.max_size,
            given => parse_size("Largest file", given)?,
        };
        let password = self
            .password
            .clone()
            .filter(|p| !p.expose_secret().is_empty())
            .ok_or("Password: type a password for the new account.")?;
        Ok(NewUser {
            name,
            role: if self.admin.is_some() {
                Role::Admin
            } else {
                Role::User
            },
            prefix,
            max_size,
            content_type_prefix: self.content_type_prefix.trim().to_owned(),
            quota: parse_quota(&self.quota)?,
            password,
        })
    }
}

/// `GET /admin/users`.
pub async fn list(
    admin: Admin,
    context: PageContext,
    users: web::Data<UserStore>,
    files: web::Data<Files>,
    defaults: web::Data<AccountDefaults>,
) -> Result<HttpResponse, AppError> {
    let form = Shown {
        form: NewUserForm::default(),
        error: None,
        status: StatusCode::OK,
    };
    page(&admin, &context, &users, &files, &defaults, form).await
}

/// `POST /admin/users`: creates the account, or shows the form again with what was
/// typed and the reason it was refused.
pub async fn create(
    admin: Admin,
    context: PageContext,
    users: web::Data<UserStore>,
    files: web::Data<Files>,
    defaults: web::Data<AccountDefaults>,
    form: Csrf<web::Form<NewUserForm>>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner().into_inner();
    let (status, error) = match form.parse(&defaults) {
        Err(error) => (StatusCode::BAD_REQUEST, error),
        Ok(new) => match users.create(admin.name.as_str(), new).await {
            Ok(created) => {
                tracing::info!(admin = %admin.name, user = %created.name, "created an account");
                return Ok(see_other(&format!(
                    "/admin/users/{}?done=created",
                    created.name
                )));
            }
            Err(error) => refusal(error),
        },
    };
    let form = Shown {
        form,
        error: Some(error),
        status,
    };
    page(&admin, &context, &users, &files, &defaults, form).await
}

/// The new-account form as the page shows it: what was typed, why it was refused.
struct Shown {
    form: NewUserForm,
    error: Option<String>,
    status: StatusCode,
}

async fn page(
    admin: &User,
    context: &PageContext,
    users: &UserStore,
    files: &Files,
    defaults: &AccountDefaults,
    state: Shown,
) -> Result<HttpResponse, AppError> {
    let Shown {
        form,
        error,
        status,
    } = state;
    let accounts = users.list().await?;
    let usage = files.ledger().all().await?;
    render_with_status(
        status,
        &UsersPage {
            layout: context.signed_in(admin, Page::Users),
            users: accounts.iter().map(|user| Row::new(user, &usage)).collect(),
            form,
            default_max_size: defaults.max_size.exact(),
            error,
        },
    )
}
