//! What the desk and one operator must act on now (the Today view): urgent approvals, today's
//! and tomorrow's inspections, abnormal work, open callbacks, open problems, the operator's own
//! items; and the counts the pane tabs carry.

use super::Store;
use super::db::Params;
use super::inspection::{UNNAMED_BOOKING_COLUMNS, booking_from};
use super::queue::{QUEUE_COLUMNS, QUEUE_FROM, QUEUE_ORDER, QUEUE_ORDER_PG, row_from};
use super::{ApprovalRow, BookingRow, CallFilter, CallRow, ProblemRow, QueueRow};
use crate::calendar::shanghai_date;
use crate::domain::inspection::DayClearance;
use crate::domain::problem::Lateness;
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// An operator holding this many open items has them read in the queue's order.
const HELD_MANY: i64 = 2000;

/// How far back abnormal inspections still ask for handling.
const ABNORMAL_BOOKING_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize)]
pub struct TodayDay {
    pub date: Date,
    pub clearance: DayClearance,
    pub cleared: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TodayData {
    pub operator: String,
    pub approvals: Vec<ApprovalRow>,
    pub days: Vec<TodayDay>,
    pub abnormal_items: Vec<QueueRow>,
    pub abnormal_bookings: Vec<BookingRow>,
    pub callbacks: Vec<CallRow>,
    /// Open problems past a target, oldest first.
    pub problems: Vec<ProblemRow>,
    /// How many open problems are past a target (`problems` holds the first `limit`).
    pub late_problems: i64,
    pub taken: Vec<QueueRow>,
    /// How many each section holds, up to the limit: more than its rows when the lines ran
    /// out before it (see `Store::today_lines`).
    pub counts: TodayCounts,
}

/// How many entries each of Today's sections holds, each counted up to the limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TodayCounts {
    pub approvals: usize,
    pub callbacks: usize,
    pub abnormal_items: usize,
    pub abnormal_bookings: usize,
    pub taken: usize,
}

/// The lines of Today left to fill: each section takes its heading and extra lines first, then
/// as many rows as are left.
struct Lines(usize);

impl Lines {
    fn take(&mut self, extra: usize, rows: usize) -> usize {
        self.0 = self.0.saturating_sub(extra);
        let n = rows.min(self.0);
        self.0 -= n;
        n
    }
}

impl Store {
    /// Everything the Today view lists, each list cut at `limit`.
    pub fn today(
        &self,
        now: Timestamp,
        operator: &str,
        limit: usize,
        late: &Lateness<'_>,
    ) -> Result<TodayData> {
        self.today_lines(now, operator, limit, limit, usize::MAX, late)
    }

    /// What a screen of Today shows: each section counted up to `limit`, and its rows read,
    /// in the order shown, only while `lines` lines are left (a heading each, the first
    /// `approvals_shown` approvals and a line for the rest, the two days). The sections below
    /// read only their counts, from indexes (at 160x48 Today read 150 rows, each with its
    /// enterprise: 100-150 ms when the file's pages were not in memory).
    pub fn today_lines(
        &self,
        now: Timestamp,
        operator: &str,
        limit: usize,
        approvals_shown: usize,
        lines: usize,
        late: &Lateness<'_>,
    ) -> Result<TodayData> {
        let mut left = Lines(lines);
        let today = shanghai_date(now);
        // Read from the open approvals' index alone (it holds the warning time).
        let approvals_n = self.count_upto(
            self.conn().pick(
                "SELECT 1 FROM approvals a INDEXED BY approvals_open_due
                 WHERE a.decided_at IS NULL AND a.warn_at <= ?1",
                "SELECT 1 FROM approvals a WHERE a.decided_at IS NULL AND a.warn_at <= ?1::timestamptz",
            ),
            [now.as_second()],
            limit,
        )?;
        let shown = approvals_n.min(approvals_shown);
        let n = left.take(1 + usize::from(approvals_n > shown), shown);
        let approvals = if n > 0 {
            self.approvals_urgent(now, n)?
        } else {
            Vec::new()
        };
        let callbacks_n = self.count_upto(
            "SELECT 1 FROM calls k WHERE k.callback_by IS NOT NULL AND k.callback_done_at IS NULL",
            (),
            limit,
        )?;
        let n = left.take(1, callbacks_n);
        let callbacks = if n > 0 {
            self.calls(&CallFilter {
                callbacks_open: true,
                limit: n,
                ..Default::default()
            })?
        } else {
            Vec::new()
        };
        // The count of late problems is the index's whole work; the rows only those shown.
        let n = left.take(1, limit);
        let (late_problems, problems) = self.late_problems(late, n)?;
        // Rows read up to `limit` were more than the lines left: give the lines back.
        left.0 += n - problems.len();
        let mut days = Vec::new();
        for d in [Some(today), today.tomorrow().ok()].into_iter().flatten() {
            let clearance = self.day_clearance(d)?;
            days.push(TodayDay {
                date: d,
                cleared: clearance.cleared(),
                clearance,
            });
        }
        left.take(1 + days.len(), 0);
        // Kept by triggers: no count over the items.
        let items_n = (self.abnormal_item_count()?.max(0) as usize).min(limit);
        let n = left.take(1, items_n);
        let abnormal_items = if n > 0 {
            // `status <> 'done'` lets the queue's own index serve the order.
            let mut stmt = self.conn().prepare_cached(&format!(
                "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE w.status = 'abnormal' AND w.status <> 'done'
                 ORDER BY {} LIMIT {limit}",
                self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG)
            ))?;
            stmt.query_map((), row_from)?
                .take(n)
                .collect::<anyhow::Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let since = today
            .checked_sub(jiff::Span::new().days(ABNORMAL_BOOKING_DAYS))
            .unwrap_or(today);
        // Each slot from `since` on, then its abnormal bookings, from the two indexes (SQLite
        // read every booking's index entry and slot).
        let slots_then_bookings = self.conn().pick(
            "inspection_slots s CROSS JOIN bookings b ON b.slot_id = s.id",
            "inspection_slots s JOIN bookings b ON b.slot_id = s.id",
        );
        let bookings_n = self.count_upto(
            &format!(
                "SELECT 1 FROM {slots_then_bookings} WHERE b.status = 'abnormal' AND s.date >= ?1"
            ),
            [since.to_string()],
            limit,
        )?;
        let n = left.take(0, bookings_n);
        let abnormal_bookings = if n > 0 {
            // The rows kept read whole (with their enterprises) after the order.
            let mut stmt = self.conn().prepare_cached(&format!(
                "{UNNAMED_BOOKING_COLUMNS} FROM {slots_then_bookings}
                 WHERE b.status = 'abnormal' AND s.date >= ?1
                 ORDER BY s.date, s.start_time, b.id LIMIT {limit}"
            ))?;
            let mut rows = stmt
                .query_map([since.to_string()], booking_from)?
                .take(n)
                .collect::<anyhow::Result<Vec<_>>>()?;
            self.read_bookings(&mut rows.iter_mut().collect::<Vec<_>>())?;
            rows
        } else {
            Vec::new()
        };
        // Under its heading.
        let n = left.0.saturating_sub(1).min(limit);
        let (held, taken) = self.taken_items(operator, n, HELD_MANY)?;
        let taken_n = (held.max(0) as usize).min(limit);
        Ok(TodayData {
            operator: operator.to_string(),
            approvals,
            days,
            abnormal_items,
            abnormal_bookings,
            callbacks,
            problems,
            late_problems,
            taken,
            counts: TodayCounts {
                approvals: approvals_n,
                callbacks: callbacks_n,
                abnormal_items: items_n,
                abnormal_bookings: bookings_n,
                taken: taken_n,
            },
        })
    }

    /// How many rows `select` gives, counted up to `limit`.
    fn count_upto(&self, select: &str, params: impl Params, limit: usize) -> Result<usize> {
        let n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM ({select} LIMIT {limit}) n"),
            params,
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// The first `limit` open items `operator` holds, in the queue's order. One holding `many`
    /// or more has them read in that order from the queue's index, stopping at the limit
    /// (SQLite took the operator's index and sorted them all: 0.4 s for 20,000); fewer are
    /// read by the operator's index and sorted.
    /// Also how many the operator holds, counted up to `many`.
    fn taken_items(&self, operator: &str, limit: usize, many: i64) -> Result<(i64, Vec<QueueRow>)> {
        let held: i64 = self.conn().query_row(
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM work_items
                  WHERE taken_by = ?1 AND status <> 'done' LIMIT {many}) n"
            ),
            [operator],
            |r| r.get(0),
        )?;
        if limit == 0 || held == 0 {
            return Ok((held, Vec::new()));
        }
        let from = if held >= many {
            self.conn().pick(
                "FROM work_items w INDEXED BY work_items_queue JOIN enterprises e ON e.id = w.enterprise_id",
                QUEUE_FROM,
            )
        } else {
            QUEUE_FROM
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "{QUEUE_COLUMNS} {from} WHERE w.taken_by = ?1 AND w.status <> 'done'
             ORDER BY {} LIMIT {limit}",
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG)
        ))?;
        let rows = stmt.query_map([operator], row_from)?;
        Ok((held, rows.collect::<anyhow::Result<Vec<_>>>()?))
    }

    /// Queue items marked abnormal (measure 7: handled at once).
    pub fn abnormal_item_count(&self) -> Result<i64> {
        // Kept by triggers (work_counts): no count over the items.
        // PostgreSQL's sum of bigints is a numeric: cast back.
        self.conn().query_row(
            self.conn().pick(
                "SELECT coalesce(sum(n), 0) FROM work_counts WHERE status = 'abnormal'",
                "SELECT coalesce(sum(n), 0)::bigint FROM work_counts WHERE status = 'abnormal'",
            ),
            (),
            |r| r.get(0),
        )
    }

    /// How many approvals are undecided, from the open approvals' index alone.
    pub fn open_approval_count(&self) -> Result<i64> {
        self.conn().query_row(
            "SELECT count(*) FROM approvals WHERE decided_at IS NULL",
            (),
            |r| r.get(0),
        )
    }

    /// Promised callbacks not yet made: (overdue at `now`, due within the hour).
    pub fn callback_counts(&self, now: Timestamp) -> Result<(i64, i64)> {
        let t = now.as_second();
        // In PostgreSQL `callback_by` is a timestamptz: the hour is an interval, and the
        // rows that pass each filter are counted (there is no sum of a boolean).
        let (late, soon): (Option<i64>, Option<i64>) = self.conn().query_row(
            self.conn().pick(
                "SELECT sum(callback_by <= ?1), sum(callback_by > ?1 AND callback_by <= ?1 + 3600)
             FROM calls WHERE callback_by IS NOT NULL AND callback_done_at IS NULL",
                "SELECT count(*) FILTER (WHERE callback_by <= ?1::timestamptz),
                    count(*) FILTER (WHERE callback_by > ?1::timestamptz
                                       AND callback_by <= ?1::timestamptz + interval '1 hour')
             FROM calls WHERE callback_by IS NOT NULL AND callback_done_at IS NULL",
            ),
            [t],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((late.unwrap_or(0), soon.unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::WorkingCalendar;
    use crate::domain::measures::MeasureCatalog;
    use crate::domain::problem::ProblemTargets;
    use crate::store::testing::each_backend;
    use crate::store::{Access, ProblemFilter, SlotRow};
    use serde_json::{Value, json};

    /// Drops the fields a demo stamps with the real clock (a 第42条 extension's instant).
    fn without_real_clock(mut v: Value) -> Value {
        match &mut v {
            Value::Object(m) => {
                m.remove("extended_at");
                for x in m.values_mut() {
                    *x = without_real_clock(x.take());
                }
            }
            Value::Array(a) => {
                for x in a.iter_mut() {
                    *x = without_real_clock(x.take());
                }
            }
            _ => {}
        }
        v
    }

    /// What the readers of approvals, inspections, Today and the hotline answer on one demo.
    fn answers(store: &Store, now: Timestamp) -> Value {
        let today = shanghai_date(now);
        let slots: Vec<SlotRow> = store
            .slots_between(today, today.tomorrow().unwrap())
            .unwrap();
        let slot = slots.iter().find(|s| s.taken > 0).unwrap().id;
        let enterprise = store.bookings_of_slot(slot).unwrap()[0].enterprise_id;
        let problem = store.problems(&ProblemFilter::default()).unwrap()[0]
            .problem
            .id;
        let coordinator = store.all_coordinators().unwrap()[0].0.phone.clone();
        let calls = |f: CallFilter| store.calls(&f).unwrap();
        let v = json!({
            "today": store
                .today(now, "op01", 20, &Lateness::new(WorkingCalendar::official(), Default::default(), now))
                .unwrap(),
            "abnormal_items": store.abnormal_item_count().unwrap(),
            "callback_counts": store.callback_counts(now).unwrap(),
            "approvals": store.approvals(true).unwrap(),
            "approvals_window": store.approvals_window(10, 5).unwrap(),
            "approvals_urgent": store.approvals_urgent(now, 50).unwrap(),
            "approvals_summary": format!("{:?}", store.approvals_summary(now).unwrap()),
            "approvals_of": store.approvals_of(enterprise).unwrap(),
            "slots": slots,
            "bookings_of_slot": store.bookings_of_slot(slot).unwrap(),
            "bookings_on": store.bookings_on(today).unwrap().into_iter().collect::<std::collections::BTreeMap<_, _>>(),
            "bookings_of": store.bookings_of(enterprise, today).unwrap(),
            "day_clearance": format!("{:?}", store.day_clearance(today).unwrap()),
            "calls": calls(CallFilter { limit: 0, ..Default::default() }),
            "calls_open": calls(CallFilter { callbacks_open: true, limit: 5, ..Default::default() }),
            "calls_since": calls(CallFilter {
                enterprise_id: Some(enterprise),
                since: Some(now - jiff::SignedDuration::from_hours(24 * 30)),
                limit: 10,
                ..Default::default()
            }),
            "problems_open": store.problems(&ProblemFilter { open_only: true, ..Default::default() }).unwrap(),
            "problems_not_closed": store.problems(&ProblemFilter { not_closed: true, ..Default::default() }).unwrap(),
            "problems_of": store.problems_of(enterprise).unwrap(),
            "problem": store.problem(problem).unwrap(),
            "problem_notes": store.problem_notes(problem).unwrap(),
            "coordinators_of": store.coordinators_of(enterprise).unwrap(),
            "all_coordinators": store.all_coordinators().unwrap(),
            "resolve_coordinator": store.resolve_coordinator(&coordinator).unwrap(),
            "hotline_person": store.hotline_person(enterprise).unwrap(),
            "verifications": store.verifications(None, None).unwrap(),
            "verifications_2026": store.verifications(None, Some(2026)).unwrap(),
            "verifications_of": store.verifications(Some(enterprise), None).unwrap(),
            "plans_of": store.verification_plans_of(enterprise).unwrap(),
            "exports": [
                store.export_calls().unwrap().len(),
                store.export_problems().unwrap().len(),
                store.export_verifications().unwrap().len(),
                store.export_coordinator_links().unwrap().len(),
                store.export_hotline_persons().unwrap().len(),
            ],
        });
        without_real_clock(v)
    }

    /// The demo filled at `now` on each backend (the test database kept alive beside it).
    fn demo_on_each_backend(now: Timestamp) -> Vec<(crate::store::testing::TestDb, Store)> {
        each_backend()
            .into_iter()
            .map(|db| {
                let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
                let (cal, cat) = (WorkingCalendar::official(), MeasureCatalog::official());
                crate::demo::fill(&mut store, &Default::default(), now, cal, cat).unwrap();
                (db, store)
            })
            .collect()
    }

    #[test]
    fn late_problems_read_by_the_cuts_are_the_ones_each_clock_calls_late() {
        let filled: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        let cal = WorkingCalendar::official();
        for (db, store) in demo_on_each_backend(filled) {
            let open = store
                .problems(&ProblemFilter {
                    open_only: true,
                    ..Default::default()
                })
                .unwrap();
            assert!(open.iter().any(|r| r.problem.first_reply_at.is_some()));
            let mut seen_late = 0;
            // Before the demo's problems are due, as they fall due, and long after.
            for hours in [-72, 0, 20, 30, 50, 100, 24 * 8, 24 * 40] {
                let now = filled + jiff::SignedDuration::from_hours(hours);
                for targets in [
                    ProblemTargets::default(),
                    ProblemTargets {
                        first_reply_days: 2,
                        resolution_days: 1,
                    },
                    // More opening days than the server judges: the earliest judged here.
                    ProblemTargets {
                        first_reply_days: 1,
                        resolution_days: 30,
                    },
                ] {
                    let late = Lateness::new(cal, targets, now);
                    // Each problem's whole clock.
                    let want: Vec<i64> = open
                        .iter()
                        .filter(|r| late.clock(&r.problem).past_target())
                        .map(|r| r.problem.id)
                        .collect();
                    let (n, rows) = store.late_problems(&late, 3).unwrap();
                    assert_eq!(
                        n,
                        want.len() as i64,
                        "{:?} at {now}, {targets:?}",
                        db.backend
                    );
                    let got: Vec<i64> = rows.iter().map(|r| r.problem.id).collect();
                    assert_eq!(got, want[..want.len().min(3)], "{:?} at {now}", db.backend);
                    seen_late += want.len();
                }
            }
            assert!(seen_late > 0);
        }
    }

    /// An operator's held items read by either plan are the first of the open queue they hold.
    #[test]
    fn an_operators_items_are_the_same_whichever_index_reads_them() {
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        for (db, store) in demo_on_each_backend(now) {
            let mut open = crate::store::ListFilter::text("");
            open.now = now;
            let queue = store.queue_filtered(&open, 100_000, 0).unwrap();
            let holder = queue.iter().find_map(|r| r.taken_by.clone()).unwrap();
            let want: Vec<i64> = queue
                .iter()
                .filter(|r| r.taken_by.as_deref() == Some(holder.as_str()))
                .map(|r| r.id)
                .take(4)
                .collect();
            assert!(want.len() > 1, "{want:?}");
            for many in [1, HELD_MANY] {
                let got: Vec<i64> = store
                    .taken_items(&holder, 4, many)
                    .unwrap()
                    .1
                    .iter()
                    .map(|r| r.id)
                    .collect();
                assert_eq!(got, want, "{:?}, {many}", db.backend);
            }
        }
    }

    /// A screen's worth of Today counts every section as the whole does, and reads the first
    /// rows of each in order, no more lines than asked.
    #[test]
    fn a_screen_of_today_reads_the_first_lines_and_every_count() {
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        let late = Lateness::new(WorkingCalendar::official(), Default::default(), now);
        for (db, store) in demo_on_each_backend(now) {
            // The approvals pane's open count is the summary's.
            assert_eq!(
                store.open_approval_count().unwrap() as usize,
                store.approvals_summary(now).unwrap().open
            );
            let whole = store.today(now, "op01", 5, &late).unwrap();
            let c = whole.counts;
            assert_eq!(
                (c.approvals, c.callbacks, c.abnormal_items),
                (
                    whole.approvals.len(),
                    whole.callbacks.len(),
                    whole.abnormal_items.len()
                ),
                "{:?}",
                db.backend
            );
            assert_eq!(
                (c.abnormal_bookings, c.taken),
                (whole.abnormal_bookings.len(), whole.taken.len())
            );
            let ids = |d: &TodayData| {
                [
                    d.approvals.iter().map(|r| r.id).collect::<Vec<_>>(),
                    d.callbacks.iter().map(|r| r.id).collect(),
                    d.problems.iter().map(|r| r.problem.id).collect(),
                    d.abnormal_items.iter().map(|r| r.id).collect(),
                    d.abnormal_bookings.iter().map(|r| r.id).collect(),
                    d.taken.iter().map(|r| r.id).collect(),
                ]
            };
            let all = ids(&whole);
            assert!(all.iter().filter(|s| !s.is_empty()).count() >= 4, "{all:?}");
            let rows_of = |d: &TodayData| ids(d).iter().map(Vec::len).sum::<usize>();
            let mut seen = Vec::new();
            for lines in [0, 3, 9, 14, 20, 40] {
                let part = store.today_lines(now, "op01", 5, 2, lines, &late).unwrap();
                assert_eq!(part.counts, whole.counts, "{lines} lines");
                assert_eq!(part.late_problems, whole.late_problems);
                for (got, want) in ids(&part).iter().zip(&all) {
                    assert_eq!(
                        got[..],
                        want[..got.len()],
                        "{lines} lines, {:?}",
                        db.backend
                    );
                }
                assert!(part.approvals.len() <= 2);
                assert!(rows_of(&part) <= lines, "{lines} lines");
                seen.push(rows_of(&part));
            }
            // Fewer lines read fewer rows, and enough lines every one (two approvals shown).
            assert!(
                seen.windows(2).all(|w| w[0] <= w[1]) && seen[0] == 0,
                "{seen:?}"
            );
            assert_eq!(
                *seen.last().unwrap(),
                rows_of(&whole) - whole.approvals.len() + whole.approvals.len().min(2)
            );
        }
    }

    #[test]
    fn a_days_bookings_and_a_months_loads_in_one_read_each_are_the_slots_own() {
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        for (db, store) in demo_on_each_backend(now) {
            let today = shanghai_date(now);
            let mut on = store.bookings_on(today).unwrap();
            let mut seen = 0;
            for slot in store.slots_between(today, today).unwrap() {
                let of_slot = store.bookings_of_slot(slot.id).unwrap();
                seen += of_slot.len();
                let ids =
                    |b: &[crate::store::BookingRow]| b.iter().map(|b| b.id).collect::<Vec<_>>();
                assert_eq!(ids(&on.remove(&slot.id).unwrap_or_default()), ids(&of_slot));
            }
            assert!(seen > 0 && on.is_empty(), "{:?}", db.backend);
            let mut named = store.bookings_on(today).unwrap();
            let key = |b: &crate::store::BookingRow| serde_json::to_value(b).unwrap();
            // The day board: the day's slots in order with their bookings, places taken and
            // 当日清 counts as read one by one.
            let (board, clearance) = store.day_board(today).unwrap();
            let slots = store.slots_between(today, today).unwrap();
            assert_eq!(
                format!("{:?}", board.iter().map(|(s, _)| s).collect::<Vec<_>>()),
                format!("{:?}", slots.iter().collect::<Vec<_>>()),
                "{:?}",
                db.backend
            );
            for (slot, rows) in &board {
                // Read whole, they are the rows the day's bookings read with their names.
                assert!(rows.iter().all(|b| b.enterprise.is_empty()));
                let mut rows = rows.clone();
                store
                    .read_bookings(&mut rows.iter_mut().collect::<Vec<_>>())
                    .unwrap();
                assert_eq!(
                    rows.iter().map(key).collect::<Vec<_>>(),
                    named
                        .remove(&slot.id)
                        .unwrap_or_default()
                        .iter()
                        .map(key)
                        .collect::<Vec<_>>(),
                    "{:?}",
                    db.backend
                );
            }
            assert!(named.is_empty());
            assert_eq!(
                format!("{clearance:?}"),
                format!("{:?}", store.day_clearance(today).unwrap())
            );
            // A month's loads in one read are its slots' places summed by day.
            let (first, last) = (today.first_of_month(), today.last_of_month());
            let mut want: Vec<(jiff::civil::Date, u32, u32)> = Vec::new();
            for s in store.slots_between(first, last).unwrap() {
                match want.last_mut() {
                    Some(l) if l.0 == s.date => {
                        l.1 += s.taken;
                        l.2 += s.capacity;
                    }
                    _ => want.push((s.date, s.taken, s.capacity)),
                }
            }
            assert!(want.iter().any(|l| l.1 > 0));
            assert_eq!(
                store.day_loads(first, last).unwrap(),
                want,
                "{:?}",
                db.backend
            );
        }
    }

    /// The same demo answers the same on SQLite and on PostgreSQL, reader by reader.
    #[test]
    fn every_reader_answers_the_same_on_each_backend() {
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        let seen: Vec<(String, Value)> = demo_on_each_backend(now)
            .iter()
            .map(|(db, store)| (format!("{:?}", db.backend), answers(store, now)))
            .collect();
        let (first, expected) = &seen[0];
        for (backend, got) in &seen[1..] {
            let Value::Object(want) = expected else {
                unreachable!()
            };
            eprintln!("{backend} against {first}: {} readers", want.len());
            for (reader, value) in want {
                assert_eq!(
                    &got[reader], value,
                    "{reader}: {backend} answers otherwise than {first}"
                );
            }
        }
    }
}
