//! The operator console: a full-screen terminal UI over the store (ratatui + crossterm).
//! This module owns the terminal and the event loop; `app` owns the state.
//!
//! The loop draws only when something changed: a key, a resize, the 1-second tick moving a
//! clock on screen, or another session's commit (seen through `PRAGMA data_version`).

pub mod app;
pub mod ascii;
pub mod backend;
mod counts;
pub mod export;
pub mod keymap;
pub mod panes;
pub mod popups;
pub mod theme;
pub mod widgets;
mod wrap;

pub use app::{Action, App, PaneId, Session, lookup_rows};

pub use crate::calendar::Clock;

use crate::calendar::WorkingCalendar;
use crate::domain::clearance::OfficeHours;
use crate::domain::measures::MeasureCatalog;
use crate::store::{Access, Store};
use crate::text::Lang;
use anyhow::{Context as _, Result};
use crossterm::event::{Event, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What the console is opened with, resolved once by whoever starts it (the command line).
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub db: PathBuf,
    /// The database was named (--db, AEO_DB) rather than the default path.
    pub db_given: bool,
    pub clock: Clock,
    pub operator: String,
    pub access: Access,
    pub lang: Lang,
    pub office_hours: OfficeHours,
    /// Open on a fresh demo database (in a temporary file unless the database was named).
    pub demo: bool,
    /// Theme name or file (dark when none).
    pub theme: Option<String>,
    /// The keys, as configured.
    pub keymap: keymap::Keymap,
    /// The pane to open on.
    pub pane: crate::config::StartPane,
    /// Borders and symbols in ASCII.
    pub ascii: bool,
}

/// `aeo` without a subcommand: open the console (on a fresh demo database with `--demo`).
pub fn console(opts: ConsoleOptions) -> Result<ExitCode> {
    let support = theme::ColorSupport::detect();
    let theme = theme::Theme::choose(opts.theme.as_deref(), support)?;
    let mut ctx = opts;
    let demo = ctx.demo;
    // A fresh demo database lives in a directory of its own: a random name, created 0700 by
    // mkdir (which never follows a planted link), removed with everything in it on every way
    // out of this function (the TempDir is dropped on return, error, signal and panic).
    let temp_demo = if demo && !ctx.db_given {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("aeo-demo-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .context("cannot create a directory for the demo database")?;
        ctx.db = dir.path().join("demo.db");
        Some(dir)
    } else {
        None
    };
    if demo {
        // A read-only demo seat still needs the data written once.
        let mut store = Store::open(&ctx.db, Access::ReadWrite)?;
        crate::demo::fill(
            &mut store,
            &crate::demo::DemoOptions::default(),
            ctx.clock.now(),
            WorkingCalendar::official(),
            MeasureCatalog::official(),
        )?;
    }
    // A new empty database must never pass for a queue with no work: say so here and in the header.
    let is_url = ctx.db.to_str().is_some_and(crate::store::pg::is_url);
    let new_db = !demo && !is_url && !ctx.db.exists();
    let store = Store::open(&ctx.db, ctx.access)?;
    if new_db {
        eprintln!("{}", new_database_warning(&ctx.db, ctx.lang));
    }
    let session = Session {
        operator: ctx.operator.clone(),
        db_label: crate::store::pg::redacted(&ctx.db.display().to_string()),
        demo: demo || store.is_demo()?,
        read_only: ctx.access == Access::ReadOnly,
        lang: ctx.lang,
        office_hours: ctx.office_hours,
        new_db,
    };
    let mut app = App::new(store, session, ctx.clock, ctx.keymap, theme)?;
    app.ascii = ctx.ascii;
    app.start_on(match ctx.pane {
        crate::config::StartPane::Queue => PaneId::Queue,
        crate::config::StartPane::Calendar => PaneId::Calendar,
        crate::config::StartPane::Approvals => PaneId::Approvals,
        crate::config::StartPane::Lookup => PaneId::Lookup,
        crate::config::StartPane::Today => PaneId::Today,
    });
    let result = run(app);
    // Before the error (if any) is printed: the demo directory goes on every way out.
    drop(temp_demo);
    result
}

fn run(mut app: App) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the event loop")?;
    // ratatui::try_init enters raw mode and the alternate screen (no mouse capture), and
    // installs a panic hook that restores the terminal before the panic message.
    ratatui::try_init().context("cannot set up the terminal")?;
    // A paste arrives as one event, not as keys that could act.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let mut terminal = ratatui::Terminal::new(backend::SlimBackend::new(std::io::stdout()))
        .context("cannot set up the terminal")?;
    app.debounce = Some(QUERY_PAUSE);
    let result = rt.block_on(event_loop(&mut terminal, &mut app));
    match result {
        // The terminal is gone (SSH dropped): nothing can be restored or printed there. Every
        // change ran to its commit before the loop looked at the signal, so nothing is in flight.
        Ok(End::HangUp) => {
            // Dropping the terminal would try to show the cursor on the dead one (and report
            // the failure on it): let it go without a word.
            std::mem::forget(terminal);
            Ok(ExitCode::SUCCESS)
        }
        Ok(End::Quit) => {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
            let _ = ratatui::try_restore();
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
            let _ = ratatui::try_restore();
            Err(e)
        }
    }
}

/// Keys closer together than this are one burst (a paste, a held key): drawn once.
const FOLLOWING_KEY: Duration = Duration::from_millis(3);
/// A burst is still drawn this often, so the screen follows a long paste.
const FRAME_EVERY: Duration = Duration::from_millis(100);

/// Typed queries run after this pause in typing, so a paste or fast typing runs one query.
const QUERY_PAUSE: Duration = Duration::from_millis(150);

/// The terminal the console draws on.
pub type Console<W> = ratatui::Terminal<backend::SlimBackend<W>>;

/// How the event loop ended.
enum End {
    /// The operator quit, or asked the console to stop (SIGTERM, Ctrl-C).
    Quit,
    /// The terminal went away: SIGHUP, end of input, or writes to it failing.
    HangUp,
}

/// The console is writing to a terminal that no longer exists (EIO on a hung-up pty, EPIPE).
fn terminal_gone(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof
            ) || io.raw_os_error() == Some(nix::libc::EIO)
                || io.raw_os_error() == Some(nix::libc::ENXIO)
        })
    })
}

/// The terminal is the other end of this process's standard input: gone when it hung up.
fn hung_up() -> bool {
    use std::os::fd::AsFd;
    let fd = std::io::stdin();
    let mut fds = [nix::poll::PollFd::new(
        fd.as_fd(),
        nix::poll::PollFlags::empty(),
    )];
    matches!(nix::poll::poll(&mut fds, nix::poll::PollTimeout::ZERO), Ok(n) if n > 0)
        && fds[0]
            .revents()
            .is_some_and(|r| r.intersects(nix::poll::PollFlags::POLLHUP))
}

async fn event_loop(terminal: &mut Console<std::io::Stdout>, app: &mut App) -> Result<End> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut events = terminal_events();
    let counted = app.counter.ready();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    let mut dirty = true;
    // A failed write to the terminal ends the loop quietly when the terminal is gone.
    let gone = |e: anyhow::Error| -> Result<End> {
        if terminal_gone(&e) || hung_up() {
            Ok(End::HangUp)
        } else {
            Err(e)
        }
    };
    loop {
        if let Some(text) = app.take_clipboard()
            && let Err(e) = copy_osc52(&text)
        {
            return gone(e);
        }
        if app.quit {
            return Ok(End::Quit);
        }
        if app.suspend {
            app.suspend = false;
            suspend(terminal)?;
            dirty = true;
        }
        if app.repaint {
            app.repaint = false;
            terminal.clear()?;
            dirty = true;
        }
        if dirty {
            if let Err(e) = draw(terminal, app) {
                return gone(e);
            }
            dirty = false;
        }
        let due = app.query_due.map(tokio::time::Instant::from_std);
        tokio::select! {
            ev = events.recv() => {
                let mut ev = ev;
                // Take the events that follow closely before drawing: a paste typed as keys
                // costs a frame every FRAME_EVERY, not one per character.
                let batch = std::time::Instant::now();
                loop {
                    match ev {
                        Some(Ok(e)) => on_event(app, e),
                        Some(Err(e)) => return gone(e),
                        None => return Ok(End::HangUp),
                    }
                    if app.quit || app.suspend || batch.elapsed() > FRAME_EVERY {
                        break;
                    }
                    match tokio::time::timeout(FOLLOWING_KEY, events.recv()).await {
                        Ok(next) => ev = next,
                        Err(_) => break,
                    }
                }
                dirty = true;
            },
            _ = sleep_until_due(due), if due.is_some() => {
                app.run_due_query();
                dirty = true;
            }
            _ = counted.notified() => {
                dirty |= app.take_tab_counts();
            }
            _ = tick.tick() => {
                if hung_up() {
                    return Ok(End::HangUp);
                }
                dirty |= app.on_tick();
            }
            _ = hangup.recv() => return Ok(End::HangUp),
            _ = terminate.recv() => return Ok(End::Quit),
            _ = interrupt.recv() => return Ok(End::Quit),
        }
    }
}

/// The terminal's events, read by a thread of their own: every byte typed or pasted is read
/// as soon as it arrives, however the loop is busy.
fn terminal_events() -> tokio::sync::mpsc::UnboundedReceiver<Result<Event>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        loop {
            let ev = crossterm::event::read().map_err(anyhow::Error::from);
            let failed = ev.is_err();
            if tx.send(ev).is_err() || failed {
                break;
            }
        }
    });
    rx
}

fn on_event(app: &mut App, e: Event) {
    match e {
        Event::Key(k) if k.kind != KeyEventKind::Release => app.on_key(k),
        Event::Paste(text) => app.on_paste(&text),
        Event::Resize(w, h) => app.resize(w, h),
        _ => {}
    }
}

async fn sleep_until_due(due: Option<tokio::time::Instant>) {
    if let Some(at) = due {
        tokio::time::sleep_until(at).await;
    }
}

/// Ctrl-Z: gives the terminal back to the shell, stops, and on `fg` takes it again and
/// repaints everything.
fn suspend<W: Write>(terminal: &mut Console<W>) -> Result<()> {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    // SIGTSTP's default action stops the process here, until SIGCONT (`fg`).
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP)?;
    crossterm::terminal::enable_raw_mode().context("cannot set up the terminal again")?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    terminal.clear()?;
    Ok(())
}

/// One frame, wrapped in a synchronized update so a slow link never shows half of it.
pub fn draw<W: Write>(terminal: &mut Console<W>, app: &App) -> Result<()> {
    crossterm::queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| app.draw(f))?;
    crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}

/// Puts `text` on the local clipboard through OSC 52 (works across SSH; tmux passes it on
/// with `set-clipboard on`).
fn copy_osc52(text: &str) -> Result<()> {
    crossterm::execute!(
        std::io::stdout(),
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod safety_tests;

/// What `aeo` says when it created the database it was asked to open.
fn new_database_warning(db: &std::path::Path, lang: Lang) -> String {
    let db = crate::text::inert(&db.display().to_string());
    lang.pick(&format!(
            "aeo: 注意：数据库 {db} 原先不存在，已新建一个空数据库。若应使用已有数据库，请用 --db PATH 或 AEO_DB 指定。"
        ), &format!(
            "aeo: note: database {db} did not exist; a new empty database was created. To use an existing one, pass --db PATH or set AEO_DB."
        )).to_string()
}
