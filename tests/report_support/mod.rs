//! Seeding a real SQLite file with orders, payments, refunds, state history and notifications
//! at chosen times, for the report tests and benchmarks. Rows go in with plain SQL on a
//! second connection, after `Store::open` has migrated the file.

#![allow(dead_code)]

use rusqlite::{Connection, params};

/// An order to insert; a `transaction_id` also inserts its payment.
pub struct SeedOrder<'a> {
    pub out_trade_no: &'a str,
    pub body: &'a str,
    pub total_fee: i64,
    pub state: &'a str,
    pub created_at_ms: i64,
    pub transaction_id: Option<&'a str>,
    pub terminal: &'a str,
}

impl Default for SeedOrder<'_> {
    fn default() -> Self {
        SeedOrder {
            out_trade_no: "",
            body: "商品",
            total_fee: 100,
            state: "paid",
            created_at_ms: 0,
            transaction_id: None,
            terminal: "POS01",
        }
    }
}

pub fn insert_order(connection: &Connection, order: &SeedOrder<'_>) {
    connection
        .execute(
            "INSERT INTO orders (out_trade_no, body, total_fee, state, nonce_str, time_start,
                 time_expire, expires_at_ms, created_at_ms, updated_at_ms, sale_id, terminal,
                 transaction_id)
             VALUES (?1, ?2, ?3, ?4, 'nonce', '20260101000000', '20260101020000', ?5 + 7200000,
                 ?5, ?5, ?1, ?6, ?7)",
            params![
                order.out_trade_no,
                order.body,
                order.total_fee,
                order.state,
                order.created_at_ms,
                order.terminal,
                order.transaction_id,
            ],
        )
        .unwrap();
    if let Some(transaction_id) = order.transaction_id {
        connection
            .execute(
                "INSERT INTO payments (out_trade_no, transaction_id, total_fee, cash_fee, time_end,
                     source, recorded_at_ms)
                 VALUES (?1, ?2, ?3, ?3, '20260101000100', 'notification', ?4)",
                params![
                    order.out_trade_no,
                    transaction_id,
                    order.total_fee,
                    order.created_at_ms + 60_000
                ],
            )
            .unwrap();
    }
}

pub fn insert_refund(
    connection: &Connection,
    out_refund_no: &str,
    out_trade_no: &str,
    refund_fee: i64,
    state: &str,
    created_at_ms: i64,
) {
    connection
        .execute(
            "INSERT INTO refunds (out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str,
                 state, created_at_ms, updated_at_ms)
             SELECT ?1, ?2, ?3, total_fee, 'nonce', ?4, ?5, ?5 FROM orders WHERE out_trade_no = ?2",
            params![
                out_refund_no,
                out_trade_no,
                refund_fee,
                state,
                created_at_ms
            ],
        )
        .unwrap();
}

pub fn insert_event(
    connection: &Connection,
    out_trade_no: &str,
    from_state: Option<&str>,
    to_state: &str,
    reason: &str,
    at_ms: i64,
) {
    connection
        .execute(
            "INSERT INTO order_events (out_trade_no, from_state, to_state, reason, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![out_trade_no, from_state, to_state, reason, at_ms],
        )
        .unwrap();
}

pub fn insert_notification(
    connection: &Connection,
    out_trade_no: &str,
    verdict: &str,
    reason: &str,
    received_at_ms: i64,
) {
    connection
        .execute(
            "INSERT INTO notifications (received_at_ms, remote_addr, body, out_trade_no, verdict,
                 reason)
             VALUES (?1, '127.0.0.1:50000', X'3C786D6C2F3E', ?2, ?3, ?4)",
            params![received_at_ms, out_trade_no, verdict, reason],
        )
        .unwrap();
}
