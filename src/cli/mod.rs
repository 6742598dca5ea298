//! The command line: the cashier window by default, and headless commands for scripts and
//! operators that use the same configuration file.

mod bill;
mod commands;
mod demo_guard;
mod product_qr;
mod refund;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::i18n::Lang;

pub use bill::{EXIT_BILL_CREATING, EXIT_BILL_DIFFERENCES, EXIT_NO_BILL};
pub use commands::run_headless;
pub use product_qr::{SheetKind, Switch, product_key};
pub use refund::EXIT_REFUND_PENDING;
pub use report::{ReportArgs, ReportFormat};

/// Exit code of `charge --wait` when the order ended unpaid (closed, expired or failed), and
/// of `close` when the order could not be closed because it is paid.
pub const EXIT_NOT_PAID: u8 = 2;

/// WeChat Pay Native (QR code) cashier. Without a command, opens the cashier window.
#[derive(Debug, Parser)]
#[command(name = "wxpay-pos", version, about)]
pub struct Cli {
    /// Configuration file to use instead of the platform's config folder
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Language of the cashier window: zh-CN or en (default: the config file, then the system locale)
    #[arg(long, value_parser = parse_lang)]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Create a Native order and print its out_trade_no and code_url
    Charge {
        /// Amount in yuan, for example 19.90
        amount: String,
        /// Goods description sent to WeChat as `body` (at most 128 bytes)
        #[arg(long)]
        body: String,
        /// Wait until the order is paid, closed or expired; exit 2 if it is not paid
        #[arg(long)]
        wait: bool,
    },
    /// Query an order at the gateway, record a confirmed payment, and print its state
    Query { out_trade_no: String },
    /// Close an unpaid order (closeorder)
    Close { out_trade_no: String },
    /// Run the notification listener alone, without a window, until Ctrl-C
    Listen,
    /// Run the WeChat Pay v2 gateway simulator alone, for the configured (or demo) merchant
    Simulator {
        /// Address to listen on, for example 127.0.0.1:7878
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: SocketAddr,
        /// Multiplier for notification retry delays (1 = WeChat's real schedule)
        #[arg(long, default_value_t = 1.0)]
        time_scale: f64,
        /// URL for Native mode-1 scan callbacks, e.g. http://127.0.0.1:8088/wxpay/scan
        /// (default: [merchant] scan_url)
        #[arg(long, value_name = "URL")]
        scan_url: Option<String>,
        /// Address of the HTTPS port for /secapi/pay/refund (client certificate required)
        #[arg(long, default_value = "127.0.0.1:7879")]
        secapi_addr: SocketAddr,
        /// Folder for the simulator's CA and the merchant's client certificate files
        /// (default: simulator-tls in the data folder); they are made anew at each start
        #[arg(long, value_name = "DIR")]
        tls_dir: Option<PathBuf>,
        /// JSON file that keeps the simulator's orders, short links and refunds across
        /// restarts (default: none, so they last for this run only)
        #[arg(long, value_name = "PATH")]
        state: Option<PathBuf>,
    },
    /// Pay an order on a running simulator, as a customer's phone would
    SimulatePay {
        out_trade_no: String,
        /// Base URL of the simulator (default: the configured gateway_url)
        #[arg(long, value_name = "URL")]
        gateway: Option<String>,
    },
    /// Write a PDF sheet of product QR codes (Native mode 1): name, price and a code per
    /// product that starts a payment when a customer scans it
    ProductQr {
        /// PDF file to write
        #[arg(long, short, default_value = "product-qr.pdf", value_name = "PATH")]
        output: PathBuf,
        /// a4: 3 x 4 codes per A4 page; label: one code per label page
        #[arg(long, value_enum, default_value = "a4")]
        layout: SheetKind,
        /// Label size in millimetres for --layout label: 40x30, 50x30 or 60x40
        #[arg(long, default_value = "40x30")]
        label_size: String,
        /// Product id to include; repeat for several (default: every enabled product)
        #[arg(long = "id", value_name = "ID")]
        ids: Vec<i64>,
        /// Print each product's id, name, price and link
        #[arg(long)]
        print_links: bool,
        /// Put the long bizpayurl link in the codes without calling shorturl
        #[arg(long)]
        long_links: bool,
    },
    /// Switch a product on or off. A switched-off product's printed QR code is refused when
    /// scanned (该商品已停售) and the product is left off new product QR sheets
    ProductSwitch {
        /// The product's id, as `product-qr --print-links` lists it
        id: i64,
        /// on or off
        #[arg(value_enum)]
        state: Switch,
    },
    /// Scan a product QR code on a running simulator, as a customer's phone would: the
    /// simulator posts the scan callback to the merchant and prints the order it got
    SimulateScan {
        /// The scanned link (weixin://wxpay/bizpayurl?... or its short link)
        link: Option<String>,
        /// Scan this product id without a link
        #[arg(long, conflicts_with = "link")]
        product_id: Option<String>,
        /// The customer's openid (default: a random one)
        #[arg(long)]
        openid: Option<String>,
        /// Base URL of the simulator (default: the configured gateway_url)
        #[arg(long, value_name = "URL")]
        gateway: Option<String>,
        /// Also pay the order, as the customer confirming on the phone
        #[arg(long)]
        pay: bool,
    },
    /// Print the printer test page (打印测试页) on the printer of the [printer] table
    PrintTest,
    /// Print the checkout slip (结账小票) of an unpaid order, with its payment QR code and
    /// expiry time; the QR code contains the short link when shorturl succeeds
    PrintSlip {
        out_trade_no: String,
        /// Save the slip as a PDF in the receipt folder instead of printing it
        #[arg(long)]
        pdf: bool,
    },
    /// Refund part or all of a paid order (申请退款); needs the merchant API certificate.
    /// Exits 3 when the refund is still processing or its outcome is unknown
    Refund {
        out_trade_no: String,
        /// Amount to refund in yuan, for example 5.00
        #[arg(long, value_name = "YUAN")]
        amount: String,
        /// Reason shown to the payer (at most 80 characters)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Ask the gateway about refunds (查询退款) by out_refund_no or out_trade_no, record
    /// their outcome and print the order's refunds
    RefundQuery {
        /// An out_refund_no (one refund) or out_trade_no (every refund of the order)
        number: String,
    },
    /// Write the orders of a date range as CSV or XLSX, or the day-end report (日结报表) as PDF
    Report(ReportArgs),
    /// Print a paid order's receipt again, as it was first printed
    Reprint {
        out_trade_no: String,
        /// Save the receipt as a PDF in the receipt folder (the default without a printer)
        #[arg(long, conflicts_with = "printer")]
        pdf: bool,
        /// Print the receipt on the printer of the [printer] table (the default with one)
        #[arg(long)]
        printer: bool,
    },
    /// Download WeChat's bill of a day (Beijing time), compare it with the local payments and
    /// refunds, and print the differences. Exit codes: 3 on differences, 4 when there is no
    /// bill, 5 while WeChat is still making it
    Bill {
        /// The day, as YYYY-MM-DD
        #[arg(long, value_parser = bill::parse_date_arg)]
        date: chrono::NaiveDate,
        /// ALL (payments and refunds), SUCCESS (payments only) or REFUND (refunds only)
        #[arg(long = "type", value_name = "TYPE", default_value = "ALL", value_parser = bill::parse_bill_type_arg)]
        bill_type: crate::protocol::bill::BillType,
        /// Also write the differences to this CSV file (UTF-8 with BOM)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    match text {
        "zh-CN" | "zh" => Ok(Lang::ZhCn),
        "en" => Ok(Lang::En),
        other => Err(format!("unknown language {other:?}; use zh-CN or en")),
    }
}
