//! The table of the range's orders and refunds. `TableBuilder::rows` lays out only the rows
//! in view, so a range of thousands of rows costs a frame about as much as one screenful.
//! Clicking a header sorts by that column (again: the other way); clicking an order number
//! opens its detail.

use egui::{Align, Layout, RichText, Role, Sense, Ui};
use egui_extras::{Column, TableBuilder};

use super::{ManagerCommand, ManagerState, column_text};
use crate::i18n::{self, Lang};
use crate::report::local_time_text;
use crate::store::{RowKind, SortKey};
use crate::ui::widgets::set_accessible_label;

const ROW_HEIGHT: f32 = 22.0;
const HEADER_HEIGHT: f32 = 26.0;

/// Index of the description column; the other unsortable one is the transaction id.
const BODY_COLUMN: usize = 4;

/// The columns, in order: sort key (for sortable ones) and width. Amount and state come right
/// after the order number so they stay in view on a 1024-pixel-wide till screen, where the
/// table scrolls sideways to the rest.
const COLUMNS: [(Option<SortKey>, f32); 7] = [
    (Some(SortKey::Time), 145.0),
    (Some(SortKey::OutTradeNo), 190.0),
    (Some(SortKey::Amount), 90.0),
    (Some(SortKey::State), 100.0),
    (None, 160.0),
    (None, 230.0),
    (Some(SortKey::Terminal), 70.0),
];

impl ManagerState {
    /// Shows the table; returns the detail load of an order the manager clicked.
    pub(super) fn table_ui(&mut self, ui: &mut Ui, lang: Lang) -> Option<ManagerCommand> {
        let texts = lang.manager_texts();
        if self.listing.total_rows > self.listing.rows.len() {
            ui.label(
                RichText::new(i18n::rows_cut_text(
                    lang,
                    self.listing.rows.len(),
                    self.listing.total_rows,
                ))
                .weak(),
            );
        }
        if self.listing.rows.is_empty() && self.pending_request.is_none() {
            ui.label(RichText::new(texts.no_rows).weak());
            return None;
        }

        // Selectable labels take clicks for text selection, so a click on a plain cell would
        // not reach the row. Cells here only select their row.
        ui.style_mut().interaction.selectable_labels = false;
        let mut builder = TableBuilder::new(ui)
            .id_salt("manager_orders")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(Layout::left_to_right(Align::Center))
            .min_scrolled_height(0.0);
        for (index, (_, width)) in COLUMNS.iter().enumerate() {
            let column = if index == COLUMNS.len() - 1 {
                Column::remainder().at_least(*width)
            } else {
                Column::initial(*width).resizable(true).clip(true)
            };
            builder = builder.column(column);
        }

        let mut clicked_sort = None;
        let mut clicked_order = None;
        let table = builder.header(HEADER_HEIGHT, |mut header| {
            for (index, (sort, _)) in COLUMNS.into_iter().enumerate() {
                header.col(|ui| match sort {
                    Some(sort) => {
                        let name = column_text(sort, lang);
                        let arrow = match (self.filters.sort == sort, self.filters.descending) {
                            (true, false) => " ▲",
                            (true, true) => " ▼",
                            (false, _) => "",
                        };
                        let response = ui.selectable_label(
                            self.filters.sort == sort,
                            RichText::new(format!("{name}{arrow}")).strong(),
                        );
                        set_accessible_label(&response, Role::Button, true, name);
                        if response.clicked() {
                            clicked_sort = Some(sort);
                        }
                    }
                    None => {
                        let name = if index == BODY_COLUMN {
                            texts.column_body
                        } else {
                            texts.column_transaction_id
                        };
                        ui.label(RichText::new(name).strong());
                    }
                });
            }
        });

        let rows = &self.listing.rows;
        let selected = self.selected.as_deref();
        table.body(|body| {
            body.rows(ROW_HEIGHT, rows.len(), |mut table_row| {
                let Some(row) = rows.get(table_row.index()) else {
                    return;
                };
                table_row.set_selected(selected == Some(row.out_trade_no.as_str()));
                table_row.col(|ui| {
                    ui.label(local_time_text(row.at_ms));
                });
                table_row.col(|ui| {
                    let text = match (&row.kind, &row.out_refund_no) {
                        (RowKind::Refund, Some(refund)) => {
                            format!("{} {refund}", texts.refund_prefix)
                        }
                        _ => row.out_trade_no.clone(),
                    };
                    if ui.link(text).clicked() {
                        clicked_order = Some(row.out_trade_no.clone());
                    }
                });
                table_row.col(|ui| {
                    let amount = match row.kind {
                        RowKind::Order => row.amount.to_string(),
                        RowKind::Refund => format!("-{}", row.amount),
                    };
                    ui.label(amount);
                });
                table_row.col(|ui| {
                    ui.label(i18n::state_name(lang, &row.state));
                });
                table_row.col(|ui| {
                    ui.label(&row.body);
                });
                table_row.col(|ui| {
                    ui.label(row.transaction_id.as_deref().unwrap_or(""));
                });
                table_row.col(|ui| {
                    ui.label(&row.terminal);
                });
                if table_row.response().clicked() {
                    clicked_order = Some(row.out_trade_no.clone());
                }
            });
        });

        if let Some(sort) = clicked_sort {
            if self.filters.sort == sort {
                self.filters.descending = !self.filters.descending;
            } else {
                self.filters.sort = sort;
                self.filters.descending = false;
            }
        }
        let out_trade_no = clicked_order?;
        self.selected = Some(out_trade_no.clone());
        self.detail = None;
        Some(ManagerCommand::LoadDetail { out_trade_no })
    }
}
