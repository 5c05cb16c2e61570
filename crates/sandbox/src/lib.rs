//! Provider simulators: real HTTP servers on loopback that answer in the providers'
//! wire shapes, keep a ledger of what they accepted and hold a wallet.
//!
//! The JSON here is written by hand from `shared/providers.md`, never with the
//! clients' types, so that a wrong field name on either side fails a test.

pub mod aat;
pub mod clock;
mod common;
pub mod ideamart;
pub mod mx;
pub mod smartcall;

pub use aat::{AatLedgerEntry, AatSandbox, AAT_TRAINING_CREDIT_CENTS, AAT_TRAINING_PASSWORD, AAT_TRAINING_USERNAME, PENDING_RESOLVES_AFTER_MS as AAT_PENDING_RESOLVES_AFTER_MS};
pub use ideamart::{IdeamartLedgerEntry, IdeamartSandbox, IDEAMART_START_BALANCE, IDEAMART_TRAINING_APP_ID, IDEAMART_TRAINING_PASSWORD};
pub use mx::{MxCredit, MxNotice, MxSandbox, MX_SECOND_NOTIFICATION_MS, MX_TRAINING_FUNDS, MX_TRAINING_PASSWORD, MX_TRAINING_USERNAME, MX_UNKNOWN_REJECTIONS};

pub use clock::{Clock, ManualClock, SystemClock};
pub use smartcall::{Fault, LedgerEntry, SmartcallSandbox, TRAINING_FREE_BASIC_METER, TRAINING_PASSWORD, TRAINING_RICA_AGENT, TRAINING_SECOND_SMARTLOAD_ID, TRAINING_SMARTLOAD_ID, TRAINING_USERNAME};
