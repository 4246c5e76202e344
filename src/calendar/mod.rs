//! Official working-day calendar and deadline countdowns, in Asia/Shanghai time.
//!
//! # Working days
//!
//! A day is a working day if it is Monday–Friday and not a statutory holiday,
//! or an adjusted working day (调休上班: a Saturday or Sunday that is worked).
//! The State Council schedule for each year lives in `data/holidays/<year>.toml`
//! and is embedded at build time; adding a year is adding a file.
//!
//! A year without a file is never guessed beyond the law: from 2025 on, the
//! statutory days off of the 全国年节及纪念日放假办法 (as amended in 2024) are
//! known (元旦, 春节 除夕–初三, 清明, 劳动节 1–2 May, 端午, 中秋, 国庆 1–3 Oct;
//! the lunar ones from the Chinese calendar), weekends are off, and no 调休
//! working weekend is assumed. Such days are reported with
//! [`DayInfo::data_known`] `= false` (or [`Countdown::uses_unknown_calendar`]
//! `= true`), so callers can flag them ("法定假日已知，调休未公布").
//!
//! # Deadline model
//!
//! - The day of acceptance is not counted. Counting starts at 00:00
//!   Asia/Shanghai of the next day.
//! - With [`DayCount::Working`] only time on working days counts (each working
//!   day = 24 counted hours); with [`DayCount::Calendar`] every day counts.
//! - Time inside a clock pause (补正, testing, quarantine, expert review) is not
//!   counted.
//! - The deadline falls due at the instant the counted time reaches
//!   `limit_days × 24 h`, i.e. without pauses at 24:00 (= 00:00 of the following
//!   day) Shanghai time at the end of the `limit_days`-th counted day. A pause
//!   shifts it by exactly the counted time the pause covered.
//! - `remaining_secs` at `now` = limit counted time − counted time elapsed up to
//!   now; when now is at or past the due instant it is −(wall-clock seconds since
//!   due) and `overdue = true`.
//!
//! Every conversion uses Asia/Shanghai from the bundled tz database, never the
//! machine's time zone.

mod data;
mod day_words;
mod deadline;
mod parse;
mod statutory;
#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use jiff::{
    Timestamp,
    civil::{Date, DateTime},
    tz::{TimeZone, TimeZoneDatabase},
};

pub use data::{CalendarError, DayInfo, DayReason, WorkingCalendar, unknown_year_flag};
pub use day_words::{day_words, parse_day};
pub use deadline::{ClockPause, Countdown, DayCount, countdown, due_instant};
pub use parse::{YEARS, check_year, parse_duration, parse_instant};
pub use statutory::statutory_days_off;

/// Where "now" comes from: frozen for tests and demos (`--now`, AEO_NOW), else the system.
/// The console, the CLI and the store's audit trail all read this one clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    Frozen(Timestamp),
    #[default]
    System,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::Frozen(t) => *t,
            Clock::System => Timestamp::now(),
        }
    }

    pub fn is_frozen(&self) -> bool {
        matches!(self, Clock::Frozen(_))
    }
}

/// A fingerprint of the embedded holiday data (FNV-1a over every file), so that values computed
/// with one calendar can tell when another is in force.
pub fn data_signature() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in data::embedded_sources() {
        for b in name.bytes().chain(text.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The IANA name of the zone every deadline is expressed in.
pub const SHANGHAI_TZ_NAME: &str = "Asia/Shanghai";

/// Asia/Shanghai from the bundled tz database (never the machine's TZ).
///
/// Should the bundled entry ever be missing, this falls back to the fixed
/// offset UTC+8, which is what Asia/Shanghai has been since 1991.
pub fn shanghai() -> TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZoneDatabase::bundled()
            .get(SHANGHAI_TZ_NAME)
            .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
    })
    .clone()
}

/// The Shanghai civil date of an instant.
pub fn shanghai_date(ts: Timestamp) -> Date {
    shanghai_datetime(ts).date()
}

/// The Shanghai civil date and time of an instant.
pub fn shanghai_datetime(ts: Timestamp) -> DateTime {
    shanghai().to_datetime(ts)
}

/// The instant of a Shanghai civil date and time.
///
/// Gaps and folds (only possible for the 1986–1991 daylight-saving years) are
/// resolved the "compatible" way. Civil times beyond the representable range
/// saturate to [`Timestamp::MIN`] / [`Timestamp::MAX`].
pub fn shanghai_instant(dt: DateTime) -> Timestamp {
    shanghai()
        .to_ambiguous_timestamp(dt)
        .compatible()
        .unwrap_or(if dt.date().year() < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// The instant at which a Shanghai civil day begins (00:00).
pub(crate) fn start_of_day(date: Date) -> Timestamp {
    shanghai_instant(date.to_datetime(jiff::civil::Time::midnight()))
}
