//! What an instance remembers of accounts and tokens between requests, and how it
//! knows when to forget. Reading the account from the database would cost a request
//! more than all the rest of its work, so a request reads it from memory while the
//! memory is known to be fresh:
//!
//! - every change that can end a sign-in raises the `account_changes` counter in the
//!   transaction that makes it, and the instance that made it forgets everything at once
//!   (both by [`commit_change`]): the very next request reads the database;
//! - every instance reads the counter every [`CHECK_EVERY`] ([`Freshness::watch`]) and
//!   forgets everything when it moved, so another instance's change (or the command
//!   line's) is seen within [`TRUSTED_FOR`];
//! - memory is only trusted for [`TRUSTED_FOR`] after the start of the last successful
//!   check: when the database cannot be read, or the checks fall behind, every request
//!   reads the database again (and gets its answer, or its outage) itself.
//!
//! Forgetting is a new generation: each remembered value carries the generation it was
//! read in, and only values of the current one are used, so a read that raced a change
//! is never used after it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::Row;

use crate::db::Database;
use crate::domain::to_u64;

/// How often each instance reads the counter.
pub const CHECK_EVERY: Duration = Duration::from_millis(200);
/// How long after a check began what is remembered may be used: a change on another
/// instance is seen within this time (less than one second, as promised).
pub const TRUSTED_FOR: Duration = Duration::from_millis(700);
/// The most values one memory holds; when full, it starts again (a flood of unknown
/// keys is never remembered, but many real ones could be).
const MOST: usize = 50_000;

/// Commits `tx`, the transaction of a change that can end a sign-in, with the change
/// counter raised in it, and forgets at once what `freshness` remembered: this
/// instance's next request reads the database, the others' within [`TRUSTED_FOR`].
pub async fn commit_change(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    freshness: &Freshness,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE account_changes SET version = version + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    freshness.forget();
    Ok(())
}

/// Whether what an instance remembers may be used now, shared by its memories.
#[derive(Clone)]
pub struct Freshness(Arc<Inner>);

struct Inner {
    /// Bumped to forget everything.
    generation: AtomicU64,
    /// The counter's value at the last check (`i64::MIN` before the first).
    seen: AtomicI64,
    /// When the last successful check began, in milliseconds since `start` (0: never).
    checked_at: AtomicU64,
    start: Instant,
}

impl Default for Freshness {
    fn default() -> Self {
        Self(Arc::new(Inner {
            generation: AtomicU64::new(1),
            seen: AtomicI64::new(i64::MIN),
            checked_at: AtomicU64::new(0),
            start: Instant::now(),
        }))
    }
}

impl Freshness {
    /// The generation to remember a value read now under, or `None` when memory may not
    /// be used (never checked, or the last check began too long ago).
    pub fn generation(&self) -> Option<u64> {
        let checked_at = self.0.checked_at.load(Ordering::Acquire);
        if checked_at == 0 {
            return None;
        }
        let age = self.millis().saturating_sub(checked_at);
        (age < to_u64(TRUSTED_FOR.as_millis())).then(|| self.0.generation.load(Ordering::Acquire))
    }

    /// Forgets everything remembered (after a change this instance made).
    pub fn forget(&self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Reads the counter once: forgets everything when it moved, and trusts memory for
    /// [`TRUSTED_FOR`] from when the read began.
    pub async fn check(&self, db: &Database) -> Result<(), sqlx::Error> {
        // 1 at least: 0 means "never checked".
        let began = self.millis().max(1);
        let row = sqlx::query("SELECT version FROM account_changes WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
        let version: i64 = row.try_get("version")?;
        if self.0.seen.swap(version, Ordering::AcqRel) != version {
            self.forget();
        }
        self.0.checked_at.fetch_max(began, Ordering::AcqRel);
        Ok(())
    }

    /// Checks every [`CHECK_EVERY`], for as long as the instance serves. A failed check
    /// is logged once until one succeeds again; meanwhile memory is not used.
    pub async fn watch(self, db: Database) {
        let mut failing = false;
        loop {
            match self.check(&db).await {
                Ok(()) if failing => {
                    tracing::info!("account changes can be read again");
                    failing = false;
                }
                Ok(()) => {}
                Err(error) if !failing => {
                    tracing::warn!(%error, "cannot read account changes; reading accounts for every request");
                    failing = true;
                }
                Err(_) => {}
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    }

    fn millis(&self) -> u64 {
        to_u64(self.0.start.elapsed().as_millis())
    }
}

/// Values read from the database, used while their generation is current.
pub struct Memory<K, V> {
    freshness: Freshness,
    values: RwLock<HashMap<K, (u64, V)>>,
}

impl<K: Hash + Eq, V: Clone> Memory<K, V> {
    /// An empty memory trusted as `freshness` says.
    pub fn new(freshness: Freshness) -> Self {
        Self {
            freshness,
            values: RwLock::new(HashMap::new()),
        }
    }

    /// The value remembered for `key`, if memory may be used and it is current.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let generation = self.freshness.generation()?;
        let values = self.values.read().unwrap_or_else(|e| e.into_inner());
        match values.get(key) {
            Some((of, value)) if *of == generation => Some(value.clone()),
            _ => None,
        }
    }

    /// Remembers `value` for `key`, read from the database in `generation` (taken by
    /// [`Freshness::generation`] before the read; `None` remembers nothing).
    pub fn put(&self, generation: Option<u64>, key: K, value: V) {
        let Some(generation) = generation else {
            return;
        };
        let mut values = self.values.write().unwrap_or_else(|e| e.into_inner());
        if values.len() >= MOST {
            values.clear();
        }
        values.insert(key, (generation, value));
    }

    /// The freshness this memory goes by.
    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn database() -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fresh.sqlite3").display());
        let db = Database::connect(&url).await.unwrap();
        (dir, db)
    }

    /// A change made elsewhere: another instance's freshness forgets, not this one's.
    async fn raise(db: &Database) {
        let tx = db.begin_write().await.unwrap();
        commit_change(tx, &Freshness::default()).await.unwrap();
    }

    #[tokio::test]
    async fn nothing_is_used_before_the_first_check_or_after_forgetting() {
        let (_dir, db) = database().await;
        let memory = Memory::<String, u32>::new(Freshness::default());
        memory.put(memory.freshness().generation(), "a".into(), 1);
        assert_eq!(memory.get("a"), None, "unchecked: nothing remembered");

        memory.freshness().check(&db).await.unwrap();
        memory.put(memory.freshness().generation(), "a".into(), 1);
        assert_eq!(memory.get("a"), Some(1));

        memory.freshness().forget();
        assert_eq!(memory.get("a"), None, "forgotten after a change here");
    }

    #[tokio::test]
    async fn a_read_that_raced_a_change_is_never_used() {
        let (_dir, db) = database().await;
        let memory = Memory::<String, u32>::new(Freshness::default());
        memory.freshness().check(&db).await.unwrap();
        // Taken before the database read…
        let generation = memory.freshness().generation();
        // …a change lands meanwhile…
        memory.freshness().forget();
        // …so what was read is stale and stays unused.
        memory.put(generation, "a".into(), 1);
        assert_eq!(memory.get("a"), None);
    }

    #[tokio::test]
    async fn a_change_made_elsewhere_is_forgotten_at_the_next_check() {
        let (_dir, db) = database().await;
        let memory = Memory::<String, u32>::new(Freshness::default());
        memory.freshness().check(&db).await.unwrap();
        memory.put(memory.freshness().generation(), "a".into(), 1);
        memory.freshness().check(&db).await.unwrap();
        assert_eq!(memory.get("a"), Some(1), "no change: still remembered");

        raise(&db).await;
        assert_eq!(memory.get("a"), Some(1), "not checked yet");
        memory.freshness().check(&db).await.unwrap();
        assert_eq!(memory.get("a"), None, "the counter moved: forgotten");
    }

    #[tokio::test]
    async fn memory_is_not_trusted_long_after_the_last_check() {
        let (_dir, db) = database().await;
        let memory = Memory::<String, u32>::new(Freshness::default());
        memory.freshness().check(&db).await.unwrap();
        memory.put(memory.freshness().generation(), "a".into(), 1);
        tokio::time::sleep(TRUSTED_FOR + Duration::from_millis(50)).await;
        assert_eq!(memory.get("a"), None, "no check for too long: read again");
        memory.freshness().check(&db).await.unwrap();
        assert_eq!(memory.get("a"), Some(1), "checked again, nothing changed");
    }
}
