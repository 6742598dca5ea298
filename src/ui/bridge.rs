//! Messages between the cashier screen and the rest of the app. Screens never do I/O: they
//! send [`Command`]s on a bounded channel, and the app's command runner replies with
//! [`Update`]s on another bounded channel, waking the UI with `request_repaint`.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::i18n::Lang;
use crate::money::Fen;
use crate::printer::PrinterConfig;
use crate::protocol::SignType;
use crate::store::{Product, ProductDraft, SavedCart};
pub use crate::ui::manager::{ExportKind, ManagerCommand, ManagerUpdate};

/// Capacity of each direction of the UI channel. A cashier produces a few commands a minute,
/// so a full channel means the other side is stuck, not busy.
pub const BRIDGE_CHANNEL_CAPACITY: usize = 64;

/// Something the cashier asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Create a Native (mode 2) order and show its QR code.
    Charge { amount: Fen, body: String },
    /// Close the unpaid order (closeorder) and go back to a new sale.
    Cancel { out_trade_no: String },
    /// Demo mode only: ask the gateway simulator to pay the order as a customer's phone would.
    SimulatePay { out_trade_no: String },
    /// Manual check (转手工确认): ask the gateway (orderquery) whether the order is paid. Only
    /// the gateway's SUCCESS confirms it; nothing marks an order paid by hand.
    CheckPayment { out_trade_no: String },
    /// Load the product catalogue and the cart saved by the last run. The reply is
    /// [`Update::CatalogueLoaded`] and, when a sale was in progress, [`Update::CartRestored`].
    LoadCatalogue,
    /// Replace the saved cart; sent on every cart edit. A reply comes only on failure.
    SaveCart(SavedCart),
    /// Insert or update a product; answered with [`Update::ProductSaved`] or
    /// [`Update::ProductRejected`].
    SaveProduct(ProductDraft),
    /// Delete a product; answered with [`Update::ProductDeleted`].
    DeleteProduct { id: i64 },
    /// Write the settings form to the configuration file; answered with
    /// [`Update::SettingsSaved`] or [`Update::SettingsRejected`].
    SaveSettings(Box<SettingsForm>),
    /// Print the checkout slip (结账小票) with the order's payment QR code; answered with
    /// [`Update::SlipPrinted`] or a [`Problem::Printer`].
    PrintCheckoutSlip { out_trade_no: String },
    /// List the orders that may still be paid, for the manual check screen; answered with
    /// [`Update::OpenOrders`].
    ListOpenOrders,
    /// Print the printer's test page; answered with [`Update::TestPagePrinted`] or a
    /// [`Problem::Printer`]. Paid receipts print by themselves after the payment.
    PrintTestPage,
    /// Print a paid order's receipt again after an automatic print failed. The runner replies
    /// with [`Update::ReceiptReprinted`] or [`Update::ReceiptNotPrinted`].
    ReprintReceipt { out_trade_no: String },
    /// A request from the store manager's screen; see [`ManagerCommand`].
    Manager(ManagerCommand),
}

/// The settings screen's fields. The API key is never sent to the screen: `api_key` starts
/// empty, and an empty `api_key` keeps the key already in the configuration file.
#[derive(Clone, PartialEq, Eq)]
pub struct SettingsForm {
    pub shop_name: String,
    pub terminal_id: String,
    /// Off: demo mode, and the merchant fields below are not saved.
    pub merchant_enabled: bool,
    pub appid: String,
    pub mch_id: String,
    /// A new API key, or empty to keep the saved one.
    pub api_key: String,
    /// True when the configuration file already has an API key.
    pub api_key_saved: bool,
    pub sign_type: SignType,
    pub gateway_url: String,
    pub notify_url: String,
    pub spbill_create_ip: String,
    pub language: Lang,
    pub customer_display: bool,
    /// The `[printer]` table being edited; `printer_device` contains its `device` path as typed.
    pub printer: PrinterConfig,
    pub printer_device: String,
    /// A new manager PIN, or empty to keep the saved one.
    pub manager_pin: String,
    /// True when the configuration file already has a manager PIN.
    pub manager_pin_saved: bool,
}

impl std::fmt::Debug for SettingsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsForm")
            .field("shop_name", &self.shop_name)
            .field("merchant_enabled", &self.merchant_enabled)
            .field("mch_id", &self.mch_id)
            .field("api_key", &"<redacted>")
            .field("language", &self.language)
            .field("customer_display", &self.customer_display)
            .field("printer", &self.printer.kind)
            .finish_non_exhaustive()
    }
}

impl SettingsForm {
    /// Fills the form from loaded settings, leaving the API key out.
    pub fn from_settings(settings: &Settings, language: Lang) -> SettingsForm {
        let merchant = settings.merchant.as_ref();
        let text = |field: fn(&crate::config::MerchantSettings) -> &String| {
            merchant.map(|m| field(m).clone()).unwrap_or_default()
        };
        SettingsForm {
            shop_name: settings.shop.name.clone(),
            terminal_id: settings.shop.terminal_id.clone(),
            merchant_enabled: merchant.is_some(),
            appid: text(|m| &m.appid),
            mch_id: text(|m| &m.mch_id),
            api_key: String::new(),
            api_key_saved: merchant.is_some_and(|m| !m.api_key.is_empty()),
            sign_type: merchant.map(|m| m.sign_type).unwrap_or_default(),
            gateway_url: text(|m| &m.gateway_url),
            notify_url: text(|m| &m.notify_url),
            spbill_create_ip: merchant
                .map(|m| m.spbill_create_ip.clone())
                .unwrap_or_else(|| "127.0.0.1".to_owned()),
            language: settings.ui.language.unwrap_or(language),
            customer_display: settings.ui.customer_display,
            printer: settings.printer.config().clone(),
            printer_device: settings.printer.config().device.display().to_string(),
            manager_pin: String::new(),
            manager_pin_saved: !settings.manager.pin_hash.is_empty(),
        }
    }

    /// Returns the `[printer]` table as edited, with text fields trimmed. It is checked when
    /// the settings are saved.
    pub fn printer_config(&self) -> PrinterConfig {
        let mut config = self.printer.clone();
        config.address = config.address.trim().to_owned();
        config.queue = config.queue.trim().to_owned();
        config.footer = config.footer.trim().to_owned();
        config.device = std::path::PathBuf::from(self.printer_device.trim());
        config
    }
}

/// An order that is waiting for the customer to scan its QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOrder {
    pub out_trade_no: String,
    pub code_url: String,
    pub amount: Fen,
    pub body: String,
    /// When the `code_url` stops accepting payments.
    pub expires_at: DateTime<Utc>,
}

/// An order that may still be paid, as the manual check screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOrder {
    pub out_trade_no: String,
    pub amount: Fen,
    pub body: String,
}

/// A command failure, in terms the cashier can act on. The UI turns each kind into text in
/// the chosen language; `detail` is the technical cause, shown small under that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The gateway could not be reached or did not answer in time.
    GatewayUnreachable { detail: String },
    /// The gateway answered with an error (`return_msg` or `err_code`/`err_code_des`).
    GatewayRejected { code: String, message: String },
    /// The local database failed; nothing was charged.
    Storage { detail: String },
    /// The command is not possible in the current state (for example simulate pay outside demo mode).
    NotAllowed { detail: String },
    /// The cart could not be saved; the sale goes on, but would be lost in a crash.
    CartNotSaved { detail: String },
    /// The receipt printer failed or is not configured; `detail` names what to check.
    Printer { detail: String },
}

/// A change the cashier screen should show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// unifiedorder succeeded; show the QR code.
    OrderCreated(PendingOrder),
    /// The payment is committed to the database.
    Paid {
        out_trade_no: String,
        transaction_id: String,
        amount: Fen,
    },
    /// A sale the customer started by scanning a printed product QR code (Native mode 1) is
    /// paid; the cashier did not start it, so it is shown as a notice or, when idle, as the
    /// paid screen.
    ScanSalePaid {
        out_trade_no: String,
        transaction_id: String,
        amount: Fen,
        /// The product name, the order's `body`.
        body: String,
    },
    /// A paid order's receipt was printed again.
    ReceiptReprinted { out_trade_no: String },
    /// A paid order's receipt did not print (automatically or again); the payment is kept.
    ReceiptNotPrinted {
        out_trade_no: String,
        /// The printer error and its causes.
        detail: String,
    },
    /// The order was closed at the cashier's request.
    Closed { out_trade_no: String },
    /// The order passed its expiry time unpaid.
    Expired { out_trade_no: String },
    /// The test page went to the printer.
    TestPagePrinted,
    /// A manual check found the order already recorded as paid.
    AlreadyPaid {
        out_trade_no: String,
        transaction_id: String,
        /// Payment time in Beijing time (`YYYY-MM-DD HH:MM:SS`), empty when unknown.
        paid_at: String,
    },
    /// The checkout slip went to the printer, or, with no printer, was saved as this PDF.
    SlipPrinted { saved_to: Option<String> },
    /// The orders that may still be paid, newest first.
    OpenOrders(Vec<OpenOrder>),
    /// A manual check found the order not paid at the gateway; `trade_state` is the
    /// gateway's word (for example NOTPAY).
    NotPaidYet {
        out_trade_no: String,
        trade_state: String,
    },
    /// A command failed; the screen stays where it was and shows the problem.
    Failed(Problem),
    /// The whole product catalogue.
    CatalogueLoaded { products: Vec<Product> },
    /// The cart saved by the last run, to continue the sale.
    CartRestored(SavedCart),
    /// A product as stored after [`Command::SaveProduct`].
    ProductSaved(Product),
    /// [`Command::SaveProduct`] failed; `field` is `name`, `price`, `barcode`, `category` or
    /// empty when no single field is at fault.
    ProductRejected { field: String, detail: String },
    /// A product was deleted.
    ProductDeleted { id: i64 },
    /// The configuration file was written, and the printer changed to the one described by
    /// `printer_summary` (`None`: no printer).
    SettingsSaved { printer_summary: Option<String> },
    /// The configuration was not written; `key` names the setting at fault (`merchant.appid`)
    /// or is empty when the file itself failed.
    SettingsRejected { key: String, reason: String },
    /// A reply to a [`Command::Manager`].
    Manager(ManagerUpdate),
}

/// The UI's ends of the two channels.
pub struct UiBridge {
    pub commands: mpsc::Sender<Command>,
    pub updates: mpsc::Receiver<Update>,
}

/// The app's ends of the two channels.
pub struct RunnerBridge {
    pub commands: mpsc::Receiver<Command>,
    pub updates: mpsc::Sender<Update>,
}

/// Creates both ends of a connected pair of bounded channels.
pub fn bridge_pair() -> (UiBridge, RunnerBridge) {
    let (command_tx, command_rx) = mpsc::channel(BRIDGE_CHANNEL_CAPACITY);
    let (update_tx, update_rx) = mpsc::channel(BRIDGE_CHANNEL_CAPACITY);
    (
        UiBridge {
            commands: command_tx,
            updates: update_rx,
        },
        RunnerBridge {
            commands: command_rx,
            updates: update_tx,
        },
    )
}
