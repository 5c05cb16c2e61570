//! AAT's answers as typed values (amounts in cents, padded strings trimmed) and the
//! recharge request with its six operations.

use super::error::{AatCode, AatError};
use crate::xml::Element;
use airtill_domain::money::parse_decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInfo {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherTypeInfo {
    pub id: i64,
    pub network_id: i64,
    pub name: String,
    pub fixed_amount: bool,
}

/// A product (`VoucherDetails`): what the recharge calls need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherDetails {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Cents.
    pub min_amount: i64,
    /// Cents.
    pub max_amount: i64,
    pub pinned: bool,
}

impl VoucherDetails {
    /// One amount only: sold with the `*FixedAmount` calls.
    pub fn is_fixed_amount(&self) -> bool {
        self.min_amount == self.max_amount
    }
}

/// A recharge's answer (`RechargeInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RechargeInfo {
    pub voucher_pin: Option<String>,
    pub order_ref: Option<String>,
    pub ticket_number: Option<String>,
    pub box_number: Option<String>,
    pub batch_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCredit {
    pub id: i64,
    pub name: Option<String>,
    /// Cents.
    pub remaining_credit: i64,
}

/// `Status` of `GetTransactionInfo`: `OK` in the spec; `PENDING` and `FAILED` are the
/// project's convention (providers.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionStatus {
    Ok,
    Pending,
    Failed,
    Other(String),
}

impl TransactionStatus {
    pub fn parse(s: &str) -> TransactionStatus {
        match s.trim().to_ascii_uppercase().as_str() {
            "OK" => TransactionStatus::Ok,
            super::conventions::STATUS_PENDING => TransactionStatus::Pending,
            super::conventions::STATUS_FAILED => TransactionStatus::Failed,
            _ => TransactionStatus::Other(s.trim().to_string()),
        }
    }
}

/// `TransactionVoucherInfo`: AAT's record of one sale, by client reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionInfo {
    pub msisdn: Option<String>,
    /// Cents.
    pub amount: i64,
    pub voucher_type: Option<i64>,
    pub voucher_pin: Option<String>,
    pub ticket_number: Option<String>,
    pub order_ref: Option<String>,
    pub box_number: Option<String>,
    pub batch_number: Option<String>,
    /// Epoch ms; `None` for AAT's empty date `0001-01-01T00:00:00`.
    pub expiry_ms: Option<i64>,
    pub status: TransactionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionCount {
    pub start: String,
    pub end: String,
    pub transactions: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStatus {
    /// `testing` or `live`.
    pub environment: Option<String>,
    pub enabled: bool,
}

/// Which of the three recharges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RechargeKind {
    /// Straight onto the number, no PIN.
    Pinless,
    /// A PIN, for a number.
    Pinned,
    /// A PIN without a number (stock to print or sell later).
    PinnedWithoutMsisdn,
}

/// One recharge. Made with [`RechargeRequest::new`] from the voucher's details, which
/// picks the `*FixedAmount` call for a one-amount voucher and checks the amount first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RechargeRequest {
    pub kind: RechargeKind,
    pub recipient_msisdn: Option<String>,
    pub voucher_id: i64,
    /// Cents.
    pub amount: i64,
    pub fixed_amount: bool,
    pub client_ref: String,
}

impl RechargeRequest {
    pub fn new(kind: RechargeKind, voucher: &VoucherDetails, amount_cents: i64, recipient: Option<&str>, client_ref: &str) -> Result<RechargeRequest, AatError> {
        if kind == RechargeKind::Pinless && voucher.pinned {
            return Err(AatError::Invalid(format!("{} is a PIN voucher, not a direct recharge.", voucher.name)));
        }
        if kind != RechargeKind::Pinless && !voucher.pinned {
            return Err(AatError::Invalid(format!("{} is a direct recharge, not a PIN voucher.", voucher.name)));
        }
        if voucher.is_fixed_amount() && amount_cents != voucher.min_amount {
            return Err(AatError::Invalid(format!("{} is sold for exactly {}.", voucher.name, airtill_domain::Money::zar(voucher.min_amount))));
        }
        if amount_cents < voucher.min_amount || amount_cents > voucher.max_amount || amount_cents <= 0 {
            return Err(AatError::Invalid(format!("{} takes {} to {}.", voucher.name, airtill_domain::Money::zar(voucher.min_amount), airtill_domain::Money::zar(voucher.max_amount))));
        }
        let recipient = match kind {
            RechargeKind::PinnedWithoutMsisdn => None,
            _ => {
                let r = recipient.map(str::trim).unwrap_or("");
                if r.len() != 11 || !r.starts_with("27") || !r.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(AatError::Invalid("AAT needs the number in the form 27XXXXXXXXX.".into()));
                }
                Some(r.to_string())
            }
        };
        if client_ref.is_empty() || client_ref.len() > 64 {
            return Err(AatError::Invalid("A client reference is 1 to 64 characters.".into()));
        }
        Ok(RechargeRequest { kind, recipient_msisdn: recipient, voucher_id: voucher.id, amount: amount_cents, fixed_amount: voucher.is_fixed_amount(), client_ref: client_ref.to_string() })
    }

    /// The operation's name (the last segment of its URL).
    pub fn operation(&self) -> &'static str {
        match (self.kind, self.fixed_amount) {
            (RechargeKind::Pinless, false) => "PerformPinlessRecharge",
            (RechargeKind::Pinned, false) => "PerformPinnedRecharge",
            (RechargeKind::PinnedWithoutMsisdn, false) => "PerformPinnedRechargeWithoutMsisdn",
            (RechargeKind::Pinless, true) => "PerformPinlessRechargeFixedAmount",
            (RechargeKind::Pinned, true) => "PerformPinnedRechargeFixedAmount",
            (RechargeKind::PinnedWithoutMsisdn, true) => "PerformPinnedRechargeWithoutMsisdnFixedAmount",
        }
    }

    /// Its parameters after `username` and `password`, in the spec's order.
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(r) = &self.recipient_msisdn {
            p.push(("recipientMsisdn", r.clone()));
        }
        p.push(("voucherId", self.voucher_id.to_string()));
        if !self.fixed_amount {
            p.push(("amount", airtill_domain::money::format_minor(self.amount, 2)));
        }
        p.push(("clientRef", self.client_ref.clone()));
        p
    }
}

// ----- reading the XML -----

pub(crate) fn bad(detail: impl Into<String>) -> AatError {
    AatError::BadAnswer { status: 200, detail: detail.into() }
}

/// An `<Error>` in an element whose `Id` is 0 (or missing): a look-up's refusal.
pub(crate) fn lookup_error(el: &Element) -> Option<AatError> {
    let msg = el.text_of("Error")?;
    let id = el.text_of("Id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0);
    (id == 0).then(|| AatError::Refused { code: AatCode::from_text(msg), message: msg.to_string() })
}

fn int(el: &Element, name: &str) -> Result<i64, AatError> {
    let t = el.text_of(name).ok_or_else(|| bad(format!("<{}> has no <{name}>", el.name)))?;
    t.parse::<i64>().map_err(|_| bad(format!("<{name}> is not a whole number: {t:?}")))
}

fn cents(el: &Element, name: &str) -> Result<i64, AatError> {
    let t = el.text_of(name).ok_or_else(|| bad(format!("<{}> has no <{name}>", el.name)))?;
    parse_decimal(t, 2).map_err(|e| bad(format!("<{name}>: {e}")))
}

fn boolean(el: &Element, name: &str) -> Result<bool, AatError> {
    match el.text_of(name) {
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        other => Err(bad(format!("<{name}> is not true or false: {other:?}"))),
    }
}

fn opt(el: &Element, name: &str) -> Option<String> {
    el.text_of(name).map(str::to_string)
}

pub(crate) fn network(el: &Element) -> Result<NetworkInfo, AatError> {
    if let Some(e) = lookup_error(el) {
        return Err(e);
    }
    Ok(NetworkInfo { id: int(el, "Id")?, name: opt(el, "Name").ok_or_else(|| bad("a network without a name"))? })
}

pub(crate) fn voucher_type(el: &Element) -> Result<VoucherTypeInfo, AatError> {
    if let Some(e) = lookup_error(el) {
        return Err(e);
    }
    Ok(VoucherTypeInfo { id: int(el, "Id")?, network_id: int(el, "NetworkId")?, name: opt(el, "Name").unwrap_or_default(), fixed_amount: boolean(el, "FixedAmount")? })
}

pub(crate) fn voucher(el: &Element) -> Result<VoucherDetails, AatError> {
    if let Some(e) = lookup_error(el) {
        return Err(e);
    }
    let v = VoucherDetails {
        id: int(el, "Id")?,
        name: opt(el, "Name").unwrap_or_default(),
        description: opt(el, "Description").unwrap_or_default(),
        min_amount: cents(el, "MinAmount")?,
        max_amount: cents(el, "MaxAmount")?,
        pinned: boolean(el, "PinnedVoucher")?,
    };
    if v.min_amount > v.max_amount || v.min_amount < 0 {
        return Err(bad(format!("voucher {} has MinAmount above MaxAmount", v.id)));
    }
    Ok(v)
}

/// A list answer (`ArrayOf...`): its items, or the refusal a single error item carries.
pub(crate) fn list<T>(root: &Element, item: &str, read: fn(&Element) -> Result<T, AatError>) -> Result<Vec<T>, AatError> {
    if !root.name.starts_with("ArrayOf") {
        return Err(bad(format!("expected a list, got <{}>", root.name)));
    }
    let items: Vec<&Element> = root.all(item).collect();
    if let [only] = items.as_slice() {
        if let Some(e) = lookup_error(only) {
            return Err(e);
        }
    }
    items.into_iter().map(read).collect()
}

pub(crate) fn recharge(root: &Element) -> Result<RechargeInfo, AatError> {
    if root.name != "RechargeInfo" {
        return Err(bad(format!("expected <RechargeInfo>, got <{}>", root.name)));
    }
    let failed = match root.text_of("TransactionError") {
        Some("true") => true,
        Some("false") => false,
        // No flag: an error text decides; otherwise the answer is unreadable.
        None if root.text_of("Error").is_some() => true,
        other => return Err(bad(format!("<TransactionError> is {other:?}"))),
    };
    if failed {
        let msg = root.text_of("Error").unwrap_or("the transaction failed");
        return Err(AatError::Refused { code: AatCode::from_text(msg), message: msg.to_string() });
    }
    Ok(RechargeInfo {
        voucher_pin: opt(root, "VoucherPin"),
        order_ref: opt(root, "OrderRef"),
        ticket_number: opt(root, "TicketNumber"),
        box_number: opt(root, "BoxNumber"),
        batch_number: opt(root, "BatchNumber"),
    })
}

pub(crate) fn credit(root: &Element) -> Result<UserCredit, AatError> {
    if let Some(e) = lookup_error(root) {
        return Err(e);
    }
    Ok(UserCredit { id: int(root, "Id")?, name: opt(root, "Name"), remaining_credit: cents(root, "RemainingCredit")? })
}

pub(crate) fn transaction(root: &Element) -> Result<TransactionInfo, AatError> {
    if let Some(msg) = root.text_of("Error") {
        return Err(AatError::Refused { code: AatCode::from_text(msg), message: msg.to_string() });
    }
    let status = root.text_of("Status").ok_or_else(|| bad("a transaction without <Status>"))?;
    Ok(TransactionInfo {
        msisdn: opt(root, "MSISDN"),
        amount: cents(root, "Amount")?,
        voucher_type: root.text_of("VoucherType").and_then(|v| v.parse().ok()),
        voucher_pin: opt(root, "VoucherPin"),
        ticket_number: opt(root, "TicketNumber"),
        order_ref: opt(root, "OrderRef"),
        box_number: opt(root, "BoxNumber"),
        batch_number: opt(root, "BatchNumber"),
        expiry_ms: match root.text_of("ExpiryDate") {
            None => None,
            Some(d) => aat_date_ms(d).map_err(|e| bad(format!("<ExpiryDate>: {e}")))?,
        },
        status: TransactionStatus::parse(status),
    })
}

pub(crate) fn count(root: &Element) -> Result<TransactionCount, AatError> {
    if let Some(msg) = root.text_of("Error") {
        return Err(AatError::Refused { code: AatCode::from_text(msg), message: msg.to_string() });
    }
    Ok(TransactionCount { start: opt(root, "Start").unwrap_or_default(), end: opt(root, "End").unwrap_or_default(), transactions: int(root, "Transactions")? })
}

pub(crate) fn user_status(root: &Element) -> Result<UserStatus, AatError> {
    let enabled = boolean(root, "Enabled")?;
    if let (false, Some(msg)) = (enabled, root.text_of("Error")) {
        return Err(AatError::Refused { code: AatCode::from_text(msg), message: msg.to_string() });
    }
    Ok(UserStatus { environment: opt(root, "Environment"), enabled })
}

/// AAT's dates (`2016-01-06T00:00:00`, South African time); `0001-01-01...` is none.
pub fn aat_date_ms(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t.starts_with("0001-01-01") {
        return Ok(None);
    }
    let naive = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f"))
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).expect("midnight")))
        .map_err(|e| format!("{t:?} is not a date: {e}"))?;
    // AAT's clock is South Africa's: a named zone, not a hand-written offset.
    use chrono::TimeZone;
    let at = chrono_tz::Africa::Johannesburg.from_local_datetime(&naive).earliest().ok_or_else(|| format!("{t:?} is not a time in South Africa"))?;
    Ok(Some(at.timestamp_millis()))
}
