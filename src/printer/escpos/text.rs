//! Text for a thermal printer in Chinese mode: GB18030 bytes, and widths in print columns.
//! In Chinese mode an ASCII byte prints one column wide (12 dots in font A) and a two-byte
//! GB18030 sequence prints one Han character two columns wide.

use encoding_rs::GB18030;

/// Printed in place of a character that has no two-byte GB18030 code.
const REPLACEMENT: char = '?';

/// Returns `text` with every character replaced by one the printer can print: control
/// characters become spaces, the halfwidth `¥` becomes the fullwidth `￥`, and characters
/// without a one- or two-byte GB18030 code become `?`.
///
/// NOTE: the four-byte part of GB18030 (emoji, CJK Extension B and later) is replaced
/// because receipt printers' fonts cover GBK at most. Printers whose font covers only
/// GB 2312 print their own placeholder for the GBK characters outside it.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            '¥' => '￥',
            c if c.is_ascii() => c,
            c if gb18030_len(c) == 2 => c,
            _ => REPLACEMENT,
        })
        .collect()
}

/// Returns the print columns of a character of [`printable`] text.
pub fn columns(c: char) -> u32 {
    if c.is_ascii() { 1 } else { 2 }
}

/// Returns the print columns of [`printable`] text.
pub fn text_columns(text: &str) -> u32 {
    text.chars().map(columns).sum()
}

/// Appends the GB18030 bytes of `text`.
pub fn encode_into(out: &mut Vec<u8>, text: &str) {
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let (bytes, _, _) = GB18030.encode(text);
    out.extend_from_slice(&bytes);
}

fn gb18030_len(c: char) -> usize {
    let mut buffer = [0; 4];
    let (bytes, _, _) = GB18030.encode(c.encode_utf8(&mut buffer));
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_and_fullwidth_yen_encode_in_two_bytes() {
        let mut out = Vec::new();
        encode_into(&mut out, "￥中");
        assert_eq!(out, [0xA3, 0xA4, 0xD6, 0xD0]);
    }

    #[test]
    fn halfwidth_yen_becomes_fullwidth() {
        assert_eq!(printable("¥19.90"), "￥19.90");
    }

    #[test]
    fn four_byte_characters_are_replaced() {
        assert_eq!(printable("拿铁\u{1F600}\u{20000}"), "拿铁??");
    }

    #[test]
    fn han_characters_take_two_columns() {
        assert_eq!(text_columns("金额 19.90"), 4 + 1 + 5);
    }

    #[test]
    fn newlines_become_spaces() {
        assert_eq!(printable("a\nb"), "a b");
    }
}
