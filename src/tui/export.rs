//! The pane's view to a file (`Ctrl-S` or `:export FILE`): every row the pane's filter selects,
//! not only those on screen, in the operator's language, as a workbook (`.xlsx`) or as CSV that
//! Excel and WPS open by a double click (`.csv`: UTF-8 with a byte-order mark). Written by the
//! same writer as `aeo export` (never the database, never over a file without a yes, whole or
//! not at all).

use crate::calendar::WorkingCalendar;
use crate::domain::measures::MeasureCatalog;
use crate::store::Store;
use crate::store::{Found, ListFilter};
use crate::text::Lang;
use crate::transfer::export::{Cell, OutEncoding, encode};
use crate::transfer::{output, report, xlsx};
use anyhow::Result;
use jiff::Timestamp;
use jiff::civil::Date;
use std::path::Path;

/// A pane's view as a table.
pub struct ViewTable {
    /// The sheet's name, and the stem of the suggested file name.
    pub name: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn pick(lang: Lang, pairs: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    pairs.iter().map(|(zh, en)| lang.pick(zh, en)).collect()
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: Option<String>) -> Cell {
    s.map(Cell::Text).unwrap_or(Cell::Empty)
}

/// The queue under its filter and narrowing, in queue order.
pub fn queue(store: &Store, filter: &ListFilter<'_>, lang: Lang) -> Result<ViewTable> {
    let n = store.queue_filtered_len(filter)?.max(0) as usize;
    let rows = store.queue_filtered(filter, n.max(1), 0)?;
    Ok(ViewTable {
        name: "queue".into(),
        header: pick(
            lang,
            &[
                ("编号", "id"),
                ("企业", "enterprise"),
                ("信用等级", "credit"),
                ("类型", "kind"),
                ("措施", "measure"),
                ("报关单号", "declaration"),
                ("到达", "received"),
                ("时限", "due"),
                ("状态", "status"),
                ("标记", "flags"),
                ("经办", "taken by"),
            ],
        ),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Number(r.id),
                    text(r.enterprise),
                    text(r.credit.name(lang)),
                    text(r.kind.name(lang)),
                    Cell::Number(r.measure.into()),
                    opt(r.declaration_no),
                    Cell::Instant(r.received_at),
                    r.due_at.map(Cell::Instant).unwrap_or(Cell::Empty),
                    text(r.status.name(lang)),
                    text(r.flags.labels(lang).join(" ")),
                    opt(r.taken_by),
                ]
            })
            .collect(),
    })
}

/// The open approvals under the pane's filter and narrowing, in its order, with their due times.
pub fn approvals(
    store: &Store,
    filter: &ListFilter<'_>,
    now: Timestamp,
    lang: Lang,
) -> Result<ViewTable> {
    let n = store.approvals_filtered_len(filter)?;
    let rows = store.approvals_filtered(filter, n.max(1), 0)?;
    let cal = WorkingCalendar::official();
    let cat = MeasureCatalog::official();
    Ok(ViewTable {
        name: "approvals".into(),
        header: pick(
            lang,
            &[
                ("编号", "id"),
                ("类型", "kind"),
                ("企业", "enterprise"),
                ("信用等级", "credit"),
                ("受理号", "reference"),
                ("受理时间", "accepted"),
                ("期限", "due"),
                ("暂停中", "paused"),
            ],
        ),
        rows: rows
            .into_iter()
            .map(|r| {
                let due = r.countdown(cal, cat, now).due;
                vec![
                    Cell::Number(r.id),
                    text(r.kind.name(lang)),
                    text(r.enterprise.clone()),
                    text(r.credit.name(lang)),
                    text(r.reference.clone()),
                    Cell::Instant(r.accepted_at),
                    due.map(Cell::Instant).unwrap_or(Cell::Empty),
                    Cell::Bool(r.pauses.iter().any(|p| p.ended_at.is_none())),
                ]
            })
            .collect(),
    })
}

/// The enterprises the lookup found, as listed.
pub fn lookup(hits: &[Found], lang: Lang) -> ViewTable {
    ViewTable {
        name: "lookup".into(),
        header: pick(
            lang,
            &[
                ("编号", "id"),
                ("企业", "enterprise"),
                ("信用等级", "credit"),
                ("统一社会信用代码", "USCC"),
                ("海关编码", "customs code"),
                ("协调员", "coordinator"),
                ("协调员电话", "coordinator phone"),
                ("匹配", "matched"),
            ],
        ),
        rows: hits
            .iter()
            .map(|f| {
                let e = &f.hit.enterprise;
                let c = f.hit.coordinator.as_ref();
                vec![
                    Cell::Number(e.id),
                    text(e.name_zh.clone()),
                    text(e.credit.name(lang)),
                    text(e.uscc.clone()),
                    text(e.customs_code.clone()),
                    opt(c.map(|c| c.name.clone())),
                    opt(c.map(|c| c.phone.clone())),
                    text(crate::present::why_text(&f.why, lang)),
                ]
            })
            .collect(),
    }
}

/// The selected day of the calendar: its slots and bookings, as `aeo report day` lists them.
pub fn day(store: &Store, date: Date, lang: Lang) -> Result<ViewTable> {
    let r = report::day_report(store, date, WorkingCalendar::official())?;
    let (header, rows) = report::sheet(&r, lang);
    Ok(ViewTable {
        name: format!("{}-{date}", lang.pick("当日清", "day")),
        header,
        rows,
    })
}

/// The Today pane's sections as one table, a line per entry it lists: the section, the record,
/// the enterprise, the time that matters (due, callback by, opened, inspection start).
pub fn today(pane: &super::panes::TodayPane, now: Timestamp, lang: Lang) -> ViewTable {
    let cal = WorkingCalendar::official();
    let cat = MeasureCatalog::official();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut line = |section: (&str, &str),
                    id: i64,
                    what: String,
                    who: String,
                    at: Option<Timestamp>,
                    note: String| {
        rows.push(vec![
            text(lang.pick(section.0, section.1)),
            Cell::Number(id),
            text(what),
            text(who),
            at.map(Cell::Instant).unwrap_or(Cell::Empty),
            text(note),
        ]);
    };
    if let Some(d) = &pane.data {
        for a in &d.approvals {
            let c = a.countdown(cal, cat, now);
            line(
                ("审批", "approval"),
                a.id,
                format!("{} {}", a.reference, a.kind.name(lang)),
                a.enterprise.clone(),
                c.due,
                crate::present::countdown(&c, lang),
            );
        }
        for c in &d.callbacks {
            line(
                ("回电", "callback"),
                c.id,
                c.question.clone(),
                c.enterprise
                    .clone()
                    .or(c.caller_name.clone())
                    .unwrap_or_default(),
                c.callback_by,
                c.caller_phone.clone().unwrap_or_default(),
            );
        }
        for (i, clock) in &pane.late_problems {
            let Some(r) = d.problems.get(*i) else {
                continue;
            };
            line(
                ("超时限的问题", "problem past target"),
                r.problem.id,
                r.problem.title.clone(),
                r.enterprise.clone(),
                Some(r.problem.opened_at),
                format!(
                    "{}{} · {}",
                    clock.age_working_days,
                    lang.pick(" 个工作日", " working days"),
                    r.coordinator.clone().unwrap_or_default()
                ),
            );
        }
        for r in &d.abnormal_items {
            line(
                ("异常事项", "abnormal item"),
                r.id,
                r.kind.name(lang).to_string(),
                r.enterprise.clone(),
                r.due_at,
                r.status.name(lang).to_string(),
            );
        }
        for b in &d.abnormal_bookings {
            let start = crate::calendar::shanghai_instant(b.date.to_datetime(b.start));
            line(
                ("异常查验", "abnormal inspection"),
                b.id,
                b.goods.clone(),
                b.enterprise.clone(),
                Some(start),
                b.office_code.clone(),
            );
        }
        for r in &d.taken {
            line(
                ("我领取的事项", "my taken item"),
                r.id,
                r.kind.name(lang).to_string(),
                r.enterprise.clone(),
                r.due_at,
                r.status.name(lang).to_string(),
            );
        }
    }
    ViewTable {
        name: "today".into(),
        header: pick(
            lang,
            &[
                ("分类", "section"),
                ("编号", "id"),
                ("事项", "what"),
                ("企业", "enterprise"),
                ("时间", "time"),
                ("说明", "note"),
            ],
        ),
        rows,
    }
}

/// How the file is written, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Xlsx,
    Csv,
}

impl FileKind {
    pub fn of(path: &Path) -> Option<FileKind> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }
}

/// Writes the table to `path` (refused onto the database's files; over an existing file only
/// with `force`); returns the number of rows.
pub fn write(
    table: &ViewTable,
    kind: FileKind,
    path: &Path,
    database: &Path,
    force: bool,
) -> Result<usize> {
    let bytes = match kind {
        FileKind::Xlsx => xlsx::workbook(&[xlsx::Sheet {
            name: &table.name,
            header: &table.header,
            rows: &table.rows,
        }])?,
        FileKind::Csv => {
            let rows: Vec<Vec<String>> = table
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::text).collect())
                .collect();
            let mut w = csv::Writer::from_writer(Vec::new());
            use crate::transfer::formula::neutralise;
            w.write_record(table.header.iter().map(|h| neutralise(h).into_owned()))?;
            for r in &rows {
                w.write_record(r.iter().map(|c| neutralise(c).into_owned()))?;
            }
            encode(w.into_inner()?, OutEncoding::Utf8Bom)?
        }
    };
    output::write_file(path, database, force, |out| Ok(out.write_all(&bytes)?))?;
    Ok(table.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_is_written_whole_and_an_existing_file_only_when_forced() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("aeo.db");
        std::fs::write(&db, "database").unwrap();
        let table = ViewTable {
            name: "queue".into(),
            header: vec!["编号", "企业"],
            rows: vec![
                vec![Cell::Number(7), text("=上海汽车")],
                vec![Cell::Number(8), Cell::Empty],
            ],
        };
        let csv = dir.path().join("q.csv");
        assert_eq!(write(&table, FileKind::Csv, &csv, &db, false).unwrap(), 2);
        let bytes = std::fs::read(&csv).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}编号,企业\n7,'=上海汽车\n8,\n",
            "BOM for Excel, formulas neutralised"
        );
        let e = write(&table, FileKind::Csv, &csv, &db, false).unwrap_err();
        assert!(
            e.to_string().contains("--force") || e.to_string().contains("已存在"),
            "{e}"
        );
        write(&table, FileKind::Xlsx, &csv, &db, true).unwrap();
        assert!(
            std::fs::read(&csv).unwrap().starts_with(b"PK"),
            "replaced when forced"
        );
        assert!(write(&table, FileKind::Csv, &db, &db, true).is_err());
        assert_eq!(std::fs::read_to_string(&db).unwrap(), "database");
        assert_eq!(FileKind::of(Path::new("a.XLSX")), Some(FileKind::Xlsx));
        assert_eq!(FileKind::of(Path::new("a.txt")), None);
    }
}
