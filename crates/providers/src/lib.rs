//! Provider clients. Each provider is a module with one typed request and response per
//! operation and its own error enum; every error carries an [`ErrorClass`] that the
//! sale engine and the UI act on.
//!
//! Clients never touch the database: they send, parse and classify.

pub mod aat;
pub mod decimal;
mod http;
pub mod ideamart;
pub mod mx;
pub mod smartcall;
pub mod xml;

#[cfg(test)]
mod fuzzing;

use serde::Serialize;

/// What a failed provider call means for the sale and for the people at the till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// The provider refused it for sure: nothing was sold, selling again is safe.
    Rejected,
    /// Nobody knows whether the provider has it: query by the same reference,
    /// never sell again.
    InDoubt,
    /// The set-up is wrong (credentials, account, wallet): a manager must act.
    /// Nothing was sold.
    Configuration,
    /// The provider could not be reached or is busy, and nothing was sent that could
    /// sell: try again later.
    Transient,
}

impl ErrorClass {
    /// True when the provider certainly did not take the sale.
    pub fn nothing_sold(self) -> bool {
        !matches!(self, ErrorClass::InDoubt)
    }
}
