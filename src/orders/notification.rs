//! Verifying and applying a payment notification, and the XML answer WeChat expects.

use std::sync::Arc;

use super::{LifecycleError, PaymentService};
use crate::protocol::messages::{PaymentNotification, notify_reply_fail, notify_reply_success};
use crate::protocol::reply::check_merchant;
use crate::protocol::{sign, xml};
use crate::store::{ConfirmError, NotificationRecord, PaymentRecord, PaymentSource, Recorded};

/// `return_msg` of the FAIL reply to a rejected notification.
pub const FAIL_MSG_REJECTED: &str = "invalid notification";
/// `return_msg` of the FAIL reply when the notification could not be processed now.
pub const FAIL_MSG_RETRY: &str = "temporarily unavailable";

/// What was decided about a notification; stored in the audit table by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyVerdict {
    /// A new payment was committed.
    Accepted,
    /// The payment was already committed; acknowledged again.
    Duplicate,
    /// A genuine notification that reports a failed payment; acknowledged, nothing recorded.
    PaymentFailed,
    /// Rejected: forged, malformed, or not matching an order. Nothing changed.
    Rejected,
    /// Could not be processed (database error); WeChat will retry.
    Error,
}

impl NotifyVerdict {
    /// The audit table's name for the verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyVerdict::Accepted => "accepted",
            NotifyVerdict::Duplicate => "duplicate",
            NotifyVerdict::PaymentFailed => "payment_failed",
            NotifyVerdict::Rejected => "rejected",
            NotifyVerdict::Error => "error",
        }
    }

    fn acknowledges(self) -> bool {
        matches!(
            self,
            NotifyVerdict::Accepted | NotifyVerdict::Duplicate | NotifyVerdict::PaymentFailed
        )
    }
}

/// The listener's answer: the verdict and the XML body to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyReply {
    pub verdict: NotifyVerdict,
    pub body: String,
}

/// The decision on one notification before it is audited.
struct Decision {
    verdict: NotifyVerdict,
    out_trade_no: Option<String>,
    /// One line saying why, without secrets, for the audit table and the log.
    reason: String,
}

impl Decision {
    fn rejected(out_trade_no: Option<String>, reason: impl Into<String>) -> Self {
        Decision {
            verdict: NotifyVerdict::Rejected,
            out_trade_no,
            reason: reason.into(),
        }
    }
}

impl PaymentService {
    /// Verifies a payment notification body and, when it is genuine and matches an order,
    /// commits the payment. SUCCESS is answered only after the commit; a database error
    /// answers FAIL so that WeChat delivers it again. Every body is kept in the audit table.
    pub async fn handle_notification(
        self: &Arc<Self>,
        body: &[u8],
        remote_addr: &str,
    ) -> NotifyReply {
        let decision = self.decide(body).await;
        self.finish(decision, body.to_vec(), remote_addr).await
    }

    /// Audits and logs a decision, then builds the reply.
    async fn finish(&self, decision: Decision, body: Vec<u8>, remote_addr: &str) -> NotifyReply {
        let record = NotificationRecord {
            remote_addr: remote_addr.to_owned(),
            body,
            out_trade_no: decision.out_trade_no.clone(),
            verdict: decision.verdict.as_str(),
            reason: decision.reason.clone(),
        };
        let store = self.store.clone();
        let audit = tokio::task::spawn_blocking(move || store.insert_notification(&record)).await;
        if !matches!(audit, Ok(Ok(()))) {
            tracing::error!(out_trade_no = ?decision.out_trade_no, verdict = decision.verdict.as_str(), "cannot write the notification audit row");
        }

        let out_trade_no = decision.out_trade_no.as_deref().unwrap_or("-");
        match decision.verdict {
            NotifyVerdict::Accepted | NotifyVerdict::Duplicate | NotifyVerdict::PaymentFailed => {
                tracing::debug!(out_trade_no, verdict = decision.verdict.as_str(), reason = %decision.reason, "notification acknowledged");
            }
            NotifyVerdict::Rejected => {
                tracing::warn!(remote_addr, out_trade_no, reason = %decision.reason, "notification rejected");
            }
            NotifyVerdict::Error => {
                tracing::error!(out_trade_no, reason = %decision.reason, "notification not processed; answering FAIL so it is retried");
            }
        }

        // The reason stays in the audit table and the log: a forger learns nothing from the reply.
        let body = match decision.verdict {
            verdict if verdict.acknowledges() => notify_reply_success(),
            NotifyVerdict::Error => notify_reply_fail(FAIL_MSG_RETRY),
            _ => notify_reply_fail(FAIL_MSG_REJECTED),
        };
        NotifyReply {
            verdict: decision.verdict,
            body,
        }
    }

    /// Rejects a notification whose body was over `max_bytes` or could not be read, keeping
    /// an audit row without the body.
    pub async fn reject_unreadable_notification(
        self: &Arc<Self>,
        remote_addr: &str,
        max_bytes: usize,
    ) -> NotifyReply {
        let decision = Decision::rejected(
            None,
            format!("the body is over {max_bytes} bytes or the connection failed while reading it"),
        );
        self.finish(decision, Vec::new(), remote_addr).await
    }

    async fn decide(self: &Arc<Self>, body: &[u8]) -> Decision {
        let fields = match xml::parse(body) {
            Ok(fields) => fields,
            Err(err) => return Decision::rejected(None, format!("invalid XML: {err}")),
        };
        let out_trade_no = fields
            .get("out_trade_no")
            .filter(|value| !value.is_empty())
            .cloned();

        if fields.get("return_code").map(String::as_str) != Some("SUCCESS") {
            return Decision::rejected(out_trade_no, "return_code is not SUCCESS");
        }
        let merchant = self.gateway.merchant();
        if let Err(err) = sign::verify(&fields, &merchant.api_key) {
            return Decision::rejected(out_trade_no, format!("signature rejected: {err}"));
        }
        if let Err(err) = check_merchant(&fields, merchant) {
            return Decision::rejected(out_trade_no, err.to_string());
        }
        if fields.get("result_code").map(String::as_str) != Some("SUCCESS") {
            return Decision {
                verdict: NotifyVerdict::PaymentFailed,
                out_trade_no,
                reason: format!(
                    "result_code is not SUCCESS: {}",
                    fields.get("err_code").map(String::as_str).unwrap_or("")
                ),
            };
        }
        let notification = match PaymentNotification::from_params(&fields) {
            Ok(notification) => notification,
            Err(err) => return Decision::rejected(out_trade_no, err.to_string()),
        };

        let payment = PaymentRecord {
            out_trade_no: notification.out_trade_no.clone(),
            transaction_id: notification.transaction_id,
            total_fee: notification.total_fee,
            cash_fee: notification.cash_fee,
            time_end: notification.time_end,
            source: PaymentSource::Notification,
        };
        match self.confirm(payment).await {
            Ok(Recorded::New { .. }) => Decision {
                verdict: NotifyVerdict::Accepted,
                out_trade_no,
                reason: "payment recorded".into(),
            },
            Ok(Recorded::Already) => Decision {
                verdict: NotifyVerdict::Duplicate,
                out_trade_no,
                reason: "payment already recorded".into(),
            },
            Err(LifecycleError::Confirm(
                err @ (ConfirmError::UnknownOrder { .. }
                | ConfirmError::AmountMismatch { .. }
                | ConfirmError::OtherTransaction { .. }),
            )) => Decision::rejected(out_trade_no, err.to_string()),
            Err(err) => Decision {
                verdict: NotifyVerdict::Error,
                out_trade_no,
                reason: format!("cannot record the payment: {err}"),
            },
        }
    }
}
