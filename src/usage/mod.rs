//! The usage ledger: per account, the bytes and files stored and the bytes reserved by
//! signed forms that may still be posted. A quota holds because every form of a quota
//! account is reserved before it is handed out, in one transaction whose conditional
//! UPDATE admits it only while `stored + reserved + size <= quota` (SQLite and
//! PostgreSQL alike, however many instances sign at once). Confirmed uploads become
//! stored bytes; expired reservations are settled by the caller with what the bucket
//! holds. The check reads one row; it never lists the bucket.

mod batch;
mod counting;
mod reservations;

use sqlx::Row;
use sqlx::any::AnyRow;

pub use counting::{Freed, ListedFile};
pub use reservations::Reservation;

use crate::db::{Database, Transaction, unix_now};
use crate::domain::{ByteSize, to_i64, to_u64};

/// What an account uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of the files stored.
    pub stored_bytes: u64,
    /// How many files.
    pub stored_files: u64,
    /// Bytes that signed, unexpired (or not yet settled) forms may still add.
    pub reserved_bytes: u64,
}

impl Usage {
    /// Bytes counted against a quota.
    pub fn counted(&self) -> u64 {
        self.stored_bytes.saturating_add(self.reserved_bytes)
    }

    /// `1.2 MB in 3 files` (`, 10 kB held` when forms hold some), or `not counted yet`
    /// for an account the ledger has no row for, as lists show it.
    pub fn describe(usage: Option<&Usage>) -> String {
        let Some(usage) = usage else {
            return "not counted yet".to_owned();
        };
        let files = match usage.stored_files {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        };
        let mut text = format!("{} in {files}", ByteSize::from_bytes(usage.stored_bytes));
        if usage.reserved_bytes > 0 {
            let held = ByteSize::from_bytes(usage.reserved_bytes);
            text.push_str(&format!(", {held} held"));
        }
        text
    }
}

/// Why the ledger refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// The reservation would take the account past its quota.
    #[error("Only {left} bytes of the quota are left.")]
    OverQuota {
        /// Bytes left when it was refused.
        left: u64,
    },
    /// The ledger has no row for the account yet: count its files first.
    #[error("The account's usage was not counted yet.")]
    NotCounted,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

fn database(error: sqlx::Error, what: &'static str) -> UsageError {
    UsageError::Database(anyhow::Error::new(error).context(what))
}

/// An object the bucket confirmed (by HeadObject).
#[derive(Debug, Clone, Copy)]
pub struct StoredFile<'a> {
    /// Its full key.
    pub key: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// Its content type.
    pub content_type: &'a str,
}

/// The ledger in the database. Clones share the queue of reservations being written.
#[derive(Clone)]
pub struct UsageLedger {
    db: Database,
    queue: std::sync::Arc<batch::Queue>,
}

impl UsageLedger {
    /// The ledger over `db`.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            queue: std::sync::Arc::default(),
        }
    }

    /// What `username` uses, or `None` before anything was counted for them.
    pub async fn usage(&self, username: &str) -> Result<Option<Usage>, UsageError> {
        sqlx::query(
            "SELECT stored_bytes, stored_files, reserved_bytes FROM usage WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(self.db.pool())
        .await
        .and_then(|row| row.as_ref().map(usage_of).transpose())
        .map_err(|e| database(e, "cannot read the usage ledger"))
    }

    /// Records that `username` stores `file` (a confirmed upload): counted once, at its
    /// latest size. Part of a reservation for the same key that the file now fills is
    /// released; the rest stays reserved until the form expires, since the form may be
    /// posted again.
    pub async fn record_stored(
        &self,
        username: &str,
        file: StoredFile<'_>,
    ) -> Result<(), UsageError> {
        let mut tx = self
            .db
            .begin_write()
            .await
            .map_err(|e| database(e, "cannot record an upload"))?;
        store_in(&mut tx, username, file).await?;
        reservations::shrink_in(&mut tx, username, file.key, file.size).await?;
        tx.commit()
            .await
            .map_err(|e| database(e, "cannot record an upload"))?;
        Ok(())
    }
}

/// The usage a row of the `usage` table holds.
fn usage_of(row: &AnyRow) -> Result<Usage, sqlx::Error> {
    Ok(Usage {
        stored_bytes: row.try_get::<i64, _>("stored_bytes").map(to_u64)?,
        stored_files: row.try_get::<i64, _>("stored_files").map(to_u64)?,
        reserved_bytes: row.try_get::<i64, _>("reserved_bytes").map(to_u64)?,
    })
}

/// Counts `file` as stored for `username`: a new key adds a file, a known one changes
/// by the difference in size. An account without a usage row has not been counted yet;
/// its row starts from a count of the bucket ([`UsageLedger::recount`]), which will
/// include this file.
async fn store_in(
    tx: &mut Transaction,
    username: &str,
    file: StoredFile<'_>,
) -> Result<(), UsageError> {
    let fail = |e| database(e, "cannot record an upload");
    let before: Option<i64> = sqlx::query("SELECT size FROM uploads WHERE object_key = $1")
        .bind(file.key)
        .fetch_optional(&mut **tx)
        .await
        .and_then(|row| row.map(|row| row.try_get("size")).transpose())
        .map_err(fail)?;
    let size = to_i64(file.size);
    match before {
        None => {
            sqlx::query(
                "INSERT INTO uploads (object_key, username, size, content_type, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(file.key)
            .bind(username)
            .bind(size)
            .bind(file.content_type)
            .bind(unix_now())
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
            sqlx::query(
                "UPDATE usage SET stored_bytes = stored_bytes + $2, \
                 stored_files = stored_files + 1 WHERE username = $1",
            )
            .bind(username)
            .bind(size)
            .execute(&mut **tx)
            .await
            .map_err(fail)?;
        }
        Some(old) if old != size => {
            sqlx::query("UPDATE uploads SET size = $2, content_type = $3 WHERE object_key = $1")
                .bind(file.key)
                .bind(size)
                .bind(file.content_type)
                .execute(&mut **tx)
                .await
                .map_err(fail)?;
            sqlx::query("UPDATE usage SET stored_bytes = stored_bytes + $2 WHERE username = $1")
                .bind(username)
                .bind(size - old)
                .execute(&mut **tx)
                .await
                .map_err(fail)?;
        }
        Some(_) => {}
    }
    Ok(())
}
