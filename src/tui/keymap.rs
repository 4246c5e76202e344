//! Keys → commands. Defaults follow the model consoles (vim keys and arrows, `?`, `/`, `:`, esc);
//! any command can be rebound in `$XDG_CONFIG_HOME/aeo-console/config.toml`:
//!
//! ```toml
//! theme = "light"
//! [keys]
//! take = "enter"          # one key
//! down = ["j", "ctrl-n"]  # or several
//! ```

use anyhow::{Result, anyhow, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    Finish = "finish", ["f"];
    Abnormal = "abnormal", ["x"];
    Book = "book", ["b"];
    Cancel = "cancel", ["c"];
    Pause = "pause", ["p"];
    Resume = "resume", ["r"];
    Decide = "decide", ["d"];
    Copy = "copy", ["y"];
    CopyOther = "copy_other", ["Y"];
    PrevMonth = "prev_month", ["[", "<"];
    NextMonth = "next_month", ["]", ">"];
    Today = "today", ["."];
    LogCall = "log_call", ["n"];
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

    fn rebind(&mut self, name: &str, keys: &[String]) -> Result<(), String> {
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
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeySpec {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: BTreeMap<String, KeySpec>,
}

/// What the config file chooses.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: Option<String>,
    pub path: Option<PathBuf>,
}

impl Config {
    /// `$XDG_CONFIG_HOME/aeo-console/config.toml` when it exists, else the defaults.
    pub fn load_default() -> Result<Config> {
        match dirs::config_dir().map(|d| d.join("aeo-console").join("config.toml")) {
            Some(p) if p.exists() => Config::load(&p),
            _ => Ok(Config::default()),
        }
    }

    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read config {}: {e}", path.display()))?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            anyhow!(
                "config {}: {}",
                path.display(),
                e.to_string().trim().replace('\n', " ")
            )
        })?;
        let mut keymap = Keymap::default();
        for (name, spec) in &file.keys {
            let keys = match spec {
                KeySpec::One(k) => vec![k.clone()],
                KeySpec::Many(v) => v.clone(),
            };
            if let Err(e) = keymap.rebind(name, &keys) {
                bail!("config {}: [keys] {name}: {e}", path.display());
            }
        }
        Ok(Config {
            keymap,
            theme: file.theme,
            path: Some(path.to_path_buf()),
        })
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
    fn a_config_file_rebinds_keys() {
        let c = Config::parse(
            "theme = \"light\"\n[keys]\ntake = \"space\"\ndown = [\"j\", \"ctrl-n\"]\n",
            Path::new("/x/config.toml"),
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert!(
            c.keymap
                .is(Cmd::Take, &key(KeyCode::Char(' '), KeyModifiers::NONE))
        );
        assert!(
            !c.keymap
                .is(Cmd::Take, &key(KeyCode::Char('t'), KeyModifiers::NONE))
        );
        assert!(
            c.keymap
                .is(Cmd::Down, &key(KeyCode::Char('n'), KeyModifiers::CONTROL))
        );
    }

    #[test]
    fn a_bad_config_names_the_file_and_the_key() {
        let err = Config::parse("[keys]\ntake = \"ctrl-\"\n", Path::new("/x/config.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/x/config.toml") && err.contains("take"),
            "{err}"
        );
        let err = Config::parse("[keys]\nteke = \"t\"\n", Path::new("/x/config.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("teke") && err.contains("unknown command"),
            "{err}"
        );
        let err = Config::parse("colour = 1\n", Path::new("/x/config.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/x/config.toml") && err.contains("colour"),
            "{err}"
        );
    }
}
