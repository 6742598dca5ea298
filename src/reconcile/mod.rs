//! Daily bill reconciliation: downloads WeChat's bill of a Beijing-time day, compares it with
//! the payments and refunds recorded here, and saves the run and its differences. The manager
//! screen and the day-end report show the latest saved run of a date.
//!
//! A payment belongs to the day of its `time_end` (or of its order's `time_start` when the
//! payment has no valid `time_end`). A refund belongs to the day it succeeded, or the day it
//! was requested while it has not succeeded. Both are Beijing-time days, as in WeChat's bills.

mod compare;
mod csv;
mod local;
mod saved;
pub mod text;

use chrono::NaiveDate;

use crate::gateway::{BillDownloadError, GatewayClient};
use crate::money::Fen;
use crate::protocol::bill::{BillFailure, BillType};
use crate::protocol::bill_parse::{Bill, BillLayout, BillParseError, parse_bill};
use crate::store::{Store, StoreError};

pub use compare::{Comparison, compare};
pub use csv::{differences_csv, write_differences_csv};
pub use local::{LocalPayment, LocalRecords, LocalRefund, load_local_records};
pub use saved::{latest_full_reconciliation, latest_reconciliation, save_reconciliation};

/// The kind of disagreement between a bill line and the local records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DifferenceKind {
    /// In the bill, but not recorded here.
    MissingLocally,
    /// Recorded here as paid or refunded, but not in WeChat's bill.
    MissingInBill,
    /// Both sides have it, with different amounts.
    AmountMismatch,
    /// Both sides have it, but in different states (for example paid there, closed here).
    StateMismatch,
}

impl DifferenceKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [DifferenceKind; 4] = [
        DifferenceKind::MissingLocally,
        DifferenceKind::MissingInBill,
        DifferenceKind::AmountMismatch,
        DifferenceKind::StateMismatch,
    ];

    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DifferenceKind::MissingLocally => "missing_locally",
            DifferenceKind::MissingInBill => "missing_in_bill",
            DifferenceKind::AmountMismatch => "amount_mismatch",
            DifferenceKind::StateMismatch => "state_mismatch",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(name: &str) -> Option<DifferenceKind> {
        DifferenceKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// Whether a difference is about a payment or a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// Keyed by `out_trade_no`, checked against `transaction_id`.
    Payment,
    /// Keyed by `out_refund_no`, checked against `refund_id`.
    Refund,
}

impl RecordKind {
    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Payment => "payment",
            RecordKind::Refund => "refund",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(name: &str) -> Option<RecordKind> {
        match name {
            "payment" => Some(RecordKind::Payment),
            "refund" => Some(RecordKind::Refund),
            _ => None,
        }
    }
}

/// One disagreement between the bill and the local records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillDifference {
    pub kind: DifferenceKind,
    pub record: RecordKind,
    pub out_trade_no: String,
    /// Empty when neither side has it.
    pub transaction_id: String,
    /// Refunds only.
    pub out_refund_no: String,
    /// Refunds only. Empty when neither side has it.
    pub refund_id: String,
    /// The bill's amount: 订单金额 for a payment, 申请退款金额 for a refund.
    pub bill_amount: Option<Fen>,
    /// The local `total_fee` or `refund_fee`.
    pub local_amount: Option<Fen>,
    /// The bill's 交易状态 (payment) or 退款状态 (refund); empty when not in the bill.
    pub bill_state: String,
    /// The local order or refund state; empty when not recorded here.
    pub local_state: String,
    /// 交易时间 from the bill, else the local time, as `yyyy-MM-dd HH:mm:ss` Beijing time.
    pub trade_time: String,
}

/// How many bill lines and local records fell in each outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DifferenceCounts {
    pub matched: u64,
    pub missing_locally: u64,
    pub missing_in_bill: u64,
    pub amount_mismatch: u64,
    pub state_mismatch: u64,
}

impl DifferenceCounts {
    /// Counts `differences` by kind; `matched` stays as it is.
    pub fn count(matched: u64, differences: &[BillDifference]) -> DifferenceCounts {
        let mut counts = DifferenceCounts {
            matched,
            ..DifferenceCounts::default()
        };
        for difference in differences {
            *counts.slot(difference.kind) += 1;
        }
        counts
    }

    /// Returns the count of one kind of difference.
    pub fn of(&self, kind: DifferenceKind) -> u64 {
        match kind {
            DifferenceKind::MissingLocally => self.missing_locally,
            DifferenceKind::MissingInBill => self.missing_in_bill,
            DifferenceKind::AmountMismatch => self.amount_mismatch,
            DifferenceKind::StateMismatch => self.state_mismatch,
        }
    }

    /// Returns the number of differences of every kind.
    pub fn differences(&self) -> u64 {
        DifferenceKind::ALL
            .into_iter()
            .map(|kind| self.of(kind))
            .sum()
    }

    fn slot(&mut self, kind: DifferenceKind) -> &mut u64 {
        match kind {
            DifferenceKind::MissingLocally => &mut self.missing_locally,
            DifferenceKind::MissingInBill => &mut self.missing_in_bill,
            DifferenceKind::AmountMismatch => &mut self.amount_mismatch,
            DifferenceKind::StateMismatch => &mut self.state_mismatch,
        }
    }
}

/// One saved reconciliation run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationSummary {
    /// Row id in `bill_reconciliations`.
    pub id: i64,
    /// The Beijing-time day reconciled.
    pub bill_date: NaiveDate,
    pub bill_type: BillType,
    /// False when WeChat replied `No Bill Exist` (no trade that day).
    pub bill_found: bool,
    pub layout: Option<BillLayout>,
    /// Trade lines in the bill.
    pub bill_rows: u64,
    /// The bill's 应结订单总金额 (legacy: 总交易额).
    pub bill_total_fee: Fen,
    /// The bill's 退款总金额 (legacy: 总退款金额).
    pub bill_refund_fee: Fen,
    /// Local payments and refunds that belong to the day.
    pub local_payments: u64,
    pub local_refunds: u64,
    pub counts: DifferenceCounts,
    pub differences: Vec<BillDifference>,
    pub created_at_ms: i64,
}

impl ReconciliationSummary {
    /// True when the bill and the local records agree completely.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }
}

/// A failed reconciliation. Nothing is saved in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error("the bill of {bill_date} could not be downloaded")]
    Download {
        bill_date: NaiveDate,
        #[source]
        source: BillDownloadError,
    },
    #[error("the bill of {bill_date} is unreadable")]
    Parse {
        bill_date: NaiveDate,
        #[source]
        source: BillParseError,
    },
    #[error("the local records could not be read or the result saved")]
    Store(#[from] StoreError),
    #[error("the reconciliation task stopped unexpectedly")]
    Task(#[source] tokio::task::JoinError),
}

impl ReconcileError {
    /// Returns the gateway's documented failure, such as `Bill Creating`.
    pub fn bill_failure(&self) -> Option<&BillFailure> {
        match self {
            ReconcileError::Download { source, .. } => source.failure(),
            _ => None,
        }
    }
}

/// Downloads the ALL bill of `bill_date`, compares it with the local records and saves the
/// result. `No Bill Exist` counts as an empty bill, so local payments of a day without trades
/// at WeChat show as missing in the bill. `Bill Creating` is an error.
pub async fn reconcile_day(
    gateway: &GatewayClient,
    store: &Store,
    bill_date: NaiveDate,
) -> Result<ReconciliationSummary, ReconcileError> {
    reconcile_bill(gateway, store, bill_date, BillType::All).await
}

/// Like [`reconcile_day`] for any bill type: a SUCCESS bill checks payments only, a REFUND
/// bill refunds only.
pub async fn reconcile_bill(
    gateway: &GatewayClient,
    store: &Store,
    bill_date: NaiveDate,
    bill_type: BillType,
) -> Result<ReconciliationSummary, ReconcileError> {
    let text = match gateway.download_bill(bill_date, bill_type, None).await {
        Ok(text) => Some(text),
        Err(err) if err.failure() == Some(&BillFailure::NoBillExist) => None,
        Err(source) => return Err(ReconcileError::Download { bill_date, source }),
    };

    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        reconcile_bill_text(&store, bill_date, bill_type, text.as_deref())
    })
    .await
    .map_err(ReconcileError::Task)?
}

/// Parses `text` (`None` for `No Bill Exist`), compares it with the local records of
/// `bill_date` and saves the run. Blocks on SQLite; async callers use [`reconcile_bill`].
pub fn reconcile_bill_text(
    store: &Store,
    bill_date: NaiveDate,
    bill_type: BillType,
    text: Option<&str>,
) -> Result<ReconciliationSummary, ReconcileError> {
    let bill = match text {
        Some(text) => {
            Some(parse_bill(text).map_err(|source| ReconcileError::Parse { bill_date, source })?)
        }
        None => None,
    };
    reconcile_parsed(store, bill_date, bill_type, bill.as_ref())
}

/// Compares a parsed bill (`None` for `No Bill Exist`) with the local records of
/// `bill_date` and saves the run.
pub fn reconcile_parsed(
    store: &Store,
    bill_date: NaiveDate,
    bill_type: BillType,
    bill: Option<&Bill>,
) -> Result<ReconciliationSummary, ReconcileError> {
    let rows = bill.map_or(&[][..], |bill| bill.rows.as_slice());
    let local = load_local_records(store, bill_date, rows)?;
    let comparison = compare(rows, bill_type, &local);

    let summary = ReconciliationSummary {
        id: 0,
        bill_date,
        bill_type,
        bill_found: bill.is_some(),
        layout: bill.map(|bill| bill.layout),
        bill_rows: rows.len() as u64,
        bill_total_fee: bill.map_or(Fen(0), |bill| bill.summary.settlement_total_fee),
        bill_refund_fee: bill.map_or(Fen(0), |bill| bill.summary.settlement_refund_fee),
        local_payments: comparison.local_payments,
        local_refunds: comparison.local_refunds,
        counts: DifferenceCounts::count(comparison.matched, &comparison.differences),
        differences: comparison.differences,
        created_at_ms: crate::store::now_ms(),
    };
    let summary = save_reconciliation(store, summary)?;
    tracing::info!(
        bill_date = %bill_date,
        bill_type = bill_type.as_str(),
        matched = summary.counts.matched,
        differences = summary.counts.differences(),
        "bill reconciled"
    );
    Ok(summary)
}
