//! ESC/POS jobs decoded back with an independent decoder: the commands, the GB18030 text,
//! the QR payload from `GS ( k`, and the QR code in `GS v 0` raster images read back with a
//! QR decoder.

mod printer_support;

use printer_support::{
    Command, columns, decode, paid_model, payload_of_len, printed_lines, raster_images, slip_model,
    stored_qr_payloads,
};
use wxpay_pos::printer::escpos::{MIN_QR_MODULE_DOTS, qr_module_dots};
use wxpay_pos::printer::{EscPosOptions, QrMode, encode_receipt};
use wxpay_pos::receipt::{PaperWidth, ReceiptData, ReceiptModel};

const SHORT_LINK: &str = "weixin://wxpay/s/An4baqw";

/// Payload lengths around the one-byte limit of the `GS ( k` length field: 252 data bytes
/// plus the 3 header bytes make 255, 253 make 256.
const PAYLOAD_LENS: [usize; 3] = [252, 253, 300];

fn options(paper: PaperWidth, qr_mode: QrMode) -> EscPosOptions {
    EscPosOptions {
        paper,
        qr_mode,
        cut: true,
        open_cash_drawer: false,
    }
}

fn columns_of(paper: PaperWidth) -> usize {
    match paper {
        PaperWidth::Mm58 => 32,
        PaperWidth::Mm80 => 48,
    }
}

fn all_text(job: &[u8]) -> String {
    printed_lines(&decode(job))
        .into_iter()
        .map(|line| line.text)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn job_starts_with_reset_and_chinese_mode() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    let commands = decode(&job);
    assert_eq!(commands[0], Command::Initialize);
    assert_eq!(commands[1], Command::ChineseModeOn);
}

#[test]
fn receipt_text_decodes_from_gb18030() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    let text = all_text(&job);
    for expected in [
        "老王便利店",
        "微信支付 收款凭证",
        "￥19.90",
        "拿铁咖啡 大杯 ×2",
        "￥30.00",
        "-￥20.00",
        "20240501140307001",
        "4200001234202405011234567890",
        "2024-05-01 14:03:07",
        "POS01",
        "扫码查看订单",
        "谢谢惠顾 Thank you",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn yen_sign_is_fullwidth() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    // ￥ is A3 A4 in GB18030; the halfwidth ¥ would be the four bytes 81 30 84 36.
    assert!(job.windows(2).any(|pair| pair == [0xA3, 0xA4]));
    assert!(!job.windows(4).any(|quad| quad == [0x81, 0x30, 0x84, 0x36]));
    assert!(!all_text(&job).contains('¥'));
}

#[test]
fn lines_fit_paper_width() {
    let mut model = paid_model(SHORT_LINK);
    model.merchant_name = "街角奶茶店 Corner Tea House 第一分店".repeat(2);
    model.lines[0].name = "超长商品名称".repeat(10);
    for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
        let job = encode_receipt(&model, &options(paper, QrMode::Native)).unwrap();
        for line in printed_lines(&decode(&job)) {
            let width_factor = if line.size == 0x11 { 2 } else { 1 };
            let width = columns(&line.text) * width_factor;
            assert!(
                width <= columns_of(paper),
                "{paper:?}: {width} columns in {:?}",
                line.text
            );
        }
    }
}

#[test]
fn nothing_is_cut_on_narrow_paper() {
    for model in [paid_model(SHORT_LINK), slip_model(SHORT_LINK)] {
        let job = encode_receipt(&model, &options(PaperWidth::Mm58, QrMode::Native)).unwrap();
        for line in printed_lines(&decode(&job)) {
            assert!(!line.text.contains('…'), "cut line {:?}", line.text);
        }
    }
}

#[test]
fn rows_align_amount_to_right_edge() {
    let paper = PaperWidth::Mm58;
    let job = encode_receipt(&paid_model(SHORT_LINK), &options(paper, QrMode::Native)).unwrap();
    let lines = printed_lines(&decode(&job));
    let row = lines
        .iter()
        .find(|line| line.text.starts_with("拿铁咖啡"))
        .unwrap();
    assert!(row.text.ends_with("￥30.00"), "{:?}", row.text);
    assert_eq!(columns(&row.text), columns_of(paper), "{:?}", row.text);
}

#[test]
fn headings_are_bold_and_double_size() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    let lines = printed_lines(&decode(&job));
    let merchant = lines.iter().find(|line| line.text == "老王便利店").unwrap();
    assert!(merchant.bold);
    assert_eq!(merchant.size, 0x11);
    assert_eq!(merchant.justify, 1);
    let amount = lines.iter().find(|line| line.text == "￥19.90").unwrap();
    assert!(amount.bold);
    assert_eq!(amount.size, 0x11);
    let label = lines
        .iter()
        .find(|line| line.text.starts_with("商户订单号"))
        .unwrap();
    assert!(!label.bold);
    assert_eq!(label.size, 0);
}

#[test]
fn job_ends_with_cut() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    assert_eq!(decode(&job).last(), Some(&Command::FeedAndCut(0)));
}

#[test]
fn job_without_cut_feeds_instead() {
    let options = EscPosOptions {
        cut: false,
        ..EscPosOptions::default()
    };
    let commands = decode(&encode_receipt(&paid_model(SHORT_LINK), &options).unwrap());
    assert!(!commands.iter().any(|c| matches!(c, Command::FeedAndCut(_))));
    assert!(matches!(commands.last(), Some(Command::FeedLines(n)) if *n > 0));
}

#[test]
fn drawer_opens_only_for_paid_receipt() {
    let options = EscPosOptions {
        open_cash_drawer: true,
        ..EscPosOptions::default()
    };
    let is_kick = |c: &Command| matches!(c, Command::OpenCashDrawer { pin: 0, .. });

    let paid = decode(&encode_receipt(&paid_model(SHORT_LINK), &options).unwrap());
    assert!(paid.iter().any(is_kick));

    let slip = decode(&encode_receipt(&slip_model(SHORT_LINK), &options).unwrap());
    assert!(!slip.iter().any(is_kick));

    let off = decode(&encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap());
    assert!(!off.iter().any(is_kick));
}

#[test]
fn checkout_slip_shows_expiry_and_payment_link() {
    let job = encode_receipt(&slip_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    let commands = decode(&job);
    let text = all_text(&job);
    assert!(text.contains("结账小票"), "{text}");
    assert!(text.contains("有效期至 2024-05-01 16:03:07"), "{text}");
    assert!(text.contains("请用微信扫码支付"), "{text}");
    assert!(!text.contains("微信支付单号"), "{text}");
    assert_eq!(stored_qr_payloads(&commands), [SHORT_LINK]);
}

#[test]
fn native_qr_sequence_is_complete() {
    let job = encode_receipt(&paid_model(SHORT_LINK), &EscPosOptions::default()).unwrap();
    let commands = decode(&job);
    let start = commands
        .iter()
        .position(|c| matches!(c, Command::QrModel(..)))
        .unwrap();
    let module_dots = qr_module_dots(SHORT_LINK, PaperWidth::Mm80).unwrap() as u8;
    assert_eq!(
        commands[start..start + 5],
        [
            Command::QrModel(50, 0),
            Command::QrModuleSize(module_dots),
            Command::QrErrorCorrection(49),
            Command::QrStore {
                data: SHORT_LINK.as_bytes().to_vec(),
                length_field: SHORT_LINK.len() + 3,
            },
            Command::QrPrint,
        ]
    );
}

#[test]
fn native_qr_length_field_counts_long_payloads() {
    for len in PAYLOAD_LENS {
        let payload = payload_of_len(len);
        for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let job =
                encode_receipt(&paid_model(&payload), &options(paper, QrMode::Native)).unwrap();
            let commands = decode(&job);
            let store = commands
                .iter()
                .find_map(|c| match c {
                    Command::QrStore { data, length_field } => Some((data, *length_field)),
                    _ => None,
                })
                .unwrap();
            assert_eq!(store.0.len(), len, "{paper:?}");
            assert_eq!(store.1, len + 3, "{paper:?}");
            assert_eq!(
                stored_qr_payloads(&commands),
                std::slice::from_ref(&payload)
            );
        }
    }
}

#[test]
fn raster_qr_decodes_to_payload() {
    let mut payloads: Vec<String> = PAYLOAD_LENS
        .iter()
        .map(|&len| payload_of_len(len))
        .collect();
    payloads.push(SHORT_LINK.to_owned());
    for payload in payloads {
        for paper in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let job =
                encode_receipt(&paid_model(&payload), &options(paper, QrMode::Raster)).unwrap();
            let commands = decode(&job);
            assert!(stored_qr_payloads(&commands).is_empty());
            let images = raster_images(&commands);
            assert_eq!(images.len(), 1);
            let image = &images[0];
            assert_eq!(image.width_bytes * 8, paper.printable_dots() as usize);
            assert_eq!(
                image.decode_qr(),
                payload,
                "{} bytes on {paper:?}",
                payload.len()
            );
        }
    }
}

#[test]
fn raster_qr_modules_are_at_least_four_dots() {
    let payload = payload_of_len(300);
    let module_dots = qr_module_dots(&payload, PaperWidth::Mm58).unwrap();
    assert!(module_dots >= MIN_QR_MODULE_DOTS);

    let job = encode_receipt(
        &paid_model(&payload),
        &options(PaperWidth::Mm58, QrMode::Raster),
    )
    .unwrap();
    let image = &raster_images(&decode(&job))[0];
    // The top-left finder pattern starts after the 4-module quiet zone: its first row of
    // dark dots is 7 modules long.
    let quiet_dots = 4 * module_dots as usize;
    let row = quiet_dots;
    let dark: Vec<usize> = (0..image.width_bytes * 8)
        .filter(|&x| image.is_black(x, row))
        .collect();
    let first = dark[0];
    let run = dark
        .iter()
        .enumerate()
        .take_while(|(i, x)| **x == first + i)
        .count();
    assert_eq!(run, 7 * module_dots as usize);
}

#[test]
fn encoding_twice_gives_identical_bytes() {
    for qr_mode in [QrMode::Native, QrMode::Raster] {
        let options = options(PaperWidth::Mm80, qr_mode);
        let first = encode_receipt(&paid_model(SHORT_LINK), &options).unwrap();
        let second = encode_receipt(&paid_model(SHORT_LINK), &options).unwrap();
        assert_eq!(first, second);
    }
}

#[test]
fn receipt_data_prints_as_single_item() {
    let data = ReceiptData {
        merchant_name: "街角奶茶店".to_owned(),
        out_trade_no: "20240501140307002".to_owned(),
        transaction_id: "4200009".to_owned(),
        body: "珍珠奶茶".to_owned(),
        amount: wxpay_pos::money::Fen(1500),
        paid_at: chrono::DateTime::parse_from_rfc3339("2024-05-01T06:03:07Z").unwrap(),
        qr_link: SHORT_LINK.to_owned(),
        demo_mode: true,
    };
    let job = encode_receipt(&ReceiptModel::from(&data), &EscPosOptions::default()).unwrap();
    let text = all_text(&job);
    assert!(text.contains("珍珠奶茶"), "{text}");
    assert!(text.contains("￥15.00"), "{text}");
    assert!(text.contains("演示模式（非真实交易）"), "{text}");
    assert!(
        !text.contains("合计"),
        "a single item needs no total row:\n{text}"
    );
}

#[test]
fn characters_outside_gbk_print_as_question_marks() {
    let mut model = paid_model(SHORT_LINK);
    model.lines[1].name = "可颂\u{1F600}".to_owned();
    let text = all_text(&encode_receipt(&model, &EscPosOptions::default()).unwrap());
    assert!(text.contains("可颂?"), "{text}");
}
