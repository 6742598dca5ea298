//! Cashier screen flows driven by widget label with egui_kittest. Each test plays the command
//! runner: it reads the commands the screen sends and sends scripted updates back.

use chrono::{Duration, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use tokio::sync::mpsc::error::TryRecvError;
use wxpay_pos::i18n::{Lang, amount_error_text, auto_return_text, problem_text, time_left_text};
use wxpay_pos::money::{AmountError, Fen};
use wxpay_pos::ui::bridge::{
    BRIDGE_CHANNEL_CAPACITY, Command, PendingOrder, Problem, RunnerBridge, Update, bridge_pair,
};
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

const OUT_TRADE_NO: &str = "20250101120000abcd";
const CODE_URL: &str = "weixin://wxpay/bizpayurl?pr=Ab3dEf9";
const TRANSACTION_ID: &str = "4200001234202501011234567890";

fn cashier(demo_mode: bool) -> (Harness<'static, CashierApp>, RunnerBridge) {
    let (ui_bridge, runner) = bridge_pair();
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            demo_mode,
            lang: Lang::ZhCn,
            merchant_name: "测试小店".to_owned(),
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1024.0, 768.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    (harness, runner)
}

fn type_amount(harness: &mut Harness<'static, CashierApp>, text: &str) {
    harness.get_by_label("金额（元）").click();
    harness.run();
    harness.get_by_label("金额（元）").type_text(text);
    harness.run();
}

fn pending_order(expires_in: Duration) -> PendingOrder {
    PendingOrder {
        out_trade_no: OUT_TRADE_NO.to_owned(),
        code_url: CODE_URL.to_owned(),
        amount: Fen(1990),
        body: "商品".to_owned(),
        expires_at: Utc::now() + expires_in,
    }
}

fn push(harness: &mut Harness<'static, CashierApp>, runner: &RunnerBridge, update: Update) {
    runner.updates.try_send(update).unwrap();
    harness.run();
}

/// Charges 19.90 and replies with the created order, leaving the QR code on screen.
fn show_order(demo_mode: bool) -> (Harness<'static, CashierApp>, RunnerBridge) {
    let (mut harness, mut runner) = cashier(demo_mode);
    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();
    assert!(matches!(
        runner.commands.try_recv(),
        Ok(Command::Charge { .. })
    ));
    push(
        &mut harness,
        &runner,
        Update::OrderCreated(pending_order(Duration::seconds(125))),
    );
    (harness, runner)
}

#[test]
fn charge_sends_amount_in_fen() {
    let (mut harness, mut runner) = cashier(false);

    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();

    assert_eq!(
        runner.commands.try_recv(),
        Ok(Command::Charge {
            amount: Fen(1990),
            body: "商品".to_owned(),
        })
    );
    assert!(harness.query_by_label("正在创建订单…").is_some());
    assert!(harness.get_by_label("收款").accesskit_node().is_disabled());
}

#[test]
fn charge_sends_typed_description() {
    let (mut harness, mut runner) = cashier(false);

    type_amount(&mut harness, "5");
    harness.get_by_label("商品描述").click();
    harness.run();
    harness.key_press(egui::Key::End);
    harness.get_by_label("商品描述").type_text("咖啡");
    harness.run();
    harness.get_by_label("收款").click();
    harness.run();

    assert_eq!(
        runner.commands.try_recv(),
        Ok(Command::Charge {
            amount: Fen(500),
            body: "商品咖啡".to_owned(),
        })
    );
}

#[test]
fn f1_and_enter_charge() {
    for key in [egui::Key::F1, egui::Key::Enter] {
        let (mut harness, mut runner) = cashier(false);
        type_amount(&mut harness, "0.29");

        harness.key_press(key);
        harness.run();

        assert_eq!(
            runner.commands.try_recv(),
            Ok(Command::Charge {
                amount: Fen(29),
                body: "商品".to_owned(),
            }),
            "{key:?}"
        );
    }
}

#[test]
fn bad_amount_shows_error_and_sends_nothing() {
    let (mut harness, mut runner) = cashier(false);

    type_amount(&mut harness, "19.9.9");
    harness.get_by_label("收款").click();
    harness.run();

    assert!(
        harness
            .query_by_label_contains("“19.9.9”格式不正确")
            .is_some()
    );
    assert_eq!(runner.commands.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(harness.state().screen_name(), "entry");
}

#[test]
fn empty_amount_asks_for_one() {
    let (mut harness, mut runner) = cashier(false);

    harness.get_by_label("收款").click();
    harness.run();

    assert!(harness.query_by_label_contains("请输入金额").is_some());
    assert_eq!(runner.commands.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn order_created_shows_qr_amount_and_countdown() {
    let (harness, _runner) = show_order(false);

    assert_eq!(harness.state().screen_name(), "awaiting");
    assert!(harness.query_by_label("￥19.90").is_some());
    assert!(harness.query_by_label_contains("剩余时间 02:0").is_some());

    let qr = harness.get_by_label("收款二维码");
    assert_eq!(qr.value().as_deref(), Some(CODE_URL));
    assert!(qr.rect().height() > 400.0, "QR code is {:?}", qr.rect());
    assert_eq!(qr.rect().width(), qr.rect().height());
}

#[test]
fn qr_code_fits_the_window() {
    let (harness, _runner) = show_order(true);

    let qr = harness.get_by_label("收款二维码").rect();
    let cancel = harness.get_by_label("取消").rect();

    assert!(
        qr.bottom() <= cancel.top(),
        "QR {qr:?} overlaps cancel {cancel:?}"
    );
    assert!(
        cancel.bottom() <= 768.0,
        "cancel button {cancel:?} is off screen"
    );
}

#[test]
fn cancel_sends_cancel_and_closed_returns_to_entry() {
    let (mut harness, mut runner) = show_order(false);

    harness.get_by_label("取消").click();
    harness.run();

    assert_eq!(
        runner.commands.try_recv(),
        Ok(Command::Cancel {
            out_trade_no: OUT_TRADE_NO.to_owned(),
        })
    );
    assert!(harness.query_by_label("正在取消订单…").is_some());

    push(
        &mut harness,
        &runner,
        Update::Closed {
            out_trade_no: OUT_TRADE_NO.to_owned(),
        },
    );

    assert_eq!(harness.state().screen_name(), "entry");
    assert!(harness.query_by_label("订单已取消").is_some());
    assert_eq!(
        harness.get_by_label("金额（元）").value().as_deref(),
        Some("19.90")
    );
}

#[test]
fn escape_cancels() {
    let (mut harness, mut runner) = show_order(false);

    harness.key_press(egui::Key::Escape);
    harness.run();

    assert_eq!(
        runner.commands.try_recv(),
        Ok(Command::Cancel {
            out_trade_no: OUT_TRADE_NO.to_owned(),
        })
    );
}

#[test]
fn closed_update_for_other_order_is_ignored() {
    let (mut harness, runner) = show_order(false);

    push(
        &mut harness,
        &runner,
        Update::Closed {
            out_trade_no: "some-older-order".to_owned(),
        },
    );

    assert_eq!(harness.state().screen_name(), "awaiting");
}

#[test]
fn expired_order_asks_to_charge_again() {
    let (mut harness, runner) = show_order(false);

    push(
        &mut harness,
        &runner,
        Update::Expired {
            out_trade_no: OUT_TRADE_NO.to_owned(),
        },
    );

    assert_eq!(harness.state().screen_name(), "entry");
    assert!(harness.query_by_label("订单已过期，请重新收款").is_some());
}

#[test]
fn countdown_stops_at_zero() {
    let (mut harness, runner) = cashier(false);

    push(
        &mut harness,
        &runner,
        Update::OrderCreated(pending_order(Duration::seconds(-10))),
    );

    assert!(harness.query_by_label("剩余时间 00:00").is_some());
}

#[test]
fn unencodable_code_url_shows_qr_error() {
    let (mut harness, runner) = cashier(false);
    let mut order = pending_order(Duration::seconds(120));
    order.code_url = "x".repeat(5000);

    push(&mut harness, &runner, Update::OrderCreated(order));

    assert!(
        harness
            .query_by_label("无法生成二维码，请取消后重新收款")
            .is_some()
    );
    assert!(harness.query_by_label("收款二维码").is_none());
    assert!(harness.query_by_label("取消").is_some());
}

#[test]
fn paid_shows_success_and_transaction_id() {
    let (mut harness, runner) = show_order(false);

    push(
        &mut harness,
        &runner,
        Update::Paid {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            transaction_id: TRANSACTION_ID.to_owned(),
            amount: Fen(1990),
        },
    );

    assert_eq!(harness.state().screen_name(), "paid");
    assert!(harness.query_by_label("支付成功").is_some());
    assert!(harness.query_by_label("￥19.90").is_some());
    assert!(harness.query_by_label("微信支付单号").is_some());
    assert!(harness.query_by_label(TRANSACTION_ID).is_some());
    assert!(harness.query_by_label(OUT_TRADE_NO).is_some());
}

#[test]
fn new_sale_button_clears_the_form() {
    let (mut harness, runner) = show_order(false);
    push(
        &mut harness,
        &runner,
        Update::Paid {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            transaction_id: TRANSACTION_ID.to_owned(),
            amount: Fen(1990),
        },
    );

    harness.get_by_label("新的收款").click();
    harness.run();

    assert_eq!(harness.state().screen_name(), "entry");
    assert_eq!(
        harness.get_by_label("金额（元）").value().as_deref(),
        Some("")
    );
}

#[test]
fn paid_screen_returns_to_entry_by_itself() {
    let (mut harness, runner) = show_order(false);
    push(
        &mut harness,
        &runner,
        Update::Paid {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            transaction_id: TRANSACTION_ID.to_owned(),
            amount: Fen(1990),
        },
    );

    // Each harness step advances egui's clock by 0.25 s.
    harness.run_steps(12);
    assert_eq!(harness.state().screen_name(), "paid", "after 3 s");
    harness.run_steps(12);
    harness.run();

    assert_eq!(harness.state().screen_name(), "entry", "after 6 s");
    assert!(harness.query_by_label("收款").is_some());
}

#[test]
fn failed_charge_shows_problem_and_stays() {
    let (mut harness, mut runner) = cashier(false);
    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();
    assert!(runner.commands.try_recv().is_ok());

    push(
        &mut harness,
        &runner,
        Update::Failed(Problem::GatewayUnreachable {
            detail: "connection refused".to_owned(),
        }),
    );

    assert_eq!(harness.state().screen_name(), "entry");
    assert!(
        harness
            .query_by_label("无法连接支付网关，请检查网络后重试")
            .is_some()
    );
    assert!(harness.query_by_label("connection refused").is_some());
    assert!(!harness.get_by_label("收款").accesskit_node().is_disabled());
}

#[test]
fn failed_cancel_keeps_the_qr_code() {
    let (mut harness, runner) = show_order(false);
    harness.get_by_label("取消").click();
    harness.run();

    push(
        &mut harness,
        &runner,
        Update::Failed(Problem::GatewayRejected {
            code: "SYSTEMERROR".to_owned(),
            message: "busy".to_owned(),
        }),
    );

    assert_eq!(harness.state().screen_name(), "awaiting");
    assert!(
        harness
            .query_by_label("微信支付系统繁忙，请稍后重试")
            .is_some()
    );
    assert!(harness.query_by_label("SYSTEMERROR: busy").is_some());
    assert!(!harness.get_by_label("取消").accesskit_node().is_disabled());
}

#[test]
fn language_switch_changes_every_label() {
    let (mut harness, _runner) = cashier(true);

    harness.get_by_label("English").click();
    harness.run();

    assert_eq!(harness.state().lang(), Lang::En);
    assert!(harness.query_by_label("Charge").is_some());
    assert!(harness.query_by_label("收款").is_none());
    assert!(harness.query_by_label("Amount (yuan)").is_some());
    assert!(harness.query_by_label_contains("Demo mode").is_some());
    assert_eq!(
        harness.get_by_label("Description").value().as_deref(),
        Some("Goods")
    );

    harness.get_by_label("简体中文").click();
    harness.run();

    assert!(harness.query_by_label("收款").is_some());
}

#[test]
fn demo_mode_shows_banner_and_simulate_button() {
    let (mut harness, mut runner) = show_order(true);

    assert!(harness.query_by_label_contains("演示模式").is_some());
    harness.get_by_label("模拟顾客付款").click();
    harness.run();

    assert_eq!(
        runner.commands.try_recv(),
        Ok(Command::SimulatePay {
            out_trade_no: OUT_TRADE_NO.to_owned(),
        })
    );
}

#[test]
fn live_mode_has_no_demo_controls() {
    let (harness, _runner) = show_order(false);

    assert!(harness.query_by_label_contains("演示模式").is_none());
    assert!(harness.query_by_label("模拟顾客付款").is_none());
}

#[test]
fn stopped_runner_is_reported() {
    let (mut harness, runner) = cashier(false);
    type_amount(&mut harness, "1");

    drop(runner);
    harness.run();

    assert!(
        harness
            .query_by_label("后台服务已停止，请重新启动收银程序")
            .is_some()
    );
}

#[test]
fn charge_after_runner_stopped_is_reported() {
    let (mut harness, runner) = cashier(false);
    drop(runner);
    harness.run();
    type_amount(&mut harness, "1");

    harness.get_by_label("收款").click();
    harness.run();

    assert!(
        harness
            .query_by_label("后台服务已停止，请重新启动收银程序")
            .is_some()
    );
    assert!(!harness.get_by_label("收款").accesskit_node().is_disabled());
}

#[test]
fn full_command_channel_is_reported() {
    let (mut harness, mut runner) = cashier(false);
    type_amount(&mut harness, "1");

    // The runner reads nothing, so each charge stays queued once its failure frees the screen.
    for _ in 0..BRIDGE_CHANNEL_CAPACITY {
        harness.get_by_label("收款").click();
        harness.run();
        push(
            &mut harness,
            &runner,
            Update::Failed(Problem::Storage {
                detail: "disk full".to_owned(),
            }),
        );
    }
    harness.get_by_label("收款").click();
    harness.run();

    assert!(
        harness
            .query_by_label("收银程序繁忙，操作没有执行，请稍后重试")
            .is_some()
    );
    let mut queued = 0;
    while runner.commands.try_recv().is_ok() {
        queued += 1;
    }
    assert_eq!(queued, BRIDGE_CHANNEL_CAPACITY);
}

/// Every text the screens can show in `lang`, with sample values where a text has them.
fn every_text(lang: Lang) -> Vec<String> {
    let mut texts: Vec<String> = lang.texts().all().into_iter().map(str::to_owned).collect();
    let typed = || "19.9.9".to_owned();
    let amount_errors = [
        AmountError::Empty,
        AmountError::Malformed { text: typed() },
        AmountError::TooManyDecimals { text: typed() },
        AmountError::Zero,
        AmountError::TooLarge { text: typed() },
    ];
    texts.extend(
        amount_errors
            .iter()
            .map(|error| amount_error_text(lang, error)),
    );

    let detail = || "timed out".to_owned();
    let mut problems = vec![
        Problem::GatewayUnreachable { detail: detail() },
        Problem::Storage { detail: detail() },
        Problem::NotAllowed { detail: detail() },
    ];
    for code in [
        "SYSTEMERROR",
        "ORDERPAID",
        "ORDERCLOSED",
        "OUT_TRADE_NO_USED",
        "SIGNERROR",
        "PARAM_ERROR",
    ] {
        problems.push(Problem::GatewayRejected {
            code: code.to_owned(),
            message: detail(),
        });
    }
    texts.extend(problems.iter().map(|problem| problem_text(lang, problem)));

    texts.push(time_left_text(lang, 299));
    texts.push(auto_return_text(lang, 5));
    texts.push(format!("￥{}", Fen(1990)));
    texts.extend(Lang::ALL.iter().map(|lang| lang.native_name().to_owned()));
    texts
}

#[test]
fn bundled_font_draws_every_text() {
    for lang in Lang::ALL {
        let texts = every_text(lang);
        // The harness panics on any character that no installed font can draw.
        let mut harness = Harness::builder()
            .with_size(egui::Vec2::new(1600.0, 2400.0))
            .with_context_setup(install_fonts)
            .build_ui(|ui| {
                for text in &texts {
                    ui.label(text);
                }
            });
        harness.run();

        for text in &texts {
            assert!(harness.query_by_label(text).is_some(), "{lang:?}: {text}");
        }
    }
}
