//! The orders and refunds of a range as an XLSX workbook: a sheet of rows and a sheet of
//! totals. Amounts are number cells in yuan with a two-decimal format, and refunds are negative
//! as on the manager screen. Times and ids are text.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{CSV_HEADER, local_time_text, signed_amount, state_text};
use crate::money::Fen;
use crate::store::{RangeTotals, ReportRow, RowKind};

/// Name of the sheet with one row per order or refund.
pub const ROWS_SHEET: &str = "订单 Orders";
/// Name of the sheet with the range's totals.
pub const TOTALS_SHEET: &str = "汇总 Totals";

/// Number format of amount cells: two decimals, thousands separated.
const YUAN_FORMAT: &str = "#,##0.00";

/// Column widths in Excel's character units, in [`CSV_HEADER`] order.
const COLUMN_WIDTHS: [f64; 9] = [20.0, 12.0, 30.0, 30.0, 32.0, 28.0, 16.0, 22.0, 10.0];

/// Column of the amount in [`CSV_HEADER`].
const AMOUNT_COLUMN: u16 = 6;

/// Builds the workbook of `rows` with `totals` on a second sheet, and returns its bytes.
pub fn rows_to_xlsx(rows: &[ReportRow], totals: &RangeTotals) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format(YUAN_FORMAT);

    let sheet = workbook.add_worksheet();
    sheet.set_name(ROWS_SHEET)?;
    write_header(sheet, &bold)?;
    for (index, row) in rows.iter().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        write_row(sheet, line, row, &yuan)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(TOTALS_SHEET)?;
    sheet.set_column_width(0, 28.0)?;
    sheet.set_column_width(1, 16.0)?;
    let count_lines = [
        ("收款笔数 Paid orders", totals.paid_count),
        ("退款笔数 Refunds", totals.refund_count),
    ];
    for (line, (label, count)) in (0u32..).zip(count_lines) {
        sheet.write_string_with_format(line, 0, label, &bold)?;
        sheet.write_number(line, 1, count as f64)?;
    }
    let amount_lines = [
        ("收款总额（元） Gross (yuan)", totals.gross),
        ("退款总额（元） Refunds (yuan)", totals.refunds),
        ("净收入（元） Net (yuan)", totals.net),
    ];
    for (line, (label, amount)) in (2u32..).zip(amount_lines) {
        sheet.write_string_with_format(line, 0, label, &bold)?;
        sheet.write_number_with_format(line, 1, yuan_cell(amount), &yuan)?;
    }

    workbook.save_to_buffer()
}

fn write_header(sheet: &mut Worksheet, bold: &Format) -> Result<(), XlsxError> {
    for (column, (title, width)) in (0u16..).zip(CSV_HEADER.iter().zip(COLUMN_WIDTHS)) {
        sheet.write_string_with_format(0, column, *title, bold)?;
        sheet.set_column_width(column, width)?;
    }
    Ok(())
}

fn write_row(
    sheet: &mut Worksheet,
    line: u32,
    row: &ReportRow,
    yuan: &Format,
) -> Result<(), XlsxError> {
    let kind = match row.kind {
        RowKind::Order => "订单 Order",
        RowKind::Refund => "退款 Refund",
    };
    let texts = [
        local_time_text(row.at_ms),
        kind.to_owned(),
        row.out_trade_no.clone(),
        row.out_refund_no.clone().unwrap_or_default(),
        row.transaction_id.clone().unwrap_or_default(),
        row.body.clone(),
    ];
    for (column, text) in (0u16..).zip(texts) {
        sheet.write_string(line, column, text)?;
    }
    sheet.write_number_with_format(line, AMOUNT_COLUMN, yuan_cell(signed_amount(row)), yuan)?;
    sheet.write_string(line, AMOUNT_COLUMN + 1, state_text(&row.state))?;
    sheet.write_string(line, AMOUNT_COLUMN + 2, &row.terminal)?;
    Ok(())
}

/// Converts fen to the yuan value of a spreadsheet cell, which is always a binary float.
/// Any amount below 2^53 fen divided by 100 rounds to the nearest double, which the
/// two-decimal format shows as the exact yuan text, so no sum is done on the float here.
fn yuan_cell(amount: Fen) -> f64 {
    amount.fen() as f64 / 100.0
}
