//! A4 sheets of many vouchers for batch printing: 2 × 4 cells a page, each a whole
//! slip (PIN as text, dial string, serial, expiry, reference, receipt number), with
//! dashed cut lines between the cells and a scissors mark in the margin.

use super::{text_ops_at, Layout, Slip, Style, A4_H_MM, A4_W_MM, PT_PER_MM};
use printpdf::{Line, LineDashPattern, LinePoint, Mm, Op, PdfDocument, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

/// Cells across and down an A4 page.
pub const COLUMNS: usize = 2;
pub const ROWS: usize = 4;
const MARGIN_MM: f32 = 10.0;

fn cell_size() -> (f32, f32) {
    ((A4_W_MM - 2.0 * MARGIN_MM) / COLUMNS as f32, (A4_H_MM - 2.0 * MARGIN_MM - 6.0) / ROWS as f32)
}

fn line(x1: f32, y1: f32, x2: f32, y2: f32) -> Op {
    Op::DrawLine { line: Line { points: vec![LinePoint { p: Point { x: Pt(x1), y: Pt(y1) }, bezier: false }, LinePoint { p: Point { x: Pt(x2), y: Pt(y2) }, bezier: false }], is_closed: false } }
}

/// A voucher laid out compactly for its cell: every field of the slip, fewer lines.
fn cell_layout(slip: &Slip) -> Layout {
    let (w, _) = cell_size();
    let mut l = Layout { width_mm: w, margin_mm: 4.0, fixed_cols: None, lines: Vec::new() };
    let mut marks = Vec::new();
    if slip.training {
        marks.push("TRAINING - NOT A REAL SALE");
    }
    if slip.copy {
        marks.push("COPY");
    }
    if !marks.is_empty() {
        l.push(Style::Bold, true, &format!("*** {} ***", marks.join(" - ")));
    }
    l.push(Style::Bold, false, &format!("{} - {}", slip.shop_name, slip.product));
    l.push(Style::Normal, false, &format!("{}  Receipt {:06}  {}", slip.amount, slip.receipt_no, slip.when));
    if let Some(r) = &slip.recipient {
        l.push(Style::Small, false, &format!("{} {r}", slip.recipient_title));
    }
    if let Some(s) = &slip.status_line {
        l.push(Style::Bold, false, s);
    }
    if let Some(pin) = &slip.voucher_pin {
        l.push(Style::Small, false, &slip.pin_title);
        l.push(Style::Big, false, &airtill_domain::voucher::group_pin(pin));
        if let Some(d) = &slip.dial_string {
            l.push(Style::Bold, false, &format!("Dial {d}"));
        }
    }
    let mut facts = Vec::new();
    if let Some(t) = &slip.ticket_number {
        facts.push(format!("Serial {t}"));
    }
    if let Some(e) = &slip.expiry {
        facts.push(format!("Expires {e}"));
    }
    if !facts.is_empty() {
        l.push(Style::Small, false, &facts.join("  "));
    }
    let mut refs = Vec::new();
    if let Some(r) = &slip.provider_ref {
        refs.push(format!("{} {r}", slip.ref_title));
    }
    refs.push(format!("Till {} {}", slip.till_id, slip.cashier));
    l.push(Style::Small, false, &refs.join("  "));
    l.push(Style::Small, false, "The PIN is worth money. Lost PINs: *130*275#.");
    l
}

/// The lines of one voucher in a cell.
pub fn cell_lines(slip: &Slip) -> Vec<String> {
    cell_layout(slip).lines.into_iter().map(|(_, _, t)| t.trim().to_string()).collect()
}

/// The vouchers on as many A4 pages as they need.
pub fn voucher_sheet_pdf(title: &str, slips: &[Slip]) -> Vec<u8> {
    let (cw, ch) = cell_size();
    let per_page = COLUMNS * ROWS;
    let pages_n = slips.len().div_ceil(per_page).max(1);
    let mut pages = Vec::new();
    for (p, chunk) in slips.chunks(per_page).chain(std::iter::repeat_n(&[][..], usize::from(slips.is_empty()))).enumerate() {
        let mut ops = Vec::new();
        for (i, slip) in chunk.iter().enumerate() {
            let (col, row) = (i % COLUMNS, i / COLUMNS);
            let x0_mm = MARGIN_MM + col as f32 * cw;
            let top_mm = A4_H_MM - MARGIN_MM - row as f32 * ch;
            let l = cell_layout(slip);
            ops.extend(text_ops_at(&l.lines, x0_mm * PT_PER_MM, cw, 4.0, (top_mm - 3.0) * PT_PER_MM));
        }
        // Cut lines: dashed, between every column and every row, edge to edge.
        ops.push(Op::SetOutlineThickness { pt: Pt(0.4) });
        ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, &[4.0, 3.0]) });
        for c in 0..=COLUMNS {
            let x = (MARGIN_MM + c as f32 * cw) * PT_PER_MM;
            ops.push(line(x, (A4_H_MM - MARGIN_MM - ROWS as f32 * ch) * PT_PER_MM, x, (A4_H_MM - MARGIN_MM) * PT_PER_MM));
        }
        for r in 0..=ROWS {
            let y = (A4_H_MM - MARGIN_MM - r as f32 * ch) * PT_PER_MM;
            ops.push(line(MARGIN_MM * PT_PER_MM, y, (A4_W_MM - MARGIN_MM) * PT_PER_MM, y));
        }
        ops.push(Op::SetLineDashPattern { dash: LineDashPattern::solid() });
        let foot = format!("{title} - page {} of {pages_n} - cut along the dashed lines", p + 1);
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont { font: printpdf::PdfFontHandle::Builtin(Style::Small.font()), size: Pt(Style::Small.size()) });
        ops.push(Op::SetTextCursor { pos: Point { x: Pt(MARGIN_MM * PT_PER_MM), y: Pt((MARGIN_MM - 4.0) * PT_PER_MM) } });
        ops.push(Op::ShowText { items: vec![TextItem::Text(foot)] });
        ops.push(Op::EndTextSection);
        pages.push(PdfPage::new(Mm(A4_W_MM), Mm(A4_H_MM), ops));
    }
    let mut doc = PdfDocument::new(title);
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    doc.save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_voucher_fits_its_cell_with_its_pin_and_the_pages_count() {
        let slips: Vec<Slip> = (0..11)
            .map(|i| {
                let mut s = crate::tests::sample(true);
                s.receipt_no = i + 1;
                s.voucher_pin = Some(format!("{:016}", 1_000_000_000_000_000i64 + i));
                s
            })
            .collect();
        // Every voucher fits its cell whole: nothing is cut at the foot.
        let (_, ch) = cell_size();
        for s in &slips {
            let height_pt: f32 = cell_layout(s).lines.iter().map(|(st, _, _)| st.line_height()).sum();
            assert!(height_pt + 3.0 * PT_PER_MM < ch * PT_PER_MM, "{} pt in a {ch} mm cell: {:?}", height_pt, cell_lines(s));
        }
        let pdf = voucher_sheet_pdf("Airtill vouchers", &slips);
        assert!(pdf.starts_with(b"%PDF"));
        // The text read back: every voucher's PIN (grouped), receipt and dial string,
        // on two pages (11 vouchers at 8 a page).
        let dir = std::env::temp_dir().join(format!("airtill-sheet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sheet.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext").args(["-layout", path.to_str().unwrap(), "-"]).output().expect("pdftotext (poppler-utils) is installed by make");
        let text = String::from_utf8_lossy(&out.stdout);
        for s in &slips {
            let pin = airtill_domain::voucher::group_pin(s.voucher_pin.as_deref().unwrap());
            assert!(text.contains(&pin), "{pin} is not on the sheet");
            assert!(text.contains(&format!("{:06}", s.receipt_no)));
        }
        for field in ["Dial *141*", "Serial 0012345678", "Expires 2027-11-23", "Smartload ref 130078272", "Recipient 083 123 4567", "R12.00", "TRAINING"] {
            assert!(text.contains(field), "{field} is not on the sheet");
        }
        assert!(text.contains("page 1 of 2") && text.contains("page 2 of 2"), "{text}");
        assert_eq!(text.matches("\u{c}").count(), 2, "two pages");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
