//! Typed messages for `/secapi/pay/refund` and `/pay/refundquery`, whose reply lists each
//! refund of an order under indexed fields (`out_refund_no_0`, `refund_fee_0`, ...).

use super::reply::{self, ReplyError};
use super::{Merchant, Params, messages::base_params};
use crate::money::Fen;

/// Most refunds WeChat accepts for one order.
pub const MAX_REFUNDS_PER_ORDER: usize = 50;
/// Longest `out_refund_no`. Newer documents allow 64 characters and older ones 32, so 32 is
/// what this code issues and accepts.
pub const MAX_OUT_REFUND_NO_CHARS: usize = 32;
/// Longest `refund_desc`, in characters (String(80)).
pub const MAX_REFUND_DESC_CHARS: usize = 80;

/// A refund's `refund_status` (also `refund_status_$n` in refundquery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundStatus {
    /// The money went back to the payer.
    Success,
    /// The refund was closed without paying out.
    RefundClose,
    /// The gateway accepted the refund and is paying it out.
    Processing,
    /// The payout failed (for example the payer's bank card was cancelled) and needs the
    /// merchant platform to route it elsewhere.
    Change,
    /// A value this code does not know; treated like PROCESSING.
    Other(String),
}

impl RefundStatus {
    /// Parses the field value.
    pub fn from_field(value: &str) -> RefundStatus {
        match value {
            "SUCCESS" => RefundStatus::Success,
            "REFUNDCLOSE" => RefundStatus::RefundClose,
            "PROCESSING" => RefundStatus::Processing,
            "CHANGE" => RefundStatus::Change,
            other => RefundStatus::Other(other.to_owned()),
        }
    }

    /// Returns the field value.
    pub fn as_str(&self) -> &str {
        match self {
            RefundStatus::Success => "SUCCESS",
            RefundStatus::RefundClose => "REFUNDCLOSE",
            RefundStatus::Processing => "PROCESSING",
            RefundStatus::Change => "CHANGE",
            RefundStatus::Other(value) => value,
        }
    }
}

/// `/secapi/pay/refund` by `out_trade_no`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub total_fee: Fen,
    pub refund_fee: Fen,
    /// Shown to the payer; empty means none is sent.
    pub refund_desc: String,
    /// URL of the refund result notification; empty means the URL set on the merchant
    /// platform.
    pub notify_url: String,
}

impl RefundRequest {
    /// Unsigned request fields with the caller's `nonce_str`, so that a retry sends the same
    /// fields.
    pub fn to_params(&self, merchant: &Merchant, nonce_str: &str) -> Params {
        let mut params = base_params(merchant);
        params.insert("nonce_str".into(), nonce_str.to_owned());
        params.insert("out_trade_no".into(), self.out_trade_no.clone());
        params.insert("out_refund_no".into(), self.out_refund_no.clone());
        params.insert("total_fee".into(), self.total_fee.fen().to_string());
        params.insert("refund_fee".into(), self.refund_fee.fen().to_string());
        // Older documents require op_user_id; the merchant number is its documented default.
        params.insert("op_user_id".into(), merchant.mch_id.clone());
        if !self.refund_desc.is_empty() {
            params.insert("refund_desc".into(), self.refund_desc.clone());
        }
        if !self.notify_url.is_empty() {
            params.insert("notify_url".into(), self.notify_url.clone());
        }
        params
    }
}

/// The useful part of a successful refund reply: the gateway accepted the refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReply {
    pub transaction_id: String,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_fee: Fen,
    pub total_fee: Fen,
}

impl RefundReply {
    /// Reads a reply that [`reply::check_reply`] accepted.
    pub fn from_params(fields: &Params) -> Result<Self, ReplyError> {
        Ok(RefundReply {
            transaction_id: fields.get("transaction_id").cloned().unwrap_or_default(),
            out_trade_no: reply::required(fields, "out_trade_no")?.to_owned(),
            out_refund_no: reply::required(fields, "out_refund_no")?.to_owned(),
            refund_id: reply::required(fields, "refund_id")?.to_owned(),
            refund_fee: fen_field(fields, "refund_fee")?,
            total_fee: fen_field(fields, "total_fee")?,
        })
    }
}

/// The identifier a refundquery looks refunds up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundLookup {
    /// Every refund of the order.
    OutTradeNo(String),
    /// One refund.
    OutRefundNo(String),
}

impl RefundLookup {
    /// Unsigned refundquery fields.
    pub fn to_params(&self, merchant: &Merchant) -> Params {
        let mut params = base_params(merchant);
        let (name, value) = match self {
            RefundLookup::OutTradeNo(value) => ("out_trade_no", value),
            RefundLookup::OutRefundNo(value) => ("out_refund_no", value),
        };
        params.insert(name.into(), value.clone());
        params
    }
}

/// One refund in a refundquery reply (the fields with index `$n`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundQueryItem {
    pub out_refund_no: String,
    pub refund_id: String,
    pub refund_fee: Fen,
    pub refund_status: RefundStatus,
    /// `yyyy-MM-dd HH:mm:ss` in Beijing time, when the refund succeeded.
    pub refund_success_time: Option<String>,
    /// ORIGINAL, BALANCE, OTHER_BALANCE or OTHER_BANKCARD; empty when absent.
    pub refund_channel: String,
}

impl RefundQueryItem {
    /// Writes the item's fields with index `index`, as the gateway sends them.
    pub fn write_indexed(&self, index: usize, fields: &mut Params) {
        let mut put = |name: &str, value: &str| {
            if !value.is_empty() {
                fields.insert(format!("{name}_{index}"), value.to_owned());
            }
        };
        put("out_refund_no", &self.out_refund_no);
        put("refund_id", &self.refund_id);
        put("refund_fee", &self.refund_fee.fen().to_string());
        put("settlement_refund_fee", &self.refund_fee.fen().to_string());
        put("refund_status", self.refund_status.as_str());
        put("refund_channel", &self.refund_channel);
        if let Some(time) = &self.refund_success_time {
            put("refund_success_time", time);
        }
    }

    fn read_indexed(fields: &Params, index: usize) -> Result<Self, ReplyError> {
        let field = |name: &'static str| fields.get(&format!("{name}_{index}")).cloned();
        let missing = |name: &'static str| ReplyError::MissingField { name };
        let refund_fee = field("refund_fee")
            .and_then(|text| Fen::parse_fen_field(&text))
            .ok_or(missing("refund_fee_$n"))?;
        Ok(RefundQueryItem {
            out_refund_no: field("out_refund_no")
                .filter(|value| !value.is_empty())
                .ok_or(missing("out_refund_no_$n"))?,
            refund_id: field("refund_id").unwrap_or_default(),
            refund_fee,
            refund_status: RefundStatus::from_field(
                &field("refund_status").ok_or(missing("refund_status_$n"))?,
            ),
            refund_success_time: field("refund_success_time").filter(|time| !time.is_empty()),
            refund_channel: field("refund_channel").unwrap_or_default(),
        })
    }
}

/// The useful part of a successful refundquery reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundQueryReply {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub total_fee: Fen,
    /// Every refund the reply lists, in index order.
    pub refunds: Vec<RefundQueryItem>,
}

impl RefundQueryReply {
    /// Reads a reply that [`reply::check_reply`] accepted. `refund_count` above
    /// [`MAX_REFUNDS_PER_ORDER`] is rejected rather than trusted as a loop bound.
    pub fn from_params(fields: &Params) -> Result<Self, ReplyError> {
        let refund_count: usize = reply::required(fields, "refund_count")?
            .parse()
            .ok()
            .filter(|count| *count <= MAX_REFUNDS_PER_ORDER)
            .ok_or(ReplyError::MissingField {
                name: "refund_count",
            })?;
        let refunds = (0..refund_count)
            .map(|index| RefundQueryItem::read_indexed(fields, index))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RefundQueryReply {
            out_trade_no: reply::required(fields, "out_trade_no")?.to_owned(),
            transaction_id: fields.get("transaction_id").cloned().unwrap_or_default(),
            total_fee: fen_field(fields, "total_fee")?,
            refunds,
        })
    }

    /// Writes the reply's fields as the gateway sends them (without the envelope).
    pub fn to_params(&self) -> Params {
        let mut fields = Params::new();
        fields.insert("out_trade_no".into(), self.out_trade_no.clone());
        fields.insert("transaction_id".into(), self.transaction_id.clone());
        fields.insert("total_fee".into(), self.total_fee.fen().to_string());
        fields.insert("cash_fee".into(), self.total_fee.fen().to_string());
        fields.insert("refund_count".into(), self.refunds.len().to_string());
        for (index, item) in self.refunds.iter().enumerate() {
            item.write_indexed(index, &mut fields);
        }
        fields
    }
}

fn fen_field(fields: &Params, name: &'static str) -> Result<Fen, ReplyError> {
    Fen::parse_fen_field(reply::required(fields, name)?).ok_or(ReplyError::MissingField { name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(index: usize) -> RefundQueryItem {
        RefundQueryItem {
            out_refund_no: format!("R{index}"),
            refund_id: format!("5000{index}"),
            refund_fee: Fen(100 + index as i64),
            refund_status: RefundStatus::Success,
            refund_success_time: Some("2026-12-04 12:00:00".into()),
            refund_channel: "ORIGINAL".into(),
        }
    }

    #[test]
    fn refundquery_reply_round_trips_indexed_fields() {
        let reply = RefundQueryReply {
            out_trade_no: "T1".into(),
            transaction_id: "4200".into(),
            total_fee: Fen(500),
            refunds: vec![item(0), item(1)],
        };
        let fields = reply.to_params();
        assert_eq!(fields["refund_fee_1"], "101");
        assert_eq!(fields["out_refund_no_0"], "R0");
        assert_eq!(RefundQueryReply::from_params(&fields).unwrap(), reply);
    }

    #[test]
    fn refund_count_above_limit_is_rejected() {
        let mut fields = RefundQueryReply {
            out_trade_no: "T1".into(),
            transaction_id: String::new(),
            total_fee: Fen(500),
            refunds: Vec::new(),
        }
        .to_params();
        fields.insert("refund_count".into(), "100000".into());
        assert!(RefundQueryReply::from_params(&fields).is_err());
    }

    #[test]
    fn missing_indexed_field_is_rejected() {
        let mut fields = RefundQueryReply {
            out_trade_no: "T1".into(),
            transaction_id: String::new(),
            total_fee: Fen(500),
            refunds: vec![item(0)],
        }
        .to_params();
        fields.remove("refund_status_0");
        assert_eq!(
            RefundQueryReply::from_params(&fields),
            Err(ReplyError::MissingField {
                name: "refund_status_$n"
            })
        );
    }
}
