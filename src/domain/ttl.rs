use std::fmt;
use std::time::Duration;

/// How long a signed form stays valid: at least one second, at most seven days
/// (SigV4's limit for presigned requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyTtl(Duration);

/// The longest lifetime SigV4 allows.
pub const MAX_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Why a longer one is refused.
const TOO_LONG: &str = "it is longer than 7 days, the most S3 signatures allow";

/// Why a duration was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a valid duration: {reason} (use e.g. 600, 90s, 10m, 1h or 7d).")]
pub struct PolicyTtlError {
    input: String,
    reason: &'static str,
}

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

/// The seconds of `600`, `90s`, `10m`, `1h` or `7d`, or why not.
fn seconds(input: &str) -> Result<u64, &'static str> {
    let text = input.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| "it does not start with a whole number")?;
    let unit_secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err("the unit is not s, m, h or d"),
    };
    number.checked_mul(unit_secs).ok_or("it is too long")
}

/// The duration `input` names, from one second to `max_secs` (`too_long` says why not).
fn bounded(input: &str, max_secs: u64, too_long: &'static str) -> Result<Duration, PolicyTtlError> {
    seconds(input)
        .and_then(|secs| within(secs, max_secs, too_long))
        .map_err(|reason| PolicyTtlError {
            input: input.to_owned(),
            reason,
        })
}

/// `secs` seconds, from one to `max_secs` (`too_long` says why not).
fn within(secs: u64, max_secs: u64, too_long: &'static str) -> Result<Duration, &'static str> {
    match secs {
        0 => Err("it must be at least one second"),
        secs if secs > max_secs => Err(too_long),
        secs => Ok(Duration::from_secs(secs)),
    }
}

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
    fn timeouts_are_a_second_to_ten_minutes() {
        let read = |text: &str| text.parse::<Timeout>().map(|t| t.duration().as_secs());
        assert_eq!(read("5"), Ok(5));
        assert_eq!(read("2m"), Ok(120));
        for bad in ["0", "11m", "soon", ""] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_zero_too_long_and_malformed() {
        for bad in ["0", "8d", "604801", "ten", "10 minutes", "-1", ""] {
            assert!(PolicyTtl::parse(bad).is_err(), "{bad}");
        }
    }
}
