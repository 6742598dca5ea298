//! Measures the manager's reports on a year of data: 1,000,000 orders over the 365 local days
//! ending today, with their payments and about 3% refunds, in a real SQLite file.
//! Run with `cargo bench --bench manager_reports`.
//!
//! The file is generated once into `target/bench-data/` and reused while its date matches.
//! Three numbers are printed: the day view's load (the listing, totals and hours the manager
//! screen requests), a year's totals and hours, and one frame of the manager screen while the
//! day's table scrolls, stepped by the egui_kittest harness without a GPU (layout,
//! tessellation and the accessibility tree, but no rendering).

#[path = "../tests/report_support/mod.rs"]
mod report_support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use rusqlite::{Connection, params};
use wxpay_pos::app::ManagerBackend;
use wxpay_pos::pin::{MIN_PBKDF2_ITERATIONS, hash_pin_with_iterations};
use wxpay_pos::printer::PrinterSettings;
use wxpay_pos::report::{local_offset_secs, local_range};
use wxpay_pos::store::{ListQuery, Store};
use wxpay_pos::ui::bridge::{Command, RunnerBridge, Update, bridge_pair};
use wxpay_pos::ui::{CashierApp, install_fonts};

const ORDER_COUNT: i64 = 1_000_000;
const DAYS: i64 = 365;
const PIN: &str = "2468";
const DAY_SAMPLES: usize = 30;
const YEAR_SAMPLES: usize = 5;
const WARM_UP_FRAMES: usize = 20;
const MEASURED_FRAMES: usize = 300;
/// Opening hours over which each day's orders are spread: 08:00 to 22:00 local time.
const OPEN_MS: i64 = 8 * 3_600_000;
const OPEN_SPAN_MS: i64 = 14 * 3_600_000;

fn main() {
    let today = wxpay_pos::report::report_today();
    let first_day = today.checked_sub_days(Days::new(DAYS as u64 - 1)).unwrap();
    let path = bench_file(today);
    if !path.exists() {
        generate(&path, first_day);
    }
    let store = Store::open(&path).unwrap();

    day_view(&store, first_day);
    year_totals(&store, first_day, today);
    frames(store, &path);
}

fn bench_file(today: NaiveDate) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("manager-{ORDER_COUNT}-{today}.sqlite3"))
}

/// Writes the orders day by day in one transaction, into a temporary name renamed at the end,
/// so an interrupted run leaves no half-filled file under the final name.
fn generate(path: &Path, first_day: NaiveDate) {
    let started = Instant::now();
    let temp = path.with_extension("partial");
    let _ = std::fs::remove_file(&temp);
    drop(Store::open(&temp).unwrap());
    let mut connection = Connection::open(&temp).unwrap();
    connection
        .pragma_update(None, "synchronous", "OFF")
        .unwrap();
    let transaction = connection.transaction().unwrap();
    {
        let mut insert_order = transaction
            .prepare(
                "INSERT INTO orders (out_trade_no, body, total_fee, state, nonce_str, time_start,
                     time_expire, expires_at_ms, created_at_ms, updated_at_ms, sale_id, terminal,
                     transaction_id)
                 VALUES (?1, ?2, ?3, ?4, 'nonce', '20250101000000', '20250101020000',
                     ?5 + 7200000, ?5, ?5, ?1, ?6, ?7)",
            )
            .unwrap();
        let mut insert_payment = transaction
            .prepare(
                "INSERT INTO payments (out_trade_no, transaction_id, total_fee, cash_fee, time_end,
                     source, recorded_at_ms)
                 VALUES (?1, ?2, ?3, ?3, '20250101000100', 'notification', ?4)",
            )
            .unwrap();
        let mut insert_refund = transaction
            .prepare(
                "INSERT INTO refunds (out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str,
                     state, created_at_ms, updated_at_ms)
                 VALUES (?1, ?2, ?3, ?4, 'nonce', 'success', ?5, ?5)",
            )
            .unwrap();

        let bodies = ["奶茶", "咖啡", "蛋糕", "面包", "果汁", "套餐"];
        for index in 0..ORDER_COUNT {
            let day = index * DAYS / ORDER_COUNT;
            let date = first_day.checked_add_days(Days::new(day as u64)).unwrap();
            let day_start = local_range(date, date).unwrap().from_ms;
            let per_day = ORDER_COUNT / DAYS;
            let slot = index % per_day.max(1);
            let created = day_start + OPEN_MS + slot * OPEN_SPAN_MS / per_day.max(1);
            let out_trade_no = format!("{}{index:08}", date.format("%Y%m%d"));
            let total_fee = 100 + (index * 7919) % 20_000;
            let roll = index % 100;
            let state = match roll {
                0..=84 => "paid",
                85..=86 => "partly_refunded",
                87 => "refunded",
                88..=92 => "closed",
                93..=97 => "expired",
                98 => "failed",
                _ => "awaiting_payment",
            };
            let paid = roll <= 87;
            let transaction_id = paid.then(|| format!("42000{index:023}"));
            insert_order
                .execute(params![
                    out_trade_no,
                    bodies[(index % 6) as usize],
                    total_fee,
                    state,
                    created,
                    format!("POS0{}", index % 3 + 1),
                    transaction_id,
                ])
                .unwrap();
            if let Some(transaction_id) = &transaction_id {
                insert_payment
                    .execute(params![
                        out_trade_no,
                        transaction_id,
                        total_fee,
                        created + 30_000
                    ])
                    .unwrap();
            }
            if roll == 85 || roll == 86 || roll == 87 {
                let refund_fee = if roll == 87 { total_fee } else { total_fee / 2 };
                insert_refund
                    .execute(params![
                        format!("R{out_trade_no}"),
                        out_trade_no,
                        refund_fee.max(1),
                        total_fee,
                        created + 600_000
                    ])
                    .unwrap();
            }
        }
    }
    transaction.commit().unwrap();
    connection.execute_batch("ANALYZE;").unwrap();
    drop(connection);
    std::fs::rename(&temp, path).unwrap();
    println!(
        "generated {ORDER_COUNT} orders in {:?} into {}",
        started.elapsed(),
        path.display()
    );
}

fn summary(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let count = samples.len();
    let total: Duration = samples.iter().sum();
    println!(
        "{name}: {count} runs, mean {:?}, median {:?}, max {:?}",
        total / count as u32,
        samples[count / 2],
        samples[count - 1]
    );
}

/// Times the manager screen's load of one day: listing, totals and hours, as
/// `ManagerBackend` runs it, on days spread over the year.
fn day_view(store: &Store, first_day: NaiveDate) {
    let mut samples = Vec::with_capacity(DAY_SAMPLES);
    let mut rows = 0;
    for sample in 0..DAY_SAMPLES {
        let offset = (sample as u64 * 12) % DAYS as u64;
        let date = first_day.checked_add_days(Days::new(offset)).unwrap();
        let range = local_range(date, date).unwrap();
        let started = Instant::now();
        let listing = store.list_range(range, &ListQuery::default()).unwrap();
        let (totals, hours) = store
            .range_summary(range, local_offset_secs(range.from_ms))
            .unwrap();
        samples.push(started.elapsed());
        assert!(totals.paid_count > 0 && hours.iter().any(|hour| hour.paid_count > 0));
        rows = listing.rows.len();
    }
    summary(&format!("day view load ({rows} rows a day)"), samples);

    let mut searched = Vec::with_capacity(DAY_SAMPLES);
    for sample in 0..DAY_SAMPLES {
        let date = first_day
            .checked_add_days(Days::new(sample as u64 * 12 % DAYS as u64))
            .unwrap();
        let range = local_range(date, date).unwrap();
        let query = ListQuery {
            search: "12.34".to_owned(),
            ..ListQuery::default()
        };
        let started = Instant::now();
        store.list_range(range, &query).unwrap();
        searched.push(started.elapsed());
    }
    summary("day view search by amount", searched);
}

fn year_totals(store: &Store, first_day: NaiveDate, today: NaiveDate) {
    let range = local_range(first_day, today).unwrap();
    let mut samples = Vec::with_capacity(YEAR_SAMPLES);
    let mut paid = 0;
    for _ in 0..YEAR_SAMPLES {
        let started = Instant::now();
        let (totals, _hours) = store
            .range_summary(range, local_offset_secs(range.from_ms))
            .unwrap();
        samples.push(started.elapsed());
        paid = totals.paid_count;
    }
    summary(
        &format!("year totals and hours ({paid} paid orders)"),
        samples,
    );
}

/// Runs the screen's manager commands on the backend until it sends no more.
fn pump(
    harness: &mut Harness<'static, CashierApp>,
    runner: &mut RunnerBridge,
    backend: &ManagerBackend,
) {
    for _ in 0..10 {
        let mut answered = false;
        while let Ok(command) = runner.commands.try_recv() {
            if let Command::Manager(command) = command
                && let Some(update) = backend.handle(command)
            {
                runner.updates.try_send(Update::Manager(update)).unwrap();
                answered = true;
            }
        }
        harness.run();
        if !answered {
            return;
        }
    }
}

fn frames(store: Store, path: &Path) {
    let config = path.with_extension("toml");
    let pin_hash = hash_pin_with_iterations(PIN, MIN_PBKDF2_ITERATIONS).unwrap();
    std::fs::write(&config, format!("[manager]\npin_hash = \"{pin_hash}\"\n")).unwrap();
    let backend = ManagerBackend::new(
        store,
        Some(config),
        std::env::temp_dir(),
        PrinterSettings::default(),
        "测试小店".to_owned(),
    );
    let (ui_bridge, mut runner) = bridge_pair();
    let app = CashierApp::new(ui_bridge, wxpay_pos::ui::CashierOptions::default());
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();

    harness.get_by_label("管理").click();
    harness.run();
    harness.get_by_label("店长密码").click();
    harness.run();
    harness.get_by_label("店长密码").type_text(PIN);
    harness.run();
    harness.get_by_label("进入").click();
    harness.run();
    pump(&mut harness, &mut runner, &backend);
    assert!(harness.state().manager_unlocked());
    let rows = harness.state().manager_row_count();
    assert!(rows > 1000, "today has {rows} rows");

    let prefix = wxpay_pos::report::report_today()
        .format("%Y%m%d")
        .to_string();
    let visible_orders = |harness: &Harness<'static, CashierApp>| -> Vec<String> {
        harness
            .query_all_by_label_contains(&prefix)
            .filter_map(|node| node.accesskit_node().label().map(|label| label.to_string()))
            .collect()
    };
    let before = visible_orders(&harness);
    assert!(!before.is_empty(), "no order of today is in view");
    let table_point = egui::Pos2::new(300.0, 650.0);
    harness.hover_at(table_point);
    let scroll = |harness: &mut Harness<'static, CashierApp>| {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::Vec2::new(0.0, -60.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        harness.step();
    };
    for _ in 0..WARM_UP_FRAMES {
        scroll(&mut harness);
    }
    let mut samples = Vec::with_capacity(MEASURED_FRAMES);
    for _ in 0..MEASURED_FRAMES {
        let started = Instant::now();
        scroll(&mut harness);
        samples.push(started.elapsed());
    }
    harness.run();
    let after = visible_orders(&harness);
    assert!(
        !after.is_empty() && before.iter().all(|label| !after.contains(label)),
        "the table did not scroll away from its first rows"
    );
    summary(
        &format!("manager frame while scrolling a day of {rows} rows"),
        samples,
    );
}
