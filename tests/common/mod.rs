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
use wxpay_pos::protocol::{ApiKey, Merchant, SignType};
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
    pub listener: ListenerHandle,
    pub service: Arc<PaymentService>,
}

impl Stack {
    /// Starts a stack whose simulator retries notifications 1000 times faster than WeChat.
    pub async fn start(sign_type: SignType) -> Stack {
        Stack::start_with(sign_type, None).await
    }

    /// Starts a stack. A `notify_url` replaces the listener's address given to the gateway,
    /// and then the order poller queries every 50 ms instead of after 3 s.
    pub async fn start_with(sign_type: SignType, notify_url: Option<String>) -> Stack {
        let merchant = test_merchant(sign_type);
        let mut config = SimulatorConfig::new(vec![merchant.clone()]);
        config.time_scale = 0.001;
        let simulator = simulator::serve(TcpListener::bind("127.0.0.1:0").await.unwrap(), config)
            .await
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fast_poller = notify_url.is_some();
        let notify_url = notify_url.unwrap_or_else(|| {
            format!(
                "http://{}{}",
                tcp.local_addr().unwrap(),
                listener::NOTIFY_PATH
            )
        });
        let gateway =
            GatewayClient::new(&simulator.base_url(), merchant, ClientTimeouts::default()).unwrap();
        let mut options = ServiceOptions::new(notify_url, dir.path().join("receipts"));
        options.merchant_name = "测试商店".into();
        options.demo_mode = true;
        if fast_poller {
            options.query_intervals = vec![Duration::from_millis(50)];
        }
        let service = PaymentService::new(store, gateway, options);
        let listener = listener::serve(tcp, Arc::clone(&service)).unwrap();

        Stack {
            dir,
            simulator,
            listener,
            service,
        }
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
