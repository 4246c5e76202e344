//! A realistic demo database: enterprises across the credit levels with valid USCCs and Chinese
//! names, coordinators of the Shanghai offices, queue items of every kind, a month of inspection
//! slots with weekend bookings by AEO enterprises, approvals in every state, problems and
//! verifications. Every record goes through the same rules as real input. Deterministic for a
//! given seed and "now".

use crate::calendar::{WorkingCalendar, shanghai_date, shanghai_instant};
use crate::domain::approval::{
    ApprovalKind, ApprovalTerms, PauseReason, Urgency, deadline_rule, urgency,
};
use crate::domain::credit::CreditLevel;
use crate::domain::enterprise::check_eligibility;
use crate::domain::enterprise::{CoordinatorRole, Industry};
use crate::domain::ids::{ChecksumStatus, DeclarationNo, Direction, SHANGHAI_OFFICES, Uscc};
use crate::domain::inspection::{BookingStatus, Location, OffSiteReason};
use crate::domain::measures::MeasureCatalog;
use crate::domain::queue::{WorkFlags, WorkKind, WorkStatus};
use crate::store::{
    NewApproval, NewBooking, NewCoordinator, NewEnterprise, NewSlot, NewWorkItem, Store, Writer,
};
use anyhow::{Result, bail};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

mod hotline;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub enterprises: usize,
    pub items: usize,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 2026,
            enterprises: 320,
            items: 600,
        }
    }
}

const DISTRICTS: &[&str] = &[
    "浦东",
    "外高桥",
    "洋山",
    "临港",
    "张江",
    "金桥",
    "松江",
    "嘉定",
    "闵行",
    "宝山",
    "青浦",
    "奉贤",
    "漕河泾",
    "虹桥",
];
const ROOTS: &[&str] = &[
    "华芯", "东方", "申通", "海纳", "远洋", "明德", "恒瑞", "新微", "星辰", "天马", "和辉", "复兴",
    "中科", "华虹", "光明", "锦江", "宏达", "永盛", "安泰", "瑞丰", "德康", "联华", "长江", "浦江",
    "新亚", "国泰", "金山", "宝丰", "鼎盛", "汇通", "华谊", "振华", "荣昌", "万象", "天祥", "嘉禾",
    "博远", "凯利", "信诚", "佳士",
];
const TRADES: &[(&str, Industry)] = &[
    ("集成电路", Industry::IntegratedCircuits),
    ("半导体", Industry::IntegratedCircuits),
    ("微电子", Industry::IntegratedCircuits),
    ("显示科技", Industry::NewDisplay),
    ("光电显示", Industry::NewDisplay),
    ("航空器材", Industry::AviationMaintenance),
    ("航空技术", Industry::AviationMaintenance),
    ("食品", Industry::FoodExport),
    ("水产", Industry::FoodExport),
    ("乳业", Industry::FoodExport),
    ("生物医药", Industry::SpecialArticles),
    ("生物科技", Industry::SpecialArticles),
    ("化工", Industry::HazardousChemicals),
    ("精细化学", Industry::HazardousChemicals),
    ("农产品", Industry::AnimalPlant),
    ("粮油", Industry::AnimalPlant),
    ("汽车零部件", Industry::Automotive),
    ("汽车电子", Industry::Automotive),
    ("国际物流", Industry::Logistics),
    ("供应链管理", Industry::Logistics),
    ("精密机械", Industry::ProcessingTrade),
    ("电子制造", Industry::ProcessingTrade),
];
const SUFFIXES: &[&str] = &["有限公司", "股份有限公司", "有限责任公司"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "沈", "顾", "陆", "钱",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞",
    "建华", "志强", "海燕", "晓东", "文斌", "佳怡", "雪梅", "国平",
];
const GROUPS: &[&str] = &[
    "上汽集团“1+N”",
    "华虹集成电路“1+N”",
    "东航航材“1+N”",
    "光明食品“1+N”",
    "张江生物医药“1+N”",
    "洋山供应链“1+N”",
];
const PROBLEMS: &[&str] = &[
    "转关单跨关区数据不一致",
    "异地查检结果互认未落实",
    "跨关区担保核销滞后",
    "舱单数据跨关区传输延迟",
    "减免税确认跨关区流转慢",
    "检疫证书异地核验退回",
    "分送集报跨区申报差错",
];
const GOODS: &[&str] = &[
    "晶圆（温控）",
    "液晶面板",
    "航空发动机零件",
    "冷冻水产品",
    "生物试剂（冷链）",
    "精密仪器（防静电）",
    "乳制品",
    "汽车电子模块",
    "化工原料",
    "光刻胶（防尘）",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, v: &'a [T]) -> &'a T {
    v.choose(rng).expect("non-empty list")
}

fn pick_str<'a>(rng: &mut ChaCha8Rng, v: &[&'a str]) -> &'a str {
    v[rng.random_range(0..v.len())]
}

fn credit_for(rng: &mut ChaCha8Rng) -> CreditLevel {
    match rng.random_range(0..100) {
        0..20 => CreditLevel::Advanced,
        20..35 => CreditLevel::Certified,
        35..90 => CreditLevel::Regular,
        90..97 => CreditLevel::Dishonest,
        _ => CreditLevel::SeriouslyDishonest,
    }
}

/// What `fill` produced.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub enterprises: usize,
    pub items: usize,
    pub slots: usize,
    pub bookings: usize,
    pub approvals: usize,
}

struct Company {
    id: i64,
    credit: CreditLevel,
    industries: Vec<Industry>,
}

/// Fills an empty database.
pub fn fill(
    store: &mut Store,
    opts: &DemoOptions,
    now: Timestamp,
    cal: &WorkingCalendar,
    catalog: &MeasureCatalog,
) -> Result<DemoReport> {
    let existing = store.counts()?;
    if existing.iter().any(|(_, n)| *n > 0) {
        bail!(
            "database {} already holds data; the demo fills only an empty database (give --db a new file)",
            store.path().display()
        );
    }
    if opts.enterprises < 10 {
        bail!("the demo needs at least 10 enterprises");
    }
    store.mark_demo()?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    // The trail names the demo as the author of its records, at the demo's "now".
    let caller = store.actor().clone();
    store.set_actor(crate::store::Actor {
        operator: "demo".to_string(),
        clock: crate::calendar::Clock::Frozen(now),
    });
    let filled = store.write(|w| {
        // The whole demo is one transaction: a district-sized one reads back far more pages
        // than SQLite's default cache holds (each read then searches the whole write-ahead log).
        if !w.conn().is_pg() {
            w.conn().execute_batch("PRAGMA cache_size = -262144")?;
        }
        let mut report = DemoReport::default();
        let coordinators = coordinators(w, &mut rng)?;
        let companies = enterprises(w, &mut rng, opts.enterprises, &coordinators)?;
        report.enterprises = companies.len();
        report.items = work_items(w, &mut rng, &companies, opts.items, now)?;
        let (slots, bookings) = inspections(w, &mut rng, &companies, now, cal)?;
        report.slots = slots;
        report.bookings = bookings;
        report.approvals = approvals(w, &mut rng, &companies, now, cal, catalog)?;
        hotline::fill(
            w,
            opts.seed,
            &companies,
            &coordinators,
            now,
            catalog.management_verifications_per_year(),
            scale_of(&companies),
        )?;
        Ok(report)
    });
    store.set_actor(caller);
    filled
}

/// How many times the default demo this one is (at least 1).
fn scale_of(companies: &[Company]) -> usize {
    companies
        .len()
        .div_ceil(DemoOptions::default().enterprises)
        .max(1)
}

fn coordinators(w: &Writer<'_>, rng: &mut ChaCha8Rng) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut names = HashSet::new();
    for (i, office) in SHANGHAI_OFFICES.iter().enumerate() {
        for role in CoordinatorRole::ALL {
            let name = loop {
                let n = format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN));
                if names.insert(n.clone()) {
                    break n;
                }
            };
            let phone = match role {
                CoordinatorRole::Port => format!("139{:08}", rng.random_range(0..100_000_000u32)),
                _ => format!("021-{}{:07}", 5 + i % 4, rng.random_range(0..10_000_000u32)),
            };
            let duty = match role {
                CoordinatorRole::Port => "7×24小时（5+2）",
                // Some business departments keep a weekend and holiday rota.
                CoordinatorRole::Business if i % 3 == 0 => "工作日 08:30-17:00；休息日 09:00-12:00",
                CoordinatorRole::Business => "工作日 08:30-17:00",
                CoordinatorRole::Local => "工作日 09:00-17:30",
            };
            ids.push(w.insert_coordinator(&NewCoordinator {
                name: &name,
                phone: &phone,
                office_code: office.code,
                office_name: office.name,
                role: *role,
                duty_hours: duty,
            })?);
        }
    }
    Ok(ids)
}

/// A unique, plausible name; large demos fall back to branch names and then to numbered ones.
fn company_name(
    rng: &mut ChaCha8Rng,
    district: &str,
    trade: &str,
    names: &mut HashSet<String>,
    serial: u64,
) -> String {
    for _ in 0..3 {
        let name = format!(
            "{district}{}{trade}{}",
            pick_str(rng, ROOTS),
            pick_str(rng, SUFFIXES)
        );
        if names.insert(name.clone()) {
            return name;
        }
    }
    let branch = format!(
        "{}{}{trade}有限公司{}分公司",
        pick_str(rng, ROOTS),
        pick_str(rng, ROOTS),
        pick_str(rng, DISTRICTS)
    );
    if names.insert(branch.clone()) {
        return branch;
    }
    let numbered = format!("{}{trade}第{serial}有限公司", pick_str(rng, ROOTS));
    names.insert(numbered.clone());
    numbered
}

fn enterprises(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    n: usize,
    coordinators: &[i64],
) -> Result<Vec<Company>> {
    let mut out = Vec::with_capacity(n);
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    // One publicly listed enterprise with its real code, so a known name answers.
    let saic = Uscc::parse("91310000132260250X")?;
    let id = w.insert_enterprise(&NewEnterprise {
        uscc: saic.as_str(),
        uscc_status: ChecksumStatus::Valid,
        customs_code: "3105910001",
        name_zh: "上海汽车集团股份有限公司",
        name_en: Some("SAIC Motor Corporation Limited"),
        credit: CreditLevel::Advanced,
        industries: &[Industry::Automotive],
        group_name: Some(GROUPS[0]),
        coordinator_id: coordinators.first().copied(),
    })?;
    // What callers call it.
    for alias in ["上汽", "上汽集团", "SAIC"] {
        w.add_alias(id, alias)?;
    }
    names.insert("上海汽车集团股份有限公司".to_string());
    codes.insert("3105910001".to_string());
    out.push(Company {
        id,
        credit: CreditLevel::Advanced,
        industries: vec![Industry::Automotive],
    });
    let divisions = [
        "310115", "310104", "310105", "310112", "310113", "310114", "310117", "310118", "310120",
    ];
    let mut serial: u64 = 0;
    while out.len() < n {
        serial += 1;
        let (trade, industry) = *pick(rng, TRADES);
        let district = if rng.random_bool(0.5) {
            format!("上海{}", pick(rng, DISTRICTS))
        } else {
            "上海".to_string()
        };
        let name = company_name(rng, &district, trade, &mut names, serial);
        // 7919 is prime to 10^8, so serials give distinct organisation codes.
        let org8 = format!("{:08}", (serial * 7_919) % 100_000_000);
        let uscc = Uscc::build("91", pick_str(rng, &divisions), &org8)?;
        let customs = loop {
            let c = format!(
                "31{:02}{}{}{:04}",
                rng.random_range(1..=30u32),
                rng.random_range(0..10u32),
                rng.random_range(1..10u32),
                rng.random_range(0..10_000u32)
            );
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let credit = credit_for(rng);
        let mut industries = vec![industry];
        if rng.random_bool(0.15) {
            industries.push(Industry::ProcessingTrade);
        }
        industries.dedup();
        let group = (credit.is_aeo() && rng.random_bool(0.3)).then(|| *pick(rng, GROUPS));
        let coordinator =
            (credit.is_aeo() || rng.random_bool(0.2)).then(|| *pick(rng, coordinators));
        let id = w.insert_enterprise(&NewEnterprise {
            uscc: uscc.as_str(),
            uscc_status: ChecksumStatus::Valid,
            customs_code: &customs,
            name_zh: &name,
            name_en: None,
            credit,
            industries: &industries,
            group_name: group,
            coordinator_id: coordinator,
        })?;
        out.push(Company {
            id,
            credit,
            industries,
        });
    }
    Ok(out)
}

fn work_items(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    companies: &[Company],
    n: usize,
    now: Timestamp,
) -> Result<usize> {
    let offices: Vec<&str> = SHANGHAI_OFFICES.iter().map(|o| o.code).collect();
    // Where each enterprise is in the list (looking it up by a scan made a district-sized demo
    // quadratic).
    let place: HashMap<i64, usize> = companies
        .iter()
        .enumerate()
        .map(|(at, c)| (c.id, at))
        .collect();
    for i in 0..n {
        // Every kind appears, then a mix.
        let kind = if i < WorkKind::ALL.len() {
            WorkKind::ALL[i]
        } else {
            *pick(rng, WorkKind::ALL)
        };
        let mut company = pick(rng, companies);
        // Measure-specific work goes to an enterprise the measure reaches.
        let eligible = |c: &Company| {
            check_eligibility(kind, c.credit, &c.industries, MeasureCatalog::official()).is_ok()
        };
        if !eligible(company) {
            // The next eligible one after it, without drawing again (the rest of the demo stays).
            let at = place.get(&company.id).copied().unwrap_or(0);
            match companies
                .iter()
                .cycle()
                .skip(at)
                .take(companies.len())
                .find(|c| eligible(c))
            {
                Some(c) => company = c,
                None => continue,
            }
        }
        let received_at = now - SignedDuration::from_mins(rng.random_range(5..(2 * 24 * 60)));
        // Most deadlines lie ahead; a few have passed.
        // A deadline never precedes the arrival.
        let due_at = rng.random_bool(0.5).then(|| {
            (now + SignedDuration::from_mins(rng.random_range(-6 * 60..3 * 24 * 60)))
                .max(received_at + SignedDuration::from_mins(30))
        });
        let declaration = if kind.takes_declaration_no() {
            let year = shanghai_date(received_at).year() as u16;
            let dir = if rng.random_bool(0.5) {
                Direction::Import
            } else {
                Direction::Export
            };
            Some(DeclarationNo::build(
                pick_str(rng, &offices),
                year,
                dir,
                rng.random_range(1..999_999_999u32),
            )?)
        } else {
            None
        };
        let status = match rng.random_range(0..100) {
            0..60 => WorkStatus::Waiting,
            60..78 => WorkStatus::InProgress,
            78..84 => WorkStatus::Abnormal,
            _ => WorkStatus::Done,
        };
        let id = w.insert_work_item(&NewWorkItem {
            kind,
            enterprise_id: company.id,
            declaration_no: declaration.as_ref().map(|d| d.as_str()),
            received_at,
            due_at,
            status: WorkStatus::Waiting,
            flags: WorkFlags {
                non_intrusive: kind == WorkKind::PortInspection && rng.random_bool(0.3),
                ..WorkFlags::default()
            },
        })?;
        if status != WorkStatus::Waiting {
            let operator = format!("op{:02}", rng.random_range(1..13));
            w.set_item_status(
                id,
                status,
                &operator,
                received_at + SignedDuration::from_mins(30),
            )?;
        }
    }
    Ok(n)
}

/// A slot's opening and closing time: (hour, minute, hour, minute).
type Window = (i8, i8, i8, i8);

fn inspections(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    companies: &[Company],
    now: Timestamp,
    cal: &WorkingCalendar,
) -> Result<(usize, usize)> {
    let today = shanghai_date(now);
    // A district-wide database gets every office and half-hour windows, in proportion.
    let scale = scale_of(companies);
    let (offices, working_windows): (Vec<&str>, Vec<Window>) = if scale <= 1 {
        (
            vec!["2210", "2248", "2233", "2225"],
            vec![(9, 0, 11, 0), (13, 30, 15, 30), (15, 30, 17, 0)],
        )
    } else {
        let k = (3 * scale).min(24) as i8;
        (
            SHANGHAI_OFFICES.iter().map(|o| o.code).collect(),
            (0..k)
                .map(|i| (8 + i / 2, (i % 2) * 30, 8 + (i + 1) / 2, ((i + 1) % 2) * 30))
                .collect(),
        )
    };
    let weekend_windows = [(9, 0, 12, 0)];
    let aeo: Vec<&Company> = companies.iter().filter(|c| c.credit.is_aeo()).collect();
    let mut slots = 0;
    let mut bookings = 0;
    for offset in -7..=30i32 {
        let date: Date = today + offset.days();
        let working = cal.is_working_day(date);
        let windows: &[Window] = if working {
            &working_windows[..]
        } else {
            &weekend_windows
        };
        for &office in &offices {
            if !working && office != "2248" && office != "2233" {
                continue; // "5+2": the port offices keep a booking window on days off
            }
            for &(h1, m1, h2, m2) in windows {
                let capacity = rng.random_range(3..=6u32);
                let slot = w.insert_slot(&NewSlot {
                    office_code: office,
                    date,
                    start: Time::constant(h1, m1, 0, 0),
                    end: Time::constant(h2, m2, 0, 0),
                    capacity,
                })?;
                slots += 1;
                let fill = if offset > 10 {
                    rng.random_range(0..=capacity / 2)
                } else {
                    rng.random_range(1..=capacity)
                };
                for _ in 0..fill {
                    let pool: &[&Company] = if working && rng.random_bool(0.5) {
                        &[]
                    } else {
                        &aeo
                    };
                    let company = if pool.is_empty() {
                        pick(rng, companies)
                    } else {
                        *pick(rng, pool)
                    };
                    let location = if company.credit.is_aeo() && rng.random_bool(0.25) {
                        if rng.random_bool(0.5) {
                            Location::Factory
                        } else {
                            Location::OutOfZone
                        }
                    } else if !company.credit.is_aeo() && (company.id + slot) % 23 == 0 {
                        // Now and then a regular enterprise asks for it too: taken, for the site
                        // to approve (measure 30).
                        Location::Factory
                    } else {
                        Location::InZone
                    };
                    // The measure-30 reason, drawn without the generator so the rest of the demo
                    // stays as it was.
                    let reason = (location != Location::InZone).then(|| {
                        OffSiteReason::ALL
                            [((company.id + slot) % OffSiteReason::ALL.len() as i64) as usize]
                    });
                    // Booked one to three days ahead, as the line takes them.
                    let booked_at = shanghai_instant(date.at(10, 0, 0, 0))
                        - SignedDuration::from_hours(rng.random_range(24..72));
                    let booked = w.book(
                        &NewBooking {
                            slot_id: slot,
                            enterprise_id: company.id,
                            goods: pick_str(rng, GOODS),
                            location,
                            reason,
                            operator: "demo",
                            now: booked_at.min(now),
                        },
                        cal,
                    );
                    let Ok((id, _)) = booked else {
                        continue; // refused by the rules (a regular enterprise on a day off)
                    };
                    bookings += 1;
                    let end = shanghai_instant(date.at(h2, m2, 0, 0));
                    if end <= now {
                        let status = if rng.random_bool(0.08) {
                            BookingStatus::Abnormal
                        } else if date < today || rng.random_bool(0.7) {
                            BookingStatus::Done
                        } else {
                            continue;
                        };
                        w.set_booking_status(id, status, end)?;
                    }
                }
            }
        }
    }
    Ok((slots, bookings))
}

fn approvals(
    w: &Writer<'_>,
    rng: &mut ChaCha8Rng,
    companies: &[Company],
    now: Timestamp,
    cal: &WorkingCalendar,
    catalog: &MeasureCatalog,
) -> Result<usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Want {
        Running,
        Paused,
        NearlyDue,
        Overdue,
        Decided,
    }
    let wants = [
        Want::Running,
        Want::Running,
        Want::Running,
        Want::Paused,
        Want::NearlyDue,
        Want::NearlyDue,
        Want::Overdue,
        Want::Decided,
        Want::Decided,
    ];
    let mut n = 0;
    for i in 0..63 * scale_of(companies) {
        let want = wants[i % wants.len()];
        let kind = ApprovalKind::ALL[i % ApprovalKind::ALL.len()];
        let company = pick(rng, companies);
        // Now and then a product without Shanghai's final authority (measure 26 does not apply),
        // and a regular limit extended under 第42条; both without the generator, so the rest of
        // the demo stays as it was.
        let terms = ApprovalTerms {
            final_authority: !(kind == ApprovalKind::AnimalPlant && i % 9 == 4),
            extended_by: (want == Want::Running
                && i % 2 == 0
                && kind != ApprovalKind::AdvanceRuling
                && !company.credit.is_aeo())
            .then_some("王科长"),
        };
        let rule = deadline_rule(kind, company.credit, terms, catalog);
        let prefix = match kind {
            ApprovalKind::SpecialArticles => "TW",
            ApprovalKind::AnimalPlant => "DZ",
            ApprovalKind::AdvanceRuling => "YCD",
        };
        let reference = format!("{prefix}{}{:05}", shanghai_date(now).year(), i + 1);
        let mut accepted = now - SignedDuration::from_hours(rng.random_range(2..30));
        let mut pauses: Vec<(PauseReason, Timestamp, Option<Timestamp>)> = Vec::new();
        let mut decided = None;
        match want {
            Want::Running => {
                // A draw kept from when a 补正 was recorded here (it is no pause: it moves the
                // acceptance), so the rest of the demo stays as it was.
                let _ = rng.random_bool(0.4);
            }
            Want::Paused => {
                let reason = *pick(rng, PauseReason::ALL);
                pauses.push((
                    reason,
                    now - SignedDuration::from_hours(rng.random_range(1..20)),
                    None,
                ));
                accepted = accepted.min(pauses[0].1 - SignedDuration::from_hours(1));
            }
            Want::NearlyDue | Want::Overdue => {
                // Walk acceptance back until the countdown shows the state wanted.
                let target = if want == Want::NearlyDue {
                    Urgency::NearlyDue
                } else {
                    Urgency::Overdue
                };
                let first = rng.random_range(1..12);
                for h in (first..(60 * 24)).step_by(5) {
                    let candidate = now - SignedDuration::from_hours(h);
                    let c = crate::calendar::countdown(
                        cal,
                        candidate,
                        rule.limit_days,
                        rule.count,
                        &[],
                        now,
                    );
                    if urgency(&c) == target {
                        // Overdue ones are spread over the last few days.
                        let extra = if want == Want::Overdue {
                            rng.random_range(0..4)
                        } else {
                            0
                        };
                        accepted = candidate - SignedDuration::from_hours(24 * extra);
                        break;
                    }
                }
            }
            Want::Decided => {
                accepted = now - SignedDuration::from_hours(rng.random_range(24 * 8..24 * 20));
                decided = Some((
                    accepted + SignedDuration::from_hours(rng.random_range(24..24 * 6)),
                    kind.decision_words(true).0,
                ));
            }
        }
        w.insert_approval(&NewApproval {
            kind,
            enterprise_id: company.id,
            reference: &reference,
            accepted_at: accepted,
            pauses: &pauses,
            decided,
            final_authority: terms.final_authority,
            extended_by: terms.extended_by,
        })?;
        n += 1;
    }
    Ok(n)
}
