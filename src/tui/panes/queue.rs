//! Pane 1, the priority queue: the domain's order (abnormal first, then AEO, then 加急, then the
//! earlier deadline, then arrival), one window of rows at a time, columns chosen by the width.

use super::{Hint, Pane, credit_width, fit, frame_block, row_style, widest};
use crate::domain::narrow::{Listing, Narrow};
use crate::domain::ownership::ItemChange;
use crate::domain::queue::{Count, WorkStatus};
use crate::present::span;
use crate::store::QueueRow;
use crate::text::Lang;
use crate::text::inert;
use crate::text::tr;
use crate::tui::app::{Action, Env, PaneId, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::filter_box::{FilterBox, FilterKey};
use crate::tui::widgets::selection::Selection;
use anyhow::Result;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

#[derive(Debug)]
pub struct QueuePane {
    /// The window on screen: rows `cursor.offset..offset + rows.len()` of the (filtered) queue.
    pub rows: Vec<QueueRow>,
    /// The selection, as an absolute position in the queue.
    pub cursor: Selection,
    /// How many rows the cursor moves over (`n`) and what the title and the filter line show:
    /// that many, or more (a filter is counted up to `COUNT_CAP` and scrolls through that many).
    count: Count,
    /// The few items a typed filter leaves, in order (windows, the cursor's place and the
    /// count come from them); None: windows are read from the store.
    ids: Option<Vec<i64>>,
    page: usize,
    /// `/` and the one-key narrowings.
    pub filter: FilterBox,
    now: Option<jiff::Timestamp>,
    /// The filter and data version `count` was counted under; counting a large queue costs
    /// more than fetching a window, so scrolling and resizing reuse it.
    counted: Option<(String, Option<Narrow>, u64)>,
}

impl Default for QueuePane {
    fn default() -> Self {
        QueuePane {
            rows: Vec::new(),
            cursor: Selection::default(),
            count: Count::default(),
            ids: None,
            page: 1,
            filter: FilterBox::new(Listing::Queue),
            now: None,
            counted: None,
        }
    }
}

impl QueuePane {
    /// How many open items the (filtered) queue holds: the rows the cursor moves over.
    pub fn total(&self) -> usize {
        self.count.n
    }

    pub fn set_page(&mut self, rows: usize) {
        self.page = rows.max(1);
        self.cursor.set_page(self.page());
    }

    pub fn set_filter(&mut self, f: &str) {
        self.filter.set_text(f);
        self.cursor.restart();
    }

    pub fn selected_row(&self) -> Option<&QueueRow> {
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
    /// The status column has room for who holds the item beside the status.
    holder: bool,
}

fn columns(inner: u16, lang: Lang) -> Columns {
    let wide = inner >= 120;
    let mut c = Columns {
        enterprise: 0,
        credit: credit_width(lang),
        kind: if wide { 18 } else { 12 },
        declaration: if wide { 18 } else { 0 },
        time: 11,
        // Who holds an item is read from 100 columns on (at 80 in the hotline card); below,
        // the status alone, whole in either language ("in progress").
        status: if wide {
            13
        } else if inner >= 96 {
            14
        } else {
            status_width(lang)
        },
        flags: if wide { 20 } else { 8 },
        measure: if wide { 4 } else { 0 },
        holder: false,
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
    // On a wide screen a name needs no more than 40 columns; the rest lets the holder, the kind
    // and the credit level be read whole, and what is left goes back to the name.
    const NAME: u16 = 40;
    if wide && c.enterprise > NAME {
        let mut spare = c.enterprise - NAME;
        // The holder first: who has taken an item must read whole wherever the column is shown.
        for (col, want) in [
            (&mut c.status, 20u16),
            (&mut c.kind, 38),
            (&mut c.credit, credit_width(lang).max(10)),
        ] {
            let give = want.saturating_sub(*col).min(spare);
            *col += give;
            spare -= give;
        }
        c.enterprise = NAME + spare;
    }
    c.holder = c.status > status_width(lang);
    c
}

/// The widest name of an open item's status in `lang`.
fn status_width(lang: Lang) -> u16 {
    widest(
        WorkStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.name(lang)),
    )
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
        let before = self.selected_row().map(|r| r.id);
        let lf = self.filter.list_filter(env);
        let key = (lf.text.to_string(), lf.narrow, env.data_version);
        // A narrowing by time is counted again as time passes.
        let timed = matches!(lf.narrow, Some(Narrow::Overdue | Narrow::NearlyDue));
        if timed || self.counted.as_ref() != Some(&key) {
            self.ids = env.store.queue_filtered_ids(&lf)?;
            self.count = match &self.ids {
                Some(ids) => Count {
                    n: ids.len(),
                    more: false,
                },
                None => env.store.queue_filtered_count(&lf)?,
            };
            self.counted = Some(key);
        }
        self.cursor.set_page(self.page());
        self.rows = match &self.ids {
            Some(ids) => self.cursor.window(
                self.count.n,
                before,
                |r: &QueueRow| r.id,
                |limit, offset| {
                    let end = (offset + limit).min(ids.len());
                    env.store
                        .queue_rows(ids.get(offset..end).unwrap_or_default())
                },
                |id| Ok(ids.iter().position(|i| *i == id)),
            )?,
            None => self.cursor.window(
                self.count.n,
                before,
                |r: &QueueRow| r.id,
                |limit, offset| env.store.queue_filtered(&lf, limit, offset),
                |id| env.store.queue_position(&lf, id),
            )?,
        };
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
            let held = self.page().min(self.rows.len().max(1));
            return self
                .cursor
                .left_window(offset, held)
                .then_some(Action::Reload);
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
        // Items past their deadline are counted with the tab counts, off the draw.
        let overdue = v.tabs[PaneId::Queue.index()]
            .pane
            .map_or_else(|| "…".to_string(), |n| n.to_string());
        let rest = format!(
            "{} {} · {} {overdue}",
            self.count,
            tr(lang, "项未办结", "open items"),
            tr(lang, "超期", "overdue"),
        );
        let mut title = self
            .filter
            .title(tr(lang, "优先队列", "Priority queue"), &rest, lang);
        // The order is named only where it fits whole (README and `?` say it too).
        let order = tr(
            lang,
            " · 异常优先，再 AEO、加急、时限、到达",
            " · abnormal, AEO, urgent, deadline, arrival",
        );
        if crate::text::width(&title) + crate::text::width(order) + 4 <= usize::from(area.width) {
            title.push_str(order);
        }
        let block = frame_block(title, true, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let [filter_area, table_area] = if self.filter.shows_line() {
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner)
        } else {
            [Rect::new(inner.x, inner.y, inner.width, 0), inner]
        };
        if filter_area.height > 0 {
            self.filter.draw_line(f, filter_area, v, self.count);
        }
        let c = columns(table_area.width, lang);
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
            let selected = self.cursor.offset + i == self.cursor.selected;
            let credit_style = if r.aeo { t.aeo } else { Style::default() };
            let (time, late) = time_cell(r, now, lang);
            let status = r.status.name(lang).to_string();
            let status = match (&r.taken_by, r.status) {
                (Some(who), WorkStatus::InProgress | WorkStatus::Abnormal) if c.holder => {
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
            let msg = if self.filter.text().is_empty() && self.filter.narrow.is_none() {
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
        if let Some(h) = self.filter.hints() {
            return h;
        }
        let mut hints = vec![
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
        ];
        hints.extend(self.filter.narrow_hints());
        hints.extend([
            Hint::cmd(Cmd::PageDown, "翻页", "page"),
            Hint::cmd(Cmd::Top, "首项", "top"),
            Hint::cmd(Cmd::Bottom, "末项", "bottom"),
        ]);
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
}
