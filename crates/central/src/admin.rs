//! The head office's side: the schema, the tills' roles, and what every till sent.

use crate::{connect, embedded, CentralError, Result, Target};

/// Brings the chain's schema to this build's version (or to `upto`, for tests that
/// build an older one), each migration in its own transaction; answers the versions
/// applied now.
pub async fn migrate(client: &mut tokio_postgres::Client, upto: Option<i64>) -> Result<Vec<i64>> {
    let mut runner = embedded::migrations::runner();
    if let Some(v) = upto {
        runner = runner.set_target(refinery::Target::Version(v as _));
    }
    let report = runner.run_async(client).await.map_err(|e| CentralError::Database(format!("the chain's schema could not be brought up to date: {e}")))?;
    Ok(report.applied_migrations().iter().map(|m| m.version() as i64).collect())
}

/// The schema version the database is at (0: none).
pub async fn schema_version(client: &tokio_postgres::Client) -> Result<i64> {
    let exists: bool = client.query_one("SELECT to_regclass('refinery_schema_history') IS NOT NULL", &[]).await.map_err(CentralError::from_query)?.get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i32> = client.query_one("SELECT max(version) FROM refinery_schema_history", &[]).await.map_err(CentralError::from_query)?.get(0);
    Ok(v.unwrap_or(0) as i64)
}

/// What `setup` found or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub chain_id: String,
    pub name: String,
    pub schema_version: i64,
}

/// Sets the chain's database up (or brings it up to date): the schema, and the chain's
/// own id and name the first time. Needs a role that may create tables and roles.
pub async fn setup(admin: &Target, name: &str) -> Result<Chain> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(CentralError::BadInput("the chain's name is 1 to 80 characters".into()));
    }
    let mut client = connect(admin).await?;
    let encoding: String = client.query_one("SHOW server_encoding", &[]).await.map_err(CentralError::from_query)?.get(0);
    if encoding != "UTF8" {
        return Err(CentralError::NotTheChain(format!("the chain's database must be in UTF8 (it is {encoding}): create it with ENCODING 'UTF8'")));
    }
    migrate(&mut client, None).await?;
    client.execute("INSERT INTO chain (id, chain_id, name) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING", &[&uuid::Uuid::new_v4(), &name]).await.map_err(CentralError::from_query)?;
    // Only the chain's own tills (and its owner) connect to its database: a till of
    // another chain on the same server is a member of `airtill_till` too.
    let database: String = client.query_one("SELECT current_database()", &[]).await.map_err(CentralError::from_query)?.get(0);
    let revoke: String = client.query_one("SELECT format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', $1::text)", &[&database]).await.map_err(CentralError::from_query)?.get(0);
    client.batch_execute(&revoke).await.map_err(|e| {
        CentralError::NotTheChain(format!(
            "the role setting the chain up must own its database (to let only the chain's tills connect): {}",
            e.as_db_error().map(|d| d.message().to_string()).unwrap_or_default()
        ))
    })?;
    let pepper: Vec<u8> = rand::random::<[u8; 32]>().to_vec();
    client.execute("UPDATE chain SET pepper = $1 WHERE pepper IS NULL", &[&pepper]).await.map_err(CentralError::from_query)?;
    let row = client.query_one("SELECT chain_id::text, name FROM chain", &[]).await.map_err(CentralError::from_query)?;
    Ok(Chain { chain_id: row.get(0), name: row.get(1), schema_version: schema_version(&client).await? })
}

/// A chain till id: lower-case letters, digits and dashes, 1 to 31, starting with a
/// letter or digit (`rosebank-1`).
pub fn check_till_id(id: &str) -> Result<()> {
    let ok = !id.is_empty() && id.len() <= 31 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !id.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(CentralError::BadInput(format!("\"{id}\" is not a till id: use 1 to 31 lower-case letters, digits and dashes (for example rosebank-1)")))
    }
}

/// The database role of a till of the chain in `database` (roles are the server's,
/// not one database's: two chains on one server never share one).
pub fn role_of(database: &str, till_id: &str) -> String {
    format!("{}_{}", database, till_id.replace('-', "_"))
}

/// Adds a till to the chain: its own login role (a member of `airtill_till`, which may
/// insert only its own rows) with `password`. Answers the role's name, for the till's
/// address. A till id that exists is refused.
pub async fn add_till(client: &tokio_postgres::Client, till_id: &str, shop: &str, password: &str) -> Result<String> {
    check_till_id(till_id)?;
    let shop = shop.trim();
    if shop.is_empty() || shop.chars().count() > 80 {
        return Err(CentralError::BadInput("the shop's name is 1 to 80 characters".into()));
    }
    if password.chars().count() < 16 {
        return Err(CentralError::BadInput("a till's database password is at least 16 characters".into()));
    }
    let database: String = client.query_one("SELECT current_database()", &[]).await.map_err(CentralError::from_query)?.get(0);
    let role = role_of(&database, till_id);
    if role.len() > 63 {
        return Err(CentralError::BadInput(format!("the till id {till_id} with the database's name ({database}) is too long for a database role: use a shorter till id")));
    }
    let exists: bool = client
        .query_one("SELECT EXISTS (SELECT 1 FROM tills WHERE till_id = $1) OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)", &[&till_id, &role])
        .await
        .map_err(CentralError::from_query)?
        .get(0);
    if exists {
        return Err(CentralError::BadInput(format!("the chain has a till {till_id} already")));
    }
    let create: String = client
        .query_one(
            "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE airtill_till CONNECTION LIMIT 8; GRANT CONNECT ON DATABASE %I TO %I', $1::text, $2::text, $3::text, $1::text)",
            &[&role, &password, &database],
        )
        .await
        .map_err(CentralError::from_query)?
        .get(0);
    client.batch_execute("BEGIN").await.map_err(CentralError::from_query)?;
    let done = async {
        client.batch_execute(&create).await.map_err(CentralError::from_query)?;
        client.execute("INSERT INTO tills (till_id, shop, role_name) VALUES ($1, $2, $3)", &[&till_id, &shop, &role]).await.map_err(CentralError::from_query)?;
        Ok::<(), CentralError>(())
    }
    .await;
    match done {
        Ok(()) => client.batch_execute("COMMIT").await.map_err(CentralError::from_query)?,
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e);
        }
    }
    Ok(role)
}

/// One till as the head office sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TillStatus {
    pub till_id: String,
    pub shop: String,
    /// Records the chain holds of this till.
    pub records: i64,
    /// Records the till had written, at its last contact, that the chain does not hold.
    pub waiting: i64,
    /// Seconds since the till last reached the chain (`None`: never).
    pub last_contact_s: Option<i64>,
    pub app_version: Option<String>,
    /// The first record whose chain does not verify as stored (`None`: all verify).
    pub first_broken: Option<i64>,
    /// What was found wrong and not cleared.
    pub problems: Vec<String>,
}

/// Every till: how much it sent, when it was last heard from, whether its chain verifies.
pub async fn status(client: &tokio_postgres::Client) -> Result<Vec<TillStatus>> {
    let rows = client
        .query(
            "SELECT t.till_id, t.shop, t.head_seq, greatest(t.recorded - t.head_seq, 0), (extract(epoch FROM now() - t.last_contact))::bigint, t.app_version, chain_first_broken(t.till_id),
                    COALESCE((SELECT array_agg(p.detail ORDER BY p.id) FROM problems p WHERE p.till_id = t.till_id AND p.cleared_at IS NULL), '{}')
             FROM tills t ORDER BY t.shop, t.till_id",
            &[],
        )
        .await
        .map_err(CentralError::from_query)?;
    Ok(rows
        .iter()
        .map(|r| TillStatus { till_id: r.get(0), shop: r.get(1), records: r.get(2), waiting: r.get(3), last_contact_s: r.get(4), app_version: r.get(5), first_broken: r.get(6), problems: r.get(7) })
        .collect())
}

/// The chain's PIN pepper (head office: PIN hashes for the tills are made with it).
pub async fn pepper(client: &tokio_postgres::Client) -> Result<[u8; 32]> {
    let row = client.query_one("SELECT pepper FROM chain", &[]).await.map_err(CentralError::from_query)?;
    let p: Option<Vec<u8>> = row.get(0);
    p.and_then(|p| <[u8; 32]>::try_from(p.as_slice()).ok()).ok_or_else(|| CentralError::NotTheChain("the chain has no PIN pepper: run `airtill chain setup` again".into()))
}

/// A person of the chain (made at the head office, at every till).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChainPerson {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub active: bool,
}

pub async fn people(client: &tokio_postgres::Client) -> Result<Vec<ChainPerson>> {
    let rows = client.query("SELECT person_id, name, role, active FROM chain_people ORDER BY person_id", &[]).await.map_err(CentralError::from_query)?;
    Ok(rows.iter().map(|r| ChainPerson { person_id: r.get(0), name: r.get(1), role: r.get(2), active: r.get(3) }).collect())
}

/// The active person of this name (any case).
pub async fn person_named(client: &tokio_postgres::Client, name: &str) -> Result<ChainPerson> {
    people(client).await?.into_iter().find(|p| p.active && p.name.eq_ignore_ascii_case(name.trim())).ok_or_else(|| CentralError::BadInput(format!("the chain has nobody called \"{}\"", name.trim())))
}

/// What the head office decides for every till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A new person at every till, with a PIN hash made with the chain's pepper.
    AddPerson {
        name: String,
        role: String,
        pin_hash: String,
        must_change_pin: bool,
    },
    Disable {
        person_id: i64,
    },
    Enable {
        person_id: i64,
    },
    Rename {
        person_id: i64,
        name: String,
    },
    Pin {
        person_id: i64,
        pin_hash: String,
        must_change_pin: bool,
    },
    /// Every route, replacing the tills' own (`MTN/pinned/voucher` → providers in order).
    Routes(std::collections::BTreeMap<String, Vec<String>>),
    /// Warn below this many cents in a wallet (`None`: never).
    WalletWarning(Option<i64>),
    /// Days a sold voucher's PIN is kept for reprints.
    PinKeepDays(i64),
}

fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 40 || n.chars().any(char::is_control) {
        return Err(CentralError::BadInput("a person's name is 1 to 40 characters".into()));
    }
    Ok(n.to_string())
}

/// Records a decision for every till (one at a time: versions never overtake each
/// other). Answers its version.
pub async fn decide(client: &mut tokio_postgres::Client, d: &Decision) -> Result<i64> {
    use serde_json::json;
    let tx = client.transaction().await.map_err(CentralError::from_query)?;
    let (kind, body) = match d {
        Decision::AddPerson { name, role, pin_hash, must_change_pin } => {
            let name = check_name(name)?;
            if role != "manager" && role != "cashier" {
                return Err(CentralError::BadInput("a person is a manager or a cashier".into()));
            }
            let taken: bool = tx.query_one("SELECT EXISTS (SELECT 1 FROM chain_people WHERE active AND lower(name) = lower($1))", &[&name]).await.map_err(CentralError::from_query)?.get(0);
            if taken {
                return Err(CentralError::BadInput(format!("the chain has someone called {name} already")));
            }
            let id: i64 = tx.query_one("INSERT INTO chain_people (name, role) VALUES ($1, $2) RETURNING person_id", &[&name, role]).await.map_err(CentralError::from_query)?.get(0);
            ("person", json!({"op": "add", "person": id, "name": name, "role": role, "pin_hash": pin_hash, "must_change_pin": must_change_pin}))
        }
        Decision::Disable { person_id } | Decision::Enable { person_id } => {
            let active = matches!(d, Decision::Enable { .. });
            let n = tx.execute("UPDATE chain_people SET active = $2 WHERE person_id = $1", &[person_id, &active]).await.map_err(CentralError::from_query)?;
            if n == 0 {
                return Err(CentralError::BadInput(format!("the chain has no person {person_id}")));
            }
            ("person", json!({"op": if active { "enable" } else { "disable" }, "person": person_id}))
        }
        Decision::Rename { person_id, name } => {
            let name = check_name(name)?;
            let n = tx.execute("UPDATE chain_people SET name = $2 WHERE person_id = $1", &[person_id, &name]).await.map_err(CentralError::from_query)?;
            if n == 0 {
                return Err(CentralError::BadInput(format!("the chain has no person {person_id}")));
            }
            ("person", json!({"op": "rename", "person": person_id, "name": name}))
        }
        Decision::Pin { person_id, pin_hash, must_change_pin } => {
            let n: i64 = tx.query_one("SELECT count(*) FROM chain_people WHERE person_id = $1", &[person_id]).await.map_err(CentralError::from_query)?.get(0);
            if n == 0 {
                return Err(CentralError::BadInput(format!("the chain has no person {person_id}")));
            }
            ("person", json!({"op": "pin", "person": person_id, "pin_hash": pin_hash, "must_change_pin": must_change_pin}))
        }
        Decision::Routes(routes) => ("routes", json!({ "routes": routes })),
        Decision::WalletWarning(minor) => {
            if minor.is_some_and(|m| !(1..=100_000_000).contains(&m)) {
                return Err(CentralError::BadInput("the warning level is between R0.01 and R1,000,000".into()));
            }
            ("wallet_warning", json!({ "minor": minor }))
        }
        Decision::PinKeepDays(days) => {
            if !(1..=28).contains(days) {
                return Err(CentralError::BadInput("PINs are kept for 1 to 28 days".into()));
            }
            ("pin_keep_days", json!({ "days": days }))
        }
    };
    let v: i64 = tx.query_one("SELECT chain_decide($1, $2)", &[&kind, &body]).await.map_err(CentralError::from_query)?.get(0);
    tx.commit().await.map_err(CentralError::from_query)?;
    Ok(v)
}

/// Marks a till's problems looked at (head office), once the cause is dealt with: the
/// till's manager no longer sees them. Answers how many.
pub async fn clear_problems(client: &tokio_postgres::Client, till_id: &str) -> Result<u64> {
    check_till_id(till_id)?;
    let known: bool = client.query_one("SELECT EXISTS (SELECT 1 FROM tills WHERE till_id = $1)", &[&till_id]).await.map_err(CentralError::from_query)?.get(0);
    if !known {
        return Err(CentralError::BadInput(format!("the chain has no till {till_id}")));
    }
    client.execute("UPDATE problems SET cleared_at = now() WHERE till_id = $1 AND cleared_at IS NULL", &[&till_id]).await.map_err(CentralError::from_query)
}
