//! What a form admits ([`UploadRules`]) and the policy conditions that say it.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::domain::KeyPrefix;

/// What a form lets its holder upload.
#[derive(Debug, Clone)]
pub struct UploadRules<'a> {
    /// The bucket the form posts to.
    pub bucket: &'a str,
    /// Every key the policy admits starts with this.
    pub prefix: &'a KeyPrefix,
    /// The rest of the `key` field after the prefix (may hold `${filename}`).
    pub key_suffix: &'a str,
    /// The form admits exactly this key (`{"key": …}`) instead of any key under the
    /// prefix: quota accounts, whose forms are reserved for one key.
    pub exact_key: bool,
    /// Smallest accepted file, in bytes.
    pub min_size: u64,
    /// Largest accepted file, in bytes.
    pub max_size: u64,
    /// `Content-Type` must start with this ("" admits any type).
    pub content_type_prefix: &'a str,
    /// The `Content-Type` the form posts.
    pub content_type: &'a str,
    /// Recorded as `x-amz-meta-uploader` on the object.
    pub uploader: &'a str,
}

/// Why no form could be signed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    /// S3 refuses keys over 1024 bytes.
    #[error("The object key would be {0} bytes long; S3 allows at most 1024.")]
    KeyTooLong(usize),
    /// The posted content type would fail its own condition.
    #[error(
        "The content type {content_type:?} is not allowed here (it must start with {prefix:?})."
    )]
    ContentTypeNotAllowed {
        /// What was asked for.
        content_type: String,
        /// What the rules allow.
        prefix: String,
    },
    /// An empty or inverted size range admits nothing.
    #[error("The size range {min}..={max} admits no file.")]
    EmptySizeRange {
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
}

/// One policy condition, and where it has one, the form field that satisfies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `{"bucket": …}`: the bucket is in the URL, so no field.
    Bucket(String),
    /// `{"field": "value"}`, posted as that exact value.
    Exact {
        /// Field name as posted.
        field: Cow<'static, str>,
        /// The value, posted and signed.
        value: String,
    },
    /// `["starts-with", "$field", prefix]`, posted as `value`.
    StartsWith {
        /// Field name as posted.
        field: Cow<'static, str>,
        /// What the value must start with.
        prefix: String,
        /// The value the form posts.
        value: String,
    },
    /// `["content-length-range", min, max]`: checked against the file, so no field.
    LengthRange {
        /// Smallest size in bytes.
        min: u64,
        /// Largest size in bytes.
        max: u64,
    },
}

impl Condition {
    /// The form field that satisfies this condition, if it has one.
    pub fn field(&self) -> Option<(&str, &str)> {
        match self {
            Self::Exact { field, value } | Self::StartsWith { field, value, .. } => {
                Some((field, value))
            }
            Self::Bucket(_) | Self::LengthRange { .. } => None,
        }
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Bucket(bucket) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("bucket", bucket)?;
                map.end()
            }
            Self::Exact { field, value } => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(field, value)?;
                map.end()
            }
            Self::StartsWith { field, prefix, .. } => {
                let mut seq = serializer.serialize_seq(Some(3))?;
                seq.serialize_element("starts-with")?;
                seq.serialize_element(&format_args!("${field}"))?;
                seq.serialize_element(prefix)?;
                seq.end()
            }
            Self::LengthRange { min, max } => {
                let mut seq = serializer.serialize_seq(Some(3))?;
                seq.serialize_element("content-length-range")?;
                seq.serialize_element(min)?;
                seq.serialize_element(max)?;
                seq.end()
            }
        }
    }
}

/// The policy as signed: its expiry and its conditions.
#[derive(Serialize)]
pub(super) struct PolicyDocument<'a> {
    pub(super) expiration: &'a str,
    pub(super) conditions: &'a [Condition],
}
