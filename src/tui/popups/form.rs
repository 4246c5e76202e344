//! What the forms opened from the hotline card share: fields in an order that Tab, Shift-Tab and
//! the arrows walk, text fields edited in place, choices turned with ←/→, Enter to submit, Esc
//! back to the card; one line per field, the focused one marked.

use super::{centered, popup_frame};
use crate::tui::app::View;
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What a key asks of a form beyond moving the focus and editing the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Submit,
    Back,
    /// ←/→ on a field of choices: the next (true) or previous choice.
    Turn(bool),
    Nothing,
}

/// The next (or previous) of `all` after `now`, round the end.
pub fn cycle<T: Copy + PartialEq>(all: &[T], now: T, forward: bool) -> T {
    let n = all.len();
    let i = all.iter().position(|x| *x == now).unwrap_or(0);
    all[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }]
}

/// Applies a key to a form whose fields come in `order`: moves `field`, edits `text` (the focused
/// field's text, None on a field of choices), or says what else the key asks for.
pub fn form_key<T: Copy + PartialEq>(
    key: &KeyEvent,
    order: &[T],
    field: &mut T,
    text: Option<&mut String>,
) -> FormKey {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => return FormKey::Back,
        KeyCode::Enter => return FormKey::Submit,
        KeyCode::Tab if !key.modifiers.contains(KeyModifiers::SHIFT) => {
            *field = cycle(order, *field, true)
        }
        KeyCode::Down => *field = cycle(order, *field, true),
        KeyCode::BackTab | KeyCode::Tab | KeyCode::Up => *field = cycle(order, *field, false),
        KeyCode::Left | KeyCode::Right => return FormKey::Turn(key.code == KeyCode::Right),
        KeyCode::Backspace => {
            if let Some(t) = text {
                t.pop();
            }
        }
        KeyCode::Char('u') if ctrl => {
            if let Some(t) = text {
                t.clear();
            }
        }
        KeyCode::Char(c) if !c.is_control() && !ctrl => {
            if let Some(t) = text {
                t.push(c);
            }
        }
        _ => {}
    }
    FormKey::Nothing
}

/// One field's line: the label (marked when focused), then its value.
pub fn field_line(
    v: &View<'_>,
    focused: bool,
    label: &str,
    value: Vec<Span<'static>>,
) -> Line<'static> {
    let t = v.theme;
    let style = if focused {
        t.title.patch(t.today)
    } else {
        t.muted
    };
    let mut spans = vec![Span::styled(
        format!("{}{label} ", if focused { "›" } else { " " }),
        style,
    )];
    spans.extend(value);
    Line::from(spans)
}

/// A text field's value: the text made inert, the cursor when focused, an example when empty.
pub fn text_value(v: &View<'_>, text: &str, focused: bool, example: &str) -> Vec<Span<'static>> {
    let mut s = vec![Span::raw(crate::text::inert(text))];
    if focused {
        s.push(Span::styled("▏", v.theme.key));
    }
    if text.is_empty() && !example.is_empty() {
        s.push(Span::styled(example.to_string(), v.theme.muted));
    }
    s
}

/// One choice of a field of choices, highlighted when it is the one chosen.
pub fn choice(v: &View<'_>, chosen: bool, text: &str) -> Span<'static> {
    Span::styled(
        format!(" {text} "),
        if chosen {
            v.theme.selected
        } else {
            Style::default()
        },
    )
}

/// Draws a form: up to 100 columns wide, `height` rows (both within the screen), its lines wrapped.
pub fn draw_form(
    f: &mut Frame<'_>,
    area: Rect,
    v: &View<'_>,
    title: String,
    height: u16,
    lines: Vec<Line<'static>>,
) {
    let w = if area.width >= 120 { 100 } else { area.width };
    let r = centered(area, w, height.min(area.height));
    let inner = popup_frame(f, r, title, v);
    let lines: Vec<Line<'static>> = lines
        .iter()
        .flat_map(|l| crate::tui::wrap::wrap_line(l, usize::from(inner.width), 4))
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// A form's keys: Enter does `submit`, ←/→ turn the choices `turns`.
pub fn form_hints(
    submit: (&'static str, &'static str),
    turns: (&'static str, &'static str),
) -> Vec<Hint> {
    vec![
        Hint::text("Enter", submit.0, submit.1),
        Hint::text("Tab", "下一项", "next field"),
        Hint::text("←/→", turns.0, turns.1),
        Hint::text("Esc", "返回卡片", "back to the card"),
    ]
}

impl crate::tui::app::App {
    /// Opens a form made from the enterprise by `make`, or says in the status line why not.
    pub(crate) fn open_form(
        &mut self,
        enterprise_id: i64,
        make: impl FnOnce(&Self, crate::domain::enterprise::Enterprise) -> anyhow::Result<super::Popup>,
    ) {
        let made = self
            .store()
            .enterprise(enterprise_id)
            .and_then(|e| match e {
                Some(e) => make(self, e).map(Some),
                None => Ok(None),
            });
        match made {
            Ok(Some(popup)) => self.popup = Some(popup),
            Ok(None) => self.set_error(format!("no enterprise {enterprise_id}")),
            Err(e) => self.set_error(crate::domain::localize::localize(&e, self.session.lang)),
        }
    }

    /// After a form's change: back on the enterprise's card, which shows it, `done` said.
    pub(crate) fn back_to_card(&mut self, enterprise_id: i64, done: String) {
        self.popup = Some(super::Popup::Card(Box::new(super::HotlineCard::new(
            enterprise_id,
        ))));
        self.after_write();
        self.set_status(done);
    }
}
