//! Records into the store: every field checked, every problem collected, all or nothing.
//!
//! An import runs in one transaction. First each record is checked on its own and against the
//! database (references, duplicate keys); then, when nothing is wrong, the records are written
//! through the store's own functions, so that the rules of the domain (the "5+2" booking rule,
//! capacity, location) apply to imported records as to typed ones. Any problem, at either
//! stage, rolls the whole transaction back.

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
    EnterpriseRef, NewApproval, NewBooking, NewCoordinator, NewEnterprise, NewSlot, NewWorkItem,
    Store, Writer,
};
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use std::collections::HashMap;

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
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub table: TableKind,
    pub count: usize,
    /// Things the operator should know about records that were accepted.
    pub notes: Vec<String>,
    pub dry_run: bool,
}

/// The sentinel that rolls a dry run back.
#[derive(Debug)]
struct DryRun(Summary);

impl std::fmt::Display for DryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dry run")
    }
}

impl std::error::Error for DryRun {}

/// Imports `table` as `kind`. A refused import is an error carrying [`Problems`].
pub fn import(
    store: &mut Store,
    table: &Table,
    kind: TableKind,
    opts: &ImportOptions,
) -> Result<Summary> {
    let outcome = store.write(|w| {
        let mut run = Run {
            w,
            opts,
            problems: table.problems.clone(),
            notes: Vec::new(),
            enterprises: HashMap::new(),
            skipped: Vec::new(),
        };
        let count = match kind {
            TableKind::Enterprises => run.enterprises(&table.records)?,
            TableKind::Coordinators => run.coordinators(&table.records)?,
            TableKind::Items => run.items(&table.records)?,
            TableKind::Slots => run.slots(&table.records)?,
            TableKind::Bookings => run.bookings(&table.records)?,
            TableKind::Approvals => run.approvals(&table.records)?,
            TableKind::Calls => run.calls(&table.records)?,
            TableKind::Problems => run.problems(&table.records)?,
            TableKind::Verifications => run.verifications(&table.records)?,
            TableKind::CoordinatorLinks => run.coordinator_links(&table.records)?,
            TableKind::HotlinePersons => run.hotline_persons(&table.records)?,
        };
        if !run.skipped.is_empty() {
            let lines: Vec<String> = run.skipped.iter().take(10).map(|l| l.to_string()).collect();
            run.notes.push(format!(
                "{} record{} already in the database left out (--skip-existing): line{} {}{}",
                run.skipped.len(),
                if run.skipped.len() == 1 { "" } else { "s" },
                if run.skipped.len() == 1 { "" } else { "s" },
                lines.join(", "),
                if run.skipped.len() > 10 { ", …" } else { "" }
            ));
        }
        if !run.problems.is_empty() {
            let mut list = run.problems;
            list.sort_by_key(|p| p.line);
            return Err(Problems {
                file: table.file.clone(),
                list,
            }
            .into());
        }
        let summary = Summary {
            table: kind,
            count,
            notes: run.notes,
            dry_run: opts.dry_run,
        };
        if opts.dry_run {
            return Err(DryRun(summary).into());
        }
        Ok(summary)
    });
    match outcome {
        Err(e) => match e.downcast::<DryRun>() {
            Ok(DryRun(summary)) => Ok(summary),
            Err(e) => Err(e),
        },
        ok => ok,
    }
}

struct Run<'w, 'a> {
    w: &'w Writer<'a>,
    opts: &'w ImportOptions,
    problems: Vec<Problem>,
    notes: Vec<String>,
    enterprises: HashMap<String, Option<EnterpriseRef>>,
    /// Lines left out because their record is already in the database (--skip-existing).
    skipped: Vec<usize>,
}

/// Remembers the first line of each key, to report repeats within the file.
#[derive(Default)]
struct Seen(HashMap<String, usize>);

impl Seen {
    fn first(&mut self, key: String, line: usize) -> Option<usize> {
        match self.0.get(&key) {
            Some(&first) => Some(first),
            None => {
                self.0.insert(key, line);
                None
            }
        }
    }
}

impl Run<'_, '_> {
    /// Checks a record's natural key: a repeat of an earlier line of the file is a problem; a
    /// key already in the database is a problem too, or with --skip-existing the record is
    /// left out. Returns whether the record is to be left out.
    #[allow(clippy::too_many_arguments)]
    fn natural_key(
        &mut self,
        seen: &mut Seen,
        line: usize,
        field: &str,
        what: &str,
        key: &str,
        in_database: bool,
    ) -> bool {
        if let Some(first) = seen.first(key.to_string(), line) {
            self.problem(
                line,
                field,
                format!("duplicate {what} {key}: already on line {first} of this file"),
            );
            return true;
        }
        if in_database {
            if self.opts.skip_existing {
                self.skipped.push(line);
            } else {
                self.problem(
                    line,
                    field,
                    format!(
                        "{what} {key} is already in the database (--skip-existing leaves such records out)"
                    ),
                );
            }
            return true;
        }
        false
    }

    /// The rows to write: those whose line has no problem and was not left out. A row with a
    /// problem is never written (its refusal is already reported, once).
    fn writable<R>(&self, rows: &mut Vec<R>, line: impl Fn(&R) -> usize) {
        let blocked: std::collections::HashSet<usize> = self
            .problems
            .iter()
            .map(|p| p.line)
            .chain(self.skipped.iter().copied())
            .collect();
        rows.retain(|r| !blocked.contains(&line(r)));
    }

    fn problem(&mut self, line: usize, field: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(line, field, message));
    }

    /// A value that must be given (trimmed); None (and a problem) when empty.
    fn required<'r>(&mut self, rec: &'r Record, field: &str) -> Option<&'r str> {
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
    fn required_text<'r>(&mut self, rec: &'r Record, field: &str) -> Option<&'r str> {
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
        let key = key.to_ascii_uppercase();
        let found = match self.enterprises.get(&key) {
            Some(f) => *f,
            None => {
                let f = self.w.enterprise_by_code(&key)?;
                self.enterprises.insert(key.clone(), f);
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

    fn enterprises(&mut self, records: &[Record]) -> Result<usize> {
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
        let mut rows = Vec::new();
        let (mut usccs, mut codes) = (Seen::default(), Seen::default());
        for rec in records {
            let line = rec.line;
            let uscc = self.required(rec, "uscc").and_then(|raw| {
                let r = match Uscc::parse_lenient(raw) {
                    Err(e) => Err(e.to_string()),
                    Ok((u, ChecksumStatus::Valid)) => Ok((u, ChecksumStatus::Valid)),
                    Ok((u, status)) if self.opts.accept_bad_checksum => {
                        self.notes.push(format!(
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
            let mut uscc_in_db = false;
            if let Some((u, _)) = &uscc {
                uscc_in_db = self.w.uscc_exists(u.as_str())?;
                self.natural_key(&mut usccs, line, "uscc", "USCC", u.as_str(), uscc_in_db);
            }
            let customs = self.parse(rec, "customs_code", |s| {
                CustomsCode::parse(s).map_err(|e| e.to_string())
            });
            // The USCC is the enterprise's key; its customs code must be its own too.
            if let Some(c) = &customs
                && !uscc_in_db
            {
                let in_db = self.w.customs_code_exists(c.as_str())?;
                if let Some(first) = codes.first(c.to_string(), line) {
                    self.problem(
                        line,
                        "customs_code",
                        format!("duplicate customs code {c}: already on line {first} of this file"),
                    );
                } else if in_db {
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
                match self.w.coordinator_by_phone(phone)? {
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
                rows.push(Row {
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
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.insert_enterprise(&NewEnterprise {
                uscc: &r.uscc,
                uscc_status: r.status,
                customs_code: &r.customs_code,
                name_zh: r.name_zh,
                name_en: r.name_en,
                credit: r.credit,
                industries: &r.industries,
                group_name: r.group,
                coordinator_id: r.coordinator,
            });
            if let Some(id) = self.refused(r.line, "row", res) {
                for a in &r.aliases {
                    let res = self.w.add_alias(id, a);
                    self.refused(r.line, "aliases", res);
                }
            }
        }
        Ok(rows.len())
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

    fn coordinators(&mut self, records: &[Record]) -> Result<usize> {
        struct Row<'r> {
            line: usize,
            name: &'r str,
            phone: String,
            office_code: String,
            office_name: String,
            role: CoordinatorRole,
            duty_hours: &'r str,
        }
        let mut rows = Vec::new();
        let mut phones = Seen::default();
        for rec in records {
            let line = rec.line;
            let name = self.required_text(rec, "name");
            let phone = self.parse(rec, "phone", fields::phone);
            if let Some(p) = &phone {
                let in_db = self.w.coordinator_by_phone(p)?.is_some();
                self.natural_key(
                    &mut phones,
                    line,
                    "phone",
                    "coordinator telephone",
                    p,
                    in_db,
                );
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
                rows.push(Row {
                    line,
                    name,
                    phone,
                    office_code,
                    office_name,
                    role,
                    duty_hours: rec.raw("duty_hours"),
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.insert_coordinator(&NewCoordinator {
                name: r.name,
                phone: &r.phone,
                office_code: &r.office_code,
                office_name: &r.office_name,
                role: r.role,
                duty_hours: r.duty_hours,
            });
            self.refused(r.line, "row", res);
        }
        Ok(rows.len())
    }

    fn items(&mut self, records: &[Record]) -> Result<usize> {
        struct Row<'r> {
            line: usize,
            kind: WorkKind,
            enterprise: i64,
            declaration_no: Option<String>,
            received_at: Timestamp,
            due_at: Option<Timestamp>,
            status: WorkStatus,
            flags: WorkFlags,
            taken_by: Option<&'r str>,
        }
        let mut rows = Vec::new();
        let mut keys = Seen::default();
        for rec in records {
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
                let (key, in_db) = match &declaration_no {
                    Some(d) => (
                        format!("{} {d}", kind.code()),
                        self.w.item_by_declaration(kind.code(), d)?,
                    ),
                    None => (
                        format!(
                            "{} of {} received {}",
                            kind.code(),
                            crate::text::inert(rec.trimmed("enterprise")),
                            fields::instant_text(received_at)
                        ),
                        self.w
                            .item_by_arrival(kind.code(), enterprise.id, received_at)?,
                    ),
                };
                let field = if declaration_no.is_some() {
                    "declaration_no"
                } else {
                    "received_at"
                };
                if self.natural_key(&mut keys, line, field, "queue item", &key, in_db) {
                    continue;
                }
                rows.push(Row {
                    line,
                    kind,
                    enterprise: enterprise.id,
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
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.insert_work_item(&NewWorkItem {
                kind: r.kind,
                enterprise_id: r.enterprise,
                declaration_no: r.declaration_no.as_deref(),
                received_at: r.received_at,
                due_at: r.due_at,
                status: r.status,
                flags: r.flags,
            });
            if let Some(id) = self.refused(r.line, "row", res)
                && r.taken_by.is_some()
            {
                let res = self.w.set_item_taken_by(id, r.taken_by);
                self.refused(r.line, "taken_by", res);
            }
        }
        Ok(rows.len())
    }

    fn slots(&mut self, records: &[Record]) -> Result<usize> {
        struct Row {
            line: usize,
            office_code: String,
            date: Date,
            start: Time,
            end: Time,
            capacity: u32,
        }
        let mut rows = Vec::new();
        let mut keys = Seen::default();
        for rec in records {
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
                continue;
            }
            if let (Some(office_code), Some(date), Some(start), Some(end), Some(capacity)) =
                (office, date, start, end, capacity)
            {
                let key = format!("{office_code} {date} {}", fields::time_text(start));
                let in_db = self
                    .w
                    .slot_at(&office_code, &date.to_string(), &fields::time_text(start))?
                    .is_some();
                if self.natural_key(&mut keys, line, "start", "slot", &key, in_db) {
                    continue;
                }
                rows.push(Row {
                    line,
                    office_code,
                    date,
                    start,
                    end,
                    capacity,
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.insert_slot(&NewSlot {
                office_code: &r.office_code,
                date: r.date,
                start: r.start,
                end: r.end,
                capacity: r.capacity,
            });
            self.refused(r.line, "row", res);
        }
        Ok(rows.len())
    }

    fn bookings(&mut self, records: &[Record]) -> Result<usize> {
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
        let mut rows = Vec::new();
        let mut keys = Seen::default();
        for rec in records {
            let line = rec.line;
            let office = self.office_code(rec, "office_code");
            let date = self.parse(rec, "date", fields::date);
            let start = self.parse(rec, "start", fields::time);
            let slot = match (&office, date, start) {
                (Some(o), Some(d), Some(s)) => {
                    let found = self.w.slot_at(o, &d.to_string(), &fields::time_text(s))?;
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
                    .w
                    .booking_exists(slot, enterprise.id, goods, given_at)?;
                if self.natural_key(&mut keys, line, "goods", "booking", &key, in_db) {
                    continue;
                }
                rows.push(Row {
                    line,
                    slot,
                    enterprise: enterprise.id,
                    goods,
                    location,
                    reason,
                    status,
                    booked_at,
                    booked_by,
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        let cal = WorkingCalendar::official();
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.book(
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
                    continue;
                }
            };
            if let Some(n) = outcome.note
                && !self.notes.contains(&n)
            {
                self.notes.push(n);
            }
            if r.status != BookingStatus::Booked {
                // The result is on record as of the import: a done or abnormal inspection whose
                // slot has not begun yet is refused.
                let res = self.w.set_booking_status(id, r.status, self.opts.now);
                self.refused(r.line, "status", res);
            }
        }
        Ok(rows.len())
    }

    fn approvals(&mut self, records: &[Record]) -> Result<usize> {
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
        let mut rows = Vec::new();
        let mut keys = Seen::default();
        for rec in records {
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
                let in_db = self.w.approval_reference_exists(reference)?;
                let key = crate::text::inert(reference);
                if self.natural_key(&mut keys, line, "reference", "approval", &key, in_db) {
                    continue;
                }
                rows.push(Row {
                    line,
                    kind,
                    enterprise: enterprise.id,
                    reference,
                    accepted_at,
                    decided,
                    pauses,
                    final_authority,
                    extended_by,
                });
            }
        }
        // Rows that passed are written even when others failed, so that the rules applied
        // on writing report too; the transaction is rolled back whenever there is a problem.
        self.writable(&mut rows, |r| r.line);
        for r in &rows {
            let res = self.w.insert_approval(&NewApproval {
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
        Ok(rows.len())
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
