//! Wiring: starts the store, gateway client, notification listener and (in demo mode) the
//! embedded gateway simulator, and runs the cashier screen's commands.

mod catalogue_watch;
mod manager;
mod print_failures;
mod refunds;
mod runner;
mod scan_sales;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::{AppDirs, Settings};
use crate::gateway::GatewayClient;
use crate::listener::{self, ListenerHandle};
use crate::orders::{PaymentService, ServiceOptions};
use crate::protocol::{ApiKey, Merchant, SignType};
use crate::simulator::{self, SimulatorConfig, SimulatorHandle};
use crate::store::Store;

pub use manager::ManagerBackend;
pub use refunds::{configured_refund_client, start_demo_secapi};
pub use runner::{error_chain, run_commands};

/// The demo merchant's `appid`, known only to the embedded simulator.
pub const DEMO_APPID: &str = "wx00000000demo0000";
/// The demo merchant's `mch_id`.
pub const DEMO_MCH_ID: &str = "1900000109";
/// The demo merchant's API key. It protects nothing: the demo gateway is in-process.
pub const DEMO_API_KEY: &str = "wxpayposdemokey00000000000000000";
/// Database file name in the data folder.
pub const DATABASE_FILE_NAME: &str = "wxpay-pos.sqlite3";
/// File beside the database where the demo gateway simulator keeps its trades.
pub const DEMO_GATEWAY_FILE_NAME: &str = "demo-gateway.json";

/// Returns where the demo gateway keeps its trades for the database at `database_path`, so
/// each database has its own demo gateway memory.
pub fn demo_gateway_path(database_path: &Path) -> PathBuf {
    database_path.with_file_name(DEMO_GATEWAY_FILE_NAME)
}

/// Name of the receipt folder in the data folder.
pub const RECEIPT_DIR_NAME: &str = "receipts";

/// Returns the database file: `storage.database`, or the file in the platform data folder.
pub fn database_path(settings: &Settings, dirs: &AppDirs) -> PathBuf {
    settings
        .storage
        .database
        .clone()
        .unwrap_or_else(|| dirs.data_dir.join(DATABASE_FILE_NAME))
}

/// Returns the receipt folder: `storage.receipt_dir`, or the folder in the platform data folder.
pub fn receipt_dir(settings: &Settings, dirs: &AppDirs) -> PathBuf {
    settings
        .storage
        .receipt_dir
        .clone()
        .unwrap_or_else(|| dirs.data_dir.join(RECEIPT_DIR_NAME))
}

/// Returns the demo merchant, used when no merchant is configured.
pub fn demo_merchant() -> Merchant {
    Merchant {
        appid: DEMO_APPID.into(),
        mch_id: DEMO_MCH_ID.into(),
        api_key: ApiKey::new(DEMO_API_KEY),
        sign_type: SignType::Md5,
    }
}

/// Returns the merchant the settings describe, or the demo merchant.
pub fn configured_merchant(settings: &Settings) -> Merchant {
    settings
        .merchant
        .as_ref()
        .map(|merchant| merchant.merchant())
        .unwrap_or_else(demo_merchant)
}

/// Everything the cashier, the CLI and the headless listener run on.
pub struct Services {
    pub service: Arc<PaymentService>,
    /// The notification listener; absent for one-shot commands with a real merchant, which
    /// rely on orderquery and on a listener running elsewhere.
    pub listener: Option<ListenerHandle>,
    /// The embedded gateway simulator, in demo mode only.
    pub simulator: Option<SimulatorHandle>,
    /// The embedded simulator's refund port (TLS with client certificates), in demo mode only.
    pub secapi: Option<simulator::SecapiHandle>,
    /// The reason refunds are unavailable when the merchant's certificate keys are set but the
    /// certificate could not be loaded. Payments still work.
    pub refund_setup_error: Option<String>,
    pub database_path: PathBuf,
}

impl Services {
    /// True when the app runs against the embedded simulator.
    pub fn is_demo(&self) -> bool {
        self.simulator.is_some()
    }
}

/// Whether [`start_services`] starts the notification listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerMode {
    /// Always start it (the cashier window and `listen`).
    Serve,
    /// Start it only in demo mode, where the embedded simulator needs somewhere to send
    /// notifications (one-shot commands such as `charge`).
    DemoOnly,
}

/// Opens the store and starts the listener and, without a merchant configuration, the
/// embedded simulator. Must run inside the tokio runtime.
pub async fn start_services(
    settings: &Settings,
    dirs: &AppDirs,
    listener_mode: ListenerMode,
) -> anyhow::Result<Services> {
    let database_path = database_path(settings, dirs);
    let receipt_dir = receipt_dir(settings, dirs);
    let store = Store::open(&database_path)
        .with_context(|| format!("cannot open the database {}", database_path.display()))?;

    let bind: SocketAddr = settings
        .listener
        .bind
        .parse()
        .with_context(|| format!("invalid listener.bind {:?}", settings.listener.bind))?;
    let tcp = if listener_mode == ListenerMode::Serve || settings.is_demo() {
        let tcp = TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen for notifications on {bind}"))?;
        Some(tcp)
    } else {
        None
    };
    let local_notify_url = match &tcp {
        Some(tcp) => format!("http://{}{}", tcp.local_addr()?, listener::NOTIFY_PATH),
        None => String::new(),
    };
    let local_scan_url = match &tcp {
        Some(tcp) => Some(format!(
            "http://{}{}",
            tcp.local_addr()?,
            listener::SCAN_PATH
        )),
        None => None,
    };
    let local_refund_notify_url = match &tcp {
        Some(tcp) => format!(
            "http://{}{}",
            tcp.local_addr()?,
            listener::REFUND_NOTIFY_PATH
        ),
        None => String::new(),
    };

    let merchant = configured_merchant(settings);
    let (simulator, gateway_url, notify_url, spbill_create_ip) = match &settings.merchant {
        Some(configured) => (
            None,
            configured.gateway_url.clone(),
            configured.notify_url.clone(),
            configured.spbill_create_ip.clone(),
        ),
        None => {
            let simulator = start_demo_simulator_with_scan(
                merchant.clone(),
                local_scan_url,
                Some(demo_gateway_path(&database_path)),
            )
            .await?;
            let url = simulator.base_url();
            tracing::info!(gateway = %url, "demo mode: using the embedded gateway simulator");
            (
                Some(simulator),
                url,
                local_notify_url,
                "127.0.0.1".to_owned(),
            )
        }
    };

    let timeouts = settings.client.timeouts();
    let mut refund_setup_error = None;
    let (secapi, refund_gateway, refund_notify_url) = match (&settings.merchant, &simulator) {
        (None, Some(simulator)) => {
            let (secapi, client, _) = start_demo_secapi(simulator, &merchant, timeouts).await?;
            (Some(secapi), Some(client), local_refund_notify_url)
        }
        (Some(configured), _) => {
            let client = configured_refund_client(configured, &merchant, timeouts)
                .unwrap_or_else(|err| {
                    let message = error_chain(&err);
                    tracing::warn!(error = %message, "refunds are unavailable: the merchant certificate could not be loaded");
                    refund_setup_error = Some(message);
                    None
                });
            let url = configured.refund_notify_url.clone().unwrap_or_default();
            (None, client, url)
        }
        (None, None) => (None, None, String::new()),
    };

    let gateway = GatewayClient::new(&gateway_url, merchant, timeouts)
        .context("cannot create the gateway client")?;
    let mut options = ServiceOptions::new(notify_url, receipt_dir);
    options.spbill_create_ip = spbill_create_ip;
    options.device_info = settings.shop.terminal_id.clone();
    options.merchant_name = settings.shop.name.clone();
    options.demo_mode = simulator.is_some();
    options.printer = settings.printer.clone();
    options.refund_notify_url = refund_notify_url;
    let service = PaymentService::with_refund_gateway(store, gateway, refund_gateway, options)
        .context("cannot start the payment writer")?;

    let listener = match tcp {
        Some(tcp) => Some(
            listener::serve(tcp, Arc::clone(&service))
                .context("cannot start the notification listener")?,
        ),
        None => None,
    };
    Ok(Services {
        service,
        listener,
        simulator,
        secapi,
        refund_setup_error,
        database_path,
    })
}

/// Starts the gateway simulator on a free loopback port for the demo merchant, with the
/// trades kept in `state_file` when one is given.
pub async fn start_demo_simulator(
    merchant: Merchant,
    state_file: Option<PathBuf>,
) -> anyhow::Result<SimulatorHandle> {
    start_demo_simulator_with_scan(merchant, None, state_file).await
}

/// Starts the demo gateway simulator with the merchant's mode-1 scan callback URL (the
/// listener's `/wxpay/scan`) registered, as WeChat's merchant platform would hold it.
pub async fn start_demo_simulator_with_scan(
    merchant: Merchant,
    scan_url: Option<String>,
    state_file: Option<PathBuf>,
) -> anyhow::Result<SimulatorHandle> {
    let tcp = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind the demo gateway simulator")?;
    let mut config = SimulatorConfig::new(vec![merchant.clone()]);
    config.state_file = state_file;
    if let Some(scan_url) = scan_url {
        config.scan_callback_urls.insert(merchant.mch_id, scan_url);
    }
    simulator::serve(tcp, config)
        .await
        .context("cannot start the demo gateway simulator")
}
