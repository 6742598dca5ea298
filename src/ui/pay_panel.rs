//! The payment column: the total, the free amount with its keypad, the description, the
//! whole-order discount and the charge button.

use egui::{Button, FontId, Key, RichText, TextEdit, Ui, Vec2};

use super::commands::DESCRIPTION_MAX_CHARS;
use super::entry::looks_like_barcode;
use super::widgets::shortcut_button;
use super::{Action, CashierApp, Field, KeypadKey};

const KEYPAD_KEY_SIZE: Vec2 = Vec2::new(84.0, 44.0);
const CHARGE_BUTTON_SIZE: Vec2 = Vec2::new(276.0, 64.0);
/// The keypad rows, top to bottom.
const KEYPAD_ROWS: [[char; 3]; 4] = [
    ['7', '8', '9'],
    ['4', '5', '6'],
    ['1', '2', '3'],
    ['0', '.', '⌫'],
];

impl CashierApp {
    /// Shows the payment column. Enter in the amount or discount field returns
    /// [`Action::Charge`], unless the amount field contains a scanned barcode.
    pub(super) fn pay_panel_ui(&mut self, ui: &mut Ui, charging: bool) -> Option<Action> {
        let texts = self.lang.texts();
        let enabled = !charging;
        let mut action = None;
        let enter = ui.input(|input| input.key_pressed(Key::Enter));

        ui.label(
            RichText::new(format!("{} ￥{}", texts.total_label, self.total_preview()))
                .size(30.0)
                .strong(),
        );

        let amount_label = ui.label(RichText::new(texts.amount_label).size(16.0));
        let amount = ui
            .add_enabled(
                enabled,
                TextEdit::singleline(&mut self.form.amount_text)
                    .font(FontId::proportional(28.0))
                    .hint_text("0.00")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(amount_label.id);
        self.focus_if_requested(&amount, Field::Amount, enabled);
        if amount.changed() {
            self.cart_unsaved = true;
        }
        if amount.lost_focus() && enter {
            if looks_like_barcode(&self.form.amount_text) {
                self.form.barcode_text = std::mem::take(&mut self.form.amount_text);
                action = Some(Action::ScanBarcode);
            } else {
                action = Some(Action::Charge);
            }
        }

        let description_label = ui.label(texts.description_label);
        let description = ui
            .add_enabled(
                enabled,
                TextEdit::singleline(&mut self.form.description)
                    .char_limit(DESCRIPTION_MAX_CHARS)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(description_label.id);
        if description.changed() {
            self.cart_unsaved = true;
        }

        let discount_label = ui.label(texts.discount_label);
        let discount = ui
            .add_enabled(
                enabled,
                TextEdit::singleline(&mut self.form.discount_text)
                    .hint_text("0.00")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(discount_label.id);
        self.focus_if_requested(&discount, Field::Discount, enabled);
        if discount.changed() {
            self.cart_unsaved = true;
        }
        if discount.lost_focus() && enter {
            action = Some(Action::Charge);
        }
        ui.add_space(6.0);

        if let Some(key) = self.keypad_ui(ui, enabled) {
            action = Some(Action::Keypad(key));
        }
        ui.add_space(6.0);

        let charge = shortcut_button(
            ui,
            enabled,
            RichText::new(texts.charge_button).size(30.0).strong(),
            "F1",
            CHARGE_BUTTON_SIZE,
        );
        if charge.clicked() {
            action = Some(Action::Charge);
        }
        // No spinner: it repaints every frame for as long as the runner takes.
        if charging {
            ui.label(RichText::new(texts.creating_order).size(18.0));
        } else {
            ui.label(RichText::new(texts.charge_hint).weak());
        }
        let settings = shortcut_button(
            ui,
            enabled,
            RichText::new(texts.settings_button),
            "F10",
            Vec2::new(120.0, 28.0),
        );
        if settings.clicked() {
            action = Some(Action::OpenSettings);
        }
        let manual_check = shortcut_button(
            ui,
            enabled,
            RichText::new(texts.manual_check_button),
            "F6",
            Vec2::new(160.0, 28.0),
        );
        if manual_check.clicked() {
            action = Some(Action::OpenManualCheck);
        }
        let manager = shortcut_button(
            ui,
            enabled,
            RichText::new(self.lang.manager_texts().manager_button),
            "F7",
            Vec2::new(120.0, 28.0),
        );
        if manager.clicked() {
            action = Some(Action::OpenManager);
        }
        action
    }

    fn keypad_ui(&self, ui: &mut Ui, enabled: bool) -> Option<KeypadKey> {
        let texts = self.lang.texts();
        let mut pressed = None;
        for row in KEYPAD_ROWS {
            ui.horizontal(|ui| {
                for symbol in row {
                    let (text, key) = match symbol {
                        '⌫' => (texts.keypad_backspace.to_owned(), KeypadKey::Backspace),
                        digit => (digit.to_string(), KeypadKey::Char(digit)),
                    };
                    let button =
                        Button::new(RichText::new(text).size(22.0)).min_size(KEYPAD_KEY_SIZE);
                    if ui.add_enabled(enabled, button).clicked() {
                        pressed = Some(key);
                    }
                }
            });
        }
        let clear = Button::new(RichText::new(texts.keypad_clear).size(18.0))
            .min_size(Vec2::new(KEYPAD_KEY_SIZE.x * 3.0 + 8.0, 36.0));
        if ui.add_enabled(enabled, clear).clicked() {
            pressed = Some(KeypadKey::Clear);
        }
        pressed
    }

    fn focus_if_requested(&mut self, response: &egui::Response, field: Field, enabled: bool) {
        if self.form.focus == Some(field) && enabled {
            response.request_focus();
            self.form.focus = None;
        }
    }
}
