//! The three timestamp shapes a policy needs, written by hand: `time`'s general
//! formatter costs a fifth of the whole signing budget.

use std::fmt::Write;

use time::{OffsetDateTime, UtcOffset};

fn utc(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(UtcOffset::UTC)
}

/// `yyyy-mm-dd`.
pub fn iso_date(at: OffsetDateTime) -> String {
    let at = utc(at);
    let mut out = String::with_capacity(10);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    );
    out
}

/// `yyyymmddThhmmssZ`, SigV4's `x-amz-date`.
pub fn amz_date(at: OffsetDateTime) -> String {
    let at = utc(at);
    let mut out = String::with_capacity(16);
    let _ = write!(
        out,
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    out
}

/// `yyyy-mm-ddThh:mm:ss.000Z`, a policy's `expiration`.
pub fn expiration(at: OffsetDateTime) -> String {
    let at = utc(at);
    let mut out = String::with_capacity(24);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
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
