//! Secrets handed out once (API tokens, upload links): long random strings, kept only
//! as their SHA-256, with a short public ID beside them.

use sha2::{Digest, Sha256};

use crate::domain::{ALPHANUMERIC, LOWERCASE_ALPHANUMERIC, random_text};

/// The longest label a token or a link may have.
pub const MAX_LABEL_LEN: usize = 100;

/// 40 random letters and digits (about 238 bits).
pub fn new_secret() -> String {
    random_text(ALPHANUMERIC, 40)
}

/// 12 random lowercase letters and digits: an ID that shows in lists and addresses.
pub fn new_public_id() -> String {
    random_text(LOWERCASE_ALPHANUMERIC, 12)
}

/// What is stored of `secret`: its SHA-256, in hex.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `text` trimmed, if it makes a label: 1 to [`MAX_LABEL_LEN`] characters, no control
/// characters.
pub fn label(text: &str) -> Option<&str> {
    let label = text.trim();
    let fits = (1..=MAX_LABEL_LEN).contains(&label.chars().count());
    (fits && !label.chars().any(char::is_control)).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_short_and_printable() {
        assert_eq!(label("  backup  "), Some("backup"));
        assert_eq!(label(""), None);
        assert_eq!(label("a\u{7}b"), None);
        assert_eq!(label(&"x".repeat(101)), None);
        assert_eq!(secret_hash("a").len(), 64);
        assert_ne!(new_secret(), new_secret());
    }
}
