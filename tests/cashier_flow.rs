//! The cashier screen driven by label against the real app services in demo mode: the
//! embedded simulator, the notification listener on 127.0.0.1 and a SQLite file in a
//! temporary folder.

use std::sync::Arc;
use std::time::{Duration, Instant};

mod printer_support;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use printer_support::{Behaviour, ONLINE, VirtualPrinter, decode, stored_qr_payloads};
use wxpay_pos::app::{ListenerMode, Services, run_commands, start_services};
use wxpay_pos::config::{AppDirs, Settings};
use wxpay_pos::i18n::Lang;
use wxpay_pos::money::Fen;
use wxpay_pos::pin::MIN_PBKDF2_ITERATIONS;
use wxpay_pos::printer::{PrinterTarget, TEST_PAGE_QR_PAYLOAD};
use wxpay_pos::receipt::PaperWidth;
use wxpay_pos::store::OrderState;
use wxpay_pos::ui::bridge::bridge_pair;
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

/// Frames `Harness::run` may take to settle.
const MAX_SETTLE_STEPS: u64 = 32;

struct Running {
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    services: Arc<Services>,
    harness: Harness<'static, CashierApp>,
}

fn start_demo_cashier() -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.database = Some(dir.path().join("pos.sqlite3"));
    settings.storage.receipt_dir = Some(dir.path().join("receipts"));
    let dirs = AppDirs {
        config_file: dir.path().join("config.toml"),
        data_dir: dir.path().to_path_buf(),
    };
    let services = Arc::new(
        runtime
            .block_on(start_services(&settings, &dirs, ListenerMode::Serve))
            .unwrap(),
    );
    assert!(services.is_demo());

    let (ui_bridge, runner_bridge) = bridge_pair();
    runtime.spawn(run_commands(
        runner_bridge,
        Arc::clone(&services),
        Some(dir.path().join("config.toml")),
        Arc::new(|| {}),
    ));
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            demo_mode: true,
            lang: Lang::ZhCn,
            merchant_name: "演示商店".into(),
            ..CashierOptions::default()
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1024.0, 768.0))
        // Updates from the real services arrive between frames, so a burst of repaints can
        // take a few more steps to settle than the default allows.
        .with_max_steps(MAX_SETTLE_STEPS)
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    Running {
        runtime,
        dir,
        services,
        harness,
    }
}

/// Steps the UI until `label` appears, for at most 10 s of wall time.
fn step_until_label(harness: &mut Harness<'static, CashierApp>, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.query_by_label_contains(label).is_none() {
        if Instant::now() >= deadline {
            panic!(
                "{label:?} never appeared on screen {:?}; tree: {:?}",
                harness.state().screen_name(),
                harness.root()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
}

/// Types into the amount field, which the entry screen focuses by itself.
fn type_amount(harness: &mut Harness<'static, CashierApp>, text: &str) {
    if !harness.get_by_label("金额（元）").is_focused() {
        harness.get_by_label("金额（元）").click();
        harness.run();
    }
    harness.get_by_label("金额（元）").type_text(text);
    harness.run();
    assert_eq!(
        harness.get_by_label("金额（元）").value().as_deref(),
        Some(text)
    );
}

#[test]
fn demo_payment_reaches_paid_screen() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    assert!(harness.query_by_label_contains("演示模式").is_some());

    type_amount(&mut harness, "19.90");
    harness.get_by_label("收款").click();
    harness.run();

    step_until_label(&mut harness, "收款二维码");
    let code_url = harness
        .get_by_label("收款二维码")
        .value()
        .unwrap_or_default();
    assert!(
        code_url.starts_with("weixin://wxpay/bizpayurl?pr="),
        "{code_url}"
    );
    assert!(harness.query_by_label_contains("￥19.90").is_some());

    let store = services.service.store();
    let open = store.open_orders().unwrap();
    assert_eq!(open.len(), 1);
    let out_trade_no = open[0].out_trade_no.clone();
    assert_eq!(open[0].code_url.as_deref(), Some(code_url.as_str()));

    harness.get_by_label("模拟顾客付款").click();
    harness.run();
    step_until_label(&mut harness, "支付成功");

    // The screen shows the transaction id that the store committed, once.
    let order = store.order(&out_trade_no).unwrap().unwrap();
    assert_eq!(order.state, OrderState::Paid);
    let transaction_id = order.transaction_id.unwrap();
    assert!(harness.query_by_label_contains(&transaction_id).is_some());
    assert_eq!(store.payment_count(&out_trade_no).unwrap(), 1);
}

#[test]
fn cancel_returns_to_a_new_sale() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    type_amount(&mut harness, "5");
    harness.get_by_label("收款").click();
    harness.run();
    step_until_label(&mut harness, "收款二维码");

    harness.get_by_label("取消").click();
    harness.run();
    step_until_label(&mut harness, "订单已取消");
    assert!(harness.query_by_label("收款二维码").is_none());
    let open = services.service.store().open_orders().unwrap();
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn manual_check_of_unpaid_order_says_not_paid() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    type_amount(&mut harness, "8.80");
    harness.get_by_label("收款").click();
    harness.run();
    step_until_label(&mut harness, "收款二维码");

    harness.get_by_label("查询支付结果").click();
    harness.run();
    step_until_label(&mut harness, "微信支付尚未收到这笔付款");
    assert!(harness.query_by_label_contains("NOTPAY").is_some());
    assert!(harness.query_by_label("收款二维码").is_some());
    let open = services.service.store().open_orders().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        services
            .service
            .store()
            .payment_count(&open[0].out_trade_no)
            .unwrap(),
        0
    );
}

#[test]
fn manual_check_screen_confirms_an_order_from_elsewhere() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    // An order the screen is not following, as one left from before a crash would be.
    let order = runtime
        .block_on(services.service.charge(wxpay_pos::money::Fen(660), "果汁"))
        .unwrap();

    harness.get_by_label("转手工确认").click();
    harness.run();
    step_until_label(&mut harness, &order.out_trade_no);
    harness.get_by_label_contains(&order.out_trade_no).click();
    harness.run();
    step_until_label(&mut harness, "微信支付尚未收到这笔付款");

    // The customer pays and the notification records it; a check then reports the payment
    // with its transaction id instead of showing a new 支付成功.
    let simulator = services.simulator.as_ref().unwrap();
    let transaction_id = simulator.pay(&order.out_trade_no).unwrap();
    let store = services.service.store().clone();
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.payment_count(&order.out_trade_no).unwrap() == 0 {
        assert!(Instant::now() < deadline, "the payment was never recorded");
        std::thread::sleep(Duration::from_millis(20));
    }
    harness.get_by_label_contains(&order.out_trade_no).click();
    harness.run();
    step_until_label(&mut harness, "这笔订单已经收款");
    assert!(harness.query_by_label_contains(&transaction_id).is_some());
    assert!(harness.query_by_label("支付成功").is_none());
    assert_eq!(store.payment_count(&order.out_trade_no).unwrap(), 1);
}

#[test]
fn manual_check_of_unknown_number_says_so() {
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    harness.get_by_label("转手工确认").click();
    harness.run();
    assert!(harness.get_by_label("商户订单号").is_focused());

    type_into(&mut harness, "商户订单号", "20260101000000000000");
    harness.key_press(egui::Key::Enter);
    harness.run();
    step_until_label(&mut harness, "微信支付查不到这个订单号");
    // The field has the keyboard again for the next number.
    assert!(harness.get_by_label("商户订单号").is_focused());
    assert!(
        services
            .service
            .store()
            .order("20260101000000000000")
            .unwrap()
            .is_none()
    );
}

#[test]
fn checkout_slip_without_printer_is_saved_as_pdf() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir,
        services: _services,
        mut harness,
    } = start_demo_cashier();
    type_amount(&mut harness, "12.00");
    harness.get_by_label("收款").click();
    harness.run();
    step_until_label(&mut harness, "收款二维码");

    harness.get_by_label("打印结账单").click();
    harness.run();
    step_until_label(&mut harness, "结账单已保存为 PDF");
    let slips: Vec<_> = std::fs::read_dir(dir.path().join("receipts"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("slip-"))
        .collect();
    assert_eq!(slips.len(), 1, "{slips:?}");
    let pdf = std::fs::read(dir.path().join("receipts").join(&slips[0])).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // The order still waits for the customer.
    assert!(harness.query_by_label("收款二维码").is_some());
}

#[test]
fn scanned_demo_product_is_paid_and_cart_cleared() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    // Demo mode fills an empty catalogue; the milk tea has this barcode.
    step_until_label(&mut harness, "珍珠奶茶");

    harness.get_by_label("扫描条码").click();
    harness.run();
    harness.get_by_label("扫描条码").type_text("6901234567892");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    step_until_label(&mut harness, "增加 珍珠奶茶");

    // The cart is saved as it is edited, so a crash here would keep the sale.
    let store = services.service.store();
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.saved_cart().unwrap().is_none() {
        assert!(Instant::now() < deadline, "cart never saved");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    assert_eq!(store.saved_cart().unwrap().unwrap().lines.len(), 1);

    harness.key_press(egui::Key::F1);
    harness.run();
    step_until_label(&mut harness, "收款二维码");
    let open = store.open_orders().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].body, "珍珠奶茶");
    assert_eq!(open[0].total_fee.fen(), 1200);

    harness.get_by_label("模拟顾客付款").click();
    harness.run();
    step_until_label(&mut harness, "支付成功");
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.saved_cart().unwrap().is_some() {
        assert!(Instant::now() < deadline, "paid cart never cleared");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
}

#[test]
fn settings_are_written_to_the_config_file() {
    // Binding the runtime and folder (not `..`) keeps them alive for the whole test.
    let Running {
        runtime: _runtime,
        dir,
        services: _services,
        mut harness,
    } = start_demo_cashier();
    harness.get_by_label("设置").click();
    harness.run();
    harness.get_by_label("界面").click();
    harness.run();
    harness
        .get_by_label("顾客显示屏：有第二块屏幕时在其上全屏显示金额和二维码")
        .click();
    harness.run();
    harness.get_by_label("保存设置").click();
    harness.run();
    step_until_label(&mut harness, "设置已保存");

    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let saved = Settings::parse(&text).unwrap();
    assert!(!saved.ui.customer_display);
    assert_eq!(saved.ui.language, Some(Lang::ZhCn));
    assert!(saved.merchant.is_none());
}

/// Focuses the field labelled `label` and types `text` into it.
fn type_into(harness: &mut Harness<'static, CashierApp>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// Opens the printer page of the settings screen.
fn open_printer_settings(harness: &mut Harness<'static, CashierApp>) {
    harness.get_by_label("设置").click();
    harness.run();
    harness.get_by_label("打印").click();
    harness.run();
}

#[test]
fn printer_chosen_in_settings_prints_test_page() {
    let Running {
        runtime: _runtime,
        dir,
        services,
        mut harness,
    } = start_demo_cashier();
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: 0,
    });
    open_printer_settings(&mut harness);

    harness.get_by_label("小票打印机（ESC/POS）").click();
    harness.run();
    type_into(
        &mut harness,
        "打印机地址（IP 或 IP:端口，默认端口 9100）",
        &printer.address.to_string(),
    );
    harness.run();
    harness.get_by_label("58 mm").click();
    harness.run();
    harness.get_by_label("保存设置").click();
    harness.run();
    step_until_label(&mut harness, "设置已保存");

    let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    let saved = Settings::parse(&text).unwrap();
    assert_eq!(
        saved.printer.target(),
        &PrinterTarget::Tcp {
            address: printer.address
        }
    );
    assert_eq!(saved.printer.paper(), PaperWidth::Mm58);
    assert_eq!(services.service.printer(), saved.printer);
    assert!(
        harness
            .query_by_label_contains(&format!("TCP {}", printer.address))
            .is_some()
    );

    harness.get_by_label("打印测试页").click();
    harness.run();
    step_until_label(&mut harness, "测试页已发送到打印机");
    let job = printer.finish();
    let qr_payloads = stored_qr_payloads(&decode(&job));
    assert_eq!(qr_payloads, vec![TEST_PAGE_QR_PAYLOAD.to_owned()]);
}

#[test]
fn receipt_print_failure_is_shown_after_payment() {
    let Running {
        runtime: _runtime,
        dir: _dir,
        services,
        mut harness,
    } = start_demo_cashier();
    // A port that was free a moment ago: connections to it are refused, like a printer that
    // is switched off.
    let off = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = off.local_addr().unwrap();
    drop(off);
    let settings = Settings::parse(&format!(
        "[printer]\nkind = \"escpos\"\nconnection = \"tcp\"\naddress = \"{address}\"\nauto_print = true\nstatus_check = false\n"
    ))
    .unwrap();
    services.service.set_printer(settings.printer);

    type_amount(&mut harness, "12.34");
    harness.get_by_label("收款").click();
    harness.run();
    step_until_label(&mut harness, "收款二维码");
    let out_trade_no = services.service.store().open_orders().unwrap()[0]
        .out_trade_no
        .clone();
    harness.get_by_label("模拟顾客付款").click();
    harness.run();
    step_until_label(&mut harness, "支付成功");
    step_until_label(&mut harness, "小票没有打印");
    assert!(
        harness
            .query_by_label_contains(&format!("订单 {out_trade_no} 已收款"))
            .is_some()
    );

    // The payment is kept, and the warning stays on the next sale's screen, even after
    // another notice.
    let order = services
        .service
        .store()
        .order(&out_trade_no)
        .unwrap()
        .unwrap();
    assert_eq!(order.state, OrderState::Paid);
    harness.get_by_label("新的收款").click();
    harness.run();
    assert_eq!(harness.state().screen_name(), "entry");
    type_amount(&mut harness, "0");
    harness.get_by_label("收款").click();
    harness.run();
    assert!(harness.query_by_label_contains("金额必须大于零").is_some());
    assert!(harness.query_by_label_contains("小票没有打印").is_some());

    // Once the printer is back, 补打小票 prints the same receipt and clears the warning.
    let printer = VirtualPrinter::start(Behaviour::Normal {
        status: ONLINE,
        offline_cause: 0,
    });
    let settings = Settings::parse(&format!(
        "[printer]\nkind = \"escpos\"\nconnection = \"tcp\"\naddress = \"{}\"\nauto_print = true\nstatus_check = false\n",
        printer.address
    ))
    .unwrap();
    services.service.set_printer(settings.printer);
    harness.get_by_label("补打小票").click();
    harness.run();
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.query_by_label_contains("小票没有打印").is_some() {
        assert!(Instant::now() < deadline, "the warning never cleared");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    let job = printer.finish();
    let commands = decode(&job);
    let printed_order = commands.iter().any(|command| {
        matches!(command, printer_support::Command::Line(text) if text.contains(&out_trade_no))
    });
    assert!(printed_order, "{commands:?}");
}

#[test]
fn invalid_printer_address_is_rejected_by_name() {
    let Running {
        runtime: _runtime,
        dir,
        services,
        mut harness,
    } = start_demo_cashier();
    open_printer_settings(&mut harness);

    harness.get_by_label("小票打印机（ESC/POS）").click();
    harness.run();
    type_into(
        &mut harness,
        "打印机地址（IP 或 IP:端口，默认端口 9100）",
        "19.9.9",
    );
    harness.run();
    harness.get_by_label("保存设置").click();
    harness.run();
    step_until_label(&mut harness, "设置没有保存：“打印机地址");

    assert!(!dir.path().join("config.toml").exists());
    assert!(!services.service.printer().is_enabled());
    assert!(harness.query_by_label("打印测试页").is_some());
}

#[test]
fn manager_refunds_and_reconciles_paid_order() {
    let Running {
        runtime,
        dir,
        services,
        mut harness,
    } = start_demo_cashier();
    let pin_hash = wxpay_pos::pin::hash_pin_with_iterations("2468", MIN_PBKDF2_ITERATIONS).unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        format!("[manager]\npin_hash = \"{pin_hash}\"\n"),
    )
    .unwrap();

    // A paid order of 19.90, made through the real demo gateway.
    let service = Arc::clone(&services.service);
    let order = runtime.block_on(service.charge(Fen(1990), "奶茶")).unwrap();
    services
        .simulator
        .as_ref()
        .unwrap()
        .pay(&order.out_trade_no)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while service
        .store()
        .order(&order.out_trade_no)
        .unwrap()
        .unwrap()
        .state
        != OrderState::Paid
    {
        assert!(Instant::now() < deadline, "order not paid");
        std::thread::sleep(Duration::from_millis(20));
    }

    harness.get_by_label("管理").click();
    harness.run();
    type_into(&mut harness, "店长密码", "2468");
    harness.get_by_label("进入").click();
    harness.run();
    step_until_label(&mut harness, &order.out_trade_no);
    harness.get_by_label(&order.out_trade_no).click();
    harness.run();
    step_until_label(&mut harness, "申请退款");

    type_into(&mut harness, "退款金额（元）", "5.00");
    harness.get_by_label("退款给顾客").click();
    harness.run();
    step_until_label(&mut harness, "确认原路退还 ￥5.00");
    harness.get_by_label("确认退款").click();
    harness.run();
    step_until_label(&mut harness, "退款 ￥5.00：退款成功");

    let stored = service.store().order(&order.out_trade_no).unwrap().unwrap();
    assert_eq!(stored.state, OrderState::PartlyRefunded);
    let refunds = service.store().refunds_for(&order.out_trade_no).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].refund_fee, Fen(500));

    harness.get_by_label("下载对账单并核对").click();
    harness.run();
    step_until_label(&mut harness, "对账：");
    let today = wxpay_pos::report::report_today();
    let summary = wxpay_pos::reconcile::latest_reconciliation(service.store(), today)
        .unwrap()
        .unwrap();
    assert_eq!(summary.bill_date, today);
    // The screen's day and the bill's day are both Beijing days, so the payment and the
    // refund match unless the test runs across Beijing midnight.
    if wxpay_pos::simulator::bill_day(chrono::Utc::now()) == today {
        assert!(summary.is_clean(), "differences: {:?}", summary.differences);
        assert!(harness.query_by_label("账单与本地记录一致").is_some());
    }
}
