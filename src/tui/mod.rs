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
    /// Theme name or file; else the config's, else dark.
    pub theme: Option<String>,
}

/// `aeo` without a subcommand: open the console (on a fresh demo database with `--demo`).
pub fn console(opts: ConsoleOptions) -> Result<ExitCode> {
    let config = keymap::Config::load_default()?;
    let support = theme::ColorSupport::detect();
    let theme = theme::Theme::choose(opts.theme.as_deref().or(config.theme.as_deref()), support)?;
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
    let store = Store::open(&ctx.db, ctx.access)?;
    let session = Session {
        operator: ctx.operator.clone(),
        db_label: ctx.db.display().to_string(),
        demo: demo || store.is_demo()?,
        read_only: ctx.access == Access::ReadOnly,
        lang: ctx.lang,
        office_hours: ctx.office_hours,
    };
    let app = App::new(store, session, ctx.clock, config.keymap, theme)?;
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
    let mut terminal = ratatui::Terminal::new(backend::SlimBackend::new(std::io::stdout()))
        .context("cannot set up the terminal")?;
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
            let _ = ratatui::try_restore();
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let _ = ratatui::try_restore();
            Err(e)
        }
    }
}

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
    let mut events = EventStream::new();
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
        if dirty {
            if let Err(e) = draw(terminal, app) {
                return gone(e);
            }
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
                Some(Err(e)) => return gone(e.into()),
                None => return Ok(End::HangUp),
            },
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
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{}\x07", base64(text.as_bytes()))?;
    out.flush()?;
    Ok(())
}

/// Standard base64 with padding (RFC 4648), enough for OSC 52.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
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

#[cfg(test)]
mod base64_tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
        assert_eq!(base64("021-5123".as_bytes()), "MDIxLTUxMjM=");
    }
}
