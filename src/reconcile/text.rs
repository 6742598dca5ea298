//! Texts for managers about a reconciliation, in Simplified Chinese and English: labels of
//! the difference kinds, the one-line summary, one line per difference, the stored state a
//! bill state corresponds to, and what to do when the bill cannot be had.

use super::{BillDifference, DifferenceKind, ReconciliationSummary, RecordKind};
use crate::i18n::Lang;
use crate::protocol::bill::BillFailure;
use crate::store::{OrderState, RefundState};

/// Returns the label of a difference kind.
pub fn kind_label(lang: Lang, kind: DifferenceKind) -> &'static str {
    match (lang, kind) {
        (Lang::ZhCn, DifferenceKind::MissingLocally) => "本地缺失",
        (Lang::ZhCn, DifferenceKind::MissingInBill) => "账单缺失",
        (Lang::ZhCn, DifferenceKind::AmountMismatch) => "金额不符",
        (Lang::ZhCn, DifferenceKind::StateMismatch) => "状态不符",
        (Lang::En, DifferenceKind::MissingLocally) => "Missing locally",
        (Lang::En, DifferenceKind::MissingInBill) => "Missing in the bill",
        (Lang::En, DifferenceKind::AmountMismatch) => "Amount differs",
        (Lang::En, DifferenceKind::StateMismatch) => "State differs",
    }
}

/// Returns the label of a record kind.
pub fn record_label(lang: Lang, record: RecordKind) -> &'static str {
    match (lang, record) {
        (Lang::ZhCn, RecordKind::Payment) => "支付",
        (Lang::ZhCn, RecordKind::Refund) => "退款",
        (Lang::En, RecordKind::Payment) => "payment",
        (Lang::En, RecordKind::Refund) => "refund",
    }
}

/// Builds the one-line result of a run, such as
/// `2026-12-04 对账：账单 12 笔，一致 10 笔，差异 2 笔`.
pub fn summary_text(lang: Lang, summary: &ReconciliationSummary) -> String {
    let date = summary.bill_date.format("%Y-%m-%d");
    let counts = &summary.counts;
    let differences = counts.differences();
    match lang {
        Lang::ZhCn => {
            let bill = if summary.bill_found {
                format!(
                    "账单 {} 笔（应结 {} 元，退款 {} 元）",
                    summary.bill_rows, summary.bill_total_fee, summary.bill_refund_fee
                )
            } else {
                "微信无该日账单".to_owned()
            };
            format!(
                "{date} 对账：{bill}，本地支付 {} 笔、退款 {} 笔，一致 {} 笔，差异 {differences} 笔",
                summary.local_payments, summary.local_refunds, counts.matched
            )
        }
        Lang::En => {
            let bill = if summary.bill_found {
                format!(
                    "bill lines: {} ({} yuan settled, {} yuan refunded)",
                    summary.bill_rows, summary.bill_total_fee, summary.bill_refund_fee
                )
            } else {
                "WeChat has no bill for the day".to_owned()
            };
            format!(
                "Reconciliation of {date}: {bill}; local payments: {}, local refunds: {}, matched: {}, differences: {differences}",
                summary.local_payments, summary.local_refunds, counts.matched
            )
        }
    }
}

/// Returns the stored state that a bill's 交易状态 (payment line) or 退款状态 (refund line)
/// corresponds to, such as `paid` for a payment's `SUCCESS`. Returns `None` for a code with no
/// such state: `REFUND` on a payment line, which may be partly or fully refunded here, and
/// codes this version does not know.
pub fn stored_state_of_bill_state(record: RecordKind, bill_state: &str) -> Option<&'static str> {
    let state = match (record, bill_state) {
        (RecordKind::Payment, "SUCCESS") => OrderState::Paid.as_str(),
        (RecordKind::Payment, "NOTPAY" | "USERPAYING") => OrderState::AwaitingPayment.as_str(),
        // The till records a REVOKED order as closed too.
        (RecordKind::Payment, "CLOSED" | "REVOKED") => OrderState::Closed.as_str(),
        (RecordKind::Payment, "PAYERROR") => OrderState::Failed.as_str(),
        (RecordKind::Refund, "SUCCESS") => RefundState::Success.as_str(),
        (RecordKind::Refund, "PROCESSING") => RefundState::Processing.as_str(),
        (RecordKind::Refund, "REFUNDCLOSE") => RefundState::RefundClose.as_str(),
        (RecordKind::Refund, "CHANGE") => RefundState::Change.as_str(),
        _ => return None,
    };
    Some(state)
}

/// Returns a bill's state code for people: the name of the till state it means followed by
/// the code, such as `已支付 (SUCCESS)`, or the code alone when it means no single till state.
/// An empty code (the record is not in the bill) is empty.
pub fn bill_state_text(lang: Lang, record: RecordKind, code: &str) -> String {
    match stored_state_of_bill_state(record, code)
        .and_then(|state| crate::i18n::known_state_name(lang, state))
    {
        Some(name) => format!("{name} ({code})"),
        None => code.to_owned(),
    }
}

/// Returns a stored state name for people, or the stored name itself when this version does
/// not know it.
pub fn local_state_text(lang: Lang, state: &str) -> String {
    crate::i18n::known_state_name(lang, state).map_or_else(|| state.to_owned(), str::to_owned)
}

/// Builds one line describing a difference, with both amounts and states.
pub fn difference_text(lang: Lang, difference: &BillDifference) -> String {
    let amount = |amount: Option<crate::money::Fen>| {
        amount.map_or_else(|| "-".to_owned(), |amount| amount.to_string())
    };
    let or_dash = |text: String| {
        if text.is_empty() {
            "-".to_owned()
        } else {
            text
        }
    };
    let refund = if difference.out_refund_no.is_empty() {
        String::new()
    } else {
        format!(" out_refund_no={}", difference.out_refund_no)
    };
    let (bill_word, local_word) = match lang {
        Lang::ZhCn => ("账单", "本地"),
        Lang::En => ("bill", "local"),
    };
    format!(
        "{} {} out_trade_no={}{refund} {bill_word} {} {} / {local_word} {} {} {}",
        kind_label(lang, difference.kind),
        record_label(lang, difference.record),
        difference.out_trade_no,
        amount(difference.bill_amount),
        or_dash(bill_state_text(
            lang,
            difference.record,
            &difference.bill_state
        )),
        amount(difference.local_amount),
        or_dash(local_state_text(lang, &difference.local_state)),
        difference.trade_time,
    )
}

/// Explains a documented downloadbill failure and what to do next.
pub fn failure_text(lang: Lang, failure: &BillFailure) -> &'static str {
    match (lang, failure) {
        (Lang::ZhCn, BillFailure::NoBillExist) => "微信没有该日账单：当天没有交易，或账单尚未生成",
        (Lang::En, BillFailure::NoBillExist) => {
            "WeChat has no bill for that day: there was no trade, or the bill is not made yet."
        }
        (Lang::ZhCn, BillFailure::BillCreating) => {
            "账单正在生成，微信每天 9 点起生成前一天的账单，请在 10 点后重试"
        }
        (Lang::En, BillFailure::BillCreating) => {
            "The bill is being made. WeChat makes the previous day's bill from 09:00; try again after 10:00."
        }
        (Lang::ZhCn, BillFailure::SignError) => "签名错误，请检查商户号和 API 密钥设置",
        (Lang::En, BillFailure::SignError) => {
            "Signature error. Check the merchant id and the API key in the settings."
        }
        (Lang::ZhCn, BillFailure::SystemError) => "微信支付系统繁忙，请稍后重试",
        (Lang::En, BillFailure::SystemError) => "WeChat Pay is busy. Try again later.",
        (Lang::ZhCn, _) => "微信拒绝了账单请求，请检查日期和账单类型",
        (Lang::En, _) => "WeChat rejected the bill request. Check the date and the bill type.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::known_state_name;

    #[test]
    fn bill_success_depends_on_the_record() {
        let payment = stored_state_of_bill_state(RecordKind::Payment, "SUCCESS");
        let refund = stored_state_of_bill_state(RecordKind::Refund, "SUCCESS");
        assert_eq!(payment, Some("paid"));
        assert_eq!(refund, Some("success"));
    }

    #[test]
    fn every_mapped_bill_state_has_a_name() {
        let cases = [
            (RecordKind::Payment, "NOTPAY"),
            (RecordKind::Payment, "USERPAYING"),
            (RecordKind::Payment, "CLOSED"),
            (RecordKind::Payment, "REVOKED"),
            (RecordKind::Payment, "PAYERROR"),
            (RecordKind::Refund, "PROCESSING"),
            (RecordKind::Refund, "REFUNDCLOSE"),
            (RecordKind::Refund, "CHANGE"),
        ];
        for (record, bill_state) in cases {
            let stored = stored_state_of_bill_state(record, bill_state);
            let name = stored.and_then(|stored| known_state_name(Lang::En, stored));
            assert!(
                name.is_some(),
                "{bill_state} on a {record:?} line has no name"
            );
        }
    }

    #[test]
    fn codes_without_a_stored_state_give_none() {
        assert_eq!(
            stored_state_of_bill_state(RecordKind::Payment, "REFUND"),
            None
        );
        assert_eq!(
            stored_state_of_bill_state(RecordKind::Refund, "NOTPAY"),
            None
        );
        assert_eq!(stored_state_of_bill_state(RecordKind::Payment, ""), None);
    }

    #[test]
    fn bill_states_are_named_with_their_code() {
        assert_eq!(
            bill_state_text(Lang::ZhCn, RecordKind::Payment, "SUCCESS"),
            "已支付 (SUCCESS)"
        );
        assert_eq!(
            bill_state_text(Lang::En, RecordKind::Refund, "SUCCESS"),
            "Refund succeeded (SUCCESS)"
        );
        assert_eq!(
            bill_state_text(Lang::ZhCn, RecordKind::Payment, "REFUND"),
            "REFUND"
        );
        assert_eq!(bill_state_text(Lang::ZhCn, RecordKind::Payment, ""), "");
        assert_eq!(local_state_text(Lang::ZhCn, "partly_refunded"), "部分退款");
        assert_eq!(local_state_text(Lang::ZhCn, "mystery"), "mystery");
    }
}
