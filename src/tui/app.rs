//! The console's state and the one way it changes: a key becomes an [`Action`], `update` applies
//! it (through a store transaction when it writes), and the panes reload what they show.

use super::Clock;
use super::keymap::{Cmd, Keymap};
use super::panes::{
    ApprovalsPane, CalendarPane, Hint, HintKey, LookupPane, Pane, QueuePane, TabCount, TodayPane,
    hint_spans,
};
use super::popups::did_you_mean;
use super::popups::{
    BookPopup, CommandLine, ConfirmPopup, CorrectPopup, DecidePopup, ExtendPopup,
    FinalAuthorityPopup, HelpPopup, HotlineCard, PausePopup, Popup, final_authority_words,
};
use super::theme::Theme;
use super::widgets::line_edit::History;
use super::wrap;
use crate::calendar::parse_day;
use crate::calendar::{WorkingCalendar, shanghai_date};
use crate::domain::approval::{ApprovalKind, EXTENSION_DAYS, PauseReason};
use crate::domain::clearance::OfficeHours;
use crate::domain::inspection::{BookingStatus, Location, OffSiteReason, site_approval_text};
use crate::domain::localize::localize;
use crate::domain::measures::MeasureCatalog;
use crate::domain::ownership::ItemChange;
use crate::present;
use crate::store::{ApprovalRow, NewBooking, Store};
use crate::text::Lang;
use crate::text::tr;
use crate::text::{inert, pad, width};
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use jiff::civil::Date;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

mod safety;

/// The four panes, in the order of their number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneId {
    Queue,
    Calendar,
    Approvals,
    Lookup,
    Today,
}

impl PaneId {
    pub const ALL: [PaneId; 5] = [
        PaneId::Queue,
        PaneId::Calendar,
        PaneId::Approvals,
        PaneId::Lookup,
        PaneId::Today,
    ];

    pub fn index(self) -> usize {
        PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            PaneId::Queue => tr(lang, "优先队列", "Queue"),
            PaneId::Calendar => tr(lang, "查验日历", "Inspections"),
            PaneId::Approvals => tr(lang, "待办审批", "Approvals"),
            PaneId::Lookup => tr(lang, "企业查询", "Lookup"),
            PaneId::Today => tr(lang, "今日待办", "Today"),
        }
    }

    /// The title in a tab that also carries counts, on a narrow screen.
    pub fn short_title(self, lang: Lang) -> &'static str {
        match self {
            PaneId::Queue => tr(lang, "队列", "Queue"),
            PaneId::Calendar => tr(lang, "查验", "Insp."),
            PaneId::Approvals => tr(lang, "审批", "Appr."),
            PaneId::Lookup => tr(lang, "查询", "Find"),
            PaneId::Today => tr(lang, "今日", "Today"),
        }
    }
}

/// How many panes there are.
const PANES: usize = PaneId::ALL.len();

/// Pasted text as one line of a field: up to the first line break.
fn one_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// Everything that can change the console.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Quit,
    SwitchPane(PaneId),
    NextPane,
    PrevPane,
    OpenHelp,
    OpenCommandLine,
    /// Open the command line on `export FILE`, the file named after the pane and the day.
    OpenExport,
    ClosePopup,
    /// Reload the current pane (its window moved, its query changed).
    Reload,
    /// A query was typed into: reload after a short pause in typing.
    QueryChanged,
    /// Reload the open popup's own data (the booking picker's query changed).
    ReloadPopup,
    RunCommand(String),
    OpenCard(i64),
    /// Open the call form for an enterprise, from its hotline card.
    OpenCallForm(i64),
    LogCall(Box<super::popups::CallEntry>),
    /// Open the verification form for an enterprise, from its hotline card.
    OpenVerifyForm(i64),
    ScheduleVerification(Box<super::popups::PlanEntry>),
    /// Merge verification plan `b` into plan `a` (measure 16: one team, one visit).
    MergeVerifications {
        enterprise_id: i64,
        a: i64,
        b: i64,
    },
    /// Open the 清零 board, at a problem if given.
    OpenProblemBoard(Option<i64>),
    ProblemStep {
        id: i64,
        action: crate::domain::problem::ProblemAction,
        text: String,
        coordinator: Option<i64>,
    },
    CallbackDone(i64),
    Copy(String),
    /// Take, take over, release, finish or mark abnormal a queue item.
    ChangeItem(i64, ItemChange),
    /// Revert the last change, as a new audited change.
    Undo,
    /// The confirmation's Yes: run the action.
    Confirmed(Box<Action>),
    /// The confirmation's No.
    CancelConfirm,
    /// Open the booking form on an inspection slot.
    OpenBooking(i64),
    Book {
        slot_id: i64,
        enterprise_id: i64,
        location: Location,
        reason: Option<OffSiteReason>,
        goods: String,
    },
    SetBookingStatus(i64, BookingStatus),
    PauseApproval(i64, PauseReason),
    ResumeApproval(i64),
    OpenDecide(i64, String, ApprovalKind),
    OpenPause(i64, String),
    DecideApproval(i64, String),
    /// 补正: the approval accepted anew when the complete material was received.
    OpenCorrect(i64),
    CorrectAcceptance(i64, Timestamp),
    /// 第42条: open the form naming who approved the extension.
    OpenExtend(i64),
    ExtendApproval(i64, String),
    /// Measure 26: whether Shanghai holds the final authority for the product.
    OpenFinalAuthority(i64),
    SetFinalAuthority(i64, bool),
    Status(String),
    /// A refusal, shown in the operator's language.
    Error(crate::domain::message::Message),
}

/// Who is at the console and on what.
#[derive(Debug, Clone)]
pub struct Session {
    pub operator: String,
    /// The database as the header shows it.
    pub db_label: String,
    pub demo: bool,
    pub read_only: bool,
    pub lang: Lang,
    /// The database did not exist and was created empty for this session: the header says so.
    pub new_db: bool,
    /// Office hours for appointment clearance (measure 27), as configured.
    pub office_hours: OfficeHours,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

/// The rows of a pane's list in a terminal `h` rows high: less the header, tabs, status,
/// footer, and the pane's own border and column header.
fn list_rows(h: u16) -> usize {
    let body = h.saturating_sub(4);
    usize::from(body.saturating_sub(3)).max(1)
}

/// The rows the lookup pane lists (and reads whole) in a terminal `h` rows high: below its
/// query line and the line saying why the selected row matched.
pub fn lookup_rows(h: u16) -> usize {
    list_rows(h).saturating_sub(2).max(1)
}

/// What panes read from while loading.
pub struct Env<'a> {
    pub store: &'a Store,
    pub now: Timestamp,
    pub lang: Lang,
    pub cal: &'static WorkingCalendar,
    /// Who is at the console (the queue's and the approvals' "mine").
    pub operator: &'a str,
    /// Changes whenever the data may have changed (another session's commit or this one's):
    /// what was counted under the same value need not be counted again.
    pub data_version: u64,
}

/// What panes draw with.
pub struct View<'a> {
    pub theme: &'a Theme,
    pub lang: Lang,
    pub now: Timestamp,
    pub keymap: &'a Keymap,
    pub cal: &'static WorkingCalendar,
    /// The pane tabs' counts as last counted (a pane may show one of them).
    pub tabs: &'a [TabCount; PANES],
}

/// How long one attempt at a change waits for another operator's write before the console
/// goes back to drawing (and tries again on the next tick).
const WRITE_WAIT: std::time::Duration = std::time::Duration::from_millis(200);

/// How long the console keeps trying a change while another operator writes.
const WRITE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

pub const MIN_WIDTH: u16 = 80;
/// 80x23: an 80x24 terminal with a tmux or screen status line.
pub const MIN_HEIGHT: u16 = 23;

pub struct App {
    store: Store,
    clock: Clock,
    pub now: Timestamp,
    pub session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub pane: PaneId,
    pub queue: QueuePane,
    pub calendar: CalendarPane,
    pub approvals: ApprovalsPane,
    pub lookup: LookupPane,
    pub today: TodayPane,
    /// The counts each pane tab carries, as last counted (see `refresh_tabs`).
    pub tabs: [TabCount; PANES],
    /// Takes the tab counts off the draw.
    pub(super) counter: super::counts::TabCounter,
    /// The tab counts have been asked for (after the first pane was read).
    tabs_asked: bool,
    pub popup: Option<Popup>,
    pub status: Option<(String, StatusKind)>,
    pub quit: bool,
    stale: [bool; PANES],
    data_version: i64,
    /// The database server's connection was lost at the last tick (shown in the header).
    link_lost: bool,
    /// Bumped on every change seen or made; see `Env::data_version`.
    generation: u64,
    clipboard: Option<String>,
    /// The action being run (for a retry), and since when it has been tried.
    current: Option<(Action, std::time::Instant)>,
    /// A change waiting for another operator's write to end: tried again on each tick.
    pending: Option<(Action, std::time::Instant)>,
    size: (u16, u16),
    /// The last change, while it may still be undone.
    undo: Option<safety::UndoOffer>,
    /// Ctrl-L: the terminal loop clears and repaints the whole screen.
    pub repaint: bool,
    /// Borders and symbols in ASCII (`ascii = true`, `--ascii`).
    pub ascii: bool,
    /// Ctrl-Z: the terminal loop suspends the console.
    pub suspend: bool,
    /// Earlier `:` lines, for Up/Down.
    command_history: History,
    /// Typed queries run after this pause in typing (None: at once, as tests want).
    pub debounce: Option<std::time::Duration>,
    /// When the typed query is due to run.
    pub query_due: Option<std::time::Instant>,
}

impl App {
    pub fn new(
        mut store: Store,
        session: Session,
        clock: Clock,
        keymap: Keymap,
        theme: Theme,
    ) -> Result<App> {
        let now = clock.now();
        // The audit trail names this console's operator, on the console's clock.
        store.set_actor(crate::store::Actor {
            operator: session.operator.clone(),
            clock,
        });
        store.set_busy_timeout(WRITE_WAIT)?;
        let data_version = store.data_version()?;
        let today = TodayPane::new(&session.operator);
        let mut app = App {
            store,
            clock,
            now,
            session,
            keymap,
            theme,
            pane: PaneId::Queue,
            queue: QueuePane::default(),
            calendar: CalendarPane::new(shanghai_date(now)),
            approvals: ApprovalsPane::default(),
            lookup: LookupPane::default(),
            today,
            tabs: Default::default(),
            counter: super::counts::TabCounter::start(),
            tabs_asked: false,
            popup: None,
            status: None,
            quit: false,
            stale: [true; PANES],
            data_version,
            link_lost: false,
            generation: 0,
            clipboard: None,
            current: None,
            pending: None,
            size: (MIN_WIDTH, MIN_HEIGHT),
            undo: None,
            repaint: false,
            ascii: false,
            suspend: false,
            debounce: None,
            query_due: None,
            command_history: History::default(),
        };
        // The first pane is read at the terminal's size (`resize`), or before the first key;
        // the tab counts are asked for after it, so that their thread does not take the CPU
        // from it.
        app.set_size(MIN_WIDTH, MIN_HEIGHT);
        Ok(app)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn lang(&self) -> Lang {
        self.session.lang
    }

    /// The terminal's size changed: panes fetch as many rows as fit.
    pub fn resize(&mut self, w: u16, h: u16) {
        self.set_size(w, h);
        self.reload(self.pane);
        self.first_counts();
    }

    /// The tab counts, asked for once the first pane has been read.
    fn first_counts(&mut self) {
        if !self.tabs_asked {
            self.tabs_asked = true;
            self.refresh_tabs();
        }
    }

    /// The pane on screen, read if it has not been since it went stale (a console made and
    /// given a key before it was sized).
    fn loaded(&mut self) {
        if self.stale[self.pane.index()] {
            self.reload(self.pane);
        }
        self.first_counts();
    }

    /// Each pane's page at this size; every pane is read again when next shown.
    fn set_size(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        let rows = list_rows(h);
        self.queue.set_page(rows);
        self.approvals.set_page(rows.saturating_sub(5).max(1));
        self.lookup.set_page(lookup_rows(h));
        self.today.set_page(rows);
        // The day board under its head lines.
        self.calendar
            .board_cursor
            .set_page(rows.saturating_sub(4).max(1));
        self.stale = [true; PANES];
    }

    fn pane_mut(&mut self, id: PaneId) -> &mut dyn Pane {
        match id {
            PaneId::Queue => &mut self.queue,
            PaneId::Calendar => &mut self.calendar,
            PaneId::Approvals => &mut self.approvals,
            PaneId::Lookup => &mut self.lookup,
            PaneId::Today => &mut self.today,
        }
    }

    pub fn pane_ref(&self, id: PaneId) -> &dyn Pane {
        match id {
            PaneId::Queue => &self.queue,
            PaneId::Calendar => &self.calendar,
            PaneId::Approvals => &self.approvals,
            PaneId::Lookup => &self.lookup,
            PaneId::Today => &self.today,
        }
    }

    /// Reloads one pane from the store.
    pub fn reload(&mut self, id: PaneId) {
        let env = Env {
            store: &self.store,
            now: self.now,
            lang: self.session.lang,
            cal: WorkingCalendar::official(),
            operator: &self.session.operator,
            data_version: self.generation,
        };
        let result = match id {
            PaneId::Queue => self.queue.refresh(&env),
            PaneId::Calendar => self.calendar.refresh(&env),
            PaneId::Approvals => self.approvals.refresh(&env),
            PaneId::Lookup => self.lookup.refresh(&env),
            PaneId::Today => self.today.refresh(&env),
        };
        self.stale[id.index()] = false;
        if let Err(e) = result {
            self.set_error(localize(&e, self.session.lang));
        }
    }

    pub(crate) fn refresh_popup(&mut self) {
        self.reload_popup();
    }

    fn reload_popup(&mut self) {
        let env = Env {
            store: &self.store,
            now: self.now,
            lang: self.session.lang,
            cal: WorkingCalendar::official(),
            operator: &self.session.operator,
            data_version: self.generation,
        };
        let result = match &mut self.popup {
            Some(Popup::Card(c)) => c.refresh(&env),
            Some(Popup::Book(b)) => b.refresh(&env),
            Some(Popup::Board(b)) => b.refresh(&env),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.set_error(localize(&e, self.session.lang));
        }
    }

    /// After a write: what is on screen shows the new state; other panes reload when shown.
    pub(crate) fn after_write(&mut self) {
        self.stale = [true; PANES];
        self.reload(self.pane);
        self.reload_popup();
        self.refresh_tabs();
        // Our own commits do not move data_version; others' do.
        if let Ok(v) = self.store.data_version() {
            self.data_version = v;
        }
    }

    pub fn set_status(&mut self, s: impl Into<String>) {
        self.status = Some((s.into(), StatusKind::Info));
    }

    pub fn set_error(&mut self, s: impl Into<String>) {
        self.status = Some((s.into().replace('\n', " "), StatusKind::Error));
    }

    /// The text to put on the clipboard (OSC 52), taken once by the terminal loop.
    pub fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    /// Once a second: move the clock, and reload what is on screen if another session changed
    /// the database. Returns whether the screen needs drawing.
    /// Runs one change and says `done` in the status line, or the store's refusal.
    fn apply<T>(
        &mut self,
        f: impl FnOnce(&crate::store::Writer<'_>) -> anyhow::Result<T>,
        done: String,
    ) -> Option<T> {
        match self.write_store(f) {
            Ok(out) => {
                self.set_status(done);
                self.after_write();
                Some(out)
            }
            Err(e) => {
                self.set_error(localize(&e, self.session.lang));
                None
            }
        }
    }

    /// Opens a popup made from the approval by `make` (which may refuse, with the domain's
    /// reason), or says in the status line why not.
    fn open_approval_form(
        &mut self,
        id: i64,
        make: impl FnOnce(ApprovalRow, Timestamp) -> anyhow::Result<Popup>,
    ) {
        let lang = self.session.lang;
        let now = self.now;
        let made = self.store.approval(id).and_then(|a| match a {
            Some(a) => make(a, now).map(Some),
            None => Ok(None),
        });
        match made {
            Ok(Some(popup)) => self.popup = Some(popup),
            Ok(None) => self.set_error(format!("{} #{id}", tr(lang, "没有审批", "no approval"))),
            Err(e) => self.set_error(localize(&e, lang)),
        }
    }

    /// A change to an approval's terms from its popup: the popup closes when the change is
    /// made and stays open, the reason in the status line, when it is refused.
    fn apply_approval_change(
        &mut self,
        f: impl FnOnce(&crate::store::Writer<'_>) -> anyhow::Result<()>,
        done: String,
    ) {
        if self.apply(f, done).is_some() {
            self.popup = None;
        }
    }

    /// Every write of the console goes through here, so that counts are taken again after it.
    pub(crate) fn write_store<T>(
        &mut self,
        f: impl FnOnce(&crate::store::Writer<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let out = self.store.write(f);
        self.generation += 1;
        if let Err(e) = &out
            && crate::store::is_busy(e)
            && let Some(current) = self.current.clone()
        {
            self.pending = Some(current);
        }
        out
    }

    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn on_tick(&mut self) -> bool {
        let retried = self.pending.is_some();
        if let Some((action, since)) = self.pending.take() {
            if since.elapsed() > WRITE_PATIENCE {
                self.set_error(tr(
                    self.lang(),
                    "另一位操作员写入已超过 10 秒：未作更改，请稍后重试",
                    "another operator has been writing for more than 10 s: nothing was changed; try again",
                ));
            } else {
                self.attempt(action, since);
                if self.pending.is_none()
                    && self.status.as_ref().is_some_and(|(t, _)| t.contains('…'))
                {
                    self.status = None;
                }
            }
        }
        let before = self.now;
        self.now = self.clock.now();
        let mut redraw = retried || self.now.as_second() != before.as_second();
        // Deadlines pass with time alone: the tab counts are taken again every minute.
        if self.now.as_second() / 60 != before.as_second() / 60 {
            self.refresh_tabs();
        }
        if shanghai_date(self.now) != shanghai_date(before) {
            self.calendar.set_today(shanghai_date(self.now));
            self.stale = [true; PANES];
            self.reload(self.pane);
        }
        if self.store.file_replaced() {
            // Say it before the operator's next change is refused; :reopen opens the path anew.
            let text = tr(
                self.lang(),
                "数据库文件已被删除或替换：不能写入；:reopen 重新打开",
                "database file deleted or replaced: changes refused; :reopen",
            );
            if self.status.as_ref().map(|(t, _)| t.as_str()) != Some(text) {
                self.set_error(text);
                redraw = true;
            }
            return redraw;
        }
        // A dropped server connection is re-established by data_version (at most every 2 s);
        // the header says so meanwhile.
        let version = self.store.data_version();
        let lost = self.store.connection_lost();
        if lost != self.link_lost {
            self.link_lost = lost;
            redraw = true;
        }
        match version {
            Ok(v) if v != self.data_version => {
                self.data_version = v;
                self.generation += 1;
                self.stale = [true; PANES];
                self.reload(self.pane);
                self.reload_popup();
                self.refresh_tabs();
                redraw = true;
            }
            Ok(_) => {}
            Err(e) => {
                self.set_error(localize(&e, self.session.lang));
                redraw = true;
            }
        }
        redraw
    }

    /// Routes a key: the popup first, then the console's own keys, then the pane.
    pub fn on_key(&mut self, key: KeyEvent) {
        self.loaded();
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            match key.code {
                KeyCode::Char('c') => {
                    self.quit = true;
                    return;
                }
                KeyCode::Char('l') => {
                    self.repaint = true;
                    return;
                }
                KeyCode::Char('z') => {
                    self.suspend = true;
                    return;
                }
                _ => {}
            }
        }
        // Below the minimum size nothing on screen says what a key would do: only quit acts.
        if self.too_small() {
            if self.keymap.is(Cmd::Quit, &key) {
                self.quit = true;
            }
            return;
        }
        // A message stays until the next key.
        self.status = None;
        let km = self.keymap.clone();
        if let Some(popup) = &mut self.popup {
            if let Some(a) = popup.handle_key(&key, &km) {
                self.dispatch(a);
            }
            return;
        }
        let typing = self.pane_ref(self.pane).captures_text();
        let global = if km.is(Cmd::NextPane, &key) {
            Some(Action::NextPane)
        } else if km.is(Cmd::PrevPane, &key) {
            Some(Action::PrevPane)
        } else if km.is(Cmd::Export, &key) {
            Some(Action::OpenExport)
        } else if typing {
            None
        } else if km.is(Cmd::Quit, &key) {
            Some(Action::Quit)
        } else if km.is(Cmd::Help, &key) {
            Some(Action::OpenHelp)
        } else if km.is(Cmd::Undo, &key) {
            Some(Action::Undo)
        } else if km.is(Cmd::CommandLine, &key) {
            Some(Action::OpenCommandLine)
        } else if km.is(Cmd::Pane1, &key) {
            Some(Action::SwitchPane(PaneId::Queue))
        } else if km.is(Cmd::Pane2, &key) {
            Some(Action::SwitchPane(PaneId::Calendar))
        } else if km.is(Cmd::Pane3, &key) {
            Some(Action::SwitchPane(PaneId::Approvals))
        } else if km.is(Cmd::Pane4, &key) {
            Some(Action::SwitchPane(PaneId::Lookup))
        } else if km.is(Cmd::Pane5, &key) {
            Some(Action::SwitchPane(PaneId::Today))
        } else {
            None
        };
        let action = global.or_else(|| self.pane_mut(self.pane).handle_key(&key, &km));
        if let Some(a) = action {
            self.dispatch(a);
        }
        // The day board's cursor may have brought bookings on screen whose enterprise is unread.
        if self.pane == PaneId::Calendar
            && let Err(e) = self.calendar.name_shown(&self.store)
        {
            self.set_error(localize(&e, self.session.lang));
        }
    }

    pub fn too_small(&self) -> bool {
        self.size.0 < MIN_WIDTH || self.size.1 < MIN_HEIGHT
    }

    /// Runs the typed query whose pause is over.
    pub fn run_due_query(&mut self) {
        if self.query_due.take().is_some() {
            self.reload(self.pane);
        }
    }

    /// Pasted text goes into the text field that has the cursor, whole; with no field it is
    /// dropped, so a paste never acts as keys.
    pub fn on_paste(&mut self, text: &str) {
        self.loaded();
        if self.too_small() {
            return;
        }
        let action = match &mut self.popup {
            Some(Popup::Command(c)) => {
                c.paste(text);
                None
            }
            Some(Popup::Book(b)) => b.paste(text),
            Some(Popup::Correct(p)) => {
                p.received.push_str(one_line(text));
                None
            }
            Some(Popup::Extend(p)) => {
                p.approver.push_str(one_line(text));
                None
            }
            Some(_) => None,
            None => self.pane_mut(self.pane).paste(text),
        };
        if let Some(a) = action {
            self.dispatch(a);
        }
    }

    /// The pane the console opens on (`--pane`), ready as if switched to: the lookup pane
    /// takes what is typed at once. Nothing is read before the console knows its size.
    pub fn start_on(&mut self, p: PaneId) {
        self.pane_mut(p).focus();
        self.pane = p;
    }

    fn switch(&mut self, p: PaneId) {
        if self.query_due.take().is_some() {
            self.stale[self.pane.index()] = true;
        }
        self.pane_mut(p).focus();
        self.pane = p;
        if self.stale[p.index()] {
            self.reload(p);
        }
    }

    /// Applies an action.
    /// Runs an action. A change that cannot start because another operator is writing does
    /// not hold the screen: it waits a moment at most (see `WRITE_WAIT`), shows "waiting for
    /// another operator…", and is tried again on each tick for up to `WRITE_PATIENCE`.
    pub fn update(&mut self, action: Action) {
        self.loaded();
        self.attempt(action, std::time::Instant::now());
    }

    fn attempt(&mut self, action: Action, since: std::time::Instant) {
        let outer = self.current.replace((action.clone(), since));
        self.run_action(action);
        self.current = outer;
        if self.current.is_none() && self.pending.is_some() {
            self.status = Some((
                tr(
                    self.lang(),
                    "正在等待另一位操作员完成写入…",
                    "waiting for another operator…",
                )
                .to_string(),
                StatusKind::Info,
            ));
        }
    }

    /// Whether a change is waiting for another operator's write to end.
    pub fn waiting(&self) -> bool {
        self.pending.is_some()
    }

    fn run_action(&mut self, action: Action) {
        let lang = self.lang();
        match action {
            Action::Quit => self.quit = true,
            Action::SwitchPane(p) => self.switch(p),
            Action::NextPane => self.switch(PaneId::ALL[(self.pane.index() + 1) % PANES]),
            Action::PrevPane => self.switch(PaneId::ALL[(self.pane.index() + PANES - 1) % PANES]),
            Action::OpenHelp => self.popup = Some(Popup::Help(HelpPopup::default())),
            Action::OpenCommandLine => {
                self.popup = Some(Popup::Command(CommandLine::new(
                    self.command_history.clone(),
                    shanghai_date(self.now),
                )))
            }
            Action::OpenExport => {
                let mut line =
                    CommandLine::new(self.command_history.clone(), shanghai_date(self.now));
                line.edit.set(&format!("export {}", self.export_name()));
                self.popup = Some(Popup::Command(line));
            }
            Action::ClosePopup => self.popup = None,
            Action::Reload => self.reload(self.pane),
            Action::QueryChanged => match self.debounce {
                None => self.reload(self.pane),
                Some(pause) => self.query_due = Some(std::time::Instant::now() + pause),
            },
            Action::ReloadPopup => self.reload_popup(),
            Action::RunCommand(c) => {
                self.command_history.push(&c);
                self.popup = None;
                self.run_command(&c);
            }
            Action::OpenCallForm(id) => self.open_call_form(id),
            Action::LogCall(entry) => self.log_call(*entry),
            Action::OpenVerifyForm(id) => self.open_verify_form(id),
            Action::ScheduleVerification(entry) => self.schedule_verification(*entry),
            Action::MergeVerifications { a, b, .. } => {
                let done = format!(
                    "{} #{b} → #{a}{}",
                    tr(lang, "核查计划", "verification plan"),
                    tr(
                        lang,
                        "：已合并为一个小组（措施16）",
                        ": merged into one team (measure 16)"
                    )
                );
                self.apply(|w| w.merge_verifications(a, b), done);
            }
            Action::OpenProblemBoard(want) => self.open_problem_board(want),
            Action::ProblemStep {
                id,
                action,
                text,
                coordinator,
            } => self.problem_step(id, action, text, coordinator),
            Action::CallbackDone(id) => {
                let now = self.now;
                let done = format!(
                    "{} #{id}: {}",
                    tr(lang, "来电", "call"),
                    tr(lang, "已回电", "called back")
                );
                self.apply(|w| w.callback_done(id, now), done);
            }
            Action::OpenCard(id) => {
                self.popup = Some(Popup::Card(Box::new(HotlineCard::new(id))));
                self.reload_popup();
            }
            Action::Copy(text) => {
                self.set_status(format!(
                    "{}: {}",
                    tr(
                        lang,
                        "已复制到剪贴板 (OSC 52)",
                        "copied to the clipboard (OSC 52)"
                    ),
                    inert(&text)
                ));
                self.clipboard = Some(text);
            }
            Action::ChangeItem(id, change) => self.change_item(id, change),
            Action::Undo => self.undo(),
            Action::Confirmed(a) => {
                // The form the change came from shows again (a refusal keeps it open).
                self.popup = match self.popup.take() {
                    Some(Popup::Confirm(c)) => c.back.map(|b| *b),
                    other => other,
                };
                self.update(*a);
            }
            Action::CancelConfirm => {
                self.popup = match self.popup.take() {
                    Some(Popup::Confirm(c)) => c.back.map(|b| *b),
                    other => other,
                };
                self.set_status(tr(lang, "已取消，未作更改", "cancelled; nothing changed"));
            }
            Action::OpenBooking(slot_id) => match self.store.slot(slot_id) {
                Ok(Some(slot)) => {
                    let day = WorkingCalendar::official().day(slot.date);
                    self.popup = Some(Popup::Book(Box::new(BookPopup::new(slot, day))));
                    self.reload_popup();
                }
                Ok(None) => self.set_error(format!(
                    "{} #{slot_id}",
                    tr(lang, "没有查验时段", "no inspection slot")
                )),
                Err(e) => self.set_error(localize(&e, self.session.lang)),
            },
            Action::Book {
                slot_id,
                enterprise_id,
                location,
                reason,
                goods,
            } => self.book(slot_id, enterprise_id, location, reason, &goods),
            Action::SetBookingStatus(id, to) => {
                let now = self.now;
                let done = format!("{} #{id}: {}", tr(lang, "预约", "booking"), to.name(lang));
                if let Some(before) = self.apply(|w| w.set_booking_status(id, to, now), done) {
                    self.offer_undo(safety::UndoKind::Booking {
                        id,
                        before,
                        after: to,
                    });
                }
            }
            Action::PauseApproval(id, reason) => {
                self.popup = None;
                let now = self.now;
                let done = format!(
                    "{} #{id}: {} ({})",
                    tr(lang, "审批", "approval"),
                    tr(lang, "暂停计时", "clock paused"),
                    reason.name(lang)
                );
                if self
                    .apply(|w| w.pause_approval(id, reason, now), done)
                    .is_some()
                {
                    self.offer_undo(safety::UndoKind::Pause { id });
                }
            }
            Action::ResumeApproval(id) => {
                let now = self.now;
                let done = format!(
                    "{} #{id}: {}",
                    tr(lang, "审批", "approval"),
                    tr(lang, "恢复计时", "clock running again")
                );
                self.apply(|w| w.resume_approval(id, now), done);
            }
            Action::OpenDecide(id, reference, kind) => {
                self.popup = Some(Popup::Decide(DecidePopup::new(id, reference, kind)));
            }
            Action::OpenPause(id, reference) => {
                self.popup = Some(Popup::Pause(PausePopup::new(id, reference)));
            }
            Action::DecideApproval(id, decision) => {
                self.popup = None;
                let now = self.now;
                let done = format!(
                    "{} #{id}: {} ({})",
                    tr(lang, "审批", "approval"),
                    tr(lang, "已办结", "decided"),
                    inert(&decision)
                );
                self.apply(|w| w.decide_approval(id, &decision, now), done);
            }
            Action::OpenCorrect(id) => self.open_approval_form(id, |a, now| {
                Ok(Popup::Correct(CorrectPopup::new(
                    a.id,
                    a.reference,
                    a.accepted_at,
                    now,
                )))
            }),
            Action::CorrectAcceptance(id, at) => {
                let done = format!(
                    "{} #{id}: {} {}",
                    tr(lang, "审批", "approval"),
                    tr(lang, "补正后受理", "accepted after 补正 at"),
                    present::instant(at)
                );
                self.apply_approval_change(|w| w.correct_acceptance(id, at), done);
            }
            Action::OpenExtend(id) => self.open_approval_form(id, |a, _| {
                a.rule(MeasureCatalog::official()).check_extendable()?;
                Ok(Popup::Extend(ExtendPopup::new(a.id, a.reference)))
            }),
            Action::ExtendApproval(id, approver) => {
                let done = lang.pick(
                    &format!(
                        "审批 #{id}：经{}批准延长{}个工作日（第42条）",
                        inert(&approver),
                        EXTENSION_DAYS
                    ),
                    &format!(
                        "approval #{id}: extended by {EXTENSION_DAYS} working days (第42条), approved by {}",
                        inert(&approver)
                    ),
                ).to_string();
                self.apply_approval_change(|w| w.extend_approval(id, &approver), done);
            }
            Action::OpenFinalAuthority(id) => self.open_approval_form(id, |a, _| {
                a.kind.check_final_authority()?;
                Ok(Popup::FinalAuthority(FinalAuthorityPopup::new(
                    a.id,
                    a.reference,
                    a.final_authority,
                )))
            }),
            Action::SetFinalAuthority(id, on) => {
                let done = format!(
                    "{} #{id}: {}",
                    tr(lang, "审批", "approval"),
                    final_authority_words(on).text(lang)
                );
                self.apply_approval_change(|w| w.set_final_authority(id, on), done);
            }
            Action::Status(s) => self.set_status(s),
            Action::Error(m) => self.set_error(m.text(lang)),
        }
    }

    fn book(
        &mut self,
        slot_id: i64,
        enterprise_id: i64,
        location: Location,
        reason: Option<OffSiteReason>,
        goods: &str,
    ) {
        let lang = self.lang();
        let (op, now) = (self.session.operator.clone(), self.now);
        let result = self.write_store(|w| {
            w.book(
                &NewBooking {
                    slot_id,
                    enterprise_id,
                    goods,
                    location,
                    reason,
                    operator: &op,
                    now,
                },
                WorkingCalendar::official(),
            )
        });
        match result {
            Ok((id, outcome)) => {
                self.popup = None;
                let mut msg = format!("{} #{id}", tr(lang, "已预约查验", "inspection booked"));
                if let Ok(Some(s)) = self.store.slot(slot_id) {
                    msg.push_str(&format!(
                        ": {} {:02}:{:02} {}",
                        s.date,
                        s.start.hour(),
                        s.start.minute(),
                        s.office_name
                    ));
                }
                if let Ok(Some(e)) = self.store.enterprise(enterprise_id) {
                    msg.push_str(&format!(" · {}", inert(&e.name_zh)));
                }
                if outcome.needs_site_approval {
                    msg.push_str(&format!(" · {}", site_approval_text(lang)));
                }
                if let Some(n) = outcome.note {
                    msg.push_str(&format!(" ({n})"));
                }
                self.set_status(msg);
                self.after_write();
            }
            // The refusal carries the rule's reason ("5+2", slot full, location).
            Err(e) => self.set_error(format!(
                "{}{}",
                tr(lang, "预约被拒绝：", "booking refused: "),
                localize(&e, lang)
            )),
        }
    }

    /// The `:` command line.
    pub fn run_command(&mut self, line: &str) {
        let lang = self.lang();
        let line = line.trim();
        let (cmd, arg) = match line.split_once(char::is_whitespace) {
            Some((c, a)) => (c, a.trim()),
            None => (line, ""),
        };
        match cmd {
            "" => {}
            "q" | "q!" | "quit" | "qa" | "exit" => self.quit = true,
            "help" | "h" => self.update(Action::OpenHelp),
            "pane" | "p" | "1" | "2" | "3" | "4" | "5" | "queue" | "calendar" | "approvals"
            | "today" | "lookup" | "l" | "find"
                if !matches!(cmd, "lookup" | "l" | "find") || arg.is_empty() =>
            {
                let which = if matches!(cmd, "pane" | "p") { arg } else { cmd };
                let p = match which {
                    "1" | "queue" => Some(PaneId::Queue),
                    "2" | "calendar" => Some(PaneId::Calendar),
                    "3" | "approvals" => Some(PaneId::Approvals),
                    "4" | "lookup" | "l" | "find" => Some(PaneId::Lookup),
                    "5" | "today" => Some(PaneId::Today),
                    _ => None,
                };
                match p {
                    Some(p) => self.switch(p),
                    None => self.set_error(format!(
                        "{} '{which}' (1-5, queue, calendar, approvals, lookup, today)",
                        tr(lang, "没有这个窗格", "no pane")
                    )),
                }
            }
            "lookup" | "l" | "find" => {
                self.lookup.set_query(arg);
                self.pane = PaneId::Lookup;
                self.reload(PaneId::Lookup);
            }
            "problems" | "board" => self.update(Action::OpenProblemBoard(None)),
            "filter" => {
                self.queue.set_filter(arg);
                self.pane = PaneId::Queue;
                self.reload(PaneId::Queue);
            }
            "date" | "day" => match parse_day(arg, shanghai_date(self.now)) {
                Some(d) => {
                    self.calendar.select(d);
                    self.switch(PaneId::Calendar);
                    self.reload(PaneId::Calendar);
                }
                None => self.not_a_day(arg),
            },
            "book" => {
                if !arg.is_empty() {
                    match parse_day(arg, shanghai_date(self.now)) {
                        Some(d) => self.calendar.select(d),
                        None => return self.not_a_day(arg),
                    }
                }
                self.pane = PaneId::Calendar;
                self.reload(PaneId::Calendar);
                match self.calendar.slot_to_book() {
                    Some(slot) => self.update(Action::OpenBooking(slot.id)),
                    None => self.set_error(tr(
                        lang,
                        "这一天没有空余的查验时段",
                        "no inspection slot with free places on this day",
                    )),
                }
            }
            "clearance" => self.check_clearance(arg),
            "reopen" => self.reopen(),
            "export" | "export!" => self.export_view(arg, cmd == "export!"),
            "theme" => match super::theme::Theme::resolve(arg, super::theme::ColorSupport::detect())
            {
                Ok(t) => {
                    self.theme = t;
                    self.set_status(format!("theme {arg}"));
                }
                Err(e) => self.set_error(localize(&e, self.session.lang)),
            },
            other => self.set_error(format!(
                "{} ':{}'{} ({})",
                tr(lang, "未知命令", "unknown command"),
                inert(other),
                did_you_mean(lang, other)
                    .map(|s| format!("{}{s}", tr(lang, "，", ", ")))
                    .unwrap_or_default(),
                tr(
                    lang,
                    "可用：:q :pane N :lookup 名称 :book [日期] :date 日期 :filter 文本 :clearance 企业 时间 :theme 名称 :reopen :help",
                    "try :q :pane N :lookup NAME :book [DATE] :date DATE :filter TEXT :clearance ENTERPRISE TIME :theme NAME :reopen :help"
                )
            )),
        }
    }

    fn not_a_day(&mut self, arg: &str) {
        self.set_error(format!(
            "{} '{}' ({})",
            tr(self.lang(), "不是日期", "not a date"),
            inert(arg),
            tr(
                self.lang(),
                "如 2026-12-05、12-05、明天、周六",
                "e.g. 2026-12-05, 12-05, tomorrow, sat"
            )
        ));
    }

    /// `:reopen`: opens the database path anew (after the file was deleted or replaced), as
    /// the same operator on the same clock, and reloads what is on screen.
    fn reopen(&mut self) {
        let lang = self.lang();
        match Store::open(self.store.path(), self.store.access()) {
            Ok(mut store) => {
                store.set_actor(self.store.actor().clone());
                self.data_version = store.data_version().unwrap_or(0);
                self.store = store;
                self.generation += 1;
                self.stale = [true; PANES];
                self.reload(self.pane);
                self.reload_popup();
                self.set_status(tr(lang, "已重新打开数据库", "database reopened"));
            }
            Err(e) => self.set_error(localize(&e, self.session.lang)),
        }
    }

    /// `:clearance ENTERPRISE TIME`: may the enterprise clear at TIME by appointment (预约通关,
    /// measure 27), asked now? The answer goes to the status line.
    fn check_clearance(&mut self, arg: &str) {
        use crate::domain::clearance::check_appointment;
        let lang = self.lang();
        let Some((who, when)) = arg.split_once(char::is_whitespace) else {
            self.set_error(tr(
                lang,
                "用法：:clearance 企业(信用代码/海关编码/名称) 时间(2026-11-28 20:00)",
                "usage: :clearance ENTERPRISE (USCC, customs code or name) TIME (2026-11-28 20:00)",
            ));
            return;
        };
        let hours = self.session.office_hours;
        let result = self.store.resolve_enterprise(who).and_then(|e| {
            let at = crate::calendar::parse_instant(when)?;
            Ok((e, at))
        });
        match result {
            Err(e) => self.set_error(localize(&e, self.session.lang)),
            Ok((e, at)) => match check_appointment(
                e.credit,
                self.now,
                at,
                &hours,
                WorkingCalendar::official(),
                MeasureCatalog::official(),
            ) {
                Ok(ok) => self.set_status(format!(
                    "{} {} {}: {}",
                    tr(lang, "可预约通关", "appointment clearance accepted:"),
                    inert(&e.name_zh),
                    crate::present::instant(at),
                    ok.rule(lang)
                )),
                Err(refusal) => self.set_error(format!(
                    "{} {}{}{}",
                    tr(lang, "不能预约通关", "appointment clearance refused for"),
                    inert(&e.name_zh),
                    tr(lang, "：", ": "),
                    refusal.message().text(lang)
                )),
            },
        }
    }

    /// Years of dates on screen that have no published holiday schedule.
    fn unknown_years(&self) -> Vec<i16> {
        let cal = WorkingCalendar::official();
        let mut dates: Vec<Date> = vec![shanghai_date(self.now)];
        dates.extend(self.pane_ref(self.pane).dates_on_screen());
        if let Some(p) = &self.popup {
            dates.extend(p.dates_on_screen());
        }
        let mut years: Vec<i16> = dates
            .iter()
            .filter(|d| !cal.day(**d).data_known)
            .map(|d| d.year())
            .collect();
        years.sort();
        years.dedup();
        years
    }

    fn view(&self) -> View<'_> {
        View {
            theme: &self.theme,
            lang: self.session.lang,
            now: self.now,
            keymap: &self.keymap,
            cal: WorkingCalendar::official(),
            tabs: &self.tabs,
        }
    }

    /// Draws the whole screen; reads state only.
    pub fn draw(&self, f: &mut Frame<'_>) {
        self.draw_screen(f);
        if self.ascii {
            super::ascii::asciify(f.buffer_mut());
        }
    }

    fn draw_screen(&self, f: &mut Frame<'_>) {
        let area = f.area();
        let v = self.view();
        f.render_widget(ratatui::widgets::Block::new().style(v.theme.base), area);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg = format!(
                "{} ({}x{}, {} {MIN_WIDTH}x{MIN_HEIGHT})",
                tr(v.lang, "终端窗口太小", "terminal too small"),
                area.width,
                area.height,
                tr(v.lang, "至少需要", "need")
            );
            let y = area.height / 2;
            f.render_widget(
                Paragraph::new(Line::styled(msg, v.theme.warn)).centered(),
                Rect::new(area.x, area.y + y, area.width, 1),
            );
            if area.height > y + 1 {
                f.render_widget(
                    Paragraph::new(Line::styled(
                        tr(
                            v.lang,
                            "请放大窗口；按 q 或 Ctrl-C 退出",
                            "enlarge the window; q or Ctrl-C quits",
                        ),
                        v.theme.muted,
                    ))
                    .centered(),
                    Rect::new(area.x, area.y + y + 1, area.width, 1),
                );
            }
            return;
        }
        let status_lines = self.status_lines(&v, usize::from(area.width));
        let status_height = if matches!(self.popup, Some(Popup::Command(_))) {
            1
        } else {
            status_lines.len() as u16
        };
        let [header, tabs, body, status, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(status_height),
            Constraint::Length(1),
        ])
        .areas(area);
        self.draw_header(f, header, &v);
        self.draw_tabs(f, tabs, &v);
        self.pane_ref(self.pane).draw(f, body, &v);
        match &self.popup {
            Some(Popup::Command(c)) => c.draw(f, status, &v),
            Some(p) => {
                p.draw(f, body, &v, self);
                f.render_widget(Paragraph::new(status_lines), status);
            }
            None => f.render_widget(Paragraph::new(status_lines), status),
        }
        self.draw_footer(f, footer, &v);
    }

    fn draw_header(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let t = v.theme;
        let lang = v.lang;
        let wide = area.width >= 120;
        let mut left: Vec<Span<'static>> = vec![Span::styled(
            format!(
                " {} ",
                if wide {
                    tr(lang, "AEO 协调员控制台", "AEO operator console")
                } else {
                    tr(lang, "AEO 控制台", "AEO console")
                }
            ),
            t.header,
        )];
        if self.session.demo {
            left.push(Span::styled(
                format!(
                    " {} ",
                    if wide {
                        tr(lang, "DEMO 演示数据", "DEMO")
                    } else {
                        "DEMO"
                    }
                ),
                t.demo,
            ));
        }
        if self.session.read_only {
            left.push(Span::styled(
                format!(" {} ", tr(lang, "READ-ONLY 只读", "READ-ONLY")),
                t.header_warn,
            ));
        }
        if self.session.new_db {
            left.push(Span::styled(
                format!(
                    " {} ",
                    if wide {
                        tr(
                            lang,
                            "⚠ 新建的空数据库：用 --db 或 AEO_DB 指定已有数据库",
                            "⚠ NEW EMPTY DATABASE: pass --db or set AEO_DB",
                        )
                    } else {
                        tr(lang, "⚠ 新建空库", "⚠ NEW EMPTY DB")
                    }
                ),
                t.header_warn,
            ));
        }
        let years = self.unknown_years();
        if !years.is_empty() {
            let ys: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            left.push(Span::styled(
                format!(
                    " ⚠ {} {} ",
                    ys.join("/"),
                    crate::calendar::unknown_year_flag(lang)
                ),
                t.header_warn,
            ));
        }
        if self.link_lost {
            left.push(Span::styled(
                format!(
                    " {} ",
                    if wide {
                        tr(
                            lang,
                            "⚠ 与数据库服务器的连接中断，正在重连",
                            "⚠ database connection lost, reconnecting",
                        )
                    } else {
                        tr(lang, "⚠ 连接中断", "⚠ link lost")
                    }
                ),
                t.header_warn,
            ));
        }
        if let Clock::Frozen(_) = self.clock {
            // Writes are refused under a frozen clock (except on a demo): say why up front.
            left.push(Span::styled(
                format!(
                    " {} ",
                    if wide {
                        tr(lang, "时钟已冻结", "clock frozen")
                    } else {
                        tr(lang, "冻结", "frozen")
                    }
                ),
                t.header_warn,
            ));
        }
        let clock = if wide {
            format!(
                " {} {} {} ",
                tr(lang, "上海时间", "Shanghai"),
                shanghai_date(self.now),
                present::clock(self.now)
            )
        } else {
            format!(" {} {} ", tr(lang, "上海", "SH"), present::clock(self.now))
        };
        let used: usize = left.iter().map(|s| width(&s.content)).sum::<usize>() + width(&clock);
        let room = usize::from(area.width).saturating_sub(used);
        let who = format!(
            " {} {} · ",
            tr(lang, "操作员", "operator"),
            inert(&self.session.operator),
        );
        // The end of a path says the most: cut from the left.
        let db = inert(&self.session.db_label);
        let db_room = room.saturating_sub(width(&who) + 1);
        let db = if width(&db) <= db_room {
            db
        } else {
            let tail: String = db
                .chars()
                .rev()
                .scan(0, |w, c| {
                    *w += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    (*w < db_room).then_some(c)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        };
        let who = pad(&format!("{who}{db}"), room);
        left.push(Span::styled(who, t.header));
        left.push(Span::styled(clock, t.header));
        f.render_widget(Paragraph::new(Line::from(left)).style(t.header), area);
    }

    fn draw_tabs(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        // A district's counts (tens of thousands) do not fit a narrow row written out: they
        // are shortened, then the tabs' padding goes, rather than cut off at the edge.
        let row = |short: Option<Lang>, pad: &str| {
            let mut spans = vec![Span::raw(" ")];
            for (i, p) in PaneId::ALL.iter().enumerate() {
                let style = if *p == self.pane {
                    v.theme.tab_active
                } else {
                    v.theme.tab
                };
                let counts = self.tabs[i].text(short);
                let title = if short.is_none() && (counts.is_empty() || area.width >= 120) {
                    p.title(v.lang)
                } else {
                    p.short_title(v.lang)
                };
                spans.push(Span::styled(
                    format!("{pad}{} {title}{counts}{pad}", i + 1),
                    style,
                ));
                spans.push(Span::raw(" "));
            }
            Line::from(spans)
        };
        let mut line = Line::default();
        for (short, pad) in [(None, " "), (Some(v.lang), " "), (Some(v.lang), "")] {
            line = row(short, pad);
            if line.width() <= usize::from(area.width) {
                break;
            }
        }
        f.render_widget(Paragraph::new(line), area);
    }

    /// The message area: the status message wrapped whole (up to a third of the screen), and
    /// the undo offer while it lasts.
    fn status_lines(&self, v: &View<'_>, cols: usize) -> Vec<Line<'static>> {
        let mut pieces = match &self.status {
            Some((s, StatusKind::Error)) => vec![(format!(" ✗ {s}"), v.theme.error)],
            Some((s, StatusKind::Info)) => vec![(format!(" ✓ {s}"), v.theme.info)],
            None => vec![(
                format!(
                    " {}",
                    tr(
                        v.lang,
                        "按 ? 查看全部按键，: 输入命令",
                        "press ? for every key, : for commands"
                    )
                ),
                v.theme.muted,
            )],
        };
        if self.undo_offer().is_some() && !self.session.read_only {
            pieces.push((format!("  {} ", self.keymap.label(Cmd::Undo)), v.theme.key));
            pieces.push((
                tr(v.lang, "撤销上一次更改", "undo the last change").to_string(),
                v.theme.muted,
            ));
        }
        let mut lines = wrap::wrap(&pieces, cols, 3);
        let max = usize::from(self.size.1 / 3).max(1);
        if lines.len() > max {
            lines.truncate(max);
        }
        lines
    }

    /// The keys that apply right now.
    pub fn current_hints(&self) -> Vec<Hint> {
        let read_only = self.session.read_only;
        let shown = |mut h: Vec<Hint>| {
            if read_only {
                h.retain(|h| !matches!(h.key, HintKey::Cmd(c) if c.writes()));
            }
            h
        };
        match &self.popup {
            Some(p) => shown(p.hints()),
            None => {
                let mut h = shown(self.pane_ref(self.pane).hints());
                if !self.pane_ref(self.pane).captures_text() {
                    h.push(Hint::cmd(Cmd::Help, "帮助", "help"));
                    h.push(Hint::cmd(Cmd::Quit, "退出", "quit"));
                }
                h
            }
        }
    }

    /// The console's own keys, for the help.
    /// The file name `Ctrl-S` suggests: the pane and the day, as a workbook.
    fn export_name(&self) -> String {
        let day = match self.pane {
            PaneId::Calendar => self.calendar.selected,
            _ => shanghai_date(self.now),
        };
        let pane = match self.pane {
            PaneId::Queue => "queue",
            PaneId::Calendar => "inspections",
            PaneId::Approvals => "approvals",
            PaneId::Lookup => "lookup",
            PaneId::Today => "today",
        };
        format!("{pane}-{day}.xlsx")
    }

    /// `:export FILE`: the current pane's view, every row its filter selects, to a workbook or
    /// CSV; an existing file is replaced only after a yes (`:export! FILE`).
    fn export_view(&mut self, arg: &str, force: bool) {
        use super::export::{self, FileKind};
        let lang = self.lang();
        if arg.is_empty() {
            return self.set_error(tr(
                lang,
                "请给出文件名：:export 文件名.xlsx 或 .csv",
                "give a file name: :export FILE.xlsx or .csv",
            ));
        }
        let path = std::path::PathBuf::from(arg);
        let Some(kind) = FileKind::of(&path) else {
            return self.set_error(format!(
                "{}{}",
                inert(arg),
                tr(
                    lang,
                    "：文件名请以 .xlsx（Excel 工作簿）或 .csv 结尾",
                    ": name the file .xlsx (an Excel workbook) or .csv",
                )
            ));
        };
        // Refusals first, so that no question is asked about a file that is never written.
        if let Err(e) = crate::transfer::output::refuse_database_files(&path, self.store.path()) {
            return self.set_error(localize(&e, lang));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        if !dir.is_dir() {
            return self.set_error(
                lang.pick(
                    &format!(
                        "没有目录 {}：请给出已有目录中的文件名",
                        inert(&dir.display().to_string())
                    ),
                    &format!(
                        "there is no directory {}: name a file in one that exists",
                        inert(&dir.display().to_string())
                    ),
                )
                .to_string(),
            );
        }
        if std::fs::metadata(&path).is_ok_and(|m| m.is_dir()) {
            return self.set_error(
                lang.pick(
                    &format!("{} 是目录：请给出文件名", inert(arg)),
                    &format!("{} is a directory: give a file name", inert(arg)),
                )
                .to_string(),
            );
        }
        if !force && std::fs::symlink_metadata(&path).is_ok() {
            let question = lang
                .pick(
                    &format!("{} 已存在，替换它吗？", inert(arg)),
                    &format!("{} already exists: replace it?", inert(arg)),
                )
                .to_string();
            let action = Action::RunCommand(format!("export! {arg}"));
            self.popup = Some(Popup::Confirm(Box::new(ConfirmPopup::new(
                question, action, None,
            ))));
            return;
        }
        let env = Env {
            store: &self.store,
            now: self.now,
            lang,
            cal: WorkingCalendar::official(),
            operator: &self.session.operator,
            data_version: self.generation,
        };
        let store = &self.store;
        let table = match self.pane {
            PaneId::Queue => export::queue(store, &self.queue.filter.list_filter(&env), lang),
            PaneId::Approvals => export::approvals(
                store,
                &self.approvals.filter.list_filter(&env),
                self.now,
                lang,
            ),
            PaneId::Lookup => {
                let ranking = &self.lookup.ranking;
                store
                    .found(ranking, 0, ranking.len())
                    .map(|all| export::lookup(&all, lang))
            }
            PaneId::Calendar => export::day(store, self.calendar.selected, lang),
            PaneId::Today => self
                .today
                .whole(&env)
                .map(|all| export::today(&all, self.now, lang)),
        };
        let written = table.and_then(|t| export::write(&t, kind, &path, store.path(), force));
        match written {
            Ok(n) => self.set_status(
                lang.pick(
                    &format!("已导出 {n} 行到 {}", inert(arg)),
                    &format!("exported {n} rows to {}", inert(arg)),
                )
                .to_string(),
            ),
            Err(e) => self.set_error(localize(&e, lang)),
        }
    }

    pub fn global_hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("1-4", "切换窗格", "switch pane"),
            Hint::cmd(Cmd::NextPane, "下一窗格", "next pane"),
            Hint::cmd(Cmd::PrevPane, "上一窗格", "previous pane"),
            Hint::cmd(Cmd::Help, "帮助", "help"),
            Hint::cmd(
                Cmd::CommandLine,
                "命令行 (:q :lookup :book :pane N)",
                "command line (:q :lookup :book :pane N)",
            ),
            Hint::cmd(Cmd::Back, "返回/关闭", "back / close"),
            Hint::cmd(
                Cmd::Export,
                "导出当前视图（筛选后的全部行）到 .xlsx/.csv",
                "export this view (all filtered rows) to .xlsx/.csv",
            ),
            Hint::cmd(
                Cmd::Undo,
                "撤销上一次更改（一分钟内）",
                "undo the last change (within a minute)",
            ),
            Hint::text("C-l", "重绘屏幕", "repaint the screen"),
            Hint::text("C-z", "挂起（fg 恢复）", "suspend (fg resumes)"),
            Hint::cmd(Cmd::Quit, "退出", "quit"),
            Hint {
                key: HintKey::Text("C-c"),
                zh: "立即退出",
                en: "quit at once",
            },
        ]
    }

    fn draw_footer(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let spans = hint_spans(&self.current_hints(), v, usize::from(area.width));
        f.render_widget(
            Paragraph::new(Line::from(spans)).style(Style::default()),
            area,
        );
    }
}
