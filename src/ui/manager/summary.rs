//! The range's totals (count, gross, refunds, net), the bar chart of takings by hour, and
//! the export and day-end report buttons.

use egui::{Button, RichText, Role, Ui};
use egui_plot::{Bar, BarChart, Plot};

use super::{ExportKind, ManagerCommand, ManagerState};
use crate::i18n::Lang;
use crate::money::Fen;
use crate::ui::widgets::set_accessible_label;

const CHART_HEIGHT: f32 = 120.0;
const BAR_WIDTH: f64 = 0.8;

/// Converts fen to yuan for a bar's height. The chart only draws; no sum is done on the float.
fn chart_yuan(amount: Fen) -> f64 {
    amount.fen() as f64 / 100.0
}

impl ManagerState {
    /// Shows the totals, the hourly chart and the export buttons; returns the export or
    /// print the manager asked for.
    pub(super) fn summary_ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        let totals = self.totals;

        ui.horizontal(|ui| {
            let items = [
                (texts.paid_count_label, totals.paid_count.to_string()),
                (texts.gross_label, format!("￥{}", totals.gross)),
                (texts.refunds_label, format!("￥{}", totals.refunds)),
                (texts.net_label, format!("￥{}", totals.net)),
            ];
            for (label, value) in items {
                ui.label(RichText::new(label).weak());
                let shown = ui.label(RichText::new(&value).size(18.0).strong());
                set_accessible_label(&shown, Role::Label, true, format!("{label} {value}"));
                ui.add_space(16.0);
            }
            if self.pending_request.is_some() {
                ui.label(texts.loading);
            }
        });

        let bars: Vec<Bar> = self
            .hours
            .iter()
            .map(|hour| {
                Bar::new(f64::from(hour.hour), chart_yuan(hour.gross))
                    .width(BAR_WIDTH)
                    .name(format!("{:02}:00 ￥{}", hour.hour, hour.gross))
            })
            .collect();
        let chart = Plot::new("manager_hourly_takings")
            .height(CHART_HEIGHT)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .include_x(-0.5)
            .include_x(23.5)
            .include_y(0.0)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new(texts.hourly_chart_label, bars));
            });
        set_accessible_label(&chart.response, Role::Image, true, texts.hourly_chart_label);

        let mut command = None;
        ui.horizontal(|ui| {
            let idle = !self.busy;
            let buttons = [
                (texts.export_csv_button, Some(ExportKind::Csv)),
                (texts.export_xlsx_button, Some(ExportKind::Xlsx)),
                (texts.export_pdf_button, Some(ExportKind::DayEndPdf)),
                (texts.print_day_end_button, None),
            ];
            for (label, kind) in buttons {
                if !ui.add_enabled(idle, Button::new(label)).clicked() {
                    continue;
                }
                let Some((from, to, query)) = self.export_request() else {
                    continue;
                };
                self.busy = true;
                self.message = None;
                command = Some(match kind {
                    Some(kind) => ManagerCommand::Export {
                        from,
                        to,
                        query,
                        kind,
                    },
                    None => ManagerCommand::PrintDayEnd { from, to },
                });
            }
        });
        command
    }
}
