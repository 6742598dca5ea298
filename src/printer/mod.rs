//! Printing checkout slips and receipts on a thermal ESC/POS printer (over TCP, a device file
//! or a CUPS raw queue) or as a PDF on a CUPS printer.
//!
//! [`print_receipt`] and [`print_test_page`] run the job on a blocking thread with a timeout
//! on every step, so the cashier screen never waits on a printer. A failed job returns a
//! [`PrintError`] and leaves nothing half done on this side: printing the same model again
//! sends the same bytes.

mod error;
pub mod escpos;
mod jobs;
mod settings;
pub mod status;
mod test_page;
mod transport;

use crate::receipt::{self, ReceiptModel};

pub use error::PrintError;
pub use escpos::{EscPosOptions, encode_receipt};
pub use jobs::{
    JobError, ShopDetails, checkout_slip_model, paid_receipt_from_store, paid_receipt_model,
    short_link,
};
pub use settings::{
    ConnectionKind, DEFAULT_TCP_PORT, PrinterConfig, PrinterKind, PrinterSettings, PrinterTarget,
    QrMode,
};
pub use test_page::TEST_PAGE_QR_PAYLOAD;

/// The bytes of one job, in the format the configured printer takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintJob {
    EscPos(Vec<u8>),
    Pdf(Vec<u8>),
}

/// Returns the ESC/POS options that `settings` describe.
pub fn escpos_options(settings: &PrinterSettings) -> EscPosOptions {
    let config = settings.config();
    EscPosOptions {
        paper: settings.paper(),
        qr_mode: config.qr_mode,
        cut: config.cut,
        open_cash_drawer: config.open_cash_drawer,
    }
}

/// Renders `model` for the configured printer without sending it.
pub fn render_job(
    settings: &PrinterSettings,
    model: &ReceiptModel,
) -> Result<PrintJob, PrintError> {
    match settings.target() {
        PrinterTarget::None => Err(PrintError::NotConfigured),
        PrinterTarget::CupsPdf { .. } => Ok(PrintJob::Pdf(receipt::render_model_pdf(
            model,
            settings.paper(),
        )?)),
        _ => Ok(PrintJob::EscPos(encode_receipt(
            model,
            &escpos_options(settings),
        )?)),
    }
}

/// Renders the test page for the configured printer without sending it.
pub fn render_test_page(settings: &PrinterSettings) -> Result<PrintJob, PrintError> {
    let blocks = test_page::test_page_blocks(settings);
    match settings.target() {
        PrinterTarget::None => Err(PrintError::NotConfigured),
        PrinterTarget::CupsPdf { .. } => Ok(PrintJob::Pdf(receipt::render_blocks_pdf(
            &blocks,
            settings.paper(),
            "打印测试页 Printer test page",
            receipt::Pagination::OnePage,
        )?)),
        _ => {
            let options = escpos_options(settings);
            Ok(PrintJob::EscPos(escpos::encode_blocks(
                &blocks, &options, false,
            )?))
        }
    }
}

/// Sends a rendered job to the configured printer, on the calling thread. Every step has a
/// timeout from `settings`, so this returns within seconds even when the printer is off.
pub fn send_job_blocking(settings: &PrinterSettings, job: &PrintJob) -> Result<(), PrintError> {
    match job {
        PrintJob::EscPos(bytes) => transport::send_escpos(settings, bytes),
        PrintJob::Pdf(bytes) => transport::send_pdf(settings, bytes),
    }
}

/// Prints `model` on the configured printer, on the calling thread.
pub fn print_receipt_blocking(
    settings: &PrinterSettings,
    model: &ReceiptModel,
) -> Result<(), PrintError> {
    let job = render_job(settings, model)?;
    send_job_blocking(settings, &job)
}

/// Prints the test page (打印测试页) on the configured printer, on the calling thread.
pub fn print_test_page_blocking(settings: &PrinterSettings) -> Result<(), PrintError> {
    let job = render_test_page(settings)?;
    send_job_blocking(settings, &job)
}

/// Prints `model` on the configured printer from a blocking thread of the tokio runtime.
/// Call it again with the same model to reprint after a failure.
pub async fn print_receipt(
    settings: &PrinterSettings,
    model: &ReceiptModel,
) -> Result<(), PrintError> {
    let settings = settings.clone();
    let model = model.clone();
    tokio::task::spawn_blocking(move || print_receipt_blocking(&settings, &model))
        .await
        .map_err(|source| PrintError::TaskFailed { source })?
}

/// Prints the test page (打印测试页) from a blocking thread of the tokio runtime.
pub async fn print_test_page(settings: &PrinterSettings) -> Result<(), PrintError> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || print_test_page_blocking(&settings))
        .await
        .map_err(|source| PrintError::TaskFailed { source })?
}

/// Renders `blocks` for the configured printer (ESC/POS, or a PDF split into pages as
/// `pagination` sets for a CUPS PDF queue) and sends them, on the calling thread, without the
/// cash drawer pulse. Reports such as the day-end report print through it.
pub(crate) fn print_blocks_blocking(
    settings: &PrinterSettings,
    blocks: &[receipt::content::Block],
    title: &str,
    pagination: receipt::Pagination,
) -> Result<(), PrintError> {
    let job = match settings.target() {
        PrinterTarget::None => return Err(PrintError::NotConfigured),
        PrinterTarget::CupsPdf { .. } => PrintJob::Pdf(receipt::render_blocks_pdf(
            blocks,
            settings.paper(),
            title,
            pagination,
        )?),
        _ => PrintJob::EscPos(escpos::encode_blocks(
            blocks,
            &escpos_options(settings),
            false,
        )?),
    };
    send_job_blocking(settings, &job)
}
