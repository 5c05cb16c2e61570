//! The product catalog: fetched from Smartcall with `ETag`, cached in the ledger so the
//! till can show products when the provider is briefly unreachable.

use crate::views::{CatalogView, NetworkView, ProductGroupView, ProductKind, ProductView};
use crate::{Airtill, AppError, Result, Session};
use airtill_domain::{Money, Network};
use airtill_providers::smartcall::{self, books::Twin, conventions, Fetched};

const PROVIDER: &str = "smartcall";

/// The catalog as the sale needs it.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub networks: Vec<smartcall::Network>,
}

/// A product found in the catalog, with its network.
pub struct Found<'a> {
    pub network: &'a smartcall::Network,
    pub product_type: &'a smartcall::ProductType,
    pub product: &'a smartcall::Product,
}

impl Catalog {
    /// The product with this id, as the till sells it: of its two catalog entries
    /// (one per `smsIndicator`, same id) the one the till sends
    /// ([`smartcall::books::choose_twin`]). Twins that disagree on the price are
    /// refused in plain words, before anything is sent.
    pub fn find(&self, product_id: i64) -> Result<Found<'_>> {
        for n in &self.networks {
            for t in &n.product_types {
                let entries: Vec<&smartcall::Product> = t.products.iter().filter(|p| p.id == product_id).collect();
                match smartcall::books::choose_twin(n, &entries) {
                    None => continue,
                    Some(Twin::Sell(p)) => return Ok(Found { network: n, product_type: t, product: p }),
                    Some(Twin::PricesDisagree { name, .. }) => {
                        return Err(AppError::BadInput(format!(
                            "Smartcall's catalog gives {name} two different prices, so it cannot be sold until the catalog agrees. Nothing was sold; choose another product."
                        )))
                    }
                }
            }
        }
        Err(AppError::NoSuchProduct)
    }
}

pub fn kind_of(t: &smartcall::ProductType, p: &smartcall::Product) -> ProductKind {
    let code = p.type_code.as_deref().or(t.code.as_deref()).unwrap_or("");
    match code {
        conventions::TYPE_AIRTIME if p.pin_indicator => ProductKind::Voucher,
        conventions::TYPE_AIRTIME => ProductKind::Airtime,
        conventions::TYPE_VOUCHER => ProductKind::Voucher,
        conventions::TYPE_DATA => ProductKind::Data,
        conventions::TYPE_SMS => ProductKind::Sms,
        conventions::TYPE_ELECTRICITY => ProductKind::Electricity,
        _ => {
            let d = t.description.to_ascii_lowercase();
            if d.contains("data") {
                ProductKind::Data
            } else if d.contains("sms") {
                ProductKind::Sms
            } else if d.contains("electric") {
                ProductKind::Electricity
            } else if d.contains("airtime") {
                if p.pin_indicator {
                    ProductKind::Voucher
                } else {
                    ProductKind::Airtime
                }
            } else {
                ProductKind::Other
            }
        }
    }
}

fn product_view(t: &smartcall::ProductType, p: &smartcall::Product) -> ProductView {
    ProductView {
        id: p.id,
        name: p.name.trim().to_string(),
        kind: kind_of(t, p),
        pinned: p.pin_indicator,
        fixed: (!p.is_any_amount()).then(|| Money::zar(p.retail_value)),
        min: Money::zar(p.min_amount),
        max: Money::zar(p.max_amount),
    }
}

impl Catalog {
    pub fn view(&self) -> CatalogView {
        let networks = self
            .networks
            .iter()
            .map(|n| NetworkView {
                id: n.id,
                name: n.description.trim().to_string(),
                network: Network::from_provider_name(&n.description),
                groups: n
                    .product_types
                    .iter()
                    .map(|t| {
                        // Each product once: the entry the till sells of those with one
                        // id; a product whose entries disagree on price is not offered.
                        let mut ids: Vec<i64> = Vec::new();
                        for p in &t.products {
                            if !ids.contains(&p.id) {
                                ids.push(p.id);
                            }
                        }
                        let products: Vec<ProductView> = ids
                            .iter()
                            .filter_map(|id| {
                                let entries: Vec<&smartcall::Product> = t.products.iter().filter(|p| p.id == *id).collect();
                                match smartcall::books::choose_twin(n, &entries)? {
                                    Twin::Sell(p) => Some(product_view(t, p)),
                                    Twin::PricesDisagree { .. } => None,
                                }
                            })
                            .collect();
                        let kind = products.first().map(|p| p.kind).unwrap_or(ProductKind::Other);
                        ProductGroupView { name: t.description.trim().to_string(), kind, products }
                    })
                    .filter(|g| !g.products.is_empty())
                    .collect(),
            })
            .collect();
        CatalogView { networks }
    }
}

impl Airtill {
    /// The catalog, refreshed from the provider (a 304 keeps the cached copy and
    /// writes nothing); the cached copy when the provider cannot be reached.
    pub(crate) async fn load_catalog(&self, refresh: bool) -> Result<Catalog> {
        if !refresh {
            if let Some(c) = self.catalog.read().unwrap_or_else(|p| p.into_inner()).clone() {
                return Ok(c);
            }
        }
        let cached = self.store().cached_catalog(PROVIDER)?;
        let cached_networks: Option<Vec<smartcall::Network>> = cached.as_ref().and_then(|(_, body)| serde_json::from_str(body).ok());
        let etag = cached.as_ref().filter(|_| cached_networks.is_some()).and_then(|(e, _)| e.clone());
        let networks = match self.smartcall.networks(etag.as_deref()).await {
            Ok(Fetched::NotModified) => cached_networks.ok_or_else(|| AppError::Io("the cached catalog is missing".into()))?,
            Ok(Fetched::Fresh { etag, value }) => {
                let body = serde_json::to_string(&value).map_err(|e| AppError::Io(e.to_string()))?;
                self.store().save_catalog(PROVIDER, etag.as_deref(), &body, self.now_ms())?;
                value
            }
            Err(e) => match cached_networks {
                Some(n) => {
                    tracing::warn!("catalog refresh failed, using the cached copy: {e}");
                    n
                }
                None => return Err(AppError::Provider { class: e.class_for_read(), message: format!("The products could not be loaded: {}", e.cashier_message()) }),
            },
        };
        let catalog = Catalog { networks };
        *self.catalog.write().unwrap_or_else(|p| p.into_inner()) = Some(catalog.clone());
        Ok(catalog)
    }

    /// The catalog as cached in the ledger, without asking the provider.
    #[cfg(test)]
    pub(crate) fn load_catalog_cached_only(&self) -> Result<Catalog> {
        let (_, body) = self.store().cached_catalog(PROVIDER)?.ok_or_else(|| AppError::Io("no cached catalog".into()))?;
        let networks = serde_json::from_str(&body).map_err(|e| AppError::Io(e.to_string()))?;
        Ok(Catalog { networks })
    }

    /// The products the till offers, by network and kind.
    pub async fn catalog(&self, session: &Session, refresh: bool) -> Result<CatalogView> {
        session.require_seller()?;
        Ok(self.load_catalog(refresh).await?.view())
    }
}
