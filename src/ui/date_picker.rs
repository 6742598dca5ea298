//! A date button with a month calendar that speaks the screen's language: month titles,
//! weekday names and buttons in Chinese or English, weeks starting on Monday as on Chinese
//! calendars. Every control has an accessible name, so tests find them by label.

use chrono::{Datelike as _, Months, NaiveDate};
use egui::{Grid, Popup, PopupCloseBehavior, Response, RichText, Role, Ui};

use super::widgets::set_accessible_label;
use crate::i18n::Lang;

/// Weekday headers from Monday.
const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Shows `date` as a button named `label` and the date (such as `开始日期 2026-12-05`);
/// clicking it opens a calendar, and picking a day sets `date` and closes it. Returns the button's response, marked changed when a day was
/// picked.
pub(crate) fn date_picker(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    date: &mut NaiveDate,
    today: NaiveDate,
    lang: Lang,
) -> Response {
    let month_id = ui.make_persistent_id(("date_picker_month", id_salt));
    let date_text = date.format("%Y-%m-%d").to_string();
    let mut button = ui.button(&date_text);
    set_accessible_label(&button, Role::Button, true, format!("{label} {date_text}"));
    let popup_id = Popup::default_response_id(&button);
    if button.clicked() && !Popup::is_id_open(ui.ctx(), popup_id) {
        // Each opening starts on the chosen date's month.
        ui.data_mut(|data| data.insert_temp(month_id, month_start(*date)));
    }

    let mut picked = None;
    Popup::from_toggle_button_response(&button)
        .close_behavior(PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            let shown_month = ui
                .data(|data| data.get_temp::<NaiveDate>(month_id))
                .unwrap_or_else(|| month_start(*date));
            let shown_month = month_nav_ui(ui, shown_month, lang);
            ui.data_mut(|data| data.insert_temp(month_id, shown_month));
            picked = month_grid_ui(ui, id_salt, shown_month, *date, today, lang);
            ui.separator();
            let today_text = match lang {
                Lang::ZhCn => "今天",
                Lang::En => "Today",
            };
            if ui.button(today_text).clicked() {
                picked = Some(today);
            }
        });
    if let Some(day) = picked {
        Popup::close_id(ui.ctx(), popup_id);
        if day != *date {
            *date = day;
            button.mark_changed();
        }
    }
    button
}

/// Shows the month title between previous and next buttons; returns the month to show.
fn month_nav_ui(ui: &mut Ui, shown_month: NaiveDate, lang: Lang) -> NaiveDate {
    let (previous_text, next_text) = match lang {
        Lang::ZhCn => ("上个月", "下个月"),
        Lang::En => ("Previous month", "Next month"),
    };
    let mut shown_month = shown_month;
    ui.horizontal(|ui| {
        let previous = ui.button("‹");
        set_accessible_label(&previous, Role::Button, true, previous_text);
        if previous.clicked() {
            shown_month = shown_month
                .checked_sub_months(Months::new(1))
                .unwrap_or(shown_month);
        }
        ui.label(RichText::new(month_title(shown_month, lang)).strong());
        let next = ui.button("›");
        set_accessible_label(&next, Role::Button, true, next_text);
        if next.clicked() {
            shown_month = shown_month
                .checked_add_months(Months::new(1))
                .unwrap_or(shown_month);
        }
    });
    shown_month
}

/// Shows the weeks of `shown_month`'s month; returns the day clicked.
fn month_grid_ui(
    ui: &mut Ui,
    id_salt: &str,
    shown_month: NaiveDate,
    chosen: NaiveDate,
    today: NaiveDate,
    lang: Lang,
) -> Option<NaiveDate> {
    let weekdays = match lang {
        Lang::ZhCn => WEEKDAYS_ZH,
        Lang::En => WEEKDAYS_EN,
    };
    let mut picked = None;
    Grid::new(("date_picker_grid", id_salt))
        .min_col_width(30.0)
        .show(ui, |ui| {
            for weekday in weekdays {
                ui.label(RichText::new(weekday).weak());
            }
            ui.end_row();
            let lead = shown_month.weekday().num_days_from_monday();
            for _ in 0..lead {
                ui.label("");
            }
            let mut column = lead;
            for day in shown_month
                .iter_days()
                .take_while(|day| day.month() == shown_month.month())
            {
                let mut text = RichText::new(day.day().to_string());
                if day == today {
                    text = text.underline();
                }
                let response = ui.selectable_label(day == chosen, text);
                set_accessible_label(
                    &response,
                    Role::Button,
                    true,
                    day.format("%Y-%m-%d").to_string(),
                );
                if response.clicked() {
                    picked = Some(day);
                }
                column += 1;
                if column == 7 {
                    ui.end_row();
                    column = 0;
                }
            }
        });
    picked
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn month_title(month: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{}年{}月", month.year(), month.month()),
        Lang::En => format!("{} {}", MONTHS_EN[month.month0() as usize], month.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_titles_in_both_languages() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(month_title(date, Lang::ZhCn), "2026年12月");
        assert_eq!(month_title(date, Lang::En), "December 2026");
        assert_eq!(
            month_start(date),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
    }
}
