//! Native mode-1 commands: `product-qr` writes a PDF sheet of product QR codes from the
//! catalogue, and `simulate-scan` makes a running simulator scan one, as a customer would.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use crate::app::{configured_merchant, database_path};
use crate::config::{AppDirs, Settings};
use crate::gateway::GatewayClient;
use crate::protocol::bizpay::BizpayLink;
use crate::receipt::{LabelSize, SheetLayout, SheetProduct, render_product_sheet_pdf};
use crate::store::{Product, Store};

/// Page layout of `product-qr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetKind {
    /// A4 pages, 3 × 4 codes with cut lines
    A4,
    /// One code per label, the page the size of the label
    Label,
}

/// The state `product-switch` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// Sell the product and accept scans of its code
    On,
    /// Refuse scans of its code and leave it off new sheets
    Off,
}

/// Options of `product-qr`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQrOptions {
    pub output: std::path::PathBuf,
    pub layout: SheetKind,
    pub label_size: String,
    pub ids: Vec<i64>,
    pub print_links: bool,
    pub long_links: bool,
}

/// Returns the `product_id` a product's QR code carries: its catalogue id in decimal. The id never
/// changes while the product exists, so a printed code stays valid across renames and price
/// changes (the price charged is the one in the catalogue at scan time).
pub fn product_key(product: &Product) -> String {
    product.id.to_string()
}

/// Writes the sheet of product QR codes. Without ids, every enabled product is on it;
/// disabled products are left out even when named. An unknown id writes nothing.
pub async fn product_qr(
    settings: &Settings,
    dirs: &AppDirs,
    options: &ProductQrOptions,
) -> anyhow::Result<ExitCode> {
    let layout = match options.layout {
        SheetKind::A4 => SheetLayout::A4Grid,
        SheetKind::Label => match LabelSize::parse(&options.label_size) {
            Some(size) => SheetLayout::Label(size),
            None => bail!(
                "invalid --label-size {:?}; use 40x30, 50x30 or 60x40",
                options.label_size
            ),
        },
    };
    let database = database_path(settings, dirs);
    let store = Store::open(&database)
        .with_context(|| format!("cannot open the database {}", database.display()))?;
    let products = chosen_products(&store, &options.ids)?;
    if products.is_empty() {
        bail!("no enabled products to print; add products on the settings screen first");
    }

    let merchant = configured_merchant(settings);
    // Short links from the embedded demo simulator die with this process, so demo sheets
    // always carry the long link.
    let shortener = match &settings.merchant {
        Some(configured) if !options.long_links => Some(
            GatewayClient::new(
                &configured.gateway_url,
                merchant.clone(),
                settings.client.timeouts(),
            )
            .context("cannot create the gateway client")?,
        ),
        _ => None,
    };

    let mut sheet = Vec::with_capacity(products.len());
    for product in &products {
        let long_link = BizpayLink::sign_now(&merchant, &product_key(product))
            .with_context(|| format!("cannot sign the link of product {}", product.id))?
            .to_url();
        let link = match &shortener {
            Some(client) => match client.short_url(&long_link).await {
                Ok(short) => short,
                Err(err) => {
                    tracing::warn!(product_id = product.id, error = %err, "shorturl failed; printing the long link");
                    long_link
                }
            },
            None => long_link,
        };
        if options.print_links {
            println!(
                "{}\t{}\t{}\t{}",
                product.id, product.name, product.price, link
            );
        }
        sheet.push(SheetProduct {
            name: product.name.clone(),
            price: product.price,
            link,
        });
    }

    let pdf = render_product_sheet_pdf(&sheet, layout, "商品二维码 Product QR codes")
        .context("cannot render the product QR sheet")?;
    write_file(&options.output, &pdf)?;
    println!(
        "wrote {} product QR code(s) to {}",
        sheet.len(),
        options.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Switches one product on or off and prints its new state.
pub fn product_switch(
    settings: &Settings,
    dirs: &AppDirs,
    id: i64,
    state: Switch,
) -> anyhow::Result<ExitCode> {
    let database = database_path(settings, dirs);
    let store = Store::open(&database)
        .with_context(|| format!("cannot open the database {}", database.display()))?;
    store
        .set_product_enabled(id, state == Switch::On)
        .with_context(|| format!("cannot switch product {id}"))?;
    let word = match state {
        Switch::On => "on",
        Switch::Off => "off",
    };
    println!("product {id} is switched {word}");
    Ok(ExitCode::SUCCESS)
}

/// Loads the products for the sheet, in catalogue order or in the order of `ids`.
fn chosen_products(store: &Store, ids: &[i64]) -> anyhow::Result<Vec<Product>> {
    if ids.is_empty() {
        let all = store.products().context("cannot load the catalogue")?;
        return Ok(all.into_iter().filter(|product| product.enabled).collect());
    }
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        match store.product(*id).context("cannot load the catalogue")? {
            Some(product) if product.enabled => chosen.push(product),
            Some(product) => {
                eprintln!(
                    "warning: product {id} ({}) is switched off and is left off the sheet",
                    product.name
                );
            }
            None => bail!("product {id} not found; list products on the settings screen"),
        }
    }
    Ok(chosen)
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Options of `simulate-scan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulateScanOptions {
    pub link: Option<String>,
    pub product_id: Option<String>,
    pub openid: Option<String>,
    pub gateway: Option<String>,
    pub pay: bool,
}

/// Sends a scan to a simulator on this machine (`POST /sim/scan`) and prints its reply.
pub async fn simulate_scan(
    settings: &Settings,
    options: &SimulateScanOptions,
) -> anyhow::Result<ExitCode> {
    if options.link.is_none() && options.product_id.is_none() {
        bail!("give the scanned link, or --product-id");
    }
    let base = super::commands::simulator_base(settings, options.gateway.clone(), "simulate-scan")?;

    let mut form: Vec<(&str, String)> = Vec::new();
    if let Some(link) = &options.link {
        form.push(("link", link.clone()));
    }
    if let Some(product_id) = &options.product_id {
        form.push(("product_id", product_id.clone()));
    }
    if let Some(openid) = &options.openid {
        form.push(("openid", openid.clone()));
    }
    if options.pay {
        form.push(("pay", "true".into()));
    }
    let body: String = form
        .iter()
        .map(|(name, value)| {
            format!(
                "{name}={}",
                percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&");

    crate::gateway::install_crypto_provider();
    let url = format!("{}/sim/scan", base.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .post(&url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .with_context(|| format!("cannot reach the simulator at {base}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("{}", text.trim_end());
    if status.is_success() {
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("the simulated scan failed: HTTP {status}")
    }
}
