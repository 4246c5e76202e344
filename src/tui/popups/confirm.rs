//! Asking before a change: every key that writes (or leaves the console) names the record and
//! waits for Enter on an explicit choice whose default is No. No letter answers it, so a caller's
//! name typed by mistake ("fuyang": `f` … `y`) can never confirm anything.

use super::{Popup, centered, popup_frame};
use crate::text::{inert, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub struct ConfirmPopup {
    /// The question, in the operator's language, naming the record.
    pub question: String,
    /// What Yes does.
    pub action: Action,
    /// The choice Enter takes; No until the operator moves to Yes.
    pub yes: bool,
    /// The form the change came from, shown again on No.
    pub back: Option<Box<Popup>>,
}

impl ConfirmPopup {
    pub fn new(question: String, action: Action, back: Option<Popup>) -> ConfirmPopup {
        ConfirmPopup {
            question,
            action,
            yes: false,
            back: back.map(Box::new),
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab => {
                self.yes = !self.yes;
                None
            }
            KeyCode::Enter if self.yes => Some(Action::Confirmed(Box::new(self.action.clone()))),
            KeyCode::Enter | KeyCode::Esc => Some(Action::CancelConfirm),
            _ => None,
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let w = area.width.saturating_sub(4).min(64);
        let text_cols = usize::from(w.saturating_sub(4));
        let question = crate::tui::wrap::wrap(
            &[(inert(&self.question), v.theme.title)],
            text_cols.max(8),
            0,
        );
        let h = (question.len() as u16 + 5).min(area.height);
        let r = centered(area, w, h);
        let inner = popup_frame(f, r, tr(v.lang, "请确认", "Please confirm").to_string(), v);
        let button = |label: &str, on: bool| -> Span<'static> {
            let style: Style = if on { v.theme.selected } else { v.theme.muted };
            Span::styled(
                format!(
                    " {}{label}{} ",
                    if on { "[" } else { " " },
                    if on { "]" } else { " " }
                ),
                style,
            )
        };
        let mut lines: Vec<Line<'static>> = question
            .into_iter()
            .map(|l| {
                let mut spans = vec![Span::raw(" ")];
                spans.extend(l.spans);
                Line::from(spans)
            })
            .collect();
        lines.push(Line::raw(""));
        lines.push(
            Line::from(vec![
                button(tr(v.lang, "否", "No"), !self.yes),
                Span::raw("   "),
                button(tr(v.lang, "是", "Yes"), self.yes),
            ])
            .centered(),
        );
        lines.push(
            Line::styled(
                tr(
                    v.lang,
                    "←/→ 选择 · Enter 确定 · Esc 取消",
                    "←/→ choose · Enter confirm · Esc cancel",
                ),
                v.theme.muted,
            )
            .centered(),
        );
        f.render_widget(Paragraph::new(lines), inner);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("←/→", "选择 是/否", "choose yes/no"),
            Hint::text("Enter", "确定", "confirm"),
            Hint::text("Esc", "取消", "cancel"),
        ]
    }
}
