//! Smartcall errors: every code of the spec's tables 2 and 3 plus providers.md's
//! extras, each with a class and a message a cashier understands.

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
    /// HTTP 429 on login: every one of the user's 20 tokens is in use.
    #[error("Smartcall says too many sessions are open: {0}")]
    SessionLimit(String),
    /// A bearer token was refused twice in a row.
    #[error("Smartcall refused the session token: {0}")]
    TokenRefused(String),
    /// A business error with its code (flat, nested or `APP_ERROR` envelope).
    #[error("Smartcall error {code}: {message}")]
    Code { code: i64, message: String },
    /// An `APP_ERROR`/`SYS_ERROR`/`INV_REQUEST` answer with no code.
    #[error("Smartcall answered {response_code}: {message}")]
    Response { response_code: String, message: String },
    /// A body that is not the JSON expected (an HTML 415 page, a truncated body).
    #[error("Smartcall sent an answer that could not be read (HTTP {status}): {detail}")]
    BadAnswer { status: u16, detail: String },
    /// HTTP 5xx with no readable error.
    #[error("Smartcall had a server error (HTTP {0})")]
    Server(u16),
    /// Refused locally before sending (bad configuration, a batch over 100...).
    #[error("{0}")]
    Refused(String),
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
            SmartcallError::Code { code, .. } => class_for_code(*code),
            // SYS_ERROR without a code: a fault between Smartcall and the network.
            SmartcallError::Response { response_code, .. } if response_code == "SYS_ERROR" => ErrorClass::InDoubt,
            SmartcallError::Response { .. } => ErrorClass::Rejected,
            SmartcallError::BadAnswer { status, .. } if *status == 415 => ErrorClass::Configuration,
            SmartcallError::BadAnswer { .. } | SmartcallError::Server(_) => ErrorClass::InDoubt,
            SmartcallError::Refused(_) => ErrorClass::Configuration,
        }
    }

    /// The class for a call that only reads (catalog, balance, enquiry).
    pub fn class_for_read(&self) -> ErrorClass {
        match self.class_for_sale() {
            ErrorClass::InDoubt => ErrorClass::Transient,
            other => other,
        }
    }

    /// What the cashier sees, with what to do.
    pub fn cashier_message(&self) -> String {
        match self {
            SmartcallError::Unreachable(_) => "Smartcall cannot be reached. Nothing was sold. Check the internet connection and try again.".into(),
            SmartcallError::TimedOut | SmartcallError::Dropped(_) => "Smartcall did not confirm this sale in time. It may have gone through: do not sell it again. Airtill is checking with Smartcall and will show the result.".into(),
            SmartcallError::LoginRefused(_) | SmartcallError::TokenRefused(_) => "Smartcall refused Airtill's login. Nothing was sold. Ask the manager to check the Smartcall username and password in Settings.".into(),
            SmartcallError::SessionLimit(_) => "Smartcall is busy with too many sessions for this account. Nothing was sold. Try again in a minute.".into(),
            SmartcallError::Code { code, message } => cashier_message_for_code(*code, message),
            SmartcallError::Response { response_code, message } if response_code == "SYS_ERROR" => format!("Smartcall reported a network fault ({message}). The sale may have gone through: do not sell it again until it is checked."),
            SmartcallError::Response { message, .. } => format!("Smartcall refused the sale: {message}. Nothing was sold."),
            SmartcallError::BadAnswer { .. } | SmartcallError::Server(_) => "Smartcall sent an answer Airtill could not read. The sale may have gone through: do not sell it again. Airtill is checking.".into(),
            SmartcallError::Refused(m) => m.clone(),
        }
    }
}

/// The class of a Smartcall error code on a recharge (tables 2 and 3, providers.md).
pub fn class_for_code(code: i64) -> ErrorClass {
    match code {
        // Query, never resend: the reference may already be sold.
        1001..=1004 | 1006 => ErrorClass::InDoubt,
        // The account or set-up must be fixed by a manager.
        3 | 4 | 11 | 12 | 14 | 15 | 400 => ErrorClass::Configuration,
        99 => ErrorClass::Transient,
        // Refusals of the request's content: nothing was sold.
        2 | 5..=10 | 16..=19 | 1005 | 1007 | 1008 | 2001 | 100 => ErrorClass::Rejected,
        // Anything unknown on a sale is treated as possibly sold.
        _ => ErrorClass::InDoubt,
    }
}

/// The cashier's words for a code.
pub fn cashier_message_for_code(code: i64, provider_message: &str) -> String {
    let m = match code {
        2 => "Smartcall's system refused the recharge. Nothing was sold. Try again.",
        3 | 12 | 11 => "This shop's Smartload account is not active. Nothing was sold. Ask the manager to contact Smartcall.",
        4 => "The shop's Smartload PIN was refused. Nothing was sold. Ask the manager.",
        5 => "That network cannot be recharged with this product. Nothing was sold. Choose another product.",
        6 => "Smartcall says that cell number is not valid for this network. Nothing was sold. Check the number with the customer.",
        7 => "That product type is not valid. Nothing was sold. Choose another product.",
        8 => "An electricity sale needs the meter number. Nothing was sold.",
        9 => "That product is no longer offered. Nothing was sold. Refresh the products and choose again.",
        10 => "Smartcall sells only vouchers (with a PIN) on this network. Nothing was sold. Choose a voucher product.",
        14 => "Smartcall could not work out the discount for this product. Nothing was sold. Ask the manager.",
        15 => "The Smartload wallet does not have enough money for this sale. Nothing was sold. Ask the manager to top up the wallet.",
        16 => "The same number and amount (or meter) was recharged in the last 5 minutes. Nothing was sold. If the customer really wants another, wait 5 minutes.",
        17 => "The price check for this sale has expired. Nothing was sold. Start the sale again.",
        18 => "Smartcall is out of stock of this voucher. Nothing was sold. Choose another amount or product.",
        19 => "The quantity must be more than 0. Nothing was sold.",
        99 => "Smartcall is under maintenance. Nothing was sold. Try again later.",
        400 => "This Smartload account is not registered to the shop's Smartcall user. Nothing was sold. Ask the manager to check Settings.",
        1001 => "Smartcall already has a sale with this reference. Airtill is checking it: do not sell it again.",
        1002 => "Smartcall is still processing this sale. Do not sell it again; Airtill will show the result.",
        1003 | 1004 | 1006 => "Smartcall did not confirm this sale. It may have gone through: do not sell it again. Airtill is checking with Smartcall.",
        1005 | 1008 => "Smartcall has no sale with this reference.",
        1007 => "Smartcall found a mistake in the sale's details. Nothing was sold. Check the product and amount.",
        2001 => "That voucher order does not exist.",
        _ => return format!("Smartcall answered with error {code} ({provider_message}). The sale may have gone through: do not sell it again until it is checked."),
    };
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_doubt_codes_are_never_resold() {
        for code in [1001, 1002, 1003, 1004, 1006, 12345] {
            assert_eq!(class_for_code(code), ErrorClass::InDoubt, "{code}");
            assert!(!class_for_code(code).nothing_sold());
        }
        for code in [2, 5, 6, 8, 9, 10, 16, 17, 18, 19, 1005, 1007] {
            assert_eq!(class_for_code(code), ErrorClass::Rejected, "{code}");
        }
        for code in [3, 4, 11, 12, 14, 15, 400] {
            assert_eq!(class_for_code(code), ErrorClass::Configuration, "{code}");
        }
    }

    #[test]
    fn every_code_has_a_message_without_jargon() {
        for code in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 99, 400, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 2001] {
            let m = cashier_message_for_code(code, "x");
            assert!(!m.contains("error"), "{code}: {m}");
        }
    }

    #[test]
    fn a_timeout_after_sending_is_in_doubt_and_unreachable_is_not() {
        assert_eq!(SmartcallError::TimedOut.class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Dropped("eof".into()).class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Server(500).class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(SmartcallError::Unreachable("refused".into()).class_for_sale(), ErrorClass::Transient);
        assert_eq!(SmartcallError::TimedOut.class_for_read(), ErrorClass::Transient);
    }
}
