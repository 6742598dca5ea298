//! The settings screen: the shop and merchant account, printing, language and customer
//! display, and the product catalogue (see `products.rs`). Saving sends the form to the
//! command runner, which validates it and writes the configuration file.

use egui::{Key, RichText, TextEdit, Ui, Vec2};

use super::bridge::{Command, SettingsForm};
use super::products::ProductEditor;
use super::widgets::shortcut_button;
use super::{Action, CashierApp};
use crate::i18n::Lang;
use crate::printer::{ConnectionKind, PrinterKind, QrMode};
use crate::protocol::SignType;
use crate::receipt::PaperWidth;
use crate::store::Product;

const FIELD_WIDTH: f32 = 420.0;

/// The settings screen's state: the form, the page in view and the product editor.
pub(super) struct SettingsState {
    pub(super) form: SettingsForm,
    pub(super) page: SettingsPage,
    pub(super) editor: ProductEditor,
    /// A save was sent and its reply has not arrived.
    pub(super) saving: bool,
}

/// A page of the settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SettingsPage {
    Merchant,
    Printer,
    Display,
    Products,
}

impl SettingsState {
    pub(super) fn new(form: SettingsForm) -> SettingsState {
        SettingsState {
            form,
            page: SettingsPage::Merchant,
            editor: ProductEditor::default(),
            saving: false,
        }
    }

    /// Shows the stored product in the editor after a save.
    pub(super) fn editor_saved(&mut self, product: &Product) {
        self.editor = ProductEditor::from_product(product);
    }

    /// Empties the editor if it showed the deleted product.
    pub(super) fn editor_deleted(&mut self, id: i64) {
        if self.editor.id == Some(id) {
            self.editor = ProductEditor::default();
        }
    }
}

impl CashierApp {
    /// Shows the settings screen. Esc or the back button returns to the sale.
    pub(super) fn settings_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let texts = self.lang.texts();
        let mut action = None;

        ui.horizontal(|ui| {
            ui.label(RichText::new(texts.settings_title).size(24.0).strong());
            ui.add_space(24.0);
            let pages = [
                (SettingsPage::Merchant, texts.merchant_tab),
                (SettingsPage::Printer, texts.printer_tab),
                (SettingsPage::Display, texts.display_tab),
                (SettingsPage::Products, texts.products_tab),
            ];
            for (page, name) in pages {
                let opened = ui
                    .selectable_value(
                        &mut self.settings.page,
                        page,
                        RichText::new(name).size(18.0),
                    )
                    .changed();
                if opened && page == SettingsPage::Products {
                    // Reload, so a product switched on or off elsewhere (for example by
                    // `wxpay-pos product-switch`) is not saved back with its old state.
                    self.settings.editor = ProductEditor::default();
                    self.send_quietly(Command::LoadCatalogue);
                }
            }
            let back = shortcut_button(
                ui,
                true,
                RichText::new(texts.back_button),
                "Esc",
                Vec2::new(140.0, 32.0),
            );
            if back.clicked() {
                action = Some(Action::CloseSettings);
            }
        });
        ui.separator();

        match self.settings.page {
            SettingsPage::Merchant => self.merchant_page_ui(ui),
            SettingsPage::Printer => {
                if let Some(printer_action) = self.printer_page_ui(ui) {
                    action = Some(printer_action);
                }
            }
            SettingsPage::Display => self.display_page_ui(ui),
            SettingsPage::Products => self.products_page_ui(ui),
        }

        if self.settings.page != SettingsPage::Products {
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                let save = shortcut_button(
                    ui,
                    !self.settings.saving,
                    RichText::new(texts.save_button).size(20.0),
                    "F9",
                    Vec2::new(180.0, 44.0),
                );
                let save_key = ui.input(|input| input.key_pressed(Key::F9));
                if (save.clicked() || save_key) && !self.settings.saving {
                    self.save_settings();
                }
                if self.settings.saving {
                    ui.label(texts.saving);
                }
            });
        }

        if ui.input(|input| input.key_pressed(Key::Escape)) {
            action = Some(Action::CloseSettings);
        }
        action
    }

    fn save_settings(&mut self) {
        let form = Box::new(self.settings.form.clone());
        if self.send_quietly(Command::SaveSettings(form)) {
            self.settings.saving = true;
            self.message = None;
        }
    }

    fn merchant_page_ui(&mut self, ui: &mut Ui) {
        let texts = self.lang.texts();
        let form = &mut self.settings.form;
        labelled_field(ui, texts.shop_name_label, &mut form.shop_name, false);
        labelled_field(ui, texts.terminal_id_label, &mut form.terminal_id, false);
        ui.add_space(8.0);
        ui.checkbox(&mut form.merchant_enabled, texts.merchant_enabled_label);

        ui.add_enabled_ui(form.merchant_enabled, |ui| {
            labelled_field(ui, texts.appid_label, &mut form.appid, false);
            labelled_field(ui, texts.mch_id_label, &mut form.mch_id, false);
            let hint = if form.api_key_saved {
                texts.api_key_kept_hint
            } else {
                texts.api_key_missing_hint
            };
            let key_label = ui.label(texts.api_key_label);
            ui.add(
                TextEdit::singleline(&mut form.api_key)
                    .password(true)
                    .hint_text(hint)
                    .desired_width(FIELD_WIDTH),
            )
            .labelled_by(key_label.id);
            ui.horizontal(|ui| {
                ui.label(texts.sign_type_label);
                ui.radio_value(&mut form.sign_type, SignType::Md5, "MD5");
                ui.radio_value(&mut form.sign_type, SignType::HmacSha256, "HMAC-SHA256");
            });
            labelled_field(ui, texts.gateway_url_label, &mut form.gateway_url, false);
            labelled_field(ui, texts.notify_url_label, &mut form.notify_url, false);
            labelled_field(ui, texts.spbill_ip_label, &mut form.spbill_create_ip, false);
        });
        ui.add_space(6.0);
        ui.label(RichText::new(texts.restart_note).weak());
    }

    fn display_page_ui(&mut self, ui: &mut Ui) {
        let texts = self.lang.texts();
        ui.horizontal(|ui| {
            ui.label(texts.language_label);
            for lang in Lang::ALL {
                if ui
                    .radio(self.settings.form.language == lang, lang.native_name())
                    .clicked()
                {
                    self.set_lang(lang);
                }
            }
        });
        ui.checkbox(
            &mut self.settings.form.customer_display,
            texts.customer_display_label,
        );
        ui.label(RichText::new(texts.customer_display_note).weak());

        ui.add_space(12.0);
        let manager_texts = self.lang.manager_texts();
        let hint = if self.settings.form.manager_pin_saved {
            manager_texts.manager_pin_saved_hint
        } else {
            manager_texts.manager_pin_missing_hint
        };
        let pin_label = ui.label(manager_texts.manager_pin_label);
        ui.add(
            TextEdit::singleline(&mut self.settings.form.manager_pin)
                .password(true)
                .char_limit(crate::pin::MAX_PIN_DIGITS)
                .hint_text(hint)
                .desired_width(FIELD_WIDTH),
        )
        .labelled_by(pin_label.id);
    }
}

impl CashierApp {
    /// Shows the printer form: the printer type and how to reach it, paper, QR form and
    /// options, then the printer in use and its test page button.
    fn printer_page_ui(&mut self, ui: &mut Ui) -> Option<Action> {
        let texts = self.lang.texts();
        let form = &mut self.settings.form;

        ui.horizontal(|ui| {
            ui.label(texts.printer_kind_label);
            let kinds = [
                (PrinterKind::None, texts.printer_kind_none),
                (PrinterKind::Escpos, texts.printer_kind_escpos),
                (PrinterKind::Pdf, texts.printer_kind_pdf),
            ];
            for (kind, name) in kinds {
                ui.radio_value(&mut form.printer.kind, kind, name);
            }
        });

        match form.printer.kind {
            PrinterKind::None => {}
            PrinterKind::Escpos => escpos_fields_ui(ui, form),
            PrinterKind::Pdf => {
                labelled_field(
                    ui,
                    texts.printer_pdf_queue_label,
                    &mut form.printer.queue,
                    false,
                );
            }
        }

        if form.printer.kind != PrinterKind::None {
            ui.horizontal(|ui| {
                ui.label(texts.paper_width_label);
                for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
                    let mm = paper.mm();
                    ui.radio_value(&mut form.printer.paper_width_mm, mm, format!("{mm} mm"));
                }
            });
            ui.checkbox(&mut form.printer.auto_print, texts.printer_auto_print_label);
            labelled_field(
                ui,
                texts.printer_footer_label,
                &mut form.printer.footer,
                false,
            );
        }

        ui.add_space(8.0);
        let summary = self
            .printer_summary
            .clone()
            .unwrap_or_else(|| texts.printer_none.to_owned());
        ui.label(format!("{}{}", texts.printer_label, summary));
        ui.label(RichText::new(texts.printer_unavailable).weak());
        ui.add_space(8.0);
        let button = egui::Button::new(RichText::new(texts.print_test_page_button).size(18.0))
            .min_size(Vec2::new(180.0, 40.0));
        ui.add_enabled(self.printer_summary.is_some(), button)
            .clicked()
            .then_some(Action::PrintTestPage)
    }
}

/// Shows the ESC/POS part of the printer form: the connection, its address, and the slip
/// options.
fn escpos_fields_ui(ui: &mut Ui, form: &mut SettingsForm) {
    let texts = form.language.texts();
    ui.horizontal(|ui| {
        ui.label(texts.printer_connection_label);
        let connections = [
            (ConnectionKind::Tcp, texts.printer_connection_tcp),
            (ConnectionKind::Device, texts.printer_connection_device),
            (ConnectionKind::Cups, texts.printer_connection_cups),
        ];
        for (connection, name) in connections {
            ui.radio_value(&mut form.printer.connection, connection, name);
        }
    });
    match form.printer.connection {
        ConnectionKind::Tcp => {
            labelled_field(
                ui,
                texts.printer_address_label,
                &mut form.printer.address,
                false,
            );
        }
        ConnectionKind::Device => {
            labelled_field(
                ui,
                texts.printer_device_label,
                &mut form.printer_device,
                false,
            );
        }
        ConnectionKind::Cups => {
            labelled_field(
                ui,
                texts.printer_queue_label,
                &mut form.printer.queue,
                false,
            );
        }
    }
    ui.horizontal(|ui| {
        ui.label(texts.qr_mode_label);
        ui.radio_value(
            &mut form.printer.qr_mode,
            QrMode::Native,
            texts.qr_mode_native,
        );
        ui.radio_value(
            &mut form.printer.qr_mode,
            QrMode::Raster,
            texts.qr_mode_raster,
        );
    });
    ui.checkbox(&mut form.printer.cut, texts.printer_cut_label);
    ui.checkbox(
        &mut form.printer.open_cash_drawer,
        texts.printer_drawer_label,
    );
    ui.checkbox(
        &mut form.printer.status_check,
        texts.printer_status_check_label,
    );
}

/// Adds a label and a single-line field that screen readers and tests find by that label.
pub(super) fn labelled_field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    password: bool,
) -> egui::Response {
    let label = ui.label(label);
    ui.add(
        TextEdit::singleline(text)
            .password(password)
            .desired_width(FIELD_WIDTH),
    )
    .labelled_by(label.id)
}
