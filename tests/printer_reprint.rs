//! Slips and receipts built from stored orders: a reprint from history matches the receipt the
//! payment lifecycle prints, and a checkout slip is only built for an order awaiting payment.

use chrono::DateTime;
use wxpay_pos::money::Fen;
use wxpay_pos::printer::{
    EscPosOptions, JobError, ShopDetails, checkout_slip_model, encode_receipt,
    paid_receipt_from_store, paid_receipt_model,
};
use wxpay_pos::receipt::{PaymentState, ReceiptData};
use wxpay_pos::store::{NewOrder, OrderState, PaymentRecord, PaymentSource, Store};

const OUT_TRADE_NO: &str = "20240501140307001";
const CODE_URL: &str = "weixin://wxpay/bizpayurl?pr=AbCdEfG";
const SHORT_LINK: &str = "weixin://wxpay/s/An4baqw";
/// 2024-05-01 14:03:07 in Beijing, as WeChat Pay writes `time_end`.
const TIME_END: &str = "20240501140307";
/// 2024-05-01 06:00:00 UTC, when the order was created, and two hours later.
const CREATED_AT_MS: i64 = 1_714_543_200_000;
const EXPIRES_AT_MS: i64 = CREATED_AT_MS + 2 * 3600 * 1000;

fn shop() -> ShopDetails {
    ShopDetails {
        merchant_name: "老王便利店".to_owned(),
        terminal_id: "POS01".to_owned(),
        footer: "谢谢惠顾".to_owned(),
        demo_mode: true,
    }
}

fn store_with_order(dir: &std::path::Path) -> Store {
    let store = Store::open(&dir.join("pos.sqlite3")).unwrap();
    store
        .insert_order(&NewOrder {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            sale_id: OUT_TRADE_NO.to_owned(),
            body: "拿铁咖啡 大杯".to_owned(),
            total_fee: Fen(1990),
            nonce_str: "nonce".to_owned(),
            time_start: "20240501140000".to_owned(),
            time_expire: "20240501160000".to_owned(),
            expires_at_ms: EXPIRES_AT_MS,
            terminal: "POS01".into(),
            product_id: None,
            openid: None,
        })
        .unwrap();
    assert!(
        store
            .set_prepared(OUT_TRADE_NO, "wx_prepay", CODE_URL)
            .unwrap()
    );
    store
}

fn pay(store: &Store) {
    store
        .record_payment(&PaymentRecord {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            transaction_id: "4200001234202405011234567890".to_owned(),
            total_fee: Fen(1990),
            cash_fee: Some(Fen(1990)),
            time_end: TIME_END.to_owned(),
            source: PaymentSource::Notification,
        })
        .unwrap();
}

/// Builds the receipt data the payment lifecycle builds for this order after the payment.
fn lifecycle_receipt_data() -> ReceiptData {
    ReceiptData {
        merchant_name: "老王便利店".to_owned(),
        out_trade_no: OUT_TRADE_NO.to_owned(),
        transaction_id: "4200001234202405011234567890".to_owned(),
        body: "拿铁咖啡 大杯".to_owned(),
        amount: Fen(1990),
        paid_at: DateTime::parse_from_rfc3339("2024-05-01T14:03:07+08:00").unwrap(),
        qr_link: SHORT_LINK.to_owned(),
        demo_mode: true,
    }
}

#[test]
fn reprint_matches_first_print() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());
    pay(&store);
    store
        .insert_receipt(OUT_TRADE_NO, SHORT_LINK, "/receipts/receipt.pdf")
        .unwrap();

    let reprint = paid_receipt_from_store(&store, OUT_TRADE_NO, &shop()).unwrap();
    let first = paid_receipt_model(&lifecycle_receipt_data(), &shop());

    assert_eq!(reprint, first);
    let options = EscPosOptions::default();
    assert_eq!(
        encode_receipt(&reprint, &options).unwrap(),
        encode_receipt(&first, &options).unwrap()
    );
}

#[test]
fn reprint_without_receipt_row_uses_code_url() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());
    pay(&store);

    let model = paid_receipt_from_store(&store, OUT_TRADE_NO, &shop()).unwrap();

    assert_eq!(model.qr_payload, CODE_URL);
    assert!(model.is_paid());
}

#[test]
fn unpaid_order_has_no_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());

    let err = paid_receipt_from_store(&store, OUT_TRADE_NO, &shop()).unwrap_err();

    assert!(matches!(err, JobError::NotPaid { .. }), "{err:?}");
    assert!(err.to_string().contains("未支付"), "{err}");
}

#[test]
fn unknown_order_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());

    let err = paid_receipt_from_store(&store, "NOSUCHORDER", &shop()).unwrap_err();

    assert!(matches!(err, JobError::OrderNotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("NOSUCHORDER"), "{err}");
}

#[test]
fn checkout_slip_has_expiry_and_short_link() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());
    let order = store.order(OUT_TRADE_NO).unwrap().unwrap();
    assert_eq!(order.state, OrderState::AwaitingPayment);

    let slip = checkout_slip_model(&order, SHORT_LINK.to_owned(), &shop()).unwrap();

    assert_eq!(slip.qr_payload, SHORT_LINK);
    assert_eq!(slip.total, Fen(1990));
    assert_eq!(slip.footer, "谢谢惠顾");
    let PaymentState::AwaitingPayment { expires_at } = slip.payment else {
        panic!("a slip must await payment: {:?}", slip.payment);
    };
    assert_eq!(expires_at.timestamp_millis(), order.expires_at_ms);
    assert_eq!(expires_at.offset().local_minus_utc(), 8 * 3600);
}

#[test]
fn paid_order_gets_no_checkout_slip() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_order(dir.path());
    pay(&store);
    let order = store.order(OUT_TRADE_NO).unwrap().unwrap();

    let err = checkout_slip_model(&order, SHORT_LINK.to_owned(), &shop()).unwrap_err();

    assert!(
        matches!(err, JobError::NotAwaitingPayment { .. }),
        "{err:?}"
    );
}
