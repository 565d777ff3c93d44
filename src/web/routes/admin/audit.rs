//! `GET /admin/audit`: who changed which account, when, from what to what.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::{Map, Value};
use time::macros::format_description;

use crate::accounts::{AuditEntry, UserStore};
use crate::web::render::render;
use crate::web::routes::utc_time;
use crate::web::{Admin, AppError, Layout, Page, PageContext};

/// How many entries the page shows.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    history: Vec<Entry>,
}

/// An audit entry as a row: when, who, what, and each setting that changed.
pub struct Entry {
    /// `2026-11-24 10:00:00 UTC`.
    pub at: String,
    /// Who did it.
    pub actor: String,
    /// What they did.
    pub action: String,
    /// To which account.
    pub subject: String,
    /// `max_size: 10000000 → 5000000`, one per changed setting.
    pub changes: Vec<String>,
}

impl From<&AuditEntry> for Entry {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            at: utc_time(
                entry.at,
                format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC"),
            ),
            actor: entry.actor.clone(),
            action: entry.action.clone(),
            subject: entry.subject.clone(),
            changes: changes(entry.before.as_deref(), entry.after.as_deref()),
        }
    }
}

/// The settings that differ between two stored states, as `name: before → after`
/// (`name: value` for a new account).
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<String> {
    let parse = |text: Option<&str>| -> Map<String, Value> {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    let (before, after) = (parse(before), parse(after));
    let show = |value: Option<&Value>| match value {
        None | Some(Value::Null) => "none".to_owned(),
        Some(Value::String(text)) if text.is_empty() => "\"\"".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    after
        .iter()
        .filter(|(name, _)| name.as_str() != "name")
        .filter_map(|(name, value)| {
            let old = before.get(name);
            if before.is_empty() {
                Some(format!("{name}: {}", show(Some(value))))
            } else if old != Some(value) {
                Some(format!("{name}: {} → {}", show(old), show(Some(value))))
            } else {
                None
            }
        })
        .collect()
}

/// `GET /admin/audit`.
pub async fn page(
    admin: Admin,
    context: PageContext,
    users: web::Data<UserStore>,
) -> Result<HttpResponse, AppError> {
    let entries = users.audit_log(SHOWN).await?;
    render(&AuditPage {
        layout: context.signed_in(&admin, Page::Audit),
        history: entries.iter().map(Entry::from).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_the_settings_that_changed() {
        let before = r#"{"name":"al","prefix":"users/al/","max_size":10,"quota":null}"#;
        let after = r#"{"name":"al","prefix":"users/al/","max_size":5,"quota":100}"#;
        assert_eq!(
            changes(Some(before), Some(after)),
            ["max_size: 10 → 5", "quota: none → 100"]
        );
        assert_eq!(
            changes(None, Some(r#"{"name":"al","prefix":"users/al/"}"#)),
            ["prefix: users/al/"]
        );
        assert!(changes(None, None).is_empty());
    }
}
