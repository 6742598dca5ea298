//! The HTTP server: routes, start-up and the handle that stops it.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{any, get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::bill::{self, BILL_CREATING_ROUTE, BILL_LAYOUT_ROUTE, DOWNLOAD_BILL_PATH};
use super::config::SimulatorConfig;
use super::control::{self, FAIL_ROUTE, PAY_ROUTE, STATUS_ROUTE};
use super::error::SimulatorError;
use super::gateway::{
    self, CLOSE_ORDER_PATH, ORDER_QUERY_PATH, SHORT_URL_PATH, UNIFIED_ORDER_PATH,
};
use super::notify::NotifyAttempt;
use super::scan::{self, SCAN_ROUTE, ScanForm, ScanOutcome};
use super::state::{OrderStatus, SimulatorState};

/// Builds the simulator's routes: the gateway APIs at WeChat's paths (every method, so that
/// non-POST requests get WeChat's XML error) and the `/sim` control API.
pub fn router(state: SimulatorState) -> Router {
    Router::new()
        .route(UNIFIED_ORDER_PATH, any(gateway::unified_order))
        .route(ORDER_QUERY_PATH, any(gateway::order_query))
        .route(CLOSE_ORDER_PATH, any(gateway::close_order))
        .route(SHORT_URL_PATH, any(gateway::short_url))
        .route(super::refund::REFUND_QUERY_PATH, any(gateway::refund_query))
        .route(DOWNLOAD_BILL_PATH, any(bill::download_bill))
        .route(PAY_ROUTE, post(control::pay))
        .route(FAIL_ROUTE, post(control::fail))
        .route(STATUS_ROUTE, get(control::status))
        .route(SCAN_ROUTE, post(scan::scan))
        .route(
            BILL_CREATING_ROUTE,
            post(bill::bill_creating).delete(bill::bill_creating),
        )
        .route(BILL_LAYOUT_ROUTE, post(bill::bill_layout))
        .with_state(state)
}

/// Starts the simulator on `listener` as a task of the current tokio runtime.
pub async fn serve(
    listener: TcpListener,
    config: SimulatorConfig,
) -> Result<SimulatorHandle, SimulatorError> {
    let addr = listener.local_addr().map_err(SimulatorError::LocalAddr)?;
    let state = SimulatorState::new(config)?;
    let app = router(state.clone());

    let stop_state = state.clone();
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop_state.stopped().await });
        if let Err(err) = server.await {
            tracing::error!(%addr, error = %err, "gateway simulator stopped with an error");
        }
    });
    tracing::info!(%addr, "gateway simulator listening");
    Ok(SimulatorHandle {
        addr,
        state,
        task: Some(task),
    })
}

/// A running simulator. Dropping it stops the server and every notification delivery.
pub struct SimulatorHandle {
    /// The address the server listens on.
    pub addr: SocketAddr,
    state: SimulatorState,
    task: Option<JoinHandle<()>>,
}

impl SimulatorHandle {
    /// Returns the gateway base URL, such as `http://127.0.0.1:7878`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Returns the shared state, for driving [`router`] or reading orders.
    pub fn state(&self) -> &SimulatorState {
        &self.state
    }

    /// Pays an order; see [`SimulatorState::pay`].
    pub fn pay(&self, out_trade_no: &str) -> Result<String, SimulatorError> {
        self.state.pay(out_trade_no)
    }

    /// Scans a product QR code; see [`SimulatorState::scan`].
    pub async fn scan(&self, form: &ScanForm) -> Result<ScanOutcome, SimulatorError> {
        self.state.scan(form).await
    }

    /// Queues a fault for a coming request; see [`SimulatorState::inject_fault`].
    pub fn inject_fault(&self, target: super::FaultTarget, fault: super::Fault) {
        self.state.inject_fault(target, fault);
    }

    /// Fails an order's payment; see [`SimulatorState::fail`].
    pub fn fail(&self, out_trade_no: &str) -> Result<(), SimulatorError> {
        self.state.fail(out_trade_no)
    }

    /// Returns an order's state; see [`SimulatorState::order_status`].
    pub fn order_status(&self, out_trade_no: &str) -> Result<OrderStatus, SimulatorError> {
        self.state.order_status(out_trade_no)
    }

    /// Returns the notification attempts of an order; see [`SimulatorState::notify_attempts`].
    pub fn notify_attempts(&self, out_trade_no: &str) -> Vec<NotifyAttempt> {
        self.state.notify_attempts(out_trade_no)
    }

    /// Stops notification deliveries and the server, and waits until the server has closed
    /// its connections.
    pub async fn shutdown(mut self) {
        self.state.stop();
        self.state.finish_saving();
        if let Some(task) = self.task.take()
            && let Err(err) = task.await
        {
            tracing::error!(addr = %self.addr, error = %err, "gateway simulator task failed");
        }
        tracing::info!(addr = %self.addr, "gateway simulator stopped");
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        self.state.stop();
        self.state.finish_saving();
    }
}
