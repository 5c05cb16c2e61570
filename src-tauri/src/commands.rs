//! The commands the UI calls. Each one: take the session, call one use case, map the
//! error. Each is declared once, in the `commands!` block below: the macro makes the
//! Tauri command, the handler (`handler()`) and the table the TypeScript bindings are
//! generated from (`specs()`, argument and result types from the Rust types by ts-rs).

use airtill_app::accounts::{AccountProvider, ProviderAccountInput, ProviderAccountView};
use airtill_app::domain::{Money, Money4};
use airtill_app::setup::{SetupDone, SetupRequest};
use airtill_app::{
    Airtill, AppError, AppStatus, BillAccountView, BillRequest, CatalogView, ChainLinkInput, ChainReport, ChainReportQuery, ChainStatusView, ChainTestView, ChainTillView, Check, ConnectionTestView,
    CounterSettingsView, CounterTotals, DenominationCount, ElectricityRequest, EngineSettingsView, ErrorPayload, ListenerView, LoginPerson, MeterCheckView, MobileBalanceView, MobilePaymentRequest,
    MobilePaymentView, NetworkCheckView, NetworkStatusView, NotificationView, NumberInfo, OpenOptions, PersonChange, PersonRole, PersonView, ProviderId, QuickKeyView, Reconciliation, Report,
    ReportQuery, SaleRequest, SaleSearch, SaleView, Session, ShiftView, SlipFile, SmartcallSettingsInput, SmartcallSettingsView, StockLevelView, StockOrderRequest, StockOrderView, Till,
    UkCreditRequest, UserView, WalletView,
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

/// Declares the shell's commands once. Each item is
/// `sync|async fn name([context params] args) -> Result type { body }`: the context
/// params in brackets are Tauri's (the shell's state, the app handle) and never reach
/// the UI; the args and the result cross to it, so their TypeScript comes from their
/// Rust types. `sync` commands run on Tauri's main thread, `async` ones on its runtime.
/// The body answers `Res<Result type>`.
macro_rules! commands {
    ($(
        $(#[$meta:meta])*
        $mode:ident fn $name:ident $(<$g:ident: $gb:path>)? ([$($ctx:ident: $cty:ty),* $(,)?] $($arg:ident: $aty:ty),* $(,)?) -> $ret:ty $body:block
    )*) => {
        $( commands!(@one $mode [$(#[$meta])*] $name [$($g: $gb)?] [$($ctx: $cty),*] [$($arg: $aty),*] $ret, $body); )*

        /// Tauri's handler for every command declared here.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// Every command declared here, its arguments and its result, as TypeScript sees them.
        pub fn specs(cfg: &ts_rs::Config) -> Vec<crate::bindings::CommandSpec> {
            vec![$(crate::bindings::CommandSpec {
                name: stringify!($name),
                args: vec![$((stringify!($arg), <$aty as ts_rs::TS>::name(cfg))),*],
                returns: <$ret as ts_rs::TS>::name(cfg),
            }),*]
        }
    };
    (@one async [$($attr:tt)*] $name:ident [$($g:ident: $gb:path)?] [$($ctx:ident: $cty:ty),*] [$($arg:ident: $aty:ty),*] $ret:ty, $body:block) => {
        $($attr)*
        #[tauri::command]
        pub async fn $name $(<$g: $gb>)? ($($ctx: $cty,)* $($arg: $aty),*) -> Res<$ret> $body
    };
    (@one sync [$($attr:tt)*] $name:ident [$($g:ident: $gb:path)?] [$($ctx:ident: $cty:ty),*] [$($arg:ident: $aty:ty),*] $ret:ty, $body:block) => {
        $($attr)*
        #[tauri::command]
        pub fn $name $(<$g: $gb>)? ($($ctx: $cty,)* $($arg: $aty),*) -> Res<$ret> $body
    };
}

commands! {
    sync fn status([shell: State<'_, Shell>]) -> AppStatus {
        // Asking does not count as use: an idle till locks while the screen polls.
        let session = shell.till.current(shell.app()?)?;
        Ok(shell.app()?.status(session.as_ref())?)
    }

    async fn login([shell: State<'_, Shell>] person: i64, pin: String) -> UserView {
        Ok(shell.till.login(shell.app()?, person, &pin)?.user_view())
    }

    /// Who can log in (the login screen's list), with anyone locked after wrong PINs.
    sync fn login_people([shell: State<'_, Shell>]) -> Vec<LoginPerson> {
        Ok(shell.app()?.login_people()?)
    }

    /// A manager lifts a person's lock after wrong PINs.
    sync fn unlock_person([shell: State<'_, Shell>] person: i64) -> () {
        let s = shell.session()?;
        Ok(shell.app()?.unlock_person(&s, person)?)
    }

    sync fn logout([shell: State<'_, Shell>]) -> () {
        Ok(shell.till.logout(shell.app()?)?)
    }

    sync fn lookup_number([shell: State<'_, Shell>] input: String) -> NumberInfo {
        shell.session()?;
        Ok(shell.app()?.lookup_number(&input)?)
    }

    async fn catalog([shell: State<'_, Shell>] refresh: bool) -> CatalogView {
        let s = shell.session()?;
        Ok(shell.app()?.catalog(&s, refresh).await?)
    }

    async fn sell([shell: State<'_, Shell>] request: SaleRequest) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.sell(&s, &request).await?)
    }

    async fn check_sale([shell: State<'_, Shell>] sale_id: i64) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.check_sale(&s, sale_id).await?)
    }

    sync fn sales_today([shell: State<'_, Shell>]) -> Vec<SaleView> {
        let s = shell.reader()?;
        Ok(shell.app()?.sales_today(&s)?)
    }

    async fn save_slip([shell: State<'_, Shell>] sale_id: i64, manager_pin: Option<String>) -> SlipFile {
        let s = shell.session()?;
        Ok(shell.app()?.save_slip(&s, sale_id, None, manager_pin.as_deref()).await?)
    }

    async fn open_slip([shell: State<'_, Shell>] sale_id: i64, manager_pin: Option<String>) -> SlipFile {
        let s = shell.session()?;
        Ok(shell.app()?.open_slip(&s, sale_id, manager_pin.as_deref()).await?)
    }

    async fn print_slip([shell: State<'_, Shell>] sale_id: i64, manager_pin: Option<String>) -> SlipFile {
        let s = shell.session()?;
        Ok(shell.app()?.print_slip(&s, sale_id, manager_pin.as_deref()).await?)
    }

    sync fn set_receipt_printer([shell: State<'_, Shell>] target: Option<String>, roll_mm: u32) -> Option<String> {
        let s = shell.session()?;
        Ok(shell.app()?.set_receipt_printer(&s, target.as_deref(), roll_mm)?)
    }

    async fn reveal_pin([shell: State<'_, Shell>] sale_id: i64, manager_pin: String) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.reveal_pin(&s, sale_id, &manager_pin).await?)
    }

    async fn cancel_sale([shell: State<'_, Shell>] sale_id: i64, manager_pin: String) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.cancel_sale(&s, sale_id, &manager_pin).await?)
    }

    sync fn set_idle_lock_minutes([shell: State<'_, Shell>] minutes: u32) -> u32 {
        let s = shell.session()?;
        Ok(shell.app()?.set_idle_lock_minutes(&s, minutes)?)
    }

    /// Days a sold voucher's PIN is kept for reprints (manager).
    sync fn pin_keep_days([shell: State<'_, Shell>]) -> i64 {
        let s = shell.session()?;
        s.require_manager()?;
        Ok(shell.app()?.pin_keep_days()?)
    }

    sync fn set_pin_keep_days([shell: State<'_, Shell>] days: i64) -> i64 {
        let s = shell.session()?;
        Ok(shell.app()?.set_pin_keep_days(&s, days)?)
    }

    async fn wallet_balance([shell: State<'_, Shell>]) -> Money4 {
        let s = shell.session()?;
        Ok(shell.app()?.smartcall_balance(&s).await?)
    }

    async fn wallets([shell: State<'_, Shell>]) -> Vec<WalletView> {
        let s = shell.reader()?;
        Ok(shell.app()?.wallets(&s).await?)
    }

    sync fn set_wallet_warning([shell: State<'_, Shell>] amount: Option<String>) -> Option<Money> {
        let s = shell.session()?;
        Ok(shell.app()?.set_wallet_warning(&s, amount.as_deref())?)
    }

    async fn network_health([shell: State<'_, Shell>]) -> Vec<NetworkStatusView> {
        let s = shell.session()?;
        Ok(shell.app()?.smartcall_health(&s).await?)
    }

    sync fn smartcall_settings([shell: State<'_, Shell>]) -> SmartcallSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.smartcall_settings(&s)?)
    }

    async fn test_smartcall_settings([shell: State<'_, Shell>] settings: SmartcallSettingsInput) -> ConnectionTestView {
        let s = shell.session()?;
        Ok(shell.app()?.test_smartcall_settings(&s, &settings).await?)
    }

    sync fn save_smartcall_settings([shell: State<'_, Shell>] settings: SmartcallSettingsInput) -> SmartcallSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.save_smartcall_settings(&s, &settings)?)
    }

    sync fn get_sale([shell: State<'_, Shell>] sale_id: i64) -> SaleView {
        let s = shell.reader()?;
        Ok(shell.app()?.sale(&s, sale_id)?)
    }

    sync fn engine_settings([shell: State<'_, Shell>]) -> EngineSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.engine_settings(&s)?)
    }

    sync fn set_pending_cancel_minutes([shell: State<'_, Shell>] minutes: Option<u32>) -> EngineSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.set_pending_cancel_minutes(&s, minutes)?)
    }

    sync fn set_route([shell: State<'_, Shell>] kind_key: String, providers: Vec<ProviderId>) -> EngineSettingsView {
        let s = shell.session()?;
        let providers: Vec<String> = providers.iter().map(|p| p.as_str().to_string()).collect();
        Ok(shell.app()?.set_route(&s, &kind_key, &providers)?)
    }

    // ---- the manager's office (role checks in the use cases) ----

    sync fn open_shift([shell: State<'_, Shell>] float: String) -> ShiftView {
        let s = shell.session()?;
        Ok(shell.app()?.open_shift(&s, &float)?)
    }

    sync fn my_shift([shell: State<'_, Shell>]) -> Option<ShiftView> {
        let s = shell.session()?;
        Ok(shell.app()?.my_shift(&s)?)
    }

    sync fn close_shift([shell: State<'_, Shell>] counts: Vec<DenominationCount>) -> ShiftView {
        let s = shell.session()?;
        Ok(shell.app()?.close_shift(&s, &counts)?)
    }

    async fn x_report([shell: State<'_, Shell>]) -> Report {
        let s = shell.session()?;
        Ok(shell.app()?.x_report(&s).await?)
    }

    async fn z_report([shell: State<'_, Shell>]) -> Report {
        let s = shell.session()?;
        Ok(shell.app()?.z_report(&s).await?)
    }

    sync fn z_report_by_no([shell: State<'_, Shell>] z_no: i64) -> Report {
        let s = shell.session()?;
        Ok(shell.app()?.z_report_by_no(&s, z_no)?)
    }

    sync fn z_numbers([shell: State<'_, Shell>]) -> Vec<i64> {
        let s = shell.session()?;
        Ok(shell.app()?.z_numbers(&s)?)
    }

    sync fn period_report([shell: State<'_, Shell>] from: String, to: String) -> Report {
        let s = shell.session()?;
        Ok(shell.app()?.period_report(&s, &from, &to)?)
    }

    async fn export_report([shell: State<'_, Shell>] query: ReportQuery, format: String, paper: String) -> SlipFile {
        let s = shell.session()?;
        Ok(shell.app()?.export_report(&s, &query, &format, &paper, true).await?)
    }

    async fn reconcile([shell: State<'_, Shell>] from: String, to: String, provider: Option<ProviderId>) -> Reconciliation {
        let s = shell.session()?;
        Ok(shell.app()?.reconcile_with(&s, provider.map_or("smartcall", ProviderId::as_str), &from, &to).await?)
    }

    sync fn chain_status([shell: State<'_, Shell>]) -> ChainStatusView {
        let s = shell.session()?;
        Ok(shell.app()?.chain_status(&s)?)
    }

    async fn test_chain_link([shell: State<'_, Shell>] link: ChainLinkInput) -> ChainTestView {
        let s = shell.session()?;
        Ok(shell.app()?.test_chain_link(&s, &link).await?)
    }

    async fn save_chain_link([shell: State<'_, Shell>] link: ChainLinkInput) -> ChainTestView {
        let s = shell.session()?;
        Ok(shell.app()?.save_chain_link(&s, &link).await?)
    }

    sync fn unlink_chain([shell: State<'_, Shell>]) -> () {
        let s = shell.session()?;
        Ok(shell.app()?.unlink_chain(&s)?)
    }

    async fn push_to_chain([shell: State<'_, Shell>]) -> ChainStatusView {
        let s = shell.session()?;
        Ok(shell.app()?.push_to_chain(&s).await?)
    }

    async fn chain_tills([shell: State<'_, Shell>]) -> Vec<ChainTillView> {
        let s = shell.session()?;
        Ok(shell.app()?.chain_tills(&s).await?)
    }

    async fn chain_report([shell: State<'_, Shell>] query: ChainReportQuery) -> ChainReport {
        let s = shell.session()?;
        Ok(shell.app()?.chain_report(&s, &query).await?)
    }

    async fn chain_reconcile([shell: State<'_, Shell>] from: String, to: String) -> Reconciliation {
        let s = shell.session()?;
        Ok(shell.app()?.chain_reconcile(&s, &from, &to).await?)
    }

    async fn doctor([shell: State<'_, Shell>]) -> Vec<Check> {
        let s = shell.session()?;
        Ok(shell.app()?.doctor(&s).await?)
    }

    sync fn update_status([updates: State<'_, crate::updates::Updates>]) -> crate::updates::UpdateStatus {
        Ok(updates.status())
    }

    sync fn setup_needed([shell: State<'_, Shell>]) -> bool {
        Ok(shell.app.get().is_none() && airtill_app::setup::needs_setup(&shell.data_dir)?)
    }

    async fn test_setup_smartcall([shell: State<'_, Shell>] settings: SmartcallSettingsInput) -> ConnectionTestView {
        if shell.app.get().is_some() {
            return Err(AppError::BadInput("This till is already set up: test accounts in Settings.".into()).into());
        }
        Ok(airtill_app::setup::test_smartcall(&settings).await?)
    }

    async fn complete_setup<R: tauri::Runtime>([handle: tauri::AppHandle<R>, shell: State<'_, Shell>] request: SetupRequest) -> SetupDone {
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

    sync fn provider_accounts([shell: State<'_, Shell>]) -> Vec<ProviderAccountView> {
        let s = shell.session()?;
        Ok(shell.app()?.provider_accounts(&s)?)
    }

    async fn test_provider_account([shell: State<'_, Shell>] account: ProviderAccountInput) -> ConnectionTestView {
        let s = shell.session()?;
        Ok(shell.app()?.test_provider_account(&s, &account).await?)
    }

    async fn save_provider_account([shell: State<'_, Shell>] account: ProviderAccountInput) -> ProviderAccountView {
        let s = shell.session()?;
        Ok(shell.app()?.save_provider_account(&s, &account).await?)
    }

    sync fn remove_provider_account([shell: State<'_, Shell>] provider: AccountProvider) -> ProviderAccountView {
        let s = shell.session()?;
        Ok(shell.app()?.remove_provider_account(&s, provider)?)
    }

    sync fn people([shell: State<'_, Shell>]) -> Vec<PersonView> {
        let s = shell.session()?;
        Ok(shell.app()?.people(&s)?)
    }

    sync fn add_person([shell: State<'_, Shell>] name: String, role: PersonRole, pin: String, pin_again: String) -> PersonView {
        let s = shell.session()?;
        if pin != pin_again {
            return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()).into());
        }
        Ok(shell.app()?.add_person(&s, &name, role, &pin)?)
    }

    sync fn change_person([shell: State<'_, Shell>] person_id: i64, change: PersonChange) -> PersonView {
        let s = shell.session()?;
        Ok(shell.app()?.change_person(&s, person_id, &change)?)
    }

    sync fn change_own_pin([shell: State<'_, Shell>] old_pin: String, new_pin: String, again: String) -> UserView {
        Ok(shell.till.change_own_pin(shell.app()?, &old_pin, &new_pin, &again)?.user_view())
    }

    sync fn open_shifts([shell: State<'_, Shell>]) -> Vec<ShiftView> {
        let s = shell.session()?;
        Ok(shell.app()?.open_shifts(&s)?)
    }

    sync fn close_shift_of([shell: State<'_, Shell>] shift_id: i64, counts: Vec<DenominationCount>) -> ShiftView {
        let s = shell.session()?;
        Ok(shell.app()?.close_shift_of(&s, shift_id, &counts)?)
    }

    sync fn list_users([shell: State<'_, Shell>]) -> Vec<UserView> {
        let s = shell.session()?;
        Ok(shell.app()?.list_users(&s)?)
    }

    async fn sell_uk_credit([shell: State<'_, Shell>] request: UkCreditRequest) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.sell_uk_credit(&s, &request).await?)
    }

    async fn sell_paid_by_mobile([shell: State<'_, Shell>] request: SaleRequest, payment_id: i64) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.sell_paid_by_mobile(&s, &request, payment_id).await?)
    }

    async fn mobile_balance([shell: State<'_, Shell>] subscriber: String) -> MobileBalanceView {
        let s = shell.session()?;
        Ok(shell.app()?.mobile_balance(&s, &subscriber).await?)
    }

    async fn report_wallets([shell: State<'_, Shell>]) -> Vec<airtill_app::WalletLine> {
        let s = shell.session()?;
        Ok(shell.app()?.report_wallets(&s).await?)
    }

    sync fn mobile_quote([shell: State<'_, Shell>] amount: String) -> airtill_app::MobileQuoteView {
        let s = shell.session()?;
        Ok(shell.app()?.mobile_quote(&s, &amount)?)
    }

    sync fn mobile_rate([shell: State<'_, Shell>]) -> Option<String> {
        let s = shell.session()?;
        s.require_manager()?;
        Ok(shell.app()?.mobile_rate()?.map(|r| airtill_app::domain::money::format_minor(r, airtill_app::domain::money::FINE_DIGITS)))
    }

    sync fn set_mobile_rate([shell: State<'_, Shell>] rate: Option<String>) -> Option<String> {
        let s = shell.session()?;
        Ok(shell.app()?.set_mobile_rate(&s, rate.as_deref())?)
    }

    async fn take_mobile_payment([shell: State<'_, Shell>] request: MobilePaymentRequest) -> MobilePaymentView {
        let s = shell.session()?;
        Ok(shell.app()?.take_mobile_payment(&s, &request).await?)
    }

    async fn check_mobile_payment([shell: State<'_, Shell>] payment_id: i64) -> MobilePaymentView {
        let s = shell.session()?;
        Ok(shell.app()?.check_mobile_payment(&s, payment_id).await?)
    }

    async fn listener_status([shell: State<'_, Shell>]) -> ListenerView {
        let s = shell.session()?;
        Ok(shell.app()?.listener_status(&s)?)
    }

    async fn set_listener([shell: State<'_, Shell>] on: bool, bind: Option<String>, port: Option<u16>, token: Option<String>) -> ListenerView {
        let s = shell.session()?;
        Ok(shell.app()?.set_listener(&s, on, bind.as_deref(), port, token.as_deref()).await?)
    }

    async fn notifications([shell: State<'_, Shell>] open_only: bool) -> Vec<NotificationView> {
        let s = shell.session()?;
        Ok(shell.app()?.notifications(&s, open_only)?)
    }

    async fn confirm_network([shell: State<'_, Shell>] input: String) -> NetworkCheckView {
        let s = shell.session()?;
        Ok(shell.app()?.confirm_network(&s, &input).await?)
    }

    async fn waiting_sales([shell: State<'_, Shell>]) -> Vec<SaleView> {
        let s = shell.reader()?;
        Ok(shell.app()?.waiting_sales(&s)?)
    }

    async fn search_sales([shell: State<'_, Shell>] query: SaleSearch) -> Vec<SaleView> {
        let s = shell.session()?;
        Ok(shell.app()?.search_sales(&s, &query)?)
    }

    async fn check_meter([shell: State<'_, Shell>] product_id: i64, meter: String, amount: String) -> MeterCheckView {
        let s = shell.session()?;
        Ok(shell.app()?.check_meter(&s, product_id, &meter, &amount).await?)
    }

    async fn sell_electricity([shell: State<'_, Shell>] request: ElectricityRequest) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.sell_electricity(&s, &request).await?)
    }

    async fn query_bill([shell: State<'_, Shell>] product_id: Option<i64>, box_office: bool, reference: String) -> BillAccountView {
        let s = shell.session()?;
        Ok(shell.app()?.query_bill(&s, product_id, box_office, &reference).await?)
    }

    async fn pay_bill([shell: State<'_, Shell>] request: BillRequest) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.pay_bill(&s, &request).await?)
    }

    async fn set_system_printer([shell: State<'_, Shell>] queue: Option<String>) -> Option<String> {
        let s = shell.session()?;
        Ok(shell.app()?.set_system_printer(&s, queue.as_deref())?)
    }

    async fn print_voucher_sheet([shell: State<'_, Shell>] sale_ids: Vec<i64>) -> SlipFile {
        let s = shell.session()?;
        Ok(shell.app()?.print_voucher_sheet(&s, &sale_ids).await?)
    }

    async fn buy_stock([shell: State<'_, Shell>] request: StockOrderRequest) -> StockOrderView {
        let s = shell.session()?;
        Ok(shell.app()?.buy_stock(&s, &request).await?)
    }

    async fn finish_stock_order([shell: State<'_, Shell>] order_id: i64) -> StockOrderView {
        let s = shell.session()?;
        Ok(shell.app()?.finish_stock_order(&s, order_id).await?)
    }

    async fn stock_orders([shell: State<'_, Shell>]) -> Vec<StockOrderView> {
        let s = shell.reader()?;
        Ok(shell.app()?.stock_orders(&s)?)
    }

    async fn stock_levels([shell: State<'_, Shell>]) -> Vec<StockLevelView> {
        let s = shell.reader()?;
        Ok(shell.app()?.stock_levels(&s)?)
    }

    async fn stock_for_product([shell: State<'_, Shell>] product_id: i64) -> i64 {
        let s = shell.reader()?;
        Ok(shell.app()?.stock_for_product(&s, product_id).await?)
    }

    async fn sell_from_stock([shell: State<'_, Shell>] request: SaleRequest) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.sell_from_stock(&s, &request).await?)
    }

    async fn practice_outage([shell: State<'_, Shell>] offline: bool) -> bool {
        let s = shell.session()?;
        Ok(shell.app()?.practice_outage(&s, offline).await?)
    }

    async fn decide_sale([shell: State<'_, Shell>] sale_id: i64, manager_pin: String, sold: bool, reason: String) -> SaleView {
        let s = shell.session()?;
        Ok(shell.app()?.decide_sale(&s, sale_id, &manager_pin, sold, &reason).await?)
    }

    async fn quick_keys([shell: State<'_, Shell>]) -> Vec<QuickKeyView> {
        let s = shell.reader()?;
        Ok(shell.app()?.quick_keys(&s).await?)
    }

    async fn set_quick_keys([shell: State<'_, Shell>] product_ids: Vec<i64>) -> Vec<QuickKeyView> {
        let s = shell.session()?;
        Ok(shell.app()?.set_quick_keys(&s, &product_ids).await?)
    }

    sync fn counter_totals([shell: State<'_, Shell>]) -> CounterTotals {
        let s = shell.reader()?;
        Ok(shell.app()?.counter_totals(&s)?)
    }

    sync fn counter_settings([shell: State<'_, Shell>]) -> CounterSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.counter_settings(&s)?)
    }

    sync fn set_free_reprint_minutes([shell: State<'_, Shell>] minutes: i64) -> CounterSettingsView {
        let s = shell.session()?;
        Ok(shell.app()?.set_free_reprint_minutes(&s, minutes)?)
    }
}
