//! Durations as people write them (`600`, `90s`, `10m`, `1h`, `7d`), read within
//! bounds: what [`PolicyTtl`](super::PolicyTtl), [`Lifetime`](super::Lifetime) and
//! [`Timeout`](super::Timeout) share.

use std::time::Duration;

/// Why a duration was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a valid duration: {reason} (use e.g. 600, 90s, 10m, 1h or 7d).")]
pub struct PolicyTtlError {
    input: String,
    reason: &'static str,
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
pub(super) fn bounded(
    input: &str,
    max_secs: u64,
    too_long: &'static str,
) -> Result<Duration, PolicyTtlError> {
    seconds(input)
        .and_then(|secs| within(secs, max_secs, too_long))
        .map_err(|reason| PolicyTtlError {
            input: input.to_owned(),
            reason,
        })
}

/// `secs` seconds, from one to `max_secs` (`too_long` says why not).
pub(super) fn within(
    secs: u64,
    max_secs: u64,
    too_long: &'static str,
) -> Result<Duration, &'static str> {
    match secs {
        0 => Err("it must be at least one second"),
        secs if secs > max_secs => Err(too_long),
        secs => Ok(Duration::from_secs(secs)),
    }
}
