//! The states of the money movements besides sales that can be in doubt: voucher stock
//! orders and payments from a customer's mobile balance. Typed, so that a state is
//! one of these and nothing else, in the ledger, the app and the UI alike.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A voucher stock order: kept before it leaves (`Sending`), then ordered, received or
/// failed; `InDoubt` when its answer was lost (asked again by its own reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StockOrderState {
    Sending,
    InDoubt,
    Ordered,
    Received,
    Failed,
}

impl StockOrderState {
    pub const ALL: [StockOrderState; 5] = [StockOrderState::Sending, StockOrderState::InDoubt, StockOrderState::Ordered, StockOrderState::Received, StockOrderState::Failed];

    pub const fn as_str(self) -> &'static str {
        match self {
            StockOrderState::Sending => "sending",
            StockOrderState::InDoubt => "in_doubt",
            StockOrderState::Ordered => "ordered",
            StockOrderState::Received => "received",
            StockOrderState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<StockOrderState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still to be driven on (asked, fetched, bought).
    pub const fn is_open(self) -> bool {
        matches!(self, StockOrderState::Sending | StockOrderState::InDoubt | StockOrderState::Ordered)
    }

    /// Received or failed: it never moves again.
    pub const fn is_final(self) -> bool {
        !self.is_open()
    }
}

/// A payment from a customer's mobile balance: kept before the debit leaves
/// (`Submitting`), then succeeded or failed; `InDoubt` when its answer was lost
/// (resolved by repeating the same debit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    Submitting,
    Succeeded,
    Failed,
    InDoubt,
}

impl PaymentState {
    pub const ALL: [PaymentState; 4] = [PaymentState::Submitting, PaymentState::Succeeded, PaymentState::Failed, PaymentState::InDoubt];

    pub const fn as_str(self) -> &'static str {
        match self {
            PaymentState::Submitting => "submitting",
            PaymentState::Succeeded => "succeeded",
            PaymentState::Failed => "failed",
            PaymentState::InDoubt => "in_doubt",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Its answer is not known yet.
    pub const fn is_open(self) -> bool {
        matches!(self, PaymentState::Submitting | PaymentState::InDoubt)
    }
}

impl std::fmt::Display for StockOrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for PaymentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_back_as_written() {
        for s in StockOrderState::ALL {
            assert_eq!(StockOrderState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        for s in PaymentState::ALL {
            assert_eq!(PaymentState::parse(s.as_str()), Some(s));
        }
        assert_eq!(StockOrderState::parse("shipped"), None);
        assert!(StockOrderState::InDoubt.is_open() && StockOrderState::Received.is_final());
    }
}
