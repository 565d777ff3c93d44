//! The hot path of every signed-in request: the account behind it, from memory while
//! [`cache`](super::cache) says it is fresh; and an account read together with a row of
//! another table that names it, in one query (a request signed in by an API token reads
//! both at once).

use std::sync::Arc;

use sqlx::any::AnyRow;

use super::cache::Freshness;
use super::store::{COLUMNS, from_row};
use super::{AccountsError, User, UserStore};

/// A table whose rows each name one account, for [`UserStore::get_joined`].
#[derive(Debug, Clone, Copy)]
pub struct AccountJoin<'a> {
    /// The table's name.
    pub table: &'a str,
    /// Its column holding the account's name.
    pub owner: &'a str,
    /// Its column a row is found by.
    pub key: &'a str,
    /// Its columns to read, as in a `SELECT` list (`a, b, c`); none named like an
    /// account's.
    pub columns: &'a str,
}

impl UserStore {
    /// Whether what this store remembers may be used: [`Freshness::watch`] keeps it so
    /// while the app serves; [`Freshness::forget`] after a change made elsewhere.
    pub fn freshness(&self) -> &Freshness {
        self.memory.freshness()
    }

    /// The account behind a request: as [`UserStore::get`], from memory while it is
    /// fresh (the hot path of every signed-in request).
    /// Shared, not copied: every request of an account reads the same one.
    pub async fn signed_in(&self, name: &str) -> Result<Option<Arc<User>>, AccountsError> {
        if let Some(user) = self.memory.get(name) {
            return Ok(Some(user));
        }
        let generation = self.freshness().generation();
        let user = self.get(name).await?.map(Arc::new);
        if let Some(user) = &user {
            self.remember(generation, Arc::clone(user));
        }
        Ok(user)
    }

    /// Remembers `user`, read from the database in `generation`.
    pub(super) fn remember(&self, generation: Option<u64>, user: Arc<User>) {
        self.memory.put(generation, user.name.to_string(), user);
    }

    /// The row of `join.table` whose `join.key` column equals `key`, with the account
    /// it names, in one query: the account, and the whole row, whose `join.columns` the
    /// caller reads. The account is remembered as [`UserStore::signed_in`] does;
    /// `generation` is [`Freshness::generation`](super::cache::Freshness::generation)
    /// taken before.
    pub async fn get_joined(
        &self,
        join: &AccountJoin<'_>,
        key: &str,
        generation: Option<u64>,
    ) -> Result<Option<(Arc<User>, AnyRow)>, AccountsError> {
        let account = COLUMNS.split(", ").map(|column| format!("u.{column}"));
        let theirs = join.columns.split(", ").map(|column| format!("t.{column}"));
        let columns: Vec<String> = account.chain(theirs).collect();
        let sql = format!(
            "SELECT {} FROM {} t JOIN users u ON u.name = t.{} WHERE t.{} = $1",
            columns.join(", "),
            join.table,
            join.owner,
            join.key
        );
        let row = sqlx::query(&sql)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await?;
        match row {
            Some(row) => {
                let user = Arc::new(from_row(&row)?);
                self.remember(generation, Arc::clone(&user));
                Ok(Some((user, row)))
            }
            None => Ok(None),
        }
    }
}
