//! The manager screen inside the cashier window: opening it from the sale screen, passing its
//! commands to the bridge and leaving it.

use egui::Ui;

use super::super::bridge::Command;
use super::super::{Action, CashierApp};

impl CashierApp {
    /// Shows the manager screen and sends its commands. Returns [`Action::CloseManager`] when
    /// the manager leaves.
    pub(in crate::ui) fn manager_screen_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let output = self.manager.manager_ui(ui, self.lang);
        for command in output.commands {
            if !self.send_quietly(Command::Manager(command)) {
                break;
            }
        }
        output.close.then_some(Action::CloseManager)
    }
}

impl CashierApp {
    /// Returns whether the manager screen is open past its PIN prompt.
    pub fn manager_unlocked(&self) -> bool {
        self.manager.is_unlocked()
    }

    /// Returns the number of rows in the manager screen's table.
    pub fn manager_row_count(&self) -> usize {
        self.manager.row_count()
    }
}
