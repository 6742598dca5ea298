//! The awaiting screen: the order's QR code, its amount and the time left to pay.

use std::time::Duration;

use egui::{Button, Key, RichText, Ui, Vec2};

use super::qr::qr_code_ui;
use super::widgets::shortcut_button;
use super::{Action, CashierApp, InFlight, Screen};
use crate::i18n::time_left_text;

/// Height kept under the QR code for the button row.
const BUTTON_ROW_HEIGHT: f32 = 64.0;
/// Shortcut shown on the cancel button.
const CANCEL_SHORTCUT: &str = "Esc";
const CANCEL_BUTTON_SIZE: Vec2 = Vec2::new(180.0, 48.0);
const SIMULATE_PAY_BUTTON_SIZE: Vec2 = Vec2::new(280.0, 48.0);
const CHECK_PAYMENT_BUTTON_SIZE: Vec2 = Vec2::new(220.0, 48.0);

impl CashierApp {
    /// Shows the QR code as large as the window allows, with the amount, description and
    /// countdown above it and the buttons below. Returns [`Action::Cancel`] for the cancel
    /// button or Esc, and [`Action::SimulatePay`] for the demo button.
    pub(super) fn awaiting_ui(&self, ui: &mut Ui) -> Option<Action> {
        let Screen::Awaiting { order, qr } = &self.screen else {
            return None;
        };
        let texts = self.lang.texts();

        let millis_left = (order.expires_at - chrono::Utc::now()).num_milliseconds();
        if millis_left > 0 {
            // Repaint when the shown second changes, not on every frame.
            let until_next_second = u64::try_from(millis_left % 1000).unwrap_or(0);
            ui.ctx()
                .request_repaint_after(Duration::from_millis(until_next_second.max(1)));
        }

        ui.vertical_centered(|ui| {
            ui.label(
                RichText::new(format!("￥{}", order.amount))
                    .size(44.0)
                    .strong(),
            );
            ui.label(RichText::new(&order.body).size(18.0));
            ui.label(RichText::new(time_left_text(self.lang, millis_left / 1000)).size(18.0));
            ui.label(RichText::new(texts.scan_prompt).weak());
            let status = if self.fullscreen {
                texts.fullscreen_hint
            } else {
                texts.waiting_for_payment
            };
            ui.label(RichText::new(status).weak());
            ui.add_space(8.0);

            let max_side = ui
                .available_width()
                .min(ui.available_height() - BUTTON_ROW_HEIGHT);
            match qr {
                Ok(matrix) => {
                    qr_code_ui(ui, matrix, max_side, texts.qr_label, &order.code_url);
                }
                Err(error) => {
                    ui.label(RichText::new(texts.qr_failed).color(ui.visuals().error_fg_color));
                    ui.label(RichText::new(error.to_string()).small().weak());
                }
            }
            ui.add_space(8.0);
        });

        let mut action = self.awaiting_buttons_ui(ui);
        if self.in_flight.is_none() && ui.input(|input| input.key_pressed(Key::Escape)) {
            action = Some(Action::Cancel);
        }
        action
    }

    /// Shows the cancel button, the demo pay button and the command in flight. The buttons are
    /// disabled while a command is in flight.
    fn awaiting_buttons_ui(&self, ui: &mut Ui) -> Option<Action> {
        let texts = self.lang.texts();
        let idle = self.in_flight.is_none();
        let mut action = None;

        ui.horizontal(|ui| {
            // Centered by hand, because egui's horizontal layouts start at the left edge.
            let mut row_width = CANCEL_BUTTON_SIZE.x;
            row_width += 2.0 * (ui.spacing().item_spacing.x + CHECK_PAYMENT_BUTTON_SIZE.x);
            if self.demo_mode {
                row_width += ui.spacing().item_spacing.x + SIMULATE_PAY_BUTTON_SIZE.x;
            }
            ui.add_space(((ui.available_width() - row_width) / 2.0).max(0.0));

            let cancel = shortcut_button(
                ui,
                idle,
                RichText::new(texts.cancel_button).size(20.0),
                CANCEL_SHORTCUT,
                CANCEL_BUTTON_SIZE,
            );
            if cancel.clicked() {
                action = Some(Action::Cancel);
            }

            let check = Button::new(RichText::new(texts.check_payment_button).size(20.0))
                .min_size(CHECK_PAYMENT_BUTTON_SIZE);
            if ui.add_enabled(idle, check).clicked() {
                action = Some(Action::CheckPayment);
            }

            let slip = Button::new(RichText::new(texts.print_slip_button).size(20.0))
                .min_size(CHECK_PAYMENT_BUTTON_SIZE);
            if ui.add_enabled(idle, slip).clicked() {
                action = Some(Action::PrintCheckoutSlip);
            }

            if self.demo_mode {
                let simulate_pay = Button::new(RichText::new(texts.simulate_pay_button).size(20.0))
                    .min_size(SIMULATE_PAY_BUTTON_SIZE);
                if ui.add_enabled(idle, simulate_pay).clicked() {
                    action = Some(Action::SimulatePay);
                }
            }

            match self.in_flight {
                Some(InFlight::Cancel) => {
                    ui.label(texts.cancelling);
                }
                Some(InFlight::SimulatePay) => {
                    ui.label(texts.simulating_pay);
                }
                Some(InFlight::CheckPayment) => {
                    ui.label(texts.checking_payment);
                }
                Some(InFlight::Charge) | None => {}
            }
        });
        action
    }
}
