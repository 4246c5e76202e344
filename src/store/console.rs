//! Read queries only the console needs: windows of the queue and of the approvals, narrowed by
//! what the operator typed after `/` (through the lookup matcher) and by a one-key narrowing.

use super::Store;
use super::approvals::{
    APPROVAL_SELECT, OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG, approval_from,
};
use super::db::{OptionalExtension, Owned};
use super::queue::{DEEP_WINDOW, QUEUE_COLUMNS, QUEUE_FROM, QUEUE_ORDER, QUEUE_ORDER_PG, row_from};
use crate::domain::approval::NEARLY_DUE_FRACTION;
use crate::domain::narrow::{Narrow, approval_kinds_named};
use crate::domain::queue::{COUNT_CAP, Count, WorkKind, WorkStatus};
use crate::store::{ApprovalRow, QueueRow};
use anyhow::Result;
use jiff::Timestamp;

/// Enterprises a filter reaches through the lookup matcher: those the lookup pane lists.
const FILTER_ENTERPRISES: usize = 200;

/// How a typed filter's matches are read in the queue's order, by how many there are (counted
/// along each part's index, no row read): below `FEW` their rows are read by id and sorted; up
/// to `MANY` the queue's index is walked in its order and each entry's id looked up among the
/// matching ids (the index alone: no row is read until the window is joined); up to `HUGE` the
/// same, with the ids gathered here (SQLite built its set of 21,631 ids in 9-15 ms, this one
/// takes 2-5); from `HUGE` on, the walk tests each row, which it reads (gathering the ids
/// would cost more). The tests' demo queue is small: lower bounds there have them take every
/// way.
#[cfg(not(test))]
const FEW: i64 = 500;
#[cfg(not(test))]
const MANY: i64 = 8_000;
#[cfg(not(test))]
const HUGE: i64 = 30_000;
#[cfg(test)]
const FEW: i64 = 10;
#[cfg(test)]
const MANY: i64 = 40;
#[cfg(test)]
const HUGE: i64 = 100;

/// Reading a row by id costs as much as walking this many entries of the queue's index (on the
/// large database 2-5 µs against 25-35 ns): a window that many entries per match down is read
/// by id instead of walked to.
const ROW_PER_WALKED: i64 = 64;

/// How the matches of a typed filter are read in the queue's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Few: their ids gathered from each part's index, the rows read by id and sorted (and
    /// without a typed filter, as the planner chooses).
    ById,
    /// Some: the queue index in its order, each entry's id tested against the ids gathered
    /// from each part's index, stopping at the window.
    Member,
    /// More: the ids gathered from each part's index into a set here, and the queue index
    /// read in its order (its ids alone) until the window's matches are found. SQLite's, and
    /// without a narrowing (which needs the rows); otherwise as `InOrder`.
    Gathered,
    /// Many: the queue index in its order, each row read and tested, stopping at the window.
    InOrder,
}

/// What the console's list filter reached, kept while the text and the data stay the same: a
/// pane counts its list and reads its window under one filter, and the matcher runs and the
/// matches are counted once for both.
#[derive(Debug, Default)]
pub(super) struct FilterMemo {
    text: String,
    version: i64,
    /// The enterprises the text reached (the lookup matcher's), as a JSON array.
    ents: Option<String>,
    /// The queue's plan for the text, and the matches counted to choose it (up to `MANY`).
    plan: Option<(Plan, i64)>,
    /// Whether an open item is taken by an operator named as the text.
    taken: Option<bool>,
    /// The open approvals the text alone leaves, in the pane's order, when at most
    /// `APPROVALS_HELD` (None: more).
    approvals: Option<Option<Vec<i64>>>,
}

/// Up to how many open approvals a typed filter leaves are held by id: the pane's count,
/// window and cursor served from one pass over the open approvals (each pass tests every
/// open approval's reference: 4-5 ms on PostgreSQL for 15,337 of them).
/// The tests' demo has few: there both ways are taken.
#[cfg(not(test))]
const APPROVALS_HELD: usize = 2_000;
#[cfg(test)]
const APPROVALS_HELD: usize = 5;

/// How far down the queue a record's place is looked for when the list reorders.
const POSITION_CAP: usize = 10_000;

/// What the operator narrowed a list to: the text typed after `/` and a one-key narrowing,
/// with the instant and the operator the narrowing is read at.
#[derive(Debug, Clone, Copy)]
pub struct ListFilter<'a> {
    pub text: &'a str,
    pub narrow: Option<Narrow>,
    pub now: Timestamp,
    pub operator: &'a str,
}

impl<'a> ListFilter<'a> {
    /// Only a typed filter.
    pub fn text(text: &'a str) -> ListFilter<'a> {
        ListFilter {
            text,
            narrow: None,
            now: Timestamp::UNIX_EPOCH,
            operator: "",
        }
    }

    fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.narrow.is_none()
    }
}

/// Escapes LIKE's own characters so a typed filter matches literally.
fn like_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A WHERE clause built from parts, with named parameters (`:name`); a statement is given
/// only the parameters it names, numbered in the order it names them.
#[derive(Default, Clone)]
struct Conditions {
    clauses: Vec<String>,
    params: Vec<(&'static str, Owned)>,
    /// The queue's typed filter alone, as queries of the ids it reaches (open items only).
    text_ids: Vec<String>,
    /// The same filter as a test of one row of `work_items w`.
    text_row: Vec<String>,
}

impl Conditions {
    fn and(&mut self, clause: impl Into<String>) {
        self.clauses.push(clause.into());
    }

    fn bind(&mut self, name: &'static str, v: impl Into<Owned>) {
        self.params.push((name, v.into()));
    }

    /// Binds `:offset`, where a window of the list starts. Its length is written into the
    /// statement (a screen's rows: few distinct statements): SQLite prepares a statement again
    /// on every run when its LIMIT is bound.
    fn window(&mut self, offset: usize) {
        self.bind(":offset", offset as i64);
    }

    fn sql(&self) -> String {
        self.clauses
            .iter()
            .map(|c| format!("({c})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// `sql` with the queue's typed filter read as `plan` reads it.
    fn sql_for(&self, plan: Plan) -> String {
        let mut c = self.clone();
        if !self.text_ids.is_empty() {
            c.and(match plan {
                Plan::ById | Plan::Member => {
                    format!("w.id IN ({})", self.text_ids.join(" UNION ALL "))
                }
                Plan::InOrder | Plan::Gathered => self.text_row.join(" OR "),
            });
        }
        c.sql()
    }

    /// `sql` with its named parameters as `?N`, and their values in that order.
    fn bound(&self, sql: &str) -> (String, Vec<Owned>) {
        let mut out = String::with_capacity(sql.len());
        let mut names: Vec<&str> = Vec::new();
        let mut rest = sql;
        let mut quoted = false;
        while let Some(c) = rest.chars().next() {
            if c == '\'' {
                quoted = !quoted;
            } else if c == ':' && !quoted && rest[1..].starts_with(':') {
                // A PostgreSQL cast (`x::bigint`), not a parameter.
                out.push_str("::");
                rest = &rest[2..];
                continue;
            } else if c == ':' && !quoted {
                let len = rest[1..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len() - 1);
                let name = &rest[..=len];
                if let Some((known, _)) = self.params.iter().find(|(n, _)| *n == name) {
                    let k = match names.iter().position(|n| n == known) {
                        Some(k) => k,
                        None => {
                            names.push(known);
                            names.len() - 1
                        }
                    };
                    out.push_str(&format!("?{}", k + 1));
                    rest = &rest[name.len()..];
                    continue;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        let values = names
            .iter()
            .map(|n| {
                self.params
                    .iter()
                    .find(|(p, _)| p == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Owned::Null)
            })
            .collect();
        (out, values)
    }
}

impl Store {
    /// What is known of `text` at the data version, `get` of it, or `make` it (kept).
    fn filter_memo<T: Clone>(
        &self,
        text: &str,
        get: impl Fn(&mut FilterMemo) -> &mut Option<T>,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let version = self.data_version()?;
        {
            let mut memo = self.filter_memo.borrow_mut();
            if memo.text != text || memo.version != version {
                *memo = FilterMemo {
                    text: text.to_string(),
                    version,
                    ..Default::default()
                };
            }
            if let Some(known) = get(&mut memo) {
                return Ok(known.clone());
            }
        }
        let made = make()?;
        let mut memo = self.filter_memo.borrow_mut();
        if memo.text == text && memo.version == version {
            *get(&mut memo) = Some(made.clone());
        }
        Ok(made)
    }

    /// The ids statement `sql` of `c` reads (its first column), in its order.
    fn ids_of(&self, c: &Conditions, sql: &str) -> Result<Vec<i64>> {
        let (sql, params) = c.bound(sql);
        self.conn()
            .prepare_cached(&sql)?
            .query_map(params, |r| r.get::<i64>(0))?
            .collect()
    }

    /// The enterprises the filter names (the lookup matcher's), as a JSON array.
    fn filter_enterprises(&self, filter: &str) -> Result<String> {
        self.filter_memo(
            filter,
            |m| &mut m.ents,
            || {
                let ids = self.matching_enterprise_ids(filter, FILTER_ENTERPRISES)?;
                Ok(serde_json::to_string(&ids)?)
            },
        )
    }

    /// Binds what every narrowing may name.
    fn narrowing(&self, c: &mut Conditions, f: &ListFilter<'_>) -> Result<()> {
        let text = f.text.trim();
        if !text.is_empty() {
            super::check_search_length(text)?;
            c.bind(":text", like_literal(text));
            c.bind(":lower", like_literal(&text.to_lowercase()));
            if !c.params.iter().any(|(n, _)| *n == ":ents") {
                c.bind(":ents", self.filter_enterprises(text)?);
            }
        }
        c.bind(":now", f.now.as_second());
        c.bind(":op", f.operator.to_string());
        c.bind(":frac", NEARLY_DUE_FRACTION);
        Ok(())
    }

    /// The open queue under `f`: an enterprise as lookup finds it, a declaration-number
    /// prefix, a kind or status code, an operator; and the narrowing.
    fn queue_conditions(&self, f: &ListFilter<'_>) -> Result<Conditions> {
        let mut c = Conditions::default();
        c.and("w.status <> 'done'");
        let text = f.text.trim();
        if !text.is_empty() {
            // The items of the enterprises lookup finds, of a declaration number starting so,
            // of a kind whose code starts so, of that status, or taken by that operator: each
            // part read from its own index, only the parts the text can reach, and the ids
            // gathered (one OR over the rows read every open item on every keystroke: seconds
            // on 840,000).
            let open = "SELECT id FROM work_items WHERE status <> 'done' AND";
            let part = |c: &mut Conditions, test: String| {
                c.text_ids.push(format!("{open} {test}"));
                c.text_row.push(test);
            };
            let ents = self.filter_enterprises(text)?;
            if ents != "[]" {
                let values = self.conn().json_values(":ents", true);
                part(&mut c, format!("enterprise_id IN ({values})"));
                c.bind(":ents", ents);
            }
            // Declaration numbers are digits: a start of one is a range of their index (`:`
            // follows `9`).
            if text.bytes().all(|b| b.is_ascii_digit()) {
                part(
                    &mut c,
                    "declaration_no >= :decl AND declaration_no < :decl_end".into(),
                );
                c.bind(":decl", text.to_string());
                c.bind(":decl_end", format!("{text}:"));
            }
            let lower = text.to_lowercase();
            let kinds: Vec<&str> = WorkKind::ALL
                .iter()
                .map(|k| k.code())
                .filter(|k| k.starts_with(&lower))
                .collect();
            if !kinds.is_empty() {
                // From the kinds' index (schema 24): PostgreSQL scanned the table for the first
                // 8,000 declarations when the kinds were a set to join (1,731 pages against 43).
                part(&mut c, self.conn().in_list("kind", ":kinds", false));
                c.bind(":kinds", serde_json::to_string(&kinds)?);
            }
            if let Some(status) = WorkStatus::ALL.iter().find(|s| s.code() == lower) {
                part(&mut c, "status = :status".into());
                c.bind(":status", status.code().to_string());
            }
            // Only when an open item is taken by that name: the queue's index does not carry
            // the operator, and testing it along the queue's order read each item's row.
            if self.taken_by_anyone(text)? {
                part(&mut c, "taken_by = :who".into());
                c.bind(":who", text.to_string());
            }
            if c.text_ids.is_empty() {
                // Nothing the text can reach.
                c.and("1 = 0");
            }
        }
        match f.narrow {
            None => {}
            Some(Narrow::Overdue) => c.and("w.due_at <= :now"),
            // domain::narrow::item_nearly_due
            Some(Narrow::NearlyDue) => c.and(self.conn().pick(
                "w.due_at > :now AND (w.due_at - :now) <= :frac * (w.due_at - w.received_at)",
                "w.due_at > :now AND extract(epoch from w.due_at - :now)::float8
                     <= :frac::float8 * extract(epoch from w.due_at - w.received_at)::float8",
            )),
            Some(Narrow::Abnormal) => c.and("w.status = 'abnormal'"),
            Some(Narrow::Mine) => c.and("w.taken_by = :op"),
        }
        self.narrowing(&mut c, f)?;
        Ok(c)
    }

    /// Whether an open item is taken by an operator named `text` (one entry of its index).
    fn taken_by_anyone(&self, text: &str) -> Result<bool> {
        self.filter_memo(
            text,
            |m| &mut m.taken,
            || {
                let found = self
                    .conn()
                    .query_row(
                        "SELECT 1 FROM work_items WHERE taken_by = ?1 AND status <> 'done' LIMIT 1",
                        [text],
                        |r| r.get::<i64>(0),
                    )
                    .optional()?;
                Ok(found.is_some())
            },
        )
    }

    /// How far a typed filter's matches are counted to choose its plan: PostgreSQL walks the
    /// queue's index alone whenever it walks (the index carries what the filter tests), so
    /// from `MANY` on one way serves.
    fn plan_cap(&self) -> i64 {
        if self.conn().is_pg() { MANY } else { HUGE }
    }

    /// How `c`'s typed filter (`text`) is best read, and how many matches were counted to
    /// choose (up to `MANY`): SQLite reads many matches in the queue's order from its index,
    /// stopping at the window, and a few by their ids (left to itself it sorted thousands, or
    /// gathered 258,000 ids for a window of 41).
    fn queue_plan(&self, text: &str, c: &Conditions) -> Result<(Plan, i64)> {
        if c.text_ids.is_empty() {
            // A narrowing alone: the planner chooses.
            return Ok((Plan::ById, 0));
        }
        // The parts depend on the text alone (and the data).
        self.filter_memo(
            text,
            |m| &mut m.plan,
            || {
                let (sql, params) = c.bound(&format!(
                    "SELECT count(*) FROM (SELECT 1 FROM ({}) ids LIMIT {}) n",
                    c.text_ids.join(" UNION ALL "),
                    self.plan_cap()
                ));
                let reached: i64 = self.conn().query_row(&sql, params, |r| r.get(0))?;
                let plan = match reached {
                    n if n < FEW => Plan::ById,
                    n if n < MANY => Plan::Member,
                    n if n < HUGE => Plan::Gathered,
                    _ => Plan::InOrder,
                };
                Ok((plan, reached))
            },
        )
    }

    /// How the server reads `plan`: PostgreSQL tests each entry of the queue's index walked
    /// from the index alone, where looking ids up among the matches had it read each match's
    /// row before ordering them (1,622 rows and 13-77 ms for a typed `s`; walked, 9,208
    /// entries and 2-5 ms).
    fn walk(&self, plan: Plan) -> Plan {
        match plan {
            Plan::Member if self.conn().is_pg() => Plan::InOrder,
            plan => plan,
        }
    }

    /// The ids of one window of the open queue under `c`, in the queue's order.
    fn queue_ids_sql(&self, c: &Conditions, plan: Plan, limit: usize) -> String {
        let items = match (self.dialect(), plan) {
            (super::Dialect::Sqlite, Plan::InOrder | Plan::Member | Plan::Gathered) => {
                "work_items w INDEXED BY work_items_queue"
            }
            _ => "work_items w",
        };
        format!(
            "SELECT w.id FROM {items} WHERE {} ORDER BY {} LIMIT {limit} OFFSET :offset",
            c.sql_for(plan),
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG),
        )
    }

    /// One window of the open queue in the domain's order, narrowed by `f`.
    pub fn queue_filtered(
        &self,
        f: &ListFilter<'_>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<QueueRow>> {
        if f.is_empty() {
            return self.queue(limit, offset);
        }
        let c = self.queue_conditions(f)?;
        let (mut plan, reached) = self.queue_plan(f.text.trim(), &c)?;
        // A window the walk would reach only far down the index is read by id (the matches are
        // assumed spread evenly along the queue).
        if plan == Plan::Member
            && (limit + offset) as i64 * self.queue_len()? > reached * reached * ROW_PER_WALKED
        {
            plan = Plan::ById;
        }
        self.queue_window(c, self.walk(plan), limit, offset)
    }

    /// A window read by `plan`: the same columns and order as the unfiltered queue; the
    /// window's ids are ordered first and only its rows joined to their enterprises.
    fn queue_window(
        &self,
        mut c: Conditions,
        plan: Plan,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<QueueRow>> {
        // Its one clause is the open items' (a narrowing adds one).
        if plan == Plan::Gathered && !self.conn().is_pg() && c.clauses.len() == 1 {
            return self.queue_window_gathered(&c, limit, offset);
        }
        c.window(offset);
        let (sql, params) = c.bound(&format!(
            "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE w.id IN ({}) ORDER BY {}",
            self.queue_ids_sql(&c, plan, limit),
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG),
        ));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params, row_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// A window of `c`'s typed filter alone (no narrowing) by `Plan::Gathered`.
    fn queue_window_gathered(
        &self,
        c: &Conditions,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<QueueRow>> {
        let matching: std::collections::HashSet<i64> = self
            .ids_of(c, &c.text_ids.join(" UNION ALL "))?
            .into_iter()
            .collect();
        let mut window = Vec::with_capacity(limit);
        let mut passed = 0;
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT w.id FROM work_items w INDEXED BY work_items_queue
             WHERE w.status <> 'done' ORDER BY {QUEUE_ORDER}"
        ))?;
        let mut rows = stmt.query(())?;
        while window.len() < limit
            && passed < matching.len()
            && let Some(r) = rows.next()?
        {
            let id: i64 = r.get(0)?;
            if matching.contains(&id) {
                if passed >= offset {
                    window.push(id);
                }
                passed += 1;
            }
        }
        self.queue_rows(&window)
    }

    /// The open items a typed filter leaves, in the queue's order, when they are few (fewer
    /// than `FEW`: read by id and sorted once, so the console serves its windows, the
    /// cursor's place and the count from them while the filter and the data stay as they
    /// are); None when it leaves more (or nothing is typed): those are read a window at a
    /// time.
    pub fn queue_filtered_ids(&self, f: &ListFilter<'_>) -> Result<Option<Vec<i64>>> {
        if f.text.trim().is_empty() {
            return Ok(None);
        }
        let c = self.queue_conditions(f)?;
        if self.queue_plan(f.text.trim(), &c)?.0 != Plan::ById {
            return Ok(None);
        }
        let sql = format!(
            "SELECT w.id FROM work_items w WHERE {} ORDER BY {}",
            c.sql_for(Plan::ById),
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG),
        );
        Ok(Some(self.ids_of(&c, &sql)?))
    }

    /// The open items among `ids` (a window of `queue_filtered_ids`), in the queue's order.
    pub fn queue_rows(&self, ids: &[i64]) -> Result<Vec<QueueRow>> {
        let sql = format!(
            "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE {} AND w.status <> 'done' ORDER BY {}",
            self.conn().in_list("w.id", "?1", true),
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG),
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([serde_json::to_string(ids)?], row_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// How many open items `f` leaves, all of them (an export writes each).
    pub fn queue_filtered_len(&self, f: &ListFilter<'_>) -> Result<i64> {
        self.queue_count(f, false)
    }

    /// How many open items `f` leaves, counted up to `COUNT_CAP` (what the console shows
    /// while the operator types: a typed `2` starts 258,000 declaration numbers).
    /// Without a typed filter every item is counted (the queue's total is kept by triggers).
    pub fn queue_filtered_count(&self, f: &ListFilter<'_>) -> Result<Count> {
        let n = self.queue_count(f, true)?;
        Ok(if f.text.trim().is_empty() {
            Count {
                n: n.max(0) as usize,
                more: false,
            }
        } else {
            Count::capped(n)
        })
    }

    /// How many open items `f` leaves: all of them, or with `capped` and a typed filter as far
    /// as one past `COUNT_CAP`.
    fn queue_count(&self, f: &ListFilter<'_>, capped: bool) -> Result<i64> {
        if f.is_empty() {
            return self.queue_len();
        }
        let c = self.queue_conditions(f)?;
        if capped && f.narrow.is_none() && c.text_ids.len() == 1 {
            // One part's ids are each an item once: the matches counted to choose the plan
            // are the count, when they are all of them or past the cap.
            let (_, reached) = self.queue_plan(f.text.trim(), &c)?;
            let cap = COUNT_CAP as i64 + 1;
            if reached < self.plan_cap() || reached >= cap {
                return Ok(reached.min(cap));
            }
        }
        // Constant limits: SQLite prepares a statement again on every run when a LIMIT is
        // bound.
        let limit = if capped && !f.text.trim().is_empty() {
            format!(" LIMIT {}", COUNT_CAP + 1)
        } else {
            String::new()
        };
        let sql = if f.narrow.is_none() && !c.text_ids.is_empty() {
            // The typed filter alone is counted from the ids its parts reach; capped, each
            // part's up to one more than the cap: a part that has more says "more" by itself,
            // otherwise the union of the parts is the exact count.
            let parts: Vec<String> = c
                .text_ids
                .iter()
                .map(|p| format!("SELECT id FROM ({p}{limit}) p"))
                .collect();
            format!("SELECT count(*) FROM ({}) ids", parts.join(" UNION "))
        } else {
            let plan = if limit.is_empty() {
                Plan::ById
            } else {
                self.queue_plan(f.text.trim(), &c)?.0
            };
            format!(
                "SELECT count(*) FROM (SELECT 1 FROM work_items w WHERE {}{limit}) n",
                c.sql_for(plan)
            )
        };
        let (sql, params) = c.bound(&sql);
        self.conn().query_row(&sql, params, |r| r.get(0))
    }

    /// Where item `id` stands in the open queue under `f`, so the cursor can follow the record
    /// when the order changes; None when the filter or the state no longer shows it.
    pub fn queue_position(&self, f: &ListFilter<'_>, id: i64) -> Result<Option<usize>> {
        let mut conditions = self.queue_conditions(f)?;
        // A new filter usually leaves the record out: one row says so.
        conditions.bind(":id", id);
        let (sql, params) = conditions.bound(&format!(
            "SELECT 1 FROM work_items w WHERE w.id = :id AND {}",
            conditions.sql_for(Plan::InOrder)
        ));
        if self
            .conn()
            .query_row(&sql, params, |r| r.get::<i64>(0))
            .optional()?
            .is_none()
        {
            return Ok(None);
        }
        // The ids in the queue's order, the first hundred, thousand and then up to
        // POSITION_CAP, until this one: numbering the whole open queue took seconds on 840,000
        // items wherever the record stood, and a server reads every id its statement asks for
        // (a walk to the thousandth of 600 matches is a walk of the whole queue: 5-8 ms). Beyond
        // the cap the record is not followed (the cursor keeps its place).
        let plan = self.walk(self.queue_plan(f.text.trim(), &conditions)?.0);
        for (offset, limit) in [(0, 100), (100, 900), (1000, POSITION_CAP - 1000)] {
            let mut c = conditions.clone();
            c.window(offset);
            let (sql, params) = c.bound(&self.queue_ids_sql(&c, plan, limit));
            let mut stmt = self.conn().prepare_cached(&sql)?;
            for (i, row) in stmt.query_map(params, |r| r.get::<i64>(0))?.enumerate() {
                if row? == id {
                    return Ok(Some(offset + i));
                }
            }
        }
        Ok(None)
    }

    /// The open approvals a typed filter alone (no narrowing) leaves, in the pane's order,
    /// when they are at most `APPROVALS_HELD`; kept while the text and the data stay the same.
    fn approvals_held(&self, f: &ListFilter<'_>) -> Result<Option<Vec<i64>>> {
        let text = f.text.trim();
        if f.narrow.is_some() || text.is_empty() {
            return Ok(None);
        }
        self.filter_memo(
            text,
            |m| &mut m.approvals,
            || {
                let mut c = self.approval_conditions(f)?;
                c.window(0);
                let sql = if self.conn().is_pg()
                    && text.len() >= 3
                    && text.chars().all(|ch| ch.is_ascii_alphanumeric())
                {
                    // The approvals a text of three letters or digits or more names, read from
                    // indexes (those of its enterprises, the references holding its trigrams:
                    // schema 23) with what orders them, then ordered: each approval read once.
                    // Testing every open approval took 4-5 ms a keystroke on the server (and
                    // joining the named ones back to the table, 3 ms); reading them in order
                    // is still how a text naming more is read (the window, the count).
                    let mut named = String::from(
                        "SELECT id, due_at, reference FROM approvals WHERE decided_at IS NULL
                           AND enterprise_id IN (SELECT value::bigint FROM jsonb_array_elements_text(:ents::jsonb))
                         UNION SELECT id, due_at, reference FROM approvals WHERE decided_at IS NULL
                           AND reference ILIKE '%' || :text::text || '%' ESCAPE '\\'",
                    );
                    if !approval_kinds_named(text).is_empty() {
                        named.push_str(
                            " UNION SELECT id, due_at, reference FROM approvals WHERE decided_at IS NULL
                               AND kind IN (SELECT jsonb_array_elements_text(:kinds::jsonb))",
                        );
                    }
                    format!(
                        "SELECT a.id FROM ({named}) a ORDER BY {OPEN_APPROVAL_ORDER_PG} LIMIT {}",
                        APPROVALS_HELD + 1
                    )
                } else {
                    self.open_approval_ids_sql(&c, APPROVALS_HELD + 1)
                };
                let ids = self.ids_of(&c, &sql)?;
                Ok((ids.len() <= APPROVALS_HELD).then_some(ids))
            },
        )
    }

    /// The statement reading the ids of `limit` open approvals under `c` from `:offset` (see
    /// [`Conditions::window`]), in the pane's order, from the open approvals' index.
    fn open_approval_ids_sql(&self, c: &Conditions, limit: usize) -> String {
        format!(
            "SELECT a.id FROM {} WHERE {} ORDER BY {} LIMIT {limit} OFFSET :offset",
            self.open_approvals(),
            c.sql(),
            self.conn()
                .pick(OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG)
        )
    }

    /// The open approvals among `ids`, in the pane's order, with their pauses.
    fn approvals_by_id(&self, ids: &[i64]) -> Result<Vec<ApprovalRow>> {
        let sql = format!(
            "{APPROVAL_SELECT} WHERE {} AND a.decided_at IS NULL ORDER BY {}",
            self.conn().in_list("a.id", "?1", true),
            self.conn()
                .pick(OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG)
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt
            .query_map([serde_json::to_string(ids)?], approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    /// The open approvals under `f`: an enterprise as lookup finds it, a part of the reference,
    /// a kind (code or name); and the narrowing.
    fn approval_conditions(&self, f: &ListFilter<'_>) -> Result<Conditions> {
        let mut c = Conditions::default();
        c.and("a.decided_at IS NULL");
        let text = f.text.trim();
        if !text.is_empty() {
            c.and(self.conn().pick(
                "a.enterprise_id IN (SELECT value FROM json_each(:ents))
                 OR a.reference LIKE '%' || :text || '%' ESCAPE '\\'
                 OR a.kind IN (SELECT value FROM json_each(:kinds))",
                "a.enterprise_id IN (SELECT value::bigint FROM jsonb_array_elements_text(:ents::jsonb))
                 OR a.reference ILIKE '%' || :text::text || '%' ESCAPE '\\'
                 OR a.kind IN (SELECT jsonb_array_elements_text(:kinds::jsonb))",
            ));
            let kinds: Vec<&str> = approval_kinds_named(text)
                .iter()
                .map(|k| k.code())
                .collect();
            c.bind(":kinds", serde_json::to_string(&kinds)?);
        }
        match f.narrow {
            None => {}
            Some(Narrow::Overdue) => c.and("a.due_at <= :now"),
            Some(Narrow::NearlyDue) => c.and("a.warn_at <= :now AND a.due_at > :now"),
            Some(Narrow::Abnormal) => c.and(
                "EXISTS (SELECT 1 FROM approval_pauses p
                         WHERE p.approval_id = a.id AND p.ended_at IS NULL)",
            ),
            Some(Narrow::Mine) => c.and(
                "a.id IN (SELECT p.approval_id FROM approval_pauses p JOIN audit_log l
                          ON l.entity = 'approval_pauses' AND l.entity_id = p.id
                          WHERE l.operator = :op)",
            ),
        }
        self.narrowing(&mut c, f)?;
        Ok(c)
    }

    /// One window of the open approvals under `f`, in the one approval order.
    pub fn approvals_filtered(
        &self,
        f: &ListFilter<'_>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<ApprovalRow>> {
        if let Some(ids) = self.approvals_held(f)? {
            let end = (offset + limit).min(ids.len());
            return self.approvals_by_id(ids.get(offset..end).unwrap_or_default());
        }
        self.approvals_read_in_order(f, limit, offset)
    }

    /// One window of the open approvals under `f`, read along the pane's order.
    fn approvals_read_in_order(
        &self,
        f: &ListFilter<'_>,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<ApprovalRow>> {
        let mut c = self.approval_conditions(f)?;
        c.window(offset);
        if offset >= DEEP_WINDOW {
            // The window's ids from the open approvals' index, then its rows: read whole, every
            // approval skipped was joined to its enterprise (the cursor's record 4,347 down
            // after a filter was cleared: 27 ms, 265 ms with the pages not yet read).
            let ids = self.ids_of(&c, &self.open_approval_ids_sql(&c, limit))?;
            return self.approvals_by_id(&ids);
        }
        let (sql, params) = c.bound(&format!(
            "{} WHERE {} ORDER BY {} LIMIT {limit} OFFSET :offset",
            self.open_approval_select(),
            c.sql(),
            self.conn()
                .pick(OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG)
        ));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt
            .query_map(params, approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    /// How many open approvals `f` leaves, as the pane says it: a typed text that names more
    /// than are held is said to name more (`2000+`), not counted (a count tests every open
    /// approval again: 4-5 ms a keystroke on PostgreSQL for 15,337 of them).
    pub fn approvals_filtered_count(&self, f: &ListFilter<'_>) -> Result<Count> {
        if let Some(ids) = self.approvals_held(f)? {
            return Ok(Count {
                n: ids.len(),
                more: false,
            });
        }
        if f.narrow.is_none() && !f.text.trim().is_empty() {
            return Ok(Count {
                n: APPROVALS_HELD,
                more: true,
            });
        }
        Ok(Count {
            n: self.approvals_filtered_len(f)?,
            more: false,
        })
    }

    /// How many open approvals `f` leaves, all of them counted.
    pub fn approvals_filtered_len(&self, f: &ListFilter<'_>) -> Result<usize> {
        if let Some(ids) = self.approvals_held(f)? {
            return Ok(ids.len());
        }
        let c = self.approval_conditions(f)?;
        // A typed filter alone is tested from the open approvals' index (it carries each one's
        // enterprise, reference and kind), which the planner left for the rows.
        let from = match f.narrow {
            None => self.open_approvals(),
            Some(_) => "approvals a",
        };
        let (sql, params) = c.bound(&format!("SELECT count(*) FROM {from} WHERE {}", c.sql()));
        let n: i64 = self.conn().query_row(&sql, params, |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// Where open approval `id` stands in the approvals order under `f` (None once decided or
    /// filtered out), so the cursor can follow the record when a pause or a resume moves it.
    pub fn approval_position(&self, f: &ListFilter<'_>, id: i64) -> Result<Option<usize>> {
        if let Some(ids) = self.approvals_held(f)? {
            return Ok(ids.iter().position(|i| *i == id));
        }
        let mut c = self.approval_conditions(f)?;
        c.bind(":id", id);
        let (sql, params) = c.bound(&match self.dialect() {
            super::Dialect::Sqlite => format!(
                "SELECT (SELECT count(*) FROM approvals a WHERE {}
                    AND ({OPEN_APPROVAL_ORDER}) < (coalesce(x.due_at, 9223372036854775807), x.reference, x.id))
                 FROM approvals x WHERE x.id = :id
                  AND EXISTS (SELECT 1 FROM approvals a WHERE a.id = x.id AND {})",
                c.sql(),
                c.sql()
            ),
            super::Dialect::Postgres => format!(
                "SELECT (SELECT count(*) FROM approvals a WHERE {}
                    AND (coalesce(a.due_at, 'infinity'), a.reference, a.id)
                      < (coalesce(x.due_at, 'infinity'), x.reference, x.id))
                 FROM approvals x WHERE x.id = :id
                  AND EXISTS (SELECT 1 FROM approvals a WHERE a.id = x.id AND {})",
                c.sql(),
                c.sql()
            ),
        });
        let pos: Option<i64> = self
            .conn()
            .query_row(&sql, params, |r| r.get(0))
            .optional()?;
        Ok(pos.map(|p| p.max(0) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::domain::approval::{PauseReason, Urgency, urgency};
    use crate::domain::measures::MeasureCatalog;
    use crate::domain::narrow::item_nearly_due;
    use crate::domain::queue::WorkStatus;
    use crate::store::Access;

    /// The demo data on each backend.
    fn demos() -> Vec<(crate::store::testing::TestDb, Store, Timestamp)> {
        crate::store::testing::each_backend()
            .into_iter()
            .map(|db| {
                let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
                let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
                crate::demo::fill(
                    &mut store,
                    &Default::default(),
                    now,
                    WorkingCalendar::official(),
                    MeasureCatalog::official(),
                )
                .unwrap();
                (db, store, now)
            })
            .collect()
    }

    fn narrowed(narrow: Narrow, now: Timestamp, operator: &str) -> ListFilter<'_> {
        ListFilter {
            text: "",
            narrow: Some(narrow),
            now,
            operator,
        }
    }

    /// An operator's name finds the items they hold from the moment they take one (whether
    /// anyone holds an item under the name is kept with the filter, and asked again when the
    /// data changes); a text nobody reaches finds nothing.
    #[test]
    fn an_operator_is_found_once_they_take_an_item() {
        for (db, mut store, now) in demos() {
            let f = ListFilter::text("qzx9");
            assert_eq!(store.queue_filtered_len(&f).unwrap(), 0, "{:?}", db.backend);
            assert!(store.queue_filtered(&f, 10, 0).unwrap().is_empty());
            let id = store
                .queue(100_000, 0)
                .unwrap()
                .into_iter()
                .find(|r| r.status == WorkStatus::Waiting)
                .unwrap()
                .id;
            store
                .write(|w| w.set_item_status(id, WorkStatus::InProgress, "qzx9", now))
                .unwrap();
            let got: Vec<i64> = store
                .queue_filtered(&f, 10, 0)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(got, vec![id], "{:?}", db.backend);
            assert_eq!(store.queue_filtered_len(&f).unwrap(), 1);
        }
    }

    /// The queue's typed filter, read part by part from indexes, keeps exactly the open items
    /// of the enterprises lookup finds, of a declaration number starting so, of a kind whose
    /// code starts so, of that status, or taken by that operator; in the queue's order.
    #[test]
    fn the_queue_filter_keeps_each_kind_of_match_in_the_queue_order() {
        for (db, store, _now) in demos() {
            let all = store.queue(100_000, 0).unwrap();
            let decl = all.iter().find_map(|r| r.declaration_no.clone()).unwrap();
            let operator = all.iter().find_map(|r| r.taken_by.clone()).unwrap();
            let name: String = all[0].enterprise.chars().skip(2).take(2).collect();
            for text in [
                &decl[..6],
                &decl,
                "lab",
                "l",
                "abnormal",
                "in_progress",
                &operator,
                &name,
                "zzzq",
            ] {
                let ents = store
                    .matching_enterprise_ids(text, FILTER_ENTERPRISES)
                    .unwrap();
                let lower = text.to_lowercase();
                let want: Vec<i64> = all
                    .iter()
                    .filter(|r| {
                        ents.contains(&r.enterprise_id)
                            || r.declaration_no
                                .as_deref()
                                .is_some_and(|d| d.starts_with(text))
                            || r.kind.code().starts_with(&lower)
                            || r.status.code() == lower
                            || r.taken_by.as_deref() == Some(text)
                    })
                    .map(|r| r.id)
                    .collect();
                let f = ListFilter::text(text);
                assert_eq!(
                    store.queue_filtered_len(&f).unwrap(),
                    want.len() as i64,
                    "{:?} {text}",
                    db.backend
                );
                // Counted as the console shows it (a text of one part reuses the plan's count).
                assert_eq!(
                    store.queue_filtered_count(&f).unwrap(),
                    Count::capped(want.len() as i64),
                    "{:?} {text}",
                    db.backend
                );
                let got: Vec<i64> = store
                    .queue_filtered(&f, want.len().max(1), 0)
                    .unwrap()
                    .iter()
                    .map(|r| r.id)
                    .collect();
                assert_eq!(got, want, "{:?} {text}", db.backend);
                assert!(text == "zzzq" || !want.is_empty(), "{text} finds something");
                // Both plans read the same rows, whichever the size chooses, and a window
                // further down the list too.
                let c = store.queue_conditions(&f).unwrap();
                for plan in [Plan::ById, Plan::Member, Plan::Gathered, Plan::InOrder] {
                    let read = |limit, offset| -> Vec<i64> {
                        store
                            .queue_window(c.clone(), plan, limit, offset)
                            .unwrap()
                            .iter()
                            .map(|r| r.id)
                            .collect()
                    };
                    assert_eq!(read(want.len().max(1), 0), want, "{plan:?} {text}");
                    let deeper: Vec<i64> = want.iter().skip(3).take(5).copied().collect();
                    assert_eq!(read(5, 3), deeper, "{plan:?} {text}");
                }
                // Few matches are read once, in order, and their rows by id.
                match store.queue_filtered_ids(&f).unwrap() {
                    Some(ids) => {
                        assert_eq!(ids, want, "{:?} {text}", db.backend);
                        let rows = store.queue_rows(&ids[ids.len() / 2..]).unwrap();
                        let rows: Vec<i64> = rows.iter().map(|r| r.id).collect();
                        assert_eq!(rows, want[want.len() / 2..], "{text}");
                    }
                    None => assert!(want.len() >= FEW as usize, "{text}: {}", want.len()),
                }
                // The console's count: exact up to the cap, then "more".
                assert_eq!(
                    store.queue_filtered_count(&f).unwrap(),
                    Count::capped(want.len() as i64),
                    "{:?} {text}",
                    db.backend
                );
                // The cursor follows a record the filter keeps and lets go of one it leaves.
                for (i, id) in want.iter().enumerate().step_by(7).take(4) {
                    assert_eq!(store.queue_position(&f, *id).unwrap(), Some(i), "{text}");
                }
                if let Some(out) = all.iter().find(|r| !want.contains(&r.id)) {
                    assert_eq!(store.queue_position(&f, out.id).unwrap(), None, "{text}");
                }
            }
        }
    }

    /// Typed as the console counts it, a filter that matches more than the cap says so
    /// (`50+` in the tests, `1000+` in use), and one within it says its exact count; a
    /// narrowing with it is counted the same way.
    #[test]
    fn the_console_counts_a_filter_up_to_the_cap() {
        for (db, store, now) in demos() {
            let all = store.queue(100_000, 0).unwrap();
            let decl = all.iter().find_map(|r| r.declaration_no.clone()).unwrap();
            let total = store
                .queue_filtered_len(&ListFilter::text(&decl[..1]))
                .unwrap();
            assert!(total > COUNT_CAP as i64, "the demo has many such numbers");
            let many = store
                .queue_filtered_count(&ListFilter::text(&decl[..1]))
                .unwrap();
            assert_eq!(
                many,
                Count {
                    n: COUNT_CAP,
                    more: true
                },
                "{:?}",
                db.backend
            );
            assert_eq!(many.to_string(), format!("{COUNT_CAP}+"));
            let few = store
                .queue_filtered_count(&ListFilter::text(&decl))
                .unwrap();
            assert_eq!(
                few,
                Count {
                    n: store.queue_filtered_len(&ListFilter::text(&decl)).unwrap() as usize,
                    more: false
                }
            );
            assert!(few.n >= 1);
            assert_eq!(few.to_string(), few.n.to_string());
            // With a narrowing: the items both keep, counted up to the cap.
            let both = ListFilter {
                text: &decl[..1],
                ..narrowed(Narrow::NearlyDue, now, "op01")
            };
            let kept = store.queue_filtered_len(&both).unwrap();
            assert_eq!(
                store.queue_filtered_count(&both).unwrap(),
                Count::capped(kept)
            );
            // Without a typed filter the whole queue is counted.
            assert_eq!(
                store.queue_filtered_count(&ListFilter::text("")).unwrap(),
                Count {
                    n: all.len(),
                    more: false
                }
            );
        }
    }

    /// The counts kept by triggers (work_counts) agree with counting the items, after items
    /// are added, taken, finished and marked abnormal.
    #[test]
    fn kept_counts_agree_with_counting_the_items() {
        for (_db, store, now) in demos() {
            kept_counts_agree(store, now);
        }
    }

    fn kept_counts_agree(mut store: Store, now: Timestamp) {
        let counted = |store: &Store| -> (i64, i64) {
            store
                .conn()
                .query_row(
                    "SELECT count(*) FILTER (WHERE status <> 'done'),
                            count(*) FILTER (WHERE status = 'abnormal') FROM work_items",
                    (),
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        let kept = |store: &Store| {
            (
                store.queue_len().unwrap(),
                store.abnormal_item_count().unwrap(),
            )
        };
        let before = kept(&store);
        assert_eq!(before, counted(&store));
        assert!(
            before.0 > 0 && before.1 > 0,
            "the demo has open and abnormal items"
        );
        let waiting: Vec<i64> = store
            .queue(100_000, 0)
            .unwrap()
            .iter()
            .filter(|r| r.status == WorkStatus::Waiting)
            .map(|r| r.id)
            .take(2)
            .collect();
        let later = now + jiff::SignedDuration::from_mins(5);
        store
            .write(|w| {
                w.set_item_status(waiting[0], WorkStatus::InProgress, "op01", later)?;
                w.set_item_status(waiting[0], WorkStatus::Done, "op01", later)?;
                w.set_item_status(waiting[1], WorkStatus::Abnormal, "op01", later)
            })
            .unwrap();
        let after = kept(&store);
        assert_eq!(after, counted(&store));
        assert_eq!(
            after,
            (before.0 - 1, before.1 + 1),
            "one finished, one abnormal"
        );
        store
            .conn()
            .execute("DELETE FROM work_items WHERE id = ?1", [waiting[1]])
            .unwrap();
        assert_eq!(kept(&store), counted(&store));
    }

    /// Each narrowing of the queue keeps exactly the items the domain's words say, in the
    /// queue order, and its count and positions agree with its window.
    #[test]
    fn queue_narrowings_keep_what_the_domain_says() {
        for (_db, store, now) in demos() {
            queue_narrowings(store, now);
        }
    }

    fn queue_narrowings(store: Store, now: Timestamp) {
        let all = store.queue(100_000, 0).unwrap();
        let ids = |v: &[QueueRow]| v.iter().map(|r| r.id).collect::<Vec<_>>();
        for n in Narrow::ALL {
            let f = narrowed(n, now, "op01");
            let want: Vec<i64> = all
                .iter()
                .filter(|r| match n {
                    Narrow::Overdue => r.due_at.is_some_and(|d| d <= now),
                    Narrow::NearlyDue => r
                        .due_at
                        .is_some_and(|d| item_nearly_due(r.received_at, d, now)),
                    Narrow::Abnormal => r.status == WorkStatus::Abnormal,
                    Narrow::Mine => r.taken_by.as_deref() == Some("op01"),
                })
                .map(|r| r.id)
                .collect();
            assert!(!want.is_empty(), "{n:?}: the demo has such items");
            let got = store.queue_filtered(&f, 100_000, 0).unwrap();
            assert_eq!(ids(&got), want, "{n:?}");
            assert_eq!(store.queue_filtered_len(&f).unwrap() as usize, want.len());
            let last = *want.last().unwrap();
            assert_eq!(
                store.queue_position(&f, last).unwrap(),
                Some(want.len() - 1)
            );
        }
        let other = narrowed(Narrow::Mine, now, "nobody");
        assert_eq!(store.queue_filtered_len(&other).unwrap(), 0);
        // A narrowing and a typed filter together: both hold.
        let name = all
            .iter()
            .find(|r| r.due_at.is_some_and(|d| d <= now))
            .unwrap();
        let both = ListFilter {
            text: &name.enterprise,
            ..narrowed(Narrow::Overdue, now, "op01")
        };
        let got = store.queue_filtered(&both, 1000, 0).unwrap();
        assert!(got.iter().any(|r| r.id == name.id));
        assert!(
            got.iter()
                .all(|r| r.enterprise_id == name.enterprise_id && r.due_at.unwrap() <= now)
        );
    }

    /// The approvals filter: enterprise by pinyin initials, a part of the reference, a kind;
    /// the narrowings agree with the countdowns and the pane's counts.
    #[test]
    fn approvals_filter_and_narrowings() {
        for (_db, store, now) in demos() {
            approvals_filter(store, now);
        }
    }

    /// A typed filter that leaves few approvals serves the pane from their ids, held: the
    /// same rows, count and places as reading along the pane's order.
    #[test]
    fn held_approvals_agree_with_reading_them_in_order() {
        for (db, store, _now) in demos() {
            let open = store.approvals(false).unwrap();
            let a = &open[open.len() / 3];
            let ent = store.enterprise(a.enterprise_id).unwrap().unwrap();
            let mut held = 0;
            for text in [
                &a.reference[..],
                &a.reference[2..a.reference.len() - 1],
                &ent.name_zh,
                "预裁定",
                "d",
                "zzzq",
            ] {
                let f = ListFilter::text(text);
                let read = store.approvals_read_in_order(&f, 1000, 0).unwrap();
                let want: Vec<i64> = read.iter().map(|r| r.id).collect();
                let count = store.approvals_filtered_count(&f).unwrap();
                let Some(ids) = store.approvals_held(&f).unwrap() else {
                    assert!(want.len() > APPROVALS_HELD, "{:?} {text}", db.backend);
                    // Said to name more than are held, not counted; export counts them all.
                    let more = Count {
                        n: APPROVALS_HELD,
                        more: true,
                    };
                    assert_eq!(count, more, "{:?} {text}", db.backend);
                    assert_eq!(store.approvals_filtered_len(&f).unwrap(), want.len());
                    continue;
                };
                held += 1;
                assert_eq!(ids, want, "{:?} {text}", db.backend);
                assert_eq!(store.approvals_filtered_len(&f).unwrap(), want.len());
                assert_eq!((count.n, count.more), (want.len(), false));
                let got = store.approvals_filtered(&f, 2, 1).unwrap();
                assert_eq!(
                    got.iter().map(|r| r.id).collect::<Vec<_>>(),
                    want.iter().skip(1).take(2).copied().collect::<Vec<_>>()
                );
                for (i, id) in want.iter().enumerate() {
                    assert_eq!(store.approval_position(&f, *id).unwrap(), Some(i));
                }
            }
            assert!(held >= 2, "{:?}: the held way was taken", db.backend);
        }
    }

    /// Every window of 3 rows of a list, at every offset, is the whole list's rows there.
    fn windows_agree(whole: &[i64], window: impl Fn(usize) -> Vec<i64>, what: &str) {
        assert!(whole.len() > DEEP_WINDOW + 3, "{what}");
        for offset in 0..=whole.len() {
            let want: Vec<i64> = whole.iter().skip(offset).take(3).copied().collect();
            assert_eq!(window(offset), want, "{what} at {offset}");
        }
    }

    #[test]
    fn deep_windows_are_the_rows_of_the_whole_list() {
        for (db, store, now) in demos() {
            let queue_ids = |limit, offset| -> Vec<i64> {
                let rows = store.queue(limit, offset).unwrap();
                rows.iter().map(|r| r.id).collect()
            };
            // The queue, read from its start and (past its middle) from its end.
            let whole = queue_ids(10_000, 0);
            assert!(whole.len() > DEEP_WINDOW * 4, "{:?}", db.backend);
            let what = format!("{:?} queue", db.backend);
            windows_agree(&whole, |offset| queue_ids(3, offset), &what);
            for f in [
                ListFilter::text(""),
                ListFilter::text("d"),
                narrowed(Narrow::NearlyDue, now, "op01"),
            ] {
                let approval_ids = |limit, offset| -> Vec<i64> {
                    let rows = store.approvals_read_in_order(&f, limit, offset).unwrap();
                    rows.iter().map(|r| r.id).collect()
                };
                let what = format!("{:?} approvals {:?}", db.backend, f.text);
                windows_agree(
                    &approval_ids(1000, 0),
                    |offset| approval_ids(3, offset),
                    &what,
                );
            }
        }
    }

    fn approvals_filter(mut store: Store, now: Timestamp) {
        let cal = WorkingCalendar::official();
        let cat = MeasureCatalog::official();
        let open = store.approvals(false).unwrap();
        let ids = |v: &[ApprovalRow]| v.iter().map(|r| r.id).collect::<Vec<_>>();
        // Reference: a part of it finds the approval.
        let a = &open[open.len() / 2];
        let part = &a.reference[2..a.reference.len() - 1];
        let got = store
            .approvals_filtered(&ListFilter::text(part), 1000, 0)
            .unwrap();
        assert!(got.iter().any(|r| r.id == a.id), "{part}");
        assert!(got.iter().all(|r| {
            r.reference.contains(part)
                || approval_kinds_named(part).contains(&r.kind)
                || !store
                    .matching_enterprise_ids(part, 1000)
                    .unwrap()
                    .is_empty()
        }));
        // Kind by its Chinese name.
        let rulings = store
            .approvals_filtered(&ListFilter::text("预裁定"), 1000, 0)
            .unwrap();
        let want: Vec<i64> = open
            .iter()
            .filter(|r| r.kind == crate::domain::approval::ApprovalKind::AdvanceRuling)
            .map(|r| r.id)
            .collect();
        assert!(!want.is_empty());
        let mut got = ids(&rulings);
        got.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got, want_sorted);
        // Enterprise by the lookup matcher.
        let ent = store.enterprise(a.enterprise_id).unwrap().unwrap();
        let got = store
            .approvals_filtered(&ListFilter::text(&ent.name_zh), 1000, 0)
            .unwrap();
        assert!(got.iter().any(|r| r.id == a.id), "{}", ent.name_zh);
        // Narrowings agree with the countdowns.
        let summary = store.approvals_summary(now).unwrap();
        let overdue = narrowed(Narrow::Overdue, now, "op01");
        let near = narrowed(Narrow::NearlyDue, now, "op01");
        assert_eq!(
            store.approvals_filtered_len(&overdue).unwrap(),
            summary.overdue
        );
        assert_eq!(
            store.approvals_filtered_len(&near).unwrap(),
            summary.nearly_due
        );
        for r in store.approvals_filtered(&near, 1000, 0).unwrap() {
            assert_eq!(urgency(&r.countdown(cal, cat, now)), Urgency::NearlyDue);
        }
        // Paused and mine: the approval op01 paused.
        let running = open
            .iter()
            .find(|r| r.status() == crate::domain::approval::ApprovalStatus::Running)
            .unwrap();
        store.set_actor(crate::store::Actor {
            operator: "op01".into(),
            clock: crate::calendar::Clock::Frozen(now),
        });
        store
            .write(|w| w.pause_approval(running.id, PauseReason::Testing, now))
            .unwrap();
        let paused = store
            .approvals_filtered(&narrowed(Narrow::Abnormal, now, "op01"), 1000, 0)
            .unwrap();
        assert!(paused.iter().any(|r| r.id == running.id));
        assert!(
            paused
                .iter()
                .all(|r| r.pauses.iter().any(|p| p.ended_at.is_none()))
        );
        let mine = store
            .approvals_filtered(&narrowed(Narrow::Mine, now, "op01"), 1000, 0)
            .unwrap();
        assert_eq!(ids(&mine), vec![running.id]);
        assert_eq!(
            store
                .approvals_filtered_len(&narrowed(Narrow::Mine, now, "op02"))
                .unwrap(),
            0
        );
        assert_eq!(
            store
                .approval_position(&narrowed(Narrow::Mine, now, "op01"), running.id)
                .unwrap(),
            Some(0)
        );
        assert_eq!(
            store
                .approval_position(&narrowed(Narrow::Mine, now, "op02"), running.id)
                .unwrap(),
            None
        );
    }
}
