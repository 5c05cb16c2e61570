//! What the chain's reports and reconciliation read, through the database's own
//! functions (a till's role reads nothing else of another till).

use crate::{CentralError, Result};

/// One line of a chain report: a dimension (`shop`, `till`, `cashier`, `network`,
/// `provider`, `kind`, `hour`, `total`; `failed` and `unresolved` by till), its key,
/// and the sold sales' count, value and cost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Line {
    pub dimension: String,
    pub key: String,
    pub currency: String,
    pub sales: i64,
    pub value_minor: i64,
    pub cost_e4: i64,
}

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Since each till's last Z.
    X,
    /// Sales made in `[from_ms, to_ms)`, epoch ms.
    Period { from_ms: i64, to_ms: i64 },
}

/// `offset_ms`: the shop's offset from UTC, which puts each sale in its hour (as each
/// till's own report does).
pub async fn report(client: &tokio_postgres::Client, window: Window, training: bool, offset_ms: i64) -> Result<Vec<Line>> {
    let (x, from, to) = match window {
        Window::X => (true, 0i64, 0i64),
        Window::Period { from_ms, to_ms } => (false, from_ms, to_ms),
    };
    let rows = client
        .query("SELECT dimension, key, currency, sales, value_minor, cost_e4 FROM chain_report($1, $2, $3, $4, $5) ORDER BY 1, 2, 3", &[&x, &from, &to, &training, &offset_ms])
        .await
        .map_err(CentralError::from_query)?;
    Ok(rows.iter().map(|r| Line { dimension: r.get(0), key: r.get(1), currency: r.get(2), sales: r.get(3), value_minor: r.get(4), cost_e4: r.get(5) }).collect())
}

/// A till of the chain as every manager sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Till {
    pub till_id: String,
    pub shop: String,
    pub records: i64,
    /// Records the till had written, at its last contact, that the chain does not hold
    /// yet (its replication lag).
    pub waiting: i64,
    pub last_contact_s: Option<i64>,
    pub app_version: Option<String>,
    pub decisions_applied: i64,
    pub problems: i64,
}

pub async fn tills(client: &tokio_postgres::Client) -> Result<Vec<Till>> {
    let rows = client.query("SELECT till_id, shop, records, waiting, last_contact_s, app_version, decisions_applied, problems FROM chain_tills()", &[]).await.map_err(CentralError::from_query)?;
    Ok(rows
        .iter()
        .map(|r| Till { till_id: r.get(0), shop: r.get(1), records: r.get(2), waiting: r.get(3), last_contact_s: r.get(4), app_version: r.get(5), decisions_applied: r.get(6), problems: r.get(7) })
        .collect())
}

/// A sale of a provider account, at whichever till of the chain made it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProviderSale {
    pub till_id: String,
    pub shop: String,
    pub sale_id: i64,
    pub receipt_no: i64,
    pub client_ref: String,
    pub provider_ref: Option<String>,
    pub network: String,
    pub product_kind: String,
    pub pinned: bool,
    pub amount_minor: i64,
    pub currency: String,
    pub cost_e4: Option<i64>,
    pub state: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

pub async fn provider_sales(client: &tokio_postgres::Client, provider: &str, from_ms: i64, to_ms: i64, training: bool) -> Result<Vec<ProviderSale>> {
    let rows = client
        .query(
            "SELECT till_id, shop, sale_id, receipt_no, client_ref, provider_ref, network, product_kind, pinned, amount_minor, currency, cost_e4, state, created_ms, updated_ms
             FROM chain_provider_sales($1, $2, $3, $4)",
            &[&provider, &from_ms, &to_ms, &training],
        )
        .await
        .map_err(CentralError::from_query)?;
    Ok(rows
        .iter()
        .map(|r| ProviderSale {
            till_id: r.get(0),
            shop: r.get(1),
            sale_id: r.get(2),
            receipt_no: r.get(3),
            client_ref: r.get(4),
            provider_ref: r.get(5),
            network: r.get(6),
            product_kind: r.get(7),
            pinned: r.get(8),
            amount_minor: r.get(9),
            currency: r.get(10),
            cost_e4: r.get(11),
            state: r.get(12),
            created_ms: r.get(13),
            updated_ms: r.get(14),
        })
        .collect())
}

/// Stock vouchers bought from a provider in `[from_ms, to_ms)`: (till, network key,
/// network name, vouchers, face value in cents).
pub async fn provider_stock(client: &tokio_postgres::Client, provider: &str, from_ms: i64, to_ms: i64) -> Result<Vec<(String, String, String, i64, i64)>> {
    let rows = client
        .query("SELECT till_id, network_key, network_name, vouchers, value_minor FROM chain_provider_stock($1, $2, $3) ORDER BY 2, 1", &[&provider, &from_ms, &to_ms])
        .await
        .map_err(CentralError::from_query)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect())
}
