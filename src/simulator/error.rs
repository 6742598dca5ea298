//! Errors of the simulator's Rust API and control endpoints.

/// Error starting the simulator, or paying or failing an order on request.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("invalid simulator configuration: {reason}")]
    InvalidConfig { reason: String },
    #[error("no tokio runtime is running; start the simulator from inside one")]
    NoRuntime(#[source] tokio::runtime::TryCurrentError),
    #[error("failed to read the listener's local address")]
    LocalAddr(#[source] std::io::Error),
    #[error("failed to build the HTTP client that sends payment notifications")]
    HttpClient(#[source] reqwest::Error),
    #[error("order {out_trade_no} not found; create it with /pay/unifiedorder first")]
    OrderNotFound { out_trade_no: String },
    #[error(
        "out_trade_no {out_trade_no} belongs to more than one merchant; the control API cannot tell them apart"
    )]
    AmbiguousOrder { out_trade_no: String },
    #[error(
        "order {out_trade_no} expired at {expired_at} (Beijing time) and can no longer be paid; create a new order"
    )]
    OrderExpired {
        out_trade_no: String,
        expired_at: String,
    },
    #[error(
        "order {out_trade_no} is {trade_state}, so it cannot be paid or failed; only NOTPAY orders can"
    )]
    OrderNotPayable {
        out_trade_no: String,
        trade_state: String,
    },
    #[error("invalid product link: {reason}")]
    InvalidLink { reason: String },
    #[error("no merchant with mch_id {mch_id} is registered with the simulator")]
    UnknownMerchant { mch_id: String },
    #[error(
        "no scan callback URL is registered for mch_id {mch_id}; start the simulator with --scan-url or set [merchant] scan_url"
    )]
    NoScanUrl { mch_id: String },
    #[error("the scan callback to {url} failed: {reason}")]
    ScanCallbackFailed { url: String, reason: String },
    #[error("the merchant's reply to the scan callback is invalid: {reason}")]
    InvalidScanReply { reason: String },
    #[error("the merchant refused the scan: {err_code_des}")]
    ScanRefused { err_code_des: String },
}

impl SimulatorError {
    /// Returns whether the error means that the order does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, SimulatorError::OrderNotFound { .. })
    }
}
