//! `GET /uploads` (the signed-in person's files, newest first, 50 a page, with
//! download links and delete buttons), `GET /uploads/download?key=…` and
//! `POST /uploads/delete`. Their JSON twins are in `api_files.rs`.

use std::collections::HashMap;
use std::time::Duration;

use super::{see_other, utc_minute};
use crate::accounts::User;
use crate::domain::{ByteSize, KeyPrefix};
use crate::files::{Cursor, Deleted, Files, file_name, relative};
use crate::links::LinkStore;
use crate::signing::Clock;
use crate::storage::StoredObject;
use crate::usage::Freed;
use crate::web::render::render;
use crate::web::{AppError, Csrf, Layout, Page, PageContext, SignedIn};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// How long a download link works: long enough to start, short enough not to share.
pub const DOWNLOAD_LINK_TTL: Duration = Duration::from_secs(300);

#[derive(Template)]
#[template(path = "uploads.html")]
struct MyFilesPage {
    layout: Layout,
    flash: Option<String>,
    prefix: String,
    files: Vec<Row>,
    total: u64,
    total_size: String,
    quota: Option<String>,
    /// This page's `after`, which delete forms send back ("" on the first page).
    after: String,
    /// The address of the next, older page.
    older: Option<String>,
}

/// One file as the list shows it.
struct Row {
    key: String,
    name: String,
    folder: String,
    size: String,
    modified: String,
    /// The label of the upload link it came through, if it did.
    from_link: Option<String>,
}

impl Row {
    fn new(object: &StoredObject, prefix: &KeyPrefix, links: &HashMap<String, String>) -> Self {
        let relative = relative(prefix, &object.key);
        let (folder, name) = relative.rsplit_once('/').unwrap_or(("", relative));
        let from_link = relative
            .strip_prefix("links/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| links.get(id).cloned());
        Self {
            key: object.key.clone(),
            name: name.to_owned(),
            folder: folder.to_owned(),
            size: ByteSize::from_bytes(object.size).to_string(),
            modified: object.modified.map(utc_minute).unwrap_or_default(),
            from_link,
        }
    }
}

/// Which page of files: from the newest, or after a file (`?after=`).
#[derive(Debug, Deserialize)]
pub struct PageParam {
    #[serde(default)]
    after: String,
}

/// `GET /uploads[?after=…]`.
pub async fn page(
    user: SignedIn,
    page: PageContext,
    files: web::Data<Files>,
    links: web::Data<LinkStore>,
    query: web::Query<PageParam>,
) -> Result<HttpResponse, AppError> {
    let prefix = &user.prefix;
    let after = Cursor::parse_after(Some(&query.after), &user)?;
    let found = files.page(&user, after.as_ref()).await?;
    // Link labels are read only when the page shows a file that came through a link.
    let from_links = found
        .files
        .iter()
        .any(|o| relative(prefix, &o.key).starts_with("links/"));
    let labels: HashMap<String, String> = match from_links {
        true => links
            .list(user.name.as_str())
            .await?
            .into_iter()
            .map(|link| (link.id, link.label))
            .collect(),
        false => HashMap::new(),
    };
    render(&MyFilesPage {
        layout: page.signed_in(&user, Page::MyFiles),
        flash: page.take_flash(),
        prefix: prefix.to_string(),
        files: found
            .files
            .iter()
            .map(|o| Row::new(o, prefix, &labels))
            .collect(),
        total: found.total_files,
        total_size: ByteSize::from_bytes(found.total_bytes).to_string(),
        quota: quota_line(&user, &files).await?,
        after: query.after.clone(),
        older: found.next.map(|cursor| page_address(&cursor.to_string())),
    })
}

/// The address of the page of files after `after` (the first page for "").
fn page_address(after: &str) -> String {
    if after.is_empty() {
        return "/uploads".to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("after", after)
        .finish();
    format!("/uploads?{query}")
}

/// With a quota: how much of it the ledger counts.
async fn quota_line(user: &User, files: &Files) -> Result<Option<String>, AppError> {
    let Some(quota) = user.quota else {
        return Ok(None);
    };
    let usage = files
        .ledger()
        .usage(user.name.as_str())
        .await?
        .unwrap_or_default();
    let mut line = format!(
        "{} of your {quota} quota used",
        ByteSize::from_bytes(usage.counted())
    );
    if usage.reserved_bytes > 0 {
        line.push_str(&format!(
            " ({} held for upload forms still open)",
            ByteSize::from_bytes(usage.reserved_bytes)
        ));
    }
    Ok(Some(line))
}

/// The key a download, deletion or confirmation names.
#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyParam {
    /// The object's full key (under your prefix).
    #[schema(example = "users/alice/2026-11-29/k3v9q2m7xa/report.pdf")]
    pub(super) key: String,
}

/// `GET /uploads/download?key=…`: a short-lived presigned GET that saves the file
/// under its own name.
pub async fn download(
    user: SignedIn,
    files: web::Data<Files>,
    query: web::Query<KeyParam>,
) -> Result<HttpResponse, AppError> {
    let url = files
        .download_link(&user, &query.key, DOWNLOAD_LINK_TTL)
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// The delete button's form: the key, and the page to go back to.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    key: String,
    #[serde(default)]
    after: String,
}

/// `POST /uploads/delete` (form `key`, `csrf_token`): deletes the file, then 303 back
/// to the page it was on, which says what was freed.
pub async fn delete(
    user: SignedIn,
    page: PageContext,
    files: web::Data<Files>,
    clock: web::Data<Clock>,
    form: Csrf<web::Form<DeleteForm>>,
) -> Result<HttpResponse, AppError> {
    let deleted = files
        .delete(user.name.as_str(), &user, &form.key, clock.unix_now())
        .await?;
    page.set_flash(&deleted_sentence(&deleted));
    Ok(see_other(&page_address(&form.after)))
}

/// "Deleted photo.jpg (1.2 MB)." and when its space is free again.
fn deleted_sentence(deleted: &Deleted) -> String {
    let name = file_name(&deleted.object.key);
    let size = ByteSize::from_bytes(deleted.object.size);
    match deleted.freed {
        Freed::WhenFormExpires(at) => format!(
            "Deleted {name} ({size}). Its space is free again at {}, when the form that \
             uploaded it expires.",
            utc_minute(at)
        ),
        Freed::Now | Freed::NotCounted => format!("Deleted {name} ({size})."),
    }
}
