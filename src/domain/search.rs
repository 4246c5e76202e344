//! How staff on ASCII keyboards find Chinese names: full pinyin and pinyin initials, plus the
//! identifiers. Pure: the store indexes the keys computed here.

use pinyin::ToPinyin;

/// Keys an enterprise or coordinator name is found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchKeys {
    /// Toneless pinyin of every character, no separators: 上海汽车 → "shanghaiqiche".
    pub pinyin: String,
    /// First letter of each syllable: 上海汽车 → "shqc".
    pub initials: String,
}

/// Latin letters and digits in a name count as themselves in both keys.
pub fn search_keys(name: &str) -> SearchKeys {
    let mut pinyin = String::new();
    let mut initials = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => {
                pinyin.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if ch.is_ascii_alphanumeric() => {
                let c = ch.to_ascii_lowercase();
                pinyin.push(c);
                initials.push(c);
            }
            None => {}
        }
    }
    SearchKeys { pinyin, initials }
}

/// What a lookup query is taken to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupQuery {
    /// 18 characters of the USCC alphabet.
    Uscc(String),
    /// 10 digits, or "AEOCN" + 10 digits.
    CustomsCode(String),
    /// Digits or code characters that may begin a USCC or customs code.
    CodePrefix(String),
    /// ASCII letters: pinyin or initials, lowercase.
    Pinyin(String),
    /// Anything with Chinese characters: part of the name.
    Name(String),
    Empty,
}

pub fn classify(query: &str) -> LookupQuery {
    let q: String = query.split_whitespace().collect();
    if q.is_empty() {
        return LookupQuery::Empty;
    }
    let upper = q.to_ascii_uppercase();
    if let Some(rest) = upper.strip_prefix("AEOCN")
        && rest.len() == 10
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return LookupQuery::CustomsCode(rest.to_string());
    }
    if q.bytes().all(|b| b.is_ascii_digit()) {
        return if q.len() == 10 {
            LookupQuery::CustomsCode(q)
        } else {
            LookupQuery::CodePrefix(q)
        };
    }
    if upper.len() == 18
        && upper.bytes().all(|b| b.is_ascii_alphanumeric())
        && upper.as_bytes()[..2].iter().all(|b| b.is_ascii_digit())
    {
        return LookupQuery::Uscc(upper);
    }
    if q.bytes().all(|b| b.is_ascii_alphabetic()) {
        return LookupQuery::Pinyin(q.to_ascii_lowercase());
    }
    if q.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return LookupQuery::CodePrefix(upper);
    }
    LookupQuery::Name(query.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_name_is_found_by_full_pinyin_and_initials() {
        let k = search_keys("上海汽车集团股份有限公司");
        assert_eq!(k.initials, "shqcjtgfyxgs");
        assert!(k.pinyin.starts_with("shanghaiqiche"));
    }

    #[test]
    fn latin_letters_and_digits_in_a_name_count_as_themselves_and_brackets_are_skipped() {
        let k = search_keys("腾讯科技(深圳)有限公司");
        assert_eq!(k.initials, "txkjszyxgs");
        let k = search_keys("上海ABC电子3厂");
        assert_eq!(k.initials, "shabcdz3c");
    }

    #[test]
    fn queries_are_classified_by_shape() {
        assert_eq!(classify("shqc"), LookupQuery::Pinyin("shqc".into()));
        assert_eq!(classify(" SHQC "), LookupQuery::Pinyin("shqc".into()));
        assert_eq!(classify("上汽"), LookupQuery::Name("上汽".into()));
        assert_eq!(
            classify("91310000132260250x"),
            LookupQuery::Uscc("91310000132260250X".into())
        );
        assert_eq!(
            classify("3105910001"),
            LookupQuery::CustomsCode("3105910001".into())
        );
        assert_eq!(
            classify("AEOCN3105910001"),
            LookupQuery::CustomsCode("3105910001".into())
        );
        assert_eq!(classify("3105"), LookupQuery::CodePrefix("3105".into()));
        assert_eq!(classify("   "), LookupQuery::Empty);
    }
}
