//! PIN login. PINs are stored as argon2 hashes; a session lives in the caller's state
//! (the shell's, or the command line's for one command).

use crate::{Airtill, AppError, Result, UserView};
use airtill_store::Role;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core06::OsRng;

/// A logged-in person at this till.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// Logged in with a PIN others know: nothing but a new PIN until it is changed.
    pub must_change_pin: bool,
}

impl Session {
    pub fn user_view(&self) -> UserView {
        UserView { name: self.name.clone(), role: self.role.as_str().to_string(), must_change_pin: self.must_change_pin }
    }

    /// Selling is for cashiers and managers alike.
    pub fn require_seller(&self) -> Result<()> {
        if self.must_change_pin {
            return Err(AppError::MustChangePin);
        }
        Ok(())
    }

    pub fn require_manager(&self) -> Result<()> {
        if self.must_change_pin {
            return Err(AppError::MustChangePin);
        }
        match self.role {
            Role::Manager => Ok(()),
            Role::Cashier => Err(AppError::Forbidden("Only a manager can do that.".into())),
        }
    }
}

pub fn hash_pin(pin: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pin.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AppError::Io(format!("the PIN could not be stored: {e}")))
}

fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

pub(crate) fn pin_matches_hash(pin: &str, hash: &str) -> bool {
    pin_matches(pin, hash)
}

/// The longest PIN a login takes.
pub const MAX_PIN_DIGITS: usize = 12;
/// The shortest PIN of a manager (it opens the office, reports and every approval)
/// and of a cashier.
pub const MIN_MANAGER_PIN: usize = 6;
pub const MIN_CASHIER_PIN: usize = 4;

/// Checks a PIN's shape before any hash is computed.
fn check_pin_shape(pin: &str) -> Result<()> {
    if pin.is_empty() {
        return Err(AppError::BadInput("Type your PIN.".into()));
    }
    if !pin.chars().all(|c| c.is_ascii_digit()) || !(MIN_CASHIER_PIN..=MAX_PIN_DIGITS).contains(&pin.len()) {
        return Err(AppError::BadInput(format!("A PIN is {MIN_CASHIER_PIN} to {MAX_PIN_DIGITS} digits.")));
    }
    Ok(())
}

/// A new PIN for a person of this role: digits only, at least 6 for a manager and 4
/// for a cashier, and never one the demo shop's people have (printed for everyone).
pub(crate) fn check_new_pin(role: Role, pin: &str) -> Result<()> {
    let min = match role {
        Role::Manager => MIN_MANAGER_PIN,
        Role::Cashier => MIN_CASHIER_PIN,
    };
    if pin.is_empty() {
        return Err(AppError::BadInput("Type the new PIN.".into()));
    }
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::BadInput("A PIN is digits only.".into()));
    }
    if pin.len() < min {
        return Err(AppError::BadInput(match role {
            Role::Manager => format!("A manager's PIN is at least {min} digits: it opens the office and approves sales."),
            Role::Cashier => format!("A PIN is at least {min} digits."),
        }));
    }
    if pin.len() > MAX_PIN_DIGITS {
        return Err(AppError::BadInput(format!("A PIN is at most {MAX_PIN_DIGITS} digits.")));
    }
    if is_demo_pin(pin) {
        return Err(AppError::BadInput("That PIN is printed in Airtill's guide for practice: choose another.".into()));
    }
    if pin.bytes().all(|b| b == pin.as_bytes()[0]) || "01234567890123".contains(pin) || "98765432109876".contains(pin) {
        return Err(AppError::BadInput("That PIN is too easy to guess (all one digit, or digits in a row): choose another.".into()));
    }
    Ok(())
}

/// The demo shop's PINs, known to everyone who read the guide.
pub(crate) fn is_demo_pin(pin: &str) -> bool {
    pin == crate::DEMO_MANAGER.1 || pin == crate::DEMO_CASHIER.1
}

/// Wrong PINs in a row before the till locks, and for how long.
pub const MAX_WRONG_PINS: i64 = 5;
pub const LOCKOUT_MS: i64 = 5 * 60_000;
const FAILURES_KEY: &str = "login_failures";
const LOCKED_UNTIL_KEY: &str = "login_locked_until_ms";

impl Airtill {
    /// The active user whose PIN this is. A login screen takes only a PIN, so wrong
    /// PINs are counted for the till: after five in a row it locks for five minutes
    /// (kept in the ledger, so a restart does not reset it).
    fn user_by_pin(&self, pin: &str) -> Result<airtill_store::UserRow> {
        check_pin_shape(pin)?;
        let now = crate::time::now_ms();
        let locked_until = self.store().setting(LOCKED_UNTIL_KEY)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        if now < locked_until {
            return Err(AppError::LockedOut { until: crate::time::local_minutes(locked_until) });
        }
        let users = self.store().users()?;
        let found = users.into_iter().filter(|u| u.active).find(|u| pin_matches(pin, &u.pin_hash));
        let mut store = self.store();
        match found {
            Some(user) => {
                store.set_setting(FAILURES_KEY, "0")?;
                Ok(user)
            }
            None => {
                let failures = store.setting(FAILURES_KEY)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0) + 1;
                if failures >= MAX_WRONG_PINS {
                    let until = now + LOCKOUT_MS;
                    store.set_setting(LOCKED_UNTIL_KEY, &until.to_string())?;
                    store.set_setting(FAILURES_KEY, "0")?;
                    tracing::warn!("{failures} wrong PINs in a row: the till is locked for {} minutes", LOCKOUT_MS / 60_000);
                    store.audit("login_failed", None, &format!("wrong PIN, {failures} in a row"), now)?;
                    store.audit("lockout", None, &format!("locked until {}", crate::time::local_minutes(until)), now)?;
                    return Err(AppError::LockedOut { until: crate::time::local_minutes(until) });
                }
                store.set_setting(FAILURES_KEY, &failures.to_string())?;
                store.audit("login_failed", None, &format!("wrong PIN, {failures} in a row"), now)?;
                Err(AppError::WrongPin)
            }
        }
    }

    /// The ids of the people who may use this till (manager; for tools).
    pub fn user_ids(&self, session: &Session) -> Result<Vec<i64>> {
        session.require_manager()?;
        Ok(self.store().users()?.into_iter().filter(|u| u.active).map(|u| u.id).collect())
    }

    /// Logs in the user whose PIN this is. In a live shop a PIN everyone knows (the
    /// demo shop's, from a ledger an older version made) must be changed first.
    pub fn login(&self, pin: &str) -> Result<Session> {
        let user = self.user_by_pin(pin)?;
        let mut must_change_pin = user.must_change_pin;
        if !self.training && is_demo_pin(pin) && !must_change_pin {
            must_change_pin = true;
            let change = airtill_store::UserChange { must_change_pin: Some(true), ..Default::default() };
            self.store().change_user(user.id, &change)?;
            tracing::warn!(user = %user.name, "a live till's PIN is the demo shop's: it must be changed now");
        }
        self.audit("login", Some(user.id), &format!("{} ({})", user.name, user.role.as_str()))?;
        Ok(Session { token: uuid::Uuid::new_v4().to_string(), user_id: user.id, name: user.name, role: user.role, must_change_pin })
    }

    /// A manager's approval at this till: the id of the manager whose PIN this is.
    pub(crate) fn manager_approval(&self, pin: &str) -> Result<i64> {
        let user = self.user_by_pin(pin)?;
        match user.role {
            Role::Manager if user.must_change_pin || (!self.training && is_demo_pin(pin)) => {
                Err(AppError::Forbidden("That manager must choose a new PIN (log in with it) before approving anything.".into()))
            }
            Role::Manager => {
                self.audit("manager_approval", Some(user.id), &user.name)?;
                Ok(user.id)
            }
            Role::Cashier => Err(AppError::Forbidden("That is not a manager's PIN. A manager must approve this.".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_pin("1234").unwrap();
        let b = hash_pin("1234").unwrap();
        assert_ne!(a, b, "salted");
        assert!(pin_matches("1234", &a));
        assert!(!pin_matches("1235", &a));
        assert!(!a.contains("1234"));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn five_wrong_pins_lock_the_till_even_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let opts = crate::OpenOptions { data_dir: dir.path().to_path_buf() };
        {
            let app = Airtill::open(opts.clone()).await.unwrap();
            for _ in 0..4 {
                assert!(matches!(app.login("9999"), Err(AppError::WrongPin)));
            }
            // A right PIN resets the count.
            assert!(app.login(crate::DEMO_CASHIER.1).is_ok());
            for _ in 0..4 {
                assert!(matches!(app.login("9999"), Err(AppError::WrongPin)));
            }
            assert!(matches!(app.login("9999"), Err(AppError::LockedOut { .. })));
            app.shutdown().await;
        }
        let app = Airtill::open(opts).await.unwrap();
        // Locked: even the manager's right PIN, even for an approval.
        assert!(matches!(app.login(crate::DEMO_MANAGER.1), Err(AppError::LockedOut { .. })));
        assert!(matches!(app.manager_approval(crate::DEMO_MANAGER.1), Err(AppError::LockedOut { .. })));
        // Five minutes later it opens again.
        let past = (crate::time::now_ms() - 1).to_string();
        app.store().set_setting(LOCKED_UNTIL_KEY, &past).unwrap();
        assert!(app.login(crate::DEMO_MANAGER.1).is_ok());
    }

    #[test]
    fn pin_shapes() {
        assert!(check_pin_shape("").is_err());
        assert!(check_pin_shape("12a4").is_err());
        assert!(check_pin_shape("123").is_err());
        assert!(check_pin_shape("1234567890123").is_err());
        assert!(check_pin_shape("1234").is_ok());
        assert!(check_new_pin(Role::Manager, "48213").unwrap_err().to_string().contains("at least 6"));
        assert!(check_new_pin(Role::Manager, "482139").is_ok());
        assert!(check_new_pin(Role::Cashier, "4821").is_ok());
        assert!(check_new_pin(Role::Cashier, "123").is_err());
        for easy in ["1234", "2580", "111111", "123456", "654321", "0000"] {
            assert!(check_new_pin(Role::Cashier, easy).is_err(), "{easy}");
        }
        assert!(check_new_pin(Role::Cashier, "48a1").unwrap_err().to_string().contains("digits only"));
    }
}
