//! Personal API tokens: `pbx_` and 40 random characters, shown once, stored only as
//! their SHA-256. A token signs its owner in on `/api/*` (`Authorization: Bearer`) while
//! it is neither revoked nor expired and its owner is not disabled. Creating and
//! revoking go to the audit log.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::accounts::cache::{Memory, commit_change};
use crate::accounts::{
    AccountJoin, AccountsError, MAX_LABEL_LEN, User, UserStore, new_public_id, new_secret,
    secret_hash,
};
use crate::db::{Database, unix_now};
use crate::domain::to_i64;

/// What every token starts with, so leaked ones are recognisable (and scannable).
pub const TOKEN_PREFIX: &str = "pbx_";
/// `last_used_at` is written at most this often per token (a read-only hot path).
const LAST_USED_EVERY: i64 = 60;

/// A token as lists show it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenInfo {
    /// Its ID (what `revoke` takes).
    pub id: String,
    /// Whose it is.
    pub username: String,
    /// What it is for.
    pub label: String,
    /// When it was made, in Unix seconds.
    pub created_at: i64,
    /// When it last signed a request in (to the minute).
    pub last_used_at: Option<i64>,
    /// When it stops working.
    pub expires_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
}

impl TokenInfo {
    /// Whether it still signs requests in at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }

    /// `active`, `expired` or `revoked` at `now`.
    pub fn state(&self, now: i64) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.is_live(now) {
            "active"
        } else {
            "expired"
        }
    }
}

/// Why a token could not be made, found or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// A label that is empty, too long or has control characters.
    #[error("The label must be 1 to {MAX_LABEL_LEN} characters, without control characters.")]
    BadLabel,
    /// No such token (or not the caller's).
    #[error("There is no token {0:?}.")]
    NotFound(String),
    /// The account store or the database failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

impl From<sqlx::Error> for TokenError {
    fn from(error: sqlx::Error) -> Self {
        Self::Accounts(AccountsError::from(error))
    }
}

/// The tokens in the database, and the live ones this instance remembers (by hash;
/// forgotten with the accounts: see [`crate::accounts::cache`]).
#[derive(Clone)]
pub struct TokenStore {
    db: Database,
    users: UserStore,
    memory: Arc<Memory<String, TokenInfo>>,
}

const COLUMNS: &str = "id, username, label, created_at, last_used_at, expires_at, revoked_at";

/// A token found by its hash, read with its owner's account.
const BY_HASH: AccountJoin<'static> = AccountJoin {
    table: "api_tokens",
    owner: "username",
    key: "token_hash",
    columns: COLUMNS,
};

fn from_row(row: &AnyRow) -> Result<TokenInfo, sqlx::Error> {
    Ok(TokenInfo {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        label: row.try_get("label")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

impl TokenStore {
    /// Tokens in `db`, their owners in `users`.
    pub fn new(db: Database, users: UserStore) -> Self {
        let memory = Arc::new(Memory::new(users.freshness().clone()));
        Self { db, users, memory }
    }

    /// Makes a token for `owner` (`actor` did it): its info, and the token, which is
    /// never stored and must be shown now.
    pub async fn create(
        &self,
        actor: &str,
        owner: &User,
        label: &str,
        expires_in: Option<Duration>,
    ) -> Result<(TokenInfo, String), TokenError> {
        let label = crate::accounts::label(label).ok_or(TokenError::BadLabel)?;
        let token = format!("{TOKEN_PREFIX}{}", new_secret());
        let now = unix_now();
        let info = TokenInfo {
            id: new_public_id(),
            username: owner.name.to_string(),
            label: label.to_owned(),
            created_at: now,
            last_used_at: None,
            expires_at: expires_in.map(|d| now.saturating_add(to_i64(d.as_secs()))),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, username, label, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&info.id)
        .bind(&info.username)
        .bind(&info.label)
        .bind(secret_hash(&token))
        .bind(now)
        .bind(info.expires_at)
        .execute(self.db.pool())
        .await?;
        let details =
            json!({ "token": info.id, "label": info.label, "expires_at": info.expires_at });
        self.users
            .log_event(actor, "create token", &owner.name, details)
            .await?;
        Ok((info, token))
    }

    /// `username`'s tokens, newest first.
    pub async fn list(&self, username: &str) -> Result<Vec<TokenInfo>, TokenError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE username = $1 ORDER BY created_at DESC, id"
        ))
        .bind(username)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Revokes token `id` (`actor` did it); with `owner`, only if it is theirs.
    pub async fn revoke(
        &self,
        actor: &str,
        id: &str,
        owner: Option<&str>,
    ) -> Result<TokenInfo, TokenError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        let info = match row {
            Some(row) => from_row(&row)?,
            None => return Err(TokenError::NotFound(id.to_owned())),
        };
        if owner.is_some_and(|owner| owner != info.username) {
            return Err(TokenError::NotFound(id.to_owned()));
        }
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(unix_now())
            .execute(&mut *tx)
            .await?;
        commit_change(tx, self.users.freshness()).await?;
        let Some(user) = self.users.get(&info.username).await? else {
            return Ok(info);
        };
        let details = json!({ "token": info.id, "label": info.label });
        self.users
            .log_event(actor, "revoke token", &user.name, details)
            .await?;
        Ok(info)
    }

    /// The live account `token` signs in, or `None` (unknown, revoked, expired, or its
    /// owner disabled or gone). From memory while it is fresh; otherwise one query for
    /// the token and its owner.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Arc<User>>, TokenError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = secret_hash(token);
        let generation = self.users.freshness().generation();
        let remembered = self.memory.get(&hash);
        let mut remember = remembered.is_none();
        let (mut info, user) = match remembered {
            Some(info) => match self.users.signed_in(&info.username).await? {
                Some(user) => (info, user),
                None => return Ok(None),
            },
            None => {
                let found = self.users.get_joined(&BY_HASH, &hash, generation).await?;
                let Some((user, row)) = found else {
                    return Ok(None);
                };
                (from_row(&row)?, user)
            }
        };
        let now = unix_now();
        if !info.is_live(now) || user.disabled {
            return Ok(None);
        }
        if info
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USED_EVERY)
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(&info.id)
                .bind(now)
                .execute(self.db.pool())
                .await?;
            info.last_used_at = Some(now);
            remember = true;
        }
        if remember {
            self.memory.put(generation, hash, info);
        }
        Ok(Some(user))
    }
}
