//! Accounts: who may sign in, their prefix and limits, and the audit log of every
//! change an admin makes.

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Database, unix_now};
use crate::domain::{ByteSize, KeyPrefix, Username};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages users.
    Admin,
    /// Uploads under their own prefix.
    User,
}

impl Role {
    /// The name stored and shown: `admin` or `user`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
        }
    }
}

/// An account as stored (without its password hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// The sign-in name.
    pub name: String,
    /// Admin or user.
    pub role: Role,
    /// Every key they write starts with this.
    pub prefix: String,
    /// Largest file, in bytes.
    pub max_size: u64,
    /// Allowed content types start with this ("" for any).
    pub content_type_prefix: String,
    /// Most bytes they may store in all, if limited.
    pub quota: Option<u64>,
    /// A disabled account cannot sign in, and its sessions stop working.
    pub disabled: bool,
    /// Sessions from an older epoch are no longer valid.
    #[serde(skip)]
    pub session_epoch: i64,
}

impl User {
    /// Whether the account manages users.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The validated prefix.
    pub fn key_prefix(&self) -> anyhow::Result<KeyPrefix> {
        KeyPrefix::parse(&self.prefix).context("a stored prefix is invalid")
    }
}

/// A new account.
pub struct NewUser {
    /// The sign-in name.
    pub name: Username,
    /// Admin or user.
    pub role: Role,
    /// Their prefix.
    pub prefix: KeyPrefix,
    /// Their largest file.
    pub max_size: ByteSize,
    /// Allowed content types start with this.
    pub content_type_prefix: String,
    /// Most bytes in all.
    pub quota: Option<ByteSize>,
    /// Their password.
    pub password: SecretString,
}

/// Changes to an account; `None` leaves a setting as it is.
#[derive(Default)]
pub struct UserChanges {
    /// A new prefix.
    pub prefix: Option<KeyPrefix>,
    /// A new largest file.
    pub max_size: Option<ByteSize>,
    /// A new content type prefix.
    pub content_type_prefix: Option<String>,
    /// A new quota (`Some(None)` removes it).
    pub quota: Option<Option<ByteSize>>,
    /// Disable or re-enable.
    pub disabled: Option<bool>,
    /// A new role.
    pub role: Option<Role>,
}

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// No such account.
    #[error("there is no user named {0:?}")]
    NotFound(String),
    /// The name is taken.
    #[error("a user named {0:?} already exists")]
    Exists(String),
    /// Prefixes may not nest: one user could write into the other's files.
    #[error(
        "the prefix {prefix:?} overlaps {other:?}'s prefix {other_prefix:?}: \
         prefixes may not contain one another"
    )]
    PrefixOverlaps {
        /// The prefix asked for.
        prefix: String,
        /// Who has the overlapping one.
        other: String,
        /// Their prefix.
        other_prefix: String,
    },
    /// A limit or setting that cannot work (a zero size, a malformed content type).
    #[error("{0}")]
    Invalid(String),
    /// A password too short to keep anyone out.
    #[error("the password must be at least {MIN_PASSWORD_LEN} characters long")]
    WeakPassword,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

impl From<sqlx::Error> for UserError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(anyhow::Error::new(error).context("a user query failed"))
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// When, in Unix seconds.
    pub at: i64,
    /// Who did it.
    pub actor: String,
    /// What they did.
    pub action: String,
    /// To which account.
    pub subject: String,
    /// The account before, as JSON.
    pub before: Option<String>,
    /// The account after, as JSON.
    pub after: Option<String>,
}

const COLUMNS: &str =
    "name, role, prefix, max_size, content_type_prefix, quota, disabled, session_epoch";

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Accounts in the database.
#[derive(Clone)]
pub struct UserStore {
    db: Database,
}

impl UserStore {
    /// The store over `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// One account.
    pub async fn get(&self, name: &str) -> Result<Option<User>, UserError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| from_row(&r)).transpose()
    }

    /// Every account, by name.
    pub async fn list(&self) -> Result<Vec<User>, UserError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY name"))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Whether any enabled admin exists.
    pub async fn has_admin(&self) -> Result<bool, UserError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(self.db.pool())
                .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Creates an account, recording `actor` in the audit log.
    pub async fn create(&self, actor: &str, new: NewUser) -> Result<User, UserError> {
        check_password(&new.password)?;
        check_limits(
            new.max_size,
            &new.content_type_prefix,
            new.quota.as_ref().map(|q| q.bytes()),
        )?;
        if self.get(new.name.as_str()).await?.is_some() {
            return Err(UserError::Exists(new.name.to_string()));
        }
        self.check_prefix(new.prefix.as_str(), None).await?;
        let hash = hash_password(new.password).await?;
        let now = unix_now();
        sqlx::query(
            "INSERT INTO users (name, password_hash, role, prefix, max_size, content_type_prefix, \
             quota, disabled, session_epoch, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $8)",
        )
        .bind(new.name.as_str())
        .bind(hash)
        .bind(new.role.as_str())
        .bind(new.prefix.as_str())
        .bind(to_i64(new.max_size.bytes()))
        .bind(new.content_type_prefix.as_str())
        .bind(new.quota.map(|q| to_i64(q.bytes())))
        .bind(now)
        .execute(self.db.pool())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                UserError::Exists(new.name.to_string())
            }
            _ => e.into(),
        })?;
        let user = self.require(new.name.as_str()).await?;
        self.audit(actor, "create user", &user.name, None, Some(&user))
            .await?;
        Ok(user)
    }

    /// Applies `changes` to `name`, recording `actor` in the audit log.
    pub async fn update(
        &self,
        actor: &str,
        name: &str,
        changes: UserChanges,
    ) -> Result<User, UserError> {
        let before = self.require(name).await?;
        if let Some(prefix) = &changes.prefix {
            self.check_prefix(prefix.as_str(), Some(name)).await?;
        }
        let mut after = before.clone();
        if let Some(prefix) = changes.prefix {
            after.prefix = prefix.to_string();
        }
        if let Some(size) = changes.max_size {
            after.max_size = size.bytes();
        }
        if let Some(content_type_prefix) = changes.content_type_prefix {
            after.content_type_prefix = content_type_prefix;
        }
        if let Some(quota) = changes.quota {
            after.quota = quota.map(ByteSize::bytes);
        }
        if let Some(role) = changes.role {
            after.role = role;
        }
        let disabling = changes.disabled == Some(true) && !before.disabled;
        if let Some(disabled) = changes.disabled {
            after.disabled = disabled;
        }
        if disabling {
            after.session_epoch += 1;
        }
        check_limits(
            ByteSize::from_bytes(after.max_size),
            &after.content_type_prefix,
            after.quota,
        )?;
        sqlx::query(
            "UPDATE users SET prefix = $1, max_size = $2, content_type_prefix = $3, quota = $4, \
             disabled = $5, session_epoch = $6, role = $7, updated_at = $8 WHERE name = $9",
        )
        .bind(after.prefix.as_str())
        .bind(to_i64(after.max_size))
        .bind(after.content_type_prefix.as_str())
        .bind(after.quota.map(to_i64))
        .bind(i64::from(after.disabled))
        .bind(after.session_epoch)
        .bind(after.role.as_str())
        .bind(unix_now())
        .bind(name)
        .execute(self.db.pool())
        .await?;
        let action = match (before.disabled, after.disabled) {
            (false, true) => "disable user",
            (true, false) => "enable user",
            _ => "update user",
        };
        self.audit(actor, action, name, Some(&before), Some(&after))
            .await?;
        Ok(after)
    }

    /// Sets a new password and ends the account's sessions.
    pub async fn set_password(
        &self,
        actor: &str,
        name: &str,
        password: SecretString,
    ) -> Result<(), UserError> {
        check_password(&password)?;
        let user = self.require(name).await?;
        let hash = hash_password(password).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 \
             WHERE name = $3",
        )
        .bind(hash)
        .bind(unix_now())
        .bind(name)
        .execute(self.db.pool())
        .await?;
        self.audit(actor, "reset password", &user.name, None, None)
            .await
    }

    /// The account, if `password` is its password and it is enabled. Takes as long for
    /// unknown names as for known ones, so it tells nothing about who exists.
    pub async fn authenticate(
        &self,
        name: &str,
        password: SecretString,
    ) -> Result<Option<User>, UserError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(self.db.pool())
        .await?;
        let (user, hash) = match &row {
            Some(row) => (
                Some(from_row(row)?),
                row.try_get::<String, _>("password_hash")?,
            ),
            None => (None, dummy_hash().to_owned()),
        };
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.expose_secret().as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
        .context("password check panicked")?;
        Ok(user.filter(|u| matches && !u.disabled))
    }

    /// The latest audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, UserError> {
        let rows = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    /// The latest audit entries about one account, newest first.
    pub async fn audit_log_of(
        &self,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, UserError> {
        let rows = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE subject = $1 \
             ORDER BY at DESC, id DESC LIMIT $2"
        ))
        .bind(subject)
        .bind(limit)
        .fetch_all(self.db.pool())
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn require(&self, name: &str) -> Result<User, UserError> {
        self.get(name)
            .await?
            .ok_or_else(|| UserError::NotFound(name.to_owned()))
    }

    /// Refuses a prefix that contains, or lies inside, another user's prefix.
    async fn check_prefix(&self, prefix: &str, except: Option<&str>) -> Result<(), UserError> {
        for other in self.list().await? {
            if Some(other.name.as_str()) == except {
                continue;
            }
            if prefix.starts_with(&other.prefix) || other.prefix.starts_with(prefix) {
                return Err(UserError::PrefixOverlaps {
                    prefix: prefix.to_owned(),
                    other: other.name,
                    other_prefix: other.prefix,
                });
            }
        }
        Ok(())
    }

    async fn audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        before: Option<&User>,
        after: Option<&User>,
    ) -> Result<(), UserError> {
        let to_json = |user: Option<&User>| user.and_then(|u| serde_json::to_string(u).ok());
        let now = time::OffsetDateTime::now_utc();
        // The log is read `ORDER BY at DESC, id DESC` and `at` holds whole seconds: the
        // id starts with the time in fixed-width nanoseconds, so entries written within
        // one second still list newest first.
        let id = format!(
            "{:024x}{:016x}",
            now.unix_timestamp_nanos(),
            rand::random::<u64>()
        );
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, subject, before_state, after_state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(now.unix_timestamp())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(to_json(before))
        .bind(to_json(after))
        .execute(self.db.pool())
        .await?;
        Ok(())
    }
}

const AUDIT_COLUMNS: &str = "at, actor, action, subject, before_state, after_state";

fn audit_from_row(row: &AnyRow) -> Result<AuditEntry, UserError> {
    Ok(AuditEntry {
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        before: row.try_get("before_state")?,
        after: row.try_get("after_state")?,
    })
}

fn from_row(row: &AnyRow) -> Result<User, UserError> {
    let role = match row.try_get::<String, _>("role")?.as_str() {
        "admin" => Role::Admin,
        _ => Role::User,
    };
    Ok(User {
        name: row.try_get("name")?,
        role,
        prefix: row.try_get("prefix")?,
        max_size: row.try_get::<i64, _>("max_size")?.max(0) as u64,
        content_type_prefix: row.try_get("content_type_prefix")?,
        quota: row
            .try_get::<Option<i64>, _>("quota")?
            .map(|q| q.max(0) as u64),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        session_epoch: row.try_get("session_epoch")?,
    })
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The longest content type prefix accepted (content types are at most 255 bytes).
pub const MAX_CONTENT_TYPE_PREFIX_LEN: usize = 100;

/// Refuses limits that would make every policy fail, and content type prefixes that
/// could not start a real content type.
fn check_limits(
    max_size: ByteSize,
    content_type_prefix: &str,
    quota: Option<u64>,
) -> Result<(), UserError> {
    if max_size.bytes() == 0 {
        return Err(UserError::Invalid(
            "the largest file must be at least 1 byte".to_owned(),
        ));
    }
    if quota == Some(0) {
        return Err(UserError::Invalid(
            "a quota must be at least 1 byte (disable the account to stop all uploads)".to_owned(),
        ));
    }
    if content_type_prefix.len() > MAX_CONTENT_TYPE_PREFIX_LEN
        || !content_type_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/.+-_".contains(&b))
    {
        return Err(UserError::Invalid(format!(
            "{:?} is not a content type prefix: use letters, digits and / . + - _ only, \
             like image/ or application/pdf",
            content_type_prefix.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}

fn check_password(password: &SecretString) -> Result<(), UserError> {
    if password.expose_secret().chars().count() < MIN_PASSWORD_LEN {
        return Err(UserError::WeakPassword);
    }
    Ok(())
}

async fn hash_password(password: SecretString) -> Result<String, UserError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
    })
    .await
    .context("password hashing panicked")?
    .map_err(UserError::Database)
}

/// A valid argon2id hash of a random password, checked against when the name is
/// unknown so both paths cost the same.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(rand::random::<u64>().to_string().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// A random password for a first admin or a reset: 20 characters, easy to type.
pub fn generate_password() -> SecretString {
    use rand::distr::{Alphanumeric, SampleString};
    SecretString::from(Alphanumeric.sample_string(&mut rand::rng(), 20))
}
