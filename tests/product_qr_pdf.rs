//! Product QR sheets (Native mode 1) rendered to PDF, rasterised with `pdftoppm` and decoded
//! with `zbarimg` (when installed): every code must read back as its product's link. The `product-qr` command
//! is run as a user would, against a real SQLite catalogue in a temporary folder.

use std::path::Path;
use std::process::Command;

use wxpay_pos::app::demo_merchant;
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::bizpay::BizpayLink;
use wxpay_pos::protocol::sign;
use wxpay_pos::receipt::{LabelSize, SheetLayout, SheetProduct, render_product_sheet_pdf};
use wxpay_pos::store::{ProductDraft, Store};

/// Returns whether `pdftoppm` and `zbarimg` are installed; the decoding checks are skipped
/// with a note otherwise, as in the receipt tests.
fn decoders_available() -> bool {
    let available = ["pdftoppm", "zbarimg"]
        .iter()
        .all(|tool| Command::new(tool).arg("-v").output().is_ok());
    if !available {
        eprintln!(
            "note: QR decoding skipped, pdftoppm or zbarimg not found \
             (apt-get install poppler-utils zbar-tools)"
        );
    }
    available
}

/// Rasterises every page of `pdf` at `dpi` and returns the decoded QR payloads, sorted.
fn decode_codes(pdf: &Path, dpi: u32) -> Vec<String> {
    let dir = pdf.parent().unwrap();
    let prefix = dir.join("page");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", &dpi.to_string()])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success(), "pdftoppm failed: {status}");

    let mut decoded = Vec::new();
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    pages.sort();
    for page in pages {
        let output = Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(&page)
            .output()
            .expect("zbarimg (zbar-tools) is installed");
        assert!(
            output.status.success(),
            "no QR code on {page:?}: {output:?}"
        );
        decoded.extend(
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(str::to_owned),
        );
    }
    decoded.sort();
    decoded
}

fn sheet_products(count: usize) -> Vec<SheetProduct> {
    let merchant = demo_merchant();
    (1..=count)
        .map(|id| SheetProduct {
            name: format!("手冲咖啡{id}号"),
            price: Fen(1000 + id as i64),
            link: BizpayLink::sign_now(&merchant, &id.to_string())
                .unwrap()
                .to_url(),
        })
        .collect()
}

#[test]
fn a4_sheet_codes_decode_to_links() {
    let dir = tempfile::tempdir().unwrap();
    // 13 products: a full first page and one code on the second.
    let products = sheet_products(13);
    let pdf = render_product_sheet_pdf(&products, SheetLayout::A4Grid, "test").unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).unwrap();

    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"));
    if !decoders_available() {
        return;
    }
    let mut expected: Vec<String> = products.iter().map(|p| p.link.clone()).collect();
    expected.sort();
    assert_eq!(decode_codes(&path, 150), expected);
}

#[test]
fn label_codes_decode_at_label_printer_resolution() {
    if !decoders_available() {
        return;
    }
    for size in [LabelSize::Mm40x30, LabelSize::Mm50x30, LabelSize::Mm60x40] {
        let dir = tempfile::tempdir().unwrap();
        let products = sheet_products(2);
        let pdf = render_product_sheet_pdf(&products, SheetLayout::Label(size), "test").unwrap();
        let path = dir.path().join("labels.pdf");
        std::fs::write(&path, pdf).unwrap();

        let mut expected: Vec<String> = products.iter().map(|p| p.link.clone()).collect();
        expected.sort();
        // 203 dpi is the usual thermal label printer.
        assert_eq!(decode_codes(&path, 203), expected, "{size:?}");
    }
}

#[test]
fn product_qr_command_writes_enabled_products() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pos.sqlite3");
    let store = Store::open(&database).unwrap();
    let coffee = store
        .save_product(&ProductDraft {
            name: "美式咖啡".into(),
            price: Fen(1500),
            ..ProductDraft::default()
        })
        .unwrap();
    let tea = store
        .save_product(&ProductDraft {
            name: "柠檬茶".into(),
            price: Fen(900),
            ..ProductDraft::default()
        })
        .unwrap();
    store
        .save_product(&ProductDraft {
            name: "拿铁".into(),
            price: Fen(1800),
            enabled: false,
            ..ProductDraft::default()
        })
        .unwrap();
    drop(store);
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndatabase = {:?}\n",
            database.display().to_string()
        ),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let pdf = out_dir.join("codes.pdf");

    let output = Command::new(env!("CARGO_BIN_EXE_wxpay-pos"))
        .arg("--config")
        .arg(&config)
        .args(["product-qr", "--print-links", "--output"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();

    // One line per enabled product: id, name, price, link.
    let lines: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|line| line.contains('\t'))
        .map(|line| line.split('\t').collect())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let ids: Vec<&str> = lines.iter().map(|fields| fields[0]).collect();
    assert!(ids.contains(&coffee.id.to_string().as_str()));
    assert!(ids.contains(&tea.id.to_string().as_str()));

    let merchant = demo_merchant();
    let mut printed: Vec<String> = Vec::new();
    for fields in &lines {
        let link = BizpayLink::parse(fields[3]).unwrap();
        assert_eq!(link.product_id, fields[0]);
        assert_eq!(link.mch_id, merchant.mch_id);
        assert!(sign::verify(&link.fields_with_sign(), &merchant.api_key).is_ok());
        printed.push(fields[3].to_owned());
    }
    printed.sort();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    if decoders_available() {
        assert_eq!(decode_codes(&pdf, 150), printed);
    }
}

#[test]
fn product_qr_command_rejects_unknown_id() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pos.sqlite3");
    Store::open(&database).unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndatabase = {:?}\n",
            database.display().to_string()
        ),
    )
    .unwrap();
    let pdf = dir.path().join("codes.pdf");

    let output = Command::new(env!("CARGO_BIN_EXE_wxpay-pos"))
        .arg("--config")
        .arg(&config)
        .args(["product-qr", "--id", "42", "--output"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("product 42 not found"), "{stderr}");
    assert!(!pdf.exists());
}

#[test]
fn product_switch_command_changes_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pos.sqlite3");
    let store = Store::open(&database).unwrap();
    let coffee = store
        .save_product(&ProductDraft {
            name: "美式咖啡".into(),
            price: Fen(1500),
            ..ProductDraft::default()
        })
        .unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndatabase = {:?}\n",
            database.display().to_string()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_wxpay-pos"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };

    let off = run(&["product-switch", &coffee.id.to_string(), "off"]);
    assert!(off.status.success(), "{off:?}");
    assert!(!store.product(coffee.id).unwrap().unwrap().enabled);

    let on = run(&["product-switch", &coffee.id.to_string(), "on"]);
    assert!(on.status.success(), "{on:?}");
    assert!(store.product(coffee.id).unwrap().unwrap().enabled);

    let missing = run(&["product-switch", "999", "off"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("product 999 not found"));
}
