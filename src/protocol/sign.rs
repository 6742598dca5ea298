//! The v2 signature: fields sorted by name, empty values and `sign` left out, joined as
//! `name=value` with `&`, then `&key=API_KEY` appended and hashed with MD5 or HMAC-SHA256.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{ApiKey, Params};

/// Length of an MD5 signature in hex characters.
pub const MD5_SIGN_LEN: usize = 32;
/// Length of an HMAC-SHA256 signature in hex characters.
pub const HMAC_SHA256_SIGN_LEN: usize = 64;

/// The two v2 signature algorithms, named as in the `sign_type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SignType {
    #[default]
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "HMAC-SHA256")]
    HmacSha256,
}

impl SignType {
    /// Returns the `sign_type` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// Parses a `sign_type` field value; the protocol spells it in upper case.
    pub fn from_field(value: &str) -> Option<SignType> {
        match value {
            "MD5" => Some(SignType::Md5),
            "HMAC-SHA256" => Some(SignType::HmacSha256),
            _ => None,
        }
    }
}

/// A reason a received signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the sign field is missing")]
    Missing,
    #[error("sign_type {value:?} is not MD5 or HMAC-SHA256")]
    UnknownSignType { value: String },
    #[error("the sign field has {len} characters, expected 32 (MD5) or 64 (HMAC-SHA256)")]
    UnexpectedLength { len: usize },
    #[error("the signature does not match the fields and the API key")]
    Mismatch,
}

/// Builds `stringA`: every non-empty field except `sign`, in ASCII order of names, values raw.
pub fn string_to_sign(params: &Params) -> String {
    let mut joined = String::with_capacity(params.len() * 24);
    for (name, value) in params {
        if name == "sign" || value.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push('&');
        }
        joined.push_str(name);
        joined.push('=');
        joined.push_str(value);
    }
    joined
}

/// Computes the upper-case hex signature of `params` with `key`.
pub fn sign(params: &Params, key: &ApiKey, sign_type: SignType) -> String {
    let mut message = string_to_sign(params);
    message.push_str("&key=");
    message.push_str(key.expose());

    match sign_type {
        SignType::Md5 => hex::encode_upper(Md5::digest(message.as_bytes())),
        SignType::HmacSha256 => {
            // HMAC takes keys of any length, so the error arm is not reached; an empty
            // signature there would match nothing.
            match <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose().as_bytes()) {
                Ok(mut mac) => {
                    mac.update(message.as_bytes());
                    hex::encode_upper(mac.finalize().into_bytes())
                }
                Err(_) => String::new(),
            }
        }
    }
}

/// Signs `params` in place: adds `sign_type` for HMAC-SHA256 (it is part of the signed fields),
/// then `sign`.
pub fn sign_in_place(params: &mut Params, key: &ApiKey, sign_type: SignType) {
    params.remove("sign");
    if sign_type == SignType::HmacSha256 {
        params.insert("sign_type".into(), sign_type.as_str().into());
    }
    let signature = sign(params, key, sign_type);
    params.insert("sign".into(), signature);
}

/// Verifies the `sign` field of received `params` and returns the algorithm it used.
///
/// The algorithm is taken from `sign_type` when present, else from the signature's length,
/// because WeChat omits `sign_type` from HMAC-signed replies and notifications. Every received
/// field except `sign` is covered, unknown ones included. The comparison is constant-time.
pub fn verify(params: &Params, key: &ApiKey) -> Result<SignType, SignatureError> {
    let received = params
        .get("sign")
        .filter(|value| !value.is_empty())
        .ok_or(SignatureError::Missing)?;

    let sign_type = match params.get("sign_type").filter(|value| !value.is_empty()) {
        Some(value) => {
            SignType::from_field(value).ok_or_else(|| SignatureError::UnknownSignType {
                value: value.clone(),
            })?
        }
        None => match received.len() {
            MD5_SIGN_LEN => SignType::Md5,
            HMAC_SHA256_SIGN_LEN => SignType::HmacSha256,
            len => return Err(SignatureError::UnexpectedLength { len }),
        },
    };

    let expected = sign(params, key, sign_type);
    let received_upper = received.to_ascii_uppercase();
    if expected.as_bytes().ct_eq(received_upper.as_bytes()).into() {
        Ok(sign_type)
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn empty_values_and_sign_are_left_out() {
        let fields = params(&[("b", "2"), ("a", "1"), ("c", ""), ("sign", "X")]);
        assert_eq!(string_to_sign(&fields), "a=1&b=2");
    }

    #[test]
    fn verify_picks_algorithm_by_length_without_sign_type() {
        let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d");
        let mut fields = params(&[("a", "1"), ("nonce_str", "n")]);
        let hmac = sign(&fields, &key, SignType::HmacSha256);
        fields.insert("sign".into(), hmac);
        assert_eq!(verify(&fields, &key), Ok(SignType::HmacSha256));
    }

    #[test]
    fn tampered_field_fails_verification() {
        let key = ApiKey::new("192006250b4c09247ec02edce69f6a2d");
        let mut fields = params(&[("total_fee", "1"), ("nonce_str", "n")]);
        sign_in_place(&mut fields, &key, SignType::Md5);
        fields.insert("total_fee".into(), "100".into());
        assert_eq!(verify(&fields, &key), Err(SignatureError::Mismatch));
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("secret-key-value");
        assert!(!format!("{key:?}").contains("secret"));
    }
}
