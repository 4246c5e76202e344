//! Safe hands, key → action → state: every key that writes asks first with No as the default,
//! no letter confirms, undo is a new audited change, another operator's item is refused with
//! their name until taken over, a read-only seat opens no form, and refusals are shown whole in
//! the operator's language.

use super::app::{App, PaneId, StatusKind};
use super::panes::Focus;
use super::popups::Popup;
use super::tests::{console, console_with, key, keys, render, status, yes};
use crate::domain::credit::CreditLevel;
use crate::domain::inspection::Location;
use crate::domain::queue::WorkStatus;
use crate::store::{Access, Store};
use crate::text::Lang;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything the console could have written: the audit trail grows with every change.
fn changes(app: &App) -> usize {
    app.store().audit(None, None, 1_000_000).unwrap().len()
}

fn question(app: &App) -> String {
    match &app.popup {
        Some(Popup::Confirm(c)) => c.question.clone(),
        _ => panic!("a confirmation is open; status {:?}", app.status),
    }
}

fn select_waiting_item(app: &mut App) -> i64 {
    // Abnormal work stands first; the first waiting item may lie below the first window.
    let i = app
        .store()
        .queue(10_000, 0)
        .unwrap()
        .iter()
        .position(|r| r.status == WorkStatus::Waiting)
        .unwrap();
    for _ in 0..i {
        key(app, KeyCode::Char('j'));
    }
    app.queue.selected_row().unwrap().id
}

#[test]
fn every_write_key_of_the_queue_asks_naming_the_record_and_enter_answers_no() {
    let mut c = console();
    let id = select_waiting_item(&mut c.app);
    let name = c.app.queue.selected_row().unwrap().enterprise.clone();
    let before = changes(&c.app);
    for k in ['t', 'f', 'x', 'R', 'T'] {
        key(&mut c.app, KeyCode::Char(k));
        let q = question(&c.app);
        assert!(
            q.contains(&format!("#{id}")) && q.contains(&name),
            "{k}: {q}"
        );
        key(&mut c.app, KeyCode::Enter);
        assert!(c.app.popup.is_none(), "{k}: Enter closes the question");
        assert_eq!(status(&c.app).0, "已取消，未作更改");
    }
    assert_eq!(changes(&c.app), before, "No changed nothing");
}

#[test]
fn a_callers_name_typed_on_any_pane_confirms_nothing() {
    let mut c = console();
    let before = changes(&c.app);
    for pane in ['1', '2', '3', '5'] {
        for _ in 0..4 {
            key(&mut c.app, KeyCode::Esc);
        }
        key(&mut c.app, KeyCode::Char(pane));
        if pane != '1' {
            key(&mut c.app, KeyCode::Enter);
            key(&mut c.app, KeyCode::Esc);
        }
        // `fuyang`: f asks, y (which once approved a decision) is not an answer.
        for name in [
            "fuyang",
            "dayu",
            "shqc fuxing",
            "tiancheng xiaodong rongbang qiaobo",
        ] {
            keys(&mut c.app, name);
            key(&mut c.app, KeyCode::Enter);
        }
        assert!(!c.app.quit, "pane {pane}: a name quit the console");
    }
    for _ in 0..4 {
        key(&mut c.app, KeyCode::Esc);
    }
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "qtfxcdrpb");
    assert_eq!(c.app.lookup.query, "qtfxcdrpb", "the lookup takes typing");
    assert!(!c.app.quit);
    assert_eq!(changes(&c.app), before, "typing names changed data");
}

#[test]
fn the_day_board_and_the_approvals_ask_before_each_change() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Enter);
    key(&mut c.app, KeyCode::Char('j'));
    assert_eq!(c.app.calendar.focus, Focus::Board);
    let b = c.app.calendar.selected_booking().unwrap().clone();
    let before = changes(&c.app);
    for k in ['f', 'x', 'c'] {
        key(&mut c.app, KeyCode::Char(k));
        let q = question(&c.app);
        assert!(
            q.contains(&format!("#{}", b.id)) && q.contains(&b.enterprise),
            "{q}"
        );
        key(&mut c.app, KeyCode::Esc);
    }
    key(&mut c.app, KeyCode::Char('3'));
    let a = c.app.approvals.selected_row().unwrap().clone();
    key(&mut c.app, KeyCode::Char('d'));
    key(&mut c.app, KeyCode::Char('y'));
    let q = question(&c.app);
    assert!(q.contains(&a.reference) && q.contains("不能撤销"), "{q}");
    key(&mut c.app, KeyCode::Enter);
    assert!(
        matches!(c.app.popup, Some(Popup::Decide(_))),
        "No goes back to the form"
    );
    key(&mut c.app, KeyCode::Esc);
    assert_eq!(changes(&c.app), before);
}

#[test]
fn undo_puts_the_item_back_as_a_new_audited_change_once() {
    let mut c = console();
    let id = select_waiting_item(&mut c.app);
    key(&mut c.app, KeyCode::Char('t'));
    yes(&mut c.app);
    let row = c.app.store().work_item(id).unwrap().unwrap();
    assert_eq!(row.taken_by.as_deref(), Some("op01"));
    assert!(render(&mut c.app, 80, 23).contains("u 撤销上一次更改"));
    key(&mut c.app, KeyCode::Char('u'));
    assert!(question(&c.app).contains(&format!("#{id}")));
    yes(&mut c.app);
    let row = c.app.store().work_item(id).unwrap().unwrap();
    assert_eq!((row.status, row.taken_by), (WorkStatus::Waiting, None));
    let last = &c.app.store().audit(None, None, 1).unwrap()[0];
    assert_eq!((last.action.as_str(), last.entity_id), ("undo", id));
    key(&mut c.app, KeyCode::Char('u'));
    assert!(c.app.popup.is_none());
    assert_eq!(status(&c.app).1, StatusKind::Error, "nothing left to undo");
}

#[test]
fn undo_is_refused_once_another_operator_changed_the_item() {
    let mut c = console();
    let id = select_waiting_item(&mut c.app);
    key(&mut c.app, KeyCode::Char('t'));
    yes(&mut c.app);
    let mut other = Store::open(&c.path, Access::ReadWrite).unwrap();
    other
        .write(|w| {
            w.change_item(
                id,
                crate::domain::ownership::ItemChange::TakeOver,
                "op07",
                super::tests::now(),
            )
        })
        .unwrap();
    c.app.on_tick();
    key(&mut c.app, KeyCode::Char('u'));
    yes(&mut c.app);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("不能撤销") && msg.contains("op07"), "{msg}");
    let row = c.app.store().work_item(id).unwrap().unwrap();
    assert_eq!(row.taken_by.as_deref(), Some("op07"));
}

#[test]
fn another_operators_item_is_refused_with_their_name_until_taken_over() {
    let mut c = console();
    let i = c
        .app
        .queue
        .rows
        .iter()
        .position(|r| r.taken_by.as_deref().is_some_and(|w| w != "op01"))
        .expect("an item another operator holds");
    for _ in 0..i {
        key(&mut c.app, KeyCode::Char('j'));
    }
    let row = c.app.queue.selected_row().unwrap().clone();
    let holder = row.taken_by.clone().unwrap();
    key(&mut c.app, KeyCode::Char('f'));
    assert!(
        question(&c.app).contains(&holder),
        "the question names the holder"
    );
    yes(&mut c.app);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains(&holder) && msg.contains("接手"), "{msg}");
    assert_eq!(
        c.app.store().work_item(row.id).unwrap().unwrap().status,
        row.status
    );
    key(&mut c.app, KeyCode::Char('T'));
    yes(&mut c.app);
    assert_eq!(
        c.app
            .store()
            .work_item(row.id)
            .unwrap()
            .unwrap()
            .taken_by
            .as_deref(),
        Some("op01")
    );
    key(&mut c.app, KeyCode::Char('f'));
    yes(&mut c.app);
    assert_eq!(
        c.app.store().work_item(row.id).unwrap().unwrap().status,
        WorkStatus::Done
    );
}

#[test]
fn a_read_only_seat_opens_no_write_form_and_shows_no_write_keys() {
    let mut c = console_with(Lang::Zh, Access::ReadOnly);
    let footer = render(&mut c.app, 120, 30);
    let footer = footer.lines().last().unwrap();
    for k in ["t 领取", "f 办结", "x 异常", "R 放回", "T 接手"] {
        assert!(
            !footer.contains(k),
            "{k} offered on a read-only seat: {footer}"
        );
    }
    key(&mut c.app, KeyCode::Char('f'));
    assert!(c.app.popup.is_none(), "no question on a read-only seat");
    assert_eq!(status(&c.app).1, StatusKind::Error);
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Char('b'));
    assert!(c.app.popup.is_none(), "the booking form stays shut");
    key(&mut c.app, KeyCode::Char('3'));
    for k in ['p', 'd'] {
        key(&mut c.app, KeyCode::Char(k));
        assert!(c.app.popup.is_none(), "{k} opened a form");
    }
}

#[test]
fn q_asks_before_leaving_and_does_nothing_in_a_text_field() {
    let mut c = console();
    keys(&mut c.app, "/q");
    assert!(c.app.popup.is_none() && !c.app.quit);
    assert_eq!(c.app.queue.filter.text(), "q");
    key(&mut c.app, KeyCode::Esc);
    key(&mut c.app, KeyCode::Char('q'));
    assert!(question(&c.app).contains("退出"));
    keys(&mut c.app, "qqq");
    key(&mut c.app, KeyCode::Enter);
    assert!(!c.app.quit);
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(c.app.quit, "Ctrl-C leaves at once");
}

#[test]
fn a_paste_goes_into_the_field_with_the_cursor_or_nowhere() {
    let mut c = console();
    let before = changes(&c.app);
    c.app.on_paste("fuxing qtfxcdrpb");
    assert!(
        c.app.popup.is_none() && !c.app.quit,
        "a paste never acts as keys"
    );
    key(&mut c.app, KeyCode::Char('/'));
    c.app.on_paste("上汽\n集团");
    assert_eq!(c.app.queue.filter.text(), "上汽 集团");
    key(&mut c.app, KeyCode::Esc);
    key(&mut c.app, KeyCode::Char('4'));
    c.app.on_paste("shqc");
    assert_eq!(c.app.lookup.query, "shqc");
    assert_eq!(changes(&c.app), before);
}

#[test]
fn text_fields_edit_like_a_shell_line() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "shanghai qiche");
    let ctrl = |app: &mut App, ch: char| {
        app.on_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::CONTROL))
    };
    ctrl(&mut c.app, 'w');
    assert_eq!(c.app.lookup.query, "shanghai ");
    ctrl(&mut c.app, 'a');
    keys(&mut c.app, "x");
    assert_eq!(c.app.lookup.query, "xshanghai ");
    ctrl(&mut c.app, 'e');
    ctrl(&mut c.app, 'u');
    assert_eq!(c.app.lookup.query, "");
    assert_eq!(c.app.pane, PaneId::Lookup);
    // The command line: history and Tab completion.
    key(&mut c.app, KeyCode::Char(':'));
    keys(&mut c.app, "pane ap");
    key(&mut c.app, KeyCode::Tab);
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(c.app.pane, PaneId::Approvals);
    key(&mut c.app, KeyCode::Char(':'));
    key(&mut c.app, KeyCode::Up);
    let Some(Popup::Command(cl)) = &c.app.popup else {
        panic!("the command line is open")
    };
    assert_eq!(cl.text(), "pane approvals");
    key(&mut c.app, KeyCode::Esc);
    c.app.run_command("lokup 上汽");
    assert!(status(&c.app).0.contains(":lookup"), "{:?}", c.app.status);
    c.app.run_command("date 周六");
    assert_eq!(c.app.calendar.selected, jiff::civil::date(2026, 11, 28));
}

fn refused_booking(lang: Lang) -> String {
    let mut c = console_with(lang, Access::ReadWrite);
    c.app.run_command("date 2026-11-28");
    let slot = c.app.calendar.slot_to_book().unwrap();
    let regular = c
        .app
        .store()
        .queue(600, 0)
        .unwrap()
        .into_iter()
        .find(|r| r.credit == CreditLevel::Regular)
        .unwrap();
    c.app.update(super::Action::Book {
        slot_id: slot.id,
        enterprise_id: regular.enterprise_id,
        location: Location::Factory,
        reason: Some(crate::domain::inspection::OffSiteReason::Dust),
        goods: "冷冻牛肉".to_string(),
    });
    render(&mut c.app, 80, 23)
}

#[test]
fn snapshot_refusals_at_80x23_are_whole_and_in_the_operators_language() {
    let zh = refused_booking(Lang::Zh);
    assert!(
        zh.contains("常规企业") && zh.contains("请选择工作日"),
        "{zh}"
    );
    assert!(
        !zh.contains("refused") && !zh.contains("working day"),
        "{zh}"
    );
    insta::assert_snapshot!("refusal_weekend_zh_80x23", zh);
    let en = refused_booking(Lang::En);
    assert!(
        en.contains("booking refused") && en.contains("a working day"),
        "{en}"
    );
    assert!(!en.contains("预约被拒绝") && !en.contains("休息日"), "{en}");
    insta::assert_snapshot!("refusal_weekend_en_80x23", en);
}

#[test]
fn the_cursor_follows_the_record_when_its_row_moves() {
    let mut c = console();
    let id = select_waiting_item(&mut c.app);
    let before = c.app.queue.cursor.selected;
    // Abnormal work moves to the head of the queue; the cursor moves with it.
    key(&mut c.app, KeyCode::Char('x'));
    yes(&mut c.app);
    assert_ne!(c.app.queue.cursor.selected, before, "the row moved");
    assert_eq!(c.app.queue.selected_row().unwrap().id, id);
    // Another operator's change moves it again (released and finished elsewhere: it leaves).
    key(&mut c.app, KeyCode::Char('3'));
    for _ in 0..3 {
        key(&mut c.app, KeyCode::Char('j'));
    }
    let approval = c.app.approvals.selected_row().unwrap().id;
    key(&mut c.app, KeyCode::Char('p'));
    key(&mut c.app, KeyCode::Char('1'));
    yes(&mut c.app);
    assert_eq!(c.app.approvals.selected_row().unwrap().id, approval);
    key(&mut c.app, KeyCode::Char('r'));
    yes(&mut c.app);
    assert_eq!(c.app.approvals.selected_row().unwrap().id, approval);
}

#[test]
fn the_approvals_filter_and_the_narrowing_keys_show_in_the_title_and_keep_the_cursor() {
    let mut c = console();
    let before = changes(&c.app);
    key(&mut c.app, KeyCode::Char('3'));
    let all = c.app.approvals.total();
    // `/` then a reference's part: only matching approvals; `q` and `d` are letters here.
    let target = c.app.approvals.rows[2].clone();
    key(&mut c.app, KeyCode::Char('/'));
    keys(&mut c.app, &target.reference);
    key(&mut c.app, KeyCode::Enter);
    assert!(c.app.popup.is_none());
    assert_eq!(c.app.approvals.total(), 1, "{}", target.reference);
    assert_eq!(c.app.approvals.selected_row().unwrap().id, target.id);
    let screen = render(&mut c.app, 80, 23);
    assert!(screen.contains("1 件匹配"), "{screen}");
    // The enterprise's name through the lookup matcher.
    key(&mut c.app, KeyCode::Char('/'));
    key(&mut c.app, KeyCode::Char('u'));
    assert!(c.app.approvals.filter.editing);
    key(&mut c.app, KeyCode::Backspace);
    let press_ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    c.app.on_key(press_ctrl_u);
    keys(&mut c.app, &target.enterprise);
    key(&mut c.app, KeyCode::Enter);
    assert!(c.app.approvals.total() >= 1);
    assert!(
        c.app
            .approvals
            .rows
            .iter()
            .all(|r| r.enterprise_id == target.enterprise_id)
    );
    // Esc lifts the filter; the cursor stays on the approval.
    key(&mut c.app, KeyCode::Esc);
    assert_eq!(c.app.approvals.total(), all);
    assert_eq!(c.app.approvals.selected_row().unwrap().id, target.id);
    // `o`: overdue only, named in the title; the same key lifts it.
    key(&mut c.app, KeyCode::Char('o'));
    let overdue = c.app.approvals.total();
    assert!(overdue > 0 && overdue < all);
    let screen = render(&mut c.app, 80, 23);
    assert!(screen.contains("待办审批 [只看超期]"), "{screen}");
    let now = c.app.now;
    assert!(
        c.app
            .approvals
            .rows
            .iter()
            .all(|r| r.due_at.is_some_and(|d| d <= now))
    );
    key(&mut c.app, KeyCode::Char('o'));
    assert_eq!(c.app.approvals.total(), all);
    assert!(!render(&mut c.app, 80, 23).contains("只看超期"));
    // On the queue: `a` abnormal only, `m` mine (the operator op01), in the title, English too.
    key(&mut c.app, KeyCode::Char('1'));
    key(&mut c.app, KeyCode::Char('m'));
    assert!(c.app.queue.total() > 0);
    assert!(
        c.app
            .queue
            .rows
            .iter()
            .all(|r| r.taken_by.as_deref() == Some("op01"))
    );
    assert!(render(&mut c.app, 80, 23).contains("优先队列 [只看我领取的]"));
    let id = c.app.queue.selected_row().unwrap().id;
    key(&mut c.app, KeyCode::Char('m'));
    assert_eq!(
        c.app.queue.selected_row().unwrap().id,
        id,
        "lifting the narrowing keeps the cursor on the item"
    );
    key(&mut c.app, KeyCode::Char('a'));
    assert!(
        c.app
            .queue
            .rows
            .iter()
            .all(|r| r.status == WorkStatus::Abnormal)
    );
    let mut en = console_with(Lang::En, Access::ReadOnly);
    key(&mut en.app, KeyCode::Char('w'));
    assert!(render(&mut en.app, 80, 23).contains("Priority queue [nearly due only]"));
    assert_eq!(
        changes(&c.app),
        before,
        "filters and narrowings change no data"
    );
}

#[test]
fn ascii_draws_borders_and_symbols_with_ascii_on_every_pane() {
    for lang in [Lang::Zh, Lang::En] {
        let mut c = console_with(lang, Access::ReadWrite);
        c.app.ascii = true;
        for (pane, size) in [
            ('1', (80, 23)),
            ('2', (80, 23)),
            ('3', (160, 48)),
            ('4', (80, 23)),
        ] {
            key(&mut c.app, KeyCode::Char(pane));
            if pane == '2' {
                key(&mut c.app, KeyCode::Enter);
            }
            let screen = render(&mut c.app, size.0, size.1);
            let wide: Vec<char> = screen
                .chars()
                .filter(|ch| super::ascii::ascii_of(*ch).is_some())
                .collect();
            assert!(wide.is_empty(), "{wide:?} left in\n{screen}");
            assert!(screen.lines().nth(2).unwrap().starts_with('+'), "{screen}");
            if pane == '1' {
                assert!(screen.contains(if lang == Lang::Zh {
                    "优先队列 |"
                } else {
                    "Priority queue |"
                }));
            }
            if pane == '3' {
                assert!(
                    screen.lines().any(|l| l.starts_with("|x ")),
                    "overdue marks as x:\n{screen}"
                );
            }
        }
        // Without it the same screen draws its box characters.
        c.app.ascii = false;
        assert!(render(&mut c.app, 80, 23).contains('─'));
    }
}

/// Another operator's commit adds a line above the cursor on the day board, in lookup and in
/// Today: the cursor stays on its record, not on its row number.
#[test]
fn the_cursor_stays_on_the_record_on_the_day_board_lookup_and_today() {
    use super::panes::BoardLine;
    use crate::store::{NewBooking, NewEnterprise};
    let mut c = console();
    let mut other = Store::open(&c.path, Access::ReadWrite).unwrap();
    // Day board (today, a working day): a booking below a slot with a free place.
    key(&mut c.app, KeyCode::Char('2'));
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(c.app.calendar.focus, Focus::Board);
    let board = c.app.calendar.board.clone();
    let free = board
        .iter()
        .position(|l| matches!(l, BoardLine::Slot(s) if s.free() > 0))
        .unwrap();
    // A booking of a later slot: the new booking of the free slot lands above it.
    let next_slot = free
        + 1
        + board[free + 1..]
            .iter()
            .position(|l| matches!(l, BoardLine::Slot(_)))
            .unwrap();
    let (at, booking) = board
        .iter()
        .enumerate()
        .skip(next_slot)
        .find_map(|(i, l)| match l {
            BoardLine::Booking(b) => Some((i, b.id)),
            _ => None,
        })
        .unwrap();
    for _ in 0..at {
        key(&mut c.app, KeyCode::Char('j'));
    }
    assert_eq!(c.app.calendar.selected_booking().unwrap().id, booking);
    let BoardLine::Slot(slot) = &board[free] else {
        unreachable!()
    };
    let enterprise = c.app.queue.rows[0].enterprise_id;
    other
        .write(|w| {
            w.book(
                &NewBooking {
                    slot_id: slot.id,
                    enterprise_id: enterprise,
                    goods: "spare parts",
                    location: Location::InZone,
                    reason: None,
                    operator: "op07",
                    now: super::tests::now(),
                },
                crate::calendar::WorkingCalendar::official(),
            )
        })
        .unwrap();
    assert!(c.app.on_tick());
    assert_eq!(c.app.calendar.board.len(), board.len() + 1);
    assert_eq!(
        c.app.calendar.selected_booking().map(|b| b.id),
        Some(booking),
        "the cursor moved down with its booking"
    );
    // Lookup: an enterprise that ranks first appears while the cursor is on the third hit.
    key(&mut c.app, KeyCode::Char('4'));
    keys(&mut c.app, "上海");
    key(&mut c.app, KeyCode::Down);
    key(&mut c.app, KeyCode::Down);
    let hit = c.app.lookup.selected_hit().unwrap().hit.enterprise.id;
    let first = c.app.lookup.hits[0].hit.enterprise.name_zh.clone();
    let name = format!("上海{}", first.trim_start_matches("上海"));
    other
        .write(|w| {
            w.insert_enterprise(&NewEnterprise {
                uscc: "91310000ABCDEFGH1X",
                uscc_status: crate::domain::ids::ChecksumStatus::BadOrgCodeCheck,
                customs_code: "3199999999",
                name_zh: &format!("{name}甲"),
                name_en: None,
                credit: CreditLevel::Advanced,
                industries: &[],
                group_name: None,
                coordinator_id: None,
            })
        })
        .unwrap();
    c.app.on_tick();
    assert_eq!(
        c.app.lookup.selected_hit().unwrap().hit.enterprise.id,
        hit,
        "{:?}",
        c.app
            .lookup
            .hits
            .iter()
            .take(4)
            .map(|h| h.hit.enterprise.name_zh.clone())
            .collect::<Vec<_>>()
    );
    // Today: the cursor on the operator's own item; another item turns abnormal above it.
    key(&mut c.app, KeyCode::Esc);
    key(&mut c.app, KeyCode::Char('5'));
    // Down to the last line, read as the cursor goes below the lines on screen.
    let shown = c.app.today.entries().len();
    for _ in 0..shown {
        key(&mut c.app, KeyCode::Char('j'));
    }
    assert!(c.app.today.entries().len() > shown);
    c.app
        .on_key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    let entries = c.app.today.entries();
    assert_eq!(c.app.today.cursor.selected, entries.len() - 1);
    assert!(matches!(
        entries.last(),
        Some((super::panes::TodayTarget::Item(_), _))
    ));
    let mine = c.app.today.selected_entry().unwrap().0;
    // The holder of the first abnormal item finishes it elsewhere: the lines above move up.
    let gone = c.app.today.data.as_ref().unwrap().abnormal_items[0].clone();
    let holder = gone.taken_by.clone().unwrap_or_else(|| "op07".into());
    other
        .write(|w| w.set_item_status(gone.id, WorkStatus::Done, &holder, super::tests::now()))
        .unwrap();
    c.app.on_tick();
    assert_ne!(c.app.today.entries(), entries);
    assert_eq!(c.app.today.selected_entry().unwrap().0, mine);
}

/// The booking form: the slot is chosen in the form, its free places follow another
/// operator's booking, and the same enterprise twice in one slot is warned (form and question);
/// a later day on the day board reads 未到, not 未清.
#[test]
fn the_booking_form_chooses_the_slot_follows_other_bookings_and_warns_of_a_repeat() {
    use crate::store::NewBooking;
    let mut c = console();
    // A later day with a second slot of two free places besides the one the form opens on.
    let day = (1..40)
        .map(|d| {
            jiff::civil::date(2026, 11, 27)
                .checked_add(jiff::ToSpan::days(d))
                .unwrap()
        })
        .find(|d| {
            let slots = c.app.store().slots_between(*d, *d).unwrap();
            let first = slots.iter().position(|s| s.free() > 0);
            first.is_some_and(|f| {
                slots
                    .iter()
                    .enumerate()
                    .any(|(i, s)| i != f && s.free() >= 2)
            })
        })
        .expect("a day with free places");
    c.app.run_command(&format!("date {day}"));
    let board = render(&mut c.app, 80, 23);
    assert!(board.contains("当日清：未到"), "{board}");
    assert!(!board.contains("未清"), "{board}");
    key(&mut c.app, KeyCode::Char('b'));
    keys(&mut c.app, "shqc");
    let form = |app: &App| match &app.popup {
        Some(Popup::Book(f)) => (f.slot.clone(), f.slots.clone()),
        _ => panic!("the booking form is open: {:?}", app.status),
    };
    let (first, slots) = form(&c.app);
    assert!(slots.len() > 1, "the day has slots to choose from");
    // ↑/↓ on the slot field choose the slot; the picker keeps its enterprise.
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "auto parts");
    key(&mut c.app, KeyCode::Tab);
    let target = slots
        .iter()
        .find(|s| s.id != first.id && s.free() >= 2)
        .expect("another slot with two free places")
        .id;
    let go_to = |app: &mut App| {
        for _ in 0..slots.len() {
            let at = form(app).0.id;
            if at == target {
                break;
            }
            let here = slots.iter().position(|s| s.id == at).unwrap();
            let there = slots.iter().position(|s| s.id == target).unwrap();
            key(
                app,
                if there > here {
                    KeyCode::Down
                } else {
                    KeyCode::Up
                },
            );
        }
    };
    go_to(&mut c.app);
    let (chosen, _) = form(&c.app);
    assert_eq!(chosen.id, target);
    let screen = render(&mut c.app, 80, 23);
    assert!(screen.contains(&chosen.office_name), "{screen}");
    // Another operator books into it: the form's count follows.
    let other_aeo = c
        .app
        .store()
        .queue(500, 0)
        .unwrap()
        .into_iter()
        .find(|r| r.aeo && !r.enterprise.starts_with("上海汽车"))
        .unwrap()
        .enterprise_id;
    let mut other = Store::open(&c.path, Access::ReadWrite).unwrap();
    other
        .write(|w| {
            w.book(
                &NewBooking {
                    slot_id: chosen.id,
                    enterprise_id: other_aeo,
                    goods: "parts",
                    location: Location::InZone,
                    reason: None,
                    operator: "op07",
                    now: super::tests::now(),
                },
                crate::calendar::WorkingCalendar::official(),
            )
        })
        .unwrap();
    c.app.on_tick();
    assert_eq!(
        form(&c.app).0.taken,
        chosen.taken + 1,
        "free places refreshed"
    );
    // Book SAIC into it, then once more: the form and the question warn.
    key(&mut c.app, KeyCode::Enter);
    let q1 = question(&c.app);
    assert!(!q1.contains("重复"), "{q1}");
    yes(&mut c.app);
    assert_eq!(status(&c.app).1, StatusKind::Info, "{:?}", c.app.status);
    key(&mut c.app, KeyCode::Char('b'));
    keys(&mut c.app, "shqc");
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "auto parts");
    key(&mut c.app, KeyCode::Tab);
    go_to(&mut c.app);
    assert_eq!(form(&c.app).0.id, chosen.id);
    let screen = render(&mut c.app, 80, 23);
    assert!(screen.contains("已在此时段预约"), "{screen}");
    key(&mut c.app, KeyCode::Enter);
    let q2 = question(&c.app);
    assert!(q2.contains("将重复预约"), "{q2}");
    // English too.
    let mut en = console_with(Lang::En, Access::ReadWrite);
    key(&mut en.app, KeyCode::Char('2'));
    key(&mut en.app, KeyCode::Char('l'));
    assert!(render(&mut en.app, 80, 23).contains("not yet due"));
}
