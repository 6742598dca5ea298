//! `/secapi/pay/refund` (served only on the TLS port, see [`serve_secapi`]) and
//! `/pay/refundquery`, with WeChat's refund rules. Only a paid order can be refunded, and the
//! sum of its refunds never exceeds its `total_fee`. A retry with the same `out_refund_no` and
//! amounts returns the same `refund_id`, while other amounts under a used `out_refund_no` are
//! rejected.
//!
//! Refunds complete at once: the reply already means SUCCESS, refundquery reports SUCCESS,
//! and a refund notification goes to the request's `notify_url` when it has one.

use super::bill_render::BillRefund;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::any;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::gateway::{self, GatewayApi};
use super::ids;
use super::notify::{self, NotifyAttempt};
use super::state::SimulatorState;
use super::tls::{SimulatorTls, SimulatorTlsError, TlsListener};
use super::unified_order::CNY_FEE_TYPE;
use super::validate::{check_notify_url, optional, parse_total_fee, required};
use super::wire::{BusinessError, Caller, err_code};
use crate::money::Fen;
use crate::protocol::messages::beijing;
use crate::protocol::refund::{
    MAX_OUT_REFUND_NO_CHARS, MAX_REFUNDS_PER_ORDER, RefundQueryItem, RefundQueryReply, RefundStatus,
};
use crate::protocol::refund_notify::{RefundNotification, refund_notification_body};
use crate::protocol::{Merchant, Params, SignType};

/// Path of the refund API (mutual TLS only).
pub const REFUND_PATH: &str = "/secapi/pay/refund";
/// Path of the refund query API.
pub const REFUND_QUERY_PATH: &str = "/pay/refundquery";

/// `err_code` for a refund over the order's remaining amount or over the refund count limit.
///
/// NOTE: WeChat documents the code ERROR for invalid refund requests, but not the exact
/// `err_code_des` wording for each case, so the descriptions here are the simulator's own.
pub const REFUND_ERROR: &str = "ERROR";
/// `err_code` for an `out_refund_no` reused with other amounts, or a wrong `total_fee`.
pub const PARAM_ERROR: &str = "PARAM_ERROR";
/// `err_code` of refundquery when no refund matches.
pub const REFUNDNOTEXIST: &str = "REFUNDNOTEXIST";

/// A refund the simulated gateway accepted. Public so that reports (such as a daily bill)
/// can be built from the simulator's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedRefund {
    pub mch_id: String,
    pub appid: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub total_fee: Fen,
    pub refund_fee: Fen,
    pub state: RefundStatus,
    /// `yyyy-MM-dd HH:mm:ss` in Beijing time, once the refund succeeded.
    pub success_time: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Empty when the request had no `notify_url`.
    pub notify_url: String,
    pub notify_attempts: Vec<NotifyAttempt>,
}

/// Every refund the gateway accepted, oldest first.
#[derive(Debug, Default)]
pub(crate) struct RefundBook {
    refunds: Vec<SimulatedRefund>,
}

impl RefundBook {
    /// Returns every refund, oldest first.
    pub(crate) fn all(&self) -> &[SimulatedRefund] {
        &self.refunds
    }

    /// Appends a refund accepted in an earlier run.
    pub(crate) fn restore(&mut self, refund: SimulatedRefund) {
        self.refunds.push(refund);
    }

    fn find(&self, mch_id: &str, out_refund_no: &str) -> Option<&SimulatedRefund> {
        self.refunds
            .iter()
            .find(|refund| refund.mch_id == mch_id && refund.out_refund_no == out_refund_no)
    }

    fn for_order<'a>(
        &'a self,
        mch_id: &'a str,
        out_trade_no: &'a str,
    ) -> impl Iterator<Item = &'a SimulatedRefund> + 'a {
        self.refunds
            .iter()
            .filter(move |refund| refund.mch_id == mch_id && refund.out_trade_no == out_trade_no)
    }
}

impl SimulatorState {
    /// Returns a copy of every refund the gateway accepted, oldest first.
    pub fn refunds(&self) -> Vec<SimulatedRefund> {
        self.lock_store().refunds.refunds.clone()
    }

    /// Appends a refund notification attempt to its refund.
    pub(crate) fn record_refund_attempt(
        &self,
        mch_id: &str,
        out_refund_no: &str,
        attempt: NotifyAttempt,
    ) {
        let mut store = self.lock_store();
        if let Some(refund) = store
            .refunds
            .refunds
            .iter_mut()
            .find(|refund| refund.mch_id == mch_id && refund.out_refund_no == out_refund_no)
        {
            refund.notify_attempts.push(attempt);
        }
    }
}

/// The validated fields of a refund request.
struct RefundFields<'a> {
    out_refund_no: &'a str,
    total_fee: Fen,
    refund_fee: Fen,
    notify_url: &'a str,
}

fn read_refund_fields(fields: &Params) -> Result<RefundFields<'_>, BusinessError> {
    let out_refund_no = required(fields, "out_refund_no")?;
    let allowed = out_refund_no
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_-|*@".contains(&b));
    if !allowed || out_refund_no.len() > MAX_OUT_REFUND_NO_CHARS {
        return Err(BusinessError::invalid(
            "out_refund_no",
            "最多32个字符，只能包含字母、数字和_-|*@",
        ));
    }
    let total_fee = parse_total_fee(required(fields, "total_fee")?)?;
    let refund_fee = match Fen::parse_fen_field(required(fields, "refund_fee")?) {
        Some(fee) if fee.fen() > 0 => fee,
        _ => {
            return Err(BusinessError::invalid(
                "refund_fee",
                "必须是大于0的整数，单位为分",
            ));
        }
    };
    let notify_url = optional(fields, "notify_url");
    if !notify_url.is_empty() {
        check_notify_url(notify_url)?;
    }
    Ok(RefundFields {
        out_refund_no,
        total_fee,
        refund_fee,
        notify_url,
    })
}

/// Accepts a refund of a paid order; see the module documentation for the rules.
pub(crate) fn refund(
    state: &SimulatorState,
    caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let request = read_refund_fields(fields)?;
    let transaction_id = optional(fields, "transaction_id");
    let out_trade_no = optional(fields, "out_trade_no");
    if transaction_id.is_empty() && out_trade_no.is_empty() {
        return Err(BusinessError::missing("out_trade_no或transaction_id"));
    }

    let mut store = state.lock_store();
    let order = if transaction_id.is_empty() {
        store.order(&caller.mch_id, out_trade_no)
    } else {
        store.order_by_transaction_id(&caller.mch_id, transaction_id)
    };
    let Some(order) = order.filter(|order| order.payment.is_some()) else {
        return Err(BusinessError::new(
            err_code::ORDERNOTEXIST,
            "订单不存在或未支付，不能退款",
        ));
    };
    let order_key = (order.mch_id.clone(), order.out_trade_no.clone());
    let order_total = order.total_fee;
    let order_transaction_id = order
        .payment
        .as_ref()
        .map(|payment| payment.transaction_id.clone())
        .unwrap_or_default();

    if let Some(existing) = store.refunds.find(&caller.mch_id, request.out_refund_no) {
        let same = existing.out_trade_no == order_key.1
            && existing.refund_fee == request.refund_fee
            && existing.total_fee == request.total_fee;
        if !same {
            return Err(BusinessError::new(
                PARAM_ERROR,
                "订单金额或退款金额与之前请求不一致，请核实后再试",
            ));
        }
        tracing::debug!(
            out_refund_no = request.out_refund_no,
            "refund retried; same refund_id returned"
        );
        return Ok(refund_reply(existing));
    }

    if request.total_fee != order_total {
        return Err(BusinessError::new(PARAM_ERROR, "订单金额与支付金额不一致"));
    }
    let previous: Vec<&SimulatedRefund> = store
        .refunds
        .for_order(&caller.mch_id, &order_key.1)
        .filter(|refund| refund.state != RefundStatus::RefundClose)
        .collect();
    if previous.len() >= MAX_REFUNDS_PER_ORDER {
        return Err(BusinessError::new(
            REFUND_ERROR,
            format!("每笔订单最多退款{MAX_REFUNDS_PER_ORDER}次"),
        ));
    }
    let refunded: i64 = previous.iter().map(|refund| refund.refund_fee.fen()).sum();
    if refunded + request.refund_fee.fen() > order_total.fen() {
        return Err(BusinessError::new(
            REFUND_ERROR,
            format!(
                "申请退款金额超过订单可退金额：订单{}分，已退{}分",
                order_total.fen(),
                refunded
            ),
        ));
    }

    let now = Utc::now();
    let refund = SimulatedRefund {
        mch_id: caller.mch_id.clone(),
        appid: caller.appid.clone(),
        out_refund_no: request.out_refund_no.to_owned(),
        refund_id: ids::new_refund_id(now),
        out_trade_no: order_key.1.clone(),
        transaction_id: order_transaction_id,
        total_fee: order_total,
        refund_fee: request.refund_fee,
        state: RefundStatus::Success,
        success_time: Some(success_time(now)),
        created_at: now,
        notify_url: request.notify_url.to_owned(),
        notify_attempts: Vec::new(),
    };
    let mut bill_row = None;
    if let Some(order) = store.order_mut(&order_key.0, &order_key.1) {
        order.trade_state = crate::protocol::messages::TradeState::Refund;
        bill_row = Some(BillRefund {
            appid: order.appid.clone(),
            mch_id: order.mch_id.clone(),
            device_info: order.device_info.clone(),
            transaction_id: refund.transaction_id.clone(),
            out_trade_no: order.out_trade_no.clone(),
            openid: order
                .payment
                .as_ref()
                .map(|payment| payment.openid.clone())
                .unwrap_or_default(),
            refund_id: refund.refund_id.clone(),
            out_refund_no: refund.out_refund_no.clone(),
            refund_fee: refund.refund_fee,
            refund_status: "SUCCESS".to_owned(),
            requested_at: now,
            succeeded_at: Some(now),
            body: optional(&order.business_fields, "body").to_owned(),
            attach: order.attach.clone(),
        });
    }
    store.refunds.refunds.push(refund.clone());
    drop(store);
    // The daily bill lists the refund on the day it succeeded, as WeChat's does.
    if let Some(bill_row) = bill_row {
        state.add_bill_refund(bill_row);
    }

    tracing::info!(
        mch_id = %refund.mch_id,
        out_trade_no = %refund.out_trade_no,
        out_refund_no = %refund.out_refund_no,
        refund_id = %refund.refund_id,
        refund_fee = refund.refund_fee.fen(),
        "simulated refund completed"
    );
    if !refund.notify_url.is_empty() {
        start_notification(state, caller, &refund);
    }
    Ok(refund_reply(&refund))
}

/// Lists refunds by `refund_id`, `out_refund_no`, `transaction_id` or `out_trade_no`, taking
/// the first one present in that order.
///
/// NOTE: which identifier WeChat prefers when a request carries several is not confirmed;
/// this order follows the most specific first.
pub(crate) fn refund_query(
    state: &SimulatorState,
    caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let store = state.lock_store();
    let mine = |refund: &&SimulatedRefund| refund.mch_id == caller.mch_id;
    let all = store.refunds.refunds.iter().filter(mine);
    let matches: Vec<&SimulatedRefund> = [
        ("refund_id", optional(fields, "refund_id")),
        ("out_refund_no", optional(fields, "out_refund_no")),
        ("transaction_id", optional(fields, "transaction_id")),
        ("out_trade_no", optional(fields, "out_trade_no")),
    ]
    .into_iter()
    .find(|(_, value)| !value.is_empty())
    .map(|(name, value)| {
        all.filter(|refund| match name {
            "refund_id" => refund.refund_id == value,
            "out_refund_no" => refund.out_refund_no == value,
            "transaction_id" => refund.transaction_id == value,
            _ => refund.out_trade_no == value,
        })
        .collect()
    })
    .ok_or_else(|| {
        BusinessError::missing("out_refund_no、out_trade_no、transaction_id或refund_id")
    })?;

    let Some(first) = matches.first() else {
        return Err(BusinessError::new(REFUNDNOTEXIST, "退款订单查询失败"));
    };
    let reply = RefundQueryReply {
        out_trade_no: first.out_trade_no.clone(),
        transaction_id: first.transaction_id.clone(),
        total_fee: first.total_fee,
        refunds: matches.iter().map(|refund| query_item(refund)).collect(),
    };
    let mut fields = reply.to_params();
    fields.insert("fee_type".into(), CNY_FEE_TYPE.into());
    Ok(fields)
}

fn query_item(refund: &SimulatedRefund) -> RefundQueryItem {
    RefundQueryItem {
        out_refund_no: refund.out_refund_no.clone(),
        refund_id: refund.refund_id.clone(),
        refund_fee: refund.refund_fee,
        refund_status: refund.state.clone(),
        refund_success_time: refund.success_time.clone(),
        refund_channel: "ORIGINAL".into(),
    }
}

fn refund_reply(refund: &SimulatedRefund) -> Params {
    let mut fields = Params::new();
    let mut put = |name: &str, value: String| {
        fields.insert(name.to_owned(), value);
    };
    put("transaction_id", refund.transaction_id.clone());
    put("out_trade_no", refund.out_trade_no.clone());
    put("out_refund_no", refund.out_refund_no.clone());
    put("refund_id", refund.refund_id.clone());
    put("refund_fee", refund.refund_fee.fen().to_string());
    put("settlement_refund_fee", refund.refund_fee.fen().to_string());
    put("total_fee", refund.total_fee.fen().to_string());
    put("settlement_total_fee", refund.total_fee.fen().to_string());
    put("fee_type", CNY_FEE_TYPE.to_owned());
    put("cash_fee", refund.total_fee.fen().to_string());
    put("cash_refund_fee", refund.refund_fee.fen().to_string());
    put("coupon_refund_fee", "0".to_owned());
    put("coupon_refund_count", "0".to_owned());
    fields
}

/// Formats a refund's `success_time`: `yyyy-MM-dd HH:mm:ss` in Beijing time.
fn success_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn start_notification(state: &SimulatorState, caller: &Caller, refund: &SimulatedRefund) {
    let merchant = Merchant {
        appid: refund.appid.clone(),
        mch_id: caller.mch_id.clone(),
        api_key: caller.api_key.clone(),
        sign_type: SignType::Md5,
    };
    let notification = RefundNotification {
        transaction_id: refund.transaction_id.clone(),
        out_trade_no: refund.out_trade_no.clone(),
        refund_id: refund.refund_id.clone(),
        out_refund_no: refund.out_refund_no.clone(),
        total_fee: refund.total_fee,
        refund_fee: refund.refund_fee,
        refund_status: refund.state.clone(),
        success_time: refund.success_time.clone(),
    };
    let delivery = notify::Delivery::refund(
        &refund.mch_id,
        &refund.out_trade_no,
        &refund.transaction_id,
        &refund.out_refund_no,
        &refund.notify_url,
        refund_notification_body(&notification, &merchant),
    );
    tokio::spawn(notify::deliver(state.clone(), delivery));
}

pub(crate) async fn refund_handler(
    State(state): State<SimulatorState>,
    request: Request,
) -> Response {
    gateway::handle(&state, request, GatewayApi::Refund).await
}

/// The secure API server: `/secapi/pay/refund` over TLS with client certificates.
pub struct SecapiHandle {
    /// The address the TLS port listens on.
    pub addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl SecapiHandle {
    /// Returns the base URL for secure APIs, such as `https://127.0.0.1:7879`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for SecapiHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Serves the refund API on `tcp` over TLS, requiring a client certificate signed by the
/// CA in `tls`. It stops with the simulator (`state`) or when the handle is dropped.
pub async fn serve_secapi(
    tcp: TcpListener,
    state: SimulatorState,
    tls: &SimulatorTls,
) -> Result<SecapiHandle, SimulatorTlsError> {
    let config = tls.server_config()?;
    let addr = tcp.local_addr().map_err(SimulatorTlsError::LocalAddr)?;
    let listener = TlsListener::new(tcp, config).map_err(SimulatorTlsError::LocalAddr)?;
    let app = Router::new()
        .route(REFUND_PATH, any(refund_handler))
        .with_state(state.clone());
    let task = tokio::spawn(async move {
        let server =
            axum::serve(listener, app).with_graceful_shutdown(async move { state.stopped().await });
        if let Err(err) = server.await {
            tracing::error!(%addr, error = %err, "secure API port stopped with an error");
        }
    });
    tracing::info!(%addr, "gateway simulator secure API port listening (TLS, client certificate required)");
    Ok(SecapiHandle {
        addr,
        task: Some(task),
    })
}
