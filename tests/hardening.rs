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

// ------------------------------------------------------------------ the console in a real pty

/// The console on a real pseudo-terminal (80x24) of which this test holds the master side.
struct Pty {
    master: Option<std::fs::File>,
    child: std::process::Child,
    screen: Vec<u8>,
}

impl Pty {
    fn spawn(cmd: &mut Command) -> Pty {
        use std::os::unix::process::CommandExt;
        let size = nix::pty::Winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = nix::pty::openpty(&size, None).unwrap();
        // openpty(3) does not set close-on-exec: without it every child (this one included)
        // would hold the master open and a hangup could never happen.
        for fd in [&pty.master, &pty.slave] {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            )
            .unwrap();
        }
        let slave = std::fs::File::from(pty.slave);
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
        let master = std::fs::File::from(pty.master);
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
            "{how}: {status:?}"
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
