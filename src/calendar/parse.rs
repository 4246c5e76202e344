//! Instants and durations as operators type them (Shanghai time unless an offset is given).

use super::shanghai_instant;
use anyhow::{Result, anyhow};
use jiff::civil::{Date, DateTime};
use jiff::{SignedDuration, Timestamp};

/// The years aeo accepts in dates and instants: anything outside is a typing mistake (or an
/// attack on the arithmetic), never a customs date.
pub const YEARS: std::ops::RangeInclusive<i16> = 1900..=2200;

/// Refuses a date outside `YEARS`, saying so.
pub fn check_year(d: Date) -> Result<Date, String> {
    if YEARS.contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "{d} is outside the years aeo accepts ({}–{})",
            YEARS.start(),
            YEARS.end()
        ))
    }
}

/// The longest duration aeo accepts: 100 years of days.
pub const MAX_DURATION_DAYS: i64 = 36_500;

/// RFC 3339 with an offset ("2026-11-27T09:00:00+08:00", "...Z"), or a civil time without
/// offset ("2026-11-27 09:00", "2026-11-27T09:00", "2026-11-27"), read as Asia/Shanghai.
pub fn parse_instant(s: &str) -> Result<Timestamp> {
    let ts = parse_any_instant(s)?;
    check_year(super::shanghai_date(ts)).map_err(|e| anyhow!(e))?;
    Ok(ts)
}

fn parse_any_instant(s: &str) -> Result<Timestamp> {
    let t = s.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    if let Ok(dt) = t.replacen(' ', "T", 1).parse::<DateTime>() {
        return Ok(shanghai_instant(dt));
    }
    if let Ok(d) = t.parse::<Date>() {
        return Ok(shanghai_instant(
            d.to_datetime(jiff::civil::Time::midnight()),
        ));
    }
    Err(anyhow!(
        "'{t}' is not a time: use 2026-11-27T09:00:00+08:00, or 2026-11-27 09:00 (Shanghai time)"
    ))
}

/// "36h", "2d", "90m", "1d12h", or jiff's friendly form ("2h 30m").
pub fn parse_duration(s: &str) -> Result<SignedDuration> {
    let t = s.trim();
    let bad = || anyhow!("'{t}' is not a duration: use e.g. 2d, 36h, 90m or 1d12h");
    let d = if let Some((days, rest)) = t.split_once('d') {
        let days: i64 = days.trim().parse().map_err(|_| bad())?;
        if days.abs() > MAX_DURATION_DAYS {
            return Err(too_long(t));
        }
        let rest = if rest.trim().is_empty() {
            SignedDuration::ZERO
        } else {
            rest.trim().parse::<SignedDuration>().map_err(|_| bad())?
        };
        SignedDuration::from_hours(days * 24)
            .checked_add(rest)
            .ok_or_else(|| too_long(t))?
    } else {
        t.parse::<SignedDuration>().map_err(|_| bad())?
    };
    if d.abs() > SignedDuration::from_hours(MAX_DURATION_DAYS * 24) {
        return Err(too_long(t));
    }
    Ok(d)
}

fn too_long(t: &str) -> anyhow::Error {
    anyhow!("'{t}' is too long a duration: at most {MAX_DURATION_DAYS} days")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_offset_is_shanghai_time() {
        let t = parse_instant("2026-11-27 09:00").unwrap();
        assert_eq!(t, "2026-11-27T01:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!(parse_instant("2026-11-27T09:00+08:00").unwrap(), t);
        assert_eq!(
            parse_instant("2026-11-27").unwrap(),
            "2026-11-26T16:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert!(
            parse_instant("tomorrow")
                .unwrap_err()
                .to_string()
                .contains("'tomorrow'")
        );
        assert!(parse_instant("2026-02-30 09:00").is_err());
        for far in [
            "0001-01-01",
            "9999-12-31 23:59",
            "1899-12-31T23:00:00+08:00",
        ] {
            let e = parse_instant(far).unwrap_err().to_string();
            assert!(e.contains("1900–2200"), "{far}: {e}");
        }
        assert!(parse_instant("1900-01-01 00:00").is_ok());
        assert!(parse_instant("2200-12-31 23:59").is_ok());
    }

    #[test]
    fn huge_durations_are_refused_not_wrapped() {
        for huge in [
            "99999999999999d",
            "36501d",
            "9999999999999h",
            "-99999999999d",
        ] {
            let e = parse_duration(huge).unwrap_err().to_string();
            assert!(
                e.contains("too long") || e.contains("not a duration"),
                "{huge}: {e}"
            );
        }
        assert!(parse_duration("36500d").is_ok());
    }

    #[test]
    fn durations_take_days_and_hours() {
        assert_eq!(
            parse_duration("2d").unwrap(),
            SignedDuration::from_hours(48)
        );
        assert_eq!(
            parse_duration("36h").unwrap(),
            SignedDuration::from_hours(36)
        );
        assert_eq!(
            parse_duration("1d12h").unwrap(),
            SignedDuration::from_hours(36)
        );
        assert_eq!(
            parse_duration("90m").unwrap(),
            SignedDuration::from_mins(90)
        );
        assert!(parse_duration("soon").is_err());
    }
}
