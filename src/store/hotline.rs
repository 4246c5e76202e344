//! The hotline's work loop in the store: calls, problems and their notes, verification plans,
//! the coordinators of an enterprise and its designated hotline person. Every change re-checks
//! its rule inside the transaction and is audited.

use super::db::{Db, OptionalExtension, Row, params};
use super::enterprises::{COORDINATOR_COLS, coordinator_from};
use super::{Store, Writer, opt_ts, ts};
use crate::domain::call::{CallDraft, CallOutcome, Channel, check_call, measures_text};
use crate::domain::credit::CreditLevel;
use crate::domain::duty::by_duty;
use crate::domain::enterprise::Coordinator;
use crate::domain::message::Message;
use crate::domain::problem::{Lateness, Problem, ProblemAction, ProblemStatus, transition};
use crate::domain::verification::{
    PlannedVerification, ScheduleRequest, VerificationKind, check_merge, check_schedule,
};
use anyhow::{Result, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

pub struct NewCall<'a> {
    pub at: Timestamp,
    pub operator: &'a str,
    pub enterprise_id: Option<i64>,
    pub caller_name: Option<&'a str>,
    pub caller_phone: Option<&'a str>,
    pub channel: Channel,
    pub measures: &'a [u8],
    pub question: &'a str,
    pub answer: &'a str,
    pub outcome: CallOutcome,
    pub callback_by: Option<Timestamp>,
    /// For a forwarded call: the coordinator it went to.
    pub forwarded_to: Option<i64>,
    /// Who the call is marked for; None: the enterprise's designated hotline person now.
    pub marked_for: Option<Option<&'a str>>,
    /// A call whose outcome is "problem" opens the problem (not when importing history, whose
    /// problems are imported on their own).
    pub open_problem: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallRow {
    pub id: i64,
    pub at: Timestamp,
    pub operator: String,
    pub enterprise_id: Option<i64>,
    pub enterprise: Option<String>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub channel: Channel,
    pub measures: Vec<u8>,
    pub question: String,
    pub answer: String,
    pub outcome: CallOutcome,
    pub callback_by: Option<Timestamp>,
    pub callback_done_at: Option<Timestamp>,
    pub forwarded_to: Option<i64>,
    pub forwarded_to_name: Option<String>,
    /// The enterprise's designated hotline person when the call came in (measure 33).
    pub marked_for: Option<String>,
    /// The problem opened from this call.
    pub problem_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    pub enterprise_id: Option<i64>,
    pub since: Option<Timestamp>,
    pub callbacks_open: bool,
    pub limit: usize,
}

pub struct OpenProblem<'a> {
    pub enterprise_id: i64,
    pub title: &'a str,
    /// The Shanghai office concerned ('' when not known).
    pub district: &'a str,
    pub districts: &'a [String],
    pub coordinator_id: Option<i64>,
    pub call_id: Option<i64>,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemRow {
    #[serde(flatten)]
    pub problem: Problem,
    pub enterprise: String,
    pub coordinator: Option<String>,
    pub resolved_by: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub open_only: bool,
    /// Open, assigned and resolved (waiting for the enterprise to confirm): all but closed.
    pub not_closed: bool,
    pub enterprise_id: Option<i64>,
    pub coordinator_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemNote {
    pub id: i64,
    pub at: Timestamp,
    pub operator: String,
    pub text: String,
}

pub struct NewPlan<'a> {
    pub enterprise_id: i64,
    pub kind: VerificationKind,
    pub date: Date,
    pub instruction: &'a str,
    pub team: &'a str,
    pub self_check: bool,
    pub override_reason: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerificationRow {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub credit: CreditLevel,
    pub kind: VerificationKind,
    pub date: Date,
    pub instruction: String,
    pub team: String,
    pub self_check: bool,
    pub override_reason: Option<String>,
    pub flagged: Option<String>,
    pub merged_into: Option<i64>,
}

const CALL_COLS: &str = "k.id, k.at, k.operator, k.enterprise_id, e.name_zh, k.caller_name, k.caller_phone, k.channel, k.measures, k.question, k.answer, k.outcome, k.callback_by, k.callback_done_at, k.forwarded_to, c.name, k.marked_for, (SELECT min(p.id) FROM problems p WHERE p.call_id = k.id)";
const CALL_FROM: &str = "FROM calls k LEFT JOIN enterprises e ON e.id = k.enterprise_id LEFT JOIN coordinators c ON c.id = k.forwarded_to";

fn call_from(r: &Row<'_>) -> anyhow::Result<CallRow> {
    let measures: String = r.get(8)?;
    Ok(CallRow {
        id: r.get(0)?,
        at: ts(r.get(1)?),
        operator: r.get(2)?,
        enterprise_id: r.get(3)?,
        enterprise: r.get(4)?,
        caller_name: r.get(5)?,
        caller_phone: r.get(6)?,
        channel: Channel::parse(&r.get::<String>(7)?).unwrap_or(Channel::Hotline),
        measures: measures.split(',').filter_map(|m| m.parse().ok()).collect(),
        question: r.get(9)?,
        answer: r.get(10)?,
        outcome: CallOutcome::parse(&r.get::<String>(11)?).unwrap_or(CallOutcome::Answered),
        callback_by: opt_ts(r.get(12)?),
        callback_done_at: opt_ts(r.get(13)?),
        forwarded_to: r.get(14)?,
        forwarded_to_name: r.get(15)?,
        marked_for: r.get(16)?,
        problem_id: r.get(17)?,
    })
}

pub(crate) const PROBLEM_COLS: &str = "p.id, p.enterprise_id, p.title, p.district, p.districts, p.status, p.coordinator_id, p.call_id, p.opened_at, p.first_reply_at, p.cleared_at, p.resolution, p.closed_at, e.name_zh, c.name, p.resolved_by";
/// How many recent opening days of problems the server judges against their due times.
const JUDGED_DAYS: usize = 31;

const PROBLEM_FROM: &str = "FROM problems p JOIN enterprises e ON e.id = p.enterprise_id LEFT JOIN coordinators c ON c.id = p.coordinator_id";

fn problem_from(r: &Row<'_>) -> anyhow::Result<ProblemRow> {
    let districts: String = r.get(4)?;
    Ok(ProblemRow {
        problem: Problem {
            id: r.get(0)?,
            enterprise_id: r.get(1)?,
            title: r.get(2)?,
            district: r.get(3)?,
            districts: districts
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect(),
            status: ProblemStatus::parse(&r.get::<String>(5)?).unwrap_or(ProblemStatus::Open),
            coordinator_id: r.get(6)?,
            call_id: r.get(7)?,
            opened_at: ts(r.get(8)?),
            first_reply_at: opt_ts(r.get(9)?),
            cleared_at: opt_ts(r.get(10)?),
            resolution: r.get(11)?,
            closed_at: opt_ts(r.get(12)?),
        },
        enterprise: r.get(13)?,
        coordinator: r.get(14)?,
        resolved_by: r.get(15)?,
    })
}

const VERIFICATION_COLS: &str = "v.id, v.enterprise_id, e.name_zh, e.credit, v.kind, v.scheduled_on, v.instruction, v.team, v.self_check, v.override_reason, v.flagged, v.merged_into";

fn verification_from(r: &Row<'_>) -> anyhow::Result<VerificationRow> {
    let date: String = r.get(5)?;
    Ok(VerificationRow {
        id: r.get(0)?,
        enterprise_id: r.get(1)?,
        enterprise: r.get(2)?,
        credit: r.get::<String>(3)?.parse().unwrap_or(CreditLevel::Regular),
        kind: VerificationKind::parse(&r.get::<String>(4)?).unwrap_or(VerificationKind::Other),
        date: date.parse().unwrap_or_default(),
        instruction: r.get(6)?,
        team: r.get(7)?,
        self_check: r.get(8)?,
        override_reason: r.get(9)?,
        flagged: r.get(10)?,
        merged_into: r.get(11)?,
    })
}

/// The enterprise's designated hotline person (measure 33), if any.
pub(super) fn hotline_person(conn: &Db, enterprise_id: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT hotline_person FROM enterprises WHERE id = ?1",
            [enterprise_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// An enterprise's coordinators (measure 28), in the directory's order.
fn coordinators_of(conn: &Db, enterprise_id: i64) -> Result<Vec<Coordinator>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COORDINATOR_COLS} FROM enterprise_coordinators l
         JOIN coordinators c ON c.id = l.coordinator_id WHERE l.enterprise_id = ?1 ORDER BY c.id"
    ))?;
    let rows = stmt.query_map([enterprise_id], |r| coordinator_from(r, 0))?;
    Ok(rows
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect())
}

fn plans_of(conn: &Db, enterprise_id: i64) -> Result<Vec<PlannedVerification>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, scheduled_on, merged_into FROM verifications
         WHERE enterprise_id = ?1 ORDER BY scheduled_on, id",
    )?;
    let rows = stmt.query_map([enterprise_id], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<Option<i64>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, date, merged_into) = row?;
        out.push(PlannedVerification {
            id,
            kind: VerificationKind::parse(&kind).map_err(|e| anyhow!(e))?,
            date: date
                .parse()
                .map_err(|_| anyhow!("bad date '{date}' in verification {id}"))?,
            merged_into,
        });
    }
    Ok(out)
}

fn refused(r: Message) -> anyhow::Error {
    anyhow::Error::new(r)
}

impl Writer<'_> {
    /// Links a coordinator to an enterprise (measure 28: several, by role).
    pub fn link_coordinator(&self, enterprise_id: i64, coordinator_id: i64) -> Result<bool> {
        let n = self.conn().execute(
            self.conn().pick(
                "INSERT OR IGNORE INTO enterprise_coordinators (enterprise_id, coordinator_id) VALUES (?1, ?2)",
                "INSERT INTO enterprise_coordinators (enterprise_id, coordinator_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            ),
            params![enterprise_id, coordinator_id],
        )?;
        if n > 0 {
            let after = serde_json::json!({"enterprise_id": enterprise_id, "coordinator_id": coordinator_id});
            self.record(
                "link",
                "enterprise_coordinators",
                coordinator_id,
                Some(enterprise_id),
                None,
                Some(after.to_string()),
            )?;
        }
        Ok(n > 0)
    }

    /// Names the enterprise's designated hotline person (measure 33), or none.
    pub fn set_hotline_person(&self, enterprise_id: i64, person: Option<&str>) -> Result<()> {
        self.audited_update(
            "set_hotline_person",
            "enterprises",
            enterprise_id,
            Some(enterprise_id),
            || {
                self.conn().execute(
                    "UPDATE enterprises SET hotline_person = ?2 WHERE id = ?1",
                    params![enterprise_id, person],
                )?;
                Ok(())
            },
        )
    }

    /// Logs a call; a call whose outcome is "problem" opens the problem in the same transaction.
    /// Returns the call's id and the problem's.
    pub fn log_call(&self, c: &NewCall<'_>) -> Result<(i64, Option<i64>)> {
        check_call(
            &CallDraft {
                question: c.question,
                answer: c.answer,
                outcome: c.outcome,
                callback_by: c.callback_by,
            },
            c.at,
        )
        .map_err(refused)?;
        if c.forwarded_to.is_some() && c.outcome != CallOutcome::Forwarded {
            return Err(refused(Message::new(
                "转协调员：只有结果为转协调员的来电才指定协调员",
                "forward-to: only a call with outcome 'forwarded' names a coordinator",
            )));
        }
        // A forwarded call goes to the coordinator named, else to the first on duty now.
        let forwarded_to = match (c.outcome, c.forwarded_to, c.enterprise_id) {
            (CallOutcome::Forwarded, None, Some(e)) => by_duty(
                coordinators_of(self.conn(), e)?,
                crate::calendar::WorkingCalendar::official(),
                c.at,
            )
            .first()
            .map(|(c, _)| c.id),
            (_, given, _) => given,
        };
        let marked_for: Option<String> = match (c.marked_for, c.enterprise_id) {
            (Some(given), _) => given.map(str::to_string),
            (None, None) => None,
            (None, Some(e)) => self
                .conn()
                .query_row(
                    "SELECT hotline_person FROM enterprises WHERE id = ?1",
                    [e],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| anyhow!("no enterprise {e}"))?,
        };
        self.conn().execute(
            "INSERT INTO calls (at, operator, enterprise_id, caller_name, caller_phone, channel, measures, question, answer, outcome, callback_by, forwarded_to, marked_for)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                c.at.as_second(),
                c.operator,
                c.enterprise_id,
                c.caller_name.map(str::trim).filter(|s| !s.is_empty()),
                c.caller_phone.map(str::trim).filter(|s| !s.is_empty()),
                c.channel.code(),
                measures_text(c.measures),
                c.question.trim(),
                c.answer.trim(),
                c.outcome.code(),
                c.callback_by.map(|t| t.as_second()),
                forwarded_to,
                marked_for
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("calls", id, c.enterprise_id)?;
        let problem = if c.outcome == CallOutcome::Problem && c.open_problem {
            let enterprise_id = c.enterprise_id.ok_or_else(|| {
                refused(Message::new(
                    "企业：立问题须知道是哪家企业（--enterprise）",
                    "enterprise: a problem needs the enterprise it concerns (--enterprise)",
                ))
            })?;
            Some(self.open_problem(&OpenProblem {
                enterprise_id,
                title: c.question.trim(),
                district: "",
                districts: &[],
                coordinator_id: None,
                call_id: Some(id),
                at: c.at,
            })?)
        } else {
            None
        };
        Ok((id, problem))
    }

    /// Records that a promised callback was made.
    pub fn callback_done(&self, call_id: i64, at: Timestamp) -> Result<()> {
        let row: Option<(Option<i64>, Option<i64>, Option<i64>)> = self
            .conn()
            .query_row(
                "SELECT callback_by, callback_done_at, enterprise_id FROM calls WHERE id = ?1",
                [call_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (by, done, enterprise) = row.ok_or_else(|| {
            refused(Message::new(
                format!("没有来电记录 {call_id}"),
                format!("no call {call_id}"),
            ))
        })?;
        if by.is_none() {
            return Err(refused(Message::new(
                format!("来电 {call_id} 没有约定回电"),
                format!("call {call_id} has no promised callback"),
            )));
        }
        if let Some(d) = done {
            let when = crate::calendar::shanghai_datetime(ts(d)).strftime("%Y-%m-%d %H:%M");
            return Err(refused(Message::new(
                format!("来电 {call_id} 已于 {when} 回电"),
                format!("call {call_id} was already called back at {when}"),
            )));
        }
        self.audited_update("callback_done", "calls", call_id, enterprise, || {
            self.conn().execute(
                "UPDATE calls SET callback_done_at = ?2 WHERE id = ?1",
                params![call_id, at.as_second()],
            )?;
            Ok(())
        })
    }

    fn check_coordinator(&self, id: i64) -> Result<()> {
        let found: Option<i64> = self
            .conn()
            .query_row("SELECT id FROM coordinators WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        found.map(|_| ()).ok_or_else(|| {
            refused(Message::new(
                format!("协调员：没有编号为 {id} 的协调员"),
                format!("coordinator: no coordinator {id}"),
            ))
        })
    }

    pub fn open_problem(&self, p: &OpenProblem<'_>) -> Result<i64> {
        if p.title.trim().is_empty() {
            return Err(refused(Message::new(
                "摘要：请写明问题",
                "summary: say what the problem is",
            )));
        }
        if let Some(c) = p.coordinator_id {
            self.check_coordinator(c)?;
        }
        if let Some(call) = p.call_id {
            let e: Option<Option<i64>> = self
                .conn()
                .query_row(
                    "SELECT enterprise_id FROM calls WHERE id = ?1",
                    [call],
                    |r| r.get(0),
                )
                .optional()?;
            match e {
                None => {
                    return Err(refused(Message::new(
                        format!("来电：没有来电记录 {call}"),
                        format!("from-call: no call {call}"),
                    )));
                }
                Some(Some(e)) if e != p.enterprise_id => {
                    return Err(refused(Message::new(
                        format!("来电：来电 {call} 属于另一家企业"),
                        format!("from-call: call {call} is from another enterprise"),
                    )));
                }
                _ => {}
            }
        }
        let status = if p.coordinator_id.is_some() {
            ProblemStatus::Assigned
        } else {
            ProblemStatus::Open
        };
        self.conn().execute(
            "INSERT INTO problems (enterprise_id, title, district, districts, status, coordinator_id, call_id, opened_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                p.enterprise_id,
                p.title.trim(),
                p.district,
                p.districts.join(","),
                status.code(),
                p.coordinator_id,
                p.call_id,
                p.at.as_second()
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("problems", id, Some(p.enterprise_id))?;
        Ok(id)
    }

    /// Assigns, notes, resolves, closes or reopens a problem. The status is read again inside
    /// the transaction, so of two operators resolving one problem exactly one succeeds.
    pub fn problem_action(
        &self,
        id: i64,
        action: ProblemAction,
        text: Option<&str>,
        coordinator_id: Option<i64>,
        at: Timestamp,
    ) -> Result<ProblemStatus> {
        let row: Option<(String, i64, Option<i64>, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT status, enterprise_id, coordinator_id, resolved_by FROM problems WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (status, enterprise_id, current, resolved_by) = row.ok_or_else(|| {
            refused(Message::new(
                format!("没有问题 {id}"),
                format!("no problem {id}"),
            ))
        })?;
        let from = ProblemStatus::parse(&status).map_err(|e| anyhow!(e))?;
        let to = transition(from, action, current.is_some()).map_err(|r| {
            refused(match (action, &resolved_by) {
                (ProblemAction::Resolve, Some(by)) => Message::new(
                    format!("{}（由 {by} 解决）", r.zh()),
                    format!("{} (by {by})", r.en()),
                ),
                _ => r,
            })
        })?;
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let now = at.as_second();
        let op = self.actor.operator.clone();
        match action {
            ProblemAction::Assign => {
                let c = coordinator_id.ok_or_else(|| {
                    refused(Message::new(
                        "协调员：请指定协调员（--coordinator）",
                        "coordinator: name the coordinator (--coordinator)",
                    ))
                })?;
                self.check_coordinator(c)?;
                self.audited_update("assign", "problems", id, Some(enterprise_id), || {
                    self.conn().execute(
                        "UPDATE problems SET status = ?2, coordinator_id = ?3, updated_at = ?4 WHERE id = ?1",
                        params![id, to.code(), c, now],
                    )?;
                    Ok(())
                })?;
            }
            ProblemAction::Note => {
                let t = text.ok_or_else(|| {
                    refused(Message::new(
                        "记录：内容不能为空",
                        "note: the note is empty",
                    ))
                })?;
                self.add_note(id, enterprise_id, t, at)?;
                self.audited_update("note", "problems", id, Some(enterprise_id), || {
                    self.conn().execute(
                        "UPDATE problems SET first_reply_at = coalesce(first_reply_at, ?2), updated_at = ?2 WHERE id = ?1",
                        params![id, now],
                    )?;
                    Ok(())
                })?;
            }
            ProblemAction::Resolve => {
                let t = text.ok_or_else(|| {
                    refused(Message::new(
                        "解决办法：请写明如何解决（--resolution）",
                        "resolution: say how it was resolved (--resolution)",
                    ))
                })?;
                self.audited_update("resolve", "problems", id, Some(enterprise_id), || {
                    self.conn().execute(
                        "UPDATE problems SET status = ?2, resolution = ?3, cleared_at = ?4, resolved_by = ?5,
                                first_reply_at = coalesce(first_reply_at, ?4), updated_at = ?4 WHERE id = ?1",
                        params![id, to.code(), t, now, op],
                    )?;
                    Ok(())
                })?;
            }
            ProblemAction::Close => {
                self.audited_update("close", "problems", id, Some(enterprise_id), || {
                    self.conn().execute(
                        "UPDATE problems SET status = ?2, closed_at = ?3, updated_at = ?3 WHERE id = ?1",
                        params![id, to.code(), now],
                    )?;
                    Ok(())
                })?;
                if let Some(t) = text {
                    self.add_note(id, enterprise_id, t, at)?;
                }
            }
            ProblemAction::Reopen => {
                self.audited_update("reopen", "problems", id, Some(enterprise_id), || {
                    self.conn().execute(
                        "UPDATE problems SET status = ?2, cleared_at = NULL, closed_at = NULL, resolved_by = NULL, updated_at = ?3 WHERE id = ?1",
                        params![id, to.code(), now],
                    )?;
                    Ok(())
                })?;
                if let Some(t) = text {
                    self.add_note(id, enterprise_id, t, at)?;
                }
            }
        }
        Ok(to)
    }

    fn add_note(
        &self,
        problem_id: i64,
        enterprise_id: i64,
        text: &str,
        at: Timestamp,
    ) -> Result<()> {
        self.conn().execute(
            "INSERT INTO problem_notes (problem_id, at, operator, text) VALUES (?1, ?2, ?3, ?4)",
            params![problem_id, at.as_second(), self.actor.operator, text],
        )?;
        let nid = self.conn().last_insert_rowid()?;
        self.record_created("problem_notes", nid, Some(enterprise_id))
    }

    /// Schedules a verification by the rules of measures 16 and 17; returns its id and the
    /// warning recorded when a second management-type verification was overridden.
    pub fn schedule_verification(
        &self,
        p: &NewPlan<'_>,
        per_year: u32,
    ) -> Result<(i64, Option<String>)> {
        let credit: String = self
            .conn()
            .query_row(
                "SELECT credit FROM enterprises WHERE id = ?1",
                [p.enterprise_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| anyhow!("no enterprise {}", p.enterprise_id))?;
        let credit: CreditLevel = credit.parse().map_err(|e: String| anyhow!(e))?;
        let existing = plans_of(self.conn(), p.enterprise_id)?;
        let warning = check_schedule(
            &ScheduleRequest {
                credit,
                kind: p.kind,
                date: p.date,
                self_check: p.self_check,
                override_reason: p.override_reason,
            },
            &existing,
            per_year,
        )
        .map_err(refused)?;
        self.conn().execute(
            "INSERT INTO verifications (enterprise_id, kind, scheduled_on, flagged, instruction, team, self_check, override_reason, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                p.enterprise_id,
                p.kind.code(),
                p.date.to_string(),
                warning,
                p.instruction.trim(),
                p.team.trim(),
                p.self_check,
                p.override_reason.map(str::trim),
                self.actor.operator
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("verifications", id, Some(p.enterprise_id))?;
        Ok((id, warning))
    }

    /// Merges plan `b` into plan `a` (measure 16): one team, on `a`'s date.
    pub fn merge_verifications(&self, a: i64, b: i64) -> Result<()> {
        let enterprise_of = |id: i64| -> Result<i64> {
            self.conn()
                .query_row(
                    "SELECT enterprise_id FROM verifications WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    refused(Message::new(
                        format!("没有核查计划 {id}"),
                        format!("no verification plan {id}"),
                    ))
                })
        };
        let (ea, eb) = (enterprise_of(a)?, enterprise_of(b)?);
        if ea != eb {
            return Err(refused(Message::new(
                format!("计划 {a} 与 {b} 属于不同企业，不能合并"),
                format!("plans {a} and {b} are for different enterprises: they cannot be merged"),
            )));
        }
        let plans = plans_of(self.conn(), ea)?;
        let find = |id| plans.iter().find(|p| p.id == id).copied();
        let (pa, pb) = (
            find(a).ok_or_else(|| anyhow!("no plan {a}"))?,
            find(b).ok_or_else(|| anyhow!("no plan {b}"))?,
        );
        check_merge(&pa, &pb).map_err(refused)?;
        self.audited_update("merge", "verifications", b, Some(ea), || {
            self.conn().execute(
                "UPDATE verifications SET merged_into = ?2,
                        team = (SELECT team FROM verifications WHERE id = ?2),
                        scheduled_on = (SELECT scheduled_on FROM verifications WHERE id = ?2)
                 WHERE id = ?1",
                params![b, a],
            )?;
            Ok(())
        })
    }
}

impl Store {
    pub fn calls(&self, f: &CallFilter) -> Result<Vec<CallRow>> {
        // Newest first, or open callbacks by due time: one plain ORDER BY each, so the index on
        // `at` (or on open callbacks) gives the first rows without sorting every call.
        let order = if f.callbacks_open {
            "k.callback_by, k.id DESC"
        } else {
            "k.at DESC, k.id DESC"
        };
        // PostgreSQL cannot type a parameter from `IS NULL` alone (cast), and takes no negative
        // LIMIT (NULL is none).
        let known = self.conn().pick(
            "(?1 IS NULL OR k.enterprise_id = ?1) AND (?2 IS NULL OR k.at >= ?2)",
            "(?1::bigint IS NULL OR k.enterprise_id = ?1) AND (?2::timestamptz IS NULL OR k.at >= ?2)",
        );
        let limit = self.conn().pick("?4", "nullif(?4::bigint, -1)");
        // Spelled out (not behind the parameter) so the index of open callbacks serves them.
        let open = if f.callbacks_open {
            "?3 = 1 AND k.callback_by IS NOT NULL AND k.callback_done_at IS NULL"
        } else {
            "?3 = 0"
        };
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {CALL_COLS} {CALL_FROM}
             WHERE {known} AND {open}
             ORDER BY {order} LIMIT {limit}"
        ))?;
        let rows = stmt.query_map(
            params![
                f.enterprise_id,
                f.since.map(|t| t.as_second()),
                f.callbacks_open,
                if f.limit == 0 { -1 } else { f.limit as i64 }
            ],
            call_from,
        )?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn call(&self, id: i64) -> Result<Option<CallRow>> {
        self.conn()
            .query_row(
                &format!("SELECT {CALL_COLS} {CALL_FROM} WHERE k.id = ?1"),
                [id],
                call_from,
            )
            .optional()
    }

    pub fn problems(&self, f: &ProblemFilter) -> Result<Vec<ProblemRow>> {
        let ids = self.conn().pick(
            "(?2 IS NULL OR p.enterprise_id = ?2) AND (?3 IS NULL OR p.coordinator_id = ?3)",
            "(?2::bigint IS NULL OR p.enterprise_id = ?2) AND (?3::bigint IS NULL OR p.coordinator_id = ?3)",
        );
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PROBLEM_COLS} {PROBLEM_FROM}
             WHERE (?1 = 0 OR p.status IN ('open', 'assigned')) AND {ids}
               AND (?4 = 0 OR p.status <> 'closed')
             ORDER BY p.status NOT IN ('open', 'assigned'), p.opened_at, p.id"
        ))?;
        let rows = stmt.query_map(
            params![f.open_only, f.enterprise_id, f.coordinator_id, f.not_closed],
            problem_from,
        )?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// The open problems past a target (`late`), oldest first, at most `limit` of them, and how
    /// many there are. Read through the index of open problems' times: the cuts settle every
    /// problem but those answered or resolved after their opening day's cut, which the whole
    /// rule settles one by one from the index alone; only the rows listed are read whole.
    pub fn late_problems(
        &self,
        late: &Lateness<'_>,
        limit: usize,
    ) -> Result<(i64, Vec<ProblemRow>)> {
        let (reply_cut, resolution_cut) = (
            late.cuts.reply.as_second(),
            late.cuts.resolution.as_second(),
        );
        // Late by the cuts alone: not resolved, and opened before the resolution cut or, never
        // answered, before the reply cut.
        const SURE: &str = "p.status IN ('open', 'assigned') AND p.cleared_at IS NULL
            AND (p.opened_at < ?2 OR (p.first_reply_at IS NULL AND p.opened_at < ?1))";
        // SQLite is told to read the open problems' times from their own index (it preferred
        // the status index and read every open problem's row: 45 ms on 12,000). PostgreSQL
        // reads them from problems_open_clock, and those judged one by one, with their ids, from
        // problems_open_judged.
        let problems = self
            .conn()
            .pick("problems p INDEXED BY problems_open_clock", "problems p");
        let sure: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM {problems} WHERE {SURE}"),
            params![reply_cut, resolution_cut],
            |r| r.get(0),
        )?;
        // What the cuts cannot tell: answered after the resolution cut, or carrying a
        // resolution time. Those opened on the last days the clocks have worked out are
        // judged by the server against each day's due times (the large database's 5,195
        // were sent here to be judged: 6.6 of PostgreSQL's 15 ms for Today's rows); others
        // (opened earlier, or later than today) one by one here.
        const UNSURE: &str = "p.status IN ('open', 'assigned')
               AND (p.cleared_at IS NOT NULL
                    OR (p.first_reply_at IS NOT NULL AND p.opened_at >= ?1))";
        let (days, end) = late.recent_dues(JUDGED_DAYS);
        let begin = days.first().map_or(end, |d| d.0);
        // ?1 the resolution cut, ?2 now, ?3 and ?4 the days' bounds, then each day's next
        // day's start, reply due and resolution due.
        let mut known = vec![
            resolution_cut,
            late.now().as_second(),
            begin.as_second(),
            end.as_second(),
        ];
        let mut judged = String::from("CASE");
        for (i, (_, reply, resolution)) in days.iter().enumerate() {
            let next = days.get(i + 1).map_or(end, |d| d.0);
            let n = known.len();
            judged.push_str(&format!(
                " WHEN p.opened_at < ?{} THEN (coalesce(p.first_reply_at, p.cleared_at, ?2) >= ?{}
                   OR coalesce(p.cleared_at, ?2) >= ?{})",
                n + 1,
                n + 2,
                n + 3
            ));
            known.extend([next.as_second(), reply.as_second(), resolution.as_second()]);
        }
        judged.push_str(" END");
        let known_late = format!(
            "{UNSURE} AND p.opened_at >= ?3 AND p.opened_at < ?4 AND {}",
            if days.is_empty() {
                "1 = 0"
            } else {
                judged.as_str()
            }
        );
        let known_n: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM {problems} WHERE {known_late}"),
            known.clone(),
            |r| r.get(0),
        )?;
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT p.id, p.opened_at, p.first_reply_at, p.cleared_at FROM {problems}
             WHERE {UNSURE} AND (p.opened_at < ?2 OR p.opened_at >= ?3)"
        ))?;
        let mut unsure = Vec::new();
        for row in stmt.query_map(
            params![resolution_cut, begin.as_second(), end.as_second()],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    ts(r.get(1)?),
                    opt_ts(r.get(2)?),
                    opt_ts(r.get(3)?),
                ))
            },
        )? {
            let (id, opened, reply, cleared) = row?;
            if late.is_late_at(opened, reply, cleared) {
                unsure.push((opened, id));
            }
        }
        let total = sure + known_n + unsure.len() as i64;
        if limit == 0 {
            return Ok((total, Vec::new()));
        }
        if known_n > 0 {
            let mut stmt = self.conn().prepare_cached(&format!(
                "SELECT p.id, p.opened_at FROM {problems} WHERE {known_late}
                 ORDER BY p.opened_at, p.id LIMIT {limit}"
            ))?;
            for row in stmt.query_map(known, |r| Ok((r.get::<i64>(0)?, ts(r.get(1)?))))? {
                let (id, opened) = row?;
                unsure.push((opened, id));
            }
        }
        // The first `limit` of both, in one order.
        unsure.sort();
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PROBLEM_COLS} {} WHERE {SURE} ORDER BY p.opened_at, p.id LIMIT ?3",
            PROBLEM_FROM.replacen("problems p", problems, 1)
        ))?;
        let mut sure = stmt
            .query_map(
                params![reply_cut, resolution_cut, limit as i64],
                problem_from,
            )?
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .peekable();
        unsure.truncate(limit);
        let ids: Vec<i64> = unsure.iter().map(|(_, id)| *id).collect();
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PROBLEM_COLS} {PROBLEM_FROM} WHERE {} ORDER BY p.opened_at, p.id",
            self.conn().in_list("p.id", "?1", true)
        ))?;
        let mut unsure = stmt
            .query_map([serde_json::to_string(&ids)?], problem_from)?
            .collect::<anyhow::Result<Vec<_>>>()?
            .into_iter()
            .peekable();
        let mut rows = Vec::new();
        while rows.len() < limit {
            let key = |r: &ProblemRow| (r.problem.opened_at, r.problem.id);
            let next = match (sure.peek(), unsure.peek()) {
                (Some(r), Some(u)) if key(r) < key(u) => sure.next(),
                (Some(_), None) => sure.next(),
                _ => unsure.next(),
            };
            let Some(row) = next else { break };
            rows.push(row);
        }
        Ok((total, rows))
    }

    pub fn problem(&self, id: i64) -> Result<Option<ProblemRow>> {
        self.conn()
            .query_row(
                &format!("SELECT {PROBLEM_COLS} {PROBLEM_FROM} WHERE p.id = ?1"),
                [id],
                problem_from,
            )
            .optional()
    }

    /// The enterprise's problems, open ones first (oldest first), then the others.
    pub fn problems_of(&self, enterprise_id: i64) -> Result<Vec<Problem>> {
        Ok(self
            .problems(&ProblemFilter {
                enterprise_id: Some(enterprise_id),
                ..Default::default()
            })?
            .into_iter()
            .map(|r| r.problem)
            .collect())
    }

    pub fn problem_notes(&self, problem_id: i64) -> Result<Vec<ProblemNote>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, at, operator, text FROM problem_notes WHERE problem_id = ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([problem_id], |r| {
            Ok(ProblemNote {
                id: r.get(0)?,
                at: ts(r.get(1)?),
                operator: r.get(2)?,
                text: r.get(3)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn coordinators_of(&self, enterprise_id: i64) -> Result<Vec<Coordinator>> {
        coordinators_of(self.conn(), enterprise_id)
    }

    /// Every coordinator, with the number of enterprises each serves.
    pub fn all_coordinators(&self) -> Result<Vec<(Coordinator, i64)>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COORDINATOR_COLS}, (SELECT count(*) FROM enterprise_coordinators l WHERE l.coordinator_id = c.id)
             FROM coordinators c ORDER BY c.id"
        ))?;
        let rows = stmt.query_map((), |r| Ok((coordinator_from(r, 0)?, r.get::<i64>(7)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (c, n) = row?;
            if let Some(c) = c {
                out.push((c, n));
            }
        }
        Ok(out)
    }

    /// Finds a coordinator by id, phone or exact name.
    pub fn resolve_coordinator(&self, key: &str) -> Result<Coordinator> {
        let k = key.trim();
        let found = self
            .conn()
            .query_row(
                &format!(
                    "SELECT {COORDINATOR_COLS} FROM coordinators c
                     WHERE CAST(c.id AS TEXT) = ?1 OR c.phone = ?1 OR c.name = ?1 ORDER BY c.id LIMIT 1"
                ),
                [k],
                |r| coordinator_from(r, 0),
            )
            .optional()?
            .flatten();
        found.ok_or_else(|| {
            refused(Message::new(
                format!("协调员：没有 '{k}'（给出编号、电话或姓名；`aeo coordinators` 列出全部）"),
                format!("coordinator: no coordinator '{k}' (give its id, phone or name; `aeo coordinators` lists them)"),
            ))
        })
    }

    pub fn hotline_person(&self, enterprise_id: i64) -> Result<Option<String>> {
        hotline_person(self.conn(), enterprise_id)
    }

    pub fn verifications(
        &self,
        enterprise_id: Option<i64>,
        year: Option<i16>,
    ) -> Result<Vec<VerificationRow>> {
        let filter = self.conn().pick(
            "(?1 IS NULL OR v.enterprise_id = ?1) AND (?2 IS NULL OR substr(v.scheduled_on, 1, 4) = ?2)",
            "(?1::bigint IS NULL OR v.enterprise_id = ?1) AND (?2::text IS NULL OR substr(v.scheduled_on, 1, 4) = ?2)",
        );
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {VERIFICATION_COLS} FROM verifications v JOIN enterprises e ON e.id = v.enterprise_id
             WHERE {filter}
             ORDER BY v.scheduled_on, v.id"
        ))?;
        let rows = stmt.query_map(
            params![enterprise_id, year.map(|y| format!("{y:04}"))],
            verification_from,
        )?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn verification_plans_of(&self, enterprise_id: i64) -> Result<Vec<PlannedVerification>> {
        plans_of(self.conn(), enterprise_id)
    }
}

/// A problem as imported: its whole state, checked by the import beforehand.
pub struct ProblemRecord<'a> {
    pub enterprise_id: i64,
    pub title: &'a str,
    pub district: &'a str,
    pub districts: &'a [String],
    pub status: ProblemStatus,
    pub coordinator_id: Option<i64>,
    pub opened_at: Timestamp,
    pub first_reply_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<&'a str>,
    pub resolution: Option<&'a str>,
    pub closed_at: Option<Timestamp>,
}

/// Calls, problems and verification plans in the import columns (see README).
pub struct CallExport {
    pub at: Timestamp,
    pub operator: String,
    pub enterprise_uscc: Option<String>,
    pub caller_name: Option<String>,
    pub caller_phone: Option<String>,
    pub channel: String,
    pub measures: String,
    pub question: String,
    pub answer: String,
    pub outcome: String,
    pub callback_by: Option<Timestamp>,
    pub callback_done_at: Option<Timestamp>,
    pub forwarded_to_phone: Option<String>,
    pub marked_for: Option<String>,
}

pub struct ProblemExport {
    pub enterprise_uscc: String,
    pub summary: String,
    pub office: String,
    pub districts: String,
    pub status: String,
    pub coordinator_phone: Option<String>,
    pub opened_at: Timestamp,
    pub first_reply_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    pub closed_at: Option<Timestamp>,
}

/// A coordinator of an enterprise beyond the one in its own record.
pub struct CoordinatorLinkExport {
    pub enterprise_uscc: String,
    pub coordinator_phone: String,
}

pub struct HotlinePersonExport {
    pub enterprise_uscc: String,
    pub person: String,
}

pub struct VerificationExport {
    pub enterprise_uscc: String,
    pub kind: String,
    pub date: String,
    pub instruction: String,
    pub team: String,
    pub self_check: bool,
    pub override_reason: Option<String>,
    /// The instruction of the plan this one was merged into.
    pub merged_into: Option<String>,
}

impl Writer<'_> {
    pub fn insert_problem_record(&self, p: &ProblemRecord<'_>) -> Result<i64> {
        if let Some(c) = p.coordinator_id {
            self.check_coordinator(c)?;
        }
        self.conn().execute(
            "INSERT INTO problems (enterprise_id, title, district, districts, status, coordinator_id, opened_at,
                                   first_reply_at, cleared_at, resolved_by, resolution, closed_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?7)",
            params![
                p.enterprise_id,
                p.title,
                p.district,
                p.districts.join(","),
                p.status.code(),
                p.coordinator_id,
                p.opened_at.as_second(),
                p.first_reply_at.map(|t| t.as_second()),
                p.resolved_at.map(|t| t.as_second()),
                p.resolved_by,
                p.resolution,
                p.closed_at.map(|t| t.as_second())
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("problems", id, Some(p.enterprise_id))?;
        Ok(id)
    }

    /// The plan of an enterprise with this instruction reference, for merges named in a file.
    pub fn plan_by_instruction(
        &self,
        enterprise_id: i64,
        instruction: &str,
    ) -> Result<Option<i64>> {
        self
            .conn()
            .query_row(
                "SELECT id FROM verifications WHERE enterprise_id = ?1 AND instruction = ?2 ORDER BY id LIMIT 1",
                params![enterprise_id, instruction],
                |r| r.get(0),
            )
            .optional()
    }

    /// Whether the coordinator is already one of the enterprise's.
    pub fn is_linked(&self, enterprise_id: i64, coordinator_id: i64) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM enterprise_coordinators WHERE enterprise_id = ?1 AND coordinator_id = ?2",
                params![enterprise_id, coordinator_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn hotline_person_of(&self, enterprise_id: i64) -> Result<Option<String>> {
        hotline_person(self.conn(), enterprise_id)
    }

    pub fn coordinator_id_by_phone(&self, phone: &str) -> Result<Option<i64>> {
        self.conn()
            .query_row(
                "SELECT id FROM coordinators WHERE phone = ?1",
                [phone],
                |r| r.get(0),
            )
            .optional()
    }
}

impl Store {
    pub fn export_calls(&self) -> Result<Vec<CallExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT k.at, k.operator, e.uscc, k.caller_name, k.caller_phone, k.channel, k.measures, k.question,
                    k.answer, k.outcome, k.callback_by, k.callback_done_at, c.phone, k.marked_for
             FROM calls k LEFT JOIN enterprises e ON e.id = k.enterprise_id
             LEFT JOIN coordinators c ON c.id = k.forwarded_to ORDER BY k.id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(CallExport {
                at: ts(r.get(0)?),
                operator: r.get(1)?,
                enterprise_uscc: r.get(2)?,
                caller_name: r.get(3)?,
                caller_phone: r.get(4)?,
                channel: r.get(5)?,
                measures: r.get::<String>(6)?.replace(',', ";"),
                question: r.get(7)?,
                answer: r.get(8)?,
                outcome: r.get(9)?,
                callback_by: opt_ts(r.get(10)?),
                callback_done_at: opt_ts(r.get(11)?),
                forwarded_to_phone: r.get(12)?,
                marked_for: r.get(13)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_problems(&self) -> Result<Vec<ProblemExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT e.uscc, p.title, p.district, p.districts, p.status, c.phone, p.opened_at, p.first_reply_at,
                    p.cleared_at, p.resolved_by, p.resolution, p.closed_at
             FROM problems p JOIN enterprises e ON e.id = p.enterprise_id
             LEFT JOIN coordinators c ON c.id = p.coordinator_id ORDER BY p.id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(ProblemExport {
                enterprise_uscc: r.get(0)?,
                summary: r.get(1)?,
                office: r.get(2)?,
                districts: r.get::<String>(3)?.replace(',', ";"),
                status: r.get(4)?,
                coordinator_phone: r.get(5)?,
                opened_at: ts(r.get(6)?),
                first_reply_at: opt_ts(r.get(7)?),
                resolved_at: opt_ts(r.get(8)?),
                resolved_by: r.get(9)?,
                resolution: r.get(10)?,
                closed_at: opt_ts(r.get(11)?),
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_verifications(&self) -> Result<Vec<VerificationExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT e.uscc, v.kind, v.scheduled_on, v.instruction, v.team, v.self_check, v.override_reason, m.instruction
             FROM verifications v JOIN enterprises e ON e.id = v.enterprise_id
             LEFT JOIN verifications m ON m.id = v.merged_into ORDER BY v.id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(VerificationExport {
                enterprise_uscc: r.get(0)?,
                kind: r.get(1)?,
                date: r.get(2)?,
                instruction: r.get(3)?,
                team: r.get(4)?,
                self_check: r.get(5)?,
                override_reason: r.get(6)?,
                merged_into: r.get(7)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// The links an enterprise import does not make: every coordinator but the one in the
    /// enterprise's own record.
    pub fn export_coordinator_links(&self) -> Result<Vec<CoordinatorLinkExport>> {
        let mut stmt = self.conn().prepare(self.conn().pick(
            "SELECT e.uscc, c.phone FROM enterprise_coordinators l
             JOIN enterprises e ON e.id = l.enterprise_id
             JOIN coordinators c ON c.id = l.coordinator_id
             WHERE e.coordinator_id IS NOT l.coordinator_id
             ORDER BY e.id, c.id",
            "SELECT e.uscc, c.phone FROM enterprise_coordinators l
             JOIN enterprises e ON e.id = l.enterprise_id
             JOIN coordinators c ON c.id = l.coordinator_id
             WHERE e.coordinator_id IS DISTINCT FROM l.coordinator_id
             ORDER BY e.id, c.id",
        ))?;
        let rows = stmt.query_map((), |r| {
            Ok(CoordinatorLinkExport {
                enterprise_uscc: r.get(0)?,
                coordinator_phone: r.get(1)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn export_hotline_persons(&self) -> Result<Vec<HotlinePersonExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT uscc, hotline_person FROM enterprises WHERE hotline_person IS NOT NULL ORDER BY id",
        )?;
        let rows = stmt.query_map((), |r| {
            Ok(HotlinePersonExport {
                enterprise_uscc: r.get(0)?,
                person: r.get(1)?,
            })
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }
}
