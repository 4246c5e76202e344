//! Approvals with statutory time limits (measures 25, 26 and 6): which deadline rule applies to an
//! enterprise and why, and the live countdown it yields.

use super::credit::CreditLevel;
use super::measures::{ApprovalLimit, MeasureCatalog};
use super::message::Message;
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
    /// Why a clock stops: the time 行政许可法 第45条 does not count. 补正 is not one of them: it
    /// comes before acceptance (第32条) and moves the acceptance instead.
    PauseReason {
        Hearing = "hearing", "听证", "hearing";
        Tender = "tender", "招标", "tendering";
        Auction = "auction", "拍卖", "auction";
        Inspection = "inspection", "检验", "inspection";
        Testing = "testing", "检测", "testing";
        Quarantine = "quarantine", "检疫", "quarantine";
        Appraisal = "appraisal", "鉴定", "appraisal";
        ExpertReview = "expert_review", "专家评审", "expert review";
    }
);

/// The days 行政许可法 第42条 adds, once, with the approval of the office's head.
pub const EXTENSION_DAYS: u32 = 10;

/// What is on record about an approval beyond its kind and the enterprise's credit: whether
/// Shanghai Customs holds the final authority (终审权限) for the product (measure 26), and who
/// approved a 第42条 extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalTerms<'a> {
    pub final_authority: bool,
    pub extended_by: Option<&'a str>,
}

impl Default for ApprovalTerms<'_> {
    fn default() -> Self {
        ApprovalTerms {
            final_authority: true,
            extended_by: None,
        }
    }
}

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
    /// Days added by a 第42条 extension (included in `limit_days`).
    pub extension_days: u32,
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

    /// The kind in eight columns, for the approvals pane's narrow table.
    pub fn short_name(self, lang: crate::text::Lang) -> &'static str {
        match self {
            ApprovalKind::SpecialArticles => lang.pick("特殊物品", "special"),
            ApprovalKind::AnimalPlant => lang.pick("动植物", "anim/pl."),
            ApprovalKind::AdvanceRuling => lang.pick("预裁定", "ruling"),
        }
    }

    /// Whether Shanghai's final authority (终审权限) is a question for this kind: measure 26
    /// shortens the animal/plant quarantine approvals of the products it covers, and no others.
    pub fn check_final_authority(self) -> Result<(), Message> {
        if self == ApprovalKind::AnimalPlant {
            return Ok(());
        }
        Err(Message::new(
            format!(
                "{}：终审权限只关系到措施26的进境动植物检疫审批",
                self.name_zh()
            ),
            format!(
                "a {}: the final authority matters to measure 26's animal/plant quarantine approvals only",
                self.name_en()
            ),
        ))
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

/// `final_authority`: None where the limit does not depend on it (measure 25), else whether
/// Shanghai Customs holds the final authority for the product (measure 26).
fn limit_rule(
    limit: &ApprovalLimit,
    credit: CreditLevel,
    final_authority: Option<bool>,
) -> DeadlineRule {
    let count = day_count(&limit.count);
    let (aeo_zh, aeo_en) = days_text(limit.aeo_days, count);
    let (reg_zh, reg_en) = days_text(limit.regular_days, count);
    let m = limit.measure;
    let regular = |zh: String, en: String| DeadlineRule {
        measure: m,
        limit_days: limit.regular_days,
        count,
        regular_days: limit.regular_days,
        compressed: false,
        extension_days: 0,
        reason_zh: zh,
        reason_en: en,
    };
    if !credit.is_aeo() {
        regular(
            format!("常规时限{reg_zh}（非AEO企业，不适用措施{m}）"),
            format!("regular limit: {reg_en} (not AEO, measure {m} does not apply)"),
        )
    } else if final_authority == Some(false) {
        // Measure 26 shortens the approvals of products for which GACC authorised Shanghai
        // Customs to decide finally (终审权限); others run the regular limit.
        regular(
            format!("常规时限{reg_zh}（非上海终审权限产品，不适用措施{m}）"),
            format!(
                "regular limit: {reg_en} (Shanghai Customs has no final authority for the product, measure {m} does not apply)"
            ),
        )
    } else {
        DeadlineRule {
            measure: m,
            limit_days: limit.aeo_days,
            count,
            regular_days: limit.regular_days,
            compressed: true,
            extension_days: 0,
            reason_zh: format!(
                "措施{m}{}：AEO企业{aeo_zh}（常规{reg_zh}）",
                if final_authority.is_some() {
                    "（上海终审权限）"
                } else {
                    ""
                }
            ),
            reason_en: format!(
                "measure {m}: {aeo_en} instead of {}{}",
                limit.regular_days,
                if final_authority.is_some() {
                    " (Shanghai Customs decides finally)"
                } else {
                    ""
                }
            ),
        }
    }
}

impl DeadlineRule {
    /// May this limit be extended by 行政许可法 第42条? Only a licence's regular limit (the
    /// statutory twenty working days), once; the plan's compressed limits and the advance
    /// ruling's calendar days are not extended.
    pub fn check_extension(&self, approver: &str) -> Result<(), Message> {
        self.check_extendable()?;
        if approver.trim().is_empty() {
            return Err(Message::new(
                "延长须写明批准的负责人（行政许可法第42条）",
                "an extension names the head of office who approved it (行政许可法 第42条)",
            ));
        }
        Ok(())
    }

    /// Whether the limit itself may be extended, before anyone is named (the console asks this
    /// before it opens the form).
    pub fn check_extendable(&self) -> Result<(), Message> {
        if self.extension_days > 0 {
            return Err(Message::new(
                "已延长过一次：第42条只允许延长一次",
                "already extended: 第42条 allows one extension",
            ));
        }
        if self.compressed {
            return Err(Message::new(
                format!(
                    "措施{}的压缩时限是本计划的承诺，不适用第42条延长；第42条只延长常规时限",
                    self.measure
                ),
                format!(
                    "the compressed limit of measure {} is the plan's commitment: 第42条 extends the regular limit only",
                    self.measure
                ),
            ));
        }
        if self.count != DayCount::Working {
            return Err(Message::new(
                "预裁定受理的自然日时限不适用行政许可法第42条延长",
                "the advance ruling's calendar-day limit is not a licence limit: 第42条 does not extend it",
            ));
        }
        Ok(())
    }

    /// The rule after a 第42条 extension approved by `approver`.
    fn extended(mut self, approver: &str) -> DeadlineRule {
        let (zh, en) = days_text(EXTENSION_DAYS, self.count);
        self.limit_days += EXTENSION_DAYS;
        self.extension_days = EXTENSION_DAYS;
        self.reason_zh
            .push_str(&format!("；经{approver}批准延长{zh}（第42条）"));
        self.reason_en.push_str(&format!(
            "; extended by {en} (第42条), approved by {approver}"
        ));
        self
    }
}

/// The one place that decides which time limit an approval runs under.
pub fn deadline_rule(
    kind: ApprovalKind,
    credit: CreditLevel,
    terms: ApprovalTerms<'_>,
    catalog: &MeasureCatalog,
) -> DeadlineRule {
    let rule = base_rule(kind, credit, terms.final_authority, catalog);
    match terms.extended_by {
        Some(approver) => rule.extended(approver),
        None => rule,
    }
}

fn base_rule(
    kind: ApprovalKind,
    credit: CreditLevel,
    final_authority: bool,
    catalog: &MeasureCatalog,
) -> DeadlineRule {
    match kind {
        // The 终审权限 condition is measure 26's alone.
        ApprovalKind::SpecialArticles => {
            limit_rule(&catalog.special_articles_approval(), credit, None)
        }
        ApprovalKind::AnimalPlant => limit_rule(
            &catalog.animal_plant_approval(),
            credit,
            Some(final_authority),
        ),
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
                extension_days: 0,
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
            format!(
                "受理时间 {} 尚未到来",
                crate::calendar::minute_text(accepted_at)
            ),
            format!(
                "the acceptance {} lies in the future",
                crate::calendar::minute_text(accepted_at)
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
                crate::calendar::minute_text(start),
                crate::calendar::minute_text(accepted_at)
            ),
            format!(
                "a pause at {} lies before the acceptance {}: no clock runs before acceptance",
                crate::calendar::minute_text(start),
                crate::calendar::minute_text(accepted_at)
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
                crate::calendar::minute_text(start),
                crate::calendar::minute_text(p.end.unwrap_or(start))
            ),
            format!(
                "a pause at {} lies inside an earlier pause (until {})",
                crate::calendar::minute_text(start),
                crate::calendar::minute_text(p.end.unwrap_or(start))
            ),
        ));
    }
    Ok(())
}

/// 补正 (行政许可法 第32条): the applicant completes the material, and the application counts as
/// accepted when the complete material is received. The acceptance moves to `received`: later
/// than the acceptance on record (补正 never starts a clock earlier), not in the future, and
/// before any clock pause (no pause lies before an acceptance).
pub fn check_correction(
    accepted_at: Timestamp,
    pauses: &[PauseSpan],
    received: Timestamp,
    now: Timestamp,
) -> Result<(), Message> {
    let at = crate::calendar::minute_text;
    if received <= accepted_at {
        return Err(Message::new(
            format!(
                "补正材料收到时间 {} 不晚于现受理时间 {}：补正只会推迟受理",
                at(received),
                at(accepted_at)
            ),
            format!(
                "the complete material received at {} is not after the acceptance on record {}: 补正 only moves the acceptance later",
                at(received),
                at(accepted_at)
            ),
        ));
    }
    check_acceptance(received, now)?;
    if let Some(p) = pauses.iter().find(|p| p.start < received) {
        return Err(Message::new(
            format!(
                "{} 已有暂停计时记录，早于补正后的受理 {}：补正在受理之前",
                at(p.start),
                at(received)
            ),
            format!(
                "a clock pause at {} lies before the acceptance after 补正 {}: 补正 comes before acceptance",
                at(p.start),
                at(received)
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
                format!(
                    "暂停 {} 的结束早于开始",
                    crate::calendar::minute_text(p.start)
                ),
                format!(
                    "the pause at {} ends before it starts",
                    crate::calendar::minute_text(p.start)
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
            let r = deadline_rule(
                ApprovalKind::SpecialArticles,
                level,
                ApprovalTerms::default(),
                cat(),
            );
            assert_eq!(
                (r.limit_days, r.count, r.compressed),
                (5, DayCount::Working, true)
            );
            assert_eq!(r.reason_en, "measure 25: 5 working days instead of 20");
        }
        let r = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Regular,
            ApprovalTerms::default(),
            cat(),
        );
        assert_eq!((r.limit_days, r.compressed), (20, false));
    }

    #[test]
    fn animal_plant_approval_of_an_advanced_enterprise_runs_ten_working_days() {
        let r = deadline_rule(
            ApprovalKind::AnimalPlant,
            CreditLevel::Advanced,
            ApprovalTerms::default(),
            cat(),
        );
        assert_eq!(
            (r.measure, r.limit_days, r.count),
            (26, 10, DayCount::Working)
        );
        let r = deadline_rule(
            ApprovalKind::AnimalPlant,
            CreditLevel::Dishonest,
            ApprovalTerms::default(),
            cat(),
        );
        assert_eq!(r.limit_days, 20);
        assert!(r.reason_en.contains("not AEO"));
    }

    #[test]
    fn advance_ruling_acceptance_counts_calendar_days() {
        let r = deadline_rule(
            ApprovalKind::AdvanceRuling,
            CreditLevel::Advanced,
            ApprovalTerms::default(),
            cat(),
        );
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
        let r = deadline_rule(
            ApprovalKind::AdvanceRuling,
            CreditLevel::Regular,
            ApprovalTerms::default(),
            cat(),
        );
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
    fn measure_26_needs_shanghais_final_authority_for_the_product() {
        let on = deadline_rule(
            ApprovalKind::AnimalPlant,
            CreditLevel::Advanced,
            ApprovalTerms::default(),
            cat(),
        );
        assert_eq!((on.limit_days, on.compressed), (10, true));
        assert!(on.reason_zh.contains("终审权限"), "{}", on.reason_zh);
        let off = ApprovalTerms {
            final_authority: false,
            extended_by: None,
        };
        let r = deadline_rule(ApprovalKind::AnimalPlant, CreditLevel::Advanced, off, cat());
        assert_eq!((r.limit_days, r.compressed), (20, false));
        assert!(
            r.reason_zh.contains("非上海终审权限产品"),
            "{}",
            r.reason_zh
        );
        // Measure 25 does not depend on it.
        let r = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Advanced,
            off,
            cat(),
        );
        assert_eq!(r.limit_days, 5);
        // So the question is asked of animal/plant approvals only.
        assert!(ApprovalKind::AnimalPlant.check_final_authority().is_ok());
        for kind in [ApprovalKind::SpecialArticles, ApprovalKind::AdvanceRuling] {
            let err = kind.check_final_authority().unwrap_err();
            assert!(err.zh().contains("措施26"), "{err}");
        }
    }

    #[test]
    fn article_42_extends_a_regular_limit_once_by_ten_working_days() {
        let base = ApprovalTerms::default();
        let regular = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Regular,
            base,
            cat(),
        );
        assert!(regular.check_extension("王科长").is_ok());
        assert!(
            regular.check_extension("  ").is_err(),
            "the approver is named"
        );
        let extended = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Regular,
            ApprovalTerms {
                extended_by: Some("王科长"),
                ..base
            },
            cat(),
        );
        assert_eq!((extended.limit_days, extended.extension_days), (30, 10));
        assert!(
            extended.reason_zh.contains("经王科长批准延长10个工作日"),
            "{}",
            extended.reason_zh
        );
        let err = extended.check_extension("李处长").unwrap_err();
        assert!(err.en().contains("one extension"), "{err}");
        // Asked before anyone is named (the console's key), the answer is the same.
        assert!(regular.check_extendable().is_ok());
        assert_eq!(extended.check_extendable().unwrap_err(), err);
        // Not the plan's compressed limits, not the advance ruling's calendar days.
        let aeo = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Certified,
            base,
            cat(),
        );
        assert!(aeo.check_extension("王科长").is_err());
        let ruling = deadline_rule(
            ApprovalKind::AdvanceRuling,
            CreditLevel::Regular,
            base,
            cat(),
        );
        assert!(ruling.check_extension("王科长").is_err());
    }

    #[test]
    fn pauses_are_the_reasons_of_article_45_and_correction_moves_the_acceptance() {
        let names: Vec<&str> = PauseReason::ALL.iter().map(|r| r.name_zh()).collect();
        assert_eq!(
            names,
            [
                "听证",
                "招标",
                "拍卖",
                "检验",
                "检测",
                "检疫",
                "鉴定",
                "专家评审"
            ]
        );
        assert!(
            PauseReason::parse("correction").is_err(),
            "补正 is no pause"
        );
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let accepted = at("2026-11-20T02:00:00Z");
        let now = at("2026-11-25T02:00:00Z");
        // The complete material received two days later: the acceptance moves there.
        assert!(check_correction(accepted, &[], at("2026-11-22T02:00:00Z"), now).is_ok());
        // Never earlier, never in the future.
        assert!(check_correction(accepted, &[], at("2026-11-19T02:00:00Z"), now).is_err());
        assert!(check_correction(accepted, &[], at("2026-11-26T02:00:00Z"), now).is_err());
        // Not past a pause already on record: 补正 comes before acceptance, a pause after.
        let pause = PauseSpan {
            start: at("2026-11-21T02:00:00Z"),
            end: Some(at("2026-11-21T08:00:00Z")),
        };
        let err =
            check_correction(accepted, &[pause], at("2026-11-22T02:00:00Z"), now).unwrap_err();
        assert!(err.en().contains("comes before acceptance"), "{err}");
        // A later acceptance gives a later deadline: the clock starts again (Friday 11-20 to
        // Monday 11-23: one working day later).
        let cal = WorkingCalendar::official();
        let rule = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Advanced,
            ApprovalTerms::default(),
            cat(),
        );
        let before = approval_countdown(cal, &rule, accepted, &[], now)
            .due
            .unwrap();
        let after = approval_countdown(cal, &rule, at("2026-11-23T02:00:00Z"), &[], now)
            .due
            .unwrap();
        assert!(after > before);
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
        let rule = deadline_rule(
            ApprovalKind::SpecialArticles,
            CreditLevel::Advanced,
            ApprovalTerms::default(),
            cat(),
        );
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
