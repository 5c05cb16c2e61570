//! MX Telecom Charge to Account, crediting (UK): a credit to a mobile account, the
//! pre-paid balance enquiry, and the notifications that make a credit final
//! (providers.md §4).
//!
//! Amounts go in integer **thousandths** of the currency (5000 = £5); the till keeps
//! pence, so an amount that is not a whole number of pence is refused, never rounded.
//! A credit is final only on a `confirmed` or `failure` notification; `submitted` and
//! `retry` keep it pending. MX has no look-up by reference: a credit whose answer was
//! lost is settled by its notification (matched by number and amount) or by a manager.

pub mod conventions;
#[cfg(test)]
mod fuzz;

pub use crate::http::HttpMethod;
use crate::http::{failure, form, Failure};
use crate::ErrorClass;
use airtill_domain::Currency;
use std::collections::HashMap;
use std::time::Duration;

/// `plain` (lines `key=value`, the default) or `xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseFormat {
    #[default]
    Plain,
    Xml,
}

#[derive(Clone)]
pub struct Config {
    /// `https://cta.mxtelecom.com/api` (`/credit` and `/balance` below it).
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub response_format: ResponseFormat,
    pub method: HttpMethod,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("base_url", &self.base_url).field("username", &self.username).field("password", &"<hidden>").field("format", &self.response_format).finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MxError {
    #[error("MX Telecom could not be reached ({0})")]
    Unreachable(String),
    #[error("MX Telecom did not answer in time")]
    TimedOut,
    #[error("the connection to MX Telecom broke before it answered ({0})")]
    Dropped(String),
    /// `outcome=rejected` (HTTP 403): the gateway refused the request; nothing credited.
    #[error("MX Telecom rejected the credit ({reason_id}: {reason})")]
    Rejected { reason_id: i64, reason: String },
    #[error("MX Telecom sent an answer that could not be read (HTTP {status}): {detail}")]
    BadAnswer { status: u16, detail: String },
    #[error("MX Telecom had a server error (HTTP {0})")]
    Server(u16),
    #[error("{0}")]
    Invalid(String),
}

impl MxError {
    pub fn class_for_sale(&self) -> ErrorClass {
        match self {
            MxError::Unreachable(_) => ErrorClass::Transient,
            MxError::TimedOut | MxError::Dropped(_) | MxError::BadAnswer { .. } | MxError::Server(_) => ErrorClass::InDoubt,
            // Nothing was credited either way; only the customer's own refusal is the
            // cashier's, everything else is for the manager.
            MxError::Rejected { reason_id, reason } => match conventions::rejection(*reason_id, reason) {
                conventions::Rejection::Customer => ErrorClass::Rejected,
                _ => ErrorClass::Configuration,
            },
            MxError::Invalid(_) => ErrorClass::Rejected,
        }
    }

    pub fn class_for_read(&self) -> ErrorClass {
        match self.class_for_sale() {
            ErrorClass::InDoubt => ErrorClass::Transient,
            c => c,
        }
    }

    pub fn cashier_message(&self) -> String {
        match self {
            MxError::Unreachable(_) => "MX Telecom cannot be reached. Nothing was credited. Try again later.".into(),
            MxError::TimedOut | MxError::Dropped(_) | MxError::BadAnswer { .. } | MxError::Server(_) => {
                "MX Telecom did not confirm the credit. It may have gone through: do not credit again. Airtill waits for MX's notice.".into()
            }
            MxError::Rejected { reason_id, reason } => match conventions::rejection(*reason_id, reason) {
                conventions::Rejection::Customer => format!("MX Telecom cannot credit this number: \"{reason}\". Nothing was credited. Check the number with the customer."),
                conventions::Rejection::Account => {
                    format!("MX Telecom refused Airtill's account: \"{reason}\" (reason {reason_id}). Nothing was credited. Tell the manager: the MX account's login, funds or limits need looking at.")
                }
                conventions::Rejection::Request => {
                    format!("MX Telecom refused Airtill's request as incomplete: \"{reason}\" (reason {reason_id}). Nothing was credited. Tell the manager and Airtill support.")
                }
                conventions::Rejection::Unknown => {
                    format!("MX Telecom refused the credit with a reason Airtill does not know: \"{reason}\" (reason {reason_id}). Nothing was credited. Tell the manager.")
                }
            },
            MxError::Invalid(m) => m.clone(),
        }
    }
}

/// A credit to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRequest {
    /// International, no `+` (`447700900000`).
    pub msisdn: String,
    /// Minor units (pence).
    pub amount: i64,
    pub currency: Currency,
    pub brand: Option<String>,
}

/// Pence → thousandths (`500` → `5000`).
pub fn thousandths(minor: i64) -> i64 {
    minor * 10
}

/// Thousandths → pence, only when exact.
pub fn minor_of_thousandths(t: i64) -> Option<i64> {
    (t % 10 == 0).then_some(t / 10)
}

/// A UK mobile number as MX wants it: `447...` (from `07...`, `+44 7...`).
pub fn uk_msisdn(input: &str) -> Result<String, MxError> {
    let digits: String = input.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '+' | '(' | ')')).collect();
    let n = if let Some(rest) = digits.strip_prefix("07") { format!("447{rest}") } else { digits };
    if n.len() == 12 && n.starts_with("447") && n.bytes().all(|b| b.is_ascii_digit()) {
        Ok(n)
    } else {
        Err(MxError::Invalid("A UK mobile number is 07XXX XXXXXX (or 447XXXXXXXXX).".into()))
    }
}

/// The state a notification reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditState {
    Submitted,
    Confirmed,
    Failure,
    Retry,
}

impl CreditState {
    pub fn parse(s: &str) -> Option<CreditState> {
        Some(match s {
            "submitted" => CreditState::Submitted,
            "confirmed" => CreditState::Confirmed,
            "failure" => CreditState::Failure,
            "retry" => CreditState::Retry,
            _ => return None,
        })
    }
    /// `confirmed` and `failure` are final; the others keep the credit pending.
    pub fn is_final(self) -> bool {
        matches!(self, CreditState::Confirmed | CreditState::Failure)
    }
}

/// One notification (an HTTP GET from MX to the shop's URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub credit_id: String,
    pub state: CreditState,
    pub msisdn: Option<String>,
    pub network: Option<String>,
    pub billing_type: Option<String>,
    pub mvno: Option<String>,
    /// Thousandths.
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub requirefulfilment_url: Option<bool>,
    pub reason: Option<String>,
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// `a=1&b=2` → map (first value of each name wins).
pub fn query_pairs(q: &str) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for p in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        m.entry(decode(k)).or_insert_with(|| decode(v));
    }
    m
}

impl Notification {
    /// Reads a notification's query string. `creditId` and a known `creditState` are
    /// required; the rest is read where present.
    pub fn from_query(q: &str) -> Result<Notification, String> {
        let m = query_pairs(q);
        let get = |k: &str| m.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let credit_id = get("creditId").ok_or("no creditId")?;
        if credit_id.len() > 64 || !credit_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err("creditId is not an id".into());
        }
        let state_text = get("creditState").ok_or("no creditState")?;
        let state = CreditState::parse(&state_text).ok_or_else(|| format!("unknown creditState {state_text:?}"))?;
        let amount = match get("amount") {
            None => None,
            Some(a) => Some(a.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| format!("amount {a:?} is not whole thousandths"))?),
        };
        let requirefulfilment_url = match get("requirefulfilmentUrl").as_deref() {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => return Err(format!("requirefulfilmentUrl is {other:?}")),
        };
        Ok(Notification {
            credit_id,
            state,
            msisdn: get("msisdn"),
            network: get("network"),
            billing_type: get("billingType"),
            mvno: get("mvno"),
            amount,
            currency: get("currency"),
            requirefulfilment_url,
            reason: get("reason"),
        })
    }
}

pub struct Client {
    http: reqwest::Client,
    cfg: Config,
}

/// The fields of an answer, plain or XML.
pub(crate) fn fields(status: u16, body: &[u8], format: ResponseFormat) -> Result<HashMap<String, String>, MxError> {
    if status >= 500 {
        return Err(MxError::Server(status));
    }
    let text = std::str::from_utf8(body).map_err(|_| MxError::BadAnswer { status, detail: "not UTF-8".into() })?;
    let mut m = HashMap::new();
    match format {
        ResponseFormat::Plain => {
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                let (k, v) = line.split_once('=').ok_or_else(|| MxError::BadAnswer { status, detail: format!("a line without '=': {line:?}") })?;
                m.entry(k.trim().to_string()).or_insert_with(|| v.trim().to_string());
            }
        }
        ResponseFormat::Xml => {
            let root = crate::xml::parse(text).map_err(|detail| MxError::BadAnswer { status, detail })?;
            for c in &root.children {
                m.entry(c.name.clone()).or_insert_with(|| c.text.clone());
            }
        }
    }
    Ok(m)
}

/// A credit answer → its `creditId`, or the rejection.
pub(crate) fn read_credit(status: u16, body: &[u8], format: ResponseFormat) -> Result<String, MxError> {
    let m = fields(status, body, format)?;
    let bad = |d: &str| MxError::BadAnswer { status, detail: d.to_string() };
    match m.get("outcome").map(String::as_str) {
        Some("success") if status == 200 => {
            let id = m.get("creditId").filter(|i| !i.is_empty()).ok_or_else(|| bad("success without a creditId"))?;
            Ok(id.clone())
        }
        Some("rejected") => {
            let reason_id = m.get("outcomeReasonId").and_then(|r| r.parse::<i64>().ok()).ok_or_else(|| bad("rejected without outcomeReasonId"))?;
            Err(MxError::Rejected { reason_id, reason: m.get("outcomeReasonText").cloned().unwrap_or_default() })
        }
        other => Err(bad(&format!("outcome {other:?} with HTTP {status}"))),
    }
}

/// A balance answer → (minor units, currency).
pub(crate) fn read_balance(status: u16, body: &[u8], format: ResponseFormat) -> Result<(i64, Currency), MxError> {
    let m = fields(status, body, format)?;
    let bad = |d: String| MxError::BadAnswer { status, detail: d };
    if m.get("outcome").map(String::as_str) == Some("rejected") {
        let reason_id = m.get("outcomeReasonId").and_then(|r| r.parse::<i64>().ok()).unwrap_or(0);
        return Err(MxError::Rejected { reason_id, reason: m.get("outcomeReasonText").cloned().unwrap_or_default() });
    }
    if status != 200 {
        return Err(bad(format!("HTTP {status}")));
    }
    let t: i64 = m.get("balance").and_then(|b| b.parse().ok()).ok_or_else(|| bad("no whole balance".into()))?;
    let minor = minor_of_thousandths(t).ok_or_else(|| bad(format!("balance {t} thousandths is not a whole number of pence")))?;
    let currency = match m.get("currency").map(String::as_str) {
        Some("GBP") => Currency::GBP,
        other => return Err(bad(format!("currency {other:?}"))),
    };
    Ok((minor, currency))
}

/// A failed call in MX's terms.
fn classify(e: reqwest::Error) -> MxError {
    match failure(e) {
        Failure::Unreachable(c) => MxError::Unreachable(c),
        Failure::TimedOut => MxError::TimedOut,
        Failure::Dropped(c) => MxError::Dropped(c),
        Failure::Invalid(c) => MxError::Invalid(format!("the MX address is not valid: {c}")),
    }
}

impl Client {
    pub fn new(cfg: Config) -> Result<Client, MxError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("Airtill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MxError::Invalid(format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, cfg })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    async fn call(&self, path: &str, params: Vec<(&str, String)>) -> Result<(u16, Vec<u8>), MxError> {
        let mut pairs = vec![("username", self.cfg.username.clone()), ("password", self.cfg.password.clone())];
        pairs.extend(params);
        let url = format!("{}{path}", self.cfg.base_url.trim_end_matches('/'));
        let req = match self.cfg.method {
            HttpMethod::Post => self.http.post(url).header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8").body(form(&pairs)),
            HttpMethod::Get => self.http.get(format!("{url}?{}", form(&pairs))),
        };
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(classify)?;
        Ok((status, body.to_vec()))
    }

    /// `/credit`: returns the gateway's `creditId`. The credit is not yet final.
    pub async fn credit(&self, req: &CreditRequest) -> Result<String, MxError> {
        let msisdn = uk_msisdn(&req.msisdn)?;
        if req.amount <= 0 {
            return Err(MxError::Invalid("A credit is for more than nothing.".into()));
        }
        let mut params = vec![
            (
                "responseFormat",
                match self.cfg.response_format {
                    ResponseFormat::Plain => "plain",
                    ResponseFormat::Xml => "xml",
                }
                .to_string(),
            ),
            ("msisdn", msisdn),
            ("currency", req.currency.code().to_string()),
            ("amount", thousandths(req.amount).to_string()),
        ];
        if let Some(b) = req.brand.as_ref().filter(|b| !b.trim().is_empty()) {
            params.push(("brand", b.trim().to_string()));
        }
        let (status, body) = self.call("/credit", params).await?;
        read_credit(status, &body, self.cfg.response_format)
    }

    /// `/balance`: the account's pre-paid funds (minor units).
    pub async fn balance(&self) -> Result<(i64, Currency), MxError> {
        let fmt = match self.cfg.response_format {
            ResponseFormat::Plain => "plain",
            ResponseFormat::Xml => "xml",
        };
        let (status, body) = self.call("/balance", vec![("responseFormat", fmt.to_string())]).await?;
        read_balance(status, &body, self.cfg.response_format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_numbers_and_notifications() {
        assert_eq!(read_credit(200, b"outcome=success\noutcomeReasonId=1000\ncreditId=abc123\n", ResponseFormat::Plain).unwrap(), "abc123");
        assert_eq!(read_credit(200, b"<credit><outcome>success</outcome><outcomeReasonId>1000</outcomeReasonId><creditId>abc123</creditId></credit>", ResponseFormat::Xml).unwrap(), "abc123");
        let e = read_credit(403, b"outcome=rejected\noutcomeReasonId=3037\noutcomeReasonText=Missing amount\n", ResponseFormat::Plain).unwrap_err();
        // A missing parameter is Airtill's own request at fault: the manager's, not the customer's.
        assert_eq!((e.class_for_sale(), e.clone()), (ErrorClass::Configuration, MxError::Rejected { reason_id: 3037, reason: "Missing amount".into() }));
        assert_eq!(read_credit(502, b"", ResponseFormat::Plain).unwrap_err().class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(read_credit(200, b"outcome=success\n", ResponseFormat::Plain).unwrap_err().class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(read_balance(200, b"balance=1234560\ncurrency=GBP\n", ResponseFormat::Plain).unwrap(), (123_456, Currency::GBP));
        assert!(read_balance(200, b"balance=1234561\ncurrency=GBP\n", ResponseFormat::Plain).is_err(), "a tenth of a penny is not rounded");
        assert_eq!(uk_msisdn("07700 900000").unwrap(), "447700900000");
        assert!(uk_msisdn("27831234567").is_err());
        assert_eq!((thousandths(500), minor_of_thousandths(5000)), (5000, Some(500)));
        let n = Notification::from_query(
            "creditId=abc123&creditState=failure&msisdn=447700900004&network=TESTNETWORK&billingType=prepay&amount=5000&currency=GBP&requirefulfilmentUrl=no&reason=Network+rejected",
        )
        .unwrap();
        assert_eq!((n.state, n.amount, n.reason.as_deref(), n.requirefulfilment_url), (CreditState::Failure, Some(5000), Some("Network rejected"), Some(false)));
        assert!(Notification::from_query("creditState=confirmed").is_err());
        assert!(Notification::from_query("creditId=a&creditState=maybe").is_err());
        assert!(Notification::from_query("creditId=a/../b&creditState=confirmed").is_err());
        assert!(!CreditState::Retry.is_final() && CreditState::Confirmed.is_final());
    }
}
