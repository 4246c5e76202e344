//! `aeo import`, `aeo export` and `aeo report`.

use super::Context;
use crate::calendar::WorkingCalendar;
use crate::text::inert;
use crate::transfer::import::{ImportOptions, import as run_import};
use crate::transfer::{Encoding, Format, Problems, TableKind, export, read_table, report};
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Which table the file holds (columns: see README, "Import and export")
    #[arg(value_enum)]
    pub table: TableKind,
    pub file: PathBuf,
    /// csv or json [default: by the file's extension]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// utf-8 or gbk [default: detected; UTF-8 with or without BOM, else GBK]
    #[arg(long, value_enum)]
    pub encoding: Option<Encoding>,
    /// Check everything and say what would be imported; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Import USCCs whose check character fails, marked as such
    #[arg(long)]
    pub accept_bad_checksum: bool,
    /// Accept a file larger than 64 MB (it takes a while, and other operators see its records
    /// arrive batch by batch)
    #[arg(long)]
    pub large: bool,
    /// Leave out records already in the database (by their natural key) instead of refusing
    /// the file: a re-import adds only what is new
    #[arg(long, conflicts_with = "upsert")]
    pub skip_existing: bool,
    /// Update the records already in the database (by their natural key) with the file's
    /// values, each change audited and reported on its line (coordinators, enterprises, items,
    /// slots)
    #[arg(long)]
    pub upsert: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub table: TableKind,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of standard output (never the database or its side files;
    /// written whole, then renamed into place, with the database's mode)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Character encoding of a CSV file: utf-8, utf-8-bom (Excel, WPS) or gbk
    #[arg(long, value_enum, default_value_t = export::OutEncoding::Utf8)]
    pub encoding: export::OutEncoding,
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The 当日清 report of a date: bookings per slot, done, abnormal, still open
    Day {
        /// YYYY-MM-DD
        date: String,
        /// Print JSON
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// text (the report), json, or csv: one line per booking (a slot without bookings has
        /// one line), headers in the --lang language, for a spreadsheet
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Character encoding of CSV: utf-8, utf-8-bom (Excel, WPS) or gbk
        #[arg(long, value_enum, default_value_t = export::OutEncoding::Utf8)]
        encoding: export::OutEncoding,
    },
    /// The 清零 report: open problems per enterprise and per coordinator, oldest first
    Problems {
        /// Targets in working days [default: reply=1,resolve=5]
        #[arg(long, env = "AEO_PROBLEM_TARGETS", value_name = "reply=N,resolve=N")]
        targets: Option<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// The largest file `import` takes without --large.
const LARGE_FILE: u64 = 64 * 1024 * 1024;

pub fn import(ctx: &Context, a: &ImportArgs) -> Result<ExitCode> {
    if !a.large
        && let Ok(m) = std::fs::metadata(&a.file)
        && m.len() > LARGE_FILE
    {
        let mb = m.len() / (1024 * 1024);
        return Err(crate::domain::message::Message::new(
            format!(
                "{} 有 {mb} MB，超过 64 MB：导入需要一段时间，其他操作员会看到记录分批出现；确认要导入请加 --large",
                a.file.display()
            ),
            format!(
                "{} is {mb} MB, more than 64 MB: it takes a while, and other operators see its records arrive batch by batch; pass --large to import it anyway",
                a.file.display()
            ),
        )
        .into());
    }
    let table = match read_table(&a.file, a.table, a.format, a.encoding) {
        Ok(t) => t,
        Err(p) => return Ok(refused(&p)),
    };
    let mut store = ctx.open_existing()?;
    let opts = ImportOptions {
        accept_bad_checksum: a.accept_bad_checksum,
        dry_run: a.dry_run,
        skip_existing: a.skip_existing,
        upsert: a.upsert,
        operator: ctx.operator.clone(),
        now: ctx.now,
        batch: crate::transfer::import::BATCH,
    };
    let summary = match run_import(&mut store, &table, a.table, &opts) {
        Ok(s) => s,
        Err(e) => match e.downcast::<Problems>() {
            Ok(p) => return Ok(refused(&p)),
            Err(e) => return Err(e),
        },
    };
    for n in &summary.notes {
        outln!("note: {}", inert(n));
    }
    let file = inert(&a.file.display().to_string());
    if summary.dry_run {
        outln!(
            "dry run: {} {} from {file} would be imported ({}); nothing written",
            summary.count,
            a.table.noun(),
            table.encoding.name()
        );
    } else {
        outln!("imported {} {} from {file}", summary.count, a.table.noun());
    }
    Ok(ExitCode::SUCCESS)
}

/// Lists every problem, one per line, then says nothing was written.
fn refused(p: &Problems) -> ExitCode {
    for line in p.lines() {
        eprintln!("{}", inert(&line));
    }
    eprintln!(
        "aeo: error: import refused: {} problem{} in {}; nothing was written",
        p.list.len(),
        if p.list.len() == 1 { "" } else { "s" },
        inert(&p.file)
    );
    ExitCode::FAILURE
}

pub fn export(ctx: &Context, a: &ExportArgs) -> Result<ExitCode> {
    if a.format == Format::Json && a.encoding != export::OutEncoding::Utf8 {
        anyhow::bail!("JSON is always written in UTF-8: --encoding applies to CSV");
    }
    let store = ctx.open_existing()?;
    if a.encoding != export::OutEncoding::Utf8 {
        // Whole, then re-encoded: an unencodable character refuses the export before a byte is written.
        let mut buf = Vec::new();
        let n = export::write(&store, a.table, a.format, &mut buf)?;
        let bytes = export::encode(buf, a.encoding)?;
        match &a.output {
            Some(path) => {
                crate::transfer::output::write_file(path, &ctx.db, a.force, |out| {
                    out.write_all(&bytes)?;
                    Ok(n)
                })?;
                eprintln!(
                    "exported {n} {} to {}",
                    a.table.noun(),
                    inert(&path.display().to_string())
                );
            }
            None => std::io::stdout()
                .write_all(&bytes)
                .map_err(super::OutputError)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    match &a.output {
        Some(path) => {
            let n = crate::transfer::output::write_file(path, &ctx.db, a.force, |out| {
                export::write(&store, a.table, a.format, out)
            })?;
            eprintln!(
                "exported {n} {} to {}",
                a.table.noun(),
                inert(&path.display().to_string())
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            export::write(&store, a.table, a.format, &mut lock)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How `report day` is printed.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Text,
    Json,
    Csv,
}

pub fn report(ctx: &Context, cmd: &ReportCommand) -> Result<ExitCode> {
    let (date, json, format, encoding) = match cmd {
        ReportCommand::Day {
            date,
            json,
            format,
            encoding,
        } => (date, json, *format, *encoding),
        ReportCommand::Problems { targets, json } => {
            return super::hotline::report_problems(ctx, targets.as_deref(), *json);
        }
    };
    let date = crate::transfer::fields::date(date).map_err(|e| anyhow!(e))?;
    let store = ctx.open_existing()?;
    let r = report::day_report(&store, date, WorkingCalendar::official())?;
    if format != ReportFormat::Csv && encoding != export::OutEncoding::Utf8 {
        anyhow::bail!("--encoding applies to --format csv");
    }
    let text = if *json || format == ReportFormat::Json {
        format!("{}\n", serde_json::to_string_pretty(&r)?)
    } else if format == ReportFormat::Csv {
        day_report_csv(&r, ctx.lang)?
    } else {
        report::render(&r)
    };
    let bytes = export::encode(text.into_bytes(), encoding)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)
        .and_then(|_| out.flush())
        .map_err(super::OutputError)?;
    Ok(ExitCode::SUCCESS)
}

/// The day report as CSV: one line per booking, a slot without bookings on a line of its own.
fn day_report_csv(r: &report::DayReport, lang: crate::text::Lang) -> Result<String> {
    let header = super::output::headers(
        lang,
        &[
            ("日期", "date"),
            ("时段", "slot"),
            ("现场", "office"),
            ("开始", "start"),
            ("结束", "end"),
            ("容量", "capacity"),
            ("预约", "booking"),
            ("企业", "enterprise"),
            ("货物", "goods"),
            ("地点", "location"),
            ("状态", "status"),
        ],
    );
    let mut rows = Vec::new();
    for s in &r.slots {
        let slot = vec![
            r.date.to_string(),
            s.id.to_string(),
            format!("{} {}", s.office_code, s.office_name),
            s.start.clone(),
            s.end.clone(),
            s.capacity.to_string(),
        ];
        if s.bookings.is_empty() {
            let mut row = slot.clone();
            row.extend(std::iter::repeat_n(String::new(), 5));
            rows.push(row);
        }
        for b in &s.bookings {
            let mut row = slot.clone();
            row.extend([
                b.id.to_string(),
                b.enterprise.clone(),
                b.goods.clone(),
                b.location.name(lang).to_string(),
                b.status.name(lang).to_string(),
            ]);
            rows.push(row);
        }
    }
    super::output::csv_text(&header, &rows)
}
