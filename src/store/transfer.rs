//! Queries of import and export: finding records by their natural keys inside an import's
//! transaction, and reading whole tables in the import columns.

use super::{Store, Writer, opt_ts, ts};
use crate::domain::credit::CreditLevel;
use anyhow::{Result, anyhow};
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};

/// An enterprise as other records refer to it.
#[derive(Debug, Clone, Copy)]
pub struct EnterpriseRef {
    pub id: i64,
    pub credit: CreditLevel,
}

fn exists(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<bool> {
    Ok(conn.query_row(sql, args, |_| Ok(())).optional()?.is_some())
}

impl Writer<'_> {
    /// The enterprise with this USCC or customs code (or AEOCN + code).
    pub fn enterprise_by_code(&self, key: &str) -> Result<Option<EnterpriseRef>> {
        let upper = key.trim().to_ascii_uppercase();
        let code = upper.strip_prefix("AEOCN").unwrap_or(&upper);
        let row: Option<(i64, String)> = self
            .conn()
            .query_row(
                "SELECT id, credit FROM enterprises WHERE uscc = ?1 OR customs_code = ?2 ORDER BY id LIMIT 1",
                params![upper, code],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(id, credit)| {
            Ok(EnterpriseRef {
                id,
                credit: credit.parse().map_err(|e: String| anyhow!(e))?,
            })
        })
        .transpose()
    }

    pub fn uscc_exists(&self, uscc: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM enterprises WHERE uscc = ?1",
            [uscc],
        )
    }

    pub fn customs_code_exists(&self, code: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM enterprises WHERE customs_code = ?1",
            [code],
        )
    }

    /// The coordinator reached on this telephone number.
    pub fn coordinator_by_phone(&self, phone: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id FROM coordinators WHERE phone = ?1 ORDER BY id LIMIT 1",
                [phone.trim()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The slot of an office starting at `start` (HH:MM) on `date` (YYYY-MM-DD).
    pub fn slot_at(&self, office_code: &str, date: &str, start: &str) -> Result<Option<i64>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id FROM inspection_slots WHERE office_code = ?1 AND date = ?2 AND start_time = ?3",
                params![office_code, date, start],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A queue item with this kind and declaration number (the natural key of items that have one).
    pub fn item_by_declaration(&self, kind: &str, declaration_no: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM work_items WHERE kind = ?1 AND declaration_no = ?2",
            params![kind, declaration_no],
        )
    }

    /// A queue item without declaration number of this kind, enterprise and arrival instant
    /// (the natural key of such items; export writes all three).
    pub fn item_by_arrival(
        &self,
        kind: &str,
        enterprise_id: i64,
        received_at: Timestamp,
    ) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM work_items WHERE kind = ?1 AND enterprise_id = ?2 AND received_at = ?3 AND declaration_no IS NULL",
            params![kind, enterprise_id, received_at.as_second()],
        )
    }

    /// A booking of this slot by this enterprise for these goods (booked at this instant, when
    /// given).
    pub fn booking_exists(
        &self,
        slot_id: i64,
        enterprise_id: i64,
        goods: &str,
        booked_at: Option<Timestamp>,
    ) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM bookings WHERE slot_id = ?1 AND enterprise_id = ?2 AND goods = ?3
             AND (?4 IS NULL OR booked_at = ?4)",
            params![
                slot_id,
                enterprise_id,
                goods,
                booked_at.map(|t| t.as_second())
            ],
        )
    }

    /// An approval with this reference (its natural key).
    pub fn approval_reference_exists(&self, reference: &str) -> Result<bool> {
        exists(
            self.conn(),
            "SELECT 1 FROM approvals WHERE reference = ?1",
            [reference],
        )
    }

    /// Records who holds a queue item, as an import carries it.
    pub fn set_item_taken_by(&self, id: i64, taken_by: Option<&str>) -> Result<()> {
        let enterprise_id: Option<i64> = self
            .conn()
            .query_row(
                "SELECT enterprise_id FROM work_items WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        self.audited_update("import_taken_by", "work_items", id, enterprise_id, || {
            self.conn().execute(
                "UPDATE work_items SET taken_by = ?2 WHERE id = ?1",
                params![id, taken_by],
            )?;
            Ok(())
        })
    }
}

pub struct CoordinatorExport {
    pub name: String,
    pub phone: String,
    pub office_code: String,
    pub office_name: String,
    pub role: String,
    pub duty_hours: String,
}

pub struct EnterpriseExport {
    pub uscc: String,
    pub customs_code: String,
    pub name_zh: String,
    pub name_en: Option<String>,
    pub credit: String,
    /// Industry codes as stored, comma-separated.
    pub industries: String,
    pub group_name: Option<String>,
    pub coordinator_phone: Option<String>,
    /// Aliases, oldest first, separated by `;`.
    pub aliases: String,
}

pub struct ItemExport {
    pub kind: String,
    pub enterprise_uscc: String,
    pub declaration_no: Option<String>,
    pub received_at: Timestamp,
    pub due_at: Option<Timestamp>,
    pub status: String,
    pub urgent: bool,
    pub non_intrusive: bool,
    pub report_accepted: bool,
    pub taken_by: Option<String>,
}

pub struct SlotExport {
    pub office_code: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub capacity: u32,
}

pub struct BookingExport {
    pub office_code: String,
    pub date: String,
    pub start: String,
    pub enterprise_uscc: String,
    pub goods: String,
    pub location: String,
    pub reason: Option<String>,
    pub status: String,
    pub booked_at: Timestamp,
    pub booked_by: String,
}

pub struct ApprovalExport {
    pub kind: String,
    pub enterprise_uscc: String,
    pub reference: String,
    pub accepted_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    pub decision: Option<String>,
    pub final_authority: bool,
    pub extended_by: Option<String>,
    /// (reason code, start, end) in order of start.
    pub pauses: Vec<(String, Timestamp, Option<Timestamp>)>,
}

impl Store {
    pub fn export_coordinators(&self) -> Result<Vec<CoordinatorExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT name, phone, office_code, office_name, role, duty_hours FROM coordinators ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CoordinatorExport {
                name: r.get(0)?,
                phone: r.get(1)?,
                office_code: r.get(2)?,
                office_name: r.get(3)?,
                role: r.get(4)?,
                duty_hours: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn export_enterprises(&self) -> Result<Vec<EnterpriseExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT e.uscc, e.customs_code, e.name_zh, e.name_en, e.credit, e.industries, e.group_name, c.phone,
                    coalesce((SELECT group_concat(alias, ';') FROM
                        (SELECT alias FROM enterprise_aliases a WHERE a.enterprise_id = e.id ORDER BY a.id)), '')
             FROM enterprises e LEFT JOIN coordinators c ON c.id = e.coordinator_id ORDER BY e.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(EnterpriseExport {
                uscc: r.get(0)?,
                customs_code: r.get(1)?,
                name_zh: r.get(2)?,
                name_en: r.get(3)?,
                credit: r.get(4)?,
                industries: r.get(5)?,
                group_name: r.get(6)?,
                coordinator_phone: r.get(7)?,
                aliases: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn export_items(&self) -> Result<Vec<ItemExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT w.kind, e.uscc, w.declaration_no, w.received_at, w.due_at, w.status, w.urgent,
                    w.non_intrusive, w.report_accepted, w.taken_by
             FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id ORDER BY w.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ItemExport {
                kind: r.get(0)?,
                enterprise_uscc: r.get(1)?,
                declaration_no: r.get(2)?,
                received_at: ts(r.get(3)?),
                due_at: opt_ts(r.get(4)?),
                status: r.get(5)?,
                urgent: r.get(6)?,
                non_intrusive: r.get(7)?,
                report_accepted: r.get(8)?,
                taken_by: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn export_slots(&self) -> Result<Vec<SlotExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT office_code, date, start_time, end_time, capacity FROM inspection_slots ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SlotExport {
                office_code: r.get(0)?,
                date: r.get(1)?,
                start: r.get(2)?,
                end: r.get(3)?,
                capacity: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Bookings in the order they were made, so that a re-import meets the same capacity.
    pub fn export_bookings(&self) -> Result<Vec<BookingExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT s.office_code, s.date, s.start_time, e.uscc, b.goods, b.location, b.status, b.booked_at, b.booked_by,
                b.offsite_reason
             FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id JOIN enterprises e ON e.id = b.enterprise_id
             ORDER BY b.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(BookingExport {
                office_code: r.get(0)?,
                date: r.get(1)?,
                start: r.get(2)?,
                enterprise_uscc: r.get(3)?,
                goods: r.get(4)?,
                location: r.get(5)?,
                status: r.get(6)?,
                booked_at: ts(r.get(7)?),
                booked_by: r.get(8)?,
                reason: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn export_approvals(&self) -> Result<Vec<ApprovalExport>> {
        let mut stmt = self.conn().prepare(
            "SELECT a.id, a.kind, e.uscc, a.reference, a.accepted_at, a.decided_at, a.decision,
                a.final_authority, a.extended_by
             FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id ORDER BY a.id",
        )?;
        let mut pauses = self.conn().prepare(
            "SELECT reason, started_at, ended_at FROM approval_pauses WHERE approval_id = ?1 ORDER BY started_at, id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    ApprovalExport {
                        kind: r.get(1)?,
                        enterprise_uscc: r.get(2)?,
                        reference: r.get(3)?,
                        accepted_at: ts(r.get(4)?),
                        decided_at: opt_ts(r.get(5)?),
                        decision: r.get(6)?,
                        final_authority: r.get(7)?,
                        extended_by: r.get(8)?,
                        pauses: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, mut a) in rows {
            a.pauses = pauses
                .query_map([id], |r| Ok((r.get(0)?, ts(r.get(1)?), opt_ts(r.get(2)?))))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            out.push(a);
        }
        Ok(out)
    }
}
