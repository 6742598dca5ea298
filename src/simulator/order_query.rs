//! `/pay/orderquery` and `/pay/closeorder`.

use super::state::SimulatorState;
use super::store::{Order, SIMULATED_BANK_TYPE, SIMULATED_IS_SUBSCRIBE};
use super::unified_order::{CNY_FEE_TYPE, NATIVE_TRADE_TYPE};
use super::validate::{optional, required};
use super::wire::{BusinessError, Caller, err_code};
use crate::protocol::Params;
use crate::protocol::messages::TradeState;

/// Returns an order's state, found by `transaction_id` when given, else by `out_trade_no`.
///
/// A paid order returns the whole payment group; any other order returns `out_trade_no`,
/// `trade_state`, `trade_state_desc` and `attach` if it had one.
///
/// NOTE: an unpaid order whose `code_url` lifetime or `time_expire` has passed still returns
/// NOTPAY. Whether the real gateway returns NOTPAY or CLOSED there is not documented.
pub(crate) fn order_query(
    state: &SimulatorState,
    caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let transaction_id = optional(fields, "transaction_id");
    let out_trade_no = optional(fields, "out_trade_no");
    if transaction_id.is_empty() && out_trade_no.is_empty() {
        return Err(BusinessError::missing("out_trade_no或transaction_id"));
    }

    let store = state.lock_store();
    let order = if transaction_id.is_empty() {
        store.order(&caller.mch_id, out_trade_no)
    } else {
        store.order_by_transaction_id(&caller.mch_id, transaction_id)
    };
    let order = order.ok_or_else(order_not_exist)?;
    Ok(query_fields(order))
}

/// Closes an unpaid (NOTPAY or PAYERROR) order.
///
/// WeChat's older documents ask callers to wait 5 minutes after creating an order before
/// closing it; the simulator does not enforce that.
pub(crate) fn close_order(
    state: &SimulatorState,
    caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let out_trade_no = required(fields, "out_trade_no")?;

    let mut store = state.lock_store();
    let order = store
        .order_mut(&caller.mch_id, out_trade_no)
        .ok_or_else(order_not_exist)?;
    match order.trade_state {
        TradeState::Success | TradeState::Refund => Err(BusinessError::new(
            err_code::ORDERPAID,
            "订单已支付，不能关闭",
        )),
        TradeState::Closed => Err(BusinessError::new(err_code::ORDERCLOSED, "订单已关闭")),
        _ => {
            order.trade_state = TradeState::Closed;
            tracing::debug!(mch_id = %caller.mch_id, out_trade_no, "order closed");
            let mut reply = Params::new();
            reply.insert("result_msg".into(), "OK".into());
            Ok(reply)
        }
    }
}

fn order_not_exist() -> BusinessError {
    BusinessError::new(err_code::ORDERNOTEXIST, "此交易订单号不存在")
}

/// Describes a `trade_state` the way `trade_state_desc` does.
fn trade_state_desc(trade_state: &TradeState) -> &'static str {
    match trade_state {
        TradeState::Success => "支付成功",
        TradeState::Refund => "转入退款",
        TradeState::NotPay => "订单未支付",
        TradeState::Closed => "订单已关闭",
        TradeState::PayError => "支付失败，请重新下单支付",
        _ => "",
    }
}

fn query_fields(order: &Order) -> Params {
    let mut fields = Params::new();
    let mut put = |name: &str, value: &str| {
        if !value.is_empty() {
            fields.insert(name.to_owned(), value.to_owned());
        }
    };
    put("out_trade_no", &order.out_trade_no);
    put("trade_state", order.trade_state.as_str());
    put("trade_state_desc", trade_state_desc(&order.trade_state));
    put("attach", &order.attach);

    if let (TradeState::Success | TradeState::Refund, Some(payment)) =
        (&order.trade_state, &order.payment)
    {
        let total_fee = order.total_fee.fen().to_string();
        put("transaction_id", &payment.transaction_id);
        put("total_fee", &total_fee);
        put("cash_fee", &total_fee);
        put("fee_type", CNY_FEE_TYPE);
        put("time_end", &payment.time_end);
        put("openid", &payment.openid);
        put("is_subscribe", SIMULATED_IS_SUBSCRIBE);
        put("trade_type", NATIVE_TRADE_TYPE);
        put("bank_type", SIMULATED_BANK_TYPE);
        put("device_info", &order.device_info);
    }
    fields
}
