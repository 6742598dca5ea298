//! The `refund` and `refund-query` commands. Messages print in Chinese, then English.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::app::{ListenerMode, Services, start_services};
use crate::config::{AppDirs, Settings};
use crate::i18n::{Lang, amount_error_text, refund_error_text, refund_state_text};
use crate::money::Fen;
use crate::orders::RefundError;
use crate::store::{RefundRecord, RefundState};

/// Starts the standalone simulator's refund port and writes the certificate files a
/// merchant configuration points at, printing the keys to set.
pub(super) async fn start_simulator_secapi(
    simulator: &crate::simulator::SimulatorHandle,
    merchant: &crate::protocol::Merchant,
    addr: std::net::SocketAddr,
    tls_dir: &std::path::Path,
) -> anyhow::Result<crate::simulator::SecapiHandle> {
    let tls = crate::simulator::SimulatorTls::generate(&merchant.mch_id)
        .context("cannot make the simulator's certificates")?;
    let files = tls
        .write_files(tls_dir)
        .with_context(|| format!("cannot write certificates to {}", tls_dir.display()))?;
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let secapi = crate::simulator::serve_secapi(tcp, simulator.state().clone(), &tls).await?;
    println!(
        "refund API (HTTPS, client certificate required) on {}",
        secapi.base_url()
    );
    println!("for a [merchant] configuration that refunds through this simulator:");
    println!("  secapi_url = \"{}\"", secapi.base_url());
    println!("  gateway_ca_pem = \"{}\"", files.ca_pem.display());
    println!(
        "  cert_p12 = \"{}\"  # password: the mch_id",
        files.client_p12.display()
    );
    println!(
        "  # or: cert_pem = \"{}\", key_pem = \"{}\"",
        files.client_cert_pem.display(),
        files.client_key_pem.display()
    );
    Ok(secapi)
}

/// Exit code when the refund was sent but has not completed yet (processing, or its
/// outcome is unknown). A script should then run `refund-query` later.
pub const EXIT_REFUND_PENDING: u8 = 3;

/// Refunds `amount` yuan of a paid order and prints the refund.
pub(super) async fn refund(
    settings: &Settings,
    dirs: &AppDirs,
    out_trade_no: &str,
    amount: &str,
    reason: &str,
) -> anyhow::Result<ExitCode> {
    let refund_fee = match Fen::parse_yuan(amount) {
        Ok(fee) => fee,
        Err(err) => {
            eprintln!("{}", amount_error_text(Lang::ZhCn, &err));
            eprintln!("{}", amount_error_text(Lang::En, &err));
            return Ok(ExitCode::FAILURE);
        }
    };
    let services = start_services(settings, dirs, ListenerMode::DemoOnly).await?;
    if let Some(refused) = super::demo_guard::reject_while_till_runs(
        &services,
        "本次没有退款（可在管理页面 F7 退款）",
        "nothing was refunded (refund from its manager screen, F7)",
    ) {
        return Ok(refused);
    }

    match services
        .service
        .refund(out_trade_no, refund_fee, reason)
        .await
    {
        Ok(record) => {
            print_refund(&record);
            Ok(exit_for(record.state))
        }
        Err(err) => Ok(report_error(&services, &err)),
    }
}

/// Queries refunds by `out_refund_no` or `out_trade_no`, records what the gateway reports,
/// and prints the order's refunds.
pub(super) async fn refund_query(
    settings: &Settings,
    dirs: &AppDirs,
    number: &str,
) -> anyhow::Result<ExitCode> {
    let services = start_services(settings, dirs, ListenerMode::DemoOnly).await?;
    if let Some(refused) =
        super::demo_guard::reject_while_till_runs(&services, "本次没有查询", "nothing was queried")
    {
        return Ok(refused);
    }
    match services.service.refund_query(number).await {
        Ok(records) if records.is_empty() => {
            println!("订单 {number} 没有退款");
            println!("Order {number} has no refunds.");
            Ok(ExitCode::SUCCESS)
        }
        Ok(mut records) => {
            // Asked by refund number, the command reports that refund only.
            if records.iter().any(|record| record.out_refund_no == number) {
                records.retain(|record| record.out_refund_no == number);
            }
            for record in &records {
                print_refund(record);
            }
            let pending = records
                .iter()
                .any(|record| !record.state.is_final() && record.state != RefundState::Change);
            Ok(if pending {
                ExitCode::from(EXIT_REFUND_PENDING)
            } else {
                ExitCode::SUCCESS
            })
        }
        Err(err) => Ok(report_error(&services, &err)),
    }
}

fn print_refund(record: &RefundRecord) {
    println!(
        "{}：订单 {} 退款 {} 元（商户退款单号 {}）",
        refund_state_text(Lang::ZhCn, record.state),
        record.out_trade_no,
        record.refund_fee,
        record.out_refund_no
    );
    println!(
        "{}: order {} refund of {} yuan (out_refund_no {})",
        refund_state_text(Lang::En, record.state),
        record.out_trade_no,
        record.refund_fee,
        record.out_refund_no
    );
    println!("  state: {}", record.state.as_str());
    if let Some(refund_id) = &record.refund_id {
        println!("  refund_id: {refund_id}");
    }
    if let Some(success_time) = &record.success_time {
        println!("  success_time: {success_time}");
    }
}

fn exit_for(state: RefundState) -> ExitCode {
    match state {
        RefundState::Success => ExitCode::SUCCESS,
        RefundState::Requested | RefundState::Processing => ExitCode::from(EXIT_REFUND_PENDING),
        RefundState::Change | RefundState::RefundClose | RefundState::Failed => ExitCode::FAILURE,
    }
}

/// Prints the refund error in both languages, with the technical cause on its own line.
fn report_error(services: &Services, err: &RefundError) -> ExitCode {
    if matches!(err, RefundError::NotConfigured)
        && let Some(setup_error) = &services.refund_setup_error
    {
        eprintln!("商户API证书无法加载，不能退款");
        eprintln!("The merchant API certificate could not be loaded, so refunds are unavailable.");
        eprintln!("  cause: {setup_error}");
        return ExitCode::FAILURE;
    }
    eprintln!("{}", refund_error_text(Lang::ZhCn, err));
    eprintln!("{}", refund_error_text(Lang::En, err));
    eprintln!("  cause: {}", crate::app::error_chain(err));
    match err {
        RefundError::OutcomeUnknown { .. } | RefundError::ReplyMismatch { .. } => {
            ExitCode::from(EXIT_REFUND_PENDING)
        }
        _ => ExitCode::FAILURE,
    }
}
