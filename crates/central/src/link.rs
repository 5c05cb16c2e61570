//! A till's side of the link: say hello, push records, report what was refused.

use crate::{connect, CentralError, Result, Target};

/// One of the till's records, as its outbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub seq: i64,
    pub kind: String,
    pub key: String,
    pub at_ms: i64,
    pub body: String,
    pub hash: String,
}

/// What the chain answers a till's hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub chain_id: String,
    pub chain_name: String,
    pub till_id: String,
    /// The chain's last record of this till.
    pub head: Head,
    /// False when another installation holds this till id.
    pub install_ok: bool,
}

/// The last record of a till the chain holds, and its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

/// The records as the six arrays a push sends.
#[allow(clippy::type_complexity)]
fn columns(records: &[Record]) -> (Vec<i64>, Vec<&str>, Vec<&str>, Vec<i64>, Vec<&str>, Vec<&str>) {
    (
        records.iter().map(|r| r.seq).collect(),
        records.iter().map(|r| r.kind.as_str()).collect(),
        records.iter().map(|r| r.key.as_str()).collect(),
        records.iter().map(|r| r.at_ms).collect(),
        records.iter().map(|r| r.body.as_str()).collect(),
        records.iter().map(|r| r.hash.as_str()).collect(),
    )
}

/// An open link of one till to the chain.
pub struct TillLink {
    client: tokio_postgres::Client,
}

impl TillLink {
    pub async fn open(target: &Target) -> Result<TillLink> {
        Ok(TillLink { client: connect(target).await? })
    }

    /// Names this till's installation (`install_id`, random, from its ledger) and
    /// version; answers which chain and till this is and what the chain holds of it.
    /// With `claim`, an unclaimed till becomes this installation's (a test of the
    /// connection claims nothing).
    pub async fn hello(&self, install_id: &str, version: &str, claim: bool) -> Result<Hello> {
        let row = self
            .client
            .query_opt("SELECT chain_id::text, chain_name, till_id, head_seq, head_hash, install_ok FROM chain_hello($1, $2, $3)", &[&install_id, &version, &claim])
            .await
            .map_err(CentralError::from_query)?
            .ok_or_else(|| CentralError::NotTheChain("the chain's database is not set up yet (the head office runs `airtill chain setup` first)".into()))?;
        Ok(Hello { chain_id: row.get(0), chain_name: row.get(1), till_id: row.get(2), head: Head { seq: row.get(3), hash: row.get(4) }, install_ok: row.get(5) })
    }

    /// Sends records (in order, following what the chain holds): rows it has already
    /// are skipped, the rest are checked whole by the database and kept once. Answers
    /// its new head.
    pub async fn push(&self, till_id: &str, records: &[Record]) -> Result<Head> {
        if records.is_empty() {
            return self.head(till_id).await;
        }
        let (seqs, kinds, keys, ats, bodies, hashes) = columns(records);
        let row =
            self.client.query_one("SELECT head_seq, head_hash FROM chain_push($1, $2, $3, $4, $5, $6)", &[&seqs, &kinds, &keys, &ats, &bodies, &hashes]).await.map_err(CentralError::from_query)?;
        Ok(Head { seq: row.get(0), hash: row.get(1) })
    }

    /// Inserts records straight into the chain's table, as a till's role may (the
    /// database's own check of each statement applies); tests try what it refuses.
    pub async fn insert_directly(&self, till_id: &str, records: &[Record]) -> Result<()> {
        let (seqs, kinds, keys, ats, bodies, hashes) = columns(records);
        self.client
            .execute(
                "INSERT INTO events (till_id, seq, kind, key, at_ms, body, hash)
                 SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
                 ON CONFLICT (till_id, seq) DO NOTHING",
                &[&till_id, &seqs, &kinds, &keys, &ats, &bodies, &hashes],
            )
            .await
            .map_err(CentralError::from_query)?;
        Ok(())
    }

    /// The chain's last record of this till.
    pub async fn head(&self, till_id: &str) -> Result<Head> {
        let row = self.client.query_one("SELECT head_seq, head_hash FROM tills WHERE till_id = $1", &[&till_id]).await.map_err(CentralError::from_query)?;
        Ok(Head { seq: row.get(0), hash: row.get(1) })
    }

    /// Tells the head office what this till found wrong (once per kind and record).
    pub async fn report_problem(&self, kind: &str, seq: Option<i64>, detail: &str) -> Result<()> {
        self.client.execute("SELECT chain_problem($1, $2, $3)", &[&kind, &seq, &detail]).await.map_err(CentralError::from_query)?;
        Ok(())
    }

    /// The open problems the chain holds about this till.
    pub async fn problems(&self) -> Result<Vec<String>> {
        let rows = self.client.query("SELECT detail FROM problems WHERE cleared_at IS NULL ORDER BY id", &[]).await.map_err(CentralError::from_query)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// The head office's decisions after `version`, in order, at most `limit`:
    /// (version, kind, body as JSON).
    pub async fn decisions_after(&self, version: i64, limit: i64) -> Result<Vec<(i64, String, String)>> {
        let rows = self.client.query("SELECT version, kind, body::text FROM decisions WHERE version > $1 ORDER BY version LIMIT $2", &[&version, &limit]).await.map_err(CentralError::from_query)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    }

    /// Tells the chain this till has applied the decisions up to `version`, and has
    /// written `recorded` records (its sign of life).
    pub async fn applied(&self, version: i64, recorded: i64) -> Result<()> {
        self.client.execute("SELECT chain_applied($1, $2)", &[&version, &recorded]).await.map_err(CentralError::from_query)?;
        Ok(())
    }

    /// The chain's PIN pepper (PIN hashes made at the head office are checked with it).
    pub async fn pepper(&self) -> Result<Option<[u8; 32]>> {
        let p: Option<Vec<u8>> = self.client.query_one("SELECT chain_pepper()", &[]).await.map_err(CentralError::from_query)?.get(0);
        Ok(p.and_then(|p| <[u8; 32]>::try_from(p.as_slice()).ok()))
    }

    /// The bare client (tests try what a till's role may not do).
    pub fn client(&self) -> &tokio_postgres::Client {
        &self.client
    }
}
