//! A month as staff read it: Monday first, Chinese weekday labels, holidays (休) and make-up
//! working days (班) marked, the booked/capacity load of each day, and the selected day.
//! (ratatui's own `Monthly` starts on Sunday with English labels and has no selection.)

use crate::calendar::{DayReason, WorkingCalendar};
use crate::text::Lang;
use crate::text::{pad, width};
use crate::tui::theme::Theme;
use jiff::ToSpan;
use jiff::civil::Date;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;
use std::collections::BTreeMap;

/// Booked places and capacity of one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayLoad {
    pub taken: u32,
    pub capacity: u32,
}

pub struct MonthGrid<'a> {
    pub month: Date,
    pub selected: Date,
    pub today: Date,
    pub loads: &'a BTreeMap<Date, DayLoad>,
    pub cal: &'a WorkingCalendar,
    pub lang: Lang,
    pub theme: &'a Theme,
    pub focused: bool,
}

impl MonthGrid<'_> {
    /// Columns per day for a given width.
    pub fn cell_width(area_width: u16) -> u16 {
        (area_width / 7).clamp(5, 8)
    }

    /// Rows the grid needs: title, weekday labels, two lines per week.
    pub fn height(month: Date) -> u16 {
        2 + 2 * weeks(month)
    }
}

fn first_of(d: Date) -> Date {
    d.first_of_month()
}

/// Weeks (Monday-first rows) the month spans.
pub fn weeks(month: Date) -> u16 {
    let first = first_of(month);
    let lead = first.weekday().to_monday_zero_offset() as u16;
    let days = first.days_in_month() as u16;
    (lead + days).div_ceil(7)
}

impl Widget for MonthGrid<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let cw = MonthGrid::cell_width(area.width);
        let first = first_of(self.month);
        let title = self
            .lang
            .pick(
                &format!("{}年{}月", first.year(), first.month()),
                &format!("{}-{:02}", first.year(), first.month()),
            )
            .to_string();
        let grid_w = cw * 7;
        let x0 = area.x + area.width.saturating_sub(grid_w) / 2;
        let tx = x0 + grid_w.saturating_sub(width(&title) as u16) / 2;
        if area.height == 0 {
            return;
        }
        buf.set_stringn(tx, area.y, &title, usize::from(area.width), t.title);
        let labels = [
            ("一", "Mo"),
            ("二", "Tu"),
            ("三", "We"),
            ("四", "Th"),
            ("五", "Fr"),
            ("六", "Sa"),
            ("日", "Su"),
        ]
        .map(|(zh, en)| self.lang.pick(zh, en));
        if area.height < 2 {
            return;
        }
        for (i, l) in labels.iter().enumerate() {
            let style = if i >= 5 { t.weekend } else { t.heading };
            let cell = format!("{:>w$}", "", w = usize::from(cw).saturating_sub(3));
            buf.set_stringn(
                x0 + cw * i as u16,
                area.y + 1,
                format!("{cell}{}", pad(l, 2)),
                usize::from(cw),
                style,
            );
        }
        let lead = first.weekday().to_monday_zero_offset() as i32;
        let days = i32::from(first.days_in_month());
        for n in 0..days {
            let d = first + (n as i64).days();
            let slot = lead + n;
            let (col, week) = ((slot % 7) as u16, (slot / 7) as u16);
            let y = area.y + 2 + week * 2;
            if y + 1 >= area.y + area.height {
                break;
            }
            let x = x0 + col * cw;
            let info = self.cal.day(d);
            let mark = match (&info.reason, info.data_known) {
                (DayReason::Holiday { .. }, _) => "休",
                (DayReason::MakeUpWorkday { .. }, _) => "班",
                (_, false) => "?",
                _ => "",
            };
            let mut style = match &info.reason {
                DayReason::Holiday { .. } => t.holiday,
                DayReason::MakeUpWorkday { .. } => t.makeup,
                DayReason::Weekend => t.weekend,
                DayReason::Weekday => Style::default(),
            };
            if !info.data_known {
                style = style.patch(t.unknown_year);
            }
            if d == self.today {
                style = style.patch(t.today);
            }
            let load = self.loads.get(&d).copied().unwrap_or_default();
            // Wide cells show booked/capacity, narrow ones (and a wide one it would fill, a
            // district's 785/1304) the share booked (满 when full).
            let fraction = format!("{}/{}", load.taken, load.capacity);
            let load_text = if load.capacity == 0 {
                String::new()
            } else if load.taken >= load.capacity {
                self.lang.pick("满", "full").to_string()
            } else if cw >= 7 && fraction.len() < usize::from(cw) {
                fraction
            } else {
                format!("{}%", load.taken * 100 / load.capacity)
            };
            let load_style = if load.capacity > 0 && load.taken >= load.capacity {
                t.warn
            } else {
                t.muted
            };
            let (mut s1, mut s2) = (style, load_style);
            if d == self.selected {
                let sel = if self.focused {
                    t.selected
                } else {
                    t.selected.remove_modifier(ratatui::style::Modifier::BOLD)
                };
                s1 = s1.patch(sel);
                s2 = s2.patch(sel);
            }
            let day_text = format!("{:>2}{}", d.day(), mark);
            let cell1 = format!(
                "{}{}",
                " ".repeat(usize::from(cw).saturating_sub(width(&day_text) + 1)),
                day_text
            );
            let cell2 = format!("{:>w$}", load_text, w = usize::from(cw).saturating_sub(1));
            buf.set_stringn(x, y, pad(&cell1, usize::from(cw)), usize::from(cw), s1);
            buf.set_stringn(x, y + 1, pad(&cell2, usize::from(cw)), usize::from(cw), s2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// A day's load never runs into the next day's: a load too long for a wide cell is
    /// shown as a share.
    #[test]
    fn a_load_that_would_fill_its_cell_is_shown_as_a_share() {
        let month = date(2026, 11, 27);
        let loads: BTreeMap<Date, DayLoad> = [
            (date(2026, 11, 23), (785, 1304)),
            (date(2026, 11, 24), (820, 1321)),
            (date(2026, 11, 25), (5, 8)),
        ]
        .into_iter()
        .map(|(d, (taken, capacity))| (d, DayLoad { taken, capacity }))
        .collect();
        let theme = crate::tui::theme::Theme::mono();
        let grid = MonthGrid {
            month,
            selected: month,
            today: month,
            loads: &loads,
            cal: WorkingCalendar::official(),
            lang: Lang::Zh,
            theme: &theme,
            focused: true,
        };
        let area = Rect::new(0, 0, 8 * 7, MonthGrid::height(month));
        let mut buf = Buffer::empty(area);
        grid.render(area, &mut buf);
        let rows: Vec<String> = (0..area.height)
            .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        let loads_row = rows.iter().find(|r| r.contains("5/8")).unwrap();
        assert!(loads_row.contains("60%     62%     5/8 "), "{loads_row:?}");
    }

    #[test]
    fn november_2026_spans_six_monday_first_weeks() {
        // 2026-11-01 is a Sunday: the first row holds only it.
        assert_eq!(date(2026, 11, 1).weekday(), jiff::civil::Weekday::Sunday);
        assert_eq!(weeks(date(2026, 11, 15)), 6);
        assert_eq!(weeks(date(2027, 2, 1)), 4);
    }
}
