//! Sessions in encrypted cookies: the cookie key, the CSRF token each session carries,
//! signing in and out. Reading who is signed in is the `SignedIn` extractor's job.

use std::path::Path;

use actix_web::cookie::Key;
use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha512};

use super::AppError;
use super::session_cookie::Session;
use crate::accounts::User;
use crate::domain::{ALPHANUMERIC, random_text};

pub(super) const USER: &str = "user";
pub(super) const EPOCH: &str = "epoch";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";

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
    let secret = random_text(ALPHANUMERIC, 64);
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
    let token = random_text(ALPHANUMERIC, 32);
    // A failed insert only means the next form gets a new token.
    let _ = session.insert(CSRF, &token);
    token
}

/// How long a guest link's password, once given, is remembered by that browser.
pub const LINK_UNLOCK_SECS: i64 = 12 * 3600;

/// Remembers that this browser gave link `id`'s password (until `now` + 12 hours).
pub fn unlock_link(session: &Session, id: &str, now: i64) {
    let _ = session.insert(format!("link:{id}"), now + LINK_UNLOCK_SECS);
}

/// Whether this browser gave link `id`'s password lately.
pub fn link_unlocked(session: &Session, id: &str, now: i64) -> bool {
    session
        .get::<i64>(&format!("link:{id}"))
        .ok()
        .flatten()
        .is_some_and(|until| until > now)
}

/// Leaves `message` for the next page this session sees (after a 303).
pub fn set_flash(session: &Session, message: &str) {
    // Losing the message only loses the sentence, never the change it reports.
    let _ = session.insert(FLASH, message);
}

/// The message left by [`set_flash`], once.
pub fn take_flash(session: &Session) -> Option<String> {
    // Asked first: removing even a missing key marks the session changed, and a
    // changed session is encrypted and sent again with every answer.
    if !session.contains_key(FLASH) {
        return None;
    }
    session.remove_as::<String>(FLASH)?.ok()
}

/// Whether `provided` is this session's CSRF token (compared in constant time).
pub(super) fn csrf_matches(session: &Session, provided: Option<&str>) -> bool {
    let expected = session.get::<String>(CSRF).ok().flatten();
    matches!((expected, provided), (Some(expected), Some(provided))
        if constant_time_eq(expected.as_bytes(), provided.as_bytes()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_short_session_secrets() {
        assert!(session_key(&SecretString::from("short")).is_err());
        assert!(session_key(&SecretString::from("x".repeat(32))).is_ok());
    }

    #[test]
    fn compares_tokens_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
