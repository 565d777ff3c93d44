//! Sign-in state: encrypted session cookies, CSRF tokens, the signed-in user, and the
//! limit on failed sign-ins.

use std::path::Path;
use std::time::Duration;

use actix_session::{Session, SessionExt};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::Key;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};
use sqlx::Row;

use crate::db::{Database, unix_now};
use crate::error::AppError;
use crate::users::{User, UserStore};

const USER: &str = "user";
const EPOCH: &str = "epoch";
const CSRF: &str = "csrf";

/// The shortest session secret accepted.
pub const MIN_SECRET_LEN: usize = 32;

/// The cookie key from a secret: SHA-512 stretches it to the 64 bytes (signing and
/// encryption halves) the cookie key needs.
pub fn session_key(secret: &SecretString) -> anyhow::Result<Key> {
    if secret.expose_secret().len() < MIN_SECRET_LEN {
        anyhow::bail!(
            "POSTBOX_SESSION_SECRET must be at least {MIN_SECRET_LEN} characters \
             (generate one with: openssl rand -base64 48)"
        );
    }
    Ok(Key::from(&Sha512::digest(
        secret.expose_secret().as_bytes(),
    )))
}

/// The embedded default's secret: made once and kept in the data folder, so sessions
/// survive restarts.
pub fn stored_secret(data_dir: &Path) -> anyhow::Result<SecretString> {
    let path = data_dir.join("session-secret");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 64);
    write_private(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(SecretString::from(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// This session's CSRF token, made on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(token)) = session.get::<String>(CSRF) {
        return token;
    }
    let token = Alphanumeric.sample_string(&mut rand::rng(), 32);
    // A failed insert only means the next form gets a new token.
    let _ = session.insert(CSRF, &token);
    token
}

/// Refuses a state-changing request whose token is missing or not this session's.
pub fn check_csrf(session: &Session, provided: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(CSRF).ok().flatten();
    match (expected, provided) {
        (Some(expected), Some(provided))
            if constant_time_eq(expected.as_bytes(), provided.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(AppError::Forbidden(
            "This form is out of date or was not sent by postbox. Reload the page and try again."
                .to_owned(),
        )),
    }
}

/// Refuses an `/api/*` call whose `X-CSRF-Token` header is missing or not this session's.
pub fn check_csrf_header(session: &Session, request: &HttpRequest) -> Result<(), AppError> {
    let token = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok());
    check_csrf(session, token)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Starts a session for `user`, under a new id (no fixation) with a new CSRF token.
pub fn sign_in(session: &Session, user: &User) -> Result<(), AppError> {
    session.renew();
    session.remove(CSRF);
    session
        .insert(USER, &user.name)
        .and_then(|()| session.insert(EPOCH, user.session_epoch))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot store the session: {e}")))
}

/// Ends the session.
pub fn sign_out(session: &Session) {
    session.purge();
}

/// The signed-in user, if the session names one whose account is enabled and whose
/// sessions were not ended since (password reset, disabled).
pub async fn current_user(session: &Session, users: &UserStore) -> Result<User, AppError> {
    let name = session.get::<String>(USER).ok().flatten();
    let epoch = session.get::<i64>(EPOCH).ok().flatten();
    let (Some(name), Some(epoch)) = (name, epoch) else {
        return Err(AppError::SignInRequired);
    };
    let user = users.get(&name).await.map_err(AppError::internal)?;
    match user {
        Some(user) if !user.disabled && user.session_epoch == epoch => Ok(user),
        _ => {
            session.purge();
            Err(AppError::SignInRequired)
        }
    }
}

/// Lets only signed-in admins through to the `/admin` scope, handing the admin to the
/// handlers as `web::ReqData<User>`: strangers go to sign in, everyone else gets 403.
pub async fn require_admin(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let session = request.get_session();
    let Some(users) = request.app_data::<web::Data<UserStore>>().cloned() else {
        let error = AppError::Internal(anyhow::anyhow!("the user store is not configured"));
        return Ok(request
            .into_response(HttpResponse::from_error(error))
            .map_into_right_body());
    };
    let refused = match current_user(&session, &users).await {
        Ok(user) if user.is_admin() => {
            request.extensions_mut().insert(user);
            return Ok(next.call(request).await?.map_into_left_body());
        }
        Ok(user) => {
            tracing::info!(user = %user.name, path = request.path(), "refused a non-admin");
            AppError::Forbidden("Only admins can open the admin pages.".to_owned())
        }
        Err(error) => error,
    };
    Ok(request
        .into_response(HttpResponse::from_error(refused))
        .map_into_right_body())
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
    pub async fn retry_after(&self, account: &str, client: &str) -> Result<Option<u64>, AppError> {
        let now = unix_now();
        let window = self.window_secs();
        let rows = sqlx::query(
            "SELECT key, failures, started FROM login_failures WHERE key = $1 OR key = $2",
        )
        .bind(format!("account:{account}"))
        .bind(format!("client:{client}"))
        .fetch_all(self.db.pool())
        .await
        .map_err(database_error)?;
        let mut wait = None;
        for row in rows {
            let key: String = row.try_get("key").map_err(database_error)?;
            let failures: i64 = row.try_get("failures").map_err(database_error)?;
            let started: i64 = row.try_get("started").map_err(database_error)?;
            let limit = if key.starts_with("account:") {
                self.per_account
            } else {
                self.per_client
            };
            let left = started + window - now;
            if failures >= i64::from(limit) && left > 0 {
                wait = wait.max(Some(left as u64));
            }
        }
        Ok(wait)
    }

    /// Records a failed attempt (a window starts at the first failure).
    pub async fn failed(&self, account: &str, client: &str) -> Result<(), AppError> {
        let now = unix_now();
        let window_start = now - self.window_secs();
        sqlx::query("DELETE FROM login_failures WHERE started <= $1")
            .bind(window_start)
            .execute(self.db.pool())
            .await
            .map_err(database_error)?;
        for key in [format!("account:{account}"), format!("client:{client}")] {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, started) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures + 1",
            )
            .bind(key)
            .bind(now)
            .execute(self.db.pool())
            .await
            .map_err(database_error)?;
        }
        Ok(())
    }

    /// Forgets an account's failures after it signs in.
    pub async fn succeeded(&self, account: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(format!("account:{account}"))
            .execute(self.db.pool())
            .await
            .map_err(database_error)?;
        Ok(())
    }

    fn window_secs(&self) -> i64 {
        i64::try_from(self.window.as_secs()).unwrap_or(i64::MAX / 2)
    }
}

fn database_error(error: sqlx::Error) -> AppError {
    AppError::Internal(anyhow::Error::new(error).context("the sign-in limiter's query failed"))
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

    #[test]
    fn refuses_short_session_secrets() {
        assert!(session_key(&SecretString::from("short")).is_err());
        assert!(session_key(&SecretString::from("x".repeat(32))).is_ok());
    }
}
