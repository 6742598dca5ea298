//! Line breaking shared by the PDF and the thermal printer back ends. Each back end supplies
//! the width of a character in its own unit (font units for the PDF, print columns for the
//! printer) and a test of whether a line of a given width fits.

/// Text added at the end of a field cut to its line limit.
pub(crate) const ELLIPSIS: char = '…';

/// Breaks `text` into lines whose width passes `fits`, at most `max_lines` of them.
///
/// Lines break after the last space that fits, or between any two characters when the line
/// has no space (Chinese text, order numbers). Text past `max_lines` is cut and the last line
/// ends with `…`. Control characters such as newlines become spaces. A single character that
/// does not fit by itself still gets a line of its own, so wrapping always ends.
pub(crate) fn wrap_text(
    text: &str,
    max_lines: usize,
    char_width: impl Fn(char) -> u32,
    fits: impl Fn(u32) -> bool,
) -> Vec<String> {
    let clean: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();

    let mut lines = Vec::new();
    let mut rest = clean.as_str();
    while !rest.is_empty() {
        let line_len = fitting_prefix_len(rest, &char_width, &fits);
        lines.push(rest[..line_len].trim_end().to_owned());
        rest = rest[line_len..].trim_start();
    }

    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(last, &char_width, &fits);
        }
    }
    lines
}

/// Returns the width of `text` as the sum of its characters' widths.
pub(crate) fn text_width(text: &str, char_width: impl Fn(char) -> u32) -> u32 {
    text.chars().map(char_width).sum()
}

/// Returns the byte length of the prefix of `text` to put on one line: up to the last space
/// that fits, else as many characters as fit. `text` must not start with a space, so the
/// prefix is never empty and wrapping makes progress.
fn fitting_prefix_len(
    text: &str,
    char_width: &impl Fn(char) -> u32,
    fits: &impl Fn(u32) -> bool,
) -> usize {
    let mut width = 0;
    let mut last_space = None;
    for (index, c) in text.char_indices() {
        if c == ' ' {
            last_space = Some(index);
        }
        width += char_width(c);
        if !fits(width) && index > 0 {
            return last_space.unwrap_or(index);
        }
    }
    text.len()
}

/// Shortens `line` until it fits with `…` appended, then appends it.
fn with_ellipsis(
    line: &str,
    char_width: &impl Fn(char) -> u32,
    fits: &impl Fn(u32) -> bool,
) -> String {
    let mut kept: String = line.to_owned();
    loop {
        let candidate = format!("{}{ELLIPSIS}", kept.trim_end());
        if kept.is_empty() || fits(text_width(&candidate, char_width)) {
            return candidate;
        }
        kept.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two columns for non-ASCII characters, one for ASCII, as on a thermal printer.
    fn columns(c: char) -> u32 {
        if c.is_ascii() { 1 } else { 2 }
    }

    #[test]
    fn chinese_breaks_between_characters() {
        let lines = wrap_text("微信支付收款凭证", 10, columns, |width| width <= 6);
        assert_eq!(lines, ["微信支", "付收款", "凭证"]);
    }

    #[test]
    fn mixed_text_breaks_after_spaces() {
        let lines = wrap_text("Scan to view the order", 10, columns, |width| width <= 12);
        assert_eq!(lines, ["Scan to view", "the order"]);
    }

    #[test]
    fn odd_column_leaves_han_character_whole() {
        // Five columns hold two Han characters and leave one column empty.
        let lines = wrap_text("一二三四五", 10, columns, |width| width <= 5);
        assert_eq!(lines, ["一二", "三四", "五"]);
    }

    #[test]
    fn extra_lines_are_cut_with_ellipsis() {
        let lines = wrap_text("一二三四五六七八", 2, columns, |width| width <= 6);
        assert_eq!(lines, ["一二三", "四五…"]);
    }

    #[test]
    fn too_wide_character_still_advances() {
        let lines = wrap_text("一二", 10, columns, |width| width <= 1);
        assert_eq!(lines, ["一", "二"]);
    }
}
