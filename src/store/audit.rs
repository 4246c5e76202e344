//! The audit trail: every change a Writer makes is recorded with who, when, what, and the row
//! before and after. Append-only, enforced by triggers in the schema.

use super::db::{OptionalExtension, params};
use super::{Store, Writer, ts};
use crate::calendar::Clock;
use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;

/// Who is acting (the name the person gives), and the frozen clock they read with, if any
/// (--now / AEO_NOW). The audit trail always records the real time and the real OS account;
/// a store whose actor has a frozen clock refuses changes unless the database is a demo.
#[derive(Debug, Clone)]
pub struct Actor {
    pub operator: String,
    pub clock: Clock,
}

impl Default for Actor {
    fn default() -> Self {
        Actor {
            operator: "unknown".to_string(),
            clock: Clock::System,
        }
    }
}

/// The OS account this process runs as, from its real uid (never from $USER or $LOGNAME,
/// which anyone can set): the account's name, or `uid N` when the system has no name for it.
pub fn os_account() -> String {
    let uid = nix::unistd::getuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => format!("uid {uid}"),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub operator: String,
    /// The OS account the change was made from (absent on entries older than schema 9).
    pub os_account: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub enterprise_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The tables a Writer changes; snapshots read only these.
const AUDITED: &[&str] = &[
    "coordinators",
    "enterprises",
    "work_items",
    "inspection_slots",
    "bookings",
    "approvals",
    "approval_pauses",
    "problems",
    "verifications",
    "calls",
    "problem_notes",
    "enterprise_aliases",
];

/// Columns computed from others for searching; snapshots leave them out.
const DERIVED: &[&str] = &["pinyin", "initials", "search_units", "alias_units"];

impl Writer<'_> {
    /// The row as a JSON object, built by SQLite from the table's own columns.
    pub(crate) fn snapshot(&self, table: &str, id: i64) -> Result<Option<String>> {
        let table = AUDITED
            .iter()
            .find(|t| **t == table)
            .ok_or_else(|| anyhow::anyhow!("{table} is not an audited table"))?;
        let sql = {
            let mut cache = self.snapshot_sql.borrow_mut();
            match cache.get(table) {
                Some(sql) => sql.clone(),
                None => {
                    let sql = self.snapshot_query(table)?;
                    cache.insert(table, sql.clone());
                    sql
                }
            }
        };
        self.conn()
            .prepare_cached(&sql)?
            .query_row([id], |r| r.get(0))
            .optional()
    }

    /// The query that renders a row of `table` as a JSON object of its own columns (the
    /// derived search columns left out), the same in both backends: instants as Unix seconds.
    fn snapshot_query(&self, table: &str) -> Result<String> {
        Ok(format!(
            "SELECT {} FROM \"{table}\" WHERE id = ?1",
            self.snapshot_object(table)?
        ))
    }

    /// The expression of [`Self::snapshot_query`] that renders a row of `table` as JSON.
    fn snapshot_object(&self, table: &str) -> Result<String> {
        let conn = self.conn();
        let cols: Vec<(String, String)> = conn
            .prepare(conn.pick(
                "SELECT name, type FROM pragma_table_info(?1)",
                "SELECT column_name::text, data_type::text FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position",
            ))?
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_>>()?;
        let pairs: Vec<String> = cols
            .iter()
            .filter(|(c, _)| !DERIVED.contains(&c.as_str()))
            .map(|(c, ty)| match ty.as_str() {
                "timestamp with time zone" => {
                    format!("'{c}', extract(epoch from \"{c}\")::bigint")
                }
                _ => format!("'{c}', \"{c}\""),
            })
            .collect();
        let object = conn.pick("json_object", "json_build_object");
        let cast = conn.pick("", "::text");
        Ok(format!("{object}({}){cast}", pairs.join(", ")))
    }

    /// Appends one entry to the trail.
    pub(crate) fn record(
        &self,
        action: &str,
        entity: &str,
        entity_id: i64,
        enterprise_id: Option<i64>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO audit_log (at, operator, action, entity, entity_id, enterprise_id, before, after, os_account)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                self.now.as_second(),
                self.actor.operator,
                action,
                entity,
                entity_id,
                enterprise_id,
                before,
                after,
                self.account,
            ])?;
        Ok(())
    }

    /// Records the creation of a row: the row as it now stands.
    pub(crate) fn record_created(
        &self,
        entity: &str,
        id: i64,
        enterprise_id: Option<i64>,
    ) -> Result<()> {
        let after = self.snapshot(entity, id)?;
        self.record("create", entity, id, enterprise_id, None, after)
    }

    /// Records the creation of the rows `first..=last` of `entity` (rows one statement added),
    /// each as [`Self::record_created`] would, in one statement; the entries name the
    /// enterprise of each row's `enterprise_column`.
    pub(crate) fn record_created_range(
        &self,
        entity: &str,
        enterprise_column: &str,
        first: i64,
        last: i64,
    ) -> Result<()> {
        let table = AUDITED
            .iter()
            .find(|t| **t == entity)
            .ok_or_else(|| anyhow::anyhow!("{entity} is not an audited table"))?;
        let at = self.conn().pick("?1", "?1::timestamptz");
        let text = self.conn().pick("", "::text");
        let sql = format!(
            "INSERT INTO audit_log (at, operator, action, entity, entity_id, enterprise_id, before, after, os_account)
             SELECT {at}, ?2{text}, 'create', '{table}', id, \"{enterprise_column}\", NULL, {}, ?3{text}
             FROM \"{table}\" WHERE id BETWEEN ?4 AND ?5 ORDER BY id",
            self.snapshot_object(table)?
        );
        self.conn().prepare_cached(&sql)?.execute(params![
            self.now.as_second(),
            self.actor.operator,
            self.account,
            first,
            last
        ])?;
        Ok(())
    }

    /// Records the deletion of a row: the row as it stood.
    pub(crate) fn record_deleted(
        &self,
        entity: &str,
        id: i64,
        enterprise_id: Option<i64>,
    ) -> Result<()> {
        let before = self.snapshot(entity, id)?;
        self.record("delete", entity, id, enterprise_id, before, None)
    }

    /// Runs an update and records the row before and after it.
    pub(crate) fn audited_update(
        &self,
        action: &str,
        entity: &str,
        id: i64,
        enterprise_id: Option<i64>,
        update: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let before = self.snapshot(entity, id)?;
        update()?;
        let after = self.snapshot(entity, id)?;
        self.record(action, entity, id, enterprise_id, before, after)
    }
}

fn entry_from(r: &super::db::Row<'_>) -> anyhow::Result<AuditEntry> {
    let json = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    Ok(AuditEntry {
        id: r.get(0)?,
        at: ts(r.get(1)?),
        operator: r.get(2)?,
        action: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        enterprise_id: r.get(6)?,
        before: json(r.get(7)?),
        after: json(r.get(8)?),
        os_account: r.get(9)?,
    })
}

impl Store {
    /// The trail, newest first, optionally for one enterprise and from an instant on.
    pub fn audit(
        &self,
        enterprise_id: Option<i64>,
        since: Option<Timestamp>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn().prepare_cached(self.conn().pick(
            "SELECT id, at, operator, action, entity, entity_id, enterprise_id, before, after, os_account
             FROM audit_log
             WHERE (?1 IS NULL OR enterprise_id = ?1) AND (?2 IS NULL OR at >= ?2)
             ORDER BY at DESC, id DESC LIMIT ?3",
            "SELECT id, at, operator, action, entity, entity_id, enterprise_id, before, after, os_account
             FROM audit_log
             WHERE (?1::bigint IS NULL OR enterprise_id = ?1) AND (?2::timestamptz IS NULL OR at >= ?2)
             ORDER BY at DESC, id DESC LIMIT ?3",
        ))?;
        let rows = stmt.query_map(
            params![enterprise_id, since.map(|t| t.as_second()), limit as i64],
            entry_from,
        )?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }
}
