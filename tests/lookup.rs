//! Lookup's properties over the demo database, through the one matcher (`Store::find`): every
//! enterprise is found by its full name, USCC, customs code and natural initials; the queue
//! filter and the booking picker find what lookup finds. And, over generated names, the
//! matcher reads every name by its natural pinyin, initials and mixes of them. The database
//! tests run on each backend.

use aeo_console::calendar::WorkingCalendar;
use aeo_console::domain::measures::MeasureCatalog;
use aeo_console::domain::search::{self, Query, match_text};
use aeo_console::store::testing::{TestDb, each_backend};
use aeo_console::store::{Access, FindOptions, ListFilter, Store, Tier};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The demo database on each backend.
fn demos() -> Vec<(TestDb, Store)> {
    each_backend()
        .into_iter()
        .map(|db| {
            eprintln!("on {:?}", db.backend);
            let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
            aeo_console::demo::fill(
                &mut store,
                &aeo_console::demo::DemoOptions::default(),
                "2026-11-27T10:00:00+08:00".parse().unwrap(),
                WorkingCalendar::official(),
                MeasureCatalog::official(),
            )
            .unwrap();
            (db, store)
        })
        .collect()
}

/// (id, name, uscc, customs code, natural initials, natural pinyin) of every enterprise, read
/// through the store (its export, each row found by its USCC).
fn enterprises(store: &Store) -> Vec<(i64, String, String, String, String, String)> {
    store
        .export_enterprises()
        .unwrap()
        .into_iter()
        .map(|e| {
            let id = store.resolve_enterprise(&e.uscc).unwrap().id;
            let units = search::units(&e.name_zh);
            let initials = units
                .iter()
                .filter_map(|u| u.readings.first().and_then(|r| r.chars().next()))
                .collect();
            let pinyin = units
                .iter()
                .filter_map(|u| u.readings.first().cloned())
                .collect();
            (id, e.name_zh, e.uscc, e.customs_code, initials, pinyin)
        })
        .collect()
}

#[test]
fn every_enterprise_is_found_by_its_name_uscc_customs_code_and_natural_initials() {
    for (_db, store) in demos() {
        found_by_name_uscc_customs_code_and_natural_initials(&store);
    }
}

fn found_by_name_uscc_customs_code_and_natural_initials(store: &Store) {
    let all = enterprises(store);
    assert!(all.len() >= 300);
    let first = |q: &str| {
        store
            .find(q, &FindOptions::new(5))
            .unwrap()
            .found
            .first()
            .map(|f| f.hit.enterprise.id)
    };
    for (id, name, uscc, customs, initials, pinyin) in &all {
        assert_eq!(first(name), Some(*id), "full name {name}");
        assert_eq!(first(uscc), Some(*id), "USCC {uscc} of {name}");
        assert_eq!(
            first(&uscc.to_lowercase()),
            Some(*id),
            "lower-case USCC {uscc}"
        );
        assert_eq!(
            first(customs),
            Some(*id),
            "customs code {customs} of {name}"
        );
        for q in [initials, pinyin] {
            let found = store.find(q, &FindOptions::new(1000)).unwrap().found;
            let me = found.iter().find(|f| f.hit.enterprise.id == *id);
            assert!(
                me.is_some_and(|f| f.tier <= Tier::Natural),
                "{q} finds {name} in its natural reading: {:?}",
                me.map(|f| f.tier)
            );
        }
    }
}

/// Chinese typed from inside a name (any character, not only a word start) finds it, and so do
/// its characters in order with others left out.
#[test]
fn chinese_from_inside_a_name_and_characters_in_order_find_it() {
    for (_db, store) in demos() {
        inside_and_in_order_find_it(&store);
    }
}

fn inside_and_in_order_find_it(store: &Store) {
    let all = enterprises(store);
    let mut scattered = 0;
    for (id, name, ..) in &all {
        let chars: Vec<char> = name
            .chars()
            .filter(|c| !c.is_ascii() && c.is_alphabetic())
            .collect();
        if chars.len() < 6 {
            continue;
        }
        let inside: String = chars[2..5].iter().collect();
        let found = store.find(&inside, &FindOptions::new(1000)).unwrap().found;
        let me = found.iter().find(|f| f.hit.enterprise.id == *id);
        assert!(
            me.is_some_and(|f| f.tier <= Tier::OtherInside),
            "{inside} (inside) finds {name}: {:?}",
            me.map(|f| f.tier)
        );
        let gapped: String = [chars[1], chars[3], chars[5]].iter().collect();
        let found = store.find(&gapped, &FindOptions::new(1000)).unwrap().found;
        let me = found.iter().find(|f| f.hit.enterprise.id == *id);
        assert!(me.is_some(), "{gapped} (in order) finds {name}");
        if me.is_some_and(|f| f.tier == Tier::Scattered) {
            scattered += 1;
        }
    }
    assert!(
        scattered > 0,
        "some names are found only by characters in order"
    );
}

#[test]
fn the_queue_filter_finds_the_enterprises_lookup_finds() {
    for (_db, store) in demos() {
        queue_filter_finds_what_lookup_finds(&store);
    }
}

fn queue_filter_finds_what_lookup_finds(store: &Store) {
    for q in [
        "jiading",
        "shqc",
        "上汽",
        "zhangjiang",
        "minhang",
        "3105910001",
        "saic",
        "上海cn",
    ] {
        let wanted: BTreeSet<i64> = store
            .matching_enterprise_ids(q, 1000)
            .unwrap()
            .into_iter()
            .collect();
        let rows = store
            .queue_filtered(&ListFilter::text(q), 100_000, 0)
            .unwrap();
        let got: BTreeSet<i64> = rows.iter().map(|r| r.enterprise_id).collect();
        assert!(
            got.is_subset(&wanted),
            "{q}: the queue shows only enterprises lookup finds"
        );
        // Every enterprise lookup finds that has open work shows in the filtered queue.
        let all = store
            .queue_filtered(&ListFilter::text(""), 100_000, 0)
            .unwrap();
        let open: BTreeSet<i64> = all.iter().map(|r| r.enterprise_id).collect();
        let expected: BTreeSet<i64> = wanted.intersection(&open).copied().collect();
        assert_eq!(got, expected, "{q}");
        assert_eq!(
            store.queue_filtered_len(&ListFilter::text(q)).unwrap() as usize,
            rows.len(),
            "{q}: count"
        );
    }
    let jiading = store
        .queue_filtered(&ListFilter::text("jiading"), 100_000, 0)
        .unwrap();
    assert!(
        !jiading.is_empty(),
        "jiading finds queue work, as lookup finds 嘉定 enterprises"
    );
}

#[test]
fn the_booking_picker_on_a_day_off_reaches_every_aeo_match() {
    for (_db, store) in demos() {
        picker_reaches_every_aeo_match(&store);
    }
}

fn picker_reaches_every_aeo_match(store: &Store) {
    for q in ["上海", "sh", "shqc", "jiading", "s"] {
        let all = store.find(q, &FindOptions::new(1000)).unwrap().found;
        let aeo: Vec<i64> = all
            .iter()
            .filter(|f| f.hit.enterprise.credit.is_aeo())
            .map(|f| f.hit.enterprise.id)
            .collect();
        let picker = store
            .find(
                q,
                &FindOptions {
                    limit: 1000,
                    aeo_only: true,
                },
            )
            .unwrap()
            .found;
        assert!(
            picker.iter().all(|f| f.hit.enterprise.credit.is_aeo()),
            "{q}"
        );
        let ids: Vec<i64> = picker.iter().map(|f| f.hit.enterprise.id).collect();
        assert_eq!(
            ids, aeo,
            "{q}: the picker lists lookup's AEO matches in lookup's order"
        );
    }
}

/// Words of Shanghai enterprise names, polyphonic characters among them.
const WORDS: &[&str] = &[
    "上海",
    "长宁",
    "长江",
    "张江",
    "重庆",
    "银行",
    "厦门",
    "闵行",
    "嘉定",
    "浦东",
    "汽车",
    "朝阳",
    "乐清",
    "快乐",
    "音乐",
    "调味",
    "供应",
    "物流",
    "行业",
    "重型",
    "数码",
    "传媒",
    "都市",
    "便利",
    "长安",
    "长兴岛",
    "3",
    "A",
];
const TAILS: &[&str] = &["有限公司", "股份有限公司", "集团", "分公司"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_name_is_found_by_its_natural_pinyin_initials_and_mixes(
        words in proptest::collection::vec(0..WORDS.len(), 1..4),
        tail in 0..TAILS.len(),
        cut in 1usize..6,
    ) {
        let name: String = words.iter().map(|i| WORDS[*i]).chain([TAILS[tail]]).collect();
        let units = search::units(&name);
        let natural: Vec<&str> = units.iter().map(|u| u.readings[0].as_str()).collect();
        let initials: String = natural.iter().filter_map(|r| r.chars().next()).collect();
        let pinyin: String = natural.concat();
        let spaced = natural.join(" ");
        // The first characters in Chinese, the rest as initials.
        let k = cut.min(units.len());
        let mixed: String = units[..k].iter().map(|u| u.ch).chain(initials.chars().skip(k)).collect();
        // Full pinyin of the first characters, then initials.
        let half: String = natural[..k].concat() + &initials.chars().skip(k).collect::<String>();
        for q in [&name, &initials, &pinyin, &spaced, &mixed, &half] {
            let m = match_text(&Query::new(q), &units);
            prop_assert!(
                m.as_ref().is_some_and(|m| m.start == 0 && m.natural()),
                "{q:?} in {name}: {m:?}"
            );
        }
        // Every prefix of the full pinyin is found too (typing it key by key).
        for n in 1..=pinyin.len() {
            prop_assert!(match_text(&Query::new(&pinyin[..n]), &units).is_some_and(|m| m.start == 0), "{} in {name}", &pinyin[..n]);
        }
    }
}
