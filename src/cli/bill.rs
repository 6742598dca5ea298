//! The `bill` command: downloads WeChat's bill of a day, reconciles it with the local
//! records, prints the result in Chinese and then English, and sets the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::app::{configured_merchant, database_path, demo_gateway_path, start_demo_simulator};
use crate::config::{AppDirs, Settings};
use crate::gateway::GatewayClient;
use crate::i18n::Lang;
use crate::protocol::bill::{BillFailure, BillType};
use crate::reconcile::text::{difference_text, failure_text, summary_text};
use crate::reconcile::{ReconciliationSummary, reconcile_bill, write_differences_csv};
use crate::store::Store;

/// Exit code of `bill` when the bill and the local records differ.
pub const EXIT_BILL_DIFFERENCES: u8 = 3;
/// Exit code of `bill` when WeChat has no bill for the day (no trade, or not made yet) and
/// nothing was recorded here either.
pub const EXIT_NO_BILL: u8 = 4;
/// Exit code of `bill` when WeChat is still making the bill (`Bill Creating`).
pub const EXIT_BILL_CREATING: u8 = 5;

/// Parses `--date`: a day written `YYYY-MM-DD`.
pub(crate) fn parse_date_arg(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        format!("invalid date {text:?}; write it as YYYY-MM-DD, for example 2026-12-04")
    })
}

/// Parses `--type`: ALL, SUCCESS or REFUND, in any letter case.
pub(crate) fn parse_bill_type_arg(text: &str) -> Result<BillType, String> {
    BillType::from_field(&text.to_ascii_uppercase())
        .ok_or_else(|| format!("unknown bill type {text:?}; use ALL, SUCCESS or REFUND"))
}

/// Runs `bill`: exit 0 when everything matches, [`EXIT_BILL_DIFFERENCES`],
/// [`EXIT_NO_BILL`] or [`EXIT_BILL_CREATING`] as documented there, and 1 on any other error.
pub(crate) async fn run_bill(
    settings: &Settings,
    dirs: &AppDirs,
    bill_date: NaiveDate,
    bill_type: BillType,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    // A day still to come has no trades and no bill. Today is let through: WeChat replies
    // for it itself (No Bill Exist or Bill Creating), and the simulator bills it for tests.
    let today = crate::report::report_today();
    if bill_date > today {
        anyhow::bail!(
            "{bill_date} 还没有到，没有账单：请选择 {today}（北京时间）或更早的日期。\n\
             {bill_date} is in the future, so it has no bill. Pick {today} (Beijing time) or earlier."
        );
    }
    let path = database_path(settings, dirs);
    let store = Store::open(&path)
        .with_context(|| format!("cannot open the database {}", path.display()))?;

    // Demo mode loads the demo gateway's saved trades, so its bill lists the payments and
    // refunds of earlier runs.
    let demo_simulator = match &settings.merchant {
        Some(_) => None,
        None => Some(
            start_demo_simulator(
                configured_merchant(settings),
                Some(demo_gateway_path(&path)),
            )
            .await?,
        ),
    };
    let gateway_url = match (&settings.merchant, &demo_simulator) {
        (Some(merchant), _) => merchant.gateway_url.clone(),
        (None, Some(simulator)) => simulator.base_url(),
        (None, None) => anyhow::bail!("no gateway is configured"),
    };
    let gateway = GatewayClient::new(
        &gateway_url,
        configured_merchant(settings),
        settings.client.timeouts(),
    )
    .context("cannot create the gateway client")?;

    let summary = match reconcile_bill(&gateway, &store, bill_date, bill_type).await {
        Ok(summary) => summary,
        Err(err) => {
            let Some(failure) = err.bill_failure() else {
                return Err(err.into());
            };
            for lang in Lang::ALL {
                eprintln!("{}", failure_text(lang, failure));
            }
            eprintln!("({})", crate::app::error_chain(&err));
            return Ok(if *failure == BillFailure::BillCreating {
                ExitCode::from(EXIT_BILL_CREATING)
            } else {
                ExitCode::FAILURE
            });
        }
    };

    print_summary(&summary);
    if let Some(out) = &out {
        write_csv(&summary, out)?;
    }
    if !summary.bill_found && summary.is_clean() {
        for lang in Lang::ALL {
            println!("{}", failure_text(lang, &BillFailure::NoBillExist));
        }
        return Ok(ExitCode::from(EXIT_NO_BILL));
    }
    Ok(if summary.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BILL_DIFFERENCES)
    })
}

fn print_summary(summary: &ReconciliationSummary) {
    for lang in Lang::ALL {
        println!("{}", summary_text(lang, summary));
    }
    for difference in &summary.differences {
        println!("{}", difference_text(Lang::ZhCn, difference));
        println!("  {}", difference_text(Lang::En, difference));
    }
}

fn write_csv(summary: &ReconciliationSummary, out: &Path) -> anyhow::Result<()> {
    write_differences_csv(summary, Lang::ZhCn, out)
        .with_context(|| format!("cannot write the differences to {}", out.display()))?;
    println!("差异已导出 / differences written: {}", out.display());
    Ok(())
}
