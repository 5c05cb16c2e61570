//! The desktop shell. It registers the commands, holds the running app and the
//! logged-in session, and maps errors to `{code, message}`. No business logic here:
//! every command calls one use case of `airtill-app`.

pub mod bindings;
pub mod commands;
pub mod updates;

use airtill_app::{Airtill, OpenOptions};
use tauri::{Manager, Runtime};

/// Registers Airtill's commands on a builder (the real one, or the test mock).
pub fn configure<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.manage(updates::Updates::default()).invoke_handler(tauri::generate_handler![
        commands::status,
        commands::login,
        commands::login_people,
        commands::pin_keep_days,
        commands::quick_keys,
        commands::set_quick_keys,
        commands::counter_totals,
        commands::counter_settings,
        commands::set_free_reprint_minutes,
        commands::set_pin_keep_days,
        commands::unlock_person,
        commands::logout,
        commands::lookup_number,
        commands::catalog,
        commands::sell,
        commands::check_sale,
        commands::get_sale,
        commands::sales_today,
        commands::save_slip,
        commands::open_slip,
        commands::print_slip,
        commands::set_receipt_printer,
        commands::wallets,
        commands::set_wallet_warning,
        commands::reveal_pin,
        commands::cancel_sale,
        commands::set_idle_lock_minutes,
        commands::wallet_balance,
        commands::network_health,
        commands::smartcall_settings,
        commands::test_smartcall_settings,
        commands::save_smartcall_settings,
        commands::engine_settings,
        commands::set_pending_cancel_minutes,
        commands::set_route,
        commands::open_shift,
        commands::my_shift,
        commands::close_shift,
        commands::x_report,
        commands::z_report,
        commands::z_report_by_no,
        commands::z_numbers,
        commands::period_report,
        commands::export_report,
        commands::reconcile,
        commands::chain_status,
        commands::test_chain_link,
        commands::save_chain_link,
        commands::unlink_chain,
        commands::push_to_chain,
        commands::chain_tills,
        commands::chain_report,
        commands::chain_reconcile,
        commands::doctor,
        commands::list_users,
        commands::add_user,
        commands::sell_uk_credit,
        commands::sell_paid_by_mobile,
        commands::mobile_balance,
        commands::take_mobile_payment,
        commands::mobile_quote,
        commands::report_wallets,
        commands::mobile_rate,
        commands::set_mobile_rate,
        commands::check_mobile_payment,
        commands::buy_stock,
        commands::finish_stock_order,
        commands::stock_orders,
        commands::stock_levels,
        commands::stock_for_product,
        commands::sell_from_stock,
        commands::practice_outage,
        commands::decide_sale,
        commands::listener_status,
        commands::set_listener,
        commands::notifications,
        commands::confirm_network,
        commands::waiting_sales,
        commands::search_sales,
        commands::check_meter,
        commands::sell_electricity,
        commands::query_bill,
        commands::pay_bill,
        commands::set_system_printer,
        commands::print_voucher_sheet,
        commands::setup_needed,
        commands::update_status,
        commands::provider_accounts,
        commands::test_provider_account,
        commands::save_provider_account,
        commands::remove_provider_account,
        commands::test_setup_smartcall,
        commands::complete_setup,
        commands::people,
        commands::add_person,
        commands::change_person,
        commands::change_own_pin,
        commands::open_shifts,
        commands::close_shift_of,
    ])
}

/// Starts the app (in training mode when nothing is configured) and opens the window.
pub fn run() {
    // Kept until the window closes: the log file's last lines are written on drop.
    let _log = airtill_app::logging::init(airtill_app::logging::log_dir().as_deref(), "info");
    let opts = match OpenOptions::from_env() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("Airtill cannot start: {e}");
            std::process::exit(1);
        }
    };
    let opts_dir = opts.data_dir.clone();
    // A new till opens on the setup screen; a set-up one opens its ledger.
    let shell = match airtill_app::setup::needs_setup(&opts.data_dir) {
        Ok(true) => commands::Shell::not_set_up(opts.data_dir.clone()),
        Ok(false) => match tauri::async_runtime::block_on(Airtill::open(opts)) {
            Ok(a) => commands::Shell::new(a),
            Err(e) => {
                eprintln!("Airtill cannot start: {e}");
                std::process::exit(1);
            }
        },
        Err(e) => {
            eprintln!("Airtill cannot start: {e}");
            std::process::exit(1);
        }
    };
    let update_url = airtill_app::config::update_url(&opts_dir).unwrap_or_else(|e| {
        tracing::warn!("updates: {e}");
        None
    });
    let built = configure(tauri::Builder::default()).plugin(tauri_plugin_updater::Builder::new().build()).manage(shell).build(tauri::generate_context!());
    let app = match built {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Airtill cannot open its window: {e}");
            std::process::exit(1);
        }
    };
    if let Ok(a) = app.state::<commands::Shell>().app() {
        forward_sale_events(app.handle().clone(), a.subscribe_sales());
    }
    if let Some(url) = update_url {
        updates::check_at_start(app.handle().clone(), url);
    }
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            let shell = handle.state::<commands::Shell>();
            if let Ok(a) = shell.app() {
                tauri::async_runtime::block_on(a.shutdown());
            }
            // The till is closed: a checked update goes in now, never mid-sale.
            handle.state::<updates::Updates>().install_at_close();
        }
    });
}

/// The engine's sale changes, as `sale-changed` events to the window (screens update
/// without polling).
pub(crate) fn forward_sale_events<R: Runtime>(handle: tauri::AppHandle<R>, mut rx: tokio::sync::broadcast::Receiver<airtill_app::SaleChanged>) {
    use tauri::Emitter;
    tauri::async_runtime::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(c) => {
                    let _ = handle.emit(airtill_app::SALE_CHANGED_EVENT, airtill_app::SaleChangedEvent { sale_id: c.sale_id, state: c.state });
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(_) => return,
            }
        }
    });
}
