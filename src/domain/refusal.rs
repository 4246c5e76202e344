//! A rule's refusal, said whole in Chinese and in English.

/// Why a rule refuses a change: the field or value at fault, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{zh} / {en}")]
pub struct Refusal {
    pub zh: String,
    pub en: String,
}

impl Refusal {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in one language (`zh` first, as the console speaks).
    pub fn text(&self, chinese: bool) -> &str {
        if chinese { &self.zh } else { &self.en }
    }
}
