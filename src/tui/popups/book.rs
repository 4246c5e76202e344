//! Booking an inspection (measures 7 and 30): an enterprise picker searched by name, pinyin or
//! initials — on a day off only AEO enterprises are offered ("5+2") — the goods, the slot
//! (office and time) among the day's slots, where the inspection takes place and, outside the
//! zone or at the factory, why (measure 30). The free places are read again whenever another
//! operator books; an enterprise already booked into the slot is warned of. The store applies
//! the domain's booking rules and its refusal is shown.

use super::{centered, popup_frame};
use crate::calendar::DayInfo;
use crate::domain::inspection::{
    BookingStatus, Location, OffSiteReason, already_booked, site_approval_text,
};
use crate::present;
use crate::store::{EnterpriseHit, FindOptions, SlotRow};
use crate::text::tr;
use crate::text::{inert, pad};
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crate::tui::widgets::line_edit::{Edit, LineEdit};
use crate::tui::widgets::selection::{cycle, step};
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Enterprise,
    Goods,
    /// The slot: ↑/↓ choose among the day's slots.
    Slot,
    /// The measure-30 reason, offered when the place is outside the zone or at the factory.
    Reason,
}

/// Enterprises the picker lists.
const PICKER_ROWS: usize = 30;

pub struct BookPopup {
    pub slot: SlotRow,
    pub day: DayInfo,
    pub query: String,
    pub goods: String,
    query_edit: LineEdit,
    goods_edit: LineEdit,
    pub field: Field,
    pub hits: Vec<EnterpriseHit>,
    pub selected: usize,
    pub location: Location,
    /// The slots of the day, to choose from.
    pub slots: Vec<SlotRow>,
    /// The chosen slot's bookings holding a place: (booking, enterprise, status).
    booked_here: Vec<(i64, i64, BookingStatus)>,
    /// Chosen with ←/→ in the reason field; sent only for a place outside the zone.
    pub reason: Option<OffSiteReason>,
}

impl BookPopup {
    pub fn new(slot: SlotRow, day: DayInfo) -> BookPopup {
        BookPopup {
            slot,
            day,
            query: String::new(),
            goods: String::new(),
            query_edit: LineEdit::default(),
            goods_edit: LineEdit::default(),
            field: Field::Enterprise,
            hits: Vec::new(),
            selected: 0,
            location: Location::InZone,
            slots: Vec::new(),
            booked_here: Vec::new(),
            reason: None,
        }
    }

    /// The booking by which the picked enterprise already holds a place in the slot.
    pub fn repeat(&self) -> Option<(i64, &EnterpriseHit)> {
        let hit = self.hits.get(self.selected)?;
        already_booked(self.booked_here.iter().copied(), hit.enterprise.id).map(|id| (id, hit))
    }

    /// ↑/↓ on the slot field: the previous or next slot of the day.
    fn step_slot(&mut self, by: isize) -> Option<Action> {
        let i = self.slots.iter().position(|s| s.id == self.slot.id)?;
        let j = step(i, by, self.slots.len());
        (j != i).then(|| {
            self.slot = self.slots[j].clone();
            Action::ReloadPopup
        })
    }

    /// On a day off only AEO enterprises may book ("5+2", measure 7).
    pub fn aeo_only(&self) -> bool {
        !self.day.working
    }

    pub fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        // The places as they stand now: another operator may have booked since.
        self.slots = env.store.slots_between(self.slot.date, self.slot.date)?;
        if let Some(s) = self.slots.iter().find(|s| s.id == self.slot.id) {
            self.slot = s.clone();
        }
        self.booked_here = env
            .store
            .bookings_of_slot(self.slot.id)?
            .into_iter()
            .map(|b| (b.id, b.enterprise_id, b.status))
            .collect();
        // The same matcher as lookup; on a day off the AEO condition is part of the search.
        let opts = FindOptions {
            limit: PICKER_ROWS,
            aeo_only: self.aeo_only(),
        };
        self.hits = env
            .store
            .find(&self.query, &opts)?
            .found
            .into_iter()
            .map(|f| f.hit)
            .collect();
        self.selected = self.selected.min(self.hits.len().saturating_sub(1));
        Ok(())
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Esc => Some(Action::ClosePopup),
            KeyCode::Tab | KeyCode::BackTab => {
                let mut order = vec![Field::Enterprise, Field::Goods];
                if self.location != Location::InZone {
                    order.push(Field::Reason);
                }
                order.push(Field::Slot);
                let i = order.iter().position(|f| *f == self.field).unwrap_or(0);
                let step = if key.code == KeyCode::Tab { 1 } else { -1 };
                self.field = order[cycle(i, step, order.len())];
                None
            }
            KeyCode::Left | KeyCode::Right if self.field == Field::Reason => {
                let all = OffSiteReason::ALL;
                let step = if key.code == KeyCode::Right { 1 } else { -1 };
                self.reason = Some(match self.reason {
                    None if step > 0 => all[0],
                    None => all[all.len() - 1],
                    Some(r) => {
                        let i = all.iter().position(|x| *x == r).unwrap_or(0);
                        all[cycle(i, step, all.len())]
                    }
                });
                None
            }
            KeyCode::Down if self.field == Field::Slot => self.step_slot(1),
            KeyCode::Up if self.field == Field::Slot => self.step_slot(-1),
            KeyCode::Down => {
                self.selected = step(self.selected, 1, self.hits.len());
                None
            }
            KeyCode::Up => {
                self.selected = step(self.selected, -1, self.hits.len());
                None
            }
            KeyCode::Left | KeyCode::Right => {
                let all = Location::ALL;
                let i = all.iter().position(|l| *l == self.location).unwrap_or(0);
                let step = if key.code == KeyCode::Right { 1 } else { -1 };
                self.location = all[cycle(i, step, all.len())];
                if self.location == Location::InZone && self.field == Field::Reason {
                    self.field = Field::Enterprise;
                }
                None
            }
            KeyCode::Enter => {
                let hit = self.hits.get(self.selected)?;
                Some(Action::Book {
                    slot_id: self.slot.id,
                    enterprise_id: hit.enterprise.id,
                    location: self.location,
                    reason: self.reason.filter(|_| self.location != Location::InZone),
                    goods: self.goods.clone(),
                })
            }
            _ => {
                let edit = match self.field {
                    Field::Enterprise => &mut self.query_edit,
                    Field::Goods => &mut self.goods_edit,
                    Field::Slot | Field::Reason => return None,
                };
                (edit.handle(key) == Edit::Changed).then_some(())?;
                self.edited()
            }
        }
    }

    /// Pasted text goes into the field that has the cursor.
    pub fn paste(&mut self, text: &str) -> Option<Action> {
        match self.field {
            Field::Enterprise => self.query_edit.insert_str(text),
            Field::Goods => self.goods_edit.insert_str(text),
            Field::Slot | Field::Reason => return None,
        }
        self.edited()
    }

    fn edited(&mut self) -> Option<Action> {
        self.goods = self.goods_edit.text().to_string();
        if self.query != self.query_edit.text() {
            self.query = self.query_edit.text().to_string();
            self.selected = 0;
            return Some(Action::ReloadPopup);
        }
        None
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let w = if area.width >= 120 {
            100
        } else {
            area.width.saturating_sub(2)
        };
        let r = centered(area, w, area.height.saturating_sub(2).max(16));
        let s = &self.slot;
        let title = format!(
            "{} · {} {} {:02}:{:02}-{:02}:{:02} · {} {}",
            tr(lang, "预约查验", "Book an inspection"),
            s.date,
            present::weekday(s.date, lang),
            s.start.hour(),
            s.start.minute(),
            s.end.hour(),
            s.end.minute(),
            s.office_code,
            s.office_name
        );
        let inner = popup_frame(f, r, title, v);
        let [info, fields, list] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(6),
            Constraint::Min(0),
        ])
        .areas(inner);
        let places = lang
            .pick(
                &format!("容量 {} · 已约 {} · 余 {}", s.capacity, s.taken, s.free()),
                &format!(
                    "capacity {} · booked {} · free {}",
                    s.capacity,
                    s.taken,
                    s.free()
                ),
            )
            .to_string();
        let rule = if self.aeo_only() {
            Span::styled(
                tr(
                    lang,
                    "非工作日：只列出 AEO 企业（5+2，措施7）",
                    "day off: AEO enterprises only (5+2, measure 7)",
                ),
                t.weekend,
            )
        } else {
            Span::raw("")
        };
        let repeat =
            self.repeat().map(|(id, hit)| {
                let name = inert(&hit.enterprise.name_zh);
                Line::styled(
                lang.pick(&format!("⚠ {name} 已在此时段预约（#{id}），再约即重复预约"), &format!(
                        "⚠ {name} already holds a place in this slot (#{id}): this books it twice"
                    )).to_string(),
                t.warn,
            )
            });
        f.render_widget(
            Paragraph::new(
                [
                    Line::from(vec![
                        Span::raw(self.day.reason_text(lang)),
                        Span::raw(" · "),
                        Span::styled(places, if s.free() == 0 { t.warn } else { t.ok }),
                    ]),
                    Line::from(rule),
                ]
                .into_iter()
                .chain(repeat)
                .flat_map(|l| crate::tui::wrap::wrap_line(&l, usize::from(info.width), 2))
                .take(3)
                .collect::<Vec<_>>(),
            ),
            info,
        );
        let focus = |fld: Field| {
            if self.field == fld {
                t.title.patch(t.today)
            } else {
                t.muted
            }
        };
        let cursor = |fld: Field| if self.field == fld { "▏" } else { "" };
        let mut loc_spans = vec![Span::styled(
            format!("{} ", tr(lang, "地点 ←/→", "place ←/→")),
            t.muted,
        )];
        for l in Location::ALL {
            let text = format!(
                " {} ",
                // The form's English is shorter than the place's own name, to fit 80 columns.
                lang.pick(
                    l.name_zh(),
                    match l {
                        Location::InZone => "in the zone",
                        Location::OutOfZone => "outside the zone",
                        Location::Factory => "at the factory",
                    }
                )
            );
            loc_spans.push(Span::styled(
                text,
                if *l == self.location {
                    t.selected
                } else {
                    Style::default()
                },
            ));
        }
        let mut reason_spans = Vec::new();
        if self.location != Location::InZone {
            reason_spans.push(Span::styled(
                format!("{} ", tr(lang, "原因 ←/→", "reason ←/→")),
                focus(Field::Reason),
            ));
            reason_spans.push(match self.reason {
                Some(r) => Span::styled(format!(" {} ", r.name(lang)), t.selected),
                None => Span::styled(
                    tr(
                        lang,
                        "措施30须注明（Tab 到此栏）",
                        "measure 30 asks for it (Tab here)",
                    ),
                    t.warn,
                ),
            });
            // A non-AEO enterprise's request is taken for the site to approve.
            if self
                .hits
                .get(self.selected)
                .is_some_and(|h| !h.enterprise.credit.is_aeo())
            {
                reason_spans.push(Span::styled(
                    format!(" {}", site_approval_text(lang)),
                    t.muted,
                ));
            }
        }
        f.render_widget(
            Paragraph::new(vec![
                Line::from(vec![
                    Span::styled(
                        format!("{} ", tr(lang, "企业", "enterprise")),
                        focus(Field::Enterprise),
                    ),
                    Span::styled(
                        format!("{}{}", inert(&self.query), cursor(Field::Enterprise)),
                        t.title,
                    ),
                    Span::styled(
                        if self.query.is_empty() {
                            tr(
                                lang,
                                "  输入名称、拼音或首字母",
                                "  type a name, pinyin or initials",
                            )
                        } else {
                            ""
                        },
                        t.muted,
                    ),
                ]),
                Line::from(vec![
                    Span::styled(
                        format!("{} ", tr(lang, "货物", "goods")),
                        focus(Field::Goods),
                    ),
                    Span::styled(
                        format!("{}{}", inert(&self.goods), cursor(Field::Goods)),
                        t.title,
                    ),
                    Span::styled(
                        if self.goods.is_empty() {
                            tr(lang, "  (Tab 切换输入栏)", "  (Tab switches field)")
                        } else {
                            ""
                        },
                        t.muted,
                    ),
                ]),
                self.slot_line(v, focus(Field::Slot)),
                Line::from(loc_spans),
                Line::from(reason_spans),
            ]),
            fields,
        );
        let rows = usize::from(list.height);
        let start = self.selected.saturating_sub(rows.saturating_sub(1));
        // The name, then the credit level whole (s.dishonest: 11 columns).
        let credit_w = usize::from(crate::tui::panes::credit_width(lang));
        let name_w = usize::from(list.width).saturating_sub(credit_w + 3);
        let lines: Vec<Line<'static>> = self
            .hits
            .iter()
            .enumerate()
            .skip(start)
            .take(rows)
            .map(|(i, h)| {
                let e = &h.enterprise;
                let text = format!(
                    " {} {}",
                    pad(&inert(&e.name_zh), name_w),
                    pad(e.credit.short_name(lang), credit_w)
                );
                let base = if e.credit.is_aeo() {
                    t.aeo
                } else {
                    Style::default()
                };
                Line::styled(
                    text,
                    if i == self.selected {
                        base.patch(t.selected)
                    } else {
                        base
                    },
                )
            })
            .collect();
        if lines.is_empty() && !self.query.is_empty() {
            f.render_widget(
                Paragraph::new(Line::styled(
                    if self.aeo_only() {
                        tr(lang, " 没有匹配的 AEO 企业", " no matching AEO enterprise")
                    } else {
                        tr(lang, " 没有匹配的企业", " no matching enterprise")
                    },
                    t.muted,
                )),
                list,
            );
        } else {
            f.render_widget(Paragraph::new(lines), list);
        }
    }

    /// "时段 ↑/↓  09:00-11:00 2/5 浦东海关 · 余 2".
    fn slot_line(&self, v: &View<'_>, label: Style) -> Line<'static> {
        let (lang, t, s) = (v.lang, v.theme, &self.slot);
        let at = self
            .slots
            .iter()
            .position(|x| x.id == s.id)
            .map(|i| format!("{}/{}", i + 1, self.slots.len()))
            .unwrap_or_default();
        let free = if s.free() == 0 {
            tr(lang, "已满", "full").to_string()
        } else {
            lang.pick(&format!("余 {}", s.free()), &format!("{} free", s.free()))
                .to_string()
        };
        Line::from(vec![
            Span::styled(format!("{} ", tr(lang, "时段 ↑/↓", "slot ↑/↓")), label),
            Span::styled(
                format!(
                    "{:02}:{:02}-{:02}:{:02} {} ",
                    s.start.hour(),
                    s.start.minute(),
                    s.end.hour(),
                    s.end.minute(),
                    inert(&s.office_name)
                ),
                t.title,
            ),
            Span::styled(free, if s.free() == 0 { t.warn } else { t.ok }),
            Span::styled(format!("  {at}"), t.muted),
        ])
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "预约", "book"),
            Hint::text("↑/↓", "选企业/时段", "pick"),
            Hint::text("←/→", "地点", "place"),
            Hint::text("Tab", "换栏", "field"),
            Hint::text("Esc", "取消", "cancel"),
        ]
    }
}
