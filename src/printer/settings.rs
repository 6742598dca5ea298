//! The `[printer]` table of the configuration file. [`PrinterConfig`] is the table as written;
//! [`PrinterSettings`] is the same table after its values were checked, so a printer job never
//! starts with a missing address or an impossible paper width.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::receipt::PaperWidth;

/// Raw TCP port of network printers: the port HP JetDirect introduced, which network receipt
/// printers also listen on.
pub const DEFAULT_TCP_PORT: u16 = 9100;

/// Maximum timeout accepted, in seconds. A cashier should hear about a dead printer long
/// before this.
pub const MAX_TIMEOUT_SECS: u64 = 60;

/// Maximum footer length accepted, in characters: about four lines on 58 mm paper.
pub const MAX_FOOTER_CHARS: usize = 120;

/// Type of printer that receipts go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrinterKind {
    /// No printer: receipts are only saved as PDF files.
    #[default]
    None,
    /// A thermal receipt printer that takes ESC/POS commands.
    Escpos,
    /// A system printer that takes PDF through CUPS (`lp`).
    Pdf,
}

/// Connection that carries ESC/POS bytes to the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectionKind {
    /// A network printer's raw TCP port, `printer.address`.
    #[default]
    Tcp,
    /// A device file such as `/dev/usb/lp0`, `printer.device`.
    Device,
    /// A CUPS raw queue, `printer.queue`, through `lp -o raw`.
    Cups,
}

/// Form in which the QR code is sent to an ESC/POS printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QrMode {
    /// The printer draws the code from the payload (`GS ( k`): short jobs, crisp codes.
    #[default]
    Native,
    /// The code is sent as a raster image (`GS v 0`), for printers without `GS ( k`.
    Raster,
}

/// The `[printer]` table as written in the configuration file. Every key is optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterConfig {
    pub kind: PrinterKind,
    /// ESC/POS only: how the bytes reach the printer.
    pub connection: ConnectionKind,
    /// `IP` or `IP:PORT` of a network printer; the port defaults to 9100.
    pub address: String,
    /// Device file of a printer on USB, parallel or serial, such as `/dev/usb/lp0`.
    pub device: PathBuf,
    /// CUPS queue: a raw queue for ESC/POS, or the destination of PDF receipts (empty: the
    /// system's default printer).
    pub queue: String,
    /// 58 or 80.
    pub paper_width_mm: u32,
    pub qr_mode: QrMode,
    /// Cut the paper after each slip; without a cut the paper is fed past the tear bar.
    pub cut: bool,
    /// Open the cash drawer connected to the printer after a paid receipt.
    pub open_cash_drawer: bool,
    /// Print the receipt of each payment as soon as it is confirmed.
    pub auto_print: bool,
    /// Network printers only: ask the printer for its status before and after each job, so a
    /// printer that is out of paper, has its cover open or stopped reading is reported.
    /// Turn off for printers that do not reply to ESC/POS status requests (`DLE EOT`).
    pub status_check: bool,
    pub connect_timeout_secs: u64,
    /// Maximum wait for the printer to take a block of the job or reply to a status request.
    pub io_timeout_secs: u64,
    /// The CUPS client program.
    pub lp_command: String,
    /// Closing line printed at the bottom of every slip and receipt.
    pub footer: String,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        PrinterConfig {
            kind: PrinterKind::None,
            connection: ConnectionKind::Tcp,
            address: String::new(),
            device: PathBuf::new(),
            queue: String::new(),
            paper_width_mm: PaperWidth::Mm80.mm(),
            qr_mode: QrMode::Native,
            cut: true,
            open_cash_drawer: false,
            auto_print: true,
            status_check: true,
            connect_timeout_secs: 3,
            io_timeout_secs: 5,
            lp_command: "lp".to_owned(),
            footer: String::new(),
        }
    }
}

/// Destination of a job, as checked from a [`PrinterConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PrinterTarget {
    /// No printer is configured.
    #[default]
    None,
    /// ESC/POS bytes to a network printer.
    Tcp { address: SocketAddr },
    /// ESC/POS bytes to a device file.
    Device { path: PathBuf },
    /// ESC/POS bytes to a CUPS raw queue.
    CupsRaw { queue: String },
    /// A PDF to a CUPS queue, or to the default printer when `queue` is `None`.
    CupsPdf { queue: Option<String> },
}

/// The `[printer]` table, checked. Build one with `PrinterSettings::try_from(config)`; the
/// configuration file is checked the same way when it is read.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "PrinterConfig", into = "PrinterConfig")]
pub struct PrinterSettings {
    config: PrinterConfig,
    target: PrinterTarget,
    paper: PaperWidth,
}

impl PrinterSettings {
    /// Returns the table as written.
    pub fn config(&self) -> &PrinterConfig {
        &self.config
    }

    /// Returns where jobs go.
    pub fn target(&self) -> &PrinterTarget {
        &self.target
    }

    /// True when a printer is configured.
    pub fn is_enabled(&self) -> bool {
        self.target != PrinterTarget::None
    }

    /// True when paid receipts should be printed as soon as the payment is confirmed.
    pub fn prints_automatically(&self) -> bool {
        self.is_enabled() && self.config.auto_print
    }

    /// Width of the paper roll.
    pub fn paper(&self) -> PaperWidth {
        self.paper
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.config.connect_timeout_secs)
    }

    pub fn io_timeout(&self) -> Duration {
        Duration::from_secs(self.config.io_timeout_secs)
    }

    /// Describes the target for people and logs, such as `TCP 192.168.1.50:9100`.
    pub fn target_description(&self) -> String {
        match &self.target {
            PrinterTarget::None => "未配置 none".to_owned(),
            PrinterTarget::Tcp { address } => format!("TCP {address}"),
            PrinterTarget::Device { path } => format!("设备 device {}", path.display()),
            PrinterTarget::CupsRaw { queue } => format!("CUPS {queue} (raw)"),
            PrinterTarget::CupsPdf { queue: Some(queue) } => format!("CUPS {queue} (PDF)"),
            PrinterTarget::CupsPdf { queue: None } => "CUPS 默认打印机 default (PDF)".to_owned(),
        }
    }
}

impl TryFrom<PrinterConfig> for PrinterSettings {
    type Error = ConfigError;

    fn try_from(config: PrinterConfig) -> Result<Self, ConfigError> {
        let paper = PaperWidth::from_mm(config.paper_width_mm).ok_or_else(|| {
            invalid(
                "printer.paper_width_mm",
                format!("must be 58 or 80, found {}", config.paper_width_mm),
            )
        })?;
        check_timeout("printer.connect_timeout_secs", config.connect_timeout_secs)?;
        check_timeout("printer.io_timeout_secs", config.io_timeout_secs)?;
        if config.footer.chars().count() > MAX_FOOTER_CHARS {
            return Err(invalid(
                "printer.footer",
                format!("longer than {MAX_FOOTER_CHARS} characters"),
            ));
        }
        let target = target(&config)?;
        Ok(PrinterSettings {
            config,
            target,
            paper,
        })
    }
}

impl From<PrinterSettings> for PrinterConfig {
    fn from(settings: PrinterSettings) -> Self {
        settings.config
    }
}

/// Checks the keys that the chosen kind and connection need, and nothing else: a configured
/// but unused key (an old address, say) is kept and ignored.
fn target(config: &PrinterConfig) -> Result<PrinterTarget, ConfigError> {
    match (config.kind, config.connection) {
        (PrinterKind::None, _) => Ok(PrinterTarget::None),
        (PrinterKind::Escpos, ConnectionKind::Tcp) => Ok(PrinterTarget::Tcp {
            address: parse_address(&config.address)?,
        }),
        (PrinterKind::Escpos, ConnectionKind::Device) => {
            if config.device.as_os_str().is_empty() {
                return Err(invalid(
                    "printer.device",
                    "is empty; set the printer's device file, such as /dev/usb/lp0".to_owned(),
                ));
            }
            Ok(PrinterTarget::Device {
                path: config.device.clone(),
            })
        }
        (PrinterKind::Escpos, ConnectionKind::Cups) => {
            check_lp_command(&config.lp_command)?;
            if config.queue.trim().is_empty() {
                return Err(invalid(
                    "printer.queue",
                    "is empty; set the name of the CUPS raw queue".to_owned(),
                ));
            }
            check_queue(&config.queue)?;
            Ok(PrinterTarget::CupsRaw {
                queue: config.queue.clone(),
            })
        }
        (PrinterKind::Pdf, _) => {
            check_lp_command(&config.lp_command)?;
            if config.queue.is_empty() {
                return Ok(PrinterTarget::CupsPdf { queue: None });
            }
            check_queue(&config.queue)?;
            Ok(PrinterTarget::CupsPdf {
                queue: Some(config.queue.clone()),
            })
        }
    }
}

/// Parses `IP` or `IP:PORT`. Host names are rejected: resolving one can stall for longer
/// than the print timeouts, and shop printers have fixed addresses.
fn parse_address(text: &str) -> Result<SocketAddr, ConfigError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(
            "printer.address",
            "is empty; set the printer's IP address, such as 192.168.1.50:9100".to_owned(),
        ));
    }
    if let Ok(address) = text.parse::<SocketAddr>() {
        return Ok(address);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, DEFAULT_TCP_PORT)),
        Err(_) => Err(invalid(
            "printer.address",
            format!("{text:?} is not IP or IP:PORT, such as 192.168.1.50:9100"),
        )),
    }
}

fn check_timeout(key: &'static str, secs: u64) -> Result<(), ConfigError> {
    if secs == 0 || secs > MAX_TIMEOUT_SECS {
        return Err(invalid(
            key,
            format!("must be 1 to {MAX_TIMEOUT_SECS} seconds, found {secs}"),
        ));
    }
    Ok(())
}

/// Rejects queue names that `lp` would read as an option, and names with whitespace, control
/// characters, `/`, `\`, quotes, `?` or `#`, which a receipt printer's queue does not need.
fn check_queue(queue: &str) -> Result<(), ConfigError> {
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "/\\'\"?#".contains(c);
    if queue.starts_with('-') || queue.chars().any(forbidden) {
        return Err(invalid(
            "printer.queue",
            format!("{queue:?} is not a CUPS queue name"),
        ));
    }
    Ok(())
}

fn check_lp_command(command: &str) -> Result<(), ConfigError> {
    if command.trim().is_empty() {
        return Err(invalid(
            "printer.lp_command",
            "is empty; set it to lp or the full path of lp".to_owned(),
        ));
    }
    Ok(())
}

fn invalid(key: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { key, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PrinterSettings, String> {
        toml::from_str::<PrinterSettings>(text).map_err(|err| err.to_string())
    }

    #[test]
    fn empty_table_prints_nothing() {
        let settings = parse("").unwrap();
        assert_eq!(settings.target(), &PrinterTarget::None);
        assert!(!settings.prints_automatically());
        assert_eq!(settings.paper(), PaperWidth::Mm80);
    }

    #[test]
    fn address_without_port_gets_9100() {
        let settings = parse("kind = \"escpos\"\naddress = \"192.168.1.50\"\n").unwrap();
        let expected: SocketAddr = "192.168.1.50:9100".parse().unwrap();
        assert_eq!(settings.target(), &PrinterTarget::Tcp { address: expected });
    }

    #[test]
    fn bad_address_is_named() {
        let message = parse("kind = \"escpos\"\naddress = \"printer.local\"\n").unwrap_err();
        assert!(message.contains("printer.address"), "{message}");
    }

    #[test]
    fn config_file_error_names_printer_key() {
        let text = "[printer]\nkind = \"escpos\"\naddress = \"nowhere\"\n";
        let message = crate::config::Settings::parse(text)
            .unwrap_err()
            .to_string();
        assert!(message.contains("printer.address"), "{message}");
        assert!(message.contains("line"), "{message}");
    }

    #[test]
    fn missing_address_is_named() {
        let message = parse("kind = \"escpos\"\n").unwrap_err();
        assert!(message.contains("printer.address"), "{message}");
    }

    #[test]
    fn paper_width_must_be_58_or_80() {
        let message = parse("paper_width_mm = 76\n").unwrap_err();
        assert!(message.contains("printer.paper_width_mm"), "{message}");
        assert_eq!(
            parse("paper_width_mm = 58\n").unwrap().paper(),
            PaperWidth::Mm58
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let message = parse("adress = \"1.2.3.4\"\n").unwrap_err();
        assert!(message.contains("adress"), "{message}");
    }

    #[test]
    fn zero_timeout_is_named() {
        let message = parse("io_timeout_secs = 0\n").unwrap_err();
        assert!(message.contains("printer.io_timeout_secs"), "{message}");
    }

    #[test]
    fn queue_that_looks_like_an_option_is_rejected() {
        let message =
            parse("kind = \"escpos\"\nconnection = \"cups\"\nqueue = \"-o evil\"\n").unwrap_err();
        assert!(message.contains("printer.queue"), "{message}");
    }

    #[test]
    fn pdf_without_queue_uses_default_printer() {
        let settings = parse("kind = \"pdf\"\n").unwrap();
        assert_eq!(settings.target(), &PrinterTarget::CupsPdf { queue: None });
    }

    #[test]
    fn settings_serialize_back_to_the_table() {
        let settings = parse("kind = \"escpos\"\naddress = \"192.0.2.10:9101\"\n").unwrap();
        let text = toml::to_string(&settings).unwrap();
        assert_eq!(parse(&text).unwrap(), settings);
    }
}
