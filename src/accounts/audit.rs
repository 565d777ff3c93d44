//! The audit log: who changed which account, when, from what to what.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{AccountsError, User};
use crate::db::Database;
use crate::domain::{HEX, Username, random_text};

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// When, in Unix seconds.
    pub at: i64,
    /// Who did it.
    pub actor: String,
    /// What they did.
    pub action: String,
    /// To which account.
    pub subject: String,
    /// The account before, as JSON.
    pub before: Option<String>,
    /// The account after, as JSON.
    pub after: Option<String>,
}

const COLUMNS: &str = "at, actor, action, subject, before_state, after_state";

/// Writes one entry; `before` and `after` are stored as JSON.
pub(super) async fn record(
    db: &Database,
    actor: &str,
    action: &str,
    subject: &Username,
    before: Option<&User>,
    after: Option<&User>,
) -> Result<(), AccountsError> {
    let to_json = |user: Option<&User>| user.and_then(|u| serde_json::to_string(u).ok());
    insert(db, actor, action, subject, to_json(before), to_json(after)).await
}

impl super::UserStore {
    /// Logs something `actor` did to one of `owner`'s things (a file, a token):
    /// `details`, a JSON object, is shown like an account's settings (`key: …`).
    pub async fn log_event(
        &self,
        actor: &str,
        action: &str,
        owner: &Username,
        details: serde_json::Value,
    ) -> Result<(), AccountsError> {
        insert(
            &self.db,
            actor,
            action,
            owner,
            None,
            Some(details.to_string()),
        )
        .await
    }
}

async fn insert(
    db: &Database,
    actor: &str,
    action: &str,
    subject: &Username,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), AccountsError> {
    let now = time::OffsetDateTime::now_utc();
    // The log is read `ORDER BY at DESC, id DESC` and `at` holds whole seconds: the id
    // starts with the time in fixed-width nanoseconds, so entries written within one
    // second still list newest first.
    let id = format!(
        "{:024x}{}",
        now.unix_timestamp_nanos(),
        random_text(HEX, 16)
    );
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor, action, subject, before_state, after_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(now.unix_timestamp())
    .bind(actor)
    .bind(action)
    .bind(subject.as_str())
    .bind(before)
    .bind(after)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The latest `limit` entries, about `subject` only when given, newest first.
pub(super) async fn latest(
    db: &Database,
    subject: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEntry>, AccountsError> {
    let rows = match subject {
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log ORDER BY at DESC, id DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(db.pool())
            .await?
        }
        Some(subject) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE subject = $1 \
                 ORDER BY at DESC, id DESC LIMIT $2"
            ))
            .bind(subject)
            .bind(limit)
            .fetch_all(db.pool())
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

fn from_row(row: &AnyRow) -> Result<AuditEntry, AccountsError> {
    Ok(AuditEntry {
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        before: row.try_get("before_state")?,
        after: row.try_get("after_state")?,
    })
}
