//! The manager view's range and filters: two date pickers, a state filter, an amount range
//! and a search box. Every field is labelled, so screen readers and tests find it by name.

use chrono::{Datelike as _, NaiveDate};
use egui::{Role, TextEdit, Ui};
use egui_extras::DatePickerButton;
use jiff::civil::Date;

use super::{ManagerState, filter_text};
use crate::i18n::Lang;
use crate::money::Fen;
use crate::store::{ListQuery, RowFilter, SortKey};
use crate::ui::widgets::set_accessible_label;

const AMOUNT_FIELD_WIDTH: f32 = 90.0;
const SEARCH_FIELD_WIDTH: f32 = 260.0;

/// The range and filter fields as typed.
pub(super) struct Filters {
    pub(super) from: Date,
    pub(super) to: Date,
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
        let today = to_picker_date(crate::report::report_today());
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
        let from = from_picker_date(self.from);
        let to = from_picker_date(self.to).max(from);
        (from, to)
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

/// Converts a picker date to chrono's; the picker only contains real dates, so the fallback to
/// the Unix epoch's date is unreachable in practice.
fn from_picker_date(date: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        i32::from(date.year()),
        u32::try_from(date.month()).unwrap_or(1),
        u32::try_from(date.day()).unwrap_or(1),
    )
    .unwrap_or_default()
}

fn to_picker_date(date: NaiveDate) -> Date {
    let year = i16::try_from(date.year()).unwrap_or(2000);
    let month = i8::try_from(date.month()).unwrap_or(1);
    let day = i8::try_from(date.day()).unwrap_or(1);
    Date::new(year, month, day).unwrap_or_default()
}

impl ManagerState {
    pub(super) fn filters_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let texts = lang.manager_texts();
        let filters = &mut self.filters;

        ui.horizontal(|ui| {
            let from_label = ui.label(texts.from_label);
            ui.add(
                DatePickerButton::new(&mut filters.from)
                    .id_salt("manager_from")
                    .show_icon(false),
            )
            .labelled_by(from_label.id);
            let to_label = ui.label(texts.to_label);
            ui.add(
                DatePickerButton::new(&mut filters.to)
                    .id_salt("manager_to")
                    .show_icon(false),
            )
            .labelled_by(to_label.id);
            if ui.button(texts.today_button).clicked() {
                let today = to_picker_date(crate::report::report_today());
                filters.from = today;
                filters.to = today;
            }
        });

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
    fn picker_dates_convert_both_ways() {
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(from_picker_date(to_picker_date(date)), date);
    }

    #[test]
    fn end_before_start_is_moved_up() {
        let mut filters = Filters::today();
        filters.from = Date::new(2026, 3, 10).unwrap();
        filters.to = Date::new(2026, 3, 1).unwrap();
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
