//! Rows for orders, their state history, payments, received notifications and receipts.

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Store, StoreError, now_ms};
use crate::money::Fen;

/// The state of an order, stored as the lower-case names below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderState {
    /// Saved locally, and unifiedorder has not replied yet.
    Created,
    /// unifiedorder returned a `code_url`; the customer may scan it.
    AwaitingPayment,
    /// unifiedorder timed out or failed on every attempt, so the gateway may or may not hold
    /// the order; orderquery settles it.
    Unknown,
    /// The gateway confirmed the payment and it is committed here.
    Paid,
    /// Closed with closeorder before payment.
    Closed,
    /// Passed its expiry time unpaid.
    Expired,
    /// unifiedorder was rejected, or the gateway reported PAYERROR.
    Failed,
    /// Paid, and part of the amount refunded.
    PartlyRefunded,
    /// Paid, and the whole amount refunded.
    Refunded,
}

impl OrderState {
    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Created => "created",
            OrderState::AwaitingPayment => "awaiting_payment",
            OrderState::Unknown => "unknown",
            OrderState::Paid => "paid",
            OrderState::Closed => "closed",
            OrderState::Expired => "expired",
            OrderState::Failed => "failed",
            OrderState::PartlyRefunded => "partly_refunded",
            OrderState::Refunded => "refunded",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(name: &str) -> Option<OrderState> {
        Some(match name {
            "created" => OrderState::Created,
            "awaiting_payment" => OrderState::AwaitingPayment,
            "unknown" => OrderState::Unknown,
            "paid" => OrderState::Paid,
            "closed" => OrderState::Closed,
            "expired" => OrderState::Expired,
            "failed" => OrderState::Failed,
            "partly_refunded" => OrderState::PartlyRefunded,
            "refunded" => OrderState::Refunded,
            _ => return None,
        })
    }

    /// True when the order's life may move from `self` to `to`.
    ///
    /// An order that was closed, expired or failed here can still become paid, because the
    /// gateway's word that the customer paid outranks the local state; every other move back
    /// is illegal. Refunds start only from a paid order.
    pub fn can_move_to(self, to: OrderState) -> bool {
        use OrderState::*;
        matches!(
            (self, to),
            (
                Created,
                AwaitingPayment | Unknown | Failed | Closed | Expired | Paid
            ) | (AwaitingPayment | Unknown, Paid | Closed | Expired | Failed)
                | (Closed | Expired | Failed, Paid)
                | (Paid, PartlyRefunded | Refunded)
                | (PartlyRefunded, PartlyRefunded | Refunded)
        )
    }

    /// True for states from which the customer may still pay.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderState::Created | OrderState::AwaitingPayment | OrderState::Unknown
        )
    }
}

/// Fields of a new order, saved before unifiedorder is called so that a crash in between
/// leaves a record to reconcile.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub out_trade_no: String,
    /// The sale this order belongs to: its first order's `out_trade_no`.
    pub sale_id: String,
    pub body: String,
    pub total_fee: Fen,
    pub nonce_str: String,
    pub time_start: String,
    pub time_expire: String,
    pub expires_at_ms: i64,
    /// The counter that took the order (`device_info`).
    pub terminal: String,
    /// Mode 1 only: the scanned product QR's `product_id` and the customer's `openid`.
    pub product_id: Option<String>,
    pub openid: Option<String>,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub out_trade_no: String,
    pub sale_id: String,
    pub body: String,
    pub total_fee: Fen,
    pub state: OrderState,
    pub nonce_str: String,
    pub time_start: String,
    pub time_expire: String,
    pub expires_at_ms: i64,
    pub prepay_id: Option<String>,
    pub code_url: Option<String>,
    pub transaction_id: Option<String>,
    pub created_at_ms: i64,
    pub terminal: String,
    pub product_id: Option<String>,
    pub openid: Option<String>,
}

/// The gateway message that confirmed a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentSource {
    Notification,
    OrderQuery,
}

impl PaymentSource {
    fn as_str(self) -> &'static str {
        match self {
            PaymentSource::Notification => "notification",
            PaymentSource::OrderQuery => "orderquery",
        }
    }
}

/// A payment the gateway vouched for, about to be committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub total_fee: Fen,
    pub cash_fee: Option<Fen>,
    pub time_end: String,
    pub source: PaymentSource,
}

/// Result of committing a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// This call committed the payment.
    New { previous_state: OrderState },
    /// The same payment was committed earlier; nothing changed.
    Already,
}

/// A reason a payment was not committed. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("order {out_trade_no} is not known here")]
    UnknownOrder { out_trade_no: String },
    #[error("order {out_trade_no} is for {expected} fen but the payment is for {received} fen")]
    AmountMismatch {
        out_trade_no: String,
        expected: i64,
        received: i64,
    },
    #[error("order {out_trade_no} is already paid by transaction {existing}, not {received}")]
    OtherTransaction {
        out_trade_no: String,
        existing: String,
        received: String,
    },
    #[error("transaction {transaction_id} already paid order {other_order}")]
    TransactionReused {
        transaction_id: String,
        other_order: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A received notification as kept in the audit table.
#[derive(Debug, Clone)]
pub struct NotificationRecord {
    pub remote_addr: String,
    pub body: Vec<u8>,
    pub out_trade_no: Option<String>,
    pub verdict: &'static str,
    pub reason: String,
}

pub(super) const ORDER_COLUMNS: &str = "out_trade_no, body, total_fee, state, nonce_str, time_start, \
     time_expire, expires_at_ms, prepay_id, code_url, transaction_id, created_at_ms, \
     COALESCE(sale_id, out_trade_no), terminal, product_id, openid";

pub(super) fn order_from_row(row: &Row<'_>) -> rusqlite::Result<OrderRecord> {
    let state_name: String = row.get(3)?;
    let state = OrderState::from_stored(&state_name)
        .ok_or_else(|| super::unknown_stored_name(3, "order state", &state_name))?;
    Ok(OrderRecord {
        out_trade_no: row.get(0)?,
        body: row.get(1)?,
        total_fee: Fen(row.get(2)?),
        state,
        nonce_str: row.get(4)?,
        time_start: row.get(5)?,
        time_expire: row.get(6)?,
        expires_at_ms: row.get(7)?,
        prepay_id: row.get(8)?,
        code_url: row.get(9)?,
        transaction_id: row.get(10)?,
        created_at_ms: row.get(11)?,
        sale_id: row.get(12)?,
        terminal: row.get(13)?,
        product_id: row.get(14)?,
        openid: row.get(15)?,
    })
}

impl Store {
    /// Saves a new order in state `created`.
    pub fn insert_order(&self, order: &NewOrder) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let now = now_ms();
        transaction.execute(
            "INSERT INTO orders (out_trade_no, body, total_fee, state, nonce_str, time_start,
                 time_expire, expires_at_ms, created_at_ms, updated_at_ms, sale_id, terminal,
                 product_id, openid)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12, ?13)",
            params![
                order.out_trade_no,
                order.body,
                order.total_fee.fen(),
                OrderState::Created.as_str(),
                order.nonce_str,
                order.time_start,
                order.time_expire,
                order.expires_at_ms,
                now,
                order.sale_id,
                order.terminal,
                order.product_id,
                order.openid
            ],
        )?;
        insert_event(
            &transaction,
            &order.out_trade_no,
            None,
            OrderState::Created,
            "order saved",
            now,
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// Loads one order.
    pub fn order(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, StoreError> {
        let connection = self.lock();
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE out_trade_no = ?1");
        Ok(connection
            .query_row(&sql, [out_trade_no], order_from_row)
            .optional()?)
    }

    /// Loads every order that may still be paid, oldest first.
    pub fn open_orders(&self) -> Result<Vec<OrderRecord>, StoreError> {
        let connection = self.lock();
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE state IN ('created', 'awaiting_payment', 'unknown')
             ORDER BY created_at_ms"
        );
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map([], order_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Stores unifiedorder's reply and moves a `created` order to `awaiting_payment`.
    /// Returns false, changing nothing, when the order is no longer `created` (for example a
    /// notification already marked it paid).
    pub fn set_prepared(
        &self,
        out_trade_no: &str,
        prepay_id: &str,
        code_url: &str,
    ) -> Result<bool, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = now_ms();
        transaction.execute(
            "UPDATE orders SET prepay_id = ?2, code_url = ?3, updated_at_ms = ?4
             WHERE out_trade_no = ?1",
            params![out_trade_no, prepay_id, code_url, now],
        )?;
        let changed = transaction.execute(
            "UPDATE orders SET state = 'awaiting_payment' WHERE out_trade_no = ?1 AND state = 'created'",
            [out_trade_no],
        )?;
        if changed == 1 {
            insert_event(
                &transaction,
                out_trade_no,
                Some(OrderState::Created),
                OrderState::AwaitingPayment,
                "unifiedorder returned code_url",
                now,
            )?;
        }
        transaction.commit()?;
        Ok(changed == 1)
    }

    /// Moves an order from one of `from` to `to`, recording why. Returns the previous state
    /// when the move happened, or `None` (nothing written) when the order was in another state.
    pub fn transition(
        &self,
        out_trade_no: &str,
        from: &[OrderState],
        to: OrderState,
        reason: &str,
    ) -> Result<Option<OrderState>, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> = transaction
            .query_row(
                "SELECT state FROM orders WHERE out_trade_no = ?1",
                [out_trade_no],
                |row| row.get(0),
            )
            .optional()?;
        let Some(current) = current.as_deref().and_then(OrderState::from_stored) else {
            return Ok(None);
        };
        if !from.contains(&current) {
            // Usually a race the caller expects, such as a close after the payment landed.
            tracing::debug!(
                out_trade_no,
                from = current.as_str(),
                to = to.as_str(),
                "transition not applied: the order is in another state"
            );
            return Ok(None);
        }
        if !current.can_move_to(to) {
            tracing::warn!(
                out_trade_no,
                from = current.as_str(),
                to = to.as_str(),
                reason,
                "illegal order transition refused"
            );
            return Ok(None);
        }
        let now = now_ms();
        transaction.execute(
            "UPDATE orders SET state = ?2, updated_at_ms = ?3 WHERE out_trade_no = ?1",
            params![out_trade_no, to.as_str(), now],
        )?;
        insert_event(&transaction, out_trade_no, Some(current), to, reason, now)?;
        transaction.commit()?;
        Ok(Some(current))
    }

    /// Commits a payment the gateway vouched for, exactly once per order, in its own
    /// immediate transaction; see [`apply_payment`] for the rules.
    pub fn record_payment(&self, payment: &PaymentRecord) -> Result<Recorded, ConfirmError> {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let recorded = apply_payment(&transaction, payment)?;
        transaction.commit().map_err(StoreError::from)?;
        Ok(recorded)
    }

    /// Number of payments recorded for an order (0 or 1).
    pub fn payment_count(&self, out_trade_no: &str) -> Result<i64, StoreError> {
        let connection = self.lock();
        Ok(connection.query_row(
            "SELECT COUNT(*) FROM payments WHERE out_trade_no = ?1",
            [out_trade_no],
            |row| row.get(0),
        )?)
    }

    /// Returns the `time_end` of an order's payment, if it is paid.
    pub fn payment_time_end(&self, out_trade_no: &str) -> Result<Option<String>, StoreError> {
        let connection = self.lock();
        Ok(connection
            .query_row(
                "SELECT time_end FROM payments WHERE out_trade_no = ?1",
                [out_trade_no],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Keeps a received notification and the verdict on it.
    pub fn insert_notification(&self, record: &NotificationRecord) -> Result<(), StoreError> {
        let connection = self.lock();
        connection.execute(
            "INSERT INTO notifications (received_at_ms, remote_addr, body, out_trade_no, verdict, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                now_ms(),
                record.remote_addr,
                record.body,
                record.out_trade_no,
                record.verdict,
                record.reason
            ],
        )?;
        Ok(())
    }

    /// Verdicts of the notifications kept for an order, oldest first.
    pub fn notification_verdicts(&self, out_trade_no: &str) -> Result<Vec<String>, StoreError> {
        let connection = self.lock();
        let mut statement = connection
            .prepare("SELECT verdict FROM notifications WHERE out_trade_no = ?1 ORDER BY id")?;
        let rows = statement.query_map([out_trade_no], |row| row.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Saves the receipt of a paid order; a second receipt for the same order is ignored.
    pub fn insert_receipt(
        &self,
        out_trade_no: &str,
        qr_link: &str,
        pdf_path: &str,
    ) -> Result<(), StoreError> {
        let connection = self.lock();
        connection.execute(
            "INSERT OR IGNORE INTO receipts (out_trade_no, qr_link, pdf_path, created_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
            params![out_trade_no, qr_link, pdf_path, now_ms()],
        )?;
        Ok(())
    }

    /// Returns the receipt's QR link and PDF path for an order, if one was written.
    pub fn receipt(&self, out_trade_no: &str) -> Result<Option<(String, String)>, StoreError> {
        let connection = self.lock();
        Ok(connection
            .query_row(
                "SELECT qr_link, pdf_path FROM receipts WHERE out_trade_no = ?1",
                [out_trade_no],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?)
    }
}

/// Writes a payment the gateway vouched for inside the caller's write transaction, which
/// must be immediate so that the checks and the writes see the same rows.
///
/// The order must exist and its `total_fee` equal the payment's. A second call with the same
/// `transaction_id` returns [`Recorded::Already`] and writes nothing. A payment for an order
/// closed or expired here is still recorded, because the customer's money has moved.
pub(super) fn apply_payment(
    transaction: &rusqlite::Connection,
    payment: &PaymentRecord,
) -> Result<Recorded, ConfirmError> {
    let order: Option<(i64, String)> = transaction
        .query_row(
            "SELECT total_fee, state FROM orders WHERE out_trade_no = ?1",
            [&payment.out_trade_no],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
        .map_err(StoreError::from)?;
    let Some((total_fee, state_name)) = order else {
        return Err(ConfirmError::UnknownOrder {
            out_trade_no: payment.out_trade_no.clone(),
        });
    };
    if total_fee != payment.total_fee.fen() {
        return Err(ConfirmError::AmountMismatch {
            out_trade_no: payment.out_trade_no.clone(),
            expected: total_fee,
            received: payment.total_fee.fen(),
        });
    }

    let existing: Option<String> = transaction
        .query_row(
            "SELECT transaction_id FROM payments WHERE out_trade_no = ?1",
            [&payment.out_trade_no],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::from)?;
    let reused: Option<String> = transaction
        .query_row(
            "SELECT out_trade_no FROM payments WHERE transaction_id = ?1",
            [&payment.transaction_id],
            |row| row.get(0),
        )
        .optional()
        .map_err(StoreError::from)?;
    if let Some(other_order) = reused.filter(|other| *other != payment.out_trade_no) {
        return Err(ConfirmError::TransactionReused {
            transaction_id: payment.transaction_id.clone(),
            other_order,
        });
    }
    if let Some(existing) = existing {
        return if existing == payment.transaction_id {
            Ok(Recorded::Already)
        } else {
            Err(ConfirmError::OtherTransaction {
                out_trade_no: payment.out_trade_no.clone(),
                existing,
                received: payment.transaction_id.clone(),
            })
        };
    }

    let previous_state = OrderState::from_stored(&state_name).unwrap_or(OrderState::Created);
    let now = now_ms();
    let write = || -> rusqlite::Result<()> {
        transaction.execute(
            "INSERT INTO payments (out_trade_no, transaction_id, total_fee, cash_fee, time_end,
                 source, recorded_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                payment.out_trade_no,
                payment.transaction_id,
                payment.total_fee.fen(),
                payment.cash_fee.map(Fen::fen),
                payment.time_end,
                payment.source.as_str(),
                now
            ],
        )?;
        transaction.execute(
            "UPDATE orders SET state = 'paid', transaction_id = ?2, updated_at_ms = ?3
             WHERE out_trade_no = ?1",
            params![payment.out_trade_no, payment.transaction_id, now],
        )?;
        insert_event(
            transaction,
            &payment.out_trade_no,
            Some(previous_state),
            OrderState::Paid,
            &format!("payment confirmed by {}", payment.source.as_str()),
            now,
        )
    };
    write().map_err(StoreError::from)?;
    Ok(Recorded::New { previous_state })
}

pub(super) fn insert_event(
    transaction: &rusqlite::Connection,
    out_trade_no: &str,
    from: Option<OrderState>,
    to: OrderState,
    reason: &str,
    at_ms: i64,
) -> rusqlite::Result<()> {
    transaction.execute(
        "INSERT INTO order_events (out_trade_no, from_state, to_state, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            out_trade_no,
            from.map(OrderState::as_str),
            to.as_str(),
            reason,
            at_ms
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        (dir, store)
    }

    fn new_order(out_trade_no: &str, fen: i64) -> NewOrder {
        NewOrder {
            out_trade_no: out_trade_no.into(),
            sale_id: out_trade_no.into(),
            body: "奶茶".into(),
            total_fee: Fen(fen),
            nonce_str: "n".into(),
            time_start: "20261204100000".into(),
            time_expire: "20261204120000".into(),
            expires_at_ms: 0,
            terminal: "POS01".into(),
            product_id: None,
            openid: None,
        }
    }

    fn payment(out_trade_no: &str, transaction_id: &str, fen: i64) -> PaymentRecord {
        PaymentRecord {
            out_trade_no: out_trade_no.into(),
            transaction_id: transaction_id.into(),
            total_fee: Fen(fen),
            cash_fee: Some(Fen(fen)),
            time_end: "20261204100500".into(),
            source: PaymentSource::Notification,
        }
    }

    #[test]
    fn duplicate_payment_is_recorded_once() {
        let (_dir, store) = temp_store();
        store.insert_order(&new_order("T1", 1990)).unwrap();
        let first = store
            .record_payment(&payment("T1", "4200001", 1990))
            .unwrap();
        assert!(matches!(
            first,
            Recorded::New {
                previous_state: OrderState::Created
            }
        ));
        assert_eq!(
            store
                .record_payment(&payment("T1", "4200001", 1990))
                .unwrap(),
            Recorded::Already
        );
        assert_eq!(store.payment_count("T1").unwrap(), 1);
        assert_eq!(store.order("T1").unwrap().unwrap().state, OrderState::Paid);
    }

    #[test]
    fn wrong_amount_changes_nothing() {
        let (_dir, store) = temp_store();
        store.insert_order(&new_order("T1", 1990)).unwrap();
        let err = store
            .record_payment(&payment("T1", "4200001", 1))
            .unwrap_err();
        assert!(matches!(
            err,
            ConfirmError::AmountMismatch {
                expected: 1990,
                received: 1,
                ..
            }
        ));
        assert_eq!(store.payment_count("T1").unwrap(), 0);
        assert_eq!(
            store.order("T1").unwrap().unwrap().state,
            OrderState::Created
        );
    }

    #[test]
    fn unknown_order_is_rejected() {
        let (_dir, store) = temp_store();
        let err = store
            .record_payment(&payment("NOPE", "4200001", 1))
            .unwrap_err();
        assert!(matches!(err, ConfirmError::UnknownOrder { .. }));
    }

    #[test]
    fn state_machine_allows_only_forward_moves() {
        use OrderState::*;
        let all = [
            Created,
            AwaitingPayment,
            Unknown,
            Paid,
            Closed,
            Expired,
            Failed,
            PartlyRefunded,
            Refunded,
        ];
        for state in all {
            assert_eq!(OrderState::from_stored(state.as_str()), Some(state));
            assert!(!state.can_move_to(Created), "{state:?} -> created");
        }
        assert!(AwaitingPayment.can_move_to(Paid));
        assert!(Closed.can_move_to(Paid));
        assert!(Paid.can_move_to(Refunded));
        assert!(!Paid.can_move_to(Closed));
        assert!(!Paid.can_move_to(AwaitingPayment));
        assert!(!Refunded.can_move_to(Paid));
        assert!(!Closed.can_move_to(AwaitingPayment));
        assert!(!AwaitingPayment.can_move_to(Refunded));
    }

    #[test]
    fn illegal_transition_is_refused_even_when_listed() {
        let (_dir, store) = temp_store();
        store.insert_order(&new_order("T1", 100)).unwrap();
        store
            .record_payment(&payment("T1", "4200001", 100))
            .unwrap();
        let moved = store
            .transition("T1", &[OrderState::Paid], OrderState::Closed, "test")
            .unwrap();
        assert_eq!(moved, None);
        assert_eq!(store.order("T1").unwrap().unwrap().state, OrderState::Paid);
        let refunded = store
            .transition("T1", &[OrderState::Paid], OrderState::Refunded, "test")
            .unwrap();
        assert_eq!(refunded, Some(OrderState::Paid));
    }

    #[test]
    fn transition_from_wrong_state_is_refused() {
        let (_dir, store) = temp_store();
        store.insert_order(&new_order("T1", 100)).unwrap();
        store
            .record_payment(&payment("T1", "4200001", 100))
            .unwrap();
        let moved = store
            .transition(
                "T1",
                &[OrderState::AwaitingPayment],
                OrderState::Closed,
                "test",
            )
            .unwrap();
        assert_eq!(moved, None);
        assert_eq!(store.order("T1").unwrap().unwrap().state, OrderState::Paid);
    }

    #[test]
    fn reopening_keeps_data_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pos.sqlite3");
        Store::open(&path)
            .unwrap()
            .insert_order(&new_order("T1", 100))
            .unwrap();
        let store = Store::open(&path).unwrap();
        assert!(store.order("T1").unwrap().is_some());
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}
