//! Reading an account together with a row of another table that names it, in one
//! query: the hot path of a request signed in by an API token reads both at once.

use sqlx::any::AnyRow;

use super::store::{COLUMNS, from_row};
use super::{AccountsError, User, UserStore};

impl UserStore {
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
