//! The bill parser against hand-written bills in the current and the legacy layout, written
//! from WeChat's documented column lists, and against broken bills.

use wxpay_pos::money::Fen;
use wxpay_pos::protocol::bill_parse::{BillLayout, BillParseError, BillParser, parse_bill};

const CURRENT_ALL: &str = include_str!("fixtures/bill/current_all.txt");
const CURRENT_SUCCESS: &str = include_str!("fixtures/bill/current_success.txt");
const CURRENT_REFUND: &str = include_str!("fixtures/bill/current_refund.txt");
const LEGACY_ALL: &str = include_str!("fixtures/bill/legacy_all.txt");

#[test]
fn current_all_bill_parses() {
    let bill = parse_bill(CURRENT_ALL).unwrap();

    assert_eq!(bill.layout, BillLayout::Current);
    assert_eq!(bill.rows.len(), 3);
    let first = &bill.rows[0];
    assert_eq!(first.trade_time, "2026-12-04 09:30:01");
    assert_eq!(first.out_trade_no, "T20261204001");
    assert_eq!(first.transaction_id, "4200000001202612040000000001");
    assert_eq!(first.device_info, "POS01");
    assert_eq!(first.trade_state, "SUCCESS");
    assert_eq!(first.body, "奶茶,大杯");
    assert_eq!(first.total_fee, Fen(1990));
    assert!(!first.is_refund());

    // A coupon makes the amount to settle smaller than the order amount.
    let second = &bill.rows[1];
    assert_eq!(second.settlement_total_fee, Fen(500));
    assert_eq!(second.total_fee, Fen(600));

    let refund = &bill.rows[2];
    assert!(refund.is_refund());
    assert_eq!(refund.out_refund_no, "R20261204001");
    assert_eq!(refund.refund_id, "50000408942026120400000001");
    assert_eq!(refund.refund_fee, Fen(500));
    assert_eq!(refund.settlement_refund_fee, Fen(500));
    assert_eq!(refund.refund_status, "SUCCESS");

    assert_eq!(bill.summary.trade_count, 3);
    assert_eq!(bill.summary.settlement_total_fee, Fen(2490));
    assert_eq!(bill.summary.settlement_refund_fee, Fen(500));
    assert_eq!(bill.summary.total_fee, Some(Fen(2590)));
    assert_eq!(bill.summary.refund_fee, Some(Fen(500)));
    assert_eq!(bill.summary.service_fee_text, "0.11940");
}

#[test]
fn current_success_and_refund_bills_parse() {
    let success = parse_bill(CURRENT_SUCCESS).unwrap();
    assert_eq!(success.rows.len(), 2);
    assert!(success.rows.iter().all(|row| !row.is_refund()));
    assert_eq!(success.rows[1].total_fee, Fen(600));

    let refunds = parse_bill(CURRENT_REFUND).unwrap();
    assert_eq!(refunds.rows.len(), 1);
    assert!(refunds.rows[0].is_refund());
    assert_eq!(refunds.rows[0].refund_fee, Fen(500));
    assert_eq!(refunds.rows[0].out_trade_no, "T20261204001");
}

#[test]
fn legacy_all_bill_parses() {
    let bill = parse_bill(LEGACY_ALL).unwrap();

    assert_eq!(bill.layout, BillLayout::Legacy);
    assert_eq!(bill.rows.len(), 3);
    // The old document's full-width colons become ASCII, and CRLF is dropped.
    assert_eq!(bill.rows[0].trade_time, "2014-11-10 16:33:45");
    assert_eq!(bill.rows[0].total_fee, Fen(1));
    assert_eq!(bill.rows[0].settlement_total_fee, Fen(1));
    assert_eq!(bill.rows[0].body, "被扫支付测试");
    // `0` in the refund columns of a payment row is not a refund number.
    assert!(!bill.rows[0].is_refund());
    assert_eq!(bill.rows[1].total_fee, Fen(1250));
    assert!(bill.rows[2].is_refund());
    assert_eq!(bill.rows[2].refund_fee, Fen(1));
    assert_eq!(bill.rows[2].out_refund_no, "R1415607999");

    assert_eq!(bill.summary.trade_count, 3);
    assert_eq!(bill.summary.settlement_total_fee, Fen(1251));
    assert_eq!(bill.summary.settlement_refund_fee, Fen(1));
    assert_eq!(bill.summary.total_fee, None);
}

#[test]
fn backticks_are_stripped_from_every_field() {
    for text in [CURRENT_ALL, CURRENT_SUCCESS, CURRENT_REFUND, LEGACY_ALL] {
        let bill = parse_bill(text).unwrap();
        for row in &bill.rows {
            for field in [
                &row.trade_time,
                &row.out_trade_no,
                &row.transaction_id,
                &row.trade_state,
                &row.body,
                &row.refund_status,
            ] {
                assert!(!field.contains('`'), "{field:?}");
            }
        }
    }
}

#[test]
fn byte_order_mark_before_header_is_ignored() {
    let text = format!("\u{feff}{CURRENT_ALL}");
    assert_eq!(parse_bill(&text).unwrap().rows.len(), 3);
}

#[test]
fn settlement_total_mismatch_names_the_total() {
    let text = CURRENT_ALL.replace("`3,`24.90,", "`3,`24.80,");
    let err = parse_bill(&text).unwrap_err();
    assert_eq!(
        err,
        BillParseError::SummaryMismatch {
            total: "应结订单总金额",
            stated: "24.80".into(),
            computed: "24.90".into(),
        }
    );
    assert!(err.to_string().contains("应结订单总金额"), "{err}");
}

#[test]
fn count_and_refund_mismatches_name_their_totals() {
    let count = parse_bill(&CURRENT_ALL.replace("`3,`24.90,", "`4,`24.90,")).unwrap_err();
    assert!(matches!(
        count,
        BillParseError::SummaryMismatch {
            total: "总交易单数",
            ..
        }
    ));

    let refund = parse_bill(&CURRENT_ALL.replace("`24.90,`5.00,", "`24.90,`6.00,")).unwrap_err();
    assert!(matches!(
        refund,
        BillParseError::SummaryMismatch {
            total: "退款总金额",
            ..
        }
    ));

    let legacy = parse_bill(&LEGACY_ALL.replace("`3,`12.51,", "`3,`12.52,")).unwrap_err();
    assert!(matches!(
        legacy,
        BillParseError::SummaryMismatch {
            total: "总交易额",
            ..
        }
    ));
}

#[test]
fn row_with_missing_field_is_rejected_with_line() {
    let text = CURRENT_ALL.replace(",`table=3", "");
    let err = parse_bill(&text).unwrap_err();
    assert_eq!(
        err,
        BillParseError::FieldCount {
            line: 3,
            expected: 27,
            found: 26
        }
    );
}

#[test]
fn bad_amount_is_rejected_with_column() {
    let text = CURRENT_ALL.replace("`19.90,`0.00,", "`19.9x,`0.00,");
    let err = parse_bill(&text).unwrap_err();
    assert!(
        matches!(
            err,
            BillParseError::BadAmount {
                line: 2,
                column: "应结订单金额",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn bill_without_summary_is_rejected() {
    let cut = CURRENT_ALL.find("总交易单数").unwrap();
    assert_eq!(
        parse_bill(&CURRENT_ALL[..cut]).unwrap_err(),
        BillParseError::MissingSummary
    );
    assert_eq!(parse_bill("").unwrap_err(), BillParseError::Empty);
}

#[test]
fn unknown_header_is_rejected() {
    let err = parse_bill("a,b,c\n`1,`2,`3\n").unwrap_err();
    assert_eq!(err, BillParseError::UnknownLayout);
}

#[test]
fn text_after_summary_is_rejected() {
    let text = format!("{CURRENT_ALL}`extra\n");
    assert!(matches!(
        parse_bill(&text).unwrap_err(),
        BillParseError::TextAfterSummary { .. }
    ));
}

#[test]
fn parser_takes_one_line_at_a_time() {
    let mut parser = BillParser::new();
    let mut rows = 0;
    for line in LEGACY_ALL.split_inclusive('\n') {
        if parser.feed_line(line).unwrap().is_some() {
            rows += 1;
        }
    }
    let (layout, summary) = parser.finish().unwrap();
    assert_eq!(rows, 3);
    assert_eq!(layout, BillLayout::Legacy);
    assert_eq!(summary.trade_count, 3);
}
