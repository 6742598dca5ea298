//! Reads the local side of a reconciliation from SQLite: the payments and refunds that belong
//! to a Beijing-time day, and any other record a bill line names.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone as _, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::money::Fen;
use crate::protocol::bill_parse::BillRow;
use crate::protocol::messages::beijing;
use crate::store::{Store, StoreError};

/// How far before the day a refund may have been requested and still succeed on that day.
/// WeChat returns most refunds within days and bank-card refunds within about 20 working
/// days, so 60 calendar days covers both.
pub const REFUND_LOOKBACK_DAYS: i64 = 60;
/// Refund states that mean WeChat accepted the refund request, so its bill lists it.
const BILLED_REFUND_STATES: &str = "'processing', 'success', 'change', 'refundclose'";

/// A committed payment and the state of its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPayment {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub total_fee: Fen,
    /// `yyyyMMddHHmmss` Beijing time.
    pub time_end: String,
    /// The order's stored state, such as `paid` or `partly_refunded`.
    pub order_state: String,
}

/// A refund row of the `refunds` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRefund {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub refund_fee: Fen,
    /// requested, processing, success, change, refundclose or failed.
    pub state: String,
    /// `yyyyMMddHHmmss` or `yyyy-MM-dd HH:mm:ss` Beijing time; empty until it succeeded.
    pub success_time: String,
    pub created_at_ms: i64,
}

/// The local records a comparison needs.
#[derive(Debug, Clone, Default)]
pub struct LocalRecords {
    /// Payments by `out_trade_no`: the day's and any other that a bill line names.
    pub payments: HashMap<String, LocalPayment>,
    /// States of orders that a bill line names but that have no payment here.
    pub unpaid_orders: HashMap<String, String>,
    /// Refunds by `out_refund_no`: the day's and any other that a bill line names.
    pub refunds: HashMap<String, LocalRefund>,
    /// The `out_trade_no` of the day's payments, which the bill must list.
    pub day_payments: HashSet<String>,
    /// The `out_refund_no` of the day's accepted refunds, which the bill must list.
    pub day_refunds: HashSet<String>,
}

/// Loads the payments and accepted refunds of `bill_date`, then every record named by a
/// line of `rows` that is not among them.
pub fn load_local_records(
    store: &Store,
    bill_date: NaiveDate,
    rows: &[BillRow],
) -> Result<LocalRecords, StoreError> {
    let connection = store.connection();
    let mut records = LocalRecords::default();

    for payment in day_payments(&connection, bill_date)? {
        records.day_payments.insert(payment.out_trade_no.clone());
        records
            .payments
            .insert(payment.out_trade_no.clone(), payment);
    }
    for refund in day_refunds(&connection, bill_date)? {
        records.day_refunds.insert(refund.out_refund_no.clone());
        records.refunds.insert(refund.out_refund_no.clone(), refund);
    }

    for row in rows {
        if row.is_refund() {
            if !row.out_refund_no.is_empty()
                && !records.refunds.contains_key(&row.out_refund_no)
                && let Some(refund) = refund_by_number(&connection, &row.out_refund_no)?
            {
                records.refunds.insert(refund.out_refund_no.clone(), refund);
            }
        } else if !records.payments.contains_key(&row.out_trade_no)
            && !records.unpaid_orders.contains_key(&row.out_trade_no)
        {
            match payment_by_order(&connection, &row.out_trade_no)? {
                Some(payment) => {
                    records
                        .payments
                        .insert(payment.out_trade_no.clone(), payment);
                }
                None => {
                    if let Some(state) = order_state(&connection, &row.out_trade_no)? {
                        records
                            .unpaid_orders
                            .insert(row.out_trade_no.clone(), state);
                    }
                }
            }
        }
    }
    Ok(records)
}

const PAYMENT_COLUMNS: &str =
    "p.out_trade_no, p.transaction_id, p.total_fee, p.time_end, o.state, o.time_start";

fn payment_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(LocalPayment, String)> {
    Ok((
        LocalPayment {
            out_trade_no: row.get(0)?,
            transaction_id: row.get(1)?,
            total_fee: Fen(row.get(2)?),
            time_end: row.get(3)?,
            order_state: row.get(4)?,
        },
        row.get(5)?,
    ))
}

/// Payments whose `time_end` is on `bill_date`, and payments without a 14-character
/// `time_end` whose order's `time_start` is.
fn day_payments(
    connection: &Connection,
    bill_date: NaiveDate,
) -> Result<Vec<LocalPayment>, StoreError> {
    let start = format!("{}000000", bill_date.format("%Y%m%d"));
    let end = match bill_date.succ_opt() {
        Some(next) => format!("{}000000", next.format("%Y%m%d")),
        None => "99999999999999".to_owned(),
    };

    let mut payments = Vec::new();
    let mut by_time_end = connection.prepare(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN orders o ON o.out_trade_no = p.out_trade_no
         WHERE p.time_end >= ?1 AND p.time_end < ?2 AND length(p.time_end) = 14"
    ))?;
    for row in by_time_end.query_map(params![start, end], payment_from_row)? {
        payments.push(row?.0);
    }

    // A payment confirmed without a usable time_end falls back to its order's time_start.
    let mut by_time_start = connection.prepare(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN orders o ON o.out_trade_no = p.out_trade_no
         WHERE length(p.time_end) != 14 AND o.time_start >= ?1 AND o.time_start < ?2"
    ))?;
    for row in by_time_start.query_map(params![start, end], payment_from_row)? {
        payments.push(row?.0);
    }
    Ok(payments)
}

fn payment_by_order(
    connection: &Connection,
    out_trade_no: &str,
) -> Result<Option<LocalPayment>, StoreError> {
    let payment = connection
        .query_row(
            &format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments p
                 JOIN orders o ON o.out_trade_no = p.out_trade_no WHERE p.out_trade_no = ?1"
            ),
            params![out_trade_no],
            payment_from_row,
        )
        .optional()?;
    Ok(payment.map(|(payment, _)| payment))
}

fn order_state(connection: &Connection, out_trade_no: &str) -> Result<Option<String>, StoreError> {
    Ok(connection
        .query_row(
            "SELECT state FROM orders WHERE out_trade_no = ?1",
            params![out_trade_no],
            |row| row.get(0),
        )
        .optional()?)
}

const REFUND_COLUMNS: &str = "out_refund_no, out_trade_no, COALESCE(refund_id, ''), refund_fee, \
     state, COALESCE(success_time, ''), created_at_ms";

fn refund_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LocalRefund> {
    Ok(LocalRefund {
        out_refund_no: row.get(0)?,
        out_trade_no: row.get(1)?,
        refund_id: row.get(2)?,
        refund_fee: Fen(row.get(3)?),
        state: row.get(4)?,
        success_time: row.get(5)?,
        created_at_ms: row.get(6)?,
    })
}

/// Accepted refunds that belong to `bill_date`: successful ones by their success time, the
/// others by the time they were requested.
fn day_refunds(
    connection: &Connection,
    bill_date: NaiveDate,
) -> Result<Vec<LocalRefund>, StoreError> {
    let (day_start_ms, day_end_ms) = day_bounds_ms(bill_date);
    let earliest_ms = day_start_ms - TimeDelta::days(REFUND_LOOKBACK_DAYS).num_milliseconds();
    let mut statement = connection.prepare(&format!(
        "SELECT {REFUND_COLUMNS} FROM refunds
         WHERE state IN ({BILLED_REFUND_STATES}) AND created_at_ms >= ?1 AND created_at_ms < ?2"
    ))?;
    let mut refunds = Vec::new();
    for refund in statement.query_map(params![earliest_ms, day_end_ms], refund_from_row)? {
        let refund = refund?;
        if refund_day(&refund) == Some(bill_date) {
            refunds.push(refund);
        }
    }
    Ok(refunds)
}

fn refund_by_number(
    connection: &Connection,
    out_refund_no: &str,
) -> Result<Option<LocalRefund>, StoreError> {
    Ok(connection
        .query_row(
            &format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE out_refund_no = ?1"),
            params![out_refund_no],
            refund_from_row,
        )
        .optional()?)
}

/// Returns the Beijing day a refund belongs to: its success time's day when it succeeded and
/// the time parses, else the day it was requested.
pub fn refund_day(refund: &LocalRefund) -> Option<NaiveDate> {
    if refund.state == "success"
        && let Some(time) = parse_beijing_time(&refund.success_time)
    {
        return Some(time.date());
    }
    DateTime::<Utc>::from_timestamp_millis(refund.created_at_ms)
        .map(|time| time.with_timezone(&beijing()).date_naive())
}

/// Parses a Beijing time written as `yyyyMMddHHmmss` (request and payment fields) or
/// `yyyy-MM-dd HH:mm:ss` (refund notifications and queries).
pub fn parse_beijing_time(text: &str) -> Option<NaiveDateTime> {
    let format = if text.len() == 14 {
        "%Y%m%d%H%M%S"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    NaiveDateTime::parse_from_str(text, format).ok()
}

/// Returns the first millisecond of `bill_date` in Beijing time and of the day after.
fn day_bounds_ms(bill_date: NaiveDate) -> (i64, i64) {
    let start = beijing()
        .from_local_datetime(&bill_date.and_time(chrono::NaiveTime::MIN))
        .single()
        .map_or(0, |time| time.timestamp_millis());
    (start, start + TimeDelta::days(1).num_milliseconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refund(state: &str, success_time: &str, created_at_ms: i64) -> LocalRefund {
        LocalRefund {
            out_refund_no: "R1".into(),
            out_trade_no: "T1".into(),
            refund_id: String::new(),
            refund_fee: Fen(100),
            state: state.into(),
            success_time: success_time.into(),
            created_at_ms,
        }
    }

    #[test]
    fn refund_day_uses_success_time_in_either_format() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(
            refund_day(&refund("success", "20261204235959", 0)),
            Some(day)
        );
        assert_eq!(
            refund_day(&refund("success", "2026-12-04 00:00:01", 0)),
            Some(day)
        );
    }

    #[test]
    fn unfinished_refund_day_is_beijing_request_day() {
        // 2026-12-03 16:30 UTC is 2026-12-04 00:30 in Beijing.
        let created = chrono::DateTime::parse_from_rfc3339("2026-12-03T16:30:00Z")
            .unwrap()
            .timestamp_millis();
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(refund_day(&refund("processing", "", created)), Some(day));
        let (start, end) = day_bounds_ms(day);
        assert!(start <= created);
        assert!(created < end);
    }
}
