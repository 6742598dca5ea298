//! The manual check screen (转手工确认): the cashier types or picks an `out_trade_no` and
//! the app asks WeChat Pay (orderquery) whether it is paid. Only the gateway's SUCCESS
//! confirms a payment; nothing here marks an order paid by hand.

use egui::{Button, Key, RichText, Ui, Vec2};

use super::settings::labelled_field;
use super::widgets::shortcut_button;
use super::{Action, CashierApp};

const PICK_BUTTON_SIZE: Vec2 = Vec2::new(520.0, 32.0);

impl CashierApp {
    /// Shows the manual check screen. Esc or the back button returns to the sale.
    pub(super) fn manual_check_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let texts = self.lang.texts();
        let idle = self.in_flight.is_none();
        let mut action = None;

        ui.horizontal(|ui| {
            ui.label(RichText::new(texts.manual_check_title).size(24.0).strong());
            ui.add_space(24.0);
            let back = shortcut_button(
                ui,
                true,
                RichText::new(texts.back_button),
                "Esc",
                Vec2::new(140.0, 32.0),
            );
            if back.clicked() {
                action = Some(Action::CloseManualCheck);
            }
        });
        ui.label(RichText::new(texts.manual_check_note).weak());
        ui.separator();

        let field = labelled_field(
            ui,
            texts.out_trade_no_label,
            &mut self.manual_check_no,
            false,
        );
        let typed = self.manual_check_no.trim().to_owned();
        // Enter in the field checks the order, as a barcode scanner ends its number with Enter.
        let entered = field.lost_focus() && ui.input(|input| input.key_pressed(Key::Enter));
        // The field takes the keyboard whenever nothing else has it: when the screen opens
        // and after Enter, so the next number can be typed or scanned at once.
        if ui.memory(|memory| memory.focused().is_none()) {
            field.request_focus();
        }
        let check = Button::new(RichText::new(texts.check_payment_button).size(18.0))
            .min_size(Vec2::new(180.0, 40.0));
        let clicked = ui.add_enabled(idle && !typed.is_empty(), check).clicked();
        if (clicked || entered) && idle && !typed.is_empty() {
            action = Some(Action::CheckOrder(typed));
        }
        if idle && self.in_flight.is_none() && ui.input(|input| input.key_pressed(Key::Escape)) {
            action = Some(Action::CloseManualCheck);
        }
        if !idle {
            ui.label(texts.checking_payment);
        }

        ui.add_space(12.0);
        ui.label(RichText::new(texts.open_orders_title).strong());
        if self.open_orders.is_empty() {
            ui.label(RichText::new(texts.open_orders_empty).weak());
        }
        for order in &self.open_orders {
            let text = format!("{}  ￥{}  {}", order.out_trade_no, order.amount, order.body);
            let pick = Button::new(text).min_size(PICK_BUTTON_SIZE);
            if ui.add_enabled(idle, pick).clicked() {
                self.manual_check_no = order.out_trade_no.clone();
                action = Some(Action::CheckOrder(order.out_trade_no.clone()));
            }
        }
        action
    }
}
