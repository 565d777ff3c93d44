//! Counting from the bucket (`postbox usage recount`, and an account's first count),
//! and forgetting a deleted file.

use std::collections::HashMap;

use sqlx::Row;

use super::{Usage, UsageError, UsageLedger, database, to_i64, to_u64};

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
        sqlx::query("DELETE FROM uploads WHERE username = $1 AND created_at < $2")
            .bind(username)
            .bind(listed_at)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
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
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        }
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes, \
             CAST(COUNT(*) AS BIGINT) AS files FROM uploads WHERE username = $1",
        )
        .bind(username)
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?;
        let (bytes, files): (i64, i64) = (row.get("bytes"), row.get("files"));
        sqlx::query("UPDATE usage SET stored_bytes = $2, stored_files = $3 WHERE username = $1")
            .bind(username)
            .bind(bytes)
            .bind(files)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
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
        let size: i64 = row.get("size");
        let live_form = sqlx::query(
            "SELECT expires_at FROM reservations \
             WHERE object_key = $1 AND username = $2 AND expires_at >= $3",
        )
        .bind(key)
        .bind(username)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(fail)?
        .map(|row| row.get::<i64, _>("expires_at"));
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
        let rows =
            sqlx::query("SELECT username, stored_bytes, stored_files, reserved_bytes FROM usage")
                .fetch_all(self.db.pool())
                .await
                .map_err(|e| database(e, "cannot read the usage ledger"))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let usage = Usage {
                    stored_bytes: to_u64(row.get("stored_bytes")),
                    stored_files: to_u64(row.get("stored_files")),
                    reserved_bytes: to_u64(row.get("reserved_bytes")),
                };
                (row.get("username"), usage)
            })
            .collect())
    }
}
