//! SQLite in the data directory: WAL, a busy timeout, embedded migrations
//! applied transactionally, and a refusal to touch a database written by a
//! newer Loova Desk.

mod accounts;
mod batches;
mod compat;
mod jobs;
mod library;
mod migrations;
mod remote_notices;
mod runtimes;
mod settings;
mod spending;
mod studio;

pub use accounts::{AccountRow, AccountStatus, AppCreditsSource, NewAccount};
pub use batches::{BatchCounts, StoredBatch};
pub use jobs::{
    AccountStateCount, Col, EditedJob, JobFilter, JobOrder, JobRow, JobState, MoveReason, MovedFrom, NewBatch, NewJob, Patch, Place, Placed, StateCounts,
    TextSearch,
};
pub use library::{LibraryEntry, LibraryFacets, LibraryFilter, LibraryQuery, LibraryRow, LibrarySort, Take, MAX_PAGE};
pub use remote_notices::{BatchStateCount, OutboxRow, StoredTarget};
pub use spending::{AlertKind, BalanceRead, Budget, ChargeFilter, ChargeRow, RefundState};
pub use studio::StoredStudioLink;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub const DB_FILE: &str = "loova-desk.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("This data folder ({path}) was written by a newer Loova Desk (database version {found}; this one knows up to {known}). Update Loova Desk, or set LOOVA_DESK_DATA_DIR to another folder. Nothing was changed.")]
    NewerVersion { path: String, found: i64, known: i64 },
    #[error("Could not open the database at {path}: {reason}. Check that the folder exists and is writable.")]
    Open { path: String, reason: String },
    #[error("The database failed: {0}")]
    Sql(#[from] rusqlite::Error),
}

impl StoreError {
    pub fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            StoreError::NewerVersion { .. } => ErrorCode::DatabaseNewerVersion,
            StoreError::Open { .. } => ErrorCode::DatabaseOpenFailed,
            StoreError::Sql(_) => ErrorCode::Database,
        }
    }
}

/// SQLite's `PRAGMA synchronous` for a WAL database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is fsynced before it returns: it survives power loss.
    Full,
    /// The WAL is fsynced only at checkpoints: a power loss or OS crash may
    /// roll back the last commits (a process crash does not).
    Normal,
}

/// One connection, shared behind a mutex: every statement is short, and the
/// engine (another process) uses its own connection with the busy timeout.
pub struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Db {
    pub fn open_in(data_dir: &Path) -> Result<Db, StoreError> {
        let open_err = |reason: String| StoreError::Open { path: data_dir.display().to_string(), reason };
        std::fs::create_dir_all(data_dir).map_err(|e| open_err(e.to_string()))?;
        let path = data_dir.join(DB_FILE);
        let mut conn = Connection::open(&path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // Refuse a newer database before changing anything about it.
        migrations::check_version(&conn, &path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on
        // power loss, and the `submitting` row written before a create leaves
        // (or `running` + task id after) must survive it, or the job comes
        // back `queued` and is sent (and charged) twice. See ARCHITECTURE.md,
        // "Durability and unknown outcomes".
        conn.pragma_update(None, "synchronous", "FULL")?;
        // On macOS fsync() only hands the data to the drive, whose cache may
        // still lose it on power loss; F_FULLFSYNC flushes the drive too. So
        // FULL alone is not durable there: these make every commit (and every
        // checkpoint) use F_FULLFSYNC. Set on every OS because elsewhere
        // SQLite accepts and ignores them, so one code path is tested.
        conn.pragma_update(None, "fullfsync", "ON")?;
        conn.pragma_update(None, "checkpoint_fullfsync", "ON")?;
        // Migrations run with foreign keys off (SQLite's advice for rebuilding
        // a table; `apply` checks them before each commit), then they are on.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        migrations::apply(&mut conn, &path)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(Db { conn: Mutex::new(conn), path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data folder: where the database lives (and the copies of local
    /// files, the posters, the Sandbox).
    pub fn data_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// Sets how this connection's commits reach the disk. `open_in` already
    /// sets [`Durability::Full`]; only `scripts/bench` lowers it, to measure
    /// what a durable transition costs against WAL's default.
    pub fn set_durability(&self, durability: Durability) -> Result<(), StoreError> {
        let mode = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        self.conn().pragma_update(None, "synchronous", mode)?;
        Ok(())
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A stored value this version does not know (written by hand or by a
/// newer app): an error, never silently read as some default.
pub(crate) fn bad_value(column: usize, what: &str, value: &str) -> rusqlite::Error {
    let why = format!("{what} holds \"{value}\", which this version of Loova Desk does not know");
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, why.into())
}

/// Milliseconds since the Unix epoch: what every timestamp column holds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::Db;

    fn synchronous(db: &Db) -> i64 {
        db.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap()
    }

    /// 2 = FULL: every commit is fsynced before it returns.
    #[test]
    fn every_connection_commits_durably() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = Db::open_in(dir.path()).unwrap();
        assert_eq!(synchronous(&fresh), 2, "fresh database");
        drop(fresh);
        let reopened = Db::open_in(dir.path()).unwrap();
        assert_eq!(synchronous(&reopened), 2, "reopened database");
        let mode: String = reopened.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    /// macOS: a plain fsync may leave a commit in the drive's cache; these
    /// two make SQLite use F_FULLFSYNC (a no-op elsewhere, still set).
    #[test]
    fn commits_and_checkpoints_flush_the_drive_cache() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        let pragma = |name: &str| -> i64 { db.conn().query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap() };
        assert_eq!(pragma("fullfsync"), 1, "fullfsync");
        assert_eq!(pragma("checkpoint_fullfsync"), 1, "checkpoint_fullfsync");
    }

    /// Only the benchmark lowers it; the setting is per connection.
    #[test]
    fn durability_can_be_lowered_and_raised_again() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_in(dir.path()).unwrap();
        db.set_durability(super::Durability::Normal).unwrap();
        assert_eq!(synchronous(&db), 1);
        db.set_durability(super::Durability::Full).unwrap();
        assert_eq!(synchronous(&db), 2);
    }
}
