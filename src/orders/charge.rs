//! Creating, closing and querying Native orders.

use std::sync::Arc;

use chrono::Utc;
use rand::Rng;

use super::{LifecycleError, PaymentService, blocking};
use crate::gateway::GatewayError;
use crate::money::Fen;
use crate::protocol::messages::{
    OrderQueryReply, TradeState, UnifiedOrderRequest, format_protocol_time,
};
use crate::protocol::new_nonce;
use crate::store::{NewOrder, OrderState, PaymentRecord, PaymentSource, Recorded};
use crate::ui::bridge::PendingOrder;

/// States from which an order may still be paid.
pub(super) const OPEN_STATES: &[OrderState] = &[
    OrderState::Created,
    OrderState::AwaitingPayment,
    OrderState::Unknown,
];

/// Longest `body` (goods description) the protocol accepts, in bytes of UTF-8.
pub const MAX_BODY_BYTES: usize = 128;
/// Most `out_trade_no`s one sale tries when the gateway refuses a number as used or closed.
const MAX_NUMBERS_PER_SALE: u32 = 3;

/// True when the gateway refused the `out_trade_no` itself, so the sale needs a new one.
fn refuses_the_number(err: &GatewayError) -> bool {
    matches!(err.err_code(), Some("OUT_TRADE_NO_USED" | "ORDERCLOSED"))
}

/// Digits of randomness at the end of a generated `out_trade_no`.
const OUT_TRADE_NO_RANDOM_DIGITS: usize = 6;

/// A reason a charge could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ChargeError {
    #[error("the description is empty")]
    EmptyBody,
    #[error("unifiedorder for {out_trade_no} failed")]
    Gateway {
        out_trade_no: String,
        #[source]
        source: GatewayError,
    },
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
}

/// Cuts `body` to at most [`MAX_BODY_BYTES`] bytes on a character boundary.
pub fn truncate_body(body: &str) -> &str {
    if body.len() <= MAX_BODY_BYTES {
        return body;
    }
    let mut end = MAX_BODY_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// Creates an `out_trade_no`: Beijing time to the second, then random digits (20 characters).
pub(super) fn new_out_trade_no() -> String {
    let mut rng = rand::rng();
    let mut number = format_protocol_time(Utc::now());
    for _ in 0..OUT_TRADE_NO_RANDOM_DIGITS {
        number.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    number
}

impl PaymentService {
    /// Creates a Native order for `amount` and returns it with its `code_url`.
    ///
    /// The order is saved before unifiedorder is called. A timeout or SYSTEMERROR is retried
    /// with the same `out_trade_no`, nonce and fields; if every attempt fails the order becomes
    /// `unknown` and the poller settles it by orderquery. When the gateway refuses the number
    /// itself (OUT_TRADE_NO_USED, ORDERCLOSED), the order fails and the sale gets a fresh
    /// `out_trade_no` that shares its `sale_id`.
    pub async fn charge(
        self: &Arc<Self>,
        amount: Fen,
        body: &str,
    ) -> Result<PendingOrder, ChargeError> {
        let body = truncate_body(body.trim()).to_owned();
        if body.is_empty() {
            return Err(ChargeError::EmptyBody);
        }
        // An open order from before a crash may be paid; settle it before taking another.
        self.wait_for_reconciliation().await;

        let mut sale_id = None;
        let mut numbers_tried = 0;
        loop {
            numbers_tried += 1;
            let order = self.save_new_order(amount, &body, sale_id.clone()).await?;
            sale_id.get_or_insert_with(|| order.sale_id.clone());
            match self.place_order(&order).await {
                Err(ChargeError::Gateway {
                    out_trade_no,
                    source,
                }) if refuses_the_number(&source) && numbers_tried < MAX_NUMBERS_PER_SALE => {
                    tracing::warn!(
                        %out_trade_no,
                        sale_id = ?sale_id,
                        error = %source,
                        "the gateway refused this out_trade_no; retrying the sale with a new one"
                    );
                }
                outcome => return outcome,
            }
        }
    }

    /// Saves a new order in state `created` with a fresh `out_trade_no`.
    async fn save_new_order(
        &self,
        amount: Fen,
        body: &str,
        sale_id: Option<String>,
    ) -> Result<NewOrder, ChargeError> {
        let now = Utc::now();
        let lifetime = chrono::Duration::from_std(self.options.order_lifetime)
            .unwrap_or(chrono::Duration::hours(2));
        let expires_at = now + lifetime;
        let out_trade_no = new_out_trade_no();
        let new_order = NewOrder {
            sale_id: sale_id.unwrap_or_else(|| out_trade_no.clone()),
            out_trade_no,
            body: body.to_owned(),
            total_fee: amount,
            nonce_str: new_nonce(),
            time_start: format_protocol_time(now),
            time_expire: format_protocol_time(expires_at),
            expires_at_ms: expires_at.timestamp_millis(),
            terminal: self.options.device_info.clone(),
            product_id: None,
            openid: None,
        };
        let store = self.store.clone();
        let saved = new_order.clone();
        blocking(move || store.insert_order(&saved)).await?;
        Ok(new_order)
    }

    /// Calls unifiedorder for a saved order, retrying transient failures with identical
    /// fields, and stores the `code_url`.
    async fn place_order(self: &Arc<Self>, order: &NewOrder) -> Result<PendingOrder, ChargeError> {
        let out_trade_no = order.out_trade_no.clone();
        let request = UnifiedOrderRequest {
            body: order.body.clone(),
            out_trade_no: out_trade_no.clone(),
            total_fee: order.total_fee,
            spbill_create_ip: self.options.spbill_create_ip.clone(),
            notify_url: self.options.notify_url.clone(),
            product_id: out_trade_no.clone(),
            time_start: order.time_start.clone(),
            time_expire: order.time_expire.clone(),
            device_info: self.options.device_info.clone(),
        };

        let mut attempt = 0;
        let reply = loop {
            attempt += 1;
            match self.gateway.unified_order(&request, &order.nonce_str).await {
                Ok(reply) => break reply,
                Err(err) if err.is_transient() && attempt < self.options.unified_order_attempts => {
                    tracing::warn!(out_trade_no = %out_trade_no, attempt, error = %err, "unifiedorder failed; retrying with the same fields");
                }
                Err(err) => {
                    if err.is_transient() {
                        // The gateway may hold the order; the poller settles it.
                        self.transition(
                            &out_trade_no,
                            &[OrderState::Created],
                            OrderState::Unknown,
                            "unifiedorder outcome unknown after retries",
                        )
                        .await?;
                        self.spawn_poller(out_trade_no.clone(), order.expires_at_ms);
                    } else {
                        self.transition(
                            &out_trade_no,
                            &[OrderState::Created],
                            OrderState::Failed,
                            "unifiedorder rejected",
                        )
                        .await?;
                    }
                    return Err(ChargeError::Gateway {
                        out_trade_no,
                        source: err,
                    });
                }
            }
        };

        let store = self.store.clone();
        let (key, prepay_id, code_url) = (
            out_trade_no.clone(),
            reply.prepay_id.clone(),
            reply.code_url.clone(),
        );
        blocking(move || store.set_prepared(&key, &prepay_id, &code_url)).await?;
        self.publish(&out_trade_no, OrderState::AwaitingPayment, None);
        self.spawn_poller(out_trade_no.clone(), order.expires_at_ms);
        tracing::info!(out_trade_no = %out_trade_no, sale_id = %order.sale_id, total_fee = order.total_fee.fen(), "order created");

        Ok(PendingOrder {
            out_trade_no,
            code_url: reply.code_url,
            amount: order.total_fee,
            body: order.body.clone(),
            expires_at: chrono::DateTime::from_timestamp_millis(order.expires_at_ms)
                .unwrap_or_else(Utc::now),
        })
    }

    /// Closes an unpaid order with closeorder. Returns the order's state afterwards: `closed`,
    /// or `paid` when the gateway returned ORDERPAID and orderquery confirmed the payment.
    pub async fn cancel(
        self: &Arc<Self>,
        out_trade_no: &str,
    ) -> Result<OrderState, LifecycleError> {
        match self.gateway.close_order(out_trade_no).await {
            Ok(()) => {}
            Err(err) if err.err_code() == Some("ORDERCLOSED") => {}
            Err(err) if err.err_code() == Some("ORDERPAID") => {
                tracing::warn!(
                    out_trade_no,
                    "closeorder answered ORDERPAID; confirming the payment"
                );
                return self.query_and_confirm(out_trade_no).await;
            }
            Err(err) => return Err(err.into()),
        }
        self.transition(
            out_trade_no,
            OPEN_STATES,
            OrderState::Closed,
            "closed by the cashier",
        )
        .await?;
        self.current_state(out_trade_no).await
    }

    /// Asks the gateway for the order's state and applies it: SUCCESS with the order's amount
    /// confirms the payment, CLOSED closes it, PAYERROR fails it. An order whose unifiedorder
    /// outcome was unknown is closed when the gateway holds it unpaid, because no customer saw its
    /// QR code, and failed when the gateway does not know it. Returns the local state.
    pub async fn query_and_confirm(
        self: &Arc<Self>,
        out_trade_no: &str,
    ) -> Result<OrderState, LifecycleError> {
        self.check_payment(out_trade_no)
            .await
            .map(|(state, _)| state)
    }

    /// Does what [`PaymentService::query_and_confirm`] does and also returns the gateway's
    /// `trade_state` (`None` when the gateway does not know the order), for a cashier's
    /// manual check (转手工确认).
    pub async fn check_payment(
        self: &Arc<Self>,
        out_trade_no: &str,
    ) -> Result<(OrderState, Option<TradeState>), LifecycleError> {
        let local_state = self.current_state(out_trade_no).await?;
        let reply = match self.gateway.order_query(out_trade_no).await {
            Ok(reply) => reply,
            Err(err)
                if local_state == OrderState::Unknown
                    && err.err_code() == Some("ORDERNOTEXIST") =>
            {
                self.transition(
                    out_trade_no,
                    &[OrderState::Unknown],
                    OrderState::Failed,
                    "unifiedorder never reached the gateway",
                )
                .await?;
                return Ok((self.current_state(out_trade_no).await?, None));
            }
            Err(err) => return Err(err.into()),
        };

        match reply.trade_state {
            TradeState::Success => {
                let payment = payment_from_query(&reply)?;
                let recorded = self.confirm(payment).await?;
                if recorded == Recorded::Already {
                    tracing::debug!(
                        out_trade_no,
                        "orderquery confirmed a payment already recorded"
                    );
                }
            }
            TradeState::NotPay if local_state == OrderState::Unknown => {
                // Boxed because closing may find the order paid and query it again.
                let state = Box::pin(self.cancel(out_trade_no)).await?;
                return Ok((state, Some(reply.trade_state)));
            }
            TradeState::Refund
                if matches!(
                    local_state,
                    OrderState::Paid | OrderState::PartlyRefunded | OrderState::Refunded
                ) =>
            {
                tracing::debug!(out_trade_no, "orderquery reports REFUND for a paid order");
            }
            TradeState::Refund => {
                // Only SUCCESS counts as evidence of payment, so an order refunded before this
                // app saw it paid is left for the manager to settle from the daily bill.
                tracing::warn!(
                    out_trade_no,
                    "orderquery reports REFUND for an order not recorded as paid"
                );
            }
            TradeState::Closed | TradeState::Revoked => {
                self.transition(
                    out_trade_no,
                    OPEN_STATES,
                    OrderState::Closed,
                    "orderquery reported CLOSED",
                )
                .await?;
            }
            TradeState::PayError => {
                self.transition(
                    out_trade_no,
                    OPEN_STATES,
                    OrderState::Failed,
                    "orderquery reported PAYERROR",
                )
                .await?;
            }
            TradeState::NotPay | TradeState::UserPaying | TradeState::Other(_) => {}
        }
        Ok((
            self.current_state(out_trade_no).await?,
            Some(reply.trade_state),
        ))
    }

    async fn current_state(&self, out_trade_no: &str) -> Result<OrderState, LifecycleError> {
        let order = self.order(out_trade_no).await?;
        Ok(order.map(|order| order.state).unwrap_or(OrderState::Failed))
    }
}

/// Turns an orderquery SUCCESS into payment evidence; `trade_state` alone is not enough, the
/// reply must also carry the transaction id and amount.
fn payment_from_query(reply: &OrderQueryReply) -> Result<PaymentRecord, LifecycleError> {
    let missing = |field| LifecycleError::IncompletePayment {
        out_trade_no: reply.out_trade_no.clone(),
        field,
    };
    Ok(PaymentRecord {
        out_trade_no: reply.out_trade_no.clone(),
        transaction_id: reply
            .transaction_id
            .clone()
            .ok_or_else(|| missing("transaction_id"))?,
        total_fee: reply.total_fee.ok_or_else(|| missing("total_fee"))?,
        cash_fee: reply.cash_fee,
        time_end: reply.time_end.clone().unwrap_or_default(),
        source: PaymentSource::OrderQuery,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_cut_on_a_character_boundary() {
        let long = "奶".repeat(50); // 150 bytes
        let cut = truncate_body(&long);
        assert_eq!(cut.len(), 126);
        assert!(cut.chars().all(|c| c == '奶'));
        assert_eq!(truncate_body("short"), "short");
    }

    #[test]
    fn out_trade_no_fits_the_protocol() {
        let number = new_out_trade_no();
        assert_eq!(number.len(), 20);
        assert!(number.bytes().all(|b| b.is_ascii_digit()));
    }
}
