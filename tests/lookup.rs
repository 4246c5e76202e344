//! Lookup's properties over the demo database, through the one matcher (`Store::find`): every
//! enterprise is found by its full name, USCC, customs code and natural initials; the queue
//! filter and the booking picker find what lookup finds. And, over generated names, the
//! matcher reads every name by its natural pinyin, initials and mixes of them. The database
//! tests run on each backend.

use aeo_console::calendar::WorkingCalendar;
use aeo_console::domain::ids::uscc_check_char;
use aeo_console::domain::measures::MeasureCatalog;
use aeo_console::domain::search::{self, Query, match_text};
use aeo_console::store::testing::{TestDb, each_backend};
use aeo_console::store::{Access, FindOptions, ListFilter, Store, Tier, Why};
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

/// Every identifier and whole name a caller may read out finds its enterprise with the reason
/// shown beside it, on each backend; and both backends give the same rows, tiers, reasons and
/// notes (PostgreSQL asks a keystroke's identifier and whole-name look-ups in one statement,
/// SQLite one by one).
/// Typing on after a Chinese lead (上海z, 上海zz) reuses the keys and enterprises the last
/// keystroke read; a change by another session, or by this one, is found at the next key.
#[test]
fn typing_on_finds_what_another_session_changed_meanwhile() {
    for (db, mine) in demos() {
        let mut other = Store::open(db.location(), Access::ReadWrite).unwrap();
        let mut mine = mine;
        // An enterprise that 上海zz does not find, whose name has no 上海.
        let all = enterprises(&mine);
        let (id, name, ..) = all
            .iter()
            .find(|(_, name, ..)| !name.contains("上海"))
            .expect("a name without 上海")
            .clone();
        // Its row is shown (and kept) first.
        assert!(ids_of(&mine, &name).contains(&id));
        for q in ["上海", "上海z", "上海zz"] {
            assert!(!ids_of(&mine, q).contains(&id) || q == "上海", "{q}");
        }
        other.write(|w| w.add_alias(id, "上海紫竹")).unwrap();
        // Another session's commit reaches this one as a notification on PostgreSQL: it is
        // waited for, a few milliseconds.
        let seen = (0..250).any(|_| {
            let found = ids_of(&mine, "上海zz").contains(&id);
            if !found {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            found
        });
        assert!(
            seen,
            "{:?}: the alias another session added is found",
            db.backend
        );
        assert!(ids_of(&mine, "上海z").contains(&id));
        // The row shown says why from the alias it has now (its row kept from before the
        // change had no alias to say it by).
        let why = mine
            .find("上海紫", &FindOptions::new(200))
            .unwrap()
            .found
            .into_iter()
            .find(|f| f.hit.enterprise.id == id)
            .map(|f| f.why);
        assert!(
            matches!(&why, Some(Why::Reading { alias: Some(a), .. }) if a == "上海紫竹"),
            "{:?}: {why:?}",
            db.backend
        );
        // This session's own change, at once.
        mine.write(|w| w.remove_alias(id, "上海紫竹")).unwrap();
        assert!(!ids_of(&mine, "上海zz").contains(&id), "{:?}", db.backend);
    }
}

fn ids_of(store: &Store, q: &str) -> Vec<i64> {
    store
        .find(q, &FindOptions::new(200))
        .unwrap()
        .found
        .iter()
        .map(|f| f.hit.enterprise.id)
        .collect()
}

#[test]
fn identifiers_and_whole_names_find_their_enterprise_alike_on_each_backend() {
    let answers: Vec<_> = demos()
        .iter()
        .map(|(db, store)| identifiers_and_whole_names(db, store))
        .collect();
    if let [sqlite, pg] = &answers[..] {
        assert_eq!(sqlite, pg, "SQLite and PostgreSQL differ");
    }
}

/// Per query: the rows found (id, tier, reason) and the notes.
type Answers = Vec<(String, Vec<(i64, Tier, Why)>, Vec<String>)>;

fn identifiers_and_whole_names(db: &TestDb, store: &Store) -> Answers {
    let raw = db.raw();
    let pair = |sql: &str| -> (i64, String) {
        raw.query_row(sql, (), |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    };
    let (ent, uscc) =
        pair("SELECT id, uscc FROM enterprises WHERE uscc_status = 'valid' ORDER BY id LIMIT 1");
    let (_, customs) = pair(&format!(
        "SELECT id, customs_code FROM enterprises WHERE id = {ent}"
    ));
    let (decl_ent, decl) = pair(
        "SELECT enterprise_id, declaration_no FROM work_items WHERE declaration_no IS NOT NULL ORDER BY id LIMIT 1",
    );
    let (ref_ent, reference) =
        pair("SELECT enterprise_id, reference FROM approvals ORDER BY id LIMIT 1");
    let (booking_ent, booking) =
        pair("SELECT enterprise_id, CAST(id AS TEXT) FROM bookings ORDER BY id LIMIT 1");
    let (coordinator, phone) =
        pair("SELECT id, phone FROM coordinators WHERE phone NOT LIKE '%-%' ORDER BY id LIMIT 1");
    let (_, coordinator_name) = pair(&format!(
        "SELECT id, name FROM coordinators WHERE id = {coordinator}"
    ));
    let (saic, _) = pair(
        "SELECT id, name_zh FROM enterprises WHERE name_en = 'SAIC Motor Corporation Limited'",
    );
    let theirs: BTreeSet<i64> = {
        let mut stmt = raw
            .prepare_cached("SELECT id FROM enterprises WHERE coordinator_id = ?1")
            .unwrap();
        stmt.query_map([coordinator], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(!theirs.is_empty());
    let expected = uscc_check_char(&uscc[..17]).unwrap();
    let wrong = format!("{}{}", &uscc[..17], if expected == '0' { '1' } else { '0' });
    let answers = std::cell::RefCell::new(Answers::new());
    let find = |q: &str, opts: FindOptions| -> Vec<(i64, Tier, Why)> {
        let f = store.find(q, &opts).unwrap();
        let rows: Vec<(i64, Tier, Why)> = f
            .found
            .iter()
            .map(|f| (f.hit.enterprise.id, f.tier, f.why.clone()))
            .collect();
        answers.borrow_mut().push((
            format!("{q} {}", opts.aeo_only),
            rows.clone(),
            f.notes.iter().map(|n| n.en.clone()).collect(),
        ));
        rows
    };
    let all = FindOptions::new(1000);
    let has =
        |rows: &[(i64, Tier, Why)], id: i64, tier: Tier, why: Why| rows.contains(&(id, tier, why));
    let rows = find(&uscc, all);
    assert_eq!(
        rows.first(),
        Some(&(ent, Tier::Identifier, Why::Uscc { uscc: uscc.clone() }))
    );
    let rows = find(&wrong, all);
    let first17 = Why::Uscc {
        uscc: uscc[..17].to_string(),
    };
    assert!(
        has(&rows, ent, Tier::IdentifierPrefix, first17),
        "{wrong}: {rows:?}"
    );
    let notes = answers.borrow().last().unwrap().2.clone();
    assert!(
        notes.len() == 1 && notes[0].contains(&format!("should be {expected}")),
        "{notes:?}"
    );
    // 10 digits: the customs code, and the start of a USCC.
    let rows = find(&customs, all);
    assert_eq!(
        rows.first(),
        Some(&(
            ent,
            Tier::Identifier,
            Why::CustomsCode {
                code: customs.clone()
            }
        ))
    );
    assert_eq!(
        find(&format!("AEOCN{customs}"), all).first(),
        Some(&(
            ent,
            Tier::Identifier,
            Why::CustomsCode {
                code: customs.clone()
            }
        ))
    );
    let rows = find(&customs[..6], all);
    assert!(
        rows.iter().any(|r| r.1 == Tier::IdentifierPrefix),
        "{rows:?}"
    );
    let rows = find(&decl, all);
    assert!(
        has(
            &rows,
            decl_ent,
            Tier::Identifier,
            Why::Declaration {
                number: decl.clone()
            }
        ),
        "{rows:?}"
    );
    let rows = find(&reference, all);
    assert!(
        has(
            &rows,
            ref_ent,
            Tier::Identifier,
            Why::Approval {
                reference: reference.clone()
            }
        ),
        "{rows:?}"
    );
    let start = &reference[..reference.len() - 1];
    let rows = find(start, all);
    assert!(
        has(
            &rows,
            ref_ent,
            Tier::IdentifierPrefix,
            Why::Approval {
                reference: reference.clone()
            }
        ),
        "{rows:?}"
    );
    let id: i64 = booking.parse().unwrap();
    let rows = find(&format!("#{booking}"), all);
    assert_eq!(
        rows.first(),
        Some(&(booking_ent, Tier::Identifier, Why::Booking { id }))
    );
    // A coordinator's phone and name: their enterprises, and only theirs.
    for (q, tier) in [(&phone, Tier::Identifier), (&coordinator_name, Tier::Name)] {
        let rows = find(q, all);
        let why = Why::Coordinator {
            name: coordinator_name.clone(),
            phone: phone.clone(),
        };
        let found: BTreeSet<i64> = rows
            .iter()
            .filter(|r| r.1 == tier && r.2 == why)
            .map(|r| r.0)
            .collect();
        assert_eq!(found, theirs, "{q}: {rows:?}");
    }
    // The booking picker on a day off: AEO enterprises only, whatever matched.
    let aeo_only = FindOptions {
        limit: 1000,
        aeo_only: true,
    };
    for q in [&coordinator_name, &phone] {
        let listed = find(q, aeo_only);
        let aeo: BTreeSet<i64> = store
            .find(q, &all)
            .unwrap()
            .found
            .iter()
            .filter(|f| f.hit.enterprise.credit.is_aeo())
            .map(|f| f.hit.enterprise.id)
            .collect();
        let listed: BTreeSet<i64> = listed.iter().map(|r| r.0).collect();
        assert_eq!(listed, aeo, "{q}");
    }
    // Aliases and the English name, whatever their case.
    for (q, alias) in [
        ("saic", "SAIC"),
        ("上汽", "上汽"),
        (
            "saic motor corporation limited",
            "SAIC Motor Corporation Limited",
        ),
    ] {
        let rows = find(q, all);
        assert_eq!(
            rows.first(),
            Some(&(
                saic,
                Tier::Name,
                Why::Alias {
                    alias: alias.into()
                }
            )),
            "{q}"
        );
    }
    answers.into_inner()
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
