//! Imports of calls, problems and verification plans: every field checked, every problem named
//! by line and field, then written through the store's rules, all or nothing.

use super::super::fields;
use super::{Record, Run};
use crate::domain::call::{CallDraft, CallOutcome, Channel, check_call, parse_measures};
use crate::domain::message::Message;
use crate::domain::problem::{ProblemStatus, parse_districts};
use crate::domain::verification::VerificationKind;
use crate::store::{NewCall, NewPlan, ProblemRecord, Writer};
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
        match self.w.coordinator_id_by_phone(phone)? {
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

    pub(super) fn calls(&mut self, records: &[Record]) -> Result<usize> {
        let mut n = 0;
        for rec in records {
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
                continue;
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
                continue;
            }
            if done.is_some() && callback_by.is_none() {
                self.problem(
                    line,
                    "callback_done_at",
                    "only a promised callback can be made",
                );
                continue;
            }
            let res = self.w.log_call(&NewCall {
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
                let res = self.w.callback_done(id, d);
                self.refused(line, "callback_done_at", res);
            }
            n += 1;
        }
        Ok(n)
    }

    pub(super) fn problems(&mut self, records: &[Record]) -> Result<usize> {
        let mut n = 0;
        for rec in records {
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
                continue;
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
                continue;
            }
            let res = self.w.insert_problem_record(&ProblemRecord {
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
            n += 1;
        }
        Ok(n)
    }

    pub(super) fn verifications(&mut self, records: &[Record]) -> Result<usize> {
        let per_year =
            crate::domain::measures::MeasureCatalog::official().management_verifications_per_year();
        let mut n = 0;
        for rec in records {
            let line = rec.line;
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let kind = self.parse(rec, "kind", VerificationKind::parse);
            let date = self.parse(rec, "date", fields::date);
            let self_check = self.flag(rec, "self_check");
            let (Some(enterprise), Some(kind), Some(date), Some(self_check)) =
                (enterprise, kind, date, self_check)
            else {
                continue;
            };
            // Written at once: the yearly rule counts the plans above this one.
            let res = self.w.schedule_verification(
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
                continue;
            };
            n += 1;
            if let Some(into) = fields::optional_text(rec.raw("merged_into")) {
                match self.w.plan_by_instruction(enterprise.id, into)? {
                    Some(a) if a != id => {
                        let res = self.w.merge_verifications(a, id);
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
        Ok(n)
    }

    /// Writes a record whose natural key (`seen`, field, what, key) is new; whether it was written.
    fn write_new<T>(
        &mut self,
        line: usize,
        (seen, field, what, key): (&mut super::Seen, &str, &str, &str),
        in_db: bool,
        write: impl FnOnce(&Writer<'_>) -> Result<T>,
    ) -> bool {
        if self.natural_key(seen, line, field, what, key, in_db) {
            return false;
        }
        let res = write(self.w);
        self.refused(line, "row", res).is_some()
    }

    /// An enterprise's further coordinators (measure 28). The natural key is the pair; the
    /// coordinator in the enterprise's own record is already linked.
    pub(super) fn coordinator_links(&mut self, records: &[Record]) -> Result<usize> {
        let mut pairs = super::Seen::default();
        let mut n = 0;
        for rec in records {
            let line = rec.line;
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let coordinator = match self.required(rec, "coordinator_phone") {
                Some(_) => self.coordinator_phone(rec, "coordinator_phone")?.flatten(),
                None => None,
            };
            let (Some(enterprise), Some(coordinator)) = (enterprise, coordinator) else {
                continue;
            };
            let key = format!(
                "{} – {}",
                rec.trimmed("enterprise").to_ascii_uppercase(),
                rec.trimmed("coordinator_phone")
            );
            let in_db = self.w.is_linked(enterprise.id, coordinator)?;
            let natural = (&mut pairs, "coordinator_phone", "coordinator link", &*key);
            n += usize::from(self.write_new(line, natural, in_db, |w| {
                w.link_coordinator(enterprise.id, coordinator)
            }));
        }
        Ok(n)
    }

    /// AEO enterprises' designated hotline persons (measure 33). The natural key is the
    /// enterprise: one person each.
    pub(super) fn hotline_persons(&mut self, records: &[Record]) -> Result<usize> {
        let mut seen = super::Seen::default();
        let mut n = 0;
        for rec in records {
            let line = rec.line;
            let enterprise = self.enterprise_ref(rec, "enterprise")?;
            let person = self.required(rec, "person");
            let (Some(enterprise), Some(person)) = (enterprise, person) else {
                continue;
            };
            let rule =
                crate::domain::call::check_hotline_person(enterprise.credit).map_err(english);
            if self.check(line, "enterprise", rule).is_none() {
                continue;
            }
            let key = rec.trimmed("enterprise").to_ascii_uppercase();
            let in_db = self.w.hotline_person_of(enterprise.id)?.is_some();
            let what = "hotline person of enterprise";
            let written = self.write_new(line, (&mut seen, "enterprise", what, &key), in_db, |w| {
                w.set_hotline_person(enterprise.id, Some(person))
            });
            n += usize::from(written);
        }
        Ok(n)
    }
}
