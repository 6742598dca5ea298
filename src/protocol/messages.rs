//! Typed requests and replies for the Native payment APIs, built on [`Params`].

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};

use super::reply::{self, ReplyError};
use super::sign;
use super::{Merchant, Params, new_nonce};
use crate::money::Fen;

/// Offset of Beijing time from UTC, in seconds.
pub const BEIJING_UTC_OFFSET_SECS: i32 = 8 * 3600;

/// Beijing time (UTC+8), the zone of every protocol timestamp.
pub fn beijing() -> FixedOffset {
    // The offset is within chrono's ±24 h range, so the UTC fallback is never taken.
    FixedOffset::east_opt(BEIJING_UTC_OFFSET_SECS).unwrap_or(Utc.fix())
}

/// Length of a `yyyyMMddHHmmss` protocol time.
pub const PROTOCOL_TIME_LEN: usize = 14;

/// Formats a time as the protocol's `yyyyMMddHHmmss` in Beijing time.
pub fn format_protocol_time(time: DateTime<Utc>) -> String {
    time.with_timezone(&beijing())
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// Parses a `yyyyMMddHHmmss` Beijing-time field such as `time_end`.
pub fn parse_protocol_time(text: &str) -> Option<DateTime<Utc>> {
    // chrono accepts one-digit fields, so the fixed width is checked first.
    if text.len() != PROTOCOL_TIME_LEN || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    beijing()
        .from_local_datetime(&naive)
        .single()
        .map(|time| time.with_timezone(&Utc))
}

/// Starts a request's fields with `appid`, `mch_id` and a fresh `nonce_str`.
pub fn base_params(merchant: &Merchant) -> Params {
    let mut params = Params::new();
    params.insert("appid".into(), merchant.appid.clone());
    params.insert("mch_id".into(), merchant.mch_id.clone());
    params.insert("nonce_str".into(), new_nonce());
    params
}

/// Signs request fields with the merchant's key and algorithm.
pub fn sign_request(params: &mut Params, merchant: &Merchant) {
    sign::sign_in_place(params, &merchant.api_key, merchant.sign_type);
}

/// `/pay/unifiedorder` for a Native (QR code) payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedOrderRequest {
    pub body: String,
    pub out_trade_no: String,
    pub total_fee: Fen,
    pub spbill_create_ip: String,
    pub notify_url: String,
    pub product_id: String,
    pub time_start: String,
    pub time_expire: String,
    /// The terminal id, reported back in bills.
    pub device_info: String,
}

impl UnifiedOrderRequest {
    /// Unsigned request fields, including the caller's `nonce_str`.
    ///
    /// A retry of the same order must send identical fields, so the nonce is fixed by the caller.
    pub fn to_params(&self, merchant: &Merchant, nonce_str: &str) -> Params {
        let mut params = base_params(merchant);
        params.insert("nonce_str".into(), nonce_str.to_owned());
        params.insert("body".into(), self.body.clone());
        params.insert("out_trade_no".into(), self.out_trade_no.clone());
        params.insert("total_fee".into(), self.total_fee.fen().to_string());
        params.insert("spbill_create_ip".into(), self.spbill_create_ip.clone());
        params.insert("notify_url".into(), self.notify_url.clone());
        params.insert("trade_type".into(), "NATIVE".into());
        params.insert("product_id".into(), self.product_id.clone());
        params.insert("time_start".into(), self.time_start.clone());
        params.insert("time_expire".into(), self.time_expire.clone());
        params.insert("device_info".into(), self.device_info.clone());
        params
    }
}

/// The useful part of a successful unifiedorder reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedOrderReply {
    pub prepay_id: String,
    pub code_url: String,
}

impl UnifiedOrderReply {
    /// Reads a reply that [`reply::check_reply`] accepted.
    pub fn from_params(fields: &Params) -> Result<Self, ReplyError> {
        Ok(UnifiedOrderReply {
            prepay_id: reply::required(fields, "prepay_id")?.to_owned(),
            code_url: reply::required(fields, "code_url")?.to_owned(),
        })
    }
}

/// An order's `trade_state` from orderquery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TradeState {
    Success,
    Refund,
    NotPay,
    Closed,
    Revoked,
    UserPaying,
    PayError,
    /// A value this code does not know; treated as not paid.
    Other(String),
}

impl TradeState {
    /// Parses the `trade_state` field.
    pub fn from_field(value: &str) -> TradeState {
        match value {
            "SUCCESS" => TradeState::Success,
            "REFUND" => TradeState::Refund,
            "NOTPAY" => TradeState::NotPay,
            "CLOSED" => TradeState::Closed,
            "REVOKED" => TradeState::Revoked,
            "USERPAYING" => TradeState::UserPaying,
            "PAYERROR" => TradeState::PayError,
            other => TradeState::Other(other.to_owned()),
        }
    }

    /// Returns the field value.
    pub fn as_str(&self) -> &str {
        match self {
            TradeState::Success => "SUCCESS",
            TradeState::Refund => "REFUND",
            TradeState::NotPay => "NOTPAY",
            TradeState::Closed => "CLOSED",
            TradeState::Revoked => "REVOKED",
            TradeState::UserPaying => "USERPAYING",
            TradeState::PayError => "PAYERROR",
            TradeState::Other(value) => value,
        }
    }
}

/// The useful part of a successful orderquery reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQueryReply {
    pub out_trade_no: String,
    pub trade_state: TradeState,
    pub trade_state_desc: String,
    /// Present when `trade_state` is SUCCESS (or REFUND).
    pub transaction_id: Option<String>,
    pub total_fee: Option<Fen>,
    pub cash_fee: Option<Fen>,
    pub time_end: Option<String>,
}

impl OrderQueryReply {
    /// Reads a reply that [`reply::check_reply`] accepted.
    pub fn from_params(fields: &Params) -> Result<Self, ReplyError> {
        let non_empty = |name: &str| fields.get(name).filter(|value| !value.is_empty()).cloned();
        Ok(OrderQueryReply {
            out_trade_no: reply::required(fields, "out_trade_no")?.to_owned(),
            trade_state: TradeState::from_field(reply::required(fields, "trade_state")?),
            trade_state_desc: fields.get("trade_state_desc").cloned().unwrap_or_default(),
            transaction_id: non_empty("transaction_id"),
            total_fee: non_empty("total_fee").and_then(|text| Fen::parse_fen_field(&text)),
            cash_fee: non_empty("cash_fee").and_then(|text| Fen::parse_fen_field(&text)),
            time_end: non_empty("time_end"),
        })
    }
}

/// A payment notification that passed signature and merchant checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNotification {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub total_fee: Fen,
    pub cash_fee: Option<Fen>,
    pub time_end: String,
    pub openid: String,
}

impl PaymentNotification {
    /// Reads the payment fields of a verified notification whose `result_code` is SUCCESS.
    pub fn from_params(fields: &Params) -> Result<Self, ReplyError> {
        let total_fee_text = reply::required(fields, "total_fee")?;
        let total_fee = Fen::parse_fen_field(total_fee_text)
            .ok_or(ReplyError::MissingField { name: "total_fee" })?;
        Ok(PaymentNotification {
            out_trade_no: reply::required(fields, "out_trade_no")?.to_owned(),
            transaction_id: reply::required(fields, "transaction_id")?.to_owned(),
            total_fee,
            cash_fee: fields
                .get("cash_fee")
                .and_then(|text| Fen::parse_fen_field(text)),
            time_end: fields.get("time_end").cloned().unwrap_or_default(),
            openid: fields.get("openid").cloned().unwrap_or_default(),
        })
    }
}

/// Builds the reply that acknowledges a processed notification.
pub fn notify_reply_success() -> String {
    notify_reply("SUCCESS", "OK")
}

/// Builds the reply that makes WeChat deliver the notification again later.
pub fn notify_reply_fail(return_msg: &str) -> String {
    notify_reply("FAIL", return_msg)
}

fn notify_reply(return_code: &str, return_msg: &str) -> String {
    let mut fields = Params::new();
    fields.insert("return_code".into(), return_code.into());
    fields.insert("return_msg".into(), return_msg.into());
    super::xml::to_xml(&fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_time_is_beijing_time() {
        let time = parse_protocol_time("20141030133525").unwrap();
        assert_eq!(time.to_rfc3339(), "2014-10-30T05:35:25+00:00");
        assert_eq!(format_protocol_time(time), "20141030133525");
        assert_eq!(parse_protocol_time("2014103013352"), None);
    }

    #[test]
    fn success_reply_is_the_documented_xml() {
        assert_eq!(
            notify_reply_success(),
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
    }
}
