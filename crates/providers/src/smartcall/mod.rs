//! Smartcall Web Service V3 (REST/JSON): the primary provider.
//!
//! Wire shapes follow `shared/providers.md` §1 byte for byte. Shapes marked
//! **[convention]** there are kept together in [`conventions`] so that one edit
//! corrects them when a real account shows the truth.

pub mod books;
mod client;
pub mod codes;
pub mod conventions;
mod error;
pub mod payments;
pub mod rica;
pub mod types;
pub mod vouchers;

pub use client::{Client, Config, Fetched, EXPIRY_MARGIN_MS, IDLE_LIMIT_MS};
pub use codes::{CancelCode, ErrorCode, MobileNetwork, NetworkCode};
pub use error::SmartcallError;
pub use payments::*;
pub use rica::*;
pub use types::*;

#[cfg(test)]
mod fuzz;
