//! AAT errors: transport failures, the service's plain-text 500s, and the business
//! errors of the spec's samples (`<TransactionError>true</TransactionError>` with an
//! `<Error>` text, or `<Id>0</Id>` with an `<Error>` in look-ups), each typed, with
//! its class and the words a cashier understands.

use crate::ErrorClass;

/// The business errors of `specs/aat-mobile-recharge-3.4.txt`, recognised by their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AatCode {
    /// `voucher id doesn't exist for mobile network [MTN]`
    InvalidVoucher,
    /// `invalid amount. Amount needs to be between R2 and R5 (Max Recharge Amount Set: R5)`
    /// (cents; `None` where the text could not be read exactly).
    AmountOutOfRange { min: Option<i64>, max: Option<i64> },
    /// `invalid amount. Amount needs to exactly be: 2` (cents).
    AmountNotExact { amount: Option<i64> },
    /// `Invalid recharge Cell No provided`, or `invalid msisdn.` in a look-up.
    InvalidMsisdn,
    /// `insufficient credit to complete the transaction. Current credit - R1` (cents).
    InsufficientCredit { current: Option<i64> },
    /// `client reference already used` (also spelt `already use`): a sale with this
    /// reference went through before, so this one is in doubt until asked about.
    ReferenceUsed,
    /// `This isn't a fixed amount voucher. You need to use the PerformPinlessRecharge...`
    NotFixedAmount,
    /// `unAuthorised user.` / `unauthorized`
    Unauthorised,
    /// `no network found`, `no Network found.`
    NoNetwork,
    /// `no voucher types found for network.`
    NoVoucherTypes,
    /// `no Voucher found.`
    NoVoucher,
    /// `no transaction information found`
    NoTransaction,
    /// A text the spec does not list.
    Other,
}

impl AatCode {
    /// Reads an `<Error>` text.
    pub fn from_text(text: &str) -> AatCode {
        let t = text.trim().to_ascii_lowercase();
        if t.starts_with("voucher id doesn't exist") || t.starts_with("voucher id does not exist") {
            AatCode::InvalidVoucher
        } else if let Some(rest) = t.strip_prefix("invalid amount. amount needs to be between ") {
            // "r2 and r5 (max recharge amount set: r5)"
            let mut parts = rest.split(" and ");
            let min = parts.next().and_then(rand_cents);
            let max = parts.next().map(|m| m.split(['(', ' ']).next().unwrap_or("")).and_then(rand_cents);
            AatCode::AmountOutOfRange { min, max }
        } else if let Some(rest) = t.strip_prefix("invalid amount. amount needs to exactly be:") {
            AatCode::AmountNotExact { amount: rand_cents(rest) }
        } else if t.starts_with("invalid recharge cell no") || t.starts_with("invalid msisdn") {
            AatCode::InvalidMsisdn
        } else if t.starts_with("insufficient credit") {
            AatCode::InsufficientCredit { current: t.rsplit_once('-').and_then(|(_, c)| rand_cents(c)) }
        } else if t.starts_with("client reference already use") {
            AatCode::ReferenceUsed
        } else if t.starts_with("this isn't a fixed amount voucher") || t.starts_with("this is not a fixed amount voucher") {
            AatCode::NotFixedAmount
        } else if t.starts_with("unauthorised") || t.starts_with("unauthorized") {
            AatCode::Unauthorised
        } else if t.starts_with("no network found") {
            AatCode::NoNetwork
        } else if t.starts_with("no voucher types found") {
            AatCode::NoVoucherTypes
        } else if t.starts_with("no voucher found") {
            AatCode::NoVoucher
        } else if t.starts_with("no transaction information found") {
            AatCode::NoTransaction
        } else {
            AatCode::Other
        }
    }

    /// What this refusal means for a sale.
    pub fn class(&self) -> ErrorClass {
        match self {
            AatCode::ReferenceUsed => ErrorClass::InDoubt,
            AatCode::InsufficientCredit { .. } | AatCode::Unauthorised => ErrorClass::Configuration,
            _ => ErrorClass::Rejected,
        }
    }
}

/// `R2`, `2`, `5.00`, ` r1 ` → cents.
fn rand_cents(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('.').trim();
    let s = s.strip_prefix(['R', 'r']).unwrap_or(s);
    airtill_domain::money::parse_decimal(s, 2).ok()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AatError {
    /// The connection could not be made: nothing was sent.
    #[error("AAT could not be reached ({0})")]
    Unreachable(String),
    /// The request was sent and no answer came in time.
    #[error("AAT did not answer in time")]
    TimedOut,
    /// The request was sent and the connection broke before a full answer.
    #[error("the connection to AAT broke before it answered ({0})")]
    Dropped(String),
    /// HTTP 500 `System.InvalidOperationException: Missing parameter: clientRef.`: the
    /// service refused the call before doing anything.
    #[error("AAT refused the call: missing parameter {0}")]
    MissingParameter(String),
    /// A business error (`TransactionError` true, or a look-up's `<Error>`).
    #[error("AAT: {message}")]
    Refused { code: AatCode, message: String },
    /// An answer that could not be read as the XML expected.
    #[error("AAT sent an answer that could not be read (HTTP {status}): {detail}")]
    BadAnswer { status: u16, detail: String },
    /// HTTP 5xx (other than a missing parameter) or another unexpected status.
    #[error("AAT had a server error (HTTP {0})")]
    Server(u16),
    /// Refused here before sending (bad input or set-up).
    #[error("{0}")]
    Invalid(String),
}

impl AatError {
    /// The class for a call that moves money: anything after sending that is not a
    /// certain refusal is in doubt.
    pub fn class_for_sale(&self) -> ErrorClass {
        match self {
            AatError::Unreachable(_) => ErrorClass::Transient,
            AatError::TimedOut | AatError::Dropped(_) | AatError::BadAnswer { .. } | AatError::Server(_) => ErrorClass::InDoubt,
            AatError::MissingParameter(_) => ErrorClass::Configuration,
            AatError::Refused { code, .. } => code.class(),
            AatError::Invalid(_) => ErrorClass::Rejected,
        }
    }

    /// The class for a call that only reads.
    pub fn class_for_read(&self) -> ErrorClass {
        match self.class_for_sale() {
            ErrorClass::InDoubt => ErrorClass::Transient,
            other => other,
        }
    }

    pub fn code(&self) -> Option<&AatCode> {
        match self {
            AatError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }

    /// What the cashier sees, with what to do.
    pub fn cashier_message(&self) -> String {
        let money = |c: &Option<i64>| c.map(airtill_domain::Money::zar).map(|m| m.to_string());
        match self {
            AatError::Unreachable(_) => "AAT cannot be reached. Nothing was sold. Check the internet connection and try again.".into(),
            AatError::TimedOut | AatError::Dropped(_) | AatError::BadAnswer { .. } | AatError::Server(_) => {
                "AAT did not confirm this sale. It may have gone through: do not sell it again. Airtill is checking with AAT and will show the result.".into()
            }
            AatError::MissingParameter(p) => format!("AAT refused Airtill's request (missing {p}). Nothing was sold. Tell the manager: Airtill needs an update."),
            AatError::Invalid(m) => m.clone(),
            AatError::Refused { code, message } => match code {
                AatCode::InvalidVoucher => "AAT no longer sells this product. Nothing was sold. Choose another product; the manager can refresh the product list.".into(),
                AatCode::AmountOutOfRange { min, max } => match (money(min), money(max)) {
                    (Some(a), Some(b)) => format!("AAT takes {a} to {b} for this product. Nothing was sold. Change the amount."),
                    _ => "AAT does not take this amount for this product. Nothing was sold. Change the amount.".into(),
                },
                AatCode::AmountNotExact { amount } => match money(amount) {
                    Some(a) => format!("This product is sold for exactly {a}. Nothing was sold."),
                    None => "This product is sold for one amount only. Nothing was sold.".into(),
                },
                AatCode::InvalidMsisdn => "AAT says this is not a cellphone number it can recharge. Nothing was sold. Check the number with the customer.".into(),
                AatCode::InsufficientCredit { current } => match money(current) {
                    Some(c) => format!("The AAT account has only {c} left. Nothing was sold. Ask the manager to top up the AAT account."),
                    None => "The AAT account has too little credit. Nothing was sold. Ask the manager to top up the AAT account.".into(),
                },
                AatCode::ReferenceUsed => "AAT already has a sale with this reference. It may have gone through: do not sell it again. Airtill is checking with AAT.".into(),
                AatCode::NotFixedAmount => "AAT says this product is not a fixed amount. Nothing was sold. Tell the manager to refresh the product list.".into(),
                AatCode::Unauthorised => "AAT refused Airtill's login. Nothing was sold. Ask the manager to check the AAT username and password in Settings.".into(),
                AatCode::NoNetwork | AatCode::NoVoucherTypes | AatCode::NoVoucher => "AAT has no products for this. Nothing was sold.".into(),
                AatCode::NoTransaction => "AAT has no sale with this reference.".into(),
                AatCode::Other => format!("AAT refused the sale: {}. Nothing was sold.", message.trim()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_sample_of_the_spec_is_typed() {
        use AatCode::*;
        let cases: [(&str, AatCode); 14] = [
            ("voucher id doesn't exist for mobile network", InvalidVoucher),
            ("voucher id doesn't exist for mobile network MTN", InvalidVoucher),
            ("invalid amount. Amount needs to be between R2 and R5 (Max Recharge Amount Set: R5)", AmountOutOfRange { min: Some(200), max: Some(500) }),
            ("invalid amount. Amount needs to be between R2 and R5 (Max Recharge Amount Set: R5) ", AmountOutOfRange { min: Some(200), max: Some(500) }),
            ("invalid amount. Amount needs to exactly be: 2", AmountNotExact { amount: Some(200) }),
            ("Invalid recharge Cell No provided", InvalidMsisdn),
            ("insufficient credit to complete the transaction. Current credit - R1", InsufficientCredit { current: Some(100) }),
            ("client reference already used ", ReferenceUsed),
            ("client reference already used.", ReferenceUsed),
            ("client reference already use ", ReferenceUsed),
            ("This isn't a fixed amount voucher. You need to use the PerformPinlessRecharge, PerformPinnedRecharge, PerformPinnedRechargeWithoutMsisdn calls. ", NotFixedAmount),
            ("unAuthorised user. ", Unauthorised),
            ("unauthorized", Unauthorised),
            ("no transaction information found", NoTransaction),
        ];
        for (text, code) in cases {
            assert_eq!(AatCode::from_text(text), code, "{text}");
        }
        assert_eq!(AatCode::from_text("no network found"), NoNetwork);
        assert_eq!(AatCode::from_text("no Network found. "), NoNetwork);
        assert_eq!(AatCode::from_text("invalid msisdn. "), InvalidMsisdn);
        assert_eq!(AatCode::from_text("no voucher types found for network. "), NoVoucherTypes);
        assert_eq!(AatCode::from_text("no Voucher found. "), NoVoucher);
        assert_eq!(AatCode::from_text("the moon is full"), Other);
        assert_eq!(ReferenceUsed.class(), ErrorClass::InDoubt);
        assert_eq!(InsufficientCredit { current: None }.class(), ErrorClass::Configuration);
        assert_eq!(InvalidMsisdn.class(), ErrorClass::Rejected);
    }

    #[test]
    fn transport_classes() {
        assert_eq!(AatError::TimedOut.class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(AatError::TimedOut.class_for_read(), ErrorClass::Transient);
        assert_eq!(AatError::Unreachable("x".into()).class_for_sale(), ErrorClass::Transient);
        assert_eq!(AatError::Server(500).class_for_sale(), ErrorClass::InDoubt);
        assert_eq!(AatError::MissingParameter("clientRef".into()).class_for_sale(), ErrorClass::Configuration);
        let m = AatError::Refused { code: AatCode::InsufficientCredit { current: Some(100) }, message: String::new() }.cashier_message();
        assert!(m.contains("R1.00"), "{m}");
    }
}
