//! `GET /uploads` (the signed-in person's files, with download links),
//! `GET /uploads/download?key=…` and `POST /api/uploads/confirm`.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::macros::format_description;

use super::utc_time;
use crate::accounts::User;
use crate::domain::{ByteSize, KeyPrefix, ObjectKey};
use crate::signing::{FormSigner, SigningError};
use crate::storage::{Storage, StoredObject};
use crate::usage::StoredFile;
use crate::web::render::render;
use crate::web::{AppError, Csrf, Layout, PageContext, SignedIn};

/// How many files the page lists.
const SHOWN: usize = 500;
/// How long a download link works: long enough to start, short enough not to share.
const DOWNLOAD_LINK_TTL: Duration = Duration::from_secs(300);

#[derive(Template)]
#[template(path = "uploads.html")]
struct UploadsPage {
    layout: Layout,
    prefix: String,
    files: Vec<Row>,
    total: usize,
    total_size: String,
}

/// One file as the list shows it.
struct Row {
    key: String,
    name: String,
    folder: String,
    size: String,
    modified: String,
}

impl Row {
    fn new(object: &StoredObject, prefix: &KeyPrefix) -> Self {
        let relative = object
            .key
            .strip_prefix(prefix.as_str())
            .unwrap_or(&object.key);
        let (folder, name) = relative.rsplit_once('/').unwrap_or(("", relative));
        let modified = object
            .modified
            .map(|t| {
                utc_time(
                    t,
                    format_description!("[year]-[month]-[day] [hour]:[minute] UTC"),
                )
            })
            .unwrap_or_default();
        Self {
            key: object.key.clone(),
            name: name.to_owned(),
            folder: folder.to_owned(),
            size: ByteSize::from_bytes(object.size).to_string(),
            modified,
        }
    }
}

/// `GET /uploads`.
pub async fn page(
    user: SignedIn,
    page: PageContext,
    forms: web::Data<FormSigner>,
) -> Result<HttpResponse, AppError> {
    let prefix = &user.prefix;
    let (objects, total) = forms.storage().list(prefix.as_str(), SHOWN).await?;
    let total_size: u64 = objects.iter().map(|o| o.size).sum();
    render(&UploadsPage {
        layout: page.signed_in(&user, "uploads"),
        prefix: prefix.to_string(),
        files: objects.iter().map(|o| Row::new(o, prefix)).collect(),
        total,
        total_size: ByteSize::from_bytes(total_size).to_string(),
    })
}

/// The key a download or confirmation names.
#[derive(Debug, Deserialize)]
pub struct KeyParam {
    key: String,
}

/// `GET /uploads/download?key=…`: a short-lived presigned GET that saves the file
/// under its own name.
pub async fn download(
    user: SignedIn,
    forms: web::Data<FormSigner>,
    query: web::Query<KeyParam>,
) -> Result<HttpResponse, AppError> {
    let object = own_object(&user, forms.storage(), &query.key).await?;
    let name = object.key.rsplit('/').next().unwrap_or("download");
    let url = forms
        .storage()
        .presign_get(&object.key, DOWNLOAD_LINK_TTL, Some(name))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// `POST /api/uploads/confirm` (JSON `{"key"}`): checks the object is there and under
/// the caller's prefix, then records it.
pub async fn confirm(
    user: SignedIn,
    forms: web::Data<FormSigner>,
    body: Csrf<web::Json<KeyParam>>,
) -> Result<HttpResponse, AppError> {
    let object = own_object(&user, forms.storage(), &body.key).await?;
    let file = StoredFile {
        key: &object.key,
        size: object.size,
        content_type: &object.content_type,
    };
    forms
        .ledger()
        .record_stored(user.name.as_str(), file)
        .await
        .map_err(SigningError::from)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "key": object.key,
        "size": object.size,
        "content_type": object.content_type,
    })))
}

/// The first 80 characters of what someone sent, to quote back.
fn cut(text: &str) -> String {
    text.chars().take(80).collect()
}

/// The object at `key`, if it lies under `user`'s prefix and exists.
async fn own_object(user: &User, storage: &Storage, key: &str) -> Result<StoredObject, AppError> {
    let prefix = &user.prefix;
    // S3 keys are literal, but a filesystem bucket, browsers and tools that show keys
    // as paths would let `prefix/../other/x` climb out of the prefix: refused first.
    let key = ObjectKey::parse(key).map_err(|e| {
        AppError::BadRequest(format!(
            "The key {:?} cannot be used: {}.",
            cut(key),
            e.reason()
        ))
    })?;
    let key = key.as_str();
    if !prefix.contains_key(key) {
        return Err(AppError::Forbidden(format!(
            "That file is not yours: your files are under {prefix}."
        )));
    }
    storage.head(key).await?.ok_or_else(|| {
        AppError::Missing(format!(
            "There is no file {:?} (it was never uploaded, or it was removed).",
            key.strip_prefix(prefix.as_str()).unwrap_or(key)
        ))
    })
}
