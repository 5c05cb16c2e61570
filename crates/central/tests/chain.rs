//! The chain's database for real: a PostgreSQL cluster started by `make test`
//! (scripts/pg-cluster.sh), each test in a database of its own. Without the cluster the
//! tests say so and pass, unless AIRTILL_REQUIRE_PG=1 (as in `make test`).

use airtill_central::{admin, connect, CentralError, Record, Target, TillLink};
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const TILL_PASSWORD: &str = "till-password-0123456789";

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// A new database of its own on the test cluster, and the admin's target for it.
async fn database() -> Option<Target> {
    let Some(url) = env("AIRTILL_TEST_PG_ADMIN_URL") else {
        assert!(env("AIRTILL_REQUIRE_PG").is_none(), "AIRTILL_REQUIRE_PG is set but no test cluster is (scripts/pg-cluster.sh)");
        eprintln!("no PostgreSQL test cluster (AIRTILL_TEST_PG_ADMIN_URL): skipped");
        return None;
    };
    let admin = Target { url, password: env("AIRTILL_TEST_PG_PASSWORD").unwrap(), ca_file: env("AIRTILL_TEST_PG_CA").map(Into::into) };
    let client = connect(&admin).await.unwrap();
    let name = format!("chain_{}", uuid_like());
    client.batch_execute(&format!("CREATE DATABASE {name} ENCODING 'UTF8'")).await.unwrap();
    Some(Target { url: format!("{}/{name}", admin.url.rsplit_once('/').unwrap().0), ..admin })
}

fn uuid_like() -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", n, std::process::id())
}

/// A till id no other test uses (roles are the cluster's, not the database's).
fn till_id(label: &str) -> String {
    let mut id = format!("{label}-{}", &uuid_like()[6..]);
    id.truncate(31);
    id
}

fn till_target(db: &Target, till: &str) -> Target {
    let (_, rest) = db.url.split_once('@').unwrap();
    let db_name = rest.rsplit('/').next().unwrap();
    Target { url: format!("postgres://{}@{rest}", admin::role_of(db_name, till)), password: TILL_PASSWORD.into(), ca_file: db.ca_file.clone() }
}

fn hash(prev: &str, seq: i64, kind: &str, key: &str, at_ms: i64, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{prev}|{seq}|{kind}|{key}|{at_ms}|{body}").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` chained records after `prev` (at `from`): sales of R10 moving to succeeded.
fn records(from: i64, n: i64, prev: &str) -> Vec<Record> {
    let mut prev = prev.to_string();
    (from..from + n)
        .map(|seq| {
            let body = format!(
                r#"{{"id":{seq},"receipt_no":{seq},"user_id":1,"provider":"smartcall","network_name":"Vodacom","product_name":"R10 Airtime","product_kind":"airtime","recipient":"0821234567","amount_minor":1000,"currency":"ZAR","state":"succeeded","tender":"cash","cost_e4":95000,"client_ref":"ref-{seq}","provider_ref":"{seq}00","pinned":1,"training":0,"created_ms":{seq},"updated_ms":{seq}}}"#
            );
            let h = hash(&prev, seq, "sale", &seq.to_string(), 1_700_000_000_000 + seq, &body);
            let r = Record { seq, kind: "sale".into(), key: seq.to_string(), at_ms: 1_700_000_000_000 + seq, body, hash: h.clone() };
            prev = h;
            r
        })
        .collect()
}

async fn chain_with_till(label: &str) -> Option<(Target, String, TillLink)> {
    let db = database().await?;
    admin::setup(&db, "Test chain").await.unwrap();
    let admin_client = connect(&db).await.unwrap();
    let till = till_id(label);
    admin::add_till(&admin_client, &till, "Rosebank", TILL_PASSWORD).await.unwrap();
    let link = TillLink::open(&till_target(&db, &till)).await.unwrap();
    Some((db, till, link))
}

#[tokio::test]
async fn pushes_are_idempotent_and_a_gap_or_a_broken_chain_is_refused_whole() {
    let Some((db, till, link)) = chain_with_till("push").await else { return };
    let hello = link.hello("install-1", "test", true).await.unwrap();
    assert_eq!((hello.head.seq, hello.head.hash.as_str(), hello.install_ok), (0, GENESIS, true));
    let rs = records(1, 10, GENESIS);
    let head = link.push(&till, &rs[..6]).await.unwrap();
    assert_eq!(head.seq, 6);
    // The same rows again (a confirmation lost), overlapping the next ones: kept once.
    let head = link.push(&till, &rs[3..]).await.unwrap();
    assert_eq!((head.seq, head.hash.as_str()), (10, rs[9].hash.as_str()));
    let admin_client = connect(&db).await.unwrap();
    let n: i64 = admin_client.query_one("SELECT count(*) FROM events WHERE till_id = $1", &[&till]).await.unwrap().get(0);
    assert_eq!(n, 10);
    // A gap: nothing of the batch is kept.
    let later = records(12, 3, &rs[9].hash);
    let e = link.push(&till, &later).await.unwrap_err();
    assert!(matches!(e, CentralError::Refused(ref m) if m.contains("gap")), "{e:?}");
    // A row altered on the way (or a till's ledger rewritten): refused whole.
    let mut next = records(11, 3, &rs[9].hash);
    next[1].body = next[1].body.replace("1000", "100000");
    let e = link.push(&till, &next).await.unwrap_err();
    assert!(matches!(e, CentralError::Refused(ref m) if m.contains("does not chain")), "{e:?}");
    assert_eq!(link.head(&till).await.unwrap().seq, 10);
    // The derived sale moved forward with its records, and only forward.
    let (state, count): (String, i64) = {
        admin_client.batch_execute("SELECT chain_catch_up()").await.unwrap();
        let r = admin_client.query_one("SELECT min(state), count(*) FROM sales WHERE till_id = $1", &[&till]).await.unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((state.as_str(), count), ("succeeded", 10));
    let status = admin::status(&admin_client).await.unwrap();
    let me = status.iter().find(|t| t.till_id == till).unwrap();
    assert_eq!((me.records, me.first_broken), (10, None));
    assert!(me.last_contact_s.is_some());
}

#[tokio::test]
async fn a_tills_role_cannot_write_another_tills_rows_nor_change_a_stored_one() {
    let Some((db, till, link)) = chain_with_till("rls-a").await else { return };
    let admin_client = connect(&db).await.unwrap();
    let other = till_id("rls-b");
    admin::add_till(&admin_client, &other, "Sandton", TILL_PASSWORD).await.unwrap();
    let other_link = TillLink::open(&till_target(&db, &other)).await.unwrap();
    other_link.push(&other, &records(1, 2, GENESIS)).await.unwrap();
    link.push(&till, &records(1, 3, GENESIS)).await.unwrap();
    // Its own records under another till's id: the database refuses.
    let e = link.insert_directly(&other, &records(3, 1, &records(1, 2, GENESIS)[1].hash)).await.unwrap_err();
    assert!(e.to_string().contains("row-level security"), "{e}");
    // Straight into the table under its own id, the database checks the rows as a push.
    let e = link.insert_directly(&till, &records(5, 1, GENESIS)).await.unwrap_err();
    assert!(matches!(e, CentralError::Refused(ref m) if m.contains("gap")), "{e:?}");
    let mut altered = records(4, 1, &records(1, 3, GENESIS)[2].hash);
    altered[0].body = altered[0].body.replace("1000", "1");
    let e = link.insert_directly(&till, &altered).await.unwrap_err();
    assert!(matches!(e, CentralError::Refused(ref m) if m.contains("does not chain")), "{e:?}");
    let c = link.client();
    for sql in [
        format!("UPDATE events SET body = '{{}}' WHERE till_id = '{till}'"),
        format!("DELETE FROM events WHERE till_id = '{till}'"),
        format!("UPDATE tills SET head_seq = 0 WHERE till_id = '{till}'"),
        format!("UPDATE sales SET state = 'failed' WHERE till_id = '{till}'"),
        format!("INSERT INTO sales SELECT * FROM sales WHERE till_id = '{till}'"),
        "TRUNCATE events".to_string(),
        format!("INSERT INTO tills (till_id, shop, role_name) VALUES ('x-{till}', 'x', 'x')"),
    ] {
        let e = c.batch_execute(&sql).await.unwrap_err();
        assert_eq!(e.as_db_error().map(|d| d.code().code()), Some("42501"), "{sql}: {e}");
    }
    // It sees its own records only.
    let seen: i64 = c.query_one("SELECT count(*) FROM events", &[]).await.unwrap().get(0);
    assert_eq!(seen, 3);
    let tills: i64 = c.query_one("SELECT count(*) FROM tills", &[]).await.unwrap().get(0);
    assert_eq!(tills, 1);
    // A row changed in the database behind the till's back is found by the head office.
    admin_client.batch_execute(&format!("UPDATE events SET body = replace(body, '1000', '9000') WHERE till_id = '{till}' AND seq = 2")).await.unwrap();
    let status = admin::status(&admin_client).await.unwrap();
    assert_eq!(status.iter().find(|t| t.till_id == till).unwrap().first_broken, Some(2));
    assert_eq!(status.iter().find(|t| t.till_id == other).unwrap().first_broken, None);
}

#[tokio::test]
async fn an_older_schema_is_migrated_with_what_it_holds() {
    let Some(db) = database().await else { return };
    let mut client = connect(&db).await.unwrap();
    assert_eq!(admin::migrate(&mut client, Some(1)).await.unwrap(), vec![1]);
    assert_eq!(admin::schema_version(&client).await.unwrap(), 1);
    client.execute("INSERT INTO chain (id, chain_id, name) VALUES (1, gen_random_uuid(), 'Old chain')", &[]).await.unwrap();
    let till = till_id("old");
    admin::add_till(&client, &till, "Old shop", TILL_PASSWORD).await.unwrap();
    let link = TillLink::open(&till_target(&db, &till)).await.unwrap();
    link.push(&till, &records(1, 5, GENESIS)).await.unwrap();
    // Version 1 had no derived books.
    let e = client.query_one("SELECT count(*) FROM sales", &[]).await.unwrap_err();
    assert_eq!(e.as_db_error().map(|d| d.code().code()), Some("42P01"));
    let chain = admin::setup(&db, "Ignored: the chain has a name").await.unwrap();
    assert_eq!((chain.name.as_str(), chain.schema_version), ("Old chain", *airtill_central::known_versions().last().unwrap()));
    let n: i64 = client.query_one("SELECT count(*) FROM sales WHERE till_id = $1 AND state = 'succeeded'", &[&till]).await.unwrap().get(0);
    assert_eq!(n, 5, "the sales sent before the migration are in the derived books");
    // And the till goes on where it was.
    link.push(&till, &records(6, 2, &records(1, 5, GENESIS)[4].hash)).await.unwrap();
    client.batch_execute("SELECT chain_catch_up()").await.unwrap();
    let n: i64 = client.query_one("SELECT count(*) FROM sales WHERE till_id = $1", &[&till]).await.unwrap().get(0);
    assert_eq!(n, 7);
    // Set up twice: nothing changes.
    assert!(admin::migrate(&mut client, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn wrong_settings_are_refused_in_plain_words() {
    let Some((db, till, link)) = chain_with_till("bad").await else { return };
    let good = till_target(&db, &till);
    let wrong_password = Target { password: "not-the-password-at-all".into(), ..good.clone() };
    assert!(matches!(connect(&wrong_password).await, Err(CentralError::Login(_))));
    let other_ca = Target { ca_file: env("AIRTILL_TEST_PG_OTHER_CA").map(Into::into), ..good.clone() };
    let e = connect(&other_ca).await.unwrap_err();
    assert!(matches!(e, CentralError::Certificate(_)), "{e:?}");
    let no_db = Target { url: good.url.rsplit_once('/').unwrap().0.to_string() + "/no_such_database", ..good.clone() };
    assert!(matches!(connect(&no_db).await, Err(CentralError::Login(_) | CentralError::NotTheChain(_))));
    let bad_port = Target { url: good.url.replace(&port_of(&good.url), "1"), ..good.clone() };
    assert!(matches!(connect(&bad_port).await, Err(CentralError::Unreachable(_))));
    for url in ["http://db.example/x", "postgres://db.example/x", "postgres://u:pw@db.example/x", "postgres://u@db.example/x?sslmode=disable", "postgres://u@db.example"] {
        let e = connect(&Target { url: url.into(), ..good.clone() }).await.unwrap_err();
        assert!(matches!(e, CentralError::BadAddress(_)), "{url}: {e:?}");
    }
    // A database that is not a chain (another program's): said at hello.
    let plain = database().await.unwrap();
    let admin_client = connect(&plain).await.unwrap();
    admin_client.batch_execute(&format!("GRANT CONNECT ON DATABASE {} TO {}", plain.url.rsplit('/').next().unwrap(), admin::role_of(db.url.rsplit('/').next().unwrap(), &till))).await.unwrap();
    let plain_db = plain.url.rsplit('/').next().unwrap().to_string();
    let there = TillLink::open(&Target { url: good.url.rsplit_once('/').unwrap().0.to_string() + "/" + &plain_db, ..good.clone() }).await.unwrap();
    assert!(matches!(there.hello("i", "v", false).await, Err(CentralError::NotTheChain(_))));
    // A test claims nothing; the first to send is the till's; another installation under
    // the same till id is refused after it.
    assert!(link.hello("install-2", "v", false).await.unwrap().install_ok);
    assert!(link.hello("install-1", "v", true).await.unwrap().install_ok);
    assert!(!link.hello("install-2", "v", false).await.unwrap().install_ok);
    assert!(!link.hello("install-2", "v", true).await.unwrap().install_ok);
    assert!(link.hello("install-1", "v", true).await.unwrap().install_ok);
    assert_eq!(link.problems().await.unwrap().len(), 1, "the other installation is a problem for the head office");
    let office = connect(&db).await.unwrap();
    assert!(matches!(admin::clear_problems(&office, "no-such-till").await, Err(CentralError::BadInput(_))));
    assert_eq!(admin::clear_problems(&office, &till).await.unwrap(), 1);
    assert!(link.problems().await.unwrap().is_empty(), "dealt with at the head office");
    // Bad input at the head office changes nothing.
    let c = connect(&db).await.unwrap();
    for (id, pw) in [("Bad Till", TILL_PASSWORD), ("ok-till", "short"), (till.as_str(), TILL_PASSWORD)] {
        assert!(matches!(admin::add_till(&c, id, "Shop", pw).await, Err(CentralError::BadInput(_))), "{id}");
    }
}

fn port_of(url: &str) -> String {
    url.rsplit_once(':').unwrap().1.split('/').next().unwrap().to_string()
}
