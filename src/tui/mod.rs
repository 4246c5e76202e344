//! The operator console: a full-screen terminal UI over the store (ratatui + crossterm).
//! This module owns the terminal and the event loop; `app` owns the state.
//!
//! The loop draws only when something changed: a key, a resize, the 1-second tick moving a
//! clock on screen, or another session's commit (seen through `PRAGMA data_version`).

pub mod app;
pub mod backend;
mod format;
pub mod keymap;
pub mod panes;
pub mod popups;
pub mod theme;
pub mod widgets;
mod wrap;

pub use app::{Action, App, PaneId, Session};

use crate::calendar::WorkingCalendar;
use crate::cli::Context;
use crate::domain::measures::MeasureCatalog;
use crate::store::{Access, Store};
use anyhow::{Context as _, Result};
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use jiff::Timestamp;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use stream_next::StreamNext;

/// Where "now" comes from: frozen for tests and demos (`--now`, AEO_NOW), else the system.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    Frozen(Timestamp),
    System,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::Frozen(t) => *t,
            Clock::System => Timestamp::now(),
        }
    }
}

/// `aeo` without a subcommand: open the console (on a fresh demo database with `--demo`).
pub fn console(ctx: &Context, demo: bool) -> Result<ExitCode> {
    let config = ctx.config.clone();
    let support = theme::ColorSupport::detect();
    let theme = theme::Theme::choose(config.theme.value.as_deref(), support)?;
    let mut ctx = ctx.clone();
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
            ctx.now,
            WorkingCalendar::official(),
            MeasureCatalog::official(),
        )?;
    }
    // A new empty database must never pass for a queue with no work: say so here and in the header.
    let new_db = !demo && !ctx.db.exists();
    let store = ctx.open()?;
    if new_db {
        eprintln!("{}", crate::cli::new_database_warning(&ctx.db, ctx.lang));
    }
    let clock = if ctx.now_frozen {
        Clock::Frozen(ctx.now)
    } else {
        Clock::System
    };
    let session = Session {
        operator: ctx.operator.clone(),
        db_label: ctx.db.display().to_string(),
        demo,
        read_only: ctx.access == Access::ReadOnly,
        lang: ctx.lang,
        new_db,
    };
    let mut app = App::new(store, session, clock, config.keymap.clone(), theme)?;
    app.pane = match config.pane.value {
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
