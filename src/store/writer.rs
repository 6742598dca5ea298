//! Group commit for payments and notification audit rows.
//!
//! One thread owns a second connection and commits every job waiting in its queue in one
//! transaction, so a burst of notifications costs one fsync instead of two per notification.
//! Each job runs under its own savepoint: a rejected payment rolls back only its own rows.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};

use super::orders::{ConfirmError, PaymentRecord, Recorded, apply_payment};
use super::{BUSY_TIMEOUT, StoreError, now_ms};

/// Jobs waiting for the writer; a full queue makes callers wait, which slows the listener
/// rather than dropping notifications.
pub const WRITER_QUEUE_CAPACITY: usize = 4096;
/// Most jobs committed in one transaction.
pub const MAX_BATCH_JOBS: usize = 512;

/// The outcome of a job's payment: `None` when the job had no payment.
pub type JobOutcome = Result<Option<Recorded>, ConfirmError>;

/// How the audit row's verdict and reason are chosen.
#[derive(Debug, Clone)]
pub enum AuditVerdict {
    /// Decided before the job: the notification was rejected or reported a failed payment.
    Fixed {
        verdict: &'static str,
        reason: String,
    },
    /// Decided from the payment's outcome inside the transaction.
    FromOutcome(fn(&JobOutcome) -> (&'static str, String)),
}

/// A notification to keep in the audit table.
#[derive(Debug, Clone)]
pub struct AuditDraft {
    pub remote_addr: String,
    pub body: Vec<u8>,
    pub out_trade_no: Option<String>,
    pub verdict: AuditVerdict,
}

struct Job {
    payment: Option<PaymentRecord>,
    audit: Option<AuditDraft>,
    reply: oneshot::Sender<JobOutcome>,
}

/// The queue to the writer thread. Cloning is cheap; the thread stops when every clone is
/// dropped.
#[derive(Clone)]
pub struct PaymentWriter {
    jobs: mpsc::Sender<Job>,
}

impl PaymentWriter {
    /// Opens a connection to the database at `path` and starts the writer thread.
    pub fn start(path: &Path) -> Result<PaymentWriter, StoreError> {
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let connection = Connection::open(path).map_err(open_error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        connection
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(open_error)?;

        let (jobs, receiver) = mpsc::channel(WRITER_QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name("payment-writer".into())
            .spawn(move || run(connection, receiver))
            .map_err(|source| StoreError::Thread { source })?;
        Ok(PaymentWriter { jobs })
    }

    /// Commits `payment` (if any) and the audit row (if any) together, durably, and returns
    /// the payment's outcome once the transaction is on disk.
    pub async fn write(
        &self,
        payment: Option<PaymentRecord>,
        audit: Option<AuditDraft>,
    ) -> JobOutcome {
        let (reply, outcome) = oneshot::channel();
        let job = Job {
            payment,
            audit,
            reply,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(ConfirmError::Store(StoreError::WriterStopped));
        }
        outcome
            .await
            .unwrap_or(Err(ConfirmError::Store(StoreError::WriterStopped)))
    }
}

fn run(mut connection: Connection, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH_JOBS {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcomes = commit_batch(&mut connection, &batch);
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            // A caller that gave up waiting does not need the outcome.
            let _ = job.reply.send(outcome);
        }
    }
}

/// Applies every job in one immediate transaction and commits it. If the transaction cannot
/// begin or commit, every job fails and nothing is written.
fn commit_batch(connection: &mut Connection, batch: &[Job]) -> Vec<JobOutcome> {
    let failed_all = |err: rusqlite::Error| {
        tracing::error!(error = %err, jobs = batch.len(), "payment batch not committed");
        batch
            .iter()
            .map(|_| {
                Err(ConfirmError::Store(StoreError::BatchFailed {
                    message: err.to_string(),
                }))
            })
            .collect()
    };
    let transaction = match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(transaction) => transaction,
        Err(err) => return failed_all(err),
    };
    let outcomes: Vec<JobOutcome> = batch
        .iter()
        .map(|job| apply_job(&transaction, job))
        .collect();
    match transaction.commit() {
        Ok(()) => outcomes,
        Err(err) => failed_all(err),
    }
}

/// Applies one job under a savepoint, so that its failure leaves no partial rows.
fn apply_job(transaction: &Connection, job: &Job) -> JobOutcome {
    transaction
        .execute_batch("SAVEPOINT job")
        .map_err(StoreError::from)?;

    let mut outcome = match &job.payment {
        Some(payment) => apply_payment(transaction, payment).map(Some),
        None => Ok(None),
    };
    if outcome.is_err() {
        rollback_job(transaction);
    }
    if let Some(audit) = &job.audit
        && let Err(err) = insert_audit(transaction, audit, &outcome)
    {
        rollback_job(transaction);
        outcome = Err(ConfirmError::Store(err.into()));
    }

    if let Err(err) = transaction.execute_batch("RELEASE job") {
        rollback_job(transaction);
        return Err(ConfirmError::Store(err.into()));
    }
    outcome
}

fn rollback_job(transaction: &Connection) {
    if let Err(err) = transaction.execute_batch("ROLLBACK TO job") {
        tracing::error!(error = %err, "cannot roll back a payment job's savepoint");
    }
}

fn insert_audit(
    transaction: &Connection,
    audit: &AuditDraft,
    outcome: &JobOutcome,
) -> rusqlite::Result<()> {
    let (verdict, reason) = match &audit.verdict {
        AuditVerdict::Fixed { verdict, reason } => (*verdict, reason.clone()),
        AuditVerdict::FromOutcome(choose) => choose(outcome),
    };
    transaction.execute(
        "INSERT INTO notifications (received_at_ms, remote_addr, body, out_trade_no, verdict, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now_ms(), audit.remote_addr, audit.body, audit.out_trade_no, verdict, reason],
    )?;
    Ok(())
}
