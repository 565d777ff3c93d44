//! `GET|POST /login`, `POST /logout`.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use secrecy::SecretString;
use serde::Deserialize;

use crate::auth::{self, LoginLimiter};
use crate::error::{AppError, render, render_with_status};
use crate::routes::Nav;
use crate::users::UserStore;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf_token: String,
    username: String,
    error: Option<String>,
}

/// The sign-in form as posted.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: SecretString,
    #[serde(default)]
    csrf_token: String,
}

/// The CSRF-protected form that ends a session.
#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

/// `GET /login`.
pub async fn page(session: Session) -> Result<HttpResponse, AppError> {
    render(&LoginPage {
        nav: None,
        csrf_token: auth::csrf_token(&session),
        username: String::new(),
        error: None,
    })
}

/// `POST /login`.
pub async fn submit(
    request: HttpRequest,
    session: Session,
    users: web::Data<UserStore>,
    limiter: web::Data<LoginLimiter>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    auth::check_csrf(&session, Some(&form.csrf_token))?;
    let name = form.username.trim().to_ascii_lowercase();
    let client = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Some(seconds) = limiter.retry_after(&name, &client).await? {
        return Err(AppError::TooManyAttempts(seconds));
    }
    let user = users
        .authenticate(&name, form.password.clone())
        .await
        .map_err(AppError::internal)?;
    let Some(user) = user else {
        limiter.failed(&name, &client).await?;
        tracing::info!(user = %name, %client, "failed sign-in");
        return render_with_status(
            actix_web::http::StatusCode::UNAUTHORIZED,
            &LoginPage {
                nav: None,
                csrf_token: auth::csrf_token(&session),
                username: name,
                error: Some("The name or the password is wrong.".to_owned()),
            },
        );
    };
    limiter.succeeded(&name).await?;
    auth::sign_in(&session, &user)?;
    tracing::info!(user = %user.name, "signed in");
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/upload"))
        .finish())
}

/// `POST /logout`.
pub async fn logout(
    session: Session,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    auth::check_csrf(&session, Some(&form.csrf_token))?;
    auth::sign_out(&session);
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .finish())
}
