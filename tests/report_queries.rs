//! The manager's store queries on a real SQLite file: range edges, filters, search, sorting,
//! totals with refunds, takings per hour and an order's history.

mod report_support;

use chrono::NaiveDate;
use report_support::{SeedOrder, insert_event, insert_notification, insert_order, insert_refund};
use rusqlite::Connection;
use wxpay_pos::money::Fen;
use wxpay_pos::report::{local_offset_secs, local_range};
use wxpay_pos::store::{ListQuery, RowFilter, RowKind, SortKey, Store, TimeRange};

const HOUR_MS: i64 = 3_600_000;

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    range: TimeRange,
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// Seeds a day with six orders inside it, one just before it and one at the next midnight,
/// and three refunds, one of them failed.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pos.sqlite3");
    let store = Store::open(&path).unwrap();
    let range = local_range(day(), day()).unwrap();
    let start = range.from_ms;
    let connection = Connection::open(&path).unwrap();

    let orders = [
        (
            "A-before",
            500,
            "paid",
            start - 1,
            Some("4200000000000000000000000001"),
        ),
        (
            "A-first",
            1990,
            "paid",
            start,
            Some("4200000000000000000000000002"),
        ),
        (
            "A-tea",
            1200,
            "partly_refunded",
            start + 9 * HOUR_MS,
            Some("4200000000000000000000000003"),
        ),
        (
            "A-cake",
            3500,
            "refunded",
            start + 9 * HOUR_MS + 60_000,
            Some("4200000000000000000000000004"),
        ),
        (
            "A-open",
            800,
            "awaiting_payment",
            start + 14 * HOUR_MS,
            None,
        ),
        ("A-closed", 700, "closed", start + 15 * HOUR_MS, None),
        (
            "A-last",
            100,
            "paid",
            range.to_ms - 1,
            Some("4200000000000000000000000005"),
        ),
        (
            "A-next",
            900,
            "paid",
            range.to_ms,
            Some("4200000000000000000000000006"),
        ),
    ];
    for (no, fee, state, at, transaction_id) in orders {
        let body = if no == "A-tea" {
            "奶茶, \"大杯\""
        } else {
            "商品"
        };
        insert_order(
            &connection,
            &SeedOrder {
                out_trade_no: no,
                body,
                total_fee: fee,
                state,
                created_at_ms: at,
                transaction_id,
                terminal: if no == "A-cake" { "POS02" } else { "POS01" },
            },
        );
    }
    insert_refund(
        &connection,
        "R-tea",
        "A-tea",
        200,
        "success",
        start + 10 * HOUR_MS,
    );
    insert_refund(
        &connection,
        "R-cake",
        "A-cake",
        3500,
        "processing",
        start + 11 * HOUR_MS,
    );
    insert_refund(
        &connection,
        "R-failed",
        "A-first",
        1990,
        "failed",
        start + 12 * HOUR_MS,
    );

    insert_event(
        &connection,
        "A-tea",
        None,
        "created",
        "charge",
        start + 9 * HOUR_MS,
    );
    insert_event(
        &connection,
        "A-tea",
        Some("created"),
        "awaiting_payment",
        "unifiedorder",
        start + 9 * HOUR_MS + 500,
    );
    insert_event(
        &connection,
        "A-tea",
        Some("awaiting_payment"),
        "paid",
        "notification",
        start + 9 * HOUR_MS + 30_000,
    );
    insert_notification(
        &connection,
        "A-tea",
        "accepted",
        "paid",
        start + 9 * HOUR_MS + 30_000,
    );
    insert_notification(
        &connection,
        "A-tea",
        "duplicate",
        "already paid",
        start + 9 * HOUR_MS + 45_000,
    );

    Fixture {
        _dir: dir,
        store,
        range,
    }
}

fn listed_numbers(fixture: &Fixture, query: &ListQuery) -> Vec<String> {
    let listing = fixture.store.list_range(fixture.range, query).unwrap();
    assert_eq!(listing.total_rows, listing.rows.len());
    listing
        .rows
        .iter()
        .map(|row| match &row.out_refund_no {
            Some(refund) => refund.clone(),
            None => row.out_trade_no.clone(),
        })
        .collect()
}

#[test]
fn range_includes_start_and_excludes_end() {
    let fixture = fixture();
    let orders = listed_numbers(
        &fixture,
        &ListQuery {
            filter: RowFilter::Paid,
            ..ListQuery::default()
        },
    );
    assert_eq!(orders, ["A-first", "A-tea", "A-cake", "A-last"]);
}

#[test]
fn all_filter_lists_orders_and_refunds_by_time() {
    let fixture = fixture();
    let rows = listed_numbers(&fixture, &ListQuery::default());
    assert_eq!(
        rows,
        [
            "A-first", "A-tea", "A-cake", "R-tea", "R-cake", "R-failed", "A-open", "A-closed",
            "A-last"
        ]
    );
}

#[test]
fn state_filters_narrow_the_listing() {
    let fixture = fixture();
    let by = |filter| {
        listed_numbers(
            &fixture,
            &ListQuery {
                filter,
                ..ListQuery::default()
            },
        )
    };
    assert_eq!(by(RowFilter::Open), ["A-open"]);
    assert_eq!(by(RowFilter::Unpaid), ["A-closed"]);
    assert_eq!(by(RowFilter::Refunds), ["R-tea", "R-cake", "R-failed"]);
}

#[test]
fn amount_range_is_inclusive() {
    let fixture = fixture();
    let rows = listed_numbers(
        &fixture,
        &ListQuery {
            min_amount: Some(Fen(800)),
            max_amount: Some(Fen(1990)),
            ..ListQuery::default()
        },
    );
    assert_eq!(rows, ["A-first", "A-tea", "R-failed", "A-open"]);
}

#[test]
fn search_matches_numbers_and_yuan_amounts() {
    let fixture = fixture();
    let search = |text: &str| {
        listed_numbers(
            &fixture,
            &ListQuery {
                search: text.to_owned(),
                ..ListQuery::default()
            },
        )
    };
    assert_eq!(search("cake"), ["A-cake", "R-cake"]);
    assert_eq!(search("0000000000003"), ["A-tea", "R-tea"]);
    assert_eq!(search("19.90"), ["A-first", "R-failed"]);
    assert_eq!(search("￥2"), ["R-tea"]);
    assert_eq!(search("R-fail"), ["R-failed"]);
    // LIKE wildcards typed by the manager match themselves only.
    assert!(search("%").is_empty());
    assert!(search("A_t").is_empty());
}

#[test]
fn sort_by_amount_descending() {
    let fixture = fixture();
    let listing = fixture
        .store
        .list_range(
            fixture.range,
            &ListQuery {
                filter: RowFilter::Paid,
                sort: SortKey::Amount,
                descending: true,
                ..ListQuery::default()
            },
        )
        .unwrap();
    let amounts: Vec<i64> = listing.rows.iter().map(|row| row.amount.fen()).collect();
    assert_eq!(amounts, [3500, 1990, 1200, 100]);
}

#[test]
fn refund_rows_carry_their_order_fields() {
    let fixture = fixture();
    let listing = fixture
        .store
        .list_range(
            fixture.range,
            &ListQuery {
                filter: RowFilter::Refunds,
                search: "R-cake".to_owned(),
                ..ListQuery::default()
            },
        )
        .unwrap();
    let row = &listing.rows[0];
    assert_eq!(row.kind, RowKind::Refund);
    assert_eq!(row.out_trade_no, "A-cake");
    assert_eq!(row.terminal, "POS02");
    assert_eq!(row.state, "processing");
    assert_eq!(
        row.transaction_id.as_deref(),
        Some("4200000000000000000000000004")
    );
}

#[test]
fn totals_subtract_counted_refunds_only() {
    let fixture = fixture();
    let totals = fixture.store.range_totals(fixture.range).unwrap();
    assert_eq!(totals.paid_count, 4);
    assert_eq!(totals.gross, Fen(1990 + 1200 + 3500 + 100));
    // The failed refund does not count; the processing one does.
    assert_eq!(totals.refund_count, 2);
    assert_eq!(totals.refunds, Fen(200 + 3500));
    assert_eq!(totals.net, Fen(6790 - 3700));
}

#[test]
fn takings_fall_into_local_hours() {
    let fixture = fixture();
    let hours = fixture
        .store
        .takings_by_hour(fixture.range, local_offset_secs(fixture.range.from_ms))
        .unwrap();
    assert_eq!(hours[0].paid_count, 1);
    assert_eq!(hours[0].gross, Fen(1990));
    assert_eq!(hours[9].paid_count, 2);
    assert_eq!(hours[9].gross, Fen(4700));
    assert_eq!(hours[10].refunds, Fen(200));
    assert_eq!(hours[11].refunds, Fen(3500));
    assert_eq!(hours[23].gross, Fen(100));
    let summed: i64 = hours.iter().map(|hour| hour.gross.fen()).sum();
    assert_eq!(summed, 6790);

    let (totals, summary_hours) = fixture
        .store
        .range_summary(fixture.range, local_offset_secs(fixture.range.from_ms))
        .unwrap();
    assert_eq!(summary_hours, hours);
    assert_eq!(totals, fixture.store.range_totals(fixture.range).unwrap());
}

#[test]
fn order_detail_has_history_notifications_and_refunds() {
    let fixture = fixture();
    let detail = fixture.store.order_detail("A-tea").unwrap().unwrap();
    assert_eq!(detail.row.body, "奶茶, \"大杯\"");
    let states: Vec<&str> = detail.events.iter().map(|e| e.to_state.as_str()).collect();
    assert_eq!(states, ["created", "awaiting_payment", "paid"]);
    let verdicts: Vec<&str> = detail
        .notifications
        .iter()
        .map(|n| n.verdict.as_str())
        .collect();
    assert_eq!(verdicts, ["accepted", "duplicate"]);
    assert_eq!(detail.refunds.len(), 1);
    assert_eq!(detail.refunds[0].amount, Fen(200));

    assert!(
        fixture
            .store
            .order_detail("no-such-order")
            .unwrap()
            .is_none()
    );
}

#[test]
fn reversed_or_overlong_ranges_are_rejected() {
    let later = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
    assert!(local_range(later, day()).is_err());
    let far = NaiveDate::from_ymd_opt(2027, 3, 20).unwrap();
    assert!(local_range(day(), far).is_err());
}
