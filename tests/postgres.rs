//! What a district's PostgreSQL database must hold to the same guarantees as a desk's SQLite
//! file: the audit trail append-only (for every role, by the database itself), read-only seats
//! refused by the server, the schema refused when newer, other operators' commits announced
//! within a second, a dropped connection seen and re-established, and a desk moved to
//! PostgreSQL and back with nothing lost. Tests that need a server skip with a visible line
//! without one (and fail under CI): see `scripts/test`.

use aeo_console::store::db::Db;
use aeo_console::store::testing::{Backend, TestDb, each_backend};
use aeo_console::store::{Access, Store};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn aeo(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aeo"))
        .args(args)
        .env("AEO_DB", db)
        .env("AEO_NOW", NOW)
        .env("AEO_OPERATOR", "tester")
        .env("AEO_LANG", "en")
        .env_remove("AEO_OFFICE_HOURS")
        .output()
        .expect("aeo runs")
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = aeo(db, args);
    assert!(
        out.status.success(),
        "aeo {args:?} on {} failed: {}",
        db.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn err(db: &Path, args: &[&str]) -> String {
    let out = aeo(db, args);
    assert!(!out.status.success(), "aeo {args:?} should have failed");
    String::from_utf8(out.stderr).expect("utf-8 stderr")
}

fn demo(db: &TestDb) {
    ok(db.location(), &["demo", "--seed", "7"]);
}

fn count(raw: &Db, sql: &str) -> i64 {
    raw.query_row(sql, (), |r| r.get(0)).unwrap()
}

/// The trail refuses to change or lose an entry, on both backends, whoever asks.
#[test]
fn the_audit_trail_is_append_only_on_both_backends() {
    for db in each_backend() {
        demo(&db);
        let raw = db.raw();
        let entries = count(&raw, "SELECT count(*) FROM audit_log");
        assert!(entries > 0, "{:?}: the demo writes a trail", db.backend);
        let update = raw.execute("UPDATE audit_log SET operator = ?1", ["mallory"]);
        let delete = raw.execute("DELETE FROM audit_log", ());
        for (what, e) in [("update", update), ("delete", delete)] {
            let e = e.expect_err(what);
            assert!(
                format!("{e:#}").contains("append-only"),
                "{:?} {what}: {e:#}",
                db.backend
            );
        }
        if db.backend == Backend::Postgres {
            let e = raw.execute_batch("TRUNCATE audit_log").unwrap_err();
            assert!(format!("{e:#}").contains("append-only"), "{e:#}");
        }
        assert_eq!(count(&raw, "SELECT count(*) FROM audit_log"), entries);
        let forged = count(
            &raw,
            "SELECT count(*) FROM audit_log WHERE operator = 'mallory'",
        );
        assert_eq!(forged, 0);
    }
}

/// A read-only seat is refused by the program and, on PostgreSQL, by the server itself.
#[test]
fn a_read_only_seat_cannot_write_even_with_raw_sql() {
    for db in each_backend() {
        demo(&db);
        let before = count(&db.raw(), "SELECT count(*) FROM calls");
        let e = err(
            db.location(),
            &[
                "--read-only",
                "call",
                "log",
                "--question",
                "AEO 认证流程",
                "--answer",
                "已答复",
            ],
        );
        assert!(e.contains("read-only"), "{e}");
        if db.backend == Backend::Postgres {
            let seat = Store::open(db.location(), Access::ReadOnly).unwrap();
            drop(seat);
            let url = db.location().display().to_string();
            let conn = aeo_console::store::pg::PgConn::connect(
                &url,
                "SET default_transaction_read_only = on",
            )
            .unwrap();
            let e = conn
                .batch("INSERT INTO aeo_meta (key, value) VALUES ('x', 'y')")
                .unwrap_err();
            assert!(format!("{e:#}").contains("read-only"), "{e:#}");
        }
        assert_eq!(count(&db.raw(), "SELECT count(*) FROM calls"), before);
    }
}

/// README's roles: the hotline reads and cannot write; a coordinator changes records but not
/// the trail.
#[test]
fn district_roles_hold_on_the_server() {
    let Some(db) = TestDb::new(Backend::Postgres) else {
        return;
    };
    demo(&db);
    let raw = db.raw();
    raw.execute_batch(include_str!("../packaging/postgres-roles.sql"))
        .unwrap();
    raw.execute_batch(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'test_hotline') THEN
             CREATE ROLE test_hotline LOGIN IN ROLE aeo_hotline; END IF;
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'test_coordinator') THEN
             CREATE ROLE test_coordinator LOGIN IN ROLE aeo_coordinator; END IF;
         END $$",
    )
    .unwrap();
    let hotline = std::path::PathBuf::from(db.url_as("test_hotline"));
    let coordinator = std::path::PathBuf::from(db.url_as("test_coordinator"));
    // The hotline reads…
    assert!(ok(&hotline, &["--read-only", "queue", "--limit", "3"]).contains("queue"));
    // …and the server refuses its writes even without --read-only.
    let e = err(
        &hotline,
        &["call", "log", "--question", "测试", "--answer", "已答复"],
    );
    assert!(e.contains("permission denied"), "{e}");
    // A coordinator logs a call…
    ok(
        &coordinator,
        &["call", "log", "--question", "测试", "--answer", "已答复"],
    );
    // …but cannot touch the trail, by privilege (and by trigger).
    let as_coordinator =
        aeo_console::store::pg::PgConn::connect(&db.url_as("test_coordinator"), "").unwrap();
    for sql in [
        "UPDATE audit_log SET operator = 'x'",
        "DELETE FROM audit_log",
    ] {
        let e = as_coordinator.batch(sql).unwrap_err();
        assert!(
            format!("{e:#}").contains("permission denied"),
            "{sql}: {e:#}"
        );
    }
}

/// A database of a newer schema, or of another program, is refused and left as it was.
#[test]
fn a_newer_or_foreign_postgres_database_is_refused() {
    let Some(db) = TestDb::new(Backend::Postgres) else {
        return;
    };
    ok(db.location(), &["init"]);
    let raw = db.raw();
    raw.execute_batch("INSERT INTO aeo_schema (version) VALUES (999)")
        .unwrap();
    let e = err(db.location(), &["queue"]);
    assert!(
        e.contains("schema version 999") && e.contains("newer"),
        "{e}"
    );

    let Some(other) = TestDb::new(Backend::Postgres) else {
        return;
    };
    other
        .raw()
        .execute_batch("CREATE TABLE invoices (id int)")
        .unwrap();
    let e = err(other.location(), &["queue"]);
    assert!(e.contains("another program"), "{e}");
    let tables = count(
        &other.raw(),
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    );
    assert_eq!(tables, 1, "nothing was added");
}

/// Another operator's commit reaches a store through LISTEN/NOTIFY within a second; a dropped
/// connection is seen, re-established, and a write after it lands exactly once.
#[test]
fn commits_are_announced_and_a_dropped_connection_comes_back() {
    let Some(db) = TestDb::new(Backend::Postgres) else {
        return;
    };
    demo(&db);
    let watcher = Store::open(db.location(), Access::ReadOnly).unwrap();
    let seen = watcher.data_version().unwrap();
    ok(
        db.location(),
        &[
            "call",
            "log",
            "--question",
            "另一位操作员",
            "--answer",
            "已答复",
        ],
    );
    let start = Instant::now();
    while watcher.data_version().unwrap() == seen {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "no notification within a second"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // The server ends the watcher's session (a failover, a network cut).
    let raw = db.raw();
    raw.execute_batch(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .unwrap();
    let start = Instant::now();
    while !watcher.connection_lost() {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the drop went unseen"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The next look reconnects.
    watcher.data_version().unwrap();
    assert!(!watcher.connection_lost());
    let calls = count(&raw, "SELECT count(*) FROM calls");
    assert!(
        watcher
            .counts()
            .unwrap()
            .iter()
            .any(|(t, n)| *t == "calls" && *n == calls)
    );
}

/// A write whose connection dropped mid-transaction is not replayed outside it.
#[test]
fn a_change_cut_off_mid_transaction_saves_nothing() {
    let Some(db) = TestDb::new(Backend::Postgres) else {
        return;
    };
    demo(&db);
    let raw = db.raw();
    let before = count(&raw, "SELECT count(*) FROM coordinators");
    let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
    let url = db.location().display().to_string();
    let e = store
        .write(|w| {
            w.insert_coordinator(&aeo_console::store::NewCoordinator {
                name: "李超",
                phone: "021-1",
                office_code: "2200",
                office_name: "上海海关",
                role: aeo_console::domain::enterprise::CoordinatorRole::Business,
                duty_hours: "",
            })?;
            // The connection is cut before the change commits.
            let admin = aeo_console::store::pg::PgConn::connect(&url, "").unwrap();
            admin.batch(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )?;
            std::thread::sleep(Duration::from_millis(200));
            w.insert_coordinator(&aeo_console::store::NewCoordinator {
                name: "王芳",
                phone: "021-2",
                office_code: "2200",
                office_name: "上海海关",
                role: aeo_console::domain::enterprise::CoordinatorRole::Business,
                duty_hours: "",
            })
        })
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("nothing of it was saved"),
        "{e:#}"
    );
    let raw = db.raw();
    assert_eq!(count(&raw, "SELECT count(*) FROM coordinators"), before);
    // The store reconnects for the next change, which lands once.
    store
        .write(|w| {
            w.insert_coordinator(&aeo_console::store::NewCoordinator {
                name: "李超",
                phone: "021-3",
                office_code: "2200",
                office_name: "上海海关",
                role: aeo_console::domain::enterprise::CoordinatorRole::Business,
                duty_hours: "",
            })
        })
        .unwrap();
    assert_eq!(count(&raw, "SELECT count(*) FROM coordinators"), before + 1);
}

/// A desk moves SQLite → PostgreSQL → SQLite with one command each way and nothing changed;
/// a copy into a database that holds data is refused.
#[test]
fn a_desk_moves_to_postgres_and_back_unchanged() {
    let (Some(first), Some(pg), Some(back)) = (
        TestDb::new(Backend::Sqlite),
        TestDb::new(Backend::Postgres),
        TestDb::new(Backend::Sqlite),
    ) else {
        return;
    };
    demo(&first);
    let from = first.location().display().to_string();
    let to_pg = pg.location().display().to_string();
    let to_back = back.location().display().to_string();
    ok(first.location(), &["copy", "--from", &from, "--to", &to_pg]);
    ok(
        first.location(),
        &["copy", "--from", &to_pg, "--to", &to_back],
    );
    let digests = |p: &Path| {
        let store = Store::open(p, Access::ReadOnly).unwrap();
        store
            .table_digests()
            .unwrap()
            .into_iter()
            .map(|t| (t.table, t.rows, t.checksum))
            .collect::<Vec<_>>()
    };
    let original = digests(first.location());
    assert!(original.iter().any(|(t, n, _)| *t == "audit_log" && *n > 0));
    assert_eq!(digests(pg.location()), original);
    assert_eq!(digests(back.location()), original);
    // The counts the triggers keep came along with the rows.
    let kept = |p: &Path| {
        let store = Store::open(p, Access::ReadOnly).unwrap();
        (
            store.queue_len().unwrap(),
            store.abnormal_item_count().unwrap(),
        )
    };
    assert_eq!(kept(pg.location()), kept(first.location()));
    assert_eq!(kept(back.location()), kept(first.location()));
    // The same answers from both backends.
    for args in [
        &["queue", "--limit", "20", "--json"][..],
        &["approvals", "--json"],
        &["audit", "--limit", "30", "--json"],
    ] {
        assert_eq!(
            ok(first.location(), args),
            ok(pg.location(), args),
            "{args:?}"
        );
    }
    // Not into a database that holds data.
    let e = err(first.location(), &["copy", "--from", &from, "--to", &to_pg]);
    assert!(e.contains("already holds data"), "{e}");
}
