//! A top-down layout of a receipt or report. Marks are placed from the top edge while the page
//! grows, and turned into PDF operations (which measure from the bottom edge) once the
//! height is known. A document with a page height limit continues on a new page when the
//! next line or drawing would pass it.

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

/// A finished page: its height and its marks.
struct Page {
    height_pt: f32,
    marks: Vec<Mark>,
}

/// A document under construction: pages of a fixed width and a cursor that moves down the
/// current page.
pub(crate) struct Sheet<'font> {
    measure: TextMeasure<'font>,
    width_pt: f32,
    margin_pt: f32,
    /// Maximum page height, or `None` for a single page that grows to fit everything.
    max_page_height_pt: Option<f32>,
    /// Distance of the cursor from the top edge of the current page.
    cursor_pt: f32,
    /// Marks of the current page.
    marks: Vec<Mark>,
    finished_pages: Vec<Page>,
}

impl<'font> Sheet<'font> {
    /// Starts an empty document `width` wide, with `margin` on every side of each page. With
    /// `max_page_height`, content that would pass it continues on a new page, else one page
    /// grows as tall as the content.
    pub(crate) fn new(
        measure: TextMeasure<'font>,
        width: Mm,
        margin: Mm,
        max_page_height: Option<Mm>,
    ) -> Self {
        let margin_pt = Pt::from(margin).0;
        Self {
            measure,
            width_pt: Pt::from(width).0,
            margin_pt,
            max_page_height_pt: max_page_height.map(|height| Pt::from(height).0),
            cursor_pt: margin_pt,
            marks: Vec::new(),
            finished_pages: Vec::new(),
        }
    }

    /// Width between the left and right margins, in points.
    pub(crate) fn content_width_pt(&self) -> f32 {
        self.width_pt - 2.0 * self.margin_pt
    }

    /// Moves the cursor down by `gap`, but not past the bottom margin of a page with a height
    /// limit, so a page never grows taller than the limit because of a gap.
    pub(crate) fn skip(&mut self, gap: Mm) {
        self.cursor_pt += Pt::from(gap).0;
        if let Some(max_page_height_pt) = self.max_page_height_pt {
            self.cursor_pt = self.cursor_pt.min(max_page_height_pt - self.margin_pt);
        }
    }

    /// Starts a new page when something `height_pt` tall would pass the bottom margin of a
    /// page that already has marks. Something taller than a whole page gets a page of its own,
    /// made as tall as it needs.
    fn make_room(&mut self, height_pt: f32) {
        let Some(max_page_height_pt) = self.max_page_height_pt else {
            return;
        };
        let bottom_pt = max_page_height_pt - self.margin_pt;
        if self.cursor_pt + height_pt <= bottom_pt || self.marks.is_empty() {
            return;
        }
        self.finished_pages.push(Page {
            height_pt: self.cursor_pt + self.margin_pt,
            marks: std::mem::take(&mut self.marks),
        });
        self.cursor_pt = self.margin_pt;
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

    /// Writes `phrases` left-aligned, wrapped to the content width between phrases, at most
    /// `max_lines` lines.
    pub(crate) fn phrases(
        &mut self,
        phrases: &[String],
        size_pt: f32,
        grey: f32,
        max_lines: usize,
    ) {
        let lines = self
            .measure
            .wrap_phrases(phrases, size_pt, self.content_width_pt(), max_lines);
        for line in lines {
            self.line(line, size_pt, grey, Align::Left);
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
        self.make_room(size_pt * LINE_HEIGHT_RATIO);
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
        self.make_room(size_pt * LINE_HEIGHT_RATIO);
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
        let thickness_pt = Pt::from(thickness).0;
        self.make_room(2.0 * Pt::from(gap).0 + thickness_pt);
        self.skip(gap);
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
        self.make_room(side_pt);
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

    /// Returns every character of the text written so far, on every page, with repeats.
    pub(crate) fn text_chars(&self) -> impl Iterator<Item = char> + '_ {
        self.finished_pages
            .iter()
            .flat_map(|page| page.marks.iter())
            .chain(self.marks.iter())
            .flat_map(|mark| match mark {
                Mark::Text { text, .. } => text.chars(),
                Mark::Rectangles { .. } => "".chars(),
            })
    }

    /// Ends the last page with the bottom margin and returns the height and the operations of
    /// every page, top to bottom. Text is set in the font that `font_id` names in the document.
    pub(crate) fn finish(mut self, font_id: &FontId) -> Vec<(Mm, Vec<Op>)> {
        self.finished_pages.push(Page {
            height_pt: self.cursor_pt + self.margin_pt,
            marks: self.marks,
        });
        self.finished_pages
            .into_iter()
            .map(|page| {
                let ops = page_ops(page.marks, page.height_pt, font_id);
                (Mm::from(Pt(page.height_pt)), ops)
            })
            .collect()
    }
}

/// Turns the marks of a page `height_pt` tall into PDF operations.
fn page_ops(marks: Vec<Mark>, height_pt: f32, font_id: &FontId) -> Vec<Op> {
    let mut ops = Vec::new();
    for mark in marks {
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
    ops
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
