//! The simulator's TLS side for `/secapi/` APIs. At start-up it makes a throwaway CA, a
//! server certificate for the loopback addresses and a client certificate for the merchant.
//! The client certificate comes as PEM and as a PKCS#12 file whose password is the `mch_id`,
//! like WeChat's `apiclient_cert.p12`. The TLS port accepts only clients whose certificate
//! this CA signed.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Host names and addresses the server certificate is valid for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
/// How long a client has to complete the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Completed handshakes waiting for the server to take them.
const READY_CONNECTIONS: usize = 64;

/// File names written by [`SimulatorTls::write_files`].
pub const CA_FILE_NAME: &str = "simulator_ca.pem";
/// The demo merchant's client certificate (PEM).
pub const CLIENT_CERT_FILE_NAME: &str = "apiclient_cert.pem";
/// The demo merchant's client private key (PEM, PKCS#8).
pub const CLIENT_KEY_FILE_NAME: &str = "apiclient_key.pem";
/// The demo merchant's client certificate and key as PKCS#12, password = `mch_id`.
pub const CLIENT_P12_FILE_NAME: &str = "apiclient_cert.p12";

/// A failure to make or use the simulator's certificates.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorTlsError {
    #[error("cannot generate the simulator's certificates")]
    Generate(#[from] rcgen::Error),
    #[error("cannot write the client certificate as PKCS#12")]
    Pkcs12(#[source] p12_keystore::error::Error),
    #[error("cannot build the TLS server configuration")]
    Rustls(#[from] rustls::Error),
    #[error("cannot build the client certificate verifier")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
    #[error("cannot read the TLS port's local address")]
    LocalAddr(#[source] std::io::Error),
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Certificates of one simulator run, as PEM text (and the client's PKCS#12 file on
/// request).
#[derive(Clone)]
pub struct SimulatorTls {
    pub ca_cert_pem: String,
    ca_cert_der: CertificateDer<'static>,
    server_cert_der: CertificateDer<'static>,
    server_key_der: Vec<u8>,
    pub client_cert_pem: String,
    pub client_key_pem: String,
    client_cert_der: CertificateDer<'static>,
    client_key_der: Vec<u8>,
    mch_id: String,
}

impl std::fmt::Debug for SimulatorTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorTls").finish_non_exhaustive()
    }
}

/// Paths of the files [`SimulatorTls::write_files`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca_pem: PathBuf,
    pub client_cert_pem: PathBuf,
    pub client_key_pem: PathBuf,
    pub client_p12: PathBuf,
}

impl SimulatorTls {
    /// Makes a new CA, a server certificate for [`SERVER_NAMES`] and a client certificate
    /// whose common name is `mch_id`, as WeChat's merchant certificates carry.
    pub fn generate(mch_id: &str) -> Result<Self, SimulatorTlsError> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "wxpay-pos simulator CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate()?;
        let mut server_params = CertificateParams::new(SERVER_NAMES.map(str::to_owned).to_vec())?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "wxpay-pos simulator");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server_params.signed_by(&server_key, &issuer)?;

        let client_key = KeyPair::generate()?;
        let mut client_params = CertificateParams::new(Vec::<String>::new())?;
        client_params
            .distinguished_name
            .push(DnType::CommonName, mch_id);
        client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client_params.signed_by(&client_key, &issuer)?;

        Ok(SimulatorTls {
            ca_cert_pem: ca_cert.pem(),
            ca_cert_der: ca_cert.der().clone(),
            server_cert_der: server_cert.der().clone(),
            server_key_der: server_key.serialize_der(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
            client_cert_der: client_cert.der().clone(),
            client_key_der: client_key.serialize_der(),
            mch_id: mch_id.to_owned(),
        })
    }

    /// Encodes the client certificate and key as PKCS#12, encrypted with the merchant's
    /// `mch_id` as WeChat's `apiclient_cert.p12` is. Made on request because its key
    /// derivation is slow in debug builds and demo mode does not need the file.
    pub fn client_p12(&self) -> Result<Vec<u8>, SimulatorTlsError> {
        pkcs12(&self.client_key_der, &self.client_cert_der, &self.mch_id)
    }

    /// Builds the server configuration: this run's server certificate, and client
    /// certificates required and checked against this run's CA.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, SimulatorTlsError> {
        crate::gateway::install_crypto_provider();
        let mut roots = RootCertStore::empty();
        roots.add(self.ca_cert_der.clone())?;
        let verifier = WebPkiClientVerifier::builder(Arc::new(roots)).build()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key_der.clone()));
        let mut config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![self.server_cert_der.clone()], key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }

    /// Writes the CA certificate and the client certificate, key and PKCS#12 file into
    /// `dir`, replacing older ones. On Unix the key and PKCS#12 files are readable by their
    /// owner only.
    pub fn write_files(&self, dir: &Path) -> Result<TlsFiles, SimulatorTlsError> {
        let write_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SimulatorTlsError::Write { path, source }
        };
        std::fs::create_dir_all(dir).map_err(write_error(dir))?;
        let files = TlsFiles {
            ca_pem: dir.join(CA_FILE_NAME),
            client_cert_pem: dir.join(CLIENT_CERT_FILE_NAME),
            client_key_pem: dir.join(CLIENT_KEY_FILE_NAME),
            client_p12: dir.join(CLIENT_P12_FILE_NAME),
        };
        std::fs::write(&files.ca_pem, &self.ca_cert_pem).map_err(write_error(&files.ca_pem))?;
        std::fs::write(&files.client_cert_pem, &self.client_cert_pem)
            .map_err(write_error(&files.client_cert_pem))?;
        write_private(&files.client_key_pem, self.client_key_pem.as_bytes())
            .map_err(write_error(&files.client_key_pem))?;
        write_private(&files.client_p12, &self.client_p12()?)
            .map_err(write_error(&files.client_p12))?;
        Ok(files)
    }
}

fn pkcs12(
    key_der: &[u8],
    certificate_der: &[u8],
    password: &str,
) -> Result<Vec<u8>, SimulatorTlsError> {
    let private_key =
        p12_keystore::PrivateKey::from_der(key_der).map_err(SimulatorTlsError::Pkcs12)?;
    let cert =
        p12_keystore::Certificate::from_der(certificate_der).map_err(SimulatorTlsError::Pkcs12)?;
    let chain = p12_keystore::PrivateKeyChain::new(b"apiclient".to_vec(), private_key, [cert]);
    let mut keystore = p12_keystore::KeyStore::new();
    keystore.add_entry(
        "apiclient",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    keystore
        .writer(password)
        .write()
        .map_err(SimulatorTlsError::Pkcs12)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// A TCP listener that completes each TLS handshake in its own task and hands finished
/// connections to axum, so a client that stalls its handshake delays no one else.
/// Connections whose handshake fails (no client certificate, or one from another CA) are
/// logged and dropped.
pub(crate) struct TlsListener {
    addr: SocketAddr,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub(crate) fn new(
        tcp: TcpListener,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<Self> {
        let addr = tcp.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (sender, ready) = mpsc::channel(READY_CONNECTIONS);
        let task = tokio::spawn(accept_loop(tcp, acceptor, sender));
        Ok(TlsListener { addr, ready, task })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    sender: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, remote) = match tcp.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                tracing::warn!(error = %err, "secure API port could not accept a connection");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => {
                    let _ = sender.send((tls, remote)).await;
                }
                Ok(Err(err)) => {
                    tracing::warn!(%remote, error = %err, "TLS handshake rejected on the secure API port");
                }
                Err(_) => {
                    tracing::warn!(%remote, "TLS handshake timed out on the secure API port");
                }
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Some(connection) = self.ready.recv().await {
                return connection;
            }
            // The accept loop only ends when aborted, which happens on drop; wait for the
            // server's shutdown instead of spinning.
            std::future::pending::<()>().await;
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
