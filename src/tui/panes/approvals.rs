//! Pane 3, pending approvals: in the one approval order (due instant, then reference), each with its absolute deadline, a live
//! countdown and the rule that sets the limit (measures 6, 25, 26).

use super::{Hint, Pane, credit_width, fit, frame_block, row_style};
use crate::calendar::{Countdown, DayCount, shanghai_date};
use crate::domain::approval::{DeadlineRule, Urgency, urgency};
use crate::domain::measures::MeasureCatalog;
use crate::domain::narrow::Listing;
use crate::domain::queue::Count;
use crate::present;
use crate::store::ApprovalRow;
use crate::text::Lang;
use crate::text::inert;
use crate::text::tr;
use crate::tui::app::{Action, Env, PaneId, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::filter_box::{FilterBox, FilterKey};
use crate::tui::widgets::selection::Selection;
use anyhow::Result;
use crossterm::event::KeyEvent;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

/// The pane holds only the window of approvals on screen (fetched in deadline order from the
/// store's cache), and the counts of the whole list.
#[derive(Debug)]
pub struct ApprovalsPane {
    /// The rows on screen: positions `cursor.offset..offset + rows.len()` of the list.
    pub rows: Vec<ApprovalRow>,
    /// The selection, as a position in the (filtered) list.
    pub cursor: Selection,
    /// How many open approvals the filter leaves (`n`: the rows the cursor moves over), and as
    /// said: a typed text naming many is said to name more (`2000+`).
    count: Count,
    page: usize,
    /// How many approvals are open (the title's overdue and nearly-due counts are the tab's).
    open: usize,
    due_dates: Vec<Option<Date>>,
    /// `/` and the one-key narrowings.
    pub filter: FilterBox,
}

impl Default for ApprovalsPane {
    fn default() -> Self {
        ApprovalsPane {
            rows: Vec::new(),
            cursor: Selection::default(),
            count: Count::default(),
            page: 1,
            open: 0,
            due_dates: Vec::new(),
            filter: FilterBox::new(Listing::Approvals),
        }
    }
}

impl ApprovalsPane {
    /// How many open approvals the filter leaves: the rows the cursor moves over.
    pub fn total(&self) -> usize {
        self.count.n
    }

    pub fn set_page(&mut self, rows: usize) {
        self.page = rows.max(1);
        self.cursor.set_page(self.page());
    }

    pub fn selected_row(&self) -> Option<&ApprovalRow> {
        self.rows.get(self.cursor.in_window()?)
    }

    fn page(&self) -> usize {
        // The filter line takes a row when shown.
        if self.filter.shows_line() {
            self.page.saturating_sub(1).max(1)
        } else {
            self.page.max(1)
        }
    }

    fn countdown(&self, r: &ApprovalRow, v: &View<'_>) -> Countdown {
        r.countdown(v.cal, MeasureCatalog::official(), v.now)
    }
}

/// The rule in ten columns: "措25 5/20" (the measure, the AEO limit instead of the regular one).
fn rule_short(rule: &DeadlineRule, lang: Lang) -> String {
    let unit = match rule.count {
        DayCount::Working => tr(lang, "工", "wd"),
        DayCount::Calendar => tr(lang, "天", "d"),
    };
    // "措" / "m" before a measure, "常规" / "reg." for the regular limit.
    let (m, reg) = (tr(lang, "措", "m"), tr(lang, "常规", "reg."));
    let (measure, limit, regular) = (rule.measure, rule.limit_days, rule.regular_days);
    if rule.compressed {
        format!("{m}{measure} {limit}/{regular}")
    } else if measure == 6 {
        format!("{m}6 {limit}{unit}")
    } else if rule.extension_days > 0 {
        format!("{reg} {regular}+{}", rule.extension_days)
    } else {
        format!("{reg} {limit}")
    }
}

/// The style that says how urgent a row is; bold and underline carry it without colour.
pub fn urgency_style(c: &Countdown, v: &View<'_>) -> Style {
    if c.paused && !c.overdue {
        return v.theme.paused;
    }
    match urgency(c) {
        Urgency::Overdue => v.theme.overdue,
        Urgency::NearlyDue => v.theme.warn,
        Urgency::Normal => Style::default(),
    }
}

/// A mark beside the countdown so urgency reads without colour, too.
pub fn urgency_mark(c: &Countdown) -> &'static str {
    if c.paused && !c.overdue {
        return "‖";
    }
    match urgency(c) {
        Urgency::Overdue => "✗",
        Urgency::NearlyDue => "!",
        Urgency::Normal => " ",
    }
}

impl Pane for ApprovalsPane {
    fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        // The cursor stays on the record, not the row number, when a pause or a resume (or
        // another operator, or the filter) moves it.
        let before = self.selected_row().map(|r| r.id);
        // Counted from the open approvals' index alone; which of them are overdue or nearly
        // due (every one's deadline compared) is counted with the tab counts, off the draw.
        self.open = env.store.open_approval_count()?.max(0) as usize;
        let lf = self.filter.list_filter(env);
        self.count = if lf.text.trim().is_empty() && lf.narrow.is_none() {
            Count {
                n: self.open,
                more: false,
            }
        } else {
            env.store.approvals_filtered_count(&lf)?
        };
        self.cursor.set_page(self.page());
        self.rows = self.cursor.window(
            self.count.n,
            before,
            |r: &ApprovalRow| r.id,
            |limit, offset| env.store.approvals_filtered(&lf, limit, offset),
            |id| env.store.approval_position(&lf, id),
        )?;
        let cat = MeasureCatalog::official();
        self.due_dates = self
            .rows
            .iter()
            .map(|r| r.countdown(env.cal, cat, env.now).due.map(shanghai_date))
            .collect();
        Ok(())
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        match self.filter.key(key, km) {
            FilterKey::Pass => {}
            FilterKey::Taken => return None,
            FilterKey::Changed(a) => {
                self.cursor.restart();
                return Some(a);
            }
        }
        let offset = self.cursor.offset;
        if self.cursor.key(key, km, self.count.n) {
            // The window moved: fetch the rows now on screen.
            return (self.cursor.offset != offset).then_some(Action::Reload);
        }
        let r = self.selected_row()?;
        if km.is(Cmd::Pause, key) {
            Some(Action::OpenPause(r.id, r.reference.clone()))
        } else if km.is(Cmd::Resume, key) {
            Some(Action::ResumeApproval(r.id))
        } else if km.is(Cmd::Decide, key) {
            Some(Action::OpenDecide(r.id, r.reference.clone(), r.kind))
        } else if km.is(Cmd::Correct, key) {
            Some(Action::OpenCorrect(r.id))
        } else if km.is(Cmd::Extend, key) {
            Some(Action::OpenExtend(r.id))
        } else if km.is(Cmd::FinalAuthority, key) {
            Some(Action::OpenFinalAuthority(r.id))
        } else if km.is(Cmd::Open, key) {
            Some(Action::OpenCard(r.enterprise_id))
        } else if km.is(Cmd::Copy, key) {
            Some(Action::Copy(r.reference.clone()))
        } else {
            None
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let cat = MeasureCatalog::official();
        let counts: Vec<Countdown> = self.rows.iter().map(|r| self.countdown(r, v)).collect();
        let open = self.open;
        let tab = v.tabs[PaneId::Approvals.index()];
        let (overdue, near) = match tab.pane {
            Some(_) => (tab.overdue.to_string(), tab.near.to_string()),
            None => ("…".to_string(), "…".to_string()),
        };
        let rest = lang
            .pick(
                &format!("{open} 件 · 超期 {overdue} · 剩余不足 25% {near} · 按到期时间排序"),
                &format!("{open} · overdue {overdue} · ≤25% left {near} · by due time"),
            )
            .to_string();
        let title = self
            .filter
            .title(tr(lang, "待办审批", "Pending approvals"), &rest, lang);
        let block = frame_block(title, true, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [filter_area, table_area, detail] = Layout::vertical([
            Constraint::Length(u16::from(self.filter.shows_line())),
            Constraint::Min(3),
            Constraint::Length(5),
        ])
        .areas(inner);
        if filter_area.height > 0 {
            self.filter.draw_line(f, filter_area, v, self.count);
        }
        let w = table_area.width;
        let wide = w >= 120;
        // countdown, deadline, kind, credit, enterprise, rule
        // The widest countdown: "‖ 暂停 29工作日 14:00:00?".
        let cd_w = 25;
        let dl_w = if wide { 16 } else { 11 };
        let kind_w = if wide { 20 } else { 8 };
        let credit_w = if wide { credit_width(lang) } else { 0 };
        let cols = 5 + u16::from(wide);
        let spacing = cols - 1;
        // Narrow: a ten-column rule tag, the enterprise takes the rest. Wide: the enterprise
        // gets what a long name needs, the rule text the rest.
        let (ent_w, rule_w) = if wide {
            let rest = w.saturating_sub(cd_w + dl_w + kind_w + credit_w + spacing);
            let ent = (rest / 2).min(36);
            (ent, rest.saturating_sub(ent))
        } else {
            let rule = 10;
            (
                w.saturating_sub(cd_w + dl_w + kind_w + rule + spacing)
                    .max(10),
                rule,
            )
        };
        let mut widths = vec![cd_w, dl_w, kind_w];
        let mut header = vec![
            tr(lang, "剩余时间", "Time left"),
            tr(lang, "截止时间", "Deadline"),
            tr(lang, "审批事项", "Approval"),
        ];
        if wide {
            widths.push(credit_w);
            header.push(tr(lang, "信用等级", "Credit"));
        }
        widths.push(ent_w);
        header.push(tr(lang, "企业", "Enterprise"));
        widths.push(rule_w);
        header.push(if wide {
            tr(lang, "适用时限规则", "Rule")
        } else {
            tr(lang, "时限", "Limit")
        });
        let rows = self
            .rows
            .iter()
            .zip(&counts)
            .enumerate()
            .map(|(i, (r, c))| {
                let i = i + self.cursor.offset;
                let style = urgency_style(c, v);
                let deadline = match c.due {
                    Some(d) => present::deadline(d, !wide),
                    None => tr(lang, "暂停中", "paused").to_string(),
                };
                let kind = if wide {
                    r.kind.name(lang)
                } else {
                    r.kind.short_name(lang)
                };
                let rule = r.rule(cat);
                let mut cells = vec![
                    Cell::from(Span::styled(
                        fit(
                            &format!("{} {}", urgency_mark(c), present::countdown(c, lang)),
                            cd_w,
                        ),
                        style,
                    )),
                    Cell::from(Span::styled(deadline, style)),
                    Cell::from(fit(kind, kind_w)),
                ];
                if wide {
                    cells.push(Cell::from(Span::styled(
                        r.credit.short_name(lang),
                        if r.credit.is_aeo() {
                            t.aeo
                        } else {
                            Style::default()
                        },
                    )));
                }
                cells.push(Cell::from(fit(&inert(&r.enterprise), ent_w)));
                let text = if wide {
                    rule.reason(lang).to_string()
                } else {
                    rule_short(&rule, lang)
                };
                cells.push(Cell::from(Span::styled(
                    fit(&text, rule_w),
                    if rule.compressed {
                        t.aeo
                    } else {
                        Style::default()
                    },
                )));
                Row::new(cells).style(row_style(Style::default(), i == self.cursor.selected, v))
            });
        let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(Row::new(header).style(t.heading))
            .column_spacing(1);
        f.render_widget(table, table_area);
        let here = self.cursor.in_window().unwrap_or(usize::MAX);
        if let Some((r, c)) = self.rows.get(here).zip(counts.get(here)) {
            let rule = r.rule(cat);
            let status = r.status().name(lang);
            let pause = r
                .pauses
                .iter()
                .find(|p| p.ended_at.is_none())
                .map(|p| {
                    format!(
                        " · {} {} {}",
                        tr(lang, "暂停原因", "paused for"),
                        p.reason.name(lang),
                        present::instant(p.started_at)
                    )
                })
                .unwrap_or_default();
            let lines = [
                Line::from(vec![
                    Span::styled(inert(&r.reference), t.title),
                    Span::raw(format!(
                        "  {} · {} · {} {}",
                        inert(&r.enterprise),
                        r.credit.short_name(lang),
                        tr(lang, "受理", "accepted"),
                        present::instant(r.accepted_at)
                    )),
                ]),
                Line::from(vec![
                    Span::styled(rule.reason(lang).to_string(), t.info),
                    Span::raw(format!(
                        " · {} {}",
                        tr(lang, "截止", "due"),
                        c.due
                            .map(|d| present::deadline(d, false))
                            .unwrap_or_else(|| tr(
                                lang,
                                "暂停中，恢复后重算",
                                "paused: recomputed on resume"
                            )
                            .into())
                    )),
                ]),
                Line::from(vec![
                    Span::styled(
                        format!("{} {}", urgency_mark(c), present::countdown(c, lang)),
                        urgency_style(c, v),
                    ),
                    Span::raw(format!(" · {status}{pause}")),
                ]),
            ];
            let lines: Vec<Line<'static>> = lines
                .iter()
                .flat_map(|l| crate::tui::wrap::wrap_line(l, usize::from(detail.width), 2))
                .collect();
            f.render_widget(
                Paragraph::new(lines).block(
                    ratatui::widgets::Block::new()
                        .borders(ratatui::widgets::Borders::TOP)
                        .border_style(t.border),
                ),
                detail,
            );
        }
    }

    fn hints(&self) -> Vec<Hint> {
        if let Some(h) = self.filter.hints() {
            return h;
        }
        let mut hints = vec![
            Hint::cmd(Cmd::Down, "下移", "down"),
            Hint::cmd(Cmd::Up, "上移", "up"),
            Hint::cmd(Cmd::Pause, "暂停计时", "pause"),
            Hint::cmd(Cmd::Resume, "恢复计时", "resume"),
            Hint::cmd(Cmd::Decide, "办结", "decide"),
            Hint::cmd(Cmd::Open, "企业卡片", "card"),
            Hint::cmd(Cmd::Filter, "筛选", "filter"),
            Hint::cmd(Cmd::Copy, "复制编号", "copy ref."),
            Hint::cmd(Cmd::Correct, "补正", "correction"),
            Hint::cmd(Cmd::Extend, "延长", "extend"),
            Hint::cmd(Cmd::FinalAuthority, "终审权限", "final auth."),
        ];
        hints.extend(self.filter.narrow_hints());
        hints
    }

    fn captures_text(&self) -> bool {
        self.filter.editing
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        let a = self.filter.paste(text)?;
        self.cursor.restart();
        Some(a)
    }

    fn dates_on_screen(&self) -> Vec<Date> {
        // The due dates of the rows on screen stand for the days their countdowns count.
        self.due_dates.iter().flatten().copied().collect()
    }
}
