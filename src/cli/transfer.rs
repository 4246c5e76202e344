//! `aeo import`, `aeo export` and `aeo report`.

use super::Context;
use crate::calendar::WorkingCalendar;
use crate::domain::message::Message;
use crate::text::inert;
use crate::transfer::export::Cell;
use crate::transfer::import::{ImportOptions, import as run_import};
use crate::transfer::{Encoding, Format, Problems, TableKind, export, read_table, report, xlsx};
use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use std::io::{IsTerminal as _, Write};
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
    /// Accept a file larger than 64 MB (an import holds the database's write lock while it
    /// writes; run large ones when few operators are at work)
    #[arg(long)]
    pub large: bool,
    /// Leave out records already in the database (by their natural key) instead of refusing
    /// the file: a re-import adds only what is new
    #[arg(long)]
    pub skip_existing: bool,
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

/// Where an export or a report goes, and the encoding of CSV.
#[derive(Args, Debug, Clone, Default)]
pub struct FileOutput {
    /// Write to this file instead of standard output (never the database or its side files;
    /// written whole, then renamed into place, with the database's mode)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long, requires = "output")]
    pub force: bool,
    /// Character encoding of CSV: utf-8, utf-8-bom (Excel, WPS) or gbk
    #[arg(long, value_enum, default_value_t = export::OutEncoding::Utf8)]
    pub encoding: export::OutEncoding,
}

impl FileOutput {
    /// `--encoding` other than UTF-8 is for CSV only.
    fn check_encoding(&self, csv: bool) -> Result<()> {
        if !csv && self.encoding != export::OutEncoding::Utf8 {
            return Err(Message::new(
                "--encoding 只用于 CSV：JSON 和文本总是 UTF-8，xlsx 工作簿自带编码",
                "--encoding applies to CSV: JSON and text are always UTF-8, and an xlsx workbook carries its own",
            )
            .into());
        }
        Ok(())
    }

    /// Writes finished bytes to the file, or to standard output; a workbook is not printed into
    /// a terminal.
    fn emit(&self, ctx: &Context, bytes: &[u8], binary: bool) -> Result<()> {
        match &self.output {
            Some(path) => {
                crate::transfer::output::write_file(path, &ctx.db, self.force, |out| {
                    Ok(out.write_all(bytes)?)
                })?;
            }
            None => {
                if binary && std::io::stdout().is_terminal() {
                    return Err(Message::new(
                        "xlsx 工作簿不能显示在终端里：用 --output 文件名.xlsx 写入文件",
                        "an xlsx workbook cannot be shown in a terminal: write it with --output FILE.xlsx",
                    )
                    .into());
                }
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)
                    .and_then(|_| out.flush())
                    .map_err(super::OutputError)?;
            }
        }
        Ok(())
    }
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
                "{} 有 {mb} MB，超过 64 MB：导入期间其他操作员需要等待；确认要导入请加 --large",
                a.file.display()
            ),
            format!(
                "{} is {mb} MB, more than 64 MB: other operators wait while it is imported; pass --large to import it anyway",
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
        operator: ctx.operator.clone(),
        now: ctx.now,
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

/// How a report is printed.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// The report as text
    Text,
    /// JSON (stable field names)
    Json,
    /// CSV, one line per record, headers in the --lang language
    Csv,
    /// An Excel workbook: typed date and number cells, a frozen header row
    Xlsx,
}

impl ReportFormat {
    pub fn of(json: bool, format: ReportFormat) -> ReportFormat {
        if json { ReportFormat::Json } else { format }
    }
}

/// A report as bytes: the caller's text or JSON, or its table as CSV or a workbook.
pub fn report_bytes(
    format: ReportFormat,
    encoding: export::OutEncoding,
    text: impl FnOnce() -> Result<String>,
    sheets: &[xlsx::Sheet],
) -> Result<Vec<u8>> {
    Ok(match format {
        ReportFormat::Text | ReportFormat::Json => text()?.into_bytes(),
        ReportFormat::Csv => {
            let first = &sheets[0];
            let rows: Vec<Vec<String>> = first
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::text).collect())
                .collect();
            export::encode(
                super::output::csv_text(first.header, &rows)?.into_bytes(),
                encoding,
            )?
        }
        ReportFormat::Xlsx => xlsx::workbook(sheets)?,
    })
}

/// Sends a finished report where `to` says.
pub fn send_report(
    ctx: &Context,
    to: &FileOutput,
    format: ReportFormat,
    bytes: &[u8],
) -> Result<()> {
    to.emit(ctx, bytes, format == ReportFormat::Xlsx)?;
    if let Some(path) = &to.output {
        let path = inert(&path.display().to_string());
        eprintln!(
            "{}",
            ctx.lang
                .pick(&format!("已写入 {path}"), &format!("wrote {path}"))
        );
    }
    Ok(())
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
