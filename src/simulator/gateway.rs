//! The gateway endpoints: one pipeline that reads, authenticates, dispatches and signs.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use super::auth::{Rejection, authenticate};
use super::state::SimulatorState;
use super::wire::{BusinessError, Caller, read_fields, signed_reply};
use super::{order_query, short_url, unified_order};
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
}

impl GatewayApi {
    fn name(self) -> &'static str {
        match self {
            GatewayApi::UnifiedOrder => "unifiedorder",
            GatewayApi::OrderQuery => "orderquery",
            GatewayApi::CloseOrder => "closeorder",
            GatewayApi::ShortUrl => "shorturl",
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

/// Runs one gateway call. Protocol failures get an unsigned reply, and every reply after a
/// good signature is signed for the caller.
async fn handle(state: &SimulatorState, request: Request, api: GatewayApi) -> Response {
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
    signed_reply(&caller, outcome)
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
