//! Money as integer minor units with a currency, and an exact decimal parser for the
//! amounts providers send (`99574.75`, `"R450.00"`, `"5.50%"`, `2.0000`, `"300.0"`).

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// ISO 4217 currencies the providers use. Every one of them has two minor digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Currency {
    ZAR,
    LKR,
    GBP,
}

impl Currency {
    /// Digits after the decimal point of the currency's minor unit.
    pub const fn minor_digits(self) -> u32 {
        2
    }
    /// The currency of an ISO code this till knows (`ZAR`, `LKR`, `GBP`).
    pub fn from_code(code: &str) -> Option<Currency> {
        [Currency::ZAR, Currency::LKR, Currency::GBP].into_iter().find(|c| c.code() == code)
    }
    pub const fn code(self) -> &'static str {
        match self {
            Currency::ZAR => "ZAR",
            Currency::LKR => "LKR",
            Currency::GBP => "GBP",
        }
    }
    pub const fn symbol(self) -> &'static str {
        match self {
            Currency::ZAR => "R",
            Currency::LKR => "Rs ",
            Currency::GBP => "£",
        }
    }
}

/// An amount of money: integer minor units (cents) and a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Money {
    /// Minor units (cents for ZAR). Never a float.
    #[ts(type = "number")]
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("no amount given")]
    Empty,
    #[error("'{0}' is not an amount")]
    NotANumber(String),
    #[error("'{0}' has more decimal places than the amount can hold exactly")]
    Inexact(String),
    #[error("'{0}' is too large")]
    Overflow(String),
    #[error("an amount cannot be negative here")]
    Negative,
    #[error("amounts in {0} and {1} cannot be added")]
    CurrencyMismatch(&'static str, &'static str),
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }
    pub const fn zar(minor: i64) -> Self {
        Money::new(minor, Currency::ZAR)
    }
    /// Whole rand (or pounds, rupees): `Money::from_major(12, ZAR)` is R12.00.
    pub fn from_major(major: i64, currency: Currency) -> Result<Self, MoneyError> {
        major.checked_mul(10i64.pow(currency.minor_digits())).map(|minor| Money::new(minor, currency)).ok_or_else(|| MoneyError::Overflow(major.to_string()))
    }
    /// Parse an amount typed by a person or sent by a provider, exactly.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        parse_decimal(text, currency.minor_digits()).map(|minor| Money::new(minor, currency))
    }
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency.code(), other.currency.code()));
        }
        self.minor.checked_add(other.minor).map(|minor| Money::new(minor, self.currency)).ok_or_else(|| MoneyError::Overflow(format!("{} + {}", self, other)))
    }
    /// The plain decimal form providers expect in JSON: `12.00`, `-3.50`.
    pub fn to_decimal_string(self) -> String {
        format_minor(self.minor, self.currency.minor_digits())
    }
    /// True when the amount is a whole number of major units (R12.00, not R12.50).
    pub fn is_whole(self) -> bool {
        self.minor % 10i64.pow(self.currency.minor_digits()) == 0
    }
}

impl fmt::Display for Money {
    /// `R12.00`, `-R3.50`, `£5.00`, `R100 000.00`: for people, on screens and slips,
    /// the thousands grouped by a space as South Africa writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let digits = format_minor(self.minor.unsigned_abs() as i64, self.currency.minor_digits());
        write!(f, "{sign}{}{}", self.currency.symbol(), group_thousands(&digits))
    }
}

/// `100000.00` → `100 000.00`: the whole part's digits in threes, from the right.
pub fn group_thousands(plain: &str) -> String {
    let (sign, rest) = plain.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", plain));
    let (whole, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(plain.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    format!("{sign}{out}{frac}")
}

/// Digits kept for amounts a provider reports beyond the cent (wallets, costs,
/// discounts, profit, cashup lines): Smartcall keeps four (`99973.4750`).
pub const FINE_DIGITS: u32 = 4;

/// An amount at the precision providers keep their books in: integer ten-thousandths
/// of the major unit (R0.0001) and a currency. A 5.5% discount on R15 costs R14.175,
/// which is `Money4 { e4: 141_750, .. }`, exactly.
///
/// Prices the customer pays stay [`Money`] (cents). The two never mix by accident:
/// a price becomes a `Money4` with [`Money4::from_money`] (exact), and a `Money4`
/// becomes cents only by [`Money4::round_to_cents`], the one rounding rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
pub struct Money4 {
    /// Ten-thousandths of the major unit. Never a float.
    #[ts(type = "number")]
    pub e4: i64,
    pub currency: Currency,
}

/// Reads `{"e4": n, "currency": c}`, and also `{"minor": m, "currency": c}` (cents):
/// records written before amounts were kept to four decimals stay readable.
impl<'de> Deserialize<'de> for Money4 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            e4: Option<i64>,
            minor: Option<i64>,
            currency: Currency,
        }
        let r = Raw::deserialize(d)?;
        match (r.e4, r.minor) {
            (Some(e4), _) => Ok(Money4 { e4, currency: r.currency }),
            (None, Some(minor)) => minor.checked_mul(100).map(|e4| Money4 { e4, currency: r.currency }).ok_or_else(|| serde::de::Error::custom("amount too large")),
            (None, None) => Err(serde::de::Error::custom("an amount needs e4 or minor")),
        }
    }
}

impl Money4 {
    pub const fn new(e4: i64, currency: Currency) -> Self {
        Money4 { e4, currency }
    }
    pub const fn zar(e4: i64) -> Self {
        Money4::new(e4, Currency::ZAR)
    }
    /// A cent amount, exactly (R12.00 is 120 000 ten-thousandths).
    pub const fn from_money(m: Money) -> Self {
        Money4 { e4: m.minor * 100, currency: m.currency }
    }
    /// Parses a provider's amount exactly at four decimals (`99973.475`, `-14.1750`,
    /// `"R425.25"`); a fifth decimal that is not zero is an error, never a rounding.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        parse_decimal(text, FINE_DIGITS).map(|e4| Money4::new(e4, currency))
    }
    /// The one rounding rule, for the places that show or pay whole cents: to the
    /// nearest cent, halves away from zero (R14.175 → R14.18, -R0.005 → -R0.01).
    /// Totals are added exactly first and rounded once.
    pub const fn round_to_cents(self) -> Money {
        let half = if self.e4 < 0 { -50 } else { 50 };
        Money { minor: (self.e4 + half) / 100, currency: self.currency }
    }
    /// True when the amount is a whole number of cents.
    pub const fn is_whole_cents(self) -> bool {
        self.e4 % 100 == 0
    }
    /// The cents, when the amount is exactly that (`None` for R14.175).
    pub const fn exact_cents(self) -> Option<Money> {
        if self.is_whole_cents() {
            Some(Money { minor: self.e4 / 100, currency: self.currency })
        } else {
            None
        }
    }
    pub fn checked_add(self, other: Money4) -> Result<Money4, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency.code(), other.currency.code()));
        }
        self.e4.checked_add(other.e4).map(|e4| Money4::new(e4, self.currency)).ok_or_else(|| MoneyError::Overflow(format!("{self} + {other}")))
    }
    /// What a provider charges for a sale at `price` with a dealer discount of
    /// `discount_e4` ten-thousandths of a percent (5.5% is 55 000): the price less the
    /// discount, the discount kept to R0.0001 (halves away from zero). The provider's
    /// own figure, where it gives one, wins over this.
    pub fn cost_after_discount(price: Money, discount_e4: i64) -> Money4 {
        // price in cents × discount in 1e-6 of the whole = 1e-8 major units; to 1e-4.
        let off = i128::from(price.minor) * i128::from(discount_e4);
        let half = if off < 0 { -5_000 } else { 5_000 };
        let off_e4 = ((off + half) / 10_000) as i64;
        Money4::new(price.minor * 100 - off_e4, price.currency)
    }
    /// The plain decimal with four places providers use: `14.1750`.
    pub fn to_decimal_string(self) -> String {
        format_minor(self.e4, FINE_DIGITS)
    }
    /// The exact figure with two to four decimals, as books show it: `14.175`,
    /// `12.00`, `-0.0025`.
    pub fn to_exact_string(self) -> String {
        let full = format_minor(self.e4, FINE_DIGITS);
        let (whole, frac) = full.split_once('.').unwrap_or((&full, ""));
        let frac = frac.trim_end_matches('0');
        format!("{whole}.{frac:0<2}")
    }
}

impl fmt::Display for Money4 {
    /// Exact, for people: `R14.175`, `-R52.25`, `R12.00`, `R99 985.90`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.e4 < 0 { "-" } else { "" };
        let abs = Money4::new(self.e4.unsigned_abs() as i64, self.currency);
        write!(f, "{sign}{}{}", self.currency.symbol(), group_thousands(&abs.to_exact_string()))
    }
}

/// Formats minor units as a decimal string with `scale` fraction digits.
pub fn format_minor(minor: i64, scale: u32) -> String {
    let neg = minor < 0;
    let abs = minor.unsigned_abs();
    let unit = 10u64.pow(scale);
    let (whole, frac) = (abs / unit, abs % unit);
    let sign = if neg { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = scale as usize)
    }
}

/// The longest amount a person types at the till (R999 999 999.99 is 12).
pub const MAX_TYPED_AMOUNT: usize = 15;

/// Why an amount a person typed is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypedAmountError {
    #[error("no amount was typed")]
    Empty,
    /// Never echoed: the length says enough.
    #[error("that is {0} characters; an amount is at most {MAX_TYPED_AMOUNT}")]
    TooLong(usize),
    #[error("'{0}' is not an amount: digits only, and the cents after one point or comma")]
    NotAnAmount(String),
    #[error("'{0}' has more than two decimals")]
    TooManyDecimals(String),
}

impl Money {
    /// An amount as a person types it at the till: digits, and at most one decimal
    /// separator (a point or a comma, `12.50` or `12,50`) followed by at most two digits.
    /// The thousands may be grouped by spaces as the till shows them (`1 250,50`), in
    /// threes; nothing else: no sign, no `R`, no `%`. Long input is refused by its
    /// length, never echoed.
    pub fn parse_typed(text: &str, currency: Currency) -> Result<Money, TypedAmountError> {
        let t = text.trim();
        let grouped: String;
        let t = if t.contains([' ', '\u{a0}', '\u{202f}']) {
            let n = t.chars().count();
            if n > MAX_TYPED_AMOUNT {
                return Err(TypedAmountError::TooLong(n));
            }
            let whole_end = t.find(['.', ',']).unwrap_or(t.len());
            let groups: Vec<&str> = t[..whole_end].split([' ', '\u{a0}', '\u{202f}']).collect();
            let in_threes = groups.len() > 1 && !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3) && !t[whole_end..].contains([' ', '\u{a0}', '\u{202f}']);
            if !in_threes {
                return Err(TypedAmountError::NotAnAmount(t.to_string()));
            }
            grouped = format!("{}{}", groups.concat(), &t[whole_end..]);
            grouped.as_str()
        } else {
            t
        };
        if t.is_empty() {
            return Err(TypedAmountError::Empty);
        }
        let n = t.chars().count();
        if n > MAX_TYPED_AMOUNT {
            return Err(TypedAmountError::TooLong(n));
        }
        let bad = || TypedAmountError::NotAnAmount(t.to_string());
        let (whole, frac) = match t.find(['.', ',']) {
            Some(i) => (&t[..i], &t[i + 1..]),
            None => (t, ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) || (whole.is_empty() && frac.is_empty()) {
            return Err(bad());
        }
        if frac.len() > currency.minor_digits() as usize {
            return Err(TypedAmountError::TooManyDecimals(t.to_string()));
        }
        if whole.len() > 12 {
            return Err(TypedAmountError::TooLong(n));
        }
        let plain = if frac.is_empty() { whole.to_string() } else { format!("{}.{frac}", if whole.is_empty() { "0" } else { whole }) };
        Money::parse(&plain, currency).map_err(|_| bad())
    }
}

/// Parses a decimal amount exactly into an integer scaled by `10^scale`.
///
/// Accepts an optional sign, an optional leading currency mark `R` (as Smartcall's
/// `"R450.00"`), an optional trailing `%` (as `"5.50%"`), surrounding spaces, and
/// fraction digits beyond `scale` only when they are zeros (`2.0000` at scale 2 is 200).
/// Anything that cannot be represented exactly is an error, never a rounding.
pub fn parse_decimal(text: &str, scale: u32) -> Result<i64, MoneyError> {
    let original = text;
    let mut s = text.trim();
    if s.is_empty() {
        return Err(MoneyError::Empty);
    }
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    }
    if let Some(rest) = s.strip_prefix('R') {
        s = rest.trim_start();
    }
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
    }
    let bad = || MoneyError::NotANumber(original.trim().to_string());
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if s.contains('.') && frac.is_empty() && whole.is_empty() {
        return Err(bad());
    }
    let scale = scale as usize;
    let (kept, dropped) = if frac.len() > scale { frac.split_at(scale) } else { (frac, "") };
    if dropped.bytes().any(|b| b != b'0') {
        return Err(MoneyError::Inexact(original.trim().to_string()));
    }
    let overflow = || MoneyError::Overflow(original.trim().to_string());
    let mut value: i64 = 0;
    for b in whole.bytes().chain(kept.bytes()) {
        value = value.checked_mul(10).and_then(|v| v.checked_add(i64::from(b - b'0'))).ok_or_else(overflow)?;
    }
    for _ in kept.len()..scale {
        value = value.checked_mul(10).ok_or_else(overflow)?;
    }
    Ok(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_amounts_are_digits_and_one_separator() {
        let z = |t: &str| Money::parse_typed(t, Currency::ZAR);
        assert_eq!(z("12").unwrap().minor, 1_200);
        assert_eq!(z(" 12.5 ").unwrap().minor, 1_250);
        assert_eq!(z("12,50").unwrap().minor, 1_250);
        assert_eq!(z(",5").unwrap().minor, 50);
        assert_eq!(z("0.05").unwrap().minor, 5);
        for bad in ["7%", "R12", "+12", "-12", "1 2", "12.5.0", "12,5.0", "1,000.00", ".", ",", "١٢", "12e3", "0x10"] {
            assert!(matches!(z(bad), Err(TypedAmountError::NotAnAmount(_))), "{bad}: {:?}", z(bad));
        }
        assert_eq!(z("12.505"), Err(TypedAmountError::TooManyDecimals("12.505".into())));
        assert_eq!(z(""), Err(TypedAmountError::Empty));
        let long = "1".repeat(100_000);
        let e = z(&long).unwrap_err();
        assert_eq!(e, TypedAmountError::TooLong(100_000));
        assert!(e.to_string().len() < 80, "never echoed: {e}");
        assert!(matches!(z("9999999999999"), Err(TypedAmountError::TooLong(_))));
    }

    #[test]
    fn amounts_are_shown_and_typed_with_the_thousands_grouped() {
        assert_eq!(Money::zar(10_000_000).to_string(), "R100 000.00");
        assert_eq!(Money::zar(-123_456_789).to_string(), "-R1 234 567.89");
        assert_eq!(Money::zar(99_999).to_string(), "R999.99");
        assert_eq!(Money::zar(100_000).to_string(), "R1 000.00");
        let z = |t: &str| Money::parse_typed(t, Currency::ZAR);
        assert_eq!(z("1 250,50").unwrap().minor, 125_050);
        assert_eq!(z("100 000.00").unwrap().minor, 10_000_000);
        assert_eq!(z("1\u{a0}000").unwrap().minor, 100_000);
        for bad in ["1 2", "12 50", "1 0000", " 1 000 0", "1 000.5 0", "1  000"] {
            assert!(matches!(z(bad), Err(TypedAmountError::NotAnAmount(_))), "{bad}: {:?}", z(bad));
        }
        // What the till shows, typed back, is the same amount.
        for minor in [0, 5, 1_250, 99_999, 100_000, 10_000_000, 99_999_999_999] {
            let shown = Money::zar(minor).to_string();
            assert_eq!(z(shown.trim_start_matches('R')).unwrap().minor, minor, "{shown}");
        }
    }

    #[test]
    fn parses_provider_shapes_exactly() {
        assert_eq!(parse_decimal("99574.75", 2), Ok(9_957_475));
        assert_eq!(parse_decimal("R450.00", 2), Ok(45_000));
        assert_eq!(parse_decimal("5.50%", 2), Ok(550));
        assert_eq!(parse_decimal("2.0000", 2), Ok(200));
        assert_eq!(parse_decimal("300.0", 2), Ok(30_000));
        assert_eq!(parse_decimal("-55.0000", 2), Ok(-5_500));
        assert_eq!(parse_decimal("12", 2), Ok(1_200));
        assert_eq!(parse_decimal(" 12.5 ", 2), Ok(1_250));
        assert_eq!(parse_decimal(".5", 2), Ok(50));
        assert_eq!(parse_decimal("5000", 0), Ok(5000));
    }

    #[test]
    fn refuses_what_is_not_exact() {
        assert!(matches!(parse_decimal("2.0050", 2), Err(MoneyError::Inexact(_))));
        assert!(matches!(parse_decimal("12.345", 2), Err(MoneyError::Inexact(_))));
        assert!(matches!(parse_decimal("", 2), Err(MoneyError::Empty)));
        assert!(matches!(parse_decimal("abc", 2), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_decimal("1e3", 2), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_decimal("1.2.3", 2), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_decimal(".", 2), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_decimal("12,50", 2), Err(MoneyError::NotANumber(_))));
        assert!(matches!(parse_decimal("99999999999999999999", 2), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn displays_for_people() {
        assert_eq!(Money::zar(1_200).to_string(), "R12.00");
        assert_eq!(Money::zar(-350).to_string(), "-R3.50");
        assert_eq!(Money::new(500, Currency::GBP).to_string(), "£5.00");
        assert_eq!(Money::zar(5).to_decimal_string(), "0.05");
        assert_eq!(Money::zar(-5).to_decimal_string(), "-0.05");
    }

    #[test]
    fn adding_different_currencies_is_an_error() {
        let r = Money::zar(100).checked_add(Money::new(100, Currency::GBP));
        assert!(matches!(r, Err(MoneyError::CurrencyMismatch(..))));
    }

    #[test]
    fn four_decimal_amounts_are_exact_and_round_once() {
        let cost = Money4::cost_after_discount(Money::zar(1_500), 55_000);
        assert_eq!(cost, Money4::zar(141_750));
        assert_eq!(cost.to_string(), "R14.175");
        assert_eq!(cost.round_to_cents(), Money::zar(1_418));
        assert_eq!(Money4::zar(-141_750).round_to_cents(), Money::zar(-1_418));
        assert_eq!(Money4::zar(-50).round_to_cents(), Money::zar(-1));
        assert_eq!(Money4::zar(49).round_to_cents(), Money::zar(0));
        assert_eq!(Money4::parse("99973.475", Currency::ZAR), Ok(Money4::zar(999_734_750)));
        assert_eq!(Money4::parse("-14.1750", Currency::ZAR), Ok(Money4::zar(-141_750)));
        assert!(matches!(Money4::parse("1.23456", Currency::ZAR), Err(MoneyError::Inexact(_))));
        assert_eq!(Money4::zar(1_200_000).to_string(), "R120.00");
        assert_eq!(Money4::zar(-25).to_string(), "-R0.0025");
        assert_eq!(Money4::zar(999_859_000).to_string(), "R99 985.90");
        assert_eq!(Money4::from_money(Money::zar(1_200)).exact_cents(), Some(Money::zar(1_200)));
        assert_eq!(Money4::zar(141_750).exact_cents(), None);
        // An odd price at an odd discount: R12.37 at 5.5% takes off R0.68035, kept as
        // R0.6804 (half up): the cost is R11.6896.
        assert_eq!(Money4::cost_after_discount(Money::zar(1_237), 55_000), Money4::zar(116_896));
    }

    #[test]
    fn old_records_in_cents_read_as_four_decimals() {
        let old: Money4 = serde_json::from_str(r#"{"minor":1418,"currency":"ZAR"}"#).unwrap();
        assert_eq!(old, Money4::zar(141_800));
        let new: Money4 = serde_json::from_str(&serde_json::to_string(&Money4::zar(141_750)).unwrap()).unwrap();
        assert_eq!(new, Money4::zar(141_750));
        assert!(serde_json::from_str::<Money4>(r#"{"currency":"ZAR"}"#).is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(minor in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let text = format_minor(minor, 2);
            prop_assert_eq!(parse_decimal(&text, 2), Ok(minor));
        }

        #[test]
        fn trailing_zeros_never_change_the_value(minor in 0i64..1_000_000_000, zeros in 0usize..6) {
            let text = format!("{}{}", format_minor(minor, 2), "0".repeat(zeros));
            prop_assert_eq!(parse_decimal(&text, 2), Ok(minor));
        }

        #[test]
        fn any_nonzero_third_digit_is_inexact(minor in 0i64..1_000_000_000, d in 1u8..10) {
            let text = format!("{}{}", format_minor(minor, 2), d);
            prop_assert!(matches!(parse_decimal(&text, 2), Err(MoneyError::Inexact(_))));
        }

        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = parse_decimal(&s, 2);
        }
    }
}
