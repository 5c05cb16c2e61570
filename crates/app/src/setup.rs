//! The first start: what this till is. A practice till (training, with the demo
//! shop's people) or a live shop with exactly the people its owner enters, never the
//! demo people. The window's setup screen and `airtill setup` ask the same questions
//! and call [`setup`].
//!
//! The shop and its first person are written in one transaction, the commit point of
//! the whole first start: the settings file and the sealed Smartcall password are
//! written before it, and a start killed anywhere before the commit leaves no shop (the
//! next start asks again and writes them again), after it a whole shop.

use crate::config::{self, FileConfig, Mode};
use crate::credentials::Credentials;
use crate::views::{ConnectionTestView, SmartcallSettingsInput};
use crate::{auth, people, time, AppError, Result};
use airtill_store::{Role, Shop, Store};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// The setting keys of the shop's details printed on slips.
pub(crate) const ADDRESS_SETTING: &str = "shop_address";
pub(crate) const VAT_SETTING: &str = "shop_vat_number";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SetupKind {
    /// Training with the practice providers and the demo people.
    Practice,
    /// A real shop: real accounts, the owner as the first manager.
    Live,
}

/// The answers of the setup screen (and of `airtill setup`'s flags).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetupRequest {
    pub kind: SetupKind,
    pub shop_name: String,
    /// Printed on slips (lines separated by newlines or commas).
    pub address: String,
    /// Empty when the shop is not registered for VAT.
    pub vat_number: String,
    pub till_id: String,
    /// IANA name; empty means Africa/Johannesburg.
    pub time_zone: String,
    pub owner_name: String,
    pub manager_pin: String,
    pub manager_pin_again: String,
    /// The Smartcall account (a live shop's one required provider).
    pub smartcall: Option<SmartcallSettingsInput>,
}

/// What the setup made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetupDone {
    pub kind: SetupKind,
    pub shop_name: String,
    pub till_id: String,
    /// The people created: the owner alone in a live shop.
    pub people: Vec<String>,
    /// The Smartcall test's words (live).
    pub smartcall: Option<String>,
}

/// *Test connection* on the setup screen: the Smartcall account answers, or why not.
/// Nothing is saved.
pub async fn test_smartcall(form: &SmartcallSettingsInput) -> Result<ConnectionTestView> {
    crate::settings::checked_smartcall(form)?;
    crate::settings::test_smartcall_account(form, None).await
}

/// Whether this data folder still has no shop (the setup screen shows).
pub fn needs_setup(data_dir: &Path) -> Result<bool> {
    let db = data_dir.join("airtill.db");
    if !db.exists() {
        return Ok(true);
    }
    Ok(Store::open(&db)?.shop()?.is_none())
}

/// A till's id: 1 to 16 letters, digits, `-` or `_` (it is in every receipt's books).
fn check_till_id(id: &str) -> Result<String> {
    let id = id.trim();
    if id.is_empty() || id.len() > 16 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::BadInput("A till's name is 1 to 16 letters or digits (like T1 or FRONT-1).".into()));
    }
    Ok(id.to_string())
}

/// A South African VAT number: 10 digits starting with 4, or nothing.
fn check_vat(vat: &str) -> Result<String> {
    let v: String = vat.chars().filter(|c| !c.is_whitespace()).collect();
    if v.is_empty() {
        return Ok(v);
    }
    if v.len() != 10 || !v.starts_with('4') || !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::BadInput("A South African VAT number is 10 digits starting with 4 (leave it empty if the shop is not registered for VAT).".into()));
    }
    Ok(v)
}

fn check_shop_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::BadInput("Type the shop's name: it is printed on every slip.".into()));
    }
    if n.chars().count() > 60 || n.chars().any(char::is_control) {
        return Err(AppError::BadInput("A shop's name is at most 60 letters on one line.".into()));
    }
    Ok(n.to_string())
}

fn check_address(a: &str) -> Result<String> {
    let lines: Vec<&str> = a.split(['\n', ',']).map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() > 4 || lines.iter().any(|l| l.chars().count() > 48 || l.chars().any(char::is_control)) {
        return Err(AppError::BadInput("The address is at most 4 lines of 48 letters (it is printed on the slip).".into()));
    }
    Ok(lines.join("\n"))
}

/// Everything a live setup needs, checked before anything is written or sent.
struct Checked {
    shop: Shop,
    address: String,
    vat: String,
    zone: chrono_tz::Tz,
    owner: String,
    pin: String,
}

fn check(req: &SetupRequest) -> Result<Checked> {
    let training = req.kind == SetupKind::Practice;
    let shop_name = if training && req.shop_name.trim().is_empty() { "Practice Spaza Shop".to_string() } else { check_shop_name(&req.shop_name)? };
    let till_id = if training && req.till_id.trim().is_empty() { "T1".to_string() } else { check_till_id(&req.till_id)? };
    let zone = if req.time_zone.trim().is_empty() { time::DEFAULT_ZONE } else { time::parse_zone(&req.time_zone).map_err(AppError::BadInput)? };
    let address = check_address(&req.address)?;
    let vat = check_vat(&req.vat_number)?;
    let (owner, pin) = if training {
        (String::new(), String::new())
    } else {
        let owner = people::check_name(&req.owner_name).map_err(|_| AppError::BadInput("Type the owner's name (1 to 40 letters): the first manager.".into()))?;
        auth::check_new_pin(Role::Manager, &req.manager_pin)?;
        if req.manager_pin != req.manager_pin_again {
            return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()));
        }
        (owner, req.manager_pin.clone())
    };
    Ok(Checked { shop: Shop { name: shop_name, till_id, training }, address, vat, zone, owner, pin })
}

/// Sets this data folder up as a practice till or a live shop. Bad answers, or a live
/// Smartcall account whose test fails, save nothing.
pub async fn setup(data_dir: &Path, req: &SetupRequest) -> Result<SetupDone> {
    let checked = check(req)?;
    crate::make_private_dir(data_dir)?;
    if !needs_setup(data_dir)? {
        let shop = Store::open(&data_dir.join("airtill.db"))?.shop()?.expect("set up");
        return Err(AppError::BadInput(format!("This till is already set up: {} (till {}).", shop.name, shop.till_id)));
    }
    // Live: the Smartcall account must answer before anything is kept.
    let mut smartcall_words = None;
    let mut smartcall = None;
    if req.kind == SetupKind::Live {
        let form = req.smartcall.as_ref().ok_or_else(|| AppError::BadInput("A live shop needs its Smartcall account: fill it in and test it.".into()))?;
        let (section, password) = crate::settings::checked_smartcall(form)?;
        let test: ConnectionTestView = crate::settings::test_smartcall_account(form, None).await?;
        if !test.logged_in {
            return Err(AppError::BadInput(format!("The Smartcall account did not work, so nothing was saved: {}", test.message)));
        }
        smartcall_words = Some(test.message);
        smartcall = Some((section, password));
    }
    // The till's key (made now on a new till) peppers the PIN hashes and keys the
    // audit trail. The hash is slow: made before the transaction, never inside it.
    let mut store = Store::open(&data_dir.join("airtill.db"))?;
    let key = crate::till_key(&Credentials::new(data_dir), &store)?;
    store.set_audit_key(&crate::derive_key(&key, "airtill audit chain v1"), true)?;
    let pepper = auth::pepper_from(&key);
    let owner_hash = if req.kind == SetupKind::Live { Some(auth::hash_pin(&pepper, &checked.pin, auth::PinCost::Full)?) } else { None };
    let demo = if req.kind == SetupKind::Practice {
        vec![
            (crate::DEMO_MANAGER.0, Role::Manager, auth::hash_pin(&pepper, crate::DEMO_MANAGER.1, auth::PinCost::Practice)?),
            (crate::DEMO_CASHIER.0, Role::Cashier, auth::hash_pin(&pepper, crate::DEMO_CASHIER.1, auth::PinCost::Practice)?),
        ]
    } else {
        Vec::new()
    };

    // Before the commit point: the settings file and the sealed password.
    let mut file: FileConfig = config::read_file(data_dir).unwrap_or_default();
    file.mode = Some(if req.kind == SetupKind::Live { Mode::Live } else { Mode::Training });
    file.shop_name = Some(checked.shop.name.clone());
    file.till_id = Some(checked.shop.till_id.clone());
    if let Some((section, password)) = &smartcall {
        Credentials::new(data_dir).set(config::SMARTCALL_CREDENTIAL, password)?;
        file.smartcall = Some(section.clone());
    }
    config::write_file(data_dir, &file)?;

    // The commit point: the shop, its details and its people, whole or not at all.
    let now = time::now_ms();
    let mut made = Vec::new();
    store.atomically(|s| {
        if s.shop()?.is_some() {
            return Err(airtill_store::StoreError::Conflict("this till was set up by another start meanwhile".into()));
        }
        s.set_shop(&checked.shop)?;
        s.set_setting(crate::TIME_ZONE_SETTING, checked.zone.name())?;
        s.set_setting(ADDRESS_SETTING, &checked.address)?;
        s.set_setting(VAT_SETTING, &checked.vat)?;
        let mut first = None;
        if let Some(hash) = &owner_hash {
            first = Some(s.add_user(&checked.owner, Role::Manager, hash)?);
            made.push(checked.owner.clone());
        }
        for (name, role, hash) in &demo {
            s.add_user(name, *role, hash)?;
            made.push(name.to_string());
        }
        let what = if checked.shop.training { "practice till" } else { "live shop" };
        s.audit("setup", first, &format!("{what} {} till {} ({})", checked.shop.name, checked.shop.till_id, checked.zone.name()), now)
    })?;
    tracing::info!(shop = %checked.shop.name, till = %checked.shop.till_id, live = !checked.shop.training, "the till is set up");
    Ok(SetupDone { kind: req.kind, shop_name: checked.shop.name, till_id: checked.shop.till_id, people: made, smartcall: smartcall_words })
}

/// The shop's details for slips: its address lines and VAT number, if set.
pub(crate) fn shop_details(store: &Store) -> Result<(Vec<String>, Option<String>)> {
    let address = store.setting(ADDRESS_SETTING)?.unwrap_or_default();
    let vat = store.setting(VAT_SETTING)?.filter(|v| !v.is_empty());
    Ok((address.lines().map(str::to_string).filter(|l| !l.is_empty()).collect(), vat))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Airtill, OpenOptions};

    pub(crate) fn live_request(smartcall_url: &str) -> SetupRequest {
        SetupRequest {
            kind: SetupKind::Live,
            shop_name: "Mama Thandi's Spaza".into(),
            address: "12 Vilakazi St, Orlando West, Soweto".into(),
            vat_number: "4123456789".into(),
            till_id: "FRONT-1".into(),
            time_zone: String::new(),
            owner_name: "Thandi Mokoena".into(),
            manager_pin: "582931".into(),
            manager_pin_again: "582931".into(),
            smartcall: Some(SmartcallSettingsInput {
                mode: "live".into(),
                base_url: smartcall_url.into(),
                username: airtill_sandbox::TRAINING_USERNAME.into(),
                password: Some(airtill_sandbox::TRAINING_PASSWORD.into()),
                smartload_id: airtill_sandbox::TRAINING_SMARTLOAD_ID.into(),
                timeout_seconds: 45,
            }),
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_live_setup_makes_exactly_the_people_entered_and_no_demo_people() {
        let sandbox = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        assert!(needs_setup(dir.path()).unwrap());
        // An opened live folder with no shop is not set up: it never makes people.
        std::fs::write(dir.path().join("airtill.toml"), "mode = \"live\"\n").unwrap();
        assert!(matches!(Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await, Err(AppError::NotSetUp)));

        let good = live_request(&sandbox.base_url());
        let bad = [
            SetupRequest { manager_pin: "58293".into(), manager_pin_again: "58293".into(), ..good.clone() },
            SetupRequest { manager_pin_again: "582932".into(), ..good.clone() },
            SetupRequest { shop_name: "  ".into(), ..good.clone() },
            SetupRequest { vat_number: "12345".into(), ..good.clone() },
            SetupRequest { till_id: "front till 1".into(), ..good.clone() },
            SetupRequest { time_zone: "Soweto".into(), ..good.clone() },
            SetupRequest { owner_name: String::new(), ..good.clone() },
            SetupRequest { manager_pin: "2580".into(), manager_pin_again: "2580".into(), ..good.clone() },
            SetupRequest { smartcall: None, ..good.clone() },
            SetupRequest { smartcall: Some(SmartcallSettingsInput { password: Some("wrong".into()), ..good.smartcall.clone().unwrap() }), ..good.clone() },
        ];
        for req in &bad {
            let e = setup(dir.path(), req).await.unwrap_err();
            assert!(matches!(e, AppError::BadInput(_)), "{e}");
            assert!(needs_setup(dir.path()).unwrap(), "nothing saved for {e}");
        }
        let done = setup(dir.path(), &good).await.unwrap();
        assert_eq!(done.people, vec!["Thandi Mokoena".to_string()]);
        assert!(done.smartcall.unwrap().contains("Connected"));
        assert!(setup(dir.path(), &good).await.unwrap_err().to_string().contains("already set up"));

        // The shop opens live, with the owner alone; the demo PINs open nothing.
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        assert!(!app.is_training());
        assert!(matches!(app.login(crate::DEMO_MANAGER.1), Err(AppError::WrongPin)));
        assert!(matches!(app.login(crate::DEMO_CASHIER.1), Err(AppError::WrongPin)));
        let owner = app.login("582931").unwrap();
        assert_eq!((owner.name.as_str(), owner.role), ("Thandi Mokoena", Role::Manager));
        let people = app.people(&owner).unwrap();
        assert_eq!(people.len(), 1);
        let status = app.status(Some(&owner)).unwrap();
        assert_eq!((status.shop_name.as_str(), status.till_id.as_str()), ("Mama Thandi's Spaza", "FRONT-1"));
        assert_eq!(shop_details(&app.store()).unwrap(), (vec!["12 Vilakazi St".into(), "Orlando West".into(), "Soweto".into()], Some("4123456789".into())));
        app.shutdown().await;
    }

    #[cfg(unix)]
    #[tokio::test(flavor = "multi_thread")]
    async fn the_data_folder_and_the_ledger_are_the_till_users_alone() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("airtill");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let app = Airtill::open(OpenOptions { data_dir: dir.clone() }).await.unwrap();
        assert_eq!(mode(&dir), 0o700, "no other local user lists or reads the data folder");
        assert_eq!(mode(&dir.join("airtill.db")), 0o600, "nor the ledger");
        app.shutdown().await;
        drop(app);
        // A ledger an older version left readable is made private at the next start.
        std::fs::set_permissions(dir.join("airtill.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let app = Airtill::open(OpenOptions { data_dir: dir.clone() }).await.unwrap();
        assert_eq!(mode(&dir.join("airtill.db")), 0o600);
        app.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_practice_setup_has_the_demo_people() {
        let dir = tempfile::tempdir().unwrap();
        let req = SetupRequest {
            kind: SetupKind::Practice,
            shop_name: String::new(),
            address: String::new(),
            vat_number: String::new(),
            till_id: String::new(),
            time_zone: String::new(),
            owner_name: String::new(),
            manager_pin: String::new(),
            manager_pin_again: String::new(),
            smartcall: None,
        };
        let done = setup(dir.path(), &req).await.unwrap();
        assert_eq!(done.people, vec!["Lindiwe".to_string(), "Thabo".to_string()]);
        let app = Airtill::open(OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        assert!(app.is_training());
        assert!(app.login(crate::DEMO_MANAGER.1).is_ok());
        app.shutdown().await;
    }
}
