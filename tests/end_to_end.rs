//! A Native (mode 2) payment end to end over real sockets: unifiedorder at the simulator,
//! the customer's payment, the signed notification to the listener, the commit to SQLite, the
//! SUCCESS reply, and the receipt.

mod common;

use common::{Stack, TEST_API_KEY, eventually, notification, post_notification};
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::SignType;
use wxpay_pos::protocol::messages::notify_reply_success;
use wxpay_pos::store::OrderState;

const SUCCESS_REPLY: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

async fn pay_end_to_end(sign_type: SignType) {
    let stack = Stack::start(sign_type).await;

    let order = stack
        .service
        .charge(Fen(1990), "奶茶 & 蛋糕")
        .await
        .unwrap();
    assert!(
        order.code_url.starts_with("weixin://wxpay/bizpayurl?pr="),
        "{}",
        order.code_url
    );
    assert_eq!(order.amount, Fen(1990));
    stack
        .wait_for_state(&order.out_trade_no, OrderState::AwaitingPayment)
        .await;

    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;

    let stored = stack
        .service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.transaction_id.as_deref(),
        Some(transaction_id.as_str())
    );
    assert_eq!(stored.total_fee, Fen(1990));
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        1
    );

    // WeChat saw exactly one attempt, acknowledged. The simulator records it once the reply
    // is read, which can be a moment after the commit.
    let attempts = eventually("the notification attempt", || {
        Some(stack.simulator.notify_attempts(&order.out_trade_no))
            .filter(|attempts| !attempts.is_empty())
    })
    .await;
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert!(attempts[0].outcome.is_acknowledged());
    assert_eq!(
        stack
            .service
            .store()
            .notification_verdicts(&order.out_trade_no)
            .unwrap(),
        vec!["accepted"]
    );

    // The receipt carries the short link from shorturl, and the PDF is real.
    let (qr_link, pdf_path) = stack.wait_for_receipt(&order.out_trade_no).await;
    assert!(qr_link.starts_with("weixin://wxpay/s/"), "{qr_link}");
    let pdf = std::fs::read(&pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn md5_payment_is_recorded_once_with_receipt() {
    pay_end_to_end(SignType::Md5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hmac_sha256_payment_is_recorded_once_with_receipt() {
    pay_end_to_end(SignType::HmacSha256).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_notification_gets_exact_success_reply() {
    let stack = Stack::start(SignType::Md5).await;
    let order = stack.service.charge(Fen(500), "咖啡").await.unwrap();
    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;

    let again = notification(&order.out_trade_no, &transaction_id, 500, TEST_API_KEY);
    for _ in 0..3 {
        let reply = post_notification(&stack, again.clone()).await;
        assert_eq!(reply, SUCCESS_REPLY);
    }
    assert_eq!(notify_reply_success(), SUCCESS_REPLY);
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        1
    );
    let verdicts = stack
        .service
        .store()
        .notification_verdicts(&order.out_trade_no)
        .unwrap();
    assert_eq!(
        verdicts,
        vec!["accepted", "duplicate", "duplicate", "duplicate"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_mismatched_notifications_change_nothing() {
    let stack = Stack::start(SignType::Md5).await;
    let order = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::AwaitingPayment)
        .await;

    let forged = notification(
        &order.out_trade_no,
        "4200000000000000000000000001",
        1990,
        "0123456789abcdef0123456789abcdef",
    );
    let wrong_amount = notification(
        &order.out_trade_no,
        "4200000000000000000000000002",
        1,
        TEST_API_KEY,
    );
    let unknown_order = notification(
        "NO_SUCH_ORDER",
        "4200000000000000000000000003",
        1990,
        TEST_API_KEY,
    );
    let doctype = "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><a>&x;</a></xml>"
        .to_owned();

    for body in [forged, wrong_amount, unknown_order, doctype, String::new()] {
        let reply = post_notification(&stack, body).await;
        assert!(
            reply.contains("<return_code><![CDATA[FAIL]]></return_code>"),
            "{reply}"
        );
    }
    let stored = stack
        .service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, OrderState::AwaitingPayment);
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        0
    );
    assert_eq!(
        stack
            .service
            .store()
            .notification_verdicts(&order.out_trade_no)
            .unwrap(),
        vec!["rejected", "rejected"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_closes_the_order_at_the_gateway() {
    let stack = Stack::start(SignType::Md5).await;
    let order = stack.service.charge(Fen(100), "测试").await.unwrap();
    let state = stack.service.cancel(&order.out_trade_no).await.unwrap();
    assert_eq!(state, OrderState::Closed);
    assert!(stack.simulator.pay(&order.out_trade_no).is_err());
    let status = stack.simulator.order_status(&order.out_trade_no).unwrap();
    assert_eq!(status.trade_state.as_str(), "CLOSED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poller_confirms_by_orderquery_when_no_notification_arrives() {
    // The notify_url points at a closed port, so every notification attempt fails.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/wxpay/notify", dead.local_addr().unwrap());
    drop(dead);
    let stack = Stack::start_with(SignType::Md5, Some(dead_url)).await;

    let order = stack.service.charge(Fen(300), "面包").await.unwrap();
    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;

    let stored = stack
        .service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.transaction_id, Some(transaction_id));
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        1
    );
    assert!(
        stack
            .service
            .store()
            .notification_verdicts(&order.out_trade_no)
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_rejects_oversized_and_non_post() {
    let stack = Stack::start(SignType::Md5).await;
    let client = reqwest::Client::new();

    let oversized = "a".repeat(wxpay_pos::listener::MAX_NOTIFY_BODY_BYTES + 1);
    let reply = client
        .post(stack.notify_url())
        .body(oversized)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let text = reply.text().await.unwrap();
    assert!(
        text.contains("<return_code><![CDATA[FAIL]]></return_code>"),
        "{text}"
    );

    let reply = client.get(stack.notify_url()).send().await.unwrap();
    assert_eq!(reply.status(), 405);
    let text = reply.text().await.unwrap();
    assert!(
        text.contains("<return_code><![CDATA[FAIL]]></return_code>"),
        "{text}"
    );
}

/// Starts a stack whose receipt printer is a virtual ESC/POS printer on 127.0.0.1; the task
/// returns every byte the printer received once the job's connection closes.
async fn stack_with_virtual_printer() -> (Stack, tokio::task::JoinHandle<Vec<u8>>) {
    let printer = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let printer_addr = printer.local_addr().unwrap();
    let received = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (mut socket, _) = printer.accept().await.unwrap();
        let mut bytes = Vec::new();
        socket.read_to_end(&mut bytes).await.unwrap();
        bytes
    });
    let settings = wxpay_pos::config::Settings::parse(&format!(
        "[printer]\nkind = \"escpos\"\naddress = \"{printer_addr}\"\nstatus_check = false\n"
    ))
    .unwrap();
    let stack = Stack::start_config(common::StackConfig {
        printer: Some(settings.printer),
        ..common::StackConfig::default()
    })
    .await;
    (stack, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paid_receipt_prints_on_the_configured_printer() {
    let (stack, received) = stack_with_virtual_printer().await;

    let order = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;

    let bytes = tokio::time::timeout(std::time::Duration::from_secs(10), received)
        .await
        .unwrap()
        .unwrap();
    let (text, _, _) = encoding_rs::GB18030.decode(&bytes);
    assert!(text.contains("19.90"), "{text}");
    assert!(text.contains(&transaction_id), "{text}");
    assert!(text.contains("测试商店"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_slip_prints_the_short_link() {
    let (stack, received) = stack_with_virtual_printer().await;

    let order = stack.service.charge(Fen(880), "蛋糕").await.unwrap();
    let output = stack
        .service
        .print_checkout_slip(&order.out_trade_no)
        .await
        .unwrap();
    assert_eq!(output, wxpay_pos::orders::SlipOutput::Printed);

    let bytes = received.await.unwrap();
    let (text, _, _) = encoding_rs::GB18030.decode(&bytes);
    assert!(text.contains("8.80"), "{text}");
    assert!(text.contains(&order.out_trade_no), "{text}");
    // The QR payload (GS ( k store command) is the short link of the order's code_url.
    assert!(text.contains("weixin://wxpay/s/"), "{text}");
}
