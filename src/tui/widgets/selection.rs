//! The cursor of a list, kept on the record (not the row number) whenever the list is loaded
//! again: after a change, another operator's commit, a filter or a resize. Every list of the
//! console moves with it: lists held whole (lookup, Today, the day board) and lists fetched a
//! window at a time from the store (the queue, the approvals).

use crate::tui::keymap::{Cmd, Keymap};
use anyhow::Result;
use crossterm::event::KeyEvent;

/// The selected position and the first row on screen, in the whole list.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub selected: usize,
    pub offset: usize,
    page: usize,
    /// The list changed its meaning (a new filter): a record not in it leaves the cursor at
    /// the top, not at the old row number.
    restart: bool,
    /// The operator moved the cursor since the window was fetched: the rows held are of the
    /// old window, so the record there is not the one to follow.
    moved: bool,
}

/// Moves a selection by `delta` within `0..len`.
pub fn step(sel: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let s = sel as isize + delta;
    s.clamp(0, len as isize - 1) as usize
}

/// `sel` moved by `delta` around a ring of `len` choices.
pub fn cycle(sel: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (sel as isize + delta).rem_euclid(len as isize) as usize
}

/// The first row of a window of `page` rows that keeps `sel` visible.
pub fn scroll_to(offset: usize, sel: usize, page: usize) -> usize {
    let page = page.max(1);
    if sel < offset {
        sel
    } else if sel >= offset + page {
        sel + 1 - page
    } else {
        offset
    }
}

impl Selection {
    pub fn set_page(&mut self, rows: usize) {
        self.page = rows.max(1);
        self.offset = scroll_to(self.offset, self.selected, self.page);
    }

    pub fn page(&self) -> usize {
        self.page.max(1)
    }

    /// The row of the selection inside a window starting at `offset`.
    pub fn in_window(&self) -> Option<usize> {
        self.selected.checked_sub(self.offset)
    }

    /// The list now means something else (a new filter): start from the top unless the
    /// selected record is in it.
    pub fn restart(&mut self) {
        self.restart = true;
    }

    /// After a move from a window at `offset` holding `held` rows: whether the cursor left
    /// the rows held (the window scrolled, or the selection is outside it), so that the rows
    /// of another window are to be read.
    pub fn left_window(&self, offset: usize, held: usize) -> bool {
        self.offset != offset || self.selected < offset || self.selected >= offset + held
    }

    /// The first row (a new search shows its best match).
    pub fn top(&mut self) {
        self.selected = 0;
        self.offset = 0;
    }

    /// Puts the cursor at `i` and scrolls to it.
    pub fn select(&mut self, i: usize, len: usize) {
        self.selected = i.min(len.saturating_sub(1));
        self.offset = scroll_to(self.offset, self.selected, self.page());
    }

    /// The common list moves (arrows, vim keys, pages, top, bottom) over `len` rows; true if
    /// `key` was one.
    pub fn key(&mut self, key: &KeyEvent, km: &Keymap, len: usize) -> bool {
        let page = self.page() as isize;
        let to = if km.is(Cmd::Down, key) {
            step(self.selected, 1, len)
        } else if km.is(Cmd::Up, key) {
            step(self.selected, -1, len)
        } else if km.is(Cmd::PageDown, key) {
            step(self.selected, page, len)
        } else if km.is(Cmd::PageUp, key) {
            step(self.selected, -page, len)
        } else if km.is(Cmd::Top, key) {
            0
        } else if km.is(Cmd::Bottom, key) {
            len.saturating_sub(1)
        } else {
            return false;
        };
        let offset = self.offset;
        self.select(to, len);
        // Within the window the rows held are still those on screen, the selected one among
        // them; only a new window leaves them stale until it is fetched.
        self.moved |= self.offset != offset;
        true
    }

    /// The whole list was loaded again: the cursor goes back to the record that was selected
    /// (`before`, its key), else stays at its row number (the next record), or the top after
    /// `restart`.
    pub fn follow<T, K: PartialEq>(
        &mut self,
        rows: &[T],
        before: Option<K>,
        key: impl Fn(&T) -> K,
    ) {
        let found = before.and_then(|k| rows.iter().position(|r| key(r) == k));
        let at = match found {
            Some(i) => i,
            None if std::mem::take(&mut self.restart) => 0,
            None => self.selected,
        };
        self.restart = false;
        self.moved = false;
        self.select(at, rows.len());
    }

    /// A list read a window at a time: fetches the window of the selection from `total` rows
    /// and puts the cursor back on the record `before` (found by `position`) if it is still
    /// in the list.
    pub fn window<T, K: PartialEq + Copy>(
        &mut self,
        total: usize,
        before: Option<K>,
        key: impl Fn(&T) -> K,
        mut fetch: impl FnMut(usize, usize) -> Result<Vec<T>>,
        mut position: impl FnMut(K) -> Result<Option<usize>>,
    ) -> Result<Vec<T>> {
        let page = self.page();
        let restart = std::mem::take(&mut self.restart);
        let mut before = if std::mem::take(&mut self.moved) {
            None
        } else {
            before
        };
        if restart
            && self.offset > 0
            && let Some(k) = before.take()
        {
            // A new filter usually leaves the record out, which its place says at once: only
            // the window the cursor lands in is read (the old one, down the old list, may be
            // far down the new one). A window at the top is read first, below: a narrower
            // filter keeps the record where it was, often on the first row.
            self.selected = position(k)?.unwrap_or(0);
        }
        self.selected = self.selected.min(total.saturating_sub(1));
        self.offset = scroll_to(self.offset, self.selected, page).min(total.saturating_sub(page));
        let mut rows = fetch(page, self.offset)?;
        let here = |s: &Selection, rows: &[T]| s.in_window().and_then(|i| rows.get(i)).map(&key);
        if let Some(k) = before
            && here(self, &rows) != Some(k)
        {
            let at = if restart {
                // A new filter usually leaves the record out, which its place says at once.
                Some(position(k)?.unwrap_or(0))
            } else {
                // Most moves are of a few rows (a record above it finished, or one arriving):
                // look around the window before asking where the record stands in the list.
                let start = self.offset.saturating_sub(page);
                let near = fetch(3 * page, start)?;
                match near.iter().position(|r| key(r) == k) {
                    Some(i) => Some(start + i),
                    None => position(k)?,
                }
            };
            if let Some(at) = at {
                let offset = self.offset;
                self.selected = at;
                self.offset = scroll_to(self.offset, at, page);
                if self.offset != offset {
                    rows = fetch(page, self.offset)?;
                }
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_follows_the_record_when_the_list_reorders() {
        let mut s = Selection::default();
        s.set_page(2);
        let rows = [10, 20, 30, 40];
        s.select(2, rows.len());
        // 30 moves to the front.
        s.follow(&[30, 10, 20, 40], Some(30), |r| *r);
        assert_eq!((s.selected, s.offset), (0, 0));
        // 30 is gone: the cursor stays at its row, on the next record.
        s.select(1, 4);
        s.follow(&[10, 40], Some(20), |r| *r);
        assert_eq!(s.selected, 1);
        // A new filter without the record starts at the top.
        s.restart();
        s.follow(&[50, 60, 70], Some(40), |r| *r);
        assert_eq!(s.selected, 0);
    }

    /// The window of `s` over `list`, following the record `before`.
    fn window_of(s: &mut Selection, list: &[i64], before: i64) -> Vec<i64> {
        s.window(
            list.len(),
            Some(before),
            |r: &i64| *r,
            |limit, offset| Ok(list.iter().skip(offset).take(limit).copied().collect()),
            |k| Ok(list.iter().position(|x| *x == k)),
        )
        .unwrap()
    }

    #[test]
    fn a_window_refetches_where_the_record_went() {
        let list: Vec<i64> = (0..100).collect();
        let mut s = Selection::default();
        s.set_page(10);
        s.select(5, 100);
        // The record 5 is now at 57.
        let moved: Vec<i64> = list
            .iter()
            .copied()
            .filter(|x| *x != 5)
            .take(57)
            .chain([5])
            .chain(list.iter().copied().filter(|x| *x != 5).skip(57))
            .collect();
        let rows = window_of(&mut s, &moved, 5);
        assert_eq!(s.selected, 57);
        assert_eq!(rows[s.in_window().unwrap()], 5);
    }

    #[test]
    fn a_record_moved_a_few_rows_is_found_around_the_window_without_asking_its_place() {
        let mut s = Selection::default();
        s.set_page(10);
        s.select(35, 100);
        // Two records above it finished: 35 is now the 33rd.
        let list: Vec<i64> = (0..100).filter(|x| *x != 3 && *x != 20).collect();
        let rows = s
            .window(
                98,
                Some(35i64),
                |r: &i64| *r,
                |limit, offset| Ok(list.iter().skip(offset).take(limit).copied().collect()),
                |_| panic!("the whole list was asked for a record a few rows away"),
            )
            .unwrap();
        assert_eq!(s.selected, 33);
        assert_eq!(rows[s.in_window().unwrap()], 35);
    }

    /// The window of `s` over `list` after a new filter, following `before`, and how many
    /// windows were read.
    fn restarted_window(s: &mut Selection, list: &[i64], before: i64) -> (Vec<i64>, usize) {
        let fetched = std::cell::Cell::new(0);
        s.restart();
        let rows = s
            .window(
                list.len(),
                Some(before),
                |r: &i64| *r,
                |limit, offset| {
                    fetched.set(fetched.get() + 1);
                    Ok(list.iter().skip(offset).take(limit).copied().collect())
                },
                |k| Ok(list.iter().position(|x| *x == k)),
            )
            .unwrap();
        (rows, fetched.get())
    }

    #[test]
    fn a_new_filter_asks_the_records_place_first_and_reads_the_top_window_once() {
        let mut s = Selection::default();
        s.set_page(10);
        // The record 4 was selected; the new list (the odd numbers) leaves it out.
        s.select(4, 100);
        let odd: Vec<i64> = (0..100).filter(|x| x % 2 == 1).collect();
        let (rows, fetched) = restarted_window(&mut s, &odd, 4);
        assert_eq!((s.selected, s.offset), (0, 0));
        assert_eq!(rows[0], 1);
        assert_eq!(fetched, 1, "only the window shown was read");
        // The same from far down the old list: the old window is not read in the new one.
        s.select(57, 100);
        assert_eq!(s.offset, 48);
        let (rows, fetched) = restarted_window(&mut s, &odd, 58);
        assert_eq!((s.selected, s.offset, rows[0]), (0, 0, 1));
        assert_eq!(fetched, 1, "only the window shown was read");
        // A narrower filter that keeps the record on the row it had: its window alone is
        // read, its place not asked.
        s.select(2, odd.len());
        s.restart();
        let rows = s
            .window(
                odd.len(),
                Some(5i64),
                |r: &i64| *r,
                |limit, offset| Ok(odd.iter().skip(offset).take(limit).copied().collect()),
                |_| panic!("the place of a record on its row was asked"),
            )
            .unwrap();
        assert_eq!(rows[s.in_window().unwrap()], 5);
        // A record the new list keeps is followed to its place.
        s.select(3, odd.len());
        s.restart();
        let rows = window_of(&mut s, &odd, 61);
        assert_eq!(s.selected, 30);
        assert_eq!(rows[s.in_window().unwrap()], 61);
    }

    #[test]
    fn a_step_inside_the_window_still_follows_the_record_a_change_moves() {
        let km = Keymap::default();
        let down = KeyEvent::new(
            crossterm::event::KeyCode::Char('j'),
            crossterm::event::KeyModifiers::NONE,
        );
        let list: Vec<i64> = (0..100).collect();
        let mut s = Selection::default();
        s.set_page(10);
        // j from the first row to the second (the window stays), then the record there, 1,
        // moves to 40 (a change made to it): the cursor goes with it.
        assert!(s.key(&down, &km, 100));
        let after: Vec<i64> = list
            .iter()
            .copied()
            .filter(|x| *x != 1)
            .take(40)
            .chain([1])
            .chain(list.iter().copied().filter(|x| *x != 1).skip(40))
            .collect();
        let rows = s
            .window(
                100,
                Some(1i64),
                |r: &i64| *r,
                |limit, offset| Ok(after.iter().skip(offset).take(limit).copied().collect()),
                |k| Ok(after.iter().position(|x| *x == k)),
            )
            .unwrap();
        assert_eq!(s.selected, 40);
        assert_eq!(rows[s.in_window().unwrap()], 1);
    }
}
