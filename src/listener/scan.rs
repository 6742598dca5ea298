//! The Native mode-1 scan callback endpoint: WeChat posts here when a customer scans a printed
//! product QR code, and the reply carries the new order's `prepay_id`.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::response::Response;

use super::xml_response;
use crate::orders::PaymentService;
use crate::protocol::bizpay::scan_reply_fail;
use crate::protocol::xml::MAX_XML_BODY_BYTES;

/// Path the listener serves scan callbacks on; the merchant platform's 支付回调URL (or the
/// simulator's scan URL) must lead here.
pub const SCAN_PATH: &str = "/wxpay/scan";
/// Largest scan callback body read; a larger one is rejected and audited without its body.
pub const MAX_SCAN_BODY_BYTES: usize = MAX_XML_BODY_BYTES;

/// Handles one scan callback: POST only, body capped at [`MAX_SCAN_BODY_BYTES`], then
/// [`PaymentService::handle_scan_callback`].
pub(super) async fn scan_callback(
    State(service): State<Arc<PaymentService>>,
    request: Request<Body>,
) -> Response {
    let remote_addr = super::remote_addr(&request);

    if request.method() != Method::POST {
        tracing::warn!(remote_addr, method = %request.method(), "scan callback endpoint got a non-POST request");
        return xml_response(
            StatusCode::METHOD_NOT_ALLOWED,
            scan_reply_fail("POST required"),
        );
    }

    let reply = match to_bytes(request.into_body(), MAX_SCAN_BODY_BYTES).await {
        Ok(body) => service.handle_scan_callback(&body, &remote_addr).await,
        Err(_) => {
            service
                .reject_unreadable_scan(&remote_addr, MAX_SCAN_BODY_BYTES)
                .await
        }
    };
    xml_response(StatusCode::OK, reply.body)
}
