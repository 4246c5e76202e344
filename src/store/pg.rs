//! The PostgreSQL connection: a `tokio-postgres` client whose connection is driven on a thread of
//! its own, so that the store's calls stay synchronous (the console calls the store from inside
//! its own runtime, where a blocking client that starts a runtime of its own cannot run).
//!
//! The same connection LISTENs on `aeo_changes`: every commit that changes a table notifies it
//! (triggers of the schema), and the count of notifications is the store's data version, the
//! console's cue to refresh, without polling the tables.

use super::value::Value;
use anyhow::{Result, anyhow};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

pub use tokio_postgres::Row as PgRow;

/// The channel every change is announced on.
pub const CHANNEL: &str = "aeo_changes";

/// How the server costs this program's plans, set on every connection: a random page read at
/// 1.1 where the server keeps the stock 4, made for spinning disks (a server set to another value
/// keeps it). The console's pages are those of a database held in memory, and with 4 the planner
/// read a table where an index held what was asked: every booking to find one day's (1.1 ms;
/// 0.1-0.45 ms by the slots' index), every problem to find the few Today lists by id (1.05 ms;
/// 0.1 ms by the key).
///
/// Plans stay the server's choice between one for the statement's values and one for any values
/// (`plan_cache_mode` auto): it kept planning for the values where that mattered (the queue
/// filter's windows, the overdue count), and forcing it on every run cost the lookup 0.4-0.7 ms
/// of planning a keystroke (median over the benchmark's keystrokes).
const PLANNER_COSTS: &str = "SELECT set_config('random_page_cost', '1.1', false)
     WHERE current_setting('random_page_cost')::float8 = 4;";

/// How long a connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// One client and its prepared statements.
struct Session {
    client: tokio_postgres::Client,
    statements: HashMap<String, tokio_postgres::Statement>,
}

pub struct PgConn {
    url: String,
    session: RefCell<Option<Session>>,
    /// Notifications received on `aeo_changes`, over every connection this store has had.
    changes: Arc<AtomicI64>,
    /// Set when the connection dropped; cleared by a reconnection.
    lost: Arc<AtomicBool>,
    /// SQL run on every new connection (the read-only seat's setting).
    on_connect: String,
    runtime: tokio::runtime::Handle,
    last_attempt: std::cell::Cell<Option<std::time::Instant>>,
    /// A transaction is open on the current connection: if it drops now, the transaction is
    /// gone, and its remaining statements must not run on a new connection outside it.
    in_transaction: std::cell::Cell<bool>,
    /// Whether this connection LISTENs (false on a replica, see `reconnect`).
    listening: std::cell::Cell<bool>,
    /// On a replica: the last replay position seen.
    replayed: RefCell<String>,
    _driver: Driver,
}

/// The thread that drives connections; it stops when the store is dropped.
struct Driver {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Whether `text` names a PostgreSQL database rather than an SQLite file.
pub fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl PgConn {
    /// Connects to `url`; `on_connect` runs on this and every later connection.
    pub fn connect(url: &str, on_connect: &str) -> Result<PgConn> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("aeo-postgres".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                let _ = tx.send(Ok(rt.handle().clone()));
                rt.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        let runtime = rx
            .recv()
            .map_err(|_| anyhow!("the PostgreSQL connection thread did not start"))??;
        let conn = PgConn {
            url: url.to_string(),
            session: RefCell::new(None),
            changes: Arc::new(AtomicI64::new(0)),
            lost: Arc::new(AtomicBool::new(false)),
            on_connect: on_connect.to_string(),
            runtime,
            last_attempt: Default::default(),
            in_transaction: Default::default(),
            listening: Default::default(),
            replayed: Default::default(),
            _driver: Driver { stop: Some(stop) },
        };
        conn.reconnect()?;
        Ok(conn)
    }

    /// Opens a new connection (after a drop, or the first), LISTENs and applies the settings.
    pub fn reconnect(&self) -> Result<()> {
        let url = self.url.clone();
        let changes = self.changes.clone();
        let lost = self.lost.clone();
        let joined = self.runtime.spawn(async move {
            let (client, mut connection) = tokio::time::timeout(
                CONNECT_TIMEOUT,
                tokio_postgres::connect(&url, tokio_postgres::NoTls),
            )
            .await
            .map_err(|_| anyhow!("no answer within {} s", CONNECT_TIMEOUT.as_secs()))??;
            tokio::spawn(async move {
                loop {
                    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                        Some(Ok(tokio_postgres::AsyncMessage::Notification(_))) => {
                            changes.fetch_add(1, Ordering::SeqCst);
                        }
                        Some(Ok(_)) => {}
                        Some(Err(_)) | None => break,
                    }
                }
                lost.store(true, Ordering::SeqCst);
            });
            Ok::<_, anyhow::Error>(client)
        });
        let client = futures_executor::block_on(joined)
            .map_err(|e| anyhow!("{e}"))?
            .map_err(|e| {
                let reason = match e.downcast_ref::<tokio_postgres::Error>() {
                    Some(pg) => pg_message(pg),
                    None => format!("{e:#}"),
                };
                anyhow!(
                    "cannot connect to PostgreSQL at {}: {reason}",
                    redacted(&self.url)
                )
            })?;
        let setup = format!(
            "SET application_name = 'aeo'; {PLANNER_COSTS} {}",
            self.on_connect
        );
        futures_executor::block_on(client.batch_execute(&setup)).map_err(pg_error)?;
        // A hot-standby replica (a site's read-only seats) cannot LISTEN: there, changes are
        // seen as the replica replays the primary's log.
        let listen = futures_executor::block_on(client.batch_execute(&format!("LISTEN {CHANNEL}")));
        self.listening.set(listen.is_ok());
        if let Err(e) = listen {
            tracing::info!(reason = %pg_message(&e), "LISTEN refused; following the replay position");
        }
        self.lost.store(false, Ordering::SeqCst);
        // A new connection may have missed notifications: count one so readers look again.
        self.changes.fetch_add(1, Ordering::SeqCst);
        *self.session.borrow_mut() = Some(Session {
            client,
            statements: HashMap::new(),
        });
        Ok(())
    }

    /// Tries to connect again after a drop, at most every two seconds (the console asks on
    /// every tick).
    pub fn reconnect_if_lost(&self) {
        if !self.is_lost() {
            return;
        }
        let due = self
            .last_attempt
            .get()
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        if due {
            self.last_attempt.set(Some(std::time::Instant::now()));
            if let Err(e) = self.reconnect() {
                tracing::warn!(reason = %format!("{e:#}"), "PostgreSQL reconnection failed");
            }
        }
    }

    /// Whether the connection has dropped (shown in the console's header).
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
            || self
                .session
                .borrow()
                .as_ref()
                .is_none_or(|s| s.client.is_closed())
    }

    /// Changes announced so far: a reader compares it with the last it saw. On a replica, which
    /// cannot LISTEN, a change of the log position it has replayed counts as one.
    pub fn data_version(&self) -> i64 {
        if !self.listening.get() && !self.in_transaction.get() && !self.is_lost() {
            let position = self
                .prepare("SELECT coalesce(pg_last_wal_replay_lsn()::text, '')")
                .and_then(|stmt| self.query(&stmt, &[]))
                .ok()
                .and_then(|rows| rows.first().map(|r| r.get::<_, String>(0)));
            if let Some(position) = position
                && *self.replayed.borrow() != position
            {
                *self.replayed.borrow_mut() = position;
                self.changes.fetch_add(1, Ordering::SeqCst);
            }
        }
        self.changes.load(Ordering::SeqCst)
    }

    /// Marks the start or end of a transaction (see `in_transaction`).
    pub fn set_in_transaction(&self, open: bool) {
        self.in_transaction.set(open);
    }

    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T> {
        if self.is_lost() {
            if self.in_transaction.get() {
                return Err(super::Message::new(
                    "与数据库服务器的连接在更改过程中中断：这次更改没有保存；请重试",
                    "the connection to the database server dropped during the change: nothing of it was saved; try again",
                )
                .into());
            }
            self.reconnect()?;
        }
        let mut session = self.session.borrow_mut();
        let session = session
            .as_mut()
            .ok_or_else(|| anyhow!("not connected to PostgreSQL"))?;
        f(session).map_err(pg_error)
    }

    /// Prepares a statement once per connection (`?N` placeholders become `$N`).
    pub fn prepare(&self, sql: &str) -> Result<tokio_postgres::Statement> {
        self.with_client(|s| {
            if let Some(stmt) = s.statements.get(sql) {
                return Ok(stmt.clone());
            }
            let stmt = futures_executor::block_on(s.client.prepare(&placeholders(sql)))?;
            s.statements.insert(sql.to_string(), stmt.clone());
            Ok(stmt)
        })
        .map_err(|e| e.context(format!("in {}", first_words(sql))))
    }

    pub fn query(
        &self,
        stmt: &tokio_postgres::Statement,
        values: &[Value<'_>],
    ) -> Result<Vec<PgRow>> {
        let args: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        self.with_client(|s| futures_executor::block_on(s.client.query(stmt, &args)))
    }

    pub fn execute(&self, stmt: &tokio_postgres::Statement, values: &[Value<'_>]) -> Result<usize> {
        let args: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
        self.with_client(|s| futures_executor::block_on(s.client.execute(stmt, &args)))
            .map(|n| n as usize)
    }

    /// Statements without parameters, separated by `;`.
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.with_client(|s| futures_executor::block_on(s.client.batch_execute(sql)))
    }

    /// Loads rows into `table` (columns `cols`) with COPY … FROM STDIN BINARY, in the current
    /// transaction; the rows come from another backend's connection (never this one). Returns
    /// the number of rows.
    pub fn copy_in(
        &self,
        table: &str,
        cols: &[String],
        rows: &mut dyn Iterator<Item = Result<Vec<super::value::Owned>>>,
    ) -> Result<u64> {
        use super::value::ToValue;
        let list = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let probe = self.prepare(&format!("SELECT {list} FROM \"{table}\" LIMIT 0"))?;
        let types: Vec<Type> = probe.columns().iter().map(|c| c.type_().clone()).collect();
        let copy = format!("COPY \"{table}\" ({list}) FROM STDIN BINARY");
        let mut failure: Option<anyhow::Error> = None;
        let done = self.with_client(|s| {
            futures_executor::block_on(async {
                let sink = s.client.copy_in::<_, bytes::Bytes>(copy.as_str()).await?;
                let mut writer = std::pin::pin!(
                    tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, &types)
                );
                let mut n = 0u64;
                for row in &mut *rows {
                    let row = match row {
                        Ok(row) => row,
                        Err(e) => {
                            failure = Some(e);
                            break;
                        }
                    };
                    let values: Vec<Value<'_>> = row.iter().map(|v| v.to_value()).collect();
                    let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
                    writer.as_mut().write(&refs).await?;
                    n += 1;
                }
                if failure.is_none() {
                    writer.finish().await?;
                }
                Ok(n)
            })
        });
        match failure {
            Some(e) => Err(e),
            None => done,
        }
    }

    pub fn last_insert_id(&self) -> Result<i64> {
        let stmt = self.prepare("SELECT lastval()")?;
        let rows = self.query(&stmt, &[])?;
        rows.first()
            .map(|r| r.get::<_, i64>(0))
            .ok_or_else(|| anyhow!("no row was inserted"))
    }
}

/// The statement's first words, for an error's context.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(8).collect();
    words.join(" ")
}

/// `?N` placeholders as `$N` (and a bare `?` as the next number), outside quotes.
pub fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            None => out.push(c),
        }
    }
    out
}

/// A database error's own words (with its detail), not the driver's "db error".
pub fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&format!(": {s}"));
                source = s.source();
            }
            text
        }
    }
}

/// A driver error as the store reports it, keeping the error for [`sqlstate`].
pub fn pg_error(e: tokio_postgres::Error) -> anyhow::Error {
    let text = pg_message(&e);
    anyhow::Error::new(e).context(text)
}

/// The SQLSTATE of a PostgreSQL error anywhere in the chain.
pub fn sqlstate(e: &anyhow::Error) -> Option<&str> {
    e.chain()
        .find_map(|c| c.downcast_ref::<tokio_postgres::Error>())
        .and_then(|e| e.code())
        .map(|c| c.code())
}

fn to_instant(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

fn from_instant(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        // Before 1970: whole seconds, rounded down.
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 0)
        }
    }
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match *self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::TIMESTAMPTZ | Type::TIMESTAMP => to_instant(i).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                    i.to_string().as_str().to_sql(ty, out)
                }
                _ => Err(format!("an integer cannot be sent as {ty}").into()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::INT8 => (f as i64).to_sql(ty, out),
                _ => Err(format!("a real number cannot be sent as {ty}").into()),
            },
            Value::Bool(b) => match *ty {
                Type::BOOL => b.to_sql(ty, out),
                Type::INT8 => i64::from(b).to_sql(ty, out),
                Type::INT4 => i32::from(b).to_sql(ty, out),
                Type::INT2 => i16::from(b).to_sql(ty, out),
                _ => Err(format!("a boolean cannot be sent as {ty}").into()),
            },
            Value::Text(s) => match *ty {
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                Type::JSON => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => s.to_sql(ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A cell read by the store's types: integers (and instants as Unix seconds), booleans,
/// reals and text (JSON as its text).
struct Cell<T>(T);

impl<'a> FromSql<'a> for Cell<i64> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Cell(match *ty {
            Type::INT8 => i64::from_sql(ty, raw)?,
            Type::INT4 => i64::from(i32::from_sql(ty, raw)?),
            Type::INT2 => i64::from(i16::from_sql(ty, raw)?),
            Type::OID => i64::from(u32::from_sql(ty, raw)?),
            Type::BOOL => i64::from(bool::from_sql(ty, raw)?),
            Type::TIMESTAMPTZ | Type::TIMESTAMP => from_instant(SystemTime::from_sql(ty, raw)?),
            // sum() of integers is a numeric in PostgreSQL.
            Type::NUMERIC => numeric_integer(raw)?,
            _ => return Err(format!("{ty} is not an integer").into()),
        }))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// An integral NUMERIC in its binary form (ndigits, weight, sign, dscale, then base-10000
/// digits), as an i64; a fraction or an overflow is an error.
fn numeric_integer(raw: &[u8]) -> Result<i64, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i..i + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated numeric".into())
    };
    let ndigits = word(0)?.max(0) as usize;
    let weight = i64::from(word(2)?);
    let sign = word(4)? as u16;
    if sign == 0xC000 {
        return Err("NaN is not an integer".into());
    }
    let mut value: i64 = 0;
    for i in 0..ndigits {
        let digit = i64::from(word(8 + 2 * i)?);
        let power = weight - i as i64;
        if power < 0 {
            if digit != 0 {
                return Err("a numeric with a fraction is not an integer".into());
            }
            continue;
        }
        let scale = 10_000i64
            .checked_pow(power as u32)
            .ok_or("a numeric too large for an integer")?;
        value = digit
            .checked_mul(scale)
            .and_then(|d| value.checked_add(d))
            .ok_or("a numeric too large for an integer")?;
    }
    Ok(if sign == 0x4000 { -value } else { value })
}

impl<'a> FromSql<'a> for Cell<bool> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Cell(match *ty {
            Type::BOOL => bool::from_sql(ty, raw)?,
            _ => Cell::<i64>::from_sql(ty, raw)?.0 != 0,
        }))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

impl<'a> FromSql<'a> for Cell<f64> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Cell(match *ty {
            Type::FLOAT8 => f64::from_sql(ty, raw)?,
            Type::FLOAT4 => f64::from(f32::from_sql(ty, raw)?),
            _ => Cell::<i64>::from_sql(ty, raw)?.0 as f64,
        }))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

impl<'a> FromSql<'a> for Cell<&'a str> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(Cell(match *ty {
            Type::JSONB => std::str::from_utf8(raw.get(1..).unwrap_or_default())?,
            Type::JSON | Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                std::str::from_utf8(raw)?
            }
            _ => return Err(format!("{ty} is not text").into()),
        }))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Converts a cell of the store's widest type to the one a reader asks for.
pub trait FromPgCell: Sized {
    fn read(r: &PgRow, i: usize) -> Result<Option<Self>>;
}

fn get<'a, T: FromSql<'a>>(r: &'a PgRow, i: usize) -> Result<Option<T>> {
    r.try_get::<_, Option<T>>(i)
        .map_err(|e| anyhow!("column {i}: {}", pg_message(&e)))
}

macro_rules! int_cell {
    ($($t:ty),*) => {$(
        impl FromPgCell for $t {
            fn read(r: &PgRow, i: usize) -> Result<Option<Self>> {
                get::<Cell<i64>>(r, i)?
                    .map(|c| <$t>::try_from(c.0).map_err(|_| anyhow!("column {i}: {} is out of range", c.0)))
                    .transpose()
            }
        }
    )*};
}
int_cell!(i64, i32, u32, u8, u16);

impl FromPgCell for bool {
    fn read(r: &PgRow, i: usize) -> Result<Option<Self>> {
        Ok(get::<Cell<bool>>(r, i)?.map(|c| c.0))
    }
}

impl FromPgCell for f64 {
    fn read(r: &PgRow, i: usize) -> Result<Option<Self>> {
        Ok(get::<Cell<f64>>(r, i)?.map(|c| c.0))
    }
}

impl FromPgCell for String {
    fn read(r: &PgRow, i: usize) -> Result<Option<Self>> {
        Ok(get::<Cell<&str>>(r, i)?.map(|c| c.0.to_string()))
    }
}

pub fn cell<T: FromPgCell>(r: &PgRow, i: usize) -> Result<T> {
    T::read(r, i)?.ok_or_else(|| anyhow!("column {i} is null"))
}

pub fn opt_cell<T: FromPgCell>(r: &PgRow, i: usize) -> Result<Option<T>> {
    T::read(r, i)
}

/// A cell whatever its type, by the column's type.
pub fn value(r: &PgRow, i: usize) -> Result<super::value::Owned> {
    use super::value::Owned;
    let ty = r.columns()[i].type_().clone();
    Ok(match ty {
        Type::FLOAT4 | Type::FLOAT8 => opt_cell::<f64>(r, i)?.map_or(Owned::Null, Owned::Real),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON | Type::JSONB => {
            opt_cell::<String>(r, i)?.map_or(Owned::Null, Owned::Text)
        }
        _ => opt_cell::<i64>(r, i)?.map_or(Owned::Null, Owned::Int),
    })
}

pub fn opt_str(r: &PgRow, i: usize) -> Result<Option<&str>> {
    Ok(get::<Cell<&str>>(r, i)?.map(|c| c.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            placeholders("SELECT ?1, '?2', \"a?\" FROM t WHERE a = ?12 AND b = ?"),
            "SELECT $1, '?2', \"a?\" FROM t WHERE a = $12 AND b = $1"
        );
    }

    #[test]
    fn instants_before_and_after_the_epoch_round_trip() {
        for s in [-86_401, -1, 0, 1, 1_790_000_000] {
            assert_eq!(from_instant(to_instant(s)), s);
        }
    }

    #[test]
    fn integral_numerics_read_as_integers() {
        // 123456789: ndigits 3, weight 2, sign +, dscale 0, digits 1 2345 6789.
        let raw = [0, 3, 0, 2, 0, 0, 0, 0, 0, 1, 0x09, 0x29, 0x1a, 0x85];
        assert_eq!(numeric_integer(&raw).unwrap(), 123_456_789);
        let negative = [0, 1, 0, 0, 0x40, 0, 0, 0, 0, 7];
        assert_eq!(numeric_integer(&negative).unwrap(), -7);
        let zero = [0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(numeric_integer(&zero).unwrap(), 0);
        let fraction = [0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert!(numeric_integer(&fraction).is_err());
    }

    /// A connection costs random page reads as for a database in memory where the server keeps
    /// the stock setting, and keeps a setting of the server's (here the connection's) own.
    #[test]
    fn random_page_reads_cost_less_only_where_the_server_keeps_its_stock_setting() {
        let Some(db) = super::super::testing::TestDb::new(super::super::testing::Backend::Postgres)
        else {
            return;
        };
        let url = db.location().display().to_string();
        let cost = |url: &str| -> String {
            let conn = PgConn::connect(url, "").expect("the test database");
            let stmt = conn
                .prepare("SELECT current_setting('random_page_cost')")
                .unwrap();
            conn.query(&stmt, &[]).unwrap()[0].get(0)
        };
        assert_eq!(cost(&url), "1.1");
        assert_eq!(
            cost(&format!("{url}?options=-c%20random_page_cost%3D2")),
            "2"
        );
    }

    #[test]
    fn a_password_is_left_out_of_messages() {
        assert_eq!(
            redacted("postgres://aeo:secret@db:5432/aeo"),
            "postgres://aeo@db:5432/aeo"
        );
    }
}
