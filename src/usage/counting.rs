//! Counting from the bucket (`postbox usage recount`, and an account's first count),
//! and forgetting a deleted file.

use std::collections::HashMap;

use sqlx::Row;

use super::{Usage, UsageError, UsageLedger, database, usage_of};
use crate::db::Transaction;
use crate::domain::to_i64;

/// A file as a listing of the bucket found it.
#[derive(Debug, Clone, Copy)]
pub struct ListedFile<'a> {
    /// Its full key.
    pub key: &'a str,
    /// Its size in bytes.
    pub size: u64,
    /// When it was written, in Unix seconds.
    pub modified: i64,
}

/// What deleting a file did to the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freed {
    /// The file was not counted (it never was confirmed, or arrived outside postbox):
    /// nothing changes.
    NotCounted,
    /// Its bytes are free now.
    Now,
    /// Its bytes stay held until the form that wrote it expires (at this Unix time),
    /// since that form could post it again.
    WhenFormExpires(i64),
}

impl UsageLedger {
    /// Rebuilds `username`'s stored bytes and files from `files`, what a listing of
    /// their prefix begun at `listed_at` (Unix seconds) found. Reservations stay as
    /// they are; uploads recorded after `listed_at` (confirmed while the listing ran)
    /// are kept. With `only_if_new`, an account that already has a row is left alone
    /// (the first count of an account from before the ledger). Returns the usage.
    pub async fn recount(
        &self,
        username: &str,
        files: &[ListedFile<'_>],
        listed_at: i64,
        only_if_new: bool,
    ) -> Result<Usage, UsageError> {
        let fail = |e| database(e, "cannot recount usage");
        let mut tx = self.db.begin_write().await.map_err(fail)?;
        // A write first, so SQLite takes its write lock before reading.
        let added = sqlx::query(
            "INSERT INTO usage (username) VALUES ($1) ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        if only_if_new && added.rows_affected() == 0 {
            tx.rollback().await.map_err(fail)?;
            return Ok(self.usage(username).await?.unwrap_or_default());
        }
        replace_uploads(&mut tx, username, files, listed_at)
            .await
            .map_err(fail)?;
        store_totals(&mut tx, username).await.map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(self.usage(username).await?.unwrap_or_default())
    }

    /// Forgets `key`, a file of `username`'s just deleted from the bucket: its bytes
    /// and its count leave the stored total. While a form that wrote it can still be
    /// posted (`now` is before its expiry), its bytes go back to that form's
    /// reservation instead, so a re-post cannot take the account past its quota.
    pub async fn record_deleted(
        &self,
        username: &str,
        key: &str,
        now: i64,
    ) -> Result<Freed, UsageError> {
        let fail = |e| database(e, "cannot record a deletion");
        let mut tx = self.db.begin_write().await.map_err(fail)?;
        let row = sqlx::query(
            "DELETE FROM uploads WHERE object_key = $1 AND username = $2 RETURNING size",
        )
        .bind(key)
        .bind(username)
        .fetch_optional(&mut *tx)
        .await
        .map_err(fail)?;
        let Some(row) = row else {
            tx.commit().await.map_err(fail)?;
            return Ok(Freed::NotCounted);
        };
        let size: i64 = row.try_get("size").map_err(fail)?;
        let live_form = live_form_expiry(&mut tx, key, username, now)
            .await
            .map_err(fail)?;
        if live_form.is_some() {
            sqlx::query("UPDATE reservations SET size = size + $2 WHERE object_key = $1")
                .bind(key)
                .bind(size)
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        let held_again = if live_form.is_some() { size } else { 0 };
        sqlx::query(
            "UPDATE usage SET \
             stored_bytes = CASE WHEN stored_bytes > $2 THEN stored_bytes - $2 ELSE 0 END, \
             stored_files = CASE WHEN stored_files > 0 THEN stored_files - 1 ELSE 0 END, \
             reserved_bytes = reserved_bytes + $3 \
             WHERE username = $1",
        )
        .bind(username)
        .bind(size)
        .bind(held_again)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(match live_form {
            Some(expires_at) => Freed::WhenFormExpires(expires_at),
            None => Freed::Now,
        })
    }

    /// Every counted account's usage, by user name (accounts not counted yet are
    /// absent).
    pub async fn all(&self) -> Result<HashMap<String, Usage>, UsageError> {
        sqlx::query("SELECT username, stored_bytes, stored_files, reserved_bytes FROM usage")
            .fetch_all(self.db.pool())
            .await
            .and_then(|rows| {
                rows.iter()
                    .map(|row| Ok((row.try_get("username")?, usage_of(row)?)))
                    .collect()
            })
            .map_err(|e| database(e, "cannot read the usage ledger"))
    }
}

/// When a form of `username`'s that wrote `key` can still be posted at `now`, when it
/// expires.
async fn live_form_expiry(
    tx: &mut Transaction,
    key: &str,
    username: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT expires_at FROM reservations \
         WHERE object_key = $1 AND username = $2 AND expires_at >= $3",
    )
    .bind(key)
    .bind(username)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|row| row.try_get("expires_at")).transpose()
}

/// Replaces `username`'s uploads recorded before `listed_at` with `files`, what the
/// listing begun then found.
async fn replace_uploads(
    tx: &mut Transaction,
    username: &str,
    files: &[ListedFile<'_>],
    listed_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM uploads WHERE username = $1 AND created_at < $2")
        .bind(username)
        .bind(listed_at)
        .execute(&mut **tx)
        .await?;
    for file in files {
        // Known as of before this listing, so the next recount may drop it.
        let recorded = file.modified.min(listed_at - 1);
        sqlx::query(
            "INSERT INTO uploads (object_key, username, size, content_type, created_at) \
             VALUES ($1, $2, $3, '', $4) ON CONFLICT (object_key) \
             DO UPDATE SET size = excluded.size, username = excluded.username",
        )
        .bind(file.key)
        .bind(username)
        .bind(to_i64(file.size))
        .bind(recorded)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Sets `username`'s stored bytes and files to the sums of their uploads.
async fn store_totals(tx: &mut Transaction, username: &str) -> Result<(), sqlx::Error> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes, \
         CAST(COUNT(*) AS BIGINT) AS files FROM uploads WHERE username = $1",
    )
    .bind(username)
    .fetch_one(&mut **tx)
    .await?;
    let bytes: i64 = row.try_get("bytes")?;
    let files: i64 = row.try_get("files")?;
    sqlx::query("UPDATE usage SET stored_bytes = $2, stored_files = $3 WHERE username = $1")
        .bind(username)
        .bind(bytes)
        .bind(files)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
