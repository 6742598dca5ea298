//! The orders and refunds of a range as CSV: UTF-8 with a byte order mark, so that Excel on
//! Chinese Windows reads the Chinese text, CRLF line ends and RFC 4180 quoting.

use super::{local_time_text, signed_amount, state_text};
use crate::store::{ReportRow, RowKind};

/// UTF-8 byte order mark. Excel takes a CSV file without it for the ANSI code page (GBK on
/// Chinese Windows) and shows the Chinese text garbled.
const UTF8_BOM: &str = "\u{feff}";

/// Character that starts every id cell. Excel reads an all-digit CSV cell as a floating-point
/// number, so a 20-digit `out_trade_no` or a 28-digit `transaction_id` shows as `2.02612E+19`
/// and loses the digits past the 15th. A leading tab is a common way to make Excel keep such a
/// cell as text, and other CSV readers get the id after one whitespace character that trimming
/// removes. `="…"`, the other common way, would reach those readers as a formula instead.
/// NOTE: no test here opens the file in Excel; the tests check the marker and the id after it.
pub const ID_TEXT_MARKER: char = '\t';

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
/// Every non-empty `out_trade_no`, `out_refund_no` and `transaction_id` cell starts with
/// [`ID_TEXT_MARKER`], so Excel keeps the id as text. Refund amounts are negative, as on the
/// manager screen. A description or terminal cell that starts with `=`, `+`, `-` or `@` gets
/// a leading `'`, so a spreadsheet shows it as text instead of running it as a formula.
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
                id_cell(&row.out_trade_no),
                id_cell(row.out_refund_no.as_deref().unwrap_or_default()),
                id_cell(row.transaction_id.as_deref().unwrap_or_default()),
                defuse_formula(&row.body),
                signed_amount(row).to_string(),
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

/// Returns `id` with [`ID_TEXT_MARKER`] in front, or an empty cell for an empty id.
pub fn id_cell(id: &str) -> String {
    if id.is_empty() {
        String::new()
    } else {
        format!("{ID_TEXT_MARKER}{id}")
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
    use crate::money::Fen;

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
    fn id_cells_start_with_the_marker() {
        assert_eq!(id_cell("20260310000000000001"), "\t20260310000000000001");
        assert_eq!(id_cell(""), "");
    }

    #[test]
    fn rows_mark_ids_and_negate_refunds() {
        let order = ReportRow {
            kind: RowKind::Order,
            at_ms: 0,
            out_trade_no: "20260310000000000001".to_owned(),
            out_refund_no: None,
            transaction_id: Some("4200000000202603100000000001".to_owned()),
            body: "奶茶".to_owned(),
            amount: Fen(1990),
            state: "partly_refunded".to_owned(),
            terminal: "POS01".to_owned(),
        };
        let refund = ReportRow {
            kind: RowKind::Refund,
            out_refund_no: Some("20260310000000000001R1".to_owned()),
            amount: Fen(5000),
            state: "success".to_owned(),
            ..order.clone()
        };

        let bytes = rows_to_csv(&[order, refund]);
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.trim_start_matches(UTF8_BOM).lines().collect();
        let order_cells: Vec<&str> = lines[1].split(',').collect();
        let refund_cells: Vec<&str> = lines[2].split(',').collect();

        assert_eq!(order_cells[2], "\t20260310000000000001");
        assert_eq!(order_cells[3], "");
        assert_eq!(order_cells[4], "\t4200000000202603100000000001");
        assert_eq!(order_cells[6], "19.90");
        assert_eq!(refund_cells[3], "\t20260310000000000001R1");
        assert_eq!(refund_cells[6], "-50.00");
    }

    #[test]
    fn formula_text_is_defused() {
        assert_eq!(defuse_formula("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defuse_formula("奶茶"), "奶茶");
    }
}
