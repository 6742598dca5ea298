//! Fault injection: the gateway slow, failing or cut off, the listener down, notifications
//! racing orderquery and each other, hostile bodies and a failing database. Each test checks
//! that the payment is recorded exactly once, or that nothing changed.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Stack, StackConfig, TEST_API_KEY, eventually, notification, post_notification};
use wxpay_pos::gateway::ClientTimeouts;
use wxpay_pos::money::Fen;
use wxpay_pos::simulator::{Fault, FaultTarget};
use wxpay_pos::store::OrderState;

const SUCCESS_REPLY: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/// Returns the URL of a closed local port, for a notify_url that every notification fails to reach.
fn dead_notify_url() -> String {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/wxpay/notify", socket.local_addr().unwrap());
    drop(socket);
    url
}

fn short_timeouts() -> ClientTimeouts {
    ClientTimeouts {
        connect_timeout: Duration::from_millis(1000),
        request_timeout: Duration::from_millis(1000),
    }
}

/// A stack whose poller only runs after a minute, so notifications alone must deliver.
async fn stack_without_poller() -> Stack {
    Stack::start_config(StackConfig {
        query_intervals: Some(vec![Duration::from_secs(60)]),
        timeouts: short_timeouts(),
        ..StackConfig::default()
    })
    .await
}

async fn pay_and_expect_one_payment(stack: &Stack, out_trade_no: &str) -> String {
    let transaction_id = stack.simulator.pay(out_trade_no).unwrap();
    stack.wait_for_state(out_trade_no, OrderState::Paid).await;
    assert_eq!(
        stack.service.store().payment_count(out_trade_no).unwrap(),
        1
    );
    transaction_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unifiedorder_faults_are_retried_with_same_order() {
    let faults = [
        Fault::Delay(Duration::from_millis(1500)),
        Fault::HttpStatus(502),
        Fault::SystemError,
        Fault::DropBeforeHandling,
        Fault::DropAfterHandling,
    ];
    for fault in faults {
        let stack = stack_without_poller().await;
        stack
            .simulator
            .inject_fault(FaultTarget::UnifiedOrder, fault.clone());

        let order = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
        let stored = stack
            .service
            .order(&order.out_trade_no)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.state, OrderState::AwaitingPayment, "{fault:?}");
        assert_eq!(
            stored.code_url.as_deref(),
            Some(order.code_url.as_str()),
            "{fault:?}"
        );
        // The gateway has one order under this number, reachable by its code_url.
        let status = stack.simulator.order_status(&order.out_trade_no).unwrap();
        assert_eq!(status.trade_state.as_str(), "NOTPAY", "{fault:?}");

        pay_and_expect_one_payment(&stack, &order.out_trade_no).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_unifiedorder_replies_leave_order_unknown_then_settled() {
    let stack = Stack::start_config(StackConfig {
        query_intervals: Some(vec![Duration::from_millis(50)]),
        timeouts: short_timeouts(),
        ..StackConfig::default()
    })
    .await;
    for _ in 0..3 {
        stack
            .simulator
            .inject_fault(FaultTarget::UnifiedOrder, Fault::DropAfterHandling);
    }

    let err = stack.service.charge(Fen(800), "蛋糕").await.unwrap_err();
    assert!(err.to_string().contains("unifiedorder"), "{err}");
    let open = stack.service.store().open_orders().unwrap();
    assert_eq!(open.len(), 1);
    let out_trade_no = open[0].out_trade_no.clone();
    assert_eq!(open[0].state, OrderState::Unknown);

    // The gateway has the order unpaid, but no customer saw its QR code: orderquery then
    // closeorder settle it as closed, and it can no longer be paid.
    stack
        .wait_for_state(&out_trade_no, OrderState::Closed)
        .await;
    assert!(stack.simulator.pay(&out_trade_no).is_err());
    assert_eq!(
        stack.service.store().payment_count(&out_trade_no).unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unifiedorder_that_never_arrived_fails_the_order() {
    let stack = Stack::start_config(StackConfig {
        query_intervals: Some(vec![Duration::from_millis(50)]),
        timeouts: short_timeouts(),
        ..StackConfig::default()
    })
    .await;
    for _ in 0..3 {
        stack
            .simulator
            .inject_fault(FaultTarget::UnifiedOrder, Fault::HttpStatus(503));
    }

    assert!(stack.service.charge(Fen(800), "蛋糕").await.is_err());
    let out_trade_no = stack.service.store().open_orders().unwrap()[0]
        .out_trade_no
        .clone();
    stack
        .wait_for_state(&out_trade_no, OrderState::Failed)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_before_unifiedorder_reply_is_recorded_once() {
    let stack = stack_without_poller().await;
    stack.simulator.inject_fault(
        FaultTarget::UnifiedOrder,
        Fault::PayThenDelay(Duration::from_millis(200)),
    );

    let order = stack.service.charge(Fen(1200), "面包").await.unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Paid)
        .await;
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
    assert_eq!(verdicts, vec!["accepted"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_down_then_up_gets_the_retry() {
    // Retries at 150 ms, 300 ms, 600 ms, 2.4 s … after the first attempt.
    let mut stack = Stack::start_config(StackConfig {
        query_intervals: Some(vec![Duration::from_secs(60)]),
        time_scale: 0.01,
        ..StackConfig::default()
    })
    .await;
    let order = stack.service.charge(Fen(500), "咖啡").await.unwrap();
    let listener_addr = stack.stop_listener().await;

    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    eventually("a failed notification attempt", || {
        Some(()).filter(|_| {
            !stack
                .simulator
                .notify_attempts(&order.out_trade_no)
                .is_empty()
        })
    })
    .await;
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        0
    );

    stack.start_listener(listener_addr).await;
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
    // The simulator records the acknowledged attempt once it has read the reply, which can
    // be a moment after the commit.
    let attempts = eventually("the acknowledged notification attempt", || {
        let attempts = stack.simulator.notify_attempts(&order.out_trade_no);
        let acknowledged = attempts.last()?.outcome.is_acknowledged();
        acknowledged.then_some(attempts)
    })
    .await;
    assert!(attempts.len() >= 2, "{attempts:?}");
    assert!(!attempts[0].outcome.is_acknowledged());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_duplicates_record_one_payment() {
    let stack =
        Stack::start_with(wxpay_pos::protocol::SignType::Md5, Some(dead_notify_url())).await;
    let order = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
    let transaction_id = "4200000000202612040000000050";
    let body = notification(&order.out_trade_no, transaction_id, 1990, TEST_API_KEY);

    let stack = Arc::new(stack);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let stack = Arc::clone(&stack);
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            post_notification(&stack, body).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), SUCCESS_REPLY);
    }

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
    assert_eq!(verdicts.len(), 50);
    assert_eq!(
        verdicts
            .iter()
            .filter(|verdict| *verdict == "accepted")
            .count(),
        1
    );
    assert_eq!(
        verdicts
            .iter()
            .filter(|verdict| *verdict == "duplicate")
            .count(),
        49
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_and_orderquery_race_record_one_payment() {
    // No notification reaches the listener by itself, so the test sends it at the same
    // moment as several orderquery confirmations.
    let stack = Arc::new(
        Stack::start_config(StackConfig {
            notify_url: Some(dead_notify_url()),
            query_intervals: Some(vec![Duration::from_secs(60)]),
            ..StackConfig::default()
        })
        .await,
    );
    let order = stack.service.charge(Fen(660), "果汁").await.unwrap();
    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();
    let body = notification(&order.out_trade_no, &transaction_id, 660, TEST_API_KEY);

    let mut notifications = Vec::new();
    let mut queries = Vec::new();
    for _ in 0..10 {
        let (stack_a, stack_b) = (Arc::clone(&stack), Arc::clone(&stack));
        let body = body.clone();
        let out_trade_no = order.out_trade_no.clone();
        notifications.push(tokio::spawn(async move {
            post_notification(&stack_a, body).await
        }));
        queries.push(tokio::spawn(async move {
            stack_b
                .service
                .query_and_confirm(&out_trade_no)
                .await
                .unwrap()
        }));
    }
    for task in notifications {
        assert_eq!(task.await.unwrap(), SUCCESS_REPLY);
    }
    for task in queries {
        assert_eq!(task.await.unwrap(), OrderState::Paid);
    }
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_error_answers_fail_then_retry_succeeds() {
    let stack =
        Stack::start_with(wxpay_pos::protocol::SignType::Md5, Some(dead_notify_url())).await;
    let order = stack.service.charge(Fen(300), "面包").await.unwrap();
    let body = notification(
        &order.out_trade_no,
        "4200000000202612040000000300",
        300,
        TEST_API_KEY,
    );

    // A second connection makes every payment insert fail, as a full disk would.
    let database = stack.service.store().path().to_path_buf();
    let saboteur = rusqlite::Connection::open(&database).unwrap();
    saboteur
        .execute_batch(
            "CREATE TRIGGER fail_payments BEFORE INSERT ON payments
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    let reply = post_notification(&stack, body.clone()).await;
    assert!(
        reply.contains("<return_code><![CDATA[FAIL]]></return_code>"),
        "{reply}"
    );
    assert_eq!(
        stack
            .service
            .store()
            .payment_count(&order.out_trade_no)
            .unwrap(),
        0
    );
    let stored = stack
        .service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, OrderState::AwaitingPayment);

    // WeChat delivers again once the disk has room.
    saboteur
        .execute_batch("DROP TRIGGER fail_payments;")
        .unwrap();
    assert_eq!(post_notification(&stack, body).await, SUCCESS_REPLY);
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
    assert_eq!(verdicts, vec!["error", "accepted"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_of_a_paid_order_records_the_payment() {
    let stack = Stack::start_config(StackConfig {
        notify_url: Some(dead_notify_url()),
        query_intervals: Some(vec![Duration::from_secs(60)]),
        ..StackConfig::default()
    })
    .await;
    let order = stack.service.charge(Fen(450), "茶").await.unwrap();
    let transaction_id = stack.simulator.pay(&order.out_trade_no).unwrap();

    // closeorder returns ORDERPAID, so the payment is confirmed by orderquery instead.
    let state = stack.service.cancel(&order.out_trade_no).await.unwrap();
    assert_eq!(state, OrderState::Paid);
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaid_order_expires_and_is_closed() {
    let stack = Stack::start_config(StackConfig {
        query_intervals: Some(vec![Duration::from_millis(100)]),
        // time_expire has whole seconds, so a 1 s lifetime can already be past when a loaded
        // machine's simulator reads it.
        order_lifetime: Some(Duration::from_secs(3)),
        ..StackConfig::default()
    })
    .await;
    let order = stack.service.charge(Fen(100), "水").await.unwrap();
    stack
        .wait_for_state(&order.out_trade_no, OrderState::Expired)
        .await;
    let status = stack.simulator.order_status(&order.out_trade_no).unwrap();
    assert_eq!(status.trade_state.as_str(), "CLOSED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orderquery_faults_do_not_lose_the_payment() {
    let stack = Stack::start_config(StackConfig {
        notify_url: Some(dead_notify_url()),
        query_intervals: Some(vec![Duration::from_millis(50)]),
        timeouts: short_timeouts(),
        ..StackConfig::default()
    })
    .await;
    let order = stack.service.charge(Fen(990), "蛋糕").await.unwrap();
    for fault in [
        Fault::Delay(Duration::from_millis(1500)),
        Fault::HttpStatus(500),
        Fault::SystemError,
        Fault::DropBeforeHandling,
        Fault::DropAfterHandling,
    ] {
        stack.simulator.inject_fault(FaultTarget::OrderQuery, fault);
    }
    pay_and_expect_one_payment(&stack, &order.out_trade_no).await;
}

/// Counts the rows of the tables a notification may change, to prove nothing changed.
fn table_snapshot(stack: &Stack) -> Vec<(String, i64)> {
    let connection = rusqlite::Connection::open(stack.service.store().path()).unwrap();
    ["orders", "payments", "order_events", "receipts"]
        .iter()
        .map(|table| {
            let count: i64 = connection
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                    row.get(0)
                })
                .unwrap();
            (table.to_string(), count)
        })
        .chain(std::iter::once({
            let states: String = connection
                .query_row("SELECT group_concat(state) FROM orders", [], |row| {
                    row.get(0)
                })
                .unwrap();
            (states, 0)
        }))
        .collect()
}

/// Hostile or malformed notification bodies for an order of 19.90 yuan.
fn hostile_bodies(out_trade_no: &str) -> Vec<(&'static str, Vec<u8>)> {
    let good = notification(
        out_trade_no,
        "4200000000202612040000001990",
        1990,
        TEST_API_KEY,
    );
    let swap = |from: &str, to: &str| good.replacen(from, to, 1).into_bytes();
    let resigned = |field: &str, value: &str| {
        let mut fields = wxpay_pos::protocol::xml::parse(good.as_bytes()).unwrap();
        fields.insert(field.to_owned(), value.to_owned());
        wxpay_pos::protocol::sign::sign_in_place(
            &mut fields,
            &wxpay_pos::protocol::ApiKey::new(TEST_API_KEY),
            wxpay_pos::protocol::SignType::Md5,
        );
        wxpay_pos::protocol::xml::to_xml(&fields).into_bytes()
    };
    let other_key = notification(
        out_trade_no,
        "4200000000202612040000001990",
        1990,
        "0123456789abcdef0123456789abcdef",
    );

    vec![
        ("empty", Vec::new()),
        ("whitespace", b"   \n".to_vec()),
        ("not xml", b"hello".to_vec()),
        ("json", br#"{"return_code":"SUCCESS"}"#.to_vec()),
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec()),
        (
            "doctype with external entity",
            format!("<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{good}")
                .into_bytes(),
        ),
        (
            "billion laughs",
            b"<!DOCTYPE l [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><xml><a>&b;</a></xml>"
                .to_vec(),
        ),
        ("undeclared entity", swap("<xml>", "<xml><x>&ent;</x>")),
        ("nested element", swap("<xml>", "<xml><a><b>1</b></a>")),
        (
            "wrong root",
            good.replace("<xml>", "<root>")
                .replace("</xml>", "</root>")
                .into_bytes(),
        ),
        ("two roots", format!("{good}{good}").into_bytes()),
        (
            "duplicate field",
            swap("<xml>", "<xml><total_fee>1</total_fee>"),
        ),
        ("not utf-8", {
            let mut body = good.clone().into_bytes();
            body.insert(10, 0xff);
            body
        }),
        (
            "over the size cap",
            format!("<xml><a>{}</a></xml>", "x".repeat(70 * 1024)).into_bytes(),
        ),
        ("attribute", swap("<xml>", "<xml a=\"1\">")),
        ("comment", swap("<xml>", "<xml><!-- hi -->")),
        (
            "processing instruction",
            swap("<xml>", "<xml><?php echo 1; ?>"),
        ),
        ("signed with another key", other_key.into_bytes()),
        ("sign removed", {
            let mut fields = wxpay_pos::protocol::xml::parse(good.as_bytes()).unwrap();
            fields.remove("sign");
            wxpay_pos::protocol::xml::to_xml(&fields).into_bytes()
        }),
        (
            "amount tampered after signing",
            swap("<total_fee>1990</total_fee>", "<total_fee>1</total_fee>"),
        ),
        ("wrong amount, validly signed", resigned("total_fee", "1")),
        (
            "cash_fee equal but total_fee wrong",
            resigned("total_fee", "2000"),
        ),
        (
            "unknown order, validly signed",
            resigned("out_trade_no", "NOT_OUR_ORDER"),
        ),
        ("other merchant's mch_id", resigned("mch_id", "1900000999")),
        ("other appid", resigned("appid", "wx0000000000000000")),
        ("return_code FAIL", resigned("return_code", "FAIL")),
        ("unknown sign_type", resigned("sign_type", "SHA1")),
        (
            "sign of wrong length",
            swap("<sign><![CDATA[", "<sign><![CDATA[AB"),
        ),
        ("negative amount", resigned("total_fee", "-1990")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_notifications_change_nothing() {
    let stack =
        Stack::start_with(wxpay_pos::protocol::SignType::Md5, Some(dead_notify_url())).await;
    let order = stack.service.charge(Fen(1990), "奶茶").await.unwrap();
    let before = table_snapshot(&stack);

    let bodies = hostile_bodies(&order.out_trade_no);
    assert!(bodies.len() >= 25);
    for (case, body) in bodies {
        let reply = reqwest::Client::new()
            .post(stack.notify_url())
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            reply.contains("<return_code><![CDATA[FAIL]]></return_code>"),
            "{case}: {reply}"
        );
        assert_eq!(table_snapshot(&stack), before, "{case} changed a row");
    }

    // Every body was audited as rejected, and the order can still be paid.
    let connection = rusqlite::Connection::open(stack.service.store().path()).unwrap();
    let rejected: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM notifications WHERE verdict = 'rejected'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(rejected, 29);
    pay_and_expect_one_payment(&stack, &order.out_trade_no).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_charge_waits_for_startup_reconciliation() {
    let stack = Stack::start_config(StackConfig {
        notify_url: Some(dead_notify_url()),
        query_intervals: Some(vec![Duration::from_secs(60)]),
        ..StackConfig::default()
    })
    .await;
    // An order paid while the app was down, its notification lost.
    let earlier = stack.service.charge(Fen(700), "早上的订单").await.unwrap();
    stack.simulator.pay(&earlier.out_trade_no).unwrap();

    // The reconciling orderquery is slow, so a charge that did not wait would finish first.
    stack.simulator.inject_fault(
        FaultTarget::OrderQuery,
        Fault::Delay(Duration::from_millis(400)),
    );
    stack.service.start_reconciliation();
    stack.service.charge(Fen(100), "下一单").await.unwrap();
    let stored = stack
        .service
        .order(&earlier.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, OrderState::Paid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_number_gets_new_number() {
    let stack = stack_without_poller().await;
    stack.simulator.inject_fault(
        FaultTarget::UnifiedOrder,
        Fault::BusinessError("OUT_TRADE_NO_USED"),
    );
    stack.simulator.inject_fault(
        FaultTarget::UnifiedOrder,
        Fault::BusinessError("ORDERCLOSED"),
    );

    let order = stack.service.charge(Fen(2500), "蛋糕").await.unwrap();
    let paid = stack
        .service
        .order(&order.out_trade_no)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(paid.state, OrderState::AwaitingPayment);

    // Two refused numbers failed; all three orders belong to the first one's sale.
    let connection = rusqlite::Connection::open(stack.service.store().path()).unwrap();
    let mut statement = connection
        .prepare("SELECT out_trade_no, state, sale_id FROM orders ORDER BY id")
        .unwrap();
    let rows: Vec<(String, String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].1, "failed");
    assert_eq!(rows[1].1, "failed");
    assert_eq!(rows[2].0, order.out_trade_no);
    assert!(rows.iter().all(|row| row.2 == rows[0].0), "{rows:?}");
    assert_eq!(paid.sale_id, rows[0].0);

    pay_and_expect_one_payment(&stack, &order.out_trade_no).await;
}
