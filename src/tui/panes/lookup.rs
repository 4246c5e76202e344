//! Pane 4, lookup: a Chinese name, pinyin, initials, a USCC or a customs code; results on every
//! key; Enter opens the hotline card.

use super::{Hint, Pane, credit_width, fit, frame_block, row_style, step};
use crate::present::why_text;
use crate::store::{FindOptions, Found, Ranking};
use crate::text::inert;
use crate::text::tr;
use crate::tui::app::{Action, Env, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::widgets::line_edit::{Edit, History, LineEdit};
use crate::tui::widgets::selection::Selection;
use crate::tui::wrap::wrap;
use anyhow::Result;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

/// Results beyond this are not useful to a caller on the line; the count says so. They are
/// ranked on every key; only the rows on screen are read whole.
const MAX_HITS: usize = 200;

#[derive(Debug, Default)]
pub struct LookupPane {
    /// The query as typed (mirrors `edit`).
    pub query: String,
    edit: LineEdit,
    history: History,
    /// Typing goes into the query (type-to-search); Esc leaves the box, `/` returns to it.
    pub editing: bool,
    /// What the query finds, best first, with what the query itself got wrong (a USCC's
    /// check character) and whether more matched than are listed.
    pub ranking: Ranking,
    /// The rows on screen, read whole: the ranking's from `cursor.offset`.
    pub hits: Vec<Found>,
    pub cursor: Selection,
    /// The query and data version the ranking is of: a new query selects its best match, and
    /// a move of the cursor reads only the rows it shows.
    ranked: Option<(String, u64)>,
}

impl LookupPane {
    pub fn set_page(&mut self, rows: usize) {
        self.cursor.set_page(rows);
    }

    pub fn set_query(&mut self, q: &str) {
        self.edit.set(q);
        self.query = self.edit.text().to_string();
        self.cursor.top();
    }

    pub fn selected_hit(&self) -> Option<&Found> {
        self.hits.get(self.cursor.in_window()?)
    }

    /// How many the query found (at most `MAX_HITS`).
    pub fn count(&self) -> usize {
        self.ranking.len()
    }
}

impl LookupPane {
    fn step(&mut self, by: isize) -> Option<Action> {
        let n = self.count();
        let offset = self.cursor.offset;
        self.cursor.select(step(self.cursor.selected, by, n), n);
        self.moved(offset)
    }

    /// After the cursor moved from a window at `offset`: the rows of another window are read.
    fn moved(&self, offset: usize) -> Option<Action> {
        self.cursor
            .left_window(offset, self.hits.len())
            .then_some(Action::Reload)
    }
}

impl Pane for LookupPane {
    fn refresh(&mut self, env: &Env<'_>) -> Result<()> {
        let key = (self.query.clone(), env.data_version);
        // Another operator's change: the cursor stays on the enterprise.
        let before = self
            .ranked
            .as_ref()
            .is_some_and(|(q, _)| *q == self.query)
            .then(|| self.selected_hit().map(|h| h.hit.enterprise.id))
            .flatten();
        if self.ranked.as_ref() != Some(&key) {
            self.ranking = env.store.rank(&self.query, &FindOptions::new(MAX_HITS))?;
            self.ranked = Some(key);
        }
        let ranking = &self.ranking;
        self.hits = self.cursor.window(
            ranking.len(),
            before,
            |f: &Found| f.hit.enterprise.id,
            |limit, offset| env.store.found(ranking, offset, limit),
            |id| Ok(ranking.position(id)),
        )?;
        Ok(())
    }

    fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if self.editing {
            match key.code {
                KeyCode::Esc => {
                    self.editing = false;
                    self.history.push(&self.query);
                    return None;
                }
                KeyCode::Enter => {
                    self.history.push(&self.query);
                    return self
                        .selected_hit()
                        .map(|h| Action::OpenCard(h.hit.enterprise.id));
                }
                KeyCode::Up if key.modifiers.contains(KeyModifiers::ALT) => {
                    return self.history_step(true);
                }
                KeyCode::Down if key.modifiers.contains(KeyModifiers::ALT) => {
                    return self.history_step(false);
                }
                KeyCode::PageDown | KeyCode::PageUp => {
                    let page = self.cursor.page() as isize;
                    let d = if key.code == KeyCode::PageDown {
                        page
                    } else {
                        -page
                    };
                    return self.step(d);
                }
                KeyCode::Down => return self.step(1),
                KeyCode::Up => return self.step(-1),
                // `/` was the way into the box: typed first, it is the habit, not the query.
                KeyCode::Char('/') if self.edit.is_empty() => return None,
                // No name, pinyin or code holds an ASCII colon: it is the command line.
                KeyCode::Char(':') if key.modifiers.difference(KeyModifiers::SHIFT).is_empty() => {
                    return Some(Action::OpenCommandLine);
                }
                _ => {
                    return match self.edit.handle(key) {
                        Edit::Changed => {
                            self.changed();
                            Some(Action::QueryChanged)
                        }
                        Edit::Moved | Edit::Ignored => None,
                    };
                }
            }
        }
        let offset = self.cursor.offset;
        if self.cursor.key(key, km, self.count()) {
            return self.moved(offset);
        }
        if km.is(Cmd::Filter, key) {
            self.editing = true;
            return None;
        }
        let hit = &self.selected_hit()?.hit;
        if km.is(Cmd::Open, key) {
            Some(Action::OpenCard(hit.enterprise.id))
        } else if km.is(Cmd::Copy, key) {
            Some(Action::Copy(hit.enterprise.uscc.clone()))
        } else if km.is(Cmd::CopyOther, key) {
            hit.coordinator
                .as_ref()
                .map(|c| Action::Copy(c.phone.clone()))
        } else {
            None
        }
    }

    fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>) {
        let lang = v.lang;
        let t = v.theme;
        let title = tr(
            lang,
            "企业查询 · 名称、别名、拼音、代码、单号、协调员",
            "Lookup · name, alias, pinyin, codes, numbers, coordinator",
        );
        let block = frame_block(title.to_string(), true, v);
        let inner = block.inner(area);
        f.render_widget(block, area);
        // What is wrong with the query is said whole: wrapped to the width, the table below
        // it a line or two shorter (a USCC's wrong check character: "… 下列为前 17 位相同的
        // 企业" ran past 80 columns).
        let note = self.ranking.notes.first().map(|n| {
            wrap(
                &[(lang.pick(&n.zh, &n.en).to_string(), t.warn)],
                usize::from(inner.width),
                0,
            )
        });
        let note_rows = note.as_ref().map_or(1, |l| l.len().clamp(1, 3)) as u16;
        let [input, table_area] =
            Layout::vertical([Constraint::Length(1 + note_rows), Constraint::Min(0)]).areas(inner);
        let mut spans = vec![Span::styled(
            format!("/ {} ", tr(lang, "查询", "find")),
            t.key,
        )];
        let room = usize::from(input.width).saturating_sub(30).max(10);
        if self.editing {
            spans.extend(self.edit.view(room, t.title, t.selected).spans);
        } else {
            spans.push(Span::styled(
                crate::text::truncate(&inert(&self.query), room),
                t.title,
            ));
        }
        if self.query.trim().is_empty() {
            spans.push(Span::styled(
                if self.editing {
                    tr(
                        lang,
                        " 输入名称、拼音首字母（如 shqc）或代码",
                        " type a name, initials (e.g. shqc) or a code",
                    )
                } else {
                    tr(lang, " 按 / 输入查询", " press / to search")
                },
                t.muted,
            ));
        } else {
            spans.push(Span::styled(
                format!(
                    "   {} {}{}",
                    self.count(),
                    tr(lang, "家", "found"),
                    if self.ranking.more { "+" } else { "" }
                ),
                t.muted,
            ));
        }
        // Below: what is wrong with the query, or why the selected row matched.
        let mut lines = vec![Line::from(spans)];
        if let Some(note) = note {
            lines.extend(note);
        } else if let Some(h) = self.selected_hit() {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", tr(lang, "匹配", "matched")), t.muted),
                Span::raw(why_text(&h.why, lang)),
            ]));
        }
        f.render_widget(Paragraph::new(lines), input);
        let w = table_area.width;
        let wide = w >= 120;
        let credit_w = credit_width(lang);
        let fixed: u16 =
            credit_w + 18 + 10 + if wide { 30 + 28 } else { 0 } + 3 + 2 * u16::from(wide);
        let name_w = w.saturating_sub(fixed).max(12);
        let mut widths = vec![name_w, credit_w, 18, 10];
        let mut header = vec![
            tr(lang, "企业名称", "Enterprise"),
            tr(lang, "信用等级", "Credit"),
            tr(lang, "统一社会信用代码", "USCC"),
            tr(lang, "海关编码", "Customs"),
        ];
        if wide {
            widths.push(30);
            header.push(tr(lang, "协调员", "Coordinator"));
            widths.push(28);
            header.push(tr(lang, "匹配", "Matched"));
        }
        // The rows the table has room for (below its heading), the selected one among them.
        // The rows held are the window from `cursor.offset`; a note above may leave room for
        // fewer, then the first rows give way to keep the selected one.
        let room = usize::from(table_area.height.saturating_sub(1)).max(1);
        let offset = self.cursor.offset;
        let skip = (self.cursor.selected + 1).saturating_sub(offset + room);
        let rows = self
            .hits
            .iter()
            .enumerate()
            .map(|(i, found)| (offset + i, found))
            .skip(skip)
            .take(self.cursor.page().min(room))
            .map(|(i, found)| {
                let h = &found.hit;
                let e = &h.enterprise;
                let mut cells = vec![
                    Cell::from(fit(&inert(&e.name_zh), name_w)),
                    Cell::from(Span::styled(
                        e.credit.short_name(lang),
                        if e.credit.is_aeo() {
                            t.aeo
                        } else {
                            Style::default()
                        },
                    )),
                    Cell::from(inert(&e.uscc)),
                    Cell::from(inert(&e.customs_code)),
                ];
                if wide {
                    let c = h
                        .coordinator
                        .as_ref()
                        .map(|c| format!("{} {}", inert(&c.name), inert(&c.phone)))
                        .unwrap_or_else(|| "—".to_string());
                    cells.push(Cell::from(fit(&c, 30)));
                    cells.push(Cell::from(fit(&why_text(&found.why, lang), 28)));
                }
                Row::new(cells).style(row_style(Style::default(), i == self.cursor.selected, v))
            });
        let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
            .header(Row::new(header).style(t.heading))
            .column_spacing(1);
        f.render_widget(table, table_area);
        if self.hits.is_empty() && !self.query.trim().is_empty() && table_area.height > 2 {
            f.render_widget(
                Paragraph::new(Line::styled(
                    tr(lang, "没有找到企业", "no enterprise found"),
                    t.muted,
                ))
                .centered(),
                Rect::new(table_area.x, table_area.y + 2, table_area.width, 1),
            );
        }
    }

    fn hints(&self) -> Vec<Hint> {
        if self.editing {
            return vec![
                Hint::text("Enter", "打开企业卡片", "open card"),
                Hint::text("↑/↓", "选择", "select"),
                Hint::text("Esc", "结束输入", "stop typing"),
            ];
        }
        vec![
            Hint::cmd(Cmd::Filter, "输入查询", "search"),
            Hint::cmd(Cmd::Open, "企业卡片", "card"),
            Hint::cmd(Cmd::Down, "下移", "down"),
            Hint::cmd(Cmd::Up, "上移", "up"),
            Hint::cmd(Cmd::Copy, "复制信用代码", "copy USCC"),
            Hint::cmd(Cmd::CopyOther, "复制协调员电话", "copy phone"),
        ]
    }

    fn captures_text(&self) -> bool {
        self.editing
    }

    fn paste(&mut self, text: &str) -> Option<Action> {
        self.editing = true;
        self.edit.insert_str(text);
        self.changed();
        Some(Action::QueryChanged)
    }

    fn focus(&mut self) {
        self.editing = true;
    }
}

impl LookupPane {
    fn changed(&mut self) {
        self.query = self.edit.text().to_string();
        self.cursor.top();
    }

    fn history_step(&mut self, back: bool) -> Option<Action> {
        let moved = if back {
            self.history.back(&mut self.edit)
        } else {
            self.history.forward(&mut self.edit)
        };
        moved.then(|| {
            self.changed();
            Action::QueryChanged
        })
    }
}
