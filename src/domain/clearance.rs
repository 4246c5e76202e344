//! Appointment clearance (预约通关, measure 27): clearance outside office hours, requested far
//! enough ahead; the lead time depends on the credit level, and dishonest enterprises are refused.

use super::credit::CreditLevel;
use super::measures::MeasureCatalog;
use super::message::Message;
use crate::calendar::{WorkingCalendar, shanghai_datetime};
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearanceAccepted {
    pub lead_required_hours: u32,
    pub lead_given_hours: f64,
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
        "requested {given:.1} h ahead; {} must request at least {required} h ahead (measure 27)", level.name_en()
    )]
    TooLate {
        given: f64,
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
                required,
                level,
            } => format!(
                "提前 {given:.1} 小时申请；{}须至少提前 {required} 小时申请（措施27）",
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
    let given = clearance_at.duration_since(requested_at);
    let given_hours = given.as_secs_f64() / 3600.0;
    if given < SignedDuration::from_hours(i64::from(required)) {
        return Err(ClearanceRefusal::TooLate {
            given: given_hours,
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
        lead_given_hours: given_hours,
        rule_zh,
        rule_en,
    })
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

    // Saturday 2026-11-28 20:00 Shanghai is outside office hours.
    const SAT_EVENING: &str = "2026-11-28T12:00:00Z";

    #[test]
    fn an_advanced_enterprise_may_request_eight_hours_ahead() {
        let ok = check(CreditLevel::Advanced, "2026-11-28T04:00:00Z", SAT_EVENING).unwrap();
        assert_eq!(ok.lead_required_hours, 8);
        let err = check(CreditLevel::Advanced, "2026-11-28T04:00:01Z", SAT_EVENING).unwrap_err();
        assert!(matches!(err, ClearanceRefusal::TooLate { required: 8, .. }));
    }

    #[test]
    fn other_enterprises_must_request_twenty_four_hours_ahead() {
        for level in [CreditLevel::Certified, CreditLevel::Regular] {
            let err = check(level, "2026-11-28T04:00:00Z", SAT_EVENING).unwrap_err();
            assert!(matches!(
                err,
                ClearanceRefusal::TooLate { required: 24, .. }
            ));
            assert!(check(level, "2026-11-27T12:00:00Z", SAT_EVENING).is_ok());
        }
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
