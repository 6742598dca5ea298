//! The comparison itself: every bill line against the local records, then every local record
//! of the day that no bill line named.

use std::collections::HashSet;

use super::local::{LocalPayment, LocalRecords, LocalRefund, parse_beijing_time};
use super::{BillDifference, DifferenceKind, RecordKind};
use crate::protocol::bill::{BillType, SUCCESS_TRADE_STATE};
use crate::protocol::bill_parse::BillRow;

/// The outcome of comparing one bill with the local records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Bill lines that agree with a local record.
    pub matched: u64,
    pub differences: Vec<BillDifference>,
    /// Local payments and refunds of the day that the bill type covers.
    pub local_payments: u64,
    pub local_refunds: u64,
}

/// Compares `rows` with `local`. A SUCCESS bill leaves refunds out of the comparison and a
/// REFUND bill leaves payments out.
pub fn compare(rows: &[BillRow], bill_type: BillType, local: &LocalRecords) -> Comparison {
    let mut comparison = Comparison::default();
    let mut seen_payments: HashSet<&str> = HashSet::with_capacity(local.day_payments.len());
    let mut seen_refunds: HashSet<&str> = HashSet::with_capacity(local.day_refunds.len());

    for row in rows {
        let outcome = if row.is_refund() {
            let found = local.refunds.get(&row.out_refund_no);
            if let Some(refund) = found {
                seen_refunds.insert(refund.out_refund_no.as_str());
            }
            compare_refund(row, found)
        } else {
            let found = local.payments.get(&row.out_trade_no);
            if let Some(payment) = found {
                seen_payments.insert(payment.out_trade_no.as_str());
            }
            let unpaid_state = local.unpaid_orders.get(&row.out_trade_no);
            compare_payment(row, found, unpaid_state.map(String::as_str))
        };
        match outcome {
            None => comparison.matched += 1,
            Some(difference) => comparison.differences.push(difference),
        }
    }

    if bill_type.lists_payments() {
        comparison.local_payments = local.day_payments.len() as u64;
        let mut missing: Vec<&LocalPayment> = local
            .day_payments
            .iter()
            .filter(|key| !seen_payments.contains(key.as_str()))
            .filter_map(|key| local.payments.get(key))
            .collect();
        missing.sort_by(|a, b| (&a.time_end, &a.out_trade_no).cmp(&(&b.time_end, &b.out_trade_no)));
        comparison
            .differences
            .extend(missing.into_iter().map(payment_missing_in_bill));
    }
    if bill_type.lists_refunds() {
        comparison.local_refunds = local.day_refunds.len() as u64;
        let mut missing: Vec<&LocalRefund> = local
            .day_refunds
            .iter()
            .filter(|key| !seen_refunds.contains(key.as_str()))
            .filter_map(|key| local.refunds.get(key))
            .collect();
        missing.sort_by(|a, b| a.out_refund_no.cmp(&b.out_refund_no));
        comparison
            .differences
            .extend(missing.into_iter().map(refund_missing_in_bill));
    }
    comparison
}

/// Compares a payment line; `None` means it matches.
///
/// A payment line for an order that exists here unpaid (closed, expired, failed or still
/// open) is a state mismatch: WeChat took the money and this till did not record it.
fn compare_payment(
    row: &BillRow,
    local: Option<&LocalPayment>,
    unpaid_state: Option<&str>,
) -> Option<BillDifference> {
    let mut difference = BillDifference {
        kind: DifferenceKind::MissingLocally,
        record: RecordKind::Payment,
        out_trade_no: row.out_trade_no.clone(),
        transaction_id: row.transaction_id.clone(),
        out_refund_no: String::new(),
        refund_id: String::new(),
        bill_amount: Some(row.total_fee),
        local_amount: None,
        bill_state: row.trade_state.clone(),
        local_state: unpaid_state.unwrap_or_default().to_owned(),
        trade_time: row.trade_time.clone(),
    };
    let Some(local) = local else {
        if unpaid_state.is_some() {
            difference.kind = DifferenceKind::StateMismatch;
        }
        return Some(difference);
    };

    difference.local_amount = Some(local.total_fee);
    difference.local_state = local.order_state.clone();
    if local.total_fee != row.total_fee {
        difference.kind = DifferenceKind::AmountMismatch;
        return Some(difference);
    }
    if row.trade_state != SUCCESS_TRADE_STATE || local.transaction_id != row.transaction_id {
        difference.kind = DifferenceKind::StateMismatch;
        if local.transaction_id != row.transaction_id {
            difference.local_state = format!(
                "{} (transaction_id {})",
                local.order_state, local.transaction_id
            );
        }
        return Some(difference);
    }
    None
}

/// Compares a refund line; `None` means it matches.
fn compare_refund(row: &BillRow, local: Option<&LocalRefund>) -> Option<BillDifference> {
    let mut difference = BillDifference {
        kind: DifferenceKind::MissingLocally,
        record: RecordKind::Refund,
        out_trade_no: row.out_trade_no.clone(),
        transaction_id: row.transaction_id.clone(),
        out_refund_no: row.out_refund_no.clone(),
        refund_id: row.refund_id.clone(),
        bill_amount: Some(row.refund_fee),
        local_amount: None,
        bill_state: row.refund_status.clone(),
        local_state: String::new(),
        trade_time: row.trade_time.clone(),
    };
    let Some(local) = local else {
        return Some(difference);
    };

    difference.local_amount = Some(local.refund_fee);
    difference.local_state = local.state.clone();
    if local.refund_fee != row.refund_fee {
        difference.kind = DifferenceKind::AmountMismatch;
        return Some(difference);
    }
    let refund_id_differs = !local.refund_id.is_empty()
        && !row.refund_id.is_empty()
        && local.refund_id != row.refund_id;
    if !local.state.eq_ignore_ascii_case(&row.refund_status) || refund_id_differs {
        difference.kind = DifferenceKind::StateMismatch;
        return Some(difference);
    }
    None
}

fn payment_missing_in_bill(local: &LocalPayment) -> BillDifference {
    BillDifference {
        kind: DifferenceKind::MissingInBill,
        record: RecordKind::Payment,
        out_trade_no: local.out_trade_no.clone(),
        transaction_id: local.transaction_id.clone(),
        out_refund_no: String::new(),
        refund_id: String::new(),
        bill_amount: None,
        local_amount: Some(local.total_fee),
        bill_state: String::new(),
        local_state: local.order_state.clone(),
        trade_time: display_time(&local.time_end),
    }
}

fn refund_missing_in_bill(local: &LocalRefund) -> BillDifference {
    BillDifference {
        kind: DifferenceKind::MissingInBill,
        record: RecordKind::Refund,
        out_trade_no: local.out_trade_no.clone(),
        transaction_id: String::new(),
        out_refund_no: local.out_refund_no.clone(),
        refund_id: local.refund_id.clone(),
        bill_amount: None,
        local_amount: Some(local.refund_fee),
        bill_state: String::new(),
        local_state: local.state.clone(),
        trade_time: display_time(&local.success_time),
    }
}

/// Writes a local Beijing time as the bill writes times; text that does not parse is kept.
fn display_time(text: &str) -> String {
    parse_beijing_time(text).map_or_else(
        || text.to_owned(),
        |time| time.format("%Y-%m-%d %H:%M:%S").to_string(),
    )
}
