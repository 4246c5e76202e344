//! One-key narrowings of the queue and the approvals (overdue, nearly due, abnormal, mine), and
//! what a typed filter names besides enterprises.

use super::approval::{ApprovalKind, NEARLY_DUE_FRACTION};
use crate::text::Lang;
use jiff::Timestamp;

/// What a list is narrowed to with one key; at most one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Narrow {
    /// Past the deadline.
    Overdue,
    /// Not yet past it, with no more than the nearly-due share of the time left.
    NearlyDue,
    /// Items marked 异常; approvals whose clock is stopped (补正, testing, review, hearing).
    Abnormal,
    /// Items this operator holds; approvals whose clock this operator stopped or restarted.
    Mine,
}

/// Which list a narrowing applies to (their words differ for `Abnormal` and `Mine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Queue,
    Approvals,
}

impl Narrow {
    pub const ALL: [Narrow; 4] = [
        Narrow::Overdue,
        Narrow::NearlyDue,
        Narrow::Abnormal,
        Narrow::Mine,
    ];

    /// Pressing the key of the narrowing in force lifts it; another key replaces it.
    pub fn toggle(current: Option<Narrow>, pressed: Narrow) -> Option<Narrow> {
        (current != Some(pressed)).then_some(pressed)
    }

    /// The words of the pane title: "只看超期" / "overdue only".
    pub fn label(self, listing: Listing, lang: Lang) -> &'static str {
        let (zh, en) = match (self, listing) {
            (Narrow::Overdue, _) => ("只看超期", "overdue only"),
            (Narrow::NearlyDue, _) => ("只看将到期", "nearly due only"),
            (Narrow::Abnormal, Listing::Queue) => ("只看异常", "abnormal only"),
            (Narrow::Abnormal, Listing::Approvals) => ("只看暂停计时", "paused only"),
            (Narrow::Mine, Listing::Queue) => ("只看我领取的", "mine only"),
            (Narrow::Mine, Listing::Approvals) => ("只看我暂停/恢复过的", "mine only"),
        };
        lang.pick(zh, en)
    }
}

/// Whether an open item received at `received` and due at `due` is nearly due at `now`: not yet
/// late, and no more than the nearly-due share (as for approvals: a quarter) of its time left.
/// The store's `NearlyDue` narrowing mirrors this (a test checks the two agree).
pub fn item_nearly_due(received: Timestamp, due: Timestamp, now: Timestamp) -> bool {
    let left = due.as_second() - now.as_second();
    let whole = due.as_second() - received.as_second();
    left > 0 && (left as f64) <= NEARLY_DUE_FRACTION * whole as f64
}

/// The approval kinds a typed filter names: the start of a code (`advance`), or a part of the
/// Chinese (`预裁定`) or English name (`quarantine`, two letters at least).
pub fn approval_kinds_named(text: &str) -> Vec<ApprovalKind> {
    let t = text.trim();
    if t.is_empty() {
        return Vec::new();
    }
    let lower = t.to_lowercase();
    let code = lower.replace(['-', ' '], "_");
    ApprovalKind::ALL
        .iter()
        .copied()
        .filter(|k| {
            k.code().starts_with(&code)
                || k.name_zh().contains(t)
                || (lower.chars().count() >= 2 && k.name_en().contains(&lower))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_same_key_lifts_a_narrowing_and_another_replaces_it() {
        assert_eq!(Narrow::toggle(None, Narrow::Mine), Some(Narrow::Mine));
        assert_eq!(Narrow::toggle(Some(Narrow::Mine), Narrow::Mine), None);
        assert_eq!(
            Narrow::toggle(Some(Narrow::Mine), Narrow::Overdue),
            Some(Narrow::Overdue)
        );
    }

    #[test]
    fn an_item_is_nearly_due_in_the_last_quarter_of_its_time() {
        let received = at("2026-11-27T00:00:00Z");
        let due = at("2026-11-27T04:00:00Z");
        assert!(!item_nearly_due(received, due, at("2026-11-27T02:59:59Z")));
        assert!(item_nearly_due(received, due, at("2026-11-27T03:00:00Z")));
        assert!(item_nearly_due(received, due, at("2026-11-27T03:59:59Z")));
        // Late is overdue, not nearly due.
        assert!(!item_nearly_due(received, due, at("2026-11-27T04:00:00Z")));
    }

    #[test]
    fn a_filter_names_approval_kinds_by_code_and_by_name() {
        assert_eq!(
            approval_kinds_named("advance"),
            vec![ApprovalKind::AdvanceRuling]
        );
        assert_eq!(
            approval_kinds_named("预裁定"),
            vec![ApprovalKind::AdvanceRuling]
        );
        assert_eq!(
            approval_kinds_named("动植物"),
            vec![ApprovalKind::AnimalPlant]
        );
        assert_eq!(
            approval_kinds_named("Quarantine"),
            vec![ApprovalKind::SpecialArticles, ApprovalKind::AnimalPlant]
        );
        assert!(approval_kinds_named("上汽").is_empty());
        assert!(approval_kinds_named("").is_empty());
    }
}
