//! Voucher PINs as people read them.

/// Groups a PIN's digits in fours from the left (`1234 5678 9012 3456`), the way
/// vouchers are printed, so a customer can read it out and key it in.
pub fn group_pin(pin: &str) -> String {
    let digits: Vec<char> = pin.chars().filter(|c| !c.is_whitespace()).collect();
    digits.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_fours() {
        assert_eq!(group_pin("1234567890123456"), "1234 5678 9012 3456");
        assert_eq!(group_pin("123456789012  "), "1234 5678 9012");
        assert_eq!(group_pin("12345"), "1234 5");
        assert_eq!(group_pin(""), "");
    }
}
