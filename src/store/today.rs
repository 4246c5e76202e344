//! What the desk and one operator must act on now (the Today view): urgent approvals, today's
//! and tomorrow's inspections, abnormal work, open callbacks, open problems, the operator's own
//! items; and the counts the pane tabs carry.

use super::Store;
use super::db::params;
use super::inspection::{BOOKING_SELECT, booking_from};
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
        let today = shanghai_date(now);
        let mut days = Vec::new();
        for d in [Some(today), today.tomorrow().ok()].into_iter().flatten() {
            let clearance = self.day_clearance(d)?;
            days.push(TodayDay {
                date: d,
                cleared: clearance.cleared(),
                clearance,
            });
        }
        let order = self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG);
        let items = |filter: &str, arg: &str| -> Result<Vec<QueueRow>> {
            let mut stmt = self.conn().prepare_cached(&format!(
                "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE {filter} ORDER BY {order} LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![arg, limit as i64], row_from)?;
            rows.collect::<anyhow::Result<Vec<_>>>()
        };
        let since = today
            .checked_sub(jiff::Span::new().days(ABNORMAL_BOOKING_DAYS))
            .unwrap_or(today);
        let mut stmt = self.conn().prepare_cached(&format!(
            "{BOOKING_SELECT} WHERE b.status = 'abnormal' AND s.date >= ?1
             ORDER BY s.date, s.start_time, b.id LIMIT ?2"
        ))?;
        let abnormal_bookings = stmt
            .query_map(params![since.to_string(), limit as i64], booking_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (late_problems, problems) = self.late_problems(late, limit)?;
        Ok(TodayData {
            operator: operator.to_string(),
            approvals: self.approvals_urgent(now, limit)?,
            days,
            // `status <> 'done'` lets the queue's own index serve the order.
            abnormal_items: items(
                "w.status = 'abnormal' AND w.status <> 'done' AND ?1 = ?1",
                "",
            )?,
            abnormal_bookings,
            callbacks: self.calls(&CallFilter {
                callbacks_open: true,
                limit,
                ..Default::default()
            })?,
            problems,
            late_problems,
            taken: self.taken_items(operator, limit, HELD_MANY)?,
        })
    }

    /// The first `limit` open items `operator` holds, in the queue's order. One holding `many`
    /// or more has them read in that order from the queue's index, stopping at the limit
    /// (SQLite took the operator's index and sorted them all: 0.4 s for 20,000); fewer are
    /// read by the operator's index and sorted.
    fn taken_items(&self, operator: &str, limit: usize, many: i64) -> Result<Vec<QueueRow>> {
        let held: i64 = self.conn().query_row(
            "SELECT count(*) FROM (SELECT 1 FROM work_items
              WHERE taken_by = ?1 AND status <> 'done' LIMIT ?2) n",
            params![operator, many],
            |r| r.get(0),
        )?;
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
             ORDER BY {} LIMIT ?2",
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG)
        ))?;
        let rows = stmt.query_map(params![operator, limit as i64], row_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
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
                ] {
                    let late = Lateness::new(cal, targets, now);
                    let want: Vec<i64> = open
                        .iter()
                        .filter(|r| late.is_late(&r.problem))
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
                    .iter()
                    .map(|r| r.id)
                    .collect();
                assert_eq!(got, want, "{:?}, {many}", db.backend);
            }
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
            // Read without their enterprises and named afterwards, they are the same rows.
            let named = store.bookings_on(today).unwrap();
            let mut unnamed = store.bookings_on_unnamed(today).unwrap();
            let key = |b: &crate::store::BookingRow| serde_json::to_value(b).unwrap();
            for (slot, rows) in &named {
                let rows_unnamed = unnamed.get_mut(slot).unwrap();
                assert!(rows_unnamed.iter().all(|b| b.enterprise.is_empty()));
                store
                    .name_bookings(&mut rows_unnamed.iter_mut().collect::<Vec<_>>())
                    .unwrap();
                assert_eq!(
                    rows_unnamed.iter().map(key).collect::<Vec<_>>(),
                    rows.iter().map(key).collect::<Vec<_>>(),
                    "{:?}",
                    db.backend
                );
            }
            assert_eq!(unnamed.len(), named.len());
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
