//! The hotline's work loop on the command line: `aeo call`, `aeo calls`, `aeo problem`,
//! `aeo problems`, `aeo report problems`, `aeo coordinators`, `aeo verification`,
//! `aeo verifications`.

use super::output::print_json;
use super::output::{FileOutput, ReportFormat, report_bytes, send_report};
use super::output::{ListFormat, ListOutput, headers, print_rows};
use super::{Context, optional_enterprise, optional_instant};
use crate::calendar::{WorkingCalendar, shanghai_date};
use crate::domain::call::{CallOutcome, CallbackState, Channel, callback_state, parse_measures};
use crate::domain::duty::by_duty;
use crate::domain::enterprise::Coordinator;
use crate::domain::measures::MeasureCatalog;
use crate::domain::problem::{
    BoardGroup, Lateness, ProblemAction, ProblemClock, ProblemTargets, board, parse_districts,
};
use crate::domain::verification::{VerificationKind, merge_proposals};
use crate::present::instant as shanghai_text;
use crate::store::{
    CallFilter, CallRow, NewCall, NewPlan, OpenProblem, ProblemFilter, ProblemRow, Store,
};
use crate::text::{inert, table};
use crate::transfer::export::Cell;
use crate::transfer::xlsx;
use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum CallCommand {
    /// Log a call: who, through which channel, about which measures, the question and answer
    Log(Box<CallLogArgs>),
    /// Record that a promised callback was made
    Done { id: i64 },
}

#[derive(Args, Debug)]
pub struct CallLogArgs {
    /// The enterprise (id, USCC, customs code or full Chinese name); leave out for an unknown caller
    #[arg(long)]
    pub enterprise: Option<String>,
    /// hotline (962116), wechat, group, visit, email or outgoing
    #[arg(long, default_value = "hotline")]
    pub channel: String,
    /// The measure(s) the call concerns: 27 or 27,28
    #[arg(long, default_value = "")]
    pub measure: String,
    #[arg(long)]
    pub question: String,
    #[arg(long, default_value = "")]
    pub answer: String,
    #[arg(long)]
    pub caller: Option<String>,
    #[arg(long)]
    pub caller_phone: Option<String>,
    /// answered, problem (opens a problem), forwarded (to the coordinator on duty) or callback
    #[arg(long, default_value = "answered")]
    pub outcome: String,
    /// When the promised callback is due (with --outcome callback)
    #[arg(long, value_name = "TIME")]
    pub callback_by: Option<String>,
    /// The coordinator a forwarded call went to [default: the first on duty]
    #[arg(long)]
    pub forward_to: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CallsArgs {
    #[arg(long)]
    pub enterprise: Option<String>,
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only promised callbacks not yet made, the earliest due first
    #[arg(long)]
    pub callbacks_open: bool,
    /// How many calls (1 to 100,000)
    #[arg(long, default_value_t = 100, value_parser = super::output::limit_parser())]
    pub limit: usize,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Subcommand, Debug)]
pub enum ProblemCommand {
    /// Open a problem (measure 29), directly or from a call
    Open {
        #[arg(long)]
        enterprise: String,
        #[arg(long)]
        summary: String,
        /// The other customs districts involved: 深圳,宁波
        #[arg(long, default_value = "")]
        districts: String,
        /// The Shanghai office concerned
        #[arg(long, default_value = "")]
        office: String,
        #[arg(long, value_name = "CALL")]
        from_call: Option<i64>,
        /// Coordinator (id, phone or name)
        #[arg(long)]
        coordinator: Option<String>,
    },
    /// Assign a problem to a coordinator
    Assign {
        id: i64,
        #[arg(long)]
        coordinator: String,
    },
    /// Add a note (the first note is the first reply)
    Note { id: i64, text: String },
    /// Resolve a problem
    Resolve {
        id: i64,
        #[arg(long)]
        resolution: String,
    },
    /// Reopen a resolved or closed problem
    Reopen {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Close a resolved problem once the enterprise confirms
    Close {
        id: i64,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct ProblemsArgs {
    /// Only open and assigned problems
    #[arg(long)]
    pub open: bool,
    #[arg(long)]
    pub enterprise: Option<String>,
    #[arg(long)]
    pub coordinator: Option<String>,
    /// Targets in working days [default: reply=1,resolve=5]
    #[arg(long, env = "AEO_PROBLEM_TARGETS", value_name = "reply=N,resolve=N")]
    pub targets: Option<String>,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Args, Debug)]
pub struct CoordinatorsArgs {
    #[arg(long)]
    pub enterprise: Option<String>,
    /// Only those on duty now
    #[arg(long)]
    pub on_duty: bool,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Subcommand, Debug)]
pub enum VerificationCommand {
    /// Schedule a verification (measures 16, 17)
    Schedule {
        #[arg(long)]
        enterprise: String,
        /// management (管理类核查) or other
        #[arg(long)]
        kind: String,
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        team: String,
        /// The instruction (指令) reference
        #[arg(long, default_value = "")]
        instruction: String,
        /// Self-check results recognised (自查结果认可, measure 16)
        #[arg(long)]
        self_check: bool,
        /// Why a second management-type verification this year is needed (audited)
        #[arg(long)]
        override_reason: Option<String>,
    },
    /// Merge plan B into plan A: one team, one visit (measure 16)
    Merge { a: i64, b: i64 },
}

#[derive(Args, Debug)]
pub struct VerificationsArgs {
    #[arg(long)]
    pub enterprise: Option<String>,
    #[arg(long)]
    pub year: Option<i16>,
    #[command(flatten)]
    pub out: ListOutput,
}

pub fn problem_targets(given: Option<&str>) -> Result<ProblemTargets> {
    match given {
        Some(s) => Ok(ProblemTargets::parse(s)?),
        None => Ok(ProblemTargets::default()),
    }
}

pub fn call(ctx: &Context, c: &CallCommand) -> Result<ExitCode> {
    let mut store = ctx.open_existing()?;
    match c {
        CallCommand::Done { id } => {
            store.write(|w| w.callback_done(*id, ctx.now))?;
            outln!("call {id}: callback made by {}", inert(&ctx.operator));
            Ok(ExitCode::SUCCESS)
        }
        CallCommand::Log(a) => call_log(ctx, &mut store, a),
    }
}

fn call_log(ctx: &Context, store: &mut Store, a: &CallLogArgs) -> Result<ExitCode> {
    let channel = Channel::parse(&a.channel).map_err(|e| anyhow!("--channel: {e}"))?;
    let outcome = CallOutcome::parse(&a.outcome).map_err(|e| anyhow!("--outcome: {e}"))?;
    let measures = parse_measures(&a.measure)?;
    let callback_by = optional_instant(a.callback_by.as_deref(), "--callback-by")?;
    let enterprise = optional_enterprise(store, a.enterprise.as_deref())?;
    let forwarded_to = match (&a.forward_to, outcome, &enterprise) {
        (Some(k), _, _) => Some(store.resolve_coordinator(k)?.id),
        (None, CallOutcome::Forwarded, Some(e)) => on_duty_first(store, e.id, ctx.now)?
            .first()
            .map(|(c, _)| c.id),
        _ => None,
    };
    let (id, problem) = store.write(|w| {
        w.log_call(&NewCall {
            at: ctx.now,
            operator: &ctx.operator,
            enterprise_id: enterprise.as_ref().map(|e| e.id),
            caller_name: a.caller.as_deref(),
            caller_phone: a.caller_phone.as_deref(),
            channel,
            measures: &measures,
            question: &a.question,
            answer: &a.answer,
            outcome,
            callback_by,
            forwarded_to,
            marked_for: None,
            open_problem: true,
        })
    })?;
    let row = store
        .call(id)?
        .ok_or_else(|| anyhow!("call {id} vanished"))?;
    if a.json {
        return print_json(&row);
    }
    outln!(
        "logged call {id} ({}) from {}{}",
        row.outcome.name(ctx.lang),
        row.enterprise
            .as_deref()
            .map(inert)
            .unwrap_or_else(|| "an unknown caller".into()),
        row.marked_for
            .as_deref()
            .map(|p| format!(", marked for {}", inert(p)))
            .unwrap_or_default()
    );
    if let Some(p) = problem {
        outln!("opened problem {p}");
    }
    if let Some(name) = &row.forwarded_to_name {
        outln!("forwarded to {}", inert(name));
    }
    if let Some(by) = row.callback_by {
        outln!("callback due by {}", shanghai_text(by));
    }
    Ok(ExitCode::SUCCESS)
}

/// An enterprise's coordinators, those on duty at `now` first.
pub fn on_duty_first(
    store: &Store,
    enterprise_id: i64,
    now: Timestamp,
) -> Result<Vec<(Coordinator, bool)>> {
    Ok(by_duty(
        store.coordinators_of(enterprise_id)?,
        WorkingCalendar::official(),
        now,
    ))
}

fn callback_text(r: &CallRow, now: Timestamp) -> String {
    let Some(by) = r.callback_by else {
        return String::new();
    };
    match callback_state(by, r.callback_done_at, now) {
        CallbackState::Done => format!(
            "called back {}",
            r.callback_done_at.map(shanghai_text).unwrap_or_default()
        ),
        CallbackState::Due { secs_left, soon } => format!(
            "{}due {} ({}m left)",
            if soon { "SOON " } else { "" },
            shanghai_text(by),
            secs_left / 60
        ),
        CallbackState::Overdue { secs_late } => {
            format!("OVERDUE since {} ({}m)", shanghai_text(by), secs_late / 60)
        }
    }
}

pub fn calls(ctx: &Context, a: &CallsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let enterprise = optional_enterprise(&store, a.enterprise.as_deref())?;
    let since = optional_instant(a.since.as_deref(), "--since")?;
    let rows = store.calls(&CallFilter {
        enterprise_id: enterprise.map(|e| e.id),
        since,
        callbacks_open: a.callbacks_open,
        limit: a.limit,
    })?;
    if a.out.format() == ListFormat::Json {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            row: &'a CallRow,
            callback: Option<CallbackState>,
        }
        let views: Vec<View<'_>> = rows
            .iter()
            .map(|row| View {
                row,
                callback: row
                    .callback_by
                    .map(|by| callback_state(by, row.callback_done_at, ctx.now)),
            })
            .collect();
        return print_json(&views);
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                shanghai_text(r.at),
                inert(&r.operator),
                r.enterprise
                    .as_deref()
                    .map(inert)
                    .or_else(|| r.caller_name.as_deref().map(inert))
                    .unwrap_or_else(|| "?".into()),
                r.channel.name(ctx.lang).into(),
                crate::domain::call::measures_text(&r.measures),
                inert(&r.question),
                inert(&r.answer),
                r.outcome.name(ctx.lang).into(),
                callback_text(r, ctx.now),
                r.marked_for.as_deref().map(inert).unwrap_or_default(),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("编号", "id"),
                ("时间（上海）", "at (Shanghai)"),
                ("操作员", "operator"),
                ("来电方", "caller"),
                ("渠道", "channel"),
                ("措施", "measures"),
                ("问题", "question"),
                ("答复", "answer"),
                ("结果", "outcome"),
                ("回电", "callback"),
                ("转交", "for"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn problem(ctx: &Context, c: &ProblemCommand) -> Result<ExitCode> {
    let mut store = ctx.open_existing()?;
    let coordinator = |store: &Store, k: &Option<String>| -> Result<Option<Coordinator>> {
        k.as_deref()
            .map(|k| store.resolve_coordinator(k))
            .transpose()
    };
    let (id, status) = match c {
        ProblemCommand::Open {
            enterprise,
            summary,
            districts,
            office,
            from_call,
            coordinator: coord,
        } => {
            let e = store.resolve_enterprise(enterprise)?;
            let districts = parse_districts(districts)?;
            let c = coordinator(&store, coord)?;
            let id = store.write(|w| {
                w.open_problem(&OpenProblem {
                    enterprise_id: e.id,
                    title: summary,
                    district: office.trim(),
                    districts: &districts,
                    coordinator_id: c.as_ref().map(|c| c.id),
                    call_id: *from_call,
                    at: ctx.now,
                })
            })?;
            outln!("opened problem {id} for {}", inert(&e.name_zh));
            return Ok(ExitCode::SUCCESS);
        }
        ProblemCommand::Assign {
            id,
            coordinator: coord,
        } => {
            let c = store.resolve_coordinator(coord)?;
            let s = store.write(|w| {
                w.problem_action(*id, ProblemAction::Assign, None, Some(c.id), ctx.now)
            })?;
            outln!("problem {id} assigned to {}", inert(&c.name));
            (*id, s)
        }
        ProblemCommand::Note { id, text } => (
            *id,
            store
                .write(|w| w.problem_action(*id, ProblemAction::Note, Some(text), None, ctx.now))?,
        ),
        ProblemCommand::Resolve { id, resolution } => (
            *id,
            store.write(|w| {
                w.problem_action(*id, ProblemAction::Resolve, Some(resolution), None, ctx.now)
            })?,
        ),
        ProblemCommand::Reopen { id, reason } => (
            *id,
            store.write(|w| {
                w.problem_action(*id, ProblemAction::Reopen, reason.as_deref(), None, ctx.now)
            })?,
        ),
        ProblemCommand::Close { id, note } => (
            *id,
            store.write(|w| {
                w.problem_action(*id, ProblemAction::Close, note.as_deref(), None, ctx.now)
            })?,
        ),
    };
    outln!(
        "problem {id}: {} (by {})",
        status.name(ctx.lang),
        inert(&ctx.operator)
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ProblemView<'a> {
    #[serde(flatten)]
    row: &'a ProblemRow,
    clock: ProblemClock,
}

fn late_text(c: &ProblemClock, open: bool) -> String {
    let mut s = Vec::new();
    if c.reply_late && open {
        s.push("reply late");
    }
    if c.resolution_late && open {
        s.push("PAST TARGET");
    }
    if c.uses_unknown_calendar {
        s.push("[?calendar]");
    }
    s.join(" ")
}

pub fn problems(ctx: &Context, a: &ProblemsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let targets =
        problem_targets(a.targets.as_deref()).context("--targets / AEO_PROBLEM_TARGETS")?;
    let enterprise = optional_enterprise(&store, a.enterprise.as_deref())?;
    let coordinator = a
        .coordinator
        .as_deref()
        .map(|c| store.resolve_coordinator(c))
        .transpose()?;
    let rows = store.problems(&ProblemFilter {
        open_only: a.open,
        enterprise_id: enterprise.map(|e| e.id),
        coordinator_id: coordinator.map(|c| c.id),
        not_closed: false,
    })?;
    let late = Lateness::new(WorkingCalendar::official(), targets, ctx.now);
    let views: Vec<ProblemView<'_>> = rows
        .iter()
        .map(|row| ProblemView {
            clock: late.clock(&row.problem),
            row,
        })
        .collect();
    if a.out.format() == ListFormat::Json {
        return print_json(&views);
    }
    let body: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let p = &v.row.problem;
            vec![
                p.id.to_string(),
                inert(&v.row.enterprise),
                inert(&p.title),
                if p.districts.is_empty() {
                    "上海".into()
                } else {
                    format!("上海→{}", p.districts.join("、"))
                },
                p.status.name(ctx.lang).into(),
                v.row.coordinator.as_deref().map(inert).unwrap_or_default(),
                shanghai_text(p.opened_at),
                format!("{} wd", v.clock.age_working_days),
                late_text(&v.clock, p.status.is_open()),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("编号", "id"),
                ("企业", "enterprise"),
                ("摘要", "summary"),
                ("区", "districts"),
                ("状态", "status"),
                ("协调员", "coordinator"),
                ("提出时间", "opened"),
                ("已过", "age"),
                ("目标", "target"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The 清零 report: open problems per enterprise and per coordinator, oldest first.
pub fn report_problems(
    ctx: &Context,
    targets: Option<&str>,
    format: ReportFormat,
    to: &FileOutput,
) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let targets = problem_targets(targets).context("--targets / AEO_PROBLEM_TARGETS")?;
    let rows = store.problems(&ProblemFilter {
        open_only: true,
        ..Default::default()
    })?;
    let late = Lateness::new(WorkingCalendar::official(), targets, ctx.now);
    let clocks: Vec<ProblemClock> = rows.iter().map(|r| late.clock(&r.problem)).collect();
    let keyed = |key: &dyn Fn(&ProblemRow) -> String| -> Vec<BoardGroup> {
        board(
            rows.iter()
                .zip(&clocks)
                .map(|(r, c)| {
                    (
                        key(r),
                        r.problem.id,
                        r.problem.opened_at,
                        c.age_working_days,
                    )
                })
                .collect(),
        )
    };
    let by_enterprise = keyed(&|r| r.enterprise.clone());
    let by_coordinator = keyed(&|r| {
        r.coordinator
            .clone()
            .unwrap_or_else(|| "（未指派 / unassigned）".into())
    });
    let past_target = clocks
        .iter()
        .zip(&rows)
        .filter(|(c, _)| c.past_target())
        .map(|(_, r)| r.problem.id)
        .collect::<Vec<_>>();
    #[derive(Serialize)]
    struct Report {
        date: jiff::civil::Date,
        targets: ProblemTargets,
        open: usize,
        enterprises_not_cleared: usize,
        past_target: Vec<i64>,
        by_enterprise: Vec<BoardGroup>,
        by_coordinator: Vec<BoardGroup>,
    }
    let report = Report {
        date: shanghai_date(ctx.now),
        targets,
        open: rows.len(),
        enterprises_not_cleared: by_enterprise.len(),
        past_target,
        by_enterprise,
        by_coordinator,
    };
    let text = || -> Result<String> {
        use std::fmt::Write as _;
        if format == ReportFormat::Json {
            return Ok(format!("{}\n", serde_json::to_string_pretty(&report)?));
        }
        let mut s = String::new();
        writeln!(
            s,
            "清零 report {}: {} open problems, {} enterprises not cleared, {} past target (reply {} / resolution {} working days)",
            report.date,
            report.open,
            report.enterprises_not_cleared,
            report.past_target.len(),
            targets.first_reply_days,
            targets.resolution_days
        )?;
        for (title, groups) in [
            ("by enterprise", &report.by_enterprise),
            ("by coordinator", &report.by_coordinator),
        ] {
            writeln!(s, "\n{title}:")?;
            let body: Vec<Vec<String>> = groups
                .iter()
                .map(|g| {
                    vec![
                        inert(&g.name),
                        g.problems.len().to_string(),
                        g.problems
                            .iter()
                            .map(|(id, age)| format!("#{id} ({age} wd)"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            s.push_str(&table(&["name", "open", "problems, oldest first"], &body));
        }
        Ok(s)
    };
    let lang = ctx.lang;
    let list_header = headers(
        lang,
        &[
            ("编号", "id"),
            ("企业", "enterprise"),
            ("协调员", "coordinator"),
            ("问题", "problem"),
            ("状态", "status"),
            ("提出时间", "opened"),
            ("工作日", "working days"),
            ("答复期限", "reply due"),
            ("解决期限", "resolution due"),
            ("答复超期", "reply late"),
            ("解决超期", "resolution late"),
        ],
    );
    let list: Vec<Vec<Cell>> = rows
        .iter()
        .zip(&clocks)
        .map(|(r, c)| {
            vec![
                Cell::Number(r.problem.id),
                Cell::Text(r.enterprise.clone()),
                r.coordinator.clone().map(Cell::Text).unwrap_or(Cell::Empty),
                Cell::Text(r.problem.title.clone()),
                Cell::Text(r.problem.status.name(lang).to_string()),
                Cell::Instant(r.problem.opened_at),
                Cell::Number(c.age_working_days),
                Cell::Instant(c.reply_due),
                Cell::Instant(c.resolution_due),
                Cell::Bool(c.reply_late),
                Cell::Bool(c.resolution_late),
            ]
        })
        .collect();
    let group_header = headers(
        lang,
        &[
            ("名称", "name"),
            ("未清零", "open"),
            ("最长工作日", "oldest, working days"),
            ("问题（最早的在前）", "problems, oldest first"),
        ],
    );
    let groups = |groups: &[BoardGroup]| -> Vec<Vec<Cell>> {
        groups
            .iter()
            .map(|g| {
                vec![
                    Cell::Text(g.name.clone()),
                    Cell::Number(g.problems.len() as i64),
                    Cell::Number(g.problems.iter().map(|(_, age)| *age).max().unwrap_or(0)),
                    Cell::Text(
                        g.problems
                            .iter()
                            .map(|(id, _)| format!("#{id}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]
            })
            .collect()
    };
    let (by_enterprise, by_coordinator) = (
        groups(&report.by_enterprise),
        groups(&report.by_coordinator),
    );
    let bytes = report_bytes(
        format,
        to.encoding,
        text,
        &[
            xlsx::Sheet {
                name: &format!("{} {}", lang.pick("清零", "problems"), report.date),
                header: &list_header,
                rows: &list,
            },
            xlsx::Sheet {
                name: lang.pick("按企业", "by enterprise"),
                header: &group_header,
                rows: &by_enterprise,
            },
            xlsx::Sheet {
                name: lang.pick("按协调员", "by coordinator"),
                header: &group_header,
                rows: &by_coordinator,
            },
        ],
    )?;
    send_report(ctx, to, format, &bytes)?;
    Ok(ExitCode::SUCCESS)
}

pub fn coordinators(ctx: &Context, a: &CoordinatorsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let cal = WorkingCalendar::official();
    let (list, person): (Vec<(Coordinator, bool)>, Option<String>) = match &a.enterprise {
        Some(e) => {
            let e = store.resolve_enterprise(e)?;
            (
                on_duty_first(&store, e.id, ctx.now)?,
                store.hotline_person(e.id)?,
            )
        }
        None => (
            by_duty(
                store
                    .all_coordinators()?
                    .into_iter()
                    .map(|(c, _)| c)
                    .collect(),
                cal,
                ctx.now,
            ),
            None,
        ),
    };
    let list: Vec<(Coordinator, bool)> = list
        .into_iter()
        .filter(|(_, on)| !a.on_duty || *on)
        .collect();
    if a.out.format() == ListFormat::Json {
        #[derive(Serialize)]
        struct View<'a> {
            #[serde(flatten)]
            coordinator: &'a Coordinator,
            on_duty: bool,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            at: Timestamp,
            hotline_person: Option<String>,
            coordinators: Vec<View<'a>>,
        }
        return print_json(&Out {
            at: ctx.now,
            hotline_person: person,
            coordinators: list
                .iter()
                .map(|(c, on)| View {
                    coordinator: c,
                    on_duty: *on,
                })
                .collect(),
        });
    }
    if let Some(p) = person.as_ref().filter(|_| a.out.is_table()) {
        outln!(
            "{}: {}",
            ctx.lang.pick(
                "热线指定联系人（措施33）",
                "designated hotline person (measure 33)"
            ),
            inert(p)
        );
    }
    let body: Vec<Vec<String>> = list
        .iter()
        .map(|(c, on)| {
            vec![
                c.id.to_string(),
                if *on {
                    ctx.lang.pick("值班中", "ON DUTY").into()
                } else {
                    ctx.lang.pick("不在班", "off").into()
                },
                inert(&c.name),
                c.role.name(ctx.lang).into(),
                inert(&c.phone),
                format!("{} {}", inert(&c.office_code), inert(&c.office_name)),
                inert(&c.duty_hours),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("编号", "id"),
                ("当前", "now"),
                ("姓名", "name"),
                ("角色", "role"),
                ("电话", "phone"),
                ("现场", "office"),
                ("值班时间", "duty hours"),
            ],
        ),
        &body,
    )?;
    if a.out.is_table() {
        outln!(
            "{}",
            ctx.lang
                .pick(
                    &format!("上海时间 {}", shanghai_text(ctx.now)),
                    &format!("at {} (Shanghai)", shanghai_text(ctx.now))
                )
                .to_string()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verification(ctx: &Context, c: &VerificationCommand) -> Result<ExitCode> {
    let mut store = ctx.open_existing()?;
    match c {
        VerificationCommand::Schedule {
            enterprise,
            kind,
            date,
            team,
            instruction,
            self_check,
            override_reason,
        } => {
            let kind = VerificationKind::parse(kind).map_err(|e| anyhow!("--kind: {e}"))?;
            let date: jiff::civil::Date = date
                .trim()
                .parse()
                .map_err(|_| anyhow!("--date: '{}' is not a date: use YYYY-MM-DD", date.trim()))?;
            let e = store.resolve_enterprise(enterprise)?;
            let per_year = MeasureCatalog::official().management_verifications_per_year();
            let (id, warning) = store.write(|w| {
                w.schedule_verification(
                    &NewPlan {
                        enterprise_id: e.id,
                        kind,
                        date,
                        instruction,
                        team,
                        self_check: *self_check,
                        override_reason: override_reason.as_deref(),
                    },
                    per_year,
                )
            })?;
            outln!(
                "scheduled verification {id}: {} of {} on {date}",
                kind.name(ctx.lang),
                inert(&e.name_zh)
            );
            if let Some(w) = warning {
                outln!("override recorded: {}", inert(&w));
            }
            for (a, b) in merge_proposals(&store.verification_plans_of(e.id)?) {
                if a == id || b == id {
                    outln!(
                        "measure 16: plans {a} and {b} fall in the same period; merge them into one team with `aeo verification merge {a} {b}`"
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        VerificationCommand::Merge { a, b } => {
            store.write(|w| w.merge_verifications(*a, *b))?;
            outln!("verification {b} merged into {a}: one team, one visit");
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn verifications(ctx: &Context, a: &VerificationsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let enterprise = optional_enterprise(&store, a.enterprise.as_deref())?;
    if let Some(y) = a.year
        && !(1900..=2999).contains(&y)
    {
        bail!("--year: {y} is not a year");
    }
    let rows = store.verifications(enterprise.as_ref().map(|e| e.id), a.year)?;
    let mut proposals = Vec::new();
    let mut seen = Vec::new();
    for r in &rows {
        if !seen.contains(&r.enterprise_id) {
            seen.push(r.enterprise_id);
            proposals.extend(merge_proposals(
                &store.verification_plans_of(r.enterprise_id)?,
            ));
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    proposals.retain(|(x, y)| ids.contains(x) && ids.contains(y));
    if a.out.format() == ListFormat::Json {
        #[derive(Serialize)]
        struct Out<'a> {
            verifications: &'a [crate::store::VerificationRow],
            merge_proposals: &'a [(i64, i64)],
        }
        return print_json(&Out {
            verifications: &rows,
            merge_proposals: &proposals,
        });
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut note = Vec::new();
            if let Some(m) = r.merged_into {
                note.push(format!("merged into {m}"));
            }
            if r.self_check {
                note.push("自查结果认可".into());
            }
            if let Some(o) = &r.override_reason {
                note.push(format!("override: {}", inert(o)));
            } else if let Some(f) = &r.flagged {
                note.push(format!("⚠ {}", inert(f)));
            }
            vec![
                r.id.to_string(),
                r.date.to_string(),
                inert(&r.enterprise),
                r.kind.name(ctx.lang).into(),
                inert(&r.instruction),
                inert(&r.team),
                note.join("; "),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("编号", "id"),
                ("日期", "date"),
                ("企业", "enterprise"),
                ("类型", "kind"),
                ("指令", "instruction"),
                ("小组", "team"),
                ("备注", "notes"),
            ],
        ),
        &body,
    )?;
    for (x, y) in proposals.iter().filter(|_| a.out.is_table()) {
        outln!(
            "{}",
            ctx.lang.pick(&format!(
                    "措施16：建议将 {x} 与 {y} 合并为一个小组（`aeo verification merge {x} {y}`）"
                ), &format!(
                    "measure 16: merge {x} and {y} into one team (`aeo verification merge {x} {y}`)"
                )).to_string()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct TodayArgs {
    /// Targets of problems in working days [default: reply=1,resolve=5]
    #[arg(long, env = "AEO_PROBLEM_TARGETS", value_name = "reply=N,resolve=N")]
    pub targets: Option<String>,
    /// At most this many lines per section
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `aeo today`: what this operator and the desk must act on now.
pub fn today(ctx: &Context, a: &TodayArgs) -> Result<ExitCode> {
    use crate::domain::approval::{Urgency, urgency};
    let store = ctx.open_existing()?;
    let targets =
        problem_targets(a.targets.as_deref()).context("--targets / AEO_PROBLEM_TARGETS")?;
    let cal = WorkingCalendar::official();
    let catalog = MeasureCatalog::official();
    let late = Lateness::new(cal, targets, ctx.now);
    let data = store.today(ctx.now, &ctx.operator, a.limit, &late)?;
    let problems: Vec<ProblemView<'_>> = data
        .problems
        .iter()
        .map(|row| ProblemView {
            clock: late.clock(&row.problem),
            row,
        })
        .collect();
    if a.json {
        #[derive(Serialize)]
        struct Approval<'a> {
            #[serde(flatten)]
            row: &'a crate::store::ApprovalRow,
            countdown: crate::calendar::Countdown,
            urgency: Urgency,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            at: Timestamp,
            operator: &'a str,
            approvals: Vec<Approval<'a>>,
            days: &'a [crate::store::TodayDay],
            abnormal_items: &'a [crate::store::QueueRow],
            abnormal_bookings: &'a [crate::store::BookingRow],
            callbacks: Vec<serde_json::Value>,
            problems_past_target: &'a [ProblemView<'a>],
            taken: &'a [crate::store::QueueRow],
        }
        let approvals = data
            .approvals
            .iter()
            .map(|row| {
                let countdown = row.countdown(cal, catalog, ctx.now);
                Approval {
                    urgency: urgency(&countdown),
                    countdown,
                    row,
                }
            })
            .collect();
        let callbacks = data
            .callbacks
            .iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                if let (Some(by), Some(o)) = (c.callback_by, v.as_object_mut()) {
                    o.insert(
                        "callback".into(),
                        serde_json::to_value(callback_state(by, c.callback_done_at, ctx.now))
                            .unwrap_or_default(),
                    );
                }
                v
            })
            .collect();
        return print_json(&Out {
            at: ctx.now,
            operator: &ctx.operator,
            approvals,
            days: &data.days,
            abnormal_items: &data.abnormal_items,
            abnormal_bookings: &data.abnormal_bookings,
            callbacks,
            problems_past_target: &problems,
            taken: &data.taken,
        });
    }
    let lang = ctx.lang;
    outln!(
        "{} {} · {}",
        crate::text::tr(lang, "今日待办", "Today"),
        shanghai_text(ctx.now),
        inert(&ctx.operator)
    );
    let section = |zh: &str, en: &str, n: usize| -> Result<()> {
        outln!("\n── {} ({n})", lang.pick(zh, en));
        Ok(())
    };
    section(
        "超期和临近到期的审批",
        "Approvals overdue or nearly due",
        data.approvals.len(),
    )?;
    for r in &data.approvals {
        let c = r.countdown(cal, catalog, ctx.now);
        let mark = match urgency(&c) {
            Urgency::Overdue => "✗",
            Urgency::NearlyDue => "!",
            _ => " ",
        };
        outln!(
            "{mark} #{} {} {} · {}",
            r.id,
            inert(&r.reference),
            inert(&r.enterprise),
            crate::present::countdown(&c, lang)
        );
    }
    section(
        "今明两天的查验（当日清）",
        "Inspections today and tomorrow (当日清)",
        data.days.len(),
    )?;
    for d in &data.days {
        let c = &d.clearance;
        let tr = |zh, en| crate::text::tr(lang, zh, en);
        outln!(
            "  {} {} · {} {} · {} {} · {} {} · {}",
            d.date,
            crate::present::weekday(d.date, lang),
            tr("待查", "booked"),
            c.booked,
            tr("已完成", "done"),
            c.done,
            tr("异常", "abnormal"),
            c.abnormal,
            if d.cleared {
                tr("已当日清", "cleared (当日清)")
            } else {
                tr("未清", "not cleared")
            }
        );
    }
    section(
        "异常事项和查验",
        "Abnormal items and inspections",
        data.abnormal_items.len() + data.abnormal_bookings.len(),
    )?;
    for r in &data.abnormal_items {
        outln!(
            "✗ item #{} {} · {}",
            r.id,
            inert(&r.enterprise),
            r.kind.name(lang)
        );
    }
    for b in &data.abnormal_bookings {
        outln!(
            "✗ booking #{} {} {:02}:{:02} {} · {}",
            b.id,
            b.date,
            b.start.hour(),
            b.start.minute(),
            inert(&b.enterprise),
            inert(&b.goods)
        );
    }
    section("待回电", "Callbacks due", data.callbacks.len())?;
    for c in &data.callbacks {
        outln!(
            "  call #{} {} · {} · {}",
            c.id,
            c.enterprise.as_deref().map(inert).unwrap_or_default(),
            inert(&c.question),
            callback_text(c, ctx.now)
        );
    }
    section(
        "超过时限的问题（措施29）",
        "Problems past their targets (measure 29)",
        problems.len(),
    )?;
    for v in &problems {
        let p = &v.row.problem;
        outln!(
            "✗ problem #{} {} · {} · {} wd · {}",
            p.id,
            inert(&v.row.enterprise),
            inert(&p.title),
            v.clock.age_working_days,
            late_text(&v.clock, true)
        );
    }
    section("我领取的事项", "My taken items", data.taken.len())?;
    for r in &data.taken {
        outln!(
            "  item #{} {} · {} · {}",
            r.id,
            inert(&r.enterprise),
            r.kind.name(lang),
            r.status.name(lang)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum CoordinatorCommand {
    /// Add a coordinator to an enterprise's coordinators (measure 28: several, by role)
    Link {
        #[arg(long)]
        enterprise: String,
        /// Coordinator (id, phone or name)
        #[arg(long)]
        coordinator: String,
    },
}

#[derive(Args, Debug)]
pub struct HotlinePersonArgs {
    #[arg(long)]
    pub enterprise: String,
    /// The hotline operator who answers this enterprise (专人, measure 33); leave out to clear
    pub person: Option<String>,
}

pub fn coordinator(ctx: &Context, c: &CoordinatorCommand) -> Result<ExitCode> {
    let CoordinatorCommand::Link {
        enterprise,
        coordinator,
    } = c;
    let mut store = ctx.open_existing()?;
    let e = store.resolve_enterprise(enterprise)?;
    let co = store.resolve_coordinator(coordinator)?;
    let added = store.write(|w| w.link_coordinator(e.id, co.id))?;
    println!(
        "{} {} ({}) {} {}",
        inert(&co.name),
        co.role.name(ctx.lang),
        inert(&co.phone),
        if added {
            "is now a coordinator of"
        } else {
            "was already a coordinator of"
        },
        inert(&e.name_zh)
    );
    Ok(ExitCode::SUCCESS)
}

pub fn hotline_person(ctx: &Context, a: &HotlinePersonArgs) -> Result<ExitCode> {
    let mut store = ctx.open_existing()?;
    let e = store.resolve_enterprise(&a.enterprise)?;
    let person = a.person.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if person.is_some() {
        crate::domain::call::check_hotline_person(e.credit)?;
    }
    store.write(|w| w.set_hotline_person(e.id, person))?;
    match person {
        Some(p) => println!(
            "calls from {} are marked for {}",
            inert(&e.name_zh),
            inert(p)
        ),
        None => println!("{} has no designated hotline person", inert(&e.name_zh)),
    }
    Ok(ExitCode::SUCCESS)
}
