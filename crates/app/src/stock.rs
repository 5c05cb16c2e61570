//! Offline voucher stock. The manager buys pinned vouchers ahead: a Smartcall batch
//! order (its zip file fetched and opened with the order's password, then imported),
//! or AAT vouchers without a number, bought one by one. The PINs are kept sealed. When
//! a provider cannot be reached (or its wallet is empty), the till sells the same kind
//! of voucher from stock: one PIN claimed by one sale, in one transaction.
//!
//! The money rules hold for orders as for sales: the order row with its own client
//! reference is on disk before the order leaves; an order whose answer was lost is in
//! doubt and is found by its reference (Smartcall's transaction enquiry, AAT's
//! GetTransactionInfo), never ordered again.

use crate::views::{ProductKind, ProviderId, SaleRequest, SaleView, StockLevelView, StockOrderRequest, StockOrderView};
use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::{ClientReference, Currency, Money, Msisdn, StockOrderState};
use airtill_engine::aat::AatProvider;
use airtill_providers::aat::{AatCode, AatError, RechargeKind, RechargeRequest};
use airtill_providers::smartcall::{self, ErrorCode, VoucherOrderRequest};
use airtill_providers::ErrorClass;
use airtill_store::{NewStockOrder, NewStockVoucher, SaleDetails, StockOrder, StockWant, Store};
use std::sync::{Arc, Mutex};

/// At most this many vouchers in one Smartcall order (the sandbox's and the
/// convention's limit), and in one AAT purchase (one call each).
const MAX_SMARTCALL_ORDER: i64 = 1000;
const MAX_AAT_ORDER: i64 = 50;
/// The network as stock matches it across providers (`MTN`, `VODACOM`, `CELLC`...).
pub(crate) fn network_key(name: &str) -> String {
    crate::reconcile::network_key(name)
}

fn order_state_text(o: &StockOrder) -> String {
    let p = crate::sell::provider_label(&o.provider);
    match o.state {
        StockOrderState::Sending => format!("Ordering from {p}..."),
        StockOrderState::InDoubt => format!("{p} did not answer. The order may have gone through: do not order again. Check it (Airtill asks {p} by its reference)."),
        StockOrderState::Ordered if o.provider == "aat" => format!("{} of {} bought so far. Finish it to buy the rest.", o.received, o.quantity),
        StockOrderState::Ordered => format!("{p} took the order; the vouchers are not here yet. Fetch them."),
        StockOrderState::Received if o.received == o.quantity => format!("{} vouchers in stock.", o.received),
        StockOrderState::Received => format!("{} of {} vouchers bought; the rest were refused.", o.received, o.quantity),
        _ => "Not bought. Nothing was taken from the wallet.".into(),
    }
}

pub(crate) fn order_view(o: &StockOrder) -> StockOrderView {
    let currency = currency_of(&o.currency);
    StockOrderView {
        id: o.id,
        provider: ProviderId::stored(&o.provider),
        provider_label: crate::sell::provider_label(&o.provider).into(),
        network_name: o.network_name.clone(),
        product_name: o.product_name.clone(),
        amount: Money::new(o.amount_minor, currency),
        quantity: o.quantity,
        received: o.received,
        total: Money::new(o.amount_minor * o.received, currency),
        state: o.state,
        state_text: order_state_text(o),
        open: o.state.is_open(),
        provider_ref: o.provider_ref.clone(),
        client_ref: o.client_ref.clone(),
        message: o.message.clone(),
        ordered_by: o.user_name.clone(),
        created_at: time::local_minutes(o.created_ms),
        training: o.training,
    }
}

fn currency_of(code: &str) -> Currency {
    match code {
        "GBP" => Currency::GBP,
        "LKR" => Currency::LKR,
        _ => Currency::ZAR,
    }
}

/// A Smartcall expiry date as the last moment of that day at the shop.
fn end_of_sast_day(d: chrono::NaiveDate) -> i64 {
    crate::time::day_end(d)
}

/// Buys and finishes stock orders; owns only what it needs, so it also runs in the
/// background after a restart.
#[derive(Clone)]
pub(crate) struct StockBuyer {
    pub(crate) store: Arc<Mutex<Store>>,
    pub(crate) smartcall: Arc<smartcall::Client>,
    pub(crate) aat: Option<Arc<AatProvider>>,
    /// One order driven at a time (the manager's Check and the background pass never
    /// send the same order or voucher line twice at once).
    pub(crate) driving: Arc<tokio::sync::Mutex<()>>,
    pub(crate) clock: Arc<dyn airtill_domain::Clock>,
    /// How long "no such order" from the provider is not believed: the engine's one
    /// grace rule for every money movement.
    pub(crate) not_found_grace_ms: i64,
}

impl StockBuyer {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, id: i64, state: StockOrderState, provider_ref: Option<&str>, message: Option<&str>) -> Result<StockOrder> {
        Ok(self.store().set_stock_order_state(id, state, provider_ref, message, self.now_ms())?)
    }

    /// Takes an order as far as it can go now: sends it (when it was never answered,
    /// by asking first), fetches and imports the vouchers. Never sends an order twice.
    pub(crate) async fn drive(&self, id: i64) -> Result<StockOrder> {
        let _one_at_a_time = self.driving.lock().await;
        let o = self.store().stock_order(id)?;
        match (o.provider.as_str(), o.state) {
            (_, StockOrderState::Received | StockOrderState::Failed) => Ok(o),
            ("smartcall", _) => self.drive_smartcall(o).await,
            ("aat", _) => self.drive_aat(o).await,
            (p, _) => Err(AppError::Io(format!("stock order {id} is from an unknown provider {p}"))),
        }
    }

    async fn drive_smartcall(&self, o: StockOrder) -> Result<StockOrder> {
        let c = &self.smartcall;
        let order = match (o.state, o.provider_ref.as_deref().and_then(|r| r.parse::<i64>().ok())) {
            // Fresh: it has never been sent (`attempted` is set just before sending).
            (StockOrderState::Sending, None) if o.attempted == 0 => {
                self.store().set_stock_attempted(o.id, 1, self.now_ms())?;
                let req = VoucherOrderRequest { smartload_id: c.config().smartload_id.clone(), client_reference: o.client_ref.clone(), product_id: o.product_id, quantity: o.quantity };
                match c.order_vouchers(&req).await {
                    Ok(order) => {
                        self.set(o.id, StockOrderState::Ordered, Some(&order.order_id.to_string()), None)?;
                        order
                    }
                    Err(e) if e.class_for_sale() == ErrorClass::InDoubt => {
                        tracing::warn!(order = o.id, "voucher order not answered: {e}");
                        return self.set(o.id, StockOrderState::InDoubt, None, Some(&e.cashier_message()));
                    }
                    Err(e) => return self.set(o.id, StockOrderState::Failed, None, Some(&e.cashier_message())),
                }
            }
            // Sent, answer unknown: ask Smartcall by the order's reference.
            (_, None) => {
                match c.transaction(&o.client_ref).await {
                    Ok(t) => {
                        let Some(order_id) = t.reference.as_deref().and_then(|r| r.trim().parse::<i64>().ok()) else {
                            return self.set(o.id, StockOrderState::InDoubt, None, Some("Smartcall knows the order but gave no order number yet. Check again."));
                        };
                        self.set(o.id, StockOrderState::Ordered, Some(&order_id.to_string()), None)?;
                        // The first password was lost with the answer: a new file, a new password.
                        match c.recreate_order_file(order_id).await {
                            Ok(order) => order,
                            Err(e) => return self.set(o.id, StockOrderState::Ordered, None, Some(&e.cashier_message())),
                        }
                    }
                    Err(e) if matches!(e.code(), Some(ErrorCode::ClientReferenceUnknown | ErrorCode::RechargeUnknown)) => {
                        if self.now_ms() - o.created_ms >= self.not_found_grace_ms {
                            return self.set(o.id, StockOrderState::Failed, None, Some("Smartcall never received this order. Nothing was bought."));
                        }
                        return self.set(o.id, StockOrderState::InDoubt, None, Some("Smartcall does not know the order yet. Check again in two minutes."));
                    }
                    Err(e) => return self.set(o.id, StockOrderState::InDoubt, None, Some(&e.cashier_message())),
                }
            }
            // Taken, vouchers still to fetch: a new file with a new password.
            (_, Some(order_id)) => match c.recreate_order_file(order_id).await {
                Ok(order) => order,
                Err(e) => return self.set(o.id, StockOrderState::Ordered, None, Some(&e.cashier_message())),
            },
        };
        let vouchers = match c.order_vouchers_file(&order).await {
            Ok(v) => v,
            Err(e) => return self.set(o.id, StockOrderState::Ordered, None, Some(&e.cashier_message())),
        };
        let wrong = vouchers.iter().find(|v| v.amount != o.amount_minor);
        if let Some(v) = wrong {
            return self.set(
                o.id,
                StockOrderState::Ordered,
                None,
                Some(&format!("The order file holds a voucher of {} where {} was ordered. Ask Smartcall.", Money::zar(v.amount), Money::zar(o.amount_minor))),
            );
        }
        let new: Vec<NewStockVoucher> = vouchers
            .iter()
            .enumerate()
            .map(|(i, v)| NewStockVoucher {
                line: i as i64 + 1,
                serial: v.ticket_number.clone(),
                pin: v.voucher_pin.clone(),
                expiry_ms: Some(end_of_sast_day(v.expiry_date)),
                box_number: Some(v.box_number.clone()).filter(|b| !b.is_empty()),
                batch_number: Some(v.batch_number.clone()).filter(|b| !b.is_empty()),
                provider_ref: None,
            })
            .collect();
        // The vouchers and the order's state: one transaction (the import is also
        // idempotent: a line already here is not added twice).
        let now = self.now_ms();
        let o = self.store().atomically(|s| {
            s.add_stock_vouchers(o.id, &new, now)?;
            s.set_stock_order_state(o.id, StockOrderState::Received, None, None, now)
        })?;
        tracing::info!(order = o.id, vouchers = o.received, "voucher stock received from Smartcall");
        Ok(o)
    }

    /// AAT sells one voucher per call, each with its own reference `<order ref>-<line>`.
    /// A line that may have been sent is asked for first; one that AAT never received
    /// is sent with the same reference (AAT refuses a reference twice).
    async fn drive_aat(&self, o: StockOrder) -> Result<StockOrder> {
        let Some(aat) = self.aat.clone() else {
            return Err(AppError::Configuration("This till has no AAT account.".into()));
        };
        let voucher = match aat.voucher(o.product_id).await {
            Ok(Some(v)) => v,
            Ok(None) => return self.set(o.id, StockOrderState::Failed, None, Some("AAT no longer sells this voucher. Nothing was bought.")),
            Err(e) => return self.set(o.id, if o.received > 0 || o.attempted > 0 { StockOrderState::InDoubt } else { StockOrderState::Failed }, None, Some(&e.cashier_message())),
        };
        let have = self.store().stock_lines(o.id)?;
        let mut refused: Option<String> = None;
        for line in 1..=o.quantity {
            if have.contains(&line) {
                continue;
            }
            let cref = format!("{}-{line}", o.client_ref);
            let maybe_sent = line <= self.store().stock_order(o.id)?.attempted;
            if maybe_sent {
                match aat.client().transaction(&cref).await {
                    Ok(t) if t.voucher_pin.as_deref().is_some_and(|p| !p.trim().is_empty()) => {
                        let v = NewStockVoucher {
                            line,
                            serial: t.ticket_number.clone().unwrap_or_else(|| cref.clone()),
                            pin: t.voucher_pin.clone().unwrap_or_default(),
                            expiry_ms: t.expiry_ms,
                            box_number: t.box_number.clone(),
                            batch_number: t.batch_number.clone(),
                            provider_ref: t.order_ref.clone(),
                        };
                        self.store().add_stock_vouchers(o.id, &[v], self.now_ms())?;
                        continue;
                    }
                    Ok(_) => return self.set(o.id, StockOrderState::InDoubt, None, Some("AAT has the voucher but sent no PIN yet. Check again.")),
                    Err(AatError::Refused { code: AatCode::NoTransaction, .. }) => {} // never arrived: send it
                    Err(e) => return self.set(o.id, StockOrderState::InDoubt, None, Some(&e.cashier_message())),
                }
            }
            let req = RechargeRequest::new(RechargeKind::PinnedWithoutMsisdn, &voucher, o.amount_minor, None, &cref).map_err(|e| AppError::BadInput(e.cashier_message()))?;
            self.store().set_stock_attempted(o.id, line, self.now_ms())?;
            match aat.client().recharge(&req).await {
                Ok(info) if info.voucher_pin.as_deref().is_some_and(|p| !p.trim().is_empty()) => {
                    let v = NewStockVoucher {
                        line,
                        serial: info.ticket_number.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| cref.clone()),
                        pin: info.voucher_pin.clone().unwrap_or_default(),
                        expiry_ms: None,
                        box_number: info.box_number.clone(),
                        batch_number: info.batch_number.clone(),
                        provider_ref: info.order_ref.clone(),
                    };
                    self.store().add_stock_vouchers(o.id, &[v], self.now_ms())?;
                    if line == 1 {
                        self.set(o.id, StockOrderState::Ordered, info.order_ref.as_deref(), None)?;
                    }
                }
                Ok(_) => return self.set(o.id, StockOrderState::InDoubt, None, Some("AAT sold a voucher but sent no PIN. Check the order to ask for it.")),
                Err(e) if e.class_for_sale() == ErrorClass::InDoubt => return self.set(o.id, StockOrderState::InDoubt, None, Some(&e.cashier_message())),
                Err(e) => {
                    refused = Some(e.cashier_message());
                    break;
                }
            }
        }
        let got = self.store().stock_order(o.id)?.received;
        let o = match (got, refused) {
            (0, Some(why)) => self.set(o.id, StockOrderState::Failed, None, Some(&why))?,
            (_, why) => self.set(o.id, StockOrderState::Received, None, why.as_deref())?,
        };
        tracing::info!(order = o.id, vouchers = o.received, "voucher stock received from AAT");
        Ok(o)
    }
}

/// Finishes the orders left open (in doubt, or accepted with vouchers to fetch) now
/// and then, also after a restart, until each is received or failed.
/// Voucher stock orders, driven by the engine's one resolver (also after a restart).
#[async_trait::async_trait]
impl airtill_engine::Movements for StockBuyer {
    fn name(&self) -> &str {
        "stock order"
    }

    fn open(&self) -> std::result::Result<Vec<i64>, String> {
        self.store().open_stock_orders().map(|o| o.iter().map(|o| o.id).collect()).map_err(|e| e.to_string())
    }

    async fn drive(&self, id: i64) -> std::result::Result<bool, String> {
        self.drive(id).await.map(|o| o.state.is_final()).map_err(|e| e.to_string())
    }
}

impl Airtill {
    pub(crate) fn stock_buyer(&self) -> StockBuyer {
        StockBuyer {
            store: self.store.clone(),
            smartcall: self.smartcall.clone(),
            aat: self.aat.clone(),
            driving: self.stock_driving.clone(),
            clock: self.clock.clone(),
            not_found_grace_ms: self.engine.config().not_found_grace_ms,
        }
    }

    /// Buys pinned vouchers into stock (manager): the product is chosen from the till's
    /// catalog; `provider` is `smartcall` (one batch order) or `aat` (one by one). The
    /// same request id returns the same order, never a second one.
    pub async fn buy_stock(&self, session: &Session, req: &StockOrderRequest) -> Result<StockOrderView> {
        session.require_manager()?;
        crate::sell::check_request_id(&req.request_id)?;
        let seen = self.store().stock_order_by_request(&req.request_id)?;
        if let Some(o) = seen {
            return Ok(order_view(&o));
        }
        let provider = req.provider.as_str().to_string();
        let max = match req.provider {
            ProviderId::Smartcall => MAX_SMARTCALL_ORDER,
            ProviderId::Aat if self.aat.is_some() => MAX_AAT_ORDER,
            ProviderId::Aat => return Err(AppError::Configuration("This till has no AAT account to buy vouchers from.".into())),
            other => return Err(AppError::BadInput(format!("Vouchers are bought from Smartcall or AAT, not from {}.", crate::sell::provider_label(other.as_str())))),
        };
        if req.quantity < 1 || req.quantity > max {
            return Err(AppError::BadInput(format!("Buy from 1 to {max} vouchers at a time from {}.", crate::sell::provider_label(&provider))));
        }
        let catalog = self.load_catalog(false).await?;
        let found = catalog.find(req.product_id)?;
        let product = found.product;
        let kind = crate::catalog::kind_of(found.product_type, product);
        if !product.pin_indicator || matches!(kind, ProductKind::Electricity | ProductKind::Other) || found.network.description.trim() == "EasyPay" {
            return Err(AppError::BadInput(format!("{} is not a voucher with a PIN: only PIN vouchers can be kept in stock.", product.name.trim())));
        }
        if product.is_any_amount() {
            return Err(AppError::BadInput(format!("{} has no fixed value: stock is bought as vouchers of one value.", product.name.trim())));
        }
        let amount = product.retail_value;
        let product_id = match provider.as_str() {
            "smartcall" => product.id,
            _ => self
                .product_at("aat", &found, kind, amount)
                .await
                .ok_or_else(|| AppError::BadInput(format!("AAT sells no {} {} voucher of {}.", found.network.description.trim(), kind.as_str(), Money::zar(amount))))?,
        };
        let network_name = found.network.description.trim().to_string();
        let new = NewStockOrder {
            request_id: req.request_id.clone(),
            client_ref: ClientReference::new().to_string(),
            provider: provider.clone(),
            product_id,
            network_key: network_key(&network_name),
            network_name,
            product_name: product.name.trim().to_string(),
            product_kind: kind.as_str().into(),
            amount_minor: amount,
            currency: "ZAR".into(),
            quantity: req.quantity,
            user_id: session.user_id,
        };
        // On disk before the order leaves.
        let (order, _) = self.store().create_stock_order(&new, self.now_ms())?;
        self.audit("stock_order", Some(session.user_id), &format!("{} x {} from {} (order {})", order.quantity, order.product_name, order.provider, order.id))?;
        let order = self.stock_buyer().drive(order.id).await?;
        Ok(order_view(&order))
    }

    /// Checks an order left open and takes it as far as it goes (manager).
    pub async fn finish_stock_order(&self, session: &Session, order_id: i64) -> Result<StockOrderView> {
        session.require_manager()?;
        let exists = self.store().stock_order(order_id).is_ok();
        if !exists {
            return Err(AppError::BadInput(format!("There is no stock order {order_id}.")));
        }
        Ok(order_view(&self.stock_buyer().drive(order_id).await?))
    }

    /// The stock orders, latest first (manager).
    pub fn stock_orders(&self, session: &Session) -> Result<Vec<StockOrderView>> {
        session.require_manager()?;
        Ok(self.store().stock_orders(200)?.iter().map(order_view).collect())
    }

    /// Vouchers on hand per network, kind and value (anyone selling).
    pub fn stock_levels(&self, session: &Session) -> Result<Vec<StockLevelView>> {
        session.require_seller()?;
        let now = self.now_ms();
        let low = self.stock_low_level()?;
        Ok(self
            .store()
            .stock_levels(now)?
            .into_iter()
            .map(|l| StockLevelView {
                network_name: l.network_name,
                kind: ProductKind::from_key(&l.product_kind),
                amount: Money::new(l.amount_minor, currency_of(&l.currency)),
                available: l.available,
                sold: l.sold,
                expired: l.expired,
                next_expiry: l.next_expiry_ms.map(time::local_date),
                low: l.available <= low,
            })
            .collect())
    }

    /// At or below this many vouchers of a kind, its stock level shows as low.
    fn stock_low_level(&self) -> Result<i64> {
        Ok(self.store().setting("stock_low_level")?.and_then(|v| v.parse().ok()).unwrap_or(5))
    }

    /// What a stock sale of this catalog product takes.
    async fn stock_want(&self, product_id: i64) -> Result<(StockWant, SaleDetails)> {
        let catalog = self.load_catalog(false).await?;
        let found = catalog.find(product_id)?;
        let product = found.product;
        let kind = crate::catalog::kind_of(found.product_type, product);
        if !product.pin_indicator || product.is_any_amount() || matches!(kind, ProductKind::Electricity | ProductKind::Other) {
            return Err(AppError::BadInput(format!("{} is not sold from stock: only PIN vouchers of one value are.", product.name.trim())));
        }
        let network_name = found.network.description.trim().to_string();
        let want = StockWant { network_key: network_key(&network_name), product_kind: kind.as_str().into(), amount_minor: product.retail_value, currency: "ZAR".into() };
        let details = SaleDetails {
            request_id: String::new(),
            client_ref: String::new(),
            user_id: 0,
            provider: "stock".into(),
            network_name,
            product_id: product.id,
            product_name: product.name.trim().to_string(),
            product_kind: kind.as_str().into(),
            pinned: true,
            recipient: String::new(),
            amount_minor: product.retail_value,
            currency: Currency::ZAR,
            discount_e4: None,
        };
        Ok((want, details))
    }

    /// How many vouchers of this product's kind are in stock now (0 for a product
    /// that is never sold from stock).
    pub async fn stock_for_product(&self, session: &Session, product_id: i64) -> Result<i64> {
        session.require_seller()?;
        match self.stock_want(product_id).await {
            Ok((want, _)) => Ok(self.store().stock_available(&want, self.now_ms())?),
            Err(AppError::BadInput(_)) => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Sells a voucher of this product's kind from stock: no provider is asked. The
    /// same request id returns the same sale.
    pub async fn sell_from_stock(&self, session: &Session, req: &SaleRequest) -> Result<SaleView> {
        session.require_seller()?;
        crate::sell::check_request_id(&req.request_id)?;
        let seen = self.store().sale_by_request(&req.request_id)?;
        if let Some(existing) = seen {
            if existing.details.provider != "stock" {
                return Err(AppError::BadInput("This sale was already sent to a provider; start a new sale to sell from stock.".into()));
            }
            return self.shown(session, crate::sell::sale_view(&existing));
        }
        self.require_cash_shift(session)?;
        let (want, mut details) = self.stock_want(req.product_id).await?;
        let typed = req.recipient.trim();
        details.recipient = if typed.is_empty() { String::new() } else { Msisdn::parse(typed)?.as_str().to_string() };
        if let Some(t) = req.amount.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let asked = crate::sell::typed_amount(t, Currency::ZAR)?;
            if asked.minor != want.amount_minor {
                return Err(AppError::BadInput(format!("This voucher costs {}; it cannot be sold for {}.", Money::zar(want.amount_minor), asked)));
            }
        }
        details.request_id = req.request_id.clone();
        details.client_ref = ClientReference::new().to_string();
        details.user_id = session.user_id;
        let sold = self.store().sell_from_stock(&details, &want, self.now_ms()).map_err(|e| match e {
            airtill_store::StoreError::DayClosed => AppError::DayClosed,
            other => other.into(),
        })?;
        let Some((sale, _)) = sold else {
            return Err(AppError::BadInput(format!("There is no {} {} voucher of {} left in stock. Nothing was sold.", details.network_name, details.product_kind, Money::zar(want.amount_minor))));
        };
        tracing::info!(sale = sale.id, "sold from stock");
        self.shown(session, crate::sell::sale_view(&sale))
    }

    /// After a sale that failed because its provider could not be reached, could not
    /// pay, or could not reach the mobile network (nothing sent, nothing taken), how
    /// many of the same vouchers are in stock.
    pub(crate) async fn stock_offer_for(&self, product_id: i64, class: Option<&str>) -> Option<i64> {
        if !matches!(class, Some("transient" | "configuration" | "network_down")) {
            tracing::info!(product_id, class = class.unwrap_or("none"), "no stock offer: the provider refused the sale itself");
            return None;
        }
        let (want, _) = match self.stock_want(product_id).await {
            Ok(w) => w,
            Err(e) => {
                tracing::info!(product_id, "no stock offer: {e}");
                return None;
            }
        };
        match self.store().stock_available(&want, self.now_ms()) {
            Ok(n) if n > 0 => Some(n),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(product_id, "no stock offer: the stock could not be counted: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "stock_tests.rs"]
mod tests;

impl Airtill {
    /// Training only (manager): stops the practice Smartcall (connections refused, as
    /// when the internet or Smartcall is down) or starts it again, to practise selling
    /// from stock.
    pub async fn practice_outage(&self, session: &Session, offline: bool) -> Result<bool> {
        session.require_manager()?;
        let Some(sb) = self._sandbox.as_ref().filter(|_| self.training) else {
            return Err(AppError::BadInput("Outages can be practised in training mode only.".into()));
        };
        sb.set_offline(offline).await.map_err(|e| AppError::Io(format!("the practice Smartcall could not be started again: {e}")))?;
        tracing::info!(offline, user = %session.name, "practice outage");
        Ok(sb.is_offline())
    }

    /// Whether the practice Smartcall is stopped (training), for the screens.
    pub fn practice_outage_on(&self) -> bool {
        self._sandbox.as_ref().is_some_and(|sb| self.training && sb.is_offline())
    }
}
