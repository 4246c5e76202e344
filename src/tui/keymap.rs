//! Keys → commands. Defaults follow the model consoles (vim keys and arrows, `?`, `/`, `:`, esc);
//! any command can be rebound in the `[keys]` table of a config file (see `crate::config`):
//!
//! ```toml
//! theme = "light"
//! [keys]
//! take = "enter"          # one key
//! down = ["j", "ctrl-n"]  # or several
//! ```

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

macro_rules! commands {
    ($($cmd:ident = $name:literal, [$($key:literal),*];)+) => {
        /// What a key asks for; panes give each command its meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Cmd { $($cmd),+ }

        impl Cmd {
            pub const ALL: &'static [Cmd] = &[$(Cmd::$cmd),+];
            /// The name used in the config file.
            pub fn name(self) -> &'static str { match self { $(Cmd::$cmd => $name),+ } }
            fn default_keys(self) -> &'static [&'static str] { match self { $(Cmd::$cmd => &[$($key),*]),+ } }
        }
    };
}

commands! {
    Quit = "quit", ["q"];
    Help = "help", ["?"];
    Filter = "filter", ["/"];
    CommandLine = "command_line", [":"];
    Back = "back", ["esc"];
    NextPane = "next_pane", ["tab"];
    PrevPane = "prev_pane", ["backtab"];
    Pane1 = "pane_queue", ["1"];
    Pane2 = "pane_calendar", ["2"];
    Pane3 = "pane_approvals", ["3"];
    Pane4 = "pane_lookup", ["4"];
    Pane5 = "pane_today", ["5"];
    Up = "up", ["up", "k"];
    Down = "down", ["down", "j"];
    Left = "left", ["left", "h"];
    Right = "right", ["right", "l"];
    PageUp = "page_up", ["pageup", "ctrl-u"];
    PageDown = "page_down", ["pagedown", "ctrl-d"];
    Top = "top", ["home", "g"];
    Bottom = "bottom", ["end", "G"];
    Open = "open", ["enter"];
    Take = "take", ["t"];
    TakeOver = "take_over", ["T"];
    Release = "release", ["R"];
    Undo = "undo", ["u"];
    Finish = "finish", ["f"];
    Abnormal = "abnormal", ["x"];
    Book = "book", ["b"];
    Cancel = "cancel", ["c"];
    Pause = "pause", ["p"];
    Resume = "resume", ["r"];
    Decide = "decide", ["d"];
    Correct = "correct", ["C"];
    Extend = "extend", ["e"];
    FinalAuthority = "final_authority", ["F"];
    Copy = "copy", ["y"];
    CopyOther = "copy_other", ["Y"];
    PrevMonth = "prev_month", ["[", "<"];
    NextMonth = "next_month", ["]", ">"];
    Today = "today", ["."];
    LogCall = "log_call", ["n"];
    ScheduleVerification = "schedule_verification", ["v"];
    MergeVerifications = "merge_verifications", ["M"];
    NarrowOverdue = "narrow_overdue", ["o"];
    NarrowNearlyDue = "narrow_nearly_due", ["w"];
    NarrowAbnormal = "narrow_abnormal", ["a"];
    NarrowMine = "narrow_mine", ["m"];
    Export = "export", ["ctrl-s"];
}

impl Cmd {
    /// Commands that change data (hidden on a read-only seat).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Cmd::Take
                | Cmd::TakeOver
                | Cmd::Release
                | Cmd::Finish
                | Cmd::Abnormal
                | Cmd::Book
                | Cmd::Cancel
                | Cmd::Pause
                | Cmd::Resume
                | Cmd::Decide
                | Cmd::Correct
                | Cmd::Extend
                | Cmd::FinalAuthority
                | Cmd::Undo
                | Cmd::LogCall
                | Cmd::ScheduleVerification
                | Cmd::MergeVerifications
        )
    }
}

/// A key as bound: the code and whether Ctrl or Alt is held (Shift is part of the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Binding {
    code: KeyCode,
    ctrl: bool,
    alt: bool,
}

impl Binding {
    pub fn of(key: &KeyEvent) -> Binding {
        let code = match key.code {
            // Some terminals report Shift-Tab as Tab with SHIFT.
            KeyCode::Tab if key.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            c => c,
        };
        Binding {
            code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
            alt: key.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Result<Binding, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().unwrap_or(0);
                if !(1..=12).contains(&n) {
                    return Err(format!("'{s}' is not a key"));
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => {
                        return Err(format!(
                            "'{s}' is not a key (use e.g. \"q\", \"G\", \"ctrl-d\", \"enter\", \"esc\", \"tab\", \"up\", \"pagedown\", \"f5\")"
                        ));
                    }
                }
            }
        };
        Ok(Binding { code, ctrl, alt })
    }

    /// How the footer and help show the key.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Backspace => "Bksp".to_string(),
            KeyCode::Delete => "Del".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("C-");
        }
        if self.alt {
            s.push_str("M-");
        }
        s.push_str(&base);
        s
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<Cmd, Vec<Binding>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = Cmd::ALL
            .iter()
            .map(|c| {
                let keys = c
                    .default_keys()
                    .iter()
                    .map(|k| Binding::parse(k).expect("default keys parse"))
                    .collect();
                (*c, keys)
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// Whether `key` is bound to `cmd`.
    pub fn is(&self, cmd: Cmd, key: &KeyEvent) -> bool {
        let b = Binding::of(key);
        self.bindings.get(&cmd).is_some_and(|v| v.contains(&b))
    }

    /// The keys of a command as shown to the operator ("↓/j").
    pub fn label(&self, cmd: Cmd) -> String {
        self.bindings
            .get(&cmd)
            .map(|v| v.iter().map(|b| b.label()).collect::<Vec<_>>().join("/"))
            .unwrap_or_default()
    }

    /// Binds `keys` (replacing the defaults) to the command of that config name.
    pub(crate) fn rebind(&mut self, name: &str, keys: &[String]) -> Result<Cmd, String> {
        let cmd = Cmd::ALL.iter().find(|c| c.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Cmd::ALL.iter().map(|c| c.name()).collect();
            format!("unknown command '{name}' (commands: {})", names.join(", "))
        })?;
        let parsed = keys
            .iter()
            .map(|k| Binding::parse(k))
            .collect::<Result<Vec<_>, _>>()?;
        if parsed.is_empty() {
            return Err("no key given".to_string());
        }
        self.bindings.insert(*cmd, parsed);
        Ok(*cmd)
    }

    /// A key bound to two commands, if any: (key, first command, second command).
    pub fn conflict(&self) -> Option<(Binding, Cmd, Cmd)> {
        let mut seen: Vec<(Binding, Cmd)> = Vec::new();
        for (cmd, keys) in &self.bindings {
            for b in keys {
                if let Some((_, first)) = seen.iter().find(|(k, _)| k == b) {
                    return Some((*b, *first, *cmd));
                }
                seen.push((*b, *cmd));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn arrows_and_vim_keys_both_move() {
        let km = Keymap::default();
        assert!(km.is(Cmd::Down, &key(KeyCode::Char('j'), KeyModifiers::NONE)));
        assert!(km.is(Cmd::Down, &key(KeyCode::Down, KeyModifiers::NONE)));
        assert!(km.is(Cmd::Bottom, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(km.is(
            Cmd::PageDown,
            &key(KeyCode::Char('d'), KeyModifiers::CONTROL)
        ));
        assert!(!km.is(Cmd::Decide, &key(KeyCode::Char('d'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn rebinding_replaces_a_commands_keys() {
        let mut km = Keymap::default();
        assert_eq!(km.conflict(), None, "the defaults bind each key once");
        let cmd = km.rebind("take", &["space".to_string()]).unwrap();
        assert_eq!(cmd, Cmd::Take);
        assert!(km.is(Cmd::Take, &key(KeyCode::Char(' '), KeyModifiers::NONE)));
        assert!(!km.is(Cmd::Take, &key(KeyCode::Char('t'), KeyModifiers::NONE)));
        km.rebind("down", &["j".to_string(), "ctrl-n".to_string()])
            .unwrap();
        assert!(km.is(Cmd::Down, &key(KeyCode::Char('n'), KeyModifiers::CONTROL)));
        assert!(
            km.rebind("teke", &["t".to_string()])
                .unwrap_err()
                .contains("unknown command")
        );
        assert!(km.rebind("take", &[]).is_err());
        km.rebind("finish", &["space".to_string()]).unwrap();
        assert_eq!(
            km.conflict().map(|(b, x, y)| (b.label(), x, y)),
            Some(("Space".to_string(), Cmd::Take, Cmd::Finish))
        );
    }
}
