//! Problems followed to 清零 (measure 29): opened from a call or directly, assigned to a
//! coordinator, noted, resolved, confirmed with the enterprise (closed), reopened; each is aged
//! in working days against the desk's targets. An enterprise is 清零 when none is open.

use super::message::Message;
use super::queue::coded_enum;
use crate::calendar::{WorkingCalendar, shanghai_date, shanghai_instant};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// The 42 customs districts directly under the GACC (直属海关).
pub const DISTRICTS: [&str; 42] = [
    "北京",
    "天津",
    "石家庄",
    "太原",
    "满洲里",
    "呼和浩特",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "上海",
    "南京",
    "杭州",
    "宁波",
    "合肥",
    "福州",
    "厦门",
    "南昌",
    "青岛",
    "济南",
    "郑州",
    "武汉",
    "长沙",
    "广州",
    "深圳",
    "拱北",
    "汕头",
    "黄埔",
    "江门",
    "湛江",
    "海口",
    "南宁",
    "成都",
    "重庆",
    "贵阳",
    "昆明",
    "拉萨",
    "西安",
    "乌鲁木齐",
    "兰州",
    "西宁",
    "银川",
];

/// The other districts of a cross-district problem, typed as "深圳,宁波" (or 、 ， and with or
/// without 海关). Shanghai is always involved and is not listed again.
pub fn parse_districts(s: &str) -> Result<Vec<String>, Message> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', '，', '、', ';']).map(str::trim) {
        if part.is_empty() {
            continue;
        }
        let name = part.strip_suffix("海关").unwrap_or(part);
        if !DISTRICTS.contains(&name) {
            return Err(Message::new(
                format!("关区：'{part}' 不是直属海关（例如 深圳、宁波）"),
                format!(
                    "districts: '{part}' is not one of the 42 customs districts (e.g. 深圳, 宁波)"
                ),
            ));
        }
        if name != "上海" && !out.iter().any(|d| d == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

coded_enum!(
    ProblemStatus {
        Open = "open", "待处理", "open";
        Assigned = "assigned", "已指派", "assigned";
        Resolved = "resolved", "已解决", "resolved";
        Closed = "closed", "已确认关闭", "closed";
    }
);

impl ProblemStatus {
    /// Open and assigned problems stand between the enterprise and 清零.
    pub fn is_open(self) -> bool {
        matches!(self, ProblemStatus::Open | ProblemStatus::Assigned)
    }
}

/// What an operator does to a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemAction {
    Assign,
    Note,
    Resolve,
    Close,
    Reopen,
}

/// The status a problem moves to, or why it cannot. Reopening gives back "assigned" when the
/// problem still has a coordinator.
pub fn transition(
    from: ProblemStatus,
    action: ProblemAction,
    has_coordinator: bool,
) -> Result<ProblemStatus, Message> {
    use ProblemAction as A;
    use ProblemStatus as S;
    let refuse = |zh: &str, en: &str| Err(Message::new(zh, en));
    match (action, from) {
        (A::Assign, S::Open | S::Assigned) => Ok(S::Assigned),
        (A::Assign, _) => refuse(
            "问题已解决或已关闭，先重新打开再指派",
            "the problem is resolved or closed: reopen it before assigning it",
        ),
        (A::Note, S::Closed) => refuse(
            "问题已关闭，先重新打开再记录",
            "the problem is closed: reopen it before adding notes",
        ),
        (A::Note, s) => Ok(s),
        (A::Resolve, S::Open | S::Assigned) => Ok(S::Resolved),
        (A::Resolve, S::Resolved) => refuse("问题已经解决", "the problem is already resolved"),
        (A::Resolve, S::Closed) => refuse(
            "问题已关闭，不能再解决；如问题复现请重新打开",
            "the problem is closed and cannot be resolved: reopen it if it came back",
        ),
        (A::Close, S::Resolved) => Ok(S::Closed),
        (A::Close, S::Closed) => refuse("问题已经关闭", "the problem is already closed"),
        (A::Close, _) => refuse(
            "问题尚未解决：先解决，再经企业确认后关闭",
            "the problem is not resolved: resolve it, then close it once the enterprise confirms",
        ),
        (A::Reopen, S::Resolved | S::Closed) => Ok(if has_coordinator {
            S::Assigned
        } else {
            S::Open
        }),
        (A::Reopen, _) => refuse("问题仍未解决，无需重新打开", "the problem is still open"),
    }
}

/// The desk's targets for a problem, in working days after the day it was opened. The plan gives
/// no number; the defaults are local practice (README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProblemTargets {
    pub first_reply_days: u32,
    pub resolution_days: u32,
}

impl Default for ProblemTargets {
    fn default() -> Self {
        ProblemTargets {
            first_reply_days: 1,
            resolution_days: 5,
        }
    }
}

impl ProblemTargets {
    /// Parses "reply=1,resolve=5" (either part may be left out).
    pub fn parse(s: &str) -> Result<ProblemTargets, Message> {
        let mut t = ProblemTargets::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || {
                Message::new(
                    format!("问题时限：'{part}' 应写作 reply=1 或 resolve=5（工作日）"),
                    format!(
                        "problem targets: '{part}' must be reply=N or resolve=N (working days)"
                    ),
                )
            };
            let (k, v) = part.split_once('=').ok_or_else(bad)?;
            let n: u32 = v.trim().parse().map_err(|_| bad())?;
            if n == 0 || n > 250 {
                return Err(bad());
            }
            match k.trim() {
                "reply" => t.first_reply_days = n,
                "resolve" => t.resolution_days = n,
                _ => return Err(bad()),
            }
        }
        Ok(t)
    }
}

/// A problem's age and where it stands against its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProblemClock {
    /// Working days since the day it was opened (that day not counted), to `now` or to its
    /// resolution.
    pub age_working_days: i64,
    pub reply_due: Timestamp,
    pub resolution_due: Timestamp,
    /// The first reply came (or, without one, `now` is) after its target.
    pub reply_late: bool,
    pub resolution_late: bool,
    /// A day counted lies in a year without published holiday data.
    pub uses_unknown_calendar: bool,
}

impl ProblemClock {
    pub fn past_target(&self) -> bool {
        self.reply_late || self.resolution_late
    }
}

/// Ages a problem opened at `opened` the way deadlines are counted: the day of opening is not
/// counted, a target of N working days falls due at 24:00 of the N-th working day after it.
pub fn problem_clock(
    cal: &WorkingCalendar,
    targets: ProblemTargets,
    opened: Timestamp,
    first_reply: Option<Timestamp>,
    resolved: Option<Timestamp>,
    now: Timestamp,
) -> ProblemClock {
    let day = shanghai_date(opened);
    let (dues, u1) = Dues::of(cal, targets, day);
    let until = resolved.unwrap_or(now).max(opened);
    let to = shanghai_date(until)
        .tomorrow()
        .unwrap_or(shanghai_date(until));
    let (age, u3) = cal.working_days_in(day.tomorrow().unwrap_or(day), to);
    let (reply_late, resolution_late) = dues.late(opened, first_reply, resolved, now);
    ProblemClock {
        age_working_days: age,
        reply_due: dues.reply,
        resolution_due: dues.resolution,
        reply_late,
        resolution_late,
        uses_unknown_calendar: u1 || u3,
    }
}

/// When a problem opened on some day falls due.
#[derive(Debug, Clone, Copy)]
struct Dues {
    reply: Timestamp,
    resolution: Timestamp,
}

impl Dues {
    /// The due times of a problem opened on `day`, and whether counting them reached a year
    /// without holiday data.
    fn of(cal: &WorkingCalendar, targets: ProblemTargets, day: Date) -> (Dues, bool) {
        let (reply, u1) = cal.nth_working_day_after(day, targets.first_reply_days);
        let (resolution, u2) = cal.nth_working_day_after(day, targets.resolution_days);
        let dues = Dues {
            reply: end_of(reply),
            resolution: end_of(resolution),
        };
        (dues, u1 || u2)
    }

    /// (reply late, resolution late) at `now`: the first reply (or, without one, the
    /// resolution or now) came at or after its due time; the resolution (or now) likewise.
    fn late(
        self,
        opened: Timestamp,
        first_reply: Option<Timestamp>,
        resolved: Option<Timestamp>,
        now: Timestamp,
    ) -> (bool, bool) {
        (
            first_reply.or(resolved).unwrap_or(now) >= self.reply,
            resolved.unwrap_or(now).max(opened) >= self.resolution,
        )
    }
}

/// 24:00 of day `d` in Shanghai: when a target falling on `d` is due.
fn end_of(d: Date) -> Timestamp {
    shanghai_instant(
        d.tomorrow()
            .unwrap_or(d)
            .to_datetime(jiff::civil::Time::midnight()),
    )
}

/// Where lateness splits the open problems at one instant, so a count or a list of the late
/// ones can be read from an index instead of ageing every open problem. A target's due time
/// depends only on the day a problem was opened and grows with it: a problem opened before
/// `reply` is past its reply target unless it was answered in time, and one opened before
/// `resolution` is past its resolution target unless it was resolved in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateCuts {
    pub reply: Timestamp,
    pub resolution: Timestamp,
}

/// Decides which open problems are past a target at `now`: the cuts for reading them from the
/// store, and the whole rule for the few the cuts leave open (answered or resolved after their
/// opening day's cut), with the due times of those recent opening days worked out once.
#[derive(Debug, Clone)]
pub struct Lateness<'a> {
    cal: &'a WorkingCalendar,
    targets: ProblemTargets,
    now: Timestamp,
    pub cuts: LateCuts,
    /// The first day after the earlier cut, and the due times of it and each day after it up
    /// to today.
    recent: (Date, Vec<Dues>),
}

impl<'a> Lateness<'a> {
    pub fn new(cal: &'a WorkingCalendar, targets: ProblemTargets, now: Timestamp) -> Lateness<'a> {
        let today = shanghai_date(now);
        // The latest opening day whose target has passed, found walking back from today; the
        // cut is the end of that day. Targets are bounded (`ProblemTargets::parse`), so the
        // walk is short; 40 years back is only a guard.
        let cut = |n: u32| {
            let mut d = today;
            for _ in 0..40 * 366 {
                if end_of(cal.nth_working_day_after(d, n).0) <= now {
                    return end_of(d);
                }
                match d.yesterday() {
                    Ok(y) => d = y,
                    Err(_) => break,
                }
            }
            Timestamp::MIN
        };
        let cuts = LateCuts {
            reply: cut(targets.first_reply_days),
            resolution: cut(targets.resolution_days),
        };
        let first = shanghai_date(cuts.reply.min(cuts.resolution))
            .max(today.saturating_sub(jiff::Span::new().days(800)));
        let recent = (
            first,
            first
                .series(jiff::Span::new().days(1))
                .take_while(|d| *d <= today)
                .map(|d| Dues::of(cal, targets, d).0)
                .collect(),
        );
        Lateness {
            cal,
            targets,
            now,
            cuts,
            recent,
        }
    }

    /// The problem's clock at this instant.
    pub fn clock(&self, p: &Problem) -> ProblemClock {
        problem_clock(
            self.cal,
            self.targets,
            p.opened_at,
            p.first_reply_at,
            p.cleared_at,
            self.now,
        )
    }

    pub fn is_late(&self, p: &Problem) -> bool {
        self.is_late_at(p.opened_at, p.first_reply_at, p.cleared_at)
    }

    /// The instant lateness is judged at.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The last `days` opening days whose due times are worked out (up to today), oldest
    /// first: each day's first instant with the reply and resolution due times of a problem
    /// opened on it; and the first instant after the last day. A problem opened on such a day
    /// is late exactly when its first reply (else its resolution, else now) comes at or after
    /// the reply due time, or its resolution (else now) at or after the resolution due time;
    /// so it can be judged where it is stored.
    pub fn recent_dues(&self, days: usize) -> (Vec<(Timestamp, Timestamp, Timestamp)>, Timestamp) {
        let (first, dues) = &self.recent;
        let skip = dues.len().saturating_sub(days);
        let start = |d: Date| shanghai_instant(d.to_datetime(jiff::civil::Time::midnight()));
        let mut out = Vec::with_capacity(dues.len() - skip);
        let mut day = first
            .checked_add(jiff::Span::new().days(skip as i64))
            .unwrap_or(*first);
        for d in &dues[skip..] {
            out.push((start(day), d.reply, d.resolution));
            day = day.tomorrow().unwrap_or(day);
        }
        let end = out
            .last()
            .map_or(start(*first), |_| end_of(day.yesterday().unwrap_or(day)));
        (out, end)
    }

    /// `problem_clock(...).past_target()`, without ageing the problem.
    pub fn is_late_at(
        &self,
        opened: Timestamp,
        first_reply: Option<Timestamp>,
        resolved: Option<Timestamp>,
    ) -> bool {
        let day = shanghai_date(opened);
        let (first, dues) = &self.recent;
        // A day before the first is a negative distance: no index.
        let known = usize::try_from((day - *first).get_days())
            .ok()
            .and_then(|i| dues.get(i).copied());
        let dues = known.unwrap_or_else(|| Dues::of(self.cal, self.targets, day).0);
        let (reply, resolution) = dues.late(opened, first_reply, resolved, self.now);
        reply || resolution
    }
}

/// A cross-district clearance problem (measure 29).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub id: i64,
    pub enterprise_id: i64,
    pub title: String,
    /// The Shanghai office concerned, when known.
    pub district: String,
    /// The other customs districts involved.
    pub districts: Vec<String>,
    pub status: ProblemStatus,
    pub coordinator_id: Option<i64>,
    pub call_id: Option<i64>,
    pub opened_at: Timestamp,
    pub first_reply_at: Option<Timestamp>,
    /// When it was resolved (kept while it stays resolved or closed).
    pub cleared_at: Option<Timestamp>,
    pub resolution: Option<String>,
    pub closed_at: Option<Timestamp>,
}

/// One line of the 清零 board: a name and its open problems' ids and ages, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardGroup {
    pub name: String,
    /// (problem id, age in working days), oldest first.
    pub problems: Vec<(i64, i64)>,
}

/// Groups open problems by a key (enterprise or coordinator), the group with the oldest problem
/// first; `rows` are (key name, problem id, opened, age).
pub fn board(mut rows: Vec<(String, i64, Timestamp, i64)>) -> Vec<BoardGroup> {
    rows.sort_by_key(|r| (r.2, r.1));
    let mut out: Vec<BoardGroup> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (name, id, _, age) in rows {
        match at.get(&name) {
            Some(&i) => out[i].problems.push((id, age)),
            None => {
                at.insert(name.clone(), out.len());
                out.push(BoardGroup {
                    name,
                    problems: vec![(id, age)],
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shanghai_instant;
    use jiff::civil::date;

    fn sh(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        shanghai_instant(date(y, m, d).at(h, min, 0, 0))
    }

    #[test]
    fn the_cuts_split_unanswered_problems_exactly_as_their_clocks_do() {
        let cal = WorkingCalendar::official();
        // Around Golden Week and 调休 Saturdays, the Spring Festival, and an ordinary week, at
        // midnight, mid-morning and just before midnight.
        let nows = [
            sh(2026, 10, 9, 0, 0),
            sh(2026, 10, 11, 10, 30),
            sh(2026, 2, 24, 23, 59),
            sh(2026, 11, 27, 10, 0),
            sh(2026, 11, 30, 0, 0),
        ];
        for targets in [
            ProblemTargets::default(),
            ProblemTargets {
                first_reply_days: 3,
                resolution_days: 2,
            },
            ProblemTargets {
                first_reply_days: 1,
                resolution_days: 20,
            },
        ] {
            for now in nows {
                let late = Lateness::new(cal, targets, now);
                let mut opened = now - jiff::SignedDuration::from_hours(24 * 60);
                let (mut reply_late, mut resolution_late) = (0, 0);
                while opened <= now {
                    let clock = problem_clock(cal, targets, opened, None, None, now);
                    assert_eq!(
                        opened < late.cuts.reply,
                        clock.reply_late,
                        "reply, {targets:?}, opened {opened}, now {now}"
                    );
                    assert_eq!(
                        opened < late.cuts.resolution,
                        clock.resolution_late,
                        "resolution, {targets:?}, opened {opened}, now {now}"
                    );
                    // The whole rule, answered or resolved at various times after opening.
                    for (reply, resolved) in [
                        (None, None),
                        (Some(3), None),
                        (Some(30), None),
                        (Some(80), None),
                        (None, Some(50)),
                        (Some(10), Some(200)),
                    ] {
                        let after = |h: i64| opened + jiff::SignedDuration::from_hours(h);
                        let (reply, resolved) = (reply.map(after), resolved.map(after));
                        assert_eq!(
                            late.is_late_at(opened, reply, resolved),
                            problem_clock(cal, targets, opened, reply, resolved, now).past_target(),
                            "{targets:?}, opened {opened}, reply {reply:?}, resolved {resolved:?}"
                        );
                    }
                    reply_late += usize::from(clock.reply_late);
                    resolution_late += usize::from(clock.resolution_late);
                    opened += jiff::SignedDuration::from_mins(97);
                }
                // Both sides of each cut were seen.
                assert!(reply_late > 0 && resolution_late > 0);
            }
        }
    }

    #[test]
    fn districts_are_the_42_direct_customs_and_shanghai_is_implied() {
        assert_eq!(
            parse_districts("深圳海关，宁波、上海,深圳").unwrap(),
            vec!["深圳", "宁波"]
        );
        assert_eq!(DISTRICTS.len(), 42);
        let e = parse_districts("深圳,火星").unwrap_err();
        assert!(e.en().contains("'火星'") && e.zh().contains("火星"));
    }

    #[test]
    fn a_problem_goes_open_assigned_resolved_closed_and_can_be_reopened() {
        use ProblemAction as A;
        use ProblemStatus as S;
        assert_eq!(transition(S::Open, A::Assign, false), Ok(S::Assigned));
        assert_eq!(transition(S::Assigned, A::Resolve, true), Ok(S::Resolved));
        assert_eq!(transition(S::Resolved, A::Close, true), Ok(S::Closed));
        assert_eq!(transition(S::Closed, A::Reopen, true), Ok(S::Assigned));
        assert_eq!(transition(S::Resolved, A::Reopen, false), Ok(S::Open));
        assert!(
            transition(S::Closed, A::Resolve, true)
                .unwrap_err()
                .en()
                .contains("closed")
        );
        assert!(transition(S::Resolved, A::Resolve, true).is_err());
        assert!(transition(S::Open, A::Close, false).is_err());
        assert!(transition(S::Open, A::Reopen, false).is_err());
        assert!(transition(S::Closed, A::Note, false).is_err());
        assert_eq!(transition(S::Resolved, A::Note, false), Ok(S::Resolved));
    }

    #[test]
    fn targets_parse_from_local_configuration() {
        assert_eq!(
            ProblemTargets::parse("reply=2, resolve=10").unwrap(),
            ProblemTargets {
                first_reply_days: 2,
                resolution_days: 10
            }
        );
        assert_eq!(
            ProblemTargets::parse("").unwrap(),
            ProblemTargets::default()
        );
        assert!(ProblemTargets::parse("reply=0").is_err());
        assert!(ProblemTargets::parse("answer=3").is_err());
    }

    #[test]
    fn age_counts_working_days_and_skips_the_national_day_holiday() {
        let cal = WorkingCalendar::official();
        let t = ProblemTargets::default();
        // Opened Tuesday 2026-09-29; 09-30 works, 10-01..07 off, 10-08 and 10-09 work, 10-10
        // (Saturday) is a make-up working day.
        let opened = sh(2026, 9, 29, 15, 0);
        let c = problem_clock(cal, t, opened, None, None, sh(2026, 10, 10, 9, 0));
        assert_eq!(c.age_working_days, 4);
        assert_eq!(c.reply_due, sh(2026, 10, 1, 0, 0));
        // 5th working day after 09-29: 09-30, 10-08, 10-09, 10-10, 10-12 → due 10-13 00:00.
        assert_eq!(c.resolution_due, sh(2026, 10, 13, 0, 0));
        assert!(c.reply_late && !c.resolution_late);
        let later = problem_clock(cal, t, opened, None, None, sh(2026, 10, 13, 0, 0));
        assert!(later.resolution_late);
        // A reply on 09-30 was in time; a resolution on 10-09 stops the age there.
        let done = problem_clock(
            cal,
            t,
            opened,
            Some(sh(2026, 9, 30, 10, 0)),
            Some(sh(2026, 10, 9, 10, 0)),
            sh(2026, 11, 27, 10, 0),
        );
        assert!(!done.reply_late && !done.resolution_late);
        assert_eq!(done.age_working_days, 3);
        assert!(!done.uses_unknown_calendar);
    }

    #[test]
    fn age_across_the_year_boundary_flags_the_unpublished_year() {
        let cal = WorkingCalendar::official();
        let opened = sh(2026, 12, 30, 10, 0);
        let c = problem_clock(
            cal,
            ProblemTargets::default(),
            opened,
            None,
            None,
            sh(2027, 1, 5, 10, 0),
        );
        // 12-31 (Thu), then 2027 by the law (01-01 元旦 is off) and weekends: 01-04, 01-05.
        assert_eq!(c.age_working_days, 3);
        assert!(c.uses_unknown_calendar);
        // Opened on the last Friday of the year before the new year's holiday (2026-01-01..03).
        let c = problem_clock(
            cal,
            ProblemTargets::default(),
            sh(2025, 12, 31, 16, 0),
            None,
            None,
            sh(2026, 1, 4, 9, 0),
        );
        // 01-01..03 off, 01-04 (Sunday) is a make-up working day.
        assert_eq!(c.age_working_days, 1);
        assert_eq!(c.reply_due, sh(2026, 1, 5, 0, 0));
    }

    #[test]
    fn the_board_puts_the_oldest_problem_first() {
        let rows = vec![
            ("乙".to_string(), 2, sh(2026, 11, 20, 9, 0), 5),
            ("甲".to_string(), 1, sh(2026, 11, 25, 9, 0), 2),
            ("乙".to_string(), 3, sh(2026, 11, 26, 9, 0), 1),
        ];
        let b = board(rows);
        assert_eq!(b[0].name, "乙");
        assert_eq!(b[0].problems, vec![(2, 5), (3, 1)]);
        assert_eq!(b[1].problems, vec![(1, 2)]);
    }
}
