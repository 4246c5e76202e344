use std::collections::BTreeMap;

use jiff::{
    Timestamp, ToSpan,
    civil::{Date, Weekday, date},
};
use proptest::prelude::*;

use super::*;

/// The State Council facts, copied verbatim from the domain brief. The tests
/// below check the shipped calendar against this text, not against the TOML.
const DOMAIN_FACTS: &str = "\
2024 off:  01-01; 02-10..02-17; 04-04..04-06; 05-01..05-05; 06-10; 09-15..09-17; 10-01..10-07
2024 work: 02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12
2025 off:  01-01; 01-28..02-04; 04-04..04-06; 05-01..05-05; 05-31..06-02; 10-01..10-08
2025 work: 01-26 02-08 04-27 09-28 10-11
2026 off:  01-01..01-03; 02-15..02-23; 04-04..04-06; 05-01..05-05; 06-19..06-21; 09-25..09-27; 10-01..10-07
2026 work: 01-04 02-14 02-28 05-09 09-20 10-10
";

/// The holiday each block / make-up day belongs to, in the order listed above.
fn expected_names(year: i16, kind: &str) -> &'static [&'static str] {
    match (year, kind) {
        (2024, "off") => &[
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "中秋节",
            "国庆节",
        ],
        (2024, "work") => &[
            "春节",
            "春节",
            "清明节",
            "劳动节",
            "劳动节",
            "中秋节",
            "国庆节",
            "国庆节",
        ],
        (2025, "off") => &["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节"],
        (2025, "work") => &["春节", "春节", "劳动节", "国庆节", "国庆节"],
        (2026, "off") => &[
            "元旦",
            "春节",
            "清明节",
            "劳动节",
            "端午节",
            "中秋节",
            "国庆节",
        ],
        (2026, "work") => &["元旦", "春节", "春节", "劳动节", "国庆节", "国庆节"],
        _ => panic!("no expectations for {year} {kind}"),
    }
}

struct Facts {
    /// (year, first, last) of each day-off block, in listed order.
    off: Vec<(i16, Date, Date)>,
    /// (year, date) of each make-up working day, in listed order.
    work: Vec<(i16, Date)>,
}

fn md(year: i16, s: &str) -> Date {
    let (m, d) = s.trim().split_once('-').expect("MM-DD");
    date(year, m.parse().unwrap(), d.parse().unwrap())
}

fn domain_facts() -> Facts {
    let mut facts = Facts {
        off: vec![],
        work: vec![],
    };
    for line in DOMAIN_FACTS.lines().filter(|l| !l.trim().is_empty()) {
        let (head, rest) = line.split_once(':').unwrap();
        let (year, kind) = head.split_once(' ').unwrap();
        let year: i16 = year.parse().unwrap();
        match kind {
            "off" => {
                for block in rest.split(';') {
                    let (from, to) = block.split_once("..").unwrap_or((block, block));
                    facts.off.push((year, md(year, from), md(year, to)));
                }
            }
            "work" => {
                for day in rest.split_whitespace() {
                    facts.work.push((year, md(year, day)));
                }
            }
            other => panic!("unexpected kind {other}"),
        }
    }
    facts
}

fn cal() -> &'static WorkingCalendar {
    WorkingCalendar::official()
}

fn sh(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
    shanghai_instant(date(y, m, d).at(h, min, 0, 0))
}

fn utc(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn days_in(from: Date, to: Date) -> impl Iterator<Item = Date> {
    let mut d = from;
    std::iter::from_fn(move || {
        if d > to {
            return None;
        }
        let out = d;
        d = d.tomorrow().unwrap();
        Some(out)
    })
}

// ---------------------------------------------------------------- calendar data

#[test]
fn embedded_official_data_loads_and_knows_2024_to_2026_only() {
    let cal = WorkingCalendar::from_sources(super::data::embedded_sources())
        .expect("shipped holiday files are valid");
    assert_eq!(cal.known_years(), vec![2024, 2025, 2026]);
    let official = WorkingCalendar::official();
    for year in [2024, 2025, 2026] {
        assert!(official.has_year(year), "{year}");
        assert!(!official.source(year).unwrap().is_empty(), "{year}");
    }
    assert!(!official.has_year(2027));
    assert!(!official.has_year(2023));
}

#[test]
fn every_holiday_block_from_the_state_council_notices_is_off_and_named() {
    let facts = domain_facts();
    for year in [2024, 2025, 2026] {
        let blocks: Vec<_> = facts.off.iter().filter(|b| b.0 == year).collect();
        let names = expected_names(year, "off");
        assert_eq!(blocks.len(), names.len(), "{year}");
        for (&&(_, from, to), name) in blocks.iter().zip(names) {
            for d in days_in(from, to) {
                let info = cal().day(d);
                assert!(!info.working, "{d} should be off");
                assert!(info.data_known, "{d}");
                match &info.reason {
                    DayReason::Holiday { name: got } => {
                        assert!(got.contains(name), "{d}: {got} should name {name}")
                    }
                    other => panic!("{d}: expected holiday {name}, got {other:?}"),
                }
            }
        }
    }
}

#[test]
fn every_make_up_day_from_the_state_council_notices_is_a_worked_weekend_day() {
    let facts = domain_facts();
    for year in [2024, 2025, 2026] {
        let days: Vec<_> = facts.work.iter().filter(|w| w.0 == year).collect();
        let names = expected_names(year, "work");
        assert_eq!(days.len(), names.len(), "{year}");
        for (&&(_, d), name) in days.iter().zip(names) {
            assert!(matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday));
            let info = cal().day(d);
            assert!(info.working, "{d} should be worked");
            assert!(cal().is_working_day(d));
            match &info.reason {
                DayReason::MakeUpWorkday { name: got } => {
                    assert!(got.contains(name), "{d}: {got} should name {name}")
                }
                other => panic!("{d}: expected make-up day for {name}, got {other:?}"),
            }
        }
    }
}

#[test]
fn no_day_in_2024_to_2026_deviates_from_the_notices() {
    let facts = domain_facts();
    let mut special: BTreeMap<Date, bool> = BTreeMap::new();
    for &(_, from, to) in &facts.off {
        for d in days_in(from, to) {
            special.insert(d, false);
        }
    }
    for &(_, d) in &facts.work {
        special.insert(d, true);
    }
    for d in days_in(date(2024, 1, 1), date(2026, 12, 31)) {
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        let expected = special.get(&d).copied().unwrap_or(!weekend);
        let info = cal().day(d);
        assert_eq!(info.working, expected, "{d}");
        assert_eq!(cal().is_working_day(d), expected, "{d}");
        assert!(info.data_known, "{d}");
        if !special.contains_key(&d) {
            let reason = if weekend {
                DayReason::Weekend
            } else {
                DayReason::Weekday
            };
            assert_eq!(info.reason, reason, "{d}");
        }
    }
}

#[test]
fn national_day_2025_runs_eight_days() {
    let off: Vec<_> = days_in(date(2025, 9, 30), date(2025, 10, 9))
        .filter(|d| !cal().is_working_day(*d))
        .collect();
    assert_eq!(off.len(), 8);
    assert_eq!(off[0], date(2025, 10, 1));
    assert_eq!(off[7], date(2025, 10, 8));
    assert!(cal().is_working_day(date(2025, 9, 28)));
    assert!(cal().is_working_day(date(2025, 10, 11)));
}

#[test]
fn mid_autumn_2025_falls_inside_national_day() {
    match cal().day(date(2025, 10, 6)).reason {
        DayReason::Holiday { name } => {
            assert!(name.contains("中秋节") && name.contains("国庆节"), "{name}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn spring_festival_2026_runs_nine_days_with_two_saturdays_worked() {
    let (working, unknown) = cal().working_days_in(date(2026, 2, 15), date(2026, 2, 24));
    assert_eq!((working, unknown), (0, false));
    assert!(cal().is_working_day(date(2026, 2, 14)));
    assert!(cal().is_working_day(date(2026, 2, 28)));
    assert!(cal().is_working_day(date(2026, 2, 24)));
}

#[test]
fn ordinary_weekdays_work_and_ordinary_weekends_rest() {
    let tue = cal().day(date(2026, 3, 3));
    assert_eq!(
        (tue.working, tue.reason, tue.data_known),
        (true, DayReason::Weekday, true)
    );
    let sat = cal().day(date(2026, 3, 7));
    assert_eq!((sat.working, sat.reason), (false, DayReason::Weekend));
    let sun = cal().day(date(2025, 10, 12));
    assert_eq!((sun.working, sun.reason), (false, DayReason::Weekend));
    let fri = cal().day(date(2024, 11, 15));
    assert_eq!((fri.working, fri.reason), (true, DayReason::Weekday));
}

#[test]
fn years_without_data_keep_the_statutory_holidays_and_say_so() {
    // 2027-01-01 is a Friday: 元旦 by the law, though the 2027 schedule is not published.
    let ny = cal().day(date(2027, 1, 1));
    assert_eq!(
        (ny.working, ny.reason.clone(), ny.data_known),
        (
            false,
            DayReason::Holiday {
                name: "元旦".into()
            },
            false
        )
    );
    assert_eq!(
        ny.reason_text(crate::text::Lang::Zh),
        "元旦假期, 法定假日已知，调休未公布"
    );
    // 2027-10-02 is a Saturday and a 国庆 day; 2027-02-08 (正月初三) a Monday off.
    for d in [date(2027, 10, 2), date(2027, 2, 8), date(2027, 2, 5)] {
        let info = cal().day(d);
        assert!(!info.working && !info.data_known, "{info:?}");
        assert!(matches!(info.reason, DayReason::Holiday { .. }), "{info:?}");
    }
    let sat = cal().day(date(2027, 1, 2));
    assert_eq!(
        (sat.working, sat.reason, sat.data_known),
        (false, DayReason::Weekend, false)
    );
    // 2023-10-02 was a holiday in reality; before the 2024 amendment nothing is assumed.
    let oct = cal().day(date(2023, 10, 2));
    assert_eq!(
        (oct.working, oct.reason, oct.data_known),
        (true, DayReason::Weekday, false)
    );
    let sun = cal().day(date(2023, 10, 8));
    assert_eq!((sun.working, sun.data_known), (false, false));

    // 2026-12-30 + 3 working days: 12-31, (01-01 元旦), 01-04, 01-05.
    let (d, unknown) = cal().nth_working_day_after(date(2026, 12, 30), 3);
    assert_eq!(d, date(2027, 1, 5));
    assert!(unknown);
    let december = cal().working_days_in(date(2026, 12, 1), date(2026, 12, 31));
    assert_eq!(december, (22, false));
    let into_2027 = cal().working_days_in(date(2026, 12, 1), date(2027, 1, 2));
    assert_eq!(into_2027, (23, true));
}

#[test]
fn day_info_serializes_with_a_kind_tag() {
    let json = serde_json::to_string(&cal().day(date(2026, 2, 14))).unwrap();
    assert_eq!(
        json,
        r#"{"date":"2026-02-14","working":true,"reason":{"kind":"make_up_workday","name":"春节"},"data_known":true}"#
    );
}

#[test]
fn nth_working_day_after_skips_mid_autumn_and_national_day_2026() {
    let (d, unknown) = cal().nth_working_day_after(date(2026, 9, 24), 5);
    assert_eq!(d, date(2026, 10, 9));
    assert!(!unknown);
    assert_eq!(
        cal().nth_working_day_after(date(2026, 9, 24), 6).0,
        date(2026, 10, 10)
    );
}

// ---------------------------------------------------------------- validation

const GOOD_2030: &str = r#"
year = 2030
source = "test"
[[off]]
name = "元旦"
from = 2030-01-01
to = "2030-01-01"
[[work]]
date = "2030-01-05"
name = "元旦"
"#;

fn load_err(file: &str, text: &str) -> String {
    WorkingCalendar::from_sources(&[(file, text)])
        .expect_err("should be rejected")
        .to_string()
}

#[test]
fn dates_may_be_toml_dates_or_strings() {
    let cal = WorkingCalendar::from_sources(&[("2030.toml", GOOD_2030)]).unwrap();
    assert_eq!(cal.known_years(), vec![2030]);
    assert!(!cal.is_working_day(date(2030, 1, 1)));
    assert!(cal.is_working_day(date(2030, 1, 5)));
}

#[test]
fn an_off_day_outside_the_files_year_is_rejected() {
    let text = GOOD_2030.replace("to = \"2030-01-01\"", "to = 2031-01-01");
    let msg = load_err("2030.toml", &text);
    assert!(
        msg.contains("2030.toml") && msg.contains("outside year 2030"),
        "{msg}"
    );
}

#[test]
fn a_reversed_range_is_rejected() {
    let text = GOOD_2030
        .replace("from = 2030-01-01", "from = 2030-01-03")
        .replace("to = \"2030-01-01\"", "to = 2030-01-02");
    let msg = load_err("2030.toml", &text);
    assert!(msg.contains("2030.toml") && msg.contains("after"), "{msg}");
}

#[test]
fn a_make_up_day_on_a_weekday_is_rejected() {
    let text = GOOD_2030.replace("2030-01-05", "2030-01-07");
    let msg = load_err("2030.toml", &text);
    assert!(
        msg.contains("2030.toml") && msg.contains("not a Saturday or Sunday"),
        "{msg}"
    );
}

#[test]
fn a_day_both_off_and_worked_is_rejected() {
    let text = GOOD_2030.replace("to = \"2030-01-01\"", "to = 2030-01-06");
    let msg = load_err("2030.toml", &text);
    assert!(msg.contains("both a working day and a day off"), "{msg}");
}

#[test]
fn broken_toml_names_the_file() {
    let msg = load_err("2030.toml", "year = 2030\n[[off]\n");
    assert!(msg.contains("2030.toml") && msg.contains("TOML"), "{msg}");
}

#[test]
fn a_file_named_for_another_year_is_rejected() {
    let msg = load_err("2031.toml", GOOD_2030);
    assert!(
        msg.contains("2031.toml") && msg.contains("year = 2030"),
        "{msg}"
    );
}

#[test]
fn two_files_for_one_year_are_rejected() {
    let err = WorkingCalendar::from_sources(&[("2030.toml", GOOD_2030), ("extra.toml", GOOD_2030)])
        .unwrap_err();
    assert!(
        matches!(err, CalendarError::DuplicateYear { year: 2030, .. }),
        "{err}"
    );
}

#[test]
fn unknown_keys_and_missing_fields_are_rejected() {
    let msg = load_err("2030.toml", &GOOD_2030.replace("to = ", "until = "));
    assert!(msg.contains("unknown key `until`"), "{msg}");
    let msg = load_err("2030.toml", "source = \"x\"\n");
    assert!(msg.contains("missing `year`"), "{msg}");
    let msg = load_err("2030.toml", &GOOD_2030.replace("2030-01-05", "2030-13-05"));
    assert!(msg.contains("not a date"), "{msg}");
}

// ---------------------------------------------------------------- time zone

#[test]
fn shanghai_conversions_use_utc_plus_eight() {
    assert_eq!(shanghai().iana_name(), Some("Asia/Shanghai"));
    let ts = utc("2026-03-02T16:30:00Z");
    assert_eq!(shanghai_date(ts), date(2026, 3, 3));
    assert_eq!(shanghai_datetime(ts), date(2026, 3, 3).at(0, 30, 0, 0));
    assert_eq!(shanghai_instant(date(2026, 3, 3).at(0, 30, 0, 0)), ts);
}

// ---------------------------------------------------------------- deadlines

#[test]
fn five_working_days_from_24_september_2026_fall_due_at_the_end_of_9_october() {
    // 09-25..27 中秋 off; 09-28 (1), 09-29 (2), 09-30 (3); 10-01..07 国庆 off;
    // 10-08 (4), 10-09 (5) -> due 24:00 on 10-09 = 10-10 00:00 Shanghai.
    let accepted = sh(2026, 9, 24, 10, 0);
    let (due, unknown) = due_instant(cal(), accepted, 5, DayCount::Working, &[]);
    assert_eq!(due, Some(sh(2026, 10, 10, 0, 0)));
    assert_eq!(due, Some(utc("2026-10-09T16:00:00Z")));
    assert!(!unknown);
}

#[test]
fn ten_working_days_over_national_day_2026_include_the_worked_saturday() {
    // Accepted Tue 09-29. 09-30 (1); 10-01..07 off; 10-08 (2), 10-09 (3),
    // Sat 10-10 worked (4); Sun 10-11 off; 10-12..10-16 (5..9); 10-19 (10).
    let accepted = sh(2026, 9, 29, 15, 0);
    let (due, unknown) = due_instant(cal(), accepted, 10, DayCount::Working, &[]);
    assert_eq!(due, Some(sh(2026, 10, 20, 0, 0)));
    assert!(!unknown);
}

#[test]
fn a_ten_calendar_day_limit_ignores_holidays() {
    // 自然日: 09-30 .. 10-09 are the ten days.
    let accepted = sh(2026, 9, 29, 15, 0);
    let (due, _) = due_instant(cal(), accepted, 10, DayCount::Calendar, &[]);
    assert_eq!(due, Some(sh(2026, 10, 10, 0, 0)));
}

#[test]
fn a_pause_over_two_working_days_shifts_the_due_by_two_working_days() {
    // Accepted Mon 2026-03-02: 03-03..06 (1..4), 03-09 (5) -> due 03-10 00:00.
    let accepted = sh(2026, 3, 2, 9, 0);
    let plain = due_instant(cal(), accepted, 5, DayCount::Working, &[]).0;
    assert_eq!(plain, Some(sh(2026, 3, 10, 0, 0)));

    let whole_days = ClockPause {
        start: sh(2026, 3, 4, 0, 0),
        end: Some(sh(2026, 3, 6, 0, 0)),
    };
    let due = due_instant(cal(), accepted, 5, DayCount::Working, &[whole_days]).0;
    assert_eq!(due, Some(sh(2026, 3, 12, 0, 0)));

    // 48 counted hours starting mid-day shift it just the same.
    let mid_day = ClockPause {
        start: sh(2026, 3, 3, 12, 0),
        end: Some(sh(2026, 3, 5, 12, 0)),
    };
    let due = due_instant(cal(), accepted, 5, DayCount::Working, &[mid_day]).0;
    assert_eq!(due, Some(sh(2026, 3, 12, 0, 0)));

    // A pause over a weekend covers no counted time.
    let weekend = ClockPause {
        start: sh(2026, 3, 7, 0, 0),
        end: Some(sh(2026, 3, 9, 0, 0)),
    };
    let due = due_instant(cal(), accepted, 5, DayCount::Working, &[weekend]).0;
    assert_eq!(due, plain);
}

#[test]
fn overlapping_unsorted_pauses_count_once_and_time_before_counting_is_ignored() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let pauses = [
        ClockPause {
            start: sh(2026, 3, 5, 0, 0),
            end: Some(sh(2026, 3, 6, 0, 0)),
        },
        ClockPause {
            start: sh(2026, 3, 4, 0, 0),
            end: Some(sh(2026, 3, 5, 12, 0)),
        },
        // Before counting starts (acceptance day): no effect.
        ClockPause {
            start: sh(2026, 3, 2, 9, 0),
            end: Some(sh(2026, 3, 3, 0, 0)),
        },
    ];
    let due = due_instant(cal(), accepted, 5, DayCount::Working, &pauses).0;
    assert_eq!(due, Some(sh(2026, 3, 12, 0, 0)));
}

#[test]
fn an_open_pause_stops_the_clock_and_hides_the_due() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let pause = ClockPause {
        start: sh(2026, 3, 4, 12, 0),
        end: None,
    };
    let now = sh(2026, 3, 5, 10, 0);
    let c = countdown(cal(), accepted, 5, DayCount::Working, &[pause], now);
    assert_eq!(c.due, None);
    assert!(c.paused);
    assert!(!c.overdue);
    // 1.5 counted days elapsed (03-03 and half of 03-04) before the pause.
    assert_eq!(c.remaining_secs, 3 * 86_400 + 12 * 3_600);
    assert_eq!(c.days_hours(), (3, 12));
    assert!((c.fraction_left - 0.7).abs() < 1e-12);
    // Frozen: the same a week later.
    let later = countdown(
        cal(),
        accepted,
        5,
        DayCount::Working,
        &[pause],
        sh(2026, 3, 12, 10, 0),
    );
    assert_eq!(later.remaining_secs, c.remaining_secs);
    assert_eq!(
        due_instant(cal(), accepted, 5, DayCount::Working, &[pause]),
        (None, false)
    );
}

#[test]
fn a_pause_opened_after_the_due_leaves_the_due_known() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let pause = ClockPause {
        start: sh(2026, 3, 11, 0, 0),
        end: None,
    };
    let c = countdown(
        cal(),
        accepted,
        5,
        DayCount::Working,
        &[pause],
        sh(2026, 3, 11, 2, 0),
    );
    assert_eq!(c.due, Some(sh(2026, 3, 10, 0, 0)));
    assert!(c.paused && c.overdue);
    assert_eq!(c.remaining_secs, -26 * 3_600);
}

#[test]
fn countdown_runs_down_only_on_working_days_and_goes_negative_when_overdue() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let at = |now| countdown(cal(), accepted, 5, DayCount::Working, &[], now);

    let start = at(accepted);
    assert_eq!(start.remaining_secs, 5 * 86_400);
    assert_eq!(start.fraction_left, 1.0);
    assert_eq!(start.due, Some(sh(2026, 3, 10, 0, 0)));
    assert!(!start.paused && !start.overdue && !start.uses_unknown_calendar);

    // Acceptance day is not counted.
    assert_eq!(at(sh(2026, 3, 2, 23, 0)).remaining_secs, 5 * 86_400);
    let wed = at(sh(2026, 3, 4, 6, 0));
    assert_eq!(wed.days_hours(), (3, 18));
    // The weekend does not count.
    assert_eq!(at(sh(2026, 3, 7, 12, 0)).remaining_secs, 86_400);
    assert_eq!(at(sh(2026, 3, 8, 23, 0)).remaining_secs, 86_400);

    let late = at(sh(2026, 3, 10, 2, 30));
    assert!(late.overdue);
    assert_eq!(late.remaining_secs, -(2 * 3_600 + 30 * 60));
    assert_eq!(late.days_hours(), (0, 2));
    assert_eq!(late.fraction_left, 0.0);
}

#[test]
fn deadlines_are_the_same_whatever_the_process_time_zone() {
    // The same instant given in UTC and in Shanghai civil time.
    let from_utc = utc("2026-09-24T02:00:00Z");
    assert_eq!(from_utc, sh(2026, 9, 24, 10, 0));
    let c = countdown(cal(), from_utc, 5, DayCount::Working, &[], from_utc);
    assert_eq!(c.due, Some(utc("2026-10-09T16:00:00Z")));

    // 16:30 UTC on 03-02 is already 03-03 in Shanghai: that is the acceptance day.
    let late_utc = utc("2026-03-02T16:30:00Z");
    let (due, _) = due_instant(cal(), late_utc, 5, DayCount::Working, &[]);
    assert_eq!(due, Some(utc("2026-03-10T16:00:00Z")));
    assert_eq!(due, Some(sh(2026, 3, 11, 0, 0)));
}

#[test]
fn deadlines_reaching_an_unpublished_year_are_flagged() {
    let accepted = sh(2026, 12, 28, 9, 0);
    let (due, unknown) = due_instant(cal(), accepted, 10, DayCount::Working, &[]);
    assert!(due.is_some());
    assert!(unknown);
    let c = countdown(cal(), accepted, 10, DayCount::Working, &[], accepted);
    assert!(c.uses_unknown_calendar);
    // A calendar-day limit does not depend on the holiday data.
    let (_, unknown) = due_instant(cal(), accepted, 10, DayCount::Calendar, &[]);
    assert!(!unknown);
}

#[test]
fn a_zero_day_limit_falls_due_when_counting_starts() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let (due, _) = due_instant(cal(), accepted, 0, DayCount::Working, &[]);
    assert_eq!(due, Some(sh(2026, 3, 3, 0, 0)));
}

#[test]
fn an_absurd_limit_gives_up_instead_of_looping() {
    let accepted = sh(2026, 3, 2, 9, 0);
    let (due, unknown) = due_instant(cal(), accepted, u32::MAX, DayCount::Working, &[]);
    assert_eq!((due, unknown), (None, true));
    let (d, unknown) = cal().nth_working_day_after(date(9999, 12, 20), 100);
    assert_eq!(d, date(9999, 12, 31));
    assert!(unknown);
}

#[test]
fn countdown_serializes_day_count_in_snake_case() {
    let json = serde_json::to_value(DayCount::Working).unwrap();
    assert_eq!(json, "working");
    let back: DayCount = serde_json::from_str("\"calendar\"").unwrap();
    assert_eq!(back, DayCount::Calendar);
}

// ---------------------------------------------------------------- properties

/// Dates from mid-2023 to mid-2027: both known and unknown years.
fn any_date() -> impl Strategy<Value = Date> {
    (0i64..1500).prop_map(|n| date(2023, 7, 1).checked_add(n.days()).unwrap())
}

fn any_instant() -> impl Strategy<Value = Timestamp> {
    (0i64..1400 * 86_400).prop_map(|s| sh(2023, 7, 1, 0, 0).checked_add(s.seconds()).unwrap())
}

fn any_pause() -> impl Strategy<Value = ClockPause> {
    (
        any_instant(),
        proptest::option::weighted(0.8, 0i64..20 * 86_400),
    )
        .prop_map(|(start, len)| ClockPause {
            start,
            end: len.map(|l| start.checked_add(l.seconds()).unwrap()),
        })
}

/// `None` (unknown because stopped) sorts after every instant.
fn due_key(due: Option<Timestamp>) -> (bool, Option<Timestamp>) {
    (due.is_none(), due)
}

proptest! {
    #[test]
    fn nth_working_day_after_is_a_working_day_strictly_after(d in any_date(), n in 1u32..40) {
        let (nth, _) = cal().nth_working_day_after(d, n);
        prop_assert!(nth > d);
        prop_assert!(cal().is_working_day(nth));
    }

    #[test]
    fn the_range_up_to_the_nth_working_day_holds_n_working_days(d in any_date(), n in 1u32..40) {
        let (nth, unknown_nth) = cal().nth_working_day_after(d, n);
        let (count, unknown_range) =
            cal().working_days_in(d.tomorrow().unwrap(), nth.tomorrow().unwrap());
        prop_assert_eq!(count, i64::from(n));
        prop_assert_eq!(unknown_nth, unknown_range);
    }

    #[test]
    fn without_pauses_a_working_day_deadline_ends_with_the_nth_working_day(
        accepted in any_instant(), n in 1u32..40,
    ) {
        let (due, _) = due_instant(cal(), accepted, n, DayCount::Working, &[]);
        let (nth, _) = cal().nth_working_day_after(shanghai_date(accepted), n);
        prop_assert_eq!(due, Some(sh(nth.year(), nth.month(), nth.day(), 0, 0) + 86_400.seconds()));
    }

    #[test]
    fn a_calendar_day_deadline_is_whole_days_after_counting_starts(
        accepted in any_instant(), n in 0u32..60,
    ) {
        let (due, unknown) = due_instant(cal(), accepted, n, DayCount::Calendar, &[]);
        let d = shanghai_date(accepted).checked_add((i64::from(n) + 1).days()).unwrap();
        prop_assert_eq!(due, Some(sh(d.year(), d.month(), d.day(), 0, 0)));
        prop_assert!(!unknown);
    }

    #[test]
    fn due_is_monotone_in_the_limit(
        accepted in any_instant(), a in 0u32..60, b in 0u32..60,
        working in any::<bool>(), pauses in proptest::collection::vec(any_pause(), 0..3),
    ) {
        let count = if working { DayCount::Working } else { DayCount::Calendar };
        let (lo, hi) = (a.min(b), a.max(b));
        let due_lo = due_instant(cal(), accepted, lo, count, &pauses).0;
        let due_hi = due_instant(cal(), accepted, hi, count, &pauses).0;
        prop_assert!(due_key(due_lo) <= due_key(due_hi));
    }

    #[test]
    fn adding_a_pause_never_moves_the_due_earlier(
        accepted in any_instant(), limit in 0u32..60, working in any::<bool>(),
        pauses in proptest::collection::vec(any_pause(), 0..3), extra in any_pause(),
    ) {
        let count = if working { DayCount::Working } else { DayCount::Calendar };
        let before = due_instant(cal(), accepted, limit, count, &pauses).0;
        let mut more = pauses.clone();
        more.push(extra);
        let after = due_instant(cal(), accepted, limit, count, &more).0;
        prop_assert!(due_key(before) <= due_key(after));
    }

    #[test]
    fn at_acceptance_the_whole_limit_remains(
        accepted in any_instant(), limit in 0u32..60, working in any::<bool>(),
    ) {
        let count = if working { DayCount::Working } else { DayCount::Calendar };
        let c = countdown(cal(), accepted, limit, count, &[], accepted);
        prop_assert_eq!(c.remaining_secs, i64::from(limit) * 86_400);
        prop_assert!(!c.overdue);
    }

    #[test]
    fn remaining_time_never_increases_as_now_advances(
        accepted in any_instant(), limit in 0u32..60, working in any::<bool>(),
        pauses in proptest::collection::vec(any_pause(), 0..3),
        a in 0i64..90 * 86_400, b in 0i64..90 * 86_400,
    ) {
        let count = if working { DayCount::Working } else { DayCount::Calendar };
        let t1 = accepted + a.min(b).seconds();
        let t2 = accepted + a.max(b).seconds();
        let c1 = countdown(cal(), accepted, limit, count, &pauses, t1);
        let c2 = countdown(cal(), accepted, limit, count, &pauses, t2);
        prop_assert!(c1.remaining_secs >= c2.remaining_secs, "{:?} then {:?}", c1, c2);
        prop_assert!(c1.fraction_left >= c2.fraction_left);
        prop_assert!(!c1.overdue || c2.overdue);
        prop_assert_eq!(c1.due, c2.due);
    }
}
