//! The egui cashier screens. Nothing here does I/O: screens send [`bridge::Command`]s and show
//! the [`bridge::Update`]s that come back; see [`bridge`].
//!
//! [`CashierApp`] is the whole window. Each screen has one `*_ui` method in its own file, which
//! returns the [`Action`] the cashier chose. The app runs that action after the frame is laid out.

mod awaiting;
pub mod bridge;
mod cart;
mod cart_panel;
mod catalogue;
mod chrome;
mod commands;
mod customer;
mod date_picker;
mod entry;
mod fonts;
pub mod manager;
mod manual_check;
mod paid;
mod pay_panel;
mod products;
mod qr;
mod quick_keys;
mod scan_sale;
mod settings;
mod updates;
mod widgets;

pub use fonts::install_fonts;

use crate::i18n::Lang;
use crate::money::{AmountError, Fen};
use bridge::{PendingOrder, Problem, SettingsForm, UiBridge};
use cart::Cart;
use catalogue::CatalogueView;
use qr::QrMatrix;
use settings::SettingsState;

/// Seconds the paid screen stays up before a new sale starts by itself.
const PAID_SCREEN_SECS: f64 = 5.0;

/// Height of the notice band under the screen: a notice line and its small print, framed.
const MESSAGE_BAND_HEIGHT: f32 = 64.0;

/// Interval for checking the update channel while a command is in flight. The runner wakes the
/// UI with `request_repaint` when it sends an update; this poll bounds the delay if it does not.
const IN_FLIGHT_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// The monitor that faces the customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerMonitor {
    /// Index into winit's `available_monitors()`.
    pub index: usize,
    /// The monitor's size in points. The customer window is given this size as well as
    /// full screen, so it covers the monitor even where no window manager honours the
    /// full-screen request.
    pub size: egui::Vec2,
}

/// Start-up settings of the cashier window.
#[derive(Debug, Clone)]
pub struct CashierOptions {
    /// Shows the demo banner and the simulate payment button.
    pub demo_mode: bool,
    /// The first language; the cashier can switch it in the top bar.
    pub lang: Lang,
    /// Shop name shown in the top bar. An empty name shows the app title instead.
    pub merchant_name: String,
    /// The monitor for the customer display, or `None` when there is only one monitor. Then
    /// the QR code fills the cashier window.
    pub customer_monitor: Option<CustomerMonitor>,
    /// The settings screen's first values.
    pub settings: SettingsForm,
    /// The configured receipt printer in a few words, or `None` when there is none.
    pub printer_summary: Option<String>,
}

impl Default for CashierOptions {
    fn default() -> Self {
        let settings = crate::config::Settings::default();
        CashierOptions {
            demo_mode: false,
            lang: Lang::ZhCn,
            merchant_name: String::new(),
            customer_monitor: None,
            settings: SettingsForm::from_settings(&settings, Lang::ZhCn),
            printer_summary: None,
        }
    }
}

/// The cashier window: the sale (quick keys, cart, keypad), the QR code of the open order, the
/// result, the settings, and the customer display.
pub struct CashierApp {
    bridge: UiBridge,
    demo_mode: bool,
    merchant_name: String,
    lang: Lang,
    screen: Screen,
    form: EntryForm,
    cart: Cart,
    catalogue: CatalogueView,
    settings: SettingsState,
    /// The store manager's screen, kept while the window is open.
    manager: manager::ManagerState,
    customer_monitor: Option<CustomerMonitor>,
    printer_summary: Option<String>,
    /// True while the cashier window is full screen for the customer (one monitor).
    fullscreen: bool,
    /// The cart changed and the change has not been sent to the store yet.
    cart_unsaved: bool,
    in_flight: Option<InFlight>,
    /// The `out_trade_no` typed on the manual check screen.
    manual_check_no: String,
    /// Orders that may still be paid, listed on the manual check screen.
    open_orders: Vec<bridge::OpenOrder>,
    message: Option<Message>,
    /// Set once the command runner has dropped its end of the update channel.
    updates_closed: bool,
    /// Set once the first frame was drawn, which is logged as the window being ready.
    first_frame_drawn: bool,
    /// Keyboard events that reached the customer window, replayed in the cashier window on
    /// its next frame (see [`customer::forwarded_key_events`]).
    forwarded_keys: Vec<egui::Event>,
    /// Whether the customer window had keyboard focus on its last frame.
    customer_focused: bool,
    /// Paid orders whose receipt did not print, oldest first, with the last printer error.
    /// They stay listed under the screen until printed again or dismissed.
    unprinted_receipts: Vec<UnprintedReceipt>,
}

/// A paid order whose receipt did not print.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnprintedReceipt {
    out_trade_no: String,
    detail: String,
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
    Settings,
    ManualCheck,
    /// The store manager's screen, behind the manager PIN.
    Manager,
}

/// The text fields of the sale screen.
struct EntryForm {
    /// The free amount in yuan, typed or entered on the keypad.
    amount_text: String,
    description: String,
    discount_text: String,
    barcode_text: String,
    /// The field that gets keyboard focus on the next frame.
    focus: Option<Field>,
}

/// A text field of the sale screen that can be focused by a shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Barcode,
    Amount,
    Discount,
}

/// The command the screen is waiting on; its buttons stay disabled until an update arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    Charge,
    Cancel,
    SimulatePay,
    CheckPayment,
}

/// A line above the current screen. Texts are looked up at draw time so a language switch
/// changes them too.
#[derive(Debug, Clone, PartialEq)]
enum Message {
    /// A manual check found the order unpaid; the gateway's `trade_state` follows.
    NotPaidYet(String),
    OrderClosed,
    OrderExpired,
    TestPagePrinted,
    /// A manual check found an order already paid; its transaction id and payment time follow.
    AlreadyPaid(String),
    /// The checkout slip was printed, or saved as the PDF at this path.
    SlipPrinted(Option<String>),
    Amount(AmountError),
    Discount(AmountError),
    DiscountTooLarge,
    UnknownBarcode(String),
    /// A scanned barcode belongs to a product that is off sale; the product name.
    ProductOffSale(String),
    Problem(Problem),
    CommandQueueFull,
    BackendStopped,
    SettingsSaved,
    SettingsRejected {
        key: String,
        reason: String,
    },
    ProductSaved,
    ProductDeleted,
    ProductRejected {
        field: String,
        detail: String,
    },
    /// A product QR sale (Native mode 1) was paid: the product name and amount.
    ScanSalePaid {
        body: String,
        amount: Fen,
    },
}

/// A request the cashier made during a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Charge,
    Cancel,
    SimulatePay,
    CheckPayment,
    NewSale,
    ScanBarcode,
    AddProduct(usize),
    IncreaseLine(usize),
    DecreaseLine(usize),
    RemoveLine(usize),
    ClearCart,
    Keypad(KeypadKey),
    OpenSettings,
    CloseSettings,
    PrintTestPage,
    PrintCheckoutSlip,
    OpenManualCheck,
    CloseManualCheck,
    /// Manual check of a typed or picked `out_trade_no`.
    CheckOrder(String),
    OpenManager,
    CloseManager,
    /// Print every listed unprinted receipt again.
    ReprintReceipts,
    /// Stop listing the unprinted receipts.
    DismissUnprinted,
}

/// A key of the on-screen numeric keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeypadKey {
    Char(char),
    Backspace,
    Clear,
}

impl CashierApp {
    /// Creates the window state. Call [`install_fonts`] on the egui context as well, or
    /// Chinese text is drawn as boxes.
    pub fn new(bridge: UiBridge, options: CashierOptions) -> CashierApp {
        let CashierOptions {
            demo_mode,
            lang,
            merchant_name,
            customer_monitor,
            settings,
            printer_summary,
        } = options;
        let mut app = CashierApp {
            bridge,
            demo_mode,
            merchant_name,
            lang,
            screen: Screen::Entry,
            form: EntryForm {
                amount_text: String::new(),
                description: lang.texts().default_description.to_owned(),
                discount_text: String::new(),
                barcode_text: String::new(),
                focus: Some(Field::Amount),
            },
            cart: Cart::default(),
            catalogue: CatalogueView::default(),
            settings: SettingsState::new(settings),
            manager: manager::ManagerState::default(),
            customer_monitor,
            printer_summary,
            fullscreen: false,
            cart_unsaved: false,
            in_flight: None,
            manual_check_no: String::new(),
            open_orders: Vec::new(),
            message: None,
            updates_closed: false,
            first_frame_drawn: false,
            forwarded_keys: Vec::new(),
            customer_focused: false,
            unprinted_receipts: Vec::new(),
        };
        // A failed send is shown on the first frame; the sale works without a catalogue.
        app.send_quietly(bridge::Command::LoadCatalogue);
        app
    }

    /// Returns the name of the current screen: `"entry"`, `"awaiting"`, `"paid"` or
    /// `"settings"`.
    pub fn screen_name(&self) -> &'static str {
        match self.screen {
            Screen::Entry => "entry",
            Screen::Awaiting { .. } => "awaiting",
            Screen::Paid { .. } => "paid",
            Screen::Settings => "settings",
            Screen::ManualCheck => "manual_check",
            Screen::Manager => "manager",
        }
    }

    /// Returns the number of products in the catalogue the screen has loaded.
    pub fn catalogue_len(&self) -> usize {
        self.catalogue.len()
    }

    /// Returns whether the customer display window is shown this frame.
    pub fn shows_customer_display(&self) -> bool {
        self.customer_monitor.is_some() && self.settings.form.customer_display
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
        self.replay_forwarded_keys(ui.ctx());

        egui::Panel::top("cashier_top_bar").show(ui, |ui| self.top_bar_ui(ui));
        if self.demo_mode {
            egui::Panel::top("cashier_demo_banner")
                .frame(chrome::demo_banner_frame())
                .show(ui, |ui| self.demo_banner_ui(ui));
        }

        // Notices sit in a bottom panel: the screens above are laid out from the top, so a
        // notice that appears never moves a key under the cashier's finger. The QR screen
        // sizes its code to the height left and has its buttons at the bottom, so it keeps
        // the band even when empty.
        let keep_band = matches!(self.screen, Screen::Awaiting { .. });
        let mut band_action = None;
        if self.message.is_some() || !self.unprinted_receipts.is_empty() || keep_band {
            egui::Panel::bottom("cashier_message")
                .min_size(MESSAGE_BAND_HEIGHT)
                .show(ui, |ui| {
                    band_action = self.unprinted_receipts_ui(ui);
                    self.message_ui(ui);
                });
        }
        let action = egui::CentralPanel::default()
            .show(ui, |ui| match &self.screen {
                Screen::Entry => self.entry_ui(ui),
                Screen::Awaiting { .. } => self.awaiting_ui(ui),
                Screen::Paid { .. } => self.paid_ui(ui, now_secs),
                Screen::Settings => self.settings_ui(ui),
                Screen::ManualCheck => self.manual_check_ui(ui),
                Screen::Manager => self.manager_screen_ui(ui),
            })
            .inner;

        if let Some(action) = action.or(band_action) {
            self.run_action(action);
        }
        if !self.first_frame_drawn {
            self.first_frame_drawn = true;
            tracing::info!("cashier window ready");
        }
        self.save_cart_if_changed();
        self.customer_display(ui.ctx());
        if self.in_flight.is_some() || self.cart_unsaved {
            ui.ctx().request_repaint_after(IN_FLIGHT_POLL);
        }
    }

    /// Switches every text to `lang`, and swaps an untouched default description with it.
    fn set_lang(&mut self, lang: Lang) {
        if self.form.description == self.lang.texts().default_description {
            self.form.description = lang.texts().default_description.to_owned();
        }
        self.lang = lang;
        self.settings.form.language = lang;
    }
}

impl eframe::App for CashierApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.cashier_ui(ui);
    }
}
