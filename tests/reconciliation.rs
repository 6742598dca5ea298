//! Bill reconciliation against a real SQLite file: each kind of difference, the saved runs
//! and the CSV export, then end to end with payments through the simulator and the `bill`
//! command's exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate, Utc};
use common::{Stack, TEST_API_KEY, test_merchant};
use wxpay_pos::i18n::Lang;
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::SignType;
use wxpay_pos::protocol::bill::BillType;
use wxpay_pos::protocol::bill_parse::BillLayout;
use wxpay_pos::protocol::messages::parse_protocol_time;
use wxpay_pos::reconcile::{
    DifferenceKind, ReconciliationSummary, RecordKind, differences_csv, latest_full_reconciliation,
    latest_reconciliation, reconcile_bill_text, reconcile_day,
};
use wxpay_pos::report::DayEndReport;
use wxpay_pos::simulator::{BillPayment, BillRefund, bill_day, render_bill};
use wxpay_pos::store::{NewOrder, OrderState, PaymentRecord, PaymentSource, Store};

const BINARY: &str = env!("CARGO_BIN_EXE_wxpay-pos");

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
}

fn at(protocol_time: &str) -> DateTime<Utc> {
    parse_protocol_time(protocol_time).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: Store,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pos.sqlite3");
    let store = Store::open(&path).unwrap();
    Fixture {
        _dir: dir,
        path,
        store,
    }
}

fn add_order(store: &Store, out_trade_no: &str, total_fee: i64, time_start: &str) {
    store
        .insert_order(&NewOrder {
            out_trade_no: out_trade_no.into(),
            sale_id: out_trade_no.into(),
            body: "奶茶".into(),
            total_fee: Fen(total_fee),
            nonce_str: "nonce".into(),
            time_start: time_start.into(),
            time_expire: "20991231000000".into(),
            expires_at_ms: i64::MAX,
            terminal: "POS01".into(),
            product_id: None,
            openid: None,
        })
        .unwrap();
}

fn add_paid(store: &Store, out_trade_no: &str, total_fee: i64, time_end: &str) {
    add_order(store, out_trade_no, total_fee, time_end);
    store
        .record_payment(&PaymentRecord {
            out_trade_no: out_trade_no.into(),
            transaction_id: transaction_id(out_trade_no),
            total_fee: Fen(total_fee),
            cash_fee: Some(Fen(total_fee)),
            time_end: time_end.into(),
            source: PaymentSource::Notification,
        })
        .unwrap();
}

/// Writes a refund row the way the refund feature stores one.
fn add_refund(path: &Path, out_refund_no: &str, out_trade_no: &str, refund_fee: i64, state: &str) {
    let connection = rusqlite::Connection::open(path).unwrap();
    let success_time = (state == "success").then_some("2026-12-04 15:20:00");
    // 2026-12-04 15:19:00 in Beijing.
    let created_at_ms = at("20261204151900").timestamp_millis();
    connection
        .execute(
            "INSERT INTO refunds (out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str,
                 state, refund_id, success_time, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?3, 1990, 'nonce', ?4, ?5, ?6, ?7, ?7)",
            rusqlite::params![
                out_refund_no,
                out_trade_no,
                refund_fee,
                state,
                refund_id(out_refund_no),
                success_time,
                created_at_ms
            ],
        )
        .unwrap();
}

fn transaction_id(out_trade_no: &str) -> String {
    format!("4200000001{out_trade_no}")
}

fn refund_id(out_refund_no: &str) -> String {
    format!("5000{out_refund_no}")
}

fn bill_payment(out_trade_no: &str, total_fee: i64, time_end: &str) -> BillPayment {
    let merchant = test_merchant(SignType::Md5);
    BillPayment {
        appid: merchant.appid,
        mch_id: merchant.mch_id,
        device_info: "POS01".into(),
        transaction_id: transaction_id(out_trade_no),
        out_trade_no: out_trade_no.into(),
        openid: "oUpF8uMEb4qRXf22hE3X68TekukE".into(),
        paid_at: at(time_end),
        total_fee: Fen(total_fee),
        body: "奶茶".into(),
        attach: String::new(),
    }
}

fn bill_refund(
    out_refund_no: &str,
    out_trade_no: &str,
    refund_fee: i64,
    status: &str,
) -> BillRefund {
    let merchant = test_merchant(SignType::Md5);
    BillRefund {
        appid: merchant.appid,
        mch_id: merchant.mch_id,
        device_info: "POS01".into(),
        transaction_id: transaction_id(out_trade_no),
        out_trade_no: out_trade_no.into(),
        openid: String::new(),
        refund_id: refund_id(out_refund_no),
        out_refund_no: out_refund_no.into(),
        refund_fee: Fen(refund_fee),
        refund_status: status.into(),
        requested_at: at("20261204151900"),
        succeeded_at: Some(at("20261204152000")),
        body: "奶茶".into(),
        attach: String::new(),
    }
}

fn reconcile(
    fixture: &Fixture,
    payments: &[BillPayment],
    refunds: &[BillRefund],
) -> ReconciliationSummary {
    let text = render_bill(BillType::All, BillLayout::Current, payments, refunds);
    reconcile_bill_text(&fixture.store, day(), BillType::All, Some(&text)).unwrap()
}

fn kinds(summary: &ReconciliationSummary) -> Vec<(DifferenceKind, RecordKind, String)> {
    summary
        .differences
        .iter()
        .map(|difference| {
            let key = if difference.record == RecordKind::Refund {
                difference.out_refund_no.clone()
            } else {
                difference.out_trade_no.clone()
            };
            (difference.kind, difference.record, key)
        })
        .collect()
}

#[test]
fn matching_payment_and_refund_are_matched() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");
    add_refund(&fixture.path, "R1", "T1", 500, "success");

    let summary = reconcile(
        &fixture,
        &[bill_payment("T1", 1990, "20261204093000")],
        &[bill_refund("R1", "T1", 500, "SUCCESS")],
    );

    assert!(summary.is_clean(), "{:?}", summary.differences);
    assert_eq!(summary.counts.matched, 2);
    assert_eq!(summary.local_payments, 1);
    assert_eq!(summary.local_refunds, 1);
    assert_eq!(summary.bill_total_fee, Fen(1990));
    assert_eq!(summary.bill_refund_fee, Fen(500));
    assert!(summary.id > 0);
}

#[test]
fn bill_only_records_are_missing_locally() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");

    let summary = reconcile(
        &fixture,
        &[
            bill_payment("T1", 1990, "20261204093000"),
            bill_payment("T9", 800, "20261204100000"),
        ],
        &[bill_refund("R9", "T1", 100, "SUCCESS")],
    );

    assert_eq!(summary.counts.matched, 1);
    assert_eq!(
        kinds(&summary),
        [
            (
                DifferenceKind::MissingLocally,
                RecordKind::Payment,
                "T9".into()
            ),
            (
                DifferenceKind::MissingLocally,
                RecordKind::Refund,
                "R9".into()
            ),
        ]
    );
    assert_eq!(summary.differences[0].bill_amount, Some(Fen(800)));
    assert_eq!(summary.differences[0].local_amount, None);
}

#[test]
fn local_only_records_missing_in_bill() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");
    add_paid(&fixture.store, "T2", 600, "20261204235959");
    add_refund(&fixture.path, "R2", "T1", 300, "success");
    // Paid one second before and after the day: other days' bills list these.
    add_paid(&fixture.store, "EARLY", 100, "20261203235959");
    add_paid(&fixture.store, "LATE", 100, "20261205000000");
    // A refund WeChat never accepted is not expected in any bill.
    add_refund(&fixture.path, "RFAILED", "T1", 100, "failed");

    let summary = reconcile(&fixture, &[bill_payment("T1", 1990, "20261204093000")], &[]);

    assert_eq!(summary.counts.matched, 1);
    assert_eq!(
        kinds(&summary),
        [
            (
                DifferenceKind::MissingInBill,
                RecordKind::Payment,
                "T2".into()
            ),
            (
                DifferenceKind::MissingInBill,
                RecordKind::Refund,
                "R2".into()
            ),
        ]
    );
    assert_eq!(summary.differences[0].local_amount, Some(Fen(600)));
    assert_eq!(summary.differences[0].trade_time, "2026-12-04 23:59:59");
    assert_eq!(summary.local_payments, 2);
}

#[test]
fn different_amounts_are_amount_mismatches() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");
    add_refund(&fixture.path, "R1", "T1", 500, "success");

    let summary = reconcile(
        &fixture,
        &[bill_payment("T1", 1900, "20261204093000")],
        &[bill_refund("R1", "T1", 400, "SUCCESS")],
    );

    assert_eq!(summary.counts.matched, 0);
    assert_eq!(summary.counts.amount_mismatch, 2);
    let payment = &summary.differences[0];
    assert_eq!(payment.kind, DifferenceKind::AmountMismatch);
    assert_eq!(payment.bill_amount, Some(Fen(1900)));
    assert_eq!(payment.local_amount, Some(Fen(1990)));
    let refund = &summary.differences[1];
    assert_eq!(refund.record, RecordKind::Refund);
    assert_eq!(refund.bill_amount, Some(Fen(400)));
    assert_eq!(refund.local_amount, Some(Fen(500)));
}

#[test]
fn different_states_are_state_mismatches() {
    let fixture = fixture();
    add_order(&fixture.store, "T3", 1200, "20261204110000");
    fixture
        .store
        .transition(
            "T3",
            &[OrderState::Created],
            OrderState::Closed,
            "closed by the cashier",
        )
        .unwrap();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");
    add_refund(&fixture.path, "R1", "T1", 500, "processing");

    let summary = reconcile(
        &fixture,
        &[
            bill_payment("T1", 1990, "20261204093000"),
            bill_payment("T3", 1200, "20261204110500"),
        ],
        &[bill_refund("R1", "T1", 500, "SUCCESS")],
    );

    assert_eq!(summary.counts.matched, 1);
    assert_eq!(
        kinds(&summary),
        [
            (
                DifferenceKind::StateMismatch,
                RecordKind::Payment,
                "T3".into()
            ),
            (
                DifferenceKind::StateMismatch,
                RecordKind::Refund,
                "R1".into()
            ),
        ]
    );
    assert_eq!(summary.differences[0].bill_state, "SUCCESS");
    assert_eq!(summary.differences[0].local_state, "closed");
    assert_eq!(summary.differences[1].bill_state, "SUCCESS");
    assert_eq!(summary.differences[1].local_state, "processing");
}

#[test]
fn missing_bill_reports_local_payments() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");

    let summary = reconcile_bill_text(&fixture.store, day(), BillType::All, None).unwrap();

    assert!(!summary.bill_found);
    assert_eq!(
        kinds(&summary),
        [(
            DifferenceKind::MissingInBill,
            RecordKind::Payment,
            "T1".into()
        )]
    );
}

#[test]
fn success_bill_leaves_refunds_alone() {
    let fixture = fixture();
    add_paid(&fixture.store, "T1", 1990, "20261204093000");
    add_refund(&fixture.path, "R1", "T1", 500, "success");
    let text = render_bill(
        BillType::Success,
        BillLayout::Current,
        &[bill_payment("T1", 1990, "20261204093000")],
        &[],
    );

    let summary =
        reconcile_bill_text(&fixture.store, day(), BillType::Success, Some(&text)).unwrap();

    assert!(summary.is_clean(), "{:?}", summary.differences);
    assert_eq!(summary.local_refunds, 0);
}

#[test]
fn latest_run_is_saved_and_exported_as_csv() {
    let fixture = fixture();
    assert_eq!(latest_reconciliation(&fixture.store, day()).unwrap(), None);
    add_paid(&fixture.store, "T1", 1990, "20261204093000");

    let first = reconcile(&fixture, &[bill_payment("T1", 1990, "20261204093000")], &[]);
    let second = reconcile(&fixture, &[bill_payment("T1", 1900, "20261204093000")], &[]);

    let latest = latest_reconciliation(&fixture.store, day())
        .unwrap()
        .unwrap();
    assert!(second.id > first.id);
    assert_eq!(latest, second);
    assert_eq!(latest.counts.amount_mismatch, 1);
    let other_day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    assert_eq!(
        latest_reconciliation(&fixture.store, other_day).unwrap(),
        None
    );

    let csv = differences_csv(&latest, Lang::ZhCn);
    assert!(csv.starts_with('\u{feff}'));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("账单日期 Bill date,差异类型 Difference"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("2026-12-04,金额不符,支付,\tT1,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].contains(",19.00,19.90,"), "{}", lines[1]);
    assert!(
        lines[1].contains(",已支付 (SUCCESS),已支付,"),
        "{}",
        lines[1]
    );
}

fn open_database(stack: &Stack) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(stack.dir.path().join("pos.sqlite3")).unwrap();
    connection
        .busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    connection
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_payments_reconcile_until_tampered() {
    let stack = Stack::start(SignType::Md5).await;
    let first = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
    let second = stack.service.charge(Fen(600), "咖啡").await.unwrap();
    for order in [&first, &second] {
        stack.simulator.pay(&order.out_trade_no).unwrap();
        stack
            .wait_for_state(&order.out_trade_no, OrderState::Paid)
            .await;
        stack.wait_for_receipt(&order.out_trade_no).await;
    }
    let store = stack.service.store();
    let gateway = stack.service.gateway();
    let time_end = store
        .payment_time_end(&first.out_trade_no)
        .unwrap()
        .unwrap();
    let date = bill_day(parse_protocol_time(&time_end).unwrap());

    let clean = reconcile_day(gateway, store, date).await.unwrap();
    assert!(clean.is_clean(), "{:?}", clean.differences);
    assert_eq!(clean.counts.matched, 2);
    assert_eq!(clean.layout, Some(BillLayout::Current));

    stack.simulator.state().set_bill_layout(BillLayout::Legacy);
    let legacy = reconcile_day(gateway, store, date).await.unwrap();
    assert!(legacy.is_clean(), "{:?}", legacy.differences);
    assert_eq!(legacy.layout, Some(BillLayout::Legacy));

    // Tamper with one payment and remove the other order entirely.
    let connection = open_database(&stack);
    connection
        .execute(
            "UPDATE payments SET total_fee = 1 WHERE out_trade_no = ?1",
            [&first.out_trade_no],
        )
        .unwrap();
    for table in ["receipts", "order_events", "payments", "orders"] {
        connection
            .execute(
                &format!("DELETE FROM {table} WHERE out_trade_no = ?1"),
                [&second.out_trade_no],
            )
            .unwrap();
    }

    let tampered = reconcile_day(gateway, store, date).await.unwrap();
    assert_eq!(tampered.counts.matched, 0);
    // Both payments can fall in the same second, so the bill's line order is not fixed.
    let mut found = kinds(&tampered);
    found.sort_by_key(|(kind, _, _)| kind.as_str());
    assert_eq!(
        found,
        [
            (
                DifferenceKind::AmountMismatch,
                RecordKind::Payment,
                first.out_trade_no.clone()
            ),
            (
                DifferenceKind::MissingLocally,
                RecordKind::Payment,
                second.out_trade_no.clone()
            ),
        ]
    );
    let latest = latest_reconciliation(store, date).unwrap().unwrap();
    assert_eq!(latest.id, tampered.id);
    assert_eq!(latest.differences, tampered.differences);
}

fn write_config(dir: &Path, gateway_url: &str) -> PathBuf {
    let merchant = test_merchant(SignType::Md5);
    let config = format!(
        r#"
[merchant]
appid = "{appid}"
mch_id = "{mch_id}"
api_key = "{TEST_API_KEY}"
gateway_url = "{gateway_url}"
notify_url = "http://127.0.0.1:9/wxpay/notify"

[storage]
database = "{database}"
receipt_dir = "{receipts}"
"#,
        appid = merchant.appid,
        mch_id = merchant.mch_id,
        database = dir.join("pos.sqlite3").display(),
        receipts = dir.join("receipts").display(),
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// Runs `wxpay-pos bill` and returns its exit code and standard output.
async fn run_bill(config: &Path, date: NaiveDate, extra: &[&str]) -> (i32, String) {
    let mut command = Command::new(BINARY);
    command
        .arg("--config")
        .arg(config)
        .args(["bill", "--date", &date.format("%Y-%m-%d").to_string()])
        .args(extra)
        .env("RUST_LOG", "warn");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bill_command_exit_codes() {
    let stack = Stack::start(SignType::Md5).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &stack.simulator.base_url());

    let quiet_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let (code, stdout) = run_bill(&config, quiet_day, &[]).await;
    assert_eq!(code, i32::from(wxpay_pos::cli::EXIT_NO_BILL), "{stdout}");
    assert!(stdout.contains("微信没有该日账单"), "{stdout}");

    // The stack's till records the payment; the command's own database does not.
    let order = stack.service.charge(Fen(880), "面包").await.unwrap();
    stack.simulator.pay(&order.out_trade_no).unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;
    let store = stack.service.store();
    let time_end = store
        .payment_time_end(&order.out_trade_no)
        .unwrap()
        .unwrap();
    let date = bill_day(parse_protocol_time(&time_end).unwrap());

    let csv_path = dir.path().join("differences.csv");
    let (code, stdout) = run_bill(&config, date, &["--out", csv_path.to_str().unwrap()]).await;
    assert_eq!(
        code,
        i32::from(wxpay_pos::cli::EXIT_BILL_DIFFERENCES),
        "{stdout}"
    );
    assert!(stdout.contains("本地缺失"), "{stdout}");
    assert!(stdout.contains(&order.out_trade_no), "{stdout}");
    let chinese = stdout.find("对账：").unwrap();
    let english = stdout.find("Reconciliation of").unwrap();
    assert!(chinese < english, "{stdout}");
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains(&order.out_trade_no));

    // Once the command's database has the same payment, the day reconciles cleanly.
    let local = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
    let record = store.order(&order.out_trade_no).unwrap().unwrap();
    local
        .insert_order(&NewOrder {
            out_trade_no: record.out_trade_no.clone(),
            sale_id: record.sale_id.clone(),
            body: record.body.clone(),
            total_fee: record.total_fee,
            nonce_str: record.nonce_str.clone(),
            time_start: record.time_start.clone(),
            time_expire: record.time_expire.clone(),
            expires_at_ms: record.expires_at_ms,
            terminal: record.terminal.clone(),
            product_id: None,
            openid: None,
        })
        .unwrap();
    local
        .record_payment(&PaymentRecord {
            out_trade_no: record.out_trade_no.clone(),
            transaction_id: record.transaction_id.clone().unwrap(),
            total_fee: record.total_fee,
            cash_fee: None,
            time_end: time_end.clone(),
            source: PaymentSource::OrderQuery,
        })
        .unwrap();
    drop(local);
    let (code, stdout) = run_bill(&config, date, &["--type", "SUCCESS"]).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("一致 1 笔，差异 0 笔"), "{stdout}");

    stack.simulator.state().set_bill_creating(date, true);
    let (code, stdout) = run_bill(&config, date, &[]).await;
    assert_eq!(
        code,
        i32::from(wxpay_pos::cli::EXIT_BILL_CREATING),
        "{stdout}"
    );
}

#[test]
fn day_end_report_uses_latest_all_bill_run() {
    let fixture = fixture();
    add_paid(&fixture.store, "D-1", 1990, "20261204101500");
    let bill = render_bill(
        BillType::All,
        BillLayout::Current,
        &[bill_payment("D-1", 1990, "20261204101500")],
        &[],
    );
    let full = reconcile_bill_text(&fixture.store, day(), BillType::All, Some(&bill)).unwrap();
    let refunds_only = reconcile_bill_text(&fixture.store, day(), BillType::Refund, None).unwrap();
    assert!(refunds_only.id > full.id);

    let latest = latest_reconciliation(&fixture.store, day())
        .unwrap()
        .unwrap();
    assert_eq!(latest.bill_type, BillType::Refund);
    let latest_full = latest_full_reconciliation(&fixture.store, day())
        .unwrap()
        .unwrap();
    assert_eq!(latest_full.id, full.id);

    let report = DayEndReport::load(&fixture.store, "测试小店", day(), day()).unwrap();
    let line = report.reconciliation.unwrap();
    assert_eq!(line.bill_total, Fen(1990));
    assert_eq!(line.matched_count, 1);
    assert_eq!(line.mismatch_count, 0);
}
