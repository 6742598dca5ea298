//! The QR code on the receipt: encoding the link and turning its dark modules into rectangles.

use qrcode::{Color, EcLevel, QrCode};

use super::ReceiptError;

/// Error correction level M restores about 15 % of damaged modules, enough for a scuffed or
/// faded thermal print without making the code much denser than level L.
const QR_EC_LEVEL: EcLevel = EcLevel::M;

/// Widest symbol accepted on a PDF page, in modules: version 12. At the printed symbol width
/// of 34 mm each module stays at least 0.5 mm, four dots of a 203 dpi thermal printer.
/// Version 12 at level M stores up to 287 bytes, far more than an order link needs.
pub(crate) const MAX_QR_WIDTH_MODULES: usize = 65;

/// Light modules that the QR standard (ISO/IEC 18004) requires around the symbol.
pub(crate) const QR_QUIET_ZONE_MODULES: usize = 4;

/// Returns the width in modules of the symbol that [`QrSymbol::encode`] makes for `link`,
/// without drawing it. Choosing the mask pattern is most of the cost of encoding, and a
/// printer that draws the code itself needs only the size.
pub(crate) fn symbol_width_modules(
    link: &str,
    max_width_modules: usize,
) -> Result<usize, ReceiptError> {
    let bits = qrcode::bits::encode_auto(link.as_bytes(), QR_EC_LEVEL).map_err(|source| {
        ReceiptError::QrEncode {
            link_len: link.len(),
            source,
        }
    })?;
    let width_modules = bits.version().width() as usize;
    if width_modules > max_width_modules {
        return Err(ReceiptError::QrTooDense {
            link_len: link.len(),
            width_modules,
            max_width_modules,
        });
    }
    Ok(width_modules)
}

/// A run of dark modules in one row: `length` modules starting at column `column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DarkRun {
    pub(crate) row: usize,
    pub(crate) column: usize,
    pub(crate) length: usize,
}

/// An encoded QR symbol, without its quiet zone.
pub(crate) struct QrSymbol {
    width_modules: usize,
    colors: Vec<Color>,
}

impl QrSymbol {
    /// Encodes `link` as bytes at level M, rejecting links whose symbol is wider than
    /// `max_width_modules` and so would print too dense.
    pub(crate) fn encode(link: &str, max_width_modules: usize) -> Result<Self, ReceiptError> {
        let code = QrCode::with_error_correction_level(link.as_bytes(), QR_EC_LEVEL).map_err(
            |source| ReceiptError::QrEncode {
                link_len: link.len(),
                source,
            },
        )?;
        let width_modules = code.width();
        if width_modules > max_width_modules {
            return Err(ReceiptError::QrTooDense {
                link_len: link.len(),
                width_modules,
                max_width_modules,
            });
        }
        Ok(Self {
            width_modules,
            colors: code.into_colors(),
        })
    }

    /// Width and height of the symbol in modules, without the quiet zone.
    pub(crate) fn width_modules(&self) -> usize {
        self.width_modules
    }

    /// True when the module at `row` and `column` (from the top-left, without the quiet zone)
    /// is dark. Positions outside the symbol are light, like the quiet zone.
    pub(crate) fn is_dark(&self, row: usize, column: usize) -> bool {
        row < self.width_modules
            && column < self.width_modules
            && self.colors[row * self.width_modules + column] == Color::Dark
    }

    /// Returns the dark modules as horizontal runs, row by row from the top. Merging a row's
    /// neighbouring modules into one rectangle keeps the path short and leaves no seams.
    pub(crate) fn dark_runs(&self) -> Vec<DarkRun> {
        let mut runs = Vec::new();
        for (row, cells) in self.colors.chunks(self.width_modules).enumerate() {
            let mut run_start = None;
            for (column, color) in cells.iter().enumerate() {
                match (color, run_start) {
                    (Color::Dark, None) => run_start = Some(column),
                    (Color::Light, Some(start)) => {
                        runs.push(DarkRun {
                            row,
                            column: start,
                            length: column - start,
                        });
                        run_start = None;
                    }
                    _ => {}
                }
            }
            if let Some(start) = run_start {
                runs.push(DarkRun {
                    row,
                    column: start,
                    length: self.width_modules - start,
                });
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_runs_cover_every_dark_module_once() {
        let link = "https://pos.example/orders/20240101123456";
        let symbol = QrSymbol::encode(link, MAX_QR_WIDTH_MODULES).unwrap();
        let code = QrCode::with_error_correction_level(link.as_bytes(), QR_EC_LEVEL).unwrap();
        let width = symbol.width_modules();

        let mut painted = vec![false; width * width];
        for run in symbol.dark_runs() {
            for column in run.column..run.column + run.length {
                let index = run.row * width + column;
                assert!(!painted[index], "module {index} is in two runs");
                painted[index] = true;
            }
        }

        let expected: Vec<bool> = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
        assert_eq!(painted, expected);
    }

    #[test]
    fn first_run_is_finder_pattern_edge() {
        let symbol =
            QrSymbol::encode("weixin://wxpay/bizpayurl?pr=abc123", MAX_QR_WIDTH_MODULES).unwrap();
        let first = symbol.dark_runs()[0];
        assert_eq!(
            first,
            DarkRun {
                row: 0,
                column: 0,
                length: 7
            }
        );
    }

    #[test]
    fn link_above_qr_capacity_is_rejected() {
        let link = "x".repeat(3000);
        let result = QrSymbol::encode(&link, MAX_QR_WIDTH_MODULES);
        assert!(matches!(
            result,
            Err(ReceiptError::QrEncode { link_len: 3000, .. })
        ));
    }

    #[test]
    fn link_that_needs_a_dense_symbol_is_rejected() {
        let link = "x".repeat(400);
        let result = QrSymbol::encode(&link, MAX_QR_WIDTH_MODULES);
        assert!(matches!(
            result,
            Err(ReceiptError::QrTooDense { link_len: 400, .. })
        ));
    }

    #[test]
    fn width_without_drawing_matches_symbol() {
        for len in [10, 100, 252, 300] {
            let link = "h".repeat(len);
            let symbol = QrSymbol::encode(&link, 177).unwrap();
            assert_eq!(
                symbol_width_modules(&link, 177).unwrap(),
                symbol.width_modules()
            );
        }
    }

    #[test]
    fn link_of_287_bytes_fits_version_12() {
        let symbol = QrSymbol::encode(&"x".repeat(287), MAX_QR_WIDTH_MODULES).unwrap();
        assert_eq!(symbol.width_modules(), MAX_QR_WIDTH_MODULES);
    }
}
