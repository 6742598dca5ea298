//! The products page of the settings screen: the catalogue list and the editor for one
//! product.

use egui::{RichText, ScrollArea, Ui, Vec2};

use super::bridge::Command;
use super::settings::labelled_field;
use super::{CashierApp, Message};
use crate::i18n::product_count_text;
use crate::money::Fen;
use crate::store::{Product, ProductDraft};

const LIST_WIDTH: f32 = 360.0;
const LIST_ROW_HEIGHT: f32 = 22.0;

/// The product being edited; `id` is `None` for a new product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ProductEditor {
    pub(super) id: Option<i64>,
    name: String,
    price_text: String,
    barcode: String,
    category: String,
    /// The on-sale switch; `None` until loaded or changed, and a new product starts on sale.
    enabled: Option<bool>,
}

impl ProductEditor {
    pub(super) fn from_product(product: &Product) -> ProductEditor {
        ProductEditor {
            id: Some(product.id),
            name: product.name.clone(),
            price_text: product.price.to_string(),
            barcode: product.barcode.clone().unwrap_or_default(),
            category: product.category.clone(),
            enabled: Some(product.enabled),
        }
    }

    /// Builds the draft to save, or the price error to show.
    fn draft(&self) -> Result<ProductDraft, crate::money::AmountError> {
        let price = Fen::parse_yuan(&self.price_text)?;
        let barcode = self.barcode.trim();
        Ok(ProductDraft {
            id: self.id,
            name: self.name.trim().to_owned(),
            price,
            barcode: (!barcode.is_empty()).then(|| barcode.to_owned()),
            category: self.category.trim().to_owned(),
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

impl CashierApp {
    /// Shows the catalogue on the left (only the rows in view are laid out) and the editor on
    /// the right.
    pub(super) fn products_page_ui(&mut self, ui: &mut Ui) {
        let mut picked = None;

        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(LIST_WIDTH);
                ui.label(product_count_text(self.lang, self.catalogue.len()));
                let products = self.catalogue.products();
                ScrollArea::vertical()
                    .id_salt("product_list")
                    .max_height(ui.available_height() - 8.0)
                    .auto_shrink([false, false])
                    .show_rows(ui, LIST_ROW_HEIGHT, products.len(), |ui, rows| {
                        for index in rows {
                            let Some(product) = products.get(index) else {
                                break;
                            };
                            let selected = self.settings.editor.id == Some(product.id);
                            let suffix = if product.enabled {
                                ""
                            } else {
                                crate::i18n::off_sale_suffix(self.lang)
                            };
                            let text = format!("{}{suffix}  ￥{}", product.name, product.price);
                            if ui.selectable_label(selected, text).clicked() {
                                picked = Some(ProductEditor::from_product(product));
                            }
                        }
                    });
            });
            ui.separator();
            ui.vertical(|ui| self.product_editor_ui(ui));
        });

        if let Some(editor) = picked {
            self.settings.editor = editor;
        }
    }

    fn product_editor_ui(&mut self, ui: &mut Ui) {
        let texts = self.lang.texts();
        let editor = &mut self.settings.editor;
        labelled_field(ui, texts.product_name_label, &mut editor.name, false);
        labelled_field(ui, texts.product_price_label, &mut editor.price_text, false);
        labelled_field(ui, texts.product_barcode_label, &mut editor.barcode, false);
        labelled_field(
            ui,
            texts.product_category_label,
            &mut editor.category,
            false,
        );
        let mut on_sale = editor.enabled.unwrap_or(true);
        if ui
            .checkbox(&mut on_sale, crate::i18n::product_on_sale_label(self.lang))
            .changed()
        {
            editor.enabled = Some(on_sale);
        }
        ui.add_space(8.0);

        let mut save = false;
        let mut delete = None;
        ui.horizontal(|ui| {
            let size = Vec2::new(120.0, 36.0);
            if ui
                .add(egui::Button::new(RichText::new(texts.save_product_button)).min_size(size))
                .clicked()
            {
                save = true;
            }
            if ui
                .add(egui::Button::new(RichText::new(texts.new_product_button)).min_size(size))
                .clicked()
            {
                *editor = ProductEditor::default();
            }
            let existing = editor.id;
            let delete_button =
                egui::Button::new(RichText::new(texts.delete_product_button)).min_size(size);
            if ui.add_enabled(existing.is_some(), delete_button).clicked() {
                delete = existing;
            }
        });

        if save {
            match self.settings.editor.draft() {
                Ok(draft) => {
                    self.send_quietly(Command::SaveProduct(draft));
                }
                Err(error) => {
                    self.message = Some(Message::ProductRejected {
                        field: "price".to_owned(),
                        detail: crate::i18n::amount_error_text(self.lang, &error),
                    });
                }
            }
        }
        if let Some(id) = delete {
            self.send_quietly(Command::DeleteProduct { id });
        }
    }
}
