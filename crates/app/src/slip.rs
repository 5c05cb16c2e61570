//! Slips for sales: built from the ledger, saved as PDF, opened with the system viewer.

use crate::{time, Airtill, AppError, Result, Session, SlipFile};
use airtill_domain::{Money, Msisdn, Network, SaleState};
use airtill_print::escpos::{send, slip_escpos, PrinterTarget};
use airtill_print::{slip_pdf, Roll, Slip};

const PRINTER_SETTING: &str = "receipt_printer";
const ROLL_SETTING: &str = "receipt_roll_mm";
const SYSTEM_PRINTER_SETTING: &str = "system_printer";
/// The stored value for "no system printer".
const OFF: &str = "off";
/// How long a printer may take to connect, and to take the slip.
const PRINT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
use std::path::PathBuf;

impl Airtill {
    fn slip_for(&self, sale_id: i64) -> Result<Slip> {
        let store = self.store();
        let sale = store.sale(sale_id).map_err(|_| AppError::NoSuchSale)?;
        let shop = store.shop()?.ok_or_else(|| AppError::Io("the shop is not set up".into()))?;
        let paid_by = store.mobile_payment_of_sale(sale_id)?;
        let (shop_address, vat_number) = crate::setup::shop_details(&store)?;
        drop(store);
        let tender_line = paid_by.map(|p| {
            let v = crate::tender::payment_view(&p);
            format!("Paid from mobile balance {}{}", v.amount, v.rate_text.map(|r| format!(" ({r})")).unwrap_or_default())
        });
        let (d, o) = (&sale.details, &sale.outcome);
        let pin = o.voucher_pin.clone().filter(|p| !p.is_empty() && sale.state == SaleState::Succeeded);
        let with_pin = d.pinned || pin.is_some();
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
            shop_address,
            vat_number,
            till_id: sale.till_id.clone(),
            cashier: sale.user_name.clone(),
            receipt_no: sale.receipt_no,
            when: time::local_minutes(sale.created_ms),
            network: d.network_name.clone(),
            product: d.product_name.clone(),
            amount: Money::new(d.amount_minor, d.currency),
            recipient: (!d.recipient.is_empty()).then(|| {
                if d.product_kind == "payment" {
                    d.recipient.split_once(':').map(|(_, a)| a.to_string()).unwrap_or(d.recipient.clone())
                } else {
                    Msisdn::parse(&d.recipient).map(|m| m.display_local()).unwrap_or(d.recipient.clone())
                }
            }),
            dial_string: pin.as_deref().and_then(|p| network.map(|n| n.dial_string(p))),
            additional_pin: o.additional_pin.clone().filter(|p| !p.is_empty() && pin.is_some()),
            voucher_pin: pin,
            pin_title: if d.product_kind == "electricity" { "ELECTRICITY TOKEN" } else { "VOUCHER PIN" }.into(),
            recipient_title: match d.product_kind.as_str() {
                "electricity" => "Meter",
                "payment" => "Account",
                _ => "Recipient",
            }
            .into(),
            ref_title: crate::sell::provider_ref_title(&d.provider).into(),
            ticket_number: o.ticket_number.clone(),
            // A token has no expiry; a voucher's is printed.
            expiry: o.expiry_ms.filter(|_| d.product_kind != "electricity").map(time::local_date),
            provider_ref: o.provider_ref.clone(),
            footer: footer(&d.product_kind, &d.provider, sale.state, with_pin),
            status_line,
            tender_line,
            training: sale.training,
            copy: false,
        })
    }

    /// A slip about to be printed: a slip without a PIN, the till's last sale and any
    /// sale of the manager's free reprint window print freely; a slip of an older sale
    /// with a PIN needs a manager's PIN (a PIN is cash), or a manager logged in. A slip
    /// printed before is a COPY. Nothing is recorded until the print has gone out.
    async fn slip_to_print(&self, session: &Session, sale_id: i64, manager_pin: Option<&str>) -> Result<(Slip, Option<i64>)> {
        session.require_seller()?;
        let mut slip = self.slip_for(sale_id)?;
        let erased = self.store().pin_erased_at(sale_id)?.is_some();
        let created_ms = self.store().sale(sale_id).map_err(|_| AppError::NoSuchSale)?.created_ms;
        let last = self.store().last_sale_id()?;
        let rule = self.reprint_rule(session, sale_id, created_ms, slip.voucher_pin.is_some() || erased, last)?;
        let approved_by = match rule {
            crate::Reprint::Free if session.role == airtill_store::Role::Manager && (slip.voucher_pin.is_some() || erased) => Some(session.user_id),
            crate::Reprint::Free => None,
            crate::Reprint::NeedsManager => {
                let pin = manager_pin.filter(|p| !p.is_empty()).ok_or(AppError::ManagerPinNeeded { receipt_no: slip.receipt_no })?;
                Some(self.manager_approval(session, pin)?)
            }
        };
        // Past the reprint window the PIN is not here: its provider says it again.
        if erased {
            let said = self.erased_pin(sale_id).await?;
            slip.additional_pin = said.as_ref().and_then(|(_, a)| a.clone());
            slip.voucher_pin = said.map(|(p, _)| p);
        }
        slip.copy = self.store().was_printed(sale_id)?;
        Ok((slip, approved_by))
    }

    /// Records a print that went out: the first of a sale, or a reprint (logged).
    fn record_print(&self, session: &Session, sale_id: i64, slip: &Slip, approved_by: Option<i64>) -> Result<()> {
        let first = self.store().record_print(sale_id, session.user_id, self.now_ms())?;
        if first {
            if let Some(m) = approved_by {
                self.audit("slip_printed", Some(session.user_id), &format!("receipt {:06}, first print of an older sale, approved by user {m}", slip.receipt_no))?;
            }
        } else {
            self.log_reprint(session, sale_id, approved_by)?;
        }
        Ok(())
    }

    /// The receipt printer the manager set, and its roll.
    pub fn receipt_printer(&self) -> Result<Option<(PrinterTarget, Roll)>> {
        let store = self.store();
        let Some(target) = store.setting(PRINTER_SETTING)?.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let roll = if store.setting(ROLL_SETTING)?.as_deref() == Some("58") { Roll::Mm58 } else { Roll::Mm80 };
        let target = PrinterTarget::parse(&target).map_err(|e| AppError::Configuration(e.to_string()))?;
        Ok(Some((target, roll)))
    }

    /// Sets (or, with `None`, removes) the receipt printer: `host:port` or a device
    /// path, and the roll width (`80` or `58` mm). Manager.
    pub fn set_receipt_printer(&self, session: &Session, target: Option<&str>, roll_mm: u32) -> Result<Option<String>> {
        session.require_manager()?;
        let roll = match roll_mm {
            80 => "80",
            58 => "58",
            _ => return Err(AppError::BadInput("The roll is 80 or 58 mm wide.".into())),
        };
        let target = match target.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(PrinterTarget::parse(t).map_err(|e| AppError::BadInput(e.to_string()))?.describe()),
            None => None,
        };
        {
            let mut store = self.store();
            store.set_setting(PRINTER_SETTING, target.as_deref().unwrap_or(""))?;
            store.set_setting(ROLL_SETTING, roll)?;
        }
        self.audit("settings", Some(session.user_id), &format!("receipt printer: {} ({roll} mm)", target.as_deref().unwrap_or("none")))?;
        Ok(target)
    }

    /// The system printer (CUPS) the manager chose for slips and sheets: `Some("")`
    /// for the system's default printer, `None` when not used.
    pub fn system_printer(&self) -> Result<Option<String>> {
        Ok(self.store().setting(SYSTEM_PRINTER_SETTING)?.filter(|v| v != OFF))
    }

    /// Prints slips and voucher sheets through the operating system (CUPS `lp`):
    /// `Some("")` the default printer, `Some(queue)` a named one, `None` off. Manager.
    pub fn set_system_printer(&self, session: &Session, queue: Option<&str>) -> Result<Option<String>> {
        session.require_manager()?;
        let value = match queue.map(str::trim) {
            None => OFF.to_string(),
            Some("") => String::new(),
            Some(q) => airtill_print::os::check_queue(q).map_err(|e| AppError::BadInput(e.to_string()))?.to_string(),
        };
        self.store().set_setting(SYSTEM_PRINTER_SETTING, &value)?;
        self.audit(
            "settings",
            Some(session.user_id),
            &format!(
                "system printer: {}",
                match value.as_str() {
                    OFF => "off",
                    "" => "the default printer",
                    q => q,
                }
            ),
        )?;
        self.system_printer()
    }

    /// Sends a PDF to the system printer; the job id.
    async fn print_through_os(&self, pdf: &std::path::Path, title: &str) -> Result<String> {
        let queue = self.system_printer()?.ok_or_else(|| AppError::Configuration("no system printer is chosen: a manager chooses one in Settings".into()))?;
        let (path, title) = (pdf.to_path_buf(), title.to_string());
        tokio::task::spawn_blocking(move || airtill_print::os::lp(&path, Some(queue.as_str()).filter(|q| !q.is_empty()), &title, std::time::Duration::from_secs(10)))
            .await
            .map_err(|e| AppError::Printer(format!("The print was stopped ({e}).")))?
            .map_err(|e| AppError::Printer(e.to_string()))
    }

    /// Prints the slip: on the receipt printer when there is one (ESC/POS, the PIN as
    /// text, the drawer opened on the first print of a cash sale that succeeded), else
    /// through the system printer (the PDF, with CUPS). The sale was committed long
    /// before; a printer that is off or hangs answers within seconds, records nothing,
    /// and the cashier prints again.
    pub async fn print_slip(&self, session: &Session, sale_id: i64, manager_pin: Option<&str>) -> Result<SlipFile> {
        let Some((target, roll)) = self.receipt_printer()? else {
            if self.system_printer()?.is_none() {
                return Err(AppError::Configuration("no printer is set up: save the slip as PDF, or a manager sets a printer in Settings".into()));
            }
            let (slip, approved_by) = self.slip_to_print(session, sale_id, manager_pin).await?;
            let path = self.private_pin_file(&format!("receipt-{:06}{}", slip.receipt_no, if slip.copy { "-copy" } else { "" }))?;
            write_pin_file(&path, &slip_pdf(&slip, Roll::Mm80))?;
            // `lp` copies the file into CUPS's spool: the PIN's file goes at once.
            let job = self.print_through_os(&path, &format!("Airtill receipt {:06}", slip.receipt_no)).await;
            let _ = std::fs::remove_file(&path);
            let job = job?;
            self.record_print(session, sale_id, &slip, approved_by)?;
            return Ok(SlipFile { path: format!("the system printer (job {job})") });
        };
        let (slip, approved_by) = self.slip_to_print(session, sale_id, manager_pin).await?;
        let sale = self.store().sale(sale_id)?;
        let cash = self.store().sale_tender(sale_id)? == "cash";
        let open_drawer = !slip.copy && cash && sale.state == SaleState::Succeeded;
        let bytes = slip_escpos(&slip, roll, open_drawer).map_err(|e| AppError::Printer(e.to_string()))?;
        let to = target.clone();
        tokio::task::spawn_blocking(move || send(&bytes, &to, PRINT_TIMEOUT))
            .await
            .map_err(|e| AppError::Printer(format!("The print was stopped ({e}).")))?
            .map_err(|e| AppError::Printer(e.to_string()))?;
        self.record_print(session, sale_id, &slip, approved_by)?;
        Ok(SlipFile { path: target.describe() })
    }

    /// The voucher sheet of these sales, printed through the system printer.
    pub async fn print_voucher_sheet(&self, session: &Session, sale_ids: &[i64]) -> Result<SlipFile> {
        session.require_manager()?;
        if self.system_printer()?.is_none() {
            return Err(AppError::Configuration("no system printer is chosen: a manager chooses one in Settings".into()));
        }
        let f = self.voucher_sheet(session, sale_ids, None)?;
        let job = self.print_through_os(std::path::Path::new(&f.path), "Airtill vouchers").await;
        let _ = std::fs::remove_file(&f.path);
        Ok(SlipFile { path: format!("the system printer (job {})", job?) })
    }

    /// An A4 sheet of the vouchers of these sales, with cut lines, for batch printing
    /// (manager: every voucher on it is cash). Only sales with a PIN are taken; each is
    /// recorded as printed (a COPY and on the reprint log when it was printed before).
    pub fn voucher_sheet(&self, session: &Session, sale_ids: &[i64], out: Option<PathBuf>) -> Result<SlipFile> {
        session.require_manager()?;
        if sale_ids.is_empty() || sale_ids.len() > 400 {
            return Err(AppError::BadInput("Choose 1 to 400 sales for the sheet.".into()));
        }
        let mut slips = Vec::new();
        for &id in sale_ids {
            let mut slip = self.slip_for(id).map_err(|_| AppError::BadInput(format!("There is no sale {id}.")))?;
            if slip.voucher_pin.is_none() {
                return Err(AppError::BadInput(format!("Receipt {:06} has no voucher PIN to print on a sheet.", slip.receipt_no)));
            }
            slip.copy = self.store().was_printed(id)?;
            slips.push((id, slip));
        }
        let path = match out {
            Some(p) => p,
            None => self.private_pin_file(&format!("vouchers-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")))?,
        };
        let only: Vec<airtill_print::Slip> = slips.iter().map(|(_, s)| s.clone()).collect();
        write_pin_file(&path, &airtill_print::sheet::voucher_sheet_pdf("Airtill vouchers", &only))?;
        for (id, slip) in &slips {
            self.record_print(session, *id, slip, Some(session.user_id))?;
        }
        self.audit("voucher_sheet", Some(session.user_id), &format!("{} on an A4 sheet: {}", crate::words::count(slips.len() as i64, "voucher"), path.display()))?;
        Ok(SlipFile { path: path.display().to_string() })
    }

    /// Prints the slip as a PDF to `out` (a new file, the till user's alone), or, with
    /// no `out`, to the private place for files with PINs, removed a few minutes later
    /// (long enough for a viewer to have read it); returns where.
    pub async fn save_slip(&self, session: &Session, sale_id: i64, out: Option<PathBuf>, manager_pin: Option<&str>) -> Result<SlipFile> {
        let (slip, approved_by) = self.slip_to_print(session, sale_id, manager_pin).await?;
        let private = out.is_none();
        let path = match out {
            Some(p) => p,
            None => self.private_pin_file(&format!("receipt-{:06}{}", slip.receipt_no, if slip.copy { "-copy" } else { "" }))?,
        };
        write_pin_file(&path, &slip_pdf(&slip, Roll::Mm80))?;
        self.record_print(session, sale_id, &slip, approved_by)?;
        if private {
            remove_later(path.clone(), VIEWER_GRACE);
        }
        Ok(SlipFile { path: path.display().to_string() })
    }

    /// Saves the slip in the private place and opens it in the system's PDF viewer (to
    /// print from there); the file is removed once the viewer has had it.
    pub async fn open_slip(&self, session: &Session, sale_id: i64, manager_pin: Option<&str>) -> Result<SlipFile> {
        let file = self.save_slip(session, sale_id, None, manager_pin).await?;
        open::that_detached(&file.path).map_err(|e| {
            tracing::warn!("the PDF viewer did not start: {e}");
            AppError::Printer("The slip was made, but this computer has no PDF viewer that opens it: install one (a document viewer), or set a receipt printer in Settings.".into())
        })?;
        Ok(file)
    }

    /// A new file name in the private place for files with PINs (see [`pin_file_dir`]).
    pub(crate) fn private_pin_file(&self, stem: &str) -> Result<PathBuf> {
        let dir = pin_file_dir(&self.data_dir)?;
        Ok(dir.join(format!("{stem}-{}.pdf", &uuid::Uuid::new_v4().simple().to_string()[..8])))
    }
}

/// How long a slip opened in the viewer stays on disk.
pub const VIEWER_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

/// The private place for files with voucher PINs: never the data folder (its backups
/// and copies would carry them), but the session's runtime folder (`$XDG_RUNTIME_DIR`,
/// in memory and emptied at logout) or the system's temporary folder, in a folder of
/// this till's own, mode 0700, refused if someone else owns it.
pub fn pin_file_dir(data_dir: &std::path::Path) -> Result<PathBuf> {
    use sha2::Digest;
    let base = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from).filter(|p| p.is_dir()).unwrap_or_else(std::env::temp_dir);
    let tag: String = sha2::Sha256::digest(data_dir.as_os_str().as_encoded_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
    let dir = base.join(format!("airtill-prints-{tag}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(AppError::Io(format!("cannot create {}: {e}", dir.display()))),
        }
        let meta = std::fs::symlink_metadata(&dir).map_err(|e| AppError::Io(format!("cannot read {}: {e}", dir.display())))?;
        let me = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
        if !meta.is_dir() || me.is_some_and(|uid| uid != meta.uid()) {
            return Err(AppError::Configuration(format!("{} is not this user's own folder: voucher PINs are not written there", dir.display())));
        }
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| AppError::Io(format!("cannot make {} private: {e}", dir.display())))?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Io(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Writes a file with PINs, the owner's alone (0600): made new beside its place and
/// moved there whole (a file already there is replaced only because the caller said
/// so: the command line's `--force`).
pub fn write_pin_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.part", &uuid::Uuid::new_v4().simple().to_string()[..8]));
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let failed = |e: std::io::Error| AppError::Io(format!("the file could not be written to {}: {e}", path.display()));
    let written = o.open(&tmp).and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()));
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(e));
    }
    Ok(())
}

/// Removes a file with PINs after a while (on a thread of its own: nothing waits).
fn remove_later(path: PathBuf, after: std::time::Duration) {
    let _ = std::thread::Builder::new().name("airtill-pin-file".into()).spawn(move || {
        std::thread::sleep(after);
        let _ = std::fs::remove_file(&path);
    });
}

/// At start: files with PINs left by an earlier run (closed before its removals ran),
/// and the slips older versions kept in the data folder, are removed. The count.
pub(crate) fn sweep_pin_files(data_dir: &std::path::Path) -> usize {
    let mut removed = 0;
    let mut sweep = |dir: PathBuf, older_than: std::time::Duration| {
        let Ok(entries) = std::fs::read_dir(&dir) else { return };
        for e in entries.flatten() {
            let old = e.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).is_some_and(|age| age >= older_than);
            if old && e.path().extension().is_some_and(|x| x == "pdf") && std::fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
    };
    if let Ok(dir) = pin_file_dir(data_dir) {
        sweep(dir, VIEWER_GRACE);
    }
    sweep(data_dir.join("slips"), std::time::Duration::ZERO);
    let _ = std::fs::remove_dir(data_dir.join("slips"));
    removed
}

/// The foot of a slip: what the customer should know of this kind of sale in this state.
fn footer(kind: &str, provider: &str, state: SaleState, with_pin: bool) -> Vec<String> {
    let lines: &[&str] = match state {
        SaleState::Succeeded => match kind {
            "electricity" => &["Enter the token on the meter's keypad. Keep this slip until the units show on the meter."],
            "payment" => &["Proof of payment: keep this slip. The biller's receipt number is the reference for any query."],
            _ if with_pin && provider == "stock" => &["Sold from the shop's stock.", "Keep this slip: the PIN is worth money."],
            _ if with_pin => &["Keep this slip: the PIN is worth money. Lost PINs are re-issued on *130*275#."],
            _ => &["The number was recharged directly. Keep this slip as the receipt."],
        },
        SaleState::Pending | SaleState::InDoubt | SaleState::Submitting | SaleState::Created => &["Do not pay or sell this again: ask at the counter for its result with the receipt number."],
        SaleState::Failed | SaleState::Cancelled => &["Nothing was sold: nothing is owed for this slip."],
        SaleState::Reversed => &["The provider reversed this sale: ask at the counter."],
    };
    lines.iter().map(|l| l.to_string()).collect()
}
