//! `GET|POST /login`, `POST /logout`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use secrecy::SecretString;
use serde::Deserialize;

use super::see_other;
use crate::accounts::{Attempt, LoginLimiter, UserStore};
use crate::web::render::{render, render_with_status};
use crate::web::{AppError, Csrf, Layout, PageContext, session};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    error: Option<String>,
}

/// The sign-in form as posted.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: SecretString,
}

/// `GET /login`.
pub async fn page(page: PageContext) -> Result<HttpResponse, AppError> {
    render(&LoginPage {
        layout: page.anonymous(),
        username: String::new(),
        error: None,
    })
}

/// `POST /login`.
pub async fn submit(
    request: HttpRequest,
    page: PageContext,
    users: web::Data<UserStore>,
    limiter: web::Data<LoginLimiter>,
    form: Csrf<web::Form<LoginForm>>,
) -> Result<HttpResponse, AppError> {
    let name = form.username.trim().to_ascii_lowercase();
    let client = request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let check = async || users.authenticate(&name, form.password.clone()).await;
    let user = match limiter.attempt(&name, &client, check).await? {
        Attempt::Passed(user) => user,
        Attempt::Wait(seconds) => return Err(AppError::TooManyAttempts(seconds)),
        Attempt::Failed => {
            tracing::info!(user = %name, %client, "failed sign-in");
            return render_with_status(
                StatusCode::UNAUTHORIZED,
                &LoginPage {
                    layout: page.anonymous(),
                    username: name,
                    error: Some("The name or the password is wrong.".to_owned()),
                },
            );
        }
    };
    session::sign_in(page.session(), &user)?;
    tracing::info!(user = %user.name, "signed in");
    Ok(see_other("/upload"))
}

/// `POST /logout`.
pub async fn logout(
    page: PageContext,
    _form: Csrf<web::Form<crate::web::NoFields>>,
) -> Result<HttpResponse, AppError> {
    session::sign_out(page.session());
    Ok(see_other("/login"))
}
