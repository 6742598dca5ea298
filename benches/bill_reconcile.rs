//! Parses and reconciles a 100,000-line bill against a SQLite file holding the same day,
//! and reports the time and the peak memory.
//!
//! Run with `cargo bench --bench bill_reconcile`. The simulator's renderer makes the bill
//! (95,000 payments and 5,000 refunds, current layout). The database gets the matching
//! orders, payments and refunds, with a few rows changed so that every kind of difference
//! occurs. The timed part is `reconcile_bill_text`: parse, read the local
//! records, compare and save. Peak heap is counted by a global allocator over the timed part;
//! `VmHWM` from /proc/self/status is the whole process's peak resident memory, set-up included.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeDelta};
use wxpay_pos::money::Fen;
use wxpay_pos::protocol::bill::BillType;
use wxpay_pos::protocol::bill_parse::{BillLayout, parse_bill};
use wxpay_pos::protocol::messages::{format_protocol_time, parse_protocol_time};
use wxpay_pos::reconcile::{compare, load_local_records, reconcile_bill_text};
use wxpay_pos::simulator::{BillPayment, BillRefund, render_bill};
use wxpay_pos::store::Store;

const BILL_LINES: usize = 100_000;
const REFUND_LINES: usize = 5_000;
const PAYMENT_LINES: usize = BILL_LINES - REFUND_LINES;
/// Local rows changed so that each kind of difference appears this many times.
const CHANGED_ROWS: usize = 10;
const RUNS: usize = 5;
/// The targets: under 1 s and 200 MB.
const TIME_TARGET: Duration = Duration::from_secs(1);
const MEMORY_TARGET_BYTES: usize = 200 * 1024 * 1024;

/// Counts live heap bytes and their peak.
struct CountingAllocator;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static PEAK_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's valid layout to the system allocator.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK_BYTES.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: the pointer came from `alloc` with this layout.
        unsafe { System.dealloc(pointer, layout) };
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() {
    let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let midnight = parse_protocol_time("20261204000000").unwrap();
    let payments: Vec<BillPayment> = (0..PAYMENT_LINES)
        .map(|index| {
            let second = i64::try_from(index % 86_400).unwrap();
            BillPayment {
                appid: "wx2421b1c4370ec43b".into(),
                mch_id: "10000100".into(),
                device_info: "POS01".into(),
                transaction_id: format!("4200000001{index:018}"),
                out_trade_no: format!("B{index:010}"),
                openid: "oUpF8uMEb4qRXf22hE3X68TekukE".into(),
                paid_at: midnight + TimeDelta::seconds(second),
                total_fee: Fen(100 + i64::try_from(index % 5_000).unwrap()),
                body: "奶茶, 大杯".into(),
                attach: String::new(),
            }
        })
        .collect();
    let refunds: Vec<BillRefund> = (0..REFUND_LINES)
        .map(|index| {
            let paid = &payments[index];
            BillRefund {
                appid: paid.appid.clone(),
                mch_id: paid.mch_id.clone(),
                device_info: paid.device_info.clone(),
                transaction_id: paid.transaction_id.clone(),
                out_trade_no: paid.out_trade_no.clone(),
                openid: paid.openid.clone(),
                refund_id: format!("5000000001{index:018}"),
                out_refund_no: format!("R{index:010}"),
                refund_fee: Fen(50),
                refund_status: "SUCCESS".into(),
                requested_at: paid.paid_at,
                succeeded_at: Some(paid.paid_at + TimeDelta::seconds(60)),
                body: paid.body.clone(),
                attach: String::new(),
            }
        })
        .collect();
    let text = render_bill(BillType::All, BillLayout::Current, &payments, &refunds);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    fill_database(&dir.path().join("bench.sqlite3"), &payments, &refunds);
    drop(payments);
    drop(refunds);
    println!(
        "bill: {BILL_LINES} lines ({PAYMENT_LINES} payments, {REFUND_LINES} refunds), {:.1} MiB of text",
        text.len() as f64 / (1024.0 * 1024.0)
    );

    let mut parse_times = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let bill = parse_bill(&text).unwrap();
        parse_times.push(started.elapsed());
        assert_eq!(bill.rows.len(), BILL_LINES);
    }

    let mut times = Vec::new();
    let mut peak_heap = 0;
    for _ in 0..RUNS {
        PEAK_BYTES.store(LIVE_BYTES.load(Ordering::Relaxed), Ordering::Relaxed);
        let before = LIVE_BYTES.load(Ordering::Relaxed);
        let started = Instant::now();
        let summary = reconcile_bill_text(&store, day, BillType::All, Some(&text)).unwrap();
        times.push(started.elapsed());
        peak_heap = peak_heap.max(PEAK_BYTES.load(Ordering::Relaxed) - before);

        assert_eq!(summary.bill_rows, BILL_LINES as u64);
        assert_eq!(summary.counts.amount_mismatch, CHANGED_ROWS as u64);
        assert_eq!(summary.counts.missing_locally, CHANGED_ROWS as u64);
        assert_eq!(summary.counts.missing_in_bill, CHANGED_ROWS as u64);
        assert_eq!(
            summary.counts.matched,
            (BILL_LINES - 2 * CHANGED_ROWS) as u64
        );
    }

    // One run split into its steps, to show where the time goes.
    let bill = parse_bill(&text).unwrap();
    let started = Instant::now();
    let local = load_local_records(&store, day, &bill.rows).unwrap();
    let load_time = started.elapsed();
    let started = Instant::now();
    let comparison = compare(&bill.rows, BillType::All, &local);
    let compare_time = started.elapsed();
    assert_eq!(comparison.differences.len(), 3 * CHANGED_ROWS);

    parse_times.sort_unstable();
    times.sort_unstable();
    let median = times[RUNS / 2];
    println!(
        "parse only:               median {:>8.1} ms, min {:>8.1} ms",
        millis(parse_times[RUNS / 2]),
        millis(parse_times[0])
    );
    println!(
        "parse + reconcile + save: median {:>8.1} ms, min {:>8.1} ms, max {:>8.1} ms ({RUNS} runs)",
        millis(median),
        millis(times[0]),
        millis(times[RUNS - 1])
    );
    println!(
        "one run's steps: read local records {:.1} ms, compare {:.1} ms",
        millis(load_time),
        millis(compare_time)
    );
    println!(
        "peak heap during reconcile_bill_text: {:.1} MiB",
        peak_heap as f64 / (1024.0 * 1024.0)
    );
    match vm_hwm_kib() {
        Some(kib) => println!(
            "process peak resident memory (VmHWM, set-up included): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("process peak resident memory: /proc/self/status not readable"),
    }
    println!(
        "targets: under {} ms and {} MiB: {}",
        TIME_TARGET.as_millis(),
        MEMORY_TARGET_BYTES / (1024 * 1024),
        if median < TIME_TARGET && peak_heap < MEMORY_TARGET_BYTES {
            "met"
        } else {
            "NOT met"
        }
    );
}

/// Inserts the local side in one transaction: every bill payment and refund, except that
/// `CHANGED_ROWS` payments are left out (missing locally), `CHANGED_ROWS` have another amount,
/// and `CHANGED_ROWS` extra payments of the day exist only here (missing in the bill).
fn fill_database(path: &std::path::Path, payments: &[BillPayment], refunds: &[BillRefund]) {
    let mut connection = rusqlite::Connection::open(path).unwrap();
    let transaction = connection.transaction().unwrap();
    {
        let mut order = transaction
            .prepare(
                "INSERT INTO orders (out_trade_no, body, total_fee, state, nonce_str, time_start,
                     time_expire, expires_at_ms, transaction_id, created_at_ms, updated_at_ms,
                     sale_id)
                 VALUES (?1, 'bench', ?2, 'paid', 'nonce', ?3, ?3, 0, ?4, 0, 0, ?1)",
            )
            .unwrap();
        let mut payment = transaction
            .prepare(
                "INSERT INTO payments (out_trade_no, transaction_id, total_fee, time_end, source,
                     recorded_at_ms)
                 VALUES (?1, ?2, ?3, ?4, 'notification', 0)",
            )
            .unwrap();
        let skipped = payments.len() - CHANGED_ROWS..payments.len();
        let changed = payments.len() - 2 * CHANGED_ROWS..payments.len() - CHANGED_ROWS;
        for (index, paid) in payments.iter().enumerate() {
            if skipped.contains(&index) {
                continue;
            }
            let fee = if changed.contains(&index) {
                paid.total_fee.fen() + 1
            } else {
                paid.total_fee.fen()
            };
            let time = format_protocol_time(paid.paid_at);
            order
                .execute(rusqlite::params![
                    paid.out_trade_no,
                    fee,
                    time,
                    paid.transaction_id
                ])
                .unwrap();
            payment
                .execute(rusqlite::params![
                    paid.out_trade_no,
                    paid.transaction_id,
                    fee,
                    time
                ])
                .unwrap();
        }
        for extra in 0..CHANGED_ROWS {
            let out_trade_no = format!("LOCAL{extra:05}");
            let transaction_id = format!("4200000009{extra:018}");
            order
                .execute(rusqlite::params![
                    out_trade_no,
                    100,
                    "20261204120000",
                    transaction_id
                ])
                .unwrap();
            payment
                .execute(rusqlite::params![
                    out_trade_no,
                    transaction_id,
                    100,
                    "20261204120000"
                ])
                .unwrap();
        }

        let mut refund = transaction
            .prepare(
                "INSERT INTO refunds (out_refund_no, out_trade_no, refund_fee, total_fee, nonce_str,
                     state, refund_id, success_time, created_at_ms, updated_at_ms)
                 VALUES (?1, ?2, ?3, 100, 'nonce', 'success', ?4, ?5, ?6, ?6)",
            )
            .unwrap();
        for refunded in refunds {
            let succeeded_at = refunded.succeeded_at.unwrap_or(refunded.requested_at);
            refund
                .execute(rusqlite::params![
                    refunded.out_refund_no,
                    refunded.out_trade_no,
                    refunded.refund_fee.fen(),
                    refunded.refund_id,
                    format_protocol_time(succeeded_at),
                    refunded.requested_at.timestamp_millis()
                ])
                .unwrap();
        }
    }
    transaction.commit().unwrap();
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Reads `VmHWM` (peak resident set size) in KiB from /proc/self/status.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
