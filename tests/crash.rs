//! Process crashes: the app killed (SIGKILL, no cleanup) after showing a QR code, and a
//! database writer killed in the middle of its transactions.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TEST_API_KEY, test_merchant};
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::SignType;
use wxpay_pos::simulator::{self, SimulatorConfig};
use wxpay_pos::store::{NewOrder, OrderState, PaymentRecord, PaymentSource, Store};

const BINARY: &str = env!("CARGO_BIN_EXE_wxpay-pos");
/// Set in the child process that plays the database writer.
const WRITER_ENV: &str = "WXPAY_POS_TEST_WRITER_DB";

fn write_config(dir: &std::path::Path, gateway_url: &str) -> std::path::PathBuf {
    let merchant = test_merchant(SignType::Md5);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let config = format!(
        r#"
[merchant]
appid = "{appid}"
mch_id = "{mch_id}"
api_key = "{TEST_API_KEY}"
gateway_url = "{gateway_url}"
notify_url = "http://127.0.0.1:{dead_port}/wxpay/notify"

[listener]
bind = "127.0.0.1:0"

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_qr_then_restart_reconciles() {
    let mut sim_config = SimulatorConfig::new(vec![test_merchant(SignType::Md5)]);
    sim_config.time_scale = 0.001;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let simulator = simulator::serve(listener, sim_config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &simulator.base_url());

    // The cashier charges and the QR code is out; then the process dies without cleanup.
    let mut charge = Command::new(BINARY)
        .args([
            "--config",
            config.to_str().unwrap(),
            "charge",
            "12.34",
            "--body",
            "奶茶",
            "--wait",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = charge.stdout.take().unwrap();
    let out_trade_no = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("out_trade_no: ").map(str::to_owned))
    })
    .await
    .unwrap()
    .expect("charge printed out_trade_no");
    charge.kill().unwrap();
    charge.wait().unwrap();

    // The customer pays while the app is down; the notification goes nowhere.
    simulator.pay(&out_trade_no).unwrap();

    // Restart: the listener reconciles every open order by orderquery at start-up.
    let mut listen = Command::new(BINARY)
        .args(["--config", config.to_str().unwrap(), "listen"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let database = dir.path().join("pos.sqlite3");
    let deadline = Instant::now() + Duration::from_secs(20);
    let paid = loop {
        let store = Store::open(&database).unwrap();
        let order = store.order(&out_trade_no).unwrap().unwrap();
        if order.state == OrderState::Paid {
            break order;
        }
        assert!(Instant::now() < deadline, "order stayed {:?}", order.state);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    listen.kill().unwrap();
    listen.wait().unwrap();

    let store = Store::open(&database).unwrap();
    assert_eq!(paid.total_fee, Fen(1234));
    assert_eq!(store.payment_count(&out_trade_no).unwrap(), 1);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// The child process's work: commit orders and payments in a loop until killed.
#[test]
#[ignore = "run by writer_killed_mid_transaction_keeps_database_intact in a child process"]
fn database_writer_child() {
    let Ok(path) = std::env::var(WRITER_ENV) else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).unwrap();
    for index in 0u64.. {
        let out_trade_no = format!("CRASH{index:010}");
        store
            .insert_order(&NewOrder {
                out_trade_no: out_trade_no.clone(),
                sale_id: out_trade_no.clone(),
                body: "测试".repeat(20),
                total_fee: Fen(100),
                nonce_str: "n".into(),
                time_start: "20261204100000".into(),
                time_expire: "20261204120000".into(),
                expires_at_ms: 0,
                terminal: "POS01".into(),
                product_id: None,
                openid: None,
            })
            .unwrap();
        store
            .record_payment(&PaymentRecord {
                out_trade_no,
                transaction_id: format!("4200{index:024}"),
                total_fee: Fen(100),
                cash_fee: Some(Fen(100)),
                time_end: "20261204100500".into(),
                source: PaymentSource::Notification,
            })
            .unwrap();
    }
}

#[test]
fn writer_killed_mid_transaction_keeps_database_intact() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("pos.sqlite3");
    Store::open(&database).unwrap();

    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "database_writer_child",
                "--ignored",
                "--nocapture",
            ])
            .env(WRITER_ENV, &database)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(400 + 150 * round));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    let store = Store::open(&database).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let connection = rusqlite::Connection::open(&database).unwrap();
    let payments: i64 = connection
        .query_row("SELECT COUNT(*) FROM payments", [], |row| row.get(0))
        .unwrap();
    let paid_orders: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM orders WHERE state = 'paid'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(payments > 0, "the writer committed nothing");
    // A payment row and its order's state change commit together or not at all.
    assert_eq!(payments, paid_orders);
}
