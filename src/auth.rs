//! Sign-in state: encrypted session cookies, CSRF tokens, the signed-in user, and the
//! limit on failed sign-ins.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    let user = users
        .get(&name)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
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
/// wait. Kept in memory: each instance limits on its own.
pub struct LoginLimiter {
    window: Duration,
    per_account: u32,
    per_client: u32,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Duration::from_secs(15 * 60), 5, 20)
    }
}

impl LoginLimiter {
    /// At most `per_account` failures per account and `per_client` per client address
    /// in `window`.
    pub fn new(window: Duration, per_account: u32, per_client: u32) -> Self {
        Self {
            window,
            per_account,
            per_client,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait before trying again, if either limit is reached.
    pub fn retry_after(&self, account: &str, client: &str) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        [
            (format!("account:{account}"), self.per_account),
            (format!("client:{client}"), self.per_client),
        ]
        .into_iter()
        .filter_map(|(key, limit)| {
            let (count, started) = failures.get(&key)?;
            let elapsed = now.duration_since(*started);
            (*count >= limit && elapsed < self.window)
                .then(|| (self.window - elapsed).as_secs().max(1))
        })
        .max()
    }

    /// Records a failed attempt.
    pub fn failed(&self, account: &str, client: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        failures.retain(|_, (_, started)| now.duration_since(*started) < self.window);
        for key in [format!("account:{account}"), format!("client:{client}")] {
            failures.entry(key).or_insert((0, now)).0 += 1;
        }
    }

    /// Forgets an account's failures after it signs in.
    pub fn succeeded(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&format!("account:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_failures_per_account_and_per_client() {
        let limiter = LoginLimiter::new(Duration::from_secs(60), 2, 3);
        assert_eq!(limiter.retry_after("alice", "1.2.3.4"), None);
        limiter.failed("alice", "1.2.3.4");
        limiter.failed("alice", "1.2.3.4");
        assert!(
            limiter.retry_after("alice", "5.6.7.8").is_some(),
            "per account"
        );
        limiter.failed("bob", "1.2.3.4");
        assert!(
            limiter.retry_after("carol", "1.2.3.4").is_some(),
            "per client"
        );
        assert_eq!(limiter.retry_after("carol", "9.9.9.9"), None);
        limiter.succeeded("alice");
        assert_eq!(limiter.retry_after("alice", "5.6.7.8"), None);
    }

    #[test]
    fn refuses_short_session_secrets() {
        assert!(session_key(&SecretString::from("short")).is_err());
        assert!(session_key(&SecretString::from("x".repeat(32))).is_ok());
    }
}
