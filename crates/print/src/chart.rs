//! Bar charts for A4 reports, drawn as vectors (the same charts the Office screen
//! shows: sales by hour, by network, by cashier). The amounts stay integers in cents;
//! only the bars' heights on paper are fractions of the tallest.

use crate::{Style, COURIER_ADVANCE, PT_PER_MM};
use airtill_domain::{Currency, Money};
use printpdf::{BuiltinFont, Color, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect, Rgb, TextItem, WindingOrder};

/// One chart: a title and one bar per label, the values in cents of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    pub title: String,
    pub labels: Vec<String>,
    pub values: Vec<i64>,
    pub currency: Currency,
    /// Its share of the band's width (the screen gives the hours twice the others').
    pub weight: u32,
}

/// The band of charts on the first A4 page: its height.
pub(crate) const BAND_MM: f32 = 62.0;

const TITLE_PT: f32 = 9.0;
const LABEL_PT: f32 = 6.0;
const GAP_PT: f32 = 14.0;

fn rgb(r: u8, g: u8, b: u8) -> Color {
    Color::Rgb(Rgb { r: f32::from(r) / 255.0, g: f32::from(g) / 255.0, b: f32::from(b) / 255.0, icc_profile: None })
}

fn text(ops: &mut Vec<Op>, font: BuiltinFont, size: f32, x: f32, y: f32, s: &str) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) });
    ops.push(Op::SetTextCursor { pos: Point { x: Pt(x), y: Pt(y) } });
    ops.push(Op::ShowText { items: vec![TextItem::Text(s.to_string())] });
    ops.push(Op::EndTextSection);
}

fn line(ops: &mut Vec<Op>, (x1, y1): (f32, f32), (x2, y2): (f32, f32)) {
    ops.push(Op::DrawLine {
        line: Line { points: vec![LinePoint { p: Point { x: Pt(x1), y: Pt(y1) }, bezier: false }, LinePoint { p: Point { x: Pt(x2), y: Pt(y2) }, bezier: false }], is_closed: false },
    });
}

fn width_of(s: &str, size: f32) -> f32 {
    s.chars().count() as f32 * size * COURIER_ADVANCE
}

/// `s` cut to fit `width_pt` at `size`.
fn fit(s: &str, size: f32, width_pt: f32) -> String {
    let room = (width_pt / (size * COURIER_ADVANCE)).floor().max(1.0) as usize;
    if s.chars().count() <= room {
        s.to_string()
    } else {
        s.chars().take(room).collect()
    }
}

/// The charts side by side in the band whose top edge is `top_pt` from the page's
/// foot, between `left_pt` and `right_pt`.
pub(crate) fn band_ops(charts: &[BarChart], left_pt: f32, right_pt: f32, top_pt: f32) -> Vec<Op> {
    let mut ops = Vec::new();
    let shares: u32 = charts.iter().map(|c| c.weight.max(1)).sum();
    if shares == 0 {
        return ops;
    }
    let usable = right_pt - left_pt - GAP_PT * (charts.len().saturating_sub(1)) as f32;
    let bottom_pt = top_pt - BAND_MM * PT_PER_MM;
    let mut x = left_pt;
    for c in charts {
        let w = usable * c.weight.max(1) as f32 / shares as f32;
        one(&mut ops, c, x, w, bottom_pt, top_pt);
        x += w + GAP_PT;
    }
    ops
}

fn one(ops: &mut Vec<Op>, c: &BarChart, x0: f32, w: f32, bottom: f32, top: f32) {
    text(ops, Style::Bold.font(), TITLE_PT, x0, top - TITLE_PT, &fit(&c.title, TITLE_PT, w));
    let plot_top = top - TITLE_PT - 8.0;
    if c.values.is_empty() {
        text(ops, BuiltinFont::Courier, LABEL_PT + 1.0, x0, plot_top - 12.0, "Nothing sold.");
        return;
    }
    let max = c.values.iter().copied().max().unwrap_or(0).max(0);
    let top_label = Money::new(max, c.currency).to_string();
    let zero_label = Money::new(0, c.currency).to_string();
    let axis_w = width_of(&top_label, LABEL_PT).max(width_of(&zero_label, LABEL_PT)) + 3.0;
    let plot_left = x0 + axis_w;
    let plot_bottom = bottom + LABEL_PT + 6.0;
    let plot_w = (x0 + w - plot_left).max(1.0);
    let plot_h = (plot_top - plot_bottom).max(1.0);
    // The value axis: its top and zero, and faint lines across.
    ops.push(Op::SetOutlineThickness { pt: Pt(0.3) });
    ops.push(Op::SetOutlineColor { col: rgb(0xd0, 0xd5, 0xdb) });
    for i in 0..=4 {
        let y = plot_bottom + plot_h * i as f32 / 4.0;
        line(ops, (plot_left, y), (plot_left + plot_w, y));
    }
    ops.push(Op::SetOutlineColor { col: rgb(0x33, 0x33, 0x33) });
    ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
    line(ops, (plot_left, plot_bottom), (plot_left + plot_w, plot_bottom));
    line(ops, (plot_left, plot_bottom), (plot_left, plot_top));
    ops.push(Op::SetFillColor { col: rgb(0x33, 0x33, 0x33) });
    text(ops, BuiltinFont::Courier, LABEL_PT, x0, plot_top - LABEL_PT * 0.7, &top_label);
    text(ops, BuiltinFont::Courier, LABEL_PT, x0, plot_bottom - LABEL_PT * 0.3, &zero_label);
    // One bar per label, the screen's green; labels under the bars, cut to fit.
    let slot = plot_w / c.values.len() as f32;
    let every = if width_of("00:00", LABEL_PT) + 2.0 > slot { ((width_of("00:00", LABEL_PT) + 2.0) / slot).ceil() as usize } else { 1 };
    for (i, (v, label)) in c.values.iter().zip(&c.labels).enumerate() {
        let h = if max > 0 { plot_h * (*v).max(0) as f32 / max as f32 } else { 0.0 };
        let bx = plot_left + slot * i as f32 + slot * 0.15;
        if h > 0.0 {
            ops.push(Op::SetFillColor { col: rgb(0x0b, 0x6e, 0x4f) });
            ops.push(Op::DrawRectangle {
                rectangle: Rect { x: Pt(bx), y: Pt(plot_bottom), width: Pt(slot * 0.7), height: Pt(h), mode: Some(PaintMode::Fill), winding_order: Some(WindingOrder::NonZero) },
            });
        }
        if i % every == 0 {
            ops.push(Op::SetFillColor { col: rgb(0x33, 0x33, 0x33) });
            let shown = fit(label, LABEL_PT, slot * every as f32 - 1.0);
            let lx = plot_left + slot * i as f32 + (slot - width_of(&shown, LABEL_PT)) / 2.0;
            text(ops, BuiltinFont::Courier, LABEL_PT, lx.max(plot_left), bottom + 1.0, &shown);
        }
    }
    // Back to black for whatever is drawn next.
    ops.push(Op::SetFillColor { col: rgb(0, 0, 0) });
    ops.push(Op::SetOutlineColor { col: rgb(0, 0, 0) });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_cut_to_their_room() {
        assert_eq!(fit("Vodacom", LABEL_PT, 100.0), "Vodacom");
        assert_eq!(fit("Vodacom", LABEL_PT, 3.0 * LABEL_PT * COURIER_ADVANCE), "Vod");
        assert_eq!(fit("Vodacom", LABEL_PT, 0.1), "V");
    }

    #[test]
    fn one_bar_per_value_that_is_not_zero() {
        let c = BarChart { title: "By network".into(), labels: vec!["MTN".into(), "Vodacom".into(), "Telkom".into()], values: vec![1_200, 0, 500], currency: Currency::ZAR, weight: 1 };
        let ops = band_ops(&[c], 0.0, 300.0, 400.0);
        let bars: Vec<&Rect> = ops.iter().filter_map(|o| if let Op::DrawRectangle { rectangle } = o { Some(rectangle) } else { None }).collect();
        assert_eq!(bars.len(), 2);
        // The tallest is the R12.00; the R5.00 is 5/12 of it.
        let (a, b) = (bars[0].height.0, bars[1].height.0);
        assert!((b / a - 5.0 / 12.0).abs() < 0.001, "{a} {b}");
        let texts: Vec<String> = ops.iter().filter_map(|o| if let Op::ShowText { items } = o { Some(format!("{items:?}")) } else { None }).collect();
        assert!(texts.iter().any(|t| t.contains("R12.00")) && texts.iter().any(|t| t.contains("Telkom")), "{texts:?}");
    }
}
