//! The notification listener: an HTTP server (axum) that hands each payment or refund
//! notification body to the order lifecycle and replies with the XML WeChat expects. It also
//! serves the Native mode-1 scan callback at [`SCAN_PATH`].

mod refund;
mod scan;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::orders::PaymentService;
use crate::protocol::messages::notify_reply_fail;
use crate::protocol::xml::MAX_XML_BODY_BYTES;

pub use scan::{MAX_SCAN_BODY_BYTES, SCAN_PATH};

/// Path the listener serves notifications on; the public `notify_url` must lead here.
pub const NOTIFY_PATH: &str = "/wxpay/notify";
/// Largest notification body read; a larger one is rejected and audited without its body.
pub const MAX_NOTIFY_BODY_BYTES: usize = MAX_XML_BODY_BYTES;

pub use refund::REFUND_NOTIFY_PATH;

/// Builds the listener's routes. [`SCAN_PATH`] goes to the scan callback and
/// [`REFUND_NOTIFY_PATH`] to the refund notification handler. Every other path and method
/// reaches [`notify`], which replies to non-POST requests and unknown paths with a FAIL XML
/// body.
pub fn router(service: Arc<PaymentService>) -> Router {
    Router::new()
        .route(SCAN_PATH, any(scan::scan_callback))
        .route(REFUND_NOTIFY_PATH, any(refund::refund_notify))
        .fallback(notify)
        .with_state(service)
}

/// Returns the peer's address for the audit log, or `unknown` when the server was started
/// without connection info.
fn remote_addr(request: &Request<Body>) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.to_string())
        .unwrap_or_else(|| "unknown".into())
}

async fn notify(State(service): State<Arc<PaymentService>>, request: Request<Body>) -> Response {
    let remote_addr = remote_addr(&request);

    if request.uri().path() != NOTIFY_PATH {
        return xml_response(StatusCode::NOT_FOUND, notify_reply_fail("not found"));
    }
    if request.method() != Method::POST {
        tracing::warn!(remote_addr, method = %request.method(), "notification listener got a non-POST request");
        return xml_response(
            StatusCode::METHOD_NOT_ALLOWED,
            notify_reply_fail("POST required"),
        );
    }

    let reply = match to_bytes(request.into_body(), MAX_NOTIFY_BODY_BYTES).await {
        Ok(body) => service.handle_notification(&body, &remote_addr).await,
        Err(_) => {
            service
                .reject_unreadable_notification(&remote_addr, MAX_NOTIFY_BODY_BYTES)
                .await
        }
    };
    xml_response(StatusCode::OK, reply.body)
}

pub(crate) fn xml_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A running listener; dropping it stops the server.
pub struct ListenerHandle {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl ListenerHandle {
    /// Returns the local URL of the notification endpoint, e.g. `http://127.0.0.1:8088/wxpay/notify`.
    pub fn notify_url(&self) -> String {
        format!("http://{}{}", self.addr, NOTIFY_PATH)
    }

    /// Returns the local URL of the scan callback endpoint, e.g. `http://127.0.0.1:8088/wxpay/scan`.
    pub fn scan_url(&self) -> String {
        format!("http://{}{}", self.addr, SCAN_PATH)
    }

    /// Returns the local URL of the refund notification endpoint.
    pub fn refund_notify_url(&self) -> String {
        format!("http://{}{}", self.addr, REFUND_NOTIFY_PATH)
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Serves the listener on an already bound socket, on the current runtime.
pub fn serve(
    listener: TcpListener,
    service: Arc<PaymentService>,
) -> std::io::Result<ListenerHandle> {
    let addr = listener.local_addr()?;
    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let app = router(service).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = shutdown_rx.await;
        });
        if let Err(err) = server.await {
            tracing::error!(error = %err, "notification listener stopped with an error");
        }
    });
    tracing::info!(%addr, path = NOTIFY_PATH, "notification listener started");
    Ok(ListenerHandle {
        addr,
        shutdown: Some(shutdown_tx),
    })
}
