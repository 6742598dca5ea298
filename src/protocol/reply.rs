//! Checks a gateway reply in the documented order: `return_code` (protocol), then the
//! signature and merchant identity, then `result_code` (business).

use super::sign::{self, SignatureError};
use super::{Merchant, Params};

/// A reason a gateway reply cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the reply has no return_code")]
    MissingReturnCode,
    #[error("the gateway returned FAIL: {return_msg}")]
    ProtocolFail { return_msg: String },
    #[error("the reply signature is invalid: {0}")]
    Signature(#[source] SignatureError),
    #[error("the reply is for {field} {received:?}, not this merchant's {expected:?}")]
    WrongMerchant {
        field: &'static str,
        received: String,
        expected: String,
    },
    #[error("the gateway returned {err_code}: {err_code_des}")]
    BusinessFail {
        err_code: String,
        err_code_des: String,
    },
    #[error("the reply has no {name}")]
    MissingField { name: &'static str },
}

impl ReplyError {
    /// Returns the business error code when the gateway returned `result_code=FAIL`.
    pub fn err_code(&self) -> Option<&str> {
        match self {
            ReplyError::BusinessFail { err_code, .. } => Some(err_code),
            _ => None,
        }
    }
}

/// Accepts a reply only when `return_code` is SUCCESS, the signature verifies, `appid` and
/// `mch_id` are the merchant's, and `result_code` is SUCCESS.
pub fn check_reply(fields: &Params, merchant: &Merchant) -> Result<(), ReplyError> {
    match fields.get("return_code").map(String::as_str) {
        Some("SUCCESS") => {}
        Some(_) => {
            return Err(ReplyError::ProtocolFail {
                return_msg: fields.get("return_msg").cloned().unwrap_or_default(),
            });
        }
        None => return Err(ReplyError::MissingReturnCode),
    }

    sign::verify(fields, &merchant.api_key).map_err(ReplyError::Signature)?;
    check_merchant(fields, merchant)?;

    match fields.get("result_code").map(String::as_str) {
        Some("SUCCESS") => Ok(()),
        Some(_) => Err(ReplyError::BusinessFail {
            err_code: fields.get("err_code").cloned().unwrap_or_default(),
            err_code_des: fields.get("err_code_des").cloned().unwrap_or_default(),
        }),
        None => Err(ReplyError::MissingField {
            name: "result_code",
        }),
    }
}

/// Checks that `appid` and `mch_id` are present and equal the merchant's.
pub fn check_merchant(fields: &Params, merchant: &Merchant) -> Result<(), ReplyError> {
    for (field, expected) in [("appid", &merchant.appid), ("mch_id", &merchant.mch_id)] {
        let received = fields.get(field).cloned().unwrap_or_default();
        if &received != expected {
            return Err(ReplyError::WrongMerchant {
                field,
                received,
                expected: expected.clone(),
            });
        }
    }
    Ok(())
}

/// Returns a required non-empty field.
pub fn required<'a>(fields: &'a Params, name: &'static str) -> Result<&'a str, ReplyError> {
    fields
        .get(name)
        .map(String::as_str)
        .filter(|value| !value.is_empty())
        .ok_or(ReplyError::MissingField { name })
}
