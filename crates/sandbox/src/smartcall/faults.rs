//! Fault injection, switchable per request: a delay past the client's timeout, a
//! connection dropped after the sale was recorded, HTTP 500, a malformed body, an
//! expired token, a network down.

use super::{bearer_token, health_key, json_response, kill_token, St};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// A fault to inject into one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The request is handled (a sale is recorded), then the answer waits this long.
    Delay(Duration),
    /// The request is handled (a sale is recorded), then the connection breaks
    /// before the answer's body arrives.
    DropAfterRecord,
    /// HTTP 500 with an HTML page, before anything is recorded.
    Http500,
    /// The request is handled, then the JSON answer is cut in half.
    Malformed,
    /// The caller's token dies just before the request is checked (a 401 follows).
    ExpireToken,
    /// The product's mobile network is down: the sale is refused before it is sent
    /// to the network, nothing is recorded.
    NetworkDown,
}

impl Fault {
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Delay(_) => "delay",
            Fault::DropAfterRecord => "drop_after_record",
            Fault::Http500 => "http_500",
            Fault::Malformed => "malformed",
            Fault::ExpireToken => "expire_token",
            Fault::NetworkDown => "network_down",
        }
    }
}

/// Matches every path a sale goes to.
pub(crate) const SALE_PATHS_MARK: &str = "\u{0}sale";
const SALE_PATHS: [&str; 5] = ["/smartload/recharges", "/smartload/v2/recharges", "/smartload/recharges/batch", "/payments/easypay", "/payments/dstv"];

struct Rule {
    method: String,
    path_prefix: String,
    fault: Fault,
}

#[derive(Default)]
pub(crate) struct FaultState {
    queue: VecDeque<Rule>,
    random: Option<(u32, StdRng, Vec<Fault>)>,
    pub applied: HashMap<&'static str, u64>,
}

impl FaultState {
    pub fn push(&mut self, method: &str, path_prefix: &str, fault: Fault) {
        self.queue.push_back(Rule { method: method.to_ascii_uppercase(), path_prefix: path_prefix.to_string(), fault });
    }

    pub fn set_random(&mut self, percent: u32, seed: u64, kinds: Vec<Fault>) {
        self.random = (percent > 0 && !kinds.is_empty()).then(|| (percent.min(100), StdRng::seed_from_u64(seed), kinds));
    }

    fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let is_sale = method == "POST" && SALE_PATHS.contains(&path);
        let matches = |r: &Rule| (r.method.is_empty() || r.method == method) && if r.path_prefix == SALE_PATHS_MARK { is_sale } else { path.starts_with(&r.path_prefix) };
        let fault = if let Some(i) = self.queue.iter().position(matches) {
            self.queue.remove(i).map(|r| r.fault)
        } else if is_sale {
            match self.random.as_mut() {
                Some((percent, rng, kinds)) => {
                    let hit = rng.random_range(0..100) < *percent;
                    let i = rng.random_range(0..kinds.len());
                    hit.then(|| kinds[i].clone())
                }
                None => None,
            }
        } else {
            None
        };
        if let Some(f) = &fault {
            *self.applied.entry(f.name()).or_default() += 1;
        }
        fault
    }
}

const MAX_BODY: usize = 4 * 1024 * 1024;

pub(crate) async fn layer(State(st): State<St>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().trim_start_matches("/webservice").to_string();
    let fault = st.faults.lock().unwrap_or_else(|p| p.into_inner()).take(&method, &path);
    let Some(fault) = fault else {
        return next.run(req).await;
    };
    tracing::info!(fault = fault.name(), %path, "sandbox injects a fault");
    match fault {
        Fault::Http500 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Error 500 Internal Server Error</title></head><body><h1>HTTP Status 500 - Internal Server Error</h1></body></html>",
        )
            .into_response(),
        Fault::ExpireToken => {
            if let Some(t) = bearer_token(req.headers()) {
                kill_token(&st, &t);
            }
            next.run(req).await
        }
        Fault::NetworkDown => {
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
            let product_id = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("productId").and_then(|p| p.as_i64()).or_else(|| v.pointer("/recharges/0/productId").and_then(|p| p.as_i64())));
            let network = {
                let inner = st.lock();
                product_id.and_then(|id| inner.products.iter().find(|p| p.id == id).map(|p| p.network.to_string()))
            };
            match network.filter(|n| health_key(n).is_some()) {
                Some(n) => network_down_response(&n),
                // Not a mobile network: nothing to take down.
                None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
            }
        }
        Fault::Delay(d) => {
            let resp = next.run(req).await;
            tokio::time::sleep(d).await;
            resp
        }
        Fault::DropAfterRecord => {
            let resp = next.run(req).await;
            let status = resp.status();
            // Headers go out, then the body stream fails: the connection is cut.
            let stream = futures_stream_error();
            Response::builder().status(status).header(header::CONTENT_TYPE, "application/json").body(Body::from_stream(stream)).unwrap_or_else(|_| resp_empty())
        }
        Fault::Malformed => {
            let resp = next.run(req).await;
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
            let cut = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let mut r = Response::from_parts(parts, Body::from(cut));
            r.headers_mut().remove(header::CONTENT_LENGTH);
            r
        }
    }
}

fn resp_empty() -> Response {
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// A body that yields a little JSON and then an error.
fn futures_stream_error() -> impl futures_core::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    BrokenBody { sent: false }
}

struct BrokenBody {
    sent: bool,
}

impl futures_core::Stream for BrokenBody {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, _cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        if !self.sent {
            self.sent = true;
            return std::task::Poll::Ready(Some(Ok(Bytes::from_static(b"{\"error\":null,\"responseCode\":\"SUCC"))));
        }
        std::task::Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sandbox drops the connection"))))
    }
}

/// The answer to a sale on a network that is down **[convention]**, shared with the
/// rotation.
pub(crate) fn network_down_response(network: &str) -> Response {
    json_response(StatusCode::OK, json!({"error": {"code": 2, "message": format!("{network} network is down")}, "responseCode": "SYS_ERROR", "recharge": null}))
}
