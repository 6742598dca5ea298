//! The day-end report (日结报表): the range's totals, refunds, a per-hour table and, when the
//! caller has one, a reconciliation line against WeChat Pay's bill. One list of blocks feeds
//! both the PDF and the ESC/POS job, so the file and the printout show the same text.

use chrono::NaiveDate;
use printpdf::Mm;

use super::{ReportError, local_offset_secs, local_range, local_time_text};
use crate::money::Fen;
use crate::printer::PrinterSettings;
use crate::receipt::content::{Block, Gap, SINGLE_LINE, TextStyle};
use crate::receipt::{Pagination, PaperWidth, render_blocks_pdf};
use crate::reconcile::{ReconciliationSummary, latest_full_reconciliation};
use crate::store::{HourTakings, RangeTotals, Store, now_ms};

/// Lines the shop name may take at the top of the report.
const SHOP_NAME_MAX_LINES: usize = 2;
/// Lines the reconciliation note may take.
const NOTE_MAX_LINES: usize = 4;

/// Maximum page height of the report as a PDF: the length of an A4 sheet. A longer report
/// continues on further pages.
const PDF_MAX_PAGE_HEIGHT: Mm = Mm(297.0);

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
    /// One line for the reader, such as which order to look at first; may be empty.
    pub note: String,
}

impl ReconciliationLine {
    /// Summarizes a saved bill reconciliation for the report. The note states whether the day
    /// agrees, or names the first difference.
    pub fn from_summary(summary: &ReconciliationSummary) -> ReconciliationLine {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        let note = match summary.differences.first() {
            None if summary.bill_found => {
                "账单与本地记录一致 The bill matches the local records".to_owned()
            }
            None => "微信无该日账单，本地也无交易 No bill and no local trades".to_owned(),
            Some(first) => format!(
                "{} / {}",
                crate::reconcile::text::difference_text(crate::i18n::Lang::ZhCn, first),
                crate::reconcile::text::difference_text(crate::i18n::Lang::En, first)
            ),
        };
        ReconciliationLine {
            bill_date: summary.bill_date.format("%Y-%m-%d").to_string(),
            bill_rows: count(summary.bill_rows),
            bill_total: summary.bill_total_fee,
            bill_refunds: summary.bill_refund_fee,
            matched_count: count(summary.counts.matched),
            mismatch_count: count(summary.counts.differences()),
            note,
        }
    }
}

/// Everything the day-end report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayEndReport {
    pub shop_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// When the report was made, Unix milliseconds.
    pub generated_at_ms: i64,
    pub totals: RangeTotals,
    /// Takings by local hour of the day, 0 to 23.
    pub hours: [HourTakings; 24],
    /// The bill comparison, when the caller ran one.
    pub reconciliation: Option<ReconciliationLine>,
}

impl DayEndReport {
    /// Loads the totals and the per-hour takings of the local dates `from` to `to`
    /// (inclusive) from the store. For a single day it adds the latest saved reconciliation of
    /// that day's ALL bill (payments and refunds).
    pub fn load(
        store: &Store,
        shop_name: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<DayEndReport, ReportError> {
        let range = local_range(from, to)?;
        let (totals, hours) = store.range_summary(range, local_offset_secs(range.from_ms))?;
        let reconciliation = if from == to {
            latest_full_reconciliation(store, from)?
                .as_ref()
                .map(ReconciliationLine::from_summary)
        } else {
            None
        };
        Ok(DayEndReport {
            shop_name: shop_name.to_owned(),
            from,
            to,
            generated_at_ms: now_ms(),
            totals,
            hours,
            reconciliation,
        })
    }

    /// Returns the report's date text: `2024-05-01` or `2024-05-01 至 2024-05-31`.
    pub fn date_text(&self) -> String {
        if self.from == self.to {
            self.from.to_string()
        } else {
            format!("{} 至 to {}", self.from, self.to)
        }
    }

    /// Lists the report's blocks, top to bottom.
    pub(crate) fn blocks(&self) -> Vec<Block> {
        let centered = |text: String, style| Block::Centered {
            text,
            style,
            max_lines: SINGLE_LINE,
        };
        let row = |left: &str, right: String| Block::Row {
            left: left.to_owned(),
            right,
        };
        let yuan = |amount: Fen| format!("￥{amount}");
        let totals = &self.totals;

        let mut blocks = vec![
            Block::Centered {
                text: self.shop_name.clone(),
                style: TextStyle::Heading,
                max_lines: SHOP_NAME_MAX_LINES,
            },
            Block::Gap(Gap::Small),
            centered("日结报表".to_owned(), TextStyle::Title),
            centered("Day-end report".to_owned(), TextStyle::Small),
            Block::Field {
                label: "日期 Date",
                value: self.date_text(),
                max_lines: 2,
            },
            Block::Field {
                label: "生成时间 Generated at",
                value: local_time_text(self.generated_at_ms),
                max_lines: SINGLE_LINE,
            },
            Block::Rule,
            row("收款笔数 Paid orders", totals.paid_count.to_string()),
            row("收款总额 Gross", yuan(totals.gross)),
            row("退款笔数 Refunds", totals.refund_count.to_string()),
            row("退款总额 Refunded", yuan(totals.refunds)),
            row("净收入 Net", yuan(totals.net)),
            Block::Rule,
            Block::Label("分时段收款 Takings by hour"),
        ];

        let active_hours: Vec<&HourTakings> = self
            .hours
            .iter()
            .filter(|hour| hour.paid_count > 0 || hour.refunds.fen() > 0)
            .collect();
        if active_hours.is_empty() {
            blocks.push(centered("无收款 No takings".to_owned(), TextStyle::Body));
        }
        for hour in active_hours {
            let mut right = format!("{}笔 {}", hour.paid_count, yuan(hour.gross));
            if hour.refunds.fen() > 0 {
                right.push_str(&format!(" 退￥{}", hour.refunds));
            }
            blocks.push(Block::Row {
                left: format!("{:02}:00-{:02}:00", hour.hour, hour.hour + 1),
                right,
            });
        }

        if let Some(line) = &self.reconciliation {
            blocks.push(Block::Rule);
            blocks.extend(reconciliation_blocks(line));
        }
        blocks.push(Block::Gap(Gap::Large));
        blocks
    }
}

fn reconciliation_blocks(line: &ReconciliationLine) -> Vec<Block> {
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
    blocks
}

/// Renders the report as a PDF the width of an 80 mm receipt roll, on pages up to
/// [`PDF_MAX_PAGE_HEIGHT`] long.
pub fn day_end_pdf(report: &DayEndReport) -> Result<Vec<u8>, ReportError> {
    let title = format!("日结报表 Day-end report {}", report.date_text());
    Ok(render_blocks_pdf(
        &report.blocks(),
        PaperWidth::Mm80,
        &title,
        Pagination::MaxPageHeight(PDF_MAX_PAGE_HEIGHT),
    )?)
}

/// Encodes the report as an ESC/POS job for the configured receipt printer, without the
/// cash drawer pulse.
pub fn day_end_escpos(
    report: &DayEndReport,
    settings: &PrinterSettings,
) -> Result<Vec<u8>, ReportError> {
    let options = crate::printer::escpos_options(settings);
    Ok(crate::printer::escpos::encode_blocks(
        &report.blocks(),
        &options,
        false,
    )?)
}

/// Prints the report on the configured printer, on the calling thread. Every printer step
/// has a timeout, so this returns within seconds when the printer is off.
pub fn print_day_end_blocking(
    report: &DayEndReport,
    settings: &PrinterSettings,
) -> Result<(), ReportError> {
    let title = format!("日结报表 Day-end report {}", report.date_text());
    crate::printer::print_blocks_blocking(
        settings,
        &report.blocks(),
        &title,
        Pagination::MaxPageHeight(PDF_MAX_PAGE_HEIGHT),
    )?;
    Ok(())
}
