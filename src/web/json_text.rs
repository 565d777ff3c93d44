//! JSON text written by hand for the busiest answer, `/api/presign`: most of its bytes
//! are a base64 policy and a hex signature that need no escaping, and serde_json checks
//! every byte of every string for characters to escape one at a time.

use std::fmt::Write;

/// Appends `text` as a JSON string: as it is when nothing in it needs escaping (checked
/// in one pass without an early exit, which the compiler vectorizes), through
/// serde_json otherwise.
pub fn push_str(out: &mut String, text: &str) {
    let needs_escaping = text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if !needs_escaping {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        // Serializing a string into a String cannot fail.
        let _ = serde_json::to_writer(StringWriter(out), text);
    }
}

/// Appends `"name":` and then `value` as a JSON string.
pub fn push_field(out: &mut String, name: &str, value: &str) {
    push_str(out, name);
    out.push(':');
    push_str(out, value);
}

/// Appends `"name":` and then the number `value`.
pub fn push_number(out: &mut String, name: &str, value: u64) {
    push_str(out, name);
    // Writing to a String cannot fail.
    let _ = write!(out, ":{value}");
}

/// `io::Write` into a `String` for serde_json, which writes a string's text in pieces
/// cut at ASCII characters it escapes, so each piece is UTF-8 (anything else would be
/// written as U+FFFD).
struct StringWriter<'a>(&'a mut String);

impl std::io::Write for StringWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.push_str(&String::from_utf8_lossy(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_as_written_whether_or_not_they_need_escaping() {
        for text in [
            "plain base64+/=",
            "a \"quoted\" name",
            "back\\slash",
            "tab\tand\nnewline",
            "\u{1}control",
            "non-ASCII: é 名前",
            "",
        ] {
            let mut out = String::new();
            push_str(&mut out, text);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, text, "{out}");
            assert_eq!(out, serde_json::to_string(text).unwrap());
        }
    }
}
