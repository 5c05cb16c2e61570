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
    client
        .execute("INSERT INTO chain (id, chain_id, name) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING", &[&uuid::Uuid::new_v4(), &name])
        .await
        .map_err(CentralError::from_query)?;
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
    let exists: bool = client.query_one("SELECT EXISTS (SELECT 1 FROM tills WHERE till_id = $1) OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2)", &[&till_id, &role]).await.map_err(CentralError::from_query)?.get(0);
    if exists {
        return Err(CentralError::BadInput(format!("the chain has a till {till_id} already")));
    }
    let create: String = client
        .query_one("SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE airtill_till CONNECTION LIMIT 8', $1::text, $2::text)", &[&role, &password])
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
            "SELECT t.till_id, t.shop, t.head_seq, (extract(epoch FROM now() - t.last_contact))::bigint, t.app_version, chain_first_broken(t.till_id),
                    COALESCE((SELECT array_agg(p.detail ORDER BY p.id) FROM problems p WHERE p.till_id = t.till_id AND p.cleared_at IS NULL), '{}')
             FROM tills t ORDER BY t.shop, t.till_id",
            &[],
        )
        .await
        .map_err(CentralError::from_query)?;
    Ok(rows
        .iter()
        .map(|r| TillStatus { till_id: r.get(0), shop: r.get(1), records: r.get(2), last_contact_s: r.get(3), app_version: r.get(4), first_broken: r.get(5), problems: r.get(6) })
        .collect())
}
