//! The manager's sale-engine settings: which providers sell each kind of product, in
//! order (routing), and when a pending sale is cancelled.

use crate::catalog::Found;
use crate::views::{EngineSettingsView, ProductKind, RouteView};
use crate::{Airtill, AppError, Result, Session, PENDING_CANCEL_SETTING};
use airtill_providers::aat;

/// Kinds a route can name (the catalog's product kinds).
const KINDS: [&str; 6] = ["airtime", "voucher", "data", "sms", "electricity", "other"];

/// `<network>/<pinned|pinless>/<kind>`: the key of a route (`MTN/pinned/voucher`).
pub fn route_key(network: &str, pinned: bool, kind: &str) -> String {
    format!("{}/{}/{}", network.trim(), if pinned { "pinned" } else { "pinless" }, kind)
}

/// Whether `key` is a route's key (the head office's routes are checked again here).
pub(crate) fn route_key_ok(key: &str) -> bool {
    check_key(key).is_ok()
}

/// Checks a route's key (`MTN/pinned/voucher`), in the user's words.
pub fn check_route_key(key: &str) -> Result<()> {
    check_key(key)
}

pub(crate) fn check_key(key: &str) -> Result<()> {
    let parts: Vec<&str> = key.split('/').collect();
    let ok = parts.len() == 3
        && !parts[0].trim().is_empty()
        && parts[0].len() <= 40
        && parts[0].chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        && matches!(parts[1], "pinned" | "pinless")
        && KINDS.contains(&parts[2]);
    if ok {
        Ok(())
    } else {
        Err(AppError::BadInput(format!("A route is named network/pinned-or-pinless/kind, like MTN/pinned/voucher; the kind is one of {}.", KINDS.join(", "))))
    }
}

impl Airtill {
    /// The providers this till can sell through.
    pub fn provider_names(&self) -> Vec<String> {
        let mut names = vec!["smartcall".to_string()];
        if self.aat.is_some() {
            names.push("aat".to_string());
        }
        names
    }

    /// AAT's catalog (the spec's recharge process: networks, voucher types, vouchers),
    /// fetched once and kept; the adapter learns the vouchers' details from it.
    pub(crate) async fn aat_catalog(&self, refresh: bool) -> Result<Vec<aat::CatalogNetwork>> {
        let Some(provider) = &self.aat else {
            return Err(AppError::Configuration("this till has no AAT account".into()));
        };
        if !refresh {
            if let Some(c) = self.aat_catalog.read().await.clone() {
                return Ok(c);
            }
        }
        let fresh = provider.client().catalog().await.map_err(|e| AppError::Provider { class: e.class_for_read(), message: e.cashier_message() })?;
        provider.know_vouchers(fresh.iter().flat_map(|n| n.types.iter().flat_map(|(_, v)| v.iter().cloned())));
        *self.aat_catalog.write().await = Some(fresh.clone());
        Ok(fresh)
    }

    /// The product id to sell a catalog product at `amount` through `provider`:
    /// Smartcall's own, or the AAT voucher of the same network, kind and PIN-ness
    /// whose range holds the amount. `None` when the provider has no such product.
    pub(crate) async fn product_at(&self, provider: &str, found: &Found<'_>, kind: ProductKind, amount: i64) -> Option<i64> {
        match provider {
            "smartcall" => Some(found.product.id),
            "aat" => {
                let catalog = match self.aat_catalog(false).await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("AAT's catalog is not available: {e}");
                        return None;
                    }
                };
                let network = found.network.description.trim();
                let net = catalog.iter().find(|n| n.network.name.trim().eq_ignore_ascii_case(network))?;
                net.types
                    .iter()
                    .flat_map(|(t, vouchers)| vouchers.iter().map(move |v| (t, v)))
                    .find(|(t, v)| v.pinned == found.product.pin_indicator && aat_kind(&t.name, v.pinned) == kind && (v.min_amount..=v.max_amount).contains(&amount))
                    .map(|(_, v)| v.id)
            }
            _ => None,
        }
    }

    /// The providers to try for a kind of product, in order: the manager's route, or
    /// Smartcall alone when there is none (a second wallet is used only where the
    /// manager has said so).
    pub(crate) fn route_for(&self, key: &str) -> Result<Vec<String>> {
        let routes = self.store().routes()?;
        let available = self.provider_names();
        match routes.into_iter().find(|(k, _)| k == key) {
            Some((_, list)) => Ok(list.into_iter().filter(|p| available.contains(p)).collect()),
            None => Ok(available.into_iter().take(1).collect()),
        }
    }

    pub fn engine_settings(&self, session: &Session) -> Result<EngineSettingsView> {
        session.require_manager()?;
        let store = self.store();
        let minutes = store.setting(PENDING_CANCEL_SETTING)?.and_then(|v| v.parse::<u32>().ok()).filter(|m| *m > 0);
        let routes = store.routes()?.into_iter().map(|(kind_key, providers)| RouteView { kind_key, providers: providers.iter().map(|p| crate::ProviderId::stored(p)).collect() }).collect();
        let providers = self.provider_names().iter().map(|p| crate::ProviderId::stored(p)).collect();
        Ok(EngineSettingsView { pending_cancel_minutes: minutes, routes, providers })
    }

    /// Cancels pending sales after this many minutes where the provider allows it;
    /// `None` never.
    pub fn set_pending_cancel_minutes(&self, session: &Session, minutes: Option<u32>) -> Result<EngineSettingsView> {
        session.require_manager()?;
        if let Some(m) = minutes {
            if !(1..=24 * 60).contains(&m) {
                return Err(AppError::BadInput("Pending sales can be cancelled after 1 to 1440 minutes (or never).".into()));
            }
        }
        self.store().set_setting(PENDING_CANCEL_SETTING, &minutes.unwrap_or(0).to_string())?;
        self.engine.set_cancel_pending_after(minutes.map(|m| i64::from(m) * 60_000));
        tracing::info!(user = %session.name, ?minutes, "pending-cancel threshold set");
        self.audit("settings", Some(session.user_id), &format!("cancel pending sales after {}", minutes.map_or("never".to_string(), |m| format!("{m} minutes"))))?;
        self.engine_settings(session)
    }

    /// Sets the providers for a kind of product, in order; an empty list removes the
    /// route (every provider is then tried).
    pub fn set_route(&self, session: &Session, kind_key: &str, providers: &[String]) -> Result<EngineSettingsView> {
        session.require_manager()?;
        check_key(kind_key)?;
        let available = self.provider_names();
        let mut seen = std::collections::HashSet::new();
        for p in providers {
            if !available.contains(p) {
                return Err(AppError::BadInput(format!("There is no provider called '{p}'. This till has: {}.", available.join(", "))));
            }
            if !seen.insert(p) {
                return Err(AppError::BadInput(format!("'{p}' is listed twice.")));
            }
        }
        self.store().set_route(kind_key, providers)?;
        tracing::info!(user = %session.name, kind_key, ?providers, "route set");
        self.audit("settings", Some(session.user_id), &format!("route {kind_key}: {}", if providers.is_empty() { "removed".to_string() } else { providers.join(" -> ") }))?;
        self.engine_settings(session)
    }
}

/// The kind of an AAT voucher, from its voucher type's name.
fn aat_kind(type_name: &str, pinned: bool) -> ProductKind {
    let n = type_name.to_ascii_lowercase();
    if n.contains("data") {
        ProductKind::Data
    } else if n.contains("sms") {
        ProductKind::Sms
    } else if pinned {
        ProductKind::Voucher
    } else {
        ProductKind::Airtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        assert_eq!(route_key("MTN", true, "voucher"), "MTN/pinned/voucher");
        assert!(check_key("MTN/pinned/voucher").is_ok());
        assert!(check_key("Cell C/pinless/airtime").is_ok());
        assert!(check_key("MTN/pinned").is_err());
        assert!(check_key("MTN/maybe/voucher").is_err());
        assert!(check_key("MTN/pinned/bananas").is_err());
        assert!(check_key("../x/y").is_err());
    }
}
