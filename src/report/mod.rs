//! The manager's reports: the orders and refunds of a date range as CSV or XLSX, and the
//! day-end report (日结报表) as a PDF or an ESC/POS job for the receipt printer.
//!
//! Dates are calendar days in Beijing time (UTC+8), the day WeChat Pay's bill, receipts and
//! `time_end` use, whatever the computer's time zone; [`local_range`] turns them into the
//! half-open millisecond range the store queries take. Every file is written to a temporary name in the target
//! folder, flushed and renamed, so a reader sees no file or a complete one.

mod csv;
mod day_end;
mod reconciliation;
mod xlsx;

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

use crate::protocol::messages::beijing;

use crate::money::Fen;
use crate::store::{ReportRow, RowKind, StoreError, TimeRange};

pub use csv::{CSV_HEADER, ID_TEXT_MARKER, id_cell, rows_to_csv};
pub use day_end::{DayEndReport, day_end_escpos, day_end_pdf, print_day_end_blocking};
pub use reconciliation::ReconciliationLine;
pub use xlsx::rows_to_xlsx;

/// Maximum range a report covers, in days: a year and a day, so a leap year fits.
pub const MAX_RANGE_DAYS: i64 = 367;

/// Format of report times: `2024-05-01 14:03:07`, Beijing time.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A report that could not be made or saved.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "结束日期 {to} 早于开始日期 {from}。The end date {to} is before the start date {from}."
    )]
    RangeReversed { from: NaiveDate, to: NaiveDate },
    #[error(
        "日期范围超过 {MAX_RANGE_DAYS} 天，请缩短。The range is longer than {MAX_RANGE_DAYS} days; pick a shorter one."
    )]
    RangeTooLong,
    #[error("北京时间中没有 {date} 这一天的零点。Beijing time has no midnight on {date}.")]
    NoLocalMidnight { date: NaiveDate },
    #[error("读取订单失败。Cannot read the orders from the database.")]
    Store(#[from] StoreError),
    #[error("生成 Excel 文件失败。Cannot build the XLSX file.")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("生成报表失败。Cannot render the report.")]
    Render(#[from] crate::receipt::ReceiptError),
    #[error("打印报表失败。Cannot print the report.")]
    Print(#[from] crate::printer::PrintError),
    #[error("无法写入文件 {path}。Cannot write {path}.")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Returns the half-open range from Beijing midnight of `from` to Beijing midnight after `to`.
pub fn local_range(from: NaiveDate, to: NaiveDate) -> Result<TimeRange, ReportError> {
    if to < from {
        return Err(ReportError::RangeReversed { from, to });
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(ReportError::RangeTooLong);
    }
    let end = to.succ_opt().ok_or(ReportError::RangeTooLong)?;
    Ok(TimeRange {
        from_ms: local_midnight_ms(from)?,
        to_ms: local_midnight_ms(end)?,
    })
}

fn local_midnight_ms(date: NaiveDate) -> Result<i64, ReportError> {
    beijing()
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|time| time.timestamp_millis())
        .ok_or(ReportError::NoLocalMidnight { date })
}

/// Returns the report time zone's offset from UTC, in seconds, for per-hour buckets. It is
/// Beijing's fixed UTC+8 at every instant; `_at_ms` stays for callers that pass the time.
pub fn local_offset_secs(_at_ms: i64) -> i32 {
    beijing().local_minus_utc()
}

/// Returns today's date in Beijing time, the manager screen's 今天.
pub fn report_today() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// Formats Unix milliseconds as Beijing time text, `2024-05-01 14:03:07`.
pub fn local_time_text(at_ms: i64) -> String {
    beijing()
        .timestamp_millis_opt(at_ms)
        .single()
        .map(|time| time.format(TIME_FORMAT).to_string())
        .unwrap_or_default()
}

/// Returns a file name part for a range: `2024-05-01` or `2024-05-01_2024-05-31`.
pub fn range_file_stem(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        from.to_string()
    } else {
        format!("{from}_{to}")
    }
}

/// Writes `bytes` to `dir/name` through a flushed temporary file and a rename, creating
/// `dir` if needed, and returns the final path.
pub fn write_report_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, ReportError> {
    let final_path = dir.join(name);
    let write_error = |source| ReportError::Write {
        path: final_path.clone(),
        source,
    };
    fs::create_dir_all(dir).map_err(write_error)?;

    let temp_path = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temp_path)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temp_path, &final_path));
    if let Err(source) = written {
        // The write error is the one to report; a leftover temporary file is harmless.
        let _ = fs::remove_file(&temp_path);
        return Err(write_error(source));
    }
    Ok(final_path)
}

/// Returns a row's amount with the sign the manager screen shows: positive for an order and
/// negative for a refund, which is money paid back to the customer.
pub(crate) fn signed_amount(row: &ReportRow) -> Fen {
    match row.kind {
        RowKind::Order => row.amount,
        RowKind::Refund => Fen(row.amount.fen().saturating_neg()),
    }
}

/// Returns the text shown for a stored order or refund state, Chinese then English.
pub fn state_text(state: &str) -> &'static str {
    match state {
        "created" => "已创建 Created",
        "awaiting_payment" => "待支付 Awaiting payment",
        "unknown" => "待确认 Unknown",
        "paid" => "已支付 Paid",
        "closed" => "已关闭 Closed",
        "expired" => "已过期 Expired",
        "failed" => "失败 Failed",
        "partly_refunded" => "部分退款 Partly refunded",
        "refunded" => "已退款 Refunded",
        "requested" => "退款已申请 Refund requested",
        "processing" => "退款处理中 Refund processing",
        "success" => "退款成功 Refund succeeded",
        "change" => "退款异常 Refund needs attention",
        "refundclose" => "退款关闭 Refund closed",
        _ => "其他 Other",
    }
}
