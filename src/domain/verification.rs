//! Verifications of AEO enterprises (measures 16 and 17): management-type verifications are
//! limited per year (a second one needs a stated reason: the plan says 原则上); several orders for
//! one enterprise in one period are proposed for merging into one team; self-check recognition.

use super::credit::CreditLevel;
use super::message::Message;
use super::queue::coded_enum;
use jiff::civil::Date;
use serde::Serialize;

coded_enum!(
    VerificationKind {
        Management = "management", "管理类核查", "management-type verification";
        Other = "other", "其他核查", "other verification";
    }
);

/// A warning when scheduling `date` would exceed the yearly limit of management-type
/// verifications of one AEO enterprise; `scheduled` are the dates already scheduled for it.
pub fn second_verification_warning(
    credit: CreditLevel,
    kind: VerificationKind,
    date: Date,
    scheduled: &[(VerificationKind, Date)],
    per_year: u32,
) -> Option<String> {
    if !credit.is_aeo() || kind != VerificationKind::Management {
        return None;
    }
    let same_year = scheduled
        .iter()
        .filter(|(k, d)| *k == VerificationKind::Management && d.year() == date.year())
        .count();
    (same_year as u32 >= per_year).then(|| {
        format!(
            "measure 17: management-type verifications of an AEO enterprise are limited to {per_year} a year; {} already has {same_year} in {} (measure 16: merge the orders into one team)",
            credit.name_zh(),
            date.year()
        )
    })
}

/// A verification already planned for the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedVerification {
    pub id: i64,
    pub kind: VerificationKind,
    pub date: Date,
    /// Carried out by the team of this other plan (measure 16).
    pub merged_into: Option<i64>,
}

/// Orders this many days apart or closer are "in the same period" (measure 16).
pub const SAME_PERIOD_DAYS: i32 = 30;

/// What a new plan asks for.
pub struct ScheduleRequest<'a> {
    pub credit: CreditLevel,
    pub kind: VerificationKind,
    pub date: Date,
    pub self_check: bool,
    pub override_reason: Option<&'a str>,
}

/// Checks a new verification plan against those of the same enterprise. A second
/// management-type verification of an AEO enterprise in one calendar year is refused unless a
/// reason is given; then the warning to record with it is returned. Self-check recognition and
/// the override are AEO rules, refused for other enterprises.
pub fn check_schedule(
    r: &ScheduleRequest<'_>,
    existing: &[PlannedVerification],
    per_year: u32,
) -> Result<Option<String>, Message> {
    let reason = r.override_reason.map(str::trim).filter(|s| !s.is_empty());
    if r.override_reason.is_some() && reason.is_none() {
        return Err(Message::new(
            "例外理由：不能为空",
            "override-reason: must say why",
        ));
    }
    if !r.credit.is_aeo() {
        if r.self_check {
            return Err(Message::new(
                format!(
                    "自查结果认可（措施16）仅适用于 AEO 企业，该企业为{}",
                    r.credit.name_zh()
                ),
                format!(
                    "self-check recognition (measure 16) is for AEO enterprises only; this one is {}",
                    r.credit.name_en()
                ),
            ));
        }
        if reason.is_some() {
            return Err(Message::new(
                format!(
                    "例外理由：每年一次的限制（措施17）只适用于 AEO 企业，该企业为{}，无需例外",
                    r.credit.name_zh()
                ),
                format!(
                    "override-reason: the once-a-year limit (measure 17) applies to AEO enterprises only; this one is {}, so no override is needed",
                    r.credit.name_en()
                ),
            ));
        }
        return Ok(None);
    }
    let scheduled: Vec<(VerificationKind, Date)> = existing
        .iter()
        .filter(|p| p.merged_into.is_none())
        .map(|p| (p.kind, p.date))
        .collect();
    let warning = second_verification_warning(r.credit, r.kind, r.date, &scheduled, per_year);
    match (warning, reason) {
        (Some(w), Some(reason)) => Ok(Some(format!("{w}; override: {reason}"))),
        (Some(_), None) => {
            let n = scheduled
                .iter()
                .filter(|(k, d)| *k == VerificationKind::Management && d.year() == r.date.year())
                .count();
            Err(Message::new(
                format!(
                    "措施17：AEO 企业的管理类核查原则上每年不超过 {per_year} 次，{} 年已安排 {n} 次；确需安排请给出例外理由（--override-reason），或与已有指令合并（措施16）",
                    r.date.year()
                ),
                format!(
                    "measure 17: management-type verifications of an AEO enterprise are limited to {per_year} a year in principle, and {} already has {n}; give an override reason (--override-reason) to schedule it anyway, or merge it with the existing order (measure 16)",
                    r.date.year()
                ),
            ))
        }
        (None, Some(_)) => Err(Message::new(
            "例外理由：本次安排未超出每年限制，无需例外理由",
            "override-reason: this plan is within the yearly limit; no override is needed",
        )),
        (None, None) => Ok(None),
    }
}

/// Pairs of one enterprise's plans in the same period that are not merged yet (measure 16):
/// (earlier id, later id), earliest pairs first.
pub fn merge_proposals(plans: &[PlannedVerification]) -> Vec<(i64, i64)> {
    let mut open: Vec<&PlannedVerification> =
        plans.iter().filter(|p| p.merged_into.is_none()).collect();
    open.sort_by_key(|p| (p.date, p.id));
    let mut out = Vec::new();
    for (i, a) in open.iter().enumerate() {
        for b in &open[i + 1..] {
            if (b.date - a.date).get_days() <= SAME_PERIOD_DAYS {
                out.push((a.id, b.id));
            }
        }
    }
    out
}

/// Whether plan `b` may be merged into plan `a` (both of one enterprise, checked by the caller).
pub fn check_merge(a: &PlannedVerification, b: &PlannedVerification) -> Result<(), Message> {
    if a.id == b.id {
        return Err(Message::new(
            "不能把一项计划合并到它自己",
            "a plan cannot be merged into itself",
        ));
    }
    for p in [a, b] {
        if let Some(into) = p.merged_into {
            return Err(Message::new(
                format!("计划 {} 已并入计划 {into}", p.id),
                format!("plan {} is already merged into plan {into}", p.id),
            ));
        }
    }
    let days = (b.date - a.date).get_days().abs();
    if days > SAME_PERIOD_DAYS {
        return Err(Message::new(
            format!("两项计划相隔 {days} 天，不在同一时期（{SAME_PERIOD_DAYS} 天内），不能合并"),
            format!(
                "the plans are {days} days apart, not in the same period ({SAME_PERIOD_DAYS} days): they cannot be merged"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn plan(id: i64, kind: VerificationKind, d: Date) -> PlannedVerification {
        PlannedVerification {
            id,
            kind,
            date: d,
            merged_into: None,
        }
    }

    fn req(credit: CreditLevel, d: Date, reason: Option<&str>) -> ScheduleRequest<'_> {
        ScheduleRequest {
            credit,
            kind: VerificationKind::Management,
            date: d,
            self_check: false,
            override_reason: reason,
        }
    }

    #[test]
    fn a_second_management_verification_in_one_year_needs_a_reason() {
        let m = VerificationKind::Management;
        let existing = [plan(1, m, date(2026, 3, 1))];
        let e = check_schedule(
            &req(CreditLevel::Advanced, date(2026, 12, 31), None),
            &existing,
            1,
        )
        .unwrap_err();
        assert!(e.en().contains("measure 17") && e.zh().contains("措施17"));
        let w = check_schedule(
            &req(CreditLevel::Advanced, date(2026, 12, 31), Some("专项布控")),
            &existing,
            1,
        )
        .unwrap();
        assert!(w.unwrap().contains("专项布控"));
    }

    #[test]
    fn the_yearly_limit_restarts_on_the_first_of_january() {
        let m = VerificationKind::Management;
        let existing = [plan(1, m, date(2026, 12, 31))];
        assert_eq!(
            check_schedule(
                &req(CreditLevel::Certified, date(2027, 1, 1), None),
                &existing,
                1
            ),
            Ok(None)
        );
        // No override is needed, so none is accepted.
        assert!(
            check_schedule(
                &req(CreditLevel::Certified, date(2027, 1, 1), Some("x")),
                &existing,
                1
            )
            .is_err()
        );
        // A merged plan is carried out with the other: it does not count again.
        let merged = [PlannedVerification {
            merged_into: Some(7),
            ..plan(1, m, date(2026, 5, 1))
        }];
        assert_eq!(
            check_schedule(
                &req(CreditLevel::Certified, date(2026, 6, 1), None),
                &merged,
                1
            ),
            Ok(None)
        );
    }

    #[test]
    fn aeo_only_rules_are_refused_for_other_enterprises() {
        let mut r = req(CreditLevel::Regular, date(2026, 6, 1), Some("reason"));
        assert!(
            check_schedule(&r, &[], 1)
                .unwrap_err()
                .en()
                .contains("AEO enterprises only")
        );
        r.override_reason = None;
        r.self_check = true;
        assert!(
            check_schedule(&r, &[], 1)
                .unwrap_err()
                .en()
                .contains("self-check")
        );
        r.self_check = false;
        let twice = [plan(1, VerificationKind::Management, date(2026, 2, 1))];
        assert_eq!(check_schedule(&r, &twice, 1), Ok(None));
    }

    #[test]
    fn orders_in_the_same_period_are_proposed_for_merging() {
        let m = VerificationKind::Management;
        let o = VerificationKind::Other;
        let plans = [
            plan(1, m, date(2026, 3, 1)),
            plan(2, o, date(2026, 3, 20)),
            plan(3, o, date(2026, 9, 1)),
            PlannedVerification {
                merged_into: Some(1),
                ..plan(4, o, date(2026, 3, 5))
            },
        ];
        assert_eq!(merge_proposals(&plans), vec![(1, 2)]);
        assert!(check_merge(&plans[0], &plans[1]).is_ok());
        assert!(
            check_merge(&plans[0], &plans[2])
                .unwrap_err()
                .en()
                .contains("same period")
        );
        assert!(
            check_merge(&plans[0], &plans[3])
                .unwrap_err()
                .en()
                .contains("already merged")
        );
        assert!(check_merge(&plans[0], &plans[0]).is_err());
    }

    #[test]
    fn a_second_management_verification_of_an_aeo_in_one_year_is_flagged() {
        let existing = [(VerificationKind::Management, date(2026, 3, 1))];
        let w = second_verification_warning(
            CreditLevel::Advanced,
            VerificationKind::Management,
            date(2026, 11, 1),
            &existing,
            1,
        );
        assert!(w.unwrap().contains("measure 17"));
    }

    #[test]
    fn other_years_other_kinds_and_non_aeo_are_not_flagged() {
        let existing = [(VerificationKind::Management, date(2025, 12, 31))];
        let m = VerificationKind::Management;
        assert!(
            second_verification_warning(CreditLevel::Advanced, m, date(2026, 1, 1), &existing, 1)
                .is_none()
        );
        let this_year = [(m, date(2026, 2, 1))];
        assert!(
            second_verification_warning(
                CreditLevel::Advanced,
                VerificationKind::Other,
                date(2026, 5, 1),
                &this_year,
                1
            )
            .is_none()
        );
        assert!(
            second_verification_warning(CreditLevel::Regular, m, date(2026, 5, 1), &this_year, 1)
                .is_none()
        );
    }
}
