//! Saved reconciliation runs: one `bill_reconciliations` row per run and one
//! `bill_differences` row per difference, written in one transaction.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{BillDifference, DifferenceCounts, DifferenceKind, ReconciliationSummary, RecordKind};
use crate::money::Fen;
use crate::protocol::bill::BillType;
use crate::protocol::bill_parse::BillLayout;
use crate::store::{Store, StoreError};

/// Format of `bill_reconciliations.bill_date`.
const STORED_DATE_FORMAT: &str = "%Y-%m-%d";

/// Saves a run and its differences, and returns it with its row id.
pub fn save_reconciliation(
    store: &Store,
    mut summary: ReconciliationSummary,
) -> Result<ReconciliationSummary, StoreError> {
    let mut connection = store.connection();
    let transaction = connection.transaction()?;
    let counts = summary.counts;
    transaction.execute(
        "INSERT INTO bill_reconciliations (bill_date, bill_type, bill_found, bill_layout,
             bill_rows, bill_total_fee, bill_refund_fee, local_payments, local_refunds,
             matched, missing_locally, missing_in_bill, amount_mismatch, state_mismatch,
             created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            summary.bill_date.format(STORED_DATE_FORMAT).to_string(),
            summary.bill_type.as_str(),
            summary.bill_found,
            summary.layout.map(BillLayout::as_str),
            to_i64(summary.bill_rows),
            summary.bill_total_fee.fen(),
            summary.bill_refund_fee.fen(),
            to_i64(summary.local_payments),
            to_i64(summary.local_refunds),
            to_i64(counts.matched),
            to_i64(counts.missing_locally),
            to_i64(counts.missing_in_bill),
            to_i64(counts.amount_mismatch),
            to_i64(counts.state_mismatch),
            summary.created_at_ms,
        ],
    )?;
    let id = transaction.last_insert_rowid();

    {
        let mut insert = transaction.prepare(
            "INSERT INTO bill_differences (reconciliation_id, kind, record, out_trade_no,
                 transaction_id, out_refund_no, refund_id, bill_amount_fen, local_amount_fen,
                 bill_state, local_state, trade_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for difference in &summary.differences {
            insert.execute(params![
                id,
                difference.kind.as_str(),
                difference.record.as_str(),
                difference.out_trade_no,
                difference.transaction_id,
                difference.out_refund_no,
                difference.refund_id,
                difference.bill_amount.map(Fen::fen),
                difference.local_amount.map(Fen::fen),
                difference.bill_state,
                difference.local_state,
                difference.trade_time,
            ])?;
        }
    }
    transaction.commit()?;
    summary.id = id;
    Ok(summary)
}

/// Returns the latest saved run for `bill_date` (of any bill type), with its differences, or
/// `None` when that day was never reconciled.
pub fn latest_reconciliation(
    store: &Store,
    bill_date: NaiveDate,
) -> Result<Option<ReconciliationSummary>, StoreError> {
    latest_run(store, bill_date, None)
}

/// Returns the latest saved run of the ALL bill for `bill_date`, the one that covers both
/// payments and refunds, as the day-end report needs.
pub fn latest_full_reconciliation(
    store: &Store,
    bill_date: NaiveDate,
) -> Result<Option<ReconciliationSummary>, StoreError> {
    latest_run(store, bill_date, Some(BillType::All))
}

fn latest_run(
    store: &Store,
    bill_date: NaiveDate,
    bill_type: Option<BillType>,
) -> Result<Option<ReconciliationSummary>, StoreError> {
    let only_type = bill_type.map(BillType::as_str);
    let connection = store.connection();
    let stored_date = bill_date.format(STORED_DATE_FORMAT).to_string();
    let found = connection
        .query_row(
            "SELECT id, bill_type, bill_found, bill_layout, bill_rows, bill_total_fee,
                 bill_refund_fee, local_payments, local_refunds, matched, missing_locally,
                 missing_in_bill, amount_mismatch, state_mismatch, created_at_ms
             FROM bill_reconciliations
             WHERE bill_date = ?1 AND (?2 IS NULL OR bill_type = ?2)
             ORDER BY id DESC LIMIT 1",
            params![stored_date, only_type],
            |row| {
                let bill_type: String = row.get(1)?;
                let layout: Option<String> = row.get(3)?;
                Ok(ReconciliationSummary {
                    id: row.get(0)?,
                    bill_date,
                    bill_type: BillType::from_field(&bill_type).unwrap_or_default(),
                    bill_found: row.get(2)?,
                    layout: layout.as_deref().and_then(BillLayout::from_stored),
                    bill_rows: to_u64(row.get(4)?),
                    bill_total_fee: Fen(row.get(5)?),
                    bill_refund_fee: Fen(row.get(6)?),
                    local_payments: to_u64(row.get(7)?),
                    local_refunds: to_u64(row.get(8)?),
                    counts: DifferenceCounts {
                        matched: to_u64(row.get(9)?),
                        missing_locally: to_u64(row.get(10)?),
                        missing_in_bill: to_u64(row.get(11)?),
                        amount_mismatch: to_u64(row.get(12)?),
                        state_mismatch: to_u64(row.get(13)?),
                    },
                    differences: Vec::new(),
                    created_at_ms: row.get(14)?,
                })
            },
        )
        .optional()?;
    let Some(mut summary) = found else {
        return Ok(None);
    };

    let mut statement = connection.prepare(
        "SELECT kind, record, out_trade_no, transaction_id, out_refund_no, refund_id,
             bill_amount_fen, local_amount_fen, bill_state, local_state, trade_time
         FROM bill_differences WHERE reconciliation_id = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map(params![summary.id], |row| {
        let kind: String = row.get(0)?;
        let record: String = row.get(1)?;
        Ok(BillDifference {
            kind: DifferenceKind::from_stored(&kind)
                .ok_or_else(|| crate::store::unknown_stored_name(0, "difference kind", &kind))?,
            record: RecordKind::from_stored(&record)
                .ok_or_else(|| crate::store::unknown_stored_name(1, "record kind", &record))?,
            out_trade_no: row.get(2)?,
            transaction_id: row.get(3)?,
            out_refund_no: row.get(4)?,
            refund_id: row.get(5)?,
            bill_amount: row.get::<_, Option<i64>>(6)?.map(Fen),
            local_amount: row.get::<_, Option<i64>>(7)?.map(Fen),
            bill_state: row.get(8)?,
            local_state: row.get(9)?,
            trade_time: row.get(10)?,
        })
    })?;
    for difference in rows {
        summary.differences.push(difference?);
    }
    Ok(Some(summary))
}

/// Counts are far below `i64::MAX`; saturate rather than wrap if one ever is not.
fn to_i64(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// Stored counts are never negative; a negative one reads as zero.
fn to_u64(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}
