//! Rendering of the daily bill from plain payment and refund inputs, in the current or the
//! legacy layout, in the format `/pay/downloadbill` returns.
//!
//! Days are Beijing-time days. A payment belongs to the day of its `time_end`. A refund belongs
//! to the day it succeeded, or to the day it was requested while it has not succeeded.
//!
//! NOTE: WeChat does not document the values of a refund row in detail. Here a refund row
//! carries the refund time as 交易时间, 0.00 as 应结订单金额 and 订单金额 (so the order is
//! not counted twice in the totals), the refund in 退款金额 and 申请退款金额, and a negative
//! service fee.

use chrono::{DateTime, NaiveDate, Utc};

use crate::money::Fen;
use crate::protocol::bill::{
    BillType, CURRENT_SUMMARY_COLUMNS, LEGACY_COLUMNS, LEGACY_SUMMARY_COLUMNS, REFUND_TRADE_STATE,
    SUCCESS_TRADE_STATE, column, current_columns,
};
use crate::protocol::bill_parse::BillLayout;
use crate::protocol::messages::beijing;

/// Service fee rate the simulator charges, in millionths: 0.60%, a common WeChat Pay rate.
pub const SIMULATED_FEE_RATE_PPM: i64 = 6_000;
/// The rate as printed in the 费率 column.
const SIMULATED_FEE_RATE_TEXT: &str = "0.60%";
/// Service fees are printed with five decimals of yuan.
const SERVICE_FEE_DECIMALS: u32 = 5;

/// A payment as it appears in a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPayment {
    pub appid: String,
    pub mch_id: String,
    pub device_info: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    pub openid: String,
    /// The payment's `time_end`.
    pub paid_at: DateTime<Utc>,
    pub total_fee: Fen,
    pub body: String,
    pub attach: String,
}

/// A refund as it appears in a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillRefund {
    pub appid: String,
    pub mch_id: String,
    pub device_info: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    pub openid: String,
    pub refund_id: String,
    pub out_refund_no: String,
    pub refund_fee: Fen,
    /// `refund_status`: SUCCESS, PROCESSING, CHANGE or REFUNDCLOSE.
    pub refund_status: String,
    pub requested_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
    pub body: String,
    pub attach: String,
}

impl BillRefund {
    /// Returns the time that places the refund in a bill: success, else the request.
    pub fn bill_time(&self) -> DateTime<Utc> {
        self.succeeded_at.unwrap_or(self.requested_at)
    }
}

/// Returns the Beijing-time day of `time`, the day whose bill lists a trade at `time`.
pub fn bill_day(time: DateTime<Utc>) -> NaiveDate {
    time.with_timezone(&beijing()).date_naive()
}

/// Renders a bill of `bill_type` in `layout` from the day's payments and refunds.
pub fn render_bill(
    bill_type: BillType,
    layout: BillLayout,
    payments: &[BillPayment],
    refunds: &[BillRefund],
) -> String {
    let titles: &[&str] = match layout {
        BillLayout::Current => current_columns(bill_type),
        BillLayout::Legacy => &LEGACY_COLUMNS,
    };
    let mut text =
        String::with_capacity((payments.len() + refunds.len() + 3) * (titles.len() * 12 + 64));
    text.push_str(&titles.join(","));
    text.push('\n');

    let mut totals = Totals::default();
    if bill_type.lists_payments() {
        for payment in payments {
            let row = payment_row(payment);
            totals.add(&row);
            push_row(&mut text, titles, &row);
        }
    }
    if bill_type.lists_refunds() {
        for refund in refunds {
            let row = refund_row(refund);
            totals.add(&row);
            push_row(&mut text, titles, &row);
        }
    }
    push_summary(&mut text, layout, &totals);
    text
}

/// The values of one rendered line, before they are laid out in columns.
struct RowValues<'a> {
    trade_time: String,
    appid: &'a str,
    mch_id: &'a str,
    device_info: &'a str,
    transaction_id: &'a str,
    out_trade_no: &'a str,
    openid: &'a str,
    trade_state: &'a str,
    settlement_total_fee: Fen,
    refund_id: &'a str,
    out_refund_no: &'a str,
    refund_fee: Fen,
    refund_status: &'a str,
    refund_requested: String,
    refund_succeeded: String,
    body: &'a str,
    attach: &'a str,
    /// In hundred-thousandths of a yuan.
    service_fee: i64,
    total_fee: Fen,
}

#[derive(Default)]
struct Totals {
    count: u64,
    settlement_total_fee: i64,
    refund_fee: i64,
    service_fee: i64,
    total_fee: i64,
}

impl Totals {
    fn add(&mut self, row: &RowValues<'_>) {
        self.count += 1;
        self.settlement_total_fee += row.settlement_total_fee.fen();
        self.refund_fee += row.refund_fee.fen();
        self.service_fee += row.service_fee;
        self.total_fee += row.total_fee.fen();
    }
}

fn payment_row(payment: &BillPayment) -> RowValues<'_> {
    RowValues {
        trade_time: bill_time_text(payment.paid_at),
        appid: &payment.appid,
        mch_id: &payment.mch_id,
        device_info: &payment.device_info,
        transaction_id: &payment.transaction_id,
        out_trade_no: &payment.out_trade_no,
        openid: &payment.openid,
        trade_state: SUCCESS_TRADE_STATE,
        settlement_total_fee: payment.total_fee,
        refund_id: "",
        out_refund_no: "",
        refund_fee: Fen(0),
        refund_status: "",
        refund_requested: String::new(),
        refund_succeeded: String::new(),
        body: &payment.body,
        attach: &payment.attach,
        service_fee: service_fee(payment.total_fee),
        total_fee: payment.total_fee,
    }
}

fn refund_row(refund: &BillRefund) -> RowValues<'_> {
    RowValues {
        trade_time: bill_time_text(refund.bill_time()),
        appid: &refund.appid,
        mch_id: &refund.mch_id,
        device_info: &refund.device_info,
        transaction_id: &refund.transaction_id,
        out_trade_no: &refund.out_trade_no,
        openid: &refund.openid,
        trade_state: REFUND_TRADE_STATE,
        settlement_total_fee: Fen(0),
        refund_id: &refund.refund_id,
        out_refund_no: &refund.out_refund_no,
        refund_fee: refund.refund_fee,
        refund_status: &refund.refund_status,
        refund_requested: bill_time_text(refund.requested_at),
        refund_succeeded: refund.succeeded_at.map(bill_time_text).unwrap_or_default(),
        body: &refund.body,
        attach: &refund.attach,
        service_fee: -service_fee(refund.refund_fee),
        total_fee: Fen(0),
    }
}

/// Writes one trade line: every field prefixed by a backtick, joined with commas.
fn push_row(text: &mut String, titles: &[&str], row: &RowValues<'_>) {
    for (index, title) in titles.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push('`');
        push_value(text, title, row);
    }
    text.push('\n');
}

fn push_value(text: &mut String, title: &str, row: &RowValues<'_>) {
    use std::fmt::Write as _;

    let plain = |value: &str| value.replace('`', "'");
    let value: String = match title {
        column::TRADE_TIME => row.trade_time.clone(),
        column::APPID => row.appid.to_owned(),
        column::MCH_ID => row.mch_id.to_owned(),
        column::DEVICE_INFO => row.device_info.to_owned(),
        column::TRANSACTION_ID => row.transaction_id.to_owned(),
        column::OUT_TRADE_NO => row.out_trade_no.to_owned(),
        column::OPENID => row.openid.to_owned(),
        column::TRADE_TYPE => "NATIVE".to_owned(),
        column::TRADE_STATE => row.trade_state.to_owned(),
        column::BANK_TYPE => super::store::SIMULATED_BANK_TYPE.to_owned(),
        column::FEE_TYPE => "CNY".to_owned(),
        column::SETTLEMENT_TOTAL_FEE | column::LEGACY_TOTAL_FEE => {
            row.settlement_total_fee.to_string()
        }
        column::TOTAL_FEE => row.total_fee.to_string(),
        column::REFUND_ID => row.refund_id.to_owned(),
        column::OUT_REFUND_NO => row.out_refund_no.to_owned(),
        column::REFUND_FEE | column::APPLIED_REFUND_FEE => row.refund_fee.to_string(),
        column::REFUND_CHANNEL if !row.refund_id.is_empty() => "ORIGINAL".to_owned(),
        column::REFUND_STATUS => row.refund_status.to_owned(),
        column::REFUND_APPLY_TIME => row.refund_requested.clone(),
        column::REFUND_SUCCESS_TIME => row.refund_succeeded.clone(),
        column::BODY => plain(row.body),
        column::ATTACH => plain(row.attach),
        column::SERVICE_FEE => decimal_text(row.service_fee, SERVICE_FEE_DECIMALS),
        column::RATE => SIMULATED_FEE_RATE_TEXT.to_owned(),
        column::COUPON_FEE
        | column::LEGACY_COUPON_FEE
        | column::RECHARGE_COUPON_REFUND_FEE
        | column::LEGACY_COUPON_REFUND_FEE => "0.00".to_owned(),
        _ => String::new(),
    };
    let _ = write!(text, "{value}");
}

fn push_summary(text: &mut String, layout: BillLayout, totals: &Totals) {
    let fee = decimal_text(totals.service_fee, SERVICE_FEE_DECIMALS);
    let values: Vec<String> = match layout {
        BillLayout::Current => {
            text.push_str(&CURRENT_SUMMARY_COLUMNS.join(","));
            vec![
                totals.count.to_string(),
                Fen(totals.settlement_total_fee).to_string(),
                Fen(totals.refund_fee).to_string(),
                "0.00".to_owned(),
                fee,
                Fen(totals.total_fee).to_string(),
                Fen(totals.refund_fee).to_string(),
            ]
        }
        BillLayout::Legacy => {
            text.push_str(&LEGACY_SUMMARY_COLUMNS.join(","));
            vec![
                totals.count.to_string(),
                Fen(totals.settlement_total_fee).to_string(),
                Fen(totals.refund_fee).to_string(),
                "0.00".to_owned(),
                fee,
            ]
        }
    };
    text.push('\n');
    text.push('`');
    text.push_str(&values.join(",`"));
    text.push('\n');
}

/// Computes the service fee on `amount`, in hundred-thousandths of a yuan (fen × 1000).
fn service_fee(amount: Fen) -> i64 {
    amount.fen() * 1000 * SIMULATED_FEE_RATE_PPM / 1_000_000
}

/// Prints `units` (a count of 10^-decimals yuan) with that many decimals.
fn decimal_text(units: i64, decimals: u32) -> String {
    let scale = 10_i64.pow(decimals);
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = decimals as usize
    )
}

fn bill_time_text(time: DateTime<Utc>) -> String {
    time.with_timezone(&beijing())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::bill_parse::parse_bill;

    fn time(text: &str) -> DateTime<Utc> {
        crate::protocol::messages::parse_protocol_time(text).unwrap()
    }

    fn refund(out_refund_no: &str, refund_fee: i64, status: &str) -> BillRefund {
        BillRefund {
            appid: "wx2421b1c4370ec43b".into(),
            mch_id: "10000100".into(),
            device_info: "POS01".into(),
            transaction_id: "4200000000202612040000000001".into(),
            out_trade_no: "T1".into(),
            openid: "oUpF8uMEb4qRXf22hE3X68TekukE".into(),
            refund_id: format!("5000{out_refund_no}"),
            out_refund_no: out_refund_no.into(),
            refund_fee: Fen(refund_fee),
            refund_status: status.into(),
            requested_at: time("20261204100000"),
            succeeded_at: (status == "SUCCESS").then(|| time("20261204100500")),
            body: "奶茶, 大杯".into(),
            attach: String::new(),
        }
    }

    fn payment(out_trade_no: &str, total_fee: i64) -> BillPayment {
        BillPayment {
            appid: "wx2421b1c4370ec43b".into(),
            mch_id: "10000100".into(),
            device_info: "POS01".into(),
            transaction_id: format!("4200{out_trade_no}"),
            out_trade_no: out_trade_no.into(),
            openid: "oUpF8uMEb4qRXf22hE3X68TekukE".into(),
            paid_at: time("20261204093000"),
            total_fee: Fen(total_fee),
            body: "奶茶".into(),
            attach: String::new(),
        }
    }

    #[test]
    fn refund_rows_render_and_parse_back() {
        let refunds = [
            refund("R1", 500, "SUCCESS"),
            refund("R2", 120, "PROCESSING"),
        ];
        let text = render_bill(BillType::Refund, BillLayout::Current, &[], &refunds);
        let bill = parse_bill(&text).unwrap();

        assert_eq!(bill.rows.len(), 2);
        assert!(bill.rows.iter().all(|row| row.is_refund()));
        assert_eq!(bill.rows[0].out_refund_no, "R1");
        assert_eq!(bill.rows[0].refund_fee, Fen(500));
        assert_eq!(bill.rows[0].refund_status, "SUCCESS");
        assert_eq!(bill.rows[0].trade_time, "2026-12-04 10:05:00");
        assert_eq!(bill.rows[1].trade_time, "2026-12-04 10:00:00");
        assert_eq!(bill.rows[1].body, "奶茶, 大杯");
        assert_eq!(bill.summary.settlement_refund_fee, Fen(620));
    }

    #[test]
    fn all_bill_lists_payments_before_refunds() {
        let payments = [payment("T1", 1990), payment("T2", 600)];
        let refunds = [refund("R1", 500, "SUCCESS")];
        for layout in [BillLayout::Current, BillLayout::Legacy] {
            let text = render_bill(BillType::All, layout, &payments, &refunds);
            let bill = parse_bill(&text).unwrap();
            assert_eq!(bill.layout, layout);
            assert_eq!(bill.rows.len(), 3);
            assert_eq!(bill.summary.trade_count, 3);
            assert_eq!(bill.summary.settlement_total_fee, Fen(2590));
            assert_eq!(bill.summary.settlement_refund_fee, Fen(500));
            assert_eq!(bill.rows[2].refund_fee, Fen(500));
        }
    }

    #[test]
    fn success_bill_leaves_refunds_out() {
        let text = render_bill(
            BillType::Success,
            BillLayout::Current,
            &[payment("T1", 100)],
            &[refund("R1", 50, "SUCCESS")],
        );
        assert_eq!(parse_bill(&text).unwrap().rows.len(), 1);
    }

    #[test]
    fn service_fee_has_five_decimals() {
        assert_eq!(decimal_text(service_fee(Fen(600)), 5), "0.03600");
        assert_eq!(decimal_text(-service_fee(Fen(300)), 5), "-0.01800");
    }

    #[test]
    fn bill_day_is_beijing_day() {
        let late_utc = time("20261205003000");
        assert_eq!(
            bill_day(late_utc),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
    }
}
