//! Approvals with statutory time limits (measures 25, 26 and 6): which deadline rule applies to an
//! enterprise and why, and the live countdown it yields.

use super::credit::CreditLevel;
use super::measures::{ApprovalLimit, MeasureCatalog};
use super::queue::coded_enum;
use crate::calendar::{ClockPause, Countdown, DayCount, WorkingCalendar, countdown};
use jiff::Timestamp;
use serde::Serialize;

coded_enum!(
    ApprovalKind {
        SpecialArticles = "special_articles", "特殊物品卫生检疫审批", "special-articles health quarantine approval";
        AnimalPlant = "animal_plant", "进境动植物检疫审批", "entry animal/plant quarantine approval";
        AdvanceRuling = "advance_ruling", "预裁定受理", "advance ruling acceptance";
    }
);

coded_enum!(
    /// Why a clock stops: time the law does not count (行政许可法 第45条) and 补正.
    PauseReason {
        Correction = "correction", "补正", "awaiting missing material";
        Testing = "testing", "检验检测", "inspection, quarantine or testing";
        ExpertReview = "expert_review", "专家评审", "expert review";
        Hearing = "hearing", "听证", "hearing";
    }
);

coded_enum!(
    ApprovalStatus {
        Running = "running", "计时中", "running";
        Paused = "paused", "暂停计时", "paused";
        Decided = "decided", "已办结", "decided";
    }
);

/// The deadline that applies and the reason, as shown beside every approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadlineRule {
    pub measure: u8,
    pub limit_days: u32,
    pub count: DayCount,
    pub regular_days: u32,
    /// The compressed AEO limit applies.
    pub compressed: bool,
    pub reason_zh: String,
    pub reason_en: String,
}

impl DeadlineRule {
    /// The rule in words ("措施25：认证企业5个工作日（常规20个）").
    pub fn reason(&self, lang: crate::text::Lang) -> &str {
        lang.pick(&self.reason_zh, &self.reason_en)
    }
}

fn day_count(code: &str) -> DayCount {
    if code == "calendar" {
        DayCount::Calendar
    } else {
        DayCount::Working
    }
}

fn unit(count: DayCount) -> (&'static str, &'static str) {
    match count {
        DayCount::Working => ("个工作日", "working days"),
        DayCount::Calendar => ("个自然日", "calendar days"),
    }
}

fn limit_rule(limit: &ApprovalLimit, credit: CreditLevel) -> DeadlineRule {
    let count = day_count(&limit.count);
    let (zh, en) = unit(count);
    let m = limit.measure;
    if credit.is_aeo() {
        DeadlineRule {
            measure: m,
            limit_days: limit.aeo_days,
            count,
            regular_days: limit.regular_days,
            compressed: true,
            reason_zh: format!(
                "措施{m}：AEO企业{}{zh}（常规{}{zh}）",
                limit.aeo_days, limit.regular_days
            ),
            reason_en: format!(
                "measure {m}: {} {en} instead of {}",
                limit.aeo_days, limit.regular_days
            ),
        }
    } else {
        DeadlineRule {
            measure: m,
            limit_days: limit.regular_days,
            count,
            regular_days: limit.regular_days,
            compressed: false,
            reason_zh: format!(
                "常规时限{}{zh}（非AEO企业，不适用措施{m}）",
                limit.regular_days
            ),
            reason_en: format!(
                "regular limit: {} {en} (not AEO, measure {m} does not apply)",
                limit.regular_days
            ),
        }
    }
}

/// The one place that decides which time limit an approval runs under.
pub fn deadline_rule(
    kind: ApprovalKind,
    credit: CreditLevel,
    catalog: &MeasureCatalog,
) -> DeadlineRule {
    match kind {
        ApprovalKind::SpecialArticles => limit_rule(&catalog.special_articles_approval(), credit),
        ApprovalKind::AnimalPlant => limit_rule(&catalog.animal_plant_approval(), credit),
        ApprovalKind::AdvanceRuling => {
            let (days, count_code) = catalog.advance_ruling_acceptance();
            let count = day_count(&count_code);
            let (zh, en) = unit(count);
            let (pzh, pen) = if credit.is_aeo() {
                (
                    "措施6：AEO企业优先受理；",
                    "measure 6: AEO accepted first; ",
                )
            } else {
                ("", "")
            };
            DeadlineRule {
                measure: 6,
                limit_days: days,
                count,
                regular_days: days,
                compressed: false,
                reason_zh: format!("{pzh}受理决定{days}{zh}内作出"),
                reason_en: format!("{pen}acceptance decided within {days} {en}"),
            }
        }
    }
}

/// Where an approval stands in the one order of approvals the CLI, the pane and the hotline
/// card all use: undecided before decided, then the earlier due instant (a stopped clock has
/// none and goes after every running one), then the reference, then the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalPlace<'a> {
    pub decided: bool,
    pub due: Option<Timestamp>,
    pub reference: &'a str,
    pub id: i64,
}

impl Ord for ApprovalPlace<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let key = |p: &Self| (p.decided, p.due.is_none(), p.due, p.reference, p.id);
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for ApprovalPlace<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The urgency a countdown is shown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    /// 25% or less of the counted time is left.
    NearlyDue,
    Overdue,
}

/// The share of the limit left at which a countdown turns to "nearly due".
pub const NEARLY_DUE_FRACTION: f64 = 0.25;

pub fn urgency(c: &Countdown) -> Urgency {
    if c.overdue {
        Urgency::Overdue
    } else if c.fraction_left <= NEARLY_DUE_FRACTION {
        Urgency::NearlyDue
    } else {
        Urgency::Normal
    }
}

/// The deadline and the countdown of an undecided approval at `now`.
pub fn approval_countdown(
    cal: &WorkingCalendar,
    rule: &DeadlineRule,
    accepted_at: Timestamp,
    pauses: &[ClockPause],
    now: Timestamp,
) -> Countdown {
    countdown(cal, accepted_at, rule.limit_days, rule.count, pauses, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> &'static MeasureCatalog {
        MeasureCatalog::official()
    }

    #[test]
    fn special_articles_approval_of_an_aeo_enterprise_runs_five_working_days_instead_of_twenty() {
        for level in [CreditLevel::Advanced, CreditLevel::Certified] {
            let r = deadline_rule(ApprovalKind::SpecialArticles, level, cat());
            assert_eq!(
                (r.limit_days, r.count, r.compressed),
                (5, DayCount::Working, true)
            );
            assert_eq!(r.reason_en, "measure 25: 5 working days instead of 20");
        }
        let r = deadline_rule(ApprovalKind::SpecialArticles, CreditLevel::Regular, cat());
        assert_eq!((r.limit_days, r.compressed), (20, false));
    }

    #[test]
    fn animal_plant_approval_of_an_advanced_enterprise_runs_ten_working_days() {
        let r = deadline_rule(ApprovalKind::AnimalPlant, CreditLevel::Advanced, cat());
        assert_eq!(
            (r.measure, r.limit_days, r.count),
            (26, 10, DayCount::Working)
        );
        let r = deadline_rule(ApprovalKind::AnimalPlant, CreditLevel::Dishonest, cat());
        assert_eq!(r.limit_days, 20);
        assert!(r.reason_en.contains("not AEO"));
    }

    #[test]
    fn advance_ruling_acceptance_counts_calendar_days() {
        let r = deadline_rule(ApprovalKind::AdvanceRuling, CreditLevel::Advanced, cat());
        assert_eq!(
            (r.measure, r.limit_days, r.count),
            (6, 10, DayCount::Calendar)
        );
        assert!(r.reason_zh.contains("自然日"));
    }

    #[test]
    fn a_countdown_turns_nearly_due_at_a_quarter_left_and_overdue_past_due() {
        let cal = WorkingCalendar::official();
        let rule = deadline_rule(ApprovalKind::SpecialArticles, CreditLevel::Advanced, cat());
        // Accepted Friday 2026-11-20; five working days: 11-23 .. 11-27, due 11-28 00:00 Shanghai.
        let accepted: Timestamp = "2026-11-20T02:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let c = approval_countdown(cal, &rule, accepted, &[], at("2026-11-23T00:00:00Z"));
        assert_eq!(urgency(&c), Urgency::Normal);
        let c = approval_countdown(cal, &rule, accepted, &[], at("2026-11-26T12:00:00Z"));
        assert_eq!(urgency(&c), Urgency::NearlyDue);
        let c = approval_countdown(cal, &rule, accepted, &[], at("2026-11-28T01:00:00Z"));
        assert_eq!(urgency(&c), Urgency::Overdue);
        assert_eq!(c.due, Some(at("2026-11-27T16:00:00Z")));
    }
}
