//! The unique part of every key postbox signs.

use rand::Rng;
use time::OffsetDateTime;

use crate::policy::timefmt;

/// `<yyyy-mm-dd>/<10 random characters>/<file name>`: a new key for every form, so an
/// upload never silently replaces an earlier one.
pub fn unique_key_suffix(now: OffsetDateTime, file_name: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyz23456789";
    let date = timefmt::iso_date(now);
    let mut rng = rand::rng();
    let id: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{date}/{id}/{file_name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn each_key_gets_its_own_unique_part_under_the_date() {
        let now = datetime!(2026-11-23 10:00 UTC);
        let a = unique_key_suffix(now, "a.txt");
        let b = unique_key_suffix(now, "a.txt");
        assert_ne!(a, b);
        assert!(a.starts_with("2026-11-23/"), "{a}");
        assert!(a.ends_with("/a.txt"), "{a}");
        assert_eq!(a.split('/').nth(1).unwrap().len(), 10);
    }
}
