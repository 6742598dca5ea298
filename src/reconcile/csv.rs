//! Differences as CSV for a spreadsheet: UTF-8 with a byte-order mark (so that Excel reads
//! the Chinese correctly), a header row, and one row per difference.

use std::path::Path;

use super::ReconciliationSummary;
use super::text::{kind_label, record_label};
use crate::i18n::Lang;

/// The UTF-8 byte-order mark that starts the file.
pub const CSV_BOM: &str = "\u{feff}";

/// Builds the CSV text of a run's differences, headers in `lang`.
pub fn differences_csv(summary: &ReconciliationSummary, lang: Lang) -> String {
    let header: [&str; 12] = match lang {
        Lang::ZhCn => [
            "账单日期",
            "差异类型",
            "记录类型",
            "商户订单号",
            "微信订单号",
            "商户退款单号",
            "微信退款单号",
            "账单金额(元)",
            "本地金额(元)",
            "账单状态",
            "本地状态",
            "交易时间",
        ],
        Lang::En => [
            "Bill date",
            "Difference",
            "Record",
            "out_trade_no",
            "transaction_id",
            "out_refund_no",
            "refund_id",
            "Bill amount (yuan)",
            "Local amount (yuan)",
            "Bill state",
            "Local state",
            "Trade time",
        ],
    };

    let mut text = String::from(CSV_BOM);
    push_record(&mut text, header.iter().map(|title| (*title).to_owned()));
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
                difference.out_trade_no.clone(),
                difference.transaction_id.clone(),
                difference.out_refund_no.clone(),
                difference.refund_id.clone(),
                amount(difference.bill_amount),
                amount(difference.local_amount),
                difference.bill_state.clone(),
                difference.local_state.clone(),
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
