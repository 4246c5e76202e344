//! What the desk and one operator must act on now (the Today view): urgent approvals, today's
//! and tomorrow's inspections, abnormal work, open callbacks, open problems, the operator's own
//! items; and the counts the pane tabs carry.

use super::Store;
use super::db::params;
use super::inspection::{BOOKING_SELECT, booking_from};
use super::queue::{QUEUE_COLUMNS, QUEUE_FROM, QUEUE_ORDER, QUEUE_ORDER_PG, row_from};
use super::{ApprovalRow, BookingRow, CallFilter, CallRow, ProblemFilter, ProblemRow, QueueRow};
use crate::calendar::shanghai_date;
use crate::domain::inspection::DayClearance;
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

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
    pub problems: Vec<ProblemRow>,
    pub taken: Vec<QueueRow>,
}

impl Store {
    /// Everything the Today view lists, each list cut at `limit`.
    pub fn today(&self, now: Timestamp, operator: &str, limit: usize) -> Result<TodayData> {
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
            problems: self.problems(&ProblemFilter {
                open_only: true,
                ..Default::default()
            })?,
            taken: items("w.taken_by = ?1 AND w.status <> 'done'", operator)?,
        })
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
