//! The crossterm backend, minus a cursor move after every double-width character.
//!
//! ratatui's crossterm backend moves the cursor whenever the next cell to draw is not the one
//! right after the last; after a Chinese character (two columns) that is every time, so a screen
//! of Chinese text costs a `MoveTo` per character. Here the skipped second column is passed on
//! as an empty cell of the same style: it prints nothing and the backend knows where the cursor
//! already is. Over SSH on a slow link that halves the bytes of a frame.

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

pub struct SlimBackend<W: Write> {
    inner: CrosstermBackend<W>,
}

impl<W: Write> SlimBackend<W> {
    pub fn new(writer: W) -> Self {
        SlimBackend {
            inner: CrosstermBackend::new(writer),
        }
    }
}

impl<W: Write> Write for SlimBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

/// The cells to draw, with an empty cell in the column a wide character covers, when that
/// column is not drawn anyway.
fn with_covered_columns<'a>(
    content: impl Iterator<Item = (u16, u16, &'a Cell)>,
) -> Vec<(u16, u16, Cell)> {
    let cells: Vec<(u16, u16, &Cell)> = content.collect();
    let mut out = Vec::with_capacity(cells.len() + cells.len() / 2);
    for (i, &(x, y, cell)) in cells.iter().enumerate() {
        out.push((x, y, cell.clone()));
        if cell.symbol().width() == 2 {
            let next = cells.get(i + 1).map(|&(nx, ny, _)| (nx, ny));
            if next != Some((x + 1, y)) {
                let mut covered = cell.clone();
                covered.set_symbol("");
                out.push((x + 1, y, covered));
            }
        }
    }
    out
}

impl<W: Write> Backend for SlimBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells = with_covered_columns(content);
        self.inner.draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::TerminalOptions;
    use ratatui::Viewport;
    use ratatui::layout::Rect;
    use ratatui::widgets::Paragraph;

    fn frame_bytes(text: &str, slim: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let opts = || TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 20, 2)),
        };
        if slim {
            let mut t = Terminal::with_options(SlimBackend::new(&mut out), opts()).unwrap();
            t.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
                .unwrap();
        } else {
            let mut t = Terminal::with_options(CrosstermBackend::new(&mut out), opts()).unwrap();
            t.draw(|f| f.render_widget(Paragraph::new(text), f.area()))
                .unwrap();
        }
        out
    }

    #[test]
    fn chinese_text_is_written_without_a_cursor_move_per_character() {
        let slim = frame_bytes("上海汽车集团", true);
        let plain = frame_bytes("上海汽车集团", false);
        let moves = |b: &[u8]| String::from_utf8_lossy(b).matches('H').count();
        assert_eq!(moves(&slim), 1, "{:?}", String::from_utf8_lossy(&slim));
        assert!(moves(&plain) > 1);
        assert!(slim.len() < plain.len());
        // What reaches the terminal reads the same.
        let text = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .chars()
                .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
                .collect::<String>()
        };
        assert_eq!(text(&slim), "上海汽车集团");
    }

    #[test]
    fn a_covered_column_that_is_drawn_anyway_is_not_doubled() {
        let a = Cell::new("上");
        let b = Cell::new("x");
        let cells = [(0u16, 0u16, &a), (1, 0, &b)];
        let out = with_covered_columns(cells.into_iter());
        assert_eq!(out.len(), 2);
        let cells = [(0u16, 0u16, &a), (3, 0, &b)];
        let out = with_covered_columns(cells.into_iter());
        assert_eq!(
            out.iter().map(|(x, _, _)| *x).collect::<Vec<_>>(),
            vec![0, 1, 3]
        );
    }
}
