//! A top-down layout of one receipt page. Marks are placed from the top edge while the page
//! grows, and turned into PDF operations (which measure from the bottom edge) once the
//! height is known.

use printpdf::{
    Color, FontId, Greyscale, Mm, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt,
    Rect, TextItem, WindingOrder,
};

use super::font::TextMeasure;

/// Height of a text line as a multiple of the font size.
const LINE_HEIGHT_RATIO: f32 = 1.4;

/// Distance from the top of a line box to the baseline, as a multiple of the font size. It
/// centres Noto Sans SC's em box (ascender 0.88 em, descender 0.12 em) in the line box.
const BASELINE_RATIO: f32 = 1.08;

/// Space between the two texts of a row, as a multiple of the font size.
const ROW_GAP_EM: f32 = 1.0;

/// Grey level of labels and English second lines (0 is black, 1 is white).
pub(crate) const LABEL_GREY: f32 = 0.35;

/// Pure black, for values and QR modules.
pub(crate) const BLACK: f32 = 0.0;

const WHITE: f32 = 1.0;

/// Horizontal alignment of a line of text between the page margins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// One thing drawn on the page, positioned from the top edge.
enum Mark {
    Text {
        x_pt: f32,
        baseline_from_top_pt: f32,
        size_pt: f32,
        grey: f32,
        text: String,
    },
    /// One filled path made of rectangles given as (x, top, width, height).
    Rectangles { rects_pt: Vec<[f32; 4]>, grey: f32 },
}

/// A receipt page under construction: a fixed width and a cursor that moves down.
pub(crate) struct Sheet<'font> {
    measure: TextMeasure<'font>,
    width_pt: f32,
    margin_pt: f32,
    cursor_pt: f32,
    marks: Vec<Mark>,
}

impl<'font> Sheet<'font> {
    /// Starts an empty page `width` wide, with `margin` on every side.
    pub(crate) fn new(measure: TextMeasure<'font>, width: Mm, margin: Mm) -> Self {
        let margin_pt = Pt::from(margin).0;
        Self {
            measure,
            width_pt: Pt::from(width).0,
            margin_pt,
            cursor_pt: margin_pt,
            marks: Vec::new(),
        }
    }

    /// Width between the left and right margins, in points.
    pub(crate) fn content_width_pt(&self) -> f32 {
        self.width_pt - 2.0 * self.margin_pt
    }

    /// Moves the cursor down by `gap`.
    pub(crate) fn skip(&mut self, gap: Mm) {
        self.cursor_pt += Pt::from(gap).0;
    }

    /// Writes `text` wrapped to the content width, at most `max_lines` lines.
    pub(crate) fn paragraph(
        &mut self,
        text: &str,
        size_pt: f32,
        grey: f32,
        align: Align,
        max_lines: usize,
    ) {
        let lines = self
            .measure
            .wrap(text, size_pt, self.content_width_pt(), max_lines);
        for line in lines {
            self.line(line, size_pt, grey, align);
        }
    }

    /// Writes `left` wrapped to the space that `right` leaves, and `right` flush with the right
    /// margin on the first line.
    pub(crate) fn row(
        &mut self,
        left: &str,
        right: &str,
        size_pt: f32,
        grey: f32,
        max_lines: usize,
    ) {
        let right_width_pt = self.measure.width_pt(right, size_pt);
        let left_width_pt =
            (self.content_width_pt() - right_width_pt - size_pt * ROW_GAP_EM).max(size_pt);
        self.marks.push(Mark::Text {
            x_pt: self.margin_pt + self.content_width_pt() - right_width_pt,
            baseline_from_top_pt: self.cursor_pt + size_pt * BASELINE_RATIO,
            size_pt,
            grey,
            text: right.to_owned(),
        });

        let lines = self.measure.wrap(left, size_pt, left_width_pt, max_lines);
        if lines.is_empty() {
            self.cursor_pt += size_pt * LINE_HEIGHT_RATIO;
        }
        for line in lines {
            self.line(line, size_pt, grey, Align::Left);
        }
    }

    /// Writes one line of text, which the caller has made short enough to fit.
    fn line(&mut self, text: String, size_pt: f32, grey: f32, align: Align) {
        let x_pt = match align {
            Align::Left => self.margin_pt,
            Align::Center => {
                let text_width_pt = self.measure.width_pt(&text, size_pt);
                self.margin_pt + (self.content_width_pt() - text_width_pt).max(0.0) / 2.0
            }
        };
        self.marks.push(Mark::Text {
            x_pt,
            baseline_from_top_pt: self.cursor_pt + size_pt * BASELINE_RATIO,
            size_pt,
            grey,
            text,
        });
        self.cursor_pt += size_pt * LINE_HEIGHT_RATIO;
    }

    /// Draws a thin horizontal rule across the content width, with `gap` above and below.
    pub(crate) fn rule(&mut self, thickness: Mm, gap: Mm) {
        self.skip(gap);
        let thickness_pt = Pt::from(thickness).0;
        self.marks.push(Mark::Rectangles {
            rects_pt: vec![[
                self.margin_pt,
                self.cursor_pt,
                self.content_width_pt(),
                thickness_pt,
            ]],
            grey: LABEL_GREY,
        });
        self.cursor_pt += thickness_pt;
        self.skip(gap);
    }

    /// Reserves a centred square block `side` wide, paints it white and fills the given
    /// rectangles in black. Rectangles are (x, top, width, height) in points from the top-left
    /// corner of the block.
    pub(crate) fn square_block(&mut self, side: Mm, rects_in_block_pt: Vec<[f32; 4]>) {
        let side_pt = Pt::from(side).0;
        let left_pt = self.margin_pt + (self.content_width_pt() - side_pt).max(0.0) / 2.0;
        let top_pt = self.cursor_pt;

        self.marks.push(Mark::Rectangles {
            rects_pt: vec![[left_pt, top_pt, side_pt, side_pt]],
            grey: WHITE,
        });
        let rects_pt = rects_in_block_pt
            .into_iter()
            .map(|[x, top, width, height]| [left_pt + x, top_pt + top, width, height])
            .collect();
        self.marks.push(Mark::Rectangles {
            rects_pt,
            grey: BLACK,
        });
        self.cursor_pt += side_pt;
    }

    /// Returns every character of the text written so far, with repeats.
    pub(crate) fn text_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.marks.iter().flat_map(|mark| match mark {
            Mark::Text { text, .. } => text.chars(),
            Mark::Rectangles { .. } => "".chars(),
        })
    }

    /// Ends the page with the bottom margin and returns its height and its operations. Text
    /// is set in the font that `font_id` names in the document.
    pub(crate) fn finish(self, font_id: &FontId) -> (Mm, Vec<Op>) {
        let height_pt = self.cursor_pt + self.margin_pt;
        let mut ops = Vec::new();
        for mark in self.marks {
            match mark {
                Mark::Text {
                    x_pt,
                    baseline_from_top_pt,
                    size_pt,
                    grey,
                    text,
                } => ops.extend([
                    Op::StartTextSection,
                    Op::SetFillColor {
                        col: grey_color(grey),
                    },
                    Op::SetFont {
                        font: PdfFontHandle::External(font_id.clone()),
                        size: Pt(size_pt),
                    },
                    Op::SetTextCursor {
                        pos: Point {
                            x: Pt(x_pt),
                            y: Pt(height_pt - baseline_from_top_pt),
                        },
                    },
                    Op::ShowText {
                        items: vec![TextItem::Text(text)],
                    },
                    Op::EndTextSection,
                ]),
                Mark::Rectangles { rects_pt, grey } => ops.extend([
                    Op::SetFillColor {
                        col: grey_color(grey),
                    },
                    Op::DrawPolygon {
                        polygon: rectangles_polygon(&rects_pt, height_pt),
                    },
                ]),
            }
        }
        (Mm::from(Pt(height_pt)), ops)
    }
}

fn grey_color(grey: f32) -> Color {
    Color::Greyscale(Greyscale::new(grey, None))
}

/// Builds one filled path with a ring per rectangle. All rings run the same way, so the
/// non-zero rule fills their union, and touching rectangles show no hairline seam.
pub(crate) fn rectangles_polygon(rects_from_top_pt: &[[f32; 4]], page_height_pt: f32) -> Polygon {
    let rings: Vec<PolygonRing> = rects_from_top_pt
        .iter()
        .flat_map(|&[x, top, width, height]| {
            let bottom_pt = page_height_pt - top - height;
            Rect::from_xywh(Pt(x), Pt(bottom_pt), Pt(width), Pt(height))
                .to_polygon()
                .rings
        })
        .collect();
    Polygon {
        rings,
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}
