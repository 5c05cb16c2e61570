//! Exact reading and writing of provider amounts in JSON, never through `f64`.
//!
//! A JSON number is read from its raw text (`serde_json`'s `RawValue`), a JSON string
//! (`"R450.00"`, `"5.50%"`) from its contents; both go through the exact parser of
//! [`airtill_domain::money::parse_decimal`].

use airtill_domain::money::{format_minor, parse_decimal};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

/// Hundredths (cents, or hundredths of a percent) from a JSON number or string.
pub fn hundredths<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let raw: &RawValue = Deserialize::deserialize(d)?;
    raw_hundredths(raw).map_err(D::Error::custom)
}

/// As [`hundredths`], where `null` or absence means `None`.
pub fn opt_hundredths<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let raw: Option<&RawValue> = Deserialize::deserialize(d)?;
    match raw {
        None => Ok(None),
        Some(r) if r.get() == "null" => Ok(None),
        Some(r) if r.get() == "\"\"" => Ok(None),
        Some(r) => raw_hundredths(r).map(Some).map_err(D::Error::custom),
    }
}

fn raw_hundredths(raw: &RawValue) -> Result<i64, String> {
    let text = raw.get();
    let inner = if text.starts_with('"') { serde_json::from_str::<String>(text).map_err(|e| e.to_string())? } else { text.to_string() };
    parse_decimal(&inner, 2).map_err(|e| format!("amount {text}: {e}"))
}

/// Writes cents as a JSON number in major units with no float: 1200 → `12`, 1250 → `12.5`.
/// Reads `text` as any money the wire carries (a number, "R450.00", "5.50%"), for
/// the fuzzer: an error is fine, a panic is not.
#[cfg(test)]
pub(crate) fn parse_json_money_for_fuzz(text: &str) -> Option<i64> {
    let raw: Box<RawValue> = serde_json::from_str(text).ok()?;
    raw_hundredths(&raw).ok()
}

pub fn serialize_rand<S: Serializer>(minor: &i64, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(json_number(*minor)).map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&raw, s)
}

/// As [`serialize_rand`] for an optional amount (`null` when absent).
pub fn serialize_opt_rand<S: Serializer>(minor: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match minor {
        Some(m) => serialize_rand(m, s),
        None => s.serialize_none(),
    }
}

/// The shortest exact decimal for cents: `12`, `12.5`, `12.05`, `-3`.
pub fn json_number(minor: i64) -> String {
    let text = format_minor(minor, 2);
    let text = text.trim_end_matches('0');
    text.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Deserialize, Serialize, Debug)]
    struct T {
        #[serde(deserialize_with = "hundredths", serialize_with = "serialize_rand")]
        a: i64,
        #[serde(default, deserialize_with = "opt_hundredths", skip_serializing)]
        b: Option<i64>,
    }

    #[test]
    fn reads_numbers_and_strings_exactly() {
        let t: T = serde_json::from_str(r#"{"a":99574.75,"b":"R450.00"}"#).unwrap();
        assert_eq!((t.a, t.b), (9_957_475, Some(45_000)));
        let t: T = serde_json::from_str(r#"{"a":"5.50%","b":null}"#).unwrap();
        assert_eq!((t.a, t.b), (550, None));
        let t: T = serde_json::from_str(r#"{"a":2.0000}"#).unwrap();
        assert_eq!((t.a, t.b), (200, None));
        assert!(serde_json::from_str::<T>(r#"{"a":2.005}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":1e2}"#).is_err());
        assert!(serde_json::from_str::<T>(r#"{"a":true}"#).is_err());
    }

    #[test]
    fn writes_json_numbers_without_floats() {
        assert_eq!(json_number(1200), "12");
        assert_eq!(json_number(1250), "12.5");
        assert_eq!(json_number(1205), "12.05");
        assert_eq!(json_number(0), "0");
        assert_eq!(json_number(10_000), "100");
        assert_eq!(serde_json::to_string(&T { a: 10_000, b: None }).unwrap(), r#"{"a":100}"#);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Deserialize)]
    struct A {
        #[serde(deserialize_with = "hundredths")]
        a: i64,
    }

    fn read(json: &str) -> Result<i64, String> {
        serde_json::from_str::<A>(json).map(|v| v.a).map_err(|e| e.to_string())
    }

    proptest! {
        #[test]
        fn written_numbers_read_back_exactly(cents in -10_000_000_000i64..10_000_000_000i64) {
            prop_assert_eq!(read(&format!("{{\"a\":{}}}", json_number(cents))), Ok(cents));
        }

        #[test]
        fn four_place_numbers_rand_strings_and_percentages_read_exactly(cents in 0i64..10_000_000_000i64) {
            let four = format!("{}.{:02}00", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{four}}}")), Ok(cents));
            let rand = format!("\"R{}.{:02}\"", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{rand}}}")), Ok(cents));
            let percent = format!("\"{}.{:02}%\"", cents / 100, cents % 100);
            prop_assert_eq!(read(&format!("{{\"a\":{percent}}}")), Ok(cents));
        }

        #[test]
        fn a_value_that_is_not_exact_is_an_error(cents in 0i64..1_000_000_000, extra in 1u8..10) {
            let text = format!("{}.{:02}{}", cents / 100, cents % 100, extra);
            let number = read(&format!("{{\"a\":{text}}}"));
            let string = read(&format!("{{\"a\":\"R{text}\"}}"));
            prop_assert!(number.is_err() && string.is_err());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,24}") {
            let _ = read(&format!("{{\"a\":{}}}", serde_json::to_string(&s).unwrap()));
            let _ = read(&format!("{{\"a\":{s}}}"));
        }
    }
}
