//! Slips as PDF for receipt rolls, drawn with printpdf's built-in Courier so the
//! layout is exact without embedding a font, and the text stays text (a PIN is never
//! an image: it can be read back, searched and printed sharp).

use airtill_domain::voucher::group_pin;
use airtill_domain::Money;
pub mod chart;
pub mod escpos;
pub mod os;
pub mod sheet;

use printpdf::{BuiltinFont, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

/// A receipt roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roll {
    Mm58,
    Mm80,
}

impl Roll {
    fn width_mm(self) -> f32 {
        match self {
            Roll::Mm58 => 58.0,
            Roll::Mm80 => 80.0,
        }
    }
}

/// Everything a slip shows. Text is already formatted for people.
#[derive(Debug, Clone)]
pub struct Slip {
    pub shop_name: String,
    /// The shop's address lines, under its name.
    pub shop_address: Vec<String>,
    /// The shop's VAT registration number, if it has one.
    pub vat_number: Option<String>,
    pub till_id: String,
    pub cashier: String,
    pub receipt_no: i64,
    /// Local date and time, `2026-11-23 10:15`.
    pub when: String,
    pub network: String,
    pub product: String,
    pub amount: Money,
    /// `083 123 4567`, or a meter number.
    pub recipient: Option<String>,
    pub voucher_pin: Option<String>,
    /// What the PIN is called on the slip: `VOUCHER PIN`, or `ELECTRICITY TOKEN`.
    pub pin_title: String,
    /// A second token issued with the first (electricity's free basic electricity),
    /// printed under it as big, with its own title.
    pub additional_pin: Option<String>,
    /// What the recipient is: `Recipient` (a cell number) or `Meter`.
    pub recipient_title: String,
    /// What the provider's reference is called: `Smartload ref`, `AAT order ref`, `MX credit id`.
    pub ref_title: String,
    pub dial_string: Option<String>,
    pub ticket_number: Option<String>,
    /// `2027-11-23`.
    pub expiry: Option<String>,
    /// Smartcall's Smartload reference (or another provider's).
    pub provider_ref: Option<String>,
    /// For a sale that is not a plain success: "PENDING - not yet confirmed", ...
    pub status_line: Option<String>,
    /// How the customer paid, when not in cash: "Paid from mobile balance Rs 218.82
    /// (Rs 18.2350 per R1)".
    pub tender_line: Option<String>,
    pub training: bool,
    pub copy: bool,
    /// The small print at the foot, as fits the kind of sale and its state: a PIN's
    /// warning only on a voucher with its PIN, a proof of payment on a bill.
    pub footer: Vec<String>,
}

/// How a line of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Normal,
    Bold,
    Big,
    Small,
}

pub(crate) struct Layout {
    pub(crate) width_mm: f32,
    pub(crate) margin_mm: f32,
    /// A thermal printer's characters per line (font A) for normal and for big text,
    /// instead of Courier on paper.
    pub(crate) fixed_cols: Option<(usize, usize)>,
    pub(crate) lines: Vec<DocLine>,
}

pub(crate) const PT_PER_MM: f32 = 72.0 / 25.4;
/// Courier's advance is 600/1000 of the font size.
pub(crate) const COURIER_ADVANCE: f32 = 0.6;

impl Style {
    pub(crate) fn size(&self) -> f32 {
        match self {
            Style::Normal | Style::Bold => 9.0,
            Style::Big => 14.0,
            Style::Small => 7.5,
        }
    }
    pub(crate) fn font(&self) -> BuiltinFont {
        match self {
            Style::Normal | Style::Small => BuiltinFont::Courier,
            Style::Bold | Style::Big => BuiltinFont::CourierBold,
        }
    }
    pub(crate) fn line_height(&self) -> f32 {
        self.size() * 1.35
    }
}

impl Layout {
    fn chars_per_line(&self, style: &Style) -> usize {
        if let Some((normal, big)) = self.fixed_cols {
            return if *style == Style::Big { big } else { normal };
        }
        let usable_pt = (self.width_mm - 2.0 * self.margin_mm) * PT_PER_MM;
        (usable_pt / (style.size() * COURIER_ADVANCE)).floor() as usize
    }
    /// Adds text, wrapped at word boundaries to the roll's width.
    fn push(&mut self, style: Style, centred: bool, text: &str) {
        let max = self.chars_per_line(&style).max(8);
        let mut line = String::new();
        for word in text.split(' ') {
            let fits = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count() <= max;
            if !fits && !line.is_empty() {
                self.lines.push((clone_style(&style), centred, std::mem::take(&mut line)));
            }
            let mut word = word.to_string();
            while word.chars().count() > max {
                let head: String = word.chars().take(max).collect();
                word = word.chars().skip(max).collect();
                self.lines.push((clone_style(&style), centred, head));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        self.lines.push((style, centred, line));
    }
    /// `label ......... value` on one line when it fits, else on two.
    fn pair(&mut self, label: &str, value: &str) {
        let max = self.chars_per_line(&Style::Normal);
        let used = label.chars().count() + value.chars().count();
        if used < max {
            let gap = max - used;
            self.push(Style::Normal, false, &format!("{label}{}{value}", " ".repeat(gap)));
        } else {
            self.push(Style::Normal, false, label);
            self.push(Style::Bold, false, value);
        }
    }
    fn rule(&mut self) {
        let n = self.chars_per_line(&Style::Normal);
        self.lines.push((Style::Normal, false, "-".repeat(n)));
    }
}

fn clone_style(s: &Style) -> Style {
    match s {
        Style::Normal => Style::Normal,
        Style::Bold => Style::Bold,
        Style::Big => Style::Big,
        Style::Small => Style::Small,
    }
}

/// The lines of a slip, in order (also what a text printer would print).
fn layout(slip: &Slip, roll: Roll) -> Layout {
    layout_in(slip, Layout { width_mm: roll.width_mm(), margin_mm: 4.0, fixed_cols: None, lines: Vec::new() })
}

pub(crate) fn layout_in(slip: &Slip, mut l: Layout) -> Layout {
    if slip.training {
        l.push(Style::Bold, true, "*** TRAINING - NOT A REAL SALE ***");
    }
    if slip.copy {
        l.push(Style::Bold, true, "*** COPY ***");
    }
    l.push(Style::Big, true, &slip.shop_name);
    for a in &slip.shop_address {
        l.push(Style::Normal, true, a);
    }
    if let Some(v) = &slip.vat_number {
        l.push(Style::Normal, true, &format!("VAT no. {v}"));
    }
    l.push(Style::Normal, true, &slip.when);
    l.push(Style::Normal, true, &format!("Till {}  Cashier {}", slip.till_id, slip.cashier));
    l.push(Style::Normal, true, &format!("Receipt no. {:06}", slip.receipt_no));
    l.rule();
    l.push(Style::Bold, false, &format!("{} - {}", slip.network, slip.product));
    l.pair("Amount", &slip.amount.to_string());
    if let Some(r) = &slip.recipient {
        l.pair(&slip.recipient_title, r);
    }
    if let Some(s) = &slip.status_line {
        l.push(Style::Bold, false, s);
    }
    if let Some(t) = &slip.tender_line {
        l.push(Style::Normal, false, t);
    }
    if let Some(pin) = &slip.voucher_pin {
        l.rule();
        l.push(Style::Normal, true, &slip.pin_title);
        l.push(Style::Big, true, &group_pin(pin));
        if let Some(d) = &slip.dial_string {
            l.push(Style::Normal, true, "To load, dial");
            l.push(Style::Bold, true, d);
        }
        if let Some(free) = &slip.additional_pin {
            l.push(Style::Normal, true, "FREE BASIC ELECTRICITY");
            l.push(Style::Big, true, &group_pin(free));
            l.push(Style::Small, true, "Enter it on the meter as well: this month's free units.");
        }
        l.rule();
    }
    if let Some(t) = &slip.ticket_number {
        l.pair("Serial no.", t);
    }
    if let Some(e) = &slip.expiry {
        l.pair("Expires", e);
    }
    if let Some(r) = &slip.provider_ref {
        l.pair(&slip.ref_title, r);
    }
    l.rule();
    for f in &slip.footer {
        l.push(Style::Small, true, f);
    }
    if slip.copy {
        l.push(Style::Bold, true, "*** COPY ***");
    }
    if slip.training {
        l.push(Style::Bold, true, "*** TRAINING ***");
    }
    l
}

/// The slip's text lines, trimmed: what the PDF shows, line for line.
pub fn slip_lines(slip: &Slip, roll: Roll) -> Vec<String> {
    layout(slip, roll).lines.into_iter().map(|(_, _, t)| t.trim().to_string()).collect()
}

/// A slip as a one-page PDF sized to its roll.
pub fn slip_pdf(slip: &Slip, roll: Roll) -> Vec<u8> {
    let l = layout(slip, roll);
    let top_mm = 5.0;
    let bottom_mm = 8.0;
    let content_pt: f32 = l.lines.iter().map(|(s, _, _)| s.line_height()).sum();
    let height_mm = top_mm + content_pt / PT_PER_MM + bottom_mm;
    let ops = text_ops(&l.lines, l.width_mm, l.margin_mm, (height_mm - top_mm) * PT_PER_MM);
    let mut doc = PdfDocument::new(&format!("Airtill receipt {:06}", slip.receipt_no));
    doc.with_pages(vec![PdfPage::new(Mm(l.width_mm), Mm(height_mm), ops)]);
    let mut warnings = Vec::new();
    doc.save(&PdfSaveOptions::default(), &mut warnings)
}

/// Paper for documents (reports): a receipt roll, or A4 sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    Roll(Roll),
    A4,
}

pub(crate) const A4_W_MM: f32 = 210.0;
pub(crate) const A4_H_MM: f32 = 297.0;
const A4_MARGIN_MM: f32 = 15.0;

impl Paper {
    fn width_mm(self) -> f32 {
        match self {
            Paper::Roll(r) => r.width_mm(),
            Paper::A4 => A4_W_MM,
        }
    }
    fn margin_mm(self) -> f32 {
        match self {
            Paper::Roll(_) => 4.0,
            Paper::A4 => A4_MARGIN_MM,
        }
    }
    /// Characters of `style` that fit on one line.
    pub fn chars_per_line(self, style: Style) -> usize {
        let usable_pt = (self.width_mm() - 2.0 * self.margin_mm()) * PT_PER_MM;
        (usable_pt / (style.size() * COURIER_ADVANCE)).floor() as usize
    }
}

/// One line of a document: its style, whether it is centred, its text. A line of
/// dashes only is drawn as a rule.
pub type DocLine = (Style, bool, String);

fn text_ops(lines: &[DocLine], width_mm: f32, margin_mm: f32, top_pt: f32) -> Vec<Op> {
    text_ops_at(lines, 0.0, width_mm, margin_mm, top_pt)
}

/// As [`text_ops`], in a box whose left edge is `x0_pt` from the page's.
pub(crate) fn text_ops_at(lines: &[DocLine], x0_pt: f32, width_mm: f32, margin_mm: f32, top_pt: f32) -> Vec<Op> {
    let width_pt = width_mm * PT_PER_MM;
    let mut ops = Vec::new();
    let mut y_pt = top_pt;
    for (style, centred, text) in lines {
        y_pt -= style.line_height();
        let text_w = text.chars().count() as f32 * style.size() * COURIER_ADVANCE;
        let x_pt = x0_pt + if *centred { ((width_pt - text_w) / 2.0).max(margin_mm * PT_PER_MM) } else { margin_mm * PT_PER_MM };
        if text.chars().all(|c| c == '-') && !text.is_empty() {
            let y = y_pt + style.size() * 0.35;
            ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint { p: Point { x: Pt(x0_pt + margin_mm * PT_PER_MM), y: Pt(y) }, bezier: false },
                        LinePoint { p: Point { x: Pt(x0_pt + width_pt - margin_mm * PT_PER_MM), y: Pt(y) }, bezier: false },
                    ],
                    is_closed: false,
                },
            });
            continue;
        }
        if text.is_empty() {
            continue;
        }
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont { font: PdfFontHandle::Builtin(style.font()), size: Pt(style.size()) });
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(x_pt), y: Pt(y_pt) } });
        ops.push(Op::ShowText { items: vec![TextItem::Text(text.clone())] });
        ops.push(Op::EndTextSection);
    }
    ops
}

/// A document of text lines as a PDF: one page as long as the text on a roll, or as
/// many A4 pages as it needs (each numbered "page n of m").
pub fn document_pdf(title: &str, lines: &[DocLine], paper: Paper) -> Vec<u8> {
    document_pdf_with_charts(title, lines, paper, &[])
}

/// As [`document_pdf`], with bar charts side by side on the first A4 page, under the
/// document's heading (the lines up to its first rule). A roll has no room for them:
/// there the charts are left out and the figures stay in the text.
pub fn document_pdf_with_charts(title: &str, lines: &[DocLine], paper: Paper, charts: &[chart::BarChart]) -> Vec<u8> {
    let mut band: Option<f32> = None;
    let mut spaced: Vec<DocLine>;
    let mut lines = lines;
    if paper == Paper::A4 && !charts.is_empty() {
        // Room for the band, kept by blank lines after the heading's rule.
        let at = lines.iter().position(|(_, _, t)| !t.is_empty() && t.chars().all(|c| c == '-')).map_or(0, |i| i + 1);
        let above: f32 = lines[..at].iter().map(|(s, _, _)| s.line_height()).sum();
        band = Some((A4_H_MM - A4_MARGIN_MM) * PT_PER_MM - above - 4.0);
        let blank = Style::Normal.line_height();
        let n = ((chart::BAND_MM * PT_PER_MM + 12.0) / blank).ceil() as usize;
        spaced = lines[..at].to_vec();
        spaced.extend(std::iter::repeat_n((Style::Normal, false, String::new()), n));
        spaced.extend_from_slice(&lines[at..]);
        lines = &spaced;
    }
    let mut doc = PdfDocument::new(title);
    let margin = paper.margin_mm();
    let pages = match paper {
        Paper::Roll(roll) => {
            let content_pt: f32 = lines.iter().map(|(s, _, _)| s.line_height()).sum();
            let height_mm = 5.0 + content_pt / PT_PER_MM + 8.0;
            let ops = text_ops(lines, roll.width_mm(), margin, (height_mm - 5.0) * PT_PER_MM);
            vec![PdfPage::new(Mm(roll.width_mm()), Mm(height_mm), ops)]
        }
        Paper::A4 => {
            let usable_pt = (A4_H_MM - 2.0 * A4_MARGIN_MM) * PT_PER_MM - Style::Small.line_height() * 2.0;
            let mut chunks: Vec<Vec<DocLine>> = vec![Vec::new()];
            let mut used = 0.0;
            for l in lines {
                let h = l.0.line_height();
                if used + h > usable_pt && !chunks.last().is_some_and(|c| c.is_empty()) {
                    chunks.push(Vec::new());
                    used = 0.0;
                }
                used += h;
                chunks.last_mut().expect("one chunk at least").push(l.clone());
            }
            let n = chunks.len();
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, mut chunk)| {
                    chunk.push((Style::Small, false, String::new()));
                    chunk.push((Style::Small, true, format!("{title} - page {} of {n}", i + 1)));
                    let mut ops = text_ops(&chunk, A4_W_MM, A4_MARGIN_MM, (A4_H_MM - A4_MARGIN_MM) * PT_PER_MM);
                    if let (0, Some(top)) = (i, band) {
                        ops.extend(chart::band_ops(charts, A4_MARGIN_MM * PT_PER_MM, (A4_W_MM - A4_MARGIN_MM) * PT_PER_MM, top));
                    }
                    PdfPage::new(Mm(A4_W_MM), Mm(A4_H_MM), ops)
                })
                .collect()
        }
    };
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    doc.save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use airtill_domain::Money;

    pub(crate) fn sample(training: bool) -> Slip {
        Slip {
            shop_name: "Demo Spaza".into(),
            shop_address: vec!["12 Vilakazi St".into(), "Soweto".into()],
            vat_number: Some("4123456789".into()),
            till_id: "T1".into(),
            cashier: "Thabo".into(),
            receipt_no: 7,
            when: "2026-11-23 10:15".into(),
            network: "MTN".into(),
            product: "MTN Airtime R12".into(),
            amount: Money::zar(1200),
            recipient: Some("083 123 4567".into()),
            voucher_pin: Some("1234567890123456".into()),
            pin_title: "VOUCHER PIN".into(),
            additional_pin: None,
            recipient_title: "Recipient".into(),
            ref_title: "Smartload ref".into(),
            dial_string: Some("*141*1234567890123456#".into()),
            ticket_number: Some("0012345678".into()),
            expiry: Some("2027-11-23".into()),
            provider_ref: Some("130078272".into()),
            status_line: None,
            tender_line: None,
            training,
            copy: false,
            footer: vec!["Keep this slip: the PIN is worth money. Lost PINs are re-issued on *130*275#.".into()],
        }
    }

    /// Electricity's free-basic token is printed under the token, as big, with its
    /// own title, on both rolls (58 mm fits its 24 characters).
    #[test]
    fn an_electricity_slip_prints_the_free_basic_token_under_the_token() {
        let slip = Slip {
            network: "Electricity-Eskom".into(),
            product: "Electricity-Eskom Prepaid".into(),
            recipient: Some("04040404040".into()),
            recipient_title: "Meter".into(),
            voucher_pin: Some("03291420529979776929".into()),
            pin_title: "ELECTRICITY TOKEN".into(),
            additional_pin: Some("00013755516621296056".into()),
            dial_string: None,
            expiry: None,
            footer: vec!["Enter the token on the meter's keypad.".into()],
            ..sample(true)
        };
        let lines = slip_lines(&slip, Roll::Mm80);
        let at = |t: &str| lines.iter().position(|l| l == t).unwrap_or_else(|| panic!("{t} not on the slip: {lines:?}"));
        let (token, title, free) = (at("0329 1420 5299 7977 6929"), at("FREE BASIC ELECTRICITY"), at("0001 3755 5166 2129 6056"));
        assert!(at("ELECTRICITY TOKEN") < token && token < title && title < free, "{lines:?}");
        // On 58 mm the big digits wrap as the token's do; the title stays on one line.
        let narrow = slip_lines(&slip, Roll::Mm58);
        let digits: String = narrow.concat().chars().filter(char::is_ascii_digit).collect();
        assert!(narrow.iter().any(|l| l == "FREE BASIC ELECTRICITY"), "{narrow:?}");
        assert!(digits.find("03291420529979776929") < digits.find("00013755516621296056"), "{narrow:?}");
        assert!(!slip_pdf(&slip, Roll::Mm80).is_empty());
        let plain = Slip { additional_pin: None, ..slip };
        assert!(!slip_lines(&plain, Roll::Mm80).iter().any(|l| l.contains("FREE BASIC")));
    }

    #[test]
    fn every_field_is_on_the_slip() {
        let text = slip_lines(&sample(true), Roll::Mm80).join("\n");
        for want in [
            "TRAINING",
            "Demo Spaza",
            "2026-11-23 10:15",
            "Till T1",
            "Thabo",
            "000007",
            "MTN Airtime R12",
            "R12.00",
            "083 123 4567",
            "1234 5678 9012 3456",
            "*141*1234567890123456#",
            "0012345678",
            "2027-11-23",
            "130078272",
            "12 Vilakazi St",
            "VAT no. 4123456789",
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        assert!(!slip_lines(&sample(false), Roll::Mm80).join("\n").contains("TRAINING"));
    }

    #[test]
    fn lines_fit_the_roll() {
        for roll in [Roll::Mm58, Roll::Mm80] {
            let l = layout(&sample(true), roll);
            for (style, _, text) in &l.lines {
                assert!(text.chars().count() <= l.chars_per_line(style).max(8), "{roll:?}: {text}");
            }
        }
    }

    #[test]
    fn the_pdf_is_a_pdf_of_the_roll_width() {
        let bytes = slip_pdf(&sample(true), Roll::Mm80);
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        // 80 mm = 226.77 pt
        assert!(text.contains("226.77"), "media box of 80 mm");
    }
}
