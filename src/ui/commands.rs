//! Turns the cashier's [`Action`]s into [`Command`]s on the bridge.

use tokio::sync::mpsc::error::TrySendError;

use super::bridge::Command;
use super::{Action, CashierApp, InFlight, Message, Screen};
use crate::money::Fen;

/// Maximum length of the description field, in characters. 40 Chinese characters take 120
/// UTF-8 bytes and fit in [`BODY_MAX_BYTES`]. Longer text, such as many emoji, is cut to that
/// limit when the charge is sent.
pub(super) const DESCRIPTION_MAX_CHARS: usize = 40;

/// Maximum length of the WeChat Pay v2 `body` field (`String(128)` in unifiedorder), in bytes.
const BODY_MAX_BYTES: usize = 128;

impl CashierApp {
    /// Runs the action chosen during the frame. Actions that do not fit the current screen
    /// or that arrive while a command is in flight are ignored.
    pub(super) fn run_action(&mut self, action: Action) {
        if self.in_flight.is_some() && action != Action::NewSale {
            return;
        }
        match action {
            Action::Charge => self.charge(),
            Action::Cancel => {
                if let Some(out_trade_no) = self.awaiting_out_trade_no() {
                    self.send(Command::Cancel { out_trade_no }, InFlight::Cancel);
                }
            }
            Action::SimulatePay => {
                if let (true, Some(out_trade_no)) = (self.demo_mode, self.awaiting_out_trade_no()) {
                    self.send(Command::SimulatePay { out_trade_no }, InFlight::SimulatePay);
                }
            }
            Action::NewSale => {
                if matches!(self.screen, Screen::Paid { .. }) {
                    self.form.amount_text.clear();
                    self.form.description = self.lang.texts().default_description.to_owned();
                    self.back_to_entry(None);
                }
            }
        }
    }

    /// Parses the amount and sends a charge; a bad amount is shown and nothing is sent.
    fn charge(&mut self) {
        if !matches!(self.screen, Screen::Entry) {
            return;
        }
        let amount = match Fen::parse_yuan(&self.form.amount_text) {
            Ok(amount) => amount,
            Err(error) => {
                self.message = Some(Message::Amount(error));
                self.form.focus_amount = true;
                return;
            }
        };

        let description = self.form.description.trim();
        let body = if description.is_empty() {
            self.lang.texts().default_description.to_owned()
        } else {
            truncate_to_bytes(description, BODY_MAX_BYTES).to_owned()
        };
        self.send(Command::Charge { amount, body }, InFlight::Charge);
    }

    fn awaiting_out_trade_no(&self) -> Option<String> {
        match &self.screen {
            Screen::Awaiting { order, .. } => Some(order.out_trade_no.clone()),
            Screen::Entry | Screen::Paid { .. } => None,
        }
    }

    /// Sends without blocking. A full or closed channel is shown to the cashier, and the
    /// screen stays usable so the cashier can try again.
    fn send(&mut self, command: Command, in_flight: InFlight) {
        match self.bridge.commands.try_send(command) {
            Ok(()) => {
                self.in_flight = Some(in_flight);
                self.message = None;
            }
            Err(TrySendError::Full(_)) => {
                self.message = Some(Message::CommandQueueFull);
            }
            Err(TrySendError::Closed(_)) => {
                self.message = Some(Message::BackendStopped);
            }
        }
    }
}

/// Returns the longest prefix of `text` that is at most `max_bytes` long and ends on a
/// character boundary.
fn truncate_to_bytes(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(truncate_to_bytes("咖啡", BODY_MAX_BYTES), "咖啡");
    }

    #[test]
    fn truncation_stops_at_character_boundary() {
        // Each of these characters takes 3 bytes in UTF-8.
        assert_eq!(truncate_to_bytes("咖啡豆", 8), "咖啡");
        assert_eq!(truncate_to_bytes("咖啡豆", 9), "咖啡豆");
    }

    #[test]
    fn emoji_description_fits_body_limit() {
        let description = "☕".repeat(DESCRIPTION_MAX_CHARS) + &"🍰".repeat(DESCRIPTION_MAX_CHARS);
        let body = truncate_to_bytes(&description, BODY_MAX_BYTES);

        assert!(body.len() <= BODY_MAX_BYTES);
        assert!(description.starts_with(body));
    }
}
