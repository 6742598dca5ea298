//! The ESC/POS commands this crate sends, as Epson's ESC/POS command reference defines them.
//! Chinese thermal printers (Xprinter, GP, HPRT and others) accept the same bytes.

/// Line feed: prints the line buffer and moves the paper one line.
pub const LF: u8 = 0x0A;
pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const FS: u8 = 0x1C;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;

/// `ESC @`: clears the print buffer and resets every mode to its power-on value.
pub const INITIALIZE: [u8; 2] = [ESC, b'@'];

/// `FS &`: Chinese (Kanji) character mode on, so two-byte GB18030 sequences print as one
/// Han character two columns wide.
pub const CHINESE_MODE_ON: [u8; 2] = [FS, b'&'];

/// `GS ( k` function codes for QR Code (cn = 49).
pub const QR_SYMBOL_TYPE: u8 = 49;
/// fn 65: select the model; 50 selects model 2.
pub const QR_FN_MODEL: u8 = 65;
pub const QR_MODEL_2: u8 = 50;
/// fn 67: module size in dots, 1 to 16.
pub const QR_FN_MODULE_SIZE: u8 = 67;
/// fn 69: error correction level; 49 is level M (about 15 % restored).
pub const QR_FN_ERROR_CORRECTION: u8 = 69;
pub const QR_ERROR_CORRECTION_M: u8 = 49;
/// fn 80: store the data in the symbol save area.
pub const QR_FN_STORE: u8 = 80;
/// fn 81: print the stored symbol.
pub const QR_FN_PRINT: u8 = 81;
/// The `m` byte of fn 80 and fn 81, always 48.
pub const QR_M: u8 = 48;
/// Bytes of `cn fn m` that the store command's length field counts besides the data.
pub const QR_STORE_HEADER_LEN: usize = 3;

/// Largest `pL + pH × 256` of `GS ( k`: 65535. Store commands carry at most 65532 data bytes.
pub const MAX_GS_PAREN_K_LEN: usize = u16::MAX as usize;

/// `GS v 0` raster bit image, normal density (m = 0).
pub const RASTER_IMAGE: [u8; 4] = [GS, b'v', b'0', 0];

/// `GS V 66 n`: feeds the paper to the cutter plus `n` dots, then cuts it partially (leaving
/// one point uncut, so the slip does not fall).
pub const FEED_AND_CUT: [u8; 4] = [GS, b'V', 66, 0];

/// `ESC d n`: prints the buffer and feeds `n` lines. Used without a cut, so the last line
/// clears the tear bar.
pub const FEED_LINES_WITHOUT_CUT: [u8; 3] = [ESC, b'd', 4];

/// `ESC p 0 25 250`: a pulse on drawer kick-out connector pin 2, on for 50 ms and off for
/// 500 ms (units of 2 ms), which opens a standard cash drawer.
pub const OPEN_CASH_DRAWER: [u8; 5] = [ESC, b'p', 0, 25, 250];

/// Horizontal alignment (`ESC a n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Justify {
    Left = 0,
    Center = 1,
}

/// Appends `ESC a n`.
pub fn justify(out: &mut Vec<u8>, justify: Justify) {
    out.extend_from_slice(&[ESC, b'a', justify as u8]);
}

/// Appends `ESC E n`: emphasised (bold) on or off.
pub fn bold(out: &mut Vec<u8>, on: bool) {
    out.extend_from_slice(&[ESC, b'E', u8::from(on)]);
}

/// `GS ! n` value for double width and double height (bits 4–6 and 0–2 each set to 1).
pub const DOUBLE_SIZE: u8 = 0x11;
/// `GS ! n` value for normal size.
pub const NORMAL_SIZE: u8 = 0x00;

/// Appends `GS ! n`: character size, applied to Han characters as well.
pub fn character_size(out: &mut Vec<u8>, size: u8) {
    out.extend_from_slice(&[GS, b'!', size]);
}

/// Appends one `GS ( k` command with a QR function and its parameters. The length field
/// `pL pH` counts `cn`, `fn` and the parameters, low byte first, so a store command with more
/// than 252 data bytes sets `pH`. The caller keeps `parameters` under
/// [`MAX_GS_PAREN_K_LEN`] − 2 bytes.
pub fn qr_function(out: &mut Vec<u8>, function: u8, parameters: &[u8]) {
    let len = parameters.len() + 2;
    let [low, high] = (len.min(MAX_GS_PAREN_K_LEN) as u16).to_le_bytes();
    out.extend_from_slice(&[GS, b'(', b'k', low, high, QR_SYMBOL_TYPE, function]);
    out.extend_from_slice(parameters);
}

/// Appends `GS v 0` with a raster image `width_bytes` wide (8 dots a byte, leftmost dot in
/// the high bit) and `height_dots` high, followed by its rows.
pub fn raster_image(out: &mut Vec<u8>, width_bytes: u16, height_dots: u16, rows: &[u8]) {
    out.extend_from_slice(&RASTER_IMAGE);
    out.extend_from_slice(&width_bytes.to_le_bytes());
    out.extend_from_slice(&height_dots.to_le_bytes());
    out.extend_from_slice(rows);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_length_counts_header_and_data() {
        for (data_len, expected) in [(252, [255, 0]), (253, [0, 1]), (300, [47, 1])] {
            let mut out = Vec::new();
            let mut parameters = vec![QR_M];
            parameters.extend(std::iter::repeat_n(b'x', data_len));
            qr_function(&mut out, QR_FN_STORE, &parameters);
            assert_eq!(out[3..5], expected, "{data_len} data bytes");
            assert_eq!(out.len(), 5 + QR_STORE_HEADER_LEN + data_len);
        }
    }

    #[test]
    fn raster_header_is_little_endian() {
        let mut out = Vec::new();
        raster_image(&mut out, 72, 300, &[0; 72 * 300]);
        assert_eq!(out[..8], [GS, b'v', b'0', 0, 72, 0, 44, 1]);
    }
}
