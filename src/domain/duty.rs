//! Duty hours of coordinators (measure 28): office hours on working days, 7×24 port duty, a
//! weekend and holiday rota, single rota dates; and who of an enterprise's coordinators is on
//! duty at an instant, by the official working-day calendar (调休 days included).

use super::enterprise::{Coordinator, CoordinatorRole};
use super::message::Message;
use crate::calendar::{WorkingCalendar, shanghai_datetime};
use jiff::Timestamp;
use jiff::civil::{Date, Time};

/// One rule of a duty schedule. Hours are [start, end): on duty at 16:59, off at 17:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyRule {
    /// 7×24 (port duty).
    Always,
    /// Working days (调休 working weekends included, holidays excluded).
    WorkingDays(Time, Time),
    /// Days that are not working days: weekends and holidays (the weekend rota).
    DaysOff(Time, Time),
    Daily(Time, Time),
    /// One rota date.
    On(Date, Time, Time),
}

/// A coordinator's duty hours as written in the directory, e.g. "工作日 08:30-17:00；休息日
/// 09:00-12:00" or "7×24". Rules are separated by ';' or '；'.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DutyHours {
    pub rules: Vec<DutyRule>,
}

fn bad(part: &str) -> Message {
    Message::new(
        format!(
            "值班时间：无法理解 '{part}'（例如 7×24、工作日 08:30-17:00、休息日 09:00-17:00、2026-11-28 09:00-17:00）"
        ),
        format!(
            "duty hours: cannot read '{part}' (e.g. 7x24, workdays 08:30-17:00, days-off 09:00-17:00, 2026-11-28 09:00-17:00)"
        ),
    )
}

fn hours(part: &str, s: &str) -> Result<(Time, Time), Message> {
    let (a, b) = s.trim().split_once('-').ok_or_else(|| bad(part))?;
    let start: Time = a.trim().parse().map_err(|_| bad(part))?;
    let end: Time = b.trim().parse().map_err(|_| bad(part))?;
    if start >= end {
        return Err(Message::new(
            format!("值班时间：'{part}' 的开始须早于结束（全天值班写 7×24）"),
            format!(
                "duty hours: '{part}' must start before it ends (write 7x24 for round-the-clock duty)"
            ),
        ));
    }
    Ok((start, end))
}

impl DutyHours {
    pub fn parse(s: &str) -> Result<DutyHours, Message> {
        let mut rules = Vec::new();
        for part in s
            .split([';', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let lower = part.to_lowercase();
            if lower.starts_with("7x24") || lower.starts_with("7×24") {
                rules.push(DutyRule::Always);
                continue;
            }
            let (word, rest) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| bad(part))?;
            let rule = match word.to_lowercase().as_str() {
                "工作日" | "workdays" | "working-days" => {
                    let (a, b) = hours(part, rest)?;
                    DutyRule::WorkingDays(a, b)
                }
                "休息日" | "节假日" | "周末" | "days-off" | "weekends" => {
                    let (a, b) = hours(part, rest)?;
                    DutyRule::DaysOff(a, b)
                }
                "每天" | "daily" => {
                    let (a, b) = hours(part, rest)?;
                    DutyRule::Daily(a, b)
                }
                w => {
                    let d: Date = w.parse().map_err(|_| bad(part))?;
                    let (a, b) = hours(part, rest)?;
                    DutyRule::On(d, a, b)
                }
            };
            rules.push(rule);
        }
        Ok(DutyHours { rules })
    }

    /// Whether the schedule puts its holder on duty at `at` (Shanghai time).
    pub fn on_duty(&self, cal: &WorkingCalendar, at: Timestamp) -> bool {
        let dt = shanghai_datetime(at);
        let (date, time) = (dt.date(), dt.time());
        let within = |a: Time, b: Time| time >= a && time < b;
        self.rules.iter().any(|r| match *r {
            DutyRule::Always => true,
            DutyRule::WorkingDays(a, b) => cal.is_working_day(date) && within(a, b),
            DutyRule::DaysOff(a, b) => !cal.is_working_day(date) && within(a, b),
            DutyRule::Daily(a, b) => within(a, b),
            DutyRule::On(d, a, b) => d == date && within(a, b),
        })
    }
}

/// An enterprise's coordinators in the order the card shows them: those on duty at `at` first,
/// then the others; within each, business department, port, local, then by name. A schedule
/// that cannot be read counts as off duty.
pub fn by_duty(
    coordinators: Vec<Coordinator>,
    cal: &WorkingCalendar,
    at: Timestamp,
) -> Vec<(Coordinator, bool)> {
    let role_rank = |r: CoordinatorRole| CoordinatorRole::ALL.iter().position(|x| *x == r);
    let mut out: Vec<(Coordinator, bool)> = coordinators
        .into_iter()
        .map(|c| {
            let on = DutyHours::parse(&c.duty_hours).is_ok_and(|h| h.on_duty(cal, at));
            (c, on)
        })
        .collect();
    out.sort_by(|(a, on_a), (b, on_b)| {
        on_b.cmp(on_a)
            .then(role_rank(a.role).cmp(&role_rank(b.role)))
            .then(a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shanghai_instant;
    use jiff::civil::date;

    fn sh(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        shanghai_instant(date(y, m, d).at(h, min, 0, 0))
    }

    fn coordinator(id: i64, name: &str, role: CoordinatorRole, duty: &str) -> Coordinator {
        Coordinator {
            id,
            name: name.into(),
            phone: format!("021-6000{id:04}"),
            office_code: "2248".into(),
            office_name: "洋山海关".into(),
            role,
            duty_hours: duty.into(),
        }
    }

    #[test]
    fn office_hours_end_at_17_00_exactly() {
        let cal = WorkingCalendar::official();
        let h = DutyHours::parse("工作日 08:30-17:00").unwrap();
        // Friday 2026-11-27.
        assert!(h.on_duty(cal, sh(2026, 11, 27, 16, 59)));
        assert!(!h.on_duty(cal, sh(2026, 11, 27, 17, 0)));
        assert!(!h.on_duty(cal, sh(2026, 11, 27, 8, 29)));
        assert!(h.on_duty(cal, sh(2026, 11, 27, 8, 30)));
        // Saturday.
        assert!(!h.on_duty(cal, sh(2026, 11, 28, 10, 0)));
    }

    #[test]
    fn tiaoxiu_weekends_are_working_days_and_holidays_are_not() {
        let cal = WorkingCalendar::official();
        let office = DutyHours::parse("workdays 09:00-17:00").unwrap();
        let rota = DutyHours::parse("休息日 09:00-17:00").unwrap();
        // Saturday 2026-10-10 is a make-up working day (调休上班).
        assert!(office.on_duty(cal, sh(2026, 10, 10, 10, 0)));
        assert!(!rota.on_duty(cal, sh(2026, 10, 10, 10, 0)));
        // Thursday 2026-10-01 is the National Day holiday.
        assert!(!office.on_duty(cal, sh(2026, 10, 1, 10, 0)));
        assert!(rota.on_duty(cal, sh(2026, 10, 1, 10, 0)));
        // An ordinary Sunday: the weekend rota.
        assert!(rota.on_duty(cal, sh(2026, 11, 29, 16, 59)));
        assert!(!rota.on_duty(cal, sh(2026, 11, 29, 17, 0)));
    }

    #[test]
    fn port_duty_is_round_the_clock_and_rota_dates_are_single_days() {
        let cal = WorkingCalendar::official();
        let port = DutyHours::parse("7×24小时（5+2）").unwrap();
        assert!(port.on_duty(cal, sh(2026, 11, 29, 3, 0)));
        let rota = DutyHours::parse("工作日 09:00-17:00；2026-11-28 09:00-12:00").unwrap();
        assert!(rota.on_duty(cal, sh(2026, 11, 28, 11, 59)));
        assert!(!rota.on_duty(cal, sh(2026, 11, 28, 12, 0)));
        assert!(!rota.on_duty(cal, sh(2026, 12, 5, 10, 0)));
    }

    #[test]
    fn unreadable_duty_hours_are_refused_with_the_part_named() {
        let e = DutyHours::parse("工作日 17:00-09:00").unwrap_err();
        assert!(e.en().contains("start before"));
        let e = DutyHours::parse("sometimes").unwrap_err();
        assert!(e.en().contains("'sometimes'") && e.zh().contains("sometimes"));
        assert_eq!(DutyHours::parse("").unwrap().rules, vec![]);
    }

    #[test]
    fn the_card_lists_who_is_on_duty_first() {
        let cal = WorkingCalendar::official();
        let list = vec![
            coordinator(1, "王伟", CoordinatorRole::Business, "工作日 08:30-17:00"),
            coordinator(2, "李娜", CoordinatorRole::Port, "7x24"),
            coordinator(3, "张敏", CoordinatorRole::Local, "工作日 09:00-17:30"),
        ];
        let names = |at| -> Vec<(String, bool)> {
            by_duty(list.clone(), cal, at)
                .into_iter()
                .map(|(c, on)| (c.name, on))
                .collect()
        };
        // Friday 16:59: all three, by role.
        assert_eq!(
            names(sh(2026, 11, 27, 16, 59)),
            vec![
                ("王伟".into(), true),
                ("李娜".into(), true),
                ("张敏".into(), true)
            ]
        );
        // 17:00: the business coordinator has gone; the local one stays until 17:30.
        assert_eq!(
            names(sh(2026, 11, 27, 17, 0)),
            vec![
                ("李娜".into(), true),
                ("张敏".into(), true),
                ("王伟".into(), false)
            ]
        );
        // Sunday: only the port.
        assert_eq!(names(sh(2026, 11, 29, 10, 0))[0], ("李娜".into(), true));
        assert!(!names(sh(2026, 11, 29, 10, 0))[1].1);
    }
}
