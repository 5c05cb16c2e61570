//! The Smartcall HTTP client: one shared token per user, one login in flight, a retry
//! on 401, a flush on 429, renewal before expiry and before the 4-hour idle limit,
//! and every answer read through the three error envelopes.

use super::codes::{CancelCode, ErrorCode, NetworkCode};
use super::conventions;
use super::error::SmartcallError;
use super::payments::*;
use super::rica::*;
use super::types::*;
use airtill_domain::clock::{Clock, SystemClock};
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// How to reach one Smartcall account.
#[derive(Clone)]
pub struct Config {
    /// `https://www.smartcallesb.co.za:8101/webservice` (QA) or port 8100 (live); no
    /// trailing slash needed.
    pub base_url: String,
    pub username: String,
    pub password: String,
    /// The Smartload account (an MSISDN) that sells.
    pub smartload_id: String,
    pub connect_timeout: Duration,
    /// Time allowed for a whole call once connected. A call that runs out of it after
    /// sending is in doubt.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").field("base_url", &self.base_url).field("username", &self.username).field("password", &"<hidden>").field("smartload_id", &self.smartload_id).finish()
    }
}

/// A catalog fetch that honours `ETag` / `If-None-Match`.
#[derive(Debug, Clone)]
pub enum Fetched<T> {
    /// HTTP 304: the copy the caller holds is current.
    NotModified,
    Fresh {
        etag: Option<String>,
        value: T,
    },
}

struct Token {
    value: String,
    /// Epoch ms, from the login answer.
    expires_at_ms: i64,
    /// Epoch ms of the last call that used it.
    last_used_ms: i64,
}

/// Renew this long before the provider's expiry.
pub const EXPIRY_MARGIN_MS: i64 = 5 * 60 * 1000;
/// Smartcall drops tokens unused for 4 hours; renew 5 minutes before.
pub const IDLE_LIMIT_MS: i64 = 4 * 3600 * 1000 - 5 * 60 * 1000;

pub struct Client {
    http: reqwest::Client,
    cfg: Config,
    clock: Arc<dyn Clock>,
    token: Mutex<Option<Token>>,
    logins: AtomicU64,
}

enum Auth {
    None,
    Basic,
    Bearer,
}

/// A response that came back, before envelope checks.
struct Answer {
    status: StatusCode,
    etag: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    response_code: Option<String>,
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    response_description: Option<String>,
}

/// One path segment, percent-encoded (`02/1234` → `02%2F1234`).
fn seg(s: &str) -> String {
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    utf8_percent_encode(s, SEGMENT).to_string()
}

impl Client {
    pub fn new(cfg: Config) -> Result<Client, SmartcallError> {
        Client::with_clock(cfg, Arc::new(SystemClock))
    }

    /// A client whose token clock is `clock` (tests move it instead of waiting).
    pub fn with_clock(cfg: Config, clock: Arc<dyn Clock>) -> Result<Client, SmartcallError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("Airtill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmartcallError::Invalid(format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, cfg, clock, token: Mutex::new(None), logins: AtomicU64::new(0) })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// How many logins this client has made (for support and tests).
    pub fn login_count(&self) -> u64 {
        self.logins.load(Ordering::SeqCst)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base_url.trim_end_matches('/'), path)
    }

    async fn send(&self, method: Method, path: &str, body: Option<Vec<u8>>, auth: &Auth, bearer: Option<&str>, if_none_match: Option<&str>) -> Result<Answer, SmartcallError> {
        let mut req = self.http.request(method.clone(), self.url(path)).header("Accept", "application/json");
        match auth {
            Auth::None => {}
            Auth::Basic => {
                let pair = format!("{}:{}", self.cfg.username, self.cfg.password);
                let enc = base64::engine::general_purpose::STANDARD.encode(pair);
                req = req.header("Authorization", format!("Basic {enc}"));
            }
            Auth::Bearer => {
                req = req.header("Authorization", format!("Bearer {}", bearer.unwrap_or_default()));
            }
        }
        if let Some(tag) = if_none_match {
            req = req.header("If-None-Match", tag);
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        } else if method == Method::POST {
            req = req.header("Content-Type", "application/json");
        }
        tracing::debug!(%method, path = redact_path(path), "smartcall request");
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let etag = header("ETag");
        let content_type = header("Content-Type");
        let body = resp.bytes().await.map_err(classify)?.to_vec();
        tracing::debug!(%method, path = redact_path(path), status = status.as_u16(), "smartcall answer");
        Ok(Answer { status, etag, content_type, body })
    }

    /// A call with the shared bearer token, logging in when needed and once more on a 401.
    async fn authed(&self, method: Method, path: &str, body: Option<Vec<u8>>, if_none_match: Option<&str>) -> Result<Answer, SmartcallError> {
        let token = self.bearer().await?;
        let answer = self.send(method.clone(), path, body.clone(), &Auth::Bearer, Some(&token), if_none_match).await?;
        if answer.status != StatusCode::UNAUTHORIZED {
            return Ok(answer);
        }
        // A 401 is checked before the call does anything: safe to repeat with a new token.
        self.forget_token(&token).await;
        let token = self.bearer().await?;
        let answer = self.send(method, path, body, &Auth::Bearer, Some(&token), if_none_match).await?;
        if answer.status == StatusCode::UNAUTHORIZED {
            self.forget_token(&token).await;
            let env = serde_json::from_slice::<Envelope>(&answer.body).ok();
            let why = env.and_then(|e| e.response_description.or(e.message)).unwrap_or_else(|| "token refused".into());
            return Err(SmartcallError::TokenRefused(why));
        }
        Ok(answer)
    }

    /// The current token, logging in first when there is none, when it is within 5
    /// minutes of `expiresAt`, or when it has been idle nearly 4 hours. The lock is
    /// held through the login, so concurrent callers wait for one login.
    async fn bearer(&self) -> Result<String, SmartcallError> {
        let mut slot = self.token.lock().await;
        let now = self.clock.now_ms();
        if let Some(t) = slot.as_mut() {
            let fresh = t.expires_at_ms - EXPIRY_MARGIN_MS > now && now - t.last_used_ms < IDLE_LIMIT_MS;
            if fresh {
                t.last_used_ms = now;
                return Ok(t.value.clone());
            }
        }
        let auth = match self.login().await {
            Err(SmartcallError::SessionLimit(_)) => {
                // Every one of the user's 20 tokens is taken (tokens lost by crashed
                // tills): flush them all with Basic auth and log in once more.
                tracing::warn!("Smartcall session limit reached: flushing the user's tokens");
                self.flush().await?;
                self.login().await?
            }
            other => other?,
        };
        let value = auth.access_token.clone().unwrap_or_default();
        let now = self.clock.now_ms();
        *slot = Some(Token { value: value.clone(), expires_at_ms: auth.expires_at.unwrap_or(now + 24 * 3600 * 1000), last_used_ms: now });
        Ok(value)
    }

    async fn forget_token(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    /// `POST /auth` with Basic credentials. Prefer the shared token: this makes a new one.
    pub async fn login(&self) -> Result<AuthResponse, SmartcallError> {
        self.logins.fetch_add(1, Ordering::SeqCst);
        let a = self.send(Method::POST, "/auth", None, &Auth::Basic, None, None).await?;
        let parsed = serde_json::from_slice::<AuthResponse>(&a.body);
        match (a.status, parsed) {
            (s, Ok(r)) if s.is_success() && r.access_token.as_deref().is_some_and(|t| !t.is_empty()) => Ok(r),
            (StatusCode::TOO_MANY_REQUESTS, r) => Err(SmartcallError::SessionLimit(r.ok().and_then(|r| r.response_description).unwrap_or_else(|| "session limit".into()))),
            (StatusCode::UNAUTHORIZED, r) => Err(SmartcallError::LoginRefused(r.ok().and_then(|r| r.response_description).unwrap_or_else(|| "login refused".into()))),
            (s, _) => Err(read_failure(&a.body, s.as_u16())),
        }
    }

    /// `DELETE /auth`: give the token back (on shutdown).
    pub async fn invalidate(&self) -> Result<(), SmartcallError> {
        let token = self.token.lock().await.take();
        if let Some(t) = token {
            let a = self.send(Method::DELETE, "/auth", None, &Auth::Bearer, Some(&t.value), None).await?;
            if !a.status.is_success() && a.status != StatusCode::UNAUTHORIZED {
                return Err(read_failure(&a.body, a.status.as_u16()));
            }
        }
        Ok(())
    }

    /// `DELETE /auth/token` with Basic auth: invalidates ALL of the user's tokens.
    pub async fn flush(&self) -> Result<TokenQuery, SmartcallError> {
        let a = self.send(Method::DELETE, "/auth/token", None, &Auth::Basic, None, None).await?;
        if a.status == StatusCode::UNAUTHORIZED {
            return Err(SmartcallError::LoginRefused(auth_description(&a.body)));
        }
        decode(a)
    }

    /// `GET /auth/token`: how many more tokens may be taken.
    pub async fn token_query(&self) -> Result<TokenQuery, SmartcallError> {
        let a = self.send(Method::GET, "/auth/token", None, &Auth::Basic, None, None).await?;
        if a.status == StatusCode::UNAUTHORIZED {
            return Err(SmartcallError::LoginRefused(auth_description(&a.body)));
        }
        decode(a)
    }

    /// `GET /test/ping` (no authentication).
    pub async fn ping(&self) -> Result<Pong, SmartcallError> {
        let a = self.send(Method::GET, "/test/ping", None, &Auth::None, None, None).await?;
        decode(a)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, SmartcallError> {
        decode(self.authed(Method::GET, path, None, None).await?)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, SmartcallError> {
        let bytes = serde_json::to_vec(body).map_err(|e| SmartcallError::Invalid(e.to_string()))?;
        decode(self.authed(Method::POST, path, Some(bytes), None).await?)
    }

    async fn etagged<T: DeserializeOwned>(&self, path: &str, etag: Option<&str>) -> Result<Fetched<T>, SmartcallError> {
        let a = self.authed(Method::GET, path, None, etag).await?;
        if a.status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let etag = a.etag.clone();
        decode::<T>(a).map(|value| Fetched::Fresh { etag, value })
    }

    // ---- Smartload -------------------------------------------------------------

    /// `GET /smartload/balance/{smartloadId}` for the configured account: the wallet,
    /// in ten-thousandths of a rand (Smartcall keeps four decimals).
    pub async fn balance(&self) -> Result<i64, SmartcallError> {
        self.balance_of(&self.cfg.smartload_id.clone()).await
    }

    /// The balance of any Smartload account registered to the user.
    pub async fn balance_of(&self, smartload_id: &str) -> Result<i64, SmartcallError> {
        self.get::<BalanceResponse>(&format!("/smartload/balance/{}", seg(smartload_id))).await.map(|b| b.balance)
    }

    /// `GET /smartload/registered/{msisdn}`: is this number a Smartload dealer?
    pub async fn dealer_registered(&self, msisdn: &str) -> Result<bool, SmartcallError> {
        self.get::<Registered>(&format!("/smartload/registered/{}", seg(msisdn))).await.map(|r| r.registered)
    }

    /// `GET /smartload/networks`, with `If-None-Match` when a cached `etag` is given.
    pub async fn networks(&self, etag: Option<&str>) -> Result<Fetched<Vec<Network>>, SmartcallError> {
        Ok(match self.etagged::<NetworksResponse>("/smartload/networks", etag).await? {
            Fetched::NotModified => Fetched::NotModified,
            Fetched::Fresh { etag, value } => Fetched::Fresh { etag, value: value.networks },
        })
    }

    /// `GET /smartload/networks/{networkId}` (no wrapper), with `If-None-Match`.
    pub async fn network(&self, network_id: i64, etag: Option<&str>) -> Result<Fetched<Network>, SmartcallError> {
        self.etagged(&format!("/smartload/networks/{network_id}"), etag).await
    }

    /// `GET /smartload/products/{productId}`: the product in both `smsIndicator` variants.
    pub async fn product(&self, product_id: i64) -> Result<Vec<Product>, SmartcallError> {
        self.get::<ProductsResponse>(&format!("/smartload/products/{product_id}")).await.map(|r| r.products)
    }

    /// `POST /smartload/recharges`. The client reference in `req` must already be
    /// committed locally with its sale. Success means "submitted"; the final state comes
    /// from [`Client::transaction`].
    pub async fn recharge(&self, req: &RechargeRequest) -> Result<Recharge, SmartcallError> {
        check_recharge(req)?;
        #[derive(Deserialize)]
        struct R {
            recharge: Option<Recharge>,
        }
        let r: R = self.post("/smartload/recharges", req).await?;
        r.recharge.ok_or(SmartcallError::BadAnswer { status: 200, detail: "no recharge in a successful answer".into() })
    }

    /// `POST /smartload/v2/recharges`: the final state in the answer (mobile products;
    /// electricity behaves as [`Client::recharge`]). `statusCode` 3 (network pending)
    /// and every failure come back as [`SmartcallError::Sync`] with their class.
    pub async fn recharge_sync(&self, req: &RechargeRequest) -> Result<SyncRecharge, SmartcallError> {
        check_recharge(req)?;
        let bytes = serde_json::to_vec(req).map_err(|e| SmartcallError::Invalid(e.to_string()))?;
        let a = self.authed(Method::POST, conventions::SYNC_RECHARGE_PATH, Some(bytes), None).await?;
        read_sync(a)
    }

    /// A batch of up to 100 recharges (`POST /smartload/recharges/batch`
    /// **[convention]**). 101 or more are refused here, before anything is sent.
    pub async fn recharge_batch(&self, reqs: &[RechargeRequest]) -> Result<BatchResult, SmartcallError> {
        if reqs.is_empty() {
            return Err(SmartcallError::Invalid("A batch needs at least one recharge.".into()));
        }
        if reqs.len() > conventions::BATCH_LIMIT {
            return Err(SmartcallError::Invalid(format!("A batch may hold at most {} recharges; this one has {}. Nothing was sent.", conventions::BATCH_LIMIT, reqs.len())));
        }
        let mut seen = std::collections::HashSet::new();
        for r in reqs {
            check_recharge(r)?;
            if !seen.insert(r.client_reference.as_str()) {
                return Err(SmartcallError::Invalid("Two recharges in the batch share a client reference. Nothing was sent.".into()));
            }
        }
        #[derive(Serialize)]
        struct Body<'a> {
            recharges: &'a [RechargeRequest],
        }
        let bytes = serde_json::to_vec(&Body { recharges: reqs }).map_err(|e| SmartcallError::Invalid(e.to_string()))?;
        let a = self.authed(Method::POST, conventions::BATCH_RECHARGE_PATH, Some(bytes), None).await?;
        read_batch(a)
    }

    /// `DELETE /smartload/recharges/{smartloadId}/{clientReference}` (or by Smartload
    /// reference): cancels a recharge not yet sent to the network.
    pub async fn cancel(&self, by: &CancelBy) -> Result<(), SmartcallError> {
        let sid = seg(&self.cfg.smartload_id);
        let path = match by {
            CancelBy::ClientReference(r) => {
                if r.trim().is_empty() {
                    return Err(SmartcallError::Invalid("A cancellation needs the sale's reference.".into()));
                }
                format!("/smartload/recharges/{sid}/{}", seg(r))
            }
            CancelBy::SmartloadReference(r) => conventions::cancel_by_smartload_ref_path(&sid, *r),
        };
        let a = self.authed(Method::DELETE, &path, None, None).await?;
        if a.status.is_success() {
            let _: serde_json::Value = decode(a)?;
            return Ok(());
        }
        // Cancel refusals use table 3's numbering, not table 2's.
        match read_failure(&a.body, a.status.as_u16()) {
            SmartcallError::Code { code, message } => Err(SmartcallError::Cancel { code: CancelCode::from_code(code.code()), message }),
            other => Err(other),
        }
    }

    /// `POST /smartload/prevend`: would this recharge go through? Only for pinless
    /// Vodacom and MTN products and electricity, checked here first. The recharge that
    /// follows a mobile prevend must reuse `req.client_reference`.
    pub async fn prevend(&self, req: &RechargeRequest, kind: PrevendKind) -> Result<PrevendAnswer, SmartcallError> {
        check_recharge(req)?;
        if matches!(kind, PrevendKind::PinlessVodacom | PrevendKind::PinlessMtn) && !req.pinless {
            return Err(SmartcallError::Invalid("Only pinless Vodacom and MTN recharges can be checked in advance.".into()));
        }
        let bytes = serde_json::to_vec(req).map_err(|e| SmartcallError::Invalid(e.to_string()))?;
        let a = self.authed(Method::POST, "/smartload/prevend", Some(bytes), None).await?;
        let status = a.status.as_u16();
        let env: Envelope = serde_json::from_slice(&a.body).map_err(|e| SmartcallError::BadAnswer { status, detail: format!("{e}: {}", snippet(&a.body)) })?;
        let message = env.message.clone().unwrap_or_default();
        let verdict = match env.response_code.as_deref() {
            Some("SUCCESS") => PrevendVerdict::WillSucceed,
            Some("APP_ERROR") => PrevendVerdict::WillFail,
            Some("SYS_ERROR") => PrevendVerdict::SystemFault,
            Some("INV_REQUEST") => PrevendVerdict::InvalidRequest,
            _ => return Err(read_failure(&a.body, status)),
        };
        Ok(PrevendAnswer { verdict, message })
    }

    /// `POST /smartload/fundstransfer`: moves money between two Smartload wallets;
    /// answers the source wallet's balance after, in cents.
    pub async fn funds_transfer(&self, req: &FundsTransferRequest) -> Result<i64, SmartcallError> {
        if req.amount <= 0 {
            return Err(SmartcallError::Invalid("The amount to transfer must be more than R0.00.".into()));
        }
        if req.source_smartload_id == req.recipient_smartload_id {
            return Err(SmartcallError::Invalid("The source and recipient wallets are the same.".into()));
        }
        self.post::<_, FundsTransferResponse>("/smartload/fundstransfer", req).await.map(|r| r.current_dealer_balance)
    }

    /// Orders a batch of pinned vouchers **[convention]**.
    pub async fn order_vouchers(&self, req: &VoucherOrderRequest) -> Result<VoucherOrder, SmartcallError> {
        if req.quantity <= 0 {
            return Err(SmartcallError::Code { code: ErrorCode::QuantityNotPositive, message: "The quantity must be greater than 0".into() });
        }
        if req.client_reference.trim().is_empty() {
            return Err(SmartcallError::Invalid("A voucher order needs a client reference.".into()));
        }
        self.post::<_, OrderEnvelope>(conventions::VOUCHER_ORDERS_PATH, req).await?.order()
    }

    /// Downloads an order's zip file (still encrypted).
    pub async fn order_file(&self, order_id: i64) -> Result<Vec<u8>, SmartcallError> {
        let path = conventions::order_file_path(&seg(&self.cfg.smartload_id), order_id);
        let a = self.authed(Method::GET, &path, None, None).await?;
        if !a.status.is_success() {
            return Err(read_failure(&a.body, a.status.as_u16()));
        }
        let is_json = a.content_type.as_deref().is_some_and(|c| c.contains("json"));
        if is_json {
            // A JSON body on 200 is an error envelope, never a file.
            let _: serde_json::Value = decode(a)?;
            return Err(SmartcallError::OrderFile("Smartcall sent no file".into()));
        }
        Ok(a.body)
    }

    /// Downloads an order's file and opens it with the order's password.
    pub async fn order_vouchers_file(&self, order: &VoucherOrder) -> Result<Vec<OrderedVoucher>, SmartcallError> {
        let bytes = self.order_file(order.order_id).await?;
        let vouchers = super::vouchers::read_order_file(&bytes, &order.password)?;
        if vouchers.len() as i64 != order.quantity {
            return Err(SmartcallError::OrderFile(format!("the file holds {} vouchers, the order {}", vouchers.len(), order.quantity)));
        }
        Ok(vouchers)
    }

    /// Re-creates an order's file with a new password (when the first was lost).
    pub async fn recreate_order_file(&self, order_id: i64) -> Result<VoucherOrder, SmartcallError> {
        let path = conventions::recreate_order_file_path(&seg(&self.cfg.smartload_id), order_id);
        let a = self.authed(Method::POST, &path, None, None).await?;
        decode::<OrderEnvelope>(a)?.order()
    }

    /// `GET /smartload/recharges/{smartloadId}/{clientReference}` (one week of history).
    pub async fn transaction(&self, client_reference: &str) -> Result<Transaction, SmartcallError> {
        if client_reference.trim().is_empty() {
            return Err(SmartcallError::Invalid("A transaction enquiry needs the client reference.".into()));
        }
        let path = format!("/smartload/recharges/{}/{}", seg(&self.cfg.smartload_id), seg(client_reference));
        self.get::<TransactionEnvelope>(&path).await?.transaction()
    }

    /// The same enquiry by Smartload reference (one month of history).
    pub async fn transaction_by_smartload_ref(&self, order_reference_id: i64) -> Result<Transaction, SmartcallError> {
        let path = conventions::transaction_by_smartload_ref_path(&seg(&self.cfg.smartload_id), order_reference_id);
        self.get::<TransactionEnvelope>(&path).await?.transaction()
    }

    /// `GET /smartload/cashup/{smartloadId}`: today's cashup.
    pub async fn cashup_today(&self) -> Result<Cashup, SmartcallError> {
        self.get(&format!("/smartload/cashup/{}", seg(&self.cfg.smartload_id))).await
    }

    /// `POST /smartload/cashup` for the days `start..=end`.
    pub async fn cashup_period(&self, start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<Cashup, SmartcallError> {
        if end < start {
            return Err(SmartcallError::Invalid("The period ends before it starts.".into()));
        }
        let body = CashupPeriodRequest { smartload_id: self.cfg.smartload_id.clone(), start_date: start.format("%Y-%m-%d").to_string(), end_date: end.format("%Y-%m-%d").to_string() };
        self.post("/smartload/cashup", &body).await
    }

    // ---- Utilities -------------------------------------------------------------

    /// `GET /utilities/simnetwork/{msisdn}`: the SIM's current network (ported or not).
    pub async fn sim_network(&self, msisdn: &str) -> Result<SimNetwork, SmartcallError> {
        self.get(&format!("/utilities/simnetwork/{}", seg(msisdn))).await
    }

    /// `GET /utilities/health`: which mobile networks Smartcall can reach now.
    pub async fn health(&self) -> Result<NetworkHealth, SmartcallError> {
        let a = self.authed(Method::GET, "/utilities/health", None, None).await?;
        if !a.status.is_success() {
            return Err(read_failure(&a.body, a.status.as_u16()));
        }
        // A flat map of strings: only the network entries are kept.
        let status = a.status.as_u16();
        let map: std::collections::BTreeMap<String, serde_json::Value> =
            serde_json::from_slice(&a.body).map_err(|e| SmartcallError::BadAnswer { status, detail: format!("{e}: {}", snippet(&a.body)) })?;
        Ok(NetworkHealth(map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()))
    }

    // ---- Payments --------------------------------------------------------------

    /// `GET /payments/easypay/{epNo|noticeNo}/{value}` (slashes encoded).
    pub async fn easypay_query(&self, account: &EasyPayAccount) -> Result<AccountQuery, SmartcallError> {
        self.get(&format!("/payments/easypay/{}/{}", account.account_type(), seg(account.reference()))).await
    }

    /// `POST /payments/easypay`.
    pub async fn easypay_pay(&self, req: &EasyPayPayment) -> Result<Payment, SmartcallError> {
        check_payment(req.payment_amount, &req.client_reference)?;
        self.post::<_, PaymentResponse>("/payments/easypay", req).await?.payment.ok_or(no_payment())
    }

    /// `GET /payments/dstv/{SUBS|TVOD}/{accountReference}`.
    pub async fn dstv_query(&self, kind: DstvAccountType, account_reference: &str) -> Result<AccountQuery, SmartcallError> {
        if account_reference.trim().is_empty() {
            return Err(SmartcallError::Invalid("Type the DStv account number or the account holder's ID number.".into()));
        }
        self.get(&format!("/payments/dstv/{}/{}", kind.as_str(), seg(account_reference.trim()))).await
    }

    /// `POST /payments/dstv` **[convention]**.
    pub async fn dstv_pay(&self, req: &DstvPayment) -> Result<Payment, SmartcallError> {
        check_payment(req.payment_amount, &req.client_reference)?;
        self.post::<_, PaymentResponse>("/payments/dstv", req).await?.payment.ok_or(no_payment())
    }

    // ---- SmartRica -------------------------------------------------------------

    /// `POST /smartrica/changeownership`, checked first against `today`.
    pub async fn rica_change_ownership(&self, req: &ChangeOwnership, today: chrono::NaiveDate) -> Result<RicaSubmitted, SmartcallError> {
        req.check(today).map_err(SmartcallError::Invalid)?;
        self.post(conventions::RICA_CHANGE_OWNERSHIP_PATH, req).await
    }

    /// `POST /smartrica/registrations`, checked first (spec 9b: passport expiry at
    /// least 3 months after `today`, an alternative contact number).
    pub async fn rica_register(&self, req: &RicaRegistration, today: chrono::NaiveDate) -> Result<RicaSubmitted, SmartcallError> {
        req.check(today).map_err(SmartcallError::Invalid)?;
        self.post(conventions::RICA_REGISTRATIONS_PATH, req).await
    }

    /// `GET /smartrica/registrations/{registrationId}`.
    pub async fn rica_status(&self, registration_id: &str) -> Result<RicaStatus, SmartcallError> {
        self.get(&format!("{}/{}", conventions::RICA_REGISTRATIONS_PATH, seg(registration_id))).await
    }

    /// `GET /smartrica/agents/{msisdn}`: is this number an enabled agent under our dealer?
    pub async fn rica_agent(&self, msisdn: &str) -> Result<RicaAgent, SmartcallError> {
        self.get(&format!("{}/{}", conventions::RICA_AGENTS_PATH, seg(msisdn))).await
    }

    /// `POST /smartrica/agents` with three images of at most 300 KB, checked first.
    pub async fn rica_register_agent(&self, req: &AgentRegistration, today: chrono::NaiveDate) -> Result<RicaSubmitted, SmartcallError> {
        req.check(today).map_err(SmartcallError::Invalid)?;
        self.post(conventions::RICA_AGENTS_PATH, req).await
    }

    /// `GET /smartrica/agents/registrations/{registrationId}`.
    pub async fn rica_agent_status(&self, registration_id: &str) -> Result<AgentRegistrationStatus, SmartcallError> {
        self.get(&format!("{}/registrations/{}", conventions::RICA_AGENTS_PATH, seg(registration_id))).await
    }
}

fn no_payment() -> SmartcallError {
    SmartcallError::BadAnswer { status: 200, detail: "no payment in a successful answer".into() }
}

fn check_payment(amount: i64, client_reference: &str) -> Result<(), SmartcallError> {
    if amount <= 0 {
        return Err(SmartcallError::Invalid("The payment amount must be more than R0.00.".into()));
    }
    if client_reference.trim().is_empty() {
        return Err(SmartcallError::Invalid("A payment needs a client reference.".into()));
    }
    Ok(())
}

/// Checks made on every recharge before a byte is sent.
fn check_recharge(req: &RechargeRequest) -> Result<(), SmartcallError> {
    if req.client_reference.trim().is_empty() {
        return Err(SmartcallError::Invalid("A recharge needs a client reference.".into()));
    }
    if req.amount <= 0 {
        return Err(SmartcallError::Invalid("The amount must be more than R0.00.".into()));
    }
    if req.device_id.trim().is_empty() {
        return Err(SmartcallError::Invalid("A recharge needs the phone or meter number.".into()));
    }
    Ok(())
}

fn auth_description(body: &[u8]) -> String {
    serde_json::from_slice::<Envelope>(body).ok().and_then(|e| e.response_description.or(e.message)).unwrap_or_else(|| "refused".into())
}

/// Paths carry client references and numbers, not secrets; order ids are fine too.
fn redact_path(path: &str) -> &str {
    path
}

#[derive(Deserialize)]
struct TransactionEnvelope {
    transaction: Option<Transaction>,
}

impl TransactionEnvelope {
    fn transaction(self) -> Result<Transaction, SmartcallError> {
        self.transaction.ok_or(SmartcallError::BadAnswer { status: 200, detail: "no transaction in a successful answer".into() })
    }
}

#[derive(Deserialize)]
struct OrderEnvelope {
    order: Option<VoucherOrder>,
}

impl OrderEnvelope {
    fn order(self) -> Result<VoucherOrder, SmartcallError> {
        self.order.ok_or(SmartcallError::BadAnswer { status: 200, detail: "no order in a successful answer".into() })
    }
}

/// Reads a synchronous recharge answer: success only with no error and statusCode 0.
fn read_sync(a: Answer) -> Result<SyncRecharge, SmartcallError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        #[serde(default)]
        error: Option<serde_json::Value>,
        #[serde(default)]
        status_code: Option<serde_json::Value>,
        #[serde(default)]
        status_message: Option<String>,
        #[serde(default)]
        recharge: Option<Recharge>,
    }
    let status = a.status.as_u16();
    let parsed: R = match crate::decimal::from_json_named(&a.body) {
        Ok(r) => r,
        Err(e) if a.status.is_success() => return Err(unreadable(status, e, &a.body)),
        Err(_) => return Err(read_failure(&a.body, status)),
    };
    let status_code = parsed.status_code.as_ref().and_then(json_code);
    let error = parsed.error.as_ref().filter(|v| !v.is_null()).map(|e| {
        let code = e.get("code").and_then(json_code).unwrap_or(0);
        let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
        (ErrorCode::from_code(code), message)
    });
    let status_message = parsed.status_message.clone().filter(|s| !s.trim().is_empty());
    if error.is_none() && status_code == Some(0) && a.status.is_success() {
        return match parsed.recharge {
            Some(recharge) => Ok(SyncRecharge { recharge, status_message }),
            None => Err(SmartcallError::BadAnswer { status, detail: "statusCode 0 without a recharge".into() }),
        };
    }
    if status_code.is_none() && error.is_none() {
        // Not the v2 shape: the flat or nested error envelopes.
        return Err(read_failure(&a.body, status));
    }
    if let Some((code, message)) = &error {
        if let Some(down) = network_down(*code, message) {
            return Err(down);
        }
    }
    let message = status_message.clone().unwrap_or_default();
    Err(SmartcallError::Sync {
        // A failure with no statusCode is an application error (1).
        status_code: status_code.unwrap_or(1),
        network: NetworkCode::recognise(&message, None),
        status_message: message,
        error,
    })
}

fn read_batch(a: Answer) -> Result<BatchResult, SmartcallError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        client_reference: String,
        #[serde(default)]
        response_code: Option<String>,
        #[serde(default)]
        error: Option<serde_json::Value>,
        #[serde(default)]
        recharge: Option<Recharge>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct R {
        response_code: Option<String>,
        #[serde(default)]
        recharges: Vec<Item>,
    }
    let status = a.status.as_u16();
    if !a.status.is_success() {
        return Err(read_failure(&a.body, status));
    }
    let r: R = crate::decimal::from_json_named(&a.body).map_err(|e| unreadable(status, e, &a.body))?;
    let response_code = r.response_code.unwrap_or_default();
    if response_code == "BATCH_LIMIT_EXCEEDED" {
        return Err(SmartcallError::Response { response_code, message: "The batch holds more than 100 recharges.".into() });
    }
    if !matches!(response_code.as_str(), "SUCCESS" | "PART_SUCCESS" | "FAILURE") {
        return Err(read_failure(&a.body, status));
    }
    let items = r
        .recharges
        .into_iter()
        .map(|i| {
            let env = Envelope { error: i.error, response_code: i.response_code, code: None, message: None, response_description: None };
            let result = match (envelope_error(&env), i.recharge) {
                (Some(e), _) => Err(e),
                (None, Some(r)) => Ok(r),
                (None, None) => Err(SmartcallError::BadAnswer { status, detail: format!("no recharge for {}", i.client_reference) }),
            };
            BatchItem { client_reference: i.client_reference, result }
        })
        .collect();
    Ok(BatchResult { response_code, items })
}

/// A code-2 `SYS_ERROR` whose message says the network is down **[convention]**.
fn network_down(code: ErrorCode, message: &str) -> Option<SmartcallError> {
    let m = message.trim();
    if code == ErrorCode::GeneralSystemError && m.to_ascii_lowercase().ends_with(conventions::NETWORK_DOWN_SUFFIX) {
        let network = m[..m.len() - conventions::NETWORK_DOWN_SUFFIX.len()].trim().to_string();
        return Some(SmartcallError::NetworkDown { network, message: m.to_string() });
    }
    None
}

fn classify(e: reqwest::Error) -> SmartcallError {
    if e.is_connect() {
        SmartcallError::Unreachable(root_cause(&e))
    } else if e.is_timeout() {
        SmartcallError::TimedOut
    } else if e.is_builder() {
        SmartcallError::Invalid(format!("the Smartcall address is not valid: {}", root_cause(&e)))
    } else {
        SmartcallError::Dropped(root_cause(&e))
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Reads a successful answer, after checking the three error envelopes.
fn decode<T: DeserializeOwned>(a: Answer) -> Result<T, SmartcallError> {
    let status = a.status.as_u16();
    if !a.status.is_success() {
        return Err(read_failure(&a.body, status));
    }
    if let Ok(env) = serde_json::from_slice::<Envelope>(&a.body) {
        if let Some(err) = envelope_error(&env) {
            return Err(err);
        }
    }
    crate::decimal::from_json_named::<T>(&a.body).map_err(|e| unreadable(status, e, &a.body))
}

/// An answer that could not be read: an amount finer than Airtill can hold is said
/// as such, with the field that carried it; anything else is a bad answer.
fn unreadable(status: u16, detail: String, body: &[u8]) -> SmartcallError {
    if detail.contains(crate::decimal::PRECISION_MARK) {
        SmartcallError::Inexact(detail)
    } else {
        SmartcallError::BadAnswer { status, detail: format!("{detail}: {}", snippet(body)) }
    }
}

/// An error inside a JSON envelope, if there is one.
fn envelope_error(env: &Envelope) -> Option<SmartcallError> {
    if let Some(e) = env.error.as_ref().filter(|v| !v.is_null()) {
        let code = e.get("code").and_then(json_code);
        let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
        return Some(match code {
            Some(code) => {
                let code = ErrorCode::from_code(code);
                network_down(code, &message).unwrap_or(SmartcallError::Code { code, message })
            }
            None => SmartcallError::Response { response_code: env.response_code.clone().unwrap_or_else(|| "APP_ERROR".into()), message: if message.is_empty() { e.to_string() } else { message } },
        });
    }
    let rc = env.response_code.as_deref()?;
    if matches!(rc, "APP_ERROR" | "SYS_ERROR" | "INV_REQUEST" | "FAILURE" | "BATCH_LIMIT_EXCEEDED") {
        let message = env.message.clone().unwrap_or_default();
        return Some(match env.code.as_ref().and_then(json_code) {
            Some(code) => SmartcallError::Code { code: ErrorCode::from_code(code), message },
            None => SmartcallError::Response { response_code: rc.to_string(), message },
        });
    }
    None
}

fn json_code(v: &serde_json::Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Reads a non-2xx answer: flat `{code,message}`, nested `{error:{...}}`, or not JSON.
fn read_failure(body: &[u8], status: u16) -> SmartcallError {
    match serde_json::from_slice::<Envelope>(body) {
        Ok(env) => {
            if let Some(code) = env.code.as_ref().and_then(json_code) {
                let code = ErrorCode::from_code(code);
                let message = env.message.unwrap_or_default();
                return network_down(code, &message).unwrap_or(SmartcallError::Code { code, message });
            }
            if let Some(e) = envelope_error(&env) {
                return e;
            }
            if status >= 500 {
                SmartcallError::Server(status)
            } else {
                SmartcallError::BadAnswer { status, detail: snippet(body) }
            }
        }
        Err(_) if status >= 500 => SmartcallError::Server(status),
        Err(_) => SmartcallError::BadAnswer { status, detail: snippet(body) },
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(160).collect();
    if text.chars().count() > 160 {
        s.push('…');
    }
    s
}

/// Feeds one body, as answered with `status`, to every reader of Smartcall answers
/// (the fuzzer's entry point). Errors are expected; a panic is a bug.
#[cfg(test)]
pub(crate) fn fuzz_entry(body: &[u8], status: u16) {
    let a = || Answer { status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK), etag: None, content_type: Some("application/json".into()), body: body.to_vec() };
    let _ = read_failure(body, status);
    let _ = auth_description(body);
    let _ = decode::<AuthResponse>(a());
    let _ = decode::<BalanceResponse>(a());
    let _ = decode::<NetworksResponse>(a());
    let _ = decode::<ProductsResponse>(a());
    let _ = decode::<TransactionEnvelope>(a()).and_then(|t| t.transaction()).map(|t| t.status());
    let _ = decode::<OrderEnvelope>(a()).and_then(|o| o.order());
    let _ = decode::<Cashup>(a());
    let _ = decode::<SimNetwork>(a());
    let _ = decode::<NetworkHealth>(a());
    let _ = decode::<FundsTransferResponse>(a());
    let _ = decode::<TokenQuery>(a());
    let _ = decode::<Pong>(a());
    let _ = read_sync(a());
    let _ = read_batch(a());
    if let Ok(e) = serde_json::from_slice::<Envelope>(body) {
        let _ = envelope_error(&e).map(|e| (e.class_for_sale(), e.class_for_read(), e.cashier_message(), e.code()));
    }
    let text = String::from_utf8_lossy(body);
    let _ = crate::decimal::parse_json_money_for_fuzz(&text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &[u8]) -> Answer {
        Answer { status: StatusCode::OK, etag: None, content_type: None, body: body.to_vec() }
    }

    #[test]
    fn reads_all_three_error_envelopes() {
        let flat = br#"{"code":16,"message":"A trx with the same Cell no + amount was done in the last 5 minutes. Please retry in 5 min if valid."}"#;
        assert!(matches!(read_failure(flat, 400), SmartcallError::Code { code: ErrorCode::RepeatWithinFiveMinutes, .. }));
        let nested = br#"{"error":{"code":16,"message":"x"},"responseCode":"APP_ERROR","recharge":null}"#;
        assert!(matches!(read_failure(nested, 400), SmartcallError::Code { code: ErrorCode::RepeatWithinFiveMinutes, .. }));
        assert!(matches!(decode::<serde_json::Value>(ok(nested)), Err(SmartcallError::Code { code: ErrorCode::RepeatWithinFiveMinutes, .. })));
        let app = ok(br#"{"responseCode":"APP_ERROR","message":"will fail"}"#);
        assert!(matches!(decode::<serde_json::Value>(app), Err(SmartcallError::Response { .. })));
        let forbidden = br#"{"code":400,"message":"The supplied Smartload ID is not registered to your account"}"#;
        assert!(matches!(read_failure(forbidden, 403), SmartcallError::Code { code: ErrorCode::SmartloadIdNotRegistered, .. }));
    }

    #[test]
    fn html_and_truncated_bodies_are_typed_errors() {
        let html = b"<html><body><h1>HTTP Status 415 - Unsupported Media Type</h1></body></html>";
        assert!(matches!(read_failure(html, 415), SmartcallError::BadAnswer { status: 415, .. }));
        let cut = ok(br#"{"error":null,"responseCode":"SUCCESS","recharge":{"balance":99"#);
        assert!(matches!(decode::<serde_json::Value>(cut), Err(SmartcallError::BadAnswer { .. })));
        assert!(matches!(read_failure(b"", 502), SmartcallError::Server(502)));
        assert!(matches!(read_failure(b"<html>oops</html>", 500), SmartcallError::Server(500)));
        assert!(matches!(read_sync(ok(b"{\"statusCode\":0,\"recharge\":{\"bal")), Err(SmartcallError::BadAnswer { .. })));
    }

    #[test]
    fn the_synchronous_answer_is_read_by_status_code() {
        let done =
            ok(br#"{"error":null,"responseCode":"SUCCESS","statusCode":0,"statusMessage":"00 Recharge completed successfully","recharge":{"balance":99574.75,"orderReferenceId":1,"voucherPin":""}}"#);
        assert_eq!(read_sync(done).unwrap().recharge.order_reference_id, 1);
        let pending = ok(br#"{"error":{"code":1006,"message":"Recharge Timeout"},"responseCode":"SYS_ERROR","statusCode":3,"statusMessage":"10 Delay in processing the recharge","recharge":null}"#);
        let e = read_sync(pending).unwrap_err();
        assert_eq!(e.class_for_sale(), crate::ErrorClass::InDoubt);
        let business = ok(br#"{"error":{"code":2,"message":"General System Error, recharged failed"},"responseCode":"APP_ERROR","statusCode":2,"statusMessage":"MPR-030 An error occurred validating the account against the Product Platform","recharge":null}"#);
        let e = read_sync(business).unwrap_err();
        assert_eq!(e.class_for_sale(), crate::ErrorClass::Rejected);
        assert!(matches!(e, SmartcallError::Sync { network: Some(n), .. } if n.code == "MPR-030"));
        let no_status = ok(br#"{"error":null,"responseCode":"SUCCESS","statusCode":null,"recharge":null}"#);
        assert!(read_sync(no_status).is_err());
    }

    #[test]
    fn a_down_network_is_recognised() {
        let down = br#"{"error":{"code":2,"message":"MTN network is down"},"responseCode":"SYS_ERROR","recharge":null}"#;
        let e = decode::<serde_json::Value>(ok(down)).unwrap_err();
        assert!(e.is_network_down(), "{e:?}");
        assert!(matches!(e, SmartcallError::NetworkDown { ref network, .. } if network == "MTN"));
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("02/1234-5"), "02%2F1234-5");
        assert_eq!(seg("9194e809-7cce-4395"), "9194e809-7cce-4395");
        assert_eq!(seg("27831234567"), "27831234567");
    }
}
