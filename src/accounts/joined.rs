//! The hot path of every signed-in request: the account behind it, from memory while
//! [`fresh`](super::fresh) says it is fresh; and an account read together with a row of
//! another table that names it, in one query (a request signed in by an API token reads
//! both at once).

use sqlx::any::AnyRow;

use super::fresh::Freshness;
use super::store::{COLUMNS, from_row};
use super::{AccountsError, User, UserStore};

impl UserStore {
    /// Whether what this store remembers may be used: [`Freshness::watch`] keeps it so
    /// while the app serves; [`Freshness::forget`] after a change made elsewhere.
    pub fn freshness(&self) -> &Freshness {
        self.memory.freshness()
    }

    /// The account behind a request: as [`UserStore::get`], from memory while it is
    /// fresh (the hot path of every signed-in request).
    pub async fn signed_in(&self, name: &str) -> Result<Option<User>, AccountsError> {
        if let Some(user) = self.memory.get(name) {
            return Ok(Some(user));
        }
        let generation = self.freshness().generation();
        let user = self.get(name).await?;
        if let Some(user) = &user {
            self.remember(generation, user.clone());
        }
        Ok(user)
    }

    /// Remembers `user`, read from the database in `generation`.
    pub(super) fn remember(&self, generation: Option<u64>, user: User) {
        self.memory.put(generation, user.name.to_string(), user);
    }

    /// The account joined as `u` by `from_where` (a `FROM … JOIN users u ON … WHERE …`
    /// clause written by the caller, with one parameter `$1` bound to `key`), and the
    /// whole row, whose `extra` columns (none named like an account's) the caller reads.
    /// The account is remembered as [`UserStore::signed_in`] does; `generation` is
    /// [`Freshness::generation`](super::fresh::Freshness::generation) taken before.
    pub async fn get_joined(
        &self,
        extra: &str,
        from_where: &str,
        key: &str,
        generation: Option<u64>,
    ) -> Result<Option<(User, AnyRow)>, AccountsError> {
        let columns: Vec<String> = COLUMNS
            .split(", ")
            .map(|column| format!("u.{column}"))
            .collect();
        let sql = format!("SELECT {}, {extra} {from_where}", columns.join(", "));
        let row = sqlx::query(&sql)
            .bind(key)
            .fetch_optional(self.db.pool())
            .await?;
        match row {
            Some(row) => {
                let user = from_row(&row)?;
                self.remember(generation, user.clone());
                Ok(Some((user, row)))
            }
            None => Ok(None),
        }
    }
}
