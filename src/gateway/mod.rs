//! HTTP client for the WeChat Pay v2 gateway (or the simulator, which speaks the same
//! protocol): signs each request, caps and parses the reply, and checks it in the documented
//! order before any field is used. Bills, which are text rather than XML, are fetched in
//! `bill`.

mod bill;

pub mod refund;

use std::time::Duration;

use crate::protocol::messages::{
    OrderQueryReply, UnifiedOrderReply, UnifiedOrderRequest, base_params, sign_request,
};
use crate::protocol::reply::{self, ReplyError};
use crate::protocol::xml::{self, MAX_XML_BODY_BYTES, XmlError};
use crate::protocol::{Merchant, Params};

pub use bill::{BILL_REQUEST_TIMEOUT, BillDownloadError, MAX_BILL_BYTES, read_bill_reply};

/// Connect and total timeouts for each gateway request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientTimeouts {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for ClientTimeouts {
    fn default() -> Self {
        ClientTimeouts {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// A failed gateway call.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("request to {path} failed")]
    Transport {
        path: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("{path} answered HTTP {status}")]
    HttpStatus { path: &'static str, status: u16 },
    #[error("{path} answered with a body over {MAX_XML_BODY_BYTES} bytes")]
    ReplyTooLarge { path: &'static str },
    #[error("{path} answered with unreadable XML")]
    Xml {
        path: &'static str,
        #[source]
        source: XmlError,
    },
    #[error("{path} returned an error reply")]
    Reply {
        path: &'static str,
        #[source]
        source: ReplyError,
    },
}

impl GatewayError {
    /// True when the request may not have reached the gateway or its reply was lost, so the
    /// outcome is unknown and the same request may be retried.
    pub fn is_transient(&self) -> bool {
        match self {
            GatewayError::Transport { .. } | GatewayError::HttpStatus { .. } => true,
            GatewayError::Reply { source, .. } => source.err_code() == Some("SYSTEMERROR"),
            _ => false,
        }
    }

    /// Returns the business `err_code`, when the gateway returned `result_code=FAIL`.
    pub fn err_code(&self) -> Option<&str> {
        match self {
            GatewayError::Reply { source, .. } => source.err_code(),
            _ => None,
        }
    }
}

/// API paths on the gateway.
pub mod paths {
    pub const UNIFIED_ORDER: &str = "/pay/unifiedorder";
    pub const ORDER_QUERY: &str = "/pay/orderquery";
    pub const CLOSE_ORDER: &str = "/pay/closeorder";
    pub const SHORT_URL: &str = "/tools/shorturl";
    pub const DOWNLOAD_BILL: &str = "/pay/downloadbill";
}

/// A signed-request client for one merchant and one gateway base URL.
#[derive(Clone)]
pub struct GatewayClient {
    http: reqwest::Client,
    base_url: String,
    merchant: Merchant,
}

impl GatewayClient {
    /// Builds a client for `base_url` (for example `http://127.0.0.1:7878`, no trailing path).
    pub fn new(
        base_url: &str,
        merchant: Merchant,
        timeouts: ClientTimeouts,
    ) -> Result<Self, GatewayError> {
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect_timeout)
            .timeout(timeouts.request_timeout)
            .build()
            .map_err(GatewayError::Client)?;
        Ok(GatewayClient {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            merchant,
        })
    }

    /// Returns the merchant this client signs for.
    pub fn merchant(&self) -> &Merchant {
        &self.merchant
    }

    /// Returns the gateway base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Calls unifiedorder. `nonce_str` is the caller's so a retry sends identical fields.
    pub async fn unified_order(
        &self,
        request: &UnifiedOrderRequest,
        nonce_str: &str,
    ) -> Result<UnifiedOrderReply, GatewayError> {
        let params = request.to_params(&self.merchant, nonce_str);
        let fields = self.post(paths::UNIFIED_ORDER, params).await?;
        UnifiedOrderReply::from_params(&fields).map_err(|source| GatewayError::Reply {
            path: paths::UNIFIED_ORDER,
            source,
        })
    }

    /// Calls unifiedorder for a Native mode-1 scan: the fields of
    /// [`GatewayClient::unified_order`] plus the customer's `openid` from the scan callback.
    pub async fn unified_order_for_scan(
        &self,
        request: &UnifiedOrderRequest,
        nonce_str: &str,
        openid: &str,
    ) -> Result<UnifiedOrderReply, GatewayError> {
        let mut params = request.to_params(&self.merchant, nonce_str);
        params.insert("openid".into(), openid.to_owned());
        let fields = self.post(paths::UNIFIED_ORDER, params).await?;
        UnifiedOrderReply::from_params(&fields).map_err(|source| GatewayError::Reply {
            path: paths::UNIFIED_ORDER,
            source,
        })
    }

    /// Calls orderquery by `out_trade_no`.
    pub async fn order_query(&self, out_trade_no: &str) -> Result<OrderQueryReply, GatewayError> {
        let mut params = base_params(&self.merchant);
        params.insert("out_trade_no".into(), out_trade_no.to_owned());
        let fields = self.post(paths::ORDER_QUERY, params).await?;
        OrderQueryReply::from_params(&fields).map_err(|source| GatewayError::Reply {
            path: paths::ORDER_QUERY,
            source,
        })
    }

    /// Calls closeorder.
    pub async fn close_order(&self, out_trade_no: &str) -> Result<(), GatewayError> {
        let mut params = base_params(&self.merchant);
        params.insert("out_trade_no".into(), out_trade_no.to_owned());
        self.post(paths::CLOSE_ORDER, params).await?;
        Ok(())
    }

    /// Calls shorturl and returns the `short_url`.
    ///
    /// The long URL is signed and sent raw, as the official SDKs send it.
    pub async fn short_url(&self, long_url: &str) -> Result<String, GatewayError> {
        let mut params = base_params(&self.merchant);
        params.insert("long_url".into(), long_url.to_owned());
        let fields = self.post(paths::SHORT_URL, params).await?;
        reply::required(&fields, "short_url")
            .map(str::to_owned)
            .map_err(|source| GatewayError::Reply {
                path: paths::SHORT_URL,
                source,
            })
    }

    /// Signs and posts `params`, then reads, parses and checks the reply.
    async fn post(&self, path: &'static str, mut params: Params) -> Result<Params, GatewayError> {
        sign_request(&mut params, &self.merchant);
        let url = format!("{}{}", self.base_url, path);
        tracing::debug!(
            path,
            out_trade_no = params.get("out_trade_no").map(String::as_str),
            "gateway request"
        );

        let mut response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .body(xml::to_xml(&params))
            .send()
            .await
            .map_err(|source| GatewayError::Transport { path, source })?;
        let status = response.status();
        if !status.is_success() {
            return Err(GatewayError::HttpStatus {
                path,
                status: status.as_u16(),
            });
        }

        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|source| GatewayError::Transport { path, source })?
        {
            if body.len() + chunk.len() > MAX_XML_BODY_BYTES {
                return Err(GatewayError::ReplyTooLarge { path });
            }
            body.extend_from_slice(&chunk);
        }

        let fields = xml::parse(&body).map_err(|source| GatewayError::Xml { path, source })?;
        reply::check_reply(&fields, &self.merchant)
            .map_err(|source| GatewayError::Reply { path, source })?;
        Ok(fields)
    }
}

/// Installs rustls' ring provider as the process default; later calls keep the first one.
pub fn install_crypto_provider() {
    // An Err only means a provider is already installed, which is what is wanted.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
