//! The refund notification endpoint: a POST with an unsigned `<xml>` whose `req_info` is
//! encrypted with a key derived from the API key. It is hardened like the payment endpoint:
//! POST only, a body size cap, and the strict XML parser that rejects any DOCTYPE.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{Method, Request, StatusCode};
use axum::response::Response;

use super::{MAX_NOTIFY_BODY_BYTES, xml_response};
use crate::orders::PaymentService;
use crate::protocol::messages::notify_reply_fail;

/// Path the listener serves refund notifications on; the refund `notify_url` must lead here.
pub const REFUND_NOTIFY_PATH: &str = "/wxpay/refund-notify";

pub(super) async fn refund_notify(
    State(service): State<Arc<PaymentService>>,
    request: Request<Body>,
) -> Response {
    let remote_addr = super::remote_addr(&request);

    if request.method() != Method::POST {
        tracing::warn!(remote_addr, method = %request.method(), "refund notification endpoint got a non-POST request");
        return xml_response(
            StatusCode::METHOD_NOT_ALLOWED,
            notify_reply_fail("POST required"),
        );
    }

    let reply = match to_bytes(request.into_body(), MAX_NOTIFY_BODY_BYTES).await {
        Ok(body) => {
            service
                .handle_refund_notification(&body, &remote_addr)
                .await
        }
        Err(_) => {
            service
                .reject_unreadable_refund_notification(&remote_addr, MAX_NOTIFY_BODY_BYTES)
                .await
        }
    };
    xml_response(StatusCode::OK, reply.body)
}
