//! Differences as CSV for a spreadsheet: UTF-8 with a byte-order mark (so that Excel reads
//! the Chinese correctly), a header row, and one row per difference.

use std::path::Path;

use super::ReconciliationSummary;
use super::text::{bill_state_text, kind_label, local_state_text, record_label};
use crate::i18n::Lang;
use crate::report::id_cell;

/// The UTF-8 byte-order mark that starts the file.
pub const CSV_BOM: &str = "\u{feff}";

/// The header row, Chinese then English in each cell, as in the orders export.
const HEADER: [&str; 12] = [
    "账单日期 Bill date",
    "差异类型 Difference",
    "记录类型 Record",
    "商户订单号 out_trade_no",
    "微信订单号 transaction_id",
    "商户退款单号 out_refund_no",
    "微信退款单号 refund_id",
    "账单金额（元） Bill amount (yuan)",
    "本地金额（元） Local amount (yuan)",
    "账单状态 Bill state",
    "本地状态 Local state",
    "交易时间 Trade time",
];

/// Builds the CSV text of a run's differences, with kinds and states named in `lang`. Ids
/// start with [`crate::report::ID_TEXT_MARKER`], as in the orders export, so Excel keeps
/// them as text.
pub fn differences_csv(summary: &ReconciliationSummary, lang: Lang) -> String {
    let mut text = String::from(CSV_BOM);
    push_record(&mut text, HEADER.iter().map(|title| (*title).to_owned()));
    let date = summary.bill_date.format("%Y-%m-%d").to_string();
    for difference in &summary.differences {
        let amount = |amount: Option<crate::money::Fen>| {
            amount.map(|amount| amount.to_string()).unwrap_or_default()
        };
        push_record(
            &mut text,
            [
                date.clone(),
                kind_label(lang, difference.kind).to_owned(),
                record_label(lang, difference.record).to_owned(),
                id_cell(&difference.out_trade_no),
                id_cell(&difference.transaction_id),
                id_cell(&difference.out_refund_no),
                id_cell(&difference.refund_id),
                amount(difference.bill_amount),
                amount(difference.local_amount),
                bill_state_text(lang, difference.record, &difference.bill_state),
                local_state_text(lang, &difference.local_state),
                difference.trade_time.clone(),
            ]
            .into_iter(),
        );
    }
    text
}

/// Writes [`differences_csv`] to `path`.
pub fn write_differences_csv(
    summary: &ReconciliationSummary,
    lang: Lang,
    path: &Path,
) -> std::io::Result<()> {
    std::fs::write(path, differences_csv(summary, lang))
}

/// Appends one CSV record with CRLF, quoting fields that need it (RFC 4180).
fn push_record(text: &mut String, fields: impl Iterator<Item = String>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            text.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            text.push('"');
            text.push_str(&field.replace('"', "\"\""));
            text.push('"');
        } else {
            text.push_str(&field);
        }
    }
    text.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        let mut text = String::new();
        push_record(
            &mut text,
            ["a,b".to_owned(), "say \"hi\"".to_owned(), "c".to_owned()].into_iter(),
        );
        assert_eq!(text, "\"a,b\",\"say \"\"hi\"\"\",c\r\n");
    }
}
