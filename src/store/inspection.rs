//! Inspection slots and bookings; booking applies the domain rules inside the transaction.

use super::db::{OptionalExtension, params};
use super::{Store, Writer, ts};
use crate::calendar::{WorkingCalendar, shanghai_instant};
use crate::domain::credit::CreditLevel;
use crate::domain::ids::office_name;
use crate::domain::inspection::{
    BookingOutcome, BookingRefusal, BookingRequest, BookingStatus, DayClearance, Location,
    OffSiteReason, check_booking,
};
use crate::domain::message::Message;
use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::Serialize;
use std::collections::HashMap;

pub struct NewSlot<'a> {
    pub office_code: &'a str,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub capacity: u32,
}

pub struct NewBooking<'a> {
    pub slot_id: i64,
    pub enterprise_id: i64,
    pub goods: &'a str,
    pub location: Location,
    /// Why outside the zone or at the factory (measure 30).
    pub reason: Option<OffSiteReason>,
    pub operator: &'a str,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlotRow {
    pub id: i64,
    pub office_code: String,
    pub office_name: String,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub capacity: u32,
    pub taken: u32,
}

impl SlotRow {
    /// The instant the slot begins (Shanghai time).
    pub fn starts_at(&self) -> Timestamp {
        shanghai_instant(self.date.to_datetime(self.start))
    }

    /// The instant the slot ends (Shanghai time).
    pub fn ends_at(&self) -> Timestamp {
        shanghai_instant(self.date.to_datetime(self.end))
    }

    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.taken)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BookingRow {
    pub id: i64,
    pub slot_id: i64,
    pub date: Date,
    pub start: Time,
    pub office_code: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub credit: CreditLevel,
    pub goods: String,
    pub location: Location,
    /// Why outside the zone or at the factory (measure 30); none inside the zone, and none on
    /// record for bookings made before the reason was asked.
    pub offsite_reason: Option<OffSiteReason>,
    /// A non-AEO enterprise's request outside the zone or at the factory waits for the site.
    pub needs_site_approval: bool,
    pub status: BookingStatus,
    pub booked_at: Timestamp,
    pub booked_by: String,
}

const SLOT_SELECT: &str =
    "SELECT s.id, s.office_code, s.date, s.start_time, s.end_time, s.capacity,
        (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id AND b.status <> 'cancelled')
     FROM inspection_slots s";

pub(super) const BOOKING_SELECT: &str = "SELECT b.id, b.slot_id, s.date, s.start_time, s.office_code, b.enterprise_id, e.name_zh, e.credit,
        b.goods, b.location, b.status, b.booked_at, b.booked_by, b.offsite_reason, b.needs_site_approval
     FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id JOIN enterprises e ON e.id = b.enterprise_id";

/// A day's slots, each with its bookings.
pub type DaySlots = Vec<(SlotRow, Vec<BookingRow>)>;

/// `BOOKING_SELECT`'s columns without the enterprise: its name empty, its credit level the
/// default until read whole (`Store::read_bookings`).
pub(super) const UNNAMED_BOOKING_COLUMNS: &str = "SELECT b.id, b.slot_id, s.date, s.start_time, s.office_code, b.enterprise_id, '', '',
        b.goods, b.location, b.status, b.booked_at, b.booked_by, b.offsite_reason, b.needs_site_approval";

fn parse_col<T: std::str::FromStr>(i: usize, s: String) -> anyhow::Result<T> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("column {i}: unreadable value '{s}'"))
}

fn slot_from(r: &super::db::Row<'_>) -> anyhow::Result<SlotRow> {
    let office: String = r.get(1)?;
    Ok(SlotRow {
        id: r.get(0)?,
        office_name: office_name(&office).unwrap_or("").to_string(),
        office_code: office,
        date: parse_col(2, r.get(2)?)?,
        start: parse_col(3, r.get(3)?)?,
        end: parse_col(4, r.get(4)?)?,
        capacity: r.get(5)?,
        taken: r.get(6)?,
    })
}

pub(super) fn booking_from(r: &super::db::Row<'_>) -> anyhow::Result<BookingRow> {
    let credit: String = r.get(7)?;
    let location: String = r.get(9)?;
    let status: String = r.get(10)?;
    Ok(BookingRow {
        id: r.get(0)?,
        slot_id: r.get(1)?,
        date: parse_col(2, r.get(2)?)?,
        start: parse_col(3, r.get(3)?)?,
        office_code: r.get(4)?,
        enterprise_id: r.get(5)?,
        enterprise: r.get(6)?,
        credit: credit.parse().unwrap_or(CreditLevel::Regular),
        goods: r.get(8)?,
        location: Location::parse(&location).unwrap_or(Location::InZone),
        status: BookingStatus::parse(&status).unwrap_or(BookingStatus::Booked),
        booked_at: ts(r.get(11)?),
        booked_by: r.get(12)?,
        offsite_reason: r
            .get::<Option<String>>(13)?
            .and_then(|c| OffSiteReason::parse(&c).ok()),
        needs_site_approval: r.get(14)?,
    })
}

/// Shanghai civil times are stored as HH:MM.
fn hhmm(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

impl Writer<'_> {
    pub fn insert_slot(&self, s: &NewSlot<'_>) -> Result<i64> {
        if s.start >= s.end {
            bail!(
                "a slot must start before it ends ({} - {})",
                hhmm(s.start),
                hhmm(s.end)
            );
        }
        self.conn()
            .execute(
                "INSERT INTO inspection_slots (office_code, date, start_time, end_time, capacity) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![s.office_code, s.date.to_string(), hhmm(s.start), hhmm(s.end), s.capacity],
            )
            .with_context(|| format!("cannot add slot {} {} at office {}", s.date, hhmm(s.start), s.office_code))?;
        let id = self.conn().last_insert_rowid()?;
        self.record_created("inspection_slots", id, None)?;
        Ok(id)
    }

    /// Books a place, applying the domain's booking rules. Returns the new booking's id and
    /// what the rules put on record with it.
    pub fn book(&self, b: &NewBooking<'_>, cal: &WorkingCalendar) -> Result<(i64, BookingOutcome)> {
        let slot = self
            .conn()
            .query_row(
                &format!("{SLOT_SELECT} WHERE s.id = ?1"),
                [b.slot_id],
                slot_from,
            )
            .optional()?
            .ok_or_else(|| {
                Message::new(
                    format!("没有查验时段 #{}", b.slot_id),
                    format!("no inspection slot #{}", b.slot_id),
                )
            })?;
        let (credit, name): (String, String) = self
            .conn()
            .query_row(
                "SELECT credit, name_zh FROM enterprises WHERE id = ?1",
                [b.enterprise_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| {
                Message::new(
                    format!("没有企业 #{}", b.enterprise_id),
                    format!("no enterprise with id {}", b.enterprise_id),
                )
            })?;
        let credit: CreditLevel = credit.parse().map_err(|e: String| anyhow!(e))?;
        let day = cal.day(slot.date);
        let name = crate::text::inert(&name);
        let outcome = check_booking(&BookingRequest {
            enterprise: &name,
            day: &day,
            capacity: slot.capacity,
            places_taken: slot.taken,
            credit,
            location: b.location,
            reason: b.reason,
            goods: b.goods,
            slot_start: slot.starts_at(),
            slot_end: slot.ends_at(),
            now: b.now,
        })?;
        self.conn().execute(
            "INSERT INTO bookings (slot_id, enterprise_id, goods, location, status, booked_at, booked_by,
                offsite_reason, needs_site_approval)
             VALUES (?1, ?2, ?3, ?4, 'booked', ?5, ?6, ?7, ?8)",
            params![
                b.slot_id,
                b.enterprise_id,
                b.goods.trim(),
                b.location.code(),
                b.now.as_second(),
                b.operator,
                b.reason.map(|r| r.code()),
                outcome.needs_site_approval
            ],
        )?;
        let id = self.conn().last_insert_rowid()?;
        let after = self.snapshot("bookings", id)?;
        self.record("book", "bookings", id, Some(b.enterprise_id), None, after)?;
        Ok((id, outcome))
    }

    fn booking_status(&self, id: i64) -> Result<(BookingStatus, i64)> {
        let (status, enterprise_id): (String, i64) = self
            .conn()
            .query_row(
                "SELECT status, enterprise_id FROM bookings WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Message::new(format!("没有预约 #{id}"), format!("no booking #{id}")))?;
        let status = BookingStatus::parse(&status).map_err(|e| anyhow!(e))?;
        Ok((status, enterprise_id))
    }

    /// Puts a booking back to `before` as a new audited change ("undo"), refused when it has
    /// changed since `after`; a cancelled booking taken back needs its place (the slot trigger
    /// refuses a full slot).
    pub fn undo_booking(
        &self,
        id: i64,
        before: BookingStatus,
        after: BookingStatus,
        now: Timestamp,
    ) -> Result<()> {
        let (current, enterprise_id) = self.booking_status(id)?;
        if current != after {
            return Err(Message::new(
                format!(
                    "预约 #{id} 已被再次更改（现为{}），不能撤销",
                    current.name_zh()
                ),
                format!(
                    "booking #{id} has changed since (now {}); it cannot be undone",
                    current.name_en()
                ),
            )
            .into());
        }
        // Taking a cancellation back takes a place again: the capacity triggers guard
        // INSERTs only, so the rule is checked here, inside the write transaction.
        if after == BookingStatus::Cancelled && before != BookingStatus::Cancelled {
            let (taken, capacity): (u32, u32) = self.conn().query_row(
                "SELECT (SELECT count(*) FROM bookings o WHERE o.slot_id = s.id AND o.status <> 'cancelled'),
                        s.capacity
                 FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id WHERE b.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if taken >= capacity {
                return Err(BookingRefusal::SlotFull { capacity }
                    .message()
                    .after(&Message::new(
                        format!("撤销预约 #{id} 的取消"),
                        format!("undo of booking #{id}'s cancellation"),
                    ))
                    .into());
            }
        }
        self.audited_update("undo", "bookings", id, Some(enterprise_id), || {
            self.conn().execute(
                "UPDATE bookings SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, before.code(), now.as_second()],
            )?;
            Ok(())
        })
    }

    /// Marks a booking done, abnormal or cancelled. Finished bookings stay finished.
    /// Returns the status before.
    pub fn set_booking_status(
        &self,
        id: i64,
        to: BookingStatus,
        now: Timestamp,
    ) -> Result<BookingStatus> {
        let (status, enterprise_id, date, start): (String, i64, String, String) = self
            .conn()
            .query_row(
                "SELECT b.status, b.enterprise_id, s.date, s.start_time FROM bookings b
                 JOIN inspection_slots s ON s.id = b.slot_id WHERE b.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?
            .ok_or_else(|| Message::new(format!("没有预约 #{id}"), format!("no booking #{id}")))?;
        let from = BookingStatus::parse(&status).map_err(|e| anyhow!(e))?;
        let slot_start =
            shanghai_instant(date.parse::<Date>()?.to_datetime(start.parse::<Time>()?));
        from.can_move_to(id, to, slot_start, now)?;
        self.audited_update(to.action(), "bookings", id, Some(enterprise_id), || {
            self.conn().execute(
                "UPDATE bookings SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, to.code(), now.as_second()],
            )?;
            Ok(())
        })?;
        Ok(from)
    }
}

impl Store {
    pub fn slot(&self, id: i64) -> Result<Option<SlotRow>> {
        self.conn()
            .query_row(&format!("{SLOT_SELECT} WHERE s.id = ?1"), [id], slot_from)
            .optional()
    }

    /// Slots of the dates in [from, to], by date, time and office.
    pub fn slots_between(&self, from: Date, to: Date) -> Result<Vec<SlotRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{SLOT_SELECT} WHERE s.date BETWEEN ?1 AND ?2 ORDER BY s.date, s.start_time, s.office_code"
        ))?;
        let rows = stmt.query_map(params![from.to_string(), to.to_string()], slot_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// Each day from `from` to `to` that has slots: (day, places taken, places), for a month
    /// grid without reading every slot of the month.
    pub fn day_loads(&self, from: Date, to: Date) -> Result<Vec<(Date, u32, u32)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.date, sum((SELECT count(*) FROM bookings b
                                 WHERE b.slot_id = s.id AND b.status <> 'cancelled')),
                    sum(s.capacity)
             FROM inspection_slots s WHERE s.date BETWEEN ?1 AND ?2 GROUP BY s.date ORDER BY s.date",
        )?;
        let rows = stmt.query_map(params![from.to_string(), to.to_string()], |r| {
            let places = |i: usize| -> anyhow::Result<u32> {
                Ok(u32::try_from(r.get::<i64>(i)?.max(0)).unwrap_or(u32::MAX))
            };
            Ok((parse_col(0, r.get(0)?)?, places(1)?, places(2)?))
        })?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    pub fn booking(&self, id: i64) -> Result<Option<BookingRow>> {
        self.conn()
            .query_row(
                &format!("{BOOKING_SELECT} WHERE b.id = ?1"),
                [id],
                booking_from,
            )
            .optional()
    }

    pub fn bookings_of_slot(&self, slot_id: i64) -> Result<Vec<BookingRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{BOOKING_SELECT} WHERE b.slot_id = ?1 ORDER BY b.booked_at, b.id"
        ))?;
        let rows = stmt.query_map([slot_id], booking_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// The day board of `date`: each slot (by time and office) with its bookings in booking
    /// order, and the day's 当日清 counts. Of each booking only its id, slot and status are
    /// read (its enterprise empty, the rest placeholders) until `read_bookings` reads it
    /// whole: a day holds hundreds, the board shows a screenful. The slots' places taken are
    /// counted from the bookings read, not once more per slot.
    pub fn day_board(&self, date: Date) -> Result<(DaySlots, DayClearance)> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT b.id, b.slot_id, b.status
             FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id
             WHERE s.date = ?1 ORDER BY b.slot_id, b.booked_at, b.id",
        )?;
        let mut bookings: HashMap<i64, Vec<(i64, BookingStatus)>> = HashMap::new();
        for row in stmt.query_map([date.to_string()], |r| {
            let status: String = r.get(2)?;
            Ok((
                r.get::<i64>(0)?,
                r.get::<i64>(1)?,
                BookingStatus::parse(&status).unwrap_or(BookingStatus::Booked),
            ))
        })? {
            let (id, slot, status) = row?;
            bookings.entry(slot).or_default().push((id, status));
        }
        let mut stmt = self.conn().prepare_cached(
            "SELECT s.id, s.office_code, s.date, s.start_time, s.end_time, s.capacity, 0
             FROM inspection_slots s WHERE s.date = ?1 ORDER BY s.start_time, s.office_code",
        )?;
        let mut clearance = DayClearance::default();
        let mut board = Vec::new();
        for slot in stmt.query_map([date.to_string()], slot_from)? {
            let mut slot = slot?;
            let of_slot: Vec<BookingRow> = bookings
                .remove(&slot.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(id, status)| {
                    clearance.add(status);
                    BookingRow {
                        id,
                        slot_id: slot.id,
                        date: slot.date,
                        start: slot.start,
                        office_code: slot.office_code.clone(),
                        enterprise_id: 0,
                        enterprise: String::new(),
                        credit: CreditLevel::Regular,
                        goods: String::new(),
                        location: Location::InZone,
                        offsite_reason: None,
                        needs_site_approval: false,
                        status,
                        booked_at: Timestamp::UNIX_EPOCH,
                        booked_by: String::new(),
                    }
                })
                .collect();
            slot.taken = of_slot
                .iter()
                .filter(|b| b.status != BookingStatus::Cancelled)
                .count() as u32;
            board.push((slot, of_slot));
        }
        Ok((board, clearance))
    }

    /// Every booking of the slots on `date`, each slot's in booking order (one statement for
    /// the day, however many slots it has).
    pub fn bookings_on(&self, date: Date) -> Result<HashMap<i64, Vec<BookingRow>>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{BOOKING_SELECT} WHERE s.date = ?1 ORDER BY b.slot_id, b.booked_at, b.id"
        ))?;
        let mut by_slot: HashMap<i64, Vec<BookingRow>> = HashMap::new();
        for b in stmt.query_map([date.to_string()], booking_from)? {
            let b = b?;
            by_slot.entry(b.slot_id).or_default().push(b);
        }
        Ok(by_slot)
    }

    /// Reads each booking given (placeholders from `day_board`) whole, in one statement.
    pub fn read_bookings(&self, bookings: &mut [&mut BookingRow]) -> Result<()> {
        if bookings.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = bookings.iter().map(|b| b.id).collect();
        let mut stmt = self.conn().prepare_cached(&format!(
            "{BOOKING_SELECT} WHERE {}",
            self.conn().in_list("b.id", "?1", true)
        ))?;
        let mut whole: HashMap<i64, BookingRow> = HashMap::new();
        for row in stmt.query_map([serde_json::to_string(&ids)?], booking_from)? {
            let row = row?;
            whole.insert(row.id, row);
        }
        for b in bookings.iter_mut() {
            if let Some(row) = whole.remove(&b.id) {
                **b = row;
            }
        }
        Ok(())
    }

    /// Bookings of an enterprise from `since` on, soonest first.
    pub fn bookings_of(&self, enterprise_id: i64, since: Date) -> Result<Vec<BookingRow>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{BOOKING_SELECT} WHERE b.enterprise_id = ?1 AND s.date >= ?2 ORDER BY s.date, s.start_time"
        ))?;
        let rows = stmt.query_map(params![enterprise_id, since.to_string()], booking_from)?;
        rows.collect::<anyhow::Result<Vec<_>>>()
    }

    /// The 当日清 counts of one date.
    pub fn day_clearance(&self, date: Date) -> Result<DayClearance> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT b.status, count(*) FROM bookings b JOIN inspection_slots s ON s.id = b.slot_id
             WHERE s.date = ?1 GROUP BY b.status",
        )?;
        let mut out = DayClearance::default();
        let rows = stmt.query_map([date.to_string()], |r| {
            Ok((r.get::<String>(0)?, r.get::<u32>(1)?))
        })?;
        for row in rows {
            let (status, n) = row?;
            let status = BookingStatus::parse(&status).map_err(|e| anyhow!(e))?;
            for _ in 0..n {
                out.add(status);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::ChecksumStatus;
    use crate::store::testing::each_backend;
    use crate::store::{Access, NewEnterprise};

    /// Taking a cancellation back takes a place again: refused on a full slot, on each backend.
    #[test]
    fn an_undone_cancellation_needs_a_free_place() {
        for db in each_backend() {
            eprintln!("on {:?}", db.backend);
            let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
            let cal = WorkingCalendar::official();
            let now = Timestamp::now();
            let (slot, first, second) = store
                .write(|w| {
                    let enterprise_id = w.insert_enterprise(&NewEnterprise {
                        uscc: "91310000132260250X",
                        uscc_status: ChecksumStatus::Valid,
                        customs_code: "3105910001",
                        name_zh: "上海汽车集团股份有限公司",
                        name_en: None,
                        credit: CreditLevel::Advanced,
                        industries: &[],
                        group_name: None,
                        coordinator_id: None,
                    })?;
                    let slot_id = w.insert_slot(&NewSlot {
                        office_code: "2248",
                        date: jiff::civil::date(2099, 3, 2),
                        start: jiff::civil::time(9, 0, 0, 0),
                        end: jiff::civil::time(12, 0, 0, 0),
                        capacity: 1,
                    })?;
                    let booking = NewBooking {
                        slot_id,
                        enterprise_id,
                        goods: "晶圆",
                        location: Location::InZone,
                        reason: None,
                        operator: "op",
                        now,
                    };
                    let (first, _) = w.book(&booking, cal)?;
                    w.set_booking_status(first, BookingStatus::Cancelled, now)?;
                    let (second, _) = w.book(&booking, cal)?;
                    Ok((slot_id, first, second))
                })
                .unwrap();
            let undo = |store: &mut Store| {
                store.write(|w| {
                    w.undo_booking(first, BookingStatus::Booked, BookingStatus::Cancelled, now)
                })
            };
            let err = undo(&mut store).unwrap_err();
            assert!(err.to_string().contains("slot full"), "{err:#}");
            assert_eq!(store.slot(slot).unwrap().unwrap().taken, 1);
            store
                .write(|w| w.set_booking_status(second, BookingStatus::Cancelled, now))
                .unwrap();
            undo(&mut store).unwrap();
            let s = store.slot(slot).unwrap().unwrap();
            assert_eq!((s.taken, s.capacity), (1, 1));
            assert_eq!(
                store.booking(first).unwrap().unwrap().status,
                BookingStatus::Booked
            );
        }
    }
}
