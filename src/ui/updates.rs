//! Applies the command runner's [`Update`]s to the screen state.

use tokio::sync::mpsc::error::TryRecvError;

use super::bridge::Update;
use super::cart::Cart;
use super::qr::QrMatrix;
use super::{CashierApp, Field, Message, Screen};

impl CashierApp {
    /// Applies every update that has arrived, without blocking.
    pub(super) fn drain_updates(&mut self, now_secs: f64) {
        loop {
            match self.bridge.updates.try_recv() {
                Ok(update) => self.apply_update(update, now_secs),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !self.updates_closed {
                        self.updates_closed = true;
                        self.in_flight = None;
                        self.message = Some(Message::BackendStopped);
                    }
                    break;
                }
            }
        }
    }

    fn apply_update(&mut self, update: Update, now_secs: f64) {
        match update {
            Update::OrderCreated(order) => {
                tracing::debug!(out_trade_no = %order.out_trade_no, "showing the QR code");
                let qr = QrMatrix::encode(&order.code_url);
                self.in_flight = None;
                self.message = None;
                self.screen = Screen::Awaiting { order, qr };
            }

            // A payment is shown even if the cashier moved on: the customer's money was taken.
            Update::Paid {
                out_trade_no,
                transaction_id,
                amount,
            } => {
                self.in_flight = None;
                self.message = None;
                // The sale is settled: a crash from here on must not bring the cart back.
                self.clear_sale();
                self.screen = Screen::Paid {
                    out_trade_no,
                    transaction_id,
                    amount,
                    shown_at_secs: now_secs,
                };
            }

            Update::ScanSalePaid {
                out_trade_no,
                transaction_id,
                amount,
                body,
            } => self.show_scan_sale(out_trade_no, transaction_id, amount, body, now_secs),

            Update::ReceiptNotPrinted {
                out_trade_no,
                detail,
            } => {
                match self
                    .unprinted_receipts
                    .iter_mut()
                    .find(|receipt| receipt.out_trade_no == out_trade_no)
                {
                    Some(receipt) => receipt.detail = detail,
                    None => self.unprinted_receipts.push(super::UnprintedReceipt {
                        out_trade_no,
                        detail,
                    }),
                }
            }
            Update::ReceiptReprinted { out_trade_no } => {
                self.unprinted_receipts
                    .retain(|receipt| receipt.out_trade_no != out_trade_no);
            }

            Update::Closed { out_trade_no } => {
                if self.is_awaiting(&out_trade_no) {
                    self.in_flight = None;
                    self.back_to_entry(Some(Message::OrderClosed));
                }
            }

            Update::NotPaidYet {
                out_trade_no,
                trade_state,
            } => {
                if self.is_awaiting(&out_trade_no) || matches!(self.screen, Screen::ManualCheck) {
                    self.in_flight = None;
                    self.message = Some(Message::NotPaidYet(trade_state));
                }
            }

            Update::TestPagePrinted => self.message = Some(Message::TestPagePrinted),

            Update::OpenOrders(orders) => self.open_orders = orders,

            Update::AlreadyPaid {
                transaction_id,
                paid_at,
                ..
            } => {
                self.in_flight = None;
                self.message = Some(Message::AlreadyPaid(format!("{transaction_id}  {paid_at}")));
            }

            Update::SlipPrinted { saved_to } => {
                self.in_flight = None;
                self.message = Some(Message::SlipPrinted(saved_to));
            }

            Update::Expired { out_trade_no } => {
                if self.is_awaiting(&out_trade_no) {
                    self.in_flight = None;
                    self.back_to_entry(Some(Message::OrderExpired));
                }
            }

            Update::Failed(problem) => {
                self.in_flight = None;
                self.message = Some(Message::Problem(problem));
            }

            Update::CatalogueLoaded { products } => {
                tracing::debug!(products = products.len(), "catalogue loaded");
                self.catalogue.set_products(products);
            }
            Update::CartRestored(saved) => {
                // Only an untouched screen takes the saved cart; the cashier's edits win.
                if self.cart.is_empty() && self.form.amount_text.is_empty() {
                    self.cart = Cart::from_saved(&saved);
                    self.form.amount_text = saved.amount_text;
                    self.form.description = saved.description;
                    if saved.discount.fen() > 0 {
                        self.form.discount_text = saved.discount.to_string();
                    }
                }
            }
            Update::ProductSaved(product) => {
                self.settings.editor_saved(&product);
                self.catalogue.upsert(product);
                self.message = Some(Message::ProductSaved);
            }
            Update::ProductRejected { field, detail } => {
                self.message = Some(Message::ProductRejected { field, detail });
            }
            Update::ProductDeleted { id } => {
                self.catalogue.remove(id);
                self.settings.editor_deleted(id);
                self.message = Some(Message::ProductDeleted);
            }
            Update::SettingsSaved { printer_summary } => {
                self.settings.saving = false;
                self.printer_summary = printer_summary;
                self.settings.form.api_key_saved |= !self.settings.form.api_key.is_empty();
                self.settings.form.api_key.clear();
                self.settings.form.manager_pin_saved |= !self.settings.form.manager_pin.is_empty();
                self.settings.form.manager_pin.clear();
                self.merchant_name = self.settings.form.shop_name.clone();
                self.message = Some(Message::SettingsSaved);
            }
            Update::SettingsRejected { key, reason } => {
                self.settings.saving = false;
                self.message = Some(Message::SettingsRejected { key, reason });
            }
            Update::Manager(update) => self.manager.apply(update),
        }
    }

    /// Returns whether the screen shows the QR code of `out_trade_no`. Updates about other orders
    /// (a late close after a payment, say) are stale and change nothing.
    fn is_awaiting(&self, out_trade_no: &str) -> bool {
        matches!(&self.screen, Screen::Awaiting { order, .. } if order.out_trade_no == out_trade_no)
    }

    /// Shows the sale screen with the cart and fields kept, for charging again.
    pub(super) fn back_to_entry(&mut self, message: Option<Message>) {
        self.screen = Screen::Entry;
        self.message = message;
        self.form.focus = Some(Field::Amount);
    }
}
