//! The day-end report (日结报表): the range's totals, refunds, a per-hour table and, when the
//! caller has one, the reconciliation against WeChat Pay's bill with every difference. One
//! list of blocks feeds both the PDF and the ESC/POS job, so the file and the printout show
//! the same text.

use chrono::NaiveDate;
use printpdf::Mm;

use super::reconciliation::{ReconciliationLine, reconciliation_blocks};
use super::{ReportError, local_offset_secs, local_range, local_time_text};
use crate::money::Fen;
use crate::printer::PrinterSettings;
use crate::receipt::content::{Block, Gap, SINGLE_LINE, TextStyle};
use crate::receipt::{Pagination, PaperWidth, render_blocks_pdf};
use crate::reconcile::latest_full_reconciliation;
use crate::store::{HourTakings, RangeTotals, Store, now_ms};

/// Lines the shop name may take at the top of the report.
const SHOP_NAME_MAX_LINES: usize = 2;

/// Maximum page height of the report as a PDF: the length of an A4 sheet. A longer report,
/// such as one with many reconciliation differences, continues on further pages.
const PDF_MAX_PAGE_HEIGHT: Mm = Mm(297.0);

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
