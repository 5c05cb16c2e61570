//! Signed updates from the shop's supplier. Off unless `airtill.toml` has
//! `[updates] url = "https://…/latest.json"`: then, at start, the app asks that static
//! file, downloads a newer package and checks its signature against the public key
//! built into the app (`make package` puts it there). A package whose signature does
//! not match is refused and said; a good one waits and is installed when the app closes
//! ("Update ready: install at close"), never while a sale is on the screen.

use std::sync::Mutex;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

/// What the updater found, for the header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct UpdateStatus {
    /// The version downloaded, checked and waiting to be installed at close.
    pub ready: Option<String>,
    /// Why the last check found nothing to install (a bad signature, an unreachable
    /// supplier), in words for the manager.
    pub problem: Option<String>,
}

/// The update waiting for the app to close.
#[derive(Default)]
pub struct Updates {
    ready: Mutex<Option<(Update, Vec<u8>)>>,
    problem: Mutex<Option<String>>,
}

impl Updates {
    pub fn status(&self) -> UpdateStatus {
        UpdateStatus { ready: self.ready.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|(u, _)| u.version.clone()), problem: self.problem.lock().unwrap_or_else(|p| p.into_inner()).clone() }
    }

    /// Installs the waiting update (called when the app closes).
    pub fn install_at_close(&self) {
        if let Some((update, bytes)) = self.ready.lock().unwrap_or_else(|p| p.into_inner()).take() {
            tracing::info!(version = %update.version, "installing the update at close");
            if let Err(e) = update.install(bytes) {
                tracing::error!("the update {} could not be installed: {e}", update.version);
            }
        }
    }
}

/// Asks `url` for a newer version; downloads it and checks its signature. `Ok(None)`:
/// this is the newest. A refused signature is an error, and nothing waits.
pub async fn check<R: Runtime>(handle: &AppHandle<R>, url: &str) -> Result<Option<String>, String> {
    let url: tauri::Url = url.parse().map_err(|e| format!("the update address {url} is not valid: {e}"))?;
    let updater = handle.updater_builder().endpoints(vec![url]).map_err(|e| e.to_string())?.timeout(std::time::Duration::from_secs(60)).build().map_err(|e| e.to_string())?;
    let Some(update) = updater.check().await.map_err(|e| format!("the supplier's update list could not be read: {e}"))? else {
        return Ok(None);
    };
    let bytes = update.download(|_, _| {}, || {}).await.map_err(|e| format!("update {} refused: {e}", update.version))?;
    let version = update.version.clone();
    if let Some(state) = handle.try_state::<Updates>() {
        *state.ready.lock().unwrap_or_else(|p| p.into_inner()) = Some((update, bytes));
        *state.problem.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
    Ok(Some(version))
}

/// The check at start, in the background: the till sells meanwhile.
pub fn check_at_start<R: Runtime>(handle: AppHandle<R>, url: String) {
    tauri::async_runtime::spawn(async move {
        match check(&handle, &url).await {
            Ok(Some(v)) => tracing::info!(version = %v, "an update is ready: it is installed when Airtill closes"),
            Ok(None) => tracing::info!("Airtill is up to date"),
            Err(e) => {
                tracing::warn!("{e}");
                if let Some(state) = handle.try_state::<Updates>() {
                    *state.problem.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                }
            }
        }
    });
}
