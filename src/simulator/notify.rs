//! Payment notifications (a signed XML POST to the order's `notify_url`) and refund
//! notifications (an encrypted `req_info`), retried on WeChat's schedule until the merchant
//! acknowledges them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use tokio::time::Instant;

use super::config::SimulatorConfig;
use super::error::SimulatorError;
use super::state::SimulatorState;
use super::store::{Order, Payment, SIMULATED_BANK_TYPE, SIMULATED_IS_SUBSCRIBE};
use super::unified_order::{CNY_FEE_TYPE, NATIVE_TRADE_TYPE};
use crate::error_text::error_chain;
use crate::protocol::sign::sign;
use crate::protocol::xml::{MAX_XML_BODY_BYTES, parse, to_xml};
use crate::protocol::{Params, SignType, new_nonce};

/// `Content-Type` of a notification request.
pub const NOTIFY_CONTENT_TYPE: &str = "text/xml";

/// One notification attempt and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyAttempt {
    /// 1 for the first attempt.
    pub number: usize,
    /// Wall-clock time the request was sent.
    pub sent_at: DateTime<Utc>,
    /// Time since the first attempt was sent, on the tokio clock, so paused-time tests see the
    /// scheduled offsets exactly.
    pub offset: Duration,
    pub outcome: NotifyOutcome,
}

/// Outcome of one notification attempt, from the merchant server's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyOutcome {
    /// HTTP 2xx with an XML body whose `return_code` is SUCCESS.
    Acknowledged,
    /// A status other than 2xx, whatever the body.
    ErrorStatus { status: u16 },
    /// HTTP 2xx, but the body is not v2 XML or its `return_code` is not SUCCESS.
    NotAcknowledged { reason: String },
    /// No complete reply within `notify_timeout_secs`.
    TimedOut,
    /// The request could not be sent or the reply could not be read (for example, connection
    /// refused).
    RequestFailed { reason: String },
}

impl std::fmt::Display for NotifyOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotifyOutcome::Acknowledged => f.write_str("acknowledged"),
            NotifyOutcome::ErrorStatus { status } => write!(f, "HTTP status {status}"),
            NotifyOutcome::NotAcknowledged { reason } => write!(f, "not acknowledged: {reason}"),
            NotifyOutcome::TimedOut => f.write_str("timed out"),
            NotifyOutcome::RequestFailed { reason } => write!(f, "request failed: {reason}"),
        }
    }
}

impl NotifyOutcome {
    /// Returns whether the merchant acknowledged the notification, which ends delivery.
    pub fn is_acknowledged(&self) -> bool {
        *self == NotifyOutcome::Acknowledged
    }
}

/// A notification ready to send: the signed body and where it goes.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    mch_id: String,
    out_trade_no: String,
    transaction_id: String,
    notify_url: String,
    body: String,
    /// Set for a refund notification: its `out_refund_no`, under which attempts are kept.
    out_refund_no: Option<String>,
}

impl Delivery {
    /// Builds the notification for a paid order. Every retry sends the same body.
    pub fn new(order: &Order, payment: &Payment) -> Self {
        Delivery {
            mch_id: order.mch_id.clone(),
            out_trade_no: order.out_trade_no.clone(),
            transaction_id: payment.transaction_id.clone(),
            notify_url: order.notify_url.clone(),
            body: to_xml(&notification_fields(order, payment)),
            out_refund_no: None,
        }
    }

    /// Builds a refund notification delivery with its finished body (`req_info` encrypted).
    pub fn refund(
        mch_id: &str,
        out_trade_no: &str,
        transaction_id: &str,
        out_refund_no: &str,
        notify_url: &str,
        body: String,
    ) -> Self {
        Delivery {
            mch_id: mch_id.to_owned(),
            out_trade_no: out_trade_no.to_owned(),
            transaction_id: transaction_id.to_owned(),
            notify_url: notify_url.to_owned(),
            body,
            out_refund_no: Some(out_refund_no.to_owned()),
        }
    }

    fn kind(&self) -> &'static str {
        if self.out_refund_no.is_some() {
            "refund"
        } else {
            "payment"
        }
    }
}

/// Builds the signed notification fields.
///
/// An MD5 order's notification carries `sign_type=MD5`; an HMAC-SHA256 order's carries no
/// `sign_type` and a 64-hex HMAC signature, as WeChat sends them.
fn notification_fields(order: &Order, payment: &Payment) -> Params {
    let total_fee = order.total_fee.fen().to_string();
    let mut fields = Params::new();
    let mut put = |name: &str, value: &str| {
        if !value.is_empty() {
            fields.insert(name.to_owned(), value.to_owned());
        }
    };
    put("return_code", "SUCCESS");
    put("result_code", "SUCCESS");
    put("appid", &order.appid);
    put("mch_id", &order.mch_id);
    put("nonce_str", &new_nonce());
    put("device_info", &order.device_info);
    put("openid", &payment.openid);
    put("is_subscribe", SIMULATED_IS_SUBSCRIBE);
    put("trade_type", NATIVE_TRADE_TYPE);
    put("bank_type", SIMULATED_BANK_TYPE);
    put("total_fee", &total_fee);
    put("fee_type", CNY_FEE_TYPE);
    put("cash_fee", &total_fee);
    put("transaction_id", &payment.transaction_id);
    put("out_trade_no", &order.out_trade_no);
    put("attach", &order.attach);
    put("time_end", &payment.time_end);
    if order.sign_type == SignType::Md5 {
        put("sign_type", SignType::Md5.as_str());
    }

    let signature = sign(&fields, &order.api_key, order.sign_type);
    fields.insert("sign".into(), signature);
    fields
}

/// Builds the client that sends notifications: no proxy, no redirects.
pub(crate) fn http_client(config: &SimulatorConfig) -> Result<reqwest::Client, SimulatorError> {
    // The project builds reqwest with rustls but without a crypto provider, and reqwest
    // panics when a client is built before one is installed. An error here only means that a
    // provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(config.notify_timeout_secs))
        .build()
        .map_err(SimulatorError::HttpClient)
}

/// Sends the notification at once, then at each retry offset (scaled by `time_scale`) after
/// the first attempt, until one attempt is acknowledged, the schedule ends or the simulator
/// stops. An attempt that runs past the next offset delays the next attempt, which then
/// starts at once.
pub(crate) async fn deliver(state: SimulatorState, delivery: Delivery) {
    let config = state.config();
    let timeout = Duration::from_secs(config.notify_timeout_secs);
    let retry_offsets = config
        .notify_retry_offsets_secs
        .iter()
        .map(|secs| scaled(*secs, config.time_scale));
    let schedule = std::iter::once(Duration::ZERO).chain(retry_offsets);
    let schedule_len = config.notify_retry_offsets_secs.len() + 1;
    let first = Instant::now();

    for (index, offset) in schedule.enumerate() {
        let Some(due) = first.checked_add(offset) else {
            break;
        };
        tokio::select! {
            biased;
            () = state.stopped() => return,
            () = tokio::time::sleep_until(due) => {}
        }

        let sent_at = Utc::now();
        let sent = Instant::now();
        let outcome = tokio::select! {
            biased;
            () = state.stopped() => return,
            outcome = send_once(state.http(), &delivery, timeout) => outcome,
        };
        let attempt = NotifyAttempt {
            number: index + 1,
            sent_at,
            offset: sent.duration_since(first),
            outcome,
        };
        log_attempt(&delivery, &attempt, schedule_len);
        let acknowledged = attempt.outcome.is_acknowledged();
        match &delivery.out_refund_no {
            Some(out_refund_no) => {
                state.record_refund_attempt(&delivery.mch_id, out_refund_no, attempt);
            }
            None => state.record_attempt(&delivery.mch_id, &delivery.out_trade_no, attempt),
        }
        if acknowledged {
            return;
        }
    }
    tracing::warn!(
        mch_id = %delivery.mch_id,
        out_trade_no = %delivery.out_trade_no,
        transaction_id = %delivery.transaction_id,
        out_refund_no = delivery.out_refund_no.as_deref(),
        kind = delivery.kind(),
        "notification was never acknowledged; delivery stopped after the last retry"
    );
}

/// Sends one notification and classifies the reply.
async fn send_once(
    client: &reqwest::Client,
    delivery: &Delivery,
    timeout: Duration,
) -> NotifyOutcome {
    let exchange = async {
        let mut response = client
            .post(&delivery.notify_url)
            .header(CONTENT_TYPE, NOTIFY_CONTENT_TYPE)
            .body(delivery.body.clone())
            .send()
            .await?;
        let status = response.status();
        let body = read_capped_body(&mut response).await?;
        Ok::<_, reqwest::Error>((status, body))
    };
    match tokio::time::timeout(timeout, exchange).await {
        Err(_) => NotifyOutcome::TimedOut,
        Ok(Err(err)) if err.is_timeout() => NotifyOutcome::TimedOut,
        Ok(Err(err)) => NotifyOutcome::RequestFailed {
            reason: error_chain(&err),
        },
        Ok(Ok((status, body))) => classify_reply(status, &body),
    }
}

fn classify_reply(status: StatusCode, body: &[u8]) -> NotifyOutcome {
    if !status.is_success() {
        return NotifyOutcome::ErrorStatus {
            status: status.as_u16(),
        };
    }
    let fields = match parse(body) {
        Ok(fields) => fields,
        Err(err) => {
            return NotifyOutcome::NotAcknowledged {
                reason: format!("the reply is not v2 XML: {err}"),
            };
        }
    };
    match fields.get("return_code").map(String::as_str) {
        Some("SUCCESS") => NotifyOutcome::Acknowledged,
        return_code => NotifyOutcome::NotAcknowledged {
            reason: format!(
                "return_code is {:?}, return_msg {:?}",
                return_code.unwrap_or_default(),
                fields
                    .get("return_msg")
                    .map(String::as_str)
                    .unwrap_or_default()
            ),
        },
    }
}

fn log_attempt(delivery: &Delivery, attempt: &NotifyAttempt, schedule_len: usize) {
    if attempt.outcome.is_acknowledged() {
        tracing::info!(
            out_trade_no = %delivery.out_trade_no,
            transaction_id = %delivery.transaction_id,
            out_refund_no = delivery.out_refund_no.as_deref(),
            kind = delivery.kind(),
            attempt = attempt.number,
            "notification acknowledged"
        );
    } else {
        tracing::warn!(
            out_trade_no = %delivery.out_trade_no,
            transaction_id = %delivery.transaction_id,
            attempt = attempt.number,
            attempts_scheduled = schedule_len,
            out_refund_no = delivery.out_refund_no.as_deref(),
            kind = delivery.kind(),
            outcome = %attempt.outcome,
            "notification not acknowledged"
        );
    }
}

/// Scales an offset in seconds; a result too large for `Duration` becomes `Duration::MAX`,
/// which ends the schedule.
fn scaled(secs: u64, time_scale: f64) -> Duration {
    Duration::try_from_secs_f64(secs as f64 * time_scale).unwrap_or(Duration::MAX)
}

/// Reads a merchant's reply body, stopping one chunk past the XML size limit, which the XML
/// parser then rejects, so a merchant cannot make the simulator buffer an unbounded reply.
pub(super) async fn read_capped_body(
    response: &mut reqwest::Response,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_XML_BODY_BYTES {
            break;
        }
    }
    Ok(body)
}
