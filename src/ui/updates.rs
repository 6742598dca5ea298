//! Applies the command runner's [`Update`]s to the screen state.

use tokio::sync::mpsc::error::TryRecvError;

use super::bridge::Update;
use super::qr::QrMatrix;
use super::{CashierApp, Message, Screen};

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
                self.screen = Screen::Paid {
                    out_trade_no,
                    transaction_id,
                    amount,
                    shown_at_secs: now_secs,
                };
            }

            Update::Closed { out_trade_no } => {
                if self.is_awaiting(&out_trade_no) {
                    self.in_flight = None;
                    self.back_to_entry(Some(Message::OrderClosed));
                }
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
        }
    }

    /// Returns whether the screen shows the QR code of `out_trade_no`. Updates about other orders
    /// (a late close after a payment, say) are stale and change nothing.
    fn is_awaiting(&self, out_trade_no: &str) -> bool {
        matches!(&self.screen, Screen::Awaiting { order, .. } if order.out_trade_no == out_trade_no)
    }

    /// Shows the entry screen with the amount and description kept, for charging again.
    pub(super) fn back_to_entry(&mut self, message: Option<Message>) {
        self.screen = Screen::Entry;
        self.message = message;
        self.form.focus_amount = true;
    }
}
