//! What the customer sees: a second window full screen on the customer's monitor, or, with
//! one monitor, the cashier window itself full screen while the QR code is up.

use egui::{
    Color32, Frame, RichText, Ui, ViewportBuilder, ViewportClass, ViewportCommand, ViewportId,
};

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
            |ui, class| {
                // Embedded in the cashier window (no native window, as in tests), it shares its input.
                if class == ViewportClass::Immediate {
                    self.take_customer_keys(ui);
                }
                self.customer_window_ui(ui);
            },
        );
    }

    /// Collects the keys typed while the customer window has keyboard focus, for the cashier
    /// window. winit gives a borderless full-screen window (how the customer window covers
    /// its monitor) the X input focus when it opens, so without this the first keys and
    /// barcode scans after start-up would be lost. It also requests the focus back, which
    /// works under a window manager.
    fn take_customer_keys(&mut self, ui: &Ui) {
        let (focused, events) = ui.input(|input| {
            (
                input.viewport().focused.unwrap_or(false),
                forwarded_key_events(&input.events),
            )
        });
        if focused && !self.customer_focused {
            tracing::debug!("customer window took the keyboard focus; returning it to the till");
            ui.ctx()
                .send_viewport_cmd_to(ViewportId::ROOT, ViewportCommand::Focus);
        }
        self.customer_focused = focused;
        if !events.is_empty() {
            self.forwarded_keys.extend(events);
            ui.ctx().request_repaint_of(ViewportId::ROOT);
        }
    }

    /// Adds the keys forwarded from the customer window to this frame's input, before any
    /// widget reads it, so they act as if typed in the cashier window.
    pub(super) fn replay_forwarded_keys(&mut self, ctx: &egui::Context) {
        if self.forwarded_keys.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.forwarded_keys);
        ctx.input_mut(|input| input.events.extend(events));
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

/// Returns the keyboard events among `events`: typed text, pasted text and key presses and
/// releases. Pointer events stay with the window they happened in.
pub(super) fn forwarded_key_events(events: &[egui::Event]) -> Vec<egui::Event> {
    events
        .iter()
        .filter(|event| {
            matches!(
                event,
                egui::Event::Text(_) | egui::Event::Paste(_) | egui::Event::Key { .. }
            )
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;
    use crate::i18n::Lang;
    use crate::ui::bridge::{Command, RunnerBridge, bridge_pair};
    use crate::ui::{CashierOptions, install_fonts};

    fn key(key: egui::Key, pressed: bool) -> egui::Event {
        egui::Event::Key {
            key,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: egui::Modifiers::NONE,
        }
    }

    fn next_charge(runner: &mut RunnerBridge) -> Option<Command> {
        while let Ok(command) = runner.commands.try_recv() {
            if matches!(command, Command::Charge { .. }) {
                return Some(command);
            }
        }
        None
    }

    #[test]
    fn only_keyboard_events_are_forwarded() {
        let events = [
            egui::Event::Text("19".to_owned()),
            egui::Event::PointerMoved(egui::pos2(1.0, 2.0)),
            key(egui::Key::F1, true),
            egui::Event::Paste("6901234567892".to_owned()),
        ];
        let forwarded = forwarded_key_events(&events);
        assert_eq!(forwarded.len(), 3);
        assert_eq!(forwarded[0], events[0]);
        assert_eq!(forwarded[1], events[2]);
        assert_eq!(forwarded[2], events[3]);
    }

    #[test]
    fn forwarded_keys_act_in_the_cashier_window() {
        let (ui_bridge, mut runner) = bridge_pair();
        let app = CashierApp::new(
            ui_bridge,
            CashierOptions {
                lang: Lang::ZhCn,
                ..CashierOptions::default()
            },
        );
        let mut harness = Harness::builder()
            .with_size(egui::Vec2::new(1024.0, 768.0))
            .with_context_setup(install_fonts)
            .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
        harness.run();

        harness
            .state_mut()
            .forwarded_keys
            .push(egui::Event::Text("19.9".to_owned()));
        harness.run();
        assert_eq!(
            harness.get_by_label("金额（元）").value().as_deref(),
            Some("19.9")
        );

        harness
            .state_mut()
            .forwarded_keys
            .extend([key(egui::Key::F1, true), key(egui::Key::F1, false)]);
        harness.run();
        assert!(next_charge(&mut runner).is_some(), "F1 did not charge");
    }
}
