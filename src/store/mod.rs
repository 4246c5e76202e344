//! The SQLite store: migrations, connection settings, and every query the console and the CLI
//! run. SQL lives here and nowhere else; callers see domain values and row views.

mod approvals;
mod audit;
mod console;
mod enterprises;
mod hotline;
mod inspection;
mod queue;
mod search;
mod today;
mod transfer;

pub use approvals::{ApprovalRow, ApprovalsSummary, NewApproval, PauseRow};
pub use audit::{Actor, AuditEntry, os_account};
pub use enterprises::{EnterpriseHit, NewCoordinator, NewEnterprise};
pub use hotline::{
    CallExport, CallFilter, CallRow, NewCall, NewPlan, OpenProblem, ProblemExport, ProblemFilter,
    ProblemNote, ProblemRecord, ProblemRow, VerificationExport, VerificationRow,
};
pub use inspection::{BookingRow, NewBooking, NewSlot, SlotRow};
pub use queue::{NewWorkItem, QueueRow, queue_window_sql};
pub use search::{FindOptions, Findings, Found, Note, Tier, Why};
pub use today::{TodayData, TodayDay};
pub use transfer::{
    ApprovalExport, BookingExport, CoordinatorExport, EnterpriseExport, EnterpriseRef, ItemExport,
    SlotExport,
};

use crate::domain::message::Message;
use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};
use std::path::{Path, PathBuf};
use std::time::Duration;

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/001_initial.sql")),
    M::up(include_str!("migrations/002_audit.sql")),
    M::up(include_str!("migrations/003_lookup_indexes.sql")),
    M::up(include_str!("migrations/004_deadline_cache.sql")),
    M::up(include_str!("migrations/005_hotline_work.sql")),
    M::up(include_str!("migrations/006_search.sql")),
    M::up(include_str!("migrations/007_approval_order.sql")),
    M::up(include_str!("migrations/008_queue_order.sql")),
    M::up(include_str!("migrations/009_provenance.sql")),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How long a writer waits for another operator's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Refused writes on a read-only seat say so in these words (the English half).
pub const READ_ONLY_MESSAGE: &str = "this console is read-only (--read-only): changes are refused";

/// Why a write on a read-only seat is refused.
pub fn read_only_message() -> Message {
    Message::new("只读席位（--read-only）：不能更改数据", READ_ONLY_MESSAGE)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    access: Access,
    actor: Actor,
    /// The OS account of this process, recorded on every audit entry.
    account: String,
}

/// The default database: `$XDG_DATA_HOME/aeo-console/aeo.db` (or the platform's data directory).
pub fn default_path() -> Result<PathBuf> {
    let dir = dirs::data_dir().ok_or_else(|| {
        anyhow!("no data directory could be found for this user: pass --db PATH or set AEO_DB")
    })?;
    Ok(dir.join("aeo-console").join("aeo.db"))
}

pub(crate) fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn opt_ts(secs: Option<i64>) -> Option<Timestamp> {
    secs.map(ts)
}

impl Store {
    /// Opens (creating when allowed) and migrates the database at `path`.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        if access == Access::ReadOnly && !path.exists() {
            bail!(
                "database {} does not exist (a read-only console cannot create it)",
                path.display()
            );
        }
        if access == Access::ReadWrite
            && let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
            && !dir.exists()
        {
            create_private_dir(dir)
                .with_context(|| format!("cannot create directory {}", dir.display()))?;
        }
        if access == Access::ReadWrite && !path.exists() {
            create_private_file(path)
                .with_context(|| format!("cannot create database {}", path.display()))?;
        }
        let flags = match access {
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut conn = Connection::open_with_flags(path, flags)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .with_context(|| format!("{} is not an aeo database", path.display()))?
            as usize;
        if version > SCHEMA_VERSION {
            bail!(
                "database {} has schema version {version}, newer than this aeo understands ({SCHEMA_VERSION}); use a newer aeo",
                path.display()
            );
        }
        match access {
            Access::ReadWrite => {
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                if version < SCHEMA_VERSION {
                    Migrations::from_slice(MIGRATIONS)
                        .to_latest(&mut conn)
                        .with_context(|| format!("cannot migrate database {}", path.display()))?;
                }
            }
            Access::ReadOnly => {
                if version < SCHEMA_VERSION {
                    bail!(
                        "database {} has schema version {version}, older than this aeo ({SCHEMA_VERSION}); open it once without --read-only to upgrade it",
                        path.display()
                    );
                }
                conn.pragma_update(None, "query_only", "ON")?;
            }
        }
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            access,
            actor: Actor::default(),
            account: os_account(),
        };
        if access == Access::ReadWrite {
            store.refresh_deadline_cache_if_stale()?;
            store.index_unindexed_enterprises()?;
        }
        Ok(store)
    }

    /// Who the audit trail names for this store's changes, and its clock.
    pub fn set_actor(&mut self, actor: Actor) {
        self.actor = actor;
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it lands, or none of it.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        if self.access == Access::ReadOnly {
            return Err(read_only_message().into());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(busy_message)?;
        if let crate::calendar::Clock::Frozen(t) = self.actor.clock
            && !is_demo(&tx)?
        {
            bail!(
                "the clock is frozen at {t} (--now / AEO_NOW): a frozen clock is for reading, changes are refused (only a database made by `aeo demo` accepts them)"
            );
        }
        let w = Writer {
            tx,
            // The real clock, whatever the actor's frozen one says.
            now: Timestamp::now(),
            actor: self.actor.clone(),
            account: self.account.clone(),
            snapshot_sql: Default::default(),
        };
        let out = f(&w)?;
        w.tx.commit().map_err(busy_message)?;
        Ok(out)
    }

    /// Whether `aeo demo` made this database (then a frozen clock may write to it).
    pub fn is_demo(&self) -> Result<bool> {
        is_demo(&self.conn)
    }

    /// Marks an empty database as a demo; a database holding data is refused.
    pub fn mark_demo(&mut self) -> Result<()> {
        if self.access == Access::ReadOnly {
            bail!(READ_ONLY_MESSAGE);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(busy_message)?;
        if !is_demo(&tx)? {
            let rows: i64 = tx.query_row(
                "SELECT (SELECT count(*) FROM enterprises) + (SELECT count(*) FROM coordinators)
                      + (SELECT count(*) FROM inspection_slots) + (SELECT count(*) FROM audit_log)",
                [],
                |r| r.get(0),
            )?;
            if rows > 0 {
                bail!(
                    "database {} already holds data; only an empty database can become a demo",
                    self.path.display()
                );
            }
            tx.execute(
                "INSERT INTO aeo_meta (key, value) VALUES ('demo', ?1)",
                [Timestamp::now().to_string()],
            )?;
        }
        tx.commit().map_err(busy_message)?;
        Ok(())
    }

    /// A counter that changes whenever another connection commits: cheap change detection.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Counts of the main tables, for `init` and `demo` reports.
    pub fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for t in [
            "enterprises",
            "coordinators",
            "work_items",
            "inspection_slots",
            "bookings",
            "approvals",
            "problems",
            "verifications",
            "calls",
        ] {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            out.push((t, n));
        }
        Ok(out)
    }
}

fn is_demo(conn: &Connection) -> Result<bool> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .query_row("SELECT 1 FROM aeo_meta WHERE key = 'demo'", [], |_| Ok(()))
        .optional()?
        .is_some())
}

fn busy_message(e: rusqlite::Error) -> anyhow::Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        )
    {
        let s = BUSY_TIMEOUT.as_secs();
        return Message::new(
            format!("另一位操作员正在写入数据库，{s} 秒内未完成；请重试"),
            format!(
                "another operator is writing to the database and did not finish within {s} s; try again"
            ),
        )
        .into();
    }
    anyhow::Error::new(e)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The database is created readable by its owner only (0600); SQLite gives its -wal and -shm
/// files the same mode. A shared seat widens it by hand (see README).
#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .open(path)
        .map(|_| ())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The writing side of a transaction.
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    /// The real instant of this transaction: every audit entry it writes carries it.
    now: Timestamp,
    actor: Actor,
    account: String,
    /// The JSON snapshot query of each audited table, built once per transaction.
    snapshot_sql: std::cell::RefCell<std::collections::HashMap<&'static str, String>>,
}

impl Writer<'_> {
    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }
}
