//! The manager's files read back: CSV (BOM, quoting, Chinese text), XLSX through calamine, the
//! day-end PDF through pdftotext, the day-end ESC/POS job through a virtual printer on
//! 127.0.0.1, and the `report` command on a real database.

mod printer_support;
mod report_support;

use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use printer_support::{Behaviour, ONLINE, VirtualPrinter, decode, printed_lines};
use printpdf::{PdfDocument, PdfParseOptions};
use report_support::{SeedOrder, insert_order, insert_refund};
use rusqlite::Connection;
use wxpay_pos::money::Fen;
use wxpay_pos::printer::{PrinterConfig, PrinterKind, PrinterSettings};
use wxpay_pos::reconcile::{BillDifference, DifferenceKind, RecordKind};
use wxpay_pos::report::{
    DayEndReport, ID_TEXT_MARKER, ReconciliationLine, day_end_escpos, day_end_pdf, local_range,
    print_day_end_blocking, rows_to_csv, rows_to_xlsx,
};
use wxpay_pos::store::{ListQuery, Store};

const BINARY: &str = env!("CARGO_BIN_EXE_wxpay-pos");
const HOUR_MS: i64 = 3_600_000;
const TEA_BODY: &str = "奶茶, \"大杯\"\n少冰";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// Seeds a database with two paid orders at 09:00 and 14:00, one refunded in part.
fn seeded_store(dir: &std::path::Path) -> Store {
    let path = dir.join("pos.sqlite3");
    let store = Store::open(&path).unwrap();
    let start = local_range(day(), day()).unwrap().from_ms;
    let connection = Connection::open(&path).unwrap();
    insert_order(
        &connection,
        &SeedOrder {
            out_trade_no: "T-tea",
            body: TEA_BODY,
            total_fee: 1990,
            created_at_ms: start + 9 * HOUR_MS,
            transaction_id: Some("4200000000000000000000000001"),
            state: "partly_refunded",
            ..SeedOrder::default()
        },
    );
    insert_order(
        &connection,
        &SeedOrder {
            out_trade_no: "T-cake",
            body: "=1+1",
            total_fee: 123_456,
            created_at_ms: start + 14 * HOUR_MS,
            transaction_id: Some("4200000000000000000000000002"),
            ..SeedOrder::default()
        },
    );
    insert_refund(
        &connection,
        "R-tea",
        "T-tea",
        500,
        "success",
        start + 10 * HOUR_MS,
    );
    store
}

/// Splits RFC 4180 CSV text into records of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = vec![vec![String::new()]];
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(character) = chars.next() {
        let record = records.last_mut().unwrap();
        let cell = record.last_mut().unwrap();
        match (quoted, character) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => cell.push(other),
            (false, '"') => quoted = true,
            (false, ',') => record.push(String::new()),
            (false, '\r') => {}
            (false, '\n') => records.push(vec![String::new()]),
            (false, other) => cell.push(other),
        }
    }
    if records
        .last()
        .is_some_and(|record| record == &[String::new()])
    {
        records.pop();
    }
    records
}

/// Returns an id cell's value after the tab that keeps Excel from reading it as a number,
/// failing when the tab is missing.
fn id_value(cell: &str) -> &str {
    cell.strip_prefix(ID_TEXT_MARKER)
        .unwrap_or_else(|| panic!("id cell {cell:?} does not start with a tab"))
}

#[test]
fn csv_reads_back_with_bom_quotes_and_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let range = local_range(day(), day()).unwrap();
    let bytes = rows_to_csv(&store.export_rows(range, &ListQuery::default()).unwrap());

    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let records = parse_csv(&text);
    assert_eq!(records.len(), 4, "{records:?}");
    assert_eq!(records[0][2], "商户订单号 out_trade_no");

    let tea = &records[1];
    assert_eq!(id_value(&tea[2]), "T-tea");
    assert_eq!(tea[3], "");
    assert_eq!(id_value(&tea[4]), "4200000000000000000000000001");
    assert_eq!(tea[5], TEA_BODY);
    assert_eq!(tea[6], "19.90");
    assert_eq!(tea[7], "部分退款 Partly refunded");
    assert!(tea[0].ends_with("09:00:00"), "{}", tea[0]);

    let refund = &records[2];
    assert_eq!(refund[1], "退款 Refund");
    assert_eq!(id_value(&refund[2]), "T-tea");
    assert_eq!(id_value(&refund[3]), "R-tea");
    assert_eq!(refund[6], "-5.00");

    let cake = &records[3];
    assert_eq!(id_value(&cake[2]), "T-cake");
    assert_eq!(id_value(&cake[4]), "4200000000000000000000000002");
    assert_eq!(cake[5], "'=1+1");
    assert_eq!(cake[6], "1234.56");
}

#[test]
fn xlsx_reads_back_with_numbers_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let range = local_range(day(), day()).unwrap();
    let rows = store.export_rows(range, &ListQuery::default()).unwrap();
    let bytes = rows_to_xlsx(&rows, &store.range_totals(range).unwrap()).unwrap();

    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.worksheet_range("订单 Orders").unwrap();
    assert_eq!(sheet.height(), 4);
    assert_eq!(
        sheet.get_value((1, 2)),
        Some(&Data::String("T-tea".to_owned()))
    );
    assert_eq!(
        sheet.get_value((1, 4)),
        Some(&Data::String("4200000000000000000000000001".to_owned()))
    );
    assert_eq!(
        sheet.get_value((1, 5)),
        Some(&Data::String(TEA_BODY.to_owned()))
    );
    assert_eq!(sheet.get_value((1, 6)), Some(&Data::Float(19.9)));
    assert_eq!(
        sheet.get_value((2, 3)),
        Some(&Data::String("R-tea".to_owned()))
    );
    assert_eq!(sheet.get_value((2, 6)), Some(&Data::Float(-5.0)));
    assert_eq!(sheet.get_value((3, 6)), Some(&Data::Float(1234.56)));

    let totals = workbook.worksheet_range("汇总 Totals").unwrap();
    assert_eq!(totals.get_value((0, 1)), Some(&Data::Float(2.0)));
    assert_eq!(totals.get_value((2, 1)), Some(&Data::Float(1254.46)));
    assert_eq!(totals.get_value((3, 1)), Some(&Data::Float(5.0)));
    assert_eq!(totals.get_value((4, 1)), Some(&Data::Float(1249.46)));
}

fn report(store: &Store) -> DayEndReport {
    let mut report = DayEndReport::load(store, "测试小店", day(), day()).unwrap();
    report.reconciliation = Some(ReconciliationLine {
        bill_date: "2026-03-10".to_owned(),
        bill_rows: 3,
        bill_total: Fen(125_446),
        bill_refunds: Fen(500),
        matched_count: 3,
        mismatch_count: 0,
        note: "账单与本地一致".to_owned(),
        differences: Vec::new(),
    });
    report
}

#[test]
fn day_end_pdf_shows_totals_hours_and_reconciliation() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let report = report(&store);
    assert_eq!(report.totals.net, Fen(124_946));

    let pdf_path = dir.path().join("day-end.pdf");
    std::fs::write(&pdf_path, day_end_pdf(&report).unwrap()).unwrap();
    let output = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf_path)
        .arg("-")
        .output()
        .expect("pdftotext is needed (apt-get install poppler-utils)");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "测试小店",
        "日结报表",
        "2026-03-10",
        "￥1254.46",
        "￥5.00",
        "￥1249.46",
        "09:00-10:00",
        "14:00-15:00",
        "对账 Reconciliation",
        "账单与本地一致",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[test]
fn day_end_pdf_leaves_out_reconciliation_when_absent() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let mut report = report(&store);
    report.reconciliation = None;
    let pdf_path = dir.path().join("day-end.pdf");
    std::fs::write(&pdf_path, day_end_pdf(&report).unwrap()).unwrap();
    let output = Command::new("pdftotext")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("净收入"));
    assert!(!text.contains("对账"));
}

/// Number of differences in the long reconciliation, more than fit on one PDF page.
const DIFFERENCE_COUNT: usize = 30;

/// Builds `DIFFERENCE_COUNT` differences of every kind, on payments and refunds, with the
/// states the bill and the till store.
fn many_differences() -> Vec<BillDifference> {
    let kinds = [
        DifferenceKind::MissingLocally,
        DifferenceKind::MissingInBill,
        DifferenceKind::AmountMismatch,
        DifferenceKind::StateMismatch,
    ];
    (1..=DIFFERENCE_COUNT)
        .map(|number| {
            let kind = kinds[number % kinds.len()];
            let refund = number % 3 == 0;
            let (bill_state, local_state) = match (kind, refund) {
                (DifferenceKind::MissingLocally, true) => ("SUCCESS", ""),
                (DifferenceKind::MissingLocally, false) => ("SUCCESS", ""),
                (DifferenceKind::MissingInBill, true) => ("", "processing"),
                (DifferenceKind::MissingInBill, false) => ("", "paid"),
                (_, true) => ("SUCCESS", "success"),
                (_, false) => ("SUCCESS", "partly_refunded"),
            };
            BillDifference {
                kind,
                record: if refund {
                    RecordKind::Refund
                } else {
                    RecordKind::Payment
                },
                out_trade_no: format!("202603100000000{number:05}"),
                transaction_id: format!("42000000002026031000000{number:05}"),
                out_refund_no: if refund {
                    format!("RF20260310000000000000{number:05}")
                } else {
                    String::new()
                },
                refund_id: String::new(),
                bill_amount: (!bill_state.is_empty()).then_some(Fen(1000 + number as i64)),
                local_amount: (!local_state.is_empty()).then_some(Fen(2000 + number as i64)),
                bill_state: bill_state.to_owned(),
                local_state: local_state.to_owned(),
                trade_time: format!("2026-03-10 {:02}:{number:02}:00", 8 + number / 10),
            }
        })
        .collect()
}

/// Returns the report of the seeded store with `DIFFERENCE_COUNT` reconciliation differences.
fn report_with_many_differences(store: &Store) -> DayEndReport {
    let mut report = report(store);
    let line = report.reconciliation.as_mut().unwrap();
    line.differences = many_differences();
    line.mismatch_count = DIFFERENCE_COUNT as i64;
    line.note = "请逐笔核对以下差异 Check each difference below".to_owned();
    report
}

/// Asserts that `text` shows every difference of [`many_differences`] whole, with named
/// states and nothing cut.
fn assert_every_difference_shown(text: &str) {
    for (index, difference) in many_differences().iter().enumerate() {
        let number = index + 1;
        assert!(
            text.contains(&format!("{number}. ")),
            "difference {number} heading missing from:\n{text}"
        );
        assert!(
            text.contains(&difference.out_trade_no),
            "{} missing from:\n{text}",
            difference.out_trade_no
        );
        assert!(
            text.contains(&difference.out_refund_no),
            "{} missing from:\n{text}",
            difference.out_refund_no
        );
        assert!(
            text.contains(&difference.trade_time),
            "{} missing from:\n{text}",
            difference.trade_time
        );
        assert!(
            text.contains(&format!("￥{}", difference.local_amount.unwrap_or(Fen(0)))),
            "local amount of difference {number} missing from:\n{text}"
        );
    }
    for name in [
        "已支付 Paid",
        "部分退款 Partly refunded",
        "退款成功 Refund succeeded",
        "退款处理中 Refund processing",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    for code in ["partly_refunded", "SUCCESS"] {
        assert!(!text.contains(code), "raw state {code} in:\n{text}");
    }
    assert_eq!(
        text.matches("processing").count(),
        text.matches("Refund processing").count(),
        "raw state processing in:\n{text}"
    );
    assert!(!text.contains('…'), "cut text in:\n{text}");
}

#[test]
fn day_end_pdf_lists_every_difference() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let pdf = day_end_pdf(&report_with_many_differences(&store)).unwrap();

    let mut warnings = Vec::new();
    let doc = PdfDocument::parse(&pdf, &PdfParseOptions::default(), &mut warnings).unwrap();
    assert!(doc.pages.len() > 1, "{} page(s)", doc.pages.len());
    for page in &doc.pages {
        let height_mm = page.media_box.height.0 * 25.4 / 72.0;
        assert!(height_mm <= 297.1, "page is {height_mm} mm tall");
    }

    let pdf_path = dir.path().join("day-end.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg(&pdf_path)
        .arg("-")
        .output()
        .expect("pdftotext is needed (apt-get install poppler-utils)");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_every_difference_shown(&text);
    assert!(text.contains("差异明细 Differences"), "{text}");
    assert!(text.contains("￥1254.46"), "totals missing from:\n{text}");
}

#[test]
fn day_end_escpos_lists_every_difference() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let report = report_with_many_differences(&store);

    for paper_width_mm in [80, 58] {
        let settings = PrinterSettings::try_from(PrinterConfig {
            kind: PrinterKind::Escpos,
            address: "127.0.0.1:9100".to_owned(),
            paper_width_mm,
            ..PrinterConfig::default()
        })
        .unwrap();
        let job = day_end_escpos(&report, &settings).unwrap();
        let lines = printed_lines(&decode(&job));
        let text = lines
            .iter()
            .map(|line| line.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert_every_difference_shown(&text);
    }
}

#[test]
fn day_end_report_prints_on_virtual_printer() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: 0,
    });
    let settings = PrinterSettings::try_from(PrinterConfig {
        kind: PrinterKind::Escpos,
        address: printer.address.to_string(),
        connect_timeout_secs: 1,
        io_timeout_secs: 1,
        ..PrinterConfig::default()
    })
    .unwrap();

    print_day_end_blocking(&report(&store), &settings).unwrap();
    let lines = printed_lines(&decode(&printer.finish()));
    let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
    let joined = texts.join("\n");
    assert!(
        texts.iter().any(|text| text.contains("日结报表")),
        "{joined}"
    );
    assert!(joined.contains("￥1254.46"), "{joined}");
    assert!(joined.contains("09:00-10:00"), "{joined}");
    assert!(joined.contains("对账"), "{joined}");
    let heading = lines.iter().find(|line| line.text == "测试小店").unwrap();
    assert!(heading.bold);
}

#[test]
fn report_command_writes_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(dir.path());
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[storage]\ndatabase = {:?}\nreceipt_dir = {:?}\n",
            store.path(),
            dir.path().join("receipts")
        ),
    )
    .unwrap();
    drop(store);

    for (format, magic) in [
        ("csv", &b"\xEF\xBB\xBF"[..]),
        ("xlsx", &b"PK"[..]),
        ("pdf", &b"%PDF"[..]),
    ] {
        let output = Command::new(BINARY)
            .arg("--config")
            .arg(&config)
            .args(["report", "--date", "2026-03-10", "--format", format])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let path = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(path.ends_with(&format!("2026-03-10.{format}")), "{path}");
        assert!(std::fs::read(&path).unwrap().starts_with(magic));
    }

    let out = dir.path().join("range.csv");
    let output = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .args(["report", "--date", "2026-03-09", "--to", "2026-03-10"])
        .args(["--format", "csv", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("T-cake"));

    let reversed = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .args(["report", "--date", "2026-03-10", "--to", "2026-03-09"])
        .output()
        .unwrap();
    assert!(!reversed.status.success());
    let message = String::from_utf8_lossy(&reversed.stderr);
    assert!(message.contains("早于开始日期"), "{message}");
}
