//! Words an operator reads, in Chinese and English. Every refusal and error of the domain and the
//! store is a [`Message`]; whatever shows it (console, CLI) picks the operator's language with
//! [`Message::text`] or, for an `anyhow::Error` that may hold one, [`localize`].

use std::fmt;

pub use crate::text::Lang;

/// One sentence in both languages. It is an error type, so a refusal travels through
/// `anyhow::Result` unchanged: `return Err(Message::new("…", "…").into())`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    zh: String,
    en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Message {
        Message {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn zh(&self) -> &str {
        &self.zh
    }

    pub fn en(&self) -> &str {
        &self.en
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    /// This message after a heading in the same language: "预约被拒绝：…" / "booking refused: …".
    pub fn after(self, heading: &Message) -> Message {
        Message {
            zh: format!("{}：{}", heading.zh, self.zh),
            en: format!("{}: {}", heading.en, self.en),
        }
    }
}

/// English, for logs and for code that has no language at hand; operators get [`Message::text`].
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Message {}

/// An error as the operator reads it: each [`Message`] in the chain in `lang`, other errors
/// (I/O, SQLite) in their own words, joined like `{:#}` does. A `Message` given as the outermost
/// context (`.context(Message::new(…))`) is found too.
pub fn localize(err: &anyhow::Error, lang: Lang) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut chain = err.chain();
    if let Some(m) = err.downcast_ref::<Message>() {
        parts.push(m.text(lang).to_string());
        chain.next();
    }
    for e in chain {
        parts.push(match bilingual(e) {
            Some(m) => m.text(lang).to_string(),
            None => e.to_string(),
        });
    }
    parts.dedup();
    parts.join(lang.pick("：", ": "))
}

/// The two languages of an error the domain knows; refusal enums keep their own type (callers
/// match on the variant) and say themselves through `message()`.
fn bilingual(e: &(dyn std::error::Error + 'static)) -> Option<Message> {
    if let Some(m) = e.downcast_ref::<Message>() {
        return Some(m.clone());
    }
    if let Some(r) = e.downcast_ref::<super::inspection::BookingRefusal>() {
        return Some(r.message());
    }
    if let Some(r) = e.downcast_ref::<super::clearance::ClearanceRefusal>() {
        return Some(r.message());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn a_message_speaks_the_language_asked_for() {
        let m = Message::new("队列事项 #3 已办结", "queue item #3 is already done");
        assert_eq!(m.text(Lang::Zh), "队列事项 #3 已办结");
        assert_eq!(m.text(Lang::En), "queue item #3 is already done");
        assert_eq!(m.to_string(), "queue item #3 is already done");
    }

    #[test]
    fn a_refusal_keeps_its_languages_through_anyhow() {
        let err: anyhow::Error = Message::new("时段已满", "slot full").into();
        assert_eq!(localize(&err, Lang::Zh), "时段已满");
        assert_eq!(localize(&err, Lang::En), "slot full");
        let wrapped = Err::<(), _>(err)
            .context(Message::new("预约被拒绝", "booking refused"))
            .unwrap_err();
        assert_eq!(localize(&wrapped, Lang::Zh), "预约被拒绝：时段已满");
        assert_eq!(localize(&wrapped, Lang::En), "booking refused: slot full");
    }

    #[test]
    fn errors_without_a_message_keep_their_own_words() {
        let io = std::io::Error::other("disk full");
        let err = anyhow::Error::new(io).context("cannot write the export");
        assert_eq!(
            localize(&err, Lang::Zh),
            "cannot write the export：disk full"
        );
    }

    #[test]
    fn a_heading_joins_in_the_same_language() {
        let m = Message::new("时段已满", "slot full")
            .after(&Message::new("预约被拒绝", "booking refused"));
        assert_eq!(m.zh(), "预约被拒绝：时段已满");
        assert_eq!(m.en(), "booking refused: slot full");
    }
}
