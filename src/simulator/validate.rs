//! Field checks shared by the gateway APIs: presence, length and format.

use chrono::{DateTime, Utc};

use super::wire::BusinessError;
use crate::money::Fen;
use crate::protocol::Params;
use crate::protocol::messages::parse_protocol_time;

/// Longest `out_trade_no` (String(32)).
pub const MAX_OUT_TRADE_NO_CHARS: usize = 32;
/// Punctuation allowed in `out_trade_no` besides ASCII letters and digits.
pub const OUT_TRADE_NO_PUNCTUATION: &[u8] = b"_-|*@";
/// Longest `notify_url` (String(256)).
pub const MAX_NOTIFY_URL_CHARS: usize = 256;

/// Maximum lengths, in characters, of the unifiedorder fields the simulator checks.
pub const UNIFIED_ORDER_FIELD_LIMITS: &[(&str, usize)] = &[
    ("body", 128),
    ("detail", 6000),
    ("attach", 127),
    ("device_info", 32),
    ("spbill_create_ip", 64),
    ("goods_tag", 32),
    ("product_id", 32),
];

/// Returns a non-empty field or LACK_PARAMS naming it.
pub fn required<'a>(fields: &'a Params, name: &str) -> Result<&'a str, BusinessError> {
    fields
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| BusinessError::missing(name))
}

/// Returns a field's value, or an empty string when it is absent.
pub fn optional<'a>(fields: &'a Params, name: &str) -> &'a str {
    fields.get(name).map(String::as_str).unwrap_or_default()
}

/// Checks `out_trade_no`: at most 32 characters of letters, digits and `_-|*@`.
pub fn check_out_trade_no(out_trade_no: &str) -> Result<(), BusinessError> {
    let allowed = out_trade_no
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || OUT_TRADE_NO_PUNCTUATION.contains(&b));
    if !allowed || out_trade_no.len() > MAX_OUT_TRADE_NO_CHARS {
        return Err(BusinessError::invalid(
            "out_trade_no",
            "最多32个字符，只能包含字母、数字和_-|*@",
        ));
    }
    Ok(())
}

/// Parses `total_fee`: a positive integer number of fen.
pub fn parse_total_fee(text: &str) -> Result<Fen, BusinessError> {
    match Fen::parse_fen_field(text) {
        Some(fee) if fee.fen() > 0 => Ok(fee),
        _ => Err(BusinessError::invalid(
            "total_fee",
            "必须是大于0的整数，单位为分",
        )),
    }
}

/// Checks the length of every field listed in `limits` that is present.
pub fn check_lengths(fields: &Params, limits: &[(&str, usize)]) -> Result<(), BusinessError> {
    for (name, max_chars) in limits {
        if optional(fields, name).chars().count() > *max_chars {
            return Err(BusinessError::invalid(
                name,
                &format!("长度不能超过{max_chars}个字符"),
            ));
        }
    }
    Ok(())
}

/// Checks `notify_url`: an absolute http or https URL with a host and no query string.
pub fn check_notify_url(notify_url: &str) -> Result<(), BusinessError> {
    let invalid = || {
        BusinessError::invalid(
            "notify_url",
            "必须是不带查询参数的http或https地址，最多256个字符",
        )
    };
    if notify_url.chars().count() > MAX_NOTIFY_URL_CHARS {
        return Err(invalid());
    }
    let url = reqwest::Url::parse(notify_url).map_err(|_| invalid())?;
    let scheme_ok = matches!(url.scheme(), "http" | "https");
    if !scheme_ok || url.host().is_none() || url.query().is_some() {
        return Err(invalid());
    }
    Ok(())
}

/// Parses an optional `yyyyMMddHHmmss` Beijing-time field such as `time_expire`.
pub fn parse_optional_time(
    fields: &Params,
    name: &str,
) -> Result<Option<DateTime<Utc>>, BusinessError> {
    let text = optional(fields, name);
    if text.is_empty() {
        return Ok(None);
    }
    parse_protocol_time(text)
        .map(Some)
        .ok_or_else(|| BusinessError::invalid(name, "格式必须是yyyyMMddHHmmss（北京时间）"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_trade_no_accepts_documented_characters() {
        assert!(check_out_trade_no("A-1_b|c*d@2").is_ok());
        assert!(check_out_trade_no("has space").is_err());
        assert!(check_out_trade_no("订单1").is_err());
        assert!(check_out_trade_no(&"9".repeat(MAX_OUT_TRADE_NO_CHARS + 1)).is_err());
    }

    #[test]
    fn total_fee_must_be_positive_integer() {
        assert_eq!(parse_total_fee("1990"), Ok(Fen(1990)));
        assert!(parse_total_fee("0").is_err());
        assert!(parse_total_fee("-5").is_err());
        assert!(parse_total_fee("19.90").is_err());
    }

    #[test]
    fn notify_url_with_query_is_rejected() {
        assert!(check_notify_url("http://127.0.0.1:8080/notify").is_ok());
        assert!(check_notify_url("http://127.0.0.1:8080/notify?order=1").is_err());
        assert!(check_notify_url("ftp://127.0.0.1/notify").is_err());
        assert!(check_notify_url("/notify").is_err());
    }
}
