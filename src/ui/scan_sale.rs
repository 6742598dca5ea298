//! Showing a paid product QR sale (Native mode 1). The customer started it by scanning a
//! printed code, so the cashier learns of it only here: as the paid screen when the counter is
//! idle, or as a notice that leaves a sale in progress untouched.

use super::{CashierApp, Message, Screen};
use crate::money::Fen;

impl CashierApp {
    /// Applies [`super::bridge::Update::ScanSalePaid`].
    pub(super) fn show_scan_sale(
        &mut self,
        out_trade_no: String,
        transaction_id: String,
        amount: Fen,
        body: String,
        now_secs: f64,
    ) {
        tracing::debug!(%out_trade_no, "showing a paid product QR sale");
        self.message = Some(Message::ScanSalePaid { body, amount });
        if self.is_idle() {
            self.screen = Screen::Paid {
                out_trade_no,
                transaction_id,
                amount,
                shown_at_secs: now_secs,
            };
        }
    }

    /// Returns whether the sale screen is up with nothing typed or in the cart and no command
    /// in flight, so showing another screen loses nothing.
    fn is_idle(&self) -> bool {
        matches!(self.screen, Screen::Entry)
            && self.in_flight.is_none()
            && self.cart.is_empty()
            && self.form.amount_text.is_empty()
            && self.form.discount_text.is_empty()
            && self.form.description == self.lang.texts().default_description
    }
}
