//! `aeo import` / `aeo export` / `aeo report day` with the real binary: the corpus of bad files
//! in tests/import_corpus (each with the errors it must produce, nothing written), valid GBK and
//! BOM files, round trips through CSV and JSON, and hostile names. Every test runs on each
//! backend (`each_backend`); what the database holds is read through the store.

use aeo_console::domain::ids::ChecksumStatus;
use aeo_console::store::testing::{Backend, TestDb, each_backend};
use aeo_console::store::{Access, Store};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-27T10:00:00+08:00";
/// Dependency order of an import into an empty database.
const ORDER: [&str; 11] = [
    "coordinators",
    "enterprises",
    "items",
    "slots",
    "bookings",
    "approvals",
    "calls",
    "problems",
    "verifications",
    "coordinator-links",
    "hotline-persons",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import_corpus")
}

fn aeo_in(dir: &Path, db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(args)
        .current_dir(dir)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", "tester")
        .output()
        .expect("aeo runs")
}

fn ok_in(dir: &Path, db: &Path, args: &[&str]) -> String {
    let out = aeo_in(dir, db, args);
    assert!(
        out.status.success(),
        "aeo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn open(db: &Path) -> Store {
    Store::open(db, Access::ReadOnly).unwrap()
}

/// Every table's rows and checksum, as `aeo copy` compares them: equal when nothing was
/// written.
fn digests(db: &Path) -> Vec<(&'static str, u64, String)> {
    open(db)
        .table_digests()
        .unwrap()
        .into_iter()
        .map(|t| (t.table, t.rows, t.checksum))
        .collect()
}

/// How many rows each table of the data holds (the audit trail and the database's own marks
/// left out: they tell how the data came, not what it is).
fn counts(db: &Path) -> Vec<(&'static str, u64)> {
    digests(db)
        .into_iter()
        .filter(|(t, ..)| !matches!(*t, "audit_log" | "aeo_meta"))
        .map(|(t, n, _)| (t, n))
        .collect()
}

/// What an export carries and an import brings back: the counts less the problems' notes,
/// which the export's columns leave out.
fn exported_counts(db: &Path) -> Vec<(&'static str, u64)> {
    let mut c = counts(db);
    c.retain(|(t, _)| *t != "problem_notes");
    c
}

fn rows(db: &Path, table: &str) -> u64 {
    counts(db)
        .into_iter()
        .find(|(t, _)| *t == table)
        .unwrap_or_else(|| panic!("no table {table}"))
        .1
}

/// A test database and a directory for the files of the test.
struct Db {
    db: TestDb,
    dir: tempfile::TempDir,
}

impl Db {
    fn path(&self) -> &Path {
        self.db.location()
    }
}

/// A new database on each backend.
fn fresh_dbs() -> Vec<Db> {
    each_backend()
        .into_iter()
        .map(|db| {
            eprintln!("on {:?}", db.backend);
            Db {
                db,
                dir: tempfile::tempdir().unwrap(),
            }
        })
        .collect()
}

/// The files of tests/import_corpus/base imported into an empty database.
fn fill_base(db: &Path) {
    let c = corpus();
    ok_in(&c, db, &["demo", "--empty"]);
    for t in ["coordinators", "enterprises", "slots"] {
        ok_in(&c, db, &["import", t, &format!("base/{t}.csv")]);
    }
}

/// On each backend, a fresh database holding the files of tests/import_corpus/base. The
/// SQLite file is built by the binary once per test process, then copied (every process that
/// writes names loads the pinyin dictionary, about a second of CPU in a test build).
fn base_dbs() -> Vec<Db> {
    static BASE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let mut dbs = fresh_dbs();
    for d in &mut dbs {
        match d.db.backend {
            Backend::Sqlite => {
                let bytes = BASE.get_or_init(|| {
                    let dir = tempfile::tempdir().unwrap();
                    let db = dir.path().join("aeo.db");
                    fill_base(&db);
                    assert!(
                        !dir.path().join("aeo.db-wal").exists(),
                        "the database is whole in one file once the last process closed it"
                    );
                    std::fs::read(&db).unwrap()
                });
                std::fs::write(d.path(), bytes).unwrap();
            }
            Backend::Postgres => fill_base(d.path()),
        }
    }
    dbs
}

#[derive(Deserialize)]
struct Expected {
    case: Vec<Case>,
    valid: Vec<Valid>,
}

#[derive(Deserialize)]
struct Case {
    file: String,
    table: String,
    #[serde(default)]
    args: Vec<String>,
    expect: Vec<String>,
}

#[derive(Deserialize)]
struct Valid {
    file: String,
    table: String,
    count: u64,
    names: Vec<String>,
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(corpus().join("expected.toml")).unwrap();
    toml::from_str(&text).expect("expected.toml parses")
}

#[test]
fn every_bad_file_of_the_corpus_gives_its_errors_and_writes_nothing() {
    let exp = expected();
    assert!(exp.case.len() >= 20, "the corpus has shrunk");
    for base in base_dbs() {
        bad_files_give_their_errors(&exp, base.path());
    }
}

/// Each bad file against one base database: refused, which leaves the database as it was for
/// the next.
fn bad_files_give_their_errors(exp: &Expected, db: &Path) {
    let before = digests(db);
    let mut failures = Vec::new();
    for case in &exp.case {
        let mut args = vec!["import", case.table.as_str(), case.file.as_str()];
        args.extend(case.args.iter().map(String::as_str));
        let out = aeo_in(&corpus(), db, &args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if out.status.success() {
            failures.push(format!(
                "{}: succeeded; stdout {}",
                case.file,
                String::from_utf8_lossy(&out.stdout)
            ));
            continue;
        }
        for frag in &case.expect {
            if !err.contains(frag.as_str()) {
                failures.push(format!("{}: missing {frag:?} in:\n{err}", case.file));
            }
        }
        if !err.contains("nothing was written") {
            failures.push(format!(
                "{}: does not say nothing was written:\n{err}",
                case.file
            ));
        }
        assert!(!err.contains("panicked"), "{}: {err}", case.file);
        assert_eq!(digests(db), before, "{}: the database changed", case.file);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn gbk_and_bom_files_import() {
    for v in expected().valid {
        for base in base_dbs() {
            let db = base.path();
            let before = rows(db, "enterprises");
            let out = ok_in(&corpus(), db, &["import", &v.table, &v.file]);
            assert!(
                out.contains(&format!("imported {} enterprises from {}", v.count, v.file)),
                "{out}"
            );
            assert_eq!(rows(db, "enterprises"), before + v.count);
            let store = open(db);
            for name in &v.names {
                // Found by its exact name, which names one enterprise only.
                let e = store.resolve_enterprise(name);
                assert!(
                    e.is_ok_and(|e| &e.name_zh == name),
                    "{}: {name} not stored as text",
                    v.file
                );
            }
        }
    }
}

#[test]
fn the_gbk_file_really_is_gbk_and_the_bom_file_has_a_bom() {
    let gbk = std::fs::read(corpus().join("gbk_enterprises.csv")).unwrap();
    assert!(std::str::from_utf8(&gbk).is_err());
    let bom = std::fs::read(corpus().join("bom_enterprises.csv")).unwrap();
    assert!(bom.starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn accept_bad_checksum_imports_the_code_marked() {
    for base in base_dbs() {
        accept_bad_checksum(base.path());
    }
}

fn accept_bad_checksum(db: &Path) {
    let out = ok_in(
        &corpus(),
        db,
        &[
            "import",
            "enterprises",
            "bad_checksum.csv",
            "--accept-bad-checksum",
        ],
    );
    assert!(out.contains("fails its check"), "{out}");
    assert!(out.contains("bad_check_char"), "{out}");
    assert!(out.contains("imported 1 enterprises"), "{out}");
    let e = open(db).resolve_enterprise("913101151322602509").unwrap();
    assert_eq!(e.uscc_status, ChecksumStatus::BadCheckChar);
}

#[test]
fn a_dry_run_checks_everything_and_writes_nothing() {
    for base in base_dbs() {
        dry_run_writes_nothing(base.path());
    }
}

fn dry_run_writes_nothing(db: &Path) {
    let before = digests(db);
    let out = ok_in(
        &corpus(),
        db,
        &["import", "enterprises", "gbk_enterprises.csv", "--dry-run"],
    );
    assert!(out.contains("dry run: 2 enterprises"), "{out}");
    assert!(out.contains("GBK"), "{out}");
    assert_eq!(digests(db), before);
    // A dry run of a bad file reports like the real thing.
    let out = aeo_in(
        &corpus(),
        db,
        &["import", "slots", "duplicate_slot.csv", "--dry-run"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate_slot.csv:3: start:"));
    assert_eq!(digests(db), before);
}

#[test]
fn a_booking_file_applies_the_rules_and_rolls_back_as_a_whole() {
    for base in base_dbs() {
        booking_file_rolls_back_as_a_whole(base.dir.path(), base.path());
    }
}

fn booking_file_rolls_back_as_a_whole(dir: &Path, db: &Path) {
    // Line 2 is fine (AEO on a Saturday, "5+2"), line 3 is refused: neither lands.
    let file = dir.join("b.csv");
    std::fs::write(
        &file,
        "office_code,date,start,enterprise,goods,location,reason\n\
         2248,2026-11-28,09:00,91310000132260250X,汽车零部件,factory,dust\n\
         2248,2026-11-28,09:00,4403960002,服务器,in_zone,\n",
    )
    .unwrap();
    let out = aeo_in(dir, db, &["import", "bookings", "b.csv"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("b.csv:3: date: booking refused"));
    assert_eq!(rows(db, "bookings"), 0);
    // Without the refused line it imports, booked by the operator at the clock's time.
    std::fs::write(
        &file,
        "office_code,date,start,enterprise,goods,location,reason\n\
         2248,2026-11-28,09:00,91310000132260250X,汽车零部件,factory,dust\n",
    )
    .unwrap();
    let out = ok_in(dir, db, &["import", "bookings", "b.csv"]);
    assert!(out.contains("imported 1 bookings"), "{out}");
    let csv = ok_in(dir, db, &["export", "bookings"]);
    assert!(
        csv.contains("2248,2026-11-28,09:00,91310000132260250X,汽车零部件,factory,dust,booked,2026-11-27T10:00:00+08:00,tester"),
        "{csv}"
    );
}

fn export_all(dir: &Path, db: &Path, format: &str) -> Vec<(String, String)> {
    ORDER
        .iter()
        .map(|t| {
            let name = format!("{t}.{format}");
            ok_in(
                dir,
                db,
                &["export", t, "--format", format, "--output", &name],
            );
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

/// On each backend: the demo database and an empty one beside it.
fn demo_and_fresh() -> Vec<(Db, TestDb)> {
    fresh_dbs()
        .into_iter()
        .map(|d| {
            ok_in(d.dir.path(), d.path(), &["demo", "--seed", "7"]);
            let fresh = TestDb::new(d.db.backend).unwrap();
            ok_in(d.dir.path(), fresh.location(), &["demo", "--empty"]);
            (d, fresh)
        })
        .collect()
}

fn round_trip(format: &str) {
    for (d, fresh) in demo_and_fresh() {
        round_trip_on(d.dir.path(), d.path(), fresh.location(), format);
    }
}

fn round_trip_on(dir: &Path, demo: &Path, fresh: &Path, format: &str) {
    let first = export_all(dir, demo, format);
    for (t, (name, _)) in ORDER.iter().zip(&first) {
        let out = ok_in(dir, fresh, &["import", t, name]);
        assert!(out.starts_with("imported "), "{out}");
    }
    let again_dir = dir.join("again");
    std::fs::create_dir(&again_dir).unwrap();
    let second = export_all(&again_dir, fresh, format);
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a.lines().count() > 2, "{name} is nearly empty");
        assert_eq!(a, b, "{name} differs after a round trip");
    }
    assert_eq!(exported_counts(demo), exported_counts(fresh));
}

#[test]
fn csv_round_trip_demo_to_fresh_database_is_identical() {
    round_trip("csv");
}

#[test]
fn json_round_trip_demo_to_fresh_database_is_identical() {
    round_trip("json");
}

/// Export every table as a workbook from the demo, import the workbooks into a fresh
/// database, and the two databases export the same CSV; the workbooks hold typed cells.
#[test]
fn xlsx_round_trip_demo_to_fresh_database_is_identical() {
    for (d, fresh) in demo_and_fresh() {
        xlsx_round_trip(d.dir.path(), d.path(), fresh.location());
    }
}

fn xlsx_round_trip(dir: &Path, demo: &Path, fresh: &Path) {
    use calamine::{Data, Reader, Xlsx};
    for t in ORDER {
        let name = format!("{t}.xlsx");
        ok_in(dir, demo, &["export", t, "--format", "xlsx", "-o", &name]);
        let out = ok_in(dir, fresh, &["import", t, &name]);
        assert!(out.starts_with("imported "), "{out}");
    }
    let before = export_all(dir, demo, "csv");
    let again = dir.join("again");
    std::fs::create_dir(&again).unwrap();
    let after = export_all(&again, fresh, "csv");
    for ((name, a), (_, b)) in before.iter().zip(&after) {
        assert!(a.lines().count() > 2, "{name} is nearly empty");
        assert_eq!(a, b, "{name} differs after a round trip through xlsx");
    }
    assert_eq!(exported_counts(demo), exported_counts(fresh));

    // What a spreadsheet sees: a date cell, a date-time cell, a number, a yes/no, text codes.
    let mut book: Xlsx<_> = calamine::open_workbook(dir.join("slots.xlsx")).unwrap();
    let slots = book.worksheet_range("slots").unwrap();
    assert_eq!(slots.get((0, 1)), Some(&Data::String("date".into())));
    assert!(
        matches!(slots.get((1, 1)), Some(Data::DateTime(_))),
        "{:?}",
        slots.get((1, 1))
    );
    assert!(
        matches!(slots.get((1, 4)), Some(Data::Float(_))),
        "{:?}",
        slots.get((1, 4))
    );
    assert!(
        matches!(slots.get((1, 0)), Some(Data::String(_))),
        "office codes stay text"
    );
    let mut book: Xlsx<_> = calamine::open_workbook(dir.join("items.xlsx")).unwrap();
    let items = book.worksheet_range("items").unwrap();
    assert!(matches!(items.get((1, 3)), Some(Data::DateTime(d)) if d.as_f64().fract() != 0.0));
    assert!(
        matches!(items.get((1, 6)), Some(Data::Bool(_))),
        "{:?}",
        items.get((1, 6))
    );
}

/// A bad workbook is refused as `file:sheet:row: field: problem`, and nothing is written.
#[test]
fn a_bad_workbook_names_file_sheet_row_and_field() {
    for base in base_dbs() {
        bad_workbook(base.dir.path(), base.path());
    }
}

fn bad_workbook(dir: &Path, db: &Path) {
    let before = digests(db);
    ok_in(
        dir,
        db,
        &["export", "slots", "--format", "xlsx", "-o", "s.xlsx"],
    );
    // A workbook as a person would make it: a sheet of their own, a wrong capacity, a bad date.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("我的时段").unwrap();
    for (c, h) in ["office_code", "date", "start", "end", "capacity"]
        .iter()
        .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "2248").unwrap();
    ws.write_string(3, 1, "2026-02-30").unwrap();
    ws.write_string(3, 2, "09:00").unwrap();
    ws.write_string(3, 3, "10:00").unwrap();
    ws.write_number(3, 4, 2.0).unwrap();
    ws.write_number(4, 0, 2248.0).unwrap();
    ws.write_datetime_with_format(
        4,
        1,
        rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 12, 1).unwrap(),
        &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
    )
    .unwrap();
    ws.write_datetime_with_format(
        4,
        2,
        rust_xlsxwriter::ExcelDateTime::from_hms(9, 30, 0).unwrap(),
        &rust_xlsxwriter::Format::new().set_num_format("hh:mm"),
    )
    .unwrap();
    ws.write_string(4, 3, "11:00").unwrap();
    ws.write_string(4, 4, "many").unwrap();
    book.save(dir.join("mine.xlsx")).unwrap();
    let out = aeo_in(dir, db, &["import", "slots", "mine.xlsx"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mine.xlsx:我的时段:4: date: '2026-02-30' is not a real date"),
        "{err}"
    );
    assert!(err.contains("mine.xlsx:我的时段:5: capacity:"), "{err}");
    assert!(
        !err.contains(":5: date") && !err.contains(":5: start"),
        "typed cells read: {err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(digests(db), before);
    let out = aeo_in(dir, db, &["import", "slots", "s.xlsx", "--encoding", "gbk"]);
    assert!(!out.status.success());
}

#[test]
fn hostile_names_are_data_and_print_inert() {
    for base in base_dbs() {
        hostile_names(base.dir.path(), base.path());
    }
}

fn hostile_names(dir: &Path, db: &Path) {
    let hostile = "恶意\u{1b}[2J\u{1b}]0;pwned\u{7}公司";
    let long = "长".repeat(5000);
    let mut w = csv::Writer::from_path(dir.join("h.csv")).unwrap();
    w.write_record(["uscc", "customs_code", "name_zh", "name_en", "credit"])
        .unwrap();
    w.write_record([
        "91310115132260250T",
        "3105910051",
        hostile,
        "Evil\r\nCo",
        "advanced",
    ])
    .unwrap();
    w.write_record(["9131011571526726XT", "3105910052", &long, "", "regular"])
        .unwrap();
    w.flush().unwrap();
    drop(w);
    ok_in(dir, db, &["import", "enterprises", "h.csv"]);
    let store = open(db);
    let e = store.resolve_enterprise("91310115132260250T").unwrap();
    assert_eq!(
        (e.name_zh.as_str(), e.name_en.as_deref()),
        (hostile, Some("Evil\r\nCo"))
    );
    let e = store.resolve_enterprise("9131011571526726XT").unwrap();
    assert_eq!(e.name_zh, long);
    drop(store);

    // Exported as data: the bytes come back as they went in, and import again.
    let csv = ok_in(dir, db, &["export", "enterprises"]);
    assert!(csv.contains(hostile));
    let json = ok_in(dir, db, &["export", "enterprises", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .any(|e| e["name_zh"] == hostile)
    );

    // Shown inert: a booking of the hostile enterprise in the day report, and errors naming it.
    std::fs::write(
        dir.join("b.csv"),
        "office_code,date,start,enterprise,goods\n2248,2026-11-28,09:00,91310115132260250T,\"x\u{1b}[31mred\"\n",
    )
    .unwrap();
    ok_in(dir, db, &["import", "bookings", "b.csv"]);
    let report = ok_in(dir, db, &["report", "day", "2026-11-28"]);
    assert!(
        !report.contains('\u{1b}') && !report.contains('\u{7}'),
        "{report:?}"
    );
    assert!(report.contains("恶意\\u{1b}[2J"), "{report}");
    std::fs::write(
        dir.join("bad.csv"),
        "kind,enterprise,received_at\nlab_test,\u{1b}[2Jnobody,2026-11-27 09:00\n",
    )
    .unwrap();
    let out = aeo_in(dir, db, &["import", "items", "bad.csv"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn the_day_report_counts_and_flags() {
    for d in fresh_dbs() {
        day_report_counts_and_flags(d.dir.path(), d.path());
    }
}

fn day_report_counts_and_flags(dir: &Path, db: &Path) {
    ok_in(dir, db, &["demo", "--seed", "7"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok_in(dir, db, &["report", "day", "2026-11-26", "--json"])).unwrap();
    assert_eq!(v["calendar"]["status"], "working");
    let slots = v["slots"].as_array().unwrap();
    assert!(!slots.is_empty());
    let n: usize = slots
        .iter()
        .map(|s| s["bookings"].as_array().unwrap().len())
        .sum();
    let c = &v["counts"];
    let total: u64 = ["booked", "done", "abnormal", "cancelled"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum();
    assert_eq!(n as u64, total);
    assert_eq!(v["still_open"], c["booked"]);
    assert_eq!(v["cleared"], c["booked"] == 0);
    assert_eq!(
        v["abnormal"].as_array().unwrap().len() as u64,
        c["abnormal"].as_u64().unwrap()
    );
    let text = ok_in(dir, db, &["report", "day", "2026-11-26"]);
    assert!(text.contains("当日清 2026-11-26"), "{text}");
    assert!(text.contains("cleared:"), "{text}");

    // A Saturday, a holiday, and a year without calendar data.
    let sat: serde_json::Value =
        serde_json::from_str(&ok_in(dir, db, &["report", "day", "2026-11-28", "--json"])).unwrap();
    assert_eq!(sat["calendar"]["status"], "weekend");
    let hol: serde_json::Value =
        serde_json::from_str(&ok_in(dir, db, &["report", "day", "2026-10-01", "--json"])).unwrap();
    assert_eq!(hol["calendar"]["status"], "holiday");
    let text = ok_in(dir, db, &["report", "day", "2027-03-01"]);
    assert!(text.contains("no official calendar for 2027"), "{text}");
    let out = aeo_in(dir, db, &["report", "day", "2026-02-30"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("February 2026 has 28 days"));
}

/// A large import writes in short batches: another operator's bookings go through while it
/// runs (how long each waited is a figure of the benchmark), and the import lands whole.
#[test]
fn bookings_go_through_while_a_large_import_writes() {
    for base in base_dbs() {
        // PostgreSQL writes an item in more round trips than SQLite: a smaller file overlaps
        // as long.
        let items = match base.db.backend {
            Backend::Sqlite => 30_000,
            Backend::Postgres => 3_000,
        };
        bookings_go_through(base.dir.path(), base.path(), items);
    }
}

fn bookings_go_through(d: &Path, db: &Path, items: usize) {
    std::fs::write(
        d.join("slot.csv"),
        "office_code,date,start,end,capacity\n2210,2026-12-01,09:00,11:00,1000\n",
    )
    .unwrap();
    ok_in(d, db, &["import", "slots", "slot.csv"]);
    let day = "2026-12-01".parse().unwrap();
    let slot_of_day = || {
        let slots = open(db).slots_between(day, day).unwrap();
        assert_eq!(slots.len(), 1, "{slots:?}");
        slots[0].clone()
    };
    let slot = slot_of_day().id;
    let mut csv = String::from("kind,enterprise,declaration_no,received_at\n");
    for i in 0..items {
        csv.push_str(&format!(
            "declaration,91310000132260250X,221020260{i:09},2026-11-26T09:00:00+08:00\n"
        ));
    }
    std::fs::write(d.join("items.csv"), csv).unwrap();
    let mut import = Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(["import", "items", "items.csv"])
        .current_dir(d)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", "importer")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (mut booked, mut during) = (0, 0);
    loop {
        let running = import.try_wait().unwrap().is_none();
        let out = aeo_in(
            d,
            db,
            &[
                "book",
                "--slot",
                &slot.to_string(),
                "--enterprise",
                "91310000132260250X",
                "--goods",
                &format!("货物{booked}"),
            ],
        );
        assert!(
            out.status.success(),
            "a booking during the import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        booked += 1;
        let still = import.try_wait().unwrap().is_none();
        if running && still {
            during += 1;
        }
        if !still {
            break;
        }
    }
    let out = import.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("imported {items} queue items")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        during >= 1,
        "no booking was made while the import ran: the file is too small to overlap"
    );
    assert_eq!(rows(db, "work_items"), items as u64);
    assert_eq!(slot_of_day().taken, booked);
}
