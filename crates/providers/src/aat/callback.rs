//! AAT's call-back: the JSON body AAT POSTs to the merchant's URL after a sale,
//! hourly for three hours and once at day end (spec, "Call-back Feature").

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub transaction_id: String,
    pub client_ref: String,
    pub order_ref: Option<String>,
    pub msisdn: Option<String>,
    /// Cents.
    pub amount: Option<i64>,
    pub voucher_type: Option<String>,
    pub description: Option<String>,
    pub network: Option<String>,
    pub success: bool,
    pub fail_reason: Option<String>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        // Ids only (never money): a JSON number's text as serde_json writes it.
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The body as sent: ids and texts as JSON values, the amount read exactly from its
/// raw text (never through `f64`), the shared reader of provider amounts.
#[derive(Deserialize)]
struct Body {
    #[serde(rename = "TransactionId", default)]
    transaction_id: Option<Value>,
    #[serde(rename = "ClientRef", default)]
    client_ref: Option<Value>,
    #[serde(rename = "OrderRef", default)]
    order_ref: Option<Value>,
    #[serde(rename = "MSISDN", default)]
    msisdn: Option<Value>,
    #[serde(rename = "Amount", default, deserialize_with = "crate::decimal::opt_hundredths")]
    amount: Option<i64>,
    #[serde(rename = "VoucherType", default)]
    voucher_type: Option<Value>,
    #[serde(rename = "Description", default)]
    description: Option<Value>,
    #[serde(rename = "Network", default)]
    network: Option<Value>,
    #[serde(rename = "Success", default)]
    success: Option<Value>,
    #[serde(rename = "FailReason", default)]
    fail_reason: Option<Value>,
}

impl Callback {
    /// Reads a call-back body. Field names as the spec gives them; unknown fields are
    /// ignored; `ClientRef` and `Success` are required.
    pub fn parse(body: &[u8]) -> Result<Callback, String> {
        let b: Body = serde_json::from_slice(body).map_err(|e| format!("not the call-back JSON: {e}"))?;
        let client_ref = text(b.client_ref.as_ref()).ok_or("no ClientRef")?;
        if client_ref.len() > 64 {
            return Err("ClientRef is too long".into());
        }
        let success = match b.success {
            Some(Value::Bool(v)) => v,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            _ => return Err("Success is not true or false".into()),
        };
        Ok(Callback {
            transaction_id: text(b.transaction_id.as_ref()).unwrap_or_default(),
            client_ref,
            order_ref: text(b.order_ref.as_ref()),
            msisdn: text(b.msisdn.as_ref()),
            amount: b.amount,
            voucher_type: text(b.voucher_type.as_ref()),
            description: text(b.description.as_ref()),
            network: text(b.network.as_ref()),
            success,
            fail_reason: text(b.fail_reason.as_ref()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_fields() {
        let b = br#"{"TransactionId":1234,"ClientRef":"abc-1","OrderRef":"98187964","MSISDN":"27810236221","Amount":5.5,"VoucherType":66,"Description":"Airtime","Network":"MTN","Success":false,"FailReason":"network refused","Extra":1}"#;
        let c = Callback::parse(b).unwrap();
        assert_eq!(c.transaction_id, "1234");
        assert_eq!(c.amount, Some(550));
        assert!(!c.success);
        assert_eq!(c.fail_reason.as_deref(), Some("network refused"));
        assert!(Callback::parse(br#"{"Success":true}"#).is_err());
        assert!(Callback::parse(br#"{"ClientRef":"x","Success":"maybe"}"#).is_err());
        assert!(Callback::parse(br#"{"ClientRef":"x","Success":true,"Amount":1.005}"#).is_err());
        assert!(Callback::parse(b"[]").is_err());
        // Amounts are read exactly from their text, as numbers or strings.
        assert_eq!(Callback::parse(br#"{"ClientRef":"x","Success":true,"Amount":99574.75}"#).unwrap().amount, Some(9_957_475));
        assert_eq!(Callback::parse(br#"{"ClientRef":"x","Success":true,"Amount":"12.50"}"#).unwrap().amount, Some(1_250));
        assert_eq!(Callback::parse(br#"{"ClientRef":"x","Success":true,"Amount":null}"#).unwrap().amount, None);
    }
}
