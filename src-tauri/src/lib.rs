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
    builder.manage(updates::Updates::default()).invoke_handler(commands::handler())
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
