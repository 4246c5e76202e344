//! The call form (来电记录, measures 29 and 33), opened from the hotline card with the enterprise
//! and the operator filled in. An answered call is the question, Tab, the answer, Enter: typing
//! plus three keys with the one that opened the form. ←/→ change the outcome or the channel when
//! their line has the focus; the store checks the call again and its refusal keeps the form open.

use super::{centered, popup_frame};
use crate::domain::call::{CallOutcome, Channel};
use crate::text::{Lang, inert, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::Keymap;
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

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

    fn text_mut(&mut self) -> Option<&mut String> {
        let e = &mut self.entry;
        match self.field {
            CallField::Question => Some(&mut e.question),
            CallField::Answer => Some(&mut e.answer),
            CallField::Measures => Some(&mut e.measures),
            CallField::CallbackBy => Some(&mut e.callback_by),
            CallField::Caller => Some(&mut e.caller),
            CallField::Phone => Some(&mut e.phone),
            CallField::Outcome | CallField::Channel => None,
        }
    }

    fn move_focus(&mut self, forward: bool) {
        let order = CallField::ORDER;
        let n = order.len();
        let i = order.iter().position(|f| *f == self.field).unwrap_or(0);
        self.field = order[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }

    fn cycle<T: Copy + PartialEq>(all: &[T], now: T, forward: bool) -> T {
        let n = all.len();
        let i = all.iter().position(|x| *x == now).unwrap_or(0);
        all[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => Some(Action::OpenCard(self.entry.enterprise_id)),
            KeyCode::Enter => Some(Action::LogCall(Box::new(self.entry.clone()))),
            KeyCode::Tab if !key.modifiers.contains(KeyModifiers::SHIFT) => {
                self.move_focus(true);
                None
            }
            KeyCode::BackTab | KeyCode::Tab => {
                self.move_focus(false);
                None
            }
            KeyCode::Down => {
                self.move_focus(true);
                None
            }
            KeyCode::Up => {
                self.move_focus(false);
                None
            }
            KeyCode::Left | KeyCode::Right => {
                let fwd = key.code == KeyCode::Right;
                match self.field {
                    CallField::Outcome => {
                        self.entry.outcome = Self::cycle(CallOutcome::ALL, self.entry.outcome, fwd)
                    }
                    CallField::Channel => {
                        self.entry.channel = Self::cycle(Channel::ALL, self.entry.channel, fwd)
                    }
                    _ => {}
                }
                None
            }
            KeyCode::Backspace => {
                if let Some(t) = self.text_mut() {
                    t.pop();
                }
                None
            }
            KeyCode::Char('u') if ctrl => {
                if let Some(t) = self.text_mut() {
                    t.clear();
                }
                None
            }
            KeyCode::Char(c) if !c.is_control() && !ctrl => {
                if let Some(t) = self.text_mut() {
                    t.push(c);
                }
                None
            }
            _ => None,
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
            let label_style = if focused {
                t.title.patch(t.today)
            } else {
                t.muted
            };
            let value: Vec<Span<'static>> = match f {
                CallField::Outcome => CallOutcome::ALL
                    .iter()
                    .map(|o| {
                        Span::styled(
                            format!(" {} ", o.name(lang)),
                            if *o == e.outcome {
                                t.selected
                            } else {
                                Style::default()
                            },
                        )
                    })
                    .collect(),
                CallField::Channel => vec![Span::styled(
                    format!(" {} ", e.channel.name(lang)),
                    t.selected,
                )],
                _ => {
                    let text = match f {
                        CallField::Question => &e.question,
                        CallField::Answer => &e.answer,
                        CallField::Measures => &e.measures,
                        CallField::CallbackBy => &e.callback_by,
                        CallField::Caller => &e.caller,
                        _ => &e.phone,
                    };
                    let mut s = vec![Span::raw(inert(text))];
                    if focused {
                        s.push(Span::styled("▏", t.key));
                    }
                    if text.is_empty() && f == CallField::CallbackBy {
                        let example = v.now + jiff::SignedDuration::from_hours(2);
                        s.push(Span::styled(
                            format!(
                                "{}{}",
                                tr(lang, " 例如 ", " e.g. "),
                                crate::present::instant(example)
                            ),
                            t.muted,
                        ));
                    }
                    if text.is_empty() && f == CallField::Measures {
                        s.push(Span::styled(
                            tr(lang, " 例如 27 或 7,30", " e.g. 27 or 7,30"),
                            t.muted,
                        ));
                    }
                    s
                }
            };
            let mut spans = vec![Span::styled(
                format!("{:<1}{} ", if focused { "›" } else { " " }, f.label(lang)),
                label_style,
            )];
            spans.extend(value);
            out.push(Line::from(spans));
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
        let w = if area.width >= 120 { 100 } else { area.width };
        let r = centered(area, w, 16.min(area.height));
        let title = format!(
            "{} · 962116 · {}",
            tr(v.lang, "记录来电", "Log a call"),
            inert(&self.enterprise_name)
        );
        let inner = popup_frame(f, r, title, v);
        let lines: Vec<Line<'static>> = self
            .lines(v)
            .iter()
            .flat_map(|l| crate::tui::wrap::wrap_line(l, usize::from(inner.width), 4))
            .collect();
        f.render_widget(Paragraph::new(lines), inner);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "记录", "log"),
            Hint::text("Tab", "下一项", "next field"),
            Hint::text("←/→", "结果/渠道", "outcome/channel"),
            Hint::text("Esc", "返回卡片", "back to the card"),
        ]
    }
}

impl crate::tui::app::App {
    /// Opens the call form over the card, with the enterprise and this operator filled in.
    pub(crate) fn open_call_form(&mut self, enterprise_id: i64) {
        let store = self.store();
        let found = store.enterprise(enterprise_id).and_then(|e| {
            let person = store.hotline_person(enterprise_id)?;
            Ok((e, person))
        });
        match found {
            Ok((Some(e), person)) => {
                self.popup = Some(super::Popup::Call(Box::new(CallForm::new(
                    enterprise_id,
                    e.name_zh,
                    self.session.operator.clone(),
                    person,
                ))));
            }
            Ok((None, _)) => self.set_error(format!("no enterprise {enterprise_id}")),
            Err(e) => self.set_error(crate::domain::message::localize(&e, self.session.lang)),
        }
    }

    /// Logs the form's call; on success the card comes back showing it, on a refusal the form
    /// stays open with the reason in the status line.
    pub(crate) fn log_call(&mut self, e: CallEntry) {
        use crate::domain::call::parse_measures;
        use crate::domain::message::{Message, localize};
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
                self.popup = Some(super::Popup::Card(Box::new(super::HotlineCard::new(
                    e.enterprise_id,
                ))));
                self.after_write();
                self.set_status(done);
            }
            Err(err) => self.set_error(localize(&err, lang)),
        }
    }
}
