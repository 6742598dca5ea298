//! The daily bill of `/pay/downloadbill`: request values, the typed error replies, and the
//! column names of the bill text. The text itself is parsed in [`super::bill_parse`].
//!
//! A successful reply is not XML and not signed: a header line of Chinese column titles, one
//! line per trade with every field prefixed by a backtick, then a summary header and one line
//! of summary values. A failure is an unsigned XML reply with `return_code=FAIL`.

use chrono::NaiveDate;

/// Format of `bill_date` in the request: `yyyyMMdd`, a Beijing-time day.
pub const BILL_DATE_FORMAT: &str = "%Y%m%d";
/// `error_code` WeChat documents for `No Bill Exist`.
pub const NO_BILL_EXIST_ERROR_CODE: &str = "20002";

/// The trades a bill lists (`bill_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BillType {
    /// Payments and refunds (the request's default).
    #[default]
    All,
    /// Successful payments only.
    Success,
    /// Refunds only.
    Refund,
}

impl BillType {
    /// Every bill type, in the order the command line lists them.
    pub const ALL_TYPES: [BillType; 3] = [BillType::All, BillType::Success, BillType::Refund];

    /// Returns the `bill_type` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            BillType::All => "ALL",
            BillType::Success => "SUCCESS",
            BillType::Refund => "REFUND",
        }
    }

    /// Parses a `bill_type` field value.
    pub fn from_field(value: &str) -> Option<BillType> {
        BillType::ALL_TYPES
            .into_iter()
            .find(|bill_type| bill_type.as_str() == value)
    }

    /// True when bills of this type list payments.
    pub fn lists_payments(self) -> bool {
        matches!(self, BillType::All | BillType::Success)
    }

    /// True when bills of this type list refunds.
    pub fn lists_refunds(self) -> bool {
        matches!(self, BillType::All | BillType::Refund)
    }
}

/// Compression of the bill (`tar_type`); without it the bill is plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TarType {
    Gzip,
}

impl TarType {
    /// Returns the `tar_type` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            TarType::Gzip => "GZIP",
        }
    }
}

/// Formats a day as `bill_date`.
pub fn format_bill_date(date: NaiveDate) -> String {
    date.format(BILL_DATE_FORMAT).to_string()
}

/// Parses a `bill_date`: exactly eight digits naming a real day.
pub fn parse_bill_date(text: &str) -> Option<NaiveDate> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(text, BILL_DATE_FORMAT).ok()
}

/// A documented `return_msg` of a failed downloadbill call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BillFailure {
    /// No trade on that day, so WeChat made no bill (`No Bill Exist`, `error_code` 20002).
    NoBillExist,
    /// The bill is still being made; WeChat makes bills from 09:00 the next day, so fetch
    /// after 10:00 (`Bill Creating`).
    BillCreating,
    /// `SYSTEMERROR`: the gateway failed; the same request may be retried.
    SystemError,
    /// `invalid bill_type`.
    InvalidBillType,
    /// `data format error`, for example a malformed `bill_date`.
    DataFormatError,
    /// `missing parameter`.
    MissingParameter,
    /// `SIGN ERROR` or `签名错误`: the signature or the API key is wrong.
    SignError,
    /// `CompressGZip Error`.
    CompressGzipError,
    /// `UnCompressGZip Error`.
    UncompressGzipError,
    /// Any other `return_msg`.
    Other,
}

impl BillFailure {
    /// Classifies a `return_msg`. Letter case is ignored because the documents spell
    /// `No Bill Exist` as `NO Bill Exist`.
    pub fn from_return_msg(return_msg: &str) -> BillFailure {
        let text = return_msg.trim().to_ascii_lowercase();
        let text = text.as_str();
        match text {
            "no bill exist" => BillFailure::NoBillExist,
            "bill creating" => BillFailure::BillCreating,
            "systemerror" | "system error" => BillFailure::SystemError,
            "invalid bill_type" => BillFailure::InvalidBillType,
            "data format error" => BillFailure::DataFormatError,
            "missing parameter" => BillFailure::MissingParameter,
            "sign error" | "签名错误" => BillFailure::SignError,
            "compressgzip error" => BillFailure::CompressGzipError,
            "uncompressgzip error" => BillFailure::UncompressGzipError,
            _ => BillFailure::Other,
        }
    }

    /// Returns the `return_msg` the gateway sends for this failure (`Other` has none).
    pub fn return_msg(&self) -> &'static str {
        match self {
            BillFailure::NoBillExist => "No Bill Exist",
            BillFailure::BillCreating => "Bill Creating",
            BillFailure::SystemError => "SYSTEMERROR",
            BillFailure::InvalidBillType => "invalid bill_type",
            BillFailure::DataFormatError => "data format error",
            BillFailure::MissingParameter => "missing parameter",
            BillFailure::SignError => "SIGN ERROR",
            BillFailure::CompressGzipError => "CompressGZip Error",
            BillFailure::UncompressGzipError => "UnCompressGZip Error",
            BillFailure::Other => "",
        }
    }
}

/// Column and summary titles, as WeChat writes them in the bill.
pub mod column {
    pub const TRADE_TIME: &str = "交易时间";
    pub const APPID: &str = "公众账号ID";
    pub const MCH_ID: &str = "商户号";
    /// The sub-merchant column of the current layout.
    pub const SUB_MCH_ID: &str = "特约商户号";
    /// The sub-merchant column of the legacy layout.
    pub const LEGACY_SUB_MCH_ID: &str = "子商户号";
    pub const DEVICE_INFO: &str = "设备号";
    pub const TRANSACTION_ID: &str = "微信订单号";
    pub const OUT_TRADE_NO: &str = "商户订单号";
    pub const OPENID: &str = "用户标识";
    pub const TRADE_TYPE: &str = "交易类型";
    pub const TRADE_STATE: &str = "交易状态";
    pub const BANK_TYPE: &str = "付款银行";
    pub const FEE_TYPE: &str = "货币种类";
    /// Current layout: the amount to settle (order amount less non-settlement coupons).
    pub const SETTLEMENT_TOTAL_FEE: &str = "应结订单金额";
    pub const COUPON_FEE: &str = "代金券金额";
    pub const REFUND_ID: &str = "微信退款单号";
    pub const OUT_REFUND_NO: &str = "商户退款单号";
    pub const REFUND_FEE: &str = "退款金额";
    pub const RECHARGE_COUPON_REFUND_FEE: &str = "充值券退款金额";
    pub const REFUND_CHANNEL: &str = "退款类型";
    pub const REFUND_STATUS: &str = "退款状态";
    pub const BODY: &str = "商品名称";
    pub const ATTACH: &str = "商户数据包";
    pub const SERVICE_FEE: &str = "手续费";
    pub const RATE: &str = "费率";
    /// Current layout: the order amount (`total_fee`).
    pub const TOTAL_FEE: &str = "订单金额";
    /// Current layout: the refund amount requested.
    pub const APPLIED_REFUND_FEE: &str = "申请退款金额";
    pub const RATE_NOTE: &str = "费率备注";
    /// REFUND bills only: when the refund was requested.
    pub const REFUND_APPLY_TIME: &str = "退款申请时间";
    /// REFUND bills only: when the refund succeeded.
    pub const REFUND_SUCCESS_TIME: &str = "退款成功时间";
    /// Legacy layout: the order amount.
    pub const LEGACY_TOTAL_FEE: &str = "总金额";
    /// Legacy layout: coupons and instant discounts.
    pub const LEGACY_COUPON_FEE: &str = "代金券或立减优惠金额";
    /// Legacy layout: coupons and instant discounts refunded.
    pub const LEGACY_COUPON_REFUND_FEE: &str = "代金券或立减优惠退款金额";

    pub const SUMMARY_COUNT: &str = "总交易单数";
    pub const SUMMARY_SETTLEMENT_TOTAL_FEE: &str = "应结订单总金额";
    pub const SUMMARY_REFUND_FEE: &str = "退款总金额";
    pub const SUMMARY_RECHARGE_COUPON_REFUND_FEE: &str = "充值券退款总金额";
    pub const SUMMARY_SERVICE_FEE: &str = "手续费总金额";
    pub const SUMMARY_TOTAL_FEE: &str = "订单总金额";
    pub const SUMMARY_APPLIED_REFUND_FEE: &str = "申请退款总金额";
    pub const LEGACY_SUMMARY_TOTAL_FEE: &str = "总交易额";
    pub const LEGACY_SUMMARY_REFUND_FEE: &str = "总退款金额";
    pub const LEGACY_SUMMARY_COUPON_REFUND_FEE: &str = "总代金券或立减优惠退款金额";
}

/// Returns the columns of a current-layout bill of `bill_type`, in WeChat's order.
pub fn current_columns(bill_type: BillType) -> &'static [&'static str] {
    use column::*;
    match bill_type {
        BillType::All => &[
            TRADE_TIME,
            APPID,
            MCH_ID,
            SUB_MCH_ID,
            DEVICE_INFO,
            TRANSACTION_ID,
            OUT_TRADE_NO,
            OPENID,
            TRADE_TYPE,
            TRADE_STATE,
            BANK_TYPE,
            FEE_TYPE,
            SETTLEMENT_TOTAL_FEE,
            COUPON_FEE,
            REFUND_ID,
            OUT_REFUND_NO,
            REFUND_FEE,
            RECHARGE_COUPON_REFUND_FEE,
            REFUND_CHANNEL,
            REFUND_STATUS,
            BODY,
            ATTACH,
            SERVICE_FEE,
            RATE,
            TOTAL_FEE,
            APPLIED_REFUND_FEE,
            RATE_NOTE,
        ],
        BillType::Success => &[
            TRADE_TIME,
            APPID,
            MCH_ID,
            SUB_MCH_ID,
            DEVICE_INFO,
            TRANSACTION_ID,
            OUT_TRADE_NO,
            OPENID,
            TRADE_TYPE,
            TRADE_STATE,
            BANK_TYPE,
            FEE_TYPE,
            SETTLEMENT_TOTAL_FEE,
            COUPON_FEE,
            BODY,
            ATTACH,
            SERVICE_FEE,
            RATE,
            TOTAL_FEE,
            RATE_NOTE,
        ],
        BillType::Refund => &[
            TRADE_TIME,
            APPID,
            MCH_ID,
            SUB_MCH_ID,
            DEVICE_INFO,
            TRANSACTION_ID,
            OUT_TRADE_NO,
            OPENID,
            TRADE_TYPE,
            TRADE_STATE,
            BANK_TYPE,
            FEE_TYPE,
            SETTLEMENT_TOTAL_FEE,
            COUPON_FEE,
            REFUND_APPLY_TIME,
            REFUND_SUCCESS_TIME,
            REFUND_ID,
            OUT_REFUND_NO,
            REFUND_FEE,
            RECHARGE_COUPON_REFUND_FEE,
            REFUND_CHANNEL,
            REFUND_STATUS,
            BODY,
            ATTACH,
            SERVICE_FEE,
            RATE,
            TOTAL_FEE,
            APPLIED_REFUND_FEE,
            RATE_NOTE,
        ],
    }
}

/// The 24 columns of the legacy (pre-2017) bill, as in WeChat's old document example.
///
/// NOTE: only the ALL layout of the legacy format is documented, so the simulator uses it for
/// every `bill_type`. The parser reads columns by name and does not depend on this list.
pub const LEGACY_COLUMNS: [&str; 24] = {
    use column::*;
    [
        TRADE_TIME,
        APPID,
        MCH_ID,
        LEGACY_SUB_MCH_ID,
        DEVICE_INFO,
        TRANSACTION_ID,
        OUT_TRADE_NO,
        OPENID,
        TRADE_TYPE,
        TRADE_STATE,
        BANK_TYPE,
        FEE_TYPE,
        LEGACY_TOTAL_FEE,
        LEGACY_COUPON_FEE,
        REFUND_ID,
        OUT_REFUND_NO,
        REFUND_FEE,
        LEGACY_COUPON_REFUND_FEE,
        REFUND_CHANNEL,
        REFUND_STATUS,
        BODY,
        ATTACH,
        SERVICE_FEE,
        RATE,
    ]
};

/// The seven summary titles of the current layout.
pub const CURRENT_SUMMARY_COLUMNS: [&str; 7] = {
    use column::*;
    [
        SUMMARY_COUNT,
        SUMMARY_SETTLEMENT_TOTAL_FEE,
        SUMMARY_REFUND_FEE,
        SUMMARY_RECHARGE_COUPON_REFUND_FEE,
        SUMMARY_SERVICE_FEE,
        SUMMARY_TOTAL_FEE,
        SUMMARY_APPLIED_REFUND_FEE,
    ]
};

/// The five summary titles of the legacy layout.
pub const LEGACY_SUMMARY_COLUMNS: [&str; 5] = {
    use column::*;
    [
        SUMMARY_COUNT,
        LEGACY_SUMMARY_TOTAL_FEE,
        LEGACY_SUMMARY_REFUND_FEE,
        LEGACY_SUMMARY_COUPON_REFUND_FEE,
        SUMMARY_SERVICE_FEE,
    ]
};

/// `交易状态` of a refund row.
pub const REFUND_TRADE_STATE: &str = "REFUND";
/// `交易状态` of a payment row.
pub const SUCCESS_TRADE_STATE: &str = "SUCCESS";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_failures_are_told_apart() {
        assert_eq!(
            BillFailure::from_return_msg("No Bill Exist"),
            BillFailure::NoBillExist
        );
        assert_eq!(
            BillFailure::from_return_msg("NO Bill Exist"),
            BillFailure::NoBillExist
        );
        assert_eq!(
            BillFailure::from_return_msg("Bill Creating"),
            BillFailure::BillCreating
        );
        assert_eq!(
            BillFailure::from_return_msg("签名错误"),
            BillFailure::SignError
        );
        assert_eq!(
            BillFailure::from_return_msg("invalid bill_type"),
            BillFailure::InvalidBillType
        );
        assert_eq!(
            BillFailure::from_return_msg("something new"),
            BillFailure::Other
        );
    }

    #[test]
    fn column_counts_match_the_documented_layouts() {
        assert_eq!(current_columns(BillType::All).len(), 27);
        assert_eq!(current_columns(BillType::Success).len(), 20);
        assert_eq!(current_columns(BillType::Refund).len(), 29);
        assert_eq!(LEGACY_COLUMNS.len(), 24);
    }

    #[test]
    fn bill_date_is_eight_digits() {
        let date = parse_bill_date("20141110").unwrap();
        assert_eq!(format_bill_date(date), "20141110");
        assert_eq!(parse_bill_date("2014111"), None);
        assert_eq!(parse_bill_date("20141131"), None);
        assert_eq!(parse_bill_date("2014-11-1"), None);
    }
}
