//! The in-memory index: postings per stemmed term, facet values per document, coordinates.
//!
//! Built from the database at start and after every change; it is derived data and never the
//! source of truth. Everything a results page shows lives here, so a search touches no disk.

use crate::text::{self, Analyzer, CompoundSplitter, Synonyms};
use kapstok_domain::geo::GeoPoint;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What the index needs to know of one service.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub organization_name: String,
    pub description: String,
    /// Names of linked taxonomy terms (categories, target groups…).
    pub tags: Vec<String>,
    /// Place names of its locations.
    pub places: Vec<String>,
    /// Linked taxonomy term ids, for API filters.
    pub term_ids: Vec<String>,
    /// Taxonomy ids of those terms.
    pub taxonomy_ids: Vec<String>,
    /// (facet key, value code) pairs.
    pub facets: Vec<(String, String)>,
    /// Locations with coordinates, with a label (the place).
    pub points: Vec<(GeoPoint, String)>,
    /// Unix seconds of the last change.
    pub modified: i64,
}

/// A facet offered on the results page: `functie` with its values in display order.
#[derive(Debug, Clone)]
pub struct FacetSpec {
    pub key: String,
    pub label: String,
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Tags,
    Organization,
    Places,
    Description,
}

impl Field {
    fn weight(self) -> f32 {
        match self {
            Field::Name => 3.0,
            Field::Tags => 2.0,
            Field::Organization => 1.5,
            Field::Places => 1.0,
            Field::Description => 1.0,
        }
    }
}

/// Stored per document: what the results list shows plus what filters and sorting read.
#[derive(Debug, Clone)]
pub struct DocEntry {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub organization_name: String,
    pub snippet: String,
    pub points: Vec<(GeoPoint, String)>,
    pub modified: i64,
    /// Per facet dimension, the value indexes this document has.
    pub facet_values: Vec<Vec<u16>>,
    term_ids: Vec<u32>,
    taxonomy_ids: Vec<u32>,
}

pub struct Index {
    analyzer: Analyzer,
    synonyms: Synonyms,
    docs: Vec<DocEntry>,
    by_id: HashMap<String, u32>,
    /// stem → term number
    terms: HashMap<String, u32>,
    /// per term: (doc, weighted frequency), sorted by doc
    postings: Vec<Vec<(u32, f32)>>,
    idf: Vec<f32>,
    /// folded surface word → stem term number (prefix search walks this in order)
    surface: BTreeMap<String, u32>,
    /// one-deletion variants of surface words → the words (typo tolerance)
    deletions: HashMap<String, Vec<String>>,
    facets: Vec<FacetSpec>,
    /// taxonomy term / taxonomy ids → small numbers
    term_numbers: HashMap<String, u32>,
    taxonomy_numbers: HashMap<String, u32>,
    /// Counts for the unfiltered empty query, computed once (the home page and browse pages ask it).
    all_counts: Vec<Vec<u32>>,
}

pub struct IndexBuilder {
    analyzer: Analyzer,
    synonyms: Synonyms,
    facets: Vec<FacetSpec>,
    docs: Vec<SearchDoc>,
}

impl IndexBuilder {
    pub fn new(compounds: CompoundSplitter, synonyms: Synonyms, facets: Vec<FacetSpec>) -> Self {
        IndexBuilder {
            analyzer: Analyzer::new(compounds),
            synonyms,
            facets,
            docs: Vec::new(),
        }
    }

    pub fn add(&mut self, doc: SearchDoc) {
        self.docs.push(doc);
    }

    pub fn build(self) -> Index {
        let IndexBuilder {
            analyzer,
            synonyms,
            facets,
            mut docs,
        } = self;
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        docs.dedup_by(|a, b| a.id == b.id);
        let facet_positions: Vec<HashMap<&str, u16>> = facets
            .iter()
            .map(|f| {
                f.values
                    .iter()
                    .enumerate()
                    .map(|(i, (code, _))| (code.as_str(), i as u16))
                    .collect()
            })
            .collect();
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<(u32, f32)>> = Vec::new();
        let mut surface: BTreeMap<String, u32> = BTreeMap::new();
        let mut term_numbers = HashMap::new();
        let mut taxonomy_numbers = HashMap::new();
        let mut entries = Vec::with_capacity(docs.len());
        let mut stem_cache: HashMap<String, String> = HashMap::new();

        for (d, doc) in docs.iter().enumerate() {
            let d = d as u32;
            let mut weights: HashMap<u32, f32> = HashMap::new();
            let mut add = |word: &str,
                           weight: f32,
                           terms: &mut HashMap<String, u32>,
                           postings: &mut Vec<Vec<(u32, f32)>>| {
                let stem = stem_cache
                    .entry(word.to_string())
                    .or_insert_with(|| analyzer.stem(word))
                    .clone();
                let next = terms.len() as u32;
                let t = *terms.entry(stem).or_insert_with(|| {
                    postings.push(Vec::new());
                    next
                });
                surface.entry(word.to_string()).or_insert(t);
                *weights.entry(t).or_default() += weight;
            };
            let fields: [(Field, &str); 3] = [
                (Field::Name, &doc.name),
                (Field::Organization, &doc.organization_name),
                (Field::Description, &doc.description),
            ];
            let listed = doc
                .tags
                .iter()
                .map(|t| (Field::Tags, t.as_str()))
                .chain(doc.places.iter().map(|p| (Field::Places, p.as_str())));
            for (field, value) in fields.into_iter().chain(listed) {
                let mut previous: Option<String> = None;
                for word in text::words(value) {
                    if text::is_stop_word(&word) {
                        previous = None;
                        continue;
                    }
                    add(&word, field.weight(), &mut terms, &mut postings);
                    // A compound also counts as its parts ("dagbesteding" is found by "dag besteding"),
                    // and two words that form a known compound count as the compound, so queries
                    // never need to split and cannot match parts scattered over a text.
                    for part in analyzer.split(&word) {
                        add(&part, field.weight() * 0.5, &mut terms, &mut postings);
                    }
                    if let Some(prev) = &previous {
                        let joined = format!("{prev}{word}");
                        if analyzer.split(&joined).len() == 2 {
                            add(&joined, field.weight() * 0.5, &mut terms, &mut postings);
                        }
                    }
                    previous = Some(word);
                }
            }
            for (t, w) in weights {
                postings[t as usize].push((d, w));
            }
            let mut facet_values = vec![Vec::new(); facets.len()];
            for (key, code) in &doc.facets {
                if let Some(f) = facets.iter().position(|f| &f.key == key)
                    && let Some(&v) = facet_positions[f].get(code.as_str())
                    && !facet_values[f].contains(&v)
                {
                    facet_values[f].push(v);
                }
            }
            let number = |map: &mut HashMap<String, u32>, id: &String| {
                let n = map.len() as u32;
                *map.entry(id.clone()).or_insert(n)
            };
            entries.push(DocEntry {
                id: doc.id.clone(),
                name: doc.name.clone(),
                organization_id: doc.organization_id.clone(),
                organization_name: doc.organization_name.clone(),
                snippet: snippet(&doc.description, 220),
                points: doc.points.clone(),
                modified: doc.modified,
                facet_values,
                term_ids: doc
                    .term_ids
                    .iter()
                    .map(|t| number(&mut term_numbers, t))
                    .collect(),
                taxonomy_ids: doc
                    .taxonomy_ids
                    .iter()
                    .map(|t| number(&mut taxonomy_numbers, t))
                    .collect(),
            });
        }
        let n = entries.len().max(1) as f32;
        let idf = postings
            .iter()
            .map(|p| {
                let df = p.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        let mut deletions: HashMap<String, Vec<String>> = HashMap::new();
        for word in surface.keys().filter(|w| w.chars().count() >= 4) {
            for del in text::single_deletions(word) {
                deletions.entry(del).or_default().push(word.clone());
            }
        }
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i as u32))
            .collect();
        let mut index = Index {
            analyzer,
            synonyms,
            docs: entries,
            by_id,
            terms,
            postings,
            idf,
            surface,
            deletions,
            facets,
            term_numbers,
            taxonomy_numbers,
            all_counts: Vec::new(),
        };
        index.all_counts = index.count_unfiltered();
        index
    }
}

fn snippet(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let end = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches([',', '.', ';', ':']))
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Treat the last word as the start of a word (search as you type).
    pub prefix: bool,
    /// (facet key, selected value codes): values of one facet are OR-ed, facets AND-ed.
    pub filters: Vec<(String, Vec<String>)>,
    pub near: Option<GeoPoint>,
    pub radius_km: Option<f64>,
    pub organization_id: Option<String>,
    pub taxonomy_term_id: Option<String>,
    pub taxonomy_id: Option<String>,
    pub modified_after: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub doc: &'a DocEntry,
    pub score: f32,
    /// Kilometres to the nearest location, when searching near a point.
    pub distance_km: Option<f64>,
    /// Label of the nearest location.
    pub place: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct FacetCount<'a> {
    pub code: &'a str,
    pub label: &'a str,
    pub count: u32,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct FacetResult<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub values: Vec<FacetCount<'a>>,
}

#[derive(Debug)]
pub struct SearchResult<'a> {
    pub total: usize,
    pub hits: Vec<Hit<'a>>,
    pub facets: Vec<FacetResult<'a>>,
    /// Query words that matched nothing at all (shown on the empty-result page).
    pub unknown_words: Vec<String>,
    /// Words that were read as another word (typo tolerance): (typed, used).
    pub corrections: Vec<(String, String)>,
}

/// One query word (or phrase) and what may stand for it: any alternative matches, each
/// alternative being a set of terms that must all occur.
struct Group {
    alternatives: Vec<Vec<u32>>,
}

impl Index {
    pub fn len(&self) -> usize {
        self.docs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
    pub fn doc(&self, id: &str) -> Option<&DocEntry> {
        self.by_id.get(id).map(|&d| &self.docs[d as usize])
    }
    pub fn facets(&self) -> &[FacetSpec] {
        &self.facets
    }
    /// Number of distinct stemmed terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    fn term(&self, folded_word: &str) -> Option<u32> {
        self.terms.get(&self.analyzer.stem(folded_word)).copied()
    }

    /// Terms a single typed word stands for, noting corrections.
    fn word_terms(
        &self,
        word: &str,
        is_last_prefix: bool,
        corrections: &mut Vec<(String, String)>,
    ) -> Vec<Vec<u32>> {
        let mut alts: Vec<Vec<u32>> = Vec::new();
        if let Some(t) = self.term(word) {
            alts.push(vec![t]);
        }
        if is_last_prefix {
            let mut expansions: Vec<u32> = self
                .surface
                .range(word.to_string()..)
                .take_while(|(w, _)| w.starts_with(word))
                .map(|(_, &t)| t)
                .collect();
            expansions
                .sort_unstable_by_key(|&t| std::cmp::Reverse(self.postings[t as usize].len()));
            expansions.dedup();
            alts.extend(expansions.into_iter().take(16).map(|t| vec![t]));
        }
        if alts.is_empty() && word.chars().count() >= 5 {
            // Typo tolerance: words one edit away that the index knows.
            let mut candidates: Vec<&String> = Vec::new();
            for probe in std::iter::once(word.to_string()).chain(text::single_deletions(word)) {
                if let Some(ws) = self.deletions.get(&probe) {
                    candidates.extend(ws);
                }
                if let Some((w, _)) = self.surface.get_key_value(&probe) {
                    candidates.push(w);
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: Option<(&String, usize)> = None;
            for c in candidates {
                if text::edit_distance_within(word, c, 1) {
                    let t = self.surface[c];
                    let df = self.postings[t as usize].len();
                    if best.is_none_or(|(_, bdf)| df > bdf) {
                        best = Some((c, df));
                    }
                    alts.push(vec![t]);
                }
            }
            if let Some((w, _)) = best {
                corrections.push((word.to_string(), w.clone()));
            }
        }
        alts
    }

    fn parse_groups(
        &self,
        q: &SearchQuery,
        unknown: &mut Vec<String>,
        corrections: &mut Vec<(String, String)>,
    ) -> Vec<Group> {
        let all: Vec<String> = text::words(&q.text).collect();
        let ends_in_word = q.text.chars().last().is_some_and(char::is_alphanumeric);
        let mut groups = Vec::new();
        let mut i = 0;
        while i < all.len() {
            // Longest synonym phrase starting here.
            let mut matched = None;
            for len in (1..=self.synonyms.max_words().min(all.len() - i)).rev() {
                if let Some(alts) = self.synonyms.alternatives(&all[i..i + len]) {
                    matched = Some((len, alts));
                    break;
                }
            }
            let is_last = i + 1 == all.len();
            if let Some((len, phrases)) = matched {
                let alternatives = self.phrase_alternatives(&phrases);
                if alternatives.is_empty() {
                    unknown.push(all[i..i + len].join(" "));
                }
                groups.push(Group { alternatives });
                i += len;
                continue;
            }
            let word = &all[i];
            i += 1;
            if text::is_stop_word(word) && !(is_last && q.prefix && ends_in_word) {
                continue;
            }
            let known_corrections = corrections.len();
            let mut alternatives =
                self.word_terms(word, is_last && q.prefix && ends_in_word, corrections);
            // A corrected word brings its synonyms too ("mantelzrog" → mantelzorg → mantelzorgers).
            if let Some((_, used)) = corrections.get(known_corrections)
                && let Some(phrases) = self.synonyms.alternatives(std::slice::from_ref(used))
            {
                alternatives.extend(self.phrase_alternatives(&phrases));
            }
            if alternatives.is_empty() {
                unknown.push(word.clone());
            }
            groups.push(Group { alternatives });
        }
        groups
    }

    /// Each phrase as the conjunction of its words' terms; phrases with an unknown word drop out.
    fn phrase_alternatives(&self, phrases: &[Vec<String>]) -> Vec<Vec<u32>> {
        phrases
            .iter()
            .filter_map(|phrase| {
                let words: Vec<&String> =
                    phrase.iter().filter(|w| !text::is_stop_word(w)).collect();
                if words.is_empty() {
                    return None;
                }
                words
                    .iter()
                    .map(|w| self.term(w))
                    .collect::<Option<Vec<u32>>>()
            })
            .collect()
    }

    /// (doc, score) for one group, sorted by doc.
    fn group_postings(&self, g: &Group) -> Vec<(u32, f32)> {
        let mut merged: HashMap<u32, f32> = HashMap::new();
        for alt in &g.alternatives {
            for (d, s) in self.conjunction(alt) {
                let e = merged.entry(d).or_insert(0.0);
                *e = e.max(s);
            }
        }
        let mut v: Vec<(u32, f32)> = merged.into_iter().collect();
        v.sort_unstable_by_key(|&(d, _)| d);
        v
    }

    fn term_score(&self, t: u32, w: f32) -> f32 {
        // BM25-style saturation of the weighted frequency.
        self.idf[t as usize] * (w * 2.2) / (w + 1.2)
    }

    fn conjunction(&self, terms: &[u32]) -> Vec<(u32, f32)> {
        let mut sorted: Vec<u32> = terms.to_vec();
        sorted.sort_unstable_by_key(|&t| self.postings[t as usize].len());
        sorted.dedup();
        let Some((&first, rest)) = sorted.split_first() else {
            return Vec::new();
        };
        let mut acc: Vec<(u32, f32)> = self.postings[first as usize]
            .iter()
            .map(|&(d, w)| (d, self.term_score(first, w)))
            .collect();
        for &t in rest {
            let list = &self.postings[t as usize];
            let mut out = Vec::with_capacity(acc.len().min(list.len()));
            let mut j = 0;
            for &(d, s) in &acc {
                // Galloping would be faster for skewed lists; binary search keeps it simple.
                match list[j..].binary_search_by_key(&d, |&(x, _)| x) {
                    Ok(k) => {
                        out.push((d, s + self.term_score(t, list[j + k].1)));
                        j += k + 1;
                    }
                    Err(k) => j += k,
                }
                if j >= list.len() {
                    break;
                }
            }
            acc = out;
        }
        acc
    }

    /// Facet value bitsets of the request, per dimension (`None` = no filter on it).
    fn selected(&self, q: &SearchQuery) -> Vec<Option<Vec<bool>>> {
        self.facets
            .iter()
            .map(|f| {
                let codes: HashSet<&str> = q
                    .filters
                    .iter()
                    .filter(|(k, _)| *k == f.key)
                    .flat_map(|(_, vs)| vs.iter().map(String::as_str))
                    .collect();
                (!codes.is_empty()).then(|| {
                    f.values
                        .iter()
                        .map(|(c, _)| codes.contains(c.as_str()))
                        .collect()
                })
            })
            .collect()
    }

    fn passes_other_filters(&self, q: &SearchQuery, doc: &DocEntry, distance: Option<f64>) -> bool {
        if let Some(org) = &q.organization_id
            && &doc.organization_id != org
        {
            return false;
        }
        if let Some(t) = &q.taxonomy_term_id
            && !self
                .term_numbers
                .get(t)
                .is_some_and(|n| doc.term_ids.contains(n))
        {
            return false;
        }
        if let Some(t) = &q.taxonomy_id
            && !self
                .taxonomy_numbers
                .get(t)
                .is_some_and(|n| doc.taxonomy_ids.contains(n))
        {
            return false;
        }
        if let Some(after) = q.modified_after
            && doc.modified <= after
        {
            return false;
        }
        if let Some(r) = q.radius_km
            && !distance.is_some_and(|d| d <= r)
        {
            return false;
        }
        true
    }

    fn nearest(&self, doc: &DocEntry, near: Option<GeoPoint>) -> (Option<f64>, Option<usize>) {
        let Some(p) = near else { return (None, None) };
        doc.points
            .iter()
            .enumerate()
            .map(|(i, (pt, _))| (p.distance_km(pt), i))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map_or((None, None), |(d, i)| (Some(d), Some(i)))
    }

    fn count_unfiltered(&self) -> Vec<Vec<u32>> {
        let mut counts: Vec<Vec<u32>> = self
            .facets
            .iter()
            .map(|f| vec![0; f.values.len()])
            .collect();
        for doc in &self.docs {
            for (f, vals) in doc.facet_values.iter().enumerate() {
                for &v in vals {
                    counts[f][v as usize] += 1;
                }
            }
        }
        counts
    }

    pub fn search(&self, q: &SearchQuery) -> SearchResult<'_> {
        let mut unknown = Vec::new();
        let mut corrections = Vec::new();
        let groups = self.parse_groups(q, &mut unknown, &mut corrections);
        let has_text = !groups.is_empty();

        // Candidates with their text score.
        let candidates: Vec<(u32, f32)> = if has_text {
            let mut lists: Vec<Vec<(u32, f32)>> =
                groups.iter().map(|g| self.group_postings(g)).collect();
            lists.sort_by_key(Vec::len);
            let mut acc = lists.remove(0);
            for list in &lists {
                acc.retain_mut(|(d, s)| match list.binary_search_by_key(d, |&(x, _)| x) {
                    Ok(k) => {
                        *s += list[k].1;
                        true
                    }
                    Err(_) => false,
                });
            }
            acc
        } else {
            Vec::new()
        };

        let selected = self.selected(q);
        let no_filters = selected.iter().all(Option::is_none)
            && q.organization_id.is_none()
            && q.taxonomy_term_id.is_none()
            && q.taxonomy_id.is_none()
            && q.modified_after.is_none()
            && q.radius_km.is_none();
        let mut counts: Vec<Vec<u32>> = self
            .facets
            .iter()
            .map(|f| vec![0; f.values.len()])
            .collect();
        let mut matched: Vec<(u32, f32, Option<f64>, Option<usize>)> = Vec::new();

        let mut visit = |d: u32, score: f32| {
            let doc = &self.docs[d as usize];
            let (distance, nearest) = self.nearest(doc, q.near);
            if !self.passes_other_filters(q, doc, distance) {
                return;
            }
            // Which facet dimensions reject this document (disjunctive facet counting).
            let mut failing = None;
            let mut failures = 0;
            for (f, sel) in selected.iter().enumerate() {
                if let Some(sel) = sel
                    && !doc.facet_values[f].iter().any(|&v| sel[v as usize])
                {
                    failures += 1;
                    failing = Some(f);
                }
            }
            match failures {
                0 => {
                    for (f, vals) in doc.facet_values.iter().enumerate() {
                        for &v in vals {
                            counts[f][v as usize] += 1;
                        }
                    }
                    matched.push((d, score, distance, nearest));
                }
                1 => {
                    let f = failing.unwrap_or_default();
                    for &v in &doc.facet_values[f] {
                        counts[f][v as usize] += 1;
                    }
                }
                _ => {}
            }
        };
        if has_text {
            for &(d, s) in &candidates {
                visit(d, s);
            }
        } else if no_filters && q.near.is_none() {
            // Unfiltered browse: counts are precomputed, order is by name.
            counts = self.all_counts.clone();
            matched = (0..self.docs.len() as u32)
                .map(|d| (d, 0.0, None, None))
                .collect();
        } else {
            for d in 0..self.docs.len() as u32 {
                visit(d, 0.0);
            }
        }

        let total = matched.len();
        let by_rank = |a: &(u32, f32, Option<f64>, Option<usize>),
                       b: &(u32, f32, Option<f64>, Option<usize>)| {
            let dist = match (a.2, b.2) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            dist.then(b.1.total_cmp(&a.1))
                .then_with(|| {
                    self.docs[a.0 as usize]
                        .name
                        .cmp(&self.docs[b.0 as usize].name)
                })
                // A total order, so pages never overlap.
                .then(a.0.cmp(&b.0))
        };
        let end = (q.offset + q.limit).min(total);
        if q.offset < total {
            // Only the requested page needs a full order.
            if end < total {
                matched.select_nth_unstable_by(end, by_rank);
                matched.truncate(end);
            }
            matched.sort_unstable_by(by_rank);
        }
        let hits = if q.offset < total {
            matched[q.offset..end]
                .iter()
                .map(|&(d, score, distance, nearest)| {
                    let doc = &self.docs[d as usize];
                    Hit {
                        doc,
                        score,
                        distance_km: distance,
                        place: nearest
                            .map(|i| doc.points[i].1.as_str())
                            .or_else(|| doc.points.first().map(|p| p.1.as_str())),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let facets = self
            .facets
            .iter()
            .enumerate()
            .map(|(f, spec)| FacetResult {
                key: &spec.key,
                label: &spec.label,
                values: spec
                    .values
                    .iter()
                    .enumerate()
                    .map(|(v, (code, label))| FacetCount {
                        code,
                        label,
                        count: counts[f][v],
                        selected: selected[f].as_ref().is_some_and(|s| s[v]),
                    })
                    .collect(),
            })
            .collect();
        SearchResult {
            total,
            hits,
            facets,
            unknown_words: unknown,
            corrections,
        }
    }
}
