//! The three timestamp shapes a policy needs, written digit by digit: `time`'s general
//! formatter (and even `write!`) costs a noticeable share of the signing budget.

use time::{OffsetDateTime, UtcOffset};

fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
}

/// `value` as exactly `width` (at most 4) decimal digits, zero-padded.
fn push_digits(out: &mut String, value: u32, width: usize) {
    let mut digits = [b'0'; 4];
    let mut rest = value;
    for digit in digits[..width].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend(digits[..width].iter().map(|&b| char::from(b)));
}

fn push_date(out: &mut String, at: OffsetDateTime, separator: &str) {
    push_digits(out, at.year().unsigned_abs(), 4);
    out.push_str(separator);
    push_digits(out, u32::from(u8::from(at.month())), 2);
    out.push_str(separator);
    push_digits(out, u32::from(at.day()), 2);
}

fn push_time(out: &mut String, at: OffsetDateTime, separator: &str) {
    push_digits(out, u32::from(at.hour()), 2);
    out.push_str(separator);
    push_digits(out, u32::from(at.minute()), 2);
    out.push_str(separator);
    push_digits(out, u32::from(at.second()), 2);
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
