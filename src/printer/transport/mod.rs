//! Getting a job to the printer: a network printer's TCP port, a device file, or CUPS.

mod cups;
mod device;
mod tcp;

use super::PrintError;
use super::settings::{PrinterSettings, PrinterTarget};

/// Sends ESC/POS bytes to the configured ESC/POS printer.
pub(crate) fn send_escpos(settings: &PrinterSettings, job: &[u8]) -> Result<(), PrintError> {
    let config = settings.config();
    match settings.target() {
        PrinterTarget::Tcp { address } => tcp::send(
            *address,
            job,
            tcp::TcpJobOptions {
                connect_timeout: settings.connect_timeout(),
                io_timeout: settings.io_timeout(),
                status_check: config.status_check,
            },
        ),
        PrinterTarget::Device { path } => device::send(path, job, settings.io_timeout()),
        PrinterTarget::CupsRaw { queue } => cups::send(
            &config.lp_command,
            &["-d", queue, "-o", "raw"],
            job,
            settings.io_timeout(),
        ),
        PrinterTarget::CupsPdf { .. } | PrinterTarget::None => Err(PrintError::NotConfigured),
    }
}

/// Sends a PDF to the configured CUPS queue, or to the default printer.
pub(crate) fn send_pdf(settings: &PrinterSettings, pdf: &[u8]) -> Result<(), PrintError> {
    let config = settings.config();
    match settings.target() {
        PrinterTarget::CupsPdf { queue: Some(queue) } => cups::send(
            &config.lp_command,
            &["-d", queue],
            pdf,
            settings.io_timeout(),
        ),
        PrinterTarget::CupsPdf { queue: None } => {
            cups::send(&config.lp_command, &[], pdf, settings.io_timeout())
        }
        _ => Err(PrintError::NotConfigured),
    }
}
