//! PDF checkout slips and receipts of a `ReceiptModel`: the page text decoded back, the page
//! rasterised with `pdftoppm` and its QR code decoded back to the exact payload, the size, and
//! identical output when printed again. The `pdftoppm` and `pdftotext` checks print a note and
//! skip when poppler-utils is missing.

mod printer_support;

use std::fs;
use std::path::Path;
use std::process::Command;

use printer_support::{decode_qr_grey, paid_model, payload_of_len, slip_model};
use printpdf::{Op, PdfDocument, PdfParseOptions, TextItem};
use wxpay_pos::receipt::{PaperWidth, ReceiptModel, render_model_pdf, write_model_pdf};

const SHORT_LINK: &str = "weixin://wxpay/s/An4baqw";

/// Size limit for one receipt PDF, with only the page's glyphs embedded.
const MAX_PDF_BYTES: usize = 200 * 1024;

/// Resolution of a receipt printer: 203 dpi, 8 dots per mm.
const PRINTER_DPI: &str = "203";

fn page_text(pdf: &[u8]) -> String {
    let mut warnings = Vec::new();
    let doc = PdfDocument::parse(pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
    let mut text = String::new();
    for op in &doc.pages[0].ops {
        if let Op::ShowText { items } = op {
            for item in items {
                match item {
                    TextItem::Text(run) => text.push_str(run),
                    TextItem::GlyphIds(glyphs) => {
                        for glyph in glyphs {
                            text.push_str(glyph.cid.as_deref().unwrap_or("\u{FFFD}"));
                        }
                    }
                    TextItem::Offset(_) => {}
                }
            }
            text.push('\n');
        }
    }
    text
}

fn page_width_mm(pdf: &[u8]) -> f32 {
    let mut warnings = Vec::new();
    let doc = PdfDocument::parse(pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
    assert_eq!(doc.pages.len(), 1);
    doc.pages[0].media_box.width.0 * 25.4 / 72.0
}

fn poppler_available() -> bool {
    let found = Command::new("pdftoppm").arg("-v").output().is_ok()
        && Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        eprintln!("note: skipped, pdftoppm or pdftotext not found (apt-get install poppler-utils)");
    }
    found
}

/// A greyscale page image.
struct Greyscale {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

/// Rasterises the first page of `pdf` with `pdftoppm -gray` at the printer's resolution.
fn rasterise(pdf: &[u8], dir: &Path) -> Greyscale {
    let pdf_path = dir.join("page.pdf");
    fs::write(&pdf_path, pdf).unwrap();
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-gray", "-r", PRINTER_DPI, "-singlefile"])
        .arg(&pdf_path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed: {status}");
    parse_pgm(&fs::read(dir.join("page.pgm")).unwrap())
}

/// Parses a binary PGM (`P5`) with 8-bit samples.
fn parse_pgm(bytes: &[u8]) -> Greyscale {
    let mut fields = Vec::new();
    let mut position = 0;
    while fields.len() < 4 {
        while bytes[position].is_ascii_whitespace() {
            position += 1;
        }
        let start = position;
        while !bytes[position].is_ascii_whitespace() {
            position += 1;
        }
        fields.push(String::from_utf8(bytes[start..position].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    assert_eq!(fields[3], "255");
    let width: usize = fields[1].parse().unwrap();
    let height: usize = fields[2].parse().unwrap();
    let pixels = bytes[position + 1..].to_vec();
    assert_eq!(pixels.len(), width * height);
    Greyscale {
        width,
        height,
        pixels,
    }
}

fn decode_page_qr(image: &Greyscale) -> String {
    decode_qr_grey(image.width, image.height, |x, y| {
        image.pixels[y * image.width + x]
    })
}

fn pdftotext(pdf: &[u8], dir: &Path) -> String {
    let path = dir.join("text.pdf");
    fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn checkout_slip_text_decodes() {
    let text = page_text(&render_model_pdf(&slip_model(SHORT_LINK), PaperWidth::Mm80).unwrap());
    for expected in [
        "老王便利店",
        "结账小票",
        "应付金额 Amount due",
        "￥19.90",
        "拿铁咖啡 大杯 ×2",
        "-￥20.00",
        "有效期至 2024-05-01 16:03:07",
        "请用微信扫码支付",
        "POS01",
        "谢谢惠顾 Thank you",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    assert!(!text.contains("微信支付单号"), "{text}");
}

#[test]
fn paper_width_sets_page_width() {
    for (paper, expected_mm) in [(PaperWidth::Mm58, 58.0), (PaperWidth::Mm80, 80.0)] {
        let pdf = render_model_pdf(&paid_model(SHORT_LINK), paper).unwrap();
        let width_mm = page_width_mm(&pdf);
        assert!(
            (width_mm - expected_mm).abs() < 0.1,
            "{paper:?}: {width_mm} mm"
        );
    }
}

#[test]
fn pdf_stays_under_size_limit() {
    let mut model = paid_model(&payload_of_len(252));
    model.footer = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳".to_owned();
    let pdf = render_model_pdf(&model, PaperWidth::Mm80).unwrap();
    assert!(pdf.len() < MAX_PDF_BYTES, "{} bytes", pdf.len());
}

#[test]
fn rasterised_qr_decodes_to_exact_payload() {
    if !poppler_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let models: Vec<ReceiptModel> = vec![
        paid_model(SHORT_LINK),
        slip_model(SHORT_LINK),
        paid_model(&payload_of_len(252)),
    ];
    for model in models {
        for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let pdf = render_model_pdf(&model, paper).unwrap();
            let image = rasterise(&pdf, dir.path());
            assert_eq!(
                decode_page_qr(&image),
                model.qr_payload,
                "{paper:?}, paid: {}",
                model.is_paid()
            );
        }
    }
}

#[test]
fn extracted_text_has_merchant_and_amount() {
    if !poppler_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for model in [paid_model(SHORT_LINK), slip_model(SHORT_LINK)] {
        let text = pdftotext(
            &render_model_pdf(&model, PaperWidth::Mm80).unwrap(),
            dir.path(),
        );
        assert!(text.contains("老王便利店"), "pdftotext output:\n{text}");
        assert!(text.contains("19.90"), "pdftotext output:\n{text}");
    }
}

#[test]
fn reprinted_pdf_looks_identical() {
    let model = paid_model(SHORT_LINK);
    let first = render_model_pdf(&model, PaperWidth::Mm80).unwrap();
    let second = render_model_pdf(&model, PaperWidth::Mm80).unwrap();
    assert_eq!(page_text(&first), page_text(&second));

    if !poppler_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let first_image = rasterise(&first, dir.path());
    let second_image = rasterise(&second, dir.path());
    assert_eq!(first_image.width, second_image.width);
    assert_eq!(first_image.height, second_image.height);
    assert!(first_image.pixels == second_image.pixels, "pages differ");
}

#[test]
fn slip_and_receipt_get_their_own_files() {
    let dir = tempfile::tempdir().unwrap();

    let slip = write_model_pdf(&slip_model(SHORT_LINK), dir.path()).unwrap();
    let receipt = write_model_pdf(&paid_model(SHORT_LINK), dir.path()).unwrap();

    assert_eq!(slip, dir.path().join("slip-20240501140307001.pdf"));
    assert_eq!(receipt, dir.path().join("receipt-20240501140307001.pdf"));
    assert!(page_text(&fs::read(&slip).unwrap()).contains("结账小票"));
    assert!(page_text(&fs::read(&receipt).unwrap()).contains("收款凭证"));
}
