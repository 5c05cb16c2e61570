//! South African mobile networks, the prefix table (data, not code) and dial strings.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// A South African mobile network operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub enum Network {
    Vodacom,
    #[serde(rename = "MTN")]
    Mtn,
    #[serde(rename = "CellC")]
    CellC,
    Telkom,
}

impl Network {
    pub const ALL: [Network; 4] = [Network::Vodacom, Network::Mtn, Network::CellC, Network::Telkom];

    pub fn name(self) -> &'static str {
        match self {
            Network::Vodacom => "Vodacom",
            Network::Mtn => "MTN",
            Network::CellC => "Cell C",
            Network::Telkom => "Telkom",
        }
    }

    /// Recognises a network from a provider's name for it ("MTN", "Cell C", "CELLC",
    /// "VOD", "Telkom Mobile", ...).
    pub fn from_provider_name(name: &str) -> Option<Network> {
        let n: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        match n.as_str() {
            "vodacom" | "vod" | "vodacomsa" => Some(Network::Vodacom),
            "mtn" | "mtnsa" => Some(Network::Mtn),
            "cellc" => Some(Network::CellC),
            "telkom" | "telkommobile" | "8ta" => Some(Network::Telkom),
            _ => None,
        }
    }

    /// The USSD string a customer dials to load a voucher PIN (AAT spec).
    pub fn dial_string(self, pin: &str) -> String {
        let pin: String = pin.chars().filter(|c| !c.is_whitespace()).collect();
        match self {
            Network::Vodacom => format!("*100*01*{pin}#"),
            Network::Mtn => format!("*141*{pin}#"),
            Network::CellC => format!("*102*{pin}#"),
            Network::Telkom => format!("*188*{pin}#"),
        }
    }

    fn from_table_name(name: &str) -> Option<Network> {
        match name {
            "Vodacom" => Some(Network::Vodacom),
            "MTN" => Some(Network::Mtn),
            "CellC" => Some(Network::CellC),
            "Telkom" => Some(Network::Telkom),
            _ => None,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The built-in prefix table (`data/za-prefixes.txt`).
pub const BUILTIN_PREFIXES: &str = include_str!("../data/za-prefixes.txt");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} of the prefix table: {reason}")]
pub struct PrefixTableError {
    pub line: usize,
    pub reason: String,
}

/// Number ranges as first allocated: a hint of a number's network, never the truth.
#[derive(Debug, Clone)]
pub struct PrefixTable {
    /// (national prefix without the leading 0, network), longest first.
    entries: Vec<(String, Network)>,
}

impl PrefixTable {
    pub fn builtin() -> PrefixTable {
        PrefixTable::parse(BUILTIN_PREFIXES).expect("the built-in prefix table parses")
    }

    pub fn parse(text: &str) -> Result<PrefixTable, PrefixTableError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: &str| PrefixTableError { line: i + 1, reason: reason.to_string() };
            let mut parts = line.split_whitespace();
            let (Some(prefix), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(err("expected '<prefix> <network>'"));
            };
            let Some(national) = prefix.strip_prefix('0') else {
                return Err(err("a prefix starts with 0"));
            };
            if national.is_empty() || !national.bytes().all(|b| b.is_ascii_digit()) || national.len() > 9 {
                return Err(err("a prefix is 0 followed by up to 9 digits"));
            }
            let network = Network::from_table_name(name).ok_or_else(|| err("the network is one of Vodacom, MTN, CellC, Telkom"))?;
            entries.push((national.to_string(), network));
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.0.len()));
        Ok(PrefixTable { entries })
    }

    /// The network a number was first allocated to, if its range is known.
    pub fn network_of(&self, msisdn: &crate::Msisdn) -> Option<Network> {
        let national = msisdn.national_digits();
        self.entries.iter().find(|(p, _)| national.starts_with(p.as_str())).map(|(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Msisdn;

    #[test]
    fn builtin_table_knows_the_main_ranges() {
        let t = PrefixTable::builtin();
        let net = |s: &str| t.network_of(&Msisdn::parse(s).unwrap());
        assert_eq!(net("083 123 4567"), Some(Network::Mtn));
        assert_eq!(net("082 123 4567"), Some(Network::Vodacom));
        assert_eq!(net("084 123 4567"), Some(Network::CellC));
        assert_eq!(net("0811234567"), Some(Network::Telkom));
        assert_eq!(net("0818234567"), Some(Network::Vodacom));
        assert_eq!(net("0810234567"), Some(Network::Mtn));
        assert_eq!(net("0614234567"), Some(Network::Telkom));
        assert_eq!(net("0620234567"), Some(Network::CellC));
    }

    #[test]
    fn table_errors_name_the_line() {
        let e = PrefixTable::parse("# c\n083 MTN\n083 Nope\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(PrefixTable::parse("83 MTN").is_err());
        assert!(PrefixTable::parse("083").is_err());
    }

    #[test]
    fn dial_strings_follow_the_networks() {
        assert_eq!(Network::Mtn.dial_string("1234 5678 9012"), "*141*123456789012#");
        assert_eq!(Network::Vodacom.dial_string("1"), "*100*01*1#");
        assert_eq!(Network::CellC.dial_string("1"), "*102*1#");
        assert_eq!(Network::Telkom.dial_string("1"), "*188*1#");
    }

    #[test]
    fn provider_names_are_recognised() {
        assert_eq!(Network::from_provider_name("Cell C"), Some(Network::CellC));
        assert_eq!(Network::from_provider_name("CELLC"), Some(Network::CellC));
        assert_eq!(Network::from_provider_name("VOD"), Some(Network::Vodacom));
        assert_eq!(Network::from_provider_name("Telkom Mobile"), Some(Network::Telkom));
        assert_eq!(Network::from_provider_name("Electricity-Eskom"), None);
    }
}
