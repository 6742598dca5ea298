//! Tells the cashier screen when a paid receipt did not print, so a printer that is off or
//! out of paper is noticed at the counter and not only in the log.

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc};

use crate::orders::PaymentService;
use crate::ui::bridge::Update;

/// Sends [`Update::ReceiptNotPrinted`] for every automatic receipt print that failed, until
/// the service or the screen goes away.
pub(super) async fn forward_print_failures(
    service: Arc<PaymentService>,
    updates: mpsc::Sender<Update>,
    repaint: Arc<dyn Fn() + Send + Sync>,
) {
    let mut failures = service.subscribe_print_failures();
    drop(service);
    loop {
        let failure = match failures.recv().await {
            Ok(failure) => failure,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "receipt print failures missed by the screen");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let update = Update::ReceiptNotPrinted {
            out_trade_no: failure.out_trade_no,
            detail: failure.detail,
        };
        if updates.send(update).await.is_err() {
            return;
        }
        repaint();
    }
}
