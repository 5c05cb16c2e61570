//! Times: stored as epoch milliseconds (UTC), shown in the till's local time.

use chrono::{Local, LocalResult, NaiveTime, TimeZone};

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `2026-11-23 10:15` in local time.
pub fn local_minutes(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.format("%Y-%m-%d %H:%M").to_string(),
        LocalResult::None => String::new(),
    }
}

/// `2027-11-23` in local time.
pub fn local_date(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.format("%Y-%m-%d").to_string(),
        LocalResult::None => String::new(),
    }
}

/// `[start, end)` of the local day that holds `ms`, in epoch ms.
pub fn local_day_bounds(ms: i64) -> (i64, i64) {
    let day = match Local.timestamp_millis_opt(ms) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.date_naive(),
        LocalResult::None => chrono::Utc::now().date_naive(),
    };
    let start_of = |d: chrono::NaiveDate| -> i64 {
        match Local.from_local_datetime(&d.and_time(NaiveTime::MIN)) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
            LocalResult::None => d.and_time(NaiveTime::MIN).and_utc().timestamp_millis(),
        }
    };
    (start_of(day), start_of(day.succ_opt().unwrap_or(day)))
}
