//! The search corpus (tests/search_corpus.toml): real-looking names with polyphonic characters
//! and what callers say for them. Every query must rank its enterprise first, through the one
//! matcher every pane uses (`Store::find`), on each backend.

use aeo_console::domain::credit::CreditLevel;
use aeo_console::domain::ids::{ChecksumStatus, Uscc};
use aeo_console::store::testing::each_backend;
use aeo_console::store::{Access, FindOptions, NewEnterprise, Store};
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

/// Every query of the corpus, on one store, ranks its enterprise first.
fn ranks_first(corpus: &Corpus, store: &mut Store) {
    let n_queries: usize = corpus.enterprise.iter().map(|e| e.queries.len()).sum();
    store
        .write(|w| {
            for (i, e) in corpus.enterprise.iter().enumerate() {
                let uscc = Uscc::build("91", "310115", &format!("{:08}", 10_000_000 + i)).unwrap();
                w.insert_enterprise(&NewEnterprise {
                    uscc: uscc.as_str(),
                    uscc_status: ChecksumStatus::Valid,
                    customs_code: &format!("31{:08}", i),
                    name_zh: &e.name,
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
