//! The headless commands.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};

use super::demo_guard::reject_while_till_runs;
use super::{CliCommand, EXIT_NOT_PAID};
use crate::app::{ListenerMode, Services, configured_merchant, start_services};
use crate::config::{AppDirs, Settings};
use crate::money::Fen;
use crate::printer;
use crate::receipt::{ReceiptModel, write_model_pdf};
use crate::simulator::{self, SimulatorConfig};
use crate::store::{OrderState, Store};

/// Runs one headless command to completion inside the tokio runtime.
pub async fn run_headless(
    command: CliCommand,
    settings: Settings,
    dirs: AppDirs,
) -> anyhow::Result<ExitCode> {
    match command {
        CliCommand::Charge { amount, body, wait } => {
            charge(&settings, &dirs, &amount, &body, wait).await
        }
        CliCommand::Query { out_trade_no } => {
            let services = start_services(&settings, &dirs, ListenerMode::DemoOnly).await?;
            if let Some(refused) =
                reject_while_till_runs(&services, "本次没有查询", "nothing was queried")
            {
                return Ok(refused);
            }
            let state = services.service.query_and_confirm(&out_trade_no).await?;
            services.service.finish_receipts().await;
            print_order(&services, &out_trade_no, state).await?;
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Close { out_trade_no } => {
            let services = start_services(&settings, &dirs, ListenerMode::DemoOnly).await?;
            if let Some(refused) =
                reject_while_till_runs(&services, "本次没有关闭订单", "no order was closed")
            {
                return Ok(refused);
            }
            let state = services.service.cancel(&out_trade_no).await?;
            services.service.finish_receipts().await;
            print_order(&services, &out_trade_no, state).await?;
            // A paid order cannot be closed; scripts learn that from the exit code.
            Ok(if state == OrderState::Closed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_NOT_PAID)
            })
        }
        CliCommand::Listen => listen(&settings, &dirs).await,
        CliCommand::Simulator {
            addr,
            time_scale,
            scan_url,
            secapi_addr,
            tls_dir,
            state,
        } => {
            let tls_dir = tls_dir.unwrap_or_else(|| dirs.data_dir.join("simulator-tls"));
            let addrs = (addr, secapi_addr);
            run_simulator(&settings, addrs, time_scale, scan_url, &tls_dir, state).await
        }
        CliCommand::ProductQr {
            output,
            layout,
            label_size,
            ids,
            print_links,
            long_links,
        } => {
            let options = super::product_qr::ProductQrOptions {
                output,
                layout,
                label_size,
                ids,
                print_links,
                long_links,
            };
            super::product_qr::product_qr(&settings, &dirs, &options).await
        }
        CliCommand::ProductSwitch { id, state } => {
            super::product_qr::product_switch(&settings, &dirs, id, state)
        }
        CliCommand::SimulateScan {
            link,
            product_id,
            openid,
            gateway,
            pay,
        } => {
            let options = super::product_qr::SimulateScanOptions {
                link,
                product_id,
                openid,
                gateway,
                pay,
            };
            super::product_qr::simulate_scan(&settings, &options).await
        }
        CliCommand::SimulatePay {
            out_trade_no,
            gateway,
        } => simulate_pay(&settings, &out_trade_no, gateway).await,
        CliCommand::PrintTest => print_test(&settings).await,
        CliCommand::Refund {
            out_trade_no,
            amount,
            reason,
        } => super::refund::refund(&settings, &dirs, &out_trade_no, &amount, &reason).await,
        CliCommand::RefundQuery { number } => {
            super::refund::refund_query(&settings, &dirs, &number).await
        }
        CliCommand::Report(args) => super::report::run_report(args, &settings, &dirs).await,
        CliCommand::PrintSlip { out_trade_no, pdf } => {
            print_slip(&settings, &dirs, &out_trade_no, pdf).await
        }
        CliCommand::Reprint {
            out_trade_no,
            pdf,
            printer,
        } => {
            let to_printer = printer || (!pdf && settings.printer.is_enabled());
            reprint(&settings, &dirs, &out_trade_no, to_printer).await
        }
        CliCommand::Bill {
            date,
            bill_type,
            out,
        } => super::bill::run_bill(&settings, &dirs, date, bill_type, out).await,
    }
}

async fn charge(
    settings: &Settings,
    dirs: &AppDirs,
    amount: &str,
    body: &str,
    wait: bool,
) -> anyhow::Result<ExitCode> {
    let amount = Fen::parse_yuan(amount).context("invalid amount")?;
    if crate::orders::truncate_body(body.trim()).len() < body.trim().len() {
        eprintln!(
            "warning: the description is longer than {} bytes and is cut to fit WeChat's body field",
            crate::orders::MAX_BODY_BYTES
        );
    }
    let services = start_services(settings, dirs, ListenerMode::DemoOnly).await?;
    if let Some(refused) =
        reject_while_till_runs(&services, "本次没有创建订单", "no order was created")
    {
        return Ok(refused);
    }
    let mut events = services.service.subscribe();
    let order = services.service.charge(amount, body).await?;

    println!("out_trade_no: {}", order.out_trade_no);
    println!("code_url: {}", order.code_url);
    println!("amount: {}", order.amount);
    let expires_at = order
        .expires_at
        .with_timezone(&crate::protocol::messages::beijing());
    println!("expires_at: {}", expires_at.to_rfc3339());
    if let Some(simulator) = &services.simulator {
        println!(
            "demo mode: pay with `curl -X POST {}/sim/orders/{}/pay`",
            simulator.base_url(),
            order.out_trade_no
        );
    }
    if !wait {
        return Ok(ExitCode::SUCCESS);
    }

    loop {
        let state = services
            .service
            .order(&order.out_trade_no)
            .await?
            .map(|record| record.state)
            .unwrap_or(OrderState::Failed);
        if !state.is_open() {
            services.service.finish_receipts().await;
            print_order(&services, &order.out_trade_no, state).await?;
            return Ok(if state == OrderState::Paid {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(EXIT_NOT_PAID)
            });
        }
        // The poller and the listener publish every committed change; the timeout re-reads
        // the store in case an event was missed.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), events.recv()).await;
    }
}

async fn print_order(
    services: &Services,
    out_trade_no: &str,
    state: OrderState,
) -> anyhow::Result<()> {
    println!("state: {}", state.as_str());
    if let Some(order) = services.service.order(out_trade_no).await? {
        if let Some(transaction_id) = order.transaction_id {
            println!("transaction_id: {transaction_id}");
        }
        println!("total_fee: {}", order.total_fee);
    }
    Ok(())
}

async fn listen(settings: &Settings, dirs: &AppDirs) -> anyhow::Result<ExitCode> {
    let services = Arc::new(start_services(settings, dirs, ListenerMode::Serve).await?);
    if let Some(listener) = &services.listener {
        println!(
            "listening for payment notifications on {}",
            listener.notify_url()
        );
    }
    if let Some(simulator) = &services.simulator {
        println!("demo mode: gateway simulator at {}", simulator.base_url());
    }
    if let Some(listener) = &services.listener {
        println!(
            "scan callbacks (Native mode 1) are answered on {}",
            listener.scan_url()
        );
    }
    let resumed = services.service.resume_open_orders().await;
    tracing::info!(resumed, "open orders reconciled");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    tracing::info!("listener stopping");
    Ok(ExitCode::SUCCESS)
}

/// Runs the simulator on `addrs`: the gateway address, then the refund (TLS) address.
async fn run_simulator(
    settings: &Settings,
    addrs: (std::net::SocketAddr, std::net::SocketAddr),
    time_scale: f64,
    scan_url: Option<String>,
    tls_dir: &std::path::Path,
    state_file: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    let (addr, secapi_addr) = addrs;
    for address in [addr, secapi_addr] {
        if !address.ip().is_loopback() {
            bail!(
                "the simulator only listens on loopback addresses such as 127.0.0.1, not {address}"
            );
        }
    }
    let merchant = configured_merchant(settings);
    let mut config = SimulatorConfig::new(vec![merchant.clone()]);
    config.time_scale = time_scale;
    config.state_file = state_file.clone();
    let scan_url = scan_url.or_else(|| settings.merchant.as_ref().and_then(|m| m.scan_url.clone()));
    if let Some(scan_url) = &scan_url {
        config
            .scan_callback_urls
            .insert(merchant.mch_id.clone(), scan_url.clone());
    }
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let handle = simulator::serve(tcp, config).await?;
    println!("gateway simulator listening on {}", handle.base_url());
    match &state_file {
        Some(path) if handle.state().is_persistent() => {
            println!("trades are kept in {}", path.display());
        }
        Some(path) => println!(
            "another process holds {}; trades were loaded from it but are kept in memory only",
            path.display()
        ),
        None => {
            println!("trades are kept in memory for this run only (pass --state PATH to keep them)")
        }
    }
    println!(
        "merchant appid={} mch_id={}",
        merchant.appid, merchant.mch_id
    );
    match &scan_url {
        Some(scan_url) => println!("scan callbacks (mode 1) go to {scan_url}"),
        None => println!("no scan callback URL: pass --scan-url to use /sim/scan"),
    }
    let _secapi =
        super::refund::start_simulator_secapi(&handle, &merchant, secapi_addr, tls_dir).await?;
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Returns the simulator address for `command`: `--gateway`, or else the configured
/// `gateway_url`. Anything not on this machine is rejected, so a simulator control can never
/// reach a real gateway.
pub(super) fn simulator_base(
    settings: &Settings,
    gateway: Option<String>,
    command: &str,
) -> anyhow::Result<String> {
    let configured = settings
        .merchant
        .as_ref()
        .map(|merchant| merchant.gateway_url.clone());
    let Some(base) = gateway.or(configured) else {
        bail!("no simulator address: pass --gateway http://127.0.0.1:PORT");
    };
    if !is_loopback_url(&base) {
        bail!(
            "{command} only talks to a simulator on this machine (127.0.0.1, localhost or [::1]), not {base}"
        );
    }
    Ok(base)
}

async fn simulate_pay(
    settings: &Settings,
    out_trade_no: &str,
    gateway: Option<String>,
) -> anyhow::Result<ExitCode> {
    let base = simulator_base(settings, gateway, "simulate-pay")?;
    crate::gateway::install_crypto_provider();
    let url = format!(
        "{}/sim/orders/{}/pay",
        base.trim_end_matches('/'),
        out_trade_no
    );
    let response = reqwest::Client::new()
        .post(&url)
        .send()
        .await
        .with_context(|| format!("cannot reach the simulator at {base}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    println!("{}", text.trim_end());
    if status.is_success() {
        Ok(ExitCode::SUCCESS)
    } else {
        bail!("the simulator refused to pay {out_trade_no}: HTTP {status}")
    }
}

async fn print_test(settings: &Settings) -> anyhow::Result<ExitCode> {
    printer::print_test_page(&settings.printer).await?;
    println!(
        "test page sent to {}",
        settings.printer.target_description()
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints the checkout slip of an unpaid order, or saves it as a PDF with `--pdf` or when no
/// printer is configured.
async fn print_slip(
    settings: &Settings,
    dirs: &AppDirs,
    out_trade_no: &str,
    pdf: bool,
) -> anyhow::Result<ExitCode> {
    let services = start_services(settings, dirs, ListenerMode::DemoOnly).await?;
    let order = services.service.order(out_trade_no).await?.ok_or_else(|| {
        printer::JobError::OrderNotFound {
            out_trade_no: out_trade_no.to_owned(),
        }
    })?;
    let qr_payload = match &order.code_url {
        Some(code_url) => printer::short_link(services.service.gateway(), code_url).await,
        None => String::new(),
    };
    let shop = printer::ShopDetails::from_settings(settings);
    let model = printer::checkout_slip_model(&order, qr_payload, &shop)?;

    let to_printer = !pdf && settings.printer.is_enabled();
    let receipt_dir = services.service.options().receipt_dir.clone();
    output_model(settings, model, to_printer, receipt_dir).await?;
    Ok(ExitCode::SUCCESS)
}

/// Prints a paid order's receipt again from the stored order, payment and receipt rows.
async fn reprint(
    settings: &Settings,
    dirs: &AppDirs,
    out_trade_no: &str,
    to_printer: bool,
) -> anyhow::Result<ExitCode> {
    let database_path = crate::app::database_path(settings, dirs);
    let shop = printer::ShopDetails::from_settings(settings);
    let key = out_trade_no.to_owned();
    let model = tokio::task::spawn_blocking(move || {
        let store = Store::open(&database_path)
            .with_context(|| format!("cannot open the database {}", database_path.display()))?;
        Ok::<_, anyhow::Error>(printer::paid_receipt_from_store(&store, &key, &shop)?)
    })
    .await
    .context("the database task stopped unexpectedly")??;

    output_model(
        settings,
        model,
        to_printer,
        crate::app::receipt_dir(settings, dirs),
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `model` on the configured printer, or writes its PDF to `receipt_dir`.
async fn output_model(
    settings: &Settings,
    model: ReceiptModel,
    to_printer: bool,
    receipt_dir: PathBuf,
) -> anyhow::Result<()> {
    if to_printer {
        printer::print_receipt(&settings.printer, &model).await?;
        println!(
            "{} sent to {}",
            model.out_trade_no,
            settings.printer.target_description()
        );
        return Ok(());
    }
    let path = tokio::task::spawn_blocking(move || write_model_pdf(&model, &receipt_dir))
        .await
        .context("the PDF task stopped unexpectedly")??;
    println!("{}", path.display());
    Ok(())
}

/// True for `http://` URLs whose host is a loopback address.
pub(super) fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    host == "localhost"
        || host == "127.0.0.1"
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_url;

    #[test]
    fn only_loopback_simulators_are_paid() {
        assert!(is_loopback_url("http://127.0.0.1:7878"));
        assert!(is_loopback_url("http://localhost:7878/"));
        assert!(is_loopback_url("http://[::1]:7878"));
        assert!(!is_loopback_url("https://127.0.0.1:7878"));
        assert!(!is_loopback_url("http://10.0.0.1:7878"));
        assert!(!is_loopback_url("http://example.com"));
    }
}
