//! Configuration in layers, each overriding the one before: built-in defaults,
//! `/etc/aeo-console/config.toml` (a desk's seats), `$XDG_CONFIG_HOME/aeo-console/config.toml`
//! (one user), the environment (`AEO_DB`, `AEO_LANG`, `AEO_READ_ONLY`, `AEO_THEME`,
//! `AEO_ASCII`, `AEO_OFFICE_HOURS`, `AEO_OPERATOR`), then command-line flags. Every value remembers where it
//! came from, for `aeo config` and `aeo doctor`.
//!
//! ```toml
//! db = "/srv/aeo/aeo.db"
//! lang = "zh"
//! read_only = true
//! theme = "light"
//! ascii = false
//! office_hours = "09:00-17:00"
//! operator = "desk-3"
//! pane = "lookup"        # queue, calendar, approvals, lookup or today
//! log_dir = "/var/log/aeo-console"
//! log_level = "info"
//! [keys]
//! take = "space"
//! down = ["j", "ctrl-n"]
//! ```
//!
//! An unknown key, a bad value or a key bound to two commands is an error naming the file and
//! the line.

use crate::text::Lang;
use crate::tui::keymap::{Binding, Cmd, Keymap};
use anyhow::{Result, anyhow, bail};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The system-wide file; `AEO_SYSTEM_CONFIG` names another (packaging, tests).
pub const SYSTEM_CONFIG: &str = "/etc/aeo-console/config.toml";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File { path: PathBuf, line: usize },
    Env(&'static str),
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path, line } => write!(f, "{}:{line}", path.display()),
            Source::Env(name) => write!(f, "env {name}"),
            Source::Flag(name) => write!(f, "flag --{name}"),
        }
    }
}

/// A value and its source.
#[derive(Debug, Clone)]
pub struct Value<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Value<T> {
    fn default(value: T) -> Value<T> {
        Value {
            value,
            source: Source::Default,
        }
    }

    fn set(&mut self, value: T, source: Source) {
        *self = Value { value, source };
    }
}

/// The pane the console opens on (`--pane lookup` for a hotline seat).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartPane {
    Queue,
    Calendar,
    Approvals,
    Lookup,
    Today,
}

/// How verbose the log file is.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// Values given on the command line (each `None` when the flag is absent).
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub db: Option<PathBuf>,
    pub lang: Option<Lang>,
    pub read_only: bool,
    pub theme: Option<String>,
    pub ascii: bool,
    pub office_hours: Option<String>,
    pub operator: Option<String>,
    pub pane: Option<StartPane>,
    pub log_level: Option<LogLevel>,
}

/// A config file looked for, and whether it was there.
#[derive(Debug, Clone, Serialize)]
pub struct FileSeen {
    pub path: PathBuf,
    pub found: bool,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// `None`: the default path under `$XDG_DATA_HOME`.
    pub db: Value<Option<PathBuf>>,
    pub lang: Value<Lang>,
    pub read_only: Value<bool>,
    /// `None`: dark (mono under `NO_COLOR`).
    pub theme: Value<Option<String>>,
    pub ascii: Value<bool>,
    pub office_hours: Value<String>,
    /// `None`: the OS user.
    pub operator: Value<Option<String>>,
    pub pane: Value<StartPane>,
    /// `None`: `$XDG_STATE_HOME/aeo-console/`.
    pub log_dir: Value<Option<PathBuf>>,
    pub log_level: Value<LogLevel>,
    pub keymap: Keymap,
    /// Where each rebound command's keys came from.
    pub key_sources: BTreeMap<Cmd, Source>,
    pub files: Vec<FileSeen>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            db: Value::default(None),
            lang: Value::default(Lang::Zh),
            read_only: Value::default(false),
            theme: Value::default(None),
            ascii: Value::default(false),
            office_hours: Value::default("09:00-17:00".to_string()),
            operator: Value::default(None),
            pane: Value::default(StartPane::Queue),
            log_dir: Value::default(None),
            log_level: Value::default(LogLevel::Info),
            keymap: Keymap::default(),
            key_sources: BTreeMap::new(),
            files: Vec::new(),
        }
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
struct FileLayer {
    db: Option<Spanned<PathBuf>>,
    lang: Option<Spanned<String>>,
    read_only: Option<Spanned<bool>>,
    theme: Option<Spanned<String>>,
    ascii: Option<Spanned<bool>>,
    office_hours: Option<Spanned<String>>,
    operator: Option<Spanned<String>>,
    pane: Option<Spanned<String>>,
    log_dir: Option<Spanned<PathBuf>>,
    log_level: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<KeySpec>>,
}

/// The line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn enum_value<T: ValueEnum>(s: &str, what: &str) -> Result<T, String> {
    T::from_str(s.trim(), true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("'{s}' is not a {what} (use {})", names.join(", "))
    })
}

fn boolish(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("'{s}' is not true or false")),
    }
}

impl Config {
    /// The files looked for, in order: the system file, then the user's.
    pub fn standard_files() -> Vec<PathBuf> {
        let system = std::env::var_os("AEO_SYSTEM_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CONFIG));
        let mut v = vec![system];
        if let Some(d) = dirs::config_dir() {
            v.push(d.join("aeo-console").join("config.toml"));
        }
        v
    }

    /// The configuration of this process: standard files, the environment, then `flags`.
    pub fn load(flags: &Flags) -> Result<Config> {
        Config::resolve(&Config::standard_files(), |k| std::env::var(k).ok(), flags)
    }

    /// Layers `files` (missing ones skipped), then the environment as `env` reads it, then `flags`.
    pub fn resolve(
        files: &[PathBuf],
        env: impl Fn(&str) -> Option<String>,
        flags: &Flags,
    ) -> Result<Config> {
        let mut c = Config::default();
        for path in files {
            let found = path.is_file();
            c.files.push(FileSeen {
                path: path.clone(),
                found,
            });
            if found {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
                c.apply_file(&text, path)?;
            }
        }
        c.apply_env(env)?;
        c.apply_flags(flags);
        Ok(c)
    }

    /// Applies one file's text over this configuration.
    pub fn apply_file(&mut self, text: &str, path: &Path) -> Result<()> {
        let layer: FileLayer = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            anyhow!(
                "{}:{line}: {}",
                path.display(),
                e.message().trim().replace('\n', " ")
            )
        })?;
        let at = |span: std::ops::Range<usize>| Source::File {
            path: path.to_path_buf(),
            line: line_of(text, span.start),
        };
        let bad = |span: std::ops::Range<usize>, key: &str, msg: String| {
            anyhow!(
                "{}:{}: {key}: {msg}",
                path.display(),
                line_of(text, span.start)
            )
        };
        if let Some(v) = layer.db {
            let span = v.span();
            self.db.set(Some(v.into_inner()), at(span));
        }
        if let Some(v) = layer.lang {
            let lang = enum_value::<Lang>(v.get_ref(), "language")
                .map_err(|m| bad(v.span(), "lang", m))?;
            self.lang.set(lang, at(v.span()));
        }
        if let Some(v) = layer.read_only {
            self.read_only.set(*v.get_ref(), at(v.span()));
        }
        if let Some(v) = layer.theme {
            let span = v.span();
            self.theme.set(Some(v.into_inner()), at(span));
        }
        if let Some(v) = layer.ascii {
            self.ascii.set(*v.get_ref(), at(v.span()));
        }
        if let Some(v) = layer.office_hours {
            crate::domain::clearance::OfficeHours::parse(v.get_ref())
                .map_err(|m| bad(v.span(), "office_hours", m.to_string()))?;
            let span = v.span();
            self.office_hours.set(v.into_inner(), at(span));
        }
        if let Some(v) = layer.operator {
            let span = v.span();
            self.operator.set(Some(v.into_inner()), at(span));
        }
        if let Some(v) = layer.pane {
            let pane = enum_value::<StartPane>(v.get_ref(), "pane")
                .map_err(|m| bad(v.span(), "pane", m))?;
            self.pane.set(pane, at(v.span()));
        }
        if let Some(v) = layer.log_dir {
            let span = v.span();
            self.log_dir.set(Some(v.into_inner()), at(span));
        }
        if let Some(v) = layer.log_level {
            let level = enum_value::<LogLevel>(v.get_ref(), "log level")
                .map_err(|m| bad(v.span(), "log_level", m))?;
            self.log_level.set(level, at(v.span()));
        }
        for (name, spec) in &layer.keys {
            let keys = match spec.get_ref() {
                KeySpec::One(k) => vec![k.clone()],
                KeySpec::Many(v) => v.clone(),
            };
            let cmd = self
                .keymap
                .rebind(name, &keys)
                .map_err(|m| bad(spec.span(), &format!("[keys] {name}"), m))?;
            self.key_sources.insert(cmd, at(spec.span()));
        }
        if let Some((key, a, b)) = self.keymap.conflict() {
            // Defaults never conflict, so one of the two was bound by a file: name the latest.
            let (cmd, other) = match (self.key_sources.get(&a), self.key_sources.get(&b)) {
                (Some(Source::File { line: la, .. }), Some(Source::File { line: lb, .. }))
                    if lb > la =>
                {
                    (b, a)
                }
                (Some(_), _) => (a, b),
                _ => (b, a),
            };
            let place = self
                .key_sources
                .get(&cmd)
                .cloned()
                .unwrap_or(Source::Default);
            bail!(
                "{place}: [keys] {}: '{}' is also bound to {} (rebind {} too)",
                cmd.name(),
                key.label(),
                other.name(),
                other.name()
            );
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<()> {
        let get = |k: &str| env(k).filter(|v| !v.is_empty());
        if let Some(v) = get("AEO_DB") {
            self.db.set(Some(PathBuf::from(v)), Source::Env("AEO_DB"));
        }
        if let Some(v) = get("AEO_LANG") {
            let lang = enum_value::<Lang>(&v, "language").map_err(|m| anyhow!("AEO_LANG: {m}"))?;
            self.lang.set(lang, Source::Env("AEO_LANG"));
        }
        if let Some(v) = get("AEO_READ_ONLY") {
            let b = boolish(&v).map_err(|m| anyhow!("AEO_READ_ONLY: {m}"))?;
            self.read_only.set(b, Source::Env("AEO_READ_ONLY"));
        }
        if let Some(v) = get("AEO_ASCII") {
            let b = boolish(&v).map_err(|m| anyhow!("AEO_ASCII: {m}"))?;
            self.ascii.set(b, Source::Env("AEO_ASCII"));
        }
        if let Some(v) = get("AEO_THEME") {
            self.theme.set(Some(v), Source::Env("AEO_THEME"));
        }
        if let Some(v) = get("AEO_OFFICE_HOURS") {
            crate::domain::clearance::OfficeHours::parse(&v)
                .map_err(|m| anyhow!("AEO_OFFICE_HOURS: {m}"))?;
            self.office_hours.set(v, Source::Env("AEO_OFFICE_HOURS"));
        }
        if let Some(v) = get("AEO_OPERATOR") {
            self.operator.set(Some(v), Source::Env("AEO_OPERATOR"));
        }
        Ok(())
    }

    fn apply_flags(&mut self, f: &Flags) {
        if let Some(v) = &f.db {
            self.db.set(Some(v.clone()), Source::Flag("db"));
        }
        if let Some(v) = f.lang {
            self.lang.set(v, Source::Flag("lang"));
        }
        if f.read_only {
            self.read_only.set(true, Source::Flag("read-only"));
        }
        if let Some(v) = &f.theme {
            self.theme.set(Some(v.clone()), Source::Flag("theme"));
        }
        if f.ascii {
            self.ascii.set(true, Source::Flag("ascii"));
        }
        if let Some(v) = &f.office_hours {
            self.office_hours
                .set(v.clone(), Source::Flag("office-hours"));
        }
        if let Some(v) = &f.operator {
            self.operator.set(Some(v.clone()), Source::Flag("operator"));
        }
        if let Some(v) = f.pane {
            self.pane.set(v, Source::Flag("pane"));
        }
        if let Some(v) = f.log_level {
            self.log_level.set(v, Source::Flag("log-level"));
        }
    }

    /// Every setting as (key, value, source), in the order of the file's documentation.
    pub fn entries(&self) -> Vec<(String, String, String)> {
        fn opt_path(p: &Option<PathBuf>, default: &str) -> String {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| default.to_string())
        }
        fn name<T: ValueEnum>(v: &T) -> String {
            v.to_possible_value()
                .map(|p| p.get_name().to_string())
                .unwrap_or_default()
        }
        let db_default = crate::store::default_path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "(none)".to_string());
        let log_default = default_log_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "(none)".to_string());
        let mut v = vec![
            (
                "db".to_string(),
                opt_path(&self.db.value, &db_default),
                self.db.source.to_string(),
            ),
            (
                "lang".into(),
                name(&self.lang.value),
                self.lang.source.to_string(),
            ),
            (
                "read_only".into(),
                self.read_only.value.to_string(),
                self.read_only.source.to_string(),
            ),
            (
                "theme".into(),
                self.theme.value.clone().unwrap_or_else(|| "dark".into()),
                self.theme.source.to_string(),
            ),
            (
                "ascii".into(),
                self.ascii.value.to_string(),
                self.ascii.source.to_string(),
            ),
            (
                "office_hours".into(),
                self.office_hours.value.clone(),
                self.office_hours.source.to_string(),
            ),
            (
                "operator".into(),
                self.operator
                    .value
                    .clone()
                    .unwrap_or_else(crate::store::os_account),
                self.operator.source.to_string(),
            ),
            (
                "pane".into(),
                name(&self.pane.value),
                self.pane.source.to_string(),
            ),
            (
                "log_dir".into(),
                opt_path(&self.log_dir.value, &log_default),
                self.log_dir.source.to_string(),
            ),
            (
                "log_level".into(),
                name(&self.log_level.value),
                self.log_level.source.to_string(),
            ),
        ];
        for cmd in Cmd::ALL {
            let source = self
                .key_sources
                .get(cmd)
                .map(|s| s.to_string())
                .unwrap_or_else(|| "default".to_string());
            v.push((
                format!("keys.{}", cmd.name()),
                self.keymap.label(*cmd),
                source,
            ));
        }
        v
    }
}

/// `$XDG_STATE_HOME/aeo-console` (or its platform equivalent).
pub fn default_log_dir() -> Option<PathBuf> {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("aeo-console"))
}

/// Parses a key the way the config file does (for messages about bindings).
pub fn parse_key(s: &str) -> Result<Binding, String> {
    Binding::parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn each_layer_overrides_the_one_before() {
        let d = tempfile::tempdir().unwrap();
        let system = write(
            d.path(),
            "system.toml",
            "db = \"/srv/aeo/aeo.db\"\nlang = \"en\"\ntheme = \"light\"\noperator = \"desk\"\npane = \"lookup\"\nread_only = true\n",
        );
        let user = write(d.path(), "user.toml", "theme = \"mono\"\n\nlang = \"zh\"\n");
        let env: HashMap<&str, &str> = [("AEO_LANG", "en"), ("AEO_OPERATOR", "alice")].into();
        let flags = Flags {
            operator: Some("bob".into()),
            ..Flags::default()
        };
        let c = Config::resolve(
            &[system.clone(), user.clone(), d.path().join("missing.toml")],
            |k| env.get(k).map(|v| v.to_string()),
            &flags,
        )
        .unwrap();
        // system only
        assert_eq!(c.db.value, Some(PathBuf::from("/srv/aeo/aeo.db")));
        assert_eq!(
            c.db.source,
            Source::File {
                path: system.clone(),
                line: 1
            }
        );
        assert_eq!(c.pane.value, StartPane::Lookup);
        assert!(c.read_only.value);
        // user over system
        assert_eq!(c.theme.value.as_deref(), Some("mono"));
        assert_eq!(c.theme.source.to_string(), format!("{}:1", user.display()));
        // env over the files
        assert_eq!(c.lang.value, Lang::En);
        assert_eq!(c.lang.source, Source::Env("AEO_LANG"));
        // flags over env
        assert_eq!(c.operator.value.as_deref(), Some("bob"));
        assert_eq!(c.operator.source, Source::Flag("operator"));
        // untouched
        assert_eq!(c.office_hours.source, Source::Default);
        assert_eq!(
            c.files.iter().map(|f| f.found).collect::<Vec<_>>(),
            [true, true, false]
        );

        // Without the user file, its values fall back to the system's.
        let c = Config::resolve(std::slice::from_ref(&system), no_env, &Flags::default()).unwrap();
        assert_eq!(c.theme.value.as_deref(), Some("light"));
        assert_eq!(c.lang.value, Lang::En);
        assert_eq!(c.operator.value.as_deref(), Some("desk"));
    }

    #[test]
    fn keys_merge_per_command_across_files() {
        let d = tempfile::tempdir().unwrap();
        let system = write(
            d.path(),
            "s.toml",
            "[keys]\ntake = \"space\"\nquit = \"Q\"\n",
        );
        let user = write(d.path(), "u.toml", "[keys]\nquit = \"ctrl-q\"\n");
        let c =
            Config::resolve(&[system.clone(), user.clone()], no_env, &Flags::default()).unwrap();
        assert_eq!(c.keymap.label(Cmd::Take), "Space");
        assert_eq!(c.keymap.label(Cmd::Quit), "C-q");
        assert_eq!(
            c.key_sources[&Cmd::Take].to_string(),
            format!("{}:2", system.display())
        );
        assert_eq!(
            c.key_sources[&Cmd::Quit].to_string(),
            format!("{}:2", user.display())
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_file_and_line() {
        let p = Path::new("/etc/aeo-console/config.toml");
        let err = |text: &str| {
            let mut c = Config::default();
            format!("{:#}", c.apply_file(text, p).unwrap_err())
        };
        let e = err("lang = \"en\"\n\ncolour = \"red\"\n");
        assert!(
            e.starts_with("/etc/aeo-console/config.toml:3:") && e.contains("colour"),
            "{e}"
        );
        let e = err("theme = \"dark\"\nlang = \"fr\"\n");
        assert!(
            e.starts_with("/etc/aeo-console/config.toml:2: lang:") && e.contains("'fr'"),
            "{e}"
        );
        let e = err("pane = \"inbox\"\n");
        assert!(
            e.starts_with("/etc/aeo-console/config.toml:1: pane:"),
            "{e}"
        );
        let e = err("office_hours = \"17:00-09:00\"\n");
        assert!(e.contains(":1: office_hours:"), "{e}");
        let e = err("[keys]\n\nteke = \"t\"\n");
        assert!(
            e.starts_with("/etc/aeo-console/config.toml:3: [keys] teke:") && e.contains("unknown"),
            "{e}"
        );
        let e = err("[keys]\ntake = \"ctrl-\"\n");
        assert!(e.contains(":2: [keys] take:"), "{e}");
        let e = err("read_only = \"sometimes\"\n");
        assert!(e.starts_with("/etc/aeo-console/config.toml:1:"), "{e}");
    }

    #[test]
    fn a_key_bound_to_two_commands_is_refused_with_its_line() {
        let p = Path::new("/x/config.toml");
        let mut c = Config::default();
        // "d" is decide's default key.
        let e = format!(
            "{:#}",
            c.apply_file("[keys]\nquit = \"Q\"\ntake = \"d\"\n", p)
                .unwrap_err()
        );
        assert!(
            e.starts_with("/x/config.toml:3: [keys] take:") && e.contains("decide"),
            "{e}"
        );
        // Two rebindings in one file to one key: the later line is named.
        let mut c = Config::default();
        let e = format!(
            "{:#}",
            c.apply_file("[keys]\nfinish = \"F\"\ntake = \"F\"\n", p)
                .unwrap_err()
        );
        assert!(e.starts_with("/x/config.toml:3: [keys] take:"), "{e}");
        // Moving decide away first makes "d" free.
        let mut c = Config::default();
        c.apply_file("[keys]\ndecide = \"D\"\ntake = \"d\"\n", p)
            .unwrap();
    }

    #[test]
    fn env_values_are_checked() {
        let bad = |k: &'static str, v: &'static str| {
            let e = Config::resolve(
                &[],
                |key| (key == k).then(|| v.to_string()),
                &Flags::default(),
            )
            .unwrap_err();
            format!("{e:#}")
        };
        assert!(bad("AEO_LANG", "fr").starts_with("AEO_LANG:"));
        assert!(bad("AEO_READ_ONLY", "perhaps").starts_with("AEO_READ_ONLY:"));
        assert!(bad("AEO_OFFICE_HOURS", "9-5").starts_with("AEO_OFFICE_HOURS:"));
        let c = Config::resolve(
            &[],
            |k| (k == "AEO_READ_ONLY").then(|| "yes".to_string()),
            &Flags::default(),
        )
        .unwrap();
        assert!(c.read_only.value);
        assert!(bad("AEO_ASCII", "perhaps").starts_with("AEO_ASCII:"));
        let ascii = |env: Option<&'static str>, flag: bool| {
            let c = Config::resolve(
                &[],
                |k| {
                    (k == "AEO_ASCII")
                        .then(|| env.map(str::to_string))
                        .flatten()
                },
                &Flags {
                    ascii: flag,
                    ..Flags::default()
                },
            )
            .unwrap();
            (c.ascii.value, c.ascii.source.to_string())
        };
        assert_eq!(ascii(None, false), (false, "default".to_string()));
        assert_eq!(ascii(Some("1"), false), (true, "env AEO_ASCII".to_string()));
        assert_eq!(ascii(Some("0"), true), (true, "flag --ascii".to_string()));
    }

    #[test]
    fn the_packaged_sample_config_parses_with_and_without_its_comments() {
        let text = include_str!("../packaging/config.toml");
        let p = Path::new("/etc/aeo-console/config.toml");
        let mut c = Config::default();
        c.apply_file(text, p).unwrap();
        assert_eq!(c.theme.source, Source::Default);
        // Every commented example, switched on, is valid too.
        let on: String = text
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[')
                        || rest.split_once(" = ").is_some_and(|(k, _)| {
                            k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        }) =>
                {
                    rest
                }
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut c = Config::default();
        c.apply_file(&on, p).unwrap();
        assert_eq!(c.db.value, Some(PathBuf::from("/srv/aeo/aeo.db")));
        assert_eq!(c.operator.value.as_deref(), Some("desk-3"));
        assert_eq!(c.keymap.label(Cmd::Take), "Space");
    }
}
