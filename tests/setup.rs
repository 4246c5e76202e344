//! Installing and running a seat, through the real binary: completions and man pages for every
//! command, configuration layers, `aeo config`, `aeo doctor`, `--version`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A seat with its own system config, user config home, data and state directories.
struct Seat {
    dir: tempfile::TempDir,
}

impl Seat {
    fn new() -> Seat {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home/.config/aeo-console")).unwrap();
        Seat { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn system_config(&self) -> PathBuf {
        self.path("etc-aeo.toml")
    }

    fn user_config(&self) -> PathBuf {
        self.path("home/.config/aeo-console/config.toml")
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_aeo"));
        c.args(args)
            .env("AEO_SYSTEM_CONFIG", self.system_config())
            .env("XDG_CONFIG_HOME", self.path("home/.config"))
            .env("XDG_DATA_HOME", self.path("home/.local/share"))
            .env("XDG_STATE_HOME", self.path("home/.local/state"))
            .env("AEO_SYSTEM_THEMES", self.path("share/themes"))
            .env("AEO_NOW", "2026-11-27 10:00");
        for k in [
            "AEO_DB",
            "AEO_LANG",
            "AEO_READ_ONLY",
            "AEO_THEME",
            "AEO_OFFICE_HOURS",
            "AEO_OPERATOR",
        ] {
            c.env_remove(k);
        }
        c
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.cmd(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("aeo runs")
    }

    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        assert!(
            out.status.success(),
            "aeo {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Every command path below `aeo`: ["queue"], ["item", "take"], ...
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            let mut p = prefix.to_vec();
            p.push(sub.get_name().to_string());
            out.push(p.clone());
            walk(sub, &p, out);
        }
    }
    let mut out = Vec::new();
    walk(&aeo_console::cli::command(), &[], &mut out);
    out
}

#[test]
fn completions_name_every_command_in_each_shell() {
    let seat = Seat::new();
    let paths = command_paths();
    assert!(paths.len() > 30, "{paths:?}");
    for shell in ["bash", "zsh", "fish"] {
        let script = seat.ok(&["completions", shell], &[]);
        for p in &paths {
            let name = p.last().unwrap();
            assert!(
                script.contains(name.as_str()),
                "{shell} completion lacks `aeo {}`",
                p.join(" ")
            );
        }
        // Global options and value choices complete too.
        for word in ["--db", "--lang", "--format", "lookup", "gbk"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = seat.ok(&["completions", "bash"], &[]);
    assert!(
        bash.contains("complete -F") && bash.contains("aeo"),
        "{bash}"
    );
    // A bash that sources it has the completion function.
    let check = Command::new("bash")
        .arg("-c")
        .arg("source /dev/stdin && complete -p aeo")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bash.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("aeo"),
        "bash does not register the completion"
    );
}

#[test]
fn man_pages_exist_for_every_command() {
    let seat = Seat::new();
    let page = seat.ok(&["man"], &[]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH aeo 1"),
        "{page}"
    );
    for p in command_paths().iter().filter(|p| p.len() == 1) {
        // roff writes a hyphen as \-.
        assert!(
            page.contains(&p[0]) || page.contains(&p[0].replace('-', "\\-")),
            "aeo.1 lacks {}",
            p[0]
        );
    }
    let dir = seat.path("man");
    seat.ok(&["man", "--dir", dir.to_str().unwrap()], &[]);
    let cli = aeo_console::cli::command();
    for p in command_paths() {
        let file = dir.join(format!("aeo-{}.1", p.join("-")));
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        // The page carries the command's own description.
        let mut c = &cli;
        for name in &p {
            c = c.find_subcommand(name).unwrap();
        }
        if let Some(about) = c.get_about() {
            let first_word = about.to_string();
            let first_word = first_word.split_whitespace().next().unwrap();
            assert!(
                text.contains(first_word),
                "{} lacks its description",
                file.display()
            );
        }
        assert!(
            text.contains(&format!(".TH aeo-{} 1", p.join("-"))),
            "{}",
            file.display()
        );
    }
    assert!(dir.join("aeo.1").exists());
}

#[test]
fn version_names_the_schema_and_the_holiday_years() {
    let seat = Seat::new();
    let v = seat.ok(&["--version"], &[]);
    assert!(v.starts_with("aeo 0."), "{v}");
    assert!(
        v.contains(&format!("schema {}", aeo_console::store::SCHEMA_VERSION)),
        "{v}"
    );
    for y in aeo_console::calendar::WorkingCalendar::official().known_years() {
        assert!(v.contains(&y.to_string()), "{v}");
    }
}

fn config_json(seat: &Seat, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
    let mut a = vec!["config", "--format", "json"];
    a.extend_from_slice(args);
    serde_json::from_str(&seat.ok(&a, env)).unwrap()
}

fn setting(j: &serde_json::Value, key: &str) -> (String, String) {
    let e = j["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {j}"));
    (
        e["value"].as_str().unwrap().to_string(),
        e["source"].as_str().unwrap().to_string(),
    )
}

#[test]
fn config_layers_system_user_env_flags_each_override_the_one_before() {
    let seat = Seat::new();
    let sys = seat.system_config();
    let user = seat.user_config();
    std::fs::write(
        &sys,
        "db = \"/srv/aeo/aeo.db\"\nlang = \"en\"\ntheme = \"light\"\npane = \"lookup\"\noperator = \"desk\"\n[keys]\ntake = \"space\"\n",
    )
    .unwrap();
    let j = config_json(&seat, &[], &[]);
    assert_eq!(
        setting(&j, "db"),
        ("/srv/aeo/aeo.db".into(), format!("{}:1", sys.display()))
    );
    assert_eq!(
        setting(&j, "pane"),
        ("lookup".into(), format!("{}:4", sys.display()))
    );
    assert_eq!(
        setting(&j, "keys.take"),
        ("Space".into(), format!("{}:7", sys.display()))
    );
    assert_eq!(setting(&j, "office_hours").1, "default");

    // The user's file over the system's.
    std::fs::write(&user, "theme = \"mono\"\nlang = \"zh\"\n").unwrap();
    let j = config_json(&seat, &[], &[]);
    assert_eq!(
        setting(&j, "theme"),
        ("mono".into(), format!("{}:1", user.display()))
    );
    assert_eq!(setting(&j, "lang").0, "zh");
    assert_eq!(setting(&j, "operator").0, "desk");

    // The environment over the files.
    let env = [
        ("AEO_THEME", "dark"),
        ("AEO_DB", "/tmp/env.db"),
        ("AEO_READ_ONLY", "1"),
        ("AEO_LANG", "en"),
        ("AEO_OFFICE_HOURS", "08:30-17:30"),
    ];
    let j = config_json(&seat, &[], &env);
    assert_eq!(
        setting(&j, "theme"),
        ("dark".into(), "env AEO_THEME".into())
    );
    assert_eq!(
        setting(&j, "db"),
        ("/tmp/env.db".into(), "env AEO_DB".into())
    );
    assert_eq!(setting(&j, "read_only").0, "true");
    assert_eq!(setting(&j, "lang"), ("en".into(), "env AEO_LANG".into()));
    assert_eq!(setting(&j, "office_hours").0, "08:30-17:30");

    // Flags over the environment.
    let j = config_json(
        &seat,
        &[
            "--theme",
            "light",
            "--db",
            "/tmp/flag.db",
            "--pane",
            "approvals",
        ],
        &env,
    );
    assert_eq!(
        setting(&j, "theme"),
        ("light".into(), "flag --theme".into())
    );
    assert_eq!(
        setting(&j, "db"),
        ("/tmp/flag.db".into(), "flag --db".into())
    );
    assert_eq!(
        setting(&j, "pane"),
        ("approvals".into(), "flag --pane".into())
    );

    // The table says the same, with the files looked for.
    let t = seat.ok(&["config", "--lang", "en"], &[]);
    assert!(
        t.contains("config file") && t.contains(&sys.display().to_string()),
        "{t}"
    );

    // The layered office hours reach the command that uses them.
    let db = seat.path("seat.db");
    let db = db.to_str().unwrap();
    seat.ok(&["--db", db, "demo"], &[]);
    let args = [
        "--db",
        db,
        "--lang",
        "en",
        "clearance",
        "--enterprise",
        "3105910001",
        "--at",
        "2026-11-30 08:00",
    ];
    seat.ok(&args, &[]);
    let out = seat.run(&args, &[("AEO_OFFICE_HOURS", "07:00-17:00")]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("office hours"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&user, "office_hours = \"07:30-17:00\"\n").unwrap();
    assert!(!seat.run(&args, &[]).status.success());
}

#[test]
fn unknown_keys_and_conflicting_bindings_are_refused_with_file_and_line() {
    let seat = Seat::new();
    let user = seat.user_config();
    std::fs::write(&user, "lang = \"zh\"\n\ncolour = \"red\"\n").unwrap();
    let out = seat.run(&["queue"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:", user.display())) && err.contains("colour"),
        "{err}"
    );

    std::fs::write(&user, "[keys]\nquit = \"Q\"\ntake = \"d\"\n").unwrap();
    let out = seat.run(&["config"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3: [keys] take:", user.display())) && err.contains("decide"),
        "{err}"
    );

    // A bad system file is named too, and doctor reports it as a failure.
    std::fs::write(&user, "").unwrap();
    std::fs::write(seat.system_config(), "pane = \"inbox\"\n").unwrap();
    let out = seat.run(&["--lang", "en", "doctor"], &[]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("[FAIL]")
            && l.contains(&format!("{}:1: pane:", seat.system_config().display()))),
        "{text}"
    );
}

fn doctor(seat: &Seat, db: &Path, extra: &[&str]) -> (bool, serde_json::Value) {
    let mut args = vec!["--db", db.to_str().unwrap(), "--lang", "en"];
    args.extend_from_slice(extra);
    args.extend(["doctor", "--json"]);
    let out = seat.run(&args, &[("TERM", "xterm-256color"), ("LANG", "C.UTF-8")]);
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn check<'a>(j: &'a serde_json::Value, what: &str) -> Vec<&'a serde_json::Value> {
    j.as_array()
        .unwrap()
        .iter()
        .filter(|c| c["what"] == what)
        .collect()
}

/// A theme name is looked for in the user's theme directory, then the system's (the package's),
/// then among the built-in ones; doctor says which file is used and where names are looked for.
#[test]
fn theme_names_are_found_in_the_users_and_the_systems_theme_directories() {
    let seat = Seat::new();
    let db = seat.path("aeo.db");
    seat.ok(&["--db", db.to_str().unwrap(), "init"], &[]);
    let theme =
        |name: &str| format!("name = \"{name}\"\n[styles]\nbase = {{ fg = \"#102030\" }}\n");
    let system = seat.path("share/themes");
    let user = seat.path("home/.config/aeo-console/themes");
    std::fs::create_dir_all(&system).unwrap();
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(system.join("harbour.toml"), theme("harbour")).unwrap();
    std::fs::write(system.join("desk.toml"), theme("system desk")).unwrap();
    std::fs::write(user.join("desk.toml"), theme("user desk")).unwrap();
    let theme_check = |extra: &[&str]| {
        let (ok, j) = doctor(&seat, &db, extra);
        let c = check(&j, "theme");
        assert_eq!(c.len(), 1, "{j:#}");
        (
            ok,
            c[0]["level"].as_str().unwrap().to_string(),
            c[0]["detail"].as_str().unwrap().to_string(),
        )
    };
    let (ok, level, detail) = theme_check(&["--theme", "harbour"]);
    assert!(ok && level == "ok", "{level}: {detail}");
    assert!(
        detail.starts_with(&format!(
            "harbour (flag --theme): {}",
            system.join("harbour.toml").display()
        )),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("{}/NAME.toml", user.display())),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("{}/NAME.toml", system.display())),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("desk ({})", user.join("desk.toml").display())),
        "the user's file comes first: {detail}"
    );
    assert!(
        detail.contains("light, mono"),
        "built-in ones listed: {detail}"
    );
    std::fs::write(seat.user_config(), "theme = \"desk\"\n").unwrap();
    let (ok, level, detail) = theme_check(&[]);
    assert!(ok && level == "ok", "{level}: {detail}");
    assert!(
        detail.contains(&format!("): {};", user.join("desk.toml").display())),
        "{detail}"
    );
    let (ok, level, detail) = theme_check(&["--theme", "nowhere"]);
    assert!(!ok && level == "fail", "{level}: {detail}");
    assert!(
        detail.contains("harbour") && detail.contains(&system.display().to_string()),
        "{detail}"
    );
}

#[test]
fn doctor_on_a_healthy_a_wrong_mode_and_a_newer_schema_database() {
    let seat = Seat::new();
    let dir = seat.path("srv");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = dir.join("aeo.db");
    seat.ok(&["--db", db.to_str().unwrap(), "init"], &[]);

    let (ok, j) = doctor(&seat, &db, &[]);
    assert!(ok, "{j:#}");
    for what in [
        "database path",
        "schema version",
        "file mode",
        "WAL",
        "integrity (quick_check)",
        "free disk",
        "holiday data",
        "UTF-8 locale",
        "log directory",
    ] {
        let c = check(&j, what);
        assert!(!c.is_empty(), "no {what} check: {j:#}");
        assert!(c.iter().all(|c| c["level"] == "ok"), "{what}: {j:#}");
    }

    // A shared seat: 0660 with a setgid 2770 directory is fine.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o660)).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let (ok, j) = doctor(&seat, &db, &[]);
    assert!(ok, "{j:#}");
    assert!(
        check(&j, "file mode")[0]["detail"]
            .as_str()
            .unwrap()
            .contains("shared seat")
    );

    // World-readable: a failure that says what to do.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (ok, j) = doctor(&seat, &db, &[]);
    assert!(!ok);
    let c = check(&j, "file mode");
    assert_eq!(c[0]["level"], "fail", "{j:#}");
    assert!(c[0]["detail"].as_str().unwrap().contains("chmod"), "{j:#}");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();

    // A database written by a newer aeo.
    let newer = crate_schema() as i64 + 1;
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let (ok, j) = doctor(&seat, &db, &[]);
    assert!(!ok);
    let c = check(&j, "schema version");
    assert_eq!(c[0]["level"], "fail", "{j:#}");
    assert!(c[0]["detail"].as_str().unwrap().contains("newer"), "{j:#}");
    // ... and doctor left it as it was.
    let v: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, newer);

    // A missing database is a failure that suggests --db / AEO_DB, and is not created.
    let missing = seat.path("nowhere/aeo.db");
    let (ok, j) = doctor(&seat, &missing, &[]);
    assert!(!ok);
    let d = check(&j, "database path")[0]["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(d.contains("AEO_DB") && d.contains("--db"), "{d}");
    assert!(!missing.exists());
}

fn crate_schema() -> usize {
    aeo_console::store::SCHEMA_VERSION
}

#[test]
fn doctor_warns_from_the_first_of_december_when_next_years_holidays_are_missing() {
    let seat = Seat::new();
    let db = seat.path("aeo.db");
    seat.ok(&["--db", db.to_str().unwrap(), "init"], &[]);
    let cal = aeo_console::calendar::WorkingCalendar::official();
    let last = *cal.known_years().last().unwrap();
    let nov = format!("{last}-11-30 12:00");
    let dec = format!("{last}-12-01 09:00");
    let (_, j) = doctor(&seat, &db, &["--now", &nov]);
    assert_eq!(check(&j, "holiday data")[0]["level"], "ok", "{j:#}");
    let (ok, j) = doctor(&seat, &db, &["--now", &dec]);
    let c = check(&j, "holiday data");
    assert_eq!(c[0]["level"], "warn", "{j:#}");
    assert!(
        c[0]["detail"]
            .as_str()
            .unwrap()
            .contains(&(last + 1).to_string())
    );
    assert!(ok, "a warning alone does not fail: {j:#}");
    // In a year without a file the statutory holidays are still known; the warning says so.
    let (_, j) = doctor(&seat, &db, &["--now", &format!("{}-03-02 09:00", last + 1)]);
    let c = check(&j, "holiday data");
    assert_eq!(c[0]["level"], "warn", "{j:#}");
    let detail = c[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("statutory holidays known, make-up days not published"),
        "{detail}"
    );
}

#[test]
fn a_database_path_that_did_not_exist_is_announced_not_passed_off_as_empty_work() {
    let seat = Seat::new();
    let db = seat.path("typo.db");
    // The CLI's listings refuse it and suggest --db / AEO_DB ...
    let out = seat.run(&["--db", db.to_str().unwrap(), "queue"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not exist") && err.contains("AEO_DB"),
        "{err}"
    );
    assert!(!db.exists());
    // ... and a read-only seat cannot create it either.
    let out = seat.run(&["--db", db.to_str().unwrap(), "--read-only"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("AEO_DB"), "{err}");
}

#[test]
fn logs_go_to_a_daily_file_never_the_terminal() {
    let seat = Seat::new();
    let db = seat.path("aeo.db");
    let db = db.to_str().unwrap();
    seat.ok(&["--db", db, "demo"], &[]);
    let out = seat.run(
        &["--db", db, "--read-only", "item", "take", "1"],
        &[("AEO_LOG_SLOW_MS", "0")],
    );
    assert!(!out.status.success());
    // The terminal gets the one-line error and nothing of the log.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!err.contains("INFO") && !err.contains("WARN"), "{err}");
    assert!(out.stdout.is_empty());
    let dir = seat.path("home/.local/state/aeo-console");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap().to_string();
    assert!(
        name.starts_with("aeo.20") && name.ends_with(".log"),
        "{name}"
    );
    let log = std::fs::read_to_string(&files[0]).unwrap();
    for want in [
        "INFO start",
        "read_only=true",
        "write refused: read-only seat",
        "ERROR failed",
        "slow query",
        "INFO stop ok=false",
    ] {
        assert!(log.contains(want), "log lacks {want}:\n{log}");
    }
    // --log-level error keeps only errors; a configured directory is used.
    let elsewhere = seat.path("logs");
    std::fs::write(
        seat.user_config(),
        format!("log_dir = \"{}\"\n", elsewhere.display()),
    )
    .unwrap();
    seat.ok(&["--db", db, "--log-level", "error", "queue"], &[]);
    let _ = seat.run(
        &["--db", db, "--log-level", "error", "item", "take", "999999"],
        &[],
    );
    let log = std::fs::read_dir(&elsewhere)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(!log.contains("INFO"), "{log}");
    assert!(log.contains("ERROR failed"), "{log}");
}

/// Decodes with the system's iconv, independent of the crates that wrote the file.
fn iconv(from: &str, bytes: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("iconv")
        .args(["-f", from, "-t", "UTF-8"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("iconv runs");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "iconv -f {from} refused the file");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn exports_in_gbk_and_utf8_with_bom_decode_to_the_same_text() {
    let seat = Seat::new();
    let db = seat.path("aeo.db");
    let db = db.to_str().unwrap();
    seat.ok(&["--db", db, "demo"], &[]);
    for table in ["enterprises", "coordinators"] {
        let plain = seat.ok(&["--db", db, "export", table], &[]);
        assert!(
            plain.chars().any(|c| c > '\u{4e00}'),
            "Chinese text expected"
        );
        let run = |enc: &str| {
            let out = seat.run(&["--db", db, "export", table, "--encoding", enc], &[]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let gbk = run("gbk");
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "GBK bytes are not UTF-8"
        );
        assert_eq!(iconv("GBK", &gbk), plain, "{table}");
        let bom = run("utf-8-bom");
        assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
        assert_eq!(iconv("UTF-8", &bom[3..]), plain);
        // A GBK file written to disk imports again (the import detects GBK).
        let file = seat.path(&format!("{table}.csv"));
        let out = seat.run(
            &[
                "--db",
                db,
                "export",
                table,
                "--encoding",
                "gbk",
                "-o",
                file.to_str().unwrap(),
            ],
            &[],
        );
        assert!(out.status.success());
        assert_eq!(iconv("GBK", &std::fs::read(&file).unwrap()), plain);
    }
    let out = seat.run(
        &[
            "--db",
            db,
            "export",
            "enterprises",
            "--format",
            "json",
            "--encoding",
            "gbk",
        ],
        &[],
    );
    assert!(!out.status.success());
}

#[test]
fn the_day_report_as_csv_for_a_spreadsheet_in_gbk_or_with_a_bom() {
    let seat = Seat::new();
    let db = seat.path("aeo.db");
    let db = db.to_str().unwrap();
    seat.ok(&["--db", db, "demo"], &[]);
    let date = "2026-11-27";
    let j: serde_json::Value =
        serde_json::from_str(&seat.ok(&["--db", db, "report", "day", date, "--json"], &[]))
            .unwrap();
    let bookings: usize = j["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["bookings"].as_array().unwrap().len().max(1))
        .sum();
    assert!(bookings > 0, "{j}");
    for lang in ["zh", "en"] {
        let csv_text = seat.ok(
            &[
                "--db", db, "--lang", lang, "report", "day", date, "--format", "csv",
            ],
            &[],
        );
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header[0], if lang == "zh" { "日期" } else { "date" });
        let n = r.records().collect::<Result<Vec<_>, _>>().unwrap().len();
        assert_eq!(n, bookings, "one line per booking, or per empty slot");
        let gbk = seat.run(
            &[
                "--db",
                db,
                "--lang",
                lang,
                "report",
                "day",
                date,
                "--format",
                "csv",
                "--encoding",
                "gbk",
            ],
            &[],
        );
        assert!(gbk.status.success());
        assert_eq!(iconv("GBK", &gbk.stdout), csv_text);
    }
}
