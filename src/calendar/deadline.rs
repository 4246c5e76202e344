//! Deadline countdowns under the model described in the module docs.

use jiff::Timestamp;

use super::{
    data::{MAX_WALK_DAYS, WorkingCalendar},
    shanghai_date, start_of_day,
};

const NANOS_PER_SEC: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SEC;
/// Stands for "never" (the end of an open pause, an unbounded target).
const FOREVER: i128 = i128::MAX;

/// How the days of a time limit are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// 工作日: only working days count (行政许可法 第82条).
    Working,
    /// 自然日: every day counts.
    Calendar,
}

/// A period during which the clock is stopped (补正, testing, quarantine,
/// expert review). `end = None` means the clock is still stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockPause {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
}

/// The state of a time limit at some instant.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Countdown {
    pub limit_days: u32,
    pub count: DayCount,
    /// `None` while the clock is stopped by an open pause (the due instant is
    /// then unknown), unless the limit was already reached before that pause
    /// began.
    pub due: Option<Timestamp>,
    /// A pause covers `now`.
    pub paused: bool,
    /// Counted time left at `now`, in seconds; negative when overdue
    /// (−wall-clock seconds since due).
    pub remaining_secs: i64,
    pub overdue: bool,
    /// Remaining counted time / total counted time, clamped to `[0, 1]`.
    pub fraction_left: f64,
    /// Some day examined lies in a year without holiday data (working-day
    /// limits only; calendar-day limits do not depend on the calendar).
    pub uses_unknown_calendar: bool,
}

// `fraction_left` is always a finite number in [0, 1] (never NaN), so
// equality is reflexive.
impl Eq for Countdown {}

impl Countdown {
    /// `(whole days, hours)` of `|remaining_secs|`, for "3 个工作日 5 小时".
    pub fn days_hours(&self) -> (i64, i64) {
        let secs = self.remaining_secs.unsigned_abs();
        let days = secs / 86_400;
        let hours = (secs % 86_400) / 3_600;
        (
            i64::try_from(days).unwrap_or(i64::MAX),
            i64::try_from(hours).unwrap_or(0),
        )
    }
}

/// The state of a time limit at `now`.
///
/// - The day of acceptance is not counted. Counting starts at 00:00
///   Asia/Shanghai of the next day.
/// - With [`DayCount::Working`] only time on working days counts (each working
///   day = 24 counted hours); with [`DayCount::Calendar`] every day counts.
/// - Time inside a clock pause (补正, testing, quarantine, expert review) is not
///   counted. Pauses may overlap or be unsorted; the part of a pause before
///   counting starts is ignored.
/// - The deadline falls due at the instant the counted time reaches
///   `limit_days × 24 h`, i.e. without pauses at 24:00 (= 00:00 of the
///   following day) Shanghai time at the end of the `limit_days`-th counted
///   day. A pause shifts it by exactly the counted time the pause covered.
/// - `remaining_secs` at `now` = limit counted time − counted time elapsed up
///   to now; when `now` is at or past the due instant it is −(wall-clock
///   seconds since due) and `overdue = true`.
pub fn countdown(
    cal: &WorkingCalendar,
    accepted_at: Timestamp,
    limit_days: u32,
    count: DayCount,
    pauses: &[ClockPause],
    now: Timestamp,
) -> Countdown {
    let clock = Clock::new(cal, accepted_at, count, pauses);
    let limit = i128::from(limit_days) * NANOS_PER_DAY;
    let now_ns = now.as_nanosecond();

    let due_walk = clock.walk(limit, FOREVER);
    let mut uses_unknown = due_walk.unknown || due_walk.stop == Stop::Capped;
    let due = match due_walk.stop {
        Stop::Reached(t) => Some(t),
        _ => None,
    };

    let paused = pauses.iter().any(|p| {
        let start = p.start.as_nanosecond();
        let end = p.end.map_or(FOREVER, Timestamp::as_nanosecond);
        start <= now_ns && now_ns < end
    });

    let (remaining_secs, overdue, fraction_left) = match due {
        Some(due) if now_ns >= due => {
            let late = (now_ns - due) / NANOS_PER_SEC;
            (-clamp_i64(late), true, 0.0)
        }
        _ => {
            let elapsed = clock.walk(FOREVER, now_ns);
            uses_unknown |= elapsed.unknown;
            let left = (limit - elapsed.consumed).max(0);
            let fraction = if limit > 0 {
                (left as f64 / limit as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (clamp_i64(left / NANOS_PER_SEC), false, fraction)
        }
    };

    Countdown {
        limit_days,
        count,
        due: due.map(to_timestamp),
        paused,
        remaining_secs,
        overdue,
        fraction_left,
        uses_unknown_calendar: uses_unknown,
    }
}

/// The due instant ignoring `now`: `None` if an open pause stops the clock
/// before the limit is reached (or the search gave up after
/// ten years of days). The flag says whether a day examined lies in a year
/// without holiday data.
pub fn due_instant(
    cal: &WorkingCalendar,
    accepted_at: Timestamp,
    limit_days: u32,
    count: DayCount,
    pauses: &[ClockPause],
) -> (Option<Timestamp>, bool) {
    let clock = Clock::new(cal, accepted_at, count, pauses);
    let walk = clock.walk(i128::from(limit_days) * NANOS_PER_DAY, FOREVER);
    match walk.stop {
        Stop::Reached(t) => (Some(to_timestamp(t)), walk.unknown),
        Stop::Capped => (None, true),
        Stop::Blocked | Stop::Until => (None, walk.unknown),
    }
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

fn to_timestamp(ns: i128) -> Timestamp {
    Timestamp::from_nanosecond(ns).unwrap_or(Timestamp::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The target counted time was reached at this instant.
    Reached(i128),
    /// The `until` instant was reached first.
    Until,
    /// An open pause stops the clock for good.
    Blocked,
    /// Gave up (too many days, or past the representable dates).
    Capped,
}

struct Walk {
    stop: Stop,
    consumed: i128,
    unknown: bool,
}

/// A running clock: counting start, merged pauses (nanoseconds, half-open,
/// `FOREVER` for an open end) and the counting rule.
struct Clock<'a> {
    cal: &'a WorkingCalendar,
    count: DayCount,
    start: i128,
    pauses: Vec<(i128, i128)>,
}

impl<'a> Clock<'a> {
    fn new(
        cal: &'a WorkingCalendar,
        accepted_at: Timestamp,
        count: DayCount,
        pauses: &[ClockPause],
    ) -> Self {
        let start = shanghai_date(accepted_at)
            .tomorrow()
            .map_or(FOREVER, |d| start_of_day(d).as_nanosecond());
        Clock {
            cal,
            count,
            start,
            pauses: merge_pauses(pauses, start),
        }
    }

    /// Runs the clock from counting start until `target` counted nanoseconds
    /// have elapsed or the wall clock reaches `until`, whichever comes first.
    fn walk(&self, target: i128, until: i128) -> Walk {
        let mut t = self.start;
        let mut consumed: i128 = 0;
        let mut unknown = false;
        let mut next_pause = 0usize;
        let mut steps: usize = 0;
        let max_steps = MAX_WALK_DAYS as usize + 2 * self.pauses.len() + 2;
        let done = |stop, consumed, unknown| Walk {
            stop,
            consumed,
            unknown,
        };

        loop {
            if consumed >= target {
                return done(Stop::Reached(t), consumed, unknown);
            }
            if t >= until {
                return done(Stop::Until, consumed, unknown);
            }
            if t == FOREVER {
                return done(Stop::Capped, consumed, unknown);
            }
            steps += 1;
            if steps > max_steps {
                return done(Stop::Capped, consumed, unknown);
            }

            while next_pause < self.pauses.len() && self.pauses[next_pause].1 <= t {
                next_pause += 1;
            }
            if let Some(&(p_start, p_end)) = self.pauses.get(next_pause)
                && p_start <= t
            {
                if p_end == FOREVER {
                    return done(Stop::Blocked, consumed, unknown);
                }
                t = p_end;
                continue;
            }

            let day = shanghai_date(to_timestamp(t));
            let Ok(next_day) = day.tomorrow() else {
                return done(Stop::Capped, consumed, unknown);
            };
            let day_end = start_of_day(next_day).as_nanosecond();
            let counted = match self.count {
                DayCount::Calendar => true,
                DayCount::Working => {
                    unknown |= !self.cal.has_year(day.year());
                    self.cal.is_working_day(day)
                }
            };
            if !counted {
                t = day_end;
                continue;
            }

            let mut seg_end = day_end.min(until);
            if let Some(&(p_start, _)) = self.pauses.get(next_pause) {
                seg_end = seg_end.min(p_start);
            }
            let need = target - consumed;
            let avail = seg_end - t;
            if avail >= need {
                return done(Stop::Reached(t + need), target, unknown);
            }
            consumed += avail;
            t = seg_end;
        }
    }
}

/// Sorts and merges pauses, dropping empty ones and the part of each before
/// `from` (counting start). Open pauses extend to `FOREVER`.
fn merge_pauses(pauses: &[ClockPause], from: i128) -> Vec<(i128, i128)> {
    let mut spans: Vec<(i128, i128)> = pauses
        .iter()
        .map(|p| {
            (
                p.start.as_nanosecond().max(from),
                p.end.map_or(FOREVER, Timestamp::as_nanosecond),
            )
        })
        .filter(|(s, e)| s < e)
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i128, i128)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}
