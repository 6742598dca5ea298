//! The product catalogue as the sale screen uses it: an index by barcode for the scanner,
//! the category tabs, and the products that the current tab and search show.

use std::collections::HashMap;

use crate::store::Product;

/// The loaded catalogue and the quick key filter.
#[derive(Debug, Default)]
pub(super) struct CatalogueView {
    products: Vec<Product>,
    by_barcode: HashMap<String, usize>,
    categories: Vec<String>,
    /// The category tab; `None` shows every category.
    pub(super) category: Option<String>,
    pub(super) search: String,
    /// Indices into `products` that the quick keys show (products on sale only), rebuilt only when the filter or the
    /// catalogue changes, so a frame costs the visible keys, not the catalogue size.
    visible: Vec<usize>,
}

impl CatalogueView {
    /// Returns how many products are on sale, the ones with a quick key.
    pub(super) fn on_sale_len(&self) -> usize {
        self.products
            .iter()
            .filter(|product| product.enabled)
            .count()
    }

    pub(super) fn len(&self) -> usize {
        self.products.len()
    }

    pub(super) fn products(&self) -> &[Product] {
        &self.products
    }

    pub(super) fn product(&self, index: usize) -> Option<&Product> {
        self.products.get(index)
    }

    pub(super) fn categories(&self) -> &[String] {
        &self.categories
    }

    pub(super) fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Replaces the whole catalogue.
    pub(super) fn set_products(&mut self, products: Vec<Product>) {
        self.products = products;
        self.reindex();
    }

    /// Inserts or replaces one product, keeping the catalogue's order by category and name.
    pub(super) fn upsert(&mut self, product: Product) {
        self.products.retain(|existing| existing.id != product.id);
        let position = self.products.partition_point(|existing| {
            (&existing.category, &existing.name) <= (&product.category, &product.name)
        });
        self.products.insert(position, product);
        self.reindex();
    }

    pub(super) fn remove(&mut self, id: i64) {
        self.products.retain(|product| product.id != id);
        self.reindex();
    }

    /// Returns the index of the product with `barcode`.
    pub(super) fn find_barcode(&self, barcode: &str) -> Option<usize> {
        self.by_barcode.get(barcode).copied()
    }

    /// Chooses the category tab and rebuilds the visible keys.
    pub(super) fn select_category(&mut self, category: Option<String>) {
        self.category = category;
        self.refilter();
    }

    /// Rebuilds the visible keys for the current tab and search text.
    pub(super) fn refilter(&mut self) {
        let search = self.search.trim().to_lowercase();
        self.visible = self
            .products
            .iter()
            .enumerate()
            .filter(|(_, product)| product.enabled)
            .filter(|(_, product)| {
                self.category
                    .as_ref()
                    .is_none_or(|category| &product.category == category)
            })
            .filter(|(_, product)| {
                search.is_empty()
                    || product.name.to_lowercase().contains(&search)
                    || product
                        .barcode
                        .as_deref()
                        .is_some_and(|barcode| barcode.starts_with(&search))
            })
            .map(|(index, _)| index)
            .collect();
    }

    fn reindex(&mut self) {
        self.by_barcode = self
            .products
            .iter()
            .enumerate()
            .filter_map(|(index, product)| Some((product.barcode.clone()?, index)))
            .collect();
        let mut categories: Vec<String> = self
            .products
            .iter()
            .map(|product| product.category.clone())
            .collect();
        categories.sort();
        categories.dedup();
        if self
            .category
            .as_ref()
            .is_some_and(|category| !categories.contains(category))
        {
            self.category = None;
        }
        self.categories = categories;
        self.refilter();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Fen;

    fn product(id: i64, name: &str, barcode: &str, category: &str) -> Product {
        Product {
            id,
            name: name.to_owned(),
            price: Fen(100),
            barcode: Some(barcode.to_owned()),
            category: category.to_owned(),
            enabled: true,
        }
    }

    #[test]
    fn barcode_finds_product_after_upsert() {
        let mut view = CatalogueView::default();
        view.set_products(vec![product(1, "蛋挞", "111", "点心")]);
        view.upsert(product(2, "奶茶", "222", "饮品"));

        let index = view.find_barcode("222").unwrap();
        assert_eq!(view.product(index).unwrap().name, "奶茶");
        assert_eq!(view.find_barcode("333"), None);
    }

    #[test]
    fn category_and_search_filter_keys() {
        let mut view = CatalogueView::default();
        view.set_products(vec![
            product(1, "蛋挞", "111", "点心"),
            product(2, "奶茶", "222", "饮品"),
            product(3, "红茶", "223", "饮品"),
        ]);
        view.select_category(Some("饮品".to_owned()));
        assert_eq!(view.visible().len(), 2);

        view.search = "红".to_owned();
        view.refilter();
        assert_eq!(view.visible().len(), 1);
        assert_eq!(view.categories(), ["点心", "饮品"]);
    }

    #[test]
    fn off_sale_product_has_no_key() {
        let mut view = CatalogueView::default();
        let mut off = product(2, "奶茶", "222", "饮品");
        off.enabled = false;
        view.set_products(vec![product(1, "蛋挞", "111", "点心"), off]);

        assert_eq!(view.visible().len(), 1);
        assert_eq!(view.find_barcode("222"), Some(1));
    }
}
