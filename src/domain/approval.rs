//! Approvals with statutory time limits (measures 25, 26 and 6): which deadline rule applies to an
//! enterprise and why, and the live countdown it yields.

use super::credit::CreditLevel;
use super::measures::{ApprovalLimit, MeasureCatalog};
use super::message::Message;
use super::queue::coded_enum;
use crate::calendar::{ClockPause, Countdown, DayCount, WorkingCalendar, countdown};
use crate::present;
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

impl ApprovalKind {
    /// How an approval of this kind is decided, favourably (`grant`) or not, in Chinese and
    /// English: a licence is granted or refused (准予/不予许可); an advance ruling is issued or
    /// refused (Decree 236: 签发预裁定决定书 / 不予签发).
    pub fn decision_words(self, grant: bool) -> (&'static str, &'static str) {
        match (self, grant) {
            (ApprovalKind::AdvanceRuling, true) => ("签发预裁定", "ruling issued"),
            (ApprovalKind::AdvanceRuling, false) => ("不予签发预裁定", "ruling refused"),
            (_, true) => ("准予许可", "licence granted"),
            (_, false) => ("不予许可", "licence refused"),
        }
    }
}

/// "1 working day", "5 working days", "10 calendar days"; Chinese needs no plural.
pub fn days_text(n: u32, count: DayCount) -> (String, String) {
    let (zh, en) = match count {
        DayCount::Working => ("个工作日", "working day"),
        DayCount::Calendar => ("个自然日", "calendar day"),
    };
    let plural = if n == 1 { "" } else { "s" };
    (format!("{n}{zh}"), format!("{n} {en}{plural}"))
}

fn limit_rule(limit: &ApprovalLimit, credit: CreditLevel) -> DeadlineRule {
    let count = day_count(&limit.count);
    let (aeo_zh, aeo_en) = days_text(limit.aeo_days, count);
    let (reg_zh, reg_en) = days_text(limit.regular_days, count);
    let m = limit.measure;
    if credit.is_aeo() {
        DeadlineRule {
            measure: m,
            limit_days: limit.aeo_days,
            count,
            regular_days: limit.regular_days,
            compressed: true,
            reason_zh: format!("措施{m}：AEO企业{aeo_zh}（常规{reg_zh}）"),
            reason_en: format!("measure {m}: {aeo_en} instead of {}", limit.regular_days),
        }
    } else {
        DeadlineRule {
            measure: m,
            limit_days: limit.regular_days,
            count,
            regular_days: limit.regular_days,
            compressed: false,
            reason_zh: format!("常规时限{reg_zh}（非AEO企业，不适用措施{m}）"),
            reason_en: format!("regular limit: {reg_en} (not AEO, measure {m} does not apply)"),
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
            let (zh, en) = days_text(days, count);
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
                reason_zh: format!("{pzh}自收到申请起{zh}内决定是否受理"),
                reason_en: format!("{pen}acceptance decided within {en} of receipt"),
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

/// An acceptance is a fact: it cannot lie in the future.
pub fn check_acceptance(accepted_at: Timestamp, now: Timestamp) -> Result<(), Message> {
    if accepted_at > now {
        return Err(Message::new(
            format!("受理时间 {} 尚未到来", present::instant(accepted_at)),
            format!(
                "the acceptance {} lies in the future",
                present::instant(accepted_at)
            ),
        ));
    }
    Ok(())
}

/// A clock pause as recorded: when it started and, once resumed, when it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PauseSpan {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
}

/// May a clock pause start at `start`? Not before acceptance (there is no clock yet; missing
/// material before acceptance is 补正, which moves the acceptance), not while another is open,
/// and not inside an earlier pause.
pub fn check_pause_start(
    accepted_at: Timestamp,
    earlier: &[PauseSpan],
    start: Timestamp,
) -> Result<(), Message> {
    if start < accepted_at {
        return Err(Message::new(
            format!(
                "暂停 {} 早于受理 {}：受理前没有计时",
                present::instant(start),
                present::instant(accepted_at)
            ),
            format!(
                "a pause at {} lies before the acceptance {}: no clock runs before acceptance",
                present::instant(start),
                present::instant(accepted_at)
            ),
        ));
    }
    if earlier.iter().any(|p| p.end.is_none()) {
        return Err(Message::new(
            "已在暂停计时中：先恢复计时",
            "the clock is already paused: resume it first",
        ));
    }
    if let Some(p) = earlier.iter().find(|p| p.end.is_some_and(|e| start < e)) {
        return Err(Message::new(
            format!(
                "暂停 {} 落在前一次暂停（至 {}）之内",
                present::instant(start),
                present::instant(p.end.unwrap_or(start))
            ),
            format!(
                "a pause at {} lies inside an earlier pause (until {})",
                present::instant(start),
                present::instant(p.end.unwrap_or(start))
            ),
        ));
    }
    Ok(())
}

/// A whole record of pauses and a decision, as an import gives it: each pause starts after
/// acceptance and after the previous one ended, ends after it starts; at most the last is open;
/// no decision while a pause is open, nor inside a pause.
pub fn check_pauses(
    accepted_at: Timestamp,
    pauses: &[PauseSpan],
    decided_at: Option<Timestamp>,
) -> Result<(), Message> {
    let mut sorted = pauses.to_vec();
    sorted.sort_by_key(|p| p.start);
    for (i, p) in sorted.iter().enumerate() {
        check_pause_start(accepted_at, &sorted[..i], p.start)?;
        if p.end.is_some_and(|e| e < p.start) {
            return Err(Message::new(
                format!("暂停 {} 的结束早于开始", present::instant(p.start)),
                format!(
                    "the pause at {} ends before it starts",
                    present::instant(p.start)
                ),
            ));
        }
    }
    if let Some(decided) = decided_at {
        check_decision(&sorted, decided)?;
    }
    Ok(())
}

/// May the approval be decided at `at`? Not while its clock is paused: resume it first, so the
/// counted time is on record.
pub fn check_decision(pauses: &[PauseSpan], at: Timestamp) -> Result<(), Message> {
    let inside = pauses
        .iter()
        .any(|p| p.start <= at && p.end.is_none_or(|e| at < e));
    if inside {
        return Err(Message::new(
            "暂停计时中不能办结：先恢复计时",
            "the clock is paused: resume it before deciding",
        ));
    }
    Ok(())
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
    fn terms_follow_the_plan_and_the_law() {
        // An advance ruling is issued or refused, a licence granted or refused.
        assert_eq!(
            ApprovalKind::AdvanceRuling.decision_words(true).0,
            "签发预裁定"
        );
        assert_eq!(
            ApprovalKind::AnimalPlant.decision_words(false).0,
            "不予许可"
        );
        // English counts its days.
        assert_eq!(days_text(1, DayCount::Working).1, "1 working day");
        assert_eq!(days_text(10, DayCount::Calendar).1, "10 calendar days");
        // The 10 days of an advance ruling run from receipt of the application.
        let r = deadline_rule(ApprovalKind::AdvanceRuling, CreditLevel::Regular, cat());
        assert!(r.reason_zh.contains("自收到申请起"), "{}", r.reason_zh);
        assert_eq!(
            crate::domain::queue::WorkKind::QuarantineSiteReview.name_zh(),
            "进境动物指定隔离场再次申请使用的考核"
        );
        assert_eq!(
            crate::domain::verification::VerificationKind::Management.name_zh(),
            "管理类核查"
        );
    }

    #[test]
    fn pauses_and_decisions_respect_the_clock() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let accepted = at("2026-11-20T02:00:00Z");
        // An acceptance in the future is refused.
        assert!(check_acceptance(accepted, at("2026-11-19T00:00:00Z")).is_err());
        assert!(check_acceptance(accepted, accepted).is_ok());
        // No pause before acceptance: 补正 then moves the acceptance instead.
        let err = check_pause_start(accepted, &[], at("2026-11-19T00:00:00Z")).unwrap_err();
        assert!(err.en().contains("before the acceptance"), "{err}");
        // No second open pause.
        let open = PauseSpan {
            start: at("2026-11-21T00:00:00Z"),
            end: None,
        };
        assert!(check_pause_start(accepted, &[open], at("2026-11-22T00:00:00Z")).is_err());
        // No decision while a pause is open, nor inside a closed one.
        assert!(check_decision(&[open], at("2026-11-22T00:00:00Z")).is_err());
        let closed = PauseSpan {
            end: Some(at("2026-11-23T00:00:00Z")),
            ..open
        };
        assert!(check_decision(&[closed], at("2026-11-22T00:00:00Z")).is_err());
        assert!(check_decision(&[closed], at("2026-11-24T00:00:00Z")).is_ok());
        assert!(check_pauses(accepted, &[closed, open], None).is_err());
        assert!(check_pauses(accepted, &[closed], Some(at("2026-11-24T00:00:00Z"))).is_ok());
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
