//! The verification form (measures 16, 17), opened from the hotline card with the enterprise
//! filled in: kind, planned date, team, instruction reference, self-check recognition, and the
//! reason for an exception to the once-a-year rule. The store checks the plan again; its refusal
//! (a second 管理类核查 in the year without a reason) keeps the form open, so the operator can
//! add the reason and press Enter again.

use super::form::{
    FormKey, choice, cycle, draw_form, field_line, form_hints, form_key, text_value,
};
use crate::domain::verification::VerificationKind;
use crate::text::{Lang, inert, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanField {
    Kind,
    Date,
    Team,
    Instruction,
    SelfCheck,
    Override,
}

impl PlanField {
    const ORDER: [PlanField; 6] = [
        PlanField::Kind,
        PlanField::Date,
        PlanField::Team,
        PlanField::Instruction,
        PlanField::SelfCheck,
        PlanField::Override,
    ];

    fn label(self, lang: Lang) -> &'static str {
        match self {
            PlanField::Kind => tr(lang, "类别 ←/→", "kind ←/→"),
            PlanField::Date => tr(lang, "计划日期", "date"),
            PlanField::Team => tr(lang, "核查小组", "team"),
            PlanField::Instruction => tr(lang, "指令文号", "instruction"),
            PlanField::SelfCheck => tr(lang, "自查认可 ←/→", "self-check ←/→"),
            PlanField::Override => tr(lang, "例外理由", "override reason"),
        }
    }
}

/// What the form asks the store to schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    pub enterprise_id: i64,
    pub kind: VerificationKind,
    pub date: String,
    pub team: String,
    pub instruction: String,
    pub self_check: bool,
    pub override_reason: String,
}

pub struct VerifyForm {
    pub enterprise_name: String,
    pub entry: PlanEntry,
    pub field: PlanField,
}

impl VerifyForm {
    pub fn new(enterprise_id: i64, enterprise_name: String) -> VerifyForm {
        VerifyForm {
            enterprise_name,
            entry: PlanEntry {
                enterprise_id,
                kind: VerificationKind::Management,
                date: String::new(),
                team: String::new(),
                instruction: String::new(),
                self_check: false,
                override_reason: String::new(),
            },
            field: PlanField::Date,
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        let e = &mut self.entry;
        let text = match self.field {
            PlanField::Date => Some(&mut e.date),
            PlanField::Team => Some(&mut e.team),
            PlanField::Instruction => Some(&mut e.instruction),
            PlanField::Override => Some(&mut e.override_reason),
            PlanField::Kind | PlanField::SelfCheck => None,
        };
        match form_key(key, &PlanField::ORDER, &mut self.field, text) {
            FormKey::Back => Some(Action::OpenCard(self.entry.enterprise_id)),
            FormKey::Submit => Some(Action::ScheduleVerification(Box::new(self.entry.clone()))),
            FormKey::Turn(fwd) => {
                let e = &mut self.entry;
                match self.field {
                    PlanField::Kind => e.kind = cycle(VerificationKind::ALL, e.kind, fwd),
                    PlanField::SelfCheck => e.self_check = !e.self_check,
                    _ => {}
                }
                None
            }
            FormKey::Nothing => None,
        }
    }

    pub fn lines(&self, v: &View<'_>) -> Vec<Line<'static>> {
        let (lang, t) = (v.lang, v.theme);
        let e = &self.entry;
        let mut out = vec![
            Line::from(vec![
                Span::styled(tr(lang, "企业 ", "enterprise "), t.muted),
                Span::styled(inert(&self.enterprise_name), t.title),
            ]),
            Line::raw(""),
        ];
        for f in PlanField::ORDER {
            let focused = self.field == f;
            let value: Vec<Span<'static>> = match f {
                PlanField::Kind => VerificationKind::ALL
                    .iter()
                    .map(|k| choice(v, *k == e.kind, k.name(lang)))
                    .collect(),
                PlanField::SelfCheck => vec![
                    choice(v, !e.self_check, tr(lang, "否", "no")),
                    choice(
                        v,
                        e.self_check,
                        tr(lang, "是（措施16）", "yes (measure 16)"),
                    ),
                ],
                PlanField::Date => text_value(
                    v,
                    &e.date,
                    focused,
                    tr(lang, " 例如 2026-12-15、12-15", " e.g. 2026-12-15, 12-15"),
                ),
                PlanField::Team => text_value(
                    v,
                    &e.team,
                    focused,
                    tr(lang, " 例如 稽查一组", " e.g. 稽查一组"),
                ),
                PlanField::Instruction => text_value(
                    v,
                    &e.instruction,
                    focused,
                    tr(
                        lang,
                        " 例如 稽查指令〔2026〕12号",
                        " e.g. 稽查指令〔2026〕12号",
                    ),
                ),
                PlanField::Override => text_value(
                    v,
                    &e.override_reason,
                    focused,
                    tr(
                        lang,
                        " 年内第二次管理类核查时必填（措施17）",
                        " required for a second management-type verification in a year (measure 17)",
                    ),
                ),
            };
            out.push(field_line(v, focused, f.label(lang), value));
        }
        out.push(Line::raw(""));
        let merge = v.keymap.label(crate::tui::keymap::Cmd::MergeVerifications);
        out.push(Line::styled(
            lang.pick(
                &format!("Enter 安排核查；同一时期的多项指令可在卡片上按 {merge} 合并为一个小组（措施16）"),
                &format!(
                    "Enter schedules it; orders in one period merge into one team with {merge} on the card (measure 16)"
                ),
            )
            .to_string(),
            t.info,
        ));
        out
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let title = format!(
            "{} · {}",
            tr(v.lang, "安排核查", "Schedule a verification"),
            inert(&self.enterprise_name)
        );
        draw_form(f, area, v, title, 14, self.lines(v));
    }

    pub fn hints(&self) -> Vec<Hint> {
        form_hints(("安排", "schedule"), ("类别/自查", "kind/self-check"))
    }
}

impl crate::tui::app::App {
    /// Opens the verification form over the card, with the enterprise filled in.
    pub(crate) fn open_verify_form(&mut self, enterprise_id: i64) {
        self.open_form(enterprise_id, |_, e| {
            Ok(super::Popup::Verify(Box::new(VerifyForm::new(
                enterprise_id,
                e.name_zh,
            ))))
        });
    }

    /// Schedules the form's plan; on success the card comes back showing it (and any merge it
    /// makes possible), on a refusal the form stays open with the reason in the status line.
    pub(crate) fn schedule_verification(&mut self, e: PlanEntry) {
        use crate::domain::localize::localize;
        use crate::domain::message::Message;
        let lang = self.session.lang;
        let today = crate::calendar::shanghai_date(self.now);
        let date = crate::calendar::parse_day(&e.date, today)
            .ok_or(())
            .and_then(|d| crate::calendar::check_year(d).map_err(|_| ()))
            .map_err(|()| {
                let d = inert(e.date.trim());
                Message::new(
                    format!("计划日期：'{d}' 不是日期（例如 2026-12-15、12-15、明天）"),
                    format!("date: '{d}' is not a date (e.g. 2026-12-15, 12-15, tomorrow)"),
                )
            });
        let per_year =
            crate::domain::measures::MeasureCatalog::official().management_verifications_per_year();
        let reason = e.override_reason.trim();
        let result = date.map_err(anyhow::Error::new).and_then(|date| {
            self.write_store(|w| {
                w.schedule_verification(
                    &crate::store::NewPlan {
                        enterprise_id: e.enterprise_id,
                        kind: e.kind,
                        date,
                        instruction: e.instruction.trim(),
                        team: e.team.trim(),
                        self_check: e.self_check,
                        override_reason: (!reason.is_empty()).then_some(reason),
                    },
                    per_year,
                )
            })
        });
        match result {
            Ok((id, warning)) => {
                let mut done = format!(
                    "{} #{id} {}",
                    tr(lang, "核查计划", "verification plan"),
                    tr(lang, "已安排", "scheduled")
                );
                if warning.is_some() {
                    done.push_str(tr(lang, " · 例外理由已记录", " · override recorded"));
                }
                self.back_to_card(e.enterprise_id, done);
            }
            Err(err) => self.set_error(localize(&err, lang)),
        }
    }
}
