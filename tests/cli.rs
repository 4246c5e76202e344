//! The real `aeo` binary on temporary databases: what a user at a shell sees. The tests that
//! use a database run on each backend `each_backend` gives (SQLite, and PostgreSQL when
//! `AEO_TEST_PG` names a server); a failure says which.

use aeo_console::store::db::Db;
use aeo_console::store::testing::{Backend, TestDb, each_backend};
use serde_json::Value;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn aeo(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(args)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", "tester")
        .env_remove("AEO_OFFICE_HOURS")
        .output()
        .expect("aeo runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = aeo(db, args);
    assert!(
        out.status.success(),
        "aeo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn fails(db: &Path, args: &[&str]) -> String {
    let out = aeo(db, args);
    assert!(!out.status.success(), "aeo {args:?} should have failed");
    let err = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line of error: {err}"
    );
    err
}

fn json(db: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(db, args)).expect("valid JSON")
}

/// A database holding the demo (seed 7), on one backend.
struct Demo {
    /// What `AEO_DB` takes: the SQLite file or the PostgreSQL URL.
    db: PathBuf,
    /// A directory for the files a test writes to import.
    dir: tempfile::TempDir,
    test_db: TestDb,
}

impl Demo {
    /// A plain connection, to look at what the binary wrote.
    fn raw(&self) -> Db {
        self.test_db.raw()
    }
}

fn demo(test_db: TestDb) -> Demo {
    ok(test_db.location(), &["demo", "--seed", "7"]);
    Demo {
        db: test_db.location().to_path_buf(),
        dir: tempfile::tempdir().unwrap(),
        test_db,
    }
}

/// Runs `test`, a failure in it naming the backend it ran on.
fn on(backend: Backend, test: impl FnOnce()) {
    if let Err(e) = panic::catch_unwind(AssertUnwindSafe(test)) {
        let why = e
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| e.downcast_ref::<&str>().copied())
            .unwrap_or("a panic");
        panic!("on {backend:?}: {why}");
    }
}

/// Runs `test` on a new database of each backend.
fn on_each_backend(test: impl Fn(&TestDb)) {
    for t in each_backend() {
        on(t.backend, || test(&t));
    }
}

/// Runs `test` on the demo of each backend.
fn on_each_demo(test: impl Fn(&Demo)) {
    for t in each_backend() {
        on(t.backend, || test(&demo(t)));
    }
}

/// The demo on SQLite, for the tests about SQLite itself.
fn sqlite_demo() -> Demo {
    demo(TestDb::new(Backend::Sqlite).expect("a SQLite database"))
}

fn count(db: &Db, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table}"), (), |r| r.get(0))
        .unwrap()
}

#[test]
fn the_demo_fills_every_table_and_refuses_to_fill_twice() {
    on_each_demo(|d| {
        assert!(count(&d.raw(), "enterprises") >= 300);
        for t in [
            "coordinators",
            "work_items",
            "inspection_slots",
            "bookings",
            "approvals",
            "problems",
            "verifications",
        ] {
            assert!(count(&d.raw(), t) > 0, "{t} is empty");
        }
        let before = count(&d.raw(), "enterprises");
        let err = fails(&d.db, &["demo"]);
        assert!(err.contains("already holds data"), "{err}");
        assert_eq!(count(&d.raw(), "enterprises"), before);
    });
}

#[test]
fn a_small_demo_of_twenty_enterprises_is_built_through_the_rules() {
    on_each_backend(|t| {
        ok(
            t.location(),
            &["demo", "--enterprises", "20", "--items", "20"],
        );
        let db = t.raw();
        assert!(count(&db, "enterprises") >= 20);
        assert!(
            count(&db, "verifications") > 0,
            "verification plans are part of any demo"
        );
    });
}

#[test]
fn the_demo_is_deterministic_for_a_seed() {
    for (a, b) in each_backend().into_iter().zip(each_backend()) {
        on(a.backend, || {
            let (a, b) = (demo(a), demo(b));
            assert_eq!(
                ok(&a.db, &["queue", "--json", "--limit", "100"]),
                ok(&b.db, &["queue", "--json", "--limit", "100"])
            );
        });
    }
}

#[test]
fn the_demo_has_weekend_bookings_by_aeo_enterprises_only() {
    on_each_demo(|d| {
        let conn = d.raw();
        let mut stmt = conn
        .prepare("SELECT s.date, e.credit FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id JOIN enterprises e ON e.id = b.enterprise_id WHERE b.status <> 'cancelled'")
        .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let cal = aeo_console::calendar::WorkingCalendar::official();
        let mut weekend = 0;
        for (date, credit) in rows {
            let day = cal.day(date.parse().unwrap());
            if !day.working {
                weekend += 1;
                assert!(
                    matches!(credit.as_str(), "advanced" | "certified"),
                    "{date} booked by {credit}"
                );
            }
        }
        assert!(weekend > 0, "no bookings on days off");
    });
}

#[test]
fn the_queue_puts_abnormal_work_first_then_aeo_then_urgent_then_deadlines_then_arrival() {
    use aeo_console::domain::queue::{QueueKey, queue_order};
    on_each_demo(|d| {
        let rows = json(&d.db, &["queue", "--json", "--limit", "400"]);
        let keys: Vec<QueueKey> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| QueueKey {
                abnormal: r["status"] == "abnormal",
                urgent: r["flags"]["urgent"].as_bool().unwrap(),
                aeo: r["aeo"].as_bool().unwrap(),
                due: r["due_at"].as_str().map(|s| s.parse().unwrap()),
                received_at: r["received_at"].as_str().unwrap().parse().unwrap(),
                id: r["id"].as_i64().unwrap(),
            })
            .collect();
        assert!(keys.len() > 100);
        assert!(
            keys.iter().any(|k| !k.aeo),
            "demo queue should reach regular work"
        );
        let mut sorted = keys.clone();
        sorted.sort_by(queue_order);
        assert_eq!(keys, sorted, "the store's order is the domain's order");
        // A regular enterprise's item marked abnormal goes before all other work at once (measure 7).
        let last = rows.as_array().unwrap().last().unwrap();
        assert_eq!(last["status"], "waiting");
        let last = last["id"].as_i64().unwrap();
        ok(&d.db, &["item", "abnormal", &last.to_string()]);
        let after = json(&d.db, &["queue", "--json", "--limit", "400"]);
        let after = after.as_array().unwrap();
        let at = after.iter().position(|r| r["id"] == last).unwrap();
        assert!(
            after[..at].iter().all(|r| r["status"] == "abnormal"),
            "{at}"
        );
        assert!(after[at + 1..].iter().any(|r| r["status"] != "abnormal"));
        for r in rows.as_array().unwrap() {
            assert_ne!(r["status"], "done");
            if (r["kind"] == "lab_sample" || r["kind"] == "lab_test") && r["aeo"] == true {
                assert_eq!(
                    r["flags"]["urgent"], true,
                    "AEO lab sample without 加急: {r}"
                );
            }
        }
    });
}

#[test]
fn lookup_finds_an_enterprise_by_initials_pinyin_name_uscc_and_customs_code() {
    on_each_demo(|d| {
        for q in [
            "shqcjt",
            "shanghaiqiche",
            "上汽",
            "上海汽车集团",
            "91310000132260250X",
            "3105910001",
            "AEOCN3105910001",
        ] {
            let hits = json(&d.db, &["lookup", q, "--json"]);
            let first = &hits[0];
            assert_eq!(
                first["enterprise"]["name_zh"], "上海汽车集团股份有限公司",
                "query {q}"
            );
            assert!(
                first["coordinator"]["phone"].is_string(),
                "query {q}: coordinator shown"
            );
        }
        let text = ok(&d.db, &["--lang", "en", "lookup", "nothing-like-this"]);
        assert!(text.contains("no enterprise matches"));
        let text = ok(&d.db, &["lookup", "nothing-like-this"]);
        assert!(
            text.contains("没有与“nothing-like-this”匹配的企业"),
            "{text}"
        );
    });
}

#[test]
fn calendar_days_show_holidays_make_up_days_and_unknown_years() {
    on_each_demo(|d| {
        let days = json(
            &d.db,
            &["calendar", "days", "2026-10-01", "2026-10-11", "--json"],
        );
        let days = days.as_array().unwrap();
        assert_eq!(days.len(), 11);
        assert_eq!(days[0]["working"], false);
        assert_eq!(days[0]["reason"]["name"], "国庆节");
        assert_eq!(days[9]["date"], "2026-10-10");
        assert_eq!(
            days[9]["working"], true,
            "10-10 is a make-up working Saturday"
        );
        assert_eq!(days[9]["reason"]["kind"], "make_up_workday");
        let next = json(
            &d.db,
            &["calendar", "days", "2027-01-01", "2027-01-01", "--json"],
        );
        assert_eq!(next[0]["data_known"], false);
        let text = ok(
            &d.db,
            &[
                "--lang",
                "en",
                "calendar",
                "days",
                "2027-01-01",
                "2027-01-02",
            ],
        );
        assert!(text.contains("UNKNOWN"), "{text}");
        let text = ok(&d.db, &["calendar", "days", "2027-01-01", "2027-01-02"]);
        assert!(text.contains("未知"), "{text}");
        let err = fails(&d.db, &["calendar", "days", "2026-10-05", "2026-10-01"]);
        assert!(err.contains("before it starts"));
    });
}

#[test]
fn deadline_names_the_rule_and_counts_working_days_over_a_holiday() {
    on_each_demo(|d| {
        // Accepted Thu 2026-09-24; 09-25..27 中秋 off, 09-28..30 worked, 10-01..07 国庆, 10-08 Thu, 10-09 Fri.
        let v = json(
            &d.db,
            &[
                "deadline",
                "--kind",
                "special_articles",
                "--credit",
                "advanced",
                "--accepted-at",
                "2026-09-24 10:00",
                "--json",
            ],
        );
        assert_eq!(v["due_shanghai"], "2026-10-09 24:00");
        assert_eq!(
            v["rule"]["reason_en"],
            "measure 25: 5 working days instead of 20"
        );
        let v = json(
            &d.db,
            &[
                "deadline",
                "--kind",
                "special_articles",
                "--credit",
                "regular",
                "--accepted-at",
                "2026-09-24 10:00",
                "--json",
            ],
        );
        assert_eq!(v["rule"]["limit_days"], 20);
        let err = fails(
            &d.db,
            &[
                "deadline",
                "--kind",
                "teleport",
                "--credit",
                "advanced",
                "--accepted-at",
                "2026-09-24",
            ],
        );
        assert!(err.contains("teleport"));
    });
}

#[test]
fn a_pause_moves_the_deadline_and_an_open_pause_stops_it() {
    on_each_demo(|d| {
        let base = [
            "deadline",
            "--kind",
            "animal_plant",
            "--credit",
            "advanced",
            "--accepted-at",
            "2026-11-02 09:00",
            "--json",
        ];
        let plain = json(&d.db, &base);
        assert_eq!(plain["due_shanghai"], "2026-11-16 24:00");
        let mut paused = base.to_vec();
        paused.extend(["--pause", "2026-11-04 00:00/2026-11-06 00:00"]);
        assert_eq!(json(&d.db, &paused)["due_shanghai"], "2026-11-18 24:00");
        let mut open = base.to_vec();
        open.extend(["--pause", "2026-11-04 00:00/"]);
        let v = json(&d.db, &open);
        assert!(v["due"].is_null());
        assert_eq!(v["countdown"]["paused"], true);
    });
}

fn weekend_slot(db: &Path) -> i64 {
    let slots = json(db, &["slots", "--date", "2026-11-29", "--json"]);
    slots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["taken"].as_u64() < s["capacity"].as_u64())
        .expect("a free Sunday slot")["id"]
        .as_i64()
        .unwrap()
}

fn enterprise_of(d: &Demo, credit: &str) -> String {
    d.raw()
        .query_row(
            "SELECT uscc FROM enterprises WHERE credit = ?1 ORDER BY id LIMIT 1",
            [credit],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn an_aeo_enterprise_books_a_sunday_and_a_regular_one_is_refused_without_a_write() {
    on_each_demo(|d| {
        let slot = weekend_slot(&d.db).to_string();
        let regular = enterprise_of(d, "regular");
        let before = count(&d.raw(), "bookings");
        let err = fails(
            &d.db,
            &[
                "book",
                "--slot",
                &slot,
                "--enterprise",
                &regular,
                "--goods",
                "钢材",
            ],
        );
        assert!(
            err.contains("5+2") && err.contains("常规企业") && err.contains("休息日不可预约"),
            "{err}"
        );
        assert_eq!(count(&d.raw(), "bookings"), before);
        let aeo = enterprise_of(d, "advanced");
        let v = json(
            &d.db,
            &[
                "book",
                "--slot",
                &slot,
                "--enterprise",
                &aeo,
                "--goods",
                "晶圆",
                "--location",
                "factory",
                "--reason",
                "temperature",
                "--json",
            ],
        );
        assert!(v["booking_id"].as_i64().unwrap() > 0);
        assert_eq!(v["needs_site_approval"], false);
        assert_eq!(count(&d.raw(), "bookings"), before + 1);
    });
}

#[test]
fn an_inspection_outside_the_zone_records_its_measure_30_reason() {
    on_each_demo(|d| {
        let slot = json(&d.db, &["slots", "--date", "2026-11-30", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["taken"].as_u64().unwrap() + 2 <= s["capacity"].as_u64().unwrap())
            .expect("a Monday slot with two free places")["id"]
            .as_i64()
            .unwrap()
            .to_string();
        let regular = enterprise_of(d, "regular");
        let before = count(&d.raw(), "bookings");
        let base = [
            "book",
            "--slot",
            &slot,
            "--enterprise",
            &regular,
            "--location",
            "out_of_zone",
        ];
        let book = |extra: &[&'static str]| [&base[..], extra].concat();
        // The reason is required, and the goods too; nothing is written.
        let err = fails(&d.db, &book(&["--goods", "锂电池"]));
        assert!(err.contains("须注明原因（措施30）"), "{err}");
        let err = fails(&d.db, &book(&["--goods", " ", "--reason", "static"]));
        assert!(err.contains("须填写查验的货物"), "{err}");
        let err = fails(&d.db, &book(&["--goods", "锂电池", "--reason", "humidity"]));
        assert!(
            err.contains("--reason") && err.contains("no_facilities"),
            "{err}"
        );
        assert_eq!(count(&d.raw(), "bookings"), before);
        // A regular enterprise is not refused: the booking waits for the site's approval.
        let v = json(
            &d.db,
            &book(&["--goods", "锂电池", "--reason", "static", "--json"]),
        );
        assert_eq!(v["needs_site_approval"], true);
        assert_eq!(v["reason"], "static");
        let conn = d.raw();
        let (reason, needs): (String, bool) = conn
            .query_row(
                "SELECT offsite_reason, needs_site_approval FROM bookings WHERE id = ?1",
                [v["booking_id"].as_i64().unwrap()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((reason.as_str(), needs), ("static", true));
        let out = ok(&d.db, &book(&["--goods", "锂电池", "--reason", "static"]));
        assert!(out.contains("待现场海关同意"), "{out}");
    });
}

#[test]
fn a_full_slot_refuses_the_next_booking() {
    on_each_demo(|d| {
        let slot = weekend_slot(&d.db).to_string();
        let certified = enterprise_of(d, "certified");
        loop {
            let out = aeo(
                &d.db,
                &[
                    "book",
                    "--slot",
                    &slot,
                    "--enterprise",
                    &certified,
                    "--goods",
                    "乳制品",
                ],
            );
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.contains("时段已满"), "{err}");
                break;
            }
        }
        let v = json(&d.db, &["slots", "--date", "2026-11-29", "--json"]);
        let s = v
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(slot.as_str()))
            .unwrap();
        assert_eq!(s["taken"], s["capacity"]);
    });
}

#[test]
fn a_read_only_console_refuses_to_book() {
    on_each_demo(|d| {
        let slot = weekend_slot(&d.db).to_string();
        let aeo = enterprise_of(d, "advanced");
        let err = fails(
            &d.db,
            &[
                "--read-only",
                "book",
                "--slot",
                &slot,
                "--enterprise",
                &aeo,
                "--goods",
                "晶圆",
            ],
        );
        assert!(err.contains("read-only"), "{err}");
    });
}

#[test]
fn approvals_are_sorted_by_due_instant_and_filtered_by_due_within() {
    on_each_demo(|d| {
        let all = json(&d.db, &["approvals", "--json"]);
        let all = all.as_array().unwrap();
        let states: std::collections::HashSet<&str> =
            all.iter().map(|a| a["urgency"].as_str().unwrap()).collect();
        assert!(
            states.contains("overdue")
                && states.contains("nearly_due")
                && states.contains("normal")
        );
        assert!(all.iter().any(|a| a["status"] == "paused"));
        let running: Vec<jiff::Timestamp> = all
            .iter()
            .filter(|a| a["status"] == "running")
            .map(|a| a["countdown"]["due"].as_str().unwrap().parse().unwrap())
            .collect();
        assert!(
            running.windows(2).all(|w| w[0] <= w[1]),
            "sorted by due instant"
        );
        // The pane's window and every hotline card list approvals in the same order as the CLI.
        let cli: Vec<i64> = all.iter().map(|a| a["id"].as_i64().unwrap()).collect();
        let store =
            aeo_console::store::Store::open(&d.db, aeo_console::store::Access::ReadOnly).unwrap();
        let pane: Vec<i64> = store
            .approvals_window(cli.len(), 0)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(pane, cli, "CLI and pane agree");
        let enterprises: std::collections::BTreeSet<i64> = all
            .iter()
            .map(|a| a["enterprise_id"].as_i64().unwrap())
            .collect();
        for e in enterprises {
            let card: Vec<i64> = store
                .approvals_of(e)
                .unwrap()
                .iter()
                .filter(|a| a.decided_at.is_none())
                .map(|a| a.id)
                .collect();
            let from_cli: Vec<i64> = all
                .iter()
                .filter(|a| a["enterprise_id"] == e)
                .map(|a| a["id"].as_i64().unwrap())
                .collect();
            assert_eq!(card, from_cli, "card of enterprise {e} agrees with the CLI");
        }
        let soon = json(&d.db, &["approvals", "--due-within", "1d", "--json"]);
        let now: jiff::Timestamp = NOW.parse().unwrap();
        for a in soon.as_array().unwrap() {
            let due: jiff::Timestamp = a["countdown"]["due"].as_str().unwrap().parse().unwrap();
            assert!(due <= now + jiff::SignedDuration::from_hours(24));
        }
        assert!(soon.as_array().unwrap().len() < all.len());
        let decided = json(&d.db, &["approvals", "--all", "--json"]);
        assert!(
            decided
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["status"] == "decided")
        );
    });
}

/// "29工作日 14:00:00" / "29wd 14:00:00": counted days and the clock of the day, as the console's
/// approvals pane shows a running countdown.
fn running_countdown(remaining_secs: i64, unit: &str) -> String {
    let s = remaining_secs;
    format!(
        "{}{unit} {:02}:{:02}:{:02}",
        s / 86_400,
        s % 86_400 / 3_600,
        s % 3_600 / 60,
        s % 60
    )
}

#[test]
fn the_cli_writes_countdowns_as_the_console_does_with_one_unknown_year_mark() {
    on_each_demo(|d| {
        let all = json(&d.db, &["approvals", "--json"]);
        // A running approval whose limit reaches into 2027 (no published schedule).
        let a = all
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["status"] == "running" && a["countdown"]["uses_unknown_calendar"] == true)
            .expect("the demo has an approval due in 2027");
        let reference = a["reference"].as_str().unwrap();
        let left = a["countdown"]["remaining_secs"].as_i64().unwrap();
        for (lang, unit, flag) in [
            ("zh", "工作日", "法定假日已知，调休未公布"),
            (
                "en",
                "wd",
                "statutory holidays known, make-up days not published",
            ),
        ] {
            let text = ok(&d.db, &["--lang", lang, "approvals"]);
            let row = text
                .lines()
                .find(|l| l.contains(reference))
                .unwrap_or_else(|| panic!("{reference} listed: {text}"));
            let want = format!("{}?", running_countdown(left, unit));
            assert!(row.contains(&want), "{want} in {row}");
            assert!(!row.contains("[?calendar]"), "{row}");
            assert_eq!(
                text.lines().last(),
                Some(format!("? {flag}").as_str()),
                "{text}"
            );
            // An overdue one reads "超期 N天 hh:mm:ss" / "overdue Nd hh:mm:ss", in its language.
            let over = all
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["urgency"] == "overdue" && a["status"] == "running")
                .unwrap();
            let row = text
                .lines()
                .find(|l| l.contains(over["reference"].as_str().unwrap()))
                .unwrap();
            let late = -over["countdown"]["remaining_secs"].as_i64().unwrap();
            let (word, day) = if lang == "zh" {
                ("超期", "天")
            } else {
                ("overdue", "d")
            };
            let want = format!("{word} {}", running_countdown(late, day));
            assert!(row.contains(&want), "{want} in {row}");
        }
        // No mark and no explanation when nothing reaches an unknown year.
        let soon = ok(&d.db, &["approvals", "--due-within", "1d"]);
        assert!(!soon.contains('?'), "{soon}");
        // `deadline` says it the same way.
        let out = ok(
            &d.db,
            &[
                "deadline",
                "--kind",
                "special_articles",
                "--credit",
                "regular",
                "--accepted-at",
                "2026-11-26 10:00",
                "--extended-by",
                "王科长",
            ],
        );
        let v = json(
            &d.db,
            &[
                "deadline",
                "--kind",
                "special_articles",
                "--credit",
                "regular",
                "--accepted-at",
                "2026-11-26 10:00",
                "--extended-by",
                "王科长",
                "--json",
            ],
        );
        let left = v["countdown"]["remaining_secs"].as_i64().unwrap();
        let want = format!("at 2026-11-27 10:00: {}?", running_countdown(left, "wd"));
        assert!(out.contains(&want), "{want} in {out}");
    });
}

#[test]
fn validate_uscc_accepts_real_codes_and_names_the_broken_character() {
    on_each_backend(|t| {
        let db = t.location();
        assert!(ok(db, &["validate", "uscc", "91310000132260250X"]).contains("valid"));
        assert!(ok(db, &["validate", "uscc", "9144030071526726XG"]).contains("valid"));
        let err = fails(db, &["validate", "uscc", "91310000132260250Y"]);
        assert!(err.contains("check"), "{err}");
        let err = fails(db, &["validate", "uscc", "9131000013226025"]);
        assert!(err.contains("18"), "{err}");
        assert!(ok(db, &["validate", "declaration", "222520191000153457"]).contains("2225"));
        fails(db, &["validate", "customs-code", "31059"]);
        match t.backend {
            Backend::Sqlite => assert!(!db.exists(), "validation does not create a database"),
            Backend::Postgres => {
                let tables: i64 = t
                    .raw()
                    .query_row(
                        "SELECT count(*) FROM information_schema.tables
                         WHERE table_schema = current_schema()",
                        (),
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(tables, 0, "validation does not create aeo's tables");
            }
        }
    });
}

#[test]
fn a_database_newer_than_the_binary_is_refused_untouched() {
    // SQLite only: the version is SQLite's PRAGMA user_version.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("future.db");
    ok(&db, &["init"]);
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = fails(&db, &["queue"]);
    assert!(err.contains("newer"), "{err}");
    let v: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 99);
}

#[test]
fn commands_on_a_missing_database_say_how_to_create_one() {
    // SQLite only: a missing database is a missing file.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.db");
    let err = fails(&db, &["queue"]);
    assert!(err.contains("aeo init"), "{err}");
    assert!(!db.exists());
}

#[test]
fn a_bad_now_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(["--now", "yesterday-ish", "init"])
        .env("AEO_DB", &db)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--now") && err.contains("yesterday-ish"),
        "{err}"
    );
}

#[test]
fn appointment_clearance_applies_the_lead_time_of_the_credit_level() {
    on_each_demo(|d| {
        let adv = enterprise_of(d, "advanced");
        // Now is Fri 10:00; Saturday 20:00 is 34 h ahead, outside office hours.
        assert!(
            ok(
                &d.db,
                &[
                    "clearance",
                    "--enterprise",
                    &adv,
                    "--at",
                    "2026-11-28 20:00"
                ]
            )
            .contains("accepted")
        );
        let err = fails(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &adv,
                "--at",
                "2026-11-27 17:30",
            ],
        );
        assert!(err.contains("提前 7:30 申请"), "{err}");
        assert!(err.contains("至少提前 8:00 申请"), "{err}");
        // 认证企业 are AEO enterprises too: 8 h ahead is enough for them (measure 27).
        let certified = enterprise_of(d, "certified");
        let text = ok(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &certified,
                "--at",
                "2026-11-27 18:30",
            ],
        );
        assert!(
            text.contains("accepted") && text.contains("8:30 ahead"),
            "{text}"
        );
        let bad = enterprise_of(d, "dishonest");
        let err = fails(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &bad,
                "--at",
                "2026-11-30 20:00",
            ],
        );
        assert!(err.contains("失信企业不能预约通关"), "{err}");
    });
}

#[test]
fn a_year_without_a_schedule_keeps_the_statutory_holidays_and_every_answer_says_so() {
    on_each_demo(|d| {
        // 2027-01-01 (元旦) and 2027-10-02 (国庆) are days off by the law; 2027 is not published.
        let days = json(
            &d.db,
            &["calendar", "days", "2027-01-01", "2027-01-01", "--json"],
        );
        assert_eq!(days[0]["working"], false);
        assert_eq!(days[0]["reason"]["name"], "元旦");
        assert_eq!(days[0]["data_known"], false);
        let text = ok(&d.db, &["calendar", "days", "2027-10-01", "2027-10-02"]);
        assert!(text.contains("法定假日已知，调休未公布"), "{text}");
        assert!(!text.contains("working "), "{text}");

        // A clearance at 10:00 on 2027-01-01 is outside office hours (a holiday), and flagged.
        let adv = enterprise_of(d, "advanced");
        let out = ok(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &adv,
                "--at",
                "2027-01-01 10:00",
            ],
        );
        assert!(out.contains("accepted"), "{out}");
        assert!(out.contains("法定假日已知，调休未公布"), "{out}");
        let v = json(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &adv,
                "--at",
                "2027-01-01 10:00",
                "--json",
            ],
        );
        assert_eq!(v["data_known"], false);

        // Slots on a 2027 working day say the schedule is not published, in the table and JSON.
        let dir = d.dir.path();
        let file = dir.join("slots.csv");
        std::fs::write(
            &file,
            "office_code,date,start,end,capacity\n2201,2027-01-04,09:00,10:00,3\n",
        )
        .unwrap();
        ok(&d.db, &["import", "slots", file.to_str().unwrap()]);
        let text = ok(&d.db, &["slots", "--date", "2027-01-04"]);
        assert!(text.contains("[?calendar"), "{text}");
        let v = json(&d.db, &["slots", "--date", "2027-01-04", "--json"]);
        assert_eq!(v[0]["data_known"], false);
        assert!(v[0]["calendar_flag"].is_string(), "{v}");
    });
}

#[test]
fn every_listing_takes_format_table_json_csv_and_speaks_the_language() {
    on_each_demo(|d| {
        let listings: &[&[&str]] = &[
            &["queue", "--limit", "5"],
            &["approvals", "--all"],
            &["calendar", "days", "2026-10-01", "2026-10-03"],
            &["slots", "--date", "2026-11-27", "--to", "2026-11-30"],
            &["lookup", "shqc"],
            &["audit", "--limit", "5"],
            &["measures"],
            &["calls"],
            &["problems"],
            &["coordinators"],
            &["verifications"],
            &["config"],
        ];
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for args in listings {
            let with = |lang: &str, extra: &[&str]| {
                let mut v = vec!["--lang", lang];
                v.extend_from_slice(args);
                v.extend_from_slice(extra);
                ok(&d.db, &v)
            };
            // JSON: --format json is --json.
            let j1: Value = serde_json::from_str(&with("zh", &["--format", "json"])).unwrap();
            let j2: Value = serde_json::from_str(&with("zh", &["--json"])).unwrap();
            assert_eq!(j1, j2, "{args:?}");
            for lang in ["zh", "en"] {
                let csv_text = with(lang, &["--format", "csv"]);
                let mut r = csv::Reader::from_reader(csv_text.as_bytes());
                let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
                let records: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
                assert!(
                    !records.is_empty() || args[0] == "calls" || args[0] == "verifications",
                    "{args:?} {lang}: no rows\n{csv_text}"
                );
                for rec in &records {
                    assert_eq!(rec.len(), header.len(), "{args:?} {lang}: ragged CSV");
                }
                match lang {
                    "zh" => assert!(header.iter().any(|h| cjk(h)), "{args:?}: {header:?}"),
                    _ => assert!(header.iter().all(|h| !cjk(h)), "{args:?}: {header:?}"),
                }
                // The table has the same columns, under the same headers.
                let table = with(lang, &[]);
                let first = table.lines().find(|l| {
                    !l.trim().is_empty() && header.iter().all(|h| l.contains(h.as_str()))
                });
                assert!(
                    first.is_some(),
                    "{args:?} {lang}: table lacks {header:?}\n{table}"
                );
            }
            // --json and --format conflict.
            let mut v: Vec<&str> = args.to_vec();
            v.extend(["--json", "--format", "csv"]);
            let out = aeo(&d.db, &v);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
        }
        // Chinese statuses and kinds in Chinese; codes stay in JSON.
        let zh = ok(
            &d.db,
            &["--lang", "zh", "queue", "--format", "csv", "--limit", "50"],
        );
        for code in ["waiting", "in_progress", "abnormal", "overdue", "left"] {
            assert!(!zh.contains(code), "{code} in zh queue:\n{zh}");
        }
        let en = ok(
            &d.db,
            &["--lang", "en", "queue", "--format", "csv", "--limit", "50"],
        );
        assert!(en.contains("waiting") || en.contains("left"), "{en}");
        let j = json(&d.db, &["queue", "--json", "--limit", "50"]);
        assert!(
            j.as_array()
                .unwrap()
                .iter()
                .all(|r| r["status"].as_str().unwrap().is_ascii())
        );
    });
}

#[test]
fn times_are_checked_not_just_dates() {
    on_each_demo(|d| {
        let dir = d.dir.path();
        // A deadline before the arrival is refused on import, with the line and nothing written.
        let uscc = enterprise_of(d, "advanced");
        let file = dir.join("items.csv");
        std::fs::write(
        &file,
        format!(
            "kind,enterprise,received_at,due_at\nlab_test,{uscc},2026-11-27 09:00,2026-11-27 08:00\n"
        ),
    )
    .unwrap();
        let before = count(&d.raw(), "work_items");
        let out = aeo(&d.db, &["import", "items", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("items.csv:2"), "{err}");
        assert_eq!(count(&d.raw(), "work_items"), before);
        // The demo has none either.
        let conn = d.raw();
        let bad: i64 = conn
            .query_row(
                "SELECT count(*) FROM work_items WHERE due_at < received_at",
                (),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(bad, 0);

        // At 10:00 a slot of 08:00-09:00 today has ended and cannot be booked.
        std::fs::write(
            dir.join("slots.csv"),
            "office_code,date,start,end,capacity\n2201,2026-11-27,08:00,09:00,3\n",
        )
        .unwrap();
        ok(
            &d.db,
            &["import", "slots", dir.join("slots.csv").to_str().unwrap()],
        );
        let slot: i64 = conn
        .query_row(
            "SELECT id FROM inspection_slots WHERE office_code = '2201' AND date = '2026-11-27' AND start_time = '08:00'",
            (),
            |r| r.get(0),
        )
        .unwrap();
        let err = fails(
            &d.db,
            &[
                "book",
                "--slot",
                &slot.to_string(),
                "--enterprise",
                &uscc,
                "--goods",
                "晶圆",
            ],
        );
        assert!(err.contains("08:00-09:00"), "{err}");

        // A booking for a later day cannot be marked done yet.
        let future: i64 = conn
            .query_row(
                "SELECT b.id FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id
             WHERE b.status = 'booked' AND s.date > '2026-11-27' LIMIT 1",
                (),
                |r| r.get(0),
            )
            .unwrap();
        let err = fails(
            &d.db,
            &["--lang", "en", "booking", "done", &future.to_string()],
        );
        assert!(err.contains("cannot be done yet"), "{err}");
    });
}

#[test]
fn a_name_two_enterprises_share_is_refused_with_both_candidates() {
    on_each_demo(|d| {
        let conn = d.raw();
        let (id, name): (i64, String) = conn
            .query_row(
                "SELECT id, name_zh FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
                (),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let dir = d.dir.path();
        let file = dir.join("twin.csv");
        std::fs::write(
            &file,
            format!(
                "uscc,customs_code,name_zh,credit\n91310000MA1FL0XX1T,3105990001,{name},regular\n"
            ),
        )
        .unwrap();
        let out = aeo(
            &d.db,
            &[
                "import",
                "enterprises",
                file.to_str().unwrap(),
                "--accept-bad-checksum",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let twin: i64 = conn
            .query_row(
                "SELECT id FROM enterprises WHERE customs_code = '3105990001'",
                (),
                |r| r.get(0),
            )
            .unwrap();
        let err = fails(
            &d.db,
            &[
                "--lang",
                "en",
                "clearance",
                "--enterprise",
                &name,
                "--at",
                "2026-11-28 20:00",
            ],
        );
        assert!(
            err.contains(&format!("#{id} ")) && err.contains(&format!("#{twin} ")),
            "{err}"
        );
        assert!(err.contains("2 enterprises"), "{err}");
        // Its USCC still names exactly one.
        let uscc = enterprise_of(d, "advanced");
        ok(
            &d.db,
            &[
                "clearance",
                "--enterprise",
                &uscc,
                "--at",
                "2026-11-28 20:00",
            ],
        );
    });
}

#[test]
fn measure_specific_work_for_an_ineligible_enterprise_is_refused_with_the_reason() {
    on_each_demo(|d| {
        let regular = enterprise_of(d, "regular");
        let file = d.dir.path().join("fast.csv");
        std::fs::write(
            &file,
            format!("kind,enterprise,received_at\ntax_fast_track,{regular},2026-11-27 09:00\n"),
        )
        .unwrap();
        let before = count(&d.raw(), "work_items");
        let out = aeo(
            &d.db,
            &["--lang", "en", "import", "items", file.to_str().unwrap()],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("fast.csv:2") && err.contains("measure 9"),
            "{err}"
        );
        assert!(err.contains("not AEO"), "{err}");
        assert_eq!(count(&d.raw(), "work_items"), before);
        // The demo gives such work only to enterprises the measure reaches.
        let conn = d.raw();
        let wrong: i64 = conn
            .query_row(
                "SELECT count(*) FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id
             WHERE w.kind IN ('tax_fast_track', 'food_registration', 'whitelist_referral')
               AND e.credit NOT IN ('advanced', 'certified')",
                (),
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(wrong, 0);
    });
}

/// What SQLite plans for a statement, one line per step.
fn plan(db: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows.join("\n")
}

#[test]
fn the_overdue_count_an_operators_taken_items_and_a_kinds_items_do_not_walk_the_whole_queue() {
    // SQLite only: EXPLAIN QUERY PLAN is SQLite's.
    let d = sqlite_demo();
    let overdue = plan(
        &d.db,
        "SELECT count(*) FROM work_items WHERE status <> 'done' AND due_at <= 1800000000",
    );
    assert!(overdue.contains("work_items_open_due"), "{overdue}");
    let taken = plan(
        &d.db,
        "SELECT id FROM work_items WHERE taken_by = 'alice' AND status <> 'done'",
    );
    assert!(taken.contains("work_items_open_taken"), "{taken}");
    // The items a typed filter reaches through a kind's code (`d`: declaration) are counted
    // from the kind's own index, not along the queue's order.
    let kind = plan(
        &d.db,
        "SELECT id FROM work_items WHERE status <> 'done' AND kind IN ('declaration')",
    );
    assert!(kind.contains("work_items_open_kind"), "{kind}");
}

/// The first undecided approval of the demo that `pick` accepts, as JSON.
fn approval_where(db: &Path, pick: impl Fn(&Value) -> bool) -> Value {
    json(db, &["approvals", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|a| pick(a))
        .expect("such an approval in the demo")
        .clone()
}

fn approval_json(db: &Path, id: &str) -> Value {
    approval_where(db, |a| {
        a["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(id)
    })
}

#[test]
fn pauses_corrections_extensions_and_final_authority_follow_the_law() {
    on_each_demo(|d| {
        // 第45条's reasons only: 补正 is no pause.
        let running = approval_where(&d.db, |a| {
            a["status"] == "running" && a["pauses"] == serde_json::json!([])
        });
        let id = running["id"].to_string();
        let err = fails(&d.db, &["approval", "pause", &id, "--reason", "correction"]);
        assert!(
            err.contains("--reason") && err.contains("expert_review"),
            "{err}"
        );
        ok(&d.db, &["approval", "pause", &id, "--reason", "检疫"]);
        ok(&d.db, &["approval", "resume", &id]);
        // 补正 moves the acceptance, later only.
        let fresh = approval_where(&d.db, |a| {
            a["status"] == "running"
                && a["pauses"] == serde_json::json!([])
                && a["id"] != running["id"]
        });
        let fid = fresh["id"].to_string();
        let before_due = fresh["due_at"].as_str().unwrap().to_string();
        let out = ok(
            &d.db,
            &[
                "approval",
                "correct",
                &fid,
                "--received",
                "2026-11-27 09:00",
            ],
        );
        assert!(out.contains("自 2026-11-27 09:00 起受理"), "{out}");
        let after = approval_json(&d.db, &fid);
        assert_eq!(after["accepted_at"], "2026-11-27T01:00:00Z");
        assert!(
            after["due_at"].as_str().unwrap() > before_due.as_str(),
            "the clock starts again"
        );
        // 第42条: a regular limit, once, with the approver.
        let regular = approval_where(&d.db, |a| {
            a["rule"]["compressed"] == false
                && a["rule"]["count"] == "working"
                && a["extended_by"].is_null()
        });
        let rid = regular["id"].to_string();
        let err = fails(&d.db, &["approval", "extend", &rid, "--approver", " "]);
        assert!(err.contains("负责人"), "{err}");
        ok(&d.db, &["approval", "extend", &rid, "--approver", "王科长"]);
        let ext = approval_json(&d.db, &rid);
        assert_eq!(ext["extended_by"], "王科长");
        assert_eq!(
            ext["rule"]["limit_days"],
            regular["rule"]["limit_days"].as_u64().unwrap() + 10
        );
        let err = fails(&d.db, &["approval", "extend", &rid, "--approver", "李处长"]);
        assert!(err.contains("一次"), "{err}");
        let compressed = approval_where(&d.db, |a| a["rule"]["compressed"] == true);
        let err = fails(
            &d.db,
            &[
                "approval",
                "extend",
                &compressed["id"].to_string(),
                "--approver",
                "王科长",
            ],
        );
        assert!(err.contains("第42条"), "{err}");
        // Measure 26 only for products Shanghai decides finally.
        let animal = approval_where(&d.db, |a| {
            a["kind"] == "animal_plant" && a["rule"]["compressed"] == true
        });
        let aid = animal["id"].to_string();
        assert_eq!(animal["final_authority"], true);
        ok(&d.db, &["approval", "final-authority", &aid, "off"]);
        let off = approval_json(&d.db, &aid);
        assert_eq!(off["final_authority"], false);
        assert_eq!(off["rule"]["limit_days"], 20);
        assert!(
            off["rule"]["reason_zh"]
                .as_str()
                .unwrap()
                .contains("非上海终审权限产品")
        );
        let table = ok(&d.db, &["approvals"]);
        assert!(table.contains("非上海终审权限产品"), "shown in the list");
        let special = approval_where(&d.db, |a| a["kind"] == "special_articles");
        let err = fails(
            &d.db,
            &[
                "approval",
                "final-authority",
                &special["id"].to_string(),
                "off",
            ],
        );
        assert!(err.contains("措施26"), "{err}");
    });
}
