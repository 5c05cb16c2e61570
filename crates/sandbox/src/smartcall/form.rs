//! Reading a JSON request body by hand, strictly: only the allowed fields, each of the
//! right JSON type, amounts from their exact text. Any fault is the service's 1007.

use super::recharge::{raw_amount, read_object};
use super::{code_error, is_json, owner, recharge::settle, unsupported_media_type, Inner, St};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::MutexGuard;

pub(crate) fn invalid(why: &str) -> Response {
    code_error(StatusCode::BAD_REQUEST, 1007, &format!("Parameter validation failure: {why}"))
}

pub(crate) struct Form {
    fields: HashMap<String, Value>,
    raw: HashMap<String, Box<serde_json::value::RawValue>>,
}

impl Form {
    /// A POST body with a JSON content type (the HTML 415 page otherwise) and only
    /// `allowed` fields.
    pub fn read(headers: &HeaderMap, body: &Bytes, allowed: &[&str]) -> Result<Form, Response> {
        if !is_json(headers) {
            return Err(unsupported_media_type());
        }
        let v: Value = serde_json::from_slice(body).map_err(|e| invalid(&e.to_string()))?;
        let fields = read_object(&v, allowed).map_err(|e| invalid(&e))?;
        let raw = serde_json::from_slice(body).map_err(|e| invalid(&e.to_string()))?;
        Ok(Form { fields, raw })
    }

    pub fn value(&self, k: &str) -> Option<&Value> {
        self.fields.get(k)
    }

    /// A string field, trimmed; empty when absent.
    pub fn get(&self, k: &str) -> String {
        self.fields.get(k).and_then(|v| v.as_str()).unwrap_or("").trim().to_string()
    }

    pub fn text(&self, k: &str) -> Result<String, Response> {
        self.fields.get(k).and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| invalid(&format!("{k} must be a string")))
    }

    pub fn int(&self, k: &str) -> Result<i64, Response> {
        self.fields.get(k).and_then(|v| v.as_i64()).ok_or_else(|| invalid(&format!("{k} must be a whole number")))
    }

    pub fn boolean(&self, k: &str) -> Result<bool, Response> {
        self.fields.get(k).and_then(|v| v.as_bool()).ok_or_else(|| invalid(&format!("{k} must be true or false")))
    }

    /// A Rand amount written as a bare JSON number, in cents.
    pub fn amount(&self, k: &str) -> Result<i64, Response> {
        raw_amount(self.raw.get(k).map(|r| r.get()), k).map_err(|e| invalid(&e))
    }
}

/// The state, locked, for a bearer who owns `smartload_id`, with sales settled to now.
pub(crate) fn owned<'a>(st: &'a St, headers: &HeaderMap, smartload_id: &str) -> Result<(MutexGuard<'a, Inner>, i64), Response> {
    let now = st.clock.now_ms();
    let mut inner = st.lock();
    owner(headers, &mut inner, now, smartload_id)?;
    settle(&mut inner, now);
    Ok((inner, now))
}
