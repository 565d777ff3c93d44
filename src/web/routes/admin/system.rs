//! `GET /admin/system`: what this postbox runs with (version, database, bucket, form
//! lifetime, timeouts); `POST /admin/system` runs the doctor's checks (a live probe
//! included) and shows them. They run on request only, never on a page view.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::config::Settings;
use crate::db::redact;
use crate::doctor::{Check, Doctor};
use crate::storage::Storage;
use crate::web::render::render;
use crate::web::{Admin, AppError, Csrf, Layout, PageContext};

/// What the page says about the running app, gathered at start-up.
#[derive(Debug, Clone)]
pub struct SystemFacts {
    /// `postbox 0.1.0`.
    pub version: String,
    /// `SQLite (data/postbox.sqlite3)` or `PostgreSQL (postgres://app:***@db/postbox)`.
    pub database: String,
    /// The bucket's name, and whether it is the embedded one.
    pub bucket: String,
    /// Where forms post.
    pub form_url: String,
    /// `600s`.
    pub form_ttl: String,
    /// `POSTBOX_PUBLIC_URL`, or what it falls back to.
    pub public_url: String,
    /// `S3 3s to connect, 10s a call; database 5s`.
    pub timeouts: String,
}

impl SystemFacts {
    /// What the page says about an app built from `settings`.
    pub fn new(settings: &Settings, database_url: &str, kind: &str, storage: &Storage) -> Self {
        let bucket = match &settings.bucket {
            Some(bucket) => format!("{bucket} (region {})", storage.region()),
            None => format!(
                "{} — the embedded local bucket, in {}",
                storage.bucket(),
                settings.data_dir.join("bucket").display()
            ),
        };
        Self {
            version: format!("postbox {}", env!("CARGO_PKG_VERSION")),
            database: format!("{kind} ({})", redact(database_url)),
            bucket,
            form_url: storage.form_url().to_owned(),
            form_ttl: settings.policy_ttl.to_string(),
            public_url: settings.public_url.clone().unwrap_or_else(|| {
                format!("http://{} (POSTBOX_PUBLIC_URL is not set)", settings.listen)
            }),
            timeouts: format!(
                "S3 {} to connect, {} a call; database {}",
                settings.s3_connect_timeout, settings.s3_timeout, settings.database_timeout
            ),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/system.html")]
struct SystemPage<'a> {
    layout: Layout,
    facts: &'a SystemFacts,
    checks: Option<Vec<Check>>,
    failed: bool,
}

/// `GET /admin/system`.
pub async fn page(
    admin: Admin,
    context: PageContext,
    facts: web::Data<SystemFacts>,
) -> Result<HttpResponse, AppError> {
    render(&SystemPage {
        layout: context.signed_in(&admin, "system"),
        facts: &facts,
        checks: None,
        failed: false,
    })
}

/// `POST /admin/system`: runs the checks.
pub async fn run(
    admin: Admin,
    context: PageContext,
    facts: web::Data<SystemFacts>,
    doctor: web::Data<Doctor>,
    _form: Csrf<web::Form<crate::web::NoFields>>,
) -> Result<HttpResponse, AppError> {
    let report = doctor.run(false).await;
    tracing::info!(admin = %admin.name, failed = report.failed(), "ran the system checks");
    render(&SystemPage {
        layout: context.signed_in(&admin, "system"),
        facts: &facts,
        failed: report.failed(),
        checks: Some(report.checks),
    })
}
