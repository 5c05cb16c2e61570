//! The AAT adapter: a sale row becomes one of AAT's six recharge calls (the voucher's
//! details choose the `*FixedAmount` variant), with the sale's own client reference;
//! AAT's answers and error classes become the engine's. AAT has no cancel, and asks
//! about a sale only by client reference (`GetTransactionInfo`).

use crate::provider::{CancelAnswer, Queried, SaleProvider, Submitted};
use crate::smartcall::class_name;
use airtill_providers::aat::{AatCode, AatError, Client, RechargeKind, RechargeRequest, TransactionStatus, VoucherDetails};
use airtill_providers::ErrorClass;
use airtill_store::{Outcome, SaleRow};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct AatProvider {
    name: String,
    client: Arc<Client>,
    /// Voucher details by id, from AAT's catalog (network → type → voucher).
    vouchers: RwLock<HashMap<i64, VoucherDetails>>,
}

fn failure(e: &AatError, class: ErrorClass) -> Outcome {
    Outcome { error_class: Some(class_name(class).into()), error_message: Some(e.cashier_message()), ..Default::default() }
}

impl AatProvider {
    pub fn new(name: &str, client: Arc<Client>) -> AatProvider {
        AatProvider { name: name.to_string(), client, vouchers: RwLock::new(HashMap::new()) }
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    /// Gives the adapter the vouchers of a catalog the app already fetched.
    pub fn know_vouchers(&self, vouchers: impl IntoIterator<Item = VoucherDetails>) {
        let mut map = self.vouchers.write().unwrap_or_else(|p| p.into_inner());
        for v in vouchers {
            map.insert(v.id, v);
        }
    }

    /// A voucher's details: known already, or after one catalog sync.
    pub async fn voucher(&self, id: i64) -> Result<Option<VoucherDetails>, AatError> {
        if let Some(v) = self.vouchers.read().unwrap_or_else(|p| p.into_inner()).get(&id).cloned() {
            return Ok(Some(v));
        }
        let catalog = self.client.catalog().await?;
        self.know_vouchers(catalog.into_iter().flat_map(|n| n.types.into_iter().flat_map(|(_, v)| v)));
        Ok(self.vouchers.read().unwrap_or_else(|p| p.into_inner()).get(&id).cloned())
    }
}

#[async_trait::async_trait]
impl SaleProvider for AatProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn submit(&self, sale: &SaleRow) -> Submitted {
        let d = &sale.details;
        // Nothing is sent until the voucher and the request are known to be right.
        let voucher = match self.voucher(d.product_id).await {
            Ok(Some(v)) => v,
            Ok(None) => {
                let e = AatError::Refused { code: AatCode::InvalidVoucher, message: format!("voucher {} is not in AAT's catalog", d.product_id) };
                return Submitted::Refused { outcome: failure(&e, ErrorClass::Rejected), reroutable: true };
            }
            Err(e) => return Submitted::Refused { outcome: failure(&e, e.class_for_read()), reroutable: true },
        };
        let kind = match (d.pinned, d.recipient.is_empty()) {
            (false, _) => RechargeKind::Pinless,
            (true, false) => RechargeKind::Pinned,
            (true, true) => RechargeKind::PinnedWithoutMsisdn,
        };
        let req = match RechargeRequest::new(kind, &voucher, d.amount_minor, Some(&d.recipient), &d.client_ref) {
            Ok(r) => r,
            Err(e) => return Submitted::Refused { outcome: failure(&e, ErrorClass::Rejected), reroutable: true },
        };
        match self.client.recharge(&req).await {
            Ok(info) => {
                let outcome = Outcome {
                    provider_ref: info.order_ref.clone(),
                    // A direct recharge's "PIN" is AAT's own reference, not cash.
                    voucher_pin: if d.pinned { info.voucher_pin.clone() } else { None },
                    ticket_number: info.ticket_number.clone(),
                    ..Default::default()
                };
                if !d.pinned {
                    // Accepted; AAT rechecks it with the network and may still fail it.
                    Submitted::Pending(outcome)
                } else if outcome.voucher_pin.is_some() {
                    Submitted::Succeeded(outcome)
                } else {
                    Submitted::InDoubt(Outcome { error_class: Some("in_doubt".into()), error_message: Some("AAT accepted the sale but sent no PIN. Airtill is asking for it.".into()), ..outcome })
                }
            }
            Err(e) => {
                let class = e.class_for_sale();
                tracing::warn!(sale = sale.id, ?class, "AAT recharge not confirmed: {e}");
                Submitted::not_confirmed(class, class_name(class), e.cashier_message(), true)
            }
        }
    }

    async fn query(&self, sale: &SaleRow, _now_ms: i64) -> Queried {
        match self.client.transaction(&sale.details.client_ref).await {
            Ok(t) => {
                let o = Outcome {
                    provider_ref: t.order_ref.clone(),
                    voucher_pin: if sale.details.pinned { t.voucher_pin.clone() } else { None },
                    ticket_number: t.ticket_number.clone(),
                    expiry_ms: t.expiry_ms,
                    ..Default::default()
                };
                match t.status {
                    TransactionStatus::Ok if sale.details.pinned && o.voucher_pin.is_none() => Queried::Pending(o),
                    TransactionStatus::Ok => Queried::Succeeded(o),
                    TransactionStatus::Pending => Queried::Pending(o),
                    TransactionStatus::Failed => {
                        Queried::Failed(Outcome { error_class: Some("rejected".into()), error_message: Some("The network refused the recharge. Nothing was sold.".into()), ..o })
                    }
                    TransactionStatus::Other(s) => Queried::TryLater(format!("AAT gave a status the till does not know: \u{201c}{s}\u{201d}")),
                }
            }
            Err(AatError::Refused { code: AatCode::NoTransaction, .. }) => Queried::NotFound,
            Err(e) => Queried::TryLater(e.to_string()),
        }
    }

    async fn cancel(&self, _sale: &SaleRow) -> CancelAnswer {
        CancelAnswer::Refused("AAT cannot cancel a recharge once it is sent.".into())
    }
}
