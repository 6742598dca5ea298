//! Runs the manager screen's commands: checks the manager PIN against the configuration file,
//! queries the store, writes exports and prints the day-end report. Every method blocks
//! (SQLite, PBKDF2, files, the printer), so the runner calls them on the blocking pool.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::NaiveDate;

use super::runner::error_chain;
use crate::config::Settings;
use crate::i18n::{Lang, refund_error_text};
use crate::orders::PaymentService;
use crate::pin::{PinCheck, PinGuard};
use crate::printer::PrinterSettings;
use crate::reconcile::text::failure_text;
use crate::reconcile::{differences_csv, latest_reconciliation, reconcile_day};
use crate::report::{
    DayEndReport, ReportError, day_end_pdf, local_offset_secs, local_range, print_day_end_blocking,
    range_file_stem, rows_to_csv, rows_to_xlsx, write_report_file,
};
use crate::store::{ListQuery, Store};
use crate::ui::bridge::{ExportKind, ManagerCommand, ManagerUpdate};

/// The store, files and printer of the manager commands, with the PIN lockout and session
/// state.
pub struct ManagerBackend {
    store: Store,
    /// The configuration file holding `[manager] pin_hash`; read at every PIN check so a PIN
    /// changed in the settings screen applies at once. `None`: no PIN, the screen stays shut.
    settings_file: Option<PathBuf>,
    export_dir: PathBuf,
    /// The printer for the day-end report. The runner replaces it with the service's printer
    /// before each command, so a printer saved in the settings applies at once.
    printer: Mutex<PrinterSettings>,
    shop_name: String,
    guard: Mutex<PinGuard>,
    /// Set by a right PIN and cleared by [`ManagerCommand::Lock`]; data commands need it.
    unlocked: AtomicBool,
}

impl ManagerBackend {
    /// Creates the backend. Exports go to `export_dir` (the receipt folder).
    pub fn new(
        store: Store,
        settings_file: Option<PathBuf>,
        export_dir: PathBuf,
        printer: PrinterSettings,
        shop_name: String,
    ) -> ManagerBackend {
        ManagerBackend {
            store,
            settings_file,
            export_dir,
            printer: Mutex::new(printer),
            shop_name,
            guard: Mutex::new(PinGuard::default()),
            unlocked: AtomicBool::new(false),
        }
    }

    /// Runs a command that calls WeChat Pay ([`is_gateway_command`]): a refund or a bill
    /// reconciliation. Like every data command it needs an unlocked session.
    pub async fn handle_gateway(
        &self,
        command: ManagerCommand,
        service: &PaymentService,
    ) -> ManagerUpdate {
        if !self.unlocked.load(Ordering::SeqCst) {
            return ManagerUpdate::Failed {
                detail: "请先输入店长密码。Enter the manager PIN first.".to_owned(),
            };
        }
        match command {
            ManagerCommand::Refund {
                out_trade_no,
                amount,
                reason,
            } => match service.refund(&out_trade_no, amount, &reason).await {
                Ok(refund) => {
                    tracing::info!(
                        out_trade_no,
                        out_refund_no = %refund.out_refund_no,
                        refund_fee = amount.fen(),
                        "refund made from the manager screen"
                    );
                    ManagerUpdate::Refunded {
                        out_trade_no,
                        amount,
                        state: refund.state,
                    }
                }
                Err(err) => {
                    // A rejected request (over-refund, unpaid order) is the manager's input,
                    // not a fault of the app.
                    if matches!(err, crate::orders::RefundError::Request(_)) {
                        tracing::warn!(out_trade_no, error = %error_chain(&err), "refund rejected");
                    } else {
                        tracing::error!(out_trade_no, error = %error_chain(&err), "refund failed");
                    }
                    ManagerUpdate::FailedIn {
                        zh: refund_error_text(Lang::ZhCn, &err),
                        en: refund_error_text(Lang::En, &err),
                    }
                }
            },
            ManagerCommand::Reconcile { date } => {
                match reconcile_day(service.gateway(), service.store(), date).await {
                    Ok(summary) => ManagerUpdate::Reconciled(Box::new(summary)),
                    Err(err) => {
                        tracing::error!(%date, error = %error_chain(&err), "reconciliation failed");
                        match err.bill_failure() {
                            Some(failure) => ManagerUpdate::FailedIn {
                                zh: failure_text(Lang::ZhCn, failure).to_owned(),
                                en: failure_text(Lang::En, failure).to_owned(),
                            },
                            None => ManagerUpdate::Failed {
                                detail: error_chain(&err),
                            },
                        }
                    }
                }
            }
            other => ManagerUpdate::Failed {
                detail: format!("{other:?} is not a gateway command"),
            },
        }
    }

    /// Replaces the printer the day-end report goes to.
    pub fn set_printer(&self, printer: PrinterSettings) {
        *self
            .printer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = printer;
    }

    fn printer(&self) -> PrinterSettings {
        self.printer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Runs one command and returns its update; [`ManagerCommand::Lock`] has none.
    pub fn handle(&self, command: ManagerCommand) -> Option<ManagerUpdate> {
        if command == ManagerCommand::Lock {
            self.unlocked.store(false, Ordering::SeqCst);
            return None;
        }
        Some(self.handle_request(command))
    }

    fn handle_request(&self, command: ManagerCommand) -> ManagerUpdate {
        match command {
            ManagerCommand::Unlock { pin } => self.unlock(&pin),
            ManagerCommand::Lock => ManagerUpdate::Failed {
                detail: String::new(),
            },
            _ if !self.unlocked.load(Ordering::SeqCst) => ManagerUpdate::Failed {
                detail: "请先输入店长密码。Enter the manager PIN first.".to_owned(),
            },
            ManagerCommand::Load {
                request,
                from,
                to,
                query,
            } => self.load(request, from, to, &query).unwrap_or_else(failed),
            ManagerCommand::LoadDetail { out_trade_no } => {
                match self.store.order_detail(&out_trade_no) {
                    Ok(Some(detail)) => ManagerUpdate::Detail(Box::new(detail)),
                    Ok(None) => ManagerUpdate::Failed {
                        detail: format!(
                            "找不到订单 {out_trade_no}。Order {out_trade_no} was not found."
                        ),
                    },
                    Err(err) => failed(ReportError::Store(err)),
                }
            }
            ManagerCommand::Export {
                from,
                to,
                query,
                kind,
            } => self.export(from, to, &query, kind).unwrap_or_else(failed),
            ManagerCommand::ExportDifferences { date } => {
                self.export_differences(date).unwrap_or_else(failed)
            }
            ManagerCommand::Refund { .. } | ManagerCommand::Reconcile { .. } => {
                ManagerUpdate::Failed {
                    detail: "this command calls the gateway; use handle_gateway".to_owned(),
                }
            }
            ManagerCommand::PrintDayEnd { from, to } => {
                let printed = DayEndReport::load(&self.store, &self.shop_name, from, to)
                    .and_then(|report| print_day_end_blocking(&report, &self.printer()));
                match printed {
                    Ok(()) => ManagerUpdate::DayEndPrinted,
                    Err(err) => failed(err),
                }
            }
        }
    }

    fn unlock(&self, pin: &str) -> ManagerUpdate {
        let stored = match self.pin_hash() {
            Ok(stored) if stored.is_empty() => return ManagerUpdate::PinNotSet,
            Ok(stored) => stored,
            Err(detail) => return ManagerUpdate::Failed { detail },
        };
        let mut guard = self
            .guard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match guard.check(pin, &stored, Instant::now()) {
            Ok(PinCheck::Accepted) => {
                self.unlocked.store(true, Ordering::SeqCst);
                tracing::info!("manager screen opened");
                ManagerUpdate::Unlocked
            }
            Ok(PinCheck::Rejected { attempts_left }) => {
                tracing::warn!(attempts_left, "wrong manager PIN");
                ManagerUpdate::PinRejected { attempts_left }
            }
            Ok(PinCheck::Locked { retry_after_secs }) => {
                tracing::warn!(retry_after_secs, "manager PIN entry locked");
                ManagerUpdate::PinLocked { retry_after_secs }
            }
            Err(err) => {
                tracing::error!(error = %err, "manager PIN hash in the configuration is invalid");
                ManagerUpdate::PinHashInvalid
            }
        }
    }

    /// Reads `[manager] pin_hash` from the configuration file; empty when there is no file.
    fn pin_hash(&self) -> Result<String, String> {
        let Some(path) = &self.settings_file else {
            return Ok(String::new());
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Settings::parse(&text)
                .map(|settings| settings.manager.pin_hash)
                .map_err(|err| error_chain(&err)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(err) => Err(format!(
                "无法读取配置文件 {}。Cannot read {}: {err}",
                path.display(),
                path.display()
            )),
        }
    }

    fn load(
        &self,
        request: u64,
        from: NaiveDate,
        to: NaiveDate,
        query: &ListQuery,
    ) -> Result<ManagerUpdate, ReportError> {
        let range = local_range(from, to)?;
        let listing = self.store.list_range(range, query)?;
        let (totals, hours) = self
            .store
            .range_summary(range, local_offset_secs(range.from_ms))?;
        Ok(ManagerUpdate::Loaded {
            request,
            listing,
            totals,
            hours: Box::new(hours),
        })
    }

    fn export(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        query: &ListQuery,
        kind: ExportKind,
    ) -> Result<ManagerUpdate, ReportError> {
        let range = local_range(from, to)?;
        let stem = range_file_stem(from, to);
        let (name, bytes) = match kind {
            ExportKind::Csv => (
                format!("orders-{stem}.csv"),
                rows_to_csv(&self.store.export_rows(range, query)?),
            ),
            ExportKind::Xlsx => {
                let rows = self.store.export_rows(range, query)?;
                let totals = self.store.range_totals(range)?;
                (format!("orders-{stem}.xlsx"), rows_to_xlsx(&rows, &totals)?)
            }
            ExportKind::DayEndPdf => {
                let report = DayEndReport::load(&self.store, &self.shop_name, from, to)?;
                (format!("day-end-{stem}.pdf"), day_end_pdf(&report)?)
            }
        };
        let path = write_report_file(&self.export_dir, &name, &bytes)?;
        tracing::info!(path = %path.display(), "manager export written");
        Ok(ManagerUpdate::Exported {
            path: path.display().to_string(),
        })
    }
}

impl ManagerBackend {
    /// Writes the differences of `date`'s latest reconciliation as CSV in the export folder.
    fn export_differences(&self, date: NaiveDate) -> Result<ManagerUpdate, ReportError> {
        let Some(summary) = latest_reconciliation(&self.store, date)? else {
            return Ok(ManagerUpdate::Failed {
                detail: format!(
                    "{date} 还没有对账，请先下载对账单。{date} has not been reconciled yet: download the bill first."
                ),
            });
        };
        let csv = differences_csv(&summary, Lang::ZhCn);
        let name = format!("bill-differences-{}.csv", date.format("%Y%m%d"));
        let path = write_report_file(&self.export_dir, &name, csv.as_bytes())?;
        tracing::info!(path = %path.display(), "bill differences written");
        Ok(ManagerUpdate::Exported {
            path: path.display().to_string(),
        })
    }
}

/// True for the manager commands that call WeChat Pay and so run on the async runtime.
pub fn is_gateway_command(command: &ManagerCommand) -> bool {
    matches!(
        command,
        ManagerCommand::Refund { .. } | ManagerCommand::Reconcile { .. }
    )
}

fn failed(err: ReportError) -> ManagerUpdate {
    tracing::error!(error = %error_chain(&err), "manager command failed");
    ManagerUpdate::Failed {
        detail: error_chain(&err),
    }
}
