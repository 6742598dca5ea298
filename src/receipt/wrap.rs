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
    let lines = break_lines(&clean_text(text), &char_width, &fits);
    limit_lines(lines, max_lines, &char_width, &fits)
}

/// Breaks `phrases` into lines whose width passes `fits`, at most `max_lines` of them.
///
/// Phrases are joined with spaces, and a line breaks only between two phrases, so a phrase
/// such as `账单 Bill ￥50.00` stays whole. A phrase too wide for a line by itself starts a
/// new line and breaks with the rules of [`wrap_text`]. Text past `max_lines` is cut as in
/// [`wrap_text`].
pub(crate) fn wrap_phrases<S: AsRef<str>>(
    phrases: &[S],
    max_lines: usize,
    char_width: impl Fn(char) -> u32,
    fits: impl Fn(u32) -> bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for phrase in phrases {
        let phrase = clean_text(phrase.as_ref());
        if phrase.is_empty() {
            continue;
        }

        let joined = if current.is_empty() {
            phrase.clone()
        } else {
            format!("{current} {phrase}")
        };
        if fits(text_width(&joined, &char_width)) {
            current = joined;
            continue;
        }

        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        let mut phrase_lines = break_lines(&phrase, &char_width, &fits);
        current = phrase_lines.pop().unwrap_or_default();
        lines.extend(phrase_lines);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    limit_lines(lines, max_lines, &char_width, &fits)
}

/// Returns `text` trimmed, with control characters such as newlines turned into spaces.
fn clean_text(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Breaks clean text into lines at the last space that fits, with no line limit.
fn break_lines(
    text: &str,
    char_width: &impl Fn(char) -> u32,
    fits: &impl Fn(u32) -> bool,
) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let line_len = fitting_prefix_len(rest, char_width, fits);
        lines.push(rest[..line_len].trim_end().to_owned());
        rest = rest[line_len..].trim_start();
    }
    lines
}

/// Keeps the first `max_lines` lines and ends the last one kept with `…` when any were cut.
fn limit_lines(
    mut lines: Vec<String>,
    max_lines: usize,
    char_width: &impl Fn(char) -> u32,
    fits: &impl Fn(u32) -> bool,
) -> Vec<String> {
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = with_ellipsis(last, char_width, fits);
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
    fn phrases_break_only_between_phrases() {
        // The first two phrases take 17 columns, and all three 29.
        let phrases = ["账单 Bill", "￥50.00", "已支付 Paid"];
        let lines = wrap_phrases(&phrases, 10, columns, |width| width <= 18);
        assert_eq!(lines, ["账单 Bill ￥50.00", "已支付 Paid"]);
    }

    #[test]
    fn phrases_that_fit_share_a_line() {
        let phrases = ["a b", "c"];
        let lines = wrap_phrases(&phrases, 10, columns, |width| width <= 5);
        assert_eq!(lines, ["a b c"]);
    }

    #[test]
    fn overlong_phrase_wraps_on_its_own_lines() {
        let phrases = ["时间", "2026-03-10 09:00:00", "末"];
        let lines = wrap_phrases(&phrases, 10, columns, |width| width <= 12);
        assert_eq!(lines, ["时间", "2026-03-10", "09:00:00 末"]);
    }

    #[test]
    fn empty_phrases_are_skipped() {
        let phrases = ["", " ", "a"];
        let lines = wrap_phrases(&phrases, 10, columns, |width| width <= 5);
        assert_eq!(lines, ["a"]);
    }

    #[test]
    fn extra_phrase_lines_are_cut_with_ellipsis() {
        let phrases = ["一二三", "四五六", "七八九"];
        let lines = wrap_phrases(&phrases, 2, columns, |width| width <= 6);
        assert_eq!(lines, ["一二三", "四五…"]);
    }

    #[test]
    fn too_wide_character_still_advances() {
        let lines = wrap_text("一二", 10, columns, |width| width <= 1);
        assert_eq!(lines, ["一", "二"]);
    }
}
