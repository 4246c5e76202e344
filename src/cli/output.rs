//! How a listing is printed: an aligned table for people, JSON or CSV for the next tool.
//! Table and CSV headers and values follow `--lang`; JSON keeps stable field names and codes.
//! Also where an export or a report goes (a file or standard output) and how a report is encoded.

use super::Context;
use crate::domain::message::Message;
use crate::text::{Lang, inert};
use crate::transfer::export::{self, Cell};
use crate::transfer::xlsx;
use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// Aligned columns, headers in the --lang language
    #[default]
    Table,
    /// JSON (stable field names, codes rather than labels)
    Json,
    /// CSV with a header line: the table's columns, in the --lang language
    Csv,
}

/// `--format table|json|csv` and `--json` (short for `--format json`), for every listing.
#[derive(Args, Debug, Clone, Default)]
pub struct ListOutput {
    /// Output format: table, json or csv
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Print JSON (the same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

impl ListOutput {
    pub fn format(&self) -> ListFormat {
        if self.json {
            ListFormat::Json
        } else {
            self.format
        }
    }

    /// Whether lines beside the table (counts, notes, hints) may be printed: not into CSV or
    /// JSON, which a tool reads.
    pub fn is_table(&self) -> bool {
        self.format() == ListFormat::Table
    }
}

/// Column headers in the operator's language, from (Chinese, English) pairs.
pub fn headers(lang: Lang, pairs: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    pairs.iter().map(|(zh, en)| lang.pick(zh, en)).collect()
}

/// Prints rows as an aligned table, or as CSV (cells that a spreadsheet would run as a formula
/// are neutralised, as in export). JSON is the caller's, printed before the rows are built.
pub fn print_rows(format: ListFormat, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let text = match format {
        ListFormat::Csv => csv_text(header, rows)?,
        ListFormat::Table | ListFormat::Json => crate::text::table(header, rows),
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(super::OutputError)?;
    Ok(())
}

/// CSV of the rows, with a header line.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Result<String> {
    use crate::transfer::formula::neutralise;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(|h| neutralise(h).into_owned()))?;
    for r in rows {
        w.write_record(r.iter().map(|c| neutralise(c).into_owned()))?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Row counts are bounded, so no number wraps around on its way to SQL.
pub(super) fn limit_parser() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000)
}

pub(super) fn print_json<T: Serialize>(v: &T) -> Result<ExitCode> {
    outln!("{}", serde_json::to_string_pretty(v)?);
    Ok(ExitCode::SUCCESS)
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
    pub(super) fn check_encoding(&self, csv: bool) -> Result<()> {
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
    pub(super) fn emit(&self, ctx: &Context, bytes: &[u8], binary: bool) -> Result<()> {
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
            export::encode(csv_text(first.header, &rows)?.into_bytes(), encoding)?
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
