//! Reports on paper and in files: PDF (A4 sheets or an 80 mm roll) and CSV.

use crate::office::{Report, ReportKind, ReportLine, ReportSale};
use airtill_print::chart::BarChart;
use airtill_print::{document_pdf, document_pdf_with_charts, DocLine, Paper, Roll, Style};

/// The report's title: `Z report 3`, `X report`, `Period report`.
pub fn title(r: &Report) -> String {
    match (r.kind, r.z_no) {
        (ReportKind::Z, Some(n)) => format!("Z report {n}"),
        (ReportKind::Z, None) => "Z report".into(),
        (ReportKind::X, _) => "X report".into(),
        (ReportKind::Period, _) => "Period report".into(),
    }
}

/// A report's key as people read it on paper (`voucher` → `Vouchers`, `smartcall` →
/// `Smartcall`, `cash` → `Cash`); names (networks, cashiers) stay as they are.
fn key_words(key: &str) -> String {
    match key {
        "all" => "All sales".into(),
        "airtime" => "Airtime".into(),
        "voucher" => "Vouchers".into(),
        "data" => "Data".into(),
        "sms" => "SMS".into(),
        "electricity" => "Electricity".into(),
        "payment" => "Bills".into(),
        "other" => "Other".into(),
        "cash" => "Cash".into(),
        "mobile" => "Mobile balance".into(),
        _ => match crate::ProviderId::parse(key) {
            Some(crate::ProviderId::Stock) => "Voucher stock".into(),
            Some(p) => p.label().into(),
            None => key.to_string(),
        },
    }
}

/// A sale's state on paper (`in_doubt` → `in doubt`).
fn state_words(state: &str) -> String {
    airtill_domain::SaleState::parse(state).map_or_else(|| state.replace('_', " "), |s| s.word().to_string())
}

struct Doc {
    paper: Paper,
    lines: Vec<DocLine>,
}

impl Doc {
    fn width(&self) -> usize {
        self.paper.chars_per_line(Style::Normal)
    }
    fn push(&mut self, style: Style, centred: bool, text: impl Into<String>) {
        let text: String = text.into();
        let max = self.paper.chars_per_line(style).max(8);
        if text.chars().count() <= max {
            self.lines.push((style, centred, text));
            return;
        }
        // Wrap at spaces.
        let mut line = String::new();
        for word in text.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > max {
                self.lines.push((style, centred, std::mem::take(&mut line)));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        self.lines.push((style, centred, line));
    }
    fn rule(&mut self) {
        let n = self.width();
        self.lines.push((Style::Normal, false, "-".repeat(n)));
    }
    fn heading(&mut self, text: &str) {
        self.lines.push((Style::Normal, false, String::new()));
        self.push(Style::Bold, false, text.to_uppercase());
    }
    /// `label ..... value`, padded to the width.
    fn pair(&mut self, label: &str, value: &str) {
        let w = self.width();
        let used = label.chars().count() + value.chars().count();
        if used < w {
            self.push(Style::Normal, false, format!("{label}{}{value}", " ".repeat(w - used)));
        } else {
            self.push(Style::Normal, false, label);
            self.push(Style::Normal, false, format!("  {value}"));
        }
    }
    /// A table of figures: wide paper gets one row a key; a roll two.
    fn figures(&mut self, name: &str, lines: &[ReportLine]) {
        self.heading(name);
        if lines.is_empty() {
            self.push(Style::Normal, false, "none");
            return;
        }
        let wide = self.width() >= 70;
        if wide {
            self.push(Style::Bold, false, format!("{:<28}{:>8}{:>16}{:>16}{:>16}", "", "count", "value", "cost", "profit"));
        }
        for l in lines {
            if wide {
                let key: String = key_words(&l.key).chars().take(27).collect();
                self.push(Style::Normal, false, format!("{key:<28}{:>8}{:>16}{:>16}{:>16}", l.count, l.value.to_string(), l.cost.to_string(), l.profit.to_string()));
            } else {
                self.pair(&format!("{} x{}", key_words(&l.key), l.count), &l.value.to_string());
                self.pair("  cost / profit", &format!("{} / {}", l.cost, l.profit));
            }
        }
    }
    fn sales(&mut self, name: &str, sales: &[ReportSale]) {
        self.heading(name);
        if sales.is_empty() {
            self.push(Style::Normal, false, "none");
            return;
        }
        for s in sales {
            self.pair(&format!("#{:06} {} {}", s.receipt_no, s.created_at, state_words(&s.state)), &s.amount.to_string());
            let reference = s.provider_ref.as_deref().map(|r| format!(" ref {r}")).unwrap_or_default();
            self.push(Style::Small, false, format!("  {} {} to {} by {}{reference}", s.network, s.product, s.recipient, s.cashier));
        }
    }
}

/// The report as lines of text for `paper` (what the PDF shows, line for line).
pub fn report_lines(r: &Report, paper: Paper) -> Vec<DocLine> {
    let mut d = Doc { paper, lines: Vec::new() };
    if r.training {
        d.push(Style::Bold, true, "*** TRAINING - NOT REAL SALES ***");
    }
    d.push(Style::Big, true, &r.shop_name);
    d.push(Style::Bold, true, title(r));
    d.push(Style::Normal, true, format!("Till {}", r.till_id));
    d.push(Style::Normal, true, format!("From {} to {}", r.from, r.to));
    d.push(Style::Normal, true, format!("Produced {} by {}", r.produced_at, r.produced_by));
    if r.kind == ReportKind::X {
        d.push(Style::Small, true, "X report: for information; the day is not closed.");
    }
    d.rule();
    d.figures("Sold", &r.sold);
    d.figures("By network", &r.by_network);
    d.figures("By product type", &r.by_kind);
    d.figures("By provider", &r.by_provider);
    d.figures("By cashier", &r.by_cashier);
    d.figures("By tender", &r.by_tender);
    d.heading("Refused (nothing sold)");
    if r.failed.is_empty() {
        d.push(Style::Normal, false, "none");
    }
    for f in &r.failed {
        d.pair(&format!("{} sales", f.count), &f.value.to_string());
    }
    d.sales("Pending and in doubt (not counted as sold)", &r.unresolved);
    if !r.settled_since_last_z.is_empty() {
        d.sales("Settled since the last Z", &r.settled_since_last_z);
    }
    d.sales("Cancelled and reversed", &r.cancelled);
    if !r.refunds.is_empty() {
        d.heading("Failed, money taken: refunds");
        for f in &r.refunds {
            let state = if f.refunded { "refunded" } else { "refund due" };
            d.pair(&format!("#{:06} {} {}", f.receipt_no, f.network, f.amount), &f.cost.to_string());
            d.push(Style::Small, false, format!("  {state} {} ({} takes a failed pinless recharge's cost and refunds it then)", f.due_at, f.provider.label()));
        }
    }
    d.heading("Reprints");
    if r.reprints.is_empty() {
        d.push(Style::Normal, false, "none");
    }
    for p in &r.reprints {
        let approved = p.approved_by.as_deref().map(|m| format!(", approved by {m}")).unwrap_or_default();
        d.push(Style::Normal, false, format!("#{:06} at {} by {}{approved}", p.receipt_no, p.at, p.by));
    }
    d.heading("Manager overrides");
    if r.overrides.is_empty() {
        d.push(Style::Normal, false, "none");
    }
    for o in &r.overrides {
        let receipt = o.receipt_no.map(|n| format!(" #{n:06}")).unwrap_or_default();
        d.push(Style::Normal, false, format!("{}{receipt} by {} at {}: {}", o.kind, o.manager, o.at, o.reason));
    }
    d.heading("Provider wallets");
    if r.wallets.is_empty() {
        d.push(Style::Normal, false, "none");
    }
    for w in &r.wallets {
        let show = |m: Option<airtill_domain::Money4>| m.map_or_else(|| "unknown".to_string(), |m| m.to_string());
        d.pair(&format!("{} opening", w.provider.label()), &show(w.opening));
        d.pair(&format!("{} closing", w.provider.label()), &show(w.closing));
        d.push(Style::Small, false, format!("  closing: {}", w.closing_source));
    }
    d.heading("Shifts and cash");
    if r.shifts.is_empty() {
        d.push(Style::Normal, false, "none");
    }
    for s in &r.shifts {
        let closed = s.closed_at.as_deref().unwrap_or("still open");
        d.push(Style::Bold, false, format!("{}: {} to {}", s.cashier, s.opened_at, closed));
        d.pair("  float", &s.float.to_string());
        d.pair("  expected in the drawer", &s.expected.to_string());
        if let (Some(c), Some(v)) = (s.counted, s.variance) {
            d.pair(&format!("  counted{}", s.counted_by.as_deref().map(|m| format!(" by {m}")).unwrap_or_default()), &c.to_string());
            d.pair(&format!("  variance ({})", s.status), &v.to_string());
        }
    }
    for l in &r.cash_outside_shifts {
        d.pair(&format!("Cash sold outside any shift ({} sales, in no drawer count)", l.count), &l.value.to_string());
    }
    d.rule();
    if !r.money_note.is_empty() {
        d.push(Style::Small, false, r.money_note.clone());
    }
    if let Some(head) = &r.audit_head {
        // The chain's head at the close: the trail up to here cannot be rewritten
        // without this line on paper showing it (`airtill doctor` compares them).
        let (id, hash) = head.split_once(':').unwrap_or(("?", head));
        let hash = hash.trim_start_matches("k1:");
        d.push(Style::Small, false, format!("Audit trail at close: line {id}, {}", &hash[..hash.len().min(16)]));
    }
    d.push(Style::Small, true, format!("End of {}", title(r)));
    d.lines
}

/// The report as a PDF on A4 sheets (with the Office screen's charts) or an 80 mm roll.
pub fn report_pdf(r: &Report, a4: bool) -> Vec<u8> {
    let name = format!("Airtill {} - {}", title(r), r.till_id);
    if a4 {
        document_pdf_with_charts(&name, &report_lines(r, Paper::A4), Paper::A4, &report_charts(r))
    } else {
        let paper = Paper::Roll(Roll::Mm80);
        document_pdf(&name, &report_lines(r, paper), paper)
    }
}

fn of_currency(lines: &[ReportLine], currency: airtill_domain::Currency) -> Vec<&ReportLine> {
    lines.iter().filter(|l| l.value.currency == currency).collect()
}

/// The charts the Office screen draws for a report: sales by hour (every hour from
/// 07:00, or the first sale, to 19:00, or the last, empty ones too), by network and
/// by cashier. A chart is of one currency: the shop's (the first sold); sales in
/// another (UK credits in pounds) stay in the tables.
pub fn report_charts(r: &Report) -> Vec<BarChart> {
    let currency = r.sold.first().map_or(airtill_domain::Currency::ZAR, |s| s.value.currency);
    let others = |lines: &[ReportLine]| lines.iter().any(|l| l.value.currency != currency);
    let named = |t: &str, lines: &[ReportLine]| if others(lines) { format!("{t} ({})", currency.code()) } else { t.to_string() };
    let hours = of_currency(&r.by_hour, currency);
    let by_hour: std::collections::BTreeMap<i64, i64> = hours.iter().filter_map(|l| l.key.trim().parse::<i64>().ok().map(|h| (h, l.value.minor))).collect();
    let (mut labels, mut values) = (Vec::new(), Vec::new());
    if let (Some(first), Some(last)) = (by_hour.keys().next(), by_hour.keys().next_back()) {
        for h in (*first).min(7)..=(*last).max(19) {
            labels.push(format!("{h:02}:00"));
            values.push(by_hour.get(&h).copied().unwrap_or(0));
        }
    }
    let bars = |t: &str, lines: &[ReportLine]| {
        let mine = of_currency(lines, currency);
        BarChart { title: named(t, lines), labels: mine.iter().map(|l| l.key.clone()).collect(), values: mine.iter().map(|l| l.value.minor).collect(), currency, weight: 1 }
    };
    vec![BarChart { title: named("Sales by hour", &r.by_hour), labels, values, currency, weight: 2 }, bars("By network", &r.by_network), bars("By cashier", &r.by_cashier)]
}

/// The report as CSV: a header, then one row per figure:
/// `section,key,count,value,cost,profit,currency` with amounts as plain decimals:
/// values in cents (`12.00`), costs, profits and wallets exact to four places
/// (`14.1750`); the report's own facts as `report` rows (in `key` and `value`).
pub fn report_csv(r: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["section", "key", "count", "value", "cost", "profit", "currency"]);
    let facts = [
        (
            "kind",
            match r.kind {
                crate::ReportKind::X => "x",
                crate::ReportKind::Z => "z",
                crate::ReportKind::Period => "period",
            }
            .to_string(),
        ),
        ("z_no", r.z_no.map(|n| n.to_string()).unwrap_or_default()),
        ("shop", r.shop_name.clone()),
        ("till", r.till_id.clone()),
        ("from", r.from.clone()),
        ("to", r.to.clone()),
        ("produced_at", r.produced_at.clone()),
        ("produced_by", r.produced_by.clone()),
        ("training", r.training.to_string()),
    ];
    for (k, v) in facts {
        let _ = w.write_record(["report", k, "", &v, "", "", ""]);
    }
    let sections: [(&str, &Vec<ReportLine>); 9] = [
        ("sold", &r.sold),
        ("network", &r.by_network),
        ("product_type", &r.by_kind),
        ("provider", &r.by_provider),
        ("cashier", &r.by_cashier),
        ("tender", &r.by_tender),
        ("hour", &r.by_hour),
        ("failed", &r.failed),
        ("cash_outside_shifts", &r.cash_outside_shifts),
    ];
    for (name, lines) in sections {
        for l in lines {
            let _ = w.write_record([name, &l.key, &l.count.to_string(), &l.value.to_decimal_string(), &l.cost.to_decimal_string(), &l.profit.to_decimal_string(), l.value.currency.code()]);
        }
    }
    for (name, sales) in [("unresolved", &r.unresolved), ("settled_since_last_z", &r.settled_since_last_z), ("cancelled", &r.cancelled)] {
        for s in sales {
            let _ = w.write_record([name, &format!("{:06}", s.receipt_no), "1", &s.amount.to_decimal_string(), "", "", s.amount.currency.code()]);
        }
    }
    for f in &r.refunds {
        let state = if f.refunded { "refunded" } else { "refund_due" };
        let _ = w.write_record([state, &format!("{:06} {}", f.receipt_no, f.due_at), "1", &f.amount.to_decimal_string(), &f.cost.to_decimal_string(), "", f.amount.currency.code()]);
    }
    for wl in &r.wallets {
        for (k, m) in [("opening", wl.opening), ("closing", wl.closing)] {
            if let Some(m) = m {
                let _ = w.write_record(["wallet", &format!("{} {k}", wl.provider), "", &m.to_decimal_string(), "", "", m.currency.code()]);
            }
        }
    }
    for s in &r.shifts {
        let key = format!("{} {}", s.cashier, s.opened_at);
        for (k, m) in [("float", Some(s.float)), ("expected", Some(s.expected)), ("counted", s.counted), ("variance", s.variance)] {
            if let Some(m) = m {
                let _ = w.write_record(["shift", &format!("{key} {k}"), "", &m.to_decimal_string(), "", "", m.currency.code()]);
            }
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
