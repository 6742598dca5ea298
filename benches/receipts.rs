//! Rendering speed of slips and receipts. Targets: a receipt PDF in under 30 ms and the
//! ESC/POS bytes of a receipt in under 1 ms. Run with `cargo bench --bench receipts`.

use chrono::DateTime;
use divan::{Bencher, black_box};
use wxpay_pos::money::Fen;
use wxpay_pos::printer::{EscPosOptions, QrMode, encode_receipt};
use wxpay_pos::receipt::{PaperWidth, PaymentState, ReceiptLine, ReceiptModel, render_model_pdf};

fn main() {
    divan::main();
}

/// Builds a paid receipt with three items, a discount and a short link, as a shop prints it.
fn paid_receipt() -> ReceiptModel {
    let line = |name: &str, quantity, amount| ReceiptLine {
        name: name.to_owned(),
        quantity,
        amount: Fen(amount),
    };
    ReceiptModel {
        merchant_name: "街角奶茶店 第一分店".to_owned(),
        terminal_id: "POS01".to_owned(),
        time: DateTime::parse_from_rfc3339("2024-05-01T06:03:07Z").unwrap_or_default(),
        lines: vec![
            line("珍珠奶茶 大杯 少冰", 2, 3000),
            line("杨枝甘露", 1, 1800),
            line("芝士蛋糕", 1, 2200),
        ],
        discount: Fen(1000),
        total: Fen(6000),
        payment: PaymentState::Paid {
            transaction_id: "4200001234202405011234567890".to_owned(),
        },
        out_trade_no: "20240501140307001".to_owned(),
        qr_payload: "weixin://wxpay/s/An4baqw".to_owned(),
        footer: "谢谢惠顾，欢迎再来 Thank you".to_owned(),
        demo_mode: false,
    }
}

#[divan::bench(args = [PaperWidth::Mm58, PaperWidth::Mm80])]
fn receipt_pdf(bencher: Bencher, paper: PaperWidth) {
    let model = paid_receipt();
    bencher.bench(|| render_model_pdf(black_box(&model), paper));
}

#[divan::bench(args = [QrMode::Native, QrMode::Raster])]
fn receipt_escpos_80mm(bencher: Bencher, qr_mode: QrMode) {
    let model = paid_receipt();
    let options = EscPosOptions {
        qr_mode,
        ..EscPosOptions::default()
    };
    bencher.bench(|| encode_receipt(black_box(&model), &options));
}
