//! Reservations in batches. Each quota form needs its bytes held before it is handed
//! out, and one write transaction per form would make the database the bottleneck (SQLite
//! takes one writer at a time; PostgreSQL pays a round trip per statement). So the
//! reservations asked for while a batch is being written wait for the next one, and a
//! batch holds all of them in one transaction of a few statements, whatever its size:
//! per account one locked read of its row, one UPDATE, and one INSERT of every
//! reservation. The answer to each is the same as alone: admitted in order while the
//! account's row stays within its quota (the read is locked, `FOR UPDATE` on
//! PostgreSQL, the whole database by `BEGIN IMMEDIATE` on SQLite, so instances sharing
//! the database cannot overshoot either). Nobody is answered before the batch commits.
//! A batch the database refuses as a whole is retried one reservation at a time, so one
//! bad reservation cannot fail the others.

use std::sync::Mutex;

use sqlx::Row;
use tokio::sync::oneshot;

use super::{UsageError, UsageLedger, database};
use crate::db::Transaction;
use crate::domain::{to_i64, to_u64};

/// The most reservations one transaction holds.
const MOST_IN_A_BATCH: usize = 200;

/// One reservation asked for.
struct Wanted {
    username: String,
    key: String,
    size: u64,
    quota: u64,
    expires_at: i64,
}

/// A reservation asked for, and where its answer goes.
struct Ask {
    wanted: Wanted,
    answer: oneshot::Sender<Result<u64, UsageError>>,
}

/// Reservations waiting for the next batch, and whether one is being written.
#[derive(Default)]
pub(super) struct Queue {
    state: Mutex<(Vec<Ask>, bool)>,
}

/// Ends a writer's turn if it panics, so the next ask starts one. (A writer that
/// finds nothing to do ends its turn itself, under the lock it looked with: an ask
/// pushed just after must find no writer and start one. Ending it again here could end
/// that next writer's turn and let two write at once.)
struct Turn<'a>(&'a Queue);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.state.lock().unwrap_or_else(|e| e.into_inner()).1 = false;
        }
    }
}

impl UsageLedger {
    /// Holds `size` bytes of `username`'s `quota` for a form naming `key` until
    /// `expires_at`: what was left before it, or [`UsageError::OverQuota`] with what is
    /// left, or [`UsageError::NotCounted`] for an account the ledger has no row for yet
    /// (count it first). Written in the next batch (see the module's note).
    pub async fn reserve(
        &self,
        username: &str,
        key: &str,
        size: u64,
        quota: u64,
        expires_at: i64,
    ) -> Result<u64, UsageError> {
        let (answer, answered) = oneshot::channel();
        let ask = Ask {
            wanted: Wanted {
                username: username.to_owned(),
                key: key.to_owned(),
                size,
                quota,
                expires_at,
            },
            answer,
        };
        let lead = {
            let mut state = self.queue.state.lock().unwrap_or_else(|e| e.into_inner());
            state.0.push(ask);
            !std::mem::replace(&mut state.1, true)
        };
        if lead {
            // Its own task: a caller that goes away must not take the batch with it.
            let ledger = self.clone();
            tokio::spawn(async move { ledger.write_batches().await });
        }
        answered.await.unwrap_or_else(|_| {
            Err(UsageError::Database(anyhow::anyhow!(
                "the reservation was lost before it was written"
            )))
        })
    }

    /// Writes batches until nobody waits.
    async fn write_batches(&self) {
        let _turn = Turn(&self.queue);
        loop {
            // Let the requests already read off the sockets ask first: a larger batch
            // costs the same few statements as a small one.
            tokio::task::yield_now().await;
            let asks: Vec<Ask> = {
                let mut state = self.queue.state.lock().unwrap_or_else(|e| e.into_inner());
                if state.0.is_empty() {
                    state.1 = false;
                    return;
                }
                let n = state.0.len().min(MOST_IN_A_BATCH);
                state.0.drain(..n).collect()
            };
            let wanted: Vec<&Wanted> = asks.iter().map(|ask| &ask.wanted).collect();
            tracing::trace!(n = wanted.len(), "a batch of reservations");
            match self.reserve_all(&wanted).await {
                Ok(answers) => {
                    for (ask, answer) in asks.into_iter().zip(answers) {
                        let _ = ask.answer.send(answer);
                    }
                }
                Err(error) => {
                    tracing::debug!(%error, n = asks.len(), "a batch of reservations failed; one at a time");
                    for ask in asks {
                        let answer = match self.reserve_all(&[&ask.wanted]).await {
                            Ok(mut answers) => answers.remove(0),
                            Err(error) => Err(database(error, "cannot reserve quota")),
                        };
                        let _ = ask.answer.send(answer);
                    }
                }
            }
        }
    }

    /// Every reservation of `asks` in one transaction: each one's answer, or the
    /// database's error for the whole batch (nothing written).
    async fn reserve_all(
        &self,
        asks: &[&Wanted],
    ) -> Result<Vec<Result<u64, UsageError>>, sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        let mut answers: Vec<Option<Result<u64, UsageError>>> = asks.iter().map(|_| None).collect();
        let mut admitted = Vec::new();
        while let Some(first) = answers.iter().position(Option::is_none) {
            let username = asks[first].username.as_str();
            let counted = self.counted_for_update(&mut tx, username).await?;
            let added = admit(asks, first, counted, &mut answers, &mut admitted);
            if added > 0 {
                sqlx::query(
                    "UPDATE usage SET reserved_bytes = reserved_bytes + $2 WHERE username = $1",
                )
                .bind(username)
                .bind(to_i64(added))
                .execute(&mut *tx)
                .await?;
            }
        }
        insert_reservations(&mut tx, &admitted).await?;
        tx.commit().await?;
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or(Err(UsageError::NotCounted)))
            .collect())
    }

    /// The bytes counted against `username`'s quota, its row locked until the
    /// transaction ends; `None` for an account the ledger has no row for.
    async fn counted_for_update(
        &self,
        tx: &mut Transaction,
        username: &str,
    ) -> Result<Option<u64>, sqlx::Error> {
        let read = if self.db.is_sqlite() {
            "SELECT stored_bytes + reserved_bytes AS counted FROM usage WHERE username = $1"
        } else {
            "SELECT stored_bytes + reserved_bytes AS counted FROM usage WHERE username = $1 \
             FOR UPDATE"
        };
        let row = sqlx::query(read)
            .bind(username)
            .fetch_optional(&mut **tx)
            .await?;
        row.map(|row| row.try_get::<i64, _>("counted").map(to_u64))
            .transpose()
    }
}

/// Answers the asks of the account of `asks[first]`, from `first` on, in order while
/// they fit under `counted` (`None`: not counted): the admitted go into `admitted`.
/// Returns the bytes admitted.
fn admit<'a>(
    asks: &[&'a Wanted],
    first: usize,
    mut counted: Option<u64>,
    answers: &mut [Option<Result<u64, UsageError>>],
    admitted: &mut Vec<&'a Wanted>,
) -> u64 {
    let username = asks[first].username.as_str();
    let mut added = 0u64;
    for (i, ask) in asks.iter().enumerate().skip(first) {
        if ask.username != username {
            continue;
        }
        answers[i] = Some(match counted.as_mut() {
            None => Err(UsageError::NotCounted),
            Some(counted) => {
                let left = ask.quota.saturating_sub(*counted);
                if ask.size <= left {
                    *counted += ask.size;
                    added += ask.size;
                    admitted.push(*ask);
                    Ok(left)
                } else {
                    Err(UsageError::OverQuota { left })
                }
            }
        });
    }
    added
}

/// Inserts every admitted reservation in one statement.
async fn insert_reservations(
    tx: &mut Transaction,
    admitted: &[&Wanted],
) -> Result<(), sqlx::Error> {
    if admitted.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..admitted.len())
        .map(|i| {
            format!(
                "(${}, ${}, ${}, ${})",
                4 * i + 1,
                4 * i + 2,
                4 * i + 3,
                4 * i + 4
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO reservations (object_key, username, size, expires_at) VALUES {}",
        rows.join(", ")
    );
    let mut insert = sqlx::query(&sql);
    for ask in admitted {
        insert = insert
            .bind(ask.key.as_str())
            .bind(ask.username.as_str())
            .bind(to_i64(ask.size))
            .bind(ask.expires_at);
    }
    insert.execute(&mut **tx).await?;
    Ok(())
}
