//! Enterprise credit levels (企业信用等级) as data: a rule names the levels it applies to.

use crate::text::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The five levels of Decree 282; both certified levels are AEO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditLevel {
    Advanced,
    Certified,
    Regular,
    Dishonest,
    SeriouslyDishonest,
}

impl CreditLevel {
    pub const ALL: [CreditLevel; 5] = [
        CreditLevel::Advanced,
        CreditLevel::Certified,
        CreditLevel::Regular,
        CreditLevel::Dishonest,
        CreditLevel::SeriouslyDishonest,
    ];

    pub fn is_aeo(self) -> bool {
        matches!(self, CreditLevel::Advanced | CreditLevel::Certified)
    }

    /// The code used in files, the CLI and the database.
    pub fn code(self) -> &'static str {
        match self {
            CreditLevel::Advanced => "advanced",
            CreditLevel::Certified => "certified",
            CreditLevel::Regular => "regular",
            CreditLevel::Dishonest => "dishonest",
            CreditLevel::SeriouslyDishonest => "seriously_dishonest",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CreditLevel::Advanced => "高级认证企业",
            CreditLevel::Certified => "认证企业",
            CreditLevel::Regular => "常规企业",
            CreditLevel::Dishonest => "失信企业",
            CreditLevel::SeriouslyDishonest => "严重失信企业",
        }
    }

    /// The name an operator reads, in their language.
    pub fn name(self, lang: Lang) -> &'static str {
        lang.pick(self.name_zh(), self.name_en())
    }

    /// The name in a narrow column.
    pub fn short_name(self, lang: Lang) -> &'static str {
        match self {
            CreditLevel::Advanced => lang.pick("高级认证", "advanced"),
            CreditLevel::Certified => lang.pick("认证", "certified"),
            CreditLevel::Regular => lang.pick("常规", "regular"),
            CreditLevel::Dishonest => lang.pick("失信", "dishonest"),
            CreditLevel::SeriouslyDishonest => lang.pick("严重失信", "s.dishonest"),
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CreditLevel::Advanced => "advanced certified",
            CreditLevel::Certified => "certified",
            CreditLevel::Regular => "regular",
            CreditLevel::Dishonest => "dishonest",
            CreditLevel::SeriouslyDishonest => "seriously dishonest",
        }
    }
}

impl fmt::Display for CreditLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for CreditLevel {
    type Err = String;

    /// Accepts the code, a hyphenated code, or the Chinese name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let norm = t.to_ascii_lowercase().replace('-', "_");
        CreditLevel::ALL
            .into_iter()
            .find(|l| l.code() == norm || l.name_zh() == t)
            .or(match norm.as_str() {
                "aeo" | "高级认证" => Some(CreditLevel::Advanced),
                "serious_dishonest" => Some(CreditLevel::SeriouslyDishonest),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "unknown credit level '{t}' (expected one of: advanced, certified, regular, dishonest, seriously_dishonest, or the Chinese name)"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_certified_levels_are_aeo_and_no_other() {
        let aeo: Vec<_> = CreditLevel::ALL
            .into_iter()
            .filter(|l| l.is_aeo())
            .collect();
        assert_eq!(aeo, vec![CreditLevel::Advanced, CreditLevel::Certified]);
    }

    #[test]
    fn credit_levels_parse_from_code_and_chinese_name() {
        for l in CreditLevel::ALL {
            assert_eq!(l.code().parse::<CreditLevel>(), Ok(l));
            assert_eq!(l.name_zh().parse::<CreditLevel>(), Ok(l));
        }
        assert_eq!(
            "seriously-dishonest".parse::<CreditLevel>(),
            Ok(CreditLevel::SeriouslyDishonest)
        );
        assert!(
            "gold"
                .parse::<CreditLevel>()
                .unwrap_err()
                .contains("'gold'")
        );
    }
}
