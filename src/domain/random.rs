//! Random text: secrets, IDs and the random parts of keys are all drawn here, from the
//! operating system's seeded generator, uniformly over an alphabet.

use rand::Rng;

/// Digits and letters of both cases.
pub const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Digits and lowercase letters: for IDs that show in addresses.
pub const LOWERCASE_ALPHANUMERIC: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Digits and uppercase letters.
pub const UPPERCASE_ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Lowercase hexadecimal digits.
pub const HEX: &[u8] = b"0123456789abcdef";

/// Fills `out` with characters of `alphabet`, each drawn uniformly.
pub fn fill_random(alphabet: &[u8], out: &mut [u8]) {
    let mut rng = rand::rng();
    for slot in out {
        *slot = alphabet[rng.random_range(0..alphabet.len())];
    }
}

/// `len` characters of `alphabet` (ASCII), each drawn uniformly.
pub fn random_text(alphabet: &[u8], len: usize) -> String {
    let mut text = vec![0; len];
    fill_random(alphabet, &mut text);
    // The alphabets are ASCII; a byte outside it would be a bug, shown as U+FFFD.
    String::from_utf8_lossy(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_the_asked_length_from_the_alphabet() {
        let text = random_text(HEX, 16);
        assert_eq!(text.len(), 16);
        assert!(text.bytes().all(|c| HEX.contains(&c)), "{text}");
        assert_ne!(random_text(ALPHANUMERIC, 40), random_text(ALPHANUMERIC, 40));
    }
}
