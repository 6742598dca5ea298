//! The store manager's screen (店长管理), behind the manager PIN: a date range, a table of its
//! orders and refunds with filters and search, the range's totals, takings by hour, a detail
//! panel per order, exports and the day-end report.
//!
//! Like every screen it does no I/O. [`ManagerState::manager_ui`] returns the
//! [`ManagerCommand`]s to send; the cashier app sends them on the bridge and hands the
//! [`ManagerUpdate`]s back to [`ManagerState::apply`]. The table is reloaded whenever the
//! range, a filter, the search text or the sort order changes, and shows only the rows of one
//! load (at most [`crate::store::MAX_LIST_ROWS`]).

mod detail;
mod filters;
mod messages;
mod pin;
mod reconcile;
mod screen;
mod summary;
mod table;

use chrono::NaiveDate;
use egui::{RichText, Ui, Vec2};

pub use messages::{ExportKind, ManagerCommand, ManagerUpdate};

use super::widgets::shortcut_button;
use crate::i18n::{self, Lang};
use crate::money::Fen;
use crate::reconcile::ReconciliationSummary;
use crate::store::{
    HourTakings, ListQuery, Listing, OrderDetail, RangeTotals, RefundState, RowFilter, SortKey,
};

/// A line above the manager view. Texts are looked up at draw time, so a language switch
/// changes them too.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ManagerMessage {
    PinRejected(u32),
    PinLocked(u64),
    PinNotSet,
    PinHashInvalid,
    BadAmountFilter,
    Exported(String),
    DayEndPrinted,
    BadRefundAmount,
    /// The typed refund is larger than what is left to refund.
    RefundOverRemainder(Fen),
    Refunded {
        out_trade_no: String,
        amount: Fen,
        state: RefundState,
    },
    Failed(String),
    /// A failure written in each language: Chinese, then English.
    FailedIn(String, String),
}

/// The manager's choices during one frame.
#[derive(Debug, Default)]
pub(crate) struct ManagerOutput {
    /// Commands to send on the bridge, in order.
    pub commands: Vec<ManagerCommand>,
    /// The manager left the screen.
    pub close: bool,
}

/// The manager screen's state, kept while the window is open. Leaving the screen locks it,
/// so the next visit shows the PIN prompt again.
pub(crate) struct ManagerState {
    unlocked: bool,
    pin_text: String,
    checking_pin: bool,
    filters: filters::Filters,
    /// The range and query of the last load sent, to notice when they change.
    sent: Option<(NaiveDate, NaiveDate, ListQuery)>,
    next_request: u64,
    /// The load whose result the table waits for. Results of older loads are dropped.
    pending_request: Option<u64>,
    listing: Listing,
    totals: RangeTotals,
    hours: [HourTakings; 24],
    /// The order whose detail is shown or loading.
    selected: Option<String>,
    detail: Option<OrderDetail>,
    /// An export or print is running.
    busy: bool,
    message: Option<ManagerMessage>,
    /// The refund form of the detail panel.
    refund: RefundForm,
    /// The detail panel must be loaded again (after a refund).
    reload_detail: bool,
    /// The last bill reconciliation run from this screen.
    reconciliation: Option<ReconciliationSummary>,
    reconciling: bool,
}

/// The refund form: the typed amount and reason, and the amount awaiting confirmation.
#[derive(Debug, Default)]
struct RefundForm {
    amount_text: String,
    reason: String,
    /// Set by the refund button; the refund is sent only after the manager confirms it.
    confirming: Option<Fen>,
    /// A refund was sent and its reply has not arrived.
    sending: bool,
}

impl Default for ManagerState {
    fn default() -> Self {
        ManagerState {
            unlocked: false,
            pin_text: String::new(),
            checking_pin: false,
            filters: filters::Filters::today(),
            sent: None,
            next_request: 1,
            pending_request: None,
            listing: Listing::default(),
            totals: RangeTotals::default(),
            hours: [HourTakings::default(); 24],
            selected: None,
            detail: None,
            busy: false,
            message: None,
            refund: RefundForm::default(),
            reload_detail: false,
            reconciliation: None,
            reconciling: false,
        }
    }
}

impl ManagerState {
    /// Returns whether the manager view is open (the PIN was accepted).
    pub(crate) fn is_unlocked(&self) -> bool {
        self.unlocked
    }

    /// Returns the number of rows the table holds.
    pub(crate) fn row_count(&self) -> usize {
        self.listing.rows.len()
    }

    /// Forgets the session and the loaded data, so the next visit starts at the PIN prompt.
    fn lock(&mut self) {
        *self = ManagerState::default();
    }

    /// Applies an update from the command runner.
    pub(crate) fn apply(&mut self, update: ManagerUpdate) {
        match update {
            ManagerUpdate::Unlocked => {
                self.checking_pin = false;
                self.unlocked = true;
                self.message = None;
            }
            ManagerUpdate::PinRejected { attempts_left } => {
                self.checking_pin = false;
                self.message = Some(ManagerMessage::PinRejected(attempts_left));
            }
            ManagerUpdate::PinLocked { retry_after_secs } => {
                self.checking_pin = false;
                self.message = Some(ManagerMessage::PinLocked(retry_after_secs));
            }
            ManagerUpdate::PinNotSet => {
                self.checking_pin = false;
                self.message = Some(ManagerMessage::PinNotSet);
            }
            ManagerUpdate::PinHashInvalid => {
                self.checking_pin = false;
                self.message = Some(ManagerMessage::PinHashInvalid);
            }
            ManagerUpdate::Loaded {
                request,
                listing,
                totals,
                hours,
            } => {
                if self.pending_request == Some(request) {
                    self.pending_request = None;
                    self.listing = listing;
                    self.totals = totals;
                    self.hours = *hours;
                }
            }
            ManagerUpdate::Detail(detail) => {
                if self.selected.as_deref() == Some(detail.row.out_trade_no.as_str()) {
                    self.detail = Some(*detail);
                }
            }
            ManagerUpdate::Exported { path } => {
                self.busy = false;
                self.message = Some(ManagerMessage::Exported(path));
            }
            ManagerUpdate::DayEndPrinted => {
                self.busy = false;
                self.message = Some(ManagerMessage::DayEndPrinted);
            }
            ManagerUpdate::Refunded {
                out_trade_no,
                amount,
                state,
            } => {
                self.refund = RefundForm::default();
                // Reload the table, the totals and the detail to show the refund.
                self.sent = None;
                self.reload_detail = true;
                self.message = Some(ManagerMessage::Refunded {
                    out_trade_no,
                    amount,
                    state,
                });
            }
            ManagerUpdate::Reconciled(summary) => {
                self.reconciling = false;
                self.reconciliation = Some(*summary);
                self.message = None;
                // The table and totals should show the records the run was compared with.
                self.sent = None;
            }
            ManagerUpdate::Failed { detail } => {
                self.stop_waiting();
                self.message = Some(ManagerMessage::Failed(detail));
            }
            ManagerUpdate::FailedIn { zh, en } => {
                self.stop_waiting();
                self.message = Some(ManagerMessage::FailedIn(zh, en));
            }
        }
    }

    /// Shows the PIN prompt or the manager view, and returns the commands to send.
    pub(crate) fn manager_ui(&mut self, ui: &mut Ui, lang: Lang) -> ManagerOutput {
        let texts = lang.manager_texts();
        let mut output = ManagerOutput::default();

        ui.horizontal(|ui| {
            let title = if self.unlocked {
                texts.title
            } else {
                texts.pin_title
            };
            ui.label(RichText::new(title).size(24.0).strong());
            ui.add_space(24.0);
            let back_text = if self.unlocked {
                texts.lock_button
            } else {
                lang.texts().back_button
            };
            let back = shortcut_button(
                ui,
                true,
                RichText::new(back_text),
                "Esc",
                Vec2::new(140.0, 32.0),
            );
            // Esc closes an open popup (the calendar) first, not the whole screen.
            let escape = ui.input(|input| input.key_pressed(egui::Key::Escape))
                && !egui::Popup::is_any_open(ui.ctx());
            if back.clicked() || escape {
                output.close = true;
            }
            // Beside the buttons, a notice does not push the screen down under the pointer.
            ui.add_space(16.0);
            self.message_ui(ui, lang);
        });
        ui.separator();

        if output.close {
            if self.unlocked {
                output.commands.push(ManagerCommand::Lock);
            }
            self.lock();
            return output;
        }
        if !self.unlocked {
            if let Some(command) = self.pin_ui(ui, lang) {
                output.commands.push(command);
            }
            return output;
        }

        self.filters_ui(ui, lang);
        if let Some(command) = self.load_if_changed() {
            output.commands.push(command);
        }
        if self.reload_detail {
            self.reload_detail = false;
            if let Some(out_trade_no) = self.selected.clone() {
                output
                    .commands
                    .push(ManagerCommand::LoadDetail { out_trade_no });
            }
        }
        output.commands.extend(self.summary_ui(ui, lang));
        output.commands.extend(self.reconcile_ui(ui, lang));
        ui.separator();

        let detail_command = egui::Panel::right("manager_detail_panel")
            .resizable(true)
            .default_size(360.0)
            .show(ui, |ui| self.detail_ui(ui, lang))
            .inner;
        output.commands.extend(detail_command);
        // The columns are wider than a small window; the table scrolls sideways inside its
        // own clip rect instead of running under the detail panel.
        let table_command = egui::ScrollArea::horizontal()
            .id_salt("manager_table_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| self.table_ui(ui, lang))
            .inner;
        if let Some(command) = table_command {
            output.commands.push(command);
        }
        output
    }

    /// Sends a load when the range or the query changed since the last one. An amount
    /// filter that does not parse shows a message and loads nothing.
    fn load_if_changed(&mut self) -> Option<ManagerCommand> {
        let Ok(query) = self.filters.query() else {
            self.message = Some(ManagerMessage::BadAmountFilter);
            return None;
        };
        if self.message == Some(ManagerMessage::BadAmountFilter) {
            self.message = None;
        }
        let (from, to) = self.filters.dates();
        let requested = (from, to, query);
        if self.sent.as_ref() == Some(&requested) {
            return None;
        }
        let request = self.next_request;
        self.next_request += 1;
        self.pending_request = Some(request);
        let (from, to, query) = requested.clone();
        self.sent = Some(requested);
        Some(ManagerCommand::Load {
            request,
            from,
            to,
            query,
        })
    }

    fn message_ui(&self, ui: &mut Ui, lang: Lang) {
        let texts = lang.manager_texts();
        let Some(message) = &self.message else {
            return;
        };
        let (text, is_error) = match message {
            ManagerMessage::PinRejected(left) => (i18n::pin_rejected_text(lang, *left), true),
            ManagerMessage::PinLocked(secs) => (i18n::pin_locked_text(lang, *secs), true),
            ManagerMessage::PinNotSet => (texts.pin_not_set.to_owned(), true),
            ManagerMessage::PinHashInvalid => (texts.pin_hash_invalid.to_owned(), true),
            ManagerMessage::BadAmountFilter => (texts.bad_amount_filter.to_owned(), true),
            ManagerMessage::Exported(path) => (i18n::exported_text(lang, path), false),
            ManagerMessage::DayEndPrinted => (texts.day_end_printed.to_owned(), false),
            ManagerMessage::BadRefundAmount => (texts.bad_refund_amount.to_owned(), true),
            ManagerMessage::RefundOverRemainder(remainder) => {
                (i18n::refund_over_remainder_text(lang, *remainder), true)
            }
            ManagerMessage::Refunded {
                out_trade_no,
                amount,
                state,
            } => (
                i18n::refunded_text(lang, out_trade_no, *amount, state.as_str()),
                *state == RefundState::Failed,
            ),
            ManagerMessage::Failed(detail) => (i18n::manager_failed_text(lang, detail), true),
            ManagerMessage::FailedIn(zh, en) => {
                let detail = match lang {
                    Lang::ZhCn => zh,
                    Lang::En => en,
                };
                (i18n::manager_failed_text(lang, detail), true)
            }
        };
        let color = if is_error {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().strong_text_color()
        };
        ui.add(egui::Label::new(RichText::new(text).color(color).size(16.0)).wrap());
    }

    /// Clears every pending state after a failed command, so its buttons work again.
    fn stop_waiting(&mut self) {
        self.refund.sending = false;
        self.reconciling = false;
        self.busy = false;
        self.checking_pin = false;
        self.pending_request = None;
    }

    /// Returns the current range's dates and query, for exports.
    fn export_request(&self) -> Option<(NaiveDate, NaiveDate, ListQuery)> {
        let query = self.filters.query().ok()?;
        let (from, to) = self.filters.dates();
        Some((from, to, query))
    }
}

/// Returns the text of a row filter in `lang`.
fn filter_text(filter: RowFilter, lang: Lang) -> &'static str {
    let texts = lang.manager_texts();
    match filter {
        RowFilter::All => texts.filter_all,
        RowFilter::Paid => texts.filter_paid,
        RowFilter::Open => texts.filter_open,
        RowFilter::Unpaid => texts.filter_unpaid,
        RowFilter::Refunds => texts.filter_refunds,
    }
}

/// Returns the header text of a sortable column in `lang`.
fn column_text(sort: SortKey, lang: Lang) -> &'static str {
    let texts = lang.manager_texts();
    match sort {
        SortKey::Time => texts.column_time,
        SortKey::OutTradeNo => texts.column_out_trade_no,
        SortKey::Amount => texts.column_amount,
        SortKey::State => texts.column_state,
        SortKey::Terminal => texts.column_terminal,
    }
}
