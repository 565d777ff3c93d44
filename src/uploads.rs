//! The record of confirmed uploads: which account put which object, how large, when.

use crate::db::{Database, unix_now};
use crate::storage::StoredObject;

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

    /// Records that `username` uploaded `object`. Confirming the same key again keeps
    /// the first record.
    pub async fn record(&self, username: &str, object: &StoredObject) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO uploads (object_key, username, size, content_type, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (object_key) DO NOTHING",
        )
        .bind(object.key.as_str())
        .bind(username)
        .bind(i64::try_from(object.size).unwrap_or(i64::MAX))
        .bind(object.content_type.as_str())
        .bind(unix_now())
        .execute(self.db.pool())
        .await
        .map_err(|e| anyhow::Error::new(e).context("cannot record an upload"))?;
        Ok(())
    }
}
