//! One line of text edited as a shell edits it: Ctrl-U, Ctrl-W, Ctrl-K, Ctrl-A/Ctrl-E,
//! Home/End, Left/Right, Backspace/Delete; and the history of earlier lines for Up/Down. Every
//! text field of the console (lookup, filters, the command line, forms) is one of these.

use crate::text::inert;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// What a key did to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved.
    Moved,
    /// Not an editing key: the caller decides.
    Ignored,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// Byte offset of the cursor, always on a character boundary.
    cursor: usize,
}

impl LineEdit {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text; the cursor goes to its end.
    pub fn set(&mut self, s: &str) {
        self.text = clean(s);
        self.cursor = self.text.len();
    }

    pub fn clear(&mut self) {
        self.set("");
    }

    /// Inserts pasted text at the cursor (line breaks become spaces, control characters go).
    pub fn insert_str(&mut self, s: &str) {
        let s = clean(s);
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Char('a') if ctrl => self.moved(0),
            KeyCode::Char('e') if ctrl => self.moved(self.text.len()),
            KeyCode::Char('b') if ctrl => self.moved(self.prev(self.cursor)),
            KeyCode::Char('f') if ctrl => self.moved(self.next(self.cursor)),
            KeyCode::Char('u') if ctrl => self.cut(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.cut(self.cursor, self.text.len()),
            KeyCode::Char('w') if ctrl => self.cut(self.word_start(), self.cursor),
            KeyCode::Backspace if alt => self.cut(self.word_start(), self.cursor),
            KeyCode::Char('h') if ctrl => self.cut(self.prev(self.cursor), self.cursor),
            KeyCode::Char('d') if ctrl && !self.text.is_empty() => {
                self.cut(self.cursor, self.next(self.cursor))
            }
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
                Edit::Changed
            }
            KeyCode::Backspace => self.cut(self.prev(self.cursor), self.cursor),
            KeyCode::Delete => self.cut(self.cursor, self.next(self.cursor)),
            KeyCode::Left => self.moved(self.prev(self.cursor)),
            KeyCode::Right => self.moved(self.next(self.cursor)),
            KeyCode::Home => self.moved(0),
            KeyCode::End => self.moved(self.text.len()),
            _ => Edit::Ignored,
        }
    }

    fn moved(&mut self, to: usize) -> Edit {
        self.cursor = to;
        Edit::Moved
    }

    fn cut(&mut self, from: usize, to: usize) -> Edit {
        if from >= to {
            return Edit::Moved;
        }
        self.text.replace_range(from..to, "");
        self.cursor = from;
        Edit::Changed
    }

    fn prev(&self, i: usize) -> usize {
        self.text[..i]
            .char_indices()
            .next_back()
            .map(|(j, _)| j)
            .unwrap_or(0)
    }

    fn next(&self, i: usize) -> usize {
        self.text[i..]
            .chars()
            .next()
            .map(|c| i + c.len_utf8())
            .unwrap_or(i)
    }

    /// Where Ctrl-W cuts back to: spaces, then the word before them.
    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(' ');
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| *c == ' ')
            .map(|(j, c)| j + c.len_utf8())
            .unwrap_or(0)
    }

    /// The line as shown in `cols` columns: the part around the cursor, the cursor as a block.
    pub fn view(&self, cols: usize, text: Style, cursor: Style) -> Line<'static> {
        let before = inert(&self.text[..self.cursor]);
        let mut after = self.text[self.cursor..].chars();
        let under = after.next().map(|c| inert(&c.to_string()));
        let rest = inert(after.as_str());
        let cols = cols.max(2);
        // Keep the cursor in view: drop characters from the left of a long line.
        let mut shown_before = String::new();
        let mut w = 0;
        for c in before.chars().rev() {
            let cw = c.width().unwrap_or(0);
            if w + cw + 1 >= cols {
                break;
            }
            w += cw;
            shown_before.insert(0, c);
        }
        let under = under.unwrap_or_else(|| " ".to_string());
        let used = w + crate::text::width(&under);
        let rest = crate::text::truncate(&rest, cols.saturating_sub(used));
        Line::from(vec![
            Span::styled(shown_before, text),
            Span::styled(under, cursor),
            Span::styled(rest, text),
        ])
    }
}

fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Earlier lines of one field, newest last; Up and Down walk them, keeping the line being
/// typed to come back to.
#[derive(Debug, Clone, Default)]
pub struct History {
    lines: Vec<String>,
    /// The entry shown, while walking.
    at: Option<usize>,
    draft: String,
}

const HISTORY_LINES: usize = 100;

impl History {
    pub fn push(&mut self, line: &str) {
        let line = line.trim();
        self.at = None;
        if line.is_empty() || self.lines.last().is_some_and(|l| l == line) {
            return;
        }
        self.lines.push(line.to_string());
        if self.lines.len() > HISTORY_LINES {
            self.lines.remove(0);
        }
    }

    /// Up: the previous line (or stays on the oldest).
    pub fn back(&mut self, edit: &mut LineEdit) -> bool {
        if self.lines.is_empty() {
            return false;
        }
        let i = match self.at {
            None => {
                self.draft = edit.text().to_string();
                self.lines.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.at = Some(i);
        edit.set(&self.lines[i]);
        true
    }

    /// Down: the next line, then the line being typed.
    pub fn forward(&mut self, edit: &mut LineEdit) -> bool {
        let Some(i) = self.at else {
            return false;
        };
        if i + 1 < self.lines.len() {
            self.at = Some(i + 1);
            edit.set(&self.lines[i + 1]);
        } else {
            self.at = None;
            edit.set(&self.draft);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut LineEdit, code: KeyCode, m: KeyModifiers) -> Edit {
        e.handle(&KeyEvent::new(code, m))
    }

    fn typed(s: &str) -> LineEdit {
        let mut e = LineEdit::default();
        for c in s.chars() {
            press(&mut e, KeyCode::Char(c), KeyModifiers::NONE);
        }
        e
    }

    const CTRL: KeyModifiers = KeyModifiers::CONTROL;

    #[test]
    fn ctrl_u_clears_what_is_before_the_cursor_and_ctrl_w_one_word() {
        let mut e = typed("上海 汽车 shqc");
        assert_eq!(press(&mut e, KeyCode::Char('w'), CTRL), Edit::Changed);
        assert_eq!(e.text(), "上海 汽车 ");
        press(&mut e, KeyCode::Char('w'), CTRL);
        assert_eq!(e.text(), "上海 ");
        press(&mut e, KeyCode::Char('u'), CTRL);
        assert_eq!(e.text(), "");
    }

    #[test]
    fn the_cursor_moves_by_characters_not_bytes() {
        let mut e = typed("上汽集团");
        press(&mut e, KeyCode::Char('a'), CTRL);
        press(&mut e, KeyCode::Right, KeyModifiers::NONE);
        press(&mut e, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(e.text(), "上集团");
        press(&mut e, KeyCode::Char('e'), CTRL);
        press(&mut e, KeyCode::Backspace, KeyModifiers::NONE);
        assert_eq!(e.text(), "上集");
        press(&mut e, KeyCode::Home, KeyModifiers::NONE);
        press(&mut e, KeyCode::Char('k'), CTRL);
        assert_eq!(e.text(), "");
        press(&mut e, KeyCode::Backspace, KeyModifiers::NONE);
        press(&mut e, KeyCode::Left, KeyModifiers::NONE);
        assert_eq!(e.text(), "");
    }

    #[test]
    fn ctrl_letters_never_type_letters() {
        let mut e = typed("abc");
        for c in ['a', 'e', 'u', 'w', 'b', 'f', 'x', 'z'] {
            press(&mut e, KeyCode::Char(c), CTRL);
        }
        assert!(!e.text().contains(['x', 'z']), "{}", e.text());
    }

    #[test]
    fn a_paste_of_several_lines_becomes_one_line() {
        let mut e = typed("a");
        e.insert_str("b\nc\u{1b}[2J");
        assert_eq!(e.text(), "ab c[2J");
    }

    #[test]
    fn up_and_down_walk_the_history_and_come_back_to_the_draft() {
        let mut h = History::default();
        h.push("lookup 上汽");
        h.push("pane 3");
        let mut e = typed("da");
        assert!(h.back(&mut e));
        assert_eq!(e.text(), "pane 3");
        h.back(&mut e);
        assert_eq!(e.text(), "lookup 上汽");
        h.back(&mut e);
        assert_eq!(e.text(), "lookup 上汽");
        h.forward(&mut e);
        h.forward(&mut e);
        assert_eq!(e.text(), "da");
        assert!(!h.forward(&mut e));
    }

    #[test]
    fn a_long_line_shows_the_part_around_the_cursor() {
        let e = typed(&"x".repeat(500));
        let line = e.view(20, Style::default(), Style::default());
        let w: usize = line
            .spans
            .iter()
            .map(|s| crate::text::width(&s.content))
            .sum();
        assert!(w <= 20, "{w}");
    }
}
