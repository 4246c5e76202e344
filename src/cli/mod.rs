//! The scriptable command line (clap): parse, open the store, run one command, print text or JSON.
//! Errors are one line on stderr and a non-zero exit.

/// `println!` that returns an error instead of panicking when standard output cannot be
/// written (a closed pipe, a full disk): `outln!(...)?`-style, inside a function returning Result.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*).map_err($crate::cli::OutputError)?
    }};
}

/// `print!` that returns an error instead of panicking; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*).map_err($crate::cli::OutputError)?
    }};
}

mod commands;
mod hotline;
mod transfer;

use crate::calendar::{Clock, parse_instant};
use crate::domain::clearance::OfficeHours;
use crate::store::{Access, Store};
use crate::text::Lang;
use crate::tui::ConsoleOptions;
use anyhow::{Context as _, Result, anyhow};
use clap::{Args, Parser, Subcommand};
use jiff::Timestamp;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "aeo",
    version,
    about = "Operator console for the Shanghai Customs AEO Action Plan",
    long_about = "Operator console for the Shanghai Customs AEO Action Plan (33 facilitation measures for certified enterprises).\nWithout a subcommand it opens the console; `aeo --demo` opens it on a fresh demo database."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Database file [default: $XDG_DATA_HOME/aeo-console/aeo.db]
    #[arg(long, global = true, env = "AEO_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Freeze the clock at this instant (RFC 3339, or "YYYY-MM-DD HH:MM" in Asia/Shanghai)
    #[arg(long, global = true, env = "AEO_NOW", value_name = "TIME")]
    pub now: Option<String>,
    /// Who is acting, for records of who booked or took what [default: the OS account]. The audit
    /// trail records the OS account beside it.
    #[arg(long, global = true, env = "AEO_OPERATOR")]
    pub operator: Option<String>,
    /// Refuse every change (hotline seats)
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Open on a fresh demo database (in a temporary file unless --db is given)
    #[arg(long)]
    pub demo: bool,
    /// Language of labels
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Console theme: dark, light, mono, or the path of a theme file [default: from the config, else dark]
    #[arg(long, env = "AEO_THEME", value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Office hours on working days, Asia/Shanghai (measure 27 appointment clearance)
    #[arg(
        long,
        global = true,
        env = "AEO_OFFICE_HOURS",
        default_value = "09:00-17:00",
        value_name = "HH:MM-HH:MM"
    )]
    pub office_hours: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create (or upgrade) the database
    Init,
    /// Fill an empty database with realistic demo data
    Demo(commands::DemoArgs),
    /// The priority queue: AEO first, then the earlier deadline, then arrival
    Queue(commands::QueueArgs),
    /// Pending approvals with their deadlines and time left
    Approvals(commands::ApprovalsArgs),
    /// The official working-day calendar
    #[command(subcommand)]
    Calendar(commands::CalendarCommand),
    /// The deadline that applies to an approval, and why
    Deadline(commands::DeadlineArgs),
    /// Inspection slots of a day or a range of days
    Slots(commands::SlotsArgs),
    /// Book an inspection ("5+2": AEO enterprises may book days off too)
    Book(commands::BookArgs),
    /// Find an enterprise by anything a caller says: name, alias, pinyin (every reading),
    /// initials, a mix, USCC (or its start), customs or AEO code, declaration number, approval
    /// reference, booking number, coordinator's name or telephone
    Lookup(commands::LookupArgs),
    /// An enterprise's aliases (English name, abbreviations such as 上汽, former names)
    #[command(subcommand)]
    Alias(commands::AliasCommand),
    /// Check an appointment clearance request (measure 27)
    Clearance(commands::ClearanceArgs),
    /// Take, finish or mark abnormal a queue item
    #[command(subcommand)]
    Item(commands::ItemCommand),
    /// Mark an inspection booking done or abnormal, or cancel it
    #[command(subcommand)]
    Booking(commands::BookingCommand),
    /// Pause, resume or decide an approval
    #[command(subcommand)]
    Approval(commands::ApprovalCommand),
    /// The audit trail: who changed what, when, before and after
    Audit(commands::AuditArgs),
    /// Check identifiers
    #[command(subcommand)]
    Validate(commands::ValidateCommand),
    /// The 33 measures of the plan
    Measures(commands::MeasuresArgs),
    /// Import a table from CSV or JSON: all or nothing, every bad row reported
    Import(transfer::ImportArgs),
    /// Export a table as CSV or JSON, in the import columns
    Export(transfer::ExportArgs),
    /// Reports: `report day DATE` is the 当日清 report of a date, `report problems` the 清零 report
    #[command(subcommand)]
    Report(transfer::ReportCommand),
    /// Log a call (来电), or record a promised callback as made
    #[command(subcommand)]
    Call(hotline::CallCommand),
    /// Calls logged, newest first; open callbacks by due time
    Calls(hotline::CallsArgs),
    /// Open, assign, note, resolve, reopen or close a problem (measure 29)
    #[command(subcommand)]
    Problem(hotline::ProblemCommand),
    /// Problems with their age in working days against the targets
    Problems(hotline::ProblemsArgs),
    /// Coordinators (measure 28), those on duty now first
    Coordinators(hotline::CoordinatorsArgs),
    /// Schedule or merge verifications (measures 16, 17)
    #[command(subcommand)]
    Verification(hotline::VerificationCommand),
    /// Verification plans, with merge proposals
    Verifications(hotline::VerificationsArgs),
    /// What this operator and the desk must act on now
    Today(hotline::TodayArgs),
}

/// What every command gets: the clock, the operator, and how to open the store.
#[derive(Debug, Clone)]
pub struct Context {
    /// The instant the command acts at: `clock` read once at start-up.
    pub now: Timestamp,
    /// Frozen by --now or AEO_NOW, else the system clock.
    pub clock: Clock,
    pub operator: String,
    pub db: PathBuf,
    /// --db or AEO_DB named the database (rather than the default path).
    pub db_given: bool,
    pub access: Access,
    pub lang: Lang,
    /// Office hours, resolved once for every command and the console.
    pub office_hours: OfficeHours,
}

impl Context {
    pub fn from_global(g: &Global) -> Result<Context> {
        let clock = match &g.now {
            Some(s) => Clock::Frozen(parse_instant(s).context("--now / AEO_NOW")?),
            None => Clock::System,
        };
        let office_hours = OfficeHours::parse(&g.office_hours)
            .map_err(|m| anyhow!("--office-hours / AEO_OFFICE_HOURS: {m}"))?;
        let db = match &g.db {
            Some(p) => p.clone(),
            None => crate::store::default_path()?,
        };
        let operator = g.operator.clone().unwrap_or_else(crate::store::os_account);
        if operator.trim().is_empty() {
            anyhow::bail!(
                "the operator name (--operator / AEO_OPERATOR) is empty: give the name of the person acting"
            );
        }
        Ok(Context {
            now: clock.now(),
            clock,
            operator,
            db_given: g.db.is_some(),
            db,
            access: if g.read_only {
                Access::ReadOnly
            } else {
                Access::ReadWrite
            },
            lang: g.lang,
            office_hours,
        })
    }

    /// What the console is opened with.
    pub fn console_options(&self, demo: bool, theme: Option<&str>) -> ConsoleOptions {
        ConsoleOptions {
            db: self.db.clone(),
            db_given: self.db_given,
            clock: self.clock,
            operator: self.operator.clone(),
            access: self.access,
            lang: self.lang,
            office_hours: self.office_hours,
            demo,
            theme: theme.map(str::to_string),
        }
    }

    pub fn open(&self) -> Result<Store> {
        self.with_actor(Store::open(&self.db, self.access)?)
    }

    /// `aeo init`: opens for writing and adopts even a SQLite file holding other tables.
    pub fn open_for_init(&self) -> Result<Store> {
        if self.access == Access::ReadOnly {
            return Err(crate::store::read_only_message().into());
        }
        self.with_actor(Store::open_for_init(&self.db)?)
    }

    fn with_actor(&self, mut store: Store) -> Result<Store> {
        store.set_actor(crate::store::Actor {
            operator: self.operator.clone(),
            clock: self.clock,
        });
        Ok(store)
    }

    /// Opens an existing database for reading: a missing file is an error, not a new database.
    pub fn open_existing(&self) -> Result<Store> {
        if !self.db.exists() {
            anyhow::bail!(
                "database {} does not exist: run `aeo init` or `aeo demo` first, or pass --db",
                self.db.display()
            );
        }
        self.open()
    }
}

/// Standard output could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the output")]
pub struct OutputError(#[source] pub std::io::Error);

/// The reader of standard output went away (`aeo queue | head -1`): not an error of the command.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<csv::Error>().is_some_and(|ce| {
                matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Parses arguments, runs, and turns any error into one line and exit code 1 (2 for usage).
/// A closed pipe on standard output ends quietly with 0; a full disk is one error line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.global.lang;
    let result = run(cli).and_then(|code| {
        use std::io::Write as _;
        std::io::stdout().flush().map_err(OutputError)?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = crate::domain::message::localize(&e, lang).replace('\n', " ");
            // Never panic on a closed or dead stderr: the message is simply lost then.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "aeo: error: {}",
                crate::text::inert(&msg)
            );
            ExitCode::FAILURE
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let ctx = Context::from_global(&cli.global)?;
    match cli.command {
        None => {
            crate::tui::console(ctx.console_options(cli.global.demo, cli.global.theme.as_deref()))
        }
        Some(cmd) => commands::dispatch(&ctx, cmd),
    }
}
