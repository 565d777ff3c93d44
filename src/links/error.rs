//! Why a link could not be made, found or used: each a sentence for the person who
//! asked.

use crate::accounts::AccountsError;
use crate::domain::ByteSize;
use crate::storage::StorageError;

/// Why a link could not be made, found or used.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// A limit that cannot work, or one over the owner's.
    #[error("{0}")]
    Invalid(String),
    /// No such link (or not the caller's).
    #[error("There is no link {0:?}.")]
    NotFound(String),
    /// No link has this token.
    #[error("There is no upload link at this address.")]
    UnknownToken,
    /// The link's time is up.
    #[error("This upload link has expired. Ask whoever sent it for a new one.")]
    Expired,
    /// Its owner revoked it.
    #[error("This upload link was withdrawn. Ask whoever sent it for a new one.")]
    Withdrawn,
    /// Its owner's account is disabled or gone, or it closed while a form was asked.
    #[error("This upload link no longer works. Ask whoever sent it for a new one.")]
    NoLongerWorks,
    /// It has a password this browser has not given lately.
    #[error("Give this link's password on its page first.")]
    Locked,
    /// Too many wrong passwords lately: wait this many seconds.
    #[error("Too many wrong passwords. Try again in {} minutes.", .0.div_ceil(60))]
    TooManyAttempts(u64),
    /// Every file it takes is received or held by an open form.
    #[error("{}", match max_files {
        1 => "This link takes one file, and has it.".to_owned(),
        most => format!("This link takes {most} files, and has them all."),
    })]
    HasAllFiles {
        /// Most files.
        max_files: u64,
    },
    /// Fewer bytes are left than the file has.
    #[error("{name} is {size}; only {left} are left on this link.")]
    NoRoom {
        /// The file's name.
        name: String,
        /// Its size.
        size: ByteSize,
        /// What is left.
        left: ByteSize,
    },
    /// The bucket could not say what a form's key holds.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The account store or the database failed.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

impl From<sqlx::Error> for LinkError {
    fn from(error: sqlx::Error) -> Self {
        Self::Accounts(AccountsError::from(error))
    }
}
