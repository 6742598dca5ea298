//! Reading gateway requests and writing gateway replies: the `return_code` envelope, protocol
//! failures, business error codes and the reply signature.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::sign::sign;
use crate::protocol::xml::{MAX_XML_BODY_BYTES, XmlError, parse, to_xml};
use crate::protocol::{ApiKey, Params, SignType, new_nonce};

/// `Content-Type` of every gateway reply.
pub const XML_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Business error codes (`err_code`) the simulator returns.
pub mod err_code {
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    pub const LACK_PARAMS: &str = "LACK_PARAMS";
    pub const APPID_MCHID_NOT_MATCH: &str = "APPID_MCHID_NOT_MATCH";
    pub const ORDERPAID: &str = "ORDERPAID";
    pub const ORDERCLOSED: &str = "ORDERCLOSED";
    pub const ORDERNOTEXIST: &str = "ORDERNOTEXIST";
    pub const OUT_TRADE_NO_USED: &str = "OUT_TRADE_NO_USED";
}

/// Protocol-level rejection of a request, before or at the signature check. The reply has
/// only `return_code=FAIL` and `return_msg`, and is unsigned.
///
/// NOTE: apart from `签名错误`, the real gateway's `return_msg` wording for these cases is not
/// documented; each message here starts with the matching error code so clients can match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProtocolFailure {
    RequirePostMethod,
    PostDataEmpty,
    NotUtf8,
    XmlFormatError,
    InvalidSignType,
    /// `mch_id` is missing, so there is no key to check or sign with.
    MissingMchId,
    /// `mch_id` is unknown, so there is no key to check or sign with.
    MchIdNotExist,
    SignatureMismatch,
}

impl ProtocolFailure {
    /// Returns the `return_msg` text.
    pub fn return_msg(self) -> &'static str {
        match self {
            ProtocolFailure::RequirePostMethod => "REQUIRE_POST_METHOD: 请使用POST方法",
            ProtocolFailure::PostDataEmpty => "POST_DATA_EMPTY: post数据为空",
            ProtocolFailure::NotUtf8 => "NOT_UTF8: 请使用UTF-8编码",
            ProtocolFailure::XmlFormatError => "XML_FORMAT_ERROR: XML格式错误",
            ProtocolFailure::InvalidSignType => "INVALID_REQUEST: sign_type只能是MD5或HMAC-SHA256",
            ProtocolFailure::MissingMchId => "LACK_PARAMS: 缺少参数mch_id",
            ProtocolFailure::MchIdNotExist => "MCHID_NOT_EXIST: mch_id不存在",
            ProtocolFailure::SignatureMismatch => "签名错误",
        }
    }
}

impl IntoResponse for ProtocolFailure {
    fn into_response(self) -> Response {
        let mut fields = Params::new();
        fields.insert("return_code".into(), "FAIL".into());
        fields.insert("return_msg".into(), self.return_msg().into());
        xml_response(to_xml(&fields))
    }
}

/// A business failure: `result_code=FAIL` with `err_code` and `err_code_des`, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BusinessError {
    pub err_code: &'static str,
    pub err_code_des: String,
}

impl BusinessError {
    /// Creates an error with the code and its description.
    pub fn new(err_code: &'static str, err_code_des: impl Into<String>) -> Self {
        BusinessError {
            err_code,
            err_code_des: err_code_des.into(),
        }
    }

    /// LACK_PARAMS naming the missing field.
    pub fn missing(field: &str) -> Self {
        BusinessError::new(err_code::LACK_PARAMS, format!("缺少参数{field}"))
    }

    /// INVALID_REQUEST naming the invalid field and the rule it breaks.
    pub fn invalid(field: &str, rule: &str) -> Self {
        BusinessError::new(
            err_code::INVALID_REQUEST,
            format!("{field}参数错误：{rule}"),
        )
    }
}

/// The merchant and algorithm a request was verified with; its reply is signed the same way.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The request's `appid`, echoed in the reply (empty when the request had none).
    pub appid: String,
    pub mch_id: String,
    pub api_key: ApiKey,
    pub sign_type: SignType,
}

/// Reads a request's XML fields, enforcing POST, a non-empty UTF-8 body and flat `<xml>`.
pub(crate) async fn read_fields(request: Request) -> Result<Params, ProtocolFailure> {
    if request.method() != Method::POST {
        return Err(ProtocolFailure::RequirePostMethod);
    }
    // One byte over the XML limit is read so that `parse` reports the body as too large.
    let body = axum::body::to_bytes(request.into_body(), MAX_XML_BODY_BYTES + 1)
        .await
        .map_err(|_| ProtocolFailure::XmlFormatError)?;
    parse(&body).map_err(|err| match err {
        XmlError::Empty => ProtocolFailure::PostDataEmpty,
        XmlError::NotUtf8 => ProtocolFailure::NotUtf8,
        _ => ProtocolFailure::XmlFormatError,
    })
}

/// Builds a signed reply: the envelope, `result_code`, then either `fields` or the error.
///
/// The reply carries a fresh `nonce_str`, is signed with the request's algorithm and never
/// includes `sign_type`, as WeChat's replies do not.
pub(crate) fn signed_reply(caller: &Caller, outcome: Result<Params, BusinessError>) -> Response {
    let mut fields = match outcome {
        Ok(fields) => {
            let mut fields = fields;
            fields.insert("result_code".into(), "SUCCESS".into());
            fields
        }
        Err(error) => {
            let mut fields = Params::new();
            fields.insert("result_code".into(), "FAIL".into());
            fields.insert("err_code".into(), error.err_code.into());
            fields.insert("err_code_des".into(), error.err_code_des);
            fields
        }
    };
    fields.insert("return_code".into(), "SUCCESS".into());
    fields.insert("return_msg".into(), "OK".into());
    fields.insert("appid".into(), caller.appid.clone());
    fields.insert("mch_id".into(), caller.mch_id.clone());
    fields.insert("nonce_str".into(), new_nonce());
    fields.remove("sign_type");

    let signature = sign(&fields, &caller.api_key, caller.sign_type);
    fields.insert("sign".into(), signature);
    xml_response(to_xml(&fields))
}

/// Wraps an XML document in an HTTP 200 reply.
pub(crate) fn xml_response(xml: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, XML_CONTENT_TYPE)],
        Body::from(xml),
    )
        .into_response()
}
