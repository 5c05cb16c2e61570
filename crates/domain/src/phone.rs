//! South African cell numbers, parsed and normalised to `27XXXXXXXXX`.
//!
//! The digits are checked here (length, country, leading digits) so that every error
//! can say plainly what is wrong; the `phonenumber` library (Google's libphonenumber
//! metadata) then decides whether the number is a real mobile number.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A South African mobile number in international form without `+`: `27831234567`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct Msisdn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Type the customer's cell number, for example 083 123 4567.")]
    Empty,
    #[error("A cell number has only digits (spaces, dashes and a leading + are fine), for example 083 123 4567.")]
    NotDigits,
    #[error("That number has {0} digits. A South African cell number has 10 digits starting with 0 (083 123 4567), or 11 starting with 27.")]
    WrongLength(usize),
    #[error("That is not a South African number. Numbers start with 0 or 27.")]
    NotSouthAfrican,
    #[error("That looks like a landline number. Airtime and data go to a cell number.")]
    NotMobile,
    #[error("That is not a valid South African cell number. Check the digits with the customer.")]
    Invalid,
}

impl Msisdn {
    /// Parses what a cashier types or pastes: `083 123 4567`, `0831234567`,
    /// `+27 83 123 4567`, `27831234567`, `(083) 123-4567`.
    pub fn parse(input: &str) -> Result<Msisdn, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::with_capacity(12);
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' | '\u{a0}' => {}
                '+' if i == 0 => {}
                _ => return Err(PhoneError::NotDigits),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::NotDigits);
        }
        let national = if let Some(rest) = digits.strip_prefix("27") {
            if rest.len() != 9 {
                return Err(PhoneError::WrongLength(digits.len()));
            }
            rest.to_string()
        } else if let Some(rest) = digits.strip_prefix("0") {
            if rest.starts_with('0') {
                return Err(PhoneError::NotSouthAfrican);
            }
            if rest.len() != 9 {
                return Err(PhoneError::WrongLength(digits.len()));
            }
            rest.to_string()
        } else if digits.len() == 9 && !trimmed.starts_with('+') {
            // A number typed without its leading 0 ("83 123 4567").
            digits.clone()
        } else if trimmed.starts_with('+') || digits.len() > 10 {
            return Err(PhoneError::NotSouthAfrican);
        } else {
            return Err(PhoneError::WrongLength(digits.len()));
        };
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::ZA), format!("+27{national}")).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        match parsed.number_type(&phonenumber::metadata::DATABASE) {
            phonenumber::Type::Mobile => Ok(Msisdn(format!("27{national}"))),
            phonenumber::Type::FixedLine | phonenumber::Type::FixedLineOrMobile => Err(PhoneError::NotMobile),
            _ => Err(PhoneError::Invalid),
        }
    }

    /// `27831234567`: the form every provider takes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nine digits after the country code: `831234567`.
    pub fn national_digits(&self) -> &str {
        &self.0[2..]
    }

    /// `083 123 4567`: the form people read.
    pub fn display_local(&self) -> String {
        let n = self.national_digits();
        format!("0{} {} {}", &n[0..2], &n[2..5], &n[5..9])
    }
}

impl fmt::Display for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_local())
    }
}

impl TryFrom<String> for Msisdn {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Msisdn::parse(&value)
    }
}

impl From<Msisdn> for String {
    fn from(value: Msisdn) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_way_people_type_a_number() {
        for s in ["083 123 4567", "0831234567", "+27 83 123 4567", "27831234567", "(083) 123-4567", "83 123 4567", " 083-123-4567 "] {
            assert_eq!(Msisdn::parse(s).unwrap().as_str(), "27831234567", "{s}");
        }
        assert_eq!(Msisdn::parse("0831234567").unwrap().display_local(), "083 123 4567");
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(Msisdn::parse(""), Err(PhoneError::Empty));
        assert_eq!(Msisdn::parse("   "), Err(PhoneError::Empty));
        assert_eq!(Msisdn::parse("083 123 456a"), Err(PhoneError::NotDigits));
        assert_eq!(Msisdn::parse("083 123 456"), Err(PhoneError::WrongLength(9)));
        assert_eq!(Msisdn::parse("083 123 45678"), Err(PhoneError::WrongLength(11)));
        assert_eq!(Msisdn::parse("+44 7700 900123"), Err(PhoneError::NotSouthAfrican));
        assert_eq!(Msisdn::parse("0044 7700 900123"), Err(PhoneError::NotSouthAfrican));
        assert_eq!(Msisdn::parse("011 123 4567"), Err(PhoneError::NotMobile));
        assert_eq!(Msisdn::parse("021 123 4567"), Err(PhoneError::NotMobile));
    }

    #[test]
    fn messages_speak_to_the_cashier() {
        let m = PhoneError::WrongLength(9).to_string();
        assert!(m.contains("10 digits"), "{m}");
        assert!(PhoneError::NotMobile.to_string().contains("landline"));
    }

    #[test]
    fn serde_validates() {
        let m: Msisdn = serde_json::from_str("\"0831234567\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"27831234567\"");
        assert!(serde_json::from_str::<Msisdn>("\"12\"").is_err());
    }
}
