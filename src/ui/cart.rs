//! The cart of the sale in progress: lines, quantities and the WeChat Pay `body` built from
//! them. Pure data, so the rules are tested without a screen.

use crate::money::Fen;
use crate::orders::truncate_body;
use crate::store::{Product, SavedCart, SavedCartLine};

/// Most units of one line; a larger count at a counter is a slip of the scanner.
pub(super) const MAX_LINE_QUANTITY: u32 = 999;

/// One product line of the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CartLine {
    pub(super) product_id: Option<i64>,
    pub(super) name: String,
    pub(super) unit_price: Fen,
    pub(super) quantity: u32,
}

impl CartLine {
    /// Returns the unit price times the quantity.
    pub(super) fn total(&self) -> Fen {
        Fen(self
            .unit_price
            .fen()
            .saturating_mul(i64::from(self.quantity)))
    }
}

/// The product lines of the sale, in the order they were first added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Cart {
    lines: Vec<CartLine>,
}

impl Cart {
    pub(super) fn lines(&self) -> &[CartLine] {
        &self.lines
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Adds one unit of `product`: a product already in the cart gets one more, so scanning
    /// the same item twice gives one line with quantity 2.
    pub(super) fn add_product(&mut self, product: &Product) {
        let existing = self
            .lines
            .iter_mut()
            .find(|line| line.product_id == Some(product.id) && line.unit_price == product.price);
        match existing {
            Some(line) => line.quantity = (line.quantity + 1).min(MAX_LINE_QUANTITY),
            None => self.lines.push(CartLine {
                product_id: Some(product.id),
                name: product.name.clone(),
                unit_price: product.price,
                quantity: 1,
            }),
        }
    }

    /// Adds one unit to line `index`, up to [`MAX_LINE_QUANTITY`].
    pub(super) fn increase(&mut self, index: usize) {
        if let Some(line) = self.lines.get_mut(index) {
            line.quantity = (line.quantity + 1).min(MAX_LINE_QUANTITY);
        }
    }

    /// Takes one unit off line `index`; the line goes when its quantity reaches zero.
    pub(super) fn decrease(&mut self, index: usize) {
        if let Some(line) = self.lines.get_mut(index) {
            line.quantity = line.quantity.saturating_sub(1);
            if line.quantity == 0 {
                self.lines.remove(index);
            }
        }
    }

    pub(super) fn remove(&mut self, index: usize) {
        if index < self.lines.len() {
            self.lines.remove(index);
        }
    }

    pub(super) fn clear(&mut self) {
        self.lines.clear();
    }

    /// Returns the sum of the line totals.
    pub(super) fn total(&self) -> Fen {
        Fen(self
            .lines
            .iter()
            .fold(0_i64, |sum, line| sum.saturating_add(line.total().fen())))
    }

    /// Builds the order description (WeChat Pay `body`) from the lines, such as
    /// `珍珠奶茶×2、蛋挞`, followed by `extra` (the free amount's description) when it is not
    /// empty. The result is cut to the 128-byte `body` limit on a character boundary.
    pub(super) fn body(&self, extra: Option<&str>) -> String {
        let mut parts: Vec<String> = self
            .lines
            .iter()
            .map(|line| match line.quantity {
                1 => line.name.clone(),
                quantity => format!("{}×{quantity}", line.name),
            })
            .collect();
        if let Some(extra) = extra.map(str::trim).filter(|extra| !extra.is_empty()) {
            parts.push(extra.to_owned());
        }
        truncate_body(&parts.join("、")).to_owned()
    }

    /// Returns the cart as the store saves it.
    pub(super) fn to_saved(&self) -> Vec<SavedCartLine> {
        self.lines
            .iter()
            .map(|line| SavedCartLine {
                product_id: line.product_id,
                name: line.name.clone(),
                unit_price: line.unit_price,
                quantity: line.quantity,
            })
            .collect()
    }

    /// Rebuilds the cart saved by the last run.
    pub(super) fn from_saved(saved: &SavedCart) -> Cart {
        let lines = saved
            .lines
            .iter()
            .map(|line| CartLine {
                product_id: line.product_id,
                name: line.name.clone(),
                unit_price: line.unit_price,
                quantity: line.quantity.clamp(1, MAX_LINE_QUANTITY),
            })
            .collect();
        Cart { lines }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, name: &str, fen: i64) -> Product {
        Product {
            id,
            name: name.to_owned(),
            price: Fen(fen),
            barcode: None,
            category: String::new(),
            enabled: true,
        }
    }

    #[test]
    fn same_product_twice_is_one_line() {
        let mut cart = Cart::default();
        cart.add_product(&product(1, "珍珠奶茶", 1200));
        cart.add_product(&product(2, "蛋挞", 650));
        cart.add_product(&product(1, "珍珠奶茶", 1200));

        assert_eq!(cart.lines().len(), 2);
        assert_eq!(cart.lines()[0].quantity, 2);
        assert_eq!(cart.total(), Fen(3050));
    }

    #[test]
    fn decrease_to_zero_removes_line() {
        let mut cart = Cart::default();
        cart.add_product(&product(1, "蛋挞", 650));
        cart.increase(0);
        cart.decrease(0);
        assert_eq!(cart.lines()[0].quantity, 1);

        cart.decrease(0);
        assert!(cart.is_empty());
    }

    #[test]
    fn body_lists_lines_and_extra() {
        let mut cart = Cart::default();
        cart.add_product(&product(1, "珍珠奶茶", 1200));
        cart.add_product(&product(1, "珍珠奶茶", 1200));
        cart.add_product(&product(2, "蛋挞", 650));

        assert_eq!(cart.body(None), "珍珠奶茶×2、蛋挞");
        assert_eq!(cart.body(Some("商品")), "珍珠奶茶×2、蛋挞、商品");
        assert_eq!(cart.body(Some("  ")), "珍珠奶茶×2、蛋挞");
    }

    #[test]
    fn long_body_is_cut_on_a_character_boundary() {
        let mut cart = Cart::default();
        for id in 0..20 {
            cart.add_product(&product(id, &format!("精品手冲咖啡豆{id}"), 100));
        }
        let body = cart.body(Some("商品"));

        assert!(body.len() <= 128, "{} bytes", body.len());
        assert!(body.len() >= 125, "{} bytes", body.len());
        assert!(body.starts_with("精品手冲咖啡豆0、"));
    }

    #[test]
    fn quantity_stops_at_the_maximum() {
        let mut cart = Cart::default();
        cart.add_product(&product(1, "水", 200));
        for _ in 0..MAX_LINE_QUANTITY + 5 {
            cart.increase(0);
        }
        assert_eq!(cart.lines()[0].quantity, MAX_LINE_QUANTITY);
    }
}
