//! Demo data of the hotline's work loop: several coordinators per AEO enterprise by role, a
//! designated hotline person each, three weeks of calls through every channel, problems in every
//! state on their way to 清零, and verification plans (a second one in a year by override, merged
//! orders, orders proposed for merging). Everything goes through the store's rules. Its own
//! random stream, so the rest of the demo does not move when this part changes.

use super::{Company, PROBLEMS, pick, pick_str};
use crate::domain::call::{CallOutcome, Channel};
use crate::domain::enterprise::CoordinatorRole;
use crate::domain::ids::SHANGHAI_OFFICES;
use crate::domain::problem::{DISTRICTS, ProblemAction};
use crate::domain::verification::VerificationKind;
use crate::store::{NewCall, NewPlan, OpenProblem, Writer};
use anyhow::Result;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// Hotline staff logins; `op01` is the operator of the console's tests.
const HOTLINE_STAFF: &[&str] = &["op01", "op02", "chenjing", "zhoumin"];

/// Port offices, whose port coordinators are on 7×24 duty.
const PORT_OFFICES: &[&str] = &["2248", "2225", "2233"];

const QUESTIONS: &[(&str, &str, &[u8])] = &[
    (
        "周六能否预约查验？",
        "可以，AEO企业可预约5+2查验，请在“互联网+海关”提交",
        &[7],
    ),
    (
        "夜间通关需要提前多久预约？",
        "高级认证企业提前8小时提出预约即可",
        &[27],
    ),
    ("特殊物品审批多久办结？", "AEO企业5个工作日内办结", &[25]),
    (
        "进境动植物检疫审批时限？",
        "高级认证企业10个工作日内办结",
        &[26],
    ),
    (
        "能否到工厂查验温控货物？",
        "可以申请厂区查验（措施30）",
        &[30],
    ),
    (
        "实验室送检能否加急？",
        "系统已自动识别AEO企业并加急",
        &[4, 5],
    ),
    ("预裁定申请多久受理？", "优先受理，10日内作出受理决定", &[6]),
    ("管理类核查一年几次？", "原则上每年不超过1次", &[17]),
    ("协调员联系方式？", "已告知口岸协调员电话", &[28]),
    ("报关单档案查询", "已优先安排档案查询", &[13]),
];

const CHANNELS: &[Channel] = &[
    Channel::Hotline,
    Channel::Hotline,
    Channel::Hotline,
    Channel::Wechat,
    Channel::Group,
    Channel::Email,
    Channel::Visit,
    Channel::Outgoing,
];

const CALLERS: &[&str] = &["王经理", "李主管", "报关员小张", "物流部陈工", "关务刘女士"];

/// Coordinator ids are laid out office by office, one per role in `CoordinatorRole::ALL` order.
fn coordinator_at(ids: &[i64], office: usize, role: CoordinatorRole) -> Option<i64> {
    let r = CoordinatorRole::ALL.iter().position(|x| *x == role)?;
    ids.get(office * CoordinatorRole::ALL.len() + r).copied()
}

fn office_index(code: &str) -> usize {
    SHANGHAI_OFFICES
        .iter()
        .position(|o| o.code == code)
        .unwrap_or(0)
}

pub(super) fn fill(
    w: &Writer<'_>,
    seed: u64,
    companies: &[Company],
    coordinators: &[i64],
    now: Timestamp,
    per_year: u32,
    scale: usize,
) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0010);
    let aeo: Vec<&Company> = companies.iter().filter(|c| c.credit.is_aeo()).collect();
    // Several coordinators per AEO enterprise: a port one (7×24) and a local one beside the
    // business-department coordinator it already has; and its designated hotline person.
    for (i, c) in aeo.iter().enumerate() {
        let port = office_index(PORT_OFFICES[i % PORT_OFFICES.len()]);
        if let Some(p) = coordinator_at(coordinators, port, CoordinatorRole::Port) {
            w.link_coordinator(c.id, p)?;
        }
        let local = (i * 7) % SHANGHAI_OFFICES.len();
        if let Some(l) = coordinator_at(coordinators, local, CoordinatorRole::Local) {
            w.link_coordinator(c.id, l)?;
        }
        w.set_hotline_person(c.id, Some(HOTLINE_STAFF[i % HOTLINE_STAFF.len()]))?;
    }
    calls(w, &mut rng, companies, &aeo, now, scale)?;
    problems(w, &mut rng, &aeo, coordinators, now, scale)?;
    verifications(w, &mut rng, &aeo, now, per_year, scale)?;
    Ok(())
}

fn calls(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    companies: &[Company],
    aeo: &[&Company],
    now: Timestamp,
    scale: usize,
) -> Result<()> {
    let n = 90 * scale;
    for i in 0..n {
        let company = match i % 10 {
            0 => None,
            1 | 2 => Some(pick(rng, companies)),
            _ => Some(*pick(rng, aeo)),
        };
        let at = now - SignedDuration::from_mins(rng.random_range(20..21 * 24 * 60));
        let (question, answer, measures) = *pick(rng, QUESTIONS);
        let outcome = match rng.random_range(0..20) {
            0..=12 => CallOutcome::Answered,
            13 | 14 => CallOutcome::Forwarded,
            15..=17 => CallOutcome::Callback,
            _ if company.is_some() => CallOutcome::Problem,
            _ => CallOutcome::Answered,
        };
        // The last calls promised callbacks still open: one overdue, the others due later.
        let last = i + 3 >= n && company.is_some();
        let (at, callback_by) = if last {
            let at = now - SignedDuration::from_mins(30 + 40 * (n - i) as i64);
            (
                at,
                Some(at + SignedDuration::from_hours(2 * (n - i) as i64 - 1)),
            )
        } else if outcome == CallOutcome::Callback {
            (
                at,
                Some(at + SignedDuration::from_hours(rng.random_range(2..24))),
            )
        } else {
            (at, None)
        };
        let outcome = if callback_by.is_some() {
            CallOutcome::Callback
        } else {
            outcome
        };
        let question = if outcome == CallOutcome::Problem {
            pick_str(rng, PROBLEMS)
        } else {
            question
        };
        let answer = match outcome {
            CallOutcome::Answered => answer,
            CallOutcome::Problem => "已登记为跨关区问题，协调员跟进",
            CallOutcome::Forwarded => "已转协调员",
            CallOutcome::Callback => "核实后回电",
        };
        let (id, _) = w.log_call(&NewCall {
            at,
            operator: pick_str(rng, HOTLINE_STAFF),
            enterprise_id: company.map(|c| c.id),
            caller_name: Some(pick_str(rng, CALLERS)),
            caller_phone: rng
                .random_bool(0.5)
                .then(|| format!("1{}", rng.random_range(3_000_000_000u64..9_999_999_999)))
                .as_deref(),
            channel: *pick(rng, CHANNELS),
            measures,
            question,
            answer,
            outcome,
            callback_by,
            forwarded_to: None,
            marked_for: None,
            open_problem: true,
        })?;
        if let Some(by) = callback_by
            && by < now
            && !last
        {
            w.callback_done(id, by - SignedDuration::from_mins(rng.random_range(5..90)))?;
        }
    }
    Ok(())
}

fn problems(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    aeo: &[&Company],
    coordinators: &[i64],
    now: Timestamp,
    scale: usize,
) -> Result<()> {
    let others: Vec<&str> = DISTRICTS.iter().copied().filter(|d| *d != "上海").collect();
    for i in 0..40 * scale {
        let company = *pick(rng, aeo);
        let opened = now - SignedDuration::from_hours(rng.random_range(2..24 * 9));
        let mut districts = vec![pick_str(rng, &others).to_string()];
        if rng.random_bool(0.25) {
            let d = pick_str(rng, &others).to_string();
            if !districts.contains(&d) {
                districts.push(d);
            }
        }
        let id = w.open_problem(&OpenProblem {
            enterprise_id: company.id,
            title: pick_str(rng, PROBLEMS),
            district: pick(rng, SHANGHAI_OFFICES).name,
            districts: &districts,
            coordinator_id: None,
            call_id: None,
            at: opened,
        })?;
        // Every state: open (i % 8 == 0), assigned, noted, resolved, closed, and reopened.
        let step = |h: i64| (opened + SignedDuration::from_hours(h)).min(now);
        let stage = i % 8;
        if stage == 0 {
            continue;
        }
        let c = *pick(rng, coordinators);
        w.problem_action(id, ProblemAction::Assign, None, Some(c), step(1))?;
        if stage >= 2 {
            w.problem_action(
                id,
                ProblemAction::Note,
                Some(&format!("已联系{}海关，等待回复", districts[0])),
                None,
                step(rng.random_range(2..40)),
            )?;
        }
        if stage >= 5 {
            w.problem_action(
                id,
                ProblemAction::Resolve,
                Some(&format!("{}海关已处理，企业货物放行", districts[0])),
                None,
                step(rng.random_range(40..120)),
            )?;
        }
        if stage >= 6 {
            w.problem_action(id, ProblemAction::Close, Some("企业确认"), None, step(130))?;
        }
        if stage == 7 {
            w.problem_action(
                id,
                ProblemAction::Reopen,
                Some("企业反映问题复现"),
                None,
                step(140),
            )?;
        }
    }
    Ok(())
}

fn verifications(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    aeo: &[&Company],
    now: Timestamp,
    per_year: u32,
    scale: usize,
) -> Result<()> {
    let year = crate::calendar::shanghai_date(now).year();
    let teams = ["稽查一组", "稽查二组", "核查三组"];
    // A company is planned once here (the second 管理类核查 below comes with an override), so a
    // small demo with few AEO enterprises never meets the once-a-year rule by accident.
    let mut planned = HashSet::new();
    for i in 0..30 * scale {
        let index = (i * 11) % aeo.len();
        if !planned.insert(index) {
            continue;
        }
        let company = aeo[index];
        let first = Date::new(year, rng.random_range(1..=6), rng.random_range(1..=28))?;
        let kind = if i % 4 == 3 {
            VerificationKind::Other
        } else {
            VerificationKind::Management
        };
        let plan = |date: Date, kind, reason: Option<&'static str>, self_check| NewPlan {
            enterprise_id: company.id,
            kind,
            date,
            instruction: "",
            team: teams[i % teams.len()],
            self_check,
            override_reason: reason,
        };
        let (a, _) = w.schedule_verification(
            &NewPlan {
                instruction: &format!("稽查指令〔{year}〕{}号", 100 + i),
                ..plan(first, kind, None, i % 6 == 1)
            },
            per_year,
        )?;
        match i % 5 {
            // A second management verification the same year, scheduled by override.
            0 if kind == VerificationKind::Management => {
                let later = Date::new(year, rng.random_range(7..=12), rng.random_range(1..=28))?;
                w.schedule_verification(
                    &plan(later, kind, Some("专项稽查指令，经审批"), false),
                    per_year,
                )?;
            }
            // Another order in the same period, merged into one team (measure 16).
            1 => {
                let (b, _) = w.schedule_verification(
                    &plan(
                        first.saturating_add(jiff::Span::new().days(10)),
                        VerificationKind::Other,
                        None,
                        false,
                    ),
                    per_year,
                )?;
                w.merge_verifications(a, b)?;
            }
            // Another order in the same period, proposed for merging but not merged yet.
            2 => {
                w.schedule_verification(
                    &plan(
                        first.saturating_add(jiff::Span::new().days(20)),
                        VerificationKind::Other,
                        None,
                        false,
                    ),
                    per_year,
                )?;
            }
            _ => {}
        }
    }
    Ok(())
}
