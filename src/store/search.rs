//! The one matcher: lookup, `:lookup`, the queue and approvals filters and the booking picker all
//! call [`Store::find`]. Candidates come from index walks (identifiers, exact names and aliases,
//! the initials keys at word starts, Chinese text); every candidate is then matched and ranked by
//! the domain's rules (`domain::search`).

use super::enterprises::{COORDINATOR_COLS, ENTERPRISE_COLS, coordinator_from, enterprise_from};
use super::{EnterpriseHit, Store, Writer};
use crate::domain::ids::uscc_check_char;
use crate::domain::search::{
    self, IdQuery, KeyKind, Query, TextMatch, decode, encode, id_readings, keys, subsequence_span,
};
use anyhow::{Result, anyhow, bail};
use rusqlite::params;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

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

/// One candidate while ranking.
struct Candidate {
    tier: Tier,
    other: u8,
    why: Why,
}

fn better(a: &Candidate, b: &Candidate) -> bool {
    (a.tier, a.other) < (b.tier, b.other)
}

/// Searches keep gathering candidates until this many per wanted row.
const CANDIDATES_PER_ROW: usize = 4;
const MIN_CANDIDATES: usize = 400;
/// Key rows a search may read per wanted candidate before it gives up on more.
const SCAN_PER_CANDIDATE: usize = 8;

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
            for a in stmt.query_map([id], |r| r.get::<_, String>(0))? {
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
            "INSERT OR IGNORE INTO enterprise_aliases (enterprise_id, alias) VALUES (?1, ?2)",
            params![enterprise_id, alias],
        )?;
        if n == 0 {
            bail!("the enterprise already has the alias '{alias}'");
        }
        let id = self.conn().last_insert_rowid();
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
            .ok();
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
    /// before schema 5). Runs once, when the database is opened for writing.
    pub(crate) fn index_unindexed_enterprises(&mut self) -> Result<()> {
        let todo: Vec<i64> = {
            let mut stmt = self
                .conn()
                .prepare("SELECT id FROM enterprises WHERE search_units IS NULL")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        if todo.is_empty() {
            return Ok(());
        }
        self.write(|w| {
            for id in &todo {
                w.index_enterprise(*id)?;
            }
            Ok(())
        })
    }

    /// The aliases of an enterprise, oldest first.
    pub fn aliases_of(&self, enterprise_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT alias FROM enterprise_aliases WHERE enterprise_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([enterprise_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of the enterprises a filter names, best first: what lookup finds, less the matches
    /// inside names when some names (or identifiers) match from their start. The queue and
    /// approvals filters narrow their lists with these.
    pub fn matching_enterprise_ids(&self, query: &str, limit: usize) -> Result<Vec<i64>> {
        let found = self.find(query, &FindOptions::new(limit))?.found;
        let from_start = found.first().is_some_and(|f| f.tier <= Tier::Natural);
        Ok(found
            .into_iter()
            .filter(|f| !from_start || f.tier <= Tier::Natural || f.tier == Tier::OtherReading)
            .map(|f| f.hit.enterprise.id)
            .collect())
    }

    /// Finds enterprises by anything a caller may say, best first (see [`Tier`]); ties go to AEO
    /// enterprises, then by name.
    pub fn find(&self, raw: &str, opts: &FindOptions) -> Result<Findings> {
        super::check_search_length(raw)?;
        let q = Query::new(raw);
        let mut out = Findings::default();
        if q.is_empty() && raw.trim().is_empty() {
            return Ok(out);
        }
        let mut cands: HashMap<i64, Candidate> = HashMap::new();
        let want = opts.limit.max(1);
        let cap = (want * CANDIDATES_PER_ROW).max(MIN_CANDIDATES);
        self.find_identifiers(raw, opts, cap, &mut cands, &mut out.notes)?;
        if !q.is_empty() {
            self.find_names(raw, &q, opts, cap, &mut cands)?;
        }
        // Rank: tier, fewer other readings, AEO first, then name.
        let ids: Vec<i64> = cands.keys().copied().collect();
        let mut rows: Vec<(Candidate, EnterpriseHit)> = Vec::with_capacity(ids.len());
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {ENTERPRISE_COLS}, {COORDINATOR_COLS} FROM enterprises e
             LEFT JOIN coordinators c ON c.id = e.coordinator_id WHERE e.id = ?1"
        ))?;
        // Order by tier first so that only the rows that can be shown are read whole.
        let mut order: Vec<(Tier, u8, i64)> = ids
            .iter()
            .map(|id| (cands[id].tier, cands[id].other, *id))
            .collect();
        order.sort();
        let mut light: Vec<(Tier, u8, bool, String, i64)> = Vec::with_capacity(order.len());
        {
            let mut s2 = self
                .conn()
                .prepare_cached("SELECT e.name_zh, e.credit IN ('advanced', 'certified') FROM enterprises e WHERE e.id = ?1")?;
            for (tier, other, id) in &order {
                let (name, aeo): (String, bool) =
                    s2.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                light.push((*tier, *other, !aeo, name, *id));
            }
        }
        light.sort();
        out.more = light.len() > want;
        for (_, _, _, _, id) in light.into_iter().take(want) {
            let c = cands
                .remove(&id)
                .ok_or_else(|| anyhow!("lost candidate {id}"))?;
            let hit = stmt.query_row([id], |r| {
                Ok(EnterpriseHit {
                    enterprise: enterprise_from(r, 0)?,
                    coordinator: coordinator_from(r, 10)?,
                })
            })?;
            rows.push((c, hit));
        }
        out.found = rows
            .into_iter()
            .map(|(c, hit)| Found {
                hit,
                tier: c.tier,
                why: c.why,
            })
            .collect();
        Ok(out)
    }

    fn ids(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn find_identifiers(
        &self,
        raw: &str,
        opts: &FindOptions,
        cap: usize,
        cands: &mut HashMap<i64, Candidate>,
        notes: &mut Vec<Note>,
    ) -> Result<()> {
        let aeo = if opts.aeo_only {
            format!(" AND {AEO_SQL}")
        } else {
            String::new()
        };
        let cap = cap as i64;
        let mut add = |id: i64, tier: Tier, why: Why| {
            let c = Candidate {
                tier,
                other: 0,
                why,
            };
            match cands.get(&id) {
                Some(old) if !better(&c, old) => {}
                _ => {
                    cands.insert(id, c);
                }
            }
        };
        for idq in id_readings(raw) {
            match idq {
                IdQuery::Uscc(u) => {
                    let found = self.ids(
                        &format!("SELECT e.id FROM enterprises e WHERE e.uscc = ?1{aeo}"),
                        [&u],
                    )?;
                    for id in &found {
                        add(*id, Tier::Identifier, Why::Uscc { uscc: u.clone() });
                    }
                    let expected = uscc_check_char(&u[..17]);
                    let given = u.chars().last();
                    if let Some(x) = expected
                        && Some(x) != given
                        && found.is_empty()
                    {
                        notes.push(Note {
                            zh: format!(
                                "统一社会信用代码 {u} 的校验位应为 {x}，不是 {}；下列为前 17 位相同的企业",
                                given.unwrap_or(' ')
                            ),
                            en: format!(
                                "USCC {u}: the check character should be {x}, not {}; enterprises sharing the first 17 characters follow",
                                given.unwrap_or(' ')
                            ),
                        });
                        for id in self.ids(
                            &format!("SELECT e.id FROM enterprises e WHERE e.uscc >= ?1 AND e.uscc < ?1 || '~'{aeo} LIMIT ?2"),
                            params![&u[..17], cap],
                        )? {
                            add(id, Tier::IdentifierPrefix, Why::Uscc { uscc: u[..17].to_string() });
                        }
                    }
                }
                IdQuery::UsccPrefix(p) => {
                    for id in self.ids(
                        &format!("SELECT e.id FROM enterprises e WHERE e.uscc >= ?1 AND e.uscc < ?1 || '~'{aeo} ORDER BY e.uscc LIMIT ?2"),
                        params![p, cap],
                    )? {
                        add(id, Tier::IdentifierPrefix, Why::Uscc { uscc: p.clone() });
                    }
                }
                IdQuery::CustomsCode(c) => {
                    for id in self.ids(
                        &format!("SELECT e.id FROM enterprises e WHERE e.customs_code = ?1{aeo}"),
                        [&c],
                    )? {
                        add(id, Tier::Identifier, Why::CustomsCode { code: c.clone() });
                    }
                }
                IdQuery::CustomsPrefix(p) => {
                    for id in self.ids(
                        &format!("SELECT e.id FROM enterprises e WHERE e.customs_code >= ?1 AND e.customs_code < ?1 || ':'{aeo} ORDER BY e.customs_code LIMIT ?2"),
                        params![p, cap],
                    )? {
                        add(id, Tier::IdentifierPrefix, Why::CustomsCode { code: p.clone() });
                    }
                }
                IdQuery::Declaration(d) => {
                    for id in self.ids(
                        &format!("SELECT DISTINCT w.enterprise_id FROM work_items w JOIN enterprises e ON e.id = w.enterprise_id WHERE w.declaration_no = ?1{aeo}"),
                        [&d],
                    )? {
                        add(id, Tier::Identifier, Why::Declaration { number: d.clone() });
                    }
                }
                IdQuery::Reference(r) => {
                    for (id, reference) in self.pairs(
                        &format!("SELECT a.enterprise_id, a.reference FROM approvals a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.reference >= ?1 AND a.reference < ?1 || char(1114111){aeo} LIMIT ?2"),
                        params![r, cap],
                    )? {
                        let tier = if reference == r { Tier::Identifier } else { Tier::IdentifierPrefix };
                        add(id, tier, Why::Approval { reference });
                    }
                }
                IdQuery::Booking(b) => {
                    for id in self.ids(
                        &format!("SELECT b.enterprise_id FROM bookings b JOIN enterprises e ON e.id = b.enterprise_id WHERE b.id = ?1{aeo}"),
                        [b],
                    )? {
                        let tier = if raw.trim_start().starts_with('#') { Tier::Identifier } else { Tier::IdentifierPrefix };
                        add(id, tier, Why::Booking { id: b });
                    }
                }
                IdQuery::Phone(p) => {
                    for (id, name, phone) in self.coordinator_enterprises(
                        "c.phone >= ?1 AND c.phone < ?1 || ':'",
                        &p,
                        &aeo,
                        cap,
                    )? {
                        let tier = if phone == p { Tier::Identifier } else { Tier::IdentifierPrefix };
                        add(id, tier, Why::Coordinator { name, phone });
                    }
                }
            }
        }
        Ok(())
    }

    fn pairs(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<(i64, String)>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Enterprises of the coordinators `filter` (over `c`, with ?1) finds.
    fn coordinator_enterprises(
        &self,
        filter: &str,
        arg: &str,
        aeo: &str,
        cap: i64,
    ) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT e.id, c.name, c.phone FROM coordinators c JOIN enterprises e ON e.coordinator_id = c.id
             WHERE {filter}{aeo} LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![arg, cap], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn find_names(
        &self,
        raw: &str,
        q: &Query,
        opts: &FindOptions,
        cap: usize,
        cands: &mut HashMap<i64, Candidate>,
    ) -> Result<()> {
        let aeo = if opts.aeo_only {
            format!(" AND {AEO_SQL}")
        } else {
            String::new()
        };
        let text = raw.trim();
        // Whole names, aliases, English names, coordinators' names.
        let mut exact: Vec<(i64, Why)> = Vec::new();
        for id in self.ids(
            &format!("SELECT e.id FROM enterprises e WHERE e.name_zh = ?1{aeo}"),
            [text],
        )? {
            exact.push((id, Why::Name));
        }
        for (id, alias) in self.pairs(
            &format!("SELECT e.id, a.alias FROM enterprise_aliases a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.alias = ?1 COLLATE NOCASE{aeo}"),
            [text],
        )? {
            exact.push((id, Why::Alias { alias }));
        }
        for (id, alias) in self.pairs(
            &format!(
                "SELECT e.id, e.name_en FROM enterprises e WHERE e.name_en = ?1 COLLATE NOCASE{aeo}"
            ),
            [text],
        )? {
            exact.push((id, Why::Alias { alias }));
        }
        let folded: String = q.chars.iter().collect();
        for (id, name, phone) in self.coordinator_enterprises(
            "c.name = ?1 OR (length(?1) >= 2 AND (c.pinyin = ?1 OR c.initials = ?1))",
            if q.has_han() { text } else { &folded },
            &aeo,
            cap as i64,
        )? {
            exact.push((id, Why::Coordinator { name, phone }));
        }
        for (id, why) in exact {
            cands.insert(
                id,
                Candidate {
                    tier: Tier::Name,
                    other: 0,
                    why,
                },
            );
        }

        // Candidates from the initials keys, then verified and ranked by the matcher.
        let patterns = q.patterns();
        let mut seen: HashSet<i64> = HashSet::new();
        let key_sql = format!(
            "SELECT DISTINCT k.enterprise_id FROM search_keys k JOIN enterprises e ON e.id = k.enterprise_id
             WHERE k.kind = ?1 AND k.key >= ?2 AND k.key < ?2 || '~'{aeo} LIMIT ?3"
        );
        let glob_sql = format!(
            "SELECT DISTINCT k.enterprise_id FROM search_keys k JOIN enterprises e ON e.id = k.enterprise_id
             WHERE k.kind = ?1 AND k.key GLOB ?2 || '*'{aeo} LIMIT ?3"
        );
        let good = |cands: &HashMap<i64, Candidate>, upto: Tier| {
            cands.values().filter(|c| c.tier <= upto).count()
        };
        // Natural keys at the start first, then other readings, then words inside; the
        // likeliest patterns first. Walks stop when the window's worth of matches is found or
        // the scan budget is spent.
        let mut budget = cap * SCAN_PER_CANDIDATE;
        let walk = |sql: &str,
                    kind: KeyKind,
                    p: &str,
                    cands: &mut HashMap<i64, Candidate>,
                    seen: &mut HashSet<i64>,
                    budget: &mut usize|
         -> Result<()> {
            let want = cap.saturating_sub(cands.len()).min(*budget);
            if want == 0 {
                return Ok(());
            }
            let ids = self.ids(sql, params![kind as i64, p, want as i64])?;
            *budget = budget.saturating_sub(ids.len());
            self.verify(q, ids, seen, cands)
        };
        for kind in [
            KeyKind::StartPinyin,
            KeyKind::StartNatural,
            KeyKind::InsidePinyin,
            KeyKind::InsideNatural,
            KeyKind::StartOther,
            KeyKind::InsideOther,
        ] {
            let enough = match kind {
                KeyKind::StartPinyin | KeyKind::StartNatural => 0,
                KeyKind::InsidePinyin | KeyKind::InsideNatural => good(cands, Tier::Natural),
                KeyKind::StartOther => good(cands, Tier::Inside),
                KeyKind::InsideOther => good(cands, Tier::OtherReading),
            };
            if enough >= opts.limit {
                break;
            }
            if matches!(kind, KeyKind::StartPinyin | KeyKind::InsidePinyin) {
                if let Some(p) = &patterns.pinyin {
                    walk(&key_sql, kind, p, cands, &mut seen, &mut budget)?;
                }
                continue;
            }
            for p in &patterns.exact {
                walk(&key_sql, kind, p, cands, &mut seen, &mut budget)?;
            }
        }
        if good(cands, Tier::OtherReading) < opts.limit {
            for kind in [KeyKind::StartNatural, KeyKind::StartOther] {
                for p in &patterns.skipping {
                    walk(&glob_sql, kind, p, cands, &mut seen, &mut budget)?;
                }
            }
        }
        // Chinese text anywhere in the name, then its characters in order.
        if q.has_han() && cands.len() < opts.limit {
            let han: String = q.chars.iter().collect();
            let left = cap.saturating_sub(cands.len()) as i64;
            let ids = self.ids(
                &format!(
                    "SELECT e.id FROM enterprises e WHERE instr(e.name_zh, ?1) > 0{aeo} LIMIT ?2"
                ),
                params![han, left],
            )?;
            self.verify(q, ids, &mut seen, cands)?;
            if q.chars.iter().all(|c| !c.is_ascii()) && cands.len() < opts.limit {
                let pattern: String = std::iter::once('%')
                    .chain(q.chars.iter().flat_map(|c| [*c, '%']))
                    .collect();
                let mut stmt = self.conn().prepare_cached(&format!(
                    "SELECT e.id, e.name_zh FROM enterprises e WHERE e.name_zh LIKE ?1{aeo} LIMIT ?2"
                ))?;
                let rows = stmt.query_map(params![pattern, left], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?;
                for row in rows {
                    let (id, name) = row?;
                    if cands.contains_key(&id) {
                        continue;
                    }
                    if let Some((start, span)) = subsequence_span(&name, &q.chars) {
                        let text: String = name.chars().skip(start).take(span).collect();
                        cands.insert(
                            id,
                            Candidate {
                                tier: Tier::Scattered,
                                other: span.min(255) as u8,
                                why: Why::Contains { text },
                            },
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Matches each new candidate's name and aliases against the query and keeps the best.
    fn verify(
        &self,
        q: &Query,
        ids: Vec<i64>,
        seen: &mut HashSet<i64>,
        cands: &mut HashMap<i64, Candidate>,
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT search_units, alias_units FROM enterprises WHERE id = ?1")?;
        for id in ids {
            if !seen.insert(id) {
                continue;
            }
            let (units, aliases): (Option<String>, String) =
                stmt.query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let Some(units) = units else { continue };
            let mut best: Option<Candidate> =
                search::match_text(q, &decode(&units)).map(|m| candidate(m, None));
            for line in aliases.lines() {
                let Some((alias, us)) = line.split_once('\t') else {
                    continue;
                };
                if let Some(m) = search::match_text(q, &decode(us)) {
                    let c = candidate(m, Some(alias.to_string()));
                    if best.as_ref().is_none_or(|b| better(&c, b)) {
                        best = Some(c);
                    }
                }
            }
            if let Some(c) = best {
                match cands.get(&id) {
                    Some(old) if !better(&c, old) => {}
                    _ => {
                        cands.insert(id, c);
                    }
                }
            }
        }
        Ok(())
    }
}

fn candidate(m: TextMatch, alias: Option<String>) -> Candidate {
    let tier = match (m.start == 0, m.natural()) {
        (true, true) => Tier::Natural,
        (false, true) => Tier::Inside,
        (true, false) => Tier::OtherReading,
        (false, false) => Tier::OtherInside,
    };
    Candidate {
        tier,
        other: m.other_readings + m.abbreviated,
        why: Why::Reading {
            other: !m.natural(),
            text: m.text,
            readings: m.readings,
            alias,
        },
    }
}
