//! The catalog of the 33 measures of the AEO Action Plan, read from `data/measures.toml`.
//!
//! Rules take their numbers (time limits, ratios, lead hours) from here, never from literals.
//! [`MeasureCatalog::parse`] validates the whole file, so the typed accessors cannot fail on a
//! catalog that parsed.

use crate::text::Lang;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Number of measures in the plan.
pub const MEASURE_COUNT: u8 = 33;

/// The official catalog text, compiled in.
pub const OFFICIAL_TEXT: &str = include_str!("../../data/measures.toml");

/// Where the console mainly carries a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pane {
    Queue,
    Calendar,
    Approvals,
    Lookup,
    Hotline,
}

/// One measure as the catalog describes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measure {
    /// 1..=33, as numbered in the plan.
    pub number: u8,
    /// 1..=5, the plan's (一)..(五).
    pub category: u8,
    /// The plan's own heading.
    pub title_zh: String,
    pub title_en: String,
    /// One line an operator can read out.
    pub summary_zh: String,
    pub summary_en: String,
    pub pane: Pane,
    /// "aeo" or "advanced" (高级认证企业 only).
    pub applies_to: String,
    /// Industry keys for measures limited to certain industries (9, 11, 12).
    pub industries: Vec<String>,
    /// Parameters as written; prefer the typed accessors on [`MeasureCatalog`].
    pub params: toml::Table,
}

/// Time limit of an approval before and after the measure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApprovalLimit {
    pub measure: u8,
    pub regular_days: u32,
    pub aeo_days: u32,
    /// "working" or "calendar".
    pub count: String,
}

/// Lead time of an appointment-clearance application (measure 27).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClearanceLead {
    pub regular_lead_hours: u32,
    pub reduced_lead_hours: u32,
    /// Credit levels that get the reduced lead time.
    pub reduced_levels: Vec<String>,
    /// Credit levels that may not use appointment clearance.
    pub refused_levels: Vec<String>,
}

/// Why a catalog was rejected. Messages are one line and name the measure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeasureError {
    #[error("measures catalog is not valid TOML for the expected layout: {0}")]
    Syntax(String),

    #[error("measures catalog: measure number {number} is outside 1-33")]
    NumberOutOfRange { number: i64 },

    #[error("measures catalog: measure {number} appears more than once")]
    Duplicate { number: u8 },

    #[error("measures catalog is missing measure(s) {}", join_numbers(.numbers))]
    Missing { numbers: Vec<u8> },

    #[error("measures catalog: measure {number} has category {got}, expected {expected}")]
    WrongCategory { number: u8, got: i64, expected: u8 },

    #[error("measures catalog: measure {number} field '{field}' {problem}")]
    BadField {
        number: u8,
        field: &'static str,
        problem: String,
    },

    #[error("measures catalog: measure {number} is missing parameter '{key}'")]
    MissingParam { number: u8, key: &'static str },

    #[error("measures catalog: measure {number} parameter '{key}' must be {expected}")]
    BadParam {
        number: u8,
        key: &'static str,
        expected: &'static str,
    },

    #[error("measures catalog: measure {number} parameters are inconsistent: {problem}")]
    Inconsistent { number: u8, problem: String },
}

fn join_numbers(numbers: &[u8]) -> String {
    numbers
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Category (1..=5) a measure number belongs to, by the plan's ranges.
pub fn category_of(number: u8) -> Option<u8> {
    match number {
        1..=13 => Some(1),
        14..=20 => Some(2),
        21..=24 => Some(3),
        25..=27 => Some(4),
        28..=33 => Some(5),
        _ => None,
    }
}

/// The kind of value a required parameter holds.
#[derive(Debug, Clone, Copy)]
enum ParamKind {
    /// A whole number, 0 or more.
    Count,
    /// A number between 0 and 1 (integers accepted).
    Ratio,
    /// "working" or "calendar".
    DayCount,
    /// A list of credit-level names.
    Levels,
}

impl Measure {
    pub fn title(&self, lang: Lang) -> &str {
        lang.pick(&self.title_zh, &self.title_en)
    }

    pub fn summary(&self, lang: Lang) -> &str {
        lang.pick(&self.summary_zh, &self.summary_en)
    }
}

impl ParamKind {
    fn expected(self) -> &'static str {
        match self {
            ParamKind::Count => "a whole number, 0 or more",
            ParamKind::Ratio => "a number between 0 and 1",
            ParamKind::DayCount => "\"working\" or \"calendar\"",
            ParamKind::Levels => "a list of credit-level names like \"advanced\"",
        }
    }

    fn accepts(self, value: &toml::Value) -> bool {
        match self {
            ParamKind::Count => value.as_integer().is_some_and(|i| u32::try_from(i).is_ok()),
            ParamKind::Ratio => as_number(value).is_some_and(|f| (0.0..=1.0).contains(&f)),
            ParamKind::DayCount => matches!(value.as_str(), Some("working" | "calendar")),
            ParamKind::Levels => value.as_array().is_some_and(|items| {
                items.iter().all(|item| {
                    item.as_str()
                        .is_some_and(|s| !s.is_empty() && is_snake_case(s))
                })
            }),
        }
    }
}

fn as_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn is_snake_case(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parameters the code reads, by measure.
const REQUIRED_PARAMS: &[(u8, &str, ParamKind)] = &[
    (6, "acceptance_days", ParamKind::Count),
    (6, "acceptance_count", ParamKind::DayCount),
    (14, "sampling_ratio_of_regular", ParamKind::Ratio),
    (15, "spot_check_ratio_below", ParamKind::Ratio),
    (17, "management_verifications_per_year", ParamKind::Count),
    (20, "regular_followup_ratio", ParamKind::Ratio),
    (20, "aeo_followup_min_ratio", ParamKind::Ratio),
    (25, "regular_days", ParamKind::Count),
    (25, "aeo_days", ParamKind::Count),
    (25, "count", ParamKind::DayCount),
    (26, "regular_days", ParamKind::Count),
    (26, "aeo_days", ParamKind::Count),
    (26, "count", ParamKind::DayCount),
    (26, "min_reduction", ParamKind::Ratio),
    (27, "regular_lead_hours", ParamKind::Count),
    (27, "reduced_lead_hours", ParamKind::Count),
    (27, "reduced_levels", ParamKind::Levels),
    (27, "refused_levels", ParamKind::Levels),
];

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[serde(default)]
    measure: Vec<RawMeasure>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    number: i64,
    category: i64,
    title_zh: String,
    title_en: String,
    summary_zh: String,
    summary_en: String,
    pane: Pane,
    applies_to: String,
    #[serde(default)]
    industries: Vec<String>,
    #[serde(default)]
    params: toml::Table,
}

/// The validated catalog, measures in number order.
#[derive(Debug, Clone)]
pub struct MeasureCatalog {
    measures: Vec<Measure>,
}

impl MeasureCatalog {
    /// The catalog compiled from `data/measures.toml`, parsed once.
    ///
    /// # Panics
    /// If the compiled-in file is invalid (the test suite checks it is not).
    pub fn official() -> &'static MeasureCatalog {
        static OFFICIAL: OnceLock<MeasureCatalog> = OnceLock::new();
        OFFICIAL.get_or_init(|| {
            MeasureCatalog::parse(OFFICIAL_TEXT)
                .unwrap_or_else(|e| panic!("data/measures.toml is invalid: {e}"))
        })
    }

    /// Parse and validate a catalog: numbers 1..=33 each exactly once, categories matching
    /// the plan's ranges, text fields filled in, and every parameter the code reads present
    /// with the right type.
    pub fn parse(text: &str) -> Result<MeasureCatalog, MeasureError> {
        let raw: RawCatalog =
            toml::from_str(text).map_err(|e| MeasureError::Syntax(one_line(&e.to_string())))?;
        let mut seen = BTreeSet::new();
        let mut measures = Vec::with_capacity(raw.measure.len());
        for m in raw.measure {
            let number = u8::try_from(m.number)
                .ok()
                .filter(|n| (1..=MEASURE_COUNT).contains(n))
                .ok_or(MeasureError::NumberOutOfRange { number: m.number })?;
            if !seen.insert(number) {
                return Err(MeasureError::Duplicate { number });
            }
            let expected = category_of(number).expect("number in range");
            if m.category != i64::from(expected) {
                return Err(MeasureError::WrongCategory {
                    number,
                    got: m.category,
                    expected,
                });
            }
            let texts = [
                ("title_zh", &m.title_zh),
                ("title_en", &m.title_en),
                ("summary_zh", &m.summary_zh),
                ("summary_en", &m.summary_en),
            ];
            for (field, value) in texts {
                if value.trim().is_empty() {
                    return Err(MeasureError::BadField {
                        number,
                        field,
                        problem: "must not be empty".into(),
                    });
                }
            }
            if m.applies_to != "aeo" && m.applies_to != "advanced" {
                return Err(MeasureError::BadField {
                    number,
                    field: "applies_to",
                    problem: format!("must be \"aeo\" or \"advanced\", got \"{}\"", m.applies_to),
                });
            }
            if let Some(bad) = m
                .industries
                .iter()
                .find(|s| s.is_empty() || !is_snake_case(s))
            {
                return Err(MeasureError::BadField {
                    number,
                    field: "industries",
                    problem: format!("entries must be snake_case keys, got \"{bad}\""),
                });
            }
            measures.push(Measure {
                number,
                category: expected,
                title_zh: m.title_zh,
                title_en: m.title_en,
                summary_zh: m.summary_zh,
                summary_en: m.summary_en,
                pane: m.pane,
                applies_to: m.applies_to,
                industries: m.industries,
                params: m.params,
            });
        }
        let missing: Vec<u8> = (1..=MEASURE_COUNT).filter(|n| !seen.contains(n)).collect();
        if !missing.is_empty() {
            return Err(MeasureError::Missing { numbers: missing });
        }
        measures.sort_by_key(|m| m.number);
        let catalog = MeasureCatalog { measures };
        catalog.check_params()?;
        Ok(catalog)
    }

    fn check_params(&self) -> Result<(), MeasureError> {
        for &(number, key, kind) in REQUIRED_PARAMS {
            match self.get(number).params.get(key) {
                None => return Err(MeasureError::MissingParam { number, key }),
                Some(value) if !kind.accepts(value) => {
                    return Err(MeasureError::BadParam {
                        number,
                        key,
                        expected: kind.expected(),
                    });
                }
                Some(_) => {}
            }
        }
        for limit in [
            self.special_articles_approval(),
            self.animal_plant_approval(),
        ] {
            if limit.aeo_days > limit.regular_days {
                return Err(MeasureError::Inconsistent {
                    number: limit.measure,
                    problem: format!(
                        "aeo_days {} is longer than regular_days {}",
                        limit.aeo_days, limit.regular_days
                    ),
                });
            }
        }
        let lead = self.appointment_clearance();
        if lead.reduced_lead_hours > lead.regular_lead_hours {
            return Err(MeasureError::Inconsistent {
                number: 27,
                problem: format!(
                    "reduced_lead_hours {} is longer than regular_lead_hours {}",
                    lead.reduced_lead_hours, lead.regular_lead_hours
                ),
            });
        }
        if let Some(level) = lead
            .reduced_levels
            .iter()
            .find(|l| lead.refused_levels.contains(l))
        {
            return Err(MeasureError::Inconsistent {
                number: 27,
                problem: format!("level \"{level}\" is both reduced and refused"),
            });
        }
        Ok(())
    }

    /// Measure `n`.
    ///
    /// # Panics
    /// If `n` is not in 1..=33.
    pub fn get(&self, n: u8) -> &Measure {
        assert!(
            (1..=MEASURE_COUNT).contains(&n),
            "measure number {n} is outside 1-33"
        );
        &self.measures[usize::from(n) - 1]
    }

    /// All 33 measures in number order.
    pub fn all(&self) -> &[Measure] {
        &self.measures
    }

    /// Measures of one category (1..=5), in number order.
    pub fn in_category(&self, category: u8) -> impl Iterator<Item = &Measure> {
        self.measures.iter().filter(move |m| m.category == category)
    }

    /// The plan's heading for a category (1..=5).
    pub fn category_name_zh(c: u8) -> &'static str {
        match c {
            1 => "优先办理类措施",
            2 => "减少监管频次类措施",
            3 => "降低通关成本类措施",
            4 => "缩短办理时间类措施",
            5 => "优化服务类措施",
            _ => "未知类别",
        }
    }

    /// The plan's heading for a category (1..=5), in the operator's language.
    pub fn category_name(c: u8, lang: Lang) -> &'static str {
        lang.pick(Self::category_name_zh(c), Self::category_name_en(c))
    }

    /// English name of a category (1..=5).
    pub fn category_name_en(c: u8) -> &'static str {
        match c {
            1 => "Priority handling",
            2 => "Less supervision",
            3 => "Lower clearance cost",
            4 => "Shorter processing time",
            5 => "Better service",
            _ => "Unknown category",
        }
    }

    fn param(&self, number: u8, key: &str) -> &toml::Value {
        self.get(number)
            .params
            .get(key)
            .unwrap_or_else(|| panic!("measure {number} parameter {key} validated at parse"))
    }

    fn param_u32(&self, number: u8, key: &str) -> u32 {
        self.param(number, key)
            .as_integer()
            .and_then(|i| u32::try_from(i).ok())
            .expect("validated at parse")
    }

    fn param_f64(&self, number: u8, key: &str) -> f64 {
        as_number(self.param(number, key)).expect("validated at parse")
    }

    fn param_string(&self, number: u8, key: &str) -> String {
        self.param(number, key)
            .as_str()
            .expect("validated at parse")
            .to_string()
    }

    fn param_strings(&self, number: u8, key: &str) -> Vec<String> {
        self.param(number, key)
            .as_array()
            .expect("validated at parse")
            .iter()
            .map(|v| v.as_str().expect("validated at parse").to_string())
            .collect()
    }

    fn approval_limit(&self, number: u8) -> ApprovalLimit {
        ApprovalLimit {
            measure: number,
            regular_days: self.param_u32(number, "regular_days"),
            aeo_days: self.param_u32(number, "aeo_days"),
            count: self.param_string(number, "count"),
        }
    }

    /// Measure 25: special-articles health-quarantine approval limit.
    pub fn special_articles_approval(&self) -> ApprovalLimit {
        self.approval_limit(25)
    }

    /// Measure 26: entry animal/plant quarantine approval limit (the `aeo_days` figure is the
    /// one the plan gives for 高级认证企业).
    pub fn animal_plant_approval(&self) -> ApprovalLimit {
        self.approval_limit(26)
    }

    /// Measure 26: the least share by which other eligible approvals are shortened.
    pub fn animal_plant_min_reduction(&self) -> f64 {
        self.param_f64(26, "min_reduction")
    }

    /// Measure 6: advance-ruling acceptance limit in days, and how the days count.
    pub fn advance_ruling_acceptance(&self) -> (u32, String) {
        (
            self.param_u32(6, "acceptance_days"),
            self.param_string(6, "acceptance_count"),
        )
    }

    /// Measure 27: appointment-clearance lead times and who gets or is refused them.
    pub fn appointment_clearance(&self) -> ClearanceLead {
        ClearanceLead {
            regular_lead_hours: self.param_u32(27, "regular_lead_hours"),
            reduced_lead_hours: self.param_u32(27, "reduced_lead_hours"),
            reduced_levels: self.param_strings(27, "reduced_levels"),
            refused_levels: self.param_strings(27, "refused_levels"),
        }
    }

    /// Measure 17: management-type verifications of one AEO enterprise a year, at most.
    pub fn management_verifications_per_year(&self) -> u32 {
        self.param_u32(17, "management_verifications_per_year")
    }

    /// Measure 14: special-articles sampling ratio, as a share of the regular average.
    pub fn special_articles_sampling_ratio(&self) -> f64 {
        self.param_f64(14, "sampling_ratio_of_regular")
    }

    /// Measure 15: origin spot checks stay below this share of the regular average.
    pub fn origin_spot_check_ratio_below(&self) -> f64 {
        self.param_f64(15, "spot_check_ratio_below")
    }

    /// Measure 20: the regular on-site follow-up ratio for class A/B special articles.
    pub fn regular_followup_ratio(&self) -> f64 {
        self.param_f64(20, "regular_followup_ratio")
    }

    /// Measure 20: the AEO follow-up ratio may not fall below this share of yearly batches.
    pub fn aeo_followup_min_ratio(&self) -> f64 {
        self.param_f64(20, "aeo_followup_min_ratio")
    }
}

/// Collapse a multi-line parser message to one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The official text split into its `[[measure]]` blocks (the header comment dropped).
    fn blocks() -> Vec<String> {
        OFFICIAL_TEXT
            .split("[[measure]]")
            .skip(1)
            .map(|b| format!("[[measure]]{b}"))
            .collect()
    }

    fn without_measure(n: u8) -> String {
        blocks()
            .into_iter()
            .filter(|b| !b.contains(&format!("\nnumber = {n}\n")))
            .collect()
    }

    fn with_block_edited(n: u8, from: &str, to: &str) -> String {
        blocks()
            .into_iter()
            .map(|b| {
                if b.contains(&format!("\nnumber = {n}\n")) {
                    assert!(b.contains(from), "measure {n} block has no {from:?}");
                    b.replacen(from, to, 1)
                } else {
                    b
                }
            })
            .collect()
    }

    #[test]
    fn the_official_catalog_parses_with_all_33_measures_in_order() {
        let catalog = MeasureCatalog::official();
        assert_eq!(catalog.all().len(), 33);
        for (i, m) in catalog.all().iter().enumerate() {
            assert_eq!(usize::from(m.number), i + 1);
            assert_eq!(catalog.get(m.number).number, m.number);
        }
    }

    #[test]
    fn categories_follow_the_plan_ranges() {
        let catalog = MeasureCatalog::official();
        let count = |c| catalog.in_category(c).count();
        assert_eq!(
            [count(1), count(2), count(3), count(4), count(5)],
            [13, 7, 4, 3, 6]
        );
        assert_eq!(catalog.get(13).category, 1);
        assert_eq!(catalog.get(14).category, 2);
        assert_eq!(catalog.get(24).category, 3);
        assert_eq!(catalog.get(25).category, 4);
        assert_eq!(catalog.get(28).category, 5);
        assert_eq!(MeasureCatalog::category_name_zh(4), "缩短办理时间类措施");
        assert_eq!(MeasureCatalog::category_name_en(5), "Better service");
    }

    #[test]
    fn titles_carry_the_plan_wording() {
        let catalog = MeasureCatalog::official();
        assert_eq!(
            catalog.get(25).title_zh,
            "压缩特殊物品出入境卫生检疫事项审批时限"
        );
        assert_eq!(catalog.get(26).title_zh, "压缩进境动植物检疫事项审批时限");
        assert_eq!(
            catalog.get(33).title_zh,
            "为 AEO 企业提供 962116 热线专属服务"
        );
        assert_eq!(catalog.get(12).title_zh, "优先对外推荐注册");
    }

    #[test]
    fn panes_industries_and_beneficiaries_are_set() {
        let catalog = MeasureCatalog::official();
        assert_eq!(catalog.get(6).pane, Pane::Approvals);
        assert_eq!(catalog.get(7).pane, Pane::Calendar);
        assert_eq!(catalog.get(25).pane, Pane::Approvals);
        assert_eq!(catalog.get(33).pane, Pane::Hotline);
        assert_eq!(
            catalog.get(9).industries,
            ["integrated_circuits", "new_display", "aviation_maintenance"]
        );
        assert_eq!(catalog.get(11).industries, ["integrated_circuits"]);
        assert_eq!(catalog.get(12).industries, ["food_export"]);
        assert!(catalog.get(1).industries.is_empty());
        assert!(
            catalog
                .all()
                .iter()
                .all(|m| m.applies_to == "aeo" || m.applies_to == "advanced")
        );
    }

    #[test]
    fn special_articles_approval_is_20_days_down_to_5_working_days() {
        assert_eq!(
            MeasureCatalog::official().special_articles_approval(),
            ApprovalLimit {
                measure: 25,
                regular_days: 20,
                aeo_days: 5,
                count: "working".into()
            }
        );
    }

    #[test]
    fn animal_plant_approval_is_20_down_to_10_working_days_and_at_least_half() {
        let catalog = MeasureCatalog::official();
        assert_eq!(
            catalog.animal_plant_approval(),
            ApprovalLimit {
                measure: 26,
                regular_days: 20,
                aeo_days: 10,
                count: "working".into()
            }
        );
        assert_eq!(catalog.animal_plant_min_reduction(), 0.5);
    }

    #[test]
    fn appointment_clearance_lead_is_24_down_to_8_hours() {
        let lead = MeasureCatalog::official().appointment_clearance();
        assert_eq!(lead.regular_lead_hours, 24);
        assert_eq!(lead.reduced_lead_hours, 8);
        assert_eq!(lead.reduced_levels, ["advanced", "certified"]);
        assert_eq!(lead.refused_levels, ["dishonest", "seriously_dishonest"]);
    }

    #[test]
    fn advance_ruling_acceptance_is_10_calendar_days() {
        assert_eq!(
            MeasureCatalog::official().advance_ruling_acceptance(),
            (10, "calendar".to_string())
        );
    }

    #[test]
    fn supervision_ratios_and_frequencies_are_the_plan_figures() {
        let catalog = MeasureCatalog::official();
        assert_eq!(catalog.special_articles_sampling_ratio(), 0.05);
        assert_eq!(catalog.origin_spot_check_ratio_below(), 0.05);
        assert_eq!(catalog.management_verifications_per_year(), 1);
        assert_eq!(catalog.regular_followup_ratio(), 1.0);
        assert_eq!(catalog.aeo_followup_min_ratio(), 0.10);
    }

    #[test]
    fn the_blocks_reassembled_parse_like_the_file() {
        let text: String = blocks().concat();
        assert_eq!(MeasureCatalog::parse(&text).unwrap().all().len(), 33);
    }

    #[test]
    fn a_missing_measure_is_rejected_by_number() {
        let err = MeasureCatalog::parse(&without_measure(5)).unwrap_err();
        assert_eq!(err, MeasureError::Missing { numbers: vec![5] });
        assert_eq!(err.to_string(), "measures catalog is missing measure(s) 5");
    }

    #[test]
    fn an_empty_catalog_lists_every_measure_missing() {
        let err = MeasureCatalog::parse("").unwrap_err();
        assert_eq!(
            err,
            MeasureError::Missing {
                numbers: (1..=33).collect()
            }
        );
    }

    #[test]
    fn a_duplicate_number_is_rejected() {
        let text = with_block_edited(5, "number = 5\n", "number = 4\n");
        let err = MeasureCatalog::parse(&text).unwrap_err();
        assert_eq!(err, MeasureError::Duplicate { number: 4 });
        assert_eq!(
            err.to_string(),
            "measures catalog: measure 4 appears more than once"
        );
    }

    #[test]
    fn a_number_outside_the_plan_is_rejected() {
        let text = with_block_edited(33, "number = 33\n", "number = 34\n");
        assert_eq!(
            MeasureCatalog::parse(&text).unwrap_err().to_string(),
            "measures catalog: measure number 34 is outside 1-33"
        );
    }

    #[test]
    fn a_wrong_category_is_rejected() {
        let text = with_block_edited(14, "category = 2\n", "category = 1\n");
        assert_eq!(
            MeasureCatalog::parse(&text).unwrap_err(),
            MeasureError::WrongCategory {
                number: 14,
                got: 1,
                expected: 2
            }
        );
    }

    #[test]
    fn a_missing_parameter_is_rejected_by_measure_and_key() {
        let text = with_block_edited(25, "aeo_days = 5\n", "");
        let err = MeasureCatalog::parse(&text).unwrap_err();
        assert_eq!(
            err,
            MeasureError::MissingParam {
                number: 25,
                key: "aeo_days"
            }
        );
        assert_eq!(
            err.to_string(),
            "measures catalog: measure 25 is missing parameter 'aeo_days'"
        );
    }

    #[test]
    fn a_parameter_of_the_wrong_type_is_rejected() {
        let text = with_block_edited(25, "aeo_days = 5\n", "aeo_days = \"5\"\n");
        assert_eq!(
            MeasureCatalog::parse(&text).unwrap_err().to_string(),
            "measures catalog: measure 25 parameter 'aeo_days' must be a whole number, 0 or more"
        );
        let text = with_block_edited(26, "count = \"working\"", "count = \"business\"");
        assert_eq!(
            MeasureCatalog::parse(&text).unwrap_err(),
            MeasureError::BadParam {
                number: 26,
                key: "count",
                expected: "\"working\" or \"calendar\""
            }
        );
        let text = with_block_edited(14, "= 0.05", "= 5.0");
        assert!(matches!(
            MeasureCatalog::parse(&text).unwrap_err(),
            MeasureError::BadParam {
                number: 14,
                key: "sampling_ratio_of_regular",
                ..
            }
        ));
    }

    #[test]
    fn a_compressed_limit_longer_than_the_regular_one_is_rejected() {
        let text = with_block_edited(25, "aeo_days = 5\n", "aeo_days = 25\n");
        assert!(matches!(
            MeasureCatalog::parse(&text).unwrap_err(),
            MeasureError::Inconsistent { number: 25, .. }
        ));
    }

    #[test]
    fn unknown_fields_and_panes_are_rejected_as_syntax_errors() {
        let text = with_block_edited(1, "pane = \"queue\"", "pane = \"desk\"");
        let err = MeasureCatalog::parse(&text).unwrap_err();
        assert!(matches!(err, MeasureError::Syntax(_)), "{err}");
        assert!(!err.to_string().contains('\n'));
        let text = with_block_edited(1, "pane = \"queue\"", "pane = \"queue\"\nowner = \"x\"");
        assert!(matches!(
            MeasureCatalog::parse(&text).unwrap_err(),
            MeasureError::Syntax(_)
        ));
    }

    #[test]
    fn an_unknown_beneficiary_is_rejected() {
        let text = with_block_edited(3, "applies_to = \"aeo\"", "applies_to = \"all\"");
        assert_eq!(
            MeasureCatalog::parse(&text).unwrap_err().to_string(),
            "measures catalog: measure 3 field 'applies_to' must be \"aeo\" or \"advanced\", got \"all\""
        );
    }

    #[test]
    #[should_panic(expected = "outside 1-33")]
    fn get_panics_outside_the_plan() {
        MeasureCatalog::official().get(34);
    }

    #[test]
    fn measures_serialise_with_snake_case_panes() {
        let json = serde_json::to_value(MeasureCatalog::official().get(25)).unwrap();
        assert_eq!(json["pane"], "approvals");
        assert_eq!(json["params"]["aeo_days"], 5);
    }
}
