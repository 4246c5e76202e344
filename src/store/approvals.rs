//! Approvals and their clock pauses.

use super::db::{OptionalExtension, params};
use super::{Store, Writer, opt_ts, ts};
use crate::calendar::{ClockPause, Countdown, WorkingCalendar, due_instant};
use crate::domain::approval::{
    ApprovalKind, ApprovalPlace, ApprovalStatus, ApprovalTerms, DeadlineRule, NEARLY_DUE_FRACTION,
    PauseReason, PauseSpan, approval_countdown, check_acceptance, check_correction, check_decision,
    check_pause_start, check_pauses, deadline_rule,
};
use crate::domain::credit::CreditLevel;
use crate::domain::measures::MeasureCatalog;
use crate::domain::message::Message;
use anyhow::Result;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;

pub struct NewApproval<'a> {
    pub kind: ApprovalKind,
    pub enterprise_id: i64,
    pub reference: &'a str,
    pub accepted_at: Timestamp,
    pub pauses: &'a [(PauseReason, Timestamp, Option<Timestamp>)],
    pub decided: Option<(Timestamp, &'a str)>,
    /// Shanghai Customs holds the final authority for the product (measure 26).
    pub final_authority: bool,
    /// Who approved a 第42条 extension, when there was one.
    pub extended_by: Option<&'a str>,
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
    /// The due instant as last computed by the domain rules (none while the clock is stopped).
    pub due_at: Option<Timestamp>,
    /// Shanghai Customs holds the final authority (终审权限) for the product (measure 26).
    pub final_authority: bool,
    /// The head of office who approved a 第42条 extension, and when it was recorded.
    pub extended_by: Option<String>,
    pub extended_at: Option<Timestamp>,
    pub pauses: Vec<PauseRow>,
}

impl ApprovalRow {
    /// Where the approval stands in the one order of approvals.
    pub fn place(&self) -> ApprovalPlace<'_> {
        ApprovalPlace {
            decided: self.decided_at.is_some(),
            due: self.due_at,
            reference: &self.reference,
            id: self.id,
        }
    }

    pub fn status(&self) -> ApprovalStatus {
        if self.decided_at.is_some() {
            ApprovalStatus::Decided
        } else if self.pauses.iter().any(|p| p.ended_at.is_none()) {
            ApprovalStatus::Paused
        } else {
            ApprovalStatus::Running
        }
    }

    pub fn terms(&self) -> ApprovalTerms<'_> {
        ApprovalTerms {
            final_authority: self.final_authority,
            extended_by: self.extended_by.as_deref(),
        }
    }

    pub fn rule(&self, catalog: &MeasureCatalog) -> DeadlineRule {
        deadline_rule(self.kind, self.credit, self.terms(), catalog)
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

/// The `ORDER BY` that mirrors the domain's [`ApprovalPlace`] order (the due instant is the cached
/// `due_at`, NULL while the clock is stopped); a test checks the two agree.
/// Among undecided approvals it is `OPEN_APPROVAL_ORDER`, which the index `approvals_by_due` serves.
const APPROVAL_ORDER: &str =
    "a.decided_at IS NOT NULL, coalesce(a.due_at, 9223372036854775807), a.reference, a.id";
pub(super) const OPEN_APPROVAL_ORDER: &str =
    "coalesce(a.due_at, 9223372036854775807), a.reference, a.id";

/// The same orders in PostgreSQL, where `due_at` is a `timestamptz` and an ascending order puts
/// NULL (a stopped clock) last by itself; the index `approvals_by_due` (due_at, reference, id)
/// serves the open order.
const APPROVAL_ORDER_PG: &str = "a.decided_at IS NOT NULL, a.due_at, a.reference, a.id";
pub(super) const OPEN_APPROVAL_ORDER_PG: &str = "a.due_at, a.reference, a.id";

pub(super) const APPROVAL_SELECT: &str = "SELECT a.id, a.kind, a.enterprise_id, e.name_zh, e.credit, a.reference, a.accepted_at, a.decided_at, a.decision, a.due_at,
        a.final_authority, a.extended_by, a.extended_at
     FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id";

impl Store {
    /// `APPROVAL_SELECT` for lists of undecided approvals in `OPEN_APPROVAL_ORDER`: SQLite is
    /// told to walk the index of open approvals in that order (left to itself it read every
    /// open approval and sorted them, 44 ms on 15,000 for a window of 40); PostgreSQL's
    /// planner weighs the LIMIT itself. The query must say `a.decided_at IS NULL`.
    pub(super) fn open_approval_select(&self) -> std::borrow::Cow<'static, str> {
        match self.dialect() {
            super::Dialect::Sqlite => APPROVAL_SELECT
                .replacen(
                    "FROM approvals a",
                    &format!("FROM {}", self.open_approvals()),
                    1,
                )
                .into(),
            super::Dialect::Postgres => APPROVAL_SELECT.into(),
        }
    }

    /// `approvals a` for statements that read undecided approvals along their index (SQLite is
    /// told to; it carries each one's order, reference, enterprise and kind). The query must
    /// say `a.decided_at IS NULL`.
    pub(super) fn open_approvals(&self) -> &'static str {
        self.conn()
            .pick("approvals a INDEXED BY approvals_open_due", "approvals a")
    }
}

pub(super) fn approval_from(r: &super::db::Row<'_>) -> anyhow::Result<ApprovalRow> {
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
        due_at: opt_ts(r.get(9)?),
        final_authority: r.get(10)?,
        extended_by: r.get(11)?,
        extended_at: opt_ts(r.get(12)?),
        pauses: Vec::new(),
    })
}

/// What the cached deadlines depend on: the holiday data and the limits of the rules.
fn deadline_signature() -> String {
    let cat = MeasureCatalog::official();
    format!(
        "{}|{:?}|{:?}|{:?}",
        crate::calendar::data_signature(),
        cat.special_articles_approval(),
        cat.animal_plant_approval(),
        cat.advance_ruling_acceptance()
    )
}

/// The instant an undecided approval turns "nearly due": the first second at which no more than
/// the nearly-due share of its counted time is left.
fn nearly_due_at(
    cal: &WorkingCalendar,
    rule: &DeadlineRule,
    accepted_at: Timestamp,
    pauses: &[ClockPause],
    due: Timestamp,
) -> Timestamp {
    let (mut lo, mut hi) = (accepted_at.as_second(), due.as_second());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let c = approval_countdown(cal, rule, accepted_at, pauses, ts(mid));
        if c.overdue || c.fraction_left <= NEARLY_DUE_FRACTION {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    ts(lo)
}

impl Writer<'_> {
    /// Recomputes the cached due and nearly-due instants of one approval from the domain rules.
    pub(crate) fn refresh_deadline(&self, id: i64) -> Result<()> {
        let row = self
            .conn()
            .prepare_cached(&format!("{APPROVAL_SELECT} WHERE a.id = ?1"))?
            .query_row([id], approval_from)
            .optional()?
            .ok_or_else(|| no_approval(id))?;
        let pauses: Vec<ClockPause> = self
            .conn()
            .prepare_cached(
                "SELECT started_at, ended_at FROM approval_pauses WHERE approval_id = ?1",
            )?
            .query_map([id], |r| {
                Ok(ClockPause {
                    start: ts(r.get(0)?),
                    end: opt_ts(r.get(1)?),
                })
            })?
            .collect::<anyhow::Result<_>>()?;
        let cal = WorkingCalendar::official();
        let rule = row.rule(MeasureCatalog::official());
        let (due, _) = due_instant(cal, row.accepted_at, rule.limit_days, rule.count, &pauses);
        let warn = due.map(|d| nearly_due_at(cal, &rule, row.accepted_at, &pauses, d));
        self.conn()
            .prepare_cached("UPDATE approvals SET due_at = ?2, warn_at = ?3 WHERE id = ?1")?
            .execute(params![
                id,
                due.map(|t| t.as_second()),
                warn.map(|t| t.as_second())
            ])?;
        Ok(())
    }

    pub fn insert_approval(&self, a: &NewApproval<'_>) -> Result<i64> {
        check_acceptance(a.accepted_at, self.now)?;
        let spans: Vec<PauseSpan> = a
            .pauses
            .iter()
            .map(|(_, start, end)| PauseSpan {
                start: *start,
                end: *end,
            })
            .collect();
        check_pauses(a.accepted_at, &spans, a.decided.map(|d| d.0))?;
        if let Some(approver) = a.extended_by {
            let credit = self.credit_of(a.enterprise_id)?;
            let terms = ApprovalTerms {
                final_authority: a.final_authority,
                extended_by: None,
            };
            deadline_rule(a.kind, credit, terms, MeasureCatalog::official())
                .check_extension(approver)?;
        }
        self.conn().execute(
            "INSERT INTO approvals (kind, enterprise_id, reference, accepted_at, decided_at, decision,
                final_authority, extended_by, extended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                a.kind.code(),
                a.enterprise_id,
                a.reference,
                a.accepted_at.as_second(),
                a.decided.map(|d| d.0.as_second()),
                a.decided.map(|d| d.1),
                a.final_authority,
                a.extended_by.map(str::trim),
                a.extended_by.map(|_| self.now.as_second())
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("approvals", id, Some(a.enterprise_id))?;
        for (reason, start, end) in a.pauses {
            self.conn().execute(
                "INSERT INTO approval_pauses (approval_id, reason, started_at, ended_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, reason.code(), start.as_second(), end.map(|t| t.as_second())],
            )?;
            let pause = self.conn().last_insert_rowid()?;
            self.record_created("approval_pauses", pause, Some(a.enterprise_id))?;
        }
        self.refresh_deadline(id)?;
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
        let (decided, enterprise_id, open_pause) = row.ok_or_else(|| no_approval(id))?;
        if decided.is_some() {
            return Err(Message::new(
                format!("审批 #{id} 已办结"),
                format!("approval #{id} is already decided"),
            )
            .into());
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
                    self.conn().pick(
                        "UPDATE approval_pauses SET ended_at = max(started_at, ?2) WHERE id = ?1",
                        "UPDATE approval_pauses SET ended_at = greatest(started_at, ?2::timestamptz) WHERE id = ?1",
                    ),
                    params![pause, now.as_second()],
                )?;
                Ok(())
            },
        )
    }

    /// The acceptance and the pauses of an approval, as the domain's checks read them.
    fn clock_of(&self, id: i64) -> Result<(Timestamp, Vec<PauseSpan>)> {
        let accepted: i64 = self.conn().query_row(
            "SELECT accepted_at FROM approvals WHERE id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let spans = self
            .conn()
            .prepare_cached(
                "SELECT started_at, ended_at FROM approval_pauses WHERE approval_id = ?1 ORDER BY started_at",
            )?
            .query_map([id], |r| {
                Ok(PauseSpan {
                    start: ts(r.get(0)?),
                    end: opt_ts(r.get(1)?),
                })
            })?
            .collect::<anyhow::Result<_>>()?;
        Ok((ts(accepted), spans))
    }

    /// Stops the clock (the reasons of 行政许可法 第45条); not before acceptance, not twice.
    pub fn pause_approval(&self, id: i64, reason: PauseReason, now: Timestamp) -> Result<()> {
        let (enterprise_id, _) = self.open_approval(id)?;
        let (accepted, spans) = self.clock_of(id)?;
        check_pause_start(accepted, &spans, now).map_err(|m| {
            m.after(&Message::new(
                format!("审批 #{id}"),
                format!("approval #{id}"),
            ))
        })?;
        self.conn().execute(
            "INSERT INTO approval_pauses (approval_id, reason, started_at) VALUES (?1, ?2, ?3)",
            params![id, reason.code(), now.as_second()],
        )?;
        let pause = self.conn().last_insert_rowid()?;
        let after = self.snapshot("approval_pauses", pause)?;
        self.record(
            "pause",
            "approval_pauses",
            pause,
            Some(enterprise_id),
            None,
            after,
        )?;
        self.refresh_deadline(id)
    }

    pub fn resume_approval(&self, id: i64, now: Timestamp) -> Result<()> {
        let (enterprise_id, open) = self.open_approval(id)?;
        let pause = open.ok_or_else(|| {
            Message::new(
                format!("审批 #{id} 没有暂停计时，无需恢复"),
                format!("approval #{id} is not paused"),
            )
        })?;
        self.end_pause(pause, enterprise_id, now)?;
        self.refresh_deadline(id)
    }

    fn credit_of(&self, enterprise_id: i64) -> Result<CreditLevel> {
        let credit: String = self
            .conn()
            .query_row(
                "SELECT credit FROM enterprises WHERE id = ?1",
                [enterprise_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                Message::new(
                    format!("没有企业 #{enterprise_id}"),
                    format!("no enterprise with id {enterprise_id}"),
                )
            })?;
        credit.parse().map_err(|e: String| anyhow::anyhow!(e))
    }

    fn open_row(&self, id: i64) -> Result<ApprovalRow> {
        self.open_approval(id)?;
        self.conn()
            .prepare_cached(&format!("{APPROVAL_SELECT} WHERE a.id = ?1"))?
            .query_row([id], approval_from)
            .optional()?
            .ok_or_else(|| no_approval(id).into())
    }

    /// 补正 (行政许可法 第32条): the complete material was received at `received`, and the
    /// application counts as accepted from then: the acceptance moves, the clock starts again.
    pub fn correct_acceptance(&self, id: i64, received: Timestamp) -> Result<()> {
        let row = self.open_row(id)?;
        let (accepted, spans) = self.clock_of(id)?;
        check_correction(accepted, &spans, received, self.now).map_err(|m| {
            m.after(&Message::new(
                format!("审批 #{id}"),
                format!("approval #{id}"),
            ))
        })?;
        self.audited_update("correct", "approvals", id, Some(row.enterprise_id), || {
            self.conn().execute(
                "UPDATE approvals SET accepted_at = ?2 WHERE id = ?1",
                params![id, received.as_second()],
            )?;
            Ok(())
        })?;
        self.refresh_deadline(id)
    }

    /// 行政许可法 第42条: the limit extended once by ten days, approved by `approver` (the head of
    /// the office); only a licence's regular limit.
    pub fn extend_approval(&self, id: i64, approver: &str) -> Result<()> {
        let row = self.open_row(id)?;
        row.rule(MeasureCatalog::official())
            .check_extension(approver)
            .map_err(|m| {
                m.after(&Message::new(
                    format!("审批 #{id}"),
                    format!("approval #{id}"),
                ))
            })?;
        self.audited_update("extend", "approvals", id, Some(row.enterprise_id), || {
            self.conn().execute(
                "UPDATE approvals SET extended_by = ?2, extended_at = ?3 WHERE id = ?1",
                params![id, approver.trim(), self.now.as_second()],
            )?;
            Ok(())
        })?;
        self.refresh_deadline(id)
    }

    /// Records whether Shanghai Customs holds the final authority for the approval's product
    /// (measure 26); the deadline follows.
    pub fn set_final_authority(&self, id: i64, final_authority: bool) -> Result<()> {
        let row = self.open_row(id)?;
        row.kind.check_final_authority().map_err(|m| {
            m.after(&Message::new(
                format!("审批 #{id}"),
                format!("approval #{id}"),
            ))
        })?;
        self.audited_update(
            "final_authority",
            "approvals",
            id,
            Some(row.enterprise_id),
            || {
                self.conn().execute(
                    "UPDATE approvals SET final_authority = ?2 WHERE id = ?1",
                    params![id, final_authority],
                )?;
                Ok(())
            },
        )?;
        self.refresh_deadline(id)
    }

    /// Records the decision; refused while the clock is paused (resume it first).
    pub fn decide_approval(&self, id: i64, decision: &str, now: Timestamp) -> Result<()> {
        let (enterprise_id, _) = self.open_approval(id)?;
        let (_, spans) = self.clock_of(id)?;
        check_decision(&spans, now).map_err(|m| {
            m.after(&Message::new(
                format!("审批 #{id}"),
                format!("approval #{id}"),
            ))
        })?;
        self.audited_update("decide", "approvals", id, Some(enterprise_id), || {
            self.conn().execute(
                "UPDATE approvals SET decided_at = ?2, decision = ?3 WHERE id = ?1",
                params![id, now.as_second(), decision],
            )?;
            Ok(())
        })?;
        self.refresh_deadline(id)
    }
}

/// The head of the approvals pane: how many are undecided, overdue and nearly due at `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApprovalsSummary {
    pub open: usize,
    pub overdue: usize,
    pub nearly_due: usize,
}

impl Store {
    /// Recomputes every undecided approval's cached deadline when the holiday data or the limits
    /// differ from those it was computed with (a new binary, or a database from before schema 4).
    pub(crate) fn refresh_deadline_cache_if_stale(&mut self) -> Result<()> {
        let want = deadline_signature();
        let have: Option<String> = self
            .conn()
            .query_row(
                "SELECT signature FROM deadline_cache WHERE id = 1",
                (),
                |r| r.get(0),
            )
            .optional()?;
        if have.as_deref() == Some(want.as_str()) {
            return Ok(());
        }
        self.write(|w| {
            let ids: Vec<i64> = w
                .conn()
                .prepare("SELECT id FROM approvals WHERE decided_at IS NULL")?
                .query_map((), |r| r.get(0))?
                .collect::<anyhow::Result<_>>()?;
            for id in ids {
                w.refresh_deadline(id)?;
            }
            w.conn().execute(
                "INSERT INTO deadline_cache (id, signature) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET signature = excluded.signature",
                [&want],
            )?;
            Ok(())
        })
    }

    /// One window of the undecided approvals, the earliest deadline first; paused clocks (no
    /// deadline while paused) last.
    pub fn approvals_window(&self, limit: usize, offset: usize) -> Result<Vec<ApprovalRow>> {
        let order = self
            .conn()
            .pick(OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG);
        let mut stmt = self.conn().prepare_cached(&format!(
            "{} WHERE a.decided_at IS NULL
             ORDER BY {order} LIMIT ?1 OFFSET ?2",
            self.open_approval_select()
        ))?;
        let mut rows = stmt
            .query_map(params![limit as i64, offset as i64], approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    /// Undecided approvals overdue or nearly due at `now`, the earliest deadline first.
    pub fn approvals_urgent(&self, now: Timestamp, limit: usize) -> Result<Vec<ApprovalRow>> {
        let order = self
            .conn()
            .pick(OPEN_APPROVAL_ORDER, OPEN_APPROVAL_ORDER_PG);
        let mut stmt = self.conn().prepare_cached(&format!(
            "{} WHERE a.decided_at IS NULL AND a.warn_at <= ?1
             ORDER BY {order} LIMIT ?2",
            self.open_approval_select()
        ))?;
        let mut rows = stmt
            .query_map(params![now.as_second(), limit as i64], approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    pub fn approvals_summary(&self, now: Timestamp) -> Result<ApprovalsSummary> {
        // PostgreSQL has no sum of a boolean: it counts the rows that pass a filter.
        let (open, overdue, nearly): (i64, Option<i64>, Option<i64>) = self.conn().query_row(
            self.conn().pick(
                // Read from the open approvals' index alone (its key holds the deadline as
                // `coalesce(due_at, MAX)`; MAX is a stopped clock, neither overdue nor near).
                "SELECT count(*), sum(coalesce(due_at, 9223372036854775807) <= ?1),
                    sum(warn_at <= ?1 AND coalesce(due_at, 9223372036854775807) > ?1
                        AND coalesce(due_at, 9223372036854775807) < 9223372036854775807)
             FROM approvals INDEXED BY approvals_open_due WHERE decided_at IS NULL",
                // Read from approvals_open_clock alone (the open approvals' due and warning
                // times; approvals_open_due also holds each reference, and the planner read
                // the table instead).
                "SELECT count(*), count(*) FILTER (WHERE due_at <= ?1::timestamptz),
                    count(*) FILTER (WHERE warn_at <= ?1::timestamptz AND due_at > ?1::timestamptz)
             FROM approvals WHERE decided_at IS NULL",
            ),
            [now.as_second()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(ApprovalsSummary {
            open: open as usize,
            overdue: overdue.unwrap_or(0) as usize,
            nearly_due: nearly.unwrap_or(0) as usize,
        })
    }

    pub(super) fn attach_pauses(&self, rows: &mut [ApprovalRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // The ids as one parameter: one statement, prepared once per connection (with the ids
        // in its text, each window was a new statement, and PostgreSQL kept every one of them
        // prepared for as long as the console ran).
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT approval_id, reason, started_at, ended_at FROM approval_pauses
             WHERE {} ORDER BY started_at",
            self.conn().in_list("approval_id", "?1", true)
        ))?;
        let mut by_id: HashMap<i64, Vec<PauseRow>> = HashMap::new();
        let pauses = stmt.query_map([serde_json::to_string(&ids)?], |r| {
            let reason: String = r.get(1)?;
            Ok((
                r.get::<i64>(0)?,
                PauseRow {
                    reason: PauseReason::parse(&reason).unwrap_or(PauseReason::Testing),
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
        let order = self.conn().pick(APPROVAL_ORDER, APPROVAL_ORDER_PG);
        let mut stmt = self
            .conn()
            .prepare_cached(&format!("{APPROVAL_SELECT}{filter} ORDER BY {order}"))?;
        let mut rows = stmt
            .query_map((), approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.attach_pauses(&mut rows)?;
        Ok(rows)
    }

    pub fn approvals_of(&self, enterprise_id: i64) -> Result<Vec<ApprovalRow>> {
        let order = self.conn().pick(APPROVAL_ORDER, APPROVAL_ORDER_PG);
        let mut stmt = self.conn().prepare_cached(&format!(
            "{APPROVAL_SELECT} WHERE a.enterprise_id = ?1 ORDER BY {order}"
        ))?;
        let mut rows = stmt
            .query_map([enterprise_id], approval_from)?
            .collect::<anyhow::Result<Vec<_>>>()?;
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

fn no_approval(id: i64) -> Message {
    Message::new(format!("没有审批 #{id}"), format!("no approval #{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::approval::{Urgency, urgency};

    /// Schema 13: a 补正 recorded as a pause in an older database becomes the acceptance, the
    /// pauses before it go, and the deadlines are computed again. SQLite only: it upgrades an
    /// SQLite file of schema 12; a PostgreSQL database starts at the final schema.
    #[test]
    fn a_correction_pause_of_an_older_database_becomes_the_acceptance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            rusqlite_migration::Migrations::from_slice(&super::super::MIGRATIONS[..12])
                .to_latest(&mut conn)
                .unwrap();
            conn.execute_batch(
                "INSERT INTO enterprises (id, uscc, customs_code, name_zh, pinyin, initials, credit)
                 VALUES (1, '91310000132260250X', '3105910001', '上海汽车集团股份有限公司', 'shanghaiqiche', 'shqc', 'advanced');
                 INSERT INTO approvals (id, kind, enterprise_id, reference, accepted_at)
                 VALUES (1, 'special_articles', 1, 'TW1', 1795140000), (2, 'animal_plant', 1, 'DZ2', 1795140000);
                 INSERT INTO approval_pauses (approval_id, reason, started_at, ended_at)
                 VALUES (1, 'expert_review', 1795140100, 1795140200),
                        (1, 'correction', 1795140000, 1795226400),
                        (1, 'testing', 1795230000, 1795233600),
                        (2, 'hearing', 1795150000, NULL);",
            )
            .unwrap();
        }
        let store = Store::open(&path, crate::store::Access::ReadWrite).unwrap();
        let a = store.approval(1).unwrap().unwrap();
        assert_eq!(
            a.accepted_at.as_second(),
            1795226400,
            "accepted when the material was complete"
        );
        let reasons: Vec<PauseReason> = a.pauses.iter().map(|p| p.reason).collect();
        assert_eq!(
            reasons,
            [PauseReason::Testing],
            "no pause before the acceptance is left"
        );
        let cal = WorkingCalendar::official();
        let cat = MeasureCatalog::official();
        let due = a.countdown(cal, cat, a.accepted_at).due;
        assert_eq!(
            a.due_at, due,
            "the cached deadline follows the new acceptance"
        );
        let b = store.approval(2).unwrap().unwrap();
        assert_eq!(b.accepted_at.as_second(), 1795140000);
        assert_eq!(b.pauses.len(), 1);
        assert!(b.final_authority && b.extended_by.is_none());
    }

    /// The cached instants agree with the live countdown of every approval in the demo, on
    /// each backend.
    #[test]
    fn the_deadline_cache_orders_and_counts_as_the_countdowns_do() {
        for db in crate::store::testing::each_backend() {
            eprintln!("on {:?}", db.backend);
            deadline_cache_orders_and_counts_as_the_countdowns_do(db.location());
        }
    }

    fn deadline_cache_orders_and_counts_as_the_countdowns_do(path: &std::path::Path) {
        let mut store = Store::open(path, crate::store::Access::ReadWrite).unwrap();
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        let cal = WorkingCalendar::official();
        let cat = MeasureCatalog::official();
        crate::demo::fill(&mut store, &Default::default(), now, cal, cat).unwrap();
        let all = store.approvals(false).unwrap();
        let summary = store.approvals_summary(now).unwrap();
        let counts: Vec<Countdown> = all.iter().map(|a| a.countdown(cal, cat, now)).collect();
        assert_eq!(summary.open, all.len());
        assert_eq!(summary.overdue, counts.iter().filter(|c| c.overdue).count());
        assert_eq!(
            summary.nearly_due,
            counts
                .iter()
                .filter(|c| urgency(c) == Urgency::NearlyDue)
                .count()
        );
        let window = store.approvals_window(all.len(), 0).unwrap();
        // The store's order is the domain's order.
        let mut sorted = all.clone();
        sorted.sort_by(|a, b| a.place().cmp(&b.place()));
        let ids = |v: &[ApprovalRow]| v.iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(ids(&window), ids(&sorted));
        assert_eq!(ids(&all), ids(&sorted));
        let dues: Vec<Option<Timestamp>> = window
            .iter()
            .map(|a| a.countdown(cal, cat, now).due)
            .collect();
        let running: Vec<Timestamp> = dues.iter().flatten().copied().collect();
        assert!(
            running.windows(2).all(|w| w[0] <= w[1]),
            "earliest deadline first"
        );
        assert!(
            dues.iter().skip_while(|d| d.is_some()).all(|d| d.is_none()),
            "paused clocks last"
        );
        // A pause takes the approval's deadline away; resuming gives it back, later.
        let i = dues
            .iter()
            .position(|d| d.is_some_and(|d| d > now))
            .unwrap();
        let (id, before) = (window[i].id, dues[i].unwrap());
        store
            .write(|w| w.pause_approval(id, PauseReason::Testing, now))
            .unwrap();
        let due_of = |store: &Store| -> Option<i64> {
            store
                .conn()
                .query_row("SELECT due_at FROM approvals WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap()
        };
        assert_eq!(
            due_of(&store),
            None,
            "no deadline while the clock is stopped"
        );
        let order: Vec<i64> = store
            .approvals_window(all.len(), 0)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        let paused_from = dues.iter().position(|d| d.is_none()).unwrap_or(order.len()) - 1;
        assert!(
            order[paused_from..].contains(&id),
            "among the paused, after the running"
        );
        let later = now + jiff::SignedDuration::from_hours(48);
        store.write(|w| w.resume_approval(id, later)).unwrap();
        assert!(
            due_of(&store).unwrap() > before.as_second(),
            "a pause moves the deadline later"
        );
    }

    /// Every change of an approval lands alike on each backend: a pause, a resume stamped before
    /// the pause began (ended when it began), an extension, a 补正, the final authority, a
    /// decision; the rows, the cached deadlines and the audit trail agree.
    #[test]
    fn approval_changes_land_alike_on_each_backend() {
        let now: Timestamp = "2026-11-27T02:00:00Z".parse().unwrap();
        let cal = WorkingCalendar::official();
        let cat = MeasureCatalog::official();
        let hour = jiff::SignedDuration::from_hours(1);
        let mut seen = Vec::new();
        for db in crate::store::testing::each_backend() {
            let mut store = Store::open(db.location(), crate::store::Access::ReadWrite).unwrap();
            crate::demo::fill(&mut store, &Default::default(), now, cal, cat).unwrap();
            let open = store.approvals(false).unwrap();
            // Running clocks of this kind; `regular`: of a regular-credit enterprise, whose
            // limit 第42条 may extend.
            let running = |kind: ApprovalKind, regular: bool| {
                open.iter()
                    .find(|a| {
                        a.kind == kind
                            && a.status() == ApprovalStatus::Running
                            && (a.credit == CreditLevel::Regular) == regular
                    })
                    .unwrap()
                    .id
            };
            let (a, b) = (
                running(ApprovalKind::SpecialArticles, false),
                running(ApprovalKind::SpecialArticles, true),
            );
            let c = running(ApprovalKind::AnimalPlant, false);
            store
                .write(|w| w.pause_approval(a, PauseReason::Testing, now))
                .unwrap();
            store.write(|w| w.resume_approval(a, now - hour)).unwrap();
            let pause = store.approval(a).unwrap().unwrap().pauses.pop().unwrap();
            assert_eq!(pause.ended_at, Some(pause.started_at), "{:?}", db.backend);
            let refused = store.write(|w| w.extend_approval(b, "")).is_err();
            store.write(|w| w.extend_approval(b, "张科长")).unwrap();
            let accepted = store.approval(b).unwrap().unwrap().accepted_at;
            store
                .write(|w| w.correct_acceptance(b, accepted + hour))
                .unwrap();
            store.write(|w| w.set_final_authority(c, false)).unwrap();
            store
                .write(|w| w.decide_approval(c, "准予许可", now))
                .unwrap();
            let twice = store.write(|w| w.decide_approval(c, "x", now)).is_err();
            let rows: Vec<_> = [a, b, c]
                .iter()
                .map(|id| {
                    let r = store.approval(*id).unwrap().unwrap();
                    let warn: Option<i64> = store
                        .conn()
                        .query_row("SELECT warn_at FROM approvals WHERE id = ?1", [id], |r| {
                            r.get(0)
                        })
                        .unwrap();
                    (
                        r.accepted_at,
                        r.decided_at,
                        r.decision,
                        r.due_at,
                        warn,
                        r.final_authority,
                        r.extended_by,
                        r.pauses.len(),
                    )
                })
                .collect();
            let audit: i64 = store
                .conn()
                .query_row(
                    "SELECT count(*) FROM audit_log WHERE entity IN ('approvals', 'approval_pauses')",
                    (),
                    |r| r.get(0),
                )
                .unwrap();
            let summary = store.approvals_summary(now).unwrap();
            seen.push((db.backend, (rows, audit, summary, refused, twice)));
        }
        for (backend, got) in &seen[1..] {
            assert_eq!(got, &seen[0].1, "{backend:?} against {:?}", seen[0].0);
        }
        let (_, (rows, _, _, refused, twice)) = &seen[0];
        assert!(*refused && *twice);
        assert!(rows[2].1.is_some() && !rows[2].5);
        assert_eq!(rows[1].6.as_deref(), Some("张科长"));
    }
}
