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
}

impl Session {
    pub fn user_view(&self) -> UserView {
        UserView { name: self.name.clone(), role: self.role.as_str().to_string() }
    }

    /// Selling is for cashiers and managers alike.
    pub fn require_seller(&self) -> Result<()> {
        Ok(())
    }

    pub fn require_manager(&self) -> Result<()> {
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

/// Checks a PIN's shape before any hash is computed.
fn check_pin_shape(pin: &str) -> Result<()> {
    if pin.is_empty() {
        return Err(AppError::BadInput("Type your PIN.".into()));
    }
    if !pin.chars().all(|c| c.is_ascii_digit()) || !(4..=8).contains(&pin.len()) {
        return Err(AppError::BadInput("A PIN is 4 to 8 digits.".into()));
    }
    Ok(())
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

    /// Adds a person who may use this till (manager). Names are 1 to 40 characters;
    /// PINs 4 to 8 digits, and no two people may share one (a PIN alone logs in).
    pub fn add_user(&self, session: &Session, name: &str, role: &str, pin: &str) -> Result<UserView> {
        session.require_manager()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 40 || name.chars().any(|c| c.is_control()) {
            return Err(AppError::BadInput("A name is 1 to 40 letters.".into()));
        }
        let role = match role {
            "manager" => Role::Manager,
            "cashier" => Role::Cashier,
            other => return Err(AppError::BadInput(format!("'{other}' is not a role: manager or cashier."))),
        };
        check_pin_shape(pin)?;
        let users = self.store().users()?;
        if users.iter().any(|u| u.active && u.name.eq_ignore_ascii_case(name)) {
            return Err(AppError::BadInput(format!("{name} is already a user here.")));
        }
        if users.iter().filter(|u| u.active).any(|u| pin_matches(pin, &u.pin_hash)) {
            return Err(AppError::BadInput("Someone already has that PIN. Choose another.".into()));
        }
        let hash = hash_pin(pin)?;
        // The person and the audit line: one transaction.
        let (line, now) = (format!("{name} as {}", role.as_str()), self.now_ms());
        self.store().atomically(|s| {
            s.add_user(name, role, &hash)?;
            s.audit("user_added", Some(session.user_id), &line, now)
        })?;
        Ok(UserView { name: name.to_string(), role: role.as_str().to_string() })
    }

    /// The people who may use this till (manager).
    pub fn list_users(&self, session: &Session) -> Result<Vec<UserView>> {
        session.require_manager()?;
        Ok(self.store().users()?.into_iter().filter(|u| u.active).map(|u| UserView { name: u.name, role: u.role.as_str().to_string() }).collect())
    }

    /// The ids of the people who may use this till (manager; for tools).
    pub fn user_ids(&self, session: &Session) -> Result<Vec<i64>> {
        session.require_manager()?;
        Ok(self.store().users()?.into_iter().filter(|u| u.active).map(|u| u.id).collect())
    }

    /// Logs in the user whose PIN this is.
    pub fn login(&self, pin: &str) -> Result<Session> {
        let user = self.user_by_pin(pin)?;
        self.audit("login", Some(user.id), &format!("{} ({})", user.name, user.role.as_str()))?;
        Ok(Session { token: uuid::Uuid::new_v4().to_string(), user_id: user.id, name: user.name, role: user.role })
    }

    /// A manager's approval at this till: the id of the manager whose PIN this is.
    pub(crate) fn manager_approval(&self, pin: &str) -> Result<i64> {
        let user = self.user_by_pin(pin)?;
        match user.role {
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

    #[tokio::test(flavor = "multi_thread")]
    async fn managers_add_people_with_checked_names_roles_and_pins() {
        let dir = tempfile::tempdir().unwrap();
        let app = Airtill::open(crate::OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let manager = app.login(crate::DEMO_MANAGER.1).unwrap();
        let cashier = app.login(crate::DEMO_CASHIER.1).unwrap();
        assert!(matches!(app.add_user(&cashier, "Zanele", "cashier", "4321"), Err(AppError::Forbidden(_))));
        for (name, role, pin) in [("", "cashier", "4321"), ("Zanele", "boss", "4321"), ("Zanele", "cashier", "43"), ("Zanele", "cashier", crate::DEMO_CASHIER.1), ("thabo", "cashier", "4321")] {
            assert!(matches!(app.add_user(&manager, name, role, pin), Err(AppError::BadInput(_))), "{name} {role} {pin}");
        }
        assert_eq!(app.list_users(&manager).unwrap().len(), 2, "nothing added by bad input");
        app.add_user(&manager, "Zanele", "cashier", "4321").unwrap();
        let z = app.login("4321").unwrap();
        assert_eq!((z.name.as_str(), z.role), ("Zanele", Role::Cashier));
        assert!(matches!(app.list_users(&z), Err(AppError::Forbidden(_))));
    }

    #[test]
    fn pin_shapes() {
        assert!(check_pin_shape("").is_err());
        assert!(check_pin_shape("12a4").is_err());
        assert!(check_pin_shape("123").is_err());
        assert!(check_pin_shape("123456789").is_err());
        assert!(check_pin_shape("1234").is_ok());
    }
}
