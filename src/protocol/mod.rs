//! WeChat Pay API v2: signatures, the flat `<xml>` codec, and typed requests and replies for
//! Native payment (unifiedorder, orderquery, closeorder, shorturl, payment notification),
//! the mode-1 product link and scan callback, refunds (refund, refundquery, refund
//! notification) and the daily bill of downloadbill.

pub mod bill;
pub mod bill_parse;
pub mod bizpay;
pub mod messages;
pub mod refund;
pub mod refund_notify;
pub mod reply;
pub mod sign;
pub mod xml;

use std::collections::BTreeMap;
use std::fmt;

pub use sign::SignType;

/// Protocol fields by name. A `BTreeMap<String, _>` iterates in byte order of the names, which
/// is the ASCII order the signature string needs.
pub type Params = BTreeMap<String, String>;

/// The merchant's API key (API密钥). Its `Debug` output is redacted so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key string.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// The key text, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// The identity a request is made under and replies and notifications are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub appid: String,
    pub mch_id: String,
    pub api_key: ApiKey,
    /// Algorithm used to sign requests; replies are verified with whichever algorithm they use.
    pub sign_type: SignType,
}

/// Creates a random 32-character alphanumeric `nonce_str`.
pub fn new_nonce() -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;

    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}
