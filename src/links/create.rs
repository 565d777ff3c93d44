//! Making a link: its limits checked against its owner's, a token shown once.

use secrecy::SecretString;
use serde_json::json;

use super::{
    DEFAULT_LIFETIME_SECS, DEFAULT_MAX_FILES, DEFAULT_MAX_TOTAL, Link, LinkError, LinkStore,
    NewLink,
};
use crate::accounts::{MAX_LABEL_LEN, User, label, new_public_id, new_secret, secret_hash};
use crate::db::unix_now;
use crate::domain::to_i64;

/// A new link's limits, each defaulted and checked against its owner's.
struct Limits {
    max_size: u64,
    max_files: u64,
    max_total: u64,
    lifetime: u64,
}

impl LinkStore {
    /// Makes a link for `owner` (`actor` did it): the link, and its token (shown once,
    /// never stored). Limits default as the contract says and may not exceed the
    /// owner's own.
    pub async fn create(
        &self,
        actor: &str,
        owner: &User,
        new: NewLink,
    ) -> Result<(Link, String), LinkError> {
        let label = label(&new.label).ok_or_else(|| {
            LinkError::Invalid(format!(
                "The label must be 1 to {MAX_LABEL_LEN} characters, without control characters."
            ))
        })?;
        let limits = Limits::for_owner(owner, &new)?;
        let password_hash = password_hash(new.password).await?;
        let token = new_secret();
        let now = unix_now();
        let link = Link {
            id: new_public_id(),
            owner: owner.name.to_string(),
            label: label.to_owned(),
            max_size: limits.max_size,
            max_files: limits.max_files,
            max_total: limits.max_total,
            created_at: now,
            expires_at: now.saturating_add(to_i64(limits.lifetime)),
            revoked_at: None,
            has_password: password_hash.is_some(),
            files_held: 0,
            bytes_held: 0,
        };
        self.insert(&link, &token, password_hash).await?;
        let details = json!({
            "link": link.id, "label": link.label, "max_size": link.max_size,
            "max_files": link.max_files, "max_total": link.max_total,
            "expires_at": link.expires_at,
        });
        self.users
            .log_event(actor, "create link", &owner.name, details)
            .await?;
        Ok((link, token))
    }

    /// Stores `link`, its token only as a hash.
    async fn insert(
        &self,
        link: &Link,
        token: &str,
        password_hash: Option<String>,
    ) -> Result<(), LinkError> {
        sqlx::query(
            "INSERT INTO links (id, owner, token_hash, label, max_size, max_files, max_total, \
             created_at, expires_at, password_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&link.id)
        .bind(&link.owner)
        .bind(secret_hash(token))
        .bind(&link.label)
        .bind(to_i64(link.max_size))
        .bind(to_i64(link.max_files))
        .bind(to_i64(link.max_total))
        .bind(link.created_at)
        .bind(link.expires_at)
        .bind(password_hash)
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

impl Limits {
    /// `new`'s limits, or the defaults, refused when one cannot work or exceeds the
    /// owner's own.
    fn for_owner(owner: &User, new: &NewLink) -> Result<Self, LinkError> {
        let max_size = new.max_size.map_or(owner.max_size.bytes(), |s| s.bytes());
        if max_size == 0 || max_size > owner.max_size.bytes() {
            return Err(LinkError::Invalid(format!(
                "The largest file must be between 1 byte and your own limit of {}.",
                owner.max_size
            )));
        }
        let max_files = new.max_files.unwrap_or(DEFAULT_MAX_FILES);
        if max_files == 0 || max_files > 100_000 {
            return Err(LinkError::Invalid(
                "The number of files must be between 1 and 100,000.".to_owned(),
            ));
        }
        let ceiling = owner.quota.map_or(DEFAULT_MAX_TOTAL, |q| q.bytes());
        let max_total = new.max_total.map_or(ceiling, |t| t.bytes());
        if max_total == 0 || owner.quota.is_some_and(|q| max_total > q.bytes()) {
            return Err(LinkError::Invalid(format!(
                "The total must be at least one byte{}.",
                owner
                    .quota
                    .map(|q| format!(" and at most your quota of {q}"))
                    .unwrap_or_default()
            )));
        }
        let lifetime = new.lifetime_secs.unwrap_or(DEFAULT_LIFETIME_SECS);
        if !(1..=30 * 86_400).contains(&lifetime) {
            return Err(LinkError::Invalid(
                "A link lasts from one second to 30 days.".to_owned(),
            ));
        }
        Ok(Self {
            max_size,
            max_files,
            max_total,
            lifetime,
        })
    }
}

/// The hash of the password guests must give, refused when too short.
async fn password_hash(password: Option<SecretString>) -> Result<Option<String>, LinkError> {
    let Some(password) = password else {
        return Ok(None);
    };
    crate::accounts::check_password(&password).map_err(|_| {
        LinkError::Invalid(format!(
            "The link's password must be at least {} characters long.",
            crate::accounts::MIN_PASSWORD_LEN
        ))
    })?;
    Ok(Some(crate::accounts::hash_password(password).await?))
}
