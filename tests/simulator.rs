//! The gateway simulator against real HTTP clients and a real notification receiver, all on
//! 127.0.0.1 with OS-assigned ports.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use wxpay_pos::protocol::sign::{sign_in_place, verify};
use wxpay_pos::protocol::xml::{parse, to_xml};
use wxpay_pos::protocol::{ApiKey, Merchant, Params, SignType, new_nonce};
use wxpay_pos::simulator::{
    DEFAULT_NOTIFY_RETRY_OFFSETS_SECS, NotifyOutcome, SimulatorConfig, SimulatorHandle, serve,
};

const API_KEY: &str = "192006250b4c09247ec02edce69f6a2d";
const APPID: &str = "wx2421b1c4370ec43b";
const MCH_ID: &str = "10000100";

fn merchant(sign_type: SignType) -> Merchant {
    Merchant {
        appid: APPID.into(),
        mch_id: MCH_ID.into(),
        api_key: ApiKey::new(API_KEY),
        sign_type,
    }
}

thread_local! {
    /// One client per test: each `#[tokio::test]` runs its own runtime on its own thread, and
    /// a client's pooled connections belong to the runtime that opened them.
    static HTTP_CLIENT: reqwest::Client = {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder().no_proxy().build().unwrap()
    };
}

fn http_client() -> reqwest::Client {
    HTTP_CLIENT.with(reqwest::Client::clone)
}

async fn start(config: SimulatorConfig) -> SimulatorHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve(listener, config).await.unwrap()
}

async fn start_default() -> SimulatorHandle {
    start(SimulatorConfig::new(vec![merchant(SignType::Md5)])).await
}

fn fields(pairs: &[(&str, &str)]) -> Params {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn order_fields(out_trade_no: &str, notify_url: &str) -> Params {
    fields(&[
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", &new_nonce()),
        ("body", "奶茶 & 蛋糕"),
        ("out_trade_no", out_trade_no),
        ("total_fee", "1990"),
        ("spbill_create_ip", "127.0.0.1"),
        ("notify_url", notify_url),
        ("trade_type", "NATIVE"),
        ("product_id", "SKU-1"),
        ("attach", "till=3"),
    ])
}

fn signed(mut params: Params, sign_type: SignType) -> Params {
    sign_in_place(&mut params, &ApiKey::new(API_KEY), sign_type);
    params
}

/// Posts a raw body and returns the HTTP status, the Content-Type and the parsed reply.
async fn post_body(
    handle: &SimulatorHandle,
    path: &str,
    body: Vec<u8>,
) -> (StatusCode, String, Params) {
    let response = http_client()
        .post(format!("{}{path}", handle.base_url()))
        .header(header::CONTENT_TYPE, "text/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let reply = parse(&response.bytes().await.unwrap()).unwrap();
    (status, content_type, reply)
}

async fn call(handle: &SimulatorHandle, path: &str, params: &Params) -> Params {
    post_body(handle, path, to_xml(params).into_bytes()).await.2
}

async fn create_order(handle: &SimulatorHandle, out_trade_no: &str, notify_url: &str) -> Params {
    let request = signed(order_fields(out_trade_no, notify_url), SignType::Md5);
    let reply = call(handle, "/pay/unifiedorder", &request).await;
    assert_eq!(
        reply["result_code"], "SUCCESS",
        "unifiedorder failed: {reply:?}"
    );
    reply
}

fn by_out_trade_no(out_trade_no: &str) -> Params {
    signed(
        fields(&[
            ("appid", APPID),
            ("mch_id", MCH_ID),
            ("nonce_str", &new_nonce()),
            ("out_trade_no", out_trade_no),
        ]),
        SignType::Md5,
    )
}

/// Returns a notify_url on a port that nothing listens on.
async fn refused_notify_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/notify")
}

/// Polls `condition` every 10 ms for up to 10 s of the tokio clock.
async fn wait_until(mut condition: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 10 s");
}

#[tokio::test]
async fn unified_order_reply_is_signed_with_code_url() {
    let handle = start_default().await;
    let request = signed(
        order_fields("UO-1", "http://127.0.0.1:9/notify"),
        SignType::Md5,
    );

    let (status, content_type, reply) =
        post_body(&handle, "/pay/unifiedorder", to_xml(&request).into_bytes()).await;

    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    assert_eq!(reply["return_code"], "SUCCESS");
    assert_eq!(reply["result_code"], "SUCCESS");
    assert_eq!(verify(&reply, &ApiKey::new(API_KEY)), Ok(SignType::Md5));
    assert_eq!(reply["appid"], APPID);
    assert_eq!(reply["mch_id"], MCH_ID);
    assert!(!reply["nonce_str"].is_empty());
    assert!(!reply.contains_key("sign_type"));
    assert_eq!(reply["trade_type"], "NATIVE");
    let token = reply["code_url"]
        .strip_prefix("weixin://wxpay/bizpayurl?pr=")
        .unwrap();
    assert_eq!(token.len(), 7);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert!(reply["prepay_id"].starts_with("wx"));
    assert!(reply["prepay_id"].len() <= 64);
}

#[tokio::test]
async fn bad_signature_gets_two_field_fail() {
    let handle = start_default().await;
    let mut request = signed(
        order_fields("BAD-SIGN", "http://127.0.0.1:9/notify"),
        SignType::Md5,
    );
    request.insert("total_fee".into(), "1".into());

    let reply = call(&handle, "/pay/unifiedorder", &request).await;

    assert_eq!(reply["return_code"], "FAIL");
    assert_eq!(reply["return_msg"], "签名错误");
    assert_eq!(reply.len(), 2, "{reply:?}");
}

#[tokio::test]
async fn hmac_signature_without_sign_type_is_rejected() {
    let handle = start_default().await;
    let mut request = signed(
        order_fields("HMAC-NO-TYPE", "http://127.0.0.1:9/notify"),
        SignType::HmacSha256,
    );
    request.remove("sign_type");

    let reply = call(&handle, "/pay/unifiedorder", &request).await;

    assert_eq!(reply["return_msg"], "签名错误");
}

#[tokio::test]
async fn missing_product_id_is_lack_params() {
    let handle = start_default().await;
    let mut request = order_fields("NO-PRODUCT", "http://127.0.0.1:9/notify");
    request.remove("product_id");
    let request = signed(request, SignType::Md5);

    let reply = call(&handle, "/pay/unifiedorder", &request).await;

    assert_eq!(reply["return_code"], "SUCCESS");
    assert_eq!(reply["result_code"], "FAIL");
    assert_eq!(reply["err_code"], "LACK_PARAMS");
    assert!(
        reply["err_code_des"].contains("product_id"),
        "{}",
        reply["err_code_des"]
    );
    assert_eq!(verify(&reply, &ApiKey::new(API_KEY)), Ok(SignType::Md5));
    assert!(!reply.contains_key("code_url"));
}

#[tokio::test]
async fn invalid_order_fields_are_refused() {
    let handle = start_default().await;
    let cases = [
        ("total_fee", "0", "INVALID_REQUEST"),
        ("total_fee", "19.90", "INVALID_REQUEST"),
        ("trade_type", "JSAPI", "INVALID_REQUEST"),
        ("out_trade_no", "has space", "INVALID_REQUEST"),
        (
            "notify_url",
            "http://127.0.0.1:9/notify?x=1",
            "INVALID_REQUEST",
        ),
        ("time_expire", "20000101000000", "INVALID_REQUEST"),
        ("body", "", "LACK_PARAMS"),
    ];
    for (name, value, expected) in cases {
        let mut request = order_fields("INVALID-1", "http://127.0.0.1:9/notify");
        request.insert(name.into(), value.into());
        let reply = call(
            &handle,
            "/pay/unifiedorder",
            &signed(request, SignType::Md5),
        )
        .await;
        assert_eq!(reply["err_code"], expected, "{name}={value}: {reply:?}");
    }
}

#[tokio::test]
async fn hmac_request_gets_hmac_reply() {
    let handle = start_default().await;
    let request = signed(
        order_fields("HMAC-1", "http://127.0.0.1:9/notify"),
        SignType::HmacSha256,
    );
    assert_eq!(request["sign_type"], "HMAC-SHA256");

    let reply = call(&handle, "/pay/unifiedorder", &request).await;

    assert_eq!(reply["result_code"], "SUCCESS");
    assert_eq!(reply["sign"].len(), 64);
    assert!(reply["sign"].bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!reply.contains_key("sign_type"));
    assert_eq!(
        verify(&reply, &ApiKey::new(API_KEY)),
        Ok(SignType::HmacSha256)
    );
}

#[tokio::test]
async fn reentry_returns_same_code_url() {
    let handle = start_default().await;
    let first = create_order(&handle, "REENTER-1", "http://127.0.0.1:9/notify").await;

    // A new nonce and another algorithm are not business fields, so this is a re-entry.
    let again = signed(
        order_fields("REENTER-1", "http://127.0.0.1:9/notify"),
        SignType::HmacSha256,
    );
    let second = call(&handle, "/pay/unifiedorder", &again).await;

    assert_eq!(second["result_code"], "SUCCESS");
    assert_eq!(second["code_url"], first["code_url"]);
    assert_eq!(second["prepay_id"], first["prepay_id"]);
}

#[tokio::test]
async fn reentry_with_changed_fields_refused() {
    let handle = start_default().await;
    create_order(&handle, "REENTER-2", "http://127.0.0.1:9/notify").await;
    let mut changed = order_fields("REENTER-2", "http://127.0.0.1:9/notify");
    changed.insert("total_fee".into(), "1".into());

    let reply = call(
        &handle,
        "/pay/unifiedorder",
        &signed(changed, SignType::Md5),
    )
    .await;

    assert_eq!(reply["result_code"], "FAIL");
    assert!(
        ["INVALID_REQUEST", "OUT_TRADE_NO_USED"].contains(&reply["err_code"].as_str()),
        "{reply:?}"
    );
}

#[tokio::test]
async fn unpaid_order_query_is_notpay() {
    let handle = start_default().await;
    create_order(&handle, "Q-UNPAID", "http://127.0.0.1:9/notify").await;

    let reply = call(&handle, "/pay/orderquery", &by_out_trade_no("Q-UNPAID")).await;

    assert_eq!(reply["result_code"], "SUCCESS");
    assert_eq!(reply["trade_state"], "NOTPAY");
    assert_eq!(reply["trade_state_desc"], "订单未支付");
    assert_eq!(reply["out_trade_no"], "Q-UNPAID");
    assert!(!reply.contains_key("transaction_id"));
    assert!(!reply.contains_key("total_fee"));
}

#[tokio::test]
async fn unknown_order_query_is_ordernotexist() {
    let handle = start_default().await;

    let reply = call(
        &handle,
        "/pay/orderquery",
        &by_out_trade_no("NEVER-CREATED"),
    )
    .await;

    assert_eq!(reply["result_code"], "FAIL");
    assert_eq!(reply["err_code"], "ORDERNOTEXIST");
}

#[tokio::test]
async fn pay_then_orderquery_is_success() {
    let handle = start_default().await;
    create_order(&handle, "PAY-1", &refused_notify_url().await).await;

    let response = http_client()
        .post(format!("{}/sim/orders/PAY-1/pay", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let transaction_id = text
        .split("transaction_id=")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(transaction_id.len(), 28);
    assert!(transaction_id.starts_with("4200"));

    let reply = call(&handle, "/pay/orderquery", &by_out_trade_no("PAY-1")).await;
    assert_eq!(verify(&reply, &ApiKey::new(API_KEY)), Ok(SignType::Md5));
    assert_eq!(reply["trade_state"], "SUCCESS");
    assert_eq!(reply["trade_state_desc"], "支付成功");
    assert_eq!(reply["transaction_id"], transaction_id);
    assert_eq!(reply["total_fee"], "1990");
    assert_eq!(reply["cash_fee"], "1990");
    assert_eq!(reply["fee_type"], "CNY");
    assert_eq!(reply["trade_type"], "NATIVE");
    assert_eq!(reply["attach"], "till=3");
    assert_eq!(reply["time_end"].len(), 14);
    assert!(reply["openid"].starts_with('o'));
    for name in ["is_subscribe", "bank_type", "out_trade_no"] {
        assert!(!reply[name].is_empty(), "{name} is empty");
    }

    let by_transaction_id = signed(
        fields(&[
            ("appid", APPID),
            ("mch_id", MCH_ID),
            ("nonce_str", &new_nonce()),
            ("transaction_id", &transaction_id),
        ]),
        SignType::Md5,
    );
    let reply = call(&handle, "/pay/orderquery", &by_transaction_id).await;
    assert_eq!(reply["out_trade_no"], "PAY-1");

    let again = http_client()
        .post(format!("{}/sim/orders/PAY-1/pay", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let resubmitted = call(
        &handle,
        "/pay/unifiedorder",
        &signed(
            order_fields("PAY-1", "http://127.0.0.1:9/notify"),
            SignType::Md5,
        ),
    )
    .await;
    assert_eq!(resubmitted["err_code"], "ORDERPAID");
}

#[tokio::test]
async fn close_then_pay_is_refused() {
    let handle = start_default().await;
    create_order(&handle, "CLOSE-1", "http://127.0.0.1:9/notify").await;

    let closed = call(&handle, "/pay/closeorder", &by_out_trade_no("CLOSE-1")).await;
    assert_eq!(closed["result_code"], "SUCCESS");
    let closed_again = call(&handle, "/pay/closeorder", &by_out_trade_no("CLOSE-1")).await;
    assert_eq!(closed_again["err_code"], "ORDERCLOSED");

    let response = http_client()
        .post(format!("{}/sim/orders/CLOSE-1/pay", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("CLOSED"));
    assert!(handle.pay("CLOSE-1").is_err());

    let query = call(&handle, "/pay/orderquery", &by_out_trade_no("CLOSE-1")).await;
    assert_eq!(query["trade_state"], "CLOSED");
    let resubmitted = call(
        &handle,
        "/pay/unifiedorder",
        &signed(
            order_fields("CLOSE-1", "http://127.0.0.1:9/notify"),
            SignType::Md5,
        ),
    )
    .await;
    assert_eq!(resubmitted["err_code"], "ORDERCLOSED");
}

#[tokio::test]
async fn closing_unknown_or_paid_order_fails() {
    let handle = start_default().await;
    let unknown = call(&handle, "/pay/closeorder", &by_out_trade_no("CLOSE-NONE")).await;
    assert_eq!(unknown["err_code"], "ORDERNOTEXIST");

    create_order(&handle, "CLOSE-PAID", &refused_notify_url().await).await;
    handle.pay("CLOSE-PAID").unwrap();
    let paid = call(&handle, "/pay/closeorder", &by_out_trade_no("CLOSE-PAID")).await;
    assert_eq!(paid["err_code"], "ORDERPAID");
}

#[tokio::test]
async fn failed_payment_is_payerror_without_notification() {
    let handle = start_default().await;
    create_order(&handle, "FAIL-1", &refused_notify_url().await).await;

    let response = http_client()
        .post(format!("{}/sim/orders/FAIL-1/fail", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let query = call(&handle, "/pay/orderquery", &by_out_trade_no("FAIL-1")).await;
    assert_eq!(query["trade_state"], "PAYERROR");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(handle.notify_attempts("FAIL-1").is_empty());
}

#[tokio::test]
async fn control_api_reports_unknown_and_expired_orders() {
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.code_url_lifetime_secs = 0;
    let handle = start(config).await;
    create_order(&handle, "EXPIRED-1", "http://127.0.0.1:9/notify").await;
    let client = http_client();

    let unknown = client
        .post(format!("{}/sim/orders/NOPE/pay", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let expired = client
        .post(format!("{}/sim/orders/EXPIRED-1/pay", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::CONFLICT);
    assert!(expired.text().await.unwrap().contains("expired"));

    let status = client
        .get(format!("{}/sim/orders/EXPIRED-1", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(status.text().await.unwrap(), "NOTPAY - 0 false\n");
    let query = call(&handle, "/pay/orderquery", &by_out_trade_no("EXPIRED-1")).await;
    assert_eq!(query["trade_state"], "NOTPAY");
}

#[tokio::test]
async fn malformed_requests_get_protocol_fail() {
    let handle = start_default().await;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "POST_DATA_EMPTY"),
        (b"<xml><body>\xff\xfe</body></xml>".to_vec(), "NOT_UTF8"),
        (b"<xml><body>1</body>".to_vec(), "XML_FORMAT_ERROR"),
        (
            b"<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><a>&x;</a></xml>"
                .to_vec(),
            "XML_FORMAT_ERROR",
        ),
    ];
    for (body, expected) in cases {
        let (status, _, reply) = post_body(&handle, "/pay/orderquery", body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(reply["return_code"], "FAIL");
        assert!(reply["return_msg"].starts_with(expected), "{reply:?}");
        assert_eq!(reply.len(), 2, "{reply:?}");
    }

    let response = http_client()
        .get(format!("{}/pay/unifiedorder", handle.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let reply = parse(&response.bytes().await.unwrap()).unwrap();
    assert!(reply["return_msg"].starts_with("REQUIRE_POST_METHOD"));
    assert_eq!(reply.len(), 2);
}

#[tokio::test]
async fn merchant_errors_are_reported() {
    let handle = start_default().await;

    let mut unknown_type = by_out_trade_no("M-1");
    unknown_type.insert("sign_type".into(), "SHA1".into());
    let reply = call(&handle, "/pay/orderquery", &unknown_type).await;
    assert_eq!(reply["return_code"], "FAIL");
    assert!(reply["return_msg"].contains("sign_type"), "{reply:?}");

    let mut unknown_mch = by_out_trade_no("M-1");
    unknown_mch.insert("mch_id".into(), "19999999".into());
    let reply = call(
        &handle,
        "/pay/orderquery",
        &signed(unknown_mch, SignType::Md5),
    )
    .await;
    assert!(
        reply["return_msg"].starts_with("MCHID_NOT_EXIST"),
        "{reply:?}"
    );

    let mut other_appid = by_out_trade_no("M-1");
    other_appid.insert("appid".into(), "wx0000000000000000".into());
    let reply = call(
        &handle,
        "/pay/orderquery",
        &signed(other_appid, SignType::Md5),
    )
    .await;
    assert_eq!(reply["result_code"], "FAIL");
    assert_eq!(reply["err_code"], "APPID_MCHID_NOT_MATCH");
    assert_eq!(verify(&reply, &ApiKey::new(API_KEY)), Ok(SignType::Md5));
}

#[tokio::test]
async fn short_url_accepts_encoded_and_raw_long_url() {
    let handle = start_default().await;
    let long_url = "weixin://wxpay/bizpayurl?sign=ABC&appid=wx2421b1c4370ec43b&mch_id=10000100&product_id=1&time_stamp=1415949957&nonce_str=abc";
    let encoded: String =
        percent_encoding::utf8_percent_encode(long_url, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let base = fields(&[
        ("appid", APPID),
        ("mch_id", MCH_ID),
        ("nonce_str", &new_nonce()),
    ]);

    // Signed over the raw link, sent URL-encoded, as WeChat documents.
    let mut signed_raw = base.clone();
    signed_raw.insert("long_url".into(), long_url.into());
    let mut sent_encoded = signed(signed_raw.clone(), SignType::Md5);
    sent_encoded.insert("long_url".into(), encoded);
    let first = call(&handle, "/tools/shorturl", &sent_encoded).await;

    let second = call(
        &handle,
        "/tools/shorturl",
        &signed(signed_raw, SignType::Md5),
    )
    .await;

    assert_eq!(first["result_code"], "SUCCESS", "{first:?}");
    let token = first["short_url"]
        .strip_prefix("weixin://wxpay/s/")
        .unwrap();
    assert_eq!(token.len(), 7);
    assert_eq!(second["short_url"], first["short_url"]);
}

/// One notification as the receiver saw it.
#[derive(Clone, Debug)]
struct ReceivedNotification {
    content_type: String,
    body: Vec<u8>,
}

/// A notification receiver that replies 500, then `return_code=FAIL`, then SUCCESS.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<ReceivedNotification>>>,
}

impl Receiver {
    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    fn notification(&self, index: usize) -> ReceivedNotification {
        self.received.lock().unwrap()[index].clone()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    let count = {
        let mut received = receiver.received.lock().unwrap();
        received.push(ReceivedNotification {
            content_type: headers[header::CONTENT_TYPE].to_str().unwrap().to_owned(),
            body: body.to_vec(),
        });
        received.len()
    };
    match count {
        1 => (StatusCode::INTERNAL_SERVER_ERROR, "busy".into()),
        2 => (
            StatusCode::OK,
            "<xml><return_code>FAIL</return_code><return_msg>busy</return_msg></xml>".into(),
        ),
        _ => (
            StatusCode::OK,
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>".into(),
        ),
    }
}

async fn start_receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let app = Router::new()
        .route("/notify", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, format!("http://{addr}/notify"))
}

#[tokio::test]
async fn notification_retried_until_acknowledged() {
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.time_scale = 0.001;
    let handle = start(config).await;
    let (receiver, notify_url) = start_receiver().await;
    create_order(&handle, "NOTIFY-1", &notify_url).await;

    let transaction_id = handle.pay("NOTIFY-1").unwrap();
    wait_until(|| handle.notify_attempts("NOTIFY-1").len() >= 3).await;
    // Later offsets are 60 ms and 240 ms at this scale: wait past both.
    tokio::time::sleep(Duration::from_millis(400)).await;

    let attempts = handle.notify_attempts("NOTIFY-1");
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert_eq!(
        attempts[0].outcome,
        NotifyOutcome::ErrorStatus { status: 500 }
    );
    assert!(matches!(
        attempts[1].outcome,
        NotifyOutcome::NotAcknowledged { .. }
    ));
    assert_eq!(attempts[2].outcome, NotifyOutcome::Acknowledged);
    assert!(attempts[1].offset >= Duration::from_millis(15));
    assert!(attempts[2].offset >= Duration::from_millis(30));
    assert_eq!(receiver.count(), 3);

    let received = receiver.notification(2);
    assert_eq!(received.content_type, "text/xml");
    let notification = parse(&received.body).unwrap();
    assert_eq!(
        verify(&notification, &ApiKey::new(API_KEY)),
        Ok(SignType::Md5)
    );
    assert_eq!(notification["sign_type"], "MD5");
    assert_eq!(notification["total_fee"], "1990");
    assert_eq!(notification["cash_fee"], "1990");
    assert_eq!(notification["out_trade_no"], "NOTIFY-1");
    assert_eq!(notification["transaction_id"], transaction_id);
    assert_eq!(notification["result_code"], "SUCCESS");
    assert_eq!(notification["attach"], "till=3");
    for name in [
        "appid",
        "mch_id",
        "nonce_str",
        "openid",
        "is_subscribe",
        "trade_type",
        "bank_type",
        "fee_type",
        "time_end",
    ] {
        assert!(!notification[name].is_empty(), "{name} is empty");
    }

    let status = http_client()
        .get(format!("{}/sim/orders/NOTIFY-1", handle.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, format!("SUCCESS {transaction_id} 3 true\n"));
}

#[tokio::test]
async fn hmac_order_notification_omits_sign_type() {
    let mut config = SimulatorConfig::new(vec![merchant(SignType::HmacSha256)]);
    config.time_scale = 0.001;
    let handle = start(config).await;
    let (receiver, notify_url) = start_receiver().await;
    let request = signed(
        order_fields("NOTIFY-HMAC", &notify_url),
        SignType::HmacSha256,
    );
    let reply = call(&handle, "/pay/unifiedorder", &request).await;
    assert_eq!(reply["result_code"], "SUCCESS");

    handle.pay("NOTIFY-HMAC").unwrap();
    wait_until(|| receiver.count() >= 1).await;

    let notification = parse(&receiver.notification(0).body).unwrap();
    assert!(!notification.contains_key("sign_type"));
    assert_eq!(notification["sign"].len(), 64);
    assert_eq!(
        verify(&notification, &ApiKey::new(API_KEY)),
        Ok(SignType::HmacSha256)
    );
}

#[tokio::test]
async fn unacknowledged_notification_follows_schedule() {
    // At this scale the whole 24 h schedule takes about 1.7 s.
    const TIME_SCALE: f64 = 0.00002;
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.time_scale = TIME_SCALE;
    let handle = start(config).await;
    create_order(&handle, "SCHEDULE-1", &refused_notify_url().await).await;
    let expected_attempts = DEFAULT_NOTIFY_RETRY_OFFSETS_SECS.len() + 1;

    handle.pay("SCHEDULE-1").unwrap();
    wait_until(|| handle.notify_attempts("SCHEDULE-1").len() == expected_attempts).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let attempts = handle.notify_attempts("SCHEDULE-1");
    assert_eq!(attempts.len(), expected_attempts);
    let scheduled = std::iter::once(0).chain(DEFAULT_NOTIFY_RETRY_OFFSETS_SECS);
    for (attempt, offset_secs) in attempts.iter().zip(scheduled) {
        let due = Duration::from_secs_f64(offset_secs as f64 * TIME_SCALE);
        assert!(
            attempt.offset >= due,
            "attempt {} at {:?}, due {due:?}",
            attempt.number,
            attempt.offset
        );
        assert!(
            matches!(
                attempt.outcome,
                NotifyOutcome::RequestFailed { .. } | NotifyOutcome::TimedOut
            ),
            "{:?}",
            attempt.outcome
        );
    }
}

#[tokio::test]
async fn shutdown_stops_notification_delivery() {
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.notify_retry_offsets_secs = vec![1];
    let handle = start(config).await;
    create_order(&handle, "STOP-1", &refused_notify_url().await).await;
    let state = handle.state().clone();

    handle.pay("STOP-1").unwrap();
    wait_until(|| !state.notify_attempts("STOP-1").is_empty()).await;
    handle.shutdown().await;
    // The retry was due 1 s after the first attempt.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    assert_eq!(state.notify_attempts("STOP-1").len(), 1);
}

#[tokio::test]
async fn state_file_keeps_orders_and_short_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.json");
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.state_file = Some(path.clone());

    let first = start(config.clone()).await;
    assert!(first.state().is_persistent());
    let created = create_order(&first, "KEEP-1", &refused_notify_url().await).await;
    let transaction_id = first.pay("KEEP-1").unwrap();
    let long_url = created["code_url"].clone();
    let short_request = signed(
        fields(&[
            ("appid", APPID),
            ("mch_id", MCH_ID),
            ("nonce_str", &new_nonce()),
            ("long_url", &long_url),
        ]),
        SignType::Md5,
    );
    let short_url = call(&first, "/tools/shorturl", &short_request).await["short_url"].clone();

    // A second simulator on the same file while the first runs loads the trades but does not
    // write the file. The first one's saver writes within 200 ms of a change; saving now
    // makes the second start from the current trades.
    first.state().save_if_changed();
    let second = start(config.clone()).await;
    assert!(!second.state().is_persistent());
    let reply = call(&second, "/pay/orderquery", &by_out_trade_no("KEEP-1")).await;
    assert_eq!(reply["trade_state"], "SUCCESS");
    drop(second);
    first.shutdown().await;

    let restarted = start(config).await;
    assert!(restarted.state().is_persistent());
    let reply = call(&restarted, "/pay/orderquery", &by_out_trade_no("KEEP-1")).await;
    assert_eq!(verify(&reply, &ApiKey::new(API_KEY)), Ok(SignType::Md5));
    assert_eq!(reply["trade_state"], "SUCCESS");
    assert_eq!(reply["transaction_id"], transaction_id);
    assert_eq!(reply["total_fee"], "1990");
    let again = call(&restarted, "/tools/shorturl", &short_request).await;
    assert_eq!(again["short_url"], short_url);
    let resubmitted = call(
        &restarted,
        "/pay/unifiedorder",
        &signed(
            order_fields("KEEP-1", "http://127.0.0.1:9/notify"),
            SignType::Md5,
        ),
    )
    .await;
    assert_eq!(resubmitted["err_code"], "ORDERPAID");
}

#[tokio::test]
async fn unreadable_state_file_is_set_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gateway.json");
    std::fs::write(&path, b"{ not json").unwrap();
    let mut config = SimulatorConfig::new(vec![merchant(SignType::Md5)]);
    config.state_file = Some(path.clone());

    let handle = start(config).await;
    assert!(handle.state().is_persistent());
    let reply = call(&handle, "/pay/orderquery", &by_out_trade_no("KEEP-1")).await;
    assert_eq!(reply["err_code"], "ORDERNOTEXIST");
    assert_eq!(
        std::fs::read(dir.path().join("gateway.json.unreadable")).unwrap(),
        b"{ not json"
    );

    create_order(&handle, "NEW-1", &refused_notify_url().await).await;
    handle.shutdown().await;
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("NEW-1"), "{saved}");
}
