//! Refund rows: a refund is saved before the gateway is called, in one transaction that
//! checks the order is paid and that the order's refunds never add up to more than its
//! `total_fee`. Outcomes from the refund reply, refundquery or a refund notification are
//! applied once; a refund's success also moves its order to `partly_refunded` or `refunded`.

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::orders::insert_event;
use super::{OrderState, Store, StoreError, now_ms};
use crate::money::Fen;

/// The state of a refund, stored as the lower-case names below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundState {
    /// Saved here; the gateway's reply is not known yet (no reply, or the reply was lost).
    Requested,
    /// The gateway accepted the refund and is paying it out.
    Processing,
    /// The money went back to the payer.
    Success,
    /// The payout failed and must be routed elsewhere on the merchant platform.
    Change,
    /// The gateway closed the refund without paying out.
    RefundClose,
    /// The gateway rejected the request, so no money moved.
    Failed,
}

impl RefundState {
    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RefundState::Requested => "requested",
            RefundState::Processing => "processing",
            RefundState::Success => "success",
            RefundState::Change => "change",
            RefundState::RefundClose => "refundclose",
            RefundState::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(name: &str) -> Option<RefundState> {
        Some(match name {
            "requested" => RefundState::Requested,
            "processing" => RefundState::Processing,
            "success" => RefundState::Success,
            "change" => RefundState::Change,
            "refundclose" => RefundState::RefundClose,
            "failed" => RefundState::Failed,
            _ => return None,
        })
    }

    /// True when the refund's amount is spent from the order: every state except the two
    /// in which no money moved.
    pub fn counts_against_order(self) -> bool {
        !matches!(self, RefundState::Failed | RefundState::RefundClose)
    }

    /// True when no later report can change the refund.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RefundState::Success | RefundState::RefundClose | RefundState::Failed
        )
    }

    /// True when a refund may move from `self` to `to`. Final states never change, and a
    /// refund the gateway accepted never becomes `failed`, which means "never accepted".
    pub fn can_move_to(self, to: RefundState) -> bool {
        use RefundState::*;
        matches!(
            (self, to),
            (
                Requested,
                Processing | Success | Change | RefundClose | Failed
            ) | (Processing, Success | Change | RefundClose)
                | (Change, Success | RefundClose)
        )
    }
}

/// A refund about to be requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_fee: Fen,
    /// Sent as-is on every retry of this refund.
    pub nonce_str: String,
    /// The reason for the refund, sent as `refund_desc`.
    pub reason: String,
}

/// A stored refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_fee: Fen,
    /// The order's amount when the refund was requested.
    pub total_fee: Fen,
    pub nonce_str: String,
    pub reason: String,
    pub state: RefundState,
    /// WeChat's refund number, once the gateway accepted the refund.
    pub refund_id: Option<String>,
    /// `yyyy-MM-dd HH:mm:ss` in Beijing time, once the refund succeeded.
    pub success_time: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// A reason a refund was not saved. Nothing was written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum RefundRequestError {
    #[error("order {out_trade_no} is not known here")]
    OrderNotFound { out_trade_no: String },
    #[error("order {out_trade_no} is {state}; only paid or partly refunded orders can be refunded")]
    NotRefundable {
        out_trade_no: String,
        state: &'static str,
    },
    #[error("the refund amount must be greater than zero")]
    ZeroAmount,
    #[error(
        "refund of {requested} yuan refused for order {out_trade_no}: {refunded} of {total_fee} yuan is already refunded or being refunded, so at most {available} yuan remains"
    )]
    OverRefund {
        out_trade_no: String,
        total_fee: Fen,
        refunded: Fen,
        requested: Fen,
        available: Fen,
    },
    #[error("out_refund_no {out_refund_no} is already used")]
    DuplicateOutRefundNo { out_refund_no: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A gateway report about a refund, to be applied to its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome {
    pub out_refund_no: String,
    pub state: RefundState,
    pub refund_id: Option<String>,
    pub success_time: Option<String>,
}

/// The effect of applying a [`RefundOutcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundSettled {
    /// The refund moved from `previous`; `order_state` is the order's new state when the
    /// refund's success moved the order.
    Changed {
        previous: RefundState,
        order_state: Option<OrderState>,
    },
    /// The refund was already in this state (a duplicate report); nothing changed.
    Unchanged,
    /// The refund is in a state this report may not change (for example a success reported
    /// after a close); nothing changed.
    Refused { current: RefundState },
    /// No refund with this `out_refund_no` is stored.
    Unknown,
}

const REFUND_COLUMNS: &str = "out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str, \
     reason, state, refund_id, success_time, created_at_ms, updated_at_ms";

fn refund_from_row(row: &Row<'_>) -> rusqlite::Result<RefundRecord> {
    let state_name: String = row.get(6)?;
    let state = RefundState::from_stored(&state_name)
        .ok_or_else(|| super::unknown_stored_name(6, "refund state", &state_name))?;
    Ok(RefundRecord {
        out_refund_no: row.get(0)?,
        out_trade_no: row.get(1)?,
        refund_fee: Fen(row.get(2)?),
        total_fee: Fen(row.get(3)?),
        nonce_str: row.get(4)?,
        reason: row.get(5)?,
        state,
        refund_id: row.get(7)?,
        success_time: row.get(8)?,
        created_at_ms: row.get(9)?,
        updated_at_ms: row.get(10)?,
    })
}

/// Sums the fen of an order's refunds in the given states' column filter.
fn refunded_sum(
    transaction: &rusqlite::Connection,
    out_trade_no: &str,
    states: &[RefundState],
) -> rusqlite::Result<i64> {
    let names: Vec<String> = states
        .iter()
        .map(|state| format!("'{}'", state.as_str()))
        .collect();
    let sql = format!(
        "SELECT COALESCE(SUM(refund_fee), 0) FROM refunds WHERE out_trade_no = ?1 AND state IN ({})",
        names.join(", ")
    );
    transaction.query_row(&sql, [out_trade_no], |row| row.get(0))
}

/// States whose amount is spent from the order; see [`RefundState::counts_against_order`].
const COMMITTED_STATES: [RefundState; 4] = [
    RefundState::Requested,
    RefundState::Processing,
    RefundState::Success,
    RefundState::Change,
];

impl Store {
    /// Saves a refund in state `requested` after checking, in the same immediate
    /// transaction, that the order is paid (or partly refunded) and that its committed
    /// refunds plus this one stay within its `total_fee`.
    pub fn request_refund(&self, refund: &NewRefund) -> Result<RefundRecord, RefundRequestError> {
        if refund.refund_fee.fen() <= 0 {
            return Err(RefundRequestError::ZeroAmount);
        }
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let order: Option<(i64, String)> = transaction
            .query_row(
                "SELECT total_fee, state FROM orders WHERE out_trade_no = ?1",
                [&refund.out_trade_no],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(StoreError::from)?;
        let Some((total_fee, state_name)) = order else {
            return Err(RefundRequestError::OrderNotFound {
                out_trade_no: refund.out_trade_no.clone(),
            });
        };
        let state = OrderState::from_stored(&state_name).unwrap_or(OrderState::Unknown);
        if !matches!(state, OrderState::Paid | OrderState::PartlyRefunded) {
            return Err(RefundRequestError::NotRefundable {
                out_trade_no: refund.out_trade_no.clone(),
                state: state.as_str(),
            });
        }

        let refunded = refunded_sum(&transaction, &refund.out_trade_no, &COMMITTED_STATES)
            .map_err(StoreError::from)?;
        if refunded + refund.refund_fee.fen() > total_fee {
            return Err(RefundRequestError::OverRefund {
                out_trade_no: refund.out_trade_no.clone(),
                total_fee: Fen(total_fee),
                refunded: Fen(refunded),
                requested: refund.refund_fee,
                available: Fen(total_fee - refunded),
            });
        }

        let now = now_ms();
        let inserted = transaction.execute(
            "INSERT INTO refunds (out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str,
                 reason, state, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                refund.out_refund_no,
                refund.out_trade_no,
                refund.refund_fee.fen(),
                total_fee,
                refund.nonce_str,
                refund.reason,
                RefundState::Requested.as_str(),
                now
            ],
        );
        match inserted {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(error, _))
                if error.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Err(RefundRequestError::DuplicateOutRefundNo {
                    out_refund_no: refund.out_refund_no.clone(),
                });
            }
            Err(err) => return Err(StoreError::from(err).into()),
        }
        transaction.commit().map_err(StoreError::from)?;

        Ok(RefundRecord {
            out_refund_no: refund.out_refund_no.clone(),
            out_trade_no: refund.out_trade_no.clone(),
            refund_fee: refund.refund_fee,
            total_fee: Fen(total_fee),
            nonce_str: refund.nonce_str.clone(),
            reason: refund.reason.clone(),
            state: RefundState::Requested,
            refund_id: None,
            success_time: None,
            created_at_ms: now,
            updated_at_ms: now,
        })
    }

    /// Loads one refund.
    pub fn refund(&self, out_refund_no: &str) -> Result<Option<RefundRecord>, StoreError> {
        let connection = self.lock();
        let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE out_refund_no = ?1");
        Ok(connection
            .query_row(&sql, [out_refund_no], refund_from_row)
            .optional()?)
    }

    /// Lists an order's refunds, oldest first.
    pub fn refunds_for(&self, out_trade_no: &str) -> Result<Vec<RefundRecord>, StoreError> {
        let connection = self.lock();
        let sql = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE out_trade_no = ?1 ORDER BY created_at_ms, id"
        );
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map([out_trade_no], refund_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Applies a gateway report to a refund in one immediate transaction. When the refund
    /// becomes `success`, the order moves to `refunded` if its successful refunds now equal
    /// its `total_fee`, else to `partly_refunded`, with an order event recording why.
    pub fn settle_refund(&self, outcome: &RefundOutcome) -> Result<RefundSettled, StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let sql = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE out_refund_no = ?1");
        let Some(current) = transaction
            .query_row(&sql, [&outcome.out_refund_no], refund_from_row)
            .optional()?
        else {
            return Ok(RefundSettled::Unknown);
        };
        if current.state == outcome.state {
            return Ok(RefundSettled::Unchanged);
        }
        if !current.state.can_move_to(outcome.state) {
            return Ok(RefundSettled::Refused {
                current: current.state,
            });
        }

        let now = now_ms();
        transaction.execute(
            "UPDATE refunds SET state = ?2, refund_id = COALESCE(?3, refund_id),
                 success_time = COALESCE(?4, success_time), updated_at_ms = ?5
             WHERE out_refund_no = ?1",
            params![
                outcome.out_refund_no,
                outcome.state.as_str(),
                outcome.refund_id,
                outcome.success_time,
                now
            ],
        )?;
        let order_state = if outcome.state == RefundState::Success {
            move_order_after_refund(&transaction, &current, now)?
        } else {
            None
        };
        transaction.commit()?;
        Ok(RefundSettled::Changed {
            previous: current.state,
            order_state,
        })
    }
}

/// Moves the refund's order to `refunded` or `partly_refunded` inside the caller's
/// transaction; returns the new state, or `None` when the state machine forbids the move.
fn move_order_after_refund(
    transaction: &rusqlite::Connection,
    refund: &RefundRecord,
    now: i64,
) -> rusqlite::Result<Option<OrderState>> {
    let (total_fee, state_name): (i64, String) = transaction.query_row(
        "SELECT total_fee, state FROM orders WHERE out_trade_no = ?1",
        [&refund.out_trade_no],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let Some(current) = OrderState::from_stored(&state_name) else {
        return Ok(None);
    };
    let succeeded = refunded_sum(transaction, &refund.out_trade_no, &[RefundState::Success])?;
    let target = if succeeded >= total_fee {
        OrderState::Refunded
    } else {
        OrderState::PartlyRefunded
    };
    if !current.can_move_to(target) {
        tracing::warn!(
            out_trade_no = %refund.out_trade_no,
            out_refund_no = %refund.out_refund_no,
            from = current.as_str(),
            to = target.as_str(),
            "refund succeeded but the order cannot move to the refunded state"
        );
        return Ok(None);
    }
    transaction.execute(
        "UPDATE orders SET state = ?2, updated_at_ms = ?3 WHERE out_trade_no = ?1",
        params![refund.out_trade_no, target.as_str(), now],
    )?;
    let reason = format!(
        "refund {} of {} fen succeeded",
        refund.out_refund_no,
        refund.refund_fee.fen()
    );
    insert_event(
        transaction,
        &refund.out_trade_no,
        Some(current),
        target,
        &reason,
        now,
    )?;
    Ok(Some(target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewOrder, PaymentRecord, PaymentSource};

    fn paid_store(total_fen: i64) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        store
            .insert_order(&NewOrder {
                out_trade_no: "T1".into(),
                sale_id: "T1".into(),
                body: "奶茶".into(),
                total_fee: Fen(total_fen),
                nonce_str: "n".into(),
                time_start: "20261204100000".into(),
                time_expire: "20261204120000".into(),
                expires_at_ms: 0,
                terminal: "POS01".into(),
                product_id: None,
                openid: None,
            })
            .unwrap();
        store
            .record_payment(&PaymentRecord {
                out_trade_no: "T1".into(),
                transaction_id: "4200".into(),
                total_fee: Fen(total_fen),
                cash_fee: None,
                time_end: "20261204101000".into(),
                source: PaymentSource::Notification,
            })
            .unwrap();
        (dir, store)
    }

    fn new_refund(out_refund_no: &str, fen: i64) -> NewRefund {
        NewRefund {
            out_refund_no: out_refund_no.into(),
            out_trade_no: "T1".into(),
            refund_fee: Fen(fen),
            nonce_str: "nonce".into(),
            reason: "顾客退货".into(),
        }
    }

    fn success(out_refund_no: &str) -> RefundOutcome {
        RefundOutcome {
            out_refund_no: out_refund_no.into(),
            state: RefundState::Success,
            refund_id: Some("5000".into()),
            success_time: Some("2026-12-04 12:00:00".into()),
        }
    }

    #[test]
    fn over_refund_is_refused_and_writes_nothing() {
        let (_dir, store) = paid_store(1000);
        store.request_refund(&new_refund("R1", 600)).unwrap();
        let err = store.request_refund(&new_refund("R2", 401)).unwrap_err();
        assert!(
            matches!(err, RefundRequestError::OverRefund { .. }),
            "{err}"
        );
        assert_eq!(store.refunds_for("T1").unwrap().len(), 1);
        store.request_refund(&new_refund("R3", 400)).unwrap();
    }

    #[test]
    fn failed_refund_frees_its_amount() {
        let (_dir, store) = paid_store(1000);
        store.request_refund(&new_refund("R1", 1000)).unwrap();
        let failed = RefundOutcome {
            state: RefundState::Failed,
            refund_id: None,
            success_time: None,
            ..success("R1")
        };
        store.settle_refund(&failed).unwrap();
        store.request_refund(&new_refund("R2", 1000)).unwrap();
    }

    #[test]
    fn duplicate_out_refund_no_is_refused() {
        let (_dir, store) = paid_store(1000);
        store.request_refund(&new_refund("R1", 100)).unwrap();
        let err = store.request_refund(&new_refund("R1", 100)).unwrap_err();
        assert!(matches!(
            err,
            RefundRequestError::DuplicateOutRefundNo { .. }
        ));
    }

    #[test]
    fn unpaid_order_cannot_be_refunded() {
        let (_dir, store) = paid_store(1000);
        let mut refund = new_refund("R1", 100);
        refund.out_trade_no = "missing".into();
        assert!(matches!(
            store.request_refund(&refund).unwrap_err(),
            RefundRequestError::OrderNotFound { .. }
        ));
    }

    #[test]
    fn successes_move_order_to_partly_then_fully_refunded() {
        let (_dir, store) = paid_store(1000);
        store.request_refund(&new_refund("R1", 300)).unwrap();
        store.request_refund(&new_refund("R2", 700)).unwrap();

        let first = store.settle_refund(&success("R1")).unwrap();
        assert_eq!(
            first,
            RefundSettled::Changed {
                previous: RefundState::Requested,
                order_state: Some(OrderState::PartlyRefunded)
            }
        );
        assert_eq!(
            store.settle_refund(&success("R1")).unwrap(),
            RefundSettled::Unchanged
        );

        store.settle_refund(&success("R2")).unwrap();
        assert_eq!(
            store.order("T1").unwrap().unwrap().state,
            OrderState::Refunded
        );
    }

    #[test]
    fn closed_refund_is_not_reopened() {
        let (_dir, store) = paid_store(1000);
        store.request_refund(&new_refund("R1", 300)).unwrap();
        let closed = RefundOutcome {
            state: RefundState::RefundClose,
            ..success("R1")
        };
        store.settle_refund(&closed).unwrap();
        assert_eq!(
            store.settle_refund(&success("R1")).unwrap(),
            RefundSettled::Refused {
                current: RefundState::RefundClose
            }
        );
    }
}
