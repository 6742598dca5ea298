//! `/pay/unifiedorder` for Native payments: validation, re-entry and `code_url` issue.

use chrono::{DateTime, TimeDelta, Utc};

use super::ids;
use super::state::SimulatorState;
use super::store::Order;
use super::validate::{self, optional, required};
use super::wire::{BusinessError, Caller, err_code};
use crate::protocol::Params;
use crate::protocol::messages::TradeState;

/// The only `trade_type` the simulator supports.
pub const NATIVE_TRADE_TYPE: &str = "NATIVE";
/// The only `fee_type` the simulator supports.
pub const CNY_FEE_TYPE: &str = "CNY";

/// Fields that the signature covers but that do not describe the order, so they may differ
/// when an order is submitted again.
const NON_BUSINESS_FIELDS: [&str; 3] = ["nonce_str", "sign", "sign_type"];

/// Creates an order, or returns the existing one when the same `out_trade_no` is submitted
/// again with identical business fields.
pub(crate) fn unified_order(
    state: &SimulatorState,
    caller: &Caller,
    fields: &Params,
) -> Result<Params, BusinessError> {
    let now = Utc::now();
    let checked = check_request(fields, now)?;
    let business_fields: Params = fields
        .iter()
        .filter(|(name, _)| !NON_BUSINESS_FIELDS.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let lifetime_secs = state.config().code_url_lifetime_secs;

    let mut store = state.lock_store();
    if let Some(existing) = store.order_mut(&caller.mch_id, &checked.out_trade_no) {
        reenter(existing, &business_fields, now, lifetime_secs)?;
        tracing::debug!(
            mch_id = %caller.mch_id,
            out_trade_no = %existing.out_trade_no,
            "order submitted again with identical fields"
        );
        return Ok(success_fields(existing));
    }

    let order = Order {
        appid: caller.appid.clone(),
        mch_id: caller.mch_id.clone(),
        out_trade_no: checked.out_trade_no,
        business_fields,
        sign_type: caller.sign_type,
        api_key: caller.api_key.clone(),
        total_fee: checked.total_fee,
        notify_url: optional(fields, "notify_url").to_owned(),
        attach: optional(fields, "attach").to_owned(),
        device_info: optional(fields, "device_info").to_owned(),
        prepay_id: ids::new_prepay_id(now),
        code_url: ids::new_code_url(),
        code_url_expires_at: add_secs(now, lifetime_secs),
        time_expire: checked.time_expire,
        trade_state: TradeState::NotPay,
        payment: None,
        notify_attempts: Vec::new(),
        notify_acknowledged: false,
    };
    let reply = success_fields(&order);
    tracing::debug!(
        mch_id = %order.mch_id,
        out_trade_no = %order.out_trade_no,
        total_fee = order.total_fee.fen(),
        "order created"
    );
    store.insert(order);
    Ok(reply)
}

/// The parts of a valid request that the order keeps in typed form.
struct CheckedRequest {
    out_trade_no: String,
    total_fee: crate::money::Fen,
    time_expire: Option<DateTime<Utc>>,
}

/// Checks presence, type and format of the request fields.
fn check_request(fields: &Params, now: DateTime<Utc>) -> Result<CheckedRequest, BusinessError> {
    for name in [
        "body",
        "out_trade_no",
        "total_fee",
        "spbill_create_ip",
        "notify_url",
        "trade_type",
    ] {
        required(fields, name)?;
    }
    if optional(fields, "trade_type") != NATIVE_TRADE_TYPE {
        return Err(BusinessError::invalid("trade_type", "模拟网关只支持NATIVE"));
    }
    required(fields, "product_id")?;

    let out_trade_no = optional(fields, "out_trade_no");
    validate::check_out_trade_no(out_trade_no)?;
    let total_fee = validate::parse_total_fee(optional(fields, "total_fee"))?;
    let fee_type = optional(fields, "fee_type");
    if !fee_type.is_empty() && fee_type != CNY_FEE_TYPE {
        return Err(BusinessError::invalid("fee_type", "模拟网关只支持CNY"));
    }
    validate::check_notify_url(optional(fields, "notify_url"))?;
    validate::check_lengths(fields, validate::UNIFIED_ORDER_FIELD_LIMITS)?;

    validate::parse_optional_time(fields, "time_start")?;
    let time_expire = validate::parse_optional_time(fields, "time_expire")?;
    if time_expire.is_some_and(|time_expire| time_expire <= now) {
        return Err(BusinessError::invalid(
            "time_expire",
            "订单失效时间必须晚于当前时间",
        ));
    }

    Ok(CheckedRequest {
        out_trade_no: out_trade_no.to_owned(),
        total_fee,
        time_expire,
    })
}

/// Applies a repeated submission to an existing order.
///
/// A paid, closed or failed order is refused, and so are changed fields. Identical fields
/// return the same `prepay_id` and `code_url` while they are valid, and new ones after the
/// `code_url` lifetime ends, as WeChat documents for re-entry after 2 hours.
fn reenter(
    order: &mut Order,
    business_fields: &Params,
    now: DateTime<Utc>,
    lifetime_secs: u64,
) -> Result<(), BusinessError> {
    match order.trade_state {
        TradeState::Success => return Err(BusinessError::new(err_code::ORDERPAID, "该订单已支付")),
        TradeState::Closed => {
            return Err(BusinessError::new(err_code::ORDERCLOSED, "该订单已关闭"));
        }
        TradeState::PayError => {
            return Err(BusinessError::new(
                err_code::INVALID_REQUEST,
                "该订单支付失败，请使用新的out_trade_no重新下单",
            ));
        }
        _ => {}
    }
    if &order.business_fields != business_fields {
        return Err(BusinessError::new(
            err_code::OUT_TRADE_NO_USED,
            "商户订单号重复：再次提交同一out_trade_no时参数必须与首次下单相同",
        ));
    }
    if now < order.code_url_expires_at {
        return Ok(());
    }
    // NOTE: what WeChat returns when an unpaid order is submitted again after its
    // time_expire is not documented.
    if order
        .time_expire
        .is_some_and(|time_expire| time_expire <= now)
    {
        return Err(BusinessError::new(
            err_code::INVALID_REQUEST,
            "订单已超过time_expire，请使用新的out_trade_no重新下单",
        ));
    }
    order.prepay_id = ids::new_prepay_id(now);
    order.code_url = ids::new_code_url();
    order.code_url_expires_at = add_secs(now, lifetime_secs);
    Ok(())
}

fn success_fields(order: &Order) -> Params {
    let mut fields = Params::new();
    fields.insert("trade_type".into(), NATIVE_TRADE_TYPE.into());
    fields.insert("prepay_id".into(), order.prepay_id.clone());
    fields.insert("code_url".into(), order.code_url.clone());
    if !order.device_info.is_empty() {
        fields.insert("device_info".into(), order.device_info.clone());
    }
    fields
}

/// Adds seconds to a time, saturating at the latest time chrono can represent.
fn add_secs(time: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    i64::try_from(secs)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| time.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
