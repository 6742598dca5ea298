//! Runs the cashier's [`Action`]s: edits the cart and sends [`Command`]s on the bridge.

use tokio::sync::mpsc::error::TrySendError;

use super::bridge::Command;
use super::{Action, CashierApp, Field, InFlight, KeypadKey, Message, Screen};
use crate::money::{AmountError, Fen, MAX_AMOUNT_FEN};
use crate::store::SavedCart;

/// Maximum length of the description field, in characters. 40 Chinese characters take 120
/// UTF-8 bytes and fit in [`BODY_MAX_BYTES`]. Longer text, such as many emoji, is cut to that
/// limit when the charge is sent.
pub(super) const DESCRIPTION_MAX_CHARS: usize = 40;

/// Maximum length of the free amount typed on the keypad, in characters (`1000000.00`).
const AMOUNT_MAX_CHARS: usize = 10;

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
            Action::CheckPayment => {
                if let Some(out_trade_no) = self.awaiting_out_trade_no() {
                    self.send(
                        Command::CheckPayment { out_trade_no },
                        InFlight::CheckPayment,
                    );
                }
            }
            Action::NewSale => {
                if matches!(self.screen, Screen::Paid { .. }) {
                    self.clear_sale();
                    self.back_to_entry(None);
                }
            }
            Action::ScanBarcode => self.scan_barcode(),
            Action::AddProduct(index) => {
                if let Some(product) = self.catalogue.product(index) {
                    self.cart.add_product(product);
                    self.cart_unsaved = true;
                }
            }
            Action::IncreaseLine(index) => self.edit_cart(|cart| cart.increase(index)),
            Action::DecreaseLine(index) => self.edit_cart(|cart| cart.decrease(index)),
            Action::RemoveLine(index) => self.edit_cart(|cart| cart.remove(index)),
            Action::ClearCart => {
                self.clear_sale();
                self.message = None;
            }
            Action::Keypad(key) => self.press_keypad(key),
            Action::OpenSettings => {
                if matches!(self.screen, Screen::Entry) {
                    self.message = None;
                    self.screen = Screen::Settings;
                }
            }
            Action::PrintCheckoutSlip => {
                if let Some(out_trade_no) = self.awaiting_out_trade_no() {
                    self.send_quietly(Command::PrintCheckoutSlip { out_trade_no });
                }
            }
            Action::OpenManualCheck => {
                if matches!(self.screen, Screen::Entry) {
                    self.message = None;
                    self.screen = Screen::ManualCheck;
                    self.send_quietly(Command::ListOpenOrders);
                }
            }
            Action::CloseManualCheck => {
                if matches!(self.screen, Screen::ManualCheck) {
                    self.back_to_entry(None);
                }
            }
            Action::CheckOrder(out_trade_no) => {
                self.message = None;
                self.send(
                    Command::CheckPayment { out_trade_no },
                    InFlight::CheckPayment,
                );
            }
            Action::PrintTestPage => {
                self.send_quietly(Command::PrintTestPage);
            }
            Action::ReprintReceipts => {
                let orders: Vec<String> = self
                    .unprinted_receipts
                    .iter()
                    .map(|receipt| receipt.out_trade_no.clone())
                    .collect();
                for out_trade_no in orders {
                    self.send_quietly(Command::ReprintReceipt { out_trade_no });
                }
            }
            Action::DismissUnprinted => self.unprinted_receipts.clear(),
            Action::OpenManager => {
                if matches!(self.screen, Screen::Entry) {
                    self.message = None;
                    self.screen = Screen::Manager;
                }
            }
            Action::CloseManager => {
                if matches!(self.screen, Screen::Manager) {
                    self.back_to_entry(None);
                }
            }
            Action::CloseSettings => {
                if matches!(self.screen, Screen::Settings) {
                    self.back_to_entry(None);
                }
            }
        }
    }

    fn edit_cart(&mut self, edit: impl FnOnce(&mut super::cart::Cart)) {
        edit(&mut self.cart);
        self.cart_unsaved = true;
    }

    /// Empties the cart and the sale's fields.
    pub(super) fn clear_sale(&mut self) {
        self.cart.clear();
        self.form.amount_text.clear();
        self.form.discount_text.clear();
        self.form.barcode_text.clear();
        self.form.description = self.lang.texts().default_description.to_owned();
        self.cart_unsaved = true;
    }

    /// Adds the product with the scanned code, or shows that no product has it.
    fn scan_barcode(&mut self) {
        let barcode = self.form.barcode_text.trim().to_owned();
        self.form.barcode_text.clear();
        self.form.focus = Some(Field::Barcode);
        if barcode.is_empty() {
            return;
        }
        match self.catalogue.find_barcode(&barcode) {
            Some(index) => {
                if let Some(product) = self.catalogue.product(index) {
                    if !product.enabled {
                        self.message = Some(Message::ProductOffSale(product.name.clone()));
                        return;
                    }
                    tracing::debug!(barcode = %barcode, product_id = product.id, "barcode scanned");
                    self.cart.add_product(product);
                    self.cart_unsaved = true;
                    self.message = None;
                }
            }
            None => self.message = Some(Message::UnknownBarcode(barcode)),
        }
    }

    fn press_keypad(&mut self, key: KeypadKey) {
        let text = &mut self.form.amount_text;
        match key {
            KeypadKey::Char(c) => {
                if text.chars().count() < AMOUNT_MAX_CHARS {
                    text.push(c);
                }
            }
            KeypadKey::Backspace => {
                text.pop();
            }
            KeypadKey::Clear => text.clear(),
        }
        self.cart_unsaved = true;
    }

    /// Returns the amount to charge as far as the fields can be read, for the total shown
    /// while the cashier types. Unreadable fields count as zero here; [`Self::charge`] reports
    /// them.
    pub(super) fn total_preview(&self) -> Fen {
        let free = Fen::parse_yuan(&self.form.amount_text).unwrap_or_default();
        let discount = Fen::parse_yuan(&self.form.discount_text).unwrap_or_default();
        Fen((self.cart.total().fen() + free.fen() - discount.fen()).max(0))
    }

    /// Works out the amount and description from the cart, the free amount and the discount,
    /// and sends a charge. A bad amount or discount is shown and nothing is sent.
    fn charge(&mut self) {
        if !matches!(self.screen, Screen::Entry) {
            return;
        }
        let free_amount = if self.form.amount_text.trim().is_empty() && !self.cart.is_empty() {
            None
        } else {
            match Fen::parse_yuan(&self.form.amount_text) {
                Ok(amount) => Some(amount),
                Err(error) => {
                    self.message = Some(Message::Amount(error));
                    self.form.focus = Some(Field::Amount);
                    return;
                }
            }
        };
        let discount = if self.form.discount_text.trim().is_empty() {
            Fen(0)
        } else {
            match Fen::parse_yuan(&self.form.discount_text) {
                Ok(discount) => discount,
                Err(error) => {
                    self.message = Some(Message::Discount(error));
                    self.form.focus = Some(Field::Discount);
                    return;
                }
            }
        };

        let subtotal = self.cart.total().fen() + free_amount.map_or(0, Fen::fen);
        if discount.fen() >= subtotal {
            self.message = Some(Message::DiscountTooLarge);
            self.form.focus = Some(Field::Discount);
            return;
        }
        let amount = Fen(subtotal - discount.fen());
        if amount.fen() > MAX_AMOUNT_FEN {
            let text = amount.to_string();
            self.message = Some(Message::Amount(AmountError::TooLarge { text }));
            return;
        }

        let description = self.form.description.trim();
        let default_description = self.lang.texts().default_description;
        let body = if self.cart.is_empty() {
            let description = if description.is_empty() {
                default_description
            } else {
                description
            };
            truncate_to_bytes(description, BODY_MAX_BYTES).to_owned()
        } else {
            // The free amount needs a name next to the products; the cart names itself.
            let extra = free_amount.map(|_| {
                if description.is_empty() {
                    default_description
                } else {
                    description
                }
            });
            self.cart.body(extra)
        };
        self.send(Command::Charge { amount, body }, InFlight::Charge);
    }

    fn awaiting_out_trade_no(&self) -> Option<String> {
        match &self.screen {
            Screen::Awaiting { order, .. } => Some(order.out_trade_no.clone()),
            Screen::Entry
            | Screen::Paid { .. }
            | Screen::Settings
            | Screen::ManualCheck
            | Screen::Manager => None,
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

    /// Sends a command that nothing waits on. Returns false, showing why, when it was not sent.
    pub(super) fn send_quietly(&mut self, command: Command) -> bool {
        match self.bridge.commands.try_send(command) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.message = Some(Message::CommandQueueFull);
                false
            }
            Err(TrySendError::Closed(_)) => {
                self.message = Some(Message::BackendStopped);
                false
            }
        }
    }

    /// Sends the cart to the store once per frame in which it changed. A full channel leaves
    /// the cart marked unsaved, and the next frame tries again.
    pub(super) fn save_cart_if_changed(&mut self) {
        if !self.cart_unsaved || self.updates_closed {
            return;
        }
        let saved = SavedCart {
            lines: self.cart.to_saved(),
            discount: Fen::parse_yuan(&self.form.discount_text).unwrap_or_default(),
            amount_text: self.form.amount_text.clone(),
            description: self.form.description.clone(),
        };
        match self.bridge.commands.try_send(Command::SaveCart(saved)) {
            Ok(()) => self.cart_unsaved = false,
            Err(TrySendError::Full(_)) => {}
            Err(TrySendError::Closed(_)) => {
                self.cart_unsaved = false;
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
