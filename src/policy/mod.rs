//! The POST policy engine: one [`PostForm`] value yields both the signed policy's
//! conditions and the form fields a browser posts, so the two can never drift apart.

mod form;
pub mod sigv4;
pub mod timefmt;

pub use form::{
    Condition, Credentials, FieldsJson, PolicyError, PolicySigner, PostForm, UploadRules,
    sign_policy,
};
