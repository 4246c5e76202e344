//! Appointment clearance (预约通关, measure 27): clearance outside office hours, requested far
//! enough ahead; the lead time depends on the credit level, and dishonest enterprises are refused.

use super::credit::CreditLevel;
use super::measures::MeasureCatalog;
use super::message::Message;
use crate::calendar::{WorkingCalendar, shanghai_datetime, shanghai_instant};
use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// Office hours on working days, Asia/Shanghai; configurable per office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub open: Time,
    pub close: Time,
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours {
            open: Time::constant(9, 0, 0, 0),
            close: Time::constant(17, 0, 0, 0),
        }
    }
}

impl OfficeHours {
    /// Parses "HH:MM-HH:MM".
    pub fn parse(s: &str) -> Result<OfficeHours, String> {
        let bad = || format!("office hours '{s}' must look like 09:00-17:00");
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let open: Time = a.trim().parse().map_err(|_| bad())?;
        let close: Time = b.trim().parse().map_err(|_| bad())?;
        if open >= close {
            return Err(format!(
                "office hours '{s}': opening must be before closing"
            ));
        }
        Ok(OfficeHours { open, close })
    }

    /// Whether the instant falls within office hours of a working day.
    pub fn contains(&self, cal: &WorkingCalendar, at: Timestamp) -> bool {
        let dt = shanghai_datetime(at);
        cal.is_working_day(dt.date()) && dt.time() >= self.open && dt.time() < self.close
    }

    /// When a request made at `at` is received: at once within office hours, else at the next
    /// opening of a working day (GACC announcement 2018 No. 109: requests are received within
    /// office hours).
    pub fn received_at(&self, cal: &WorkingCalendar, at: Timestamp) -> Timestamp {
        if self.contains(cal, at) {
            return at;
        }
        let dt = shanghai_datetime(at);
        let mut day = dt.date();
        if dt.time() >= self.open {
            day = day.tomorrow().unwrap_or(day);
        }
        // A year has far fewer than 60 days off in a row; the bound only guards the loop.
        for _ in 0..60 {
            if cal.is_working_day(day) {
                break;
            }
            day = day.tomorrow().unwrap_or(day);
        }
        shanghai_instant(day.to_datetime(self.open))
    }
}

/// Hours and minutes, "7:59": how lead times read.
fn hours_minutes(d: SignedDuration) -> String {
    let mins = d.as_mins();
    let sign = if mins < 0 { "-" } else { "" };
    let m = mins.unsigned_abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearanceAccepted {
    pub lead_required_hours: u32,
    /// When the request counts as received (the next office-hours start if made outside them).
    pub received_at: Timestamp,
    /// Whole minutes from receipt to the clearance time.
    pub lead_given_minutes: i64,
    pub rule_zh: String,
    pub rule_en: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClearanceRefusal {
    #[error("{} may not use appointment clearance (measure 27)", level.name_en())]
    LevelRefused { level: CreditLevel },
    #[error(
        "the clearance time falls within office hours: ordinary clearance applies, no appointment is needed"
    )]
    WithinOfficeHours,
    #[error(
        "requested {} ahead{}; {} must request at least {required}:00 ahead (measure 27)",
        hours_minutes(*given),
        if *received_later { " counted from the next office-hours start" } else { "" },
        level.name_en()
    )]
    TooLate {
        given: SignedDuration,
        /// The request was made outside office hours and counts from the next opening.
        received_later: bool,
        required: u32,
        level: CreditLevel,
    },
}

impl ClearanceRefusal {
    pub fn message(&self) -> Message {
        let zh = match self {
            ClearanceRefusal::LevelRefused { level } => {
                format!("{}不能预约通关（措施27）", level.name_zh())
            }
            ClearanceRefusal::WithinOfficeHours => {
                "通关时间在办公时间内：按正常通关办理，无需预约".to_string()
            }
            ClearanceRefusal::TooLate {
                given,
                received_later,
                required,
                level,
            } => format!(
                "提前 {} 申请{}；{}须至少提前 {required}:00 申请（措施27）",
                hours_minutes(*given),
                if *received_later {
                    "（办公时间外的申请自下一个办公时间起算）"
                } else {
                    ""
                },
                level.name_zh()
            ),
        };
        Message::new(zh, self.to_string())
    }
}

impl ClearanceAccepted {
    pub fn rule(&self, lang: crate::text::Lang) -> &str {
        lang.pick(&self.rule_zh, &self.rule_en)
    }
}

/// May an enterprise of `credit` clear at `clearance_at` by appointment, requested at
/// `requested_at`? Outside office hours only; the lead counts from receipt.
pub fn check_appointment(
    credit: CreditLevel,
    requested_at: Timestamp,
    clearance_at: Timestamp,
    hours: &OfficeHours,
    cal: &WorkingCalendar,
    catalog: &MeasureCatalog,
) -> Result<ClearanceAccepted, ClearanceRefusal> {
    let lead = catalog.appointment_clearance();
    if lead.refused_levels.iter().any(|l| l == credit.code()) {
        return Err(ClearanceRefusal::LevelRefused { level: credit });
    }
    if hours.contains(cal, clearance_at) {
        return Err(ClearanceRefusal::WithinOfficeHours);
    }
    let reduced = lead.reduced_levels.iter().any(|l| l == credit.code());
    let required = if reduced {
        lead.reduced_lead_hours
    } else {
        lead.regular_lead_hours
    };
    let received_at = hours.received_at(cal, requested_at);
    let given = clearance_at.duration_since(received_at);
    if given < SignedDuration::from_hours(i64::from(required)) {
        return Err(ClearanceRefusal::TooLate {
            given,
            received_later: received_at != requested_at,
            required,
            level: credit,
        });
    }
    let (rule_zh, rule_en) = if reduced {
        (
            format!(
                "措施27：{}提前{required}小时申请（常规{}小时）",
                credit.name_zh(),
                lead.regular_lead_hours
            ),
            format!(
                "measure 27: {required} h ahead instead of {}",
                lead.regular_lead_hours
            ),
        )
    } else {
        (
            format!("提前{required}小时申请"),
            format!("{required} h ahead"),
        )
    };
    Ok(ClearanceAccepted {
        lead_required_hours: required,
        received_at,
        lead_given_minutes: given.as_mins(),
        rule_zh,
        rule_en,
    })
}

impl ClearanceAccepted {
    /// The lead given, "12:30" (hours:minutes).
    pub fn lead_given(&self) -> String {
        hours_minutes(SignedDuration::from_mins(self.lead_given_minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn check(
        level: CreditLevel,
        req: &str,
        clear: &str,
    ) -> Result<ClearanceAccepted, ClearanceRefusal> {
        check_appointment(
            level,
            at(req),
            at(clear),
            &OfficeHours::default(),
            WorkingCalendar::official(),
            MeasureCatalog::official(),
        )
    }

    // Friday 2026-11-27 20:00 Shanghai is outside office hours; 12:00 that day is within them.
    const FRI_EVENING: &str = "2026-11-27T12:00:00Z";
    const SAT_EVENING: &str = "2026-11-28T12:00:00Z";

    #[test]
    fn both_aeo_levels_may_request_eight_hours_ahead() {
        for level in [CreditLevel::Advanced, CreditLevel::Certified] {
            let ok = check(level, "2026-11-27T04:00:00Z", FRI_EVENING).unwrap();
            assert_eq!(
                (ok.lead_required_hours, ok.lead_given()),
                (8, "8:00".into())
            );
            let err = check(level, "2026-11-27T04:01:00Z", FRI_EVENING).unwrap_err();
            assert!(matches!(err, ClearanceRefusal::TooLate { required: 8, .. }));
            // Seven hours fifty-nine minutes reads as such, not as "8.0 h".
            assert!(err.to_string().contains("requested 7:59 ahead"), "{err}");
        }
    }

    #[test]
    fn other_enterprises_must_request_twenty_four_hours_ahead() {
        let err = check(CreditLevel::Regular, "2026-11-27T04:00:00Z", FRI_EVENING).unwrap_err();
        assert!(matches!(
            err,
            ClearanceRefusal::TooLate { required: 24, .. }
        ));
        assert!(check(CreditLevel::Regular, "2026-11-26T04:00:00Z", FRI_EVENING).is_ok());
        assert!(check(CreditLevel::Regular, "2026-11-27T04:00:00Z", SAT_EVENING).is_ok());
    }

    #[test]
    fn a_request_outside_office_hours_counts_from_the_next_opening() {
        // Wednesday 2026-11-25 18:00 for 21:00 the same evening: received Thursday 09:00.
        let err = check(
            CreditLevel::Advanced,
            "2026-11-25T10:00:00Z",
            "2026-11-25T13:00:00Z",
        )
        .unwrap_err();
        assert!(matches!(
            err,
            ClearanceRefusal::TooLate {
                received_later: true,
                ..
            }
        ));
        assert!(err.to_string().contains("next office-hours start"), "{err}");
        // 18:00 Wednesday for 07:00 Thursday is 13 h on the clock, but received at 09:00 Thursday.
        assert!(
            check(
                CreditLevel::Certified,
                "2026-11-25T10:00:00Z",
                "2026-11-25T23:00:00Z"
            )
            .is_err()
        );
        // For 21:00 Thursday it is 12 h from receipt: enough for an AEO enterprise.
        let ok = check(
            CreditLevel::Certified,
            "2026-11-25T10:00:00Z",
            "2026-11-26T13:00:00Z",
        )
        .unwrap();
        assert_eq!(ok.received_at, at("2026-11-26T01:00:00Z"));
        assert_eq!(ok.lead_given(), "12:00");
        // A request on Saturday is received on Monday 09:00.
        let hours = OfficeHours::default();
        assert_eq!(
            hours.received_at(WorkingCalendar::official(), at("2026-11-28T02:00:00Z")),
            at("2026-11-30T01:00:00Z")
        );
        // Before opening on a working day: that day's opening.
        assert_eq!(
            hours.received_at(WorkingCalendar::official(), at("2026-11-26T22:00:00Z")),
            at("2026-11-27T01:00:00Z")
        );
    }

    #[test]
    fn dishonest_enterprises_are_refused_whatever_the_lead() {
        for level in [CreditLevel::Dishonest, CreditLevel::SeriouslyDishonest] {
            let err = check(level, "2026-11-20T00:00:00Z", SAT_EVENING).unwrap_err();
            assert!(matches!(err, ClearanceRefusal::LevelRefused { .. }));
        }
    }

    #[test]
    fn a_clearance_within_office_hours_needs_no_appointment() {
        // Friday 2026-11-27 10:00 Shanghai.
        let err = check(
            CreditLevel::Advanced,
            "2026-11-20T00:00:00Z",
            "2026-11-27T02:00:00Z",
        )
        .unwrap_err();
        assert_eq!(err, ClearanceRefusal::WithinOfficeHours);
        // The same hour on a holiday is outside office hours.
        assert!(
            check(
                CreditLevel::Advanced,
                "2026-09-20T00:00:00Z",
                "2026-10-01T02:00:00Z"
            )
            .is_ok()
        );
    }

    #[test]
    fn office_hours_parse_and_reject_nonsense() {
        let h = OfficeHours::parse("08:30-17:30").unwrap();
        assert_eq!(h.open, Time::constant(8, 30, 0, 0));
        assert!(OfficeHours::parse("17:00-09:00").is_err());
        assert!(OfficeHours::parse("nine to five").is_err());
    }
}
