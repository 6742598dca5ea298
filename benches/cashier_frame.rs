//! Measures one frame of the sale screen with 10,000 products in the catalogue, stepped by
//! the egui_kittest harness without a GPU. Run with `cargo bench --bench cashier_frame`.
//!
//! The harness does layout, tessellation and the accessibility tree, but no rendering, so the
//! numbers are the CPU cost of the UI code itself.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use wxpay_pos::money::Fen;
use wxpay_pos::store::Product;
use wxpay_pos::ui::bridge::{Update, bridge_pair};
use wxpay_pos::ui::{CashierApp, CashierOptions, install_fonts};

const PRODUCT_COUNT: usize = 10_000;
const WARM_UP_FRAMES: usize = 50;
const MEASURED_FRAMES: usize = 500;

fn catalogue() -> Vec<Product> {
    (0..PRODUCT_COUNT)
        .map(|index| Product {
            id: index as i64 + 1,
            name: format!("商品{index:05}"),
            price: Fen(100 + index as i64 % 5000),
            barcode: Some(format!("69{index:011}")),
            category: format!("分类{}", index % 12),
            enabled: true,
        })
        .collect()
}

fn main() {
    let (ui_bridge, runner) = bridge_pair();
    let app = CashierApp::new(ui_bridge, CashierOptions::default());
    let mut harness = Harness::builder()
        .with_size(egui::Vec2::new(1280.0, 800.0))
        .with_context_setup(install_fonts)
        .build_ui_state(|ui, app: &mut CashierApp| app.cashier_ui(ui), app);
    let sent = runner.updates.try_send(Update::CatalogueLoaded {
        products: catalogue(),
    });
    assert!(sent.is_ok(), "the update channel is open");
    harness.run();
    assert_eq!(harness.state().catalogue_len(), PRODUCT_COUNT);

    for _ in 0..WARM_UP_FRAMES {
        harness.step();
    }
    let mut frames: Vec<Duration> = Vec::with_capacity(MEASURED_FRAMES);
    for _ in 0..MEASURED_FRAMES {
        let start = Instant::now();
        harness.step();
        frames.push(start.elapsed());
    }
    frames.sort();

    let total: Duration = frames.iter().sum();
    let mean = total / MEASURED_FRAMES as u32;
    let median = frames[MEASURED_FRAMES / 2];
    let p99 = frames[MEASURED_FRAMES * 99 / 100];
    let max = frames[MEASURED_FRAMES - 1];
    println!(
        "cashier frame, {PRODUCT_COUNT} products, {MEASURED_FRAMES} frames: \
         mean {mean:?}, median {median:?}, p99 {p99:?}, max {max:?}"
    );
}
