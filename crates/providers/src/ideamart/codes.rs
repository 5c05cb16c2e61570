//! Ideamart's status codes in the classes providers.md §3 gives them.

use crate::ErrorClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Success,
    /// E1379 on a repeated `externalTrxId`: the first attempt succeeded.
    AlreadyCompleted,
    /// Retry later; nothing was taken.
    Transient,
    /// Tell the manager; do not retry.
    Configuration,
    /// The customer's side: the number, the balance, the approval.
    Customer,
    Unknown,
}

const TRANSIENT: &[&str] = &["E1316", "E1318", "E1319", "E1332", "E1341", "E1360", "E1363", "E1364", "E1600", "E1601", "E1602", "E1603"];
const CONFIGURATION: &[&str] = &[
    "E1301", "E1302", "E1303", "E1304", "E1305", "E1306", "E1307", "E1309", "E1310", "E1311", "E1313", "E1315", "E1322", "E1323", "E1324", "E1327", "E1328", "E1329", "E1336", "E1371", "E1381",
    "E1383", "E1387",
];
const CUSTOMER: &[&str] = &["E1317", "E1325", "E1330", "E1378", "E1405", "E1406"];

pub fn kind(code: &str) -> StatusKind {
    let c = code.trim();
    if c == "S1000" {
        StatusKind::Success
    } else if c == "E1379" {
        StatusKind::AlreadyCompleted
    } else if TRANSIENT.contains(&c) {
        StatusKind::Transient
    } else if CONFIGURATION.contains(&c) {
        StatusKind::Configuration
    } else if CUSTOMER.contains(&c) {
        StatusKind::Customer
    } else {
        StatusKind::Unknown
    }
}

/// The class of a status code for a debit.
pub fn status_class(code: &str) -> ErrorClass {
    match kind(code) {
        StatusKind::Transient => ErrorClass::Transient,
        StatusKind::Configuration => ErrorClass::Configuration,
        StatusKind::Customer => ErrorClass::Rejected,
        // Success never reaches here as an error; E1379 is read as success.
        StatusKind::Success | StatusKind::AlreadyCompleted => ErrorClass::Rejected,
        // A code nobody listed: the debit may or may not have been taken.
        StatusKind::Unknown => ErrorClass::InDoubt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_has_its_class() {
        for c in TRANSIENT {
            assert_eq!(status_class(c), ErrorClass::Transient, "{c}");
        }
        for c in CONFIGURATION {
            assert_eq!(status_class(c), ErrorClass::Configuration, "{c}");
        }
        for c in CUSTOMER {
            assert_eq!(status_class(c), ErrorClass::Rejected, "{c}");
        }
        assert_eq!(kind("E1379"), StatusKind::AlreadyCompleted);
        assert_eq!(status_class("E9999"), ErrorClass::InDoubt);
        assert_eq!(TRANSIENT.len() + CONFIGURATION.len() + CUSTOMER.len(), 12 + 23 + 6);
    }
}
