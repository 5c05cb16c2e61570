//! The AAT HTTP client: one call per operation, every declared parameter sent, the
//! XML answer read by local name.

use super::error::{AatCode, AatError};
use super::types::{self, *};
pub use crate::http::HttpMethod;
use crate::http::{failure, form, Failure};
use crate::xml;
use std::time::Duration;

/// A failed call in AAT's terms.
fn classify(e: reqwest::Error) -> AatError {
    match failure(e) {
        Failure::Unreachable(c) => AatError::Unreachable(c),
        Failure::TimedOut => AatError::TimedOut,
        Failure::Dropped(c) => AatError::Dropped(c),
        Failure::Invalid(c) => AatError::Invalid(format!("the AAT address is not valid: {c}")),
    }
}

#[derive(Clone)]
pub struct Config {
    /// `https://mobilerechargeapi.gsm.co.za/MobileRecharge.asmx`
    pub base_url: String,
    pub username: String,
    pub password: String,
    pub method: HttpMethod,
    pub connect_timeout: Duration,
    /// Time allowed for a whole call once connected; running out after sending a
    /// recharge leaves it in doubt.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("base_url", &self.base_url).field("username", &self.username).field("password", &"<hidden>").field("method", &self.method).finish()
    }
}

/// One network with its voucher types and their vouchers: the spec's recharge
/// process (network → voucher type → voucher) as one catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogNetwork {
    pub network: NetworkInfo,
    pub types: Vec<(VoucherTypeInfo, Vec<VoucherDetails>)>,
}

pub struct Client {
    http: reqwest::Client,
    cfg: Config,
}

impl Client {
    pub fn new(cfg: Config) -> Result<Client, AatError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("Airtill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AatError::Invalid(format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, cfg })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Calls `<base>/<operation>` with the credentials and `params`; the XML root.
    async fn call(&self, operation: &str, params: &[(&'static str, String)]) -> Result<xml::Element, AatError> {
        let mut pairs: Vec<(&str, String)> = vec![("username", self.cfg.username.clone()), ("password", self.cfg.password.clone())];
        pairs.extend(params.iter().map(|(k, v)| (*k, v.clone())));
        let url = format!("{}/{operation}", self.cfg.base_url.trim_end_matches('/'));
        let req = match self.cfg.method {
            HttpMethod::Post => self.http.post(&url).header("Content-Type", "application/x-www-form-urlencoded").body(form(&pairs)),
            HttpMethod::Get => self.http.get(format!("{url}?{}", form(&pairs))),
        };
        tracing::debug!(operation, "aat request");
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(classify)?;
        tracing::debug!(operation, status = status.as_u16(), "aat answer");
        read_answer(status.as_u16(), &body)
    }

    /// `GetNetwork`: the network a number belongs to (`27...`).
    pub async fn network(&self, msisdn: &str) -> Result<NetworkInfo, AatError> {
        let root = self.call("GetNetwork", &[("msisdn", msisdn.trim().to_string())]).await?;
        types::network(&root)
    }

    /// `GetNetworkList`.
    pub async fn networks(&self) -> Result<Vec<NetworkInfo>, AatError> {
        let root = self.call("GetNetworkList", &[]).await?;
        types::list(&root, "NetworkInfo", types::network)
    }

    /// `GetVoucherType` for a network.
    pub async fn voucher_types(&self, network_id: i64) -> Result<Vec<VoucherTypeInfo>, AatError> {
        let root = self.call("GetVoucherType", &[("networkId", network_id.to_string())]).await?;
        types::list(&root, "VoucherTypeInfo", types::voucher_type)
    }

    /// `GetVoucher` for a network and voucher type.
    pub async fn vouchers(&self, network_id: i64, voucher_type: i64) -> Result<Vec<VoucherDetails>, AatError> {
        let root = self.call("GetVoucher", &[("networkId", network_id.to_string()), ("vouchertype", voucher_type.to_string())]).await?;
        types::list(&root, "VoucherDetails", types::voucher)
    }

    /// One of the six recharge calls, as the request chose from the voucher's details.
    pub async fn recharge(&self, req: &RechargeRequest) -> Result<RechargeInfo, AatError> {
        let root = self.call(req.operation(), &req.params()).await?;
        types::recharge(&root)
    }

    /// `GetUserCredit`: the account's remaining credit.
    pub async fn credit(&self) -> Result<UserCredit, AatError> {
        let root = self.call("GetUserCredit", &[]).await?;
        types::credit(&root)
    }

    /// `GetTransactionInfo`: AAT's record of the sale with this client reference.
    pub async fn transaction(&self, client_ref: &str) -> Result<TransactionInfo, AatError> {
        let root = self.call("GetTransactionInfo", &[("clientRef", client_ref.to_string())]).await?;
        types::transaction(&root)
    }

    /// `GetTransactionCount` between two days (inclusive, `YYYY-MM-DD`).
    pub async fn transaction_count(&self, start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<TransactionCount, AatError> {
        if end < start {
            return Err(AatError::Invalid("The end date is before the start date.".into()));
        }
        let root = self.call("GetTransactionCount", &[("startdate", start.format("%Y-%m-%d").to_string()), ("enddate", end.format("%Y-%m-%d").to_string())]).await?;
        types::count(&root)
    }

    /// `GetUserStatus`: testing or live, enabled or not.
    pub async fn user_status(&self) -> Result<UserStatus, AatError> {
        let root = self.call("GetUserStatus", &[]).await?;
        types::user_status(&root)
    }

    /// The recharge process as a catalog: every network, its voucher types, their
    /// vouchers. A type with no vouchers is kept with an empty list.
    pub async fn catalog(&self) -> Result<Vec<CatalogNetwork>, AatError> {
        let mut out = Vec::new();
        for network in self.networks().await? {
            let mut kinds = Vec::new();
            let types = match self.voucher_types(network.id).await {
                Ok(t) => t,
                Err(AatError::Refused { code: AatCode::NoVoucherTypes | AatCode::NoNetwork, .. }) => Vec::new(),
                Err(e) => return Err(e),
            };
            for t in types {
                let vouchers = match self.vouchers(network.id, t.id).await {
                    Ok(v) => v,
                    Err(AatError::Refused { code: AatCode::NoVoucher | AatCode::NoNetwork, .. }) => Vec::new(),
                    Err(e) => return Err(e),
                };
                kinds.push((t, vouchers));
            }
            out.push(CatalogNetwork { network, types: kinds });
        }
        Ok(out)
    }
}

/// An answer's status and body → its XML root, or the error it carries.
pub(crate) fn read_answer(status: u16, body: &[u8]) -> Result<xml::Element, AatError> {
    let text = String::from_utf8_lossy(body);
    if status == 500 {
        // ASMX: "System.InvalidOperationException: Missing parameter: clientRef."
        if let Some(rest) = text.split("Missing parameter:").nth(1) {
            let name = rest.trim().split(|c: char| c == '.' || c.is_whitespace()).next().unwrap_or("").to_string();
            return Err(AatError::MissingParameter(name));
        }
        return Err(AatError::Server(500));
    }
    if status >= 500 {
        return Err(AatError::Server(status));
    }
    if !(200..300).contains(&status) {
        return Err(AatError::BadAnswer { status, detail: text.chars().take(200).collect() });
    }
    xml::parse(&text).map_err(|detail| AatError::BadAnswer { status, detail })
}

/// Every reader of AAT's answers on one body (for the fuzzer).
#[cfg(test)]
pub(crate) fn fuzz_entry(body: &[u8], status: u16) {
    let _ = super::Callback::parse(body);
    if let Ok(root) = read_answer(status, body) {
        let _ = types::network(&root);
        let _ = types::list(&root, "NetworkInfo", types::network);
        let _ = types::list(&root, "VoucherTypeInfo", types::voucher_type);
        let _ = types::list(&root, "VoucherDetails", types::voucher);
        if let Ok(r) = types::recharge(&root) {
            assert!(r.voucher_pin.as_deref().is_none_or(|p| !p.is_empty() && p.trim() == p));
        }
        let _ = types::credit(&root);
        let _ = types::transaction(&root);
        let _ = types::count(&root);
        let _ = types::user_status(&root);
    }
}
