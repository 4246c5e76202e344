//! Words an operator reads, in Chinese and English. Every refusal and error of the domain and the
//! store is a [`Message`]; whatever shows it (console, CLI) picks the operator's language with
//! [`Message::text`] or, for an `anyhow::Error` that may hold one, [`super::localize::localize`].

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_speaks_the_language_asked_for() {
        let m = Message::new("队列事项 #3 已办结", "queue item #3 is already done");
        assert_eq!(m.text(Lang::Zh), "队列事项 #3 已办结");
        assert_eq!(m.text(Lang::En), "queue item #3 is already done");
        assert_eq!(m.to_string(), "queue item #3 is already done");
    }

    #[test]
    fn a_heading_joins_in_the_same_language() {
        let m = Message::new("时段已满", "slot full")
            .after(&Message::new("预约被拒绝", "booking refused"));
        assert_eq!(m.zh(), "预约被拒绝：时段已满");
        assert_eq!(m.en(), "booking refused: slot full");
    }
}
