//! Request authentication: `sign_type`, the merchant, the signature, then the `appid` binding.

use percent_encoding::percent_decode_str;

use super::config::SimulatorConfig;
use super::wire::{BusinessError, Caller, ProtocolFailure, err_code};
use crate::protocol::sign::verify;
use crate::protocol::{Params, SignType};

/// Longest `nonce_str` accepted (String(32) in the protocol).
pub const MAX_NONCE_STR_CHARS: usize = 32;

/// Reason a request failed authentication.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// Rejected with an unsigned `return_code=FAIL` reply.
    Protocol(ProtocolFailure),
    /// Rejected with a `result_code=FAIL` reply signed for the caller.
    Business(Box<Caller>, BusinessError),
}

/// Authenticates a request and returns its caller and the fields the signature covered.
///
/// With `decode_long_url` set (shorturl), the `long_url` field is URL-decoded before the
/// signature is checked, because WeChat documents signing the raw link and URL-encoding it for
/// transport. The fields as received are tried next, so clients that send the raw link pass too.
pub(crate) fn authenticate(
    config: &SimulatorConfig,
    fields: Params,
    decode_long_url: bool,
) -> Result<(Caller, Params), Rejection> {
    let sign_type = match fields.get("sign_type").filter(|value| !value.is_empty()) {
        None => SignType::Md5,
        Some(value) => SignType::from_field(value)
            .ok_or(Rejection::Protocol(ProtocolFailure::InvalidSignType))?,
    };

    let mch_id = fields
        .get("mch_id")
        .filter(|value| !value.is_empty())
        .ok_or(Rejection::Protocol(ProtocolFailure::MissingMchId))?;
    let merchant = config
        .merchant(mch_id)
        .ok_or(Rejection::Protocol(ProtocolFailure::MchIdNotExist))?;

    let mut candidates = Vec::with_capacity(2);
    if decode_long_url {
        candidates.push(with_decoded_long_url(&fields));
    }
    candidates.push(fields);
    // `verify` picks the algorithm from `sign_type` when present, else from the signature
    // length. Requiring the declared algorithm rejects an HMAC signature sent without
    // `sign_type`, because the gateway checks such a request as MD5.
    let verified = candidates
        .into_iter()
        .find(|candidate| verify(candidate, &merchant.api_key) == Ok(sign_type))
        .ok_or(Rejection::Protocol(ProtocolFailure::SignatureMismatch))?;

    let caller = Caller {
        appid: verified.get("appid").cloned().unwrap_or_default(),
        mch_id: merchant.mch_id.clone(),
        api_key: merchant.api_key.clone(),
        sign_type,
    };
    match check_identity(config, &caller, &verified) {
        Ok(()) => Ok((caller, verified)),
        Err(error) => Err(Rejection::Business(Box::new(caller), error)),
    }
}

/// Checks the fields every API requires once the signature is known to be good.
fn check_identity(
    config: &SimulatorConfig,
    caller: &Caller,
    fields: &Params,
) -> Result<(), BusinessError> {
    if caller.appid.is_empty() {
        return Err(BusinessError::missing("appid"));
    }
    let nonce_str = fields
        .get("nonce_str")
        .map(String::as_str)
        .unwrap_or_default();
    if nonce_str.is_empty() {
        return Err(BusinessError::missing("nonce_str"));
    }
    if nonce_str.chars().count() > MAX_NONCE_STR_CHARS {
        return Err(BusinessError::invalid("nonce_str", "长度不能超过32个字符"));
    }
    if !config.is_bound(&caller.appid, &caller.mch_id) {
        return Err(BusinessError::new(
            err_code::APPID_MCHID_NOT_MATCH,
            format!("appid {} 与 mch_id {} 不匹配", caller.appid, caller.mch_id),
        ));
    }
    Ok(())
}

/// Returns a copy of `fields` with `long_url` URL-decoded; a value that does not decode to
/// UTF-8 is left as it is.
fn with_decoded_long_url(fields: &Params) -> Params {
    let mut decoded = fields.clone();
    if let Some(long_url) = fields.get("long_url")
        && let Ok(text) = percent_decode_str(long_url).decode_utf8()
    {
        decoded.insert("long_url".into(), text.into_owned());
    }
    decoded
}
