//! The TOML configuration file: merchant credentials, gateway address, listener, storage and
//! UI settings. Without a `[merchant]` table the app runs in demo mode against the embedded
//! gateway simulator.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::gateway::ClientTimeouts;
use crate::i18n::Lang;
use crate::protocol::{ApiKey, Merchant, SignType};

/// Name of the configuration file in the platform config folder.
pub const CONFIG_FILE_NAME: &str = "config.toml";
/// Required length of the API key (API密钥), in characters.
pub const API_KEY_LEN: usize = 32;
/// Longest `appid`, `mch_id` and `device_info` the protocol accepts.
pub const MAX_ID_LEN: usize = 32;
/// Maximum shop name length, in characters, so that it fits the top bar and the customer display.
pub const MAX_SHOP_NAME_CHARS: usize = 32;
/// Longest `notify_url` the protocol accepts.
pub const MAX_NOTIFY_URL_LEN: usize = 256;

/// Everything in the configuration file. Every table and key is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub shop: ShopSettings,
    /// Absent: demo mode with the embedded simulator.
    pub merchant: Option<MerchantSettings>,
    pub listener: ListenerSettings,
    pub storage: StorageSettings,
    pub client: ClientSettings,
    pub ui: UiSettings,
    /// Absent or `kind = "none"`: receipts are only saved as PDF files.
    pub printer: crate::printer::PrinterSettings,
    /// The store manager's screen.
    pub manager: ManagerSettings,
}

/// The store manager's screen (`[manager]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManagerSettings {
    /// The manager PIN as `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>` (see
    /// [`crate::pin`]); empty when no PIN is set, which keeps the manager screen closed.
    pub pin_hash: String,
}

/// The shop as printed on receipts and sent as `device_info`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShopSettings {
    pub name: String,
    /// The counter's terminal id, sent as `device_info`.
    pub terminal_id: String,
}

impl Default for ShopSettings {
    fn default() -> Self {
        ShopSettings {
            name: "演示商店".into(),
            terminal_id: "POS01".into(),
        }
    }
}

/// A real merchant account and the gateway it talks to.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantSettings {
    pub appid: String,
    pub mch_id: String,
    /// The 32-character API key; never printed or logged.
    pub api_key: String,
    #[serde(default)]
    pub sign_type: SignType,
    /// Base URL of the gateway, for example `https://api.mch.weixin.qq.com` for production.
    pub gateway_url: String,
    /// The public HTTPS address WeChat posts payment notifications to; it must reach the
    /// listener (directly or through a reverse proxy).
    pub notify_url: String,
    /// The server's IP address sent as `spbill_create_ip`.
    #[serde(default = "default_spbill_create_ip")]
    pub spbill_create_ip: String,
    /// The public address of the listener's `/wxpay/scan` endpoint for Native mode-1 product
    /// QR codes. WeChat takes it from the merchant platform (支付回调URL), not from here: this
    /// copy is what `wxpay-pos simulator` posts scan callbacks to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_url: Option<String>,
    /// Base URL for the APIs that need the client certificate (`/secapi/pay/refund`); unset
    /// uses `gateway_url`. The simulator serves them on a separate HTTPS port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secapi_url: Option<String>,
    /// A PEM CA certificate that is then the only CA trusted for `secapi_url`, such as the
    /// simulator's `simulator_ca.pem`; unset trusts the system's CAs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ca_pem: Option<PathBuf>,
    /// The merchant certificate as PKCS#12 (`apiclient_cert.p12`); its password is the
    /// `mch_id`. Refunds need this or `cert_pem` with `key_pem`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_p12: Option<PathBuf>,
    /// The merchant certificate as PEM (`apiclient_cert.pem`), used with `key_pem`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_pem: Option<PathBuf>,
    /// The merchant certificate's private key as PEM (`apiclient_key.pem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_pem: Option<PathBuf>,
    /// The public address WeChat posts refund results to; it must reach the listener's
    /// `/wxpay/refund-notify`. Unset sends none, so the merchant platform's setting applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_notify_url: Option<String>,
}

fn default_spbill_create_ip() -> String {
    "127.0.0.1".into()
}

impl std::fmt::Debug for MerchantSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantSettings")
            .field("appid", &self.appid)
            .field("mch_id", &self.mch_id)
            .field("api_key", &"<redacted>")
            .field("sign_type", &self.sign_type)
            .field("gateway_url", &self.gateway_url)
            .field("notify_url", &self.notify_url)
            .field("scan_url", &self.scan_url)
            .field("secapi_url", &self.secapi_url)
            .field("gateway_ca_pem", &self.gateway_ca_pem)
            .field("cert_p12", &self.cert_p12)
            .field("cert_pem", &self.cert_pem)
            .field("key_pem", &self.key_pem)
            .field("refund_notify_url", &self.refund_notify_url)
            .finish()
    }
}

impl MerchantSettings {
    /// Returns the protocol identity these settings describe.
    pub fn merchant(&self) -> Merchant {
        Merchant {
            appid: self.appid.clone(),
            mch_id: self.mch_id.clone(),
            api_key: ApiKey::new(self.api_key.clone()),
            sign_type: self.sign_type,
        }
    }

    /// Returns the client certificate settings for refunds, or `None` when no certificate
    /// is configured.
    pub fn secure_api_settings(&self) -> Option<crate::gateway::refund::SecureApiSettings> {
        use crate::gateway::refund::{ClientCertificate, SecureApiSettings};

        let certificate = match (&self.cert_p12, &self.cert_pem, &self.key_pem) {
            (Some(path), _, _) => ClientCertificate::Pkcs12 { path: path.clone() },
            (None, Some(cert_path), Some(key_path)) => ClientCertificate::Pem {
                cert_path: cert_path.clone(),
                key_path: key_path.clone(),
            },
            _ => return None,
        };
        Some(SecureApiSettings {
            secapi_url: self
                .secapi_url
                .clone()
                .unwrap_or_else(|| self.gateway_url.clone()),
            certificate,
            ca_pem: self.gateway_ca_pem.clone(),
        })
    }
}

/// The address the notification listener accepts connections on.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListenerSettings {
    /// `IP:PORT`; port 0 picks a free port (demo mode's default).
    pub bind: String,
}

impl Default for ListenerSettings {
    fn default() -> Self {
        ListenerSettings {
            bind: "127.0.0.1:0".into(),
        }
    }
}

/// Files the app writes. Unset paths use the platform data folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageSettings {
    pub database: Option<PathBuf>,
    pub receipt_dir: Option<PathBuf>,
}

/// Gateway client timeouts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientSettings {
    pub connect_timeout_secs: u64,
    pub request_timeout_secs: u64,
}

impl Default for ClientSettings {
    fn default() -> Self {
        let defaults = ClientTimeouts::default();
        ClientSettings {
            connect_timeout_secs: defaults.connect_timeout.as_secs(),
            request_timeout_secs: defaults.request_timeout.as_secs(),
        }
    }
}

impl ClientSettings {
    /// Returns the timeouts as durations.
    pub fn timeouts(&self) -> ClientTimeouts {
        ClientTimeouts {
            connect_timeout: std::time::Duration::from_secs(self.connect_timeout_secs),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs),
        }
    }
}

/// Cashier screen settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiSettings {
    /// `zh-CN` or `en`; unset follows the system locale.
    pub language: Option<Lang>,
    /// Opens a full-screen window for the customer (amount and QR code) on a second monitor,
    /// when there is one. With one monitor the QR code fills the cashier window instead.
    pub customer_display: bool,
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            language: None,
            customer_display: true,
        }
    }
}

/// A reason the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid value for `{key}` in the configuration: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("cannot write the configuration file {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode the configuration as TOML")]
    Encode(#[from] toml::ser::Error),
}

/// Platform folders for the config file, the database and receipts.
#[derive(Debug, Clone)]
pub struct AppDirs {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

impl AppDirs {
    /// Returns the platform's folders for this app, or `./wxpay-pos-data` when the platform has none.
    pub fn platform() -> AppDirs {
        match directories::ProjectDirs::from("", "", "wxpay-pos") {
            Some(dirs) => AppDirs {
                config_file: dirs.config_dir().join(CONFIG_FILE_NAME),
                data_dir: dirs.data_dir().to_path_buf(),
            },
            None => AppDirs {
                config_file: PathBuf::from(CONFIG_FILE_NAME),
                data_dir: PathBuf::from("wxpay-pos-data"),
            },
        }
    }
}

impl Settings {
    /// Loads settings from `explicit` (which must exist) or else from the platform config
    /// file (which may be missing: then the defaults, that is demo mode, apply).
    pub fn load(explicit: Option<&Path>, dirs: &AppDirs) -> Result<Settings, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None if !dirs.config_file.exists() => return Ok(Settings::default()),
            None => dirs.config_file.clone(),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Settings::parse(&text).map_err(|err| match err {
            ConfigError::Parse { message, .. } => ConfigError::Parse { path, message },
            other => other,
        })
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Settings, ConfigError> {
        let settings: Settings = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: PathBuf::new(),
            // toml's message names the key and line; it never echoes a string value's content
            // for type errors, but keep it to the message line only.
            message: err.message().to_owned() + &describe_span(text, err.span()),
        })?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks values that TOML types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.listener.bind.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "listener.bind",
                format!("{:?} is not IP:PORT", self.listener.bind),
            )
        })?;
        if self.client.connect_timeout_secs == 0 {
            return Err(invalid(
                "client.connect_timeout_secs",
                "must be at least 1".into(),
            ));
        }
        if self.client.request_timeout_secs == 0 {
            return Err(invalid(
                "client.request_timeout_secs",
                "must be at least 1".into(),
            ));
        }
        if self.shop.name.chars().count() > MAX_SHOP_NAME_CHARS {
            return Err(invalid(
                "shop.name",
                format!("longer than {MAX_SHOP_NAME_CHARS} characters"),
            ));
        }
        if self.shop.terminal_id.len() > MAX_ID_LEN {
            return Err(invalid(
                "shop.terminal_id",
                format!("longer than {MAX_ID_LEN} characters"),
            ));
        }
        if let Some(merchant) = &self.merchant {
            merchant.validate()?;
        }
        Ok(())
    }

    /// True when no merchant is configured and the app uses the embedded simulator.
    pub fn is_demo(&self) -> bool {
        self.merchant.is_none()
    }

    /// Validates the settings and writes them to `path` as TOML, API key included.
    ///
    /// The text goes to a temporary file in the same folder, which is flushed to disk and then
    /// renamed over `path`, so a crash leaves either the old file or the new one. On Unix the
    /// file is created readable by its owner only, because it contains the API key.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        self.validate()?;
        let text = toml::to_string_pretty(self)?;
        let write_error = |source| ConfigError::Write {
            path: path.to_path_buf(),
            source,
        };

        let folder = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(write_error)?;
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(".tmp");
        let temp_path = folder.join(temp_name);

        write_private_file(&temp_path, text.as_bytes()).map_err(write_error)?;
        std::fs::rename(&temp_path, path).map_err(write_error)?;
        Ok(())
    }
}

/// Writes `bytes` to a new or truncated file that only its owner may read (on Unix), and
/// flushes it to disk.
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

impl MerchantSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        check_id("merchant.appid", &self.appid)?;
        check_id("merchant.mch_id", &self.mch_id)?;
        if self.api_key.chars().count() != API_KEY_LEN {
            // The key itself is never echoed.
            return Err(invalid(
                "merchant.api_key",
                format!(
                    "must be {API_KEY_LEN} characters, found {}",
                    self.api_key.chars().count()
                ),
            ));
        }
        check_http_url("merchant.gateway_url", &self.gateway_url)?;
        check_http_url("merchant.notify_url", &self.notify_url)?;
        if self.notify_url.contains('?') {
            return Err(invalid(
                "merchant.notify_url",
                "must not have a query string".into(),
            ));
        }
        if self.notify_url.len() > MAX_NOTIFY_URL_LEN {
            return Err(invalid(
                "merchant.notify_url",
                format!("longer than {MAX_NOTIFY_URL_LEN} characters"),
            ));
        }
        if let Some(scan_url) = &self.scan_url {
            check_http_url("merchant.scan_url", scan_url)?;
        }
        if self.spbill_create_ip.parse::<std::net::IpAddr>().is_err() {
            return Err(invalid(
                "merchant.spbill_create_ip",
                "is not an IP address".into(),
            ));
        }
        self.validate_secure_api()
    }

    /// Checks the refund keys: one certificate form, complete, and valid URLs.
    fn validate_secure_api(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.secapi_url {
            check_http_url("merchant.secapi_url", url)?;
        }
        if let Some(url) = &self.refund_notify_url {
            check_http_url("merchant.refund_notify_url", url)?;
            if url.contains('?') || url.len() > MAX_NOTIFY_URL_LEN {
                return Err(invalid(
                    "merchant.refund_notify_url",
                    format!(
                        "must have no query string and at most {MAX_NOTIFY_URL_LEN} characters"
                    ),
                ));
            }
        }
        match (&self.cert_p12, &self.cert_pem, &self.key_pem) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(invalid(
                "merchant.cert_p12",
                "set either cert_p12 or cert_pem with key_pem, not both".into(),
            )),
            (None, Some(_), None) => Err(invalid(
                "merchant.key_pem",
                "is required when merchant.cert_pem is set".into(),
            )),
            (None, None, Some(_)) => Err(invalid(
                "merchant.cert_pem",
                "is required when merchant.key_pem is set".into(),
            )),
            _ => Ok(()),
        }
    }
}

fn invalid(key: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { key, reason }
}

fn check_id(key: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.is_empty() {
        return Err(invalid(key, "is empty".into()));
    }
    if value.len() > MAX_ID_LEN || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            key,
            format!("must be 1 to {MAX_ID_LEN} letters or digits"),
        ));
    }
    Ok(())
}

fn check_http_url(key: &'static str, value: &str) -> Result<(), ConfigError> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host_and_path) if !host_and_path.is_empty() && !host_and_path.starts_with('/') => {
            Ok(())
        }
        _ => Err(invalid(
            key,
            format!("{value:?} is not an http:// or https:// URL"),
        )),
    }
}

fn describe_span(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    match span {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID_MERCHANT: &str = r#"
[merchant]
appid = "wx2421b1c4370ec43b"
mch_id = "10000100"
api_key = "192006250b4c09247ec02edce69f6a2d"
sign_type = "HMAC-SHA256"
gateway_url = "http://127.0.0.1:7878"
notify_url = "https://shop.example.com/wxpay/notify"
"#;

    #[test]
    fn empty_file_means_demo_mode() {
        let settings = Settings::parse("").unwrap();
        assert!(settings.is_demo());
        assert_eq!(settings.listener.bind, "127.0.0.1:0");
    }

    #[test]
    fn merchant_table_is_read() {
        let settings = Settings::parse(VALID_MERCHANT).unwrap();
        let merchant = settings.merchant.unwrap();
        assert_eq!(merchant.sign_type, SignType::HmacSha256);
        assert_eq!(merchant.mch_id, "10000100");
    }

    #[test]
    fn scan_url_is_optional_and_checked() {
        assert_eq!(
            Settings::parse(VALID_MERCHANT)
                .unwrap()
                .merchant
                .unwrap()
                .scan_url,
            None
        );

        let with_scan =
            format!("{VALID_MERCHANT}scan_url = \"http://127.0.0.1:8088/wxpay/scan\"\n");
        let merchant = Settings::parse(&with_scan).unwrap().merchant.unwrap();
        assert_eq!(
            merchant.scan_url.as_deref(),
            Some("http://127.0.0.1:8088/wxpay/scan")
        );

        let bad = format!("{VALID_MERCHANT}scan_url = \"nowhere\"\n");
        let message = Settings::parse(&bad).unwrap_err().to_string();
        assert!(message.contains("merchant.scan_url"), "{message}");
    }

    #[test]
    fn short_api_key_is_named_and_not_echoed() {
        let text = VALID_MERCHANT.replace("192006250b4c09247ec02edce69f6a2d", "tooshort");
        let message = Settings::parse(&text).unwrap_err().to_string();
        assert!(message.contains("merchant.api_key"), "{message}");
        assert!(!message.contains("tooshort"), "{message}");
    }

    #[test]
    fn notify_url_with_query_is_rejected() {
        let text = VALID_MERCHANT.replace("/wxpay/notify", "/wxpay/notify?a=1");
        let message = Settings::parse(&text).unwrap_err().to_string();
        assert!(message.contains("merchant.notify_url"), "{message}");
    }

    #[test]
    fn unknown_key_is_named() {
        let message = Settings::parse("[listener]\nbnd = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("bnd"), "{message}");
    }

    #[test]
    fn bad_listener_address_is_named() {
        let message = Settings::parse("[listener]\nbind = \"nowhere\"\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("listener.bind"), "{message}");
    }

    #[test]
    fn saved_settings_read_back_with_api_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("config.toml");
        let mut settings = Settings::parse(VALID_MERCHANT).unwrap();
        settings.ui.customer_display = false;
        settings.ui.language = Some(Lang::En);

        settings.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let read = Settings::parse(&text).unwrap();

        assert_eq!(
            read.merchant.unwrap().api_key,
            "192006250b4c09247ec02edce69f6a2d"
        );
        assert!(!read.ui.customer_display);
        assert_eq!(read.ui.language, Some(Lang::En));
        assert!(!dir.path().join("sub").join("config.toml.tmp").exists());
    }

    #[test]
    fn invalid_settings_are_not_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[shop]\nname = \"old\"\n").unwrap();
        let mut settings = Settings::default();
        settings.listener.bind = "nowhere".into();

        let message = settings.save(&path).unwrap_err().to_string();
        assert!(message.contains("listener.bind"), "{message}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[shop]\nname = \"old\"\n"
        );
    }

    #[test]
    fn customer_display_defaults_to_on() {
        assert!(Settings::parse("").unwrap().ui.customer_display);
        let off = Settings::parse("[ui]\ncustomer_display = false\n").unwrap();
        assert!(!off.ui.customer_display);
    }

    #[cfg(unix)]
    #[test]
    fn saved_file_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        Settings::default().save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }

    #[test]
    fn refund_certificate_keys_are_read() {
        let text = format!(
            "{VALID_MERCHANT}secapi_url = \"https://127.0.0.1:7879\"\ncert_p12 = \"/etc/wxpay/apiclient_cert.p12\"\n"
        );
        let merchant = Settings::parse(&text).unwrap().merchant.unwrap();
        let secure = merchant.secure_api_settings().unwrap();
        assert_eq!(secure.secapi_url, "https://127.0.0.1:7879");
        assert!(matches!(
            secure.certificate,
            crate::gateway::refund::ClientCertificate::Pkcs12 { .. }
        ));
    }

    #[test]
    fn secapi_url_defaults_to_gateway_url() {
        let text = format!("{VALID_MERCHANT}cert_pem = \"c.pem\"\nkey_pem = \"k.pem\"\n");
        let merchant = Settings::parse(&text).unwrap().merchant.unwrap();
        assert_eq!(
            merchant.secure_api_settings().unwrap().secapi_url,
            "http://127.0.0.1:7878"
        );
        let bare = Settings::parse(VALID_MERCHANT).unwrap().merchant.unwrap();
        assert!(bare.secure_api_settings().is_none());
    }

    #[test]
    fn cert_pem_without_key_is_named() {
        let text = format!("{VALID_MERCHANT}cert_pem = \"c.pem\"\n");
        let message = Settings::parse(&text).unwrap_err().to_string();
        assert!(message.contains("merchant.key_pem"), "{message}");
        let both = format!(
            "{VALID_MERCHANT}cert_pem = \"c.pem\"\nkey_pem = \"k.pem\"\ncert_p12 = \"a.p12\"\n"
        );
        let message = Settings::parse(&both).unwrap_err().to_string();
        assert!(message.contains("merchant.cert_p12"), "{message}");
    }

    #[test]
    fn api_key_is_redacted_in_debug() {
        let settings = Settings::parse(VALID_MERCHANT).unwrap();
        assert!(!format!("{settings:?}").contains("192006250b4c09247ec02edce69f6a2d"));
    }
}
