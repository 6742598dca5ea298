//! Rendering a checkout slip or receipt as a one-page PDF the width of a receipt roll, and a
//! longer document such as a report as pages of that width.

use printpdf::{Mm, PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Pt};

use super::content::{Block, Gap, SINGLE_LINE, TextStyle, receipt_blocks};
use super::font::{TextMeasure, load_receipt_font};
use super::layout::{Align, BLACK, LABEL_GREY, Sheet};
use super::model::{PaperWidth, ReceiptModel};
use super::qr::{MAX_QR_WIDTH_MODULES, QR_QUIET_ZONE_MODULES, QrSymbol};
use super::subset::subset_for_chars;
use super::{ReceiptData, ReceiptError};

/// Margin on every side. Thermal printers print a band 48 mm wide on 58 mm paper and 72 mm
/// wide on 80 mm paper, and 5 mm margins keep the content inside it.
const PAGE_MARGIN: Mm = Mm(5.0);

/// Width of the QR symbol without its quiet zone. At this width each module of the densest
/// accepted symbol (65 modules) is still 0.5 mm, and the smallest (21 modules) is 1.6 mm.
/// With its quiet zone the smallest symbol is 47 mm wide, which still fits 58 mm paper.
const QR_SYMBOL_WIDTH: Mm = Mm(34.0);

const HEADING_SIZE_PT: f32 = 13.0;
const TITLE_SIZE_PT: f32 = 11.0;
const AMOUNT_SIZE_PT: f32 = 24.0;
const SMALL_SIZE_PT: f32 = 7.0;
const BODY_SIZE_PT: f32 = 9.5;
const NOTICE_SIZE_PT: f32 = 10.0;

/// Lines an item name may take in a row, beside its amount.
const ROW_MAX_LINES: usize = 2;

const RULE_THICKNESS: Mm = Mm(0.2);
const RULE_GAP: Mm = Mm(2.5);
const SMALL_GAP: Mm = Mm(1.2);
const MEDIUM_GAP: Mm = Mm(1.5);
const LARGE_GAP: Mm = Mm(3.0);

/// Renders the receipt of `data` as a one-page PDF for 80 mm paper and returns the file's
/// bytes. It is [`render_model_pdf`] of the [`ReceiptModel`] made from `data`.
pub fn render_receipt_pdf(data: &ReceiptData) -> Result<Vec<u8>, ReceiptError> {
    render_model_pdf(&ReceiptModel::from(data), PaperWidth::Mm80)
}

/// Renders `model` as a one-page PDF `paper` wide and returns the file's bytes.
///
/// The page is as tall as its content. All text is set in Noto Sans SC, so it can be selected
/// and searched, and the PDF embeds only the glyphs the page shows. Lines are measured and
/// wrapped with the full font. The QR code is drawn as vector rectangles, which stay sharp
/// at any printer resolution. NOTE: characters outside GB 2312, ASCII and common punctuation
/// (rare names, emoji) are not in that font and print as empty boxes.
pub fn render_model_pdf(model: &ReceiptModel, paper: PaperWidth) -> Result<Vec<u8>, ReceiptError> {
    let title = if model.is_paid() {
        "收款凭证"
    } else {
        "结账小票"
    };
    render_blocks_pdf(
        &receipt_blocks(model),
        paper,
        &format!("{title} {}", model.out_trade_no),
        Pagination::OnePage,
    )
}

/// Page split of a rendered document: one page, or pages up to a maximum height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Pagination {
    /// One page as tall as the content, for slips and receipts, which a roll printer prints
    /// in one piece.
    OnePage,
    /// Pages at most this tall. Content that would pass the bottom margin continues on the
    /// next page, and each page is as tall as its content.
    MaxPageHeight(Mm),
}

/// Renders `blocks` as a PDF `paper` wide, on one page or several as `pagination` sets, with
/// `title` as the document title.
pub(crate) fn render_blocks_pdf(
    blocks: &[Block],
    paper: PaperWidth,
    title: &str,
    pagination: Pagination,
) -> Result<Vec<u8>, ReceiptError> {
    let full_font = load_receipt_font()?;
    let page_width = Mm(paper.mm() as f32);
    let max_page_height = match pagination {
        Pagination::OnePage => None,
        Pagination::MaxPageHeight(height) => Some(height),
    };
    let mut sheet = Sheet::new(
        TextMeasure::new(&full_font),
        page_width,
        PAGE_MARGIN,
        max_page_height,
    );
    for block in blocks {
        draw_block(&mut sheet, block)?;
    }

    let page_font = subset_for_chars(&full_font, sheet.text_chars())?;
    let mut doc = PdfDocument::new(title);
    let font_id = doc.add_font(&page_font);
    let pages = sheet
        .finish(&font_id)
        .into_iter()
        .map(|(page_height, ops)| PdfPage::new(page_width, page_height, ops))
        .collect();
    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(pages)
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

fn draw_block(sheet: &mut Sheet<'_>, block: &Block) -> Result<(), ReceiptError> {
    match block {
        Block::Centered {
            text,
            style,
            max_lines,
        } => {
            let (size_pt, grey) = text_style(*style);
            sheet.paragraph(text, size_pt, grey, Align::Center, *max_lines);
        }
        Block::Field {
            label,
            value,
            max_lines,
        } => {
            sheet.paragraph(label, SMALL_SIZE_PT, LABEL_GREY, Align::Left, SINGLE_LINE);
            sheet.paragraph(value, BODY_SIZE_PT, BLACK, Align::Left, *max_lines);
        }
        Block::Label(label) => {
            sheet.paragraph(label, SMALL_SIZE_PT, LABEL_GREY, Align::Left, SINGLE_LINE);
        }
        Block::Phrases { phrases, max_lines } => {
            sheet.phrases(phrases, BODY_SIZE_PT, BLACK, *max_lines);
        }
        Block::Row { left, right } => {
            sheet.row(left, right, BODY_SIZE_PT, BLACK, ROW_MAX_LINES);
        }
        Block::Amount(amount) => {
            sheet.paragraph(amount, AMOUNT_SIZE_PT, BLACK, Align::Center, SINGLE_LINE);
        }
        Block::Rule => sheet.rule(RULE_THICKNESS, RULE_GAP),
        Block::Gap(gap) => sheet.skip(gap_height(*gap)),
        Block::Qr { payload } => {
            let symbol = QrSymbol::encode(payload, MAX_QR_WIDTH_MODULES)?;
            draw_qr(sheet, &symbol);
        }
    }
    Ok(())
}

/// Returns the font size and grey level of a text style.
fn text_style(style: TextStyle) -> (f32, f32) {
    match style {
        TextStyle::Heading => (HEADING_SIZE_PT, BLACK),
        TextStyle::Title => (TITLE_SIZE_PT, BLACK),
        TextStyle::Notice => (NOTICE_SIZE_PT, BLACK),
        TextStyle::Body => (BODY_SIZE_PT, BLACK),
        TextStyle::Small => (SMALL_SIZE_PT, LABEL_GREY),
    }
}

fn gap_height(gap: Gap) -> Mm {
    match gap {
        Gap::Small => SMALL_GAP,
        Gap::Medium => MEDIUM_GAP,
        Gap::Large => LARGE_GAP,
    }
}

/// Draws the QR symbol with its quiet zone, centred.
fn draw_qr(sheet: &mut Sheet<'_>, symbol: &QrSymbol) {
    let width_modules = symbol.width_modules();
    let module_pt = Pt::from(QR_SYMBOL_WIDTH).0 / width_modules as f32;
    let quiet_zone_pt = QR_QUIET_ZONE_MODULES as f32 * module_pt;
    let block_side_pt = (width_modules + 2 * QR_QUIET_ZONE_MODULES) as f32 * module_pt;

    let rects_pt = symbol
        .dark_runs()
        .into_iter()
        .map(|run| {
            [
                quiet_zone_pt + run.column as f32 * module_pt,
                quiet_zone_pt + run.row as f32 * module_pt,
                run.length as f32 * module_pt,
                module_pt,
            ]
        })
        .collect();
    sheet.square_block(Mm::from(Pt(block_side_pt)), rects_pt);
}

#[cfg(test)]
mod tests {
    use printpdf::{Op, PdfParseOptions, TextItem};

    use super::*;

    const ROW_COUNT: usize = 60;

    fn numbered_rows() -> Vec<Block> {
        (1..=ROW_COUNT)
            .map(|number| Block::Row {
                left: format!("第 {number} 行 Row {number}"),
                right: format!("￥{number}.00"),
            })
            .collect()
    }

    /// Returns each page's height in millimetres and the text it shows.
    fn pages(pdf: &[u8]) -> Vec<(f32, String)> {
        let mut warnings = Vec::new();
        let doc = PdfDocument::parse(pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
        doc.pages
            .iter()
            .map(|page| {
                let mut text = String::new();
                for op in &page.ops {
                    if let Op::ShowText { items } = op {
                        for item in items {
                            match item {
                                TextItem::Text(run) => text.push_str(run),
                                TextItem::GlyphIds(glyphs) => {
                                    for glyph in glyphs {
                                        text.push_str(glyph.cid.as_deref().unwrap_or("?"));
                                    }
                                }
                                TextItem::Offset(_) => {}
                            }
                        }
                        text.push('\n');
                    }
                }
                (page.media_box.height.0 * 25.4 / 72.0, text)
            })
            .collect()
    }

    #[test]
    fn long_document_continues_on_next_pages() {
        let pagination = Pagination::MaxPageHeight(Mm(100.0));
        let pdf = render_blocks_pdf(&numbered_rows(), PaperWidth::Mm80, "rows", pagination);
        let pages = pages(&pdf.unwrap());

        assert!(pages.len() > 1, "{} page(s)", pages.len());
        for (height_mm, _) in &pages {
            assert!(*height_mm <= 100.0, "page is {height_mm} mm tall");
        }
        let text: String = pages.iter().map(|(_, text)| text.as_str()).collect();
        for number in 1..=ROW_COUNT {
            assert!(
                text.contains(&format!("Row {number}\n")),
                "row {number} missing"
            );
            assert!(
                text.contains(&format!("￥{number}.00\n")),
                "amount {number} missing"
            );
        }
    }

    #[test]
    fn one_page_grows_to_fit() {
        let pdf = render_blocks_pdf(
            &numbered_rows(),
            PaperWidth::Mm80,
            "rows",
            Pagination::OnePage,
        );
        let pages = pages(&pdf.unwrap());

        assert_eq!(pages.len(), 1);
        assert!(pages[0].0 > 100.0, "page is {} mm tall", pages[0].0);
    }
}
