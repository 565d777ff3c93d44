use super::password::MIN_PASSWORD_LEN;

/// Why an account operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// No such account.
    #[error("There is no user named {0:?}.")]
    NotFound(String),
    /// The name is taken.
    #[error("A user named {0:?} already exists.")]
    Exists(String),
    /// Prefixes may not nest: one user could write into the other's files.
    #[error(
        "The prefix {prefix:?} overlaps {other:?}'s prefix {other_prefix:?}: \
         prefixes may not contain one another."
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
    #[error("The password must be at least {MIN_PASSWORD_LEN} characters long.")]
    WeakPassword,
    /// The database failed, or holds something it should not.
    #[error(transparent)]
    Database(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AccountsError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(anyhow::Error::new(error).context("an account query failed"))
    }
}
