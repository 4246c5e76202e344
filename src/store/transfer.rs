//! Queries of import and export: finding records by their natural keys (while an import checks
//! its file, without the write lock, and again while it writes), undoing an import that could
//! not finish, and reading whole tables in the import columns.

use super::db::{Db, OptionalExtension, Owned, params};
use super::{NewCoordinator, NewEnterprise, NewSlot, NewWorkItem, Store, Writer, opt_ts, ts};
use crate::domain::credit::CreditLevel;
use anyhow::{Result, anyhow};
use jiff::Timestamp;

/// An enterprise as other records refer to it.
#[derive(Debug, Clone, Copy)]
pub struct EnterpriseRef {
    pub id: i64,
    pub credit: CreditLevel,
}

// These two read the first row, if any, without making an error of "no row": an import asks
// them a million times, and an error captures a backtrace where RUST_BACKTRACE is set.
fn exists(conn: &Db, sql: &str, args: impl super::db::Params) -> Result<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_map(args, |_| Ok(()))?
        .next()
        .transpose()?
        .is_some())
}

fn id_of(conn: &Db, sql: &str, args: impl super::db::Params) -> Result<Option<i64>> {
    conn.prepare_cached(sql)?
        .query_map(args, |r| r.get(0))?
        .next()
        .transpose()
}

/// A column an import's update changed: its name, and its value before and after (as JSON).
pub type Change = (String, String, String);

/// The columns whose values differ between two snapshots of a row.
fn changes(before: Option<&str>, after: Option<&str>) -> Vec<Change> {
    let parse = |s: Option<&str>| -> serde_json::Map<String, serde_json::Value> {
        s.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v) && k.as_str() != "updated_at")
        .map(|(k, v)| {
            let old = b.get(k).map(|x| x.to_string()).unwrap_or_default();
            (k.clone(), old, v.to_string())
        })
        .collect()
}

/// Look-ups by natural key, on a read transaction (an import's check) or a write one.
#[derive(Clone, Copy)]
pub struct Lookup<'c> {
    conn: &'c Db,
}

impl Store {
    /// Runs `f` in one read transaction: a consistent view of the database that takes no write
    /// lock, so other operators keep writing meanwhile.
    pub fn read<T>(&self, f: impl FnOnce(Lookup<'_>) -> Result<T>) -> Result<T> {
        let _tx = super::Tx::begin_read(self.conn())?;
        f(Lookup { conn: self.conn() })
    }
}

impl Store {
    /// Readies this connection for the many short transactions of a large import (SQLite):
    /// the statement journal in memory (each insert into a table with triggers journals the
    /// pages it touches: on disk, a 300,000-item import took three times as long, most of it
    /// in the kernel); a page cache of 64 MB instead of 2 MB, which keeps the index pages the
    /// import changes from one batch to the next (18 s against 23 s for 300,000 items); and
    /// checkpoints left to [`Self::checkpoint`], which the import runs between batches, while
    /// others write.
    pub fn ready_for_import(&self) -> Result<()> {
        if !self.conn().is_pg() {
            self.conn().execute_batch(
                "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0",
            )?;
        }
        Ok(())
    }

    /// Copies what the write-ahead log holds into the database, as far as no reader needs it
    /// (SQLite; without waiting for anyone, and without the write lock).
    pub fn checkpoint(&self) -> Result<()> {
        if !self.conn().is_pg() {
            self.conn()
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", (), |_| Ok(()))?;
        }
        Ok(())
    }

    /// Copies the rest of the write-ahead log into the database and empties the log, so that
    /// the next write starts it again from its beginning (SQLite). Other writers wait while
    /// it runs: run it when little is left to copy (after [`Checkpointer::wait`]). A log that
    /// is never emptied grows by every batch of a large import (1.3 GB for 1,000,000 items
    /// when another operator wrote in every pause).
    ///
    /// `truncate` gives the log's disk space back too: at the end of an import, so that the
    /// last connection to close finds nothing to copy (it copies holding the file exclusively,
    /// and every other operator's command, even one only opening the database, waited for it:
    /// 0.8 s after a 1,000,000-item import); between batches the next ones reuse the space.
    pub fn empty_log(&self, truncate: bool) -> Result<()> {
        if !self.conn().is_pg() {
            self.conn().query_row(
                if truncate {
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                } else {
                    "PRAGMA wal_checkpoint(RESTART)"
                },
                (),
                |_| Ok(()),
            )?;
        }
        Ok(())
    }
}

/// Where other writers stood at a moment (see [`Lookup::write_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteMark {
    /// The audit trail's last entry.
    pub audit: i64,
    version: Option<i64>,
}

/// Checkpoints an import's batches on a connection and a thread of their own, while the import
/// goes on with its next batch (SQLite; nothing on PostgreSQL). A checkpoint copies what the
/// write-ahead log holds into the database without the write lock: others write meanwhile.
pub struct Checkpointer {
    shared: std::sync::Arc<(std::sync::Mutex<Turns>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<Result<()>>>,
}

/// How many checkpoints were asked for, begun and done; whether the import is over.
#[derive(Default)]
struct Turns {
    asked: u64,
    begun: u64,
    done: u64,
    over: bool,
}

impl Store {
    /// Starts a [`Checkpointer`] for this store's database.
    pub fn checkpointer(&self) -> Result<Checkpointer> {
        let shared = std::sync::Arc::new((
            std::sync::Mutex::new(Turns::default()),
            std::sync::Condvar::new(),
        ));
        if self.conn().is_pg() {
            return Ok(Checkpointer {
                shared,
                thread: None,
            });
        }
        let conn = super::checkpoint_connection(self.path())?;
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                let (turns, changed) = &*theirs;
                loop {
                    let asked = {
                        let mut t = turns.lock().map_err(|_| anyhow!("checkpoint lock"))?;
                        while t.asked == t.begun && !t.over {
                            t = changed.wait(t).map_err(|_| anyhow!("checkpoint lock"))?;
                        }
                        if t.asked == t.begun {
                            return Ok(());
                        }
                        // Asked more than once meanwhile: one checkpoint serves all.
                        t.begun = t.asked;
                        changed.notify_all();
                        t.asked
                    };
                    let res = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", (), |_| Ok(()));
                    let mut t = turns.lock().map_err(|_| anyhow!("checkpoint lock"))?;
                    t.done = asked;
                    // A checkpoint that failed ends the thread: nobody waits for it any more.
                    t.over |= res.is_err();
                    changed.notify_all();
                    drop(t);
                    res?;
                }
            })?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }
}

impl Checkpointer {
    /// Asks for a checkpoint of what has been committed, and returns once it has begun (so that
    /// another writer committing next finds it under way and does not do it itself).
    pub fn begin(&self) {
        if self.thread.is_none() {
            return;
        }
        let (turns, changed) = &*self.shared;
        let Ok(mut t) = turns.lock() else { return };
        t.asked += 1;
        let asked = t.asked;
        changed.notify_all();
        while t.begun < asked && !t.over {
            match changed.wait(t) {
                Ok(g) => t = g,
                Err(_) => return,
            }
        }
    }

    /// Waits for the checkpoints asked for to be done.
    pub fn wait(&self) {
        if self.thread.as_ref().is_none_or(|t| t.is_finished()) {
            return;
        }
        let (turns, changed) = &*self.shared;
        let Ok(mut t) = turns.lock() else { return };
        while t.done < t.asked && !t.over {
            match changed.wait(t) {
                Ok(g) => t = g,
                Err(_) => return,
            }
        }
    }

    /// Waits for the checkpoints asked for, and ends the thread.
    pub fn finish(mut self) -> Result<()> {
        self.stop();
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow!("the checkpoint thread stopped"))?,
            None => Ok(()),
        }
    }

    fn stop(&self) {
        let (turns, changed) = &*self.shared;
        if let Ok(mut t) = turns.lock() {
            t.over = true;
            changed.notify_all();
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Writer<'_> {
    pub fn lookup(&self) -> Lookup<'_> {
        Lookup { conn: self.conn() }
    }

    /// The last entry of the audit trail (0 when empty): the entries of a transaction are those
    /// after the last one before it.
    pub fn last_audit_id(&self) -> Result<i64> {
        self.lookup().last_audit_id()
    }

    /// Undoes what the audit entries `after < id <= upto` record (the transactions of an import
    /// that could not finish), newest first, at most `limit` entries: rows created are deleted,
    /// rows updated get their values back; each step is audited. Returns the `upto` of the
    /// entries left to undo, None when none are left.
    pub fn undo_created(&self, after: i64, upto: i64, limit: usize) -> Result<Option<i64>> {
        const TABLES: &[&str] = &[
            "coordinators",
            "enterprises",
            "enterprise_aliases",
            "work_items",
            "inspection_slots",
            "bookings",
            "approvals",
            "approval_pauses",
            "calls",
            "problems",
            "problem_notes",
            "verifications",
        ];
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, i64, Option<i64>, Option<String>)> = self
            .conn()
            .prepare(
                "SELECT a.id, a.action, a.entity, a.entity_id, a.enterprise_id, a.before FROM audit_log a
                 WHERE a.id > ?1 AND a.id <= ?2
                   AND a.action IN ('create', 'book', 'link', 'import_update', 'set_hotline_person')
                 ORDER BY a.id DESC LIMIT ?3",
            )?
            .query_map(params![after, upto, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })?
            .collect::<anyhow::Result<_>>()?;
        let left = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.0 - 1))
            .flatten();
        for (_, action, entity, id, enterprise, before) in rows {
            if action == "link" {
                // entity_id is the coordinator's; the link's enterprise is the entry's.
                let n = self.conn().execute(
                    "DELETE FROM enterprise_coordinators WHERE enterprise_id = ?1 AND coordinator_id = ?2",
                    params![enterprise, id],
                )?;
                if n > 0 {
                    let link =
                        serde_json::json!({"enterprise_id": enterprise, "coordinator_id": id});
                    self.record(
                        "unlink",
                        "enterprise_coordinators",
                        id,
                        enterprise,
                        Some(link.to_string()),
                        None,
                    )?;
                }
                continue;
            }
            let Some(table) = TABLES.iter().find(|t| **t == entity) else {
                return Err(anyhow!("cannot undo a created {entity}"));
            };
            if action == "import_update" || action == "set_hotline_person" {
                // The row as it was before the import updated it.
                let before = before.unwrap_or_default();
                if self.snapshot(table, id)?.as_deref() == Some(before.as_str()) {
                    continue; // nothing to restore
                }
                let values: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&before)?;
                let cols: Vec<&String> = values.keys().filter(|c| *c != "id").collect();
                let set: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("\"{c}\" = ?{}", i + 2))
                    .collect();
                let mut args: Vec<Owned> = vec![Owned::Int(id)];
                for c in &cols {
                    args.push(match &values[c.as_str()] {
                        serde_json::Value::Null => Owned::Null,
                        serde_json::Value::Bool(b) => Owned::Int(i64::from(*b)),
                        serde_json::Value::Number(n) => match n.as_i64() {
                            Some(i) => Owned::Int(i),
                            None => Owned::Real(n.as_f64().unwrap_or_default()),
                        },
                        serde_json::Value::String(t) => Owned::Text(t.clone()),
                        v => Owned::Text(v.to_string()),
                    });
                }
                self.audited_update("import_undo", table, id, enterprise, || {
                    self.conn().execute(
                        &format!("UPDATE {table} SET {} WHERE id = ?1", set.join(", ")),
                        args,
                    )?;
                    Ok(())
                })?;
                if *table == "enterprises" {
                    self.index_enterprise(id)?;
                }
                continue;
            }
            if !exists(
                self.conn(),
                &format!("SELECT 1 FROM {table} WHERE id = ?1"),
                [id],
            )? {
                continue; // gone already
            }
            let enterprise_id: Option<i64> = match *table {
                "enterprises" => Some(id),
                "coordinators" | "inspection_slots" => None,
                "approval_pauses" => self.conn().query_row(
                    "SELECT a.enterprise_id FROM approval_pauses p JOIN approvals a ON a.id = p.approval_id WHERE p.id = ?1",
                    [id],
                    |r| r.get(0),
                )?,
                "problem_notes" => self.conn().query_row(
                    "SELECT p.enterprise_id FROM problem_notes n JOIN problems p ON p.id = n.problem_id WHERE n.id = ?1",
                    [id],
                    |r| r.get(0),
                )?,
                t => self.conn().query_row(
                    &format!("SELECT enterprise_id FROM {t} WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )?,
            };
            self.record_deleted(table, id, enterprise_id)?;
            if *table == "enterprises" {
                for dependent in ["search_keys", "enterprise_coordinators"] {
                    self.conn().execute(
                        &format!("DELETE FROM {dependent} WHERE enterprise_id = ?1"),
                        [id],
                    )?;
                }
            }
            self.conn()
                .execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
        }
        Ok(left)
    }
}

impl Lookup<'_> {
    /// The last entry of the audit trail (0 when empty).
    fn last_audit_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM audit_log", (), |r| {
                r.get(0)
            })
    }

    /// Where other writers stood when this transaction began: the audit trail's last entry,
    /// and (SQLite) the data version, which moves when another connection commits.
    pub fn write_mark(&self) -> Result<WriteMark> {
        let audit = self.last_audit_id()?;
        let version = match self.conn {
            Db::Sqlite(c) => Some(c.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Db::Pg(_) => None,
        };
        Ok(WriteMark { audit, version })
    }

    /// Whether no other writer has touched queue items since `mark` (taken on this connection;
    /// this connection's own changes since are after `mark.audit` no more): then what a check
    /// read of them still holds. Another's commit shows in the data version; if the audit trail
    /// has no entry of it (a writer other than aeo), or one of queue items, they may have
    /// changed. On PostgreSQL (no data version) the answer is always no. Returns the mark to
    /// ask with next time.
    pub fn queue_items_unchanged(&self, mark: WriteMark) -> Result<Option<WriteMark>> {
        let now = self.write_mark()?;
        let (Some(then), Some(version)) = (mark.version, now.version) else {
            return Ok(None);
        };
        if then == version {
            return Ok(Some(mark));
        }
        let (entries, of_items): (i64, i64) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(entity = 'work_items'), 0) FROM audit_log WHERE id > ?1",
            [mark.audit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((entries > 0 && of_items == 0).then_some(now))
    }

    fn conn(&self) -> &Db {
        self.conn
    }

    /// The enterprise with this USCC or customs code (or AEOCN + code).
    pub fn enterprise_by_code(&self, key: &str) -> Result<Option<EnterpriseRef>> {
        let upper = key.trim().to_ascii_uppercase();
        let code = upper.strip_prefix("AEOCN").unwrap_or(&upper);
        // One index look-up per column (an OR of the two made SQLite build a row set for every
        // call): the first enterprise either finds.
        let by = |sql: &str, key: &str| -> Result<Option<(i64, String)>> {
            self.conn()
                .prepare_cached(sql)?
                .query_map([key], |r| Ok((r.get(0)?, r.get(1)?)))?
                .next()
                .transpose()
        };
        let row = match (
            by(
                "SELECT id, credit FROM enterprises WHERE uscc = ?1 ORDER BY id LIMIT 1",
                &upper,
            )?,
            by(
                "SELECT id, credit FROM enterprises WHERE customs_code = ?1 ORDER BY id LIMIT 1",
                code,
            )?,
        ) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        row.map(|(id, credit)| {
            Ok(EnterpriseRef {
                id,
                credit: credit.parse().map_err(|e: String| anyhow!(e))?,
            })
        })
        .transpose()
    }

    /// The enterprise with this USCC.
    pub fn uscc_id(&self, uscc: &str) -> Result<Option<i64>> {
        id_of(
            self.conn(),
            "SELECT id FROM enterprises WHERE uscc = ?1",
            [uscc],
        )
    }

    /// The enterprise whose customs code this is.
    pub fn customs_code_owner(&self, code: &str) -> Result<Option<i64>> {
        id_of(
            self.conn(),
            "SELECT id FROM enterprises WHERE customs_code = ?1",
            [code],
        )
    }

    /// The coordinator reached on this telephone number.
    pub fn coordinator_by_phone(&self, phone: &str) -> Result<Option<i64>> {
        self.conn()
            .query_row(
                "SELECT id FROM coordinators WHERE phone = ?1 ORDER BY id LIMIT 1",
                [phone.trim()],
                |r| r.get(0),
            )
            .optional()
    }

    /// The slot of an office starting at `start` (HH:MM) on `date` (YYYY-MM-DD).
    pub fn slot_at(&self, office_code: &str, date: &str, start: &str) -> Result<Option<i64>> {
        self
            .conn()
            .query_row(
                "SELECT id FROM inspection_slots WHERE office_code = ?1 AND date = ?2 AND start_time = ?3",
                params![office_code, date, start],
                |r| r.get(0),
            )
            .optional()
    }

    /// A queue item with this kind and declaration number (the natural key of items that have one).
    pub fn item_by_declaration(&self, kind: &str, declaration_no: &str) -> Result<Option<i64>> {
        id_of(
            self.conn(),
            "SELECT id FROM work_items WHERE kind = ?1 AND declaration_no = ?2 ORDER BY id LIMIT 1",
            params![kind, declaration_no],
        )
    }

    /// A queue item without declaration number of this kind, enterprise and arrival instant
    /// (the natural key of such items; export writes all three).
    pub fn item_by_arrival(
        &self,
        kind: &str,
        enterprise_id: i64,
        received_at: Timestamp,
    ) -> Result<Option<i64>> {
        id_of(
            self.conn(),
            "SELECT id FROM work_items WHERE kind = ?1 AND enterprise_id = ?2 AND received_at = ?3 AND declaration_no IS NULL
             ORDER BY id LIMIT 1",
            params![kind, enterprise_id, received_at.as_second()],
        )
    }

    /// A booking of this slot by this enterprise for these goods (booked at this instant, when
    /// given).
    pub fn booking_exists(
        &self,
        slot_id: i64,
        enterprise_id: i64,
        goods: &str,
        booked_at: Option<Timestamp>,
    ) -> Result<bool> {
        exists(
            self.conn(),
            // PostgreSQL is told the type of ?4, which `IS NULL` alone does not say.
            self.conn().pick(
                "SELECT 1 FROM bookings WHERE slot_id = ?1 AND enterprise_id = ?2 AND goods = ?3
             AND (?4 IS NULL OR booked_at = ?4)",
                "SELECT 1 FROM bookings WHERE slot_id = ?1 AND enterprise_id = ?2 AND goods = ?3
             AND (?4::timestamptz IS NULL OR booked_at = ?4)",
            ),
            params![
                slot_id,
                enterprise_id,
                goods,
                booked_at.map(|t| t.as_second())
            ],
        )
    }

    /// Whether this coordinator is linked to this enterprise (the natural key of a link).
    pub fn is_linked(&self, enterprise_id: i64, coordinator_id: i64) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM enterprise_coordinators WHERE enterprise_id = ?1 AND coordinator_id = ?2",
            params![enterprise_id, coordinator_id],
        )
    }

    /// The enterprise's designated hotline person (one each: the natural key is the enterprise).
    pub fn hotline_person_of(&self, enterprise_id: i64) -> Result<Option<String>> {
        super::hotline::hotline_person(self.conn(), enterprise_id)
    }

    /// Whether an enterprise has this alias.
    pub fn has_alias(&self, enterprise_id: i64, alias: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM enterprise_aliases WHERE enterprise_id = ?1 AND alias = ?2",
            params![enterprise_id, alias.trim()],
        )
    }

    /// An approval with this reference (its natural key).
    pub fn approval_reference_exists(&self, reference: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM approvals WHERE reference = ?1",
            [reference],
        )
    }

    /// A call taken at this instant by this operator with this question (its natural key).
    pub fn call_exists(&self, at: Timestamp, operator: &str, question: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM calls WHERE at = ?1 AND operator = ?2 AND question = ?3",
            params![at.as_second(), operator, question],
        )
    }

    /// A problem of this enterprise with this summary opened at this instant (its natural key).
    pub fn problem_exists(
        &self,
        enterprise_id: i64,
        title: &str,
        opened_at: Timestamp,
    ) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM problems WHERE enterprise_id = ?1 AND title = ?2 AND opened_at = ?3",
            params![enterprise_id, title, opened_at.as_second()],
        )
    }

    /// A verification plan of this enterprise, kind, date and instruction (its natural key).
    pub fn plan_exists(
        &self,
        enterprise_id: i64,
        kind: &str,
        date: &str,
        instruction: &str,
    ) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM verifications
             WHERE enterprise_id = ?1 AND kind = ?2 AND scheduled_on = ?3 AND instruction = ?4",
            params![enterprise_id, kind, date, instruction],
        )
    }
}

impl Writer<'_> {
    /// Runs an import's update of one row; audited (`import_update`, the row before and after)
    /// when it changed anything. Returns what changed.
    fn import_update(
        &self,
        table: &str,
        id: i64,
        enterprise_id: Option<i64>,
        sql: &str,
        args: impl super::db::Params,
    ) -> Result<Vec<Change>> {
        let before = self.snapshot(table, id)?;
        self.conn().prepare_cached(sql)?.execute(args)?;
        let after = self.snapshot(table, id)?;
        let changed = changes(before.as_deref(), after.as_deref());
        if !changed.is_empty() {
            self.record("import_update", table, id, enterprise_id, before, after)?;
        }
        Ok(changed)
    }

    /// A coordinator, found by telephone, takes the file's values (`aeo import --upsert`).
    pub fn update_coordinator(&self, id: i64, c: &NewCoordinator<'_>) -> Result<Vec<Change>> {
        let keys = crate::domain::search::search_keys(c.name);
        self.import_update(
            "coordinators",
            id,
            None,
            "UPDATE coordinators SET name = ?2, pinyin = ?3, initials = ?4, office_code = ?5,
                    office_name = ?6, role = ?7, duty_hours = ?8 WHERE id = ?1",
            params![
                id,
                c.name,
                keys.pinyin,
                keys.initials,
                c.office_code,
                c.office_name,
                c.role.code(),
                c.duty_hours
            ],
        )
    }

    /// An enterprise, found by USCC, takes the file's values (`aeo import --upsert`); its
    /// search keys follow its names, and a coordinator given is linked.
    pub fn update_enterprise(&self, id: i64, e: &NewEnterprise<'_>) -> Result<Vec<Change>> {
        let industries: Vec<&str> = e.industries.iter().map(|i| i.code()).collect();
        let changed = self.import_update(
            "enterprises",
            id,
            Some(id),
            "UPDATE enterprises SET uscc_status = ?2, customs_code = ?3, name_zh = ?4, name_en = ?5,
                    credit = ?6, industries = ?7, group_name = ?8, coordinator_id = ?9 WHERE id = ?1",
            params![
                id,
                super::enterprises::status_code(e.uscc_status),
                e.customs_code,
                e.name_zh,
                e.name_en,
                e.credit.code(),
                industries.join(","),
                e.group_name,
                e.coordinator_id
            ],
        )?;
        if changed
            .iter()
            .any(|(c, _, _)| c == "name_zh" || c == "name_en")
        {
            self.index_enterprise(id)?;
        }
        if let Some(c) = e.coordinator_id {
            self.link_coordinator(id, c)?;
        }
        Ok(changed)
    }

    /// Adds queue items an import has checked (`checked_item_flags` gave each its flags), with
    /// who holds each and whether its enterprise is AEO as the import read it, in one statement
    /// (a million items are written in a fraction of the time they take one by one); returns
    /// their ids, for [`Self::audit_created_items`]. The AEO flag given saves SQLite's insert
    /// trigger from writing each row a second time; a flag that is not right (the enterprise's
    /// credit changed since) is still put right by that trigger (PostgreSQL sets it before the
    /// insert whatever is given).
    pub fn insert_checked_items(
        &self,
        items: &[(NewWorkItem<'_>, Option<&str>, bool)],
    ) -> Result<Vec<i64>> {
        use super::db::Value;
        const COLUMNS: usize = 11;
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // The statement of as many rows, written once per size (an import's chunks are of one
        // size but the last).
        thread_local! {
            static SQL: std::cell::RefCell<(usize, std::rc::Rc<str>)> =
                std::cell::RefCell::new((0, "".into()));
        }
        let sql = SQL.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.0 != items.len() {
                let mut sql = String::from(
                    "INSERT INTO work_items (kind, enterprise_id, declaration_no, received_at, due_at, status, urgent, non_intrusive, report_accepted, taken_by, aeo) VALUES ",
                );
                for r in 0..items.len() {
                    sql.push_str(if r == 0 { "(" } else { ", (" });
                    for c in 1..=COLUMNS {
                        use std::fmt::Write;
                        let _ = write!(sql, "{}?{}", if c == 1 { "" } else { ", " }, r * COLUMNS + c);
                    }
                    sql.push(')');
                }
                sql.push_str(" RETURNING id");
                *cell = (items.len(), sql.into());
            }
            cell.1.clone()
        });
        let mut values: Vec<Value<'_>> = Vec::with_capacity(items.len() * COLUMNS);
        for (item, taken_by, aeo) in items {
            values.extend([
                Value::Text(item.kind.code()),
                Value::Int(item.enterprise_id),
                item.declaration_no.map_or(Value::Null, Value::Text),
                Value::Int(item.received_at.as_second()),
                item.due_at
                    .map_or(Value::Null, |t| Value::Int(t.as_second())),
                Value::Text(item.status.code()),
                Value::Bool(item.flags.urgent),
                Value::Bool(item.flags.non_intrusive),
                Value::Bool(item.flags.report_accepted),
                taken_by.map_or(Value::Null, Value::Text),
                // A 0/1 integer in both backends.
                Value::Int(i64::from(*aeo)),
            ]);
        }
        let ids: Vec<i64> = self
            .conn()
            .prepare_cached(&sql)?
            .query_map(values, |r| r.get(0))?
            .collect::<Result<_>>()?;
        if ids.len() != items.len() {
            return Err(anyhow!(
                "{} of {} queue items were added",
                ids.len(),
                items.len()
            ));
        }
        Ok(ids)
    }

    /// Audits the queue items [`Self::insert_checked_items`] added, one `create` entry each
    /// (the row as it stands, as `insert_work_item` records it), in one statement when their
    /// ids are one run.
    pub fn audit_created_items(&self, ids: &[i64]) -> Result<()> {
        match (ids.iter().min(), ids.iter().max()) {
            (Some(&first), Some(&last)) if last - first + 1 == ids.len() as i64 => {
                self.record_created_range("work_items", "enterprise_id", first, last)
            }
            _ => ids.iter().try_for_each(|&id| {
                self.record_created_range("work_items", "enterprise_id", id, id)
            }),
        }
    }

    /// A queue item, found by its natural key, takes the file's values (`aeo import --upsert`),
    /// under the rules of a new item (times, eligibility, automatic flags).
    pub fn update_work_item(
        &self,
        id: i64,
        item: &NewWorkItem<'_>,
        taken_by: Option<&str>,
    ) -> Result<Vec<Change>> {
        let flags = self.checked_item_flags(item)?;
        self.import_update(
            "work_items",
            id,
            Some(item.enterprise_id),
            // The AEO flag is a 0/1 smallint in PostgreSQL, which takes no boolean.
            self.conn().pick(
                "UPDATE work_items SET enterprise_id = ?2, received_at = ?3, due_at = ?4, status = ?5,
                    urgent = ?6, non_intrusive = ?7, report_accepted = ?8, taken_by = ?9,
                    aeo = (SELECT credit IN ('advanced', 'certified') FROM enterprises WHERE id = ?2)
             WHERE id = ?1",
                "UPDATE work_items SET enterprise_id = ?2, received_at = ?3, due_at = ?4, status = ?5,
                    urgent = ?6, non_intrusive = ?7, report_accepted = ?8, taken_by = ?9,
                    aeo = (SELECT (credit IN ('advanced', 'certified'))::int FROM enterprises WHERE id = ?2)
             WHERE id = ?1",
            ),
            params![
                id,
                item.enterprise_id,
                item.received_at.as_second(),
                item.due_at.map(|t| t.as_second()),
                item.status.code(),
                flags.urgent,
                flags.non_intrusive,
                flags.report_accepted,
                taken_by
            ],
        )
    }

    /// A slot, found by office, date and start, takes the file's end and capacity (`aeo import
    /// --upsert`); its capacity cannot fall below the bookings it holds.
    pub fn update_slot(&self, id: i64, s: &NewSlot<'_>) -> Result<Vec<Change>> {
        let booked: i64 = self.conn().query_row(
            "SELECT count(*) FROM bookings WHERE slot_id = ?1 AND status <> 'cancelled'",
            [id],
            |r| r.get(0),
        )?;
        if i64::from(s.capacity) < booked {
            return Err(anyhow!(
                "the slot holds {booked} bookings: its capacity cannot be {}",
                s.capacity
            ));
        }
        self.import_update(
            "inspection_slots",
            id,
            None,
            "UPDATE inspection_slots SET end_time = ?2, capacity = ?3 WHERE id = ?1",
            params![id, s.end.strftime("%H:%M").to_string(), s.capacity],
        )
    }

    /// Records who holds a queue item, as an import carries it.
    pub fn set_item_taken_by(&self, id: i64, taken_by: Option<&str>) -> Result<()> {
        let enterprise_id: Option<i64> = self
            .conn()
            .query_row(
                "SELECT enterprise_id FROM work_items WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        self.audited_update("import_taken_by", "work_items", id, enterprise_id, || {
            self.conn().execute(
                "UPDATE work_items SET taken_by = ?2 WHERE id = ?1",
                params![id, taken_by],
            )?;
            Ok(())
        })
    }
}

pub struct CoordinatorExport {
    pub name: String,
    pub phone: String,
    pub office_code: String,
    pub office_name: String,
    pub role: String,
    pub duty_hours: String,
}

pub struct EnterpriseExport {
    pub uscc: String,
    pub customs_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub credit: String,
    /// Industry codes as stored, comma-separated.
    pub industries: String,
    pub group_name: Option<String>,
    pub coordinator_phone: Option<String>,
    /// Aliases, oldest first, separated by `;`.
    pub aliases: String,
}

pub struct ItemExport {
    pub kind: String,
    pub enterprise_uscc: String,
    pub declaration_no: Option<String>,
    pub received_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub status: String,
    pub urgent: bool,
    pub non_intrusive: bool,
    pub report_accepted: bool,
    pub taken_by: Option<String>,
}

pub struct SlotExport {
    pub office_code: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub capacity: u32,
}

pub struct BookingExport {
    pub office_code: String,
    pub date: String,
    pub start: String,
    pub enterprise_uscc: String,
    pub goods: String,
    pub location: String,
    pub reason: Option<String>,
    pub status: String,
    pub booked_at: Timestamp,
    pub booked_by: String,
}

pub struct ApprovalExport {
    pub kind: String,
    pub enterprise_uscc: String,
    pub reference: String,
    pub accepted_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decision: Option<String>,
    pub final_authority: bool,
    pub extended_by: Option<String>,
    /// (reason code, start, end) in order of start.
    pub pauses: Vec<(String, Timestamp, Option<Timestamp>)>,
}

impl Store {
    pub fn export_coordinators(&self) -> Result<Vec<CoordinatorExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT name, phone, office_code, office_name, role, duty_hours FROM coordinators ORDER BY id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(CoordinatorExport {
                name: r.get(0)?,
                phone: r.get(1)?,
                office_code: r.get(2)?,
                office_name: r.get(3)?,
                role: r.get(4)?,
                duty_hours: r.get(5)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_enterprises(&self) -> Result<Vec<EnterpriseExport>> {
        let mut stmt = self.conn().prepare(self.conn().pick(
            "SELECT e.uscc, e.customs_code, e.name_zh, e.name_en, e.credit, e.industries, e.group_name, c.phone,
                    coalesce((SELECT group_concat(alias, ';') FROM
                        (SELECT alias FROM enterprise_aliases a WHERE a.enterprise_id = e.id ORDER BY a.id)), '')
             FROM enterprises e LEFT JOIN coordinators c ON c.id = e.coordinator_id ORDER BY e.id",
            "SELECT e.uscc, e.customs_code, e.name_zh, e.name_en, e.credit, e.industries, e.group_name, c.phone,
                    coalesce((SELECT string_agg(a.alias, ';' ORDER BY a.id) FROM enterprise_aliases a
                              WHERE a.enterprise_id = e.id), '')
             FROM enterprises e LEFT JOIN coordinators c ON c.id = e.coordinator_id ORDER BY e.id",
        ))?;
        let rows = stmt.query_map((), |r| {
            Ok(EnterpriseExport {
                uscc: r.get(0)?,
                customs_code: r.get(1)?,
                name_zh: r.get(2)?,
                name_en: r.get(3)?,
                credit: r.get(4)?,
                industries: r.get(5)?,
                group_name: r.get(6)?,
                coordinator_phone: r.get(7)?,
                aliases: r.get(8)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_items(&self) -> Result<Vec<ItemExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT w.kind, e.uscc, w.declaration_no, w.received_at, w.due_at, w.status, w.urgent,
                    w.non_intrusive, w.report_accepted, w.taken_by
             FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id ORDER BY w.id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(ItemExport {
                kind: r.get(0)?,
                enterprise_uscc: r.get(1)?,
                declaration_no: r.get(2)?,
                received_at: ts(r.get(3)?),
                due_at: opt_ts(r.get(4)?),
                status: r.get(5)?,
                urgent: r.get(6)?,
                non_intrusive: r.get(7)?,
                report_accepted: r.get(8)?,
                taken_by: r.get(9)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_slots(&self) -> Result<Vec<SlotExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT office_code, date, start_time, end_time, capacity FROM inspection_slots ORDER BY id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(SlotExport {
                office_code: r.get(0)?,
                date: r.get(1)?,
                start: r.get(2)?,
                end: r.get(3)?,
                capacity: r.get(4)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// Bookings in the order they were made, so that a re-import meets the same capacity.
    pub fn export_bookings(&self) -> Result<Vec<BookingExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT s.office_code, s.date, s.start_time, e.uscc, b.goods, b.location, b.status, b.booked_at, b.booked_by,
                b.offsite_reason
             FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id JOIN enterprises e ON e.id = b.enterprise_id
             ORDER BY b.id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(BookingExport {
                office_code: r.get(0)?,
                date: r.get(1)?,
                start: r.get(2)?,
                enterprise_uscc: r.get(3)?,
                goods: r.get(4)?,
                location: r.get(5)?,
                status: r.get(6)?,
                booked_at: ts(r.get(7)?),
                booked_by: r.get(8)?,
                reason: r.get(9)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_approvals(&self) -> Result<Vec<ApprovalExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT a.id, a.kind, e.uscc, a.reference, a.accepted_at, a.decided_at, a.decision,
                a.final_authority, a.extended_by
             FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id ORDER BY a.id",
        )?;
        let rows = stmt
            .query_map((), |r| {
                Ok((
                    r.get::<i64>(0)?,
                    ApprovalExport {
                        kind: r.get(1)?,
                        enterprise_uscc: r.get(2)?,
                        reference: r.get(3)?,
                        accepted_at: ts(r.get(4)?),
                        decided_at: opt_ts(r.get(5)?),
                        decision: r.get(6)?,
                        final_authority: r.get(7)?,
                        extended_by: r.get(8)?,
                        pauses: Vec::new(),
                    },
                ))
            })?
            .collect::<anyhow::Result<Vec<_>>>()?;
        if self.conn().is_pg() {
            // Every pause in one statement: one round trip, not one per approval.
            let mut of: std::collections::HashMap<i64, Vec<_>> = Default::default();
            let mut all = self.conn().prepare(
                "SELECT approval_id, reason, started_at, ended_at FROM approval_pauses
                 ORDER BY approval_id, started_at, id",
            )?;
            for p in all.query_map((), |r| {
                Ok((
                    r.get::<i64>(0)?,
                    (r.get(1)?, ts(r.get(2)?), opt_ts(r.get(3)?)),
                ))
            })? {
                let (id, pause) = p?;
                of.entry(id).or_default().push(pause);
            }
            return Ok(rows
                .into_iter()
                .map(|(id, mut a)| {
                    a.pauses = of.remove(&id).unwrap_or_default();
                    a
                })
                .collect());
        }
        let mut pauses = self.conn().prepare(
            "SELECT reason, started_at, ended_at FROM approval_pauses WHERE approval_id = ?1 ORDER BY started_at, id",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, mut a) in rows {
            a.pauses = pauses
                .query_map([id], |r| Ok((r.get(0)?, ts(r.get(1)?), opt_ts(r.get(2)?))))?
                .collect::<anyhow::Result<Vec<_>>>()?;
            out.push(a);
        }
        Ok(out)
    }
}
