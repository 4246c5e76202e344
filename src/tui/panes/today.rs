//! Pane 5, Today: what this operator and the desk must act on now: overdue and nearly-due
//! approvals, today's and tomorrow's inspections with their 当日清 state, abnormal work, promised
//! callbacks, problems past their targets, the operator's own items. Also the counts every pane
//! tab carries, so urgency shows from any pane.

use super::{Hint, Pane, frame_block, row_style, scroll_to};
use crate::domain::approval::{Urgency, urgency};
use crate::domain::call::{CallbackState, callback_state};
use crate::domain::measures::MeasureCatalog;
use crate::domain::problem::{Lateness, ProblemClock, ProblemTargets};
use crate::present;
use crate::store::{Store, TodayData};
use crate::text::{inert, tr};
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::selection::Selection;
use anyhow::Result;
use crossterm::event::KeyEvent;
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Lines per section of the pane.
const SECTION_LIMIT: usize = 30;
/// Urgent approvals shown here; the approvals pane has them all.
const APPROVALS_SHOWN: usize = 6;
/// The pane shows one line more than the cursor's page (see `App::resize`).
const LINES_SPARE: usize = 1;

/// What a selectable line of the pane is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodayTarget {
    Approval(i64),
    Item(i64),
    Booking(i64),
    Callback(i64),
    Problem(i64),
}

#[derive(Debug, Default)]
pub struct TodayPane {
    pub data: Option<TodayData>,
    /// Clocks of the open problems past their targets, with the problem's position in `data`.
    pub late_problems: Vec<(usize, ProblemClock)>,
    pub targets: ProblemTargets,
    /// The selected entry (see `entries`).
    pub cursor: Selection,
    operator: String,
}

impl TodayPane {
    /// The problem targets come from `AEO_PROBLEM_TARGETS` (as for `aeo problems`); an
    /// unreadable value falls back to the defaults.
    pub fn new(operator: &str) -> TodayPane {
        TodayPane {
            operator: operator.to_string(),
            targets: std::env::var("AEO_PROBLEM_TARGETS")
                .ok()
                .and_then(|t| ProblemTargets::parse(&t).ok())
                .unwrap_or_default(),
            ..Default::default()
        }
    }

    pub fn set_page(&mut self, rows: usize) {
        self.cursor.set_page(rows);
    }

    /// The selectable entries: (target, enterprise), in the order shown.
    pub fn entries(&self) -> Vec<(TodayTarget, Option<i64>)> {
        let Some(d) = &self.data else {
            return Vec::new();
        };
        let mut out = Vec::new();
        out.extend(
            d.approvals
                .iter()
                .take(APPROVALS_SHOWN)
                .map(|a| (TodayTarget::Approval(a.id), Some(a.enterprise_id))),
        );
        out.extend(
            d.callbacks
                .iter()
                .map(|c| (TodayTarget::Callback(c.id), c.enterprise_id)),
        );
        out.extend(self.late_problems.iter().map(|(i, _)| {
            let p = &d.problems[*i].problem;
            (TodayTarget::Problem(p.id), Some(p.enterprise_id))
        }));
        out.extend(
            d.abnormal_items
                .iter()
                .map(|r| (TodayTarget::Item(r.id), Some(r.enterprise_id))),
        );
        out.extend(
            d.abnormal_bookings
                .iter()
                .map(|b| (TodayTarget::Booking(b.id), Some(b.enterprise_id))),
        );
        out.extend(
            d.taken
                .iter()
                .map(|r| (TodayTarget::Item(r.id), Some(r.enterprise_id))),
        );
        out
    }

    /// How many entries the sections hold, read or not (the lines below the screen are read
    /// when the cursor goes there).
    fn all_entries(&self) -> usize {
        let Some(d) = &self.data else {
            return 0;
        };
        let c = &d.counts;
        c.approvals.min(APPROVALS_SHOWN)
            + c.callbacks
            + (d.late_problems.max(0) as usize).min(SECTION_LIMIT)
            + c.abnormal_items
            + c.abnormal_bookings
            + c.taken
    }

    pub fn selected_entry(&self) -> Option<(TodayTarget, Option<i64>)> {
        self.entries().get(self.cursor.selected).copied()
    }

    /// The lines of the pane; each selectable line carries its entry index.
    fn lines(&self, v: &View<'_>) -> Vec<(Line<'static>, Option<usize>)> {
        let (lang, t, now) = (v.lang, v.theme, v.now);
        let Some(d) = &self.data else {
            return vec![(Line::raw(tr(lang, "正在加载…", "loading…")), None)];
        };
        let cat = MeasureCatalog::official();
        let mut out: Vec<(Line<'static>, Option<usize>)> = Vec::new();
        let mut n = 0usize;
        let mut entry = |line: Line<'static>, out: &mut Vec<(Line<'static>, Option<usize>)>| {
            out.push((line, Some(n)));
            n += 1;
        };
        // A list read up to its limit may hold more: "30+".
        let full = |n: usize| n >= SECTION_LIMIT;
        let heading = |zh: &str, en: &str, count: usize, capped: bool| {
            let more = if capped { "+" } else { "" };
            (
                Line::styled(
                    format!("── {} ({count}{more})", lang.pick(zh, en)),
                    t.heading,
                ),
                None,
            )
        };
        let c = &d.counts;
        out.push(heading(
            "超期和临近到期的审批",
            "Approvals overdue or nearly due",
            c.approvals,
            full(c.approvals),
        ));
        for a in d.approvals.iter().take(APPROVALS_SHOWN) {
            let c = a.countdown(v.cal, cat, now);
            let (mark, style) = match urgency(&c) {
                Urgency::Overdue => ("✗", t.overdue),
                Urgency::NearlyDue => ("!", t.warn),
                Urgency::Normal => (" ", Style::default()),
            };
            entry(
                Line::from(vec![
                    Span::styled(format!("{mark} {}", present::countdown(&c, lang)), style),
                    Span::raw(format!(
                        " · {} {} · {}",
                        inert(&a.reference),
                        a.kind.name(lang),
                        inert(&a.enterprise)
                    )),
                ]),
                &mut out,
            );
        }
        if c.approvals > APPROVALS_SHOWN {
            let more = format!(
                "{}{}",
                c.approvals - APPROVALS_SHOWN,
                if full(c.approvals) { "+" } else { "" }
            );
            out.push((
                Line::styled(
                    lang.pick(
                        &format!("  … 另有 {more} 件，见窗格 3"),
                        &format!("  … {more} more in pane 3"),
                    )
                    .to_string(),
                    t.muted,
                ),
                None,
            ));
        }
        out.push(heading(
            "待回电",
            "Callbacks due",
            c.callbacks,
            full(c.callbacks),
        ));
        for c in &d.callbacks {
            let by = c.callback_by.unwrap_or(now);
            let (mark, style, when) = match callback_state(by, c.callback_done_at, now) {
                CallbackState::Overdue { secs_late } => (
                    "✗",
                    t.overdue,
                    format!(
                        "{}{}",
                        tr(lang, "已超 ", "late "),
                        present::span(secs_late, lang)
                    ),
                ),
                CallbackState::Due { secs_left, soon } => (
                    if soon { "!" } else { " " },
                    if soon { t.warn } else { Style::default() },
                    format!(
                        "{}{}",
                        tr(lang, "剩 ", "left "),
                        present::span(secs_left, lang)
                    ),
                ),
                CallbackState::Done => (" ", t.muted, String::new()),
            };
            entry(
                Line::from(vec![
                    Span::styled(format!("{mark} {when}"), style),
                    Span::raw(format!(
                        " · {} {} · {} · {}",
                        tr(lang, "来电", "call"),
                        c.id,
                        c.enterprise
                            .as_deref()
                            .or(c.caller_name.as_deref())
                            .map(inert)
                            .unwrap_or_else(|| "?".into()),
                        inert(&c.question)
                    )),
                ]),
                &mut out,
            );
        }
        out.push(heading(
            "超过时限的问题（措施29）",
            "Problems past their targets (measure 29)",
            d.late_problems.max(0) as usize,
            false,
        ));
        for (i, clock) in &self.late_problems {
            let r = &d.problems[*i];
            let p = &r.problem;
            entry(
                Line::from(vec![
                    Span::styled(
                        format!(
                            "✗ {}{}",
                            clock.age_working_days,
                            tr(lang, " 个工作日", " working days")
                        ),
                        t.overdue,
                    ),
                    Span::raw(format!(
                        " · #{} {} · {} · {}",
                        p.id,
                        inert(&p.title),
                        inert(&r.enterprise),
                        r.coordinator.as_deref().map(inert).unwrap_or_else(|| tr(
                            lang,
                            "未指派",
                            "unassigned"
                        )
                        .to_string())
                    )),
                ]),
                &mut out,
            );
        }
        out.push(heading(
            "今明两天的查验（当日清）",
            "Inspections today and tomorrow (当日清)",
            d.days.len(),
            false,
        ));
        for day in &d.days {
            let c = &day.clearance;
            out.push((
                Line::from(vec![
                    Span::raw(format!(
                        "  {} {} · ",
                        day.date,
                        present::weekday(day.date, lang)
                    )),
                    if day.cleared {
                        Span::styled(tr(lang, "已当日清", "cleared"), t.ok)
                    } else {
                        Span::styled(
                            format!("{} {}", tr(lang, "待查", "to inspect"), c.booked),
                            t.warn,
                        )
                    },
                    Span::raw(format!(
                        " · {} {} · {} {}",
                        tr(lang, "已完成", "done"),
                        c.done,
                        tr(lang, "异常", "abnormal"),
                        c.abnormal
                    )),
                ]),
                None,
            ));
        }
        out.push(heading(
            "异常事项和查验",
            "Abnormal items and inspections",
            c.abnormal_items + c.abnormal_bookings,
            full(c.abnormal_items) || full(c.abnormal_bookings),
        ));
        for r in &d.abnormal_items {
            entry(
                Line::from(vec![
                    Span::styled("✗ ", t.overdue),
                    Span::raw(format!(
                        "{} #{} {} · {}",
                        tr(lang, "事项", "item"),
                        r.id,
                        r.kind.name(lang),
                        inert(&r.enterprise)
                    )),
                ]),
                &mut out,
            );
        }
        for b in &d.abnormal_bookings {
            entry(
                Line::from(vec![
                    Span::styled("✗ ", t.overdue),
                    Span::raw(format!(
                        "{} #{} {} {:02}:{:02} · {} · {}",
                        tr(lang, "查验", "inspection"),
                        b.id,
                        b.date,
                        b.start.hour(),
                        b.start.minute(),
                        inert(&b.goods),
                        inert(&b.enterprise)
                    )),
                ]),
                &mut out,
            );
        }
        out.push(heading(
            "我领取的事项",
            "My taken items",
            c.taken,
            full(c.taken),
        ));
        for r in &d.taken {
            entry(
                Line::raw(format!(
                    "  #{} {} · {} · {}",
                    r.id,
                    r.kind.name(lang),
                    r.status.name(lang),
                    inert(&r.enterprise)
                )),
                &mut out,
            );
        }
        out
    }
}

impl TodayPane {
    /// Reads the sections' first `lines` lines (and every section's count).
    fn read(&mut self, env: &Env<'_>, lines: usize) -> Result<()> {
        let late = Lateness::new(env.cal, self.targets, env.now);
        let data = env.store.today_lines(
            env.now,
            &self.operator,
            SECTION_LIMIT,
            APPROVALS_SHOWN,
            lines,
            &late,
        )?;
        self.late_problems = data
            .problems
            .iter()
            .enumerate()
            .map(|(i, r)| (i, late.clock(&r.problem)))
            .collect();
        self.data = Some(data);
        Ok(())
    }

    /// The pane with every line of every section read (for `:export`).
    pub fn whole(&self, env: &Env<'_>) -> Result<TodayPane> {
        let mut all = TodayPane {
            operator: self.operator.clone(),
            targets: self.targets,
            ..Default::default()
        };
        all.read(env, usize::MAX)?;
        Ok(all)
    }
}

impl Pane for TodayPane {
    fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        // The cursor stays on the record when lines come and go above it.
        let before = self.selected_entry().map(|(t, _)| t);
        // The lines on screen, down to the cursor (its line is at most the number of lines
        // that are not entries below its index): the rest is read when the cursor goes there.
        let lines = self.cursor.selected + self.cursor.page() + LINES_SPARE;
        self.read(env, lines)?;
        let entries = self.entries();
        self.cursor.follow(&entries, before, |(t, _)| *t);
        Ok(())
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if self.cursor.key(key, km, self.all_entries()) {
            // Below the lines read: read down to it.
            return (self.cursor.selected >= self.entries().len()).then_some(Action::Reload);
        }
        let (target, enterprise) = self.selected_entry()?;
        if km.is(Cmd::Open, key) {
            match target {
                TodayTarget::Problem(id) => Some(Action::OpenProblemBoard(Some(id))),
                _ => enterprise.map(Action::OpenCard),
            }
        } else if km.is(Cmd::Finish, key) {
            match target {
                TodayTarget::Callback(id) => Some(Action::CallbackDone(id)),
                TodayTarget::Item(id) => Some(Action::ChangeItem(
                    id,
                    crate::domain::ownership::ItemChange::Finish,
                )),
                _ => None,
            }
        } else {
            None
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let title = v
            .lang
            .pick(
                &format!("今日待办 · {}", inert(&self.operator)),
                &format!("Today · {}", inert(&self.operator)),
            )
            .to_string();
        let block = frame_block(title, true, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let lines = self.lines(v);
        let sel_line = lines
            .iter()
            .position(|(_, e)| *e == Some(self.cursor.selected))
            .unwrap_or(0);
        let height = usize::from(inner.height).max(1);
        let offset = scroll_to(0, sel_line, height);
        let shown: Vec<Line<'static>> = lines
            .into_iter()
            .skip(offset)
            .take(height)
            .map(|(l, e)| {
                if e == Some(self.cursor.selected) {
                    l.patch_style(row_style(Style::default(), true, v))
                } else {
                    l
                }
            })
            .collect();
        f.render_widget(Paragraph::new(shown), inner);
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::cmd(Cmd::Open, "企业卡片/问题看板", "card / problem board"),
            Hint::cmd(Cmd::Finish, "已回电/办结", "called back / finish"),
            Hint::cmd(Cmd::Down, "下移", "down"),
            Hint::cmd(Cmd::Up, "上移", "up"),
        ]
    }
}

/// The counts a pane tab carries: how many, how many overdue (✗), how many nearly due (!).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TabCount {
    pub total: i64,
    pub overdue: i64,
    pub near: i64,
    /// Counted with the tab's counts for its pane (the queue's items past their deadline,
    /// the approvals open); None until counted.
    pub pane: Option<i64>,
}

impl TabCount {
    /// " 3 ✗2 !5": the parts that are not zero. `short` (a narrow tab row) writes numbers of
    /// five digits or more in ten-thousands ("7.0万") or thousands ("70k"), rounded down, so
    /// that a tab's counts are shown whole rather than cut off.
    pub fn text(&self, short: Option<crate::text::Lang>) -> String {
        let n = |v: i64| match short {
            Some(lang) if v >= 10_000 => match lang {
                crate::text::Lang::Zh if v < 100_000 => {
                    format!("{}.{}万", v / 10_000, v % 10_000 / 1_000)
                }
                crate::text::Lang::Zh => format!("{}万", v / 10_000),
                crate::text::Lang::En => format!("{}k", v / 1_000),
            },
            _ => v.to_string(),
        };
        let mut s = String::new();
        if self.total > 0 {
            s.push_str(&format!(" {}", n(self.total)));
        }
        if self.overdue > 0 {
            s.push_str(&format!(" ✗{}", n(self.overdue)));
        }
        if self.near > 0 {
            s.push_str(&format!(" !{}", n(self.near)));
        }
        s
    }
}

/// Counts for the five tabs: queue (open, abnormal), inspections today (to inspect, abnormal),
/// approvals (open, overdue, nearly due), lookup (none), Today (what to act on: overdue, soon).
pub fn tab_counts(
    store: &Store,
    now: Timestamp,
    cal: &crate::calendar::WorkingCalendar,
    targets: ProblemTargets,
) -> Result<[TabCount; 5]> {
    let a = store.approvals_summary(now)?;
    let abnormal = store.abnormal_item_count()?;
    let day = store.day_clearance(crate::calendar::shanghai_date(now))?;
    let (cb_late, cb_soon) = store.callback_counts(now)?;
    let (late_problems, _) = store.late_problems(&Lateness::new(cal, targets, now), 0)?;
    // The queue's title: items past their deadline (an index range of every open item that
    // is: milliseconds on a district's queue, off the draw here).
    let overdue_items = store.queue_overdue(now)?;
    Ok([
        TabCount {
            total: 0,
            overdue: abnormal,
            near: 0,
            pane: Some(overdue_items),
        },
        TabCount {
            total: 0,
            overdue: i64::from(day.abnormal),
            near: i64::from(day.booked),
            pane: None,
        },
        TabCount {
            total: a.open as i64,
            overdue: a.overdue as i64,
            near: a.nearly_due as i64,
            pane: Some(a.open as i64),
        },
        TabCount::default(),
        TabCount {
            total: 0,
            overdue: a.overdue as i64 + cb_late + late_problems + abnormal,
            near: a.nearly_due as i64 + cb_soon,
            pane: None,
        },
    ])
}
