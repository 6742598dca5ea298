//! The refund result notification: an unsigned `<xml>` whose `req_info` field carries the
//! refund as Base64 of AES-256-ECB (PKCS#7 padding) ciphertext. The AES key is the 32 ASCII
//! characters of the lower-case hex MD5 of the API key, and the plaintext is a flat XML
//! document with the root `<root>`.
//!
//! Because the notification has no signature, decrypting `req_info` with the key is what
//! proves it comes from the gateway: a forger without the API key cannot produce ciphertext
//! that decrypts to well-formed XML with valid padding.

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use md5::{Digest, Md5};

use super::refund::RefundStatus;
use super::reply::{ReplyError, check_merchant};
use super::xml::{self, MAX_XML_BODY_BYTES, XmlError};
use super::{ApiKey, Merchant, Params};
use crate::money::Fen;

/// Root element of the decrypted `req_info` document.
pub const REQ_INFO_ROOT: &str = "root";
/// AES block size in bytes; the ciphertext length must be a multiple of it.
pub const AES_BLOCK_BYTES: usize = 16;

type Aes256EcbEncryptor = ecb::Encryptor<aes::Aes256>;
type Aes256EcbDecryptor = ecb::Decryptor<aes::Aes256>;

/// A reason a refund notification cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundNotifyError {
    #[error("the notification is not acceptable XML")]
    Xml(#[source] XmlError),
    #[error("return_code is {return_code:?}, not SUCCESS")]
    NotSuccess { return_code: String },
    #[error("the notification is for another merchant")]
    WrongMerchant(#[source] ReplyError),
    #[error("the notification has no req_info")]
    MissingReqInfo,
    #[error("req_info is not valid Base64")]
    Base64,
    #[error("req_info does not decrypt with this merchant's key (wrong length or padding)")]
    Decrypt,
    #[error("the decrypted req_info is not acceptable XML")]
    InnerXml(#[source] XmlError),
    #[error("the decrypted req_info has no valid {name}")]
    MissingField { name: &'static str },
}

/// The refund a notification reports, from its decrypted `req_info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundNotification {
    pub transaction_id: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub out_refund_no: String,
    pub total_fee: Fen,
    pub refund_fee: Fen,
    pub refund_status: RefundStatus,
    /// `yyyy-MM-dd HH:mm:ss` in Beijing time; present when the refund succeeded.
    pub success_time: Option<String>,
}

impl RefundNotification {
    /// Reads the decrypted `req_info` fields.
    pub fn from_req_info(fields: &Params) -> Result<Self, RefundNotifyError> {
        let text = |name: &'static str| {
            fields
                .get(name)
                .filter(|value| !value.is_empty())
                .cloned()
                .ok_or(RefundNotifyError::MissingField { name })
        };
        let fen = |name: &'static str| {
            Fen::parse_fen_field(&text(name)?).ok_or(RefundNotifyError::MissingField { name })
        };
        Ok(RefundNotification {
            transaction_id: text("transaction_id")?,
            out_trade_no: text("out_trade_no")?,
            refund_id: text("refund_id")?,
            out_refund_no: text("out_refund_no")?,
            total_fee: fen("total_fee")?,
            refund_fee: fen("refund_fee")?,
            refund_status: RefundStatus::from_field(&text("refund_status")?),
            success_time: text("success_time").ok(),
        })
    }

    /// Returns the `req_info` fields, as the gateway fills them.
    pub fn to_req_info(&self) -> Params {
        let mut fields = Params::new();
        let mut put = |name: &str, value: String| {
            if !value.is_empty() {
                fields.insert(name.to_owned(), value);
            }
        };
        put("transaction_id", self.transaction_id.clone());
        put("out_trade_no", self.out_trade_no.clone());
        put("refund_id", self.refund_id.clone());
        put("out_refund_no", self.out_refund_no.clone());
        put("total_fee", self.total_fee.fen().to_string());
        put("settlement_total_fee", self.total_fee.fen().to_string());
        put("refund_fee", self.refund_fee.fen().to_string());
        put("settlement_refund_fee", self.refund_fee.fen().to_string());
        put("refund_status", self.refund_status.as_str().to_owned());
        put(
            "success_time",
            self.success_time.clone().unwrap_or_default(),
        );
        put("refund_recv_accout", "支付用户零钱".to_owned());
        put("refund_account", "REFUND_SOURCE_UNSETTLED_FUNDS".to_owned());
        put("refund_request_source", "API".to_owned());
        fields
    }
}

/// Derives the AES-256 key: the ASCII bytes of the lower-case hex MD5 of the API key.
pub fn req_info_key(api_key: &ApiKey) -> [u8; 32] {
    let digest = hex::encode(Md5::digest(api_key.expose().as_bytes()));
    let mut key = [0u8; 32];
    key.copy_from_slice(digest.as_bytes());
    key
}

/// Encrypts a `req_info` plaintext and returns it as Base64.
pub fn encrypt_req_info(plaintext: &str, api_key: &ApiKey) -> String {
    let key = req_info_key(api_key);
    let ciphertext =
        Aes256EcbEncryptor::new(&key.into()).encrypt_padded_vec::<Pkcs7>(plaintext.as_bytes());
    BASE64.encode(ciphertext)
}

/// Decrypts a Base64 `req_info` and returns the plaintext.
pub fn decrypt_req_info(req_info: &str, api_key: &ApiKey) -> Result<String, RefundNotifyError> {
    let ciphertext = BASE64
        .decode(req_info.trim())
        .map_err(|_| RefundNotifyError::Base64)?;
    if ciphertext.is_empty() || ciphertext.len() % AES_BLOCK_BYTES != 0 {
        return Err(RefundNotifyError::Decrypt);
    }
    let key = req_info_key(api_key);
    let plaintext = Aes256EcbDecryptor::new(&key.into())
        .decrypt_padded_vec::<Pkcs7>(&ciphertext)
        .map_err(|_| RefundNotifyError::Decrypt)?;
    String::from_utf8(plaintext).map_err(|_| RefundNotifyError::Decrypt)
}

/// Builds the `req_info` plaintext document for `fields`.
pub fn req_info_document(fields: &Params) -> String {
    let flat = xml::to_xml(fields);
    let inner = flat
        .strip_prefix("<xml>")
        .and_then(|rest| rest.strip_suffix("</xml>"))
        .unwrap_or_default();
    format!("<{REQ_INFO_ROOT}>{inner}</{REQ_INFO_ROOT}>")
}

/// Parses a refund notification body: the outer XML, `return_code`, the merchant, then the
/// decrypted `req_info`.
pub fn parse_refund_notification(
    body: &[u8],
    merchant: &Merchant,
) -> Result<RefundNotification, RefundNotifyError> {
    let outer = xml::parse(body).map_err(RefundNotifyError::Xml)?;
    let return_code = outer.get("return_code").cloned().unwrap_or_default();
    if return_code != "SUCCESS" {
        return Err(RefundNotifyError::NotSuccess { return_code });
    }
    check_merchant(&outer, merchant).map_err(RefundNotifyError::WrongMerchant)?;
    let req_info = outer
        .get("req_info")
        .filter(|value| !value.is_empty())
        .ok_or(RefundNotifyError::MissingReqInfo)?;

    let plaintext = decrypt_req_info(req_info, &merchant.api_key)?;
    if plaintext.len() > MAX_XML_BODY_BYTES {
        return Err(RefundNotifyError::Decrypt);
    }
    let inner = xml::parse_with_root(plaintext.as_bytes(), REQ_INFO_ROOT)
        .map_err(RefundNotifyError::InnerXml)?;
    RefundNotification::from_req_info(&inner)
}

/// Builds a refund notification body for `notification`, as the gateway sends it.
pub fn refund_notification_body(notification: &RefundNotification, merchant: &Merchant) -> String {
    let plaintext = req_info_document(&notification.to_req_info());
    let mut fields = Params::new();
    fields.insert("return_code".into(), "SUCCESS".into());
    fields.insert("appid".into(), merchant.appid.clone());
    fields.insert("mch_id".into(), merchant.mch_id.clone());
    fields.insert("nonce_str".into(), super::new_nonce());
    fields.insert(
        "req_info".into(),
        encrypt_req_info(&plaintext, &merchant.api_key),
    );
    xml::to_xml(&fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn aes_key_is_md5_hex_of_api_key() {
        let key = req_info_key(&ApiKey::new(TEST_KEY));
        assert_eq!(&key, b"d96eb16afdd491fa1e705096edbc2205");
    }

    #[test]
    fn wrong_key_does_not_decrypt() {
        let ciphertext = encrypt_req_info("<root><a>1</a></root>", &ApiKey::new(TEST_KEY));
        let other = ApiKey::new("00000000000000000000000000000000");
        // A wrong key yields random bytes. Valid PKCS#7 padding by chance is still possible
        // (about 1 in 256), and then the bytes are not UTF-8 XML.
        match decrypt_req_info(&ciphertext, &other) {
            Err(RefundNotifyError::Decrypt) => {}
            Ok(text) => assert!(xml::parse_with_root(text.as_bytes(), REQ_INFO_ROOT).is_err()),
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn ciphertext_of_wrong_length_is_rejected() {
        let text = BASE64.encode([0u8; 15]);
        assert_eq!(
            decrypt_req_info(&text, &ApiKey::new(TEST_KEY)),
            Err(RefundNotifyError::Decrypt)
        );
    }
}
