//! Refund wiring: the client-certificate client for a configured merchant, and in demo mode
//! the embedded simulator's TLS port with a certificate made for the demo merchant.

use anyhow::Context as _;
use tokio::net::TcpListener;

use crate::config::MerchantSettings;
use crate::gateway::ClientTimeouts;
use crate::gateway::refund::{RefundClient, RefundClientError};
use crate::protocol::Merchant;
use crate::simulator::{self, SecapiHandle, SimulatorHandle, SimulatorTls};

/// Builds the refund client from the merchant's certificate keys.
///
/// Returns `Ok(None)` when none are set. Refunds are then refused with a message that names
/// the keys to set.
pub fn configured_refund_client(
    configured: &MerchantSettings,
    merchant: &Merchant,
    timeouts: ClientTimeouts,
) -> Result<Option<RefundClient>, RefundClientError> {
    match configured.secure_api_settings() {
        Some(secure) => RefundClient::new(&secure, merchant.clone(), timeouts).map(Some),
        None => Ok(None),
    }
}

/// Starts the demo simulator's refund port on a free loopback port, with certificates made
/// for `merchant`, and returns it with a refund client that trusts its CA and presents the
/// demo client certificate.
pub async fn start_demo_secapi(
    simulator: &SimulatorHandle,
    merchant: &Merchant,
    timeouts: ClientTimeouts,
) -> anyhow::Result<(SecapiHandle, RefundClient, SimulatorTls)> {
    let tls = SimulatorTls::generate(&merchant.mch_id)
        .context("cannot make the demo simulator's certificates")?;
    let tcp = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind the demo simulator's refund port")?;
    let secapi = simulator::serve_secapi(tcp, simulator.state().clone(), &tls)
        .await
        .context("cannot start the demo simulator's refund port")?;

    let identity_pem = format!("{}{}", tls.client_key_pem, tls.client_cert_pem);
    let identity = reqwest::Identity::from_pem(identity_pem.as_bytes())
        .context("cannot load the demo client certificate")?;
    let ca = reqwest::Certificate::from_pem(tls.ca_cert_pem.as_bytes())
        .context("cannot load the demo simulator's CA")?;
    let client = RefundClient::with_identity(
        &secapi.base_url(),
        merchant.clone(),
        timeouts,
        identity,
        Some(ca),
    )
    .context("cannot create the demo refund client")?;
    tracing::info!(secapi = %secapi.base_url(), "demo mode: refunds use the embedded simulator's TLS port");
    Ok((secapi, client, tls))
}
