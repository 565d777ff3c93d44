//! Reservations: the bytes a signed form of a quota account may still add, held until
//! the form expires and is settled.

use sqlx::Row;

use super::{StoredFile, Tx, UsageError, UsageLedger, database, store_in, to_i64, to_u64};

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
    /// Holds `size` bytes of `username`'s `quota` for a form naming `key` until
    /// `expires_at`, or refuses with what is left. The check and the hold are one
    /// transaction: the conditional UPDATE admits it only while the row stays within the
    /// quota, so concurrent requests on any number of instances cannot overshoot.
    pub async fn reserve(
        &self,
        username: &str,
        key: &str,
        size: u64,
        quota: u64,
        expires_at: i64,
    ) -> Result<(), UsageError> {
        let fail = |e| database(e, "cannot reserve quota");
        let mut tx = self.db.begin_write().await.map_err(fail)?;
        // A write first, so SQLite takes its write lock before reading.
        sqlx::query("INSERT INTO usage (username) VALUES ($1) ON CONFLICT (username) DO NOTHING")
            .bind(username)
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        let held = sqlx::query(
            "UPDATE usage SET reserved_bytes = reserved_bytes + $2 \
             WHERE username = $1 AND stored_bytes + reserved_bytes + $2 <= $3",
        )
        .bind(username)
        .bind(to_i64(size))
        .bind(to_i64(quota))
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        if held.rows_affected() == 0 {
            let row = sqlx::query(
                "SELECT stored_bytes + reserved_bytes AS counted FROM usage WHERE username = $1",
            )
            .bind(username)
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
            let counted = to_u64(row.get("counted"));
            tx.rollback().await.map_err(fail)?;
            return Err(UsageError::OverQuota {
                left: quota.saturating_sub(counted),
            });
        }
        sqlx::query(
            "INSERT INTO reservations (object_key, username, size, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(key)
        .bind(username)
        .bind(to_i64(size))
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        Ok(())
    }

    /// `username`'s reservations whose forms expired before `now`.
    pub async fn expired(&self, username: &str, now: i64) -> Result<Vec<Reservation>, UsageError> {
        let rows = sqlx::query(
            "SELECT object_key, username, size, expires_at FROM reservations \
             WHERE username = $1 AND expires_at < $2 ORDER BY expires_at",
        )
        .bind(username)
        .bind(now)
        .fetch_all(self.db.pool())
        .await
        .map_err(|e| database(e, "cannot read reservations"))?;
        Ok(rows
            .into_iter()
            .map(|row| Reservation {
                key: row.get("object_key"),
                username: row.get("username"),
                size: to_u64(row.get("size")),
                expires_at: row.get("expires_at"),
            })
            .collect())
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
        let held: i64 = row.get("size");
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
    tx: &mut Tx,
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
    let held: i64 = row.get("size");
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
