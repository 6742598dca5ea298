//! Lookups for Native mode-1 orders: the order a scan callback already created, so a repeated
//! callback for the same scan gets the same order instead of a second one.

use rusqlite::{OptionalExtension, params};

use super::orders::{ORDER_COLUMNS, order_from_row};
use super::{OrderRecord, Store, StoreError};

impl Store {
    /// Finds the order created for one scan: the same `product_id`, `openid` and callback
    /// `nonce_str` (a mode-1 order keeps the callback's nonce as its own), and not yet past
    /// `expires_at_ms` at `now_ms`. The newest match is returned when there are several.
    pub fn scan_order(
        &self,
        product_id: &str,
        openid: &str,
        nonce_str: &str,
        now_ms: i64,
    ) -> Result<Option<OrderRecord>, StoreError> {
        let connection = self.lock();
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders
             WHERE product_id = ?1 AND openid = ?2 AND nonce_str = ?3 AND expires_at_ms > ?4
             ORDER BY created_at_ms DESC, id DESC LIMIT 1"
        );
        Ok(connection
            .query_row(
                &sql,
                params![product_id, openid, nonce_str, now_ms],
                order_from_row,
            )
            .optional()?)
    }
}
