//! Why no form was signed: each a sentence for the person who asked.

use crate::domain::{ByteSize, FileName, FileNameError};
use crate::links::LinkError;
use crate::policy::PolicyError;
use crate::storage::StorageError;
use crate::usage::UsageError;

use super::asked;

/// Why no form was signed.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The account's quota is used up.
    #[error("Your storage quota of {0} is used up. Ask an admin for more room.")]
    QuotaUsedUp(ByteSize),
    /// Less of the quota is left than the form asks for (another form took it).
    #[error("Only {left} of your storage quota of {quota} is left.")]
    QuotaShort {
        /// What is left.
        left: ByteSize,
        /// The quota.
        quota: ByteSize,
    },
    /// The usage ledger has no row for the account yet: read it with
    /// [`FormSigner::uploader`](super::FormSigner::uploader) (which counts it) and sign again.
    #[error("Your storage use is not counted yet.")]
    NotCounted,
    /// A quota account's form must name its file (no `${filename}`).
    #[error("Choose the file first: with a quota, each form is signed for one named file.")]
    NameNeeded,
    /// The file's name cannot end a key.
    #[error(transparent)]
    BadName(#[from] FileNameError),
    /// The file is larger than the uploader may send.
    #[error("{}", asked::too_large(name, *size, *limit))]
    TooLarge {
        /// The file's name.
        name: FileName,
        /// Its size.
        size: ByteSize,
        /// The largest file allowed.
        limit: ByteSize,
    },
    /// The file has no bytes.
    #[error("{0} is empty; choose a file with content.")]
    Empty(FileName),
    /// The content type given is not one.
    #[error("{0:?} is not a valid content type.")]
    BadContentType(String),
    /// A guest link refused the file (closed, full, not unlocked).
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The bucket could not say how much is used, or no credentials were found.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The usage ledger could not be read or written.
    #[error("The usage ledger is unavailable ({0:#}).")]
    Ledger(anyhow::Error),
    /// The policy engine refused the request (a type not allowed, a key too long, or,
    /// a bug, an empty size range).
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl SigningError {
    /// Whether this refusal may be out of date when met with an
    /// [unsure](super::Uploader::unsure) uploader: it is about size or quota.
    pub(super) fn may_be_out_of_date(&self) -> bool {
        matches!(
            self,
            Self::TooLarge { .. }
                | Self::QuotaUsedUp(_)
                | Self::QuotaShort { .. }
                | Self::NotCounted
        )
    }
}

impl From<crate::files::FilesError> for SigningError {
    fn from(error: crate::files::FilesError) -> Self {
        match error {
            crate::files::FilesError::Storage(error) => Self::Storage(error),
            other => Self::Ledger(anyhow::Error::new(other)),
        }
    }
}

impl From<UsageError> for SigningError {
    fn from(error: UsageError) -> Self {
        match error {
            // Only `reserve` refuses, and `FormSigner::sign` maps that itself.
            UsageError::OverQuota { left } => Self::Ledger(anyhow::anyhow!(
                "a reservation was refused with {left} bytes left"
            )),
            UsageError::NotCounted => Self::NotCounted,
            UsageError::Database(error) => Self::Ledger(error),
        }
    }
}
