//! Excel workbooks (.xlsx) out and in.
//!
//! Out: one worksheet per table, a bold header row frozen at the top with a filter, dates and
//! times as real date cells (Shanghai wall time: a workbook has no time zone), numbers and
//! yes/no values typed, columns as wide as their text (Chinese characters count twice).
//! In: the sheet named like the table (else the first), its first non-empty row the header, each
//! row a record that knows its row number, so that a problem reads `file:sheet:row: field:
//! problem` through the same checks as CSV and JSON.

use super::export::Cell;
use super::fields::bool_text;
use super::{Problem, Problems, Record, TableKind};
use anyhow::{Result, bail};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// The most rows a worksheet holds (Excel's limit), header included.
const MAX_ROWS: usize = 1_048_576;
/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// One worksheet to write: its name, the header and the rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
}

fn err(e: rust_xlsxwriter::XlsxError) -> anyhow::Error {
    anyhow::anyhow!("cannot build the workbook: {e}")
}

/// The text width of a cell as Excel shows it, in character widths.
fn width(cell: &Cell) -> usize {
    match cell {
        Cell::Date(_) => 10,
        Cell::Instant(_) => 19,
        Cell::Bool(_) => 5,
        Cell::Empty => 0,
        Cell::Number(n) => n.to_string().len(),
        Cell::Text(s) => s
            .lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .max()
            .unwrap_or(0),
    }
}

/// The workbook as bytes.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let instant = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for sheet in sheets {
        if sheet.rows.len() + 1 > MAX_ROWS {
            bail!(
                "{} rows do not fit in one worksheet (at most {}): export CSV instead",
                sheet.rows.len(),
                MAX_ROWS - 1
            );
        }
        let ws = book.add_worksheet();
        ws.set_name(sheet.name).map_err(err)?;
        let mut widths: Vec<usize> = sheet
            .header
            .iter()
            .map(|h| unicode_width::UnicodeWidthStr::width(*h))
            .collect();
        for (c, h) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)
                .map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width(cell));
                }
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                    Cell::Number(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Bool(b) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Cell::Date(d) => ws
                        .write_datetime_with_format(r, c, excel_date(*d)?, &date)
                        .map(|_| ()),
                    Cell::Instant(t) => {
                        let dt = crate::calendar::shanghai_datetime(*t);
                        let v = excel_date(dt.date())?
                            .and_hms(dt.hour() as u16, dt.minute() as u8, f64::from(dt.second()))
                            .map_err(err)?;
                        ws.write_datetime_with_format(r, c, v, &instant).map(|_| ())
                    }
                    Cell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, ((*w).clamp(4, MAX_WIDTH) + 2) as f64)
                .map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        if !sheet.header.is_empty() {
            ws.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)
                .map_err(err)?;
        }
    }
    book.save_to_buffer().map_err(err)
}

fn excel_date(d: jiff::civil::Date) -> Result<ExcelDateTime> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(err)
}

/// A workbook read into records of `table`.
#[derive(Debug)]
pub struct Read {
    /// `file:sheet`, the prefix of every problem.
    pub file: String,
    pub records: Vec<Record>,
    /// Problems of single records (unreadable cells, error values).
    pub problems: Vec<Problem>,
}

/// Reads the sheet of `table` from the workbook at `path`: the sheet named like the table
/// (`enterprises`, as export names it), else the first.
pub fn read(path: &Path, bytes: Vec<u8>, table: TableKind) -> Result<Read, Problems> {
    let name = path.display().to_string();
    let whole = |line: usize, message: String| Problems {
        file: name.clone(),
        list: vec![Problem::new(line, "file", message)],
    };
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(whole(
            0,
            "an Excel 97-2003 workbook (.xls): save it from Excel or WPS as .xlsx".into(),
        ));
    }
    if !bytes.starts_with(b"PK") {
        return Err(whole(
            0,
            "not an .xlsx workbook (an .xlsx file is a zip archive, this one is not): if it is CSV or JSON, name it .csv or .json, or pass --format csv|json".into(),
        ));
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        whole(
            0,
            format!("not a readable .xlsx workbook ({e}); save it from Excel or WPS as .xlsx"),
        )
    })?;
    let names = book.sheet_names();
    let sheet = names
        .iter()
        .find(|n| n.trim().eq_ignore_ascii_case(table.name()))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| whole(0, "the workbook has no worksheet".into()))?;
    let file = format!("{name}:{sheet}");
    let fail = |list: Vec<Problem>| Problems {
        file: file.clone(),
        list,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| {
        fail(vec![Problem::new(
            0,
            "file",
            format!("cannot read the sheet: {e}"),
        )])
    })?;
    let top = range.start().map(|(row, _)| row).unwrap_or(0);
    let mut rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (top as usize + i + 1, r))
        .filter(|(_, r)| r.iter().any(|c| !is_blank(c)));
    let expected = table.column_names().join(", ");
    let Some((header_row, header)) = rows.next() else {
        return Err(fail(vec![Problem::new(
            1,
            "file",
            format!("the sheet is empty: expected a header row ({expected}) and at least one row"),
        )]));
    };
    // Columns left of the used range are empty; a blank header cell ends nothing but is skipped.
    let names: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_blank(c))
        .map(|(i, c)| (i, text(c).unwrap_or_default().trim().to_ascii_lowercase()))
        .collect();
    let header_problems = super::check_header(
        &names
            .iter()
            .map(|(_, n)| (n.clone(), header_row))
            .collect::<Vec<_>>(),
        table,
    );
    if !header_problems.is_empty() {
        return Err(fail(header_problems));
    }
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (row_no, row) in rows {
        let mut values = HashMap::new();
        let mut unreadable = Vec::new();
        for (i, column) in &names {
            let cell = row.get(*i).unwrap_or(&Data::Empty);
            match text(cell) {
                Ok(v) => {
                    values.insert(column.clone(), v);
                }
                Err(why) => {
                    problems.push(Problem::new(row_no, column, why));
                    unreadable.push(column.clone());
                }
            }
        }
        let mut record = Record::new(row_no, values);
        record.unreadable = unreadable;
        records.push(record);
    }
    if records.is_empty() && problems.is_empty() {
        return Err(fail(vec![Problem::new(
            header_row,
            "file",
            format!("no records to import: the sheet holds no {}", table.noun()),
        )]));
    }
    Ok(Read {
        file,
        records,
        problems,
    })
}

fn is_blank(c: &Data) -> bool {
    match c {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as the text the field checks read: numbers without a trailing ".0", dates as
/// YYYY-MM-DD, date-times as "YYYY-MM-DD HH:MM:SS" (Shanghai time), times of day as HH:MM.
fn text(c: &Data) -> Result<String, String> {
    Ok(match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number(*f),
        Data::Bool(b) => bool_text(*b).to_string(),
        Data::DateTime(d) if d.is_duration() => number(d.as_f64()),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            // Rounded to the second, as exports write them.
            let (mi, s) = match (s, ms >= 500) {
                (59, true) if mi < 59 => (mi + 1, 0),
                (s, true) if s < 59 => (mi, s + 1),
                (s, _) => (mi, s),
            };
            if d.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}")
            } else if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::Error(e) => return Err(format!("the cell holds the error {e}: give a value")),
    })
}

fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn book_of(header: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
        workbook(&[Sheet {
            name: "slots",
            header,
            rows,
        }])
        .unwrap()
    }

    fn read_back(bytes: Vec<u8>, table: TableKind) -> Result<Read, Problems> {
        read(Path::new("t.xlsx"), bytes, table)
    }

    #[test]
    fn typed_cells_read_back_as_the_texts_the_checks_take() {
        let at = crate::calendar::shanghai_instant(date(2026, 11, 27).at(9, 5, 7, 0));
        let midnight = crate::calendar::shanghai_instant(date(2026, 11, 28).at(0, 0, 0, 0));
        let bytes = book_of(
            &["office_code", "date", "start", "end", "capacity"],
            &[
                vec![
                    Cell::Text("2244".into()),
                    Cell::Date(date(2026, 11, 27)),
                    Cell::Instant(at),
                    Cell::Instant(midnight),
                    Cell::Number(3),
                ],
                vec![Cell::Empty; 5],
                vec![
                    Cell::Bool(true),
                    Cell::Text("'=1+1".into()),
                    Cell::Empty,
                    Cell::Empty,
                    Cell::Number(0),
                ],
            ],
        );
        let r = read_back(bytes, TableKind::Slots).unwrap();
        assert_eq!(r.file, "t.xlsx:slots");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let lines: Vec<usize> = r.records.iter().map(|x| x.line).collect();
        assert_eq!(
            lines,
            vec![2, 4],
            "the blank row is skipped, rows keep their numbers"
        );
        let first = &r.records[0];
        assert_eq!(first.raw("office_code"), "2244");
        assert_eq!(first.raw("date"), "2026-11-27");
        assert_eq!(first.raw("start"), "2026-11-27 09:05:07");
        assert_eq!(first.raw("end"), "2026-11-28");
        assert_eq!(
            super::super::fields::instant(first.raw("end")),
            Ok(midnight),
            "an instant at midnight reads back from its date"
        );
        assert_eq!(first.raw("capacity"), "3");
        assert_eq!(
            super::super::fields::instant(first.raw("start")).unwrap(),
            at
        );
        let second = &r.records[1];
        assert_eq!(second.raw("office_code"), "true");
        assert_eq!(second.raw("date"), "'=1+1", "text cells are never formulas");
        assert_eq!(second.raw("capacity"), "0");
    }

    #[test]
    fn header_problems_and_empty_sheets_name_the_sheet_and_row() {
        let bytes = book_of(&["office_code", "dat"], &[vec![Cell::Number(1)]]);
        let p = read_back(bytes, TableKind::Slots).unwrap_err();
        let lines = p.lines();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("t.xlsx:slots:1: header: unknown column 'dat'")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("missing column 'capacity'")),
            "{lines:?}"
        );
        let empty = book_of(&["office_code", "date", "start", "end", "capacity"], &[]);
        let p = read_back(empty, TableKind::Slots).unwrap_err();
        assert!(p.lines()[0].contains("no records"), "{:?}", p.lines());
        let p = read_back(b"PK not a zip".to_vec(), TableKind::Slots).unwrap_err();
        assert!(
            p.lines()[0].starts_with("t.xlsx: file: not a readable"),
            "{:?}",
            p.lines()
        );
        let p = read_back(b"office_code,date\n".to_vec(), TableKind::Slots).unwrap_err();
        assert!(p.lines()[0].contains("name it .csv"), "{:?}", p.lines());
        let p = read_back(b"\xD0\xCF\x11\xE0old".to_vec(), TableKind::Slots).unwrap_err();
        assert!(
            p.lines()[0].contains("save it from Excel or WPS as .xlsx"),
            "{:?}",
            p.lines()
        );
    }

    #[test]
    fn a_sheet_named_like_the_table_is_taken_before_the_first() {
        let header = ["office_code", "date", "start", "end", "capacity"];
        let rows = vec![vec![Cell::Text("x".into()); 5]];
        let bytes = workbook(&[
            Sheet {
                name: "notes",
                header: &["note"],
                rows: &[],
            },
            Sheet {
                name: "Slots",
                header: &header,
                rows: &rows,
            },
        ])
        .unwrap();
        let r = read_back(bytes, TableKind::Slots).unwrap();
        assert_eq!(r.file, "t.xlsx:Slots");
        assert_eq!(r.records.len(), 1);
    }
}
