//! The manager view's range and filters: two date pickers, a state filter, an amount range
//! and a search box. Every field is labelled, so screen readers and tests find it by name.

use chrono::NaiveDate;
use egui::{Role, TextEdit, Ui};

use super::{ManagerState, filter_text};
use crate::i18n::Lang;
use crate::money::Fen;
use crate::store::{ListQuery, RowFilter, SortKey};
use crate::ui::date_picker::date_picker;
use crate::ui::widgets::set_accessible_label;

const AMOUNT_FIELD_WIDTH: f32 = 90.0;
const SEARCH_FIELD_WIDTH: f32 = 260.0;

/// The range and filter fields as typed.
pub(super) struct Filters {
    pub(super) from: NaiveDate,
    pub(super) to: NaiveDate,
    pub(super) filter: RowFilter,
    pub(super) min_text: String,
    pub(super) max_text: String,
    pub(super) search_text: String,
    pub(super) sort: SortKey,
    pub(super) descending: bool,
}

impl Filters {
    /// Today, everything, newest last.
    pub(super) fn today() -> Filters {
        let today = crate::report::report_today();
        Filters {
            from: today,
            to: today,
            filter: RowFilter::All,
            min_text: String::new(),
            max_text: String::new(),
            search_text: String::new(),
            sort: SortKey::Time,
            descending: false,
        }
    }

    /// Returns the chosen dates, with the end moved up to the start when it was before it.
    pub(super) fn dates(&self) -> (NaiveDate, NaiveDate) {
        (self.from, self.to.max(self.from))
    }

    /// Builds the store query, or fails when an amount field contains something other than a
    /// yuan amount.
    pub(super) fn query(&self) -> Result<ListQuery, ()> {
        let amount = |text: &str| -> Result<Option<Fen>, ()> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                Fen::parse_yuan(text).map(Some).map_err(|_| ())
            }
        };
        Ok(ListQuery {
            filter: self.filter,
            min_amount: amount(&self.min_text)?,
            max_amount: amount(&self.max_text)?,
            search: self.search_text.trim().to_owned(),
            sort: self.sort,
            descending: self.descending,
        })
    }
}

impl ManagerState {
    pub(super) fn filters_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let texts = lang.manager_texts();
        let filters = &mut self.filters;
        let mut refresh = false;

        ui.horizontal(|ui| {
            let today = crate::report::report_today();
            ui.label(texts.from_label);
            let from = date_picker(
                ui,
                "manager_from",
                texts.from_label,
                &mut filters.from,
                today,
                lang,
            );
            ui.label(texts.to_label);
            let to = date_picker(
                ui,
                "manager_to",
                texts.to_label,
                &mut filters.to,
                today,
                lang,
            );
            // The range never runs backwards: the other end follows the date just picked, so
            // the dates shown are the range used.
            if from.changed() && filters.to < filters.from {
                filters.to = filters.from;
            }
            if to.changed() && filters.to < filters.from {
                filters.from = filters.to;
            }
            if ui.button(texts.today_button).clicked() {
                filters.from = today;
                filters.to = today;
            }
            if ui.button(texts.refresh_button).clicked() {
                refresh = true;
            }
        });
        if refresh {
            // Forgetting the last request makes the next frame load the range again.
            self.sent = None;
        }

        ui.horizontal(|ui| {
            ui.label(texts.state_filter_label);
            for filter in [
                RowFilter::All,
                RowFilter::Paid,
                RowFilter::Open,
                RowFilter::Unpaid,
                RowFilter::Refunds,
            ] {
                let name = filter_text(filter, lang);
                let chosen = filters.filter == filter;
                let response = ui.selectable_label(chosen, name);
                set_accessible_label(&response, Role::Button, true, name);
                if response.clicked() {
                    filters.filter = filter;
                }
            }
        });

        ui.horizontal(|ui| {
            let min_label = ui.label(texts.min_amount_label);
            ui.add(TextEdit::singleline(&mut filters.min_text).desired_width(AMOUNT_FIELD_WIDTH))
                .labelled_by(min_label.id);
            let max_label = ui.label(texts.max_amount_label);
            ui.add(TextEdit::singleline(&mut filters.max_text).desired_width(AMOUNT_FIELD_WIDTH))
                .labelled_by(max_label.id);
            let search_label = ui.label(texts.search_label);
            ui.add(
                TextEdit::singleline(&mut filters.search_text).desired_width(SEARCH_FIELD_WIDTH),
            )
            .labelled_by(search_label.id);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_before_start_is_moved_up() {
        let mut filters = Filters::today();
        filters.from = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        filters.to = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let (from, to) = filters.dates();
        assert_eq!(from, to);
    }

    #[test]
    fn bad_amount_text_gives_no_query() {
        let mut filters = Filters::today();
        filters.min_text = "abc".to_owned();
        assert!(filters.query().is_err());
        filters.min_text = "5".to_owned();
        assert_eq!(filters.query().unwrap().min_amount, Some(Fen(500)));
    }
}
