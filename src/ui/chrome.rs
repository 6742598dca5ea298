//! Parts shown on every screen: the top bar with the language switch, the demo banner and the
//! message area.

use egui::{Align, Color32, Frame, Layout, Margin, RichText, Ui};

use super::bridge::Problem;
use super::{CashierApp, Message};
use crate::i18n::{
    Lang, amount_error_text, problem_text, product_rejected_text, scan_sale_paid_text,
    settings_rejected_text, unknown_barcode_text,
};

/// Dark text on amber, readable in both egui themes.
const DEMO_BANNER_FILL: Color32 = Color32::from_rgb(255, 193, 7);
const DEMO_BANNER_TEXT: Color32 = Color32::from_rgb(33, 33, 33);

/// Background of the demo banner panel.
pub(super) fn demo_banner_frame() -> Frame {
    Frame::new()
        .fill(DEMO_BANNER_FILL)
        .inner_margin(Margin::symmetric(12, 6))
}

impl CashierApp {
    /// Shows the shop name on the left and the language switch on the right.
    pub(super) fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let title = if self.merchant_name.trim().is_empty() {
                self.lang.texts().app_title
            } else {
                self.merchant_name.as_str()
            };
            ui.label(RichText::new(title).size(18.0).strong());

            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                // Right to left, so the last language is added first.
                for lang in Lang::ALL.into_iter().rev() {
                    if ui
                        .selectable_label(self.lang == lang, lang.native_name())
                        .clicked()
                    {
                        self.set_lang(lang);
                    }
                }
            });
        });
    }

    pub(super) fn demo_banner_ui(&self, ui: &mut Ui) {
        ui.vertical_centered(|ui| {
            ui.label(
                RichText::new(self.lang.texts().demo_banner)
                    .size(16.0)
                    .strong()
                    .color(DEMO_BANNER_TEXT),
            );
        });
    }

    /// Shows the notice or error under the screen, if any. Errors get the theme's error color, with
    /// the technical cause in small print under the advice.
    pub(super) fn message_ui(&self, ui: &mut Ui) {
        let Some(message) = &self.message else {
            return;
        };
        let texts = self.lang.texts();
        let (text, detail, is_error) = match message {
            Message::NotPaidYet(trade_state) => (
                texts.not_paid_yet.to_owned(),
                Some(trade_state.clone()),
                false,
            ),
            Message::OrderClosed => (texts.order_closed.to_owned(), None, false),
            Message::TestPagePrinted => (texts.test_page_printed.to_owned(), None, false),
            Message::AlreadyPaid(transaction_id) => (
                texts.already_paid.to_owned(),
                Some(transaction_id.clone()),
                false,
            ),
            Message::SlipPrinted(None) => (texts.slip_printed.to_owned(), None, false),
            Message::SlipPrinted(Some(path)) => {
                (texts.slip_saved.to_owned(), Some(path.clone()), false)
            }
            Message::OrderExpired => (texts.order_expired.to_owned(), None, false),
            Message::Amount(error) => (amount_error_text(self.lang, error), None, true),
            Message::Problem(problem) => (
                problem_text(self.lang, problem),
                problem_detail(problem),
                true,
            ),
            Message::Discount(error) => (
                format!(
                    "{}{}{}",
                    texts.discount_label,
                    if self.lang == Lang::ZhCn { "：" } else { ": " },
                    amount_error_text(self.lang, error)
                ),
                None,
                true,
            ),
            Message::DiscountTooLarge => (texts.discount_too_large.to_owned(), None, true),
            Message::ProductOffSale(name) => (
                crate::i18n::product_off_sale_text(self.lang, name),
                None,
                true,
            ),
            Message::UnknownBarcode(barcode) => {
                (unknown_barcode_text(self.lang, barcode), None, true)
            }
            Message::CommandQueueFull => (texts.command_queue_full.to_owned(), None, true),
            Message::BackendStopped => (texts.backend_stopped.to_owned(), None, true),
            Message::SettingsSaved => (texts.settings_saved.to_owned(), None, false),
            Message::SettingsRejected { key, reason } => (
                settings_rejected_text(self.lang, key, reason),
                crate::i18n::settings_rejected_detail(self.lang, reason),
                true,
            ),
            Message::ProductSaved => (texts.product_saved.to_owned(), None, false),
            Message::ProductDeleted => (texts.product_deleted.to_owned(), None, false),
            Message::ProductRejected { field, detail } => {
                (product_rejected_text(self.lang, field, detail), None, true)
            }
            Message::ScanSalePaid { body, amount } => {
                (scan_sale_paid_text(self.lang, body, *amount), None, false)
            }
        };

        let color = if is_error {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().strong_text_color()
        };
        Frame::group(ui.style())
            .stroke((1.0, color))
            .inner_margin(Margin::same(10))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(text).size(18.0).color(color));
                if let Some(detail) = detail {
                    ui.label(RichText::new(detail).small().weak());
                }
            });
    }
}

impl CashierApp {
    /// Lists the paid orders whose receipt did not print, with buttons to print them again
    /// or dismiss the list. Returns the button pressed.
    pub(super) fn unprinted_receipts_ui(&self, ui: &mut Ui) -> Option<super::Action> {
        let (first, last) = (
            self.unprinted_receipts.first()?,
            self.unprinted_receipts.last()?,
        );
        let texts = self.lang.texts();
        let color = ui.visuals().error_fg_color;
        let mut action = None;
        Frame::group(ui.style())
            .stroke((1.0, color))
            .inner_margin(Margin::same(10))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                let text = crate::i18n::receipts_not_printed_text(
                    self.lang,
                    self.unprinted_receipts.len(),
                    &first.out_trade_no,
                );
                ui.label(RichText::new(text).size(18.0).color(color));
                ui.horizontal(|ui| {
                    if ui.button(texts.reprint_receipts_button).clicked() {
                        action = Some(super::Action::ReprintReceipts);
                    }
                    if ui.button(texts.dismiss_unprinted_button).clicked() {
                        action = Some(super::Action::DismissUnprinted);
                    }
                    ui.label(RichText::new(&last.detail).small().weak());
                });
            });
        action
    }
}

/// Returns the technical cause of a problem, for the small print under the advice.
fn problem_detail(problem: &Problem) -> Option<String> {
    let detail = match problem {
        Problem::GatewayUnreachable { detail }
        | Problem::Storage { detail }
        | Problem::NotAllowed { detail }
        | Problem::CartNotSaved { detail }
        | Problem::Printer { detail } => detail.clone(),
        Problem::GatewayRejected { code, message } => match (code.is_empty(), message.is_empty()) {
            (true, _) => message.clone(),
            (false, true) => code.clone(),
            (false, false) => format!("{code}: {message}"),
        },
    };
    (!detail.trim().is_empty()).then_some(detail)
}
