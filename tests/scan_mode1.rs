//! Native mode 1 end to end, on 127.0.0.1 with a real SQLite file. The tests cover the
//! product link format and the listener's scan callback endpoint (valid, forged, wrong
//! merchant, unknown and disabled products, malformed bodies). A whole payment is driven by
//! the simulator's scan control.

mod common;

use common::{Stack, TEST_API_KEY, eventually, test_merchant};
use wxpay_pos::money::Fen;
use wxpay_pos::orders::{
    SCAN_MSG_DISABLED_PRODUCT, SCAN_MSG_ORDER_SETTLED, SCAN_MSG_UNKNOWN_PRODUCT,
};
use wxpay_pos::protocol::bizpay::{BizpayLink, ScanCallback};
use wxpay_pos::protocol::{ApiKey, Merchant, Params, SignType, sign, xml};
use wxpay_pos::simulator::ScanForm;
use wxpay_pos::store::{OrderState, ProductDraft};

const OPENID: &str = "o8GeHuLAsgefS_80exEr1cTqekUs";

/// The published bizpayurl test vector: fields, sign and link.
const VECTOR_B_LINK: &str = "weixin://wxpay/bizpayurl?sign=62C618B41B3C5F9050AB94C0580DDA8E&appid=wx2421b1c4370ec43b&mch_id=10000100&product_id=1&time_stamp=1415949957&nonce_str=f6808210402125e30663234f94c87a8c";

fn vector_merchant() -> Merchant {
    Merchant {
        appid: "wx2421b1c4370ec43b".into(),
        mch_id: "10000100".into(),
        api_key: ApiKey::new(TEST_API_KEY),
        sign_type: SignType::Md5,
    }
}

#[test]
fn link_matches_vector_b() {
    let link = BizpayLink::sign(
        &vector_merchant(),
        "1",
        1415949957,
        "f6808210402125e30663234f94c87a8c",
    )
    .unwrap();
    assert_eq!(link.sign, "62C618B41B3C5F9050AB94C0580DDA8E");
    assert_eq!(link.to_url(), VECTOR_B_LINK);
}

#[test]
fn link_encodes_reserved_characters() {
    let product_id = "A&B=C 1/奶";
    let link = BizpayLink::sign(&vector_merchant(), product_id, 1415949957, "n0nce").unwrap();
    let url = link.to_url();

    assert!(
        url.contains("&product_id=A%26B%3DC%201%2F%E5%A5%B6&"),
        "{url}"
    );
    // The signature covers the raw value, not the encoded one.
    let mut raw = Params::new();
    for (name, value) in [
        ("appid", "wx2421b1c4370ec43b"),
        ("mch_id", "10000100"),
        ("nonce_str", "n0nce"),
        ("product_id", product_id),
        ("time_stamp", "1415949957"),
    ] {
        raw.insert(name.into(), value.into());
    }
    let expected_sign = sign::sign(&raw, &ApiKey::new(TEST_API_KEY), SignType::Md5);
    assert_eq!(link.sign, expected_sign);

    let parsed = BizpayLink::parse(&url).unwrap();
    assert_eq!(parsed.product_id, product_id);
    assert_eq!(
        sign::verify(&parsed.fields_with_sign(), &ApiKey::new(TEST_API_KEY)),
        Ok(SignType::Md5)
    );
}

/// Adds an enabled coffee (15.00) and a disabled latte (18.00); returns their ids.
fn seed_products(stack: &Stack) -> (i64, i64) {
    let store = stack.service.store();
    let coffee = store
        .save_product(&ProductDraft {
            name: "美式咖啡".into(),
            price: Fen(1500),
            ..ProductDraft::default()
        })
        .unwrap();
    let latte = store
        .save_product(&ProductDraft {
            name: "拿铁".into(),
            price: Fen(1800),
            enabled: false,
            ..ProductDraft::default()
        })
        .unwrap();
    (coffee.id, latte.id)
}

fn callback_body(merchant: &Merchant, product_id: &str, nonce_str: &str) -> String {
    let callback = ScanCallback {
        openid: OPENID.into(),
        product_id: product_id.into(),
        nonce_str: nonce_str.into(),
        is_subscribe: "N".into(),
    };
    xml::to_xml(&callback.to_signed_params(merchant))
}

async fn post_scan(stack: &Stack, body: impl Into<reqwest::Body>) -> (u16, Params) {
    let response = reqwest::Client::new()
        .post(stack.scan_url())
        .header("Content-Type", "text/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, xml::parse(text.as_bytes()).unwrap())
}

/// Reads every audit row as (verdict, reason), oldest first, on a second connection.
fn audit_rows(stack: &Stack) -> Vec<(String, String)> {
    let connection = rusqlite::Connection::open(stack.dir.path().join("pos.sqlite3")).unwrap();
    let mut statement = connection
        .prepare("SELECT verdict, reason FROM notifications ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn order_count(stack: &Stack) -> i64 {
    let connection = rusqlite::Connection::open(stack.dir.path().join("pos.sqlite3")).unwrap();
    connection
        .query_row("SELECT COUNT(*) FROM orders", [], |row| row.get(0))
        .unwrap()
}

fn assert_signed_reply(reply: &Params) {
    let merchant = test_merchant(SignType::Md5);
    assert_eq!(reply["return_code"], "SUCCESS");
    assert_eq!(reply["appid"], merchant.appid);
    assert_eq!(reply["mch_id"], merchant.mch_id);
    assert_eq!(sign::verify(reply, &merchant.api_key), Ok(SignType::Md5));
}

#[tokio::test]
async fn valid_callback_creates_and_places_order() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let merchant = test_merchant(SignType::Md5);

    let (status, reply) = post_scan(
        &stack,
        callback_body(&merchant, &coffee.to_string(), "nonce1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_signed_reply(&reply);
    assert_eq!(reply["result_code"], "SUCCESS");
    let prepay_id = reply["prepay_id"].clone();
    assert!(prepay_id.starts_with("wx"), "{prepay_id}");

    let open = stack.service.store().open_orders().unwrap();
    assert_eq!(open.len(), 1);
    let order = &open[0];
    assert_eq!(order.state, OrderState::AwaitingPayment);
    assert_eq!(order.body, "美式咖啡");
    assert_eq!(order.total_fee, Fen(1500));
    assert_eq!(
        order.product_id.as_deref(),
        Some(coffee.to_string().as_str())
    );
    assert_eq!(order.openid.as_deref(), Some(OPENID));
    assert_eq!(order.prepay_id.as_deref(), Some(prepay_id.as_str()));
    assert_eq!(
        stack
            .service
            .store()
            .notification_verdicts(&order.out_trade_no)
            .unwrap(),
        vec!["scan_prepared".to_owned()]
    );
}

#[tokio::test]
async fn repeated_callback_reuses_the_order() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let merchant = test_merchant(SignType::Md5);
    let body = callback_body(&merchant, &coffee.to_string(), "nonce-same");

    let (_, first) = post_scan(&stack, body.clone()).await;
    let (_, second) = post_scan(&stack, body).await;
    assert_eq!(first["prepay_id"], second["prepay_id"]);
    assert_eq!(order_count(&stack), 1);

    // A new scan (new nonce) of the same product is a new order.
    let (_, third) = post_scan(
        &stack,
        callback_body(&merchant, &coffee.to_string(), "nonce-new"),
    )
    .await;
    assert_ne!(third["prepay_id"], first["prepay_id"]);
    assert_eq!(order_count(&stack), 2);

    let verdicts: Vec<String> = audit_rows(&stack).into_iter().map(|(v, _)| v).collect();
    assert_eq!(
        verdicts,
        ["scan_prepared", "scan_repeated", "scan_prepared"]
    );
}

#[tokio::test]
async fn concurrent_copies_create_one_order() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let body = callback_body(
        &test_merchant(SignType::Md5),
        &coffee.to_string(),
        "nonce-race",
    );

    let (first, second) = tokio::join!(post_scan(&stack, body.clone()), post_scan(&stack, body));
    assert_eq!(first.1["result_code"], "SUCCESS");
    assert_eq!(second.1["result_code"], "SUCCESS");
    assert_eq!(first.1["prepay_id"], second.1["prepay_id"]);
    assert_eq!(order_count(&stack), 1);
}

#[tokio::test]
async fn callback_after_payment_is_refused() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let body = callback_body(
        &test_merchant(SignType::Md5),
        &coffee.to_string(),
        "nonce-paid",
    );
    let (_, first) = post_scan(&stack, body.clone()).await;
    assert_eq!(first["result_code"], "SUCCESS");
    let out_trade_no = stack.service.store().open_orders().unwrap()[0]
        .out_trade_no
        .clone();
    stack.simulator.pay(&out_trade_no).unwrap();
    stack.wait_for_state(&out_trade_no, OrderState::Paid).await;

    let (_, again) = post_scan(&stack, body).await;
    assert_signed_reply(&again);
    assert_eq!(again["result_code"], "FAIL");
    assert_eq!(again["err_code_des"], SCAN_MSG_ORDER_SETTLED);
    assert_eq!(order_count(&stack), 1);
}

#[tokio::test]
async fn forged_callback_is_rejected() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let merchant = test_merchant(SignType::Md5);
    let signed = callback_body(&merchant, &coffee.to_string(), "nonce1");
    let forged = signed.replace("nonce1", "nonce2");

    let (status, reply) = post_scan(&stack, forged).await;
    assert_eq!(status, 200);
    assert_eq!(reply["return_code"], "FAIL");
    assert!(!reply.contains_key("prepay_id"));
    assert_eq!(order_count(&stack), 0);
    let rows = audit_rows(&stack);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "scan_rejected");
    assert!(rows[0].1.contains("signature"), "{}", rows[0].1);
}

#[tokio::test]
async fn wrong_appid_or_mch_id_is_rejected() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let mut other_app = test_merchant(SignType::Md5);
    other_app.appid = "wx0000000000000000".into();
    let mut other_mch = test_merchant(SignType::Md5);
    other_mch.mch_id = "19999999".into();

    for merchant in [other_app, other_mch] {
        let (_, reply) =
            post_scan(&stack, callback_body(&merchant, &coffee.to_string(), "n")).await;
        assert_eq!(reply["return_code"], "FAIL", "{merchant:?}");
    }
    assert_eq!(order_count(&stack), 0);
    let verdicts: Vec<String> = audit_rows(&stack).into_iter().map(|(v, _)| v).collect();
    assert_eq!(verdicts, ["scan_rejected", "scan_rejected"]);
}

#[tokio::test]
async fn unknown_or_disabled_product_is_refused() {
    let stack = Stack::start(SignType::Md5).await;
    let (_, latte) = seed_products(&stack);
    let merchant = test_merchant(SignType::Md5);

    for (product_id, message) in [
        ("999999".to_owned(), SCAN_MSG_UNKNOWN_PRODUCT),
        ("not-a-number".to_owned(), SCAN_MSG_UNKNOWN_PRODUCT),
        (latte.to_string(), SCAN_MSG_DISABLED_PRODUCT),
    ] {
        let (status, reply) = post_scan(&stack, callback_body(&merchant, &product_id, "n")).await;
        assert_eq!(status, 200);
        assert_signed_reply(&reply);
        assert_eq!(reply["result_code"], "FAIL", "{product_id}");
        assert_eq!(reply["err_code_des"], message, "{product_id}");
        assert!(!reply.contains_key("prepay_id"));
    }
    assert_eq!(order_count(&stack), 0);
    let verdicts: Vec<String> = audit_rows(&stack).into_iter().map(|(v, _)| v).collect();
    assert_eq!(verdicts, ["scan_refused", "scan_refused", "scan_refused"]);
}

#[tokio::test]
async fn malformed_bodies_are_rejected() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let valid = callback_body(&test_merchant(SignType::Md5), &coffee.to_string(), "n");
    let doctype = format!("<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{valid}");
    let oversized = format!("<xml><pad>{}</pad></xml>", "a".repeat(70 * 1024));

    for body in [
        "<xml><openid>".to_owned(),
        "not xml".to_owned(),
        doctype,
        oversized,
    ] {
        let (status, reply) = post_scan(&stack, body).await;
        assert_eq!(status, 200);
        assert_eq!(reply["return_code"], "FAIL");
    }

    let response = reqwest::get(stack.scan_url()).await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let reply = xml::parse(response.text().await.unwrap().as_bytes()).unwrap();
    assert_eq!(reply["return_code"], "FAIL");

    assert_eq!(order_count(&stack), 0);
    let rows = audit_rows(&stack);
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|(verdict, _)| verdict == "scan_rejected"));
    assert!(rows[3].1.contains("over"), "{}", rows[3].1);
}

#[tokio::test]
async fn scanned_product_is_paid_with_receipt() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, _) = seed_products(&stack);
    let merchant = test_merchant(SignType::Md5);
    let mut events = stack.service.subscribe();
    let long_link = BizpayLink::sign_now(&merchant, &coffee.to_string())
        .unwrap()
        .to_url();
    let short_link = stack.service.gateway().short_url(&long_link).await.unwrap();
    assert!(short_link.starts_with("weixin://wxpay/s/"), "{short_link}");

    let outcome = stack
        .simulator
        .scan(&ScanForm {
            link: Some(short_link),
            openid: Some(OPENID.into()),
            ..ScanForm::default()
        })
        .await
        .unwrap();
    let order = stack
        .service
        .order(&outcome.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.state, OrderState::AwaitingPayment);
    assert_eq!(order.prepay_id.as_deref(), Some(outcome.prepay_id.as_str()));

    stack.simulator.pay(&outcome.out_trade_no).unwrap();
    stack
        .wait_for_state(&outcome.out_trade_no, OrderState::Paid)
        .await;
    let paid = eventually("the paid event", || match events.try_recv() {
        Ok(event) if event.state == OrderState::Paid => Some(event),
        _ => None,
    })
    .await;
    assert_eq!(paid.out_trade_no, outcome.out_trade_no);

    let (_, pdf_path) = stack.wait_for_receipt(&outcome.out_trade_no).await;
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let verdicts = stack
        .service
        .store()
        .notification_verdicts(&outcome.out_trade_no)
        .unwrap();
    assert_eq!(verdicts, ["scan_prepared", "accepted"]);
}

const FORM_TYPE: &str = "application/x-www-form-urlencoded";

/// Encodes an HTML form body, as curl's `--data-urlencode` does.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| {
            let value =
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn scan_control_over_http_pays() {
    let stack = Stack::start(SignType::Md5).await;
    let (coffee, latte) = seed_products(&stack);
    let link = BizpayLink::sign_now(&test_merchant(SignType::Md5), &coffee.to_string())
        .unwrap()
        .to_url();
    let client = reqwest::Client::new();
    let scan_url = format!("{}/sim/scan", stack.simulator.base_url());

    let response = client
        .post(&scan_url)
        .header("Content-Type", FORM_TYPE)
        .body(form(&[
            ("link", &link),
            ("openid", OPENID),
            ("pay", "true"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("prepared out_trade_no="), "{text}");
    assert!(text.contains(" paid transaction_id="), "{text}");
    let out_trade_no = text
        .split_whitespace()
        .find_map(|word| word.strip_prefix("out_trade_no="))
        .unwrap()
        .to_owned();
    stack.wait_for_state(&out_trade_no, OrderState::Paid).await;

    // The disabled product's refusal reaches the customer's phone (409 with the message).
    let response = client
        .post(&scan_url)
        .header("Content-Type", FORM_TYPE)
        .body(form(&[("product_id", &latte.to_string())]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 409);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains(SCAN_MSG_DISABLED_PRODUCT),
    );

    // A link signed with another key is refused by the gateway before any callback.
    let mut forger = test_merchant(SignType::Md5);
    forger.api_key = ApiKey::new("00000000000000000000000000000000");
    let forged = BizpayLink::sign_now(&forger, &coffee.to_string())
        .unwrap()
        .to_url();
    let response = client
        .post(&scan_url)
        .header("Content-Type", FORM_TYPE)
        .body(form(&[("link", &forged)]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(order_count(&stack), 1);
}
