//! Integer conversions, one way: sizes, counts and times are `u64` in the code and
//! `i64` in the database, and a value out of the target's range saturates at its
//! bound instead of wrapping.

/// `value` as `i64`, saturated at `i64::MIN` or `i64::MAX`.
pub fn to_i64<T: TryInto<i64> + Default + PartialOrd + Copy>(value: T) -> i64 {
    saturating(value, i64::MIN, i64::MAX)
}

/// `value` as `u64`: negatives become 0, values too large `u64::MAX`.
pub fn to_u64<T: TryInto<u64> + Default + PartialOrd + Copy>(value: T) -> u64 {
    saturating(value, 0, u64::MAX)
}

/// `value` as `usize`: negatives become 0, values too large `usize::MAX`.
pub fn to_usize<T: TryInto<usize> + Default + PartialOrd + Copy>(value: T) -> usize {
    saturating(value, 0, usize::MAX)
}

fn saturating<T: TryInto<U> + Default + PartialOrd + Copy, U>(value: T, min: U, max: U) -> U {
    value
        .try_into()
        .unwrap_or(if value < T::default() { min } else { max })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_values_saturate() {
        assert_eq!(to_i64(u64::MAX), i64::MAX);
        assert_eq!(to_i64(7u64), 7);
        assert_eq!(to_i64(i128::MIN), i64::MIN);
        assert_eq!(to_u64(-5i64), 0);
        assert_eq!(to_u64(u128::MAX), u64::MAX);
        assert_eq!(to_u64(42i64), 42);
        assert_eq!(to_usize(-1i64), 0);
        assert_eq!(to_usize(33u64), 33);
    }
}
