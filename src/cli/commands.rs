//! The headless commands.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};

use super::{CliCommand, EXIT_NOT_PAID};
use crate::app::{ListenerMode, Services, configured_merchant, start_services};
use crate::config::{AppDirs, Settings};
use crate::money::Fen;
use crate::simulator::{self, SimulatorConfig};
use crate::store::OrderState;

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
            let state = services.service.query_and_confirm(&out_trade_no).await?;
            print_order(&services, &out_trade_no, state).await?;
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Close { out_trade_no } => {
            let services = start_services(&settings, &dirs, ListenerMode::DemoOnly).await?;
            let state = services.service.cancel(&out_trade_no).await?;
            print_order(&services, &out_trade_no, state).await?;
            Ok(ExitCode::SUCCESS)
        }
        CliCommand::Listen => listen(&settings, &dirs).await,
        CliCommand::Simulator { addr, time_scale } => {
            run_simulator(&settings, addr, time_scale).await
        }
        CliCommand::SimulatePay {
            out_trade_no,
            gateway,
        } => simulate_pay(&settings, &out_trade_no, gateway).await,
    }
}

async fn charge(
    settings: &Settings,
    dirs: &AppDirs,
    amount: &str,
    body: &str,
    wait: bool,
) -> anyhow::Result<ExitCode> {
    let amount = Fen::parse_yuan(amount).with_context(|| format!("invalid amount {amount:?}"))?;
    let services = start_services(settings, dirs, ListenerMode::DemoOnly).await?;
    let mut events = services.service.subscribe();
    let order = services.service.charge(amount, body).await?;

    println!("out_trade_no: {}", order.out_trade_no);
    println!("code_url: {}", order.code_url);
    println!("amount: {}", order.amount);
    println!("expires_at: {}", order.expires_at.to_rfc3339());
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
    let resumed = services.service.resume_open_orders().await;
    tracing::info!(resumed, "open orders reconciled");
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    tracing::info!("listener stopping");
    Ok(ExitCode::SUCCESS)
}

async fn run_simulator(
    settings: &Settings,
    addr: std::net::SocketAddr,
    time_scale: f64,
) -> anyhow::Result<ExitCode> {
    if !addr.ip().is_loopback() {
        bail!("the simulator only listens on loopback addresses such as 127.0.0.1, not {addr}");
    }
    let merchant = configured_merchant(settings);
    let mut config = SimulatorConfig::new(vec![merchant.clone()]);
    config.time_scale = time_scale;
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let handle = simulator::serve(tcp, config).await?;
    println!("gateway simulator listening on {}", handle.base_url());
    println!(
        "merchant appid={} mch_id={}",
        merchant.appid, merchant.mch_id
    );
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn simulate_pay(
    settings: &Settings,
    out_trade_no: &str,
    gateway: Option<String>,
) -> anyhow::Result<ExitCode> {
    let base = match gateway.or_else(|| {
        settings
            .merchant
            .as_ref()
            .map(|merchant| merchant.gateway_url.clone())
    }) {
        Some(base) => base,
        None => bail!("no simulator address: pass --gateway http://127.0.0.1:PORT"),
    };
    if !is_loopback_url(&base) {
        bail!(
            "simulate-pay only talks to a simulator on this machine (127.0.0.1, localhost or [::1]), not {base}"
        );
    }
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

/// True for `http://` URLs whose host is a loopback address.
fn is_loopback_url(url: &str) -> bool {
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
