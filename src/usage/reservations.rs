//! Reservations: the bytes a signed form of a quota account may still add, held until
//! the form expires and is settled.

use sqlx::Row;

use super::{StoredFile, UsageError, UsageLedger, database, store_in};
use crate::db::Transaction;
use crate::domain::{to_i64, to_u64};

/// One signed form's hold on a quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The exact key the form names.
    pub key: String,
    /// The account.
    pub username: String,
    /// Bytes held.
    pub size: u64,
    /// When the form stops being valid, in Unix seconds.
    pub expires_at: i64,
}

impl UsageLedger {
    /// `username`'s reservations whose forms expired before `now`.
    pub async fn expired(&self, username: &str, now: i64) -> Result<Vec<Reservation>, UsageError> {
        sqlx::query(
            "SELECT object_key, username, size, expires_at FROM reservations \
             WHERE username = $1 AND expires_at < $2 ORDER BY expires_at",
        )
        .bind(username)
        .bind(now)
        .fetch_all(self.db.pool())
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|row| {
                    Ok(Reservation {
                        key: row.try_get("object_key")?,
                        username: row.try_get("username")?,
                        size: row.try_get::<i64, _>("size").map(to_u64)?,
                        expires_at: row.try_get("expires_at")?,
                    })
                })
                .collect()
        })
        .map_err(|e| database(e, "cannot read reservations"))
    }

    /// Ends an expired `reservation` with what the bucket holds at its key: `found`
    /// (present: stored at its real size) or `None` (absent: the bytes are free). A
    /// reservation another request settled first is left alone.
    pub async fn settle(
        &self,
        reservation: &Reservation,
        found: Option<StoredFile<'_>>,
    ) -> Result<(), UsageError> {
        let fail = |e| database(e, "cannot settle a reservation");
        let mut tx = self.db.begin_write().await.map_err(fail)?;
        let row = sqlx::query("DELETE FROM reservations WHERE object_key = $1 RETURNING size")
            .bind(&reservation.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        let Some(row) = row else {
            return Ok(());
        };
        let held: i64 = row.try_get("size").map_err(fail)?;
        sqlx::query("UPDATE usage SET reserved_bytes = reserved_bytes - $2 WHERE username = $1")
            .bind(&reservation.username)
            .bind(held)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        if let Some(file) = found {
            store_in(&mut tx, &reservation.username, file).await?;
        }
        tx.commit().await.map_err(fail)?;
        Ok(())
    }
}

/// After `key` was confirmed at `size` bytes: its reservation (if any) holds only what
/// a new post of the form could add beyond that.
pub(super) async fn shrink_in(
    tx: &mut Transaction,
    username: &str,
    key: &str,
    size: u64,
) -> Result<(), UsageError> {
    let fail = |e| database(e, "cannot update a reservation");
    let row = sqlx::query("SELECT size FROM reservations WHERE object_key = $1 AND username = $2")
        .bind(key)
        .bind(username)
        .fetch_optional(&mut **tx)
        .await
        .map_err(fail)?;
    let Some(row) = row else {
        return Ok(());
    };
    let held: i64 = row.try_get("size").map_err(fail)?;
    let rest = held.saturating_sub(to_i64(size)).max(0);
    sqlx::query("UPDATE reservations SET size = $2 WHERE object_key = $1")
        .bind(key)
        .bind(rest)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
    sqlx::query("UPDATE usage SET reserved_bytes = reserved_bytes - $2 WHERE username = $1")
        .bind(username)
        .bind(held - rest)
        .execute(&mut **tx)
        .await
        .map_err(fail)?;
    Ok(())
}
