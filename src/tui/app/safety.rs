//! No accidental writes: a key that changes data (or leaves the console) opens a confirmation
//! naming the record, with No as the default; a change just made may be undone for a short
//! while, as a new audited change; a read-only seat is told at once and opens no form.

use super::{Action, App};
use crate::domain::inspection::BookingStatus;
use crate::domain::message::Message;
use crate::domain::ownership::{ItemChange, ItemState};
use crate::store::read_only_message;
use crate::text::{inert, tr};
use crate::tui::popups::{ConfirmPopup, Popup};
use jiff::{SignedDuration, Timestamp};

/// How long the status line offers to undo the last change.
pub const UNDO_WINDOW: SignedDuration = SignedDuration::from_secs(60);

/// What undoing the last change puts back.
#[derive(Debug, Clone)]
pub enum UndoKind {
    Item {
        id: i64,
        before: ItemState,
        after: ItemState,
    },
    Booking {
        id: i64,
        before: BookingStatus,
        after: BookingStatus,
    },
    /// A paused clock runs again.
    Pause { id: i64 },
}

#[derive(Debug, Clone)]
pub struct UndoOffer {
    pub kind: UndoKind,
    /// What was done, for the question and the status line.
    pub what: Message,
    pub until: Timestamp,
}

impl Action {
    /// Changes data: never run straight from a key.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::ChangeItem(..)
                | Action::Book { .. }
                | Action::SetBookingStatus(..)
                | Action::PauseApproval(..)
                | Action::ResumeApproval(..)
                | Action::DecideApproval(..)
                | Action::CorrectAcceptance(..)
                | Action::ExtendApproval(..)
                | Action::SetFinalAuthority(..)
                | Action::LogCall(..)
                | Action::ScheduleVerification(..)
                | Action::MergeVerifications { .. }
                | Action::ProblemStep { .. }
                | Action::CallbackDone(..)
                | Action::Undo
        )
    }

    /// Asked for a confirmation when it comes from a key. Logging a call or scheduling a
    /// verification is its form's own Enter after the typing (and the form's rules refuse what
    /// is incomplete), so it is not asked.
    fn asks_first(&self) -> bool {
        (self.writes() && !matches!(self, Action::LogCall(..) | Action::ScheduleVerification(..)))
            || *self == Action::Quit
    }

    /// Opens a form whose only purpose is a write.
    fn opens_write_form(&self) -> bool {
        matches!(
            self,
            Action::OpenBooking(_)
                | Action::OpenDecide(..)
                | Action::OpenPause(..)
                | Action::OpenCorrect(..)
                | Action::OpenExtend(..)
                | Action::OpenFinalAuthority(..)
                | Action::OpenCallForm(..)
                | Action::OpenVerifyForm(..)
        )
    }
}

impl App {
    /// What a key asked for: writes and quitting are confirmed first; the rest runs at once.
    pub(super) fn dispatch(&mut self, a: Action) {
        let lang = self.lang();
        if self.session.read_only && (a.writes() || a.opens_write_form()) {
            self.popup = None;
            self.set_error(read_only_message().text(lang));
            return;
        }
        if a == Action::Undo && self.undo_offer().is_none() {
            self.set_error(tr(
                lang,
                "没有可撤销的更改（只能在一分钟内撤销本控制台的上一次更改）",
                "nothing to undo (the last change of this console can be undone for a minute)",
            ));
            return;
        }
        if a.asks_first() {
            let question = self.question(&a);
            let back = self.popup.take();
            self.popup = Some(Popup::Confirm(Box::new(ConfirmPopup::new(
                question, a, back,
            ))));
            return;
        }
        self.update(a);
    }

    /// The undo the status line offers, while it lasts.
    pub fn undo_offer(&self) -> Option<&UndoOffer> {
        self.undo.as_ref().filter(|u| self.now <= u.until)
    }

    pub(super) fn offer_undo(&mut self, kind: UndoKind) {
        let what = match &self.status {
            Some((s, _)) => Message::new(s.clone(), s.clone()),
            None => Message::new("", ""),
        };
        self.undo = Some(UndoOffer {
            kind,
            what,
            until: self.now.saturating_add(UNDO_WINDOW).unwrap_or(self.now),
        });
    }

    pub(super) fn change_item(&mut self, id: i64, change: ItemChange) {
        let lang = self.lang();
        let (op, now) = (self.session.operator.clone(), self.now);
        let done = format!(
            "{} #{id}{}{}",
            tr(lang, "队列事项", "queue item"),
            tr(lang, "：", ": "),
            lang.pick(change.name_zh(), change.name_en())
        );
        if let Some((before, after)) = self.apply(|w| w.change_item(id, change, &op, now), done) {
            self.offer_undo(UndoKind::Item { id, before, after });
        }
    }

    pub(super) fn undo(&mut self) {
        let lang = self.lang();
        let Some(offer) = self.undo_offer().cloned() else {
            return;
        };
        self.undo = None;
        let now = self.now;
        let done = format!(
            "{}{}",
            tr(lang, "已撤销：", "undone: "),
            offer.what.text(lang)
        );
        match offer.kind {
            UndoKind::Item { id, before, after } => {
                self.apply(|w| w.undo_item(id, &before, &after, now), done);
            }
            UndoKind::Booking { id, before, after } => {
                self.apply(|w| w.undo_booking(id, before, after, now), done);
            }
            UndoKind::Pause { id } => {
                self.apply(|w| w.resume_approval(id, now), done);
            }
        }
    }

    /// The confirmation's question, naming the record.
    fn question(&self, a: &Action) -> String {
        let lang = self.lang();
        let q = |zh: String, en: String| lang.pick(&zh, &en).to_string();
        match a {
            Action::Quit => {
                let typing = self.pane_ref(self.pane).captures_text();
                q(
                    format!(
                        "退出控制台？{}",
                        if typing {
                            "输入框中的内容不会保留。"
                        } else {
                            ""
                        }
                    ),
                    format!(
                        "Leave the console?{}",
                        if typing {
                            " The text typed in the box is not kept."
                        } else {
                            ""
                        }
                    ),
                )
            }
            Action::ChangeItem(id, change) => {
                let item = self.store.work_item(*id).ok().flatten();
                let (name, kind, holder) = match &item {
                    Some(r) => (
                        inert(&r.enterprise),
                        r.kind.name(lang).to_string(),
                        r.taken_by.clone(),
                    ),
                    None => (String::new(), String::new(), None),
                };
                let holder_zh = holder
                    .as_deref()
                    .map(|h| format!("（现由 {} 办理）", inert(h)))
                    .unwrap_or_default();
                let holder_en = holder
                    .as_deref()
                    .map(|h| format!(" (now held by {})", inert(h)))
                    .unwrap_or_default();
                q(
                    format!("{} #{id} {name} · {kind}{holder_zh}？", change.name_zh()),
                    format!(
                        "{} #{id} {name} · {kind}{holder_en}?",
                        capitalized(change.name_en())
                    ),
                )
            }
            Action::SetBookingStatus(id, to) => {
                let b = self.store.booking(*id).ok().flatten();
                let what = b
                    .map(|b| {
                        format!(
                            "{} {} {:02}:{:02}",
                            inert(&b.enterprise),
                            b.date,
                            b.start.hour(),
                            b.start.minute()
                        )
                    })
                    .unwrap_or_default();
                let (zh, en) = match to {
                    BookingStatus::Cancelled => ("取消预约", "Cancel booking"),
                    BookingStatus::Done => ("查验完成", "Mark done: booking"),
                    BookingStatus::Abnormal => ("查验异常", "Mark abnormal: booking"),
                    BookingStatus::Booked => ("恢复预约", "Book again"),
                };
                q(
                    format!("{zh} #{id} {what}？"),
                    format!("{en} #{id} {what}?"),
                )
            }
            Action::Book {
                slot_id,
                enterprise_id,
                location,
                reason,
                ..
            } => {
                let name = self.enterprise_name(*enterprise_id);
                let slot = self
                    .store
                    .slot(*slot_id)
                    .ok()
                    .flatten()
                    .map(|s| {
                        format!(
                            "{} {:02}:{:02} {}",
                            s.date,
                            s.start.hour(),
                            s.start.minute(),
                            inert(&s.office_name)
                        )
                    })
                    .unwrap_or_default();
                // The same enterprise twice in one slot is allowed but said again here.
                let repeat = self.store.bookings_of_slot(*slot_id).ok().and_then(|b| {
                    crate::domain::inspection::already_booked(
                        b.iter().map(|b| (b.id, b.enterprise_id, b.status)),
                        *enterprise_id,
                    )
                });
                let (again_zh, again_en) = match repeat {
                    Some(id) => (
                        format!("（已有预约 #{id}，将重复预约）"),
                        format!(" (it already holds #{id}: a second booking)"),
                    ),
                    None => (String::new(), String::new()),
                };
                let (why_zh, why_en) = reason
                    .map(|r| {
                        (
                            format!("（{}）", r.name_zh()),
                            format!(" ({})", r.name_en()),
                        )
                    })
                    .unwrap_or_default();
                q(
                    format!(
                        "预约查验：{name}，{slot}，{}{why_zh}{again_zh}？",
                        location.name_zh()
                    ),
                    format!(
                        "Book an inspection: {name}, {slot}, {}{why_en}{again_en}?",
                        location.name_en()
                    ),
                )
            }
            Action::PauseApproval(id, reason) => {
                let what = self.approval_label(*id);
                q(
                    format!("暂停计时 {what}（{}）？", reason.name_zh()),
                    format!("Pause the clock of {what} ({})?", reason.name_en()),
                )
            }
            Action::ResumeApproval(id) => {
                let what = self.approval_label(*id);
                q(
                    format!("恢复计时 {what}？"),
                    format!("Start the clock again for {what}?"),
                )
            }
            Action::DecideApproval(id, decision) => {
                let what = self.approval_label(*id);
                q(
                    format!("办结审批 {what}：{}？办结后不能撤销。", inert(decision)),
                    format!(
                        "Decide {what}: {}? A decision cannot be undone.",
                        inert(decision)
                    ),
                )
            }
            Action::CorrectAcceptance(id, at) => {
                let what = self.approval_label(*id);
                let at = crate::present::instant(*at);
                q(
                    format!("补正后受理 {what}：受理时间改为 {at}，时限从次日重新起算？"),
                    format!(
                        "Accept {what} after 补正 at {at}, the limit counting again from the next day?"
                    ),
                )
            }
            Action::ExtendApproval(id, approver) => {
                let what = self.approval_label(*id);
                let who = inert(approver);
                let days = crate::domain::approval::EXTENSION_DAYS;
                q(
                    format!(
                        "延长时限 {what}：经{who}批准延长{days}个工作日（第42条），只能延长一次？"
                    ),
                    format!(
                        "Extend {what} by {days} working days (第42条), approved by {who}? It is extended once only."
                    ),
                )
            }
            Action::SetFinalAuthority(id, on) => {
                let what = self.approval_label(*id);
                let words = crate::tui::popups::final_authority_words(*on);
                q(
                    format!("{what}：{}？", words.zh()),
                    format!("{what}: {}?", words.en()),
                )
            }
            Action::LogCall(entry) => {
                let name = self.enterprise_name(entry.enterprise_id);
                let asked = inert(&entry.question);
                q(
                    format!("记录来电：{name}「{asked}」？"),
                    format!("Log the call: {name} \"{asked}\"?"),
                )
            }
            Action::ProblemStep { id, action, .. } => q(
                format!("问题 #{id}：{}？", problem_step_zh(*action)),
                format!("Problem #{id}: {}?", problem_step_en(*action)),
            ),
            Action::MergeVerifications {
                enterprise_id,
                a,
                b,
            } => {
                let name = self.enterprise_name(*enterprise_id);
                q(
                    format!("合并核查 {name}：计划 #{b} 并入 #{a}，由同一小组一次完成（措施16）？"),
                    format!(
                        "Merge verifications of {name}: plan #{b} into #{a}, one team, one visit (measure 16)?"
                    ),
                )
            }
            Action::CallbackDone(id) => q(
                format!("回电已完成 #{id}？"),
                format!("Callback #{id} made?"),
            ),
            Action::Undo => {
                let what = self
                    .undo_offer()
                    .map(|u| u.what.text(lang).to_string())
                    .unwrap_or_default();
                q(format!("撤销：{what}？"), format!("Undo: {what}?"))
            }
            _ => String::new(),
        }
    }

    /// The enterprise's Chinese name, shown inert; empty if it cannot be read.
    fn enterprise_name(&self, id: i64) -> String {
        self.store
            .enterprise(id)
            .ok()
            .flatten()
            .map(|e| inert(&e.name_zh))
            .unwrap_or_default()
    }

    fn approval_label(&self, id: i64) -> String {
        match self.store.approval(id).ok().flatten() {
            Some(a) => format!("#{id} {} {}", inert(&a.reference), inert(&a.enterprise)),
            None => format!("#{id}"),
        }
    }
}

fn problem_step_zh(a: crate::domain::problem::ProblemAction) -> &'static str {
    use crate::domain::problem::ProblemAction as P;
    match a {
        P::Assign => "指派协调员",
        P::Note => "记录进展",
        P::Resolve => "标记已解决",
        P::Close => "关闭",
        P::Reopen => "重新打开",
    }
}

fn problem_step_en(a: crate::domain::problem::ProblemAction) -> &'static str {
    use crate::domain::problem::ProblemAction as P;
    match a {
        P::Assign => "assign a coordinator",
        P::Note => "add a note",
        P::Resolve => "mark resolved",
        P::Close => "close",
        P::Reopen => "reopen",
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
