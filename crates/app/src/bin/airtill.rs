//! `airtill`: the command line for support staff and managers. It calls the same use
//! cases as the desktop app.

use airtill_app::{Airtill, AppError, OpenOptions, SaleRequest, Session};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "airtill", version, about = "Airtill point of sale: the command line")]
struct Cli {
    /// The data folder (default: $AIRTILL_DATA_DIR or the system's data folder).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Who you are (or AIRTILL_USER): your wrong PINs are then counted for you alone.
    /// Without it the PIN alone says who, and such logins are counted together.
    #[arg(long, env = "AIRTILL_USER", global = true)]
    user: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Set this till up (the first thing on a new till): `--practice` for training with
    /// the demo people, or `--live` with the shop's details, the owner and the
    /// Smartcall account (tested before anything is saved).
    Setup(SetupArgs),
    /// The people of this till (manager): list, add, rename, disable, enable, and
    /// PINs (`airtill people pin` alone changes your own).
    People {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[command(subcommand)]
        op: PeopleCommand,
    },
    /// How long a sold voucher's PIN stays at this till for reprints (manager: 1 to 28
    /// days, default 7). After it the PIN is erased from the ledger, and a reprint (with
    /// a manager's PIN) asks the provider for it by the sale's reference.
    KeepPins {
        /// Days to keep; without it, the days kept now.
        #[arg(long)]
        days: Option<i64>,
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// The chain's books at this till (manager): link it to the chain's PostgreSQL, see
    /// what waits to go, push now, and the chain's reports and reconciliation.
    Chain {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[command(subcommand)]
        op: ChainCommand,
    },
    /// The chain's head office (no till needed): set the chain's database up, add
    /// tills, see every till, and decide people, routes, the wallet warning and the
    /// reprint window for every till.
    HeadOffice {
        /// The chain's database as its owner: postgres://ROLE@HOST:PORT/DATABASE.
        #[arg(long, env = "AIRTILL_HEAD_OFFICE_URL", global = true)]
        url: Option<String>,
        /// The certificate authorities to trust for it (PEM), if not the system's.
        #[arg(long, env = "AIRTILL_HEAD_OFFICE_CA", global = true)]
        ca: Option<PathBuf>,
        #[command(subcommand)]
        op: HeadOfficeCommand,
    },
    /// The shop, the till and the mode (training or live).
    Status,
    /// The products on offer.
    Catalog {
        /// Only this network (as the provider names it: MTN, Vodacom, ...).
        #[arg(long)]
        network: Option<String>,
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// Sell a product.
    Sell {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// The product id (see `airtill catalog`).
        #[arg(long)]
        product: i64,
        /// The customer's cell number.
        #[arg(long)]
        to: String,
        /// For products sold at any amount, in rand.
        #[arg(long)]
        amount: Option<String>,
        /// A manager's PIN approving a repeat while an earlier sale to the same number
        /// and amount is unresolved.
        #[arg(long, env = "AIRTILL_APPROVE_PIN", hide_env_values = true)]
        approve_pin: Option<String>,
    },
    /// Today's sales.
    Sales {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// Ask the provider about a sale now, by its receipt number (or `--sale ID`), and
    /// print what it says. Never sells again. Exits 1 while it is still not final.
    Check {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// The receipt number on the slip: 000042.
        receipt: Option<String>,
        /// The sale's id instead (see `airtill sales`).
        #[arg(long)]
        sale: Option<i64>,
    },
    /// The shop's time zone, which decides its days (manager): `--set Africa/Johannesburg`.
    TimeZone {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        set: Option<String>,
    },
    /// The sales waiting for their result (pending or in doubt), from any day.
    Unresolved {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// The providers that sell each kind of product, in order (manager).
    Routes {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// `network/pinned|pinless/kind`, like `MTN/pinned/voucher`; with no providers
        /// after it, the route is removed.
        key: Option<String>,
        /// Providers in the order to try them.
        providers: Vec<String>,
    },
    /// Cancel sales still pending after this many minutes, where the provider allows
    /// it (`off` never) (manager).
    PendingCancel {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        minutes: String,
    },
    /// Support checks against the configured provider endpoint.
    Provider {
        #[command(subcommand)]
        provider: ProviderCommand,
    },
    /// X, Z and period reports (manager): on screen, or to a PDF or CSV file.
    Report {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[command(subcommand)]
        kind: ReportCommand,
        /// `text` (the default, on screen), `pdf` or `csv`.
        #[arg(long, global = true, default_value = "text")]
        format: String,
        /// `a4` (the default) or `80mm`, for PDF.
        #[arg(long, global = true, default_value = "a4")]
        paper: String,
        /// The file to write (needed for pdf and csv).
        #[arg(long, global = true)]
        out: Option<PathBuf>,
        /// Replace the file if it is there already.
        #[arg(long, global = true)]
        force: bool,
    },
    /// A cashier's shift: open it with a float, see it, close it with the cash counted.
    Shift {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[command(subcommand)]
        op: ShiftCommand,
    },
    /// Match the till's sales with Smartcall's own figures for the same days
    /// (manager). Exits 1 when anything differs.
    Reconcile {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// The (first) South African day, as 2026-11-23.
        #[arg(long)]
        date: String,
        /// The last day (default: the same day).
        #[arg(long)]
        to: Option<String>,
        /// `smartcall` (default), `aat` or `mx`.
        #[arg(long, default_value = "smartcall")]
        provider: String,
    },
    /// Check the database, the Z chain, unresolved sales, the provider and the
    /// printer (manager). Exits 1 when a check fails.
    Doctor {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// Copy the ledger to a new file while the till runs (manager).
    Backup {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup in place of the ledger (manager; close the app first). The ledger
    /// it replaces is kept beside it.
    Restore {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        backup: PathBuf,
    },
    /// Print a sale's slip on the receipt printer (ESC/POS; a second print says COPY
    /// and is logged).
    Print {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        sale: i64,
        /// A manager's PIN: needed for a slip with a PIN of any sale but the last.
        #[arg(long, env = "AIRTILL_MANAGER_PIN", hide_env_values = true)]
        manager_pin: Option<String>,
    },
    /// Pin the counter's quick keys (manager): up to nine fixed-price products, by name
    /// (`"MTN Airtime R12"`) or number (`airtill catalog`), in key order; none goes
    /// back to the till's best sellers.
    QuickKeys {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        products: Vec<String>,
    },
    /// Set the receipt printer (manager): `host:port`, a device path, or `none`.
    Printer {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        target: String,
        /// The roll's width in mm: 80 or 58.
        #[arg(long, default_value_t = 80)]
        roll: u32,
    },
    /// Save a sale's slip as PDF (a print: a second one says COPY and is logged).
    Slip {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        sale: i64,
        #[arg(long)]
        out: PathBuf,
        /// Replace the file if it is there already.
        #[arg(long)]
        force: bool,
        /// A manager's PIN: needed for a slip with a PIN of any sale but the last.
        #[arg(long, env = "AIRTILL_MANAGER_PIN", hide_env_values = true)]
        manager_pin: Option<String>,
    },
    /// An A4 sheet of the vouchers of these sales, with cut lines (manager).
    Sheet {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// Sale ids, comma separated (see `airtill sales`).
        #[arg(long, value_delimiter = ',')]
        sales: Vec<i64>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the file if it is there already.
        #[arg(long)]
        force: bool,
        /// Print it on the system printer (CUPS) instead of only saving it.
        #[arg(long)]
        print: bool,
    },
    /// A manager decides a sale no provider can settle (an MX credit whose answer and
    /// notification were both lost, after 30 minutes), with the reason.
    Decide {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        sale: i64,
        /// `sold` or `not-sold`.
        outcome: String,
        /// What the provider said (kept with the decision and in the reports).
        #[arg(long)]
        reason: String,
        #[arg(long, env = "AIRTILL_MANAGER_PIN", hide_env_values = true)]
        manager_pin: String,
    },
    /// Offline voucher stock: levels and orders, buy, finish an open order, sell from it.
    Stock {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[command(subcommand)]
        op: Option<StockCommand>,
    },
    /// The system printer (CUPS) for sheets and slips: a queue name, `default`, or `off`.
    SystemPrinter {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        queue: String,
    },
    /// Credit a UK mobile number through MX Telecom (pending until MX confirms).
    UkCredit {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// 07700 900000 or 447700900000.
        #[arg(long)]
        to: String,
        /// Pounds: 5 or 10.00.
        #[arg(long)]
        amount: String,
    },
    /// The customer's mobile balance (Ideamart).
    MobileBalance {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        to: String,
    },
    /// The rupees one rand buys for the mobile-balance tender (Ideamart charges rupees
    /// only): `--rate 18.235` sets it, `--rate ""` clears it, none shows it (manager).
    MobileRate {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        rate: Option<String>,
    },
    /// Take a payment from the customer's mobile balance (Ideamart), in rupees at the
    /// manager's rate; prints its id.
    MobilePay {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        from: String,
        /// Rand: 12 or 12.50.
        #[arg(long)]
        amount: String,
    },
    /// Ask again about a mobile-balance payment not yet confirmed (the same debit,
    /// never a new one); exits 1 while it is still not known.
    MobileCheck {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// The payment's id (printed by `airtill mobile-pay`).
        payment: i64,
    },
    /// The notification listener for MX and AAT: `on` (with --bind, --port, --token) or `off`.
    Listener {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        /// on, off or show.
        state: String,
        #[arg(long)]
        bind: Option<String>,
        #[arg(long)]
        port: Option<u16>,
        #[arg(long)]
        token: Option<String>,
    },
    /// Notifications received from the providers (`--open`: those to look at).
    Notifications {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
        #[arg(long)]
        open: bool,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Everything since the last Z; changes nothing.
    X,
    /// Close the day: everything since the last Z, numbered and final. With `--no N`,
    /// Z report N again as it was produced.
    Z {
        #[arg(long = "no")]
        number: Option<i64>,
    },
    /// The local days `--from` to `--to` (both included), as 2026-11-23.
    Period {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum StockCommand {
    /// Buy PIN vouchers into stock (manager): a product id from `airtill catalog`.
    Buy {
        /// smartcall (one batch order) or aat (one by one).
        #[arg(long, default_value = "smartcall")]
        provider: String,
        #[arg(long)]
        product: i64,
        #[arg(long)]
        quantity: i64,
    },
    /// Check an order left open (in doubt, or vouchers still to fetch) and finish it.
    Finish { order: i64 },
    /// Sell a voucher of this product's kind from stock (no provider is asked).
    Sell {
        #[arg(long)]
        product: i64,
        /// The customer's number (optional: the PIN is on the slip).
        #[arg(long, default_value = "")]
        to: String,
    },
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["practice", "live"])))]
struct SetupArgs {
    /// A practice till: training mode, the practice providers, the demo people.
    #[arg(long)]
    practice: bool,
    /// A real shop: real accounts, the owner as its first manager, no demo people.
    #[arg(long)]
    live: bool,
    /// The shop's name, printed on every slip.
    #[arg(long, default_value = "")]
    shop_name: String,
    /// The shop's address, printed on slips (lines separated by commas).
    #[arg(long, default_value = "")]
    address: String,
    /// The shop's VAT number (10 digits starting with 4), if it is registered.
    #[arg(long, default_value = "")]
    vat_number: String,
    /// This till's name: T1, FRONT-1.
    #[arg(long, default_value = "")]
    till: String,
    /// The shop's time zone (default Africa/Johannesburg).
    #[arg(long, default_value = "")]
    time_zone: String,
    /// The owner's name: the first manager.
    #[arg(long, default_value = "")]
    owner: String,
    /// The owner's manager PIN, at least 6 digits (or AIRTILL_SETUP_PIN; else typed twice at a prompt).
    #[arg(long, env = "AIRTILL_SETUP_PIN", hide_env_values = true)]
    manager_pin: Option<String>,
    /// Smartcall's address (the QA service: https://www.smartcallesb.co.za:8101/webservice).
    #[arg(long, default_value = "")]
    smartcall_url: String,
    #[arg(long, default_value = "")]
    smartcall_username: String,
    /// The Smartcall account's cell number.
    #[arg(long, default_value = "")]
    smartload_id: String,
    /// The Smartcall password (or AIRTILL_SMARTCALL_SETUP_PASSWORD; else typed at a prompt).
    #[arg(long, env = "AIRTILL_SMARTCALL_SETUP_PASSWORD", hide_env_values = true)]
    smartcall_password: Option<String>,
}

#[derive(Subcommand)]
enum ChainCommand {
    /// Link this till to the chain (tested first; nothing is saved if the test fails).
    /// The password is asked for (or AIRTILL_CHAIN_PASSWORD).
    Link {
        /// postgres://ROLE@HOST:PORT/DATABASE, as the head office gave it.
        #[arg(long)]
        url: String,
        /// This till's id in the chain (rosebank-1).
        #[arg(long)]
        till: String,
        /// The chain database's certificate authority (PEM), if not the system's.
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Only test the link; save nothing.
        #[arg(long)]
        test: bool,
    },
    /// Stop sending to the chain (what was recorded stays here and there).
    Unlink,
    /// What this till has recorded, what the chain confirmed, what waits.
    Status,
    /// Send what waits now, and wait for the chain to confirm it.
    Push,
    /// Every till of the chain: records, last contact, problems.
    Tills,
    /// A report across every till: X (since each till's last Z) without dates.
    Report {
        /// The first day of a period (2026-11-23).
        #[arg(long)]
        from: Option<String>,
        /// The last day (default: the first).
        #[arg(long)]
        to: Option<String>,
    },
    /// The Smartcall account against the sales of every till of the chain.
    Reconcile {
        /// The (first) day, as 2026-11-23.
        #[arg(long)]
        date: String,
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum HeadOfficeCommand {
    /// Create (or bring up to date) the chain's schema, and name the chain.
    Setup {
        #[arg(long)]
        name: String,
    },
    /// Add a till: its own database role and password (printed once), and the address
    /// to give it.
    AddTill {
        /// The till's id in the chain: lower-case letters, digits, dashes (rosebank-1).
        id: String,
        /// The shop it is in.
        #[arg(long)]
        shop: String,
    },
    /// Every till: records held, last contact, whether its chain verifies, problems.
    Tills,
    /// Mark a till's problems dealt with (its manager no longer sees them).
    Clear { till: String },
    /// The people of the chain, at every till.
    People {
        #[command(subcommand)]
        op: HeadOfficePeople,
    },
    /// How long sold voucher PINs stay at every till for reprints (1 to 28 days).
    KeepPins {
        #[arg(long)]
        days: i64,
    },
    /// Warn at every till when a wallet holds less than this (rand), or --never.
    WalletWarning {
        #[arg(long)]
        below: Option<String>,
        #[arg(long)]
        never: bool,
    },
    /// Set every till's routes: `KEY=provider,provider` pairs (MTN/pinned/voucher=smartcall,aat);
    /// none removes them all.
    Routes { routes: Vec<String> },
}

#[derive(Subcommand)]
enum HeadOfficePeople {
    List,
    /// Add a person at every till (the PIN asked for twice, or AIRTILL_NEW_PIN); they
    /// choose their own PIN at their first login unless --keep-pin.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "cashier")]
        role: String,
        #[arg(long, env = "AIRTILL_NEW_PIN", hide_env_values = true)]
        new_pin: Option<String>,
        /// The PIN is the person's own (typed by them): no change at the first login.
        #[arg(long)]
        keep_pin: bool,
    },
    Disable {
        name: String,
    },
    Enable {
        name: String,
    },
    Rename {
        name: String,
        #[arg(long)]
        to: String,
    },
    /// A new PIN at every till (they choose their own at their next login).
    Pin {
        name: String,
        #[arg(long, env = "AIRTILL_NEW_PIN", hide_env_values = true)]
        new_pin: Option<String>,
    },
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// Everyone, disabled people too.
    List,
    /// Add a person: `--name Zanele --role cashier` (the PIN asked for twice, or --new-pin).
    Add {
        #[arg(long)]
        name: String,
        /// cashier or manager.
        #[arg(long, default_value = "cashier")]
        role: String,
        #[arg(long, env = "AIRTILL_NEW_PIN", hide_env_values = true)]
        new_pin: Option<String>,
    },
    /// Give a person a new name.
    Rename {
        /// The person's name or number (see `airtill people list`).
        who: String,
        #[arg(long)]
        name: String,
    },
    /// Stop a person logging in (they are never deleted: the books name them).
    Disable { who: String },
    /// Let a disabled person log in again.
    Enable { who: String },
    /// Lift a person's lock after wrong PINs (their login and their approvals); with
    /// `--unnamed`, the count of command-line logins that named nobody.
    Unlock {
        who: Option<String>,
        #[arg(long, conflicts_with = "who")]
        unnamed: bool,
    },
    /// A new PIN: with WHO a manager gives that person one (to change at their next
    /// login); without, your own (your PIN is --pin, the new one asked for twice).
    Pin {
        who: Option<String>,
        #[arg(long, env = "AIRTILL_NEW_PIN", hide_env_values = true)]
        new_pin: Option<String>,
    },
}

#[derive(Subcommand)]
enum ShiftCommand {
    /// Open your shift with the float in the drawer, in rand (`500.00`).
    Open { float: String },
    /// Your open shift and the cash the drawer should hold.
    Show,
    /// Close your shift with the cash counted: `--count 200x3 --count 0.50x4` (note or
    /// coin in rand, then pieces). A manager closes another's with `--shift N`.
    Close {
        #[arg(long = "count")]
        counts: Vec<String>,
        /// The shift to close (see `airtill shift list`); yours when not given.
        #[arg(long)]
        shift: Option<i64>,
    },
    /// Every open shift at this till (manager).
    List,
}

#[derive(Subcommand)]
enum ProviderCommand {
    /// Smartcall Web Service V3.
    Smartcall {
        #[command(subcommand)]
        op: SmartcallOp,
    },
}

#[derive(Subcommand)]
enum SmartcallOp {
    /// Can Smartcall be reached? (No login.)
    Ping,
    /// The Smartload wallet.
    Balance {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// Which mobile networks Smartcall can reach now.
    Health {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// How many more sessions the account may open (manager).
    Token {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// The networks and product counts Smartcall serves now.
    Networks {
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
    /// Smartcall's record of a sale by its client reference (manager).
    Tx {
        client_ref: String,
        /// Your PIN (or AIRTILL_PIN; asked for at a prompt, not shown, when neither is given).
        #[arg(long, env = "AIRTILL_PIN", hide_env_values = true, global = true)]
        pin: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = airtill_app::logging::init(airtill_app::logging::log_dir().as_deref(), "warn");
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("airtill: {e}");
            ExitCode::from(1)
        }
    }
}

/// The `--user` of this run.
static USER: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

async fn run(cli: Cli) -> Result<(), AppError> {
    let _ = USER.set(cli.user.clone().filter(|u| !u.trim().is_empty()));
    let opts = match cli.data_dir {
        Some(d) => OpenOptions { data_dir: d },
        None => OpenOptions::from_env()?,
    };
    if let Command::Setup(args) = cli.command {
        return setup(&opts, args).await;
    }
    if let Command::HeadOffice { url, ca, op } = cli.command {
        return head_office(url, ca, op).await;
    }
    // Only the setup makes a shop: any other command on a new till says so.
    if airtill_app::setup::needs_setup(&opts.data_dir)? {
        return Err(AppError::NotSetUp);
    }
    if let Command::Restore { pin, backup } = cli.command {
        return restore(opts, &pin, &backup).await;
    }
    let app = Airtill::open(opts).await?;
    let result = command(&app, cli.command).await;
    app.shutdown().await;
    result
}

async fn setup(opts: &OpenOptions, a: SetupArgs) -> Result<(), AppError> {
    use airtill_app::setup::{SetupKind, SetupRequest};
    let kind = if a.live { SetupKind::Live } else { SetupKind::Practice };
    let (manager_pin, manager_pin_again, smartcall) = if kind == SetupKind::Live {
        let (p, again) = new_pin_or_prompt(a.manager_pin, "The owner's")?;
        let password = match a.smartcall_password.filter(|p| !p.is_empty()) {
            Some(p) => p,
            None => pin_or_prompt(&None, "Smartcall password: ")?,
        };
        let form = airtill_app::SmartcallSettingsInput {
            mode: "live".into(),
            base_url: a.smartcall_url,
            username: a.smartcall_username,
            password: Some(password),
            smartload_id: a.smartload_id,
            timeout_seconds: 45,
        };
        (p, again, Some(form))
    } else {
        (String::new(), String::new(), None)
    };
    let req = SetupRequest {
        kind,
        shop_name: a.shop_name,
        address: a.address,
        vat_number: a.vat_number,
        till_id: a.till,
        time_zone: a.time_zone,
        owner_name: a.owner,
        manager_pin,
        manager_pin_again,
        smartcall,
    };
    let done = airtill_app::setup::setup(&opts.data_dir, &req).await?;
    println!("{} is set up as {} till {}", done.shop_name, if kind == SetupKind::Live { "a live shop," } else { "a practice" }, done.till_id);
    if let Some(w) = &done.smartcall {
        println!("Smartcall: {w}");
    }
    println!("people: {}", done.people.join(", "));
    if kind == SetupKind::Practice {
        println!("practice PINs: manager {} {}, cashier {} {}", airtill_app::DEMO_MANAGER.0, airtill_app::DEMO_MANAGER.1, airtill_app::DEMO_CASHIER.0, airtill_app::DEMO_CASHIER.1);
    }
    Ok(())
}

async fn people(app: &Airtill, pin: &Option<String>, op: PeopleCommand) -> Result<(), AppError> {
    let s = login(app, pin)?;
    let show = |p: &airtill_app::PersonView| {
        let role = match p.role {
            airtill_app::PersonRole::Manager => "manager",
            airtill_app::PersonRole::Cashier => "cashier",
        };
        let locked = p.locked_until.as_ref().map(|t| format!("locked until {t}")).or_else(|| (p.wrong_pins > 0).then(|| format!("{} wrong", airtill_app::words::count(p.wrong_pins, "PIN"))));
        let notes = [(!p.active).then(|| "disabled".to_string()), p.must_change_pin.then(|| "must choose a new PIN".to_string()), p.shift_open.then(|| "shift open".to_string()), locked];
        let notes: Vec<String> = notes.into_iter().flatten().collect();
        println!("{:>4}  {:<24} {:<8} {}", p.id, p.name, role, notes.join(", "));
    };
    match op {
        PeopleCommand::List => app.people(&s)?.iter().for_each(show),
        PeopleCommand::Add { name, role, new_pin } => {
            let role = airtill_app::people::parse_role(&role)?;
            let (p, again) = new_pin_or_prompt(new_pin, &format!("{}'s", name.trim()))?;
            if p != again {
                return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()));
            }
            show(&app.add_person(&s, &name, role, &p)?);
        }
        PeopleCommand::Rename { who, name } => {
            let id = app.person_id(&s, &who)?;
            show(&app.change_person(&s, id, &airtill_app::PersonChange { name: Some(name), ..Default::default() })?);
        }
        PeopleCommand::Disable { who } => {
            let id = app.person_id(&s, &who)?;
            show(&app.change_person(&s, id, &airtill_app::PersonChange { active: Some(false), ..Default::default() })?);
        }
        PeopleCommand::Unlock { who: Some(who), .. } => {
            let id = app.person_id(&s, &who)?;
            app.unlock_person(&s, id)?;
            println!("{}: unlocked", who.trim());
        }
        PeopleCommand::Unlock { who: None, unnamed: true } => {
            app.unlock_unnamed(&s)?;
            println!("logins without --user: unlocked");
        }
        PeopleCommand::Unlock { who: None, unnamed: false } => return Err(AppError::BadInput("Say who to unlock (airtill people unlock NAME), or --unnamed.".into())),
        PeopleCommand::Enable { who } => {
            let id = app.person_id(&s, &who)?;
            show(&app.change_person(&s, id, &airtill_app::PersonChange { active: Some(true), ..Default::default() })?);
        }
        PeopleCommand::Pin { who: Some(who), new_pin } => {
            let id = app.person_id(&s, &who)?;
            let (p, again) = new_pin_or_prompt(new_pin, "Their")?;
            if p != again {
                return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()));
            }
            show(&app.change_person(&s, id, &airtill_app::PersonChange { pin: Some(p), ..Default::default() })?);
            println!("they choose their own PIN at their next login");
        }
        PeopleCommand::Pin { who: None, new_pin } => {
            let old = pin_or_prompt(pin, "PIN: ")?;
            let (p, again) = new_pin_or_prompt(new_pin, "Your")?;
            let s = app.change_own_pin(&s, &old, &p, &again)?;
            println!("{}: your PIN is changed", s.name);
        }
    }
    Ok(())
}

/// A manager's PIN is checked against the ledger being replaced; then the app is
/// closed and the backup put in its place.
async fn restore(opts: OpenOptions, pin: &Option<String>, backup: &std::path::Path) -> Result<(), AppError> {
    if !backup.is_file() {
        return Err(AppError::BadInput(format!("There is no backup at {} (is the USB stick in?). Nothing was changed.", backup.display())));
    }
    let data_dir = opts.data_dir.clone();
    let (target, manager_name) = {
        let app = Airtill::open(opts).await?;
        let s = login(&app, pin)?;
        let checked = s.require_manager();
        app.shutdown().await;
        checked?;
        (app.ledger_path(), s.name.clone())
    };
    let kept = airtill_store::Store::restore(backup, &target, airtill_app::office::now_ms()).map_err(AppError::from)?;
    // The restored ledger records its own restore (by name: ids may differ there).
    airtill_app::audit_ledger(&data_dir, &target, "restore", &format!("from {} by {}", backup.display(), manager_name))?;
    println!("restored {} into {}", backup.display(), target.display());
    println!("the ledger it replaced is kept as {}", kept.display());
    Ok(())
}

/// `200x3` or `0.50x4`: a note or coin in rand, then pieces.
fn parse_count(text: &str) -> Result<airtill_app::DenominationCount, AppError> {
    let bad = || AppError::BadInput(format!("'{text}' is not a count. Write the note or coin in rand, an x, then pieces: 200x3 or 0.50x4."));
    let (d, n) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let denomination = airtill_domain::Money::parse(d.trim(), airtill_domain::Currency::ZAR).map_err(|_| bad())?.minor;
    let pieces = n.trim().parse::<i64>().map_err(|_| bad())?;
    Ok(airtill_app::DenominationCount { denomination, pieces })
}

fn print_shift(v: &airtill_app::ShiftView) {
    println!("shift {} of {}: opened {}{}", v.id, v.cashier, v.opened_at, v.closed_at.as_deref().map(|c| format!(", closed {c}")).unwrap_or_default());
    println!("  float:    {}", v.float);
    println!("  expected: {}", v.expected);
    if let (Some(c), Some(var)) = (v.counted, v.variance) {
        println!("  counted:  {c}{}", v.counted_by.as_deref().map(|m| format!(" (by {m})")).unwrap_or_default());
        println!("  variance: {var} ({})", v.status);
    }
}

/// The PIN given (`--pin`, `AIRTILL_PIN`), else typed at a prompt without echo.
fn pin_or_prompt(pin: &Option<String>, prompt: &str) -> Result<String, AppError> {
    if let Some(p) = pin.as_deref().filter(|p| !p.is_empty()) {
        return Ok(p.to_string());
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::BadInput("Give your PIN: type it at the prompt (run this in a terminal), or give --pin or AIRTILL_PIN.".into()));
    }
    rpassword::prompt_password(prompt).map_err(|e| AppError::Io(format!("the PIN could not be read: {e}")))
}

fn secret_or_prompt(env: &str, prompt: &str) -> Result<String, AppError> {
    if let Some(p) = std::env::var(env).ok().filter(|p| !p.is_empty()) {
        return Ok(p);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(AppError::BadInput(format!("Give the password: type it at the prompt (run this in a terminal), or set {env}.")));
    }
    rpassword::prompt_password(prompt).map_err(|e| AppError::Io(format!("the password could not be read: {e}")))
}

fn print_lines(title: &str, lines: &[airtill_app::ReportLine]) {
    if lines.is_empty() {
        return;
    }
    println!("{title}");
    for l in lines {
        println!("  {:<32} {:>6}  {:>14}  cost {:>14}", l.key, l.count, l.value.to_string(), l.cost.to_string());
    }
}

async fn chain(app: &Airtill, pin: &Option<String>, op: ChainCommand) -> Result<(), AppError> {
    let s = login(app, pin)?;
    s.require_manager()?;
    let show_status = |st: &airtill_app::ChainStatusView| {
        let state = match st.state {
            airtill_app::ChainLinkState::NotLinked => "not linked to a chain",
            airtill_app::ChainLinkState::Sending => "sending",
            airtill_app::ChainLinkState::UpToDate => "up to date",
            airtill_app::ChainLinkState::Offline => "offline: records wait here",
            airtill_app::ChainLinkState::Refused => "refused by the chain: the head office must look",
            airtill_app::ChainLinkState::Settings => "the link's settings need attention",
        };
        println!("chain: {state}");
        if let (Some(t), Some(u)) = (&st.till, &st.url) {
            println!("till {t} of {} at {u}", st.chain_name.as_deref().unwrap_or("the chain"));
        }
        println!("records: {} written here, {} confirmed by the chain, {} waiting", st.recorded, st.confirmed, st.waiting);
        if let Some(m) = &st.message {
            println!("{m}");
        }
    };
    match op {
        ChainCommand::Link { url, till, ca, test } => {
            let password = secret_or_prompt("AIRTILL_CHAIN_PASSWORD", "The till's chain password: ")?;
            let input = airtill_app::ChainLinkInput { url, till, password: Some(password), ca_file: ca.map(|p| p.display().to_string()) };
            let t = if test { app.test_chain_link(&s, &input).await? } else { app.save_chain_link(&s, &input).await? };
            println!(
                "{} the chain \"{}\" as till {}: it holds {} of this till's records; {} are written here",
                if test { "reached" } else { "linked to" },
                t.chain_name,
                t.till,
                t.records_there,
                t.records_here
            );
        }
        ChainCommand::Unlink => {
            app.unlink_chain(&s)?;
            println!("this till no longer sends to the chain");
        }
        ChainCommand::Status => show_status(&app.chain_status(&s)?),
        ChainCommand::Push => show_status(&app.push_to_chain(&s).await?),
        ChainCommand::Tills => {
            for t in app.chain_tills(&s).await? {
                println!(
                    "{:<20} {:<24} {:>9} records ({} waiting)  last contact {:<16}  decisions {:>4}  {}{}",
                    t.till,
                    t.shop,
                    t.records,
                    t.waiting,
                    t.last_contact.unwrap_or_else(|| "never".into()),
                    t.decisions_applied,
                    if t.problems > 0 { airtill_app::words::count(t.problems, "problem") } else { "ok".into() },
                    if t.this_till { "  (this till)" } else { "" }
                );
            }
        }
        ChainCommand::Report { from, to } => {
            let q = airtill_app::ChainReportQuery { x: from.is_none(), from, to };
            let r = app.chain_report(&s, &q).await?;
            println!("{}: {} (produced {})", if r.chain_name.is_empty() { "the chain" } else { &r.chain_name }, r.covers, r.produced_at);
            print_lines("sold", &r.sold);
            print_lines("by shop", &r.by_shop);
            print_lines("by till", &r.by_till);
            print_lines("by cashier", &r.by_cashier);
            print_lines("by network", &r.by_network);
            print_lines("by provider", &r.by_provider);
            print_lines("by kind", &r.by_kind);
            print_lines("by hour", &r.by_hour);
            print_lines("not sold (refused), by till", &r.failed);
            print_lines("waiting for their result, by till", &r.unresolved);
        }
        ChainCommand::Reconcile { date, to } => {
            let to = to.unwrap_or_else(|| date.clone());
            print_reconciliation(&app.chain_reconcile(&s, &date, &to).await?)?;
        }
    }
    Ok(())
}

async fn head_office(url: Option<String>, ca: Option<PathBuf>, op: HeadOfficeCommand) -> Result<(), AppError> {
    use airtill_central::admin;
    let url = url.ok_or_else(|| AppError::BadInput("Give the chain's database: --url postgres://ROLE@HOST:PORT/DATABASE (or AIRTILL_HEAD_OFFICE_URL).".into()))?;
    airtill_central::parse_url(&url).map_err(|e| AppError::BadInput(e.to_string()))?;
    let password = secret_or_prompt("AIRTILL_HEAD_OFFICE_PASSWORD", "The chain database's password: ")?;
    let target = airtill_central::Target { url, password, ca_file: ca };
    let fail = |e: airtill_central::CentralError| match (&e, e.class()) {
        (airtill_central::CentralError::BadInput(m), _) => AppError::BadInput(format!("{}{}.", m[..1].to_uppercase(), &m[1..])),
        (_, airtill_central::ErrorClass::Settings) => AppError::Configuration(e.to_string()),
        _ => AppError::Io(e.to_string()),
    };
    if let HeadOfficeCommand::Setup { name } = &op {
        let c = admin::setup(&target, name).await.map_err(fail)?;
        println!("the chain \"{}\" is set up (schema version {}, chain {})", c.name, c.schema_version, c.chain_id);
        return Ok(());
    }
    let mut client = airtill_central::connect(&target).await.map_err(fail)?;
    let decided = |v: i64| println!("decision {v} recorded: every till applies it when it next reaches the chain");
    match op {
        HeadOfficeCommand::Setup { .. } => unreachable!("handled above"),
        HeadOfficeCommand::AddTill { id, shop } => {
            let password: String = {
                use std::fmt::Write;
                let mut p = String::new();
                for b in uuid::Uuid::new_v4().as_bytes().iter().chain(uuid::Uuid::new_v4().as_bytes()) {
                    let _ = write!(p, "{b:02x}");
                }
                p
            };
            let role = admin::add_till(&client, &id, &shop, &password).await.map_err(fail)?;
            let (_, rest) = target.url.split_once('@').unwrap_or(("", &target.url));
            println!("till {id} of {shop} added. At that till, a manager runs:");
            println!("  airtill chain link --till {id} --url postgres://{role}@{rest}{}", target.ca_file.as_ref().map(|c| format!(" --ca {}", c.display())).unwrap_or_default());
            println!("and gives this password (shown once; it is the till's alone):");
            println!("  {password}");
        }
        HeadOfficeCommand::Tills => {
            for t in admin::status(&client).await.map_err(fail)? {
                let chain = match t.first_broken {
                    None => "chain verifies".to_string(),
                    Some(n) => format!("CHAIN BROKEN at record {n}"),
                };
                let contact = t.last_contact_s.map(|s| format!("{s} s ago")).unwrap_or_else(|| "never".into());
                println!("{:<20} {:<24} {:>9} records ({} waiting)  last contact {contact:<14} {chain}", t.till_id, t.shop, t.records, t.waiting);
                for p in &t.problems {
                    println!("    problem: {p}");
                }
            }
        }
        HeadOfficeCommand::Clear { till } => {
            let n = admin::clear_problems(&client, &till).await.map_err(fail)?;
            println!("{} of till {till} marked dealt with", airtill_app::words::count(n as i64, "problem"));
        }
        HeadOfficeCommand::People { op } => {
            let pepper = admin::pepper(&client).await.map_err(fail)?;
            let pin_for = |given: Option<String>, manager: bool, whose: &str| -> Result<String, AppError> {
                let (p, again) = new_pin_or_prompt(given, whose)?;
                if p != again {
                    return Err(AppError::BadInput("The two PINs differ. Type the same PIN twice.".into()));
                }
                airtill_app::chain_pin_hash(&pepper, manager, &p)
            };
            match op {
                HeadOfficePeople::List => {
                    for p in admin::people(&client).await.map_err(fail)? {
                        println!("{:>4}  {:<24} {:<8} {}", p.person_id, p.name, p.role, if p.active { "" } else { "disabled" });
                    }
                }
                HeadOfficePeople::Add { name, role, new_pin, keep_pin } => {
                    let role = airtill_app::parse_role(&role)?;
                    let manager = role == airtill_app::PersonRole::Manager;
                    let hash = pin_for(new_pin, manager, &format!("{}'s", name.trim()))?;
                    let d = admin::Decision::AddPerson { name: name.trim().to_string(), role: if manager { "manager" } else { "cashier" }.into(), pin_hash: hash, must_change_pin: !keep_pin };
                    decided(admin::decide(&mut client, &d).await.map_err(fail)?);
                }
                HeadOfficePeople::Disable { name } => {
                    let p = admin::person_named(&client, &name).await.map_err(fail)?;
                    decided(admin::decide(&mut client, &admin::Decision::Disable { person_id: p.person_id }).await.map_err(fail)?);
                }
                HeadOfficePeople::Enable { name } => {
                    let p = admin::people(&client)
                        .await
                        .map_err(fail)?
                        .into_iter()
                        .find(|p| p.name.eq_ignore_ascii_case(name.trim()))
                        .ok_or_else(|| AppError::BadInput(format!("The chain has nobody called \"{}\".", name.trim())))?;
                    decided(admin::decide(&mut client, &admin::Decision::Enable { person_id: p.person_id }).await.map_err(fail)?);
                }
                HeadOfficePeople::Rename { name, to } => {
                    let p = admin::person_named(&client, &name).await.map_err(fail)?;
                    decided(admin::decide(&mut client, &admin::Decision::Rename { person_id: p.person_id, name: to }).await.map_err(fail)?);
                }
                HeadOfficePeople::Pin { name, new_pin } => {
                    let p = admin::person_named(&client, &name).await.map_err(fail)?;
                    let hash = pin_for(new_pin, p.role == "manager", "Their")?;
                    decided(admin::decide(&mut client, &admin::Decision::Pin { person_id: p.person_id, pin_hash: hash, must_change_pin: true }).await.map_err(fail)?);
                }
            }
        }
        HeadOfficeCommand::KeepPins { days } => decided(admin::decide(&mut client, &admin::Decision::PinKeepDays(days)).await.map_err(fail)?),
        HeadOfficeCommand::WalletWarning { below, never } => {
            let minor = match (below, never) {
                (Some(_), true) | (None, false) => return Err(AppError::BadInput("Say --below AMOUNT, or --never.".into())),
                (None, true) => None,
                (Some(a), false) => Some(
                    airtill_app::domain::Money::parse(a.trim(), airtill_app::domain::Currency::ZAR)
                        .map_err(|_| AppError::BadInput(format!("'{a}' is not an amount in rand. Write it like 500 or 1500.00.")))?
                        .minor,
                ),
            };
            decided(admin::decide(&mut client, &admin::Decision::WalletWarning(minor)).await.map_err(fail)?);
        }
        HeadOfficeCommand::Routes { routes } => {
            let mut map = std::collections::BTreeMap::new();
            for r in &routes {
                let (key, providers) = r.split_once('=').ok_or_else(|| AppError::BadInput(format!("'{r}' is not KEY=providers, like MTN/pinned/voucher=smartcall,aat.")))?;
                airtill_app::check_route_key(key)?;
                let list: Vec<String> = providers.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
                if list.iter().any(|p| !["smartcall", "aat", "mx"].contains(&p.as_str())) {
                    return Err(AppError::BadInput(format!("'{providers}': the providers are smartcall, aat and mx.")));
                }
                map.insert(key.to_string(), list);
            }
            decided(admin::decide(&mut client, &admin::Decision::Routes(map)).await.map_err(fail)?);
        }
    }
    Ok(())
}

fn print_reconciliation(r: &airtill_app::Reconciliation) -> Result<(), AppError> {
    println!("reconciliation with {} for {} to {}: {} sales checked", r.provider, r.from_date, r.to_date, r.sales_checked);
    println!("{:<20} {:>10} {:>12} {:>10} {:>12}", "network", "till", "", "provider", "");
    for n in &r.networks {
        println!("{:<20} {:>10} {:>12} {:>10} {:>12}  {}", n.network, n.till_count, n.till_value.to_string(), n.provider_count, n.provider_value.to_string(), if n.matches { "ok" } else { "DIFFERS" });
    }
    for (label, m) in [("opening", r.provider_opening), ("deposits", r.provider_deposits), ("closing", r.provider_closing)] {
        if let Some(m) = m {
            println!("provider wallet {label}: {m}");
        }
    }
    for m in &r.mismatches {
        let receipt = m.receipt_no.map(|n| format!("receipt {n:06} ")).unwrap_or_default();
        println!("- {}: {receipt}{} {}: {}", m.kind.words(), m.network, m.amount, m.explanation);
        if let Some(c) = &m.client_ref {
            println!("    client reference {c}{}", m.provider_ref.as_deref().map(|p| format!(", Smartload reference {p}")).unwrap_or_default());
        }
    }
    if let Some(n) = &r.note {
        println!("{n}");
    }
    if r.clean {
        println!("everything matches");
    } else {
        return Err(AppError::BadInput(format!("{} found", airtill_app::words::count(r.mismatches.len().max(1) as i64, "difference"))));
    }
    Ok(())
}

/// A new PIN: the one given, else typed twice at a prompt without echo.
fn new_pin_or_prompt(given: Option<String>, whose: &str) -> Result<(String, String), AppError> {
    if let Some(p) = given.filter(|p| !p.is_empty()) {
        return Ok((p.clone(), p));
    }
    let first = pin_or_prompt(&None, &format!("{whose} new PIN: "))?;
    let again = pin_or_prompt(&None, &format!("{whose} new PIN again: "))?;
    Ok((first, again))
}

/// `--out` never replaces a file unless `--force` says so (a slip or sheet holds PINs;
/// a report is the books): refused before anything is asked or written.
fn never_overwrite(out: &std::path::Path, force: bool) -> Result<(), AppError> {
    if out.exists() && !force {
        return Err(AppError::BadInput(format!("{} is there already: choose another name, or add --force to replace it.", out.display())));
    }
    Ok(())
}

fn login(app: &Airtill, pin: &Option<String>) -> Result<Session, AppError> {
    let s = match USER.get().cloned().flatten() {
        Some(name) => {
            let id = app.person_named(&name)?;
            app.login_as(id, &pin_or_prompt(pin, &format!("{name}'s PIN: "))?)?
        }
        None => app.login(&pin_or_prompt(pin, "PIN: ")?)?,
    };
    if s.must_change_pin {
        eprintln!("airtill: {}: your PIN is one others know. Choose a new one: airtill people pin", s.name);
    }
    Ok(s)
}

async fn command(app: &Airtill, command: Command) -> Result<(), AppError> {
    match command {
        Command::Setup(_) => unreachable!("handled before the app opens"),
        Command::People { pin, op } => people(app, &pin, op).await?,
        Command::HeadOffice { .. } => unreachable!("handled before the app opens"),
        Command::Chain { pin, op } => chain(app, &pin, op).await?,
        Command::KeepPins { days, pin } => {
            let s = login(app, &pin)?;
            s.require_manager()?;
            let d = match days {
                Some(d) => app.set_pin_keep_days(&s, d)?,
                None => app.pin_keep_days()?,
            };
            println!("voucher PINs are kept {} for reprints, then asked of the provider", airtill_app::words::count(d, "day"));
        }
        Command::Status => {
            let s = app.status(None)?;
            println!("shop: {}\ntill: {}\nmode: {}\ndata: {}\nversion: {}", s.shop_name, s.till_id, if s.training { "TRAINING" } else { "live" }, app.data_dir().display(), s.version);
        }
        Command::Catalog { network, pin } => {
            let s = login(app, &pin)?;
            for n in app.catalog(&s, true).await?.networks {
                if network.as_deref().is_some_and(|w| !n.name.eq_ignore_ascii_case(w)) {
                    continue;
                }
                println!("{} (network {})", n.name, n.id);
                for g in n.groups {
                    println!("  {}", g.name);
                    for p in g.products {
                        let price = p.fixed.map(|m| m.to_string()).unwrap_or_else(|| format!("{} to {}", p.min, p.max));
                        println!("    {:>6}  {}  {}{}", p.id, p.name, price, if p.pinned { "  (PIN)" } else { "" });
                    }
                }
            }
        }
        Command::Sell { pin, product, to, amount, approve_pin } => {
            let s = login(app, &pin)?;
            let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: product, recipient: to, amount, override_pin: approve_pin };
            let sale = app.sell(&s, &req).await?;
            println!("sale {} receipt {:06}: {} {} to {}", sale.id, sale.receipt_no, sale.product_name, sale.amount_text, sale.recipient);
            println!("state: {} - {}", sale.state.word(), sale.state_text);
            if let Some(p) = &sale.voucher_pin {
                println!("PIN: {p}");
            }
            if let Some(d) = &sale.dial_string {
                println!("dial: {d}");
            }
            if let Some(r) = &sale.provider_ref {
                println!("Smartload reference: {r}");
            }
            if let Some(e) = &sale.error {
                println!("{e}");
            }
            if let Some(n) = sale.stock_offer {
                println!("{n} of these vouchers are in stock: airtill stock sell --product {product}");
            }
            if sale.state == airtill_domain::SaleState::Failed {
                return Err(AppError::BadInput("the sale was not made".into()));
            }
        }
        Command::Sheet { pin, sales, out, force, print } => {
            if let Some(o) = &out {
                never_overwrite(o, force)?;
            }
            let s = login(app, &pin)?;
            let f = if print { app.print_voucher_sheet(&s, &sales).await? } else { app.voucher_sheet(&s, &sales, out)? };
            println!("{} on {}", airtill_app::words::count(sales.len() as i64, "voucher"), f.path);
        }
        Command::Decide { pin, sale, outcome, reason, manager_pin } => {
            let s = login(app, &pin)?;
            let sold = match outcome.as_str() {
                "sold" => true,
                "not-sold" => false,
                other => return Err(AppError::BadInput(format!("'{other}' is not a decision: write sold or not-sold."))),
            };
            let v = app.decide_sale(&s, sale, &manager_pin, sold, &reason).await?;
            println!("sale {} receipt {:06}: {} - {}", v.id, v.receipt_no, v.state.word(), v.state_text);
        }
        Command::Stock { pin, op } => {
            let s = login(app, &pin)?;
            let show = |o: &airtill_app::StockOrderView| {
                println!("order {}: {} x {} from {} - {} ({})", o.id, o.quantity, o.product_name, o.provider_label, o.state, o.state_text);
                if let Some(m) = &o.message {
                    println!("  {m}");
                }
            };
            match op {
                None => {
                    for l in app.stock_levels(&s)? {
                        println!(
                            "{:<10} {:<8} {:>9}  {:>4} in stock{}  {:>4} sold  {:>4} expired{}",
                            l.network_name,
                            l.kind,
                            l.amount.to_string(),
                            l.available,
                            if l.low { " (low)" } else { "" },
                            l.sold,
                            l.expired,
                            l.next_expiry.map(|d| format!("  first expiry {d}")).unwrap_or_default()
                        );
                    }
                    if s.role == airtill_store::Role::Manager {
                        for o in app.stock_orders(&s)?.iter().take(20) {
                            show(o);
                        }
                    }
                }
                Some(StockCommand::Buy { provider, product, quantity }) => {
                    let Some(provider) = airtill_app::ProviderId::parse(&provider) else {
                        return Err(airtill_app::AppError::BadInput(format!("Vouchers are bought from smartcall or aat, not '{}'.", provider.trim())));
                    };
                    let req = airtill_app::StockOrderRequest { request_id: uuid::Uuid::new_v4().to_string(), provider, product_id: product, quantity };
                    let o = app.buy_stock(&s, &req).await?;
                    show(&o);
                    if o.state == airtill_domain::StockOrderState::Failed {
                        return Err(AppError::BadInput("nothing was bought".into()));
                    }
                }
                Some(StockCommand::Finish { order }) => show(&app.finish_stock_order(&s, order).await?),
                Some(StockCommand::Sell { product, to }) => {
                    let req = SaleRequest { request_id: uuid::Uuid::new_v4().to_string(), product_id: product, recipient: to, amount: None, override_pin: None };
                    let sale = app.sell_from_stock(&s, &req).await?;
                    println!("sale {} receipt {:06}: {} {} from stock", sale.id, sale.receipt_no, sale.product_name, sale.amount_text);
                    if let Some(p) = &sale.voucher_pin {
                        println!("PIN: {p}");
                    }
                    if let Some(d) = &sale.dial_string {
                        println!("dial: {d}");
                    }
                    if let Some(t) = &sale.ticket_number {
                        println!("serial: {t}");
                    }
                }
            }
        }
        Command::SystemPrinter { pin, queue } => {
            let s = login(app, &pin)?;
            let q = match queue.as_str() {
                "off" => app.set_system_printer(&s, None)?,
                "default" => app.set_system_printer(&s, Some(""))?,
                q => app.set_system_printer(&s, Some(q))?,
            };
            println!(
                "system printer: {}",
                match q.as_deref() {
                    None => "off",
                    Some("") => "the default printer",
                    Some(q) => q,
                }
            );
        }
        Command::UkCredit { pin, to, amount } => {
            let s = login(app, &pin)?;
            let req = airtill_app::UkCreditRequest { request_id: uuid::Uuid::new_v4().to_string(), recipient: to, amount, override_pin: None };
            let sale = app.sell_uk_credit(&s, &req).await?;
            println!("sale {} receipt {:06}: {} {} to {}", sale.id, sale.receipt_no, sale.product_name, sale.amount_text, sale.recipient);
            println!("state: {} - {}", sale.state.word(), sale.state_text);
            if let Some(r) = &sale.provider_ref {
                println!("MX credit id: {r}");
            }
            if let Some(e) = &sale.error {
                println!("{e}");
            }
        }
        Command::MobileBalance { pin, to } => {
            let s = login(app, &pin)?;
            let b = app.mobile_balance(&s, &to).await?;
            println!("{} ({}, {})", b.chargeable, b.account_type, b.account_status);
        }
        Command::MobileCheck { pin, payment } => {
            let s = login(app, &pin)?;
            let p = app.check_mobile_payment(&s, payment).await?;
            println!("payment {}: {} for {} - {} {}", p.id, p.amount, p.covers, p.state, p.state_text);
            if p.state.is_open() {
                return Err(AppError::BadInput(format!("payment {} is not confirmed yet", p.id)));
            }
        }
        Command::MobileRate { pin, rate } => {
            let s = login(app, &pin)?;
            match rate {
                Some(r) => println!("{}", app.set_mobile_rate(&s, Some(&r))?.unwrap_or_else(|| "no rate: the mobile-balance tender is not offered".into())),
                None => {
                    s.require_manager()?;
                    match app.mobile_rate()? {
                        Some(r) => println!("Rs {} per R1", airtill_domain::money::format_minor(r, airtill_domain::money::FINE_DIGITS)),
                        None => println!("no rate: the mobile-balance tender is not offered"),
                    }
                }
            }
        }
        Command::MobilePay { pin, from, amount } => {
            let s = login(app, &pin)?;
            let q = app.mobile_quote(&s, &amount)?;
            println!("{} at {}: the customer's mobile balance is charged {}", q.covers, q.rate_text, q.charge);
            let req = airtill_app::MobilePaymentRequest { request_id: uuid::Uuid::new_v4().to_string(), subscriber: from, amount };
            let p = app.take_mobile_payment(&s, &req).await?;
            println!("payment {}: {} for {} from {} - {} {}", p.id, p.amount, p.covers, p.subscriber, p.state, p.state_text);
            if let Some(e) = &p.error {
                println!("{e}");
            }
        }
        Command::Listener { pin, state, bind, port, token } => {
            let s = login(app, &pin)?;
            let v = match state.as_str() {
                "on" => app.set_listener(&s, true, bind.as_deref(), port, token.as_deref()).await?,
                "off" => app.set_listener(&s, false, None, None, None).await?,
                "show" => app.listener_status(&s)?,
                other => return Err(AppError::BadInput(format!("'{other}': say on, off or show."))),
            };
            println!("listener {} on {}:{}", if v.on { "ON" } else { "off" }, v.bind, v.port);
            if let (Some(m), Some(a)) = (&v.mx_url, &v.aat_url) {
                println!("MX notifications: {m}\nAAT call-backs:   {a}");
                println!("(the listener runs while this command runs; in the app it runs with the app)");
            }
        }
        Command::Notifications { pin, open } => {
            let s = login(app, &pin)?;
            for n in app.notifications(&s, open)? {
                println!(
                    "{}  {:<4} {:<36} {:<10} {:<13} sale {:<6} {}",
                    n.received_at,
                    n.provider,
                    n.reference,
                    n.state,
                    n.effect,
                    n.sale_id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                    n.explanation
                );
            }
        }
        Command::Sales { pin } => {
            let s = login(app, &pin)?;
            for sale in app.sales_today(&s)? {
                println!(
                    "{:06}  {}  {:<10}  {:<28} {:>9}  {}  ref {}",
                    sale.receipt_no,
                    sale.created_at,
                    sale.state.word(),
                    sale.product_name,
                    sale.amount_text,
                    sale.recipient,
                    sale.provider_ref.unwrap_or_default()
                );
            }
        }
        Command::Check { pin, receipt, sale } => {
            let s = login(app, &pin)?;
            let v = match (receipt, sale) {
                (Some(r), None) => app.check_receipt(&s, &r).await?,
                (None, Some(id)) => app.check_sale(&s, id).await?,
                _ => return Err(AppError::BadInput("Give the receipt number (airtill check 000042) or --sale ID, one of them.".into())),
            };
            println!("receipt {:06}: {} - {}", v.receipt_no, v.state.word(), v.state_text);
            println!("{} {} to {}, {}", v.network_name, v.product_name, v.recipient, v.amount_text);
            if let Some(r) = &v.provider_ref {
                println!("{}: {r}", airtill_app::provider_ref_title(v.provider.as_str()));
            }
            if let Some(e) = &v.error {
                println!("{e}");
            }
            if matches!(v.state, airtill_domain::SaleState::Pending | airtill_domain::SaleState::InDoubt | airtill_domain::SaleState::Submitting) {
                return Err(AppError::BadInput(format!("receipt {:06} is not final yet; Airtill keeps asking", v.receipt_no)));
            }
        }
        Command::TimeZone { pin, set } => {
            let s = login(app, &pin)?;
            s.require_manager()?;
            match set {
                Some(name) => println!("the shop's days are now in {}", app.set_time_zone(&s, &name)?),
                None => println!("{}", app.time_zone()),
            }
        }
        Command::Unresolved { pin } => {
            let s = login(app, &pin)?;
            let waiting = app.waiting_sales(&s)?;
            if waiting.is_empty() {
                println!("nothing is waiting");
            }
            for v in waiting {
                println!("{:06}  {}  {:<9} {} {} to {}, {}", v.receipt_no, v.created_at, v.state.word(), v.network_name, v.product_name, v.recipient, v.amount_text);
            }
        }
        Command::Provider { provider: ProviderCommand::Smartcall { op } } => smartcall(app, op).await?,
        Command::Routes { pin, key, providers } => {
            let s = login(app, &pin)?;
            let v = match key {
                Some(k) => app.set_route(&s, &k, &providers)?,
                None => app.engine_settings(&s)?,
            };
            println!("providers: {}", v.providers.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "));
            if v.routes.is_empty() {
                println!("no routes: every provider is tried, in that order");
            }
            for r in v.routes {
                println!("{:<32} {}", r.kind_key, r.providers.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" -> "));
            }
        }
        Command::PendingCancel { pin, minutes } => {
            let s = login(app, &pin)?;
            let m = match minutes.trim() {
                "off" | "never" | "0" => None,
                t => Some(t.parse::<u32>().map_err(|_| AppError::BadInput("Give a number of minutes, or off.".into()))?),
            };
            let v = app.set_pending_cancel_minutes(&s, m)?;
            match v.pending_cancel_minutes {
                Some(m) => println!("pending sales are cancelled after {m} minutes where the provider allows it"),
                None => println!("pending sales are never cancelled automatically"),
            }
        }
        Command::Report { pin, kind, format, paper, out, force } => {
            if let Some(o) = &out {
                never_overwrite(o, force)?;
            }
            let s = login(app, &pin)?;
            let report = match kind {
                ReportCommand::X => app.x_report_with_wallets(&s).await?,
                ReportCommand::Z { number: Some(n) } => app.z_report_by_no(&s, n)?,
                ReportCommand::Z { number: None } => app.z_report(&s).await?,
                ReportCommand::Period { from, to } => app.period_report(&s, &from, &to)?,
            };
            let a4 = match paper.as_str() {
                "a4" | "A4" => true,
                "80mm" | "80" => false,
                other => return Err(AppError::BadInput(format!("'{other}' is not a paper: use a4 or 80mm."))),
            };
            let bytes = match format.as_str() {
                "text" => {
                    let paper = if a4 { airtill_print::Paper::A4 } else { airtill_print::Paper::Roll(airtill_print::Roll::Mm80) };
                    use std::io::Write;
                    let mut stdout = std::io::stdout().lock();
                    for (_, _, l) in airtill_app::report_export::report_lines(&report, paper) {
                        // A closed pipe (`| head`) ends the listing quietly.
                        if writeln!(stdout, "{l}").is_err() {
                            break;
                        }
                    }
                    None
                }
                "pdf" => Some(airtill_app::report_export::report_pdf(&report, a4)),
                "csv" => Some(airtill_app::report_export::report_csv(&report).into_bytes()),
                other => return Err(AppError::BadInput(format!("'{other}' is not a format: use text, pdf or csv."))),
            };
            if let Some(bytes) = bytes {
                let out = out.ok_or_else(|| AppError::BadInput("Say where to write it: --out FILE.".into()))?;
                std::fs::write(&out, bytes).map_err(|e| AppError::Io(format!("{} could not be written: {e}", out.display())))?;
                println!("{} written to {}", airtill_app::report_export::title(&report), out.display());
            }
        }
        Command::Shift { pin, op } => {
            let s = login(app, &pin)?;
            match op {
                ShiftCommand::Open { float } => print_shift(&app.open_shift(&s, &float)?),
                ShiftCommand::Show => match app.my_shift(&s)? {
                    Some(v) => print_shift(&v),
                    None => println!("no open shift"),
                },
                ShiftCommand::Close { counts, shift } => {
                    let counts = counts.iter().map(|c| parse_count(c)).collect::<Result<Vec<_>, _>>()?;
                    match shift {
                        Some(id) => print_shift(&app.close_shift_of(&s, id, &counts)?),
                        None => print_shift(&app.close_shift(&s, &counts)?),
                    }
                }
                ShiftCommand::List => {
                    let open = app.open_shifts(&s)?;
                    if open.is_empty() {
                        println!("no open shifts");
                    }
                    open.iter().for_each(print_shift);
                }
            }
        }
        Command::Reconcile { pin, date, to, provider } => {
            let s = login(app, &pin)?;
            let to = to.unwrap_or_else(|| date.clone());
            let r = app.reconcile_with(&s, &provider, &date, &to).await?;
            print_reconciliation(&r)?;
        }
        Command::Doctor { pin } => {
            let s = login(app, &pin)?;
            let checks = app.doctor(&s).await?;
            for c in &checks {
                let mark = match c.status {
                    airtill_app::doctor::CheckStatus::Ok => "ok  ",
                    airtill_app::doctor::CheckStatus::Warning => "WARN",
                    airtill_app::doctor::CheckStatus::Failed => "FAIL",
                };
                println!("[{mark}] {:<22} {}", c.name, c.detail);
            }
            let failed = checks.iter().filter(|c| c.status == airtill_app::doctor::CheckStatus::Failed).count();
            if failed > 0 {
                return Err(AppError::BadInput(format!("{} failed", airtill_app::words::count(failed as i64, "check"))));
            }
        }
        Command::Backup { pin, out } => {
            let s = login(app, &pin)?;
            app.backup(&s, &out)?;
            println!("backup written to {}", out.display());
        }
        Command::Restore { .. } => unreachable!("handled before the app opens"),
        Command::Print { pin, sale, manager_pin } => {
            let s = login(app, &pin)?;
            let f = app.print_slip(&s, sale, manager_pin.as_deref()).await?;
            println!("printed on {}", f.path);
        }
        Command::QuickKeys { pin, products } => {
            let s = login(app, &pin)?;
            let ids = app.products_named(&products).await?;
            let keys = app.set_quick_keys(&s, &ids).await?;
            if products.is_empty() {
                println!("quick keys: the till's best sellers");
            }
            for k in keys {
                println!("  {}  {}{}", k.key, k.product.name, if k.pinned_by_manager { "" } else { " (best seller)" });
            }
        }
        Command::Printer { pin, target, roll } => {
            let s = login(app, &pin)?;
            let target = (!target.eq_ignore_ascii_case("none")).then_some(target);
            match app.set_receipt_printer(&s, target.as_deref(), roll)? {
                Some(t) => println!("receipt printer: {t} ({roll} mm)"),
                None => println!("no receipt printer: slips are saved as PDF"),
            }
        }
        Command::Slip { pin, sale, out, force, manager_pin } => {
            never_overwrite(&out, force)?;
            let s = login(app, &pin)?;
            let f = app.save_slip(&s, sale, Some(out), manager_pin.as_deref()).await?;
            println!("{}", f.path);
        }
    }
    Ok(())
}

async fn smartcall(app: &Airtill, op: SmartcallOp) -> Result<(), AppError> {
    match op {
        SmartcallOp::Ping => println!("{}", app.smartcall_ping().await?),
        SmartcallOp::Balance { pin } => {
            println!("{}", app.smartcall_balance(&login(app, &pin)?).await?)
        }
        SmartcallOp::Health { pin } => {
            let all = app.smartcall_health(&login(app, &pin)?).await?;
            for n in &all {
                println!("{:<8} {}", n.key, n.status);
            }
            if all.iter().any(|n| !n.up) {
                return Err(AppError::Provider { class: airtill_providers::ErrorClass::Transient, message: "a network is down".into() });
            }
        }
        SmartcallOp::Token { pin } => println!("available tokens: {}", app.smartcall_tokens(&login(app, &pin)?).await?),
        SmartcallOp::Networks { pin } => {
            for n in app.smartcall_networks(&login(app, &pin)?).await? {
                println!("{:>4}  {:<28} {:>4} products  ({})", n.id, n.name, n.products, n.product_types.join(", "));
            }
        }
        SmartcallOp::Tx { client_ref, pin } => {
            let t = app.smartcall_transaction(&login(app, &pin)?, &client_ref).await?;
            println!("client reference:    {}", t.client_reference);
            println!("status:              {} ({})", t.status, t.status_text);
            println!("Smartload reference: {}", t.smartload_reference.unwrap_or_default());
            println!("product:             {}", t.product.unwrap_or_default());
            println!("recipient:           {}", t.recipient.unwrap_or_default());
            println!("amount:              {}", t.amount.map(|m| m.to_string()).unwrap_or_default());
            println!("cost:                {}", t.cost.map(|m| m.to_string()).unwrap_or_default());
            if let Some(p) = t.voucher_pin_masked {
                println!("voucher PIN:         {p}");
            }
            match (t.local_sale, t.local_state) {
                (Some(id), Some(state)) => println!("this till:           sale {id}, {}", state.word()),
                _ => println!("this till:           no sale with this reference"),
            }
        }
    }
    Ok(())
}
