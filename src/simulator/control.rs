//! The control API that plays the customer's phone: it pays or fails an order and reads its
//! state. Replies are plain text.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::SimulatorError;
use super::state::SimulatorState;

/// Route that pays an order: `POST`, replies with the `transaction_id`.
pub const PAY_ROUTE: &str = "/sim/orders/{out_trade_no}/pay";
/// Route that fails an order's payment (PAYERROR): `POST`.
pub const FAIL_ROUTE: &str = "/sim/orders/{out_trade_no}/fail";
/// Route that reads an order's state: `GET`.
pub const STATUS_ROUTE: &str = "/sim/orders/{out_trade_no}";

/// Pays the order and starts notification delivery. Replies 200 with
/// `paid out_trade_no=… transaction_id=…`, 404 when the order is unknown, or 409 when it is
/// expired, closed, failed or already paid.
pub(crate) async fn pay(
    State(state): State<SimulatorState>,
    Path(out_trade_no): Path<String>,
) -> Response {
    match state.pay(&out_trade_no) {
        Ok(transaction_id) => (
            StatusCode::OK,
            format!("paid out_trade_no={out_trade_no} transaction_id={transaction_id}\n"),
        )
            .into_response(),
        Err(err) => error_response(&err),
    }
}

/// Fails the order's payment; no notification is sent. Same status codes as [`pay`].
pub(crate) async fn fail(
    State(state): State<SimulatorState>,
    Path(out_trade_no): Path<String>,
) -> Response {
    match state.fail(&out_trade_no) {
        Ok(()) => (
            StatusCode::OK,
            format!("failed out_trade_no={out_trade_no} trade_state=PAYERROR\n"),
        )
            .into_response(),
        Err(err) => error_response(&err),
    }
}

/// Replies with one line: `trade_state transaction_id notify_attempts notify_acknowledged`,
/// for example `SUCCESS 4200001234202612041234567890 3 true`. An unpaid order shows `-` for
/// the `transaction_id`.
pub(crate) async fn status(
    State(state): State<SimulatorState>,
    Path(out_trade_no): Path<String>,
) -> Response {
    match state.order_status(&out_trade_no) {
        Ok(status) => {
            let transaction_id = status.transaction_id.as_deref().unwrap_or("-");
            let line = format!(
                "{} {} {} {}\n",
                status.trade_state.as_str(),
                transaction_id,
                status.notify_attempts,
                status.notify_acknowledged
            );
            (StatusCode::OK, line).into_response()
        }
        Err(err) => error_response(&err),
    }
}

fn error_response(err: &SimulatorError) -> Response {
    let status = if err.is_not_found() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::CONFLICT
    };
    (status, format!("{err}\n")).into_response()
}
