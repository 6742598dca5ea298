//! Checkout slips and receipts. [`ReceiptModel`] holds what one prints; [`content`] turns it
//! into the list of blocks that both back ends print, the PDF here and ESC/POS in
//! `crate::printer`. [`render_model_pdf`] draws a one-page PDF the width of a receipt roll,
//! with the order details in Chinese and English and a QR code; [`write_model_pdf`] saves it
//! to a folder atomically. [`ReceiptData`] is the paid-order input of the payment lifecycle.
//! [`render_product_sheet_pdf`] draws sheets of Native mode-1 product QR codes with the same
//! font and QR drawing.

pub(crate) mod content;
mod file;
mod font;
mod layout;
mod model;
mod pdf;
mod product_sheet;
pub(crate) mod qr;
mod subset;
pub(crate) mod wrap;

use std::io;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use crate::money::Fen;

pub use file::{pdf_file_name, write_model_pdf, write_receipt_pdf};
pub use model::{PaperWidth, PaymentState, ReceiptLine, ReceiptModel};
pub(crate) use pdf::{Pagination, render_blocks_pdf};
pub use pdf::{render_model_pdf, render_receipt_pdf};
pub use product_sheet::{
    LabelSize, MAX_SHEET_QR_WIDTH_MODULES, SheetLayout, SheetProduct, render_product_sheet_pdf,
};

/// Order details printed on a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptData {
    /// Shop name printed at the top.
    pub merchant_name: String,
    /// The merchant's order number, as sent to WeChat Pay. Also names the PDF file.
    pub out_trade_no: String,
    /// WeChat Pay's transaction number for the payment.
    pub transaction_id: String,
    /// Item description, the protocol's `body` field.
    pub body: String,
    /// Amount paid.
    pub amount: Fen,
    /// Time of payment. It is printed in Beijing time (UTC+8) whatever its offset.
    pub paid_at: DateTime<FixedOffset>,
    /// Link encoded in the QR code so a customer can look the order up.
    pub qr_link: String,
    /// Whether the payment came from the built-in simulator. Prints a "not a real transaction"
    /// line.
    pub demo_mode: bool,
}

/// Error from rendering or writing a receipt.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("the embedded font {font_name} could not be parsed: {details}")]
    FontParse {
        font_name: &'static str,
        details: String,
    },

    #[error(
        "the embedded font {font_name} could not be cut down to the {glyph_count} glyphs of this receipt"
    )]
    FontSubset {
        font_name: &'static str,
        glyph_count: usize,
        #[source]
        source: allsorts::subset::SubsetError,
    },

    #[error(
        "the subset of the embedded font {font_name} with the {glyph_count} glyphs of this \
         receipt could not be parsed: {details}"
    )]
    SubsetFontParse {
        font_name: &'static str,
        glyph_count: usize,
        details: String,
    },

    #[error("the QR code link ({link_len} bytes) could not be encoded; use a shorter link")]
    QrEncode {
        link_len: usize,
        #[source]
        source: qrcode::types::QrError,
    },

    #[error(
        "the QR code link ({link_len} bytes) needs a {width_modules}-module code, above the \
         limit of {max_width_modules} that prints legibly; use a shorter link"
    )]
    QrTooDense {
        link_len: usize,
        width_modules: usize,
        max_width_modules: usize,
    },

    #[error("the PDF could not be generated: {details}")]
    PdfSave { details: String },

    #[error(
        "out_trade_no {out_trade_no:?} is not 1 to 32 ASCII letters, digits, '-' or '_', so it \
         cannot name a receipt file"
    )]
    InvalidOutTradeNo { out_trade_no: String },

    #[error("failed to create the receipt folder {}; check the path and its permissions", path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "failed to write the receipt {}; check that the folder is writable and the disk has free space",
        path.display()
    )]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}
