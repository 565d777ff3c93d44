//! The database: a SQLite file by default, PostgreSQL for many instances, through one
//! code path (sqlx's `Any` driver) and one set of migrations.

mod checkpoints;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};

/// How long to wait for a connection (and a PostgreSQL statement) by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `error` says the database could not be reached or did not answer in time
/// (rather than refusing a query): such failures are answered with 503, not 500.
pub fn is_unreachable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<sqlx::Error>().is_some_and(|e| {
            matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
            ) || e
                .as_database_error()
                .and_then(|d| d.code())
                // PostgreSQL: statement_timeout, shutting down, cannot connect now.
                .is_some_and(|code| matches!(code.as_ref(), "57014" | "57P01" | "57P03"))
        })
    })
}

/// Set on each SQLite connection (see [`Database::connect_with`]).
const SQLITE_PRAGMAS: [&str; 3] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA cache_size = -1024",
];

/// A transaction on the database.
pub type Transaction = sqlx::Transaction<'static, sqlx::Any>;

/// A connection pool with the schema migrated.
#[derive(Clone)]
pub struct Database {
    pool: AnyPool,
    sqlite: bool,
    /// SQLite: the checkpoint task, running while any clone of this is alive.
    _checkpoints: Option<Arc<checkpoints::Checkpoints>>,
}

impl Database {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and brings the schema up to
    /// date. A SQLite file is created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, DEFAULT_TIMEOUT).await
    }

    /// As [`Database::connect`], waiting at most `timeout` for a connection and, on
    /// PostgreSQL, for one statement (its `statement_timeout`).
    pub async fn connect_with(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        install_default_drivers();
        let url = if url.starts_with("sqlite:") && !url.contains("mode=") {
            let separator = if url.contains('?') { '&' } else { '?' };
            format!("{url}{separator}mode=rwc")
        } else {
            url.to_owned()
        };
        let kind = url.split(':').next().unwrap_or_default();
        if !matches!(kind, "sqlite" | "postgres" | "postgresql") {
            anyhow::bail!(
                "POSTBOX_DATABASE_URL must start with sqlite:// or postgres:// (got {kind}://…)"
            );
        }
        if kind == "sqlite" {
            create_parent_folder(&url)?;
        }
        let sqlite = kind == "sqlite";
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 10 })
            // SQLite: write-ahead logging, so readers never wait for the writer and a
            // commit appends to the log instead of rewriting a journal; `synchronous =
            // NORMAL` syncs at checkpoints, not on every commit (safe against a crash of
            // the app; after a power loss the last commits may be rolled back, never
            // half-applied). `cache_size`: 1 MiB of pages per connection, not the default 2
            // (another connection's commit empties it anyway; the OS caches the file).
            // Checkpoints run beside the writers, not in their commits (see checkpoints).
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if sqlite {
                        for pragma in SQLITE_PRAGMAS.iter().chain(&checkpoints::PRAGMAS) {
                            sqlx::query(pragma).execute(&mut *connection).await?;
                        }
                    } else {
                        let set = format!("SET statement_timeout = {}", timeout.as_millis());
                        sqlx::query(&set).execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .acquire_timeout(timeout)
            .connect(&url)
            .await
            .with_context(|| format!("cannot open the {kind} database at {}", redact(&url)))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("cannot bring the database schema up to date")?;
        let checkpoints = sqlite.then(|| Arc::new(checkpoints::start(pool.clone())));
        Ok(Self {
            pool,
            sqlite,
            _checkpoints: checkpoints,
        })
    }

    /// `url` when given, else the default: a SQLite file in the data folder.
    pub fn url_or_default(url: Option<&str>, data_dir: &Path) -> String {
        url.map_or_else(
            || format!("sqlite://{}", data_dir.join("postbox.sqlite3").display()),
            str::to_owned,
        )
    }

    /// `SQLite` or `PostgreSQL`.
    pub fn kind(&self) -> &'static str {
        if self.sqlite { "SQLite" } else { "PostgreSQL" }
    }

    /// Whether this is a SQLite file (where `BEGIN IMMEDIATE` locks the whole database,
    /// and `SELECT … FOR UPDATE` does not exist).
    pub fn is_sqlite(&self) -> bool {
        self.sqlite
    }

    /// The pool, for the stores.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that will write: on SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`, waiting its turn), so a read followed by a write cannot fail
    /// with "database is locked" when another writer got in between.
    pub async fn begin_write(&self) -> Result<Transaction, sqlx::Error> {
        if self.sqlite {
            self.pool.begin_with("BEGIN IMMEDIATE").await
        } else {
            self.pool.begin().await
        }
    }
}

/// A SQLite file's folder must exist before SQLite can create the file.
fn create_parent_folder(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(folder) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create the database folder {}", folder.display()))?;
    }
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Seconds since the Unix epoch, as stored.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_the_password_of_a_database_url() {
        assert_eq!(
            redact("postgres://app:s3cret@db.internal:5432/postbox"),
            "postgres://app:***@db.internal:5432/postbox"
        );
        assert_eq!(
            redact("sqlite://data/postbox.sqlite3"),
            "sqlite://data/postbox.sqlite3"
        );
    }

    /// Every SQLite connection writes ahead and syncs at checkpoints, which it leaves to
    /// the checkpoint task: what keeps quota reservations (a write per form) from
    /// waiting on a disk sync each.
    #[tokio::test]
    async fn sqlite_connections_use_write_ahead_logging() {
        use sqlx::Row;
        let dir = tempfile::tempdir().unwrap();
        let db = Database::connect(&Database::url_or_default(None, dir.path()))
            .await
            .unwrap();
        for _ in 0..3 {
            let mut connection = db.pool().acquire().await.unwrap();
            let mode: String = sqlx::query("PRAGMA journal_mode")
                .fetch_one(&mut *connection)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
            let sync: i64 = sqlx::query("PRAGMA synchronous")
                .fetch_one(&mut *connection)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
            let pages: i64 = sqlx::query("PRAGMA wal_autocheckpoint")
                .fetch_one(&mut *connection)
                .await
                .unwrap()
                .try_get(0)
                .unwrap();
            assert_eq!(
                (mode.as_str(), sync, pages),
                ("wal", 1, 0),
                "1 is NORMAL; 0: no checkpoint inside a commit (see checkpoints)"
            );
        }
    }
}
