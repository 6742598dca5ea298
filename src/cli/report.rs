//! `wxpay-pos report`: the orders of a date range as CSV or XLSX, or the day-end report as a
//! PDF, written to a file; `--print` also sends the day-end report to the receipt printer.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use chrono::NaiveDate;

use crate::config::{AppDirs, Settings};
use crate::report::{
    DayEndReport, day_end_pdf, local_range, print_day_end_blocking, range_file_stem, rows_to_csv,
    rows_to_xlsx, write_report_file,
};
use crate::store::{ListQuery, Store};

/// File format of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Orders and refunds, UTF-8 CSV with a byte order mark
    Csv,
    /// Orders and refunds with a totals sheet, Excel workbook
    Xlsx,
    /// The day-end report (日结报表)
    Pdf,
}

impl ReportFormat {
    fn extension(self) -> &'static str {
        match self {
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Pdf => "pdf",
        }
    }
}

/// Arguments of `report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// First local date of the report, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: NaiveDate,
    /// Last local date of the report, inclusive (default: the same as --date)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
    /// File format
    #[arg(long, value_enum, default_value_t = ReportFormat::Pdf)]
    pub format: ReportFormat,
    /// File to write (default: the receipt folder, named after the dates)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also print the day-end report on the printer of the [printer] table
    #[arg(long)]
    pub print: bool,
}

/// Writes the report file, prints its path, and prints the day-end report when asked.
pub async fn run_report(
    args: ReportArgs,
    settings: &Settings,
    dirs: &AppDirs,
) -> anyhow::Result<ExitCode> {
    let to = args.to.unwrap_or(args.date);
    let range = local_range(args.date, to)?;
    let database_path = crate::app::database_path(settings, dirs);
    if !database_path.exists() {
        bail!(
            "数据库 {} 不存在，还没有订单。The database {} does not exist yet, so there are no orders.",
            database_path.display(),
            database_path.display()
        );
    }
    let default_dir = crate::app::receipt_dir(settings, dirs);
    let shop_name = settings.shop.name.clone();
    let printer = settings.printer.clone();

    let from = args.date;
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let store = Store::open(&database_path)
            .with_context(|| format!("cannot open the database {}", database_path.display()))?;
        let bytes = match args.format {
            ReportFormat::Csv => rows_to_csv(&store.export_rows(range, &ListQuery::default())?),
            ReportFormat::Xlsx => {
                let rows = store.export_rows(range, &ListQuery::default())?;
                rows_to_xlsx(&rows, &store.range_totals(range)?)?
            }
            ReportFormat::Pdf => day_end_pdf(&DayEndReport::load(&store, &shop_name, from, to)?)?,
        };
        let prefix = match args.format {
            ReportFormat::Pdf => "day-end",
            ReportFormat::Csv | ReportFormat::Xlsx => "orders",
        };
        let default_name = format!(
            "{prefix}-{}.{}",
            range_file_stem(from, to),
            args.format.extension()
        );
        let (dir, name) = split_out_path(args.out.as_deref(), &default_dir, &default_name)?;
        let path = write_report_file(&dir, &name, &bytes)?;
        // The file is written whatever the printer does, so its path comes first.
        println!("{}", path.display());

        if args.print {
            let report = DayEndReport::load(&store, &shop_name, from, to)?;
            print_day_end_blocking(&report, &printer)?;
        }
        Ok(())
    })
    .await
    .context("the report task failed")??;

    Ok(ExitCode::SUCCESS)
}

/// Splits `--out` into a folder and a file name, or uses the default folder and name.
fn split_out_path(
    out: Option<&Path>,
    default_dir: &Path,
    default_name: &str,
) -> anyhow::Result<(PathBuf, String)> {
    let Some(out) = out else {
        return Ok((default_dir.to_path_buf(), default_name.to_owned()));
    };
    let name = out
        .file_name()
        .and_then(|name| name.to_str())
        .with_context(|| format!("--out {} has no file name", out.display()))?;
    let dir = out
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok((dir.to_path_buf(), name.to_owned()))
}
