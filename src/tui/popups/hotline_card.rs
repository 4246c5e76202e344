//! The hotline card (measures 28, 29, 31, 33): who the caller is, their coordinator, and
//! everything pending for them, with the measures that apply to them.

use super::{centered, popup_frame};
use crate::calendar::{shanghai_date, shanghai_datetime};
use crate::domain::duty::by_duty;
use crate::domain::enterprise::{Coordinator, Enterprise, Problem, applicable_measures};
use crate::domain::measures::MeasureCatalog;
use crate::domain::verification::{VerificationKind, second_verification_warning};
use crate::present::{self, span};
use crate::store::{ApprovalRow, BookingRow, QueueRow};
use crate::store::{AuditEntry, CallFilter, CallRow};
use crate::text::inert;
use crate::text::tr;
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::panes::Hint;
use crate::tui::panes::{urgency_mark, urgency_style};
use crate::tui::wrap::wrap_line;
use anyhow::{Result, anyhow};
use crossterm::event::KeyEvent;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How many of the enterprise's latest audit entries the card shows.
const RECENT_ACTIONS: usize = 5;
/// How many of the enterprise's latest calls the card shows.
const RECENT_CALLS: usize = 5;

pub struct HotlineCard {
    pub enterprise_id: i64,
    pub enterprise: Option<Enterprise>,
    pub coordinator: Option<Coordinator>,
    /// Every coordinator of the enterprise (measure 28), those on duty now first.
    pub coordinators: Vec<(Coordinator, bool)>,
    /// The designated hotline person (专人, measure 33).
    pub hotline_person: Option<String>,
    pub calls: Vec<CallRow>,
    pub items: Vec<QueueRow>,
    pub bookings: Vec<BookingRow>,
    pub approvals: Vec<ApprovalRow>,
    pub problems: Vec<Problem>,
    pub verifications: Vec<(VerificationKind, Date)>,
    /// The enterprise's latest changes from the audit trail.
    pub recent: Vec<AuditEntry>,
    pub scroll: u16,
    now: Option<jiff::Timestamp>,
}

impl HotlineCard {
    pub fn new(enterprise_id: i64) -> HotlineCard {
        HotlineCard {
            enterprise_id,
            enterprise: None,
            coordinator: None,
            coordinators: Vec::new(),
            hotline_person: None,
            calls: Vec::new(),
            items: Vec::new(),
            bookings: Vec::new(),
            approvals: Vec::new(),
            problems: Vec::new(),
            verifications: Vec::new(),
            recent: Vec::new(),
            scroll: 0,
            now: None,
        }
    }

    pub fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        let s = env.store;
        let e = s
            .enterprise(self.enterprise_id)?
            .ok_or_else(|| anyhow!("no enterprise {}", self.enterprise_id))?;
        self.coordinators = by_duty(s.coordinators_of(e.id)?, env.cal, env.now);
        // The one to call now: the first on duty, else the enterprise's own coordinator.
        self.coordinator = match (self.coordinators.first(), e.coordinator_id) {
            (Some((c, true)), _) => Some(c.clone()),
            (_, Some(id)) => s.coordinator(id)?,
            (first, None) => first.map(|(c, _)| c.clone()),
        };
        self.hotline_person = s.hotline_person(e.id)?;
        self.calls = s.calls(&CallFilter {
            enterprise_id: Some(e.id),
            limit: RECENT_CALLS,
            ..Default::default()
        })?;
        self.items = s.items_of(e.id)?;
        self.bookings = s.bookings_of(e.id, shanghai_date(env.now))?;
        self.approvals = s.approvals_of(e.id)?;
        self.problems = s.problems_of(e.id)?;
        self.verifications = s.verifications_of(e.id)?;
        self.recent = s.audit(Some(e.id), None, RECENT_ACTIONS)?;
        self.enterprise = Some(e);
        self.now = Some(env.now);
        Ok(())
    }

    pub fn dates_on_screen(&self) -> Vec<Date> {
        self.bookings.iter().map(|b| b.date).collect()
    }

    pub fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if km.is(Cmd::Down, key) {
            self.scroll = self.scroll.saturating_add(1);
            None
        } else if km.is(Cmd::Up, key) {
            self.scroll = self.scroll.saturating_sub(1);
            None
        } else if km.is(Cmd::PageDown, key) {
            self.scroll = self.scroll.saturating_add(10);
            None
        } else if km.is(Cmd::PageUp, key) {
            self.scroll = self.scroll.saturating_sub(10);
            None
        } else if km.is(Cmd::Top, key) {
            self.scroll = 0;
            None
        } else if km.is(Cmd::Copy, key) {
            self.coordinator
                .as_ref()
                .map(|c| Action::Copy(c.phone.clone()))
        } else if km.is(Cmd::CopyOther, key) {
            self.enterprise
                .as_ref()
                .map(|e| Action::Copy(e.uscc.clone()))
        } else if km.is(Cmd::LogCall, key) {
            Some(Action::OpenCallForm(self.enterprise_id))
        } else if km.is(Cmd::Back, key) || km.is(Cmd::Quit, key) {
            Some(Action::ClosePopup)
        } else {
            None
        }
    }

    pub fn lines(&self, v: &View<'_>) -> Vec<Line<'static>> {
        let lang = v.lang;
        let t = v.theme;
        let cat = MeasureCatalog::official();
        let now = v.now;
        let Some(e) = &self.enterprise else {
            return vec![Line::raw(tr(lang, "正在加载…", "loading…"))];
        };
        let mut out: Vec<Line<'static>> = Vec::new();
        let label = |s: &'static str| Span::styled(s, t.muted);
        let heading = |zh: &'static str, en: &'static str, n: usize| {
            Line::styled(format!("── {} ({n})", tr(lang, zh, en)), t.heading)
        };
        // Who
        let mut name = vec![Span::styled(inert(&e.name_zh), t.title)];
        if let Some(en) = &e.name_en {
            name.push(Span::styled(format!("  {}", inert(en)), t.muted));
        }
        out.push(Line::from(name));
        let level_style = if e.credit.is_aeo() { t.aeo } else { t.warn };
        let mut level = vec![
            label(tr(lang, "信用等级 ", "credit ")),
            Span::styled(e.credit.name(lang).to_string(), level_style),
        ];
        match e.aeo_code() {
            Some(code) => {
                level.push(label(tr(lang, "  AEO编码 ", "  AEO code ")));
                level.push(Span::styled(code, t.aeo));
            }
            None => level.push(Span::styled(
                tr(
                    lang,
                    "  非 AEO 企业，AEO 措施不适用",
                    "  not AEO: the AEO measures do not apply",
                ),
                t.warn,
            )),
        }
        out.push(Line::from(level));
        out.push(Line::from(vec![
            label(tr(lang, "统一社会信用代码 ", "USCC ")),
            Span::raw(inert(&e.uscc)),
            label(tr(lang, "  海关编码 ", "  customs code ")),
            Span::raw(inert(&e.customs_code)),
        ]));
        let industries: Vec<&str> = e.industries.iter().map(|i| i.name(lang)).collect();
        out.push(Line::from(vec![
            label(tr(lang, "行业 ", "industries ")),
            Span::raw(if industries.is_empty() {
                "—".to_string()
            } else {
                industries.join("、")
            }),
            label(tr(
                lang,
                "  集团（措施31 “1+N”） ",
                "  group (measure 31, 1+N) ",
            )),
            Span::raw(
                e.group_name
                    .as_deref()
                    .map(inert)
                    .unwrap_or_else(|| "—".to_string()),
            ),
        ]));
        // Coordinators (measure 28), on duty now first; the designated hotline person (33)
        out.push(Line::raw(""));
        out.extend(self.coordinator_lines(v));
        // Calls, the latest first: what the enterprise asked before
        out.push(heading("最近来电", "Recent calls", self.calls.len()));
        for c in &self.calls {
            out.push(Line::raw(format!(
                "  #{} {} · {} · {} · {}{}",
                c.id,
                shanghai_datetime(c.at).strftime("%m-%d %H:%M"),
                inert(&c.operator),
                inert(&c.question),
                c.outcome.name(lang),
                match (c.callback_by, c.callback_done_at) {
                    (Some(by), None) => format!(
                        " · {} {}",
                        tr(lang, "回电时限", "call back by"),
                        present::deadline(by, true)
                    ),
                    _ if c.answer.is_empty() => String::new(),
                    _ => format!(" · {}", inert(&c.answer)),
                }
            )));
        }
        // Queue items
        out.push(Line::raw(""));
        out.push(heading("待办事项", "Open queue items", self.items.len()));
        for r in &self.items {
            let time = match r.due_at {
                Some(d) if d < now => format!(
                    "{}{}",
                    tr(lang, "超", "late "),
                    span(d.as_second() - now.as_second(), lang)
                ),
                Some(d) => format!(
                    "{}{}",
                    tr(lang, "剩", "left "),
                    span(d.as_second() - now.as_second(), lang)
                ),
                None => format!(
                    "{}{}",
                    tr(lang, "等", "wait "),
                    span(now.as_second() - r.received_at.as_second(), lang)
                ),
            };
            let flags = r.flags.labels(lang).join(" ");
            out.push(Line::raw(format!(
                "  #{} {}{} · {} · {} {}",
                r.id,
                r.kind.name(lang),
                r.declaration_no
                    .as_deref()
                    .map(|d| format!(" {}", inert(d)))
                    .unwrap_or_default(),
                match &r.taken_by {
                    Some(who) => format!("{} {}", r.status.name(lang), inert(who)),
                    None => r.status.name(lang).to_string(),
                },
                time,
                flags
            )));
        }
        // Bookings
        out.push(heading(
            "查验预约",
            "Inspection bookings",
            self.bookings.len(),
        ));
        for b in &self.bookings {
            out.push(Line::raw(format!(
                "  {} {} {:02}:{:02} {} · {} · {} · {}",
                b.date,
                present::weekday(b.date, lang),
                b.start.hour(),
                b.start.minute(),
                inert(&b.office_code),
                inert(&b.goods),
                b.location.with_reason(b.offsite_reason, lang),
                b.status.shown(b.needs_site_approval, false, lang)
            )));
        }
        // Approvals with countdowns
        out.push(heading("审批", "Approvals", self.approvals.len()));
        for a in &self.approvals {
            let c = a.countdown(v.cal, cat, now);
            let rule = a.rule(cat);
            let left = if a.decided_at.is_some() {
                format!(
                    "{} {}",
                    tr(lang, "已办结", "decided"),
                    a.decision.as_deref().map(inert).unwrap_or_default()
                )
            } else {
                format!("{} {}", urgency_mark(&c), present::countdown(&c, lang))
            };
            let style = if a.decided_at.is_some() {
                t.muted
            } else {
                urgency_style(&c, v)
            };
            out.push(Line::from(vec![
                Span::raw(format!(
                    "  {} {} · ",
                    inert(&a.reference),
                    a.kind.name(lang)
                )),
                Span::styled(left, style),
                Span::raw(format!(
                    " · {} {} · ",
                    tr(lang, "截止", "due"),
                    c.due
                        .map(|d| present::deadline(d, false))
                        .unwrap_or_else(|| tr(lang, "暂停中", "paused").to_string())
                )),
                Span::styled(rule.reason(lang).to_string(), t.info),
            ]));
        }
        // Problems (measure 29)
        let open: Vec<&Problem> = self
            .problems
            .iter()
            .filter(|p| p.status.is_open())
            .collect();
        out.push(heading(
            "未清零问题（措施29）",
            "Open cross-district problems (measure 29)",
            open.len(),
        ));
        for p in open {
            let opened = shanghai_datetime(p.opened_at).date();
            let districts = if p.districts.is_empty() {
                inert(&p.district)
            } else {
                format!("上海→{}", inert(&p.districts.join("、")))
            };
            out.push(Line::raw(format!(
                "  #{} {} · {} · {} · {} {}",
                p.id,
                inert(&p.title),
                districts,
                p.status.name(lang),
                tr(lang, "提出于", "opened"),
                opened
            )));
        }
        // Verifications (measures 16, 17)
        if !self.verifications.is_empty() {
            out.push(heading("核查", "Verifications", self.verifications.len()));
            let per_year = cat.management_verifications_per_year();
            for (i, (k, d)) in self.verifications.iter().enumerate() {
                let warn = second_verification_warning(
                    e.credit,
                    *k,
                    *d,
                    &self.verifications[..i],
                    per_year,
                );
                let mut spans = vec![Span::raw(format!("  {d} {}", k.name(lang)))];
                if let Some(w) = warn {
                    spans.push(Span::styled(format!("  ⚠ {w}"), t.warn));
                }
                out.push(Line::from(spans));
            }
        }
        // Recent actions (audit trail)
        out.push(heading("最近操作", "Recent actions", self.recent.len()));
        for a in &self.recent {
            out.push(Line::raw(format!(
                "  {} · {} · {} #{}",
                shanghai_datetime(a.at).strftime("%m-%d %H:%M"),
                inert(&a.operator),
                inert(&crate::present::audit_action(&a.action, &a.entity, lang)),
                a.entity_id
            )));
        }
        // Measures
        let measures = applicable_measures(e.credit, &e.industries, cat);
        out.push(heading("适用措施", "Measures that apply", measures.len()));
        if measures.is_empty() {
            out.push(Line::styled(
                tr(
                    lang,
                    "  无（仅 AEO 企业适用）",
                    "  none (AEO enterprises only)",
                ),
                t.muted,
            ));
        }
        for m in measures {
            out.push(Line::from(vec![
                Span::styled(format!("  {:>2} ", m.number), t.key),
                Span::raw(inert(m.summary(lang))),
            ]));
        }
        out
    }

    /// Who to reach: every coordinator with role, phone, office and duty hours, those on duty
    /// now first; then the designated hotline person.
    fn coordinator_lines(&self, v: &View<'_>) -> Vec<Line<'static>> {
        let (lang, t) = (v.lang, v.theme);
        let mut out = Vec::new();
        out.push(Line::styled(
            format!(
                "{} ({})",
                tr(
                    lang,
                    "协调员（措施28），当前值班在前",
                    "Coordinators (measure 28), on duty now first"
                ),
                self.coordinators.len()
            ),
            t.heading,
        ));
        if self.coordinators.is_empty() {
            out.push(Line::styled(
                tr(lang, "  协调员：未指派", "  Coordinator: none assigned"),
                t.warn,
            ));
        }
        for (c, on) in &self.coordinators {
            let (mark, style) = if *on {
                (tr(lang, "值班中", "ON DUTY"), t.aeo)
            } else {
                (tr(lang, "不在班", "off duty"), t.muted)
            };
            out.push(Line::from(vec![
                Span::styled(format!("  {mark} "), style),
                Span::styled(inert(&c.name), t.title),
                Span::raw(" · "),
                Span::styled(inert(&c.phone), t.key),
                Span::raw(format!(
                    " · {} · {} ({})",
                    c.role.name(lang),
                    inert(&c.office_name),
                    inert(&c.office_code),
                )),
                Span::styled(format!(" · {}", inert(&c.duty_hours)), t.muted),
            ]));
        }
        out.push(Line::from(vec![
            Span::styled(
                tr(
                    lang,
                    "热线专人（措施33） ",
                    "Designated hotline person (measure 33) ",
                ),
                t.muted,
            ),
            Span::raw(
                self.hotline_person
                    .as_deref()
                    .map(inert)
                    .unwrap_or_else(|| "—".to_string()),
            ),
        ]));
        out
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let w = if area.width >= 120 {
            area.width.saturating_sub(16)
        } else {
            area.width
        };
        let r = centered(area, w, area.height);
        let title = format!(
            "{} · 962116 · {}",
            tr(v.lang, "热线企业卡片", "Hotline card"),
            self.enterprise
                .as_ref()
                .map(|e| inert(&e.name_zh))
                .unwrap_or_default()
        );
        let inner = popup_frame(f, r, title, v);
        let lines: Vec<Line<'static>> = self
            .lines(v)
            .iter()
            .flat_map(|l| wrap_line(l, usize::from(inner.width), 5))
            .collect();
        f.render_widget(
            Paragraph::new(lines)
                .scroll((self.scroll, 0))
                .style(Style::default()),
            inner,
        );
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::cmd(Cmd::LogCall, "记录来电", "log a call"),
            Hint::cmd(Cmd::Down, "下滚", "scroll down"),
            Hint::cmd(Cmd::Up, "上滚", "scroll up"),
            Hint::cmd(Cmd::Copy, "复制协调员电话", "copy phone"),
            Hint::cmd(Cmd::CopyOther, "复制信用代码", "copy USCC"),
            Hint::cmd(Cmd::Back, "关闭", "close"),
        ]
    }
}
