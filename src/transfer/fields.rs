//! Field values as they appear in import files, and as exports write them.

use crate::calendar::{shanghai_datetime, shanghai_instant};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// When `s` starts with a YYYY-MM-DD that names no day of the calendar, says why.
fn impossible_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&m) {
        return Some(format!(
            "'{}' is not a real date: there is no month {m}",
            &s[..10]
        ));
    }
    let days = Date::new(y as i16, m as i8, 1).ok()?.days_in_month() as i32;
    if d < 1 || d > days {
        return Some(format!(
            "'{}' is not a real date: {} {y} has {days} days",
            &s[..10],
            MONTHS[m as usize - 1]
        ));
    }
    None
}

pub fn date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    if let Some(why) = impossible_date(t) {
        return Err(why);
    }
    let d = t
        .parse()
        .map_err(|_| format!("'{t}' is not a date: use YYYY-MM-DD"))?;
    crate::calendar::check_year(d)
}

/// A clock time of a slot: HH:MM (seconds are allowed and must be zero in practice).
pub fn time(s: &str) -> Result<Time, String> {
    let t = s.trim();
    // Spreadsheets drop the leading zero: 9:30.
    let padded = if t.find(':') == Some(1) {
        format!("0{t}")
    } else {
        t.to_string()
    };
    padded
        .parse::<Time>()
        .ok()
        .filter(|_| t.len() >= 4 && t.contains(':'))
        .ok_or_else(|| format!("'{t}' is not a time of day: use HH:MM, e.g. 09:30"))
}

/// An instant: RFC 3339 with offset, or "YYYY-MM-DD HH:MM[:SS]" read as Shanghai time.
pub fn instant(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Some(why) = impossible_date(t) {
        return Err(why);
    }
    let ts = if let Ok(ts) = t.parse::<Timestamp>() {
        ts
    } else if let Ok(dt) = t.replacen(' ', "T", 1).parse::<DateTime>() {
        shanghai_instant(dt)
    } else {
        return Err(format!(
            "'{t}' is not a time: use 2026-11-27T09:00:00+08:00, or 2026-11-27 09:00 (Shanghai time)"
        ));
    };
    crate::calendar::check_year(crate::calendar::shanghai_date(ts))?;
    Ok(ts)
}

/// How exports write instants: Shanghai wall time with its offset, to the second.
pub fn instant_text(t: Timestamp) -> String {
    shanghai_datetime(t)
        .strftime("%Y-%m-%dT%H:%M:%S+08:00")
        .to_string()
}

pub fn time_text(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// true/false, 1/0, yes/no, y/n, 是/否; empty is false.
pub fn boolean(s: &str) -> Result<bool, String> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "" | "false" | "0" | "no" | "n" | "否" => Ok(false),
        "true" | "1" | "yes" | "y" | "是" => Ok(true),
        _ => Err(format!(
            "'{t}' is not a yes/no value: use true or false (1/0, yes/no, 是/否)"
        )),
    }
}

pub fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// A positive whole number no larger than `max`.
pub fn count(s: &str, max: u32) -> Result<u32, String> {
    let t = s.trim();
    let n: i64 = t
        .parse()
        .map_err(|_| format!("'{t}' is not a whole number"))?;
    if n < 1 || n > max as i64 {
        return Err(format!("{n} is out of range: give 1 to {max}"));
    }
    Ok(n as u32)
}

/// A telephone number: digits, with spaces, '-', '+', parentheses and an extension allowed.
pub fn phone(s: &str) -> Result<String, String> {
    let t = s.trim();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '#' | '/'));
    if !allowed {
        return Err(format!(
            "'{}' is not a telephone number: only digits, spaces and - + ( ) # / are allowed",
            crate::text::inert(t)
        ));
    }
    if !(5..=20).contains(&digits) {
        return Err(format!(
            "'{t}' is not a telephone number: it has {digits} digits"
        ));
    }
    Ok(t.to_string())
}

/// An optional free-text value: stored as given, None when empty.
pub fn optional_text(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_say_why() {
        assert_eq!(
            date("2026-02-30").unwrap_err(),
            "'2026-02-30' is not a real date: February 2026 has 28 days"
        );
        assert!(date("2028-02-29").is_ok());
        assert!(
            instant("2026-13-01 09:00")
                .unwrap_err()
                .contains("month 13")
        );
        assert!(
            instant("2026-04-31T09:00:00+08:00")
                .unwrap_err()
                .contains("30 days")
        );
        assert_eq!(
            instant("2026-11-27 09:00").unwrap(),
            "2026-11-27T01:00:00Z".parse::<Timestamp>().unwrap()
        );
        let t = instant("2026-11-27T09:00:05+08:00").unwrap();
        assert_eq!(instant_text(t), "2026-11-27T09:00:05+08:00");
        assert!(time("25:00").is_err());
        assert_eq!(time_text(time("9:30").unwrap()), "09:30");
        assert_eq!(time_text(time("13:05").unwrap()), "13:05");
    }

    #[test]
    fn booleans_and_numbers() {
        assert_eq!(boolean("是"), Ok(true));
        assert_eq!(boolean(""), Ok(false));
        assert!(boolean("maybe").is_err());
        assert!(count("0", 10).is_err());
        assert!(count("3.5", 10).is_err());
        assert_eq!(count(" 4 ", 10), Ok(4));
        assert!(phone("021-5888 1234").is_ok());
        assert!(phone("call me").is_err());
    }
}
