//! What the customer sees: a second window full screen on the customer's monitor, or, with
//! one monitor, the cashier window itself full screen while the QR code is up.

use egui::{Color32, Frame, RichText, Ui, ViewportBuilder, ViewportCommand, ViewportId};

use super::qr::qr_code_ui;
use super::{CashierApp, Screen};

/// Light background of the customer window, so the QR code's white quiet zone blends in.
const CUSTOMER_BACKGROUND: Color32 = Color32::WHITE;
const CUSTOMER_TEXT: Color32 = Color32::from_rgb(20, 20, 20);
/// Title of the customer window, for window managers and screenshots; never shown full screen.
const CUSTOMER_WINDOW_TITLE: &str = "wxpay-pos customer display";
const PAID_COLOR: Color32 = Color32::from_rgb(7, 193, 96);

impl CashierApp {
    /// Shows the customer window when a second monitor is configured, and otherwise turns the
    /// cashier window full screen while an order waits for payment.
    ///
    /// NOTE: egui cannot list monitors, so `customer_monitor` comes from winit at start-up;
    /// a monitor plugged in later is used only after a restart.
    pub(super) fn customer_display(&mut self, ctx: &egui::Context) {
        let awaiting = matches!(self.screen, Screen::Awaiting { .. });
        let want_fullscreen = awaiting && !self.shows_customer_display();
        if want_fullscreen != self.fullscreen {
            ctx.send_viewport_cmd(ViewportCommand::Fullscreen(want_fullscreen));
            self.fullscreen = want_fullscreen;
        }

        let Some(monitor) = self.customer_monitor else {
            return;
        };
        if !self.settings.form.customer_display {
            return;
        }
        let builder = ViewportBuilder::default()
            .with_title(CUSTOMER_WINDOW_TITLE)
            .with_decorations(false)
            .with_inner_size(monitor.size)
            .with_monitor(monitor.index);
        ctx.show_viewport_immediate(
            ViewportId::from_hash_of("customer_display"),
            builder,
            |ui, _class| self.customer_window_ui(ui),
        );
    }

    /// Draws the customer window: the shop name, then the amount and QR code, the thanks after
    /// a payment, or a welcome with the running total.
    fn customer_window_ui(&self, ui: &mut Ui) {
        let frame = Frame::new().fill(CUSTOMER_BACKGROUND).inner_margin(24);
        egui::CentralPanel::default().frame(frame).show(ui, |ui| {
            let texts = self.lang.texts();
            ui.vertical_centered(|ui| {
                let shop = if self.merchant_name.trim().is_empty() {
                    texts.app_title
                } else {
                    self.merchant_name.as_str()
                };
                ui.label(RichText::new(shop).size(36.0).color(CUSTOMER_TEXT));
                ui.add_space(12.0);

                match &self.screen {
                    Screen::Awaiting { order, qr } => {
                        ui.label(
                            RichText::new(texts.customer_amount)
                                .size(28.0)
                                .color(CUSTOMER_TEXT),
                        );
                        ui.label(
                            RichText::new(format!("￥{}", order.amount))
                                .size(64.0)
                                .strong()
                                .color(CUSTOMER_TEXT),
                        );
                        ui.label(
                            RichText::new(texts.scan_prompt)
                                .size(22.0)
                                .color(CUSTOMER_TEXT),
                        );
                        let side = ui.available_width().min(ui.available_height());
                        if let Ok(matrix) = qr {
                            qr_code_ui(ui, matrix, side, texts.qr_label, &order.code_url);
                        }
                    }
                    Screen::Paid { amount, .. } => {
                        ui.add_space(80.0);
                        ui.label(
                            RichText::new(texts.customer_thanks)
                                .size(56.0)
                                .strong()
                                .color(PAID_COLOR),
                        );
                        ui.label(
                            RichText::new(format!("￥{amount}"))
                                .size(48.0)
                                .color(CUSTOMER_TEXT),
                        );
                    }
                    Screen::Entry | Screen::Settings | Screen::ManualCheck | Screen::Manager => {
                        ui.add_space(80.0);
                        ui.label(
                            RichText::new(texts.customer_welcome)
                                .size(64.0)
                                .color(CUSTOMER_TEXT),
                        );
                        let total = self.total_preview();
                        if total.fen() > 0 {
                            ui.label(
                                RichText::new(format!("{} ￥{total}", texts.total_label))
                                    .size(40.0)
                                    .color(CUSTOMER_TEXT),
                            );
                        }
                    }
                }
            });
        });
    }
}
