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
    assert!(e.contains("冻结"), "{e}");
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

// ------------------------------------------------------------------ the console in a real pty

/// The console on a real pseudo-terminal (80x24) of which this test holds the master side.
struct Pty {
    master: Option<std::fs::File>,
    child: std::process::Child,
    screen: Vec<u8>,
}

impl Pty {
    fn spawn(cmd: &mut Command) -> Pty {
        use std::os::unix::fs::OpenOptionsExt;
        use std::os::unix::process::CommandExt;
        // Both sides close-on-exec from the start, so that no child another test starts
        // meanwhile holds them open (a held master would make a hangup impossible).
        let pty = nix::pty::posix_openpt(
            nix::fcntl::OFlag::O_RDWR | nix::fcntl::OFlag::O_NOCTTY | nix::fcntl::OFlag::O_CLOEXEC,
        )
        .unwrap();
        nix::pty::grantpt(&pty).unwrap();
        nix::pty::unlockpt(&pty).unwrap();
        let name = nix::pty::ptsname_r(&pty).unwrap();
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(nix::libc::O_NOCTTY)
            .open(&name)
            .unwrap();
        let size = nix::libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        {
            use std::os::fd::AsRawFd;
            assert_eq!(
                unsafe { nix::libc::ioctl(slave.as_raw_fd(), nix::libc::TIOCSWINSZ, &size) },
                0
            );
        }
        cmd.stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave)
            .env("TERM", "xterm-256color");
        // A session of its own with the pty as its controlling terminal, as sshd sets it up.
        unsafe {
            cmd.pre_exec(|| {
                nix::unistd::setsid().map_err(std::io::Error::from)?;
                if nix::libc::ioctl(0, nix::libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        // This process keeps no slave side open: the child's are the only ones.
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let master = std::fs::File::from(std::os::fd::OwnedFd::from(pty));
        nix::fcntl::fcntl(
            &master,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .unwrap();
        Pty {
            master: Some(master),
            child,
            screen: Vec::new(),
        }
    }

    fn pump(&mut self) {
        use std::io::Read;
        let mut buf = [0u8; 65536];
        if let Some(m) = self.master.as_mut() {
            while let Ok(n) = m.read(&mut buf) {
                if n == 0 {
                    break;
                }
                self.screen.extend_from_slice(&buf[..n]);
            }
        }
    }

    fn wait_for(&mut self, text: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !String::from_utf8_lossy(&self.screen).contains(text) {
            assert!(
                std::time::Instant::now() < deadline,
                "'{text}' never showed: {}",
                String::from_utf8_lossy(&self.screen)
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
            self.pump();
        }
    }

    fn send(&mut self, keys: &str) {
        use std::io::Write;
        self.master
            .as_mut()
            .unwrap()
            .write_all(keys.as_bytes())
            .unwrap();
    }

    /// Closes the master side: the terminal is gone, as when an SSH connection drops.
    fn hang_up(&mut self) {
        self.master = None;
    }

    fn exit_status(&mut self) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            self.pump();
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the console did not exit"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

// ------------------------------------------------------------------ 7. the demo directory

#[test]
fn the_demo_lives_in_a_private_random_directory_removed_on_every_exit() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // A link planted where a predictable name would be.
    let victim = tempfile::tempdir().unwrap();
    std::fs::write(victim.path().join("demo.db"), "someone else's file").unwrap();
    for how in ["q", "hangup"] {
        let mut cmd = bin();
        cmd.env("TMPDIR", tmp.path()).arg("--demo");
        let mut pty = Pty::spawn(&mut cmd);
        for pid in pty.child.id()..pty.child.id() + 3 {
            let _ = std::os::unix::fs::symlink(
                victim.path(),
                tmp.path().join(format!("aeo-demo-{pid}")),
            );
        }
        pty.wait_for("DEMO");
        let dirs: Vec<PathBuf> = entries(tmp.path())
            .into_iter()
            .filter(|p| !p.is_symlink())
            .collect();
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        let mode = std::fs::metadata(&dirs[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{:o}", mode);
        if how == "q" {
            // q asks first; → then Enter answers Yes.
            pty.send("q");
            pty.wait_for("退出控制台");
            pty.send("\x1b[C\r");
        } else {
            pty.hang_up();
        }
        let status = pty.exit_status();
        assert!(
            matches!(status.code(), Some(0) | Some(129)),
            "{how}: {status:?}: {}",
            String::from_utf8_lossy(&pty.screen)
        );
        assert!(
            !dirs[0].exists(),
            "{how}: the demo directory is left behind"
        );
        assert_eq!(
            std::fs::read_to_string(victim.path().join("demo.db")).unwrap(),
            "someone else's file"
        );
        for p in entries(tmp.path()) {
            std::fs::remove_file(p).unwrap();
        }
    }
}

// ------------------------------------------------------------------ 10. SSH drop

#[test]
fn a_hangup_ends_the_console_cleanly_and_quietly() {
    let d = demo();
    let mut cmd = bin();
    cmd.env("AEO_DB", &d.db).env("AEO_NOW", NOW);
    let mut pty = Pty::spawn(&mut cmd);
    pty.wait_for("DEMO");
    pty.hang_up();
    let status = pty.exit_status();
    assert!(
        matches!(status.code(), Some(0) | Some(129)),
        "the console died of {status:?} after the terminal went away"
    );
    // The database is intact and usable.
    ok(live(&d.db, &["queue", "--limit", "1"]));
}

// ------------------------------------------------------------------ 8. broken pipe, full disk

const LONG_OUTPUTS: [&[&str]; 7] = [
    &["queue", "--limit", "5000"],
    &["audit", "--limit", "5000"],
    &["approvals", "--all"],
    &["calendar", "days", "2024-01-01", "2026-12-31"],
    &["slots", "--date", "2026-11-01", "--to", "2026-12-31"],
    &["export", "bookings"],
    &["report", "day", "2026-11-27"],
];

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::Read;
    let d = demo();
    for args in LONG_OUTPUTS {
        let mut child = bin()
            .env("AEO_DB", &d.db)
            .env("AEO_NOW", NOW)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -c 10`: read a little, then close the pipe.
        let mut first = [0u8; 10];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_full_disk_is_one_error_line() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let d = demo();
    for args in LONG_OUTPUTS {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin()
            .env("AEO_DB", &d.db)
            .env("AEO_NOW", NOW)
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let e = String::from_utf8(out.stderr).unwrap();
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(e.contains("No space left"), "{args:?}: {e}");
    }
}

// ------------------------------------------------------------------ 1. export onto the database

#[test]
fn export_never_overwrites_the_database_and_needs_force_for_a_file() {
    use std::os::unix::fs::PermissionsExt;
    let d = demo();
    let before = std::fs::read(&d.db).unwrap().len();
    let db = d.db.to_str().unwrap();
    let wal = format!("{db}-wal");
    let link = d.dir.path().join("link.csv");
    std::os::unix::fs::symlink(&d.db, &link).unwrap();
    for target in [db, wal.as_str(), link.to_str().unwrap()] {
        for extra in [&[][..], &["--force"][..]] {
            let mut args = vec!["--read-only", "export", "bookings", "-o", target];
            args.extend_from_slice(extra);
            let e = err(live(&d.db, &args));
            assert!(e.contains("拒绝写入"), "{target}: {e}");
        }
    }
    assert!(std::fs::read(&d.db).unwrap().len() >= before);
    ok(live(&d.db, &["queue", "--limit", "1"]));

    let out = d.dir.path().join("bookings.csv");
    let out_s = out.to_str().unwrap();
    ok(live(&d.db, &["export", "bookings", "-o", out_s]));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    std::fs::write(&out, "mine").unwrap();
    let e = err(live(&d.db, &["export", "bookings", "-o", out_s]));
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    ok(live(&d.db, &["export", "bookings", "-o", out_s, "--force"]));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("office_code")
    );
    let left: Vec<_> = entries(d.dir.path())
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".aeo-export")
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

// ------------------------------------------------------------------ 4. spreadsheet formulas

#[test]
fn export_quotes_formulas_and_import_restores_them() {
    let d = demo();
    let evil = "=cmd|' /C calc'!A0";
    {
        let conn = rusqlite::Connection::open(&d.db).unwrap();
        conn.execute(
            "UPDATE enterprises SET name_en = ?1 WHERE id = (SELECT min(id) FROM enterprises)",
            [evil],
        )
        .unwrap();
        conn.execute(
            "UPDATE enterprises SET name_en = '@SUM(1+1)' WHERE id = (SELECT max(id) FROM enterprises)",
            [],
        )
        .unwrap();
    }
    let dir = d.dir.path();
    for t in ["coordinators", "enterprises"] {
        let out = dir.join(format!("{t}.csv"));
        ok(live(&d.db, &["export", t, "-o", out.to_str().unwrap()]));
    }
    let csv = std::fs::read_to_string(dir.join("enterprises.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for rec in reader.records() {
        for cell in rec.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell}"
            );
        }
    }
    assert!(csv.contains(&format!("'{evil}")), "{csv}");
    let fresh = dir.join("fresh.db");
    ok(frozen(&fresh, &["demo", "--empty"]));
    for t in ["coordinators", "enterprises"] {
        let f = dir.join(format!("{t}.csv"));
        ok(frozen(&fresh, &["import", t, f.to_str().unwrap()]));
    }
    let conn = rusqlite::Connection::open(&fresh).unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name_en FROM enterprises WHERE name_en LIKE '%=%' OR name_en LIKE '@%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(names.contains(&evil.to_string()), "{names:?}");
    assert!(names.contains(&"@SUM(1+1)".to_string()), "{names:?}");
}

// ------------------------------------------------------------------ 11. concurrent first open

#[test]
fn eight_inits_at_once_on_a_new_file_all_succeed() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new.db");
        let children: Vec<_> = (0..8)
            .map(|_| {
                bin()
                    .env("AEO_DB", &db)
                    .arg("init")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        ok(live(&db, &["queue", "--limit", "1"]));
    }
}

// ------------------------------------------------------------------ smaller corners

#[test]
fn a_foreign_sqlite_file_is_refused_and_left_alone_except_by_init() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x');")
            .unwrap();
    }
    let tables = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    for args in [&["queue"][..], &["demo"][..], &["audit"][..]] {
        let e = err(live(&db, args));
        assert!(
            e.contains("another program") || e.contains("其他程序"),
            "{e}"
        );
    }
    assert_eq!(tables(&db), 1, "nothing added");
    ok(live(&db, &["init"]));
    assert!(tables(&db) > 1);
}

#[test]
fn a_read_only_directory_is_named_as_such() {
    use std::os::unix::fs::PermissionsExt;
    let d = demo();
    let ro = d.dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let db = ro.join("aeo.db");
    std::fs::copy(&d.db, &db).unwrap();
    let mode =
        |p: &Path, m| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    mode(d.dir.path(), 0o755);
    mode(&db, 0o644);
    mode(&ro, 0o555);
    // root ignores directory permissions: run as nobody then (setpriv, util-linux).
    let root = nix::unistd::getuid().is_root();
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_aeo"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_aeo"))
    };
    let out = cmd
        .env("AEO_DB", &db)
        .env("AEO_OPERATOR", "tester")
        .args(["--lang", "en", "--read-only", "queue"])
        .output();
    mode(&ro, 0o755);
    let Ok(out) = out else {
        eprintln!("setpriv is missing: skipped");
        return;
    };
    let e = err(out);
    assert!(!e.contains("not an aeo database"), "{e}");
    assert!(e.contains("not writable"), "{e}");
}

// ------------------------------------------------------------------ 9. overflow

#[test]
fn huge_numbers_and_far_dates_are_refused_without_a_panic() {
    let d = demo();
    let cases: [&[&str]; 8] = [
        &["approvals", "--due-within", "99999999999999d"],
        &[
            "--now",
            "9999-12-31 23:59",
            "approvals",
            "--due-within",
            "2d",
        ],
        &["demo", "--enterprises", "18446744073709551615"],
        &["queue", "--limit", "18446744073709551615"],
        &["queue", "--offset", "18446744073709551615"],
        &["audit", "--limit", "0"],
        &["calendar", "days", "0001-01-01", "9999-12-31"],
        &["slots", "--date", "9999-01-01"],
    ];
    for args in cases {
        let out = bin()
            .env("AEO_DB", &d.db)
            .arg("--lang")
            .arg("en")
            .args(args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(1) | Some(2)),
            "{args:?}: {out:?}"
        );
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("outside the years") || e.contains("too long") || e.contains("is not in"),
            "{args:?}: {e}"
        );
    }
    // Slots dated 0001 or 9999 are refused on import, line by line.
    let file = d.dir.path().join("slots.csv");
    std::fs::write(
        &file,
        "office_code,date,start,end,capacity\n2200,0001-01-01,09:00,10:00,3\n2200,9999-12-31,09:00,10:00,3\n",
    )
    .unwrap();
    let out = bin()
        .env("AEO_DB", &d.db)
        .args(["--lang", "en", "import", "slots", file.to_str().unwrap()])
        .output()
        .unwrap();
    let e = err(out);
    assert!(e.contains(":2: date") && e.contains(":3: date"), "{e}");
}

// ------------------------------------------------------------------ 5. GBK that is valid UTF-8

#[test]
fn gbk_that_happens_to_be_valid_utf8_is_refused_not_garbled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("aeo.db");
    ok(frozen(&db, &["demo", "--empty"]));
    let file = dir.path().join("coordinators.csv");
    // 鲁牛农贸 in GBK is C2 B3 C5 A3 C5 A9 C3 B3: valid UTF-8 for "³ţũó".
    let (gbk, _, _) = encoding_rs::GBK
        .encode("name,phone,office_code,role\n鲁牛农贸,021-51234567,2200,business\n");
    assert!(std::str::from_utf8(&gbk).is_ok());
    std::fs::write(&file, &gbk).unwrap();
    let f = file.to_str().unwrap();
    let e = err(frozen(&db, &["--lang", "en", "import", "coordinators", f]));
    assert!(e.contains("--encoding") && e.contains("鲁牛农贸"), "{e}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM coordinators", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0, "nothing imported");
    drop(conn);
    ok(frozen(
        &db,
        &["import", "coordinators", f, "--encoding", "gbk"],
    ));
    let name: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT name FROM coordinators", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "鲁牛农贸");
}

// ------------------------------------------------------------------ 2. re-importing duplicates

#[test]
fn every_table_refuses_its_own_records_twice_and_skip_existing_adds_only_what_is_new() {
    let d = demo();
    let dir = d.dir.path();
    let tables = [
        ("coordinators", "coordinators"),
        ("enterprises", "enterprises"),
        ("items", "work_items"),
        ("slots", "inspection_slots"),
        ("bookings", "bookings"),
        ("approvals", "approvals"),
    ];
    let count = |db: &Path, t: &str| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    for (t, table) in tables {
        let file = dir.join(format!("{t}.csv"));
        let f = file.to_str().unwrap();
        ok(live(&d.db, &["export", t, "-o", f]));
        let before = count(&d.db, table);
        // The same file again: every record is already there, each said once, on its line.
        let e = err(frozen(&d.db, &["--lang", "en", "import", t, f]));
        assert!(
            e.contains(":2: ") && e.contains("already in the database"),
            "{t}: {e}"
        );
        assert!(!e.contains("UNIQUE"), "{t}: a raw SQLite error: {e}");
        let line2 = e.lines().filter(|l| l.contains(":2: ")).count();
        assert_eq!(line2, 1, "{t}: line 2 reported {line2} times: {e}");
        assert_eq!(count(&d.db, table), before, "{t}: nothing written");
        // --skip-existing: nothing new, nothing added, and it says so.
        let out = ok(frozen(&d.db, &["import", t, f, "--skip-existing"]));
        assert!(out.contains("left out"), "{t}: {out}");
        assert_eq!(count(&d.db, table), before, "{t}");
    }
    // Two identical lines in one approvals file: the second is refused.
    let approvals = std::fs::read_to_string(dir.join("approvals.csv")).unwrap();
    let mut lines = approvals.lines();
    let header = lines.next().unwrap();
    let row = lines.next().unwrap();
    let reference_col = header.split(',').position(|c| c == "reference").unwrap();
    let fresh_ref: Vec<String> = row
        .split(',')
        .enumerate()
        .map(|(i, v)| {
            if i == reference_col {
                "NEW-REF-1".to_string()
            } else {
                v.to_string()
            }
        })
        .collect();
    let twice = dir.join("twice.csv");
    let line = fresh_ref.join(",");
    std::fs::write(&twice, format!("{header}\n{line}\n{line}\n")).unwrap();
    let before = count(&d.db, "approvals");
    let e = err(frozen(
        &d.db,
        &[
            "--lang",
            "en",
            "import",
            "approvals",
            twice.to_str().unwrap(),
        ],
    ));
    assert!(
        e.contains(":3: reference: duplicate approval NEW-REF-1: already on line 2"),
        "{e}"
    );
    assert_eq!(count(&d.db, "approvals"), before);
}

#[test]
fn a_huge_lookup_is_refused_in_words() {
    let d = demo();
    let huge = "上".repeat(20_000);
    let e = err(live(&d.db, &["--lang", "en", "lookup", &huge]));
    assert!(e.contains("too long"), "{e}");
    assert!(!e.contains("LIKE"), "{e}");
}

// ------------------------------------------------------------------ 12. large files

#[test]
fn a_file_above_64_mb_needs_large() {
    let d = demo();
    let file = d.dir.path().join("huge.csv");
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap(); // sparse: nothing is really written
    let e = err(live(
        &d.db,
        &["--lang", "en", "import", "items", file.to_str().unwrap()],
    ));
    assert!(e.contains("--large") && e.contains("65 MB"), "{e}");
}
