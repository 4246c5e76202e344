//! How values read, for the console and the command line alike, in Chinese (default) or
//! English: instants, deadlines, spans, countdowns, weekdays, audit actions. Pure functions of
//! their inputs. Coded values (credit levels, kinds, statuses, day reasons) name themselves with
//! their own `name(lang)`.

use crate::calendar::{Countdown, DayCount, shanghai_datetime};
use crate::store::Why;
use crate::text::inert;
use crate::text::{Lang, tr};
use jiff::Timestamp;
use jiff::civil::Date;

/// Why a lookup row matched, in words: the identifier, the alias, or the characters and how
/// each was read (长宁 chang·ning; "other reading" when not the word's natural one).
pub fn why_text(why: &Why, lang: Lang) -> String {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    match why {
        Why::Uscc { uscc } => format!("{} {uscc}", t("信用代码", "USCC")),
        Why::CustomsCode { code } => format!("{} {code}", t("海关编码", "customs code")),
        Why::Declaration { number } => format!("{} {number}", t("报关单号", "declaration")),
        Why::Approval { reference } => {
            format!("{} {}", t("审批编号", "approval"), inert(reference))
        }
        Why::Booking { id } => format!("{} #{id}", t("预约号", "booking")),
        Why::Coordinator { name, phone } => {
            format!(
                "{} {} {}",
                t("协调员", "coordinator"),
                inert(name),
                inert(phone)
            )
        }
        Why::Name => t("名称", "name"),
        Why::Alias { alias } => format!("{} {}", t("别名", "alias"), inert(alias)),
        Why::Reading {
            text,
            readings,
            other,
            alias,
        } => {
            let mut s = String::new();
            if let Some(a) = alias {
                s.push_str(&format!("{} {} · ", t("别名", "alias"), inert(a)));
            }
            s.push_str(&inert(text));
            if readings
                .iter()
                .any(|r| r.chars().any(|c| c.is_ascii_lowercase()))
            {
                s.push(' ');
                s.push_str(&readings.join("·"));
            }
            if *other {
                s.push_str(&format!(" ({})", t("另读", "other reading")));
            }
            s
        }
        Why::Contains { text } => format!("{} {}", t("含", "contains"), inert(text)),
    }
}

/// An audit action and the kind of record it touched, in words.
pub fn audit_action(action: &str, entity: &str, lang: Lang) -> String {
    let (azh, aen) = match action {
        "create" => ("新建", "created"),
        "book" => ("预约查验", "booked"),
        "take" => ("领取", "took"),
        "release" => ("退回队列", "released"),
        "finish" => ("办结", "finished"),
        "mark_abnormal" => ("标记异常", "marked abnormal"),
        "inspection_done" => ("查验完成", "inspection done"),
        "inspection_abnormal" => ("查验异常", "inspection abnormal"),
        "cancel_booking" => ("取消预约", "cancelled"),
        "pause" => ("暂停计时", "paused"),
        "resume" => ("恢复计时", "resumed"),
        "decide" => ("审批办结", "decided"),
        "correct" => ("补正后受理", "accepted after 补正"),
        "extend" => ("延长时限（第42条）", "extended (第42条)"),
        "final_authority" => ("更改终审权限", "changed the final authority"),
        "assign" => ("指派", "assigned"),
        "note" => ("记录", "noted"),
        "resolve" => ("解决", "resolved"),
        "close" => ("确认关闭", "closed"),
        "reopen" => ("重新打开", "reopened"),
        "callback_done" => ("已回电", "called back"),
        "merge" => ("合并", "merged"),
        "link" => ("关联", "linked"),
        "set_hotline_person" => ("指定热线专人", "set the hotline person"),
        _ => (action, action),
    };
    let (ezh, een) = match entity {
        "enterprises" => ("企业", "enterprise"),
        "coordinators" => ("协调员", "coordinator"),
        "work_items" => ("待办事项", "queue item"),
        "inspection_slots" => ("查验时段", "slot"),
        "bookings" => ("查验预约", "booking"),
        "approvals" => ("审批", "approval"),
        "approval_pauses" => ("审批计时", "approval clock"),
        "problems" => ("问题", "problem"),
        "verifications" => ("核查", "verification"),
        "calls" => ("来电", "call"),
        "problem_notes" => ("问题记录", "problem note"),
        "enterprise_coordinators" => ("协调员", "coordinator"),
        "enterprise_aliases" => ("企业别名", "alias"),
        _ => (entity, entity),
    };
    lang.pick(&format!("{azh} {ezh}"), &format!("{aen} {een}"))
        .to_string()
}

/// "2026-11-27 10:00" and "10:00" in Shanghai time: written by the calendar, so that the
/// domain's messages write instants the same way.
pub use crate::calendar::{hm_text as clock_hm, minute_text as instant};

/// A deadline as the law counts it: a due instant at Shanghai midnight is the end ("24:00") of
/// the day before, the last day of the limit.
pub fn deadline(ts: Timestamp, short: bool) -> String {
    let dt = shanghai_datetime(ts);
    let (date, hm) = if dt.time().hour() == 0 && dt.time().minute() == 0 && dt.time().second() == 0
    {
        (
            dt.date().yesterday().unwrap_or(dt.date()),
            "24:00".to_string(),
        )
    } else {
        (
            dt.date(),
            format!("{:02}:{:02}", dt.time().hour(), dt.time().minute()),
        )
    };
    if short {
        format!("{:02}-{:02} {hm}", date.month(), date.day())
    } else {
        format!("{date} {hm}")
    }
}

/// Clock time "10:00:00" in Shanghai.
pub fn clock(ts: Timestamp) -> String {
    let t = shanghai_datetime(ts).time();
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// A span of wall-clock seconds: "2天03时", "3时12分", "12分" (or "2d03h", "3h12m", "12m").
pub fn span(secs: i64, lang: Lang) -> String {
    let s = secs.unsigned_abs();
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3_600, (s % 3_600) / 60);
    let (zh, en) = if d > 0 {
        (format!("{d}天{h:02}时"), format!("{d}d{h:02}h"))
    } else if h > 0 {
        (format!("{h}时{m:02}分"), format!("{h}h{m:02}m"))
    } else {
        (format!("{m}分"), format!("{m}m"))
    };
    lang.pick(&zh, &en).to_string()
}

/// What a countdown carries when it counts days of a year without a published holiday schedule
/// (the CLI's table explains it below, the console's header names the years).
pub const UNKNOWN_CALENDAR_MARK: char = '?';

/// A countdown, the one form of the console and the command line: counted days and the clock
/// of the day, so it visibly ticks: "3工作日 05:12:09", "超期 1天 02:00:00",
/// "暂停 4工作日 00:00:00" ("3wd 05:12:09", "overdue 1d 02:00:00", "paused 4wd 00:00:00"),
/// followed by [`UNKNOWN_CALENDAR_MARK`] when it crosses a year without holiday data. It is
/// short enough for the approvals pane's column (25 with the urgency mark).
pub fn countdown(c: &Countdown, lang: Lang) -> String {
    let secs = c.remaining_secs.unsigned_abs();
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let hms = format!(
        "{:02}:{:02}:{:02}",
        rest / 3_600,
        (rest % 3_600) / 60,
        rest % 60
    );
    let unit = match c.count {
        DayCount::Working => tr(lang, "工作日", "wd"),
        DayCount::Calendar => tr(lang, "天", "d"),
    };
    let mut out = if c.overdue {
        // Past due, time runs on the wall clock.
        format!(
            "{} {days}{} {hms}",
            tr(lang, "超期", "overdue"),
            tr(lang, "天", "d")
        )
    } else if c.paused {
        format!("{} {days}{unit} {hms}", tr(lang, "暂停", "paused"))
    } else {
        format!("{days}{unit} {hms}")
    };
    if c.uses_unknown_calendar {
        out.push(UNKNOWN_CALENDAR_MARK);
    }
    out
}

pub fn weekday(d: Date, lang: Lang) -> &'static str {
    let i = d.weekday().to_monday_zero_offset() as usize;
    let (zh, en) = [
        ("周一", "Mon"),
        ("周二", "Tue"),
        ("周三", "Wed"),
        ("周四", "Thu"),
        ("周五", "Fri"),
        ("周六", "Sat"),
        ("周日", "Sun"),
    ][i];
    lang.pick(zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_due_at_midnight_reads_as_the_end_of_the_last_day() {
        let due: Timestamp = "2026-11-27T16:00:00Z".parse().unwrap(); // 11-28 00:00 Shanghai
        assert_eq!(deadline(due, false), "2026-11-27 24:00");
        assert_eq!(deadline(due, true), "11-27 24:00");
    }

    fn working(remaining_secs: i64) -> Countdown {
        Countdown {
            limit_days: 5,
            count: DayCount::Working,
            due: None,
            paused: false,
            remaining_secs,
            overdue: remaining_secs < 0,
            fraction_left: 0.5,
            uses_unknown_calendar: false,
        }
    }

    #[test]
    fn a_countdown_reads_in_counted_days_and_the_clock_of_the_day() {
        let c = working(3 * 86_400 + 5 * 3_600 + 12 * 60 + 9);
        assert_eq!(countdown(&c, Lang::Zh), "3工作日 05:12:09");
        assert_eq!(countdown(&c, Lang::En), "3wd 05:12:09");
        let over = working(-(86_400 + 2 * 3_600));
        assert_eq!(countdown(&over, Lang::Zh), "超期 1天 02:00:00");
        assert_eq!(countdown(&over, Lang::En), "overdue 1d 02:00:00");
        let paused = Countdown {
            paused: true,
            ..working(4 * 86_400)
        };
        assert_eq!(countdown(&paused, Lang::Zh), "暂停 4工作日 00:00:00");
        let calendar = Countdown {
            count: DayCount::Calendar,
            ..working(86_400)
        };
        assert_eq!(countdown(&calendar, Lang::En), "1d 00:00:00");
    }

    #[test]
    fn a_countdown_over_a_year_without_a_schedule_carries_one_mark_in_either_language() {
        let c = Countdown {
            uses_unknown_calendar: true,
            ..working(29 * 86_400 + 14 * 3_600)
        };
        assert_eq!(countdown(&c, Lang::Zh), "29工作日 14:00:00?");
        assert_eq!(countdown(&c, Lang::En), "29wd 14:00:00?");
        // The widest form still fits the approvals pane's 25 columns with its urgency mark.
        let widest = Countdown { paused: true, ..c };
        assert_eq!(countdown(&widest, Lang::Zh), "暂停 29工作日 14:00:00?");
        assert!(crate::text::width(&countdown(&widest, Lang::Zh)) + 2 <= 25);
    }

    #[test]
    fn spans_read_in_days_hours_and_minutes() {
        assert_eq!(span(2 * 86_400 + 3 * 3_600, Lang::Zh), "2天03时");
        assert_eq!(span(3 * 3_600 + 12 * 60, Lang::En), "3h12m");
        assert_eq!(span(59, Lang::Zh), "0分");
    }
}
