//! A link's ledger: each guest form holds one file and its bytes until it expires;
//! expired forms are settled with what the bucket holds.

use sqlx::Row;

use super::{LinkError, LinkStore};
use crate::domain::ByteSize;
use crate::domain::{to_i64, to_u64};

/// A guest form, as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkForm {
    /// The exact key it names.
    pub key: String,
    /// Bytes held.
    pub size: u64,
}

impl LinkStore {
    /// Holds `form` (the file `name`) for link `id` until `expires_at`, or says why not.
    /// The check and the hold are one conditional UPDATE.
    pub async fn reserve(
        &self,
        id: &str,
        form: &LinkForm,
        name: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), LinkError> {
        let (key, size) = (&form.key, form.size);
        let mut tx = self.db.begin_write().await?;
        let held = sqlx::query(
            "UPDATE links SET files_held = files_held + 1, bytes_held = bytes_held + $2 \
             WHERE id = $1 AND revoked_at IS NULL AND expires_at > $3 \
             AND files_held + 1 <= max_files AND bytes_held + $2 <= max_total",
        )
        .bind(id)
        .bind(to_i64(size))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if held.rows_affected() == 0 {
            let refused = why_refused(&mut tx, id, name, size, now).await?;
            tx.rollback().await?;
            return Err(refused);
        }
        sqlx::query(
            "INSERT INTO link_forms (object_key, link_id, size, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(key)
        .bind(id)
        .bind(to_i64(size))
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives back the hold of a form that was never handed out (signing failed after).
    pub async fn release(&self, id: &str, key: &str) -> Result<(), LinkError> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query("DELETE FROM link_forms WHERE object_key = $1 RETURNING size")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = row {
            let size: i64 = row.try_get("size")?;
            sqlx::query(
                "UPDATE links SET files_held = files_held - 1, bytes_held = bytes_held - $2 \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(size)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Link `id`'s forms that expired before `now`.
    pub async fn expired_forms(&self, id: &str, now: i64) -> Result<Vec<LinkForm>, LinkError> {
        let rows = sqlx::query(
            "SELECT object_key, size FROM link_forms WHERE link_id = $1 AND expires_at < $2",
        )
        .bind(id)
        .bind(now)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LinkForm {
                    key: row.try_get("object_key")?,
                    size: to_u64(row.try_get::<i64, _>("size")?),
                })
            })
            .collect()
    }

    /// Ends expired `form` of link `id` with what the bucket holds at its key: `found`
    /// bytes (the file stays counted at its real size) or `None` (its file slot and
    /// bytes are free again).
    pub async fn settle(
        &self,
        id: &str,
        form: &LinkForm,
        found: Option<u64>,
    ) -> Result<(), LinkError> {
        let mut tx = self.db.begin_write().await?;
        let gone = sqlx::query("DELETE FROM link_forms WHERE object_key = $1")
            .bind(&form.key)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 1 {
            let (files, bytes) = match found {
                Some(size) => (0, to_i64(form.size) - to_i64(size)),
                None => (1, to_i64(form.size)),
            };
            sqlx::query(
                "UPDATE links SET files_held = files_held - $2, bytes_held = bytes_held - $3 \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(files)
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Why link `id` would not hold `size` more bytes (the file `name`) at `now`.
async fn why_refused(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    name: &str,
    size: u64,
    now: i64,
) -> Result<LinkError, LinkError> {
    let row = sqlx::query(
        "SELECT files_held, max_files, bytes_held, max_total, revoked_at, expires_at \
         FROM links WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(LinkError::NoLongerWorks);
    };
    let closed = row.try_get::<Option<i64>, _>("revoked_at")?.is_some()
        || row.try_get::<i64, _>("expires_at")? <= now;
    let max_files = to_u64(row.try_get::<i64, _>("max_files")?);
    let files_full = to_u64(row.try_get::<i64, _>("files_held")?) >= max_files;
    let left = to_u64(row.try_get::<i64, _>("max_total")?)
        .saturating_sub(to_u64(row.try_get::<i64, _>("bytes_held")?));
    Ok(if closed {
        LinkError::NoLongerWorks
    } else if files_full {
        LinkError::HasAllFiles { max_files }
    } else {
        LinkError::NoRoom {
            name: name.to_owned(),
            size: ByteSize::from_bytes(size),
            left: ByteSize::from_bytes(left),
        }
    })
}
