//! Validated values: once a value has one of these types, it is valid. Beside them,
//! what every layer draws on: random text (`random_text`) and integer conversions
//! that saturate (`to_i64`, `to_u64`, `to_usize`).

mod byte_size;
mod duration;
mod file_name;
mod int;
mod key_prefix;
mod lifetime;
mod object_key;
mod origin;
mod policy_ttl;
mod random;
mod timeout;
mod username;

pub use byte_size::ByteSize;
pub use file_name::{FileName, FileNameError};
pub use int::{to_i64, to_u64, to_usize};
pub use key_prefix::{KeyPrefix, KeyPrefixError};
pub use lifetime::Lifetime;
pub use object_key::{MAX_KEY_BYTES, ObjectKey, ObjectKeyError, check_list_prefix};
pub use origin::origin;
pub use policy_ttl::PolicyTtl;
pub use random::{
    ALPHANUMERIC, HEX, LOWERCASE_ALPHANUMERIC, UPPERCASE_ALPHANUMERIC, fill_random, random_text,
};
pub use timeout::Timeout;
pub use username::Username;
