//! Passwords: argon2id hashes, checked off the async threads.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};

use super::AccountsError;
use crate::domain::{ALPHANUMERIC, random_text};

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Refuses a password too short to keep anyone out.
pub fn check(password: &SecretString) -> Result<(), AccountsError> {
    if password.expose_secret().chars().count() < MIN_PASSWORD_LEN {
        return Err(AccountsError::WeakPassword);
    }
    Ok(())
}

/// The argon2id hash of `password`, with a fresh salt.
pub async fn hash(password: SecretString) -> Result<String, AccountsError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
    })
    .await
    .context("password hashing panicked")?
    .map_err(AccountsError::Database)
}

/// Whether `password` matches `hash`; with no hash (an unknown name) it checks against
/// a dummy one, so both paths take as long and tell nothing about who exists.
pub async fn verify(password: SecretString, hash: Option<String>) -> Result<bool, AccountsError> {
    let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .context("password check panicked")?;
    Ok(matches)
}

/// A valid argon2id hash of a random password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(random_text(ALPHANUMERIC, 20).as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// A random password for a first admin or a reset: 20 characters, easy to type.
pub fn generate_password() -> SecretString {
    SecretString::from(random_text(ALPHANUMERIC, 20))
}
