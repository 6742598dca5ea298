//! Cashier screen flows driven by widget label with egui_kittest. Each test plays the command
//! runner: it reads the commands the screen sends and sends scripted updates back.

use chrono::{Duration, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use tokio::sync::mpsc::error::TryRecvError;
use wxpay_pos::i18n::{
    CartLineAction, Lang, amount_error_text, auto_return_text, cart_line_button_label,
    off_sale_suffix, problem_text, product_count_text, product_off_sale_text,
    product_on_sale_label, product_rejected_text, settings_rejected_text, time_left_text,
    unknown_barcode_text,
};
use wxpay_pos::money::{AmountError, Fen};
use wxpay_pos::store::{Product, SavedCart, SavedCartLine};
use wxpay_pos::ui::bridge::{
    BRIDGE_CHANNEL_CAPACITY, Command, PendingOrder, Problem, RunnerBridge, Update, bridge_pair,
};
use wxpay_pos::ui::{CashierApp, CashierOptions, CustomerMonitor, install_fonts};

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
            ..CashierOptions::default()
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1024.0, 768.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    (harness, runner)
}

/// Returns the next command that is not bookkeeping: the catalogue load sent at start-up and
/// the cart saves sent on every edit are skipped.
fn next_command(runner: &mut RunnerBridge) -> Result<Command, TryRecvError> {
    loop {
        match runner.commands.try_recv()? {
            Command::LoadCatalogue | Command::SaveCart(_) => continue,
            command => return Ok(command),
        }
    }
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
        next_command(&mut runner),
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
        next_command(&mut runner),
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
        next_command(&mut runner),
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
            next_command(&mut runner),
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
    assert_eq!(next_command(&mut runner), Err(TryRecvError::Empty));
    assert_eq!(harness.state().screen_name(), "entry");
}

#[test]
fn empty_amount_asks_for_one() {
    let (mut harness, mut runner) = cashier(false);

    harness.get_by_label("收款").click();
    harness.run();

    assert!(harness.query_by_label_contains("请输入金额").is_some());
    assert_eq!(next_command(&mut runner), Err(TryRecvError::Empty));
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
        next_command(&mut runner),
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
        next_command(&mut runner),
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
    assert!(next_command(&mut runner).is_ok());

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
        next_command(&mut runner),
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
    while runner.commands.try_recv().is_ok() {}

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
        AmountError::NotPositive,
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
        Problem::CartNotSaved { detail: detail() },
    ];
    for code in [
        "SYSTEMERROR",
        "ORDERPAID",
        "ORDERCLOSED",
        "OUT_TRADE_NO_USED",
        "SIGNERROR",
        "PAYERROR",
        "PARAM_ERROR",
    ] {
        problems.push(Problem::GatewayRejected {
            code: code.to_owned(),
            message: detail(),
        });
    }
    texts.extend(problems.iter().map(|problem| problem_text(lang, problem)));

    texts.push(unknown_barcode_text(lang, "6900000000000"));
    texts.push(product_off_sale_text(lang, "珍珠奶茶"));
    texts.push(product_on_sale_label(lang).to_owned());
    texts.push(off_sale_suffix(lang).to_owned());
    for action in [
        CartLineAction::Increase,
        CartLineAction::Decrease,
        CartLineAction::Remove,
    ] {
        texts.push(cart_line_button_label(lang, action, "珍珠奶茶"));
    }
    texts.push(product_count_text(lang, 10_000));
    texts.push(settings_rejected_text(lang, "merchant.appid", "is empty"));
    texts.push(settings_rejected_text(lang, "", "disk full"));
    texts.push(product_rejected_text(lang, "barcode", "duplicate"));
    texts.push(product_rejected_text(lang, "", "disk full"));
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

const MILK_TEA_BARCODE: &str = "6901234567892";

fn products() -> Vec<Product> {
    vec![
        Product {
            id: 1,
            name: "珍珠奶茶".to_owned(),
            price: Fen(1200),
            barcode: Some(MILK_TEA_BARCODE.to_owned()),
            category: "饮品".to_owned(),
            enabled: true,
        },
        Product {
            id: 2,
            name: "蛋挞".to_owned(),
            price: Fen(650),
            barcode: Some("6901234567946".to_owned()),
            category: "点心".to_owned(),
            enabled: true,
        },
    ]
}

/// A cashier whose runner has replied to the catalogue load with [`products`].
fn cashier_with_catalogue() -> (Harness<'static, CashierApp>, RunnerBridge) {
    let (mut harness, runner) = cashier(false);
    push(
        &mut harness,
        &runner,
        Update::CatalogueLoaded {
            products: products(),
        },
    );
    (harness, runner)
}

/// Types `code` into the barcode field and presses Enter, as a scanner does.
fn scan(harness: &mut Harness<'static, CashierApp>, code: &str) {
    harness.get_by_label("扫描条码").click();
    harness.run();
    harness.get_by_label("扫描条码").type_text(code);
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
}

/// Returns the last cart the screen sent to be saved.
fn last_saved_cart(runner: &mut RunnerBridge) -> Option<SavedCart> {
    let mut last = None;
    while let Ok(command) = runner.commands.try_recv() {
        if let Command::SaveCart(cart) = command {
            last = Some(cart);
        }
    }
    last
}

#[test]
fn start_up_asks_for_the_catalogue() {
    let (_harness, mut runner) = cashier(false);
    assert_eq!(runner.commands.try_recv(), Ok(Command::LoadCatalogue));
}

#[test]
fn scanned_barcode_adds_product_and_charges_cart() {
    let (mut harness, mut runner) = cashier_with_catalogue();

    scan(&mut harness, MILK_TEA_BARCODE);
    assert!(harness.query_by_label("增加 珍珠奶茶").is_some());
    assert!(harness.query_by_label("×1").is_some());
    assert_eq!(
        harness.get_by_label("扫描条码").value().as_deref(),
        Some("")
    );

    scan(&mut harness, MILK_TEA_BARCODE);
    assert!(harness.query_by_label("×2").is_some());

    harness.key_press(egui::Key::F1);
    harness.run();
    assert_eq!(
        next_command(&mut runner),
        Ok(Command::Charge {
            amount: Fen(2400),
            body: "珍珠奶茶×2".to_owned(),
        })
    );
}

#[test]
fn unknown_barcode_is_reported() {
    let (mut harness, mut runner) = cashier_with_catalogue();

    scan(&mut harness, "6900000000000");

    assert!(
        harness
            .query_by_label_contains("条码 6900000000000 不在商品库中")
            .is_some()
    );
    assert!(harness.query_by_label_contains("购物车").is_some());
    assert_eq!(next_command(&mut runner), Err(TryRecvError::Empty));
}

#[test]
fn off_sale_product_is_not_sold() {
    let (mut harness, runner) = cashier(false);
    let mut catalogue = products();
    catalogue[1].enabled = false;
    push(
        &mut harness,
        &runner,
        Update::CatalogueLoaded {
            products: catalogue,
        },
    );
    assert!(harness.query_by_label_contains("珍珠奶茶").is_some());
    assert!(harness.query_by_label_contains("蛋挞").is_none());

    scan(&mut harness, "6901234567946");

    assert!(
        harness
            .query_by_label_contains("“蛋挞”已停售，没有加入购物车")
            .is_some()
    );
    assert!(harness.query_by_label("增加 蛋挞").is_none());
}

#[test]
fn barcode_typed_into_amount_field_is_scanned() {
    let (mut harness, mut runner) = cashier_with_catalogue();

    type_amount(&mut harness, MILK_TEA_BARCODE);
    harness.key_press(egui::Key::Enter);
    harness.run();

    assert!(harness.query_by_label("增加 珍珠奶茶").is_some());
    assert_eq!(next_command(&mut runner), Err(TryRecvError::Empty));
}

#[test]
fn quick_key_quantity_and_remove_edit_the_cart() {
    let (mut harness, mut runner) = cashier_with_catalogue();

    harness.get_by_label("蛋挞").click();
    harness.run();
    harness.get_by_label("增加 蛋挞").click();
    harness.run();
    harness.get_by_label("珍珠奶茶").click();
    harness.run();
    assert!(harness.query_by_label("应收 ￥25.00").is_some());

    harness.get_by_label("减少 蛋挞").click();
    harness.run();
    harness.get_by_label("删除 珍珠奶茶").click();
    harness.run();

    assert!(harness.query_by_label("删除 珍珠奶茶").is_none());
    let saved = last_saved_cart(&mut runner).unwrap();
    assert_eq!(
        saved.lines,
        vec![SavedCartLine {
            product_id: Some(2),
            name: "蛋挞".to_owned(),
            unit_price: Fen(650),
            quantity: 1,
        }]
    );
}

#[test]
fn discount_free_amount_and_keypad_make_the_total() {
    let (mut harness, mut runner) = cashier_with_catalogue();
    harness.get_by_label("珍珠奶茶").click();
    harness.run();

    for key in ["3", ".", "5"] {
        harness.get_by_label(key).click();
        harness.run();
    }
    harness.get_by_label("整单优惠（元）").click();
    harness.run();
    harness.get_by_label("整单优惠（元）").type_text("0.5");
    harness.run();
    harness.get_by_label("收款").click();
    harness.run();

    assert_eq!(
        next_command(&mut runner),
        Ok(Command::Charge {
            amount: Fen(1500),
            body: "珍珠奶茶、商品".to_owned(),
        })
    );
}

#[test]
fn discount_above_subtotal_is_refused() {
    let (mut harness, mut runner) = cashier(false);
    type_amount(&mut harness, "5");
    harness.get_by_label("整单优惠（元）").click();
    harness.run();
    harness.get_by_label("整单优惠（元）").type_text("5");
    harness.run();
    harness.get_by_label("收款").click();
    harness.run();

    assert!(
        harness
            .query_by_label("优惠金额必须小于小计，请修改优惠")
            .is_some()
    );
    assert_eq!(next_command(&mut runner), Err(TryRecvError::Empty));
}

#[test]
fn saved_cart_is_restored() {
    let (mut harness, mut runner) = cashier_with_catalogue();
    push(
        &mut harness,
        &runner,
        Update::CartRestored(SavedCart {
            lines: vec![SavedCartLine {
                product_id: Some(1),
                name: "珍珠奶茶".to_owned(),
                unit_price: Fen(1200),
                quantity: 3,
            }],
            discount: Fen(0),
            amount_text: String::new(),
            description: "商品".to_owned(),
        }),
    );

    assert!(harness.query_by_label("×3").is_some());
    harness.get_by_label("收款").click();
    harness.run();
    assert_eq!(
        next_command(&mut runner),
        Ok(Command::Charge {
            amount: Fen(3600),
            body: "珍珠奶茶×3".to_owned(),
        })
    );
}

#[test]
fn payment_clears_the_saved_cart() {
    let (mut harness, mut runner) = cashier(false);
    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();
    push(
        &mut harness,
        &runner,
        Update::OrderCreated(pending_order(Duration::seconds(120))),
    );
    push(
        &mut harness,
        &runner,
        Update::Paid {
            out_trade_no: OUT_TRADE_NO.to_owned(),
            transaction_id: TRANSACTION_ID.to_owned(),
            amount: Fen(1990),
        },
    );

    let mut last_cart = None;
    while let Ok(command) = runner.commands.try_recv() {
        if let Command::SaveCart(cart) = command {
            last_cart = Some(cart);
        }
    }
    assert_eq!(last_cart.map(|cart| cart.is_empty()), Some(true));
}

#[test]
fn test_page_button_sends_the_command() {
    let (ui_bridge, mut runner) = bridge_pair();
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            printer_summary: Some("TCP 127.0.0.1:9100".to_owned()),
            ..CashierOptions::default()
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1024.0, 768.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    harness.get_by_label("设置").click();
    harness.run();
    harness.get_by_label("打印").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("TCP 127.0.0.1:9100")
            .is_some()
    );

    harness.get_by_label("打印测试页").click();
    harness.run();
    let mut sent = false;
    while let Ok(command) = runner.commands.try_recv() {
        sent |= command == Command::PrintTestPage;
    }
    assert!(sent);
    push(&mut harness, &runner, Update::TestPagePrinted);
    assert!(harness.query_by_label("测试页已发送到打印机").is_some());
}

#[test]
fn payment_failure_says_what_to_do() {
    let (mut harness, runner) = show_order(false);
    push(
        &mut harness,
        &runner,
        Update::Failed(Problem::GatewayRejected {
            code: "PAYERROR".to_owned(),
            message: "payment failed".to_owned(),
        }),
    );

    assert!(
        harness
            .query_by_label_contains("顾客付款失败，订单已关闭")
            .is_some()
    );
}

#[test]
fn customer_display_shows_the_qr_code_too() {
    let (ui_bridge, mut runner) = bridge_pair();
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            customer_monitor: Some(CustomerMonitor {
                index: 1,
                size: egui::vec2(1024.0, 768.0),
            }),
            merchant_name: "测试小店".to_owned(),
            ..CashierOptions::default()
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1600.0, 1200.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    assert!(harness.state().shows_customer_display());
    assert!(harness.query_by_label("欢迎光临").is_some());

    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();
    assert!(matches!(
        next_command(&mut runner),
        Ok(Command::Charge { .. })
    ));
    push(
        &mut harness,
        &runner,
        Update::OrderCreated(pending_order(Duration::seconds(120))),
    );

    let codes: Vec<_> = harness.query_all_by_label("收款二维码").collect();
    assert_eq!(codes.len(), 2, "cashier and customer QR codes");
    for code in &codes {
        assert_eq!(code.value().as_deref(), Some(CODE_URL));
    }
    assert!(harness.query_by_label("请支付").is_some());
}

#[test]
fn settings_save_names_bad_field() {
    let (mut harness, mut runner) = cashier(false);
    harness.key_press(egui::Key::F10);
    harness.run();
    assert_eq!(harness.state().screen_name(), "settings");

    harness.get_by_label("店铺名称").click();
    harness.run();
    harness.key_press(egui::Key::End);
    harness.get_by_label("店铺名称").type_text("二号店");
    harness.run();
    harness
        .get_by_label("使用真实商户账号（不勾选为演示模式）")
        .click();
    harness.run();
    harness.get_by_label("API 密钥").click();
    harness.run();
    harness.get_by_label("API 密钥").type_text("secret-key");
    harness.run();
    assert_ne!(
        harness.get_by_label("API 密钥").value().as_deref(),
        Some("secret-key"),
        "the API key is masked"
    );
    harness.get_by_label("保存设置").click();
    harness.run();

    let Ok(Command::SaveSettings(form)) = next_command(&mut runner) else {
        panic!("no settings were sent");
    };
    assert_eq!(form.shop_name, "演示商店二号店");
    assert!(form.merchant_enabled);
    assert_eq!(form.api_key, "secret-key");
    assert!(!format!("{form:?}").contains("secret-key"));

    push(
        &mut harness,
        &runner,
        Update::SettingsRejected {
            key: "merchant.appid".to_owned(),
            reason: "is empty".to_owned(),
        },
    );
    assert!(
        harness
            .query_by_label_contains("“公众账号 AppID (merchant.appid)”无效。请修改后再保存")
            .is_some()
    );
    assert!(harness.query_by_label("is empty").is_some());

    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().screen_name(), "entry");
}

#[test]
fn english_settings_and_sale_labels() {
    let (mut harness, _runner) = cashier_with_catalogue();
    harness.get_by_label("English").click();
    harness.run();

    assert!(harness.query_by_label("Scan barcode").is_some());
    assert!(harness.query_by_label("Discount (yuan)").is_some());
    harness.get_by_label("Settings").click();
    harness.run();
    harness.get_by_label("Display").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("Customer display")
            .is_some()
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    harness.get_by_label("简体中文").click();
    harness.run();
    assert!(harness.query_by_label("收款").is_some());
}

#[test]
fn products_page_reloads_catalogue() {
    let (mut harness, mut runner) = cashier_with_catalogue();
    while runner.commands.try_recv().is_ok() {}

    harness.get_by_label("设置").click();
    harness.run();
    harness.get_by_label("商品管理").click();
    harness.run();

    let mut reloaded = false;
    while let Ok(command) = runner.commands.try_recv() {
        reloaded |= command == Command::LoadCatalogue;
    }
    assert!(reloaded);
}
