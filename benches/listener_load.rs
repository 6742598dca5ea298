//! Load on the notification listener: a local generator posts signed, distinct payment
//! notifications over HTTP and measures throughput and latency of verified, committed
//! payments. Also measures the time from a committed payment to the cashier runner's
//! `Update::Paid`, which is what wakes the screen.
//!
//! Run with `cargo bench --bench listener_load`. Optional arguments: number of
//! notifications (default 20000) and concurrent connections (default 32).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use wxpay_pos::gateway::{ClientTimeouts, GatewayClient};
use wxpay_pos::listener;
use wxpay_pos::money::Fen;
use wxpay_pos::orders::{PaymentService, ServiceOptions};
use wxpay_pos::protocol::{ApiKey, Merchant, Params, SignType, sign, xml};
use wxpay_pos::store::{NewOrder, Store};

const API_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const SUCCESS_REPLY: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

fn merchant() -> Merchant {
    Merchant {
        appid: "wx2421b1c4370ec43b".into(),
        mch_id: "10000100".into(),
        api_key: ApiKey::new(API_KEY),
        sign_type: SignType::Md5,
    }
}

fn signed_notification(out_trade_no: &str, index: usize) -> String {
    let merchant = merchant();
    let mut fields = Params::new();
    for (name, value) in [
        ("appid", merchant.appid.as_str()),
        ("mch_id", merchant.mch_id.as_str()),
        ("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c"),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
        ("openid", "oUpF8uMEb4qRXf22hE3X68TekukE"),
        ("trade_type", "NATIVE"),
        ("bank_type", "OTHERS"),
        ("fee_type", "CNY"),
        ("is_subscribe", "N"),
        ("total_fee", "1990"),
        ("cash_fee", "1990"),
        ("time_end", "20261204120000"),
        ("out_trade_no", out_trade_no),
    ] {
        fields.insert(name.into(), value.into());
    }
    fields.insert("transaction_id".into(), format!("4200{index:024}"));
    sign::sign_in_place(&mut fields, &merchant.api_key, SignType::Md5);
    xml::to_xml(&fields)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index]
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"));
    let total: usize = args
        .next()
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(20_000);
    let connections: usize = args.next().and_then(|arg| arg.parse().ok()).unwrap_or(32);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(total, connections));
}

async fn run(total: usize, connections: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("pos.sqlite3")).expect("store");
    for index in 0..total {
        let out_trade_no = format!("LOAD{index:016}");
        store
            .insert_order(&NewOrder {
                out_trade_no: out_trade_no.clone(),
                sale_id: out_trade_no.clone(),
                body: "奶茶".into(),
                total_fee: Fen(1990),
                nonce_str: "n".into(),
                time_start: "20261204100000".into(),
                time_expire: "20261204120000".into(),
                expires_at_ms: i64::MAX,
                terminal: "POS01".into(),
                product_id: None,
                openid: None,
            })
            .expect("insert order");
        store
            .set_prepared(&out_trade_no, "wx0", "weixin://wxpay/bizpayurl?pr=LOAD")
            .expect("prepare order");
    }
    let bodies: Vec<String> = (0..total)
        .map(|index| signed_notification(&format!("LOAD{index:016}"), index))
        .collect();

    // No gateway call happens on the notification path once receipts are off; the address is
    // a closed local port.
    let gateway = GatewayClient::new("http://127.0.0.1:9", merchant(), ClientTimeouts::default())
        .expect("gateway client");
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "http://{}{}",
        tcp.local_addr().expect("addr"),
        listener::NOTIFY_PATH
    );
    let mut options = ServiceOptions::new(url.clone(), dir.path().join("receipts"));
    options.write_receipts = false;
    let service = PaymentService::new(store.clone(), gateway, options).expect("service");
    let _listener = listener::serve(tcp, Arc::clone(&service)).expect("listener");

    let bodies = Arc::new(bodies);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (bodies, next, client, url) = (
            Arc::clone(&bodies),
            Arc::clone(&next),
            client.clone(),
            url.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { break };
                let sent = Instant::now();
                let reply = client
                    .post(&url)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("send");
                let text = reply.text().await.expect("reply");
                latencies.push(sent.elapsed());
                assert_eq!(text, SUCCESS_REPLY);
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort();

    let connection = rusqlite::Connection::open(store.path()).expect("open");
    let payments: i64 = connection
        .query_row("SELECT COUNT(*) FROM payments", [], |row| row.get(0))
        .expect("count");
    assert_eq!(
        payments as usize, total,
        "every notification committed once"
    );

    println!("notifications: {total} over {connections} connections");
    println!(
        "throughput: {:.0} committed notifications/s",
        total as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
}
