//! Bill payments through Smartcall: EasyPay (municipal accounts, traffic fines,
//! Telkom accounts) and DSTV (a subscription or BoxOffice). The account is looked up
//! first (what is owed, whose it is); the payment is a sale like any other: stored
//! before it is sent, in doubt when its answer is lost, resolved by its reference.

use crate::views::{BillAccountView, BillRequest, SaleView};
use crate::{Airtill, AppError, Result, Session};
use airtill_domain::{ClientReference, Currency, Money};
use airtill_engine::SaleOrder;
use airtill_providers::smartcall::{DstvAccountType, EasyPayAccount};
use airtill_store::SaleDetails;

/// What is being paid: an EasyPay product of the catalog, or DSTV.
enum Biller {
    EasyPay { product_id: i64, name: String, account: EasyPayAccount, discount: Option<i64> },
    Dstv { kind: DstvAccountType, account: String },
}

impl Biller {
    fn network(&self) -> &'static str {
        match self {
            Biller::EasyPay { .. } => "EasyPay",
            Biller::Dstv { .. } => "DSTV",
        }
    }
    /// `<accountType>:<account>`, as the sale keeps it.
    fn recipient(&self) -> String {
        match self {
            Biller::EasyPay { account, .. } => {
                format!("{}:{}", account.account_type(), account.reference())
            }
            Biller::Dstv { kind, account } => format!("{}:{account}", kind.as_str()),
        }
    }
}

impl Airtill {
    async fn biller(&self, product_id: Option<i64>, box_office: bool, reference: &str) -> Result<Biller> {
        match product_id {
            None => {
                let account: String = reference.chars().filter(|c| !c.is_whitespace()).collect();
                if !(6..=13).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(AppError::BadInput("A DSTV account number is 6 to 13 digits (on the DSTV bill or the decoder's screen).".into()));
                }
                Ok(Biller::Dstv { kind: if box_office { DstvAccountType::Tvod } else { DstvAccountType::Subs }, account })
            }
            Some(id) => {
                let catalog = self.load_catalog(false).await?;
                let found = catalog.find(id)?;
                if found.network.description.trim() != "EasyPay" {
                    return Err(AppError::BadInput("That is not a bill that can be paid here.".into()));
                }
                let name = found.product.name.trim().to_string();
                let fine = name.to_ascii_lowercase().contains("fine");
                let account = if fine { EasyPayAccount::notice_no(reference) } else { EasyPayAccount::ep_no(reference) }.map_err(AppError::BadInput)?;
                Ok(Biller::EasyPay { product_id: id, name, account, discount: found.product.discount_percentage })
            }
        }
    }

    /// Looks the account up before paying: who it is and what is owed.
    pub async fn query_bill(&self, session: &Session, product_id: Option<i64>, box_office: bool, reference: &str) -> Result<BillAccountView> {
        session.require_seller()?;
        let biller = self.biller(product_id, box_office, reference).await?;
        let q = match &biller {
            Biller::EasyPay { account, .. } => self.smartcall.easypay_query(account).await,
            Biller::Dstv { kind, account } => self.smartcall.dstv_query(*kind, account).await,
        }
        .map_err(crate::provider::provider_error)?;
        Ok(BillAccountView {
            biller: biller.network().into(),
            account: q.account_reference.unwrap_or_else(|| biller.recipient().split_once(':').map(|(_, a)| a.to_string()).unwrap_or_default()),
            amount_due: q.amount_due.map(Money::zar),
            description: q.description.unwrap_or_default(),
        })
    }

    /// Pays a bill. The same request id returns the same payment.
    pub async fn pay_bill(&self, session: &Session, req: &BillRequest) -> Result<SaleView> {
        session.require_seller()?;
        crate::sell::check_request_id(&req.request_id)?;
        let seen = self.store().sale_by_request(&req.request_id)?;
        if let Some(existing) = seen {
            return self.shown(session, crate::sell::sale_view(&existing));
        }
        self.require_cash_shift(session)?;
        let biller = self.biller(req.product_id, req.box_office, &req.reference).await?;
        let amount = crate::sell::typed_amount(&req.amount, Currency::ZAR)?;
        if !(100..=5_000_000).contains(&amount.minor) {
            return Err(AppError::BadInput("A bill payment is from R1.00 to R50,000.00.".into()));
        }
        let (product_id, product_name, discount) = match &biller {
            Biller::EasyPay { product_id, name, discount, .. } => (*product_id, name.clone(), *discount),
            Biller::Dstv { kind: DstvAccountType::Tvod, .. } => (0, "DSTV BoxOffice".to_string(), None),
            Biller::Dstv { .. } => (0, "DSTV subscription".to_string(), None),
        };
        let details = SaleDetails {
            request_id: req.request_id.clone(),
            client_ref: ClientReference::new().to_string(),
            user_id: session.user_id,
            provider: "smartcall".into(),
            network_name: biller.network().into(),
            product_id,
            product_name,
            product_kind: "payment".into(),
            pinned: false,
            recipient: biller.recipient(),
            amount_minor: amount.minor,
            currency: Currency::ZAR,
            discount_e4: discount,
        };
        let override_by = match req.override_pin.as_deref().filter(|p| !p.is_empty()) {
            Some(pin) => Some(self.manager_approval(session, pin)?),
            None => None,
        };
        let sale = self.engine.sell(SaleOrder { details, fallbacks: vec![], override_by, paid_by: None }).await?;
        self.shown(session, crate::sell::sale_view(&sale))
    }
}
