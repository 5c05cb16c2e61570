//! What guessing a PIN costs: one verification at the till's real argon2 cost (the
//! counter waits this long at each login), how many an attacker checks per second on
//! two cores with the ledger *and* the pepper, and what the lockout leaves of guessing
//! at the till. Without the pepper (a copied ledger alone) no guess can be checked.
//!
//! `cargo bench --workspace --bench pins`

use airtill_app::{lock_for, pin_params, PinCost, FREE_ATTEMPTS, LONGEST_LOCK_MS};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Version};
use std::time::{Duration, Instant};

const PEPPER: [u8; 32] = [42; 32];

fn hasher() -> Argon2<'static> {
    Argon2::new_with_secret(&PEPPER, Algorithm::Argon2id, Version::V0x13, pin_params(PinCost::Full)).unwrap()
}

fn human(secs: f64) -> String {
    let (m, h, d, y) = (60.0, 3600.0, 86_400.0, 365.25 * 86_400.0);
    match secs {
        s if s >= y => format!("{:.1} years", s / y),
        s if s >= d => format!("{:.1} days", s / d),
        s if s >= h => format!("{:.1} hours", s / h),
        s if s >= m => format!("{:.1} minutes", s / m),
        s => format!("{s:.1} s"),
    }
}

fn main() {
    let salt = SaltString::from_b64("c29tZXNhbHRzb21lc2FsdA").unwrap();
    let hash = hasher().hash_password(b"582931", &salt).unwrap().to_string();
    let parsed = argon2::PasswordHash::new(&hash).unwrap();
    // One verification, median of 9.
    let mut one: Vec<Duration> = (0..9)
        .map(|_| {
            let t = Instant::now();
            assert!(hasher().verify_password(b"000000", &parsed).is_err());
            t.elapsed()
        })
        .collect();
    one.sort();
    let one = one[one.len() / 2].as_secs_f64();
    // Two cores checking guesses at once for a few seconds.
    let start = Instant::now();
    let counted = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let parsed = argon2::PasswordHash::new(&hash).unwrap();
                while start.elapsed() < Duration::from_secs(6) {
                    let _ = hasher().verify_password(b"123123", &parsed);
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    let rate = counted.into_inner() as f64 / start.elapsed().as_secs_f64();
    println!("PIN hash: argon2id m={} KiB t={} p={}, peppered", pin_params(PinCost::Full).m_cost(), pin_params(PinCost::Full).t_cost(), pin_params(PinCost::Full).p_cost());
    println!("one verification (a login at the counter): {:.0} ms", one * 1000.0);
    println!("offline, with the ledger and the pepper, 2 cores: {rate:.2} guesses/s");
    for digits in [4u32, 6, 8, 10] {
        let all = 10f64.powi(digits as i32);
        println!("  every {digits}-digit PIN: {}", human(all / rate));
    }
    let needed = 10f64.powi(6) / (365.25 * 86_400.0);
    println!("  a year for every 6-digit PIN would need {needed:.3} guesses/s: {:.0} s per verification on 2 cores", 2.0 / needed);
    // At the till: the lockout's waits, guess after guess, on one guard.
    let mut t_ms: i64 = 0;
    let mut n: i64 = 0;
    let year_ms = (365.25 * 86_400_000.0) as i64;
    while t_ms < year_ms {
        n += 1;
        t_ms += lock_for(n).max(0) + (one * 1000.0) as i64;
    }
    println!("online, one person's guard: {FREE_ATTEMPTS} free, then 30 s doubling to {} min: {n} guesses in a year", LONGEST_LOCK_MS / 60_000);
    for (who, digits) in [("a cashier's 4-digit", 4), ("a manager's 6-digit", 6)] {
        let all = 10f64.powi(digits);
        println!("  every {who} PIN at the till: {}", human(all / n as f64 * 365.25 * 86_400.0));
    }
}
