//! `GET /upload`: the page with a signed form that works without JavaScript.

use actix_web::{HttpResponse, web};
use askama::Template;
use time::format_description::well_known::Rfc3339;

use crate::signing::{FormFile, FormSigner, Uploader};
use crate::web::render::render;
use crate::web::{AppError, Layout, PageContext, SignedIn};

#[derive(Template)]
#[template(path = "upload.html")]
struct UploadPage {
    layout: Layout,
    action: String,
    fields: Vec<(String, String)>,
    max_size: u64,
    max_size_display: String,
    prefix: String,
    expires_at: String,
    /// When only some types are allowed, the plain form asks for the file's type,
    /// starting with this.
    type_prefix: Option<String>,
    /// `1 KB left of your 5 KB quota`, when there is a quota.
    quota_left: Option<String>,
}

/// `GET /upload`.
pub async fn page(
    user: SignedIn,
    page: PageContext,
    forms: web::Data<FormSigner>,
) -> Result<HttpResponse, AppError> {
    let uploader = Uploader::for_user(&user, forms.storage()).await?;
    let form = forms.sign(&uploader, FormFile::Any).await?;
    let type_prefix = Some(uploader.content_type_prefix.clone()).filter(|p| !p.is_empty());
    render(&UploadPage {
        layout: page.signed_in(&user, "upload"),
        action: form.url().to_owned(),
        fields: form
            .fields()
            .filter(|(name, _)| type_prefix.is_none() || *name != "Content-Type")
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        max_size: uploader.max_size.bytes(),
        max_size_display: uploader.max_size.to_string(),
        prefix: uploader.prefix.to_string(),
        expires_at: form.expires_at().format(&Rfc3339).unwrap_or_default(),
        type_prefix,
        quota_left: uploader
            .quota_left
            .map(|(left, quota)| format!("{left} left of your {quota} quota")),
    })
}
