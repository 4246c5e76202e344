//! Many operators, one database: real `aeo` processes started at once against one SQLite file
//! or one PostgreSQL database (each test runs on every backend `each_backend` gives).

use aeo_console::store::pg::{self, PgConn};
use aeo_console::store::testing::{Backend, TestDb, each_backend};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const NOW: &str = "2026-11-27T10:00:00+08:00";
const N: usize = 8;
/// Operators racing for the last place of a slot.
const BOOKERS: usize = 16;

fn cmd(db: &Path, operator: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aeo"));
    c.args(["--lang", "en"])
        .args(args)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", operator)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(db: &Path, args: &[&str]) -> Output {
    cmd(db, "setup", args).output().unwrap()
}

/// A demo database (seed 11) on each backend.
fn demos() -> Vec<TestDb> {
    each_backend()
        .into_iter()
        .inspect(|t| {
            eprintln!("on {:?}", t.backend);
            let out = run(t.location(), &["demo", "--seed", "11"]);
            assert!(
                out.status.success(),
                "demo on {:?}: {}",
                t.backend,
                String::from_utf8_lossy(&out.stderr)
            );
        })
        .collect()
}

/// Starts `n` processes at once and returns (successes, failure messages).
fn race(db: &Path, n: usize, args: &[&str]) -> (usize, Vec<String>) {
    let children: Vec<Child> = (0..n)
        .map(|i| cmd(db, &format!("op{i}"), args).spawn().unwrap())
        .collect();
    let mut ok = 0;
    let mut errors = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        if out.status.success() {
            ok += 1;
        } else {
            errors.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    for e in &errors {
        let lower = e.to_lowercase();
        assert!(
            !lower.contains("locked") && !lower.contains("busy") && !lower.contains("deadlock"),
            "a user saw a lock error: {e}"
        );
    }
    (ok, errors)
}

/// The first column of the first row of `sql`, read from either backend (the statements here
/// are written in the SQL both understand).
fn query_text(db: &Path, sql: &str) -> String {
    aeo_console::store::testing::first_cell(db, sql, sql)
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    query_text(db, sql).parse().unwrap()
}

/// Runs a statement on either backend; the error's text when it is refused.
fn execute_err(db: &Path, sql: &str) -> Option<String> {
    match db.to_str().filter(|d| pg::is_url(d)) {
        Some(url) => {
            let conn = PgConn::connect(url, "").unwrap();
            conn.batch(sql).err().map(|e| format!("{e:#}"))
        }
        None => rusqlite::Connection::open(db)
            .unwrap()
            .execute(sql, [])
            .err()
            .map(|e| e.to_string()),
    }
}

#[test]
fn of_several_operators_booking_the_last_place_exactly_one_wins() {
    for t in demos() {
        let db = t.location();
        // A Sunday slot with one place left: fill it up to capacity - 1 first.
        let slot = query_i64(
            db,
            "SELECT id FROM inspection_slots WHERE date = '2026-11-29' ORDER BY id LIMIT 1",
        );
        let aeo = query_text(
            db,
            "SELECT uscc FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
        );
        let slot_s = slot.to_string();
        let book = [
            "book",
            "--slot",
            slot_s.as_str(),
            "--enterprise",
            aeo.as_str(),
            "--goods",
            "晶圆",
        ];
        let capacity = query_i64(
            db,
            &format!("SELECT capacity FROM inspection_slots WHERE id = {slot}"),
        );
        let taken = format!(
            "SELECT count(*) FROM bookings WHERE slot_id = {slot} AND status <> 'cancelled'"
        );
        while query_i64(db, &taken) < capacity - 1 {
            assert!(run(db, &book).status.success());
        }
        let (ok, errors) = race(db, BOOKERS, &book);
        assert_eq!(
            ok, 1,
            "{:?}: exactly one booking wins: {errors:?}",
            t.backend
        );
        assert_eq!(errors.len(), BOOKERS - 1);
        for e in &errors {
            assert!(e.contains("slot full"), "{:?}: {e}", t.backend);
        }
        assert_eq!(query_i64(db, &taken), capacity, "{:?}", t.backend);
    }
}

#[test]
fn of_several_operators_taking_one_item_exactly_one_wins_and_the_others_learn_who() {
    for t in demos() {
        let db = t.location();
        let item = query_i64(
            db,
            "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
        )
        .to_string();
        let (ok, errors) = race(db, N, &["item", "take", &item]);
        assert_eq!(ok, 1, "{:?}: {errors:?}", t.backend);
        let winner = query_text(
            db,
            &format!("SELECT taken_by FROM work_items WHERE id = {item}"),
        );
        for e in &errors {
            assert!(e.contains(&format!("already taken by {winner}")), "{e}");
        }
        let takes = query_i64(
            db,
            &format!(
                "SELECT count(*) FROM audit_log WHERE entity = 'work_items' AND entity_id = {item} AND action = 'take'"
            ),
        );
        assert_eq!(takes, 1, "one take in the audit trail");
    }
}

#[test]
fn of_several_operators_deciding_one_approval_exactly_one_wins() {
    for t in demos() {
        let db = t.location();
        let id = query_i64(
            db,
            "SELECT id FROM approvals WHERE decided_at IS NULL ORDER BY id LIMIT 1",
        )
        .to_string();
        let (ok, errors) = race(db, N, &["approval", "decide", &id]);
        assert_eq!(ok, 1, "{:?}: {errors:?}", t.backend);
        for e in &errors {
            assert!(e.contains("already decided"), "{e}");
        }
        let decisions = query_i64(
            db,
            &format!(
                "SELECT count(*) FROM audit_log WHERE entity = 'approvals' AND entity_id = {id} AND action = 'decide'"
            ),
        );
        assert_eq!(decisions, 1, "one decision in the audit trail");
    }
}

#[test]
fn the_audit_trail_records_who_and_cannot_be_rewritten() {
    for t in demos() {
        let db = t.location();
        let item = query_i64(
            db,
            "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
        )
        .to_string();
        assert!(
            cmd(db, "alice", &["item", "take", &item])
                .output()
                .unwrap()
                .status
                .success()
        );
        let out = cmd(db, "bob", &["audit", "--json", "--limit", "1"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["operator"], "alice");
        assert_eq!(v[0]["action"], "take");
        assert_eq!(v[0]["before"]["status"], "waiting");
        assert_eq!(v[0]["after"]["status"], "in_progress");
        let err = execute_err(db, "UPDATE audit_log SET operator = 'mallory'")
            .expect("an update of the audit trail is refused");
        assert!(err.contains("append-only"), "{:?}: {err}", t.backend);
        let err = execute_err(db, "DELETE FROM audit_log")
            .expect("a deletion from the audit trail is refused");
        assert!(err.contains("append-only"), "{:?}: {err}", t.backend);
        assert_eq!(
            query_text(
                db,
                "SELECT count(*) FROM audit_log WHERE operator = 'mallory'"
            ),
            "0"
        );
    }
}

#[test]
fn an_enterprise_audit_lists_only_its_own_changes() {
    for t in demos() {
        let db = t.location();
        let out = run(
            db,
            &[
                "audit",
                "--enterprise",
                "91310000132260250X",
                "--json",
                "--limit",
                "1000",
            ],
        );
        assert!(out.status.success(), "{:?}", t.backend);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = v.as_array().unwrap();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["enterprise_id"] == 1));
    }
}

/// SQLite only: a PostgreSQL database has no files of this process's.
#[cfg(unix)]
#[test]
fn the_database_and_its_side_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let t = TestDb::new(Backend::Sqlite).unwrap();
    let db = t.location();
    assert!(run(db, &["demo", "--seed", "11"]).status.success());
    // Keep a reader open so the -wal and -shm files exist while we look.
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM enterprises", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    let item = query_i64(
        db,
        "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
    )
    .to_string();
    assert!(run(db, &["item", "take", &item]).status.success());
    let mut seen = 0;
    for entry in std::fs::read_dir(db.parent().unwrap()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{:?} is {mode:o}", entry.file_name());
        seen += 1;
    }
    assert!(seen >= 2, "the database and at least one side file");
    drop(conn);
}

/// SQLite's integrity and foreign-key checks of the file after a SIGKILL (PostgreSQL enforces
/// its foreign keys on every statement and keeps no half-written file of ours).
fn sqlite_file_is_sound(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
}

#[test]
fn a_booking_killed_midway_leaves_the_database_consistent() {
    for t in demos() {
        let db = t.location();
        let slot = query_i64(
            db,
            "SELECT id FROM inspection_slots WHERE date = '2026-11-30' ORDER BY id LIMIT 1",
        )
        .to_string();
        let aeo = query_text(
            db,
            "SELECT uscc FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
        );
        for i in 0..12u64 {
            let mut child = cmd(
                db,
                "killer",
                &[
                    "book",
                    "--slot",
                    &slot,
                    "--enterprise",
                    &aeo,
                    "--goods",
                    "乳制品",
                ],
            )
            .spawn()
            .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(i * 3));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
        if t.backend == Backend::Sqlite {
            sqlite_file_is_sound(db);
        }
        // Every booking that landed has its audit entry: both or neither.
        let booked = query_i64(
            db,
            &format!(
                "SELECT count(*) FROM bookings WHERE slot_id = {slot} AND booked_by = 'killer'"
            ),
        );
        let audited = query_i64(
            db,
            "SELECT count(*) FROM audit_log WHERE operator = 'killer' AND action = 'book'",
        );
        assert_eq!(booked, audited, "{:?}", t.backend);
        let taken = query_i64(
            db,
            &format!(
                "SELECT count(*) FROM bookings WHERE slot_id = {slot} AND status <> 'cancelled'"
            ),
        );
        let capacity = query_i64(
            db,
            &format!("SELECT capacity FROM inspection_slots WHERE id = {slot}"),
        );
        assert!(taken <= capacity, "{:?}", t.backend);
    }
}

#[test]
fn an_import_killed_midway_is_wholly_absent_or_wholly_present() {
    use aeo_console::domain::ids::Uscc;
    const ROWS: usize = 20_000;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("many.csv");
    let mut text = String::from(
        "uscc,customs_code,name_zh,name_en,credit,industries,group,coordinator_phone\n",
    );
    for i in 0..ROWS {
        let uscc = Uscc::build("91", "310115", &format!("{:08}", i * 7_919 % 100_000_000)).unwrap();
        text.push_str(&format!(
            "{},31{:08},测试进出口第{i}有限公司,,regular,logistics,,\n",
            uscc.as_str(),
            i
        ));
    }
    std::fs::write(&csv, text).unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let mut outcomes = std::collections::HashSet::new();
        for delay_ms in [5u64, 40, 120, 300, 2000] {
            let Some(t) = TestDb::new(backend) else {
                break;
            };
            let db = t.location();
            assert!(run(db, &["init"]).status.success(), "{backend:?}");
            let mut child = cmd(
                db,
                "importer",
                &["import", "enterprises", csv.to_str().unwrap()],
            )
            .spawn()
            .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            if backend == Backend::Sqlite {
                sqlite_file_is_sound(db);
            }
            let n = query_i64(db, "SELECT count(*) FROM enterprises");
            assert!(
                n == 0 || n == ROWS as i64,
                "{backend:?}: a partial import of {n} rows survived"
            );
            let audited = query_i64(
                db,
                "SELECT count(*) FROM audit_log WHERE entity = 'enterprises'",
            );
            assert_eq!(
                audited, n,
                "{backend:?}: the audit trail matches what landed"
            );
            outcomes.insert(n);
        }
        eprintln!("{backend:?}: rows after each kill: {outcomes:?}");
        assert!(
            outcomes.is_empty() || outcomes.contains(&0),
            "{backend:?}: no kill landed mid-import: {outcomes:?}"
        );
    }
}
