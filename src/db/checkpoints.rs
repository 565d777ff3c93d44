//! SQLite checkpoints off the write path. In write-ahead mode every commit appends its
//! pages to the log, and a checkpoint copies them back into the database file (with a
//! disk sync). SQLite's default runs that checkpoint inside whichever commit crosses
//! 1,000 pages, so one quota batch in a few hundred waited for it: those were the
//! slowest answers of a loaded server (p99 5.7 ms, 1.5 ms without them). The pool's
//! connections do not checkpoint (`wal_autocheckpoint = 0`); this task does, a few
//! times a second, and stops when the last handle on the database is dropped.
//!
//! A passive checkpoint copies the log while writers go on, but SQLite starts the log
//! again from its beginning only once a checkpoint has caught up before the next
//! writer begins: under a steady load that never happens and the log grows without
//! end (480 MB in six seconds, and slower answers for it). So when the log is longer
//! than [`RESTART_AFTER`] frames, the passive copy (the bulk of the work) is followed
//! by a restarting one, which holds writers back only for the pages written since.

use std::time::Duration;

use sqlx::AnyPool;
use tokio::sync::watch;

/// How often the log is copied back: short enough that the log stays small (a loaded
/// server appends tens of MB a second, mostly the same pages again), long enough that
/// an idle server does next to nothing.
const EVERY: Duration = Duration::from_millis(200);

/// Log frames (pages, 4 KiB each) after which the log is started again: 32 MiB, about
/// once a second under the heaviest load measured.
const RESTART_AFTER: i64 = 8192;

/// Set on each connection: no checkpoint inside a commit, and a log file cut back to
/// this size after a checkpoint has emptied it (else it stays as large as it ever was).
/// Above what [`RESTART_AFTER`] lets the log reach under load: cutting it back is done
/// by the next writer (measured: a 128 MiB log cut to 64 MiB at each restart took p99
/// from 4 to 11–20 ms).
pub(super) const PRAGMAS: [&str; 2] = [
    "PRAGMA wal_autocheckpoint = 0",
    "PRAGMA journal_size_limit = 67108864",
];

/// The running checkpoint task; dropping this stops it.
pub(super) struct Checkpoints {
    _stop: watch::Sender<()>,
}

/// Starts checkpointing `pool`'s database every [`EVERY`].
pub(super) fn start(pool: AnyPool) -> Checkpoints {
    let (stop, mut stopped) = watch::channel(());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Said once when checkpoints start failing (a full disk, say), and once when
        // they work again, not five times a second.
        let mut failing = false;
        loop {
            tokio::select! {
                // Err: every handle on the database is gone.
                Err(_) = stopped.changed() => return,
                _ = every.tick() => {}
            }
            let done = match checkpoint(&pool, "PASSIVE").await {
                Ok(frames) if frames > RESTART_AFTER => checkpoint(&pool, "RESTART").await,
                passive => passive,
            };
            match done {
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(%error, "SQLite checkpoints fail: the log file grows until they work again");
                }
                Ok(_) if failing => {
                    failing = false;
                    tracing::info!("SQLite checkpoints work again");
                }
                _ => {}
            }
        }
    });
    Checkpoints { _stop: stop }
}

/// Runs a checkpoint of `mode`: the frames in the log when it ran.
async fn checkpoint(pool: &AnyPool, mode: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    let row = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
        .fetch_one(pool)
        .await?;
    // (busy, frames in the log, frames copied into the file)
    row.try_get(1)
}

#[cfg(test)]
mod tests {
    use crate::db::Database;

    /// A fresh SQLite database in `dir` with a table to write into.
    async fn scratch(dir: &std::path::Path) -> Database {
        let db = Database::connect(&Database::url_or_default(None, dir))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE scratch (bytes BLOB)")
            .execute(db.pool())
            .await
            .unwrap();
        db
    }

    /// Commits one row of `size` bytes.
    async fn insert(db: &Database, size: usize) {
        sqlx::query("INSERT INTO scratch (bytes) VALUES ($1)")
            .bind(vec![7u8; size])
            .execute(db.pool())
            .await
            .unwrap();
    }

    /// Commits reach the database file by this task: no connection checkpoints in its
    /// commits (`db::tests` checks each one's setting), yet a few pages written (far
    /// fewer than SQLite's own 1,000-page trigger) are copied into the file shortly
    /// after.
    #[tokio::test]
    async fn commits_are_copied_into_the_file_beside_the_writers_not_by_them() {
        let dir = tempfile::tempdir().unwrap();
        let db = scratch(dir.path()).await;
        let file = dir.path().join("postbox.sqlite3");
        // Whatever start-up wrote is copied first.
        tokio::time::sleep(super::EVERY * 3).await;
        let before = std::fs::metadata(&file).unwrap().len();
        for _ in 0..40 {
            insert(&db, 4000).await;
        }
        let mut grown = 0;
        for _ in 0..50 {
            grown = std::fs::metadata(&file)
                .unwrap()
                .len()
                .saturating_sub(before);
            if grown >= 160_000 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(grown >= 160_000, "the file grew by {grown} bytes only");
    }

    /// Writers that never pause leave a passive checkpoint always behind, and SQLite
    /// starts the log again only once one has caught up: the restarting checkpoint keeps
    /// the log to about [`super::RESTART_AFTER`] frames however much is written.
    #[tokio::test]
    async fn the_log_stays_short_while_writers_never_pause() {
        const INSERTS: usize = 24_000; // at least a 4 KiB frame each: 94 MiB of log
        let dir = tempfile::tempdir().unwrap();
        let db = scratch(dir.path()).await;
        let log = dir.path().join("postbox.sqlite3-wal");
        let mut longest = 0;
        for i in 0..INSERTS {
            insert(&db, 3000).await;
            if i % 500 == 0 {
                longest = longest.max(std::fs::metadata(&log).unwrap().len());
            }
        }
        longest = longest.max(std::fs::metadata(&log).unwrap().len());
        // Never started again, it would hold every commit's frame: over 94 MiB.
        assert!(
            longest < 64 << 20,
            "the log reached {longest} bytes; {} MiB were written",
            (INSERTS * 4096) >> 20
        );
    }
}
