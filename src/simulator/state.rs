//! Shared state of one simulator: its configuration, the orders, the HTTP client that sends
//! notifications, and the stop signal.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::Utc;
use tokio::sync::watch;

use super::bill::BillControls;
use super::config::SimulatorConfig;
use super::error::SimulatorError;
use super::faults::{Fault, FaultQueue, FaultTarget};
use super::notify::{self, NotifyAttempt};
use super::store::Store;
use crate::protocol::messages::TradeState;

/// Shared, cheaply cloned handle to one simulator's state; [`super::router`] serves it.
#[derive(Clone)]
pub struct SimulatorState {
    inner: Arc<Shared>,
}

struct Shared {
    config: SimulatorConfig,
    /// Locked only for short, synchronous updates, never across an `.await`.
    store: Mutex<Store>,
    faults: Mutex<FaultQueue>,
    /// downloadbill settings and the refunds its bills list.
    bills: Mutex<BillControls>,
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
    stop: watch::Sender<bool>,
    /// Set whenever the orders or the bills' refunds may have changed since the last save.
    changed: AtomicBool,
    /// State file of the trades; `None` keeps them in memory only.
    persistence: Option<super::persist::Persistence>,
}

/// A locked value that marks the simulator's trades as changed whenever it is borrowed
/// mutably, so the saver writes them out.
pub(crate) struct ChangeGuard<'a, T> {
    guard: MutexGuard<'a, T>,
    changed: &'a AtomicBool,
}

impl<T> Deref for ChangeGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for ChangeGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.changed.store(true, Ordering::Release);
        &mut self.guard
    }
}

/// An order's state as the control API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderStatus {
    pub trade_state: TradeState,
    /// Set once the order is paid.
    pub transaction_id: Option<String>,
    pub notify_attempts: usize,
    pub notify_acknowledged: bool,
}

impl SimulatorState {
    /// Creates the state for `config`. Must be called inside a tokio runtime, which later
    /// runs the notification deliveries.
    pub fn new(config: SimulatorConfig) -> Result<Self, SimulatorError> {
        config
            .validate()
            .map_err(|reason| SimulatorError::InvalidConfig { reason })?;
        let runtime = tokio::runtime::Handle::try_current().map_err(SimulatorError::NoRuntime)?;
        let http = notify::http_client(&config)?;
        let (stop, _) = watch::channel(false);
        let mut store = Store::default();
        let mut bills = BillControls::default();
        let persistence = match &config.state_file {
            Some(path) => super::persist::Persistence::open(path, &config, &mut store, &mut bills),
            None => None,
        };
        let state = SimulatorState {
            inner: Arc::new(Shared {
                config,
                store: Mutex::new(store),
                faults: Mutex::new(FaultQueue::default()),
                bills: Mutex::new(bills),
                http,
                runtime,
                stop,
                changed: AtomicBool::new(false),
                persistence,
            }),
        };
        if state.inner.persistence.is_some() {
            state
                .inner
                .runtime
                .spawn(super::persist::run_saver(state.clone()));
        }
        Ok(state)
    }

    /// Returns whether this simulator saves its trades to its state file. It does not when
    /// it runs without one, or when another process has locked the file.
    pub fn is_persistent(&self) -> bool {
        self.inner
            .persistence
            .as_ref()
            .is_some_and(super::persist::Persistence::is_held)
    }

    /// Saves the last changes and releases the state file; called when the simulator stops.
    pub(crate) fn finish_saving(&self) {
        self.save_changes(true);
    }

    /// Writes the trades to the state file if they changed since the last save. Errors are
    /// logged: losing the demo gateway's memory must not stop a sale.
    pub fn save_if_changed(&self) {
        self.save_changes(false);
    }

    fn save_changes(&self, release: bool) {
        let Some(persistence) = &self.inner.persistence else {
            return;
        };
        let snapshot = || {
            if !self.inner.changed.swap(false, Ordering::AcqRel) {
                return None;
            }
            let store = self
                .inner
                .store
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let bills = self
                .inner
                .bills
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Some(super::persist::Snapshot::capture(&store, &bills))
        };
        if let Err(err) = persistence.save_with(snapshot, release) {
            // Try again at the next check.
            self.inner.changed.store(true, Ordering::Release);
            tracing::error!(
                path = %persistence.path().display(),
                error = %crate::error_text::error_chain(&err),
                "cannot save the simulated gateway's trades"
            );
        }
    }

    /// Returns the configuration the simulator runs with.
    pub fn config(&self) -> &SimulatorConfig {
        &self.inner.config
    }

    /// Locks the order store. A panic in another holder cannot leave an order half-changed,
    /// because every update is a single assignment, so a poisoned lock is used as it is.
    pub(crate) fn lock_store(&self) -> ChangeGuard<'_, Store> {
        ChangeGuard {
            guard: self
                .inner
                .store
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            changed: &self.inner.changed,
        }
    }

    /// Locks the downloadbill settings; every update is a single assignment or push, so a
    /// poisoned lock is used as it is.
    pub(crate) fn lock_bills(&self) -> ChangeGuard<'_, BillControls> {
        ChangeGuard {
            guard: self
                .inner
                .bills
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            changed: &self.inner.changed,
        }
    }

    /// Queues `fault` for the next request to `target` that has no earlier fault queued.
    pub fn inject_fault(&self, target: FaultTarget, fault: Fault) {
        tracing::debug!(?target, ?fault, "fault queued");
        self.inner
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(target, fault);
    }

    /// Takes the next queued fault for `target`, if any.
    pub(crate) fn take_fault(&self, target: FaultTarget) -> Option<Fault> {
        self.inner
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take(target)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Pays the NOTPAY order `out_trade_no` as a customer scanning its QR code would, starts
    /// notification delivery, and returns the new `transaction_id`.
    pub fn pay(&self, out_trade_no: &str) -> Result<String, SimulatorError> {
        let (order, payment) = self.lock_store().mark_paid(out_trade_no, Utc::now())?;
        tracing::info!(
            mch_id = %order.mch_id,
            out_trade_no = %order.out_trade_no,
            transaction_id = %payment.transaction_id,
            total_fee = order.total_fee.fen(),
            "simulated payment completed"
        );

        let delivery = notify::Delivery::new(&order, &payment);
        let state = self.clone();
        self.inner.runtime.spawn(notify::deliver(state, delivery));
        Ok(payment.transaction_id)
    }

    /// Marks the NOTPAY order `out_trade_no` as PAYERROR, as a failed bank payment would.
    /// No notification is sent.
    pub fn fail(&self, out_trade_no: &str) -> Result<(), SimulatorError> {
        let mut store = self.lock_store();
        let order = store.find_unique_mut(out_trade_no)?;
        order.check_payable(Utc::now())?;
        order.trade_state = TradeState::PayError;
        tracing::info!(mch_id = %order.mch_id, out_trade_no, "simulated payment failed");
        Ok(())
    }

    /// Returns the state of order `out_trade_no`.
    pub fn order_status(&self, out_trade_no: &str) -> Result<OrderStatus, SimulatorError> {
        let mut store = self.lock_store();
        let order = store.find_unique_mut(out_trade_no)?;
        Ok(OrderStatus {
            trade_state: order.trade_state.clone(),
            transaction_id: order
                .payment
                .as_ref()
                .map(|payment| payment.transaction_id.clone()),
            notify_attempts: order.notify_attempts.len(),
            notify_acknowledged: order.notify_acknowledged,
        })
    }

    /// Returns every notification attempt made for order `out_trade_no`, oldest first; empty
    /// when the order is unknown or was never paid.
    pub fn notify_attempts(&self, out_trade_no: &str) -> Vec<NotifyAttempt> {
        match self.lock_store().find_unique_mut(out_trade_no) {
            Ok(order) => order.notify_attempts.clone(),
            Err(_) => Vec::new(),
        }
    }

    /// Appends a notification attempt to its order.
    pub(crate) fn record_attempt(&self, mch_id: &str, out_trade_no: &str, attempt: NotifyAttempt) {
        if let Some(order) = self.lock_store().order_mut(mch_id, out_trade_no) {
            order.notify_acknowledged |= attempt.outcome.is_acknowledged();
            order.notify_attempts.push(attempt);
        }
    }

    /// Stops the server and every notification delivery.
    pub fn stop(&self) {
        self.inner.stop.send_replace(true);
    }

    /// Completes once [`SimulatorState::stop`] was called.
    pub(crate) async fn stopped(&self) {
        let mut receiver = self.inner.stop.subscribe();
        // `wait_for` also returns at once when the flag is already set. It fails only when
        // the sender is dropped, which cannot happen while `self` owns it.
        let _ = receiver.wait_for(|stopped| *stopped).await;
    }
}
