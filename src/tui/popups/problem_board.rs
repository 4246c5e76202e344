//! The 清零 board (measure 29): open problems grouped by enterprise or by coordinator, the group
//! with the oldest problem first, each problem with its age in working days against the targets;
//! resolved ones wait below their group for the enterprise's confirmation. A coordinator drives
//! them from here: note, assign, resolve, close, reopen; Enter opens the enterprise's card.

use super::{centered, popup_frame};
use crate::domain::enterprise::Coordinator;
use crate::domain::problem::{ProblemAction, ProblemClock, ProblemTargets, problem_clock};
use crate::store::{ProblemFilter, ProblemRow};
use crate::text::{Lang, inert, tr};
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Enterprise,
    Coordinator,
}

/// A step being typed: its action, the text so far, and for an assignment the coordinator chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub action: ProblemAction,
    pub text: String,
    pub choice: usize,
}

pub struct ProblemBoard {
    pub group_by: GroupBy,
    pub targets: ProblemTargets,
    /// (row, clock), in board order.
    pub rows: Vec<(ProblemRow, ProblemClock)>,
    pub selected: usize,
    /// Select this problem at the next refresh.
    pub want: Option<i64>,
    pub prompt: Option<Prompt>,
    /// The coordinators of the selected problem's enterprise, on duty now first.
    pub coordinators: Vec<(Coordinator, bool)>,
    scroll: usize,
}

impl ProblemBoard {
    pub fn new(targets: ProblemTargets, want: Option<i64>) -> ProblemBoard {
        ProblemBoard {
            group_by: GroupBy::Enterprise,
            targets,
            rows: Vec::new(),
            selected: 0,
            want,
            prompt: None,
            coordinators: Vec::new(),
            scroll: 0,
        }
    }

    fn key_of(&self, r: &ProblemRow, lang: Lang) -> String {
        match self.group_by {
            GroupBy::Enterprise => r.enterprise.clone(),
            GroupBy::Coordinator => r
                .coordinator
                .clone()
                .unwrap_or_else(|| tr(lang, "（未指派）", "(unassigned)").to_string()),
        }
    }

    pub fn selected_row(&self) -> Option<&ProblemRow> {
        self.rows.get(self.selected).map(|(r, _)| r)
    }

    pub fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        let keep = self
            .want
            .take()
            .or(self.selected_row().map(|r| r.problem.id));
        let rows = env.store.problems(&ProblemFilter {
            not_closed: true,
            ..Default::default()
        })?;
        let mut rows: Vec<(ProblemRow, ProblemClock)> = rows
            .into_iter()
            .map(|r| {
                let p = &r.problem;
                let c = problem_clock(
                    env.cal,
                    self.targets,
                    p.opened_at,
                    p.first_reply_at,
                    p.cleared_at,
                    env.now,
                );
                (r, c)
            })
            .collect();
        // Groups in the order of their oldest open problem; inside, open ones oldest first,
        // then the resolved ones waiting for confirmation. One rank per group, looked up once
        // per row (a board of 12,000 open problems sorts in milliseconds).
        let lang = env.lang;
        let mut open_first: Vec<(bool, Timestamp, i64, String)> = rows
            .iter()
            .map(|(r, _)| {
                (
                    !r.problem.status.is_open(),
                    r.problem.opened_at,
                    r.problem.id,
                    self.key_of(r, lang),
                )
            })
            .collect();
        open_first.sort_unstable();
        let mut rank: HashMap<String, usize> = HashMap::new();
        for (_, _, _, k) in open_first {
            let next = rank.len();
            rank.entry(k).or_insert(next);
        }
        rows.sort_by_cached_key(|(r, _)| {
            (
                rank.get(&self.key_of(r, lang)).copied(),
                !r.problem.status.is_open(),
                r.problem.opened_at,
                r.problem.id,
            )
        });
        self.rows = rows;
        self.selected = keep
            .and_then(|id| self.rows.iter().position(|(r, _)| r.problem.id == id))
            .unwrap_or(self.selected)
            .min(self.rows.len().saturating_sub(1));
        self.coordinators = match self.selected_row() {
            Some(r) => crate::domain::duty::by_duty(
                env.store.coordinators_of(r.problem.enterprise_id)?,
                env.cal,
                env.now,
            ),
            None => Vec::new(),
        };
        Ok(())
    }

    fn step(&self, action: ProblemAction) -> Option<Action> {
        let r = self.selected_row()?;
        Some(Action::ProblemStep {
            id: r.problem.id,
            action,
            text: String::new(),
            coordinator: None,
        })
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        if let Some(p) = &mut self.prompt {
            match key.code {
                KeyCode::Esc => self.prompt = None,
                KeyCode::Enter => {
                    let p = self.prompt.take()?;
                    let r = self.selected_row()?;
                    let coordinator = (p.action == ProblemAction::Assign)
                        .then(|| self.coordinators.get(p.choice).map(|(c, _)| c.id))
                        .flatten();
                    return Some(Action::ProblemStep {
                        id: r.problem.id,
                        action: p.action,
                        text: p.text,
                        coordinator,
                    });
                }
                KeyCode::Left | KeyCode::Up => p.choice = p.choice.saturating_sub(1),
                KeyCode::Right | KeyCode::Down => {
                    p.choice = (p.choice + 1).min(self.coordinators.len().saturating_sub(1))
                }
                KeyCode::Backspace => {
                    p.text.pop();
                }
                KeyCode::Char(c) if !c.is_control() && p.action != ProblemAction::Assign => {
                    p.text.push(c)
                }
                _ => {}
            }
            return None;
        }
        let prompt = |action| Prompt {
            action,
            text: String::new(),
            choice: 0,
        };
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => Some(Action::ClosePopup),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1));
                Some(Action::ReloadPopup)
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                Some(Action::ReloadPopup)
            }
            KeyCode::Tab | KeyCode::Left | KeyCode::Right => {
                self.group_by = match self.group_by {
                    GroupBy::Enterprise => GroupBy::Coordinator,
                    GroupBy::Coordinator => GroupBy::Enterprise,
                };
                Some(Action::ReloadPopup)
            }
            KeyCode::Enter => self
                .selected_row()
                .map(|r| Action::OpenCard(r.problem.enterprise_id)),
            KeyCode::Char('n') => {
                self.prompt = Some(prompt(ProblemAction::Note));
                None
            }
            KeyCode::Char('a') => {
                self.prompt = Some(prompt(ProblemAction::Assign));
                None
            }
            KeyCode::Char('r') => {
                self.prompt = Some(prompt(ProblemAction::Resolve));
                None
            }
            KeyCode::Char('c') => self.step(ProblemAction::Close),
            KeyCode::Char('o') => self.step(ProblemAction::Reopen),
            _ => None,
        }
    }

    fn lines(&self, v: &View<'_>) -> (Vec<Line<'static>>, usize) {
        let (lang, t) = (v.lang, v.theme);
        let mut out = Vec::new();
        let mut sel_line = 0;
        let mut current: Option<String> = None;
        for (i, (r, c)) in self.rows.iter().enumerate() {
            let k = self.key_of(r, lang);
            if current.as_ref() != Some(&k) {
                // Rows are sorted by group, so a group's rows follow its first one.
                let open: Vec<&(ProblemRow, ProblemClock)> = self.rows[i..]
                    .iter()
                    .take_while(|(x, _)| self.key_of(x, lang) == k)
                    .filter(|(x, _)| x.problem.status.is_open())
                    .collect();
                let oldest = open.iter().map(|(_, c)| c.age_working_days).max();
                out.push(Line::styled(
                    {
                        let (zh, en) = match oldest {
                            Some(a) => (
                                format!(
                                    "── {} · 未清零 {} · 最久 {a} 个工作日",
                                    inert(&k),
                                    open.len()
                                ),
                                format!(
                                    "── {} · {} open · oldest {a} working days",
                                    inert(&k),
                                    open.len()
                                ),
                            ),
                            None => (
                                format!("── {} · 已清零，待企业确认", inert(&k)),
                                format!("── {} · cleared, waiting for confirmation", inert(&k)),
                            ),
                        };
                        lang.pick(&zh, &en).to_string()
                    },
                    t.heading,
                ));
                current = Some(k);
            }
            let p = &r.problem;
            let open = p.status.is_open();
            let (mark, style) = if open && c.resolution_late {
                ("✗", t.overdue)
            } else if open && c.reply_late {
                ("!", t.warn)
            } else if open {
                (" ", Style::default())
            } else {
                ("✓", t.ok)
            };
            let other = match self.group_by {
                GroupBy::Enterprise => r
                    .coordinator
                    .as_deref()
                    .map(inert)
                    .unwrap_or_else(|| tr(lang, "未指派", "unassigned").to_string()),
                GroupBy::Coordinator => inert(&r.enterprise),
            };
            let districts = if p.districts.is_empty() {
                String::new()
            } else {
                format!(" · 上海→{}", inert(&p.districts.join("、")))
            };
            let mut line = Line::from(vec![
                Span::styled(
                    format!(" {mark} {:>3}{} ", c.age_working_days, tr(lang, "工", "wd")),
                    style,
                ),
                Span::raw(format!(
                    "#{} {} · {}{districts} · {}",
                    p.id,
                    p.status.name(lang),
                    inert(&p.title),
                    other
                )),
            ]);
            if i == self.selected {
                sel_line = out.len();
                line = line.patch_style(t.selected);
            }
            out.push(line);
        }
        if self.rows.is_empty() {
            out.push(Line::styled(
                tr(
                    lang,
                    "全部清零：没有未解决的问题",
                    "All cleared: no open problems",
                ),
                t.ok,
            ));
        }
        (out, sel_line)
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let (lang, t) = (v.lang, v.theme);
        let w = if area.width >= 120 {
            area.width - 16
        } else {
            area.width
        };
        let r = centered(area, w, area.height);
        let open = self
            .rows
            .iter()
            .filter(|(r, _)| r.problem.status.is_open())
            .count();
        let title = format!(
            "{} · {} {} · {}",
            tr(lang, "清零看板（措施29）", "清零 board (measure 29)"),
            open,
            tr(lang, "件未清零", "open"),
            match self.group_by {
                GroupBy::Enterprise => tr(lang, "按企业", "by enterprise"),
                GroupBy::Coordinator => tr(lang, "按协调员", "by coordinator"),
            }
        );
        let inner = popup_frame(f, r, title, v);
        let [list, prompt_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let (lines, sel) = self.lines(v);
        let h = usize::from(list.height).max(1);
        let offset = crate::tui::panes::scroll_to(self.scroll.min(sel), sel, h);
        let shown: Vec<Line<'static>> = lines.into_iter().skip(offset).take(h).collect();
        f.render_widget(Paragraph::new(shown), list);
        let prompt_line = match &self.prompt {
            None => Line::styled(
                tr(
                    lang,
                    "n 记录  a 指派  r 解决  c 确认关闭  o 重新打开  Tab 分组  Enter 企业卡片",
                    "n note  a assign  r resolve  c close  o reopen  Tab group  Enter card",
                ),
                t.muted,
            ),
            Some(p) if p.action == ProblemAction::Assign => {
                let mut spans = vec![Span::styled(
                    tr(lang, "指派给 ←/→ ", "assign to ←/→ "),
                    t.key,
                )];
                for (i, (c, on)) in self.coordinators.iter().enumerate() {
                    spans.push(Span::styled(
                        format!(
                            " {} {}{} ",
                            inert(&c.name),
                            c.role.name(lang),
                            if *on {
                                tr(lang, "（值班中）", " (on duty)")
                            } else {
                                ""
                            }
                        ),
                        if i == p.choice {
                            t.selected
                        } else {
                            Style::default()
                        },
                    ));
                }
                if self.coordinators.is_empty() {
                    spans.push(Span::styled(
                        tr(
                            lang,
                            "该企业没有协调员",
                            "the enterprise has no coordinator",
                        ),
                        t.warn,
                    ));
                }
                Line::from(spans)
            }
            Some(p) => Line::from(vec![
                Span::styled(
                    match p.action {
                        ProblemAction::Resolve => tr(lang, "解决办法：", "resolution: "),
                        _ => tr(lang, "记录：", "note: "),
                    },
                    t.key,
                ),
                Span::raw(inert(&p.text)),
                Span::styled("▏", t.key),
            ]),
        };
        f.render_widget(Paragraph::new(prompt_line), prompt_area);
    }

    pub fn hints(&self) -> Vec<Hint> {
        if self.prompt.is_some() {
            return vec![
                Hint::text("Enter", "确定", "confirm"),
                Hint::text("Esc", "取消", "cancel"),
            ];
        }
        vec![
            Hint::text("n", "记录", "note"),
            Hint::text("a", "指派", "assign"),
            Hint::text("r", "解决", "resolve"),
            Hint::text("c", "确认关闭", "close"),
            Hint::text("o", "重新打开", "reopen"),
            Hint::text("Tab", "分组", "group"),
            Hint::text("Esc", "关闭", "close board"),
        ]
    }
}

impl crate::tui::app::App {
    pub(crate) fn open_problem_board(&mut self, want: Option<i64>) {
        self.popup = Some(super::Popup::Board(Box::new(ProblemBoard::new(
            self.today.targets,
            want,
        ))));
        self.refresh_popup();
    }

    /// One step of a problem from the board; the board stays open and shows the new state.
    pub(crate) fn problem_step(
        &mut self,
        id: i64,
        action: ProblemAction,
        text: String,
        coordinator: Option<i64>,
    ) {
        let lang = self.session.lang;
        let now = self.now;
        let result =
            self.write_store(|w| w.problem_action(id, action, Some(&text), coordinator, now));
        match result {
            Ok(status) => {
                self.after_write();
                self.set_status(format!(
                    "{} #{id}: {}",
                    tr(lang, "问题", "problem"),
                    status.name(lang)
                ));
            }
            Err(e) => self.set_error(crate::domain::localize::localize(&e, lang)),
        }
    }
}
