//! The QR code of an order's `code_url`, drawn as black modules on white.

use egui::emath::GuiRounding as _;
use egui::{Color32, Rect, Response, Role, Sense, Ui, Vec2, WidgetInfo};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the symbol; the QR code standard (ISO/IEC 18004) requires 4.
const QUIET_ZONE_MODULES: usize = 4;

/// The dark and light modules of an encoded QR code, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `code_url` with error correction level M, which a phone camera reads well
    /// from a screen.
    pub(crate) fn encode(code_url: &str) -> Result<QrMatrix, QrError> {
        let code = QrCode::with_error_correction_level(code_url, EcLevel::M)?;
        let dark = code
            .to_colors()
            .into_iter()
            .map(|color| color == Color::Dark)
            .collect();
        Ok(QrMatrix {
            width: code.width(),
            dark,
        })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

/// Draws the QR code as the largest square that fits in `max_side` points.
///
/// Each module is a whole number of physical pixels with pixel-aligned edges, so the code
/// stays sharp at any scale. The accessible name is `label` and the accessible value is
/// `code_url`, which lets tests check which code is on screen.
pub(crate) fn qr_code_ui(
    ui: &mut Ui,
    matrix: &QrMatrix,
    max_side: f32,
    label: &str,
    code_url: &str,
) -> Response {
    let pixels_per_point = ui.pixels_per_point();
    let total_modules = matrix.width + 2 * QUIET_ZONE_MODULES;
    let max_side_pixels = (max_side.max(0.0) * pixels_per_point).floor();
    let module_pixels = (max_side_pixels / total_modules as f32).floor().max(1.0);
    let module_side = module_pixels / pixels_per_point;
    let side = module_side * total_modules as f32;

    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let origin = rect.min.round_to_pixels(pixels_per_point);
    let painter = ui.painter();
    painter.rect_filled(
        Rect::from_min_size(origin, Vec2::splat(side)),
        0.0,
        Color32::WHITE,
    );

    // One rectangle per horizontal run of dark modules keeps the shape count low.
    let symbol_origin = origin + Vec2::splat(module_side * QUIET_ZONE_MODULES as f32);
    for y in 0..matrix.width {
        let mut x = 0;
        while x < matrix.width {
            if !matrix.is_dark(x, y) {
                x += 1;
                continue;
            }
            let run_start = x;
            while x < matrix.width && matrix.is_dark(x, y) {
                x += 1;
            }
            let min = symbol_origin + Vec2::new(run_start as f32, y as f32) * module_side;
            let size = Vec2::new((x - run_start) as f32, 1.0) * module_side;
            painter.rect_filled(Rect::from_min_size(min, size), 0.0, Color32::BLACK);
        }
    }

    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::Image, true, label);
        info.current_text_value = Some(code_url.to_owned());
        info
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_url_encodes_to_square_matrix() {
        let matrix = QrMatrix::encode("weixin://wxpay/bizpayurl?pr=abc1234").unwrap();

        assert!(matrix.width >= 21, "width {}", matrix.width);
        assert_eq!(matrix.dark.len(), matrix.width * matrix.width);
    }

    #[test]
    fn finder_pattern_corners_are_dark() {
        let matrix = QrMatrix::encode("weixin://wxpay/bizpayurl?pr=abc1234").unwrap();
        let last = matrix.width - 1;

        assert!(matrix.is_dark(0, 0));
        assert!(matrix.is_dark(last, 0));
        assert!(matrix.is_dark(0, last));
        assert!(
            !matrix.is_dark(7, 7),
            "separator next to the finder pattern is light"
        );
    }

    #[test]
    fn oversized_url_is_an_error() {
        let url = "x".repeat(5000);
        assert!(QrMatrix::encode(&url).is_err());
    }
}
