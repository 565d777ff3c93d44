//! A signed form: its URL, its fields in posting order, its expiry.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use super::Condition;

/// A signed form: the URL to post to, the conditions, and the base64 policy with its
/// signature. [`PostForm::fields`] lists what to post, in order; `file` goes last.
#[derive(Debug, Clone)]
pub struct PostForm {
    pub(super) url: String,
    pub(super) conditions: Vec<Condition>,
    pub(super) policy: String,
    pub(super) signature: String,
    pub(super) expires_at: OffsetDateTime,
}

impl PostForm {
    /// Where the browser posts the form.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// When the policy stops being accepted.
    pub fn expires_at(&self) -> OffsetDateTime {
        self.expires_at
    }

    /// The `key` field's value.
    pub fn key(&self) -> &str {
        self.fields()
            .find(|(name, _)| *name == "key")
            .map_or("", |(_, value)| value)
    }

    /// The fields to post before `file`: one per condition that has a field, then
    /// `policy` and `x-amz-signature`, which S3 exempts from conditions.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.conditions.iter().filter_map(Condition::field).chain([
            ("policy", self.policy.as_str()),
            ("x-amz-signature", self.signature.as_str()),
        ])
    }

    /// The fields as an ordered JSON object, the shape boto3's `generate_presigned_post`
    /// returns under `"fields"`.
    pub fn fields_json(&self) -> FieldsJson<'_> {
        FieldsJson(self)
    }
}

/// Serializes a form's fields as a JSON object, in posting order.
pub struct FieldsJson<'a>(&'a PostForm);

impl Serialize for FieldsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.0.fields() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
