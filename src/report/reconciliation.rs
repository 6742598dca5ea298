//! The reconciliation section of the day-end report: the bill's totals, the matched and
//! differing counts, and every difference between the bill and the local records.

use crate::i18n::{Lang, known_state_name};
use crate::money::Fen;
use crate::receipt::content::{Block, Gap, SINGLE_LINE, TextStyle};
use crate::reconcile::text::{kind_label, record_label, stored_state_of_bill_state};
use crate::reconcile::{BillDifference, ReconciliationSummary};

/// Lines the reconciliation note may take.
const NOTE_MAX_LINES: usize = 4;

/// Maximum lines of one part of a difference (its heading, an id, one side's amount and
/// state). Ids within WeChat's 64-character limit take fewer, so only a damaged value is cut.
const DIFFERENCE_PART_MAX_LINES: usize = 8;

/// Printed in place of a missing amount or state, as in the manager screen's difference list.
const MISSING: &str = "-";

/// The comparison of the local orders with WeChat Pay's bill for the same day, filled in by
/// the bill reconciliation and printed in its own section when present.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReconciliationLine {
    /// The bill date, `YYYY-MM-DD`.
    pub bill_date: String,
    /// Trade lines in the bill (payments and refunds), the bill's settled total and its
    /// refund total.
    pub bill_rows: i64,
    pub bill_total: Fen,
    pub bill_refunds: Fen,
    /// Payments and refunds that agree between the bill and the local store.
    pub matched_count: i64,
    /// Orders that differ between the bill and the local store (missing on either side, or
    /// with another amount or state).
    pub mismatch_count: i64,
    /// One line for the reader, such as what to do about the differences; may be empty.
    pub note: String,
    /// Every difference of the run, each printed in full under the counts.
    pub differences: Vec<BillDifference>,
}

impl ReconciliationLine {
    /// Summarizes a saved bill reconciliation for the report, with all its differences. The
    /// note states whether the day agrees, or that each difference needs checking.
    pub fn from_summary(summary: &ReconciliationSummary) -> ReconciliationLine {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let note = if !summary.differences.is_empty() {
            "请逐笔核对以下差异 Check each difference below".to_owned()
        } else if summary.bill_found {
            "账单与本地记录一致 The bill matches the local records".to_owned()
        } else {
            "微信无该日账单，本地也无交易 No bill and no local trades".to_owned()
        };
        ReconciliationLine {
            bill_date: summary.bill_date.format("%Y-%m-%d").to_string(),
            bill_rows: count(summary.bill_rows),
            bill_total: summary.bill_total_fee,
            bill_refunds: summary.bill_refund_fee,
            matched_count: count(summary.counts.matched),
            mismatch_count: count(summary.counts.differences()),
            note,
            differences: summary.differences.clone(),
        }
    }
}

/// Lists the blocks of the reconciliation section: the counts, the note and every difference.
pub(super) fn reconciliation_blocks(line: &ReconciliationLine) -> Vec<Block> {
    let row = |left: &str, right: String| Block::Row {
        left: left.to_owned(),
        right,
    };
    let mut blocks = vec![
        Block::Label("对账 Reconciliation"),
        Block::Field {
            label: "账单日期 Bill date",
            value: line.bill_date.clone(),
            max_lines: SINGLE_LINE,
        },
        row("账单笔数 Bill lines", line.bill_rows.to_string()),
        row("账单应结总额 Bill total", format!("￥{}", line.bill_total)),
        row(
            "账单退款总额 Bill refunded",
            format!("￥{}", line.bill_refunds),
        ),
        row("一致笔数 Matched", line.matched_count.to_string()),
        row("差异笔数 Mismatches", line.mismatch_count.to_string()),
    ];
    if !line.note.is_empty() {
        blocks.push(Block::Centered {
            text: line.note.clone(),
            style: TextStyle::Body,
            max_lines: NOTE_MAX_LINES,
        });
    }
    if !line.differences.is_empty() {
        blocks.push(Block::Gap(Gap::Small));
        blocks.push(Block::Label("差异明细 Differences"));
    }
    for (index, difference) in line.differences.iter().enumerate() {
        blocks.push(Block::Gap(Gap::Small));
        blocks.extend(difference_blocks(index + 1, difference));
    }
    blocks
}

/// Lists the blocks of one difference: a numbered heading, the order and refund numbers,
/// the bill's and the local amount and state, and the trade time. Each block is a list of
/// phrases, so a narrow roll breaks lines between a label and its value, never inside
/// `账单 Bill` or a state name that fits on a line.
fn difference_blocks(number: usize, difference: &BillDifference) -> Vec<Block> {
    let part = |phrases: Vec<String>| Block::Phrases {
        phrases,
        max_lines: DIFFERENCE_PART_MAX_LINES,
    };
    let heading = vec![
        format!(
            "{number}. {}（{}）",
            kind_label(Lang::ZhCn, difference.kind),
            record_label(Lang::ZhCn, difference.record)
        ),
        format!(
            "{} ({})",
            kind_label(Lang::En, difference.kind),
            record_label(Lang::En, difference.record)
        ),
    ];

    let mut blocks = vec![
        part(heading),
        part(vec![
            "商户订单号 out_trade_no".to_owned(),
            difference.out_trade_no.clone(),
        ]),
    ];
    if !difference.out_refund_no.is_empty() {
        blocks.push(part(vec![
            "退款单号 out_refund_no".to_owned(),
            difference.out_refund_no.clone(),
        ]));
    }

    let bill_state = match stored_state_of_bill_state(difference.record, &difference.bill_state) {
        Some(stored) => state_phrases(stored),
        None => state_phrases(&difference.bill_state),
    };
    blocks.push(part(side_phrases(
        "账单 Bill",
        difference.bill_amount,
        bill_state,
    )));
    blocks.push(part(side_phrases(
        "本地 Local",
        difference.local_amount,
        state_phrases(&difference.local_state),
    )));

    if !difference.trade_time.is_empty() {
        blocks.push(part(vec![
            "时间 Time".to_owned(),
            difference.trade_time.clone(),
        ]));
    }
    blocks
}

/// Returns the phrases of one side of a difference: the label, the amount and the state, or
/// the label and a single `-` when that side has no record.
fn side_phrases(label: &str, amount: Option<Fen>, state: Vec<String>) -> Vec<String> {
    let mut phrases = vec![label.to_owned()];
    match amount {
        Some(amount) => phrases.push(format!("￥{amount}")),
        None if state == [MISSING] => {
            phrases.push(MISSING.to_owned());
            return phrases;
        }
        None => phrases.push(MISSING.to_owned()),
    }
    phrases.extend(state);
    phrases
}

/// Returns the phrases that name a stored state, Chinese then English, as the manager screen
/// names it. A note after the state, such as the other `transaction_id` in
/// `paid (transaction_id 4200…)`, is kept as its own phrase. A state this version does not
/// name (a new WeChat code) is printed as it is, and an empty one as `-`.
fn state_phrases(state: &str) -> Vec<String> {
    if state.is_empty() {
        return vec![MISSING.to_owned()];
    }
    let (code, note) = match state.split_once(" (") {
        Some((code, rest)) => (code, Some(format!("({rest}"))),
        None => (state, None),
    };
    let name = match (
        known_state_name(Lang::ZhCn, code),
        known_state_name(Lang::En, code),
    ) {
        (Some(zh), Some(en)) => format!("{zh} {en}"),
        _ => code.to_owned(),
    };
    let mut phrases = vec![name];
    phrases.extend(note);
    phrases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::bill::BillType;
    use crate::reconcile::{DifferenceCounts, DifferenceKind, RecordKind};

    fn difference() -> BillDifference {
        BillDifference {
            kind: DifferenceKind::StateMismatch,
            record: RecordKind::Payment,
            out_trade_no: "20260310000000000001".to_owned(),
            transaction_id: "4200000000202603100000000001".to_owned(),
            out_refund_no: String::new(),
            refund_id: String::new(),
            bill_amount: Some(Fen(5000)),
            local_amount: Some(Fen(5000)),
            bill_state: "SUCCESS".to_owned(),
            local_state: "partly_refunded".to_owned(),
            trade_time: "2026-03-10 09:00:00".to_owned(),
        }
    }

    fn phrases(blocks: &[Block]) -> Vec<Vec<String>> {
        blocks
            .iter()
            .filter_map(|block| match block {
                Block::Phrases { phrases, .. } => Some(phrases.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn states_are_named_not_coded() {
        let parts = phrases(&difference_blocks(7, &difference()));
        assert_eq!(parts[0], ["7. 状态不符（支付）", "State differs (payment)"]);
        assert_eq!(parts[2], ["账单 Bill", "￥50.00", "已支付 Paid"]);
        assert_eq!(
            parts[3],
            ["本地 Local", "￥50.00", "部分退款 Partly refunded"]
        );
    }

    #[test]
    fn refund_states_and_numbers_are_shown() {
        let refund = BillDifference {
            kind: DifferenceKind::MissingInBill,
            record: RecordKind::Refund,
            out_refund_no: "R20260310000000000001".to_owned(),
            bill_amount: None,
            bill_state: String::new(),
            local_state: "processing".to_owned(),
            ..difference()
        };
        let parts = phrases(&difference_blocks(1, &refund));
        assert_eq!(
            parts[2],
            ["退款单号 out_refund_no", "R20260310000000000001"]
        );
        assert_eq!(parts[3], ["账单 Bill", "-"]);
        assert_eq!(
            parts[4],
            ["本地 Local", "￥50.00", "退款处理中 Refund processing"]
        );
    }

    #[test]
    fn bill_refund_code_is_named() {
        let refund = BillDifference {
            record: RecordKind::Refund,
            out_refund_no: "R1".to_owned(),
            bill_state: "REFUNDCLOSE".to_owned(),
            ..difference()
        };
        let parts = phrases(&difference_blocks(1, &refund));
        assert_eq!(parts[3], ["账单 Bill", "￥50.00", "退款关闭 Refund closed"]);
    }

    #[test]
    fn state_note_and_unknown_code_are_kept() {
        assert_eq!(
            state_phrases("paid (transaction_id 4200000000000000000000000009)"),
            [
                "已支付 Paid",
                "(transaction_id 4200000000000000000000000009)"
            ]
        );
        assert_eq!(state_phrases("REFUND"), ["REFUND"]);
        assert_eq!(state_phrases(""), ["-"]);
    }

    #[test]
    fn every_difference_is_numbered() {
        let line = ReconciliationLine {
            differences: vec![difference(), difference()],
            ..ReconciliationLine::default()
        };
        let headings: Vec<String> = phrases(&reconciliation_blocks(&line))
            .into_iter()
            .filter_map(|parts| parts.into_iter().next())
            .filter(|first| first.ends_with("（支付）"))
            .collect();
        assert_eq!(headings, ["1. 状态不符（支付）", "2. 状态不符（支付）"]);
    }

    #[test]
    fn summary_keeps_every_difference() {
        let differences = vec![difference(); 3];
        let summary = ReconciliationSummary {
            id: 1,
            bill_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            bill_type: BillType::All,
            bill_found: true,
            layout: None,
            bill_rows: 3,
            bill_total_fee: Fen(15000),
            bill_refund_fee: Fen(0),
            local_payments: 3,
            local_refunds: 0,
            counts: DifferenceCounts::count(0, &differences),
            differences: differences.clone(),
            created_at_ms: 0,
        };

        let line = ReconciliationLine::from_summary(&summary);

        assert_eq!(line.differences, differences);
        assert_eq!(line.mismatch_count, 3);
        assert_eq!(line.note, "请逐笔核对以下差异 Check each difference below");
    }
}
