//! Approvals and their clock pauses.

use super::{Store, Writer, opt_ts, ts};
use crate::calendar::{ClockPause, Countdown, WorkingCalendar};
use crate::domain::approval::{
    ApprovalKind, ApprovalStatus, DeadlineRule, PauseReason, approval_countdown, deadline_rule,
};
use crate::domain::credit::CreditLevel;
use crate::domain::measures::MeasureCatalog;
use anyhow::{Result, anyhow, bail};
use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;

pub struct NewApproval<'a> {
    pub kind: ApprovalKind,
    pub enterprise_id: i64,
    pub reference: &'a str,
    pub accepted_at: Timestamp,
    pub pauses: &'a [(PauseReason, Timestamp, Option<Timestamp>)],
    pub decided: Option<(Timestamp, &'a str)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PauseRow {
    pub reason: PauseReason,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalRow {
    pub id: i64,
    pub kind: ApprovalKind,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub credit: CreditLevel,
    pub reference: String,
    pub accepted_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decision: Option<String>,
    pub pauses: Vec<PauseRow>,
}

impl ApprovalRow {
    pub fn status(&self) -> ApprovalStatus {
        if self.decided_at.is_some() {
            ApprovalStatus::Decided
        } else if self.pauses.iter().any(|p| p.ended_at.is_none()) {
            ApprovalStatus::Paused
        } else {
            ApprovalStatus::Running
        }
    }

    pub fn rule(&self, catalog: &MeasureCatalog) -> DeadlineRule {
        deadline_rule(self.kind, self.credit, catalog)
    }

    pub fn clock_pauses(&self) -> Vec<ClockPause> {
        self.pauses
            .iter()
            .map(|p| ClockPause {
                start: p.started_at,
                end: p.ended_at,
            })
            .collect()
    }

    /// The countdown at `now`; for a decided approval, as it stood at the decision.
    pub fn countdown(
        &self,
        cal: &WorkingCalendar,
        catalog: &MeasureCatalog,
        now: Timestamp,
    ) -> Countdown {
        let at = self.decided_at.unwrap_or(now);
        approval_countdown(
            cal,
            &self.rule(catalog),
            self.accepted_at,
            &self.clock_pauses(),
            at,
        )
    }
}

const APPROVAL_SELECT: &str = "SELECT a.id, a.kind, a.enterprise_id, e.name_zh, e.credit, a.reference, a.accepted_at, a.decided_at, a.decision
     FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id";

fn approval_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApprovalRow> {
    let kind: String = r.get(1)?;
    let credit: String = r.get(4)?;
    Ok(ApprovalRow {
        id: r.get(0)?,
        kind: ApprovalKind::parse(&kind).unwrap_or(ApprovalKind::SpecialArticles),
        enterprise_id: r.get(2)?,
        enterprise: r.get(3)?,
        credit: credit.parse().unwrap_or(CreditLevel::Regular),
        reference: r.get(5)?,
        accepted_at: ts(r.get(6)?),
        decided_at: opt_ts(r.get(7)?),
        decision: r.get(8)?,
        pauses: Vec::new(),
    })
}

impl Writer<'_> {
    pub fn insert_approval(&self, a: &NewApproval<'_>) -> Result<i64> {
        self.conn().execute(
            "INSERT INTO approvals (kind, enterprise_id, reference, accepted_at, decided_at, decision) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                a.kind.code(),
                a.enterprise_id,
                a.reference,
                a.accepted_at.as_second(),
                a.decided.map(|d| d.0.as_second()),
                a.decided.map(|d| d.1)
            ],
        )?;
        let id = self.conn().last_insert_rowid();
        self.record_created("approvals", id, Some(a.enterprise_id))?;
        for (reason, start, end) in a.pauses {
            self.conn().execute(
                "INSERT INTO approval_pauses (approval_id, reason, started_at, ended_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, reason.code(), start.as_second(), end.map(|t| t.as_second())],
            )?;
            let pause = self.conn().last_insert_rowid();
            self.record_created("approval_pauses", pause, Some(a.enterprise_id))?;
        }
        Ok(id)
    }

    /// The undecided approval's enterprise and its open pause, if any.
    fn open_approval(&self, id: i64) -> Result<(i64, Option<i64>)> {
        let row: Option<(Option<i64>, i64, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT decided_at, enterprise_id,
                        (SELECT max(p.id) FROM approval_pauses p WHERE p.approval_id = a.id AND p.ended_at IS NULL)
                 FROM approvals a WHERE a.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (decided, enterprise_id, open_pause) =
            row.ok_or_else(|| anyhow!("no approval {id}"))?;
        if decided.is_some() {
            bail!("approval {id} is already decided");
        }
        Ok((enterprise_id, open_pause))
    }

    fn end_pause(&self, pause: i64, enterprise_id: i64, now: Timestamp) -> Result<()> {
        self.audited_update(
            "resume",
            "approval_pauses",
            pause,
            Some(enterprise_id),
            || {
                self.conn().execute(
                    "UPDATE approval_pauses SET ended_at = max(started_at, ?2) WHERE id = ?1",
                    params![pause, now.as_second()],
                )?;
                Ok(())
            },
        )
    }

    /// Stops the clock (补正, testing, expert review, hearing).
    pub fn pause_approval(&self, id: i64, reason: PauseReason, now: Timestamp) -> Result<()> {
        let (enterprise_id, open) = self.open_approval(id)?;
        if open.is_some() {
            bail!("approval {id} is already paused");
        }
        self.conn().execute(
            "INSERT INTO approval_pauses (approval_id, reason, started_at) VALUES (?1, ?2, ?3)",
            params![id, reason.code(), now.as_second()],
        )?;
        let pause = self.conn().last_insert_rowid();
        let after = self.snapshot("approval_pauses", pause)?;
        self.record(
            "pause",
            "approval_pauses",
            pause,
            Some(enterprise_id),
            None,
            after,
        )
    }

    pub fn resume_approval(&self, id: i64, now: Timestamp) -> Result<()> {
        let (enterprise_id, open) = self.open_approval(id)?;
        let pause = open.ok_or_else(|| anyhow!("approval {id} is not paused"))?;
        self.end_pause(pause, enterprise_id, now)
    }

    /// Records the decision; an open pause ends with it.
    pub fn decide_approval(&self, id: i64, decision: &str, now: Timestamp) -> Result<()> {
        let (enterprise_id, open) = self.open_approval(id)?;
        if let Some(pause) = open {
            self.end_pause(pause, enterprise_id, now)?;
        }
        self.audited_update("decide", "approvals", id, Some(enterprise_id), || {
            self.conn().execute(
                "UPDATE approvals SET decided_at = ?2, decision = ?3 WHERE id = ?1",
                params![id, now.as_second(), decision],
            )?;
            Ok(())
        })
    }
}

impl Store {
    fn attach_pauses(&self, rows: &mut [ApprovalRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
        let mut stmt = self.conn().prepare(&format!(
            "SELECT approval_id, reason, started_at, ended_at FROM approval_pauses
             WHERE approval_id IN ({}) ORDER BY started_at",
            ids.join(",")
        ))?;
        let mut by_id: HashMap<i64, Vec<PauseRow>> = HashMap::new();
        let pauses = stmt.query_map([], |r| {
            let reason: String = r.get(1)?;
            Ok((
                r.get::<_, i64>(0)?,
                PauseRow {
                    reason: PauseReason::parse(&reason).unwrap_or(PauseReason::Correction),
                    started_at: ts(r.get(2)?),
                    ended_at: opt_ts(r.get(3)?),
                },
            ))
        })?;
        for p in pauses {
            let (id, row) = p?;
            by_id.entry(id).or_default().push(row);
        }
        for r in rows.iter_mut() {
            r.pauses = by_id.remove(&r.id).unwrap_or_default();
        }
        Ok(())
    }

    /// Approvals not yet decided (and, when asked, the decided ones too), with their pauses.
    pub fn approvals(&self, include_decided: bool) -> Result<Vec<ApprovalRow>> {
        let filter = if include_decided {
            ""
        } else {
            " WHERE a.decided_at IS NULL"
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "{APPROVAL_SELECT}{filter} ORDER BY a.accepted_at, a.id"
        ))?;
        let mut rows = stmt
            .query_map([], approval_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    pub fn approvals_of(&self, enterprise_id: i64) -> Result<Vec<ApprovalRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{APPROVAL_SELECT} WHERE a.enterprise_id = ?1 ORDER BY a.decided_at IS NOT NULL, a.accepted_at"
        ))?;
        let mut rows = stmt
            .query_map([enterprise_id], approval_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    pub fn approval(&self, id: i64) -> Result<Option<ApprovalRow>> {
        let row = self
            .conn()
            .query_row(
                &format!("{APPROVAL_SELECT} WHERE a.id = ?1"),
                [id],
                approval_from,
            )
            .optional()?;
        Ok(match row {
            Some(r) => {
                let mut v = vec![r];
                self.attach_pauses(&mut v)?;
                v.pop()
            }
            None => None,
        })
    }
}
