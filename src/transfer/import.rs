//! Records into the store: every field checked, every problem collected, all or nothing, while
//! other operators keep working.
//!
//! An import reads its file twice, record by record (a file is never held whole in memory).
//! First it checks every record on its own and against the database (references, natural keys
//! within the file and in the database) in a read transaction, which takes no write lock: any
//! problem refuses the file, and nothing is written. Then it reads the file again and writes the
//! records through the store's own functions, so that the rules of the domain (the "5+2" booking
//! rule, capacity, location, the yearly verification rule) apply to imported records as to typed
//! ones, in short transactions (batches of about 0.3 s with a pause between them, in which other
//! operators' changes go through). A problem found while writing (a rule, or a record another
//! operator added since the check) stops the import: the batch in hand is rolled back and the
//! batches written before it are undone (each deletion audited), so the database is as it was.

use super::fields;
use super::{Problem, Problems, Record, Table, TableKind};
use crate::calendar::WorkingCalendar;
use crate::domain::approval::{ApprovalKind, PauseReason};
use crate::domain::credit::CreditLevel;
use crate::domain::enterprise::{CoordinatorRole, Industry};
use crate::domain::ids::{ChecksumStatus, CustomsCode, DeclarationNo, Uscc, office_name};
use crate::domain::inspection::{BookingRefusal, BookingStatus, Location, OffSiteReason};
use crate::domain::queue::{WorkFlags, WorkKind, WorkStatus};
use crate::store::{
    Change, EnterpriseRef, Lookup, NewApproval, NewBooking, NewCoordinator, NewEnterprise, NewSlot,
    NewWorkItem, Store, WriteMark, Writer,
};
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

mod hotline;

pub struct ImportOptions {
    pub accept_bad_checksum: bool,
    pub dry_run: bool,
    /// Who booked, for bookings without booked_by.
    pub operator: String,
    /// booked_at of bookings without one.
    pub now: Timestamp,
    /// Leave out records whose natural key is already in the database (with a note), instead
    /// of refusing the file: a re-import adds only what is new.
    pub skip_existing: bool,
    /// Update the records whose natural key is already in the database with the file's values
    /// (audited, each change reported on its line), instead of refusing the file.
    pub upsert: bool,
    /// How long one write transaction of the import may hold the write lock (a batch ends
    /// with the first record after it); then the import pauses so that others can write.
    pub batch: Duration,
}

/// How long a batch of an import writes, and the pause after it. The commit that ends a
/// batch holds the write lock a little longer (it writes the batch's pages to the log: 0.1 to
/// 0.3 s for a batch of 1,000,000-item import on a loaded machine). The pause (the checkpoint,
/// then a sleep up to 20 ms) is several times longer than the interval at which a waiting
/// writer tries again (the store's busy handler, every few milliseconds), so a waiting writer
/// finds the lock free in it: other writers wait well under a second.
pub const BATCH: Duration = Duration::from_millis(300);
const PAUSE: Duration = Duration::from_millis(20);

/// Every how many batches an import lets the write-ahead log start again (see `write_pass`).
const RESTART_LOG_EVERY: usize = 8;

/// How many audit entries one transaction of an undo handles (one in unit tests, so that they
/// go through the steps).
const UNDO_STEP: usize = if cfg!(test) { 1 } else { 5000 };

/// How many problems an import lists (the rest are counted).
const MAX_PROBLEMS: usize = 1000;
/// How many updated records an import describes, one line each.
const MAX_NOTES: usize = 200;

/// How many new queue items one statement writes (10 parameters each).
const CHUNK: usize = 250;

/// A new queue item whose rules were checked in the write transaction, waiting to be written
/// with others ([`Writer::insert_checked_items`]).
struct PendingItem {
    line: usize,
    kind: WorkKind,
    enterprise_id: i64,
    declaration_no: Option<String>,
    received_at: Timestamp,
    due_at: Option<Timestamp>,
    status: WorkStatus,
    flags: WorkFlags,
    taken_by: Option<String>,
    /// Whether the enterprise is AEO, as read for this record.
    aeo: bool,
}

/// What a record's natural key says about it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    /// Not in the database: the record is added.
    New,
    /// In the database (--upsert): that record is updated.
    Existing(i64),
    /// Left out: a problem, or already in the database (--skip-existing).
    Out,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub table: TableKind,
    pub count: usize,
    /// Things the operator should know about records that were accepted.
    pub notes: Vec<String>,
    pub dry_run: bool,
}

/// The sentinel that rolls back the batch in hand when the import found problems.
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("import refused")
    }
}

impl std::error::Error for Refused {}

/// The natural keys met so far, as 128-bit hashes, with the line each was first met on: 24
/// bytes a key, whatever the key's length.
type Seen = HashMap<Hashed, u32, std::hash::BuildHasherDefault<FirstWord>>;

/// A natural key's 128-bit hash, in two words.
#[derive(PartialEq, Eq)]
struct Hashed(u64, u64);

impl Hash for Hashed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already uniformly spread: the first word serves as the map's hash.
        state.write_u64(self.0);
    }
}

/// The hasher of [`Seen`]: takes the first word of a [`Hashed`] as it is.
#[derive(Default)]
struct FirstWord(u64);

impl Hasher for FirstWord {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What a pass over the file has found so far.
#[derive(Default)]
struct State {
    problems: Vec<Problem>,
    /// Problems beyond [`MAX_PROBLEMS`], counted.
    more: usize,
    /// Whether the rules of writing were left untried (the list was full): `more` is then
    /// a lower bound.
    trial_skipped: bool,
    notes: Vec<String>,
    enterprises: HashMap<String, Option<EnterpriseRef>>,
    /// Lines left out because their record is already in the database (--skip-existing).
    skipped: Vec<usize>,
    /// The natural keys met so far (hashed, 128 bits) and their first line: checked while
    /// checking; the writing pass reads a file the check found free of repeats.
    seen: Option<Seen>,
    /// New queue items checked and waiting to be written together (while writing, not in a
    /// trial): at most [`CHUNK`].
    pending: Vec<PendingItem>,
    /// Whether new queue items wait in `pending` (the write pass) or are written one by one.
    chunked: bool,
    /// Set while no other writer has touched queue items since the check: the check found
    /// none of the file's natural keys in the database, and that still holds, so the writing
    /// does not look each up again.
    items_unchanged: Option<WriteMark>,
    /// Records accepted (checking) or written.
    count: usize,
    /// Records that are (or would be) updates of records in the database (--upsert), and
    /// those of them whose values changed.
    updated: usize,
    changed: usize,
}

impl State {
    fn problem(&mut self, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.more += 1;
        }
    }

    fn failed(&self) -> bool {
        !self.problems.is_empty()
    }

    fn refusal(&mut self, file: &str) -> Problems {
        let mut list = std::mem::take(&mut self.problems);
        list.sort_by_key(|p| p.line);
        if self.more > 0 {
            list.push(Problem::new(
                0,
                "file",
                if self.trial_skipped {
                    format!(
                        "and {} more problems (and any of the rules checked while writing, which were not tried)",
                        self.more
                    )
                } else {
                    format!("and {} more problems", self.more)
                },
            ));
        }
        Problems {
            file: file.to_string(),
            list,
        }
    }

    fn skipped_note(&mut self) {
        if self.updated > 0 {
            self.notes.push(format!(
                "{} record{} already in the database {} (--upsert), {} of them with changed values",
                self.updated,
                if self.updated == 1 { "" } else { "s" },
                if self.updated == 1 {
                    "is an update"
                } else {
                    "are updates"
                },
                self.changed
            ));
        }
        if self.skipped.is_empty() {
            return;
        }
        let lines: Vec<String> = self
            .skipped
            .iter()
            .take(10)
            .map(|l| l.to_string())
            .collect();
        self.notes.push(format!(
            "{} record{} already in the database left out (--skip-existing): line{} {}{}",
            self.skipped.len(),
            if self.skipped.len() == 1 { "" } else { "s" },
            if self.skipped.len() == 1 { "" } else { "s" },
            lines.join(", "),
            if self.skipped.len() > 10 { ", …" } else { "" }
        ));
    }
}

/// Imports `table` as `kind`. A refused import is an error carrying [`Problems`].
pub fn import(
    store: &mut Store,
    table: &Table,
    kind: TableKind,
    opts: &ImportOptions,
) -> Result<Summary> {
    let summary = |mut st: State, dry_run: bool| {
        st.skipped_note();
        Summary {
            table: kind,
            count: st.count,
            notes: st.notes,
            dry_run,
        }
    };
    if opts.upsert && !kind.upserts() {
        return Err(crate::domain::message::Message::new(
            format!(
                "--upsert 只适用于协调员、企业、待办事项和查验时段；{} 请用各自的命令修改（或 --skip-existing）",
                kind.name()
            ),
            format!(
                "--upsert applies to coordinators, enterprises, items and slots; {} change through their own commands (or use --skip-existing)",
                kind.name()
            ),
        )
        .into());
    }
    // 1. Check every record, without the write lock.
    let mut st = State {
        seen: Some(Seen::default()),
        ..State::default()
    };
    let rows = table.rows()?;
    store.read(|db| {
        st.items_unchanged = Some(db.write_mark()?);
        let mut run = Run {
            db,
            w: None,
            opts,
            st: &mut st,
        };
        for row in rows {
            match row {
                Ok(rec) => run.record(kind, &rec)?,
                Err(p) => run.st.problem(p),
            }
        }
        Ok(())
    })?;
    if st.failed() && st.more > 0 {
        // The list is full: the rules tried on writing could only add to the count, at the
        // cost of writing the whole file once more.
        st.trial_skipped = true;
        return Err(st.refusal(&table.file).into());
    }
    if st.failed() {
        // The rules applied on writing (capacity, "5+2", the yearly verification rule) are
        // tried too, in batches that are rolled back, so that the refusal lists every problem.
        st.seen = None;
        let mut trial = State {
            seen: Some(Seen::default()),
            ..State::default()
        };
        // Best effort: a seat that cannot write (read-only, a frozen clock, a busy database)
        // reports the problems of the check alone.
        let _ = write_pass(store, table, kind, opts, &mut trial, true);
        st.problems.append(&mut trial.problems);
        st.problems
            .sort_by(|a, b| (a.line, &a.field, &a.message).cmp(&(b.line, &b.field, &b.message)));
        st.problems.dedup();
        st.more += trial.more;
        return Err(st.refusal(&table.file).into());
    }
    if opts.dry_run {
        return Ok(summary(st, true));
    }
    // 2. Write, in short transactions.
    let items_unchanged = st.items_unchanged;
    drop(st);
    store.ready_for_import()?;
    let mut st = State {
        items_unchanged,
        ..State::default()
    };
    write_pass(store, table, kind, opts, &mut st, false)?;
    Ok(summary(st, false))
}

/// Reads the file again and writes its records in batches of about `opts.batch`, pausing
/// between them. A `trial` rolls every batch back: it only collects the problems found while
/// writing. Otherwise a problem stops the import and undoes what it wrote.
fn write_pass(
    store: &mut Store,
    table: &Table,
    kind: TableKind,
    opts: &ImportOptions,
    st: &mut State,
    trial: bool,
) -> Result<()> {
    let mut rows = table.rows()?;
    let mut written: Vec<(i64, i64)> = Vec::new();
    // Each batch's checkpoint runs beside the next batch (a trial writes nothing).
    let mut checkpoints = if trial {
        None
    } else {
        Some(store.checkpointer()?)
    };
    loop {
        let started = Instant::now();
        let mut more = true;
        let batch = store.write(|w| {
            let first = w.last_audit_id()?;
            // A statement that fails aborts a PostgreSQL transaction (SQLite undoes that
            // statement only): each record is written after a savepoint, rolled back to when
            // the record has a problem, so that the batch goes on to check the next ones.
            let savepoint = w.conn().is_pg();
            if savepoint {
                w.conn().execute_batch("SAVEPOINT import_record")?;
            }
            let mut run = Run {
                db: w.lookup(),
                w: Some(w),
                opts,
                st: &mut *st,
            };
            run.st.chunked = !trial;
            if let Some(mark) = run.st.items_unchanged.take() {
                run.st.items_unchanged = w.lookup().queue_items_unchanged(mark)?;
            }
            // At least one record per batch, then as many as fit in its time.
            loop {
                match rows.next() {
                    Some(Ok(rec)) => {
                        let problems = run.st.problems.len() + run.st.more;
                        run.record(kind, &rec)?;
                        if savepoint {
                            w.conn().execute_batch(
                                if run.st.problems.len() + run.st.more > problems {
                                    "ROLLBACK TO SAVEPOINT import_record"
                                } else {
                                    "RELEASE SAVEPOINT import_record; SAVEPOINT import_record"
                                },
                            )?;
                        }
                    }
                    Some(Err(p)) => run.st.problem(p),
                    None => {
                        more = false;
                        break;
                    }
                }
                if started.elapsed() > opts.batch {
                    break;
                }
            }
            run.flush()?;
            if trial || (run.st.failed() && !more) {
                return Err(Refused.into());
            }
            let last = w.last_audit_id()?;
            // This batch's own entries are no other writer's.
            if let Some(mark) = &mut run.st.items_unchanged {
                mark.audit = last;
            }
            Ok((first, last))
        });
        match batch {
            Ok(range) => written.push(range),
            Err(e) if trial && e.downcast_ref::<Refused>().is_some() => {}
            Err(e) => {
                let undone = undo(store, &written);
                let refused = e.downcast_ref::<Refused>().is_some();
                return Err(match (refused, undone) {
                    (true, Ok(())) => st.refusal(&table.file).into(),
                    (false, Ok(())) => e.context(
                        "the import stopped; what it had written is undone, nothing was written",
                    ),
                    (_, Err(u)) => u.context(format!(
                        "the import stopped ({e:#}) and what it had written could not be undone: the audit trail's entries {} to {} name the rows it created",
                        written.first().map(|r| r.0 + 1).unwrap_or(0),
                        written.last().map(|r| r.1).unwrap_or(0)
                    )),
                });
            }
        }
        #[cfg(test)]
        tests::BETWEEN_BATCHES.with(|hook| {
            if let Some(hook) = hook.borrow_mut().as_mut() {
                hook();
            }
        });
        let Some(c) = &checkpoints else {
            // A trial: it wrote nothing.
            if !more {
                return store.checkpoint();
            }
            pause(store)?;
            continue;
        };
        c.begin();
        if !more {
            if let Some(c) = checkpoints.take() {
                c.finish()?;
            }
            // Emptied, the log leaves nothing to the last connection to close.
            return store.empty_log(true);
        }
        // The log starts again from its beginning only when a write begins with all of it
        // checkpointed, which others writing in every pause would prevent: every few batches
        // the import waits for the checkpoint and empties the log.
        if written.len().is_multiple_of(RESTART_LOG_EVERY) {
            c.wait();
            store.empty_log(false)?;
        }
        std::thread::sleep(PAUSE);
    }
}

/// The pause between two batches, in which others write: the checkpoint of what the batch
/// wrote takes the first part of it.
fn pause(store: &Store) -> Result<()> {
    let started = Instant::now();
    store.checkpoint()?;
    std::thread::sleep(PAUSE.saturating_sub(started.elapsed()));
    Ok(())
}

/// Deletes what the batches `written` created, newest first, in short transactions.
fn undo(store: &mut Store, written: &[(i64, i64)]) -> Result<()> {
    for &(after, upto) in written.iter().rev() {
        let mut left = Some(upto);
        while let Some(upto) = left {
            left = store.write(|w| w.undo_created(after, upto, UNDO_STEP))?;
            if left.is_some() {
                pause(store)?;
            }
        }
    }
    Ok(())
}

struct Run<'r, 'a> {
    /// Look-ups: the read transaction of the check, or the write transaction.
    db: Lookup<'r>,
    /// Set while writing.
    w: Option<&'r Writer<'a>>,
    opts: &'r ImportOptions,
    st: &'r mut State,
}

impl<'r, 'a> Run<'r, 'a> {
    fn record(&mut self, kind: TableKind, rec: &Record) -> Result<()> {
        match kind {
            TableKind::Enterprises => self.enterprise(rec),
            TableKind::Coordinators => self.coordinator(rec),
            TableKind::Items => self.item(rec),
            TableKind::Slots => self.slot(rec),
            TableKind::Bookings => self.booking(rec),
            TableKind::Approvals => self.approval(rec),
            TableKind::Calls => self.call(rec),
            TableKind::Problems => self.problem_record(rec),
            TableKind::Verifications => self.verification(rec),
            TableKind::CoordinatorLinks => self.coordinator_link(rec),
            TableKind::HotlinePersons => self.hotline_person(rec),
        }
    }

    /// A record that passed its checks (no new problem since `mark`, not left out) is counted;
    /// the writer, while writing.
    fn accept(&mut self, mark: usize) -> Option<&'r Writer<'a>> {
        if self.mark() > mark {
            return None;
        }
        self.st.count += 1;
        self.w
    }

    /// Problems and records left out so far, to tell whether a record added one.
    fn mark(&self) -> usize {
        self.st.problems.len() + self.st.more + self.st.skipped.len()
    }

    /// Checks a record's natural key: a repeat of an earlier line of the file is a problem; a
    /// key already in the database (`existing`) is a problem too, or with --skip-existing the
    /// record is left out, or with --upsert it updates that record.
    fn natural_key(
        &mut self,
        line: usize,
        field: &str,
        what: &str,
        key: &str,
        existing: Option<i64>,
    ) -> Key {
        if let Some(first) = self.first_line(what, key, line) {
            self.problem(
                line,
                field,
                format!("duplicate {what} {key}: already on line {first} of this file"),
            );
            return Key::Out;
        }
        match existing {
            None => Key::New,
            Some(id) if self.opts.upsert => Key::Existing(id),
            Some(_) if self.opts.skip_existing => {
                self.st.skipped.push(line);
                Key::Out
            }
            Some(_) => {
                self.problem(
                    line,
                    field,
                    format!(
                        "{what} {key} is already in the database (--skip-existing leaves such records out, --upsert updates them)"
                    ),
                );
                Key::Out
            }
        }
    }

    /// Reports an update of `--upsert` on its line.
    fn updated(&mut self, line: usize, what: &str, key: &str, changes: Result<Vec<Change>>) {
        let Some(changes) = self.refused(line, "row", changes) else {
            return;
        };
        self.st.updated += 1;
        if changes.is_empty() {
            return;
        }
        self.st.changed += 1;
        if self.st.changed <= MAX_NOTES {
            let list: Vec<String> = changes
                .iter()
                .map(|(c, old, new)| {
                    format!(
                        "{c} {} → {}",
                        crate::text::inert(old),
                        crate::text::inert(new)
                    )
                })
                .collect();
            self.st.notes.push(format!(
                "line {line}: {what} {key} updated: {}",
                list.join("; ")
            ));
        } else if self.st.changed == MAX_NOTES + 1 {
            self.st
                .notes
                .push("further updates are not listed (see `aeo audit`)".to_string());
        }
    }

    /// The line a key of this kind was first met on, when it is not `line` (while checking).
    fn first_line(&mut self, what: &str, key: &str, line: usize) -> Option<usize> {
        let seen = self.st.seen.as_mut()?;
        let mut h = std::hash::DefaultHasher::new();
        (what, key).hash(&mut h);
        let lo = h.finish();
        (key, what, "again").hash(&mut h);
        let hash = Hashed(h.finish(), lo);
        match seen.get(&hash) {
            Some(&first) => Some(first as usize),
            None => {
                // Lines beyond 4 billion share the last number (the file would be far beyond
                // what an import takes).
                seen.insert(hash, u32::try_from(line).unwrap_or(u32::MAX));
                None
            }
        }
    }

    fn problem(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.st.problem(Problem::new(line, field, message));
    }

    /// A value that must be given (trimmed); None (and a problem) when empty.
    fn required<'x>(&mut self, rec: &'x Record, field: &str) -> Option<&'x str> {
        let v = rec.trimmed(field);
        if rec.is_unreadable(field) {
            None // already reported when the file was read
        } else if v.is_empty() {
            let why = if rec.has(field) {
                "required, but empty"
            } else {
                "required, but missing"
            };
            self.problem(rec.line, field, why);
            None
        } else {
            Some(v)
        }
    }

    /// Free text that must be given: stored exactly as written.
    fn required_text<'x>(&mut self, rec: &'x Record, field: &str) -> Option<&'x str> {
        self.required(rec, field).map(|_| rec.raw(field))
    }

    /// Applies `parse` to a required value.
    fn parse<T>(
        &mut self,
        rec: &Record,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = self.required(rec, field)?;
        self.check(rec.line, field, parse(v))
    }

    /// Applies `parse` to an optional value; Some(None) when empty.
    fn parse_opt<T>(
        &mut self,
        rec: &Record,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        let v = rec.trimmed(field);
        if v.is_empty() {
            return Some(None);
        }
        self.check(rec.line, field, parse(v)).map(Some)
    }

    fn check<T>(&mut self, line: usize, field: &str, r: Result<T, String>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(m) => {
                self.problem(line, field, m);
                None
            }
        }
    }

    /// An optional flag; false when empty.
    fn flag(&mut self, rec: &Record, field: &str) -> Option<bool> {
        self.check(rec.line, field, fields::boolean(rec.trimmed(field)))
    }

    /// The enterprise a record refers to, by USCC or customs code.
    fn enterprise_ref(&mut self, rec: &Record, field: &str) -> Result<Option<EnterpriseRef>> {
        let Some(key) = self.required(rec, field) else {
            return Ok(None);
        };
        // Codes are upper case; a key written so is looked up as it is.
        let key: std::borrow::Cow<'_, str> = if key.bytes().any(|b| b.is_ascii_lowercase()) {
            key.to_ascii_uppercase().into()
        } else {
            key.into()
        };
        let found = match self.st.enterprises.get(key.as_ref()) {
            Some(f) => *f,
            None => {
                let f = self.db.enterprise_by_code(&key)?;
                self.st.enterprises.insert(key.to_string(), f);
                f
            }
        };
        if found.is_none() {
            self.problem(
                rec.line,
                field,
                format!(
                    "no enterprise with USCC or customs code '{}' in the database (import enterprises first)",
                    crate::text::inert(&key)
                ),
            );
        }
        Ok(found)
    }

    fn office_code(&mut self, rec: &Record, field: &str) -> Option<String> {
        let code = self.required(rec, field)?;
        if code.len() != 4 || !code.bytes().all(|b| b.is_ascii_digit()) {
            self.problem(
                rec.line,
                field,
                format!(
                    "'{}' is not a customs office code: 4 digits, e.g. 2210",
                    crate::text::inert(code)
                ),
            );
            return None;
        }
        Some(code.to_string())
    }

    fn known_office(&mut self, rec: &Record, field: &str) -> Option<String> {
        let code = self.office_code(rec, field)?;
        if office_name(&code).is_none() {
            self.problem(rec.line, field, unknown_office(&code));
            return None;
        }
        Some(code)
    }

    fn enterprise(&mut self, rec: &Record) -> Result<()> {
        struct Row<'r> {
            line: usize,
            uscc: String,
            status: ChecksumStatus,
            customs_code: String,
            name_zh: &'r str,
            name_en: Option<&'r str>,
            credit: CreditLevel,
            industries: Vec<Industry>,
            group: Option<&'r str>,
            coordinator: Option<i64>,
            aliases: Vec<&'r str>,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let uscc = self.required(rec, "uscc").and_then(|raw| {
                let r = match Uscc::parse_lenient(raw) {
                    Err(e) => Err(e.to_string()),
                    Ok((u, ChecksumStatus::Valid)) => Ok((u, ChecksumStatus::Valid)),
                    Ok((u, status)) if self.opts.accept_bad_checksum => {
                        self.st.notes.push(format!(
                            "line {line}: USCC {} fails its check ({}); imported marked {}",
                            u,
                            Uscc::parse(raw).err().map(|e| e.to_string()).unwrap_or_default(),
                            checksum_code(status)
                        ));
                        Ok((u, status))
                    }
                    Ok((u, _)) => Err(format!(
                        "{} ({u}); some real codes fail the check: pass --accept-bad-checksum to import it marked as such",
                        Uscc::parse(raw).err().map(|e| e.to_string()).unwrap_or_default()
                    )),
                };
                self.check(line, "uscc", r)
            });
            let mut key = Key::Out;
            if let Some((u, _)) = &uscc {
                let existing = self.db.uscc_id(u.as_str())?;
                key = self.natural_key(line, "uscc", "USCC", u.as_str(), existing);
            }
            let customs = self.parse(rec, "customs_code", |s| {
                CustomsCode::parse(s).map_err(|e| e.to_string())
            });
            // The USCC is the enterprise's key; its customs code must be its own too.
            if let Some(c) = &customs
                && key != Key::Out
            {
                let owner = self.db.customs_code_owner(c.as_str())?;
                if let Some(first) = self.first_line("customs code", c.as_str(), line) {
                    self.problem(
                        line,
                        "customs_code",
                        format!("duplicate customs code {c}: already on line {first} of this file"),
                    );
                } else if owner.is_some_and(|o| key != Key::Existing(o)) {
                    self.problem(
                        line,
                        "customs_code",
                        format!("customs code {c} is already in the database, for another USCC"),
                    );
                }
            }
            let name_zh = self.required_text(rec, "name_zh");
            let credit = self.parse(rec, "credit", |s| s.parse::<CreditLevel>());
            let industries = self.check(line, "industries", industries(rec.trimmed("industries")));
            let phone = rec.trimmed("coordinator_phone");
            let coordinator = if phone.is_empty() {
                Some(None)
            } else {
                match self.db.coordinator_by_phone(phone)? {
                    Some(id) => Some(Some(id)),
                    None => {
                        self.problem(line, "coordinator_phone", format!(
                            "no coordinator with telephone '{}' in the database (import coordinators first)",
                            crate::text::inert(phone)
                        ));
                        None
                    }
                }
            };
            if let (
                Some((uscc, status)),
                Some(customs),
                Some(name_zh),
                Some(credit),
                Some(industries),
                Some(coordinator),
            ) = (uscc, customs, name_zh, credit, industries, coordinator)
            {
                let r = Row {
                    line,
                    uscc: uscc.to_string(),
                    status,
                    customs_code: customs.to_string(),
                    name_zh,
                    name_en: fields::optional_text(rec.raw("name_en")),
                    credit,
                    industries,
                    group: fields::optional_text(rec.raw("group")),
                    coordinator,
                    aliases: aliases(rec.raw("aliases")),
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };

                let e = NewEnterprise {
                    uscc: &r.uscc,
                    uscc_status: r.status,
                    customs_code: &r.customs_code,
                    name_zh: r.name_zh,
                    name_en: r.name_en,
                    credit: r.credit,
                    industries: &r.industries,
                    group_name: r.group,
                    coordinator_id: r.coordinator,
                };
                let id = match key {
                    Key::Existing(id) => {
                        let res = w.update_enterprise(id, &e);
                        self.updated(r.line, "enterprise", &r.uscc, res);
                        Some(id)
                    }
                    _ => {
                        let res = w.insert_enterprise(&e);
                        self.refused(r.line, "row", res)
                    }
                };
                if let Some(id) = id {
                    for a in &r.aliases {
                        if key != Key::New && self.db.has_alias(id, a)? {
                            continue;
                        }
                        let res = w.add_alias(id, a);
                        self.refused(r.line, "aliases", res);
                    }
                }
            }
        }
        Ok(())
    }

    /// Turns a refusal of the store into a problem of the record's line.
    fn refused<T>(&mut self, line: usize, field: &str, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(line, field, format!("{e:#}").replace('\n', " "));
                None
            }
        }
    }

    fn coordinator(&mut self, rec: &Record) -> Result<()> {
        struct Row<'r> {
            line: usize,
            name: &'r str,
            phone: String,
            office_code: String,
            office_name: String,
            role: CoordinatorRole,
            duty_hours: &'r str,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let name = self.required_text(rec, "name");
            let phone = self.parse(rec, "phone", fields::phone);
            let mut key = Key::Out;
            if let Some(p) = &phone {
                let existing = self.db.coordinator_by_phone(p)?;
                key = self.natural_key(line, "phone", "coordinator telephone", p, existing);
            }
            let office = self.office_code(rec, "office_code");
            let given_name = fields::optional_text(rec.raw("office_name"));
            let office_name = match (&office, given_name) {
                (Some(_), Some(n)) => Some(n.to_string()),
                (Some(code), None) => match office_name(code) {
                    Some(n) => Some(n.to_string()),
                    None => {
                        self.problem(
                            line,
                            "office_code",
                            format!(
                                "{}; or give its name in the office_name column",
                                unknown_office(code)
                            ),
                        );
                        None
                    }
                },
                (None, _) => None,
            };
            let role = self.parse(rec, "role", CoordinatorRole::parse);
            if let (Some(name), Some(phone), Some(office_code), Some(office_name), Some(role)) =
                (name, phone, office, office_name, role)
            {
                let r = Row {
                    line,
                    name,
                    phone,
                    office_code,
                    office_name,
                    role,
                    duty_hours: rec.raw("duty_hours"),
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };

                let c = NewCoordinator {
                    name: r.name,
                    phone: &r.phone,
                    office_code: &r.office_code,
                    office_name: &r.office_name,
                    role: r.role,
                    duty_hours: r.duty_hours,
                };
                if let Key::Existing(id) = key {
                    let res = w.update_coordinator(id, &c);
                    self.updated(r.line, "coordinator", &r.phone, res);
                    return Ok(());
                }
                let res = w.insert_coordinator(&c);
                self.refused(r.line, "row", res);
            }
        }
        Ok(())
    }

    fn item(&mut self, rec: &Record) -> Result<()> {
        struct Row<'r> {
            line: usize,
            kind: WorkKind,
            enterprise: EnterpriseRef,
            declaration_no: Option<String>,
            received_at: Timestamp,
            due_at: Option<Timestamp>,
            status: WorkStatus,
            flags: WorkFlags,
            taken_by: Option<&'r str>,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let kind = self.parse(rec, "kind", WorkKind::parse);
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let declaration = match kind {
                Some(k) if k.takes_declaration_no() => self
                    .parse(rec, "declaration_no", |s| {
                        DeclarationNo::parse(s).map_err(|e| e.to_string())
                    })
                    .map(|d| Some(d.as_str().to_string())),
                Some(k) => {
                    if rec.trimmed("declaration_no").is_empty() {
                        Some(None)
                    } else {
                        self.problem(
                            line,
                            "declaration_no",
                            format!(
                                "a {} item carries no declaration number; only {} items do",
                                k.code(),
                                WorkKind::ALL
                                    .iter()
                                    .filter(|k| k.takes_declaration_no())
                                    .map(|k| k.code())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                        None
                    }
                }
                None => None,
            };
            let received_at = self.parse(rec, "received_at", fields::instant);
            let due_at = self.parse_opt(rec, "due_at", fields::instant);
            let status = self
                .parse_opt(rec, "status", WorkStatus::parse)
                .map(|s| s.unwrap_or(WorkStatus::Waiting));
            let urgent = self.flag(rec, "urgent");
            let non_intrusive = self.flag(rec, "non_intrusive");
            let report_accepted = self.flag(rec, "report_accepted");
            if let (
                Some(kind),
                Some(enterprise),
                Some(declaration_no),
                Some(received_at),
                Some(due_at),
                Some(status),
                Some(urgent),
                Some(non_intrusive),
                Some(report_accepted),
            ) = (
                kind,
                enterprise,
                declaration,
                received_at,
                due_at,
                status,
                urgent,
                non_intrusive,
                report_accepted,
            ) {
                // The natural key: kind and declaration number, or for items without one the
                // kind, the enterprise and the arrival instant (all three are exported).
                // Writing, with nobody else having touched queue items since the check found
                // the key absent (and added only where absent): it is absent still.
                let still_absent = self.w.is_some()
                    && self.st.items_unchanged.is_some()
                    && !self.opts.upsert
                    && !self.opts.skip_existing;
                let (key, existing) = match &declaration_no {
                    Some(d) => (
                        format!("{} {d}", kind.code()),
                        if still_absent {
                            None
                        } else {
                            self.db.item_by_declaration(kind.code(), d)?
                        },
                    ),
                    None => (
                        format!(
                            "{} of {} received {}",
                            kind.code(),
                            crate::text::inert(rec.trimmed("enterprise")),
                            fields::instant_text(received_at)
                        ),
                        if still_absent {
                            None
                        } else {
                            self.db
                                .item_by_arrival(kind.code(), enterprise.id, received_at)?
                        },
                    ),
                };
                let field = if declaration_no.is_some() {
                    "declaration_no"
                } else {
                    "received_at"
                };
                let found = self.natural_key(line, field, "queue item", &key, existing);
                if found == Key::Out {
                    return Ok(());
                }
                let r = Row {
                    line,
                    kind,
                    enterprise,
                    declaration_no,
                    received_at,
                    due_at,
                    status,
                    flags: WorkFlags {
                        urgent,
                        non_intrusive,
                        report_accepted,
                    },
                    taken_by: fields::optional_text(rec.raw("taken_by")),
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };

                let item = NewWorkItem {
                    kind: r.kind,
                    enterprise_id: r.enterprise.id,
                    declaration_no: r.declaration_no.as_deref(),
                    received_at: r.received_at,
                    due_at: r.due_at,
                    status: r.status,
                    flags: r.flags,
                };
                if let Key::Existing(id) = found {
                    let res = w.update_work_item(id, &item, r.taken_by);
                    self.updated(r.line, "queue item", &key, res);
                    return Ok(());
                }
                if self.st.chunked {
                    // The rules now, each on its line; the row with others.
                    let res = w.checked_item_flags(&item);
                    if let Some(flags) = self.refused(r.line, "row", res) {
                        self.st.pending.push(PendingItem {
                            line: r.line,
                            kind: r.kind,
                            enterprise_id: r.enterprise.id,
                            declaration_no: r.declaration_no.clone(),
                            received_at: r.received_at,
                            due_at: r.due_at,
                            status: r.status,
                            flags,
                            taken_by: r.taken_by.map(str::to_string),
                            aeo: r.enterprise.credit.is_aeo(),
                        });
                        if self.st.pending.len() >= CHUNK {
                            self.flush()?;
                        }
                    }
                    return Ok(());
                }
                let res = w.insert_work_item(&item);
                if let Some(id) = self.refused(r.line, "row", res)
                    && r.taken_by.is_some()
                {
                    let res = w.set_item_taken_by(id, r.taken_by);
                    self.refused(r.line, "taken_by", res);
                }
            }
        }
        Ok(())
    }

    /// Writes the queue items waiting in `pending`, whose rules were checked each on its line,
    /// in one statement. When the database refuses it, they are written one by one, so that
    /// the refusal is a problem of its line (as for records written one by one).
    fn flush(&mut self) -> Result<()> {
        let Some(w) = self.w else {
            return Ok(());
        };
        let pending = std::mem::take(&mut self.st.pending);
        let items: Vec<(NewWorkItem<'_>, Option<&str>, bool)> = pending
            .iter()
            .map(|p| {
                (
                    NewWorkItem {
                        kind: p.kind,
                        enterprise_id: p.enterprise_id,
                        declaration_no: p.declaration_no.as_deref(),
                        received_at: p.received_at,
                        due_at: p.due_at,
                        status: p.status,
                        flags: p.flags,
                    },
                    p.taken_by.as_deref(),
                    p.aeo,
                )
            })
            .collect();
        // A refused statement aborts a PostgreSQL transaction (SQLite undoes the statement).
        let conn = w.conn();
        let pg = conn.is_pg();
        if pg {
            conn.execute_batch("SAVEPOINT import_chunk")?;
        }
        match w.insert_checked_items(&items) {
            Ok(ids) => {
                if pg {
                    conn.execute_batch("RELEASE SAVEPOINT import_chunk")?;
                }
                w.audit_created_items(&ids)
            }
            Err(_) => {
                if pg {
                    conn.execute_batch(
                        "ROLLBACK TO SAVEPOINT import_chunk; RELEASE SAVEPOINT import_chunk",
                    )?;
                }
                for (p, (item, taken_by, _)) in pending.iter().zip(&items) {
                    if pg {
                        conn.execute_batch("SAVEPOINT import_chunk")?;
                    }
                    let res = w.insert_work_item(item).and_then(|id| match taken_by {
                        Some(_) => w.set_item_taken_by(id, *taken_by),
                        None => Ok(()),
                    });
                    let refused = self.refused(p.line, "row", res).is_none();
                    if pg {
                        conn.execute_batch(if refused {
                            "ROLLBACK TO SAVEPOINT import_chunk; RELEASE SAVEPOINT import_chunk"
                        } else {
                            "RELEASE SAVEPOINT import_chunk"
                        })?;
                    }
                }
                Ok(())
            }
        }
    }

    fn slot(&mut self, rec: &Record) -> Result<()> {
        struct Row {
            line: usize,
            office_code: String,
            date: Date,
            start: Time,
            end: Time,
            capacity: u32,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let office = self.known_office(rec, "office_code");
            let date = self.parse(rec, "date", fields::date);
            let start = self.parse(rec, "start", fields::time);
            let end = self.parse(rec, "end", fields::time);
            let capacity = self.parse(rec, "capacity", |s| fields::count(s, 1000));
            if let (Some(s), Some(e)) = (start, end)
                && s >= e
            {
                self.problem(
                    line,
                    "end",
                    format!(
                        "the slot ends at {} but starts at {}: it must end after it starts",
                        fields::time_text(e),
                        fields::time_text(s)
                    ),
                );
                return Ok(());
            }
            if let (Some(office_code), Some(date), Some(start), Some(end), Some(capacity)) =
                (office, date, start, end, capacity)
            {
                let key = format!("{office_code} {date} {}", fields::time_text(start));
                let existing =
                    self.db
                        .slot_at(&office_code, &date.to_string(), &fields::time_text(start))?;
                let found = self.natural_key(line, "start", "slot", &key, existing);
                if found == Key::Out {
                    return Ok(());
                }
                let r = Row {
                    line,
                    office_code,
                    date,
                    start,
                    end,
                    capacity,
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };

                let slot = NewSlot {
                    office_code: &r.office_code,
                    date: r.date,
                    start: r.start,
                    end: r.end,
                    capacity: r.capacity,
                };
                if let Key::Existing(id) = found {
                    let res = w.update_slot(id, &slot);
                    self.updated(r.line, "slot", &key, res);
                    return Ok(());
                }
                let res = w.insert_slot(&slot);
                self.refused(r.line, "row", res);
            }
        }
        Ok(())
    }

    fn booking(&mut self, rec: &Record) -> Result<()> {
        struct Row<'r> {
            line: usize,
            slot: i64,
            enterprise: i64,
            goods: &'r str,
            location: Location,
            reason: Option<OffSiteReason>,
            status: BookingStatus,
            booked_at: Timestamp,
            booked_by: String,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let office = self.office_code(rec, "office_code");
            let date = self.parse(rec, "date", fields::date);
            let start = self.parse(rec, "start", fields::time);
            let slot = match (&office, date, start) {
                (Some(o), Some(d), Some(s)) => {
                    let found = self.db.slot_at(o, &d.to_string(), &fields::time_text(s))?;
                    if found.is_none() {
                        self.problem(line, "slot", format!(
                            "no inspection slot of office {o} on {d} starting {} in the database (import slots first)",
                            fields::time_text(s)
                        ));
                    }
                    found
                }
                _ => None,
            };
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let goods = self.required_text(rec, "goods");
            let location = self
                .parse_opt(rec, "location", Location::parse)
                .map(|l| l.unwrap_or(Location::InZone));
            let reason = self.parse_opt(rec, "reason", OffSiteReason::parse);
            let status = self
                .parse_opt(rec, "status", BookingStatus::parse)
                .map(|s| s.unwrap_or(BookingStatus::Booked));
            let booked_at = self
                .parse_opt(rec, "booked_at", fields::instant)
                .map(|t| t.unwrap_or(self.opts.now));
            let booked_by = fields::optional_text(rec.raw("booked_by"))
                .unwrap_or(&self.opts.operator)
                .to_string();
            if let (
                Some(slot),
                Some(enterprise),
                Some(goods),
                Some(location),
                Some(reason),
                Some(status),
                Some(booked_at),
            ) = (slot, enterprise, goods, location, reason, status, booked_at)
            {
                // The natural key: slot, enterprise, goods, and booked_at when the file gives it.
                let given_at = (!rec.trimmed("booked_at").is_empty()).then_some(booked_at);
                let key = format!(
                    "of slot {} {} {} by {} for “{}”{}",
                    rec.trimmed("office_code"),
                    rec.trimmed("date"),
                    rec.trimmed("start"),
                    crate::text::inert(rec.trimmed("enterprise")),
                    crate::text::inert(goods),
                    given_at
                        .map(|t| format!(" booked {}", fields::instant_text(t)))
                        .unwrap_or_default()
                );
                let in_db = self
                    .db
                    .booking_exists(slot, enterprise.id, goods, given_at)?;
                if self.natural_key(line, "goods", "booking", &key, in_db.then_some(0)) == Key::Out
                {
                    return Ok(());
                }
                let r = Row {
                    line,
                    slot,
                    enterprise: enterprise.id,
                    goods,
                    location,
                    reason,
                    status,
                    booked_at,
                    booked_by,
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };
                let cal = WorkingCalendar::official();
                let res = w.book(
                    &NewBooking {
                        slot_id: r.slot,
                        enterprise_id: r.enterprise,
                        goods: r.goods,
                        location: r.location,
                        reason: r.reason,
                        operator: &r.booked_by,
                        now: r.booked_at,
                    },
                    cal,
                );
                let (id, outcome) = match res {
                    Ok(v) => v,
                    Err(e) => {
                        let field = match e.downcast_ref::<BookingRefusal>() {
                            Some(BookingRefusal::NonWorkingDayNotAeo { .. }) => "date",
                            Some(BookingRefusal::ReasonMissing { .. })
                            | Some(BookingRefusal::ReasonInZone) => "reason",
                            Some(BookingRefusal::GoodsMissing) => "goods",
                            Some(BookingRefusal::SlotPassed { .. }) => "booked_at",
                            Some(BookingRefusal::SlotFull { .. }) => "slot",
                            None => "row",
                        };
                        self.problem(r.line, field, format!("booking refused: {e:#}"));
                        return Ok(());
                    }
                };
                if let Some(n) = outcome.note
                    && !self.st.notes.contains(&n)
                {
                    self.st.notes.push(n);
                }
                if r.status != BookingStatus::Booked {
                    // The result is on record as of the import: a done or abnormal inspection whose
                    // slot has not begun yet is refused.
                    let res = w.set_booking_status(id, r.status, self.opts.now);
                    self.refused(r.line, "status", res);
                }
            }
        }
        Ok(())
    }

    fn approval(&mut self, rec: &Record) -> Result<()> {
        type Pause = (PauseReason, Timestamp, Option<Timestamp>);
        struct Row<'r> {
            line: usize,
            kind: ApprovalKind,
            enterprise: i64,
            reference: &'r str,
            accepted_at: Timestamp,
            decided: Option<(Timestamp, &'r str)>,
            pauses: Vec<Pause>,
            final_authority: bool,
            extended_by: Option<&'r str>,
        }
        let mark = self.mark();
        {
            let line = rec.line;
            let kind = self.parse(rec, "kind", ApprovalKind::parse);
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let reference = self.required_text(rec, "reference");
            let accepted_at = self.parse(rec, "accepted_at", fields::instant);
            let decided_at = self.parse_opt(rec, "decided_at", fields::instant);
            let decision = fields::optional_text(rec.raw("decision"));
            let decided = match (decided_at, decision) {
                (Some(Some(at)), d) => {
                    if let Some(acc) = accepted_at
                        && at < acc
                    {
                        self.problem(
                            line,
                            "decided_at",
                            format!(
                                "decided at {} before it was accepted ({})",
                                fields::instant_text(at),
                                fields::instant_text(acc)
                            ),
                        );
                        None
                    } else {
                        Some(Some((at, d.unwrap_or(""))))
                    }
                }
                (Some(None), Some(_)) => {
                    self.problem(line, "decision", "a decision needs its decided_at time");
                    None
                }
                (Some(None), None) => Some(None),
                (None, _) => None,
            };
            let pauses = self.check(line, "pauses", pauses(rec.trimmed("pauses")));
            // Measure 26's 终审权限 is on unless the file says otherwise.
            let final_authority = if rec.trimmed("final_authority").is_empty() {
                Some(true)
            } else {
                self.flag(rec, "final_authority")
            };
            let extended_by = fields::optional_text(rec.raw("extended_by"));
            if let (
                Some(kind),
                Some(enterprise),
                Some(reference),
                Some(accepted_at),
                Some(decided),
                Some(pauses),
                Some(final_authority),
            ) = (
                kind,
                enterprise,
                reference,
                accepted_at,
                decided,
                pauses,
                final_authority,
            ) {
                let in_db = self.db.approval_reference_exists(reference)?;
                let key = crate::text::inert(reference);
                if self.natural_key(line, "reference", "approval", &key, in_db.then_some(0))
                    == Key::Out
                {
                    return Ok(());
                }
                let r = Row {
                    line,
                    kind,
                    enterprise: enterprise.id,
                    reference,
                    accepted_at,
                    decided,
                    pauses,
                    final_authority,
                    extended_by,
                };
                let Some(w) = self.accept(mark) else {
                    return Ok(());
                };
                let res = w.insert_approval(&NewApproval {
                    kind: r.kind,
                    enterprise_id: r.enterprise,
                    reference: r.reference,
                    accepted_at: r.accepted_at,
                    pauses: &r.pauses,
                    decided: r.decided,
                    final_authority: r.final_authority,
                    extended_by: r.extended_by,
                });
                self.refused(r.line, "row", res);
            }
        }
        Ok(())
    }
}

fn unknown_office(code: &str) -> String {
    let known: Vec<&str> = crate::domain::ids::SHANGHAI_OFFICES
        .iter()
        .map(|o| o.code)
        .collect();
    format!(
        "office {code} is not a known Shanghai customs office (known: {})",
        known.join(", ")
    )
}

pub fn checksum_code(s: ChecksumStatus) -> &'static str {
    match s {
        ChecksumStatus::Valid => "valid",
        ChecksumStatus::BadCheckChar => "bad_check_char",
        ChecksumStatus::BadOrgCodeCheck => "bad_org_code_check",
    }
}

/// Industry codes (or Chinese names) separated by ';' (',' also accepted).
fn industries(s: &str) -> Result<Vec<Industry>, String> {
    let mut out: Vec<Industry> = Vec::new();
    let mut bad = Vec::new();
    for part in s
        .split([';', ',', '；', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match Industry::parse(part) {
            Ok(i) if !out.contains(&i) => out.push(i),
            Ok(_) => {}
            Err(e) => bad.push(e),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(bad.join("; "))
    }
}

/// Clock pauses as `reason@FROM/TO`, separated by ';' (TO empty for a pause still open).
fn pauses(s: &str) -> Result<Vec<(PauseReason, Timestamp, Option<Timestamp>)>, String> {
    let mut out = Vec::new();
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let shape = || {
            format!(
                "'{part}' is not a pause: use reason@FROM/TO, e.g. testing@2026-11-20T09:00:00+08:00/2026-11-23T09:00:00+08:00"
            )
        };
        let (reason, span) = part.split_once('@').ok_or_else(shape)?;
        let (from, to) = span.split_once('/').ok_or_else(shape)?;
        if matches!(reason.trim(), "correction" | "补正") {
            return Err(format!(
                "'{part}': 补正 is not a pause (行政许可法 第32条): it comes before acceptance; give accepted_at as the time the complete material was received"
            ));
        }
        let reason = PauseReason::parse(reason)?;
        let from = fields::instant(from)?;
        let to = if to.trim().is_empty() {
            None
        } else {
            Some(fields::instant(to)?)
        };
        if let Some(t) = to
            && t < from
        {
            return Err(format!("pause '{part}' ends before it starts"));
        }
        out.push((reason, from, to));
    }
    Ok(out)
}

/// How exports write pauses, the inverse of [`pauses`].
pub fn pauses_text(p: &[(String, Timestamp, Option<Timestamp>)]) -> String {
    p.iter()
        .map(|(r, from, to)| {
            format!(
                "{r}@{}/{}",
                fields::instant_text(*from),
                to.map(fields::instant_text).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The aliases of an `aliases` field: separated by `;`, trimmed, each once.
fn aliases(raw: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for a in raw.split(';').map(str::trim).filter(|a| !a.is_empty()) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Access;
    use crate::store::testing::TestDb;

    thread_local! {
        /// Run after each batch of a write pass: another operator's doings between batches.
        pub(super) static BETWEEN_BATCHES: std::cell::RefCell<Option<Box<dyn FnMut()>>> =
            std::cell::RefCell::new(None);
    }

    /// Queue items of the declaration numbers `…01` to `…0n`, one per line.
    fn declaration_items(n: usize) -> String {
        let mut text = String::from(
            "kind,enterprise,declaration_no,received_at,due_at,status,urgent,non_intrusive,report_accepted,taken_by\n",
        );
        for i in 1..=n {
            text.push_str(&format!(
                "declaration,91310000132260250X,2210202610000000{i:02},2026-11-20T09:00:00+08:00,,waiting,false,false,false,\n"
            ));
        }
        text
    }

    /// Another operator adds the file's last item after the import's check, between two of
    /// its batches: the writing finds it, whether that operator used aeo (audited) or not
    /// (another program: only the database's data version shows the change), and undoes what
    /// it wrote. A change of something else (a booking) leaves the import to land.
    #[test]
    fn an_item_added_by_another_after_the_check_is_found_while_writing() {
        for how in ["aeo", "other program", "a booking"] {
            for (mut store, dir, db) in setups(3) {
                eprintln!("{how}");
                let location = db.location().to_path_buf();
                let pg = location.to_str().is_some_and(crate::store::pg::is_url);
                if pg && how == "other program" {
                    continue;
                }
                let mut once = Some(how);
                BETWEEN_BATCHES.with(|hook| {
                    *hook.borrow_mut() = Some(Box::new(move || {
                        let Some(how) = once.take() else { return };
                        let mut other = Store::open(&location, Access::ReadWrite).unwrap();
                        let enterprise = other
                            .read(|l| l.enterprise_by_code("91310000132260250X"))
                            .unwrap()
                            .unwrap()
                            .id;
                        match how {
                            "aeo" => {
                                other
                                    .write(|w| {
                                        w.insert_work_item(&NewWorkItem {
                                            kind: WorkKind::Declaration,
                                            enterprise_id: enterprise,
                                            declaration_no: Some("221020261000000003"),
                                            received_at: "2026-11-21T09:00:00+08:00"
                                                .parse()
                                                .unwrap(),
                                            due_at: None,
                                            status: WorkStatus::Waiting,
                                            flags: WorkFlags::default(),
                                        })
                                    })
                                    .unwrap();
                            }
                            "other program" => {
                                let c = rusqlite::Connection::open(&location).unwrap();
                                c.execute(
                                    "INSERT INTO work_items (kind, enterprise_id, declaration_no, received_at, status)
                                     VALUES ('declaration', ?1, '221020261000000003', 1763686800, 'waiting')",
                                    [enterprise],
                                )
                                .unwrap();
                            }
                            _ => {
                                let slot = other
                                    .read(|l| l.slot_at("2210", "2026-12-01", "09:00"))
                                    .unwrap()
                                    .unwrap();
                                other
                                    .write(|w| {
                                        w.book(
                                            &NewBooking {
                                                slot_id: slot,
                                                enterprise_id: enterprise,
                                                goods: "晶圆",
                                                location: Location::InZone,
                                                reason: None,
                                                operator: "other",
                                                now: "2026-11-27T10:00:00+08:00".parse().unwrap(),
                                            },
                                            WorkingCalendar::official(),
                                        )
                                    })
                                    .unwrap();
                            }
                        }
                    }))
                });
                let before = count(&store, "SELECT count(*) FROM work_items");
                let res = import_file(
                    &mut store,
                    dir.path(),
                    TableKind::Items,
                    &declaration_items(3),
                    Duration::ZERO,
                );
                BETWEEN_BATCHES.with(|hook| hook.borrow_mut().take());
                let items = count(&store, "SELECT count(*) FROM work_items");
                if how == "a booking" {
                    res.unwrap();
                    assert_eq!(items, before + 3);
                } else {
                    let e = res.unwrap_err().to_string();
                    assert!(
                        e.contains("221020261000000003 is already in the database"),
                        "{how}: {e}"
                    );
                    // The other's item stays; the import's are undone.
                    assert_eq!(items, before + 1, "{how}");
                }
            }
        }
    }

    fn options(batch: Duration) -> ImportOptions {
        ImportOptions {
            accept_bad_checksum: false,
            dry_run: false,
            operator: "tester".into(),
            now: "2026-11-27T10:00:00+08:00".parse().unwrap(),
            skip_existing: false,
            upsert: false,
            batch,
        }
    }

    fn import_file(
        store: &mut Store,
        dir: &std::path::Path,
        kind: TableKind,
        text: &str,
        batch: Duration,
    ) -> Result<Summary> {
        let path = dir.join(format!("{}.csv", kind.name()));
        std::fs::write(&path, text).unwrap();
        let table = super::super::read_table(&path, kind, None, None).unwrap();
        import(store, &table, kind, &options(batch))
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn().query_row(sql, (), |r| r.get(0)).unwrap()
    }

    /// On each backend, a database with one AEO enterprise and a slot of `capacity` on a
    /// working day, and a directory for the files.
    fn setups(capacity: u32) -> Vec<(Store, tempfile::TempDir, TestDb)> {
        crate::store::testing::each_backend()
            .into_iter()
            .map(|db| {
                eprintln!("on {:?}", db.backend);
                let (dir, store) = setup(&db, capacity);
                (store, dir, db)
            })
            .collect()
    }

    fn setup(db: &TestDb, capacity: u32) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
        let p = dir.path();
        import_file(
            &mut store,
            p,
            TableKind::Enterprises,
            "uscc,customs_code,name_zh,credit\n91310000132260250X,3105910001,上海汽车集团股份有限公司,advanced\n",
            BATCH,
        )
        .unwrap();
        import_file(
            &mut store,
            p,
            TableKind::Slots,
            &format!(
                "office_code,date,start,end,capacity\n2210,2026-12-01,09:00,11:00,{capacity}\n"
            ),
            BATCH,
        )
        .unwrap();
        (dir, store)
    }

    const BOOKINGS: &str = "office_code,date,start,enterprise,goods\n\
        2210,2026-12-01,09:00,91310000132260250X,晶圆\n\
        2210,2026-12-01,09:00,91310000132260250X,汽车零部件\n\
        2210,2026-12-01,09:00,91310000132260250X,钢材\n";

    #[test]
    fn an_import_written_in_many_batches_lands_whole() {
        for (mut store, dir, _db) in setups(3) {
            // One record per transaction.
            let s = import_file(
                &mut store,
                dir.path(),
                TableKind::Bookings,
                BOOKINGS,
                Duration::ZERO,
            )
            .unwrap();
            assert_eq!(s.count, 3);
            assert_eq!(count(&store, "SELECT count(*) FROM bookings"), 3);
        }
    }

    #[test]
    fn a_problem_found_while_writing_undoes_the_batches_already_written() {
        for db in crate::store::testing::each_backend() {
            eprintln!("on {:?}", db.backend);
            undoes_the_batches_already_written(&db);
        }
    }

    fn undoes_the_batches_already_written(db: &TestDb) {
        let (dir, mut store) = setup(db, 2);
        let trail = count(&store, "SELECT count(*) FROM audit_log");
        // The check passes (capacity is a rule of writing); the third booking finds the slot
        // full after two batches have landed.
        let e = import_file(
            &mut store,
            dir.path(),
            TableKind::Bookings,
            BOOKINGS,
            Duration::ZERO,
        )
        .unwrap_err();
        let p = e
            .downcast::<Problems>()
            .expect("the refusal lists problems");
        assert_eq!(p.list.len(), 1, "{p}");
        assert_eq!(
            (p.list[0].line, p.list[0].field.as_str()),
            (4, "slot"),
            "{p}"
        );
        assert_eq!(count(&store, "SELECT count(*) FROM bookings"), 0, "undone");
        // The trail tells the whole story: two bookings made, then deleted.
        assert_eq!(
            count(
                &store,
                &format!("SELECT count(*) FROM audit_log WHERE id > {trail} AND action = 'book'")
            ),
            2
        );
        assert_eq!(
            count(
                &store,
                &format!(
                    "SELECT count(*) FROM audit_log WHERE id > {trail} AND action = 'delete' AND entity = 'bookings'"
                )
            ),
            2
        );
        // In one batch the same file is rolled back without a trace.
        drop(store);
        let db = TestDb::new(db.backend).unwrap();
        let (dir, mut store) = setup(&db, 2);
        let trail = count(&store, "SELECT count(*) FROM audit_log");
        assert!(import_file(&mut store, dir.path(), TableKind::Bookings, BOOKINGS, BATCH).is_err());
        assert_eq!(count(&store, "SELECT count(*) FROM audit_log"), trail);
        assert_eq!(count(&store, "SELECT count(*) FROM bookings"), 0);
    }

    #[test]
    fn the_check_takes_no_write_lock() {
        for (store, dir, db) in setups(3) {
            // Another store holds the write lock, in a write transaction on its own thread,
            // until it is told to end it.
            let (locked, wait) = std::sync::mpsc::channel();
            let (release, end) = std::sync::mpsc::channel::<()>();
            let location = db.location().to_path_buf();
            let other = std::thread::spawn(move || {
                let mut other = Store::open(&location, Access::ReadWrite).unwrap();
                other
                    .write(|_| {
                        locked.send(()).unwrap();
                        let _ = end.recv();
                        Ok(())
                    })
                    .unwrap();
            });
            wait.recv().unwrap();
            check_without_write_lock(store, dir.path());
            release.send(()).unwrap();
            other.join().unwrap();
        }
    }

    /// While another connection holds the write lock, a file with a problem is still refused
    /// with its problems (the check reads only), and a dry run still reports.
    fn check_without_write_lock(mut store: Store, dir: &std::path::Path) {
        store.set_busy_timeout(Duration::from_millis(50)).unwrap();
        let bad =
            "office_code,date,start,enterprise,goods\n2210,2026-12-01,09:00,91310000132260250X,\n";
        let e = import_file(&mut store, dir, TableKind::Bookings, bad, BATCH).unwrap_err();
        let p = e
            .downcast::<Problems>()
            .expect("problems, not a busy database");
        assert_eq!(
            (p.list[0].line, p.list[0].field.as_str()),
            (2, "goods"),
            "{p}"
        );
        let path = dir.join("b.csv");
        std::fs::write(&path, BOOKINGS).unwrap();
        let table = super::super::read_table(&path, TableKind::Bookings, None, None).unwrap();
        let mut opts = options(BATCH);
        opts.dry_run = true;
        assert_eq!(
            import(&mut store, &table, TableKind::Bookings, &opts)
                .unwrap()
                .count,
            3
        );
        // Writing waits for the lock, and says so when it is not given in time.
        let e = import_file(&mut store, dir, TableKind::Bookings, BOOKINGS, BATCH).unwrap_err();
        assert!(e.downcast_ref::<Problems>().is_none(), "{e:#}");
    }

    /// The problems an import was refused with.
    fn problems(e: anyhow::Error) -> Problems {
        e.downcast::<Problems>()
            .unwrap_or_else(|e| panic!("problems, not {e:#}"))
    }

    /// A file of `n` queue items of the setup's enterprise, every tenth held by op01; `last`
    /// is appended as the line after them.
    fn items_file(n: usize, last: &str) -> String {
        let at = |s: i64| fields::instant_text(Timestamp::from_second(s).unwrap());
        let mut text =
            "kind,enterprise,declaration_no,received_at,due_at,status,taken_by\n".to_string();
        for i in 0..n {
            let received = 1_764_000_000 + i as i64 * 60;
            text += &format!(
                "declaration,91310000132260250X,2210202600{i:08},{},{},waiting,{}\n",
                at(received),
                at(received + 86_400),
                if i % 10 == 0 { "op01" } else { "" }
            );
        }
        text + last
    }

    /// A file whose problems fill the list is refused on the check alone: the rules of
    /// writing are not tried (that would write the whole file once more), and the refusal
    /// says so.
    #[test]
    fn a_full_list_of_problems_leaves_the_rules_of_writing_untried() {
        for (mut store, dir, _db) in setups(3) {
            let mut file = items_file(0, "");
            for i in 0..MAX_PROBLEMS + 5 {
                file += &format!(
                    "parcel,91310000132260250X,,2026-11-20 09:{:02},,waiting,\n",
                    i % 60
                );
            }
            let e =
                import_file(&mut store, dir.path(), TableKind::Items, &file, BATCH).unwrap_err();
            let p = problems(e);
            assert_eq!(p.list.len(), MAX_PROBLEMS + 1, "{p}");
            let last = &p.list[MAX_PROBLEMS].message;
            assert!(
                last.contains("5 more problems") && last.contains("not tried"),
                "{last}"
            );
            assert_eq!(count(&store, "SELECT count(*) FROM work_items"), 0);
        }
    }

    /// Queue items are written many to a statement; each still gets its `create` entry, the
    /// row as it stands (as one written alone), and names its enterprise.
    #[test]
    fn queue_items_written_together_are_each_audited_as_created() {
        for (mut store, dir, _db) in setups(3) {
            let trail: i64 = count(&store, "SELECT coalesce(max(id), 0) FROM audit_log");
            let n = 2 * CHUNK + 7;
            let s = import_file(
                &mut store,
                dir.path(),
                TableKind::Items,
                &items_file(n, ""),
                BATCH,
            )
            .unwrap();
            assert_eq!(s.count, n);
            assert_eq!(count(&store, "SELECT count(*) FROM work_items"), n as i64);
            assert_eq!(
                count(
                    &store,
                    "SELECT count(*) FROM work_items WHERE taken_by = 'op01' AND aeo = 1"
                ),
                n.div_ceil(10) as i64
            );
            let entries: Vec<(String, i64, Option<i64>, Option<String>)> = store
                .conn()
                .prepare(&format!(
                    "SELECT action, entity_id, enterprise_id, after FROM audit_log WHERE id > {trail} ORDER BY id"
                ))
                .unwrap()
                .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .collect::<Result<_>>()
                .unwrap();
            assert_eq!(entries.len(), n, "one entry an item");
            let enterprise = count(&store, "SELECT id FROM enterprises");
            store
                .write(|w| {
                    for (action, id, ent, after) in &entries {
                        assert_eq!(action, "create");
                        assert_eq!(*ent, Some(enterprise));
                        assert_eq!(after, &w.snapshot("work_items", *id)?, "item {id}");
                    }
                    Ok(())
                })
                .unwrap();
        }
    }

    /// Queue items written together carry their enterprise's AEO flag as the import read it
    /// (an AEO enterprise's and another's); a flag that is not right (the credit changed after
    /// it was read) is put right by the database, on either backend.
    #[test]
    fn queue_items_written_together_carry_their_enterprises_aeo_flag() {
        for (mut store, dir, _db) in setups(3) {
            import_file(
                &mut store,
                dir.path(),
                TableKind::Enterprises,
                "uscc,customs_code,name_zh,credit
9131011571526726XT,3105910052,上海长宁物流有限公司,regular
",
                BATCH,
            )
            .unwrap();
            let mut file = items_file(CHUNK + 3, "");
            for i in 0..CHUNK + 3 {
                file += &format!(
                    "declaration,9131011571526726XT,2210202611{i:08},2026-11-20 09:00,,waiting,\n"
                );
            }
            let s = import_file(&mut store, dir.path(), TableKind::Items, &file, BATCH).unwrap();
            assert_eq!(s.count, 2 * (CHUNK + 3));
            let flags = |store: &Store| -> Vec<(String, i64, i64)> {
                store
                    .conn()
                    .prepare(
                        "SELECT e.credit, w.aeo, count(*) FROM work_items w
                         JOIN enterprises e ON e.id = w.enterprise_id GROUP BY 1, 2 ORDER BY 1, 2",
                    )
                    .unwrap()
                    .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .collect::<Result<_>>()
                    .unwrap()
            };
            let n = (CHUNK + 3) as i64;
            assert_eq!(
                flags(&store),
                [
                    ("advanced".to_string(), 1, n),
                    ("regular".to_string(), 0, n)
                ]
            );
            // Flags read before a change of credit: each is put right.
            let (aeo, other) = (
                count(
                    &store,
                    "SELECT id FROM enterprises WHERE credit = 'advanced'",
                ),
                count(
                    &store,
                    "SELECT id FROM enterprises WHERE credit = 'regular'",
                ),
            );
            let at: Timestamp = "2026-11-20T09:00:00+08:00".parse().unwrap();
            let item = |enterprise_id, declaration_no| NewWorkItem {
                kind: WorkKind::Declaration,
                enterprise_id,
                declaration_no: Some(declaration_no),
                received_at: at,
                due_at: None,
                status: WorkStatus::Waiting,
                flags: WorkFlags::default(),
            };
            store
                .write(|w| {
                    w.insert_checked_items(&[
                        (item(aeo, "221020262200000001"), None, false),
                        (item(other, "221020262200000002"), None, true),
                    ])
                })
                .unwrap();
            assert_eq!(
                flags(&store),
                [
                    ("advanced".to_string(), 1, n + 1),
                    ("regular".to_string(), 0, n + 1)
                ]
            );
        }
    }

    /// A queue item the database refuses while writing (here a trigger) is a problem of its
    /// line, though it was to be written with others; nothing is left written.
    #[test]
    fn a_queue_item_refused_while_writing_is_a_problem_of_its_line() {
        for (mut store, dir, _db) in setups(3) {
            refuse_insert(&store, "work_items", "declaration_no", "221020260000000100");
            let trail = count(&store, "SELECT count(*) FROM audit_log");
            // One batch whatever the machine's load: a batch ended early would be written and
            // then undone, its audited deletions adding to the trail.
            let e = import_file(
                &mut store,
                dir.path(),
                TableKind::Items,
                &items_file(CHUNK + 20, ""),
                Duration::from_secs(600),
            )
            .unwrap_err();
            let p = problems(e);
            assert_eq!(p.list.len(), 1, "{p}");
            assert_eq!(p.list[0].line, 102, "{p}");
            assert!(p.list[0].message.contains("work_items refused"), "{p}");
            assert_eq!(count(&store, "SELECT count(*) FROM work_items"), 0);
            assert_eq!(count(&store, "SELECT count(*) FROM audit_log"), trail);
        }
    }

    /// Queue items written in earlier batches (here one a batch) are undone, each deletion
    /// audited, when a later line breaks a rule of writing (a deadline before the arrival).
    #[test]
    fn queue_items_written_are_undone_when_a_later_line_fails() {
        for (mut store, dir, _db) in setups(3) {
            let trail: i64 = count(&store, "SELECT coalesce(max(id), 0) FROM audit_log");
            let n = 12;
            let bad = "declaration,91310000132260250X,221020260099999999,2026-12-02 10:00,2026-12-01 10:00,waiting,\n";
            let e = import_file(
                &mut store,
                dir.path(),
                TableKind::Items,
                &items_file(n, bad),
                Duration::ZERO,
            )
            .unwrap_err();
            let p = problems(e);
            assert_eq!(p.list.len(), 1, "{p}");
            assert_eq!(p.list[0].line, n + 2, "{p}");
            assert_eq!(
                count(&store, "SELECT count(*) FROM work_items"),
                0,
                "undone"
            );
            let created = count(
                &store,
                &format!("SELECT count(*) FROM audit_log WHERE id > {trail} AND action = 'create'"),
            );
            assert!(created > 0, "some batches had landed: {p}");
            assert_eq!(
                count(
                    &store,
                    &format!(
                        "SELECT count(*) FROM audit_log WHERE id > {trail} AND action = 'delete' AND entity = 'work_items'"
                    )
                ),
                created,
                "each undone item audited"
            );
        }
    }

    /// A trigger of the test's own that refuses a row of `table` whose `column` is `value`,
    /// with the message "`table` refused".
    fn refuse_insert(store: &Store, table: &str, column: &str, value: &str) {
        let sql = if store.conn().is_pg() {
            format!(
                "CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     IF NEW.{column} = '{value}' THEN RAISE EXCEPTION '{table} refused'; END IF;
                     RETURN NEW;
                 END $$;
                 CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table}
                     FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
            )
        } else {
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table}
                 WHEN NEW.{column} = '{value}' BEGIN SELECT RAISE(ABORT, '{table} refused'); END"
            )
        };
        store.conn().execute_batch(&sql).unwrap();
    }

    /// A statement the database refuses while writing (here a trigger of the test's own) is a
    /// problem of its line only: the records after it are still checked and written, and the
    /// import is refused as a whole, in one batch or in many.
    #[test]
    fn a_statement_refused_while_writing_is_a_problem_of_its_line() {
        for (store, dir, _db) in setups(3) {
            refuse_insert(&store, "enterprises", "name_zh", "爆炸公司");
            refused_statement_is_a_problem_of_its_line(store, dir.path());
        }
    }

    fn refused_statement_is_a_problem_of_its_line(mut store: Store, d: &std::path::Path) {
        const FILE: &str = "uscc,customs_code,name_zh,credit\n\
            9144030071526726XG,4403960002,腾讯科技(深圳)有限公司,regular\n\
            91310115132260250T,3105910051,爆炸公司,regular\n\
            9131011571526726XT,3105910052,上海长宁物流有限公司,regular\n";
        let enterprises = count(&store, "SELECT count(*) FROM enterprises");
        for batch in [BATCH, Duration::ZERO] {
            let e = import_file(&mut store, d, TableKind::Enterprises, FILE, batch).unwrap_err();
            let p = problems(e);
            assert_eq!(p.list.len(), 1, "{p}");
            assert_eq!(p.list[0].line, 3, "{p}");
            assert!(p.list[0].message.contains("enterprises refused"), "{p}");
            assert_eq!(
                count(&store, "SELECT count(*) FROM enterprises"),
                enterprises,
                "nothing is left written"
            );
        }
    }

    fn upsert_file(
        store: &mut Store,
        dir: &std::path::Path,
        kind: TableKind,
        text: &str,
        batch: Duration,
    ) -> Result<Summary> {
        let path = dir.join(format!("upsert-{}.csv", kind.name()));
        std::fs::write(&path, text).unwrap();
        let table = super::super::read_table(&path, kind, None, None).unwrap();
        let mut opts = options(batch);
        opts.upsert = true;
        import(store, &table, kind, &opts)
    }

    #[test]
    fn upsert_updates_by_natural_key_audited_and_reported_per_line() {
        for (store, dir, _db) in setups(3) {
            upsert_updates_by_natural_key(store, dir.path());
        }
    }

    fn upsert_updates_by_natural_key(mut store: Store, d: &std::path::Path) {
        let trail = count(&store, "SELECT count(*) FROM audit_log");
        // The enterprise again, renamed and downgraded, and a new one beside it.
        let s = upsert_file(
            &mut store,
            d,
            TableKind::Enterprises,
            "uscc,customs_code,name_zh,credit,aliases\n\
             91310000132260250X,3105910001,上汽集团,certified,SAIC\n\
             9144030071526726XG,4403960002,腾讯科技(深圳)有限公司,regular,\n",
            BATCH,
        )
        .unwrap();
        assert_eq!(s.count, 2);
        let notes = s.notes.join("\n");
        assert!(
            notes.contains("line 2: enterprise 91310000132260250X updated: ")
                && notes.contains("name_zh \"上海汽车集团股份有限公司\" → \"上汽集团\"")
                && notes.contains("credit \"advanced\" → \"certified\""),
            "{notes}"
        );
        assert!(
            notes.contains("1 record already in the database is an update"),
            "{notes}"
        );
        assert_eq!(count(&store, "SELECT count(*) FROM enterprises"), 2);
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM enterprises WHERE name_zh = '上汽集团' AND credit = 'certified'"
            ),
            1
        );
        // The trail holds the row before and after.
        let (before, after): (String, String) = store
            .conn()
            .query_row(
                &format!(
                    "SELECT before, after FROM audit_log WHERE id > {trail} AND action = 'import_update'"
                ),
                (),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(before.contains("上海汽车集团股份有限公司") && after.contains("上汽集团"));
        // Found under its new name; the alias added once.
        assert_eq!(count(&store, "SELECT count(*) FROM enterprise_aliases"), 1);
        upsert_file(
            &mut store,
            d,
            TableKind::Enterprises,
            "uscc,customs_code,name_zh,credit,aliases\n91310000132260250X,3105910001,上汽集团,certified,SAIC\n",
            BATCH,
        )
        .unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM enterprise_aliases"), 1);
        // A customs code of another enterprise is still refused.
        let e = upsert_file(
            &mut store,
            d,
            TableKind::Enterprises,
            "uscc,customs_code,name_zh,credit\n91310000132260250X,4403960002,上汽集团,certified\n",
            BATCH,
        )
        .unwrap_err();
        assert!(e.to_string().contains("for another USCC"), "{e}");
        // Bookings change through their commands.
        let e = upsert_file(&mut store, d, TableKind::Bookings, BOOKINGS, BATCH).unwrap_err();
        assert!(e.to_string().contains("--upsert applies to"), "{e}");
    }

    #[test]
    fn an_upsert_that_fails_while_writing_restores_the_rows_it_updated() {
        for (store, dir, _db) in setups(3) {
            upsert_failing_while_writing_restores(store, dir.path());
        }
    }

    fn upsert_failing_while_writing_restores(mut store: Store, d: &std::path::Path) {
        import_file(
            &mut store,
            d,
            TableKind::Slots,
            "office_code,date,start,end,capacity\n2210,2026-12-02,09:00,11:00,2\n",
            BATCH,
        )
        .unwrap();
        import_file(
            &mut store,
            d,
            TableKind::Bookings,
            "office_code,date,start,enterprise,goods\n2210,2026-12-02,09:00,91310000132260250X,晶圆\n2210,2026-12-02,09:00,91310000132260250X,钢材\n",
            BATCH,
        )
        .unwrap();
        // Line 2 widens the first slot (written in its own transaction); line 3 would shrink
        // the second below its two bookings, which only writing finds.
        let e = upsert_file(
            &mut store,
            d,
            TableKind::Slots,
            "office_code,date,start,end,capacity\n2210,2026-12-01,09:00,11:30,9\n2210,2026-12-02,09:00,11:00,1\n",
            Duration::ZERO,
        )
        .unwrap_err();
        let p = e.downcast::<Problems>().unwrap();
        assert_eq!(p.list.len(), 1, "{p}");
        assert!(p.list[0].message.contains("holds 2 bookings"), "{p}");
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM inspection_slots WHERE date = '2026-12-01' AND capacity = 3 AND end_time = '11:00'"
            ),
            1,
            "the first slot is as it was"
        );
        assert_eq!(
            count(
                &store,
                "SELECT count(*) FROM audit_log WHERE action = 'import_undo'"
            ),
            1
        );
    }
}
