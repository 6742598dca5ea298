//! Receipt PDF rendering and writing, checked on the bytes, by parsing them back with
//! printpdf, and (when poppler-utils and zbar-tools are installed) with the same tools a
//! person would use: `pdftotext`, `pdftoppm` and `zbarimg`.

use std::fs;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, FixedOffset};
use printpdf::{Op, PdfDocument, PdfParseOptions, TextItem};
use wxpay_pos::money::Fen;
use wxpay_pos::receipt::{
    PaperWidth, ReceiptData, ReceiptError, ReceiptModel, render_model_pdf, render_receipt_pdf,
    write_receipt_pdf,
};

const QR_LINK: &str = "https://pos.example/orders/20240501140307001";

/// Size limit for one receipt PDF. With only the page's glyphs embedded, the sample receipt
/// is about 18 KB (printpdf 0.12.8). Embedding the whole 2 MB font made it about 1.3 MB.
const MAX_RECEIPT_PDF_BYTES: usize = 100 * 1024;

/// The first 128 characters of the Thousand Character Classic, all distinct, to fill a
/// receipt with many different glyphs.
const MANY_DISTINCT_CHARS: &str = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳\
    云腾致雨露结为霜金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔\
    龙师火帝鸟官人皇始制文字乃服衣裳推位让国有虞陶唐吊民伐罪周发殷汤坐朝问道垂拱平章\
    爱育黎首臣伏戎羌遐迩一体率宾归王";

fn sample() -> ReceiptData {
    ReceiptData {
        merchant_name: "老王便利店 Lao Wang Store".to_owned(),
        out_trade_no: "20240501140307001".to_owned(),
        transaction_id: "4200001234202405011234567890".to_owned(),
        body: "拿铁咖啡 大杯 ×2".to_owned(),
        amount: Fen(1990),
        // 06:03:07 UTC is 14:03:07 in Beijing.
        paid_at: DateTime::parse_from_rfc3339("2024-05-01T06:03:07Z").unwrap(),
        qr_link: QR_LINK.to_owned(),
        demo_mode: true,
    }
}

/// Returns every string shown on the first page, as printpdf decodes it from the PDF.
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

fn tool_available(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn dir_entries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn rendered_receipt_is_a_pdf() {
    let pdf = render_receipt_pdf(&sample()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "missing %PDF- header");
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(32)..]).into_owned();
    assert!(
        tail.trim_end().ends_with("%%EOF"),
        "missing %%EOF trailer: {tail:?}"
    );
}

#[test]
fn rendered_page_is_80_mm_wide() {
    let pdf = render_receipt_pdf(&sample()).unwrap();
    let mut warnings = Vec::new();
    let doc = PdfDocument::parse(&pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
    assert_eq!(doc.pages.len(), 1);

    let media_box = &doc.pages[0].media_box;
    let width_mm = media_box.width.0 * 25.4 / 72.0;
    let height_mm = media_box.height.0 * 25.4 / 72.0;
    assert!((width_mm - 80.0).abs() < 0.1, "width is {width_mm} mm");
    assert!(
        (100.0..250.0).contains(&height_mm),
        "height is {height_mm} mm"
    );
}

#[test]
fn rendered_text_decodes_to_the_order_details() {
    let text = page_text(&render_receipt_pdf(&sample()).unwrap());
    for expected in [
        "老王便利店 Lao Wang Store",
        "微信支付 收款凭证",
        "￥19.90",
        "拿铁咖啡 大杯 ×2",
        "20240501140307001",
        "4200001234202405011234567890",
        "2024-05-01 14:03:07",
        "演示模式（非真实交易）",
        "扫码查看订单",
        "Scan to view the order",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in page text:\n{text}"
        );
    }
}

#[test]
fn receipt_data_renders_as_its_model() {
    let data = sample();
    let from_data = page_text(&render_receipt_pdf(&data).unwrap());
    let from_model =
        page_text(&render_model_pdf(&ReceiptModel::from(&data), PaperWidth::Mm80).unwrap());
    assert_eq!(from_data, from_model);
    assert!(
        !from_data.contains("终端号"),
        "no terminal id was given:\n{from_data}"
    );
}

#[test]
fn demo_line_only_in_demo_mode() {
    let data = ReceiptData {
        demo_mode: false,
        ..sample()
    };
    let text = page_text(&render_receipt_pdf(&data).unwrap());
    assert!(
        !text.contains("演示模式"),
        "demo line printed for a real payment:\n{text}"
    );
    assert!(text.contains("收款凭证"));
}

#[test]
fn paid_at_is_printed_in_beijing_time() {
    let data = ReceiptData {
        // 2024-05-01 23:30 in New York (UTC-4) is 11:30 the next day in Beijing.
        paid_at: DateTime::<FixedOffset>::parse_from_rfc3339("2024-05-01T23:30:00-04:00").unwrap(),
        ..sample()
    };
    let text = page_text(&render_receipt_pdf(&data).unwrap());
    assert!(text.contains("2024-05-02 11:30:00"), "page text:\n{text}");
}

#[test]
fn long_body_stays_on_one_page() {
    let data = ReceiptData {
        body: "超长商品描述".repeat(50),
        merchant_name: "Merchant ".repeat(40),
        ..sample()
    };
    let pdf = render_receipt_pdf(&data).unwrap();
    let mut warnings = Vec::new();
    let doc = PdfDocument::parse(&pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
    assert_eq!(doc.pages.len(), 1);
    let height_mm = doc.pages[0].media_box.height.0 * 25.4 / 72.0;
    assert!(height_mm < 250.0, "height is {height_mm} mm");
    assert!(page_text(&pdf).contains('…'), "cut text has no ellipsis");
}

#[test]
fn typical_receipt_is_under_size_limit() {
    let pdf = render_receipt_pdf(&sample()).unwrap();
    assert!(
        pdf.len() < MAX_RECEIPT_PDF_BYTES,
        "receipt is {} bytes, limit {MAX_RECEIPT_PDF_BYTES}",
        pdf.len()
    );
}

#[test]
fn many_glyphs_stay_under_size_limit() {
    // The merchant name takes its 3 lines (about 45 characters), the item its 4 lines.
    let (merchant_chars, body_chars) = MANY_DISTINCT_CHARS.split_at(45 * '天'.len_utf8());
    let data = ReceiptData {
        merchant_name: merchant_chars.to_owned(),
        body: body_chars.to_owned(),
        ..sample()
    };

    let pdf = render_receipt_pdf(&data).unwrap();

    assert!(
        pdf.len() < MAX_RECEIPT_PDF_BYTES,
        "receipt is {} bytes, limit {MAX_RECEIPT_PDF_BYTES}",
        pdf.len()
    );
    let text = page_text(&pdf);
    assert!(text.contains("天地玄黄"), "page text:\n{text}");
}

#[test]
fn missing_chars_still_render() {
    // The receipt font has no emoji, no ë (U+00EB) and no CJK Extension B (U+20000).
    let data = ReceiptData {
        body: "拿铁 \u{1F600} ë \u{20000} end".to_owned(),
        ..sample()
    };

    let text = page_text(&render_receipt_pdf(&data).unwrap());

    assert!(text.contains("拿铁"), "page text:\n{text}");
    assert!(text.contains("end"), "page text:\n{text}");
    assert!(text.contains("收款凭证"), "page text:\n{text}");
}

#[test]
fn overlong_qr_link_is_rejected() {
    let data = ReceiptData {
        qr_link: format!("https://pos.example/{}", "a".repeat(4000)),
        ..sample()
    };
    let result = render_receipt_pdf(&data);
    assert!(
        matches!(result, Err(ReceiptError::QrEncode { .. })),
        "got {result:?}"
    );
}

#[test]
fn written_receipt_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let receipts_dir = dir.path().join("receipts").join("2024");

    let path = write_receipt_pdf(&sample(), &receipts_dir).unwrap();

    assert_eq!(path, receipts_dir.join("receipt-20240501140307001.pdf"));
    let bytes = fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let tail = String::from_utf8_lossy(&bytes[bytes.len() - 32..]).into_owned();
    assert!(
        tail.trim_end().ends_with("%%EOF"),
        "file is truncated: {tail:?}"
    );
    assert!(page_text(&bytes).contains("收款凭证"));
    assert_eq!(
        dir_entries(&receipts_dir),
        ["receipt-20240501140307001.pdf"]
    );
}

#[test]
fn written_receipt_replaces_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let old_path = dir.path().join("receipt-20240501140307001.pdf");
    fs::write(&old_path, b"old").unwrap();

    let path = write_receipt_pdf(&sample(), dir.path()).unwrap();

    assert_eq!(path, old_path);
    assert!(fs::read(&path).unwrap().starts_with(b"%PDF-"));
    assert_eq!(dir_entries(dir.path()).len(), 1);
}

#[test]
fn failed_rename_leaves_no_file() {
    // A non-empty folder at the receipt's name cannot be replaced by a file, even by root.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("receipt-20240501140307001.pdf");
    fs::create_dir(&blocker).unwrap();
    fs::write(blocker.join("keep"), b"x").unwrap();

    let result = write_receipt_pdf(&sample(), dir.path());

    match result {
        Err(ReceiptError::Write { path, .. }) => assert_eq!(path, blocker),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert_eq!(dir_entries(dir.path()), ["receipt-20240501140307001.pdf"]);
    assert!(blocker.is_dir());
}

#[test]
fn folder_under_a_file_gives_create_dir_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    fs::write(&file, b"x").unwrap();
    let receipts_dir = file.join("receipts");

    let err = write_receipt_pdf(&sample(), &receipts_dir).unwrap_err();

    assert!(matches!(err, ReceiptError::CreateDir { .. }), "got {err:?}");
    assert!(
        err.to_string().contains(&*receipts_dir.to_string_lossy()),
        "{err}"
    );
    assert_eq!(dir_entries(dir.path()), ["not-a-folder"]);
}

#[cfg(unix)]
#[test]
fn read_only_folder_gives_write_error() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let read_only = dir.path().join("read-only");
    fs::create_dir(&read_only).unwrap();
    fs::set_permissions(&read_only, fs::Permissions::from_mode(0o555)).unwrap();

    // root ignores folder permissions, and CI runs as root.
    if fs::write(read_only.join("probe"), b"x").is_ok() {
        eprintln!("note: skipped, this user can write to a read-only folder (root)");
        return;
    }

    let err = write_receipt_pdf(&sample(), &read_only).unwrap_err();

    let final_path = read_only.join("receipt-20240501140307001.pdf");
    match &err {
        ReceiptError::Write { path, .. } => assert_eq!(path, &final_path),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert!(
        err.to_string().contains(&*final_path.to_string_lossy()),
        "{err}"
    );
    assert!(dir_entries(&read_only).is_empty());
}

#[test]
fn invalid_out_trade_no_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = ReceiptData {
        out_trade_no: "../escape".to_owned(),
        ..sample()
    };

    let err = write_receipt_pdf(&data, dir.path()).unwrap_err();

    assert!(
        matches!(err, ReceiptError::InvalidOutTradeNo { .. }),
        "got {err:?}"
    );
    assert!(dir_entries(dir.path()).is_empty());
    assert!(!dir.path().parent().unwrap().join("escape.pdf").exists());
}

#[test]
fn pdftotext_extracts_chinese_labels() {
    if !tool_available("pdftotext") {
        eprintln!("note: skipped, pdftotext not found (apt-get install poppler-utils)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_receipt_pdf(&sample(), dir.path()).unwrap();

    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    let text = String::from_utf8(output.stdout).unwrap();

    assert!(text.contains("收款凭证"), "pdftotext output:\n{text}");
    assert!(text.contains("19.90"), "pdftotext output:\n{text}");
    assert!(text.contains("演示模式"), "pdftotext output:\n{text}");
}

#[test]
fn printed_qr_code_decodes_to_link() {
    if !tool_available("pdftoppm") || !tool_available("zbarimg") {
        eprintln!(
            "note: skipped, pdftoppm or zbarimg not found \
             (apt-get install poppler-utils zbar-tools)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_receipt_pdf(&sample(), dir.path()).unwrap();

    // 150 dpi is coarser than a 203 dpi receipt printer, so this also checks the module size.
    let png_prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(&path)
        .arg(&png_prefix)
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm failed: {status}");

    let output = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(dir.path().join("page.png"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "zbarimg found no QR code: {output:?}"
    );
    let decoded = String::from_utf8(output.stdout).unwrap();
    assert_eq!(decoded.trim_end(), QR_LINK);
}

#[test]
fn pdffonts_lists_font_as_embedded_subset() {
    if !tool_available("pdffonts") {
        eprintln!("note: skipped, pdffonts not found (apt-get install poppler-utils)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_receipt_pdf(&sample(), dir.path()).unwrap();

    let output = Command::new("pdffonts").arg(&path).output().unwrap();
    assert!(output.status.success(), "pdffonts failed: {output:?}");
    let listing = String::from_utf8(output.stdout).unwrap();

    // Two header lines, then one line per font: name, type, encoding, then the emb, sub and
    // uni columns and the object number and generation.
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert_eq!(fonts.len(), 1, "pdffonts output:\n{listing}");
    let columns: Vec<&str> = fonts[0].split_whitespace().collect();
    let [embedded, subset, unicode] = columns[columns.len() - 5..columns.len() - 2] else {
        panic!("unexpected pdffonts line: {}", fonts[0]);
    };
    assert_eq!(embedded, "yes", "pdffonts output:\n{listing}");
    assert_eq!(subset, "yes", "pdffonts output:\n{listing}");
    assert_eq!(unicode, "yes", "pdffonts output:\n{listing}");
    assert!(
        columns[0].ends_with("+NotoSansCJKsc-Regular"),
        "pdffonts output:\n{listing}"
    );
}
