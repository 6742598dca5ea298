//! Writing the receipt of a paid order: a short link for its QR code, the PDF, the row.

use std::sync::Arc;

use super::PaymentService;
use crate::printer::{
    ShopDetails, checkout_slip_model, paid_receipt_model, print_receipt, short_link,
};
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
        let shop = self.shop_details();
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

        let printer = self.printer();
        if printer.prints_automatically() {
            match print_receipt(&printer, &model).await {
                Ok(()) => tracing::info!(out_trade_no, "receipt printed"),
                // The payment is kept; the cashier can reprint with `wxpay-pos reprint`.
                Err(err) => {
                    let detail = crate::error_text::error_chain(&err);
                    tracing::error!(out_trade_no, error = %detail, "cannot print the receipt");
                    // A broadcast send fails only when nothing subscribed, as in a command-line
                    // run, and then nobody is waiting for the failure.
                    let _ = self.print_failures.send(super::ReceiptPrintFailure {
                        out_trade_no: out_trade_no.to_owned(),
                        detail,
                    });
                }
            }
        }
    }
}

/// The destination a checkout slip went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlipOutput {
    /// Sent to the configured printer.
    Printed,
    /// No printer is configured, so the slip was saved as a PDF at this path.
    Saved(std::path::PathBuf),
}

/// A reason a checkout slip was not printed.
#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    #[error(transparent)]
    Lifecycle(#[from] super::LifecycleError),
    #[error("order {out_trade_no} is not known here")]
    UnknownOrder { out_trade_no: String },
    #[error(transparent)]
    Job(#[from] crate::printer::JobError),
    #[error(transparent)]
    Print(#[from] crate::printer::PrintError),
    #[error(transparent)]
    Pdf(#[from] crate::receipt::ReceiptError),
    #[error("the PDF task stopped unexpectedly")]
    TaskFailed(#[source] tokio::task::JoinError),
    #[error("no printer is configured in [printer]")]
    NoPrinter,
}

impl PaymentService {
    /// Prints a paid order's receipt again on the current printer, identical to the first
    /// (the model is rebuilt from the stored order, payment and receipt link).
    pub async fn reprint_receipt(&self, out_trade_no: &str) -> Result<(), SlipError> {
        let printer = self.printer();
        if !printer.is_enabled() {
            return Err(SlipError::NoPrinter);
        }
        let store = self.store.clone();
        let shop = self.shop_details();
        let key = out_trade_no.to_owned();
        let model = tokio::task::spawn_blocking(move || {
            crate::printer::paid_receipt_from_store(&store, &key, &shop)
        })
        .await
        .map_err(SlipError::TaskFailed)??;
        print_receipt(&printer, &model).await?;
        tracing::info!(out_trade_no, "receipt printed again");
        Ok(())
    }

    /// Returns the shop as receipts and slips print it.
    fn shop_details(&self) -> ShopDetails {
        ShopDetails {
            merchant_name: self.options.merchant_name.clone(),
            terminal_id: self.options.device_info.clone(),
            footer: self.printer().config().footer.clone(),
            demo_mode: self.options.demo_mode,
        }
    }

    /// Prints the checkout slip (结账小票) of an order awaiting payment: its payment QR code
    /// (the short link of its `code_url` when shorturl succeeds) and expiry, so a customer can
    /// scan the paper. Without a printer the slip is saved as a PDF in the receipt folder.
    pub async fn print_checkout_slip(&self, out_trade_no: &str) -> Result<SlipOutput, SlipError> {
        let order = self
            .order(out_trade_no)
            .await?
            .ok_or_else(|| SlipError::UnknownOrder {
                out_trade_no: out_trade_no.to_owned(),
            })?;
        let qr_payload = match &order.code_url {
            Some(code_url) => short_link(&self.gateway, code_url).await,
            None => String::new(),
        };
        let model = checkout_slip_model(&order, qr_payload, &self.shop_details())?;

        let printer = self.printer();
        if printer.is_enabled() {
            print_receipt(&printer, &model).await?;
            return Ok(SlipOutput::Printed);
        }
        let dir = self.options.receipt_dir.clone();
        let path = tokio::task::spawn_blocking(move || write_model_pdf(&model, &dir))
            .await
            .map_err(SlipError::TaskFailed)??;
        Ok(SlipOutput::Saved(path))
    }
}

#[derive(Debug, thiserror::Error)]
enum ReceiptWriteError {
    #[error(transparent)]
    Pdf(#[from] crate::receipt::ReceiptError),
    #[error("cannot save the receipt row")]
    Store(#[source] crate::store::StoreError),
}
