//! The paid screen: the amount received and the WeChat Pay transaction id.

use std::time::Duration;

use egui::{Button, Key, RichText, Ui, Vec2};

use super::{Action, CashierApp, PAID_SCREEN_SECS, Screen};
use crate::i18n::auto_return_text;

/// Color of the success heading, readable on both egui themes.
const PAID_COLOR: egui::Color32 = egui::Color32::from_rgb(7, 193, 96);
const NEW_SALE_BUTTON_SIZE: Vec2 = Vec2::new(240.0, 64.0);

impl CashierApp {
    /// Shows the payment. Returns [`Action::NewSale`] for the button, Enter, or when
    /// [`PAID_SCREEN_SECS`] have passed since the payment was shown.
    pub(super) fn paid_ui(&self, ui: &mut Ui, now_secs: f64) -> Option<Action> {
        let Screen::Paid {
            out_trade_no,
            transaction_id,
            amount,
            shown_at_secs,
        } = &self.screen
        else {
            return None;
        };
        let texts = self.lang.texts();
        let mut action = None;

        let secs_left = PAID_SCREEN_SECS - (now_secs - shown_at_secs);
        if secs_left <= 0.0 {
            // Nothing was drawn this frame, so the sale screen must be drawn at once.
            ui.ctx().request_repaint();
            return Some(Action::NewSale);
        }
        // Wake up when the shown whole second changes.
        let until_next_second = secs_left - secs_left.floor();
        ui.ctx()
            .request_repaint_after(Duration::from_secs_f64(until_next_second.max(0.01)));

        ui.vertical_centered(|ui| {
            ui.add_space(32.0);
            ui.label(
                RichText::new(texts.paid_title)
                    .size(48.0)
                    .strong()
                    .color(PAID_COLOR),
            );
            ui.label(RichText::new(format!("￥{amount}")).size(40.0).strong());
            ui.add_space(16.0);

            ui.label(RichText::new(texts.transaction_id_label).weak());
            ui.add(
                egui::Label::new(RichText::new(transaction_id).monospace().size(18.0))
                    .selectable(true),
            );
            ui.label(RichText::new(texts.out_trade_no_label).weak());
            ui.add(egui::Label::new(RichText::new(out_trade_no).monospace()).selectable(true));
            ui.add_space(24.0);

            let new_sale = Button::new(RichText::new(texts.new_sale_button).size(28.0))
                .min_size(NEW_SALE_BUTTON_SIZE);
            if ui.add(new_sale).clicked() {
                action = Some(Action::NewSale);
            }
            let whole_secs_left = secs_left.ceil() as u64;
            ui.label(RichText::new(auto_return_text(self.lang, whole_secs_left)).weak());
        });

        if ui.input(|input| input.key_pressed(Key::Enter)) {
            action = Some(Action::NewSale);
        }
        action
    }
}
