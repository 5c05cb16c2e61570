//! The states of a sale and the transitions allowed between them.
//!
//! `created → submitting → succeeded | failed | pending | in_doubt`, then final
//! `succeeded | failed | cancelled | reversed`. A sale that may have reached the
//! provider is never `failed` on a guess: it is `in_doubt` until a query says.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    /// Committed locally; nothing sent yet.
    Created,
    /// About to send, or sending: the request may have left.
    Submitting,
    /// The provider accepted it and (for a voucher) issued the PIN.
    Succeeded,
    /// The provider refused it for sure; nothing was sold.
    Failed,
    /// The provider accepted it and will give the final answer later.
    Pending,
    /// Nobody knows whether the provider has it: query by reference, never resend.
    InDoubt,
    Cancelled,
    Reversed,
}

impl SaleState {
    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Created => "created",
            SaleState::Submitting => "submitting",
            SaleState::Succeeded => "succeeded",
            SaleState::Failed => "failed",
            SaleState::Pending => "pending",
            SaleState::InDoubt => "in_doubt",
            SaleState::Cancelled => "cancelled",
            SaleState::Reversed => "reversed",
        }
    }

    /// The state in a person's words (`in doubt`, `sold`), as the command line says it.
    pub fn word(self) -> &'static str {
        match self {
            SaleState::Created => "created",
            SaleState::Submitting => "sending",
            SaleState::Succeeded => "sold",
            SaleState::Failed => "failed",
            SaleState::Pending => "pending",
            SaleState::InDoubt => "in doubt",
            SaleState::Cancelled => "cancelled",
            SaleState::Reversed => "reversed",
        }
    }

    pub fn parse(s: &str) -> Option<SaleState> {
        Some(match s {
            "created" => SaleState::Created,
            "submitting" => SaleState::Submitting,
            "succeeded" => SaleState::Succeeded,
            "failed" => SaleState::Failed,
            "pending" => SaleState::Pending,
            "in_doubt" => SaleState::InDoubt,
            "cancelled" => SaleState::Cancelled,
            "reversed" => SaleState::Reversed,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        matches!(self, SaleState::Failed | SaleState::Cancelled | SaleState::Reversed) || self == SaleState::Succeeded
    }

    /// Whether the sale's outcome is still open (must be resolved by a query).
    pub fn is_unresolved(self) -> bool {
        matches!(self, SaleState::Submitting | SaleState::Pending | SaleState::InDoubt)
    }

    /// The transitions the sale engine may make.
    pub fn can_move_to(self, next: SaleState) -> bool {
        use SaleState::*;
        matches!(
            (self, next),
            (Created, Submitting)
                | (Created, Failed)
                | (Submitting, Succeeded)
                | (Submitting, Failed)
                | (Submitting, Pending)
                | (Submitting, InDoubt)
                | (Pending, Succeeded)
                | (Pending, Failed)
                | (Pending, Cancelled)
                | (Pending, InDoubt)
                | (InDoubt, Succeeded)
                | (InDoubt, Failed)
                | (InDoubt, Pending)
                | (InDoubt, Cancelled)
                | (Succeeded, Reversed)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::SaleState::*;
    use super::*;

    const ALL: [SaleState; 8] = [Created, Submitting, Succeeded, Failed, Pending, InDoubt, Cancelled, Reversed];

    #[test]
    fn names_round_trip() {
        for s in ALL {
            assert_eq!(SaleState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
        assert_eq!(SaleState::parse("done"), None);
    }

    #[test]
    fn a_sale_that_may_have_left_is_never_created_again_and_in_doubt_is_never_guessed_failed_by_skipping() {
        assert!(!Submitting.can_move_to(Created));
        assert!(!InDoubt.can_move_to(Submitting), "in doubt is resolved by a query, never a resend");
        assert!(!Failed.can_move_to(Succeeded));
        assert!(!Cancelled.can_move_to(Succeeded));
        for s in ALL {
            assert!(!s.can_move_to(s), "{s:?} to itself");
        }
    }

    #[test]
    fn final_states_do_not_move_except_a_reversal() {
        for from in [Failed, Cancelled, Reversed] {
            for to in ALL {
                assert!(!from.can_move_to(to), "{from:?} -> {to:?}");
            }
        }
        assert!(Succeeded.can_move_to(Reversed));
    }
}
