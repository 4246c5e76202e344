//! `aeo copy`: a whole database from one store to another (SQLite to PostgreSQL and back),
//! the audit trail included, ids kept, in one transaction on the target, verified table by
//! table by a count and a checksum of every row read back from the target before it commits.

use super::db::{Db, Owned, Row};
use super::{Store, Tx};
use crate::domain::message::Message;
use anyhow::{Result, anyhow};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The tables of the schema, parents before children. `work_counts` is kept by the target's
/// own triggers as the items arrive; `deadline_cache` by the target when it opens.
pub const TABLES: &[&str] = &[
    "coordinators",
    "enterprises",
    "enterprise_coordinators",
    "enterprise_aliases",
    "search_keys",
    "work_items",
    "inspection_slots",
    "bookings",
    "approvals",
    "approval_pauses",
    "calls",
    "problems",
    "problem_notes",
    "verifications",
    "audit_log",
    "aeo_meta",
];

/// Tables whose rows have an `id` the copy keeps (the others are keyed by their columns).
fn has_id(table: &str) -> bool {
    !matches!(
        table,
        "enterprise_coordinators" | "search_keys" | "aeo_meta"
    )
}

/// One table as copied: rows and the checksum both sides agree on.
#[derive(Debug, Clone, Serialize)]
pub struct CopiedTable {
    pub table: &'static str,
    pub rows: u64,
    pub checksum: String,
}

/// The columns of `table`, in the source's order.
fn columns(conn: &Db, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(conn.pick(
        "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
        "SELECT column_name::text FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
    ))?;
    let cols = stmt
        .query_map([table], |r| r.get::<String>(0))?
        .collect::<Result<Vec<_>>>()?;
    Ok(cols)
}

/// The order rows are read in, the same on both sides.
fn order(table: &str) -> &'static str {
    match table {
        "enterprise_coordinators" => "enterprise_id, coordinator_id",
        "search_keys" => "kind, key, enterprise_id",
        "aeo_meta" => "key",
        _ => "id",
    }
}

/// The count and checksum of a table's rows, fed one row at a time (cells as `Row::value`
/// reads them: instants as Unix seconds, flags as integers).
#[derive(Default)]
struct TableDigest {
    hash: Sha256,
    rows: u64,
}

impl TableDigest {
    fn add(&mut self, row: &[Owned]) {
        for v in row {
            hash_cell(&mut self.hash, v);
        }
        self.rows += 1;
    }

    fn finish(self) -> (u64, String) {
        let sum = self.hash.finalize();
        (self.rows, sum.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The cells of a row, in column order.
fn cells(r: &Row<'_>, n: usize) -> Result<Vec<Owned>> {
    (0..n).map(|i| r.value(i)).collect()
}

fn hash_cell(h: &mut Sha256, v: &Owned) {
    match v {
        Owned::Null => h.update([0u8]),
        Owned::Int(i) => {
            h.update([1u8]);
            h.update(i.to_le_bytes());
        }
        Owned::Real(f) => {
            h.update([2u8]);
            h.update(f.to_le_bytes());
        }
        Owned::Text(s) => {
            h.update([3u8]);
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
    }
}

/// Count and checksum of `table` (columns `cols`) on `conn`, rows in key order. Text keys are
/// ordered bytewise on both backends (search_keys is COLLATE "C" in PostgreSQL).
fn digest(conn: &Db, table: &str, cols: &[String]) -> Result<(u64, String)> {
    let list = quoted(cols);
    let mut stmt = conn.prepare(&format!(
        "SELECT {list} FROM \"{table}\" ORDER BY {}",
        order(table)
    ))?;
    let mut rows = stmt.query(())?;
    let mut digest = TableDigest::default();
    while let Some(r) = rows.next()? {
        digest.add(&cells(&r, cols.len())?);
    }
    Ok(digest.finish())
}

fn quoted(cols: &[String]) -> String {
    cols.iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Rows in the data tables (0 for a new database).
    fn data_rows(&self) -> Result<i64> {
        let mut total = 0;
        for t in TABLES.iter().filter(|t| **t != "aeo_meta") {
            let n: i64 =
                self.conn()
                    .query_row(&format!("SELECT count(*) FROM \"{t}\""), (), |r| r.get(0))?;
            total += n;
        }
        Ok(total)
    }

    /// Copies every table of `from` into this store, which must be empty, in one transaction;
    /// each table's count and checksum read back from this store must equal the source's, or
    /// nothing is kept.
    pub fn copy_from(&mut self, from: &Store) -> Result<Vec<CopiedTable>> {
        if self.access == super::Access::ReadOnly {
            return Err(super::read_only_message().into());
        }
        let target = self.path.display().to_string();
        let target = super::pg::redacted(&target);
        if self.data_rows()? > 0 {
            return Err(Message::new(
                format!("目标数据库 {target} 已有数据：复制只写入空数据库，未作任何更改"),
                format!(
                    "the target database {target} already holds data: a copy goes only into an empty database; nothing changed"
                ),
            )
            .into());
        }
        let (theirs, ours) = (from.schema_version()?, self.schema_version()?);
        if theirs != ours {
            return Err(anyhow!(
                "the source has schema {theirs} and the target {ours}: open the source once with this aeo to upgrade it"
            ));
        }
        // The source is read in one consistent view while the target is written.
        let _view = Tx::begin_read(from.conn())?;
        let tx = Tx::begin(self.conn(), self.busy_timeout)?;
        let conn = self.conn();
        // Derived rows the target made for itself when it opened give way to the source's.
        conn.execute_batch("DELETE FROM aeo_meta; DELETE FROM deadline_cache")?;
        let mut out = Vec::new();
        for table in TABLES {
            let cols = columns(from.conn(), table)?;
            let list = quoted(&cols);
            let mut read = from.conn().prepare(&format!(
                "SELECT {list} FROM \"{table}\" ORDER BY {}",
                order(table)
            ))?;
            let mut rows = read.query(())?;
            // The source's digest is taken from the rows as they are copied (read once).
            let mut source = TableDigest::default();
            match (conn, from.conn()) {
                // Into PostgreSQL from SQLite: COPY, the server's bulk path (an order of
                // magnitude faster than row by row on a district-sized database).
                (Db::Pg(pg), Db::Sqlite(_)) => {
                    let mut read_rows = std::iter::from_fn(|| match rows.next() {
                        Ok(Some(r)) => Some(cells(&r, cols.len()).inspect(|row| source.add(row))),
                        Ok(None) => None,
                        Err(e) => Some(Err(e)),
                    });
                    pg.copy_in(table, &cols, &mut read_rows)
                        .map_err(|e| e.context(format!("copying {table}")))?;
                }
                _ => {
                    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
                    let mut insert = conn.prepare(&format!(
                        "INSERT INTO \"{table}\" ({list}) VALUES ({})",
                        marks.join(", ")
                    ))?;
                    while let Some(r) = rows.next()? {
                        let values = cells(&r, cols.len())?;
                        source.add(&values);
                        insert
                            .execute(values)
                            .map_err(|e| e.context(format!("copying {table}")))?;
                    }
                }
            }
            let source = source.finish();
            let copied = digest(conn, table, &cols)?;
            if source != copied {
                return Err(anyhow!(
                    "{table}: the copy does not match the source ({} rows, checksum {} against {} rows, checksum {}): nothing was kept",
                    copied.0,
                    copied.1,
                    source.0,
                    source.1
                ));
            }
            if conn.is_pg() && has_id(table) {
                // New rows continue after the copied ids.
                conn.execute_batch(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM \"{table}\""
                ))?;
            }
            out.push(CopiedTable {
                table,
                rows: source.0,
                checksum: source.1,
            });
        }
        tx.commit()?;
        if self.conn().is_pg() {
            // Fresh tables have no statistics until autovacuum gets to them: plans made
            // meanwhile would be blind (a pane's first frame took seconds).
            self.conn().execute_batch("ANALYZE")?;
        }
        Ok(out)
    }

    /// Count and checksum of every table, as `copy` compares them.
    pub fn table_digests(&self) -> Result<Vec<CopiedTable>> {
        let _view = Tx::begin_read(self.conn())?;
        TABLES
            .iter()
            .map(|table| {
                let cols = columns(self.conn(), table)?;
                let (rows, checksum) = digest(self.conn(), table, &cols)?;
                Ok(CopiedTable {
                    table,
                    rows,
                    checksum,
                })
            })
            .collect()
    }

    /// The schema version of this database.
    pub fn schema_version(&self) -> Result<usize> {
        match self.conn() {
            Db::Sqlite(c) => super::schema_version(c, &self.path),
            Db::Pg(c) => super::pg_schema::current_version(c),
        }
    }
}
