//! The TypeScript bindings of the commands and their payloads, generated from the Rust
//! types into `ui/src/lib/bindings.ts`. The test `bindings_are_fresh` fails when the
//! committed file differs; `make bindings` writes it again.

use airtill_app::*;
use ts_rs::{Config, TS};

/// One command: its name, its arguments (Rust name, TS type) and its result type.
pub struct CommandSpec {
    pub name: &'static str,
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

/// The commands, as `commands!` in `commands.rs` declares them.
pub fn commands(cfg: &Config) -> Vec<CommandSpec> {
    crate::commands::specs(cfg)
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
        ErrorCode::decl(&cfg),
        ErrorPayload::decl(&cfg),
        LoginPerson::decl(&cfg),
        UserView::decl(&cfg),
        AppStatus::decl(&cfg),
        NumberInfo::decl(&cfg),
        ProductKind::decl(&cfg),
        ProviderId::decl(&cfg),
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
        ShiftStatus::decl(&cfg),
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
        let params: Vec<String> = c.args.iter().map(|(n, t)| format!("{}: {t}", camel(n))).collect();
        let body = if c.args.is_empty() {
            format!("invoke<{}>(\"{}\")", c.returns, c.name)
        } else {
            let names: Vec<String> = c.args.iter().map(|(n, _)| camel(n)).collect();
            format!("invoke<{}>(\"{}\", {{ {} }})", c.returns, c.name, names.join(", "))
        };
        out.push_str(&format!("export const {} = ({}): Promise<{}> =>\n  {};\n", camel(c.name), params.join(", "), c.returns, body));
    }
    out
}
