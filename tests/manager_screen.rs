//! The manager screen driven by widget label with egui_kittest, against the real manager
//! backend: the PIN is checked against a hashed PIN in a real configuration file, and the
//! table, totals and detail come from a real SQLite file. Each test plays the command runner
//! by passing the screen's manager commands to `ManagerBackend::handle`.

mod report_support;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use report_support::{SeedOrder, insert_event, insert_notification, insert_order, insert_refund};
use rusqlite::Connection;
use wxpay_pos::app::ManagerBackend;
use wxpay_pos::i18n::Lang;
use wxpay_pos::pin::{MIN_PBKDF2_ITERATIONS, hash_pin_with_iterations};
use wxpay_pos::printer::PrinterSettings;
use wxpay_pos::report::local_range;
use wxpay_pos::store::Store;
use wxpay_pos::ui::bridge::{Command, ManagerUpdate, RunnerBridge, Update, bridge_pair};
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

const PIN: &str = "2468";
const HOUR_MS: i64 = 3_600_000;

struct Screen {
    harness: Harness<'static, CashierApp>,
    runner: RunnerBridge,
    backend: ManagerBackend,
    dir: tempfile::TempDir,
}

/// Today's orders: a tea at 09:00 (refunded in part), a cake at 10:00 and an open order at
/// 11:00. `pin_set` writes the manager PIN to the configuration file.
fn screen(pin_set: bool) -> Screen {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pos.sqlite3");
    let store = Store::open(&path).unwrap();
    let today = wxpay_pos::report::report_today();
    let start = local_range(today, today).unwrap().from_ms;
    let connection = Connection::open(&path).unwrap();
    let orders = [
        (
            "M-tea",
            "奶茶",
            1200,
            "partly_refunded",
            9,
            Some("4200000000000000000000000011"),
        ),
        (
            "M-cake",
            "蛋糕",
            3500,
            "paid",
            10,
            Some("4200000000000000000000000012"),
        ),
        ("M-open", "咖啡", 800, "awaiting_payment", 11, None),
    ];
    for (no, body, fee, state, hour, transaction_id) in orders {
        insert_order(
            &connection,
            &SeedOrder {
                out_trade_no: no,
                body,
                total_fee: fee,
                state,
                created_at_ms: start + hour * HOUR_MS,
                transaction_id,
                ..SeedOrder::default()
            },
        );
    }
    insert_refund(
        &connection,
        "MR-tea",
        "M-tea",
        200,
        "success",
        start + 12 * HOUR_MS,
    );
    insert_event(
        &connection,
        "M-tea",
        None,
        "created",
        "charge",
        start + 9 * HOUR_MS,
    );
    insert_event(
        &connection,
        "M-tea",
        Some("created"),
        "paid",
        "notification",
        start + 9 * HOUR_MS + 1000,
    );
    insert_notification(
        &connection,
        "M-tea",
        "accepted",
        "signature and amount verified",
        start + 9 * HOUR_MS + 1000,
    );

    let config = dir.path().join("config.toml");
    let pin_hash = if pin_set {
        hash_pin_with_iterations(PIN, MIN_PBKDF2_ITERATIONS).unwrap()
    } else {
        String::new()
    };
    std::fs::write(&config, format!("[manager]\npin_hash = \"{pin_hash}\"\n")).unwrap();
    let backend = ManagerBackend::new(
        store,
        Some(config),
        dir.path().join("exports"),
        PrinterSettings::default(),
        "测试小店".to_owned(),
    );

    let (ui_bridge, runner) = bridge_pair();
    let app = CashierApp::new(
        ui_bridge,
        CashierOptions {
            lang: Lang::ZhCn,
            ..CashierOptions::default()
        },
    );
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    harness.run();
    Screen {
        harness,
        runner,
        backend,
        dir,
    }
}

impl Screen {
    /// Runs the screen's manager commands on the backend and shows the updates, until the
    /// screen sends no more.
    fn pump(&mut self) {
        for _ in 0..10 {
            let mut answered = false;
            while let Ok(command) = self.runner.commands.try_recv() {
                if let Command::Manager(command) = command
                    && let Some(update) = self.backend.handle(command)
                {
                    self.runner
                        .updates
                        .try_send(Update::Manager(update))
                        .unwrap();
                    answered = true;
                }
            }
            self.harness.run();
            if !answered {
                return;
            }
        }
    }

    fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).click();
        self.harness.run();
        self.harness.get_by_label(label).type_text(text);
        self.harness.run();
    }

    fn enter_pin(&mut self, pin: &str) {
        self.type_into("店长密码", pin);
        self.harness.get_by_label("进入").click();
        self.harness.run();
        self.pump();
    }

    fn open_manager(&mut self) {
        self.harness.get_by_label("管理").click();
        self.harness.run();
        assert_eq!(self.harness.state().screen_name(), "manager");
    }

    fn unlock(&mut self) {
        self.open_manager();
        self.enter_pin(PIN);
        assert!(self.harness.state().manager_unlocked());
        self.pump();
    }
}

#[test]
fn wrong_pin_is_refused_with_tries_left() {
    let mut screen = screen(true);
    screen.open_manager();
    screen.enter_pin("0000");

    assert!(!screen.harness.state().manager_unlocked());
    assert!(
        screen
            .harness
            .query_by_label("店长密码错误，还可以再试 4 次。")
            .is_some()
    );
    assert!(screen.harness.query_by_label("M-tea").is_none());
}

#[test]
fn repeated_wrong_pins_lock_entry() {
    let mut screen = screen(true);
    screen.open_manager();
    for _ in 0..5 {
        screen.enter_pin("0000");
    }
    assert!(screen.harness.query_by_label_contains("秒后再试").is_some());
    // The right PIN is refused while the lock lasts.
    screen.enter_pin(PIN);
    assert!(!screen.harness.state().manager_unlocked());
}

#[test]
fn missing_pin_keeps_the_screen_shut() {
    let mut screen = screen(false);
    screen.open_manager();
    screen.enter_pin(PIN);
    assert!(!screen.harness.state().manager_unlocked());
    assert!(
        screen
            .harness
            .query_by_label_contains("尚未设置店长密码")
            .is_some()
    );
}

#[test]
fn right_pin_shows_orders_and_totals() {
    let mut screen = screen(true);
    screen.unlock();

    assert_eq!(screen.harness.state().manager_row_count(), 4);
    assert!(screen.harness.query_by_label("M-cake").is_some());
    assert!(screen.harness.query_by_label("收款笔数 2").is_some());
    assert!(screen.harness.query_by_label("收款总额 ￥47.00").is_some());
    assert!(screen.harness.query_by_label("退款总额 ￥2.00").is_some());
    assert!(screen.harness.query_by_label("净收入 ￥45.00").is_some());
    assert!(screen.harness.query_by_label("分时段收款").is_some());
}

#[test]
fn filter_and_search_narrow_the_table() {
    let mut screen = screen(true);
    screen.unlock();

    screen
        .harness
        .get_by_role_and_label(Role::Button, "待支付")
        .click();
    screen.harness.run();
    screen.pump();
    assert_eq!(screen.harness.state().manager_row_count(), 1);
    assert!(screen.harness.query_by_label("M-open").is_some());

    screen
        .harness
        .get_by_role_and_label(Role::Button, "全部")
        .click();
    screen.harness.run();
    screen.pump();
    assert_eq!(screen.harness.state().manager_row_count(), 4);

    screen.type_into("搜索订单号、支付单号或金额", "35");
    screen.pump();
    assert_eq!(screen.harness.state().manager_row_count(), 1);
    assert!(screen.harness.query_by_label("M-cake").is_some());
}

#[test]
fn bad_amount_filter_keeps_rows() {
    let mut screen = screen(true);
    screen.unlock();
    screen.type_into("最低金额（元）", "abc");
    screen.pump();
    assert!(
        screen
            .harness
            .query_by_label("金额筛选无效，请输入如 19.90 的金额。")
            .is_some()
    );
    assert_eq!(screen.harness.state().manager_row_count(), 4);
}

#[test]
fn detail_panel_shows_history_and_notifications() {
    let mut screen = screen(true);
    screen.unlock();

    screen.harness.get_by_label("M-tea").click();
    screen.harness.run();
    screen.pump();

    assert!(screen.harness.query_by_label("状态记录").is_some());
    assert!(
        screen
            .harness
            .query_by_label_contains("已创建 → 已支付")
            .is_some()
    );
    assert!(
        screen
            .harness
            .query_by_label_contains("已接受  signature and amount verified")
            .is_some()
    );
    assert!(
        screen
            .harness
            .query_by_label_contains("MR-tea  -2.00  退款成功")
            .is_some()
    );
}

#[test]
fn refund_over_remainder_is_rejected() {
    let mut screen = screen(true);
    screen.unlock();
    screen.harness.get_by_label("M-tea").click();
    screen.harness.run();
    screen.pump();
    assert!(screen.harness.query_by_label("可退金额：￥10.00").is_some());

    screen.type_into("退款金额（元）", "10.01");
    screen.harness.get_by_label("退款给顾客").click();
    screen.harness.run();
    assert!(
        screen
            .harness
            .query_by_label_contains("退款金额超过可退金额 ￥10.00")
            .is_some()
    );
    assert!(screen.harness.query_by_label("确认退款").is_none());

    screen.harness.get_by_label("退款金额（元）").click();
    screen.harness.run();
    screen
        .harness
        .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    screen
        .harness
        .get_by_label("退款金额（元）")
        .type_text("10.00");
    screen.harness.run();
    screen.harness.get_by_label("退款给顾客").click();
    screen.harness.run();
    assert!(
        screen
            .harness
            .query_by_label_contains("确认原路退还 ￥10.00")
            .is_some()
    );
    assert!(screen.harness.query_by_label("确认退款").is_some());
}

#[test]
fn date_picker_sets_range_in_chinese() {
    use chrono::{Datelike as _, Months};

    let mut screen = screen(true);
    screen.unlock();
    let today = wxpay_pos::report::report_today();
    let last_month = today.with_day(1).unwrap() - Months::new(1);

    screen
        .harness
        .get_by_label(&format!("开始日期 {today}"))
        .click();
    screen.harness.run();
    let title = format!("{}年{}月", today.year(), today.month());
    assert!(screen.harness.query_by_label(&title).is_some());
    assert!(screen.harness.query_by_label("一").is_some());

    // Esc closes the calendar, not the manager screen.
    screen.harness.key_press(egui::Key::Escape);
    screen.harness.run();
    assert_eq!(screen.harness.state().screen_name(), "manager");
    assert!(screen.harness.query_by_label("上个月").is_none());
    screen
        .harness
        .get_by_label(&format!("开始日期 {today}"))
        .click();
    screen.harness.run();

    screen.harness.get_by_label("上个月").click();
    screen.harness.run();
    let title = format!("{}年{}月", last_month.year(), last_month.month());
    assert!(screen.harness.query_by_label(&title).is_some());
    screen.harness.get_by_label(&last_month.to_string()).click();
    screen.harness.run();
    screen.pump();

    assert!(screen.harness.query_by_label("上个月").is_none());
    assert!(
        screen
            .harness
            .query_by_label(&format!("开始日期 {last_month}"))
            .is_some()
    );
    // The seeded orders of today are still in the wider range.
    assert_eq!(screen.harness.state().manager_row_count(), 4);

    // An end picked before the start pulls the start back with it.
    let earlier = last_month - Months::new(1);
    screen
        .harness
        .get_by_label(&format!("结束日期 {today}"))
        .click();
    screen.harness.run();
    screen.harness.get_by_label("上个月").click();
    screen.harness.run();
    screen.harness.get_by_label("上个月").click();
    screen.harness.run();
    screen.harness.get_by_label(&earlier.to_string()).click();
    screen.harness.run();
    assert!(
        screen
            .harness
            .query_by_label(&format!("开始日期 {earlier}"))
            .is_some()
    );
    assert!(
        screen
            .harness
            .query_by_label(&format!("结束日期 {earlier}"))
            .is_some()
    );
}

#[test]
fn clicking_any_cell_opens_detail() {
    let mut screen = screen(true);
    screen.unlock();
    let today = wxpay_pos::report::report_today();
    let tea_time = format!("{today} 09:00:00");
    let cells = [tea_time.as_str(), "12.00", "部分退款"];

    for cell in cells {
        screen.harness.get_by_label("M-cake").click();
        screen.harness.run();
        screen.pump();
        assert!(screen.harness.query_by_label("可退金额：￥35.00").is_some());

        screen.harness.get_by_label(cell).click();
        screen.harness.run();
        screen.pump();
        assert!(
            screen.harness.query_by_label("可退金额：￥10.00").is_some(),
            "a click on {cell:?} did not open the tea order"
        );
    }
}

#[test]
fn failure_shows_only_screen_language() {
    let mut screen = screen(true);
    screen.unlock();
    screen
        .runner
        .updates
        .try_send(Update::Manager(ManagerUpdate::FailedIn {
            zh: "退款金额超过可退金额".to_owned(),
            en: "The refund is more than what is left".to_owned(),
        }))
        .unwrap();
    screen.harness.run();

    assert!(
        screen
            .harness
            .query_by_label("操作失败：退款金额超过可退金额")
            .is_some()
    );
    assert!(
        screen
            .harness
            .query_by_label_contains("The refund is more")
            .is_none()
    );
}

#[test]
fn refresh_shows_sales_made_elsewhere() {
    let mut screen = screen(true);
    screen.unlock();
    assert_eq!(screen.harness.state().manager_row_count(), 4);

    // A sale recorded by another process (the listener, a second till) after the load.
    let today = wxpay_pos::report::report_today();
    let start = local_range(today, today).unwrap().from_ms;
    let connection = Connection::open(screen.dir.path().join("pos.sqlite3")).unwrap();
    insert_order(
        &connection,
        &SeedOrder {
            out_trade_no: "M-late",
            body: "可颂",
            total_fee: 900,
            state: "paid",
            created_at_ms: start + 13 * HOUR_MS,
            transaction_id: Some("4200000000000000000000000013"),
            ..SeedOrder::default()
        },
    );
    screen.pump();
    assert_eq!(screen.harness.state().manager_row_count(), 4);

    screen.harness.get_by_label("刷新").click();
    screen.harness.run();
    screen.pump();
    assert_eq!(screen.harness.state().manager_row_count(), 5);
    assert!(screen.harness.query_by_label("M-late").is_some());
}

#[test]
fn csv_export_shows_saved_path() {
    let mut screen = screen(true);
    screen.unlock();
    screen.harness.get_by_label("导出 CSV").click();
    screen.harness.run();
    screen.pump();

    let today = wxpay_pos::report::report_today();
    let path = screen
        .dir
        .path()
        .join("exports")
        .join(format!("orders-{today}.csv"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("M-cake"));
    assert!(
        screen
            .harness
            .query_by_label(&format!("已保存到 {}", path.display()))
            .is_some()
    );
}

#[test]
fn leaving_locks_the_screen_again() {
    let mut screen = screen(true);
    screen.unlock();
    screen.harness.get_by_label("退出管理").click();
    screen.harness.run();
    screen.pump();
    assert_eq!(screen.harness.state().screen_name(), "entry");

    screen.open_manager();
    assert!(!screen.harness.state().manager_unlocked());
    assert!(screen.harness.query_by_label("店长密码").is_some());
}

#[test]
fn settings_send_new_manager_pin() {
    let mut screen = screen(false);
    screen.harness.get_by_label("设置").click();
    screen.harness.run();
    screen.harness.get_by_label("界面").click();
    screen.harness.run();
    screen.type_into("店长密码（4–12 位数字）", "1357");
    screen.harness.get_by_label("保存设置").click();
    screen.harness.run();

    let mut sent = None;
    while let Ok(command) = screen.runner.commands.try_recv() {
        if let Command::SaveSettings(form) = command {
            sent = Some(form);
        }
    }
    let form = sent.expect("no settings were sent");
    assert_eq!(form.manager_pin, "1357");
    assert!(!format!("{form:?}").contains("1357"));
}
