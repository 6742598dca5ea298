//! The cart column: the barcode field the scanner types into, the cart lines with their
//! quantity buttons, and the subtotal.

use egui::{Button, Key, RichText, Role, ScrollArea, TextEdit, Ui, Vec2};

use super::widgets::{set_accessible_label, shortcut_button};
use super::{Action, CashierApp, Field};
use crate::i18n::{CartLineAction, cart_line_button_label};

const LINE_BUTTON_SIZE: Vec2 = Vec2::new(32.0, 32.0);
/// Height kept under the cart lines for the subtotal and the clear button.
const CART_FOOTER_HEIGHT: f32 = 80.0;

impl CashierApp {
    /// Shows the cart. Enter in the barcode field with a code returns [`Action::ScanBarcode`],
    /// and with an empty field [`Action::Charge`].
    pub(super) fn cart_panel_ui(&mut self, ui: &mut Ui, charging: bool) -> Option<Action> {
        let texts = self.lang.texts();
        let mut action = None;

        let barcode_label = ui.label(RichText::new(texts.barcode_label).size(16.0));
        let barcode = ui
            .add_enabled(
                !charging,
                TextEdit::singleline(&mut self.form.barcode_text)
                    .hint_text(texts.barcode_hint)
                    .font(egui::FontId::monospace(22.0))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(barcode_label.id);
        if self.form.focus == Some(Field::Barcode) && !charging {
            barcode.request_focus();
            self.form.focus = None;
        }
        if barcode.lost_focus() && ui.input(|input| input.key_pressed(Key::Enter)) {
            action = Some(if self.form.barcode_text.trim().is_empty() {
                Action::Charge
            } else {
                Action::ScanBarcode
            });
        }
        ui.add_space(6.0);
        ui.label(RichText::new(texts.cart_title).size(18.0).strong());

        let lines_height = (ui.available_height() - CART_FOOTER_HEIGHT).max(60.0);
        ScrollArea::vertical()
            .id_salt("cart_lines")
            .max_height(lines_height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                if self.cart.is_empty() {
                    ui.add(egui::Label::new(RichText::new(texts.cart_empty).weak()).wrap());
                }
                for (index, line) in self.cart.lines().iter().enumerate() {
                    if let Some(chosen) = self.cart_line_ui(ui, index, line, charging) {
                        action = Some(chosen);
                    }
                }
            });

        ui.separator();
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("{} ￥{}", texts.subtotal_label, self.cart.total()))
                    .size(18.0),
            );
            let clear = shortcut_button(
                ui,
                !charging && !self.cart.is_empty(),
                RichText::new(texts.clear_cart_button),
                "F8",
                Vec2::new(96.0, 32.0),
            );
            if clear.clicked() {
                action = Some(Action::ClearCart);
            }
        });
        action
    }

    fn cart_line_ui(
        &self,
        ui: &mut Ui,
        index: usize,
        line: &super::cart::CartLine,
        charging: bool,
    ) -> Option<Action> {
        let mut action = None;
        let enabled = !charging;
        ui.horizontal(|ui| {
            ui.label(RichText::new(&line.name).size(16.0));
            ui.label(RichText::new(format!("￥{}", line.unit_price)).weak());
        });
        ui.horizontal(|ui| {
            let buttons = [
                ("-", CartLineAction::Decrease, Action::DecreaseLine(index)),
                ("+", CartLineAction::Increase, Action::IncreaseLine(index)),
                ("×", CartLineAction::Remove, Action::RemoveLine(index)),
            ];
            for (position, (symbol, kind, chosen)) in buttons.into_iter().enumerate() {
                let button =
                    Button::new(RichText::new(symbol).size(18.0)).min_size(LINE_BUTTON_SIZE);
                let response = ui.add_enabled(enabled, button);
                set_accessible_label(
                    &response,
                    Role::Button,
                    enabled,
                    cart_line_button_label(self.lang, kind, &line.name),
                );
                if response.clicked() {
                    action = Some(chosen);
                }
                if position == 0 {
                    ui.label(RichText::new(format!("×{}", line.quantity)).size(18.0));
                }
            }
            ui.label(
                RichText::new(format!("￥{}", line.total()))
                    .size(16.0)
                    .strong(),
            );
        });
        ui.add_space(4.0);
        action
    }
}
