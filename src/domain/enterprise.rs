//! Enterprises, their coordinators (measure 28), groups (31), open problems (29), and the
//! measures that apply to each.

use super::credit::CreditLevel;
use super::ids::ChecksumStatus;
use super::measures::{Measure, MeasureCatalog};
use super::queue::coded_enum;
use serde::Serialize;

coded_enum!(
    Industry {
        IntegratedCircuits = "integrated_circuits", "集成电路", "integrated circuits";
        NewDisplay = "new_display", "新型显示器件", "new display devices";
        AviationMaintenance = "aviation_maintenance", "维修用航材", "aviation maintenance materials";
        FoodExport = "food_export", "出口食品", "food export";
        SpecialArticles = "special_articles", "特殊物品", "special articles (biomedical)";
        HazardousChemicals = "hazardous_chemicals", "危险化学品", "hazardous chemicals";
        AnimalPlant = "animal_plant", "动植物产品", "animal and plant products";
        ProcessingTrade = "processing_trade", "加工贸易", "processing trade";
        Automotive = "automotive", "汽车及零部件", "automotive";
        Logistics = "logistics", "物流", "logistics";
    }
);

coded_enum!(
    /// Business-department, port and local coordinators work together (measure 28).
    CoordinatorRole {
        Business = "business", "业务部门协调员", "business-department coordinator";
        Port = "port", "口岸协调员", "port coordinator";
        Local = "local", "属地协调员", "local coordinator";
    }
);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coordinator {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub office_code: String,
    pub office_name: String,
    pub role: CoordinatorRole,
    pub duty_hours: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Enterprise {
    pub id: i64,
    pub uscc: String,
    pub uscc_status: ChecksumStatus,
    pub customs_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub credit: CreditLevel,
    pub industries: Vec<Industry>,
    /// The "1+N" group it is cultivated with (measure 31).
    pub group_name: Option<String>,
    pub coordinator_id: Option<i64>,
}

impl Enterprise {
    /// "AEOCN" + customs code, for AEO enterprises only.
    pub fn aeo_code(&self) -> Option<String> {
        self.credit
            .is_aeo()
            .then(|| format!("AEOCN{}", self.customs_code))
    }
}

pub use super::problem::Problem;

/// The measures an enterprise benefits from: none unless AEO; those reserved to 高级认证企业 only
/// for that level; those tied to industries only where the enterprise is in one of them.
pub fn applicable_measures<'a>(
    credit: CreditLevel,
    industries: &[Industry],
    catalog: &'a MeasureCatalog,
) -> Vec<&'a Measure> {
    if !credit.is_aeo() {
        return Vec::new();
    }
    catalog
        .all()
        .iter()
        .filter(|m| m.applies_to != "advanced" || credit == CreditLevel::Advanced)
        .filter(|m| {
            m.industries.is_empty()
                || industries
                    .iter()
                    .any(|i| m.industries.iter().any(|c| c == i.code()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_enterprise_has_no_aeo_measures_and_no_aeo_code() {
        let cat = MeasureCatalog::official();
        assert!(
            applicable_measures(CreditLevel::Regular, &[Industry::IntegratedCircuits], cat)
                .is_empty()
        );
        let e = Enterprise {
            id: 1,
            uscc: "91310000132260250X".into(),
            uscc_status: ChecksumStatus::Valid,
            customs_code: "3105910001".into(),
            name_zh: "上海汽车集团股份有限公司".into(),
            name_en: None,
            credit: CreditLevel::Regular,
            industries: vec![],
            group_name: None,
            coordinator_id: None,
        };
        assert_eq!(e.aeo_code(), None);
        let aeo = Enterprise {
            credit: CreditLevel::Advanced,
            ..e
        };
        assert_eq!(aeo.aeo_code().as_deref(), Some("AEOCN3105910001"));
    }

    #[test]
    fn the_ic_fast_track_applies_only_to_aeo_enterprises_of_its_industries() {
        let cat = MeasureCatalog::official();
        let nums = |ind: &[Industry]| -> Vec<u8> {
            applicable_measures(CreditLevel::Certified, ind, cat)
                .iter()
                .map(|m| m.number)
                .collect()
        };
        let ic = nums(&[Industry::IntegratedCircuits]);
        assert!(ic.contains(&9) && ic.contains(&11) && !ic.contains(&12));
        let food = nums(&[Industry::FoodExport]);
        assert!(food.contains(&12) && !food.contains(&9) && !food.contains(&11));
        assert!(food.contains(&14) && food.contains(&28) && food.contains(&33));
    }
}
