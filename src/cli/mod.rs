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
#[allow(unused_macros)]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout(), $($arg)*).map_err($crate::cli::OutputError)?
    }};
}

mod commands;
mod hotline;
pub mod output;
mod setup;
mod transfer;

use crate::calendar::{Clock, parse_instant};
use crate::config::Config;
use crate::domain::clearance::OfficeHours;
use crate::store::{Access, Store};
use crate::text::Lang;
use crate::tui::ConsoleOptions;
use anyhow::{Context as _, Result, anyhow};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use jiff::Timestamp;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "aeo",
    version,
    about = "Operator console for the Shanghai Customs AEO Action Plan",
    long_about = "Operator console for the Shanghai Customs AEO Action Plan (33 facilitation measures for certified enterprises).\nWithout a subcommand it opens the console; `aeo --demo` opens it on a fresh demo database.\n\nSettings come from /etc/aeo-console/config.toml, then $XDG_CONFIG_HOME/aeo-console/config.toml, then the environment, then these options; `aeo config` shows each value and its source."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Database file [env: AEO_DB] [default: $XDG_DATA_HOME/aeo-console/aeo.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Freeze the clock at this instant (RFC 3339, or "YYYY-MM-DD HH:MM" in Asia/Shanghai)
    #[arg(long, global = true, env = "AEO_NOW", value_name = "TIME")]
    pub now: Option<String>,
    /// Who is acting, for records of who booked or took what [env: AEO_OPERATOR] [default: the
    /// OS account]. The audit trail records the OS account beside it.
    #[arg(long, global = true)]
    pub operator: Option<String>,
    /// Refuse every change (hotline seats) [env: AEO_READ_ONLY]
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Language of labels, headers and messages [env: AEO_LANG] [default: zh]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// Office hours on working days, Asia/Shanghai (measure 27 appointment clearance) [env: AEO_OFFICE_HOURS] [default: 09:00-17:00]
    #[arg(long, global = true, value_name = "HH:MM-HH:MM")]
    pub office_hours: Option<String>,
    /// Log file verbosity (the log is a file, never the terminal) [default: info]
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    pub log_level: Option<crate::config::LogLevel>,
    /// Open on a fresh demo database (in a temporary file unless --db is given)
    #[arg(long, help_heading = "Console options")]
    pub demo: bool,
    /// Console theme: dark, light, mono, or the path of a theme file [env: AEO_THEME] [default: dark]
    #[arg(
        long,
        global = true,
        value_name = "NAME|PATH",
        help_heading = "Console options"
    )]
    pub theme: Option<String>,
    /// Draw borders and symbols with ASCII, for terminals that show box characters double-width [env: AEO_ASCII]
    #[arg(long, global = true, help_heading = "Console options")]
    pub ascii: bool,
    /// The pane the console opens on (lookup for a hotline seat) [default: queue]
    #[arg(long, global = true, value_enum, help_heading = "Console options")]
    pub pane: Option<crate::config::StartPane>,
}

impl Global {
    /// The settings given as flags, for the last layer of the configuration.
    pub fn flags(&self) -> crate::config::Flags {
        crate::config::Flags {
            db: self.db.clone(),
            lang: self.lang,
            read_only: self.read_only,
            theme: self.theme.clone(),
            ascii: self.ascii,
            office_hours: self.office_hours.clone(),
            operator: self.operator.clone(),
            pane: self.pane,
            log_level: self.log_level,
        }
    }
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
    /// The effective configuration and where each value came from
    Config(setup::ConfigArgs),
    /// Copy a whole database (audit trail included) into an empty one: SQLite file or PostgreSQL URL, either way
    Copy(setup::CopyArgs),
    /// Check this seat: database, schema, file modes, WAL, integrity, disk, holiday data, terminal, config
    Doctor(setup::DoctorArgs),
    /// Print a shell completion script: bash, zsh or fish
    Completions(setup::CompletionsArgs),
    /// Print the man page (or write one page per command into a directory)
    Man(setup::ManArgs),
    /// What this operator and the desk must act on now
    Today(hotline::TodayArgs),
    /// Link a coordinator to an enterprise
    #[command(subcommand)]
    Coordinator(hotline::CoordinatorCommand),
    /// Name (or clear) an AEO enterprise's designated hotline person (measure 33)
    HotlinePerson(hotline::HotlinePersonArgs),
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
    /// --db, AEO_DB or a config file named the database (rather than the default path).
    pub db_given: bool,
    pub access: Access,
    pub lang: Lang,
    /// Office hours, resolved once for every command and the console.
    pub office_hours: OfficeHours,
    /// The layered configuration this context was made from.
    pub config: std::sync::Arc<Config>,
}

impl Context {
    pub fn new(g: &Global, config: Config) -> Result<Context> {
        let clock = match &g.now {
            Some(s) => Clock::Frozen(parse_instant(s).context("--now / AEO_NOW")?),
            None => Clock::System,
        };
        let office_hours = OfficeHours::parse(&config.office_hours.value)
            .map_err(|m| anyhow!("office hours ({}): {m}", config.office_hours.source))?;
        let db = match &config.db.value {
            Some(p) => p.clone(),
            None => crate::store::default_path()?,
        };
        let operator = config
            .operator
            .value
            .clone()
            .unwrap_or_else(crate::store::os_account);
        if operator.trim().is_empty() {
            return Err(crate::domain::message::Message::new(
                "操作员姓名（--operator / AEO_OPERATOR）为空：请填写办理人的姓名",
                "the operator name (--operator / AEO_OPERATOR) is empty: give the name of the person acting",
            )
            .into());
        }
        Ok(Context {
            now: clock.now(),
            clock,
            operator,
            db_given: config.db.value.is_some(),
            db,
            access: if config.read_only.value {
                Access::ReadOnly
            } else {
                Access::ReadWrite
            },
            lang: config.lang.value,
            office_hours,
            config: std::sync::Arc::new(config),
        })
    }

    /// What the console is opened with.
    pub fn console_options(&self, demo: bool) -> ConsoleOptions {
        ConsoleOptions {
            db: self.db.clone(),
            db_given: self.db_given,
            clock: self.clock,
            operator: self.operator.clone(),
            access: self.access,
            lang: self.lang,
            office_hours: self.office_hours,
            demo,
            theme: self.config.theme.value.clone(),
            keymap: self.config.keymap.clone(),
            pane: self.config.pane.value,
            ascii: self.config.ascii.value,
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
        let is_url = self.db.to_str().is_some_and(crate::store::pg::is_url);
        if !is_url && !self.db.exists() {
            anyhow::bail!(
                "database {} does not exist: run `aeo init` or `aeo demo` first, or pass --db / set AEO_DB",
                self.db.display()
            );
        }
        self.open()
    }
}

/// An optional `--enterprise E`: the enterprise it names (USCC, customs code, id or name).
pub fn optional_enterprise(
    store: &Store,
    key: Option<&str>,
) -> Result<Option<crate::domain::enterprise::Enterprise>> {
    key.map(|k| store.resolve_enterprise(k)).transpose()
}

/// An optional instant flag (`--since T`, `--callback-by T`), its name in the error.
pub fn optional_instant(value: Option<&str>, flag: &str) -> Result<Option<Timestamp>> {
    value
        .map(parse_instant)
        .transpose()
        .with_context(|| flag.to_string())
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

/// The command line as clap sees it, with the version text that names the schema and the
/// holiday years this binary carries.
pub fn command() -> clap::Command {
    let version: &'static str = Box::leak(version_text().into_boxed_str());
    Cli::command().version(version).long_version(version)
}

/// "0.1.0 (schema 1; holiday data 2024, 2025, 2026)".
pub fn version_text() -> String {
    let years: Vec<String> = crate::calendar::WorkingCalendar::official()
        .known_years()
        .iter()
        .map(|y| y.to_string())
        .collect();
    format!(
        "{} (schema {}; holiday data {})",
        env!("CARGO_PKG_VERSION"),
        crate::store::SCHEMA_VERSION,
        years.join(", ")
    )
}

/// Parses arguments, runs, and turns any error into one line and exit code 1 (2 for usage).
/// A closed pipe on standard output ends quietly with 0; a full disk is one error line.
pub fn main() -> ExitCode {
    let matches = command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // The language of an error: the flag, else the environment, else Chinese (the
    // configuration may be what failed).
    let lang = cli
        .global
        .lang
        .or_else(|| {
            std::env::var("AEO_LANG")
                .ok()
                .and_then(|v| <Lang as clap::ValueEnum>::from_str(&v, true).ok())
        })
        .unwrap_or(Lang::Zh);
    let started = std::time::Instant::now();
    let result = run(cli).and_then(|code| {
        use std::io::Write as _;
        std::io::stdout().flush().map_err(OutputError)?;
        Ok(code)
    });
    let code = match result {
        Ok(code) => code,
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = crate::domain::localize::localize(&e, lang).replace('\n', " ");
            tracing::error!(error = %msg, "failed");
            // Never panic on a closed or dead stderr: the message is simply lost then.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "aeo: error: {}",
                crate::text::inert(&msg)
            );
            ExitCode::FAILURE
        }
    };
    tracing::info!(
        ok = code == ExitCode::SUCCESS,
        ms = started.elapsed().as_millis() as u64,
        "stop"
    );
    code
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    // These need no configuration (and must work while it is broken).
    match &cli.command {
        Some(Command::Completions(a)) => return setup::completions(a),
        Some(Command::Man(a)) => return setup::man(a),
        Some(Command::Doctor(a)) => return setup::doctor(&cli.global, a),
        _ => {}
    }
    let config = Config::load(&cli.global.flags())?;
    crate::log::init(config.log_dir.value.as_deref(), config.log_level.value);
    let ctx = Context::new(&cli.global, config)?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        command = std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        db = %crate::store::pg::redacted(&ctx.db.display().to_string()),
        operator = %ctx.operator,
        read_only = ctx.access == Access::ReadOnly,
        "start"
    );
    match cli.command {
        None => crate::tui::console(ctx.console_options(cli.global.demo)),
        Some(cmd) => commands::dispatch(&ctx, cmd),
    }
}
