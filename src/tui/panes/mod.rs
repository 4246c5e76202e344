//! The four panes. Each owns its state, loads only what it shows, maps keys to actions, draws,
//! and reports its own key hints.

mod approvals;
mod calendar;
mod lookup;
mod queue;
mod today;

pub use approvals::{ApprovalsPane, urgency_mark, urgency_style};
pub use calendar::{BoardLine, CalendarPane, Focus};
pub use lookup::LookupPane;
pub use queue::QueuePane;
pub use today::{TabCount, TodayPane, TodayTarget, tab_counts};

use super::app::{Action, Env, View};
use super::keymap::{Cmd, Keymap};
pub use super::widgets::selection::{scroll_to, step};
use crate::text::{truncate, width};
use anyhow::Result;
use crossterm::event::KeyEvent;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType};

pub trait Pane {
    /// Loads what the pane shows from the store.
    fn refresh(&mut self, env: &Env<'_>) -> Result<()>;
    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action>;
    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>);
    fn hints(&self) -> Vec<Hint>;
    /// Typing goes into a text field (so `q` or `1` are letters, not commands).
    fn captures_text(&self) -> bool {
        false
    }
    /// Pasted text: into the pane's text field if it has one, else dropped (a paste never acts
    /// as keys).
    fn paste(&mut self, _text: &str) -> Option<Action> {
        None
    }
    /// The pane is shown: a pane whose use is typing puts the cursor in its field.
    fn focus(&mut self) {}
    /// Dates the pane shows, for the header's unknown-calendar warning.
    fn dates_on_screen(&self) -> Vec<Date> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKey {
    Cmd(Cmd),
    Text(&'static str),
}

/// One key and what it does, for the footer and the help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub key: HintKey,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Hint {
    pub fn cmd(c: Cmd, zh: &'static str, en: &'static str) -> Hint {
        Hint {
            key: HintKey::Cmd(c),
            zh,
            en,
        }
    }

    pub fn text(k: &'static str, zh: &'static str, en: &'static str) -> Hint {
        Hint {
            key: HintKey::Text(k),
            zh,
            en,
        }
    }

    pub fn key_label(&self, km: &Keymap) -> String {
        match self.key {
            HintKey::Cmd(c) => km.label(c),
            HintKey::Text(t) => t.to_string(),
        }
    }

    pub fn label(&self, lang: crate::text::Lang) -> &'static str {
        crate::text::tr(lang, self.zh, self.en)
    }
}

/// The footer line: as many hints as fit the width; the help key (`?`, which lists the rest)
/// always keeps its place.
pub fn hint_spans(hints: &[Hint], v: &View<'_>, cols: usize) -> Vec<Span<'static>> {
    let need = |h: &Hint| width(&h.key_label(v.keymap)) + 1 + width(h.label(v.lang)) + 2;
    let help = hints.iter().position(|h| h.key == HintKey::Cmd(Cmd::Help));
    let all: usize = 1 + hints.iter().map(need).sum::<usize>();
    let reserve = match help {
        Some(i) if all > cols => need(&hints[i]),
        _ => 0,
    };
    let mut out = vec![Span::raw(" ")];
    let mut used = 1;
    let push = |out: &mut Vec<Span<'static>>, h: &Hint| {
        out.push(Span::styled(h.key_label(v.keymap), v.theme.key));
        out.push(Span::styled(
            format!(" {}  ", h.label(v.lang)),
            v.theme.muted,
        ));
    };
    for (i, h) in hints.iter().enumerate() {
        if reserve > 0 && Some(i) == help {
            continue;
        }
        if used + need(h) + reserve > cols {
            break;
        }
        push(&mut out, h);
        used += need(h);
    }
    if let Some(i) = help.filter(|_| reserve > 0 && used + reserve <= cols) {
        push(&mut out, &hints[i]);
    }
    out
}

/// A pane's frame: rounded border, title, highlighted when focused.
pub fn frame_block<'a>(title: String, focused: bool, v: &View<'_>) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            v.theme.border_focus
        } else {
            v.theme.border
        })
        .title(Span::styled(format!(" {title} "), v.theme.title))
}

/// The columns a credit level's short name takes at most in `lang` (高级认证: 8; s.dishonest:
/// 11): every list's credit column is at least this wide, so the level reads whole.
pub fn credit_width(lang: crate::text::Lang) -> u16 {
    widest(
        crate::domain::credit::CreditLevel::ALL
            .iter()
            .map(|c| c.short_name(lang)),
    )
}

/// The display width of the widest of `names`: a column they all read whole in.
pub fn widest<'a>(names: impl IntoIterator<Item = &'a str>) -> u16 {
    names.into_iter().map(crate::text::width).max().unwrap_or(0) as u16
}

/// A table cell's text cut to its column by display width.
pub fn fit(s: &str, cols: u16) -> String {
    truncate(s, usize::from(cols))
}

/// Style of a row: selected rows in reverse video on top of their own style.
pub fn row_style(base: Style, selected: bool, v: &View<'_>) -> Style {
    if selected {
        base.patch(v.theme.selected)
    } else {
        base
    }
}
