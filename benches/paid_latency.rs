//! Latency from a committed payment to the cashier screen showing 支付成功: the payment is
//! committed through the lifecycle's one confirmation path, the command runner is woken by
//! the committed event, and the egui screen (driven headless by egui_kittest) is stepped
//! until the paid screen is laid out.
//!
//! Run with `cargo bench --bench paid_latency`. Optional argument: number of payments
//! (default 100).

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use wxpay_pos::app::{ListenerMode, run_commands, start_services};
use wxpay_pos::config::{AppDirs, Settings};
use wxpay_pos::i18n::Lang;
use wxpay_pos::store::{PaymentRecord, PaymentSource};
use wxpay_pos::ui::bridge::bridge_pair;
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

/// Frames `Harness::run` may take to settle.
const MAX_SETTLE_STEPS: u64 = 32;

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with("--"))
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(100);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
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
            .expect("services"),
    );
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

    let mut latencies = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // A new sale: type the amount and charge, then wait for the QR code.
        while harness.query_by_label("金额（元）").is_none() {
            harness.get_by_label("新的收款").click();
            harness.run();
        }
        if !harness.get_by_label("金额（元）").is_focused() {
            harness.get_by_label("金额（元）").click();
            harness.run();
        }
        harness.get_by_label("金额（元）").type_text("19.90");
        harness.run();
        harness.get_by_label("收款").click();
        harness.run();
        step_until(&mut harness, "收款二维码");
        let order = services.service.store().open_orders().expect("open orders");
        let out_trade_no = order.last().expect("an open order").out_trade_no.clone();

        let payment = PaymentRecord {
            out_trade_no,
            transaction_id: format!("4200{round:024}"),
            total_fee: wxpay_pos::money::Fen(1990),
            cash_fee: None,
            time_end: "20261204120000".into(),
            source: PaymentSource::Notification,
        };
        runtime
            .block_on(services.service.confirm(payment))
            .expect("confirm");
        let committed = Instant::now();
        step_until(&mut harness, "支付成功");
        latencies.push(committed.elapsed());
    }

    latencies.sort();
    let at = |fraction: f64| latencies[((latencies.len() - 1) as f64 * fraction).round() as usize];
    println!("payments: {rounds}");
    println!(
        "commit to 支付成功 on screen: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        latencies[latencies.len() - 1].as_secs_f64() * 1e3,
    );
    drop(harness);
    drop(services);
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// Steps the screen until `label` is laid out, for at most 10 s.
fn step_until(harness: &mut Harness<'static, CashierApp>, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.query_by_label_contains(label).is_none() {
        assert!(Instant::now() < deadline, "{label:?} never appeared");
        harness.step();
    }
}
