//! Validated values: once a value has one of these types, it is valid.

mod byte_size;
mod key_prefix;
mod object_key;
mod ttl;
mod username;

pub use byte_size::ByteSize;
pub use key_prefix::{KeyPrefix, KeyPrefixError};
pub use object_key::{FileName, MAX_KEY_BYTES};
pub use ttl::PolicyTtl;
pub use username::Username;
