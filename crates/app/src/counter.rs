//! What the counter needs to be quick: the shop's quick keys (the products sold most,
//! one key each), the window in which a cashier reprints a slip freely, and the
//! cashier's own totals for the shift.

use crate::views::{ProductKind, ProductView};
use crate::{time, Airtill, AppError, Result, Session};
use airtill_domain::{Money, Network};
use serde::Serialize;
use ts_rs::TS;

pub const QUICK_KEYS_SETTING: &str = "quick_keys";
/// Nine: the number keys 1–9 (and F-keys) sell them.
pub const MAX_QUICK_KEYS: usize = 9;
pub const FREE_REPRINT_SETTING: &str = "free_reprint_minutes";
pub const DEFAULT_FREE_REPRINT_MINUTES: i64 = 10;
/// An hour at most: past it, a copy of a PIN is a manager's decision.
pub const MAX_FREE_REPRINT_MINUTES: i64 = 60;
/// When the manager has pinned none: the till's best sellers of the last 30 days.
const TOP_SELLERS_DAYS: i64 = 30;

/// One quick key: a product sold in one press.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QuickKeyView {
    /// 1 to 9: the key that sells it.
    pub key: u8,
    pub network_id: i64,
    pub network_name: String,
    pub network: Option<Network>,
    /// The group it is in (`Airtime`, `Data`, ...), to show it chosen.
    pub group_name: String,
    pub product: ProductView,
    /// Pinned by the manager; otherwise one of the till's best sellers.
    pub pinned_by_manager: bool,
}

/// Who may reprint a sale's slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Reprint {
    /// The person at the till reprints it (a COPY, logged): no PIN on it, the
    /// till's last sale, a sale of the last few minutes, or a manager is logged in.
    Free,
    /// A slip with a PIN of an older sale: a manager's PIN approves it.
    NeedsManager,
}

/// The cashier's own figures for the open shift, on the selling screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CounterTotals {
    pub shift_open: bool,
    pub opened_at: Option<String>,
    /// Sales sold this shift (any tender).
    pub sold: i64,
    /// Of them, in cash.
    pub sold_cash: i64,
    /// Waiting for their provider (neither sold nor failed yet).
    pub waiting: i64,
    /// What the cash sales came to.
    pub cash_sales: Money,
    /// The float and the cash sales: what the drawer should hold.
    pub cash_expected: Money,
}

/// The window the manager sets, and the quick keys' setting, as the Office shows them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CounterSettingsView {
    pub free_reprint_minutes: i64,
    /// The catalog product ids the manager pinned, in key order (empty: best sellers).
    pub quick_keys: Vec<i64>,
}

impl Airtill {
    /// Minutes after a sale in which the cashier reprints its slip freely.
    pub fn free_reprint_minutes(&self) -> Result<i64> {
        Ok(self.store().setting(FREE_REPRINT_SETTING)?.and_then(|v| v.parse().ok()).filter(|m| (0..=MAX_FREE_REPRINT_MINUTES).contains(m)).unwrap_or(DEFAULT_FREE_REPRINT_MINUTES))
    }

    /// Sets the free reprint window (manager), 0 (only the last sale) to 60 minutes.
    pub fn set_free_reprint_minutes(&self, session: &Session, minutes: i64) -> Result<CounterSettingsView> {
        session.require_manager()?;
        if !(0..=MAX_FREE_REPRINT_MINUTES).contains(&minutes) {
            return Err(AppError::BadInput(format!("Choose 0 to {MAX_FREE_REPRINT_MINUTES} minutes (0: only the last sale is reprinted without a manager).")));
        }
        self.store().set_setting(FREE_REPRINT_SETTING, &minutes.to_string())?;
        self.audit("settings", Some(session.user_id), &format!("cashiers reprint slips of the last {} without a manager", crate::words::count(minutes, "minute")))?;
        self.counter_settings(session)
    }

    pub fn counter_settings(&self, session: &Session) -> Result<CounterSettingsView> {
        session.require_seller()?;
        Ok(CounterSettingsView { free_reprint_minutes: self.free_reprint_minutes()?, quick_keys: self.pinned_quick_keys()? })
    }

    fn pinned_quick_keys(&self) -> Result<Vec<i64>> {
        Ok(self.store().setting(QUICK_KEYS_SETTING)?.and_then(|v| serde_json::from_str::<Vec<i64>>(&v).ok()).unwrap_or_default())
    }

    /// Who may reprint this sale's slip now, for this person.
    /// `last_sale_id`: the till's last sale, as the caller has just read it.
    pub(crate) fn reprint_rule(&self, session: &Session, sale_id: i64, created_ms: i64, has_pin: bool, last_sale_id: i64) -> Result<Reprint> {
        if !has_pin || session.role == airtill_store::Role::Manager || sale_id == last_sale_id {
            return Ok(Reprint::Free);
        }
        let window_ms = self.free_reprint_minutes()? * 60_000;
        Ok(if self.now_ms() - created_ms <= window_ms { Reprint::Free } else { Reprint::NeedsManager })
    }

    /// Pins the quick keys (manager): up to nine fixed-price products of the catalog,
    /// in key order. An empty list goes back to the till's best sellers.
    pub async fn set_quick_keys(&self, session: &Session, product_ids: &[i64]) -> Result<Vec<QuickKeyView>> {
        session.require_manager()?;
        if product_ids.len() > MAX_QUICK_KEYS {
            return Err(AppError::BadInput(format!("At most {MAX_QUICK_KEYS} quick keys: the number keys 1 to 9.")));
        }
        let catalog = self.load_catalog(false).await?.view();
        for (i, id) in product_ids.iter().enumerate() {
            if product_ids[..i].contains(id) {
                return Err(AppError::BadInput("That product is on a quick key already.".into()));
            }
            let Some((_, _, p)) = find_product(&catalog, *id) else {
                return Err(AppError::BadInput("That product is not in the catalog any more. Choose another.".into()));
            };
            if p.fixed.is_none() || !matches!(p.kind, ProductKind::Airtime | ProductKind::Voucher | ProductKind::Data | ProductKind::Sms) {
                return Err(AppError::BadInput(format!("{} has no fixed price: a quick key sells one price in one press. Choose a fixed-price product.", p.name)));
            }
        }
        let json = serde_json::to_string(product_ids).map_err(|e| AppError::Io(e.to_string()))?;
        self.store().set_setting(QUICK_KEYS_SETTING, &json)?;
        self.audit("settings", Some(session.user_id), &format!("quick keys set: {}", crate::words::count(product_ids.len() as i64, "product")))?;
        self.quick_keys(session).await
    }

    /// The quick keys: the manager's, or else the till's best sellers (fixed price).
    pub async fn quick_keys(&self, session: &Session) -> Result<Vec<QuickKeyView>> {
        session.require_seller()?;
        let catalog = self.load_catalog(false).await?.view();
        let pinned = self.pinned_quick_keys()?;
        let chosen: Vec<(i64, bool)> = if pinned.is_empty() {
            let since = self.now_ms() - TOP_SELLERS_DAYS * 86_400_000;
            let top = self.store().top_products(since, 40)?;
            let mut ids = Vec::new();
            for (network, product, amount) in top {
                let found = catalog
                    .networks
                    .iter()
                    .filter(|n| n.name == network)
                    .flat_map(|n| n.groups.iter())
                    .flat_map(|g| g.products.iter())
                    .find(|p| p.name == product && p.fixed.map(|f| f.minor) == Some(amount));
                if let Some(p) = found {
                    if !ids.contains(&p.id) {
                        ids.push(p.id);
                    }
                }
                if ids.len() == MAX_QUICK_KEYS {
                    break;
                }
            }
            ids.into_iter().map(|id| (id, false)).collect()
        } else {
            pinned.into_iter().map(|id| (id, true)).collect()
        };
        let mut keys = Vec::new();
        for (id, by_manager) in chosen {
            // A pinned product gone from the catalog is skipped, its key not reused.
            if let Some((n, g, p)) = find_product(&catalog, id) {
                keys.push(QuickKeyView {
                    key: (keys.len() + 1) as u8,
                    network_id: n.id,
                    network_name: n.name.clone(),
                    network: n.network,
                    group_name: g.name.clone(),
                    product: p.clone(),
                    pinned_by_manager: by_manager,
                });
            }
        }
        Ok(keys)
    }

    /// The logged-in person's own shift so far.
    pub fn counter_totals(&self, session: &Session) -> Result<CounterTotals> {
        session.require_seller()?;
        let store = self.store();
        let now = self.now_ms();
        let Some(shift) = store.open_shift_of(session.user_id)? else {
            let zero = Money::zar(0);
            return Ok(CounterTotals { shift_open: false, opened_at: None, sold: 0, sold_cash: 0, waiting: 0, cash_sales: zero, cash_expected: zero });
        };
        let (sold, sold_cash, waiting, cash) = store.shift_sales(&shift, now)?;
        Ok(CounterTotals {
            shift_open: true,
            opened_at: Some(time::local_minutes(shift.opened_ms)),
            sold,
            sold_cash,
            waiting,
            cash_sales: Money::new(cash, shift.currency),
            cash_expected: Money::new(shift.float_minor + cash, shift.currency),
        })
    }
}

impl Airtill {
    /// The catalog ids of products named as a person writes them: an id, or the
    /// product's exact name (`MTN Airtime R12`, in any case).
    pub async fn products_named(&self, names: &[String]) -> Result<Vec<i64>> {
        let catalog = self.load_catalog(false).await?.view();
        let all: Vec<&ProductView> = catalog.networks.iter().flat_map(|n| n.groups.iter()).flat_map(|g| g.products.iter()).collect();
        let mut ids = Vec::new();
        for name in names {
            let name = name.trim();
            if let Ok(id) = name.parse::<i64>() {
                ids.push(id);
                continue;
            }
            let found: Vec<i64> = all.iter().filter(|p| p.name.eq_ignore_ascii_case(name)).map(|p| p.id).collect();
            match found.as_slice() {
                [id] => ids.push(*id),
                [] => return Err(AppError::BadInput(format!("No product is called \u{201c}{name}\u{201d}: write its name as the selling screen shows it, like MTN Airtime R12."))),
                _ => return Err(AppError::BadInput(format!("More than one product is called \u{201c}{name}\u{201d}: give its number from `airtill catalog` instead."))),
            }
        }
        Ok(ids)
    }
}

fn find_product(catalog: &crate::CatalogView, id: i64) -> Option<(&crate::NetworkView, &crate::ProductGroupView, &ProductView)> {
    catalog.networks.iter().find_map(|n| n.groups.iter().find_map(|g| g.products.iter().find(|p| p.id == id).map(|p| (n, g, p))))
}

#[cfg(test)]
#[path = "counter_tests.rs"]
mod tests;
