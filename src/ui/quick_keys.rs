//! Product quick keys: category tabs, a search field, and a grid of product buttons.

use egui::{Button, RichText, Role, ScrollArea, TextEdit, Ui, Vec2};

use super::widgets::set_accessible_label;
use super::{Action, CashierApp};
use crate::i18n::product_count_text;

const KEY_SIZE: Vec2 = Vec2::new(112.0, 64.0);

impl CashierApp {
    /// Shows the quick keys. Only the rows in view are laid out, so a catalogue of ten thousand
    /// products costs no more per frame than a catalogue of fifty.
    pub(super) fn quick_keys_ui(&mut self, ui: &mut Ui, charging: bool) -> Option<Action> {
        let texts = self.lang.texts();
        let mut action = None;

        ui.horizontal_wrapped(|ui| {
            let mut chosen = None;
            if ui
                .selectable_label(self.catalogue.category.is_none(), texts.all_categories)
                .clicked()
            {
                chosen = Some(None);
            }
            for category in self.catalogue.categories() {
                let name = if category.is_empty() {
                    texts.uncategorized
                } else {
                    category.as_str()
                };
                let selected = self.catalogue.category.as_ref() == Some(category);
                if ui.selectable_label(selected, name).clicked() {
                    chosen = Some(Some(category.clone()));
                }
            }
            if let Some(category) = chosen {
                self.catalogue.select_category(category);
            }
        });

        ui.horizontal(|ui| {
            let search_label = ui.label(texts.search_label);
            let search = ui
                .add(TextEdit::singleline(&mut self.catalogue.search).desired_width(160.0))
                .labelled_by(search_label.id);
            if search.changed() {
                self.catalogue.refilter();
            }
            ui.label(
                RichText::new(product_count_text(self.lang, self.catalogue.on_sale_len())).weak(),
            );
        });
        ui.separator();

        if self.catalogue.len() == 0 {
            ui.label(RichText::new(texts.catalogue_empty).weak());
            return None;
        }

        let spacing = ui.spacing().item_spacing;
        let columns = ((ui.available_width() + spacing.x) / (KEY_SIZE.x + spacing.x))
            .floor()
            .max(1.0) as usize;
        let rows = self.catalogue.visible().len().div_ceil(columns);
        ScrollArea::vertical()
            .id_salt("quick_keys")
            .auto_shrink([false, false])
            .show_rows(ui, KEY_SIZE.y, rows, |ui, row_range| {
                for row in row_range {
                    ui.horizontal(|ui| {
                        for column in 0..columns {
                            let Some(&index) = self.catalogue.visible().get(row * columns + column)
                            else {
                                break;
                            };
                            let Some(product) = self.catalogue.product(index) else {
                                break;
                            };
                            let text = format!("{}\n￥{}", product.name, product.price);
                            let key = Button::new(RichText::new(text).size(15.0))
                                .min_size(KEY_SIZE)
                                .wrap();
                            let response = ui.add_enabled(!charging, key);
                            set_accessible_label(&response, Role::Button, !charging, &product.name);
                            if response.clicked() {
                                action = Some(Action::AddProduct(index));
                            }
                        }
                    });
                }
            });
        action
    }
}
