//! Keeps the simulated gateway's trades (orders, payments, short links and refunds) in a JSON
//! file, so a demo gateway restarted with the app still serves orderquery, refund and
//! downloadbill for the orders of earlier runs, as WeChat's servers do.
//!
//! Saves are whole snapshots, written to a temporary file, synced and renamed over the old
//! one, so a crash leaves either the previous or the new snapshot. A saver task writes a
//! snapshot at most every [`SAVE_INTERVAL`] after a change, and the handle writes the last
//! one when the simulator stops. An exclusive lock on a `.lock` file beside the state file
//! keeps two running simulators from overwriting each other's trades: the second one loads
//! the trades but keeps its own changes in memory.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::bill::BillControls;
use super::bill_render::BillRefund;
use super::config::SimulatorConfig;
use super::refund::SimulatedRefund;
use super::state::SimulatorState;
use super::store::{Order, Payment, Store};
use crate::error_text::error_chain;
use crate::money::Fen;
use crate::protocol::SignType;
use crate::protocol::messages::TradeState;
use crate::protocol::refund::RefundStatus;

/// Time between checks for changed trades; a crash loses at most this much of the
/// simulator's memory.
pub const SAVE_INTERVAL: Duration = Duration::from_millis(200);

/// Version of the file layout below; a file of another version is set aside, not read.
const FORMAT_VERSION: u32 = 1;

/// An open state file: its path and the lock that makes this process its only writer.
pub(crate) struct Persistence {
    path: PathBuf,
    /// Held until the simulator stops; the lock goes with the file handle.
    lock: Mutex<Option<File>>,
}

impl Persistence {
    /// Loads the trades saved at `path` into `store` and `bills`, and takes the file's lock.
    /// Returns `None`, after logging why, when another process holds the lock (the trades
    /// are still loaded) or the folder cannot be written. A file that cannot be read as a
    /// snapshot is renamed aside with a `.unreadable` suffix by the process that takes the
    /// lock, and the simulator starts empty.
    pub(crate) fn open(
        path: &Path,
        config: &SimulatorConfig,
        store: &mut Store,
        bills: &mut BillControls,
    ) -> Option<Persistence> {
        let lock = take_lock(path);
        match read_snapshot(path) {
            Ok(Some(snapshot)) => snapshot.restore(config, store, bills),
            Ok(None) => {}
            // Only the file's owner moves it; another process's simulator starts empty.
            Err(reason) if lock.is_some() => set_aside(path, &reason),
            Err(reason) => tracing::warn!(
                path = %path.display(),
                reason,
                "simulator state file is unreadable; this simulator starts with no trades"
            ),
        }
        let lock = lock?;
        Some(Persistence {
            path: path.to_owned(),
            lock: Mutex::new(Some(lock)),
        })
    }

    /// Returns whether this process still has the state file locked.
    pub(crate) fn is_held(&self) -> bool {
        self.lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs one save: with the file lock's mutex held, so saves never overlap and the lock
    /// is never released in the middle of one, calls `snapshot` and writes what it returns.
    /// `release` then gives up the lock, so a simulator started next (in this process or
    /// another) takes over the file; nothing is saved after that.
    pub(crate) fn save_with(
        &self,
        snapshot: impl FnOnce() -> Option<Snapshot>,
        release: bool,
    ) -> std::io::Result<()> {
        let mut lock = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        if lock.is_none() {
            return Ok(());
        }
        let written = match snapshot() {
            Some(snapshot) => self.write(&snapshot),
            None => Ok(()),
        };
        if release {
            lock.take();
        }
        written
    }

    /// Writes `snapshot` over the state file, atomically.
    fn write(&self, snapshot: &Snapshot) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(snapshot).map_err(std::io::Error::other)?;
        let temporary = self.path.with_extension("json.tmp");
        {
            let mut file = File::create(&temporary)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
        }
        std::fs::rename(&temporary, &self.path)?;
        if let Some(folder) = self.path.parent()
            && let Ok(folder) = File::open(folder)
        {
            // Makes the rename itself durable; not every platform can sync a folder.
            let _ = folder.sync_all();
        }
        Ok(())
    }
}

/// Saves the simulator's trades whenever they change, until it stops.
pub(crate) async fn run_saver(state: SimulatorState) {
    let mut ticks = tokio::time::interval(SAVE_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = state.stopped() => {
                state.finish_saving();
                return;
            }
        }
        let saving = state.clone();
        if let Err(err) = tokio::task::spawn_blocking(move || saving.save_if_changed()).await {
            tracing::error!(error = %err, "simulator save task failed");
        }
    }
}

/// Opens and locks `<path>.lock`, or returns `None` after logging why.
fn take_lock(path: &Path) -> Option<File> {
    let lock_path = path.with_extension("lock");
    if let Some(folder) = path.parent()
        && let Err(err) = std::fs::create_dir_all(folder)
    {
        tracing::warn!(folder = %folder.display(), error = %err, "cannot create the simulator state folder; trades are kept in memory only");
        return None;
    }
    let file = match OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
    {
        Ok(file) => file,
        Err(err) => {
            tracing::warn!(path = %lock_path.display(), error = %err, "cannot open the simulator lock file; trades are kept in memory only");
            return None;
        }
    };
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(err) => {
            tracing::warn!(
                path = %lock_path.display(),
                error = %err,
                "another wxpay-pos process runs the demo gateway; this one loads its saved trades but keeps its own changes in memory"
            );
            None
        }
    }
}

/// Reads the snapshot at `path`: `Ok(None)` when there is no file yet, `Err` with the reason
/// when the file is not a snapshot of [`FORMAT_VERSION`].
fn read_snapshot(path: &Path) -> Result<Option<Snapshot>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(error_chain(&err)),
    };
    let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|err| err.to_string())?;
    if snapshot.format != FORMAT_VERSION {
        return Err(format!(
            "format {} is not the supported {FORMAT_VERSION}",
            snapshot.format
        ));
    }
    Ok(Some(snapshot))
}

/// Renames an unreadable state file aside, so it is kept for inspection and not overwritten.
fn set_aside(path: &Path, reason: &str) {
    let aside = path.with_extension("json.unreadable");
    match std::fs::rename(path, &aside) {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            moved_to = %aside.display(),
            reason,
            "simulator state file is unreadable; the simulator starts with no trades"
        ),
        Err(err) => tracing::warn!(
            path = %path.display(),
            reason,
            error = %err,
            "simulator state file is unreadable and cannot be moved aside; the simulator starts with no trades"
        ),
    }
}

/// Every trade of the simulator, as written to the state file.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    format: u32,
    orders: Vec<SavedOrder>,
    /// Short link by long link.
    short_urls: BTreeMap<String, String>,
    refunds: Vec<SavedRefund>,
    bill_refunds: Vec<SavedBillRefund>,
}

/// An order without its API key, which is looked up by `mch_id` when loaded, and without
/// its notification attempts, whose deliveries end with the process.
#[derive(Debug, Serialize, Deserialize)]
struct SavedOrder {
    appid: String,
    mch_id: String,
    out_trade_no: String,
    business_fields: BTreeMap<String, String>,
    sign_type: SignType,
    total_fee: i64,
    notify_url: String,
    attach: String,
    device_info: String,
    prepay_id: String,
    code_url: String,
    code_url_expires_at_ms: i64,
    time_expire_ms: Option<i64>,
    trade_state: String,
    payment: Option<SavedPayment>,
    notify_acknowledged: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedPayment {
    transaction_id: String,
    time_end: String,
    openid: String,
}

/// A refund without its notification attempts.
#[derive(Debug, Serialize, Deserialize)]
struct SavedRefund {
    mch_id: String,
    appid: String,
    out_refund_no: String,
    refund_id: String,
    out_trade_no: String,
    transaction_id: String,
    total_fee: i64,
    refund_fee: i64,
    state: String,
    success_time: Option<String>,
    created_at_ms: i64,
    notify_url: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedBillRefund {
    appid: String,
    mch_id: String,
    device_info: String,
    transaction_id: String,
    out_trade_no: String,
    openid: String,
    refund_id: String,
    out_refund_no: String,
    refund_fee: i64,
    refund_status: String,
    requested_at_ms: i64,
    succeeded_at_ms: Option<i64>,
    body: String,
    attach: String,
}

impl Snapshot {
    /// Copies the trades out of the locked store and bill settings.
    pub(crate) fn capture(store: &Store, bills: &BillControls) -> Snapshot {
        Snapshot {
            format: FORMAT_VERSION,
            orders: store.orders().map(SavedOrder::from_order).collect(),
            short_urls: store
                .short_urls()
                .iter()
                .map(|(long_url, short_url)| (long_url.clone(), short_url.clone()))
                .collect(),
            refunds: store
                .refunds
                .all()
                .iter()
                .map(SavedRefund::from_refund)
                .collect(),
            bill_refunds: bills
                .refunds
                .iter()
                .map(SavedBillRefund::from_bill_refund)
                .collect(),
        }
    }

    /// Puts the saved trades into `store` and `bills`. Orders of merchants that `config` no
    /// longer lists are skipped, because their notifications could not be signed.
    fn restore(self, config: &SimulatorConfig, store: &mut Store, bills: &mut BillControls) {
        let saved_orders = self.orders.len();
        let mut skipped = 0;
        for saved in self.orders {
            match config.merchant(&saved.mch_id) {
                Some(merchant) => store.insert(saved.into_order(merchant.api_key.clone())),
                None => skipped += 1,
            }
        }
        for (long_url, short_url) in self.short_urls {
            store.restore_short_url(long_url, short_url);
        }
        let refunds = self.refunds.len();
        for refund in self.refunds {
            store.refunds.restore(refund.into_refund());
        }
        bills.refunds.extend(
            self.bill_refunds
                .into_iter()
                .map(SavedBillRefund::into_bill_refund),
        );
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "saved simulator orders of merchants no longer configured were skipped"
            );
        }
        tracing::info!(
            orders = saved_orders - skipped,
            refunds,
            "simulated gateway trades loaded from the state file"
        );
    }
}

impl SavedOrder {
    fn from_order(order: &Order) -> SavedOrder {
        SavedOrder {
            appid: order.appid.clone(),
            mch_id: order.mch_id.clone(),
            out_trade_no: order.out_trade_no.clone(),
            business_fields: order.business_fields.clone(),
            sign_type: order.sign_type,
            total_fee: order.total_fee.fen(),
            notify_url: order.notify_url.clone(),
            attach: order.attach.clone(),
            device_info: order.device_info.clone(),
            prepay_id: order.prepay_id.clone(),
            code_url: order.code_url.clone(),
            code_url_expires_at_ms: order.code_url_expires_at.timestamp_millis(),
            time_expire_ms: order.time_expire.map(|time| time.timestamp_millis()),
            trade_state: order.trade_state.as_str().to_owned(),
            payment: order.payment.as_ref().map(|payment| SavedPayment {
                transaction_id: payment.transaction_id.clone(),
                time_end: payment.time_end.clone(),
                openid: payment.openid.clone(),
            }),
            notify_acknowledged: order.notify_acknowledged,
        }
    }

    fn into_order(self, api_key: crate::protocol::ApiKey) -> Order {
        Order {
            appid: self.appid,
            mch_id: self.mch_id,
            out_trade_no: self.out_trade_no,
            business_fields: self.business_fields,
            sign_type: self.sign_type,
            api_key,
            total_fee: Fen(self.total_fee),
            notify_url: self.notify_url,
            attach: self.attach,
            device_info: self.device_info,
            prepay_id: self.prepay_id,
            code_url: self.code_url,
            code_url_expires_at: time_from_ms(self.code_url_expires_at_ms),
            time_expire: self.time_expire_ms.map(time_from_ms),
            trade_state: TradeState::from_field(&self.trade_state),
            payment: self.payment.map(|payment| Payment {
                transaction_id: payment.transaction_id,
                time_end: payment.time_end,
                openid: payment.openid,
            }),
            notify_attempts: Vec::new(),
            notify_acknowledged: self.notify_acknowledged,
        }
    }
}

impl SavedRefund {
    fn from_refund(refund: &SimulatedRefund) -> SavedRefund {
        SavedRefund {
            mch_id: refund.mch_id.clone(),
            appid: refund.appid.clone(),
            out_refund_no: refund.out_refund_no.clone(),
            refund_id: refund.refund_id.clone(),
            out_trade_no: refund.out_trade_no.clone(),
            transaction_id: refund.transaction_id.clone(),
            total_fee: refund.total_fee.fen(),
            refund_fee: refund.refund_fee.fen(),
            state: refund.state.as_str().to_owned(),
            success_time: refund.success_time.clone(),
            created_at_ms: refund.created_at.timestamp_millis(),
            notify_url: refund.notify_url.clone(),
        }
    }

    fn into_refund(self) -> SimulatedRefund {
        SimulatedRefund {
            mch_id: self.mch_id,
            appid: self.appid,
            out_refund_no: self.out_refund_no,
            refund_id: self.refund_id,
            out_trade_no: self.out_trade_no,
            transaction_id: self.transaction_id,
            total_fee: Fen(self.total_fee),
            refund_fee: Fen(self.refund_fee),
            state: RefundStatus::from_field(&self.state),
            success_time: self.success_time,
            created_at: time_from_ms(self.created_at_ms),
            notify_url: self.notify_url,
            notify_attempts: Vec::new(),
        }
    }
}

impl SavedBillRefund {
    fn from_bill_refund(refund: &BillRefund) -> SavedBillRefund {
        SavedBillRefund {
            appid: refund.appid.clone(),
            mch_id: refund.mch_id.clone(),
            device_info: refund.device_info.clone(),
            transaction_id: refund.transaction_id.clone(),
            out_trade_no: refund.out_trade_no.clone(),
            openid: refund.openid.clone(),
            refund_id: refund.refund_id.clone(),
            out_refund_no: refund.out_refund_no.clone(),
            refund_fee: refund.refund_fee.fen(),
            refund_status: refund.refund_status.clone(),
            requested_at_ms: refund.requested_at.timestamp_millis(),
            succeeded_at_ms: refund.succeeded_at.map(|time| time.timestamp_millis()),
            body: refund.body.clone(),
            attach: refund.attach.clone(),
        }
    }

    fn into_bill_refund(self) -> BillRefund {
        BillRefund {
            appid: self.appid,
            mch_id: self.mch_id,
            device_info: self.device_info,
            transaction_id: self.transaction_id,
            out_trade_no: self.out_trade_no,
            openid: self.openid,
            refund_id: self.refund_id,
            out_refund_no: self.out_refund_no,
            refund_fee: Fen(self.refund_fee),
            refund_status: self.refund_status,
            requested_at: time_from_ms(self.requested_at_ms),
            succeeded_at: self.succeeded_at_ms.map(time_from_ms),
            body: self.body,
            attach: self.attach,
        }
    }
}

/// Converts saved Unix milliseconds back to a time; values outside chrono's range, which
/// a saved file cannot contain unless edited, become the Unix epoch.
fn time_from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
