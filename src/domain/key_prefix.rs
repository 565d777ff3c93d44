use std::fmt;

use super::Username;

/// Longest prefix we accept, leaving room under S3's 1024-byte key limit for the
/// date, the unique part and the file name.
pub const MAX_PREFIX_BYTES: usize = 512;

/// A key prefix a policy may write under: `users/alice/`.
///
/// It always ends with `/` (else `users/al` would admit `users/alice/...`), never starts
/// with `/`, and has no `..`, `.`, empty segment or control character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct KeyPrefix(String);

/// Why a prefix was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a valid key prefix: {reason}.")]
pub struct KeyPrefixError {
    input: String,
    reason: &'static str,
}

impl KeyPrefix {
    /// Checks `input` against every rule above.
    pub fn parse(input: &str) -> Result<Self, KeyPrefixError> {
        let fail = |reason| {
            Err(KeyPrefixError {
                input: input.to_owned(),
                reason,
            })
        };
        if input.is_empty() {
            return fail("it is empty");
        }
        if input.len() > MAX_PREFIX_BYTES {
            return fail("it is longer than 512 bytes");
        }
        if input.starts_with('/') {
            return fail("it starts with '/'");
        }
        if !input.ends_with('/') {
            return fail("it must end with '/'");
        }
        if input.chars().any(char::is_control) {
            return fail("it contains a control character");
        }
        if input.contains('\\') {
            return fail("it contains a backslash");
        }
        for segment in input[..input.len() - 1].split('/') {
            match segment {
                "" => return fail("it has an empty segment ('//')"),
                "." | ".." => return fail("it has a '.' or '..' segment"),
                _ => {}
            }
        }
        Ok(Self(input.to_owned()))
    }

    /// The prefix an account gets when none is given: `users/NAME/` (valid for every
    /// [`Username`]).
    pub fn for_user(name: &Username) -> Self {
        Self(format!("users/{name}/"))
    }

    /// The prefix text, ending with `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a full object key lies under this prefix.
    pub fn contains_key(&self, key: &str) -> bool {
        key.starts_with(&self.0)
    }
}

impl fmt::Display for KeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::str::FromStr for KeyPrefix {
    type Err = KeyPrefixError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_prefixes() {
        for ok in ["users/alice/", "uploads/", "a/b/c/", "team-1/süß/"] {
            assert_eq!(KeyPrefix::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_each_bad_form_with_its_reason() {
        let cases = [
            ("", "empty"),
            ("users/alice", "end with '/'"),
            ("/users/alice/", "starts with '/'"),
            ("users/../alice/", "'..'"),
            ("users/./alice/", "'.'"),
            ("users//alice/", "empty segment"),
            ("/", "starts with '/'"),
            ("users/al\nice/", "control character"),
            ("users/al\u{7f}ice/", "control character"),
            ("users\\alice/", "backslash"),
        ];
        for (input, reason) in cases {
            let err = KeyPrefix::parse(input).unwrap_err().to_string();
            assert!(err.contains(reason), "{input:?}: {err}");
        }
        let long = format!("{}/", "a".repeat(MAX_PREFIX_BYTES));
        assert!(KeyPrefix::parse(&long).is_err());
    }

    #[test]
    fn the_default_prefix_of_a_user_is_valid() {
        let name = Username::parse("Alice.B").unwrap();
        let prefix = KeyPrefix::for_user(&name);
        assert_eq!(prefix.as_str(), "users/alice.b/");
        assert_eq!(KeyPrefix::parse(prefix.as_str()).unwrap(), prefix);
    }

    #[test]
    fn a_prefix_does_not_admit_a_sibling_with_a_longer_name() {
        let prefix = KeyPrefix::parse("users/al/").unwrap();
        assert!(prefix.contains_key("users/al/x.txt"));
        assert!(!prefix.contains_key("users/alice/x.txt"));
    }
}
