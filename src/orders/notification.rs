//! Verifying and applying a payment notification, and the XML reply WeChat expects.

use std::sync::Arc;

use super::PaymentService;
use crate::protocol::messages::{PaymentNotification, notify_reply_fail, notify_reply_success};
use crate::protocol::reply::check_merchant;
use crate::protocol::{sign, xml};
use crate::store::{
    AuditDraft, AuditVerdict, ConfirmError, JobOutcome, PaymentRecord, PaymentSource, Recorded,
};

/// `return_msg` of the FAIL reply to a rejected notification.
pub const FAIL_MSG_REJECTED: &str = "invalid notification";
/// `return_msg` of the FAIL reply when the notification could not be processed now.
pub const FAIL_MSG_RETRY: &str = "temporarily unavailable";

/// The decision on a notification, stored in the audit table by name.
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
    /// Returns the audit table's name for the verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyVerdict::Accepted => "accepted",
            NotifyVerdict::Duplicate => "duplicate",
            NotifyVerdict::PaymentFailed => "payment_failed",
            NotifyVerdict::Rejected => "rejected",
            NotifyVerdict::Error => "error",
        }
    }
}

/// The listener's reply: the verdict and the XML body to send.
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

/// The outcome of the checks that need no database.
enum Checked {
    /// Settled without a payment: rejected, or a genuine report of a failed payment.
    Settled(Decision),
    /// Genuine and successful: the payment goes to the writer.
    Payment(PaymentRecord),
}

/// Chooses the audit verdict from the payment's outcome inside the writer's transaction.
fn verdict_for_outcome(outcome: &JobOutcome) -> (&'static str, String) {
    let decision = decision_for_outcome(None, outcome);
    (decision.verdict.as_str(), decision.reason)
}

fn decision_for_outcome(out_trade_no: Option<String>, outcome: &JobOutcome) -> Decision {
    match outcome {
        Ok(Some(Recorded::New { .. })) => Decision {
            verdict: NotifyVerdict::Accepted,
            out_trade_no,
            reason: "payment recorded".into(),
        },
        Ok(Some(Recorded::Already)) => Decision {
            verdict: NotifyVerdict::Duplicate,
            out_trade_no,
            reason: "payment already recorded".into(),
        },
        Ok(None) => Decision {
            verdict: NotifyVerdict::Error,
            out_trade_no,
            reason: "the writer returned no payment outcome".into(),
        },
        Err(
            err @ (ConfirmError::UnknownOrder { .. }
            | ConfirmError::AmountMismatch { .. }
            | ConfirmError::OtherTransaction { .. }
            | ConfirmError::TransactionReused { .. }),
        ) => Decision::rejected(out_trade_no, err.to_string()),
        Err(err @ ConfirmError::Store(_)) => Decision {
            verdict: NotifyVerdict::Error,
            out_trade_no,
            reason: format!("cannot record the payment: {err}"),
        },
    }
}

impl PaymentService {
    /// Verifies a payment notification body and, when it is genuine and matches an order,
    /// commits the payment together with its audit row. SUCCESS is returned only after the
    /// commit; a database error returns FAIL so that WeChat delivers it again. Every body is
    /// kept in the audit table.
    pub async fn handle_notification(
        self: &Arc<Self>,
        body: &[u8],
        remote_addr: &str,
    ) -> NotifyReply {
        let (checked, out_trade_no) = self.check(body);
        let decision = match checked {
            Checked::Settled(decision) => {
                self.audit_only(&decision, body.to_vec(), remote_addr).await;
                decision
            }
            Checked::Payment(payment) => {
                let audit = AuditDraft {
                    remote_addr: remote_addr.to_owned(),
                    body: body.to_vec(),
                    out_trade_no: out_trade_no.clone(),
                    verdict: AuditVerdict::FromOutcome(verdict_for_outcome),
                };
                let outcome = self.writer.write(Some(payment.clone()), Some(audit)).await;
                if let Ok(Some(recorded)) = &outcome {
                    self.after_commit(&payment, recorded);
                }
                decision_for_outcome(out_trade_no, &outcome)
            }
        };
        reply_for(&decision, remote_addr)
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
        self.audit_only(&decision, Vec::new(), remote_addr).await;
        reply_for(&decision, remote_addr)
    }

    /// Keeps the audit row of a notification settled without a payment.
    async fn audit_only(&self, decision: &Decision, body: Vec<u8>, remote_addr: &str) {
        let audit = AuditDraft {
            remote_addr: remote_addr.to_owned(),
            body,
            out_trade_no: decision.out_trade_no.clone(),
            verdict: AuditVerdict::Fixed {
                verdict: decision.verdict.as_str(),
                reason: decision.reason.clone(),
            },
        };
        if let Err(err) = self.writer.write(None, Some(audit)).await {
            tracing::error!(out_trade_no = ?decision.out_trade_no, verdict = decision.verdict.as_str(), error = %err, "cannot write the notification audit row");
        }
    }

    /// Runs every check that needs no database: XML, signature, merchant, result, fields.
    fn check(&self, body: &[u8]) -> (Checked, Option<String>) {
        let fields = match xml::parse(body) {
            Ok(fields) => fields,
            Err(err) => {
                let decision = Decision::rejected(None, format!("invalid XML: {err}"));
                return (Checked::Settled(decision), None);
            }
        };
        let out_trade_no = fields
            .get("out_trade_no")
            .filter(|value| !value.is_empty())
            .cloned();
        let rejected =
            |reason: String| Checked::Settled(Decision::rejected(out_trade_no.clone(), reason));

        if fields.get("return_code").map(String::as_str) != Some("SUCCESS") {
            return (rejected("return_code is not SUCCESS".into()), out_trade_no);
        }
        let merchant = self.gateway.merchant();
        if let Err(err) = sign::verify(&fields, &merchant.api_key) {
            return (rejected(format!("signature rejected: {err}")), out_trade_no);
        }
        if let Err(err) = check_merchant(&fields, merchant) {
            return (rejected(err.to_string()), out_trade_no);
        }
        if fields.get("result_code").map(String::as_str) != Some("SUCCESS") {
            let decision = Decision {
                verdict: NotifyVerdict::PaymentFailed,
                out_trade_no: out_trade_no.clone(),
                reason: format!(
                    "result_code is not SUCCESS: {}",
                    fields.get("err_code").map(String::as_str).unwrap_or("")
                ),
            };
            return (Checked::Settled(decision), out_trade_no);
        }
        let notification = match PaymentNotification::from_params(&fields) {
            Ok(notification) => notification,
            Err(err) => return (rejected(err.to_string()), out_trade_no),
        };

        let payment = PaymentRecord {
            out_trade_no: notification.out_trade_no,
            transaction_id: notification.transaction_id,
            total_fee: notification.total_fee,
            cash_fee: notification.cash_fee,
            time_end: notification.time_end,
            source: PaymentSource::Notification,
        };
        (Checked::Payment(payment), out_trade_no)
    }
}

/// Logs a decision in one line and builds the reply. The reason stays in the audit table and
/// the log: a forger learns nothing from the reply.
fn reply_for(decision: &Decision, remote_addr: &str) -> NotifyReply {
    let out_trade_no = decision.out_trade_no.as_deref().unwrap_or("-");
    let body = match decision.verdict {
        NotifyVerdict::Accepted | NotifyVerdict::Duplicate | NotifyVerdict::PaymentFailed => {
            tracing::debug!(out_trade_no, verdict = decision.verdict.as_str(), reason = %decision.reason, "notification acknowledged");
            notify_reply_success()
        }
        NotifyVerdict::Rejected => {
            tracing::warn!(remote_addr, out_trade_no, reason = %decision.reason, "notification rejected");
            notify_reply_fail(FAIL_MSG_REJECTED)
        }
        NotifyVerdict::Error => {
            tracing::error!(out_trade_no, reason = %decision.reason, "notification not processed; replying FAIL so that WeChat retries it");
            notify_reply_fail(FAIL_MSG_RETRY)
        }
    };
    NotifyReply {
        verdict: decision.verdict,
        body,
    }
}
