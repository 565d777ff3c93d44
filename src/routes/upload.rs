//! `GET /upload`: the page with a signed form that works without JavaScript.

use actix_session::Session;
use actix_web::web;
use askama::Template;
use time::format_description::well_known::Rfc3339;

use crate::auth;
use crate::error::{AppError, render};
use crate::forms::{FormFile, FormSigner, Uploader};
use crate::routes::Nav;
use crate::users::UserStore;

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    nav: Option<Nav>,
    action: String,
    fields: Vec<(String, String)>,
    max_size: u64,
    max_size_display: String,
    prefix: String,
    csrf_token: String,
    expires_at: String,
}

/// `GET /upload`.
pub async fn page(
    session: Session,
    users: web::Data<UserStore>,
    forms: web::Data<FormSigner>,
) -> Result<actix_web::HttpResponse, AppError> {
    let user = auth::current_user(&session, &users).await?;
    let uploader = Uploader::for_user(&user, forms.storage()).await?;
    let form = forms.sign(&uploader, FormFile::Any).await?;
    render(&UploadPage {
        nav: Nav::new(&user, &session, "upload"),
        action: form.url().to_owned(),
        fields: form
            .fields()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        max_size: uploader.max_size.bytes(),
        max_size_display: uploader.max_size.to_string(),
        prefix: uploader.prefix.to_string(),
        csrf_token: auth::csrf_token(&session),
        expires_at: form.expires_at().format(&Rfc3339).unwrap_or_default(),
    })
}
