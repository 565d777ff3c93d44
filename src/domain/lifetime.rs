//! How long an API token or a guest link lasts.

use std::time::Duration;

use super::duration::{PolicyTtlError, bounded};

/// How long something lasts (an API token, a guest link): one second to ten years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime(Duration);

impl Lifetime {
    /// The duration.
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl std::str::FromStr for Lifetime {
    type Err = PolicyTtlError;

    /// Reads `90s`, `10m`, `12h`, `7d` or seconds.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        bounded(input, 3650 * 86_400, "it is longer than ten years").map(Self)
    }
}
