//! `/pay/downloadbill`: fetches a day's bill, decompresses a GZIP reply, and separates the
//! documented error replies (`No Bill Exist`, `Bill Creating`, …) from transport errors.

use std::io::Read as _;
use std::time::Duration;

use chrono::NaiveDate;

use super::{GatewayClient, paths};
use crate::protocol::bill::{BillFailure, BillType, TarType, format_bill_date};
use crate::protocol::messages::{base_params, sign_request};
use crate::protocol::xml::{self, MAX_XML_BODY_BYTES, XmlError};

/// Largest bill accepted, in bytes, before and after decompression. A day of 100,000 trades
/// is about 30 MiB of text, so this leaves room for several times that and stops a
/// decompression bomb.
pub const MAX_BILL_BYTES: usize = 256 * 1024 * 1024;
/// Total time allowed for one bill download, longer than other calls because a bill of a
/// busy day is many megabytes.
pub const BILL_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The two bytes every gzip stream starts with.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A failed bill download.
#[derive(Debug, thiserror::Error)]
pub enum BillDownloadError {
    /// The gateway returned one of its documented error replies.
    #[error("downloadbill returned FAIL: {return_msg}")]
    Rejected {
        failure: BillFailure,
        return_msg: String,
        /// `error_code` when the reply had one (20002 for `No Bill Exist`).
        error_code: Option<String>,
    },
    #[error("downloadbill request failed")]
    Transport(#[source] reqwest::Error),
    #[error("downloadbill answered HTTP {status}")]
    HttpStatus { status: u16 },
    #[error("downloadbill answered with more than {MAX_BILL_BYTES} bytes")]
    TooLarge,
    #[error("downloadbill answered with unreadable XML")]
    Xml(#[source] XmlError),
    #[error(
        "downloadbill answered with XML that is not an error reply (return_code {return_code:?})"
    )]
    UnexpectedXml { return_code: String },
    #[error("the GZIP bill cannot be decompressed")]
    Gzip(#[source] std::io::Error),
    #[error("the bill was requested as GZIP but the reply is not gzip data")]
    NotGzip,
    #[error("the bill text is not valid UTF-8")]
    NotUtf8,
}

impl BillDownloadError {
    /// Returns the documented failure when the gateway sent an error reply.
    pub fn failure(&self) -> Option<&BillFailure> {
        match self {
            BillDownloadError::Rejected { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

impl GatewayClient {
    /// Downloads the bill of `bill_date` (a Beijing-time day) and returns its text.
    ///
    /// A reply starting with `<` is an error reply, also when GZIP was asked for, and becomes
    /// [`BillDownloadError::Rejected`]. The bill is not signed, so its text is returned as
    /// received, decompressed when `tar_type` is GZIP.
    pub async fn download_bill(
        &self,
        bill_date: NaiveDate,
        bill_type: BillType,
        tar_type: Option<TarType>,
    ) -> Result<String, BillDownloadError> {
        let mut params = base_params(&self.merchant);
        params.insert("bill_date".into(), format_bill_date(bill_date));
        params.insert("bill_type".into(), bill_type.as_str().into());
        if let Some(tar_type) = tar_type {
            params.insert("tar_type".into(), tar_type.as_str().into());
        }
        sign_request(&mut params, &self.merchant);
        tracing::debug!(bill_date = %bill_date, bill_type = bill_type.as_str(), "bill download");

        let url = format!("{}{}", self.base_url, paths::DOWNLOAD_BILL);
        let mut response = self
            .http
            .post(url)
            .timeout(BILL_REQUEST_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(xml::to_xml(&params))
            .send()
            .await
            .map_err(BillDownloadError::Transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(BillDownloadError::HttpStatus {
                status: status.as_u16(),
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(BillDownloadError::Transport)?
        {
            if body.len() + chunk.len() > MAX_BILL_BYTES {
                return Err(BillDownloadError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }

        read_bill_reply(body, tar_type)
    }
}

/// Turns a downloadbill reply body into the bill text or the error it reports.
pub fn read_bill_reply(
    body: Vec<u8>,
    tar_type: Option<TarType>,
) -> Result<String, BillDownloadError> {
    if looks_like_xml(&body) {
        return Err(error_reply(&body));
    }
    let text = match tar_type {
        Some(TarType::Gzip) => {
            if !body.starts_with(&GZIP_MAGIC) {
                return Err(BillDownloadError::NotGzip);
            }
            let unpacked = gunzip(&body)?;
            if looks_like_xml(&unpacked) {
                return Err(error_reply(&unpacked));
            }
            unpacked
        }
        None => body,
    };
    String::from_utf8(text).map_err(|_| BillDownloadError::NotUtf8)
}

/// True when the body's first non-blank byte is `<`, the sign of an XML error reply.
fn looks_like_xml(body: &[u8]) -> bool {
    body.iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'<')
}

/// Reads an XML error reply. Error replies are small, so the usual XML size limit applies.
fn error_reply(body: &[u8]) -> BillDownloadError {
    if body.len() > MAX_XML_BODY_BYTES {
        return BillDownloadError::Xml(XmlError::TooLarge { len: body.len() });
    }
    let fields = match xml::parse(body) {
        Ok(fields) => fields,
        Err(err) => return BillDownloadError::Xml(err),
    };
    let return_code = fields.get("return_code").cloned().unwrap_or_default();
    if return_code != "FAIL" {
        return BillDownloadError::UnexpectedXml { return_code };
    }
    let return_msg = fields.get("return_msg").cloned().unwrap_or_default();
    BillDownloadError::Rejected {
        failure: BillFailure::from_return_msg(&return_msg),
        return_msg,
        error_code: fields.get("error_code").cloned().filter(|c| !c.is_empty()),
    }
}

/// Decompresses a gzip body, stopping at [`MAX_BILL_BYTES`].
fn gunzip(body: &[u8]) -> Result<Vec<u8>, BillDownloadError> {
    let decoder = flate2::read::GzDecoder::new(body);
    let limit = u64::try_from(MAX_BILL_BYTES).unwrap_or(u64::MAX);
    let mut unpacked = Vec::new();
    decoder
        .take(limit + 1)
        .read_to_end(&mut unpacked)
        .map_err(BillDownloadError::Gzip)?;
    if unpacked.len() > MAX_BILL_BYTES {
        return Err(BillDownloadError::TooLarge);
    }
    Ok(unpacked)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn no_bill_exist_reply_is_typed() {
        let body = b"<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[No Bill Exist]]></return_msg><error_code><![CDATA[20002]]></error_code></xml>";
        let err = read_bill_reply(body.to_vec(), None).unwrap_err();
        assert_eq!(err.failure(), Some(&BillFailure::NoBillExist));
        assert!(matches!(
            err,
            BillDownloadError::Rejected { error_code: Some(ref code), .. } if code == "20002"
        ));
    }

    #[test]
    fn gzip_bill_is_decompressed() {
        let text = "交易时间,商户号\n`2026-12-04 10:00:00,`10000100\n";
        let body = gzip(text.as_bytes());
        assert_eq!(read_bill_reply(body, Some(TarType::Gzip)).unwrap(), text);
    }

    #[test]
    fn gzip_requested_but_xml_error_returned() {
        let body =
            b"<xml><return_code>FAIL</return_code><return_msg>Bill Creating</return_msg></xml>";
        let err = read_bill_reply(body.to_vec(), Some(TarType::Gzip)).unwrap_err();
        assert_eq!(err.failure(), Some(&BillFailure::BillCreating));
    }

    #[test]
    fn plain_text_when_gzip_requested_is_rejected() {
        let err = read_bill_reply(b"abc".to_vec(), Some(TarType::Gzip)).unwrap_err();
        assert!(matches!(err, BillDownloadError::NotGzip));
    }
}
