//! `:` — a one-line command prompt in the status line (`:q`, `:lookup 上汽`, `:book`, `:pane 2`).

use crate::text::inert;
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Default)]
pub struct CommandLine {
    pub text: String,
}

impl CommandLine {
    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Esc => Some(Action::ClosePopup),
            KeyCode::Enter => Some(Action::RunCommand(self.text.clone())),
            KeyCode::Backspace => {
                if self.text.pop().is_none() {
                    return Some(Action::ClosePopup);
                }
                None
            }
            KeyCode::Char(c) if !c.is_control() => {
                self.text.push(c);
                None
            }
            _ => None,
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let line = Line::from(vec![
            Span::styled(":", v.theme.key),
            Span::styled(format!("{}▏", inert(&self.text)), v.theme.title),
        ]);
        f.render_widget(Paragraph::new(line), area);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "执行", "run"),
            Hint::text("Esc", "取消", "cancel"),
            Hint::text(":q", "退出", "quit"),
            Hint::text(":pane N", "窗格", "pane"),
            Hint::text(":lookup 名称", "查询", "lookup"),
            Hint::text(":book [日期]", "预约", "book"),
            Hint::text(":date 日期", "日历", "calendar"),
        ]
    }
}
