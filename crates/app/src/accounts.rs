//! The optional provider accounts (AAT, MX Telecom, Ideamart): their forms on the
//! setup's last step and in Settings, each tested before it is saved. The address and
//! username go in `airtill.toml`; the password is sealed with the credentials, never in
//! a file. Bad input, or an account whose test fails, saves nothing. Saved accounts take
//! effect at the next start.

use crate::config::{self, check_live_url, AatFile, IdeamartFile, MxFile, AAT_CREDENTIAL, IDEAMART_CREDENTIAL, MX_CREDENTIAL};
use crate::credentials::Credentials;
use crate::views::ConnectionTestView;
use crate::{Airtill, AppError, Result, Session};
use airtill_providers::{aat, ideamart, mx, ErrorClass};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AccountProvider {
    Aat,
    Mx,
    Ideamart,
}

impl AccountProvider {
    pub fn label(self) -> &'static str {
        match self {
            AccountProvider::Aat => "AAT",
            AccountProvider::Mx => "MX Telecom",
            AccountProvider::Ideamart => "Ideamart",
        }
    }
    fn credential(self) -> &'static str {
        match self {
            AccountProvider::Aat => AAT_CREDENTIAL,
            AccountProvider::Mx => MX_CREDENTIAL,
            AccountProvider::Ideamart => IDEAMART_CREDENTIAL,
        }
    }
    pub const ALL: [AccountProvider; 3] = [AccountProvider::Aat, AccountProvider::Mx, AccountProvider::Ideamart];
}

/// A provider account's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderAccountInput {
    pub provider: AccountProvider,
    pub base_url: String,
    /// AAT's and MX's username; Ideamart's application id (`APP_000001`).
    pub username: String,
    /// Empty keeps the sealed one.
    pub password: Option<String>,
    /// Ideamart only: a number whose balance the test asks for (Ideamart has no
    /// account-wide call to try).
    pub test_number: Option<String>,
}

/// A provider account as saved (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderAccountView {
    pub provider: AccountProvider,
    pub label: String,
    pub configured: bool,
    pub base_url: String,
    pub username: String,
    pub password_set: bool,
    /// Saved settings take effect when Airtill starts again.
    pub restart_needed: bool,
}

/// A checked form: the address, the username and the password to use.
fn check(input: &ProviderAccountInput, stored: Option<String>) -> Result<(String, String, String)> {
    let who = input.provider.label();
    let url = input.base_url.trim().trim_end_matches('/').to_string();
    if url.is_empty() {
        return Err(AppError::BadInput(format!("Type {who}'s address (from its welcome letter).")));
    }
    if url.len() > 200 || url.contains(char::is_whitespace) || check_live_url(&url).is_err() {
        return Err(AppError::BadInput(format!("{who}'s address must start with https:// (plain http only to this computer).")));
    }
    let user = input.username.trim().to_string();
    if user.is_empty() || user.len() > 64 || user.contains(char::is_whitespace) {
        return Err(AppError::BadInput(match input.provider {
            AccountProvider::Ideamart => "Type the Ideamart application id (like APP_000001).".to_string(),
            _ => format!("Type the {who} username (no spaces, at most 64 characters)."),
        }));
    }
    let typed = input.password.as_deref().filter(|p| !p.is_empty()).map(str::to_string);
    if let Some(p) = &typed {
        if p.len() > 128 || p.chars().any(char::is_control) {
            return Err(AppError::BadInput(format!("That password has characters {who} does not accept.")));
        }
    }
    let password = typed.or(stored).ok_or_else(|| AppError::BadInput(format!("Type the {who} password.")))?;
    Ok((url, user, password))
}

/// Tries the account: reach it, log in, read something that needs the login.
async fn try_account(input: &ProviderAccountInput, url: &str, user: &str, password: &str) -> Result<ConnectionTestView> {
    let mut view = ConnectionTestView { reachable: false, logged_in: false, balance: None, message: String::new() };
    let (connect_timeout, request_timeout) = (Duration::from_secs(10), Duration::from_secs(20));
    match input.provider {
        AccountProvider::Aat => {
            let c = aat::Client::new(aat::Config { base_url: url.into(), username: user.into(), password: password.into(), method: aat::HttpMethod::Post, connect_timeout, request_timeout })
                .map_err(|e| AppError::Configuration(e.to_string()))?;
            match c.credit().await {
                Ok(credit) => {
                    let m = airtill_domain::Money::zar(credit.remaining_credit);
                    (view.reachable, view.logged_in, view.message) = (true, true, format!("Connected. AAT's credit is {m}."));
                }
                Err(e) => {
                    view.reachable = !matches!(e.class_for_read(), ErrorClass::Transient);
                    view.message = e.cashier_message().replace("Nothing was sold. ", "");
                }
            }
        }
        AccountProvider::Mx => {
            let c = mx::Client::new(mx::Config {
                base_url: url.into(),
                username: user.into(),
                password: password.into(),
                response_format: mx::ResponseFormat::Plain,
                method: mx::HttpMethod::Post,
                connect_timeout,
                request_timeout,
            })
            .map_err(|e| AppError::Configuration(e.to_string()))?;
            match c.balance().await {
                Ok((minor, currency)) => {
                    let m = airtill_domain::Money::new(minor, currency);
                    (view.reachable, view.logged_in, view.message) = (true, true, format!("Connected. The MX account holds {m}."));
                }
                Err(e) => {
                    view.reachable = !matches!(e.class_for_read(), ErrorClass::Transient);
                    view.message = e.cashier_message().replace("Nothing was sold. ", "");
                }
            }
        }
        AccountProvider::Ideamart => {
            let number = input
                .test_number
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| AppError::BadInput("Type a number to test with: Ideamart is tried by asking its balance.".into()))?;
            let c = ideamart::Client::new(ideamart::Config { base_url: url.into(), application_id: user.into(), password: password.into(), connect_timeout, request_timeout })
                .map_err(|e| AppError::Configuration(e.to_string()))?;
            match c.balance(number).await {
                Ok(_) => (view.reachable, view.logged_in, view.message) = (true, true, "Connected. Ideamart answered for the application.".to_string()),
                // The number's own trouble (not a subscriber, blocked): the application was accepted.
                Err(e @ ideamart::IdeamartError::Status { .. }) if e.class_for_read() != ErrorClass::Configuration => {
                    (view.reachable, view.logged_in, view.message) = (true, true, format!("Connected. Ideamart accepted the application ({e})."))
                }
                Err(e) => {
                    view.reachable = !matches!(e.class_for_read(), ErrorClass::Transient);
                    view.message = format!("{e}.");
                }
            }
        }
    }
    Ok(view)
}

impl Airtill {
    /// The sealed password of this provider, only when the form is for the account it
    /// belongs to (same address and user): never sent to an address typed in a form.
    fn stored_password_for(&self, input: &ProviderAccountInput) -> Result<Option<String>> {
        let file = config::read_file(self.data_dir())?;
        let (url, user) = (input.base_url.trim().trim_end_matches('/'), input.username.trim());
        let same = match input.provider {
            AccountProvider::Aat => file.aat.is_some_and(|a| a.base_url == url && a.username == user),
            AccountProvider::Mx => file.mx.is_some_and(|m| m.base_url == url && m.username == user),
            AccountProvider::Ideamart => file.ideamart.is_some_and(|i| i.base_url == url && i.application_id == user),
        };
        if same {
            Credentials::new(self.data_dir()).get(input.provider.credential())
        } else {
            Ok(None)
        }
    }

    fn account_view(&self, file: &config::FileConfig, p: AccountProvider, restart_needed: bool) -> Result<ProviderAccountView> {
        let (base_url, username) = match p {
            AccountProvider::Aat => file.aat.as_ref().map(|a| (a.base_url.clone(), a.username.clone())),
            AccountProvider::Mx => file.mx.as_ref().map(|m| (m.base_url.clone(), m.username.clone())),
            AccountProvider::Ideamart => file.ideamart.as_ref().map(|i| (i.base_url.clone(), i.application_id.clone())),
        }
        .unzip();
        Ok(ProviderAccountView {
            provider: p,
            label: p.label().into(),
            configured: base_url.is_some(),
            base_url: base_url.unwrap_or_default(),
            username: username.unwrap_or_default(),
            password_set: Credentials::new(self.data_dir()).get(p.credential())?.is_some(),
            restart_needed,
        })
    }

    /// The optional provider accounts as saved (manager).
    pub fn provider_accounts(&self, session: &Session) -> Result<Vec<ProviderAccountView>> {
        session.require_manager()?;
        let file = config::read_file(self.data_dir())?;
        AccountProvider::ALL.iter().map(|p| self.account_view(&file, *p, false)).collect()
    }

    /// *Test connection*: the account answers, or why not. Nothing is saved.
    pub async fn test_provider_account(&self, session: &Session, input: &ProviderAccountInput) -> Result<ConnectionTestView> {
        session.require_manager()?;
        let (url, user, password) = check(input, self.stored_password_for(input)?)?;
        try_account(input, &url, &user, &password).await
    }

    /// Tests the account, then saves it (the password sealed apart). A test that fails
    /// saves nothing.
    pub async fn save_provider_account(&self, session: &Session, input: &ProviderAccountInput) -> Result<ProviderAccountView> {
        session.require_manager()?;
        let creds = Credentials::new(self.data_dir());
        let (url, user, password) = check(input, self.stored_password_for(input)?)?;
        let test = try_account(input, &url, &user, &password).await?;
        if !test.logged_in {
            return Err(AppError::BadInput(format!("The {} account did not work, so nothing was saved: {}", input.provider.label(), test.message)));
        }
        let mut file = config::read_file(self.data_dir())?;
        match input.provider {
            AccountProvider::Aat => {
                let keep = file.aat.take();
                file.aat = Some(AatFile { base_url: url, username: user, method: keep.as_ref().and_then(|a| a.method.clone()), timeout_seconds: keep.and_then(|a| a.timeout_seconds) });
            }
            AccountProvider::Mx => {
                let keep = file.mx.take();
                file.mx = Some(MxFile { base_url: url, username: user, response_format: keep.and_then(|m| m.response_format) });
            }
            AccountProvider::Ideamart => file.ideamart = Some(IdeamartFile { base_url: url, application_id: user }),
        }
        let new_password = input.password.as_deref().is_some_and(|p| !p.is_empty());
        if new_password {
            creds.set(input.provider.credential(), &password)?;
        }
        config::write_file(self.data_dir(), &file)?;
        self.audit("settings", Some(session.user_id), &format!("{} account saved{}", input.provider.label(), if new_password { ", password replaced" } else { "" }))?;
        self.account_view(&file, input.provider, true)
    }

    /// Takes an optional account off this till (its sales stay in the books).
    pub fn remove_provider_account(&self, session: &Session, provider: AccountProvider) -> Result<ProviderAccountView> {
        session.require_manager()?;
        let mut file = config::read_file(self.data_dir())?;
        match provider {
            AccountProvider::Aat => file.aat = None,
            AccountProvider::Mx => file.mx = None,
            AccountProvider::Ideamart => file.ideamart = None,
        }
        config::write_file(self.data_dir(), &file)?;
        Credentials::new(self.data_dir()).remove(provider.credential())?;
        self.audit("settings", Some(session.user_id), &format!("{} account removed", provider.label()))?;
        self.account_view(&file, provider, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OpenOptions;

    #[tokio::test(flavor = "multi_thread")]
    async fn each_optional_account_is_tested_before_it_is_saved_and_used_at_the_next_start() {
        let aat_sb = airtill_sandbox::AatSandbox::start().await.unwrap();
        let mx_sb = airtill_sandbox::MxSandbox::start().await.unwrap();
        let im_sb = airtill_sandbox::IdeamartSandbox::start().await.unwrap();
        let smartcall = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::test_live::shop(dir.path(), &smartcall.base_url(), "").await;
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.login(crate::test_live::MANAGER_PIN).unwrap();
        let c = app.login(crate::test_live::CASHIER_PIN).unwrap();
        let form =
            |provider, url: String, user: &str, pw: &str| ProviderAccountInput { provider, base_url: url, username: user.into(), password: Some(pw.into()), test_number: Some("94771234567".into()) };
        let aat = form(AccountProvider::Aat, aat_sb.base_url(), airtill_sandbox::AAT_TRAINING_USERNAME, airtill_sandbox::AAT_TRAINING_PASSWORD);
        let mx = form(AccountProvider::Mx, mx_sb.base_url(), airtill_sandbox::MX_TRAINING_USERNAME, airtill_sandbox::MX_TRAINING_PASSWORD);
        let im = form(AccountProvider::Ideamart, im_sb.base_url(), airtill_sandbox::IDEAMART_TRAINING_APP_ID, airtill_sandbox::IDEAMART_TRAINING_PASSWORD);
        assert!(matches!(app.save_provider_account(&c, &aat).await, Err(AppError::Forbidden(_))));
        let before = std::fs::read_to_string(dir.path().join("airtill.toml")).unwrap();
        for good in [&aat, &mx, &im] {
            // A wrong password: the test says so and the save keeps nothing.
            let wrong = ProviderAccountInput { password: Some("wrong".into()), ..good.clone() };
            let t = app.test_provider_account(&m, &wrong).await.unwrap();
            assert!(t.reachable && !t.logged_in, "{:?}: {t:?}", good.provider);
            assert!(app.save_provider_account(&m, &wrong).await.unwrap_err().to_string().contains("nothing was saved"));
            for bad in [ProviderAccountInput { base_url: "http://example.com/x".into(), ..good.clone() }, ProviderAccountInput { username: " ".into(), ..good.clone() }] {
                assert!(matches!(app.save_provider_account(&m, &bad).await, Err(AppError::BadInput(_))));
            }
            assert_eq!(std::fs::read_to_string(dir.path().join("airtill.toml")).unwrap(), before, "bad input saves nothing");
        }
        for good in [&aat, &mx, &im] {
            let t = app.test_provider_account(&m, good).await.unwrap();
            assert!(t.logged_in, "{:?}: {t:?}", good.provider);
            let v = app.save_provider_account(&m, good).await.unwrap();
            assert!(v.configured && v.password_set && v.restart_needed);
        }
        // The sealed password goes only to the account it belongs to: a form with the
        // password left empty and another address is refused before anything is sent.
        let elsewhere = ProviderAccountInput { base_url: "http://127.0.0.1:9/MobileRecharge.asmx".into(), password: None, ..aat.clone() };
        assert!(app.test_provider_account(&m, &elsewhere).await.unwrap_err().to_string().contains("Type the AAT password"));
        let same = ProviderAccountInput { password: None, ..aat.clone() };
        assert!(app.test_provider_account(&m, &same).await.unwrap().logged_in, "the same account uses the sealed password");
        let smartcall_elsewhere = crate::SmartcallSettingsInput {
            mode: "live".into(),
            base_url: "http://127.0.0.1:9/webservice".into(),
            username: airtill_sandbox::TRAINING_USERNAME.into(),
            password: None,
            smartload_id: airtill_sandbox::TRAINING_SMARTLOAD_ID.into(),
            timeout_seconds: 45,
        };
        assert!(matches!(app.test_smartcall_settings(&m, &smartcall_elsewhere).await, Err(AppError::BadInput(_))));
        let toml = std::fs::read_to_string(dir.path().join("airtill.toml")).unwrap();
        assert!(toml.lines().all(|l| l.starts_with('#') || !l.to_lowercase().contains("password")), "no password in the file: {toml}");
        assert!(toml.contains("[aat]") && toml.contains("[mx]") && toml.contains("[ideamart]"), "{toml}");
        app.shutdown().await;
        drop(app);

        // The next start sells through them, with no environment variable.
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.login(crate::test_live::MANAGER_PIN).unwrap();
        assert!(app.provider_accounts(&m).unwrap().iter().all(|a| a.configured && a.password_set && !a.restart_needed));
        let rate = app.set_mobile_rate(&m, Some("18.235")).unwrap();
        assert!(rate.is_some());
        let balance = app.mobile_balance(&m, "94771234567").await.unwrap();
        assert!(balance.chargeable.minor > 0, "{balance:?}");
        let v = app.remove_provider_account(&m, AccountProvider::Mx).unwrap();
        assert!(!v.configured && !v.password_set);
        app.shutdown().await;
    }
}
