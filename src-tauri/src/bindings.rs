//! The TypeScript bindings of the commands and their payloads, generated from the Rust
//! types into `ui/src/lib/bindings.ts`. The test `bindings_are_fresh` fails when the
//! committed file differs; `make bindings` writes it again.

use airtill_app::*;
use ts_rs::{Config, TS};

/// One command: its name, its arguments (JS name, TS type) and its result type.
pub struct CommandSpec {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

pub fn commands(cfg: &Config) -> Vec<CommandSpec> {
    let c = |name, args: Vec<(&'static str, String)>, returns: String| CommandSpec { name, args, returns };
    vec![
        c("status", vec![], AppStatus::name(cfg)),
        c("login", vec![("person", "number".into()), ("pin", "string".into())], UserView::name(cfg)),
        c("login_people", vec![], format!("Array<{}>", LoginPerson::name(cfg))),
        c("unlock_person", vec![("person", "number".into())], "null".into()),
        c("pin_keep_days", vec![], "number".into()),
        c("set_pin_keep_days", vec![("days", "number".into())], "number".into()),
        c("logout", vec![], "null".into()),
        c("lookup_number", vec![("input", "string".into())], NumberInfo::name(cfg)),
        c("catalog", vec![("refresh", "boolean".into())], CatalogView::name(cfg)),
        c("sell", vec![("request", SaleRequest::name(cfg))], SaleView::name(cfg)),
        c("check_sale", vec![("saleId", "number".into())], SaleView::name(cfg)),
        c("get_sale", vec![("saleId", "number".into())], SaleView::name(cfg)),
        c("sales_today", vec![], format!("Array<{}>", SaleView::name(cfg))),
        c("save_slip", vec![("saleId", "number".into()), ("managerPin", "string | null".into())], SlipFile::name(cfg)),
        c("open_slip", vec![("saleId", "number".into()), ("managerPin", "string | null".into())], SlipFile::name(cfg)),
        c("print_slip", vec![("saleId", "number".into()), ("managerPin", "string | null".into())], SlipFile::name(cfg)),
        c("set_receipt_printer", vec![("target", "string | null".into()), ("rollMm", "number".into())], "string | null".into()),
        c("wallets", vec![], format!("Array<{}>", WalletView::name(cfg))),
        c("set_wallet_warning", vec![("amount", "string | null".into())], format!("{} | null", domain::Money::name(cfg))),
        c("reveal_pin", vec![("saleId", "number".into()), ("managerPin", "string".into())], SaleView::name(cfg)),
        c("cancel_sale", vec![("saleId", "number".into()), ("managerPin", "string".into())], SaleView::name(cfg)),
        c("set_idle_lock_minutes", vec![("minutes", "number".into())], "number".into()),
        c("wallet_balance", vec![], domain::Money4::name(cfg)),
        c("network_health", vec![], format!("Array<{}>", NetworkStatusView::name(cfg))),
        c("smartcall_settings", vec![], SmartcallSettingsView::name(cfg)),
        c("test_smartcall_settings", vec![("settings", SmartcallSettingsInput::name(cfg))], ConnectionTestView::name(cfg)),
        c("save_smartcall_settings", vec![("settings", SmartcallSettingsInput::name(cfg))], SmartcallSettingsView::name(cfg)),
        c("engine_settings", vec![], EngineSettingsView::name(cfg)),
        c("set_pending_cancel_minutes", vec![("minutes", "number | null".into())], EngineSettingsView::name(cfg)),
        c("set_route", vec![("kindKey", "string".into()), ("providers", "Array<string>".into())], EngineSettingsView::name(cfg)),
        c("open_shift", vec![("float", "string".into())], ShiftView::name(cfg)),
        c("my_shift", vec![], format!("{} | null", ShiftView::name(cfg))),
        c("close_shift", vec![("counts", format!("Array<{}>", DenominationCount::name(cfg)))], ShiftView::name(cfg)),
        c("x_report", vec![], Report::name(cfg)),
        c("z_report", vec![], Report::name(cfg)),
        c("z_report_by_no", vec![("zNo", "number".into())], Report::name(cfg)),
        c("z_numbers", vec![], "Array<number>".into()),
        c("period_report", vec![("from", "string".into()), ("to", "string".into())], Report::name(cfg)),
        c("export_report", vec![("query", ReportQuery::name(cfg)), ("format", "string".into()), ("paper", "string".into())], SlipFile::name(cfg)),
        c("reconcile", vec![("from", "string".into()), ("to", "string".into()), ("provider", "string | null".into())], Reconciliation::name(cfg)),
        c("chain_status", vec![], ChainStatusView::name(cfg)),
        c("test_chain_link", vec![("link", ChainLinkInput::name(cfg))], ChainTestView::name(cfg)),
        c("save_chain_link", vec![("link", ChainLinkInput::name(cfg))], ChainTestView::name(cfg)),
        c("unlink_chain", vec![], "null".into()),
        c("push_to_chain", vec![], ChainStatusView::name(cfg)),
        c("chain_tills", vec![], format!("Array<{}>", ChainTillView::name(cfg))),
        c("chain_report", vec![("query", ChainReportQuery::name(cfg))], ChainReport::name(cfg)),
        c("chain_reconcile", vec![("from", "string".into()), ("to", "string".into())], Reconciliation::name(cfg)),
        c("doctor", vec![], format!("Array<{}>", Check::name(cfg))),
        c("list_users", vec![], format!("Array<{}>", UserView::name(cfg))),
        c("add_user", vec![("name", "string".into()), ("role", "string".into()), ("pin", "string".into())], UserView::name(cfg)),
        c("sell_uk_credit", vec![("request", UkCreditRequest::name(cfg))], SaleView::name(cfg)),
        c("sell_paid_by_mobile", vec![("request", SaleRequest::name(cfg)), ("paymentId", "number".into())], SaleView::name(cfg)),
        c("mobile_balance", vec![("subscriber", "string".into())], MobileBalanceView::name(cfg)),
        c("report_wallets", vec![], format!("Array<{}>", WalletLine::name(cfg))),
        c("mobile_quote", vec![("amount", "string".into())], MobileQuoteView::name(cfg)),
        c("mobile_rate", vec![], "string | null".into()),
        c("set_mobile_rate", vec![("rate", "string | null".into())], "string | null".into()),
        c("take_mobile_payment", vec![("request", MobilePaymentRequest::name(cfg))], MobilePaymentView::name(cfg)),
        c("check_mobile_payment", vec![("paymentId", "number".into())], MobilePaymentView::name(cfg)),
        c("listener_status", vec![], ListenerView::name(cfg)),
        c("set_listener", vec![("on", "boolean".into()), ("bind", "string | null".into()), ("port", "number | null".into()), ("token", "string | null".into())], ListenerView::name(cfg)),
        c("notifications", vec![("openOnly", "boolean".into())], format!("Array<{}>", NotificationView::name(cfg))),
        c("confirm_network", vec![("input", "string".into())], NetworkCheckView::name(cfg)),
        c("waiting_sales", vec![], format!("Array<{}>", SaleView::name(cfg))),
        c("search_sales", vec![("query", SaleSearch::name(cfg))], format!("Array<{}>", SaleView::name(cfg))),
        c("check_meter", vec![("productId", "number".into()), ("meter", "string".into()), ("amount", "string".into())], MeterCheckView::name(cfg)),
        c("sell_electricity", vec![("request", ElectricityRequest::name(cfg))], SaleView::name(cfg)),
        c("query_bill", vec![("productId", "number | null".into()), ("boxOffice", "boolean".into()), ("reference", "string".into())], BillAccountView::name(cfg)),
        c("pay_bill", vec![("request", BillRequest::name(cfg))], SaleView::name(cfg)),
        c("set_system_printer", vec![("queue", "string | null".into())], "string | null".into()),
        c("print_voucher_sheet", vec![("saleIds", "Array<number>".into())], SlipFile::name(cfg)),
        c("buy_stock", vec![("request", StockOrderRequest::name(cfg))], StockOrderView::name(cfg)),
        c("finish_stock_order", vec![("orderId", "number".into())], StockOrderView::name(cfg)),
        c("stock_orders", vec![], format!("Array<{}>", StockOrderView::name(cfg))),
        c("stock_levels", vec![], format!("Array<{}>", StockLevelView::name(cfg))),
        c("stock_for_product", vec![("productId", "number".into())], "number".into()),
        c("sell_from_stock", vec![("request", SaleRequest::name(cfg))], SaleView::name(cfg)),
        c("decide_sale", vec![("saleId", "number".into()), ("managerPin", "string".into()), ("sold", "boolean".into()), ("reason", "string".into())], SaleView::name(cfg)),
        c("practice_outage", vec![("offline", "boolean".into())], "boolean".into()),
        c("setup_needed", vec![], "boolean".into()),
        c("update_status", vec![], crate::updates::UpdateStatus::name(cfg)),
        c("provider_accounts", vec![], format!("Array<{}>", accounts::ProviderAccountView::name(cfg))),
        c("test_provider_account", vec![("account", accounts::ProviderAccountInput::name(cfg))], ConnectionTestView::name(cfg)),
        c("save_provider_account", vec![("account", accounts::ProviderAccountInput::name(cfg))], accounts::ProviderAccountView::name(cfg)),
        c("remove_provider_account", vec![("provider", accounts::AccountProvider::name(cfg))], accounts::ProviderAccountView::name(cfg)),
        c("test_setup_smartcall", vec![("settings", SmartcallSettingsInput::name(cfg))], ConnectionTestView::name(cfg)),
        c("complete_setup", vec![("request", SetupRequest::name(cfg))], SetupDone::name(cfg)),
        c("people", vec![], format!("Array<{}>", PersonView::name(cfg))),
        c("add_person", vec![("name", "string".into()), ("role", PersonRole::name(cfg)), ("pin", "string".into()), ("pinAgain", "string".into())], PersonView::name(cfg)),
        c("change_person", vec![("personId", "number".into()), ("change", PersonChange::name(cfg))], PersonView::name(cfg)),
        c("change_own_pin", vec![("oldPin", "string".into()), ("newPin", "string".into()), ("again", "string".into())], UserView::name(cfg)),
        c("open_shifts", vec![], format!("Array<{}>", ShiftView::name(cfg))),
        c("quick_keys", vec![], format!("Array<{}>", QuickKeyView::name(cfg))),
        c("set_quick_keys", vec![("productIds", "Array<number>".into())], format!("Array<{}>", QuickKeyView::name(cfg))),
        c("counter_totals", vec![], CounterTotals::name(cfg)),
        c("counter_settings", vec![], CounterSettingsView::name(cfg)),
        c("set_free_reprint_minutes", vec![("minutes", "number".into())], CounterSettingsView::name(cfg)),
        c("close_shift_of", vec![("shiftId", "number".into()), ("counts", format!("Array<{}>", DenominationCount::name(cfg)))], ShiftView::name(cfg)),
    ]
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for ch in name.chars() {
        if ch == '_' {
            up = true;
        } else if up {
            out.extend(ch.to_uppercase());
            up = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// The whole generated file.
pub fn render() -> String {
    let cfg = Config::new().with_large_int("number");
    let decls = [
        domain::Currency::decl(&cfg),
        domain::Money::decl(&cfg),
        domain::Money4::decl(&cfg),
        domain::StockOrderState::decl(&cfg),
        domain::PaymentState::decl(&cfg),
        domain::Network::decl(&cfg),
        domain::SaleState::decl(&cfg),
        ErrorPayload::decl(&cfg),
        LoginPerson::decl(&cfg),
        UserView::decl(&cfg),
        AppStatus::decl(&cfg),
        NumberInfo::decl(&cfg),
        ProductKind::decl(&cfg),
        CatalogView::decl(&cfg),
        NetworkView::decl(&cfg),
        ProductGroupView::decl(&cfg),
        ProductView::decl(&cfg),
        SaleRequest::decl(&cfg),
        Reprint::decl(&cfg),
        SaleView::decl(&cfg),
        QuickKeyView::decl(&cfg),
        CounterTotals::decl(&cfg),
        CounterSettingsView::decl(&cfg),
        SlipFile::decl(&cfg),
        NetworkStatusView::decl(&cfg),
        WalletView::decl(&cfg),
        SmartcallSettingsView::decl(&cfg),
        SmartcallSettingsInput::decl(&cfg),
        ConnectionTestView::decl(&cfg),
        SaleChangedEvent::decl(&cfg),
        RouteView::decl(&cfg),
        EngineSettingsView::decl(&cfg),
        ReportKind::decl(&cfg),
        ReportLine::decl(&cfg),
        RefundLine::decl(&cfg),
        ReportSale::decl(&cfg),
        ReprintLine::decl(&cfg),
        OverrideLine::decl(&cfg),
        WalletLine::decl(&cfg),
        DenominationCount::decl(&cfg),
        ShiftView::decl(&cfg),
        Report::decl(&cfg),
        ReportQuery::decl(&cfg),
        NetworkMatch::decl(&cfg),
        MismatchKind::decl(&cfg),
        Mismatch::decl(&cfg),
        Reconciliation::decl(&cfg),
        ChainLinkInput::decl(&cfg),
        ChainTestView::decl(&cfg),
        ChainLinkState::decl(&cfg),
        ChainStatusView::decl(&cfg),
        ChainReportQuery::decl(&cfg),
        ChainTillView::decl(&cfg),
        ChainReport::decl(&cfg),
        CheckStatus::decl(&cfg),
        Check::decl(&cfg),
        UkCreditRequest::decl(&cfg),
        ListenerView::decl(&cfg),
        NotificationView::decl(&cfg),
        MobileBalanceView::decl(&cfg),
        StockOrderRequest::decl(&cfg),
        StockOrderView::decl(&cfg),
        StockLevelView::decl(&cfg),
        MobileQuoteView::decl(&cfg),
        MobilePaymentRequest::decl(&cfg),
        MobilePaymentView::decl(&cfg),
        NetworkCheckView::decl(&cfg),
        SaleSearch::decl(&cfg),
        ElectricityRequest::decl(&cfg),
        MeterCheckView::decl(&cfg),
        BillAccountView::decl(&cfg),
        BillRequest::decl(&cfg),
        PersonRole::decl(&cfg),
        crate::updates::UpdateStatus::decl(&cfg),
        accounts::AccountProvider::decl(&cfg),
        accounts::ProviderAccountInput::decl(&cfg),
        accounts::ProviderAccountView::decl(&cfg),
        PersonView::decl(&cfg),
        PersonChange::decl(&cfg),
        SetupKind::decl(&cfg),
        SetupRequest::decl(&cfg),
        SetupDone::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit:\n// run `make bindings` after changing a command or a payload.\n\nimport { invoke } from \"@tauri-apps/api/core\";\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.push_str("/** The commands of the shell, one typed function each. Errors reject with an ErrorPayload. */\n");
    for c in commands(&cfg) {
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let body = if c.args.is_empty() {
            format!("invoke<{}>(\"{}\")", c.returns, c.name)
        } else {
            let names: Vec<&str> = c.args.iter().map(|(n, _)| *n).collect();
            format!("invoke<{}>(\"{}\", {{ {} }})", c.returns, c.name, names.join(", "))
        };
        out.push_str(&format!("export const {} = ({}): Promise<{}> =>\n  {};\n", camel(c.name), params.join(", "), c.returns, body));
    }
    out
}
