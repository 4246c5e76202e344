//! One connection, SQLite or PostgreSQL, behind the few calls the store makes: prepare a
//! statement, bind its parameters, read its rows, run a write transaction.
//!
//! The SQL is the store's own, written for each backend where the two differ (time arithmetic,
//! upserts, JSON, booleans, text search): a store function asks [`Db::dialect`] and passes the
//! statement of its backend. Placeholders are written `?1`, `?2`… everywhere; PostgreSQL reads
//! them as `$1`, `$2`…. Values cross as [`Value`]: integers, reals, text, booleans and nulls;
//! an instant is an integer of Unix seconds in SQLite and a `timestamptz` in PostgreSQL, and the
//! parameter and row conversions here turn one into the other by the column's declared type.

use super::pg::{PgConn, PgRow};
pub use super::value::{Owned, ToValue, Value};
use anyhow::{Result, anyhow};

/// Which SQL a statement must be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection of either backend (one per store: the variants' sizes do not matter).
#[allow(clippy::large_enum_variant)]
pub enum Db {
    Sqlite(rusqlite::Connection),
    Pg(PgConn),
}

/// A statement that found no row where one was asked for ([`OptionalExtension::optional`]
/// turns it into `None`).
#[derive(Debug)]
pub struct NoRows;

impl std::fmt::Display for NoRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the query returned no row")
    }
}

impl std::error::Error for NoRows {}

/// `query_row(…).optional()`: no row is `None`, any other failure stays an error.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.downcast_ref::<NoRows>().is_some() => Ok(None),
            Err(e) => match e.downcast_ref::<rusqlite::Error>() {
                Some(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
                _ => Err(e),
            },
        }
    }
}

/// The parameters of one statement.
pub trait Params {
    fn values(&self) -> Vec<Value<'_>>;
}

impl Params for () {
    fn values(&self) -> Vec<Value<'_>> {
        Vec::new()
    }
}

impl Params for &[&dyn ToValue] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

impl<T: ToValue> Params for Vec<T> {
    fn values(&self) -> Vec<Value<'_>> {
        self.iter().map(|v| v.to_value()).collect()
    }
}

/// `params![a, b, …]`: the parameters of one statement, in placeholder order.
macro_rules! params {
    () => { () };
    ($($v:expr),+ $(,)?) => {
        &[$(&$v as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue]
    };
}
pub(crate) use params;

/// What a row's cell can be read as.
pub trait FromCell: Sized {
    fn from_sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    fn from_pg(r: &PgRow, i: usize) -> Result<Self>;
}

macro_rules! cell {
    ($($t:ty),*) => {$(
        impl FromCell for $t {
            fn from_sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn from_pg(r: &PgRow, i: usize) -> Result<Self> {
                super::pg::cell(r, i)
            }
        }
        impl FromCell for Option<$t> {
            fn from_sqlite(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
                r.get(i)
            }
            fn from_pg(r: &PgRow, i: usize) -> Result<Self> {
                super::pg::opt_cell(r, i)
            }
        }
    )*};
}
cell!(i64, i32, u32, u8, u16, bool, f64, String);

/// One row of a result.
#[derive(Clone, Copy)]
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a PgRow),
}

impl<'a> Row<'a> {
    pub fn get<T: FromCell>(&self, i: usize) -> Result<T> {
        match self {
            Row::Sqlite(r) => Ok(T::from_sqlite(r, i)?),
            Row::Pg(r) => T::from_pg(r, i),
        }
    }

    /// A cell whatever its type: instants as Unix seconds, booleans as 0/1 (for copying).
    pub fn value(&self, i: usize) -> Result<Owned> {
        match self {
            Row::Sqlite(r) => {
                use rusqlite::types::ValueRef;
                Ok(match r.get_ref(i)? {
                    ValueRef::Null => Owned::Null,
                    ValueRef::Integer(v) => Owned::Int(v),
                    ValueRef::Real(v) => Owned::Real(v),
                    ValueRef::Text(t) => Owned::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => return Err(anyhow!("column {i} holds bytes")),
                })
            }
            Row::Pg(r) => super::pg::value(r, i),
        }
    }

    /// A text cell, borrowed from the row.
    pub fn str(&self, i: usize) -> Result<&'a str> {
        self.opt_str(i)?
            .ok_or_else(|| anyhow!("column {i} is null where text was expected"))
    }

    /// A text cell or null, borrowed from the row.
    pub fn opt_str(&self, i: usize) -> Result<Option<&'a str>> {
        match self {
            Row::Sqlite(r) => Ok(r.get_ref(i)?.as_str_or_null()?),
            Row::Pg(r) => super::pg::opt_str(r, i),
        }
    }
}

/// A prepared statement.
pub enum Stmt<'c> {
    Sqlite(rusqlite::Statement<'c>),
    SqliteCached(rusqlite::CachedStatement<'c>),
    Pg(&'c PgConn, tokio_postgres::Statement),
}

impl<'c> Stmt<'c> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'c>> {
        match self {
            Stmt::Sqlite(s) => Some(s),
            Stmt::SqliteCached(s) => Some(&mut **s),
            Stmt::Pg(..) => None,
        }
    }

    /// Runs a statement that returns no rows; the number of rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        let values = params.values();
        if let Stmt::Pg(conn, stmt) = self {
            return conn.execute(stmt, &values);
        }
        let s = self.sqlite().expect("an SQLite statement");
        Ok(s.execute(rusqlite::params_from_iter(values.iter()))?)
    }

    /// The first row, read by `f`; [`NoRows`] when there is none.
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let values = params.values();
        if let Stmt::Pg(conn, stmt) = self {
            let rows = conn.query(stmt, &values)?;
            return match rows.first() {
                Some(r) => f(&Row::Pg(r)),
                None => Err(NoRows.into()),
            };
        }
        let s = self.sqlite().expect("an SQLite statement");
        let mut rows = s.query(rusqlite::params_from_iter(values.iter()))?;
        match rows.next()? {
            Some(r) => f(&Row::Sqlite(r)),
            None => Err(NoRows.into()),
        }
    }

    /// Whether the statement returns a row.
    pub fn exists(&mut self, params: impl Params) -> Result<bool> {
        self.query_row(params, |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
    }

    /// Every row, each read by `f`.
    pub fn query_map<T, F>(&mut self, params: impl Params, f: F) -> Result<MappedRows<'_, F>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        Ok(MappedRows {
            rows: self.query(params)?,
            f,
        })
    }

    /// The rows, one at a time.
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_>> {
        let values = params.values();
        if let Stmt::Pg(conn, stmt) = self {
            let rows = conn.query(stmt, &values)?;
            return Ok(Rows::Pg(rows.into_iter(), None));
        }
        let s = self.sqlite().expect("an SQLite statement");
        Ok(Rows::Sqlite(
            s.query(rusqlite::params_from_iter(values.iter()))?,
        ))
    }
}

/// The rows of a statement: read one at a time from SQLite, fetched whole from PostgreSQL.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Pg(std::vec::IntoIter<PgRow>, Option<PgRow>),
}

impl Rows<'_> {
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Rows::Pg(rows, current) => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// Rows read by a function, as an iterator.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(r)) => Some((self.f)(&r)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl Db {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Pg(_) => Dialect::Postgres,
        }
    }

    /// The statement of this backend: `sqlite` or `pg`.
    pub fn pick<'s>(&self, sqlite: &'s str, pg: &'s str) -> &'s str {
        match self {
            Db::Sqlite(_) => sqlite,
            Db::Pg(_) => pg,
        }
    }

    /// A subquery of the values of the JSON array bound as `param` (ids when `ids`, else
    /// text), for `x IN (…)`.
    pub fn json_values(&self, param: &str, ids: bool) -> String {
        match (self, ids) {
            (Db::Sqlite(_), _) => format!("SELECT value FROM json_each({param})"),
            (Db::Pg(_), true) => {
                format!("SELECT value::bigint FROM jsonb_array_elements_text({param}::jsonb)")
            }
            (Db::Pg(_), false) => format!("SELECT jsonb_array_elements_text({param}::jsonb)"),
        }
    }

    /// `column` is one of the values of the JSON array bound as `param` (ids when `ids`, else
    /// text): the rows of a list read by their index. PostgreSQL is given the values as an
    /// array (`= ANY`): offered them as a set to join (`IN (SELECT …)`), it guessed 100 of them
    /// and scanned a small table whole (the 16 bookings of a day board: all 15,745 bookings,
    /// 227 pages against 40), and scanned the queue for a kind's items it has an index of.
    pub fn in_list(&self, column: &str, param: &str, ids: bool) -> String {
        match self {
            Db::Sqlite(_) => format!("{column} IN ({})", self.json_values(param, ids)),
            Db::Pg(_) => format!("{column} = ANY (ARRAY({}))", self.json_values(param, ids)),
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Db::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare(sql)?)),
            Db::Pg(c) => Ok(Stmt::Pg(c, c.prepare(sql)?)),
        }
    }

    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Db::Sqlite(c) => Ok(Stmt::SqliteCached(c.prepare_cached(sql)?)),
            Db::Pg(c) => Ok(Stmt::Pg(c, c.prepare(sql)?)),
        }
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Db::Pg(c) => c.batch(sql),
        }
    }

    /// The id of the row the last INSERT added.
    pub fn last_insert_rowid(&self) -> Result<i64> {
        match self {
            Db::Sqlite(c) => Ok(c.last_insert_rowid()),
            Db::Pg(c) => c.last_insert_id(),
        }
    }
}
