//! The call form (来电记录, measures 29 and 33), opened from the hotline card with the enterprise
//! and the operator filled in. An answered call is the question, Tab, the answer, Enter: typing
//! plus three keys with the one that opened the form. ←/→ change the outcome or the channel when
//! their line has the focus; the store checks the call again and its refusal keeps the form open.

use super::form::{
    FormKey, choice, cycle, draw_form, field_line, form_hints, form_key, text_value,
};
use crate::domain::call::{CallOutcome, Channel};
use crate::text::{Lang, inert, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallField {
    Question,
    Answer,
    Outcome,
    Measures,
    CallbackBy,
    Caller,
    Phone,
    Channel,
}

impl CallField {
    const ORDER: [CallField; 8] = [
        CallField::Question,
        CallField::Answer,
        CallField::Outcome,
        CallField::Measures,
        CallField::CallbackBy,
        CallField::Caller,
        CallField::Phone,
        CallField::Channel,
    ];

    fn label(self, lang: Lang) -> &'static str {
        match self {
            CallField::Question => tr(lang, "问题", "question"),
            CallField::Answer => tr(lang, "答复", "answer"),
            CallField::Outcome => tr(lang, "结果 ←/→", "outcome ←/→"),
            CallField::Measures => tr(lang, "措施编号", "measures"),
            CallField::CallbackBy => tr(lang, "回电时限", "callback by"),
            CallField::Caller => tr(lang, "来电人", "caller"),
            CallField::Phone => tr(lang, "电话", "phone"),
            CallField::Channel => tr(lang, "渠道 ←/→", "channel ←/→"),
        }
    }
}

/// What the form asks the store to log.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEntry {
    pub enterprise_id: i64,
    pub channel: Channel,
    pub outcome: CallOutcome,
    pub question: String,
    pub answer: String,
    pub measures: String,
    pub callback_by: String,
    pub caller: String,
    pub phone: String,
}

pub struct CallForm {
    pub enterprise_name: String,
    pub entry: CallEntry,
    pub field: CallField,
    pub operator: String,
    /// The enterprise's designated hotline person, for whom the call will be marked.
    pub marked_for: Option<String>,
}

impl CallForm {
    pub fn new(
        enterprise_id: i64,
        enterprise_name: String,
        operator: String,
        marked_for: Option<String>,
    ) -> CallForm {
        CallForm {
            enterprise_name,
            entry: CallEntry {
                enterprise_id,
                channel: Channel::Hotline,
                outcome: CallOutcome::Answered,
                question: String::new(),
                answer: String::new(),
                measures: String::new(),
                callback_by: String::new(),
                caller: String::new(),
                phone: String::new(),
            },
            field: CallField::Question,
            operator,
            marked_for,
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        let e = &mut self.entry;
        let text = match self.field {
            CallField::Question => Some(&mut e.question),
            CallField::Answer => Some(&mut e.answer),
            CallField::Measures => Some(&mut e.measures),
            CallField::CallbackBy => Some(&mut e.callback_by),
            CallField::Caller => Some(&mut e.caller),
            CallField::Phone => Some(&mut e.phone),
            CallField::Outcome | CallField::Channel => None,
        };
        match form_key(key, &CallField::ORDER, &mut self.field, text) {
            FormKey::Back => Some(Action::OpenCard(self.entry.enterprise_id)),
            FormKey::Submit => Some(Action::LogCall(Box::new(self.entry.clone()))),
            FormKey::Turn(fwd) => {
                let e = &mut self.entry;
                match self.field {
                    CallField::Outcome => e.outcome = cycle(CallOutcome::ALL, e.outcome, fwd),
                    CallField::Channel => e.channel = cycle(Channel::ALL, e.channel, fwd),
                    _ => {}
                }
                None
            }
            FormKey::Nothing => None,
        }
    }

    pub fn lines(&self, v: &View<'_>) -> Vec<Line<'static>> {
        let (lang, t) = (v.lang, v.theme);
        let e = &self.entry;
        let mut out = vec![Line::from(vec![
            Span::styled(tr(lang, "企业 ", "enterprise "), t.muted),
            Span::styled(inert(&self.enterprise_name), t.title),
            Span::styled(tr(lang, "  接听 ", "  taken by "), t.muted),
            Span::raw(inert(&self.operator)),
            Span::styled(
                match &self.marked_for {
                    Some(p) => format!(
                        "{}{}",
                        tr(lang, "  热线专人 ", "  hotline person "),
                        inert(p)
                    ),
                    None => String::new(),
                },
                t.aeo,
            ),
        ])];
        out.push(Line::raw(""));
        for f in CallField::ORDER {
            if f == CallField::CallbackBy && e.outcome != CallOutcome::Callback {
                continue;
            }
            let focused = self.field == f;
            let value: Vec<Span<'static>> = match f {
                CallField::Outcome => CallOutcome::ALL
                    .iter()
                    .map(|o| choice(v, *o == e.outcome, o.name(lang)))
                    .collect(),
                CallField::Channel => vec![choice(v, true, e.channel.name(lang))],
                _ => {
                    let example = match f {
                        CallField::CallbackBy => format!(
                            "{}{}",
                            tr(lang, " 例如 ", " e.g. "),
                            crate::present::instant(v.now + jiff::SignedDuration::from_hours(2))
                        ),
                        CallField::Measures => {
                            tr(lang, " 例如 27 或 7,30", " e.g. 27 or 7,30").to_string()
                        }
                        _ => String::new(),
                    };
                    let text = match f {
                        CallField::Question => &e.question,
                        CallField::Answer => &e.answer,
                        CallField::Measures => &e.measures,
                        CallField::CallbackBy => &e.callback_by,
                        CallField::Caller => &e.caller,
                        _ => &e.phone,
                    };
                    text_value(v, text, focused, &example)
                }
            };
            out.push(field_line(v, focused, f.label(lang), value));
        }
        out.push(Line::raw(""));
        out.push(Line::styled(
            match e.outcome {
                CallOutcome::Answered => tr(
                    lang,
                    "Enter 记录已答复的来电",
                    "Enter logs the answered call",
                ),
                CallOutcome::Problem => tr(
                    lang,
                    "Enter 记录来电并以问题立项（措施29，清零）",
                    "Enter logs the call and opens a problem (measure 29)",
                ),
                CallOutcome::Forwarded => tr(
                    lang,
                    "Enter 记录来电，转给当前值班的协调员",
                    "Enter logs the call, forwarded to the coordinator on duty",
                ),
                CallOutcome::Callback => tr(
                    lang,
                    "Enter 记录来电，约定回电时限（在“今日”中倒计时）",
                    "Enter logs the call; the callback counts down in Today",
                ),
            },
            t.info,
        ));
        out
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let title = format!(
            "{} · 962116 · {}",
            tr(v.lang, "记录来电", "Log a call"),
            inert(&self.enterprise_name)
        );
        draw_form(f, area, v, title, 16, self.lines(v));
    }

    pub fn hints(&self) -> Vec<Hint> {
        form_hints(("记录", "log"), ("结果/渠道", "outcome/channel"))
    }
}

impl crate::tui::app::App {
    /// Opens the call form over the card, with the enterprise and this operator filled in.
    pub(crate) fn open_call_form(&mut self, enterprise_id: i64) {
        self.open_form(enterprise_id, |app, e| {
            let person = app.store().hotline_person(enterprise_id)?;
            Ok(super::Popup::Call(Box::new(CallForm::new(
                enterprise_id,
                e.name_zh,
                app.session.operator.clone(),
                person,
            ))))
        });
    }

    /// Logs the form's call; on success the card comes back showing it, on a refusal the form
    /// stays open with the reason in the status line.
    pub(crate) fn log_call(&mut self, e: CallEntry) {
        use crate::domain::call::parse_measures;
        use crate::domain::localize::localize;
        use crate::domain::message::Message;
        let lang = self.session.lang;
        let (now, operator) = (self.now, self.session.operator.clone());
        let parsed = (|| -> anyhow::Result<(Vec<u8>, Option<jiff::Timestamp>)> {
            let measures = parse_measures(&e.measures)?;
            let by = if e.outcome == CallOutcome::Callback && !e.callback_by.trim().is_empty() {
                Some(
                    crate::calendar::parse_instant(&e.callback_by).map_err(|err| {
                        Message::new(
                            format!("回电时限：{}", localize(&err, Lang::Zh)),
                            format!("callback by: {}", localize(&err, Lang::En)),
                        )
                    })?,
                )
            } else {
                None
            };
            Ok((measures, by))
        })();
        let result = parsed.and_then(|(measures, callback_by)| {
            self.write_store(|w| {
                w.log_call(&crate::store::NewCall {
                    at: now,
                    operator: &operator,
                    enterprise_id: Some(e.enterprise_id),
                    caller_name: Some(&e.caller),
                    caller_phone: Some(&e.phone),
                    channel: e.channel,
                    measures: &measures,
                    question: &e.question,
                    answer: &e.answer,
                    outcome: e.outcome,
                    callback_by,
                    forwarded_to: None,
                    marked_for: None,
                    open_problem: true,
                })
            })
        });
        match result {
            Ok((id, problem)) => {
                let mut done = format!(
                    "{} #{id} {}",
                    tr(lang, "来电", "call"),
                    tr(lang, "已记录", "logged")
                );
                if let Some(p) = problem {
                    done.push_str(&format!(
                        " · {} #{p}",
                        tr(lang, "已立问题", "problem opened")
                    ));
                }
                self.back_to_card(e.enterprise_id, done);
            }
            Err(err) => self.set_error(localize(&err, lang)),
        }
    }
}
