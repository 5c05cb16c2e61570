//! Where Airtill keeps its files and how it reaches its providers.
//!
//! With no configuration at all Airtill runs in training mode: the database goes in the
//! operating system's data folder and the Smartcall client talks to the embedded
//! sandbox. `airtill.toml` in the data folder can switch to a live account.

use crate::{AppError, Result};
use airtill_domain::network::PrefixTable;
use airtill_providers::{aat, ideamart, mx, smartcall};
use airtill_sandbox::{
    AAT_TRAINING_PASSWORD, AAT_TRAINING_USERNAME, IDEAMART_TRAINING_APP_ID, IDEAMART_TRAINING_PASSWORD, MX_TRAINING_PASSWORD, MX_TRAINING_USERNAME, TRAINING_PASSWORD, TRAINING_SMARTLOAD_ID,
    TRAINING_USERNAME,
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Training,
    Live,
}

#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub data_dir: PathBuf,
}

impl OpenOptions {
    /// `$AIRTILL_DATA_DIR` if set, else the OS data folder
    /// (`~/.local/share/airtill` on Linux).
    pub fn from_env() -> Result<OpenOptions> {
        if let Some(dir) = std::env::var_os("AIRTILL_DATA_DIR").filter(|d| !d.is_empty()) {
            return Ok(OpenOptions { data_dir: PathBuf::from(dir) });
        }
        let dirs = directories::ProjectDirs::from("za.co", "Airtill", "Airtill").ok_or_else(|| AppError::Configuration("this system has no home folder for Airtill's data".into()))?;
        Ok(OpenOptions { data_dir: dirs.data_dir().to_path_buf() })
    }
}

/// `airtill.toml`, as written by hand or by the settings screen.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shop_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub till_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smartcall: Option<SmartcallFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aat: Option<AatFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mx: Option<MxFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ideamart: Option<IdeamartFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<UpdatesFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub central: Option<CentralFile>,
}

/// The `[central]` section: the chain's books in PostgreSQL, where this till sends
/// what it records. No section: the till keeps its books alone, as always. The till
/// role's password is in the sealed credentials (`chain-password`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CentralFile {
    /// `postgres://ROLE@HOST:PORT/DATABASE`.
    pub url: String,
    /// This till's id in the chain (`rosebank-1`), given by the head office.
    pub till: String,
    /// The certificate authorities to trust for the chain's database (PEM), if not the
    /// system's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
}

/// The `[updates]` section: where the shop's supplier serves `latest.json` (signed
/// packages). No section: the app never looks for updates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdatesFile {
    pub url: String,
}

/// The supplier's update address, if the shop has one (https, or plain http to this
/// machine only).
pub fn update_url(data_dir: &std::path::Path) -> Result<Option<String>> {
    match read_file(data_dir)?.updates {
        None => Ok(None),
        Some(u) => {
            check_live_url(&u.url)?;
            Ok(Some(u.url))
        }
    }
}

/// The `[mx]` section: MX Telecom crediting (UK numbers). Password in the sealed
/// credentials (or `AIRTILL_MX_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MxFile {
    pub base_url: String,
    pub username: String,
    /// `plain` (default) or `xml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<String>,
}

/// The `[ideamart]` section: the mobile-balance tender. Password in the sealed
/// credentials (or `AIRTILL_IDEAMART_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IdeamartFile {
    pub base_url: String,
    pub application_id: String,
}

/// The `[aat]` section: a second provider of vouchers and direct recharges. The
/// password is in the sealed credentials (or `AIRTILL_AAT_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AatFile {
    pub base_url: String,
    pub username: String,
    /// `post` (default) or `get`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

/// The `[smartcall]` section. The password is never here: it is in the sealed
/// credentials file (or `AIRTILL_SMARTCALL_PASSWORD`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SmartcallFile {
    pub base_url: String,
    pub username: String,
    pub smartload_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

pub struct Config {
    pub mode: Mode,
    pub shop_name: String,
    pub till_id: String,
    smartcall: Option<SmartcallFile>,
    aat: Option<AatFile>,
    mx: Option<MxFile>,
    ideamart: Option<IdeamartFile>,
    data_dir: PathBuf,
}

pub(crate) fn config_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("airtill.toml")
}

pub(crate) fn read_file(data_dir: &std::path::Path) -> Result<FileConfig> {
    let path = config_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str::<FileConfig>(&text).map_err(|e| AppError::Configuration(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(AppError::Io(format!("cannot read {}: {e}", path.display()))),
    }
}

pub(crate) fn write_file(data_dir: &std::path::Path, file: &FileConfig) -> Result<()> {
    let path = config_path(data_dir);
    let text = toml::to_string(file).map_err(|e| AppError::Io(format!("the settings could not be written: {e}")))?;
    let body = format!("# Airtill settings. The settings screen rewrites this file; passwords are never kept here.\n{text}");
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, body).map_err(|e| AppError::Io(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, &path).map_err(|e| AppError::Io(format!("cannot write {}: {e}", path.display())))
}

pub fn load(opts: &OpenOptions) -> Result<Config> {
    let file = read_file(&opts.data_dir)?;
    Ok(Config {
        mode: file.mode.unwrap_or(Mode::Training),
        shop_name: file.shop_name.unwrap_or_else(|| "Demo Spaza Shop".into()),
        till_id: file.till_id.unwrap_or_else(|| "T1".into()),
        smartcall: file.smartcall,
        aat: file.aat,
        mx: file.mx,
        ideamart: file.ideamart,
        data_dir: opts.data_dir.clone(),
    })
}

const SALE_TIMEOUT: Duration = Duration::from_secs(45);

/// The password of the live Smartcall account: `AIRTILL_SMARTCALL_PASSWORD` if set,
/// else the sealed credentials file.
pub(crate) fn smartcall_password(data_dir: &std::path::Path) -> Result<Option<String>> {
    if let Ok(p) = std::env::var("AIRTILL_SMARTCALL_PASSWORD") {
        if !p.is_empty() {
            return Ok(Some(p));
        }
    }
    crate::credentials::Credentials::new(data_dir).get(SMARTCALL_CREDENTIAL)
}

pub(crate) const SMARTCALL_CREDENTIAL: &str = "smartcall";
pub(crate) const AAT_CREDENTIAL: &str = "aat";
pub(crate) const MX_CREDENTIAL: &str = "mx";
pub(crate) const IDEAMART_CREDENTIAL: &str = "ideamart";

pub fn training_mx(base_url: &str) -> mx::Config {
    mx::Config {
        base_url: base_url.to_string(),
        username: MX_TRAINING_USERNAME.into(),
        password: MX_TRAINING_PASSWORD.into(),
        response_format: mx::ResponseFormat::Plain,
        method: mx::HttpMethod::Post,
        connect_timeout: Duration::from_secs(5),
        request_timeout: SALE_TIMEOUT,
    }
}

pub fn training_ideamart(base_url: &str) -> ideamart::Config {
    ideamart::Config {
        base_url: base_url.to_string(),
        application_id: IDEAMART_TRAINING_APP_ID.into(),
        password: IDEAMART_TRAINING_PASSWORD.into(),
        connect_timeout: Duration::from_secs(5),
        request_timeout: SALE_TIMEOUT,
    }
}

/// The training AAT account on the embedded AAT sandbox.
pub fn training_aat(base_url: &str) -> aat::Config {
    aat::Config {
        base_url: base_url.to_string(),
        username: AAT_TRAINING_USERNAME.into(),
        password: AAT_TRAINING_PASSWORD.into(),
        method: aat::HttpMethod::Post,
        connect_timeout: Duration::from_secs(5),
        request_timeout: SALE_TIMEOUT,
    }
}

pub fn training_smartcall(base_url: &str) -> smartcall::Config {
    smartcall::Config {
        base_url: base_url.to_string(),
        username: TRAINING_USERNAME.into(),
        password: TRAINING_PASSWORD.into(),
        smartload_id: TRAINING_SMARTLOAD_ID.into(),
        connect_timeout: Duration::from_secs(5),
        request_timeout: SALE_TIMEOUT,
    }
}

impl Config {
    /// The live Smartcall account. The password comes from `AIRTILL_SMARTCALL_PASSWORD`
    /// or the sealed credentials file (never from the config file).
    pub fn live_smartcall(&self) -> Result<smartcall::Config> {
        let s = self.smartcall.as_ref().ok_or_else(|| AppError::Configuration("live mode needs a [smartcall] section in airtill.toml".into()))?;
        check_live_url(&s.base_url)?;
        let password = smartcall_password(&self.data_dir)?.ok_or_else(|| AppError::Configuration("live mode needs the Smartcall password: a manager sets it in Settings".into()))?;
        Ok(smartcall::Config {
            base_url: s.base_url.clone(),
            username: s.username.clone(),
            password,
            smartload_id: s.smartload_id.clone(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: s.timeout_seconds.map(Duration::from_secs).unwrap_or(SALE_TIMEOUT),
        })
    }
}

/// A live password: the environment variable, else the sealed credentials.
fn live_password(data_dir: &std::path::Path, env: &str, credential: &str, what: &str) -> Result<String> {
    match std::env::var(env).ok().filter(|p| !p.is_empty()) {
        Some(p) => Ok(p),
        None => crate::credentials::Credentials::new(data_dir).get(credential)?.ok_or_else(|| AppError::Configuration(format!("the {what} account needs its password: a manager sets it in Settings"))),
    }
}

impl Config {
    /// The live MX Telecom account, when `airtill.toml` has an `[mx]` section.
    pub fn live_mx(&self) -> Result<Option<mx::Config>> {
        let Some(m) = self.mx.as_ref() else {
            return Ok(None);
        };
        check_live_url(&m.base_url)?;
        let response_format = match m.response_format.as_deref() {
            None | Some("plain") => mx::ResponseFormat::Plain,
            Some("xml") => mx::ResponseFormat::Xml,
            Some(other) => return Err(AppError::Configuration(format!("[mx] response_format is plain or xml, not {other}"))),
        };
        Ok(Some(mx::Config {
            base_url: m.base_url.clone(),
            username: m.username.clone(),
            password: live_password(&self.data_dir, "AIRTILL_MX_PASSWORD", MX_CREDENTIAL, "MX Telecom")?,
            response_format,
            method: mx::HttpMethod::Post,
            connect_timeout: Duration::from_secs(10),
            request_timeout: SALE_TIMEOUT,
        }))
    }

    /// The live Ideamart application, when `airtill.toml` has an `[ideamart]` section.
    pub fn live_ideamart(&self) -> Result<Option<ideamart::Config>> {
        let Some(i) = self.ideamart.as_ref() else {
            return Ok(None);
        };
        check_live_url(&i.base_url)?;
        Ok(Some(ideamart::Config {
            base_url: i.base_url.clone(),
            application_id: i.application_id.clone(),
            password: live_password(&self.data_dir, "AIRTILL_IDEAMART_PASSWORD", IDEAMART_CREDENTIAL, "Ideamart")?,
            connect_timeout: Duration::from_secs(10),
            request_timeout: SALE_TIMEOUT,
        }))
    }
}

impl Config {
    /// The live AAT account, when `airtill.toml` has an `[aat]` section.
    pub fn live_aat(&self) -> Result<Option<aat::Config>> {
        let Some(a) = self.aat.as_ref() else {
            return Ok(None);
        };
        check_live_url(&a.base_url)?;
        let method = match a.method.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("post") => aat::HttpMethod::Post,
            Some("get") => aat::HttpMethod::Get,
            Some(other) => return Err(AppError::Configuration(format!("[aat] method is post or get, not {other}"))),
        };
        let password = match std::env::var("AIRTILL_AAT_PASSWORD").ok().filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => crate::credentials::Credentials::new(&self.data_dir)
                .get(AAT_CREDENTIAL)?
                .ok_or_else(|| AppError::Configuration("the AAT account needs its password: a manager sets it in Settings".into()))?,
        };
        Ok(Some(aat::Config {
            base_url: a.base_url.clone(),
            username: a.username.clone(),
            password,
            method,
            connect_timeout: Duration::from_secs(10),
            request_timeout: a.timeout_seconds.map(Duration::from_secs).unwrap_or(SALE_TIMEOUT),
        }))
    }
}

/// Live money only travels over HTTPS; plain HTTP is allowed to this machine alone.
/// The address is parsed (the `url` crate) and its host compared, never the text:
/// `http://127.0.0.1@example.invalid` goes to example.invalid and is refused.
pub fn check_live_url(text: &str) -> Result<()> {
    let url = url::Url::parse(text.trim()).map_err(|_| AppError::Configuration(format!("{text} is not a web address (http or https)")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AppError::Configuration(format!("{text} carries a user name or password in the address: give the address alone")));
    }
    let host = url.host().ok_or_else(|| AppError::Configuration(format!("{text} has no host")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let local = match host {
                url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
            };
            if local {
                Ok(())
            } else {
                Err(AppError::Configuration(format!("{text} is plain http: a live provider must be reached over https")))
            }
        }
        _ => Err(AppError::Configuration(format!("{text} is not a web address (http or https)"))),
    }
}

/// The prefix table: `za-prefixes.txt` in the data folder if the shop has one, else
/// the built-in table.
pub fn prefix_table(opts: &OpenOptions) -> Result<PrefixTable> {
    let path = opts.data_dir.join("za-prefixes.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => PrefixTable::parse(&text).map_err(|e| AppError::Configuration(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PrefixTable::builtin()),
        Err(e) => Err(AppError::Io(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_urls_must_be_https_unless_local() {
        assert!(check_live_url("https://www.smartcallesb.co.za:8100/webservice").is_ok());
        assert!(check_live_url("http://127.0.0.1:8080/webservice").is_ok());
        assert!(check_live_url("http://localhost:8080/x").is_ok());
        assert!(check_live_url("http://www.smartcallesb.co.za:8100/webservice").is_err());
        assert!(check_live_url("ftp://x").is_err());
        // The host is what the address goes to, not the text it starts with.
        for sly in
            ["http://127.0.0.1@example.invalid/webservice", "http://127.0.0.1.example.invalid/x", "http://localhost.example.invalid/", "http://user:pw@127.0.0.1/x", "https://user@smartcall.example/"]
        {
            assert!(check_live_url(sly).is_err(), "{sly}");
        }
        assert!(check_live_url("http://[::1]:8080/x").is_ok());
        assert!(check_live_url("http://127.0.0.2:8080/x").is_ok(), "all of 127/8 is this machine");
    }
}
