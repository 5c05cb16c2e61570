//! Support use cases for the provider connection: the same functions serve the
//! `airtill provider smartcall ...` command line and the manager's screens.

use crate::views::{NetworkStatusView, ProviderTxView, SmartcallCatalogSummary};
use crate::{Airtill, AppError, Result, Session};
use airtill_domain::{Money, Money4};
use airtill_providers::smartcall::{Fetched, NetworkHealth, SmartcallError};

pub(crate) fn provider_error(e: SmartcallError) -> AppError {
    AppError::Provider { class: e.class_for_read(), message: format!("{} ({e})", e.cashier_message()) }
}

/// A client reference as Airtill makes them (a UUID) or as another system may have
/// (letters, digits, dashes and underscores), never a path.
pub fn check_client_reference(r: &str) -> Result<&str> {
    let r = r.trim();
    if r.is_empty() || r.len() > 64 || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::BadInput("A client reference is up to 64 letters, digits and dashes (like 9194e809-7cce-4395-b782-5fd4045ce29d).".into()));
    }
    Ok(r)
}

/// Shows only the last four digits of a PIN.
pub fn mask_pin(pin: &str) -> String {
    let digits: Vec<char> = pin.chars().filter(|c| c.is_ascii_digit()).collect();
    let keep = digits.len().min(4);
    let hidden = digits.len() - keep;
    let tail: String = digits[hidden..].iter().collect();
    format!("{}{tail}", "•".repeat(hidden))
}

pub(crate) const WALLET_WARN_SETTING: &str = "wallet_warn_minor";

impl Airtill {
    /// `GET /test/ping`: can the provider be reached at all? (No login needed.)
    pub async fn smartcall_ping(&self) -> Result<String> {
        self.smartcall.ping().await.map(|p| p.response).map_err(provider_error)
    }

    /// Which mobile networks Smartcall can reach now.
    pub async fn smartcall_health(&self, session: &Session) -> Result<Vec<NetworkStatusView>> {
        session.require_seller()?;
        let h: NetworkHealth = self.smartcall.health().await.map_err(provider_error)?;
        Ok(h.0.iter().map(|(k, v)| NetworkStatusView { key: k.clone(), up: v.trim().eq_ignore_ascii_case("UP"), status: v.clone() }).collect())
    }

    /// How many more Smartcall sessions the account may open (of 20).
    pub async fn smartcall_tokens(&self, session: &Session) -> Result<i64> {
        session.require_manager()?;
        self.smartcall.token_query().await.map(|t| t.available_tokens).map_err(provider_error)
    }

    /// The Smartload wallet, exact to Smartcall's four decimals.
    pub async fn smartcall_balance(&self, session: &Session) -> Result<Money4> {
        session.require_seller()?;
        self.smartcall.balance().await.map(Money4::zar).map_err(provider_error)
    }

    /// Each provider's wallet now, with the warning the manager set.
    pub async fn wallets(&self, session: &Session) -> Result<Vec<crate::WalletView>> {
        session.require_seller()?;
        let warn = self.store().setting(WALLET_WARN_SETTING)?.and_then(|v| v.parse::<i64>().ok()).filter(|m| *m > 0).map(Money::zar);
        // The providers are asked at once: the slowest sets the wait, not their sum.
        let smartcall = async { self.smartcall.balance().await.map(Money4::zar).map_err(|e| e.cashier_message()) };
        let aat = async {
            match &self.aat {
                Some(a) => Some(a.client().credit().await.map(|c| Money4::from_money(Money::zar(c.remaining_credit))).map_err(|e| e.cashier_message())),
                None => None,
            }
        };
        let mx = async {
            match &self.mx {
                Some(m) => Some(m.client().balance().await.map(|(minor, cur)| Money4::from_money(Money::new(minor, cur))).map_err(|e| e.cashier_message())),
                None => None,
            }
        };
        let (smartcall, aat, mx) = futures::join!(smartcall, aat, mx);
        // Kept for reports, which never wait for a provider.
        for (name, reading) in [("smartcall", Some(&smartcall)), ("aat", aat.as_ref()), ("mx", mx.as_ref())] {
            if let Some(Ok(m)) = reading {
                self.note_wallet(name, *m);
            }
        }
        // The warning level is in rand: it applies to the rand wallets, not MX's pounds.
        let view = |provider: crate::ProviderId, asked: std::result::Result<Money4, String>, warn: Option<Money>| {
            let (balance, error) = match asked {
                Ok(m) => (Some(m), None),
                Err(e) => (None, Some(e)),
            };
            let low = matches!((balance, warn), (Some(b), Some(w)) if b.e4 < Money4::from_money(w).e4);
            crate::WalletView { provider, balance, error, warn_below: warn, low }
        };
        let mut out = vec![view(crate::ProviderId::Smartcall, smartcall, warn)];
        out.extend(aat.map(|a| view(crate::ProviderId::Aat, a, warn)));
        out.extend(mx.map(|m| view(crate::ProviderId::Mx, m, None)));
        Ok(out)
    }

    /// Warn at the till when a wallet holds less than `amount` rand (`None`: never).
    /// Manager.
    pub fn set_wallet_warning(&self, session: &Session, amount: Option<&str>) -> Result<Option<Money>> {
        session.require_manager()?;
        let warn = match amount.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(text) => {
                let m = Money::parse(text, airtill_domain::Currency::ZAR).map_err(|_| AppError::BadInput(format!("'{text}' is not an amount in rand. Write it like 500 or 1500.00.")))?;
                if m.minor <= 0 || m.minor > 100_000_000 {
                    return Err(AppError::BadInput("The warning level is between R0.01 and R1,000,000.".into()));
                }
                Some(m)
            }
        };
        self.store().set_setting(WALLET_WARN_SETTING, &warn.map_or(0, |m| m.minor).to_string())?;
        self.audit("settings", Some(session.user_id), &format!("wallet warning below {}", warn.map_or("never".into(), |m| m.to_string())))?;
        Ok(warn)
    }

    /// The catalog as the provider serves it now (not the cached copy).
    pub async fn smartcall_networks(&self, session: &Session) -> Result<Vec<SmartcallCatalogSummary>> {
        session.require_seller()?;
        match self.smartcall.networks(None).await.map_err(provider_error)? {
            Fetched::Fresh { value, .. } => Ok(value
                .iter()
                .map(|n| SmartcallCatalogSummary {
                    id: n.id,
                    name: n.description.trim().to_string(),
                    product_types: n.product_types.iter().map(|t| t.description.trim().to_string()).collect(),
                    products: n.product_types.iter().map(|t| t.products.len() as i64).sum(),
                })
                .collect()),
            Fetched::NotModified => Err(AppError::Io("Smartcall answered 'not modified' to a request without an ETag".into())),
        }
    }

    /// The provider's record of a sale, by its client reference, beside the till's own.
    /// Manager only: the answer can hold a voucher PIN (shown masked).
    pub async fn smartcall_transaction(&self, session: &Session, client_reference: &str) -> Result<ProviderTxView> {
        session.require_manager()?;
        let r = check_client_reference(client_reference)?;
        let t = self.smartcall.transaction(r).await.map_err(provider_error)?;
        let local = self.store().sale_by_client_ref(r)?;
        Ok(ProviderTxView {
            client_reference: r.to_string(),
            status: t.status_id.clone().unwrap_or_default(),
            status_text: t.status.clone().unwrap_or_default(),
            smartload_reference: t.reference.clone(),
            product: t.network.clone(),
            recipient: t.recipient_msisdn.clone(),
            amount: t.amount.map(Money::zar),
            cost: t.cost.map(Money4::zar),
            voucher_pin_masked: t.voucher_pin.as_deref().map(mask_pin),
            local_sale: local.as_ref().map(|s| s.id),
            local_state: local.map(|s| s.state),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_pins() {
        assert!(check_client_reference("9194e809-7cce-4395-b782-5fd4045ce29d").is_ok());
        assert!(check_client_reference("../etc").is_err());
        assert!(check_client_reference("").is_err());
        assert_eq!(mask_pin("1234 5678 9012"), "••••••••9012");
    }
}
