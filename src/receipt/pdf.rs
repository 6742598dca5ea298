//! Rendering a paid order as a one-page PDF slip for an 80 mm receipt roll.

use chrono::FixedOffset;
use printpdf::{Mm, PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Pt};

use super::font::{TextMeasure, load_receipt_font};
use super::layout::{Align, BLACK, LABEL_GREY, Sheet};
use super::qr::{QR_QUIET_ZONE_MODULES, QrSymbol};
use super::subset::subset_for_chars;
use super::{ReceiptData, ReceiptError};

/// Width of an 80 mm receipt roll.
const PAGE_WIDTH: Mm = Mm(80.0);

/// Margin on every side. Most 80 mm thermal printers print a band 72 mm wide (576 dots at
/// 203 dpi), and 5 mm margins keep the content inside it.
const PAGE_MARGIN: Mm = Mm(5.0);

/// Width of the QR symbol without its quiet zone. At this width each module of the densest
/// accepted symbol (65 modules) is still 0.5 mm, and the smallest (21 modules) is 1.6 mm.
const QR_SYMBOL_WIDTH: Mm = Mm(34.0);

/// China Standard Time (UTC+8), the time WeChat Pay reports and cashiers read.
const BEIJING_OFFSET_SECS: i32 = 8 * 3600;

/// Format of the payment time: `2024-05-01 14:03:07`.
const PAID_AT_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Printed in place of an empty field, so a blank is visibly a blank.
const EMPTY_FIELD: &str = "—";

const MERCHANT_SIZE_PT: f32 = 13.0;
const TITLE_SIZE_PT: f32 = 11.0;
const AMOUNT_SIZE_PT: f32 = 24.0;
const LABEL_SIZE_PT: f32 = 7.0;
const VALUE_SIZE_PT: f32 = 9.5;
const DEMO_SIZE_PT: f32 = 10.0;

/// Line limits for free text: merchant names and item descriptions are short in practice,
/// and the limit keeps an overlong value from running the slip off the roll.
const MERCHANT_MAX_LINES: usize = 3;
const BODY_MAX_LINES: usize = 4;
const SINGLE_LINE: usize = 1;
const ID_MAX_LINES: usize = 2;

const RULE_THICKNESS: Mm = Mm(0.2);
const RULE_GAP: Mm = Mm(2.5);
const FIELD_GAP: Mm = Mm(1.2);

/// Renders `data` as a one-page PDF and returns the file's bytes.
///
/// The page is 80 mm wide and as tall as its content. All text is set in Noto Sans SC, and
/// the PDF embeds only the glyphs the page shows. Lines are measured and wrapped with the
/// full font. NOTE: characters outside GB 2312, ASCII and common punctuation (rare names,
/// emoji) are not in that font and print as empty boxes.
pub fn render_receipt_pdf(data: &ReceiptData) -> Result<Vec<u8>, ReceiptError> {
    let full_font = load_receipt_font()?;
    let qr_symbol = QrSymbol::encode(&data.qr_link)?;

    let mut sheet = Sheet::new(TextMeasure::new(&full_font), PAGE_WIDTH, PAGE_MARGIN);
    write_header(&mut sheet, data);
    write_amount(&mut sheet, data);
    write_fields(&mut sheet, data);
    draw_qr(&mut sheet, &qr_symbol);

    let page_font = subset_for_chars(&full_font, sheet.text_chars())?;
    let mut doc = PdfDocument::new(&format!("收款凭证 {}", data.out_trade_no));
    let font_id = doc.add_font(&page_font);
    let (page_height, ops) = sheet.finish(&font_id);
    let page = PdfPage::new(PAGE_WIDTH, page_height, ops);
    let mut warnings = Vec::new();
    let bytes = doc
        .with_pages(vec![page])
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

/// Writes the merchant name, the title and, in demo mode, the warning that no money moved.
fn write_header(sheet: &mut Sheet<'_>, data: &ReceiptData) {
    let merchant_name = non_empty(&data.merchant_name);
    sheet.paragraph(
        merchant_name,
        MERCHANT_SIZE_PT,
        BLACK,
        Align::Center,
        MERCHANT_MAX_LINES,
    );
    sheet.skip(Mm(1.0));
    sheet.paragraph(
        "微信支付 收款凭证",
        TITLE_SIZE_PT,
        BLACK,
        Align::Center,
        SINGLE_LINE,
    );
    sheet.paragraph(
        "WeChat Pay receipt",
        LABEL_SIZE_PT,
        LABEL_GREY,
        Align::Center,
        SINGLE_LINE,
    );

    if data.demo_mode {
        sheet.skip(Mm(1.5));
        sheet.paragraph(
            "演示模式（非真实交易）",
            DEMO_SIZE_PT,
            BLACK,
            Align::Center,
            SINGLE_LINE,
        );
        sheet.paragraph(
            "Demo mode, not a real transaction",
            LABEL_SIZE_PT,
            LABEL_GREY,
            Align::Center,
            SINGLE_LINE,
        );
    }
    sheet.rule(RULE_THICKNESS, RULE_GAP);
}

fn write_amount(sheet: &mut Sheet<'_>, data: &ReceiptData) {
    sheet.paragraph(
        "金额 Amount",
        LABEL_SIZE_PT,
        LABEL_GREY,
        Align::Center,
        SINGLE_LINE,
    );
    let amount = format!("￥{}", data.amount);
    sheet.paragraph(&amount, AMOUNT_SIZE_PT, BLACK, Align::Center, SINGLE_LINE);
    sheet.rule(RULE_THICKNESS, RULE_GAP);
}

/// Writes the order fields, each as a grey label line over its value.
fn write_fields(sheet: &mut Sheet<'_>, data: &ReceiptData) {
    let paid_at = beijing_time_text(data);
    let fields = [
        ("商品 Item", data.body.as_str(), BODY_MAX_LINES),
        (
            "商户订单号 Merchant order no.",
            data.out_trade_no.as_str(),
            ID_MAX_LINES,
        ),
        (
            "微信支付单号 WeChat Pay transaction no.",
            data.transaction_id.as_str(),
            ID_MAX_LINES,
        ),
        (
            "支付时间 Paid at (Beijing time)",
            paid_at.as_str(),
            SINGLE_LINE,
        ),
    ];
    for (index, (label, value, max_lines)) in fields.into_iter().enumerate() {
        if index > 0 {
            sheet.skip(FIELD_GAP);
        }
        sheet.paragraph(label, LABEL_SIZE_PT, LABEL_GREY, Align::Left, SINGLE_LINE);
        sheet.paragraph(
            non_empty(value),
            VALUE_SIZE_PT,
            BLACK,
            Align::Left,
            max_lines,
        );
    }
    sheet.rule(RULE_THICKNESS, RULE_GAP);
}

/// Draws the QR code of the order link with its quiet zone, and the caption under it.
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

    sheet.paragraph(
        "扫码查看订单",
        VALUE_SIZE_PT,
        BLACK,
        Align::Center,
        SINGLE_LINE,
    );
    sheet.paragraph(
        "Scan to view the order",
        LABEL_SIZE_PT,
        LABEL_GREY,
        Align::Center,
        SINGLE_LINE,
    );
}

/// Formats the payment time in Beijing time, whatever offset `paid_at` carries.
fn beijing_time_text(data: &ReceiptData) -> String {
    // chrono 0.4 `east_opt` returns `None` only outside ±24 h, so the fallback never runs.
    let beijing = FixedOffset::east_opt(BEIJING_OFFSET_SECS).unwrap_or(*data.paid_at.offset());
    data.paid_at
        .with_timezone(&beijing)
        .format(PAID_AT_FORMAT)
        .to_string()
}

fn non_empty(value: &str) -> &str {
    if value.trim().is_empty() {
        EMPTY_FIELD
    } else {
        value
    }
}
