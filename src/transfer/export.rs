//! Tables out, in exactly the import columns: an export imports again into an empty database.

use super::fields::{bool_text, instant_text};
use super::import::pauses_text;
use super::{Format, TableKind};
use crate::store::Store;
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use std::io::Write;

/// One value of an exported record: typed, so that a workbook gets date and number cells.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Bool(bool),
    Number(i64),
    Date(Date),
    /// Written as Shanghai wall time.
    Instant(Timestamp),
    Empty,
}

impl Cell {
    /// The value as CSV and text print it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Bool(b) => bool_text(*b).to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Instant(t) => instant_text(*t),
            Cell::Empty => String::new(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Bool(b) => serde_json::Value::Bool(*b),
            Cell::Number(n) => serde_json::Value::from(*n),
            Cell::Date(_) | Cell::Instant(_) => serde_json::Value::String(self.text()),
            Cell::Empty => serde_json::Value::Null,
        }
    }
}

/// A date column: typed when it reads as a date (it always does for stored data).
fn date(s: String) -> Cell {
    match s.parse::<Date>() {
        Ok(d) => Cell::Date(d),
        Err(_) => Cell::Text(s),
    }
}

fn instant(t: Timestamp) -> Cell {
    Cell::Instant(t)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: Option<String>) -> Cell {
    s.map(Cell::Text).unwrap_or(Cell::Empty)
}

fn opt_instant(t: Option<Timestamp>) -> Cell {
    t.map(Cell::Instant).unwrap_or(Cell::Empty)
}

/// The records of a table, each in the order of `kind.columns()`.
pub fn rows(store: &Store, kind: TableKind) -> Result<Vec<Vec<Cell>>> {
    Ok(match kind {
        TableKind::Coordinators => store
            .export_coordinators()?
            .into_iter()
            .map(|c| {
                vec![
                    text(c.name),
                    text(c.phone),
                    text(c.office_code),
                    text(c.office_name),
                    text(c.role),
                    text(c.duty_hours),
                ]
            })
            .collect(),
        TableKind::Enterprises => store
            .export_enterprises()?
            .into_iter()
            .map(|e| {
                vec![
                    text(e.uscc),
                    text(e.customs_code),
                    text(e.name_zh),
                    opt(e.name_en),
                    text(e.credit),
                    text(
                        e.industries
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(";"),
                    ),
                    opt(e.group_name),
                    opt(e.coordinator_phone),
                    text(e.aliases),
                ]
            })
            .collect(),
        TableKind::Items => store
            .export_items()?
            .into_iter()
            .map(|i| {
                vec![
                    text(i.kind),
                    text(i.enterprise_uscc),
                    opt(i.declaration_no),
                    instant(i.received_at),
                    opt_instant(i.due_at),
                    text(i.status),
                    Cell::Bool(i.urgent),
                    Cell::Bool(i.non_intrusive),
                    Cell::Bool(i.report_accepted),
                    opt(i.taken_by),
                ]
            })
            .collect(),
        TableKind::Slots => store
            .export_slots()?
            .into_iter()
            .map(|s| {
                vec![
                    text(s.office_code),
                    date(s.date),
                    text(s.start),
                    text(s.end),
                    Cell::Number(s.capacity.into()),
                ]
            })
            .collect(),
        TableKind::Bookings => store
            .export_bookings()?
            .into_iter()
            .map(|b| {
                vec![
                    text(b.office_code),
                    date(b.date),
                    text(b.start),
                    text(b.enterprise_uscc),
                    text(b.goods),
                    text(b.location),
                    opt(b.reason),
                    text(b.status),
                    instant(b.booked_at),
                    text(b.booked_by),
                ]
            })
            .collect(),
        TableKind::Approvals => store
            .export_approvals()?
            .into_iter()
            .map(|a| {
                vec![
                    text(a.kind),
                    text(a.enterprise_uscc),
                    text(a.reference),
                    instant(a.accepted_at),
                    opt_instant(a.decided_at),
                    opt(a.decision),
                    if a.pauses.is_empty() {
                        Cell::Empty
                    } else {
                        text(pauses_text(&a.pauses))
                    },
                    Cell::Bool(a.final_authority),
                    opt(a.extended_by),
                ]
            })
            .collect(),
        TableKind::Calls => store
            .export_calls()?
            .into_iter()
            .map(|c| {
                vec![
                    instant(c.at),
                    text(c.operator),
                    opt(c.enterprise_uscc),
                    opt(c.caller_name),
                    opt(c.caller_phone),
                    text(c.channel),
                    text(c.measures),
                    text(c.question),
                    text(c.answer),
                    text(c.outcome),
                    opt_instant(c.callback_by),
                    opt_instant(c.callback_done_at),
                    opt(c.forwarded_to_phone),
                    opt(c.marked_for),
                ]
            })
            .collect(),
        TableKind::Problems => store
            .export_problems()?
            .into_iter()
            .map(|p| {
                vec![
                    text(p.enterprise_uscc),
                    text(p.summary),
                    text(p.office),
                    text(p.districts),
                    text(p.status),
                    opt(p.coordinator_phone),
                    instant(p.opened_at),
                    opt_instant(p.first_reply_at),
                    opt_instant(p.resolved_at),
                    opt(p.resolved_by),
                    opt(p.resolution),
                    opt_instant(p.closed_at),
                ]
            })
            .collect(),
        TableKind::Verifications => store
            .export_verifications()?
            .into_iter()
            .map(|v| {
                vec![
                    text(v.enterprise_uscc),
                    text(v.kind),
                    date(v.date),
                    text(v.instruction),
                    text(v.team),
                    Cell::Bool(v.self_check),
                    opt(v.override_reason),
                    opt(v.merged_into),
                ]
            })
            .collect(),
        TableKind::CoordinatorLinks => store
            .export_coordinator_links()?
            .into_iter()
            .map(|l| vec![text(l.enterprise_uscc), text(l.coordinator_phone)])
            .collect(),
        TableKind::HotlinePersons => store
            .export_hotline_persons()?
            .into_iter()
            .map(|h| vec![text(h.enterprise_uscc), text(h.person)])
            .collect(),
    })
}

/// Writes the table; returns the number of records.
pub fn write(store: &Store, kind: TableKind, format: Format, out: &mut dyn Write) -> Result<usize> {
    let rows = rows(store, kind)?;
    let columns = kind.column_names();
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(&mut *out);
            w.write_record(&columns)?;
            for r in &rows {
                // Spreadsheets must not run a value as a formula: see `formula`.
                w.write_record(
                    r.iter()
                        .map(|c| super::formula::neutralise(&c.text()).into_owned()),
                )?;
            }
            w.flush()?;
        }
        Format::Json => {
            // One object per line, keys in column order.
            out.write_all(b"[")?;
            for (i, r) in rows.iter().enumerate() {
                let fields: Vec<String> = columns
                    .iter()
                    .zip(r)
                    .map(|(k, v)| format!("{}: {}", serde_json::Value::from(*k), v.json()))
                    .collect();
                let sep = if i == 0 { "" } else { "," };
                write!(out, "{sep}\n  {{{}}}", fields.join(", "))?;
            }
            out.write_all(if rows.is_empty() { b"]\n" } else { b"\n]\n" })?;
        }
        Format::Xlsx => {
            let bytes = super::xlsx::workbook(&[super::xlsx::Sheet {
                name: kind.name(),
                header: &columns,
                rows: &rows,
            }])?;
            out.write_all(&bytes)?;
        }
    }
    out.flush()?;
    Ok(rows.len())
}

/// The character encoding of an exported file: Excel on Chinese Windows opens a UTF-8 CSV
/// correctly only with a byte-order mark, and older tools want GBK.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutEncoding {
    /// UTF-8 without a byte-order mark
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// UTF-8 with a byte-order mark (Excel, WPS)
    #[value(name = "utf-8-bom", alias = "utf8-bom")]
    Utf8Bom,
    /// GBK (GB2312 and its extension), as Excel on Chinese Windows saves CSV
    #[value(name = "gbk")]
    Gbk,
}

/// Re-encodes UTF-8 text for the file. A character GBK cannot hold is refused with its line,
/// never replaced: the file must say what the database says.
pub fn encode(utf8: Vec<u8>, encoding: OutEncoding) -> Result<Vec<u8>> {
    match encoding {
        OutEncoding::Utf8 => Ok(utf8),
        OutEncoding::Utf8Bom => {
            let mut v = Vec::with_capacity(utf8.len() + 3);
            v.extend_from_slice(b"\xEF\xBB\xBF");
            v.extend_from_slice(&utf8);
            Ok(v)
        }
        OutEncoding::Gbk => {
            let text = String::from_utf8(utf8)?;
            let (bytes, _, had_errors) = encoding_rs::GBK.encode(&text);
            if had_errors {
                let mut enc = encoding_rs::GBK.new_encoder();
                for (i, line) in text.lines().enumerate() {
                    for ch in line.chars() {
                        let mut buf = [0u8; 8];
                        let s = ch.to_string();
                        let (r, _, _) =
                            enc.encode_from_utf8_without_replacement(&s, &mut buf, true);
                        if matches!(r, encoding_rs::EncoderResult::Unmappable(_)) {
                            anyhow::bail!(
                                "line {}: '{ch}' (U+{:04X}) cannot be written in GBK; use --encoding utf-8-bom",
                                i + 1,
                                ch as u32
                            );
                        }
                    }
                }
                anyhow::bail!("the export cannot be written in GBK; use --encoding utf-8-bom");
            }
            Ok(bytes.into_owned())
        }
    }
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn gbk_refuses_a_character_it_cannot_hold_and_names_its_line() {
        let e = encode("name\n上海😀\n".as_bytes().to_vec(), OutEncoding::Gbk).unwrap_err();
        let e = e.to_string();
        assert!(e.contains("line 2") && e.contains("U+1F600"), "{e}");
        let ok = encode("上海\n".as_bytes().to_vec(), OutEncoding::Gbk).unwrap();
        assert_eq!(ok, b"\xC9\xCF\xBA\xA3\n");
        let bom = encode(b"a".to_vec(), OutEncoding::Utf8Bom).unwrap();
        assert_eq!(bom, b"\xEF\xBB\xBFa");
    }
}
