//! How a listing is printed: an aligned table for people, JSON or CSV for the next tool.

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// Aligned columns, headers in the --lang language
    #[default]
    Table,
    /// JSON (stable field names, codes rather than labels)
    Json,
    /// CSV with a header line (the table's columns, in the --lang language)
    Csv,
}

/// `--format table|json|csv` and `--json` (short for `--format json`), for every listing.
#[derive(Args, Debug, Clone, Default)]
pub struct ListOutput {
    /// Output format
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
}

/// Prints a listing: `header` and `rows` as a table or CSV, `json` as JSON.
/// `footer` lines follow the table only (never CSV or JSON, which a tool reads).
pub fn print_listing<T: Serialize + ?Sized>(
    format: ListFormat,
    header: &[&str],
    rows: &[Vec<String>],
    json: &T,
    footer: &[String],
) -> Result<ExitCode> {
    let text = match format {
        ListFormat::Json => format!("{}\n", serde_json::to_string_pretty(json)?),
        ListFormat::Csv => csv_text(header, rows)?,
        ListFormat::Table => {
            let mut t = crate::text::table(header, rows);
            for line in footer {
                t.push_str(line);
                t.push('\n');
            }
            t
        }
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        r => r.map(|_| ExitCode::SUCCESS).map_err(Into::into),
    }
}

/// CSV of the rows, with a header line.
pub fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
