//! The limit on failed sign-ins: counted in the database, so every instance sees the
//! same counts.

use std::time::Duration;

use sqlx::Row;

use super::AccountsError;
use crate::db::{Database, unix_now};
use crate::domain::{to_i64, to_u64};

/// What an [attempt](LoginLimiter::attempt) came to.
#[derive(Debug)]
pub enum Attempt<T> {
    /// The password was right: what it opened.
    Passed(T),
    /// The password was wrong (counted).
    Failed,
    /// Too many tries failed lately: wait this many seconds (nothing was tried).
    Wait(u64),
}

/// Counts failed sign-ins per account and per client; past the limit, more attempts
/// wait. Kept in the database, so every instance sees the same counts.
pub struct LoginLimiter {
    db: Database,
    window: Duration,
    per_account: u32,
    per_client: u32,
}

impl LoginLimiter {
    /// At most five failures per account and twenty per client address in 15 minutes.
    pub fn new(db: Database) -> Self {
        Self::with_limits(db, Duration::from_secs(15 * 60), 5, 20)
    }

    /// At most `per_account` failures per account and `per_client` per client address
    /// in `window`.
    pub fn with_limits(db: Database, window: Duration, per_account: u32, per_client: u32) -> Self {
        Self {
            db,
            window,
            per_account,
            per_client,
        }
    }

    /// Seconds to wait before trying again, if either limit is reached.
    pub async fn retry_after(
        &self,
        account: &str,
        client: &str,
    ) -> Result<Option<u64>, AccountsError> {
        let now = unix_now();
        let window = self.window_secs();
        let rows = sqlx::query(
            "SELECT key, failures, started FROM login_failures WHERE key = $1 OR key = $2",
        )
        .bind(format!("account:{account}"))
        .bind(format!("client:{client}"))
        .fetch_all(self.db.pool())
        .await
        .map_err(query_failed)?;
        let mut wait = None;
        for row in rows {
            let key: String = row.try_get("key").map_err(query_failed)?;
            let failures: i64 = row.try_get("failures").map_err(query_failed)?;
            let started: i64 = row.try_get("started").map_err(query_failed)?;
            let limit = if key.starts_with("account:") {
                self.per_account
            } else {
                self.per_client
            };
            let left = started + window - now;
            if failures >= i64::from(limit) && left > 0 {
                wait = wait.max(Some(to_u64(left)));
            }
        }
        Ok(wait)
    }

    /// Records a failed attempt (a window starts at the first failure).
    pub async fn failed(&self, account: &str, client: &str) -> Result<(), AccountsError> {
        let now = unix_now();
        let window_start = now - self.window_secs();
        sqlx::query("DELETE FROM login_failures WHERE started <= $1")
            .bind(window_start)
            .execute(self.db.pool())
            .await
            .map_err(query_failed)?;
        for key in [format!("account:{account}"), format!("client:{client}")] {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, started) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1",
            )
            .bind(key)
            .bind(now)
            .execute(self.db.pool())
            .await
            .map_err(query_failed)?;
        }
        Ok(())
    }

    /// Forgets an account's failures after it signs in.
    pub async fn succeeded(&self, account: &str) -> Result<(), AccountsError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(format!("account:{account}"))
            .execute(self.db.pool())
            .await
            .map_err(query_failed)?;
        Ok(())
    }

    /// Runs `check` (a password tried for `account` from `client`) unless too many
    /// tries failed lately: what it finds passes and clears the account's failures,
    /// `None` counts as one more failure.
    pub async fn attempt<T, E: From<AccountsError>>(
        &self,
        account: &str,
        client: &str,
        check: impl AsyncFnOnce() -> Result<Option<T>, E>,
    ) -> Result<Attempt<T>, E> {
        if let Some(seconds) = self.retry_after(account, client).await? {
            return Ok(Attempt::Wait(seconds));
        }
        match check().await? {
            Some(found) => {
                self.succeeded(account).await?;
                Ok(Attempt::Passed(found))
            }
            None => {
                self.failed(account, client).await?;
                Ok(Attempt::Failed)
            }
        }
    }

    fn window_secs(&self) -> i64 {
        // Bounded so that a start time plus the window cannot overflow.
        to_i64(self.window.as_secs()).min(i64::MAX / 2)
    }
}

fn query_failed(error: sqlx::Error) -> AccountsError {
    AccountsError::Database(anyhow::Error::new(error).context("the sign-in limiter's query failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limits_failures_per_account_and_per_client() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/limits.sqlite3", dir.path().display());
        let db = Database::connect(&url).await.unwrap();
        let limiter = LoginLimiter::with_limits(db.clone(), Duration::from_secs(60), 2, 3);
        assert_eq!(limiter.retry_after("alice", "1.2.3.4").await.unwrap(), None);
        limiter.failed("alice", "1.2.3.4").await.unwrap();
        limiter.failed("alice", "1.2.3.4").await.unwrap();
        let wait = limiter.retry_after("alice", "5.6.7.8").await.unwrap();
        assert!(wait.is_some_and(|w| w <= 60), "per account: {wait:?}");
        limiter.failed("bob", "1.2.3.4").await.unwrap();
        assert!(
            limiter
                .retry_after("carol", "1.2.3.4")
                .await
                .unwrap()
                .is_some(),
            "per client"
        );
        assert_eq!(limiter.retry_after("carol", "9.9.9.9").await.unwrap(), None);
        // Another instance on the same database sees the same counts.
        let other = LoginLimiter::with_limits(db, Duration::from_secs(60), 2, 3);
        assert!(
            other
                .retry_after("alice", "5.6.7.8")
                .await
                .unwrap()
                .is_some()
        );
        limiter.succeeded("alice").await.unwrap();
        assert_eq!(other.retry_after("alice", "5.6.7.8").await.unwrap(), None);
    }

    #[tokio::test]
    async fn failures_older_than_the_window_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/limits.sqlite3", dir.path().display());
        let db = Database::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO login_failures (key, failures, started) VALUES ('account:old', 99, $1)",
        )
        .bind(unix_now() - 61)
        .execute(db.pool())
        .await
        .unwrap();
        let limiter = LoginLimiter::with_limits(db, Duration::from_secs(60), 2, 3);
        assert_eq!(limiter.retry_after("old", "1.1.1.1").await.unwrap(), None);
        limiter.failed("old", "1.1.1.1").await.unwrap();
        assert_eq!(
            limiter.retry_after("old", "1.1.1.1").await.unwrap(),
            None,
            "one failure, a new window"
        );
    }
}
