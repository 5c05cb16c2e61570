//! Smartcall Web Service V3 (REST/JSON): the primary provider.
//!
//! Wire shapes follow `shared/providers.md` §1 byte for byte. Shapes marked
//! **[convention]** there are kept together in [`conventions`] so that one edit
//! corrects them when a real account shows the truth.

mod client;
pub mod conventions;
mod error;
pub mod types;

pub use client::{Client, Config, Fetched};
pub use error::{cashier_message_for_code, class_for_code, SmartcallError};
pub use types::*;
