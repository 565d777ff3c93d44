//! `GET /links` (the signed-in person's guest upload links, and a form for a new one),
//! `POST /links` (makes one and shows its URL, once), `GET /links/{id}` (one link: its
//! limits, the files received, the bytes used) and `POST /links/{id}/revoke`.

use super::{see_other, utc_minute};
use crate::domain::ByteSize;
use crate::files::file_name;
use crate::links::{Link, LinkState, LinkStore, NewLink};
use crate::signing::FormSigner;
use crate::web::render::{render, render_with_status};
use crate::web::state::PublicUrl;
use crate::web::{AppError, Csrf, Layout, Page, PageContext, SignedIn};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

/// The lifetimes the form offers: (seconds, name).
const LIFETIMES: [(u64, &str); 5] = [
    (3600, "1 hour"),
    (86_400, "1 day"),
    (7 * 86_400, "7 days"),
    (14 * 86_400, "14 days"),
    (30 * 86_400, "30 days"),
];

/// The link's public address: `POSTBOX_PUBLIC_URL`, or the address this request came to.
pub(super) fn link_url(request: &HttpRequest, public: &PublicUrl, token: &str) -> String {
    let base = public.0.clone().unwrap_or_else(|| {
        let info = request.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    });
    crate::links::url(&base, token)
}

/// One link as a row.
pub(super) struct Row {
    id: String,
    label: String,
    state: &'static str,
    open: bool,
    files: String,
    bytes: String,
    expires: String,
}

impl Row {
    fn new(link: &Link, now: i64) -> Self {
        let state = link.state(now);
        Self {
            id: link.id.clone(),
            label: link.label.clone(),
            state: state.as_str(),
            open: state == LinkState::Open,
            files: format!("{} of {}", link.files_held, link.max_files),
            bytes: format!(
                "{} of {}",
                ByteSize::from_bytes(link.bytes_held),
                ByteSize::from_bytes(link.max_total)
            ),
            expires: utc_minute(link.expires_at),
        }
    }
}

#[derive(Template)]
#[template(path = "links.html")]
struct LinksPage {
    layout: Layout,
    links: Vec<Row>,
    lifetimes: &'static [(u64, &'static str)],
    new_url: Option<String>,
    error: Option<String>,
    default_max_size: String,
}

async fn show(
    user: &SignedIn,
    context: &PageContext,
    links: &LinkStore,
    new_url: Option<String>,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let now = crate::db::unix_now();
    let list = links.list(user.name.as_str()).await?;
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render_with_status(
        status,
        &LinksPage {
            layout: context.signed_in(user, Page::Links),
            links: list.iter().map(|l| Row::new(l, now)).collect(),
            lifetimes: &LIFETIMES,
            new_url,
            error,
            default_max_size: user.max_size.to_string(),
        },
    )
}

/// `GET /links`.
pub async fn page(
    user: SignedIn,
    context: PageContext,
    links: web::Data<LinkStore>,
) -> Result<HttpResponse, AppError> {
    show(&user, &context, &links, None, None).await
}

/// The new-link form (numbers as text: flattened form fields arrive as strings).
#[derive(Debug, Deserialize)]
pub struct NewLinkForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    max_size: String,
    #[serde(default)]
    max_files: String,
    #[serde(default)]
    max_total: String,
    #[serde(default)]
    lifetime: String,
    #[serde(default)]
    password: String,
}

impl NewLinkForm {
    fn parse(&self) -> Result<NewLink, String> {
        let size = |label: &str, text: &str| -> Result<Option<ByteSize>, String> {
            match text.trim() {
                "" => Ok(None),
                given => ByteSize::parse(given)
                    .map(Some)
                    .map_err(|e| format!("{label}: {e}")),
            }
        };
        let max_files = match self.max_files.trim() {
            "" => None,
            given => Some(
                given
                    .parse::<u64>()
                    .map_err(|_| "Most files: a whole number, like 20.".to_owned())?,
            ),
        };
        let lifetime = super::offered(&self.lifetime, &LIFETIMES)
            .ok_or_else(|| "Choose one of the lifetimes offered.".to_owned())?;
        Ok(NewLink {
            label: self.label.clone(),
            max_size: size("Largest file", &self.max_size)?,
            max_files,
            max_total: size("Most bytes", &self.max_total)?,
            lifetime_secs: Some(lifetime),
            password: Some(self.password.clone())
                .filter(|p| !p.is_empty())
                .map(secrecy::SecretString::from),
        })
    }
}

/// `POST /links`: makes a link and shows its URL on this answer only.
pub async fn create(
    request: HttpRequest,
    user: SignedIn,
    context: PageContext,
    links: web::Data<LinkStore>,
    public: web::Data<PublicUrl>,
    form: Csrf<web::Form<NewLinkForm>>,
) -> Result<HttpResponse, AppError> {
    let new = match form.parse() {
        Ok(new) => new,
        Err(error) => return show(&user, &context, &links, None, Some(error)).await,
    };
    let actor = user.name.to_string();
    match links.create(&actor, &user, new).await {
        Ok((_, token)) => {
            let url = link_url(&request, &public, &token);
            show(&user, &context, &links, Some(url), None).await
        }
        Err(crate::links::LinkError::Invalid(error)) => {
            show(&user, &context, &links, None, Some(error)).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "link.html")]
struct LinkPage {
    layout: Layout,
    link: Row,
    max_size: String,
    files: Vec<(String, String, String)>,
    received: String,
}

/// `GET /links/{id}`.
pub async fn show_one(
    user: SignedIn,
    context: PageContext,
    links: web::Data<LinkStore>,
    forms: web::Data<FormSigner>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let link = links.own(user.name.as_str(), &id).await?;
    let folder = link.folder(&user.prefix);
    let mut objects = forms.storage().objects(folder.as_str()).await?;
    objects.sort_by_key(|o| std::cmp::Reverse(o.modified));
    let received: u64 = objects.iter().map(|o| o.size).sum();
    let files = objects
        .iter()
        .map(|o| {
            (
                file_name(&o.key).to_owned(),
                ByteSize::from_bytes(o.size).to_string(),
                o.modified.map(utc_minute).unwrap_or_default(),
            )
        })
        .collect();
    render(&LinkPage {
        layout: context.signed_in(&user, Page::Links),
        link: Row::new(&link, crate::db::unix_now()),
        max_size: ByteSize::from_bytes(link.max_size).to_string(),
        files,
        received: ByteSize::from_bytes(received).to_string(),
    })
}

/// `POST /links/{id}/revoke`.
pub async fn revoke(
    user: SignedIn,
    links: web::Data<LinkStore>,
    id: web::Path<String>,
    _form: Csrf<web::Form<crate::web::NoFields>>,
) -> Result<HttpResponse, AppError> {
    let link = links
        .revoke(user.name.as_str(), &id, Some(user.name.as_str()))
        .await?;
    Ok(see_other(&format!("/links/{}", link.id)))
}
