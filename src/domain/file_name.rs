use std::fmt;

use super::MAX_KEY_BYTES;

/// A file name as a browser reports it, safe to use as the last segment of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

/// Why a file name was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("The file name {input:?} cannot be used: {reason}.")]
pub struct FileNameError {
    input: String,
    reason: &'static str,
}

impl FileName {
    /// Refuses names that could escape the prefix or confuse S3 and browsers.
    pub fn parse(input: &str) -> Result<Self, FileNameError> {
        let fail = |reason| {
            Err(FileNameError {
                input: input.chars().take(80).collect(),
                reason,
            })
        };
        if input.trim().is_empty() {
            return fail("it is empty");
        }
        if input.chars().any(char::is_control) {
            return fail("it contains a control character");
        }
        if input.contains('/') || input.contains('\\') {
            return fail("it contains a path separator ('/' or '\\')");
        }
        if input == "." || input == ".." {
            return fail("it is '.' or '..'");
        }
        if input.len() > MAX_KEY_BYTES {
            return fail("it is longer than 1024 bytes");
        }
        Ok(Self(input.to_owned()))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in ["report.pdf", "photo 1.JPG", "résumé.txt", ".hidden", "a..b"] {
            assert!(FileName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_traversal_separators_and_control_characters() {
        let cases = [
            ("../etc/passwd", "path separator"),
            ("..", "'..'"),
            ("a\\b", "path separator"),
            ("a\u{0}b", "control character"),
            ("line\nbreak", "control character"),
            ("", "empty"),
            ("   ", "empty"),
        ];
        for (input, reason) in cases {
            let err = FileName::parse(input).unwrap_err().to_string();
            assert!(err.contains(reason), "{input:?}: {err}");
        }
        assert!(FileName::parse(&"x".repeat(1025)).is_err());
    }
}
