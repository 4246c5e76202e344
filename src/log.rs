//! The log: `tracing` events into one file per day (`aeo.YYYY-MM-DD.log`, Shanghai dates) under
//! `$XDG_STATE_HOME/aeo-console/` or the configured `log_dir`; the last 14 days are kept. The
//! log never goes to the terminal: a console owns the screen, and a CLI's output is for the
//! next tool. When the directory cannot be written, nothing is logged (`aeo doctor` says so).
//!
//! What is logged: start and stop of every command and console, writes refused (read-only
//! seat, a rule), SQL statements slower than a threshold (`AEO_LOG_SLOW_MS`, default 250 ms),
//! errors with their context, and panics.

use crate::config::LogLevel;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How many daily files are kept.
const KEEP_DAYS: usize = 14;

/// A file per Shanghai day, opened on the first line of that day.
struct DailyFile {
    dir: PathBuf,
    current: Option<(String, File)>,
}

impl DailyFile {
    fn name(day: &str) -> String {
        format!("aeo.{day}.log")
    }

    fn file(&mut self) -> std::io::Result<&mut File> {
        let day = crate::calendar::shanghai_date(jiff::Timestamp::now()).to_string();
        if self.current.as_ref().is_none_or(|(d, _)| *d != day) {
            let path = self.dir.join(DailyFile::name(&day));
            let mut o = OpenOptions::new();
            o.create(true).append(true);
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let f = o.open(&path)?;
            self.current = Some((day, f));
            prune(&self.dir);
        }
        Ok(&mut self.current.as_mut().expect("just opened").1)
    }
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file()?.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.current {
            Some((_, f)) => f.flush(),
            None => Ok(()),
        }
    }
}

/// Removes all but the newest `KEEP_DAYS` daily files.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("aeo.") && n.ends_with(".log"))
        })
        .collect();
    logs.sort();
    let excess = logs.len().saturating_sub(KEEP_DAYS);
    for old in &logs[..excess] {
        let _ = std::fs::remove_file(old);
    }
}

/// Shanghai time with milliseconds and offset.
struct ShanghaiTime;

impl tracing_subscriber::fmt::time::FormatTime for ShanghaiTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        let t = crate::calendar::shanghai_datetime(jiff::Timestamp::now());
        // Asia/Shanghai has had no daylight saving time since 1991.
        write!(w, "{}+08:00", t.strftime("%Y-%m-%dT%H:%M:%S%.3f"))
    }
}

/// The directory logs go to: the configured one, else the default state directory.
pub fn directory(configured: Option<&Path>) -> Option<PathBuf> {
    configured
        .map(Path::to_path_buf)
        .or_else(crate::config::default_log_dir)
}

/// Starts logging for this process. Returns the directory when logging is on.
pub fn init(configured: Option<&Path>, level: LogLevel) -> Option<PathBuf> {
    if let Some(ms) = std::env::var("AEO_LOG_SLOW_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        crate::store::set_slow_statement_threshold(Duration::from_millis(ms));
    }
    let filter = match level {
        LogLevel::Off => return None,
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Trace => tracing::Level::TRACE,
    };
    let dir = directory(configured)?;
    if std::fs::create_dir_all(&dir).is_err() {
        return None;
    }
    let mut file = DailyFile {
        dir: dir.clone(),
        current: None,
    };
    // Open now, so that an unwritable directory means no logging rather than lost lines.
    file.file().ok()?;
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_timer(ShanghaiTime)
        .with_target(false)
        .with_max_level(filter)
        .finish();
    tracing::subscriber::set_global_default(subscriber).ok()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "panic");
        previous(info);
    }));
    Some(dir)
}
