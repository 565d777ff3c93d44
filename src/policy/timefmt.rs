//! The three timestamp shapes a policy needs, written by hand: `time`'s general
//! formatter costs a fifth of the whole signing budget.

use std::fmt::Write;

use time::{OffsetDateTime, UtcOffset};

fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
}

fn push_date(out: &mut String, at: OffsetDateTime, separator: &str) {
    let _ = write!(
        out,
        "{:04}{separator}{:02}{separator}{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    );
}

fn push_time(out: &mut String, at: OffsetDateTime, separator: &str) {
    let _ = write!(
        out,
        "{:02}{separator}{:02}{separator}{:02}",
        at.hour(),
        at.minute(),
        at.second()
    );
}

/// `yyyy-mm-dd`.
pub fn iso_date(at: OffsetDateTime) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, utc(at), "-");
    out
}

/// `yyyymmddThhmmssZ`, SigV4's `x-amz-date`.
pub fn amz_date(at: OffsetDateTime) -> String {
    let at = utc(at);
    let mut out = String::with_capacity(16);
    push_date(&mut out, at, "");
    out.push('T');
    push_time(&mut out, at, "");
    out.push('Z');
    out
}

/// `yyyy-mm-ddThh:mm:ss.000Z`, a policy's `expiration`.
pub fn expiration(at: OffsetDateTime) -> String {
    let at = utc(at);
    let mut out = String::with_capacity(24);
    push_date(&mut out, at, "-");
    out.push('T');
    push_time(&mut out, at, ":");
    out.push_str(".000Z");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn writes_each_shape_in_utc() {
        let at = datetime!(2026-01-02 03:04:05.9 +02:00);
        assert_eq!(iso_date(at), "2026-01-02");
        assert_eq!(amz_date(at), "20260102T010405Z");
        assert_eq!(expiration(at), "2026-01-02T01:04:05.000Z");
    }
}
