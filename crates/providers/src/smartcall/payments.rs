//! EasyPay and DSTV bill payments (`/payments`, spec §10). Request shapes are
//! **[seen]**; answer shapes are **[convention]**.

use crate::decimal::{opt_hundredths, serialize_rand};
use serde::{Deserialize, Serialize};

/// An EasyPay account to query or pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EasyPayAccount {
    /// An EasyPay number: starts with 9, often printed after `>>>>` characters.
    EpNo(String),
    /// A traffic fine notice number, dashes and slashes and all.
    NoticeNo(String),
}

impl EasyPayAccount {
    /// Reads what the cashier typed, checked before anything is sent.
    pub fn ep_no(text: &str) -> Result<EasyPayAccount, String> {
        let digits: String = text.trim().trim_start_matches('>').chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return Err("Type the EasyPay number from the bill.".into());
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("An EasyPay number has only digits (leave out the >>>> marks).".into());
        }
        if !digits.starts_with('9') {
            return Err("An EasyPay number starts with 9. Check the number on the bill.".into());
        }
        if !(10..=30).contains(&digits.len()) {
            return Err("That EasyPay number has the wrong length. Check the number on the bill.".into());
        }
        Ok(EasyPayAccount::EpNo(digits))
    }

    pub fn notice_no(text: &str) -> Result<EasyPayAccount, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("Type the fine's notice number exactly as printed, dashes and slashes too.".into());
        }
        if t.len() > 40 || !t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ' ' | '.')) {
            return Err("That notice number has characters a fine's notice number cannot have.".into());
        }
        Ok(EasyPayAccount::NoticeNo(t.to_string()))
    }

    /// `epNo` or `noticeNo`, as the path and `accountType` write it.
    pub fn account_type(&self) -> &'static str {
        match self {
            EasyPayAccount::EpNo(_) => "epNo",
            EasyPayAccount::NoticeNo(_) => "noticeNo",
        }
    }

    pub fn reference(&self) -> &str {
        match self {
            EasyPayAccount::EpNo(s) | EasyPayAccount::NoticeNo(s) => s,
        }
    }
}

/// DSTV account kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DstvAccountType {
    /// A subscription.
    Subs,
    /// BoxOffice.
    Tvod,
}

impl DstvAccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            DstvAccountType::Subs => "SUBS",
            DstvAccountType::Tvod => "TVOD",
        }
    }
}

/// An account query's answer (EasyPay or DSTV).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountQuery {
    #[serde(default)]
    pub account_reference: Option<String>,
    /// Cents; `None` when the account owes nothing known.
    #[serde(default, deserialize_with = "opt_hundredths")]
    pub amount_due: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST /payments/easypay`, fields as recorded.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EasyPayPayment {
    pub smartload_id: String,
    pub client_reference: String,
    pub product_id: i64,
    pub account_type: String,
    pub account_reference: String,
    /// Cents here; Rand as a JSON number on the wire.
    #[serde(serialize_with = "serialize_rand")]
    pub payment_amount: i64,
    pub payment_cell_number: String,
}

/// `POST /payments/dstv` **[convention]**.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DstvPayment {
    pub smartload_id: String,
    pub client_reference: String,
    pub account_type: String,
    pub account_reference: String,
    #[serde(serialize_with = "serialize_rand")]
    pub payment_amount: i64,
    pub payment_cell_number: String,
}

/// A payment's receipt.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub reference: String,
    pub receipt_number: String,
    #[serde(deserialize_with = "crate::decimal::hundredths")]
    pub amount: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PaymentResponse {
    pub payment: Option<Payment>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easypay_numbers_are_checked_before_sending() {
        assert_eq!(EasyPayAccount::ep_no(">>>>91234567890123").unwrap(), EasyPayAccount::EpNo("91234567890123".into()));
        assert!(EasyPayAccount::ep_no("81234567890").unwrap_err().contains("starts with 9"));
        assert!(EasyPayAccount::ep_no("9abc").is_err());
        assert_eq!(EasyPayAccount::notice_no(" 02/1234-567 ").unwrap().reference(), "02/1234-567");
        assert!(EasyPayAccount::notice_no("<script>").is_err());
    }
}
