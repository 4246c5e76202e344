//! Enterprises, coordinators, problems and verifications.

use super::db::{OptionalExtension, Row, params};
use super::{Store, Writer};
use crate::domain::credit::CreditLevel;
use crate::domain::enterprise::{Coordinator, CoordinatorRole, Enterprise, Industry};
use crate::domain::ids::ChecksumStatus;
use crate::domain::message::Message;
use crate::domain::search::search_keys;
use anyhow::{Context, Result};
use serde::Serialize;

pub struct NewCoordinator<'a> {
    pub name: &'a str,
    pub phone: &'a str,
    pub office_code: &'a str,
    pub office_name: &'a str,
    pub role: CoordinatorRole,
    pub duty_hours: &'a str,
}

pub struct NewEnterprise<'a> {
    pub uscc: &'a str,
    pub uscc_status: ChecksumStatus,
    pub customs_code: &'a str,
    pub name_zh: &'a str,
    pub name_en: Option<&'a str>,
    pub credit: CreditLevel,
    pub industries: &'a [Industry],
    pub group_name: Option<&'a str>,
    pub coordinator_id: Option<i64>,
}

/// One lookup result: the enterprise and its coordinator.
#[derive(Debug, Clone, Serialize)]
pub struct EnterpriseHit {
    pub enterprise: Enterprise,
    pub coordinator: Option<Coordinator>,
}

pub(super) fn status_code(s: ChecksumStatus) -> &'static str {
    match s {
        ChecksumStatus::Valid => "valid",
        ChecksumStatus::BadCheckChar => "bad_check_char",
        ChecksumStatus::BadOrgCodeCheck => "bad_org_code_check",
    }
}

fn status_from(code: &str) -> ChecksumStatus {
    match code {
        "bad_check_char" => ChecksumStatus::BadCheckChar,
        "bad_org_code_check" => ChecksumStatus::BadOrgCodeCheck,
        _ => ChecksumStatus::Valid,
    }
}

pub(crate) const ENTERPRISE_COLS: &str = "e.id, e.uscc, e.uscc_status, e.customs_code, e.name_zh, e.name_en, e.credit, e.industries, e.group_name, e.coordinator_id";
pub(crate) const COORDINATOR_COLS: &str =
    "c.id, c.name, c.phone, c.office_code, c.office_name, c.role, c.duty_hours";

pub(crate) fn enterprise_from(r: &Row<'_>, at: usize) -> anyhow::Result<Enterprise> {
    let credit: String = r.get(at + 6)?;
    let industries: String = r.get(at + 7)?;
    Ok(Enterprise {
        id: r.get(at)?,
        uscc: r.get(at + 1)?,
        uscc_status: status_from(&r.get::<String>(at + 2)?),
        customs_code: r.get(at + 3)?,
        name_zh: r.get(at + 4)?,
        name_en: r.get(at + 5)?,
        credit: credit.parse().unwrap_or(CreditLevel::Regular),
        industries: industries
            .split(',')
            .filter_map(|c| Industry::parse(c).ok())
            .collect(),
        group_name: r.get(at + 8)?,
        coordinator_id: r.get(at + 9)?,
    })
}

pub(crate) fn coordinator_from(r: &Row<'_>, at: usize) -> anyhow::Result<Option<Coordinator>> {
    let Some(id) = r.get::<Option<i64>>(at)? else {
        return Ok(None);
    };
    let role: String = r.get(at + 5)?;
    Ok(Some(Coordinator {
        id,
        name: r.get(at + 1)?,
        phone: r.get(at + 2)?,
        office_code: r.get(at + 3)?,
        office_name: r.get(at + 4)?,
        role: CoordinatorRole::parse(&role).unwrap_or(CoordinatorRole::Business),
        duty_hours: r.get(at + 6)?,
    }))
}

impl Writer<'_> {
    pub fn insert_coordinator(&self, c: &NewCoordinator<'_>) -> Result<i64> {
        let keys = search_keys(c.name);
        self.conn().execute(
            "INSERT INTO coordinators (name, pinyin, initials, phone, office_code, office_name, role, duty_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![c.name, keys.pinyin, keys.initials, c.phone, c.office_code, c.office_name, c.role.code(), c.duty_hours],
        )?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("coordinators", id, None)?;
        Ok(id)
    }

    pub fn insert_enterprise(&self, e: &NewEnterprise<'_>) -> Result<i64> {
        let industries: Vec<&str> = e.industries.iter().map(|i| i.code()).collect();
        self.conn()
            .prepare_cached(
                "INSERT INTO enterprises (uscc, uscc_status, customs_code, name_zh, name_en, pinyin, initials, credit, industries, group_name, coordinator_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, '', '', ?6, ?7, ?8, ?9)",
            )?
            .execute(
                params![
                    e.uscc,
                    status_code(e.uscc_status),
                    e.customs_code,
                    e.name_zh,
                    e.name_en,
                    e.credit.code(),
                    industries.join(","),
                    e.group_name,
                    e.coordinator_id
                ],
            )
            .with_context(|| format!("cannot add enterprise {} ({})", e.name_zh, e.uscc))?;
        let id = self.conn().last_insert_rowid()?;
        self.index_enterprise(id)?;
        self.record_created("enterprises", id, Some(id))?;
        if let Some(c) = e.coordinator_id {
            self.link_coordinator(id, c)?;
        }
        Ok(id)
    }
}

impl Store {
    pub fn enterprise(&self, id: i64) -> Result<Option<Enterprise>> {
        self.conn()
            .query_row(
                &format!("SELECT {ENTERPRISE_COLS} FROM enterprises e WHERE e.id = ?1"),
                [id],
                |r| enterprise_from(r, 0),
            )
            .optional()
    }

    /// Finds one enterprise by id, USCC, customs code (or AEO code) or exact Chinese name.
    pub fn resolve_enterprise(&self, key: &str) -> Result<Enterprise> {
        let k = key.trim();
        let upper = k.to_ascii_uppercase();
        let code = upper.strip_prefix("AEOCN").unwrap_or(&upper);
        // An identifier (id, USCC, customs code) names one enterprise; a full Chinese name may be
        // shared, and then the caller must choose: never silently the first.
        let by_id = self
            .conn()
            .query_row(
                &format!(
                    "SELECT {ENTERPRISE_COLS} FROM enterprises e
                     WHERE e.uscc = ?1 OR e.customs_code = ?2 OR CAST(e.id AS TEXT) = ?3
                     ORDER BY e.id LIMIT 1"
                ),
                params![upper, code, k],
                |r| enterprise_from(r, 0),
            )
            .optional()?;
        if let Some(e) = by_id {
            return Ok(e);
        }
        let by_name = self
            .conn()
            .prepare_cached(&format!(
                "SELECT {ENTERPRISE_COLS} FROM enterprises e WHERE e.name_zh = ?1 ORDER BY e.id LIMIT 10"
            ))?
            .query_map([k], |r| enterprise_from(r, 0))?
            .collect::<anyhow::Result<Vec<_>>>()?;
        if by_name.len() > 1 {
            let list: Vec<String> = by_name
                .iter()
                .map(|e| format!("#{} {} {}", e.id, e.uscc, e.customs_code))
                .collect();
            return Err(Message::new(
                format!(
                    "「{}」是 {} 家企业的名称：{}；请用编号、统一社会信用代码或海关编码",
                    crate::text::inert(k),
                    by_name.len(),
                    list.join("；")
                ),
                format!(
                    "'{}' is the name of {} enterprises: {}; give the id, USCC or customs code",
                    crate::text::inert(k),
                    by_name.len(),
                    list.join("; ")
                ),
            )
            .into());
        }
        by_name.into_iter().next().ok_or_else(|| {
            Message::new(
                format!("没有企业「{k}」（请给出编号、统一社会信用代码、海关编码或中文全称；`aeo lookup` 可搜索）"),
                format!("no enterprise '{k}' (give its id, USCC, customs code or full Chinese name; `aeo lookup` searches)"),
            )
            .into()
        })
    }

    pub fn coordinator(&self, id: i64) -> Result<Option<Coordinator>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COORDINATOR_COLS} FROM coordinators c WHERE c.id = ?1"),
                [id],
                |r| coordinator_from(r, 0),
            )
            .optional()?
            .flatten())
    }
}
