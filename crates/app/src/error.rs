//! The use cases' errors. Each has a stable `code` the UI and scripts branch on and a
//! message in the user's words.

use airtill_providers::ErrorClass;
use serde::Serialize;
use ts_rs::TS;

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
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotLoggedIn => "not_logged_in",
            AppError::WrongPin => "wrong_pin",
            AppError::Forbidden(_) => "forbidden",
            AppError::BadInput(_) => "bad_input",
            AppError::BadNumber(_) => "bad_number",
            AppError::NoSuchProduct => "no_such_product",
            AppError::NoSuchSale => "no_such_sale",
            AppError::Provider { class: ErrorClass::Configuration, .. } => "provider_configuration",
            AppError::Provider { .. } => "provider_unavailable",
            AppError::Configuration(_) => "configuration",
            AppError::Storage(_) => "storage",
            AppError::Io(_) => "io",
            AppError::NeedsOverride { .. } => "needs_override",
            AppError::LockedOut { .. } => "locked_out",
            AppError::ManagerPinNeeded { .. } => "manager_pin_needed",
            AppError::IdleLocked { .. } => "idle_locked",
            AppError::Printer(_) => "printer_failed",
            AppError::NotSetUp => "not_set_up",
            AppError::MustChangePin => "must_change_pin",
            AppError::NoShift => "no_shift",
            AppError::DayClosed => "day_closed",
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code().to_string(), message: self.to_string() }
    }
}

/// What the UI receives when a command fails.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}
