//! One function per subcommand. Each prints a table, or JSON with --json.

use super::output::{ListFormat, ListOutput, headers, limit_parser, print_json, print_rows};
use super::{Context, optional_enterprise, optional_instant};
use crate::calendar::{
    ClockPause, Countdown, DayCount, DayReason, WorkingCalendar, countdown, parse_duration,
    parse_instant, unknown_year_flag,
};
use crate::domain::approval::{ApprovalKind, ApprovalTerms, Urgency, deadline_rule, urgency};
use crate::domain::clearance::check_appointment;
use crate::domain::credit::CreditLevel;
use crate::domain::ids::{ChecksumStatus, CustomsCode, DeclarationNo, Uscc};
use crate::domain::inspection::{Location, OffSiteReason, site_approval_text};
use crate::domain::measures::MeasureCatalog;
use crate::domain::message::Message;
use crate::present;
use crate::store::{ApprovalRow, NewBooking, QueueRow};
use crate::text::inert;
use crate::text::{Lang, tr};
use anyhow::{Context as _, Result, anyhow, bail};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed and --now give the same data
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// How many enterprises (10 to 1,000,000)
    #[arg(long, default_value_t = 320,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(10..=1_000_000))]
    pub enterprises: usize,
    /// How many queue items (0 to 10,000,000)
    #[arg(long, default_value_t = 600,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=10_000_000))]
    pub items: usize,
    /// Mark the new database as a demo without filling it (a practice or test database that
    /// accepts changes under a frozen clock, e.g. to import files at a chosen --now)
    #[arg(long, conflicts_with_all = ["seed", "enterprises", "items"])]
    pub empty: bool,
}

#[derive(Args, Debug)]
pub struct QueueArgs {
    /// How many rows (1 to 100,000)
    #[arg(long, default_value_t = 50, value_parser = limit_parser())]
    pub limit: usize,
    /// How many rows to skip (at most 100,000,000)
    #[arg(long, default_value_t = 0,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=100_000_000))]
    pub offset: usize,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Args, Debug)]
pub struct ApprovalsArgs {
    /// Only approvals due within this time from now (overdue ones included), e.g. 2d, 36h
    #[arg(long, value_name = "DURATION")]
    pub due_within: Option<String>,
    /// Include decided approvals
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Each date from FROM to TO (inclusive): working or not, why, and whether the year's data exists
    Days {
        from: String,
        to: String,
        #[command(flatten)]
        out: ListOutput,
    },
}

#[derive(Args, Debug)]
pub struct DeadlineArgs {
    /// special_articles (measure 25), animal_plant (26) or advance_ruling (6)
    #[arg(long)]
    pub kind: String,
    /// advanced, certified, regular, dishonest or seriously_dishonest (or the Chinese name)
    #[arg(long)]
    pub credit: String,
    #[arg(long, value_name = "TIME")]
    pub accepted_at: String,
    /// A clock pause FROM/TO (TO may be empty for a pause still open); repeatable
    #[arg(long, value_name = "FROM/TO")]
    pub pause: Vec<String>,
    /// Shanghai Customs has no final authority (终审权限) for the product: measure 26 does not
    /// apply
    #[arg(long)]
    pub no_final_authority: bool,
    /// A 第42条 extension of ten days, approved by this head of office
    #[arg(long, value_name = "NAME")]
    pub extended_by: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SlotsArgs {
    /// First date (default: today in Shanghai)
    #[arg(long)]
    pub date: Option<String>,
    /// Last date (default: the first)
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Args, Debug)]
pub struct BookArgs {
    /// The slot's id (see `aeo slots`)
    #[arg(long)]
    pub slot: i64,
    /// The enterprise: id, USCC, customs code or full Chinese name
    #[arg(long)]
    pub enterprise: String,
    #[arg(long)]
    pub goods: String,
    /// in_zone, out_of_zone or factory (measure 30)
    #[arg(long, default_value = "in_zone")]
    pub location: String,
    /// Why outside the zone or at the factory (measure 30; required there): temperature,
    /// static, dust or no_facilities
    #[arg(long)]
    pub reason: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LookupArgs {
    pub query: String,
    /// How many rows (1 to 100,000)
    #[arg(long, default_value_t = 10, value_parser = limit_parser())]
    pub limit: usize,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Args, Debug)]
pub struct ClearanceArgs {
    /// The enterprise: id, USCC, customs code or full Chinese name
    #[arg(long)]
    pub enterprise: String,
    /// When the goods are to be cleared
    #[arg(long, value_name = "TIME")]
    pub at: String,
    /// When the request is made [default: now]
    #[arg(long, value_name = "TIME")]
    pub requested_at: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ItemCommand {
    /// Take an item: it is yours, in progress (an abnormal item stays abnormal)
    Take { id: i64 },
    /// Take over an item another operator holds (audited as a takeover)
    #[command(alias = "take-over")]
    Takeover { id: i64 },
    /// Put your item back in the queue, waiting
    Release { id: i64 },
    /// Finish an item (refused when another operator holds it): it leaves the queue
    Finish { id: i64 },
    /// Mark an item abnormal (refused when another operator holds it): it stays in the queue
    Abnormal { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum BookingCommand {
    Done { id: i64 },
    Abnormal { id: i64 },
    Cancel { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum ApprovalCommand {
    /// Stop the clock for time 行政许可法 第45条 does not count: hearing, tender, auction,
    /// inspection, testing, quarantine, appraisal or expert_review (or the Chinese name)
    Pause {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// 补正 (第32条): the complete material was received at TIME; the acceptance moves there
    Correct {
        id: i64,
        #[arg(long, value_name = "TIME")]
        received: String,
    },
    /// Extend a regular limit once by ten working days (第42条), approved by the head of office
    Extend {
        id: i64,
        #[arg(long, value_name = "NAME")]
        approver: String,
    },
    /// Whether Shanghai Customs holds the final authority (终审权限) for the product of an
    /// animal/plant quarantine approval (measure 26 applies only then)
    FinalAuthority {
        id: i64,
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Restart the clock
    Resume { id: i64 },
    /// Record the decision; the clock stops for good
    Decide {
        id: i64,
        /// What was decided [default: 准予许可, or 签发预裁定 for an advance ruling]
        #[arg(long)]
        decision: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Only this enterprise (id, USCC, customs code or full Chinese name)
    #[arg(long)]
    pub enterprise: Option<String>,
    /// Only entries from this time on
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// How many entries (1 to 100,000)
    #[arg(long, default_value_t = 100, value_parser = limit_parser())]
    pub limit: usize,
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Subcommand, Debug)]
pub enum ValidateCommand {
    /// A unified social credit code (GB 32100)
    Uscc { code: String },
    /// A 10-digit customs registration code (or AEOCN + code)
    CustomsCode { code: String },
    /// An 18-digit declaration number
    Declaration { number: String },
}

#[derive(Args, Debug)]
pub struct MeasuresArgs {
    #[command(flatten)]
    pub out: ListOutput,
}

pub fn dispatch(ctx: &Context, cmd: super::Command) -> Result<ExitCode> {
    use super::Command as C;
    match cmd {
        C::Init => init(ctx),
        C::Demo(a) => demo(ctx, &a),
        C::Queue(a) => queue(ctx, &a),
        C::Approvals(a) => approvals(ctx, &a),
        C::Calendar(CalendarCommand::Days { from, to, out }) => {
            calendar_days(&from, &to, &out, ctx.lang)
        }
        C::Deadline(a) => deadline(ctx, &a),
        C::Slots(a) => slots(ctx, &a),
        C::Book(a) => book(ctx, &a),
        C::Lookup(a) => lookup(ctx, &a),
        C::Clearance(a) => clearance(ctx, &a),
        C::Item(c) => item(ctx, &c),
        C::Alias(c) => alias(ctx, &c),
        C::Booking(c) => booking(ctx, &c),
        C::Approval(c) => approval(ctx, &c),
        C::Audit(a) => audit(ctx, &a),
        C::Validate(v) => validate(&v),
        C::Measures(a) => measures(ctx, &a),
        C::Import(a) => super::transfer::import(ctx, &a),
        C::Export(a) => super::transfer::export(ctx, &a),
        C::Report(r) => super::transfer::report(ctx, &r),
        C::Config(a) => super::setup::config(ctx, &a),
        C::Copy(a) => super::setup::copy(ctx, &a),
        C::Completions(a) => super::setup::completions(&a),
        C::Man(a) => super::setup::man(&a),
        C::Doctor(_) => unreachable!("doctor runs before the configuration is loaded"),
        C::Call(c) => super::hotline::call(ctx, &c),
        C::Calls(a) => super::hotline::calls(ctx, &a),
        C::Problem(c) => super::hotline::problem(ctx, &c),
        C::Problems(a) => super::hotline::problems(ctx, &a),
        C::Coordinators(a) => super::hotline::coordinators(ctx, &a),
        C::Verification(c) => super::hotline::verification(ctx, &c),
        C::Verifications(a) => super::hotline::verifications(ctx, &a),
        C::Today(a) => super::hotline::today(ctx, &a),
        C::Coordinator(c) => super::hotline::coordinator(ctx, &c),
        C::HotlinePerson(a) => super::hotline::hotline_person(ctx, &a),
    }
}

fn parse_date(s: &str) -> Result<Date> {
    let d = s
        .trim()
        .parse()
        .map_err(|_| anyhow!("'{}' is not a date: use YYYY-MM-DD", s.trim()))?;
    crate::calendar::check_year(d).map_err(|e| anyhow!(e))
}

fn init(ctx: &Context) -> Result<ExitCode> {
    let existed = ctx.db.exists();
    let store = ctx.open_for_init()?;
    outln!(
        "database {} {} (schema {})",
        store.path().display(),
        if existed { "ready" } else { "created" },
        crate::store::SCHEMA_VERSION
    );
    Ok(ExitCode::SUCCESS)
}

fn demo(ctx: &Context, a: &DemoArgs) -> Result<ExitCode> {
    let mut store = ctx.open()?;
    if a.empty {
        store.mark_demo()?;
        outln!("empty demo database {}", store.path().display());
        return Ok(ExitCode::SUCCESS);
    }
    let opts = crate::demo::DemoOptions {
        seed: a.seed,
        enterprises: a.enterprises,
        items: a.items,
    };
    let r = crate::demo::fill(
        &mut store,
        &opts,
        ctx.now,
        WorkingCalendar::official(),
        MeasureCatalog::official(),
    )?;
    outln!(
        "demo database {}: {} enterprises, {} queue items, {} inspection slots, {} bookings, {} approvals",
        store.path().display(),
        r.enterprises,
        r.items,
        r.slots,
        r.bookings,
        r.approvals
    );
    Ok(ExitCode::SUCCESS)
}

/// Time left before a work item's deadline, or how long it has waited.
fn item_time_text(r: &QueueRow, now: Timestamp, lang: Lang) -> String {
    let span = |d: jiff::SignedDuration| present::span(d.as_secs().max(0), lang);
    let (zh, en) = match r.due_at {
        Some(due) if due <= now => {
            let late = span(now.duration_since(due));
            (format!("超期 {late}"), format!("overdue {late}"))
        }
        Some(due) => {
            let left = span(due.duration_since(now));
            (format!("剩 {left}"), format!("{left} left"))
        }
        None => {
            let waited = span(now.duration_since(r.received_at));
            (format!("已等 {waited}"), format!("waiting {waited}"))
        }
    };
    lang.pick(&zh, &en).to_string()
}

fn queue(ctx: &Context, a: &QueueArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let rows = store.queue(a.limit, a.offset)?;
    if a.out.format() == ListFormat::Json {
        return print_json(&rows);
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let flags = r.flags.labels(ctx.lang);
            vec![
                (a.offset + i + 1).to_string(),
                r.id.to_string(),
                r.enterprise.clone(),
                r.credit.name(ctx.lang).to_string(),
                format!("{} (m{})", r.kind.name(ctx.lang), r.measure),
                r.declaration_no.clone().unwrap_or_default(),
                item_time_text(r, ctx.now, ctx.lang),
                r.status.name(ctx.lang).to_string(),
                flags.join(" "),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("#", "#"),
                ("编号", "id"),
                ("企业", "enterprise"),
                ("信用等级", "credit"),
                ("类型", "kind"),
                ("报关单号", "declaration"),
                ("时间", "time"),
                ("状态", "status"),
                ("标记", "flags"),
            ],
        ),
        &body,
    )?;
    if a.out.is_table() {
        let n = store.queue_len()?;
        outln!(
            "{}",
            ctx.lang
                .pick(
                    &format!("队列中共 {n} 项未办结"),
                    &format!("{n} open items in the queue")
                )
                .to_string()
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ApprovalView<'a> {
    #[serde(flatten)]
    row: &'a ApprovalRow,
    status: crate::domain::approval::ApprovalStatus,
    rule: crate::domain::approval::DeadlineRule,
    countdown: Countdown,
    urgency: Urgency,
}

fn approvals(ctx: &Context, a: &ApprovalsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let cal = WorkingCalendar::official();
    let catalog = MeasureCatalog::official();
    let within = a.due_within.as_deref().map(parse_duration).transpose()?;
    let rows = store.approvals(a.all)?;
    let mut views: Vec<ApprovalView<'_>> = rows
        .iter()
        .map(|row| {
            let countdown = row.countdown(cal, catalog, ctx.now);
            ApprovalView {
                status: row.status(),
                rule: row.rule(catalog),
                urgency: urgency(&countdown),
                countdown,
                row,
            }
        })
        .filter(|v| match within {
            None => true,
            Some(w) => {
                v.row.decided_at.is_none() && v.countdown.due.is_some_and(|due| due <= ctx.now + w)
            }
        })
        .collect();
    // The one order of approvals: the earlier due instant first, stopped clocks after, decided last.
    views.sort_by(|a, b| a.row.place().cmp(&b.row.place()));
    if a.out.format() == ListFormat::Json {
        return print_json(&views);
    }
    let body: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            vec![
                v.row.id.to_string(),
                v.row.reference.clone(),
                v.row.enterprise.clone(),
                v.row.credit.name(ctx.lang).to_string(),
                v.status.name(ctx.lang).to_string(),
                v.countdown
                    .due
                    .map(|d| present::deadline(d, false))
                    .unwrap_or_else(|| "—".into()),
                if v.row.decided_at.is_some() {
                    format!(
                        "{} {}",
                        ctx.lang.pick("已办结", "decided"),
                        v.row.decided_at.map(present::instant).unwrap_or_default()
                    )
                } else {
                    present::countdown(&v.countdown, ctx.lang)
                },
                match v.urgency {
                    Urgency::Overdue if v.row.decided_at.is_none() => {
                        ctx.lang.pick("已超期", "OVERDUE").into()
                    }
                    Urgency::NearlyDue if v.row.decided_at.is_none() => {
                        ctx.lang.pick("即将到期", "NEARLY DUE").into()
                    }
                    _ => String::new(),
                },
                v.rule.reason(ctx.lang).to_string(),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("编号", "id"),
                ("文号", "ref"),
                ("企业", "enterprise"),
                ("信用等级", "credit"),
                ("状态", "status"),
                ("到期（上海时间）", "due (Shanghai)"),
                ("剩余时间", "time left"),
                ("紧急", "urgency"),
                ("规则", "rule"),
            ],
        ),
        &body,
    )?;
    let flagged = views
        .iter()
        .any(|v| v.row.decided_at.is_none() && v.countdown.uses_unknown_calendar);
    if flagged && a.out.format() == ListFormat::Table {
        outln!(
            "{} {}",
            present::UNKNOWN_CALENDAR_MARK,
            crate::calendar::unknown_year_flag(ctx.lang)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct DayView {
    date: Date,
    weekday: &'static str,
    working: bool,
    reason: DayReason,
    data_known: bool,
}

const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

fn calendar_days(from: &str, to: &str, out: &ListOutput, lang: Lang) -> Result<ExitCode> {
    let (from, to) = (parse_date(from)?, parse_date(to)?);
    if to < from {
        bail!("the range ends ({to}) before it starts ({from})");
    }
    if (to - from).get_days() > 3660 {
        bail!("the range is longer than ten years");
    }
    let cal = WorkingCalendar::official();
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let info = cal.day(d);
        days.push(DayView {
            date: d,
            weekday: WEEKDAYS_ZH[d.weekday().to_monday_zero_offset() as usize],
            working: info.working,
            reason: info.reason,
            data_known: info.data_known,
        });
        d = d.tomorrow()?;
    }
    if out.format() == ListFormat::Json {
        return print_json(&days);
    }
    let body: Vec<Vec<String>> = days
        .iter()
        .map(|v| {
            vec![
                v.date.to_string(),
                present::weekday(v.date, lang).to_string(),
                if v.working {
                    lang.pick("上班", "working")
                } else {
                    lang.pick("休息", "off")
                }
                .to_string(),
                v.reason.text(lang),
                if v.data_known {
                    lang.pick("官方", "official").to_string()
                } else {
                    format!(
                        "{} {}: {}",
                        lang.pick("未知", "UNKNOWN"),
                        v.date.year(),
                        unknown_year_flag(lang)
                    )
                },
            ]
        })
        .collect();
    print_rows(
        out.format(),
        &headers(
            lang,
            &[
                ("日期", "date"),
                ("星期", "day"),
                ("状态", "status"),
                ("原因", "why"),
                ("日历数据", "calendar data"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn parse_pause(s: &str) -> Result<ClockPause> {
    let (a, b) = s.split_once('/').ok_or_else(|| {
        anyhow!("--pause '{s}' must be FROM/TO (TO may be empty for an open pause)")
    })?;
    let start = parse_instant(a).with_context(|| format!("--pause '{s}'"))?;
    let end = if b.trim().is_empty() {
        None
    } else {
        Some(parse_instant(b).with_context(|| format!("--pause '{s}'"))?)
    };
    if end.is_some_and(|e| e < start) {
        bail!("--pause '{s}' ends before it starts");
    }
    Ok(ClockPause { start, end })
}

fn deadline(ctx: &Context, a: &DeadlineArgs) -> Result<ExitCode> {
    let kind = ApprovalKind::parse(&a.kind).map_err(|e| anyhow!("--kind: {e}"))?;
    let credit: CreditLevel = a
        .credit
        .parse()
        .map_err(|e: String| anyhow!("--credit: {e}"))?;
    let accepted = parse_instant(&a.accepted_at).context("--accepted-at")?;
    let pauses = a
        .pause
        .iter()
        .map(|p| parse_pause(p))
        .collect::<Result<Vec<_>>>()?;
    let base = ApprovalTerms {
        final_authority: !a.no_final_authority,
        extended_by: None,
    };
    if let Some(approver) = &a.extended_by {
        deadline_rule(kind, credit, base, MeasureCatalog::official()).check_extension(approver)?;
    }
    let terms = ApprovalTerms {
        extended_by: a.extended_by.as_deref(),
        ..base
    };
    let rule = deadline_rule(kind, credit, terms, MeasureCatalog::official());
    let c = countdown(
        WorkingCalendar::official(),
        accepted,
        rule.limit_days,
        rule.count,
        &pauses,
        ctx.now,
    );
    #[derive(Serialize)]
    struct Out<'a> {
        kind: ApprovalKind,
        credit: CreditLevel,
        accepted_at: Timestamp,
        due: Option<Timestamp>,
        due_shanghai: Option<String>,
        rule: &'a crate::domain::approval::DeadlineRule,
        countdown: &'a Countdown,
    }
    let out = Out {
        kind,
        credit,
        accepted_at: accepted,
        due: c.due,
        due_shanghai: c.due.map(|d| present::deadline(d, false)),
        rule: &rule,
        countdown: &c,
    };
    if a.json {
        return print_json(&out);
    }
    match c.due {
        Some(due) => outln!(
            "due: {} Asia/Shanghai ({due})",
            present::deadline(due, false)
        ),
        None => outln!("due: not set while the clock is paused"),
    }
    outln!("rule: {} / {}", rule.reason_zh, rule.reason_en);
    outln!(
        "counting: the day of acceptance is not counted; {} {} from the next day; pauses do not count",
        rule.limit_days,
        match rule.count {
            DayCount::Working => "working days (Chinese statutory calendar)",
            DayCount::Calendar => "calendar days (自然日)",
        }
    );
    outln!(
        "at {}: {}",
        present::instant(ctx.now),
        present::countdown(&c, Lang::En)
    );
    if c.uses_unknown_calendar {
        outln!(
            "warning ({}): the deadline crosses a year whose holiday schedule is not published: {}",
            present::UNKNOWN_CALENDAR_MARK,
            crate::calendar::unknown_year_flag(Lang::En)
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn slots(ctx: &Context, a: &SlotsArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let from = match &a.date {
        Some(d) => parse_date(d)?,
        None => crate::calendar::shanghai_date(ctx.now),
    };
    let to = match &a.to {
        Some(d) => parse_date(d)?,
        None => from,
    };
    let rows = store.slots_between(from, to)?;
    let cal = WorkingCalendar::official();
    if a.out.format() == ListFormat::Json {
        /// A slot with its day: whether it is a working day, why, and whether the year's schedule
        /// is published (`calendar_flag` says so when it is not).
        #[derive(Serialize)]
        struct SlotView<'a> {
            #[serde(flatten)]
            slot: &'a crate::store::SlotRow,
            working_day: bool,
            day_reason: String,
            data_known: bool,
            calendar_flag: Option<&'static str>,
        }
        let views: Vec<SlotView<'_>> = rows
            .iter()
            .map(|slot| {
                let day = cal.day(slot.date);
                SlotView {
                    slot,
                    working_day: day.working,
                    day_reason: day.reason_text(ctx.lang),
                    data_known: day.data_known,
                    calendar_flag: (!day.data_known).then(|| unknown_year_flag(ctx.lang)),
                }
            })
            .collect();
        return print_json(&views);
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            let day = cal.day(s.date);
            let flag = if day.data_known {
                String::new()
            } else {
                format!(" [?calendar: {}]", unknown_year_flag(ctx.lang))
            };
            vec![
                s.id.to_string(),
                s.date.to_string(),
                format!("{}-{}", s.start.strftime("%H:%M"), s.end.strftime("%H:%M")),
                format!("{} {}", s.office_code, s.office_name),
                format!("{}/{}", s.taken, s.capacity),
                s.free().to_string(),
                if day.working {
                    ctx.lang
                        .pick(
                            &format!("所有企业{flag}"),
                            &format!("all enterprises{flag}"),
                        )
                        .to_string()
                } else {
                    ctx.lang
                        .pick(
                            &format!("仅 AEO 企业（5+2，{}）", day.reason_text(Lang::Zh)),
                            &format!("AEO only (5+2, {})", day.reason_text(Lang::En)),
                        )
                        .to_string()
                },
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("时段", "slot"),
                ("日期", "date"),
                ("时间", "time"),
                ("现场", "office"),
                ("已约/容量", "booked"),
                ("余量", "free"),
                ("可预约", "who may book"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn book(ctx: &Context, a: &BookArgs) -> Result<ExitCode> {
    let location = Location::parse(&a.location).map_err(|e| anyhow!("--location: {e}"))?;
    let reason = a
        .reason
        .as_deref()
        .map(OffSiteReason::parse)
        .transpose()
        .map_err(|e| anyhow!("--reason: {e}"))?;
    let mut store = ctx.open_existing()?;
    let enterprise = store.resolve_enterprise(&a.enterprise)?;
    let (id, outcome) = store.write(|w| {
        w.book(
            &NewBooking {
                slot_id: a.slot,
                enterprise_id: enterprise.id,
                goods: &a.goods,
                location,
                reason,
                operator: &ctx.operator,
                now: ctx.now,
            },
            WorkingCalendar::official(),
        )
    })?;
    let slot = store
        .slot(a.slot)?
        .ok_or_else(|| anyhow!("slot {} vanished", a.slot))?;
    if a.json {
        #[derive(Serialize)]
        struct Out<'a> {
            booking_id: i64,
            slot: &'a crate::store::SlotRow,
            enterprise_id: i64,
            location: Location,
            reason: Option<OffSiteReason>,
            needs_site_approval: bool,
            warning: Option<String>,
        }
        return print_json(&Out {
            booking_id: id,
            slot: &slot,
            enterprise_id: enterprise.id,
            location,
            reason,
            needs_site_approval: outcome.needs_site_approval,
            warning: outcome.note,
        });
    }
    outln!(
        "booked: booking {id} for {} on {} {}-{} at {} {} ({}), {}/{} places taken",
        inert(&enterprise.name_zh),
        slot.date,
        slot.start.strftime("%H:%M"),
        slot.end.strftime("%H:%M"),
        slot.office_code,
        slot.office_name,
        location.name_en(),
        slot.taken,
        slot.capacity
    );
    if let Some(r) = reason {
        outln!(
            "{}{}",
            tr(ctx.lang, "原因（措施30）：", "reason (measure 30): "),
            r.name(ctx.lang)
        );
    }
    if outcome.needs_site_approval {
        outln!("{}", site_approval_text(ctx.lang));
    }
    if let Some(n) = outcome.note {
        outln!("warning: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

fn lookup(ctx: &Context, a: &LookupArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let found = store.find(&a.query, &crate::store::FindOptions::new(a.limit))?;
    for n in &found.notes {
        // With --json or CSV the notes go to stderr so that stdout stays what a tool reads.
        if !a.out.is_table() {
            eprintln!("{}", ctx.lang.pick(&n.zh, &n.en));
            continue;
        }
        outln!("{}", ctx.lang.pick(&n.zh, &n.en));
    }
    if a.out.format() == ListFormat::Json {
        return print_json(&found.found);
    }
    if found.found.is_empty() && a.out.is_table() {
        outln!(
            "{}",
            ctx.lang
                .pick(
                    &format!("没有与“{}”匹配的企业", inert(a.query.trim())),
                    &format!("no enterprise matches '{}'", inert(a.query.trim()))
                )
                .to_string()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let body: Vec<Vec<String>> = found
        .found
        .iter()
        .map(|f| {
            let h = &f.hit;
            let e = &h.enterprise;
            let coordinator = match &h.coordinator {
                Some(c) => format!(
                    "{} {} ({} {})",
                    c.name, c.phone, c.office_code, c.office_name
                ),
                None => "—".into(),
            };
            vec![
                e.id.to_string(),
                e.name_zh.clone(),
                e.credit.name(ctx.lang).to_string(),
                e.uscc.clone(),
                e.aeo_code().unwrap_or_else(|| e.customs_code.clone()),
                coordinator,
                present::why_text(&f.why, ctx.lang),
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
                ("信用等级", "credit"),
                ("统一社会信用代码", "USCC"),
                ("海关编码 / AEO 编码", "customs / AEO code"),
                ("协调员", "coordinator"),
                ("匹配", "matched"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn clearance(ctx: &Context, a: &ClearanceArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let e = store.resolve_enterprise(&a.enterprise)?;
    let at = parse_instant(&a.at).context("--at")?;
    let requested = match &a.requested_at {
        Some(t) => parse_instant(t).context("--requested-at")?,
        None => ctx.now,
    };
    let result = check_appointment(
        e.credit,
        requested,
        at,
        &ctx.office_hours,
        WorkingCalendar::official(),
        MeasureCatalog::official(),
    );
    // The answer rests on a year without a published schedule: say so, whatever it is.
    let cal = WorkingCalendar::official();
    let provisional = [at, requested]
        .iter()
        .any(|t| !cal.day(crate::calendar::shanghai_date(*t)).data_known);
    let flag = provisional.then(|| unknown_year_flag(ctx.lang));
    match result {
        Ok(ok) => {
            if a.json {
                #[derive(Serialize)]
                struct Out<'a> {
                    #[serde(flatten)]
                    ok: &'a crate::domain::clearance::ClearanceAccepted,
                    data_known: bool,
                    calendar_flag: Option<&'static str>,
                }
                return print_json(&Out {
                    ok: &ok,
                    data_known: !provisional,
                    calendar_flag: flag,
                });
            }
            outln!(
                "accepted: {} may clear at {} ({}; received {}, {} ahead)",
                inert(&e.name_zh),
                present::instant(at),
                ok.rule_en,
                present::instant(ok.received_at),
                ok.lead_given()
            );
            if let Some(flag) = flag {
                outln!("[?calendar] {flag}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(refusal) => {
            let mut m = refusal
                .message()
                .after(&Message::new("不能预约通关", "refused"));
            if provisional {
                m = Message::new(
                    format!("{} [?calendar: {}]", m.zh(), unknown_year_flag(Lang::Zh)),
                    format!("{} [?calendar: {}]", m.en(), unknown_year_flag(Lang::En)),
                );
            }
            Err(m.into())
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum AliasCommand {
    /// Add an alias; lookup finds the enterprise by it at once
    Add {
        /// The enterprise: id, USCC, customs code or full Chinese name
        enterprise: String,
        alias: String,
    },
    /// Remove an alias
    Remove { enterprise: String, alias: String },
    /// List an enterprise's aliases
    List {
        enterprise: String,
        #[arg(long)]
        json: bool,
    },
}

fn alias(ctx: &Context, c: &AliasCommand) -> Result<ExitCode> {
    match c {
        AliasCommand::Add { enterprise, alias } => {
            let mut store = ctx.open_existing()?;
            let e = store.resolve_enterprise(enterprise)?;
            store.write(|w| w.add_alias(e.id, alias))?;
            println!(
                "alias '{}' added to {}",
                inert(alias.trim()),
                inert(&e.name_zh)
            );
        }
        AliasCommand::Remove { enterprise, alias } => {
            let mut store = ctx.open_existing()?;
            let e = store.resolve_enterprise(enterprise)?;
            store.write(|w| w.remove_alias(e.id, alias))?;
            println!(
                "alias '{}' removed from {}",
                inert(alias.trim()),
                inert(&e.name_zh)
            );
        }
        AliasCommand::List { enterprise, json } => {
            let store = ctx.open_existing()?;
            let e = store.resolve_enterprise(enterprise)?;
            let aliases = store.aliases_of(e.id)?;
            if *json {
                return print_json(&aliases);
            }
            for a in aliases {
                println!("{}", inert(&a));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn item(ctx: &Context, c: &ItemCommand) -> Result<ExitCode> {
    use crate::domain::ownership::ItemChange;
    let (id, change, done) = match *c {
        ItemCommand::Take { id } => (id, ItemChange::Take, "taken"),
        ItemCommand::Takeover { id } => (id, ItemChange::TakeOver, "taken over"),
        ItemCommand::Release { id } => (id, ItemChange::Release, "released"),
        ItemCommand::Finish { id } => (id, ItemChange::Finish, "finished"),
        ItemCommand::Abnormal { id } => (id, ItemChange::MarkAbnormal, "marked abnormal"),
    };
    let mut store = ctx.open_existing()?;
    store.write(|w| w.change_item(id, change, &ctx.operator, ctx.now))?;
    outln!("queue item {id} {done} by {}", inert(&ctx.operator));
    Ok(ExitCode::SUCCESS)
}

fn booking(ctx: &Context, c: &BookingCommand) -> Result<ExitCode> {
    use crate::domain::inspection::BookingStatus;
    let (id, to) = match *c {
        BookingCommand::Done { id } => (id, BookingStatus::Done),
        BookingCommand::Abnormal { id } => (id, BookingStatus::Abnormal),
        BookingCommand::Cancel { id } => (id, BookingStatus::Cancelled),
    };
    let mut store = ctx.open_existing()?;
    store.write(|w| w.set_booking_status(id, to, ctx.now))?;
    outln!(
        "{}",
        ctx.lang.pick(
            &format!("预约 {id}：{}", to.name_zh()),
            &format!("booking {id} {}", to.name_en())
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn approval(ctx: &Context, c: &ApprovalCommand) -> Result<ExitCode> {
    use crate::domain::approval::PauseReason;
    let mut store = ctx.open_existing()?;
    // What was done, in both languages: (zh, en).
    let (id, zh, en) = match c {
        ApprovalCommand::Pause { id, reason } => {
            let reason = PauseReason::parse(reason).map_err(|e| anyhow!("--reason: {e}"))?;
            store.write(|w| w.pause_approval(*id, reason, ctx.now))?;
            (
                *id,
                format!("已暂停计时（{}）", reason.name_zh()),
                format!("paused ({})", reason.name_en()),
            )
        }
        ApprovalCommand::Resume { id } => {
            store.write(|w| w.resume_approval(*id, ctx.now))?;
            (*id, "已恢复计时".to_string(), "resumed".to_string())
        }
        ApprovalCommand::Correct { id, received } => {
            let at = parse_instant(received).context("--received")?;
            store.write(|w| w.correct_acceptance(*id, at))?;
            let at = present::instant(at);
            (
                *id,
                format!("自 {at} 起受理（补正：材料齐全之时）"),
                format!("accepted from {at} (补正: the complete material received)"),
            )
        }
        ApprovalCommand::Extend { id, approver } => {
            store.write(|w| w.extend_approval(*id, approver))?;
            let who = inert(approver.trim());
            (
                *id,
                format!("经{who}批准延长10个工作日（第42条）"),
                format!("extended by 10 working days (第42条), approved by {who}"),
            )
        }
        ApprovalCommand::FinalAuthority { id, state } => {
            let on = state == "on";
            store.write(|w| w.set_final_authority(*id, on))?;
            let (zh, en) = if on {
                (
                    "上海海关有终审权限：适用措施26",
                    "final authority (终审权限) in Shanghai: measure 26 applies",
                )
            } else {
                (
                    "上海海关无终审权限：适用常规时限",
                    "no final authority (终审权限) in Shanghai: the regular limit applies",
                )
            };
            (*id, zh.to_string(), en.to_string())
        }
        ApprovalCommand::Decide { id, decision } => {
            let decision = match decision {
                Some(d) if d.trim().is_empty() => {
                    return Err(crate::domain::message::Message::new(
                        "--decision 须写明决定的内容",
                        "--decision must say what was decided",
                    )
                    .into());
                }
                Some(d) => d.trim().to_string(),
                None => {
                    let kind = store
                        .approval(*id)?
                        .map(|a| a.kind)
                        .unwrap_or(crate::domain::approval::ApprovalKind::SpecialArticles);
                    kind.decision_words(true).0.to_string()
                }
            };
            store.write(|w| w.decide_approval(*id, &decision, ctx.now))?;
            let decision = inert(&decision);
            (
                *id,
                format!("已决定：{decision}"),
                format!("decided: {decision}"),
            )
        }
    };
    outln!(
        "{}",
        ctx.lang
            .pick(&format!("审批 {id}：{zh}"), &format!("approval {id} {en}"))
    );
    Ok(ExitCode::SUCCESS)
}

fn audit(ctx: &Context, a: &AuditArgs) -> Result<ExitCode> {
    let store = ctx.open_existing()?;
    let enterprise = optional_enterprise(&store, a.enterprise.as_deref())?;
    let since = optional_instant(a.since.as_deref(), "--since")?;
    let entries = store.audit(enterprise.as_ref().map(|e| e.id), since, a.limit)?;
    if a.out.format() == ListFormat::Json {
        return print_json(&entries);
    }
    let change = |e: &crate::store::AuditEntry| -> String {
        let (Some(b), Some(after)) = (&e.before, &e.after) else {
            return String::new();
        };
        let mut parts = Vec::new();
        if let (Some(bo), Some(ao)) = (b.as_object(), after.as_object()) {
            for (k, v) in ao {
                if bo.get(k) != Some(v) && k != "updated_at" {
                    parts.push(format!(
                        "{k}: {} → {}",
                        bo.get(k).map(|x| x.to_string()).unwrap_or_default(),
                        v
                    ));
                }
            }
        }
        parts.join("; ")
    };
    let body: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                present::instant(e.at),
                e.operator.clone(),
                e.os_account.clone().unwrap_or_default(),
                present::audit_action(&e.action, &e.entity, ctx.lang),
                format!("{} {}", e.entity, e.entity_id),
                e.enterprise_id.map(|i| i.to_string()).unwrap_or_default(),
                change(e),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[
                ("时间（上海）", "at (Shanghai)"),
                ("操作员", "operator"),
                ("系统账户", "OS account"),
                ("操作", "action"),
                ("记录", "record"),
                ("企业", "enterprise"),
                ("变更", "change"),
            ],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn validate(v: &ValidateCommand) -> Result<ExitCode> {
    match v {
        ValidateCommand::Uscc { code } => {
            let (u, status) = Uscc::parse_lenient(code)?;
            match status {
                ChecksumStatus::Valid => {
                    outln!(
                        "valid USCC {} (division {}, organisation code {})",
                        u.as_str(),
                        u.division_code(),
                        u.org_code()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                _ => Err(Uscc::parse(code)
                    .err()
                    .map(anyhow::Error::new)
                    .unwrap_or_else(|| anyhow!("USCC {} fails its check", u.as_str()))),
            }
        }
        ValidateCommand::CustomsCode { code } => {
            let c =
                CustomsCode::parse(code).or_else(|_| crate::domain::ids::parse_aeo_code(code))?;
            outln!(
                "valid customs code {} (area {}, AEO code {})",
                c.as_str(),
                c.area(),
                c.aeo_code()
            );
            Ok(ExitCode::SUCCESS)
        }
        ValidateCommand::Declaration { number } => {
            let d = DeclarationNo::parse(number)?;
            outln!(
                "valid declaration number {} (office {}, year {}, {:?}, sequence {})",
                d.as_str(),
                d.office(),
                d.year(),
                d.direction(),
                d.sequence()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn measures(ctx: &Context, a: &MeasuresArgs) -> Result<ExitCode> {
    let catalog = MeasureCatalog::official();
    if a.out.format() == ListFormat::Json {
        return print_json(&catalog.all());
    }
    let body: Vec<Vec<String>> = catalog
        .all()
        .iter()
        .map(|m| {
            vec![
                m.number.to_string(),
                MeasureCatalog::category_name(m.category, ctx.lang).to_string(),
                m.title(ctx.lang).to_string(),
            ]
        })
        .collect();
    print_rows(
        a.out.format(),
        &headers(
            ctx.lang,
            &[("#", "#"), ("类别", "category"), ("措施", "measure")],
        ),
        &body,
    )?;
    Ok(ExitCode::SUCCESS)
}
