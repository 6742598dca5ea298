//! The command line: the cashier window by default, and headless commands for scripts and
//! operators that use the same configuration file.

mod commands;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::i18n::Lang;

pub use commands::run_headless;
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
    },
    /// Pay an order on a running simulator, as a customer's phone would
    SimulatePay {
        out_trade_no: String,
        /// Base URL of the simulator (default: the configured gateway_url)
        #[arg(long, value_name = "URL")]
        gateway: Option<String>,
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
}

fn parse_lang(text: &str) -> Result<Lang, String> {
    match text {
        "zh-CN" | "zh" => Ok(Lang::ZhCn),
        "en" => Ok(Lang::En),
        other => Err(format!("unknown language {other:?}; use zh-CN or en")),
    }
}
