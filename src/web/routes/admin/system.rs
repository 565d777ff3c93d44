//! `GET /admin/system`: what this postbox runs with (version, database, bucket, form
//! lifetime, timeouts); `POST /admin/system` runs the doctor's checks (a live probe
//! included) and shows them. They run on request only, never on a page view.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::doctor::{Check, Doctor};
use crate::web::render::render;
use crate::web::state::SystemFacts;
use crate::web::{Admin, AppError, Csrf, Layout, Page, PageContext};

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
        layout: context.signed_in(&admin, Page::System),
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
        layout: context.signed_in(&admin, Page::System),
        facts: &facts,
        failed: report.failed(),
        checks: Some(report.checks),
    })
}
