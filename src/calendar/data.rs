//! The per-year holiday data: loading, validation and day lookup.

use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

use crate::text::Lang;
use jiff::civil::{Date, Weekday};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/holidays.rs"));
}

/// Why a day is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DayReason {
    /// Monday–Friday, no holiday.
    Weekday,
    /// Saturday or Sunday, not an adjusted working day.
    Weekend,
    /// A day off of the named holiday (may fall on a weekend).
    Holiday { name: String },
    /// A Saturday/Sunday worked in exchange for the named holiday (调休上班).
    MakeUpWorkday { name: String },
}

/// One day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayInfo {
    pub date: Date,
    pub working: bool,
    pub reason: DayReason,
    /// `false` when the day's year has no holiday file: then `reason` is
    /// `Weekday`/`Weekend` (weekend-only fallback) and callers should flag it.
    pub data_known: bool,
}

impl DayInfo {
    /// Why the day is (not) a working day, in words; a year without holiday data says so.
    pub fn reason_text(&self, lang: Lang) -> String {
        let base = self.reason.text(lang);
        if self.data_known {
            base
        } else {
            format!("{base}, {}", unknown_year_flag(lang))
        }
    }
}

impl DayReason {
    /// Why a day is worked or off, as every output says it: "国庆节假期", "make-up working day
    /// (国庆节)".
    pub fn text(&self, lang: Lang) -> String {
        match self {
            DayReason::Weekday => lang.pick("工作日", "working day").to_string(),
            DayReason::Weekend => lang.pick("周末", "weekend").to_string(),
            DayReason::Holiday { name } => lang
                .pick(&format!("{name}假期"), &format!("{name} holiday"))
                .to_string(),
            DayReason::MakeUpWorkday { name } => lang
                .pick(
                    &format!("{name}调休上班"),
                    &format!("make-up working day ({name})"),
                )
                .to_string(),
        }
    }
}

/// What every output says of a day in a year without a published schedule.
pub fn unknown_year_flag(lang: Lang) -> &'static str {
    lang.pick(
        "法定假日已知，调休未公布",
        "statutory holidays known, make-up days not published",
    )
}

/// A holiday file (or the set of files) is unusable.
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    #[error("holiday file {file}: not valid TOML: {message}")]
    Parse { file: String, message: String },
    #[error("holiday file {file}: {problem}")]
    Invalid { file: String, problem: String },
    #[error("holiday files {first} and {second} both describe year {year}")]
    DuplicateYear {
        year: i16,
        first: String,
        second: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    Off(String),
    Work(String),
}

#[derive(Debug, Clone)]
struct YearData {
    file: String,
    source: String,
}

/// The official working-day calendar: year → holiday data.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    years: BTreeMap<i16, YearData>,
    days: HashMap<Date, Special>,
}

/// The `(file name, TOML text)` pairs embedded from `data/holidays/`.
pub(crate) fn embedded_sources() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// Longest walk (in days) any search makes before giving up.
pub(crate) const MAX_WALK_DAYS: u32 = 3660;

impl WorkingCalendar {
    /// The calendar built from the holiday files embedded at build time.
    ///
    /// # Panics
    ///
    /// Only if the shipped data is invalid, which a unit test rules out.
    pub fn official() -> &'static WorkingCalendar {
        static OFFICIAL: OnceLock<WorkingCalendar> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            WorkingCalendar::from_sources(embedded_sources())
                .unwrap_or_else(|e| panic!("embedded holiday data is invalid: {e}"))
        })
    }

    /// Builds a calendar from `(file name, TOML text)` pairs.
    pub fn from_sources(files: &[(&str, &str)]) -> Result<WorkingCalendar, CalendarError> {
        let mut cal = WorkingCalendar::default();
        for (file, text) in files {
            let parsed = parse_file(file, text)?;
            if let Some(prev) = cal.years.get(&parsed.year) {
                return Err(CalendarError::DuplicateYear {
                    year: parsed.year,
                    first: prev.file.clone(),
                    second: (*file).to_owned(),
                });
            }
            cal.years.insert(
                parsed.year,
                YearData {
                    file: (*file).to_owned(),
                    source: parsed.source,
                },
            );
            // Days are confined to the file's own year, so files cannot collide.
            cal.days.extend(parsed.days);
        }
        Ok(cal)
    }

    /// The statutory holiday a day of a year without a schedule falls on, by the law alone.
    fn statutory_holiday(&self, date: Date) -> Option<&'static str> {
        if self.has_year(date.year()) {
            return None;
        }
        super::statutory::statutory_days_off(date.year())
            .get(&date)
            .copied()
    }

    /// Everything known about one day.
    pub fn day(&self, date: Date) -> DayInfo {
        let weekend = is_weekend(date);
        let data_known = self.has_year(date.year());
        let (working, reason) = match self.days.get(&date) {
            Some(Special::Off(name)) => (false, DayReason::Holiday { name: name.clone() }),
            Some(Special::Work(name)) => (true, DayReason::MakeUpWorkday { name: name.clone() }),
            None => match self.statutory_holiday(date) {
                Some(name) => (
                    false,
                    DayReason::Holiday {
                        name: name.to_string(),
                    },
                ),
                None if weekend => (false, DayReason::Weekend),
                None => (true, DayReason::Weekday),
            },
        };
        DayInfo {
            date,
            working,
            reason,
            data_known,
        }
    }

    /// Whether `date` is a working day. In a year without a schedule: the statutory holidays of
    /// the law are off, weekends are off, and no 调休 working weekend is assumed.
    pub fn is_working_day(&self, date: Date) -> bool {
        match self.days.get(&date) {
            Some(Special::Off(_)) => false,
            Some(Special::Work(_)) => true,
            None => !is_weekend(date) && self.statutory_holiday(date).is_none(),
        }
    }

    /// Whether a holiday file exists for `year`.
    pub fn has_year(&self, year: i16) -> bool {
        self.years.contains_key(&year)
    }

    /// The years with holiday data, ascending.
    pub fn known_years(&self) -> Vec<i16> {
        self.years.keys().copied().collect()
    }

    /// The notice a year's data was taken from, if the year is known.
    pub fn source(&self, year: i16) -> Option<&str> {
        self.years.get(&year).map(|y| y.source.as_str())
    }

    /// The n-th working day strictly after `date` (n >= 1; n = 0 returns
    /// `date` itself). Also returns whether any day examined fell in a year
    /// without data (also `true` if the search ran off the end of the
    /// representable dates).
    pub fn nth_working_day_after(&self, date: Date, n: u32) -> (Date, bool) {
        let mut unknown = false;
        let mut d = date;
        let mut found = 0u32;
        while found < n {
            d = match d.tomorrow() {
                Ok(next) => next,
                Err(_) => return (d, true),
            };
            unknown |= !self.has_year(d.year());
            if self.is_working_day(d) {
                found += 1;
            }
        }
        (d, unknown)
    }

    /// Number of working days in the half-open range `[from, to)` (0 if
    /// `to <= from`), and whether any day in it lies in a year without data.
    pub fn working_days_in(&self, from: Date, to: Date) -> (i64, bool) {
        let mut count = 0i64;
        let mut unknown = false;
        let mut d = from;
        while d < to {
            unknown |= !self.has_year(d.year());
            if self.is_working_day(d) {
                count += 1;
            }
            d = match d.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        (count, unknown)
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

struct ParsedFile {
    year: i16,
    source: String,
    days: HashMap<Date, Special>,
}

fn parse_file(file: &str, text: &str) -> Result<ParsedFile, CalendarError> {
    let invalid = |problem: String| CalendarError::Invalid {
        file: file.to_owned(),
        problem,
    };
    let table: toml::Table = toml::from_str(text).map_err(|e| CalendarError::Parse {
        file: file.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;

    for key in table.keys() {
        if !matches!(key.as_str(), "year" | "source" | "off" | "work") {
            return Err(invalid(format!(
                "unknown key `{key}` (expected year, source, off, work)"
            )));
        }
    }

    let year = match table.get("year") {
        Some(toml::Value::Integer(y)) => i16::try_from(*y)
            .ok()
            .filter(|y| (1900..=9998).contains(y))
            .ok_or_else(|| invalid(format!("year {y} is out of range")))?,
        Some(other) => {
            return Err(invalid(format!(
                "`year` must be an integer, found {}",
                other.type_str()
            )));
        }
        None => return Err(invalid("missing `year`".to_owned())),
    };
    if let Some(stem) = file.strip_suffix(".toml")
        && let Ok(named) = stem.parse::<i64>()
        && named != i64::from(year)
    {
        return Err(invalid(format!(
            "file is named for {named} but says year = {year}"
        )));
    }

    let source = match table.get("source") {
        Some(toml::Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(invalid(format!(
                "`source` must be a string, found {}",
                other.type_str()
            )));
        }
        None => String::new(),
    };

    let mut days: HashMap<Date, Special> = HashMap::new();

    for (i, entry) in entries(&table, "off").map_err(&invalid)?.iter().enumerate() {
        let what = format!("off entry #{}", i + 1);
        let entry = entry_table(entry, &what, &["name", "from", "to"]).map_err(&invalid)?;
        let name = string_field(entry, "name", &what).map_err(&invalid)?;
        let from = date_field(entry, "from", &what).map_err(&invalid)?;
        let to = date_field(entry, "to", &what).map_err(&invalid)?;
        if from > to {
            return Err(invalid(format!(
                "{what} ({name}): from {from} is after to {to}"
            )));
        }
        for d in [from, to] {
            if d.year() != year {
                return Err(invalid(format!(
                    "{what} ({name}): day off {d} is outside year {year}"
                )));
            }
        }
        let mut d = from;
        loop {
            if days.insert(d, Special::Off(name.clone())).is_some() {
                return Err(invalid(format!(
                    "{what} ({name}): day {d} is listed as a day off twice"
                )));
            }
            if d == to {
                break;
            }
            d = d
                .tomorrow()
                .map_err(|e| invalid(format!("{what} ({name}): {e}")))?;
        }
    }

    for (i, entry) in entries(&table, "work")
        .map_err(&invalid)?
        .iter()
        .enumerate()
    {
        let what = format!("work entry #{}", i + 1);
        let entry = entry_table(entry, &what, &["name", "date"]).map_err(&invalid)?;
        let name = string_field(entry, "name", &what).map_err(&invalid)?;
        let date = date_field(entry, "date", &what).map_err(&invalid)?;
        if date.year() != year {
            return Err(invalid(format!(
                "{what} ({name}): working day {date} is outside year {year}"
            )));
        }
        if !is_weekend(date) {
            return Err(invalid(format!(
                "{what} ({name}): adjusted working day {date} is a {:?}, not a Saturday or Sunday",
                date.weekday()
            )));
        }
        match days.insert(date, Special::Work(name.clone())) {
            None => {}
            Some(Special::Off(off)) => {
                return Err(invalid(format!(
                    "{what} ({name}): {date} is both a working day and a day off ({off})"
                )));
            }
            Some(Special::Work(_)) => {
                return Err(invalid(format!(
                    "{what} ({name}): working day {date} is listed twice"
                )));
            }
        }
    }

    Ok(ParsedFile { year, source, days })
}

fn entries<'t>(table: &'t toml::Table, key: &str) -> Result<&'t [toml::Value], String> {
    match table.get(key) {
        None => Ok(&[]),
        Some(toml::Value::Array(items)) => Ok(items),
        Some(other) => Err(format!(
            "`{key}` must be an array of tables ([[{key}]]), found {}",
            other.type_str()
        )),
    }
}

fn entry_table<'t>(
    value: &'t toml::Value,
    what: &str,
    allowed: &[&str],
) -> Result<&'t toml::Table, String> {
    let table = value
        .as_table()
        .ok_or_else(|| format!("{what} must be a table, found {}", value.type_str()))?;
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(format!(
                "{what}: unknown key `{key}` (expected {})",
                allowed.join(", ")
            ));
        }
    }
    Ok(table)
}

fn string_field(table: &toml::Table, key: &str, what: &str) -> Result<String, String> {
    match table.get(key) {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Some(toml::Value::String(_)) => Err(format!("{what}: `{key}` is empty")),
        Some(other) => Err(format!(
            "{what}: `{key}` must be a string, found {}",
            other.type_str()
        )),
        None => Err(format!("{what}: missing `{key}`")),
    }
}

/// Accepts a bare TOML local date (`2026-02-15`) or a string `"2026-02-15"`.
fn date_field(table: &toml::Table, key: &str, what: &str) -> Result<Date, String> {
    let bad = |shown: String| format!("{what}: `{key}` = {shown} is not a date like 2026-02-15");
    match table.get(key) {
        Some(toml::Value::Datetime(dt)) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                let year = i16::try_from(d.year).map_err(|_| bad(dt.to_string()))?;
                let month = i8::try_from(d.month).map_err(|_| bad(dt.to_string()))?;
                let day = i8::try_from(d.day).map_err(|_| bad(dt.to_string()))?;
                Date::new(year, month, day).map_err(|_| bad(dt.to_string()))
            }
            _ => Err(bad(dt.to_string())),
        },
        Some(toml::Value::String(s)) => {
            let s = s.trim();
            if s.len() != 10 {
                return Err(bad(format!("{s:?}")));
            }
            s.parse::<Date>().map_err(|_| bad(format!("{s:?}")))
        }
        Some(other) => Err(format!(
            "{what}: `{key}` must be a date, found {}",
            other.type_str()
        )),
        None => Err(format!("{what}: missing `{key}`")),
    }
}
