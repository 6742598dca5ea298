//! Writing the receipt of a paid order: a short link for its QR code, the PDF, the row.

use std::sync::Arc;

use super::PaymentService;
use crate::printer::{ShopDetails, paid_receipt_model, print_receipt};
use crate::protocol::messages::{beijing, parse_protocol_time};
use crate::receipt::{ReceiptData, write_model_pdf};

impl PaymentService {
    /// Writes the receipt PDF and row for a paid order. Failures are logged: the payment is
    /// already committed and a receipt can be printed again later.
    pub(super) async fn write_receipt(self: &Arc<Self>, out_trade_no: &str) {
        let order = match self.order(out_trade_no).await {
            Ok(Some(order)) => order,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(out_trade_no, error = %err, "cannot load the paid order for its receipt");
                return;
            }
        };
        let long_link = order
            .code_url
            .clone()
            .unwrap_or_else(|| order.out_trade_no.clone());
        let qr_link = match self.gateway.short_url(&long_link).await {
            Ok(short) => short,
            Err(err) => {
                tracing::warn!(out_trade_no, error = %err, "shorturl failed; the receipt uses the long link");
                long_link
            }
        };

        let store = self.store.clone();
        let key = out_trade_no.to_owned();
        let time_end = match super::blocking(move || store.payment_time_end(&key)).await {
            Ok(time_end) => time_end,
            Err(err) => {
                tracing::error!(out_trade_no, error = %err, "cannot load the payment for its receipt");
                return;
            }
        };
        let paid_at = time_end
            .as_deref()
            .and_then(parse_protocol_time)
            .unwrap_or_else(chrono::Utc::now)
            .with_timezone(&beijing());

        let data = ReceiptData {
            merchant_name: self.options.merchant_name.clone(),
            out_trade_no: order.out_trade_no.clone(),
            transaction_id: order.transaction_id.clone().unwrap_or_default(),
            body: order.body.clone(),
            amount: order.total_fee,
            paid_at,
            qr_link: qr_link.clone(),
            demo_mode: self.options.demo_mode,
        };
        let shop = ShopDetails {
            merchant_name: self.options.merchant_name.clone(),
            terminal_id: self.options.device_info.clone(),
            footer: self.options.printer.config().footer.clone(),
            demo_mode: self.options.demo_mode,
        };
        // The saved PDF and the printed slip come from one model, so a reprint matches both.
        let model = paid_receipt_model(&data, &shop);
        let store = self.store.clone();
        let dir = self.options.receipt_dir.clone();
        let key = out_trade_no.to_owned();
        let pdf_model = model.clone();
        let written = tokio::task::spawn_blocking(move || {
            let path = write_model_pdf(&pdf_model, &dir)?;
            store
                .insert_receipt(&key, &qr_link, &path.to_string_lossy())
                .map_err(ReceiptWriteError::Store)?;
            Ok::<_, ReceiptWriteError>(path)
        })
        .await;
        match written {
            Ok(Ok(path)) => tracing::info!(out_trade_no, path = %path.display(), "receipt written"),
            Ok(Err(err)) => tracing::error!(out_trade_no, error = %err, "cannot write the receipt"),
            Err(err) => tracing::error!(out_trade_no, error = %err, "receipt task stopped"),
        }

        if self.options.printer.prints_automatically() {
            match print_receipt(&self.options.printer, &model).await {
                Ok(()) => tracing::info!(out_trade_no, "receipt printed"),
                // The payment stands; the cashier can reprint with `wxpay-pos reprint`.
                Err(err) => tracing::error!(out_trade_no, error = %err, "cannot print the receipt"),
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum ReceiptWriteError {
    #[error(transparent)]
    Pdf(#[from] crate::receipt::ReceiptError),
    #[error("cannot save the receipt row")]
    Store(#[source] crate::store::StoreError),
}
