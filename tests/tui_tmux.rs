//! The real binary in a real terminal (tmux): open the demo console, switch panes, find an
//! enterprise by its pinyin initials, open its hotline card, book an AEO weekend slot, watch a
//! countdown tick, quit, and find the terminal restored. Skipped only when tmux is missing.

use aeo_console::calendar::{WorkingCalendar, shanghai_date};
use jiff::ToSpan;
use jiff::civil::Weekday;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A 100x30 tmux session running a shell whose prompt is `prompt`, with the console's
    /// database and config in `dir`; returns once the prompt shows.
    fn shell(name: &str, prompt: &str, dir: &std::path::Path, db: &std::path::Path) -> Tmux {
        let t = Tmux {
            socket: format!("aeo-{name}-{}", std::process::id()),
        };
        let shell = format!(
            "env PS1='{prompt}' XDG_CONFIG_HOME='{}' AEO_DB='{}' AEO_OPERATOR=e2e sh",
            dir.display(),
            db.display()
        );
        t.cmd(&[
            "new-session",
            "-d",
            "-x",
            "100",
            "-y",
            "30",
            "-s",
            "aeo",
            &shell,
        ]);
        t.wait_for(prompt.trim_end(), 10);
        t
    }

    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn capture(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "aeo"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "aeo"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    fn type_text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "aeo", "-l", text]);
    }

    fn alternate_on(&self) -> String {
        self.cmd(&["display-message", "-p", "-t", "aeo", "#{alternate_on}"])
            .trim()
            .to_string()
    }

    /// Polls the screen until `pred` holds; fails with the last screen after `secs`.
    fn wait(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > end {
                panic!("timed out waiting for {what}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&self, text: &str, secs: u64) -> String {
        self.wait(&format!("'{text}'"), secs, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn tmux_installed() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// A Saturday or Sunday off, far enough ahead that the demo left free places (days 11–30).
fn weekend_day_off() -> jiff::civil::Date {
    let cal = WorkingCalendar::official();
    let today = shanghai_date(jiff::Timestamp::now());
    (11..30)
        .map(|n| today + n.days())
        .find(|d| {
            matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !cal.is_working_day(*d)
        })
        .expect("a weekend day off within the demo's month")
}

#[test]
fn an_operator_finds_a_caller_books_a_weekend_slot_and_quits_cleanly() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let t = Tmux::shell("e2e", "e2e$ ", dir.path(), &db);
    t.type_text(&format!("{} --demo", env!("CARGO_BIN_EXE_aeo")));
    t.keys(&["Enter"]);

    // Open: the queue, marked DEMO, on the alternate screen.
    // Frames reach tmux in pieces: wait for everything a check needs, then check.
    t.wait("the demo queue", 60, |s| {
        s.contains("优先队列 ·") && s.contains("DEMO") && s.contains("e2e")
    });
    assert_eq!(t.alternate_on(), "1");

    // Switch panes.
    t.keys(&["2"]);
    t.wait_for("当日看板", 10);
    t.keys(&["3"]);
    t.wait_for("待办审批 ·", 10);
    t.keys(&["Tab"]);
    t.wait_for("企业查询 ·", 10);

    // Find SAIC by its initials and open the hotline card.
    t.keys(&["/"]);
    t.type_text("shqc");
    t.wait_for("上海汽车集团股份有限公司", 10);
    t.keys(&["Enter"]);
    t.wait("the hotline card", 10, |s| {
        s.contains("AEOCN3105910001") && s.contains("协调员") && s.contains("962116")
    });
    t.keys(&["Escape"]);
    t.wait("the card to close", 10, |s| !s.contains("AEOCN3105910001"));

    // Book an AEO weekend slot: the form offers AEO enterprises only on a day off.
    let day = weekend_day_off();
    t.type_text(&format!(":book {day}"));
    t.keys(&["Enter"]);
    t.wait_for("只列出 AEO 企业", 10);
    t.type_text("shqc");
    t.wait_for("上海汽车集团股份有限公司", 10);
    t.keys(&["Enter"]);
    t.wait("the booking to be confirmed", 10, |s| {
        s.contains("已预约查验") && s.contains(&day.to_string())
    });

    // A countdown ticks with the real clock.
    t.keys(&["3"]);
    t.wait_for("待办审批 ·", 10);
    // Let the pane's first frame settle, then wait for the header clock to move on.
    std::thread::sleep(Duration::from_millis(300));
    let first = t.capture();
    let header = |s: &str| s.lines().next().unwrap_or_default().to_string();
    let later = t.wait("the clock to tick", 10, |s| {
        header(s) != header(&first) && s.contains("待办审批 ·")
    });
    let changed: Vec<(&str, &str)> = first
        .lines()
        .zip(later.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert!(
        changed.iter().any(|(a, _)| a.contains("上海")),
        "the header clock ticks"
    );
    assert!(
        changed.len() > 1,
        "countdown rows tick as well as the header clock:\n{first}\n{later}"
    );

    // Quit: the terminal is back to the shell, off the alternate screen.
    t.keys(&["q"]);
    t.wait("the alternate screen to close", 10, |_| {
        t.alternate_on() == "0"
    });
    let s = t.wait("the shell prompt", 10, |s| {
        s.lines()
            .rfind(|l| !l.trim().is_empty())
            .is_some_and(|l| l.starts_with("e2e$"))
    });
    assert!(!s.contains("优先队列"), "{s}");
}

#[test]
fn an_enterprise_named_with_escape_sequences_shows_as_plain_text() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostile.db");
    let csv = dir.path().join("hostile.csv");
    // Clear screen, retitle the window, ring the bell: all must stay inert data.
    let name = "恶意\u{1b}[2J\u{1b}]0;pwned\u{7}贸易有限公司";
    std::fs::write(
        &csv,
        format!(
            "uscc,customs_code,name_zh,name_en,credit,industries,group,coordinator_phone\n\
             91310000132260250X,3105910001,{name},,advanced,logistics,,\n"
        ),
    )
    .unwrap();
    let aeo = env!("CARGO_BIN_EXE_aeo");
    for args in [
        vec!["init"],
        vec!["import", "enterprises", csv.to_str().unwrap()],
    ] {
        let out = Command::new(aeo)
            .args(&args)
            .env("AEO_DB", &db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let t = Tmux::shell("hostile", "h$ ", dir.path(), &db);
    t.type_text(aeo);
    t.keys(&["Enter"]);
    t.wait_for("优先队列 ·", 30);
    t.keys(&["4", "/"]);
    t.type_text("3105910001");
    // The escape shows as text and the screen around it stays (a cleared screen would not).
    t.wait("the name shown as plain text", 10, |s| {
        s.contains("恶意\\u{1b}[2J") && s.contains("优先队列") && s.contains("企业查询")
    });
    let title = t.cmd(&["display-message", "-p", "-t", "aeo", "#{pane_title}"]);
    assert!(
        !title.contains("pwned"),
        "the window title changed to {title}"
    );
    t.keys(&["Enter"]);
    t.wait("the card with the name as text", 10, |s| {
        s.contains("AEOCN3105910001") && s.contains("恶意\\u{1b}")
    });
    t.keys(&["Escape"]);
    t.wait("the card to close", 10, |s| !s.contains("AEOCN3105910001"));
    t.keys(&["q"]);
    t.wait("the alternate screen to close", 10, |_| {
        t.alternate_on() == "0"
    });
}

#[test]
fn an_operator_logs_a_call_from_the_card_and_sees_it_on_the_card_and_in_aeo_calls() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("calls.db");
    let t = Tmux::shell("calls", "c$ ", dir.path(), &db);
    let aeo = env!("CARGO_BIN_EXE_aeo");
    t.type_text(&format!("{aeo} --demo"));
    t.keys(&["Enter"]);
    t.wait("the demo queue", 60, |s| {
        s.contains("优先队列 ·") && s.contains("DEMO")
    });
    // The caller: SAIC, found by its initials; n opens the call form on its card.
    t.keys(&["4", "/"]);
    t.type_text("shqc");
    t.wait_for("上海汽车集团股份有限公司", 10);
    t.keys(&["Enter"]);
    t.wait_for("AEOCN3105910001", 10);
    t.keys(&["n"]);
    t.wait_for("记录来电", 10);
    t.type_text("端午节能否预约查验冷链货物？");
    t.keys(&["Tab"]);
    t.type_text("可以，5+2预约");
    t.keys(&["Enter"]);
    // Back on the card, which lists the call among the latest.
    t.wait("the call on the card", 10, |s| {
        s.contains("AEOCN3105910001")
            && s.contains("端午节能否预约查验冷链货物？")
            && s.contains("已记录")
    });
    t.keys(&["Escape"]);
    t.wait("the card to close", 10, |s| !s.contains("AEOCN3105910001"));
    t.keys(&["q"]);
    t.wait("the alternate screen to close", 10, |_| {
        t.alternate_on() == "0"
    });
    // The same call from the command line, taken by this operator.
    let out = Command::new(aeo)
        .args([
            "calls",
            "--enterprise",
            "91310000132260250X",
            "--json",
            "--limit",
            "1",
        ])
        .env("AEO_DB", &db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(calls[0]["question"], "端午节能否预约查验冷链货物？");
    assert_eq!(calls[0]["answer"], "可以，5+2预约");
    assert_eq!(calls[0]["operator"], "e2e");
    assert_eq!(calls[0]["channel"], "hotline");
}
