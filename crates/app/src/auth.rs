//! PIN login. PINs are stored as argon2 hashes; a session lives in the caller's state
//! (the shell's, or the command line's for one command).

use crate::{Airtill, AppError, Result, UserView};
use airtill_store::Role;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, KeyId, Params, ParamsBuilder, Version};
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
        UserView { name: self.name.clone(), role: crate::people::person_role(self.role), must_change_pin: self.must_change_pin }
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

/// How much one PIN hash costs. A live shop's people: argon2id with 64 MiB and three
/// passes (about a third of a second on the till; README gives the measured figures).
/// The practice till's demo people, whose PINs are printed in the guide: argon2's
/// default cost (guessing them costs nothing anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCost {
    Full,
    Practice,
}

/// The argon2 parameters of a cost.
pub fn pin_params(cost: PinCost) -> Params {
    match cost {
        PinCost::Full => Params::new(64 * 1024, 3, 1, None).expect("valid argon2 parameters"),
        PinCost::Practice => Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    }
}

/// The id of the pepper in a hash (`keyid=` of the PHC string): a hash made with it
/// verifies only with the pepper, which is kept with the till's credentials, never in
/// the ledger.
const PEPPER_ID: &[u8] = b"pepper1";

/// The PIN pepper: derived from the till's key (kept with the credentials).
pub(crate) fn pepper_from(till_key: &[u8; 32]) -> [u8; 32] {
    crate::derive_key(till_key, "airtill pin pepper v1")
}

/// The id of the chain's pepper in hashes made at the chain's head office: they verify
/// with the chain's pepper (kept with each linked till's credentials), and are made
/// again with the till's own at the person's first login there.
const CHAIN_PEPPER_ID: &[u8] = b"chain1";

fn peppered_hash(pepper: &[u8; 32], id: &[u8], pin: &str, cost: PinCost) -> Result<String> {
    let base = pin_params(cost);
    let mut builder = ParamsBuilder::new();
    builder.m_cost(base.m_cost()).t_cost(base.t_cost()).p_cost(base.p_cost());
    builder.keyid(KeyId::new(id).expect("a short key id"));
    let params = builder.build().map_err(|e| AppError::Io(format!("the PIN could not be stored: {e}")))?;
    let hasher = Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params).map_err(|e| AppError::Io(format!("the PIN could not be stored: {e}")))?;
    let salt = SaltString::generate(&mut OsRng);
    hasher.hash_password(pin.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AppError::Io(format!("the PIN could not be stored: {e}")))
}

/// A new hash of `pin`, peppered, at `cost`.
pub(crate) fn hash_pin(pepper: &[u8; 32], pin: &str, cost: PinCost) -> Result<String> {
    peppered_hash(pepper, PEPPER_ID, pin, cost)
}

/// A PIN hash made at the chain's head office for every till (full cost, the chain's
/// pepper), after the same checks of the PIN as at a till.
pub fn chain_pin_hash(chain_pepper: &[u8; 32], manager: bool, pin: &str) -> Result<String> {
    check_new_pin(if manager { Role::Manager } else { Role::Cashier }, pin)?;
    peppered_hash(chain_pepper, CHAIN_PEPPER_ID, pin, PinCost::Full)
}

/// The pepper's id in a hash (`keyid=`, base64 in the PHC string), decoded.
fn key_id(hash: &PasswordHash) -> Option<Vec<u8>> {
    Params::try_from(hash).ok().map(|p| p.keyid().to_vec()).filter(|k| !k.is_empty())
}

/// Whether a stored hash was made with a pepper (an older version's was not).
pub(crate) fn is_peppered(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| h.params.get_str("keyid").is_some())
}

/// Whether a stored hash is peppered with this till's pepper and costs at least `cost`
/// (a practice ledger's hashes, opened as a live shop by an older version, cost less;
/// the chain's are made again with the till's own).
fn is_current(hash: &str, cost: PinCost) -> bool {
    let want = pin_params(cost).m_cost();
    PasswordHash::new(hash).is_ok_and(|h| key_id(&h).as_deref() == Some(PEPPER_ID) && h.params.get_decimal("m").is_some_and(|m| m >= want))
}

/// Whether `pin` is the one hashed. A peppered hash verifies only with its pepper (the
/// till's, or the chain's for a hash made at the head office); an older version's
/// (plain argon2) verifies as it was made, and is hashed again with the pepper at the
/// next right login.
#[cfg(test)]
pub(crate) fn pin_matches(pepper: &[u8; 32], pin: &str, hash: &str) -> bool {
    pin_matches_with(pepper, None, pin, hash)
}

pub(crate) fn pin_matches_with(pepper: &[u8; 32], chain_pepper: Option<&[u8; 32]>, pin: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let with = |secret: &[u8; 32]| match Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, Params::default()) {
        Ok(a) => a.verify_password(pin.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    };
    match key_id(&parsed).as_deref() {
        Some(CHAIN_PEPPER_ID) => chain_pepper.is_some_and(with),
        Some(_) => with(pepper),
        None => Argon2::default().verify_password(pin.as_bytes(), &parsed).is_ok(),
    }
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

/// Wrong PINs on one guard that never lock it; each one after locks it for longer:
/// 30 seconds, a minute, two, four ... up to an hour. A guard's failures are forgotten
/// after a day without one.
pub const FREE_ATTEMPTS: i64 = 4;
pub const FIRST_LOCK_MS: i64 = 30_000;
pub const LONGEST_LOCK_MS: i64 = 60 * 60_000;
pub const FORGET_AFTER_MS: i64 = 24 * 60 * 60_000;

/// How long attempt `n` on a guard locks it (taken when the attempt begins, lifted
/// when its PIN is right).
pub fn lock_for(n: i64) -> i64 {
    if n <= FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (n - FREE_ATTEMPTS - 1).min(20) as u32;
    (FIRST_LOCK_MS << doublings).min(LONGEST_LOCK_MS)
}

/// Where a PIN is typed, each counted on its own: one person's wrong PINs never lock
/// another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    /// Logging in as this person (the window names who logs in).
    Person(i64),
    /// Managers' PINs typed to approve something in this person's session.
    Approvals(i64),
    /// The command line without `--user`: the PIN alone says who. A right PIN here
    /// does not clear the count (else anyone's own PIN would reset another's guessing).
    Unnamed,
}

impl Guard {
    fn key(self) -> String {
        match self {
            Guard::Person(id) => format!("person:{id}"),
            Guard::Approvals(id) => format!("approvals:{id}"),
            Guard::Unnamed => "unnamed".into(),
        }
    }
}

/// A person at the login screen: who can log in, and whether they are locked now.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct LoginPerson {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub manager: bool,
    /// Locked after wrong PINs until this time (the shop's), or not at all.
    pub locked_until: Option<String>,
}

impl Airtill {
    /// Counts an attempt on `guard`, then runs `check` (the slow hash, with no lock on
    /// the ledger held). A lock in force refuses the PIN unchecked.
    pub(crate) fn counted<T>(&self, guard: Guard, what: &str, check: impl FnOnce() -> Option<T>) -> Result<T> {
        let now = crate::time::now_ms();
        let key = guard.key();
        let attempt = self.store().pin_attempt(&key, now, FORGET_AFTER_MS, lock_for)?;
        let n = match attempt {
            airtill_store::Attempt::Locked { until_ms } => return Err(AppError::LockedOut { until: crate::time::local_minutes(until_ms) }),
            airtill_store::Attempt::Allowed { n } => n,
        };
        let who = match guard {
            Guard::Person(id) | Guard::Approvals(id) => Some(id),
            Guard::Unnamed => None,
        };
        match check() {
            Some(found) => {
                if guard == Guard::Unnamed {
                    self.store().pin_attempt_taken_back(&key)?;
                } else {
                    self.store().pin_attempt_right(&key)?;
                }
                Ok(found)
            }
            None => {
                let mut store = self.store();
                store.audit("login_failed", who, &format!("wrong PIN ({what}), {n} since the last right one"), now)?;
                match lock_for(n) {
                    0 => Err(AppError::WrongPin),
                    ms => {
                        let until = crate::time::local_minutes(now + ms);
                        tracing::warn!("{n} wrong PINs ({what}): locked until {until}");
                        store.audit("lockout", who, &format!("{what}: locked until {until}"), now)?;
                        Err(AppError::LockedOut { until })
                    }
                }
            }
        }
    }

    /// Whether this person is locked now (their own login's guard), without counting.
    fn person_locked(&self, id: i64) -> Result<Option<i64>> {
        let now = crate::time::now_ms();
        let key = Guard::Person(id).key();
        Ok(self.store().pin_guards()?.into_iter().find(|g| g.guard == key && g.locked_until_ms > now).map(|g| g.locked_until_ms))
    }

    /// A right PIN whose hash was made by an older version (no pepper, a lower cost)
    /// is hashed again now, with the pepper at this till's cost.
    fn upgrade_hash(&self, user: &airtill_store::UserRow, pin: &str) -> Result<()> {
        if is_current(&user.pin_hash, self.pin_cost()) {
            return Ok(());
        }
        let hash = hash_pin(&self.pepper, pin, self.pin_cost())?;
        let change = airtill_store::UserChange { pin_hash: Some(hash), ..Default::default() };
        self.store().change_user(user.id, &change)?;
        Ok(())
    }

    /// What a new PIN hash costs at this till.
    pub(crate) fn pin_cost(&self) -> PinCost {
        if self.training {
            PinCost::Practice
        } else {
            PinCost::Full
        }
    }

    pub(crate) fn hash_new_pin(&self, pin: &str) -> Result<String> {
        hash_pin(&self.pepper, pin, self.pin_cost())
    }

    pub(crate) fn pin_is(&self, pin: &str, hash: &str) -> bool {
        let chain = *self.chain_pepper.lock().unwrap_or_else(|p| p.into_inner());
        pin_matches_with(&self.pepper, chain.as_ref(), pin, hash)
    }

    /// The people who can log in here, for the login screen.
    pub fn login_people(&self) -> Result<Vec<LoginPerson>> {
        let now = crate::time::now_ms();
        let guards = self.store().pin_guards()?;
        let users = self.store().users()?;
        Ok(users
            .into_iter()
            .filter(|u| u.active)
            .map(|u| {
                let key = Guard::Person(u.id).key();
                let locked = guards.iter().find(|g| g.guard == key && g.locked_until_ms > now).map(|g| crate::time::local_minutes(g.locked_until_ms));
                LoginPerson { id: u.id, name: u.name, manager: u.role == Role::Manager, locked_until: locked }
            })
            .collect())
    }

    /// The person of this name (any case), for `airtill --user`.
    pub fn person_named(&self, name: &str) -> Result<i64> {
        let wanted = name.trim();
        let users = self.store().users()?;
        users
            .iter()
            .find(|u| u.active && u.name.eq_ignore_ascii_case(wanted))
            .map(|u| u.id)
            .ok_or_else(|| AppError::BadInput(format!("Nobody called \"{wanted}\" can log in at this till (see the login screen for the names).")))
    }

    /// The ids of the people who may use this till (manager; for tools).
    pub fn user_ids(&self, session: &Session) -> Result<Vec<i64>> {
        session.require_manager()?;
        Ok(self.store().users()?.into_iter().filter(|u| u.active).map(|u| u.id).collect())
    }

    /// Logs in this person with their PIN. Wrong PINs are counted for them alone.
    pub fn login_as(&self, person: i64, pin: &str) -> Result<Session> {
        check_pin_shape(pin)?;
        let user = self.store().users()?.into_iter().find(|u| u.id == person && u.active).ok_or_else(|| AppError::BadInput("Choose who you are from the list.".into()))?;
        let user = self.counted(Guard::Person(person), &user.name.clone(), || self.pin_is(pin, &user.pin_hash).then_some(user))?;
        self.start_session(user, pin)
    }

    /// Logs in whoever this PIN is (the command line without `--user`). These attempts
    /// are counted together, and a right PIN does not clear the count.
    pub fn login(&self, pin: &str) -> Result<Session> {
        check_pin_shape(pin)?;
        let users = self.store().users()?;
        let user = self.counted(Guard::Unnamed, "a login that names nobody", || users.into_iter().filter(|u| u.active).find(|u| self.pin_is(pin, &u.pin_hash)))?;
        if let Some(until) = self.person_locked(user.id)? {
            return Err(AppError::LockedOut { until: crate::time::local_minutes(until) });
        }
        self.start_session(user, pin)
    }

    /// In a live shop a PIN everyone knows (the demo shop's, from a ledger an older
    /// version made) must be changed first.
    fn start_session(&self, user: airtill_store::UserRow, pin: &str) -> Result<Session> {
        self.upgrade_hash(&user, pin)?;
        let mut must_change_pin = user.must_change_pin;
        if !self.training && is_demo_pin(pin) && !must_change_pin {
            must_change_pin = true;
            let change = airtill_store::UserChange { must_change_pin: Some(true), ..Default::default() };
            self.store().change_user(user.id, &change)?;
            tracing::warn!(user = %user.name, "a live till's PIN is the demo shop's: it must be changed now");
        }
        self.audit("login", Some(user.id), &format!("{} ({})", user.name, user.role.as_str()))?;
        if user.role == Role::Manager && !must_change_pin {
            self.open_the_day(&user, pin)?;
        }
        Ok(Session { token: uuid::Uuid::new_v4().to_string(), user_id: user.id, name: user.name, role: user.role, must_change_pin })
    }

    /// A manager's approval, typed in `session`: the id of the manager whose PIN this
    /// is. Wrong PINs are counted on the asking person's approvals (a cashier who
    /// guesses is locked out of approvals, nobody else is); a locked manager approves
    /// nothing.
    pub(crate) fn manager_approval(&self, session: &Session, pin: &str) -> Result<i64> {
        check_pin_shape(pin)?;
        let managers: Vec<_> = self.store().users()?.into_iter().filter(|u| u.active && u.role == Role::Manager).collect();
        let user = self.counted(Guard::Approvals(session.user_id), "a manager's approval", || managers.into_iter().find(|u| self.pin_is(pin, &u.pin_hash))).map_err(|e| match e {
            AppError::WrongPin => AppError::Forbidden("That is not a manager's PIN. A manager must approve this.".into()),
            other => other,
        })?;
        if let Some(until) = self.person_locked(user.id)? {
            return Err(AppError::LockedOut { until: crate::time::local_minutes(until) });
        }
        if user.must_change_pin || (!self.training && is_demo_pin(pin)) {
            return Err(AppError::Forbidden("That manager must choose a new PIN (log in with it) before approving anything.".into()));
        }
        self.upgrade_hash(&user, pin)?;
        self.open_the_day(&user, pin)?;
        self.audit("manager_approval", Some(user.id), &format!("{} for {}", user.name, session.name))?;
        Ok(user.id)
    }

    /// A manager's approval where the manager is the one logged in: her session is her
    /// approval (she is not asked for her PIN again); anyone else types a manager's PIN.
    pub(crate) fn approval(&self, session: &Session, pin: &str) -> Result<i64> {
        if pin.is_empty() && session.role == Role::Manager {
            if let Some(until) = self.person_locked(session.user_id)? {
                return Err(AppError::LockedOut { until: crate::time::local_minutes(until) });
            }
            return Ok(session.user_id);
        }
        self.manager_approval(session, pin)
    }

    /// A manager lifts the lock on a person (their login and their approvals).
    pub fn unlock_person(&self, session: &Session, person: i64) -> Result<()> {
        session.require_manager()?;
        let name = self.store().users()?.into_iter().find(|u| u.id == person).map(|u| u.name).ok_or_else(|| AppError::BadInput("There is no such person.".into()))?;
        {
            let mut store = self.store();
            store.pin_attempt_right(&Guard::Person(person).key())?;
            store.pin_attempt_right(&Guard::Approvals(person).key())?;
        }
        self.audit("unlock", Some(session.user_id), &format!("{name} unlocked by {}", session.name))
    }

    /// A manager clears the command line's count of logins that named nobody.
    pub fn unlock_unnamed(&self, session: &Session) -> Result<()> {
        session.require_manager()?;
        self.store().pin_attempt_right(&Guard::Unnamed.key())?;
        self.audit("unlock", Some(session.user_id), &format!("logins without a name unlocked by {}", session.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEPPER: [u8; 32] = [7; 32];

    #[test]
    fn hashes_verify_and_differ_and_need_the_pepper() {
        let a = hash_pin(&PEPPER, "482913", PinCost::Full).unwrap();
        let b = hash_pin(&PEPPER, "482913", PinCost::Full).unwrap();
        assert_ne!(a, b, "salted");
        assert!(pin_matches(&PEPPER, "482913", &a));
        assert!(!pin_matches(&PEPPER, "482914", &a));
        assert!(!a.contains("482913"));
        assert!(a.contains("m=65536,t=3,p=1") && a.contains("keyid="), "{a}");
        // A copied ledger alone: the right PIN does not verify without the pepper, so
        // no guess can be checked offline.
        assert!(!pin_matches(&[0; 32], "482913", &a));
        let plain = Argon2::default().hash_password(b"482913", &SaltString::generate(&mut OsRng)).unwrap().to_string();
        assert!(!is_peppered(&plain) && is_peppered(&a));
        assert!(pin_matches(&PEPPER, "482913", &plain), "an older version's hash still opens, to be hashed again");
    }

    #[test]
    fn locks_grow_from_the_fifth_wrong_pin_to_an_hour() {
        let got: Vec<i64> = (1..=14).map(lock_for).collect();
        assert_eq!(&got[..4], &[0, 0, 0, 0]);
        assert_eq!(&got[4..9], &[30_000, 60_000, 120_000, 240_000, 480_000]);
        assert_eq!(got[13], LONGEST_LOCK_MS);
        assert_eq!(lock_for(10_000), LONGEST_LOCK_MS);
    }

    async fn practice() -> (tempfile::TempDir, Airtill, i64, i64) {
        let dir = tempfile::tempdir().unwrap();
        let app = Airtill::open(crate::OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let m = app.person_named(crate::DEMO_MANAGER.0).unwrap();
        let c = app.person_named(crate::DEMO_CASHIER.0).unwrap();
        (dir, app, m, c)
    }

    fn unlock_by_time(app: &Airtill, guard: Guard) {
        app.store().pin_attempt_right(&guard.key()).unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_person_is_locked_alone_even_across_a_restart_and_a_manager_unlocks_them() {
        let (dir, app, manager, cashier) = practice().await;
        for _ in 0..4 {
            assert!(matches!(app.login_as(cashier, "9999"), Err(AppError::WrongPin)));
        }
        assert!(matches!(app.login_as(cashier, "9999"), Err(AppError::LockedOut { .. })));
        // Locked: even her right PIN is not checked now.
        assert!(matches!(app.login_as(cashier, crate::DEMO_CASHIER.1), Err(AppError::LockedOut { .. })));
        // Nobody else is locked by her wrong PINs.
        let m = app.login_as(manager, crate::DEMO_MANAGER.1).unwrap();
        assert!(app.login_people().unwrap().iter().any(|p| p.id == cashier && p.locked_until.is_some()));
        app.shutdown().await;
        let app = Airtill::open(crate::OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        assert!(matches!(app.login_as(cashier, crate::DEMO_CASHIER.1), Err(AppError::LockedOut { .. })), "a restart does not unlock");
        // The manager unlocks her; a cashier cannot.
        let c_again = Session { user_id: cashier, role: Role::Cashier, ..m.clone() };
        assert!(matches!(app.unlock_person(&c_again, cashier), Err(AppError::Forbidden(_))));
        app.unlock_person(&m, cashier).unwrap();
        assert!(app.login_as(cashier, crate::DEMO_CASHIER.1).is_ok());
        app.shutdown().await;
    }

    /// The attack of issue 18: a cashier guesses the manager's PIN through approvals,
    /// logging in again with her own PIN between guesses to reset the count.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_cashier_guessing_approvals_is_locked_and_her_own_login_does_not_reset_it() {
        let (_dir, app, manager, cashier) = practice().await;
        let mut s = app.login_as(cashier, crate::DEMO_CASHIER.1).unwrap();
        let mut refused_unchecked = 0;
        for guess in 0..40 {
            let pin = format!("{:04}", 3000 + guess);
            match app.manager_approval(&s, &pin) {
                Err(AppError::Forbidden(_)) => {}
                Err(AppError::LockedOut { .. }) => refused_unchecked += 1,
                other => panic!("{other:?}"),
            }
            // Her own right PIN between guesses.
            s = app.login_as(cashier, crate::DEMO_CASHIER.1).unwrap();
        }
        assert!(refused_unchecked >= 35, "after four free guesses each is locked out: {refused_unchecked}");
        // Even the manager's right PIN, typed in her session now, is refused unchecked.
        assert!(matches!(app.manager_approval(&s, crate::DEMO_MANAGER.1), Err(AppError::LockedOut { .. })));
        // The manager is not locked: she logs in and approves in her own session.
        let m = app.login_as(manager, crate::DEMO_MANAGER.1).unwrap();
        assert_eq!(app.manager_approval(&m, crate::DEMO_MANAGER.1).unwrap(), manager);
        // Every wrong guess is on the audit trail, under the cashier.
        let failed = app.store().audit_between(0, i64::MAX).unwrap().into_iter().filter(|l| l.action == "login_failed" && l.user_id == Some(cashier)).count();
        assert_eq!(failed, 5, "four free guesses and the fifth that locked");
        app.shutdown().await;
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn wrong_pins_in_parallel_are_each_counted_before_they_are_checked() {
        let (_dir, app, _manager, cashier) = practice().await;
        let app = std::sync::Arc::new(app);
        let tries: Vec<_> = (0..24)
            .map(|i| {
                let app = app.clone();
                std::thread::spawn(move || app.login_as(cashier, &format!("{:04}", 5000 + i)))
            })
            .collect();
        let results: Vec<_> = tries.into_iter().map(|t| t.join().unwrap()).collect();
        let checked = results.iter().filter(|r| matches!(r, Err(AppError::WrongPin))).count();
        let locked = results.iter().filter(|r| matches!(r, Err(AppError::LockedOut { .. }))).count();
        assert_eq!(checked + locked, 24);
        // Four free, the fifth checked (and locking), every other refused unchecked.
        let lines = app.store().audit_between(0, i64::MAX).unwrap().into_iter().filter(|l| l.action == "login_failed").count();
        assert_eq!(lines, 5, "only five PINs were checked: {results:?}");
        unlock_by_time(&app, Guard::Person(cashier));
        assert!(app.login_as(cashier, crate::DEMO_CASHIER.1).is_ok());
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn logins_that_name_nobody_are_counted_together_and_a_right_pin_does_not_clear_them() {
        let (_dir, app, manager, cashier) = practice().await;
        for _ in 0..3 {
            assert!(matches!(app.login("9999"), Err(AppError::WrongPin)));
            // Her own PIN in between does not reset the count.
            app.login(crate::DEMO_CASHIER.1).unwrap();
        }
        assert!(matches!(app.login("9999"), Err(AppError::WrongPin)));
        assert!(matches!(app.login("9999"), Err(AppError::LockedOut { .. })));
        assert!(matches!(app.login(crate::DEMO_CASHIER.1), Err(AppError::LockedOut { .. })));
        // Named logins are their own: nobody is locked.
        assert!(app.login_as(cashier, crate::DEMO_CASHIER.1).is_ok());
        let m = app.login_as(manager, crate::DEMO_MANAGER.1).unwrap();
        app.unlock_unnamed(&m).unwrap();
        assert!(app.login(crate::DEMO_CASHIER.1).is_ok());
    }

    /// A live till: its people's hashes are peppered at the full cost, and a hash made
    /// by an older version (plain argon2) is made again with the pepper at login.
    #[tokio::test(flavor = "multi_thread")]
    async fn live_hashes_are_peppered_at_full_cost_and_older_ones_are_upgraded() {
        let sb = airtill_sandbox::SmartcallSandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        crate::test_live::shop(dir.path(), &sb.base_url(), "").await;
        let app = Airtill::open(crate::OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let users = app.store().users().unwrap();
        assert!(users.iter().all(|u| is_peppered(&u.pin_hash) && u.pin_hash.contains("m=65536")), "{users:?}");
        let cashier = users.iter().find(|u| u.role == Role::Cashier).unwrap().id;
        let old = Argon2::default().hash_password(crate::test_live::CASHIER_PIN.as_bytes(), &SaltString::generate(&mut OsRng)).unwrap().to_string();
        app.store().change_user(cashier, &airtill_store::UserChange { pin_hash: Some(old), ..Default::default() }).unwrap();
        app.login_as(cashier, crate::test_live::CASHIER_PIN).unwrap();
        let now = app.store().users().unwrap().into_iter().find(|u| u.id == cashier).unwrap().pin_hash;
        assert!(is_peppered(&now) && now.contains("m=65536"));
        app.shutdown().await;
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
