//! Smartcall errors: transport failures, the three error envelopes with their typed
//! codes ([`ErrorCode`], [`CancelCode`], [`NetworkCode`]), and refusals made locally
//! before anything was sent. Each has a class and a message a cashier understands.

use super::codes::{CancelCode, ErrorCode, NetworkCode};
use crate::ErrorClass;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmartcallError {
    /// The connection could not be made: nothing was sent.
    #[error("Smartcall could not be reached ({0})")]
    Unreachable(String),
    /// The request was sent and no answer came in time.
    #[error("Smartcall did not answer in time")]
    TimedOut,
    /// The request was sent and the connection broke before a full answer.
    #[error("the connection to Smartcall broke before it answered ({0})")]
    Dropped(String),
    /// Login refused (HTTP 401 on `/auth`): `Invalid password`, `Invalid username`,
    /// `Source IP is not authorised`.
    #[error("Smartcall refused the login: {0}")]
    LoginRefused(String),
    /// HTTP 429 on login even after flushing the user's tokens.
    #[error("Smartcall says too many sessions are open: {0}")]
    SessionLimit(String),
    /// A bearer token was refused twice in a row.
    #[error("Smartcall refused the session token: {0}")]
    TokenRefused(String),
    /// A business error with its code (flat, nested or `APP_ERROR` envelope).
    #[error("Smartcall code {}: {message}", code.code())]
    Code { code: ErrorCode, message: String },
    /// A refused cancel (table 3).
    #[error("Smartcall refused the cancel, code {}: {message}", code.code())]
    Cancel { code: CancelCode, message: String },
    /// A synchronous recharge that did not succeed: `statusCode` 1 (application
    /// error), 2 (business error) or 3 (network pending), with the network's own
    /// answer when `statusMessage` carries one.
    #[error("Smartcall recharge status {status_code}: {status_message}")]
    Sync { status_code: i64, status_message: String, error: Option<(ErrorCode, String)>, network: Option<NetworkCode> },
    /// The mobile network is down (the QA simulator drops each network in turn); the
    /// recharge was refused before it went anywhere.
    #[error("the {network} network is down: {message}")]
    NetworkDown { network: String, message: String },
    /// An `APP_ERROR`/`SYS_ERROR`/`INV_REQUEST`/`FAILURE` answer with no code.
    #[error("Smartcall answered {response_code}: {message}")]
    Response { response_code: String, message: String },
    /// A body that is not the JSON expected (an HTML 415 page, a truncated body).
    #[error("Smartcall sent an answer that could not be read (HTTP {status}): {detail}")]
    BadAnswer { status: u16, detail: String },
    /// HTTP 5xx with no readable error.
    #[error("Smartcall had a server error (HTTP {0})")]
    Server(u16),
    /// A voucher order file that could not be opened or read.
    #[error("the voucher order file could not be read: {0}")]
    OrderFile(String),
    /// An answer carrying an amount with more decimals than Smartcall's four (the
    /// field and value named): it cannot be kept exactly, so it is not kept at all.
    #[error("Smartcall sent an amount finer than four decimals: {0}")]
    Inexact(String),
    /// Refused locally before sending (bad input, bad configuration, a batch over 100).
    #[error("{0}")]
    Invalid(String),
}

impl SmartcallError {
    /// The class of this error for a call that moves money (a recharge, a payment),
    /// where anything after sending that is not a certain refusal is in doubt.
    pub fn class_for_sale(&self) -> ErrorClass {
        match self {
            SmartcallError::Unreachable(_) => ErrorClass::Transient,
            SmartcallError::TimedOut | SmartcallError::Dropped(_) => ErrorClass::InDoubt,
            SmartcallError::LoginRefused(_) | SmartcallError::TokenRefused(_) => ErrorClass::Configuration,
            SmartcallError::SessionLimit(_) => ErrorClass::Transient,
            SmartcallError::Code { code, .. } => code.class(),
            SmartcallError::Cancel { code, .. } => code.class(),
            SmartcallError::Sync { status_code, error, network, .. } => sync_class(*status_code, error.as_ref().map(|e| e.0), *network),
            SmartcallError::NetworkDown { .. } => ErrorClass::Rejected,
            // SYS_ERROR without a code: a fault between Smartcall and the network.
            SmartcallError::Response { response_code, .. } if response_code == "SYS_ERROR" => ErrorClass::InDoubt,
            SmartcallError::Response { .. } => ErrorClass::Rejected,
            SmartcallError::BadAnswer { status, .. } if *status == 415 => ErrorClass::Configuration,
            SmartcallError::BadAnswer { .. } | SmartcallError::Server(_) => ErrorClass::InDoubt,
            SmartcallError::OrderFile(_) => ErrorClass::Transient,
            // The answer came but one of its amounts cannot be held: whatever it said
            // about a sale is asked again by reference.
            SmartcallError::Inexact(_) => ErrorClass::InDoubt,
            SmartcallError::Invalid(_) => ErrorClass::Rejected,
        }
    }

    /// The class for a call that only reads (catalog, balance, enquiry).
    pub fn class_for_read(&self) -> ErrorClass {
        match self.class_for_sale() {
            ErrorClass::InDoubt => ErrorClass::Transient,
            other => other,
        }
    }

    /// The code of table 2 this error carries, if any.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SmartcallError::Code { code, .. } => Some(*code),
            SmartcallError::Sync { error: Some((code, _)), .. } => Some(*code),
            _ => None,
        }
    }

    /// True when the mobile network is down and nothing went to it: the sale may be
    /// routed to another provider.
    pub fn is_network_down(&self) -> bool {
        matches!(self, SmartcallError::NetworkDown { .. })
    }

    /// What the cashier sees, with what to do.
    pub fn cashier_message(&self) -> String {
        match self {
            SmartcallError::Unreachable(_) => "Smartcall cannot be reached. Nothing was sold. Check the internet connection and try again.".into(),
            SmartcallError::TimedOut | SmartcallError::Dropped(_) => {
                "Smartcall did not confirm this sale in time. It may have gone through: do not sell it again. Airtill is checking with Smartcall and will show the result.".into()
            }
            SmartcallError::LoginRefused(_) | SmartcallError::TokenRefused(_) => {
                "Smartcall refused Airtill's login. Nothing was sold. Ask the manager to check the Smartcall username and password in Settings.".into()
            }
            SmartcallError::SessionLimit(_) => "Smartcall is busy with too many sessions for this account. Nothing was sold. Try again in a minute.".into(),
            SmartcallError::Code { code, message } => code.cashier_message(message),
            SmartcallError::Cancel { code, .. } => code.cashier_message(),
            SmartcallError::Sync { status_code: 3, .. } => "The network is still processing this recharge. Do not sell it again: Airtill is checking and will show the result.".into(),
            SmartcallError::Sync { network: Some(n), .. } if !n.is_success() => n.advice.to_string(),
            SmartcallError::Sync { error: Some((code, message)), .. } => code.cashier_message(message),
            SmartcallError::Sync { status_code: 2, status_message, .. } => format!("The network refused the recharge ({status_message}). Nothing was sold."),
            SmartcallError::Sync { status_message, .. } => format!("Smartcall could not complete the recharge ({status_message}). It may have gone through: do not sell it again until it is checked."),
            SmartcallError::NetworkDown { network, .. } => format!("The {network} network is down at the moment. Nothing was sold. Try again in a few minutes."),
            SmartcallError::Response { response_code, message } if response_code == "SYS_ERROR" => {
                format!("Smartcall reported a network fault ({message}). The sale may have gone through: do not sell it again until it is checked.")
            }
            SmartcallError::Response { message, .. } => format!("Smartcall refused the request: {message}. Nothing was sold."),
            SmartcallError::BadAnswer { status: 415, .. } => "Smartcall refused the request's format. Nothing was sold. Ask support to check Airtill's Smartcall settings.".into(),
            SmartcallError::BadAnswer { .. } | SmartcallError::Server(_) => {
                "Smartcall sent an answer Airtill could not read. The sale may have gone through: do not sell it again. Airtill is checking.".into()
            }
            SmartcallError::OrderFile(_) => "The voucher order file could not be opened. Ask Smartcall to recreate it, then download it again.".into(),
            SmartcallError::Inexact(detail) => format!(
                "Smartcall sent an amount with more decimals than its usual four ({detail}). Airtill keeps money exactly, so it did not take that figure. Nothing was changed; tell Airtill support."
            ),
            SmartcallError::Invalid(m) => m.clone(),
        }
    }
}

/// A synchronous recharge's class: statusCode 3 is pending (in doubt); a business
/// error (2) is a refusal unless the network's own code or the error code says the
/// recharge may have gone through; the most careful reading wins.
fn sync_class(status_code: i64, code: Option<ErrorCode>, network: Option<NetworkCode>) -> ErrorClass {
    let base = match status_code {
        2 => ErrorClass::Rejected,
        3 => return ErrorClass::InDoubt,
        _ => code.map(ErrorCode::class).unwrap_or(ErrorClass::InDoubt),
    };
    let mut class = base;
    for other in [code.map(ErrorCode::class), network.and_then(|n| n.class)].into_iter().flatten() {
        if other == ErrorClass::InDoubt {
            return ErrorClass::InDoubt;
        }
        if status_code == 2 && other == ErrorClass::Configuration {
            class = other;
        }
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smartcall::codes::MobileNetwork;

    #[test]
    fn a_timeout_after_sending_is_in_doubt_and_unreachable_is_not() {
        assert_eq!(SmartcallError::TimedOut.class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Dropped("eof".into()).class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Server(500).class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Unreachable("refused".into()).class_for_sale(), ErrorClass::Transient);
        assert_eq!(SmartcallError::TimedOut.class_for_read(), ErrorClass::Transient);
    }

    #[test]
    fn synchronous_answers_are_classed_by_status_and_network_code() {
        let pending = SmartcallError::Sync { status_code: 3, status_message: "busy".into(), error: None, network: None };
        assert_eq!(pending.class_for_sale(), ErrorClass::InDoubt);
        let rica = NetworkCode::recognise("1812 Subscriber not RICA'd", None);
        let business = SmartcallError::Sync { status_code: 2, status_message: "1812 Subscriber not RICA'd".into(), error: Some((ErrorCode::GeneralSystemError, "failed".into())), network: rica };
        assert_eq!(business.class_for_sale(), ErrorClass::Rejected);
        assert!(business.cashier_message().contains("RICA"));
        let dup = NetworkCode::recognise("26 Duplicate recharge attempted.", Some(MobileNetwork::Vodacom));
        let business_dup = SmartcallError::Sync { status_code: 2, status_message: "26".into(), error: None, network: dup };
        assert_eq!(business_dup.class_for_sale(), ErrorClass::InDoubt);
        let app = SmartcallError::Sync { status_code: 1, status_message: String::new(), error: Some((ErrorCode::InsufficientFunds, "R0".into())), network: None };
        assert_eq!(app.class_for_sale(), ErrorClass::Configuration);
    }

    #[test]
    fn cancel_refusals_and_network_down_are_not_in_doubt() {
        let c = SmartcallError::Cancel { code: CancelCode::AlreadyCancelled, message: "x has already been cancelled.".into() };
        assert_eq!(c.class_for_sale(), ErrorClass::Rejected);
        let d = SmartcallError::NetworkDown { network: "MTN".into(), message: "down".into() };
        assert!(d.class_for_sale().nothing_sold() && d.is_network_down());
    }
}
