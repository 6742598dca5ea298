//! The bundled CJK font, so Chinese text renders without missing-glyph boxes.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Name of the bundled font in [`FontDefinitions::font_data`].
const CJK_FONT_NAME: &str = "NotoSansSC-Regular-subset";

/// A subset of Noto Sans SC (SIL Open Font License) with the characters the cashier shows.
static CJK_FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Regular-subset.ttf");

/// Installs egui's default fonts plus the bundled CJK font.
///
/// egui's first font of each family stays first, so Latin text and digits keep their usual
/// look. The CJK font comes right after it, ahead of egui's other fallbacks, so it draws every
/// character the Latin font lacks. Call this once, before the first frame.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK_FONT_NAME.to_owned(),
        Arc::new(FontData::from_static(CJK_FONT_BYTES)),
    );

    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let names = fonts.families.entry(family).or_default();
        let position = names.len().min(1);
        names.insert(position, CJK_FONT_NAME.to_owned());
    }

    ctx.set_fonts(fonts);
}
