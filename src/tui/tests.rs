//! The console on a demo database with a frozen clock: what an operator sees (snapshots) and
//! what each key does (key → action → state).

use super::app::{App, PaneId, Session, StatusKind};
use super::keymap::Keymap;
use super::panes::Focus;
use super::popups::Popup;
use super::theme::{ColorSupport, Theme};
use super::{Action, Clock};
use crate::calendar::{DayCount, WorkingCalendar};
use crate::domain::approval::ApprovalKind;
use crate::domain::credit::CreditLevel;
use crate::domain::inspection::{Location, OffSiteReason};
use crate::domain::measures::MeasureCatalog;
use crate::domain::queue::WorkStatus;
use crate::store::{Access, Store, read_only_message};
use crate::text::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use jiff::civil::date;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;

const NOW: &str = "2026-11-27T10:00:00+08:00";

pub(super) fn now() -> Timestamp {
    NOW.parse().unwrap()
}

pub(super) struct Console {
    _dir: TempDir,
    pub(super) path: std::path::PathBuf,
    pub(super) app: App,
}

pub(super) fn demo_db() -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    crate::demo::fill(
        &mut store,
        &crate::demo::DemoOptions::default(),
        now(),
        WorkingCalendar::official(),
        MeasureCatalog::official(),
    )
    .unwrap();
    (dir, path)
}

pub(super) fn console_with(lang: Lang, access: Access) -> Console {
    let (dir, path) = demo_db();
    let mut app = app_on(&path, lang, access);
    app.wait_for_tab_counts();
    Console {
        _dir: dir,
        path,
        app,
    }
}

/// The console of operator op01 on the database at `path` (a file or a PostgreSQL URL), at
/// the tests' frozen instant.
fn app_on(path: &std::path::Path, lang: Lang, access: Access) -> App {
    let store = Store::open(path, access).unwrap();
    let mut app = App::new(
        store,
        Session {
            operator: "op01".into(),
            db_label: "demo.db".into(),
            demo: true,
            read_only: access == Access::ReadOnly,
            lang,
            new_db: false,
            office_hours: Default::default(),
        },
        Clock::Frozen(now()),
        Keymap::default(),
        Theme::resolve("dark", ColorSupport::TrueColor).unwrap(),
    )
    .unwrap();
    // Sized before its first key, as the terminal loop does: the first pane is read then.
    app.resize(crate::tui::app::MIN_WIDTH, crate::tui::app::MIN_HEIGHT);
    app
}

pub(super) fn console() -> Console {
    console_with(Lang::Zh, Access::ReadWrite)
}

pub(super) fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(super) fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// The audit trail is dated by the real clock, whatever the console's frozen one says: the
/// card's "MM-DD HH:MM · operator" stamps become "MM-DD hh:mm" so snapshots stay stable.
fn without_audit_times(screen: &str) -> String {
    screen
        .lines()
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            let mut out = String::new();
            let mut i = 0;
            while i < chars.len() {
                // "MM-DD HH:MM · ": digits at these places, then the separator.
                const SHAPE: &str = "00-00 00:00 · ";
                let matches = chars.len() >= i + 14
                    && SHAPE.chars().zip(&chars[i..]).all(|(p, c)| {
                        if p == '0' {
                            c.is_ascii_digit()
                        } else {
                            p == *c
                        }
                    });
                if matches {
                    out.push_str("MM-DD hh:mm · ");
                    i += 14;
                } else {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn render(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    // The tab counts are taken off the draw: the screen shows them once they have arrived.
    app.wait_for_tab_counts();
    screen(app, w, h)
}

/// The screen the console draws now, a line per row (wide characters once).
fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = crate::text::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Answers the open confirmation with Yes: → then Enter (no letter can).
pub(super) fn yes(app: &mut App) {
    assert!(
        matches!(app.popup, Some(Popup::Confirm(_))),
        "a confirmation is open: {:?}",
        app.status
    );
    key(app, KeyCode::Right);
    key(app, KeyCode::Enter);
}

pub(super) fn status(app: &App) -> (String, StatusKind) {
    app.status.clone().expect("a status message")
}

// ---------------------------------------------------------------- snapshots

fn open_saic_card(app: &mut App) {
    key(app, KeyCode::Char('4'));
    keys(app, "/shqc");
    key(app, KeyCode::Enter);
}

#[test]
fn snapshot_queue() {
    let mut c = console();
    insta::assert_snapshot!("queue_80x24", render(&mut c.app, 80, 24));
    insta::assert_snapshot!("queue_160x48", render(&mut c.app, 160, 48));
}

#[test]
fn snapshot_calendar() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('2'));
    insta::assert_snapshot!("calendar_80x24", render(&mut c.app, 80, 24));
    insta::assert_snapshot!("calendar_160x48", render(&mut c.app, 160, 48));
}

#[test]
fn snapshot_approvals() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('3'));
    insta::assert_snapshot!("approvals_80x24", render(&mut c.app, 80, 24));
    insta::assert_snapshot!("approvals_160x48", render(&mut c.app, 160, 48));
}

#[test]
fn snapshot_lookup() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "/上海");
    insta::assert_snapshot!("lookup_80x24", render(&mut c.app, 80, 24));
    insta::assert_snapshot!("lookup_160x48", render(&mut c.app, 160, 48));
}

#[test]
fn snapshot_hotline_card() {
    let mut c = console();
    open_saic_card(&mut c.app);
    let card = |c: &mut Console, w, h| without_audit_times(&render(&mut c.app, w, h));
    insta::assert_snapshot!("hotline_card_80x24", card(&mut c, 80, 24));
    insta::assert_snapshot!("hotline_card_160x48", card(&mut c, 160, 48));
}

#[test]
fn snapshot_booking_form_on_a_saturday() {
    let mut c = console();
    c.app.run_command("book 2026-11-28");
    keys(&mut c.app, "shqc");
    insta::assert_snapshot!("book_80x24", render(&mut c.app, 80, 24));
}

#[test]
fn snapshot_english_labels() {
    let mut c = console_with(Lang::En, Access::ReadWrite);
    key(&mut c.app, KeyCode::Char('3'));
    insta::assert_snapshot!("approvals_en_80x24", render(&mut c.app, 80, 24));
}

// ---------------------------------------------------------------- the whole screen

#[test]
fn below_80x23_the_console_says_the_terminal_is_too_small_and_keys_do_nothing() {
    let mut c = console();
    let s = render(&mut c.app, 79, 23);
    assert!(s.contains("终端窗口太小") && s.contains("80x23"), "{s}");
    let s = render(&mut c.app, 80, 22);
    assert!(s.contains("终端窗口太小"), "{s}");
    let first = c.app.queue.selected_row().unwrap().id;
    for k in ['j', 'f', 't', '2', '/', ':'] {
        key(&mut c.app, KeyCode::Char(k));
    }
    assert!(c.app.popup.is_none() && c.app.pane == PaneId::Queue);
    assert_eq!(c.app.queue.selected_row().unwrap().id, first);
    let s = render(&mut c.app, 80, 23);
    assert!(!s.contains("终端窗口太小"), "{s}");
}

#[test]
fn the_header_shows_demo_operator_database_and_shanghai_time() {
    let mut c = console();
    let s = render(&mut c.app, 120, 30);
    let header = s.lines().next().unwrap();
    for part in ["DEMO", "op01", "demo.db", "2026-11-27", "10:00:00"] {
        assert!(header.contains(part), "{header}");
    }
}

#[test]
fn a_month_in_a_year_without_holiday_data_is_flagged_in_the_header() {
    let mut c = console();
    c.app.run_command("date 2027-01-06");
    let s = render(&mut c.app, 120, 30);
    let header = s.lines().next().unwrap();
    assert!(
        header.contains("2027") && header.contains("未公布"),
        "{header}"
    );
    c.app.run_command("date 2026-12-01");
    let s = render(&mut c.app, 120, 30);
    assert!(!s.lines().next().unwrap().contains("未公布"));
}

#[test]
fn double_width_text_never_breaks_a_border() {
    let mut c = console();
    open_saic_card(&mut c.app);
    for _ in 0..30 {
        key(&mut c.app, KeyCode::Char('j'));
    }
    for (w, h) in [(80, 24), (100, 30), (160, 48)] {
        let s = render(&mut c.app, w, h);
        let lines: Vec<&str> = s.lines().collect();
        // The column where a character starts, by display width.
        let col_of = |line: &str, ch: char| -> Vec<usize> {
            let mut col = 0;
            let mut out = Vec::new();
            for c in line.chars() {
                if c == ch {
                    out.push(col);
                }
                col += crate::text::width(&c.to_string());
            }
            out
        };
        let top = col_of(lines[2], '╔');
        assert_eq!(top.len(), 1, "{}", lines[2]);
        let right = col_of(lines[2], '╗')[0];
        for line in &lines[3..usize::from(h) - 3] {
            assert_eq!(
                col_of(line, '║'),
                vec![top[0], right],
                "border broken at {w}x{h}:\n{s}"
            );
            assert!(crate::text::width(line) <= usize::from(w), "{line}");
        }
    }
}

// ---------------------------------------------------------------- keys → actions → state

#[test]
fn tab_cycles_the_panes_and_number_keys_jump() {
    let mut c = console();
    assert_eq!(c.app.pane, PaneId::Queue);
    for want in [
        PaneId::Calendar,
        PaneId::Approvals,
        PaneId::Lookup,
        PaneId::Today,
        PaneId::Queue,
    ] {
        key(&mut c.app, KeyCode::Tab);
        assert_eq!(c.app.pane, want);
    }
    key(&mut c.app, KeyCode::BackTab);
    assert_eq!(c.app.pane, PaneId::Today);
    key(&mut c.app, KeyCode::Char('3'));
    assert_eq!(c.app.pane, PaneId::Approvals);
    c.app.run_command("pane 2");
    assert_eq!(c.app.pane, PaneId::Calendar);
}

#[test]
fn j_and_down_move_the_queue_selection_and_the_window_follows() {
    let mut c = console();
    assert_eq!(c.app.queue.cursor.selected, 0);
    key(&mut c.app, KeyCode::Char('j'));
    key(&mut c.app, KeyCode::Down);
    assert_eq!(c.app.queue.cursor.selected, 2);
    key(&mut c.app, KeyCode::Char('k'));
    assert_eq!(c.app.queue.cursor.selected, 1);
    key(&mut c.app, KeyCode::Char('G'));
    assert_eq!(c.app.queue.cursor.selected, c.app.queue.total() - 1);
    assert!(
        c.app.queue.selected_row().is_some(),
        "the window follows the selection"
    );
    assert!(
        c.app.queue.rows.len() <= 24,
        "only the window on screen is loaded"
    );
}

#[test]
fn the_queue_puts_aeo_work_first() {
    let c = console();
    let rows = &c.app.queue.rows;
    assert!(rows.first().unwrap().aeo);
}

#[test]
fn the_hotline_card_shows_the_operators_latest_action_on_the_enterprise() {
    let mut c = console();
    let saic = c
        .app
        .store()
        .resolve_enterprise("91310000132260250X")
        .unwrap();
    let item = c.app.store().items_of(saic.id).unwrap()[0].id;
    c.app.run_command(&format!("filter {}", saic.name_zh));
    let row = c.app.queue.rows.iter().position(|r| r.id == item).unwrap();
    for _ in 0..row {
        key(&mut c.app, KeyCode::Char('j'));
    }
    key(&mut c.app, KeyCode::Char('t'));
    yes(&mut c.app);
    open_saic_card(&mut c.app);
    let screen = render(&mut c.app, 160, 48);
    // Dated by the real clock, not the console's frozen 10:00.
    let real = crate::calendar::shanghai_datetime(Timestamp::now())
        .strftime("%m-%d")
        .to_string();
    assert!(
        screen.contains(&format!(" · op01 · 领取 待办事项 #{item}"))
            && screen.contains(&format!("{real} ")),
        "{screen}"
    );
}

#[test]
fn the_command_line_checks_an_appointment_clearance_by_credit_level() {
    let mut c = console();
    // Now is Friday 10:00; Saturday 20:00 is 34 h ahead and outside office hours.
    c.app
        .run_command("clearance 91310000132260250X 2026-11-28 20:00");
    let screen = render(&mut c.app, 120, 30);
    assert!(
        screen.contains("可预约通关") && screen.contains("措施27"),
        "{screen}"
    );
    c.app
        .run_command("clearance 91310000132260250X 2026-11-27 17:30");
    let screen = render(&mut c.app, 120, 30);
    assert!(
        screen.contains("不能预约通关") && screen.contains("8:00"),
        "{screen}"
    );
}

#[test]
fn finishing_an_item_takes_it_off_the_queue_count_at_once() {
    let mut c = console();
    let before = c.app.queue.total();
    key(&mut c.app, KeyCode::Char('f'));
    yes(&mut c.app);
    assert_eq!(c.app.queue.total(), before - 1, "{:?}", c.app.status);
    // Scrolling fetches new windows but keeps the count it has.
    for _ in 0..40 {
        key(&mut c.app, KeyCode::Char('j'));
    }
    assert_eq!(c.app.queue.total(), before - 1);
    assert!(c.app.queue.cursor.offset > 0);
}

#[test]
fn take_finish_and_abnormal_change_the_selected_item() {
    let mut c = console();
    // Abnormal work stands first; the first waiting item may lie below the first window.
    let waiting = c
        .app
        .store()
        .queue(10_000, 0)
        .unwrap()
        .iter()
        .position(|r| r.status == WorkStatus::Waiting)
        .unwrap();
    for _ in 0..waiting {
        key(&mut c.app, KeyCode::Char('j'));
    }
    let id = c.app.queue.selected_row().unwrap().id;
    key(&mut c.app, KeyCode::Char('t'));
    yes(&mut c.app);
    let row = c.app.store().work_item(id).unwrap().unwrap();
    assert_eq!(row.status, WorkStatus::InProgress);
    assert_eq!(row.taken_by.as_deref(), Some("op01"));
    key(&mut c.app, KeyCode::Char('x'));
    yes(&mut c.app);
    assert_eq!(
        c.app.store().work_item(id).unwrap().unwrap().status,
        WorkStatus::Abnormal
    );
    // Abnormal work moves to the head of the queue, to be handled at once.
    let top = c.app.store().queue(1_000, 0).unwrap();
    let at = top.iter().position(|r| r.id == id).unwrap();
    assert!(top[..at].iter().all(|r| r.status == WorkStatus::Abnormal));
    c.app.update(Action::ChangeItem(
        id,
        crate::domain::ownership::ItemChange::Finish,
    ));
    assert_eq!(
        c.app.store().work_item(id).unwrap().unwrap().status,
        WorkStatus::Done
    );
    assert!(
        c.app.queue.rows.iter().all(|r| r.id != id),
        "done work leaves the queue"
    );
}

#[test]
fn slash_filters_the_queue_and_esc_clears_it() {
    let mut c = console();
    let all = c.app.queue.total();
    keys(&mut c.app, "/shqc");
    assert!(c.app.queue.total() < all);
    assert!(
        c.app
            .queue
            .rows
            .iter()
            .all(|r| r.enterprise == "上海汽车集团股份有限公司"),
        "{:?}",
        c.app
            .queue
            .rows
            .iter()
            .map(|r| &r.enterprise)
            .collect::<Vec<_>>()
    );
    key(&mut c.app, KeyCode::Esc);
    assert_eq!(c.app.queue.total(), all);
}

#[test]
fn a_busy_database_does_not_hold_the_screen_and_the_change_waits_its_turn() {
    let mut c = console();
    let id = c
        .app
        .store()
        .queue(1000, 0)
        .unwrap()
        .into_iter()
        .find(|r| r.taken_by.is_none() && r.status == WorkStatus::Waiting)
        .unwrap()
        .id;
    // Another operator holds the write lock (a long import, say).
    let other = rusqlite::Connection::open(&c.path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let t0 = std::time::Instant::now();
    c.app.update(Action::ChangeItem(
        id,
        crate::domain::ownership::ItemChange::Take,
    ));
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(2),
        "the key held the screen for {:?}",
        t0.elapsed()
    );
    assert!(c.app.waiting());
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Info);
    assert!(msg.contains("等待另一位操作员"), "{msg}");
    assert!(render(&mut c.app, 100, 30).contains("等待另一位操作员"));
    let taken_by = |c: &Console| c.app.store().work_item(id).unwrap().unwrap().taken_by;
    assert_eq!(taken_by(&c), None, "nothing changed yet");
    // Still busy: the next tick tries again, briefly, and keeps waiting.
    c.app.on_tick();
    assert!(c.app.waiting());
    // The other write ends: the next tick makes the change.
    other.execute_batch("COMMIT").unwrap();
    c.app.on_tick();
    assert!(!c.app.waiting());
    assert_eq!(taken_by(&c).as_deref(), Some("op01"));
}

#[test]
fn a_read_only_seat_is_refused_by_the_store_with_a_clear_message() {
    let mut c = console_with(Lang::Zh, Access::ReadOnly);
    let id = c.app.queue.selected_row().unwrap().id;
    let before = c.app.store().work_item(id).unwrap().unwrap().status;
    key(&mut c.app, KeyCode::Char('t'));
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains(read_only_message().zh()), "{msg}");
    assert_eq!(c.app.store().work_item(id).unwrap().unwrap().status, before);
    let s = render(&mut c.app, 100, 30);
    assert!(s.lines().next().unwrap().contains("READ-ONLY"), "{s}");
    assert!(s.contains(read_only_message().zh()), "{s}");
}

#[test]
fn slash_shqc_finds_saic_by_initials_and_enter_opens_its_card() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "/shqc");
    assert!(c.app.lookup.editing);
    let first = &c.app.lookup.hits[0].hit.enterprise;
    assert_eq!(first.name_zh, "上海汽车集团股份有限公司");
    key(&mut c.app, KeyCode::Enter);
    match &c.app.popup {
        Some(Popup::Card(card)) => {
            assert_eq!(
                card.enterprise.as_ref().unwrap().name_zh,
                "上海汽车集团股份有限公司"
            );
            assert!(card.coordinator.is_some());
        }
        _ => panic!("the hotline card is open"),
    }
    let s = render(&mut c.app, 160, 48);
    assert!(s.contains("AEOCN3105910001") && s.contains("协调员"), "{s}");
    key(&mut c.app, KeyCode::Esc);
    assert!(c.app.popup.is_none());
}

#[test]
fn lookup_results_follow_every_key() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "/s");
    let one = c.app.lookup.count();
    keys(&mut c.app, "hqc");
    let four = c.app.lookup.count();
    assert!(four < one, "{one} -> {four}");
    key(&mut c.app, KeyCode::Backspace);
    assert!(c.app.lookup.count() >= four);
    // Typing in the field: q and digits are letters, not commands.
    keys(&mut c.app, "q1");
    assert!(!c.app.quit);
    assert_eq!(c.app.pane, PaneId::Lookup);
}

#[test]
fn the_command_line_looks_up_and_quits() {
    let mut c = console();
    keys(&mut c.app, ":lookup 上汽");
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(c.app.pane, PaneId::Lookup);
    assert!(
        c.app
            .lookup
            .hits
            .iter()
            .any(|h| h.hit.enterprise.name_zh == "上海汽车集团股份有限公司")
    );
    keys(&mut c.app, ":nonsense");
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(status(&c.app).1, StatusKind::Error);
    keys(&mut c.app, ":q");
    key(&mut c.app, KeyCode::Enter);
    assert!(c.app.quit);
}

#[test]
fn q_quits_and_question_mark_lists_the_keys_of_the_pane() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('?'));
    assert!(matches!(c.app.popup, Some(Popup::Help(_))));
    let s = render(&mut c.app, 100, 40);
    for k in ["领取", "办结", "异常", "筛选", "切换窗格"] {
        assert!(s.contains(k), "{k} missing from help:\n{s}");
    }
    key(&mut c.app, KeyCode::Esc);
    assert!(c.app.popup.is_none());
    key(&mut c.app, KeyCode::Char('q'));
    assert!(!c.app.quit, "q asks first");
    key(&mut c.app, KeyCode::Enter);
    assert!(
        !c.app.quit && c.app.popup.is_none(),
        "Enter takes the default, No"
    );
    key(&mut c.app, KeyCode::Char('q'));
    yes(&mut c.app);
    assert!(c.app.quit);
}

#[test]
fn calendar_keys_move_the_day_and_the_month() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('2'));
    assert_eq!(c.app.calendar.selected, date(2026, 11, 27));
    key(&mut c.app, KeyCode::Char('l'));
    assert_eq!(c.app.calendar.selected, date(2026, 11, 28));
    key(&mut c.app, KeyCode::Char('j'));
    assert_eq!(c.app.calendar.selected, date(2026, 12, 5));
    key(&mut c.app, KeyCode::Char(']'));
    assert_eq!(c.app.calendar.selected, date(2027, 1, 5));
    key(&mut c.app, KeyCode::Char('.'));
    assert_eq!(c.app.calendar.selected, date(2026, 11, 27));
    assert!(!c.app.calendar.board.is_empty(), "today has slots");
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(c.app.calendar.focus, Focus::Board);
    key(&mut c.app, KeyCode::Esc);
    assert_eq!(c.app.calendar.focus, Focus::Grid);
}

#[test]
fn booking_a_weekend_slot_for_a_regular_enterprise_is_refused_with_the_5_plus_2_reason() {
    let mut c = console();
    c.app.run_command("date 2026-11-28");
    let slot = c.app.calendar.slot_to_book().expect("a free Saturday slot");
    let regular = c
        .app
        .store()
        .queue(600, 0)
        .unwrap()
        .into_iter()
        .find(|r| r.credit == CreditLevel::Regular)
        .unwrap();
    c.app.update(Action::Book {
        slot_id: slot.id,
        enterprise_id: regular.enterprise_id,
        location: Location::InZone,
        reason: None,
        goods: "冷冻牛肉".to_string(),
    });
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(
        msg.contains("5+2") && msg.contains("常规企业") && msg.contains("休息日"),
        "{msg}"
    );
}

#[test]
fn an_aeo_enterprise_books_a_saturday_slot_through_the_form() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Char('l')); // Saturday 2026-11-28
    let slot = c.app.calendar.slot_to_book().unwrap();
    let saturday = date(2026, 11, 28);
    let taken = c.app.calendar.loads[&saturday].taken;
    key(&mut c.app, KeyCode::Char('b'));
    let Some(Popup::Book(form)) = &c.app.popup else {
        panic!("the booking form is open")
    };
    assert!(form.aeo_only(), "a day off offers AEO enterprises only");
    keys(&mut c.app, "sh");
    let Some(Popup::Book(form)) = &c.app.popup else {
        panic!()
    };
    assert!(!form.hits.is_empty());
    assert!(form.hits.iter().all(|h| h.enterprise.credit.is_aeo()));
    keys(&mut c.app, "qc");
    key(&mut c.app, KeyCode::Right); // outside the zone (measure 30)
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "chips");
    // Without its measure-30 reason the booking is refused, the form stays open.
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error, "{msg}");
    assert!(
        msg.contains("须注明原因") && msg.contains("易受静电影响"),
        "{msg}"
    );
    assert!(matches!(c.app.popup, Some(Popup::Book(_))));
    key(&mut c.app, KeyCode::Tab); // the reason field
    key(&mut c.app, KeyCode::Right);
    key(&mut c.app, KeyCode::Right); // static
    key(&mut c.app, KeyCode::Enter);
    let Some(Popup::Confirm(ask)) = &c.app.popup else {
        panic!("booking asks first")
    };
    assert!(ask.question.contains("上海汽车"), "{}", ask.question);
    assert!(ask.question.contains("易受静电影响"), "{}", ask.question);
    yes(&mut c.app);
    assert!(c.app.popup.is_none(), "{:?}", c.app.status);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Info, "{msg}");
    assert!(
        msg.contains("已预约查验") && msg.contains("上海汽车"),
        "{msg}"
    );
    let bookings = c.app.store().bookings_of_slot(slot.id).unwrap();
    let b = bookings
        .iter()
        .find(|b| b.enterprise == "上海汽车集团股份有限公司")
        .unwrap();
    assert_eq!(b.location, Location::OutOfZone);
    assert_eq!(b.offsite_reason, Some(OffSiteReason::Static));
    assert!(!b.needs_site_approval);
    assert_eq!(b.goods, "chips");
    assert_eq!(b.booked_by, "op01");
    // The month grid counts the new booking (its loads are read again after a change).
    assert_eq!(c.app.calendar.loads[&saturday].taken, taken + 1);
}

#[test]
fn a_regular_enterprise_asking_for_a_factory_inspection_is_booked_for_the_site_to_approve() {
    let mut c = console();
    c.app.run_command("date 2026-11-30");
    let slot = c.app.calendar.slot_to_book().expect("a free Monday slot");
    let regular = c
        .app
        .store()
        .queue(600, 0)
        .unwrap()
        .into_iter()
        .find(|r| r.credit == CreditLevel::Regular)
        .unwrap();
    c.app.update(Action::Book {
        slot_id: slot.id,
        enterprise_id: regular.enterprise_id,
        location: Location::Factory,
        reason: Some(OffSiteReason::Temperature),
        goods: "疫苗".to_string(),
    });
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Info, "{msg}");
    assert!(msg.contains("待现场海关同意"), "{msg}");
    let b = c
        .app
        .store()
        .bookings_of_slot(slot.id)
        .unwrap()
        .into_iter()
        .find(|b| b.enterprise_id == regular.enterprise_id)
        .unwrap();
    assert!(b.needs_site_approval);
    assert_eq!(b.offsite_reason, Some(OffSiteReason::Temperature));
}

#[test]
fn a_full_slot_is_refused_with_the_reason() {
    let mut c = console();
    c.app.run_command("date 2026-11-27");
    let full = c
        .app
        .store()
        .slots_between(date(2026, 11, 27), date(2026, 11, 27))
        .unwrap()
        .into_iter()
        .find(|s| s.free() == 0)
        .expect("a full slot today");
    let aeo = c.app.store().queue(5, 0).unwrap()[0].enterprise_id;
    c.app.update(Action::Book {
        slot_id: full.id,
        enterprise_id: aeo,
        location: Location::InZone,
        reason: None,
        goods: "冷冻牛肉".to_string(),
    });
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("时段已满"), "{msg}");
}

/// The day board reads a booking's enterprise when the booking can be on screen: at first
/// those of the first screenful, then those the cursor brings.
#[test]
fn the_day_board_names_the_bookings_it_shows_as_the_cursor_brings_them() {
    use super::panes::BoardLine;
    let mut c = console();
    c.app.resize(80, 24);
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Enter);
    let unnamed = |app: &App| {
        app.calendar
            .board
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, BoardLine::Booking(b) if b.enterprise.is_empty()))
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    let lines = c.app.calendar.board.len();
    let page = c.app.calendar.board_cursor.page();
    assert!(lines > 2 * page, "a board longer than two screens: {lines}");
    assert!(
        unnamed(&c.app).iter().all(|i| *i >= page),
        "{:?}",
        unnamed(&c.app)
    );
    assert!(!unnamed(&c.app).is_empty());
    for _ in 0..lines {
        key(&mut c.app, KeyCode::Char('j'));
        let cur = &c.app.calendar.board_cursor;
        let window = cur.offset..cur.offset + page;
        assert!(window.contains(&cur.selected));
        assert!(
            unnamed(&c.app).iter().all(|i| !window.contains(i)),
            "{window:?} {:?}",
            unnamed(&c.app)
        );
    }
    let b = c.app.calendar.selected_booking().unwrap().clone();
    let screen = render(&mut c.app, 80, 24);
    let short: String = b.enterprise.chars().take(6).collect();
    assert!(screen.contains(&short), "{screen}");
}

#[test]
fn bookings_on_the_day_board_are_done_cancelled_or_abnormal() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Enter);
    let before = c.app.calendar.clearance.clone();
    key(&mut c.app, KeyCode::Char('j')); // the first booking under the first slot
    let b = c
        .app
        .calendar
        .selected_booking()
        .expect("a booking")
        .clone();
    key(&mut c.app, KeyCode::Char('f'));
    yes(&mut c.app);
    assert_eq!(c.app.calendar.clearance.done, before.done + 1);
    assert_eq!(c.app.calendar.clearance.booked, before.booked - 1);
    let (msg, _) = status(&c.app);
    assert!(msg.contains(&format!("#{}", b.id)), "{msg}");
    key(&mut c.app, KeyCode::Char('c'));
    yes(&mut c.app);
    assert_eq!(
        status(&c.app).1,
        StatusKind::Error,
        "a finished booking stays finished"
    );
}

#[test]
fn approvals_are_sorted_by_time_left_and_pause_and_resume() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('3'));
    let cat = MeasureCatalog::official();
    let cal = WorkingCalendar::official();
    let left: Vec<i64> = c
        .app
        .approvals
        .rows
        .iter()
        .map(|r| r.countdown(cal, cat, now()).remaining_secs)
        .collect();
    assert!(left.windows(2).all(|w| w[0] <= w[1]));
    let running = c
        .app
        .approvals
        .rows
        .iter()
        .position(|r| r.status() == crate::domain::approval::ApprovalStatus::Running)
        .unwrap();
    for _ in 0..running {
        key(&mut c.app, KeyCode::Char('j'));
    }
    let id = c.app.approvals.selected_row().unwrap().id;
    key(&mut c.app, KeyCode::Char('p'));
    assert!(matches!(c.app.popup, Some(Popup::Pause(_))));
    key(&mut c.app, KeyCode::Char('5')); // testing (检测)
    yes(&mut c.app);
    assert!(c.app.popup.is_none());
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(a.status(), crate::domain::approval::ApprovalStatus::Paused);
    assert_eq!(
        a.pauses.last().unwrap().reason,
        crate::domain::approval::PauseReason::Testing
    );
    let s = render(&mut c.app, 160, 48);
    assert!(s.contains("暂停"), "{s}");
    let sel = c
        .app
        .approvals
        .rows
        .iter()
        .position(|r| r.id == id)
        .unwrap();
    assert_eq!(
        c.app.approvals.cursor.selected, sel,
        "the selection stays on the paused approval"
    );
    key(&mut c.app, KeyCode::Char('r'));
    yes(&mut c.app);
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(a.status(), crate::domain::approval::ApprovalStatus::Running);
    key(&mut c.app, KeyCode::Char('d'));
    assert!(matches!(c.app.popup, Some(Popup::Decide(_))));
    key(&mut c.app, KeyCode::Char('y'));
    yes(&mut c.app);
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(a.decision.as_deref(), Some("准予许可"));
    assert!(c.app.approvals.rows.iter().all(|r| r.id != id));
}

/// Moves the approvals' selection down to the first approval `want` accepts; its id.
fn select_approval(c: &mut Console, want: impl Fn(&crate::store::ApprovalRow) -> bool) -> i64 {
    key(&mut c.app, KeyCode::Char('3'));
    key(&mut c.app, KeyCode::Char('g'));
    for _ in 0..c.app.approvals.total() {
        if let Some(r) = c.app.approvals.selected_row().filter(|r| want(r)) {
            return r.id;
        }
        key(&mut c.app, KeyCode::Char('j'));
    }
    panic!("no approval of the demo fits");
}

#[test]
fn correction_moves_the_acceptance_and_a_refused_time_keeps_the_form() {
    let mut c = console();
    let nine: Timestamp = "2026-11-27T09:00:00+08:00".parse().unwrap();
    let id = select_approval(&mut c, |r| {
        r.status() == crate::domain::approval::ApprovalStatus::Running
            && r.pauses.is_empty()
            && r.accepted_at < nine
    });
    let accepted = c.app.store().approval(id).unwrap().unwrap().accepted_at;
    key(&mut c.app, KeyCode::Char('C'));
    let Some(Popup::Correct(p)) = &c.app.popup else {
        panic!("the 补正 form is open");
    };
    assert_eq!(
        p.received, "2026-11-27 10:00",
        "filled with the console's time"
    );
    let s = render(&mut c.app, 80, 24);
    assert!(s.contains("补正材料收到时间"), "{s}");
    // Before the acceptance on record: refused with the rule's reason, the form stays.
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(
        &mut c.app,
        &crate::present::instant(
            accepted
                .saturating_sub(jiff::SignedDuration::from_hours(24))
                .unwrap(),
        ),
    );
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("补正只会推迟受理"), "{msg}");
    assert!(
        matches!(c.app.popup, Some(Popup::Correct(_))),
        "the form stays open"
    );
    assert_eq!(
        c.app.store().approval(id).unwrap().unwrap().accepted_at,
        accepted
    );
    // Not a time at all: said in the form's words, nothing asked.
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut c.app, "tuesday");
    key(&mut c.app, KeyCode::Enter);
    assert!(matches!(c.app.popup, Some(Popup::Correct(_))));
    assert!(
        status(&c.app).0.contains("不是可用的时间"),
        "{:?}",
        c.app.status
    );
    // 09:00 today: the acceptance moves there and the deadline is counted again.
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    keys(&mut c.app, "2026-11-27 09:00");
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    assert!(c.app.popup.is_none(), "{:?}", c.app.status);
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(a.accepted_at, nine);
    assert!(
        status(&c.app).0.contains("补正后受理"),
        "{:?}",
        c.app.status
    );
}

#[test]
fn an_extension_names_its_approver_once_and_final_authority_turns_measure_26() {
    let mut c = console_with(Lang::En, Access::ReadWrite);
    let cat = MeasureCatalog::official();
    let s = render(&mut c.app, 160, 48);
    let footer = s.lines().last().unwrap().to_string();
    key(&mut c.app, KeyCode::Char('3'));
    let s = render(&mut c.app, 160, 48);
    let footer3 = s.lines().last().unwrap();
    for k in ["C correction", "e extend", "F final auth."] {
        assert!(
            footer3.contains(k),
            "{k} in the approvals' footer: {footer3}"
        );
        assert!(
            !footer.contains(k),
            "{k} belongs to the approvals pane: {footer}"
        );
    }
    // A regular limit: extended once, by the head of office named.
    let id = select_approval(&mut c, |r| {
        let rule = r.rule(cat);
        !rule.compressed && rule.count == DayCount::Working && r.extended_by.is_none()
    });
    let before = c
        .app
        .store()
        .approval(id)
        .unwrap()
        .unwrap()
        .rule(cat)
        .limit_days;
    key(&mut c.app, KeyCode::Char('e'));
    assert!(matches!(c.app.popup, Some(Popup::Extend(_))));
    keys(&mut c.app, "王科长");
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    assert!(c.app.popup.is_none(), "{:?}", c.app.status);
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(a.extended_by.as_deref(), Some("王科长"));
    assert_eq!(a.rule(cat).limit_days, before + 10);
    assert_eq!(
        c.app.approvals.selected_row().map(|r| r.id),
        Some(id),
        "the selection stays on the extended approval, wherever its new deadline puts it"
    );
    // Once only: the key is refused with the reason, no form opens.
    select_approval(&mut c, |r| r.id == id);
    key(&mut c.app, KeyCode::Char('e'));
    assert!(c.app.popup.is_none());
    assert!(
        status(&c.app).0.contains("one extension"),
        "{:?}",
        c.app.status
    );
    // Nor is the plan's compressed limit extended.
    select_approval(&mut c, |r| r.rule(cat).compressed);
    key(&mut c.app, KeyCode::Char('e'));
    assert!(c.app.popup.is_none());
    assert!(
        status(&c.app).0.contains("regular limit only"),
        "{:?}",
        c.app.status
    );

    // Measure 26: an AEO animal/plant approval without the final authority runs 20 days.
    let id = select_approval(&mut c, |r| {
        r.kind == ApprovalKind::AnimalPlant && r.final_authority && r.credit.is_aeo()
    });
    key(&mut c.app, KeyCode::Char('F'));
    assert!(matches!(c.app.popup, Some(Popup::FinalAuthority(_))));
    let s = render(&mut c.app, 80, 24);
    assert!(s.contains("(on record)"), "{s}");
    key(&mut c.app, KeyCode::Char('2'));
    yes(&mut c.app);
    assert!(c.app.popup.is_none(), "{:?}", c.app.status);
    let a = c.app.store().approval(id).unwrap().unwrap();
    assert!(!a.final_authority);
    assert!(!a.rule(cat).compressed);
    assert_eq!(a.rule(cat).limit_days, 20);
    // Not a question for other kinds.
    select_approval(&mut c, |r| r.kind == ApprovalKind::SpecialArticles);
    key(&mut c.app, KeyCode::Char('F'));
    assert!(c.app.popup.is_none());
    assert!(
        status(&c.app).0.contains("animal/plant"),
        "{:?}",
        c.app.status
    );
}

#[test]
fn a_read_only_seat_opens_none_of_the_approval_forms() {
    let mut c = console_with(Lang::Zh, Access::ReadOnly);
    key(&mut c.app, KeyCode::Char('3'));
    let s = render(&mut c.app, 160, 48);
    let footer = s.lines().last().unwrap();
    assert!(
        !footer.contains("补正") && !footer.contains("延长"),
        "{footer}"
    );
    let id = select_approval(&mut c, |r| r.kind == ApprovalKind::AnimalPlant);
    let before = c.app.store().approval(id).unwrap().unwrap();
    for k in ['C', 'e', 'F'] {
        c.app.status = None;
        key(&mut c.app, KeyCode::Char(k));
        assert!(c.app.popup.is_none(), "{k} opened a form");
        let (msg, kind) = status(&c.app);
        assert_eq!(kind, StatusKind::Error);
        assert!(msg.contains(read_only_message().zh()), "{msg}");
    }
    let after = c.app.store().approval(id).unwrap().unwrap();
    assert_eq!(
        (after.accepted_at, after.extended_by, after.final_authority),
        (
            before.accepted_at,
            before.extended_by,
            before.final_authority
        )
    );
}

#[test]
fn a_countdown_into_a_year_without_a_schedule_carries_the_clis_mark() {
    let (cal, cat) = (WorkingCalendar::official(), MeasureCatalog::official());
    for (lang, unit) in [(Lang::Zh, "工作日"), (Lang::En, "wd")] {
        let mut c = console_with(lang, Access::ReadWrite);
        let id = select_approval(&mut c, |r| {
            let cd = r.countdown(cal, cat, now());
            cd.uses_unknown_calendar && !cd.paused && !cd.overdue
        });
        let r = c.app.store().approval(id).unwrap().unwrap();
        let left = r.countdown(cal, cat, now()).remaining_secs;
        let want = format!(
            "{}{unit} {:02}:{:02}:{:02}?",
            left / 86_400,
            left % 86_400 / 3_600,
            left % 3_600 / 60,
            left % 60
        );
        for (w, h) in [(80, 24), (160, 48)] {
            let s = render(&mut c.app, w, h);
            let shown = s.lines().filter(|l| l.contains(&want)).count();
            // The row and the detail below the table (at 80x24 a rule wrapped in English may
            // take the detail's last line).
            assert!(
                shown == 2 || (w == 80 && shown == 1),
                "{want} at {w}x{h}:\n{s}"
            );
        }
    }
}

#[test]
fn the_rule_of_an_aeo_special_articles_approval_is_shown() {
    let mut c = console_with(Lang::En, Access::ReadWrite);
    key(&mut c.app, KeyCode::Char('3'));
    let s = render(&mut c.app, 160, 48);
    assert!(
        s.contains("measure 25: 5 working days instead of 20"),
        "{s}"
    );
}

#[test]
fn y_copies_the_selected_value() {
    let mut c = console();
    open_saic_card(&mut c.app);
    key(&mut c.app, KeyCode::Char('Y'));
    assert_eq!(
        c.app.take_clipboard().as_deref(),
        Some("91310000132260250X")
    );
    key(&mut c.app, KeyCode::Char('y'));
    let phone = c.app.take_clipboard().unwrap();
    assert!(
        phone.starts_with("021-") || phone.starts_with("139"),
        "{phone}"
    );
}

#[test]
fn another_sessions_commit_reloads_the_pane_within_a_tick() {
    let mut c = console();
    assert!(!c.app.on_tick(), "frozen clock, no change: nothing to draw");
    // The operator who holds the first item finishes it in another session.
    let row = c.app.queue.rows[0].clone();
    let (id, holder) = (row.id, row.taken_by.unwrap_or_else(|| "op07".into()));
    let mut other = Store::open(&c.path, Access::ReadWrite).unwrap();
    other
        .write(|w| w.set_item_status(id, WorkStatus::Done, &holder, now()))
        .unwrap();
    assert!(c.app.on_tick(), "a commit elsewhere redraws");
    assert!(c.app.queue.rows.iter().all(|r| r.id != id));
}

/// The tab counts are taken by a thread of their own: a tick that sees another session's
/// change asks for them and goes on drawing the last ones; once they arrive they are the
/// store's counts after the change. On each backend.
#[test]
fn the_tab_counts_follow_another_sessions_change_off_the_draw() {
    for db in crate::store::testing::each_backend() {
        let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
        let (cal, cat) = (WorkingCalendar::official(), MeasureCatalog::official());
        crate::demo::fill(&mut store, &Default::default(), now(), cal, cat).unwrap();
        let counted =
            |s: &Store| super::panes::tab_counts(s, now(), cal, Default::default()).unwrap();
        let mut app = app_on(db.location(), Lang::Zh, Access::ReadOnly);
        app.wait_for_tab_counts();
        let before = counted(&store);
        assert_eq!(app.tabs, before, "{:?}", db.backend);
        assert!(before[2].total > 0 && before[0].overdue > 0, "{before:?}");
        // Another operator marks an item abnormal.
        let mut open = crate::store::ListFilter::text("");
        open.now = now();
        let row = store
            .queue_filtered(&open, 500, 0)
            .unwrap()
            .into_iter()
            .find(|r| r.status != WorkStatus::Abnormal)
            .unwrap();
        let holder = row.taken_by.unwrap_or_else(|| "op07".into());
        store
            .write(|w| w.set_item_status(row.id, WorkStatus::Abnormal, &holder, now()))
            .unwrap();
        let after = counted(&store);
        assert_eq!(after[0].overdue, before[0].overdue + 1);
        let patience = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            // The tick that sees the change only asks: the tabs keep the last counts.
            let shown = app.tabs;
            app.on_tick();
            assert_eq!(app.tabs, shown);
            app.wait_for_tab_counts();
            if app.tabs == after || std::time::Instant::now() > patience {
                break;
            }
            // PostgreSQL's change notice may come a moment after the commit.
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(app.tabs, after, "{:?}", db.backend);
        let screen = render(&mut app, 160, 48);
        assert!(
            screen.contains(&format!("1 优先队列 ✗{}", after[0].overdue)),
            "{screen}"
        );
    }
}

#[test]
fn a_ticking_clock_redraws_every_second() {
    let (_dir, path) = demo_db();
    let store = Store::open(&path, Access::ReadWrite).unwrap();
    let mut app = App::new(
        store,
        Session {
            operator: "op01".into(),
            db_label: "demo.db".into(),
            demo: true,
            read_only: false,
            lang: Lang::Zh,
            new_db: false,
            office_hours: Default::default(),
        },
        Clock::System,
        Keymap::default(),
        Theme::mono(),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(app.on_tick());
}

#[test]
fn a_newly_created_empty_database_is_named_in_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    for (lang, wide, narrow) in [
        (Lang::Zh, "新建的空数据库", "新建空库"),
        (Lang::En, "NEW EMPTY DATABASE", "NEW EMPTY DB"),
    ] {
        let store = Store::open(&path, Access::ReadWrite).unwrap();
        let mut app = App::new(
            store,
            Session {
                operator: "op01".into(),
                db_label: path.display().to_string(),
                demo: false,
                read_only: false,
                lang,
                new_db: true,
                office_hours: Default::default(),
            },
            Clock::Frozen(now()),
            Keymap::default(),
            Theme::mono(),
        )
        .unwrap();
        let s = render(&mut app, 160, 30);
        let header = s.lines().next().unwrap();
        assert!(header.contains(wide) && header.contains("AEO_DB"), "{s}");
        let s = render(&mut app, 80, 24);
        assert!(s.lines().next().unwrap().contains(narrow), "{s}");
        app.session.new_db = false;
        let s = render(&mut app, 160, 30);
        assert!(!s.lines().next().unwrap().contains(wide), "{s}");
    }
}
mod hotline;

/// A district's counts at 80 columns: every tab's counts are shown whole (shortened), none cut
/// off at the edge; at 160 columns they are written out.
#[test]
fn district_sized_tab_counts_are_shown_whole_at_80_columns() {
    use crate::tui::panes::TabCount;
    for (lang, today, queue) in [
        (Lang::Zh, "5 今日 ✗7.0万 !4382", "1 队列 ✗5.9万"),
        (Lang::En, "5 Today ✗70k !4382", "1 Queue ✗59k"),
    ] {
        let mut c = console_with(lang, Access::ReadOnly);
        let district = [
            TabCount {
                total: 0,
                overdue: 59_541,
                near: 0,
                pane: None,
            },
            TabCount {
                total: 0,
                overdue: 0,
                near: 3,
                pane: None,
            },
            TabCount {
                total: 15_337,
                overdue: 2_191,
                near: 4_382,
                pane: None,
            },
            TabCount::default(),
            TabCount {
                total: 0,
                overdue: 70_796,
                near: 4_382,
                pane: None,
            },
        ];
        let draw = |app: &mut App, w: u16| {
            app.resize(w, 24);
            app.tabs = district;
            screen(app, w, 24)
                .lines()
                .nth(1)
                .unwrap_or_default()
                .to_string()
        };
        let narrow = draw(&mut c.app, 80);
        assert!(narrow.contains(today), "{narrow}");
        assert!(narrow.contains(queue), "{narrow}");
        let wide = draw(&mut c.app, 160);
        assert!(wide.contains("70796"), "{wide}");
        assert!(wide.contains("59541"), "{wide}");
    }
}

/// Today reads the lines on screen: the sections below are counted, not read, until the cursor
/// goes down to them; then the screen shows them as a whole read would.
#[test]
fn today_reads_the_sections_below_the_screen_when_the_cursor_goes_there() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('5'));
    let top = render(&mut c.app, 80, 24);
    assert!(top.contains("今日待办"), "{top}");
    let read = |app: &App| app.today.data.clone().unwrap();
    let first = read(&c.app);
    // Everything the pane lists, read whole, as `:export` reads it.
    let all = c
        .app
        .store()
        .today(
            now(),
            "op01",
            30,
            &crate::domain::problem::Lateness::new(
                WorkingCalendar::official(),
                c.app.today.targets,
                now(),
            ),
        )
        .unwrap();
    assert_eq!(first.counts, all.counts);
    assert!(!all.taken.is_empty() && first.taken.is_empty(), "{top}");
    assert!(!top.contains("我领取的事项"), "{top}");
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    let bottom = render(&mut c.app, 80, 24);
    let last = all.taken.last().unwrap();
    assert!(
        bottom.contains(&format!("#{} ", last.id)) && bottom.contains("我领取的事项"),
        "{bottom}"
    );
    assert_eq!(read(&c.app).taken.len(), all.taken.len());
    // Back to the top: the same screen as before.
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE));
    assert_eq!(render(&mut c.app, 80, 24), top);
}

/// A USCC read out with a wrong check character: the note saying which it should be is shown
/// whole at 80 columns, in Chinese and English, and the enterprise it names stays on screen.
#[test]
fn a_wrong_check_character_is_said_whole_at_80_columns() {
    for lang in [Lang::Zh, Lang::En] {
        let mut c = console_with(lang, Access::ReadWrite);
        let uscc = "91310000132260250X";
        let wrong = "913100001322602500";
        key(&mut c.app, KeyCode::Char('4'));
        keys(&mut c.app, &format!("/{wrong}"));
        let note = c.app.lookup.ranking.notes.first().expect("a note").clone();
        let s = render(&mut c.app, 80, 24);
        let said: String = s.split_whitespace().collect();
        let whole: String = lang.pick(&note.zh, &note.en).split_whitespace().collect();
        let shown: String = said.replace(['│', '╭', '╮', '╰', '╯', '─'], "");
        assert!(shown.contains(&whole), "{lang:?}: the note is cut:\n{s}");
        assert!(s.contains(uscc), "{lang:?}: the enterprise is shown:\n{s}");
    }
}

/// Opened on the lookup pane (`--pane lookup`), the console takes a caller's name as typed:
/// letters go into the query, digits too, and no key switches the pane.
#[test]
fn opened_on_lookup_the_console_takes_what_is_typed() {
    let mut c = console();
    c.app.start_on(PaneId::Lookup);
    render(&mut c.app, 80, 24);
    keys(&mut c.app, "shqc");
    assert_eq!(c.app.pane, PaneId::Lookup);
    assert_eq!(c.app.lookup.query, "shqc");
    assert!(
        c.app
            .lookup
            .hits
            .iter()
            .take(5)
            .any(|h| h.hit.enterprise.name_zh == "上海汽车集团股份有限公司")
    );
    keys(&mut c.app, "1");
    assert_eq!(c.app.pane, PaneId::Lookup);
}

/// Lookup ranks every match on each key but reads whole only the rows on screen: going down
/// the list reads the rows it comes to, in the ranking's order, and `:export` writes them all.
#[test]
fn lookup_reads_the_rows_it_shows_and_the_rest_as_the_cursor_reaches_them() {
    let mut c = console();
    render(&mut c.app, 80, 24);
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "/s");
    let all = c
        .app
        .store()
        .find("s", &crate::store::FindOptions::new(200))
        .unwrap()
        .found;
    let ids = |f: &[crate::store::Found]| f.iter().map(|f| f.hit.enterprise.id).collect::<Vec<_>>();
    let page = c.app.lookup.cursor.page();
    assert!(all.len() > 2 * page, "{} found, page {page}", all.len());
    assert_eq!(c.app.lookup.count(), all.len());
    assert_eq!(ids(&c.app.lookup.hits), ids(&all[..page]));
    let s = render(&mut c.app, 80, 24);
    assert!(s.contains(&format!("{} 家", all.len())), "{s}");
    // Two pages down, then the last row: each is the ranking's row there, on screen.
    for code in [
        KeyCode::PageDown,
        KeyCode::PageDown,
        KeyCode::Esc,
        KeyCode::End,
    ] {
        key(&mut c.app, code);
        let at = c.app.lookup.cursor.selected;
        let hit = c
            .app
            .lookup
            .selected_hit()
            .expect("the selected row is read");
        assert_eq!(hit.hit.enterprise.id, all[at].hit.enterprise.id, "row {at}");
        assert_eq!(hit.why, all[at].why, "row {at}");
        assert!(c.app.lookup.hits.len() <= page);
        let s = render(&mut c.app, 80, 24);
        assert!(s.contains(&all[at].hit.enterprise.uscc), "row {at}:\n{s}");
    }
    assert_eq!(c.app.lookup.cursor.selected, all.len() - 1);
    let out = c._dir.path().join("lookup.csv");
    keys(&mut c.app, &format!(":export {}", out.display()));
    key(&mut c.app, KeyCode::Enter);
    let csv = std::fs::read_to_string(&out).expect("the export is written");
    assert_eq!(csv.lines().count(), all.len() + 1, "{csv}");
}

/// The credit level is said whole in the lists at 80 columns, in English too ("certified"
/// and "s.dishonest" had lost their ends in columns of 8).
#[test]
fn lists_say_the_credit_level_and_the_status_whole_at_80_columns() {
    let mut c = console_with(Lang::En, Access::ReadWrite);
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "/shqc");
    let levels: Vec<&str> = c
        .app
        .lookup
        .hits
        .iter()
        .map(|f| f.hit.enterprise.credit.short_name(Lang::En))
        .collect();
    assert!(levels.contains(&"s.dishonest"), "{levels:?}");
    let s = render(&mut c.app, 80, 24);
    let whole = |s: &str, level: &str| s.lines().any(|l| l.split_whitespace().any(|w| w == level));
    for level in levels {
        assert!(whole(&s, level), "{level}:\n{s}");
    }
    // The queue, whose AEO items come first.
    key(&mut c.app, KeyCode::Esc);
    key(&mut c.app, KeyCode::Char('1'));
    let s = render(&mut c.app, 80, 24);
    assert!(whole(&s, "certified") && whole(&s, "advanced"), "{s}");
    // Each item's status too ("in progress", not "in pr…"): abnormal items head the queue,
    // the others are typed for.
    assert!(whole(&s, "abnormal"), "{s}");
    for (code, name) in [("in_progress", "in progress"), ("waiting", "waiting")] {
        keys(&mut c.app, &format!("/{code}"));
        let s = render(&mut c.app, 80, 24);
        let rows = s
            .lines()
            .filter(|l| l.contains(" left ") || l.contains(" late ") || l.contains(" wait "));
        let shown: Vec<&str> = rows.collect();
        assert!(!shown.is_empty(), "{s}");
        for row in shown {
            assert!(row.contains(name), "{name}: {row}\n{s}");
        }
        key(&mut c.app, KeyCode::Esc);
    }
}
