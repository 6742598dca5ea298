//! Refund calls: `/secapi/pay/refund` over mutual TLS with the merchant's client certificate
//! (`apiclient_cert.p12`, or its PEM certificate and key), and `/pay/refundquery`, which
//! needs no certificate and goes through the ordinary [`GatewayClient`].

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{ClientTimeouts, GatewayClient, GatewayError, install_crypto_provider};
use crate::protocol::Merchant;
use crate::protocol::refund::{RefundLookup, RefundQueryReply, RefundReply, RefundRequest};

/// Path of the refund API, which requires the client certificate.
pub const REFUND_PATH: &str = "/secapi/pay/refund";
/// Path of the refund query API.
pub const REFUND_QUERY_PATH: &str = "/pay/refundquery";
/// Largest certificate, key or PKCS#12 file read, in bytes; real ones are a few KiB.
pub const MAX_CERTIFICATE_FILE_BYTES: u64 = 256 * 1024;
/// Characters per line of Base64 in a PEM block.
const PEM_LINE_CHARS: usize = 64;

/// Source of the merchant's client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCertificate {
    /// A PKCS#12 file (`apiclient_cert.p12`) whose password is the merchant's `mch_id`.
    Pkcs12 { path: PathBuf },
    /// A PEM certificate (`apiclient_cert.pem`) and its PEM private key (`apiclient_key.pem`).
    Pem {
        cert_path: PathBuf,
        key_path: PathBuf,
    },
}

/// Everything the refund client needs beyond the merchant identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureApiSettings {
    /// Base URL for `/secapi/...` calls, for example `https://127.0.0.1:7879`.
    pub secapi_url: String,
    pub certificate: ClientCertificate,
    /// A PEM CA certificate that is then the only CA trusted for `secapi_url`, such as the
    /// simulator's own CA. `None` trusts the platform's roots.
    pub ca_pem: Option<PathBuf>,
}

/// A reason the refund client cannot be built. Messages name the configuration key and the
/// file, never a password.
#[derive(Debug, thiserror::Error)]
pub enum RefundClientError {
    #[error("cannot read {key} file {path}")]
    Read {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{key} file {path} is larger than {MAX_CERTIFICATE_FILE_BYTES} bytes")]
    TooLarge { key: &'static str, path: PathBuf },
    #[error(
        "{key} file {path} is not a PKCS#12 file that opens with the merchant number as password"
    )]
    Pkcs12 {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: p12_keystore::error::Error,
    },
    #[error("{key} file {path} has no private key with a certificate")]
    Pkcs12Empty { key: &'static str, path: PathBuf },
    #[error("{key} does not hold a usable PEM certificate and private key ({path})")]
    Identity {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },
    #[error("{key} file {path} is not a PEM CA certificate")]
    CaCertificate {
        key: &'static str,
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot build the HTTPS client for refunds")]
    Client(#[source] reqwest::Error),
}

/// A gateway client that presents the merchant's client certificate, for `/secapi/` APIs.
#[derive(Clone)]
pub struct RefundClient {
    inner: GatewayClient,
}

impl RefundClient {
    /// Loads the certificate (and CA) files named in `settings` and builds the client.
    pub fn new(
        settings: &SecureApiSettings,
        merchant: Merchant,
        timeouts: ClientTimeouts,
    ) -> Result<Self, RefundClientError> {
        install_crypto_provider();
        let identity = load_identity(&settings.certificate, &merchant.mch_id)?;
        let ca = match &settings.ca_pem {
            Some(ca_path) => {
                let key = "merchant.gateway_ca_pem";
                let pem = read_limited(key, ca_path)?;
                let ca = reqwest::Certificate::from_pem(&pem).map_err(|source| {
                    RefundClientError::CaCertificate {
                        key,
                        path: ca_path.clone(),
                        source,
                    }
                })?;
                Some(ca)
            }
            None => None,
        };
        Self::with_identity(&settings.secapi_url, merchant, timeouts, identity, ca)
    }

    /// Builds the client from an identity already loaded, trusting only `ca` when given
    /// (the embedded simulator's CA in demo mode).
    pub fn with_identity(
        secapi_url: &str,
        merchant: Merchant,
        timeouts: ClientTimeouts,
        identity: reqwest::Identity,
        ca: Option<reqwest::Certificate>,
    ) -> Result<Self, RefundClientError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeouts.connect_timeout)
            .timeout(timeouts.request_timeout)
            .no_proxy()
            .identity(identity);
        if let Some(ca) = ca {
            builder = builder.tls_certs_only([ca]);
        }
        let http = builder.build().map_err(RefundClientError::Client)?;
        Ok(RefundClient {
            inner: GatewayClient {
                http,
                base_url: secapi_url.trim_end_matches('/').to_owned(),
                merchant,
            },
        })
    }

    /// Returns the base URL refunds are posted to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// Calls the refund API. `nonce_str` is the caller's, so a retry sends identical fields.
    pub async fn refund(
        &self,
        request: &RefundRequest,
        nonce_str: &str,
    ) -> Result<RefundReply, GatewayError> {
        let params = request.to_params(&self.inner.merchant, nonce_str);
        let fields = self.inner.post(REFUND_PATH, params).await?;
        RefundReply::from_params(&fields).map_err(|source| GatewayError::Reply {
            path: REFUND_PATH,
            source,
        })
    }
}

impl GatewayClient {
    /// Calls refundquery for one refund or for every refund of an order.
    pub async fn refund_query(
        &self,
        lookup: &RefundLookup,
    ) -> Result<RefundQueryReply, GatewayError> {
        let params = lookup.to_params(&self.merchant);
        let fields = self.post(REFUND_QUERY_PATH, params).await?;
        RefundQueryReply::from_params(&fields).map_err(|source| GatewayError::Reply {
            path: REFUND_QUERY_PATH,
            source,
        })
    }
}

/// Loads the client certificate as a reqwest identity. A PKCS#12 file is opened with
/// `mch_id` as its password, as WeChat issues it, and converted to PEM for rustls.
pub fn load_identity(
    certificate: &ClientCertificate,
    mch_id: &str,
) -> Result<reqwest::Identity, RefundClientError> {
    let (key, path, pem) = match certificate {
        ClientCertificate::Pkcs12 { path } => {
            let key = "merchant.cert_p12";
            (key, path, pkcs12_to_pem(key, path, mch_id)?)
        }
        ClientCertificate::Pem {
            cert_path,
            key_path,
        } => {
            let mut pem = read_limited("merchant.key_pem", key_path)?;
            pem.push(b'\n');
            pem.extend(read_limited("merchant.cert_pem", cert_path)?);
            ("merchant.cert_pem", cert_path, pem)
        }
    };
    reqwest::Identity::from_pem(&pem).map_err(|source| RefundClientError::Identity {
        key,
        path: path.clone(),
        source,
    })
}

/// Opens a PKCS#12 file and returns its private key and certificate chain as PEM text.
fn pkcs12_to_pem(
    key: &'static str,
    path: &Path,
    password: &str,
) -> Result<Vec<u8>, RefundClientError> {
    let data = read_limited(key, path)?;
    let keystore = p12_keystore::KeyStore::from_pkcs12(
        &data,
        password,
        p12_keystore::Pkcs12ImportPolicy::Relaxed,
    )
    .map_err(|source| RefundClientError::Pkcs12 {
        key,
        path: path.to_path_buf(),
        source,
    })?;
    let Some((_, chain)) = keystore
        .private_key_chain()
        .filter(|(_, chain)| !chain.certs().is_empty())
    else {
        return Err(RefundClientError::Pkcs12Empty {
            key,
            path: path.to_path_buf(),
        });
    };

    let mut pem = pem_block("PRIVATE KEY", chain.key().as_der());
    for certificate in chain.certs() {
        pem.push_str(&pem_block("CERTIFICATE", certificate.as_der()));
    }
    Ok(pem.into_bytes())
}

/// Encodes DER bytes as one PEM block with the given label.
pub fn pem_block(label: &str, der: &[u8]) -> String {
    let encoded = BASE64.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(PEM_LINE_CHARS) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

fn read_limited(key: &'static str, path: &Path) -> Result<Vec<u8>, RefundClientError> {
    let read_error = |source| RefundClientError::Read {
        key,
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_error)?.len();
    if len > MAX_CERTIFICATE_FILE_BYTES {
        return Err(RefundClientError::TooLarge {
            key,
            path: path.to_path_buf(),
        });
    }
    std::fs::read(path).map_err(read_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_block_wraps_base64_at_64_characters() {
        let pem = pem_block("CERTIFICATE", &[7u8; 100]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last().copied(), Some("-----END CERTIFICATE-----"));
    }

    #[test]
    fn missing_p12_file_names_the_key() {
        let certificate = ClientCertificate::Pkcs12 {
            path: PathBuf::from("/nonexistent/apiclient_cert.p12"),
        };
        let message = load_identity(&certificate, "10000100")
            .unwrap_err()
            .to_string();
        assert!(message.contains("merchant.cert_p12"), "{message}");
        assert!(!message.contains("10000100"), "{message}");
    }
}
