use super::*;
use airtill_domain::{Currency, SaleState};

fn store() -> (Store, i64) {
    let mut s = Store::open_in_memory().unwrap();
    s.set_shop(&Shop { name: "Test Shop".into(), till_id: "T1".into(), training: true }).unwrap();
    let uid = s.add_user("Cashier", Role::Cashier, "hash").unwrap();
    (s, uid)
}

pub(crate) fn new_sale(uid: i64, request: &str, cref: &str) -> SaleDetails {
    SaleDetails {
        request_id: request.into(),
        client_ref: cref.into(),
        user_id: uid,
        provider: "smartcall".into(),
        network_name: "MTN".into(),
        product_id: 42,
        product_name: "MTN Airtime R12".into(),
        product_kind: "voucher".into(),
        pinned: true,
        recipient: "27831234567".into(),
        amount_minor: 1200,
        currency: Currency::ZAR,
        discount_e4: Some(60_000),
    }
}

#[test]
fn a_file_ledger_is_wal_and_fully_synchronous() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("a.db")).unwrap();
    assert_eq!(s.durability().unwrap(), ("wal".to_string(), 2));
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

#[test]
fn the_same_request_makes_one_sale() {
    let (mut s, uid) = store();
    let (a, created_a) = s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    let (b, created_b) = s.create_sale(&new_sale(uid, "r1", "c2"), 1_000).unwrap();
    assert!(created_a && !created_b);
    assert_eq!(a.id, b.id);
    assert_eq!(b.details.client_ref, "c1");
    assert_eq!(s.sales_between(0, i64::MAX).unwrap().len(), 1);
}

#[test]
fn receipt_numbers_follow_each_other() {
    let (mut s, uid) = store();
    let nos: Vec<i64> = (0..5).map(|i| s.create_sale(&new_sale(uid, &format!("r{i}"), &format!("c{i}")), 1_000).unwrap().0.receipt_no).collect();
    assert_eq!(nos, vec![1, 2, 3, 4, 5]);
}

#[test]
fn transitions_are_checked_and_kept_in_history() {
    let (mut s, uid) = store();
    let (sale, _) = s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    s.transition(sale.id, SaleState::Created, SaleState::Submitting, &Outcome::default(), 2_000).unwrap();
    // A stale caller that believes the sale is still created is refused.
    assert!(matches!(s.transition(sale.id, SaleState::Created, SaleState::Submitting, &Outcome::default(), 2_000), Err(StoreError::WrongState { .. })));
    let done =
        s.transition(sale.id, SaleState::Submitting, SaleState::Succeeded, &Outcome { provider_ref: Some("130078272".into()), voucher_pin: Some("1234".into()), ..Default::default() }, 3_000).unwrap();
    assert_eq!(done.state, SaleState::Succeeded);
    assert_eq!(done.outcome.provider_ref.as_deref(), Some("130078272"));
    assert_eq!(done.details, new_sale(uid, "r1", "c1"), "what was sold never changes");
    assert!(matches!(s.transition(sale.id, SaleState::Succeeded, SaleState::Failed, &Outcome::default(), 4_000), Err(StoreError::BadTransition(..))));
    let h = s.sale_events(sale.id).unwrap();
    let states: Vec<SaleState> = h.iter().map(|e| e.to_state).collect();
    assert_eq!(states, vec![SaleState::Created, SaleState::Submitting, SaleState::Succeeded]);
}

#[test]
fn history_and_sales_cannot_be_rewritten() {
    let (mut s, uid) = store();
    let (sale, _) = s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    assert!(s.conn.execute("UPDATE sale_events SET to_state = 'failed'", []).is_err());
    assert!(s.conn.execute("DELETE FROM sale_events", []).is_err());
    assert!(s.conn.execute("DELETE FROM sales WHERE id = ?1", [sale.id]).is_err());
}

#[test]
fn unresolved_sales_are_found() {
    let (mut s, uid) = store();
    let (a, _) = s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    s.create_sale(&new_sale(uid, "r2", "c2"), 1_000).unwrap();
    s.transition(a.id, SaleState::Created, SaleState::Submitting, &Outcome::default(), 2).unwrap();
    let open: Vec<i64> = s.unresolved_sales().unwrap().iter().map(|r| r.id).collect();
    assert_eq!(open, vec![a.id]);
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    {
        let mut s = Store::open(&path).unwrap();
        s.set_shop(&Shop { name: "S".into(), till_id: "T1".into(), training: true }).unwrap();
        let uid = s.add_user("C", Role::Cashier, "h").unwrap();
        s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    }
    let s = Store::open(&path).unwrap();
    assert_eq!(s.sales_between(0, i64::MAX).unwrap().len(), 1);
    assert_eq!(s.shop().unwrap().unwrap().name, "S");
}

#[test]
fn a_ledger_of_the_first_version_is_migrated_with_its_sales() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
        conn.execute("INSERT INTO shop (id, name, till_id, training) VALUES (1, 'Old', 'T1', 1)", []).unwrap();
        conn.execute("INSERT INTO users (name, role, pin_hash) VALUES ('A', 'cashier', 'x')", []).unwrap();
        conn.execute(
            "INSERT INTO sales (request_id, client_ref, receipt_no, till_id, user_id, provider, network_name, product_id, product_name,
                product_kind, pinned, recipient, amount_minor, currency, state, training, created_ms, updated_ms)
             VALUES ('r', 'c', 1, 'T1', 1, 'smartcall', 'MTN', 1, 'x', 'voucher', 1, '27831234567', 1200, 'ZAR', 'submitting', 1, 5, 5)",
            [],
        )
        .unwrap();
    }
    let mut s = Store::open(&path).unwrap();
    let old = s.sale_by_request("r").unwrap().unwrap();
    assert_eq!((old.state, old.checks, old.submitted_ms), (SaleState::Submitting, 0, None));
    assert_eq!(s.recover_submitting(10, true).unwrap(), vec![old.id]);
    assert_eq!(s.sale(old.id).unwrap().state, SaleState::InDoubt);
}

#[test]
fn recovery_routes_guard_rail_and_append_only_overrides() {
    let (mut s, uid) = store();
    let (a, _) = s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    assert_eq!(s.unresolved_for("27831234567", 1200).unwrap().map(|r| r.id), Some(a.id), "a created sale counts");
    assert!(s.unresolved_for("27831234567", 500).unwrap().is_none());
    let a = s.transition(a.id, SaleState::Created, SaleState::Submitting, &Outcome::default(), 2_000).unwrap();
    assert_eq!(a.submitted_ms, Some(2_000));
    let moved = s.reroute(a.id, "aat", 77, "network down", 2_500).unwrap();
    assert_eq!((moved.details.provider.as_str(), moved.details.product_id, moved.state), ("aat", 77, SaleState::Submitting));
    let (b, _) = s.create_sale(&new_sale(uid, "r2", "c2"), 3_000).unwrap();
    // Start-up: submitting → in doubt, created → failed (never sent).
    assert_eq!(s.recover_submitting(4_000, true).unwrap(), vec![a.id]);
    assert_eq!(s.sale(a.id).unwrap().state, SaleState::InDoubt);
    assert_eq!(s.sale(b.id).unwrap().state, SaleState::Failed);
    // The resolver's schedule and a stored cancel.
    assert_eq!(s.resolver_due(4_000, 10).unwrap().len(), 1);
    s.schedule_check(a.id, 9_000, None).unwrap();
    assert!(s.resolver_due(5_000, 10).unwrap().is_empty());
    assert_eq!(s.next_resolver_time().unwrap(), Some(9_000));
    assert!(s.request_cancel(a.id, 5_000).unwrap());
    assert!(!s.request_cancel(a.id, 5_001).unwrap(), "asked once");
    assert_eq!(s.resolver_due(5_000, 10).unwrap().len(), 1, "a stored cancel is due at once");
    let mid = s.add_user("Boss", Role::Manager, "h").unwrap();
    let o = s.record_override(Some(a.id), "repeat_sale", mid, "why", 6_000).unwrap();
    assert!(s.conn.execute("DELETE FROM overrides WHERE id = ?1", [o]).is_err(), "overrides are append-only");
    assert!(s.conn.execute("UPDATE overrides SET reason = 'x' WHERE id = ?1", [o]).is_err());
    s.set_route("MTN/pinless/airtime", &["smartcall".into(), "aat".into()]).unwrap();
    assert_eq!(s.routes().unwrap(), vec![("MTN/pinless/airtime".to_string(), vec!["smartcall".to_string(), "aat".to_string()])]);
    s.set_setting("pending_cancel_minutes", "15").unwrap();
    assert_eq!(s.setting("pending_cancel_minutes").unwrap().as_deref(), Some("15"));
}

#[test]
fn a_group_commits_its_writes_together_and_each_write_stands_alone() {
    let (mut s, uid) = store();
    let (first, _) = s.create_sale(&new_sale(uid, "r0", "c0"), 1_000).unwrap();
    let answers = s
        .group(|s| {
            let a = s.create_sale_submitting(&new_sale(uid, "r1", "c1"), 2_000).map(|(row, _)| row.id);
            // A stale move fails alone: its own savepoint is rolled back, nothing else.
            let stale = s.transition(first.id, SaleState::Submitting, SaleState::Succeeded, &Outcome::default(), 2_000);
            // Inside the group, the same request id finds the sale made just before.
            let again = s.create_sale_submitting(&new_sale(uid, "r1", "c9"), 2_000).map(|(row, created)| (row.id, created));
            (a, stale.is_err(), again)
        })
        .unwrap();
    let (a, stale_failed, again) = answers;
    let a = a.unwrap();
    assert!(stale_failed);
    assert_eq!(again.unwrap(), (a, false));
    assert_eq!(s.sale(a).unwrap().state, SaleState::Submitting);
    assert_eq!(s.sale(first.id).unwrap().state, SaleState::Created);
    assert_eq!(s.sale_count().unwrap(), 2);
    // A group that panics leaves nothing behind, and the store works on.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = s.group(|s| {
            s.create_sale(&new_sale(uid, "r2", "c2"), 3_000).unwrap();
            panic!("a bug in a writer");
        });
    }));
    assert!(r.is_err());
    assert_eq!(s.sale_count().unwrap(), 2);
    assert!(s.create_sale(&new_sale(uid, "r3", "c3"), 4_000).unwrap().1);
    assert_eq!(s.sale_count().unwrap(), 3);
}

#[test]
fn z_reports_are_numbered_in_turn_and_final() {
    let (mut s, uid) = store();
    s.create_sale(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    let z = |no: i64, after: i64, upto: i64| ZRow { till_id: String::new(), z_no: no, after_sale_id: after, upto_sale_id: upto, from_ms: 0, produced_ms: 5, produced_by: uid, body: "{}".into() };
    s.save_z(&z(1, 0, 1)).unwrap();
    // A second manager's Z made from the same start is refused: no gap, no overlap.
    assert!(matches!(s.save_z(&z(1, 0, 1)), Err(StoreError::Conflict(_))));
    assert!(matches!(s.save_z(&z(2, 0, 1)), Err(StoreError::Conflict(_))));
    s.save_z(&z(2, 1, 1)).unwrap();
    assert_eq!(s.z_reports().unwrap().iter().map(|z| z.z_no).collect::<Vec<_>>(), vec![1, 2]);
    assert!(s.conn.execute("UPDATE z_reports SET body = 'x' WHERE z_no = 1", []).is_err(), "a Z is final");
    assert!(s.conn.execute("DELETE FROM z_reports", []).is_err());
    assert!(s.conn.execute("DELETE FROM reprints", []).is_ok(), "nothing to delete is fine");
    let sale = s.sale_by_request("r1").unwrap().unwrap();
    s.log_reprint(sale.id, uid, None, 7).unwrap();
    assert!(s.conn.execute("DELETE FROM reprints", []).is_err(), "the reprint log is append-only");
    assert_eq!(s.reprints_between(0, 10).unwrap().len(), 1);
}

#[test]
fn the_audit_chain_finds_a_changed_or_removed_line() {
    let (mut s, uid) = store();
    for i in 0..5 {
        s.audit("login", Some(uid), &format!("Cashier {i}"), 1_000 + i).unwrap();
    }
    assert_eq!(s.verify_audit().unwrap(), Ok(5));
    assert!(s.conn.execute("UPDATE audit SET detail = 'x' WHERE id = 2", []).is_err(), "append-only");
    assert!(s.conn.execute("DELETE FROM audit WHERE id = 2", []).is_err(), "append-only");
    // Someone with the file and the sqlite3 tool drops the guards and edits a line.
    s.conn.execute_batch("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;").unwrap();
    s.conn.execute("UPDATE audit SET detail = 'Manager' WHERE id = 3", []).unwrap();
    let why = s.verify_audit().unwrap().unwrap_err();
    assert!(why.contains("row 3") && why.contains("changed"), "{why}");
    s.conn.execute("UPDATE audit SET detail = 'Cashier 2' WHERE id = 3", []).unwrap();
    assert_eq!(s.verify_audit().unwrap(), Ok(5), "put back as it was");
    // A line removed from the middle, and the last one.
    s.conn.execute("DELETE FROM audit WHERE id = 2", []).unwrap();
    assert!(s.verify_audit().unwrap().unwrap_err().contains("row 2 is missing"));
    let (mut s, uid) = store();
    s.audit("login", Some(uid), "a", 1).unwrap();
    s.audit("z_report", Some(uid), "Z 1", 2).unwrap();
    s.conn.execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 2;").unwrap();
    assert!(s.verify_audit().unwrap().unwrap_err().contains("row 2 is missing"));
}

/// A store in a file of its own (to read its bytes), with a shop and a cashier.
fn store_on_file() -> (tempfile::TempDir, std::path::PathBuf, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut s = Store::open(&path).unwrap();
    s.set_shop(&Shop { name: "T".into(), till_id: "T1".into(), training: true }).unwrap();
    let uid = s.add_user("C", Role::Cashier, "h").unwrap();
    (dir, path, s, uid)
}

#[test]
fn voucher_pins_are_sealed_at_rest_and_open_for_their_sale_only() {
    let (dir, path, mut s, uid) = store_on_file();
    // A PIN written before the key was given (an older ledger) is sealed when it is.
    let (old, _) = s.create_sale_submitting(&new_sale(uid, "r0", "c0"), 1).unwrap();
    s.transition(old.id, SaleState::Submitting, SaleState::Succeeded, &Outcome { voucher_pin: Some("1111222233334444".into()), ..Default::default() }, 2).unwrap();
    assert_eq!(s.set_pin_key(&[9; 32]).unwrap(), 1);
    let (sale, _) = s.create_sale_submitting(&new_sale(uid, "r1", "c1"), 1).unwrap();
    s.transition(sale.id, SaleState::Submitting, SaleState::Succeeded, &Outcome { voucher_pin: Some("9999888877776666".into()), ..Default::default() }, 2).unwrap();
    assert_eq!(s.sale(sale.id).unwrap().outcome.voucher_pin.as_deref(), Some("9999888877776666"));
    assert_eq!(s.sale(old.id).unwrap().outcome.voucher_pin.as_deref(), Some("1111222233334444"));
    let stored: String = s.conn.query_row("SELECT voucher_pin FROM sales WHERE id = ?1", [sale.id], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("p1:"));
    drop(s);
    for name in ["a.db", "a.db-wal"] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap_or_default();
        for pin in ["9999888877776666", "1111222233334444"] {
            assert!(!bytes.windows(pin.len()).any(|w| w == pin.as_bytes()), "{pin} in {name}");
        }
    }
    // Without the key the PIN is not shown (the rest of the sale is); a sealed PIN
    // copied onto another sale does not open there.
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.sale(sale.id).unwrap().outcome.voucher_pin, None);
    assert_eq!(s.sale(sale.id).unwrap().details.amount_minor, 1200);
    s.set_pin_key(&[9; 32]).unwrap();
    s.conn.execute("UPDATE sales SET voucher_pin = ?1 WHERE id = ?2", rusqlite::params![stored, old.id]).unwrap();
    assert_eq!(s.sale(old.id).unwrap().outcome.voucher_pin, None);
    assert_eq!(s.sealed_pins_that_do_not_open().unwrap(), vec![old.id]);
    assert_eq!(s.plain_pins().unwrap(), 0);
}

/// Electricity's free-basic token is cash as much as the token: sealed at rest to its
/// own sale and place (neither PIN opens in the other's column), counted by `doctor`,
/// kept when a later answer does not repeat it, and erased with the token.
#[test]
fn a_second_pin_is_sealed_counted_and_erased_with_the_first() {
    let (dir, path, mut s, uid) = store_on_file();
    // One written in plain text before the key was given is sealed when it is.
    let (old, _) = s.create_sale_submitting(&new_sale(uid, "r0", "c0"), 1).unwrap();
    let both = Outcome { voucher_pin: Some("11112222333344445555".into()), additional_pin: Some("66667777888899990000".into()), ..Default::default() };
    s.transition(old.id, SaleState::Submitting, SaleState::Succeeded, &both, 2).unwrap();
    assert_eq!(s.plain_pins().unwrap(), 2);
    assert_eq!(s.set_pin_key(&[9; 32]).unwrap(), 2);
    assert_eq!((s.plain_pins().unwrap(), s.sealed_pin_count().unwrap()), (0, 2));
    let (sale, _) = s.create_sale_submitting(&new_sale(uid, "r1", "c1"), 1).unwrap();
    // Pending with the token, then final with the free-basic one: both kept.
    let token = Outcome { voucher_pin: Some("12341234123412341234".into()), ..Default::default() };
    s.transition(sale.id, SaleState::Submitting, SaleState::Pending, &token, 2).unwrap();
    s.transition(sale.id, SaleState::Pending, SaleState::Succeeded, &Outcome { additional_pin: Some("98769876987698769876".into()), ..Default::default() }, 3).unwrap();
    let row = s.sale(sale.id).unwrap();
    assert_eq!((row.outcome.voucher_pin.as_deref(), row.outcome.additional_pin.as_deref()), (Some("12341234123412341234"), Some("98769876987698769876")));
    assert_eq!(s.sale(old.id).unwrap().outcome.additional_pin.as_deref(), Some("66667777888899990000"));
    drop(s);
    for pin in ["98769876987698769876", "66667777888899990000"] {
        let bytes: Vec<u8> = ["a.db", "a.db-wal"].iter().flat_map(|n| std::fs::read(dir.path().join(n)).unwrap_or_default()).collect();
        assert!(!bytes.windows(pin.len()).any(|w| w == pin.as_bytes()), "{pin} in the files");
    }
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.sale(sale.id).unwrap().outcome.additional_pin, None, "no key, no token");
    s.set_pin_key(&[9; 32]).unwrap();
    // The sealed free-basic token put in the token's column does not open there.
    let sealed: String = s.conn.query_row("SELECT additional_pin FROM sales WHERE id = ?1", [sale.id], |r| r.get(0)).unwrap();
    s.conn.execute("UPDATE sales SET voucher_pin = ?1 WHERE id = ?2", rusqlite::params![sealed, old.id]).unwrap();
    assert_eq!(s.sale(old.id).unwrap().outcome.voucher_pin, None);
    assert_eq!(s.sealed_pins_that_do_not_open().unwrap(), vec![old.id]);
    // Erased with the token past the reprint window.
    assert_eq!(s.erase_pins_sold_before(10, &["smartcall"], 20).unwrap(), 2);
    let row = s.sale(sale.id).unwrap();
    assert_eq!((row.outcome.voucher_pin, row.outcome.additional_pin), (None, None));
    assert_eq!(s.sealed_pin_count().unwrap(), 0);
}

/// Two processes on one ledger (two stores, each with its lease): a start-up leaves the
/// other's sale in flight alone while the other lives, and takes it over once it is gone.
#[test]
fn a_sale_in_flight_belongs_to_its_sender_while_it_lives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("airtill.db");
    let mut a = Store::open(&path).unwrap();
    a.set_shop(&crate::Shop { name: "Two tills".into(), till_id: "T1".into(), training: true }).unwrap();
    let uid = a.add_user("thabo", crate::Role::Cashier, "x").unwrap();
    let token_a = a.hold_lease().unwrap().to_string();
    let (sending, _) = a.create_sale_submitting(&new_sale(uid, "in-flight", "ref-in-flight"), 1_000).unwrap();
    let mut b = Store::open(&path).unwrap();
    let token_b = b.hold_lease().unwrap().to_string();
    assert_ne!(token_a, token_b);
    // B starts while A sends: A's sale stays A's.
    assert!(b.recover_submitting(2_000, true).unwrap().is_empty());
    assert_eq!(b.sale(sending.id).unwrap().state, SaleState::Submitting);
    // B's own sale in flight is B's, even to B's resolver pass.
    let (own, _) = b.create_sale_submitting(&new_sale(uid, "own", "ref-own"), 2_500).unwrap();
    assert!(b.recover_submitting(2_600, false).unwrap().is_empty());
    // A lands its answer.
    a.transition(sending.id, SaleState::Submitting, SaleState::Succeeded, &Outcome { provider_ref: Some("1".into()), ..Default::default() }, 3_000).unwrap();
    // A second sale of A's in flight when A dies: B takes it over, B's own stays.
    let (orphan, _) = a.create_sale_submitting(&new_sale(uid, "orphan", "ref-orphan"), 4_000).unwrap();
    assert!(b.recover_submitting(4_100, false).unwrap().is_empty(), "A lives");
    drop(a);
    assert_eq!(b.recover_submitting(5_000, false).unwrap(), vec![orphan.id], "A is gone: its sale is in doubt, to be asked about");
    assert_eq!(b.sale(orphan.id).unwrap().state, SaleState::InDoubt);
    assert_eq!(b.sale(own.id).unwrap().state, SaleState::Submitting);
    assert_eq!(b.sale(sending.id).unwrap().state, SaleState::Succeeded);
    assert!(!dir.path().join("airtill.db.owners").join(format!("{token_a}.lock")).exists(), "a dead owner's lease file is cleared");
}

#[test]
fn what_a_sale_sold_and_who_people_are_cannot_be_rewritten_in_the_file() {
    let (mut s, uid) = store();
    let (sale, _) = s.create_sale_submitting(&new_sale(uid, "r1", "c1"), 1_000).unwrap();
    s.transition(sale.id, SaleState::Submitting, SaleState::Succeeded, &Outcome { provider_ref: Some("130000001".into()), ..Default::default() }, 2_000).unwrap();
    // As someone with the ledger file and the sqlite3 tool would try it.
    for sql in [
        "UPDATE sales SET amount_minor = 100 WHERE id = ?1",
        "UPDATE sales SET recipient = '27830000000' WHERE id = ?1",
        "UPDATE sales SET client_ref = 'other' WHERE id = ?1",
        "UPDATE sales SET created_ms = 0 WHERE id = ?1",
        "UPDATE sales SET user_id = user_id + 1 WHERE id = ?1",
        "UPDATE sales SET state = 'failed' WHERE id = ?1",
        "UPDATE sales SET state = 'pending' WHERE id = ?1",
        "DELETE FROM sales WHERE id = ?1",
        "UPDATE users SET role = 'manager' WHERE id = ?1",
        "DELETE FROM users WHERE id = ?1",
    ] {
        let id = if sql.contains("users") { uid } else { sale.id };
        assert!(s.conn.execute(sql, [id]).is_err(), "{sql} went through");
    }
    let after = s.sale(sale.id).unwrap();
    assert_eq!((after.details.amount_minor, after.state, after.details.recipient.as_str()), (1200, SaleState::Succeeded, "27831234567"));
    assert!(s.sales_unlike_their_history().unwrap().is_empty());
    // With the guard dropped (the sqlite3 tool can), doctor still sees the row unlike its history.
    s.conn.execute_batch("DROP TRIGGER sales_state_moves_forward").unwrap();
    s.conn.execute("UPDATE sales SET state = 'failed' WHERE id = ?1", [sale.id]).unwrap();
    assert_eq!(s.sales_unlike_their_history().unwrap(), vec![sale.id]);
    s.conn.execute("UPDATE sales SET state = 'succeeded' WHERE id = ?1", [sale.id]).unwrap();
    // What the engine does still goes: a sold sale reversed, a person renamed.
    s.conn.execute("UPDATE sales SET state = 'reversed' WHERE id = ?1", [sale.id]).unwrap();
    s.change_user(uid, &UserChange { name: Some("Cashier Two".into()), ..Default::default() }).unwrap();
}

/// An older version's plain chain is keyed once when the key is first given (after it
/// verified), the append-only guard put back; later, plain rows are a rewrite, and a
/// chain keyed with another key does not verify.
#[test]
fn a_plain_trail_is_keyed_once_and_a_plain_or_foreign_one_never_verifies_after() {
    let (mut s, uid) = store();
    for i in 0..3 {
        s.audit("login", Some(uid), &format!("Cashier {i}"), 1_000 + i).unwrap();
    }
    assert_eq!(s.audit_keyed_rows().unwrap(), 0);
    let key = [9u8; 32];
    assert_eq!(s.set_audit_key(&key, true).unwrap(), crate::AuditKeying::KeyedNow(3));
    assert_eq!(s.audit_keyed_rows().unwrap(), 3);
    assert!(s.conn.execute("UPDATE audit SET detail = 'x' WHERE id = 2", []).is_err(), "still append-only");
    s.audit("logout", Some(uid), "Cashier 2", 2_000).unwrap();
    assert_eq!(s.verify_audit().unwrap(), Ok(4));
    assert!(s.audit_head().unwrap().unwrap().1.starts_with("k1:"));
    // The same trail checked with another key: it does not verify.
    s.set_audit_key(&[1u8; 32], false).unwrap();
    assert!(s.verify_audit().unwrap().is_err());
    // A trail once keyed and now plain again (rewritten) is not keyed anew.
    let (mut p, uid) = store();
    p.audit("login", Some(uid), "a", 1).unwrap();
    assert!(matches!(p.set_audit_key(&key, false).unwrap(), crate::AuditKeying::Broken(_)));
    assert!(p.verify_audit().unwrap().is_err());
}
