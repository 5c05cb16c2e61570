//! What the form-and-query providers (AAT, MX) and Ideamart share on the wire: the
//! choice of GET or POST, form encoding, and what a failed `reqwest` call means.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// POST with a form body or GET with a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpMethod {
    #[default]
    Post,
    Get,
}

/// application/x-www-form-urlencoded, as ASP.NET's `HttpUtility` writes it.
const FORM: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'*');

/// `a=1&b=x+y` from pairs.
pub(crate) fn form(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", utf8_percent_encode(k, FORM), utf8_percent_encode(v, FORM).to_string().replace("%20", "+"))).collect::<Vec<_>>().join("&")
}

/// What a failed call means for the money: nothing sent, sent and no answer in time,
/// sent and the connection broke, or a request that could not be made.
pub(crate) enum Failure {
    Unreachable(String),
    TimedOut,
    Dropped(String),
    Invalid(String),
}

pub(crate) fn failure(e: reqwest::Error) -> Failure {
    let mut cur: &(dyn std::error::Error + 'static) = &e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let cause = cur.to_string();
    if e.is_connect() {
        Failure::Unreachable(cause)
    } else if e.is_timeout() {
        Failure::TimedOut
    } else if e.is_builder() {
        Failure::Invalid(cause)
    } else {
        Failure::Dropped(cause)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn forms_are_encoded_like_asp_net() {
        assert_eq!(super::form(&[("username", "a b&c".into()), ("clientRef", "9194e809-7cce".into())]), "username=a+b%26c&clientRef=9194e809-7cce");
    }
}
