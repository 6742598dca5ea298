//! The orders and refunds of a range as CSV: UTF-8 with a byte order mark, so that Excel on
//! Chinese Windows reads the Chinese text, CRLF line ends and RFC 4180 quoting.

use super::{local_time_text, state_text};
use crate::store::{ReportRow, RowKind};

/// UTF-8 byte order mark. Excel takes a CSV file without it for the ANSI code page (GBK on
/// Chinese Windows) and shows the Chinese text garbled.
const UTF8_BOM: &str = "\u{feff}";

/// The header row, Chinese then English in each cell.
pub const CSV_HEADER: [&str; 9] = [
    "时间 Time",
    "类型 Kind",
    "商户订单号 out_trade_no",
    "退款单号 out_refund_no",
    "微信支付单号 transaction_id",
    "商品描述 Description",
    "金额（元） Amount (yuan)",
    "状态 State",
    "终端 Terminal",
];

/// Encodes `rows` as CSV bytes with the header row first.
///
/// A text cell that starts with `=`, `+`, `-` or `@` gets a leading `'`, so a spreadsheet
/// shows it as text instead of running it as a formula. NOTE: Excel still shows a long
/// all-digit transaction id as a number in scientific notation; the XLSX export keeps it as
/// text.
pub fn rows_to_csv(rows: &[ReportRow]) -> Vec<u8> {
    let mut text = String::from(UTF8_BOM);
    push_record(&mut text, CSV_HEADER.iter().map(|cell| (*cell).to_owned()));
    for row in rows {
        let kind = match row.kind {
            RowKind::Order => "订单 Order",
            RowKind::Refund => "退款 Refund",
        };
        push_record(
            &mut text,
            [
                local_time_text(row.at_ms),
                kind.to_owned(),
                row.out_trade_no.clone(),
                row.out_refund_no.clone().unwrap_or_default(),
                row.transaction_id.clone().unwrap_or_default(),
                defuse_formula(&row.body),
                row.amount.to_string(),
                state_text(&row.state).to_owned(),
                defuse_formula(&row.terminal),
            ],
        );
    }
    text.into_bytes()
}

fn push_record(text: &mut String, cells: impl IntoIterator<Item = String>) {
    for (index, cell) in cells.into_iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        push_cell(text, &cell);
    }
    text.push_str("\r\n");
}

/// Appends one cell, quoted when it contains a comma, a quote, a line break or edge spaces.
fn push_cell(text: &mut String, cell: &str) {
    let needs_quotes =
        cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ');
    if needs_quotes {
        text.push('"');
        text.push_str(&cell.replace('"', "\"\""));
        text.push('"');
    } else {
        text.push_str(cell);
    }
}

fn defuse_formula(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_with_commas_and_quotes_are_quoted() {
        let mut text = String::new();
        push_cell(&mut text, "a,\"b\"");
        assert_eq!(text, "\"a,\"\"b\"\"\"");
    }

    #[test]
    fn plain_cells_are_left_bare() {
        let mut text = String::new();
        push_cell(&mut text, "商品");
        assert_eq!(text, "商品");
    }

    #[test]
    fn formula_text_is_defused() {
        assert_eq!(defuse_formula("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defuse_formula("奶茶"), "奶茶");
    }
}
