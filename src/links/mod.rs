//! Guest upload links: a token that lets someone without an account upload into
//! `<owner prefix>links/<id>/`, within the limits the owner chose (largest file, most
//! files, most bytes, an expiry). The token is stored as its SHA-256. Every guest form
//! is reserved against the link's files and bytes in one conditional UPDATE (so
//! re-posted forms and concurrent requests never pass the limits) and settled with what
//! the bucket holds once it expires. Creating and revoking go to the audit log.

mod create;
mod error;
mod guest;
mod ledger;

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

pub use error::LinkError;
pub use ledger::LinkForm;

use crate::accounts::UserStore;
use crate::db::{Database, unix_now};
use crate::domain::{ByteSize, KeyPrefix, to_u64};

/// A link's default number of files.
pub const DEFAULT_MAX_FILES: u64 = 100;
/// A link's default byte total without an owner quota.
pub const DEFAULT_MAX_TOTAL: u64 = 1_000_000_000;
/// A link's default lifetime.
pub const DEFAULT_LIFETIME_SECS: u64 = 7 * 86_400;

/// The address of the guest page of link `token` at `base` (the app's public URL).
pub fn url(base: &str, token: &str) -> String {
    format!("{}/u/{token}", base.trim_end_matches('/'))
}

/// The token in a guest page's address made by [`url`], if `text` is one.
pub fn token_in(text: &str) -> Option<&str> {
    text.rsplit_once("/u/")
        .map(|(_, token)| token.trim_end_matches('/'))
}

/// A link, as its owner sees it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Its ID (`/links/{id}`; what `revoke` takes).
    pub id: String,
    /// Whose space guests upload into.
    pub owner: String,
    /// What it is for (shown to guests).
    pub label: String,
    /// Largest file, in bytes.
    pub max_size: u64,
    /// Most files.
    pub max_files: u64,
    /// Most bytes in all.
    pub max_total: u64,
    /// Made at, in Unix seconds.
    pub created_at: i64,
    /// Stops working at, in Unix seconds.
    pub expires_at: i64,
    /// Revoked at.
    pub revoked_at: Option<i64>,
    /// Whether guests need a password.
    pub has_password: bool,
    /// Files received or still expected from open forms.
    pub files_held: u64,
    /// Bytes received or still expected from open forms.
    pub bytes_held: u64,
}

/// Whether a link can take uploads now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// It takes uploads.
    Open,
    /// Its time is up.
    Expired,
    /// Its owner revoked it.
    Revoked,
}

impl LinkState {
    /// `open`, `expired` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

impl Link {
    /// Where its guests' files land: `<owner prefix>links/<id>/`.
    pub fn folder(&self, owner_prefix: &KeyPrefix) -> KeyPrefix {
        KeyPrefix::parse(&format!("{owner_prefix}links/{}/", self.id))
            .expect("a prefix, `links/` and an alphanumeric ID make a prefix")
    }

    /// Open, expired or revoked at `now`.
    pub fn state(&self, now: i64) -> LinkState {
        if self.revoked_at.is_some() {
            LinkState::Revoked
        } else if self.expires_at <= now {
            LinkState::Expired
        } else {
            LinkState::Open
        }
    }

    /// Files guests may still send.
    pub fn files_left(&self) -> u64 {
        self.max_files.saturating_sub(self.files_held)
    }

    /// Bytes guests may still send.
    pub fn bytes_left(&self) -> u64 {
        self.max_total.saturating_sub(self.bytes_held)
    }
}

/// A new link's limits.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    /// What it is for.
    pub label: String,
    /// Largest file (default: the owner's).
    pub max_size: Option<ByteSize>,
    /// Most files (default 100).
    pub max_files: Option<u64>,
    /// Most bytes (default: the owner's quota, or 1 GB).
    pub max_total: Option<ByteSize>,
    /// Lifetime in seconds (default 7 days).
    pub lifetime_secs: Option<u64>,
    /// A password guests must give first (stored as an argon2id hash).
    pub password: Option<secrecy::SecretString>,
}

const COLUMNS: &str = "id, owner, label, max_size, max_files, max_total, created_at, \
                       expires_at, revoked_at, password_hash, files_held, bytes_held";

fn from_row(row: &AnyRow) -> Result<Link, sqlx::Error> {
    Ok(Link {
        id: row.try_get("id")?,
        owner: row.try_get("owner")?,
        label: row.try_get("label")?,
        max_size: to_u64(row.try_get::<i64, _>("max_size")?),
        max_files: to_u64(row.try_get::<i64, _>("max_files")?),
        max_total: to_u64(row.try_get::<i64, _>("max_total")?),
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        has_password: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
        files_held: to_u64(row.try_get::<i64, _>("files_held")?),
        bytes_held: to_u64(row.try_get::<i64, _>("bytes_held")?),
    })
}

/// The links in the database.
#[derive(Clone)]
pub struct LinkStore {
    db: Database,
    users: UserStore,
}

impl LinkStore {
    /// Links in `db`, their owners in `users`.
    pub fn new(db: Database, users: UserStore) -> Self {
        Self { db, users }
    }

    /// `owner`'s links, newest first.
    pub async fn list(&self, owner: &str) -> Result<Vec<Link>, LinkError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM links WHERE owner = $1 ORDER BY created_at DESC, id"
        ))
        .bind(owner)
        .fetch_all(self.db.pool())
        .await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// `owner`'s link `id` (another's is not found, as if it did not exist).
    pub async fn own(&self, owner: &str, id: &str) -> Result<Link, LinkError> {
        match self.get(id).await? {
            Some(link) if link.owner == owner => Ok(link),
            _ => Err(LinkError::NotFound(id.to_owned())),
        }
    }

    /// The link `id`.
    pub async fn get(&self, id: &str) -> Result<Option<Link>, LinkError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM links WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Whether `password` is link `id`'s (always false for a link without one).
    pub async fn check_password(
        &self,
        id: &str,
        password: secrecy::SecretString,
    ) -> Result<bool, LinkError> {
        let row = sqlx::query("SELECT password_hash FROM links WHERE id = $1")
            .bind(id)
            .fetch_optional(self.db.pool())
            .await?;
        let stored: Option<String> = match row {
            Some(row) => row.try_get("password_hash")?,
            None => None,
        };
        let Some(stored) = stored else {
            return Ok(false);
        };
        Ok(crate::accounts::verify_password(password, Some(stored)).await?)
    }

    /// The link whose token is `token`, whatever its state.
    pub async fn by_token(&self, token: &str) -> Result<Option<Link>, LinkError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM links WHERE token_hash = $1"
        ))
        .bind(crate::accounts::secret_hash(token))
        .fetch_optional(self.db.pool())
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Revokes link `id` (`actor` did it); with `owner`, only if it is theirs.
    pub async fn revoke(
        &self,
        actor: &str,
        id: &str,
        owner: Option<&str>,
    ) -> Result<Link, LinkError> {
        let link = match self.get(id).await? {
            Some(link) if owner.is_none_or(|owner| owner == link.owner) => link,
            _ => return Err(LinkError::NotFound(id.to_owned())),
        };
        sqlx::query("UPDATE links SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(unix_now())
            .execute(self.db.pool())
            .await?;
        if let Some(user) = self.users.get(&link.owner).await? {
            let details = json!({ "link": link.id, "label": link.label });
            self.users
                .log_event(actor, "revoke link", &user.name, details)
                .await?;
        }
        Ok(link)
    }
}
