//! The unique part of every key postbox signs.

use time::OffsetDateTime;

use crate::domain::{fill_random, to_usize};
use crate::policy::timefmt;

/// The characters of the unique part, in ASCII order (so ids sort as their times do),
/// without look-alikes (`0`, `1`, `l`).
const ALPHABET: &[u8] = b"23456789abcdefghijkmnopqrstuvwxyz";
/// Characters for the millisecond of the day: 33^6 > 86,400,000.
const TIME_CHARS: usize = 6;
/// Random characters after it: two forms of the same name signed in the same
/// millisecond share a key once in 33^8 (1.4 × 10^12).
const RANDOM_CHARS: usize = 8;

/// `<yyyy-mm-dd>/<unique part>/<file name>`: a new key for every form, so an upload
/// never silently replaces an earlier one. The unique part starts with the millisecond
/// of the day, so keys signed later sort later: the ledger's index on keys grows at
/// its end instead of at a random page per form (each reservation then costs a page
/// write, not a page write for every form in a batch).
pub fn unique_key_suffix(now: OffsetDateTime, file_name: &str) -> String {
    // Unix time has no leap seconds: its milliseconds modulo a day are the UTC day's.
    let mut rest = to_usize((now.unix_timestamp_nanos() / 1_000_000).rem_euclid(86_400_000));
    let mut id = [0u8; TIME_CHARS + RANDOM_CHARS];
    for slot in id[..TIME_CHARS].iter_mut().rev() {
        *slot = ALPHABET[rest % ALPHABET.len()];
        rest /= ALPHABET.len();
    }
    fill_random(ALPHABET, &mut id[TIME_CHARS..]);
    let id = std::str::from_utf8(&id).expect("the alphabet is ASCII");
    let mut key = String::with_capacity(12 + id.len() + file_name.len());
    key.push_str(&timefmt::iso_date(now));
    key.push('/');
    key.push_str(id);
    key.push('/');
    key.push_str(file_name);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn id(key: &str) -> &str {
        key.split('/').nth(1).unwrap()
    }

    #[test]
    fn each_key_gets_its_own_unique_part_under_the_date() {
        let now = datetime!(2026-11-23 10:00 UTC);
        let a = unique_key_suffix(now, "a.txt");
        let b = unique_key_suffix(now, "a.txt");
        assert_ne!(a, b);
        assert!(a.starts_with("2026-11-23/"), "{a}");
        assert!(a.ends_with("/a.txt"), "{a}");
        assert_eq!(id(&a).len(), TIME_CHARS + RANDOM_CHARS);
        assert!(id(&a).bytes().all(|c| ALPHABET.contains(&c)), "{a}");
    }

    #[test]
    fn keys_signed_later_in_the_day_sort_later() {
        assert!(ALPHABET.is_sorted(), "ids sort only if the alphabet does");
        let times = [
            datetime!(2026-11-23 00:00:00.000 UTC),
            datetime!(2026-11-23 00:00:00.001 UTC),
            datetime!(2026-11-23 00:00:00.033 UTC),
            datetime!(2026-11-23 09:59:59.999 UTC),
            datetime!(2026-11-23 10:00:00.000 UTC),
            datetime!(2026-11-23 23:59:59.999 UTC),
        ];
        let keys: Vec<String> = times
            .iter()
            .map(|&t| unique_key_suffix(t, "a.txt"))
            .collect();
        for pair in keys.windows(2) {
            assert!(
                id(&pair[0])[..TIME_CHARS] < id(&pair[1])[..TIME_CHARS],
                "{pair:?}"
            );
            assert!(pair[0] < pair[1], "{pair:?}");
        }
        assert_eq!(&id(&keys[0])[..TIME_CHARS], "222222");
        assert_eq!(&id(&keys[1])[..TIME_CHARS], "222223");
        assert_eq!(&id(&keys[2])[..TIME_CHARS], "222232");
    }

    #[test]
    fn the_time_part_is_the_utc_millisecond_whatever_the_offset() {
        let utc = datetime!(2026-11-23 10:00:00.500 UTC);
        let paris = utc.to_offset(time::macros::offset!(+1));
        assert_eq!(
            &id(&unique_key_suffix(utc, "a"))[..TIME_CHARS],
            &id(&unique_key_suffix(paris, "a"))[..TIME_CHARS]
        );
    }
}
