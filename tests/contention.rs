//! Many operators, one database: real `aeo` processes started at once against one file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const NOW: &str = "2026-11-27T10:00:00+08:00";
const N: usize = 8;

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

fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    assert!(run(&db, &["demo", "--seed", "11"]).status.success());
    (dir, db)
}

/// Starts N processes at once and returns (successes, failure messages).
fn race(db: &Path, args: &[&str]) -> (usize, Vec<String>) {
    let children: Vec<Child> = (0..N)
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
            !lower.contains("locked") && !lower.contains("busy"),
            "a user saw a lock error: {e}"
        );
    }
    (ok, errors)
}

fn query_i64(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn of_several_operators_booking_the_last_place_exactly_one_wins() {
    let (_dir, db) = demo();
    // A Sunday slot with one place left: fill it up to capacity - 1 first.
    let slot = query_i64(
        &db,
        "SELECT id FROM inspection_slots WHERE date = '2026-11-29' ORDER BY id LIMIT 1",
    );
    let aeo: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT uscc FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
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
        &db,
        &format!("SELECT capacity FROM inspection_slots WHERE id = {slot}"),
    );
    while query_i64(
        &db,
        &format!("SELECT count(*) FROM bookings WHERE slot_id = {slot} AND status <> 'cancelled'"),
    ) < capacity - 1
    {
        assert!(run(&db, &book).status.success());
    }
    let (ok, errors) = race(&db, &book);
    assert_eq!(ok, 1, "exactly one booking wins: {errors:?}");
    assert_eq!(errors.len(), N - 1);
    for e in &errors {
        assert!(e.contains("slot full"), "{e}");
    }
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT count(*) FROM bookings WHERE slot_id = {slot} AND status <> 'cancelled'"
            )
        ),
        capacity
    );
}

#[test]
fn of_several_operators_taking_one_item_exactly_one_wins_and_the_others_learn_who() {
    let (_dir, db) = demo();
    let item = query_i64(
        &db,
        "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
    )
    .to_string();
    let (ok, errors) = race(&db, &["item", "take", &item]);
    assert_eq!(ok, 1, "{errors:?}");
    let winner: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            &format!("SELECT taken_by FROM work_items WHERE id = {item}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    for e in &errors {
        assert!(e.contains(&format!("already taken by {winner}")), "{e}");
    }
    let takes = query_i64(
        &db,
        &format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'work_items' AND entity_id = {item} AND action = 'take'"
        ),
    );
    assert_eq!(takes, 1, "one take in the audit trail");
}

#[test]
fn of_several_operators_deciding_one_approval_exactly_one_wins() {
    let (_dir, db) = demo();
    let id = query_i64(
        &db,
        "SELECT id FROM approvals WHERE decided_at IS NULL ORDER BY id LIMIT 1",
    )
    .to_string();
    let (ok, errors) = race(&db, &["approval", "decide", &id]);
    assert_eq!(ok, 1, "{errors:?}");
    for e in &errors {
        assert!(e.contains("already decided"), "{e}");
    }
}

#[test]
fn the_audit_trail_records_who_and_cannot_be_rewritten() {
    let (_dir, db) = demo();
    let item = query_i64(
        &db,
        "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
    )
    .to_string();
    assert!(
        cmd(&db, "alice", &["item", "take", &item])
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = cmd(&db, "bob", &["audit", "--json", "--limit", "1"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["operator"], "alice");
    assert_eq!(v[0]["action"], "take");
    assert_eq!(v[0]["before"]["status"], "waiting");
    assert_eq!(v[0]["after"]["status"], "in_progress");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let err = conn
        .execute("UPDATE audit_log SET operator = 'mallory'", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn.execute("DELETE FROM audit_log", []).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn an_enterprise_audit_lists_only_its_own_changes() {
    let (_dir, db) = demo();
    let out = run(
        &db,
        &[
            "audit",
            "--enterprise",
            "91310000132260250X",
            "--json",
            "--limit",
            "1000",
        ],
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["enterprise_id"] == 1));
}

#[cfg(unix)]
#[test]
fn the_database_and_its_side_files_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = demo();
    // Keep a reader open so the -wal and -shm files exist while we look.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.query_row("SELECT count(*) FROM enterprises", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap();
    let item = query_i64(
        &db,
        "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
    )
    .to_string();
    assert!(run(&db, &["item", "take", &item]).status.success());
    let mut seen = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{:?} is {mode:o}", entry.file_name());
        seen += 1;
    }
    assert!(seen >= 2, "the database and at least one side file");
    drop(conn);
}

#[test]
fn a_booking_killed_midway_leaves_the_database_consistent() {
    let (_dir, db) = demo();
    let slot = query_i64(
        &db,
        "SELECT id FROM inspection_slots WHERE date = '2026-11-30' ORDER BY id LIMIT 1",
    )
    .to_string();
    let aeo: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT uscc FROM enterprises WHERE credit = 'advanced' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for i in 0..12u64 {
        let mut child = cmd(
            &db,
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
    let conn = rusqlite::Connection::open(&db).unwrap();
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
    // Every booking that landed has its audit entry: both or neither.
    let booked: i64 = conn
        .query_row(
            &format!(
                "SELECT count(*) FROM bookings WHERE slot_id = {slot} AND booked_by = 'killer'"
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE operator = 'killer' AND action = 'book'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(booked, audited);
    let (taken, capacity): (i64, i64) = conn
        .query_row(&format!("SELECT (SELECT count(*) FROM bookings WHERE slot_id = {slot} AND status <> 'cancelled'), capacity FROM inspection_slots WHERE id = {slot}"), [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert!(taken <= capacity);
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
    let mut outcomes = std::collections::HashSet::new();
    for (attempt, delay_ms) in [5u64, 40, 120, 300, 2000].into_iter().enumerate() {
        let db = dir.path().join(format!("kill{attempt}.db"));
        assert!(run(&db, &["init"]).status.success());
        let mut child = cmd(
            &db,
            "importer",
            &["import", "enterprises", csv.to_str().unwrap()],
        )
        .spawn()
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM enterprises", [], |r| r.get(0))
            .unwrap();
        assert!(
            n == 0 || n == ROWS as i64,
            "a partial import of {n} rows survived"
        );
        let audited: i64 = conn
            .query_row(
                "SELECT count(*) FROM audit_log WHERE entity = 'enterprises'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(audited, n, "the audit trail matches what landed");
        outcomes.insert(n);
    }
    assert!(
        outcomes.contains(&0),
        "no kill landed mid-import: {outcomes:?}"
    );
}
