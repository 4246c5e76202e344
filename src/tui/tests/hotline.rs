//! The hotline's work loop in the console: the call form from the card.

use super::*;
use crate::domain::call::CallOutcome;
use crate::domain::verification::VerificationKind;
use crate::store::CallFilter;

fn saic_id(app: &App) -> i64 {
    app.store()
        .resolve_enterprise("91310000132260250X")
        .unwrap()
        .id
}

fn calls_of(app: &App, id: i64) -> Vec<crate::store::CallRow> {
    app.store()
        .calls(&CallFilter {
            enterprise_id: Some(id),
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn an_answered_call_is_logged_from_the_card_with_three_keys_beyond_typing() {
    let mut c = console();
    let id = saic_id(&c.app);
    open_saic_card(&mut c.app);
    assert!(matches!(c.app.popup, Some(Popup::Card(_))));
    let before = calls_of(&c.app, id).len();
    // n opens the form, filled in with the enterprise and the operator.
    key(&mut c.app, KeyCode::Char('n'));
    let Some(Popup::Call(form)) = &c.app.popup else {
        panic!("n opens the call form");
    };
    assert_eq!(form.entry.enterprise_id, id);
    assert_eq!(form.operator, "op01");
    keys(&mut c.app, "周六能否查验？");
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "可以，AEO企业可预约5+2查验");
    key(&mut c.app, KeyCode::Enter);
    let calls = calls_of(&c.app, id);
    assert_eq!(calls.len(), before + 1);
    let call = &calls[0];
    assert_eq!(call.question, "周六能否查验？");
    assert_eq!(call.answer, "可以，AEO企业可预约5+2查验");
    assert_eq!(call.outcome, CallOutcome::Answered);
    assert_eq!(call.operator, "op01");
    // Back on the card, which shows the call.
    assert!(matches!(c.app.popup, Some(Popup::Card(_))));
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Info);
    assert!(msg.contains(&format!("#{}", call.id)), "{msg}");
    let screen = render(&mut c.app, 160, 48);
    assert!(screen.contains("周六能否查验？"), "{screen}");
}

#[test]
fn a_refused_call_keeps_the_form_open_and_writes_nothing() {
    let mut c = console();
    let id = saic_id(&c.app);
    open_saic_card(&mut c.app);
    let before = calls_of(&c.app, id).len();
    key(&mut c.app, KeyCode::Char('n'));
    keys(&mut c.app, "问题但没有答复");
    key(&mut c.app, KeyCode::Enter);
    assert!(matches!(c.app.popup, Some(Popup::Call(_))));
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("答复"), "{msg}");
    assert_eq!(calls_of(&c.app, id).len(), before);
    // Esc goes back to the card.
    key(&mut c.app, KeyCode::Esc);
    assert!(matches!(c.app.popup, Some(Popup::Card(_))));
}

#[test]
fn choosing_the_problem_outcome_opens_a_problem_from_the_call() {
    let mut c = console();
    let id = saic_id(&c.app);
    open_saic_card(&mut c.app);
    key(&mut c.app, KeyCode::Char('n'));
    keys(&mut c.app, "宁波转关货物滞留");
    key(&mut c.app, KeyCode::Tab);
    key(&mut c.app, KeyCode::Tab);
    key(&mut c.app, KeyCode::Right);
    let Some(Popup::Call(form)) = &c.app.popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.entry.outcome, CallOutcome::Problem);
    key(&mut c.app, KeyCode::Enter);
    let call = calls_of(&c.app, id).remove(0);
    let problem = call.problem_id.expect("a problem opened from the call");
    let p = c.app.store().problem(problem).unwrap().unwrap();
    assert_eq!(p.problem.title, "宁波转关货物滞留");
    assert!(p.problem.status.is_open());
    let screen = render(&mut c.app, 160, 48);
    assert!(
        screen.contains(&format!("#{problem} 宁波转关货物滞留")),
        "{screen}"
    );
}

#[test]
fn snapshot_call_form() {
    let mut c = console();
    open_saic_card(&mut c.app);
    key(&mut c.app, KeyCode::Char('n'));
    keys(&mut c.app, "夜间能否预约通关？");
    insta::assert_snapshot!("call_form_80x24", render(&mut c.app, 80, 24));
    c.app.session.lang = Lang::En;
    insta::assert_snapshot!("call_form_en_80x24", render(&mut c.app, 80, 24));
}

#[test]
fn the_tabs_carry_counts_and_a_logged_callback_appears_in_today() {
    let mut c = console();
    let approvals = c.app.store().approvals_summary(now()).unwrap();
    assert_eq!(c.app.tabs[2].total, approvals.open as i64);
    assert_eq!(c.app.tabs[2].overdue, approvals.overdue as i64);
    let screen = render(&mut c.app, 80, 24);
    assert!(
        screen.contains(&format!("3 审批 {} ✗{}", approvals.open, approvals.overdue)),
        "{screen}"
    );
    // A callback promised for 10:30 is due soon: Today's "!" count grows at once.
    let near = c.app.tabs[4].near;
    open_saic_card(&mut c.app);
    key(&mut c.app, KeyCode::Char('n'));
    keys(&mut c.app, "请回电告知审批进度");
    key(&mut c.app, KeyCode::Tab);
    key(&mut c.app, KeyCode::Tab);
    for _ in 0..3 {
        key(&mut c.app, KeyCode::Right);
    }
    key(&mut c.app, KeyCode::Tab);
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "2026-11-27 10:30");
    key(&mut c.app, KeyCode::Enter);
    assert_eq!(status(&c.app).1, StatusKind::Info, "{:?}", c.app.status);
    c.app.wait_for_tab_counts();
    assert_eq!(c.app.tabs[4].near, near + 1);
    key(&mut c.app, KeyCode::Esc);
    key(&mut c.app, KeyCode::Esc); // out of the lookup box
    key(&mut c.app, KeyCode::Char('5'));
    assert_eq!(c.app.pane, PaneId::Today);
    let screen = render(&mut c.app, 160, 48);
    assert!(screen.contains("请回电告知审批进度"), "{screen}");
    // The callbacks come after the approvals; select ours and mark it made with f.
    let ours = calls_of(&c.app, saic_id(&c.app))[0].id;
    let entries = c.app.today.entries();
    let pos = entries
        .iter()
        .position(|(t, _)| *t == super::super::panes::TodayTarget::Callback(ours))
        .unwrap();
    for _ in 0..pos {
        key(&mut c.app, KeyCode::Char('j'));
    }
    key(&mut c.app, KeyCode::Char('f'));
    yes(&mut c.app);
    c.app.wait_for_tab_counts();
    assert_eq!(c.app.tabs[4].near, near);
    let screen = render(&mut c.app, 160, 48);
    assert!(!screen.contains("请回电告知审批进度"), "{screen}");
}

#[test]
fn the_qingling_board_resolves_a_problem_and_then_closes_it() {
    let mut c = console();
    c.app.run_command("problems");
    let Some(Popup::Board(board)) = &c.app.popup else {
        panic!(":problems opens the board");
    };
    // The oldest open problem is first.
    let (first, _) = &board.rows[0];
    let oldest = c
        .app
        .store()
        .problems(&crate::store::ProblemFilter {
            open_only: true,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .min_by_key(|r| (r.problem.opened_at, r.problem.id))
        .unwrap();
    assert_eq!(first.problem.id, oldest.problem.id);
    let id = first.problem.id;
    // An open problem cannot be closed before it is resolved: refused with the reason.
    key(&mut c.app, KeyCode::Char('c'));
    yes(&mut c.app);
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("尚未解决"), "{msg}");
    key(&mut c.app, KeyCode::Char('r'));
    keys(&mut c.app, "已协调宁波海关放行");
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    let p = c.app.store().problem(id).unwrap().unwrap();
    assert_eq!(
        p.problem.status,
        crate::domain::problem::ProblemStatus::Resolved
    );
    assert_eq!(p.resolved_by.as_deref(), Some("op01"));
    // Still on the board, on the same problem: close it once the enterprise confirms.
    let Some(Popup::Board(board)) = &c.app.popup else {
        panic!("the board stays open");
    };
    assert_eq!(board.selected_row().unwrap().problem.id, id);
    insta::assert_snapshot!("problem_board_80x24", render(&mut c.app, 80, 24));
    key(&mut c.app, KeyCode::Char('c'));
    yes(&mut c.app);
    let p = c.app.store().problem(id).unwrap().unwrap();
    assert_eq!(
        p.problem.status,
        crate::domain::problem::ProblemStatus::Closed
    );
    // A closed problem leaves the board.
    let Some(Popup::Board(board)) = &c.app.popup else {
        panic!("the board stays open");
    };
    assert!(board.rows.iter().all(|(r, _)| r.problem.id != id));
}

#[test]
fn the_board_assigns_a_problem_to_a_coordinator_of_its_enterprise() {
    let mut c = console();
    c.app.run_command("problems");
    let Some(Popup::Board(board)) = &c.app.popup else {
        panic!("board");
    };
    let pos = board
        .rows
        .iter()
        .position(|(r, _)| r.coordinator.is_none())
        .expect("an unassigned problem in the demo");
    for _ in 0..pos {
        key(&mut c.app, KeyCode::Down);
    }
    let Some(Popup::Board(board)) = &c.app.popup else {
        panic!("board");
    };
    let (row, _) = &board.rows[pos];
    let id = row.problem.id;
    let want = board.coordinators.first().map(|(c, _)| c.id);
    key(&mut c.app, KeyCode::Char('a'));
    key(&mut c.app, KeyCode::Enter);
    yes(&mut c.app);
    let p = c.app.store().problem(id).unwrap().unwrap();
    match want {
        Some(cid) => {
            assert_eq!(p.problem.coordinator_id, Some(cid));
            assert_eq!(
                p.problem.status,
                crate::domain::problem::ProblemStatus::Assigned
            );
        }
        None => assert_eq!(status(&c.app).1, StatusKind::Error),
    }
}

#[test]
fn snapshot_today_pane() {
    let mut c = console();
    key(&mut c.app, KeyCode::Char('5'));
    insta::assert_snapshot!("today_80x24", render(&mut c.app, 80, 24));
    insta::assert_snapshot!("today_160x48", render(&mut c.app, 160, 48));
}

fn plans_of(app: &App, id: i64) -> Vec<crate::store::VerificationRow> {
    app.store().verifications(Some(id), None).unwrap()
}

fn last_audit(app: &App, id: i64) -> crate::store::AuditEntry {
    app.store().audit(Some(id), None, 1).unwrap().remove(0)
}

/// Opens the verification form on SAIC's card and schedules a plan of `kind` on `date`.
fn schedule_from_card(app: &mut App, other: bool, date: &str, rest: &[&str]) {
    if !matches!(app.popup, Some(Popup::Card(_))) {
        open_saic_card(app);
    }
    key(app, KeyCode::Char('v'));
    assert!(
        matches!(app.popup, Some(Popup::Verify(_))),
        "v opens the form"
    );
    if other {
        key(app, KeyCode::Up);
        key(app, KeyCode::Right);
        key(app, KeyCode::Down);
    }
    keys(app, date);
    for text in rest {
        key(app, KeyCode::Tab);
        keys(app, text);
    }
    key(app, KeyCode::Enter);
}

#[test]
fn a_second_management_verification_from_the_card_needs_a_reason_which_is_audited() {
    let mut c = console();
    let id = saic_id(&c.app);
    let before = plans_of(&c.app, id);
    assert!(
        before
            .iter()
            .any(|p| p.kind == VerificationKind::Management && p.date.year() == 2026),
        "SAIC has a management-type verification in 2026"
    );
    schedule_from_card(&mut c.app, false, "2026-12-15", &["稽查三组"]);
    // Refused by the once-a-year rule: the form stays open with what was typed.
    let Some(Popup::Verify(form)) = &c.app.popup else {
        panic!("the form stays open");
    };
    assert_eq!(form.entry.team, "稽查三组");
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(msg.contains("措施17"), "{msg}");
    assert_eq!(plans_of(&c.app, id).len(), before.len());
    // The reason is the last field: instruction, self-check, reason.
    for _ in 0..3 {
        key(&mut c.app, KeyCode::Tab);
    }
    keys(&mut c.app, "海关总署专项指令");
    key(&mut c.app, KeyCode::Enter);
    assert!(
        matches!(c.app.popup, Some(Popup::Card(_))),
        "back on the card"
    );
    let plans = plans_of(&c.app, id);
    let new = plans.iter().max_by_key(|p| p.id).unwrap();
    assert_eq!(new.date.to_string(), "2026-12-15");
    assert_eq!(new.team, "稽查三组");
    assert_eq!(new.override_reason.as_deref(), Some("海关总署专项指令"));
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Info);
    assert!(
        msg.contains(&format!("#{}", new.id)) && msg.contains("例外理由"),
        "{msg}"
    );
    let audit = last_audit(&c.app, id);
    assert_eq!(
        (
            audit.operator.as_str(),
            audit.action.as_str(),
            audit.entity.as_str()
        ),
        ("op01", "create", "verifications")
    );
    assert_eq!(audit.after.unwrap()["override_reason"], "海关总署专项指令");
    // The card shows team, instruction and the reason.
    let screen = render(&mut c.app, 200, 60);
    assert!(
        screen.contains("超出每年管理类核查次数（措施17），例外理由：海关总署专项指令"),
        "{screen}"
    );
}

#[test]
fn a_bad_date_keeps_the_verification_form_and_names_the_field() {
    let mut c = console();
    let id = saic_id(&c.app);
    let before = plans_of(&c.app, id).len();
    schedule_from_card(&mut c.app, true, "2026-02-30", &[]);
    assert!(matches!(c.app.popup, Some(Popup::Verify(_))));
    let (msg, kind) = status(&c.app);
    assert_eq!(kind, StatusKind::Error);
    assert!(
        msg.contains("计划日期") && msg.contains("2026-02-30"),
        "{msg}"
    );
    assert_eq!(plans_of(&c.app, id).len(), before);
    key(&mut c.app, KeyCode::Esc);
    assert!(matches!(c.app.popup, Some(Popup::Card(_))));
}

#[test]
fn merging_a_proposed_pair_from_the_card_is_one_confirmed_audited_action() {
    let mut c = console();
    let id = saic_id(&c.app);
    schedule_from_card(
        &mut c.app,
        true,
        "12-20",
        &["稽查三组", "稽查指令〔2026〕300号"],
    );
    schedule_from_card(&mut c.app, true, "12-22", &["稽查二组"]);
    let plans = plans_of(&c.app, id);
    let (a, b) = {
        let mut ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        ids.sort();
        (ids[ids.len() - 2], ids[ids.len() - 1])
    };
    let Some(Popup::Card(card)) = &c.app.popup else {
        panic!("the card is open");
    };
    assert_eq!(card.merge_proposals.first(), Some(&(a, b)));
    let screen = render(&mut c.app, 200, 60);
    assert!(
        screen.contains(&format!("#{a} 与 #{b} 在同一时期")),
        "{screen}"
    );
    // m asks first, naming both plans; No changes nothing.
    key(&mut c.app, KeyCode::Char('M'));
    let Some(Popup::Confirm(q)) = &c.app.popup else {
        panic!("m asks first");
    };
    assert!(
        q.question.contains(&format!("#{b} 并入 #{a}")),
        "{}",
        q.question
    );
    key(&mut c.app, KeyCode::Enter);
    assert!(
        plans_of(&c.app, id)
            .iter()
            .all(|p| p.merged_into.is_none() || p.id < a)
    );
    key(&mut c.app, KeyCode::Char('M'));
    yes(&mut c.app);
    let merged = plans_of(&c.app, id)
        .into_iter()
        .find(|p| p.id == b)
        .unwrap();
    assert_eq!(merged.merged_into, Some(a));
    assert_eq!(merged.team, "稽查三组", "one team: the first plan's");
    assert_eq!(last_audit(&c.app, id).action, "merge");
    let Some(Popup::Card(card)) = &c.app.popup else {
        panic!("the card stays open");
    };
    assert!(card.merge_proposals.is_empty());
    let screen = render(&mut c.app, 200, 60);
    assert!(screen.contains(&format!("已并入 #{a}")), "{screen}");
}

#[test]
fn a_read_only_seat_opens_no_verification_form_and_shows_no_writing_keys_on_the_card() {
    let mut c = console_with(Lang::Zh, Access::ReadOnly);
    open_saic_card(&mut c.app);
    let screen = render(&mut c.app, 120, 30);
    let footer = screen.lines().last().unwrap();
    for k in ["安排核查", "合并核查", "记录来电"] {
        assert!(
            !footer.contains(k),
            "{k} offered on a read-only seat: {footer}"
        );
    }
    key(&mut c.app, KeyCode::Char('v'));
    assert!(c.app.popup.is_none(), "the form stays shut");
    assert_eq!(status(&c.app).1, StatusKind::Error);
    assert!(
        Action::MergeVerifications {
            enterprise_id: 1,
            a: 1,
            b: 2
        }
        .writes()
    );
}

#[test]
fn snapshot_verification_form() {
    let mut c = console();
    open_saic_card(&mut c.app);
    key(&mut c.app, KeyCode::Char('v'));
    keys(&mut c.app, "2026-12-15");
    key(&mut c.app, KeyCode::Tab);
    keys(&mut c.app, "稽查三组");
    insta::assert_snapshot!("verify_form_80x24", render(&mut c.app, 80, 24));
    c.app.session.lang = Lang::En;
    insta::assert_snapshot!("verify_form_en_80x23", render(&mut c.app, 80, 23));
}
