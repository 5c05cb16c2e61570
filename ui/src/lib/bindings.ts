// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit:
// run `make bindings` after changing a command or a payload.

import { invoke } from "@tauri-apps/api/core";

export type Currency = "ZAR" | "LKR" | "GBP";

export type Money = { 
/**
 * Minor units (cents for ZAR). Never a float.
 */
minor: number, currency: Currency, };

export type Money4 = { 
/**
 * Ten-thousandths of the major unit. Never a float.
 */
e4: number, currency: Currency, };

export type StockOrderState = "sending" | "in_doubt" | "ordered" | "received" | "failed";

export type PaymentState = "submitting" | "succeeded" | "failed" | "in_doubt";

export type Network = "Vodacom" | "MTN" | "CellC" | "Telkom";

export type SaleState = "created" | "submitting" | "succeeded" | "failed" | "pending" | "in_doubt" | "cancelled" | "reversed";

export type ErrorCode = "not_logged_in" | "wrong_pin" | "forbidden" | "bad_input" | "bad_number" | "no_such_product" | "no_such_sale" | "provider_configuration" | "provider_unavailable" | "configuration" | "storage" | "io" | "needs_override" | "locked_out" | "manager_pin_needed" | "idle_locked" | "printer_failed" | "not_set_up" | "must_change_pin" | "no_shift" | "day_closed";

export type ErrorPayload = { code: ErrorCode, message: string, };

export type LoginPerson = { id: number, name: string, manager: boolean, 
/**
 * Locked after wrong PINs until this time (the shop's), or not at all.
 */
locked_until: string | null, };

export type UserView = { name: string, role: PersonRole, 
/**
 * The PIN must be changed before anything else (the demo shop's, or one a
 * manager set for the person).
 */
must_change_pin: boolean, };

export type AppStatus = { training: boolean, shop_name: string, till_id: string, user: UserView | null, 
/**
 * Minutes without use before the till locks itself.
 */
idle_lock_minutes: number, 
/**
 * The receipt printer (`host:port` or a device path), if one is set up.
 */
printer: string | null, 
/**
 * Training: the practice Smartcall is stopped (a practised outage).
 */
practice_outage: boolean, 
/**
 * This build's version (the package's).
 */
version: string, };

export type NumberInfo = { 
/**
 * `27831234567`
 */
msisdn: string, 
/**
 * `083 123 4567`
 */
display: string, 
/**
 * The network the number's range was first given to; numbers can be ported.
 */
network_hint: Network | null, };

export type ProductKind = "airtime" | "voucher" | "data" | "sms" | "electricity" | "other";

export type ProviderId = "smartcall" | "aat" | "mx" | "ideamart" | "stock";

export type CatalogView = { networks: Array<NetworkView>, };

export type NetworkView = { 
/**
 * The provider's id for the network.
 */
id: number, name: string, 
/**
 * The mobile network, when this is one.
 */
network: Network | null, groups: Array<ProductGroupView>, };

export type ProductGroupView = { name: string, kind: ProductKind, products: Array<ProductView>, };

export type ProductView = { 
/**
 * The provider's product id (the variant Airtill sells).
 */
id: number, name: string, kind: ProductKind, 
/**
 * A PIN is printed (a voucher); otherwise the number is recharged directly.
 */
pinned: boolean, 
/**
 * The price, for a fixed-price product.
 */
fixed: Money | null, min: Money, max: Money, };

export type SaleRequest = { 
/**
 * Made by the UI when the cashier reaches the confirm step; sending the same
 * request again returns the same sale.
 */
request_id: string, product_id: number, 
/**
 * As typed: `083 123 4567`.
 */
recipient: string, 
/**
 * For a product sold at any amount: rand as typed (`50`, `50.00`).
 */
amount: string | null, 
/**
 * A manager's PIN approving a second sale of the same amount to the same number
 * while the first is unresolved.
 */
override_pin: string | null, };

export type Reprint = "free" | "needs_manager";

export type SaleView = { id: number, receipt_no: number, 
/**
 * The provider that holds the sale.
 */
provider: ProviderId, state: SaleState, 
/**
 * What the state means for the cashier, and what happens next.
 */
state_text: string, 
/**
 * Local time, `2026/11/23 10:15`.
 */
created_at: string, network_name: string, network: Network | null, product_name: string, kind: ProductKind, recipient: string, amount: Money, amount_text: string, 
/**
 * Grouped in fours: `1234 5678 9012 3456`; for any sale but the till's last one,
 * masked but for the last four digits (`•••• •••• •••• 3456`).
 */
voucher_pin: string | null, 
/**
 * Electricity's free-basic-electricity token, issued with the token on a meter
 * registered for it (the month's first): grouped and masked like `voucher_pin`.
 */
additional_pin: string | null, 
/**
 * True when `voucher_pin` is masked: a manager's PIN shows it (`reveal_pin`).
 */
pin_hidden: boolean, dial_string: string | null, ticket_number: string | null, expiry: string | null, 
/**
 * Smartcall's Smartload reference.
 */
provider_ref: string | null, client_ref: string, cashier: string, error: string | null, training: boolean, 
/**
 * When nothing was sold because the provider could not be reached or could not
 * pay: how many vouchers of the same kind the till has in stock to sell instead.
 */
stock_offer: number | null, 
/**
 * Who may reprint its slip now: the person at the till, or a manager.
 */
reprint: Reprint, };

export type QuickKeyView = { 
/**
 * 1 to 9: the key that sells it.
 */
key: number, network_id: number, network_name: string, network: Network | null, 
/**
 * The group it is in (`Airtime`, `Data`, ...), to show it chosen.
 */
group_name: string, product: ProductView, 
/**
 * Pinned by the manager; otherwise one of the till's best sellers.
 */
pinned_by_manager: boolean, };

export type CounterTotals = { shift_open: boolean, opened_at: string | null, 
/**
 * Sales sold this shift (any tender).
 */
sold: number, 
/**
 * Of them, in cash.
 */
sold_cash: number, 
/**
 * Waiting for their provider (neither sold nor failed yet).
 */
waiting: number, 
/**
 * What the cash sales came to.
 */
cash_sales: Money, 
/**
 * The float and the cash sales: what the drawer should hold.
 */
cash_expected: Money, };

export type CounterSettingsView = { free_reprint_minutes: number, 
/**
 * The catalog product ids the manager pinned, in key order (empty: best sellers).
 */
quick_keys: Array<number>, };

export type SlipFile = { path: string, };

export type NetworkStatusView = { 
/**
 * `vodacom`, `mtn`, `cellc`, `telkom`, `virgin`.
 */
key: string, up: boolean, status: string, };

export type WalletView = { provider: ProviderId, 
/**
 * None when the provider could not be asked just now (`error` says why). Exact,
 * as the provider keeps it (Smartcall: four decimals).
 */
balance: Money4 | null, error: string | null, 
/**
 * The level below which the till warns; None: no warning set.
 */
warn_below: Money | null, 
/**
 * True when the balance is below the warning level.
 */
low: boolean, };

export type SmartcallSettingsView = { 
/**
 * `training` or `live`: what is saved.
 */
mode: string, base_url: string, username: string, smartload_id: string, timeout_seconds: number, password_set: boolean, 
/**
 * What this running app uses.
 */
running_mode: string, 
/**
 * The saved settings differ from the running ones until Airtill restarts.
 */
restart_needed: boolean, };

export type SmartcallSettingsInput = { mode: string, base_url: string, username: string, 
/**
 * `None` or empty keeps the stored password.
 */
password: string | null, smartload_id: string, timeout_seconds: number, };

export type ConnectionTestView = { reachable: boolean, logged_in: boolean, balance: Money4 | null, message: string, };

export type SaleChangedEvent = { sale_id: number, state: SaleState, };

export type RouteView = { 
/**
 * `MTN/pinned/voucher`
 */
kind_key: string, providers: Array<ProviderId>, };

export type EngineSettingsView = { 
/**
 * Pending sales are cancelled after this many minutes where the provider allows it.
 */
pending_cancel_minutes: number | null, routes: Array<RouteView>, 
/**
 * The providers this till can sell through.
 */
providers: Array<ProviderId>, };

export type ReportKind = "x" | "z" | "period";

export type ReportLine = { key: string, count: number, value: Money, cost: Money4, profit: Money4, };

export type RefundLine = { sale_id: number, receipt_no: number, provider: ProviderId, network: string, amount: Money, 
/**
 * What the wallet paid, and gets back.
 */
cost: Money4, 
/**
 * When the refund is due (the provider's next refund run after the failure).
 */
due_at: string, 
/**
 * True once that time has passed.
 */
refunded: boolean, };

export type ReportSale = { sale_id: number, receipt_no: number, created_at: string, state: string, network: string, product: string, recipient: string, amount: Money, cashier: string, provider_ref: string | null, };

export type ReprintLine = { receipt_no: number, by: string, approved_by: string | null, at: string, };

export type OverrideLine = { kind: string, receipt_no: number | null, manager: string, reason: string, at: string, };

export type WalletLine = { provider: ProviderId, 
/**
 * Exact, as the provider keeps it (Smartcall: four decimals).
 */
opening: Money4 | null, closing: Money4 | null, 
/**
 * Where the closing figure comes from: the provider asked now, or its answer to
 * the last sale.
 */
closing_source: string, };

export type DenominationCount = { 
/**
 * In cents: 20000 is an R200 note, 50 a 50c coin.
 */
denomination: number, pieces: number, };

export type ShiftStatus = "open" | "balanced" | "over" | "short";

export type ShiftView = { id: number, cashier: string, opened_at: string, closed_at: string | null, float: Money, 
/**
 * The float and the cash sales so far (for an open shift: until now).
 */
expected: Money, counted: Money | null, 
/**
 * Counted less expected: over when positive, short when negative.
 */
variance: Money | null, status: ShiftStatus, 
/**
 * `(denomination, pieces)` as counted.
 */
counts: Array<DenominationCount>, 
/**
 * Who counted the cash, when it was not the shift's own person (a manager).
 */
counted_by: string | null, };

export type Report = { kind: ReportKind, z_no: number | null, shop_name: string, till_id: string, training: boolean, 
/**
 * What the report covers, in the till's local time.
 */
from: string, to: string, produced_at: string, produced_by: string, 
/**
 * Sold sales (succeeded), one line per currency.
 */
sold: Array<ReportLine>, by_network: Array<ReportLine>, by_kind: Array<ReportLine>, by_provider: Array<ReportLine>, by_cashier: Array<ReportLine>, by_tender: Array<ReportLine>, 
/**
 * Sales by local hour of the day (`08`, `09`, ...), for the chart.
 */
by_hour: Array<ReportLine>, 
/**
 * Refused sales: nothing sold (count and value per currency).
 */
failed: Array<ReportLine>, 
/**
 * Pending and in-doubt sales: not counted as sold until settled.
 */
unresolved: Array<ReportSale>, 
/**
 * Sales listed unresolved on the previous Z that have settled since (their
 * value, when sold, is in this report's figures).
 */
settled_since_last_z: Array<ReportSale>, cancelled: Array<ReportSale>, reprints: Array<ReprintLine>, overrides: Array<OverrideLine>, wallets: Array<WalletLine>, shifts: Array<ShiftView>, 
/**
 * Failed sales whose cost the provider took and refunds later (Smartcall's
 * pinless recharges): due, or refunded since.
 */
refunds: Array<RefundLine>, 
/**
 * How amounts finer than a cent are kept and shown ([`MONEY_NOTE`]).
 */
money_note: string, 
/**
 * Cash sold by someone with no open shift at the time (ledgers of versions that
 * did not ask for one): in no drawer's count, so listed on its own.
 */
cash_outside_shifts: Array<ReportLine>, 
/**
 * A Z's audit chain head at its close ("id:hash"): the trail up to there cannot
 * be rewritten without this printed line showing it.
 */
audit_head: string | null, };

export type ReportQuery = { 
/**
 * `x` (now), `z` (an earlier Z by `z_no`), or `period` (`from`..`to`).
 */
kind: ReportKind, z_no: number | null, from: string | null, to: string | null, };

export type NetworkMatch = { network: string, till_count: number, 
/**
 * What the till counts the provider took for, by retail value (exact).
 */
till_value: Money4, provider_count: number, provider_value: Money4, 
/**
 * What the wallet paid, by the till's costs, where the till knows every cost of
 * the network (not for vouchers bought into stock).
 */
till_cost: Money4 | null, 
/**
 * What the wallet paid, by the provider (Smartcall's `netAmount`).
 */
provider_cost: Money4 | null, matches: boolean, };

export type MismatchKind = "missing_at_till" | "missing_at_provider" | "state_differs" | "amount_differs" | "cost_differs" | "unresolved" | "not_checked" | "refund_due" | "refunded";

export type Mismatch = { kind: MismatchKind, network: string, sale_id: number | null, receipt_no: number | null, client_ref: string | null, provider_ref: string | null, till_state: string | null, provider_state: string | null, amount: Money, 
/**
 * In the manager's words: what differs and what to do.
 */
explanation: string, 
/**
 * The till of the chain that made the sale (a chain's reconciliation).
 */
till: string | null, };

export type Reconciliation = { provider: ProviderId, from_date: string, to_date: string, networks: Array<NetworkMatch>, mismatches: Array<Mismatch>, sales_checked: number, 
/**
 * The provider's wallet at the start and end of the days, and deposits, exact.
 */
provider_opening: Money4 | null, provider_closing: Money4 | null, provider_deposits: Money4 | null, 
/**
 * True when every network matches and every line is expected (refunds).
 */
clean: boolean, 
/**
 * In training mode: the sandbox starts afresh with each start of Airtill, so it
 * knows only the sales of this run.
 */
note: string | null, };

export type ChainLinkInput = { 
/**
 * `postgres://ROLE@HOST:PORT/DATABASE`, as the head office gave it.
 */
url: string, 
/**
 * This till's id in the chain (`rosebank-1`).
 */
till: string, 
/**
 * The role's password; empty keeps the one saved.
 */
password: string | null, 
/**
 * A certificate file (PEM) of the chain's database, if not trusted by the system.
 */
ca_file: string | null, };

export type ChainTestView = { chain_name: string, till: string, 
/**
 * Records of this till the chain holds already.
 */
records_there: number, 
/**
 * Records this till has written.
 */
records_here: number, };

export type ChainLinkState = "not_linked" | "sending" | "up_to_date" | "offline" | "refused" | "settings";

export type ChainStatusView = { state: ChainLinkState, url: string | null, till: string | null, chain_name: string | null, 
/**
 * Records this till has written.
 */
recorded: number, 
/**
 * Records the chain has confirmed holding.
 */
confirmed: number, 
/**
 * Records waiting to go.
 */
waiting: number, 
/**
 * When the chain last answered (epoch ms), in this process.
 */
last_contact_ms: number | null, 
/**
 * What went wrong last, in plain words.
 */
message: string | null, };

export type ChainReportQuery = { 
/**
 * Since each till's last Z (true), or the days `from`..`to` (`YYYY-MM-DD`).
 */
x: boolean, from: string | null, to: string | null, };

export type ChainTillView = { till: string, shop: string, 
/**
 * Records the chain holds of it.
 */
records: number, 
/**
 * Records it had written, at its last contact, that the chain does not hold yet.
 */
waiting: number, 
/**
 * When it last reached the chain (the shop's time), if ever.
 */
last_contact: string | null, 
/**
 * Seconds since then.
 */
silent_seconds: number | null, version: string | null, 
/**
 * The last head office decision it applied.
 */
decisions_applied: number, 
/**
 * What the chain found wrong with its records and has not cleared.
 */
problems: number, 
/**
 * This very till.
 */
this_till: boolean, };

export type ChainReport = { chain_name: string, 
/**
 * `X (since each till's last Z)` or the days covered.
 */
covers: string, produced_at: string, training: boolean, 
/**
 * Sold sales (succeeded), one line per currency.
 */
sold: Array<ReportLine>, by_shop: Array<ReportLine>, by_till: Array<ReportLine>, by_cashier: Array<ReportLine>, by_network: Array<ReportLine>, by_provider: Array<ReportLine>, by_kind: Array<ReportLine>, by_hour: Array<ReportLine>, 
/**
 * Refused sales per till (nothing sold).
 */
failed: Array<ReportLine>, 
/**
 * Sales still waiting for their result, per till.
 */
unresolved: Array<ReportLine>, tills: Array<ChainTillView>, };

export type CheckStatus = "ok" | "warning" | "failed";

export type Check = { name: string, status: CheckStatus, detail: string, };

export type UkCreditRequest = { request_id: string, 
/**
 * `07700 900000` or `447700900000`.
 */
recipient: string, 
/**
 * Pounds: `5`, `10.00`.
 */
amount: string, override_pin: string | null, };

export type ListenerView = { on: boolean, bind: string, port: number, 
/**
 * The secret path part; give it to the providers inside the addresses below.
 */
token: string | null, 
/**
 * Where MX Telecom sends its notifications (when on).
 */
mx_url: string | null, 
/**
 * Where AAT posts its call-backs (when on).
 */
aat_url: string | null, };

export type NotificationView = { id: number, received_at: string, provider: ProviderId, 
/**
 * MX's creditId or AAT's client reference.
 */
reference: string, state: string, sale_id: number | null, 
/**
 * `applied`, `duplicate`, `ignored_final`, `unknown`, `deferred`, `conflict`.
 */
effect: string, explanation: string, };

export type MobileBalanceView = { chargeable: Money, account_status: string, account_type: string, };

export type StockOrderRequest = { 
/**
 * Made when the manager confirms; a repeat returns the same order.
 */
request_id: string, 
/**
 * Smartcall (one batch order) or AAT (bought one by one).
 */
provider: ProviderId, 
/**
 * The product from the till's catalog (a PIN voucher of one value).
 */
product_id: number, quantity: number, };

export type StockOrderView = { id: number, provider: ProviderId, provider_label: string, network_name: string, product_name: string, 
/**
 * The value of one voucher.
 */
amount: Money, quantity: number, 
/**
 * Vouchers that arrived.
 */
received: number, 
/**
 * The value of the vouchers that arrived.
 */
total: Money, state: StockOrderState, state_text: string, 
/**
 * Not finished: it can be checked (`finish_stock_order`).
 */
open: boolean, provider_ref: string | null, client_ref: string, message: string | null, ordered_by: string, created_at: string, training: boolean, };

export type StockLevelView = { network_name: string, kind: ProductKind, amount: Money, 
/**
 * Free to sell now.
 */
available: number, sold: number, 
/**
 * Expired, never sold.
 */
expired: number, 
/**
 * The first expiry among those free to sell (`YYYY-MM-DD`).
 */
next_expiry: string | null, 
/**
 * At or below the manager's low level.
 */
low: boolean, };

export type MobileQuoteView = { 
/**
 * The sale's price, in rand.
 */
covers: Money, 
/**
 * What the customer's mobile balance is charged, in rupees.
 */
charge: Money, 
/**
 * `Rs 18.2350 per R1`.
 */
rate_text: string, };

export type MobilePaymentRequest = { request_id: string, 
/**
 * The customer's number (`94...` or `07...`).
 */
subscriber: string, 
/**
 * The sale's price in rand: `12`, `12.50`. The customer is charged its value
 * in rupees at the manager's rate (shown by `mobile_quote` first).
 */
amount: string, };

export type MobilePaymentView = { id: number, state: PaymentState, state_text: string, subscriber: string, 
/**
 * What was debited, in the provider's currency (rupees).
 */
amount: Money, 
/**
 * What it pays for, in rand.
 */
covers: Money, 
/**
 * The rate it was taken at (`Rs 18.2350 per R1`), when the currencies differ.
 */
rate_text: string | null, 
/**
 * Ideamart's reference for the customer.
 */
reference_id: string | null, sale_id: number | null, error: string | null, };

export type NetworkCheckView = { msisdn: string, 
/**
 * As Smartcall names it (`MTN`, `Telkom Mobile`).
 */
network_name: string, network: Network | null, ported: boolean, 
/**
 * True when the range's network (the hint) is not the network the SIM is on.
 */
differs_from_hint: boolean, };

export type SaleSearch = { number: string | null, reference: string | null, 
/**
 * `2026/11/23` (or `2026-11-23`)
 */
date: string | null, };

export type ElectricityRequest = { request_id: string, 
/**
 * The electricity product (Eskom or a municipality) from the catalog.
 */
product_id: number, 
/**
 * The meter number: 11 or 13 digits.
 */
meter: string, 
/**
 * Rand.
 */
amount: string, override_pin: string | null, };

export type MeterCheckView = { meter: string, ok: boolean, message: string, };

export type BillAccountView = { 
/**
 * `EasyPay` or `DSTV`.
 */
biller: string, account: string, 
/**
 * What is owed, when the biller says.
 */
amount_due: Money | null, description: string, };

export type BillRequest = { request_id: string, 
/**
 * The EasyPay product from the catalog; `None` for DSTV.
 */
product_id: number | null, 
/**
 * DSTV: BoxOffice rather than the subscription.
 */
box_office: boolean, 
/**
 * The EasyPay number, the fine's notice number, or the DSTV account number.
 */
reference: string, 
/**
 * Rand.
 */
amount: string, override_pin: string | null, };

export type PersonRole = "manager" | "cashier";

export type UpdateStatus = { 
/**
 * The version downloaded, checked and waiting to be installed at close.
 */
ready: string | null, 
/**
 * Why the last check found nothing to install (a bad signature, an unreachable
 * supplier), in words for the manager.
 */
problem: string | null, };

export type AccountProvider = "aat" | "mx" | "ideamart";

export type ProviderAccountInput = { provider: AccountProvider, base_url: string, 
/**
 * AAT's and MX's username; Ideamart's application id (`APP_000001`).
 */
username: string, 
/**
 * Empty keeps the sealed one.
 */
password: string | null, 
/**
 * Ideamart only: a number whose balance the test asks for (Ideamart has no
 * account-wide call to try).
 */
test_number: string | null, };

export type ProviderAccountView = { provider: AccountProvider, label: string, configured: boolean, base_url: string, username: string, password_set: boolean, 
/**
 * Saved settings take effect when Airtill starts again.
 */
restart_needed: boolean, };

export type PersonView = { id: number, name: string, role: PersonRole, 
/**
 * Disabled people cannot log in; their sales, shifts and audit lines keep their name.
 */
active: boolean, must_change_pin: boolean, 
/**
 * An open shift at this till, if any.
 */
shift_open: boolean, 
/**
 * Wrong PINs typed for this person (their login, or approvals in their session)
 * since the last right one: a manager can unlock them.
 */
wrong_pins: number, 
/**
 * Locked after wrong PINs until this time (the shop's), or not at all.
 */
locked_until: string | null, };

export type PersonChange = { name: string | null, 
/**
 * A new PIN the manager gives (the person is asked to choose their own at login).
 */
pin: string | null, active: boolean | null, };

export type SetupKind = "practice" | "live";

export type SetupRequest = { kind: SetupKind, shop_name: string, 
/**
 * Printed on slips (lines separated by newlines or commas).
 */
address: string, 
/**
 * Empty when the shop is not registered for VAT.
 */
vat_number: string, till_id: string, 
/**
 * IANA name; empty means Africa/Johannesburg.
 */
time_zone: string, owner_name: string, manager_pin: string, manager_pin_again: string, 
/**
 * The Smartcall account (a live shop's one required provider).
 */
smartcall: SmartcallSettingsInput | null, };

export type SetupDone = { kind: SetupKind, shop_name: string, till_id: string, 
/**
 * The people created: the owner alone in a live shop.
 */
people: Array<string>, 
/**
 * The Smartcall test's words (live).
 */
smartcall: string | null, };

/** The commands of the shell, one typed function each. Errors reject with an ErrorPayload. */
export const status = (): Promise<AppStatus> =>
  invoke<AppStatus>("status");
export const login = (person: number, pin: string): Promise<UserView> =>
  invoke<UserView>("login", { person, pin });
export const loginPeople = (): Promise<Array<LoginPerson>> =>
  invoke<Array<LoginPerson>>("login_people");
export const unlockPerson = (person: number): Promise<null> =>
  invoke<null>("unlock_person", { person });
export const logout = (): Promise<null> =>
  invoke<null>("logout");
export const lookupNumber = (input: string): Promise<NumberInfo> =>
  invoke<NumberInfo>("lookup_number", { input });
export const catalog = (refresh: boolean): Promise<CatalogView> =>
  invoke<CatalogView>("catalog", { refresh });
export const sell = (request: SaleRequest): Promise<SaleView> =>
  invoke<SaleView>("sell", { request });
export const checkSale = (saleId: number): Promise<SaleView> =>
  invoke<SaleView>("check_sale", { saleId });
export const salesToday = (): Promise<Array<SaleView>> =>
  invoke<Array<SaleView>>("sales_today");
export const saveSlip = (saleId: number, managerPin: string | null): Promise<SlipFile> =>
  invoke<SlipFile>("save_slip", { saleId, managerPin });
export const openSlip = (saleId: number, managerPin: string | null): Promise<SlipFile> =>
  invoke<SlipFile>("open_slip", { saleId, managerPin });
export const printSlip = (saleId: number, managerPin: string | null): Promise<SlipFile> =>
  invoke<SlipFile>("print_slip", { saleId, managerPin });
export const setReceiptPrinter = (target: string | null, rollMm: number): Promise<string | null> =>
  invoke<string | null>("set_receipt_printer", { target, rollMm });
export const revealPin = (saleId: number, managerPin: string): Promise<SaleView> =>
  invoke<SaleView>("reveal_pin", { saleId, managerPin });
export const cancelSale = (saleId: number, managerPin: string): Promise<SaleView> =>
  invoke<SaleView>("cancel_sale", { saleId, managerPin });
export const setIdleLockMinutes = (minutes: number): Promise<number> =>
  invoke<number>("set_idle_lock_minutes", { minutes });
export const pinKeepDays = (): Promise<number> =>
  invoke<number>("pin_keep_days");
export const setPinKeepDays = (days: number): Promise<number> =>
  invoke<number>("set_pin_keep_days", { days });
export const walletBalance = (): Promise<Money4> =>
  invoke<Money4>("wallet_balance");
export const wallets = (): Promise<Array<WalletView>> =>
  invoke<Array<WalletView>>("wallets");
export const setWalletWarning = (amount: string | null): Promise<Money | null> =>
  invoke<Money | null>("set_wallet_warning", { amount });
export const networkHealth = (): Promise<Array<NetworkStatusView>> =>
  invoke<Array<NetworkStatusView>>("network_health");
export const smartcallSettings = (): Promise<SmartcallSettingsView> =>
  invoke<SmartcallSettingsView>("smartcall_settings");
export const testSmartcallSettings = (settings: SmartcallSettingsInput): Promise<ConnectionTestView> =>
  invoke<ConnectionTestView>("test_smartcall_settings", { settings });
export const saveSmartcallSettings = (settings: SmartcallSettingsInput): Promise<SmartcallSettingsView> =>
  invoke<SmartcallSettingsView>("save_smartcall_settings", { settings });
export const getSale = (saleId: number): Promise<SaleView> =>
  invoke<SaleView>("get_sale", { saleId });
export const engineSettings = (): Promise<EngineSettingsView> =>
  invoke<EngineSettingsView>("engine_settings");
export const setPendingCancelMinutes = (minutes: number | null): Promise<EngineSettingsView> =>
  invoke<EngineSettingsView>("set_pending_cancel_minutes", { minutes });
export const setRoute = (kindKey: string, providers: Array<ProviderId>): Promise<EngineSettingsView> =>
  invoke<EngineSettingsView>("set_route", { kindKey, providers });
export const openShift = (float: string): Promise<ShiftView> =>
  invoke<ShiftView>("open_shift", { float });
export const myShift = (): Promise<ShiftView | null> =>
  invoke<ShiftView | null>("my_shift");
export const closeShift = (counts: Array<DenominationCount>): Promise<ShiftView> =>
  invoke<ShiftView>("close_shift", { counts });
export const xReport = (): Promise<Report> =>
  invoke<Report>("x_report");
export const zReport = (): Promise<Report> =>
  invoke<Report>("z_report");
export const zReportByNo = (zNo: number): Promise<Report> =>
  invoke<Report>("z_report_by_no", { zNo });
export const zNumbers = (): Promise<Array<number>> =>
  invoke<Array<number>>("z_numbers");
export const periodReport = (from: string, to: string): Promise<Report> =>
  invoke<Report>("period_report", { from, to });
export const exportReport = (query: ReportQuery, format: string, paper: string): Promise<SlipFile> =>
  invoke<SlipFile>("export_report", { query, format, paper });
export const reconcile = (from: string, to: string, provider: ProviderId | null): Promise<Reconciliation> =>
  invoke<Reconciliation>("reconcile", { from, to, provider });
export const chainStatus = (): Promise<ChainStatusView> =>
  invoke<ChainStatusView>("chain_status");
export const testChainLink = (link: ChainLinkInput): Promise<ChainTestView> =>
  invoke<ChainTestView>("test_chain_link", { link });
export const saveChainLink = (link: ChainLinkInput): Promise<ChainTestView> =>
  invoke<ChainTestView>("save_chain_link", { link });
export const unlinkChain = (): Promise<null> =>
  invoke<null>("unlink_chain");
export const pushToChain = (): Promise<ChainStatusView> =>
  invoke<ChainStatusView>("push_to_chain");
export const chainTills = (): Promise<Array<ChainTillView>> =>
  invoke<Array<ChainTillView>>("chain_tills");
export const chainReport = (query: ChainReportQuery): Promise<ChainReport> =>
  invoke<ChainReport>("chain_report", { query });
export const chainReconcile = (from: string, to: string): Promise<Reconciliation> =>
  invoke<Reconciliation>("chain_reconcile", { from, to });
export const doctor = (): Promise<Array<Check>> =>
  invoke<Array<Check>>("doctor");
export const updateStatus = (): Promise<UpdateStatus> =>
  invoke<UpdateStatus>("update_status");
export const setupNeeded = (): Promise<boolean> =>
  invoke<boolean>("setup_needed");
export const testSetupSmartcall = (settings: SmartcallSettingsInput): Promise<ConnectionTestView> =>
  invoke<ConnectionTestView>("test_setup_smartcall", { settings });
export const completeSetup = (request: SetupRequest): Promise<SetupDone> =>
  invoke<SetupDone>("complete_setup", { request });
export const providerAccounts = (): Promise<Array<ProviderAccountView>> =>
  invoke<Array<ProviderAccountView>>("provider_accounts");
export const testProviderAccount = (account: ProviderAccountInput): Promise<ConnectionTestView> =>
  invoke<ConnectionTestView>("test_provider_account", { account });
export const saveProviderAccount = (account: ProviderAccountInput): Promise<ProviderAccountView> =>
  invoke<ProviderAccountView>("save_provider_account", { account });
export const removeProviderAccount = (provider: AccountProvider): Promise<ProviderAccountView> =>
  invoke<ProviderAccountView>("remove_provider_account", { provider });
export const people = (): Promise<Array<PersonView>> =>
  invoke<Array<PersonView>>("people");
export const addPerson = (name: string, role: PersonRole, pin: string, pinAgain: string): Promise<PersonView> =>
  invoke<PersonView>("add_person", { name, role, pin, pinAgain });
export const changePerson = (personId: number, change: PersonChange): Promise<PersonView> =>
  invoke<PersonView>("change_person", { personId, change });
export const changeOwnPin = (oldPin: string, newPin: string, again: string): Promise<UserView> =>
  invoke<UserView>("change_own_pin", { oldPin, newPin, again });
export const openShifts = (): Promise<Array<ShiftView>> =>
  invoke<Array<ShiftView>>("open_shifts");
export const closeShiftOf = (shiftId: number, counts: Array<DenominationCount>): Promise<ShiftView> =>
  invoke<ShiftView>("close_shift_of", { shiftId, counts });
export const listUsers = (): Promise<Array<UserView>> =>
  invoke<Array<UserView>>("list_users");
export const sellUkCredit = (request: UkCreditRequest): Promise<SaleView> =>
  invoke<SaleView>("sell_uk_credit", { request });
export const sellPaidByMobile = (request: SaleRequest, paymentId: number): Promise<SaleView> =>
  invoke<SaleView>("sell_paid_by_mobile", { request, paymentId });
export const mobileBalance = (subscriber: string): Promise<MobileBalanceView> =>
  invoke<MobileBalanceView>("mobile_balance", { subscriber });
export const reportWallets = (): Promise<Array<WalletLine>> =>
  invoke<Array<WalletLine>>("report_wallets");
export const mobileQuote = (amount: string): Promise<MobileQuoteView> =>
  invoke<MobileQuoteView>("mobile_quote", { amount });
export const mobileRate = (): Promise<string | null> =>
  invoke<string | null>("mobile_rate");
export const setMobileRate = (rate: string | null): Promise<string | null> =>
  invoke<string | null>("set_mobile_rate", { rate });
export const takeMobilePayment = (request: MobilePaymentRequest): Promise<MobilePaymentView> =>
  invoke<MobilePaymentView>("take_mobile_payment", { request });
export const checkMobilePayment = (paymentId: number): Promise<MobilePaymentView> =>
  invoke<MobilePaymentView>("check_mobile_payment", { paymentId });
export const listenerStatus = (): Promise<ListenerView> =>
  invoke<ListenerView>("listener_status");
export const setListener = (on: boolean, bind: string | null, port: number | null, token: string | null): Promise<ListenerView> =>
  invoke<ListenerView>("set_listener", { on, bind, port, token });
export const notifications = (openOnly: boolean): Promise<Array<NotificationView>> =>
  invoke<Array<NotificationView>>("notifications", { openOnly });
export const confirmNetwork = (input: string): Promise<NetworkCheckView> =>
  invoke<NetworkCheckView>("confirm_network", { input });
export const waitingSales = (): Promise<Array<SaleView>> =>
  invoke<Array<SaleView>>("waiting_sales");
export const searchSales = (query: SaleSearch): Promise<Array<SaleView>> =>
  invoke<Array<SaleView>>("search_sales", { query });
export const checkMeter = (productId: number, meter: string, amount: string): Promise<MeterCheckView> =>
  invoke<MeterCheckView>("check_meter", { productId, meter, amount });
export const sellElectricity = (request: ElectricityRequest): Promise<SaleView> =>
  invoke<SaleView>("sell_electricity", { request });
export const queryBill = (productId: number | null, boxOffice: boolean, reference: string): Promise<BillAccountView> =>
  invoke<BillAccountView>("query_bill", { productId, boxOffice, reference });
export const payBill = (request: BillRequest): Promise<SaleView> =>
  invoke<SaleView>("pay_bill", { request });
export const setSystemPrinter = (queue: string | null): Promise<string | null> =>
  invoke<string | null>("set_system_printer", { queue });
export const printVoucherSheet = (saleIds: Array<number>): Promise<SlipFile> =>
  invoke<SlipFile>("print_voucher_sheet", { saleIds });
export const buyStock = (request: StockOrderRequest): Promise<StockOrderView> =>
  invoke<StockOrderView>("buy_stock", { request });
export const finishStockOrder = (orderId: number): Promise<StockOrderView> =>
  invoke<StockOrderView>("finish_stock_order", { orderId });
export const stockOrders = (): Promise<Array<StockOrderView>> =>
  invoke<Array<StockOrderView>>("stock_orders");
export const stockLevels = (): Promise<Array<StockLevelView>> =>
  invoke<Array<StockLevelView>>("stock_levels");
export const stockForProduct = (productId: number): Promise<number> =>
  invoke<number>("stock_for_product", { productId });
export const sellFromStock = (request: SaleRequest): Promise<SaleView> =>
  invoke<SaleView>("sell_from_stock", { request });
export const practiceOutage = (offline: boolean): Promise<boolean> =>
  invoke<boolean>("practice_outage", { offline });
export const decideSale = (saleId: number, managerPin: string, sold: boolean, reason: string): Promise<SaleView> =>
  invoke<SaleView>("decide_sale", { saleId, managerPin, sold, reason });
export const quickKeys = (): Promise<Array<QuickKeyView>> =>
  invoke<Array<QuickKeyView>>("quick_keys");
export const setQuickKeys = (productIds: Array<number>): Promise<Array<QuickKeyView>> =>
  invoke<Array<QuickKeyView>>("set_quick_keys", { productIds });
export const counterTotals = (): Promise<CounterTotals> =>
  invoke<CounterTotals>("counter_totals");
export const counterSettings = (): Promise<CounterSettingsView> =>
  invoke<CounterSettingsView>("counter_settings");
export const setFreeReprintMinutes = (minutes: number): Promise<CounterSettingsView> =>
  invoke<CounterSettingsView>("set_free_reprint_minutes", { minutes });
