//! Pane 2, the inspection calendar (measures 7 and 30): the month grid and the day board with
//! slots, free places, bookings and the day's 当日清 state.

use super::{Hint, Pane, credit_width, frame_block, row_style, scroll_to};
use crate::calendar::DayInfo;
use crate::domain::inspection::{BookingStatus, ClearanceState, DayClearance};
use crate::present;
use crate::store::{BookingRow, SlotRow};
use crate::text::tr;
use crate::text::{inert, pad, truncate};
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::month_grid::{DayLoad, MonthGrid};
use crate::tui::widgets::selection::Selection;
use anyhow::Result;
use crossterm::event::KeyEvent;
use jiff::ToSpan;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Grid,
    Board,
}

/// One line of the day board.
#[derive(Debug, Clone)]
pub enum BoardLine {
    Slot(SlotRow),
    Booking(BookingRow),
}

impl BoardLine {
    /// The record on the line, for the cursor to follow.
    fn key(&self) -> (bool, i64) {
        match self {
            BoardLine::Slot(s) => (false, s.id),
            BoardLine::Booking(b) => (true, b.id),
        }
    }
}

#[derive(Debug)]
pub struct CalendarPane {
    pub today: Date,
    pub selected: Date,
    pub focus: Focus,
    pub loads: BTreeMap<Date, DayLoad>,
    pub board: Vec<BoardLine>,
    /// The selected line of the day board.
    pub board_cursor: Selection,
    pub clearance: DayClearance,
    pub day: Option<DayInfo>,
    /// The month `loads` are of, and the data version they were read at: a day's move within
    /// the month does not read them again.
    loads_of: Option<(Date, u64)>,
}

impl CalendarPane {
    pub fn new(today: Date) -> CalendarPane {
        CalendarPane {
            today,
            selected: today,
            focus: Focus::Grid,
            loads: BTreeMap::new(),
            board: Vec::new(),
            board_cursor: Selection::default(),
            clearance: DayClearance::default(),
            day: None,
            loads_of: None,
        }
    }

    pub fn set_today(&mut self, today: Date) {
        self.today = today;
    }

    pub fn select(&mut self, d: Date) {
        if d != self.selected {
            self.selected = d;
            self.board_cursor.top();
        }
    }

    /// The slot a booking would go into: the one selected on the board, else the first slot of
    /// the day with a free place.
    pub fn slot_to_book(&self) -> Option<SlotRow> {
        if self.focus == Focus::Board {
            let slot_id = match self.board.get(self.board_cursor.selected)? {
                BoardLine::Slot(s) => s.id,
                BoardLine::Booking(b) => b.slot_id,
            };
            return self.board.iter().find_map(|l| match l {
                BoardLine::Slot(s) if s.id == slot_id => Some(s.clone()),
                _ => None,
            });
        }
        self.board.iter().find_map(|l| match l {
            BoardLine::Slot(s) if s.free() > 0 => Some(s.clone()),
            _ => None,
        })
    }

    pub fn selected_booking(&self) -> Option<&BookingRow> {
        match self.board.get(self.board_cursor.selected)? {
            BoardLine::Booking(b) if self.focus == Focus::Board => Some(b),
            _ => None,
        }
    }

    fn move_day(&mut self, days: i64) -> Option<Action> {
        let d = self.selected.checked_add(days.days()).ok()?;
        self.select(d);
        Some(Action::Reload)
    }

    fn move_month(&mut self, months: i64) -> Option<Action> {
        let d = self.selected.checked_add(months.months()).ok()?;
        self.select(d);
        Some(Action::Reload)
    }

    /// Reads the bookings that can be on screen (the window and the selected line) and are not
    /// read yet (their enterprise unnamed): the board holds a day's hundreds of bookings, a
    /// screenful is shown.
    pub fn name_shown(&mut self, store: &crate::store::Store) -> Result<()> {
        let c = &self.board_cursor;
        let from = c.offset.min(c.selected);
        let to = (c.offset.max(c.selected) + c.page() + 1).min(self.board.len());
        let mut unnamed: Vec<&mut BookingRow> = self.board[from.min(to)..to]
            .iter_mut()
            .filter_map(|l| match l {
                BoardLine::Booking(b) if b.enterprise.is_empty() => Some(b),
                _ => None,
            })
            .collect();
        store.read_bookings(&mut unnamed)
    }

    fn board_page(area_height: u16) -> usize {
        usize::from(area_height.saturating_sub(3)).max(1)
    }
}

impl Pane for CalendarPane {
    fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        // The cursor stays on the booking when another one comes or goes above it.
        let before = self
            .board
            .get(self.board_cursor.selected)
            .map(BoardLine::key);
        let first = self.selected.first_of_month();
        let last = self.selected.last_of_month();
        if self.loads_of != Some((first, env.data_version)) {
            self.loads = env
                .store
                .day_loads(first, last)?
                .into_iter()
                .map(|(d, taken, capacity)| (d, DayLoad { taken, capacity }))
                .collect();
            self.loads_of = Some((first, env.data_version));
        }
        let (slots, clearance) = env.store.day_board(self.selected)?;
        let mut board = Vec::new();
        for (s, of_slot) in slots {
            board.push(BoardLine::Slot(s));
            board.extend(of_slot.into_iter().map(BoardLine::Booking));
        }
        self.board = board;
        self.board_cursor
            .follow(&self.board, before, BoardLine::key);
        self.name_shown(env.store)?;
        self.clearance = clearance;
        self.day = Some(env.cal.day(self.selected));
        Ok(())
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if km.is(Cmd::PrevMonth, key) {
            return self.move_month(-1);
        }
        if km.is(Cmd::NextMonth, key) {
            return self.move_month(1);
        }
        if km.is(Cmd::Today, key) {
            let t = self.today;
            self.select(t);
            return Some(Action::Reload);
        }
        if km.is(Cmd::Book, key) {
            return Some(match self.slot_to_book() {
                Some(s) => Action::OpenBooking(s.id),
                None => Action::Error(crate::domain::message::Message::new(
                    "这一天没有空余的查验时段",
                    "no inspection slot with free places on this day",
                )),
            });
        }
        match self.focus {
            Focus::Grid => {
                if km.is(Cmd::Left, key) {
                    self.move_day(-1)
                } else if km.is(Cmd::Right, key) {
                    self.move_day(1)
                } else if km.is(Cmd::Up, key) {
                    self.move_day(-7)
                } else if km.is(Cmd::Down, key) {
                    self.move_day(7)
                } else if km.is(Cmd::PageUp, key) {
                    self.move_month(-1)
                } else if km.is(Cmd::PageDown, key) {
                    self.move_month(1)
                } else if km.is(Cmd::Open, key) {
                    if !self.board.is_empty() {
                        self.focus = Focus::Board;
                    }
                    None
                } else {
                    None
                }
            }
            Focus::Board => {
                if self.board_cursor.key(key, km, self.board.len()) {
                    None
                } else if km.is(Cmd::Back, key) || km.is(Cmd::Left, key) {
                    self.focus = Focus::Grid;
                    None
                } else if let Some(b) = self.selected_booking() {
                    if km.is(Cmd::Cancel, key) {
                        Some(Action::SetBookingStatus(b.id, BookingStatus::Cancelled))
                    } else if km.is(Cmd::Finish, key) {
                        Some(Action::SetBookingStatus(b.id, BookingStatus::Done))
                    } else if km.is(Cmd::Abnormal, key) {
                        Some(Action::SetBookingStatus(b.id, BookingStatus::Abnormal))
                    } else if km.is(Cmd::Open, key) {
                        Some(Action::OpenCard(b.enterprise_id))
                    } else {
                        None
                    }
                } else {
                    None
                }
            }
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let cw = if area.width >= 120 { 8 } else { 5 };
        let grid_w = cw * 7 + 2;
        let [left, right] =
            Layout::horizontal([Constraint::Length(grid_w), Constraint::Min(0)]).areas(area);
        let block = frame_block(
            tr(lang, "查验日历 (5+2)", "Inspection calendar (5+2)").to_string(),
            self.focus == Focus::Grid,
            v,
        );
        let inner = block.inner(left);
        f.render_widget(block, left);
        let grid_h = MonthGrid::height(self.selected).min(inner.height);
        let grid_area = Rect::new(inner.x, inner.y, inner.width, grid_h);
        f.render_widget(
            MonthGrid {
                month: self.selected,
                selected: self.selected,
                today: self.today,
                loads: &self.loads,
                cal: v.cal,
                lang,
                theme: t,
                focused: self.focus == Focus::Grid,
            },
            grid_area,
        );
        if inner.height > grid_h + 1 {
            let legend = Line::from(vec![
                Span::styled(tr(lang, "休", "休"), t.holiday),
                Span::styled(tr(lang, "=假日 ", "=holiday "), t.muted),
                Span::styled(tr(lang, "班", "班"), t.makeup),
                Span::styled(tr(lang, "=调休上班 ", "=make-up day "), t.muted),
                Span::styled(
                    if cw >= 7 {
                        tr(lang, "约/容量", "booked/cap.")
                    } else {
                        tr(lang, "%=已约", "%=booked")
                    },
                    t.muted,
                ),
            ]);
            f.render_widget(
                Paragraph::new(legend),
                Rect::new(inner.x, inner.y + grid_h, inner.width, 1),
            );
        }
        self.draw_board(f, right, v);
    }

    fn hints(&self) -> Vec<Hint> {
        match self.focus {
            Focus::Grid => vec![
                Hint::text("hjkl/←↓↑→", "选日期", "pick day"),
                Hint::cmd(Cmd::PrevMonth, "上月", "prev month"),
                Hint::cmd(Cmd::NextMonth, "下月", "next month"),
                Hint::cmd(Cmd::Today, "今天", "today"),
                Hint::cmd(Cmd::Open, "进入当日看板", "day board"),
                Hint::cmd(Cmd::Book, "预约查验", "book"),
            ],
            Focus::Board => vec![
                Hint::cmd(Cmd::Down, "下移", "down"),
                Hint::cmd(Cmd::Up, "上移", "up"),
                Hint::cmd(Cmd::Book, "预约本时段", "book slot"),
                Hint::cmd(Cmd::Finish, "完成", "done"),
                Hint::cmd(Cmd::Abnormal, "异常", "abnormal"),
                Hint::cmd(Cmd::Cancel, "取消预约", "cancel"),
                Hint::cmd(Cmd::Open, "企业卡片", "card"),
                Hint::cmd(Cmd::Back, "回到月历", "back to month"),
            ],
        }
    }

    fn dates_on_screen(&self) -> Vec<Date> {
        let first = self.selected.first_of_month();
        vec![first, self.selected.last_of_month(), self.selected]
    }
}

impl CalendarPane {
    fn draw_board(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let title = format!(
            "{} {} · {}",
            self.selected,
            present::weekday(self.selected, lang),
            tr(lang, "当日看板", "day board")
        );
        let block = frame_block(title, self.focus == Focus::Board, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        let mut head: Vec<Line<'static>> = Vec::new();
        if let Some(day) = &self.day {
            let reason = day.reason_text(lang);
            let rule = if day.working {
                Span::styled(
                    format!(
                        "{} · {}",
                        reason,
                        tr(lang, "所有企业可预约", "open to every enterprise")
                    ),
                    Style::default(),
                )
            } else {
                Span::styled(
                    format!(
                        "{} · {}",
                        reason,
                        tr(
                            lang,
                            "非工作日：仅 AEO 企业可预约（5+2，措施7）",
                            "day off: AEO enterprises only (5+2, measure 7)"
                        )
                    ),
                    t.weekend,
                )
            };
            head.push(Line::from(rule));
        }
        let c = &self.clearance;
        let clear = match c.state(self.selected, self.today) {
            ClearanceState::NothingBooked => Line::styled(
                tr(
                    lang,
                    "当日清：当天无查验预约",
                    "当日清 (same-day clearance): no inspections booked",
                ),
                t.muted,
            ),
            ClearanceState::NotYetDue => Line::styled(
                lang.pick(
                    &format!("当日清：未到 · 已约 {} 项待查验", c.still_open()),
                    &format!("当日清: not yet due · {} booked", c.still_open()),
                )
                .to_string(),
                t.muted,
            ),
            ClearanceState::Cleared => Line::from(vec![
                Span::styled(tr(lang, "当日清：已清 ✓", "当日清: cleared ✓"), t.ok),
                Span::raw(
                    lang.pick(
                        &format!(
                            "  已完成 {} · 异常 {} · 已取消 {}",
                            c.done, c.abnormal, c.cancelled
                        ),
                        &format!(
                            "  done {} · abnormal {} · cancelled {}",
                            c.done, c.abnormal, c.cancelled
                        ),
                    )
                    .to_string(),
                ),
            ]),
            ClearanceState::Open => {
                head.push(Line::styled(
                    lang.pick(
                        &format!("当日清：未清 ✗ 尚余 {} 项待查验", c.still_open()),
                        &format!("当日清: not cleared ✗ {} still to inspect", c.still_open()),
                    )
                    .to_string(),
                    t.warn,
                ));
                let mut spans = Vec::new();
                if c.abnormal > 0 {
                    spans.push(Span::styled(
                        lang.pick(
                            &format!(" · 异常 {} 须即时处置", c.abnormal),
                            &format!(" · {} abnormal, handle at once", c.abnormal),
                        )
                        .to_string(),
                        t.error,
                    ));
                }
                spans.insert(
                    0,
                    Span::raw(
                        lang.pick(
                            &format!("已完成 {} · 已取消 {}", c.done, c.cancelled),
                            &format!("done {} · cancelled {}", c.done, c.cancelled),
                        )
                        .to_string(),
                    ),
                );
                Line::from(spans)
            }
        };
        head.push(clear);
        // Whole at any width: a long rule wraps instead of running under the border.
        let head: Vec<Line<'static>> = head
            .iter()
            .flat_map(|l| crate::tui::wrap::wrap_line(l, usize::from(inner.width), 2))
            .collect();
        let head_h = head.len() as u16;
        f.render_widget(
            Paragraph::new(head),
            Rect::new(inner.x, inner.y, inner.width, head_h.min(inner.height)),
        );
        let list = Rect::new(
            inner.x,
            inner.y + head_h + 1,
            inner.width,
            inner.height.saturating_sub(head_h + 1),
        );
        if self.board.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    tr(
                        lang,
                        "这一天没有查验时段",
                        "no inspection slots on this day",
                    ),
                    t.muted,
                )),
                list,
            );
            return;
        }
        let page = CalendarPane::board_page(inner.height);
        let offset = scroll_to(
            self.board_cursor.offset,
            self.board_cursor.selected,
            page.min(usize::from(list.height).max(1)),
        );
        let w = usize::from(list.width);
        let lines: Vec<Line<'static>> = self
            .board
            .iter()
            .enumerate()
            .skip(offset)
            .take(usize::from(list.height))
            .map(|(i, l)| {
                let selected = self.focus == Focus::Board && i == self.board_cursor.selected;
                match l {
                    BoardLine::Slot(s) => {
                        let full = s.free() == 0;
                        let office = if w >= 60 {
                            format!("{} {}", s.office_code, s.office_name)
                        } else {
                            s.office_name.clone()
                        };
                        let text = format!(
                            "{:02}:{:02}-{:02}:{:02} {} · {}/{} · {}",
                            s.start.hour(),
                            s.start.minute(),
                            s.end.hour(),
                            s.end.minute(),
                            office,
                            s.taken,
                            s.capacity,
                            if full {
                                tr(lang, "已满", "FULL").to_string()
                            } else {
                                lang.pick(
                                    &format!("余 {}", s.free()),
                                    &format!("{} free", s.free()),
                                )
                                .to_string()
                            }
                        );
                        let base = if full { t.warn } else { t.heading };
                        Line::styled(pad(&text, w), row_style(base, selected, v))
                    }
                    BoardLine::Booking(b) => {
                        // A non-AEO request outside the zone waits for the site (measure 30).
                        let status = b.status.shown(b.needs_site_approval, true, lang);
                        let loc = match w {
                            110.. => b.location.with_reason(b.offsite_reason, lang),
                            70.. => b.location.name(lang).to_string(),
                            _ => b.location.short_name(lang).to_string(),
                        };
                        let style = match b.status {
                            BookingStatus::Abnormal => t.error,
                            BookingStatus::Cancelled => t.muted,
                            BookingStatus::Done => t.ok,
                            BookingStatus::Booked => Style::default(),
                        };
                        let credit = b.credit.short_name(lang);
                        // name | credit | (goods) | location | status, aligned by display width;
                        // a wide board spells the location out, and names stop at 40 columns.
                        let credit_w =
                            usize::from(credit_width(lang)).max(if w >= 70 { 10 } else { 8 });
                        let loc_w = match w {
                            135.. => 44,
                            110.. => 28,
                            70.. => 8,
                            _ => 4,
                        };
                        // The status may carry the measure-30 mark on a wide board.
                        let status_w = if w >= 110 { 27 } else { 12 };
                        let fixed = 2 + credit_w + 1 + loc_w + 1 + status_w;
                        let (name_w, goods_w) = if w >= 70 {
                            let avail = w.saturating_sub(fixed);
                            let n = (avail * 11 / 20).clamp(8, 40);
                            (n, avail.saturating_sub(n + 1))
                        } else {
                            // Narrow: the credit level, location and a status of six
                            // columns (booked, 已预约) after the name.
                            let rest = 2 + 1 + credit_w + 1 + loc_w + 1 + 6;
                            (w.saturating_sub(rest).max(6), 0)
                        };
                        let goods = if goods_w > 0 {
                            format!("{} ", pad(&inert(&b.goods), goods_w))
                        } else {
                            String::new()
                        };
                        let text = format!(
                            "  {} {} {goods}{} {}",
                            pad(&inert(&b.enterprise), name_w),
                            pad(credit, credit_w),
                            pad(&loc, loc_w),
                            status
                        );
                        Line::styled(pad(&truncate(&text, w), w), row_style(style, selected, v))
                    }
                }
            })
            .collect();
        f.render_widget(Paragraph::new(lines), list);
    }
}
