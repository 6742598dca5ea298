//! downloadbill over real sockets: the gateway client against the simulator, for plain and
//! GZIP bills in both layouts, and for each documented error reply.

mod common;

use chrono::{NaiveDate, TimeDelta, Utc};
use common::{TEST_API_KEY, test_merchant};
use wxpay_pos::gateway::{BillDownloadError, ClientTimeouts, GatewayClient, read_bill_reply};
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::bill::{BillFailure, BillType, TarType};
use wxpay_pos::protocol::bill_parse::{BillLayout, parse_bill};
use wxpay_pos::protocol::messages::{
    UnifiedOrderRequest, format_protocol_time, parse_protocol_time,
};
use wxpay_pos::protocol::{ApiKey, Params, SignType, new_nonce, sign, xml};
use wxpay_pos::simulator::{self, BillRefund, SimulatorConfig, SimulatorHandle, bill_day};

async fn start() -> (SimulatorHandle, GatewayClient) {
    let merchant = test_merchant(SignType::Md5);
    let simulator = simulator::serve(
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        SimulatorConfig::new(vec![merchant.clone()]),
    )
    .await
    .unwrap();
    let client =
        GatewayClient::new(&simulator.base_url(), merchant, ClientTimeouts::default()).unwrap();
    (simulator, client)
}

/// Creates and pays an order; returns its Beijing bill day.
async fn paid_order(
    simulator: &SimulatorHandle,
    client: &GatewayClient,
    out_trade_no: &str,
    total_fee: i64,
) -> NaiveDate {
    create_order(client, out_trade_no, total_fee).await;
    simulator.pay(out_trade_no).unwrap();
    let reply = client.order_query(out_trade_no).await.unwrap();
    bill_day(parse_protocol_time(reply.time_end.as_deref().unwrap()).unwrap())
}

async fn create_order(client: &GatewayClient, out_trade_no: &str, total_fee: i64) {
    let now = Utc::now();
    let request = UnifiedOrderRequest {
        body: "奶茶, 大杯".into(),
        out_trade_no: out_trade_no.into(),
        total_fee: Fen(total_fee),
        spbill_create_ip: "127.0.0.1".into(),
        // Nothing listens here; the notifications fail and are retried on WeChat's slow
        // schedule, which does not matter to bills.
        notify_url: "http://127.0.0.1:9/notify".into(),
        product_id: "1".into(),
        time_start: format_protocol_time(now),
        time_expire: format_protocol_time(now + TimeDelta::minutes(30)),
        device_info: "POS01".into(),
    };
    client.unified_order(&request, &new_nonce()).await.unwrap();
}

fn rejected(err: BillDownloadError) -> (BillFailure, Option<String>) {
    match err {
        BillDownloadError::Rejected {
            failure,
            error_code,
            ..
        } => (failure, error_code),
        other => panic!("expected an error reply, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_and_gzip_bills_list_paid_orders() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "BILL1", 1990).await;
    paid_order(&simulator, &client, "BILL2", 600).await;
    create_order(&client, "UNPAID1", 100).await;

    let plain = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap();
    let gzip = client
        .download_bill(day, BillType::All, Some(TarType::Gzip))
        .await
        .unwrap();
    assert_eq!(plain, gzip);

    let bill = parse_bill(&plain).unwrap();
    assert_eq!(bill.layout, BillLayout::Current);
    let mut numbers: Vec<&str> = bill
        .rows
        .iter()
        .map(|row| row.out_trade_no.as_str())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ["BILL1", "BILL2"]);
    assert_eq!(bill.summary.settlement_total_fee, Fen(2590));
    assert!(bill.rows.iter().all(|row| row.device_info == "POS01"));
    assert!(bill.rows.iter().all(|row| row.body == "奶茶, 大杯"));

    let success = client
        .download_bill(day, BillType::Success, None)
        .await
        .unwrap();
    assert_eq!(parse_bill(&success).unwrap().rows.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_layout_is_rendered_on_request() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "OLD1", 1250).await;
    simulator.state().set_bill_layout(BillLayout::Legacy);

    let text = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap();
    assert_eq!(text.lines().next().unwrap().split(',').count(), 24);
    let bill = parse_bill(&text).unwrap();
    assert_eq!(bill.layout, BillLayout::Legacy);
    assert_eq!(bill.rows[0].total_fee, Fen(1250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn day_without_trades_has_no_bill() {
    let (simulator, client) = start().await;
    paid_order(&simulator, &client, "TODAY1", 100).await;
    let quiet_day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();

    let err = client
        .download_bill(quiet_day, BillType::All, None)
        .await
        .unwrap_err();
    assert_eq!(err.failure(), Some(&BillFailure::NoBillExist));
    assert_eq!(
        rejected(err),
        (BillFailure::NoBillExist, Some("20002".to_owned()))
    );

    let gzip_err = client
        .download_bill(quiet_day, BillType::All, Some(TarType::Gzip))
        .await
        .unwrap_err();
    assert_eq!(gzip_err.failure(), Some(&BillFailure::NoBillExist));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bill_creating_is_reported_until_ready() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "SOON1", 100).await;

    simulator.state().set_bill_creating(day, true);
    let err = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap_err();
    assert_eq!(rejected(err).0, BillFailure::BillCreating);

    simulator.state().set_bill_creating(day, false);
    let text = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap();
    assert_eq!(parse_bill(&text).unwrap().rows.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_api_key_gets_sign_error() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "SIGN1", 100).await;
    let mut wrong = test_merchant(SignType::Md5);
    wrong.api_key = ApiKey::new("00000000000000000000000000000000");
    let wrong_client =
        GatewayClient::new(&simulator.base_url(), wrong, ClientTimeouts::default()).unwrap();

    let err = wrong_client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap_err();
    assert_eq!(rejected(err).0, BillFailure::SignError);
}

/// Posts a downloadbill request with exactly `fields` (plus identity and signature).
async fn raw_request(simulator: &SimulatorHandle, fields: &[(&str, &str)]) -> Vec<u8> {
    let merchant = test_merchant(SignType::Md5);
    let mut params = Params::new();
    params.insert("appid".into(), merchant.appid.clone());
    params.insert("mch_id".into(), merchant.mch_id.clone());
    params.insert("nonce_str".into(), new_nonce());
    for (name, value) in fields {
        params.insert((*name).into(), (*value).into());
    }
    sign::sign_in_place(&mut params, &ApiKey::new(TEST_API_KEY), SignType::Md5);
    reqwest::Client::new()
        .post(format!("{}/pay/downloadbill", simulator.base_url()))
        .body(xml::to_xml(&params))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_parameters_get_documented_errors() {
    let (simulator, _client) = start().await;
    let cases: [(&[(&str, &str)], BillFailure); 4] = [
        (
            &[("bill_date", "20261204"), ("bill_type", "EVERYTHING")],
            BillFailure::InvalidBillType,
        ),
        (&[("bill_type", "ALL")], BillFailure::MissingParameter),
        (&[("bill_date", "2026-12-04")], BillFailure::DataFormatError),
        (
            &[("bill_date", "20261204"), ("tar_type", "ZIP")],
            BillFailure::DataFormatError,
        ),
    ];
    for (fields, expected) in cases {
        let body = raw_request(&simulator, fields).await;
        let err = read_bill_reply(body, None).unwrap_err();
        assert_eq!(rejected(err).0, expected, "{fields:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_refunds_appear_in_refund_and_all_bills() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "REF1", 1000).await;
    let transaction_id = client
        .order_query("REF1")
        .await
        .unwrap()
        .transaction_id
        .unwrap();
    let merchant = test_merchant(SignType::Md5);
    let now = Utc::now();
    simulator.state().add_bill_refund(BillRefund {
        appid: merchant.appid.clone(),
        mch_id: merchant.mch_id.clone(),
        device_info: "POS01".into(),
        transaction_id,
        out_trade_no: "REF1".into(),
        openid: String::new(),
        refund_id: "50000000000000000000000000001".into(),
        out_refund_no: "RF1".into(),
        refund_fee: Fen(300),
        refund_status: "SUCCESS".into(),
        requested_at: now,
        succeeded_at: Some(now),
        body: "奶茶".into(),
        attach: String::new(),
    });

    let refunds = client
        .download_bill(day, BillType::Refund, None)
        .await
        .unwrap();
    let refund_bill = parse_bill(&refunds).unwrap();
    assert_eq!(refund_bill.rows.len(), 1);
    assert_eq!(refund_bill.rows[0].out_refund_no, "RF1");
    assert_eq!(refund_bill.rows[0].refund_fee, Fen(300));

    let all = parse_bill(
        &client
            .download_bill(day, BillType::All, None)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(all.rows.len(), 2);
    assert_eq!(all.summary.settlement_refund_fee, Fen(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_routes_switch_creating_and_layout() {
    let (simulator, client) = start().await;
    let day = paid_order(&simulator, &client, "CTRL1", 100).await;
    let http = reqwest::Client::new();
    let creating_url = format!(
        "{}/sim/bills/{}/creating",
        simulator.base_url(),
        day.format("%Y%m%d")
    );

    let on = http.post(&creating_url).send().await.unwrap();
    assert_eq!(on.status(), 200);
    let err = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap_err();
    assert_eq!(rejected(err).0, BillFailure::BillCreating);

    let off = http.delete(&creating_url).send().await.unwrap();
    assert_eq!(off.status(), 200);
    let legacy = http
        .post(format!("{}/sim/bill-layout/legacy", simulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200);
    let text = client
        .download_bill(day, BillType::All, None)
        .await
        .unwrap();
    assert_eq!(parse_bill(&text).unwrap().layout, BillLayout::Legacy);

    let bad_date = http
        .post(format!(
            "{}/sim/bills/2026-12-04/creating",
            simulator.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_date.status(), 400);
    let bad_layout = http
        .post(format!("{}/sim/bill-layout/newest", simulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_layout.status(), 400);
}
