//! Line wrapping by display width, so that double-width Chinese never runs past a border.
//! Breaks anywhere in Chinese text and at spaces in Latin text.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Wraps one line of styled pieces to `cols` columns; continuation lines start with `indent`
/// spaces.
pub fn wrap(pieces: &[(String, Style)], cols: usize, indent: usize) -> Vec<Line<'static>> {
    let cols = cols.max(indent + 4);
    let mut lines: Vec<Vec<(String, Style)>> = vec![Vec::new()];
    let mut used = 0;
    for (text, style) in pieces {
        let mut cur = String::new();
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > cols {
                // Latin text: move the unfinished word to the next line when it can.
                let mut carry = String::new();
                if c != ' '
                    && let Some(sp) = cur.rfind(' ')
                    && cur[sp + 1..]
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ".,:;-()/%".contains(ch))
                    && cur.len() - sp < 16
                {
                    carry = cur[sp + 1..].to_string();
                    cur.truncate(sp + 1);
                }
                if !cur.is_empty()
                    && let Some(l) = lines.last_mut()
                {
                    l.push((std::mem::take(&mut cur), *style));
                }
                lines.push(vec![(" ".repeat(indent), Style::default())]);
                used = indent + crate::text::width(&carry);
                cur = carry;
                if c == ' ' {
                    continue;
                }
            }
            cur.push(c);
            used += w;
        }
        if !cur.is_empty()
            && let Some(l) = lines.last_mut()
        {
            l.push((cur, *style));
        }
    }
    lines
        .into_iter()
        .map(|l| {
            Line::from(
                l.into_iter()
                    .map(|(t, s)| Span::styled(t, s))
                    .collect::<Vec<_>>(),
            )
        })
        .collect()
}

/// Wraps a built line (keeping its spans' styles).
pub fn wrap_line(line: &Line<'_>, cols: usize, indent: usize) -> Vec<Line<'static>> {
    let pieces: Vec<(String, Style)> = line
        .spans
        .iter()
        .map(|s| (s.content.to_string(), line.style.patch(s.style)))
        .collect();
    wrap(&pieces, cols, indent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_wraps_within_the_width() {
        let s = "专人对接、专线预约、专窗受理；预约货物优先查检、“5+2”预约查检，正常作业“当日清”";
        let lines = wrap(&[(s.to_string(), Style::default())], 30, 4);
        assert!(lines.len() > 2);
        for l in &lines {
            assert!(l.width() <= 30, "{l:?}");
        }
        let all: String = lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.trim_start().to_string()))
            .collect();
        assert_eq!(all, s);
    }

    #[test]
    fn latin_text_breaks_at_spaces() {
        let lines = wrap(
            &[(
                "measure 17: management-type verifications are limited".to_string(),
                Style::default(),
            )],
            24,
            0,
        );
        for l in &lines {
            assert!(l.width() <= 24);
        }
        assert!(lines[0].to_string().ends_with(' ') || lines[0].to_string().ends_with(':'));
    }
}
