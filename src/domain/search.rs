//! Finding an enterprise by what a caller says: its name in Chinese, the name's pinyin (every
//! reading of a polyphonic character, the word's natural reading first), initials, any mix of
//! these, an alias, or an identifier. Pure: the store indexes the keys and units computed here and
//! ranks with [`match_text`].
//!
//! A name is read as a row of units, one per Chinese character, Latin letter or digit (other
//! characters are skipped). Each Chinese character carries its readings: first the one its word
//! has in the phrase dictionary (长宁 → chang ning, 银行 → yin hang, 重庆 → chong qing), then the
//! character's other readings. Words start where the phrase dictionary's segmentation starts a
//! segment; a match that does not start at the beginning of the name starts at a word.

use pinyin::ToPinyinMulti;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Readings kept per character (the natural one and the commonest others).
pub const MAX_READINGS: usize = 4;
/// Initials indexed per word start; queries longer than this are checked by the matcher.
pub const KEY_LEN: usize = 8;
/// Characters from a word start whose other readings are indexed too.
const VARIED: usize = 4;
/// Initials patterns a query may be read as before they are shortened.
const MAX_PATTERNS: usize = 24;

/// One character of a name as matching sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The character; Latin letters lowercased, full-width forms folded.
    pub ch: char,
    /// Toneless readings, the natural one first; a letter or digit reads as itself.
    pub readings: Vec<String>,
    /// A word starts here (a match inside the name may start here).
    pub word_start: bool,
}

impl Unit {
    fn is_han(&self) -> bool {
        !self.ch.is_ascii()
    }
}

/// Folds full-width ASCII (ＳＡＩＣ, ３) to ASCII and lowercases Latin letters.
pub fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

/// Toneless pinyin of a toned syllable (cháng → chang, lǜ → lv).
fn toneless(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ā' | 'á' | 'ǎ' | 'à' => 'a',
            'ē' | 'é' | 'ě' | 'è' | 'ê' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
            'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
            'ń' | 'ň' | 'ǹ' => 'n',
            'ḿ' => 'm',
            c => c.to_ascii_lowercase(),
        })
        .filter(|c| c.is_ascii_alphabetic())
        .collect()
}

/// Every toneless reading the character has, in the character table's order.
fn char_readings(c: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let r = toneless(p.plain());
            if !r.is_empty() && !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

fn is_han(c: char) -> bool {
    !c.is_ascii() && c.to_pinyin_multi().is_some()
}

/// The units of a name or alias, with word starts and natural readings from the phrase
/// dictionary.
pub fn units(text: &str) -> Vec<Unit> {
    let folded: String = text.chars().map(fold).collect();
    // Natural readings of the dictionary's words, by character position.
    let chars: Vec<char> = folded.chars().collect();
    let mut natural: Vec<Option<String>> = vec![None; chars.len()];
    let mut word_start = vec![false; chars.len()];
    let mut in_word = vec![false; chars.len()];
    if chars.iter().any(|c| is_han(*c)) {
        let (forward, backward) = words(&chars);
        // The right-to-left words first; a character they leave alone takes its left-to-right
        // word's reading (长江永盛: 长|江永|盛 from the right, 长江 from the left).
        for (first, reading) in &backward {
            word_start[*first] = true;
            for (k, s) in reading.split_whitespace().enumerate() {
                natural[first + k] = Some(toneless(s));
                in_word[first + k] = true;
            }
        }
        let from_right = in_word.clone();
        for (first, reading) in &forward {
            if !from_right[*first] {
                word_start[*first] = true;
            }
            for (k, s) in reading.split_whitespace().enumerate() {
                if !from_right[first + k] {
                    natural[first + k] = Some(toneless(s));
                    in_word[first + k] = true;
                }
            }
        }
        // Characters still alone: a piece of them that is the start of longer words reads as
        // those words read it (闵行 as in 闵行区: min hang).
        let mut i = 0;
        while i < chars.len() {
            let run = chars[i..]
                .iter()
                .zip(&in_word[i..])
                .take_while(|(c, w)| !**w && is_han(**c))
                .count();
            let mut took = 1;
            for len in (2..=MAX_WORD.min(run)).rev() {
                let piece: String = chars[i..i + len].iter().collect();
                if let Some(reading) = prefix_reading(&piece) {
                    word_start[i] = true;
                    for (k, s) in reading.split(' ').enumerate() {
                        natural[i + k] = Some(s.to_string());
                        in_word[i + k] = true;
                    }
                    took = len;
                    break;
                }
            }
            i += took;
        }
    }
    let mut out = Vec::with_capacity(chars.len());
    let mut prev_ascii = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            out.push(Unit {
                ch: c,
                readings: vec![c.to_string()],
                word_start: !prev_ascii,
            });
            prev_ascii = true;
            continue;
        }
        prev_ascii = false;
        if !is_han(c) {
            continue;
        }
        let mut readings = char_readings(c);
        if let Some(n) = &natural[i] {
            readings.retain(|r| r != n);
            readings.insert(0, n.clone());
        }
        readings.truncate(MAX_READINGS);
        out.push(Unit {
            ch: c,
            readings,
            word_start: word_start[i] || !in_word[i],
        });
    }
    if let Some(u) = out.first_mut() {
        u.word_start = true;
    }
    out
}

/// Longest dictionary word looked for when segmenting from the right.
const MAX_WORD: usize = 4;

/// The phrase dictionary: `pinyin-converter`'s phrase data (phrase-pinyin-data, with the
/// crate's patches and compound surnames), one word a line as `WORD syl syl ...`, toneless,
/// sorted bytewise (`scripts/phrase-table` writes it from the crate; a test checks it against
/// the crate). Read in place by binary search: nothing is loaded.
static PHRASES: &str = include_str!("../../data/phrase_pinyin.txt");

/// The word of the line starting at byte `start`, the end of that line, and its reading.
fn phrase_line(start: usize) -> (&'static str, &'static str, usize) {
    let rest = &PHRASES[start..];
    let len = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..len];
    let (word, reading) = line.split_once(' ').unwrap_or((line, ""));
    (word, reading, start + len)
}

/// The byte offset of the first line whose word is not less than `key`.
fn phrase_lower_bound(key: &str) -> usize {
    let (mut lo, mut hi) = (0usize, PHRASES.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        // `mid` may fall inside a character: look for the line start in the bytes.
        let start = PHRASES.as_bytes()[lo..mid]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let (word, _, end) = phrase_line(start);
        if word < key {
            lo = end + 1;
        } else {
            hi = start;
        }
    }
    lo.min(PHRASES.len())
}

/// The dictionary's words that start with `prefix` (itself first when it is one), with their
/// toneless readings.
fn phrases_from(prefix: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    let mut at = phrase_lower_bound(prefix);
    std::iter::from_fn(move || {
        if at >= PHRASES.len() {
            return None;
        }
        let (word, reading, end) = phrase_line(at);
        at = end + 1;
        word.starts_with(prefix).then_some((word, reading))
    })
}

/// The dictionary's reading of `text` when it is one of its words.
fn phrase(text: &str) -> Option<&'static str> {
    phrases_from(text)
        .next()
        .filter(|(w, _)| *w == text)
        .map(|(_, r)| r)
}

/// The phrase dictionary's reading of `text` when it is one word of it, a syllable a character.
fn word_reading(text: &str) -> Option<&'static str> {
    phrase(text).filter(|r| r.split(' ').count() == text.chars().count())
}

/// The reading that the dictionary's longer words starting with `text` give it, when `text` is
/// not a word itself (闵行 from 闵行区): the reading most of them give (the first of those in
/// the dictionary's order on a tie), looked for among the first [`PREFIX_WORDS`].
fn prefix_reading(text: &str) -> Option<String> {
    let n = text.chars().count();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (word, reading) in phrases_from(text).take(PREFIX_WORDS) {
        if word.chars().count() != reading.split(' ').count() {
            continue;
        }
        let head: Vec<&str> = reading.split(' ').take(n).collect();
        let head = head.join(" ");
        match counts.iter_mut().find(|(r, _)| *r == head) {
            Some((_, c)) => *c += 1,
            None => counts.push((head, 1)),
        }
    }
    let most = counts.iter().map(|(_, c)| *c).max()?;
    counts.into_iter().find(|(_, c)| *c == most).map(|(r, _)| r)
}

/// Longer words read to find the reading of a piece that is not a word (see
/// [`prefix_reading`]).
const PREFIX_WORDS: usize = 64;

/// The words of several characters in a name, as (first character, toneless reading), by the
/// dictionary's segmentation from the left (the longest word at each place) and from the right
/// (闵行长江: 闵|行长|江 and 闵|行|长江).
type Words = Vec<(usize, String)>;

fn words(chars: &[char]) -> (Words, Words) {
    // Left to right, the longest word at each place, as the crate's matcher segments.
    let mut forward: Words = Vec::new();
    let mut i = 0usize;
    let mut piece = String::new();
    while i < chars.len() {
        piece.clear();
        piece.push(chars[i]);
        let mut best: Option<(usize, &'static str)> = None;
        for (k, c) in chars[i + 1..].iter().enumerate() {
            piece.push(*c);
            let mut from = phrases_from(&piece);
            let Some((w, r)) = from.next() else {
                break;
            };
            if w == piece {
                best = Some((k + 2, r));
            }
        }
        match best {
            Some((len, reading)) => {
                // A word whose reading has a syllable for each character.
                if reading.split(' ').count() == len {
                    forward.push((i, reading.to_string()));
                }
                i += len;
            }
            None => i += 1,
        }
    }
    // Right to left, longest word first.
    let mut backward: Words = Vec::new();
    let mut end = chars.len();
    while end > 0 {
        let mut took = 1;
        for len in (2..=MAX_WORD.min(end)).rev() {
            let piece = &chars[end - len..end];
            if !piece.iter().all(|c| is_han(*c)) {
                continue;
            }
            let text: String = piece.iter().collect();
            if let Some(r) = word_reading(&text) {
                backward.push((end - len, r.to_string()));
                took = len;
                break;
            }
        }
        end -= took;
    }
    backward.reverse();
    (forward, backward)
}

/// Stored form of units: `^` marks a word start, then the character, then `=` and its readings
/// separated by `,` (omitted for a letter or digit); units are separated by `|`.
pub fn encode(units: &[Unit]) -> String {
    let mut s = String::new();
    for (i, u) in units.iter().enumerate() {
        if i > 0 {
            s.push('|');
        }
        if u.word_start {
            s.push('^');
        }
        s.push(u.ch);
        if u.is_han() {
            s.push('=');
            s.push_str(&u.readings.join(","));
        }
    }
    s
}

pub fn decode(s: &str) -> Vec<Unit> {
    s.split('|')
        .filter_map(|part| {
            let (word_start, part) = match part.strip_prefix('^') {
                Some(rest) => (true, rest),
                None => (false, part),
            };
            let mut it = part.chars();
            let ch = it.next()?;
            let rest = it.as_str();
            let readings = match rest.strip_prefix('=') {
                Some(r) if !r.is_empty() => r.split(',').map(str::to_string).collect(),
                Some(_) => Vec::new(),
                None => vec![ch.to_string()],
            };
            Some(Unit {
                ch,
                readings,
                word_start,
            })
        })
        .collect()
}

/// A unit as the matcher reads it: computed ([`Unit`]) or read in place from the stored form
/// ([`UnitRef`], no allocation per reading).
pub trait Reads {
    fn ch(&self) -> char;
    fn word_start(&self) -> bool;
    /// The readings, the natural one first.
    fn readings(&self) -> impl Iterator<Item = &str>;
}

impl Reads for Unit {
    fn ch(&self) -> char {
        self.ch
    }
    fn word_start(&self) -> bool {
        self.word_start
    }
    fn readings(&self) -> impl Iterator<Item = &str> {
        self.readings.iter().map(String::as_str)
    }
}

impl<U: Reads> Reads for &U {
    fn ch(&self) -> char {
        (*self).ch()
    }
    fn word_start(&self) -> bool {
        (*self).word_start()
    }
    fn readings(&self) -> impl Iterator<Item = &str> {
        (*self).readings()
    }
}

/// A unit of the stored form, borrowed: its readings are the stored `a,b,c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef<'a> {
    pub ch: char,
    pub word_start: bool,
    readings: &'a str,
}

impl Reads for UnitRef<'_> {
    fn ch(&self) -> char {
        self.ch
    }
    fn word_start(&self) -> bool {
        self.word_start
    }
    fn readings(&self) -> impl Iterator<Item = &str> {
        self.readings.split(',').filter(|r| !r.is_empty())
    }
}

/// The stored form read in place, as [`decode`] reads it.
pub fn decode_ref(s: &str) -> Vec<UnitRef<'_>> {
    s.split('|')
        .filter_map(|part| {
            let (word_start, part) = match part.strip_prefix('^') {
                Some(rest) => (true, rest),
                None => (false, part),
            };
            let ch = part.chars().next()?;
            let rest = &part[ch.len_utf8()..];
            Some(UnitRef {
                ch,
                word_start,
                readings: rest.strip_prefix('=').unwrap_or(part),
            })
        })
        .collect()
}

/// The distinct first letters of a unit's readings, natural first (a han character without a
/// reading has none).
fn initials_of(u: &Unit) -> Vec<char> {
    let mut out = Vec::new();
    for r in &u.readings {
        if let Some(c) = r.chars().next()
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}

/// Where an index key starts and which reading it spells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyKind {
    StartNatural = 0,
    StartOther = 1,
    InsideNatural = 2,
    InsideOther = 3,
    /// The natural full pinyin (not initials) from the start, and from a word inside.
    StartPinyin = 4,
    InsidePinyin = 5,
    /// The characters from the first character of the name when it is Chinese, and from each
    /// Chinese character inside (Chinese text anywhere in the name).
    TextStart = 6,
    TextInside = 7,
    /// The first word by the initial of its first character only, then the natural initials
    /// after it (上海长宁 → s|cn): the first word typed by the start of its pinyin (shangcn).
    StartAbbreviated = 8,
}

/// Characters in a text key ([`KeyKind::TextStart`], [`KeyKind::TextInside`]): the rest of the
/// name from each Chinese character, up to this many.
pub const TEXT_KEY_LEN: usize = 16;

/// Letters of natural full pinyin indexed per word start.
pub const PINYIN_KEY_LEN: usize = 24;

/// Index keys: for every word start, the initials of the next [`KEY_LEN`] units in their
/// natural readings, and the same with one of the first [`VARIED`] characters in another reading
/// whose initial differs (长 c → z); for every Chinese character, the text of the next
/// [`TEXT_KEY_LEN`] units.
pub fn keys(units: &[Unit]) -> Vec<(String, KeyKind)> {
    let mut out: Vec<(String, KeyKind)> = Vec::new();
    for (s, u) in units.iter().enumerate() {
        if !u.is_han() {
            continue;
        }
        let text: String = units[s..].iter().take(TEXT_KEY_LEN).map(|u| u.ch).collect();
        let kind = if s == 0 {
            KeyKind::TextStart
        } else {
            KeyKind::TextInside
        };
        if !out.iter().any(|(k, _)| *k == text) {
            out.push((text, kind));
        }
    }
    if let Some(first) = units.first().filter(|u| u.is_han())
        && let Some(ini) = initials_of(first).first()
    {
        let end = 1 + units[1..]
            .iter()
            .take_while(|u| !u.word_start && u.is_han())
            .count();
        if end >= 2 && end < units.len() {
            let key: String = std::iter::once(*ini)
                .chain(
                    units[end..]
                        .iter()
                        .map_while(|u| initials_of(u).first().copied()),
                )
                .take(KEY_LEN)
                .collect();
            if key.len() > 1 {
                out.push((key, KeyKind::StartAbbreviated));
            }
        }
    }
    for (s, u) in units.iter().enumerate() {
        if !u.word_start {
            continue;
        }
        let window: Vec<Vec<char>> = units
            .iter()
            .skip(s)
            .take(KEY_LEN)
            .map(initials_of)
            .take_while(|ini| !ini.is_empty())
            .collect();
        if window.is_empty() {
            continue;
        }
        let natural: String = window.iter().map(|ini| ini[0]).collect();
        let full: String = units
            .iter()
            .skip(s)
            .map_while(|u| u.readings.first())
            .flat_map(|r| r.chars())
            .take(PINYIN_KEY_LEN)
            .collect();
        if full.len() > natural.len() {
            out.push((
                full,
                if s == 0 {
                    KeyKind::StartPinyin
                } else {
                    KeyKind::InsidePinyin
                },
            ));
        }
        let mut variants = vec![natural.clone()];
        for (p, ini) in window.iter().enumerate().take(VARIED) {
            for c in ini.iter().skip(1) {
                let mut v: Vec<char> = natural.chars().collect();
                v[p] = *c;
                variants.push(v.into_iter().collect());
            }
        }
        for (n, v) in variants.into_iter().enumerate() {
            let kind = match (s == 0, n == 0) {
                (true, true) => KeyKind::StartNatural,
                (true, false) => KeyKind::StartOther,
                (false, true) => KeyKind::InsideNatural,
                (false, false) => KeyKind::InsideOther,
            };
            if !out.iter().any(|(k, _)| *k == v) {
                out.push((v, kind));
            }
        }
    }
    out
}

/// Every toneless syllable the character table knows, and their prefixes.
struct Syllables {
    full: HashSet<String>,
    prefixes: HashSet<String>,
}

fn syllables() -> &'static Syllables {
    static S: OnceLock<Syllables> = OnceLock::new();
    S.get_or_init(|| {
        let mut full = HashSet::new();
        for cp in 0x4E00u32..=0x9FFF {
            if let Some(c) = char::from_u32(cp)
                && let Some(multi) = c.to_pinyin_multi()
            {
                for p in multi {
                    full.insert(toneless(p.plain()));
                }
            }
        }
        let mut prefixes = HashSet::new();
        for s in &full {
            for k in 1..=s.len() {
                prefixes.insert(s[..k].to_string());
            }
        }
        Syllables { full, prefixes }
    })
}

/// A typed query, folded: whitespace and punctuation dropped, full-width forms folded, Latin
/// letters lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub chars: Vec<char>,
}

impl Query {
    pub fn new(raw: &str) -> Query {
        let chars: Vec<char> = raw
            .chars()
            .map(fold)
            .filter(|c| c.is_ascii_alphanumeric() || is_han(*c))
            .collect();
        Query {
            text: raw.trim().to_string(),
            chars,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Starts with a Chinese character (a match may then start at any character).
    pub fn starts_han(&self) -> bool {
        self.chars.first().is_some_and(|c| !c.is_ascii())
    }

    pub fn has_han(&self) -> bool {
        self.chars.iter().any(|c| !c.is_ascii())
    }

    /// The initials strings the query can stand for (each at most [`KEY_LEN`] long): letters
    /// read as whole syllables, initials (zh, ch, sh too) or, at the end, the start of a
    /// syllable; Chinese characters by their readings' initials; digits as themselves. The
    /// letters as typed are one more pattern (Latin names and aliases).
    pub fn patterns(&self) -> Patterns {
        let syl = syllables();
        let q = &self.chars;
        let mut exact: HashSet<String> = HashSet::new();
        let mut skipping: HashSet<String> = HashSet::new();
        // Depth-first over token boundaries, carrying the initials so far and whether a whole
        // syllable was taken as the start of a longer first word (shang for 上海: `s*`).
        let mut stack: Vec<(usize, String, bool)> = vec![(0, String::new(), false)];
        let mut budget = 20_000usize;
        while let Some((i, acc, skip)) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            if i == q.len() || acc.chars().filter(|c| *c != '*').count() >= KEY_LEN {
                if skip {
                    skipping.insert(acc);
                } else {
                    exact.insert(acc);
                }
                continue;
            }
            let c = q[i];
            if !c.is_ascii() {
                for ini in initials_of(&Unit {
                    ch: c,
                    readings: char_readings(c),
                    word_start: false,
                }) {
                    let mut a = acc.clone();
                    a.push(ini);
                    stack.push((i + 1, a, skip));
                }
                continue;
            }
            let mut a = acc.clone();
            a.push(c);
            if c.is_ascii_digit() {
                stack.push((i + 1, a, skip));
                continue;
            }
            // The token starting at i ends at some j > i.
            let mut word = String::new();
            for (j, &d) in q.iter().enumerate().skip(i) {
                if !d.is_ascii_lowercase() {
                    break;
                }
                word.push(d);
                if !syl.prefixes.contains(&word) {
                    break;
                }
                let end = j + 1;
                let whole = syl.full.contains(&word);
                let initial = word.len() == 1 || matches!(word.as_str(), "zh" | "ch" | "sh");
                if whole || initial || end == q.len() {
                    stack.push((end, a.clone(), skip));
                }
                if whole && word.len() >= 2 && end < q.len() && i == 0 {
                    stack.push((end, format!("{a}*"), true));
                }
            }
        }
        let literal: String = q.iter().take(KEY_LEN).filter(|c| c.is_ascii()).collect();
        if literal.len() == q.len().min(KEY_LEN) {
            exact.insert(literal);
        }
        let letters = q.len() >= 2 && q.iter().all(|c| c.is_ascii_lowercase());
        Patterns {
            exact: tidy(exact),
            skipping: tidy(skipping),
            pinyin: letters.then(|| q.iter().take(PINYIN_KEY_LEN).collect()),
        }
    }
}

/// The initials patterns of a query: `exact` ones are index prefixes; `skipping` ones hold `*`
/// where a word was given by the start of its pinyin, and are GLOB patterns. `pinyin` is the
/// query itself when it is letters only, a prefix of the natural full-pinyin keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patterns {
    pub exact: Vec<String>,
    pub skipping: Vec<String>,
    pub pinyin: Option<String>,
}

/// Drops empty and subsumed patterns and shortens them until few remain.
fn tidy(set: HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = set.into_iter().filter(|p| !p.is_empty()).collect();
    let mut len = KEY_LEN + 1;
    while v.len() > MAX_PATTERNS && len > 1 {
        len -= 1;
        let mut short: Vec<String> = v
            .iter()
            .map(|p| p.chars().take(len).collect::<String>())
            .collect();
        short.sort();
        short.dedup();
        v = short;
    }
    // Fewest tokens first: the reading with the most whole syllables is the likeliest. A
    // pattern that begins another (byh, from hn read as the start of hng, begins byhn) finds
    // all the other finds, but walks a far larger range of keys: it comes after the patterns
    // it begins, so a walk cut short by its budget has read the likelier keys first.
    let begins_another = |p: &String| {
        v.iter()
            .any(|o| o.len() > p.len() && o.starts_with(p.as_str()))
    };
    let mut order: Vec<(bool, String)> = v.iter().map(|p| (begins_another(p), p.clone())).collect();
    order.sort_by(|(a_short, a), (b_short, b)| (a_short, a.len(), a).cmp(&(b_short, b.len(), b)));
    order.into_iter().map(|(_, p)| p).collect()
}

/// How one text (a name or an alias) matched a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    /// 0 when the match starts the text.
    pub start: usize,
    /// Characters read in a reading that is not their word's natural one.
    pub other_readings: u8,
    /// Words given only by the start of their pinyin (shang for 上海).
    pub abbreviated: u8,
    /// The matched characters, and how each was read ("长宁" with ["chang", "ning"]); a
    /// character typed as itself reads as itself.
    pub text: String,
    pub readings: Vec<String>,
}

impl TextMatch {
    pub fn natural(&self) -> bool {
        self.other_readings == 0 && self.abbreviated == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Cost(u8, u8);

#[derive(Clone, Copy, Debug)]
enum Step {
    /// The unit's character typed as itself.
    Char,
    /// Reading `r` of the unit (all of it, its initial, or its start at the end of the query).
    Reading { r: usize },
    /// A word given by the start of its natural pinyin: on to unit `to`.
    Word { to: usize },
}

/// Matches `q` against `units`: at the start, or at a word start (at any character when the
/// query starts with a Chinese character). The best match is the earliest start, then the one
/// with fewest other readings and abbreviated words.
pub fn match_text<U: Reads>(q: &Query, units: &[U]) -> Option<TextMatch> {
    if q.is_empty() {
        return None;
    }
    let starts_han = q.starts_han();
    let mut best: Option<TextMatch> = None;
    for s in 0..units.len() {
        if !(units[s].word_start() || starts_han) {
            continue;
        }
        if let Some(m) = match_from(q, units, s)
            && best.as_ref().is_none_or(|b| {
                (m.start > 0, m.other_readings, m.abbreviated)
                    < (b.start > 0, b.other_readings, b.abbreviated)
            })
        {
            if m.start == 0 && m.natural() {
                return Some(m);
            }
            best = Some(m);
        }
    }
    best
}

fn match_from<U: Reads>(q: &Query, units: &[U], s: usize) -> Option<TextMatch> {
    let qn = q.chars.len();
    let n = units.len();
    // best[i][j]: cheapest way to have matched units s..i with the first j query characters.
    let w = qn + 1;
    let mut best: Vec<Option<(Cost, usize, usize, Step)>> = vec![None; (n + 1) * w];
    let idx = |i: usize, j: usize| i * w + j;
    best[idx(s, 0)] = Some((Cost(0, 0), s, 0, Step::Char));
    let mut end: Option<(usize, Cost)> = None;
    for i in s..n {
        let u = &units[i];
        let han = !u.ch().is_ascii();
        for j in 0..qn {
            let Some((cost, ..)) = best[idx(i, j)] else {
                continue;
            };
            let mut relax = |ni: usize, nj: usize, c: Cost, step: Step| {
                let slot = &mut best[idx(ni, nj)];
                if slot.is_none_or(|(old, ..)| c < old) {
                    *slot = Some((c, i, j, step));
                }
            };
            let qc = q.chars[j];
            if qc == u.ch() {
                relax(i + 1, j + 1, cost, Step::Char);
            }
            if !qc.is_ascii_lowercase() || !han {
                continue;
            }
            let rest = &q.chars[j..];
            for (r, reading) in u.readings().enumerate() {
                let rb = reading.as_bytes();
                let common = rest
                    .iter()
                    .zip(rb)
                    .take_while(|(a, b)| **a as u32 == **b as u32)
                    .count();
                if common == 0 {
                    continue;
                }
                let c = if r == 0 {
                    cost
                } else {
                    Cost(cost.0 + 1, cost.1)
                };
                let initial_len = if rb.len() >= 2 && matches!(&rb[..2], b"zh" | b"ch" | b"sh") {
                    2
                } else {
                    1
                };
                // Whole syllable, initial (z or zh), or the start of a syllable ending the query.
                let mut lens = [1, 0, 0, 0];
                if common >= initial_len {
                    lens[1] = initial_len;
                }
                if common == rb.len() {
                    lens[2] = rb.len();
                }
                if j + common == qn {
                    lens[3] = common;
                }
                lens.sort_unstable();
                for (k, &len) in lens.iter().enumerate() {
                    if len > 0 && (k == 0 || lens[k - 1] != len) {
                        relax(i + 1, j + len, c, Step::Reading { r });
                    }
                }
            }
            // The first word typed by the start of its natural pinyin (shang for 上海).
            if i == s && j == 0 && u.word_start() {
                let mut e = i + 1;
                while e < n && !units[e].word_start() && !units[e].ch().is_ascii() {
                    e += 1;
                }
                if e - i >= 2 {
                    let first = u.readings().next().map_or(0, str::len);
                    let whole: String = units[i..e]
                        .iter()
                        .filter_map(|u| u.readings().next())
                        .collect();
                    let common = rest
                        .iter()
                        .zip(whole.bytes())
                        .take_while(|(a, b)| **a as u32 == *b as u32)
                        .count();
                    if first > 0 && common >= first && common < whole.len() {
                        for len in first..=common {
                            relax(e, j + len, Cost(cost.0, cost.1 + 1), Step::Word { to: e });
                        }
                    }
                }
            }
        }
        for i2 in (i + 1)..=n {
            if let Some((c, ..)) = best[idx(i2, qn)]
                && end.is_none_or(|(_, old)| c < old)
            {
                end = Some((i2, c));
            }
        }
        if end.is_some_and(|(_, c)| c == Cost(0, 0)) {
            break;
        }
    }
    let (mut i, cost) = end?;
    // Walk back the steps for the "why" text.
    let mut j = qn;
    let mut parts: Vec<(usize, usize, String)> = Vec::new();
    while (i, j) != (s, 0) {
        let (_, pi, pj, step) = best[idx(i, j)]?;
        let read = match step {
            Step::Char => units[pi].ch().to_string(),
            Step::Reading { r, .. } => units[pi].readings().nth(r)?.to_string(),
            Step::Word { to, .. } => units[pi..to]
                .iter()
                .filter_map(|u| u.readings().next().map(str::to_string))
                .collect::<Vec<_>>()
                .join(""),
        };
        let to = match step {
            Step::Word { to, .. } => to,
            _ => pi + 1,
        };
        parts.push((pi, to, read));
        i = pi;
        j = pj;
    }
    parts.reverse();
    let last = parts.last().map_or(s, |p| p.1);
    Some(TextMatch {
        start: s,
        other_readings: cost.0,
        abbreviated: cost.1,
        text: units[s..last].iter().map(|u| u.ch()).collect(),
        readings: parts.into_iter().map(|p| p.2).collect(),
    })
}

/// Whether a text key (the name from one of its characters, [`TEXT_KEY_LEN`] of them at most)
/// can spell the query from its first character, each character read every way the character
/// table gives: a test on the key alone, before a name's stored units are read. `seen` keeps the
/// characters' units between calls.
pub fn text_key_may_match(q: &Query, key: &str, seen: &mut HashMap<char, Unit>) -> bool {
    let chars: Vec<char> = key.chars().take(q.chars.len()).collect();
    // A key cut at its length may match with the characters after it.
    if chars.len() == TEXT_KEY_LEN && q.chars.len() > TEXT_KEY_LEN {
        return true;
    }
    let lead = q.chars.iter().take_while(|c| !c.is_ascii()).count();
    if let Some(&kc) = chars.get(lead)
        && !text_key_next_may_match(q, kc, seen)
    {
        return false;
    }
    for &c in &chars {
        seen.entry(c).or_insert_with(|| key_unit(c));
    }
    let units: Vec<&Unit> = chars.iter().filter_map(|c| seen.get(c)).collect();
    match_from(q, &units, 0).is_some()
}

/// The test of [`text_key_may_match`] that most keys fail, on the key's character after the
/// Chinese the query starts with (the key starts with that Chinese): the query's letter after
/// it must start a reading of that character. A caller that has that character alone asks this
/// first, before reading the whole key.
pub fn text_key_next_may_match(q: &Query, kc: char, seen: &mut HashMap<char, Unit>) -> bool {
    let lead = q.chars.iter().take_while(|c| !c.is_ascii()).count();
    match q.chars.get(lead) {
        Some(&qc) if qc != kc => {
            !kc.is_ascii()
                && seen
                    .entry(kc)
                    .or_insert_with(|| key_unit(kc))
                    .readings
                    .iter()
                    .any(|r| r.starts_with(qc))
        }
        _ => true,
    }
}

/// A character of a text key with every reading the character table gives.
fn key_unit(c: char) -> Unit {
    Unit {
        ch: c,
        readings: if c.is_ascii() {
            vec![c.to_string()]
        } else {
            char_readings(c)
        },
        word_start: true,
    }
}

/// Characters of `wanted` in order inside `name` (上汽 in 上海汽车): the tightest span as
/// (start, span) in characters.
pub fn subsequence_span(name: &str, wanted: &[char]) -> Option<(usize, usize)> {
    let chars: Vec<char> = name.chars().collect();
    let first = *wanted.first()?;
    let mut best: Option<(usize, usize)> = None;
    for (start, _) in chars.iter().enumerate().filter(|(_, c)| **c == first) {
        let mut i = start;
        let mut ok = true;
        for w in &wanted[1..] {
            match chars[i + 1..].iter().position(|c| c == w) {
                Some(p) => i += p + 1,
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok && best.is_none_or(|(_, span)| i + 1 - start < span) {
            best = Some((start, i + 1 - start));
        }
    }
    best
}

/// Coordinators' names: full pinyin and initials of the natural reading (surnames read as
/// surnames), for the coordinator columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKeys {
    pub pinyin: String,
    pub initials: String,
}

pub fn search_keys(name: &str) -> SearchKeys {
    let us = units(name);
    let mut pinyin = String::new();
    let mut initials = String::new();
    for u in &us {
        if let Some(r) = u.readings.first() {
            pinyin.push_str(r);
            initials.extend(r.chars().next());
        }
    }
    SearchKeys { pinyin, initials }
}

/// What a query may name besides a name: the identifiers a caller reads out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdQuery {
    /// Code characters that may begin a USCC (upper-cased).
    UsccPrefix(String),
    /// A full 18-character USCC.
    Uscc(String),
    /// 10 digits (or AEOCN + 10 digits): a customs code.
    CustomsCode(String),
    /// Digits that may begin a customs code.
    CustomsPrefix(String),
    /// 18 digits: a declaration number.
    Declaration(String),
    /// Digits of a telephone number (a coordinator's).
    Phone(String),
    /// Text that may be an approval reference.
    Reference(String),
    /// A booking number (#123 or 123).
    Booking(i64),
}

/// Every identifier reading of a query, most specific first. A 10-digit query is both a
/// customs code and the start of a USCC.
pub fn id_readings(raw: &str) -> Vec<IdQuery> {
    let q: String = raw
        .chars()
        .map(fold)
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let mut out = Vec::new();
    if q.is_empty() {
        return out;
    }
    let upper = q.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("AEOCN") {
        if !rest.is_empty() && rest.len() <= 10 && rest.bytes().all(|b| b.is_ascii_digit()) {
            out.push(if rest.len() == 10 {
                IdQuery::CustomsCode(rest.to_string())
            } else {
                IdQuery::CustomsPrefix(rest.to_string())
            });
        }
        return out;
    }
    if let Some(n) = upper.strip_prefix('#')
        && let Ok(id) = n.parse::<i64>()
    {
        out.push(IdQuery::Booking(id));
        return out;
    }
    let digits = upper.bytes().all(|b| b.is_ascii_digit());
    let uscc_chars = upper
        .bytes()
        .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !b"IOSVZ".contains(&b)));
    if digits && upper.len() == 18 {
        out.push(IdQuery::Declaration(upper.clone()));
    }
    if uscc_chars && upper.len() == 18 && upper.as_bytes()[..2].iter().all(u8::is_ascii_digit) {
        out.push(IdQuery::Uscc(upper.clone()));
    }
    if digits && upper.len() == 10 {
        out.push(IdQuery::CustomsCode(upper.clone()));
    }
    if digits && (2..10).contains(&upper.len()) {
        out.push(IdQuery::CustomsPrefix(upper.clone()));
    }
    if uscc_chars
        && (2..18).contains(&upper.len())
        && upper.as_bytes()[0].is_ascii_alphanumeric()
        && upper.bytes().take(2).all(|b| b.is_ascii_digit())
    {
        out.push(IdQuery::UsccPrefix(upper.clone()));
    }
    if digits && (4..=11).contains(&upper.len()) {
        out.push(IdQuery::Phone(upper.clone()));
    }
    if digits
        && (1..=9).contains(&upper.len())
        && let Ok(id) = upper.parse::<i64>()
    {
        out.push(IdQuery::Booking(id));
    }
    if upper.len() >= 3 && upper.bytes().any(|b| b.is_ascii_digit()) && !raw.chars().any(is_han) {
        out.push(IdQuery::Reference(raw.trim().to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str, name: &str) -> Option<TextMatch> {
        match_text(&Query::new(q), &units(name))
    }

    fn natural(q: &str, name: &str) -> bool {
        m(q, name).is_some_and(|m| m.start == 0 && m.natural())
    }

    #[test]
    fn word_readings_come_first() {
        let us = units("上海长宁银行");
        let r: Vec<&str> = us.iter().map(|u| u.readings[0].as_str()).collect();
        assert_eq!(r, ["shang", "hai", "chang", "ning", "yin", "hang"]);
        assert!(us[2].readings.contains(&"zhang".to_string()));
        assert!(natural("changning", "长宁"));
        assert!(natural("cqca", "重庆长安汽车"));
        assert!(natural("zgyh", "中国银行"));
        assert!(natural("yinhang", "银行"));
        assert!(natural("xiamen", "厦门"));
        assert!(natural("changjiang", "长江"));
        assert!(!natural("zhangjiang", "长江"));
        assert!(
            m("zhangjiang", "长江").is_some(),
            "other readings still match"
        );
        assert!(!natural("changjiang", "张江"));
        // 行长 and 江永 are words, but 闵行长江 and 长江永盛 read 长江.
        assert!(m("changjiang", "上海闵行长江乳业").is_some_and(|m| m.natural()));
        assert!(natural("changjiang", "长江永盛光电"));
    }

    #[test]
    fn a_piece_that_is_no_word_reads_as_the_words_it_starts() {
        // 闵行 is no word of the dictionary; 闵行区 is.
        assert_eq!(phrase("闵行"), None);
        assert_eq!(phrase("闵行区"), Some("min hang qu"));
        assert_eq!(prefix_reading("闵行").as_deref(), Some("min hang"));
        let us = units("上海闵行华东精密机械");
        let r: Vec<&str> = us.iter().map(|u| u.readings[0].as_str()).collect();
        assert_eq!(r[..4], ["shang", "hai", "min", "hang"]);
        assert!(us[1].readings.len() == 1 && us[3].readings.contains(&"xing".to_string()));
        assert!(us[2].word_start && !us[3].word_start, "闵行 is one word");
        assert!(m("minhang", "上海闵行华东").is_some_and(|m| m.natural() && m.start == 2));
        assert!(natural("mhhc", "闵行华漕物流"));
        assert!(m("minxing", "闵行华漕物流").is_some_and(|m| !m.natural()));
        // Nothing starts with these: each character reads alone.
        assert_eq!(prefix_reading("漕物"), None);
    }

    #[test]
    fn the_phrase_table_is_sorted_and_found_by_binary_search() {
        let mut prev = "";
        let mut n = 0;
        for line in PHRASES.lines() {
            let (word, reading) = line.split_once(' ').expect("word and reading");
            assert!(prev < word, "{prev} before {word}");
            assert!(
                reading
                    .split(' ')
                    .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase()))
            );
            // Every 997th word is found where it is.
            if n % 997 == 0 {
                assert_eq!(phrase(word), Some(reading), "{word}");
            }
            prev = word;
            n += 1;
        }
        assert!(n > 370_000, "{n} words");
        assert_eq!(phrase(""), None);
        assert_eq!(phrase("\u{10FFFF}"), None);
        assert_eq!(phrases_from("长宁").next(), Some(("长宁", "chang ning")));
    }

    /// Every word of data/phrase_pinyin.txt is the crate's, with the crate's reading (toneless).
    /// The table is the crate's phrase data written out by `scripts/phrase-table`.
    #[test]
    fn phrase_table_is_the_crates_data() {
        let mut differ = Vec::new();
        for line in PHRASES.lines() {
            let (word, reading) = line.split_once(' ').unwrap();
            let got = phrase_pinyin::match_word_pinyin(word);
            let theirs = match got.as_slice() {
                [(w, r)] if w == word => r
                    .split_whitespace()
                    .map(|s| {
                        if s == "\u{e7c7}" {
                            "m".to_string()
                        } else {
                            toneless(s)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => format!("{got:?}"),
            };
            if theirs != reading {
                differ.push(format!("{word}: {reading} / {theirs}"));
            }
        }
        assert!(
            differ.is_empty(),
            "{} differ: {:?}",
            differ.len(),
            &differ[..differ.len().min(20)]
        );
    }

    #[test]
    fn a_text_key_is_tested_by_every_reading_of_its_characters() {
        let mut seen = HashMap::new();
        assert!(text_key_may_match(
            &Query::new("上海cn"),
            "上海长宁物流",
            &mut seen
        ));
        assert!(text_key_may_match(
            &Query::new("上海zn"),
            "上海长宁物流",
            &mut seen
        ));
        assert!(!text_key_may_match(
            &Query::new("上海x"),
            "上海长宁物流",
            &mut seen
        ));
        assert!(!text_key_may_match(
            &Query::new("上海cnwx"),
            "上海长宁物流",
            &mut seen
        ));
    }

    #[test]
    fn mixed_and_partial_queries() {
        for (q, name) in [
            ("上海cn", "上海长宁物流有限公司"),
            ("sh长宁", "上海长宁物流有限公司"),
            ("shangcn", "上海长宁物流有限公司"),
            ("shangq", "上海汽车集团股份有限公司"),
            ("shanghai qiche", "上海汽车集团股份有限公司"),
            ("shqc", "上海汽车集团股份有限公司"),
            ("mdrjyd4", "明德软件园第4分公司"),
        ] {
            assert!(m(q, name).is_some_and(|m| m.start == 0), "{q} in {name}");
        }
        // Inside the name, at a word.
        assert!(m("changning", "上海长宁物流").is_some_and(|m| m.start == 2));
        assert!(m("hai", "上海长宁物流").is_none(), "not inside a word");
        assert!(m("长宁", "上海长宁物流").is_some());
    }

    #[test]
    fn units_survive_their_stored_form() {
        let us = units("ＳＡＩＣ上海(长宁)3厂");
        let stored = encode(&us);
        assert_eq!(decode(&stored), us);
        // Read in place, the same units.
        let borrowed = decode_ref(&stored);
        assert_eq!(borrowed.len(), us.len());
        for (b, u) in borrowed.iter().zip(&us) {
            assert_eq!((b.ch, b.word_start), (u.ch, u.word_start));
            assert_eq!(
                b.readings().collect::<Vec<_>>(),
                u.readings().collect::<Vec<_>>()
            );
        }
        let q = Query::new("saicshcn");
        assert_eq!(match_text(&q, &borrowed), match_text(&q, &us));
        assert_eq!(us[0].ch, 's');
        assert!(us.iter().all(|u| u.ch != '(' && u.ch != ')'));
    }

    #[test]
    fn keys_index_every_word_start_under_each_reading() {
        let k = keys(&units("上海长江"));
        assert!(k.contains(&("shcj".to_string(), KeyKind::StartNatural)));
        assert!(k.contains(&("shzj".to_string(), KeyKind::StartOther)));
        assert!(k.contains(&("cj".to_string(), KeyKind::InsideNatural)));
        assert!(k.contains(&("上海长江".to_string(), KeyKind::TextStart)));
        assert!(k.contains(&("长江".to_string(), KeyKind::TextInside)));
        assert!(k.contains(&("江".to_string(), KeyKind::TextInside)));
        assert!(k.contains(&("scj".to_string(), KeyKind::StartAbbreviated)));
    }

    #[test]
    fn query_patterns_cover_every_reading_of_the_letters() {
        let p = Query::new("changning").patterns().exact;
        assert!(p.iter().any(|p| "cn".starts_with(p.as_str())), "{p:?}");
        let p = Query::new("shangcn").patterns().skipping;
        assert!(p.contains(&"s*cn".to_string()), "{p:?}");
        let p = Query::new("saic").patterns().exact;
        assert!(p.contains(&"saic".to_string()), "{p:?}");
        // n whole (嗯) before hn as the start of hng: the longer pattern is walked first.
        let p = Query::new("byhn").patterns().exact;
        assert_eq!(p, ["byhn", "byh"]);
        let p = Query::new("上海cn").patterns().exact;
        assert!(p.contains(&"shcn".to_string()), "{p:?}");
    }

    #[test]
    fn identifiers_are_read_every_way_they_can_be() {
        let r = id_readings("9131000013");
        assert!(r.contains(&IdQuery::CustomsCode("9131000013".into())));
        assert!(r.contains(&IdQuery::UsccPrefix("9131000013".into())));
        assert_eq!(
            id_readings("AEOCN3105910001"),
            vec![IdQuery::CustomsCode("3105910001".into())]
        );
        assert!(
            id_readings("222520191000153457")
                .contains(&IdQuery::Declaration("222520191000153457".into()))
        );
        assert!(
            id_readings("91310000132260250x").contains(&IdQuery::Uscc("91310000132260250X".into()))
        );
        assert!(id_readings("13812345678").contains(&IdQuery::Phone("13812345678".into())));
        assert_eq!(id_readings("#12"), vec![IdQuery::Booking(12)]);
    }
}
