//! A paid product QR sale (Native mode 1) on the cashier screen, driven by label with
//! egui_kittest: scripted updates for the idle and mid-sale cases, and the real demo services
//! (embedded simulator, listener on 127.0.0.1, SQLite in a temporary folder) for a scan that
//! the customer pays.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wxpay_pos::app::{ListenerMode, run_commands, start_services};
use wxpay_pos::config::{AppDirs, Settings};
use wxpay_pos::i18n::{Lang, scan_sale_paid_text};
use wxpay_pos::money::Fen;
use wxpay_pos::simulator::ScanForm;
use wxpay_pos::store::{OrderState, ProductDraft};
use wxpay_pos::ui::bridge::{Command, RunnerBridge, Update, bridge_pair};
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

const TRANSACTION_ID: &str = "4200001234202501011234567890";

fn harness_for(app: CashierApp) -> Harness<'static, CashierApp> {
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1024.0, 768.0))
        .with_max_steps(32)
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    harness
}

fn cashier() -> (Harness<'static, CashierApp>, RunnerBridge) {
    let (ui_bridge, runner) = bridge_pair();
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            lang: Lang::ZhCn,
            ..CashierOptions::default()
        },
    );
    (harness_for(app), runner)
}

fn scan_sale() -> Update {
    Update::ScanSalePaid {
        out_trade_no: "20261204120000123456".into(),
        transaction_id: TRANSACTION_ID.into(),
        amount: Fen(1500),
        body: "美式咖啡".into(),
    }
}

#[test]
fn idle_counter_shows_scan_sale_as_paid() {
    let (mut harness, runner) = cashier();

    runner.updates.try_send(scan_sale()).unwrap();
    harness.run();

    assert_eq!(harness.state().screen_name(), "paid");
    assert!(harness.query_by_label("支付成功").is_some());
    assert!(harness.query_by_label("￥15.00").is_some());
    assert!(harness.query_by_label(TRANSACTION_ID).is_some());
    let notice = scan_sale_paid_text(Lang::ZhCn, "美式咖啡", Fen(1500));
    assert_eq!(notice, "扫码购买已付款：美式咖啡 ￥15.00");
    assert!(harness.query_by_label(&notice).is_some());
}

#[test]
fn sale_in_progress_gets_a_notice_only() {
    let (mut harness, mut runner) = cashier();
    harness.get_by_label("金额（元）").click();
    harness.run();
    harness.get_by_label("金额（元）").type_text("5");
    harness.run();

    runner.updates.try_send(scan_sale()).unwrap();
    harness.run();

    assert_eq!(harness.state().screen_name(), "entry");
    let notice = scan_sale_paid_text(Lang::ZhCn, "美式咖啡", Fen(1500));
    assert!(harness.query_by_label(&notice).is_some());

    // The typed amount survived: charging sends it.
    harness.get_by_label("收款").click();
    harness.run();
    let charge = loop {
        match runner.commands.try_recv().unwrap() {
            Command::LoadCatalogue | Command::SaveCart(_) => continue,
            command => break command,
        }
    };
    assert!(
        matches!(
            charge,
            Command::Charge {
                amount: Fen(500),
                ..
            }
        ),
        "{charge:?}"
    );
}

#[test]
fn english_notice_names_product_and_amount() {
    assert_eq!(
        scan_sale_paid_text(Lang::En, "Latte", Fen(1800)),
        "Product QR sale paid: Latte ¥18.00"
    );
}

#[test]
fn real_scan_payment_reaches_the_screen() {
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
    let product = services
        .service
        .store()
        .save_product(&ProductDraft {
            name: "手冲咖啡".into(),
            price: Fen(2600),
            ..ProductDraft::default()
        })
        .unwrap();

    let (ui_bridge, runner_bridge) = bridge_pair();
    runtime.spawn(run_commands(
        runner_bridge,
        Arc::clone(&services),
        None,
        Arc::new(|| {}),
    ));
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            demo_mode: true,
            lang: Lang::ZhCn,
            ..CashierOptions::default()
        },
    );
    let mut harness = harness_for(app);

    let simulator = services.simulator.as_ref().unwrap();
    let outcome = runtime
        .block_on(simulator.scan(&ScanForm {
            product_id: Some(product.id.to_string()),
            pay: true,
            ..ScanForm::default()
        }))
        .unwrap();

    let notice = scan_sale_paid_text(Lang::ZhCn, "手冲咖啡", Fen(2600));
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.query_by_label(&notice).is_none() {
        assert!(
            Instant::now() < deadline,
            "the scan sale never appeared; screen {:?}",
            harness.state().screen_name()
        );
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    assert_eq!(harness.state().screen_name(), "paid");
    let order = runtime
        .block_on(services.service.order(&outcome.out_trade_no))
        .unwrap()
        .unwrap();
    assert_eq!(order.state, OrderState::Paid);
    assert!(harness.query_by_label(&outcome.out_trade_no).is_some());
}
