//! Times: stored as epoch milliseconds (UTC), shown and cut into days in the shop's
//! time zone — one clock for the shop's day, whatever zone the machine is set to.
//!
//! The zone is the shop's setting ([`DEFAULT_ZONE`] unless the manager chose another),
//! set once for the process when the ledger opens: a process runs one till.

use chrono::{LocalResult, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::sync::RwLock;

/// South Africa: where the shops are, and the zone Smartcall's days are in.
pub const DEFAULT_ZONE: Tz = chrono_tz::Africa::Johannesburg;

static ZONE: RwLock<Tz> = RwLock::new(DEFAULT_ZONE);

/// The shop's time zone.
pub fn zone() -> Tz {
    *ZONE.read().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn set_zone(tz: Tz) {
    *ZONE.write().unwrap_or_else(|p| p.into_inner()) = tz;
}

/// A zone by its IANA name (`Africa/Johannesburg`), or why not.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| format!("'{}' is not a time zone. Write it as the world names it, like Africa/Johannesburg.", name.trim()))
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn at(ms: i64) -> Option<chrono::DateTime<Tz>> {
    zone().timestamp_millis_opt(ms).single()
}

/// `2026/11/23 10:15` in the shop's zone: the date as South Africa writes it.
pub fn local_minutes(ms: i64) -> String {
    at(ms).map(|t| t.format("%Y/%m/%d %H:%M").to_string()).unwrap_or_default()
}

/// `2027/11/23` in the shop's zone.
pub fn local_date(ms: i64) -> String {
    at(ms).map(|t| t.format("%Y/%m/%d").to_string()).unwrap_or_default()
}

/// The shop's date at `ms`.
pub fn date_at(ms: i64) -> NaiveDate {
    at(ms).map(|t| t.date_naive()).unwrap_or_default()
}

/// The first moment of a day in the shop's zone, in epoch ms (a day that starts in a
/// clock change starts at its first existing minute).
pub fn day_start(d: NaiveDate) -> i64 {
    let z = zone();
    match z.from_local_datetime(&d.and_time(NaiveTime::MIN)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
        LocalResult::None => (1..=180)
            .find_map(|m| z.from_local_datetime(&(d.and_time(NaiveTime::MIN) + chrono::Duration::minutes(m))).earliest())
            .map_or_else(|| d.and_time(NaiveTime::MIN).and_utc().timestamp_millis(), |t| t.timestamp_millis()),
    }
}

/// The last millisecond of a day in the shop's zone.
pub fn day_end(d: NaiveDate) -> i64 {
    day_start(d.succ_opt().unwrap_or(d)) - 1
}

/// `[start, end)` of the shop's day that holds `ms`, in epoch ms.
pub fn local_day_bounds(ms: i64) -> (i64, i64) {
    let day = date_at(ms);
    (day_start(day), day_start(day.succ_opt().unwrap_or(day)))
}

/// The shop's offset from UTC at `ms`, in ms (for sales by hour of the day).
pub fn offset_ms_at(ms: i64) -> i64 {
    use chrono::Offset;
    at(ms).map(|t| i64::from(t.offset().fix().local_minus_utc()) * 1000).unwrap_or(0)
}

/// A date as a person writes it at the till: `2026/12/01` (the shop's way, as every
/// screen shows it), `2026-12-01` (what a date field sends) or `1 Dec 2026`.
pub fn parse_date(text: &str) -> crate::Result<NaiveDate> {
    let t = text.trim();
    ["%Y/%m/%d", "%Y-%m-%d", "%d %b %Y", "%d %B %Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .ok_or_else(|| crate::AppError::BadInput(format!("'{}' is not a date. Write it as 2026/11/23.", t.chars().take(20).collect::<String>())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_the_shops_whatever_the_machine_says() {
        // 2026-12-01 23:30 in South Africa is 21:30 UTC: still the 1st at the shop.
        let ms = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 21, 30, 0).unwrap().timestamp_millis();
        assert_eq!(local_minutes(ms), "2026/12/01 23:30");
        assert_eq!(date_at(ms + 31 * 60_000).to_string(), "2026-12-02", "midnight at the shop, not at Greenwich");
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(day_start(d), chrono::Utc.with_ymd_and_hms(2026, 11, 30, 22, 0, 0).unwrap().timestamp_millis());
        assert_eq!(local_day_bounds(ms), (day_start(d), day_start(d.succ_opt().unwrap())));
        assert_eq!(offset_ms_at(ms), 2 * 3_600 * 1_000);
        assert!(parse_zone("Mars/Olympus").is_err());
        assert_eq!(parse_zone(" Europe/London ").unwrap(), chrono_tz::Europe::London);
    }
}
