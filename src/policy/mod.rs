//! The POST policy engine, pure and vector-tested: one
//! [`PostForm`](crate::policy::PostForm) value yields both the signed policy's
//! conditions and the form fields a browser posts, so the two can never drift apart.

mod conditions;
mod form;
mod signer;
pub mod sigv4;
pub mod timefmt;

use conditions::PolicyDocument;
pub use conditions::{Condition, PolicyError, UploadRules};
pub use form::{FieldsJson, PostForm};
pub use signer::{Credentials, PolicySigner, sign_policy};
