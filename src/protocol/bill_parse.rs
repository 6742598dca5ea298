//! Parser of the daily bill text. Columns are found by their titles, so the current layout
//! (27 columns for ALL) and the legacy one (24 columns) both parse, and the summary line is
//! checked against the sum of the rows.
//!
//! [`BillParser`] takes one line at a time, so a caller can feed it from a reader without
//! holding the whole text; [`parse_bill`] runs it over a string.

use super::bill::column;
use crate::money::Fen;

/// Decimal places of a yuan amount in the bill.
pub const BILL_AMOUNT_DECIMALS: usize = 2;
/// Maximum digits before the decimal point of a bill amount. 13 digits of yuan are far above
/// any real trade and keep each amount inside `i64` fen; the row sums are kept in `i128`.
pub const MAX_BILL_AMOUNT_INTEGER_DIGITS: usize = 13;
/// The byte-order mark some tools put before the header line.
const BOM: char = '\u{feff}';

/// The two known layouts of a bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BillLayout {
    /// The layout since 2017: 应结订单金额, 订单金额 and 申请退款金额 columns, 7 summary titles.
    Current,
    /// The pre-2017 layout: one 总金额 column and a 5-title summary.
    Legacy,
}

impl BillLayout {
    /// Returns the stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            BillLayout::Current => "current",
            BillLayout::Legacy => "legacy",
        }
    }

    /// Parses a stored name.
    pub fn from_stored(name: &str) -> Option<BillLayout> {
        match name {
            "current" => Some(BillLayout::Current),
            "legacy" => Some(BillLayout::Legacy),
            _ => None,
        }
    }
}

/// One trade line of the bill, with the backticks removed and amounts in fen.
///
/// Columns the bill type does not have are empty strings and zero amounts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillRow {
    /// `交易时间`, `yyyy-MM-dd HH:mm:ss` in Beijing time (full-width colons made ASCII).
    pub trade_time: String,
    pub device_info: String,
    pub transaction_id: String,
    pub out_trade_no: String,
    pub trade_type: String,
    /// `交易状态`: SUCCESS for a payment, REFUND for a refund row.
    pub trade_state: String,
    /// `应结订单金额` (current) or `总金额` (legacy).
    pub settlement_total_fee: Fen,
    pub refund_id: String,
    pub out_refund_no: String,
    /// `退款金额`: the refund that reached the payer's settlement.
    pub settlement_refund_fee: Fen,
    /// `退款状态`, such as SUCCESS or PROCESSING.
    pub refund_status: String,
    pub body: String,
    /// `订单金额` (current) or `总金额` (legacy): the order's `total_fee`.
    pub total_fee: Fen,
    /// `申请退款金额` (current) or `退款金额` (legacy): the `refund_fee` asked for.
    pub refund_fee: Fen,
}

impl BillRow {
    /// True for a refund row: `交易状态` REFUND, or another state than SUCCESS with a refund
    /// number. Legacy bills write `0` in the refund number columns of payment rows, so `0`
    /// does not count as a number.
    pub fn is_refund(&self) -> bool {
        let has_number = |number: &str| !number.is_empty() && number != "0";
        self.trade_state == super::bill::REFUND_TRADE_STATE
            || (self.trade_state != super::bill::SUCCESS_TRADE_STATE
                && (has_number(&self.out_refund_no) || has_number(&self.refund_id)))
    }
}

/// The summary line, as stated by WeChat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillSummary {
    /// `总交易单数`.
    pub trade_count: u64,
    /// `应结订单总金额` (current) or `总交易额` (legacy).
    pub settlement_total_fee: Fen,
    /// `退款总金额` (current) or `总退款金额` (legacy).
    pub settlement_refund_fee: Fen,
    /// `订单总金额`; current layout only.
    pub total_fee: Option<Fen>,
    /// `申请退款总金额`; current layout only.
    pub refund_fee: Option<Fen>,
    /// `手续费总金额` as written; not checked, because WeChat rounds each row's fee.
    pub service_fee_text: String,
}

/// A parsed bill whose summary agrees with its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub layout: BillLayout,
    pub rows: Vec<BillRow>,
    pub summary: BillSummary,
}

/// A reason the bill text cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillParseError {
    #[error("the bill is empty")]
    Empty,
    #[error("the bill header names neither 应结订单金额 nor 总金额, so its layout is unknown")]
    UnknownLayout,
    #[error("the bill header has no {name} column")]
    MissingColumn { name: &'static str },
    #[error("the bill header names the column {name} twice")]
    DuplicateColumn { name: String },
    #[error("line {line} has {found} fields, but the header has {expected}")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: {column} is {text:?}, not a yuan amount such as 6.00")]
    BadAmount {
        line: usize,
        column: &'static str,
        text: String,
    },
    #[error("the bill ends without its summary (总交易单数) line")]
    MissingSummary,
    #[error("the summary header has no {name} title")]
    MissingSummaryTitle { name: &'static str },
    #[error("line {line}: the summary has {found} values for {expected} titles")]
    SummaryFieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("line {line}: 总交易单数 is {text:?}, not a count")]
    BadCount { line: usize, text: String },
    #[error("line {line} follows the summary; a bill ends with its summary values")]
    TextAfterSummary { line: usize },
    #[error("the summary states {total} {stated}, but the rows add up to {computed}")]
    SummaryMismatch {
        /// The summary title, such as 应结订单总金额.
        total: &'static str,
        stated: String,
        computed: String,
    },
}

/// Positions of the needed fields in a trade line.
#[derive(Debug, Clone, Default)]
struct Columns {
    count: usize,
    trade_time: usize,
    transaction_id: usize,
    out_trade_no: usize,
    trade_state: usize,
    settlement_total_fee: usize,
    device_info: Option<usize>,
    trade_type: Option<usize>,
    refund_id: Option<usize>,
    out_refund_no: Option<usize>,
    settlement_refund_fee: Option<usize>,
    refund_status: Option<usize>,
    body: Option<usize>,
    total_fee: Option<usize>,
    refund_fee: Option<usize>,
}

/// Sums of the rows so far, compared with the summary at the end.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    count: u64,
    settlement_total_fee: i128,
    settlement_refund_fee: i128,
    total_fee: i128,
    refund_fee: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Header,
    Rows,
    SummaryValues { titles: Vec<String> },
    Done,
}

/// A line-by-line bill parser.
#[derive(Debug)]
pub struct BillParser {
    stage: Stage,
    line: usize,
    layout: BillLayout,
    columns: Columns,
    sums: Sums,
    summary: Option<BillSummary>,
}

impl Default for BillParser {
    fn default() -> Self {
        BillParser::new()
    }
}

impl BillParser {
    /// Creates a parser waiting for the header line.
    pub fn new() -> Self {
        BillParser {
            stage: Stage::Header,
            line: 0,
            layout: BillLayout::Current,
            columns: Columns::default(),
            sums: Sums::default(),
            summary: None,
        }
    }

    /// Returns the layout the header named; `Current` until the header was read.
    pub fn layout(&self) -> BillLayout {
        self.layout
    }

    /// Takes the next line (with or without its `\r\n`) and returns the trade it holds, if
    /// it is a trade line.
    pub fn feed_line(&mut self, raw_line: &str) -> Result<Option<BillRow>, BillParseError> {
        self.line += 1;
        let line = raw_line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            return Ok(None);
        }

        match &self.stage {
            Stage::Header => {
                self.read_header(line.trim_start_matches(BOM))?;
                self.stage = Stage::Rows;
                Ok(None)
            }
            Stage::Rows => {
                let fields = split_fields(line);
                if fields.first().copied() == Some(column::SUMMARY_COUNT) {
                    let titles = fields.iter().map(|title| (*title).to_owned()).collect();
                    self.stage = Stage::SummaryValues { titles };
                    return Ok(None);
                }
                let row = self.read_row(&fields)?;
                Ok(Some(row))
            }
            Stage::SummaryValues { titles } => {
                let summary = self.read_summary(titles, &split_fields(line))?;
                self.summary = Some(summary);
                self.stage = Stage::Done;
                Ok(None)
            }
            Stage::Done => Err(BillParseError::TextAfterSummary { line: self.line }),
        }
    }

    /// Ends the bill: checks that the summary was read and that it agrees with the rows.
    pub fn finish(self) -> Result<(BillLayout, BillSummary), BillParseError> {
        if self.stage == Stage::Header {
            return Err(BillParseError::Empty);
        }
        let summary = self.summary.ok_or(BillParseError::MissingSummary)?;
        check_summary(self.layout, &summary, &self.sums)?;
        Ok((self.layout, summary))
    }

    fn read_header(&mut self, line: &str) -> Result<(), BillParseError> {
        let titles = split_fields(line);
        for (index, title) in titles.iter().enumerate() {
            if titles[..index].contains(title) {
                return Err(BillParseError::DuplicateColumn {
                    name: (*title).to_owned(),
                });
            }
        }
        let find = |name: &str| titles.iter().position(|title| *title == name);
        let require = |name: &'static str| find(name).ok_or(BillParseError::MissingColumn { name });

        let (layout, settlement_name, total_name, refund_fee_name) =
            if find(column::SETTLEMENT_TOTAL_FEE).is_some() {
                (
                    BillLayout::Current,
                    column::SETTLEMENT_TOTAL_FEE,
                    column::TOTAL_FEE,
                    column::APPLIED_REFUND_FEE,
                )
            } else if find(column::LEGACY_TOTAL_FEE).is_some() {
                (
                    BillLayout::Legacy,
                    column::LEGACY_TOTAL_FEE,
                    column::LEGACY_TOTAL_FEE,
                    column::REFUND_FEE,
                )
            } else {
                return Err(BillParseError::UnknownLayout);
            };

        self.layout = layout;
        self.columns = Columns {
            count: titles.len(),
            trade_time: require(column::TRADE_TIME)?,
            transaction_id: require(column::TRANSACTION_ID)?,
            out_trade_no: require(column::OUT_TRADE_NO)?,
            trade_state: require(column::TRADE_STATE)?,
            settlement_total_fee: require(settlement_name)?,
            device_info: find(column::DEVICE_INFO),
            trade_type: find(column::TRADE_TYPE),
            refund_id: find(column::REFUND_ID),
            out_refund_no: find(column::OUT_REFUND_NO),
            settlement_refund_fee: find(column::REFUND_FEE),
            refund_status: find(column::REFUND_STATUS),
            body: find(column::BODY),
            total_fee: find(total_name),
            refund_fee: find(refund_fee_name),
        };
        Ok(())
    }

    fn read_row(&mut self, fields: &[&str]) -> Result<BillRow, BillParseError> {
        let columns = &self.columns;
        if fields.len() != columns.count {
            return Err(BillParseError::FieldCount {
                line: self.line,
                expected: columns.count,
                found: fields.len(),
            });
        }
        let line = self.line;
        let text = |index: Option<usize>| index.map_or("", |index| fields[index]).to_owned();
        let amount = |index: Option<usize>, name: &'static str| match index {
            None => Ok(Fen(0)),
            Some(index) => parse_bill_amount(fields[index]).ok_or(BillParseError::BadAmount {
                line,
                column: name,
                text: fields[index].to_owned(),
            }),
        };
        let (settlement_name, total_name, refund_fee_name) = match self.layout {
            BillLayout::Current => (
                column::SETTLEMENT_TOTAL_FEE,
                column::TOTAL_FEE,
                column::APPLIED_REFUND_FEE,
            ),
            BillLayout::Legacy => (
                column::LEGACY_TOTAL_FEE,
                column::LEGACY_TOTAL_FEE,
                column::REFUND_FEE,
            ),
        };

        let row = BillRow {
            trade_time: fields[columns.trade_time].replace('：', ":"),
            device_info: text(columns.device_info),
            transaction_id: fields[columns.transaction_id].to_owned(),
            out_trade_no: fields[columns.out_trade_no].to_owned(),
            trade_type: text(columns.trade_type),
            trade_state: fields[columns.trade_state].to_owned(),
            settlement_total_fee: amount(Some(columns.settlement_total_fee), settlement_name)?,
            refund_id: text(columns.refund_id),
            out_refund_no: text(columns.out_refund_no),
            settlement_refund_fee: amount(columns.settlement_refund_fee, column::REFUND_FEE)?,
            refund_status: text(columns.refund_status),
            body: text(columns.body),
            total_fee: amount(columns.total_fee, total_name)?,
            refund_fee: amount(columns.refund_fee, refund_fee_name)?,
        };

        let sums = &mut self.sums;
        sums.count += 1;
        sums.settlement_total_fee += i128::from(row.settlement_total_fee.fen());
        sums.settlement_refund_fee += i128::from(row.settlement_refund_fee.fen());
        sums.total_fee += i128::from(row.total_fee.fen());
        sums.refund_fee += i128::from(row.refund_fee.fen());
        Ok(row)
    }

    fn read_summary(
        &self,
        titles: &[String],
        values: &[&str],
    ) -> Result<BillSummary, BillParseError> {
        if values.len() != titles.len() {
            return Err(BillParseError::SummaryFieldCount {
                line: self.line,
                expected: titles.len(),
                found: values.len(),
            });
        }
        let line = self.line;
        let value = |name: &'static str| {
            titles
                .iter()
                .position(|title| title == name)
                .map(|index| values[index])
        };
        let amount = |name: &'static str| -> Result<Option<Fen>, BillParseError> {
            match value(name) {
                None => Ok(None),
                Some(text) => parse_bill_amount(text)
                    .map(Some)
                    .ok_or(BillParseError::BadAmount {
                        line,
                        column: name,
                        text: text.to_owned(),
                    }),
            }
        };
        let required =
            |name: &'static str| amount(name)?.ok_or(BillParseError::MissingSummaryTitle { name });

        let count_text = value(column::SUMMARY_COUNT).unwrap_or_default();
        let trade_count = count_text
            .parse::<u64>()
            .ok()
            .filter(|_| count_text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| BillParseError::BadCount {
                line,
                text: count_text.to_owned(),
            })?;

        let summary = match self.layout {
            BillLayout::Current => BillSummary {
                trade_count,
                settlement_total_fee: required(column::SUMMARY_SETTLEMENT_TOTAL_FEE)?,
                settlement_refund_fee: required(column::SUMMARY_REFUND_FEE)?,
                total_fee: amount(column::SUMMARY_TOTAL_FEE)?,
                refund_fee: amount(column::SUMMARY_APPLIED_REFUND_FEE)?,
                service_fee_text: value(column::SUMMARY_SERVICE_FEE)
                    .unwrap_or_default()
                    .to_owned(),
            },
            BillLayout::Legacy => BillSummary {
                trade_count,
                settlement_total_fee: required(column::LEGACY_SUMMARY_TOTAL_FEE)?,
                settlement_refund_fee: required(column::LEGACY_SUMMARY_REFUND_FEE)?,
                total_fee: None,
                refund_fee: None,
                service_fee_text: value(column::SUMMARY_SERVICE_FEE)
                    .unwrap_or_default()
                    .to_owned(),
            },
        };
        Ok(summary)
    }
}

/// Parses a whole bill text.
pub fn parse_bill(text: &str) -> Result<Bill, BillParseError> {
    let mut parser = BillParser::new();
    let mut rows = Vec::new();
    for line in text.lines() {
        if let Some(row) = parser.feed_line(line)? {
            rows.push(row);
        }
    }
    let (layout, summary) = parser.finish()?;
    Ok(Bill {
        layout,
        rows,
        summary,
    })
}

/// Splits a line into fields and strips each field's backtick.
///
/// Trade lines write every field as `` `value `` joined with `,`, so they are split on
/// `` ,` ``, which keeps a comma inside a product name in its field. Header lines have no
/// backticks and are split on `,`.
fn split_fields(line: &str) -> Vec<&str> {
    match line.strip_prefix('`') {
        Some(rest) => rest.split(",`").collect(),
        None => line.split(',').collect(),
    }
}

/// Parses a bill amount such as `6.00`, `-0.02` or an empty field (zero) into fen, with
/// integer arithmetic only.
pub fn parse_bill_amount(text: &str) -> Option<Fen> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Fen(0));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (yuan_text, fraction_text) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if yuan_text.is_empty()
        || yuan_text.len() > MAX_BILL_AMOUNT_INTEGER_DIGITS
        || fraction_text.len() > BILL_AMOUNT_DECIMALS
        || !all_digits(yuan_text)
        || !all_digits(fraction_text)
    {
        return None;
    }

    let yuan: i64 = yuan_text.parse().ok()?;
    let fraction_fen = fraction_text
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(BILL_AMOUNT_DECIMALS)
        .fold(0_i64, |fen, digit| fen * 10 + i64::from(digit - b'0'));
    let fen = yuan * 100 + fraction_fen;
    Some(Fen(if negative { -fen } else { fen }))
}

/// Compares the summary with the sums of the rows.
fn check_summary(
    layout: BillLayout,
    summary: &BillSummary,
    sums: &Sums,
) -> Result<(), BillParseError> {
    if summary.trade_count != sums.count {
        return Err(BillParseError::SummaryMismatch {
            total: column::SUMMARY_COUNT,
            stated: summary.trade_count.to_string(),
            computed: sums.count.to_string(),
        });
    }
    let (settlement_title, refund_title) = match layout {
        BillLayout::Current => (
            column::SUMMARY_SETTLEMENT_TOTAL_FEE,
            column::SUMMARY_REFUND_FEE,
        ),
        BillLayout::Legacy => (
            column::LEGACY_SUMMARY_TOTAL_FEE,
            column::LEGACY_SUMMARY_REFUND_FEE,
        ),
    };
    let checks = [
        (
            settlement_title,
            Some(summary.settlement_total_fee),
            sums.settlement_total_fee,
        ),
        (
            refund_title,
            Some(summary.settlement_refund_fee),
            sums.settlement_refund_fee,
        ),
        (column::SUMMARY_TOTAL_FEE, summary.total_fee, sums.total_fee),
        (
            column::SUMMARY_APPLIED_REFUND_FEE,
            summary.refund_fee,
            sums.refund_fee,
        ),
    ];
    for (total, stated, computed) in checks {
        if let Some(stated) = stated
            && i128::from(stated.fen()) != computed
        {
            return Err(BillParseError::SummaryMismatch {
                total,
                stated: stated.to_string(),
                computed: yuan_text(computed),
            });
        }
    }
    Ok(())
}

/// Prints a sum of fen as yuan with two decimals.
fn yuan_text(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bill_amounts_are_exact_fen() {
        assert_eq!(parse_bill_amount("6.00"), Some(Fen(600)));
        assert_eq!(parse_bill_amount("0.01"), Some(Fen(1)));
        assert_eq!(parse_bill_amount("19.9"), Some(Fen(1990)));
        assert_eq!(parse_bill_amount("-0.02"), Some(Fen(-2)));
        assert_eq!(parse_bill_amount("12"), Some(Fen(1200)));
        assert_eq!(parse_bill_amount(""), Some(Fen(0)));
        assert_eq!(parse_bill_amount("0.04000"), None);
        assert_eq!(parse_bill_amount("1e3"), None);
        assert_eq!(parse_bill_amount(".5"), None);
        assert_eq!(parse_bill_amount("99999999999999.00"), None);
    }

    #[test]
    fn trade_fields_lose_their_backticks() {
        assert_eq!(
            split_fields("`2019-07-25 08:35:41,`WWWW,`,`a,b"),
            vec!["2019-07-25 08:35:41", "WWWW", "", "a,b"]
        );
        assert_eq!(split_fields("交易时间,商户号"), vec!["交易时间", "商户号"]);
    }
}
