//! Spreadsheet formula injection (OWASP "CSV injection"): a cell that starts with `=`, `+`, `-`,
//! `@`, a tab or a carriage return is run as a formula by Excel and WPS. Export writes such a
//! value with a leading `'` (which spreadsheets show as text and hide), and import of a CSV
//! file takes that `'` off again, so a round trip gives back the value exactly. A value that
//! already starts with `'`s before such a character gets one more, so the rule is reversible.

use std::borrow::Cow;

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` is one or more `'` then a trigger character, or a trigger character
/// (`quotes_needed` quotes first).
fn quoted_trigger(s: &str, quotes_needed: usize) -> bool {
    let rest = s.trim_start_matches('\'');
    s.len() - rest.len() >= quotes_needed && rest.starts_with(TRIGGERS)
}

/// The value as export writes it into a CSV cell.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if quoted_trigger(s, 0) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The value a CSV cell written by `neutralise` stood for.
pub fn restore(s: &str) -> Cow<'_, str> {
    if quoted_trigger(s, 1) {
        Cow::Borrowed(&s[1..])
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_quoted_and_plain_values_are_not() {
        assert_eq!(neutralise("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(neutralise("+8613900000000"), "'+8613900000000");
        assert_eq!(neutralise("-1"), "'-1");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("'=x"), "''=x");
        for plain in ["上海汽车", "021-5123", "'quoted'", "", "a=b"] {
            assert_eq!(neutralise(plain), plain);
            assert_eq!(restore(plain), plain);
        }
    }

    proptest! {
        #[test]
        fn restore_undoes_neutralise(s in "['=+@\\-\t\ra-z上]{0,8}") {
            let cell = neutralise(&s);
            prop_assert_eq!(restore(&cell), s.as_str());
            prop_assert!(!cell.starts_with(TRIGGERS));
        }
    }
}
