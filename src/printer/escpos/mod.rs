//! ESC/POS bytes for a thermal receipt printer: the same blocks as the PDF, as GB18030 text in
//! Chinese mode, with bold and double-size headings, a QR code drawn by the printer or sent
//! as a raster image, and a cut.

pub mod commands;
pub mod text;

use commands::Justify;

use super::settings::QrMode;
use crate::receipt::content::{Block, Gap, TextStyle, receipt_blocks};
use crate::receipt::qr::{QR_QUIET_ZONE_MODULES, QrSymbol, symbol_width_modules};
use crate::receipt::wrap::{wrap_phrases, wrap_text};
use crate::receipt::{PaperWidth, ReceiptError, ReceiptModel};

/// Width of a character of font A, the power-on font, in dots. Han characters are twice as
/// wide (24 dots), so 384 dots hold 32 columns and 576 dots hold 48.
const FONT_A_WIDTH_DOTS: u32 = 12;

/// Smallest QR module accepted, in dots: 0.5 mm at 203 dpi, which phone cameras still read
/// from paper. A payload whose code needs smaller modules is rejected.
pub const MIN_QR_MODULE_DOTS: u32 = 4;

/// Largest QR module used, in dots (1 mm). Short links get this size.
pub const MAX_QR_MODULE_DOTS: u32 = 8;

/// Bits in a byte of raster data.
const DOTS_PER_BYTE: u32 = 8;

/// Lines an item name may take in a row, beside its amount.
const ROW_MAX_LINES: usize = 2;

/// Print options for one slip or receipt. The default is 80 mm paper, the printer's own QR command, a cut,
/// and no cash drawer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscPosOptions {
    pub paper: PaperWidth,
    pub qr_mode: QrMode,
    /// Cut the paper at the end.
    pub cut: bool,
    /// Open the cash drawer after a paid receipt (never after a checkout slip).
    pub open_cash_drawer: bool,
}

impl Default for EscPosOptions {
    fn default() -> Self {
        EscPosOptions {
            paper: PaperWidth::Mm80,
            qr_mode: QrMode::Native,
            cut: true,
            open_cash_drawer: false,
        }
    }
}

/// Encodes `model`'s checkout slip or receipt as one ESC/POS job.
pub fn encode_receipt(
    model: &ReceiptModel,
    options: &EscPosOptions,
) -> Result<Vec<u8>, ReceiptError> {
    let open_drawer = options.open_cash_drawer && model.is_paid();
    encode_blocks(&receipt_blocks(model), options, open_drawer)
}

/// Encodes `blocks` as one ESC/POS job: reset, Chinese mode, the blocks, then a cut (or a feed
/// past the tear bar) and, when `open_drawer` is set, the cash drawer pulse.
pub(crate) fn encode_blocks(
    blocks: &[Block],
    options: &EscPosOptions,
    open_drawer: bool,
) -> Result<Vec<u8>, ReceiptError> {
    let mut job = Job {
        out: Vec::with_capacity(4096),
        columns: options.paper.printable_dots() / FONT_A_WIDTH_DOTS,
        paper: options.paper,
        qr_mode: options.qr_mode,
    };
    job.out.extend_from_slice(&commands::INITIALIZE);
    job.out.extend_from_slice(&commands::CHINESE_MODE_ON);
    for block in blocks {
        job.block(block)?;
    }

    if options.cut {
        job.out.extend_from_slice(&commands::FEED_AND_CUT);
    } else {
        job.out.extend_from_slice(&commands::FEED_LINES_WITHOUT_CUT);
    }
    if open_drawer {
        job.out.extend_from_slice(&commands::OPEN_CASH_DRAWER);
    }
    Ok(job.out)
}

/// Returns the dots of one QR module for `payload` on `paper`: the largest module up to
/// [`MAX_QR_MODULE_DOTS`] at which the symbol and its quiet zone fit the printed band.
pub fn qr_module_dots(payload: &str, paper: PaperWidth) -> Result<u32, ReceiptError> {
    let width_modules = symbol_width_modules(payload, max_qr_width_modules(paper))?;
    Ok(module_dots_for(width_modules, paper))
}

/// Returns the widest symbol, in modules, whose modules stay [`MIN_QR_MODULE_DOTS`] wide with
/// the quiet zone on `paper`.
fn max_qr_width_modules(paper: PaperWidth) -> usize {
    let band_modules = (paper.printable_dots() / MIN_QR_MODULE_DOTS) as usize;
    band_modules - 2 * QR_QUIET_ZONE_MODULES
}

fn module_dots_for(width_modules: usize, paper: PaperWidth) -> u32 {
    let side_modules = (width_modules + 2 * QR_QUIET_ZONE_MODULES) as u32;
    (paper.printable_dots() / side_modules).min(MAX_QR_MODULE_DOTS)
}

/// A job being written.
struct Job {
    out: Vec<u8>,
    /// Columns of normal-size text across the printed band.
    columns: u32,
    paper: PaperWidth,
    qr_mode: QrMode,
}

impl Job {
    fn block(&mut self, block: &Block) -> Result<(), ReceiptError> {
        match block {
            Block::Centered {
                text,
                style,
                max_lines,
            } => {
                commands::justify(&mut self.out, Justify::Center);
                let (bold, double) = match style {
                    TextStyle::Heading => (true, true),
                    TextStyle::Title | TextStyle::Notice => (true, false),
                    TextStyle::Body | TextStyle::Small => (false, false),
                };
                self.styled_paragraph(text, bold, double, *max_lines);
            }
            Block::Field {
                label,
                value,
                max_lines,
            } => {
                commands::justify(&mut self.out, Justify::Left);
                self.paragraph(label, 1, self.columns);
                self.paragraph(value, *max_lines, self.columns);
            }
            Block::Label(label) => {
                commands::justify(&mut self.out, Justify::Left);
                self.paragraph(label, 1, self.columns);
            }
            Block::Phrases { phrases, max_lines } => {
                commands::justify(&mut self.out, Justify::Left);
                self.phrases(phrases, *max_lines);
            }
            Block::Row { left, right } => {
                commands::justify(&mut self.out, Justify::Left);
                self.row(left, right);
            }
            Block::Amount(amount) => {
                commands::justify(&mut self.out, Justify::Center);
                self.styled_paragraph(amount, true, true, 1);
            }
            Block::Rule => {
                commands::justify(&mut self.out, Justify::Left);
                let rule = "-".repeat(self.columns as usize);
                self.line(&rule);
            }
            Block::Gap(Gap::Large) => self.out.push(commands::LF),
            Block::Gap(Gap::Small | Gap::Medium) => {}
            Block::Qr { payload } => {
                commands::justify(&mut self.out, Justify::Center);
                self.qr(payload)?;
            }
        }
        Ok(())
    }

    /// Writes `text` bold and/or double size, then resets both.
    fn styled_paragraph(&mut self, text: &str, bold: bool, double: bool, max_lines: usize) {
        if bold {
            commands::bold(&mut self.out, true);
        }
        if double {
            commands::character_size(&mut self.out, commands::DOUBLE_SIZE);
            self.paragraph(text, max_lines, self.columns / 2);
            commands::character_size(&mut self.out, commands::NORMAL_SIZE);
        } else {
            self.paragraph(text, max_lines, self.columns);
        }
        if bold {
            commands::bold(&mut self.out, false);
        }
    }

    /// Writes `text` wrapped to `width_columns`, at most `max_lines` lines.
    fn paragraph(&mut self, text: &str, max_lines: usize, width_columns: u32) {
        let printable = text::printable(text);
        let lines = wrap_text(&printable, max_lines, text::columns, |width| {
            width <= width_columns
        });
        for line in lines {
            self.line(&line);
        }
    }

    /// Writes `phrases` wrapped to the full width between phrases, at most `max_lines` lines.
    fn phrases(&mut self, phrases: &[String], max_lines: usize) {
        let printable: Vec<String> = phrases
            .iter()
            .map(|phrase| text::printable(phrase))
            .collect();
        let lines = wrap_phrases(&printable, max_lines, text::columns, |width| {
            width <= self.columns
        });
        for line in lines {
            self.line(&line);
        }
    }

    /// Writes `left` wrapped to the columns that `right` leaves, with `right` flush right on
    /// the first line.
    fn row(&mut self, left: &str, right: &str) {
        let right = text::printable(right);
        let right_columns = text::text_columns(&right);
        let left_columns = self.columns.saturating_sub(right_columns + 1).max(2);
        let left = text::printable(left);
        let mut lines = wrap_text(&left, ROW_MAX_LINES, text::columns, |width| {
            width <= left_columns
        })
        .into_iter();

        let first = lines.next().unwrap_or_default();
        let padding = self
            .columns
            .saturating_sub(text::text_columns(&first) + right_columns);
        let first_line = format!("{first}{}{right}", " ".repeat(padding as usize));
        self.line(&first_line);
        for line in lines {
            self.line(&line);
        }
    }

    /// Writes one line of printable text and a line feed.
    fn line(&mut self, line: &str) {
        text::encode_into(&mut self.out, line);
        self.out.push(commands::LF);
    }

    fn qr(&mut self, payload: &str) -> Result<(), ReceiptError> {
        match self.qr_mode {
            QrMode::Native => {
                let module_dots = qr_module_dots(payload, self.paper)?;
                self.native_qr(payload, module_dots);
            }
            QrMode::Raster => {
                let symbol = QrSymbol::encode(payload, max_qr_width_modules(self.paper))?;
                let module_dots = module_dots_for(symbol.width_modules(), self.paper);
                self.raster_qr(&symbol, module_dots);
            }
        }
        self.out.push(commands::LF);
        Ok(())
    }

    /// Writes the `GS ( k` sequence: model 2, module size, level M, store, print.
    fn native_qr(&mut self, payload: &str, module_dots: u32) {
        use commands::*;
        let out = &mut self.out;
        qr_function(out, QR_FN_MODEL, &[QR_MODEL_2, 0]);
        qr_function(out, QR_FN_MODULE_SIZE, &[module_dots as u8]);
        qr_function(out, QR_FN_ERROR_CORRECTION, &[QR_ERROR_CORRECTION_M]);
        let mut store = Vec::with_capacity(payload.len() + 1);
        store.push(QR_M);
        store.extend_from_slice(payload.as_bytes());
        qr_function(out, QR_FN_STORE, &store);
        qr_function(out, QR_FN_PRINT, &[QR_M]);
    }

    /// Writes the symbol as one `GS v 0` image the width of the printed band, with the code
    /// centred in it, so the result does not depend on the printer applying `ESC a` to images.
    fn raster_qr(&mut self, symbol: &QrSymbol, module_dots: u32) {
        let width_dots = self.paper.printable_dots();
        let width_bytes = width_dots / DOTS_PER_BYTE;
        let side_modules = (symbol.width_modules() + 2 * QR_QUIET_ZONE_MODULES) as u32;
        let side_dots = side_modules * module_dots;
        let left_dots = (width_dots - side_dots) / 2;

        let quiet_dots = QR_QUIET_ZONE_MODULES as u32 * module_dots;
        let row_len = width_bytes as usize;
        let mut rows = vec![0u8; row_len * side_dots as usize];
        // Each module row is drawn once into the first of its dot rows, then copied to the rest.
        for module_row in 0..symbol.width_modules() {
            let first_dot_row = (quiet_dots + module_row as u32 * module_dots) as usize;
            let line = &mut rows[first_dot_row * row_len..(first_dot_row + 1) * row_len];
            for module_column in 0..symbol.width_modules() {
                if !symbol.is_dark(module_row, module_column) {
                    continue;
                }
                let module_left = left_dots + quiet_dots + module_column as u32 * module_dots;
                for dot in module_left..module_left + module_dots {
                    line[(dot / DOTS_PER_BYTE) as usize] |= 0x80 >> (dot % DOTS_PER_BYTE);
                }
            }
            for copy in 1..module_dots as usize {
                let start = first_dot_row * row_len;
                rows.copy_within(start..start + row_len, (first_dot_row + copy) * row_len);
            }
        }
        commands::raster_image(&mut self.out, width_bytes as u16, side_dots as u16, &rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_link_gets_largest_modules() {
        let module_dots = qr_module_dots("weixin://wxpay/s/An4baqw", PaperWidth::Mm58).unwrap();
        assert_eq!(module_dots, MAX_QR_MODULE_DOTS);
    }

    #[test]
    fn long_payload_fits_58_mm_at_minimum_module() {
        let payload = "x".repeat(300);
        let module_dots = qr_module_dots(&payload, PaperWidth::Mm58).unwrap();
        assert!(module_dots >= MIN_QR_MODULE_DOTS);
        let width_modules = symbol_width_modules(&payload, 177).unwrap();
        let side_dots = (width_modules + 8) as u32 * module_dots;
        assert!(side_dots <= 384, "{side_dots} dots");
    }

    #[test]
    fn payload_too_dense_for_paper_is_rejected() {
        let result = qr_module_dots(&"x".repeat(700), PaperWidth::Mm58);
        assert!(matches!(result, Err(ReceiptError::QrTooDense { .. })));
    }
}
