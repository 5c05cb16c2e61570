//! The mobile-balance tender (Ideamart CaaS): the customer pays from their own mobile
//! account. The balance is asked first; the payment is stored before the debit goes
//! out (like a sale); a lost answer leaves it in doubt, resolved by repeating the
//! debit with the same `externalTrxId` (E1379 = it had gone through), never by a new
//! debit. A succeeded payment pays for exactly one sale.

use crate::views::{MobileBalanceView, MobilePaymentRequest, MobilePaymentView};
use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::{Currency, Money};
use airtill_providers::ideamart::{self, DebitRequest, IdeamartError};
use airtill_providers::ErrorClass;
use airtill_store::MobilePayment;
use airtill_store::Store;
use std::sync::{Arc, Mutex};

fn currency_of(code: &str) -> Currency {
    match code {
        "LKR" => Currency::LKR,
        "GBP" => Currency::GBP,
        _ => Currency::ZAR,
    }
}

pub(crate) fn payment_view(p: &MobilePayment) -> MobilePaymentView {
    let state_text = match (p.state.as_str(), p.sale_id) {
        ("succeeded", None) => "Paid from the customer's mobile balance. Sell with this payment.",
        ("succeeded", Some(_)) => "Paid, and used for a sale.",
        ("failed", _) => "Not paid. Nothing was taken from the customer.",
        _ => "Not confirmed yet. It may have been taken: do not take it again. Airtill is checking.",
    };
    MobilePaymentView {
        id: p.id,
        state: p.state.clone(),
        state_text: state_text.into(),
        subscriber: p.subscriber.clone(),
        amount: Money::new(p.amount_minor, currency_of(&p.currency)),
        reference_id: p.reference_id.clone(),
        sale_id: p.sale_id,
        error: p.error.clone(),
    }
}

fn read_error(e: IdeamartError) -> AppError {
    match e {
        IdeamartError::Invalid(m) => AppError::BadInput(m),
        e => AppError::Provider { class: e.class_for_read(), message: e.cashier_message() },
    }
}

impl Airtill {
    fn ideamart(&self) -> Result<Arc<ideamart::Client>> {
        self.ideamart.clone().ok_or_else(|| AppError::Configuration("This till takes no mobile-balance payments (no Ideamart application). Ask the manager.".into()))
    }

    /// The customer's chargeable mobile balance.
    pub async fn mobile_balance(&self, session: &Session, subscriber: &str, currency: Currency) -> Result<MobileBalanceView> {
        session.require_seller()?;
        let b = self.ideamart()?.balance(subscriber, currency).await.map_err(read_error)?;
        Ok(MobileBalanceView { chargeable: Money::new(b.chargeable, b.currency), account_status: b.account_status, account_type: b.account_type })
    }

    /// Takes a payment from the customer's mobile balance (the balance is asked first).
    /// The same request id returns the same payment, never a second debit.
    pub async fn take_mobile_payment(&self, session: &Session, req: &MobilePaymentRequest) -> Result<MobilePaymentView> {
        session.require_seller()?;
        crate::sell::check_request_id(&req.request_id)?;
        let seen = self.store().mobile_payment_by_request(&req.request_id)?;
        if let Some(p) = seen {
            return Ok(payment_view(&p));
        }
        let client = self.ideamart()?;
        let subscriber = ideamart::subscriber_number(&req.subscriber).map_err(read_error)?;
        let currency = req.currency.unwrap_or(Currency::ZAR);
        let amount = Money::parse(req.amount.trim(), currency).map_err(|_| AppError::BadInput(format!("'{}' is not an amount. Write it like 12 or 12.50.", req.amount.trim())))?;
        if amount.minor <= 0 || amount.minor > 10_000_000 {
            return Err(AppError::BadInput("A mobile payment is more than nothing and at most 100,000.".into()));
        }
        let balance = client.balance(&subscriber, currency).await.map_err(read_error)?;
        if balance.chargeable < amount.minor {
            return Err(AppError::BadInput(format!(
                "The customer's mobile balance is {}: too little for {}. Nothing was taken. Take another payment.",
                Money::new(balance.chargeable, currency),
                amount
            )));
        }
        let trx = uuid::Uuid::new_v4().simple().to_string();
        let (p, created) = self.store().create_mobile_payment(&req.request_id, &trx, &subscriber, amount.minor, currency.code(), session.user_id, time::now_ms())?;
        if !created {
            return Ok(payment_view(&p));
        }
        let p = debit_and_record(&self.store, &client, p).await?;
        self.audit("mobile_payment", Some(session.user_id), &format!("payment {} of {} from {}: {}", p.id, amount, p.subscriber, p.state))?;
        Ok(payment_view(&p))
    }

    /// Asks again about a payment not yet confirmed (repeating the same debit).
    pub async fn check_mobile_payment(&self, session: &Session, id: i64) -> Result<MobilePaymentView> {
        session.require_seller()?;
        let p = self.store().mobile_payment(id).map_err(|_| AppError::BadInput(format!("There is no mobile payment {id}.")))?;
        if !matches!(p.state.as_str(), "submitting" | "in_doubt") {
            return Ok(payment_view(&p));
        }
        let client = self.ideamart()?;
        let p = debit_and_record(&self.store, &client, p).await?;
        Ok(payment_view(&p))
    }
}

/// Sends (or repeats, with the same `externalTrxId`) a payment's debit and records
/// the answer.
async fn debit_and_record(store: &Mutex<Store>, client: &ideamart::Client, p: MobilePayment) -> Result<MobilePayment> {
    let req = DebitRequest { external_trx_id: p.external_trx_id.clone(), subscriber: p.subscriber.clone(), amount: p.amount_minor, currency: currency_of(&p.currency) };
    let answer = client.debit(&req).await;
    let now = time::now_ms();
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    let from = p.state.clone();
    let row = match answer {
        Ok(d) => store.settle_mobile_payment(p.id, &from, "succeeded", d.internal_trx_id.as_deref(), d.reference_id.as_deref(), None, now)?,
        Err(e) if e.class_for_sale() == ErrorClass::InDoubt => {
            if from == "in_doubt" {
                p
            } else {
                store.settle_mobile_payment(p.id, &from, "in_doubt", None, None, Some(&e.cashier_message()), now)?
            }
        }
        Err(e) => store.settle_mobile_payment(p.id, &from, "failed", None, None, Some(&e.cashier_message()), now)?,
    };
    Ok(row)
}

/// The payments' resolver: every `every`, each payment whose answer is unknown (also
/// after a crash) has its debit repeated with the same id until it has an answer.
pub(crate) fn spawn_payment_resolver(store: &Arc<Mutex<Store>>, client: Arc<ideamart::Client>, every: std::time::Duration) {
    let weak = Arc::downgrade(store);
    tokio::spawn(async move {
        loop {
            let Some(store) = weak.upgrade() else { break };
            let open = store.lock().unwrap_or_else(|e| e.into_inner()).open_mobile_payments();
            match open {
                Ok(open) => {
                    for p in open {
                        if let Err(e) = debit_and_record(&store, &client, p).await {
                            tracing::warn!("mobile payment check: {e}");
                        }
                    }
                }
                Err(e) => tracing::warn!("open mobile payments could not be read: {e}"),
            }
            drop(store);
            tokio::time::sleep(every).await;
        }
    });
}
