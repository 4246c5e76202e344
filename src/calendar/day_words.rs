//! Days as an operator types them on the command line: `2026-12-05`, `12-05`, `today`/`今天`,
//! `tomorrow`/`明天`, `后天`, and weekdays (`周六`, `sat`): the next such day from today on.

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "周一", "mon"),
    (Weekday::Tuesday, "周二", "tue"),
    (Weekday::Wednesday, "周三", "wed"),
    (Weekday::Thursday, "周四", "thu"),
    (Weekday::Friday, "周五", "fri"),
    (Weekday::Saturday, "周六", "sat"),
    (Weekday::Sunday, "周日", "sun"),
];

/// The words `parse_day` understands besides dates, for completion.
pub fn day_words() -> Vec<&'static str> {
    let mut v = vec!["today", "tomorrow", "今天", "明天", "后天"];
    for (_, zh, en) in WEEKDAYS {
        v.push(zh);
        v.push(en);
    }
    v
}

/// The day `word` names, seen from `today`; `MM-DD` is the next such date from today on.
pub fn parse_day(word: &str, today: Date) -> Option<Date> {
    let w = word.trim().to_lowercase();
    let offset = |days: i32| today.checked_add(days.days()).ok();
    match w.as_str() {
        "today" | "今天" | "今日" => return Some(today),
        "tomorrow" | "明天" | "明日" => return offset(1),
        "后天" => return offset(2),
        _ => {}
    }
    if let Ok(d) = w.parse::<Date>() {
        return Some(d);
    }
    if let Some((wd, _, _)) = WEEKDAYS.iter().find(|(wd, zh, en)| {
        w == *zh
            || w == *en
            || w == zh.replace('周', "星期")
            || w == format!("{wd:?}").to_lowercase()
    }) {
        let ahead = (wd.to_monday_zero_offset() - today.weekday().to_monday_zero_offset() + 7) % 7;
        return offset(i32::from(ahead));
    }
    let (m, d) = w.split_once(['-', '/', '.'])?;
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    let this_year = Date::new(today.year(), m, d).ok()?;
    if this_year >= today {
        Some(this_year)
    } else {
        Date::new(today.year() + 1, m, d).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const FRI: Date = date(2026, 11, 27);

    #[test]
    fn words_name_days_from_today() {
        assert_eq!(parse_day("tomorrow", FRI), Some(date(2026, 11, 28)));
        assert_eq!(parse_day("明天", FRI), Some(date(2026, 11, 28)));
        assert_eq!(parse_day("周六", FRI), Some(date(2026, 11, 28)));
        assert_eq!(parse_day("sat", FRI), Some(date(2026, 11, 28)));
        assert_eq!(parse_day("周五", FRI), Some(FRI));
        assert_eq!(parse_day("周四", FRI), Some(date(2026, 12, 3)));
        assert_eq!(parse_day("12-05", FRI), Some(date(2026, 12, 5)));
        assert_eq!(parse_day("01-02", FRI), Some(date(2027, 1, 2)));
        assert_eq!(parse_day("2026-10-01", FRI), Some(date(2026, 10, 1)));
        assert_eq!(parse_day("someday", FRI), None);
        assert_eq!(parse_day("13-40", FRI), None);
    }
}
