//! The operator console: a full-screen terminal UI over the store (ratatui + crossterm).
//! This module owns the terminal and the event loop; `app` owns the state.
//!
//! The loop draws only when something changed: a key, a resize, the 1-second tick moving a
//! clock on screen, or another session's commit (seen through `PRAGMA data_version`).

pub mod app;
pub mod backend;
pub mod keymap;
pub mod panes;
pub mod popups;
pub mod theme;
pub mod widgets;
mod wrap;

pub use app::{Action, App, PaneId, Session};

pub use crate::calendar::Clock;

use crate::calendar::WorkingCalendar;
use crate::domain::clearance::OfficeHours;
use crate::domain::measures::MeasureCatalog;
use crate::store::{Access, Store};
use crate::text::Lang;
use anyhow::{Context as _, Result};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use stream_next::StreamNext;

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
}

/// `aeo` without a subcommand: open the console (on a fresh demo database with `--demo`).
pub fn console(opts: ConsoleOptions) -> Result<ExitCode> {
    let support = theme::ColorSupport::detect();
    let theme = theme::Theme::choose(opts.theme.as_deref(), support)?;
    let mut ctx = opts;
    let demo = ctx.demo;
    let mut temp_demo = None;
    if demo && !ctx.db_given {
        let dir = std::env::temp_dir().join(format!("aeo-demo-{}", std::process::id()));
        let path = dir.join("demo.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        ctx.db = path;
        temp_demo = Some(dir);
    }
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
    let new_db = !demo && !ctx.db.exists();
    let store = Store::open(&ctx.db, ctx.access)?;
    if new_db {
        eprintln!("{}", crate::cli::new_database_warning(&ctx.db, ctx.lang));
    }
    let session = Session {
        operator: ctx.operator.clone(),
        db_label: ctx.db.display().to_string(),
        demo,
        read_only: ctx.access == Access::ReadOnly,
        lang: ctx.lang,
        office_hours: ctx.office_hours,
        new_db,
    };
    let mut app = App::new(store, session, ctx.clock, ctx.keymap, theme)?;
    app.pane = match ctx.pane {
        crate::config::StartPane::Queue => PaneId::Queue,
        crate::config::StartPane::Calendar => PaneId::Calendar,
        crate::config::StartPane::Approvals => PaneId::Approvals,
        crate::config::StartPane::Lookup => PaneId::Lookup,
    };
    let result = run(app);
    if let Some(dir) = temp_demo {
        let _ = std::fs::remove_dir_all(dir);
    }
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
    let mut terminal = ratatui::Terminal::new(backend::SlimBackend::new(std::io::stdout()))
        .context("cannot set up the terminal")?;
    let result = rt.block_on(event_loop(&mut terminal, &mut app));
    ratatui::restore();
    result.map(|()| ExitCode::SUCCESS)
}

/// The terminal the console draws on.
pub type Console<W> = ratatui::Terminal<backend::SlimBackend<W>>;

async fn event_loop(terminal: &mut Console<std::io::Stdout>, app: &mut App) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    app.resize(size.width, size.height);
    let mut dirty = true;
    loop {
        if let Some(text) = app.take_clipboard() {
            copy_osc52(&text)?;
        }
        if app.quit {
            return Ok(());
        }
        if dirty {
            draw(terminal, app)?;
            dirty = false;
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    app.on_key(k);
                    dirty = true;
                }
                Some(Ok(Event::Resize(w, h))) => {
                    app.resize(w, h);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            _ = tick.tick() => dirty |= app.on_tick(),
            _ = hangup.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
            _ = interrupt.recv() => return Ok(()),
        }
    }
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

/// Awaiting the next item of a stream (the one helper we need from a stream utility crate).
mod stream_next {
    use std::future::poll_fn;
    use std::pin::Pin;

    pub trait StreamNext: futures_core::Stream + Unpin {
        async fn next(&mut self) -> Option<Self::Item> {
            poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
        }
    }
    impl<S: futures_core::Stream + Unpin> StreamNext for S {}
}

#[cfg(test)]
mod tests;
