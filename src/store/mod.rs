//! The SQLite store: migrations, connection settings, and every query the console and the CLI
//! run. SQL lives here and nowhere else; callers see domain values and row views.

mod approvals;
mod audit;
mod console;
mod copy;
pub mod db;
mod enterprises;
mod hotline;
mod inspection;
pub mod pg;
mod pg_schema;
mod queue;
mod search;
pub mod testing;
mod today;
mod transfer;
mod value;

pub use approvals::{ApprovalRow, ApprovalsSummary, NewApproval, PauseRow};
pub use audit::{Actor, AuditEntry, os_account};
pub use console::ListFilter;
pub use copy::CopiedTable;
pub use db::Dialect;
pub use enterprises::{EnterpriseHit, NewCoordinator, NewEnterprise};
pub use hotline::{
    CallExport, CallFilter, CallRow, CoordinatorLinkExport, HotlinePersonExport, NewCall, NewPlan,
    OpenProblem, ProblemExport, ProblemFilter, ProblemNote, ProblemRecord, ProblemRow,
    VerificationExport, VerificationRow,
};
pub use inspection::{BookingRow, NewBooking, NewSlot, SlotRow};
pub use queue::{NewWorkItem, QueueRow, queue_window_sql};
pub use search::{FindOptions, Findings, Found, Note, Ranking, Tier, Why};
pub use today::{TodayData, TodayDay};
pub use transfer::{
    ApprovalExport, BookingExport, Change, CoordinatorExport, EnterpriseExport, EnterpriseRef,
    ItemExport, Lookup, SlotExport, WriteMark,
};

use crate::domain::message::Message;
use anyhow::{Context, Result, anyhow, bail};
use db::{Db, OptionalExtension, params};
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags};
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
    M::up(include_str!("migrations/010_search_keys_kind.sql")),
    M::up(include_str!("migrations/011_open_work_indexes.sql")),
    M::up(include_str!("migrations/012_offsite_reason.sql")),
    M::up(include_str!("migrations/013_approval_terms.sql")),
    M::up(include_str!("migrations/014_search_text_keys.sql")),
    M::up(include_str!("migrations/015_work_counts.sql")),
    M::up(include_str!("migrations/016_problem_call_index.sql")),
    M::up(include_str!("migrations/017_unindexed_enterprises.sql")),
    M::up(include_str!("migrations/018_open_work_first_frames.sql")),
    M::up(include_str!("migrations/019_import_aeo_flag.sql")),
    M::up(include_str!("migrations/020_open_clocks.sql")),
    M::up(include_str!("migrations/021_queue_index_status.sql")),
    M::up(include_str!("migrations/022_queue_index_covers_filter.sql")),
    M::up(include_str!("migrations/023_approval_reference_index.sql")),
    M::up(include_str!("migrations/024_open_work_kind_index.sql")),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How long a writer waits for another operator's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a writer that waits for another's transaction tries again. SQLite's own wait
/// (`busy_timeout`) sleeps longer and longer, up to 100 ms between tries, so a writer that has
/// waited a while misses a gap shorter than that between another's transactions (the pauses of
/// a long import); trying every few milliseconds, it gets the lock within a few milliseconds of
/// its release.
const BUSY_RETRY: Duration = Duration::from_millis(4);

thread_local! {
    /// How long this thread's current write may wait, and when its wait began.
    static BUSY_WAIT: std::cell::Cell<(Duration, Option<std::time::Instant>)> =
        const { std::cell::Cell::new((BUSY_TIMEOUT, None)) };
}

/// SQLite's busy handler of every connection: `tries` is how many times it was called for this
/// wait. Sleeps [`BUSY_RETRY`] and asks SQLite to try again, until the thread's wait has lasted
/// its limit (see [`Tx::begin`]).
fn busy_retry(tries: i32) -> bool {
    BUSY_WAIT.with(|wait| {
        let (limit, began) = wait.get();
        let began = match began {
            Some(t) if tries > 0 => t,
            _ => {
                let now = std::time::Instant::now();
                wait.set((limit, Some(now)));
                now
            }
        };
        let Some(left) = limit.checked_sub(began.elapsed()) else {
            return false;
        };
        std::thread::sleep(BUSY_RETRY.min(left));
        true
    })
}

/// A connection of its own to the database at `path`, for checkpoints (see
/// [`transfer::Checkpointer`]).
fn checkpoint_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open database {}", path.display()))?;
    conn.busy_handler(Some(busy_retry))?;
    Ok(conn)
}

/// Runs `f` with this thread's writes waiting up to `limit` for another's transaction.
fn waiting_up_to<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    BUSY_WAIT.with(|wait| wait.set((limit, None)));
    let out = f();
    BUSY_WAIT.with(|wait| wait.set((BUSY_TIMEOUT, None)));
    out
}

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
    conn: Db,
    path: PathBuf,
    access: Access,
    actor: Actor,
    /// The OS account of this process, recorded on every audit entry.
    account: String,
    /// The database file as opened (see `open_with`); after `conn`, so closed after it. None
    /// for a PostgreSQL database.
    file: Option<std::fs::File>,
    /// How long a write waits for another operator's transaction.
    busy_timeout: Duration,
    /// The enterprises a list filter's text reached, at a data version: a pane counts its
    /// list and reads its window under one filter, and the matcher runs once for both.
    filter_memo: std::cell::RefCell<console::FilterMemo>,
    /// What the last keystrokes' searches read, at a data version (see `SearchMemo`).
    search_memo: std::cell::RefCell<search::SearchMemo>,
}

/// How slow a statement is logged, in milliseconds (the log sets it from `AEO_LOG_SLOW_MS`).
static SLOW_STATEMENT_MS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(250);

/// Statements slower than `threshold` are logged as slow.
pub fn set_slow_statement_threshold(threshold: Duration) {
    let ms = u64::try_from(threshold.as_millis()).unwrap_or(u64::MAX);
    SLOW_STATEMENT_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

/// Logs a statement slower than the log's threshold.
fn log_slow_statement(event: rusqlite::trace::TraceEvent<'_>) {
    if let rusqlite::trace::TraceEvent::Profile(stmt, took) = event
        && took.as_millis()
            >= u128::from(SLOW_STATEMENT_MS.load(std::sync::atomic::Ordering::Relaxed))
    {
        tracing::warn!(
            ms = took.as_millis() as u64,
            sql = %stmt.sql().split_whitespace().collect::<Vec<_>>().join(" "),
            "slow query"
        );
    }
}

/// What `aeo doctor` reads of a database, opened read-only and left as it was.
#[derive(Debug, Clone)]
pub struct Health {
    pub schema_version: usize,
    pub journal_mode: String,
    /// `PRAGMA quick_check`'s first line: "ok" when sound.
    pub quick_check: String,
}

/// Reads a database's schema version, journal mode and quick integrity check, changing nothing
/// (no migration, no journal-mode switch).
pub fn inspect(path: &Path) -> Result<Health> {
    if let Some(url) = path.to_str().filter(|p| pg::is_url(p)) {
        let conn = pg::PgConn::connect(url, "SET default_transaction_read_only = on")?;
        let schema_version = pg_schema::current_version(&conn)?;
        let server: String = Db::Pg(conn).query_row("SELECT version()", (), |r| r.get(0))?;
        return Ok(Health {
            schema_version,
            journal_mode: server.split(" on ").next().unwrap_or_default().to_string(),
            quick_check: "ok".to_string(),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open database {}", path.display()))?;
    conn.busy_handler(Some(busy_retry))?;
    let schema_version = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .with_context(|| format!("{} is not an SQLite database", path.display()))?
        as usize;
    let journal_mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    let quick_check: String = conn.pragma_query_value(None, "quick_check", |r| r.get(0))?;
    Ok(Health {
        schema_version,
        journal_mode,
        quick_check,
    })
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
    /// Opens (creating when allowed) and migrates the database at `path`. A SQLite file of
    /// another program (tables, but no aeo schema) is refused, never changed.
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        Self::open_with(path, access, false)
    }

    /// `aeo init`: like `open` for writing, and adds aeo's tables even to a SQLite file that
    /// already holds other tables.
    pub fn open_for_init(path: &Path) -> Result<Store> {
        Self::open_with(path, Access::ReadWrite, true)
    }

    fn open_with(path: &Path, access: Access, adopt_foreign: bool) -> Result<Store> {
        if let Some(url) = path.to_str().filter(|p| pg::is_url(p)) {
            return Self::open_pg(url, access, adopt_foreign);
        }
        if access == Access::ReadOnly && !path.exists() {
            bail!(
                "database {} does not exist (a read-only console cannot create it): pass --db PATH or set AEO_DB",
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
        // The file this store opened, held for as long as the store lives: its identity tells
        // when the path comes to name another file (deleted, replaced), and it carries the
        // lock that serializes migrations. It is closed only after the connection (field
        // order), so SQLite's own locks on the file are never dropped by closing it.
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        conn.busy_handler(Some(busy_retry))?;
        conn.trace_v2(
            rusqlite::trace::TraceEventCodes::SQLITE_TRACE_PROFILE,
            Some(log_slow_statement),
        );
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let version = schema_version(&conn, path)?;
        if version == 0 && !adopt_foreign && holds_other_tables(&conn)? {
            return Err(Message::new(
                format!(
                    "{} 是其他程序的 SQLite 数据库（有数据表，但不是 aeo 的）：已拒绝，未作任何更改；确需在其中加入 aeo 的数据表，请运行 `aeo init`",
                    path.display()
                ),
                format!(
                    "{} is a SQLite database of another program (it has tables but no aeo schema): refused, nothing changed; `aeo init` adds aeo's tables to it if that is really wanted",
                    path.display()
                ),
            )
            .into());
        }
        if version > SCHEMA_VERSION {
            bail!(
                "database {} has schema version {version}, newer than this aeo understands ({SCHEMA_VERSION}); use a newer aeo",
                path.display()
            );
        }
        let file = match access {
            Access::ReadWrite => {
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                if version < SCHEMA_VERSION {
                    migrate(&mut conn, path, file)?
                } else {
                    conn.pragma_update(None, "journal_mode", "WAL")?;
                    file
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
                file
            }
        };
        let store = Store {
            conn: Db::Sqlite(conn),
            path: path.to_path_buf(),
            access,
            actor: Actor::default(),
            account: os_account(),
            file: Some(file),
            busy_timeout: BUSY_TIMEOUT,
            filter_memo: Default::default(),
            search_memo: Default::default(),
        };
        store.prepared(access)
    }

    /// Opens the PostgreSQL database at `url`, migrating it when allowed; a read-only seat's
    /// transactions are read-only on the server too.
    fn open_pg(url: &str, access: Access, adopt_foreign: bool) -> Result<Store> {
        let on_connect = match access {
            Access::ReadOnly => "SET default_transaction_read_only = on",
            Access::ReadWrite => "",
        };
        let conn = pg::PgConn::connect(url, on_connect)?;
        pg_schema::migrate(&conn, url, access, adopt_foreign)?;
        let store = Store {
            conn: Db::Pg(conn),
            path: PathBuf::from(url),
            access,
            actor: Actor::default(),
            account: os_account(),
            file: None,
            busy_timeout: BUSY_TIMEOUT,
            filter_memo: Default::default(),
            search_memo: Default::default(),
        };
        store.prepared(access)
    }

    /// Brings derived data (deadline cache, search keys) up to date on a writable store.
    fn prepared(mut self, access: Access) -> Result<Store> {
        let store = &mut self;
        if access == Access::ReadWrite {
            store.refresh_deadline_cache_if_stale()?;
            store.index_unindexed_enterprises()?;
        }
        Ok(self)
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

    /// Runs `f` in one write transaction: all of it lands, or none of it. Writers take turns
    /// (SQLite's IMMEDIATE transaction; on PostgreSQL a transaction-scoped advisory lock), so a
    /// rule `f` checks still holds when its change commits.
    pub fn write<T>(&mut self, f: impl FnOnce(&Writer<'_>) -> Result<T>) -> Result<T> {
        if self.access == Access::ReadOnly {
            tracing::warn!(operator = %self.actor.operator, "write refused: read-only seat");
            return Err(read_only_message().into());
        }
        self.check_same_file()?;
        // Our own commits do not move the data version.
        self.filter_memo.take();
        self.search_memo.take();
        let tx = Tx::begin(&self.conn, self.busy_timeout)?;
        if let crate::calendar::Clock::Frozen(t) = self.actor.clock
            && !is_demo(&self.conn)?
        {
            let t = crate::calendar::shanghai_datetime(t).strftime("%Y-%m-%d %H:%M");
            return Err(Message::new(
                format!(
                    "时钟冻结在 {t}（--now / AEO_NOW）：冻结的时钟只用于查看，不能更改数据（只有 `aeo demo` 建立的演示数据库可以）"
                ),
                format!(
                    "the clock is frozen at {t} (--now / AEO_NOW): a frozen clock is for reading, changes are refused (only a database made by `aeo demo` accepts them)"
                ),
            )
            .into());
        }
        let w = Writer {
            tx,
            // The real clock, whatever the actor's frozen one says.
            now: Timestamp::now(),
            actor: self.actor.clone(),
            account: self.account.clone(),
            snapshot_sql: Default::default(),
        };
        let out = match f(&w) {
            Ok(out) => out,
            Err(e) => {
                tracing::info!(operator = %self.actor.operator, reason = %format!("{e:#}"), "write refused");
                return Err(e);
            }
        };
        // A long change (an import) may have outlived the file: it must not land in a ghost.
        self.check_same_file()?;
        w.tx.commit()?;
        Ok(out)
    }

    /// Refuses when the path no longer names the file this store opened: deleted (`rm`) or
    /// replaced (`mv` over it, a restore from backup). Changes would land in a file nobody
    /// will ever open again; reopening the path shows the database as it now is.
    pub fn check_same_file(&self) -> Result<()> {
        match &self.file {
            Some(file) => same_file_or_refuse(file, &self.path),
            None => Ok(()),
        }
    }

    /// Whether the path now names another file than the one opened, or none.
    pub fn file_replaced(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|file| file_replaced(file, &self.path))
    }

    /// How long a write waits for another operator's transaction before it gives up (see
    /// [`is_busy`]; 10 s unless changed; the console waits briefly and retries off its draw loop).
    pub fn set_busy_timeout(&mut self, wait: Duration) -> Result<()> {
        self.busy_timeout = wait;
        Ok(())
    }

    /// Whether `aeo demo` made this database (then a frozen clock may write to it).
    pub fn is_demo(&self) -> Result<bool> {
        is_demo(&self.conn)
    }

    /// Marks an empty database as a demo; a database holding data is refused.
    pub fn mark_demo(&mut self) -> Result<()> {
        if self.access == Access::ReadOnly {
            return Err(read_only_message().into());
        }
        let tx = Tx::begin(&self.conn, self.busy_timeout)?;
        if !is_demo(&self.conn)? {
            let rows: i64 = self.conn.query_row(
                "SELECT (SELECT count(*) FROM enterprises) + (SELECT count(*) FROM coordinators)
                      + (SELECT count(*) FROM inspection_slots) + (SELECT count(*) FROM audit_log)",
                (),
                |r| r.get(0),
            )?;
            if rows > 0 {
                bail!(
                    "database {} already holds data; only an empty database can become a demo",
                    self.path.display()
                );
            }
            self.conn.execute(
                "INSERT INTO aeo_meta (key, value) VALUES (?1, ?2)",
                params!["demo", Timestamp::now().to_string()],
            )?;
        }
        tx.commit()
    }

    /// A counter that changes whenever another connection commits: cheap change detection
    /// (SQLite's data_version; PostgreSQL's notifications on `aeo_changes`).
    pub fn data_version(&self) -> Result<i64> {
        match &self.conn {
            Db::Sqlite(conn) => Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?),
            Db::Pg(conn) => {
                conn.reconnect_if_lost();
                Ok(conn.data_version())
            }
        }
    }

    /// Whether the connection to the database server has dropped (PostgreSQL); it is
    /// re-established on the next call that reaches it.
    pub fn connection_lost(&self) -> bool {
        match &self.conn {
            Db::Sqlite(_) => false,
            Db::Pg(conn) => conn.is_lost(),
        }
    }

    /// Which backend holds the data.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    pub(crate) fn conn(&self) -> &Db {
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
                .query_row(&format!("SELECT count(*) FROM {t}"), (), |r| r.get(0))?;
            out.push((t, n));
        }
        Ok(out)
    }
}

/// The schema version, with what went wrong said plainly: not a database, or a place SQLite
/// cannot work in (a read-only directory has no room for the -wal and -shm files).
fn schema_version(conn: &Connection, path: &Path) -> Result<usize> {
    match conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
        Ok(v) => Ok(usize::try_from(v).unwrap_or(usize::MAX)),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::NotADatabase =>
        {
            bail!(
                "{} is not an aeo database (not a SQLite file)",
                path.display()
            )
        }
        Err(e) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            if nix::unistd::access(dir, nix::unistd::AccessFlags::W_OK).is_err() {
                return Err(Message::new(
                    format!(
                        "无法使用数据库 {}：所在目录 {} 不可写，而 SQLite 需要在旁边建立 {}-wal 和 {}-shm 文件（{e}）",
                        path.display(),
                        dir.display(),
                        path.display(),
                        path.display()
                    ),
                    format!(
                        "cannot use database {}: its directory {} is not writable, and SQLite needs to create {}-wal and {}-shm beside it ({e})",
                        path.display(),
                        dir.display(),
                        path.display(),
                        path.display()
                    ),
                )
                .into());
            }
            Err(anyhow::Error::new(e).context(format!("cannot read database {}", path.display())))
        }
    }
}

fn file_replaced(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(opened) = file.metadata() else {
        return true;
    };
    match std::fs::metadata(path) {
        Ok(now) => opened.nlink() == 0 || now.dev() != opened.dev() || now.ino() != opened.ino(),
        Err(_) => true,
    }
}

fn same_file_or_refuse(file: &std::fs::File, path: &Path) -> Result<()> {
    if file_replaced(file, path) {
        return Err(Message::new(
            format!(
                "数据库文件 {} 在打开后被删除或替换：不能再写入（写入会丢失）；请重新打开（控制台 :reopen）",
                path.display()
            ),
            format!(
                "the database file {} was deleted or replaced after it was opened: changes are refused (they would be lost); reopen it (in the console :reopen)",
                path.display()
            ),
        )
        .into());
    }
    Ok(())
}

/// Tables of another program in a file whose schema version is 0.
fn holds_other_tables(conn: &Connection) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        (),
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Brings the schema up to date under an exclusive lock on the file (flock, which does not
/// touch SQLite's own POSIX locks): of several processes opening a new or older database at
/// once, one migrates and the others wait, then find the schema current and do nothing.
fn migrate(conn: &mut Connection, path: &Path, file: std::fs::File) -> Result<std::fs::File> {
    use nix::fcntl::{Flock, FlockArg};
    let locked = Flock::lock(file, FlockArg::LockExclusive)
        .map_err(|(_, e)| anyhow!("cannot lock database {} to upgrade it: {e}", path.display()))?;
    let version = schema_version(conn, path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    if version > SCHEMA_VERSION {
        bail!(
            "database {} has schema version {version}, newer than this aeo understands ({SCHEMA_VERSION}); use a newer aeo",
            path.display()
        );
    }
    if version < SCHEMA_VERSION {
        Migrations::from_slice(MIGRATIONS)
            .to_latest(conn)
            .map_err(|e| {
                // The migration error quotes the whole migration's SQL: keep its first line.
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                anyhow!("cannot upgrade database {}: {first}", path.display())
            })?;
    }
    locked
        .unlock()
        .map_err(|(_, e)| anyhow!("cannot unlock database {}: {e}", path.display()))
}

/// The longest text a search or filter takes: no name, code or number comes near it, and
/// SQLite refuses LIKE patterns beyond 50,000 bytes with an internal error.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Refuses a search text longer than `MAX_SEARCH_CHARS`, in words.
pub(crate) fn check_search_length(text: &str) -> Result<()> {
    let n = text.trim().chars().count();
    if n > MAX_SEARCH_CHARS {
        return Err(Message::new(
            format!("查询文字太长（{n} 个字符，最多 {MAX_SEARCH_CHARS} 个）"),
            format!("the search text is too long ({n} characters; at most {MAX_SEARCH_CHARS})"),
        )
        .into());
    }
    Ok(())
}

fn is_demo(conn: &Db) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM aeo_meta WHERE key = 'demo'", (), |_| Ok(()))
        .optional()?
        .is_some())
}

/// How the refusal of a write that could not start begins (in English).
const BUSY_EN: &str = "another operator is writing to the database";

/// Whether `e` is a write that did not start because another operator held the write lock
/// for longer than the store waits: nothing was done, and the same change may be tried again.
pub fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<Message>()
            .is_some_and(|m| m.en().starts_with(BUSY_EN))
    })
}

fn busy_message(e: anyhow::Error, waited: Duration) -> anyhow::Error {
    let sqlite_busy = matches!(
        e.downcast_ref::<rusqlite::Error>(),
        Some(rusqlite::Error::SqliteFailure(f, _))
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
    );
    // 55P03: lock_not_available (the lock_timeout of a PostgreSQL write passed).
    if sqlite_busy || pg::sqlstate(&e) == Some("55P03") {
        let s = waited.as_secs();
        return Message::new(
            format!("另一位操作员正在写入数据库，{s} 秒内未完成；请重试"),
            format!("{BUSY_EN} and did not finish within {s} s; try again"),
        )
        .into();
    }
    e
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

/// A write transaction: committed by `commit`, rolled back when dropped without it.
pub(crate) struct Tx<'a> {
    conn: &'a Db,
    open: std::cell::Cell<bool>,
}

/// The key of the advisory lock that PostgreSQL writers take turns on ("aeo").
const WRITE_LOCK: i64 = 0x0061_656f;

impl<'a> Tx<'a> {
    fn begin(conn: &'a Db, wait: Duration) -> Result<Tx<'a>> {
        let begin = match conn {
            Db::Sqlite(_) => "BEGIN IMMEDIATE".to_string(),
            Db::Pg(_) => format!(
                "BEGIN; SET LOCAL lock_timeout = {}; SELECT pg_advisory_xact_lock({WRITE_LOCK})",
                wait.as_millis().max(1)
            ),
        };
        let tx = Tx {
            conn,
            open: std::cell::Cell::new(true),
        };
        if let Err(e) = waiting_up_to(wait, || conn.execute_batch(&begin)) {
            // A failed PostgreSQL BEGIN leaves the transaction aborted: end it.
            tx.open.set(conn.is_pg());
            return Err(busy_message(e, wait));
        }
        tx.mark(true);
        Ok(tx)
    }

    /// Tells a PostgreSQL connection that a transaction is open (it must not reconnect inside).
    fn mark(&self, open: bool) {
        if let Db::Pg(c) = self.conn {
            c.set_in_transaction(open);
        }
    }

    /// A read transaction: one consistent view of the database that takes no write lock,
    /// ended (rolled back) when dropped.
    pub(crate) fn begin_read(conn: &'a Db) -> Result<Tx<'a>> {
        conn.execute_batch(conn.pick(
            "BEGIN DEFERRED",
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ))?;
        let tx = Tx {
            conn,
            open: std::cell::Cell::new(true),
        };
        tx.mark(true);
        Ok(tx)
    }

    fn commit(self) -> Result<()> {
        let done = self.conn.execute_batch("COMMIT");
        if done.is_ok() {
            self.open.set(false);
            self.mark(false);
        } else if let Db::Pg(c) = self.conn
            && c.is_lost()
        {
            self.open.set(false);
            self.mark(false);
            return Err(Message::new(
                "提交时与数据库服务器的连接中断：无法确定这次更改是否已保存；请先查看（例如 `aeo audit`）再决定是否重做",
                "the connection to the database server dropped while committing: whether the change was saved is unknown; look (e.g. `aeo audit`) before repeating it",
            )
            .into());
        }
        done.map_err(|e| busy_message(e, BUSY_TIMEOUT))
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.mark(false);
    }
}

/// The writing side of a transaction.
pub struct Writer<'a> {
    tx: Tx<'a>,
    /// The real instant of this transaction: every audit entry it writes carries it.
    now: Timestamp,
    actor: Actor,
    account: String,
    /// The JSON snapshot query of each audited table, built once per transaction.
    snapshot_sql: std::cell::RefCell<std::collections::HashMap<&'static str, String>>,
}

impl Writer<'_> {
    pub(crate) fn conn(&self) -> &Db {
        self.tx.conn
    }
}

#[cfg(test)]
mod file_identity_tests {
    use super::*;

    fn coordinator(w: &Writer<'_>, phone: &str) -> Result<i64> {
        w.insert_coordinator(&NewCoordinator {
            name: "李超",
            phone,
            office_code: "2200",
            office_name: "上海海关",
            role: crate::domain::enterprise::CoordinatorRole::Business,
            duty_hours: "",
        })
    }

    #[test]
    fn a_deleted_or_replaced_file_refuses_writes_until_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        store.write(|w| coordinator(w, "021-1")).unwrap();
        assert!(!store.file_replaced());

        // rm: the change would go to a file no one can open any more.
        std::fs::remove_file(&path).unwrap();
        assert!(store.file_replaced());
        let e = store.write(|w| coordinator(w, "021-2")).unwrap_err();
        assert!(e.to_string().contains("deleted or replaced"), "{e}");

        // mv over it: another database now answers to the path.
        let other = dir.path().join("b.db");
        Store::open(&other, Access::ReadWrite).unwrap();
        std::fs::rename(&other, &path).unwrap();
        assert!(store.file_replaced());
        assert!(store.write(|w| coordinator(w, "021-3")).is_err());

        // Reopened, the path's database takes changes again.
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        store.write(|w| coordinator(w, "021-4")).unwrap();
    }
}

#[cfg(test)]
mod busy_wait_tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::Instant;

    /// A long import leaves the write lock free for a few milliseconds between its batches; a
    /// writer that has waited a while must still take it in such a gap. (SQLite's own wait
    /// sleeps up to 100 ms between tries and mostly misses gaps this short.)
    #[test]
    fn a_waiting_writer_takes_the_lock_in_a_short_gap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gap.db");
        Store::open(&path, Access::ReadWrite).unwrap();
        let landed = Arc::new(AtomicBool::new(false));
        let waiting = Arc::new(Barrier::new(2));
        let holder = {
            let (path, landed, waiting) = (path.clone(), landed.clone(), waiting.clone());
            std::thread::spawn(move || {
                let store = Store::open(&path, Access::ReadWrite).unwrap();
                let conn = store.conn();
                // Like an import: write for 400 ms, let go for 15 ms, again.
                let mut gaps_before_it_landed = 0;
                for round in 0..6 {
                    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
                    if round == 0 {
                        waiting.wait();
                    }
                    let held = Instant::now();
                    while held.elapsed() < Duration::from_millis(400) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    conn.execute_batch("COMMIT").unwrap();
                    if landed.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(15));
                    gaps_before_it_landed += 1;
                }
                gaps_before_it_landed
            })
        };
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        waiting.wait();
        store
            .write(|w| {
                w.conn()
                    .execute_batch("CREATE TABLE IF NOT EXISTS gap_probe (x INTEGER)")?;
                Ok(())
            })
            .unwrap();
        landed.store(true, Ordering::SeqCst);
        let gaps = holder.join().unwrap();
        assert!(
            gaps <= 1,
            "the waiting writer got in only after {gaps} gaps of 15 ms"
        );
    }

    #[test]
    fn a_writer_gives_up_after_its_wait() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("busy.db");
        let holder = Store::open(&path, Access::ReadWrite).unwrap();
        holder.conn().execute_batch("BEGIN IMMEDIATE").unwrap();
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        store.set_busy_timeout(Duration::from_millis(50)).unwrap();
        let e = store.write(|_| Ok(())).unwrap_err();
        assert!(is_busy(&e), "{e:#}");
        holder.conn().execute_batch("COMMIT").unwrap();
        // The limit was this write's: the next one, with the lock free, goes through.
        store.write(|_| Ok(())).unwrap();
    }
}

#[cfg(test)]
mod checkpointer_tests {
    use super::*;

    /// What the database file alone holds (its log left aside): a copy of the file opened on
    /// its own.
    fn file_alone_has_table(path: &Path, table: &str) -> bool {
        let copy = path.with_extension("alone.db");
        std::fs::copy(path, &copy).unwrap();
        let conn = Connection::open(&copy).unwrap();
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = ?1",
            [table],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 1
    }

    #[test]
    fn the_checkpointer_copies_each_committed_batch_into_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ck.db");
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        store.ready_for_import().unwrap();
        let checkpoints = store.checkpointer().unwrap();
        for batch in ["one", "two"] {
            store
                .write(|w| {
                    w.conn()
                        .execute_batch(&format!("CREATE TABLE batch_{batch} (x INTEGER)"))?;
                    Ok(())
                })
                .unwrap();
            assert!(!file_alone_has_table(&path, &format!("batch_{batch}")));
            checkpoints.begin();
            checkpoints.wait();
            assert!(
                file_alone_has_table(&path, &format!("batch_{batch}")),
                "batch {batch} is in the database file after its checkpoint"
            );
        }
        checkpoints.finish().unwrap();
    }
}
