//! Refunds: saved first, then sent to `/secapi/pay/refund` with the merchant's client
//! certificate, retried with the same `out_refund_no` and fields while the outcome is unknown,
//! and settled by the reply, by refundquery or by the refund notification, whichever comes
//! first. A refund's amount stays reserved against its order until the gateway reports that
//! no money moved, so a lost reply can never let the order be refunded twice.

use std::time::Duration;

use rand::Rng;

use super::PaymentService;
use super::notification::{FAIL_MSG_REJECTED, FAIL_MSG_RETRY, NotifyReply, NotifyVerdict};
use crate::gateway::GatewayError;
use crate::gateway::refund::RefundClient;
use crate::money::Fen;
use crate::protocol::messages::{beijing, notify_reply_fail, notify_reply_success};
use crate::protocol::new_nonce;
use crate::protocol::refund::{
    MAX_REFUND_DESC_CHARS, RefundLookup, RefundReply, RefundRequest, RefundStatus,
};
use crate::protocol::refund_notify::parse_refund_notification;
use crate::protocol::reply::ReplyError;
use crate::store::{
    NewRefund, NotificationRecord, RefundOutcome, RefundRecord, RefundRequestError, RefundSettled,
    RefundState, StoreError, now_ms,
};

/// Attempts for a refund whose outcome is unknown (timeout, SYSTEMERROR, BIZERR_NEED_RETRY),
/// all with the same `out_refund_no` and fields.
pub const REFUND_ATTEMPTS: u32 = 3;
/// Pause between refund attempts.
pub const REFUND_RETRY_DELAY: Duration = Duration::from_millis(300);
/// Age after which a `requested` refund that the gateway does not know (REFUNDNOTEXIST) is
/// marked failed. Younger ones may still be in flight: three attempts with the default 10 s
/// request timeout take about 31 s.
pub const REFUND_IN_FLIGHT_MS: i64 = 60_000;
/// Random digits after the time in an `out_refund_no`.
const OUT_REFUND_NO_RANDOM_DIGITS: usize = 8;

/// A refund that did not go through, or a query that failed.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error(
        "refunds need the merchant's client certificate: set merchant.cert_p12, or merchant.cert_pem and merchant.key_pem"
    )]
    NotConfigured,
    #[error("the refund reason is longer than {MAX_REFUND_DESC_CHARS} characters")]
    ReasonTooLong,
    #[error(transparent)]
    Request(#[from] RefundRequestError),
    #[error("the gateway rejected refund {out_refund_no}; no money moved")]
    Rejected {
        out_refund_no: String,
        #[source]
        source: GatewayError,
    },
    #[error(
        "the outcome of refund {out_refund_no} is unknown; its amount stays reserved until `refund-query {out_refund_no}` settles it"
    )]
    OutcomeUnknown {
        out_refund_no: String,
        #[source]
        source: GatewayError,
    },
    #[error(
        "the refund reply is for {received_out_refund_no} / {received_fee} fen, not {out_refund_no} / {expected_fee} fen"
    )]
    ReplyMismatch {
        out_refund_no: String,
        received_out_refund_no: String,
        expected_fee: i64,
        received_fee: i64,
    },
    #[error("refundquery failed")]
    Query(#[source] GatewayError),
    #[error("no refund or order numbered {number} is stored here")]
    NotFound { number: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a database task stopped unexpectedly")]
    TaskFailed(#[source] tokio::task::JoinError),
}

impl RefundError {
    /// Returns the gateway's `err_code` when it rejected the refund or the query.
    pub fn err_code(&self) -> Option<&str> {
        match self {
            RefundError::Rejected { source, .. }
            | RefundError::OutcomeUnknown { source, .. }
            | RefundError::Query(source) => source.err_code(),
            _ => None,
        }
    }
}

/// True when the gateway may not have acted on the request, so the same request may be
/// sent again.
fn is_retryable(err: &GatewayError) -> bool {
    err.is_transient() || err.err_code() == Some("BIZERR_NEED_RETRY")
}

/// True when the gateway replied that it did not act on the request: a business error
/// other than the retryable ones, or a protocol FAIL (bad signature, bad XML).
fn is_rejection(err: &GatewayError) -> bool {
    match err {
        GatewayError::Reply { source, .. } => match source {
            ReplyError::BusinessFail { .. } => !is_retryable(err),
            ReplyError::ProtocolFail { .. } => true,
            _ => false,
        },
        _ => false,
    }
}

/// Creates an `out_refund_no`: `R`, the Beijing time as `yyyyMMddHHmmss`, and random digits.
pub fn new_out_refund_no() -> String {
    let time = chrono::Utc::now()
        .with_timezone(&beijing())
        .format("%Y%m%d%H%M%S");
    let digits: String = (0..OUT_REFUND_NO_RANDOM_DIGITS)
        .map(|_| char::from(b'0' + rand::rng().random_range(0..10u8)))
        .collect();
    format!("R{time}{digits}")
}

/// Maps a gateway `refund_status` to the stored state; an unknown status counts as
/// processing, which keeps the amount reserved.
fn state_for_status(status: &RefundStatus) -> RefundState {
    match status {
        RefundStatus::Success => RefundState::Success,
        RefundStatus::RefundClose => RefundState::RefundClose,
        RefundStatus::Change => RefundState::Change,
        RefundStatus::Processing | RefundStatus::Other(_) => RefundState::Processing,
    }
}

async fn blocking<T, F>(work: F) -> Result<T, RefundError>
where
    F: FnOnce() -> Result<T, RefundError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(RefundError::TaskFailed)?
}

impl PaymentService {
    /// Refunds `refund_fee` of a paid order and returns the stored refund.
    ///
    /// The refund is saved (and the amount reserved) before the gateway is called; an
    /// over-refund is refused there with nothing written. A timeout, SYSTEMERROR or
    /// BIZERR_NEED_RETRY is retried with the same `out_refund_no` and fields. When every
    /// attempt leaves the outcome unknown, [`RefundError::OutcomeUnknown`] is returned and
    /// [`PaymentService::refund_query`] settles the refund later.
    pub async fn refund(
        &self,
        out_trade_no: &str,
        refund_fee: Fen,
        reason: &str,
    ) -> Result<RefundRecord, RefundError> {
        let client = self
            .refund_gateway
            .as_ref()
            .ok_or(RefundError::NotConfigured)?;
        let reason = reason.trim();
        if reason.chars().count() > MAX_REFUND_DESC_CHARS {
            return Err(RefundError::ReasonTooLong);
        }

        let new_refund = NewRefund {
            out_refund_no: new_out_refund_no(),
            out_trade_no: out_trade_no.to_owned(),
            refund_fee,
            nonce_str: new_nonce(),
            reason: reason.to_owned(),
        };
        let store = self.store.clone();
        let record = blocking(move || Ok(store.request_refund(&new_refund)?)).await?;
        tracing::info!(
            out_trade_no,
            out_refund_no = %record.out_refund_no,
            refund_fee = refund_fee.fen(),
            "refund requested"
        );

        let request = RefundRequest {
            out_trade_no: out_trade_no.to_owned(),
            out_refund_no: record.out_refund_no.clone(),
            total_fee: record.total_fee,
            refund_fee,
            refund_desc: reason.to_owned(),
            notify_url: self.options.refund_notify_url.clone(),
        };
        match send_refund(client, &request, &record.nonce_str).await {
            Ok(reply) => self.accept_reply(&record, &reply).await?,
            Err(source) if is_rejection(&source) => {
                tracing::warn!(out_trade_no, out_refund_no = %record.out_refund_no, error = %source, "refund rejected by the gateway");
                self.apply_outcome(&record, RefundState::Failed, None, None)
                    .await?;
                return Err(RefundError::Rejected {
                    out_refund_no: record.out_refund_no,
                    source,
                });
            }
            Err(source) => {
                tracing::error!(out_trade_no, out_refund_no = %record.out_refund_no, error = %source, "refund outcome unknown after every attempt");
                return Err(RefundError::OutcomeUnknown {
                    out_refund_no: record.out_refund_no,
                    source,
                });
            }
        }

        self.stored_refund(&record.out_refund_no).await
    }

    /// Records an accepted refund as processing, then calls refundquery once to learn whether
    /// it has completed. A failed query leaves the refund processing, and the notification or a
    /// later query settles it.
    async fn accept_reply(
        &self,
        record: &RefundRecord,
        reply: &RefundReply,
    ) -> Result<(), RefundError> {
        if reply.out_refund_no != record.out_refund_no || reply.refund_fee != record.refund_fee {
            tracing::error!(out_refund_no = %record.out_refund_no, reply_out_refund_no = %reply.out_refund_no, "refund reply does not match the request; the refund stays requested");
            return Err(RefundError::ReplyMismatch {
                out_refund_no: record.out_refund_no.clone(),
                received_out_refund_no: reply.out_refund_no.clone(),
                expected_fee: record.refund_fee.fen(),
                received_fee: reply.refund_fee.fen(),
            });
        }
        self.apply_outcome(
            record,
            RefundState::Processing,
            Some(reply.refund_id.clone()),
            None,
        )
        .await?;
        if let Err(err) = self.refund_query(&record.out_refund_no).await {
            tracing::warn!(out_refund_no = %record.out_refund_no, error = %err, "refundquery after an accepted refund failed; the notification or a later query settles it");
        }
        Ok(())
    }

    /// Asks the gateway about one refund (by `out_refund_no`) or every refund of an order
    /// (by `out_trade_no`), applies what it reports, and returns the order's refunds.
    ///
    /// A `requested` refund that the gateway does not know is marked failed once it is older
    /// than [`REFUND_IN_FLIGHT_MS`], which frees its amount.
    pub async fn refund_query(&self, number: &str) -> Result<Vec<RefundRecord>, RefundError> {
        let store = self.store.clone();
        let key = number.to_owned();
        let (lookup, out_trade_no) = blocking(move || {
            if let Some(refund) = store.refund(&key)? {
                return Ok((RefundLookup::OutRefundNo(key), refund.out_trade_no));
            }
            match store.order(&key)? {
                Some(_) => Ok((RefundLookup::OutTradeNo(key.clone()), key)),
                None => Err(RefundError::NotFound { number: key }),
            }
        })
        .await?;

        match self.gateway.refund_query(&lookup).await {
            Ok(reply) => {
                for item in &reply.refunds {
                    let Some(local) = self.stored_refund_opt(&item.out_refund_no).await? else {
                        tracing::warn!(out_trade_no, out_refund_no = %item.out_refund_no, "refundquery lists a refund not made here; left for the manager");
                        continue;
                    };
                    if local.out_trade_no != reply.out_trade_no
                        || local.refund_fee != item.refund_fee
                    {
                        tracing::error!(out_refund_no = %item.out_refund_no, "refundquery reports another order or amount for this refund; not applied");
                        continue;
                    }
                    let refund_id = Some(item.refund_id.clone()).filter(|id| !id.is_empty());
                    self.apply_outcome(
                        &local,
                        state_for_status(&item.refund_status),
                        refund_id,
                        item.refund_success_time.clone(),
                    )
                    .await?;
                }
            }
            Err(err) if err.err_code() == Some("REFUNDNOTEXIST") => {
                self.fail_unknown_refunds(&out_trade_no, &lookup).await?;
            }
            Err(err) => return Err(RefundError::Query(err)),
        }
        self.refunds_for(&out_trade_no).await
    }

    /// Marks failed the old `requested` refunds the gateway reported it does not have.
    async fn fail_unknown_refunds(
        &self,
        out_trade_no: &str,
        lookup: &RefundLookup,
    ) -> Result<(), RefundError> {
        let cutoff = now_ms() - REFUND_IN_FLIGHT_MS;
        for refund in self.refunds_for(out_trade_no).await? {
            let named = match lookup {
                RefundLookup::OutRefundNo(no) => *no == refund.out_refund_no,
                RefundLookup::OutTradeNo(_) => true,
            };
            if named && refund.state == RefundState::Requested && refund.created_at_ms < cutoff {
                tracing::warn!(out_refund_no = %refund.out_refund_no, "the gateway does not know this refund; marking it failed");
                self.apply_outcome(&refund, RefundState::Failed, None, None)
                    .await?;
            }
        }
        Ok(())
    }

    /// Lists an order's refunds, oldest first.
    pub async fn refunds_for(&self, out_trade_no: &str) -> Result<Vec<RefundRecord>, RefundError> {
        let store = self.store.clone();
        let key = out_trade_no.to_owned();
        blocking(move || Ok(store.refunds_for(&key)?)).await
    }

    async fn stored_refund_opt(
        &self,
        out_refund_no: &str,
    ) -> Result<Option<RefundRecord>, RefundError> {
        let store = self.store.clone();
        let key = out_refund_no.to_owned();
        blocking(move || Ok(store.refund(&key)?)).await
    }

    async fn stored_refund(&self, out_refund_no: &str) -> Result<RefundRecord, RefundError> {
        self.stored_refund_opt(out_refund_no)
            .await?
            .ok_or_else(|| RefundError::NotFound {
                number: out_refund_no.to_owned(),
            })
    }

    /// Applies a gateway report to a stored refund and publishes the order's new state when
    /// the refund's success moved it.
    async fn apply_outcome(
        &self,
        refund: &RefundRecord,
        state: RefundState,
        refund_id: Option<String>,
        success_time: Option<String>,
    ) -> Result<RefundSettled, RefundError> {
        let outcome = RefundOutcome {
            out_refund_no: refund.out_refund_no.clone(),
            state,
            refund_id,
            success_time,
        };
        let store = self.store.clone();
        let settled = blocking(move || Ok(store.settle_refund(&outcome)?)).await?;
        if let RefundSettled::Changed { order_state, .. } = &settled {
            if state == RefundState::Success {
                tracing::info!(
                    out_trade_no = %refund.out_trade_no,
                    out_refund_no = %refund.out_refund_no,
                    refund_fee = refund.refund_fee.fen(),
                    "refund made"
                );
            }
            if let Some(order_state) = order_state {
                self.publish(&refund.out_trade_no, *order_state, None);
            }
        }
        Ok(settled)
    }

    /// Decrypts and applies a refund notification, audits it, and returns the reply WeChat
    /// expects: SUCCESS once the outcome is stored (or was stored before), FAIL for a forged
    /// or unknown refund and for a database error (so that WeChat delivers it again).
    pub async fn handle_refund_notification(&self, body: &[u8], remote_addr: &str) -> NotifyReply {
        let (verdict, out_trade_no, reason) = self.decide_refund_notification(body).await;
        let record = NotificationRecord {
            remote_addr: remote_addr.to_owned(),
            body: body.to_vec(),
            out_trade_no: out_trade_no.clone(),
            verdict: verdict.as_str(),
            reason: format!("refund notification: {reason}"),
        };
        let store = self.store.clone();
        if let Err(err) = blocking(move || Ok(store.insert_notification(&record)?)).await {
            tracing::error!(out_trade_no = ?out_trade_no, error = %err, "cannot write the refund notification audit row");
        }

        let body = match verdict {
            NotifyVerdict::Accepted | NotifyVerdict::Duplicate | NotifyVerdict::PaymentFailed => {
                tracing::debug!(out_trade_no = ?out_trade_no, verdict = verdict.as_str(), %reason, "refund notification acknowledged");
                notify_reply_success()
            }
            NotifyVerdict::Rejected => {
                tracing::warn!(remote_addr, out_trade_no = ?out_trade_no, %reason, "refund notification rejected");
                notify_reply_fail(FAIL_MSG_REJECTED)
            }
            NotifyVerdict::Error => {
                tracing::error!(out_trade_no = ?out_trade_no, %reason, "refund notification not processed; replying FAIL so that WeChat retries it");
                notify_reply_fail(FAIL_MSG_RETRY)
            }
        };
        NotifyReply { verdict, body }
    }

    /// Rejects an unreadable or oversized refund notification body, keeping an audit row
    /// without the body.
    pub async fn reject_unreadable_refund_notification(
        &self,
        remote_addr: &str,
        max_bytes: usize,
    ) -> NotifyReply {
        let record = NotificationRecord {
            remote_addr: remote_addr.to_owned(),
            body: Vec::new(),
            out_trade_no: None,
            verdict: NotifyVerdict::Rejected.as_str(),
            reason: format!(
                "refund notification: the body is over {max_bytes} bytes or could not be read"
            ),
        };
        let store = self.store.clone();
        if let Err(err) = blocking(move || Ok(store.insert_notification(&record)?)).await {
            tracing::error!(error = %err, "cannot write the refund notification audit row");
        }
        NotifyReply {
            verdict: NotifyVerdict::Rejected,
            body: notify_reply_fail(FAIL_MSG_REJECTED),
        }
    }

    async fn decide_refund_notification(
        &self,
        body: &[u8],
    ) -> (NotifyVerdict, Option<String>, String) {
        let notification = match parse_refund_notification(body, self.gateway.merchant()) {
            Ok(notification) => notification,
            Err(err) => return (NotifyVerdict::Rejected, None, format!("{err:#}")),
        };
        let out_trade_no = Some(notification.out_trade_no.clone());
        let local = match self.stored_refund_opt(&notification.out_refund_no).await {
            Ok(Some(local)) => local,
            Ok(None) => {
                let reason = format!(
                    "out_refund_no {} is not known here",
                    notification.out_refund_no
                );
                return (NotifyVerdict::Rejected, out_trade_no, reason);
            }
            Err(err) => return (NotifyVerdict::Error, out_trade_no, err.to_string()),
        };
        if local.out_trade_no != notification.out_trade_no
            || local.refund_fee != notification.refund_fee
        {
            let reason = format!(
                "refund {} is for order {} and {} fen here, but the notification says {} and {} fen",
                local.out_refund_no,
                local.out_trade_no,
                local.refund_fee.fen(),
                notification.out_trade_no,
                notification.refund_fee.fen()
            );
            return (NotifyVerdict::Rejected, out_trade_no, reason);
        }

        let state = state_for_status(&notification.refund_status);
        let refund_id = Some(notification.refund_id.clone());
        match self
            .apply_outcome(&local, state, refund_id, notification.success_time.clone())
            .await
        {
            Ok(RefundSettled::Changed { .. }) => (
                NotifyVerdict::Accepted,
                out_trade_no,
                format!("refund {} is now {}", local.out_refund_no, state.as_str()),
            ),
            Ok(RefundSettled::Unchanged) => (
                NotifyVerdict::Duplicate,
                out_trade_no,
                format!(
                    "refund {} was already {}",
                    local.out_refund_no,
                    state.as_str()
                ),
            ),
            Ok(RefundSettled::Refused { current }) => (
                NotifyVerdict::Duplicate,
                out_trade_no,
                format!(
                    "refund {} is already {}; the report of {} is ignored",
                    local.out_refund_no,
                    current.as_str(),
                    state.as_str()
                ),
            ),
            Ok(RefundSettled::Unknown) => (
                NotifyVerdict::Rejected,
                out_trade_no,
                format!("out_refund_no {} is not known here", local.out_refund_no),
            ),
            Err(err) => (NotifyVerdict::Error, out_trade_no, err.to_string()),
        }
    }
}

/// Sends the refund, retrying the identical request while the outcome is unknown.
async fn send_refund(
    client: &RefundClient,
    request: &RefundRequest,
    nonce_str: &str,
) -> Result<RefundReply, GatewayError> {
    let mut attempt = 1;
    loop {
        match client.refund(request, nonce_str).await {
            Ok(reply) => return Ok(reply),
            Err(err) if is_retryable(&err) && attempt < REFUND_ATTEMPTS => {
                tracing::warn!(
                    out_refund_no = %request.out_refund_no,
                    attempt,
                    error = %err,
                    "refund attempt failed; retrying with the same out_refund_no"
                );
                attempt += 1;
                tokio::time::sleep(REFUND_RETRY_DELAY).await;
            }
            Err(err) => return Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_refund_no_is_within_protocol_limit() {
        let number = new_out_refund_no();
        assert!(number.len() <= crate::protocol::refund::MAX_OUT_REFUND_NO_CHARS);
        assert!(number.starts_with('R'));
        assert!(number[1..].bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn unknown_refund_status_keeps_amount_reserved() {
        let state = state_for_status(&RefundStatus::Other("NEW".into()));
        assert!(state.counts_against_order());
        assert!(!state.is_final());
    }
}
