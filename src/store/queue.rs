//! Work items and the priority queue.

use super::db::{OptionalExtension, params};
use super::{Store, Writer, opt_ts, ts};
use crate::domain::credit::CreditLevel;
use crate::domain::message::Message;
use crate::domain::ownership::{self, ItemChange, ItemState};
use crate::domain::queue::{WorkFlags, WorkKind, WorkStatus};
use anyhow::{Result, anyhow};
use jiff::Timestamp;
use serde::Serialize;

pub struct NewWorkItem<'a> {
    pub kind: WorkKind,
    pub enterprise_id: i64,
    pub declaration_no: Option<&'a str>,
    pub received_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub status: WorkStatus,
    pub flags: WorkFlags,
}

/// A queue line as the console and `aeo queue` show it.
#[derive(Debug, Clone, Serialize)]
pub struct QueueRow {
    pub id: i64,
    pub kind: WorkKind,
    pub measure: u8,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub credit: CreditLevel,
    pub aeo: bool,
    pub declaration_no: Option<String>,
    pub received_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub status: WorkStatus,
    pub flags: WorkFlags,
    pub taken_by: Option<String>,
}

/// The queue order of the domain (`queue_order`), as SQL; the index work_items_queue serves it.
pub(super) const QUEUE_ORDER: &str = "(w.status = 'abnormal') DESC, w.aeo DESC, w.urgent DESC, coalesce(w.due_at, 9223372036854775807), w.received_at, w.id";

/// The same order in PostgreSQL, where an item without a deadline sorts last by itself; the
/// index work_items_queue serves it.
pub(super) const QUEUE_ORDER_PG: &str =
    "(w.status = 'abnormal') DESC, w.aeo DESC, w.urgent DESC, w.due_at, w.received_at, w.id";

/// The queue's order backwards, for the windows nearer its end (read from the same index).
const QUEUE_ORDER_REVERSED: &str = "(w.status = 'abnormal') ASC, w.aeo ASC, w.urgent ASC, coalesce(w.due_at, 9223372036854775807) DESC, w.received_at DESC, w.id DESC";
const QUEUE_ORDER_PG_REVERSED: &str = "(w.status = 'abnormal') ASC, w.aeo ASC, w.urgent ASC, w.due_at DESC, w.received_at DESC, w.id DESC";

/// From how far down a list a window is read by the ids of its rows (found from the list's
/// index alone) rather than along the order whole. The tests' demo lists are short.
#[cfg(not(test))]
pub(super) const DEEP_WINDOW: usize = 100;
#[cfg(test)]
pub(super) const DEEP_WINDOW: usize = 4;

/// The columns `row_from` reads, from `work_items w` joined with `enterprises e`.
pub(super) const QUEUE_COLUMNS: &str = "SELECT w.id, w.kind, w.enterprise_id, e.name_zh, e.credit, w.aeo, w.declaration_no,
            w.received_at, w.due_at, w.status, w.urgent, w.non_intrusive, w.report_accepted, w.taken_by";

pub(super) const QUEUE_FROM: &str =
    "FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id";

pub(super) fn row_from(r: &super::db::Row<'_>) -> anyhow::Result<QueueRow> {
    let kind: String = r.get(1)?;
    let kind = WorkKind::parse(&kind).unwrap_or(WorkKind::Declaration);
    let credit: String = r.get(4)?;
    let status: String = r.get(9)?;
    Ok(QueueRow {
        id: r.get(0)?,
        kind,
        measure: kind.measure(),
        enterprise_id: r.get(2)?,
        enterprise: r.get(3)?,
        credit: credit.parse().unwrap_or(CreditLevel::Regular),
        aeo: r.get(5)?,
        declaration_no: r.get(6)?,
        received_at: ts(r.get(7)?),
        due_at: opt_ts(r.get(8)?),
        status: WorkStatus::parse(&status).unwrap_or(WorkStatus::Waiting),
        flags: WorkFlags {
            urgent: r.get(10)?,
            non_intrusive: r.get(11)?,
            report_accepted: r.get(12)?,
        },
        taken_by: r.get(13)?,
    })
}

impl Writer<'_> {
    /// The rules of an item, new or updated by an import: its times, its enterprise's
    /// eligibility for the kind, and the flags the plan sets by itself (加急 for AEO lab samples).
    pub(crate) fn checked_item_flags(&self, item: &NewWorkItem<'_>) -> Result<WorkFlags> {
        let (credit, industries): (String, String) = self
            .conn()
            .prepare_cached("SELECT credit, industries FROM enterprises WHERE id = ?1")?
            .query_row([item.enterprise_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| anyhow!("no enterprise with id {}", item.enterprise_id))?;
        let credit: CreditLevel = credit.parse().map_err(|e: String| anyhow!(e))?;
        let industries: Vec<crate::domain::enterprise::Industry> = industries
            .split([',', ';'])
            .filter_map(|c| crate::domain::enterprise::Industry::parse(c).ok())
            .collect();
        crate::domain::queue::check_item_times(item.received_at, item.due_at)?;
        crate::domain::enterprise::check_eligibility(
            item.kind,
            credit,
            &industries,
            crate::domain::measures::MeasureCatalog::official(),
        )?;
        Ok(WorkFlags::automatic(item.kind, credit, item.flags))
    }

    /// Adds a work item; the flags the plan sets by itself (加急 for AEO lab samples) are set here.
    pub fn insert_work_item(&self, item: &NewWorkItem<'_>) -> Result<i64> {
        let flags = self.checked_item_flags(item)?;
        self.conn().prepare_cached(
            "INSERT INTO work_items (kind, enterprise_id, declaration_no, received_at, due_at, status, urgent, non_intrusive, report_accepted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?.execute(
            params![
                item.kind.code(),
                item.enterprise_id,
                item.declaration_no,
                item.received_at.as_second(),
                item.due_at.map(|t| t.as_second()),
                item.status.code(),
                flags.urgent,
                flags.non_intrusive,
                flags.report_accepted
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("work_items", id, Some(item.enterprise_id))?;
        Ok(id)
    }

    /// Moves an item to `to` (take, release, finish, abnormal), as the ownership rule allows.
    pub fn set_item_status(
        &self,
        id: i64,
        to: WorkStatus,
        operator: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.change_item(id, ItemChange::to_status(to), operator, now)
            .map(|_| ())
    }

    /// Applies one change to an item, as the ownership rule allows, checked inside this
    /// transaction; returns the state before and after (for undo).
    pub fn change_item(
        &self,
        id: i64,
        change: ItemChange,
        operator: &str,
        now: Timestamp,
    ) -> Result<(ItemState, ItemState)> {
        let (before, enterprise_id) = self.item_state(id)?;
        let after = ownership::apply(id, &before, change, operator)?;
        self.put_item_state(change.action(), id, enterprise_id, &after, now)?;
        Ok((before, after))
    }

    /// Puts an item back as it was before a change, as a new audited change ("undo"); refused
    /// when the item has changed since.
    pub fn undo_item(
        &self,
        id: i64,
        before: &ItemState,
        after: &ItemState,
        now: Timestamp,
    ) -> Result<()> {
        let (current, enterprise_id) = self.item_state(id)?;
        ownership::check_undo(id, &current, after)?;
        self.put_item_state("undo", id, enterprise_id, before, now)
    }

    fn item_state(&self, id: i64) -> Result<(ItemState, i64)> {
        let current: Option<(String, Option<String>, i64)> = self
            .conn()
            .query_row(
                "SELECT status, taken_by, enterprise_id FROM work_items WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((status, taken_by, enterprise_id)) = current else {
            return Err(Message::new(
                format!("没有队列事项 #{id}"),
                format!("no queue item #{id}"),
            )
            .into());
        };
        let status = WorkStatus::parse(&status).map_err(|e| anyhow!(e))?;
        Ok((ItemState { status, taken_by }, enterprise_id))
    }

    fn put_item_state(
        &self,
        action: &str,
        id: i64,
        enterprise_id: i64,
        to: &ItemState,
        now: Timestamp,
    ) -> Result<()> {
        self.audited_update(action, "work_items", id, Some(enterprise_id), || {
            self.conn().execute(
                "UPDATE work_items SET status = ?2, taken_by = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, to.status.code(), to.taken_by, now.as_second()],
            )?;
            Ok(())
        })
    }
}

/// The SQL of one queue window (?1 = limit, ?2 = offset), for comparison with other clients.
pub fn queue_window_sql(dialect: super::Dialect) -> String {
    window_sql(dialect, "?1", "?2")
}

fn window_sql(dialect: super::Dialect, limit: &str, offset: &str) -> String {
    let order = match dialect {
        super::Dialect::Sqlite => QUEUE_ORDER,
        super::Dialect::Postgres => QUEUE_ORDER_PG,
    };
    format!(
        "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE w.status <> 'done' ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    )
}

impl QueueRow {
    /// Where the item stands in the domain's queue order.
    pub fn key(&self) -> crate::domain::queue::QueueKey {
        crate::domain::queue::QueueKey {
            abnormal: self.status == WorkStatus::Abnormal,
            aeo: self.aeo,
            urgent: self.flags.urgent,
            due: self.due_at,
            received_at: self.received_at,
            id: self.id,
        }
    }
}

impl Store {
    /// Open items whose deadline has passed at `now`.
    pub fn queue_overdue(&self, now: Timestamp) -> Result<i64> {
        self.conn().query_row(
            "SELECT count(*) FROM work_items WHERE status <> 'done' AND due_at <= ?1",
            [now.as_second()],
            |r| r.get(0),
        )
    }

    /// One window of the open queue, in the domain's order.
    pub fn queue(&self, limit: usize, offset: usize) -> Result<Vec<QueueRow>> {
        if offset >= DEEP_WINDOW {
            return self.queue_deep(limit, offset);
        }
        let dialect = self.dialect();
        if self.conn().is_pg() {
            let mut stmt = self.conn().prepare_cached(&queue_window_sql(dialect))?;
            stmt.query_map(params![limit as i64, offset as i64], row_from)?
                .collect::<anyhow::Result<Vec<_>>>()
        } else {
            // SQLite prepares a statement again on every run when its LIMIT is bound: the
            // window's length is written into it (a screen's rows: few distinct statements).
            let mut stmt =
                self.conn()
                    .prepare_cached(&window_sql(dialect, &limit.to_string(), "?1"))?;
            stmt.query_map(params![offset as i64], row_from)?
                .collect::<anyhow::Result<Vec<_>>>()
        }
    }

    /// A window far down the open queue: its ids from the queue's index alone (from the end,
    /// in the reverse order, when it is nearer the end), then its rows. Read whole along the
    /// order, every item skipped was read and joined to its enterprise: 5,000 down 16-98 ms,
    /// the last window (End) 2.7 s on the large database.
    fn queue_deep(&self, limit: usize, offset: usize) -> Result<Vec<QueueRow>> {
        let len = usize::try_from(self.queue_len()?).unwrap_or(0);
        let from_end = offset > len / 2;
        let (order, take, skip) = if from_end {
            let take = len.saturating_sub(offset).min(limit);
            (
                self.conn()
                    .pick(QUEUE_ORDER_REVERSED, QUEUE_ORDER_PG_REVERSED),
                take,
                len.saturating_sub(offset + take),
            )
        } else {
            (self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG), limit, offset)
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT w.id FROM {} WHERE w.status <> 'done' ORDER BY {order} LIMIT {take} OFFSET ?1",
            self.conn()
                .pick("work_items w INDEXED BY work_items_queue", "work_items w"),
        ))?;
        let ids = stmt
            .query_map(params![skip as i64], |r| r.get::<i64>(0))?
            .collect::<anyhow::Result<Vec<_>>>()?;
        // In the queue's order again.
        self.queue_rows(&ids)
    }

    pub fn queue_len(&self) -> Result<i64> {
        // Kept by triggers (work_counts): no count over the open items.
        self.conn().query_row(
            "SELECT coalesce(sum(n), 0) FROM work_counts WHERE status <> 'done'",
            (),
            |r| r.get(0),
        )
    }

    /// Open items of one enterprise, in queue order.
    pub fn items_of(&self, enterprise_id: i64) -> Result<Vec<QueueRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{QUEUE_COLUMNS} {QUEUE_FROM} WHERE w.enterprise_id = ?1 AND w.status <> 'done' ORDER BY {}",
            self.conn().pick(QUEUE_ORDER, QUEUE_ORDER_PG)
        ))?;
        let rows = stmt.query_map([enterprise_id], row_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn work_item(&self, id: i64) -> Result<Option<QueueRow>> {
        self.conn()
            .query_row(
                &format!("{QUEUE_COLUMNS} {QUEUE_FROM} WHERE w.id = ?1"),
                [id],
                row_from,
            )
            .optional()
    }
}
