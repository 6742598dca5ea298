//! The order lifecycle: creating a Native order, closing it, and confirming its payment.
//!
//! Every payment goes through [`PaymentService::confirm`], whether the evidence is a verified
//! notification or an orderquery that returned `trade_state=SUCCESS` with the right amount.
//! Nothing else marks an order paid.

mod charge;
mod notification;
mod poller;
mod receipts;
mod refund;
mod scan;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::gateway::refund::RefundClient;
use crate::gateway::{GatewayClient, GatewayError};
use crate::printer::PrinterSettings;
use crate::store::{
    ConfirmError, OrderRecord, OrderState, PaymentRecord, PaymentWriter, Recorded, Store,
    StoreError,
};

pub use charge::{ChargeError, MAX_BODY_BYTES, truncate_body};
pub use notification::{NotifyReply, NotifyVerdict};
pub use poller::RECONCILE_WAIT;
pub use receipts::{SlipError, SlipOutput};
pub use refund::{
    REFUND_ATTEMPTS, REFUND_IN_FLIGHT_MS, REFUND_RETRY_DELAY, RefundError, new_out_refund_no,
};
pub use scan::{
    SCAN_FAIL_MSG, SCAN_MSG_DISABLED_PRODUCT, SCAN_MSG_ORDER_FAILED, SCAN_MSG_ORDER_SETTLED,
    SCAN_MSG_UNKNOWN_PRODUCT, ScanReply, ScanVerdict,
};

/// Capacity of the order event channel. A subscriber that falls this far behind misses events
/// and must re-read the order from the store, which the cashier screen's poll does anyway.
pub const ORDER_EVENT_CAPACITY: usize = 256;
/// How long a `code_url` can be paid: 2 hours, as for WeChat's own mode 2 links.
pub const ORDER_LIFETIME: Duration = Duration::from_secs(2 * 3600);

/// Settings the lifecycle needs beyond the gateway client and the store.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// The URL WeChat posts payment notifications to (the listener's public address).
    pub notify_url: String,
    pub spbill_create_ip: String,
    /// The counter's terminal id, sent as `device_info`.
    pub device_info: String,
    pub order_lifetime: Duration,
    pub receipt_dir: PathBuf,
    pub merchant_name: String,
    pub demo_mode: bool,
    /// Delays between orderquery calls while an order awaits payment; the last one repeats.
    pub query_intervals: Vec<Duration>,
    /// Attempts for a unifiedorder that timed out or returned SYSTEMERROR, all with the same
    /// `out_trade_no` and fields.
    pub unified_order_attempts: u32,
    /// Whether a receipt (short link, PDF, row) is written after each payment.
    pub write_receipts: bool,
    /// The receipt printer; receipts print after payment when it prints automatically.
    pub printer: PrinterSettings,
    /// The URL refund result notifications go to (the listener's refund path). Empty sends
    /// none, so the URL set on the merchant platform stays in force.
    pub refund_notify_url: String,
}

impl ServiceOptions {
    /// Options with the usual schedule: query after 3 s, then back off to every 30 s.
    pub fn new(notify_url: String, receipt_dir: PathBuf) -> Self {
        ServiceOptions {
            notify_url,
            spbill_create_ip: "127.0.0.1".into(),
            device_info: "POS01".into(),
            order_lifetime: ORDER_LIFETIME,
            receipt_dir,
            merchant_name: String::new(),
            demo_mode: false,
            query_intervals: [3, 3, 5, 5, 10, 10, 15, 30]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            unified_order_attempts: 3,
            write_receipts: true,
            printer: PrinterSettings::default(),
            refund_notify_url: String::new(),
        }
    }
}

/// A change of an order's state, published after it is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    pub out_trade_no: String,
    pub state: OrderState,
    pub transaction_id: Option<String>,
}

/// A paid receipt that did not reach the printer. The payment and the receipt PDF are kept,
/// so the receipt can be printed again once the printer is back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPrintFailure {
    pub out_trade_no: String,
    /// The printer error and its causes.
    pub detail: String,
}

/// A failure to confirm or query a payment.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(transparent)]
    Confirm(#[from] ConfirmError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the gateway reported order {out_trade_no} paid without {field}")]
    IncompletePayment {
        out_trade_no: String,
        field: &'static str,
    },
    #[error("a database task stopped unexpectedly")]
    TaskFailed(#[source] tokio::task::JoinError),
}

/// The order lifecycle, shared by the cashier UI, the listener and the command line.
pub struct PaymentService {
    store: Store,
    /// Commits payments and audit rows in batches on its own connection.
    writer: PaymentWriter,
    gateway: GatewayClient,
    /// The client-certificate client for `/secapi/pay/refund`; `None` when no certificate
    /// is configured, and then refunds are refused.
    refund_gateway: Option<RefundClient>,
    options: ServiceOptions,
    events: broadcast::Sender<OrderEvent>,
    /// Paid receipts that the printer did not take, for the cashier screen to report.
    print_failures: broadcast::Sender<ReceiptPrintFailure>,
    /// False while start-up reconciliation of open orders runs; new charges wait for it.
    reconciled: tokio::sync::watch::Sender<bool>,
    /// Receipt tasks not yet awaited, so a short-lived command can let them finish.
    receipt_tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// The printer in use: `options.printer` at start, replaced when the settings are saved.
    printer: std::sync::RwLock<PrinterSettings>,
    /// Serializes mode-1 scan callbacks so a repeated callback finds the order made for the
    /// first one; held across unifiedorder, hence an async mutex.
    scan_lock: tokio::sync::Mutex<()>,
}

impl PaymentService {
    /// Creates the service and starts its payment writer thread. Call
    /// [`PaymentService::resume_open_orders`] once the runtime runs.
    pub fn new(
        store: Store,
        gateway: GatewayClient,
        options: ServiceOptions,
    ) -> Result<Arc<Self>, StoreError> {
        Self::with_refund_gateway(store, gateway, None, options)
    }

    /// Creates the service as [`PaymentService::new`] does, with the client that makes
    /// refunds (`None` refuses refunds).
    pub fn with_refund_gateway(
        store: Store,
        gateway: GatewayClient,
        refund_gateway: Option<RefundClient>,
        options: ServiceOptions,
    ) -> Result<Arc<Self>, StoreError> {
        let (events, _) = broadcast::channel(ORDER_EVENT_CAPACITY);
        let (print_failures, _) = broadcast::channel(ORDER_EVENT_CAPACITY);
        let writer = PaymentWriter::start(store.path())?;
        let printer = std::sync::RwLock::new(options.printer.clone());
        Ok(Arc::new(PaymentService {
            store,
            writer,
            gateway,
            refund_gateway,
            options,
            events,
            print_failures,
            reconciled: tokio::sync::watch::Sender::new(true),
            receipt_tasks: std::sync::Mutex::new(Vec::new()),
            printer,
            scan_lock: tokio::sync::Mutex::new(()),
        }))
    }

    /// Returns the store behind the service.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Returns the gateway client behind the service.
    pub fn gateway(&self) -> &GatewayClient {
        &self.gateway
    }

    /// Returns the service's settings.
    pub fn options(&self) -> &ServiceOptions {
        &self.options
    }

    /// Returns the printer that receipts and slips go to now.
    pub fn printer(&self) -> PrinterSettings {
        // A poisoned lock still holds a checked value: a writer only swaps in a whole one.
        match self.printer.read() {
            Ok(printer) => printer.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the printer for the receipts and slips that follow, after the settings screen
    /// saved a new `[printer]` table.
    pub fn set_printer(&self, printer: PrinterSettings) {
        tracing::info!(target = %printer.target_description(), "printer changed");
        match self.printer.write() {
            Ok(mut current) => *current = printer,
            Err(poisoned) => *poisoned.into_inner() = printer,
        }
    }

    /// Subscribes to committed order state changes.
    pub fn subscribe(&self) -> broadcast::Receiver<OrderEvent> {
        self.events.subscribe()
    }

    /// Subscribes to paid receipts that failed to print automatically.
    pub fn subscribe_print_failures(&self) -> broadcast::Receiver<ReceiptPrintFailure> {
        self.print_failures.subscribe()
    }

    /// Loads an order from the store, off the async threads.
    pub async fn order(&self, out_trade_no: &str) -> Result<Option<OrderRecord>, LifecycleError> {
        let store = self.store.clone();
        let out_trade_no = out_trade_no.to_owned();
        blocking(move || store.order(&out_trade_no)).await
    }

    /// The one path that marks an order paid: commits `payment` exactly once and, when this
    /// call committed it, publishes the event and starts the receipt.
    pub async fn confirm(
        self: &Arc<Self>,
        payment: PaymentRecord,
    ) -> Result<Recorded, LifecycleError> {
        let outcome = self.writer.write(Some(payment.clone()), None).await?;
        let recorded = outcome.ok_or_else(|| LifecycleError::IncompletePayment {
            out_trade_no: payment.out_trade_no.clone(),
            field: "payment",
        })?;
        self.after_commit(&payment, &recorded);
        Ok(recorded)
    }

    /// Logs and publishes a committed payment and starts its receipt; does nothing for a
    /// payment that was already recorded.
    fn after_commit(self: &Arc<Self>, payment: &PaymentRecord, recorded: &Recorded) {
        if let Recorded::New { previous_state } = recorded {
            if !previous_state.is_open() {
                tracing::warn!(
                    out_trade_no = %payment.out_trade_no,
                    previous_state = previous_state.as_str(),
                    "payment arrived for an order that was no longer open; recorded anyway"
                );
            }
            tracing::info!(
                out_trade_no = %payment.out_trade_no,
                transaction_id = %payment.transaction_id,
                total_fee = payment.total_fee.fen(),
                source = ?payment.source,
                "payment confirmed"
            );
            self.publish(
                &payment.out_trade_no,
                OrderState::Paid,
                Some(payment.transaction_id.clone()),
            );
            if self.options.write_receipts {
                let service = Arc::clone(self);
                let out_trade_no = payment.out_trade_no.clone();
                let task = tokio::spawn(async move { service.write_receipt(&out_trade_no).await });
                let mut tasks = self
                    .receipt_tasks
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                tasks.retain(|task| !task.is_finished());
                tasks.push(task);
            }
        }
    }

    /// Waits for every receipt task started so far (short link, PDF, row, printing), so a
    /// command-line process does not exit in the middle of one.
    pub async fn finish_receipts(&self) {
        let tasks: Vec<_> = {
            let mut tasks = self
                .receipt_tasks
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            tasks.drain(..).collect()
        };
        for task in tasks {
            if let Err(err) = task.await {
                tracing::error!(error = %err, "receipt task stopped");
            }
        }
    }

    /// Moves an order between states and publishes the change when it happened.
    async fn transition(
        &self,
        out_trade_no: &str,
        from: &'static [OrderState],
        to: OrderState,
        reason: &'static str,
    ) -> Result<bool, LifecycleError> {
        let store = self.store.clone();
        let key = out_trade_no.to_owned();
        let moved = blocking(move || store.transition(&key, from, to, reason)).await?;
        if moved.is_some() {
            self.publish(out_trade_no, to, None);
        }
        Ok(moved.is_some())
    }

    fn publish(&self, out_trade_no: &str, state: OrderState, transaction_id: Option<String>) {
        // No subscriber is not an error: the state is in the store either way.
        let _ = self.events.send(OrderEvent {
            out_trade_no: out_trade_no.to_owned(),
            state,
            transaction_id,
        });
    }
}

/// Runs a store call on the blocking pool.
async fn blocking<T, F>(work: F) -> Result<T, LifecycleError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(LifecycleError::TaskFailed)?
        .map_err(LifecycleError::Store)
}
