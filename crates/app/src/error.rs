//! The use cases' errors. Each has a stable `code` the UI and scripts branch on and a
//! message in the user's words.

use airtill_providers::ErrorClass;
use serde::Serialize;
use ts_rs::TS;

/// Declares the error codes once: the enum (a TypeScript union in the bindings) and
/// its text.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal),* $(,)?) => {
        /// What kind of refusal a command answered, for the UI to branch on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
        pub enum ErrorCode {
            $($(#[$doc])* #[serde(rename = $text)] $variant),*
        }

        impl ErrorCode {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text),*
                }
            }
        }
    };
}

error_codes! {
    NotLoggedIn = "not_logged_in",
    WrongPin = "wrong_pin",
    Forbidden = "forbidden",
    BadInput = "bad_input",
    BadNumber = "bad_number",
    NoSuchProduct = "no_such_product",
    NoSuchSale = "no_such_sale",
    ProviderConfiguration = "provider_configuration",
    ProviderUnavailable = "provider_unavailable",
    Configuration = "configuration",
    Storage = "storage",
    Io = "io",
    NeedsOverride = "needs_override",
    LockedOut = "locked_out",
    ManagerPinNeeded = "manager_pin_needed",
    IdleLocked = "idle_locked",
    PrinterFailed = "printer_failed",
    NotSetUp = "not_set_up",
    MustChangePin = "must_change_pin",
    NoShift = "no_shift",
    DayClosed = "day_closed",
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("Log in first.")]
    NotLoggedIn,
    #[error("That PIN is not right. Try again.")]
    WrongPin,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    BadNumber(#[from] airtill_domain::PhoneError),
    #[error("That product is not on offer any more. Choose another.")]
    NoSuchProduct,
    #[error("There is no such sale.")]
    NoSuchSale,
    /// The provider could not be asked (nothing was sold).
    #[error("{message}")]
    Provider { class: ErrorClass, message: String },
    #[error("Settings need attention: {0}")]
    Configuration(String),
    #[error("The till's records could not be read or written ({0}). Nothing was changed. Ask the manager to run 'airtill doctor'.")]
    Storage(#[from] airtill_store::StoreError),
    #[error("{0}")]
    Io(String),
    /// Too many wrong PINs for this person (or for this kind of check): locked until then.
    #[error("Too many wrong PINs: locked until {until}. Wait, then try again with the right PIN, or ask a manager to unlock you.")]
    LockedOut { until: String },
    /// A voucher PIN of an older sale: shown or reprinted only with a manager's PIN.
    #[error("Only the last sale's PIN is shown. A manager's PIN is needed to show or reprint receipt {receipt_no:06}.")]
    ManagerPinNeeded { receipt_no: i64 },
    /// The receipt printer did not print; the sale stands, print again.
    #[error("{0} The sale stands; nothing else changed.")]
    Printer(String),
    /// The till locked itself after the idle minutes the manager set.
    #[error("The till locked itself after {} without use. Log in again.", crate::words::count(*minutes as i64, "minute"))]
    IdleLocked { minutes: u32 },
    /// No shop in this data folder yet: the setup screen (or `airtill setup`) makes one.
    #[error("This till is not set up yet. Set it up first: open Airtill and answer the setup questions, or run `airtill setup --practice` (practice) or `airtill setup --live ...` (see `airtill setup --help`).")]
    NotSetUp,
    /// The person's PIN is one everyone knows (or a manager set it): a new one first.
    #[error("Choose a new PIN before going on: yours is one others know.")]
    MustChangePin,
    /// Cash is taken only into an open shift's drawer.
    #[error("Open your shift first: count the float into the drawer, then sell.")]
    NoShift,
    /// The guard rail: an unresolved sale to the same number and amount.
    #[error("{message}")]
    NeedsOverride { sale_id: i64, message: String },
    /// Stock PINs open only while a manager has the day open.
    #[error("The voucher stock is locked until a manager opens the day: a manager logs in at this till once, then cashiers sell from stock as usual.")]
    DayClosed,
}

impl From<airtill_engine::EngineError> for AppError {
    fn from(e: airtill_engine::EngineError) -> Self {
        match e {
            airtill_engine::EngineError::Store(s) => AppError::Storage(s),
            airtill_engine::EngineError::NeedsOverride { sale_id, receipt_no } => AppError::NeedsOverride {
                sale_id,
                message: format!("Receipt {receipt_no:06} to this number for this amount is not finished yet. Wait for its result, or ask a manager to approve a second sale."),
            },
            airtill_engine::EngineError::NoRoute => AppError::Configuration("no provider is set up to sell this product".into()),
            e @ airtill_engine::EngineError::PaymentNotFree(_) => AppError::BadInput(e.to_string()),
        }
    }
}

impl AppError {
    /// A stable machine-readable code.
    /// The code the UI and scripts branch on.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            AppError::NotLoggedIn => ErrorCode::NotLoggedIn,
            AppError::WrongPin => ErrorCode::WrongPin,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::BadInput(_) => ErrorCode::BadInput,
            AppError::BadNumber(_) => ErrorCode::BadNumber,
            AppError::NoSuchProduct => ErrorCode::NoSuchProduct,
            AppError::NoSuchSale => ErrorCode::NoSuchSale,
            AppError::Provider { class: ErrorClass::Configuration, .. } => ErrorCode::ProviderConfiguration,
            AppError::Provider { .. } => ErrorCode::ProviderUnavailable,
            AppError::Configuration(_) => ErrorCode::Configuration,
            AppError::Storage(_) => ErrorCode::Storage,
            AppError::Io(_) => ErrorCode::Io,
            AppError::NeedsOverride { .. } => ErrorCode::NeedsOverride,
            AppError::LockedOut { .. } => ErrorCode::LockedOut,
            AppError::ManagerPinNeeded { .. } => ErrorCode::ManagerPinNeeded,
            AppError::IdleLocked { .. } => ErrorCode::IdleLocked,
            AppError::Printer(_) => ErrorCode::PrinterFailed,
            AppError::NotSetUp => ErrorCode::NotSetUp,
            AppError::MustChangePin => ErrorCode::MustChangePin,
            AppError::NoShift => ErrorCode::NoShift,
            AppError::DayClosed => ErrorCode::DayClosed,
        }
    }

    /// The code as text (`bad_input`), as the UI receives it.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.error_code(), message: self.to_string() }
    }
}

/// What the UI receives when a command fails.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorPayload {
    pub code: ErrorCode,
    pub message: String,
}
