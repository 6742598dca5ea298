//! Commands the manager screen sends and the updates sent in reply. They travel inside
//! [`Command::Manager`](crate::ui::bridge::Command::Manager) and
//! [`Update::Manager`](crate::ui::bridge::Update::Manager) on the cashier bridge.

use chrono::NaiveDate;

use crate::money::Fen;
use crate::reconcile::ReconciliationSummary;
use crate::store::{HourTakings, ListQuery, Listing, OrderDetail, RangeTotals, RefundState};

/// A request from the manager screen.
#[derive(Clone, PartialEq, Eq)]
pub enum ManagerCommand {
    /// Check the manager PIN; the reply is [`ManagerUpdate::Unlocked`] or a PIN refusal.
    Unlock { pin: String },
    /// End the manager session; later data commands are refused until the next unlock.
    Lock,
    /// List the orders and refunds of the local dates `from` to `to` (inclusive) and their
    /// totals; the reply is [`ManagerUpdate::Loaded`] carrying the same `request`.
    Load {
        request: u64,
        from: NaiveDate,
        to: NaiveDate,
        query: ListQuery,
    },
    /// Load one order's history, notifications and refunds; the reply is
    /// [`ManagerUpdate::Detail`].
    LoadDetail { out_trade_no: String },
    /// Write the range as a file in the receipt folder; the reply is
    /// [`ManagerUpdate::Exported`].
    Export {
        from: NaiveDate,
        to: NaiveDate,
        query: ListQuery,
        kind: ExportKind,
    },
    /// Print the day-end report on the receipt printer; the reply is
    /// [`ManagerUpdate::DayEndPrinted`].
    PrintDayEnd { from: NaiveDate, to: NaiveDate },
    /// Refund `amount` of a paid order through WeChat Pay; the reply is
    /// [`ManagerUpdate::Refunded`] or [`ManagerUpdate::Failed`].
    Refund {
        out_trade_no: String,
        amount: Fen,
        reason: String,
    },
    /// Download WeChat's bill of the Beijing day `date`, compare it with the local records and
    /// save the result; the reply is [`ManagerUpdate::Reconciled`] or [`ManagerUpdate::Failed`].
    Reconcile { date: NaiveDate },
    /// Write the differences of `date`'s latest reconciliation as CSV; the reply is
    /// [`ManagerUpdate::Exported`].
    ExportDifferences { date: NaiveDate },
}

/// Keeps the PIN out of logs: the runner logs every command at debug level.
impl std::fmt::Debug for ManagerCommand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManagerCommand::Unlock { .. } => f.write_str("Unlock { pin: <redacted> }"),
            ManagerCommand::Lock => f.write_str("Lock"),
            ManagerCommand::Load {
                request, from, to, ..
            } => write!(f, "Load {{ request: {request}, from: {from}, to: {to} }}"),
            ManagerCommand::LoadDetail { out_trade_no } => {
                write!(f, "LoadDetail {{ out_trade_no: {out_trade_no} }}")
            }
            ManagerCommand::Export { from, to, kind, .. } => {
                write!(f, "Export {{ {kind:?}, from: {from}, to: {to} }}")
            }
            ManagerCommand::PrintDayEnd { from, to } => {
                write!(f, "PrintDayEnd {{ from: {from}, to: {to} }}")
            }
            ManagerCommand::Refund {
                out_trade_no,
                amount,
                ..
            } => write!(
                f,
                "Refund {{ out_trade_no: {out_trade_no}, amount_fen: {} }}",
                amount.fen()
            ),
            ManagerCommand::Reconcile { date } => write!(f, "Reconcile {{ date: {date} }}"),
            ManagerCommand::ExportDifferences { date } => {
                write!(f, "ExportDifferences {{ date: {date} }}")
            }
        }
    }
}

/// The file an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The listed rows as UTF-8 CSV with a byte order mark.
    Csv,
    /// The listed rows and the totals as an Excel workbook.
    Xlsx,
    /// The day-end report (日结报表) as a PDF.
    DayEndPdf,
}

/// A reply to a [`ManagerCommand`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerUpdate {
    /// The PIN was right; the manager view opens.
    Unlocked,
    /// The PIN was wrong; this many tries remain before the lock.
    PinRejected { attempts_left: u32 },
    /// Too many wrong PINs; entry is locked for this many seconds more.
    PinLocked { retry_after_secs: u64 },
    /// The configuration has no manager PIN, so the view stays closed.
    PinNotSet,
    /// The configuration's PIN hash cannot be read.
    PinHashInvalid,
    /// A [`ManagerCommand::Load`] result.
    Loaded {
        request: u64,
        listing: Listing,
        totals: RangeTotals,
        hours: Box<[HourTakings; 24]>,
    },
    /// A [`ManagerCommand::LoadDetail`] result.
    Detail(Box<OrderDetail>),
    /// An export was written to this path.
    Exported { path: String },
    /// The day-end report went to the printer.
    DayEndPrinted,
    /// A [`ManagerCommand::Refund`] was accepted; `state` is the refund's current state.
    Refunded {
        out_trade_no: String,
        amount: Fen,
        state: RefundState,
    },
    /// A [`ManagerCommand::Reconcile`] result, saved.
    Reconciled(Box<ReconciliationSummary>),
    /// A command failed; `detail` describes what failed and why, Chinese then English.
    Failed { detail: String },
    /// A command failed for a reason written in each language; the screen shows the one
    /// in use.
    FailedIn { zh: String, en: String },
}
