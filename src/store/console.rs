//! Read queries only the console needs: the queue window under a filter typed by the operator.

use super::Store;
use super::queue::{QUEUE_COLUMNS, QUEUE_FROM, QUEUE_ORDER, row_from};
use crate::store::QueueRow;
use anyhow::Result;
use rusqlite::{OptionalExtension, params};

/// The enterprises the lookup matcher finds for the filter arrive as a JSON array in ?3.
const FILTERED_FROM: &str = "FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id
     WHERE w.status <> 'done' AND (w.enterprise_id IN (SELECT value FROM json_each(?3))
        OR coalesce(w.declaration_no, '') LIKE ?1 || '%' ESCAPE '\\'
        OR w.kind LIKE ?2 || '%' ESCAPE '\\' OR w.status = ?2 OR coalesce(w.taken_by, '') = ?1)";

/// Enterprises a queue filter reaches through the lookup matcher.
const FILTER_ENTERPRISES: usize = 1000;

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
    /// One window of the open queue in the domain's order, narrowed by `filter` (an
    /// enterprise as lookup finds it, a declaration-number prefix, a kind or status code, an
    /// operator).
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
        super::check_search_length(f)?;
        // The same columns and order as the unfiltered queue; FILTERED_FROM adds the filter.
        let mut stmt = self.conn().prepare_cached(&format!(
            "{QUEUE_COLUMNS} {FILTERED_FROM} ORDER BY {QUEUE_ORDER} LIMIT ?4 OFFSET ?5"
        ))?;
        let lower = f.to_lowercase();
        let rows = stmt.query_map(
            params![
                like_literal(f),
                like_literal(&lower),
                self.filter_enterprises(f)?,
                limit as i64,
                offset as i64
            ],
            row_from,
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The enterprises the filter names (the lookup matcher's), as a JSON array.
    fn filter_enterprises(&self, filter: &str) -> Result<String> {
        let ids = self.matching_enterprise_ids(filter, FILTER_ENTERPRISES)?;
        Ok(serde_json::to_string(&ids)?)
    }

    /// How many open items `filter` leaves.
    pub fn queue_filtered_len(&self, filter: &str) -> Result<i64> {
        let f = filter.trim();
        if f.is_empty() {
            return self.queue_len();
        }
        super::check_search_length(f)?;
        let lower = f.to_lowercase();
        Ok(self.conn().query_row(
            &format!("SELECT count(*) {FILTERED_FROM}"),
            params![
                like_literal(f),
                like_literal(&lower),
                self.filter_enterprises(f)?
            ],
            |r| r.get(0),
        )?)
    }
}

impl Store {
    /// Where item `id` stands in the (filtered) open queue, so the cursor can follow the record
    /// when the order changes; None when the filter or the state no longer shows it.
    pub fn queue_position(&self, filter: &str, id: i64) -> Result<Option<usize>> {
        let f = filter.trim();
        let pos: Option<i64> = if f.is_empty() {
            self.conn()
                .query_row(
                    &format!(
                        "SELECT pos FROM (SELECT w.id, row_number() OVER (ORDER BY {QUEUE_ORDER}) - 1 AS pos
                         {QUEUE_FROM} WHERE w.status <> 'done') WHERE id = ?1"
                    ),
                    [id],
                    |r| r.get(0),
                )
                .optional()?
        } else {
            super::check_search_length(f)?;
            let lower = f.to_lowercase();
            self.conn()
                .query_row(
                    &format!(
                        "SELECT pos FROM (SELECT w.id, row_number() OVER (ORDER BY {QUEUE_ORDER}) - 1 AS pos
                         {FILTERED_FROM}) WHERE id = ?4"
                    ),
                    params![
                        like_literal(f),
                        like_literal(&lower),
                        self.filter_enterprises(f)?,
                        id
                    ],
                    |r| r.get(0),
                )
                .optional()?
        };
        Ok(pos.map(|p| p.max(0) as usize))
    }
}
