//! The orderquery fallback. While an order awaits payment and no notification has settled it,
//! orderquery runs on a backing-off schedule. At expiry the order is closed with closeorder.

use std::sync::Arc;
use std::time::Duration;

use super::PaymentService;

/// Longest time a new charge waits for start-up reconciliation of open orders.
pub const RECONCILE_WAIT: Duration = Duration::from_secs(15);
use crate::store::OrderState;

impl PaymentService {
    /// Starts the poller for one order on the current runtime.
    pub(super) fn spawn_poller(self: &Arc<Self>, out_trade_no: String, expires_at_ms: i64) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            service
                .poll_until_settled(&out_trade_no, expires_at_ms)
                .await
        });
    }

    /// Reconciles every open order by orderquery (for example after a crash) and starts
    /// pollers for those still unpaid. Returns the number of orders resumed.
    pub async fn resume_open_orders(self: &Arc<Self>) -> usize {
        self.reconciled.send_replace(false);
        let resumed = self.reconcile_open_orders().await;
        self.reconciled.send_replace(true);
        resumed
    }

    /// Starts [`PaymentService::resume_open_orders`] on the runtime. New charges wait for it
    /// from the moment this returns (at most [`RECONCILE_WAIT`]).
    pub fn start_reconciliation(self: &Arc<Self>) -> tokio::task::JoinHandle<usize> {
        self.reconciled.send_replace(false);
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let resumed = service.resume_open_orders().await;
            tracing::info!(resumed, "open orders reconciled");
            resumed
        })
    }

    /// Waits until start-up reconciliation has finished, or [`RECONCILE_WAIT`] has passed
    /// (an unreachable gateway must not stop the counter for long: the pollers go on).
    pub(super) async fn wait_for_reconciliation(&self) {
        let mut reconciled = self.reconciled.subscribe();
        let wait = reconciled.wait_for(|done| *done);
        if tokio::time::timeout(RECONCILE_WAIT, wait).await.is_err() {
            tracing::warn!("start-up reconciliation still running; taking the new payment anyway");
        }
    }

    async fn reconcile_open_orders(self: &Arc<Self>) -> usize {
        let store = self.store.clone();
        let open = match super::blocking(move || store.open_orders()).await {
            Ok(open) => open,
            Err(err) => {
                tracing::error!(error = %err, "cannot list open orders to reconcile");
                return 0;
            }
        };
        for order in &open {
            if let Err(err) = self.query_and_confirm(&order.out_trade_no).await {
                tracing::warn!(out_trade_no = %order.out_trade_no, error = %err, "reconciling an open order failed; the poller retries");
            }
            self.spawn_poller(order.out_trade_no.clone(), order.expires_at_ms);
        }
        open.len()
    }

    async fn poll_until_settled(self: Arc<Self>, out_trade_no: &str, expires_at_ms: i64) {
        let mut events = self.subscribe();
        let intervals = self.options.query_intervals.clone();
        let mut step = 0;

        loop {
            let delay = intervals
                .get(step)
                .or(intervals.last())
                .copied()
                .unwrap_or(Duration::from_secs(30));
            step += 1;
            let until_expiry_ms = expires_at_ms - chrono::Utc::now().timestamp_millis();
            let delay = delay.min(Duration::from_millis(until_expiry_ms.max(0) as u64));

            // A committed state change for this order ends the wait early.
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = &mut sleep => break,
                    event = events.recv() => match event {
                        Ok(event) if event.out_trade_no == out_trade_no && !event.state.is_open() => return,
                        Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    },
                }
            }

            match self.order(out_trade_no).await {
                Ok(Some(order)) if order.state.is_open() => {}
                Ok(_) => return,
                Err(err) => {
                    tracing::error!(out_trade_no, error = %err, "poller cannot read the order");
                    continue;
                }
            }

            if chrono::Utc::now().timestamp_millis() >= expires_at_ms {
                self.expire(out_trade_no).await;
                return;
            }
            match self.query_and_confirm(out_trade_no).await {
                Ok(state) if !state.is_open() => return,
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(out_trade_no, error = %err, "orderquery failed; will retry")
                }
            }
        }
    }

    /// Closes an order that passed its expiry. A payment found on the way is recorded.
    async fn expire(self: &Arc<Self>, out_trade_no: &str) {
        match self.query_and_confirm(out_trade_no).await {
            Ok(state) if !state.is_open() => return,
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(out_trade_no, error = %err, "orderquery before expiry close failed")
            }
        }
        match self.gateway.close_order(out_trade_no).await {
            Ok(()) => {}
            Err(err) if err.err_code() == Some("ORDERCLOSED") => {}
            Err(err) if err.err_code() == Some("ORDERPAID") => {
                if let Err(err) = self.query_and_confirm(out_trade_no).await {
                    tracing::error!(out_trade_no, error = %err, "closeorder returned ORDERPAID but the payment could not be confirmed");
                }
                return;
            }
            Err(err) => {
                tracing::warn!(out_trade_no, error = %err, "closeorder at expiry failed; marking the order expired locally");
            }
        }
        let open = super::charge::OPEN_STATES;
        if let Err(err) = self
            .transition(out_trade_no, open, OrderState::Expired, "expired unpaid")
            .await
        {
            tracing::error!(out_trade_no, error = %err, "cannot mark the order expired");
        }
    }
}
