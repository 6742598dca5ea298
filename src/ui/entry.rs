//! The sale screen: product quick keys on the left, the cart in the middle, and the amount,
//! keypad and charge button on the right. This file lays out the three parts and handles
//! the shortcuts that work anywhere on the screen.

use egui::{Key, Ui};

use super::{Action, CashierApp, Field, InFlight};

/// Width of the cart column.
const CART_PANEL_WIDTH: f32 = 340.0;
/// Width of the amount and keypad column.
const PAY_PANEL_WIDTH: f32 = 300.0;
/// A code of at least this many digits typed into the amount field is a barcode: the amount
/// limit of 1000000.00 yuan has at most 7 digits before the point, and EAN-8 has 8.
pub(super) const MIN_BARCODE_DIGITS_IN_AMOUNT: usize = 8;

impl CashierApp {
    /// Shows the sale screen. Returns the action the cashier chose with the mouse, a touch or
    /// a shortcut: F1 charges, F2 focuses the barcode field, F3 the amount, F4 the discount,
    /// F6 opens the manual check, F7 the manager screen, F8 clears the cart, F10 opens the
    /// settings, and Esc clears the barcode and amount.
    pub(super) fn entry_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let charging = self.in_flight == Some(InFlight::Charge);
        let mut action = None;

        let pay_action = egui::Panel::right("sale_pay_panel")
            .resizable(false)
            .exact_size(PAY_PANEL_WIDTH)
            .show(ui, |ui| self.pay_panel_ui(ui, charging))
            .inner;
        let cart_action = egui::Panel::right("sale_cart_panel")
            .resizable(false)
            .exact_size(CART_PANEL_WIDTH)
            .show(ui, |ui| self.cart_panel_ui(ui, charging))
            .inner;
        let keys_action = self.quick_keys_ui(ui, charging);
        for chosen in [keys_action, cart_action, pay_action].into_iter().flatten() {
            action = Some(chosen);
        }

        if charging {
            return action;
        }
        let shortcut = ui.input(|input| {
            if input.key_pressed(Key::F1) {
                Some(Action::Charge)
            } else if input.key_pressed(Key::F8) {
                Some(Action::ClearCart)
            } else if input.key_pressed(Key::F10) {
                Some(Action::OpenSettings)
            } else if input.key_pressed(Key::F6) {
                Some(Action::OpenManualCheck)
            } else if input.key_pressed(Key::F7) {
                Some(Action::OpenManager)
            } else {
                None
            }
        });
        let focus = ui.input(|input| {
            if input.key_pressed(Key::F2) {
                Some(Field::Barcode)
            } else if input.key_pressed(Key::F3) {
                Some(Field::Amount)
            } else if input.key_pressed(Key::F4) {
                Some(Field::Discount)
            } else {
                None
            }
        });
        if focus.is_some() {
            self.form.focus = focus;
        }
        if ui.input(|input| input.key_pressed(Key::Escape)) {
            self.form.barcode_text.clear();
            self.form.amount_text.clear();
            self.form.focus = Some(Field::Amount);
            self.cart_unsaved = true;
        }
        shortcut.or(action)
    }
}

/// Returns whether `text` typed into the amount field is a scanned barcode, not an amount.
pub(super) fn looks_like_barcode(text: &str) -> bool {
    let text = text.trim();
    text.len() >= MIN_BARCODE_DIGITS_IN_AMOUNT && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_digit_runs_are_barcodes() {
        assert!(looks_like_barcode("6901234567892"));
        assert!(looks_like_barcode("12345678"));
        assert!(!looks_like_barcode("1234567"));
        assert!(!looks_like_barcode("19.90"));
        assert!(!looks_like_barcode("12345678.5"));
    }
}
