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

impl Location {
    /// The place in a narrow column: 区内/区外/到厂, zone/outside/factory.
    pub fn short_name(self, lang: crate::text::Lang) -> &'static str {
        match self {
            Location::InZone => lang.pick("区内", "zone"),
            Location::OutOfZone => lang.pick("区外", "outside"),
            Location::Factory => lang.pick("到厂", "factory"),
        }
    }

    /// The place, with the measure-30 reason when one is on record: "到厂查验（易受温度影响）".
    pub fn with_reason(self, reason: Option<OffSiteReason>, lang: crate::text::Lang) -> String {
        match reason {
            Some(r) => lang
                .pick("{place}（{why}）", "{place} ({why})")
                .replace("{place}", self.name(lang))
                .replace("{why}", r.name(lang)),
            None => self.name(lang).to_string(),
        }
    }
}

coded_enum!(
    /// Why goods are inspected outside the zone or at the factory (measure 30): goods easily
    /// affected by temperature, static or dust, or a port that lacks the means to inspect them.
    OffSiteReason {
        Temperature = "temperature", "易受温度影响", "sensitive to temperature";
        Static = "static", "易受静电影响", "sensitive to static electricity";
        Dust = "dust", "易受粉尘影响", "sensitive to dust";
        NoFacilities = "no_facilities", "口岸现场不具备查验条件", "the port lacks the means to inspect";
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

    /// The status as shown beside a booking, with the measure-30 mark of a request that waits
    /// for the site's approval (`short`: the mark without its reason, for a board's column).
    pub fn shown(self, needs_site_approval: bool, short: bool, lang: crate::text::Lang) -> String {
        if !needs_site_approval {
            return self.name(lang).to_string();
        }
        let mark = if short {
            lang.pick("待现场同意", "site to approve")
        } else {
            site_approval_text(lang)
        };
        format!("{} · {mark}", self.name(lang))
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
        "inspection {} needs its reason (measure 30): {}", location.name_en(), reason_codes()
    )]
    ReasonMissing { location: Location },
    #[error(
        "a reason (measure 30) is recorded only for inspection outside the zone or at the factory; choose one of those places or drop the reason"
    )]
    ReasonInZone,
    #[error("the goods to inspect must be named")]
    GoodsMissing,
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
            BookingRefusal::ReasonMissing { location } => format!(
                "{}查验须注明原因（措施30）：{}",
                location.name_zh(),
                OffSiteReason::ALL
                    .iter()
                    .map(|r| r.name_zh())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            BookingRefusal::ReasonInZone => {
                "措施30的原因只用于监管区外或到厂查验；请改选地点或去掉原因".to_string()
            }
            BookingRefusal::GoodsMissing => "须填写查验的货物".to_string(),
            BookingRefusal::SlotPassed { date, time } => {
                format!("{date} {time} 的时段已结束，请选择之后的时段")
            }
        };
        Message::new(zh, en)
    }
}

fn reason_codes() -> String {
    OffSiteReason::ALL
        .iter()
        .map(|r| format!("{} ({})", r.code(), r.name_en()))
        .collect::<Vec<_>>()
        .join(", ")
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
    /// Why the goods are inspected outside the zone or at the factory (measure 30).
    pub reason: Option<OffSiteReason>,
    /// The goods to inspect, as the operator gave them.
    pub goods: &'a str,
    /// When the slot starts and ends, and the instant of the request.
    pub slot_start: Timestamp,
    pub slot_end: Timestamp,
    pub now: Timestamp,
}

/// A booking the rules accept, and what goes on record with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingOutcome {
    /// Set when the day's status rests on the fallback of a year without calendar data.
    pub note: Option<String>,
    /// Measure 30 offers inspection outside the zone or at the factory to AEO enterprises; the
    /// same request of another enterprise is taken but needs the site's approval.
    pub needs_site_approval: bool,
}

/// How a booking that needs the site's approval is marked, wherever it is shown.
pub fn site_approval_text(lang: crate::text::Lang) -> &'static str {
    lang.pick(
        "待现场海关同意（非AEO企业，措施30）",
        "needs the site's approval (not AEO, measure 30)",
    )
}

/// Applies the booking rules: goods named, the slot not over, "5+2" (measure 7), the reason of
/// an inspection outside the zone or at the factory (measure 30), capacity.
pub fn check_booking(req: &BookingRequest<'_>) -> Result<BookingOutcome, BookingRefusal> {
    if req.goods.trim().is_empty() {
        return Err(BookingRefusal::GoodsMissing);
    }
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
    match (req.location, req.reason) {
        (Location::InZone, Some(_)) => return Err(BookingRefusal::ReasonInZone),
        (Location::OutOfZone | Location::Factory, None) => {
            return Err(BookingRefusal::ReasonMissing {
                location: req.location,
            });
        }
        _ => {}
    }
    if req.places_taken >= req.capacity {
        return Err(BookingRefusal::SlotFull {
            capacity: req.capacity,
        });
    }
    let note = (!req.day.data_known).then(|| {
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
    });
    Ok(BookingOutcome {
        note,
        needs_site_approval: req.location != Location::InZone && !req.credit.is_aeo(),
    })
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
            reason: None,
            goods: "冷冻牛肉",
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
            Ok(BookingOutcome::default())
        );
        assert_eq!(
            check_booking(&req(&sunday, CreditLevel::Certified, 0)),
            Ok(BookingOutcome::default())
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
        assert_eq!(
            check_booking(&req(&day, CreditLevel::Regular, 0)),
            Ok(BookingOutcome::default())
        );
    }

    #[test]
    fn capacity_is_never_exceeded() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        assert_eq!(
            check_booking(&req(&day, CreditLevel::Advanced, 2)),
            Ok(BookingOutcome::default())
        );
        assert_eq!(
            check_booking(&req(&day, CreditLevel::Advanced, 3)),
            Err(BookingRefusal::SlotFull { capacity: 3 })
        );
    }

    #[test]
    fn an_inspection_outside_the_zone_needs_its_measure_30_reason() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        let mut r = req(&day, CreditLevel::Certified, 0);
        for place in [Location::Factory, Location::OutOfZone] {
            r.location = place;
            r.reason = None;
            let err = check_booking(&r).unwrap_err();
            assert_eq!(err, BookingRefusal::ReasonMissing { location: place });
            assert!(err.message().zh().contains("易受温度影响"), "{err}");
            assert!(err.to_string().contains("no_facilities"), "{err}");
            r.reason = Some(OffSiteReason::Static);
            assert_eq!(check_booking(&r), Ok(BookingOutcome::default()));
        }
        // Inside the zone there is no measure-30 reason to give.
        r.location = Location::InZone;
        assert_eq!(check_booking(&r), Err(BookingRefusal::ReasonInZone));
    }

    #[test]
    fn a_regular_enterprise_asking_for_a_factory_inspection_needs_the_sites_approval() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        let mut r = req(&day, CreditLevel::Regular, 0);
        r.location = Location::Factory;
        r.reason = Some(OffSiteReason::NoFacilities);
        let out = check_booking(&r).unwrap();
        assert!(out.needs_site_approval);
        r.credit = CreditLevel::Advanced;
        assert!(!check_booking(&r).unwrap().needs_site_approval);
    }

    #[test]
    fn the_goods_are_required() {
        let day = WorkingCalendar::official().day(date(2026, 11, 27));
        let mut r = req(&day, CreditLevel::Advanced, 0);
        r.goods = "  ";
        assert_eq!(check_booking(&r), Err(BookingRefusal::GoodsMissing));
    }

    #[test]
    fn a_booking_in_a_year_without_data_carries_a_warning() {
        let day = WorkingCalendar::official().day(date(2027, 1, 6));
        assert!(!day.data_known);
        let out = check_booking(&req(&day, CreditLevel::Regular, 0)).unwrap();
        assert!(out.note.unwrap().contains("2027"));
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
