//! The notification listener: an HTTP server inside Airtill, off until the manager
//! turns it on, that takes MX Telecom's notifications (GET `/<token>/mx?...`) and
//! AAT's call-backs (POST `/<token>/aat`, JSON). Each is matched to its sale and
//! applied through the sale engine: the same word twice changes nothing, a final sale
//! never moves back, a word about a sale nobody here knows is kept for the manager, a
//! wrong token gets 404 and changes nothing. It answers within the providers' 10 s.

use crate::views::{ListenerView, NotificationView};
use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::SaleState;
use airtill_engine::{Engine, NoticeEffect};
use airtill_providers::aat::Callback;
use airtill_providers::mx::{CreditState, Notification};
use airtill_store::{Outcome, Store};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const ON: &str = "listener_on";
const BIND: &str = "listener_bind";
const PORT: &str = "listener_port";
/// The listener's secret, in settings by older versions; now sealed with the
/// credentials (`LISTENER_SECRET`) and moved there at the first look.
const TOKEN: &str = "listener_token";
const LISTENER_SECRET: &str = "listener-secret";
/// How long a notification about a sale still being sent waits for it.
const SUBMITTING_WAIT: Duration = Duration::from_secs(5);
const MAX_BODY: usize = 64 * 1024;

/// What the listener needs of the app: the ledger, the engine, AAT for PINs.
#[derive(Clone)]
pub struct Notices {
    store: Arc<Mutex<Store>>,
    engine: Arc<Engine>,
    clock: Arc<dyn airtill_domain::Clock>,
}

/// What one notification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeResult {
    /// `applied`, `duplicate`, `ignored_final`, `unknown`, `deferred`, `conflict`.
    pub effect: &'static str,
    pub sale_id: Option<i64>,
}

impl Notices {
    fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps a notification with the time it came (taken before it was acted on, so a
    /// word that settles a sale counts on the day it came, however long applying took).
    #[allow(clippy::too_many_arguments)]
    fn record(&self, existing: Option<i64>, provider: &str, reference: &str, state: &str, r: &NoticeResult, detail: &str, received_ms: i64) -> Result<()> {
        let mut store = self.store();
        match existing {
            Some(id) => store.set_notification_effect(id, r.effect, r.sale_id)?,
            None => {
                store.record_notification(provider, reference, state, r.sale_id, r.effect, detail, received_ms)?;
            }
        }
        Ok(())
    }

    /// The sale once its seller has its answer (or as it stands after a short wait).
    async fn settled_by_seller(&self, sale_id: i64) -> Result<airtill_store::SaleRow> {
        let deadline = tokio::time::Instant::now() + SUBMITTING_WAIT;
        loop {
            let row = self.store().sale(sale_id)?;
            if !matches!(row.state, SaleState::Submitting | SaleState::Created) || tokio::time::Instant::now() >= deadline {
                return Ok(row);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (a little) for a sale still being sent, then applies the word.
    async fn apply(&self, sale_id: i64, to: SaleState, outcome: &Outcome) -> Result<NoticeResult> {
        let deadline = tokio::time::Instant::now() + SUBMITTING_WAIT;
        loop {
            let effect = self.engine.apply_notice(sale_id, to, outcome)?;
            let name = match effect {
                NoticeEffect::Applied(_) => "applied",
                NoticeEffect::Duplicate(ref row) if row.state.is_final() && row.state != to => "ignored_final",
                NoticeEffect::Duplicate(_) => "duplicate",
                NoticeEffect::Conflict(_) => "conflict",
                NoticeEffect::StillSubmitting(_) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
                NoticeEffect::StillSubmitting(_) => "deferred",
            };
            return Ok(NoticeResult { effect: name, sale_id: Some(sale_id) });
        }
    }

    /// An MX notification (its query string).
    pub async fn apply_mx(&self, query: &str) -> std::result::Result<NoticeResult, String> {
        self.apply_mx_as(query, None).await
    }

    async fn apply_mx_as(&self, query: &str, existing: Option<i64>) -> std::result::Result<NoticeResult, String> {
        let received_ms = self.now_ms();
        let n = Notification::from_query(query)?;
        let state_text = match n.state {
            airtill_providers::mx::CreditState::Submitted => "submitted",
            airtill_providers::mx::CreditState::Confirmed => "confirmed",
            airtill_providers::mx::CreditState::Failure => "failure",
            airtill_providers::mx::CreditState::Retry => "retry",
        };
        let sale = {
            let store = self.store();
            match store.sale_by_provider_ref("mx", &n.credit_id).map_err(|e| e.to_string())? {
                Some(s) => Some(s),
                // A credit whose answer was lost carries no creditId here: the one
                // unresolved credit to this number for this amount, if only one.
                None => match (n.msisdn.as_deref(), n.amount.and_then(airtill_providers::mx::minor_of_thousandths)) {
                    (Some(m), Some(a)) => {
                        let mut found = store.unreferenced_unresolved("mx", m, a).map_err(|e| e.to_string())?;
                        if found.len() == 1 {
                            found.pop()
                        } else {
                            None
                        }
                    }
                    _ => None,
                },
            }
        };
        let mismatch = sale.as_ref().and_then(|s| unlike_the_sale(s, n.msisdn.as_deref(), n.amount.map(|a| airtill_providers::mx::minor_of_thousandths(a).ok_or(a))));
        let result = match sale {
            None => NoticeResult { effect: "unknown", sale_id: None },
            // Believed only when it is about this sale: its number and its amount.
            Some(s) if mismatch.is_some() => {
                tracing::warn!(sale = s.id, "an MX notification unlike its sale: {}", mismatch.as_deref().unwrap_or_default());
                NoticeResult { effect: "conflict", sale_id: Some(s.id) }
            }
            Some(s) => {
                let (to, outcome) = match n.state {
                    CreditState::Confirmed => (SaleState::Succeeded, Outcome { provider_ref: Some(n.credit_id.clone()), ..Default::default() }),
                    CreditState::Failure => (
                        SaleState::Failed,
                        Outcome {
                            provider_ref: Some(n.credit_id.clone()),
                            error_class: Some("rejected".into()),
                            error_message: Some(format!("MX Telecom could not credit the number ({}). Nothing was credited.", n.reason.as_deref().unwrap_or("no reason given"))),
                            ..Default::default()
                        },
                    ),
                    CreditState::Submitted | CreditState::Retry => (SaleState::Pending, Outcome { provider_ref: Some(n.credit_id.clone()), ..Default::default() }),
                };
                self.apply(s.id, to, &outcome).await.map_err(|e| e.to_string())?
            }
        };
        self.record(existing, "mx", &n.credit_id, state_text, &result, query, received_ms).map_err(|e| e.to_string())?;
        tracing::info!(credit = %n.credit_id, state = %state_text, effect = result.effect, "MX notification");
        Ok(result)
    }

    /// An AAT call-back (its JSON body).
    pub async fn apply_aat(&self, body: &[u8]) -> std::result::Result<NoticeResult, String> {
        self.apply_aat_as(body, None).await
    }

    async fn apply_aat_as(&self, body: &[u8], existing: Option<i64>) -> std::result::Result<NoticeResult, String> {
        let received_ms = self.now_ms();
        let cb = Callback::parse(body)?;
        let state_text = if cb.success { "success" } else { "failure" };
        let sale = self.store().sale_by_client_ref(&cb.client_ref).map_err(|e| e.to_string())?.filter(|s| s.details.provider == "aat");
        let mismatch = sale.as_ref().and_then(|s| unlike_the_sale(s, cb.msisdn.as_deref(), cb.amount.map(Ok)));
        let result = match sale {
            None => NoticeResult { effect: "unknown", sale_id: None },
            Some(s) if mismatch.is_some() => {
                tracing::warn!(sale = s.id, "an AAT call-back unlike its sale: {}", mismatch.as_deref().unwrap_or_default());
                NoticeResult { effect: "conflict", sale_id: Some(s.id) }
            }
            // A call-back is a prompt, never the word itself: AAT is asked for the sale
            // by its reference (GetTransactionInfo, through the engine's one resolver)
            // once its seller has its own answer, and the sale moves only as AAT says.
            // A forged success settles nothing; a forged failure refunds nothing.
            Some(s) => {
                let row = self.settled_by_seller(s.id).await.map_err(|e| e.to_string())?;
                let said = if cb.success { SaleState::Succeeded } else { SaleState::Failed };
                if row.state.is_final() {
                    NoticeResult { effect: if row.state == said { "duplicate" } else { "conflict" }, sale_id: Some(s.id) }
                } else if matches!(row.state, SaleState::Submitting | SaleState::Created) {
                    NoticeResult { effect: "deferred", sale_id: Some(s.id) }
                } else {
                    let after = self.engine.resolve(s.id).await.map_err(|e| e.to_string())?;
                    match after.state {
                        st if st == said => NoticeResult { effect: "applied", sale_id: Some(s.id) },
                        st if st.is_final() => NoticeResult { effect: "conflict", sale_id: Some(s.id) },
                        _ => NoticeResult { effect: "deferred", sale_id: Some(s.id) },
                    }
                }
            }
        };
        let detail = String::from_utf8_lossy(body).into_owned();
        self.record(existing, "aat", &cb.client_ref, state_text, &result, &detail, received_ms).map_err(|e| e.to_string())?;
        tracing::info!(client_ref = %cb.client_ref, state = state_text, effect = result.effect, "AAT call-back");
        Ok(result)
    }

    /// Applies again the notifications that came while their sale was being sent.
    pub async fn retry_deferred(&self) -> usize {
        let rows = match self.store().notifications(true, 500) {
            Ok(r) => r.into_iter().filter(|n| n.effect == "deferred").collect::<Vec<_>>(),
            Err(e) => {
                tracing::warn!("deferred notifications could not be read: {e}");
                return 0;
            }
        };
        let mut done = 0;
        for n in rows.into_iter().rev() {
            let r = match n.provider.as_str() {
                "mx" => self.apply_mx_as(&n.detail, Some(n.id)).await,
                "aat" => self.apply_aat_as(n.detail.as_bytes(), Some(n.id)).await,
                _ => continue,
            };
            if matches!(r, Ok(ref x) if x.effect != "deferred") {
                done += 1;
            }
        }
        done
    }
}

/// Why a notification is not about this sale (its number or amount differ), if so.
/// Numbers are compared by their last nine digits (0831234567, 27831234567 and
/// +27 83 123 4567 are one number); an amount finer than the sale's cents never matches.
fn unlike_the_sale(s: &airtill_store::SaleRow, msisdn: Option<&str>, amount_minor: Option<std::result::Result<i64, i64>>) -> Option<String> {
    let tail = |t: &str| {
        let d: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
        d[d.len().saturating_sub(9)..].to_string()
    };
    if let Some(m) = msisdn.filter(|m| !m.trim().is_empty()) {
        if tail(m) != tail(&s.details.recipient) {
            return Some(format!("it names the number {m}, the sale was to {}", s.details.recipient));
        }
    }
    match amount_minor {
        Some(Ok(a)) if a != s.details.amount_minor => Some(format!("it says {a} (cents), the sale was {}", s.details.amount_minor)),
        Some(Err(raw)) => Some(format!("its amount {raw} is not a whole number of cents")),
        _ => None,
    }
}

/// A listener that is running.
pub struct Running {
    pub addr: SocketAddr,
    pub token: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    /// Stops the listener and waits for its thread, so its port is free at once.
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Clone)]
struct ListenerState {
    token: Arc<String>,
    notices: Notices,
    /// The app's runtime: a genuine notification's work runs there.
    work: tokio::runtime::Handle,
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn mx_handler(State(st): State<ListenerState>, Path(token): Path<String>, RawQuery(q): RawQuery) -> axum::response::Response {
    if !same(&token, &st.token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let notices = st.notices.clone();
    let done = st.work.spawn(async move { notices.apply_mx(&q.unwrap_or_default()).await }).await;
    match done {
        Ok(Ok(_)) => (StatusCode::OK, "OK").into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn aat_handler(State(st): State<ListenerState>, Path(token): Path<String>, body: axum::body::Bytes) -> axum::response::Response {
    if !same(&token, &st.token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let notices = st.notices.clone();
    let done = st.work.spawn(async move { notices.apply_aat(&body).await }).await;
    match done {
        Ok(Ok(_)) => (StatusCode::OK, "OK").into_response(),
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Connections served at once, and from one address: a flood from one address (idle
/// connections, half-sent headers) fills its own share and nothing else.
pub const MAX_CONNECTIONS: usize = 256;
pub const MAX_PER_ADDRESS: usize = 16;
/// A request's headers must arrive within this; the whole exchange within the next.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Connections open per address.
#[derive(Default)]
struct PerAddress(Mutex<std::collections::HashMap<std::net::IpAddr, usize>>);

impl PerAddress {
    fn take(&self, ip: std::net::IpAddr) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(ip).or_insert(0);
        if *n >= MAX_PER_ADDRESS {
            return false;
        }
        *n += 1;
        true
    }

    fn give_back(&self, ip: std::net::IpAddr) {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&ip);
            }
        }
    }
}

/// The listener runs on a thread and runtime of its own: accepting, reading headers and
/// turning away a flood never take the selling screen's threads. What a genuine
/// notification does (the ledger, the engine, a query to the provider) runs on the
/// app's runtime (`work`), where the providers' clients live.
async fn start(bind: std::net::IpAddr, port: u16, token: String, notices: Notices) -> Result<Running> {
    let std_listener = std::net::TcpListener::bind((bind, port)).map_err(|e| AppError::BadInput(format!("The listener cannot use {bind}:{port} ({e}). Choose another port.")))?;
    std_listener.set_nonblocking(true).map_err(|e| AppError::Io(e.to_string()))?;
    let addr = std_listener.local_addr().map_err(|e| AppError::Io(e.to_string()))?;
    let work = tokio::runtime::Handle::current();
    let state = ListenerState { token: Arc::new(token.clone()), notices: notices.clone(), work };
    let app = Router::new().route("/{token}/mx", get(mx_handler)).route("/{token}/aat", post(aat_handler)).layer(axum::extract::DefaultBodyLimit::max(MAX_BODY)).with_state(state);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("airtill-listener".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return tracing::error!("the notification listener could not start: {e}"),
            };
            rt.block_on(serve(std_listener, app, stopped));
        })
        .map_err(|e| AppError::Io(format!("the notification listener could not start: {e}")))?;
    // Notifications that came while their sale was being sent (also before a restart).
    let weak = Arc::downgrade(&notices.store);
    let retry = notices.clone();
    tokio::spawn(async move {
        loop {
            if weak.upgrade().is_none() {
                break;
            }
            retry.retry_deferred().await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
    tracing::info!(%addr, "notification listener on");
    Ok(Running { addr, token, stop: Some(stop), thread: Some(thread) })
}

async fn serve(std_listener: std::net::TcpListener, app: Router, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let listener = match tokio::net::TcpListener::from_std(std_listener) {
        Ok(l) => l,
        Err(e) => return tracing::error!("the notification listener could not start: {e}"),
    };
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let per_address = Arc::new(PerAddress::default());
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(x) => x,
            Err(e) => {
                // Out of file descriptors or the like: wait a moment, never spin.
                tracing::warn!("the notification listener could not accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let ip = peer.ip();
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        if !per_address.take(ip) {
            drop(stream);
            continue;
        }
        let per_address = per_address.clone();
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new().timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT).keep_alive(false).serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(HEADER_TIMEOUT + EXCHANGE_TIMEOUT, conn).await;
            per_address.give_back(ip);
            drop(slot);
        });
    }
}

fn check_token(t: &str) -> Result<()> {
    if (16..=64).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(())
    } else {
        Err(AppError::BadInput("The secret is 16 to 64 letters, digits, dashes or underscores.".into()))
    }
}

impl Airtill {
    pub(crate) fn notices(&self) -> Notices {
        Notices { store: self.store.clone(), engine: self.engine.clone(), clock: self.clock.clone() }
    }

    /// The listener's secret, sealed with the credentials (an older version's, found in
    /// settings, is moved there now).
    fn listener_secret(&self) -> Result<Option<String>> {
        let creds = crate::credentials::Credentials::new(&self.data_dir);
        let old = self.store().setting(TOKEN)?;
        if let Some(t) = old.filter(|t| !t.is_empty()) {
            creds.set(LISTENER_SECRET, &t)?;
            self.store().set_setting(TOKEN, "")?;
        }
        creds.get(LISTENER_SECRET)
    }

    fn listener_view(&self) -> Result<ListenerView> {
        let store = self.store();
        let bind = store.setting(BIND)?.unwrap_or_else(|| "127.0.0.1".into());
        let port = store.setting(PORT)?.and_then(|p| p.parse().ok()).unwrap_or(8787u16);
        drop(store);
        let token = self.listener_secret()?;
        let running = self.listener.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map(|r| (r.addr, r.token.clone()));
        let (on, urls) = match &running {
            Some((addr, token)) => (true, Some((format!("http://{addr}/{token}/mx"), format!("http://{addr}/{token}/aat")))),
            None => (false, None),
        };
        Ok(ListenerView { on, bind, port, token, mx_url: urls.as_ref().map(|u| u.0.clone()), aat_url: urls.map(|u| u.1) })
    }

    /// The listener's settings and, when on, the two addresses to give the providers.
    pub fn listener_status(&self, session: &Session) -> Result<ListenerView> {
        session.require_manager()?;
        self.listener_view()
    }

    /// Turns the listener on (at `bind`:`port`, with `token` or a new random one) or
    /// off. Manager. In training the practice providers are pointed at it.
    pub async fn set_listener(&self, session: &Session, on: bool, bind: Option<&str>, port: Option<u16>, token: Option<&str>) -> Result<ListenerView> {
        session.require_manager()?;
        if !on {
            self.listener.lock().unwrap_or_else(|p| p.into_inner()).take();
            self.store().set_setting(ON, "0")?;
            self.point_sandboxes(None);
            self.audit("settings", Some(session.user_id), "notification listener off")?;
            return self.listener_view();
        }
        let bind_text = bind.map(str::trim).filter(|b| !b.is_empty()).unwrap_or("127.0.0.1").to_string();
        let ip: std::net::IpAddr =
            bind_text.parse().map_err(|_| AppError::BadInput(format!("'{bind_text}' is not an address to listen on. Use 127.0.0.1 (this computer) or 0.0.0.0 (every network).")))?;
        // 0: any free port (the one taken is kept for the next start).
        let port = port.unwrap_or(8787);
        if port != 0 && port < 1024 {
            return Err(AppError::BadInput("Choose a port from 1024 to 65535.".into()));
        }
        let token = match token.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => {
                check_token(t)?;
                t.to_string()
            }
            None => uuid::Uuid::new_v4().simple().to_string(),
        };
        // Stop the old one first (it may hold the port).
        self.listener.lock().unwrap_or_else(|p| p.into_inner()).take();
        let running = start(ip, port, token.clone(), self.notices()).await?;
        let local = SocketAddr::new(if ip.is_unspecified() { std::net::Ipv4Addr::LOCALHOST.into() } else { ip }, running.addr.port());
        {
            let mut store = self.store();
            store.set_setting(ON, "1")?;
            store.set_setting(BIND, &bind_text)?;
            store.set_setting(PORT, &running.addr.port().to_string())?;
        }
        crate::credentials::Credentials::new(&self.data_dir).set(LISTENER_SECRET, &token)?;
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(running);
        self.point_sandboxes(Some((local, token.as_str())));
        self.audit("settings", Some(session.user_id), &format!("notification listener on {bind_text}:{port}"))?;
        self.listener_view()
    }

    /// At start: the listener as the manager left it.
    pub(crate) async fn resume_listener(&self) -> Result<()> {
        let (on, bind, port) = {
            let s = self.store();
            (s.setting(ON)?, s.setting(BIND)?, s.setting(PORT)?)
        };
        let token = if on.as_deref() == Some("1") { self.listener_secret()? } else { None };
        if on.as_deref() != Some("1") {
            return Ok(());
        }
        let (Some(ip), Some(port), Some(token)) = (bind.and_then(|b| b.parse().ok()), port.and_then(|p| p.parse().ok()), token) else {
            return Ok(());
        };
        match start(ip, port, token.clone(), self.notices()).await {
            Ok(r) => {
                let local = SocketAddr::new(if ip.is_unspecified() { std::net::Ipv4Addr::LOCALHOST.into() } else { ip }, r.addr.port());
                *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                self.point_sandboxes(Some((local, token.as_str())));
            }
            Err(e) => tracing::warn!("the notification listener could not start again: {e}"),
        }
        Ok(())
    }

    fn point_sandboxes(&self, to: Option<(SocketAddr, &str)>) {
        if let Some(sb) = &self._aat_sandbox {
            sb.set_callback_url(to.map(|(a, t)| format!("http://{a}/{t}/aat")));
        }
        if let Some(sb) = &self._mx_sandbox {
            sb.set_notification_url(to.map(|(a, t)| format!("http://{a}/{t}/mx")));
        }
    }

    /// Notifications received, newest first; `open_only`: those about no known sale,
    /// contradicting a final sale, or waiting. Manager.
    pub fn notifications(&self, session: &Session, open_only: bool) -> Result<Vec<NotificationView>> {
        session.require_manager()?;
        let rows = self.store().notifications(open_only, 200)?;
        Ok(rows
            .into_iter()
            .map(|n| {
                let explanation = match n.effect.as_str() {
                    "applied" => "Applied to the sale.",
                    "duplicate" => "Said again; nothing changed.",
                    "ignored_final" => "An earlier step of a sale that is already final; nothing changed.",
                    "unknown" => "About no sale this till knows. Check it with the provider: it may be from another till or app on the same account.",
                    "deferred" => "Came while the sale was being sent; Airtill applies it shortly.",
                    "conflict" => "Says the opposite of the sale's final result; nothing was changed. Check it with the provider.",
                    _ => "",
                };
                NotificationView {
                    id: n.id,
                    received_at: time::local_minutes(n.received_ms),
                    provider: crate::ProviderId::stored(&n.provider),
                    reference: n.reference,
                    state: n.state,
                    sale_id: n.sale_id,
                    effect: n.effect,
                    explanation: explanation.into(),
                }
            })
            .collect())
    }
}
