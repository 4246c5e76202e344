//! Imports of calls, problems and verification plans: every field checked, every problem named
//! by line and field, natural keys checked within the file and against the database, then
//! written through the store's rules.

use super::super::fields;
use super::{Key, Record, Run};
use crate::domain::call::{CallDraft, CallOutcome, Channel, check_call, parse_measures};
use crate::domain::message::Message;
use crate::domain::problem::{ProblemStatus, parse_districts};
use crate::domain::verification::VerificationKind;
use crate::store::{NewCall, NewPlan, ProblemRecord};
use anyhow::Result;
use jiff::Timestamp;

/// The English text without the field name a rule's message starts with (the import names the
/// column itself).
fn english(m: Message) -> String {
    match m.en().split_once(": ") {
        Some((field, rest)) if !field.contains(' ') => rest.to_string(),
        _ => m.en().to_string(),
    }
}

impl Run<'_, '_> {
    /// An optional enterprise reference: None when empty, Some(None) after a problem.
    fn optional_enterprise(&mut self, rec: &Record, field: &str) -> Result<Option<Option<i64>>> {
        if rec.trimmed(field).is_empty() {
            return Ok(Some(None));
        }
        Ok(self.enterprise_ref(rec, field)?.map(|e| Some(e.id)))
    }

    /// A coordinator named by telephone: None when empty, Some(None) after a problem.
    fn coordinator_phone(&mut self, rec: &Record, field: &str) -> Result<Option<Option<i64>>> {
        let phone = rec.trimmed(field);
        if phone.is_empty() {
            return Ok(Some(None));
        }
        match self.db.coordinator_by_phone(phone)? {
            Some(id) => Ok(Some(Some(id))),
            None => {
                self.problem(
                    rec.line,
                    field,
                    format!(
                        "no coordinator with telephone '{}' (import coordinators first)",
                        crate::text::inert(phone)
                    ),
                );
                Ok(None)
            }
        }
    }

    /// An instant that, when given, must not come before `after`.
    fn instant_after(
        &mut self,
        rec: &Record,
        field: &str,
        after: Option<(Timestamp, &str)>,
    ) -> Option<Option<Timestamp>> {
        let t = self.parse_opt(rec, field, fields::instant)?;
        if let (Some(t), Some((a, what))) = (t, after)
            && t < a
        {
            self.problem(
                rec.line,
                field,
                format!(
                    "{} is before {what} ({})",
                    fields::instant_text(t),
                    fields::instant_text(a)
                ),
            );
            return None;
        }
        Some(t)
    }

    pub(super) fn call(&mut self, rec: &Record) -> Result<()> {
        let mark = self.mark();
        {
            let line = rec.line;
            let at = self.parse(rec, "at", fields::instant);
            let operator = self.required_text(rec, "operator");
            let enterprise = self.optional_enterprise(rec, "enterprise")?;
            let channel = self.parse(rec, "channel", Channel::parse);
            let measures = self.check(
                line,
                "measures",
                parse_measures(&rec.trimmed("measures").replace(';', ",")).map_err(english),
            );
            let question = self.required_text(rec, "question");
            let answer = rec.raw("answer");
            let outcome = self.parse(rec, "outcome", CallOutcome::parse);
            let callback_by = self.parse_opt(rec, "callback_by", fields::instant);
            let done = self.instant_after(rec, "callback_done_at", at.map(|a| (a, "the call")));
            let forwarded = self.coordinator_phone(rec, "forwarded_to_phone")?;
            let marked_for = fields::optional_text(rec.raw("marked_for"));
            let (
                Some(at),
                Some(operator),
                Some(enterprise),
                Some(channel),
                Some(measures),
                Some(question),
                Some(outcome),
                Some(callback_by),
                Some(done),
                Some(forwarded),
            ) = (
                at,
                operator,
                enterprise,
                channel,
                measures,
                question,
                outcome,
                callback_by,
                done,
                forwarded,
            )
            else {
                return Ok(());
            };
            // The rules of a typed call, as of the time it was taken.
            let draft = CallDraft {
                question,
                answer,
                outcome,
                callback_by,
            };
            if let Err(m) = check_call(&draft, at) {
                // The rule names its field first: "callback-by: the callback time is in the past".
                let (field, why) = m.en().split_once(": ").unwrap_or(("row", m.en()));
                self.problem(line, &field.replace('-', "_"), why);
                return Ok(());
            }
            if done.is_some() && callback_by.is_none() {
                self.problem(
                    line,
                    "callback_done_at",
                    "only a promised callback can be made",
                );
                return Ok(());
            }
            // The natural key: the instant, the operator who took the call, and the question.
            let key = format!(
                "taken {} by {} asking “{}”",
                fields::instant_text(at),
                crate::text::inert(operator),
                crate::text::inert(question)
            );
            let in_db = self.db.call_exists(at, operator, question)?;
            if self.natural_key(line, "question", "call", &key, in_db.then_some(0)) == Key::Out {
                return Ok(());
            }
            let Some(w) = self.accept(mark) else {
                return Ok(());
            };
            let res = w.log_call(&NewCall {
                at,
                operator,
                enterprise_id: enterprise,
                caller_name: fields::optional_text(rec.raw("caller_name")),
                caller_phone: fields::optional_text(rec.raw("caller_phone")),
                channel,
                measures: &measures,
                question,
                answer,
                outcome,
                callback_by,
                forwarded_to: forwarded,
                marked_for: Some(marked_for),
                open_problem: false,
            });
            if let Some((id, _)) = self.refused(line, "row", res)
                && let Some(d) = done
            {
                let res = w.callback_done(id, d);
                self.refused(line, "callback_done_at", res);
            }
        }
        Ok(())
    }

    pub(super) fn problem_record(&mut self, rec: &Record) -> Result<()> {
        let mark = self.mark();
        {
            let line = rec.line;
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let summary = self.required_text(rec, "summary");
            let districts = self.check(
                line,
                "districts",
                parse_districts(&rec.trimmed("districts").replace(';', ",")).map_err(english),
            );
            let status = self.parse_opt(rec, "status", ProblemStatus::parse);
            let coordinator = self.coordinator_phone(rec, "coordinator_phone")?;
            let opened = self.parse(rec, "opened_at", fields::instant);
            let after_opening = opened.map(|o| (o, "opened_at"));
            let first_reply = self.instant_after(rec, "first_reply_at", after_opening);
            let resolved = self.instant_after(rec, "resolved_at", after_opening);
            let closed = self.instant_after(rec, "closed_at", after_opening);
            let resolution = fields::optional_text(rec.raw("resolution"));
            let resolved_by = fields::optional_text(rec.raw("resolved_by"));
            let (
                Some(enterprise),
                Some(summary),
                Some(districts),
                Some(status),
                Some(coordinator),
                Some(opened),
                Some(first_reply),
                Some(resolved),
                Some(closed),
            ) = (
                enterprise,
                summary,
                districts,
                status,
                coordinator,
                opened,
                first_reply,
                resolved,
                closed,
            )
            else {
                return Ok(());
            };
            let status = status.unwrap_or(if coordinator.is_some() {
                ProblemStatus::Assigned
            } else {
                ProblemStatus::Open
            });
            // The state must be one the lifecycle can reach.
            let wrong = match status {
                ProblemStatus::Assigned if coordinator.is_none() => Some((
                    "coordinator_phone",
                    "an assigned problem needs its coordinator",
                )),
                ProblemStatus::Open | ProblemStatus::Assigned
                    if resolved.is_some() || closed.is_some() =>
                {
                    Some(("status", "an open problem has no resolved_at or closed_at"))
                }
                ProblemStatus::Resolved | ProblemStatus::Closed
                    if resolved.is_none() || resolution.is_none() =>
                {
                    Some((
                        "resolved_at",
                        "a resolved or closed problem needs resolved_at and resolution",
                    ))
                }
                ProblemStatus::Closed if closed.is_none() => {
                    Some(("closed_at", "a closed problem needs closed_at"))
                }
                ProblemStatus::Resolved if closed.is_some() => Some((
                    "closed_at",
                    "a problem still waiting for confirmation has no closed_at",
                )),
                _ => None,
            };
            if let Some((field, why)) = wrong {
                self.problem(line, field, why);
                return Ok(());
            }
            // The natural key: the enterprise, the summary and the instant it was opened.
            let key = format!(
                "of {} “{}” opened {}",
                crate::text::inert(rec.trimmed("enterprise")),
                crate::text::inert(summary),
                fields::instant_text(opened)
            );
            let in_db = self.db.problem_exists(enterprise.id, summary, opened)?;
            if self.natural_key(line, "summary", "problem", &key, in_db.then_some(0)) == Key::Out {
                return Ok(());
            }
            let Some(w) = self.accept(mark) else {
                return Ok(());
            };
            let res = w.insert_problem_record(&ProblemRecord {
                enterprise_id: enterprise.id,
                title: summary,
                district: rec.raw("office").trim(),
                districts: &districts,
                status,
                coordinator_id: coordinator,
                opened_at: opened,
                first_reply_at: first_reply,
                resolved_at: resolved,
                resolved_by,
                resolution,
                closed_at: closed,
            });
            self.refused(line, "row", res);
        }
        Ok(())
    }

    pub(super) fn verification(&mut self, rec: &Record) -> Result<()> {
        let per_year =
            crate::domain::measures::MeasureCatalog::official().management_verifications_per_year();
        let mark = self.mark();
        {
            let line = rec.line;
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let kind = self.parse(rec, "kind", VerificationKind::parse);
            let date = self.parse(rec, "date", fields::date);
            let self_check = self.flag(rec, "self_check");
            let (Some(enterprise), Some(kind), Some(date), Some(self_check)) =
                (enterprise, kind, date, self_check)
            else {
                return Ok(());
            };
            // The natural key: the enterprise, the kind, the date and the instruction.
            let instruction = rec.raw("instruction");
            let key = format!(
                "{} of {} on {date} (instruction “{}”)",
                kind.code(),
                crate::text::inert(rec.trimmed("enterprise")),
                crate::text::inert(instruction)
            );
            let in_db =
                self.db
                    .plan_exists(enterprise.id, kind.code(), &date.to_string(), instruction)?;
            if self.natural_key(line, "date", "verification plan", &key, in_db.then_some(0))
                == Key::Out
            {
                return Ok(());
            }
            let Some(w) = self.accept(mark) else {
                return Ok(());
            };
            // The yearly rule counts the plans above this one (written before it).
            let res = w.schedule_verification(
                &NewPlan {
                    enterprise_id: enterprise.id,
                    kind,
                    date,
                    instruction: rec.raw("instruction"),
                    team: rec.raw("team"),
                    self_check,
                    override_reason: fields::optional_text(rec.raw("override_reason")),
                },
                per_year,
            );
            let Some((id, _)) = self.refused(line, "row", res) else {
                return Ok(());
            };
            if let Some(into) = fields::optional_text(rec.raw("merged_into")) {
                match w.plan_by_instruction(enterprise.id, into)? {
                    Some(a) if a != id => {
                        let res = w.merge_verifications(a, id);
                        self.refused(line, "merged_into", res);
                    }
                    _ => self.problem(
                        line,
                        "merged_into",
                        format!(
                            "no other plan of this enterprise has the instruction '{}'",
                            crate::text::inert(into)
                        ),
                    ),
                }
            }
        }
        Ok(())
    }

    /// An enterprise's further coordinators (measure 28). The natural key is the pair; the
    /// coordinator in the enterprise's own record is already linked.
    pub(super) fn coordinator_link(&mut self, rec: &Record) -> Result<()> {
        let mark = self.mark();
        let line = rec.line;
        let enterprise = self.enterprise_ref(rec, "enterprise")?;
        let coordinator = match self.required(rec, "coordinator_phone") {
            Some(_) => self.coordinator_phone(rec, "coordinator_phone")?.flatten(),
            None => None,
        };
        let (Some(enterprise), Some(coordinator)) = (enterprise, coordinator) else {
            return Ok(());
        };
        let key = format!(
            "{} – {}",
            rec.trimmed("enterprise").to_ascii_uppercase(),
            rec.trimmed("coordinator_phone")
        );
        let in_db = self.db.is_linked(enterprise.id, coordinator)?;
        let what = "coordinator link";
        if self.natural_key(line, "coordinator_phone", what, &key, in_db.then_some(0)) == Key::Out {
            return Ok(());
        }
        if let Some(w) = self.accept(mark) {
            let res = w.link_coordinator(enterprise.id, coordinator);
            self.refused(line, "row", res);
        }
        Ok(())
    }

    /// AEO enterprises' designated hotline persons (measure 33). The natural key is the
    /// enterprise: one person each.
    pub(super) fn hotline_person(&mut self, rec: &Record) -> Result<()> {
        let mark = self.mark();
        let line = rec.line;
        let enterprise = self.enterprise_ref(rec, "enterprise")?;
        let person = self.required(rec, "person");
        let (Some(enterprise), Some(person)) = (enterprise, person) else {
            return Ok(());
        };
        let rule = crate::domain::call::check_hotline_person(enterprise.credit).map_err(english);
        if self.check(line, "enterprise", rule).is_none() {
            return Ok(());
        }
        let key = rec.trimmed("enterprise").to_ascii_uppercase();
        let in_db = self.db.hotline_person_of(enterprise.id)?.is_some();
        let what = "hotline person of enterprise";
        if self.natural_key(line, "enterprise", what, &key, in_db.then_some(0)) == Key::Out {
            return Ok(());
        }
        if let Some(w) = self.accept(mark) {
            let res = w.set_hotline_person(enterprise.id, Some(person));
            self.refused(line, "row", res);
        }
        Ok(())
    }
}
