//! The gateway endpoints: one pipeline that reads, authenticates, dispatches and signs.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use super::auth::{Rejection, authenticate};
use super::faults::{self, Fault, FaultTarget};
use super::state::SimulatorState;
use super::wire::{BusinessError, Caller, read_fields, signed_reply};
use super::{order_query, refund, short_url, unified_order};
use crate::protocol::Params;

/// Path of the unified order API.
pub const UNIFIED_ORDER_PATH: &str = "/pay/unifiedorder";
/// Path of the order query API.
pub const ORDER_QUERY_PATH: &str = "/pay/orderquery";
/// Path of the close order API.
pub const CLOSE_ORDER_PATH: &str = "/pay/closeorder";
/// Path of the short URL API.
pub const SHORT_URL_PATH: &str = "/tools/shorturl";

/// The gateway APIs the simulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GatewayApi {
    UnifiedOrder,
    OrderQuery,
    CloseOrder,
    ShortUrl,
    Refund,
    RefundQuery,
}

impl GatewayApi {
    fn name(self) -> &'static str {
        match self {
            GatewayApi::UnifiedOrder => "unifiedorder",
            GatewayApi::OrderQuery => "orderquery",
            GatewayApi::CloseOrder => "closeorder",
            GatewayApi::ShortUrl => "shorturl",
            GatewayApi::Refund => "refund",
            GatewayApi::RefundQuery => "refundquery",
        }
    }

    fn fault_target(self) -> FaultTarget {
        match self {
            GatewayApi::UnifiedOrder => FaultTarget::UnifiedOrder,
            GatewayApi::OrderQuery => FaultTarget::OrderQuery,
            GatewayApi::CloseOrder => FaultTarget::CloseOrder,
            GatewayApi::ShortUrl => FaultTarget::ShortUrl,
            GatewayApi::Refund => FaultTarget::Refund,
            GatewayApi::RefundQuery => FaultTarget::RefundQuery,
        }
    }

    fn run(
        self,
        state: &SimulatorState,
        caller: &Caller,
        fields: &Params,
    ) -> Result<Params, BusinessError> {
        match self {
            GatewayApi::UnifiedOrder => unified_order::unified_order(state, caller, fields),
            GatewayApi::OrderQuery => order_query::order_query(state, caller, fields),
            GatewayApi::CloseOrder => order_query::close_order(state, caller, fields),
            GatewayApi::ShortUrl => short_url::short_url(state, caller, fields),
            GatewayApi::Refund => refund::refund(state, caller, fields),
            GatewayApi::RefundQuery => refund::refund_query(state, caller, fields),
        }
    }
}

pub(crate) async fn unified_order(
    State(state): State<SimulatorState>,
    request: Request,
) -> Response {
    handle(&state, request, GatewayApi::UnifiedOrder).await
}

pub(crate) async fn order_query(State(state): State<SimulatorState>, request: Request) -> Response {
    handle(&state, request, GatewayApi::OrderQuery).await
}

pub(crate) async fn close_order(State(state): State<SimulatorState>, request: Request) -> Response {
    handle(&state, request, GatewayApi::CloseOrder).await
}

pub(crate) async fn short_url(State(state): State<SimulatorState>, request: Request) -> Response {
    handle(&state, request, GatewayApi::ShortUrl).await
}

pub(crate) async fn refund_query(
    State(state): State<SimulatorState>,
    request: Request,
) -> Response {
    handle(&state, request, GatewayApi::RefundQuery).await
}

/// Runs one gateway call. Protocol failures get an unsigned reply, and every reply after a
/// good signature is signed for the caller.
pub(crate) async fn handle(state: &SimulatorState, request: Request, api: GatewayApi) -> Response {
    let fault = state.take_fault(api.fault_target());
    match &fault {
        Some(Fault::Delay(delay)) => tokio::time::sleep(*delay).await,
        Some(Fault::HttpStatus(status)) => return faults::bare_status(*status),
        Some(Fault::DropBeforeHandling) => return faults::dropped_connection(),
        Some(Fault::SystemError) => {
            return handle_business_error(state, request, api, "SYSTEMERROR").await;
        }
        Some(Fault::BusinessError(err_code)) => {
            return handle_business_error(state, request, api, err_code).await;
        }
        Some(Fault::DropAfterHandling | Fault::PayThenDelay(_)) | None => {}
    }

    let fields = match read_fields(request).await {
        Ok(fields) => fields,
        Err(failure) => {
            tracing::debug!(
                api = api.name(),
                return_msg = failure.return_msg(),
                "request rejected"
            );
            return failure.into_response();
        }
    };
    let out_trade_no = fields.get("out_trade_no").cloned().unwrap_or_default();

    let decode_long_url = api == GatewayApi::ShortUrl;
    let (caller, fields) = match authenticate(state.config(), fields, decode_long_url) {
        Ok(authenticated) => authenticated,
        Err(Rejection::Protocol(failure)) => {
            tracing::debug!(api = api.name(), %out_trade_no, return_msg = failure.return_msg(), "request rejected");
            return failure.into_response();
        }
        Err(Rejection::Business(caller, error)) => {
            log_business_error(api, &caller, &out_trade_no, &error);
            return signed_reply(&caller, Err(error));
        }
    };

    let outcome = api.run(state, &caller, &fields);
    if let Err(error) = &outcome {
        log_business_error(api, &caller, &out_trade_no, error);
    }
    match fault {
        Some(Fault::DropAfterHandling) => return faults::dropped_connection(),
        Some(Fault::PayThenDelay(delay)) if outcome.is_ok() => {
            if let Err(err) = state.pay(&out_trade_no) {
                tracing::warn!(%out_trade_no, error = %err, "fault injection could not pay the order");
            }
            tokio::time::sleep(delay).await;
        }
        _ => {}
    }
    signed_reply(&caller, outcome)
}

/// Answers a correctly signed request with `err_code` without handling it.
async fn handle_business_error(
    state: &SimulatorState,
    request: Request,
    api: GatewayApi,
    err_code: &'static str,
) -> Response {
    let fields = match read_fields(request).await {
        Ok(fields) => fields,
        Err(failure) => return failure.into_response(),
    };
    match authenticate(state.config(), fields, api == GatewayApi::ShortUrl) {
        Ok((caller, _)) => {
            let error = BusinessError::new(err_code, "fault injected by the test");
            signed_reply(&caller, Err(error))
        }
        Err(Rejection::Protocol(failure)) => failure.into_response(),
        Err(Rejection::Business(caller, error)) => signed_reply(&caller, Err(error)),
    }
}

fn log_business_error(api: GatewayApi, caller: &Caller, out_trade_no: &str, error: &BusinessError) {
    tracing::debug!(
        api = api.name(),
        mch_id = %caller.mch_id,
        out_trade_no,
        err_code = error.err_code,
        err_code_des = %error.err_code_des,
        "request answered with result_code FAIL"
    );
}
