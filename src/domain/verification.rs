//! Verifications of AEO enterprises (measures 16 and 17): management-type verifications are
//! limited per year, and a schedule that exceeds the limit is flagged.

use super::credit::CreditLevel;
use super::queue::coded_enum;
use jiff::civil::Date;

coded_enum!(
    VerificationKind {
        Management = "management", "管理类稽核查", "management-type verification";
        Other = "other", "其他稽核查", "other verification";
    }
);

/// A warning when scheduling `date` would exceed the yearly limit of management-type
/// verifications of one AEO enterprise; `scheduled` are the dates already scheduled for it.
pub fn second_verification_warning(
    credit: CreditLevel,
    kind: VerificationKind,
    date: Date,
    scheduled: &[(VerificationKind, Date)],
    per_year: u32,
) -> Option<String> {
    if !credit.is_aeo() || kind != VerificationKind::Management {
        return None;
    }
    let same_year = scheduled
        .iter()
        .filter(|(k, d)| *k == VerificationKind::Management && d.year() == date.year())
        .count();
    (same_year as u32 >= per_year).then(|| {
        format!(
            "measure 17: management-type verifications of an AEO enterprise are limited to {per_year} a year; {} already has {same_year} in {} (measure 16: merge the orders into one team)",
            credit.name_zh(),
            date.year()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_second_management_verification_of_an_aeo_in_one_year_is_flagged() {
        let existing = [(VerificationKind::Management, date(2026, 3, 1))];
        let w = second_verification_warning(
            CreditLevel::Advanced,
            VerificationKind::Management,
            date(2026, 11, 1),
            &existing,
            1,
        );
        assert!(w.unwrap().contains("measure 17"));
    }

    #[test]
    fn other_years_other_kinds_and_non_aeo_are_not_flagged() {
        let existing = [(VerificationKind::Management, date(2025, 12, 31))];
        let m = VerificationKind::Management;
        assert!(
            second_verification_warning(CreditLevel::Advanced, m, date(2026, 1, 1), &existing, 1)
                .is_none()
        );
        let this_year = [(m, date(2026, 2, 1))];
        assert!(
            second_verification_warning(
                CreditLevel::Advanced,
                VerificationKind::Other,
                date(2026, 5, 1),
                &this_year,
                1
            )
            .is_none()
        );
        assert!(
            second_verification_warning(CreditLevel::Regular, m, date(2026, 5, 1), &this_year, 1)
                .is_none()
        );
    }
}
