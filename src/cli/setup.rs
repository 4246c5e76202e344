//! Installing and running a seat: `aeo config`, `aeo doctor`, `aeo completions`, `aeo man`.

use super::output::{ListFormat, ListOutput, print_rows};
use super::{Context, Global};
use crate::config::{Config, Source};
use crate::text::{Lang, tr};
use anyhow::{Context as _, Result};
use clap::Args;
use clap_complete::Shell;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub out: ListOutput,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Print the checks as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct CopyArgs {
    /// The database to copy: a file or a postgres:// URL [default: --db / AEO_DB]
    #[arg(long, value_name = "PATH|URL")]
    pub from: Option<PathBuf>,
    /// The empty database to copy into: a file or a postgres:// URL
    #[arg(long, value_name = "PATH|URL")]
    pub to: PathBuf,
    /// Print the tables copied as JSON
    #[arg(long)]
    pub json: bool,
}

/// `aeo copy`: the whole database, audit trail included, into an empty one of either backend;
/// one transaction, verified table by table (count and checksum) before it commits.
pub fn copy(ctx: &Context, a: &CopyArgs) -> Result<ExitCode> {
    use crate::store::{Access, Store, pg::redacted};
    let from = a.from.clone().unwrap_or_else(|| ctx.db.clone());
    let shown = |p: &Path| redacted(&p.display().to_string());
    let source = Store::open(&from, Access::ReadOnly)?;
    let mut target = Store::open(&a.to, Access::ReadWrite)?;
    let tables = target.copy_from(&source)?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&tables)?);
        return Ok(ExitCode::SUCCESS);
    }
    let lang = ctx.lang;
    for t in &tables {
        outln!("{:<24} {:>10}  {}", t.table, t.rows, &t.checksum[..16]);
    }
    let rows: u64 = tables.iter().map(|t| t.rows).sum();
    outln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "已复制 {rows} 行（{} 张表）：{} → {}；各表行数与校验和一致",
                tables.len(),
                shown(&from),
                shown(&a.to)
            ),
            Lang::En => format!(
                "copied {rows} rows in {} tables: {} → {}; every table's count and checksum match",
                tables.len(),
                shown(&from),
                shown(&a.to)
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// bash, zsh or fish (also elvish, powershell)
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write aeo.1 and one page per command (aeo-queue.1, ...) into this directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Serialize)]
struct ConfigEntry {
    key: String,
    value: String,
    source: String,
}

/// `aeo config`: every setting, its value and where it came from.
pub fn config(ctx: &Context, a: &ConfigArgs) -> Result<ExitCode> {
    let c = &ctx.config;
    let entries: Vec<ConfigEntry> = c
        .entries()
        .into_iter()
        .map(|(key, value, source)| ConfigEntry { key, value, source })
        .collect();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.key.clone(),
                crate::text::inert(&e.value),
                crate::text::inert(&e.source),
            ]
        })
        .collect();
    if a.out.format() == ListFormat::Json {
        #[derive(Serialize)]
        struct Json<'a> {
            settings: &'a [ConfigEntry],
            files: &'a [crate::config::FileSeen],
        }
        return super::output::print_json(&Json {
            settings: &entries,
            files: &c.files,
        });
    }
    let lang = ctx.lang;
    print_rows(
        a.out.format(),
        &[
            tr(lang, "设置", "key"),
            tr(lang, "值", "value"),
            tr(lang, "来源", "source"),
        ],
        &rows,
    )?;
    if a.out.is_table() {
        for f in &c.files {
            outln!(
                "{} {} ({})",
                tr(lang, "配置文件", "config file"),
                crate::text::inert(&f.path.display().to_string()),
                if f.found {
                    tr(lang, "已读取", "read")
                } else {
                    tr(lang, "不存在", "not present")
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `aeo completions SHELL`.
pub fn completions(a: &CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = super::command();
    clap_complete::generate(a.shell, &mut cmd, "aeo", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// `aeo man [--dir DIR]`.
pub fn man(a: &ManArgs) -> Result<ExitCode> {
    let cmd = super::command();
    match &a.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
        }
        None => {
            clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub level: Level,
    pub what: &'static str,
    pub detail: String,
}

/// Checks a seat. Pure of output: `doctor` prints what this returns.
pub struct Doctor {
    lang: Lang,
    pub checks: Vec<Check>,
}

impl Doctor {
    fn push(&mut self, level: Level, what: (&'static str, &'static str), detail: String) {
        self.checks.push(Check {
            level,
            what: tr(self.lang, what.0, what.1),
            detail,
        });
    }

    fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        tr(self.lang, zh, en)
    }
}

/// `aeo doctor`: one line per check, ok / warn / fail; exit 1 on any fail.
pub fn doctor(g: &Global, a: &DoctorArgs) -> Result<ExitCode> {
    let flags = g.flags();
    let files = Config::standard_files();
    let lang_guess = flags.lang.unwrap_or(Lang::Zh);
    let mut d = Doctor {
        lang: lang_guess,
        checks: Vec::new(),
    };
    // Config files, one by one, so each gets its own verdict.
    let mut layered = Config::default();
    for path in &files {
        if !path.is_file() {
            d.push(
                Level::Ok,
                ("配置文件", "config file"),
                format!(
                    "{}: {}",
                    path.display(),
                    d.t("不存在（可选）", "not present (optional)")
                ),
            );
            continue;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                d.push(
                    Level::Fail,
                    ("配置文件", "config file"),
                    format!("{}: {e}", path.display()),
                );
                continue;
            }
        };
        let mut trial = layered.clone();
        match trial.apply_file(&text, path) {
            Ok(()) => {
                layered = trial;
                d.push(
                    Level::Ok,
                    ("配置文件", "config file"),
                    format!("{}: {}", path.display(), d.t("有效", "valid")),
                );
            }
            Err(e) => d.push(Level::Fail, ("配置文件", "config file"), format!("{e:#}")),
        }
    }
    // Go on with what could be read, so one bad file does not hide the other checks.
    let config = match Config::resolve(
        &files
            .iter()
            .filter(|p| {
                p.is_file()
                    && std::fs::read_to_string(p)
                        .ok()
                        .is_some_and(|t| Config::default().apply_file(&t, p).is_ok())
            })
            .cloned()
            .collect::<Vec<_>>(),
        |k| std::env::var(k).ok(),
        &flags,
    ) {
        Ok(c) => c,
        Err(e) => {
            d.push(Level::Fail, ("环境变量", "environment"), format!("{e:#}"));
            Config::resolve(&[], |_| None, &flags)?
        }
    };
    d.lang = config.lang.value;
    let now = match &g.now {
        Some(s) => crate::calendar::parse_instant(s).context("--now / AEO_NOW")?,
        None => jiff::Timestamp::now(),
    };
    check_database(&mut d, &config);
    check_holidays(&mut d, now);
    check_terminal(&mut d);
    check_theme(&mut d, &config);
    check_log_dir(&mut d, &config);

    let failed = d.checks.iter().any(|c| c.level == Level::Fail);
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&d.checks)?);
    } else {
        let mark = |l: Level| match l {
            Level::Ok => "ok  ",
            Level::Warn => "warn",
            Level::Fail => "FAIL",
        };
        let wid = d
            .checks
            .iter()
            .map(|c| crate::text::width(c.what))
            .max()
            .unwrap_or(0);
        for c in &d.checks {
            let pad = wid - crate::text::width(c.what);
            outln!(
                "[{}] {}{} {}",
                mark(c.level),
                c.what,
                " ".repeat(pad),
                crate::text::inert(&c.detail)
            );
        }
        let (w, f) = (
            d.checks.iter().filter(|c| c.level == Level::Warn).count(),
            d.checks.iter().filter(|c| c.level == Level::Fail).count(),
        );
        outln!(
            "{}",
            d.lang
                .pick(
                    &format!("{} 项检查：{w} 项警告，{f} 项失败", d.checks.len()),
                    &format!("{} checks: {w} warnings, {f} failures", d.checks.len())
                )
                .to_string()
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn check_database(d: &mut Doctor, config: &Config) {
    let db = match &config.db.value {
        Some(p) => p.clone(),
        None => match crate::store::default_path() {
            Ok(p) => p,
            Err(e) => {
                d.push(
                    Level::Fail,
                    ("数据库路径", "database path"),
                    format!("{e:#}"),
                );
                return;
            }
        },
    };
    let shown = crate::store::pg::redacted(&db.display().to_string());
    let source = match &config.db.source {
        Source::Default => d.t("默认路径", "default path").to_string(),
        s => s.to_string(),
    };
    if crate::store::pg::is_url(&shown) {
        return check_pg_database(d, &db, &shown, &source);
    }
    if !db.is_file() {
        d.push(
            Level::Fail,
            ("数据库路径", "database path"),
            d.lang.pick(&format!(
                    "{shown}（{source}）不存在：用 --db 或 AEO_DB 指定已有数据库，或运行 `aeo init` 新建"
                ), &format!(
                    "{shown} ({source}) does not exist: pass --db or set AEO_DB to an existing database, or run `aeo init`"
                )).to_string(),
        );
        return;
    }
    d.push(
        Level::Ok,
        ("数据库路径", "database path"),
        format!("{shown} ({source})"),
    );
    check_modes(d, &db);
    match crate::store::inspect(&db) {
        Err(e) => d.push(
            Level::Fail,
            ("数据库结构版本", "schema version"),
            format!("{e:#}"),
        ),
        Ok(h) => {
            let want = crate::store::SCHEMA_VERSION;
            let v = h.schema_version;
            let (level, detail) = if v == want {
                (Level::Ok, format!("{v}"))
            } else if v > want {
                (
                    Level::Fail,
                    d.lang
                        .pick(
                            &format!("{v}，比本程序（{want}）新：请用新版 aeo"),
                            &format!("{v}, newer than this aeo ({want}): use a newer aeo"),
                        )
                        .to_string(),
                )
            } else {
                (
                    Level::Warn,
                    d.lang
                        .pick(
                            &format!("{v}，比本程序（{want}）旧：运行 `aeo init` 升级"),
                            &format!("{v}, older than this aeo ({want}): `aeo init` upgrades it"),
                        )
                        .to_string(),
                )
            };
            d.push(level, ("数据库结构版本", "schema version"), detail);
            let wal = h.journal_mode.eq_ignore_ascii_case("wal");
            d.push(
                if wal { Level::Ok } else { Level::Warn },
                ("WAL 日志模式", "WAL"),
                if wal {
                    "journal_mode=wal".to_string()
                } else {
                    d.lang
                        .pick(
                            &format!(
                                "journal_mode={}：多人共用时应为 wal（`aeo init` 会设置）",
                                h.journal_mode
                            ),
                            &format!(
                                "journal_mode={}: a shared seat needs wal (`aeo init` sets it)",
                                h.journal_mode
                            ),
                        )
                        .to_string()
                },
            );
            let sound = h.quick_check == "ok";
            d.push(
                if sound { Level::Ok } else { Level::Fail },
                ("完整性快速检查", "integrity (quick_check)"),
                h.quick_check,
            );
        }
    }
    if let Some(dir) = db.parent() {
        check_disk(d, dir);
    }
}

/// A PostgreSQL database: reachable, its server's version, its schema version (no file modes,
/// journal or disk: the server keeps those).
fn check_pg_database(d: &mut Doctor, db: &Path, shown: &str, source: &str) {
    match crate::store::inspect(db) {
        Err(e) => d.push(
            Level::Fail,
            ("数据库连接", "database connection"),
            format!("{shown} ({source}): {e:#}"),
        ),
        Ok(h) => {
            d.push(
                Level::Ok,
                ("数据库连接", "database connection"),
                format!("{shown} ({source}): {}", h.journal_mode),
            );
            let want = crate::store::SCHEMA_VERSION;
            let v = h.schema_version;
            let level = match v.cmp(&want) {
                std::cmp::Ordering::Equal => Level::Ok,
                std::cmp::Ordering::Greater => Level::Fail,
                std::cmp::Ordering::Less => Level::Warn,
            };
            d.push(
                level,
                ("数据库结构版本", "schema version"),
                format!("{v} ({want})"),
            );
        }
    }
}

/// The group's name, from /etc/group.
fn group_name(gid: u32) -> String {
    std::fs::read_to_string("/etc/group")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == gid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| gid.to_string())
}

/// File and directory modes: private (0600/0700) for one user, or 0660 with a group and a
/// setgid 2770 directory for a shared seat (README, "Many operators, one database").
fn check_modes(d: &mut Doctor, db: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(db) else {
        return;
    };
    let mode = meta.mode() & 0o7777;
    let group = group_name(meta.gid());
    let what = ("文件权限", "file mode");
    let shown = format!("{:04o} {}", mode, db.display());
    if mode & 0o007 != 0 {
        d.push(
            Level::Fail,
            what,
            d.lang.pick(&format!("{shown}：其他用户可访问；单人用 chmod 600，共用席位用 chmod 660 并设组"), &format!(
                    "{shown}: other users can access it; chmod 600 for one user, or 660 with a group for a shared seat"
                )).to_string(),
        );
    } else if mode & 0o060 == 0o060 {
        d.push(
            Level::Ok,
            what,
            d.lang
                .pick(
                    &format!("{shown}：共用席位，组 {group} 可读写"),
                    &format!("{shown}: shared seat, group {group} reads and writes"),
                )
                .to_string(),
        );
    } else if mode & 0o070 != 0 {
        d.push(
            Level::Warn,
            what,
            d.lang
                .pick(
                    &format!("{shown}：组 {group} 只有部分权限；共用席位需要 chmod 660"),
                    &format!(
                        "{shown}: group {group} has partial access; a shared seat needs chmod 660"
                    ),
                )
                .to_string(),
        );
    } else {
        d.push(
            Level::Ok,
            what,
            d.lang.pick(&format!("{shown}：仅本用户（共用席位见 README：chgrp 后 chmod 660）"), &format!(
                    "{shown}: this user only (for a shared seat see README: chgrp, then chmod 660)"
                )).to_string(),
        );
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(m) = std::fs::metadata(&side)
            && (m.mode() & 0o777 != mode & 0o777 || m.gid() != meta.gid())
        {
            d.push(
                Level::Warn,
                what,
                d.lang.pick(&format!(
                        "{:04o} {}：与数据库的权限或组不同，其他操作员可能无法写入",
                        m.mode() & 0o7777,
                        side.display()
                    ), &format!(
                        "{:04o} {}: mode or group differs from the database; other operators may be unable to write",
                        m.mode() & 0o7777,
                        side.display()
                    )).to_string(),
            );
        }
    }
    let Some(dir) = db.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return;
    };
    let Ok(dm) = std::fs::metadata(dir) else {
        return;
    };
    let dmode = dm.mode() & 0o7777;
    let shown = format!("{:04o} {}", dmode, dir.display());
    let what = ("目录权限", "directory mode");
    let shared = mode & 0o060 == 0o060;
    if shared && (dmode & 0o2070 != 0o2070) {
        d.push(
            Level::Warn,
            what,
            d.lang.pick(&format!("{shown}：共用席位的目录应为 2770（组可写并 setgid），否则 -wal/-shm 文件的组会不对"), &format!(
                    "{shown}: a shared seat's directory should be 2770 (group-writable, setgid) or the -wal/-shm files get the wrong group"
                )).to_string(),
        );
    } else if dmode & 0o002 != 0 && dmode & 0o1000 == 0 {
        d.push(
            Level::Fail,
            what,
            d.lang
                .pick(
                    &format!("{shown}：任何用户都可在此目录中删除或替换数据库"),
                    &format!("{shown}: any user can delete or replace the database here"),
                )
                .to_string(),
        );
    } else {
        d.push(Level::Ok, what, shown);
    }
}

fn check_disk(d: &mut Doctor, dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Some(free) = free_bytes(dir) else {
        d.push(
            Level::Warn,
            ("磁盘剩余空间", "free disk"),
            format!("{}: ?", dir.display()),
        );
        return;
    };
    let mib = free / (1024 * 1024);
    let level = if mib < 100 {
        Level::Fail
    } else if mib < 1024 {
        Level::Warn
    } else {
        Level::Ok
    };
    d.push(
        level,
        ("磁盘剩余空间", "free disk"),
        format!("{} MiB ({})", mib, dir.display()),
    );
}

fn free_bytes(dir: &Path) -> Option<u64> {
    let st = nix::sys::statvfs::statvfs(dir).ok()?;
    Some(st.blocks_available() as u64 * st.fragment_size() as u64)
}

/// The holiday years embedded, and from 1 December a warning when next year's file is missing.
fn check_holidays(d: &mut Doctor, now: jiff::Timestamp) {
    let cal = crate::calendar::WorkingCalendar::official();
    let years = cal.known_years();
    let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let today = crate::calendar::shanghai_date(now);
    let what = ("节假日数据", "holiday data");
    if !cal.has_year(today.year()) {
        d.push(
            Level::Warn,
            what,
            d.lang
                .pick(
                    &format!(
                        "内置 {}；缺少今年（{}）：{}，需升级 aeo",
                        list.join("、"),
                        today.year(),
                        crate::calendar::unknown_year_flag(Lang::Zh)
                    ),
                    &format!(
                        "embedded {}; this year ({}) is missing: {}; upgrade aeo",
                        list.join(", "),
                        today.year(),
                        crate::calendar::unknown_year_flag(Lang::En)
                    ),
                )
                .to_string(),
        );
    } else if today.month() == 12 && !cal.has_year(today.year() + 1) {
        d.push(
            Level::Warn,
            what,
            d.lang.pick(&format!(
                    "内置 {}；缺少明年（{}）：国务院公布后请升级 aeo（data/holidays/{}.toml）",
                    list.join("、"),
                    today.year() + 1,
                    today.year() + 1
                ), &format!(
                    "embedded {}; next year ({}) is missing: upgrade aeo once the State Council publishes it (data/holidays/{}.toml)",
                    list.join(", "),
                    today.year() + 1,
                    today.year() + 1
                )).to_string(),
        );
    } else {
        d.push(Level::Ok, what, list.join(", "));
    }
}

fn check_terminal(d: &mut Doctor) {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match var("TERM") {
        None => d.push(
            Level::Warn,
            ("终端类型", "terminal (TERM)"),
            d.t("未设置 TERM", "TERM is not set").to_string(),
        ),
        Some(t) if t == "dumb" => d.push(
            Level::Warn,
            ("终端类型", "terminal (TERM)"),
            d.t(
                "TERM=dumb：控制台无法绘制",
                "TERM=dumb: the console cannot draw",
            )
            .to_string(),
        ),
        Some(t) => d.push(Level::Ok, ("终端类型", "terminal (TERM)"), t),
    }
    let colours = match crate::tui::theme::ColorSupport::detect() {
        crate::tui::theme::ColorSupport::TrueColor => "truecolor (COLORTERM)",
        crate::tui::theme::ColorSupport::Palette256 => d.t(
            "256 色（SSH 不转发 COLORTERM，属正常）",
            "256 colours (SSH does not forward COLORTERM; fine)",
        ),
        crate::tui::theme::ColorSupport::Palette16 => d.t(
            "16 色（TERM=linux/screen）：主题换用最接近的 16 色",
            "16 colours (TERM=linux/screen): themes use the nearest of the 16",
        ),
        crate::tui::theme::ColorSupport::None => d.t(
            "无颜色（NO_COLOR）：mono 主题",
            "no colour (NO_COLOR): mono theme",
        ),
    };
    d.push(Level::Ok, ("颜色", "colours"), colours.to_string());
    let locale = var("LC_ALL")
        .or_else(|| var("LC_CTYPE"))
        .or_else(|| var("LANG"));
    let utf8 = locale.as_deref().is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    });
    d.push(
        if utf8 { Level::Ok } else { Level::Warn },
        ("UTF-8 区域设置", "UTF-8 locale"),
        if utf8 {
            locale.unwrap_or_default()
        } else {
            d.lang
                .pick(
                    &format!(
                        "{}：中文需要 UTF-8 区域设置（如 LANG=C.UTF-8）",
                        locale.as_deref().unwrap_or("(未设置)")
                    ),
                    &format!(
                        "{}: Chinese text needs a UTF-8 locale (e.g. LANG=C.UTF-8)",
                        locale.as_deref().unwrap_or("(not set)")
                    ),
                )
                .to_string()
        },
    );
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        match crossterm::terminal::size() {
            Ok((w, h)) if w >= 80 && h >= 24 => {
                d.push(Level::Ok, ("终端大小", "terminal size"), format!("{w}x{h}"))
            }
            Ok((w, h)) => d.push(
                Level::Warn,
                ("终端大小", "terminal size"),
                d.lang
                    .pick(
                        &format!("{w}x{h}：控制台至少需要 80x24"),
                        &format!("{w}x{h}: the console needs at least 80x24"),
                    )
                    .to_string(),
            ),
            Err(e) => d.push(Level::Warn, ("终端大小", "terminal size"), e.to_string()),
        }
    } else {
        d.push(
            Level::Ok,
            ("终端大小", "terminal size"),
            d.t(
                "标准输出不是终端：未检查",
                "standard output is not a terminal: not checked",
            )
            .to_string(),
        );
    }
}

/// The configured theme loads; where theme names are looked for and what they find.
fn check_theme(d: &mut Doctor, config: &Config) {
    use crate::tui::theme::{ColorSupport, Theme, available, theme_dirs};
    let name = config.theme.value.clone().unwrap_or_else(|| "dark".into());
    let dirs: Vec<String> = theme_dirs()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let themes = available();
    let from = themes
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, from)| from.clone())
        .unwrap_or_else(|| name.clone());
    let found: Vec<String> = themes
        .into_iter()
        .map(|(n, from)| {
            if from == "built-in" {
                n
            } else {
                format!("{n} ({from})")
            }
        })
        .collect();
    let verdict = match Theme::resolve(&name, ColorSupport::TrueColor) {
        Ok(_) => format!("{name} ({}): {from}", config.theme.source),
        Err(e) => {
            // The error names the directories and the themes already.
            let detail = format!("{e:#} ({})", config.theme.source);
            return d.push(Level::Fail, ("主题", "theme"), detail);
        }
    };
    let detail = d.lang.pick(&format!(
            "{verdict}；按名称依次查找 {}/NAME.toml，再用内置主题；可用：{}",
            dirs.join("/NAME.toml、"),
            found.join("、")
        ), &format!(
            "{verdict}; a name is looked for as {}/NAME.toml, then among the built-in themes; available: {}",
            dirs.join("/NAME.toml, "),
            found.join(", ")
        )).to_string();
    d.push(Level::Ok, ("主题", "theme"), detail);
}

fn check_log_dir(d: &mut Doctor, config: &Config) {
    let dir = config
        .log_dir
        .value
        .clone()
        .or_else(crate::config::default_log_dir);
    let what = ("日志目录", "log directory");
    match dir {
        None => d.push(
            Level::Warn,
            what,
            d.t(
                "找不到日志目录：不写日志",
                "no log directory: nothing is logged",
            )
            .to_string(),
        ),
        Some(dir) => {
            let probe = dir.join(format!(".doctor-{}", std::process::id()));
            let ok = std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&probe, b"").is_ok();
            let _ = std::fs::remove_file(&probe);
            d.push(
                if ok { Level::Ok } else { Level::Warn },
                what,
                if ok {
                    dir.display().to_string()
                } else {
                    d.lang
                        .pick(
                            &format!("{}：无法写入，日志将丢失", dir.display()),
                            &format!("{}: not writable, logs are lost", dir.display()),
                        )
                        .to_string()
                },
            );
        }
    }
}
