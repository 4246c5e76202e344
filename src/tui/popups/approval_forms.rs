//! The approvals pane's changes to an approval's terms, each a small popup like the pause:
//! 补正 (the complete material received moves the acceptance, 行政许可法 第32条), the 第42条
//! extension with the head of office who approved it, and whether Shanghai holds the final
//! authority for the product (measure 26). Each change is confirmed first; a refusal of the
//! store keeps the popup open with the reason in the status line.

use super::form::{FormKey, field_line, form_key, text_value};
use super::{centered, popup_frame};
use crate::calendar::parse_instant;
use crate::domain::message::Message;
use crate::present;
use crate::text::{inert, tr};
use crate::tui::app::{Action, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent};
use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws a small popup of `lines` titled `title` over `area`: up to 72 columns wide, as tall as
/// its wrapped lines.
fn draw_small(f: &mut Frame<'_>, area: Rect, v: &View<'_>, title: String, lines: Vec<Line<'_>>) {
    let cols = usize::from(area.width.min(72).saturating_sub(2));
    let lines: Vec<Line<'static>> = lines
        .iter()
        .flat_map(|l| crate::tui::wrap::wrap_line(l, cols, 1))
        .collect();
    let r = centered(area, 72, lines.len() as u16 + 2);
    let inner = popup_frame(f, r, title, v);
    f.render_widget(Paragraph::new(lines), inner);
}

/// One text field and nothing else: Enter submits, Esc goes back, Tab has nowhere to go.
fn text_key(key: &KeyEvent, text: &mut String) -> FormKey {
    let mut only = ();
    form_key(key, &[()], &mut only, Some(text))
}

/// 补正: when the complete material was received; the acceptance moves there.
pub struct CorrectPopup {
    pub id: i64,
    pub reference: String,
    pub accepted_at: Timestamp,
    /// As typed, Shanghai time; filled with the console's time when opened.
    pub received: String,
}

impl CorrectPopup {
    pub fn new(id: i64, reference: String, accepted_at: Timestamp, now: Timestamp) -> Self {
        CorrectPopup {
            id,
            reference,
            accepted_at,
            received: present::instant(now),
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        match text_key(key, &mut self.received) {
            FormKey::Back => Some(Action::ClosePopup),
            FormKey::Submit => Some(match parse_instant(&self.received) {
                Ok(at) => Action::CorrectAcceptance(self.id, at),
                Err(e) => {
                    let t = inert(self.received.trim());
                    Action::Error(Message::new(
                        format!(
                            "补正材料收到时间：“{t}”不是可用的时间（例如 2026-11-27 09:00，上海时间）"
                        ),
                        format!("material received: {e}"),
                    ))
                }
            }),
            FormKey::Turn(_) | FormKey::Nothing => None,
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let lines = vec![
            Line::from(vec![
                Span::styled(
                    tr(lang, " 现受理时间 ", " accepted on record "),
                    v.theme.muted,
                ),
                Span::raw(present::instant(self.accepted_at)),
            ]),
            field_line(
                v,
                true,
                tr(lang, "补正材料收到时间", "complete material received"),
                text_value(
                    v,
                    &self.received,
                    true,
                    tr(lang, " 例如 2026-11-27 09:00", " e.g. 2026-11-27 09:00"),
                ),
            ),
            Line::raw(""),
            Line::styled(
                tr(
                    lang,
                    " 补正在受理之前（第32条）：受理移至材料齐全之时，时限从次日起算",
                    " 补正 comes before acceptance (第32条): the acceptance moves to when the material was complete, and the limit counts again from the next day",
                ),
                v.theme.info,
            ),
        ];
        let title = format!(
            "{} {}",
            tr(lang, "补正后受理", "Accept after 补正:"),
            inert(&self.reference)
        );
        draw_small(f, area, v, title, lines);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "补正后受理", "accept from then"),
            Hint::text("Esc", "返回", "back"),
        ]
    }
}

/// 第42条: the limit runs ten working days longer, once, approved by the head of office.
pub struct ExtendPopup {
    pub id: i64,
    pub reference: String,
    pub approver: String,
}

impl ExtendPopup {
    pub fn new(id: i64, reference: String) -> Self {
        ExtendPopup {
            id,
            reference,
            approver: String::new(),
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, _km: &Keymap) -> Option<Action> {
        match text_key(key, &mut self.approver) {
            FormKey::Back => Some(Action::ClosePopup),
            FormKey::Submit => Some(Action::ExtendApproval(
                self.id,
                self.approver.trim().to_string(),
            )),
            FormKey::Turn(_) | FormKey::Nothing => None,
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let days = crate::domain::approval::EXTENSION_DAYS;
        let lines = vec![
            field_line(
                v,
                true,
                tr(lang, "批准的负责人", "approved by"),
                text_value(v, &self.approver, true, tr(lang, " 例如 王科长", " e.g. 王科长")),
            ),
            Line::raw(""),
            Line::styled(
                lang.pick(
                    &format!(" 第42条：经本行政机关负责人批准，常规时限可延长{days}个工作日，只延长一次"),
                    &format!(" 第42条: approved by the head of the office, a regular limit runs {days} working days longer, once"),
                )
                .to_string(),
                v.theme.info,
            ),
        ];
        let title = format!(
            "{} {}",
            tr(lang, "延长时限（第42条）", "Extend (第42条):"),
            inert(&self.reference)
        );
        draw_small(f, area, v, title, lines);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("Enter", "延长", "extend"),
            Hint::text("Esc", "返回", "back"),
        ]
    }
}

/// Measure 26: whether Shanghai Customs decides finally on the product (its shorter limit).
pub struct FinalAuthorityPopup {
    pub id: i64,
    pub reference: String,
    /// What is on record now.
    pub current: bool,
}

impl FinalAuthorityPopup {
    pub fn new(id: i64, reference: String, current: bool) -> Self {
        FinalAuthorityPopup {
            id,
            reference,
            current,
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        match key.code {
            KeyCode::Char('1') => Some(Action::SetFinalAuthority(self.id, true)),
            KeyCode::Char('2') => Some(Action::SetFinalAuthority(self.id, false)),
            _ if km.is(Cmd::Back, key) || km.is(Cmd::Quit, key) => Some(Action::ClosePopup),
            _ => None,
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let now = tr(lang, "（现为）", " (on record)");
        let choice = |n: &str, on: bool| {
            let mut spans = vec![
                Span::styled(format!(" {n} "), v.theme.key),
                Span::raw(final_authority_words(on).text(lang).to_string()),
            ];
            if on == self.current {
                spans.push(Span::styled(now, v.theme.muted));
            }
            Line::from(spans)
        };
        let lines = vec![
            Line::styled(
                tr(
                    lang,
                    " 措施26只缩短海关总署授权上海海关终审的产品的审批时限",
                    " measure 26 shortens the limit of the products GACC authorised Shanghai Customs to decide finally",
                ),
                v.theme.info,
            ),
            choice("1", true),
            choice("2", false),
        ];
        let title = format!(
            "{} {}",
            tr(lang, "终审权限（措施26）", "Final authority (measure 26):"),
            inert(&self.reference)
        );
        draw_small(f, area, v, title, lines);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::text("1/2", "有/无终审权限", "has / has not"),
            Hint::text("Esc", "返回", "back"),
        ]
    }
}

/// Whether Shanghai holds the final authority, and what follows for the limit.
pub fn final_authority_words(on: bool) -> Message {
    if on {
        Message::new(
            "上海有终审权限：适用措施26的压缩时限",
            "Shanghai decides finally: measure 26's shorter limit",
        )
    } else {
        Message::new(
            "上海无终审权限：适用常规时限",
            "Shanghai does not decide finally: the regular limit",
        )
    }
}
