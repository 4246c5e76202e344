//! The statutory days off fixed by the 全国年节及纪念日放假办法 (as amended in 2024, in force from
//! 2025), known before the State Council publishes a year's schedule: 元旦 1 Jan; 春节 4 days
//! (除夕 to 正月初三); 清明 (the day of the solar term); 劳动节 1–2 May; 端午 (五月初五); 中秋
//! (八月十五); 国庆 1–3 Oct. The lunar dates and the solar term come from the Chinese calendar
//! (tyme4rs). The schedule's bridging days and 调休 working weekends are not known from the law
//! and are never guessed.

use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use tyme4rs::tyme::Tyme;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year the amended rules apply to.
pub const FIRST_YEAR: i16 = 2025;

/// A year's statutory days off, each with its holiday's name.
pub type DaysOff = Arc<BTreeMap<Date, &'static str>>;

/// The statutory days off of `year` by the law alone, with the holiday's name; empty before
/// [`FIRST_YEAR`] and for years the Chinese calendar cannot convert.
pub fn statutory_days_off(year: i16) -> DaysOff {
    static CACHE: OnceLock<Mutex<HashMap<i16, DaysOff>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(year)
        .or_insert_with(|| Arc::new(compute(year)))
        .clone()
}

fn compute(year: i16) -> BTreeMap<Date, &'static str> {
    let mut days = BTreeMap::new();
    // The Chinese calendar library covers years 1..9999; keep well inside it.
    if !(FIRST_YEAR..=9000).contains(&year) {
        return days;
    }
    let y = isize::from(year);
    let mut add = |d: Option<Date>, name: &'static str| {
        if let Some(d) = d.filter(|d| d.year() == year) {
            days.entry(d).or_insert(name);
        }
    };
    add(Date::new(year, 1, 1).ok(), "元旦");
    // 除夕 is the day before 正月初一, whatever the length of the twelfth month.
    let new_year = LunarDay::from_ymd(y, 1, 1).get_solar_day();
    for n in -1..=2 {
        add(date_of(&new_year.next(n)), "春节");
    }
    add(
        date_of(&SolarTerm::from_name(y, "清明").get_solar_day()),
        "清明节",
    );
    add(Date::new(year, 5, 1).ok(), "劳动节");
    add(Date::new(year, 5, 2).ok(), "劳动节");
    add(
        date_of(&LunarDay::from_ymd(y, 5, 5).get_solar_day()),
        "端午节",
    );
    add(
        date_of(&LunarDay::from_ymd(y, 8, 15).get_solar_day()),
        "中秋节",
    );
    for d in 1..=3 {
        add(Date::new(year, 10, d).ok(), "国庆节");
    }
    days
}

fn date_of(d: &SolarDay) -> Option<Date> {
    Date::new(
        i16::try_from(d.get_year()).ok()?,
        i8::try_from(d.get_month()).ok()?,
        i8::try_from(d.get_day()).ok()?,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn off(year: i16) -> Vec<(String, &'static str)> {
        statutory_days_off(year)
            .iter()
            .map(|(d, n)| (d.to_string(), *n))
            .collect()
    }

    #[test]
    fn the_2027_days_off_follow_from_the_law_and_the_lunar_calendar() {
        let days = off(2027);
        let expected = [
            ("2027-01-01", "元旦"),
            // 2027 春节: 正月初一 is 6 February; 除夕 5 February to 初三 8 February.
            ("2027-02-05", "春节"),
            ("2027-02-06", "春节"),
            ("2027-02-07", "春节"),
            ("2027-02-08", "春节"),
            ("2027-04-05", "清明节"),
            ("2027-05-01", "劳动节"),
            ("2027-05-02", "劳动节"),
            ("2027-06-09", "端午节"),
            ("2027-09-15", "中秋节"),
            ("2027-10-01", "国庆节"),
            ("2027-10-02", "国庆节"),
            ("2027-10-03", "国庆节"),
        ];
        let expected: Vec<(String, &str)> =
            expected.iter().map(|(d, n)| (d.to_string(), *n)).collect();
        assert_eq!(days, expected);
    }

    #[test]
    fn the_computed_days_agree_with_the_published_schedules() {
        // Every statutory day the law fixes is a day off in the State Council's schedules.
        let cal = crate::calendar::WorkingCalendar::official();
        for year in [2025, 2026] {
            let days = statutory_days_off(year);
            assert_eq!(days.len(), 13, "{year}: {days:?}");
            for (d, name) in days.iter() {
                let info = cal.day(*d);
                assert!(!info.working, "{year}: {d} {name} is a day off: {info:?}");
            }
        }
        // Before the 2024 amendment took force the law is not applied.
        assert!(statutory_days_off(2024).is_empty());
        assert!(statutory_days_off(2025).contains_key(&date(2025, 1, 28)));
    }
}
