//! `:` — a one-line command prompt in the status line (`:q`, `:lookup 上汽`, `:book 周六`,
//! `:pane 2`): shell-like editing, Up/Down history, Tab completion of commands and their
//! arguments (pane names, themes found in the theme directories and built in, days), and the closest command for a mistyped one.

use crate::text::{Lang, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crate::tui::widgets::line_edit::{History, LineEdit};
use crossterm::event::{KeyCode, KeyEvent};
use jiff::ToSpan;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The commands `run_command` knows (first the name completion offers).
pub const COMMANDS: &[&str] = &[
    "quit",
    "q",
    "help",
    "pane",
    "queue",
    "calendar",
    "approvals",
    "lookup",
    "find",
    "filter",
    "date",
    "book",
    "clearance",
    "theme",
    "export",
];

const PANES: &[&str] = &[
    "queue",
    "calendar",
    "approvals",
    "lookup",
    "1",
    "2",
    "3",
    "4",
];

#[derive(Debug, Default)]
pub struct CommandLine {
    pub edit: LineEdit,
    pub history: History,
    /// Today, for completing days.
    today: Option<Date>,
    /// What Tab found when it could not choose one.
    pub choices: Vec<String>,
}

impl CommandLine {
    pub fn new(history: History, today: Date) -> CommandLine {
        CommandLine {
            history,
            today: Some(today),
            ..CommandLine::default()
        }
    }

    pub fn text(&self) -> &str {
        self.edit.text()
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        if key.code != KeyCode::Tab {
            self.choices.clear();
        }
        match key.code {
            KeyCode::Esc => Some(Action::ClosePopup),
            KeyCode::Enter => Some(Action::RunCommand(self.edit.text().to_string())),
            KeyCode::Backspace if self.edit.is_empty() => Some(Action::ClosePopup),
            KeyCode::Up => {
                self.history.back(&mut self.edit);
                None
            }
            KeyCode::Down => {
                self.history.forward(&mut self.edit);
                None
            }
            KeyCode::Tab => {
                self.complete();
                None
            }
            _ => {
                self.edit.handle(key);
                None
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        self.edit.insert_str(text);
    }

    /// Tab: completes the word before the cursor to the one candidate, or to what all
    /// candidates share (and lists them).
    fn complete(&mut self) {
        let line = self.edit.text().to_string();
        let (head, word) = match line.rsplit_once(' ') {
            Some((h, w)) => (format!("{h} "), w.to_string()),
            None => (String::new(), line.clone()),
        };
        let candidates = candidates(head.trim(), &word, self.today);
        match candidates.as_slice() {
            [] => {}
            [one] => self.edit.set(&format!("{head}{one} ")),
            many => {
                let common = common_prefix(many);
                if common.chars().count() > word.chars().count() {
                    self.edit.set(&format!("{head}{common}"));
                }
                self.choices = many.to_vec();
            }
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let cols = usize::from(area.width).saturating_sub(2);
        let mut spans = vec![Span::styled(":", v.theme.key)];
        spans.extend(self.edit.view(cols, v.theme.title, v.theme.selected).spans);
        if !self.choices.is_empty() {
            let used: usize = spans.iter().map(|s| crate::text::width(&s.content)).sum();
            spans.push(Span::styled(
                crate::text::truncate(
                    &format!("   {}", self.choices.join(" ")),
                    usize::from(area.width).saturating_sub(used),
                ),
                v.theme.muted,
            ));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "执行", "run"),
            Hint::text("Esc", "取消", "cancel"),
            Hint::text("Tab", "补全", "complete"),
            Hint::text("↑/↓", "历史", "history"),
            Hint::text(":q", "退出", "quit"),
            Hint::text(":pane N", "窗格", "pane"),
            Hint::text(":lookup 名称", "查询", "lookup"),
            Hint::text(":book [日期]", "预约", "book"),
            Hint::text(":date 日期", "日历", "calendar"),
        ]
    }
}

/// What may follow `head` (the command, or nothing) and starts with `word`.
fn candidates(head: &str, word: &str, today: Option<Date>) -> Vec<String> {
    let lower = word.to_lowercase();
    let pool: Vec<String> = match head {
        "" => COMMANDS.iter().map(|s| s.to_string()).collect(),
        "pane" | "p" => PANES.iter().map(|s| s.to_string()).collect(),
        "theme" => crate::tui::theme::available()
            .into_iter()
            .map(|(name, _)| name)
            .collect(),
        "date" | "day" | "book" => {
            let mut v: Vec<String> = crate::calendar::day_words()
                .iter()
                .map(|s| s.to_string())
                .collect();
            if let Some(t) = today {
                v.extend((0..62).filter_map(|i| {
                    let d = t.checked_add(i.days()).ok()?;
                    Some(format!("{:02}-{:02}", d.month(), d.day()))
                }));
            }
            v
        }
        _ => Vec::new(),
    };
    let mut out: Vec<String> = pool
        .into_iter()
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .collect();
    out.dedup();
    out
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| a != b)
                .map(|((i, _), _)| i)
                .unwrap_or(first.len().min(w.len())),
        );
    }
    first[..end].to_string()
}

/// The known command closest to a mistyped one, if any is close.
pub fn closest_command(typed: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .map(|c| (strsim::damerau_levenshtein(typed, c), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "did you mean :quit?" in the operator's language.
pub fn did_you_mean(lang: Lang, typed: &str) -> Option<String> {
    closest_command(typed).map(|c| {
        format!(
            "{} :{c}{}",
            tr(lang, "是否想输入", "did you mean"),
            tr(lang, "？", "?")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn tab(line: &str) -> CommandLine {
        let mut c = CommandLine::new(History::default(), date(2026, 11, 27));
        c.edit.set(line);
        c.complete();
        c
    }

    #[test]
    fn tab_completes_commands_and_their_arguments() {
        assert_eq!(tab("cl").text(), "clearance ");
        assert_eq!(tab("pane ap").text(), "pane approvals ");
        assert_eq!(tab("theme l").text(), "theme light ");
        assert_eq!(tab("date tom").text(), "date tomorrow ");
        assert_eq!(tab("book 周").text(), "book 周");
        assert_eq!(tab("book 周").choices.len(), 7);
        assert_eq!(tab("date 12-0").text(), "date 12-0");
        assert!(tab("date 12-0").choices.contains(&"12-05".to_string()));
        assert_eq!(tab("book 11-3").text(), "book 11-30 ");
    }

    #[test]
    fn a_mistyped_command_suggests_the_closest() {
        assert_eq!(closest_command("lokup"), Some("lookup"));
        assert_eq!(closest_command("qiut"), Some("quit"));
        assert_eq!(closest_command("calender"), Some("calendar"));
        assert_eq!(closest_command("xyzzy"), None);
    }
}
