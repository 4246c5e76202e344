//! The pane tabs' counts, taken off the draw. Counting every open approval, the day's
//! inspections, the callbacks and the late problems takes milliseconds on a district's database
//! (more with a cold cache), after every change and once a minute: a thread of its own does it
//! on a read-only connection of its own, and the console shows the last counts until the new
//! ones arrive (the event loop is woken when they do).

use super::panes::{TabCount, tab_counts};
use crate::calendar::WorkingCalendar;
use crate::domain::problem::ProblemTargets;
use crate::store::{Access, Store};
use anyhow::Result;
use jiff::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

/// The counts of the five tabs.
pub type TabCounts = [TabCount; 5];

/// What to count: the database (a file path or a PostgreSQL URL), at which instant.
struct Ask {
    id: u64,
    db: PathBuf,
    now: Timestamp,
    targets: ProblemTargets,
}

/// The answer to the request `id`.
struct Counted {
    id: u64,
    counts: Result<TabCounts>,
}

/// The console's side of the counting thread.
pub struct TabCounter {
    /// None once dropped (the thread then ends).
    asks: Option<Sender<Ask>>,
    answers: Receiver<Counted>,
    /// Closed by the thread when it has ended and closed its connection.
    ended: Receiver<()>,
    /// Notified each time an answer is sent: the event loop waits on it beside keys and ticks.
    ready: Arc<tokio::sync::Notify>,
    /// The last request sent, and the last one answered.
    asked: u64,
    answered: u64,
}

impl TabCounter {
    /// Starts the thread; it opens its connection on the first request and ends when the
    /// console drops its side.
    pub fn start() -> TabCounter {
        let (asks, asked) = channel::<Ask>();
        let (answer, answers) = channel::<Counted>();
        let (end, ended) = channel::<()>();
        let ready = Arc::new(tokio::sync::Notify::new());
        let notify = ready.clone();
        std::thread::Builder::new()
            .name("tab-counts".into())
            .spawn(move || {
                count_on_request(asked, answer, notify);
                drop(end);
            })
            .expect("the tab-count thread starts");
        TabCounter {
            asks: Some(asks),
            answers,
            ended,
            ready,
            asked: 0,
            answered: 0,
        }
    }

    /// Asks for the counts of `db` at `now`. Requests that pile up while one is counted are
    /// answered once, by counting the latest.
    pub fn ask(&mut self, db: PathBuf, now: Timestamp, targets: ProblemTargets) {
        self.asked += 1;
        if let Some(asks) = &self.asks {
            let _ = asks.send(Ask {
                id: self.asked,
                db,
                now,
                targets,
            });
        }
    }

    /// The newest answer that has arrived, if any (without waiting).
    pub fn take(&mut self) -> Option<Result<TabCounts>> {
        let mut newest = None;
        while let Ok(c) = self.answers.try_recv() {
            self.answered = c.id;
            newest = Some(c.counts);
        }
        newest
    }

    /// Waits (up to `patience`) until the last request is answered, and returns its answer;
    /// None when nothing was waiting or the time ran out. For tests and the benchmark: the
    /// console itself never waits.
    pub fn wait(&mut self, patience: Duration) -> Option<Result<TabCounts>> {
        let until = std::time::Instant::now() + patience;
        let mut newest = None;
        while self.answered < self.asked {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match self.answers.recv_timeout(left) {
                Ok(c) => {
                    self.answered = c.id;
                    newest = Some(c.counts);
                }
                Err(_) => break,
            }
        }
        newest
    }

    /// What the event loop waits on for answers.
    pub fn ready(&self) -> Arc<tokio::sync::Notify> {
        self.ready.clone()
    }
}

impl Drop for TabCounter {
    /// The thread ends with the console, its connection closed before the console's own
    /// caller goes on (a demo's directory is removed next); it is waited for 2 s at most.
    fn drop(&mut self) {
        self.asks = None;
        let _ = self.ended.recv_timeout(Duration::from_secs(2));
    }
}

/// The thread: one read-only connection, opened on the first request (and again after a
/// failure or for another database), counting the latest request each time.
fn count_on_request(
    asks: Receiver<Ask>,
    answers: Sender<Counted>,
    ready: Arc<tokio::sync::Notify>,
) {
    let mut store: Option<Store> = None;
    while let Ok(mut ask) = asks.recv() {
        while let Ok(later) = asks.try_recv() {
            ask = later;
        }
        if store.as_ref().is_some_and(|s| s.path() != ask.db) {
            store = None;
        }
        let counts = match store.take() {
            Some(s) => Ok(s),
            None => Store::open(&ask.db, Access::ReadOnly),
        }
        .and_then(|s| {
            let counted = tab_counts(&s, ask.now, WorkingCalendar::official(), ask.targets);
            // A failed count opens the connection anew next time.
            if counted.is_ok() {
                store = Some(s);
            }
            counted
        });
        if answers.send(Counted { id: ask.id, counts }).is_err() {
            break;
        }
        ready.notify_one();
    }
}

impl super::app::App {
    /// Asks for the tab counts again (after a change, and once a minute as deadlines pass).
    pub(crate) fn refresh_tabs(&mut self) {
        let db = self.store().path().to_path_buf();
        let (now, targets) = (self.now, self.today.targets);
        self.counter.ask(db, now, targets);
    }

    /// Shows the counts that have arrived; whether anything changed on screen.
    pub fn take_tab_counts(&mut self) -> bool {
        match self.counter.take() {
            Some(counts) => self.show_tab_counts(counts),
            None => false,
        }
    }

    /// Waits until the counts last asked for have arrived and shows them (tests, benchmark).
    pub fn wait_for_tab_counts(&mut self) {
        if let Some(counts) = self.counter.wait(Duration::from_secs(60)) {
            self.show_tab_counts(counts);
        }
    }

    fn show_tab_counts(&mut self, counts: Result<TabCounts>) -> bool {
        match counts {
            Ok(t) => {
                let changed = self.tabs != t;
                self.tabs = t;
                changed
            }
            Err(e) => {
                self.set_error(crate::domain::localize::localize(&e, self.session.lang));
                true
            }
        }
    }
}
