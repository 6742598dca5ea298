//! Forwards paid Native mode-1 sales (orders a customer started by scanning a printed product
//! QR code) to the cashier screen, which did not start them and so is not watching them.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc};

use crate::orders::{OrderEvent, PaymentService};
use crate::store::OrderState;
use crate::ui::bridge::Update;

/// Sends [`Update::ScanSalePaid`] for every order with an `openid` (only scan callbacks set
/// one) that becomes paid, until the service or the screen goes away.
///
/// NOTE: a subscriber that lags more than the event channel's capacity behind misses events.
/// A scan sale paid in such a gap is recorded but not shown on the screen.
pub(super) async fn forward_scan_sales(
    service: Arc<PaymentService>,
    updates: mpsc::Sender<Update>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    let mut events = service.subscribe();
    loop {
        let event: OrderEvent = match events.recv().await {
            Ok(event) => event,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "order events missed; some scan sales may not be shown"
                );
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if event.state != OrderState::Paid {
            continue;
        }
        let order = match service.order(&event.out_trade_no).await {
            Ok(Some(order)) if order.openid.is_some() => order,
            Ok(_) => continue,
            Err(err) => {
                tracing::error!(out_trade_no = %event.out_trade_no, error = %err, "cannot read a paid order to show it");
                continue;
            }
        };
        let update = Update::ScanSalePaid {
            out_trade_no: order.out_trade_no,
            transaction_id: event
                .transaction_id
                .or(order.transaction_id)
                .unwrap_or_default(),
            amount: order.total_fee,
            body: order.body,
        };
        if updates.send(update).await.is_err() {
            return;
        }
        repaint();
    }
}
