//! The `/` filter of a list pane (the queue, the approvals) and its one-key narrowings
//! (overdue, nearly due, abnormal, mine): the line being typed, its history, and the words the
//! pane's title and filter line show.

use super::line_edit::{Edit, History, LineEdit};
use crate::domain::narrow::{Listing, Narrow};
use crate::store::ListFilter;
use crate::text::{Lang, inert, tr};
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::panes::Hint;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug)]
pub struct FilterBox {
    listing: Listing,
    edit: LineEdit,
    history: History,
    /// The cursor is in the filter line.
    pub editing: bool,
    pub narrow: Option<Narrow>,
}

/// What a key did to the filter.
#[derive(Debug, PartialEq)]
pub enum FilterKey {
    /// Not a filter key: the pane decides.
    Pass,
    /// Taken, nothing to reload.
    Taken,
    /// The list changes: the pane runs this action (reload now, or after a pause in typing).
    Changed(Action),
}

/// The keys of the narrowings.
const NARROW_KEYS: [(Cmd, Narrow); 4] = [
    (Cmd::NarrowOverdue, Narrow::Overdue),
    (Cmd::NarrowNearlyDue, Narrow::NearlyDue),
    (Cmd::NarrowAbnormal, Narrow::Abnormal),
    (Cmd::NarrowMine, Narrow::Mine),
];

impl FilterBox {
    pub fn new(listing: Listing) -> FilterBox {
        FilterBox {
            listing,
            edit: LineEdit::default(),
            history: History::default(),
            editing: false,
            narrow: None,
        }
    }

    /// The filter as typed.
    pub fn text(&self) -> &str {
        self.edit.text()
    }

    pub fn set_text(&mut self, s: &str) {
        self.edit.set(s);
    }

    /// The filter line takes a row of the pane.
    pub fn shows_line(&self) -> bool {
        self.editing || !self.edit.is_empty()
    }

    /// What the store narrows the list by.
    pub fn list_filter<'a>(&'a self, env: &Env<'a>) -> ListFilter<'a> {
        ListFilter {
            text: self.edit.text(),
            narrow: self.narrow,
            now: env.now,
            operator: env.operator,
        }
    }

    pub fn key(&mut self, key: &KeyEvent, km: &Keymap) -> FilterKey {
        if self.editing {
            return match key.code {
                KeyCode::Esc => {
                    self.editing = false;
                    self.history.push(self.edit.text());
                    self.edit.clear();
                    FilterKey::Changed(Action::Reload)
                }
                KeyCode::Enter => {
                    self.editing = false;
                    self.history.push(self.edit.text());
                    FilterKey::Changed(Action::Reload)
                }
                KeyCode::Up | KeyCode::Down => {
                    let moved = if key.code == KeyCode::Up {
                        self.history.back(&mut self.edit)
                    } else {
                        self.history.forward(&mut self.edit)
                    };
                    if moved {
                        FilterKey::Changed(Action::QueryChanged)
                    } else {
                        FilterKey::Taken
                    }
                }
                _ => match self.edit.handle(key) {
                    Edit::Changed => FilterKey::Changed(Action::QueryChanged),
                    Edit::Moved | Edit::Ignored => FilterKey::Taken,
                },
            };
        }
        if km.is(Cmd::Filter, key) {
            self.editing = true;
            return FilterKey::Taken;
        }
        if let Some((_, n)) = NARROW_KEYS.iter().find(|(c, _)| km.is(*c, key)) {
            self.narrow = Narrow::toggle(self.narrow, *n);
            return FilterKey::Changed(Action::Reload);
        }
        if km.is(Cmd::Back, key) && (self.narrow.is_some() || !self.edit.is_empty()) {
            self.narrow = None;
            self.edit.clear();
            return FilterKey::Changed(Action::Reload);
        }
        FilterKey::Pass
    }

    /// A paste goes into the line while it is being typed, else nowhere.
    pub fn paste(&mut self, text: &str) -> Option<Action> {
        if !self.editing {
            return None;
        }
        self.edit.insert_str(text);
        Some(Action::QueryChanged)
    }

    /// The pane's title with the narrowing in force first: "优先队列 [只看超期] · …".
    pub fn title(&self, name: &str, rest: &str, lang: Lang) -> String {
        match self.narrow {
            Some(n) => format!("{name} [{}] · {rest}", n.label(self.listing, lang)),
            None => format!("{name} · {rest}"),
        }
    }

    /// The filter line: what is typed (with the cursor while typing) and how many rows match.
    pub fn draw_line(
        &self,
        f: &mut Frame<'_>,
        area: Rect,
        v: &View<'_>,
        matched: impl std::fmt::Display,
    ) {
        let (lang, t) = (v.lang, v.theme);
        let room = usize::from(area.width).saturating_sub(40).max(10);
        let mut spans = vec![Span::styled(
            format!("/ {} ", tr(lang, "筛选", "filter")),
            t.key,
        )];
        if self.editing {
            spans.extend(self.edit.view(room, t.title, t.selected).spans);
        } else {
            spans.push(Span::styled(
                crate::text::truncate(&inert(self.edit.text()), room),
                t.title,
            ));
        }
        let what = match self.listing {
            Listing::Queue => tr(
                lang,
                "项匹配（名称、拼音、报关单号）",
                "match (name, pinyin, declaration no.)",
            ),
            Listing::Approvals => tr(
                lang,
                "件匹配（名称、拼音、编号、事项）",
                "match (name, pinyin, reference, kind)",
            ),
        };
        spans.push(Span::styled(format!("   {matched} {what}"), t.muted));
        f.render_widget(Paragraph::new(Line::from(spans)), area);
    }

    /// The hints while typing; else those of the narrowings.
    pub fn hints(&self) -> Option<Vec<Hint>> {
        self.editing.then(|| {
            vec![
                Hint::text("Enter", "确定筛选", "keep filter"),
                Hint::text("Esc", "清除筛选", "clear filter"),
            ]
        })
    }

    pub fn narrow_hints(&self) -> Vec<Hint> {
        // "仅…" / "… only": never read like the keys that change data (`x` marks 异常).
        let abnormal = match self.listing {
            Listing::Queue => Hint::cmd(Cmd::NarrowAbnormal, "仅异常", "abnormal only"),
            Listing::Approvals => Hint::cmd(Cmd::NarrowAbnormal, "仅暂停", "paused only"),
        };
        vec![
            Hint::cmd(Cmd::NarrowOverdue, "仅超期", "overdue only"),
            Hint::cmd(Cmd::NarrowNearlyDue, "仅将到期", "nearly due only"),
            abnormal,
            Hint::cmd(Cmd::NarrowMine, "仅我的", "mine only"),
        ]
    }
}
