//! The PIN prompt in front of the manager view. The PIN is checked by the command runner,
//! which also counts wrong entries and locks the prompt; the screen only sends it.

use egui::{Button, Key, RichText, TextEdit, Ui, Vec2};

use super::{ManagerCommand, ManagerState};
use crate::i18n::Lang;
use crate::pin::MAX_PIN_DIGITS;

impl ManagerState {
    /// Shows the PIN field and the open button; Enter in the field opens as well.
    pub(super) fn pin_ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        let label = ui.label(texts.pin_label);
        let field = ui
            .add(
                TextEdit::singleline(&mut self.pin_text)
                    .password(true)
                    .char_limit(MAX_PIN_DIGITS)
                    .desired_width(200.0),
            )
            .labelled_by(label.id);
        if !self.checking_pin && !field.has_focus() && self.pin_text.is_empty() {
            field.request_focus();
        }
        let entered = field.lost_focus() && ui.input(|input| input.key_pressed(Key::Enter));

        let ready = !self.checking_pin && !self.pin_text.is_empty();
        let open = Button::new(RichText::new(texts.unlock_button).size(18.0))
            .min_size(Vec2::new(140.0, 40.0));
        let clicked = ui.add_enabled(ready, open).clicked();
        if self.checking_pin {
            ui.label(texts.checking_pin);
        }

        if ready && (clicked || entered) {
            self.checking_pin = true;
            let pin = std::mem::take(&mut self.pin_text);
            return Some(ManagerCommand::Unlock { pin });
        }
        None
    }
}
