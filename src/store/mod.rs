//! SQLite storage: one file in WAL mode with `synchronous=FULL`, so a committed payment
//! survives a power cut. All writes that belong together run in one transaction.

mod catalogue;
mod migrations;
mod orders;
mod refunds;
mod reports;
mod scan_orders;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

pub use catalogue::{
    CatalogueError, CatalogueStamp, MAX_BARCODE_CHARS, MAX_CATEGORY_CHARS, MAX_PRODUCT_NAME_CHARS,
    Product, ProductDraft, SavedCart, SavedCartLine,
};
pub use orders::{
    ConfirmError, NewOrder, NotificationRecord, OrderRecord, OrderState, PaymentRecord,
    PaymentSource, Recorded,
};
pub use refunds::{
    NewRefund, RefundOutcome, RefundRecord, RefundRequestError, RefundSettled, RefundState,
};
pub use reports::{
    HourTakings, ListQuery, Listing, MAX_LIST_ROWS, NotificationSummary, OrderDetail, OrderEvent,
    RangeTotals, ReportRow, RowFilter, RowKind, SortKey, TimeRange,
};
pub use writer::{AuditDraft, AuditVerdict, JobOutcome, MAX_BATCH_JOBS, PaymentWriter};

/// How long a statement waits for another connection's lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A failed store operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the database folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database migration to version {version} failed")]
    Migration {
        version: usize,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database schema version {found} is newer than this program's {known}")]
    SchemaTooNew { found: i64, known: usize },
    #[error("database operation failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the payment batch was not committed: {message}")]
    BatchFailed { message: String },
    #[error("the payment writer thread has stopped")]
    WriterStopped,
    #[error("cannot start the payment writer thread")]
    Thread {
        #[source]
        source: std::io::Error,
    },
}

/// A shared handle to the database. Cloning is cheap; operations are serialized by a mutex,
/// which is never held across an `.await` because every method is synchronous.
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let open_error = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut connection = Connection::open(path).map_err(open_error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = FULL;
                 PRAGMA foreign_keys = ON;",
            )
            .map_err(open_error)?;
        migrate(&mut connection)?;
        Ok(Store {
            connection: Arc::new(Mutex::new(connection)),
            path: path.to_path_buf(),
        })
    }

    /// Returns the database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Locks the connection. A panic while it was held cannot leave a transaction half
    /// applied (SQLite rolls it back), so a poisoned lock is safe to reuse.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Locks the connection for a module that keeps its own SQL, such as bill reconciliation.
    pub(crate) fn connection(&self) -> MutexGuard<'_, Connection> {
        self.lock()
    }

    /// Runs `PRAGMA integrity_check` and returns its first line (`ok` when healthy).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        let connection = self.lock();
        Ok(connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = migrations::MIGRATIONS.len();
    if version > known as i64 {
        return Err(StoreError::SchemaTooNew {
            found: version,
            known,
        });
    }
    for (index, sql) in migrations::MIGRATIONS
        .iter()
        .enumerate()
        .skip(version as usize)
    {
        let target = index + 1;
        let migration_error = |source| StoreError::Migration {
            version: target,
            source,
        };
        let transaction = connection.transaction().map_err(migration_error)?;
        transaction.execute_batch(sql).map_err(migration_error)?;
        transaction
            .pragma_update(None, "user_version", target as i64)
            .map_err(migration_error)?;
        transaction.commit().map_err(migration_error)?;
        tracing::info!(version = target, "database migrated");
    }
    Ok(())
}

/// Milliseconds since the Unix epoch, the unit of every `*_ms` column.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Builds the error for a text column whose value this version does not know, such as a
/// state written by a newer version; `what` names the value (`order state`).
pub(crate) fn unknown_stored_name(column: usize, what: &str, name: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown {what} {name:?}").into(),
    )
}
