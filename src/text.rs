//! Text as a terminal shows it: the language it is written in, values from the database made
//! inert (no control characters reach the terminal) and padded by display width, so double-width
//! Chinese stays aligned.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The language an operator reads: Chinese first, English on request (`--lang en`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The one of two texts written in `lang`, for labels written in place.
pub fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

impl Lang {
    /// The one of two texts written in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Replaces control characters (ESC, BEL, CR, ...) with visible escapes, so that a stored name
/// can never move the cursor, change colours or retitle the terminal.
pub fn inert(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` columns, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads (or cuts) to exactly `cols` display columns.
pub fn pad(s: &str, cols: usize) -> String {
    let t = truncate(s, cols);
    let w = width(&t);
    format!("{t}{}", " ".repeat(cols.saturating_sub(w)))
}

/// Renders rows as a plain-text table with columns aligned by display width.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(width(c).min(48));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(&truncate(c, 48));
            } else {
                l.push_str(&pad(c, widths[i]));
                l.push_str("  ");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.iter().map(|h| h.to_string()).collect(), &mut out);
    for r in rows {
        line(r.iter().map(|c| inert(c)).collect(), &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_in_names_are_shown_not_obeyed() {
        let hostile = "恶意\u{1b}[2J\u{1b}]0;pwned\u{7}公司\r";
        let shown = inert(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.contains("恶意") && shown.contains("公司"));
        assert!(shown.contains("\\u{1b}"));
        assert_eq!(inert("上海汽车"), "上海汽车");
    }

    #[test]
    fn chinese_text_is_padded_by_display_width() {
        assert_eq!(width("上海"), 4);
        assert_eq!(pad("上海", 6), "上海  ");
        assert_eq!(width(&pad("上海汽车集团", 7)), 7);
        assert_eq!(truncate("上海汽车集团", 7), "上海汽…");
    }

    #[test]
    fn table_columns_line_up_whatever_the_script() {
        let t = table(
            &["名称", "level"],
            &[
                vec!["上海汽车".into(), "advanced".into()],
                vec!["ABC".into(), "regular".into()],
            ],
        );
        let cols: Vec<usize> = t
            .lines()
            .map(|l| {
                let i = l.find(|c: char| c.is_ascii_lowercase()).unwrap_or(0);
                width(&l[..i])
            })
            .collect();
        assert!(cols.windows(2).all(|w| w[0] == w[1]), "{t}");
    }
}
