//! The people of this till: a manager adds, renames, disables (never deletes: the
//! ledger names them) and re-PINs them; anyone changes their own PIN knowing the old
//! one. A PIN alone logs in, so no two people ever share one.

use crate::auth::check_new_pin;
use crate::{Airtill, AppError, PersonChange, PersonRole, PersonView, Result, Session, UserView};
use airtill_store::{Role, UserChange, UserRow};

pub(crate) fn person_role(r: Role) -> PersonRole {
    match r {
        Role::Manager => PersonRole::Manager,
        Role::Cashier => PersonRole::Cashier,
    }
}

pub(crate) fn store_role(r: PersonRole) -> Role {
    match r {
        PersonRole::Manager => Role::Manager,
        PersonRole::Cashier => Role::Cashier,
    }
}

/// `manager` or `cashier`, as the command line and older screens give it.
pub fn parse_role(text: &str) -> Result<PersonRole> {
    match text.trim().to_ascii_lowercase().as_str() {
        "manager" => Ok(PersonRole::Manager),
        "cashier" => Ok(PersonRole::Cashier),
        other => Err(AppError::BadInput(format!("'{other}' is not a role: manager or cashier."))),
    }
}

/// A person's name: 1 to 40 characters, no control characters.
pub(crate) fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(|c| c.is_control()) {
        return Err(AppError::BadInput("A name is 1 to 40 letters.".into()));
    }
    Ok(name.to_string())
}

/// Someone else has this PIN, disabled people included: a disabled person's PIN is
/// never given to another, so enabling them again never makes two people share one.
impl Airtill {
    fn pin_taken(&self, users: &[UserRow], pin: &str, except: Option<i64>) -> bool {
        users.iter().filter(|u| Some(u.id) != except).any(|u| self.pin_is(pin, &u.pin_hash))
    }

    /// Everyone who was ever a person at this till, disabled people too (manager).
    pub fn people(&self, session: &Session) -> Result<Vec<PersonView>> {
        session.require_manager()?;
        let store = self.store();
        let open: Vec<i64> = store.open_shifts()?.into_iter().map(|s| s.user_id).collect();
        let guards = store.pin_guards()?;
        let now = crate::time::now_ms();
        Ok(store
            .users()?
            .into_iter()
            .map(|u| {
                let mine: Vec<_> = guards.iter().filter(|g| g.guard == format!("person:{}", u.id) || g.guard == format!("approvals:{}", u.id)).collect();
                let locked = mine.iter().map(|g| g.locked_until_ms).filter(|t| *t > now).max().map(crate::time::local_minutes);
                PersonView {
                    id: u.id,
                    shift_open: open.contains(&u.id),
                    name: u.name,
                    role: person_role(u.role),
                    active: u.active,
                    must_change_pin: u.must_change_pin,
                    wrong_pins: mine.iter().map(|g| g.failures).sum(),
                    locked_until: locked,
                }
            })
            .collect())
    }

    /// Adds a person who may use this till (manager). Names are 1 to 40 characters;
    /// a manager's PIN is at least 6 digits, a cashier's 4, and no two people share one.
    pub fn add_person(&self, session: &Session, name: &str, role: PersonRole, pin: &str) -> Result<PersonView> {
        session.require_manager()?;
        let name = check_name(name)?;
        let role = store_role(role);
        check_new_pin(role, pin)?;
        let users = self.store().users()?;
        if users.iter().any(|u| u.active && u.name.eq_ignore_ascii_case(&name)) {
            return Err(AppError::BadInput(format!("{name} is already a person here.")));
        }
        if self.pin_taken(&users, pin, None) {
            return Err(AppError::BadInput("Someone already has that PIN. Choose another.".into()));
        }
        let hash = self.hash_new_pin(pin)?;
        let now = self.now_ms();
        // The person and the audit line (with their id and role, which doctor compares
        // with the people table): one transaction.
        let id = self.store().atomically(|s| {
            let id = s.add_user(&name, role, &hash)?;
            s.audit("user_added", Some(session.user_id), &format!("{name} as {} (person {id})", role.as_str()), now)?;
            Ok(id)
        })?;
        Ok(PersonView { id, name, role: person_role(role), active: true, must_change_pin: false, shift_open: false, wrong_pins: 0, locked_until: None })
    }

    /// As [`Airtill::add_person`], the role as text (`manager` or `cashier`).
    pub fn add_user(&self, session: &Session, name: &str, role: &str, pin: &str) -> Result<UserView> {
        let p = self.add_person(session, name, parse_role(role)?, pin)?;
        Ok(UserView { name: p.name, role: p.role, must_change_pin: false })
    }

    /// The people who may log in (manager).
    pub fn list_users(&self, session: &Session) -> Result<Vec<UserView>> {
        session.require_manager()?;
        Ok(self.store().users()?.into_iter().filter(|u| u.active).map(|u| UserView { name: u.name, role: person_role(u.role), must_change_pin: u.must_change_pin }).collect())
    }

    /// The person with this id, or by name (the command line names people).
    pub fn person_id(&self, session: &Session, who: &str) -> Result<i64> {
        session.require_manager()?;
        let users = self.store().users()?;
        let who = who.trim();
        if let Ok(id) = who.parse::<i64>() {
            if users.iter().any(|u| u.id == id) {
                return Ok(id);
            }
        }
        let named: Vec<&UserRow> = users.iter().filter(|u| u.name.eq_ignore_ascii_case(who)).collect();
        match named.as_slice() {
            [one] => Ok(one.id),
            [] => Err(AppError::BadInput(format!("There is nobody called '{who}' here (see airtill people list)."))),
            _ => Err(AppError::BadInput(format!("More than one person is called '{who}': give the number from airtill people list."))),
        }
    }

    /// A manager changes a person: a new name, a new PIN (which the person must change
    /// at their next login), disabled or enabled again. A manager never disables
    /// herself nor the last manager who can log in, and nobody is disabled with an
    /// open shift (its cash would be in nobody's count).
    pub fn change_person(&self, session: &Session, id: i64, change: &PersonChange) -> Result<PersonView> {
        session.require_manager()?;
        let users = self.store().users()?;
        let person = users.iter().find(|u| u.id == id).ok_or_else(|| AppError::BadInput("There is no such person.".into()))?;
        let name = change.name.as_deref().map(check_name).transpose()?;
        if let Some(n) = &name {
            if users.iter().any(|u| u.id != id && u.active && u.name.eq_ignore_ascii_case(n)) {
                return Err(AppError::BadInput(format!("{n} is already a person here.")));
            }
        }
        let pin = change.pin.as_deref().filter(|p| !p.is_empty());
        if let Some(p) = pin {
            check_new_pin(person.role, p)?;
            if self.pin_taken(&users, p, Some(id)) {
                return Err(AppError::BadInput("Someone already has that PIN. Choose another.".into()));
            }
        }
        if change.active == Some(false) && person.active {
            if id == session.user_id {
                return Err(AppError::BadInput("You cannot disable yourself: another manager must.".into()));
            }
            if person.role == Role::Manager && users.iter().filter(|u| u.active && u.role == Role::Manager && u.id != id).count() == 0 {
                return Err(AppError::BadInput("That is the last manager: add another manager first.".into()));
            }
            if self.store().open_shift_of(id)?.is_some() {
                return Err(AppError::BadInput(format!("{} has an open shift: close it with the count first.", person.name)));
            }
        }
        let hash = pin.map(|p| self.hash_new_pin(p)).transpose()?;
        let mut said = Vec::new();
        if let Some(n) = &name {
            if *n != person.name {
                said.push(format!("renamed {} to {n}", person.name));
            }
        }
        if hash.is_some() {
            said.push(format!("new PIN for {} (to be changed at login)", person.name));
        }
        match change.active {
            Some(false) if person.active => said.push(format!("{} disabled", person.name)),
            Some(true) if !person.active => said.push(format!("{} enabled", person.name)),
            _ => {}
        }
        if said.is_empty() {
            return Err(AppError::BadInput("Nothing to change.".into()));
        }
        let user_change = UserChange { name, must_change_pin: hash.as_ref().map(|_| id != session.user_id), pin_hash: hash, active: change.active };
        let now = self.now_ms();
        let wrap = match (pin, person.role) {
            (Some(new), airtill_store::Role::Manager) => Some(self.stock_wrap_for_new_pin(person, None, new)?),
            _ => None,
        };
        self.store().atomically(|s| {
            s.change_user(id, &user_change)?;
            if let Some(w) = &wrap {
                s.set_stock_key_wrap(id, w.as_deref())?;
            }
            s.audit("user_changed", Some(session.user_id), &said.join("; "), now)
        })?;
        self.people(session)?.into_iter().find(|p| p.id == id).ok_or(AppError::NoSuchSale)
    }

    /// Anyone changes their own PIN, knowing the old one. Allowed (and required) when
    /// the session must change its PIN.
    pub fn change_own_pin(&self, session: &Session, old: &str, new: &str, again: &str) -> Result<Session> {
        let users = self.store().users()?;
        let me = users.iter().find(|u| u.id == session.user_id && u.active).ok_or(AppError::NotLoggedIn)?;
        // The old PIN is counted like a login of this person's.
        self.counted(crate::auth::Guard::Person(me.id), &me.name, || self.pin_is(old, &me.pin_hash).then_some(()))?;
        if new != again {
            return Err(AppError::BadInput("The two new PINs differ. Type the same PIN twice.".into()));
        }
        if new == old {
            return Err(AppError::BadInput("The new PIN is the old one: choose another.".into()));
        }
        check_new_pin(me.role, new)?;
        if self.pin_taken(&users, new, Some(me.id)) {
            return Err(AppError::BadInput("Someone already has that PIN. Choose another.".into()));
        }
        let hash = self.hash_new_pin(new)?;
        let now = self.now_ms();
        let change = UserChange { pin_hash: Some(hash), must_change_pin: Some(false), ..Default::default() };
        let line = format!("{} changed their PIN", me.name);
        let wrap = if me.role == airtill_store::Role::Manager { Some(self.stock_wrap_for_new_pin(me, Some(old), new)?) } else { None };
        self.store().atomically(|s| {
            s.change_user(me.id, &change)?;
            if let Some(w) = &wrap {
                s.set_stock_key_wrap(me.id, w.as_deref())?;
            }
            s.audit("pin_changed", Some(me.id), &line, now)
        })?;
        Ok(Session { must_change_pin: false, ..session.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DEMO_CASHIER, DEMO_MANAGER};

    #[tokio::test(flavor = "multi_thread")]
    async fn managers_add_rename_disable_and_re_pin_people() {
        let dir = tempfile::tempdir().unwrap();
        let app = Airtill::open(crate::OpenOptions { data_dir: dir.path().to_path_buf() }).await.unwrap();
        let manager = app.login(DEMO_MANAGER.1).unwrap();
        let cashier = app.login(DEMO_CASHIER.1).unwrap();
        assert!(matches!(app.add_person(&cashier, "Zanele", PersonRole::Cashier, "4821"), Err(AppError::Forbidden(_))));
        for (name, role, pin) in [
            ("", PersonRole::Cashier, "4821"),
            ("Zanele", PersonRole::Cashier, "48"),
            ("Zanele", PersonRole::Manager, "48213"),
            ("Zanele", PersonRole::Cashier, DEMO_CASHIER.1),
            ("thabo", PersonRole::Cashier, "4821"),
        ] {
            assert!(matches!(app.add_person(&manager, name, role, pin), Err(AppError::BadInput(_))), "{name} {role:?} {pin}");
        }
        assert!(app.add_user(&manager, "Zanele", "boss", "4821").is_err());
        assert_eq!(app.people(&manager).unwrap().len(), 2, "nothing added by bad input");
        let z = app.add_person(&manager, "Zanele", PersonRole::Cashier, "4821").unwrap();
        let zs = app.login("4821").unwrap();
        assert_eq!((zs.name.as_str(), zs.role), ("Zanele", Role::Cashier));
        assert!(matches!(app.people(&zs), Err(AppError::Forbidden(_))));
        // Two people never share a PIN.
        assert!(app.add_person(&manager, "Sipho", PersonRole::Cashier, "4821").unwrap_err().to_string().contains("already has that PIN"));

        // Renamed: the ledger's lines follow the person.
        let v = app.change_person(&manager, z.id, &PersonChange { name: Some("Zanele M".into()), ..Default::default() }).unwrap();
        assert_eq!(v.name, "Zanele M");
        // A new PIN from the manager must be changed at the next login.
        app.change_person(&manager, z.id, &PersonChange { pin: Some("7391".into()), ..Default::default() }).unwrap();
        assert!(matches!(app.login("4821"), Err(AppError::WrongPin)));
        let s = app.login("7391").unwrap();
        assert!(s.must_change_pin);
        assert!(matches!(s.require_seller(), Err(AppError::MustChangePin)));
        assert!(matches!(app.change_own_pin(&s, "0000", "5829", "5829"), Err(AppError::WrongPin)));
        assert!(app.change_own_pin(&s, "7391", "5829", "5830").unwrap_err().to_string().contains("differ"));
        assert!(app.change_own_pin(&s, "7391", DEMO_CASHIER.1, DEMO_CASHIER.1).is_err(), "someone else's PIN, and a printed one");
        let s = app.change_own_pin(&s, "7391", "5829", "5829").unwrap();
        assert!(s.require_seller().is_ok());
        assert!(!app.login("5829").unwrap().must_change_pin);

        // Disabled: cannot log in, still named; never yourself, never the last manager.
        assert!(app.change_person(&manager, manager.user_id, &PersonChange { active: Some(false), ..Default::default() }).is_err());
        let v = app.change_person(&manager, z.id, &PersonChange { active: Some(false), ..Default::default() }).unwrap();
        assert!(!v.active);
        assert!(matches!(app.login("5829"), Err(AppError::WrongPin)));
        assert_eq!(app.people(&manager).unwrap().len(), 3, "disabled, never deleted");
        // Her PIN is not given to anyone else while she is disabled.
        assert!(app.add_person(&manager, "Sipho", PersonRole::Cashier, "5829").unwrap_err().to_string().contains("already has that PIN"));
        let second = app.add_person(&manager, "Nomsa", PersonRole::Manager, "583920").unwrap();
        let nomsa = app.login("583920").unwrap();
        app.change_person(&nomsa, manager.user_id, &PersonChange { active: Some(false), ..Default::default() }).unwrap();
        assert!(app.change_person(&nomsa, second.id, &PersonChange { active: Some(false), ..Default::default() }).is_err(), "the last manager stays");
        // With an open shift nobody is disabled.
        let thabo = app.person_id(&nomsa, "thabo").unwrap();
        let t = app.login(DEMO_CASHIER.1).unwrap();
        app.open_shift(&t, "100").unwrap();
        assert!(app.change_person(&nomsa, thabo, &PersonChange { active: Some(false), ..Default::default() }).unwrap_err().to_string().contains("open shift"));
        let lines = app.store().audit_between(0, i64::MAX).unwrap();
        assert!(lines.iter().any(|l| l.action == "user_changed" && l.detail.contains("renamed Zanele to Zanele M")));
        assert!(lines.iter().any(|l| l.action == "pin_changed"));
    }
}
