//! How a listing is printed: an aligned table for people, JSON or CSV for the next tool.
//! Table and CSV headers and values follow `--lang`; JSON keeps stable field names and codes.

use crate::text::Lang;
use anyhow::Result;
use clap::{Args, ValueEnum};
use std::io::Write;

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
