//! The receipt font, Noto Sans SC cut down to GB 2312, and text measurement with its advance
//! widths, so lines can be centred and wrapped to the slip.

use printpdf::{ParsedFont, PdfFontParseWarning};

use super::ReceiptError;
use super::wrap::{wrap_phrases, wrap_text};

/// Noto Sans SC Regular, subset to the GB 2312 characters plus ASCII and common punctuation.
/// Receipts embed a further subset of it with only the glyphs of their page.
const RECEIPT_FONT_TTF: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.ttf");

/// File name of [`RECEIPT_FONT_TTF`], for error messages.
pub(crate) const RECEIPT_FONT_NAME: &str = "NotoSansSC-Regular-subset.ttf";

/// Parses the embedded receipt font.
///
/// printpdf built without `text_layout` embeds a parsed font whole (about 2 MB), so pass
/// this one to `subset_for_chars` before adding it to a document.
pub(crate) fn load_receipt_font() -> Result<ParsedFont, ReceiptError> {
    let mut warnings = Vec::new();
    ParsedFont::from_bytes(RECEIPT_FONT_TTF, 0, &mut warnings).ok_or_else(|| {
        ReceiptError::FontParse {
            font_name: RECEIPT_FONT_NAME,
            details: warning_details(&warnings),
        }
    })
}

/// Joins the messages of font parse warnings, for an error's details.
pub(crate) fn warning_details(warnings: &[PdfFontParseWarning]) -> String {
    warnings
        .iter()
        .map(|warning| warning.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Advance widths of one parsed font, in points at a given font size.
///
/// Characters the font lacks are measured as one em, the usual width of the `.notdef` box
/// that PDF viewers draw for them.
pub(crate) struct TextMeasure<'font> {
    font: &'font ParsedFont,
}

impl<'font> TextMeasure<'font> {
    pub(crate) fn new(font: &'font ParsedFont) -> Self {
        Self { font }
    }

    /// Returns the width of `text` in points when set at `size_pt`.
    pub(crate) fn width_pt(&self, text: &str, size_pt: f32) -> f32 {
        let advance_units: u32 = text.chars().map(|c| self.advance_units(c)).sum();
        self.units_to_pt(advance_units, size_pt)
    }

    /// Returns the advance width of `c` in font units.
    // NOTE: `lookup_glyph_index`, `get_glyph_width` and `units_per_em` are the API of
    // printpdf 0.12 built without `text_layout`. Turning that feature on changes `ParsedFont`.
    fn advance_units(&self, c: char) -> u32 {
        self.font
            .lookup_glyph_index(u32::from(c))
            .and_then(|glyph_id| self.font.get_glyph_width(glyph_id))
            .map_or(u32::from(self.font.units_per_em), u32::from)
    }

    fn units_to_pt(&self, units: u32, size_pt: f32) -> f32 {
        let units_per_em = f32::from(self.font.units_per_em.max(1));
        units as f32 / units_per_em * size_pt
    }

    /// Breaks `text` into lines no wider than `max_width_pt`, at most `max_lines` of them,
    /// with the rules of [`wrap_text`].
    pub(crate) fn wrap(
        &self,
        text: &str,
        size_pt: f32,
        max_width_pt: f32,
        max_lines: usize,
    ) -> Vec<String> {
        wrap_text(
            text,
            max_lines,
            |c| self.advance_units(c),
            |units| self.units_to_pt(units, size_pt) <= max_width_pt,
        )
    }

    /// Breaks `phrases` into lines no wider than `max_width_pt`, at most `max_lines` of them,
    /// with the rules of [`wrap_phrases`].
    pub(crate) fn wrap_phrases(
        &self,
        phrases: &[String],
        size_pt: f32,
        max_width_pt: f32,
        max_lines: usize,
    ) -> Vec<String> {
        wrap_phrases(
            phrases,
            max_lines,
            |c| self.advance_units(c),
            |units| self.units_to_pt(units, size_pt) <= max_width_pt,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE_PT: f32 = 10.0;

    fn font() -> ParsedFont {
        load_receipt_font().unwrap()
    }

    #[test]
    fn chinese_characters_are_one_em_wide() {
        let font = font();
        let measure = TextMeasure::new(&font);
        assert_eq!(measure.width_pt("收款凭证", SIZE_PT), 4.0 * SIZE_PT);
    }

    #[test]
    fn digits_are_narrower_than_chinese() {
        let font = font();
        let measure = TextMeasure::new(&font);
        assert!(measure.width_pt("0", SIZE_PT) < measure.width_pt("收", SIZE_PT));
        assert!(measure.width_pt("0", SIZE_PT) > 0.0);
    }

    #[test]
    fn wrap_breaks_chinese_between_characters() {
        let font = font();
        let measure = TextMeasure::new(&font);
        let lines = measure.wrap("微信支付收款凭证", SIZE_PT, 3.5 * SIZE_PT, 10);
        assert_eq!(lines, ["微信支", "付收款", "凭证"]);
    }

    #[test]
    fn wrap_breaks_latin_text_after_spaces() {
        let font = font();
        let measure = TextMeasure::new(&font);
        let max_width_pt = measure.width_pt("Scan to view", SIZE_PT);
        let lines = measure.wrap("Scan to view the order", SIZE_PT, max_width_pt, 10);
        assert_eq!(lines, ["Scan to view", "the order"]);
    }

    #[test]
    fn wrap_cuts_extra_lines_with_ellipsis() {
        let font = font();
        let measure = TextMeasure::new(&font);
        let max_width_pt = 3.0 * SIZE_PT;
        let lines = measure.wrap("一二三四五六七八九十", SIZE_PT, max_width_pt, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "一二三");
        assert_eq!(lines[1], "四五…");
        assert!(measure.width_pt(&lines[1], SIZE_PT) <= max_width_pt);
    }

    #[test]
    fn wrap_turns_newlines_into_spaces() {
        let font = font();
        let measure = TextMeasure::new(&font);
        let lines = measure.wrap("拿铁\n大杯", SIZE_PT, 100.0 * SIZE_PT, 3);
        assert_eq!(lines, ["拿铁 大杯"]);
    }

    #[test]
    fn wrap_of_empty_text_has_no_lines() {
        let font = font();
        let measure = TextMeasure::new(&font);
        assert!(measure.wrap("  ", SIZE_PT, 100.0, 3).is_empty());
    }
}
