//! Import and export of the console's tables as CSV or JSON, and the 当日清 day report.
//!
//! Reading turns a file into records that remember the line they start on, so that every
//! problem can be reported as `file:line: field: problem`. Text is UTF-8 (with or without a
//! byte-order mark) or GBK, as Excel on Chinese Windows saves it; the encoding is detected
//! unless given.

pub mod export;
pub mod fields;
pub mod formula;
pub mod import;
pub mod output;
pub mod report;
mod source;
pub mod xlsx;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// The tables that can be imported and exported, in dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableKind {
    Coordinators,
    Enterprises,
    Items,
    Slots,
    Bookings,
    Approvals,
    Calls,
    Problems,
    Verifications,
    /// An enterprise's coordinators beyond the one in its own record (measure 28).
    CoordinatorLinks,
    /// An AEO enterprise's designated hotline person (measure 33).
    HotlinePersons,
}

/// A column of an import file; `required` columns must be present in the header.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

const fn req(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

const fn opt(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

const ENTERPRISE_COLUMNS: &[Column] = &[
    req("uscc"),
    req("customs_code"),
    req("name_zh"),
    opt("name_en"),
    req("credit"),
    opt("industries"),
    opt("group"),
    opt("coordinator_phone"),
    opt("aliases"),
];
const COORDINATOR_COLUMNS: &[Column] = &[
    req("name"),
    req("phone"),
    req("office_code"),
    opt("office_name"),
    req("role"),
    opt("duty_hours"),
];
const ITEM_COLUMNS: &[Column] = &[
    req("kind"),
    req("enterprise"),
    opt("declaration_no"),
    req("received_at"),
    opt("due_at"),
    opt("status"),
    opt("urgent"),
    opt("non_intrusive"),
    opt("report_accepted"),
    opt("taken_by"),
];
const SLOT_COLUMNS: &[Column] = &[
    req("office_code"),
    req("date"),
    req("start"),
    req("end"),
    req("capacity"),
];
const BOOKING_COLUMNS: &[Column] = &[
    req("office_code"),
    req("date"),
    req("start"),
    req("enterprise"),
    req("goods"),
    opt("location"),
    opt("reason"),
    opt("status"),
    opt("booked_at"),
    opt("booked_by"),
];
const APPROVAL_COLUMNS: &[Column] = &[
    req("kind"),
    req("enterprise"),
    req("reference"),
    req("accepted_at"),
    opt("decided_at"),
    opt("decision"),
    opt("pauses"),
    opt("final_authority"),
    opt("extended_by"),
];

const CALL_COLUMNS: &[Column] = &[
    req("at"),
    req("operator"),
    opt("enterprise"),
    opt("caller_name"),
    opt("caller_phone"),
    req("channel"),
    opt("measures"),
    req("question"),
    opt("answer"),
    req("outcome"),
    opt("callback_by"),
    opt("callback_done_at"),
    opt("forwarded_to_phone"),
    opt("marked_for"),
];
const PROBLEM_COLUMNS: &[Column] = &[
    req("enterprise"),
    req("summary"),
    opt("office"),
    opt("districts"),
    opt("status"),
    opt("coordinator_phone"),
    req("opened_at"),
    opt("first_reply_at"),
    opt("resolved_at"),
    opt("resolved_by"),
    opt("resolution"),
    opt("closed_at"),
];
const VERIFICATION_COLUMNS: &[Column] = &[
    req("enterprise"),
    req("kind"),
    req("date"),
    opt("instruction"),
    opt("team"),
    opt("self_check"),
    opt("override_reason"),
    opt("merged_into"),
];
const COORDINATOR_LINK_COLUMNS: &[Column] = &[req("enterprise"), req("coordinator_phone")];
const HOTLINE_PERSON_COLUMNS: &[Column] = &[req("enterprise"), req("person")];

impl TableKind {
    pub const ALL: [TableKind; 11] = [
        TableKind::Coordinators,
        TableKind::Enterprises,
        TableKind::Items,
        TableKind::Slots,
        TableKind::Bookings,
        TableKind::Approvals,
        TableKind::Calls,
        TableKind::Problems,
        TableKind::Verifications,
        TableKind::CoordinatorLinks,
        TableKind::HotlinePersons,
    ];

    pub fn columns(self) -> &'static [Column] {
        match self {
            TableKind::Enterprises => ENTERPRISE_COLUMNS,
            TableKind::Coordinators => COORDINATOR_COLUMNS,
            TableKind::Items => ITEM_COLUMNS,
            TableKind::Slots => SLOT_COLUMNS,
            TableKind::Bookings => BOOKING_COLUMNS,
            TableKind::Approvals => APPROVAL_COLUMNS,
            TableKind::Calls => CALL_COLUMNS,
            TableKind::Problems => PROBLEM_COLUMNS,
            TableKind::Verifications => VERIFICATION_COLUMNS,
            TableKind::CoordinatorLinks => COORDINATOR_LINK_COLUMNS,
            TableKind::HotlinePersons => HOTLINE_PERSON_COLUMNS,
        }
    }

    /// Whether `import --upsert` can update records of this table (bookings, approvals, calls,
    /// problems and plans change through their own commands, under their lifecycle rules).
    pub fn upserts(self) -> bool {
        matches!(
            self,
            TableKind::Coordinators | TableKind::Enterprises | TableKind::Items | TableKind::Slots
        )
    }

    pub fn column_names(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.name).collect()
    }

    /// The plural noun of the summary line ("imported 320 enterprises").
    pub fn noun(self) -> &'static str {
        match self {
            TableKind::Enterprises => "enterprises",
            TableKind::Coordinators => "coordinators",
            TableKind::Items => "queue items",
            TableKind::Slots => "inspection slots",
            TableKind::Bookings => "bookings",
            TableKind::Approvals => "approvals",
            TableKind::Calls => "calls",
            TableKind::Problems => "problems",
            TableKind::Verifications => "verification plans",
            TableKind::CoordinatorLinks => "coordinator links",
            TableKind::HotlinePersons => "hotline persons",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TableKind::Enterprises => "enterprises",
            TableKind::Coordinators => "coordinators",
            TableKind::Items => "items",
            TableKind::Slots => "slots",
            TableKind::Bookings => "bookings",
            TableKind::Approvals => "approvals",
            TableKind::Calls => "calls",
            TableKind::Problems => "problems",
            TableKind::Verifications => "verifications",
            TableKind::CoordinatorLinks => "coordinator-links",
            TableKind::HotlinePersons => "hotline-persons",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
    /// An Excel workbook (Excel 2007 and later, WPS)
    Xlsx,
}

impl Format {
    /// From the file's extension; None when it says nothing.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(name = "gbk", alias = "gb2312", alias = "gb18030")]
    Gbk,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK",
        }
    }
}

/// One problem of an import: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(line: usize, field: &str, message: impl Into<String>) -> Problem {
        Problem {
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Every problem found in one file; nothing is written when there is any.
#[derive(Debug, Clone)]
pub struct Problems {
    pub file: String,
    pub list: Vec<Problem>,
}

impl Problems {
    /// `file:line: field: problem`, one per line, in line order.
    pub fn lines(&self) -> Vec<String> {
        self.list
            .iter()
            .map(|p| match p.line {
                0 => format!("{}: {}: {}", self.file, p.field, p.message),
                n => format!("{}:{n}: {}: {}", self.file, p.field, p.message),
            })
            .collect()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for Problems {}

/// One record of a file: the line it starts on and its values by column name. The names are
/// shared by every record of a file (a CSV file's header), so a record costs its values alone.
#[derive(Debug, Clone)]
pub struct Record {
    pub line: usize,
    names: std::sync::Arc<[String]>,
    /// The value of each of `names`, in their order.
    values: Vec<String>,
    /// Fields whose value could not be read (already reported).
    unreadable: Vec<String>,
}

impl Record {
    pub fn new(line: usize, values: HashMap<String, String>) -> Record {
        let (names, values): (Vec<String>, Vec<String>) = values.into_iter().unzip();
        Record::of_columns(line, names.into(), values)
    }

    /// A record of the values of `names`, in their order.
    fn of_columns(line: usize, names: std::sync::Arc<[String]>, values: Vec<String>) -> Record {
        debug_assert_eq!(names.len(), values.len());
        Record {
            line,
            names,
            values,
            unreadable: Vec::new(),
        }
    }

    fn get(&self, column: &str) -> Option<&str> {
        let i = self.names.iter().position(|n| n == column)?;
        self.values.get(i).map(String::as_str)
    }

    pub fn has(&self, column: &str) -> bool {
        self.get(column).is_some()
    }

    pub fn is_unreadable(&self, column: &str) -> bool {
        self.unreadable.iter().any(|c| c == column)
    }

    /// The value as given ("" when the column is absent or empty).
    pub fn raw(&self, column: &str) -> &str {
        self.get(column).unwrap_or("")
    }

    /// The value without surrounding whitespace, for codes, numbers, dates and enums.
    pub fn trimmed(&self, column: &str) -> &str {
        self.raw(column).trim()
    }
}

/// A file checked against the table's columns, whose records are read as they are needed.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    pub encoding: Encoding,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    /// Records already read (JSON, workbooks), with the problems of single records found while
    /// reading (unknown JSON keys): the import reports them with the rest.
    Held {
        records: Vec<Record>,
        problems: Vec<Problem>,
    },
    /// A CSV file, read again (and decoded) record by record each time the records are asked for.
    Csv {
        path: std::path::PathBuf,
        delimiter: u8,
        table: TableKind,
    },
}

/// A record, or the problem of a record that could not be read (a ragged row).
pub type Rows<'a> = Box<dyn Iterator<Item = Result<Record, Problem>> + 'a>;

impl Table {
    /// A table of records read whole, with the problems of single records found while reading.
    pub fn held(
        file: String,
        encoding: Encoding,
        records: Vec<Record>,
        problems: Vec<Problem>,
    ) -> Table {
        Table {
            file,
            encoding,
            body: Body::Held { records, problems },
        }
    }

    /// The records in file order, each read when it is reached.
    pub fn rows(&self) -> Result<Rows<'_>, Problems> {
        match &self.body {
            Body::Held { records, problems } => Ok(Box::new(
                problems
                    .iter()
                    .cloned()
                    .map(Err)
                    .chain(records.iter().cloned().map(Ok)),
            )),
            Body::Csv {
                path,
                delimiter,
                table,
            } => {
                let fail = |e: std::io::Error| Problems {
                    file: self.file.clone(),
                    list: vec![Problem::new(
                        0,
                        "file",
                        format!("cannot read the file: {e}"),
                    )],
                };
                let file = std::fs::File::open(path).map_err(fail)?;
                let text = source::decoded(Box::new(file), self.encoding).map_err(fail)?;
                csv_rows(text, *delimiter, *table).map_err(|list| Problems {
                    file: self.file.clone(),
                    list,
                })
            }
        }
    }
}

/// Reads `path` as `table`: settles the encoding, checks the header, makes sure there are
/// records. File-level problems (empty, undecodable, wrong columns) come back all at once. A
/// CSV file is read in blocks, never whole.
pub fn read_table(
    path: &Path,
    table: TableKind,
    format: Option<Format>,
    encoding: Option<Encoding>,
) -> Result<Table, Problems> {
    let file = path.display().to_string();
    let fail = |list: Vec<Problem>| Problems {
        file: file.clone(),
        list,
    };
    let unreadable = |e: std::io::Error| {
        fail(vec![Problem::new(
            0,
            "file",
            format!("cannot read the file: {e}"),
        )])
    };
    std::fs::File::open(path).map_err(unreadable)?;
    let format = match format.or_else(|| Format::from_path(path)) {
        Some(f) => f,
        None => {
            return Err(fail(vec![Problem::new(
                0,
                "file",
                "cannot tell CSV, JSON or a workbook by the file name: name it .csv, .json or .xlsx, or pass --format csv|json|xlsx",
            )]));
        }
    };
    if format == Format::Xlsx {
        if encoding.is_some() {
            return Err(fail(vec![Problem::new(
                0,
                "file",
                "--encoding applies to CSV and JSON files: a workbook carries its own",
            )]));
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        let read = xlsx::read(path, bytes, table)?;
        return Ok(Table::held(
            read.file,
            Encoding::Utf8,
            read.records,
            read.problems,
        ));
    }
    let expected = table.column_names().join(", ");
    let empty = || {
        fail(vec![Problem::new(
            1,
            "file",
            match format {
                Format::Csv => format!(
                    "the file is empty: expected a header line ({expected}) and at least one row"
                ),
                Format::Json => format!(
                    "the file is empty: expected a JSON array of objects with the keys {expected}"
                ),
                Format::Xlsx => "the workbook is empty".to_string(),
            },
        )])
    };
    if format == Format::Json {
        let bytes = std::fs::read(path).map_err(unreadable)?;
        let (text, encoding) = decode(&bytes, encoding).map_err(|p| fail(vec![p]))?;
        if text.trim().is_empty() {
            return Err(empty());
        }
        let (records, problems) = parse_json(&text, table).map_err(fail)?;
        if records.is_empty() && problems.is_empty() {
            return Err(no_records(&file, text.lines().count(), table));
        }
        return Ok(Table::held(file, encoding, records, problems));
    }
    let open =
        || -> std::io::Result<Box<dyn std::io::Read>> { Ok(Box::new(std::fs::File::open(path)?)) };
    let encoding = source::settle_encoding(&open, encoding)
        .map_err(unreadable)?
        .map_err(|p| fail(vec![p]))?;
    // The delimiter and the header, from the first line.
    let mut first = String::new();
    let mut lines = 0;
    {
        use std::io::BufRead;
        let mut r = std::io::BufReader::new(
            source::decoded(open().map_err(unreadable)?, encoding).map_err(unreadable)?,
        );
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).map_err(unreadable)? == 0 {
                break;
            }
            lines += 1;
            if !line.trim().is_empty() {
                first = line;
                break;
            }
        }
    }
    if first.trim().is_empty() {
        return Err(empty());
    }
    let first_line = first.trim_end_matches(['\r', '\n']);
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .filter(|d| first_line.bytes().any(|b| b == *d))
        .unwrap_or(b',');
    let t = Table {
        file: file.clone(),
        encoding,
        body: Body::Csv {
            path: path.to_path_buf(),
            delimiter,
            table,
        },
    };
    // At least one record, or a problem of one.
    if t.rows()?.next().is_none() {
        return Err(no_records(&file, lines, table));
    }
    Ok(t)
}

fn no_records(file: &str, lines: usize, table: TableKind) -> Problems {
    Problems {
        file: file.to_string(),
        list: vec![Problem::new(
            lines.max(1),
            "file",
            format!("no records to import: the file holds no {}", table.noun()),
        )],
    }
}

/// UTF-8 with or without BOM, else GBK when the bytes decode cleanly as GBK and the detector is
/// confident; `forced` skips the detection. The text of bytes in memory, as a CSV file's is
/// settled block by block.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> Result<(String, Encoding), Problem> {
    let open = || -> std::io::Result<Box<dyn std::io::Read + '_>> { Ok(Box::new(bytes)) };
    let encoding = source::settle_encoding(&open, forced)
        .map_err(|e| Problem::new(0, "file", format!("cannot read the file: {e}")))??;
    let mut text = String::with_capacity(bytes.len());
    std::io::Read::read_to_string(
        &mut source::decoded(Box::new(bytes), encoding)
            .map_err(|e| Problem::new(0, "file", format!("cannot read the file: {e}")))?,
        &mut text,
    )
    .map_err(|e| Problem::new(0, "file", format!("cannot read the file: {e}")))?;
    Ok((text, encoding))
}

/// Whether a character is at home in the text of a Chinese customs file: ASCII, CJK
/// ideographs, CJK and full-width punctuation, general punctuation (“”·…—), and letters with
/// accents in English names. What GBK bytes become when read as UTF-8 (³ţũó) is mostly Latin
/// letters with marks *without* any CJK around them: see `utf8_or_gbk`.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x2FFFF)
}

/// Checks a header against the table's columns: unknown, repeated and missing columns.
fn check_header(names: &[(String, usize)], table: TableKind) -> Vec<Problem> {
    let expected = table.column_names().join(", ");
    let mut problems = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (name, line) in names {
        if !table.columns().iter().any(|c| c.name == name) {
            problems.push(Problem::new(
                *line,
                "header",
                format!(
                    "unknown column '{}' for {} (expected: {expected})",
                    crate::text::inert(name),
                    table.name()
                ),
            ));
        } else if seen.insert(name, *line).is_some() {
            problems.push(Problem::new(
                *line,
                "header",
                format!("column '{name}' appears twice"),
            ));
        }
    }
    let present: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
    let line = names.first().map(|(_, l)| *l).unwrap_or(1);
    for c in table.columns().iter().filter(|c| c.required) {
        if !present.contains(&c.name) {
            problems.push(Problem::new(
                line,
                "header",
                format!(
                    "missing column '{}' for {} (expected: {expected})",
                    c.name,
                    table.name()
                ),
            ));
        }
    }
    problems
}

/// Records and the problems of single records; Err when the file as a whole is unusable.
type Parsed = Result<(Vec<Record>, Vec<Problem>), Vec<Problem>>;

/// The records of CSV text read from `text` (decoded), one at a time; Err when the header is
/// not the table's.
fn csv_rows<'a>(
    text: Box<dyn std::io::Read + 'a>,
    delimiter: u8,
    table: TableKind,
) -> Result<Rows<'a>, Vec<Problem>> {
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text)
        .into_records();
    let header = match rows.next() {
        None => return Err(vec![Problem::new(1, "file", "no header line")]),
        Some(Err(e)) => return Err(vec![csv_problem(&e, 1)]),
        Some(Ok(h)) => h,
    };
    let header_line = header.position().map(|p| p.line() as usize).unwrap_or(1);
    let names: std::sync::Arc<[String]> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let problems = check_header(
        &names
            .iter()
            .map(|n| (n.clone(), header_line))
            .collect::<Vec<_>>(),
        table,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut broken = false;
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if broken {
                return None;
            }
            let row = match rows.next()? {
                Ok(r) => r,
                Err(e) => {
                    // An unreadable file ends the reading; a malformed record does not.
                    broken = matches!(e.kind(), csv::ErrorKind::Io(_));
                    return Some(Err(csv_problem(&e, header_line)));
                }
            };
            let line = row.position().map(|p| p.line() as usize).unwrap_or(0);
            if row.iter().all(|v| v.trim().is_empty()) {
                continue; // blank lines, or a row of empty cells as spreadsheets leave them
            }
            if row.len() != names.len() {
                return Some(Err(Problem::new(
                    line,
                    "row",
                    format!(
                        "{} fields, but the header has {} ({})",
                        row.len(),
                        names.len(),
                        names.join(", ")
                    ),
                )));
            }
            // A value export protected from spreadsheets ('=…) comes back as it was.
            let values = row
                .iter()
                .map(|v| formula::restore(v).into_owned())
                .collect();
            return Some(Ok(Record::of_columns(line, names.clone(), values)));
        }
    })))
}

fn csv_problem(e: &csv::Error, fallback_line: usize) -> Problem {
    let line = e
        .position()
        .map(|p| p.line() as usize)
        .unwrap_or(fallback_line);
    Problem::new(line, "row", format!("unreadable CSV: {e}"))
}

fn parse_json(text: &str, table: TableKind) -> Parsed {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        vec![Problem::new(
            e.line().max(1),
            "json",
            format!("not valid JSON: {e}"),
        )]
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(vec![Problem::new(
            first_content_line(text),
            "json",
            "expected an array of objects ([{...}, {...}])",
        )]);
    };
    let starts = element_lines(text);
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(1);
        let serde_json::Value::Object(map) = item else {
            problems.push(Problem::new(
                line,
                "json",
                format!("element {} is not an object", i + 1),
            ));
            continue;
        };
        // Unknown keys are reported; missing ones are reported by the checks of the fields.
        for k in map.keys() {
            if !table.columns().iter().any(|c| c.name == k) {
                problems.push(Problem::new(
                    line,
                    "keys",
                    format!(
                        "unknown key '{}' for {} (expected: {})",
                        crate::text::inert(k),
                        table.name(),
                        table.column_names().join(", ")
                    ),
                ));
            }
        }
        let mut values = HashMap::new();
        let mut unreadable = Vec::new();
        for (k, v) in map {
            let s = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    problems.push(Problem::new(
                        line,
                        &k,
                        "a list or object is not allowed here: give a string, number or boolean",
                    ));
                    unreadable.push(k);
                    continue;
                }
            };
            values.insert(k, s);
        }
        let mut record = Record::new(line, values);
        record.unreadable = unreadable;
        records.push(record);
    }
    Ok((records, problems))
}

fn first_content_line(text: &str) -> usize {
    text.lines()
        .position(|l| !l.trim().is_empty())
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// The line on which each element of the top-level array starts (the text is valid JSON).
fn element_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expecting = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if depth == 1 && expecting && !c.is_whitespace() && c != ',' && c != ']' {
            out.push(line);
            expecting = false;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_elements_know_their_lines() {
        let text = "[\n  {\"a\": \"x,{\\\"\"},\n  {\"a\": [1, {\"b\": 2}]},\n\n  {}\n]";
        assert_eq!(element_lines(text), vec![2, 3, 5]);
    }

    #[test]
    fn utf8_bom_and_gbk_are_detected() {
        let (s, e) = decode(b"\xEF\xBB\xBFname\n", None).unwrap();
        assert_eq!((s.as_str(), e), ("name\n", Encoding::Utf8));
        let (bytes, _, _) = encoding_rs::GBK.encode("上海汽车\n");
        let (s, e) = decode(&bytes, None).unwrap();
        assert_eq!((s.as_str(), e), ("上海汽车\n", Encoding::Gbk));
        let err = decode(b"ok\n\xFF\xFF\xFF", None).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("neither UTF-8 nor GBK"), "{err:?}");
        assert!(decode(&bytes, Some(Encoding::Utf8)).is_err());
    }
}
