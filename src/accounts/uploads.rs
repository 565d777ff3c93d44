//! The record of confirmed uploads: which account put which object, how large, when.

use super::AccountsError;
use crate::db::{Database, unix_now};

/// An upload the bucket confirmed (by HeadObject).
#[derive(Debug, Clone, Copy)]
pub struct ConfirmedUpload<'a> {
    /// Its full key.
    pub key: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// Its content type.
    pub content_type: &'a str,
}

/// Confirmed uploads in the database.
#[derive(Clone)]
pub struct UploadStore {
    db: Database,
}

impl UploadStore {
    /// The store over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Records that `username` uploaded `upload`. Confirming the same key again keeps
    /// the first record.
    pub async fn record(
        &self,
        username: &str,
        upload: ConfirmedUpload<'_>,
    ) -> Result<(), AccountsError> {
        sqlx::query(
            "INSERT INTO uploads (object_key, username, size, content_type, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (object_key) DO NOTHING",
        )
        .bind(upload.key)
        .bind(username)
        .bind(i64::try_from(upload.size).unwrap_or(i64::MAX))
        .bind(upload.content_type)
        .bind(unix_now())
        .execute(self.db.pool())
        .await
        .map_err(|e| {
            AccountsError::Database(anyhow::Error::new(e).context("cannot record an upload"))
        })?;
        Ok(())
    }
}
