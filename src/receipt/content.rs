//! The content of a checkout slip or receipt, in order, before any back end lays it out. The PDF
//! and the ESC/POS encoder both print this list, so the two show the same text.

use chrono::{DateTime, FixedOffset};

use super::model::{PaymentState, ReceiptModel};
use crate::money::Fen;

/// China Standard Time (UTC+8), the time WeChat Pay reports and cashiers read.
const BEIJING_OFFSET_SECS: i32 = 8 * 3600;

/// Format of printed times: `2024-05-01 14:03:07`.
const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Printed in place of an empty field, so a blank is visibly a blank.
pub(crate) const EMPTY_FIELD: &str = "—";

/// Line limits for free text: merchant names and item descriptions are short in practice,
/// and the limit keeps an overlong value from running the slip off the roll.
const MERCHANT_MAX_LINES: usize = 3;
const BODY_MAX_LINES: usize = 4;
const ITEM_NAME_MAX_LINES: usize = 2;
const ID_MAX_LINES: usize = 2;
const FOOTER_MAX_LINES: usize = 4;
/// The expiry line breaks before the time on 58 mm paper.
const EXPIRY_MAX_LINES: usize = 2;
pub(crate) const SINGLE_LINE: usize = 1;

/// Style of a centred line of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextStyle {
    /// The shop name: the largest text. Thermal printers print it double size and bold.
    Heading,
    /// The document title. Bold on thermal paper.
    Title,
    /// A warning that must stand out, such as demo mode. Bold on thermal paper.
    Notice,
    /// Ordinary text.
    Body,
    /// Small grey text: labels and English second lines. Normal text on thermal paper.
    Small,
}

/// Vertical space between blocks. Thermal printers skip it, because their line pitch
/// already separates blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gap {
    Small,
    Medium,
    Large,
}

/// One piece of a printed document, from top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Centred text, wrapped to at most `max_lines`.
    Centered {
        text: String,
        style: TextStyle,
        max_lines: usize,
    },
    /// A small label line over its left-aligned value.
    Field {
        label: &'static str,
        value: String,
        max_lines: usize,
    },
    /// A small left-aligned label with no value under it, heading the rows that follow.
    Label(&'static str),
    /// Left-aligned text made of phrases, wrapped to at most `max_lines`. Lines break between
    /// phrases, and inside a phrase only when it is wider than a line by itself.
    Phrases {
        phrases: Vec<String>,
        max_lines: usize,
    },
    /// Text on the left and an amount on the right of the same line. The left text wraps in
    /// the space the amount leaves.
    Row { left: String, right: String },
    /// The amount, in the largest type on the page.
    Amount(String),
    /// A thin horizontal rule across the content width.
    Rule,
    /// Vertical space.
    Gap(Gap),
    /// A QR code of `payload`, centred.
    Qr { payload: String },
}

impl Block {
    fn centered(text: impl Into<String>, style: TextStyle) -> Block {
        Block::Centered {
            text: text.into(),
            style,
            max_lines: SINGLE_LINE,
        }
    }
}

/// Lists the blocks of `model`'s checkout slip or receipt.
pub(crate) fn receipt_blocks(model: &ReceiptModel) -> Vec<Block> {
    let mut blocks = Vec::new();
    header(&mut blocks, model);
    amount(&mut blocks, model);
    items(&mut blocks, model);
    order_fields(&mut blocks, model);
    qr(&mut blocks, model);
    footer(&mut blocks, model);
    blocks
}

/// Writes the merchant name, the title and, in demo mode, the warning that no money moves.
fn header(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    blocks.push(Block::Centered {
        text: non_empty(&model.merchant_name).to_owned(),
        style: TextStyle::Heading,
        max_lines: MERCHANT_MAX_LINES,
    });
    blocks.push(Block::Gap(Gap::Small));
    let (title, subtitle) = if model.is_paid() {
        ("微信支付 收款凭证", "WeChat Pay receipt")
    } else {
        ("结账小票", "Checkout slip")
    };
    blocks.push(Block::centered(title, TextStyle::Title));
    blocks.push(Block::centered(subtitle, TextStyle::Small));

    if model.demo_mode {
        blocks.push(Block::Gap(Gap::Medium));
        blocks.push(Block::centered("演示模式（非真实交易）", TextStyle::Notice));
        blocks.push(Block::centered(
            "Demo mode, not a real transaction",
            TextStyle::Small,
        ));
    }
    blocks.push(Block::Rule);
}

fn amount(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    let label = if model.is_paid() {
        "金额 Amount"
    } else {
        "应付金额 Amount due"
    };
    blocks.push(Block::centered(label, TextStyle::Small));
    blocks.push(Block::Amount(yuan(model.total)));
    blocks.push(Block::Rule);
}

/// Writes the items: by name alone for a single item bought once, else one row per line
/// with its amount, then the subtotal and discount when there is a discount.
fn items(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    if !model.itemised() {
        let name = model.lines.first().map_or("", |line| line.name.as_str());
        blocks.push(Block::Field {
            label: "商品 Item",
            value: non_empty(name).to_owned(),
            max_lines: BODY_MAX_LINES,
        });
        blocks.push(Block::Gap(Gap::Small));
        return;
    }

    blocks.push(Block::Label("商品 Item"));
    for line in &model.lines {
        let name = non_empty(&line.name);
        let left = if line.quantity == 1 {
            name.to_owned()
        } else {
            format!("{name} ×{}", line.quantity)
        };
        blocks.push(Block::Row {
            left: truncate_chars(&left, ITEM_NAME_MAX_LINES),
            right: yuan(line.amount),
        });
    }
    if model.discount != Fen(0) {
        blocks.push(Block::Row {
            left: "小计 Subtotal".to_owned(),
            right: yuan(model.lines_sum()),
        });
        blocks.push(Block::Row {
            left: "优惠 Discount".to_owned(),
            right: format!("-{}", yuan(model.discount)),
        });
    }
    blocks.push(Block::Row {
        left: "合计 Total".to_owned(),
        right: yuan(model.total),
    });
    blocks.push(Block::Gap(Gap::Small));
}

/// Writes the order number, the transaction number, the time and the terminal, each as a
/// label over its value.
fn order_fields(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    let field = |label: &'static str, value: &str, max_lines: usize| Block::Field {
        label,
        value: non_empty(value).to_owned(),
        max_lines,
    };

    blocks.push(field(
        "商户订单号 Merchant order no.",
        &model.out_trade_no,
        ID_MAX_LINES,
    ));
    let time = beijing_time_text(model.time);
    match &model.payment {
        PaymentState::Paid { transaction_id } => {
            blocks.push(Block::Gap(Gap::Small));
            blocks.push(field(
                "微信支付单号 Transaction no.",
                transaction_id,
                ID_MAX_LINES,
            ));
            blocks.push(Block::Gap(Gap::Small));
            blocks.push(field("支付时间 Paid at (Beijing time)", &time, SINGLE_LINE));
        }
        PaymentState::AwaitingPayment { .. } => {
            blocks.push(Block::Gap(Gap::Small));
            blocks.push(field("下单时间 Ordered (Beijing time)", &time, SINGLE_LINE));
        }
    }
    if !model.terminal_id.trim().is_empty() {
        blocks.push(Block::Gap(Gap::Small));
        blocks.push(field("终端号 Terminal", &model.terminal_id, SINGLE_LINE));
    }
    blocks.push(Block::Rule);
}

/// Writes the QR code with its caption. A checkout slip also prints when the code expires.
fn qr(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    blocks.push(Block::Qr {
        payload: model.qr_payload.clone(),
    });
    match &model.payment {
        PaymentState::Paid { .. } => {
            blocks.push(Block::centered("扫码查看订单", TextStyle::Body));
            blocks.push(Block::centered("Scan to view the order", TextStyle::Small));
        }
        PaymentState::AwaitingPayment { expires_at } => {
            blocks.push(Block::centered("请用微信扫码支付", TextStyle::Body));
            blocks.push(Block::centered("Scan with WeChat to pay", TextStyle::Small));
            blocks.push(Block::Gap(Gap::Small));
            blocks.push(Block::Centered {
                text: format!("有效期至 {}", beijing_time_text(*expires_at)),
                style: TextStyle::Title,
                max_lines: EXPIRY_MAX_LINES,
            });
            blocks.push(Block::centered(
                "Valid until (Beijing time)",
                TextStyle::Small,
            ));
        }
    }
}

fn footer(blocks: &mut Vec<Block>, model: &ReceiptModel) {
    if model.footer.trim().is_empty() {
        return;
    }
    blocks.push(Block::Gap(Gap::Large));
    blocks.push(Block::Centered {
        text: model.footer.clone(),
        style: TextStyle::Body,
        max_lines: FOOTER_MAX_LINES,
    });
}

/// Formats an amount as printed: `￥19.90`. The fullwidth yen sign is in GB 2312 (A3A4), so
/// thermal printers in Chinese mode print it; the halfwidth `¥` is not.
pub(crate) fn yuan(amount: Fen) -> String {
    format!("￥{amount}")
}

/// Formats `time` in Beijing time, whatever offset it carries.
pub(crate) fn beijing_time_text(time: DateTime<FixedOffset>) -> String {
    // chrono 0.4 `east_opt` returns `None` only outside ±24 h, so the fallback never runs.
    let beijing = FixedOffset::east_opt(BEIJING_OFFSET_SECS).unwrap_or(*time.offset());
    time.with_timezone(&beijing).format(TIME_FORMAT).to_string()
}

fn non_empty(value: &str) -> &str {
    if value.trim().is_empty() {
        EMPTY_FIELD
    } else {
        value
    }
}

/// Keeps item names to a length that wraps to about `max_lines` lines on the narrowest paper
/// (16 Han characters a line), so a runaway name cannot fill the roll. Each back end wraps
/// and cuts again to its own width.
fn truncate_chars(text: &str, max_lines: usize) -> String {
    const HAN_CHARS_PER_NARROW_LINE: usize = 16;
    let max_chars = max_lines * HAN_CHARS_PER_NARROW_LINE * 2;
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let head: String = text.chars().take(max_chars).collect();
    format!("{head}{}", super::wrap::ELLIPSIS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receipt::model::ReceiptLine;

    fn model() -> ReceiptModel {
        ReceiptModel {
            merchant_name: "老王便利店".into(),
            terminal_id: "POS01".into(),
            time: DateTime::parse_from_rfc3339("2024-05-01T06:03:07Z").unwrap(),
            lines: vec![ReceiptLine {
                name: "拿铁".into(),
                quantity: 1,
                amount: Fen(1990),
            }],
            discount: Fen(0),
            total: Fen(1990),
            payment: PaymentState::Paid {
                transaction_id: "4200001".into(),
            },
            out_trade_no: "20240501140307001".into(),
            qr_payload: "weixin://wxpay/s/abc".into(),
            footer: String::new(),
            demo_mode: false,
        }
    }

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .flat_map(|block| match block {
                Block::Centered { text, .. } | Block::Amount(text) => vec![text.clone()],
                Block::Field { label, value, .. } => vec![label.to_string(), value.clone()],
                Block::Label(label) => vec![label.to_string()],
                Block::Phrases { phrases, .. } => phrases.clone(),
                Block::Row { left, right } => vec![left.clone(), right.clone()],
                Block::Qr { payload } => vec![payload.clone()],
                Block::Rule | Block::Gap(_) => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn single_item_prints_without_rows() {
        let blocks = receipt_blocks(&model());
        assert!(
            !blocks
                .iter()
                .any(|block| matches!(block, Block::Row { .. }))
        );
        assert!(texts(&blocks).contains(&"拿铁".to_owned()));
    }

    #[test]
    fn discount_prints_subtotal_and_total_rows() {
        let mut model = model();
        model.lines.push(ReceiptLine {
            name: "可颂".into(),
            quantity: 2,
            amount: Fen(1200),
        });
        model.discount = Fen(500);
        model.total = Fen(2690);

        let texts = texts(&receipt_blocks(&model));

        for expected in ["可颂 ×2", "￥12.00", "￥31.90", "-￥5.00", "￥26.90"] {
            assert!(
                texts.iter().any(|t| t == expected),
                "{expected} in {texts:?}"
            );
        }
    }

    #[test]
    fn checkout_slip_prints_expiry_and_no_transaction() {
        let mut model = model();
        model.payment = PaymentState::AwaitingPayment {
            expires_at: DateTime::parse_from_rfc3339("2024-05-01T08:03:07Z").unwrap(),
        };

        let texts = texts(&receipt_blocks(&model));

        assert!(texts.contains(&"结账小票".to_owned()), "{texts:?}");
        assert!(texts.contains(&"有效期至 2024-05-01 16:03:07".to_owned()));
        assert!(!texts.iter().any(|t| t.contains("微信支付单号")));
    }

    #[test]
    fn empty_terminal_is_left_off() {
        let mut model = model();
        model.terminal_id = " ".into();
        assert!(
            !texts(&receipt_blocks(&model))
                .iter()
                .any(|t| t.contains("终端号"))
        );
    }

    #[test]
    fn time_prints_in_beijing_time() {
        let time = DateTime::parse_from_rfc3339("2024-05-01T23:30:00-04:00").unwrap();
        assert_eq!(beijing_time_text(time), "2024-05-02 11:30:00");
    }
}
