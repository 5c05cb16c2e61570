//! The Smartcall HTTP client: one shared token per user, one login in flight, a retry
//! on 401, and every answer read through the three error envelopes.

use super::error::SmartcallError;
use super::types::*;
use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
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
    /// Time allowed for a whole call once connected.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("smartload_id", &self.smartload_id)
            .finish()
    }
}

/// A catalog fetch that honours `ETag` / `If-None-Match`.
#[derive(Debug, Clone)]
pub enum Fetched<T> {
    /// HTTP 304: the copy the caller holds is current.
    NotModified,
    Fresh { etag: Option<String>, value: T },
}

struct Token {
    value: String,
    /// Epoch ms, from the login answer.
    expires_at_ms: i64,
    last_used: Instant,
}

/// Renew this long before the provider's expiry.
const EXPIRY_MARGIN_MS: i64 = 5 * 60 * 1000;
/// Smartcall drops tokens unused for 4 hours; renew a little before.
const IDLE_LIMIT: Duration = Duration::from_secs(4 * 3600 - 300);

pub struct Client {
    http: reqwest::Client,
    cfg: Config,
    token: Mutex<Option<Token>>,
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

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Client {
    pub fn new(cfg: Config) -> Result<Client, SmartcallError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .user_agent(concat!("Airtill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SmartcallError::Refused(format!("the HTTP client could not start: {e}")))?;
        Ok(Client { http, cfg, token: Mutex::new(None) })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base_url.trim_end_matches('/'), path)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        auth: &Auth,
        bearer: Option<&str>,
        if_none_match: Option<&str>,
    ) -> Result<Answer, SmartcallError> {
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
        tracing::debug!(%method, path, "smartcall request");
        let resp = req.send().await.map_err(classify)?;
        let status = resp.status();
        let etag = resp.headers().get("ETag").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = resp.bytes().await.map_err(classify)?.to_vec();
        tracing::debug!(%method, path, status = status.as_u16(), "smartcall answer");
        Ok(Answer { status, etag, body })
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

    /// The current token, logging in first when there is none or it is about to lapse.
    /// The lock is held through the login, so concurrent callers wait for one login.
    async fn bearer(&self) -> Result<String, SmartcallError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_mut() {
            let fresh = t.expires_at_ms - EXPIRY_MARGIN_MS > now_ms() && t.last_used.elapsed() < IDLE_LIMIT;
            if fresh {
                t.last_used = Instant::now();
                return Ok(t.value.clone());
            }
        }
        let auth = self.login().await?;
        let value = auth.access_token.clone().unwrap_or_default();
        *slot = Some(Token {
            value: value.clone(),
            expires_at_ms: auth.expires_at.unwrap_or_else(|| now_ms() + 24 * 3600 * 1000),
            last_used: Instant::now(),
        });
        Ok(value)
    }

    async fn forget_token(&self, used: &str) {
        let mut slot = self.token.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == used) {
            *slot = None;
        }
    }

    /// `POST /auth` with Basic credentials.
    pub async fn login(&self) -> Result<AuthResponse, SmartcallError> {
        let a = self.send(Method::POST, "/auth", None, &Auth::Basic, None, None).await?;
        let parsed = serde_json::from_slice::<AuthResponse>(&a.body);
        match (a.status, parsed) {
            (s, Ok(r)) if s.is_success() && r.access_token.as_deref().is_some_and(|t| !t.is_empty()) => Ok(r),
            (StatusCode::TOO_MANY_REQUESTS, r) => Err(SmartcallError::SessionLimit(
                r.ok().and_then(|r| r.response_description).unwrap_or_else(|| "session limit".into()),
            )),
            (StatusCode::UNAUTHORIZED, r) => Err(SmartcallError::LoginRefused(
                r.ok().and_then(|r| r.response_description).unwrap_or_else(|| "login refused".into()),
            )),
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

    /// `GET /auth/token`: how many more tokens may be taken.
    pub async fn token_query(&self) -> Result<TokenQuery, SmartcallError> {
        let a = self.send(Method::GET, "/auth/token", None, &Auth::Basic, None, None).await?;
        decode(a)
    }

    /// `GET /test/ping`.
    pub async fn ping(&self) -> Result<Pong, SmartcallError> {
        let a = self.send(Method::GET, "/test/ping", None, &Auth::None, None, None).await?;
        decode(a)
    }

    /// `GET /smartload/balance/{smartloadId}`: the wallet, in cents.
    pub async fn balance(&self) -> Result<i64, SmartcallError> {
        let path = format!("/smartload/balance/{}", self.cfg.smartload_id);
        let a = self.authed(Method::GET, &path, None, None).await?;
        decode::<BalanceResponse>(a).map(|b| b.balance)
    }

    /// `GET /smartload/networks`, with `If-None-Match` when a cached `etag` is given.
    pub async fn networks(&self, etag: Option<&str>) -> Result<Fetched<Vec<Network>>, SmartcallError> {
        let a = self.authed(Method::GET, "/smartload/networks", None, etag).await?;
        if a.status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        let etag = a.etag.clone();
        decode::<NetworksResponse>(a).map(|r| Fetched::Fresh { etag, value: r.networks })
    }

    /// `POST /smartload/recharges`. The client reference in `req` must already be
    /// committed locally with its sale.
    pub async fn recharge(&self, req: &RechargeRequest) -> Result<Recharge, SmartcallError> {
        let body = serde_json::to_vec(req).map_err(|e| SmartcallError::Refused(e.to_string()))?;
        let a = self.authed(Method::POST, "/smartload/recharges", Some(body), None).await?;
        #[derive(Deserialize)]
        struct R {
            recharge: Option<Recharge>,
        }
        let status = a.status.as_u16();
        match decode::<R>(a)?.recharge {
            Some(r) => Ok(r),
            None => Err(SmartcallError::BadAnswer { status, detail: "no recharge in a successful answer".into() }),
        }
    }

    /// `GET /smartload/recharges/{smartloadId}/{clientReference}` (one week of history).
    pub async fn transaction(&self, client_reference: &str) -> Result<Transaction, SmartcallError> {
        let path = format!("/smartload/recharges/{}/{}", self.cfg.smartload_id, client_reference);
        let a = self.authed(Method::GET, &path, None, None).await?;
        #[derive(Deserialize)]
        struct R {
            transaction: Option<Transaction>,
        }
        let status = a.status.as_u16();
        decode::<R>(a)?
            .transaction
            .ok_or(SmartcallError::BadAnswer { status, detail: "no transaction in a successful answer".into() })
    }
}

fn classify(e: reqwest::Error) -> SmartcallError {
    if e.is_connect() {
        SmartcallError::Unreachable(root_cause(&e))
    } else if e.is_timeout() {
        SmartcallError::TimedOut
    } else if e.is_builder() {
        SmartcallError::Refused(format!("the Smartcall address is not valid: {}", root_cause(&e)))
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
    serde_json::from_slice::<T>(&a.body).map_err(|e| SmartcallError::BadAnswer { status, detail: format!("{e}: {}", snippet(&a.body)) })
}

/// An error inside a 2xx JSON envelope, if there is one.
fn envelope_error(env: &Envelope) -> Option<SmartcallError> {
    if let Some(e) = env.error.as_ref().filter(|v| !v.is_null()) {
        let code = e.get("code").and_then(json_code);
        let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("").to_string();
        return Some(match code {
            Some(code) => SmartcallError::Code { code, message },
            None => SmartcallError::Response {
                response_code: env.response_code.clone().unwrap_or_else(|| "APP_ERROR".into()),
                message: if message.is_empty() { e.to_string() } else { message },
            },
        });
    }
    let rc = env.response_code.as_deref()?;
    if matches!(rc, "APP_ERROR" | "SYS_ERROR" | "INV_REQUEST" | "FAILURE" | "BATCH_LIMIT_EXCEEDED") {
        let message = env.message.clone().unwrap_or_default();
        return Some(match env.code.as_ref().and_then(json_code) {
            Some(code) => SmartcallError::Code { code, message },
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
                return SmartcallError::Code { code, message: env.message.unwrap_or_default() };
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
        Err(_) if status >= 500 && body.is_empty() => SmartcallError::Server(status),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_three_error_envelopes() {
        let flat = br#"{"code":16,"message":"A trx with the same Cell no + amount was done in the last 5 minutes. Please retry in 5 min if valid."}"#;
        assert!(matches!(read_failure(flat, 400), SmartcallError::Code { code: 16, .. }));
        let nested = br#"{"error":{"code":16,"message":"x"},"responseCode":"APP_ERROR","recharge":null}"#;
        assert!(matches!(read_failure(nested, 400), SmartcallError::Code { code: 16, .. }));
        let nested_ok_status = Answer { status: StatusCode::OK, etag: None, body: nested.to_vec() };
        assert!(matches!(decode::<serde_json::Value>(nested_ok_status), Err(SmartcallError::Code { code: 16, .. })));
        let app = Answer { status: StatusCode::OK, etag: None, body: br#"{"responseCode":"APP_ERROR","message":"will fail"}"#.to_vec() };
        assert!(matches!(decode::<serde_json::Value>(app), Err(SmartcallError::Response { .. })));
        let forbidden = br#"{"code":400,"message":"The supplied Smartload ID is not registered to your account"}"#;
        assert!(matches!(read_failure(forbidden, 403), SmartcallError::Code { code: 400, .. }));
    }

    #[test]
    fn html_and_truncated_bodies_are_typed_errors() {
        let html = b"<html><body><h1>HTTP Status 415 - Unsupported Media Type</h1></body></html>";
        assert!(matches!(read_failure(html, 415), SmartcallError::BadAnswer { status: 415, .. }));
        let cut = Answer { status: StatusCode::OK, etag: None, body: br#"{"error":null,"responseCode":"SUCCESS","recharge":{"balance":99"#.to_vec() };
        assert!(matches!(decode::<serde_json::Value>(cut), Err(SmartcallError::BadAnswer { .. })));
        assert!(matches!(read_failure(b"", 502), SmartcallError::Server(502)));
    }
}
