//! Popups over the panes: help, the hotline card, the booking form, the command line and the
//! decision prompt. An open popup gets every key first; esc closes it.

mod approval_forms;
mod book;
mod call_form;
mod command_line;
mod confirm;
mod form;
mod help;
mod hotline_card;
mod problem_board;
mod verify_form;

pub use approval_forms::{CorrectPopup, ExtendPopup, FinalAuthorityPopup, final_authority_words};
pub use book::BookPopup;
pub use call_form::{CallEntry, CallField, CallForm};
pub use command_line::{CommandLine, did_you_mean};
pub use confirm::ConfirmPopup;
pub use help::HelpPopup;
pub use hotline_card::HotlineCard;
pub use problem_board::{GroupBy, ProblemBoard};
pub use verify_form::{PlanEntry, PlanField, VerifyForm};

use super::app::{Action, App, View};
use super::keymap::{Cmd, Keymap};
use super::panes::Hint;
use crate::domain::approval::{ApprovalKind, PauseReason};
use crate::text::inert;
use crate::text::tr;
use crossterm::event::{KeyCode, KeyEvent};
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

pub enum Popup {
    Help(HelpPopup),
    Card(Box<HotlineCard>),
    Book(Box<BookPopup>),
    Call(Box<CallForm>),
    Verify(Box<VerifyForm>),
    Board(Box<ProblemBoard>),
    Command(CommandLine),
    Decide(DecidePopup),
    Pause(PausePopup),
    Correct(CorrectPopup),
    Extend(ExtendPopup),
    FinalAuthority(FinalAuthorityPopup),
    Confirm(Box<ConfirmPopup>),
}

impl Popup {
    pub fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        match self {
            Popup::Help(p) => p.handle_key(key, km),
            Popup::Card(p) => p.handle_key(key, km),
            Popup::Book(p) => p.handle_key(key, km),
            Popup::Call(p) => p.handle_key(key, km),
            Popup::Verify(p) => p.handle_key(key, km),
            Popup::Board(p) => p.handle_key(key, km),
            Popup::Command(p) => p.handle_key(key, km),
            Popup::Decide(p) => p.handle_key(key, km),
            Popup::Pause(p) => p.handle_key(key, km),
            Popup::Correct(p) => p.handle_key(key, km),
            Popup::Extend(p) => p.handle_key(key, km),
            Popup::FinalAuthority(p) => p.handle_key(key, km),
            Popup::Confirm(p) => p.handle_key(key, km),
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>, app: &App) {
        match self {
            Popup::Help(p) => p.draw(f, area, v, app),
            Popup::Card(p) => p.draw(f, area, v),
            Popup::Book(p) => p.draw(f, area, v),
            Popup::Call(p) => p.draw(f, area, v),
            Popup::Verify(p) => p.draw(f, area, v),
            Popup::Board(p) => p.draw(f, area, v),
            Popup::Command(p) => p.draw(f, area, v),
            Popup::Decide(p) => p.draw(f, area, v),
            Popup::Pause(p) => p.draw(f, area, v),
            Popup::Correct(p) => p.draw(f, area, v),
            Popup::Extend(p) => p.draw(f, area, v),
            Popup::FinalAuthority(p) => p.draw(f, area, v),
            Popup::Confirm(p) => {
                if let Some(back) = &p.back {
                    back.draw(f, area, v, app);
                }
                p.draw(f, area, v)
            }
        }
    }

    pub fn hints(&self) -> Vec<Hint> {
        match self {
            Popup::Help(p) => p.hints(),
            Popup::Card(p) => p.hints(),
            Popup::Book(p) => p.hints(),
            Popup::Call(p) => p.hints(),
            Popup::Verify(p) => p.hints(),
            Popup::Board(p) => p.hints(),
            Popup::Command(p) => p.hints(),
            Popup::Decide(p) => p.hints(),
            Popup::Pause(p) => p.hints(),
            Popup::Correct(p) => p.hints(),
            Popup::Extend(p) => p.hints(),
            Popup::FinalAuthority(p) => p.hints(),
            Popup::Confirm(p) => p.hints(),
        }
    }

    pub fn dates_on_screen(&self) -> Vec<Date> {
        match self {
            Popup::Book(p) => vec![p.slot.date],
            Popup::Card(p) => p.dates_on_screen(),
            Popup::Confirm(p) => p
                .back
                .as_ref()
                .map(|b| b.dates_on_screen())
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// A rectangle of `w`×`h` (clamped to `area`) centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears the popup's area and draws its frame; returns the inside.
pub fn popup_frame(f: &mut Frame<'_>, r: Rect, title: String, v: &View<'_>) -> Rect {
    f.render_widget(Clear, r);
    // A double-width character just left of the popup would paint over its border, and the
    // right half of one cut by the popup's right edge would be left dangling: blank both.
    let buf = f.buffer_mut();
    let area = buf.area;
    for y in r.top()..r.bottom() {
        if r.x > area.x {
            let cell = &mut buf[(r.x - 1, y)];
            if crate::text::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
        if r.right() < area.right() {
            let cell = &mut buf[(r.right(), y)];
            if cell.symbol().is_empty() {
                cell.set_symbol(" ");
            }
        }
    }
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .border_style(v.theme.border_focus)
        .style(v.theme.base)
        .title(Span::styled(format!(" {title} "), v.theme.title));
    let inner = block.inner(r);
    f.render_widget(block, r);
    inner
}

/// Deciding an approval: approve, refuse, or back out.
pub struct DecidePopup {
    pub kind: ApprovalKind,
    pub id: i64,
    pub reference: String,
}

impl DecidePopup {
    pub fn new(id: i64, reference: String, kind: ApprovalKind) -> DecidePopup {
        DecidePopup {
            id,
            reference,
            kind,
        }
    }

    /// The decision a key records, in the words of the approval's kind.
    fn decision(&self, grant: bool) -> String {
        self.kind.decision_words(grant).0.to_string()
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Char('y') => Some(Action::DecideApproval(self.id, self.decision(true))),
            KeyCode::Char('n') => Some(Action::DecideApproval(self.id, self.decision(false))),
            _ if km.is(Cmd::Back, key) || km.is(Cmd::Quit, key) => Some(Action::ClosePopup),
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let r = centered(area, 60, 6);
        let inner = popup_frame(
            f,
            r,
            format!(
                "{} {}",
                tr(v.lang, "办结审批", "Decide approval"),
                inert(&self.reference)
            ),
            v,
        );
        let (grant, refuse) = (
            self.kind.decision_words(true),
            self.kind.decision_words(false),
        );
        let lines = vec![
            Line::raw(""),
            Line::from(vec![
                Span::styled(" y ", v.theme.key),
                Span::raw(format!("{}   ", v.lang.pick(grant.0, grant.1))),
                Span::styled(" n ", v.theme.key),
                Span::raw(format!("{}   ", v.lang.pick(refuse.0, refuse.1))),
                Span::styled(" Esc ", v.theme.key),
                Span::raw(tr(v.lang, "返回", "back")),
            ]),
        ];
        f.render_widget(Paragraph::new(lines).centered(), inner);
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("y", "准予", "grant"),
            Hint::text("n", "不予", "refuse"),
            Hint::text("Esc", "返回", "back"),
        ]
    }
}

/// Stopping an approval's clock, for one of the reasons the law allows (行政许可法 第45条).
pub struct PausePopup {
    pub id: i64,
    pub reference: String,
}

impl PausePopup {
    pub fn new(id: i64, reference: String) -> PausePopup {
        PausePopup { id, reference }
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Char(c @ '1'..='9') => {
                let i = c as usize - '1' as usize;
                PauseReason::ALL
                    .get(i)
                    .map(|r| Action::PauseApproval(self.id, *r))
            }
            _ if km.is(Cmd::Back, key) || km.is(Cmd::Quit, key) => Some(Action::ClosePopup),
            _ => None,
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        // One line per reason of 第45条, inside the frame.
        let r = centered(area, 60, PauseReason::ALL.len() as u16 + 2);
        let inner = popup_frame(
            f,
            r,
            format!(
                "{} {}",
                tr(v.lang, "暂停计时", "Pause the clock of"),
                inert(&self.reference)
            ),
            v,
        );
        let lines: Vec<Line<'static>> = PauseReason::ALL
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Line::from(vec![
                    Span::styled(format!(" {} ", i + 1), v.theme.key),
                    Span::raw(r.name(v.lang)),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }

    fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("1-8", "暂停原因（第45条）", "reason (第45条)"),
            Hint::text("Esc", "返回", "back"),
        ]
    }
}
