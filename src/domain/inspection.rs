//! Inspection slots and bookings (measures 7 and 30): the "5+2" rule, capacity, location, and
//! the 当日清 state of a day.

use super::credit::CreditLevel;
use super::message::Message;
use super::queue::coded_enum;
use crate::calendar::DayInfo;
use jiff::Timestamp;
use serde::Serialize;

coded_enum!(
    /// Where the inspection happens (measure 30 allows outside the zone or at the factory).
    Location {
        InZone = "in_zone", "监管区内", "inside the supervision zone";
        OutOfZone = "out_of_zone", "监管区外", "outside the supervision zone";
        Factory = "factory", "到厂查验", "at the factory";
    }
);

coded_enum!(
    BookingStatus {
        Booked = "booked", "已预约", "booked";
        Done = "done", "已完成", "done";
        Abnormal = "abnormal", "异常", "abnormal";
        Cancelled = "cancelled", "已取消", "cancelled";
    }
);

impl BookingStatus {
    /// A booking holds a place unless cancelled.
    pub fn holds_place(self) -> bool {
        self != BookingStatus::Cancelled
    }

    /// May booking `id` move from this status to `to` at `now`, its slot starting at
    /// `slot_start`? A finished or cancelled booking stays so; an inspection cannot be done or
    /// found abnormal before its slot has begun.
    pub fn can_move_to(
        self,
        id: i64,
        to: BookingStatus,
        slot_start: Timestamp,
        now: Timestamp,
    ) -> Result<(), Message> {
        if self == to {
            return Err(Message::new(
                format!("预约 #{id} 已是{}", to.name_zh()),
                format!("booking #{id} is already {}", to.name_en()),
            ));
        }
        if matches!(self, BookingStatus::Done | BookingStatus::Cancelled) {
            return Err(Message::new(
                format!("预约 #{id} {}，不能再更改", self.name_zh()),
                format!("booking #{id} is {} and cannot change", self.name_en()),
            ));
        }
        if matches!(to, BookingStatus::Done | BookingStatus::Abnormal) && now < slot_start {
            return Err(Message::new(
                format!(
                    "预约 #{id} 的查验时段 {} 尚未开始，不能记为{}",
                    crate::calendar::minute_text(slot_start),
                    to.name_zh()
                ),
                format!(
                    "booking #{id}: its slot starts at {}, it cannot be {} yet",
                    crate::calendar::minute_text(slot_start),
                    to.name_en()
                ),
            ));
        }
        Ok(())
    }

    /// The audit trail's word for a move to this status.
    pub fn action(self) -> &'static str {
        match self {
            BookingStatus::Done => "inspection_done",
            BookingStatus::Abnormal => "inspection_abnormal",
            BookingStatus::Cancelled => "cancel_booking",
            BookingStatus::Booked => "rebook",
        }
    }
}

/// Why a booking is refused. Each message says what to do instead; [`BookingRefusal::message`]
/// says it in both languages (Display is the English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingRefusal {
    #[error(
        "slot full: all {capacity} places of this slot are booked; choose another slot or time"
    )]
    SlotFull { capacity: u32 },
    #[error(
        "{enterprise} is {}: it may not book a day off (\"5+2\", measure 7: AEO enterprises only); {date} is a {why_en}; choose a working day", level.name_en()
    )]
    NonWorkingDayNotAeo {
        enterprise: String,
        date: String,
        why_zh: String,
        why_en: String,
        level: CreditLevel,
    },
    #[error(
        "{enterprise} is {}: inspection {} is offered to AEO enterprises only (measure 30); choose inside the supervision zone", level.name_en(), location.name_en()
    )]
    LocationNotAeo {
        enterprise: String,
        location: Location,
        level: CreditLevel,
    },
    #[error("the slot {date} {time} has already ended; choose a later slot")]
    SlotPassed { date: String, time: String },
}

impl BookingRefusal {
    pub fn message(&self) -> Message {
        let en = self.to_string();
        let zh = match self {
            BookingRefusal::SlotFull { capacity } => {
                format!("时段已满：{capacity} 个名额均已预约，请选择其他时段")
            }
            BookingRefusal::NonWorkingDayNotAeo {
                enterprise,
                date,
                why_zh,
                level,
                ..
            } => format!(
                "{enterprise} 为{}，休息日不可预约（措施7：仅AEO企业 5+2）：{date} 是{why_zh}；请选择工作日",
                level.name_zh()
            ),
            BookingRefusal::LocationNotAeo {
                enterprise,
                location,
                level,
            } => format!(
                "{enterprise} 为{}，不能{}查验（措施30：仅AEO企业）；请选择监管区内",
                level.name_zh(),
                location.name_zh()
            ),
            BookingRefusal::SlotPassed { date, time } => {
                format!("{date} {time} 的时段已结束，请选择之后的时段")
            }
        };
        Message::new(zh, en)
    }
}

/// What a booking decision looks at.
#[derive(Debug, Clone)]
pub struct BookingRequest<'a> {
    /// The enterprise's name, for the refusal.
    pub enterprise: &'a str,
    pub day: &'a DayInfo,
    pub capacity: u32,
    pub places_taken: u32,
    pub credit: CreditLevel,
    pub location: Location,
    /// When the slot starts and ends, and the instant of the request.
    pub slot_start: Timestamp,
    pub slot_end: Timestamp,
    pub now: Timestamp,
}

/// Applies the booking rules; Ok carries a note when the day's status rests on the
/// weekend-only fallback of a year without calendar data.
pub fn check_booking(req: &BookingRequest<'_>) -> Result<Option<String>, BookingRefusal> {
    if req.slot_end <= req.now {
        return Err(BookingRefusal::SlotPassed {
            date: req.day.date.to_string(),
            time: format!(
                "{}-{}",
                crate::calendar::hm_text(req.slot_start),
                crate::calendar::hm_text(req.slot_end)
            ),
        });
    }
    if !req.day.working && !req.credit.is_aeo() {
        return Err(BookingRefusal::NonWorkingDayNotAeo {
            enterprise: req.enterprise.to_string(),
            date: req.day.date.to_string(),
            why_zh: req.day.reason_text(crate::text::Lang::Zh),
            why_en: req.day.reason_text(crate::text::Lang::En),
            level: req.credit,
        });
    }
    if req.location != Location::InZone && !req.credit.is_aeo() {
        return Err(BookingRefusal::LocationNotAeo {
            enterprise: req.enterprise.to_string(),
            location: req.location,
            level: req.credit,
        });
    }
    if req.places_taken >= req.capacity {
        return Err(BookingRefusal::SlotFull {
            capacity: req.capacity,
        });
    }
    Ok((!req.day.data_known).then(|| {
        format!(
            "calendar data for {} is not published: {} treated as {} by the weekend-only fallback",
            req.day.date.year(),
            req.day.date,
            if req.day.working {
                "a working day"
            } else {
                "a day off"
            }
        )
    }))
}

/// Counts of a day's bookings, and what still stands between the day and 当日清 (all cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayClearance {
    pub booked: u32,
    pub done: u32,
    pub abnormal: u32,
    pub cancelled: u32,
}

impl DayClearance {
    pub fn add(&mut self, status: BookingStatus) {
        match status {
            BookingStatus::Booked => self.booked += 1,
            BookingStatus::Done => self.done += 1,
            BookingStatus::Abnormal => self.abnormal += 1,
            BookingStatus::Cancelled => self.cancelled += 1,
        }
    }

    /// Places still waiting for inspection.
    pub fn still_open(&self) -> u32 {
        self.booked
    }

    /// 当日清: every normal inspection booked for the day is finished. Abnormal results are
    /// not part of it: the plan asks for them to be handled at once, and they are shown apart.
    pub fn cleared(&self) -> bool {
        self.booked == 0
    }

    /// Where the day stands for 当日清, seen on `today`: a later day is not yet due (未到), not
    /// "not cleared".
    pub fn state(&self, day: jiff::civil::Date, today: jiff::civil::Date) -> ClearanceState {
        if self.booked + self.done + self.abnormal == 0 {
            ClearanceState::NothingBooked
        } else if day > today {
            ClearanceState::NotYetDue
        } else if self.cleared() {
            ClearanceState::Cleared
        } else {
            ClearanceState::Open
        }
    }
}

/// A day's 当日清 state as the day board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClearanceState {
    NothingBooked,
    /// A later day: its inspections cannot be done yet (未到).
    NotYetDue,
    Cleared,
    Open,
}

/// The booking (its id) by which `enterprise_id` already holds a place in a slot, given the
/// slot's bookings as (id, enterprise, status). Booking it again is allowed (two consignments)
/// but warned: it is most often the same request made twice.
pub fn already_booked(
    bookings: impl IntoIterator<Item = (i64, i64, BookingStatus)>,
    enterprise_id: i64,
) -> Option<i64> {
    bookings
        .into_iter()
        .find(|(_, e, st)| *e == enterprise_id && st.holds_place())
        .map(|(id, _, _)| id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_later_day_is_not_yet_due_and_a_repeat_booking_is_found() {
        use super::*;
        use jiff::civil::date;
        let mut c = DayClearance::default();
        let today = date(2026, 11, 27);
        assert_eq!(c.state(today, today), ClearanceState::NothingBooked);
        c.add(BookingStatus::Booked);
        assert_eq!(
            c.state(date(2026, 11, 28), today),
            ClearanceState::NotYetDue
        );
        assert_eq!(c.state(today, today), ClearanceState::Open);
        assert_eq!(c.state(date(2026, 11, 26), today), ClearanceState::Open);
        let mut done = DayClearance::default();
        done.add(BookingStatus::Done);
        assert_eq!(done.state(today, today), ClearanceState::Cleared);
        let slot = [
            (1, 10, BookingStatus::Cancelled),
            (2, 11, BookingStatus::Booked),
            (3, 10, BookingStatus::Done),
        ];
        assert_eq!(already_booked(slot, 10), Some(3));
        assert_eq!(already_booked(slot, 11), Some(2));
        assert_eq!(already_booked(slot[..1].iter().copied(), 10), None);
        assert_eq!(already_booked(slot, 12), None);
    }

    use super::*;
    use crate::calendar::WorkingCalendar;
    use jiff::civil::date;

    fn req(day: &DayInfo, credit: CreditLevel, taken: u32) -> BookingRequest<'_> {
        BookingRequest {
            enterprise: "上海测试有限公司",
            day,
            capacity: 3,
            places_taken: taken,
            credit,
            location: Location::InZone,
            // A slot 08:00-09:00 on the day, asked for the evening before.
            slot_start: at(day.date, 8),
            slot_end: at(day.date, 9),
            now: at(day.date, 8) - jiff::SignedDuration::from_hours(12),
        }
    }

    fn at(d: jiff::civil::Date, hour: i8) -> Timestamp {
        crate::calendar::shanghai_instant(d.at(hour, 0, 0, 0))
    }

    #[test]
    fn a_slot_whose_end_has_passed_cannot_be_booked() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        let mut r = req(&day, CreditLevel::Advanced, 0);
        // 10:00 the same day, for the 08:00-09:00 slot.
        r.now = at(day.date, 10);
        let err = check_booking(&r).unwrap_err();
        assert!(matches!(err, BookingRefusal::SlotPassed { .. }));
        assert!(err.to_string().contains("08:00-09:00"), "{err}");
        // 08:30, the slot is running: still bookable.
        r.now = at(day.date, 8) + jiff::SignedDuration::from_mins(30);
        assert!(check_booking(&r).is_ok());
    }

    #[test]
    fn an_inspection_cannot_be_done_before_its_slot_begins() {
        let start = at(date(2026, 11, 30), 9);
        let before = start - jiff::SignedDuration::from_hours(1);
        let err = BookingStatus::Booked
            .can_move_to(7, BookingStatus::Done, start, before)
            .unwrap_err();
        assert!(err.en().contains("cannot be done yet"), "{err}");
        assert!(
            BookingStatus::Booked
                .can_move_to(7, BookingStatus::Abnormal, start, before)
                .is_err()
        );
        assert!(
            BookingStatus::Booked
                .can_move_to(7, BookingStatus::Cancelled, start, before)
                .is_ok()
        );
        assert!(
            BookingStatus::Booked
                .can_move_to(7, BookingStatus::Done, start, start)
                .is_ok()
        );
        assert!(
            BookingStatus::Done
                .can_move_to(7, BookingStatus::Abnormal, start, start)
                .is_err()
        );
    }

    #[test]
    fn an_aeo_booking_may_fall_on_a_sunday() {
        let sunday = WorkingCalendar::official().day(date(2026, 11, 29));
        assert!(!sunday.working);
        assert_eq!(
            check_booking(&req(&sunday, CreditLevel::Advanced, 0)),
            Ok(None)
        );
        assert_eq!(
            check_booking(&req(&sunday, CreditLevel::Certified, 0)),
            Ok(None)
        );
    }

    #[test]
    fn a_regular_enterprise_cannot_book_a_weekend_or_a_holiday() {
        let cal = WorkingCalendar::official();
        for d in [date(2026, 11, 28), date(2026, 10, 1)] {
            let day = cal.day(d);
            for level in [CreditLevel::Regular, CreditLevel::Dishonest] {
                let err = check_booking(&req(&day, level, 0)).unwrap_err();
                assert!(matches!(err, BookingRefusal::NonWorkingDayNotAeo { .. }));
                assert!(err.to_string().contains("5+2"), "{err}");
            }
        }
    }

    #[test]
    fn a_regular_enterprise_may_book_a_make_up_working_saturday() {
        // 2026-10-10 is a Saturday worked for 国庆节.
        let day = WorkingCalendar::official().day(date(2026, 10, 10));
        assert!(day.working);
        assert_eq!(check_booking(&req(&day, CreditLevel::Regular, 0)), Ok(None));
    }

    #[test]
    fn capacity_is_never_exceeded() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        assert_eq!(
            check_booking(&req(&day, CreditLevel::Advanced, 2)),
            Ok(None)
        );
        assert_eq!(
            check_booking(&req(&day, CreditLevel::Advanced, 3)),
            Err(BookingRefusal::SlotFull { capacity: 3 })
        );
    }

    #[test]
    fn factory_inspection_is_an_aeo_facilitation() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        let mut r = req(&day, CreditLevel::Regular, 0);
        r.location = Location::Factory;
        assert!(matches!(
            check_booking(&r),
            Err(BookingRefusal::LocationNotAeo { .. })
        ));
        r.credit = CreditLevel::Certified;
        assert_eq!(check_booking(&r), Ok(None));
    }

    #[test]
    fn a_booking_in_a_year_without_data_carries_a_warning() {
        let day = WorkingCalendar::official().day(date(2027, 1, 6));
        assert!(!day.data_known);
        let note = check_booking(&req(&day, CreditLevel::Regular, 0)).unwrap();
        assert!(note.unwrap().contains("2027"));
    }

    #[test]
    fn a_day_is_cleared_when_no_booked_inspection_is_left() {
        let mut d = DayClearance::default();
        assert!(d.cleared());
        d.add(BookingStatus::Booked);
        assert!(!d.cleared());
        assert_eq!(d.still_open(), 1);
        d.booked = 0;
        d.add(BookingStatus::Done);
        d.add(BookingStatus::Cancelled);
        d.add(BookingStatus::Abnormal);
        assert!(d.cleared());
        assert_eq!(d.abnormal, 1);
    }
}
