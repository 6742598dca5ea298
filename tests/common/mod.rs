//! A complete payment stack for integration tests: the gateway simulator, the notification
//! listener and the payment service, each on 127.0.0.1 port 0, with a SQLite file in a
//! temporary folder.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use wxpay_pos::gateway::{ClientTimeouts, GatewayClient};
use wxpay_pos::listener::{self, ListenerHandle};
use wxpay_pos::orders::{PaymentService, ServiceOptions};
use wxpay_pos::protocol::{ApiKey, Merchant, Params, SignType, sign, xml};
use wxpay_pos::simulator::{self, SimulatorConfig, SimulatorHandle};
use wxpay_pos::store::{OrderState, Store};

pub const TEST_API_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

pub fn test_merchant(sign_type: SignType) -> Merchant {
    Merchant {
        appid: "wx2421b1c4370ec43b".into(),
        mch_id: "10000100".into(),
        api_key: ApiKey::new(TEST_API_KEY),
        sign_type,
    }
}

pub struct Stack {
    pub dir: tempfile::TempDir,
    pub simulator: SimulatorHandle,
    /// The running listener; `None` while a test has it stopped.
    pub listener: Option<ListenerHandle>,
    pub service: Arc<PaymentService>,
}

/// How to build a [`Stack`]; `StackConfig::default()` is a plain MD5 merchant.
pub struct StackConfig {
    pub sign_type: SignType,
    /// Replaces the listener's address given to the gateway (for example a closed port).
    pub notify_url: Option<String>,
    /// The order poller's schedule; default: query after 3 s, backing off.
    pub query_intervals: Option<Vec<Duration>>,
    pub timeouts: ClientTimeouts,
    /// Multiplier for the simulator's notification retry delays.
    pub time_scale: f64,
    pub order_lifetime: Option<Duration>,
    /// Port for the listener; 0 picks one.
    pub listener_port: u16,
    /// The receipt printer; default: none.
    pub printer: Option<wxpay_pos::printer::PrinterSettings>,
}

impl Default for StackConfig {
    fn default() -> Self {
        StackConfig {
            sign_type: SignType::Md5,
            notify_url: None,
            query_intervals: None,
            timeouts: ClientTimeouts::default(),
            time_scale: 0.001,
            order_lifetime: None,
            listener_port: 0,
            printer: None,
        }
    }
}

impl Stack {
    /// Starts a stack whose simulator retries notifications 1000 times faster than WeChat.
    pub async fn start(sign_type: SignType) -> Stack {
        Stack::start_config(StackConfig {
            sign_type,
            ..StackConfig::default()
        })
        .await
    }

    /// Starts a stack. A `notify_url` replaces the listener's address given to the gateway,
    /// and then the order poller queries every 50 ms instead of after 3 s.
    pub async fn start_with(sign_type: SignType, notify_url: Option<String>) -> Stack {
        let fast_poller = notify_url.is_some();
        Stack::start_config(StackConfig {
            sign_type,
            notify_url,
            query_intervals: fast_poller.then(|| vec![Duration::from_millis(50)]),
            ..StackConfig::default()
        })
        .await
    }

    /// Starts a stack as `config` describes.
    pub async fn start_config(config: StackConfig) -> Stack {
        let merchant = test_merchant(config.sign_type);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        let tcp = TcpListener::bind(("127.0.0.1", config.listener_port))
            .await
            .unwrap();

        let mut simulator_config = SimulatorConfig::new(vec![merchant.clone()]);
        simulator_config.time_scale = config.time_scale;
        // The merchant's mode-1 scan callback URL, as the merchant platform would hold it.
        simulator_config.scan_callback_urls.insert(
            merchant.mch_id.clone(),
            format!(
                "http://{}{}",
                tcp.local_addr().unwrap(),
                listener::SCAN_PATH
            ),
        );
        let simulator = simulator::serve(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            simulator_config,
        )
        .await
        .unwrap();
        let notify_url = config.notify_url.unwrap_or_else(|| {
            format!(
                "http://{}{}",
                tcp.local_addr().unwrap(),
                listener::NOTIFY_PATH
            )
        });
        let gateway = GatewayClient::new(&simulator.base_url(), merchant, config.timeouts).unwrap();
        let mut options = ServiceOptions::new(notify_url, dir.path().join("receipts"));
        options.merchant_name = "测试商店".into();
        options.demo_mode = true;
        if let Some(intervals) = config.query_intervals {
            options.query_intervals = intervals;
        }
        if let Some(lifetime) = config.order_lifetime {
            options.order_lifetime = lifetime;
        }
        if let Some(printer) = config.printer {
            options.printer = printer;
        }
        let service = PaymentService::new(store, gateway, options).unwrap();
        let listener = Some(listener::serve(tcp, Arc::clone(&service)).unwrap());

        Stack {
            dir,
            simulator,
            listener,
            service,
        }
    }

    /// The listener's notification URL.
    pub fn notify_url(&self) -> String {
        self.listener
            .as_ref()
            .expect("listener is running")
            .notify_url()
    }

    /// The listener's scan callback URL (Native mode 1).
    pub fn scan_url(&self) -> String {
        self.listener
            .as_ref()
            .expect("listener is running")
            .scan_url()
    }

    /// Stops the listener and returns the address it listened on.
    pub async fn stop_listener(&mut self) -> std::net::SocketAddr {
        let handle = self.listener.take().expect("listener is running");
        let addr = handle.addr;
        drop(handle);
        addr
    }

    /// Starts the listener again on `addr`, retrying while the old socket is still closing.
    pub async fn start_listener(&mut self, addr: std::net::SocketAddr) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let tcp = loop {
            match TcpListener::bind(addr).await {
                Ok(tcp) => break tcp,
                Err(err) if tokio::time::Instant::now() < deadline => {
                    let _ = err;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(err) => panic!("cannot rebind the listener on {addr}: {err}"),
            }
        };
        self.listener = Some(listener::serve(tcp, Arc::clone(&self.service)).unwrap());
    }

    /// Waits (at most 10 s) until the order reaches `state`.
    pub async fn wait_for_state(&self, out_trade_no: &str, state: OrderState) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let current = self
                .service
                .order(out_trade_no)
                .await
                .unwrap()
                .map(|order| order.state);
            if current == Some(state) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "order {out_trade_no} stayed {current:?}, expected {state:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits (at most 10 s) until the order's receipt row exists and returns it.
    pub async fn wait_for_receipt(&self, out_trade_no: &str) -> (String, String) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(receipt) = self.service.store().receipt(out_trade_no).unwrap() {
                return receipt;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no receipt for {out_trade_no}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Polls `check` every 10 ms for at most 10 s and returns its first `Some`.
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Builds a notification like the simulator's for `out_trade_no`, signed with `key`.
pub fn notification(out_trade_no: &str, transaction_id: &str, total_fee: i64, key: &str) -> String {
    let merchant = test_merchant(SignType::Md5);
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
        ("out_trade_no", out_trade_no),
        ("transaction_id", transaction_id),
        ("time_end", "20261204120000"),
    ] {
        fields.insert(name.into(), value.into());
    }
    fields.insert("total_fee".into(), total_fee.to_string());
    fields.insert("cash_fee".into(), total_fee.to_string());
    sign::sign_in_place(&mut fields, &ApiKey::new(key), SignType::Md5);
    xml::to_xml(&fields)
}

pub async fn post_notification(stack: &Stack, body: String) -> String {
    reqwest::Client::new()
        .post(stack.notify_url())
        .header("Content-Type", "text/xml")
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
