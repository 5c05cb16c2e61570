//! What the UI receives and sends. TypeScript types for these are generated into
//! `ui/src/lib/bindings.ts` (a test fails when that file is stale).

use airtill_domain::{Money, Money4, Network, SaleState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UserView {
    pub name: String,
    pub role: PersonRole,
    /// The PIN must be changed before anything else (the demo shop's, or one a
    /// manager set for the person).
    #[serde(default)]
    pub must_change_pin: bool,
}

/// What a person is at this till.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum PersonRole {
    Manager,
    Cashier,
}

/// One person on the People screen (managers only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub role: PersonRole,
    /// Disabled people cannot log in; their sales, shifts and audit lines keep their name.
    pub active: bool,
    pub must_change_pin: bool,
    /// An open shift at this till, if any.
    pub shift_open: bool,
    /// Wrong PINs typed for this person (their login, or approvals in their session)
    /// since the last right one: a manager can unlock them.
    pub wrong_pins: i64,
    /// Locked after wrong PINs until this time (the shop's), or not at all.
    pub locked_until: Option<String>,
}

/// A change a manager makes to one person; each `None` leaves that part alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonChange {
    pub name: Option<String>,
    /// A new PIN the manager gives (the person is asked to choose their own at login).
    pub pin: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub training: bool,
    pub shop_name: String,
    pub till_id: String,
    pub user: Option<UserView>,
    /// Minutes without use before the till locks itself.
    pub idle_lock_minutes: u32,
    /// The receipt printer (`host:port` or a device path), if one is set up.
    pub printer: Option<String>,
    /// Training: the practice Smartcall is stopped (a practised outage).
    pub practice_outage: bool,
    /// This build's version (the package's).
    pub version: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct NumberInfo {
    /// `27831234567`
    pub msisdn: String,
    /// `083 123 4567`
    pub display: String,
    /// The network the number's range was first given to; numbers can be ported.
    pub network_hint: Option<Network>,
}

/// The network a SIM is on now, as Smartcall's SIM lookup says (a ported number is on
/// another network than its range says).
#[derive(Debug, Clone, Serialize, TS)]
pub struct NetworkCheckView {
    pub msisdn: String,
    /// As Smartcall names it (`MTN`, `Telkom Mobile`).
    pub network_name: String,
    pub network: Option<Network>,
    pub ported: bool,
    /// True when the range's network (the hint) is not the network the SIM is on.
    pub differs_from_hint: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    Airtime,
    Voucher,
    Data,
    Sms,
    Electricity,
    Other,
}

impl ProductKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductKind::Airtime => "airtime",
            ProductKind::Voucher => "voucher",
            ProductKind::Data => "data",
            ProductKind::Sms => "sms",
            ProductKind::Electricity => "electricity",
            ProductKind::Other => "other",
        }
    }

    /// The kind a sale or a voucher was recorded with (`voucher`); anything else
    /// (a bill's `payment`) is `Other`.
    pub fn from_key(key: &str) -> ProductKind {
        match key {
            "airtime" => ProductKind::Airtime,
            "voucher" => ProductKind::Voucher,
            "data" => ProductKind::Data,
            "sms" => ProductKind::Sms,
            "electricity" => ProductKind::Electricity,
            _ => ProductKind::Other,
        }
    }
}

/// A provider the till deals with: who holds a sale, a wallet, a route or a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    Smartcall,
    Aat,
    Mx,
    Ideamart,
    /// The shop's own voucher stock (bought earlier from a provider).
    Stock,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] = [ProviderId::Smartcall, ProviderId::Aat, ProviderId::Mx, ProviderId::Ideamart, ProviderId::Stock];

    /// The id the ledger and the engine write (`smartcall`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Smartcall => "smartcall",
            ProviderId::Aat => "aat",
            ProviderId::Mx => "mx",
            ProviderId::Ideamart => "ideamart",
            ProviderId::Stock => "stock",
        }
    }

    /// The provider as people say it.
    pub fn label(self) -> &'static str {
        match self {
            ProviderId::Smartcall => "Smartcall",
            ProviderId::Aat => "AAT",
            ProviderId::Mx => "MX Telecom",
            ProviderId::Ideamart => "Ideamart",
            ProviderId::Stock => "stock",
        }
    }

    /// An id as the ledger or a person wrote it; `None` for one this till does not know.
    pub fn parse(id: &str) -> Option<ProviderId> {
        ProviderId::ALL.into_iter().find(|p| p.as_str() == id.trim().to_ascii_lowercase())
    }

    /// An id the ledger holds. Every id it holds was written by this till; the till's
    /// first provider, Smartcall, is what the oldest rows and any other mean (as the
    /// slips and the words always read them).
    pub fn stored(id: &str) -> ProviderId {
        ProviderId::parse(id).unwrap_or(ProviderId::Smartcall)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for ProductKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl PartialEq<&str> for ProviderId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CatalogView {
    pub networks: Vec<NetworkView>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct NetworkView {
    /// The provider's id for the network.
    pub id: i64,
    pub name: String,
    /// The mobile network, when this is one.
    pub network: Option<Network>,
    pub groups: Vec<ProductGroupView>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProductGroupView {
    pub name: String,
    pub kind: ProductKind,
    pub products: Vec<ProductView>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProductView {
    /// The provider's product id (the variant Airtill sells).
    pub id: i64,
    pub name: String,
    pub kind: ProductKind,
    /// A PIN is printed (a voucher); otherwise the number is recharged directly.
    pub pinned: bool,
    /// The price, for a fixed-price product.
    pub fixed: Option<Money>,
    pub min: Money,
    pub max: Money,
}

/// A sale as the cashier asks for it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SaleRequest {
    /// Made by the UI when the cashier reaches the confirm step; sending the same
    /// request again returns the same sale.
    pub request_id: String,
    pub product_id: i64,
    /// As typed: `083 123 4567`.
    pub recipient: String,
    /// For a product sold at any amount: rand as typed (`50`, `50.00`).
    pub amount: Option<String>,
    /// A manager's PIN approving a second sale of the same amount to the same number
    /// while the first is unresolved.
    #[serde(default)]
    pub override_pin: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SaleView {
    pub id: i64,
    pub receipt_no: i64,
    /// The provider that holds the sale.
    pub provider: ProviderId,
    pub state: SaleState,
    /// What the state means for the cashier, and what happens next.
    pub state_text: String,
    /// Local time, `2026/11/23 10:15`.
    pub created_at: String,
    pub network_name: String,
    pub network: Option<Network>,
    pub product_name: String,
    pub kind: ProductKind,
    pub recipient: String,
    pub amount: Money,
    pub amount_text: String,
    /// Grouped in fours: `1234 5678 9012 3456`; for any sale but the till's last one,
    /// masked but for the last four digits (`•••• •••• •••• 3456`).
    pub voucher_pin: Option<String>,
    /// Electricity's free-basic-electricity token, issued with the token on a meter
    /// registered for it (the month's first): grouped and masked like `voucher_pin`.
    pub additional_pin: Option<String>,
    /// True when `voucher_pin` is masked: a manager's PIN shows it (`reveal_pin`).
    pub pin_hidden: bool,
    pub dial_string: Option<String>,
    pub ticket_number: Option<String>,
    pub expiry: Option<String>,
    /// Smartcall's Smartload reference.
    pub provider_ref: Option<String>,
    pub client_ref: String,
    pub cashier: String,
    pub error: Option<String>,
    pub training: bool,
    /// When nothing was sold because the provider could not be reached or could not
    /// pay: how many vouchers of the same kind the till has in stock to sell instead.
    pub stock_offer: Option<i64>,
    /// Who may reprint its slip now: the person at the till, or a manager.
    pub reprint: crate::counter::Reprint,
    #[serde(skip)]
    #[ts(skip)]
    pub created_ms: i64,
    /// A sold voucher: its slip carries a PIN (even once erased from the till).
    #[serde(skip)]
    #[ts(skip)]
    pub holds_pin: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SlipFile {
    pub path: String,
}

/// A bill's account as the biller knows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BillAccountView {
    /// `EasyPay` or `DSTV`.
    pub biller: String,
    pub account: String,
    /// What is owed, when the biller says.
    pub amount_due: Option<Money>,
    pub description: String,
}

/// A bill payment as the till asks for it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct BillRequest {
    pub request_id: String,
    /// The EasyPay product from the catalog; `None` for DSTV.
    #[ts(type = "number | null")]
    pub product_id: Option<i64>,
    /// DSTV: BoxOffice rather than the subscription.
    pub box_office: bool,
    /// The EasyPay number, the fine's notice number, or the DSTV account number.
    pub reference: String,
    /// Rand.
    pub amount: String,
    pub override_pin: Option<String>,
}

/// An electricity token for a meter, as the till asks for it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ElectricityRequest {
    pub request_id: String,
    /// The electricity product (Eskom or a municipality) from the catalog.
    #[ts(type = "number")]
    pub product_id: i64,
    /// The meter number: 11 or 13 digits.
    pub meter: String,
    /// Rand.
    pub amount: String,
    pub override_pin: Option<String>,
}

/// What the provider says of a meter before the sale.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MeterCheckView {
    pub meter: String,
    pub ok: bool,
    pub message: String,
}

/// What the cashier searches the history for: any of a number (or its last digits),
/// a reference (client, provider or receipt number) and a day.
#[derive(Debug, Clone, Default, Deserialize, TS)]
pub struct SaleSearch {
    pub number: Option<String>,
    pub reference: Option<String>,
    /// `2026/11/23` (or `2026-11-23`)
    pub date: Option<String>,
}

/// A UK mobile credit (MX Telecom) as the till asks for it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct UkCreditRequest {
    pub request_id: String,
    /// `07700 900000` or `447700900000`.
    pub recipient: String,
    /// Pounds: `5`, `10.00`.
    pub amount: String,
    pub override_pin: Option<String>,
}

/// A customer's mobile balance (Ideamart).
#[derive(Debug, Clone, Serialize, TS)]
pub struct MobileBalanceView {
    pub chargeable: Money,
    pub account_status: String,
    pub account_type: String,
}

/// A payment from the customer's mobile balance, as the till asks for it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct MobilePaymentRequest {
    pub request_id: String,
    /// The customer's number (`94...` or `07...`).
    pub subscriber: String,
    /// The sale's price in rand: `12`, `12.50`. The customer is charged its value
    /// in rupees at the manager's rate (shown by `mobile_quote` first).
    pub amount: String,
}

/// What a mobile-balance payment will take, shown to the customer before the debit.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MobileQuoteView {
    /// The sale's price, in rand.
    pub covers: Money,
    /// What the customer's mobile balance is charged, in rupees.
    pub charge: Money,
    /// `Rs 18.2350 per R1`.
    pub rate_text: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct MobilePaymentView {
    #[ts(type = "number")]
    pub id: i64,
    pub state: airtill_domain::PaymentState,
    pub state_text: String,
    pub subscriber: String,
    /// What was debited, in the provider's currency (rupees).
    pub amount: Money,
    /// What it pays for, in rand.
    pub covers: Money,
    /// The rate it was taken at (`Rs 18.2350 per R1`), when the currencies differ.
    pub rate_text: Option<String>,
    /// Ideamart's reference for the customer.
    pub reference_id: Option<String>,
    #[ts(type = "number | null")]
    pub sale_id: Option<i64>,
    pub error: Option<String>,
}

/// The notification listener as the manager sees it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ListenerView {
    pub on: bool,
    pub bind: String,
    pub port: u16,
    /// The secret path part; give it to the providers inside the addresses below.
    pub token: Option<String>,
    /// Where MX Telecom sends its notifications (when on).
    pub mx_url: Option<String>,
    /// Where AAT posts its call-backs (when on).
    pub aat_url: Option<String>,
}

/// One provider notification as received, with what it did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NotificationView {
    #[ts(type = "number")]
    pub id: i64,
    pub received_at: String,
    pub provider: ProviderId,
    /// MX's creditId or AAT's client reference.
    pub reference: String,
    pub state: String,
    #[ts(type = "number | null")]
    pub sale_id: Option<i64>,
    /// `applied`, `duplicate`, `ignored_final`, `unknown`, `deferred`, `conflict`.
    pub effect: String,
    pub explanation: String,
}

/// A provider wallet as the till shows it, with the manager's warning level.
#[derive(Debug, Clone, Serialize, TS)]
pub struct WalletView {
    pub provider: ProviderId,
    /// None when the provider could not be asked just now (`error` says why). Exact,
    /// as the provider keeps it (Smartcall: four decimals).
    pub balance: Option<Money4>,
    pub error: Option<String>,
    /// The level below which the till warns; None: no warning set.
    pub warn_below: Option<Money>,
    /// True when the balance is below the warning level.
    pub low: bool,
}

/// One mobile network's link to the provider.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NetworkStatusView {
    /// `vodacom`, `mtn`, `cellc`, `telkom`, `virgin`.
    pub key: String,
    pub up: bool,
    pub status: String,
}

/// A network of the provider's catalog, in brief.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SmartcallCatalogSummary {
    pub id: i64,
    pub name: String,
    pub product_types: Vec<String>,
    pub products: i64,
}

/// The provider's record of a sale next to the till's own.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProviderTxView {
    pub client_reference: String,
    /// `REQUESTED`, `PENDING`, `SUCESSFUL` (sic), `FAILED`, `CANCELLED`.
    pub status: String,
    pub status_text: String,
    pub smartload_reference: Option<String>,
    pub product: Option<String>,
    pub recipient: Option<String>,
    pub amount: Option<Money>,
    pub cost: Option<Money4>,
    /// Only the last four digits.
    pub voucher_pin_masked: Option<String>,
    pub local_sale: Option<i64>,
    pub local_state: Option<SaleState>,
}

/// The Smartcall account as saved (the password never leaves Rust).
#[derive(Debug, Clone, Serialize, TS)]
pub struct SmartcallSettingsView {
    /// `training` or `live`: what is saved.
    pub mode: String,
    pub base_url: String,
    pub username: String,
    pub smartload_id: String,
    pub timeout_seconds: u64,
    pub password_set: bool,
    /// What this running app uses.
    pub running_mode: String,
    /// The saved settings differ from the running ones until Airtill restarts.
    pub restart_needed: bool,
}

/// The settings form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SmartcallSettingsInput {
    pub mode: String,
    pub base_url: String,
    pub username: String,
    /// `None` or empty keeps the stored password.
    pub password: Option<String>,
    pub smartload_id: String,
    pub timeout_seconds: u64,
}

/// What "Test connection" found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ConnectionTestView {
    pub reachable: bool,
    pub logged_in: bool,
    pub balance: Option<Money4>,
    pub message: String,
}

/// The window event sent when a sale changes state.
pub const SALE_CHANGED_EVENT: &str = "sale-changed";

/// The payload of `sale-changed`.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SaleChangedEvent {
    pub sale_id: i64,
    pub state: SaleState,
}

/// One route: a kind of product and the providers that sell it, in order.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RouteView {
    /// `MTN/pinned/voucher`
    pub kind_key: String,
    pub providers: Vec<ProviderId>,
}

/// The manager's sale-engine settings.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EngineSettingsView {
    /// Pending sales are cancelled after this many minutes where the provider allows it.
    pub pending_cancel_minutes: Option<u32>,
    pub routes: Vec<RouteView>,
    /// The providers this till can sell through.
    pub providers: Vec<ProviderId>,
}

/// A manager's order of vouchers into stock.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct StockOrderRequest {
    /// Made when the manager confirms; a repeat returns the same order.
    pub request_id: String,
    /// Smartcall (one batch order) or AAT (bought one by one).
    pub provider: ProviderId,
    /// The product from the till's catalog (a PIN voucher of one value).
    pub product_id: i64,
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StockOrderView {
    pub id: i64,
    pub provider: ProviderId,
    pub provider_label: String,
    pub network_name: String,
    pub product_name: String,
    /// The value of one voucher.
    pub amount: Money,
    pub quantity: i64,
    /// Vouchers that arrived.
    pub received: i64,
    /// The value of the vouchers that arrived.
    pub total: Money,
    pub state: airtill_domain::StockOrderState,
    pub state_text: String,
    /// Not finished: it can be checked (`finish_stock_order`).
    pub open: bool,
    pub provider_ref: Option<String>,
    pub client_ref: String,
    pub message: Option<String>,
    pub ordered_by: String,
    pub created_at: String,
    pub training: bool,
}

/// Vouchers on hand of one network, kind and value.
#[derive(Debug, Clone, Serialize, TS)]
pub struct StockLevelView {
    pub network_name: String,
    pub kind: ProductKind,
    pub amount: Money,
    /// Free to sell now.
    pub available: i64,
    pub sold: i64,
    /// Expired, never sold.
    pub expired: i64,
    /// The first expiry among those free to sell (`YYYY-MM-DD`).
    pub next_expiry: Option<String>,
    /// At or below the manager's low level.
    pub low: bool,
}
