//! The detail panel of one order: its fields, its state history, every payment notification
//! received for it with the verdict, and its refunds.

use egui::{RichText, ScrollArea, Ui};

use super::{ManagerCommand, ManagerState};
use crate::i18n::{self, Lang};
use crate::report::local_time_text;

impl ManagerState {
    /// Shows the selected order's detail, or a hint when none is selected. Returns nothing
    /// today; the refund action will send its command from here.
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
                        event.reason
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
                        notification.verdict,
                        notification.reason,
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
        None
    }
}
