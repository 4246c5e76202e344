//! Read queries only the console needs: the queue window under a filter typed by the operator.

use super::{Store, opt_ts, ts};
use crate::domain::credit::CreditLevel;
use crate::domain::queue::{WorkFlags, WorkKind, WorkStatus};
use crate::store::QueueRow;
use anyhow::Result;
use rusqlite::params;

const FILTERED_FROM: &str = "FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id
     WHERE w.status <> 'done' AND (e.name_zh LIKE '%' || ?1 || '%' ESCAPE '\\'
        OR e.initials LIKE ?2 || '%' ESCAPE '\\' OR e.pinyin LIKE ?2 || '%' ESCAPE '\\'
        OR coalesce(w.declaration_no, '') LIKE ?1 || '%' ESCAPE '\\'
        OR w.kind LIKE ?2 || '%' ESCAPE '\\' OR w.status = ?2 OR coalesce(w.taken_by, '') = ?1)";

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

impl Store {
    /// One window of the open queue in the domain's order, narrowed by `filter` (part of the
    /// name, pinyin or initials, a declaration-number prefix, a kind or status code, an operator).
    pub fn queue_filtered(
        &self,
        filter: &str,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<QueueRow>> {
        let f = filter.trim();
        if f.is_empty() {
            return self.queue(limit, offset);
        }
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT w.id, w.kind, w.enterprise_id, e.name_zh, e.credit, w.aeo, w.declaration_no,
                    w.received_at, w.due_at, w.status, w.urgent, w.non_intrusive, w.report_accepted, w.taken_by
             {FILTERED_FROM}
             ORDER BY w.aeo DESC, coalesce(w.due_at, 9223372036854775807), w.received_at, w.id
             LIMIT ?3 OFFSET ?4"
        ))?;
        let lower = f.to_lowercase();
        let rows = stmt.query_map(
            params![
                like_literal(f),
                like_literal(&lower),
                limit as i64,
                offset as i64
            ],
            |r| {
                let kind =
                    WorkKind::parse(&r.get::<_, String>(1)?).unwrap_or(WorkKind::Declaration);
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
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many open items `filter` leaves.
    pub fn queue_filtered_len(&self, filter: &str) -> Result<i64> {
        let f = filter.trim();
        if f.is_empty() {
            return self.queue_len();
        }
        let lower = f.to_lowercase();
        Ok(self.conn().query_row(
            &format!("SELECT count(*) {FILTERED_FROM}"),
            params![like_literal(f), like_literal(&lower)],
            |r| r.get(0),
        )?)
    }
}
