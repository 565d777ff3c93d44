use std::fmt;

/// A user's name: 1 to 64 characters of `a-z`, `0-9`, `.`, `_`, `-`, starting with a
/// letter or digit. Lower-cased, so `Alice` and `alice` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Username(String);

/// Why a name was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a valid user name: {reason}.")]
pub struct UsernameError {
    input: String,
    reason: &'static str,
}

impl Username {
    /// Checks and lower-cases `input`.
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let fail = |reason| {
            Err(UsernameError {
                input: input.chars().take(80).collect(),
                reason,
            })
        };
        let name = input.trim().to_ascii_lowercase();
        if name.is_empty() {
            return fail("it is empty");
        }
        if name.len() > 64 {
            return fail("it is longer than 64 characters");
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            return fail("use only letters, digits, '.', '_' and '-'");
        }
        if !name.as_bytes()[0].is_ascii_alphanumeric() {
            return fail("it must start with a letter or a digit");
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::str::FromStr for Username {
    type Err = UsernameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tables (`postbox user list`) pad names into columns.
    #[test]
    fn a_name_pads_like_a_string() {
        let name = Username::parse("al").unwrap();
        assert_eq!(format!("{name:<5}|"), "al   |");
        let prefix = crate::domain::KeyPrefix::parse("users/al/").unwrap();
        assert_eq!(format!("{prefix:<12}|"), "users/al/   |");
    }

    #[test]
    fn accepts_and_lowercases_ordinary_names() {
        assert_eq!(Username::parse("Alice").unwrap().as_str(), "alice");
        assert!(Username::parse("bob.smith-2").is_ok());
    }

    #[test]
    fn refuses_bad_names() {
        for bad in ["", "a/b", "../x", "-x", "a b", &"x".repeat(65), "ü"] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }
}
