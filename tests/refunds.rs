//! Refunds end to end: the simulator's refund port over real mutual TLS on 127.0.0.1, the
//! payment service with a SQLite file in a temporary folder, and the listener receiving
//! refund notifications.

mod common;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use wxpay_pos::gateway::refund::{ClientCertificate, REFUND_PATH, RefundClient, SecureApiSettings};
use wxpay_pos::gateway::{ClientTimeouts, GatewayClient};
use wxpay_pos::listener::{self, ListenerHandle, NOTIFY_PATH, REFUND_NOTIFY_PATH};
use wxpay_pos::money::Fen;
use wxpay_pos::orders::{PaymentService, REFUND_ATTEMPTS, RefundError, ServiceOptions};
use wxpay_pos::protocol::refund::{RefundRequest, RefundStatus};
use wxpay_pos::protocol::refund_notify::{
    RefundNotification, decrypt_req_info, encrypt_req_info, parse_refund_notification,
    refund_notification_body,
};
use wxpay_pos::protocol::{ApiKey, SignType, messages::sign_request, xml};
use wxpay_pos::simulator::{
    self, Fault, FaultTarget, SecapiHandle, SimulatorConfig, SimulatorHandle, SimulatorTls,
};
use wxpay_pos::store::{OrderState, RefundRequestError, RefundState, Store};

use common::{TEST_API_KEY, eventually, test_merchant};

/// Test vector K of the protocol reference: `req_info` for the test API key.
const VECTOR_REQ_INFO: &str = "WBzGpzQuNpcFxIlFjUUD9CdH4BF3YHmtiHaWV8j0mqCNbSzW5nfLV3s3E+6agRcwVvN+DsnfmikVOoPrRqIQIANmQIvICWT33WpZkn5GdOpG2riw4f1RLae1nrlkLGNeZyuzrHt4JjRAQXnnzrEFfum8gaxlPlOkwglw67JGiccG/TW5uT+5EcZJo/gvffl2SiCiyzSEQ7wVTe2nw+JdiCyh0dv8MPgMqVLeIkI0QHDWm5LIu8dev6wgN+1sueykSNtisTnl32euNsIVnFgftnqy3Y8umGtCkSFcg2tI5v62IzQSWrPCbu4+sGU/tt2adBaTK88XeF16kSxI6KSuVKtjRsv0pw+ObWoeoFkq0ZOQxT/VHMlkWRbi3gfUuHD80aJs3niSt5tdbnnuVJaZvJKs1YRt1hxsj2UUaN6JlB0JEE30dQEWAh/8dWwIyRPc";
const VECTOR_PLAINTEXT: &str = "<root><out_refund_no>R1</out_refund_no><out_trade_no>T1</out_trade_no><refund_fee>100</refund_fee><refund_id>50000408942018111907145868882</refund_id><refund_status>SUCCESS</refund_status><success_time>2018-11-19 16:24:13</success_time><total_fee>100</total_fee><transaction_id>4200000215201811190261405420</transaction_id></root>";

struct RefundStack {
    _dir: tempfile::TempDir,
    simulator: SimulatorHandle,
    secapi: SecapiHandle,
    tls: SimulatorTls,
    listener: ListenerHandle,
    service: Arc<PaymentService>,
}

/// Starts the simulator with its TLS port, and a service whose refund client loads the
/// simulator's PKCS#12 client certificate from disk. `refund_notify` sends the listener's
/// refund URL with each refund.
async fn start(refund_notify: bool, timeouts: ClientTimeouts) -> RefundStack {
    let merchant = test_merchant(SignType::Md5);
    let mut config = SimulatorConfig::new(vec![merchant.clone()]);
    config.time_scale = 0.001;
    let simulator = simulator::serve(TcpListener::bind("127.0.0.1:0").await.unwrap(), config)
        .await
        .unwrap();
    let tls = SimulatorTls::generate(&merchant.mch_id).unwrap();
    let secapi = simulator::serve_secapi(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        simulator.state().clone(),
        &tls,
    )
    .await
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let files = tls.write_files(&dir.path().join("tls")).unwrap();
    let secure = SecureApiSettings {
        secapi_url: secapi.base_url(),
        certificate: ClientCertificate::Pkcs12 {
            path: files.client_p12,
        },
        ca_pem: Some(files.ca_pem),
    };
    let refund_client = RefundClient::new(&secure, merchant.clone(), timeouts).unwrap();

    let store = Store::open(&dir.path().join("pos.sqlite3")).unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    let gateway = GatewayClient::new(&simulator.base_url(), merchant, timeouts).unwrap();
    let mut options = ServiceOptions::new(
        format!("http://{addr}{NOTIFY_PATH}"),
        dir.path().join("receipts"),
    );
    options.write_receipts = false;
    if refund_notify {
        options.refund_notify_url = format!("http://{addr}{REFUND_NOTIFY_PATH}");
    }
    let service =
        PaymentService::with_refund_gateway(store, gateway, Some(refund_client), options).unwrap();
    let listener = listener::serve(tcp, Arc::clone(&service)).unwrap();
    RefundStack {
        _dir: dir,
        simulator,
        secapi,
        tls,
        listener,
        service,
    }
}

/// Creates an order for `fen`, pays it on the simulator and waits until it is paid here.
async fn paid_order(stack: &RefundStack, fen: i64) -> String {
    let order = stack.service.charge(Fen(fen), "退款测试").await.unwrap();
    stack.simulator.pay(&order.out_trade_no).unwrap();
    let service = Arc::clone(&stack.service);
    let out_trade_no = order.out_trade_no.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let state = service.order(&out_trade_no).await.unwrap().unwrap().state;
        if state == OrderState::Paid {
            return out_trade_no;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "order stayed {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn order_state(stack: &RefundStack, out_trade_no: &str) -> OrderState {
    stack
        .service
        .order(out_trade_no)
        .await
        .unwrap()
        .unwrap()
        .state
}

fn simulated_refund_count(stack: &RefundStack, out_trade_no: &str) -> usize {
    stack
        .simulator
        .state()
        .refunds()
        .iter()
        .filter(|refund| refund.out_trade_no == out_trade_no)
        .count()
}

#[test]
fn req_info_vector_decrypts_and_encrypts() {
    let key = ApiKey::new(TEST_API_KEY);
    assert_eq!(
        decrypt_req_info(VECTOR_REQ_INFO, &key).unwrap(),
        VECTOR_PLAINTEXT
    );
    // ECB has no IV, so encryption is deterministic and must give the vector back.
    assert_eq!(encrypt_req_info(VECTOR_PLAINTEXT, &key), VECTOR_REQ_INFO);

    let merchant = test_merchant(SignType::Md5);
    let body = format!(
        "<xml><return_code>SUCCESS</return_code><appid>{}</appid><mch_id>{}</mch_id><nonce_str>n</nonce_str><req_info><![CDATA[{VECTOR_REQ_INFO}]]></req_info></xml>",
        merchant.appid, merchant.mch_id
    );
    let notification = parse_refund_notification(body.as_bytes(), &merchant).unwrap();
    assert_eq!(notification.out_refund_no, "R1");
    assert_eq!(notification.out_trade_no, "T1");
    assert_eq!(notification.refund_fee, Fen(100));
    assert_eq!(notification.refund_id, "50000408942018111907145868882");
    assert_eq!(notification.refund_status, RefundStatus::Success);
    assert_eq!(
        notification.success_time.as_deref(),
        Some("2018-11-19 16:24:13")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_then_full_refund_over_mutual_tls() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;

    let first = stack
        .service
        .refund(&out_trade_no, Fen(300), "少找零")
        .await
        .unwrap();
    assert_eq!(first.state, RefundState::Success);
    assert!(first.refund_id.is_some());
    assert!(first.success_time.is_some());
    assert_eq!(
        order_state(&stack, &out_trade_no).await,
        OrderState::PartlyRefunded
    );

    let second = stack
        .service
        .refund(&out_trade_no, Fen(700), "顾客退货")
        .await
        .unwrap();
    assert_eq!(second.state, RefundState::Success);
    assert_ne!(first.out_refund_no, second.out_refund_no);
    assert_eq!(
        order_state(&stack, &out_trade_no).await,
        OrderState::Refunded
    );

    let simulated = stack.simulator.state().refunds();
    assert_eq!(simulated.len(), 2);
    assert_eq!(simulated[0].refund_fee, Fen(300));
    assert_eq!(simulated[1].refund_fee, Fen(700));
    assert_eq!(simulated[0].out_refund_no, first.out_refund_no);

    // Cumulative over-refund: nothing is left, so even 0.01 is refused and nothing is written.
    let err = stack
        .service
        .refund(&out_trade_no, Fen(1), "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RefundError::Request(RefundRequestError::NotRefundable { .. })
        ),
        "{err}"
    );
    assert_eq!(
        stack
            .service
            .refunds_for(&out_trade_no)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cumulative_over_refund_is_refused() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;
    stack
        .service
        .refund(&out_trade_no, Fen(600), "")
        .await
        .unwrap();

    let err = stack
        .service
        .refund(&out_trade_no, Fen(401), "")
        .await
        .unwrap_err();
    match &err {
        RefundError::Request(RefundRequestError::OverRefund { available, .. }) => {
            assert_eq!(*available, Fen(400));
        }
        other => panic!("expected an over-refund, got {other}"),
    }
    assert_eq!(
        stack
            .service
            .refunds_for(&out_trade_no)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_over_refund_is_refused_before_the_gateway() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;

    let err = stack
        .service
        .refund(&out_trade_no, Fen(1001), "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RefundError::Request(RefundRequestError::OverRefund { .. })
        ),
        "{err}"
    );
    assert!(
        stack
            .service
            .refunds_for(&out_trade_no)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 0);
    assert_eq!(order_state(&stack, &out_trade_no).await, OrderState::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refunds_over_total_let_exactly_one_through() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;

    let (first, second) = tokio::join!(
        stack.service.refund(&out_trade_no, Fen(600), "柜台一"),
        stack.service.refund(&out_trade_no, Fen(600), "柜台二"),
    );
    let succeeded = [&first, &second]
        .iter()
        .filter(|result| result.is_ok())
        .count();
    assert_eq!(succeeded, 1, "{first:?} / {second:?}");
    let refused = [first, second].into_iter().find_map(Result::err).unwrap();
    assert!(
        matches!(
            refused,
            RefundError::Request(RefundRequestError::OverRefund { .. })
        ),
        "{refused}"
    );
    assert_eq!(
        stack
            .service
            .refunds_for(&out_trade_no)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);
}

/// Posts a correctly signed refund request with `client`, returning whether any reply came.
async fn post_refund_with(
    client: &reqwest::Client,
    stack: &RefundStack,
    out_trade_no: &str,
) -> bool {
    let merchant = test_merchant(SignType::Md5);
    let request = RefundRequest {
        out_trade_no: out_trade_no.to_owned(),
        out_refund_no: "RNOCERT1".into(),
        total_fee: Fen(1000),
        refund_fee: Fen(100),
        refund_desc: String::new(),
        notify_url: String::new(),
    };
    let mut params = request.to_params(&merchant, "nonce");
    sign_request(&mut params, &merchant);
    client
        .post(format!("{}{REFUND_PATH}", stack.secapi.base_url()))
        .body(xml::to_xml(&params))
        .send()
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_without_right_certificate_is_refused() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;
    wxpay_pos::gateway::install_crypto_provider();
    let ca = reqwest::Certificate::from_pem(stack.tls.ca_cert_pem.as_bytes()).unwrap();

    let no_certificate = reqwest::Client::builder()
        .tls_certs_only([ca.clone()])
        .build()
        .unwrap();
    assert!(!post_refund_with(&no_certificate, &stack, &out_trade_no).await);

    // A certificate from another CA, for the same mch_id, is refused as well.
    let other = SimulatorTls::generate("10000100").unwrap();
    let identity = reqwest::Identity::from_pem(
        format!("{}{}", other.client_key_pem, other.client_cert_pem).as_bytes(),
    )
    .unwrap();
    let wrong_certificate = reqwest::Client::builder()
        .tls_certs_only([ca.clone()])
        .identity(identity)
        .build()
        .unwrap();
    assert!(!post_refund_with(&wrong_certificate, &stack, &out_trade_no).await);
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 0);

    // The same request with the merchant's certificate goes through, so the refusals above
    // came from the certificate check.
    let identity = reqwest::Identity::from_pem(
        format!("{}{}", stack.tls.client_key_pem, stack.tls.client_cert_pem).as_bytes(),
    )
    .unwrap();
    let right_certificate = reqwest::Client::builder()
        .tls_certs_only([ca])
        .identity(identity)
        .build()
        .unwrap();
    assert!(post_refund_with(&right_certificate, &stack, &out_trade_no).await);
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn systemerror_and_timeout_are_retried_and_counted_once() {
    let timeouts = ClientTimeouts {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_millis(800),
    };
    let stack = start(false, timeouts).await;
    let out_trade_no = paid_order(&stack, 1000).await;

    stack
        .simulator
        .inject_fault(FaultTarget::Refund, Fault::SystemError);
    let record = stack
        .service
        .refund(&out_trade_no, Fen(250), "")
        .await
        .unwrap();
    assert_eq!(record.state, RefundState::Success);
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);

    // The gateway handles the slow attempt after the client gave up. The retry with the
    // same out_refund_no gets the same refund back instead of a second one.
    stack.simulator.inject_fault(
        FaultTarget::Refund,
        Fault::Delay(Duration::from_millis(1500)),
    );
    let record = stack
        .service
        .refund(&out_trade_no, Fen(250), "")
        .await
        .unwrap();
    assert_eq!(record.state, RefundState::Success);
    let simulated = stack.simulator.state().refunds();
    let matching: Vec<_> = simulated
        .iter()
        .filter(|refund| refund.out_refund_no == record.out_refund_no)
        .collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(
        record.refund_id.as_deref(),
        Some(matching[0].refund_id.as_str())
    );
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 2);
    assert_eq!(
        stack
            .service
            .refunds_for(&out_trade_no)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refundquery_settles_a_refund_whose_replies_were_lost() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;
    for _ in 0..REFUND_ATTEMPTS {
        stack
            .simulator
            .inject_fault(FaultTarget::Refund, Fault::DropAfterHandling);
    }

    let err = stack
        .service
        .refund(&out_trade_no, Fen(800), "")
        .await
        .unwrap_err();
    let RefundError::OutcomeUnknown { out_refund_no, .. } = &err else {
        panic!("expected an unknown outcome, got {err}");
    };
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);
    let stored = stack.service.refunds_for(&out_trade_no).await.unwrap();
    assert_eq!(stored[0].state, RefundState::Requested);

    // The unsettled refund keeps its amount reserved.
    let err = stack
        .service
        .refund(&out_trade_no, Fen(300), "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RefundError::Request(RefundRequestError::OverRefund { .. })
        ),
        "{err}"
    );

    let refunds = stack.service.refund_query(out_refund_no).await.unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].state, RefundState::Success);
    assert!(refunds[0].refund_id.is_some());
    assert_eq!(
        order_state(&stack, &out_trade_no).await,
        OrderState::PartlyRefunded
    );
    // Querying again by the order changes nothing.
    let again = stack.service.refund_query(&out_trade_no).await.unwrap();
    assert_eq!(again, refunds);
}

async fn post(url: &str, body: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "text/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_notifications_valid_forged_and_duplicate() {
    let stack = start(true, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;
    // The refundquery after the reply fails, so the simulator's notification is what can
    // settle the refund (unless it arrives before the reply is processed).
    stack
        .simulator
        .inject_fault(FaultTarget::RefundQuery, Fault::SystemError);
    let record = stack
        .service
        .refund(&out_trade_no, Fen(400), "")
        .await
        .unwrap();

    let service = Arc::clone(&stack.service);
    let settled = {
        let out_trade_no = out_trade_no.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let refunds = service.refunds_for(&out_trade_no).await.unwrap();
            if refunds[0].state == RefundState::Success {
                break refunds;
            }
            assert!(tokio::time::Instant::now() < deadline, "refund not settled");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    assert_eq!(settled[0].out_refund_no, record.out_refund_no);
    assert_eq!(
        order_state(&stack, &out_trade_no).await,
        OrderState::PartlyRefunded
    );
    let acknowledged = eventually("the refund notification acknowledged", || {
        let refunds = stack.simulator.state().refunds();
        let attempts = &refunds[0].notify_attempts;
        attempts
            .last()
            .filter(|attempt| attempt.outcome.is_acknowledged())
            .map(|_| attempts.len())
    })
    .await;
    assert_eq!(acknowledged, 1);
    let verdicts = stack
        .service
        .store()
        .notification_verdicts(&out_trade_no)
        .unwrap();
    assert_eq!(verdicts.last().map(String::as_str), Some("accepted"));

    // A duplicate of the genuine notification is acknowledged and changes nothing.
    let simulated = stack.simulator.state().refunds()[0].clone();
    let merchant = test_merchant(SignType::Md5);
    let genuine = RefundNotification {
        transaction_id: simulated.transaction_id.clone(),
        out_trade_no: out_trade_no.clone(),
        refund_id: simulated.refund_id.clone(),
        out_refund_no: simulated.out_refund_no.clone(),
        total_fee: Fen(1000),
        refund_fee: Fen(400),
        refund_status: RefundStatus::Success,
        success_time: simulated.success_time.clone(),
    };
    let url = stack.listener.refund_notify_url();
    let (status, reply) = post(&url, refund_notification_body(&genuine, &merchant)).await;
    assert_eq!(status, 200);
    assert!(
        reply.contains("<return_code><![CDATA[SUCCESS]]></return_code>"),
        "{reply}"
    );

    // Forged: encrypted with another key. Rejected with FAIL, nothing changes.
    let mut forger = merchant.clone();
    forger.api_key = ApiKey::new("ffffffffffffffffffffffffffffffff");
    let mut forged_bigger = genuine.clone();
    forged_bigger.refund_fee = Fen(600);
    let (_, reply) = post(&url, refund_notification_body(&forged_bigger, &forger)).await;
    assert!(
        reply.contains("<return_code><![CDATA[FAIL]]></return_code>"),
        "{reply}"
    );

    // Genuine key but a refund this shop never made: rejected.
    let mut unknown = genuine.clone();
    unknown.out_refund_no = "RNOTMINE1".into();
    let (_, reply) = post(&url, refund_notification_body(&unknown, &merchant)).await;
    assert!(reply.contains("FAIL"), "{reply}");

    // Hardening: DOCTYPE bodies and non-POST requests are rejected.
    let doctype = "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><req_info>&x;</req_info></xml>";
    let (_, reply) = post(&url, doctype.to_owned()).await;
    assert!(reply.contains("FAIL"), "{reply}");
    let get = reqwest::get(&url).await.unwrap();
    assert_eq!(get.status().as_u16(), 405);

    let verdicts = stack
        .service
        .store()
        .notification_verdicts(&out_trade_no)
        .unwrap();
    assert_eq!(
        verdicts
            .iter()
            .filter(|verdict| *verdict == "duplicate")
            .count(),
        1,
        "{verdicts:?}"
    );
    assert!(
        verdicts.iter().any(|verdict| verdict == "rejected"),
        "{verdicts:?}"
    );

    // Counted once: exactly 600 fen remain refundable.
    let refunds = stack.service.refunds_for(&out_trade_no).await.unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].refund_fee, Fen(400));
    let err = stack
        .service
        .refund(&out_trade_no, Fen(601), "")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RefundError::Request(RefundRequestError::OverRefund { .. })
        ),
        "{err}"
    );
    stack
        .service
        .refund(&out_trade_no, Fen(600), "")
        .await
        .unwrap();
    assert_eq!(
        order_state(&stack, &out_trade_no).await,
        OrderState::Refunded
    );
}

/// Builds a refund client for the stack's merchant from the simulator's PEM files in memory.
fn direct_client(stack: &RefundStack) -> RefundClient {
    let identity = reqwest::Identity::from_pem(
        format!("{}{}", stack.tls.client_key_pem, stack.tls.client_cert_pem).as_bytes(),
    )
    .unwrap();
    let ca = reqwest::Certificate::from_pem(stack.tls.ca_cert_pem.as_bytes()).unwrap();
    RefundClient::with_identity(
        &stack.secapi.base_url(),
        test_merchant(SignType::Md5),
        ClientTimeouts::default(),
        identity,
        Some(ca),
    )
    .unwrap()
}

fn refund_request(out_trade_no: &str, out_refund_no: &str, refund_fen: i64) -> RefundRequest {
    RefundRequest {
        out_trade_no: out_trade_no.to_owned(),
        out_refund_no: out_refund_no.to_owned(),
        total_fee: Fen(1000),
        refund_fee: Fen(refund_fen),
        refund_desc: String::new(),
        notify_url: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_applies_wechat_refund_rules() {
    let stack = start(false, ClientTimeouts::default()).await;
    let out_trade_no = paid_order(&stack, 1000).await;
    let client = direct_client(&stack);

    let unknown = client
        .refund(&refund_request("NOSUCHORDER", "RA1", 100), "n1")
        .await
        .unwrap_err();
    assert_eq!(unknown.err_code(), Some("ORDERNOTEXIST"));

    let first = client
        .refund(&refund_request(&out_trade_no, "RA1", 600), "n2")
        .await
        .unwrap();
    let retried = client
        .refund(&refund_request(&out_trade_no, "RA1", 600), "n3")
        .await
        .unwrap();
    assert_eq!(first.refund_id, retried.refund_id);
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);

    let other_amount = client
        .refund(&refund_request(&out_trade_no, "RA1", 500), "n4")
        .await
        .unwrap_err();
    assert_eq!(other_amount.err_code(), Some("PARAM_ERROR"));

    let too_much = client
        .refund(&refund_request(&out_trade_no, "RA2", 401), "n5")
        .await
        .unwrap_err();
    assert_eq!(too_much.err_code(), Some("ERROR"));
    assert_eq!(simulated_refund_count(&stack, &out_trade_no), 1);

    let rest = client
        .refund(&refund_request(&out_trade_no, "RA2", 400), "n6")
        .await
        .unwrap();
    assert_ne!(rest.refund_id, first.refund_id);

    // refundquery lists both refunds of the order under indexed fields.
    let listed = stack
        .service
        .gateway()
        .refund_query(&wxpay_pos::protocol::refund::RefundLookup::OutTradeNo(
            out_trade_no.clone(),
        ))
        .await
        .unwrap();
    let numbers: Vec<&str> = listed
        .refunds
        .iter()
        .map(|item| item.out_refund_no.as_str())
        .collect();
    assert_eq!(numbers, ["RA1", "RA2"]);
    assert_eq!(listed.refunds[1].refund_fee, Fen(400));
    assert_eq!(listed.refunds[0].refund_status, RefundStatus::Success);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_refunds_through_embedded_tls_port() {
    let dir = tempfile::tempdir().unwrap();
    let services = start_demo(dir.path()).await;
    let secapi = services
        .secapi
        .as_ref()
        .expect("demo mode starts the refund port");
    assert!(secapi.base_url().starts_with("https://127.0.0.1:"));
    assert_eq!(services.refund_setup_error, None);

    let service = Arc::clone(&services.service);
    let out_trade_no = paid_demo_order(&services, Fen(1990)).await;

    let refund = service
        .refund(&out_trade_no, Fen(1990), "演示")
        .await
        .unwrap();
    assert_eq!(refund.state, RefundState::Success);
    assert_eq!(
        service.order(&out_trade_no).await.unwrap().unwrap().state,
        OrderState::Refunded
    );
    let simulator = services.simulator.as_ref().unwrap();
    assert_eq!(simulator.state().refunds().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_refund_reconciles_with_daily_bill() {
    let dir = tempfile::tempdir().unwrap();
    let services = start_demo(dir.path()).await;
    let service = Arc::clone(&services.service);
    let out_trade_no = paid_demo_order(&services, Fen(1990)).await;

    let refund = service
        .refund(&out_trade_no, Fen(500), "部分退款")
        .await
        .unwrap();
    assert_eq!(refund.state, RefundState::Success);

    // The payment and the refund both fall on today's Beijing day, unless this runs across
    // Beijing midnight.
    let bill_date = wxpay_pos::simulator::bill_day(chrono::Utc::now());
    let summary =
        wxpay_pos::reconcile::reconcile_day(service.gateway(), service.store(), bill_date)
            .await
            .unwrap();
    assert!(summary.bill_found);
    assert_eq!(summary.local_payments, 1);
    assert_eq!(summary.local_refunds, 1);
    assert_eq!(summary.bill_total_fee, Fen(1990));
    assert_eq!(summary.bill_refund_fee, Fen(500));
    assert!(summary.is_clean(), "differences: {:?}", summary.differences);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_gateway_keeps_trades_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let services = start_demo(dir.path()).await;
    let out_trade_no = paid_demo_order(&services, Fen(1990)).await;
    let first = services
        .service
        .refund(&out_trade_no, Fen(500), "第一次")
        .await
        .unwrap();
    assert_eq!(first.state, RefundState::Success);
    assert!(services.simulator.as_ref().unwrap().state().is_persistent());
    drop(services);
    assert!(dir.path().join("data").join("demo-gateway.json").exists());

    // A restarted app gets a new demo gateway that still has the order and its refund.
    let services = start_demo(dir.path()).await;
    let simulator = services.simulator.as_ref().unwrap();
    assert!(simulator.state().is_persistent());
    assert_eq!(simulator.state().refunds().len(), 1);
    let second = services
        .service
        .refund(&out_trade_no, Fen(300), "第二次")
        .await
        .unwrap();
    assert_eq!(second.state, RefundState::Success);
    assert_eq!(simulator.state().refunds().len(), 2);

    let bill_date = wxpay_pos::simulator::bill_day(chrono::Utc::now());
    let summary = wxpay_pos::reconcile::reconcile_day(
        services.service.gateway(),
        services.service.store(),
        bill_date,
    )
    .await
    .unwrap();
    assert!(summary.bill_found);
    assert_eq!(summary.bill_total_fee, Fen(1990));
    assert_eq!(summary.bill_refund_fee, Fen(800));
    assert!(summary.is_clean(), "differences: {:?}", summary.differences);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_cli_refund_needs_closed_till() {
    let dir = tempfile::tempdir().unwrap();
    let services = start_demo(dir.path()).await;
    let out_trade_no = paid_demo_order(&services, Fen(1990)).await;
    let config = dir.path().join("cli.toml");
    let database = dir.path().join("data").join("wxpay-pos.sqlite3");
    std::fs::write(
        &config,
        format!("[storage]\ndatabase = {:?}\n", database.to_str().unwrap()),
    )
    .unwrap();

    // The till has locked the demo gateway, so the command refuses and records nothing.
    let (code, stderr) = run_cli_refund(&config, &out_trade_no).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("收银台正在使用演示网关"), "{stderr}");
    assert!(
        services
            .service
            .store()
            .refunds_for(&out_trade_no)
            .unwrap()
            .is_empty()
    );

    // Charging or querying from the command line is refused the same way.
    let (code, _, stderr) = run_cli(&config, &["charge", "6.60", "--body", "果汁"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("本次没有创建订单"), "{stderr}");
    assert!(services.service.store().open_orders().unwrap().is_empty());
    let (code, _, stderr) = run_cli(&config, &["query", &out_trade_no]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("本次没有查询"), "{stderr}");

    // Once the till is closed, the command's own demo gateway has the order.
    drop(services);
    let (code, stderr) = run_cli_refund(&config, &out_trade_no).await;
    assert_eq!(code, 0, "{stderr}");
    let store = Store::open(&database).unwrap();
    let refunds = store.refunds_for(&out_trade_no).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].state, RefundState::Success);

    // refund-query by a refund number reports that refund, not the order's others.
    let (code, stderr) = run_cli_refund(&config, &out_trade_no).await;
    assert_eq!(code, 0, "{stderr}");
    let refunds = store.refunds_for(&out_trade_no).unwrap();
    assert_eq!(refunds.len(), 2);
    let first = &refunds[0].out_refund_no;
    let second = &refunds[1].out_refund_no;
    let (code, stdout, stderr) = run_cli(&config, &["refund-query", first]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(first.as_str()), "{stdout}");
    assert!(!stdout.contains(second.as_str()), "{stdout}");
    let (_, stdout, _) = run_cli(&config, &["refund-query", &out_trade_no]).await;
    assert!(stdout.contains(first.as_str()), "{stdout}");
    assert!(stdout.contains(second.as_str()), "{stdout}");
}

/// Runs `wxpay-pos refund OUT_TRADE_NO --amount 1.00`; returns the exit code and stderr.
async fn run_cli_refund(config: &std::path::Path, out_trade_no: &str) -> (i32, String) {
    let (code, _, stderr) = run_cli(config, &["refund", out_trade_no, "--amount", "1.00"]).await;
    (code, stderr)
}

/// Runs the binary with `--config config` and `args`; returns the exit code, stdout and
/// stderr.
async fn run_cli(config: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_wxpay-pos"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Starts the app's services in demo mode with their files under `dir`.
async fn start_demo(dir: &std::path::Path) -> wxpay_pos::app::Services {
    let dirs = wxpay_pos::config::AppDirs {
        config_file: dir.join("config.toml"),
        data_dir: dir.join("data"),
    };
    let settings = wxpay_pos::config::Settings::default();
    wxpay_pos::app::start_services(&settings, &dirs, wxpay_pos::app::ListenerMode::Serve)
        .await
        .unwrap()
}

/// Charges `amount` in demo mode, pays it on the embedded simulator and waits until the
/// order is recorded as paid. Returns its out_trade_no.
async fn paid_demo_order(services: &wxpay_pos::app::Services, amount: Fen) -> String {
    let service = &services.service;
    let order = service.charge(amount, "演示退款").await.unwrap();
    services
        .simulator
        .as_ref()
        .unwrap()
        .pay(&order.out_trade_no)
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap()
        .state
        != OrderState::Paid
    {
        assert!(tokio::time::Instant::now() < deadline, "order not paid");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    order.out_trade_no
}
