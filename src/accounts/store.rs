//! Accounts in the database: create, read, change, authenticate.

use secrecy::SecretString;
use sqlx::Row;
use sqlx::any::AnyRow;

use std::sync::Arc;

use super::cache::{Freshness, Memory, commit_change};
use super::user::check_limits;
use super::{AccountsError, AuditEntry, NewUser, Role, User, UserChanges, audit, password};
use crate::db::{Database, unix_now};
use crate::domain::{ByteSize, KeyPrefix, Username, to_i64, to_u64};

pub(super) const COLUMNS: &str =
    "name, role, prefix, max_size, content_type_prefix, quota, disabled, session_epoch";

/// Accounts in the database, and what this instance remembers of them (see
/// [`cache`](super::cache)). Clones share the memory.
#[derive(Clone)]
pub struct UserStore {
    pub(super) db: Database,
    pub(super) memory: Arc<Memory<String, Arc<User>>>,
}

impl UserStore {
    /// The store over `db`, remembering nothing until its freshness is checked.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            memory: Arc::new(Memory::new(Freshness::default())),
        }
    }

    /// One account.
    pub async fn get(&self, name: &str) -> Result<Option<User>, AccountsError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE name = $1"))
            .bind(name)
            .fetch_optional(self.db.pool())
            .await?;
        row.map(|r| from_row(&r)).transpose()
    }

    /// Every account, by name.
    pub async fn list(&self) -> Result<Vec<User>, AccountsError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY name"))
            .fetch_all(self.db.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Whether any enabled admin exists.
    pub async fn has_admin(&self) -> Result<bool, AccountsError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(self.db.pool())
                .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Creates an account, recording `actor` in the audit log.
    pub async fn create(&self, actor: &str, new: NewUser) -> Result<User, AccountsError> {
        password::check(&new.password)?;
        check_limits(new.max_size, &new.content_type_prefix, new.quota)?;
        if self.get(new.name.as_str()).await?.is_some() {
            return Err(AccountsError::Exists(new.name.to_string()));
        }
        self.check_prefix(&new.prefix, None).await?;
        let hash = password::hash(new.password).await?;
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
                AccountsError::Exists(new.name.to_string())
            }
            _ => e.into(),
        })?;
        let user = self.require(new.name.as_str()).await?;
        audit::record(
            &self.db,
            actor,
            "create user",
            &user.name,
            None,
            Some(&user),
        )
        .await?;
        Ok(user)
    }

    /// Applies `changes` to `name`, recording `actor` in the audit log.
    pub async fn update(
        &self,
        actor: &str,
        name: &str,
        changes: UserChanges,
    ) -> Result<User, AccountsError> {
        let before = self.require(name).await?;
        if let Some(prefix) = &changes.prefix {
            self.check_prefix(prefix, Some(name)).await?;
        }
        let after = changed(&before, changes);
        check_limits(after.max_size, &after.content_type_prefix, after.quota)?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET prefix = $1, max_size = $2, content_type_prefix = $3, quota = $4, \
             disabled = $5, session_epoch = $6, role = $7, updated_at = $8 WHERE name = $9",
        )
        .bind(after.prefix.as_str())
        .bind(to_i64(after.max_size.bytes()))
        .bind(after.content_type_prefix.as_str())
        .bind(after.quota.map(|q| to_i64(q.bytes())))
        .bind(i64::from(after.disabled))
        .bind(after.session_epoch)
        .bind(after.role.as_str())
        .bind(unix_now())
        .bind(name)
        .execute(&mut *tx)
        .await?;
        commit_change(tx, self.freshness()).await?;
        let action = match (before.disabled, after.disabled) {
            (false, true) => "disable user",
            (true, false) => "enable user",
            _ => "update user",
        };
        audit::record(
            &self.db,
            actor,
            action,
            &after.name,
            Some(&before),
            Some(&after),
        )
        .await?;
        Ok(after)
    }

    /// Sets a new password and ends the account's sessions.
    pub async fn set_password(
        &self,
        actor: &str,
        name: &str,
        password: SecretString,
    ) -> Result<(), AccountsError> {
        password::check(&password)?;
        let user = self.require(name).await?;
        let hash = password::hash(password).await?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 \
             WHERE name = $3",
        )
        .bind(hash)
        .bind(unix_now())
        .bind(name)
        .execute(&mut *tx)
        .await?;
        commit_change(tx, self.freshness()).await?;
        audit::record(&self.db, actor, "reset password", &user.name, None, None).await
    }

    /// The account, if `password` is its password and it is enabled. Takes as long for
    /// unknown names as for known ones, so it tells nothing about who exists.
    pub async fn authenticate(
        &self,
        name: &str,
        password: SecretString,
    ) -> Result<Option<User>, AccountsError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(self.db.pool())
        .await?;
        let (user, hash) = match &row {
            Some(row) => (Some(from_row(row)?), Some(row.try_get("password_hash")?)),
            None => (None, None),
        };
        let matches = password::verify(password, hash).await?;
        Ok(user.filter(|u| matches && !u.disabled))
    }

    /// The latest audit entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, AccountsError> {
        audit::latest(&self.db, None, limit).await
    }

    /// The latest audit entries about one account, newest first.
    pub async fn audit_log_of(
        &self,
        subject: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, AccountsError> {
        audit::latest(&self.db, Some(subject), limit).await
    }

    async fn require(&self, name: &str) -> Result<User, AccountsError> {
        self.get(name)
            .await?
            .ok_or_else(|| AccountsError::NotFound(name.to_owned()))
    }

    /// Refuses a prefix that contains, or lies inside, another user's prefix.
    async fn check_prefix(
        &self,
        prefix: &KeyPrefix,
        except: Option<&str>,
    ) -> Result<(), AccountsError> {
        let prefix = prefix.as_str();
        for other in self.list().await? {
            if Some(other.name.as_str()) == except {
                continue;
            }
            let theirs = other.prefix.as_str();
            if prefix.starts_with(theirs) || theirs.starts_with(prefix) {
                return Err(AccountsError::PrefixOverlaps {
                    prefix: prefix.to_owned(),
                    other: other.name.to_string(),
                    other_prefix: theirs.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// `before` with `changes` applied; disabling ends the account's sessions.
fn changed(before: &User, changes: UserChanges) -> User {
    let mut after = before.clone();
    if let Some(prefix) = changes.prefix {
        after.prefix = prefix;
    }
    if let Some(size) = changes.max_size {
        after.max_size = size;
    }
    if let Some(content_type_prefix) = changes.content_type_prefix {
        after.content_type_prefix = content_type_prefix;
    }
    if let Some(quota) = changes.quota {
        after.quota = quota;
    }
    if let Some(role) = changes.role {
        after.role = role;
    }
    if let Some(disabled) = changes.disabled {
        if disabled && !before.disabled {
            after.session_epoch += 1;
        }
        after.disabled = disabled;
    }
    after
}

/// An account row, its values parsed once, here.
pub(super) fn from_row(row: &AnyRow) -> Result<User, AccountsError> {
    let name: String = row.try_get("name")?;
    let corrupt = |what: String| AccountsError::Database(anyhow::anyhow!(what));
    let prefix: String = row.try_get("prefix")?;
    Ok(User {
        name: Username::parse(&name)
            .map_err(|e| corrupt(format!("a stored account name is invalid: {e}")))?,
        role: Role::from_stored(&row.try_get::<String, _>("role")?),
        prefix: KeyPrefix::parse(&prefix)
            .map_err(|e| corrupt(format!("the stored prefix of {name:?} is invalid: {e}")))?,
        max_size: ByteSize::from_bytes(row.try_get::<i64, _>("max_size").map(to_u64)?),
        content_type_prefix: row.try_get("content_type_prefix")?,
        quota: row
            .try_get::<Option<i64>, _>("quota")?
            .map(|quota| ByteSize::from_bytes(to_u64(quota))),
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        session_epoch: row.try_get("session_epoch")?,
    })
}
