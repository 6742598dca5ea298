//! The printer test page (打印测试页): the printer's settings, Chinese and Latin text at every
//! size the receipts use, a full-width rule and a QR code, so one page shows whether the
//! encoding, the paper width and the QR mode are right.

use chrono::Local;

use super::settings::{PrinterSettings, QrMode};
use crate::receipt::content::{Block, Gap, SINGLE_LINE, TextStyle, beijing_time_text};

/// Text in the test page's QR code. Scanning it should show exactly this.
pub const TEST_PAGE_QR_PAYLOAD: &str = "wxpay-pos printer test 打印测试";

/// Lists the blocks of the test page for `settings`.
pub(crate) fn test_page_blocks(settings: &PrinterSettings) -> Vec<Block> {
    let centered = |text: &str, style| Block::Centered {
        text: text.to_owned(),
        style,
        max_lines: SINGLE_LINE,
    };
    let field = |label, value: String| Block::Field {
        label,
        value,
        max_lines: 2,
    };
    let paper = settings.paper();
    let qr_mode = match settings.config().qr_mode {
        QrMode::Native => "打印机指令 GS ( k (native)",
        QrMode::Raster => "光栅图像 GS v 0 (raster)",
    };

    vec![
        centered("打印测试页", TextStyle::Heading),
        centered("Printer test page", TextStyle::Small),
        Block::Rule,
        field("连接 Connection", settings.target_description()),
        field(
            "纸宽 Paper width",
            format!("{} mm（{} 点 dots）", paper.mm(), paper.printable_dots()),
        ),
        field("二维码 QR code", qr_mode.to_owned()),
        field(
            "时间 Time (Beijing time)",
            beijing_time_text(Local::now().fixed_offset()),
        ),
        Block::Rule,
        centered("中文测试：微信支付 收款 ￥0.01", TextStyle::Title),
        centered("Latin text: 0123456789 ABC abc", TextStyle::Body),
        Block::Amount("￥88.88".to_owned()),
        Block::Row {
            left: "左对齐 Left".to_owned(),
            right: "右对齐 Right".to_owned(),
        },
        Block::Rule,
        Block::Qr {
            payload: TEST_PAGE_QR_PAYLOAD.to_owned(),
        },
        centered("扫码应显示 Scanning shows:", TextStyle::Small),
        centered(TEST_PAGE_QR_PAYLOAD, TextStyle::Body),
        Block::Gap(Gap::Large),
    ]
}
