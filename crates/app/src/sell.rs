//! Selling. The money rules, in order:
//! 1. the sale row with its own client reference is committed before any byte goes
//!    to the provider;
//! 2. a timeout or broken connection after sending leaves the sale `in_doubt`, never
//!    `failed`: it is resolved by a query with the same reference, never by selling
//!    again;
//! 3. the outcome (Smartload reference, PIN) is committed before the UI is told.

use crate::catalog::kind_of;
use crate::views::{ProductKind, SaleRequest, SaleView, UkCreditRequest};
use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::voucher::group_pin;
use airtill_domain::{ClientReference, Currency, Money, Msisdn, Network, SaleState};
use airtill_engine::SaleOrder;
use airtill_store::{SaleDetails, SaleRow};

pub(crate) fn check_request_id(id: &str) -> Result<()> {
    let ok = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(AppError::BadInput("The sale request is not valid. Start the sale again.".into()))
    }
}

/// The amount to charge: the product's price, or the amount typed within its range.
/// An amount a person typed at the till, in `currency`: digits and at most one
/// point or comma with the cents (`12`, `12.50`, `12,50`), nothing else; refused in
/// words, a long input by its length and never echoed.
pub(crate) fn typed_amount(text: &str, currency: Currency) -> Result<Money> {
    use airtill_domain::money::TypedAmountError as E;
    let unit = match currency {
        Currency::ZAR => "rand",
        Currency::GBP => "pounds",
        Currency::LKR => "rupees",
    };
    Money::parse_typed(text, currency).map_err(|e| {
        AppError::BadInput(match e {
            E::Empty => format!("Type the amount in {unit}."),
            E::TooLong(n) => format!("That is {n} characters: an amount is at most {} (like 50 or 12.50).", airtill_domain::money::MAX_TYPED_AMOUNT),
            E::NotAnAmount(t) => format!("'{t}' is not an amount in {unit}: type digits, and the cents after a point or a comma, like 50 or 12,50."),
            E::TooManyDecimals(t) => format!("'{t}' has more than two decimals: type the cents, like 12.50."),
        })
    })
}

fn amount_for(fixed: Option<i64>, min: i64, max: i64, typed: Option<&str>) -> Result<i64> {
    if let Some(price) = fixed {
        if let Some(t) = typed.map(str::trim).filter(|t| !t.is_empty()) {
            let asked = typed_amount(t, Currency::ZAR)?;
            if asked.minor != price {
                return Err(AppError::BadInput(format!("This product costs {}; it cannot be sold for {}.", Money::zar(price), asked)));
            }
        }
        return Ok(price);
    }
    let t = typed.map(str::trim).unwrap_or("");
    if t.is_empty() {
        return Err(AppError::BadInput(format!("Type the amount, from {} to {}.", Money::zar(min), Money::zar(max))));
    }
    let m = typed_amount(t, Currency::ZAR)?;
    if !m.is_whole() {
        return Err(AppError::BadInput("This product is sold in whole rand only (no cents).".into()));
    }
    if m.minor < min || m.minor > max {
        return Err(AppError::BadInput(format!("The amount must be from {} to {}; {} is outside that.", Money::zar(min), Money::zar(max), m)));
    }
    Ok(m.minor)
}

/// What a provider's own reference is called on slips and screens.
pub fn provider_ref_title(provider: &str) -> &'static str {
    match provider {
        "aat" => "AAT order ref",
        "mx" => "MX credit id",
        "stock" => "Bought from",
        _ => "Smartload ref",
    }
}

/// A provider's name as people say it.
pub(crate) fn provider_label(provider: &str) -> &'static str {
    crate::ProviderId::stored(provider).label()
}

pub(crate) fn state_text(state: SaleState, pinned: bool, provider: &str, kind: &str) -> String {
    let p = provider_label(provider);
    match state {
        SaleState::Created | SaleState::Submitting => format!("Sending to {p}..."),
        SaleState::Succeeded if kind == "payment" => "Paid. Give the customer the slip with the receipt number.".into(),
        SaleState::Succeeded if kind == "electricity" => "Sold. Give the customer the token (on the slip).".into(),
        SaleState::Succeeded if provider == "stock" => "Sold from stock. Give the customer the PIN.".into(),
        SaleState::Succeeded if pinned => "Sold. Give the customer the PIN.".into(),
        SaleState::Succeeded => "Sold. The number has been recharged.".into(),
        SaleState::Failed => "Not sold. No money was taken from the wallet.".into(),
        SaleState::Pending if provider == "mx" => "Accepted by MX Telecom; waiting for its confirmation. Do not sell it again: Airtill will show the result.".into(),
        SaleState::Pending => format!("Accepted by {p} and waiting for the network. Do not sell it again: Airtill will show the result."),
        SaleState::InDoubt => format!("Not confirmed. It may have gone through, so do not sell it again. Airtill will check with {p}."),
        SaleState::Cancelled => "Cancelled. Nothing was sold.".into(),
        SaleState::Reversed => "Reversed by the provider.".into(),
    }
}

/// What really happened to the money of a sale that failed after the provider took
/// it: Smartcall keeps a failed pinless recharge's cost until its next refund run; AAT
/// gives it back when the network refuses. `None` for every other sale.
fn failure_text(row: &SaleRow) -> Option<String> {
    if row.state != SaleState::Failed || row.outcome.provider_ref.is_none() {
        return None;
    }
    if let Some(due) = crate::office::refund_due_ms(row) {
        let cost = row.outcome.cost_e4.or_else(|| row.details.expected_cost_e4()).unwrap_or(row.details.amount_minor * 100);
        let cost = airtill_domain::Money4::new(cost, row.details.currency).round_to_cents();
        let when = airtill_providers::smartcall::books::refund_time_text(due);
        return Some(format!("Not sold. Smartcall took {cost} from the wallet and refunds it at {when}. The customer paid nothing: give back any cash taken."));
    }
    (row.details.provider == "aat").then(|| "Not sold. AAT gave back what it took from the account when the network refused it.".to_string())
}

pub(crate) fn sale_view(row: &SaleRow) -> SaleView {
    let d = &row.details;
    let o = &row.outcome;
    let network = Network::from_provider_name(&d.network_name);
    let kind = ProductKind::from_key(&d.product_kind);
    let recipient = if d.product_kind == "payment" {
        // `<accountType>:<account>`: the account is what people read.
        d.recipient.split_once(':').map(|(_, a)| a.to_string()).unwrap_or_else(|| d.recipient.clone())
    } else {
        Msisdn::parse(&d.recipient).map(|m| m.display_local()).unwrap_or_else(|_| d.recipient.clone())
    };
    let pin = o.voucher_pin.as_deref().filter(|p| !p.is_empty());
    let amount = Money::new(d.amount_minor, d.currency);
    SaleView {
        provider: crate::ProviderId::stored(&d.provider),
        id: row.id,
        receipt_no: row.receipt_no,
        state: row.state,
        state_text: failure_text(row).unwrap_or_else(|| state_text(row.state, d.pinned, &d.provider, &d.product_kind)),
        created_at: time::local_minutes(row.created_ms),
        network_name: d.network_name.clone(),
        network,
        product_name: d.product_name.clone(),
        kind,
        recipient,
        amount,
        amount_text: amount.to_string(),
        voucher_pin: pin.map(group_pin),
        additional_pin: o.additional_pin.as_deref().filter(|p| !p.is_empty()).map(group_pin),
        pin_hidden: false,
        dial_string: pin.and_then(|p| network.filter(|_| kind != ProductKind::Electricity).map(|n| n.dial_string(p))),
        ticket_number: o.ticket_number.clone(),
        expiry: o.expiry_ms.map(time::local_date),
        provider_ref: o.provider_ref.clone(),
        client_ref: d.client_ref.clone(),
        cashier: row.user_name.clone(),
        error: o.error_message.clone(),
        training: row.training,
        stock_offer: None,
        reprint: crate::counter::Reprint::Free,
        created_ms: row.created_ms,
        holds_pin: d.pinned && row.state == SaleState::Succeeded,
    }
}

impl Airtill {
    /// Sells one product. Returns the sale in whatever state the provider left it;
    /// errors only for requests that were refused before anything was written.
    pub async fn sell(&self, session: &Session, req: &SaleRequest) -> Result<SaleView> {
        self.sell_with(session, req, None).await
    }

    /// Sells one product paid from the customer's mobile balance: `payment_id` is a
    /// succeeded payment of the same amount not used by another sale. If nothing is
    /// sold, the payment stays free for another try (or to give the money back).
    pub async fn sell_paid_by_mobile(&self, session: &Session, req: &SaleRequest, payment_id: i64) -> Result<SaleView> {
        self.sell_with(session, req, Some(payment_id)).await
    }

    async fn sell_with(&self, session: &Session, req: &SaleRequest, payment: Option<i64>) -> Result<SaleView> {
        session.require_seller()?;
        check_request_id(&req.request_id)?;
        // A request seen before is answered from the ledger, never sent again.
        let seen = self.store().sale_by_request(&req.request_id)?;
        if let Some(existing) = seen {
            return self.shown(session, sale_view(&existing));
        }
        if payment.is_none() {
            self.require_cash_shift(session)?;
        }
        let catalog = self.load_catalog(false).await?;
        let found = catalog.find(req.product_id)?;
        let product = found.product;
        let kind = kind_of(found.product_type, product);
        if kind == ProductKind::Electricity {
            return Err(AppError::BadInput("Electricity needs a meter number; sell it from the electricity screen.".into()));
        }
        if found.network.description.trim() == "EasyPay" {
            return Err(AppError::BadInput("Bills are paid from the bills screen, with the account looked up first.".into()));
        }
        // A PIN voucher is printed for whoever pays: the number is optional for it.
        let typed = req.recipient.trim();
        let recipient = if typed.is_empty() && product.pin_indicator {
            String::new()
        } else if typed.is_empty() {
            return Err(AppError::BadInput("Type the customer's cell number: this product recharges it directly.".into()));
        } else {
            Msisdn::parse(typed)?.as_str().to_string()
        };
        let fixed = (!product.is_any_amount()).then_some(product.retail_value);
        let amount = amount_for(fixed, product.min_amount, product.max_amount, req.amount.as_deref())?;

        let client_ref = ClientReference::new();
        let network_name = found.network.description.trim().to_string();
        // Routing: the manager's order of providers for this kind of product.
        let route = self.route_for(&crate::route_key(&network_name, product.pin_indicator, kind.as_str()))?;
        // Each provider on the route sells its own product of the same kind and amount.
        let mut chain: Vec<(String, i64)> = Vec::new();
        for p in &route {
            if let Some(id) = self.product_at(p, &found, kind, amount).await {
                chain.push((p.clone(), id));
            }
        }
        let Some(((first, first_product), rest)) = chain.split_first() else {
            return Err(AppError::Configuration(format!("no provider is set to sell {network_name} {}: ask the manager to check the routes", kind.as_str())));
        };
        let details = SaleDetails {
            request_id: req.request_id.clone(),
            client_ref: client_ref.to_string(),
            user_id: session.user_id,
            provider: first.clone(),
            network_name,
            product_id: *first_product,
            product_name: product.name.trim().to_string(),
            product_kind: kind.as_str().into(),
            pinned: product.pin_indicator,
            recipient,
            amount_minor: amount,
            currency: Currency::ZAR,
            discount_e4: product.discount_percentage,
        };
        let fallbacks: Vec<(String, i64)> = rest.to_vec();
        // The engine commits the row before anything is sent, sends it, and commits
        // the outcome before answering; a repeat of the request returns the same sale.
        let override_by = match req.override_pin.as_deref().filter(|p| !p.is_empty()) {
            Some(pin) => Some(self.manager_approval(session, pin)?),
            None => None,
        };
        if let Some(pid) = payment {
            let p = self.store().mobile_payment(pid).map_err(|_| AppError::BadInput(format!("There is no mobile payment {pid}.")))?;
            if p.state != airtill_domain::PaymentState::Succeeded || p.sale_id.is_some() {
                return Err(AppError::BadInput("That mobile payment is not a confirmed payment free to use. Take a new one.".into()));
            }
            if p.covers_minor != amount || p.covers_currency != "ZAR" {
                return Err(AppError::BadInput(format!(
                    "The mobile payment was for {}; this sale is {}. Nothing was sold.",
                    crate::tender::payment_view(&p).covers,
                    airtill_domain::Money::zar(amount)
                )));
            }
        }
        // The payment is claimed in the same transaction as the sale row, and freed in
        // the same one that fails it: a crash never leaves it held with the sale as cash.
        let sale = self.engine.sell(SaleOrder { details, fallbacks, override_by, paid_by: payment }).await?;
        if let Some(manager) = override_by {
            self.audit("override", Some(manager), &format!("repeat sale receipt {:06} to {} while another was unresolved", sale.receipt_no, sale.details.recipient))?;
        }
        let mut view = sale_view(&sale);
        if sale.state == SaleState::Failed {
            view.stock_offer = self.stock_offer_for(req.product_id, sale.outcome.error_class.as_deref()).await;
        }
        self.shown(session, view)
    }

    /// Checks a meter with Smartcall before selling (a prevend): is it a meter this
    /// product can sell to?
    pub async fn check_meter(&self, session: &Session, product_id: i64, meter: &str, amount: &str) -> Result<crate::MeterCheckView> {
        session.require_seller()?;
        let (product, meter, amount, network) = self.electricity_order(product_id, meter, amount).await?;
        let req = airtill_providers::smartcall::RechargeRequest {
            smartload_id: self.smartcall.config().smartload_id.clone(),
            client_reference: ClientReference::new().to_string(),
            sms_recipient_msisdn: self.smartcall.config().smartload_id.clone(),
            device_id: meter.clone(),
            product_id: product.id,
            amount,
            pinless: false,
            send_sms: false,
            sms_provider_identifier: None,
        };
        let kind = airtill_providers::smartcall::PrevendKind::for_product(&network, &product).map_err(AppError::BadInput)?;
        let answer = self.smartcall.prevend(&req, kind).await.map_err(crate::provider::provider_error)?;
        let ok = answer.verdict == airtill_providers::smartcall::PrevendVerdict::WillSucceed;
        let message = if ok { format!("Meter {meter} accepted: {}", answer.message.trim()) } else { format!("Meter {meter} refused: {}. Check the number with the customer.", answer.message.trim()) };
        Ok(crate::MeterCheckView { meter, ok, message })
    }

    /// The electricity product, the meter (11 or 13 digits), the amount in cents and
    /// the product's network, all checked.
    async fn electricity_order(&self, product_id: i64, meter: &str, amount: &str) -> Result<(airtill_providers::smartcall::Product, String, i64, String)> {
        let catalog = self.load_catalog(false).await?;
        let found = catalog.find(product_id)?;
        if kind_of(found.product_type, found.product) != ProductKind::Electricity {
            return Err(AppError::BadInput("That is not an electricity product.".into()));
        }
        let digits: String = meter.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(digits.len() == 11 || digits.len() == 13) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::BadInput("A meter number is 11 or 13 digits (it is on the meter and on old slips).".into()));
        }
        let p = found.product;
        let fixed = (!p.is_any_amount()).then_some(p.retail_value);
        let amount = amount_for(fixed, p.min_amount, p.max_amount, Some(amount))?;
        Ok((p.clone(), digits, amount, found.network.description.trim().to_string()))
    }

    /// Sells electricity to a meter: the token comes back as the sale's PIN, for the
    /// slip. Through Smartcall (the only provider here that sells electricity).
    pub async fn sell_electricity(&self, session: &Session, req: &crate::ElectricityRequest) -> Result<SaleView> {
        session.require_seller()?;
        check_request_id(&req.request_id)?;
        let seen = self.store().sale_by_request(&req.request_id)?;
        if let Some(existing) = seen {
            return self.shown(session, sale_view(&existing));
        }
        self.require_cash_shift(session)?;
        let (product, meter, amount, network_name) = self.electricity_order(req.product_id, &req.meter, &req.amount).await?;
        let details = SaleDetails {
            request_id: req.request_id.clone(),
            client_ref: ClientReference::new().to_string(),
            user_id: session.user_id,
            provider: "smartcall".into(),
            network_name,
            product_id: product.id,
            product_name: product.name.trim().to_string(),
            product_kind: ProductKind::Electricity.as_str().into(),
            pinned: true,
            recipient: meter,
            amount_minor: amount,
            currency: Currency::ZAR,
            discount_e4: product.discount_percentage,
        };
        let override_by = match req.override_pin.as_deref().filter(|p| !p.is_empty()) {
            Some(pin) => Some(self.manager_approval(session, pin)?),
            None => None,
        };
        let sale = self.engine.sell(SaleOrder { details, fallbacks: vec![], override_by, paid_by: None }).await?;
        self.shown(session, sale_view(&sale))
    }

    /// Credits a UK mobile number through MX Telecom (pinless, in pounds). The credit
    /// is pending until MX's notification says confirmed or failed.
    pub async fn sell_uk_credit(&self, session: &Session, req: &UkCreditRequest) -> Result<SaleView> {
        session.require_seller()?;
        check_request_id(&req.request_id)?;
        let seen = self.store().sale_by_request(&req.request_id)?;
        if let Some(existing) = seen {
            return self.shown(session, sale_view(&existing));
        }
        self.require_cash_shift(session)?;
        if self.mx.is_none() {
            return Err(AppError::Configuration("This till has no MX Telecom account for UK credits. Ask the manager.".into()));
        }
        let recipient = airtill_providers::mx::uk_msisdn(&req.recipient).map_err(|e| AppError::BadInput(e.to_string()))?;
        let amount = typed_amount(&req.amount, Currency::GBP)?;
        if !(100..=10_000).contains(&amount.minor) {
            return Err(AppError::BadInput("A UK credit is from £1.00 to £100.00.".into()));
        }
        let details = SaleDetails {
            request_id: req.request_id.clone(),
            client_ref: ClientReference::new().to_string(),
            user_id: session.user_id,
            provider: "mx".into(),
            network_name: "UK mobile".into(),
            product_id: 0,
            product_name: "UK mobile credit".into(),
            product_kind: "airtime".into(),
            pinned: false,
            recipient,
            amount_minor: amount.minor,
            currency: Currency::GBP,
            discount_e4: None,
        };
        let override_by = match req.override_pin.as_deref().filter(|p| !p.is_empty()) {
            Some(pin) => Some(self.manager_approval(session, pin)?),
            None => None,
        };
        let sale = self.engine.sell(SaleOrder { details, fallbacks: vec![], override_by, paid_by: None }).await?;
        self.shown(session, sale_view(&sale))
    }

    /// Asks the provider about an unresolved sale, by its own client reference, and
    /// records the answer. Never sends the sale again.
    pub async fn check_sale(&self, session: &Session, sale_id: i64) -> Result<SaleView> {
        session.require_seller()?;
        self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let row = self.engine.resolve(sale_id).await?;
        self.shown(session, sale_view(&row))
    }

    /// As [`Airtill::check_sale`], by the receipt number on the slip (`000042` or `42`).
    pub async fn check_receipt(&self, session: &Session, receipt: &str) -> Result<SaleView> {
        session.require_seller()?;
        let t = receipt.trim().trim_start_matches('#');
        let n: i64 =
            t.parse().ok().filter(|n| *n > 0 && t.len() <= 12).ok_or_else(|| AppError::BadInput(format!("'{}' is not a receipt number. Write it as on the slip, like 000042.", receipt.trim())))?;
        let id = self.store().sale_id_by_receipt(n)?.ok_or_else(|| AppError::BadInput(format!("This till has no receipt {n:06}.")))?;
        self.check_sale(session, id).await
    }

    /// Today's sales at this till, newest first.
    pub fn sales_today(&self, session: &Session) -> Result<Vec<SaleView>> {
        session.require_seller()?;
        let (from, to) = time::local_day_bounds(self.now_ms());
        let sales = self.store().sales_between(from, to)?;
        sales.iter().map(|r| self.shown(session, sale_view(r))).collect()
    }

    /// Sales still waiting for their result (pending or in doubt), from any day,
    /// oldest first: they are listed apart until the provider settles them.
    pub fn waiting_sales(&self, session: &Session) -> Result<Vec<SaleView>> {
        session.require_seller()?;
        let rows = self.store().unresolved_sales()?;
        rows.iter().filter(|r| r.state != SaleState::Submitting).map(|r| self.shown(session, sale_view(r))).collect()
    }

    /// The history, searched by number, reference and day (at most 200, newest first).
    pub fn search_sales(&self, session: &Session, q: &crate::SaleSearch) -> Result<Vec<SaleView>> {
        session.require_seller()?;
        let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let number = match clean(&q.number) {
            None => None,
            Some(n) => {
                let digits: String = n.chars().filter(|c| c.is_ascii_digit()).collect();
                if digits.len() < 4 || digits.len() != n.chars().filter(|c| !matches!(c, ' ' | '-' | '+')).count() {
                    return Err(AppError::BadInput("Search by at least the last 4 digits of the number.".into()));
                }
                // A whole local number (083...) is searched in its 27... form.
                Some(if digits.len() == 10 && digits.starts_with('0') { format!("27{}", &digits[1..]) } else { digits })
            }
        };
        let reference = match clean(&q.reference) {
            None => None,
            Some(r) => Some(crate::provider::check_client_reference(&r)?.to_string()),
        };
        let window = match clean(&q.date) {
            None => None,
            Some(d) => {
                let day = time::parse_date(&d)?;
                let noon = day.and_hms_opt(12, 0, 0).expect("noon").and_utc().timestamp_millis();
                Some(time::local_day_bounds(noon))
            }
        };
        if number.is_none() && reference.is_none() && window.is_none() {
            return Err(AppError::BadInput("Type a number, a reference or a date to search.".into()));
        }
        let rows = self.store().search_sales(number.as_deref(), reference.as_deref(), window, 200)?;
        rows.iter().map(|r| self.shown(session, sale_view(r))).collect()
    }

    pub fn sale(&self, session: &Session, sale_id: i64) -> Result<SaleView> {
        session.require_seller()?;
        let view = self.store().sale(sale_id).map(|r| sale_view(&r)).map_err(|_| AppError::NoSuchSale)?;
        self.shown(session, view)
    }

    /// A sale as the screens may show it: a PIN is cash, so only the till's last sale
    /// shows its PIN in full; older ones are masked but for the last four digits.
    pub(crate) fn shown(&self, session: &Session, mut view: SaleView) -> Result<SaleView> {
        let last = self.store().last_sale_id()?;
        view.reprint = self.reprint_rule(session, view.id, view.created_ms, view.holds_pin || view.voucher_pin.is_some(), last)?;
        if view.voucher_pin.is_some() && view.id != last {
            view.voucher_pin = view.voucher_pin.map(|p| mask_pin(&p));
            view.additional_pin = view.additional_pin.map(|p| mask_pin(&p));
            view.dial_string = None;
            view.pin_hidden = true;
        }
        Ok(view)
    }

    /// Asks the provider to cancel a pending recharge, with a manager's PIN at this
    /// till (logged). The request is stored first and sent again until answered (it
    /// survives a restart); a provider that has already passed the recharge to the
    /// network refuses, and the sale waits for its result as before.
    pub async fn cancel_sale(&self, session: &Session, sale_id: i64, manager_pin: &str) -> Result<SaleView> {
        session.require_seller()?;
        let row = self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        if row.state != SaleState::Pending {
            return Err(AppError::BadInput(format!(
                "Receipt {:06} is not pending ({}). Only a recharge still waiting for the network can be cancelled.",
                row.receipt_no,
                state_text(row.state, row.details.pinned, &row.details.provider, &row.details.product_kind)
            )));
        }
        let approved_by = self.manager_approval(session, manager_pin)?;
        let asked = self.store().request_cancel(sale_id, self.now_ms())?;
        if asked {
            self.audit("cancellation", Some(session.user_id), &format!("receipt {:06} asked to cancel, approved by user {approved_by}", row.receipt_no))?;
        }
        let row = self.engine.resolve(sale_id).await?;
        if row.state == SaleState::Pending && row.cancel_requested_ms.is_none() {
            let events = self.store().sale_events(sale_id)?;
            let why = events
                .iter()
                .rev()
                .find_map(|e| e.detail.as_deref().and_then(|d| d.strip_prefix("cancel refused: ")))
                .unwrap_or("The provider gave no reason; it stays pending until the network answers.");
            return Err(AppError::BadInput(format!("Receipt {:06} was not cancelled. {why}", row.receipt_no)));
        }
        self.shown(session, sale_view(&row))
    }

    /// The full PIN of an older sale, with a manager's PIN at this till (a logged-in
    /// manager's session is her approval); logged.
    pub async fn reveal_pin(&self, session: &Session, sale_id: i64, manager_pin: &str) -> Result<SaleView> {
        session.require_seller()?;
        let mut row = self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let approved_by = self.approval(session, manager_pin)?;
        // Past the reprint window the PIN is not here: its provider says it again.
        if let Some((pin, additional)) = self.erased_pin(sale_id).await? {
            row.outcome.voucher_pin = Some(pin);
            row.outcome.additional_pin = additional;
        }
        self.audit("pin_shown", Some(session.user_id), &format!("receipt {:06}, approved by user {approved_by}", row.receipt_no))?;
        Ok(sale_view(&row))
    }
}

/// `1234 5678 9012 3456` → `•••• •••• •••• 3456`: every digit but the last four hidden.
pub(crate) fn mask_pin(grouped: &str) -> String {
    let digits = grouped.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    let mut seen = 0;
    grouped
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                seen += 1;
                if seen + 4 > digits {
                    c
                } else {
                    '•'
                }
            } else {
                c
            }
        })
        .collect()
}

/// How long an MX credit waits for MX's notification before a manager may decide it
/// (MX sends its notifications within minutes and retries for a while).
const MX_DECIDE_AFTER_MS: i64 = 30 * 60_000;
/// Past every provider's history (Smartcall: a month by Smartload reference).
const ANY_DECIDE_AFTER_MS: i64 = 31 * 24 * 3600 * 1000;

impl Airtill {
    /// A manager decides a sale no provider can settle: an MX credit whose answer and
    /// notification were both lost (after half an hour), or any sale past the
    /// providers' history. The manager's PIN approves it; the reason (what the provider
    /// said on the phone or in its portal) is kept with the decision and in reports.
    pub async fn decide_sale(&self, session: &Session, sale_id: i64, manager_pin: &str, sold: bool, reason: &str) -> Result<SaleView> {
        session.require_seller()?;
        let row = self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        if !matches!(row.state, SaleState::Pending | SaleState::InDoubt) {
            return Err(AppError::BadInput(format!(
                "Receipt {:06} is settled already ({}). Nothing was changed.",
                row.receipt_no,
                state_text(row.state, row.details.pinned, &row.details.provider, &row.details.product_kind)
            )));
        }
        let reason = reason.trim();
        if reason.chars().count() < 5 || reason.chars().count() > 200 {
            return Err(AppError::BadInput("Write why (5 to 200 characters), like: MX support says credit MX123 failed.".into()));
        }
        let age = self.now_ms() - row.submitted_ms.unwrap_or(row.created_ms);
        let wait = if row.details.provider == "mx" { MX_DECIDE_AFTER_MS } else { ANY_DECIDE_AFTER_MS };
        if age < wait {
            let p = provider_label(&row.details.provider);
            return Err(AppError::BadInput(if row.details.provider == "mx" {
                format!("MX may still send its notification: a manager decides after 30 minutes. Nothing was changed. (Ask {p} meanwhile.)")
            } else {
                format!("{p} still answers for this sale: Airtill keeps asking it. Nothing was changed.")
            }));
        }
        let manager = self.manager_approval(session, manager_pin)?;
        let to = if sold { SaleState::Succeeded } else { SaleState::Failed };
        let decided = self.engine.decide(sale_id, to, reason)?;
        let kind = if sold { "decided_sold" } else { "decided_not_sold" };
        self.store().record_override(Some(sale_id), kind, manager, reason, self.now_ms())?;
        self.audit("decision", Some(manager), &format!("receipt {:06} {}: {reason}", row.receipt_no, if sold { "sold" } else { "not sold" }))?;
        self.shown(session, sale_view(&decided))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_checked_against_the_product() {
        assert_eq!(amount_for(Some(1200), 1200, 1200, None).unwrap(), 1200);
        assert_eq!(amount_for(Some(1200), 1200, 1200, Some("12.00")).unwrap(), 1200);
        assert!(amount_for(Some(1200), 1200, 1200, Some("13")).is_err());
        assert_eq!(amount_for(None, 200, 100_000, Some("50")).unwrap(), 5000);
        let low = amount_for(None, 200, 100_000, Some("1")).unwrap_err().to_string();
        assert!(low.contains("R2.00") && low.contains("R1 000.00"), "{low}");
        assert!(amount_for(None, 200, 100_000, Some("1001")).is_err());
        assert!(amount_for(None, 200, 100_000, Some("12.50")).is_err());
        assert!(amount_for(None, 200, 100_000, Some("abc")).is_err());
        assert!(amount_for(None, 200, 100_000, None).is_err());
    }

    #[test]
    fn pins_are_masked_but_for_the_last_four() {
        assert_eq!(mask_pin("1234 5678 9012 3456"), "•••• •••• •••• 3456");
        assert_eq!(mask_pin("123"), "123");
        assert_eq!(mask_pin("98765"), "•8765");
    }

    #[test]
    fn request_ids_are_checked() {
        assert!(check_request_id("3f1c-ab").is_ok());
        assert!(check_request_id("").is_err());
        assert!(check_request_id("a b").is_err());
        assert!(check_request_id(&"a".repeat(65)).is_err());
    }
}
