use std::fmt;

/// S3's limit on the length of an object key, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// An object key that reads the same as a string and as a path: no `.` or `..`
/// segment, no empty segment, no leading `/`, no backslash, no control character, at
/// most 1,024 bytes. S3 keys are literal strings, but a filesystem-backed bucket (and
/// every tool that shows keys as paths) would resolve `users/alice/../bob/x` into bob's
/// folder; such keys are refused everywhere instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectKey(String);

/// Why a key (or a listing prefix) was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("The key {input:?} is refused: {reason}.")]
pub struct ObjectKeyError {
    input: String,
    reason: &'static str,
}

impl ObjectKeyError {
    /// Why, without the key.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl ObjectKey {
    /// A key that names one object.
    pub fn parse(input: &str) -> Result<Self, ObjectKeyError> {
        if input.is_empty() {
            return Err(refused(input, "it is empty"));
        }
        check(input, false)?;
        Ok(Self(input.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// A listing prefix: the same rules as a key, except that it may be empty and may end
/// in `/` (`users/alice/`).
pub fn check_list_prefix(input: &str) -> Result<(), ObjectKeyError> {
    check(input, true)
}

fn check(input: &str, is_prefix: bool) -> Result<(), ObjectKeyError> {
    if input.len() > MAX_KEY_BYTES {
        return Err(refused(input, "it is longer than 1024 bytes"));
    }
    if input.chars().any(char::is_control) {
        return Err(refused(input, "it contains a control character"));
    }
    if input.contains('\\') {
        return Err(refused(input, "it contains a backslash"));
    }
    if input.starts_with('/') {
        return Err(refused(input, "it starts with '/'"));
    }
    let segments: Vec<&str> = input.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if *segment == "." || *segment == ".." {
            return Err(refused(input, "it has a '.' or '..' segment"));
        }
        let last = i + 1 == segments.len();
        if segment.is_empty() && !(last && is_prefix) && !input.is_empty() {
            return Err(refused(
                input,
                "it has an empty segment ('//' or a trailing '/')",
            ));
        }
    }
    Ok(())
}

fn refused(input: &str, reason: &'static str) -> ObjectKeyError {
    ObjectKeyError {
        input: input.chars().take(80).collect(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_keys_that_are_plain_paths() {
        for ok in [
            "users/alice/report.pdf",
            "a",
            ".hidden",
            "users/alice/a..b/..c/c..",
            "users/alice/2026-11-25/x1y2/résumé & notes #1.txt",
            "${filename}",
        ] {
            assert_eq!(ObjectKey::parse(ok).unwrap().as_str(), ok);
        }
        assert!(ObjectKey::parse(&"k".repeat(1024)).is_ok());
    }

    #[test]
    fn refuses_keys_that_climb_or_hide() {
        let cases = [
            ("users/alice/../bob/x", "'..'"),
            ("users/alice/x/../../bob/planted.txt", "'..'"),
            ("users/alice/./x", "'.'"),
            ("..", "'..'"),
            ("users/alice/..", "'..'"),
            ("users//alice/x", "empty segment"),
            ("users/alice/", "empty segment"),
            ("/users/alice/x", "starts with '/'"),
            ("users\\alice\\..\\bob", "backslash"),
            ("users/alice/a\u{0}b", "control character"),
            ("users/alice/a\nb", "control character"),
            ("", "empty"),
        ];
        for (input, reason) in cases {
            let error = ObjectKey::parse(input).unwrap_err().to_string();
            assert!(error.contains(reason), "{input:?}: {error}");
        }
        assert!(ObjectKey::parse(&"k".repeat(1025)).is_err());
    }

    #[test]
    fn a_listing_prefix_may_be_empty_or_end_in_a_slash_but_not_climb() {
        for ok in ["", "users/", "users/alice/", "users/al"] {
            assert!(check_list_prefix(ok).is_ok(), "{ok:?}");
        }
        for bad in ["users/..", "users/../", "../", "users//", "/users/", "a\\b"] {
            assert!(check_list_prefix(bad).is_err(), "{bad:?}");
        }
    }
}
