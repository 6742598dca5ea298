//! The detail panel of one order: its fields, its state history, every payment notification
//! received for it with the verdict, and its refunds.

use egui::{RichText, ScrollArea, TextEdit, Ui};

use super::{ManagerCommand, ManagerMessage, ManagerState, OrderDetail, RefundState};
use crate::i18n::{self, Lang};
use crate::money::Fen;
use crate::report::local_time_text;

impl ManagerState {
    /// Shows the selected order's detail, or a hint when none is selected, with the refund
    /// form for a paid order. Returns the refund command once the manager confirms it.
    pub(super) fn detail_ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        ui.label(RichText::new(texts.detail_title).size(18.0).strong());
        let Some(selected) = self.selected.clone() else {
            ui.label(RichText::new(texts.detail_hint).weak());
            return None;
        };
        if ui.button(texts.close_detail_button).clicked() {
            self.selected = None;
            self.detail = None;
            return None;
        }
        let Some(detail) = &self.detail else {
            ui.label(format!("{selected} — {}", texts.loading));
            return None;
        };
        let refundable = matches!(detail.row.state.as_str(), "paid" | "partly_refunded");
        let mut command = None;
        if refundable {
            let out_trade_no = detail.row.out_trade_no.clone();
            let remainder = refundable_remainder(detail);
            command = self.refund_form_ui(ui, lang, out_trade_no, remainder);
            ui.separator();
        }
        let Some(detail) = &self.detail else {
            return command;
        };

        ScrollArea::vertical()
            .id_salt("manager_detail_scroll")
            .show(ui, |ui| {
                let row = &detail.row;
                let fields = [
                    (texts.column_out_trade_no, row.out_trade_no.clone()),
                    (
                        texts.column_transaction_id,
                        row.transaction_id.clone().unwrap_or_default(),
                    ),
                    (texts.column_body, row.body.clone()),
                    (texts.column_amount, row.amount.to_string()),
                    (
                        texts.column_state,
                        i18n::state_name(lang, &row.state).to_owned(),
                    ),
                    (texts.column_terminal, row.terminal.clone()),
                    (texts.column_time, local_time_text(row.at_ms)),
                ];
                for (label, value) in fields {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(label).weak());
                        ui.label(value);
                    });
                }

                ui.add_space(8.0);
                ui.label(RichText::new(texts.history_title).strong());
                if detail.events.is_empty() {
                    ui.label(RichText::new(texts.none).weak());
                }
                for event in &detail.events {
                    let from = event
                        .from_state
                        .as_deref()
                        .map(|state| format!("{} → ", i18n::state_name(lang, state)))
                        .unwrap_or_default();
                    ui.label(format!(
                        "{}  {from}{}  ({})",
                        local_time_text(event.at_ms),
                        i18n::state_name(lang, &event.to_state),
                        i18n::event_reason_text(lang, &event.reason)
                    ));
                }

                ui.add_space(8.0);
                ui.label(RichText::new(texts.notifications_title).strong());
                if detail.notifications.is_empty() {
                    ui.label(RichText::new(texts.none).weak());
                }
                for notification in &detail.notifications {
                    ui.label(format!(
                        "{}  {}  {}  {}",
                        local_time_text(notification.received_at_ms),
                        i18n::verdict_text(lang, &notification.verdict),
                        i18n::notification_reason_text(lang, &notification.reason),
                        notification.remote_addr
                    ));
                }

                ui.add_space(8.0);
                ui.label(RichText::new(texts.refunds_title).strong());
                if detail.refunds.is_empty() {
                    ui.label(RichText::new(texts.none).weak());
                }
                for refund in &detail.refunds {
                    ui.label(format!(
                        "{}  {}  -{}  {}",
                        local_time_text(refund.at_ms),
                        refund.out_refund_no.as_deref().unwrap_or(""),
                        refund.amount,
                        i18n::state_name(lang, &refund.state)
                    ));
                }
            });
        command
    }

    /// Shows the refund form: amount and reason, then a confirmation step. Returns the
    /// refund command when the manager confirms. An amount above `remainder` is rejected here,
    /// before the confirmation; the store checks it again when the refund is saved.
    fn refund_form_ui(
        &mut self,
        ui: &mut Ui,
        lang: Lang,
        out_trade_no: String,
        remainder: Fen,
    ) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        ui.label(RichText::new(texts.refund_title).strong());
        if self.refund.sending {
            ui.label(texts.refunding);
            return None;
        }
        ui.label(i18n::refundable_text(lang, remainder));
        if remainder.fen() == 0 {
            return None;
        }

        if let Some(amount) = self.refund.confirming {
            ui.label(i18n::confirm_refund_text(lang, amount));
            let mut command = None;
            ui.horizontal(|ui| {
                if ui.button(texts.confirm_refund_button).clicked() {
                    self.refund.sending = true;
                    self.refund.confirming = None;
                    command = Some(ManagerCommand::Refund {
                        out_trade_no,
                        amount,
                        reason: self.refund.reason.trim().to_owned(),
                    });
                }
                if ui.button(texts.cancel_refund_button).clicked() {
                    self.refund.confirming = None;
                }
            });
            return command;
        }

        let amount_label = ui.label(texts.refund_amount_label);
        ui.add(TextEdit::singleline(&mut self.refund.amount_text).desired_width(160.0))
            .labelled_by(amount_label.id);
        let reason_label = ui.label(texts.refund_reason_label);
        ui.add(TextEdit::singleline(&mut self.refund.reason).desired_width(280.0))
            .labelled_by(reason_label.id);
        if ui.button(texts.refund_button).clicked() {
            match Fen::parse_yuan(&self.refund.amount_text) {
                Ok(amount) if amount.fen() > remainder.fen() => {
                    self.message = Some(ManagerMessage::RefundOverRemainder(remainder));
                }
                Ok(amount) => {
                    self.refund.confirming = Some(amount);
                    self.message = None;
                }
                Err(_) => self.message = Some(ManagerMessage::BadRefundAmount),
            }
        }
        None
    }
}

/// Returns what is left to refund of the detail's order: its amount less every refund that
/// counts against it. A refund in a state this build does not know counts, so the form never
/// offers more than the order holds.
fn refundable_remainder(detail: &OrderDetail) -> Fen {
    let spent: i64 = detail
        .refunds
        .iter()
        .filter(|refund| {
            RefundState::from_stored(&refund.state).is_none_or(RefundState::counts_against_order)
        })
        .map(|refund| refund.amount.fen())
        .sum();
    Fen((detail.row.amount.fen() - spent).max(0))
}
