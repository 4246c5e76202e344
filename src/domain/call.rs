//! Calls (来电/咨询记录, measures 29 and 33): who called through which channel about which
//! measures, what was asked and answered, and what follows: nothing, a problem, a coordinator, or
//! a callback promised by a time, which counts down until it is made.

use super::message::Message;
use super::queue::coded_enum;
use jiff::Timestamp;
use serde::Serialize;

coded_enum!(
    /// Where a question reached the desk (measure 29 names the hotline, the WeChat platform and
    /// the coordination group).
    Channel {
        Hotline = "hotline", "962116热线", "962116 hotline";
        Wechat = "wechat", "中国海关信用管理微信平台", "WeChat platform";
        Group = "group", "沪关AEO企业协调服务群", "AEO coordination group";
        Visit = "visit", "来访", "visit";
        Email = "email", "电子邮件", "e-mail";
        Outgoing = "outgoing", "去电", "outgoing call";
    }
);

coded_enum!(
    /// What came of a call.
    CallOutcome {
        Answered = "answered", "已答复", "answered";
        Problem = "problem", "已立问题", "problem opened";
        Forwarded = "forwarded", "已转协调员", "forwarded to a coordinator";
        Callback = "callback", "约定回电", "callback promised";
    }
);

/// The measures a call concerns, typed as "27" or "27,28" (or 、 ，).
pub fn parse_measures(s: &str) -> Result<Vec<u8>, Message> {
    let mut out = Vec::new();
    for part in s
        .split([',', '，', '、', ' '])
        .filter(|p| !p.trim().is_empty())
    {
        let t = part.trim();
        match t.parse::<u8>() {
            Ok(n) if (1..=33).contains(&n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            _ => {
                return Err(Message::new(
                    format!("措施：'{t}' 不是 1–33 之间的措施编号"),
                    format!("measure: '{t}' is not a measure number from 1 to 33"),
                ));
            }
        }
    }
    Ok(out)
}

/// The measures as stored and shown: "27,28".
pub fn measures_text(m: &[u8]) -> String {
    m.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// What a call record must hold before it is written.
pub struct CallDraft<'a> {
    pub question: &'a str,
    pub answer: &'a str,
    pub outcome: CallOutcome,
    pub callback_by: Option<Timestamp>,
}

/// Checks a call before it is logged at `now`: a question; an answer when it was answered; a
/// callback time, in the future, exactly when a callback was promised.
pub fn check_call(c: &CallDraft<'_>, now: Timestamp) -> Result<(), Message> {
    if c.question.trim().is_empty() {
        return Err(Message::new(
            "问题：请写明来电所问的问题",
            "question: say what the caller asked",
        ));
    }
    if c.outcome == CallOutcome::Answered && c.answer.trim().is_empty() {
        return Err(Message::new(
            "答复：已答复的来电须写明答复内容",
            "answer: an answered call needs the answer given",
        ));
    }
    match (c.outcome, c.callback_by) {
        (CallOutcome::Callback, None) => Err(Message::new(
            "回电时间：约定回电须给出回电时限（--callback-by）",
            "callback-by: a promised callback needs the time it is due (--callback-by)",
        )),
        (CallOutcome::Callback, Some(t)) if t <= now => Err(Message::new(
            "回电时间：回电时限已经过去",
            "callback-by: the callback time is in the past",
        )),
        (o, Some(_)) if o != CallOutcome::Callback => Err(Message::new(
            "回电时间：只有约定回电的来电才有回电时限",
            "callback-by: only a call with outcome 'callback' has a callback time",
        )),
        _ => Ok(()),
    }
}

/// Where a promised callback stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CallbackState {
    Done,
    /// Due in this many seconds; `soon` when an hour or less is left.
    Due {
        secs_left: i64,
        soon: bool,
    },
    Overdue {
        secs_late: i64,
    },
}

/// How close a callback promised by `by` is, unless it was made.
pub fn callback_state(by: Timestamp, done: Option<Timestamp>, now: Timestamp) -> CallbackState {
    if done.is_some() {
        return CallbackState::Done;
    }
    let left = by.as_second() - now.as_second();
    if left <= 0 {
        CallbackState::Overdue { secs_late: -left }
    } else {
        CallbackState::Due {
            secs_left: left,
            soon: left <= 3600,
        }
    }
}

/// A designated hotline person (专人对接, measure 33) is named for AEO enterprises only.
pub fn check_hotline_person(credit: super::credit::CreditLevel) -> Result<(), Message> {
    if credit.is_aeo() {
        return Ok(());
    }
    Err(Message::new(
        format!(
            "热线专人（措施33）只为 AEO 企业指定，该企业为{}",
            credit.name_zh()
        ),
        format!(
            "a designated hotline person (measure 33) is for AEO enterprises only; this one is {}",
            credit.name_en()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_aeo_enterprise_gets_a_designated_hotline_person() {
        use crate::domain::credit::CreditLevel;
        assert!(check_hotline_person(CreditLevel::Advanced).is_ok());
        assert!(check_hotline_person(CreditLevel::Certified).is_ok());
        let m = check_hotline_person(CreditLevel::Regular).unwrap_err();
        assert!(m.en().contains("AEO enterprises only"), "{}", m.en());
        assert!(m.zh().contains("措施33"), "{}", m.zh());
        assert!(check_hotline_person(CreditLevel::Dishonest).is_err());
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn measures_are_numbers_of_the_plan() {
        assert_eq!(parse_measures("27, 28，27").unwrap(), vec![27, 28]);
        assert_eq!(parse_measures("").unwrap(), Vec::<u8>::new());
        let e = parse_measures("34").unwrap_err();
        assert!(e.en().contains("'34'") && e.zh().contains("措施"));
        assert!(parse_measures("x").is_err());
    }

    #[test]
    fn a_callback_needs_a_time_in_the_future_and_only_a_callback_has_one() {
        let now = t("2026-11-27T02:00:00Z");
        let mut d = CallDraft {
            question: "预约通关时限？",
            answer: "",
            outcome: CallOutcome::Callback,
            callback_by: None,
        };
        assert!(
            check_call(&d, now)
                .unwrap_err()
                .en()
                .contains("callback-by")
        );
        d.callback_by = Some(t("2026-11-27T01:59:00Z"));
        assert!(check_call(&d, now).unwrap_err().en().contains("past"));
        d.callback_by = Some(t("2026-11-27T04:00:00Z"));
        assert!(check_call(&d, now).is_ok());
        d.outcome = CallOutcome::Forwarded;
        assert!(check_call(&d, now).unwrap_err().en().contains("only"));
    }

    #[test]
    fn an_answered_call_needs_its_question_and_answer() {
        let now = t("2026-11-27T02:00:00Z");
        let mut d = CallDraft {
            question: "  ",
            answer: "可以",
            outcome: CallOutcome::Answered,
            callback_by: None,
        };
        assert!(
            check_call(&d, now)
                .unwrap_err()
                .en()
                .starts_with("question")
        );
        d.question = "周末能否查验？";
        d.answer = "";
        assert!(check_call(&d, now).unwrap_err().en().starts_with("answer"));
        d.outcome = CallOutcome::Problem;
        assert!(check_call(&d, now).is_ok());
    }

    #[test]
    fn a_callback_counts_down_then_is_overdue_until_made() {
        let by = t("2026-11-27T08:00:00Z");
        assert_eq!(
            callback_state(by, None, t("2026-11-27T06:00:00Z")),
            CallbackState::Due {
                secs_left: 7200,
                soon: false
            }
        );
        assert!(matches!(
            callback_state(by, None, t("2026-11-27T07:30:00Z")),
            CallbackState::Due { soon: true, .. }
        ));
        assert_eq!(
            callback_state(by, None, by),
            CallbackState::Overdue { secs_late: 0 }
        );
        assert_eq!(
            callback_state(by, Some(by), t("2026-11-28T00:00:00Z")),
            CallbackState::Done
        );
    }
}
