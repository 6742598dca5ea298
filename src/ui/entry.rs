//! The entry screen: amount, description and the charge button.

use egui::{Button, FontId, Key, RichText, TextEdit, Ui, Vec2};

use super::commands::DESCRIPTION_MAX_CHARS;
use super::{Action, CashierApp, InFlight};

const FIELD_WIDTH: f32 = 360.0;
const CHARGE_BUTTON_SIZE: Vec2 = Vec2::new(240.0, 72.0);

impl CashierApp {
    /// Shows the form. Returns [`Action::Charge`] when the cashier presses the button, F1 or
    /// Enter; the amount is parsed when the action runs.
    pub(super) fn entry_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let texts = self.lang.texts();
        let charging = self.in_flight == Some(InFlight::Charge);
        let mut action = None;

        ui.vertical_centered(|ui| {
            ui.add_space(24.0);

            let amount_label = ui.label(RichText::new(texts.amount_label).size(20.0));
            let amount_field = ui
                .add_enabled(
                    !charging,
                    TextEdit::singleline(&mut self.form.amount_text)
                        .font(FontId::proportional(40.0))
                        .hint_text("0.00")
                        .desired_width(FIELD_WIDTH),
                )
                .labelled_by(amount_label.id);
            if self.form.focus_amount && !charging {
                amount_field.request_focus();
                self.form.focus_amount = false;
            }
            ui.add_space(16.0);

            let description_label = ui.label(texts.description_label);
            ui.add_enabled(
                !charging,
                TextEdit::singleline(&mut self.form.description)
                    .char_limit(DESCRIPTION_MAX_CHARS)
                    .desired_width(FIELD_WIDTH),
            )
            .labelled_by(description_label.id);
            ui.add_space(24.0);

            let charge_button = Button::new(RichText::new(texts.charge_button).size(32.0).strong())
                .min_size(CHARGE_BUTTON_SIZE);
            if ui.add_enabled(!charging, charge_button).clicked() {
                action = Some(Action::Charge);
            }
            ui.add_space(8.0);

            // No spinner: it repaints every frame for as long as the runner takes.
            if charging {
                ui.label(RichText::new(texts.creating_order).size(18.0));
            } else {
                ui.label(RichText::new(texts.charge_hint).weak());
            }
        });

        let shortcut_pressed =
            ui.input(|input| input.key_pressed(Key::F1) || input.key_pressed(Key::Enter));
        if shortcut_pressed && !charging {
            action = Some(Action::Charge);
        }
        action
    }
}
