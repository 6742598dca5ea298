//! Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs in one
//! transaction together with the version bump, so a crash leaves the old or the new schema.

/// Migrations in order; entry `i` moves the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: orders, payments, notification audit, receipts.
    r#"
    CREATE TABLE orders (
        id               INTEGER PRIMARY KEY,
        out_trade_no     TEXT NOT NULL UNIQUE,
        body             TEXT NOT NULL,
        total_fee        INTEGER NOT NULL CHECK (total_fee > 0),
        state            TEXT NOT NULL,
        nonce_str        TEXT NOT NULL,
        time_start       TEXT NOT NULL,
        time_expire      TEXT NOT NULL,
        expires_at_ms    INTEGER NOT NULL,
        prepay_id        TEXT,
        code_url         TEXT,
        transaction_id   TEXT,
        created_at_ms    INTEGER NOT NULL,
        updated_at_ms    INTEGER NOT NULL
    );
    CREATE INDEX orders_state ON orders (state);
    CREATE INDEX orders_created ON orders (created_at_ms);

    CREATE TABLE order_events (
        id               INTEGER PRIMARY KEY,
        out_trade_no     TEXT NOT NULL REFERENCES orders (out_trade_no),
        from_state       TEXT,
        to_state         TEXT NOT NULL,
        reason           TEXT NOT NULL,
        at_ms            INTEGER NOT NULL
    );
    CREATE INDEX order_events_order ON order_events (out_trade_no);

    CREATE TABLE payments (
        id               INTEGER PRIMARY KEY,
        out_trade_no     TEXT NOT NULL UNIQUE REFERENCES orders (out_trade_no),
        transaction_id   TEXT NOT NULL UNIQUE,
        total_fee        INTEGER NOT NULL,
        cash_fee         INTEGER,
        time_end         TEXT NOT NULL,
        source           TEXT NOT NULL,
        recorded_at_ms   INTEGER NOT NULL
    );

    CREATE TABLE notifications (
        id               INTEGER PRIMARY KEY,
        received_at_ms   INTEGER NOT NULL,
        remote_addr      TEXT NOT NULL,
        body             BLOB NOT NULL,
        out_trade_no     TEXT,
        verdict          TEXT NOT NULL,
        reason           TEXT NOT NULL
    );
    CREATE INDEX notifications_order ON notifications (out_trade_no);

    CREATE TABLE receipts (
        id               INTEGER PRIMARY KEY,
        out_trade_no     TEXT NOT NULL UNIQUE REFERENCES orders (out_trade_no),
        qr_link          TEXT NOT NULL,
        pdf_path         TEXT NOT NULL,
        created_at_ms    INTEGER NOT NULL
    );
    "#,
    // 2: the product catalogue for quick keys and barcodes, and the cart of the sale in
    // progress, so a sale survives a crash. `saved_cart` has at most one row (id 1).
    r#"
    CREATE TABLE products (
        id               INTEGER PRIMARY KEY,
        name             TEXT NOT NULL CHECK (length(name) > 0),
        price_fen        INTEGER NOT NULL CHECK (price_fen > 0),
        barcode          TEXT UNIQUE,
        category         TEXT NOT NULL DEFAULT '',
        created_at_ms    INTEGER NOT NULL,
        updated_at_ms    INTEGER NOT NULL
    );
    CREATE INDEX products_category ON products (category, name);

    CREATE TABLE saved_cart (
        id               INTEGER PRIMARY KEY CHECK (id = 1),
        discount_fen     INTEGER NOT NULL CHECK (discount_fen >= 0),
        amount_text      TEXT NOT NULL,
        description      TEXT NOT NULL,
        saved_at_ms      INTEGER NOT NULL
    );

    CREATE TABLE saved_cart_lines (
        position         INTEGER PRIMARY KEY,
        product_id       INTEGER,
        name             TEXT NOT NULL,
        unit_price_fen   INTEGER NOT NULL CHECK (unit_price_fen > 0),
        quantity         INTEGER NOT NULL CHECK (quantity > 0)
    );
    "#,
    // 3: the sale an order belongs to. A sale whose out_trade_no the gateway refused as used
    // or closed continues under a new number with the same sale_id.
    r#"
    ALTER TABLE orders ADD COLUMN sale_id TEXT;
    UPDATE orders SET sale_id = out_trade_no WHERE sale_id IS NULL;
    CREATE INDEX orders_sale ON orders (sale_id);
    "#,
    // 4: the counter an order was taken at, mode-1 (product QR) fields, products that can be
    // switched off, and refunds. `refunds.state` is one of requested, processing, success,
    // change, refundclose and failed. The sum of a paid order's refunds other than failed
    // ones never exceeds its total_fee (enforced where refunds are requested).
    r#"
    ALTER TABLE orders ADD COLUMN terminal TEXT NOT NULL DEFAULT '';
    ALTER TABLE orders ADD COLUMN product_id TEXT;
    ALTER TABLE orders ADD COLUMN openid TEXT;
    ALTER TABLE products ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX payments_time_end ON payments (time_end);

    CREATE TABLE refunds (
        id               INTEGER PRIMARY KEY,
        out_refund_no    TEXT NOT NULL UNIQUE,
        out_trade_no     TEXT NOT NULL REFERENCES orders (out_trade_no),
        refund_fee       INTEGER NOT NULL CHECK (refund_fee > 0),
        total_fee        INTEGER NOT NULL CHECK (total_fee > 0),
        nonce_str        TEXT NOT NULL,
        reason           TEXT NOT NULL DEFAULT '',
        state            TEXT NOT NULL,
        refund_id        TEXT,
        success_time     TEXT,
        created_at_ms    INTEGER NOT NULL,
        updated_at_ms    INTEGER NOT NULL
    );
    CREATE INDEX refunds_order ON refunds (out_trade_no);
    CREATE INDEX refunds_created ON refunds (created_at_ms);
    "#,
    // 5: bill reconciliation runs and their differences. `bill_date` is the Beijing day as
    // yyyy-MM-dd; `bill_found` is 0 when WeChat replied No Bill Exist. Amounts are in fen.
    // `kind` is missing_locally, missing_in_bill, amount_mismatch or state_mismatch, and
    // `record` is payment or refund.
    r#"
    CREATE TABLE bill_reconciliations (
        id               INTEGER PRIMARY KEY,
        bill_date        TEXT NOT NULL,
        bill_type        TEXT NOT NULL,
        bill_found       INTEGER NOT NULL,
        bill_layout      TEXT,
        bill_rows        INTEGER NOT NULL,
        bill_total_fee   INTEGER NOT NULL,
        bill_refund_fee  INTEGER NOT NULL,
        local_payments   INTEGER NOT NULL,
        local_refunds    INTEGER NOT NULL,
        matched          INTEGER NOT NULL,
        missing_locally  INTEGER NOT NULL,
        missing_in_bill  INTEGER NOT NULL,
        amount_mismatch  INTEGER NOT NULL,
        state_mismatch   INTEGER NOT NULL,
        created_at_ms    INTEGER NOT NULL
    );
    CREATE INDEX bill_reconciliations_date ON bill_reconciliations (bill_date, id);

    CREATE TABLE bill_differences (
        id                INTEGER PRIMARY KEY,
        reconciliation_id INTEGER NOT NULL REFERENCES bill_reconciliations (id),
        kind              TEXT NOT NULL,
        record            TEXT NOT NULL,
        out_trade_no      TEXT NOT NULL,
        transaction_id    TEXT NOT NULL,
        out_refund_no     TEXT NOT NULL,
        refund_id         TEXT NOT NULL,
        bill_amount_fen   INTEGER,
        local_amount_fen  INTEGER,
        bill_state        TEXT NOT NULL,
        local_state       TEXT NOT NULL,
        trade_time        TEXT NOT NULL
    );
    CREATE INDEX bill_differences_run ON bill_differences (reconciliation_id);
    "#,
    // 6: indexes for the manager's reports. Range totals read only the index (created_at_ms,
    // state, amount), which also serves every range listing, so the plain created_at_ms
    // index of migration 1 goes.
    r#"
    CREATE INDEX orders_created_state_fee ON orders (created_at_ms, state, total_fee);
    DROP INDEX orders_created;
    CREATE INDEX refunds_created_state_fee ON refunds (created_at_ms, state, refund_fee);
    DROP INDEX refunds_created;
    "#,
    // 7: a catalogue revision that every product insert, update and delete raises, from any
    // process, so a running till notices a `product-switch` from the command line.
    r#"
    CREATE TABLE catalogue_revision (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        revision INTEGER NOT NULL
    );
    INSERT INTO catalogue_revision (id, revision) VALUES (1, 0);
    CREATE TRIGGER products_insert_revision AFTER INSERT ON products
        BEGIN UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1; END;
    CREATE TRIGGER products_update_revision AFTER UPDATE ON products
        BEGIN UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1; END;
    CREATE TRIGGER products_delete_revision AFTER DELETE ON products
        BEGIN UPDATE catalogue_revision SET revision = revision + 1 WHERE id = 1; END;
    "#,
];
