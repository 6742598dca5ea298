//! ESC/POS real-time status (`DLE EOT n`): the one-byte replies that tell whether a printer is
//! online and, when it is not, why.

use super::escpos::commands::{DLE, EOT};

/// `DLE EOT 1`: transmit printer status.
pub const PRINTER_STATUS_REQUEST: [u8; 3] = [DLE, EOT, 1];
/// `DLE EOT 2`: transmit offline cause status.
pub const OFFLINE_CAUSE_REQUEST: [u8; 3] = [DLE, EOT, 2];

/// Every status reply has bits 1 and 4 set and bits 0 and 7 clear.
const FIXED_BITS_MASK: u8 = 0b1001_0011;
const FIXED_BITS_VALUE: u8 = 0b0001_0010;

/// Printer status, bit 3: the printer is offline.
const OFFLINE_BIT: u8 = 0b0000_1000;
/// Offline cause, bit 2: the cover is open.
const COVER_OPEN_BIT: u8 = 0b0000_0100;
/// Offline cause, bit 5: printing stopped at the end of the paper.
const PAPER_END_BIT: u8 = 0b0010_0000;
/// Offline cause, bit 6: an error (cutter jam, head overheated) occurred.
const ERROR_BIT: u8 = 0b0100_0000;

/// The reply to a printer status request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterStatus {
    Online,
    Offline,
}

/// Reason a printer is offline, from the reply to an offline cause request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineCause {
    CoverOpen,
    PaperEnd,
    Error,
    /// The printer reports offline with none of the cause bits above set.
    Other,
}

impl OfflineCause {
    /// Returns what a cashier should see, in Chinese and English.
    pub fn describe(self) -> &'static str {
        match self {
            OfflineCause::CoverOpen => "机盖打开，请合上机盖 (cover open; close it)",
            OfflineCause::PaperEnd => "缺纸，请装纸 (out of paper; load a new roll)",
            OfflineCause::Error => {
                "打印机故障，请检查切刀和打印头 (printer error; check the cutter and head)"
            }
            OfflineCause::Other => "打印机离线 (printer offline)",
        }
    }
}

/// True when `byte` has the fixed bits of a status reply.
pub fn is_status_reply(byte: u8) -> bool {
    byte & FIXED_BITS_MASK == FIXED_BITS_VALUE
}

/// Reads the reply to [`PRINTER_STATUS_REQUEST`]; `None` when `byte` is not a status reply.
pub fn parse_printer_status(byte: u8) -> Option<PrinterStatus> {
    if !is_status_reply(byte) {
        return None;
    }
    Some(if byte & OFFLINE_BIT == 0 {
        PrinterStatus::Online
    } else {
        PrinterStatus::Offline
    })
}

/// Reads the reply to [`OFFLINE_CAUSE_REQUEST`]. A reply that is not a status byte, or that
/// names no cause, gives [`OfflineCause::Other`].
pub fn parse_offline_cause(byte: u8) -> OfflineCause {
    if !is_status_reply(byte) {
        OfflineCause::Other
    } else if byte & PAPER_END_BIT != 0 {
        OfflineCause::PaperEnd
    } else if byte & COVER_OPEN_BIT != 0 {
        OfflineCause::CoverOpen
    } else if byte & ERROR_BIT != 0 {
        OfflineCause::Error
    } else {
        OfflineCause::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_reply_is_online() {
        assert_eq!(parse_printer_status(0x12), Some(PrinterStatus::Online));
    }

    #[test]
    fn offline_bit_is_read() {
        assert_eq!(parse_printer_status(0x1A), Some(PrinterStatus::Offline));
    }

    #[test]
    fn byte_without_fixed_bits_is_no_reply() {
        assert_eq!(parse_printer_status(0x00), None);
        assert_eq!(parse_printer_status(0x93), None);
    }

    #[test]
    fn offline_causes_are_read() {
        assert_eq!(parse_offline_cause(0x32), OfflineCause::PaperEnd);
        assert_eq!(parse_offline_cause(0x16), OfflineCause::CoverOpen);
        assert_eq!(parse_offline_cause(0x52), OfflineCause::Error);
        assert_eq!(parse_offline_cause(0x12), OfflineCause::Other);
    }
}
