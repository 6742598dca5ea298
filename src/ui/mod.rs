//! The egui cashier screens. Nothing here does I/O: screens send [`bridge::Command`]s and show
//! the [`bridge::Update`]s that come back; see [`bridge`].
//!
//! [`CashierApp`] is the whole window. Each screen has one `*_ui` method in its own file, which
//! returns the [`Action`] the cashier chose. The app runs that action after the frame is laid out.

mod awaiting;
pub mod bridge;
mod chrome;
mod commands;
mod entry;
mod fonts;
mod paid;
mod qr;
mod updates;

pub use fonts::install_fonts;

use crate::i18n::Lang;
use crate::money::{AmountError, Fen};
use bridge::{PendingOrder, Problem, UiBridge};
use qr::QrMatrix;

/// Seconds the paid screen stays up before a new sale starts by itself.
const PAID_SCREEN_SECS: f64 = 5.0;

/// Interval for checking the update channel while a command is in flight. The runner wakes the
/// UI with `request_repaint` when it sends an update; this poll bounds the delay if it does not.
const IN_FLIGHT_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Start-up settings of the cashier window.
#[derive(Debug, Clone)]
pub struct CashierOptions {
    /// Shows the demo banner and the simulate payment button.
    pub demo_mode: bool,
    /// The first language; the cashier can switch it in the top bar.
    pub lang: Lang,
    /// Shop name shown in the top bar. An empty name shows the app title instead.
    pub merchant_name: String,
}

/// The cashier window: amount entry, the QR code of the open order, and the result.
pub struct CashierApp {
    bridge: UiBridge,
    demo_mode: bool,
    merchant_name: String,
    lang: Lang,
    screen: Screen,
    form: EntryForm,
    in_flight: Option<InFlight>,
    message: Option<Message>,
    /// Set once the command runner has dropped its end of the update channel.
    updates_closed: bool,
}

/// The screen in view, with the data it shows.
enum Screen {
    Entry,
    Awaiting {
        order: PendingOrder,
        qr: Result<QrMatrix, qrcode::types::QrError>,
    },
    Paid {
        out_trade_no: String,
        transaction_id: String,
        amount: Fen,
        /// `egui::InputState::time` when the payment was shown.
        shown_at_secs: f64,
    },
}

/// The text fields of the entry screen.
struct EntryForm {
    amount_text: String,
    description: String,
    /// Moves keyboard focus to the amount field on the next frame.
    focus_amount: bool,
}

/// The command the screen is waiting on; its buttons stay disabled until an update arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    Charge,
    Cancel,
    SimulatePay,
}

/// A line above the current screen. Texts are looked up at draw time so a language switch
/// changes them too.
#[derive(Debug, Clone, PartialEq)]
enum Message {
    OrderClosed,
    OrderExpired,
    Amount(AmountError),
    Problem(Problem),
    CommandQueueFull,
    BackendStopped,
}

/// A request the cashier made during a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Charge,
    Cancel,
    SimulatePay,
    NewSale,
}

impl CashierApp {
    /// Creates the window state. Call [`install_fonts`] on the egui context as well, or
    /// Chinese text is drawn as boxes.
    pub fn new(bridge: UiBridge, options: CashierOptions) -> CashierApp {
        let CashierOptions {
            demo_mode,
            lang,
            merchant_name,
        } = options;
        CashierApp {
            bridge,
            demo_mode,
            merchant_name,
            lang,
            screen: Screen::Entry,
            form: EntryForm {
                amount_text: String::new(),
                description: lang.texts().default_description.to_owned(),
                focus_amount: true,
            },
            in_flight: None,
            message: None,
            updates_closed: false,
        }
    }

    /// Returns the name of the current screen: `"entry"`, `"awaiting"` or `"paid"`.
    pub fn screen_name(&self) -> &'static str {
        match self.screen {
            Screen::Entry => "entry",
            Screen::Awaiting { .. } => "awaiting",
            Screen::Paid { .. } => "paid",
        }
    }

    /// Returns the language the screens are shown in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Draws the whole window for one frame: applies pending updates, shows the top bar and
    /// the current screen, then runs the action the cashier chose.
    pub fn cashier_ui(&mut self, ui: &mut egui::Ui) {
        let now_secs = ui.input(|input| input.time);
        self.drain_updates(now_secs);

        egui::Panel::top("cashier_top_bar").show(ui, |ui| self.top_bar_ui(ui));
        if self.demo_mode {
            egui::Panel::top("cashier_demo_banner")
                .frame(chrome::demo_banner_frame())
                .show(ui, |ui| self.demo_banner_ui(ui));
        }

        let action = egui::CentralPanel::default()
            .show(ui, |ui| {
                self.message_ui(ui);
                match &self.screen {
                    Screen::Entry => self.entry_ui(ui),
                    Screen::Awaiting { .. } => self.awaiting_ui(ui),
                    Screen::Paid { .. } => self.paid_ui(ui, now_secs),
                }
            })
            .inner;

        if let Some(action) = action {
            self.run_action(action);
        }
        if self.in_flight.is_some() {
            ui.ctx().request_repaint_after(IN_FLIGHT_POLL);
        }
    }

    /// Switches every text to `lang`, and swaps an untouched default description with it.
    fn set_lang(&mut self, lang: Lang) {
        if self.form.description == self.lang.texts().default_description {
            self.form.description = lang.texts().default_description.to_owned();
        }
        self.lang = lang;
    }
}

impl eframe::App for CashierApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.cashier_ui(ui);
    }
}
