//! The manager's Smartcall settings: read, test and save. The same functions serve the
//! settings screen and the command line. Saved settings take effect at the next start.

use crate::config::{self, check_live_url, FileConfig, Mode, SmartcallFile, SMARTCALL_CREDENTIAL};
use crate::credentials::Credentials;
use crate::views::{ConnectionTestView, SmartcallSettingsInput, SmartcallSettingsView};
use crate::{Airtill, AppError, Result, Session};
use airtill_domain::Msisdn;
use airtill_providers::smartcall;
use std::time::Duration;

/// The QA service, offered as the default address.
pub const SMARTCALL_QA_URL: &str = "https://www.smartcallesb.co.za:8101/webservice";

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Training => "training",
        Mode::Live => "live",
    }
}

/// Checks a form; on success the section to write and the password to seal (if new).
fn validate(input: &SmartcallSettingsInput, have_password: bool) -> Result<(Mode, Option<SmartcallFile>, Option<String>)> {
    let mode = match input.mode.as_str() {
        "training" => Mode::Training,
        "live" => Mode::Live,
        _ => return Err(AppError::BadInput("The mode is training or live.".into())),
    };
    let url = input.base_url.trim();
    let any_account_field = !url.is_empty() || !input.username.trim().is_empty() || !input.smartload_id.trim().is_empty();
    if mode == Mode::Training && !any_account_field {
        return Ok((mode, None, None));
    }
    if url.is_empty() {
        return Err(AppError::BadInput(format!("Type Smartcall's address (for the QA service: {SMARTCALL_QA_URL}).")));
    }
    check_live_url(url).map_err(|_| AppError::BadInput("Smartcall's address must start with https:// (plain http only to this computer).".into()))?;
    if url.len() > 200 || url.contains(char::is_whitespace) {
        return Err(AppError::BadInput("That address is not valid.".into()));
    }
    let username = input.username.trim();
    if username.is_empty() || username.len() > 64 || username.contains(char::is_whitespace) {
        return Err(AppError::BadInput("Type the Smartcall username (no spaces, at most 64 characters).".into()));
    }
    let sid = Msisdn::parse(&input.smartload_id).map_err(|e| AppError::BadInput(format!("The Smartload ID is the account's cell number: {e}")))?;
    if !(5..=120).contains(&input.timeout_seconds) {
        return Err(AppError::BadInput("The time to wait for Smartcall is 5 to 120 seconds.".into()));
    }
    let password = input.password.as_deref().map(str::to_string).filter(|p| !p.is_empty());
    if let Some(p) = &password {
        if p.len() > 128 || p.chars().any(char::is_control) {
            return Err(AppError::BadInput("That password has characters Smartcall does not accept.".into()));
        }
    }
    if mode == Mode::Live && password.is_none() && !have_password {
        return Err(AppError::BadInput("Type the Smartcall password.".into()));
    }
    let section =
        SmartcallFile { base_url: url.trim_end_matches('/').to_string(), username: username.to_string(), smartload_id: sid.as_str().to_string(), timeout_seconds: Some(input.timeout_seconds) };
    Ok((mode, Some(section), password))
}

/// Tries a Smartcall account (reach, log in, read the wallet) without saving it.
/// With the form's password empty, `stored` is tried; with neither, it is refused
/// before anything is sent.
pub(crate) async fn test_smartcall_account(input: &SmartcallSettingsInput, stored: Option<String>) -> Result<ConnectionTestView> {
    let (_, section, password) = validate(&SmartcallSettingsInput { mode: "live".into(), ..input.clone() }, stored.is_some())?;
    let section = section.ok_or_else(|| AppError::BadInput("Fill in the Smartcall account first.".into()))?;
    let cfg = smartcall::Config {
        base_url: section.base_url.clone(),
        username: section.username.clone(),
        password: password.or(stored).unwrap_or_default(),
        smartload_id: section.smartload_id.clone(),
        connect_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(section.timeout_seconds.unwrap_or(45).min(20)),
    };
    let client = smartcall::Client::new(cfg).map_err(|e| AppError::Configuration(e.to_string()))?;
    let mut view = ConnectionTestView { reachable: false, logged_in: false, balance: None, message: String::new() };
    if let Err(e) = client.ping().await {
        view.message = e.cashier_message().replace("Nothing was sold. ", "");
        return Ok(view);
    }
    view.reachable = true;
    match client.balance().await {
        Ok(b) => {
            view.logged_in = true;
            view.balance = Some(airtill_domain::Money4::zar(b));
            view.message = format!("Connected. The Smartload wallet holds {}.", airtill_domain::Money4::zar(b));
        }
        Err(smartcall::SmartcallError::LoginRefused(why)) => view.message = format!("Smartcall refused the login: {why}."),
        Err(e) => {
            view.logged_in = !matches!(e, smartcall::SmartcallError::TokenRefused(_));
            view.message = e.cashier_message().replace("Nothing was sold. ", "");
        }
    }
    let _ = client.invalidate().await;
    Ok(view)
}

/// A checked Smartcall form: the section for `airtill.toml` and the password to seal.
pub(crate) fn checked_smartcall(input: &SmartcallSettingsInput) -> Result<(SmartcallFile, String)> {
    let (_, section, password) = validate(&SmartcallSettingsInput { mode: "live".into(), ..input.clone() }, false)?;
    Ok((section.ok_or_else(|| AppError::BadInput("Fill in the Smartcall account.".into()))?, password.ok_or_else(|| AppError::BadInput("Type the Smartcall password.".into()))?))
}

impl Airtill {
    fn settings_view(&self, file: &FileConfig, restart_needed: bool) -> Result<SmartcallSettingsView> {
        let s = file.smartcall.clone();
        Ok(SmartcallSettingsView {
            mode: mode_name(file.mode.unwrap_or(Mode::Training)).to_string(),
            base_url: s.as_ref().map(|s| s.base_url.clone()).unwrap_or_default(),
            username: s.as_ref().map(|s| s.username.clone()).unwrap_or_default(),
            smartload_id: s.as_ref().map(|s| s.smartload_id.clone()).unwrap_or_default(),
            timeout_seconds: s.as_ref().and_then(|s| s.timeout_seconds).unwrap_or(45),
            password_set: config::smartcall_password(self.data_dir())?.is_some(),
            running_mode: if self.is_training() { "training".into() } else { "live".into() },
            restart_needed,
        })
    }

    /// The saved Smartcall settings (never the password).
    pub fn smartcall_settings(&self, session: &Session) -> Result<SmartcallSettingsView> {
        session.require_manager()?;
        let file = config::read_file(self.data_dir())?;
        self.settings_view(&file, false)
    }

    /// Tries a form's account without saving it: reach, log in, read the wallet.
    pub async fn test_smartcall_settings(&self, session: &Session, input: &SmartcallSettingsInput) -> Result<ConnectionTestView> {
        session.require_manager()?;
        // The stored password goes only to the stored account: typed into a form with
        // another address or user, it is never sent there.
        let saved = config::read_file(self.data_dir())?.smartcall;
        let same = saved.is_some_and(|s| s.base_url == input.base_url.trim().trim_end_matches('/') && s.username == input.username.trim());
        let stored = if same { config::smartcall_password(self.data_dir())? } else { None };
        test_smartcall_account(input, stored).await
    }

    /// Saves the settings (the password sealed apart). Bad input changes nothing.
    pub fn save_smartcall_settings(&self, session: &Session, input: &SmartcallSettingsInput) -> Result<SmartcallSettingsView> {
        session.require_manager()?;
        let stored = config::smartcall_password(self.data_dir())?;
        let (mode, section, password) = validate(input, stored.is_some())?;
        // A practice till's people are the guide's demo people: it never becomes a live
        // shop. A live shop is set up with its own owner and PIN.
        if mode == Mode::Live && self.is_training() {
            return Err(AppError::BadInput(
                "This is a practice till: its people are the demo people whose PINs are in the guide, so it cannot become a live shop. Set the live shop up in its own data folder (airtill setup --live --data-dir FOLDER), or move this folder aside and start Airtill again to get the setup screen. Nothing was saved.".into(),
            ));
        }
        let before = config::read_file(self.data_dir())?;
        let mut file = before.clone();
        file.mode = Some(mode);
        if section.is_some() {
            file.smartcall = section;
        }
        let password_changed = password.is_some();
        if let Some(p) = password {
            Credentials::new(self.data_dir()).set(SMARTCALL_CREDENTIAL, &p)?;
        }
        config::write_file(self.data_dir(), &file)?;
        tracing::info!(user = %session.name, mode = mode_name(mode), "Smartcall settings saved");
        self.audit("settings", Some(session.user_id), &format!("Smartcall account: mode {}", mode_name(mode)))?;
        if password_changed {
            self.audit("credentials", Some(session.user_id), "Smartcall password replaced")?;
        }
        let running = if self.is_training() { Mode::Training } else { Mode::Live };
        let changed = before.smartcall != file.smartcall || password_changed;
        self.settings_view(&file, mode != running || (mode == Mode::Live && changed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SmartcallSettingsInput {
        SmartcallSettingsInput {
            mode: "live".into(),
            base_url: SMARTCALL_QA_URL.into(),
            username: "shop1".into(),
            password: Some("pw".into()),
            smartload_id: "082 000 0001".into(),
            timeout_seconds: 45,
        }
    }

    #[test]
    fn forms_are_checked() {
        let (mode, s, p) = validate(&input(), false).unwrap();
        assert_eq!((mode, s.unwrap().smartload_id, p.as_deref()), (Mode::Live, "27820000001".to_string(), Some("pw")));
        let plain = SmartcallSettingsInput { base_url: "http://www.smartcallesb.co.za:8100/webservice".into(), ..input() };
        assert!(validate(&plain, false).unwrap_err().to_string().contains("https"));
        let no_pw = SmartcallSettingsInput { password: None, ..input() };
        assert!(validate(&no_pw, false).is_err());
        assert!(validate(&no_pw, true).is_ok(), "the stored password is kept");
        let slow = SmartcallSettingsInput { timeout_seconds: 600, ..input() };
        assert!(validate(&slow, true).is_err());
        let bad_id = SmartcallSettingsInput { smartload_id: "12".into(), ..input() };
        assert!(validate(&bad_id, true).unwrap_err().to_string().contains("Smartload ID"));
        let training = SmartcallSettingsInput { mode: "training".into(), base_url: String::new(), username: String::new(), smartload_id: String::new(), password: None, timeout_seconds: 45 };
        assert_eq!(validate(&training, false).unwrap().1, None);
    }
}
