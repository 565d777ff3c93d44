//! How long a signed form stays valid.

use std::fmt;
use std::time::Duration;

use super::duration::{PolicyTtlError, bounded, within};

/// How long a signed form stays valid: at least one second, at most seven days
/// (SigV4's limit for presigned requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyTtl(Duration);

/// The longest lifetime SigV4 allows.
const MAX_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Why a longer one is refused.
const TOO_LONG: &str = "it is longer than 7 days, the most S3 signatures allow";

impl PolicyTtl {
    /// Ten minutes: long enough for a slow upload to start, short enough to go stale.
    pub const DEFAULT: Self = Self(Duration::from_secs(600));

    /// Reads `600`, `90s`, `10m`, `1h` or `7d`.
    pub fn parse(input: &str) -> Result<Self, PolicyTtlError> {
        bounded(input, MAX_TTL.as_secs(), TOO_LONG).map(Self)
    }

    /// A lifetime of `secs` seconds, within the allowed range.
    pub fn from_secs(secs: u64) -> Result<Self, &'static str> {
        within(secs, MAX_TTL.as_secs(), TOO_LONG).map(Self)
    }

    /// The lifetime.
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl std::str::FromStr for PolicyTtl {
    type Err = PolicyTtlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for PolicyTtl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seconds_and_units() {
        assert_eq!(PolicyTtl::parse("600").unwrap().duration().as_secs(), 600);
        assert_eq!(PolicyTtl::parse("10m").unwrap().duration().as_secs(), 600);
        assert_eq!(
            PolicyTtl::parse("7d").unwrap().duration().as_secs(),
            604_800
        );
    }

    #[test]
    fn refuses_zero_too_long_and_malformed() {
        for bad in ["0", "8d", "604801", "ten", "10 minutes", "-1", ""] {
            assert!(PolicyTtl::parse(bad).is_err(), "{bad}");
        }
    }
}
