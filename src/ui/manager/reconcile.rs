//! The bill reconciliation section of the manager screen: download WeChat's bill of the chosen
//! day, compare it with the local records, list the differences and export them.

use egui::{RichText, ScrollArea, Ui};

use super::{ManagerCommand, ManagerState};
use crate::i18n::Lang;
use crate::reconcile::text::{difference_text, summary_text};

/// Height of the differences list before it scrolls.
const DIFFERENCES_HEIGHT: f32 = 120.0;

impl ManagerState {
    /// Shows the reconcile button for a single-day range and the result of the last run for
    /// that day. Returns the command to send.
    /// The picked date is a Beijing-time day, like the table's and the bill's.
    pub(super) fn reconcile_ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        let (from, to) = self.filters.dates();
        let mut command = None;

        ui.horizontal(|ui| {
            ui.label(RichText::new(texts.reconcile_title).strong());
            if from != to {
                ui.label(RichText::new(texts.reconcile_single_day).weak());
                return;
            }
            let button = egui::Button::new(texts.reconcile_button);
            if ui.add_enabled(!self.reconciling, button).clicked() {
                self.reconciling = true;
                command = Some(ManagerCommand::Reconcile { date: from });
            }
            if self.reconciling {
                ui.label(texts.reconciling);
            }
        });

        let Some(summary) = self
            .reconciliation
            .as_ref()
            .filter(|summary| from == to && summary.bill_date == from)
        else {
            return command;
        };
        ui.label(summary_text(lang, summary));
        if summary.is_clean() {
            ui.label(RichText::new(texts.reconcile_clean).color(ui.visuals().strong_text_color()));
            return command;
        }
        ScrollArea::vertical()
            .id_salt("bill_differences")
            .max_height(DIFFERENCES_HEIGHT)
            .show(ui, |ui| {
                for difference in &summary.differences {
                    ui.label(
                        RichText::new(difference_text(lang, difference))
                            .color(ui.visuals().error_fg_color),
                    );
                }
            });
        if ui.button(texts.export_differences_button).clicked() {
            command = Some(ManagerCommand::ExportDifferences { date: from });
        }
        command
    }
}
