//! The hotline's work loop in the console: the call form from the card.

use super::*;
use crate::domain::call::CallOutcome;
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
