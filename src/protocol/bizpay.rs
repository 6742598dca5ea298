//! Native mode 1 (模式一): the fixed product QR link `weixin://wxpay/bizpayurl?...`, the scan
//! callback WeChat posts when a customer scans it, and the signed reply with the `prepay_id`.
//!
//! The link carries `appid`, `mch_id`, `product_id`, `time_stamp` and `nonce_str`, and an MD5
//! `sign` over those five raw values. In the link the values are percent-encoded, so a
//! `product_id` with `&` or `=` cannot break the query string; the signature uses them raw.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::sign::{self, SignType};
use super::{Merchant, Params, new_nonce};

/// Scheme, host and path of every mode-1 product link.
pub const BIZPAY_URL_PREFIX: &str = "weixin://wxpay/bizpayurl?";
/// Longest `product_id` the protocol accepts (String(32)), in bytes.
pub const MAX_PRODUCT_ID_BYTES: usize = 32;
/// Longest `nonce_str` the protocol allows (String(32)), in bytes.
pub const MAX_NONCE_STR_BYTES: usize = 32;
/// Longest `openid` the protocol allows in the callback (String(128)), in bytes.
pub const MAX_OPENID_BYTES: usize = 128;
/// Longest `err_code_des` of a reply (String(128)), in bytes. WeChat shows it to the customer.
pub const MAX_ERR_CODE_DES_BYTES: usize = 128;
/// The five fields a product link signs, in the order the link lists them after `sign`.
pub const LINK_FIELDS: [&str; 5] = ["appid", "mch_id", "product_id", "time_stamp", "nonce_str"];

/// Characters left as they are in a link value: RFC 3986 unreserved ones. Everything else,
/// `&`, `=`, `%`, space and non-ASCII included, is percent-encoded.
const LINK_VALUE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A product link that cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BizpayError {
    #[error("product_id {product_id:?} must be 1 to {MAX_PRODUCT_ID_BYTES} bytes")]
    InvalidProductId { product_id: String },
    #[error("the link does not start with {BIZPAY_URL_PREFIX}")]
    NotBizpayUrl,
    #[error("the link has no {name} parameter")]
    MissingParameter { name: &'static str },
    #[error("the link has the {name} parameter twice")]
    RepeatedParameter { name: String },
    #[error("the link parameter {name} is not valid percent-encoded UTF-8")]
    InvalidEncoding { name: String },
}

/// The signed fields of one product QR link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BizpayLink {
    pub appid: String,
    pub mch_id: String,
    pub product_id: String,
    /// Unix time in seconds when the link was made, 10 digits.
    pub time_stamp: String,
    pub nonce_str: String,
    /// Upper-case MD5 signature over the five fields above.
    pub sign: String,
}

impl BizpayLink {
    /// Signs a link for `product_id` with the merchant's key (always MD5, the only algorithm
    /// the link format has), at `time_stamp` Unix seconds and with `nonce_str`.
    pub fn sign(
        merchant: &Merchant,
        product_id: &str,
        time_stamp: i64,
        nonce_str: &str,
    ) -> Result<BizpayLink, BizpayError> {
        if product_id.is_empty() || product_id.len() > MAX_PRODUCT_ID_BYTES {
            return Err(BizpayError::InvalidProductId {
                product_id: product_id.to_owned(),
            });
        }
        let mut link = BizpayLink {
            appid: merchant.appid.clone(),
            mch_id: merchant.mch_id.clone(),
            product_id: product_id.to_owned(),
            time_stamp: time_stamp.to_string(),
            nonce_str: nonce_str.to_owned(),
            sign: String::new(),
        };
        link.sign = sign::sign(&link.signed_fields(), &merchant.api_key, SignType::Md5);
        Ok(link)
    }

    /// Signs a link for `product_id` now, with a fresh nonce.
    pub fn sign_now(merchant: &Merchant, product_id: &str) -> Result<BizpayLink, BizpayError> {
        let now = chrono::Utc::now().timestamp();
        BizpayLink::sign(merchant, product_id, now, &new_nonce())
    }

    /// Returns the five signed fields, without `sign`.
    pub fn signed_fields(&self) -> Params {
        let mut fields = Params::new();
        fields.insert("appid".into(), self.appid.clone());
        fields.insert("mch_id".into(), self.mch_id.clone());
        fields.insert("product_id".into(), self.product_id.clone());
        fields.insert("time_stamp".into(), self.time_stamp.clone());
        fields.insert("nonce_str".into(), self.nonce_str.clone());
        fields
    }

    /// Returns the link text: `sign` first, then the five fields in the documented order,
    /// each value percent-encoded.
    pub fn to_url(&self) -> String {
        let values = [
            ("sign", &self.sign),
            ("appid", &self.appid),
            ("mch_id", &self.mch_id),
            ("product_id", &self.product_id),
            ("time_stamp", &self.time_stamp),
            ("nonce_str", &self.nonce_str),
        ];
        let query: Vec<String> = values
            .iter()
            .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, LINK_VALUE_SET)))
            .collect();
        format!("{BIZPAY_URL_PREFIX}{}", query.join("&"))
    }

    /// Reads a link by parameter name, in any order, decoding each value. The signature is
    /// not checked here; pass [`BizpayLink::fields_with_sign`] to `sign::verify` for that.
    pub fn parse(url: &str) -> Result<BizpayLink, BizpayError> {
        let query = url
            .strip_prefix(BIZPAY_URL_PREFIX)
            .ok_or(BizpayError::NotBizpayUrl)?;
        let mut fields = Params::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode_str(raw_value)
                .decode_utf8()
                .map_err(|_| BizpayError::InvalidEncoding {
                    name: name.to_owned(),
                })?
                .into_owned();
            if fields.insert(name.to_owned(), value).is_some() {
                return Err(BizpayError::RepeatedParameter {
                    name: name.to_owned(),
                });
            }
        }
        let take = |name: &'static str| {
            fields
                .get(name)
                .filter(|value| !value.is_empty())
                .cloned()
                .ok_or(BizpayError::MissingParameter { name })
        };
        Ok(BizpayLink {
            appid: take("appid")?,
            mch_id: take("mch_id")?,
            product_id: take("product_id")?,
            time_stamp: take("time_stamp")?,
            nonce_str: take("nonce_str")?,
            sign: take("sign")?,
        })
    }

    /// Returns the signed fields plus `sign`, ready for `sign::verify`.
    pub fn fields_with_sign(&self) -> Params {
        let mut fields = self.signed_fields();
        fields.insert("sign".into(), self.sign.clone());
        fields
    }
}

/// The fields of a scan callback (WeChat → merchant) that passed signature and merchant checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanCallback {
    pub openid: String,
    pub product_id: String,
    pub nonce_str: String,
    /// `Y` when the customer follows the merchant's official account; empty when not sent.
    pub is_subscribe: String,
}

/// A scan callback field that is missing or out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanCallbackError {
    #[error("the callback has no {name}")]
    Missing { name: &'static str },
    #[error("the callback's {name} is longer than {max_bytes} bytes")]
    TooLong {
        name: &'static str,
        max_bytes: usize,
    },
}

impl ScanCallback {
    /// Reads the callback fields; `openid`, `product_id` and `nonce_str` are required.
    pub fn from_params(fields: &Params) -> Result<ScanCallback, ScanCallbackError> {
        let required = |name: &'static str, max_bytes: usize| {
            let value = fields
                .get(name)
                .filter(|value| !value.is_empty())
                .ok_or(ScanCallbackError::Missing { name })?;
            if value.len() > max_bytes {
                return Err(ScanCallbackError::TooLong { name, max_bytes });
            }
            Ok(value.clone())
        };
        Ok(ScanCallback {
            openid: required("openid", MAX_OPENID_BYTES)?,
            product_id: required("product_id", MAX_PRODUCT_ID_BYTES)?,
            nonce_str: required("nonce_str", MAX_NONCE_STR_BYTES)?,
            is_subscribe: fields.get("is_subscribe").cloned().unwrap_or_default(),
        })
    }

    /// Builds the signed callback fields as WeChat sends them, for the simulator and tests.
    pub fn to_signed_params(&self, merchant: &Merchant) -> Params {
        let mut fields = Params::new();
        fields.insert("appid".into(), merchant.appid.clone());
        fields.insert("mch_id".into(), merchant.mch_id.clone());
        fields.insert("openid".into(), self.openid.clone());
        fields.insert("product_id".into(), self.product_id.clone());
        fields.insert("nonce_str".into(), self.nonce_str.clone());
        if !self.is_subscribe.is_empty() {
            fields.insert("is_subscribe".into(), self.is_subscribe.clone());
        }
        // The callback carries no sign_type, so it is MD5-signed.
        sign::sign_in_place(&mut fields, &merchant.api_key, SignType::Md5);
        fields
    }
}

/// The merchant's reply to a genuine scan callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanResponse {
    /// The order was created; WeChat shows the payment sheet for this `prepay_id`.
    Prepared { prepay_id: String },
    /// No order (unknown or disabled product, gateway failure); WeChat shows `err_code_des`
    /// to the customer, so it is short and in Chinese.
    Refused { err_code_des: String },
}

/// Builds the signed reply fields: `return_code=SUCCESS`, then `result_code` SUCCESS with the
/// `prepay_id`, or FAIL with `err_code_des`. The reply is MD5-signed, as the protocol's reply
/// has a 32-character `sign`; empty fields are left out of the signature.
pub fn scan_reply_params(merchant: &Merchant, response: &ScanResponse, nonce_str: &str) -> Params {
    let mut fields = Params::new();
    fields.insert("return_code".into(), "SUCCESS".into());
    fields.insert("appid".into(), merchant.appid.clone());
    fields.insert("mch_id".into(), merchant.mch_id.clone());
    fields.insert("nonce_str".into(), nonce_str.to_owned());
    match response {
        ScanResponse::Prepared { prepay_id } => {
            fields.insert("prepay_id".into(), prepay_id.clone());
            fields.insert("result_code".into(), "SUCCESS".into());
        }
        ScanResponse::Refused { err_code_des } => {
            fields.insert("result_code".into(), "FAIL".into());
            fields.insert(
                "err_code_des".into(),
                truncate_utf8(err_code_des, MAX_ERR_CODE_DES_BYTES).to_owned(),
            );
        }
    }
    sign::sign_in_place(&mut fields, &merchant.api_key, SignType::Md5);
    fields
}

/// Cuts `text` to at most `max_bytes` bytes on a character boundary.
fn truncate_utf8(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Builds the signed reply XML with a fresh nonce.
pub fn scan_reply_xml(merchant: &Merchant, response: &ScanResponse) -> String {
    super::xml::to_xml(&scan_reply_params(merchant, response, &new_nonce()))
}

/// Builds the unsigned protocol-level FAIL reply for a callback that is not genuine or not
/// readable. No merchant fields are echoed, so a forger learns nothing.
pub fn scan_reply_fail(return_msg: &str) -> String {
    let mut fields = Params::new();
    fields.insert("return_code".into(), "FAIL".into());
    fields.insert("return_msg".into(), return_msg.into());
    super::xml::to_xml(&fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ApiKey;

    fn merchant(appid: &str, mch_id: &str) -> Merchant {
        Merchant {
            appid: appid.into(),
            mch_id: mch_id.into(),
            api_key: ApiKey::new("192006250b4c09247ec02edce69f6a2d"),
            sign_type: SignType::Md5,
        }
    }

    #[test]
    fn callback_signature_matches_vector_c() {
        let callback = ScanCallback {
            openid: "o8GeHuLAsgefS_80exEr1cTqekUs".into(),
            product_id: "88888".into(),
            nonce_str: "5K8264ILTKCH16CQ2502SI8ZNMTM67VS".into(),
            is_subscribe: "Y".into(),
        };
        let fields = callback.to_signed_params(&merchant("wx8888888888888888", "1900000109"));
        assert_eq!(fields["sign"], "E66998FAFE1B30D802462AB3BAF5C6C8");
    }

    #[test]
    fn reply_signature_matches_vector_c2() {
        let response = ScanResponse::Prepared {
            prepay_id: "wx201410272009395522657a690389285100".into(),
        };
        let fields = scan_reply_params(
            &merchant("wx8888888888888888", "1900000109"),
            &response,
            "IITRi8Iabbblz1Jc",
        );
        assert_eq!(fields["sign"], "120C9D4201C174651693FE2324B69D4D");
    }

    #[test]
    fn parse_reads_parameters_in_any_order() {
        let link = BizpayLink::parse(
            "weixin://wxpay/bizpayurl?appid=a&nonce_str=n&time_stamp=1&product_id=p%26q&mch_id=m&sign=S",
        )
        .unwrap();
        assert_eq!(link.product_id, "p&q");
        assert_eq!(link.sign, "S");
    }

    #[test]
    fn parse_rejects_missing_and_repeated_parameters() {
        let missing = BizpayLink::parse("weixin://wxpay/bizpayurl?appid=a&mch_id=m");
        assert!(matches!(missing, Err(BizpayError::MissingParameter { .. })));
        let repeated = BizpayLink::parse("weixin://wxpay/bizpayurl?appid=a&appid=b");
        assert!(matches!(
            repeated,
            Err(BizpayError::RepeatedParameter { .. })
        ));
        assert_eq!(
            BizpayLink::parse("https://example.invalid/?a=1"),
            Err(BizpayError::NotBizpayUrl)
        );
    }

    #[test]
    fn long_product_id_is_rejected() {
        let result = BizpayLink::sign(&merchant("a", "m"), &"9".repeat(33), 1, "n");
        assert!(matches!(result, Err(BizpayError::InvalidProductId { .. })));
    }
}
