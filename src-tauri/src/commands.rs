//! The commands the UI calls. Each one: take the session, call one use case, map the
//! error. The table in `bindings.rs` lists them for the generated TypeScript.

use airtill_app::accounts::{AccountProvider, ProviderAccountInput, ProviderAccountView};
use airtill_app::domain::{Money, Money4};
use airtill_app::setup::{SetupDone, SetupRequest};
use airtill_app::{
    Airtill, AppError, AppStatus, BillAccountView, BillRequest, CatalogView, ChainLinkInput, ChainReport, ChainReportQuery, ChainStatusView, ChainTestView, ChainTillView, Check, ConnectionTestView,
    CounterSettingsView, CounterTotals, DenominationCount, ElectricityRequest, EngineSettingsView, ErrorPayload, ListenerView, LoginPerson, MeterCheckView, MobileBalanceView, MobilePaymentRequest,
    MobilePaymentView, NetworkCheckView, NetworkStatusView, NotificationView, NumberInfo, OpenOptions, PersonChange, PersonRole, PersonView, QuickKeyView, Reconciliation, Report, ReportQuery,
    SaleRequest, SaleSearch, SaleView, Session, ShiftView, SlipFile, SmartcallSettingsInput, SmartcallSettingsView, StockLevelView, StockOrderRequest, StockOrderView, Till, UkCreditRequest, UserView,
    WalletView,
};
use serde::Serialize;
use std::sync::OnceLock;
use tauri::State;

/// The shell's state: the running app and who is logged in at this till (the idle
/// lock lives in `Till`, in the use-case layer).
pub struct Shell {
    /// The running app, once the till is set up (the setup screen fills it).
    app: OnceLock<Airtill>,
    data_dir: std::path::PathBuf,
    till: Till,
    /// One setup at a time.
    setting_up: tokio::sync::Mutex<()>,
}

impl Shell {
    pub fn new(app: Airtill) -> Shell {
        let data_dir = app.data_dir().to_path_buf();
        Shell { app: OnceLock::from(app), data_dir, till: Till::new(), setting_up: tokio::sync::Mutex::new(()) }
    }
    /// A till not set up yet: only the setup commands answer until it is.
    pub fn not_set_up(data_dir: std::path::PathBuf) -> Shell {
        Shell { app: OnceLock::new(), data_dir, till: Till::new(), setting_up: tokio::sync::Mutex::new(()) }
    }
    /// The running app, or `not_set_up`.
    pub fn app(&self) -> Result<&Airtill, CommandError> {
        self.app.get().ok_or_else(|| CommandError::from(AppError::NotSetUp))
    }
    fn session(&self) -> Result<Session, CommandError> {
        Ok(self.till.session(self.app()?)?)
    }
    /// For what the screens read on their own (polls, live updates): it does not count
    /// as use, so an idle till still locks on time.
    fn reader(&self) -> Result<Session, CommandError> {
        self.till.current(self.app()?)?.ok_or_else(|| CommandError::from(AppError::NotLoggedIn))
    }
}

/// `{code, message}` for the UI.
#[derive(Debug, Serialize)]
pub struct CommandError(ErrorPayload);

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        CommandError(e.payload())
    }
}

type Res<T> = Result<T, CommandError>;

#[tauri::command]
pub fn status(shell: State<'_, Shell>) -> Res<AppStatus> {
    // Asking does not count as use: an idle till locks while the screen polls.
    let session = shell.till.current(shell.app()?)?;
    Ok(shell.app()?.status(session.as_ref())?)
}

#[tauri::command]
pub async fn login(shell: State<'_, Shell>, person: i64, pin: String) -> Res<UserView> {
    Ok(shell.till.login(shell.app()?, person, &pin)?.user_view())
}

/// Who can log in (the login screen's list), with anyone locked after wrong PINs.
#[tauri::command]
pub fn login_people(shell: State<'_, Shell>) -> Res<Vec<LoginPerson>> {
    Ok(shell.app()?.login_people()?)
}

/// A manager lifts a person's lock after wrong PINs.
#[tauri::command]
pub fn unlock_person(shell: State<'_, Shell>, person: i64) -> Res<()> {
    let s = shell.session()?;
    Ok(shell.app()?.unlock_person(&s, person)?)
}

#[tauri::command]
pub fn logout(shell: State<'_, Shell>) -> Res<()> {
    Ok(shell.till.logout(shell.app()?)?)
}

#[tauri::command]
pub fn lookup_number(shell: State<'_, Shell>, input: String) -> Res<NumberInfo> {
    shell.session()?;
    Ok(shell.app()?.lookup_number(&input)?)
}

#[tauri::command]
pub async fn catalog(shell: State<'_, Shell>, refresh: bool) -> Res<CatalogView> {
    let s = shell.session()?;
    Ok(shell.app()?.catalog(&s, refresh).await?)
}

#[tauri::command]
pub async fn sell(shell: State<'_, Shell>, request: SaleRequest) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.sell(&s, &request).await?)
}

#[tauri::command]
pub async fn check_sale(shell: State<'_, Shell>, sale_id: i64) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.check_sale(&s, sale_id).await?)
}

#[tauri::command]
pub fn sales_today(shell: State<'_, Shell>) -> Res<Vec<SaleView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.sales_today(&s)?)
}

#[tauri::command]
pub async fn save_slip(shell: State<'_, Shell>, sale_id: i64, manager_pin: Option<String>) -> Res<SlipFile> {
    let s = shell.session()?;
    Ok(shell.app()?.save_slip(&s, sale_id, None, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn open_slip(shell: State<'_, Shell>, sale_id: i64, manager_pin: Option<String>) -> Res<SlipFile> {
    let s = shell.session()?;
    Ok(shell.app()?.open_slip(&s, sale_id, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub async fn print_slip(shell: State<'_, Shell>, sale_id: i64, manager_pin: Option<String>) -> Res<SlipFile> {
    let s = shell.session()?;
    Ok(shell.app()?.print_slip(&s, sale_id, manager_pin.as_deref()).await?)
}

#[tauri::command]
pub fn set_receipt_printer(shell: State<'_, Shell>, target: Option<String>, roll_mm: u32) -> Res<Option<String>> {
    let s = shell.session()?;
    Ok(shell.app()?.set_receipt_printer(&s, target.as_deref(), roll_mm)?)
}

#[tauri::command]
pub async fn reveal_pin(shell: State<'_, Shell>, sale_id: i64, manager_pin: String) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.reveal_pin(&s, sale_id, &manager_pin).await?)
}

#[tauri::command]
pub async fn cancel_sale(shell: State<'_, Shell>, sale_id: i64, manager_pin: String) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.cancel_sale(&s, sale_id, &manager_pin).await?)
}

#[tauri::command]
pub fn set_idle_lock_minutes(shell: State<'_, Shell>, minutes: u32) -> Res<u32> {
    let s = shell.session()?;
    Ok(shell.app()?.set_idle_lock_minutes(&s, minutes)?)
}

/// Days a sold voucher's PIN is kept for reprints (manager).
#[tauri::command]
pub fn pin_keep_days(shell: State<'_, Shell>) -> Res<i64> {
    let s = shell.session()?;
    s.require_manager()?;
    Ok(shell.app()?.pin_keep_days()?)
}

#[tauri::command]
pub fn set_pin_keep_days(shell: State<'_, Shell>, days: i64) -> Res<i64> {
    let s = shell.session()?;
    Ok(shell.app()?.set_pin_keep_days(&s, days)?)
}

#[tauri::command]
pub async fn wallet_balance(shell: State<'_, Shell>) -> Res<Money4> {
    let s = shell.session()?;
    Ok(shell.app()?.smartcall_balance(&s).await?)
}

#[tauri::command]
pub async fn wallets(shell: State<'_, Shell>) -> Res<Vec<WalletView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.wallets(&s).await?)
}

#[tauri::command]
pub fn set_wallet_warning(shell: State<'_, Shell>, amount: Option<String>) -> Res<Option<Money>> {
    let s = shell.session()?;
    Ok(shell.app()?.set_wallet_warning(&s, amount.as_deref())?)
}

#[tauri::command]
pub async fn network_health(shell: State<'_, Shell>) -> Res<Vec<NetworkStatusView>> {
    let s = shell.session()?;
    Ok(shell.app()?.smartcall_health(&s).await?)
}

#[tauri::command]
pub fn smartcall_settings(shell: State<'_, Shell>) -> Res<SmartcallSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.smartcall_settings(&s)?)
}

#[tauri::command]
pub async fn test_smartcall_settings(shell: State<'_, Shell>, settings: SmartcallSettingsInput) -> Res<ConnectionTestView> {
    let s = shell.session()?;
    Ok(shell.app()?.test_smartcall_settings(&s, &settings).await?)
}

#[tauri::command]
pub fn save_smartcall_settings(shell: State<'_, Shell>, settings: SmartcallSettingsInput) -> Res<SmartcallSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.save_smartcall_settings(&s, &settings)?)
}

#[tauri::command]
pub fn get_sale(shell: State<'_, Shell>, sale_id: i64) -> Res<SaleView> {
    let s = shell.reader()?;
    Ok(shell.app()?.sale(&s, sale_id)?)
}

#[tauri::command]
pub fn engine_settings(shell: State<'_, Shell>) -> Res<EngineSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.engine_settings(&s)?)
}

#[tauri::command]
pub fn set_pending_cancel_minutes(shell: State<'_, Shell>, minutes: Option<u32>) -> Res<EngineSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.set_pending_cancel_minutes(&s, minutes)?)
}

#[tauri::command]
pub fn set_route(shell: State<'_, Shell>, kind_key: String, providers: Vec<String>) -> Res<EngineSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.set_route(&s, &kind_key, &providers)?)
}

// ---- the manager's office (role checks in the use cases) ----

#[tauri::command]
pub fn open_shift(shell: State<'_, Shell>, float: String) -> Res<ShiftView> {
    let s = shell.session()?;
    Ok(shell.app()?.open_shift(&s, &float)?)
}

#[tauri::command]
pub fn my_shift(shell: State<'_, Shell>) -> Res<Option<ShiftView>> {
    let s = shell.session()?;
    Ok(shell.app()?.my_shift(&s)?)
}

#[tauri::command]
pub fn close_shift(shell: State<'_, Shell>, counts: Vec<DenominationCount>) -> Res<ShiftView> {
    let s = shell.session()?;
    Ok(shell.app()?.close_shift(&s, &counts)?)
}

#[tauri::command]
pub async fn x_report(shell: State<'_, Shell>) -> Res<Report> {
    let s = shell.session()?;
    Ok(shell.app()?.x_report(&s).await?)
}

#[tauri::command]
pub async fn z_report(shell: State<'_, Shell>) -> Res<Report> {
    let s = shell.session()?;
    Ok(shell.app()?.z_report(&s).await?)
}

#[tauri::command]
pub fn z_report_by_no(shell: State<'_, Shell>, z_no: i64) -> Res<Report> {
    let s = shell.session()?;
    Ok(shell.app()?.z_report_by_no(&s, z_no)?)
}

#[tauri::command]
pub fn z_numbers(shell: State<'_, Shell>) -> Res<Vec<i64>> {
    let s = shell.session()?;
    Ok(shell.app()?.z_numbers(&s)?)
}

#[tauri::command]
pub fn period_report(shell: State<'_, Shell>, from: String, to: String) -> Res<Report> {
    let s = shell.session()?;
    Ok(shell.app()?.period_report(&s, &from, &to)?)
}

#[tauri::command]
pub async fn export_report(shell: State<'_, Shell>, query: ReportQuery, format: String, paper: String) -> Res<SlipFile> {
    let s = shell.session()?;
    Ok(shell.app()?.export_report(&s, &query, &format, &paper, true).await?)
}

#[tauri::command]
pub async fn reconcile(shell: State<'_, Shell>, from: String, to: String, provider: Option<String>) -> Res<Reconciliation> {
    let s = shell.session()?;
    Ok(shell.app()?.reconcile_with(&s, provider.as_deref().unwrap_or("smartcall"), &from, &to).await?)
}

#[tauri::command]
pub fn chain_status(shell: State<'_, Shell>) -> Res<ChainStatusView> {
    let s = shell.session()?;
    Ok(shell.app()?.chain_status(&s)?)
}

#[tauri::command]
pub async fn test_chain_link(shell: State<'_, Shell>, link: ChainLinkInput) -> Res<ChainTestView> {
    let s = shell.session()?;
    Ok(shell.app()?.test_chain_link(&s, &link).await?)
}

#[tauri::command]
pub async fn save_chain_link(shell: State<'_, Shell>, link: ChainLinkInput) -> Res<ChainTestView> {
    let s = shell.session()?;
    Ok(shell.app()?.save_chain_link(&s, &link).await?)
}

#[tauri::command]
pub fn unlink_chain(shell: State<'_, Shell>) -> Res<()> {
    let s = shell.session()?;
    Ok(shell.app()?.unlink_chain(&s)?)
}

#[tauri::command]
pub async fn push_to_chain(shell: State<'_, Shell>) -> Res<ChainStatusView> {
    let s = shell.session()?;
    Ok(shell.app()?.push_to_chain(&s).await?)
}

#[tauri::command]
pub async fn chain_tills(shell: State<'_, Shell>) -> Res<Vec<ChainTillView>> {
    let s = shell.session()?;
    Ok(shell.app()?.chain_tills(&s).await?)
}

#[tauri::command]
pub async fn chain_report(shell: State<'_, Shell>, query: ChainReportQuery) -> Res<ChainReport> {
    let s = shell.session()?;
    Ok(shell.app()?.chain_report(&s, &query).await?)
}

#[tauri::command]
pub async fn chain_reconcile(shell: State<'_, Shell>, from: String, to: String) -> Res<Reconciliation> {
    let s = shell.session()?;
    Ok(shell.app()?.chain_reconcile(&s, &from, &to).await?)
}

#[tauri::command]
pub async fn doctor(shell: State<'_, Shell>) -> Res<Vec<Check>> {
    let s = shell.session()?;
    Ok(shell.app()?.doctor(&s).await?)
}

#[tauri::command]
pub fn update_status(updates: State<'_, crate::updates::Updates>) -> Res<crate::updates::UpdateStatus> {
    Ok(updates.status())
}

#[tauri::command]
pub fn setup_needed(shell: State<'_, Shell>) -> Res<bool> {
    Ok(shell.app.get().is_none() && airtill_app::setup::needs_setup(&shell.data_dir)?)
}

#[tauri::command]
pub async fn test_setup_smartcall(shell: State<'_, Shell>, settings: SmartcallSettingsInput) -> Res<ConnectionTestView> {
    if shell.app.get().is_some() {
        return Err(AppError::BadInput("This till is already set up: test accounts in Settings.".into()).into());
    }
    Ok(airtill_app::setup::test_smartcall(&settings).await?)
}

#[tauri::command]
pub async fn complete_setup<R: tauri::Runtime>(handle: tauri::AppHandle<R>, shell: State<'_, Shell>, request: SetupRequest) -> Res<SetupDone> {
    let _one = shell.setting_up.lock().await;
    if shell.app.get().is_some() {
        return Err(AppError::BadInput("This till is already set up.".into()).into());
    }
    let done = airtill_app::setup::setup(&shell.data_dir, &request).await?;
    let app = Airtill::open(OpenOptions { data_dir: shell.data_dir.clone() }).await?;
    let events = app.subscribe_sales();
    if shell.app.set(app).is_ok() {
        crate::forward_sale_events(handle, events);
    }
    // The owner who just chose the PIN is logged in, for the optional accounts.
    if request.kind == airtill_app::SetupKind::Live {
        let app = shell.app()?;
        shell.till.login(app, app.person_named(&request.owner_name)?, &request.manager_pin)?;
    }
    Ok(done)
}

#[tauri::command]
pub fn provider_accounts(shell: State<'_, Shell>) -> Res<Vec<ProviderAccountView>> {
    let s = shell.session()?;
    Ok(shell.app()?.provider_accounts(&s)?)
}

#[tauri::command]
pub async fn test_provider_account(shell: State<'_, Shell>, account: ProviderAccountInput) -> Res<ConnectionTestView> {
    let s = shell.session()?;
    Ok(shell.app()?.test_provider_account(&s, &account).await?)
}

#[tauri::command]
pub async fn save_provider_account(shell: State<'_, Shell>, account: ProviderAccountInput) -> Res<ProviderAccountView> {
    let s = shell.session()?;
    Ok(shell.app()?.save_provider_account(&s, &account).await?)
}

#[tauri::command]
pub fn remove_provider_account(shell: State<'_, Shell>, provider: AccountProvider) -> Res<ProviderAccountView> {
    let s = shell.session()?;
    Ok(shell.app()?.remove_provider_account(&s, provider)?)
}

#[tauri::command]
pub fn people(shell: State<'_, Shell>) -> Res<Vec<PersonView>> {
    let s = shell.session()?;
    Ok(shell.app()?.people(&s)?)
}

#[tauri::command]
pub fn add_person(shell: State<'_, Shell>, name: String, role: PersonRole, pin: String, pin_again: String) -> Res<PersonView> {
    let s = shell.session()?;
    if pin != pin_again {
        return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()).into());
    }
    Ok(shell.app()?.add_person(&s, &name, role, &pin)?)
}

#[tauri::command]
pub fn change_person(shell: State<'_, Shell>, person_id: i64, change: PersonChange) -> Res<PersonView> {
    let s = shell.session()?;
    Ok(shell.app()?.change_person(&s, person_id, &change)?)
}

#[tauri::command]
pub fn change_own_pin(shell: State<'_, Shell>, old_pin: String, new_pin: String, again: String) -> Res<UserView> {
    Ok(shell.till.change_own_pin(shell.app()?, &old_pin, &new_pin, &again)?.user_view())
}

#[tauri::command]
pub fn open_shifts(shell: State<'_, Shell>) -> Res<Vec<ShiftView>> {
    let s = shell.session()?;
    Ok(shell.app()?.open_shifts(&s)?)
}

#[tauri::command]
pub fn close_shift_of(shell: State<'_, Shell>, shift_id: i64, counts: Vec<DenominationCount>) -> Res<ShiftView> {
    let s = shell.session()?;
    Ok(shell.app()?.close_shift_of(&s, shift_id, &counts)?)
}

#[tauri::command]
pub fn list_users(shell: State<'_, Shell>) -> Res<Vec<UserView>> {
    let s = shell.session()?;
    Ok(shell.app()?.list_users(&s)?)
}

#[tauri::command]
pub fn add_user(shell: State<'_, Shell>, name: String, role: String, pin: String) -> Res<UserView> {
    let s = shell.session()?;
    Ok(shell.app()?.add_user(&s, &name, &role, &pin)?)
}

#[tauri::command]
pub async fn sell_uk_credit(shell: State<'_, Shell>, request: UkCreditRequest) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.sell_uk_credit(&s, &request).await?)
}

#[tauri::command]
pub async fn sell_paid_by_mobile(shell: State<'_, Shell>, request: SaleRequest, payment_id: i64) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.sell_paid_by_mobile(&s, &request, payment_id).await?)
}

#[tauri::command]
pub async fn mobile_balance(shell: State<'_, Shell>, subscriber: String) -> Res<MobileBalanceView> {
    let s = shell.session()?;
    Ok(shell.app()?.mobile_balance(&s, &subscriber).await?)
}

#[tauri::command]
pub async fn report_wallets(shell: State<'_, Shell>) -> Res<Vec<airtill_app::WalletLine>> {
    let s = shell.session()?;
    Ok(shell.app()?.report_wallets(&s).await?)
}

#[tauri::command]
pub fn mobile_quote(shell: State<'_, Shell>, amount: String) -> Res<airtill_app::MobileQuoteView> {
    let s = shell.session()?;
    Ok(shell.app()?.mobile_quote(&s, &amount)?)
}

#[tauri::command]
pub fn mobile_rate(shell: State<'_, Shell>) -> Res<Option<String>> {
    let s = shell.session()?;
    s.require_manager()?;
    Ok(shell.app()?.mobile_rate()?.map(|r| airtill_app::domain::money::format_minor(r, airtill_app::domain::money::FINE_DIGITS)))
}

#[tauri::command]
pub fn set_mobile_rate(shell: State<'_, Shell>, rate: Option<String>) -> Res<Option<String>> {
    let s = shell.session()?;
    Ok(shell.app()?.set_mobile_rate(&s, rate.as_deref())?)
}

#[tauri::command]
pub async fn take_mobile_payment(shell: State<'_, Shell>, request: MobilePaymentRequest) -> Res<MobilePaymentView> {
    let s = shell.session()?;
    Ok(shell.app()?.take_mobile_payment(&s, &request).await?)
}

#[tauri::command]
pub async fn check_mobile_payment(shell: State<'_, Shell>, payment_id: i64) -> Res<MobilePaymentView> {
    let s = shell.session()?;
    Ok(shell.app()?.check_mobile_payment(&s, payment_id).await?)
}

#[tauri::command]
pub async fn listener_status(shell: State<'_, Shell>) -> Res<ListenerView> {
    let s = shell.session()?;
    Ok(shell.app()?.listener_status(&s)?)
}

#[tauri::command]
pub async fn set_listener(shell: State<'_, Shell>, on: bool, bind: Option<String>, port: Option<u16>, token: Option<String>) -> Res<ListenerView> {
    let s = shell.session()?;
    Ok(shell.app()?.set_listener(&s, on, bind.as_deref(), port, token.as_deref()).await?)
}

#[tauri::command]
pub async fn notifications(shell: State<'_, Shell>, open_only: bool) -> Res<Vec<NotificationView>> {
    let s = shell.session()?;
    Ok(shell.app()?.notifications(&s, open_only)?)
}

#[tauri::command]
pub async fn confirm_network(shell: State<'_, Shell>, input: String) -> Res<NetworkCheckView> {
    let s = shell.session()?;
    Ok(shell.app()?.confirm_network(&s, &input).await?)
}

#[tauri::command]
pub async fn waiting_sales(shell: State<'_, Shell>) -> Res<Vec<SaleView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.waiting_sales(&s)?)
}

#[tauri::command]
pub async fn search_sales(shell: State<'_, Shell>, query: SaleSearch) -> Res<Vec<SaleView>> {
    let s = shell.session()?;
    Ok(shell.app()?.search_sales(&s, &query)?)
}

#[tauri::command]
pub async fn check_meter(shell: State<'_, Shell>, product_id: i64, meter: String, amount: String) -> Res<MeterCheckView> {
    let s = shell.session()?;
    Ok(shell.app()?.check_meter(&s, product_id, &meter, &amount).await?)
}

#[tauri::command]
pub async fn sell_electricity(shell: State<'_, Shell>, request: ElectricityRequest) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.sell_electricity(&s, &request).await?)
}

#[tauri::command]
pub async fn query_bill(shell: State<'_, Shell>, product_id: Option<i64>, box_office: bool, reference: String) -> Res<BillAccountView> {
    let s = shell.session()?;
    Ok(shell.app()?.query_bill(&s, product_id, box_office, &reference).await?)
}

#[tauri::command]
pub async fn pay_bill(shell: State<'_, Shell>, request: BillRequest) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.pay_bill(&s, &request).await?)
}

#[tauri::command]
pub async fn set_system_printer(shell: State<'_, Shell>, queue: Option<String>) -> Res<Option<String>> {
    let s = shell.session()?;
    Ok(shell.app()?.set_system_printer(&s, queue.as_deref())?)
}

#[tauri::command]
pub async fn print_voucher_sheet(shell: State<'_, Shell>, sale_ids: Vec<i64>) -> Res<SlipFile> {
    let s = shell.session()?;
    Ok(shell.app()?.print_voucher_sheet(&s, &sale_ids).await?)
}

#[tauri::command]
pub async fn buy_stock(shell: State<'_, Shell>, request: StockOrderRequest) -> Res<StockOrderView> {
    let s = shell.session()?;
    Ok(shell.app()?.buy_stock(&s, &request).await?)
}

#[tauri::command]
pub async fn finish_stock_order(shell: State<'_, Shell>, order_id: i64) -> Res<StockOrderView> {
    let s = shell.session()?;
    Ok(shell.app()?.finish_stock_order(&s, order_id).await?)
}

#[tauri::command]
pub async fn stock_orders(shell: State<'_, Shell>) -> Res<Vec<StockOrderView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.stock_orders(&s)?)
}

#[tauri::command]
pub async fn stock_levels(shell: State<'_, Shell>) -> Res<Vec<StockLevelView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.stock_levels(&s)?)
}

#[tauri::command]
pub async fn stock_for_product(shell: State<'_, Shell>, product_id: i64) -> Res<i64> {
    let s = shell.reader()?;
    Ok(shell.app()?.stock_for_product(&s, product_id).await?)
}

#[tauri::command]
pub async fn sell_from_stock(shell: State<'_, Shell>, request: SaleRequest) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.sell_from_stock(&s, &request).await?)
}

#[tauri::command]
pub async fn practice_outage(shell: State<'_, Shell>, offline: bool) -> Res<bool> {
    let s = shell.session()?;
    Ok(shell.app()?.practice_outage(&s, offline).await?)
}

#[tauri::command]
pub async fn decide_sale(shell: State<'_, Shell>, sale_id: i64, manager_pin: String, sold: bool, reason: String) -> Res<SaleView> {
    let s = shell.session()?;
    Ok(shell.app()?.decide_sale(&s, sale_id, &manager_pin, sold, &reason).await?)
}

#[tauri::command]
pub async fn quick_keys(shell: State<'_, Shell>) -> Res<Vec<QuickKeyView>> {
    let s = shell.reader()?;
    Ok(shell.app()?.quick_keys(&s).await?)
}

#[tauri::command]
pub async fn set_quick_keys(shell: State<'_, Shell>, product_ids: Vec<i64>) -> Res<Vec<QuickKeyView>> {
    let s = shell.session()?;
    Ok(shell.app()?.set_quick_keys(&s, &product_ids).await?)
}

#[tauri::command]
pub fn counter_totals(shell: State<'_, Shell>) -> Res<CounterTotals> {
    let s = shell.reader()?;
    Ok(shell.app()?.counter_totals(&s)?)
}

#[tauri::command]
pub fn counter_settings(shell: State<'_, Shell>) -> Res<CounterSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.counter_settings(&s)?)
}

#[tauri::command]
pub fn set_free_reprint_minutes(shell: State<'_, Shell>, minutes: i64) -> Res<CounterSettingsView> {
    let s = shell.session()?;
    Ok(shell.app()?.set_free_reprint_minutes(&s, minutes)?)
}
