//! The Smartcall adapter: a sale row becomes a recharge request with the sale's own
//! client reference; Smartcall's answers and error classes become the engine's.

use crate::provider::{CancelAnswer, Queried, SaleProvider, Submitted};
use airtill_providers::smartcall::{CancelBy, CancelCode, Client, DstvPayment, EasyPayPayment, ErrorCode, RechargeRequest, SmartcallError, TransactionStatus};
use airtill_providers::ErrorClass;
use airtill_store::{Outcome, SaleRow};
use std::sync::Arc;

/// Client-reference history: one week; Smartload-reference history: one month.
const CLIENT_REF_HISTORY_MS: i64 = 7 * 24 * 3600 * 1000;
const SMARTLOAD_REF_HISTORY_MS: i64 = 30 * 24 * 3600 * 1000;

pub struct SmartcallProvider {
    name: String,
    client: Arc<Client>,
}

impl SmartcallProvider {
    pub fn new(name: &str, client: Arc<Client>) -> SmartcallProvider {
        SmartcallProvider { name: name.to_string(), client }
    }

    pub fn client(&self) -> &Arc<Client> {
        &self.client
    }

    fn request(&self, sale: &SaleRow) -> RechargeRequest {
        let d = &sale.details;
        let electricity = d.product_kind == "electricity";
        RechargeRequest {
            smartload_id: self.client.config().smartload_id.clone(),
            client_reference: d.client_ref.clone(),
            // Electricity goes to a meter; the token is printed, and the SMS copy goes
            // to the shop's own Smartload number.
            // A PIN voucher sold without the customer's number: the PIN is printed, and
            // the request names the shop's own Smartload number as its device.
            sms_recipient_msisdn: if electricity || d.recipient.is_empty() { self.client.config().smartload_id.clone() } else { d.recipient.clone() },
            device_id: if d.recipient.is_empty() { self.client.config().smartload_id.clone() } else { d.recipient.clone() },
            product_id: d.product_id,
            amount: d.amount_minor,
            pinless: !d.pinned,
            // One rule chooses the variant (and so the discount) the till sells.
            send_sms: airtill_providers::smartcall::books::sends_sms(d.pinned, electricity),
            sms_provider_identifier: None,
        }
    }
}

impl SmartcallProvider {
    /// A bill payment (EasyPay or DSTV): the sale's recipient is `<accountType>:<account>`;
    /// the receipt number comes back as the ticket.
    async fn pay(&self, sale: &SaleRow) -> Submitted {
        let d = &sale.details;
        let sid = self.client.config().smartload_id.clone();
        let Some((kind, account)) = d.recipient.split_once(':') else {
            let e = SmartcallError::Invalid("a bill payment without its account".into());
            return Submitted::Refused { outcome: failure(&e, ErrorClass::Rejected), reroutable: false };
        };
        let answer = if d.network_name == "DSTV" {
            let p = DstvPayment {
                smartload_id: sid.clone(),
                client_reference: d.client_ref.clone(),
                account_type: kind.into(),
                account_reference: account.into(),
                payment_amount: d.amount_minor,
                payment_cell_number: sid,
            };
            self.client.dstv_pay(&p).await
        } else {
            let p = EasyPayPayment {
                smartload_id: sid.clone(),
                client_reference: d.client_ref.clone(),
                product_id: d.product_id,
                account_type: kind.into(),
                account_reference: account.into(),
                payment_amount: d.amount_minor,
                payment_cell_number: sid,
            };
            self.client.easypay_pay(&p).await
        };
        match answer {
            Ok(p) => Submitted::Succeeded(Outcome { provider_ref: Some(p.reference), ticket_number: Some(p.receipt_number), ..Default::default() }),
            Err(e) => {
                let class = e.class_for_sale();
                tracing::warn!(sale = sale.id, ?class, "payment not confirmed: {e}");
                Submitted::not_confirmed(class, class_name(class), e.cashier_message(), false)
            }
        }
    }
}

/// A second voucher of the same amount without the customer's number, within Smartcall's
/// 5 minutes: nothing was sold; what the cashier does about it.
pub const NO_NUMBER_REPEAT: &str =
    "Not sold: without the customer's number, Smartcall takes one voucher of this amount every 5 minutes. Sell it again with the customer's cell number (at the till: F2, the number, then F5).";

fn failure(e: &SmartcallError, class: ErrorClass) -> Outcome {
    Outcome { error_class: Some(class_name(class).into()), error_message: Some(e.cashier_message()), ..Default::default() }
}

pub fn class_name(c: ErrorClass) -> &'static str {
    match c {
        ErrorClass::Rejected => "rejected",
        ErrorClass::InDoubt => "in_doubt",
        ErrorClass::Configuration => "configuration",
        ErrorClass::Transient => "transient",
    }
}

fn from_transaction(t: &airtill_providers::smartcall::Transaction) -> Outcome {
    Outcome {
        provider_ref: t.reference.clone(),
        voucher_pin: t.voucher_pin.clone(),
        // Electricity: the free-basic-electricity token issued with the token.
        additional_pin: t.additional_voucher_pin.clone(),
        ticket_number: t.ticket_number.clone(),
        expiry_ms: t.expiry_date,
        // Smartcall's own figure for what the wallet paid.
        cost_e4: t.cost,
        ..Default::default()
    }
}

/// What the wallet paid for a recharge, by the discount its answer says it was
/// charged at (`dealerDiscount`) on the price.
fn recharge_cost(sale: &SaleRow, r: &airtill_providers::smartcall::Recharge) -> Option<i64> {
    let price = airtill_domain::Money::new(r.retail_price.unwrap_or(sale.details.amount_minor), sale.details.currency);
    r.dealer_discount.map(|d| airtill_domain::Money4::cost_after_discount(price, d).e4)
}

#[async_trait::async_trait]
impl SaleProvider for SmartcallProvider {
    fn name(&self) -> &str {
        &self.name
    }

    async fn submit(&self, sale: &SaleRow) -> Submitted {
        if sale.details.product_kind == "payment" {
            return self.pay(sale).await;
        }
        match self.client.recharge(&self.request(sale)).await {
            Ok(r) => {
                let outcome = Outcome {
                    provider_ref: Some(r.order_reference_id.to_string()),
                    voucher_pin: r.voucher_pin.clone(),
                    ticket_number: r.ticket_number.clone(),
                    expiry_ms: r.expiry_date,
                    wallet_after_e4: r.balance,
                    cost_e4: recharge_cost(sale, &r),
                    ..Default::default()
                };
                if !sale.details.pinned || sale.details.product_kind == "electricity" {
                    // Submitted only: the network answers later. Electricity always (the
                    // spec: never synchronous): its token, and a free-basic token with
                    // it, come with the final state by Transaction Query.
                    Submitted::Pending(outcome)
                } else if outcome.voucher_pin.is_some() {
                    Submitted::Succeeded(outcome)
                } else {
                    // Accepted, but the PIN did not come: ask for it by reference.
                    Submitted::InDoubt(Outcome {
                        error_class: Some("in_doubt".into()),
                        error_message: Some("Smartcall accepted the sale but sent no PIN yet. Airtill is asking for it.".into()),
                        ..outcome
                    })
                }
            }
            Err(e) => {
                let class = e.class_for_sale();
                tracing::warn!(sale = sale.id, ?class, "recharge not confirmed: {e}");
                // A network that is down is a certain refusal, named apart: the till may
                // sell the same voucher from its stock.
                let name = if e.is_network_down() { "network_down" } else { class_name(class) };
                // Without the customer's number the request names the shop's own
                // Smartload number, and Smartcall takes one sale of an amount to one
                // number in 5 minutes: the customer's number lets it through now.
                let message = if sale.details.recipient.is_empty() && e.code() == Some(ErrorCode::RepeatWithinFiveMinutes) { NO_NUMBER_REPEAT.to_string() } else { e.cashier_message() };
                Submitted::not_confirmed(class, name, message, true)
            }
        }
    }

    async fn query(&self, sale: &SaleRow, now_ms: i64) -> Queried {
        let age = now_ms - sale.submitted_ms.unwrap_or(sale.created_ms);
        let by_smartload_ref = sale.outcome.provider_ref.as_deref().and_then(|r| r.parse::<i64>().ok());
        let answer = if age <= CLIENT_REF_HISTORY_MS {
            self.client.transaction(&sale.details.client_ref).await
        } else if let (Some(r), true) = (by_smartload_ref, age <= SMARTLOAD_REF_HISTORY_MS) {
            self.client.transaction_by_smartload_ref(r).await
        } else {
            return Queried::TooOld("Older than Smartcall's history: check it with Smartcall's customer care and decide.".into());
        };
        match answer {
            Ok(t) => {
                let o = from_transaction(&t);
                match t.status() {
                    Some(TransactionStatus::Successful) if sale.details.pinned && o.voucher_pin.is_none() => Queried::Pending(o),
                    Some(TransactionStatus::Successful) => Queried::Succeeded(o),
                    Some(TransactionStatus::Failed) => {
                        Queried::Failed(Outcome { error_class: Some("rejected".into()), error_message: Some("The network refused the recharge. Nothing was sold.".into()), ..o })
                    }
                    Some(TransactionStatus::Cancelled) => Queried::Cancelled(o),
                    Some(TransactionStatus::Requested | TransactionStatus::Pending) => Queried::Pending(o),
                    None => Queried::TryLater(format!("Smartcall gave a status the till does not know: \u{201c}{}\u{201d}", t.status_id.as_deref().unwrap_or("none"))),
                }
            }
            Err(e) if matches!(e.code(), Some(ErrorCode::ClientReferenceUnknown | ErrorCode::RechargeUnknown)) => Queried::NotFound,
            Err(e) => Queried::TryLater(e.to_string()),
        }
    }

    /// Electricity's token is due within seconds: the seller stays for it.
    fn follow_up_ms(&self, sale: &SaleRow) -> Option<i64> {
        (sale.details.product_kind == "electricity").then_some(8_000)
    }

    async fn cancel(&self, sale: &SaleRow) -> CancelAnswer {
        match self.client.cancel(&CancelBy::ClientReference(sale.details.client_ref.clone())).await {
            Ok(()) => CancelAnswer::Cancelled,
            Err(SmartcallError::Cancel { code: CancelCode::AlreadyCancelled, .. }) => CancelAnswer::Cancelled,
            Err(e @ SmartcallError::Cancel { code: CancelCode::PinIssued | CancelCode::AlreadyAtNetwork | CancelCode::ClientReferenceUnknown, .. }) => CancelAnswer::Refused(e.cashier_message()),
            Err(e) => CancelAnswer::TryLater(e.to_string()),
        }
    }
}
