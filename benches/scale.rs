//! The large-database benchmark: `cargo bench --bench scale`.
//!
//! Builds (once, cached under target/bench-data/) a district-wide demo database of
//! AEO_BENCH_ENTERPRISES enterprises (default 100000) and AEO_BENCH_ITEMS queue items (default
//! 1000000), then measures what an operator feels and prints one table. Set AEO_BENCH_REBUILD=1 to
//! rebuild the database and time its build. AEO_BENCH_ONLY=queue,frames,memory,bytes,lookup,
//! booking,import runs only the named parts.

use aeo_console::domain::search;
use aeo_console::store::{Access, FindOptions, NewSlot, Store, queue_window_sql};
use aeo_console::text::Lang;
use aeo_console::tui::backend::SlimBackend;
use aeo_console::tui::keymap::Keymap;
use aeo_console::tui::theme::{ColorSupport, Theme};
use aeo_console::tui::{Action, App, Clock, PaneId, Session, draw, lookup_rows};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-27T10:00:00+08:00";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn aeo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_aeo"));
    c.env("AEO_NOW", NOW).env("AEO_OPERATOR", "bench");
    c
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

/// Median, 95th percentile and maximum of `samples`.
fn spread(samples: &mut [Duration]) -> String {
    format!(
        "median {}, p95 {}, max {}",
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.95)),
        ms(*samples.last().unwrap())
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn time_command(mut make: impl FnMut() -> Command, runs: usize) -> Duration {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = make().output().expect("command runs");
        samples.push(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    percentile(&mut samples, 0.5)
}

fn build(db: &Path, enterprises: usize, items: usize, rows: &mut Vec<(String, String)>) {
    let rebuild = std::env::var("AEO_BENCH_REBUILD").is_ok_and(|v| v == "1");
    // The benchmark books under a frozen clock, which only a database marked as a demo (by
    // `aeo demo`, schema 9 on) accepts: a cache built before that is built again.
    let marked = db.exists()
        && rusqlite::Connection::open(db).is_ok_and(|c| {
            c.query_row("SELECT 1 FROM aeo_meta WHERE key = 'demo'", [], |_| Ok(()))
                .is_ok()
        });
    if db.exists() && !rebuild && marked {
        rows.push((
            "large database".into(),
            format!(
                "{} (cached; AEO_BENCH_REBUILD=1 to time its build)",
                db.display()
            ),
        ));
        return;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let t = Instant::now();
    let out = aeo()
        .env("AEO_DB", db)
        .args([
            "demo",
            "--enterprises",
            &enterprises.to_string(),
            "--items",
            &items.to_string(),
        ])
        .output()
        .expect("demo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rows.push((
        format!("build: aeo demo --enterprises {enterprises} --items {items}"),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));
}

fn queue_vs_sqlite3(db: &Path, rows: &mut Vec<(String, String)>) {
    let ours = time_command(
        || {
            let mut c = aeo();
            c.env("AEO_DB", db)
                .args(["queue", "--limit", "50", "--json"]);
            c
        },
        15,
    );
    let sql = queue_window_sql(aeo_console::store::Dialect::Sqlite)
        .replace("?1", "50")
        .replace("?2", "0");
    let has_sqlite3 = Command::new("sqlite3").arg("-version").output().is_ok();
    let theirs = has_sqlite3.then(|| {
        time_command(
            || {
                let mut c = Command::new("sqlite3");
                c.arg("-json").arg(db).arg(&sql);
                c
            },
            15,
        )
    });
    rows.push((
        "aeo queue --limit 50 --json (median of 15)".into(),
        ms(ours),
    ));
    match theirs {
        Some(t) => {
            rows.push((
                "sqlite3 -json, same top-50 query (median of 15)".into(),
                ms(t),
            ));
            rows.push((
                "  ratio (target ≤ 2×)".into(),
                format!("{:.2}×", ours.as_secs_f64() / t.as_secs_f64()),
            ));
        }
        None => rows.push(("sqlite3".into(), "not installed: comparison skipped".into())),
    }
}

/// What the search index takes: its key rows and the stored readings of names and aliases.
fn search_index_size(db: &Path, rows: &mut Vec<(String, String)>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let (keys, key_bytes): (i64, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(length(key) + 8), 0) FROM search_keys",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (names, unit_bytes): (i64, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(length(search_units) + length(alias_units)), 0) FROM enterprises",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let file = std::fs::metadata(db).map(|m| m.len()).unwrap_or(0);
    rows.push((
        format!("search index over {names} enterprises"),
        format!(
            "{keys} keys ({:.1} per enterprise, ~{:.0} MB of key data), ~{:.0} MB of stored readings; database file {:.0} MB",
            keys as f64 / names.max(1) as f64,
            key_bytes as f64 / 1e6,
            unit_bytes as f64 / 1e6,
            file as f64 / 1e6
        ),
    ));
}

/// Lookup on `db` (either backend) for names read from the SQLite file `names` (the same data).
fn lookup_per_keystroke(names: &Path, db: &Path, tag: &str, rows: &mut Vec<(String, String)>) {
    let store = Store::open(db, Access::ReadOnly).expect("open");
    let conn = rusqlite::Connection::open(names).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT search_units, name_zh, uscc, customs_code FROM enterprises WHERE id % 997 = 1 LIMIT 60",
        )
        .unwrap();
    let targets: Vec<(String, String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // What a caller says, typed one key at a time: natural initials, full pinyin, the first
    // word in Chinese then initials (mixed), the Chinese name, the USCC.
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    let mut kinds: Vec<(&str, Vec<Duration>)> = vec![
        ("pinyin initials", Vec::new()),
        ("full pinyin", Vec::new()),
        ("mixed Chinese + initials", Vec::new()),
        ("Chinese name", Vec::new()),
        ("identifier (USCC)", Vec::new()),
    ];
    // A keystroke in the lookup pane at 160x48: its 200 matches ranked, the rows on screen
    // read whole.
    let opts = FindOptions::new(200);
    let shown = lookup_rows(48);
    for (units, name, uscc, _customs) in &targets {
        let units = search::decode(units);
        let initials: String = units
            .iter()
            .filter_map(|u| u.readings.first().and_then(|r| r.chars().next()))
            .collect();
        let full: String = units
            .iter()
            .take(4)
            .filter_map(|u| u.readings.first().cloned())
            .collect();
        let han: String = units.iter().take(2).map(|u| u.ch).collect();
        let mixed = format!(
            "{han}{}",
            initials.chars().skip(2).take(4).collect::<String>()
        );
        let chars: Vec<char> = name.chars().collect();
        let typed: [Vec<String>; 5] = [
            (1..=initials.len().min(8))
                .map(|n| initials[..n].to_string())
                .collect(),
            (1..=full.len()).map(|n| full[..n].to_string()).collect(),
            (1..=mixed.chars().count())
                .map(|n| mixed.chars().take(n).collect())
                .collect(),
            (1..=chars.len().min(8))
                .map(|n| chars[..n].iter().collect())
                .collect(),
            (2..=uscc.len()).map(|n| uscc[..n].to_string()).collect(),
        ];
        for (k, queries) in typed.iter().enumerate() {
            for q in queries {
                let t = Instant::now();
                let ranking = store.rank(q, &opts).unwrap();
                let found = store.found(&ranking, 0, shown).unwrap();
                kinds[k].1.push(t.elapsed());
                slowest.push((t.elapsed(), q.clone()));
                assert!(!found.is_empty(), "{q} finds nothing");
            }
        }
    }
    // The queue and approvals filters: the enterprise ids lookup finds (up to 1,000), per
    // keystroke of the natural initials.
    let mut filter = Vec::new();
    for (units, ..) in &targets {
        let units = search::decode(units);
        let initials: String = units
            .iter()
            .filter_map(|u| u.readings.first().and_then(|r| r.chars().next()))
            .collect();
        for n in 1..=initials.len().min(8) {
            let t = Instant::now();
            let ids = store.matching_enterprise_ids(&initials[..n], 1000).unwrap();
            filter.push(t.elapsed());
            assert!(!ids.is_empty(), "{} names nothing", &initials[..n]);
        }
    }
    rows.push((
        format!(
            "{tag}filter's enterprise ids (matching_enterprise_ids, up to 1,000), initials ({} keystrokes)",
            filter.len()
        ),
        spread(&mut filter),
    ));
    slowest.sort();
    let slow: Vec<String> = slowest
        .iter()
        .rev()
        .take(12)
        .map(|(d, q)| format!("{q} {}", ms(*d)))
        .collect();
    rows.push((format!("  {tag}slowest keystrokes"), slow.join(", ")));
    for (label, mut s) in kinds {
        let n = s.len();
        rows.push((
            format!(
                "{tag}lookup per keystroke, {label} ({n} keystrokes, {shown} rows shown; target median ≤ 2 ms, p95 ≤ 10 ms)"
            ),
            spread(&mut s),
        ));
    }
}

fn contended_booking(
    db: &Path,
    tag: &str,
    processes: usize,
    each: usize,
    rows: &mut Vec<(String, String)>,
) {
    let mut store = Store::open(db, Access::ReadWrite).expect("open");
    // A working day well ahead, a slot large enough for every attempt.
    let date = jiff::civil::date(2026, 12, 15);
    // The first start time not taken by an earlier run's slot.
    let slot = (0..60)
        .find_map(|minute| {
            let start = jiff::civil::Time::constant(20, minute, 0, 0);
            store
                .write(|w| {
                    w.insert_slot(&NewSlot {
                        office_code: "2210",
                        date,
                        start,
                        end: jiff::civil::Time::constant(21, 0, 0, 0),
                        capacity: (processes * each) as u32,
                    })
                })
                .ok()
        })
        .expect("a free start time for the benchmark's slot");
    drop(store);
    let enterprise = "91310000132260250X";
    let handles: Vec<_> = (0..processes)
        .map(|p| {
            let db = db.to_path_buf();
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                let mut failures = Vec::new();
                for _ in 0..each {
                    let t = Instant::now();
                    let out = aeo()
                        .env("AEO_DB", &db)
                        .env("AEO_OPERATOR", format!("bench{p}"))
                        .args([
                            "book",
                            "--slot",
                            &slot.to_string(),
                            "--enterprise",
                            enterprise,
                            "--goods",
                            "晶圆",
                        ])
                        .output()
                        .unwrap();
                    samples.push(t.elapsed());
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                (samples, failures)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failures = Vec::new();
    for h in handles {
        let (s, f) = h.join().unwrap();
        all.extend(s);
        failures.extend(f);
    }
    let n = all.len();
    rows.push((
        format!("{tag}contended booking: {processes} processes × {each} `aeo book` each"),
        format!(
            "{} failures; latency per command p50 {}, p99 {}",
            failures.len(),
            ms(percentile(&mut all, 0.5)),
            ms(percentile(&mut all, 0.99))
        ),
    ));
    if let Some(f) = failures.first() {
        rows.push((format!("  {tag}first failure"), f.trim().to_string()));
    }
    let _ = n;
}

fn console_app(db: &Path, now: jiff::Timestamp) -> App {
    console_on(Store::open(db, Access::ReadOnly).expect("open"), now)
}

/// One key in the console and the frame after it: how long both took.
fn key_and_frame(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    code: crossterm::event::KeyCode,
) -> Duration {
    let t = Instant::now();
    app.on_key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::NONE,
    ));
    terminal.draw(|f| app.draw(f)).unwrap();
    t.elapsed()
}

fn console_on(store: Store, now: jiff::Timestamp) -> App {
    let db_label = store.path().display().to_string();
    App::new(
        store,
        Session {
            operator: "bench".into(),
            db_label,
            demo: false,
            read_only: true,
            lang: Lang::Zh,
            new_db: false,
            office_hours: Default::default(),
        },
        Clock::Frozen(now),
        Keymap::default(),
        Theme::choose(None, ColorSupport::TrueColor).expect("theme"),
    )
    .expect("console")
}

/// Read calls this thread has made (Linux): each is a page SQLite asked of the file system,
/// from the kernel's cache or the disk. A count the machine's load does not move.
fn reads_so_far() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/thread-self/io").ok()?;
    io.lines()
        .find_map(|l| l.strip_prefix("syscr:"))
        .and_then(|n| n.trim().parse().ok())
}

fn first_frames(db: &Path, tag: &str, rows: &mut Vec<(String, String)>) {
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    // Opening, once per console: the connection and the schema check (a read-only seat
    // refreshes no deadline cache and indexes nothing), then App::new: the tab counts asked of
    // their thread (no pane is read before the console knows its size).
    let t = Instant::now();
    let store = Store::open(db, Access::ReadOnly).expect("open");
    let opened = t.elapsed();
    let began = Instant::now();
    let mut app = console_on(store, now);
    let made = began.elapsed();
    // The first frame: the pane read at the terminal's size, drawn.
    let r = reads_so_far();
    let t = Instant::now();
    app.resize(160, 48);
    terminal.draw(|f| app.draw(f)).unwrap();
    let first = t.elapsed();
    let read = |r: Option<u64>| Some(reads_so_far()? - r?);
    let mut reads = vec![("queue", read(r))];
    // The counts arrive on their own thread, off the draw.
    app.wait_for_tab_counts();
    let counted = began.elapsed();
    rows.push((
        format!("{tag}console opening: Store::open, App::new (counts asked)"),
        format!("{}, {}", ms(opened), ms(made)),
    ));
    rows.push((
        format!("{tag}tab counts arrived, after App::new began (their own thread)"),
        ms(counted),
    ));
    let mut times = vec![("queue", first)];
    for (name, pane) in [
        ("calendar", PaneId::Calendar),
        ("approvals", PaneId::Approvals),
        ("lookup", PaneId::Lookup),
        ("today", PaneId::Today),
    ] {
        let r = reads_so_far();
        let t = Instant::now();
        app.update(Action::SwitchPane(pane));
        terminal.draw(|f| app.draw(f)).unwrap();
        times.push((name, t.elapsed()));
        reads.push((name, read(r)));
    }
    let text: Vec<String> = times
        .iter()
        .map(|(n, d)| format!("{n} {}", ms(*d)))
        .collect();
    rows.push((
        format!("{tag}time to first full frame at 160x48 (in-memory backend; after opening)"),
        text.join(", "),
    ));
    if tag.is_empty() && reads.iter().all(|(_, n)| n.is_some()) {
        let text: Vec<String> = reads
            .iter()
            .map(|(n, r)| format!("{n} {}", r.unwrap_or_default()))
            .collect();
        rows.push((
            format!("{tag}  read calls of each first frame (pages asked of the file system)"),
            text.join(", "),
        ));
    }
    // Each pane again: one key (Down) and the frame after it.
    let mut later = Vec::new();
    for (name, pane) in [
        ("queue", PaneId::Queue),
        ("calendar", PaneId::Calendar),
        ("approvals", PaneId::Approvals),
        ("lookup", PaneId::Lookup),
        ("today", PaneId::Today),
    ] {
        app.update(Action::SwitchPane(pane));
        let took = key_and_frame(&mut app, &mut terminal, crossterm::event::KeyCode::Down);
        later.push(format!("{name} {}", ms(took)));
    }
    rows.push((
        format!("{tag}frame after a key (Down) at 160x48, per pane"),
        later.join(", "),
    ));
    // The ends of the long lists: End reads the last window, Home the first again.
    let mut ends = Vec::new();
    for (name, pane) in [("queue", PaneId::Queue), ("approvals", PaneId::Approvals)] {
        app.update(Action::SwitchPane(pane));
        terminal.draw(|f| app.draw(f)).unwrap();
        for (key, what) in [
            (crossterm::event::KeyCode::End, "End"),
            (crossterm::event::KeyCode::Home, "Home"),
        ] {
            let took = key_and_frame(&mut app, &mut terminal, key);
            ends.push(format!("{name} {what} {}", ms(took)));
        }
    }
    rows.push((
        format!("{tag}frame after End, then Home, in the long lists"),
        ends.join(", "),
    ));
    // What the pane tabs' counts cost (taken on every data change and once a minute).
    let store = Store::open(db, Access::ReadOnly).expect("open");
    // Following a record the list moved farther than the rows around the window (its place
    // looked for in the queue's order): 500 rows down.
    let mut f = aeo_console::store::ListFilter::text("");
    f.now = now;
    let deep = store.queue_filtered(&f, 1, 500).expect("queue")[0].id;
    let t = Instant::now();
    let at = store.queue_position(&f, deep).expect("position");
    rows.push((
        format!("{tag}queue: place of a record 500 rows down (the cursor following it)"),
        format!("{} (found at {at:?})", ms(t.elapsed())),
    ));
    // The queue's `/` filter as typed, a keystroke at a time, as the console answers it (no
    // pause in typing): the matcher, the count, the window, the cursor following its record,
    // and the frame. `dongfang` starts with a letter that starts a kind's code (`declaration`):
    // its items are counted too. Then the queue's filter again at a person's pace: a machine
    // left idle between keys answers the next one slower (caches and the processor's state
    // gone cold), whatever the program does.
    let key = |c| crossterm::event::KeyEvent::new(c, crossterm::event::KeyModifiers::NONE);
    const WORDS: &[&str] = &[
        "shanghai",
        "jiading",
        "上海嘉定",
        "222520",
        "zzzq",
        "dongfang",
    ];
    const APPROVAL_WORDS: &[&str] = &[
        "shanghai",
        "jiading",
        "上海嘉定",
        "dz2026",
        "zzzq",
        "dongfang",
    ];
    let pace = Duration::from_millis(300);
    for (pane, name, words, pause) in [
        (PaneId::Queue, "queue", WORDS, Duration::ZERO),
        (
            PaneId::Approvals,
            "approvals",
            APPROVAL_WORDS,
            Duration::ZERO,
        ),
        (PaneId::Queue, "queue", &["shanghai", "dongfang"][..], pace),
    ] {
        app.update(Action::SwitchPane(pane));
        terminal.draw(|f| app.draw(f)).unwrap();
        let mut typed = Vec::new();
        for word in words {
            app.on_key(key(crossterm::event::KeyCode::Char('/')));
            let mut each = Vec::new();
            for c in word.chars() {
                std::thread::sleep(pause);
                each.push(key_and_frame(
                    &mut app,
                    &mut terminal,
                    crossterm::event::KeyCode::Char(c),
                ));
            }
            let worst = each.iter().max().copied().unwrap_or_default();
            let each: Vec<String> = each
                .iter()
                .map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
                .collect();
            typed.push(format!("{word} {} [{}]", ms(worst), each.join(" ")));
            // Esc clears the filter.
            app.on_key(key(crossterm::event::KeyCode::Esc));
            terminal.draw(|f| app.draw(f)).unwrap();
        }
        let how = if pause.is_zero() {
            String::new()
        } else {
            format!(", {} ms between keys", pause.as_millis())
        };
        rows.push((
            format!(
                "{tag}{name} filter in the console, slowest keystroke + frame typing{how} [each key, ms]"
            ),
            typed.join(", "),
        ));
    }
    let t = Instant::now();
    let _ = aeo_console::tui::panes::tab_counts(
        &store,
        now,
        aeo_console::calendar::WorkingCalendar::official(),
        Default::default(),
    )
    .unwrap();
    rows.push((
        format!("{tag}pane tab counts (approvals, abnormal items, day, callbacks, late problems)"),
        ms(t.elapsed()),
    ));
}

/// The hotline's work loop at district scale: Today and the 清零 board as the console draws them,
/// and the CLI listings of calls, problems and verifications (whole commands, median of 5).
fn hotline(db: &Path, rows: &mut Vec<(String, String)>) {
    let counts = rusqlite::Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT (SELECT count(*) FROM calls), (SELECT count(*) FROM problems),
                    (SELECT count(*) FROM problems WHERE status IN ('open', 'assigned')),
                    (SELECT count(*) FROM verifications)",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .unwrap();
    rows.push((
        "hotline data".into(),
        format!(
            "{} calls, {} problems ({} open), {} verification plans",
            counts.0, counts.1, counts.2, counts.3
        ),
    ));
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let t = Instant::now();
    let mut app = console_app(db, now);
    app.resize(160, 48);
    let start = t.elapsed();
    let t = Instant::now();
    app.update(Action::SwitchPane(PaneId::Today));
    terminal.draw(|f| app.draw(f)).unwrap();
    let today = t.elapsed();
    let t = Instant::now();
    app.update(Action::OpenProblemBoard(None));
    terminal.draw(|f| app.draw(f)).unwrap();
    let board = t.elapsed();
    rows.push((
        "console at 160x48: start (tab counts), Today frame, 清零 board frame".into(),
        format!("{}, {}, {}", ms(start), ms(today), ms(board)),
    ));
    for args in [
        &["today", "--json"][..],
        &["calls", "--limit", "100", "--json"],
        &["calls", "--callbacks-open", "--json"],
        &["problems", "--open", "--json"],
        &["report", "problems", "--json"],
        &["verifications", "--year", "2026", "--json"],
    ] {
        let d = time_command(
            || {
                let mut c = aeo();
                c.env("AEO_DB", db).args(args);
                c
            },
            5,
        );
        rows.push((format!("aeo {}", args.join(" ")), ms(d)));
    }
}

/// Counts what the console writes to the terminal.
#[derive(Default, Clone)]
struct Counter(std::rc::Rc<std::cell::Cell<usize>>);

impl Counter {
    fn get(&self) -> usize {
        self.0.get()
    }
}

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn bytes_written(db: &Path, rows: &mut Vec<(String, String)>) {
    let now: jiff::Timestamp = NOW.parse().unwrap();
    let terminal_of = |w: u16, h: u16, counter: &Counter| {
        Terminal::with_options(
            SlimBackend::new(counter.clone()),
            TerminalOptions {
                viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
            },
        )
        .unwrap()
    };
    // A full first frame at 80x24.
    let mut app = console_app(db, now);
    app.resize(80, 24);
    let counter = Counter::default();
    let mut term = terminal_of(80, 24, &counter);
    draw(&mut term, &app).unwrap();
    rows.push((
        "bytes for the first full frame at 80x24 (target ≤ 8 KB)".into(),
        format!("{} B", counter.get()),
    ));
    // One idle tick at 200x50, on the queue and on the approvals countdowns.
    for (name, pane) in [("queue", PaneId::Queue), ("approvals", PaneId::Approvals)] {
        let mut app = console_app(db, now);
        app.resize(200, 50);
        app.update(Action::SwitchPane(pane));
        let counter = Counter::default();
        let mut term = terminal_of(200, 50, &counter);
        draw(&mut term, &app).unwrap();
        let before = counter.get();
        app.set_clock(Clock::Frozen(now + jiff::SignedDuration::from_secs(1)));
        assert!(app.on_tick(), "a second passed: the console redraws");
        draw(&mut term, &app).unwrap();
        rows.push((
            format!("bytes for one idle 1-second tick at 200x50, {name} (target ≤ 1 KB)"),
            format!("{} B", counter.get() - before),
        ));
    }
}

/// Peak RSS (VmHWM) of the real console after showing every pane, in tmux at 160x48.
fn console_peak_rss(db: &Path) -> Option<u64> {
    let tmux_ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !tmux_ok {
        return None;
    }
    // One tmux server per measurement: a server still shutting down must not take the next.
    let socket = format!(
        "aeo-bench-{}-{}",
        std::process::id(),
        db.file_stem().and_then(|s| s.to_str()).unwrap_or("db")
    );
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .unwrap()
    };
    let run = format!(
        "exec env AEO_DB='{}' AEO_NOW='{NOW}' AEO_OPERATOR=bench {}",
        db.display(),
        env!("CARGO_BIN_EXE_aeo")
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "160",
        "-y",
        "48",
        "-s",
        "b",
        &run,
    ]);
    if !started.status.success() {
        eprintln!(
            "peak RSS: tmux could not start a session: {}",
            String::from_utf8_lossy(&started.stderr).trim()
        );
        return None;
    }
    let wait_for = |text: &str| {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            let out = tmux(&["capture-pane", "-p", "-t", "b"]);
            if String::from_utf8_lossy(&out.stdout).contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };
    let mut ok = wait_for("优先队列 ·");
    for (key, marker) in [("2", "当日看板"), ("3", "待办审批 ·"), ("4", "企业查询 ·")]
    {
        if !ok {
            break;
        }
        tmux(&["send-keys", "-t", "b", key]);
        ok = wait_for(marker);
    }
    let pid =
        String::from_utf8_lossy(&tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"]).stdout)
            .trim()
            .to_string();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    if !ok || status.is_empty() {
        let screen = tmux(&["capture-pane", "-p", "-t", "b"]);
        eprintln!(
            "peak RSS: the console did not show every pane (pid '{pid}'):\n{}",
            String::from_utf8_lossy(&screen.stdout)
        );
    }
    tmux(&["kill-server"]);
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok());
    ok.then_some(kb).flatten()
}

fn peak_memory(large: &Path, dir: &Path, rows: &mut Vec<(String, String)>) {
    let demo = dir.join("demo.db");
    if !demo.exists() {
        let out = aeo().env("AEO_DB", &demo).arg("demo").output().unwrap();
        assert!(out.status.success());
    }
    let out = aeo().env("AEO_DB", &demo).arg("init").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match (console_peak_rss(&demo), console_peak_rss(large)) {
        (Some(small), Some(big)) => rows.push((
            "peak RSS of the console, all four panes shown (target ≤ 1.5× demo)".into(),
            format!(
                "demo {:.1} MB, large {:.1} MB: {:.2}×",
                small as f64 / 1024.0,
                big as f64 / 1024.0,
                big as f64 / small as f64
            ),
        )),
        _ => rows.push(("peak RSS".into(), "tmux not available: skipped".into())),
    }
}

/// The peak resident set of a running process so far (VmHWM, kB).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Imports the large database's 1,000,000 items (as `aeo export items` writes them) into a copy
/// of it without items, while another process books again and again: the import's time and
/// peak memory, and the longest a single booking took meanwhile.
fn import_while_booking(large: &Path, dir: &Path, rows: &mut Vec<(String, String)>) {
    // 1,000,000 items in the import columns, of the large database's enterprises: kinds any
    // enterprise may have (the rules of measures 8, 9 and 12 are checked on import), each with
    // its own declaration number.
    const ITEMS: usize = 1_000_000;
    let csv = dir.join("import-items.csv");
    if !csv.exists() {
        let conn = rusqlite::Connection::open(large).unwrap();
        let usccs: Vec<String> = conn
            .prepare("SELECT uscc FROM enterprises ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let kinds = ["declaration", "port_inspection", "archive_query"];
        let statuses = ["waiting", "waiting", "in_progress", "done"];
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        use std::io::Write;
        writeln!(w, "kind,enterprise,declaration_no,received_at,due_at,status,urgent,non_intrusive,report_accepted,taken_by").unwrap();
        let at = |s: i64| {
            aeo_console::transfer::fields::instant_text(jiff::Timestamp::from_second(s).unwrap())
        };
        for i in 0..ITEMS {
            let received = 1_764_000_000 + (i as i64 * 37) % 2_000_000;
            writeln!(
                w,
                "{},{},22102026{}{:09},{},{},{},false,false,false,{}",
                kinds[i % 3],
                usccs[i % usccs.len()],
                i % 2,
                i,
                at(received),
                if i % 4 == 0 {
                    String::new()
                } else {
                    at(received + 86_400)
                },
                statuses[i % 4],
                if i % 10 == 0 { "op01" } else { "" }
            )
            .unwrap();
        }
    }
    // The large database without its items: every item of the file is new to it.
    let base = dir.join("import-base.db");
    if !base.exists() {
        let tmp = dir.join("import-base.db.tmp");
        std::fs::copy(large, &tmp).unwrap();
        let conn = rusqlite::Connection::open(&tmp).unwrap();
        conn.execute_batch("DELETE FROM work_items; PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(conn);
        std::fs::rename(&tmp, &base).unwrap();
    }
    let db = dir.join("import-run.db");
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
    std::fs::copy(&base, &db).unwrap();
    // The copy on disk before the clock starts: its first checkpoint would otherwise flush
    // the whole copied file and count that as the import's.
    std::fs::File::open(&db).and_then(|f| f.sync_all()).unwrap();
    let mut store = Store::open(&db, Access::ReadWrite).expect("open");
    let slot = store
        .write(|w| {
            w.insert_slot(&NewSlot {
                office_code: "2210",
                date: jiff::civil::date(2026, 12, 16),
                start: jiff::civil::Time::constant(21, (std::process::id() % 50) as i8, 0, 0),
                end: jiff::civil::Time::constant(22, 0, 0, 0),
                // More places than the bookings of the longest run take.
                capacity: 100_000,
            })
        })
        .expect("slot")
        .to_string();
    drop(store);
    let booking_db = db.clone();
    let book = move || {
        let t = Instant::now();
        let out = aeo()
            .env("AEO_DB", &booking_db)
            .env("AEO_OPERATOR", "booker")
            .args([
                "book",
                "--slot",
                &slot,
                "--enterprise",
                "91310000132260250X",
                "--goods",
                "晶圆",
            ])
            .output()
            .unwrap();
        (
            t.elapsed(),
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut idle: Vec<Duration> = (0..5).map(|_| book().0).collect();
    let started = Instant::now();
    let mut import = aeo()
        .env("AEO_DB", &db)
        .args(["import", "items", "--large"])
        .arg(&csv)
        .stdout(std::fs::File::create(dir.join("import.out")).unwrap())
        .stderr(std::fs::File::create(dir.join("import.err")).unwrap())
        .spawn()
        .unwrap();
    let pid = import.id();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let booker = {
        let done = done.clone();
        let book = book.clone();
        std::thread::spawn(move || {
            let mut waits = Vec::new();
            let mut failures = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let (t, ok, err) = book();
                waits.push(t);
                if !ok {
                    failures.push(err);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (waits, failures)
        })
    };
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = import.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut waits, failures) = booker.join().unwrap();
    let stdout = std::fs::read_to_string(dir.join("import.out")).unwrap_or_default();
    let stderr: String = std::fs::read_to_string(dir.join("import.err"))
        .unwrap_or_default()
        .lines()
        .take(3)
        .collect::<Vec<_>>()
        .join("\n");
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    rows.push((
        format!("import of {ITEMS} items (target ≤ 20 s, ≤ 200 MB)"),
        format!(
            "{:.1} s, peak RSS {:.1} MB, file {:.0} MB{}",
            took.as_secs_f64(),
            peak as f64 / 1024.0,
            size as f64 / 1e6,
            if status.success() {
                format!(": {}", stdout.trim())
            } else {
                format!(": FAILED {}", stderr.trim())
            }
        ),
    ));
    let n = waits.len();
    rows.push((
        "  a booking during the import (target: longest ≤ 1 s)".into(),
        format!(
            "{n} `aeo book`, {} failed; longest {}, p50 {} (idle database: p50 {})",
            failures.len(),
            ms(*waits.iter().max().unwrap_or(&Duration::ZERO)),
            ms(percentile(&mut waits, 0.5)),
            ms(percentile(&mut idle, 0.5)),
        ),
    ));
    if let Some(f) = failures.first() {
        rows.push(("  first failure".into(), f.trim().to_string()));
    }
    for side in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", db.display()));
    }
}

/// The large database on the PostgreSQL server of `AEO_TEST_PG` (copied with `aeo copy` the
/// first time, or again with AEO_BENCH_REBUILD); None without a server.
fn postgres_copy(
    db: &Path,
    enterprises: usize,
    items: usize,
    rows: &mut Vec<(String, String)>,
) -> Option<PathBuf> {
    let server = std::env::var("AEO_TEST_PG").ok().filter(|s| !s.is_empty());
    let Some(server) = server else {
        rows.push((
            "[PostgreSQL]".into(),
            "skipped: no server (set AEO_TEST_PG, see scripts/pg-test-server)".into(),
        ));
        return None;
    };
    let name = format!("aeo_bench_{enterprises}_{items}");
    let (base, _) = server.rsplit_once('/')?;
    let url = PathBuf::from(format!("{base}/{name}"));
    let admin = aeo_console::store::pg::PgConn::connect(&server, "").expect("the server");
    let exists = admin
        .prepare("SELECT 1 FROM pg_database WHERE datname = ?1")
        .and_then(|s| admin.query(&s, &[aeo_console::store::db::Value::Text(&name)]))
        .map(|r| !r.is_empty())
        .unwrap_or(false);
    let rebuild = std::env::var_os("AEO_BENCH_REBUILD").is_some();
    // A copy lands whole or not at all: a database with enterprises is a finished one.
    let filled = exists
        && aeo_console::store::pg::PgConn::connect(&url.display().to_string(), "")
            .and_then(|c| {
                let stmt = c.prepare("SELECT count(*) FROM enterprises")?;
                Ok(c.query(&stmt, &[])?[0].get::<_, i64>(0) > 0)
            })
            .unwrap_or(false);
    if filled && !rebuild {
        let out = aeo().env("AEO_DB", &url).arg("init").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return Some(url);
    }
    // One statement per call: neither may run inside the implicit transaction of a batch.
    admin
        .batch(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop the old benchmark database");
    admin
        .batch(&format!("CREATE DATABASE {name}"))
        .expect("create the benchmark database");
    let t = Instant::now();
    let out = aeo()
        .args(["copy", "--to"])
        .arg(&url)
        .arg("--from")
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    rows.push((
        "[PostgreSQL] copy of the large database (aeo copy, COPY per table, verified)".into(),
        format!("{:.1} s", t.elapsed().as_secs_f64()),
    ));
    Some(url)
}

/// `aeo queue --limit 50 --json` on PostgreSQL against psql running the same query.
fn queue_vs_psql(url: &Path, rows: &mut Vec<(String, String)>) {
    let ours = time_command(
        || {
            let mut c = aeo();
            c.env("AEO_DB", url)
                .args(["queue", "--limit", "50", "--json"]);
            c
        },
        15,
    );
    let sql = queue_window_sql(aeo_console::store::Dialect::Postgres)
        .replace("?1", "50")
        .replace("?2", "0");
    let theirs = time_command(
        || {
            let mut c = Command::new("psql");
            c.arg("-X")
                .arg("-q")
                .arg("-A")
                .arg("-t")
                .arg("-d")
                .arg(url)
                .arg("-c")
                .arg(format!("SELECT json_agg(q) FROM ({sql}) q"));
            c
        },
        15,
    );
    rows.push((
        "[PostgreSQL] aeo queue --limit 50 --json (median of 15)".into(),
        ms(ours),
    ));
    rows.push((
        "[PostgreSQL] psql, same top-50 query as JSON (median of 15)".into(),
        ms(theirs),
    ));
    rows.push((
        "  [PostgreSQL] ratio (target ≤ 2×)".into(),
        format!("{:.2}×", ours.as_secs_f64() / theirs.as_secs_f64()),
    ));
}

fn main() {
    // `cargo test --benches` runs this with --test-ish flags; only `cargo bench` measures.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let enterprises = env_usize("AEO_BENCH_ENTERPRISES", 100_000);
    let items = env_usize("AEO_BENCH_ITEMS", 1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(format!("large-{enterprises}-{items}.db"));
    let mut rows = Vec::new();
    build(&db, enterprises, items, &mut rows);
    // Bring a cached database to this binary's schema before anything opens it read-only.
    let out = aeo().env("AEO_DB", &db).arg("init").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // AEO_BENCH_ONLY=lookup,frames,... runs only the named parts.
    let only = std::env::var("AEO_BENCH_ONLY").unwrap_or_default();
    let run = |part: &str| only.is_empty() || only.split(',').any(|p| p.trim() == part);
    if run("queue") {
        queue_vs_sqlite3(&db, &mut rows);
    }
    if run("frames") {
        first_frames(&db, "", &mut rows);
    }
    if run("memory") {
        peak_memory(&db, &dir, &mut rows);
    }
    if run("bytes") {
        bytes_written(&db, &mut rows);
    }
    if run("lookup") {
        search_index_size(&db, &mut rows);
        lookup_per_keystroke(&db, &db, "", &mut rows);
    }
    if run("hotline") {
        hotline(&db, &mut rows);
    }
    if run("booking") {
        contended_booking(&db, "", 4, 40, &mut rows);
        contended_booking(&db, "", 16, 10, &mut rows);
    }
    if run("import") {
        import_while_booking(&db, &dir, &mut rows);
    }
    // The PostgreSQL column: the same database copied onto the server AEO_TEST_PG names
    // (scripts/pg-test-server), once, then the same measures against it.
    if let Some(pg) = postgres_copy(&db, enterprises, items, &mut rows) {
        let tag = "[PostgreSQL] ";
        if run("queue") {
            queue_vs_psql(&pg, &mut rows);
        }
        if run("frames") {
            first_frames(&pg, tag, &mut rows);
        }
        if run("lookup") {
            lookup_per_keystroke(&db, &pg, tag, &mut rows);
        }
        if run("booking") {
            contended_booking(&pg, tag, 16, 10, &mut rows);
        }
    }
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    println!();
    println!(
        "aeo-console scale benchmark ({} CPUs)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for (k, v) in rows {
        println!("{k:<width$}  {v}");
    }
}
