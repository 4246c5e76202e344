//! The real `aeo` binary: an item another operator has taken is theirs. Finishing, marking
//! abnormal or releasing it is refused with their name, in the operator's language, and leaves
//! the database as it was; a takeover is a separate, audited change.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn aeo(db: &Path, who: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(args)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", who)
        .output()
        .expect("aeo runs")
}

fn ok(db: &Path, who: &str, args: &[&str]) {
    let out = aeo(db, who, args);
    assert!(
        out.status.success(),
        "aeo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn refused(db: &Path, who: &str, args: &[&str]) -> String {
    let out = aeo(db, who, args);
    assert!(!out.status.success(), "aeo {args:?} should be refused");
    String::from_utf8(out.stderr).unwrap()
}

fn query(db: &Path, sql: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .unwrap_or_default()
}

fn demo() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("aeo.db");
    ok(&db, "setup", &["demo", "--seed", "7"]);
    let item = query(
        &db,
        "SELECT CAST(min(id) AS TEXT) FROM work_items WHERE status = 'waiting'",
    );
    (dir, db, item)
}

fn state(db: &Path, item: &str) -> String {
    query(
        db,
        &format!(
            "SELECT status || '/' || coalesce(taken_by, '-') FROM work_items WHERE id = {item}"
        ),
    )
}

fn audit_rows(db: &Path) -> String {
    query(db, "SELECT CAST(count(*) AS TEXT) FROM audit_log")
}

#[test]
fn another_operators_item_is_refused_with_their_name_in_both_languages() {
    let (_dir, db, item) = demo();
    ok(&db, "alice", &["item", "take", &item]);
    let audits = audit_rows(&db);
    for verb in ["finish", "abnormal", "release", "take"] {
        let zh = refused(&db, "bob", &["item", verb, &item]);
        assert!(zh.contains("alice") && zh.contains("已由"), "{verb}: {zh}");
        let en = refused(&db, "bob", &["--lang", "en", "item", verb, &item]);
        assert!(en.contains("already taken by alice"), "{verb}: {en}");
    }
    assert_eq!(state(&db, &item), "in_progress/alice");
    assert_eq!(audit_rows(&db), audits, "refusals write nothing");
}

#[test]
fn a_takeover_is_audited_and_then_the_new_holder_may_finish() {
    let (_dir, db, item) = demo();
    ok(&db, "alice", &["item", "take", &item]);
    ok(&db, "bob", &["item", "takeover", &item]);
    assert_eq!(state(&db, &item), "in_progress/bob");
    let action = query(
        &db,
        &format!(
            "SELECT action FROM audit_log WHERE entity = 'work_items' AND entity_id = {item} ORDER BY id DESC LIMIT 1"
        ),
    );
    assert_eq!(action, "take_over");
    let zh = refused(&db, "alice", &["item", "finish", &item]);
    assert!(zh.contains("bob"), "{zh}");
    ok(&db, "bob", &["item", "finish", &item]);
    assert_eq!(state(&db, &item), "done/bob");
}

#[test]
fn taking_an_abnormal_item_keeps_it_abnormal() {
    let (_dir, db, item) = demo();
    ok(&db, "alice", &["item", "abnormal", &item]);
    ok(&db, "alice", &["item", "release", &item]);
    assert_eq!(state(&db, &item), "abnormal/-");
    ok(&db, "bob", &["item", "take", &item]);
    assert_eq!(state(&db, &item), "abnormal/bob");
}
