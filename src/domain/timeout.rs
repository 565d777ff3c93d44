//! How long postbox waits for the bucket or the database.

use std::fmt;
use std::time::Duration;

use super::duration::{PolicyTtlError, bounded};

/// How long postbox waits for the bucket or the database: one second to ten minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout(Duration);

impl Timeout {
    /// A timeout of `secs` seconds.
    pub const fn secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    /// The time to wait.
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl std::str::FromStr for Timeout {
    type Err = PolicyTtlError;

    /// Reads `5`, `5s` or `1m`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        bounded(input, 600, "it is longer than 10 minutes").map(Self)
    }
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_a_second_to_ten_minutes() {
        let read = |text: &str| text.parse::<Timeout>().map(|t| t.duration().as_secs());
        assert_eq!(read("5"), Ok(5));
        assert_eq!(read("2m"), Ok(120));
        for bad in ["0", "11m", "soon", ""] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
}
