//! The mobile-balance tender (Ideamart CaaS): the customer pays from their own mobile
//! account. The balance is asked first; the payment is stored before the debit goes
//! out (like a sale); a lost answer leaves it in doubt, resolved by repeating the
//! debit with the same `externalTrxId` (E1379 = it had gone through), never by a new
//! debit. A succeeded payment pays for exactly one sale.

use crate::views::{MobileBalanceView, MobilePaymentRequest, MobilePaymentView, MobileQuoteView};
use crate::{Airtill, AppError, Result, Session};
use airtill_domain::{Currency, Money, PaymentState};
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

/// The manager's rate for the mobile-balance tender: ten-thousandths of a rupee per
/// rand (18.2350 is 182 350).
const RATE_SETTING: &str = "ideamart_lkr_per_zar_e4";

/// `Rs 18.2350 per R1`.
fn rate_text(rate_e4: i64) -> String {
    format!("Rs {} per R1", airtill_domain::money::format_minor(rate_e4, airtill_domain::money::FINE_DIGITS))
}

/// Rand to rupees at `rate_e4`: to the rupee cent, halves up (the one rule for the
/// tender, shown to the customer before anything is taken).
fn to_rupees(zar: Money, rate_e4: i64) -> Money {
    let e = i128::from(zar.minor) * i128::from(rate_e4);
    Money::new(((e + 5_000) / 10_000) as i64, ideamart::CURRENCY)
}

pub(crate) fn payment_view(p: &MobilePayment) -> MobilePaymentView {
    let state_text = match (p.state, p.sale_id) {
        (PaymentState::Succeeded, None) => "Paid from the customer's mobile balance. Sell with this payment.",
        (PaymentState::Succeeded, Some(_)) => "Paid, and used for a sale.",
        (PaymentState::Failed, _) => "Not paid. Nothing was taken from the customer.",
        _ => "Not confirmed yet. It may have been taken: do not take it again. Airtill is checking.",
    };
    MobilePaymentView {
        id: p.id,
        state: p.state,
        state_text: state_text.into(),
        subscriber: p.subscriber.clone(),
        amount: Money::new(p.amount_minor, currency_of(&p.currency)),
        covers: Money::new(p.covers_minor, currency_of(&p.covers_currency)),
        rate_text: p.rate_e4.map(rate_text),
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

    /// The rupees-per-rand rate the manager set for the mobile-balance tender.
    pub fn mobile_rate(&self) -> Result<Option<i64>> {
        Ok(self.store().setting(RATE_SETTING)?.and_then(|v| v.parse::<i64>().ok()).filter(|r| *r > 0))
    }

    /// Sets the rate (rupees for one rand, up to four decimals: `18.235`), or clears
    /// it (`None`: the tender is not offered). Manager.
    pub fn set_mobile_rate(&self, session: &Session, rate: Option<&str>) -> Result<Option<String>> {
        session.require_manager()?;
        let rate_e4 = match rate.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(text) => {
                let bad = || AppError::BadInput(format!("'{text}' is not a rate. Write the rupees one rand buys, like 18.235."));
                if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    return Err(bad());
                }
                let r = airtill_domain::money::parse_decimal(text, airtill_domain::money::FINE_DIGITS).map_err(|_| bad())?;
                if !(1..=10_000_000_000).contains(&r) {
                    return Err(bad());
                }
                Some(r)
            }
        };
        self.store().set_setting(RATE_SETTING, &rate_e4.unwrap_or(0).to_string())?;
        self.audit("settings", Some(session.user_id), &format!("mobile-balance rate {}", rate_e4.map_or("cleared".into(), rate_text)))?;
        Ok(rate_e4.map(rate_text))
    }

    /// What a payment for a sale of `amount` rand will take from the customer, in
    /// rupees at the manager's rate: shown to the customer before the debit.
    pub fn mobile_quote(&self, session: &Session, amount: &str) -> Result<MobileQuoteView> {
        session.require_seller()?;
        self.ideamart()?;
        let covers = crate::sell::typed_amount(amount, Currency::ZAR)?;
        if covers.minor <= 0 || covers.minor > 10_000_000 {
            return Err(AppError::BadInput("A mobile payment is more than nothing and at most R100,000.".into()));
        }
        let rate = self
            .mobile_rate()?
            .ok_or_else(|| AppError::BadInput("Ideamart charges in Sri Lankan rupees only, and no rupee rate is set. Ask the manager to set it in Settings; nothing was taken.".into()))?;
        Ok(MobileQuoteView { covers, charge: to_rupees(covers, rate), rate_text: rate_text(rate) })
    }

    /// The customer's chargeable mobile balance, in rupees.
    pub async fn mobile_balance(&self, session: &Session, subscriber: &str) -> Result<MobileBalanceView> {
        session.require_seller()?;
        let b = self.ideamart()?.balance(subscriber).await.map_err(read_error)?;
        Ok(MobileBalanceView { chargeable: Money::new(b.chargeable, b.currency), account_status: b.account_status, account_type: b.account_type })
    }

    /// Takes a payment for a sale of `req.amount` rand from the customer's mobile
    /// balance, in rupees at the manager's rate (the balance is asked first). The same
    /// request id returns the same payment, never a second debit.
    pub async fn take_mobile_payment(&self, session: &Session, req: &MobilePaymentRequest) -> Result<MobilePaymentView> {
        session.require_seller()?;
        crate::sell::check_request_id(&req.request_id)?;
        let seen = self.store().mobile_payment_by_request(&req.request_id)?;
        if let Some(p) = seen {
            return Ok(payment_view(&p));
        }
        let client = self.ideamart()?;
        let subscriber = ideamart::subscriber_number(&req.subscriber).map_err(read_error)?;
        let quote = self.mobile_quote(session, &req.amount)?;
        let rate = self.mobile_rate()?.ok_or_else(|| AppError::BadInput("No rupee rate is set.".into()))?;
        let balance = client.balance(&subscriber).await.map_err(read_error)?;
        if balance.chargeable < quote.charge.minor {
            return Err(AppError::BadInput(format!(
                "The customer's mobile balance is {}: too little for {} ({} at {}). Nothing was taken. Take another payment.",
                Money::new(balance.chargeable, balance.currency),
                quote.charge,
                quote.covers,
                quote.rate_text
            )));
        }
        let trx = uuid::Uuid::new_v4().simple().to_string();
        let new = airtill_store::NewMobilePayment {
            request_id: &req.request_id,
            external_trx_id: &trx,
            subscriber: &subscriber,
            amount_minor: quote.charge.minor,
            currency: quote.charge.currency.code(),
            covers_minor: quote.covers.minor,
            covers_currency: quote.covers.currency.code(),
            rate_e4: Some(rate),
            user_id: session.user_id,
        };
        let (p, created) = self.store().create_mobile_payment(&new, self.now_ms())?;
        if !created {
            return Ok(payment_view(&p));
        }
        let p = debit_and_record(&self.store, &client, p, self.clock.as_ref()).await?;
        self.audit("mobile_payment", Some(session.user_id), &format!("payment {} of {} for {} from {}: {}", p.id, quote.charge, quote.covers, p.subscriber, p.state))?;
        Ok(payment_view(&p))
    }

    /// Asks again about a payment not yet confirmed (repeating the same debit).
    pub async fn check_mobile_payment(&self, session: &Session, id: i64) -> Result<MobilePaymentView> {
        session.require_seller()?;
        let p = self.store().mobile_payment(id).map_err(|_| AppError::BadInput(format!("There is no mobile payment {id}.")))?;
        if !p.state.is_open() {
            return Ok(payment_view(&p));
        }
        let client = self.ideamart()?;
        let p = debit_and_record(&self.store, &client, p, self.clock.as_ref()).await?;
        Ok(payment_view(&p))
    }
}

/// Sends (or repeats, with the same `externalTrxId`) a payment's debit and records
/// the answer.
async fn debit_and_record(store: &Mutex<Store>, client: &ideamart::Client, p: MobilePayment, clock: &dyn airtill_domain::Clock) -> Result<MobilePayment> {
    if currency_of(&p.currency) != ideamart::CURRENCY {
        // Made by an older Airtill in another currency: Ideamart takes rupees only.
        return Err(AppError::BadInput(format!("Mobile payment {} is not in rupees; Ideamart charges rupees only. Nothing was sent.", p.id)));
    }
    let req = DebitRequest { external_trx_id: p.external_trx_id.clone(), subscriber: p.subscriber.clone(), amount: p.amount_minor };
    let answer = client.debit(&req).await;
    let now = clock.now_ms();
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    let from = p.state;
    let row = match answer {
        Ok(d) => store.settle_mobile_payment(p.id, from, PaymentState::Succeeded, d.internal_trx_id.as_deref(), d.reference_id.as_deref(), None, now)?,
        Err(e) if e.class_for_sale() == ErrorClass::InDoubt => {
            if from == PaymentState::InDoubt {
                p
            } else {
                store.settle_mobile_payment(p.id, from, PaymentState::InDoubt, None, None, Some(&e.cashier_message()), now)?
            }
        }
        Err(e) => store.settle_mobile_payment(p.id, from, PaymentState::Failed, None, None, Some(&e.cashier_message()), now)?,
    };
    Ok(row)
}

/// Payments whose answer is unknown (also after a crash), driven by the engine's one
/// resolver: each has its debit repeated with the same id until it has an answer.
pub(crate) struct PaymentMovements {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) client: Arc<ideamart::Client>,
    pub(crate) clock: Arc<dyn airtill_domain::Clock>,
}

#[async_trait::async_trait]
impl airtill_engine::Movements for PaymentMovements {
    fn name(&self) -> &str {
        "mobile payment"
    }

    fn open(&self) -> std::result::Result<Vec<i64>, String> {
        let store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        store.open_mobile_payments().map(|p| p.iter().map(|p| p.id).collect()).map_err(|e| e.to_string())
    }

    async fn drive(&self, id: i64) -> std::result::Result<bool, String> {
        let p = self.store.lock().unwrap_or_else(|e| e.into_inner()).mobile_payment(id).map_err(|e| e.to_string())?;
        if !p.state.is_open() {
            return Ok(true);
        }
        debit_and_record(&self.store, &self.client, p, self.clock.as_ref()).await.map(|p| !p.state.is_open()).map_err(|e| e.to_string())
    }
}
