//! Ideamart CaaS (JSON): a customer's own mobile balance as a way to pay. Two
//! operations: the balance query and the direct debit (providers.md §3).
//!
//! Errors come back as HTTP 200 with a `statusCode`; `S1000` is the only success.
//! Amounts go as exact decimal strings, the currency is LKR unless given, the
//! subscriber as `tel:94...`. A debit whose answer was lost is repeated with the same
//! `externalTrxId`: `E1379` ("already completed") then means the first one went through.

mod codes;
#[cfg(test)]
mod fuzz;

pub use codes::{status_class, StatusKind};

use crate::ErrorClass;
use airtill_domain::money::{format_minor, parse_decimal};
use airtill_domain::Currency;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    /// `https://api.ideamart.io/caas` (the two operations are below it).
    pub base_url: String,
    pub application_id: String,
    pub password: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("base_url", &self.base_url).field("application_id", &self.application_id).field("password", &"<hidden>").finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdeamartError {
    #[error("Ideamart could not be reached ({0})")]
    Unreachable(String),
    #[error("Ideamart did not answer in time")]
    TimedOut,
    #[error("the connection to Ideamart broke before it answered ({0})")]
    Dropped(String),
    /// A `statusCode` other than `S1000`.
    #[error("Ideamart {code}: {detail}")]
    Status { code: String, detail: String },
    #[error("Ideamart sent an answer that could not be read (HTTP {status}): {detail}")]
    BadAnswer { status: u16, detail: String },
    #[error("Ideamart had a server error (HTTP {0})")]
    Server(u16),
    #[error("{0}")]
    Invalid(String),
}

impl IdeamartError {
    /// The class for a debit (it moves the customer's money).
    pub fn class_for_sale(&self) -> ErrorClass {
        match self {
            IdeamartError::Unreachable(_) => ErrorClass::Transient,
            IdeamartError::TimedOut | IdeamartError::Dropped(_) | IdeamartError::BadAnswer { .. } | IdeamartError::Server(_) => ErrorClass::InDoubt,
            IdeamartError::Status { code, .. } => status_class(code),
            IdeamartError::Invalid(_) => ErrorClass::Rejected,
        }
    }

    pub fn class_for_read(&self) -> ErrorClass {
        match self.class_for_sale() {
            ErrorClass::InDoubt => ErrorClass::Transient,
            c => c,
        }
    }

    pub fn status_code(&self) -> Option<&str> {
        match self {
            IdeamartError::Status { code, .. } => Some(code),
            _ => None,
        }
    }

    /// What the cashier says to the customer, and does next.
    pub fn cashier_message(&self) -> String {
        match self {
            IdeamartError::Unreachable(_) => "The mobile payment service cannot be reached. Nothing was taken. Take another payment.".into(),
            IdeamartError::TimedOut | IdeamartError::Dropped(_) | IdeamartError::BadAnswer { .. } | IdeamartError::Server(_) => {
                "The mobile payment was not confirmed. It may have been taken: do not charge again. Airtill is checking.".into()
            }
            IdeamartError::Invalid(m) => m.clone(),
            IdeamartError::Status { code, detail } => match codes::kind(code) {
                StatusKind::Customer => match code.as_str() {
                    "E1378" => "The customer's mobile balance is too low. Nothing was taken. Take another payment.".into(),
                    "E1406" => "The customer declined the payment on the phone. Nothing was taken.".into(),
                    "E1405" => "The customer did not approve the payment in time. Nothing was taken. Try again.".into(),
                    "E1330" => "The amount is too low for a mobile payment. Nothing was taken.".into(),
                    _ => format!("The mobile payment was refused ({code}: {detail}). Nothing was taken. Check the number with the customer."),
                },
                StatusKind::Configuration => format!("The mobile payment account is not set up right ({code}). Nothing was taken. Tell the manager."),
                StatusKind::Transient => "The mobile payment service is busy. Nothing was taken. Try again in a minute.".into(),
                StatusKind::AlreadyCompleted => "The mobile payment had already gone through.".into(),
                StatusKind::Success | StatusKind::Unknown => format!("The mobile payment service answered {code}: {detail}."),
            },
        }
    }
}

/// A subscriber's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balance {
    /// Minor units of `currency`.
    pub chargeable: i64,
    pub currency: Currency,
    pub account_status: String,
    pub account_type: String,
}

/// The one currency Ideamart charges in: "must be in 'LKR' since service is only
/// available for Dialog, Airtel and Hutch" (the spec). The client sends no other.
pub const CURRENCY: Currency = Currency::LKR;

/// A debit to make, in Sri Lankan rupees ([`CURRENCY`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebitRequest {
    /// Ours, up to 32 characters; the same on a repeat.
    pub external_trx_id: String,
    /// `94...` (a Sri Lankan number, digits only).
    pub subscriber: String,
    /// Cents of a rupee.
    pub amount: i64,
}

/// A debit that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Debit {
    pub external_trx_id: String,
    pub internal_trx_id: Option<String>,
    pub reference_id: Option<String>,
    pub time_stamp: Option<String>,
    /// True when this answer was `E1379` to a repeat: the first attempt had succeeded.
    pub already_completed: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    status_code: Option<String>,
    status_detail: Option<String>,
    chargeable_balance: Option<String>,
    account_status: Option<String>,
    account_type: Option<String>,
    external_trx_id: Option<String>,
    internal_trx_id: Option<serde_json::Value>,
    reference_id: Option<serde_json::Value>,
    time_stamp: Option<String>,
}

fn text(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `94XXXXXXXXX`, `+94...`, `0XXXXXXXXX` (Sri Lanka) → `94XXXXXXXXX`.
pub fn subscriber_number(input: &str) -> Result<String, IdeamartError> {
    let digits: String = input.trim().trim_start_matches("tel:").chars().filter(|c| !matches!(c, ' ' | '-' | '+')).collect();
    let n = if let Some(rest) = digits.strip_prefix('0') { format!("94{rest}") } else { digits };
    if n.len() == 11 && n.starts_with("94") && n.bytes().all(|b| b.is_ascii_digit()) {
        Ok(n)
    } else {
        Err(IdeamartError::Invalid("A mobile payment needs the customer's number as 94XXXXXXXXX (or 07XXXXXXXX).".into()))
    }
}

pub struct Client {
    http: reqwest::Client,
    cfg: Config,
}

impl Client {
    pub fn new(cfg: Config) -> Result<Client, IdeamartError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("Airtill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| IdeamartError::Invalid(format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, cfg })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<(u16, Vec<u8>), IdeamartError> {
        let url = format!("{}{path}", self.cfg.base_url.trim_end_matches('/'));
        let resp = self.http.post(url).header("Content-Type", "application/json").header("Accept", "application/json").body(body.to_string()).send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(classify)?;
        Ok((status, bytes.to_vec()))
    }

    /// `POST /balance/query`: the chargeable balance, in rupees.
    pub async fn balance(&self, subscriber: &str) -> Result<Balance, IdeamartError> {
        let n = subscriber_number(subscriber)?;
        let body = json!({ "applicationId": self.cfg.application_id, "password": self.cfg.password, "subscriberId": format!("tel:{n}"), "currency": CURRENCY.code() });
        let (status, bytes) = self.post("/balance/query", body).await?;
        read_balance(status, &bytes, CURRENCY)
    }

    /// `POST /direct/debit`. Repeat with the same request to resolve a lost answer.
    pub async fn debit(&self, req: &DebitRequest) -> Result<Debit, IdeamartError> {
        let n = subscriber_number(&req.subscriber)?;
        if req.external_trx_id.is_empty() || req.external_trx_id.len() > 32 || !req.external_trx_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(IdeamartError::Invalid("externalTrxId is 1 to 32 letters and digits.".into()));
        }
        if req.amount <= 0 {
            return Err(IdeamartError::Invalid("A mobile payment is for more than nothing.".into()));
        }
        let body = json!({
            "applicationId": self.cfg.application_id,
            "password": self.cfg.password,
            "externalTrxId": req.external_trx_id,
            "subscriberId": format!("tel:{n}"),
            "paymentInstrument": "MobileAccount",
            "currency": CURRENCY.code(),
            "amount": amount_text(req.amount),
        });
        let (status, bytes) = self.post("/direct/debit", body).await?;
        read_debit(status, &bytes, &req.external_trx_id)
    }
}

/// Minor units as Ideamart's amount string: `1`, `10.50`.
pub fn amount_text(minor: i64) -> String {
    if minor % 100 == 0 {
        (minor / 100).to_string()
    } else {
        format_minor(minor, 2)
    }
}

fn classify(e: reqwest::Error) -> IdeamartError {
    use crate::http::{failure, Failure};
    match failure(e) {
        Failure::Unreachable(c) => IdeamartError::Unreachable(c),
        Failure::TimedOut => IdeamartError::TimedOut,
        Failure::Dropped(c) => IdeamartError::Dropped(c),
        Failure::Invalid(c) => IdeamartError::Invalid(format!("the Ideamart address is not valid: {c}")),
    }
}

fn answer(status: u16, body: &[u8]) -> Result<Answer, IdeamartError> {
    if status >= 500 {
        return Err(IdeamartError::Server(status));
    }
    let a: Answer = serde_json::from_slice(body).map_err(|e| IdeamartError::BadAnswer { status, detail: e.to_string() })?;
    if !(200..300).contains(&status) && a.status_code.is_none() {
        return Err(IdeamartError::BadAnswer { status, detail: "no statusCode".into() });
    }
    Ok(a)
}

pub(crate) fn read_balance(status: u16, body: &[u8], currency: Currency) -> Result<Balance, IdeamartError> {
    let a = answer(status, body)?;
    let code = a.status_code.clone().ok_or_else(|| IdeamartError::BadAnswer { status, detail: "no statusCode".into() })?;
    if code != "S1000" {
        return Err(IdeamartError::Status { code, detail: a.status_detail.unwrap_or_default() });
    }
    let text = a.chargeable_balance.ok_or_else(|| IdeamartError::BadAnswer { status, detail: "no chargeableBalance".into() })?;
    let chargeable = parse_decimal(&text, 2).map_err(|e| IdeamartError::BadAnswer { status, detail: format!("chargeableBalance: {e}") })?;
    Ok(Balance { chargeable, currency, account_status: a.account_status.unwrap_or_default(), account_type: a.account_type.unwrap_or_default() })
}

pub(crate) fn read_debit(status: u16, body: &[u8], sent_id: &str) -> Result<Debit, IdeamartError> {
    let a = answer(status, body)?;
    let code = a.status_code.clone().ok_or_else(|| IdeamartError::BadAnswer { status, detail: "no statusCode".into() })?;
    let already = code == "E1379";
    if code != "S1000" && !already {
        return Err(IdeamartError::Status { code, detail: a.status_detail.unwrap_or_default() });
    }
    if let Some(id) = &a.external_trx_id {
        if id != sent_id {
            return Err(IdeamartError::BadAnswer { status, detail: format!("the answer is for externalTrxId {id}, not {sent_id}") });
        }
    }
    Ok(Debit { external_trx_id: sent_id.to_string(), internal_trx_id: text(a.internal_trx_id), reference_id: text(a.reference_id), time_stamp: a.time_stamp, already_completed: already })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_amounts_and_answers() {
        assert_eq!(subscriber_number("tel:94776351232").unwrap(), "94776351232");
        assert_eq!(subscriber_number("077 635 1232").unwrap(), "94776351232");
        assert!(subscriber_number("27831234567").is_err());
        assert_eq!(amount_text(100), "1");
        assert_eq!(amount_text(1050), "10.50");
        let b = read_balance(200, br#"{"chargeableBalance":"300.0","statusCode":"S1000","statusDetail":"Success","accountStatus":"Active","accountType":"Pre Paid"}"#, Currency::LKR).unwrap();
        assert_eq!((b.chargeable, b.account_type.as_str()), (30_000, "Pre Paid"));
        let d = read_debit(
            200,
            br#"{"statusCode":"S1000","timeStamp":"2012-07-30T12:48:10-0400","shortDescription":"s","statusDetail":"Success","externalTrxId":"abc","longDescription":"l","internalTrxId":"321"}"#,
            "abc",
        )
        .unwrap();
        assert_eq!((d.internal_trx_id.as_deref(), d.already_completed), (Some("321"), false));
        assert!(read_debit(200, br#"{"statusCode":"E1379","statusDetail":"transaction has already completed","externalTrxId":"abc"}"#, "abc").unwrap().already_completed);
        let e = read_debit(200, br#"{"statusCode":"E1378","statusDetail":"Insufficient balance"}"#, "abc").unwrap_err();
        assert_eq!(e.class_for_sale(), ErrorClass::Rejected);
        assert!(read_debit(200, br#"{"statusCode":"S1000","externalTrxId":"other"}"#, "abc").is_err());
        assert_eq!(read_debit(502, b"<html>", "abc").unwrap_err().class_for_sale(), ErrorClass::InDoubt);
        assert!(read_balance(200, br#"{"chargeableBalance":"300.001","statusCode":"S1000"}"#, Currency::LKR).is_err());
    }
}
