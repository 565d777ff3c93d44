//! `GET|POST /admin/users/{name}`: one account's settings, disabling and re-enabling it,
//! and resetting its password; with the account's own audit entries.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::audit::Entry;
use super::{parse_quota, parse_size, refusal, see_other};
use crate::accounts::{User, UserChanges, UserStore, generate_password};
use crate::domain::KeyPrefix;
use crate::web::render::render_with_status;
use crate::web::{Admin, AppError, Csrf, Layout, Page, PageContext, session};

const PASSWORD_CHANGED: &str = "The password is changed, and the account's sessions have ended.";

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    layout: Layout,
    name: String,
    role: &'static str,
    disabled: bool,
    is_self: bool,
    form: Settings,
    notice: Option<&'static str>,
    error: Option<String>,
    new_password: Option<String>,
    history: Vec<Entry>,
}

/// The editable settings, as typed (or as stored, written exactly).
#[derive(Debug, Default, Deserialize)]
pub struct Settings {
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    max_size: String,
    #[serde(default)]
    content_type_prefix: String,
    #[serde(default)]
    quota: String,
}

impl Settings {
    fn of(user: &User) -> Self {
        Self {
            prefix: user.prefix.to_string(),
            max_size: user.max_size.exact(),
            content_type_prefix: user.content_type_prefix.clone(),
            quota: user.quota.map(|q| q.exact()).unwrap_or_default(),
        }
    }

    fn changes(&self) -> Result<UserChanges, String> {
        Ok(UserChanges {
            prefix: Some(KeyPrefix::parse(self.prefix.trim()).map_err(|e| format!("Prefix: {e}"))?),
            max_size: Some(parse_size("Largest file", &self.max_size)?),
            content_type_prefix: Some(self.content_type_prefix.trim().to_owned()),
            quota: Some(parse_quota(&self.quota)?),
            ..UserChanges::default()
        })
    }
}

/// What `POST /admin/users/{name}` does: each button on the page sends one.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Action {
    Save,
    Disable,
    Enable,
    ResetPassword,
}

/// A form posted to `/admin/users/{name}`.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    action: Action,
    #[serde(flatten)]
    settings: Settings,
    #[serde(default)]
    password: Option<SecretString>,
}

/// Query of `GET /admin/users/{name}`: which change just succeeded.
#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /admin/users/{name}`.
pub async fn edit(
    admin: Admin,
    context: PageContext,
    users: web::Data<UserStore>,
    name: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let user = find(&users, &name).await?;
    let notice = match done.done.as_deref() {
        Some("created") => Some("The account is created."),
        Some("saved") => Some("The changes are saved."),
        Some("disabled") => {
            Some("The account is disabled: it cannot sign in, and its sessions have ended.")
        }
        Some("enabled") => Some("The account is enabled again."),
        Some("password") => Some(PASSWORD_CHANGED),
        _ => None,
    };
    let view = View {
        admin: &admin,
        context: &context,
        users: &users,
        user: &user,
    };
    view.render(Settings::of(&user), notice, None, None, StatusCode::OK)
        .await
}

/// `POST /admin/users/{name}`.
pub async fn update(
    admin: Admin,
    context: PageContext,
    users: web::Data<UserStore>,
    name: web::Path<String>,
    form: Csrf<web::Form<UserForm>>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner().into_inner();
    let user = find(&users, &name).await?;
    let view = View {
        admin: &admin,
        context: &context,
        users: &users,
        user: &user,
    };
    match act(&view, &form).await? {
        Outcome::Done(done) => Ok(see_other(&format!(
            "/admin/users/{}?done={done}",
            user.name
        ))),
        // Shown once, on this answer only: never in a URL or a log.
        Outcome::NewPassword(password) => {
            let settings = Settings::of(&user);
            let notice = Some(PASSWORD_CHANGED);
            view.render(settings, notice, None, Some(password), StatusCode::OK)
                .await
        }
        Outcome::Refused(status, error) => {
            // A refused edit shows what was typed, so nothing is lost.
            let settings = match form.action {
                Action::Save => form.settings,
                _ => Settings::of(&user),
            };
            view.render(settings, None, Some(error), None, status).await
        }
    }
}

/// What a posted action came to.
enum Outcome {
    /// Done: the page says so (`?done=`).
    Done(&'static str),
    /// The password was reset to this generated one, to be shown once.
    NewPassword(SecretString),
    /// Refused, with the status and the sentence the page shows.
    Refused(StatusCode, String),
}

impl From<Result<&'static str, (StatusCode, String)>> for Outcome {
    fn from(result: Result<&'static str, (StatusCode, String)>) -> Self {
        match result {
            Ok(done) => Self::Done(done),
            Err((status, error)) => Self::Refused(status, error),
        }
    }
}

/// Does what `form` asks to the account `view` shows.
async fn act(view: &View<'_>, form: &UserForm) -> Result<Outcome, AppError> {
    let (users, admin, user) = (view.users, view.admin, view.user);
    Ok(match form.action {
        Action::Save => match form.settings.changes() {
            Ok(changes) => apply(users, admin, user, changes, "saved").await.into(),
            Err(error) => Outcome::Refused(StatusCode::BAD_REQUEST, error),
        },
        Action::Disable if user.name == admin.name => Outcome::Refused(
            StatusCode::BAD_REQUEST,
            "You cannot disable your own account: another admin has to.".to_owned(),
        ),
        Action::Disable | Action::Enable => {
            let disable = matches!(form.action, Action::Disable);
            let changes = UserChanges {
                disabled: Some(disable),
                ..UserChanges::default()
            };
            let done = if disable { "disabled" } else { "enabled" };
            apply(users, admin, user, changes, done).await.into()
        }
        Action::ResetPassword => reset_password(view, form.password.clone()).await?,
    })
}

/// Sets the password of the account `view` shows to `typed`, or to a generated one.
async fn reset_password(view: &View<'_>, typed: Option<SecretString>) -> Result<Outcome, AppError> {
    let (admin, user) = (view.admin, view.user);
    let typed = typed.filter(|p| !p.expose_secret().is_empty());
    let generated = typed.is_none();
    let password = typed.unwrap_or_else(generate_password);
    let set = view
        .users
        .set_password(admin.name.as_str(), user.name.as_str(), password.clone())
        .await;
    if let Err(error) = set {
        let (status, error) = refusal(error);
        return Ok(Outcome::Refused(status, error));
    }
    tracing::info!(admin = %admin.name, user = %user.name, "reset a password");
    if user.name == admin.name {
        // The reset ended every session of the account, this one too: start a new
        // one so the admin stays signed in here.
        let renewed = find(view.users, user.name.as_str()).await?;
        session::sign_in(view.context.session(), &renewed)?;
    }
    Ok(match generated {
        true => Outcome::NewPassword(password),
        false => Outcome::Done("password"),
    })
}

async fn find(users: &UserStore, name: &str) -> Result<User, AppError> {
    users
        .get(name)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("There is no user named {name:?}.")))
}

async fn apply(
    users: &UserStore,
    admin: &User,
    user: &User,
    changes: UserChanges,
    done: &'static str,
) -> Result<&'static str, (StatusCode, String)> {
    users
        .update(admin.name.as_str(), user.name.as_str(), changes)
        .await
        .map_err(refusal)?;
    tracing::info!(admin = %admin.name, user = %user.name, change = done, "changed an account");
    Ok(done)
}

/// What every rendering of the page needs.
struct View<'a> {
    admin: &'a User,
    context: &'a PageContext,
    users: &'a UserStore,
    user: &'a User,
}

impl View<'_> {
    async fn render(
        &self,
        form: Settings,
        notice: Option<&'static str>,
        error: Option<String>,
        new_password: Option<SecretString>,
        status: StatusCode,
    ) -> Result<HttpResponse, AppError> {
        let history = self.users.audit_log_of(self.user.name.as_str(), 20).await?;
        render_with_status(
            status,
            &UserPage {
                layout: self.context.signed_in(self.admin, Page::Users),
                name: self.user.name.to_string(),
                role: self.user.role.as_str(),
                disabled: self.user.disabled,
                is_self: self.user.name == self.admin.name,
                form,
                notice,
                error,
                new_password: new_password.map(|p| p.expose_secret().to_owned()),
                history: history.iter().map(Entry::from).collect(),
            },
        )
    }
}
