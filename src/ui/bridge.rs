//! Messages between the cashier screen and the rest of the app. Screens never do I/O: they
//! send [`Command`]s on a bounded channel, and the app's command runner answers with
//! [`Update`]s on another bounded channel, waking the UI with `request_repaint`.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::money::Fen;

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

/// Why a command failed, in terms the cashier can act on. The UI turns each kind into text in
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
    /// The order was closed at the cashier's request.
    Closed { out_trade_no: String },
    /// The order passed its expiry time unpaid.
    Expired { out_trade_no: String },
    /// A command failed; the screen stays where it was and shows the problem.
    Failed(Problem),
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
