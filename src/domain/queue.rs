//! Work items of the priority queue (measures 1–5, 8, 9, 12, 13, 21–23, 32) and the one function
//! that orders them: abnormal first, then AEO, then 加急, then the earlier deadline, then arrival.

use super::credit::CreditLevel;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn name_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            pub fn name_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            /// The name an operator reads, in their language.
            pub fn name(self, lang: $crate::text::Lang) -> &'static str {
                lang.pick(self.name_zh(), self.name_en())
            }
            pub fn parse(s: &str) -> Result<Self, String> {
                let t = s.trim();
                let norm = t.to_ascii_lowercase().replace('-', "_");
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == norm || v.name_zh() == t)
                    .ok_or_else(|| {
                        let codes: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                        format!(
                            "unknown {} '{}' (expected one of: {})",
                            $crate::domain::queue::words(stringify!($name)),
                            t,
                            codes.join(", ")
                        )
                    })
            }
        }
    };
}
pub(crate) use coded_enum;

/// A type name in words, for messages: "WorkKind" → "work kind".
pub(crate) fn words(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

coded_enum!(
    /// What a queue item is; each kind carries the measure it serves.
    WorkKind {
        Declaration = "declaration", "报关单手续", "declaration formalities";
        PortInspection = "port_inspection", "口岸检查采样", "port inspection and sampling";
        HazmatSample = "hazmat_sample", "危化品样品运送", "hazardous-chemical sample transport";
        LabSample = "lab_sample", "实验室送检", "lab sample submission";
        LabTest = "lab_test", "实验室检测", "laboratory testing";
        WhitelistReferral = "whitelist_referral", "特殊物品白名单推荐", "special-articles whitelist referral";
        TaxFastTrack = "tax_fast_track", "减免税快审", "tax exemption fast track";
        FoodRegistration = "food_registration", "出口食品境外注册推荐", "food exporter registration referral";
        ArchiveQuery = "archive_query", "报关单档案查询", "declaration archive query";
        NonIntrusiveInspection = "non_intrusive_inspection", "非侵入式查验", "non-intrusive inspection";
        ReportAcceptance = "report_acceptance", "检测报告采信", "acceptance of enterprise test report";
        QuarantineSiteReview = "quarantine_site_review", "进境动物指定隔离场再次申请使用的考核", "assessment for re-use of a designated entry-animal quarantine site";
        WebApplication = "web_application", "外网应用及制卡", "web application and card making";
    }
);

impl WorkKind {
    /// The measure of the plan this kind of work serves.
    pub fn measure(self) -> u8 {
        match self {
            WorkKind::Declaration => 1,
            WorkKind::PortInspection => 2,
            WorkKind::HazmatSample => 3,
            WorkKind::LabSample => 4,
            WorkKind::LabTest => 5,
            WorkKind::WhitelistReferral => 8,
            WorkKind::TaxFastTrack => 9,
            WorkKind::FoodRegistration => 12,
            WorkKind::ArchiveQuery => 13,
            WorkKind::NonIntrusiveInspection => 21,
            WorkKind::ReportAcceptance => 22,
            WorkKind::QuarantineSiteReview => 23,
            WorkKind::WebApplication => 32,
        }
    }

    /// Work that exists only through its measure: the whitelist referral (8), the tax fast track
    /// (9: integrated circuits, new displays, aviation maintenance materials) and the foreign
    /// registration referral (12: food exporters). An enterprise the measure does not reach
    /// cannot have it.
    pub fn is_measure_specific(self) -> bool {
        matches!(
            self,
            WorkKind::WhitelistReferral | WorkKind::TaxFastTrack | WorkKind::FoodRegistration
        )
    }

    /// Kinds that concern one customs declaration carry its 18-digit number.
    pub fn takes_declaration_no(self) -> bool {
        matches!(
            self,
            WorkKind::Declaration
                | WorkKind::PortInspection
                | WorkKind::NonIntrusiveInspection
                | WorkKind::ArchiveQuery
        )
    }
}

coded_enum!(
    WorkStatus {
        Waiting = "waiting", "待办", "waiting";
        InProgress = "in_progress", "办理中", "in progress";
        Done = "done", "已办结", "done";
        Abnormal = "abnormal", "异常", "abnormal";
    }
);

impl WorkStatus {
    /// Open work stays in the queue; abnormal work stays too, to be handled at once (measure 7).
    pub fn is_open(self) -> bool {
        !matches!(self, WorkStatus::Done)
    }
}

/// Flags shown beside an item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkFlags {
    /// 加急: set automatically for lab samples (measure 4) and lab tests (measure 5) of AEO
    /// enterprises.
    pub urgent: bool,
    /// Eligible for non-intrusive (machine) inspection (measure 21).
    pub non_intrusive: bool,
    /// The enterprise's own test report is accepted instead of a lab test (measure 22).
    pub report_accepted: bool,
}

impl WorkFlags {
    /// The flags the plan sets by itself, whatever was asked for.
    pub fn automatic(kind: WorkKind, credit: CreditLevel, requested: WorkFlags) -> WorkFlags {
        WorkFlags {
            urgent: requested.urgent
                || (matches!(kind, WorkKind::LabSample | WorkKind::LabTest) && credit.is_aeo()),
            non_intrusive: requested.non_intrusive || kind == WorkKind::NonIntrusiveInspection,
            report_accepted: requested.report_accepted || kind == WorkKind::ReportAcceptance,
        }
    }

    /// The flags that are set, by name, in the operator's language.
    pub fn labels(self, lang: crate::text::Lang) -> Vec<&'static str> {
        [
            (self.urgent, "加急", "URGENT"),
            (self.non_intrusive, "非侵入", "non-intrusive"),
            (self.report_accepted, "采信", "report-accepted"),
        ]
        .into_iter()
        .filter(|(set, _, _)| *set)
        .map(|(_, zh, en)| lang.pick(zh, en))
        .collect()
    }
}

/// An item's times as the plan reads them: its deadline cannot precede its arrival.
pub fn check_item_times(
    received_at: Timestamp,
    due_at: Option<Timestamp>,
) -> Result<(), super::message::Message> {
    match due_at {
        Some(due) if due < received_at => Err(super::message::Message::new(
            format!(
                "时限 {} 早于到达时间 {}",
                crate::calendar::minute_text(due),
                crate::calendar::minute_text(received_at)
            ),
            format!(
                "the deadline {} lies before the arrival {}",
                crate::calendar::minute_text(due),
                crate::calendar::minute_text(received_at)
            ),
        )),
        _ => Ok(()),
    }
}

/// What the queue order looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueKey {
    /// Marked abnormal: handled at once (measure 7: 第一时间处置).
    pub abnormal: bool,
    pub aeo: bool,
    /// 加急.
    pub urgent: bool,
    pub due: Option<Timestamp>,
    pub received_at: Timestamp,
    pub id: i64,
}

/// The queue order: abnormal work first (handled at once, measure 7); then AEO enterprises'
/// work; then 加急; then the earlier deadline (work with a deadline before work without one);
/// then the earlier arrival; then the lower id, so the order is total.
pub fn queue_order(a: &QueueKey, b: &QueueKey) -> Ordering {
    b.abnormal
        .cmp(&a.abnormal)
        .then_with(|| b.aeo.cmp(&a.aeo))
        .then_with(|| b.urgent.cmp(&a.urgent))
        .then_with(|| match (a.due, b.due) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.received_at.cmp(&b.received_at))
        .then_with(|| a.id.cmp(&b.id))
}

/// A filtered list is counted up to this many, then said to hold more (`1000+`): counting
/// all 258,000 open items whose declaration number starts with a typed `2` took 120 ms of a
/// keystroke, and a kind (no index of its own) is read row by row. (The tests' demo queue is
/// small: a lower cap there.)
#[cfg(not(test))]
pub const COUNT_CAP: usize = 1000;
#[cfg(test)]
pub const COUNT_CAP: usize = 50;

/// How many items a filter leaves: all of them, or more than [`COUNT_CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub n: usize,
    /// More than `n` match (then `n` is `COUNT_CAP`).
    pub more: bool,
}

impl Count {
    /// `n` counted as far as one past the cap.
    pub fn capped(n: i64) -> Count {
        let n = n.max(0) as usize;
        Count {
            n: n.min(COUNT_CAP),
            more: n > COUNT_CAP,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.n, if self.more { "+" } else { "" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(aeo: bool, due: Option<&str>, received: &str, id: i64) -> QueueKey {
        QueueKey {
            abnormal: false,
            urgent: false,
            aeo,
            due: due.map(|d| d.parse().unwrap()),
            received_at: received.parse().unwrap(),
            id,
        }
    }

    #[test]
    fn aeo_work_goes_before_earlier_regular_work() {
        let regular = key(
            false,
            Some("2026-11-27T01:00:00Z"),
            "2026-11-20T00:00:00Z",
            1,
        );
        let aeo = key(true, None, "2026-11-27T00:00:00Z", 2);
        assert_eq!(queue_order(&aeo, &regular), Ordering::Less);
    }

    #[test]
    fn among_aeo_work_the_earlier_deadline_goes_first_and_a_deadline_beats_none() {
        let late = key(
            true,
            Some("2026-11-30T00:00:00Z"),
            "2026-11-01T00:00:00Z",
            1,
        );
        let soon = key(
            true,
            Some("2026-11-28T00:00:00Z"),
            "2026-11-25T00:00:00Z",
            2,
        );
        let none = key(true, None, "2026-10-01T00:00:00Z", 3);
        let mut v = [none, late, soon];
        v.sort_by(queue_order);
        assert_eq!(v.iter().map(|k| k.id).collect::<Vec<_>>(), vec![2, 1, 3]);
    }

    #[test]
    fn abnormal_work_goes_first_then_aeo_then_urgent() {
        let aeo = key(
            true,
            Some("2026-11-27T01:00:00Z"),
            "2026-11-20T00:00:00Z",
            1,
        );
        let abnormal = QueueKey {
            abnormal: true,
            ..key(false, None, "2026-11-27T00:00:00Z", 2)
        };
        let urgent = QueueKey {
            urgent: true,
            ..key(true, None, "2026-11-27T00:00:00Z", 3)
        };
        let regular_urgent = QueueKey {
            urgent: true,
            ..key(
                false,
                Some("2026-11-27T00:00:00Z"),
                "2026-11-01T00:00:00Z",
                4,
            )
        };
        let mut v = [regular_urgent, aeo, urgent, abnormal];
        v.sort_by(queue_order);
        assert_eq!(v.iter().map(|k| k.id).collect::<Vec<_>>(), vec![2, 3, 1, 4]);
    }

    #[test]
    fn a_deadline_cannot_precede_the_arrival() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let received = at("2026-11-27T02:00:00Z");
        assert!(check_item_times(received, None).is_ok());
        assert!(check_item_times(received, Some(received)).is_ok());
        let err = check_item_times(received, Some(at("2026-11-27T01:00:00Z"))).unwrap_err();
        assert!(err.en().contains("before the arrival"), "{err}");
    }

    #[test]
    fn with_equal_deadlines_the_earlier_arrival_goes_first() {
        let a = key(false, None, "2026-11-27T02:00:00Z", 1);
        let b = key(false, None, "2026-11-27T01:00:00Z", 2);
        assert_eq!(queue_order(&b, &a), Ordering::Less);
    }

    #[test]
    fn lab_samples_and_lab_tests_of_aeo_enterprises_are_flagged_urgent_automatically() {
        let none = WorkFlags::default();
        for kind in [WorkKind::LabSample, WorkKind::LabTest] {
            assert!(WorkFlags::automatic(kind, CreditLevel::Advanced, none).urgent);
            assert!(WorkFlags::automatic(kind, CreditLevel::Certified, none).urgent);
            assert!(!WorkFlags::automatic(kind, CreditLevel::Regular, none).urgent);
        }
        assert!(!WorkFlags::automatic(WorkKind::Declaration, CreditLevel::Advanced, none).urgent);
    }

    #[test]
    fn every_kind_names_a_measure_of_the_priority_or_cost_categories() {
        let measures: Vec<u8> = WorkKind::ALL.iter().map(|k| k.measure()).collect();
        assert_eq!(measures, vec![1, 2, 3, 4, 5, 8, 9, 12, 13, 21, 22, 23, 32]);
        for k in WorkKind::ALL {
            assert_eq!(WorkKind::parse(k.code()), Ok(*k));
            assert_eq!(WorkKind::parse(k.name_zh()), Ok(*k));
        }
        assert!(
            WorkKind::parse("teleport")
                .unwrap_err()
                .contains("teleport")
        );
    }
}
