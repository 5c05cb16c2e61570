//! Every code of the spec's tables 2–8 (and providers.md's extras), typed, each with
//! its class and the words a cashier sees.
//!
//! - [`ErrorCode`]: table 2 (recharge errors) and the extra codes of providers.md.
//! - [`CancelCode`]: table 3 (cancel answers), a separate numbering.
//! - [`TransactionStatus`](super::TransactionStatus): table 4.
//! - [`NetworkCode`]: tables 5–8, the mobile networks' own answers, recognised in a
//!   synchronous recharge's `statusMessage`.

use crate::ErrorClass;

/// A Smartcall error code (table 2 and providers.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 2: General System Error, recharge failed.
    GeneralSystemError,
    /// 3: Invalid owner Cell No provided.
    InvalidOwnerCellNo,
    /// 4: invalid owner PIN.
    InvalidOwnerPin,
    /// 5: Invalid recharge network.
    InvalidRechargeNetwork,
    /// 6: Invalid recharge Cell No provided.
    InvalidRechargeCellNo,
    /// 7: invalid product type (on a cancel the same number means "already cancelled":
    /// see [`CancelCode`]).
    InvalidProductType,
    /// 8: A meter number is compulsory for an electricity recharge.
    MeterNumberRequired,
    /// 9: Invalid Offering ID (product code).
    InvalidOfferingId,
    /// 10: Pinless Indicator Error: Smartload only distributes vouchers on the network.
    PinlessIndicatorError,
    /// 11: not a dealer.
    NotADealer,
    /// 12: The Owner Cell No is no longer an active SMARTLOAD dealer.
    DealerInactive,
    /// 14: discount not determinable.
    DiscountUndeterminable,
    /// 15: Insufficient funds in the SmartLoad wallet.
    InsufficientFunds,
    /// 16: the same number (or meter) and amount within 5 minutes.
    RepeatWithinFiveMinutes,
    /// 17: The prevend has expired.
    PrevendExpired,
    /// 18: Error (No Stock).
    NoStock,
    /// 19: The quantity must be greater than 0.
    QuantityNotPositive,
    /// 99: system maintenance.
    SystemMaintenance,
    /// 400 (HTTP 403): The supplied Smartload ID is not registered to your account.
    SmartloadIdNotRegistered,
    /// 1001: Duplicate recharge (the client reference was already used: it is ours).
    DuplicateReference,
    /// 1002: Recharge still being processed.
    StillProcessing,
    /// 1003: Generic recharge failure.
    GenericRechargeFailure,
    /// 1004: Recharge response timed out, query to validate.
    ResponseTimedOut,
    /// 1005: ClientReference does not exist.
    ClientReferenceUnknown,
    /// 1006: Recharge Timeout, Please query recharge for status.
    RechargeTimeout,
    /// 1007: Recharge parameter validation failure.
    ParameterValidation,
    /// 1008: Recharge does not exist.
    RechargeUnknown,
    /// 2001: Batch order does not exist.
    BatchOrderUnknown,
    /// 9999: system error.
    SystemError,
    /// A code no table names.
    Other(i64),
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 29] = [
        ErrorCode::GeneralSystemError,
        ErrorCode::InvalidOwnerCellNo,
        ErrorCode::InvalidOwnerPin,
        ErrorCode::InvalidRechargeNetwork,
        ErrorCode::InvalidRechargeCellNo,
        ErrorCode::InvalidProductType,
        ErrorCode::MeterNumberRequired,
        ErrorCode::InvalidOfferingId,
        ErrorCode::PinlessIndicatorError,
        ErrorCode::NotADealer,
        ErrorCode::DealerInactive,
        ErrorCode::DiscountUndeterminable,
        ErrorCode::InsufficientFunds,
        ErrorCode::RepeatWithinFiveMinutes,
        ErrorCode::PrevendExpired,
        ErrorCode::NoStock,
        ErrorCode::QuantityNotPositive,
        ErrorCode::SystemMaintenance,
        ErrorCode::SmartloadIdNotRegistered,
        ErrorCode::DuplicateReference,
        ErrorCode::StillProcessing,
        ErrorCode::GenericRechargeFailure,
        ErrorCode::ResponseTimedOut,
        ErrorCode::ClientReferenceUnknown,
        ErrorCode::RechargeTimeout,
        ErrorCode::ParameterValidation,
        ErrorCode::RechargeUnknown,
        ErrorCode::BatchOrderUnknown,
        ErrorCode::SystemError,
    ];

    pub fn from_code(code: i64) -> ErrorCode {
        ErrorCode::ALL.into_iter().find(|c| c.code() == code).unwrap_or(ErrorCode::Other(code))
    }

    pub fn code(self) -> i64 {
        match self {
            ErrorCode::GeneralSystemError => 2,
            ErrorCode::InvalidOwnerCellNo => 3,
            ErrorCode::InvalidOwnerPin => 4,
            ErrorCode::InvalidRechargeNetwork => 5,
            ErrorCode::InvalidRechargeCellNo => 6,
            ErrorCode::InvalidProductType => 7,
            ErrorCode::MeterNumberRequired => 8,
            ErrorCode::InvalidOfferingId => 9,
            ErrorCode::PinlessIndicatorError => 10,
            ErrorCode::NotADealer => 11,
            ErrorCode::DealerInactive => 12,
            ErrorCode::DiscountUndeterminable => 14,
            ErrorCode::InsufficientFunds => 15,
            ErrorCode::RepeatWithinFiveMinutes => 16,
            ErrorCode::PrevendExpired => 17,
            ErrorCode::NoStock => 18,
            ErrorCode::QuantityNotPositive => 19,
            ErrorCode::SystemMaintenance => 99,
            ErrorCode::SmartloadIdNotRegistered => 400,
            ErrorCode::DuplicateReference => 1001,
            ErrorCode::StillProcessing => 1002,
            ErrorCode::GenericRechargeFailure => 1003,
            ErrorCode::ResponseTimedOut => 1004,
            ErrorCode::ClientReferenceUnknown => 1005,
            ErrorCode::RechargeTimeout => 1006,
            ErrorCode::ParameterValidation => 1007,
            ErrorCode::RechargeUnknown => 1008,
            ErrorCode::BatchOrderUnknown => 2001,
            ErrorCode::SystemError => 9999,
            ErrorCode::Other(c) => c,
        }
    }

    /// The class of this code on a call that moves money.
    pub fn class(self) -> ErrorClass {
        use ErrorCode::*;
        match self {
            // Query, never resend: the reference may already be sold. 1001 means the
            // reference was used: it is ours, query it.
            DuplicateReference | StillProcessing | GenericRechargeFailure | ResponseTimedOut | RechargeTimeout => ErrorClass::InDoubt,
            InvalidOwnerCellNo | InvalidOwnerPin | NotADealer | DealerInactive | DiscountUndeterminable | InsufficientFunds | SmartloadIdNotRegistered => ErrorClass::Configuration,
            SystemMaintenance => ErrorClass::Transient,
            GeneralSystemError
            | InvalidRechargeNetwork
            | InvalidRechargeCellNo
            | InvalidProductType
            | MeterNumberRequired
            | InvalidOfferingId
            | PinlessIndicatorError
            | RepeatWithinFiveMinutes
            | PrevendExpired
            | NoStock
            | QuantityNotPositive
            | ClientReferenceUnknown
            | ParameterValidation
            | RechargeUnknown
            | BatchOrderUnknown => ErrorClass::Rejected,
            // A system error or an unknown code on a sale: possibly sold.
            SystemError | Other(_) => ErrorClass::InDoubt,
        }
    }

    /// The cashier's words, with what to do next.
    pub fn cashier_message(self, provider_message: &str) -> String {
        use ErrorCode::*;
        let m = match self {
            GeneralSystemError => "Smartcall's system refused the recharge. Nothing was sold. Try again.",
            InvalidOwnerCellNo | DealerInactive | NotADealer => "This shop's Smartload account is not active. Nothing was sold. Ask the manager to contact Smartcall.",
            InvalidOwnerPin => "The shop's Smartload PIN was refused. Nothing was sold. Ask the manager.",
            InvalidRechargeNetwork => "That network cannot be recharged with this product. Nothing was sold. Choose another product.",
            InvalidRechargeCellNo => "Smartcall says that cell number is not valid for this network. Nothing was sold. Check the number with the customer.",
            InvalidProductType => "That product type is not valid. Nothing was sold. Choose another product.",
            MeterNumberRequired => "An electricity sale needs the meter number. Nothing was sold.",
            InvalidOfferingId => "That product is no longer offered. Nothing was sold. Refresh the products and choose again.",
            PinlessIndicatorError => "Smartcall sells only vouchers (with a PIN) on this network. Nothing was sold. Choose a voucher product.",
            DiscountUndeterminable => "Smartcall could not work out the discount for this product. Nothing was sold. Ask the manager.",
            InsufficientFunds => "The Smartload wallet does not have enough money for this sale. Nothing was sold. Ask the manager to top up the wallet.",
            RepeatWithinFiveMinutes => "The same number and amount (or meter) was recharged in the last 5 minutes. Nothing was sold. If the customer really wants another, wait 5 minutes.",
            PrevendExpired => "The price check for this sale has expired. Nothing was sold. Start the sale again.",
            NoStock => "Smartcall is out of stock of this voucher. Nothing was sold. Choose another amount or product.",
            QuantityNotPositive => "The quantity must be more than 0. Nothing was sold.",
            SystemMaintenance => "Smartcall is under maintenance. Nothing was sold. Try again later.",
            SmartloadIdNotRegistered => "This Smartload account is not registered to the shop's Smartcall user. Nothing was sold. Ask the manager to check Settings.",
            DuplicateReference => "Smartcall already has a sale with this reference. Airtill is checking it: do not sell it again.",
            StillProcessing => "Smartcall is still processing this sale. Do not sell it again; Airtill will show the result.",
            GenericRechargeFailure | ResponseTimedOut | RechargeTimeout => "Smartcall did not confirm this sale. It may have gone through: do not sell it again. Airtill is checking with Smartcall.",
            ClientReferenceUnknown | RechargeUnknown => "Smartcall has no sale with this reference.",
            ParameterValidation => "Smartcall found a mistake in the sale's details. Nothing was sold. Check the product and amount.",
            BatchOrderUnknown => "That voucher order does not exist at Smartcall.",
            SystemError | Other(_) => return format!("Smartcall answered with code {} ({provider_message}). The sale may have gone through: do not sell it again until it is checked.", self.code()),
        };
        m.to_string()
    }
}

/// Answers to a cancel (table 3), plus providers.md's code 7 ("already cancelled").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelCode {
    /// 1: Invalid channel code.
    InvalidChannel,
    /// 2: General System Error.
    GeneralSystemError,
    /// 3: The client reference is not linked to a Smartload reference.
    ClientReferenceUnknown,
    /// 4: The Smartload reference number is not valid.
    SmartloadReferenceInvalid,
    /// 5: A voucher recharge cannot be cancelled because a PIN has been issued.
    PinIssued,
    /// 6: Already attempted at the network.
    AlreadyAtNetwork,
    /// 7: `<ref> has already been cancelled.`
    AlreadyCancelled,
    /// 100: No transaction references supplied.
    NoReferences,
    Other(i64),
}

impl CancelCode {
    pub const ALL: [CancelCode; 8] = [
        CancelCode::InvalidChannel,
        CancelCode::GeneralSystemError,
        CancelCode::ClientReferenceUnknown,
        CancelCode::SmartloadReferenceInvalid,
        CancelCode::PinIssued,
        CancelCode::AlreadyAtNetwork,
        CancelCode::AlreadyCancelled,
        CancelCode::NoReferences,
    ];

    pub fn from_code(code: i64) -> CancelCode {
        CancelCode::ALL.into_iter().find(|c| c.code() == code).unwrap_or(CancelCode::Other(code))
    }

    pub fn code(self) -> i64 {
        match self {
            CancelCode::InvalidChannel => 1,
            CancelCode::GeneralSystemError => 2,
            CancelCode::ClientReferenceUnknown => 3,
            CancelCode::SmartloadReferenceInvalid => 4,
            CancelCode::PinIssued => 5,
            CancelCode::AlreadyAtNetwork => 6,
            CancelCode::AlreadyCancelled => 7,
            CancelCode::NoReferences => 100,
            CancelCode::Other(c) => c,
        }
    }

    /// A cancel moves no money the wrong way: a refused cancel leaves the sale as it
    /// was. The class says what the caller should do about the refusal.
    pub fn class(self) -> ErrorClass {
        match self {
            CancelCode::InvalidChannel => ErrorClass::Configuration,
            CancelCode::GeneralSystemError | CancelCode::Other(_) => ErrorClass::Transient,
            _ => ErrorClass::Rejected,
        }
    }

    pub fn cashier_message(self) -> String {
        match self {
            CancelCode::InvalidChannel => "Smartcall does not allow cancellations from this account. Ask the manager to contact Smartcall.".into(),
            CancelCode::GeneralSystemError => "Smartcall could not cancel the sale just now. Try again in a minute.".into(),
            CancelCode::ClientReferenceUnknown | CancelCode::SmartloadReferenceInvalid => "Smartcall has no sale with that reference to cancel.".into(),
            CancelCode::PinIssued => "This voucher cannot be cancelled: its PIN has already been issued.".into(),
            CancelCode::AlreadyAtNetwork => "This sale cannot be cancelled: it has already gone to the network. Wait for its result.".into(),
            CancelCode::AlreadyCancelled => "This sale was already cancelled.".into(),
            CancelCode::NoReferences => "A cancellation needs the sale's reference.".into(),
            CancelCode::Other(c) => format!("Smartcall could not cancel the sale (code {c}). Try again later."),
        }
    }
}

/// The mobile network a network code belongs to (tables 5–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MobileNetwork {
    Vodacom,
    Mtn,
    CellC,
    Telkom,
}

impl MobileNetwork {
    pub fn name(self) -> &'static str {
        match self {
            MobileNetwork::Vodacom => "Vodacom",
            MobileNetwork::Mtn => "MTN",
            MobileNetwork::CellC => "Cell C",
            MobileNetwork::Telkom => "Telkom",
        }
    }
}

/// One row of tables 5–8: a network's own recharge answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkCode {
    pub network: MobileNetwork,
    /// As the network writes it: `42`, `1812`, `-3`, `MPR-030`.
    pub code: &'static str,
    /// The table's description.
    pub meaning: &'static str,
    /// `None` for the success codes.
    pub class: Option<ErrorClass>,
    /// The cashier's words (empty for success codes).
    pub advice: &'static str,
}

use ErrorClass::{Configuration as Cfg, InDoubt as Doubt, Rejected as Rej, Transient as Trans};
use MobileNetwork::{CellC, Mtn, Telkom, Vodacom};

const fn row(network: MobileNetwork, code: &'static str, meaning: &'static str, class: Option<ErrorClass>, advice: &'static str) -> NetworkCode {
    NetworkCode { network, code, meaning, class, advice }
}

const NOT_SOLD_CHECK_NUMBER: &str = "The network refused this number. Nothing was sold. Check the number with the customer.";
const NOT_SOLD_ACCOUNT: &str = "The network refused the shop's account. Nothing was sold. Ask the manager to contact Smartcall.";
const NOT_SOLD_AMOUNT: &str = "The network does not allow this amount. Nothing was sold. Choose another amount.";
const NOT_SOLD_RETRY: &str = "The network refused the recharge. Nothing was sold. Try again in a few minutes.";
const MAYBE_SOLD: &str = "The network has not confirmed this recharge. It may have gone through: do not sell it again. Airtill is checking.";

/// Tables 5 (Vodacom), 6 (MTN), 7 (Cell C) and 8 (Telkom), row for row.
pub const NETWORK_CODES: &[NetworkCode] = &[
    // Table 5: Vodacom.
    row(Vodacom, "00", "Approved validation or Recharge completed successfully", None, ""),
    row(Vodacom, "03", "Invalid Service Provider Id", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Vodacom, "10", "Delay in processing the recharge", Some(Doubt), MAYBE_SOLD),
    row(
        Vodacom,
        "12",
        "Invalid Recharge (e.g. Recharge attempt without activation, Business rule violation)",
        Some(Rej),
        "Vodacom refused this recharge for this SIM (it may not be activated). Nothing was sold.",
    ),
    row(Vodacom, "13", "Invalid Recharge Denomination", Some(Rej), NOT_SOLD_AMOUNT),
    row(Vodacom, "15", "Invalid Financial Institution Id", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Vodacom, "22", "Vodacom related problem: not successfully processed due to a problem on the back-end system", Some(Rej), NOT_SOLD_RETRY),
    row(Vodacom, "26", "Duplicate recharge attempted.", Some(Doubt), MAYBE_SOLD),
    row(Vodacom, "39", "No credit account", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Vodacom, "42", "Invalid MSISDN", Some(Rej), NOT_SOLD_CHECK_NUMBER),
    row(Vodacom, "61", "Exceeds withdrawal limit", Some(Rej), "Vodacom's limit for this number is reached. Nothing was sold. Try a smaller amount or later."),
    row(Vodacom, "91", "Vodacom related problem: the back-end system is either unavailable or did not respond in time", Some(Doubt), MAYBE_SOLD),
    // Table 6: MTN.
    row(Mtn, "0000", "Request was Successful", None, ""),
    row(Mtn, "1800", "MSISDN Validation Failed", Some(Rej), NOT_SOLD_CHECK_NUMBER),
    row(Mtn, "1801", "Violation of Law", Some(Rej), "MTN refused this recharge. Nothing was sold."),
    row(Mtn, "1802", "Maximum Rate Violation", Some(Trans), "MTN is receiving too many recharges right now. Nothing was sold. Try again in a minute."),
    row(Mtn, "1803", "Invalid Processing Code", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Mtn, "1804", "Unknown Merchant", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Mtn, "1805", "Recharge Failed", Some(Rej), NOT_SOLD_RETRY),
    row(Mtn, "1806", "Merchant Account Blocked", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Mtn, "1807", "Unknown Bundle", Some(Rej), "MTN does not offer this bundle to this number. Nothing was sold. Choose another product."),
    row(Mtn, "1808", "System Audit Trace Number Error", Some(Rej), NOT_SOLD_RETRY),
    row(Mtn, "1809", "Transaction Amount not allowed", Some(Rej), NOT_SOLD_AMOUNT),
    row(Mtn, "1810", "Business Rule Violation", Some(Rej), "MTN's rules do not allow this recharge on this number. Nothing was sold."),
    row(Mtn, "1811", "Subscriber Barred", Some(Rej), "MTN has barred this number from recharging. Nothing was sold."),
    row(Mtn, "1812", "Subscriber not RICA'd", Some(Rej), "This SIM is not RICA registered. Nothing was sold. The customer must RICA the SIM first."),
    row(Mtn, "1813", "Merchant limit exceeded", Some(Cfg), "The shop's MTN trading limit is reached. Nothing was sold. Ask the manager to contact Smartcall."),
    row(Mtn, "5814", "Reconciliation Date Failure", Some(Trans), "MTN's reconciliation data is not available yet. Try later."),
    row(Mtn, "9280", "Request Format Error", Some(Rej), NOT_SOLD_RETRY),
    row(Mtn, "9281", "System Error", Some(Doubt), MAYBE_SOLD),
    row(Mtn, "9999", "Generic Error", Some(Doubt), MAYBE_SOLD),
    // Table 7: Cell C.
    row(CellC, "0", "Successful Transaction", None, ""),
    row(CellC, "-3", "Transaction already submitted (Duplicate)", Some(Doubt), MAYBE_SOLD),
    row(CellC, "-4", "Trade partner not authorised for recharge type", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(CellC, "1", "Subscriber can't be recharged, please contact 140", Some(Rej), "Cell C cannot recharge this number (the customer can call 140). Nothing was sold."),
    row(CellC, "2", "Trade-partner authentication failed", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(CellC, "3", "Insufficient Funds in Trade partner account", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(CellC, "5", "Subscriber package doesn't allow a recharge (e.g. a Post Paid subscriber)", Some(Rej), "This Cell C number cannot be recharged (it may be a contract number). Nothing was sold."),
    row(CellC, "6", "Transaction time-out", Some(Doubt), MAYBE_SOLD),
    row(
        CellC,
        "7",
        "Subscriber chose airtime from an incompatible Service Provider",
        Some(Rej),
        "This number belongs to another provider on Cell C's network. Nothing was sold. Choose that provider's product.",
    ),
    row(CellC, "8", "Subscriber not allowed to recharge on CellC network", Some(Rej), NOT_SOLD_CHECK_NUMBER),
    row(CellC, "9", "Unsuccessful Transaction", Some(Rej), NOT_SOLD_RETRY),
    row(CellC, "11", "Unsuccessful Transaction", Some(Rej), NOT_SOLD_RETRY),
    // Table 8: Telkom.
    row(Telkom, "MPR-001", "Invalid Merchant", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Telkom, "MPR-002", "Invalid Product", Some(Rej), "Telkom does not know this product. Nothing was sold. Refresh the products."),
    row(Telkom, "MPR-003", "Merchant is not allowed to recharge product", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Telkom, "MPR-004", "Recharge Amount is not in the range allowed for the merchant.", Some(Rej), NOT_SOLD_AMOUNT),
    row(Telkom, "MPR-007", "MSISDN Account Status is not valid", Some(Rej), NOT_SOLD_CHECK_NUMBER),
    row(Telkom, "MPR-008", "MSISDN's Account Type is not valid", Some(Rej), "This Telkom number is not prepaid. Nothing was sold."),
    row(Telkom, "MPR-011", "No Pinless Recharge concept exists for recharge Ref Number", Some(Rej), NOT_SOLD_RETRY),
    row(Telkom, "MPR-012", "Recharge request denied. Merchant daily limit has been exceeded", Some(Cfg), "The shop's daily Telkom limit is reached. Nothing was sold. Ask the manager."),
    row(Telkom, "MPR-013", "Service pack and/or amount does not match", Some(Rej), NOT_SOLD_AMOUNT),
    row(Telkom, "MPR-020", "Recharge request declined. Not allowed to recharge cents.", Some(Rej), "Telkom does not accept cents. Nothing was sold. Use a whole Rand amount."),
    row(Telkom, "MPR-021", "Recharge request denied. Subscriber daily recharge limit has been exceeded.", Some(Rej), "This number's daily recharge limit is reached. Nothing was sold. Try tomorrow."),
    row(Telkom, "MPR-030", "An error occurred validating the account against the Product Platform", Some(Rej), NOT_SOLD_CHECK_NUMBER),
    row(Telkom, "MPR-035", "Previous recharge is pending - Please retry later", Some(Rej), "An earlier recharge to this number is still pending. Nothing was sold. Wait for it, then try again."),
    row(Telkom, "MPR-040", "Recharge with provided Transaction Reference Number (TRN) is either unknown or is completed", Some(Rej), "Telkom has no open recharge with that reference."),
    row(Telkom, "MPR-050", "Recharge is in a state that does not allow for completion", Some(Doubt), MAYBE_SOLD),
    row(Telkom, "MPR-070", "Recharge Request Denied. Account credit limit has been exceeded", Some(Cfg), "The shop's Telkom credit limit is reached. Nothing was sold. Ask the manager."),
    row(Telkom, "MPR-080", "No recharge record found for TRN/SessionID", Some(Rej), "Telkom has no record of this recharge."),
    row(Telkom, "MPR-081", "The recharge record found does not belong to the Merchant", Some(Cfg), NOT_SOLD_ACCOUNT),
    row(Telkom, "MPR-100", "Ping successful", None, ""),
];

impl NetworkCode {
    /// Finds the network's code in a `statusMessage` (`"1812 Subscriber not RICA'd"`,
    /// `"Vodacom: 42 - Invalid MSISDN"`, `"MPR-030: An error ..."`). With a network
    /// hint only that network's table is searched; the codes of the four tables do
    /// not overlap, so without one the first known code wins.
    pub fn recognise(status_message: &str, hint: Option<MobileNetwork>) -> Option<NetworkCode> {
        let hint = hint.or_else(|| {
            let lower = status_message.to_ascii_lowercase();
            [("vodacom", Vodacom), ("mtn", Mtn), ("cell c", CellC), ("cellc", CellC), ("telkom", Telkom)].into_iter().find(|(name, _)| lower.contains(name)).map(|(_, n)| n)
        });
        status_message
            .split(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ';' | '(' | ')' | '[' | ']' | '='))
            .map(|t| t.trim_matches(|c: char| c == '.' || c == '\'' || c == '"'))
            .filter(|t| !t.is_empty())
            .find_map(|token| NETWORK_CODES.iter().find(|r| r.code.eq_ignore_ascii_case(token) && hint.is_none_or(|h| h == r.network)).copied())
    }

    pub fn is_success(&self) -> bool {
        self.class.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_two_code_round_trips_and_has_a_class_and_words() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), c);
            let m = c.cashier_message("x");
            assert!(!m.is_empty() && !m.contains("error"), "{c:?}: {m}");
        }
        assert_eq!(ErrorCode::from_code(4242), ErrorCode::Other(4242));
        assert_eq!(ErrorCode::Other(4242).class(), ErrorClass::InDoubt);
    }

    #[test]
    fn query_me_codes_are_in_doubt() {
        for code in [1001, 1002, 1003, 1004, 1006] {
            assert_eq!(ErrorCode::from_code(code).class(), ErrorClass::InDoubt, "{code}");
        }
        for code in [2, 5, 6, 8, 9, 10, 16, 17, 18, 19, 1005, 1007] {
            assert_eq!(ErrorCode::from_code(code).class(), ErrorClass::Rejected, "{code}");
        }
        for code in [3, 4, 11, 12, 14, 15, 400] {
            assert_eq!(ErrorCode::from_code(code).class(), ErrorClass::Configuration, "{code}");
        }
    }

    #[test]
    fn cancel_codes_are_their_own_table() {
        for c in CancelCode::ALL {
            assert_eq!(CancelCode::from_code(c.code()), c);
            assert!(!c.cashier_message().is_empty());
        }
        assert_eq!(CancelCode::from_code(7), CancelCode::AlreadyCancelled);
        assert_eq!(ErrorCode::from_code(7), ErrorCode::InvalidProductType);
    }

    #[test]
    fn network_tables_have_every_row_once_and_codes_do_not_overlap() {
        assert_eq!(NETWORK_CODES.iter().filter(|r| r.network == Vodacom).count(), 12);
        assert_eq!(NETWORK_CODES.iter().filter(|r| r.network == Mtn).count(), 19);
        assert_eq!(NETWORK_CODES.iter().filter(|r| r.network == CellC).count(), 12);
        assert_eq!(NETWORK_CODES.iter().filter(|r| r.network == Telkom).count(), 19);
        for (i, a) in NETWORK_CODES.iter().enumerate() {
            for b in &NETWORK_CODES[i + 1..] {
                assert_ne!(a.code, b.code, "{a:?} and {b:?}");
            }
            assert_eq!(a.class.is_none(), a.advice.is_empty(), "{a:?}");
        }
    }

    #[test]
    fn recognises_network_codes_in_status_messages() {
        let r = NetworkCode::recognise("1812 Subscriber not RICA'd", None).unwrap();
        assert_eq!((r.network, r.class), (Mtn, Some(Rej)));
        let r = NetworkCode::recognise("MPR-035: Previous recharge is pending - Please retry later", None).unwrap();
        assert_eq!(r.network, Telkom);
        let r = NetworkCode::recognise("Vodacom: 42 - Invalid MSISDN", None).unwrap();
        assert_eq!((r.network, r.code), (Vodacom, "42"));
        let r = NetworkCode::recognise("Cell C -3 Transaction already submitted (Duplicate)", None).unwrap();
        assert_eq!((r.network, r.class), (CellC, Some(Doubt)));
        let r = NetworkCode::recognise("6 Transaction time-out", Some(CellC)).unwrap();
        assert_eq!(r.class, Some(Doubt));
        assert!(NetworkCode::recognise("6 Transaction time-out", Some(Vodacom)).is_none());
        assert!(NetworkCode::recognise("no code here", None).is_none());
        assert!(NetworkCode::recognise("0000 Request was Successful", None).unwrap().is_success());
    }
}
