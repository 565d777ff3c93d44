//! Accounts: who may sign in, their prefix and limits, passwords, the audit log of
//! every change, the sign-in limiter and the first admin. Everything here talks to the
//! database; nothing here knows HTTP.

mod audit;
mod bootstrap;
pub mod cache;
mod error;
mod issued;
mod joined;
mod limiter;
mod password;
mod store;
mod user;

pub use audit::AuditEntry;
pub use bootstrap::ensure_first_admin;
pub use error::AccountsError;
pub use issued::{MAX_LABEL_LEN, label, new_public_id, new_secret, secret_hash};
pub use joined::AccountJoin;
pub use limiter::{Attempt, LoginLimiter};
pub use password::{
    MIN_PASSWORD_LEN, check as check_password, generate_password, hash as hash_password,
    verify as verify_password,
};
pub use store::UserStore;
pub use user::{MAX_CONTENT_TYPE_PREFIX_LEN, NewUser, Role, User, UserChanges};
