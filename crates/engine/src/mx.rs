//! The MX Telecom adapter: a sale row becomes a credit (pence as thousandths). The
//! answer carries only MX's `creditId`, so every credit starts `pending`; it is final
//! only when MX's notification says `confirmed` or `failure` (applied through
//! [`crate::Engine::apply_notice`]). MX has no look-up and no cancel: the resolver can
//! only wait for the notification, or for a manager's decision.

use crate::provider::{CancelAnswer, Queried, SaleProvider, Submitted};
use crate::smartcall::class_name;
use airtill_providers::mx::{Client, CreditRequest};
use airtill_store::{Outcome, SaleRow};
use std::sync::Arc;

pub struct MxProvider {
    name: String,
    client: Arc<Client>,
}

impl MxProvider {
    pub fn new(name: &str, client: Arc<Client>) -> MxProvider {
        MxProvider { name: name.to_string(), client }
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }
}

#[async_trait::async_trait]
impl SaleProvider for MxProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn submit(&self, sale: &SaleRow) -> Submitted {
        let d = &sale.details;
        let req = CreditRequest { msisdn: d.recipient.clone(), amount: d.amount_minor, currency: d.currency, brand: None };
        match self.client.credit(&req).await {
            Ok(credit_id) => Submitted::Pending(Outcome { provider_ref: Some(credit_id), ..Default::default() }),
            Err(e) => {
                let class = e.class_for_sale();
                tracing::warn!(sale = sale.id, ?class, "MX credit not confirmed: {e}");
                Submitted::not_confirmed(class, class_name(class), e.cashier_message(), true)
            }
        }
    }

    async fn query(&self, sale: &SaleRow, _now_ms: i64) -> Queried {
        match &sale.outcome.provider_ref {
            Some(id) => Queried::TryLater(format!("MX credit {id}: waiting for MX's notification")),
            None => Queried::TryLater("MX's answer was lost: waiting for its notification (matched by number and amount) or a manager's decision".into()),
        }
    }

    async fn cancel(&self, _sale: &SaleRow) -> CancelAnswer {
        CancelAnswer::Refused("MX Telecom cannot cancel a credit once it is sent.".into())
    }
}
