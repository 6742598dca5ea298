//! The receipt model that every back end prints: a checkout slip for an order that awaits
//! payment, or a receipt for a paid one.

use chrono::{DateTime, FixedOffset};

use super::ReceiptData;
use crate::money::Fen;

/// Everything printed on a checkout slip (结账小票) or a paid receipt (收款凭证).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptModel {
    /// Shop name printed at the top.
    pub merchant_name: String,
    /// The counter's terminal id; an empty id is left off the page.
    pub terminal_id: String,
    /// Payment time on a receipt, order time on a checkout slip. It is printed in Beijing time
    /// (UTC+8) whatever its offset.
    pub time: DateTime<FixedOffset>,
    /// Items sold, in the order they are printed.
    pub lines: Vec<ReceiptLine>,
    /// Amount taken off the sum of the lines; zero prints no discount line.
    pub discount: Fen,
    /// Amount the customer pays, the order's `total_fee`.
    pub total: Fen,
    /// Whether this is a checkout slip or a receipt, with the details of that state.
    pub payment: PaymentState,
    /// The merchant's order number, as sent to WeChat Pay. Also names the PDF file.
    pub out_trade_no: String,
    /// Text encoded in the QR code: the payment link on a checkout slip, the order's link on
    /// a receipt. A short link from the shorturl API prints as a coarser, easier code.
    pub qr_payload: String,
    /// Shop's closing line, such as opening hours or a thank-you; empty prints nothing.
    pub footer: String,
    /// Whether the order is on the built-in simulator. Prints a "not a real transaction" line.
    pub demo_mode: bool,
}

/// One item line: a name, a quantity and the amount for the whole line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub name: String,
    pub quantity: u32,
    /// Amount for `quantity` items together.
    pub amount: Fen,
}

/// The payment state the document is printed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentState {
    /// The order awaits payment: a checkout slip whose QR code pays it until `expires_at`.
    AwaitingPayment { expires_at: DateTime<FixedOffset> },
    /// The order is paid: a receipt with WeChat Pay's transaction number.
    Paid { transaction_id: String },
}

impl ReceiptModel {
    /// True for a paid receipt, false for a checkout slip.
    pub fn is_paid(&self) -> bool {
        matches!(self.payment, PaymentState::Paid { .. })
    }

    /// Returns the sum of the line amounts, before the discount.
    pub fn lines_sum(&self) -> Fen {
        Fen(self.lines.iter().map(|line| line.amount.fen()).sum())
    }

    /// True when the lines need their own amounts: several items, a quantity other than one,
    /// or a discount. A single item bought once is shown by name only, because the amount
    /// block already shows its price.
    pub(crate) fn itemised(&self) -> bool {
        self.lines.len() > 1
            || self.lines.iter().any(|line| line.quantity != 1)
            || self.discount != Fen(0)
    }
}

impl From<&ReceiptData> for ReceiptModel {
    /// Builds the paid receipt of `data`: one line with the order's `body` and amount, no
    /// discount, no terminal id and no footer.
    fn from(data: &ReceiptData) -> Self {
        ReceiptModel {
            merchant_name: data.merchant_name.clone(),
            terminal_id: String::new(),
            time: data.paid_at,
            lines: vec![ReceiptLine {
                name: data.body.clone(),
                quantity: 1,
                amount: data.amount,
            }],
            discount: Fen(0),
            total: data.amount,
            payment: PaymentState::Paid {
                transaction_id: data.transaction_id.clone(),
            },
            out_trade_no: data.out_trade_no.clone(),
            qr_payload: data.qr_link.clone(),
            footer: String::new(),
            demo_mode: data.demo_mode,
        }
    }
}

/// Width of a receipt roll. Thermal printers print a band narrower than the paper: 384 dots
/// on 58 mm paper and 576 dots on 80 mm paper, both at 203 dpi (8 dots per mm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperWidth {
    Mm58,
    #[default]
    Mm80,
}

impl PaperWidth {
    /// Returns the paper width for a width in millimetres, if it is 58 or 80.
    pub fn from_mm(width_mm: u32) -> Option<PaperWidth> {
        match width_mm {
            58 => Some(PaperWidth::Mm58),
            80 => Some(PaperWidth::Mm80),
            _ => None,
        }
    }

    /// Width of the paper in millimetres.
    pub fn mm(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 58,
            PaperWidth::Mm80 => 80,
        }
    }

    /// Width of the printed band in dots at 203 dpi.
    pub fn printable_dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }
}
