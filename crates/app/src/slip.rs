//! Slips for sales: built from the ledger, saved as PDF, opened with the system viewer.

use crate::{time, AppError, Airtill, Result, Session, SlipFile};
use airtill_domain::{Money, Msisdn, Network, SaleState};
use airtill_print::{slip_pdf, Roll, Slip};
use std::path::PathBuf;

impl Airtill {
    fn slip_for(&self, sale_id: i64) -> Result<Slip> {
        let store = self.store();
        let sale = store.sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let shop = store.shop()?.ok_or_else(|| AppError::Io("the shop is not set up".into()))?;
        drop(store);
        let (d, o) = (&sale.details, &sale.outcome);
        let pin = o.voucher_pin.clone().filter(|p| !p.is_empty() && sale.state == SaleState::Succeeded);
        let network = Network::from_provider_name(&d.network_name);
        let status_line = match sale.state {
            SaleState::Succeeded => None,
            SaleState::Pending => Some("PENDING - waiting for the network. Not yet confirmed.".to_string()),
            SaleState::InDoubt | SaleState::Submitting | SaleState::Created => Some("NOT CONFIRMED - being checked. Do not sell again.".to_string()),
            SaleState::Failed => Some("NOT SOLD - nothing was charged.".to_string()),
            SaleState::Cancelled => Some("CANCELLED - nothing was sold.".to_string()),
            SaleState::Reversed => Some("REVERSED".to_string()),
        };
        Ok(Slip {
            shop_name: shop.name,
            till_id: sale.till_id.clone(),
            cashier: sale.user_name.clone(),
            receipt_no: sale.receipt_no,
            when: time::local_minutes(sale.created_ms),
            network: d.network_name.clone(),
            product: d.product_name.clone(),
            amount: Money::new(d.amount_minor, d.currency),
            recipient: Some(Msisdn::parse(&d.recipient).map(|m| m.display_local()).unwrap_or(d.recipient.clone())),
            dial_string: pin.as_deref().and_then(|p| network.map(|n| n.dial_string(p))),
            voucher_pin: pin,
            ticket_number: o.ticket_number.clone(),
            expiry: o.expiry_ms.map(time::local_date),
            provider_ref: o.provider_ref.clone(),
            status_line,
            training: sale.training,
            copy: false,
        })
    }

    /// The 80 mm slip of a sale as PDF bytes (no print is recorded: for previews).
    pub fn slip_pdf(&self, session: &Session, sale_id: i64) -> Result<Vec<u8>> {
        session.require_seller()?;
        Ok(slip_pdf(&self.slip_for(sale_id)?, Roll::Mm80))
    }

    /// Prints a slip (as PDF) and records it. The till's last sale prints freely; a
    /// slip of an older sale with a PIN needs a manager's PIN (a PIN is cash). Every
    /// print after the first says COPY and is logged as a reprint.
    fn print_slip(&self, session: &Session, sale_id: i64, manager_pin: Option<&str>) -> Result<Slip> {
        session.require_seller()?;
        let mut slip = self.slip_for(sale_id)?;
        let approved_by = if slip.voucher_pin.is_some() && sale_id != self.store().last_sale_id()? {
            let pin = manager_pin.filter(|p| !p.is_empty()).ok_or(AppError::ManagerPinNeeded { receipt_no: slip.receipt_no })?;
            Some(self.manager_approval(pin)?)
        } else {
            None
        };
        let first = self.store().record_print(sale_id, session.user_id, time::now_ms())?;
        if first {
            if let Some(m) = approved_by {
                self.audit("slip_printed", Some(session.user_id), &format!("receipt {:06}, first print of an older sale, approved by user {m}", slip.receipt_no))?;
            }
        } else {
            self.log_reprint(session, sale_id, approved_by)?;
        }
        slip.copy = !first;
        Ok(slip)
    }

    /// Prints the slip to the slips folder (or `out`) and returns where.
    pub fn save_slip(&self, session: &Session, sale_id: i64, out: Option<PathBuf>, manager_pin: Option<&str>) -> Result<SlipFile> {
        let slip = self.print_slip(session, sale_id, manager_pin)?;
        let path = match out {
            Some(p) => p,
            None => {
                let dir = self.data_dir.join("slips");
                std::fs::create_dir_all(&dir).map_err(|e| AppError::Io(format!("cannot create {}: {e}", dir.display())))?;
                dir.join(format!("receipt-{:06}{}.pdf", slip.receipt_no, if slip.copy { "-copy" } else { "" }))
            }
        };
        std::fs::write(&path, slip_pdf(&slip, Roll::Mm80))
            .map_err(|e| AppError::Io(format!("the slip could not be saved to {}: {e}", path.display())))?;
        Ok(SlipFile { path: path.display().to_string() })
    }

    /// Saves the slip and opens it in the system's PDF viewer (to print from there).
    pub fn open_slip(&self, session: &Session, sale_id: i64, manager_pin: Option<&str>) -> Result<SlipFile> {
        let file = self.save_slip(session, sale_id, None, manager_pin)?;
        open::that_detached(&file.path).map_err(|e| AppError::Io(format!("the slip was saved to {} but could not be opened: {e}", file.path)))?;
        Ok(file)
    }
}
