use serde::Serialize;

use super::AccountsError;
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

    /// The role a stored name stands for (anything but `admin` is a user).
    pub fn from_stored(text: &str) -> Self {
        if text == "admin" {
            Self::Admin
        } else {
            Self::User
        }
    }
}

/// An account as stored (without its password hash), its values parsed once when read.
/// Serialized as the audit log records it.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// The sign-in name.
    pub name: Username,
    /// Admin or user.
    pub role: Role,
    /// Every key they write starts with this.
    pub prefix: KeyPrefix,
    /// Largest file.
    pub max_size: ByteSize,
    /// Allowed content types start with this ("" for any).
    pub content_type_prefix: String,
    /// Most bytes they may store in all, if limited.
    pub quota: Option<ByteSize>,
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
    pub password: secrecy::SecretString,
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

/// The longest content type prefix accepted (content types are at most 255 bytes).
pub const MAX_CONTENT_TYPE_PREFIX_LEN: usize = 100;

/// Refuses limits that would make every policy fail, and content type prefixes that
/// could not start a real content type.
pub(super) fn check_limits(
    max_size: ByteSize,
    content_type_prefix: &str,
    quota: Option<ByteSize>,
) -> Result<(), AccountsError> {
    if max_size.bytes() == 0 {
        return Err(AccountsError::Invalid(
            "The largest file must be at least 1 byte.".to_owned(),
        ));
    }
    if quota.is_some_and(|q| q.bytes() == 0) {
        return Err(AccountsError::Invalid(
            "A quota must be at least 1 byte (disable the account to stop all uploads).".to_owned(),
        ));
    }
    if content_type_prefix.len() > MAX_CONTENT_TYPE_PREFIX_LEN
        || !content_type_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/.+-_".contains(&b))
    {
        return Err(AccountsError::Invalid(format!(
            "{:?} is not a content type prefix: use letters, digits and / . + - _ only, \
             like image/ or application/pdf.",
            content_type_prefix.chars().take(80).collect::<String>()
        )));
    }
    Ok(())
}
