//! Validated values: once a value has one of these types, it is valid.

mod byte_size;
mod file_name;
mod key_prefix;
mod object_key;
mod origin;
mod ttl;
mod username;

pub use byte_size::ByteSize;
pub use file_name::{FileName, FileNameError};
pub use key_prefix::{KeyPrefix, KeyPrefixError};
pub use object_key::{MAX_KEY_BYTES, ObjectKey, ObjectKeyError, check_list_prefix};
pub use origin::origin;
pub use ttl::{Lifetime, PolicyTtl, Timeout};
pub use username::Username;
