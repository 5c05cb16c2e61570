//! Words for people: counts with the right plural ("1 voucher", "3 vouchers"), never
//! "voucher(s)".

/// `n` and the noun, singular for one: `count(1, "voucher")` → `1 voucher`; nouns
/// that do not take an -s give their plural in `many` (`count_of(2, "entry", "entries")`).
pub fn count(n: impl Into<i64>, one: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// Like [`count`], with the plural given.
pub fn count_of(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_is_singular_and_the_rest_plural() {
        assert_eq!(super::count(1, "voucher"), "1 voucher");
        assert_eq!(super::count(0, "voucher"), "0 vouchers");
        assert_eq!(super::count(12, "minute"), "12 minutes");
        assert_eq!(super::count_of(2, "entry", "entries"), "2 entries");
    }
}
