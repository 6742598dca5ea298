//! Fault injection: queued misbehaviours that the next gateway requests suffer, so tests can
//! check that no payment is lost or counted twice when the gateway is slow, failing or cut off.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A gateway API that faults can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultTarget {
    UnifiedOrder,
    OrderQuery,
    CloseOrder,
    ShortUrl,
    /// `/secapi/pay/refund`, on the TLS port.
    Refund,
    RefundQuery,
}

/// One misbehaviour, applied to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Wait this long before handling the request, as a slow gateway would; a client with a
    /// shorter timeout gives up while the request is still handled.
    Delay(Duration),
    /// Reply with this HTTP status and an empty body, without handling the request.
    HttpStatus(u16),
    /// Reply `result_code=FAIL`, `err_code=SYSTEMERROR`, without handling the request.
    SystemError,
    /// Reply `result_code=FAIL` with this `err_code` (for example OUT_TRADE_NO_USED), without
    /// handling the request.
    BusinessError(&'static str),
    /// Close the connection without handling the request.
    DropBeforeHandling,
    /// Handle the request, then close the connection, so its effect happens but the reply
    /// is lost.
    DropAfterHandling,
    /// unifiedorder only: handle the request, pay the order at once (its notification goes
    /// out), then wait this long before replying, so the notification can arrive first.
    PayThenDelay(Duration),
}

/// Faults waiting for their request, in order per target.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    pending: HashMap<FaultTarget, VecDeque<Fault>>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, target: FaultTarget, fault: Fault) {
        self.pending.entry(target).or_default().push_back(fault);
    }

    pub(crate) fn take(&mut self, target: FaultTarget) -> Option<Fault> {
        self.pending.get_mut(&target).and_then(VecDeque::pop_front)
    }
}

/// Builds a response whose body fails at once, which makes the server abort the connection.
pub(crate) fn dropped_connection() -> Response {
    (StatusCode::OK, Body::new(FailingBody)).into_response()
}

/// Builds an empty response with `status`.
pub(crate) fn bare_status(status: u16) -> Response {
    StatusCode::from_u16(status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response()
}

struct FailingBody;

impl axum::body::HttpBody for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))))
    }
}
