//! How long a sold voucher's PIN stays in the ledger. For the reprint window the
//! manager sets (default 7 days) the PIN is kept sealed; after it the PIN is erased
//! from the ledger, and a reprint (with a manager's PIN) asks the provider for it by
//! the sale's reference: Smartcall's transaction enquiry and AAT's
//! `GetTransactionInfo` both say it again. A copied ledger then holds a week of PINs
//! at most, not the shop's whole history.

use crate::{Airtill, AppError, Result, Session};
use airtill_providers::ErrorClass;

pub const PIN_KEEP_SETTING: &str = "pin_keep_days";
pub const DEFAULT_PIN_KEEP_DAYS: i64 = 7;
/// Four weeks: within Smartcall's month of history by its own reference (the spec:
/// a week by client reference, a month by Smartload reference).
pub const MAX_PIN_KEEP_DAYS: i64 = 28;
/// The providers that say a sold voucher's PIN again when asked by its reference.
/// Vouchers from the till's own stock keep theirs (nobody could say it again).
const SAY_IT_AGAIN: &[&str] = &["smartcall", "aat"];

impl Airtill {
    /// Days a sold voucher's PIN is kept for reprints.
    pub fn pin_keep_days(&self) -> Result<i64> {
        Ok(self.store().setting(PIN_KEEP_SETTING)?.and_then(|v| v.parse().ok()).filter(|d| (1..=MAX_PIN_KEEP_DAYS).contains(d)).unwrap_or(DEFAULT_PIN_KEEP_DAYS))
    }

    /// Sets the reprint window (manager), 1 to 28 days; PINs older than it go now.
    pub fn set_pin_keep_days(&self, session: &Session, days: i64) -> Result<i64> {
        session.require_manager()?;
        if !(1..=MAX_PIN_KEEP_DAYS).contains(&days) {
            return Err(AppError::BadInput(format!("Keep PINs for 1 to {MAX_PIN_KEEP_DAYS} days.")));
        }
        self.store().set_setting(PIN_KEEP_SETTING, &days.to_string())?;
        self.audit("settings", Some(session.user_id), &format!("voucher PINs kept {} for reprints", crate::words::count(days, "day")))?;
        self.erase_old_pins()?;
        Ok(days)
    }

    /// Erases the PINs sold before the reprint window (at start, at each Z, when the
    /// window changes). The count.
    pub(crate) fn erase_old_pins(&self) -> Result<usize> {
        let now = self.now_ms();
        let cutoff = now - self.pin_keep_days()? * 86_400_000;
        let n = self.store().erase_pins_sold_before(cutoff, SAY_IT_AGAIN, now)?;
        if n > 0 {
            tracing::info!(count = n, "voucher PINs past the reprint window were erased from the ledger");
            self.audit("pins_erased", None, &format!("{} sold before {} erased (reprint window)", crate::words::count(n as i64, "voucher PIN"), crate::time::local_minutes(cutoff)))?;
        }
        Ok(n)
    }

    /// The PIN of a sale whose PIN was erased (and its additional one, electricity's
    /// free-basic token, when there was one), asked of its provider by the sale's
    /// reference (the caller has a manager's approval). `None` when it was not erased.
    pub(crate) async fn erased_pin(&self, sale_id: i64) -> Result<Option<(String, Option<String>)>> {
        if self.store().pin_erased_at(sale_id)?.is_none() {
            return Ok(None);
        }
        let sale = self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let unavailable = |who: &str, e: String| AppError::Provider {
            class: ErrorClass::Transient,
            message: format!("Receipt {:06}'s PIN was erased from the till after its reprint window, and {who} could not say it again now ({e}). Try again in a moment.", sale.receipt_no),
        };
        let (pin, additional) = match sale.details.provider.as_str() {
            // By client reference Smartcall keeps a week; by its own (Smartload)
            // reference a month: past the window, the month's.
            "smartcall" => match sale.outcome.provider_ref.as_deref().and_then(|r| r.trim().parse::<i64>().ok()) {
                Some(order) => self.smartcall.transaction_by_smartload_ref(order).await,
                None => self.smartcall.transaction(&sale.details.client_ref).await,
            }
            .map(|t| (t.voucher_pin, t.additional_voucher_pin))
            .map_err(|e| unavailable("Smartcall", e.to_string()))?,
            "aat" => {
                let aat = self.aat.as_ref().ok_or_else(|| AppError::Configuration("this sale was AAT's, and the till has no AAT account now".into()))?;
                (aat.client().transaction(&sale.details.client_ref).await.map_err(|e| unavailable("AAT", e.to_string()))?.voucher_pin, None)
            }
            other => return Err(AppError::BadInput(format!("Receipt {:06}'s PIN was erased and {other} cannot say it again.", sale.receipt_no))),
        };
        let pin = pin.filter(|p| !p.trim().is_empty()).ok_or_else(|| unavailable(&sale.details.provider, "no PIN in its answer".into()))?;
        self.audit("pin_fetched", None, &format!("receipt {:06}: PIN asked of {} by reference (erased here)", sale.receipt_no, sale.details.provider))?;
        Ok(Some((pin, additional.filter(|p| !p.trim().is_empty()))))
    }
}
