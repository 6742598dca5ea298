//! wxpay-pos entry point: parses the command line, sets up logging and the tokio runtime,
//! then opens the cashier window or runs a headless command.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use tracing_subscriber::EnvFilter;

use wxpay_pos::app::{ListenerMode, error_chain, run_commands, start_services};
use wxpay_pos::cli::{Cli, run_headless};
use wxpay_pos::config::{AppDirs, Settings};
use wxpay_pos::i18n::Lang;
use wxpay_pos::ui::bridge::{SettingsForm, bridge_pair};
use wxpay_pos::ui::{CashierApp, CashierOptions, CustomerMonitor, install_fonts};

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour codes only help a terminal; in a log file they are noise.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", error_chain(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dirs = AppDirs::platform();
    let settings = Settings::load(cli.config.as_deref(), &dirs)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    match cli.command {
        Some(command) => runtime.block_on(run_headless(command, settings, dirs)),
        None => {
            let lang = cli
                .lang
                .or(settings.ui.language)
                .unwrap_or_else(Lang::system_default);
            let settings_file = cli
                .config
                .clone()
                .unwrap_or_else(|| dirs.config_file.clone());
            run_window(&runtime, settings, dirs, settings_file, lang)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Starts the services, then runs the cashier window on the main thread until it closes.
fn run_window(
    runtime: &tokio::runtime::Runtime,
    settings: Settings,
    dirs: AppDirs,
    settings_file: std::path::PathBuf,
    lang: Lang,
) -> anyhow::Result<()> {
    let services =
        Arc::new(runtime.block_on(start_services(&settings, &dirs, ListenerMode::Serve))?);
    // Charges wait until every open order left from the last run has been reconciled.
    {
        let _entered = runtime.enter();
        services.service.start_reconciliation();
    }

    let mut options = CashierOptions {
        demo_mode: services.is_demo(),
        lang,
        merchant_name: settings.shop.name.clone(),
        customer_monitor: None,
        settings: SettingsForm::from_settings(&settings, lang),
        printer_summary: settings
            .printer
            .is_enabled()
            .then(|| settings.printer.target_description()),
    };
    let native_options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("wxpay-pos 收银台")
            .with_inner_size([1024.0, 768.0])
            .with_min_inner_size([640.0, 480.0]),
        ..Default::default()
    };
    let handle = runtime.handle().clone();
    eframe::run_native(
        "wxpay-pos",
        native_options,
        Box::new(move |creation| {
            install_fonts(&creation.egui_ctx);
            options.customer_monitor = creation.winit_window().and_then(|window| {
                // The customer's monitor is the first one that the cashier window is not on.
                let current = window.current_monitor();
                let monitors: Vec<_> = window.available_monitors().collect();
                tracing::info!(monitors = monitors.len(), "monitors found");
                if monitors.len() < 2 {
                    return None;
                }
                let index = monitors
                    .iter()
                    .position(|monitor| Some(monitor) != current.as_ref())?;
                let monitor = &monitors[index];
                let size = monitor.size().to_logical::<f32>(monitor.scale_factor());
                tracing::info!(
                    index,
                    name = monitor.name().unwrap_or_default(),
                    width = size.width,
                    height = size.height,
                    "customer display monitor"
                );
                Some(CustomerMonitor {
                    index,
                    size: egui::vec2(size.width, size.height),
                })
            });
            let (ui_bridge, runner_bridge) = bridge_pair();
            let ctx = creation.egui_ctx.clone();
            let repaint: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
            handle.spawn(run_commands(
                runner_bridge,
                services,
                Some(settings_file),
                repaint,
            ));
            Ok(Box::new(CashierApp::new(ui_bridge, options)))
        }),
    )
    .map_err(|err| anyhow::anyhow!("the cashier window failed: {err}"))
}
