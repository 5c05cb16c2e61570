//! What the engine needs of a provider: send a sale, ask about it by its reference,
//! cancel it. Each provider's adapter maps its own answers and error classes here.

use airtill_store::{Outcome, SaleRow};

/// The answer to sending a sale.
#[derive(Debug, Clone)]
pub enum Submitted {
    /// Sold, final (a voucher with its PIN, a synchronous recharge).
    Succeeded(Outcome),
    /// Accepted; the final answer comes later (an asynchronous recharge).
    Pending(Outcome),
    /// Nobody knows: a timeout, a broken connection, a 5xx, a "query me" answer.
    InDoubt(Outcome),
    /// Refused for sure, nothing sold. `reroutable`: another provider may be tried
    /// (a certain refusal, or the network down before anything was sent).
    Refused { outcome: Outcome, reroutable: bool },
}

impl Submitted {
    /// A call that did not confirm the sale: in doubt when its class says so (never
    /// a refusal then), else refused for sure, another provider allowed or not.
    pub fn not_confirmed(class: airtill_providers::ErrorClass, class_name: &str, message: String, reroutable: bool) -> Submitted {
        let outcome = Outcome { error_class: Some(class_name.into()), error_message: Some(message), ..Default::default() };
        if class == airtill_providers::ErrorClass::InDoubt {
            Submitted::InDoubt(outcome)
        } else {
            Submitted::Refused { outcome, reroutable }
        }
    }
}

/// The answer to asking about a sale by its reference.
#[derive(Debug, Clone)]
pub enum Queried {
    Succeeded(Outcome),
    Failed(Outcome),
    Cancelled(Outcome),
    /// Still on its way.
    Pending(Outcome),
    /// The provider has no sale with this reference.
    NotFound,
    /// The question could not be asked now; ask again later.
    TryLater(String),
    /// Past the provider's history: a manager must decide.
    TooOld(String),
}

/// The answer to a cancel.
#[derive(Debug, Clone)]
pub enum CancelAnswer {
    Cancelled,
    /// It cannot be cancelled any more (already at the network, PIN issued).
    Refused(String),
    TryLater(String),
}

#[async_trait::async_trait]
pub trait SaleProvider: Send + Sync {
    /// The name stored with the sale (`smartcall`).
    fn name(&self) -> &str;
    async fn submit(&self, sale: &SaleRow) -> Submitted;
    async fn query(&self, sale: &SaleRow, now_ms: i64) -> Queried;
    async fn cancel(&self, sale: &SaleRow) -> CancelAnswer;
    /// How long, in milliseconds, the seller stays to see a sale the provider accepted
    /// without its final answer, when that answer is due within seconds (Smartcall's
    /// electricity: the token comes by Transaction Query a moment later). The engine's
    /// one resolver asks, on a short schedule; the seller is given the sale as it then
    /// stands, and the resolver goes on from there. None: the resolver alone.
    fn follow_up_ms(&self, sale: &SaleRow) -> Option<i64> {
        let _ = sale;
        None
    }
}
