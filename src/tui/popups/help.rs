//! `?`: every key of the current pane, then the console's own keys.

use super::{centered, popup_frame};
use crate::text::pad;
use crate::text::tr;
use crate::tui::app::{Action, App, View};
use crate::tui::keymap::{Cmd, Keymap};
use crate::tui::panes::Hint;
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Default)]
pub struct HelpPopup {
    scroll: u16,
}

impl HelpPopup {
    pub fn handle_key(&mut self, key: &KeyEvent, km: &Keymap) -> Option<Action> {
        if km.is(Cmd::Down, key) {
            self.scroll = self.scroll.saturating_add(1);
            None
        } else if km.is(Cmd::Up, key) {
            self.scroll = self.scroll.saturating_sub(1);
            None
        } else if km.is(Cmd::Back, key) || km.is(Cmd::Help, key) || km.is(Cmd::Quit, key) {
            Some(Action::ClosePopup)
        } else {
            None
        }
    }

    pub fn draw(&self, f: &mut Frame<'_>, area: Rect, v: &View<'_>, app: &App) {
        let r = centered(area, 72, area.height);
        let title = format!(
            "{} · {}",
            tr(v.lang, "按键帮助", "Keys"),
            app.pane.title(v.lang)
        );
        let inner = popup_frame(f, r, title, v);
        let section = |name: &'static str, hints: Vec<Hint>, out: &mut Vec<Line<'static>>| {
            out.push(Line::styled(name, v.theme.heading));
            for h in hints {
                out.push(Line::from(vec![
                    Span::styled(
                        format!("  {}", pad(&h.key_label(v.keymap), 18)),
                        v.theme.key,
                    ),
                    Span::raw(h.label(v.lang)),
                ]));
            }
            out.push(Line::raw(""));
        };
        let mut lines = Vec::new();
        section(
            tr(v.lang, "当前窗格", "This pane"),
            app.pane_ref(app.pane).hints(),
            &mut lines,
        );
        section(
            tr(v.lang, "全局", "Everywhere"),
            app.global_hints(),
            &mut lines,
        );
        lines.push(Line::styled(
            tr(
                v.lang,
                "按键可在 $XDG_CONFIG_HOME/aeo-console/config.toml 的 [keys] 中重新绑定",
                "Rebind keys in [keys] of $XDG_CONFIG_HOME/aeo-console/config.toml",
            ),
            v.theme.muted,
        ));
        f.render_widget(Paragraph::new(lines).scroll((self.scroll, 0)), inner);
    }

    pub fn hints(&self) -> Vec<Hint> {
        vec![
            Hint::cmd(Cmd::Down, "下滚", "scroll"),
            Hint::text("Esc/?", "关闭", "close"),
        ]
    }
}
