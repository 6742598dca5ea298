//! Rows for the product catalogue (quick keys and barcodes) and the cart of the sale in
//! progress. The cart is saved on every edit, so a sale survives a crash of the app.

use rusqlite::{OptionalExtension, Row, params};

use super::{Store, StoreError, now_ms};
use crate::money::Fen;

/// Maximum length of a product name, in characters. Twenty Chinese characters take 60 UTF-8 bytes, so two
/// names still fit in the 128-byte WeChat Pay `body`.
pub const MAX_PRODUCT_NAME_CHARS: usize = 20;
/// Maximum length of a barcode, in characters. EAN-13 has 13 digits and GS1-128 up to 48 characters.
pub const MAX_BARCODE_CHARS: usize = 48;
/// Maximum length of a category name, in characters.
pub const MAX_CATEGORY_CHARS: usize = 12;

/// A product in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price: Fen,
    /// The code a barcode scanner types; `None` for goods without one (drinks made to order).
    pub barcode: Option<String>,
    /// The quick key tab the product is shown under; empty for no category.
    pub category: String,
    /// False when the product is switched off: its printed QR code (Native mode 1) is
    /// refused and it is left off new product QR sheets.
    pub enabled: bool,
}

/// A product to insert (`id` is `None`) or to update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductDraft {
    pub id: Option<i64>,
    pub name: String,
    pub price: Fen,
    pub barcode: Option<String>,
    pub category: String,
    /// See [`Product::enabled`]; a new draft is enabled.
    pub enabled: bool,
}

impl Default for ProductDraft {
    fn default() -> Self {
        ProductDraft {
            id: None,
            name: String::new(),
            price: Fen(0),
            barcode: None,
            category: String::new(),
            enabled: true,
        }
    }
}

/// One line of the saved cart. `product_id` is kept for reference only: the line keeps its
/// own name and price, so a later catalogue edit does not change a sale in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedCartLine {
    pub product_id: Option<i64>,
    pub name: String,
    pub unit_price: Fen,
    pub quantity: u32,
}

/// The sale in progress as the cashier left it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SavedCart {
    pub lines: Vec<SavedCartLine>,
    /// Whole-order discount.
    pub discount: Fen,
    /// The free amount as typed, possibly unfinished (`"12."`).
    pub amount_text: String,
    pub description: String,
}

impl SavedCart {
    /// True when there is nothing to restore.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.discount == Fen(0) && self.amount_text.is_empty()
    }
}

/// A product that cannot be saved, naming the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("invalid product {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    #[error("barcode {barcode} already belongs to another product")]
    DuplicateBarcode { barcode: String },
    #[error("product {id} not found")]
    NotFound { id: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ProductDraft {
    /// Checks the fields that the table constraints cannot name for the cashier.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let invalid = |field, reason| Err(CatalogueError::Invalid { field, reason });
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 {
            return invalid("name", "is empty");
        }
        if name_chars > MAX_PRODUCT_NAME_CHARS {
            return invalid("name", "is longer than 20 characters");
        }
        if self.price.fen() <= 0 || self.price.fen() > crate::money::MAX_AMOUNT_FEN {
            return invalid("price", "must be between 0.01 and 1000000.00 yuan");
        }
        if let Some(barcode) = &self.barcode {
            if barcode.is_empty() || barcode.chars().count() > MAX_BARCODE_CHARS {
                return invalid("barcode", "must be 1 to 48 characters");
            }
            if !barcode.chars().all(|c| c.is_ascii_graphic()) {
                return invalid("barcode", "must be letters, digits or punctuation");
            }
        }
        if self.category.trim().chars().count() > MAX_CATEGORY_CHARS {
            return invalid("category", "is longer than 12 characters");
        }
        Ok(())
    }
}

const PRODUCT_COLUMNS: &str = "id, name, price_fen, barcode, category, enabled";

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    Ok(Product {
        id: row.get(0)?,
        name: row.get(1)?,
        price: Fen(row.get(2)?),
        barcode: row.get(3)?,
        category: row.get(4)?,
        enabled: row.get(5)?,
    })
}

fn is_unique_violation(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(code, _)
            if code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// The catalogue's revision, raised by a trigger on every product change; see
/// [`Store::catalogue_stamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogueStamp(i64);

impl Store {
    /// Loads the whole catalogue, by category and then name.
    pub fn products(&self) -> Result<Vec<Product>, StoreError> {
        let connection = self.lock();
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products ORDER BY category, name, id");
        let mut statement = connection.prepare(&sql)?;
        let rows = statement.query_map([], product_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Returns a value that changes whenever a product is added, edited, switched on or off or
    /// deleted, by this process or another one (the `product-switch` command), so a running
    /// till can notice catalogue changes without reloading every product.
    pub fn catalogue_stamp(&self) -> Result<CatalogueStamp, StoreError> {
        let connection = self.lock();
        let revision = connection.query_row(
            "SELECT revision FROM catalogue_revision WHERE id = 1",
            [],
            |row| row.get(0),
        )?;
        Ok(CatalogueStamp(revision))
    }

    /// Inserts or updates one product after [`ProductDraft::validate`], and returns it as stored.
    pub fn save_product(&self, draft: &ProductDraft) -> Result<Product, CatalogueError> {
        draft.validate()?;
        let name = draft.name.trim();
        let category = draft.category.trim();
        let connection = self.lock();
        let now = now_ms();

        let written = match draft.id {
            None => connection
                .execute(
                    "INSERT INTO products (name, price_fen, barcode, category, enabled,
                         created_at_ms, updated_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                    params![
                        name,
                        draft.price.fen(),
                        draft.barcode,
                        category,
                        draft.enabled,
                        now
                    ],
                )
                .map(|_| Some(connection.last_insert_rowid())),
            Some(id) => connection
                .execute(
                    "UPDATE products SET name = ?2, price_fen = ?3, barcode = ?4, category = ?5,
                         enabled = ?6, updated_at_ms = ?7
                     WHERE id = ?1",
                    params![
                        id,
                        name,
                        draft.price.fen(),
                        draft.barcode,
                        category,
                        draft.enabled,
                        now
                    ],
                )
                .map(|changed| (changed > 0).then_some(id)),
        };
        let id = match written {
            Ok(Some(id)) => id,
            Ok(None) => {
                return Err(CatalogueError::NotFound {
                    id: draft.id.unwrap_or_default(),
                });
            }
            Err(err) if is_unique_violation(&err) => {
                return Err(CatalogueError::DuplicateBarcode {
                    barcode: draft.barcode.clone().unwrap_or_default(),
                });
            }
            Err(err) => return Err(StoreError::from(err).into()),
        };

        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1");
        let product = connection
            .query_row(&sql, [id], product_from_row)
            .map_err(StoreError::from)?;
        Ok(product)
    }

    /// Inserts many products in one transaction, for imports and benchmarks. Every draft is
    /// validated first, and nothing is inserted if one fails.
    pub fn insert_products(&self, drafts: &[ProductDraft]) -> Result<usize, CatalogueError> {
        for draft in drafts {
            draft.validate()?;
        }
        let mut connection = self.lock();
        let transaction = connection.transaction().map_err(StoreError::from)?;
        let now = now_ms();
        {
            let mut insert = transaction
                .prepare(
                    "INSERT INTO products (name, price_fen, barcode, category, enabled,
                         created_at_ms, updated_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                )
                .map_err(StoreError::from)?;
            for draft in drafts {
                let params = params![
                    draft.name.trim(),
                    draft.price.fen(),
                    draft.barcode,
                    draft.category.trim(),
                    draft.enabled,
                    now
                ];
                match insert.execute(params) {
                    Ok(_) => {}
                    Err(err) if is_unique_violation(&err) => {
                        return Err(CatalogueError::DuplicateBarcode {
                            barcode: draft.barcode.clone().unwrap_or_default(),
                        });
                    }
                    Err(err) => return Err(StoreError::from(err).into()),
                }
            }
        }
        transaction.commit().map_err(StoreError::from)?;
        Ok(drafts.len())
    }

    /// Loads one product by id.
    pub fn product(&self, id: i64) -> Result<Option<Product>, StoreError> {
        let connection = self.lock();
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1");
        Ok(connection
            .query_row(&sql, [id], product_from_row)
            .optional()?)
    }

    /// Switches a product on or off (see [`Product::enabled`]).
    pub fn set_product_enabled(&self, id: i64, enabled: bool) -> Result<(), CatalogueError> {
        let connection = self.lock();
        let changed = connection
            .execute(
                "UPDATE products SET enabled = ?2, updated_at_ms = ?3 WHERE id = ?1",
                params![id, enabled, now_ms()],
            )
            .map_err(StoreError::from)?;
        if changed == 0 {
            return Err(CatalogueError::NotFound { id });
        }
        Ok(())
    }

    /// Deletes one product. Saved cart lines keep their own name and price.
    pub fn delete_product(&self, id: i64) -> Result<(), CatalogueError> {
        let connection = self.lock();
        let deleted = connection
            .execute("DELETE FROM products WHERE id = ?1", [id])
            .map_err(StoreError::from)?;
        if deleted == 0 {
            return Err(CatalogueError::NotFound { id });
        }
        Ok(())
    }

    /// Replaces the saved cart in one transaction; an empty cart deletes it.
    pub fn save_cart(&self, cart: &SavedCart) -> Result<(), StoreError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        transaction.execute("DELETE FROM saved_cart_lines", [])?;
        transaction.execute("DELETE FROM saved_cart", [])?;
        if !cart.is_empty() {
            transaction.execute(
                "INSERT INTO saved_cart (id, discount_fen, amount_text, description, saved_at_ms)
                 VALUES (1, ?1, ?2, ?3, ?4)",
                params![
                    cart.discount.fen(),
                    cart.amount_text,
                    cart.description,
                    now_ms()
                ],
            )?;
            let mut insert = transaction.prepare(
                "INSERT INTO saved_cart_lines (position, product_id, name, unit_price_fen, quantity)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (position, line) in cart.lines.iter().enumerate() {
                insert.execute(params![
                    position as i64,
                    line.product_id,
                    line.name,
                    line.unit_price.fen(),
                    line.quantity
                ])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// Loads the saved cart, if a sale was in progress.
    pub fn saved_cart(&self) -> Result<Option<SavedCart>, StoreError> {
        let connection = self.lock();
        let header = connection
            .query_row(
                "SELECT discount_fen, amount_text, description FROM saved_cart WHERE id = 1",
                [],
                |row| {
                    Ok((
                        Fen(row.get(0)?),
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((discount, amount_text, description)) = header else {
            return Ok(None);
        };

        let mut statement = connection.prepare(
            "SELECT product_id, name, unit_price_fen, quantity FROM saved_cart_lines
             ORDER BY position",
        )?;
        let lines = statement
            .query_map([], |row| {
                Ok(SavedCartLine {
                    product_id: row.get(0)?,
                    name: row.get(1)?,
                    unit_price: Fen(row.get(2)?),
                    quantity: row.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(SavedCart {
            lines,
            discount,
            amount_text,
            description,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        (dir, store)
    }

    fn draft(name: &str, fen: i64, barcode: Option<&str>) -> ProductDraft {
        ProductDraft {
            id: None,
            name: name.to_owned(),
            price: Fen(fen),
            barcode: barcode.map(str::to_owned),
            category: "饮品".to_owned(),
            enabled: true,
        }
    }

    #[test]
    fn stamp_changes_on_every_edit() {
        let (dir, store) = temp_store();
        // A second handle on the same file stands for the `product-switch` command.
        let other = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
        let mut stamps = vec![store.catalogue_stamp().unwrap()];
        let tea = other
            .save_product(&draft("奶茶", 1200, Some("690001")))
            .unwrap();
        stamps.push(store.catalogue_stamp().unwrap());
        other.set_product_enabled(tea.id, false).unwrap();
        stamps.push(store.catalogue_stamp().unwrap());
        let cake = other.save_product(&draft("蛋糕", 3500, None)).unwrap();
        stamps.push(store.catalogue_stamp().unwrap());
        other.delete_product(cake.id).unwrap();
        stamps.push(store.catalogue_stamp().unwrap());
        for pair in stamps.windows(2) {
            assert_ne!(pair[0], pair[1]);
        }
        assert_eq!(store.catalogue_stamp().unwrap(), stamps[4]);
    }

    #[test]
    fn saved_product_is_listed() {
        let (_dir, store) = temp_store();
        let saved = store
            .save_product(&draft("珍珠奶茶", 1200, Some("6901234567892")))
            .unwrap();

        let products = store.products().unwrap();
        assert_eq!(products, vec![saved.clone()]);
        assert_eq!(saved.price, Fen(1200));
        assert_eq!(saved.barcode.as_deref(), Some("6901234567892"));
    }

    #[test]
    fn duplicate_barcode_is_rejected() {
        let (_dir, store) = temp_store();
        store.save_product(&draft("A", 100, Some("123"))).unwrap();

        let err = store
            .save_product(&draft("B", 200, Some("123")))
            .unwrap_err();
        assert!(
            matches!(err, CatalogueError::DuplicateBarcode { .. }),
            "{err}"
        );
        assert_eq!(store.products().unwrap().len(), 1);
    }

    #[test]
    fn invalid_product_names_the_field() {
        let (_dir, store) = temp_store();
        for (bad, field) in [
            (draft("", 100, None), "name"),
            (draft("A", 0, None), "price"),
            (draft("A", 100, Some("12 3")), "barcode"),
        ] {
            let err = store.save_product(&bad).unwrap_err();
            assert!(
                matches!(err, CatalogueError::Invalid { field: got, .. } if got == field),
                "{err}"
            );
        }
    }

    #[test]
    fn product_update_and_delete() {
        let (_dir, store) = temp_store();
        let saved = store.save_product(&draft("咖啡", 1500, None)).unwrap();
        let mut edit = draft("美式咖啡", 1600, Some("42"));
        edit.id = Some(saved.id);

        let updated = store.save_product(&edit).unwrap();
        assert_eq!(updated.id, saved.id);
        assert_eq!(updated.name, "美式咖啡");

        store.delete_product(saved.id).unwrap();
        assert!(store.products().unwrap().is_empty());
        assert!(matches!(
            store.delete_product(saved.id),
            Err(CatalogueError::NotFound { .. })
        ));
    }

    #[test]
    fn disabled_product_stays_disabled() {
        let (_dir, store) = temp_store();
        let saved = store.save_product(&draft("拿铁", 1800, None)).unwrap();
        assert!(saved.enabled);

        store.set_product_enabled(saved.id, false).unwrap();
        assert!(!store.product(saved.id).unwrap().unwrap().enabled);
        assert!(store.product(saved.id + 100).unwrap().is_none());
        assert!(matches!(
            store.set_product_enabled(saved.id + 100, true),
            Err(CatalogueError::NotFound { .. })
        ));
    }

    #[test]
    fn cart_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pos.sqlite3");
        let cart = SavedCart {
            lines: vec![SavedCartLine {
                product_id: Some(7),
                name: "珍珠奶茶".to_owned(),
                unit_price: Fen(1200),
                quantity: 2,
            }],
            discount: Fen(100),
            amount_text: "3.5".to_owned(),
            description: "商品".to_owned(),
        };
        Store::open(&path).unwrap().save_cart(&cart).unwrap();

        let store = Store::open(&path).unwrap();
        assert_eq!(store.saved_cart().unwrap(), Some(cart));

        store.save_cart(&SavedCart::default()).unwrap();
        assert_eq!(store.saved_cart().unwrap(), None);
    }
}
