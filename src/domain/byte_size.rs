use std::fmt;
use std::str::FromStr;

/// A size in bytes, parsed from `10MB`, `10MiB`, `512KB`, `1.5GB` or `1048576`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ByteSize(u64);

/// Why a SIZE could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{input:?} is not a size: {reason} (use e.g. 10MB, 10MiB or 1048576).")]
pub struct ByteSizeError {
    input: String,
    reason: &'static str,
}

impl ByteSize {
    /// The size in bytes.
    pub const fn bytes(self) -> u64 {
        self.0
    }

    /// A size of exactly `bytes`.
    pub const fn from_bytes(bytes: u64) -> Self {
        Self(bytes)
    }

    /// The size in the largest unit that holds it exactly (`5MiB`, `10MB`, `1234`), so
    /// a form showing it reads back the same number of bytes.
    pub fn exact(self) -> String {
        const UNITS: [(u64, &str); 8] = [
            (1 << 40, "TiB"),
            (1_000_000_000_000, "TB"),
            (1 << 30, "GiB"),
            (1_000_000_000, "GB"),
            (1 << 20, "MiB"),
            (1_000_000, "MB"),
            (1 << 10, "KiB"),
            (1_000, "KB"),
        ];
        UNITS
            .iter()
            .find(|(size, _)| self.0 >= *size && self.0.is_multiple_of(*size))
            .map_or_else(
                || self.0.to_string(),
                |(size, unit)| format!("{}{unit}", self.0 / size),
            )
    }

    /// Reads a SIZE as written by people: decimal units (KB, MB, GB, TB) are powers of
    /// 1000, binary units (KiB, MiB, GiB, TiB) powers of 1024, as S3 and browsers count.
    pub fn parse(input: &str) -> Result<Self, ByteSizeError> {
        let fail = |reason| ByteSizeError {
            input: input.to_owned(),
            reason,
        };
        let text = input.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        if number.is_empty() {
            return Err(fail("it does not start with a number"));
        }
        let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" => 1_000,
            "m" | "mb" => 1_000_000,
            "g" | "gb" => 1_000_000_000,
            "t" | "tb" => 1_000_000_000_000,
            "kib" => 1 << 10,
            "mib" => 1 << 20,
            "gib" => 1 << 30,
            "tib" => 1 << 40,
            _ => {
                return Err(fail(
                    "the unit is not one of B, KB, MB, GB, TB, KiB, MiB, GiB, TiB",
                ));
            }
        };
        let bytes = if let Some((whole, fraction)) = number.split_once('.') {
            if fraction.contains('.') || fraction.is_empty() || fraction.len() > 6 {
                return Err(fail("the number is malformed"));
            }
            let whole: u64 = if whole.is_empty() {
                0
            } else {
                whole.parse().map_err(|_| fail("the number is too large"))?
            };
            let scale = 10u64.pow(fraction.len() as u32);
            let fraction: u64 = fraction
                .parse()
                .map_err(|_| fail("the number is malformed"))?;
            let whole_bytes = whole.checked_mul(multiplier);
            let fraction_bytes = (fraction as u128 * multiplier as u128) / scale as u128;
            whole_bytes
                .and_then(|w| w.checked_add(u64::try_from(fraction_bytes).ok()?))
                .ok_or_else(|| fail("the number is too large"))?
        } else {
            number
                .parse::<u64>()
                .ok()
                .and_then(|n| n.checked_mul(multiplier))
                .ok_or_else(|| fail("the number is too large"))?
        };
        Ok(Self(bytes))
    }
}

impl FromStr for ByteSize {
    type Err = ByteSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Human form with decimal units and one decimal, as the upload page shows it: `14.2 MB`.
impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
        if self.0 < 1000 {
            return if self.0 == 1 {
                write!(f, "1 byte")
            } else {
                write!(f, "{} bytes", self.0)
            };
        }
        // Whole tenths of the largest unit under 1000 of it, in integers (a float's
        // exact formatting costs more than the rest of a page's numbers together).
        let mut unit = 1;
        let mut scale = 1000u128;
        while u128::from(self.0) >= scale * 1000 && unit < UNITS.len() - 1 {
            scale *= 1000;
            unit += 1;
        }
        let tenths = (u128::from(self.0) * 10 + scale / 2) / scale;
        match tenths % 10 {
            0 => write!(f, "{} {}", tenths / 10, UNITS[unit]),
            digit => write!(f, "{}.{digit} {}", tenths / 10, UNITS[unit]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_decimal_binary_and_plain_sizes() {
        assert_eq!(ByteSize::parse("10MB").unwrap().bytes(), 10_000_000);
        assert_eq!(ByteSize::parse("10MiB").unwrap().bytes(), 10 * 1024 * 1024);
        assert_eq!(ByteSize::parse("1048576").unwrap().bytes(), 1_048_576);
        assert_eq!(ByteSize::parse("1.5 GB").unwrap().bytes(), 1_500_000_000);
        assert_eq!(ByteSize::parse("512kb").unwrap().bytes(), 512_000);
        assert_eq!(ByteSize::parse("0").unwrap().bytes(), 0);
    }

    #[test]
    fn refuses_malformed_sizes_with_a_reason() {
        for bad in [
            "",
            "MB",
            "10XB",
            "-5",
            "1.2.3MB",
            "99999999999999999999",
            "20000000TB",
        ] {
            let err = ByteSize::parse(bad).unwrap_err().to_string();
            assert!(err.contains("is not a size"), "{bad}: {err}");
        }
    }

    #[test]
    fn shows_sizes_the_way_people_read_them() {
        assert_eq!(ByteSize::from_bytes(14_200_000).to_string(), "14.2 MB");
        assert_eq!(ByteSize::from_bytes(10_000_000).to_string(), "10 MB");
        assert_eq!(ByteSize::from_bytes(999).to_string(), "999 bytes");
        assert_eq!(ByteSize::from_bytes(1).to_string(), "1 byte");
        assert_eq!(ByteSize::from_bytes(1_048_576).to_string(), "1 MB");
    }

    #[test]
    fn writes_sizes_exactly_for_forms() {
        for (bytes, text) in [
            (10_000_000, "10MB"),
            (5 * 1024 * 1024, "5MiB"),
            (1_500_000, "1500KB"),
            (1234, "1234"),
            (0, "0"),
        ] {
            let size = ByteSize::from_bytes(bytes);
            assert_eq!(size.exact(), text);
            assert_eq!(ByteSize::parse(&size.exact()).unwrap(), size);
        }
    }
}
