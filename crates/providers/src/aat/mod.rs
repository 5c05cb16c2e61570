//! AAT Mobile Recharge API 3.4 (ASMX, XML): the second source of vouchers and pinless
//! recharges for South African networks.
//!
//! Every operation of `specs/aat-mobile-recharge-3.4.txt` is `<base>/<Operation>` with
//! every declared parameter (empty where unused), sent as a form POST by default or a
//! GET with a query string (providers.md §2). Answers are read by local name with
//! quick-xml, whatever the namespace or root.

pub mod callback;
mod client;
pub mod conventions;
mod error;
mod types;

pub use callback::Callback;
pub use client::{CatalogNetwork, Client, Config, HttpMethod};
pub use error::{AatCode, AatError};
pub use types::*;

#[cfg(test)]
mod fuzz;
