//! The search corpus (tests/search_corpus.toml): real-looking names with polyphonic characters
//! and what callers say for them. Every query must rank its enterprise first, through the one
//! matcher every pane uses (`Store::find`), on each backend; and a database indexed by an older
//! version of the index is indexed again.

use aeo_console::domain::credit::CreditLevel;
use aeo_console::domain::ids::{ChecksumStatus, Uscc};
use aeo_console::store::testing::each_backend;
use aeo_console::store::{Access, FindOptions, NewEnterprise, Store, Tier};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    enterprise: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    queries: Vec<String>,
}

fn corpus() -> Corpus {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/search_corpus.toml"
    ))
    .expect("corpus file");
    toml::from_str(&text).expect("corpus parses")
}

#[test]
fn every_query_of_the_corpus_ranks_its_enterprise_first() {
    let corpus = corpus();
    assert!(corpus.enterprise.len() >= 60, "at least 60 names");
    let n_queries: usize = corpus.enterprise.iter().map(|e| e.queries.len()).sum();
    assert!(n_queries >= 200, "at least 200 queries, {n_queries}");
    for db in each_backend() {
        eprintln!("on {:?}", db.backend);
        ranks_first(
            &corpus,
            &mut Store::open(db.location(), Access::ReadWrite).unwrap(),
        );
    }
}

/// Regular enterprises of these names, the i-th with USCC and customs code numbered i.
fn add_names<'a>(store: &mut Store, names: impl Iterator<Item = &'a str>) {
    store
        .write(|w| {
            for (i, name) in names.enumerate() {
                let uscc = Uscc::build("91", "310115", &format!("{:08}", 10_000_000 + i)).unwrap();
                w.insert_enterprise(&NewEnterprise {
                    uscc: uscc.as_str(),
                    uscc_status: ChecksumStatus::Valid,
                    customs_code: &format!("31{:08}", i),
                    name_zh: name,
                    name_en: None,
                    credit: CreditLevel::Regular,
                    industries: &[],
                    group_name: None,
                    coordinator_id: None,
                })?;
            }
            Ok(())
        })
        .unwrap();
}

/// Every query of the corpus, on one store, ranks its enterprise first.
fn ranks_first(corpus: &Corpus, store: &mut Store) {
    let n_queries: usize = corpus.enterprise.iter().map(|e| e.queries.len()).sum();
    add_names(store, corpus.enterprise.iter().map(|e| e.name.as_str()));
    let mut failures = Vec::new();
    for e in &corpus.enterprise {
        for q in &e.queries {
            let found = store.find(q, &FindOptions::new(5)).unwrap().found;
            let first = found.first().map(|f| f.hit.enterprise.name_zh.as_str());
            if first != Some(e.name.as_str()) {
                failures.push(format!(
                    "{q:?} → {:?}, wanted {}",
                    found
                        .iter()
                        .map(|f| f.hit.enterprise.name_zh.as_str())
                        .collect::<Vec<_>>(),
                    e.name
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n_queries} queries miss:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A database indexed before the search index's present version (its names read otherwise) is
/// indexed again on its next read-write open, on each backend; a read-only open leaves it.
#[test]
fn a_database_indexed_by_an_older_version_is_indexed_again() {
    for db in each_backend() {
        eprintln!("on {:?}", db.backend);
        let name = "上海闵行华东精密机械有限公司";
        {
            let mut store = Store::open(db.location(), Access::ReadWrite).unwrap();
            add_names(&mut store, std::iter::once(name));
            let found = store.find("minhang", &FindOptions::new(5)).unwrap().found;
            assert_eq!(found[0].tier, Tier::Inside, "闵行 read min hang");
        }
        // As an older version left it: 闵 and 行 alone, 行 read xing first, no keys of min hang.
        let old = "^上=shang|海=hai|^闵=min|^行=xing,hang,heng|^华=hua|^东=dong";
        let raw = db.raw();
        raw.execute("UPDATE enterprises SET search_units = ?1", [old])
            .unwrap();
        raw.execute("DELETE FROM search_keys WHERE key LIKE 'mh%'", ())
            .unwrap();
        raw.execute(
            "UPDATE aeo_meta SET value = '1' WHERE key = 'search_index'",
            (),
        )
        .unwrap();
        drop(raw);
        let stale = |store: &Store| {
            store
                .find("minhang", &FindOptions::new(5))
                .unwrap()
                .found
                .first()
                .is_none_or(|f| f.tier != Tier::Inside)
        };
        let store = Store::open(db.location(), Access::ReadOnly).unwrap();
        assert!(stale(&store), "a read-only open changes nothing");
        drop(store);
        let store = Store::open(db.location(), Access::ReadWrite).unwrap();
        assert!(!stale(&store), "indexed again");
        let found = store.find("mhhd", &FindOptions::new(5)).unwrap().found;
        assert_eq!(found[0].hit.enterprise.name_zh, name);
        assert_eq!(found[0].tier, Tier::Inside);
    }
}
