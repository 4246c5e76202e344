//! `ascii = true` (or `--ascii`, `AEO_ASCII=1`): borders and symbols drawn with ASCII, for SSH
//! clients set to render East Asian "ambiguous" characters double-width (box drawing, `·`, `✗`,
//! arrows), which shifts every line after the first such character. The finished frame is
//! rewritten cell by cell, so every pane, popup and hint is covered by this one table; letters
//! (the pinyin tone marks of lookup's explanations) and Chinese text are left as they are.

use ratatui::buffer::Buffer;

/// The ASCII stand-in for a symbol the console draws, or None to keep the character.
pub fn ascii_of(c: char) -> Option<char> {
    Some(match c {
        '─' | '━' | '═' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍' => '-',
        '│' | '┃' | '║' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' => '|',
        // Corners (rounded too), tees and crosses.
        '\u{2500}'..='\u{257F}' => '+',
        '▏' | '▕' => '|',
        '\u{2580}'..='\u{259F}' => '#',
        '·' | '•' | '∙' => '|',
        '✗' | '✘' | '×' => 'x',
        '✓' | '✔' => 'v',
        '‖' | '≡' => '=',
        '⚠' => '!',
        '…' => '~',
        '←' | '◂' | '◀' | '‹' | '«' => '<',
        '→' | '▸' | '▶' | '›' | '»' => '>',
        '↑' | '▲' | '△' => '^',
        '↓' | '▼' | '▽' => 'v',
        '≤' => '<',
        '≥' => '>',
        '–' | '—' | '―' | '−' => '-',
        '‘' | '’' => '\'',
        '“' | '”' => '"',
        '●' | '◆' | '■' | '★' => '*',
        '○' | '◇' | '□' | '☆' => 'o',
        _ => return None,
    })
}

/// Rewrites every cell holding one of those symbols.
pub fn asciify(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        let mut chars = cell.symbol().chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && let Some(a) = ascii_of(c)
        {
            cell.set_char(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthChar;

    #[test]
    fn every_stand_in_is_ascii_and_every_replaced_symbol_could_render_wide() {
        for c in ('\u{a0}'..='\u{2bff}').filter_map(|c| ascii_of(c).map(|a| (c, a))) {
            assert!(c.1.is_ascii_graphic(), "{:?} → {:?}", c.0, c.1);
            // Replaced: what a CJK terminal may draw two columns wide, or a symbol.
            assert_eq!(c.0.width(), Some(1), "{:?}", c.0);
        }
        assert_eq!(ascii_of('上'), None);
        assert_eq!(ascii_of('é'), None);
        assert_eq!(ascii_of('a'), None);
    }
}
