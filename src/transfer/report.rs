//! The 当日清 report of a date (measure 7): each slot with its bookings, what is done, what is
//! abnormal (to be handled at once), what still stands between the day and "cleared".

use crate::calendar::{DayReason, WorkingCalendar};
use crate::domain::inspection::{BookingStatus, DayClearance, Location, OffSiteReason};
use crate::store::Store;
use crate::text::{inert, table};
use anyhow::Result;
use jiff::civil::Date;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CalendarStatus {
    /// working, weekend or holiday.
    pub status: &'static str,
    pub working: bool,
    pub reason: DayReason,
    pub reason_zh: String,
    /// false when the year has no published calendar (weekend-only fallback).
    pub data_known: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct BookingLine {
    pub id: i64,
    pub enterprise: String,
    pub goods: String,
    pub location: Location,
    /// Why outside the zone or at the factory (measure 30).
    pub reason: Option<OffSiteReason>,
    pub needs_site_approval: bool,
    pub status: BookingStatus,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlotReport {
    pub id: i64,
    pub office_code: String,
    pub office_name: String,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub bookings: Vec<BookingLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AbnormalLine {
    pub booking_id: i64,
    pub office_code: String,
    pub start: String,
    pub enterprise: String,
    pub goods: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayReport {
    pub date: Date,
    pub calendar: CalendarStatus,
    pub slots: Vec<SlotReport>,
    pub counts: DayClearance,
    pub still_open: u32,
    pub cleared: bool,
    pub abnormal: Vec<AbnormalLine>,
}

pub fn day_report(store: &Store, date: Date, cal: &WorkingCalendar) -> Result<DayReport> {
    let day = cal.day(date);
    let status = match day.reason {
        DayReason::Weekday | DayReason::MakeUpWorkday { .. } => "working",
        DayReason::Weekend => "weekend",
        DayReason::Holiday { .. } => "holiday",
    };
    let calendar = CalendarStatus {
        status,
        working: day.working,
        reason_zh: day.reason_text(crate::text::Lang::Zh),
        reason: day.reason.clone(),
        data_known: day.data_known,
    };
    let mut slots = Vec::new();
    let mut abnormal = Vec::new();
    let mut by_slot = store.bookings_on(date)?;
    for s in store.slots_between(date, date)? {
        let start = s.start.strftime("%H:%M").to_string();
        let bookings: Vec<BookingLine> = by_slot
            .remove(&s.id)
            .unwrap_or_default()
            .into_iter()
            .map(|b| {
                if b.status == BookingStatus::Abnormal {
                    abnormal.push(AbnormalLine {
                        booking_id: b.id,
                        office_code: s.office_code.clone(),
                        start: start.clone(),
                        enterprise: b.enterprise.clone(),
                        goods: b.goods.clone(),
                    });
                }
                BookingLine {
                    id: b.id,
                    enterprise: b.enterprise,
                    goods: b.goods,
                    location: b.location,
                    reason: b.offsite_reason,
                    needs_site_approval: b.needs_site_approval,
                    status: b.status,
                }
            })
            .collect();
        slots.push(SlotReport {
            id: s.id,
            office_code: s.office_code,
            office_name: s.office_name,
            start,
            end: s.end.strftime("%H:%M").to_string(),
            capacity: s.capacity,
            bookings,
        });
    }
    let counts = store.day_clearance(date)?;
    Ok(DayReport {
        date,
        calendar,
        slots,
        still_open: counts.still_open(),
        cleared: counts.cleared(),
        abnormal,
        counts,
    })
}

/// The report as text; every stored value goes through `inert`.
pub fn render(r: &DayReport) -> String {
    let mut out = String::new();
    let cal = &r.calendar;
    out.push_str(&format!(
        "当日清 {} ({}): {} — {}\n",
        r.date,
        r.date.strftime("%A"),
        cal.status,
        cal.reason_zh
    ));
    if !cal.data_known {
        out.push_str(&format!(
            "WARNING: no official calendar for {}: {} (statutory holidays by the law, no make-up days)\n",
            r.date.year(),
            crate::calendar::unknown_year_flag(crate::text::Lang::Zh)
        ));
    }
    if r.slots.is_empty() {
        out.push_str("no inspection slots on this date\n");
    }
    for s in &r.slots {
        let taken = s.bookings.iter().filter(|b| b.status.holds_place()).count();
        out.push_str(&format!(
            "\n{}-{}  {} {}  {}/{} places\n",
            s.start,
            s.end,
            s.office_code,
            inert(&s.office_name),
            taken,
            s.capacity
        ));
        if s.bookings.is_empty() {
            out.push_str("  (no bookings)\n");
            continue;
        }
        let rows: Vec<Vec<String>> = s
            .bookings
            .iter()
            .map(|b| {
                vec![
                    b.id.to_string(),
                    b.enterprise.clone(),
                    b.goods.clone(),
                    b.location.code().to_string(),
                    b.status.code().to_string(),
                ]
            })
            .collect();
        for line in table(
            &["booking", "enterprise", "goods", "location", "status"],
            &rows,
        )
        .lines()
        {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    let c = &r.counts;
    out.push_str(&format!(
        "\nbooked {}  done {}  abnormal {}  cancelled {}  still open {}\n",
        c.booked, c.done, c.abnormal, c.cancelled, r.still_open
    ));
    let total = c.booked + c.done + c.abnormal;
    out.push_str(&if total == 0 {
        "cleared: nothing was booked for this date\n".to_string()
    } else if r.cleared {
        "cleared: yes (当日清)\n".to_string()
    } else {
        format!("cleared: NO — {} inspection(s) still open\n", r.still_open)
    });
    if !r.abnormal.is_empty() {
        out.push_str("\nABNORMAL — handle at once:\n");
        for a in &r.abnormal {
            out.push_str(&format!(
                "  booking {} at {} {}: {} — {}\n",
                a.booking_id,
                a.office_code,
                a.start,
                inert(&a.enterprise),
                inert(&a.goods)
            ));
        }
    }
    out
}

/// The day report as a table: one line per booking, a slot without bookings on a line of its
/// own.
pub fn sheet(
    r: &DayReport,
    lang: crate::text::Lang,
) -> (Vec<&'static str>, Vec<Vec<super::export::Cell>>) {
    let header = pick(
        lang,
        &[
            ("日期", "date"),
            ("时段", "slot"),
            ("现场", "office"),
            ("开始", "start"),
            ("结束", "end"),
            ("容量", "capacity"),
            ("预约", "booking"),
            ("企业", "enterprise"),
            ("货物", "goods"),
            ("地点", "location"),
            ("状态", "status"),
        ],
    );
    use super::export::Cell;
    let text = |s: &str| Cell::Text(s.to_string());
    let mut rows = Vec::new();
    for s in &r.slots {
        let slot = vec![
            Cell::Date(r.date),
            Cell::Number(s.id),
            Cell::Text(format!("{} {}", s.office_code, s.office_name)),
            text(&s.start),
            text(&s.end),
            Cell::Number(s.capacity.into()),
        ];
        if s.bookings.is_empty() {
            let mut row = slot.clone();
            row.extend(std::iter::repeat_n(Cell::Empty, 5));
            rows.push(row);
        }
        for b in &s.bookings {
            let mut row = slot.clone();
            row.extend([
                Cell::Number(b.id),
                text(&b.enterprise),
                text(&b.goods),
                Cell::Text(b.location.with_reason(b.reason, lang)),
                Cell::Text(b.status.shown(b.needs_site_approval, false, lang)),
            ]);
            rows.push(row);
        }
    }
    (header, rows)
}

/// Column headers in the operator's language, from (Chinese, English) pairs.
fn pick(lang: crate::text::Lang, pairs: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    pairs.iter().map(|(zh, en)| lang.pick(zh, en)).collect()
}
