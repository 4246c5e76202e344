//! Pane 1, the priority queue: the domain's order (abnormal first, then AEO, then 加急, then the
//! earlier deadline, then arrival), one window of rows at a time, columns chosen by the width.

use super::{Hint, Pane, fit, frame_block, list_move, row_style, scroll_to};
use crate::domain::ownership::ItemChange;
use crate::domain::queue::WorkStatus;
use crate::present::span;
use crate::store::QueueRow;
use crate::text::Lang;
use crate::text::inert;
use crate::text::tr;
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::line_edit::{Edit, History, LineEdit};
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

#[derive(Debug, Default)]
pub struct QueuePane {
    /// The window on screen: rows `offset..offset + rows.len()` of the (filtered) queue.
    pub rows: Vec<QueueRow>,
    pub offset: usize,
    /// Absolute position of the selection in the queue.
    pub selected: usize,
    pub total: usize,
    /// Open items past their deadline, counted at the last refresh.
    pub overdue: usize,
    page: usize,
    /// The filter as typed (mirrors `edit`).
    pub filter: String,
    edit: LineEdit,
    history: History,
    pub editing: bool,
    now: Option<jiff::Timestamp>,
    /// The filter and data version `total` was counted under; counting a large queue costs
    /// more than fetching a window, so scrolling and resizing reuse it.
    counted: Option<(String, u64)>,
}

impl QueuePane {
    pub fn set_page(&mut self, rows: usize) {
        self.page = rows.max(1);
    }

    pub fn set_filter(&mut self, f: &str) {
        self.edit.set(f);
        self.filter = self.edit.text().to_string();
        self.selected = 0;
        self.offset = 0;
    }

    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.rows.get(self.selected.checked_sub(self.offset)?)
    }

    fn page(&self) -> usize {
        // The filter line takes a row when shown.
        if self.editing || !self.filter.is_empty() {
            self.page.saturating_sub(1).max(1)
        } else {
            self.page.max(1)
        }
    }
}

/// Column widths for the width at hand: narrow terminals drop the declaration number and the
/// measure, and shorten the rest.
struct Columns {
    enterprise: u16,
    credit: u16,
    kind: u16,
    declaration: u16,
    time: u16,
    status: u16,
    flags: u16,
    measure: u16,
}

fn columns(inner: u16) -> Columns {
    let wide = inner >= 120;
    let mut c = Columns {
        enterprise: 0,
        credit: 8,
        kind: if wide { 18 } else { 12 },
        declaration: if wide { 18 } else { 0 },
        time: 11,
        // Who holds an item is read from 100 columns on (at 80 in the hotline card).
        status: if wide {
            13
        } else if inner >= 96 {
            14
        } else {
            6
        },
        flags: if wide { 20 } else { 8 },
        measure: if wide { 4 } else { 0 },
    };
    let fixed = [
        c.credit,
        c.kind,
        c.declaration,
        c.time,
        c.status,
        c.flags,
        c.measure,
    ];
    let n = fixed.iter().filter(|w| **w > 0).count() as u16 + 1;
    let used: u16 = fixed.iter().sum::<u16>() + n.saturating_sub(1);
    c.enterprise = inner.saturating_sub(used).max(10);
    // On a wide screen a name needs no more than 40 columns; the rest lets the kind, the credit
    // level and the holder be read whole, and what is left goes back to the name.
    const NAME: u16 = 40;
    if wide && c.enterprise > NAME {
        let mut spare = c.enterprise - NAME;
        for (col, want) in [
            (&mut c.kind, 38u16),
            (&mut c.status, 20),
            (&mut c.credit, 10),
        ] {
            let give = want.saturating_sub(*col).min(spare);
            *col += give;
            spare -= give;
        }
        c.enterprise = NAME + spare;
    }
    c
}

fn time_cell(r: &QueueRow, now: jiff::Timestamp, lang: Lang) -> (String, bool) {
    match r.due_at {
        Some(due) => {
            let left = due.as_second() - now.as_second();
            if left < 0 {
                (
                    format!("{}{}", tr(lang, "超", "late "), span(left, lang)),
                    true,
                )
            } else {
                (
                    format!("{}{}", tr(lang, "剩", "left "), span(left, lang)),
                    false,
                )
            }
        }
        None => (
            format!(
                "{}{}",
                tr(lang, "等", "wait "),
                span(now.as_second() - r.received_at.as_second(), lang)
            ),
            false,
        ),
    }
}

impl Pane for QueuePane {
    fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        self.now = Some(env.now);
        // The cursor stays on the record, not the row number, when the order changes.
        let following = self.selected_row().map(|r| r.id);
        let key = (self.filter.clone(), env.data_version);
        if self.counted.as_ref() != Some(&key) {
            self.total = env.store.queue_filtered_len(&self.filter)?.max(0) as usize;
            self.counted = Some(key);
        }
        self.overdue = env.store.queue_overdue(env.now)?.max(0) as usize;
        self.selected = self.selected.min(self.total.saturating_sub(1));
        let page = self.page();
        self.offset = scroll_to(self.offset, self.selected, page);
        if self.offset + page > self.total {
            self.offset = self.total.saturating_sub(page);
        }
        self.rows = env.store.queue_filtered(&self.filter, page, self.offset)?;
        if let Some(id) = following
            && self.selected_row().map(|r| r.id) != Some(id)
            && let Some(pos) = env.store.queue_position(&self.filter, id)?
        {
            self.selected = pos;
            self.offset = scroll_to(self.offset, pos, page);
            self.rows = env.store.queue_filtered(&self.filter, page, self.offset)?;
        }
        Ok(())
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if self.editing {
            match key.code {
                KeyCode::Esc => {
                    self.editing = false;
                    self.history.push(&self.filter);
                    self.set_filter("");
                    return Some(Action::Reload);
                }
                KeyCode::Enter => {
                    self.editing = false;
                    self.history.push(&self.filter);
                    return Some(Action::Reload);
                }
                KeyCode::Up | KeyCode::Down => {
                    let moved = if key.code == KeyCode::Up {
                        self.history.back(&mut self.edit)
                    } else {
                        self.history.forward(&mut self.edit)
                    };
                    return moved.then(|| self.changed());
                }
                _ => {
                    return match self.edit.handle(key) {
                        Edit::Changed => Some(self.changed()),
                        Edit::Moved | Edit::Ignored => None,
                    };
                }
            }
        }
        if let Some(sel) = list_move(key, km, self.selected, self.total, self.page()) {
            self.selected = sel;
            let page = self.page();
            if sel < self.offset || sel >= self.offset + page.min(self.rows.len().max(1)) {
                return Some(Action::Reload);
            }
            return None;
        }
        if km.is(Cmd::Filter, key) {
            self.editing = true;
            return None;
        }
        if km.is(Cmd::Back, key) && !self.filter.is_empty() {
            self.set_filter("");
            return Some(Action::Reload);
        }
        let row = self.selected_row()?;
        let change = if km.is(Cmd::Take, key) {
            Some(ItemChange::Take)
        } else if km.is(Cmd::TakeOver, key) {
            Some(ItemChange::TakeOver)
        } else if km.is(Cmd::Release, key) {
            Some(ItemChange::Release)
        } else if km.is(Cmd::Finish, key) {
            Some(ItemChange::Finish)
        } else if km.is(Cmd::Abnormal, key) {
            Some(ItemChange::MarkAbnormal)
        } else {
            None
        };
        if let Some(c) = change {
            Some(Action::ChangeItem(row.id, c))
        } else if km.is(Cmd::Open, key) {
            Some(Action::OpenCard(row.enterprise_id))
        } else if km.is(Cmd::Copy, key) {
            Some(Action::Copy(
                row.declaration_no
                    .clone()
                    .unwrap_or_else(|| row.enterprise.clone()),
            ))
        } else {
            None
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let title = format!(
            "{} · {} {} · {} {} · {}",
            tr(lang, "优先队列", "Priority queue"),
            self.total,
            tr(lang, "项未办结", "open items"),
            tr(lang, "超期", "overdue"),
            self.overdue,
            tr(
                lang,
                "异常优先，再 AEO、加急、时限、到达",
                "abnormal, AEO, urgent, deadline, arrival"
            )
        );
        let block = frame_block(title, true, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [filter_area, table_area] = if self.editing || !self.filter.is_empty() {
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner)
        } else {
            [Rect::new(inner.x, inner.y, inner.width, 0), inner]
        };
        if filter_area.height > 0 {
            let room = usize::from(filter_area.width).saturating_sub(40).max(10);
            let mut spans = vec![Span::styled(
                format!("/ {} ", tr(lang, "筛选", "filter")),
                t.key,
            )];
            if self.editing {
                spans.extend(self.edit.view(room, t.title, t.selected).spans);
            } else {
                spans.push(Span::styled(
                    crate::text::truncate(&inert(&self.filter), room),
                    t.title,
                ));
            }
            f.render_widget(
                Paragraph::new(Line::from(
                    spans
                        .into_iter()
                        .chain([Span::styled(
                            format!(
                                "   {} {}",
                                self.total,
                                tr(
                                    lang,
                                    "项匹配（名称、拼音、报关单号）",
                                    "match (name, pinyin, declaration no.)"
                                )
                            ),
                            t.muted,
                        )])
                        .collect::<Vec<_>>(),
                )),
                filter_area,
            );
        }
        let c = columns(table_area.width);
        let now = self.now.unwrap_or(v.now);
        let mut header = vec![
            tr(lang, "企业", "Enterprise"),
            tr(lang, "信用等级", "Credit"),
        ];
        header.push(tr(lang, "事项", "Kind"));
        if c.measure > 0 {
            header.push(tr(lang, "措施", "M."));
        }
        if c.declaration > 0 {
            header.push(tr(lang, "报关单号", "Declaration no."));
        }
        header.extend([
            tr(lang, "等候/剩余", "Wait/left"),
            tr(lang, "状态", "Status"),
            tr(lang, "标记", "Flags"),
        ]);
        let mut widths = vec![c.enterprise, c.credit, c.kind];
        if c.measure > 0 {
            widths.push(c.measure);
        }
        if c.declaration > 0 {
            widths.push(c.declaration);
        }
        widths.extend([c.time, c.status, c.flags]);
        let rows = self.rows.iter().enumerate().map(|(i, r)| {
            let selected = self.offset + i == self.selected;
            let credit_style = if r.aeo { t.aeo } else { Style::default() };
            let (time, late) = time_cell(r, now, lang);
            let status = match (lang, r.status) {
                (Lang::Zh, s) => s.name_zh().to_string(),
                (Lang::En, s) => s.name_en().to_string(),
            };
            let status = match (&r.taken_by, r.status) {
                (Some(who), WorkStatus::InProgress | WorkStatus::Abnormal) if c.status > 8 => {
                    format!("{status} {}", inert(who))
                }
                _ => status,
            };
            let status_style = match r.status {
                WorkStatus::Abnormal => t.error,
                WorkStatus::InProgress => t.info,
                _ => Style::default(),
            };
            let flags = r.flags.labels(lang).join(" ");
            let flag_style = if r.flags.urgent {
                t.warn
            } else {
                Style::default()
            };
            let kind = r.kind.name(lang);
            let mut cells = vec![
                Cell::from(fit(&inert(&r.enterprise), c.enterprise)),
                Cell::from(Span::styled(
                    fit(r.credit.short_name(lang), c.credit),
                    credit_style,
                )),
                Cell::from(fit(kind, c.kind)),
            ];
            if c.measure > 0 {
                cells.push(Cell::from(format!("{:>3}", r.measure)));
            }
            if c.declaration > 0 {
                cells.push(Cell::from(inert(
                    r.declaration_no.as_deref().unwrap_or("—"),
                )));
            }
            cells.push(Cell::from(Span::styled(
                fit(&time, c.time),
                if late { t.overdue } else { Style::default() },
            )));
            cells.push(Cell::from(Span::styled(
                fit(&status, c.status),
                status_style,
            )));
            cells.push(Cell::from(Span::styled(fit(&flags, c.flags), flag_style)));
            Row::new(cells).style(row_style(Style::default(), selected, v))
        });
        let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(Row::new(header).style(t.heading))
            .column_spacing(1);
        f.render_widget(table, table_area);
        if self.rows.is_empty() {
            let msg = if self.filter.is_empty() {
                tr(lang, "队列已清空", "the queue is empty")
            } else {
                tr(lang, "没有匹配的事项", "nothing matches the filter")
            };
            if table_area.height > 2 {
                f.render_widget(
                    Paragraph::new(Line::styled(msg, t.muted)).centered(),
                    Rect::new(table_area.x, table_area.y + 2, table_area.width, 1),
                );
            }
        }
    }

    fn hints(&self) -> Vec<Hint> {
        if self.editing {
            return vec![
                Hint::text("Enter", "确定筛选", "keep filter"),
                Hint::text("Esc", "清除筛选", "clear filter"),
            ];
        }
        vec![
            Hint::cmd(Cmd::Down, "下移", "down"),
            Hint::cmd(Cmd::Up, "上移", "up"),
            Hint::cmd(Cmd::Take, "领取", "take"),
            Hint::cmd(Cmd::Finish, "办结", "finish"),
            Hint::cmd(Cmd::Abnormal, "异常", "abnormal"),
            Hint::cmd(Cmd::Open, "企业卡片", "card"),
            Hint::cmd(Cmd::Filter, "筛选", "filter"),
            Hint::cmd(Cmd::Release, "放回", "release"),
            Hint::cmd(Cmd::TakeOver, "接手", "take over"),
            Hint::cmd(Cmd::Copy, "复制单号", "copy no."),
            Hint::cmd(Cmd::PageDown, "翻页", "page"),
            Hint::cmd(Cmd::Top, "首项", "top"),
            Hint::cmd(Cmd::Bottom, "末项", "bottom"),
        ]
    }

    fn captures_text(&self) -> bool {
        self.editing
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        if !self.editing {
            return None;
        }
        self.edit.insert_str(text);
        Some(self.changed())
    }
}

impl QueuePane {
    /// The filter was edited: the query runs after a pause in typing.
    fn changed(&mut self) -> Action {
        self.filter = self.edit.text().to_string();
        self.selected = 0;
        self.offset = 0;
        Action::QueryChanged
    }
}
