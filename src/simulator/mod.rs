//! A local WeChat Pay API v2 gateway for Native (QR code) payments, used in demo mode and by
//! tests in place of WeChat's servers.
//!
//! It serves `/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`, `/tools/shorturl` and
//! `/pay/refundquery` and `/pay/downloadbill` with WeChat's XML envelope and signatures, keeps
//! orders and refunds in memory, and sends payment and refund notifications on WeChat's retry
//! schedule. The refund API `/secapi/pay/refund` is served on a separate TLS port
//! ([`serve_secapi`]) that requires a client certificate. A `/sim` control API, or
//! [`SimulatorHandle::pay`] in process, plays the customer who scans and pays. `/sim/scan`
//! plays a customer scanning a printed Native mode-1 product QR code: it posts the scan
//! callback to the merchant.

mod auth;
mod bill;
mod bill_render;
mod config;
mod control;
mod error;
mod faults;
mod gateway;
mod ids;
mod notify;
mod order_query;
mod persist;
mod refund;
mod scan;
mod server;
mod short_url;
mod state;
mod store;
mod tls;
mod unified_order;
mod validate;
mod wire;

pub use bill::{BILL_CREATING_ROUTE, BILL_LAYOUT_ROUTE, DOWNLOAD_BILL_PATH};
pub use bill_render::{BillPayment, BillRefund, SIMULATED_FEE_RATE_PPM, bill_day, render_bill};
pub use config::{
    DEFAULT_CODE_URL_LIFETIME_SECS, DEFAULT_NOTIFY_RETRY_OFFSETS_SECS, DEFAULT_NOTIFY_TIMEOUT_SECS,
    SimulatorConfig,
};
pub use control::{FAIL_ROUTE, PAY_ROUTE, STATUS_ROUTE};
pub use error::SimulatorError;
pub use faults::{Fault, FaultTarget};
pub use gateway::{CLOSE_ORDER_PATH, ORDER_QUERY_PATH, SHORT_URL_PATH, UNIFIED_ORDER_PATH};
pub use notify::{NotifyAttempt, NotifyOutcome};
pub use refund::{
    PARAM_ERROR, REFUND_ERROR, REFUND_PATH, REFUND_QUERY_PATH, REFUNDNOTEXIST, SecapiHandle,
    SimulatedRefund, serve_secapi,
};
pub use scan::{SCAN_ROUTE, ScanForm, ScanOutcome};
pub use server::{SimulatorHandle, router, serve};
pub use state::{OrderStatus, SimulatorState};
pub use tls::{SimulatorTls, SimulatorTlsError, TlsFiles};
pub use wire::XML_CONTENT_TYPE;
