//! PIN login. PINs are stored as argon2 hashes; a session lives in the caller's state
//! (the shell's, or the command line's for one command).

use crate::{AppError, Airtill, Result, UserView};
use airtill_store::Role;
use rand_core06::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

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
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Io(format!("the PIN could not be stored: {e}")))
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

impl Airtill {
    /// Logs in the user whose PIN this is.
    pub fn login(&self, pin: &str) -> Result<Session> {
        check_pin_shape(pin)?;
        let users = self.store().users()?;
        let user = users.into_iter().filter(|u| u.active).find(|u| pin_matches(pin, &u.pin_hash)).ok_or(AppError::WrongPin)?;
        Ok(Session { token: uuid::Uuid::new_v4().to_string(), user_id: user.id, name: user.name, role: user.role })
    }

    /// A manager's approval at this till: the id of the manager whose PIN this is.
    pub(crate) fn manager_approval(&self, pin: &str) -> Result<i64> {
        check_pin_shape(pin)?;
        let users = self.store().users()?;
        let user = users.into_iter().filter(|u| u.active).find(|u| pin_matches(pin, &u.pin_hash)).ok_or(AppError::WrongPin)?;
        match user.role {
            Role::Manager => Ok(user.id),
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

    #[test]
    fn pin_shapes() {
        assert!(check_pin_shape("").is_err());
        assert!(check_pin_shape("12a4").is_err());
        assert!(check_pin_shape("123").is_err());
        assert!(check_pin_shape("123456789").is_err());
        assert!(check_pin_shape("1234").is_ok());
    }
}
