//! `aeo import`, `aeo export` and `aeo report`.

use super::Context;
use super::output::{FileOutput, ReportFormat, report_bytes, send_report};
use crate::calendar::WorkingCalendar;
use crate::text::inert;
use crate::transfer::import::{ImportOptions, import as run_import};
use crate::transfer::{Encoding, Format, Problems, TableKind, export, read_table, report, xlsx};
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
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
    /// csv, json, or xlsx (an Excel workbook with typed date and number cells)
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    #[command(flatten)]
    pub to: FileOutput,
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The 当日清 report of a date: bookings per slot, done, abnormal, still open
    Day {
        /// YYYY-MM-DD
        date: String,
        /// Print JSON (the same as --format json)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// text (the report), json, csv or xlsx: one line per booking (a slot without bookings
        /// has one line), headers in the --lang language, for a spreadsheet
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        to: FileOutput,
    },
    /// The 清零 report: open problems per enterprise and per coordinator, oldest first
    Problems {
        /// Targets in working days [default: reply=1,resolve=5]
        #[arg(long, env = "AEO_PROBLEM_TARGETS", value_name = "reply=N,resolve=N")]
        targets: Option<String>,
        /// Print JSON (the same as --format json)
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// text (the report), json, csv (one line per open problem, headers in the --lang
        /// language) or xlsx (that list, and sheets by enterprise and by coordinator)
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        to: FileOutput,
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
    a.to.check_encoding(a.format == Format::Csv)?;
    let store = ctx.open_existing()?;
    let streamed = a.format != Format::Xlsx && a.to.encoding == export::OutEncoding::Utf8;
    let n = if streamed {
        match &a.to.output {
            Some(path) => crate::transfer::output::write_file(path, &ctx.db, a.to.force, |out| {
                export::write(&store, a.table, a.format, out)
            })?,
            None => {
                let stdout = std::io::stdout();
                let mut lock = stdout.lock();
                export::write(&store, a.table, a.format, &mut lock)?
            }
        }
    } else {
        // Whole, then re-encoded: an unencodable character refuses the export before a byte
        // is written.
        let mut buf = Vec::new();
        let n = export::write(&store, a.table, a.format, &mut buf)?;
        let bytes = export::encode(buf, a.to.encoding)?;
        a.to.emit(ctx, &bytes, a.format == Format::Xlsx)?;
        n
    };
    if let Some(path) = &a.to.output {
        eprintln!(
            "exported {n} {} to {}",
            a.table.noun(),
            inert(&path.display().to_string())
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn report(ctx: &Context, cmd: &ReportCommand) -> Result<ExitCode> {
    let (date, format, to) = match cmd {
        ReportCommand::Day {
            date,
            json,
            format,
            to,
        } => (date, ReportFormat::of(*json, *format), to),
        ReportCommand::Problems {
            targets,
            json,
            format,
            to,
        } => {
            let format = ReportFormat::of(*json, *format);
            to.check_encoding(format == ReportFormat::Csv)?;
            return super::hotline::report_problems(ctx, targets.as_deref(), format, to);
        }
    };
    to.check_encoding(format == ReportFormat::Csv)?;
    let date = crate::transfer::fields::date(date).map_err(|e| anyhow!(e))?;
    let store = ctx.open_existing()?;
    let r = report::day_report(&store, date, WorkingCalendar::official())?;
    let (header, rows) = report::sheet(&r, ctx.lang);
    let name = format!("{} {}", ctx.lang.pick("当日清", "day report"), r.date);
    let bytes = report_bytes(
        format,
        to.encoding,
        || {
            Ok(if format == ReportFormat::Json {
                format!("{}\n", serde_json::to_string_pretty(&r)?)
            } else {
                report::render(&r)
            })
        },
        &[xlsx::Sheet {
            name: &name,
            header: &header,
            rows: &rows,
        }],
    )?;
    send_report(ctx, to, format, &bytes)?;
    Ok(ExitCode::SUCCESS)
}
