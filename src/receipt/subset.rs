//! Cutting the receipt font down to the glyphs of one page. printpdf 0.12 built without its
//! `text_layout` feature embeds the font program it is given as it is, so each receipt gets
//! a font of only its own glyphs. For the sample receipt in `tests/receipt_pdf.rs` that font
//! program is 16 KB (11 KB compressed) in place of the 2 MB receipt font.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetError, SubsetProfile, subset};
use allsorts::tables::{FontTableProvider, NameTable};
use allsorts::tag;
use printpdf::ParsedFont;

use super::ReceiptError;
use super::font::{RECEIPT_FONT_NAME, warning_details};

/// Glyph id of `.notdef`, the glyph drawn for characters the font lacks. allsorts requires it
/// first in the list of glyphs to keep.
const NOTDEF_GLYPH_ID: u16 = 0;

/// Number of capital letters in the tag before the `+` of a subset font name (PDF Reference
/// 1.7, section 5.5.3 "Font Subsets").
const SUBSET_TAG_LEN: usize = 6;

/// Number of letters, `A` to `Z`, that a subset tag is made of.
const SUBSET_TAG_ALPHABET_LEN: u64 = 26;

/// FNV-1a (64-bit) offset basis and prime, for hashing the kept glyph ids into the tag.
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Font name used when the font's `name` table has no PostScript name.
const FALLBACK_POSTSCRIPT_NAME: &str = "NotoSansSC-Regular";

/// Builds a copy of `font` that contains only `.notdef` and the glyphs of `chars`.
///
/// allsorts renumbers the kept glyphs and writes a Unicode cmap and advance widths for the new
/// ids. printpdf reads both from the subset, so the content stream, `/W` and `/ToUnicode`
/// all use the new ids. Characters that `font` lacks add no glyph, and printpdf draws them
/// as glyph 0, the `.notdef` box that the subset keeps. The font is named
/// `ABCDEF+<PostScript name>`, the form PDF readers show as an embedded subset.
pub(crate) fn subset_for_chars(
    font: &ParsedFont,
    chars: impl IntoIterator<Item = char>,
) -> Result<ParsedFont, ReceiptError> {
    let glyph_ids = glyph_ids_to_keep(font, chars);
    let glyph_count = glyph_ids.len();
    let subset_error = |source: SubsetError| ReceiptError::FontSubset {
        font_name: RECEIPT_FONT_NAME,
        glyph_count,
        source,
    };

    let font_file = ReadScope::new(&font.original_bytes)
        .read::<FontData<'_>>()
        .map_err(|source| subset_error(source.into()))?;
    let provider = font_file
        .table_provider(font.font_index as usize)
        .map_err(|source| subset_error(source.into()))?;
    let bytes = subset(
        &provider,
        &glyph_ids,
        &SubsetProfile::Pdf,
        CmapTarget::Unicode,
    )
    .map_err(subset_error)?;

    let mut warnings = Vec::new();
    let mut subset_font = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| {
        ReceiptError::SubsetFontParse {
            font_name: RECEIPT_FONT_NAME,
            glyph_count,
            details: warning_details(&warnings),
        }
    })?;
    // For BMP characters allsorts writes a format 4 cmap, whose segments also map the
    // characters in their gaps to glyph 0. Dropping those entries keeps a character that the
    // full font lacks unmapped, so printpdf still draws it as `.notdef` but gives it no
    // `/ToUnicode` entry.
    subset_font
        .codepoint_to_glyph
        .retain(|_, glyph_id| *glyph_id != NOTDEF_GLYPH_ID);
    subset_font.font_name = Some(format!(
        "{}+{}",
        subset_tag(&glyph_ids),
        postscript_name(&provider)
    ));
    // allsorts' PDF profile leaves out the OS/2 table, and printpdf estimates the font
    // descriptor's /StemV from its weight class. The full face's metrics describe the glyphs.
    subset_font.pdf_font_metrics = font.pdf_font_metrics.clone();
    Ok(subset_font)
}

/// Returns `.notdef` followed by the glyph ids of `chars` that `font` has, ascending and
/// without repeats, as allsorts' `subset` requires.
fn glyph_ids_to_keep(font: &ParsedFont, chars: impl IntoIterator<Item = char>) -> Vec<u16> {
    let used: BTreeSet<u16> = chars
        .into_iter()
        .filter_map(|c| font.lookup_glyph_index(u32::from(c)))
        .filter(|&glyph_id| glyph_id != NOTDEF_GLYPH_ID)
        .collect();
    std::iter::once(NOTDEF_GLYPH_ID).chain(used).collect()
}

/// Derives the six capital letters before the `+` from the kept glyph ids, so different glyph
/// sets get different tags (barring a hash collision). The PDF Reference requires different
/// tags for different subsets in one file, which matters when receipts are merged into one PDF.
fn subset_tag(glyph_ids: &[u16]) -> String {
    let mut hash = FNV_OFFSET_BASIS;
    for byte in glyph_ids.iter().flat_map(|glyph_id| glyph_id.to_be_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }

    let mut tag = String::with_capacity(SUBSET_TAG_LEN);
    for _ in 0..SUBSET_TAG_LEN {
        let letter_index = (hash % SUBSET_TAG_ALPHABET_LEN) as u8;
        tag.push(char::from(b'A' + letter_index));
        hash /= SUBSET_TAG_ALPHABET_LEN;
    }
    tag
}

/// Reads the PostScript name (name id 6) from the font's `name` table.
fn postscript_name(provider: &impl FontTableProvider) -> String {
    provider
        .read_table_data(tag::NAME)
        .ok()
        .and_then(|data| {
            let table = ReadScope::new(&data).read::<NameTable<'_>>().ok()?;
            table.string_for_id(NameTable::POSTSCRIPT_NAME)
        })
        .unwrap_or_else(|| FALLBACK_POSTSCRIPT_NAME.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::font::load_receipt_font;

    /// Chinese, Latin, digits and the fill-in characters the layout adds.
    const SAMPLE_TEXT: &str = "微信支付 收款凭证 WeChat Pay ￥19.90 (Beijing) …—";

    /// A character outside the receipt font (an emoji).
    const MISSING_CHAR: char = '\u{1F600}';

    fn full_font() -> ParsedFont {
        load_receipt_font().unwrap()
    }

    #[test]
    fn subset_maps_each_char_to_same_advance() {
        let full = full_font();
        let subset = subset_for_chars(&full, SAMPLE_TEXT.chars()).unwrap();

        for c in SAMPLE_TEXT.chars() {
            let full_width = full
                .lookup_glyph_index(u32::from(c))
                .and_then(|glyph_id| full.get_glyph_width(glyph_id));
            let subset_glyph_id = subset.lookup_glyph_index(u32::from(c));
            assert!(subset_glyph_id.is_some(), "{c:?} is not in the subset cmap");
            assert_ne!(
                subset_glyph_id,
                Some(NOTDEF_GLYPH_ID),
                "{c:?} maps to .notdef"
            );
            let subset_width =
                subset_glyph_id.and_then(|glyph_id| subset.get_glyph_width(glyph_id));
            assert_eq!(subset_width, full_width, "advance of {c:?} changed");
        }
        assert_eq!(subset.units_per_em, full.units_per_em);
    }

    #[test]
    fn subset_contains_only_used_glyphs() {
        let full = full_font();
        let subset = subset_for_chars(&full, SAMPLE_TEXT.chars()).unwrap();

        let distinct_chars: BTreeSet<char> = SAMPLE_TEXT.chars().collect();
        assert_eq!(subset.glyph_widths.len(), distinct_chars.len() + 1);
        assert_eq!(subset.codepoint_to_glyph.len(), distinct_chars.len());
        assert!(subset.original_bytes.len() < full.original_bytes.len() / 100);
    }

    #[test]
    fn missing_char_adds_no_glyph() {
        let full = full_font();
        assert_eq!(full.lookup_glyph_index(u32::from(MISSING_CHAR)), None);

        let subset = subset_for_chars(&full, ['收', MISSING_CHAR]).unwrap();

        assert_eq!(subset.lookup_glyph_index(u32::from(MISSING_CHAR)), None);
        assert_eq!(subset.glyph_widths.len(), 2);
        let notdef_width = subset.get_glyph_width(NOTDEF_GLYPH_ID);
        assert!(
            notdef_width.is_some_and(|width| width > 0),
            ".notdef has no advance: {notdef_width:?}"
        );
    }

    #[test]
    fn cmap_gap_char_stays_unmapped() {
        // The receipt font has ê (U+00EA) and ì (U+00EC) but not ë (U+00EB), so the subset's
        // cmap segment for ê and ì spans ë.
        let full = full_font();
        assert_eq!(full.lookup_glyph_index(u32::from('ë')), None);

        let subset = subset_for_chars(&full, ['ê', 'ë', 'ì']).unwrap();

        assert_eq!(subset.lookup_glyph_index(u32::from('ë')), None);
        assert!(subset.lookup_glyph_index(u32::from('ê')).is_some());
        assert!(subset.lookup_glyph_index(u32::from('ì')).is_some());
    }

    #[test]
    fn subset_name_is_tag_plus_postscript_name() {
        let subset = subset_for_chars(&full_font(), SAMPLE_TEXT.chars()).unwrap();

        let name = subset.font_name.unwrap_or_default();
        let (tag, postscript_name) = name.split_once('+').unwrap_or_default();
        assert_eq!(tag.len(), SUBSET_TAG_LEN, "font name {name:?}");
        assert!(
            tag.chars().all(|c| c.is_ascii_uppercase()),
            "font name {name:?}"
        );
        assert_eq!(postscript_name, "NotoSansCJKsc-Regular");
    }

    #[test]
    fn subset_tag_follows_glyph_set() {
        assert_eq!(subset_tag(&[0, 5, 9]), subset_tag(&[0, 5, 9]));
        assert_ne!(subset_tag(&[0, 5, 9]), subset_tag(&[0, 5, 10]));
        assert_ne!(subset_tag(&[0]), subset_tag(&[0, 1]));
    }

    #[test]
    fn subset_keeps_full_font_descriptor_metrics() {
        let full = full_font();
        let subset = subset_for_chars(&full, SAMPLE_TEXT.chars()).unwrap();
        assert_eq!(subset.pdf_font_metrics, full.pdf_font_metrics);
        assert_eq!(subset.font_metrics, full.font_metrics);
    }
}
