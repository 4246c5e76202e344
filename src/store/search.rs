//! The one matcher: lookup, `:lookup`, the queue and approvals filters and the booking picker all
//! call [`Store::find`]. Candidates come from index walks (identifiers, exact names and aliases,
//! the initials keys at word starts, Chinese text); every candidate is then matched and ranked by
//! the domain's rules (`domain::search`).

use super::db::{Dialect, OptionalExtension, params};
use super::enterprises::{COORDINATOR_COLS, ENTERPRISE_COLS, coordinator_from, enterprise_from};
use super::{EnterpriseHit, Store, Writer};
use crate::domain::ids::uscc_check_char;
use crate::domain::search::{
    self, IdQuery, KeyKind, PINYIN_KEY_LEN, Query, TEXT_KEY_LEN, TextMatch, decode_ref, encode,
    id_readings, keys, subsequence_span,
};
use anyhow::{Result, bail};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// How far a match is from what the caller said: lower ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A whole identifier: USCC, customs or AEO code, declaration number, approval reference,
    /// booking number, coordinator's phone.
    Identifier,
    /// The start of an identifier.
    IdentifierPrefix,
    /// The whole name, an alias, or a coordinator's name.
    Name,
    /// From the start of the name or an alias, every character in its natural reading.
    Natural,
    /// From a word inside the name, natural readings (zhangjiang: 上海张江…).
    Inside,
    /// From the start, some character in another reading, or a word by the start of its pinyin
    /// (zhangjiang: 长江… read zhang-jiang).
    OtherReading,
    /// From a word inside, another reading.
    OtherInside,
    /// Chinese characters in order with others between (上汽 in 上海汽车).
    Scattered,
}

/// Why a row matched, shown beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    Uscc {
        uscc: String,
    },
    CustomsCode {
        code: String,
    },
    Declaration {
        number: String,
    },
    Approval {
        reference: String,
    },
    Booking {
        id: i64,
    },
    Coordinator {
        name: String,
        phone: String,
    },
    Name,
    Alias {
        alias: String,
    },
    /// The matched characters and how each was read; `alias` when it was an alias.
    Reading {
        text: String,
        readings: Vec<String>,
        other: bool,
        alias: Option<String>,
    },
    Contains {
        text: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub hit: EnterpriseHit,
    pub tier: Tier,
    pub why: Why,
}

/// A message about the query itself (a USCC whose check character is wrong).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    pub found: Vec<Found>,
    pub notes: Vec<Note>,
    /// More matched than `limit`.
    pub more: bool,
}

/// A query's matches, best first, without their rows (see [`Store::rank`]).
#[derive(Debug, Default)]
pub struct Ranking {
    q: Option<Query>,
    order: Vec<(i64, Candidate)>,
    /// What is wrong with the query itself.
    pub notes: Vec<Note>,
    /// More matched than the limit.
    pub more: bool,
}

impl Ranking {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Where enterprise `id` stands in the ranking.
    pub fn position(&self, id: i64) -> Option<usize> {
        self.order.iter().position(|(i, _)| *i == id)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FindOptions {
    pub limit: usize,
    /// Only AEO enterprises (booking on a day off): applied inside every search, not after it.
    pub aeo_only: bool,
}

impl FindOptions {
    pub fn new(limit: usize) -> FindOptions {
        FindOptions {
            limit,
            aeo_only: false,
        }
    }
}

const AEO_SQL: &str = "e.credit IN ('advanced', 'certified')";
/// What every candidate query selects first: the id and what ties are ranked by.
const RANK_COLS: &str = "e.id, e.name_zh, e.credit IN ('advanced', 'certified')";

/// One candidate while ranking. `why` is None when the key it came by proves the match (its
/// tier is known); the matcher then says why for the rows shown only.
#[derive(Debug)]
struct Candidate {
    tier: Tier,
    other: u8,
    why: Option<Why>,
    aeo: bool,
    name: String,
}

impl Candidate {
    /// Tier, fewer other readings, AEO first, then name.
    fn rank(&self) -> (Tier, u8, bool, &str) {
        (self.tier, self.other, !self.aeo, &self.name)
    }
}

/// The candidates so far, one per enterprise (its best match).
#[derive(Default)]
struct Candidates(HashMap<i64, Candidate>);

impl Candidates {
    fn add(&mut self, id: i64, c: Candidate) {
        match self.0.get(&id) {
            Some(old) if (old.tier, old.other) <= (c.tier, c.other) => {}
            _ => {
                self.0.insert(id, c);
            }
        }
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// How many match at `upto` or better.
    fn upto(&self, upto: Tier) -> usize {
        self.0.values().filter(|c| c.tier <= upto).count()
    }
}

/// A look-up by an identifier or a whole name: one statement selecting [`RANK_COLS`] and two
/// texts (NULL where it has none), with one parameter, ?1.
enum Look {
    Uscc(String),
    /// Those sharing a USCC's first 17 characters (its check character is wrong); used when
    /// nothing has the USCC itself.
    UsccSiblings(String),
    UsccPrefix(String),
    CustomsCode(String),
    CustomsPrefix(String),
    Declaration(String),
    /// An approval reference or its start (the reference found is the first text).
    Reference(String),
    Booking(i64),
    /// A coordinator's phone or its start (the coordinator's name and phone are the texts).
    Phone(String),
    Name(String),
    /// An alias, whatever its case (the alias is the first text).
    Alias(String),
    /// The English name, whatever its case (it is the first text).
    NameEn(String),
    /// A coordinator's name, pinyin or initials (name and phone are the texts).
    Coordinator(String),
}

/// A look-up's row: id, name, AEO flag and its two texts.
type LookRow = (i64, String, bool, Option<String>, Option<String>);

impl Look {
    fn arg(&self) -> super::db::Value<'_> {
        use super::db::Value;
        match self {
            Look::Booking(b) => Value::Int(*b),
            Look::UsccSiblings(u) => Value::Text(&u[..17]),
            Look::Uscc(t)
            | Look::UsccPrefix(t)
            | Look::CustomsCode(t)
            | Look::CustomsPrefix(t)
            | Look::Declaration(t)
            | Look::Reference(t)
            | Look::Phone(t)
            | Look::Name(t)
            | Look::Alias(t)
            | Look::NameEn(t)
            | Look::Coordinator(t) => Value::Text(t),
        }
    }

    /// The statement, limited to `cap` rows where many can match. Where SQLite reads an index
    /// in its order without being told, PostgreSQL is told the same order, so that both keep
    /// the same first `cap`.
    fn sql(&self, dialect: Dialect, aeo: &str, cap: usize) -> String {
        let pg = dialect == Dialect::Postgres;
        let pick =
            |sqlite: &'static str, postgres: &'static str| if pg { postgres } else { sqlite };
        let none = "NULL, NULL";
        // By the enterprise's own columns: `cond`, then `tail` (order and limit).
        let own = |cond: &str, tail: &str| {
            format!("SELECT {RANK_COLS}, {none} FROM enterprises e WHERE {cond}{aeo}{tail}")
        };
        let uscc_range = "e.uscc >= ?1 AND e.uscc < ?1 || '~'";
        match self {
            Look::Uscc(_) => own("e.uscc = ?1", ""),
            Look::UsccSiblings(_) => own(
                uscc_range,
                &format!("{} LIMIT {cap}", pick("", " ORDER BY e.uscc")),
            ),
            Look::UsccPrefix(_) => own(uscc_range, &format!(" ORDER BY e.uscc LIMIT {cap}")),
            Look::CustomsCode(_) => own("e.customs_code = ?1", ""),
            Look::CustomsPrefix(_) => own(
                "e.customs_code >= ?1 AND e.customs_code < ?1 || ':'",
                &format!(" ORDER BY e.customs_code LIMIT {cap}"),
            ),
            Look::Declaration(_) => format!(
                "SELECT DISTINCT {RANK_COLS}, {none} FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id WHERE w.declaration_no = ?1{aeo}"
            ),
            Look::Reference(_) => format!(
                "SELECT {RANK_COLS}, a.reference, NULL FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.reference >= ?1 AND a.reference < ?1 || {}{aeo}{} LIMIT {cap}",
                pick("char(1114111)", "chr(1114111)"),
                pick("", " ORDER BY a.reference, a.id")
            ),
            Look::Booking(_) => format!(
                "SELECT {RANK_COLS}, {none} FROM bookings b JOIN enterprises e ON e.id = b.enterprise_id WHERE b.id = ?1{aeo}"
            ),
            // The coordinators are read first (few), then their enterprises by index: on
            // SQLite by the index the filter uses, then by id.
            Look::Phone(_) | Look::Coordinator(_) => {
                let (filter, order) = match self {
                    Look::Phone(_) => (
                        "c.phone >= ?1 AND c.phone < ?1 || ':'",
                        "c.phone, c.id, e.id",
                    ),
                    _ => (
                        "(c.name = ?1 OR (length(?1) >= 2 AND (c.pinyin = ?1 OR c.initials = ?1)))",
                        "c.id, e.id",
                    ),
                };
                format!(
                    "SELECT {RANK_COLS}, c.name, c.phone FROM coordinators c {} enterprises e ON e.coordinator_id = c.id WHERE {filter}{aeo}{} LIMIT {cap}",
                    pick("CROSS JOIN", "JOIN"),
                    if pg {
                        format!(" ORDER BY {order}")
                    } else {
                        String::new()
                    }
                )
            }
            Look::Name(_) => own("e.name_zh = ?1", ""),
            // Whatever the case: SQLite's NOCASE, PostgreSQL's lower() (both indexed so).
            Look::Alias(_) => format!(
                "SELECT {RANK_COLS}, a.alias, NULL FROM enterprise_aliases a JOIN enterprises e ON e.id = a.enterprise_id WHERE {}{aeo}",
                pick("a.alias = ?1 COLLATE NOCASE", "lower(a.alias) = lower(?1)")
            ),
            Look::NameEn(_) => format!(
                "SELECT {RANK_COLS}, e.name_en, NULL FROM enterprises e WHERE {}{aeo}",
                pick(
                    "e.name_en = ?1 COLLATE NOCASE",
                    "lower(e.name_en) = lower(?1)"
                )
            ),
        }
    }
}

/// The id, name and AEO flag of a row selected with [`RANK_COLS`] first.
fn rank_cols(r: &super::db::Row<'_>) -> anyhow::Result<(i64, String, bool)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

/// A row shown by [`Store::find`]: the enterprise and its coordinator, the name's units and
/// the aliases' (to say why it matched, when the key that found it proved the match).
type ShownRow = (EnterpriseHit, Option<String>, String);

fn shown_row(r: &super::db::Row<'_>) -> anyhow::Result<ShownRow> {
    Ok((
        EnterpriseHit {
            enterprise: enterprise_from(r, 0)?,
            coordinator: coordinator_from(r, 10)?,
        },
        r.get(17)?,
        r.get(18)?,
    ))
}

/// What the search index holds, kept in `aeo_meta` (`search_index`): a database indexed by
/// another version is indexed again on its next read-write open. 2: a piece of a name that is
/// no word reads as the dictionary's words that start with it (闵行 as in 闵行区).
const SEARCH_INDEX: &str = "2";

/// Searches keep gathering candidates until this many per wanted row.
const CANDIDATES_PER_ROW: usize = 2;
const MIN_CANDIDATES: usize = 100;
/// Key rows a search may read per wanted candidate before it gives up on more.
const SCAN_PER_CANDIDATE: usize = 8;

/// What searches read at one data version, kept for the keystrokes that follow: the text keys
/// from a Chinese lead (上海 while 上海l, 上海lg, 上海lgg are typed), the enterprises read to
/// match them, and the rows shown. Emptied when the data version moves (another session's commit) and by the
/// store's own writes.
#[derive(Default)]
pub(crate) struct SearchMemo {
    version: i64,
    /// The runs of keys read, the newest last.
    runs: Vec<(KeyKind, String, Rc<KeyRun>)>,
    enterprises: HashMap<i64, Rc<MemoEnterprise>>,
    /// The rows shown, whole (see [`Store::found`]).
    shown: HashMap<i64, Rc<ShownRow>>,
}

/// Runs of keys kept, enterprises and rows shown kept, at most.
const MEMO_RUNS: usize = 8;
const MEMO_ENTERPRISES: usize = 20_000;
const MEMO_SHOWN: usize = 5_000;

/// Keys of one kind from a prefix, in key order: the first `rows.len()`, or `all` of them.
struct KeyRun {
    rows: Vec<(i64, String)>,
    all: bool,
}

/// What the matcher reads of an enterprise.
struct MemoEnterprise {
    name: String,
    aeo: bool,
    units: Option<String>,
    aliases: String,
}

impl Store {
    /// The memo of searches, emptied first if the data changed since it was filled.
    fn search_memo(&self) -> Result<std::cell::RefMut<'_, SearchMemo>> {
        let version = self.data_version()?;
        let mut memo = self.search_memo.borrow_mut();
        if memo.version != version {
            *memo = SearchMemo {
                version,
                ..Default::default()
            };
        }
        Ok(memo)
    }

    /// The first `scan` keys of `kind` from `prefix` (fewer when there are no more).
    fn key_run(&self, kind: KeyKind, prefix: &str, scan: usize) -> Result<Rc<KeyRun>> {
        if let Some((.., run)) =
            self.search_memo()?.runs.iter().find(|(k, p, run)| {
                *k == kind && p == prefix && (run.all || run.rows.len() >= scan)
            })
        {
            return Ok(run.clone());
        }
        let limit = pg_limit(scan);
        let sql = match self.conn().dialect() {
            Dialect::Sqlite => "SELECT k.enterprise_id, k.key FROM search_keys k
                 WHERE k.kind = ?1 AND k.key >= ?2 AND k.key < ?2 || char(1114111)"
                .to_string(),
            Dialect::Postgres => format!(
                "SELECT k.enterprise_id, k.key FROM search_keys k
                 WHERE k.kind = ?1 AND k.key >= ?2 AND k.key < ?2 || chr(1114111)
                 ORDER BY k.key, k.enterprise_id LIMIT {limit}"
            ),
        };
        let mut keys = Vec::new();
        {
            let mut stmt = self.conn().prepare_cached(&sql)?;
            // No LIMIT on SQLite (see `pg_limit`): reading stops at `limit`.
            let mut rows = stmt.query(params![kind as i64, prefix])?;
            while keys.len() < limit
                && let Some(r) = rows.next()?
            {
                keys.push((r.get(0)?, r.str(1)?.to_string()));
            }
        }
        let run = Rc::new(KeyRun {
            all: keys.len() < limit,
            rows: keys,
        });
        let mut memo = self.search_memo()?;
        memo.runs.retain(|(k, p, _)| !(*k == kind && p == prefix));
        if memo.runs.len() >= MEMO_RUNS {
            memo.runs.remove(0);
        }
        memo.runs.push((kind, prefix.to_string(), run.clone()));
        Ok(run)
    }

    /// The rows `ids` from one of the memo's maps (`map`); those not kept are read by `read`
    /// (in one statement) and kept, the map emptied first when it would pass `cap`.
    fn memo_rows<T>(
        &self,
        ids: &[i64],
        map: fn(&mut SearchMemo) -> &mut HashMap<i64, Rc<T>>,
        cap: usize,
        read: impl FnOnce(&[i64]) -> Result<Vec<(i64, T)>>,
    ) -> Result<HashMap<i64, Rc<T>>> {
        let mut rows = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let mut memo = self.search_memo()?;
            let kept = map(&mut memo);
            for id in ids {
                match kept.get(id) {
                    Some(row) => {
                        rows.insert(*id, row.clone());
                    }
                    None => missing.push(*id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(rows);
        }
        let read = read(&missing)?;
        let mut memo = self.search_memo()?;
        let kept = map(&mut memo);
        if kept.len() + read.len() > cap {
            kept.clear();
        }
        for (id, row) in read {
            let row = Rc::new(row);
            kept.insert(id, row.clone());
            rows.insert(id, row);
        }
        Ok(rows)
    }

    /// The enterprises `ids` that `aeo` allows, as the matcher reads them, in the order of
    /// `ids`: those not kept from an earlier keystroke are read in one statement.
    fn memo_enterprises(&self, ids: &[i64], aeo: &str) -> Result<Vec<(i64, Rc<MemoEnterprise>)>> {
        let sql = format!(
            "SELECT {RANK_COLS}, e.search_units, e.alias_units FROM enterprises e WHERE {}",
            self.conn().in_list("e.id", "?1", true)
        );
        let mut rows = self.memo_rows(
            ids,
            |m| &mut m.enterprises,
            MEMO_ENTERPRISES,
            |missing| {
                let mut stmt = self.conn().prepare_cached(&sql)?;
                let mut rows = stmt.query([serde_json::to_string(missing)?])?;
                let mut read = Vec::with_capacity(missing.len());
                while let Some(r) = rows.next()? {
                    let e = MemoEnterprise {
                        name: r.get(1)?,
                        aeo: r.get(2)?,
                        units: r.opt_str(3)?.map(str::to_string),
                        aliases: r.str(4)?.to_string(),
                    };
                    read.push((r.get::<i64>(0)?, e));
                }
                Ok(read)
            },
        )?;
        // Kept whatever `aeo` says: the AEO condition is tested here.
        Ok(ids
            .iter()
            .filter_map(|id| rows.remove(id).map(|e| (*id, e)))
            .filter(|(_, e)| aeo.is_empty() || e.aeo)
            .collect())
    }
}

impl Writer<'_> {
    /// Recomputes the units and keys of one enterprise (its name, English name and aliases).
    pub(crate) fn index_enterprise(&self, id: i64) -> Result<()> {
        let (name, name_en): (String, Option<String>) = self.conn().query_row(
            "SELECT name_zh, name_en FROM enterprises WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut aliases: Vec<String> = name_en
            .into_iter()
            .filter(|n| !n.trim().is_empty())
            .collect();
        {
            let mut stmt = self.conn().prepare_cached(
                "SELECT alias FROM enterprise_aliases WHERE enterprise_id = ?1 ORDER BY id",
            )?;
            for a in stmt.query_map([id], |r| r.get::<String>(0))? {
                aliases.push(a?);
            }
        }
        let name_units = search::units(&name);
        let mut alias_units = String::new();
        let mut all_keys = keys(&name_units);
        for a in &aliases {
            let us = search::units(a);
            all_keys.extend(keys(&us));
            if !alias_units.is_empty() {
                alias_units.push('\n');
            }
            alias_units.push_str(&a.replace(['\t', '\n'], " "));
            alias_units.push('\t');
            alias_units.push_str(&encode(&us));
        }
        self.conn()
            .prepare_cached(
                "UPDATE enterprises SET search_units = ?2, alias_units = ?3 WHERE id = ?1",
            )?
            .execute(params![id, encode(&name_units), alias_units])?;
        self.conn()
            .prepare_cached("DELETE FROM search_keys WHERE enterprise_id = ?1")?
            .execute([id])?;
        if self.conn().is_pg() {
            // One statement for all the keys: one round trip, not one per key.
            let rows: Vec<(i64, &str)> = all_keys
                .iter()
                .map(|(k, kind)| (*kind as i64, k.as_str()))
                .collect();
            self.conn()
                .prepare_cached(
                    "INSERT INTO search_keys (kind, key, enterprise_id)
                     SELECT (r->>0)::smallint, r->>1, ?1 FROM jsonb_array_elements(?2::jsonb) r
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![id, serde_json::to_string(&rows)?])?;
            return Ok(());
        }
        let mut ins = self.conn().prepare_cached(
            "INSERT OR IGNORE INTO search_keys (kind, key, enterprise_id) VALUES (?1, ?2, ?3)",
        )?;
        for (k, kind) in all_keys {
            ins.execute(params![kind as i64, k, id])?;
        }
        Ok(())
    }

    /// Adds an alias (English name, abbreviation, former name) to an enterprise.
    pub fn add_alias(&self, enterprise_id: i64, alias: &str) -> Result<()> {
        let alias = alias.trim();
        if alias.is_empty() {
            bail!("an alias cannot be empty");
        }
        if alias.contains(';') || alias.chars().any(char::is_control) {
            bail!(
                "an alias cannot hold ';' or control characters (export separates aliases by ';')"
            );
        }
        let n = self.conn().execute(
            self.conn().pick(
                "INSERT OR IGNORE INTO enterprise_aliases (enterprise_id, alias) VALUES (?1, ?2)",
                "INSERT INTO enterprise_aliases (enterprise_id, alias) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            ),
            params![enterprise_id, alias],
        )?;
        if n == 0 {
            bail!("the enterprise already has the alias '{alias}'");
        }
        let id = self.conn().last_insert_rowid()?;
        self.record_created("enterprise_aliases", id, Some(enterprise_id))?;
        self.index_enterprise(enterprise_id)
    }

    /// Removes an alias; says so when the enterprise has no such alias.
    pub fn remove_alias(&self, enterprise_id: i64, alias: &str) -> Result<()> {
        let id: Option<i64> = self
            .conn()
            .query_row(
                "SELECT id FROM enterprise_aliases WHERE enterprise_id = ?1 AND alias = ?2",
                params![enterprise_id, alias.trim()],
                |r| r.get(0),
            )
            // No row is no alias; a failure is said as it is (on PostgreSQL it has ended the
            // transaction).
            .optional()?;
        let Some(id) = id else {
            bail!("the enterprise has no alias '{}'", alias.trim());
        };
        self.record_deleted("enterprise_aliases", id, Some(enterprise_id))?;
        self.conn()
            .execute("DELETE FROM enterprise_aliases WHERE id = ?1", [id])?;
        self.index_enterprise(enterprise_id)
    }
}

impl Store {
    /// Computes the search units and keys of enterprises that have none yet (databases made
    /// before schema 5, or indexed by an older [`SEARCH_INDEX`]). Runs when the database is
    /// opened for writing.
    pub(crate) fn index_unindexed_enterprises(&mut self) -> Result<()> {
        // What the index holds changed (not the schema): every enterprise is indexed again, as
        // the migrations that changed it did, by clearing its units.
        let have: Option<String> = self
            .conn()
            .query_row(
                "SELECT value FROM aeo_meta WHERE key = 'search_index'",
                (),
                |r| r.get(0),
            )
            .optional()?;
        if have.as_deref() != Some(SEARCH_INDEX) {
            self.write(|w| {
                w.conn()
                    .execute("UPDATE enterprises SET search_units = NULL", ())?;
                w.conn().execute(
                    "INSERT INTO aeo_meta (key, value) VALUES ('search_index', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [SEARCH_INDEX],
                )?;
                Ok(())
            })?;
        }
        let todo: Vec<i64> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT id FROM enterprises WHERE search_units IS NULL")?;
            stmt.query_map((), |r| r.get(0))?
                .collect::<anyhow::Result<_>>()?
        };
        if todo.is_empty() {
            return Ok(());
        }
        tracing::info!(enterprises = todo.len(), "indexing enterprises for lookup");
        // In short transactions, so that other operators' writes are not held up while a large
        // database is indexed (100,000 enterprises take about a minute and a half).
        for chunk in todo.chunks(500) {
            self.write(|w| {
                for id in chunk {
                    w.index_enterprise(*id)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// The aliases of an enterprise, oldest first.
    pub fn aliases_of(&self, enterprise_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT alias FROM enterprise_aliases WHERE enterprise_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([enterprise_id], |r| r.get(0))?;
        rows.collect::<anyhow::Result<_>>()
    }

    /// Ids of the enterprises a filter names, best first: what lookup finds, less the matches
    /// inside names when some names (or identifiers) match from their start. The queue and
    /// approvals filters narrow their lists with these.
    pub fn matching_enterprise_ids(&self, query: &str, limit: usize) -> Result<Vec<i64>> {
        // The ranked candidates only: no rows are read whole and no "why" is worked out.
        let Some((_, order, _)) = self.ranked_candidates(query, &FindOptions::new(limit))? else {
            return Ok(Vec::new());
        };
        let from_start = order.first().is_some_and(|(_, c)| c.tier <= Tier::Natural);
        Ok(order
            .into_iter()
            .filter(|(_, c)| !from_start || c.tier <= Tier::Natural || c.tier == Tier::OtherReading)
            .map(|(id, _)| id)
            .collect())
    }

    /// The query's candidates, best first, at most `limit` of them, and the notes; None for an
    /// empty query. Sets `more` when more matched.
    #[allow(clippy::type_complexity)]
    fn ranked_candidates(
        &self,
        raw: &str,
        opts: &FindOptions,
    ) -> Result<Option<(Query, Vec<(i64, Candidate)>, Findings)>> {
        super::check_search_length(raw)?;
        let q = Query::new(raw);
        let mut out = Findings::default();
        if q.is_empty() && raw.trim().is_empty() {
            return Ok(None);
        }
        let mut cands = Candidates::default();
        let want = opts.limit.max(1);
        let cap = (want * CANDIDATES_PER_ROW).max(MIN_CANDIDATES);
        let aeo = if opts.aeo_only {
            format!(" AND {AEO_SQL}")
        } else {
            String::new()
        };
        self.find_looks(raw, &q, &aeo, cap, &mut cands, &mut out.notes)?;
        if !q.is_empty() {
            self.find_names(&q, &aeo, want, cap, &mut cands)?;
        }
        let mut order: Vec<(i64, Candidate)> = cands.0.into_iter().collect();
        order.sort_by(|(a_id, a), (b_id, b)| (a.rank(), a_id).cmp(&(b.rank(), b_id)));
        out.more = order.len() > want;
        order.truncate(want);
        Ok(Some((q, order, out)))
    }

    /// Finds enterprises by anything a caller may say, best first (see [`Tier`]); ties go to AEO
    /// enterprises, then by name. Every row found is read whole.
    pub fn find(&self, raw: &str, opts: &FindOptions) -> Result<Findings> {
        let ranking = self.rank(raw, opts)?;
        Ok(Findings {
            found: self.found(&ranking, 0, ranking.len())?,
            notes: ranking.notes,
            more: ranking.more,
        })
    }

    /// What [`Store::find`] finds, ranked but not yet read: a list shows its rows a window at a
    /// time with [`Store::found`].
    pub fn rank(&self, raw: &str, opts: &FindOptions) -> Result<Ranking> {
        Ok(match self.ranked_candidates(raw, opts)? {
            Some((q, order, out)) => Ranking {
                q: Some(q),
                order,
                notes: out.notes,
                more: out.more,
            },
            None => Ranking::default(),
        })
    }

    /// The rows `offset..offset + limit` of a ranking, read whole, in its order.
    pub fn found(&self, ranking: &Ranking, offset: usize, limit: usize) -> Result<Vec<Found>> {
        let end = offset.saturating_add(limit).min(ranking.order.len());
        let (Some(q), Some(order)) = (&ranking.q, ranking.order.get(offset..end)) else {
            return Ok(Vec::new());
        };
        if order.is_empty() {
            return Ok(Vec::new());
        }
        // The rows shown for an earlier keystroke are kept (typing on shows many of them
        // again); the others are read in one statement (on SQLite a statement per row cost a
        // run of the statement each).
        let ids: Vec<i64> = order.iter().map(|(id, _)| *id).collect();
        let fetched = self.memo_rows(
            &ids,
            |m| &mut m.shown,
            MEMO_SHOWN,
            |missing| {
                let mut stmt = self.conn().prepare_cached(&format!(
                    "SELECT {ENTERPRISE_COLS}, {COORDINATOR_COLS}, e.search_units, e.alias_units
                 FROM enterprises e LEFT JOIN coordinators c ON c.id = e.coordinator_id
                 WHERE {}",
                    self.conn().in_list("e.id", "?1", true)
                ))?;
                stmt.query_map([serde_json::to_string(missing)?], |r| {
                    let row = shown_row(r)?;
                    Ok((row.0.enterprise.id, row))
                })?
                .collect::<anyhow::Result<Vec<_>>>()
            },
        )?;
        let mut out = Vec::with_capacity(order.len());
        for (id, c) in order {
            // Gone since it was found (PostgreSQL reads outside one transaction).
            let Some(row) = fetched.get(id) else {
                continue;
            };
            let (hit, units, aliases) = row.as_ref();
            let why = match &c.why {
                Some(why) => why.clone(),
                None => best_match(q, units.as_deref().unwrap_or_default(), aliases)
                    .map(|(_, _, why)| why)
                    .unwrap_or(Why::Contains {
                        text: q.chars.iter().collect(),
                    }),
            };
            out.push(Found {
                hit: hit.clone(),
                tier: c.tier,
                why,
            });
        }
        Ok(out)
    }

    /// Rows of a query that selects [`RANK_COLS`] first, with `more` reading what follows.
    fn ranked<T>(
        &self,
        sql: &str,
        args: impl super::db::Params,
        mut more: impl FnMut(&super::db::Row<'_>) -> anyhow::Result<T>,
    ) -> Result<Vec<(i64, String, bool, T)>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| {
            let (id, name, aeo) = rank_cols(r)?;
            Ok((id, name, aeo, more(r)?))
        })?;
        rows.collect::<anyhow::Result<_>>()
    }

    /// [`RANK_COLS`] of the enterprises `ids` (those `aeo` allows), in one statement.
    fn rank_rows(&self, ids: &[i64], aeo: &str) -> Result<Vec<(i64, String, bool, ())>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self.conn().dialect() {
            Dialect::Sqlite => format!(
                "SELECT {RANK_COLS} FROM json_each(?1) p CROSS JOIN enterprises e ON e.id = p.value WHERE 1{aeo}"
            ),
            Dialect::Postgres => format!(
                "SELECT {RANK_COLS} FROM enterprises e WHERE e.id IN (SELECT jsonb_array_elements_text(?1::jsonb)::bigint){aeo}"
            ),
        };
        self.ranked(&sql, [serde_json::to_string(ids)?], |_| Ok(()))
    }

    /// The look-ups by identifier and by whole name (see [`Look`]), in one statement on
    /// PostgreSQL (each a round trip of the server's), one each on SQLite.
    fn find_looks(
        &self,
        raw: &str,
        q: &Query,
        aeo: &str,
        cap: usize,
        cands: &mut Candidates,
        notes: &mut Vec<Note>,
    ) -> Result<()> {
        let mut looks: Vec<Look> = Vec::new();
        for idq in id_readings(raw) {
            let look = match idq {
                IdQuery::Uscc(u) => {
                    // A wrong check character: those sharing the first 17 too.
                    if uscc_check_char(&u[..17]).is_some_and(|x| !u.ends_with(x)) {
                        looks.push(Look::Uscc(u.clone()));
                        Look::UsccSiblings(u)
                    } else {
                        Look::Uscc(u)
                    }
                }
                IdQuery::UsccPrefix(p) => Look::UsccPrefix(p),
                IdQuery::CustomsCode(c) => Look::CustomsCode(c),
                IdQuery::CustomsPrefix(p) => Look::CustomsPrefix(p),
                IdQuery::Declaration(d) => Look::Declaration(d),
                IdQuery::Reference(r) => Look::Reference(r),
                IdQuery::Booking(b) => Look::Booking(b),
                IdQuery::Phone(p) => Look::Phone(p),
            };
            looks.push(look);
        }
        if !q.is_empty() {
            // Whole names, aliases, English names, coordinators' names.
            let text = raw.trim().to_string();
            let folded: String = q.chars.iter().collect();
            looks.push(Look::Name(text.clone()));
            looks.push(Look::Alias(text.clone()));
            looks.push(Look::NameEn(text.clone()));
            looks.push(Look::Coordinator(if q.has_han() { text } else { folded }));
        }
        let found = self.run_looks(&looks, aeo, cap)?;
        // The whole identifier, or its start.
        let whole = |yes: bool| {
            if yes {
                Tier::Identifier
            } else {
                Tier::IdentifierPrefix
            }
        };
        let mut uscc_found = false;
        for (look, rows) in looks.into_iter().zip(found) {
            for (id, name, is_aeo, x, y) in rows {
                let (tier, why) = match &look {
                    Look::Uscc(u) => {
                        uscc_found = true;
                        (Tier::Identifier, Why::Uscc { uscc: u.clone() })
                    }
                    // Those sharing the first 17 only when nothing has the USCC itself.
                    Look::UsccSiblings(_) if uscc_found => break,
                    Look::UsccSiblings(u) => (
                        Tier::IdentifierPrefix,
                        Why::Uscc {
                            uscc: u[..17].to_string(),
                        },
                    ),
                    Look::UsccPrefix(p) => (Tier::IdentifierPrefix, Why::Uscc { uscc: p.clone() }),
                    Look::CustomsCode(c) => {
                        (Tier::Identifier, Why::CustomsCode { code: c.clone() })
                    }
                    Look::CustomsPrefix(p) => {
                        (Tier::IdentifierPrefix, Why::CustomsCode { code: p.clone() })
                    }
                    Look::Declaration(d) => {
                        (Tier::Identifier, Why::Declaration { number: d.clone() })
                    }
                    Look::Reference(r) => {
                        let reference = x.unwrap_or_default();
                        (whole(reference == *r), Why::Approval { reference })
                    }
                    Look::Booking(b) => {
                        let tier = whole(raw.trim_start().starts_with('#'));
                        (tier, Why::Booking { id: *b })
                    }
                    Look::Phone(p) => {
                        let phone = y.unwrap_or_default();
                        let tier = whole(phone == *p);
                        let name = x.unwrap_or_default();
                        (tier, Why::Coordinator { name, phone })
                    }
                    Look::Name(_) => (Tier::Name, Why::Name),
                    Look::Alias(_) | Look::NameEn(_) => (
                        Tier::Name,
                        Why::Alias {
                            alias: x.unwrap_or_default(),
                        },
                    ),
                    Look::Coordinator(_) => (
                        Tier::Name,
                        Why::Coordinator {
                            name: x.unwrap_or_default(),
                            phone: y.unwrap_or_default(),
                        },
                    ),
                };
                cands.add(
                    id,
                    Candidate {
                        tier,
                        other: 0,
                        why: Some(why),
                        aeo: is_aeo,
                        name,
                    },
                );
            }
            if let Look::UsccSiblings(u) = &look
                && !uscc_found
                && let Some(x) = uscc_check_char(&u[..17])
            {
                let given = u.chars().last().unwrap_or(' ');
                notes.push(Note {
                    zh: format!(
                        "统一社会信用代码 {u} 的校验位应为 {x}，不是 {given}；下列为前 17 位相同的企业"
                    ),
                    en: format!(
                        "USCC {u}: the check character should be {x}, not {given}; enterprises sharing the first 17 characters follow"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The rows of each look-up, in its order. On PostgreSQL the look-ups are one statement
    /// (a UNION ALL, each numbered, its parameter renumbered): a keystroke's identifier and
    /// whole-name checks were up to nine statements, nearly all finding nothing.
    fn run_looks(&self, looks: &[Look], aeo: &str, cap: usize) -> Result<Vec<Vec<LookRow>>> {
        let mut out: Vec<Vec<LookRow>> = looks.iter().map(|_| Vec::new()).collect();
        let row = |r: &super::db::Row<'_>, at: usize| -> anyhow::Result<LookRow> {
            Ok((
                r.get(at)?,
                r.get(at + 1)?,
                r.get(at + 2)?,
                r.get(at + 3)?,
                r.get(at + 4)?,
            ))
        };
        let db = self.conn();
        if !db.is_pg() {
            for (look, rows) in looks.iter().zip(out.iter_mut()) {
                let mut stmt = db.prepare_cached(&look.sql(db.dialect(), aeo, cap))?;
                for r in stmt.query_map([look.arg()], |r| row(r, 0))? {
                    rows.push(r?);
                }
            }
            return Ok(out);
        }
        if looks.is_empty() {
            return Ok(out);
        }
        let sql = looks
            .iter()
            .enumerate()
            .map(|(i, look)| {
                // The value behind a sub-select: the server then plans every look-up for any
                // value, and after five runs keeps one plan. Given the values, it planned the
                // statement afresh on every keystroke (0.4-0.5 ms for a digit string's seven
                // look-ups, ten times their execution), its plan for them being the same.
                let ty = match look {
                    Look::Booking(_) => "bigint",
                    _ => "text",
                };
                let one = look
                    .sql(db.dialect(), aeo, cap)
                    .replace("?1", &format!("(SELECT ?{}::{ty})", i + 1));
                format!("(SELECT {i}::int AS look, l.* FROM ({one}) l)")
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let args: Vec<super::db::Value<'_>> = looks.iter().map(Look::arg).collect();
        let mut stmt = db.prepare_cached(&sql)?;
        for r in stmt.query_map(args, |r| Ok((r.get::<i64>(0)?, row(r, 1)?)))? {
            let (i, found) = r?;
            if let Some(rows) = usize::try_from(i).ok().and_then(|i| out.get_mut(i)) {
                rows.push(found);
            }
        }
        Ok(out)
    }

    fn find_names(
        &self,
        q: &Query,
        aeo: &str,
        want: usize,
        cap: usize,
        cands: &mut Candidates,
    ) -> Result<()> {
        let mut walk = Walk {
            store: self,
            q,
            aeo,
            cap,
            budget: cap * SCAN_PER_CANDIDATE,
            seen: HashSet::new(),
        };
        // Chinese only: the text keys find every match (from the start first).
        let han_only = q.chars.iter().all(|c| !c.is_ascii());
        if han_only {
            let lead = [q.chars.iter().take(TEXT_KEY_LEN).collect::<String>()];
            let whole = q.chars.len() <= TEXT_KEY_LEN;
            walk.keys(
                KeyKind::TextStart,
                &lead,
                whole.then_some(Tier::Natural),
                cands,
            )?;
            if cands.upto(Tier::Natural) < want {
                walk.keys(
                    KeyKind::TextInside,
                    &lead,
                    whole.then_some(Tier::Inside),
                    cands,
                )?;
            }
            if cands.len() < want {
                walk.scattered(cands)?;
            }
            return Ok(());
        }
        // Chinese first, then letters (上海cn): a Chinese character matches only itself, so
        // every match starts at the Chinese part, and the text keys from it find them all (from
        // the start of the name first), each tested on the key before its name is read. When
        // the Chinese part starts too many names to read their keys within the budget, the
        // initials keys below look for them.
        let lead: String = q
            .chars
            .iter()
            .take_while(|c| !c.is_ascii())
            .take(TEXT_KEY_LEN)
            .collect();
        let mut inside_pending = false;
        if !lead.is_empty() {
            if !walk.text_keys(KeyKind::TextStart, &lead, cands)? {
                inside_pending = true;
            } else if cands.upto(Tier::Natural) >= want
                || walk.text_keys(KeyKind::TextInside, &lead, cands)?
            {
                return Ok(());
            }
        }
        // Candidates from the initials keys, then verified and ranked by the matcher: natural
        // keys at the start first, then words inside, then other readings; the likeliest
        // patterns first. Walks stop when the window's worth of matches is found or the scan
        // budget is spent.
        let patterns = q.patterns();
        for kind in [
            KeyKind::StartPinyin,
            KeyKind::StartNatural,
            KeyKind::InsidePinyin,
            KeyKind::InsideNatural,
            KeyKind::StartOther,
            KeyKind::InsideOther,
        ] {
            let enough = match kind {
                KeyKind::InsidePinyin | KeyKind::InsideNatural => cands.upto(Tier::Natural),
                KeyKind::StartOther => cands.upto(Tier::Inside),
                KeyKind::InsideOther => cands.upto(Tier::OtherReading),
                _ => 0,
            };
            if enough >= want {
                break;
            }
            if matches!(kind, KeyKind::StartPinyin | KeyKind::InsidePinyin) {
                if let Some(p) = &patterns.pinyin {
                    // The natural full pinyin from the start proves a natural match.
                    let known = (kind == KeyKind::StartPinyin && q.chars.len() <= PINYIN_KEY_LEN)
                        .then_some(Tier::Natural);
                    walk.keys(kind, std::slice::from_ref(p), known, cands)?;
                }
                continue;
            }
            walk.keys(kind, &patterns.exact, None, cands)?;
        }
        // The first word by the start of its pinyin (shangcn: s*cn), by the keys that cut the
        // first word to its first initial.
        if cands.upto(Tier::OtherReading) < want {
            let cut: Vec<String> = patterns
                .skipping
                .iter()
                .map(|p| p.replace('*', ""))
                .collect();
            walk.keys(KeyKind::StartAbbreviated, &cut, None, cands)?;
        }
        // Chinese from a character that does not start a word (上海 in 新上海…).
        if inside_pending && cands.len() < want {
            walk.text_keys(KeyKind::TextInside, &lead, cands)?;
        }
        Ok(())
    }
}

/// Walks over the search keys: each key row names an enterprise, whose stored units are matched
/// against the query. `budget` bounds the key rows read by one search.
struct Walk<'a> {
    store: &'a Store,
    q: &'a Query,
    aeo: &'a str,
    cap: usize,
    budget: usize,
    seen: HashSet<i64>,
}

/// Key rows read while looking for Chinese characters in order with others between.
const SCATTERED_SCAN: usize = 2_000;

impl Walk<'_> {
    /// Matches the enterprises whose `kind` keys start with one of `prefixes` (in their order,
    /// one statement). With `known`, the key itself proves a match of that tier (the query is
    /// the start of the key's text or natural full pinyin), and the matcher runs only for the
    /// rows shown.
    fn keys(
        &mut self,
        kind: KeyKind,
        prefixes: &[String],
        known: Option<Tier>,
        cands: &mut Candidates,
    ) -> Result<()> {
        let want = self.cap.saturating_sub(cands.len()).min(self.budget);
        if want == 0 || prefixes.is_empty() {
            return Ok(());
        }
        // The units only where the matcher is to read them.
        let units = if known.is_some() {
            "NULL AS units, NULL AS aliases"
        } else {
            "e.search_units AS units, e.alias_units AS aliases"
        };
        let sql = match self.store.conn().dialect() {
            Dialect::Sqlite => format!(
                "SELECT {RANK_COLS}, {units} FROM json_each(?2) p
             CROSS JOIN search_keys k
                ON k.kind = ?1 AND k.key >= p.value AND k.key < p.value || char(1114111)
             JOIN enterprises e ON e.id = k.enterprise_id WHERE 1{}",
                self.aeo
            ),
            // The prefixes in their order, each a range of the key index (bytewise: the key is
            // COLLATE "C") read in key order and cut at the limit, as SQLite's nested loop reads
            // them: the first rows are the same on both backends.
            Dialect::Postgres => format!(
                "SELECT x.id, x.name_zh, x.aeo, x.units, x.aliases
             FROM jsonb_array_elements_text(?2::jsonb) WITH ORDINALITY p(value, n)
             CROSS JOIN LATERAL (
                SELECT {RANK_COLS} AS aeo, {units}, k.key
                FROM search_keys k JOIN enterprises e ON e.id = k.enterprise_id
                WHERE k.kind = ?1 AND k.key >= p.value AND k.key < p.value || chr(1114111){}
                ORDER BY k.key, k.enterprise_id LIMIT {limit}
             ) x
             ORDER BY p.n, x.key, x.id LIMIT {limit}",
                self.aeo,
                limit = pg_limit(want)
            ),
        };
        let mut stmt = self.store.conn().prepare_cached(&sql)?;
        let prefix = serde_json::to_string(prefixes)?;
        // No LIMIT on SQLite (see `pg_limit`): reading stops at `want`.
        let mut rows = stmt.query(params![kind as i64, prefix])?;
        let mut read = 0usize;
        while read < want
            && let Some(r) = rows.next()?
        {
            read += 1;
            let id: i64 = r.get(0)?;
            if !self.seen.insert(id) {
                continue;
            }
            let found = match known {
                Some(tier) => Some((tier, 0, None)),
                None => {
                    let Some(units) = r.opt_str(3)? else {
                        continue;
                    };
                    best_match(self.q, units, r.str(4)?)
                        .map(|(tier, other, why)| (tier, other, Some(why)))
                }
            };
            if let Some((tier, other, why)) = found {
                cands.add(
                    id,
                    Candidate {
                        tier,
                        other,
                        why,
                        aeo: r.get(2)?,
                        name: r.get(1)?,
                    },
                );
            }
        }
        self.budget = self.budget.saturating_sub(read);
        Ok(())
    }

    /// The text keys (kinds 6, 7) from `prefix` for a query that goes on in letters (上海cn):
    /// the keys alone are read first, and only the enterprises whose key's characters can
    /// spell the query (in any of their readings) are read and matched. True when every key
    /// from `prefix` was read, or enough candidates were found. The keys and the enterprises
    /// read are kept for the next keystroke (see [`SearchMemo`]): typing on after 上海 reads
    /// none of them again.
    fn text_keys(&mut self, kind: KeyKind, prefix: &str, cands: &mut Candidates) -> Result<bool> {
        let want = self.cap.saturating_sub(cands.len()).min(self.budget);
        if want == 0 {
            return Ok(true);
        }
        let scan = want * SCAN_PER_CANDIDATE;
        let run = self.store.key_run(kind, prefix, scan)?;
        let mut ids: Vec<i64> = Vec::new();
        let mut read = 0usize;
        {
            let mut seen_units = HashMap::new();
            // The key's character after `prefix`: most keys fail on it, and are dropped
            // without checking the whole key.
            let lead = prefix.chars().count();
            for (id, key) in run.rows.iter().take(scan) {
                read += 1;
                if self.seen.contains(id) {
                    continue;
                }
                if lead < TEXT_KEY_LEN
                    && self.q.chars.len() <= TEXT_KEY_LEN
                    && let Some(next) = key.get(prefix.len()..).and_then(|k| k.chars().next())
                    && !search::text_key_next_may_match(self.q, next, &mut seen_units)
                {
                    continue;
                }
                if !search::text_key_may_match(self.q, key, &mut seen_units) {
                    continue;
                }
                self.seen.insert(*id);
                ids.push(*id);
                if ids.len() >= want {
                    break;
                }
            }
        }
        self.budget = self.budget.saturating_sub(ids.len());
        let complete = ids.len() >= want || (run.all && read == run.rows.len());
        for (id, e) in self.store.memo_enterprises(&ids, self.aeo)? {
            let Some(units) = &e.units else {
                continue;
            };
            if let Some((tier, other, why)) = best_match(self.q, units, &e.aliases) {
                cands.add(
                    id,
                    Candidate {
                        tier,
                        other,
                        why: Some(why),
                        aeo: e.aeo,
                        name: e.name.clone(),
                    },
                );
            }
        }
        Ok(complete)
    }

    /// Chinese characters in order with others between (上汽 in 上海汽车), over the names that
    /// hold the first of them. The text keys alone are read (each is the name from one of its
    /// characters): only the enterprises whose key holds the characters in order are read.
    fn scattered(&mut self, cands: &mut Candidates) -> Result<()> {
        let Some(first) = self.q.chars.first() else {
            return Ok(());
        };
        let sql = match self.store.conn().dialect() {
            Dialect::Sqlite => format!(
                "SELECT k.enterprise_id, k.key FROM search_keys k
             WHERE k.kind IN (6, 7) AND k.key >= ?1 AND k.key < ?1 || char(1114111) LIMIT {SCATTERED_SCAN}"
            ),
            // Each kind a range of the key index in key order, kind 6 first, as SQLite reads
            // them; of those places, only the keys that hold the characters in order (LIKE
            // '%上%汽%') come back: the server reads the same 2,000 index entries, and does
            // not send the ~2,000 rows that a query of few matches mostly has to drop.
            Dialect::Postgres => format!(
                "SELECT s.enterprise_id, s.key FROM (
                SELECT kk.kind, x.enterprise_id, x.key FROM (VALUES (6), (7)) kk(kind)
                CROSS JOIN LATERAL (
                   SELECT k.enterprise_id, k.key FROM search_keys k
                   WHERE k.kind = kk.kind AND k.key >= ?1 AND k.key < ?1 || chr(1114111)
                   ORDER BY k.key, k.enterprise_id LIMIT {SCATTERED_SCAN}
                ) x
                ORDER BY kk.kind, x.key, x.enterprise_id LIMIT {SCATTERED_SCAN}
             ) s WHERE s.key LIKE ?2
             ORDER BY s.kind, s.key, s.enterprise_id"
            ),
        };
        let mut args = vec![first.to_string()];
        if self.store.conn().is_pg() {
            let mut pattern = String::from("%");
            for c in &self.q.chars {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                pattern.push(*c);
                pattern.push('%');
            }
            args.push(pattern);
        }
        // The tightest span of the characters per enterprise (over its keys).
        let mut spans: HashMap<i64, (usize, String)> = HashMap::new();
        let mut order: Vec<i64> = Vec::new();
        {
            let mut stmt = self.store.conn().prepare_cached(&sql)?;
            let mut rows = stmt.query(args)?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                if cands.0.contains_key(&id) {
                    continue;
                }
                let key = r.str(1)?;
                let Some((start, span)) = subsequence_span(key, &self.q.chars) else {
                    continue;
                };
                let text: String = key.chars().skip(start).take(span).collect();
                match spans.get_mut(&id) {
                    Some(old) if old.0 <= span => {}
                    Some(old) => *old = (span, text),
                    None => {
                        spans.insert(id, (span, text));
                        order.push(id);
                    }
                }
            }
        }
        order.truncate(self.cap);
        for (id, name, aeo, ()) in self.store.rank_rows(&order, self.aeo)? {
            let Some((span, text)) = spans.remove(&id) else {
                continue;
            };
            cands.add(
                id,
                Candidate {
                    tier: Tier::Scattered,
                    other: span.min(255) as u8,
                    why: Some(Why::Contains { text }),
                    aeo,
                    name,
                },
            );
        }
        Ok(())
    }
}

/// The LIMIT written into a PostgreSQL search statement that is to read `n` rows: `n` kept to
/// its five leading bits, rounded up (at most 1/16 more rows, and a few statements' texts per
/// doubling of `n`). Written into the text, not bound: the server then keeps one plan for any
/// prefix, where a bound LIMIT had it plan each run again for its values (0.1-0.25 ms of a
/// statement that reads nothing or 400 rows). SQLite takes no LIMIT at all: it prepares a
/// statement again each time a LIMIT parameter is bound, and the rows come one by one, so
/// reading simply stops.
fn pg_limit(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    let shift = bits.saturating_sub(5);
    n.div_ceil(1 << shift) << shift
}

/// The best match of the query in a name's units or its aliases' (`alias\tunits` lines).
fn best_match(q: &Query, units: &str, aliases: &str) -> Option<(Tier, u8, Why)> {
    let mut best: Option<(Tier, u8, Why)> =
        search::match_text(q, &decode_ref(units)).map(|m| judged(m, None));
    for line in aliases.lines() {
        let Some((alias, us)) = line.split_once('\t') else {
            continue;
        };
        if let Some(m) = search::match_text(q, &decode_ref(us)) {
            let c = judged(m, Some(alias.to_string()));
            if best.as_ref().is_none_or(|b| (c.0, c.1) < (b.0, b.1)) {
                best = Some(c);
            }
        }
    }
    best
}

fn judged(m: TextMatch, alias: Option<String>) -> (Tier, u8, Why) {
    let tier = match (m.start == 0, m.natural()) {
        (true, true) => Tier::Natural,
        (false, true) => Tier::Inside,
        (true, false) => Tier::OtherReading,
        (false, false) => Tier::OtherInside,
    };
    (
        tier,
        m.other_readings + m.abbreviated,
        Why::Reading {
            other: !m.natural(),
            text: m.text,
            readings: m.readings,
            alias,
        },
    )
}
