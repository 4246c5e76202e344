//! An error as the operator reads it, in Chinese or English: every [`Message`] in its chain and
//! the refusals of the domain that keep their own types (their callers match on the variant).

use super::message::{Lang, Message};

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
}
