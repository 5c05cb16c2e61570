//! Who is at this till: one session per login, held by the caller (the desktop
//! shell), ended by logging out or by the idle lock the manager sets. A till that
//! locked itself answers `idle_locked` once, then `not_logged_in`, and shows nothing
//! of the last sale.

use crate::{Airtill, AppError, Result, Session};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The setting that holds the idle minutes.
pub(crate) const IDLE_LOCK_SETTING: &str = "idle_lock_minutes";
/// Minutes without use before the till locks itself, when the manager set none.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 5;

struct Active {
    session: Session,
    last_used: Instant,
}

#[derive(Default)]
pub struct Till {
    active: Mutex<Option<Active>>,
}

impl Till {
    pub fn new() -> Till {
        Till::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Active>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Logs in this person with their PIN; a new session replaces any other.
    pub fn login(&self, app: &Airtill, person: i64, pin: &str) -> Result<Session> {
        self.login_at(app, person, pin, Instant::now())
    }

    pub fn login_at(&self, app: &Airtill, person: i64, pin: &str, now: Instant) -> Result<Session> {
        let session = app.login_as(person, pin)?;
        *self.lock() = Some(Active { session: session.clone(), last_used: now });
        Ok(session)
    }

    /// The logged-in person changes their own PIN (knowing the old one); a session that
    /// had to change it may do everything again.
    pub fn change_own_pin(&self, app: &Airtill, old: &str, new: &str, again: &str) -> Result<Session> {
        let session = self.session(app)?;
        let changed = app.change_own_pin(&session, old, new, again)?;
        if let Some(a) = self.lock().as_mut() {
            if a.session.user_id == changed.user_id {
                a.session = changed.clone();
            }
        }
        Ok(changed)
    }

    pub fn logout(&self, app: &Airtill) -> Result<()> {
        if let Some(a) = self.lock().take() {
            app.audit("logout", Some(a.session.user_id), &a.session.name)?;
        }
        Ok(())
    }

    /// The session for a command, which counts as use of the till.
    pub fn session(&self, app: &Airtill) -> Result<Session> {
        self.session_at(app, Instant::now())
    }

    pub fn session_at(&self, app: &Airtill, now: Instant) -> Result<Session> {
        let minutes = app.idle_lock_minutes()?;
        let mut active = self.lock();
        let Some(a) = active.as_mut() else {
            return Err(AppError::NotLoggedIn);
        };
        if now.saturating_duration_since(a.last_used) >= Duration::from_secs(u64::from(minutes) * 60) {
            let ended = active.take().expect("checked above");
            drop(active);
            app.audit("idle_lock", Some(ended.session.user_id), &format!("{} after {}", ended.session.name, crate::words::count(minutes as i64, "minute")))?;
            return Err(AppError::IdleLocked { minutes });
        }
        a.last_used = now;
        Ok(a.session.clone())
    }

    /// Who is logged in, without counting as use (the screens ask this while idle):
    /// `None` once the idle lock has ended the session.
    pub fn current(&self, app: &Airtill) -> Result<Option<Session>> {
        self.current_at(app, Instant::now())
    }

    pub fn current_at(&self, app: &Airtill, now: Instant) -> Result<Option<Session>> {
        let last_used = match self.lock().as_ref() {
            Some(a) => a.last_used,
            None => return Ok(None),
        };
        // Ask as a command would, then put the last use back as it was.
        match self.session_at(app, now) {
            Ok(s) => {
                if let Some(a) = self.lock().as_mut() {
                    a.last_used = last_used;
                }
                Ok(Some(s))
            }
            Err(AppError::IdleLocked { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Airtill {
    /// Minutes without use before the till locks itself.
    pub fn idle_lock_minutes(&self) -> Result<u32> {
        let set = self.store().setting(IDLE_LOCK_SETTING)?.and_then(|v| v.parse::<u32>().ok());
        Ok(set.filter(|m| (1..=120).contains(m)).unwrap_or(DEFAULT_IDLE_LOCK_MINUTES))
    }

    /// Sets the idle lock: 1 to 120 minutes (manager).
    pub fn set_idle_lock_minutes(&self, session: &Session, minutes: u32) -> Result<u32> {
        session.require_manager()?;
        if !(1..=120).contains(&minutes) {
            return Err(AppError::BadInput("The till can lock itself after 1 to 120 minutes without use.".into()));
        }
        self.store().set_setting(IDLE_LOCK_SETTING, &minutes.to_string())?;
        self.audit("settings", Some(session.user_id), &format!("idle lock after {}", crate::words::count(minutes as i64, "minute")))?;
        Ok(minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DEMO_CASHIER, DEMO_MANAGER};

    #[tokio::test(flavor = "multi_thread")]
    async fn the_idle_lock_ends_the_session_and_use_keeps_it() {
        let d = tempfile::tempdir().unwrap();
        let app = Airtill::open(crate::OpenOptions { data_dir: d.path().into() }).await.unwrap();
        let till = Till::new();
        let t0 = Instant::now();
        assert!(matches!(till.session_at(&app, t0), Err(AppError::NotLoggedIn)));
        let manager = till.login_at(&app, app.person_named(DEMO_MANAGER.0).unwrap(), DEMO_MANAGER.1, t0).unwrap();
        assert_eq!(app.idle_lock_minutes().unwrap(), DEFAULT_IDLE_LOCK_MINUTES);
        for bad in [0, 121] {
            assert!(matches!(app.set_idle_lock_minutes(&manager, bad), Err(AppError::BadInput(_))));
        }
        assert_eq!(app.idle_lock_minutes().unwrap(), DEFAULT_IDLE_LOCK_MINUTES, "a refused value changes nothing");
        app.set_idle_lock_minutes(&manager, 2).unwrap();
        let min = Duration::from_secs(60);
        // Each use starts the two minutes again.
        assert!(till.session_at(&app, t0 + min).is_ok());
        assert!(till.session_at(&app, t0 + 2 * min + Duration::from_secs(30)).is_ok());
        // Asking who is there (the screens do, while idle) does not count as use.
        assert!(till.current_at(&app, t0 + 4 * min).unwrap().is_some());
        assert!(till.current_at(&app, t0 + 4 * min + Duration::from_secs(31)).unwrap().is_none());
        assert!(matches!(till.session_at(&app, t0 + 4 * min + Duration::from_secs(31)), Err(AppError::NotLoggedIn)), "locked for good");
        // A command after the idle time says why, once.
        let cashier = till.login_at(&app, app.person_named(DEMO_CASHIER.0).unwrap(), DEMO_CASHIER.1, t0).unwrap();
        assert!(matches!(app.set_idle_lock_minutes(&cashier, 10), Err(AppError::Forbidden(_))));
        assert!(matches!(till.session_at(&app, t0 + 2 * min), Err(AppError::IdleLocked { minutes: 2 })));
        assert!(matches!(till.session_at(&app, t0 + 2 * min), Err(AppError::NotLoggedIn)));
        let actions: Vec<String> = app.store().audit_between(0, i64::MAX).unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "idle_lock").count(), 2, "{actions:?}");
        // Each login is its own session.
        let a = till.login_at(&app, app.person_named(DEMO_CASHIER.0).unwrap(), DEMO_CASHIER.1, t0).unwrap();
        till.logout(&app).unwrap();
        let b = till.login_at(&app, app.person_named(DEMO_CASHIER.0).unwrap(), DEMO_CASHIER.1, t0).unwrap();
        assert_ne!(a.token, b.token);
        app.shutdown().await;
    }
}
