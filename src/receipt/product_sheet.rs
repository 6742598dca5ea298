//! Sheets of Native mode-1 product QR codes (the printed codes a customer scans to buy one
//! product): an A4 grid to cut out, or one label per page for a label printer. Each cell shows
//! the product name, its price and the QR code of its link.

use printpdf::{
    Color, FontId, Greyscale, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfParseErrorSeverity,
    PdfSaveOptions, Point, Pt, TextItem,
};

use super::ReceiptError;
use super::font::{TextMeasure, load_receipt_font};
use super::layout::rectangles_polygon;
use super::qr::{QR_QUIET_ZONE_MODULES, QrSymbol};
use super::subset::subset_for_chars;
use crate::money::Fen;

/// Widest QR symbol accepted on a sheet, in modules (version 10). A full `bizpayurl` link of
/// about 170 bytes needs version 8 or 9 at level M; a short link needs version 2.
pub const MAX_SHEET_QR_WIDTH_MODULES: usize = 57;

/// A4 portrait, in millimetres.
const A4_WIDTH_MM: f32 = 210.0;
const A4_HEIGHT_MM: f32 = 297.0;
/// Margin around the A4 grid; most office printers cannot print the outer 5 mm.
const A4_MARGIN_MM: f32 = 10.0;
const A4_COLUMNS: usize = 3;
const A4_ROWS: usize = 4;
/// Padding inside each A4 cell, inside the cut line.
const A4_CELL_PADDING_MM: f32 = 4.0;
/// Side of the QR block (symbol and quiet zone) in an A4 cell, the most that fits under two
/// name lines and above the caption and price. The densest accepted symbol (57 modules plus
/// an 8-module quiet zone) still has 0.58 mm modules.
const A4_QR_BLOCK_MM: f32 = 38.0;
const A4_NAME_SIZE_PT: f32 = 11.0;
const A4_PRICE_SIZE_PT: f32 = 16.0;
const A4_CAPTION_SIZE_PT: f32 = 7.0;
/// Caption under the QR code on A4 sheets, Chinese first.
const A4_CAPTION: &str = "微信扫码支付 Scan with WeChat Pay";
/// Grey of the cut lines between A4 cells (0 is black, 1 is white).
const CUT_LINE_GREY: f32 = 0.75;
const CUT_LINE_WIDTH_PT: f32 = 0.3;

/// Margin on every side of a label.
const LABEL_MARGIN_MM: f32 = 1.5;
/// Gap between the QR block and the text of a label.
const LABEL_GAP_MM: f32 = 1.0;
/// Narrowest text column beside a label's QR code: room for a price such as `￥128.00` at
/// [`LABEL_PRICE_SIZE_PT`]. On 40 × 30 mm labels the code shrinks to leave it.
const LABEL_MIN_TEXT_MM: f32 = 12.0;
const LABEL_NAME_SIZE_PT: f32 = 7.0;
const LABEL_PRICE_SIZE_PT: f32 = 8.0;
/// Lines a long price may wrap to on a label.
const LABEL_PRICE_MAX_LINES: usize = 2;

/// Height of a text line as a multiple of the font size, as on receipts.
const LINE_HEIGHT_RATIO: f32 = 1.4;
/// Distance from the top of a line box to the baseline, as a multiple of the font size.
const BASELINE_RATIO: f32 = 1.08;
const BLACK: f32 = 0.0;
const WHITE: f32 = 1.0;

/// Label stock sizes for one-code-per-label sheets, width × height in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelSize {
    /// 40 × 30 mm, the common small shelf label.
    Mm40x30,
    /// 50 × 30 mm.
    Mm50x30,
    /// 60 × 40 mm, for longer names and a larger code.
    Mm60x40,
}

impl LabelSize {
    /// Parses `40x30`, `50x30` or `60x40`.
    pub fn parse(text: &str) -> Option<LabelSize> {
        match text {
            "40x30" => Some(LabelSize::Mm40x30),
            "50x30" => Some(LabelSize::Mm50x30),
            "60x40" => Some(LabelSize::Mm60x40),
            _ => None,
        }
    }

    /// Returns width and height in millimetres.
    pub fn mm(self) -> (f32, f32) {
        match self {
            LabelSize::Mm40x30 => (40.0, 30.0),
            LabelSize::Mm50x30 => (50.0, 30.0),
            LabelSize::Mm60x40 => (60.0, 40.0),
        }
    }
}

/// The page layout of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetLayout {
    /// A4 pages with a 3 × 4 grid of cells and grey cut lines.
    A4Grid,
    /// One label per page, the page the size of the label.
    Label(LabelSize),
}

/// One product on a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetProduct {
    pub name: String,
    pub price: Fen,
    /// The link the QR code holds: a `bizpayurl` link or its short form.
    pub link: String,
}

/// A rectangle on a page, in points from the page's top-left corner.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left_pt: f32,
    top_pt: f32,
    width_pt: f32,
    height_pt: f32,
}

/// A finished page: its operations and all the text it shows (for the font subset).
struct LaidOutPage {
    ops: Vec<Op>,
    text: String,
}

/// Every page of a sheet, all of one size (width, height in millimetres).
struct LaidOut {
    page_mm: (f32, f32),
    pages: Vec<LaidOutPage>,
}

/// One page under construction; marks are measured from the top and flipped on output.
struct Page<'font> {
    measure: &'font TextMeasure<'font>,
    height_pt: f32,
    ops: Vec<Op>,
    text: String,
    font_id: FontId,
}

/// Renders the sheet and returns the PDF bytes. Every product gets a cell, in the given order;
/// an empty list renders one empty page.
///
/// NOTE: as on receipts, characters outside GB 2312, ASCII and common punctuation print as
/// empty boxes.
pub fn render_product_sheet_pdf(
    products: &[SheetProduct],
    layout: SheetLayout,
    title: &str,
) -> Result<Vec<u8>, ReceiptError> {
    let symbols = products
        .iter()
        .map(|product| QrSymbol::encode(&product.link, MAX_SHEET_QR_WIDTH_MODULES))
        .collect::<Result<Vec<_>, _>>()?;

    let full_font = load_receipt_font()?;
    let measure = TextMeasure::new(&full_font);
    // The font id must exist before the pages' operations name it, so the text is laid out
    // twice: once to collect the characters for the subset, then for real.
    let mut doc = PdfDocument::new(title);
    let placeholder_id = FontId::new();
    let draft = lay_out_pages(products, &symbols, layout, &measure, &placeholder_id);
    let page_chars: String = draft.pages.into_iter().map(|page| page.text).collect();
    let page_font = subset_for_chars(&full_font, page_chars.chars())?;
    let font_id = doc.add_font(&page_font);
    let laid_out = lay_out_pages(products, &symbols, layout, &measure, &font_id);

    let (width_mm, height_mm) = laid_out.page_mm;
    let pdf_pages = laid_out
        .pages
        .into_iter()
        .map(|page| PdfPage::new(Mm(width_mm), Mm(height_mm), page.ops))
        .collect();
    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(pdf_pages)
        .save(&PdfSaveOptions::default(), &mut warnings);
    let errors: Vec<String> = warnings
        .into_iter()
        .filter(|warning| warning.severity == PdfParseErrorSeverity::Error)
        .map(|warning| warning.msg)
        .collect();
    if !errors.is_empty() {
        return Err(ReceiptError::PdfSave {
            details: errors.join("; "),
        });
    }
    Ok(bytes)
}

/// Lays out the pages: A4 pages of up to 12 cells, or one page per label.
fn lay_out_pages(
    products: &[SheetProduct],
    symbols: &[QrSymbol],
    layout: SheetLayout,
    measure: &TextMeasure<'_>,
    font_id: &FontId,
) -> LaidOut {
    let items: Vec<(&SheetProduct, &QrSymbol)> = products.iter().zip(symbols).collect();
    match layout {
        SheetLayout::A4Grid => {
            let per_page = A4_COLUMNS * A4_ROWS;
            let mut pages = Vec::new();
            for chunk in items.chunks(per_page) {
                let mut page = Page::new(measure, A4_HEIGHT_MM, font_id);
                for (index, (product, symbol)) in chunk.iter().enumerate() {
                    page.a4_cell(a4_cell_frame(index), product, symbol);
                }
                pages.push(page.finish());
            }
            if pages.is_empty() {
                pages.push(Page::new(measure, A4_HEIGHT_MM, font_id).finish());
            }
            LaidOut {
                page_mm: (A4_WIDTH_MM, A4_HEIGHT_MM),
                pages,
            }
        }
        SheetLayout::Label(size) => {
            let (width_mm, height_mm) = size.mm();
            let mut pages: Vec<_> = items
                .iter()
                .map(|(product, symbol)| {
                    let mut page = Page::new(measure, height_mm, font_id);
                    page.label(width_mm, height_mm, product, symbol);
                    page.finish()
                })
                .collect();
            if pages.is_empty() {
                pages.push(Page::new(measure, height_mm, font_id).finish());
            }
            LaidOut {
                page_mm: (width_mm, height_mm),
                pages,
            }
        }
    }
}

/// Returns the frame of cell `index` (row by row) of an A4 grid.
fn a4_cell_frame(index: usize) -> Frame {
    let cell_width_mm = (A4_WIDTH_MM - 2.0 * A4_MARGIN_MM) / A4_COLUMNS as f32;
    let cell_height_mm = (A4_HEIGHT_MM - 2.0 * A4_MARGIN_MM) / A4_ROWS as f32;
    let column = index % A4_COLUMNS;
    let row = index / A4_COLUMNS;
    Frame {
        left_pt: mm_pt(A4_MARGIN_MM + column as f32 * cell_width_mm),
        top_pt: mm_pt(A4_MARGIN_MM + row as f32 * cell_height_mm),
        width_pt: mm_pt(cell_width_mm),
        height_pt: mm_pt(cell_height_mm),
    }
}

fn mm_pt(mm: f32) -> f32 {
    Pt::from(Mm(mm)).0
}

impl<'font> Page<'font> {
    fn new(measure: &'font TextMeasure<'font>, height_mm: f32, font_id: &FontId) -> Self {
        Page {
            measure,
            height_pt: mm_pt(height_mm),
            ops: Vec::new(),
            text: String::new(),
            font_id: font_id.clone(),
        }
    }

    /// Draws one A4 cell: cut line, name, QR code, caption and price, centred.
    fn a4_cell(&mut self, cell: Frame, product: &SheetProduct, symbol: &QrSymbol) {
        self.outline(cell, CUT_LINE_GREY);
        let padding_pt = mm_pt(A4_CELL_PADDING_MM);
        let inner = Frame {
            left_pt: cell.left_pt + padding_pt,
            top_pt: cell.top_pt + padding_pt,
            width_pt: cell.width_pt - 2.0 * padding_pt,
            height_pt: cell.height_pt - 2.0 * padding_pt,
        };

        let mut cursor_pt = inner.top_pt;
        cursor_pt = self.centred_lines(inner, cursor_pt, &product.name, A4_NAME_SIZE_PT, 2);
        let block_pt = mm_pt(A4_QR_BLOCK_MM);
        let left_pt = inner.left_pt + (inner.width_pt - block_pt) / 2.0;
        self.qr(left_pt, cursor_pt, block_pt, symbol);
        cursor_pt += block_pt;
        cursor_pt = self.centred_lines(inner, cursor_pt, A4_CAPTION, A4_CAPTION_SIZE_PT, 1);
        self.centred_lines(
            inner,
            cursor_pt,
            &format!("￥{}", product.price),
            A4_PRICE_SIZE_PT,
            1,
        );
    }

    /// Draws one label: the QR code on the left, as tall as the label allows while leaving a
    /// text column of [`LABEL_MIN_TEXT_MM`], and name and price on the right.
    fn label(&mut self, width_mm: f32, height_mm: f32, product: &SheetProduct, symbol: &QrSymbol) {
        let margin_pt = mm_pt(LABEL_MARGIN_MM);
        let block_mm = (height_mm - 2.0 * LABEL_MARGIN_MM)
            .min(width_mm - 2.0 * LABEL_MARGIN_MM - LABEL_GAP_MM - LABEL_MIN_TEXT_MM);
        let block_pt = mm_pt(block_mm);
        self.qr(margin_pt, margin_pt, block_pt, symbol);

        let text_left_pt = margin_pt + block_pt + mm_pt(LABEL_GAP_MM);
        let text = Frame {
            left_pt: text_left_pt,
            top_pt: margin_pt,
            width_pt: (mm_pt(width_mm) - margin_pt - text_left_pt).max(LABEL_NAME_SIZE_PT),
            height_pt: mm_pt(height_mm) - 2.0 * margin_pt,
        };
        let price_line_pt = LABEL_PRICE_SIZE_PT * LINE_HEIGHT_RATIO * LABEL_PRICE_MAX_LINES as f32;
        let name_line_pt = LABEL_NAME_SIZE_PT * LINE_HEIGHT_RATIO;
        let max_name_lines = ((text.height_pt - price_line_pt) / name_line_pt)
            .floor()
            .max(1.0);
        let cursor_pt = self.left_lines(
            text,
            text.top_pt,
            &product.name,
            LABEL_NAME_SIZE_PT,
            max_name_lines as usize,
        );
        self.left_lines(
            text,
            cursor_pt,
            &format!("￥{}", product.price),
            LABEL_PRICE_SIZE_PT,
            LABEL_PRICE_MAX_LINES,
        );
    }

    /// Writes `text` wrapped to the frame's width and centred; returns the cursor below it.
    fn centred_lines(
        &mut self,
        frame: Frame,
        top_pt: f32,
        text: &str,
        size_pt: f32,
        max_lines: usize,
    ) -> f32 {
        let mut cursor_pt = top_pt;
        for line in self.measure.wrap(text, size_pt, frame.width_pt, max_lines) {
            let width_pt = self.measure.width_pt(&line, size_pt);
            let x_pt = frame.left_pt + (frame.width_pt - width_pt).max(0.0) / 2.0;
            self.text_line(x_pt, cursor_pt, size_pt, line);
            cursor_pt += size_pt * LINE_HEIGHT_RATIO;
        }
        cursor_pt
    }

    /// Writes `text` wrapped to the frame's width, flush left; returns the cursor below it.
    fn left_lines(
        &mut self,
        frame: Frame,
        top_pt: f32,
        text: &str,
        size_pt: f32,
        max_lines: usize,
    ) -> f32 {
        let mut cursor_pt = top_pt;
        for line in self.measure.wrap(text, size_pt, frame.width_pt, max_lines) {
            self.text_line(frame.left_pt, cursor_pt, size_pt, line);
            cursor_pt += size_pt * LINE_HEIGHT_RATIO;
        }
        cursor_pt
    }

    fn text_line(&mut self, x_pt: f32, top_pt: f32, size_pt: f32, line: String) {
        self.text.push_str(&line);
        let baseline_pt = self.height_pt - (top_pt + size_pt * BASELINE_RATIO);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: grey(BLACK) },
            Op::SetFont {
                font: PdfFontHandle::External(self.font_id.clone()),
                size: Pt(size_pt),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x_pt),
                    y: Pt(baseline_pt),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(line)],
            },
            Op::EndTextSection,
        ]);
    }

    /// Draws the QR symbol with its quiet zone in a white square `block_pt` wide.
    fn qr(&mut self, left_pt: f32, top_pt: f32, block_pt: f32, symbol: &QrSymbol) {
        let modules = symbol.width_modules() + 2 * QR_QUIET_ZONE_MODULES;
        let module_pt = block_pt / modules as f32;
        let quiet_pt = QR_QUIET_ZONE_MODULES as f32 * module_pt;
        self.fill(&[[left_pt, top_pt, block_pt, block_pt]], WHITE);
        let rects: Vec<[f32; 4]> = symbol
            .dark_runs()
            .into_iter()
            .map(|run| {
                [
                    left_pt + quiet_pt + run.column as f32 * module_pt,
                    top_pt + quiet_pt + run.row as f32 * module_pt,
                    run.length as f32 * module_pt,
                    module_pt,
                ]
            })
            .collect();
        self.fill(&rects, BLACK);
    }

    /// Draws the four edges of `frame` as thin filled rectangles.
    fn outline(&mut self, frame: Frame, grey_level: f32) {
        let Frame {
            left_pt,
            top_pt,
            width_pt,
            height_pt,
        } = frame;
        let line_pt = CUT_LINE_WIDTH_PT;
        self.fill(
            &[
                [left_pt, top_pt, width_pt, line_pt],
                [left_pt, top_pt + height_pt - line_pt, width_pt, line_pt],
                [left_pt, top_pt, line_pt, height_pt],
                [left_pt + width_pt - line_pt, top_pt, line_pt, height_pt],
            ],
            grey_level,
        );
    }

    fn fill(&mut self, rects_pt: &[[f32; 4]], grey_level: f32) {
        self.ops.extend([
            Op::SetFillColor {
                col: grey(grey_level),
            },
            Op::DrawPolygon {
                polygon: rectangles_polygon(rects_pt, self.height_pt),
            },
        ]);
    }

    fn finish(self) -> LaidOutPage {
        LaidOutPage {
            ops: self.ops,
            text: self.text,
        }
    }
}

fn grey(level: f32) -> Color {
    Color::Greyscale(Greyscale::new(level, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(index: usize) -> SheetProduct {
        SheetProduct {
            name: format!("商品{index}"),
            price: Fen(1200),
            link: format!("weixin://wxpay/s/abc{index:04}"),
        }
    }

    #[test]
    fn last_a4_cell_stays_inside_the_margins() {
        let cell = a4_cell_frame(A4_COLUMNS * A4_ROWS - 1);
        let right_pt = cell.left_pt + cell.width_pt;
        let bottom_pt = cell.top_pt + cell.height_pt;
        assert!((right_pt - mm_pt(A4_WIDTH_MM - A4_MARGIN_MM)).abs() < 0.01);
        assert!((bottom_pt - mm_pt(A4_HEIGHT_MM - A4_MARGIN_MM)).abs() < 0.01);
    }

    #[test]
    fn a4_cell_content_fits_the_cell() {
        let cell_height_mm = (A4_HEIGHT_MM - 2.0 * A4_MARGIN_MM) / A4_ROWS as f32;
        let line_mm = |size_pt: f32| Mm::from(Pt(size_pt * LINE_HEIGHT_RATIO)).0;
        let content_mm = 2.0 * A4_CELL_PADDING_MM
            + 2.0 * line_mm(A4_NAME_SIZE_PT)
            + A4_QR_BLOCK_MM
            + line_mm(A4_CAPTION_SIZE_PT)
            + line_mm(A4_PRICE_SIZE_PT);
        assert!(
            content_mm <= cell_height_mm,
            "{content_mm} > {cell_height_mm}"
        );
    }

    #[test]
    fn sheet_renders_as_pdf() {
        let products: Vec<_> = (0..13).map(product).collect();
        let pdf = render_product_sheet_pdf(&products, SheetLayout::A4Grid, "t").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn label_sizes_parse() {
        assert_eq!(LabelSize::parse("40x30"), Some(LabelSize::Mm40x30));
        assert_eq!(
            LabelSize::parse("50x30").map(LabelSize::mm),
            Some((50.0, 30.0))
        );
        assert_eq!(LabelSize::parse("30x20"), None);
    }
}
