//! AAT's call-back: the JSON body AAT POSTs to the merchant's URL after a sale,
//! hourly for three hours and once at day end (spec, "Call-back Feature").

use airtill_domain::money::parse_decimal;
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
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Callback {
    /// Reads a call-back body. Field names as the spec gives them; unknown fields are
    /// ignored; `ClientRef` and `Success` are required.
    pub fn parse(body: &[u8]) -> Result<Callback, String> {
        let v: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
        let obj = v.as_object().ok_or("the body is not a JSON object")?;
        let client_ref = text(obj.get("ClientRef")).ok_or("no ClientRef")?;
        if client_ref.len() > 64 {
            return Err("ClientRef is too long".into());
        }
        let success = match obj.get("Success") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => true,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => false,
            _ => return Err("Success is not true or false".into()),
        };
        let amount = match text(obj.get("Amount")) {
            None => None,
            Some(a) => Some(parse_decimal(&a, 2).map_err(|e| format!("Amount: {e}"))?),
        };
        Ok(Callback {
            transaction_id: text(obj.get("TransactionId")).unwrap_or_default(),
            client_ref,
            order_ref: text(obj.get("OrderRef")),
            msisdn: text(obj.get("MSISDN")),
            amount,
            voucher_type: text(obj.get("VoucherType")),
            description: text(obj.get("Description")),
            network: text(obj.get("Network")),
            success,
            fail_reason: text(obj.get("FailReason")),
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
    }
}
