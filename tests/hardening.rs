//! Nothing lost, nothing forged: the real `aeo` binary against file tricks, forged identities
//! and clocks, broken pipes, full disks, huge numbers and concurrent first opens.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aeo"));
    c.env_remove("AEO_NOW")
        .env_remove("AEO_OPERATOR")
        .env_remove("AEO_OFFICE_HOURS")
        .env("AEO_OPERATOR", "tester");
    c
}

/// `aeo` on `db` with the test's frozen clock.
fn frozen(db: &Path, args: &[&str]) -> Output {
    bin()
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .args(args)
        .output()
        .unwrap()
}

/// `aeo` on `db` on the real clock.
fn live(db: &Path, args: &[&str]) -> Output {
    bin().env("AEO_DB", db).args(args).output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn err(out: Output) -> String {
    assert!(!out.status.success(), "should have failed");
    assert_ne!(out.status.code(), Some(101), "a panic");
    String::from_utf8(out.stderr).unwrap()
}

struct Db {
    dir: tempfile::TempDir,
    db: PathBuf,
}

/// A demo database (marked as a demo by `aeo demo`).
fn demo() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("aeo.db");
    ok(frozen(&db, &["demo", "--seed", "7"]));
    Db { dir, db }
}

/// A database holding the demo's data but not marked as a demo: what production looks like.
fn production() -> Db {
    let d = demo();
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    conn.execute("DELETE FROM aeo_meta WHERE key = 'demo'", [])
        .unwrap();
    d
}

fn audit(db: &Path) -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&ok(live(db, &["audit", "--json", "--limit", "5"]))).unwrap();
    v.as_array().unwrap().clone()
}

fn first_waiting_item(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let id: i64 = conn
        .query_row(
            "SELECT id FROM work_items WHERE status = 'waiting' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    id.to_string()
}

fn audit_rows(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

// ------------------------------------------------------------------ 6. who did it, and when

#[test]
fn a_frozen_clock_cannot_write_to_a_real_database() {
    let d = production();
    let item = first_waiting_item(&d.db);
    let before = audit_rows(&d.db);
    let e = err(frozen(&d.db, &["item", "take", &item]));
    assert!(e.contains("frozen"), "{e}");
    assert_eq!(audit_rows(&d.db), before, "nothing written");
    // Reading under a frozen clock is fine.
    ok(frozen(&d.db, &["queue", "--limit", "3"]));
    // On the real clock the same change goes through.
    ok(live(&d.db, &["item", "take", &item]));
    assert_eq!(audit_rows(&d.db), before + 1);
}

#[test]
fn a_demo_database_accepts_a_frozen_clock_but_the_trail_keeps_the_real_time() {
    let d = demo();
    let item = first_waiting_item(&d.db);
    ok(frozen(&d.db, &["item", "take", &item]));
    let entry = &audit(&d.db)[0];
    let at: jiff::Timestamp = entry["at"].as_str().unwrap().parse().unwrap();
    let drift = (jiff::Timestamp::now().as_second() - at.as_second()).abs();
    assert!(drift < 120, "audit time {at} is not the real clock");
}

#[test]
fn an_empty_database_becomes_a_demo_only_while_empty() {
    let d = production();
    let e = err(frozen(&d.db, &["demo", "--empty"]));
    assert!(e.contains("already holds data"), "{e}");
    let fresh = d.dir.path().join("fresh.db");
    ok(frozen(&fresh, &["demo", "--empty"]));
}

#[test]
fn the_trail_records_the_real_os_account_whatever_the_environment_says() {
    let d = demo();
    let item = first_waiting_item(&d.db);
    let out = bin()
        .env("AEO_DB", &d.db)
        .env("USER", "forged-user")
        .env("LOGNAME", "forged-user")
        .env("AEO_OPERATOR", "王芳")
        .args(["item", "take", &item])
        .output()
        .unwrap();
    ok(out);
    let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap();
    let entry = &audit(&d.db)[0];
    assert_eq!(entry["operator"], "王芳");
    assert_eq!(entry["os_account"], me.trim());
    // Without --operator the operator is the OS account too, not $USER.
    let item2 = first_waiting_item(&d.db);
    let out = Command::new(env!("CARGO_BIN_EXE_aeo"))
        .env_remove("AEO_OPERATOR")
        .env_remove("AEO_NOW")
        .env("AEO_DB", &d.db)
        .env("USER", "forged-user")
        .args(["item", "take", &item2])
        .output()
        .unwrap();
    ok(out);
    assert_eq!(audit(&d.db)[0]["operator"], me.trim());
}

#[test]
fn an_empty_operator_is_refused() {
    let d = demo();
    let item = first_waiting_item(&d.db);
    for name in ["", "   "] {
        let e = err(live(&d.db, &["--operator", name, "item", "take", &item]));
        assert!(e.contains("operator"), "{e}");
    }
}
