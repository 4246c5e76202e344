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
    // The goods are required (Tab to their field).
    t.keys(&["Tab"]);
    t.type_text("汽车零部件");
    t.wait_for("货物 汽车零部件", 10);
    t.keys(&["Enter"]);
    // Booking asks first, naming the enterprise; Enter alone would answer No.
    t.wait("the confirmation", 10, |s| {
        s.contains("请确认") && s.contains("预约查验：")
    });
    t.keys(&["Right", "Enter"]);
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

    // Quit: q asks first; then the terminal is back to the shell, off the alternate screen.
    t.keys(&["q"]);
    t.wait_for("退出控制台？", 10);
    t.keys(&["Right", "Enter"]);
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
    t.keys(&["C-c"]);
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
    t.keys(&["C-c"]);
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

// ------------------------------------------------------------------ safe hands

/// Every row of every table, as text: equal dumps mean the data did not change.
fn dump(db: &std::path::Path) -> String {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        let mut rows: Vec<String> = rows.map(|r| r.unwrap().join("|")).collect();
        rows.sort();
        for row in rows {
            out.push_str(&format!("{t}: {row}\n"));
        }
    }
    out
}

/// A console on a fresh demo database at `db`, in a terminal of `w`x`h`.
fn demo_console(name: &str, dir: &std::path::Path, db: &std::path::Path, w: u16, h: u16) -> Tmux {
    let t = Tmux::shell(name, "s$ ", dir, db);
    t.cmd(&[
        "resize-window",
        "-t",
        "aeo",
        "-x",
        &w.to_string(),
        "-y",
        &h.to_string(),
    ]);
    t.type_text(&format!(
        "{} --demo --db '{}'",
        env!("CARGO_BIN_EXE_aeo"),
        db.display()
    ));
    t.keys(&["Enter"]);
    t.wait("the demo queue", 60, |s| {
        s.contains("优先队列 ·") && s.contains("DEMO")
    });
    t
}

impl Tmux {
    /// Esc on its own: a letter right after it would read as Alt-letter.
    fn escape(&self) {
        self.keys(&["Escape"]);
        std::thread::sleep(Duration::from_millis(150));
    }
}

#[test]
fn typing_callers_names_on_every_pane_changes_no_data_and_the_console_runs_on() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("safe.db");
    let t = demo_console("names", dir.path(), &db, 80, 23);
    let before = dump(&db);
    // Pinyin names with every letter that once acted: q t f x c d r p b (and u, undo).
    let names = [
        "shqc fuxing",
        "fuyang tiancheng",
        "xiaodong dapeng",
        "rongbang qiaobo",
    ];
    for (pane, title) in [
        ("1", "优先队列 ·"),
        ("2", "当日看板"),
        ("3", "待办审批 ·"),
        ("4", "企业查询 ·"),
        ("5", "今日待办 ·"),
    ] {
        for _ in 0..3 {
            t.escape();
        }
        t.keys(&[pane]);
        t.wait_for(title, 10);
        if pane == "4" {
            // Out of the lookup box, so letters reach the keys of the result list.
            t.escape();
        }
        if pane == "3" || pane == "2" {
            // Into the list (the day board), where the record keys act.
            t.keys(&["Enter"]);
            std::thread::sleep(Duration::from_millis(200));
            t.escape();
        }
        for n in names {
            t.type_text(n);
            t.keys(&["Enter"]);
            std::thread::sleep(Duration::from_millis(100));
        }
        let s = t.wait("the console to answer", 10, |s| s.contains("AEO 控制台"));
        assert_eq!(
            t.alternate_on(),
            "1",
            "the console quit on pane {pane}:\n{s}"
        );
    }
    for _ in 0..3 {
        t.escape();
    }
    t.keys(&["1"]);
    t.wait_for("优先队列 ·", 10);
    assert_eq!(t.alternate_on(), "1");
    assert!(before == dump(&db), "typing names changed the data");
    t.keys(&["C-c"]);
    t.wait("the console to end", 10, |_| t.alternate_on() == "0");
}

#[test]
fn the_cursor_stays_on_the_approval_after_pause_and_resume() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cursor.db");
    let t = demo_console("cursor", dir.path(), &db, 100, 30);
    t.keys(&["3"]);
    t.wait_for("待办审批 ·", 10);
    // A running approval a few rows down.
    t.keys(&["j", "j", "j", "j"]);
    std::thread::sleep(Duration::from_millis(200));
    let query = |sql: &str| -> String {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    let pauses = || query("SELECT CAST(count(*) AS TEXT) FROM approval_pauses");
    let before = pauses();
    t.keys(&["p"]);
    t.wait_for("专家评审", 10);
    t.keys(&["1"]);
    t.wait_for("请确认", 10);
    t.keys(&["Right", "Enter"]);
    t.wait("the clock paused", 10, |s| {
        s.contains("暂停计时") && !s.contains("请确认")
    });
    assert_ne!(pauses(), before, "the pause was recorded");
    let paused_name = query(
        "SELECT e.name_zh FROM approval_pauses p JOIN approvals a ON a.id = p.approval_id
         JOIN enterprises e ON e.id = a.enterprise_id ORDER BY p.id DESC LIMIT 1",
    );
    // The paused row moved; Enter opens the card of the row under the cursor.
    t.keys(&["Enter"]);
    t.wait("the card of the paused approval's enterprise", 10, |s| {
        s.contains("962116") && s.contains(&paused_name)
    });
    t.escape();
    t.keys(&["r"]);
    t.wait_for("请确认", 10);
    t.keys(&["Right", "Enter"]);
    t.wait("the clock running again", 10, |s| {
        s.contains("恢复计时") && !s.contains("请确认")
    });
    t.keys(&["Enter"]);
    t.wait("the card of the same enterprise", 10, |s| {
        s.contains("962116") && s.contains(&paused_name)
    });
    t.keys(&["C-c"]);
}

#[test]
fn a_20_kb_paste_into_a_filter_leaves_the_console_answering_the_next_key() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("paste.db");
    let t = demo_console("paste", dir.path(), &db, 100, 30);
    // Words no enterprise, kind or number matches, so the filter ends at 0.
    let text: String = "xqzw vkpj ".repeat(20 * 1024 / 10 + 1);
    assert!(text.len() >= 20 * 1024);
    let big = dir.path().join("paste.txt");
    std::fs::write(&big, &text).unwrap();
    let mut replies = Vec::new();

    // The queue filter, pasted (bracketed paste: one event) then typed (20 K key events).
    for how in ["paste", "typed"] {
        t.keys(&["/"]);
        t.wait_for("/ 筛选", 10);
        let start = Instant::now();
        if how == "paste" {
            t.cmd(&["load-buffer", "-b", "big", big.to_str().unwrap()]);
            t.cmd(&["paste-buffer", "-p", "-b", "big", "-t", "aeo"]);
        } else {
            // As keys, the way a terminal without bracketed paste delivers it (tmux takes
            // a few KB per command).
            for chunk in text.as_bytes().chunks(2048) {
                t.type_text(std::str::from_utf8(chunk).unwrap());
            }
        }
        // The filter answers: no match, or the query is refused as too long.
        t.wait("the filter to answer the pasted text", 30, |s| {
            s.contains(" 0 项匹配") || s.contains("太长")
        });
        let key_at = Instant::now();
        t.escape();
        t.wait("Esc to clear the filter", 30, |s| !s.contains("项匹配"));
        replies.push((
            format!("queue filter ({how})"),
            key_at.elapsed(),
            start.elapsed(),
        ));
    }

    // The approvals filter.
    t.keys(&["3"]);
    t.wait_for("待办审批 ·", 10);
    t.keys(&["/"]);
    t.wait_for("/ 筛选", 10);
    t.cmd(&["load-buffer", "-b", "big", big.to_str().unwrap()]);
    let start = Instant::now();
    t.cmd(&["paste-buffer", "-p", "-b", "big", "-t", "aeo"]);
    t.wait("the approvals filter to answer the pasted text", 30, |s| {
        s.contains(" 0 件匹配") || s.contains("太长")
    });
    let key_at = Instant::now();
    t.escape();
    t.wait("Esc to clear the approvals filter", 30, |s| {
        !s.contains("件匹配")
    });
    replies.push((
        "approvals filter".to_string(),
        key_at.elapsed(),
        start.elapsed(),
    ));

    // The lookup box.
    t.keys(&["4"]);
    t.wait_for("企业查询 ·", 10);
    t.cmd(&["load-buffer", "-b", "big", big.to_str().unwrap()]);
    let start = Instant::now();
    t.cmd(&["paste-buffer", "-p", "-b", "big", "-t", "aeo"]);
    t.wait("the lookup to answer the pasted text", 30, |s| {
        s.contains("没有找到企业") || s.contains("太长")
    });
    let key_at = Instant::now();
    t.keys(&["C-u"]);
    t.wait("Ctrl-U to clear the box", 30, |s| {
        s.contains("输入名称、拼音首字母")
    });
    replies.push(("lookup".to_string(), key_at.elapsed(), start.elapsed()));

    for (what, reply, total) in &replies {
        eprintln!("{what}: reply to the next key {reply:?}, paste to reply {total:?}");
        assert!(
            *reply < Duration::from_secs(1),
            "{what}: the key after a 20 KB paste took {reply:?}"
        );
    }
    t.keys(&["C-c"]);
}

/// The data rows of a workbook's first sheet, as text.
fn workbook_rows(path: &std::path::Path) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(path).expect("a workbook");
    let range = book.worksheet_range_at(0).expect("a sheet").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The number in "已导出 N 行" / "exported N rows".
fn exported_count(screen: &str) -> usize {
    let rest = screen
        .split("已导出 ")
        .nth(1)
        .or_else(|| screen.split("exported ").nth(1))
        .expect("an export message");
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn ctrl_s_exports_the_panes_filtered_view_and_asks_before_replacing_a_file() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("export.db");
    let t = demo_console("export", dir.path(), &db, 80, 23);
    let out = dir.path().join("queue.xlsx");
    let export_to = |path: &std::path::Path| {
        t.keys(&["C-s"]);
        let s = t.wait_for(":export queue-", 10);
        assert!(
            s.contains(".xlsx"),
            "a workbook named after the pane is offered:\n{s}"
        );
        t.keys(&["C-u"]);
        t.type_text(&format!("export {}", path.display()));
        t.keys(&["Enter"]);
    };
    // The whole queue: every open item, not only the rows on the screen.
    let screen = t.capture();
    let total: usize = screen
        .split("优先队列 · ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the queue's count in its title");
    export_to(&out);
    let s = t.wait_for("已导出", 10);
    assert_eq!(exported_count(&s), total, "{s}");
    let rows = workbook_rows(&out);
    assert_eq!(rows.len(), total + 1, "a header and every open item");
    assert_eq!(rows[0][0], "编号", "Chinese headers: {:?}", rows[0]);
    assert!(total > 30, "more than a screen: {total}");

    // Filtered: only what the filter selects.
    t.keys(&["/"]);
    t.type_text("锦江");
    t.keys(&["Enter"]);
    t.wait_for("项匹配", 10);
    let filtered = dir.path().join("jinjiang.csv");
    export_to(&filtered);
    let s = t.wait_for("已导出", 10);
    let n = exported_count(&s);
    let text = std::fs::read_to_string(&filtered).unwrap();
    assert!(text.starts_with('\u{feff}'), "CSV for Excel carries a BOM");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), n);
    assert!(n > 0 && n < total, "{n} of {total}");
    assert!(lines.iter().all(|l| l.contains("锦江")), "{text}");

    // The same file again: a question, No keeps the file, Yes replaces it.
    let before = std::fs::read(&out).unwrap();
    export_to(&out);
    let s = t.wait_for("已存在，替换它吗？", 10);
    assert!(s.contains("[否]"), "No is the default:\n{s}");
    t.keys(&["Enter"]);
    t.wait_for("已取消", 10);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        before,
        "No leaves the file alone"
    );
    export_to(&out);
    t.wait_for("已存在，替换它吗？", 10);
    t.keys(&["Right", "Enter"]);
    let s = t.wait_for("已导出", 10);
    assert_eq!(exported_count(&s), n, "the filtered view replaced the file");
    assert_eq!(workbook_rows(&out).len(), n + 1);

    // Never the database, whatever it is called.
    t.keys(&["C-s"]);
    t.wait_for(":export", 10);
    t.keys(&["C-u"]);
    t.type_text(&format!("export {}", db.display()));
    t.keys(&["Enter"]);
    t.wait_for(".xlsx", 10);
    assert_eq!(t.alternate_on(), "1");
    t.keys(&["C-c"]);
    t.wait("the console to end", 10, |_| t.alternate_on() == "0");
}

#[test]
fn in_english_the_day_board_and_today_export_with_english_headers() {
    if !tmux_installed() {
        eprintln!("SKIPPED: tmux is not installed (the CI image installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("en.db");
    let t = Tmux::shell("export-en", "s$ ", dir.path(), &db);
    t.type_text(&format!(
        "{} --demo --lang en --db '{}'",
        env!("CARGO_BIN_EXE_aeo"),
        db.display()
    ));
    t.keys(&["Enter"]);
    t.wait_for("Queue", 60);
    t.keys(&["2"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["C-s"]);
    t.wait_for(":export inspections-", 10);
    let out = dir.path().join("day.csv");
    t.keys(&["C-u"]);
    t.type_text(&format!("export {}", out.display()));
    t.keys(&["Enter"]);
    let s = t.wait_for("exported", 10);
    let n = exported_count(&s);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("\u{feff}date,slot,office,start,end,capacity,booking"),
        "{text}"
    );
    assert_eq!(text.lines().count(), n + 1);
    // Today: its sections in one sheet, a line per entry.
    t.keys(&["5"]);
    t.wait_for("Approvals overdue or nearly due", 10);
    t.keys(&["C-s"]);
    t.wait_for(":export today-", 10);
    let out = dir.path().join("today.xlsx");
    t.keys(&["C-u"]);
    t.type_text(&format!("export {}", out.display()));
    t.keys(&["Enter"]);
    let s = t.wait_for("exported", 10);
    let rows = workbook_rows(&out);
    assert_eq!(rows.len(), exported_count(&s) + 1);
    assert_eq!(rows[0][..3], ["section", "id", "what"]);
    assert!(rows.iter().any(|r| r[0] == "approval"), "{rows:?}");
    t.keys(&["C-s"]);
    t.wait_for(":export", 10);
    t.keys(&["C-u"]);
    t.type_text("export notes.txt");
    t.keys(&["Enter"]);
    t.wait_for("name the file .xlsx", 10);
    t.keys(&["C-c"]);
    t.wait("the console to end", 10, |_| t.alternate_on() == "0");
}

/// Two consoles on one database, on each backend: a change another operator commits shows on
/// both within a couple of seconds (SQLite's data_version; PostgreSQL's LISTEN/NOTIFY). On
/// PostgreSQL, a connection the server drops is named in the header while it cannot be
/// re-established, and the consoles carry on refreshing once it is.
#[test]
fn two_consoles_on_one_database_see_each_others_changes_on_both_backends() {
    use aeo_console::store::testing::{Backend, each_backend};
    if !tmux_installed() {
        return;
    }
    for db in each_backend() {
        let loc = db.location();
        let run = |operator: &str, args: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_aeo"))
                .args(args)
                .env("AEO_DB", loc)
                .env("AEO_OPERATOR", operator)
                .env("AEO_NOW", "2026-11-27 10:00")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        run("e2e", &["demo", "--seed", "7"]);
        let dir = tempfile::tempdir().unwrap();
        let consoles: Vec<Tmux> = ["a", "b"]
            .iter()
            .map(|n| {
                let t = Tmux::shell(&format!("two-{n}-{:?}", db.backend), "s$ ", dir.path(), loc);
                t.cmd(&["resize-window", "-t", "aeo", "-x", "160", "-y", "40"]);
                t.type_text(&format!("{} --lang en", env!("CARGO_BIN_EXE_aeo")));
                t.keys(&["Enter"]);
                t.wait_for("Priority queue", 30);
                t
            })
            .collect();
        // The top item, taken over by another operator at another desk.
        let top: serde_json::Value =
            serde_json::from_str(&run("e2e", &["queue", "--limit", "1", "--json"])).unwrap();
        let id = top[0]["id"].as_i64().unwrap().to_string();
        run("zhangsan", &["item", "takeover", &id]);
        for t in &consoles {
            t.wait_for("zhangsan", 5);
        }
        if db.backend == Backend::Postgres {
            // From the server's own database (a database cannot close itself).
            let raw =
                aeo_console::store::pg::PgConn::connect(&std::env::var("AEO_TEST_PG").unwrap(), "")
                    .unwrap();
            // The server goes away for the consoles (a failover, a cut link) and refuses them.
            raw.batch(&format!(
                "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
                 SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                  WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                name = loc.display().to_string().rsplit('/').next().unwrap()
            ))
            .unwrap();
            for t in &consoles {
                t.wait_for("database connection lost", 5);
            }
            raw.batch(&format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS true",
                loc.display().to_string().rsplit('/').next().unwrap()
            ))
            .unwrap();
            for t in &consoles {
                t.wait("the header clears", 10, |s| !s.contains("connection lost"));
            }
            run("lisi", &["item", "takeover", &id]);
            for t in &consoles {
                t.wait_for("lisi", 5);
            }
        }
        for t in &consoles {
            t.keys(&["q"]);
            t.wait_for("Leave the console?", 10);
            t.keys(&["Right", "Enter"]);
            t.wait("the alternate screen to close", 10, |_| {
                t.alternate_on() == "0"
            });
        }
    }
}
