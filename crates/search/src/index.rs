//! The in-memory index: postings per stemmed term, facet values per document, coordinates.
//!
//! Built from the database at start and after every change; it is derived data and never the
//! source of truth. Everything a results page shows lives here, so a search touches no disk.

use crate::bitset::{Bitset, DocSet};
use crate::text::{self, Analyzer, CompoundSplitter, Synonyms};
use kapstok_domain::geo::GeoPoint;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Stored per document: what the results list shows plus what filters and sorting read. Kept
/// small (100,000 of them): its texts in one allocation, the organisation and place labels as
/// numbers into the index's tables, coordinates in the index's flat arrays.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocEntry {
    /// The id, the name and the snippet, one after the other.
    text: Box<str>,
    name_at: u32,
    snippet_at: u32,
    /// Number of its organisation in the index's `organizations`.
    org: u32,
    /// Labels of its located places (numbers into the index's `labels`), in point order.
    labels: Box<[u32]>,
    pub modified: i64,
    /// Position in the index; its facet values live in the index's flat arrays.
    number: u32,
    /// Taxonomy-term numbers, then taxonomy numbers; the first `terms` are terms.
    links: Box<[u32]>,
    terms: u32,
}

impl DocEntry {
    pub fn id(&self) -> &str {
        &self.text[..self.name_at as usize]
    }

    pub fn name(&self) -> &str {
        &self.text[self.name_at as usize..self.snippet_at as usize]
    }

    pub fn snippet(&self) -> &str {
        &self.text[self.snippet_at as usize..]
    }

    fn term_ids(&self) -> &[u32] {
        &self.links[..self.terms as usize]
    }

    fn taxonomy_ids(&self) -> &[u32] {
        &self.links[self.terms as usize..]
    }
}

/// Serialisable for the read-model snapshot; the text analysis (stemmer, compound dictionary,
/// synonyms) is configuration, not data, and is set again on load (`with_text_config`).
#[derive(Serialize, Deserialize)]
pub struct Index {
    #[serde(skip)]
    analyzer: Analyzer,
    #[serde(skip)]
    synonyms: Synonyms,
    docs: Vec<DocEntry>,
    /// (id, name) of each organisation documents name.
    organizations: Vec<(Box<str>, Box<str>)>,
    /// Place labels of located documents, each once.
    labels: Vec<Box<str>>,
    /// stem → term number
    terms: HashMap<String, u32>,
    /// per term: (doc, score), sorted by doc
    postings: Vec<Vec<(u32, f32)>>,
    /// (folded surface word, stem term number), sorted by word (prefix search walks it in order)
    surface: Vec<(String, u32)>,
    /// (hash of a one-deletion variant of a surface word, the word's place in `surface`),
    /// sorted: typo tolerance. 8 bytes an entry instead of a string map; a hash shared by two
    /// variants only adds a candidate that the edit-distance check then drops.
    deletions: Vec<(u32, u32)>,
    facets: Vec<FacetSpec>,
    /// taxonomy term / taxonomy ids → small numbers
    term_numbers: HashMap<String, u32>,
    taxonomy_numbers: HashMap<String, u32>,
    /// Documents per organisation id (the organisation page and the API filter).
    org_docs: HashMap<String, Vec<u32>>,
    /// Counts for the unfiltered empty query, computed once (the home page and browse pages ask it).
    all_counts: Vec<Vec<u32>>,
    /// Per facet, per value: the documents that have it.
    value_bits: Vec<Vec<Bitset>>,
    /// Facet values of each document, flat: `facet_values_flat[facet_offsets[d]..facet_offsets[d + 1]]`.
    facet_offsets: Vec<u32>,
    facet_values_flat: Vec<(u8, u16)>,
    /// Position of each document in name order (ties in score are broken by name).
    name_rank: Vec<u32>,
    /// Documents in name order.
    by_name: Vec<u32>,
    /// Coordinates of each document's locations, flat like the facet values.
    point_offsets: Vec<u32>,
    points: Vec<(f32, f32)>,
    /// Documents per grid cell of `CELL_DEGREES`, for radius searches.
    grid: HashMap<(i32, i32), Vec<u32>>,
}

const CELL_DEGREES: f64 = 0.1;

/// FNV-1a: a stable 32-bit hash of a deletion variant.
fn variant_hash(text: &str) -> u32 {
    text.bytes()
        .fold(0x811c_9dc5, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

thread_local! {
    /// Per-thread score buffers, one slot per document, kept zeroed between searches so a query
    /// pays only for the documents it touches.
    static SCRATCH: std::cell::RefCell<(Vec<f32>, Vec<f32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Sort key of a hit: distance² (or ∞), score (higher first), name rank, document.
type RankKey = (f64, f32, u32, u32, Option<usize>);

fn rank_order(a: &RankKey, b: &RankKey) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0)
        .then(b.1.total_cmp(&a.1))
        .then(a.2.cmp(&b.2))
}

fn cell(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_DEGREES).floor() as i32,
        (lon / CELL_DEGREES).floor() as i32,
    )
}

/// Squared equirectangular distance in km², enough to order and filter within a country.
fn approx_km2(from: (f64, f64, f64), lat: f32, lon: f32) -> f64 {
    const KM_PER_DEGREE: f64 = 111.195;
    let (flat, flon, cos_lat) = from;
    let dy = (f64::from(lat) - flat) * KM_PER_DEGREE;
    let dx = (f64::from(lon) - flon) * KM_PER_DEGREE * cos_lat;
    dx * dx + dy * dy
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
        // Neighbours on the map become neighbours in memory, so a radius search reads few pages.
        docs.sort_by_key(|d| {
            d.points
                .first()
                .map_or((i32::MAX, i32::MAX), |(p, _)| cell(p.lat, p.lon))
        });
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
        let count = docs.len();
        let mut value_bits: Vec<Vec<Bitset>> = facets
            .iter()
            .map(|f| vec![Bitset::empty(count); f.values.len()])
            .collect();
        let mut facet_offsets = Vec::with_capacity(count + 1);
        let mut facet_values_flat: Vec<(u8, u16)> = Vec::new();
        let mut stem_cache: HashMap<String, String> = HashMap::new();
        let mut organizations: Vec<(Box<str>, Box<str>)> = Vec::new();
        let mut org_numbers: HashMap<String, u32> = HashMap::new();
        let mut label_list: Vec<Box<str>> = Vec::new();
        let mut label_numbers: HashMap<String, u32> = HashMap::new();
        let mut doc_points: Vec<Vec<GeoPoint>> = Vec::with_capacity(count);

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
            facet_offsets.push(facet_values_flat.len() as u32);
            let own = facet_values_flat.len();
            for (key, code) in &doc.facets {
                if let Some(f) = facets.iter().position(|f| &f.key == key)
                    && let Some(&v) = facet_positions[f].get(code.as_str())
                    && !facet_values_flat[own..].contains(&(f as u8, v))
                {
                    facet_values_flat.push((f as u8, v));
                    value_bits[f][v as usize].insert(d);
                }
            }
            let number = |map: &mut HashMap<String, u32>, id: &String| {
                let n = map.len() as u32;
                *map.entry(id.clone()).or_insert(n)
            };
            let org = {
                let next = org_numbers.len() as u32;
                *org_numbers
                    .entry(doc.organization_id.clone())
                    .or_insert_with(|| {
                        organizations.push((
                            doc.organization_id.as_str().into(),
                            doc.organization_name.as_str().into(),
                        ));
                        next
                    })
            };
            let labels: Box<[u32]> = doc
                .points
                .iter()
                .map(|(_, label)| {
                    let next = label_numbers.len() as u32;
                    *label_numbers.entry(label.clone()).or_insert_with(|| {
                        label_list.push(label.as_str().into());
                        next
                    })
                })
                .collect();
            let snippet = snippet(&doc.description, 220);
            let mut links: Vec<u32> = doc
                .term_ids
                .iter()
                .map(|t| number(&mut term_numbers, t))
                .collect();
            let terms = links.len() as u32;
            links.extend(
                doc.taxonomy_ids
                    .iter()
                    .map(|t| number(&mut taxonomy_numbers, t)),
            );
            entries.push(DocEntry {
                text: format!("{}{}{snippet}", doc.id, doc.name).into_boxed_str(),
                name_at: doc.id.len() as u32,
                snippet_at: (doc.id.len() + doc.name.len()) as u32,
                org,
                labels,
                modified: doc.modified,
                number: d,
                links: links.into_boxed_slice(),
                terms,
            });
            doc_points.push(doc.points.iter().map(|(p, _)| *p).collect::<Vec<_>>());
        }
        let n = entries.len().max(1) as f32;
        let idf: Vec<f32> = postings
            .iter()
            .map(|p| {
                let df = p.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        // Store each posting's final score: BM25-style saturation of the weighted frequency × IDF.
        for (t, list) in postings.iter_mut().enumerate() {
            for (_, w) in list.iter_mut() {
                *w = idf[t] * (*w * 2.2) / (*w + 1.2);
            }
        }
        let surface: Vec<(String, u32)> = surface.into_iter().collect();
        let mut deletions: Vec<(u32, u32)> = Vec::new();
        for (w, (word, _)) in surface.iter().enumerate() {
            if word.chars().count() >= 4 {
                for del in text::single_deletions(word) {
                    deletions.push((variant_hash(&del), w as u32));
                }
            }
        }
        deletions.sort_unstable();
        deletions.dedup();
        let mut point_offsets = Vec::with_capacity(count + 1);
        let mut points = Vec::new();
        let mut grid: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (d, located) in doc_points.iter().enumerate() {
            point_offsets.push(points.len() as u32);
            for p in located {
                points.push((p.lat as f32, p.lon as f32));
                let cell_docs = grid.entry(cell(p.lat, p.lon)).or_default();
                if cell_docs.last() != Some(&(d as u32)) {
                    cell_docs.push(d as u32);
                }
            }
        }
        facet_offsets.push(facet_values_flat.len() as u32);
        point_offsets.push(points.len() as u32);
        let mut by_name: Vec<u32> = (0..count as u32).collect();
        by_name.sort_by(|&a, &b| {
            entries[a as usize]
                .name()
                .cmp(entries[b as usize].name())
                .then(a.cmp(&b))
        });
        let mut name_rank = vec![0u32; count];
        for (rank, &d) in by_name.iter().enumerate() {
            name_rank[d as usize] = rank as u32;
        }
        let mut org_docs: HashMap<String, Vec<u32>> = HashMap::new();
        for (d, e) in entries.iter().enumerate() {
            org_docs
                .entry(organizations[e.org as usize].0.to_string())
                .or_default()
                .push(d as u32);
        }
        let all_counts = value_bits
            .iter()
            .map(|vals| vals.iter().map(|b| b.count() as u32).collect())
            .collect();
        Index {
            analyzer,
            synonyms,
            docs: entries,
            organizations,
            labels: label_list,
            terms,
            postings,
            surface,
            deletions,
            facets,
            term_numbers,
            taxonomy_numbers,
            org_docs,
            all_counts,
            value_bits,
            facet_offsets,
            facet_values_flat,
            name_rank,
            by_name,
            point_offsets,
            points,
            grid,
        }
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
    pub organization_id: &'a str,
    pub organization_name: &'a str,
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

/// The filters that are not facets, their ids looked up once per query (the organisation is
/// applied as a set before this). `Some(None)`: an id the index does not know, which no
/// document passes.
struct RecordFilter {
    term: Option<Option<u32>>,
    taxonomy: Option<Option<u32>>,
    after: Option<i64>,
}

impl RecordFilter {
    fn of(index: &Index, q: &SearchQuery) -> Self {
        RecordFilter {
            term: q
                .taxonomy_term_id
                .as_ref()
                .map(|t| index.term_numbers.get(t).copied()),
            taxonomy: q
                .taxonomy_id
                .as_ref()
                .map(|t| index.taxonomy_numbers.get(t).copied()),
            after: q.modified_after,
        }
    }

    fn passes(&self, doc: &DocEntry) -> bool {
        let has = |wanted: Option<Option<u32>>, links: &[u32]| match wanted {
            None => true,
            Some(None) => false,
            Some(Some(n)) => links.contains(&n),
        };
        has(self.term, doc.term_ids())
            && has(self.taxonomy, doc.taxonomy_ids())
            && self.after.is_none_or(|after| doc.modified > after)
    }
}

/// One query word (or phrase) and what may stand for it: any alternative matches, each
/// alternative being a set of terms that must all occur.
struct Group {
    alternatives: Vec<Vec<u32>>,
}

impl Index {
    /// The index with this search configuration's text analysis (after loading a snapshot,
    /// which leaves it out).
    pub fn set_text_config(&mut self, compounds: CompoundSplitter, synonyms: Synonyms) {
        self.analyzer = Analyzer::new(compounds);
        self.synonyms = synonyms;
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
    /// The (code, label) values a document has for the facet `key`.
    pub fn facet_values_of<'a>(
        &'a self,
        doc: &DocEntry,
        key: &str,
    ) -> impl Iterator<Item = &'a (String, String)> + 'a {
        let f = self.facets.iter().position(|f| f.key == key);
        let (a, b) = (
            self.facet_offsets[doc.number as usize] as usize,
            self.facet_offsets[doc.number as usize + 1] as usize,
        );
        self.facet_values_flat[a..b]
            .iter()
            .filter(move |(ff, _)| Some(*ff as usize) == f)
            .map(move |&(ff, v)| &self.facets[ff as usize].values[v as usize])
    }
    pub fn facets(&self) -> &[FacetSpec] {
        &self.facets
    }
    /// Number of distinct stemmed terms.
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Bytes held per part, counted from lengths (heap contents plus per-entry overhead of
    /// 24 bytes per String or Vec and 8 per hash-map slot); allocator slack not included.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        const V: usize = 24;
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                std::mem::size_of::<DocEntry>()
                    + d.text.len()
                    + 4 * (d.labels.len() + d.links.len())
            })
            .sum::<usize>()
            + self
                .organizations
                .iter()
                .map(|(a, b)| 32 + a.len() + b.len())
                .sum::<usize>()
            + self.labels.iter().map(|l| 16 + l.len()).sum::<usize>();
        let postings: usize = self.postings.iter().map(|p| V + p.len() * 8).sum();
        let terms: usize = self.terms.keys().map(|k| V + 4 + 8 + k.len()).sum();
        let surface: usize = self.surface.iter().map(|(k, _)| V + 8 + k.len()).sum();
        let deletions = self.deletions.len() * 8;
        let facets: usize = self
            .value_bits
            .iter()
            .flatten()
            .map(|b| b.len().div_ceil(64) * 8)
            .sum::<usize>()
            + self.facet_values_flat.len() * 4
            + self.facet_offsets.len() * 4;
        let geo = self.points.len() * 8
            + self.point_offsets.len() * 4
            + self
                .grid
                .values()
                .map(|v| V + 16 + v.len() * 4)
                .sum::<usize>();
        let orders = (self.name_rank.len() + self.by_name.len()) * 4
            + self
                .org_docs
                .iter()
                .map(|(k, v)| 2 * V + 8 + k.len() + v.len() * 4)
                .sum::<usize>();
        vec![
            ("index: documents (names, snippets, places)", docs),
            ("index: postings", postings),
            ("index: term dictionary", terms),
            ("index: surface words (prefix search)", surface),
            ("index: one-deletion variants (typo tolerance)", deletions),
            ("index: facet values", facets),
            ("index: coordinates and grid", geo),
            ("index: name order, organisations", orders),
        ]
    }

    fn term(&self, folded_word: &str) -> Option<u32> {
        self.terms
            .get(self.analyzer.stem_ref(folded_word).as_ref())
            .copied()
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
            let start = self.surface.partition_point(|(w, _)| w.as_str() < word);
            let mut expansions: Vec<u32> = self.surface[start..]
                .iter()
                .take_while(|(w, _)| w.starts_with(word))
                .map(|&(_, t)| t)
                .collect();
            expansions
                .sort_unstable_by_key(|&t| std::cmp::Reverse(self.postings[t as usize].len()));
            expansions.dedup();
            alts.extend(expansions.into_iter().take(16).map(|t| vec![t]));
        }
        if alts.is_empty() && word.chars().count() >= 5 {
            // Typo tolerance: words one edit away that the index knows.
            let mut candidates: Vec<u32> = Vec::new();
            for probe in std::iter::once(word.to_string()).chain(text::single_deletions(word)) {
                let h = variant_hash(&probe);
                let from = self.deletions.partition_point(|&(x, _)| x < h);
                candidates.extend(
                    self.deletions[from..]
                        .iter()
                        .take_while(|&&(x, _)| x == h)
                        .map(|&(_, w)| w),
                );
                if let Ok(w) = self
                    .surface
                    .binary_search_by(|(w, _)| w.as_str().cmp(probe.as_str()))
                {
                    candidates.push(w as u32);
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: Option<(&String, usize)> = None;
            for c in candidates {
                let (c, t) = (&self.surface[c as usize].0, self.surface[c as usize].1);
                if text::edit_distance_within(word, c, 1) {
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
        let all: Vec<String> = text::all_words(&q.text).collect();
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
            // A word longer than any indexed word matches nothing (it is not dropped, which
            // would widen the search).
            if word.chars().count() > text::MAX_WORD_CHARS {
                let shown: String = word.chars().take(text::MAX_WORD_CHARS).collect();
                unknown.push(format!("{shown}…"));
                groups.push(Group {
                    alternatives: Vec::new(),
                });
                continue;
            }
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
        // Text whose words all fell away (only emoji, punctuation or stop words) matches
        // nothing rather than everything; the typed text is reported as not found.
        let typed = q.text.trim();
        if groups.is_empty() && !typed.is_empty() {
            unknown.push(typed.chars().take(text::MAX_WORD_CHARS).collect());
            groups.push(Group {
                alternatives: Vec::new(),
            });
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

    /// Documents matching one group, with the group's score (best alternative) in `scores`.
    fn group_matches(&self, g: &Group, scores: &mut [f32]) -> DocSet {
        let n = self.docs.len();
        let (mut docs, mut bits, mut unsorted) = (Vec::new(), None::<Bitset>, false);
        for (i, alt) in g.alternatives.iter().enumerate() {
            // Synonyms often stem to the same term ("mantelzorger", "mantelzorgers").
            if g.alternatives[..i].contains(alt) {
                continue;
            }
            let matches = match alt.as_slice() {
                [t] => std::borrow::Cow::Borrowed(self.postings[*t as usize].as_slice()),
                _ => std::borrow::Cow::Owned(self.conjunction(alt)),
            };
            for &(d, s) in matches.iter() {
                let slot = &mut scores[d as usize];
                if s > *slot {
                    *slot = s;
                }
            }
            let matched = matches.iter().map(|&(d, _)| d);
            match &mut bits {
                Some(bits) => matched.for_each(|d| bits.insert(d)),
                // Many documents: a bitset from here on.
                None if (docs.len() + matches.len()) * 32 >= n => {
                    let mut all = Bitset::empty(n);
                    docs.drain(..).chain(matched).for_each(|d| all.insert(d));
                    bits = Some(all);
                }
                None => {
                    unsorted |= !docs.is_empty();
                    docs.extend(matched);
                }
            }
        }
        match bits {
            Some(bits) => DocSet::Dense(bits),
            None if unsorted => DocSet::from_unsorted(docs, n),
            // One alternative's postings are sorted by document already.
            None => DocSet::from_sorted(docs, n),
        }
    }

    /// Documents having every term, with the summed score, sorted by doc.
    fn conjunction(&self, terms: &[u32]) -> Vec<(u32, f32)> {
        let mut sorted: Vec<u32> = terms.to_vec();
        sorted.sort_unstable_by_key(|&t| self.postings[t as usize].len());
        sorted.dedup();
        let Some((&first, rest)) = sorted.split_first() else {
            return Vec::new();
        };
        let mut acc: Vec<(u32, f32)> = self.postings[first as usize].clone();
        for &t in rest {
            let list = &self.postings[t as usize];
            let mut j = 0;
            acc.retain_mut(|(d, s)| {
                if j >= list.len() {
                    return false;
                }
                match list[j..].binary_search_by_key(d, |&(x, _)| x) {
                    Ok(k) => {
                        *s += list[j + k].1;
                        j += k + 1;
                        true
                    }
                    Err(k) => {
                        j += k;
                        false
                    }
                }
            });
        }
        acc
    }

    /// Per facet, the documents of the selected values (`None` = no filter on that facet).
    fn selected(&self, q: &SearchQuery) -> (Vec<Option<Vec<bool>>>, Vec<Option<Bitset>>) {
        let mut flags = Vec::with_capacity(self.facets.len());
        let mut bits = Vec::with_capacity(self.facets.len());
        for (f, spec) in self.facets.iter().enumerate() {
            // Most queries filter on no facet, or on one or two: skip the others at once.
            if !q.filters.iter().any(|(k, _)| *k == spec.key) {
                flags.push(None);
                bits.push(None);
                continue;
            }
            let chosen: Vec<bool> = spec
                .values
                .iter()
                .map(|(code, _)| {
                    q.filters
                        .iter()
                        .any(|(k, vs)| *k == spec.key && vs.iter().any(|v| v == code))
                })
                .collect();
            if chosen.iter().any(|&c| c) {
                let mut union = Bitset::empty(self.docs.len());
                for (v, _) in chosen.iter().enumerate().filter(|(_, c)| **c) {
                    union.or_with(&self.value_bits[f][v]);
                }
                flags.push(Some(chosen));
                bits.push(Some(union));
            } else {
                flags.push(None);
                bits.push(None);
            }
        }
        (flags, bits)
    }

    /// Offers the documents of `full` located around `from` to `consider`, ring of grid cells
    /// by ring, until `ranked` holds `k` and the next ring lies farther than the k-th (then
    /// `true`: the k nearest are found). `false` when the rings run out first.
    fn nearest_by_rings(
        &self,
        from: (f64, f64, f64),
        full: &DocSet,
        k: usize,
        ranked: &mut Vec<RankKey>,
        consider: &mut impl FnMut(u32, &mut Vec<RankKey>),
    ) -> bool {
        const MAX_RING: i32 = 60;
        let (cy, cx) = cell(from.0, from.1);
        // In the distance's own metric (longitude scaled by the point's cosine) a cell is at
        // least this wide; a cell in ring r is at least r - 1 cells away.
        let cell_km = CELL_DEGREES * 111.195 * from.2.clamp(0.01, 1.0);
        for r in 0..=MAX_RING {
            if ranked.len() == k && r >= 2 {
                let bound = f64::from(r - 1) * cell_km;
                if bound * bound > ranked[k - 1].0 {
                    return true;
                }
            }
            for y in cy - r..=cy + r {
                let edge = y == cy - r || y == cy + r;
                let step = if edge { 1 } else { (2 * r).max(1) as usize };
                for x in (cx - r..=cx + r).step_by(step) {
                    for &d in self
                        .grid
                        .get(&(y, x))
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        if full.contains(d) {
                            consider(d, ranked);
                        }
                    }
                }
            }
        }
        false
    }

    /// Squared approximate distance to a document's nearest location, and which location.
    fn nearest_approx(&self, d: u32, from: (f64, f64, f64)) -> Option<(f64, usize)> {
        let (start, end) = (
            self.point_offsets[d as usize] as usize,
            self.point_offsets[d as usize + 1] as usize,
        );
        self.points[start..end]
            .iter()
            .enumerate()
            .map(|(i, &(lat, lon))| (approx_km2(from, lat, lon), i))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// Documents with a location inside the radius's bounding box (a superset of the answer).
    fn within_box(&self, near: GeoPoint, radius_km: f64) -> DocSet {
        let mut docs = Vec::new();
        let dlat = radius_km / 111.195;
        let dlon = radius_km / (111.195 * near.lat.to_radians().cos().max(0.01));
        let (lo, hi) = (
            cell(near.lat - dlat, near.lon - dlon),
            cell(near.lat + dlat, near.lon + dlon),
        );
        for y in lo.0..=hi.0 {
            for x in lo.1..=hi.1 {
                for &d in self
                    .grid
                    .get(&(y, x))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    docs.push(d);
                }
            }
        }
        DocSet::from_unsorted(docs, self.docs.len())
    }

    fn facet_counts(
        &self,
        base: &DocSet,
        flags: &[Option<Vec<bool>>],
        sel: &[Option<Bitset>],
        full: &DocSet,
    ) -> Vec<Vec<u32>> {
        let mut counts: Vec<Vec<u32>> = self
            .facets
            .iter()
            .map(|f| vec![0; f.values.len()])
            .collect();
        let words = self.docs.len().div_ceil(64);
        // Facets without a selection all count over `full`: one walk when it is small.
        let unselected: Vec<usize> = (0..self.facets.len())
            .filter(|&f| flags[f].is_none())
            .collect();
        let values: usize = unselected
            .iter()
            .map(|&f| self.facets[f].values.len())
            .sum();
        let members = full.len();
        // Walking a document costs a cache miss; a word of a value's bitset costs far less.
        if members * 64 < values * words {
            for d in full.iter() {
                let (a, b) = (
                    self.facet_offsets[d as usize] as usize,
                    self.facet_offsets[d as usize + 1] as usize,
                );
                for &(f, v) in &self.facet_values_flat[a..b] {
                    if flags[f as usize].is_none() {
                        counts[f as usize][v as usize] += 1;
                    }
                }
            }
        } else {
            for &f in &unselected {
                for (v, bits) in self.value_bits[f].iter().enumerate() {
                    counts[f][v] = full.and_count(bits) as u32;
                }
            }
        }
        // Disjunctive counting: a selected facet's counts ignore its own selection.
        for f in (0..self.facets.len()).filter(|&f| flags[f].is_some()) {
            let mut scope = base.clone();
            for (g, s) in sel.iter().enumerate() {
                if g != f
                    && let Some(s) = s
                {
                    scope.and_bits(s);
                }
            }
            for (v, bits) in self.value_bits[f].iter().enumerate() {
                counts[f][v] = scope.and_count(bits) as u32;
            }
        }
        counts
    }

    pub fn search(&self, q: &SearchQuery) -> SearchResult<'_> {
        let n = self.docs.len();
        let mut unknown = Vec::new();
        let mut corrections = Vec::new();
        let groups = self.parse_groups(q, &mut unknown, &mut corrections);
        let has_text = !groups.is_empty();
        let (flags, sel) = self.selected(q);
        let record_filters = q.organization_id.is_some()
            || q.taxonomy_term_id.is_some()
            || q.taxonomy_id.is_some()
            || q.modified_after.is_some();
        let from = q.near.map(|p| (p.lat, p.lon, p.lat.to_radians().cos()));
        let want = q.offset.saturating_add(q.limit);

        // Unfiltered browse: everything, in name order, with precomputed counts.
        if !has_text && flags.iter().all(Option::is_none) && !record_filters && from.is_none() {
            let hits = self
                .by_name
                .iter()
                .skip(q.offset)
                .take(q.limit)
                .map(|&d| self.hit(d, 0.0, None))
                .collect();
            return self.result(
                n,
                hits,
                self.all_counts.clone(),
                &flags,
                unknown,
                corrections,
            );
        }

        // 1. Words: every group must match; scores add up over groups.
        SCRATCH.with_borrow_mut(|(scores, group_scores)| {
            if scores.len() < n {
                scores.resize(n, 0.0);
                group_scores.resize(n, 0.0);
            }
            let mut touched: Vec<DocSet> = Vec::new();
            let base = if has_text {
                let mut cand: Option<DocSet> = None;
                for g in &groups {
                    match &mut cand {
                        // The first group scores straight into the totals.
                        None => {
                            let bits = self.group_matches(g, scores);
                            cand = Some(bits.clone());
                            touched.push(bits);
                        }
                        Some(c) => {
                            let bits = self.group_matches(g, group_scores);
                            bits.for_each(|d| {
                                scores[d as usize] += std::mem::take(&mut group_scores[d as usize])
                            });
                            c.and_with(&bits);
                            touched.push(bits);
                        }
                    }
                }
                cand.unwrap_or(DocSet::Sparse(Vec::new()))
            } else if let (Some(p), Some(r)) = (q.near, q.radius_km) {
                self.within_box(p, r)
            } else {
                DocSet::full(n)
            };
            let result = self.finish(
                q,
                base,
                scores,
                has_text,
                &flags,
                &sel,
                record_filters,
                from,
                want,
                unknown,
                corrections,
            );
            for bits in &touched {
                bits.for_each(|d| scores[d as usize] = 0.0);
            }
            result
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn finish<'a>(
        &'a self,
        q: &SearchQuery,
        mut base: DocSet,
        scores: &[f32],
        has_text: bool,
        flags: &[Option<Vec<bool>>],
        sel: &[Option<Bitset>],
        record_filters: bool,
        from: Option<(f64, f64, f64)>,
        want: usize,
        unknown: Vec<String>,
        corrections: Vec<(String, String)>,
    ) -> SearchResult<'a> {
        // 2. Per-record filters and the exact radius.
        let radius2 = q.radius_km.map(|r| r * r);
        if let Some(org) = &q.organization_id {
            let of_org = self.org_docs.get(org).cloned().unwrap_or_default();
            base.and_with(&DocSet::from_sorted(of_org, self.docs.len()));
        }
        if record_filters || radius2.is_some() {
            let filter = RecordFilter::of(self, q);
            base.retain(|d| {
                let doc = &self.docs[d as usize];
                let far = match (radius2, from) {
                    (Some(r2), Some(from)) => {
                        self.nearest_approx(d, from).is_none_or(|(km2, _)| km2 > r2)
                    }
                    _ => false,
                };
                !far && filter.passes(doc)
            });
        }

        // 3. Facets: values of one facet OR-ed, facets AND-ed.
        let mut full = base.clone();
        for s in sel.iter().flatten() {
            full.and_bits(s);
        }
        let counts = self.facet_counts(&base, flags, sel, &full);

        // 4. Order: distance, then score, then name; keep only the page asked for.
        let total = full.len();
        let k = want.min(total);
        let mut ranked: Vec<RankKey> = Vec::with_capacity(k + 1);
        if k > 0 && from.is_none() && !has_text && matches!(full, DocSet::Sparse(_)) {
            // Name order over a few documents: sort those by name.
            let mut by_rank: Vec<(u32, u32)> = full
                .iter()
                .map(|d| (self.name_rank[d as usize], d))
                .collect();
            by_rank.sort_unstable();
            ranked.extend(
                by_rank
                    .into_iter()
                    .take(k)
                    .map(|(rank, d)| (f64::INFINITY, 0.0, rank, d, None)),
            );
        } else if k > 0 && from.is_none() && !has_text {
            // Name order only: walk the names and keep the first k that match.
            ranked.extend(
                self.by_name
                    .iter()
                    .filter(|&&d| full.contains(d))
                    .take(k)
                    .map(|&d| (f64::INFINITY, 0.0, self.name_rank[d as usize], d, None)),
            );
        } else if k > 0 && from.is_none() {
            // Score order: a plain float comparison rejects most documents.
            let mut threshold = f32::NEG_INFINITY;
            full.for_each(|d| {
                let score = scores[d as usize];
                if score < threshold {
                    return;
                }
                let key = (f64::INFINITY, score, self.name_rank[d as usize], d, None);
                if ranked.len() == k && rank_order(&key, &ranked[k - 1]).is_ge() {
                    return;
                }
                let at = ranked.partition_point(|b| rank_order(b, &key).is_le());
                ranked.insert(at, key);
                ranked.truncate(k);
                if ranked.len() == k {
                    threshold = ranked[k - 1].1;
                }
            });
        } else if k > 0 {
            let mut consider = |d: u32, ranked: &mut Vec<RankKey>| {
                let near = from.and_then(|f| self.nearest_approx(d, f));
                let distance = near.map_or(f64::INFINITY, |(km2, _)| km2);
                let score = if has_text { scores[d as usize] } else { 0.0 };
                // Most documents lose on distance or score alone; only then is the name read.
                if ranked.len() == k {
                    let worst = &ranked[k - 1];
                    if distance
                        .total_cmp(&worst.0)
                        .then(worst.1.total_cmp(&score))
                        .is_gt()
                    {
                        return;
                    }
                }
                let key = (
                    distance,
                    score,
                    self.name_rank[d as usize],
                    d,
                    near.map(|(_, i)| i),
                );
                if ranked.len() == k && rank_order(&key, &ranked[k - 1]).is_ge() {
                    return;
                }
                // A document with locations in several grid cells is met more than once.
                if ranked.iter().any(|r| r.3 == d) {
                    return;
                }
                let at = ranked.partition_point(|b| rank_order(b, &key).is_le());
                ranked.insert(at, key);
                ranked.truncate(k);
            };
            // Many matches (and no radius, which keeps them near already): walk the grid
            // outward from the point and stop once no unseen
            // location can be nearer than the k-th; else, or when that never happens, all.
            let by_rings = total >= 16 * k
                && q.radius_km.is_none()
                && from.is_some_and(|f| {
                    self.nearest_by_rings(f, &full, k, &mut ranked, &mut consider)
                });
            if !by_rings {
                ranked.clear();
                for d in full.iter() {
                    consider(d, &mut ranked);
                }
            }
        }
        let hits = ranked
            .iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|&(_, score, _, d, point)| self.hit(d, score, q.near.map(|p| (p, point))))
            .collect();
        self.result(total, hits, counts, flags, unknown, corrections)
    }

    fn hit(&self, d: u32, score: f32, near: Option<(GeoPoint, Option<usize>)>) -> Hit<'_> {
        let doc = &self.docs[d as usize];
        let label = |i: usize| doc.labels.get(i).map(|&l| &*self.labels[l as usize]);
        let (distance_km, place) = match near {
            Some((p, Some(i))) => {
                let (lat, lon) = self.points[self.point_offsets[d as usize] as usize + i];
                let at = GeoPoint {
                    lat: lat as f64,
                    lon: lon as f64,
                };
                (Some(p.distance_km(&at)), label(i))
            }
            _ => (None, label(0)),
        };
        let (organization_id, organization_name) = &self.organizations[doc.org as usize];
        Hit {
            doc,
            organization_id,
            organization_name,
            score,
            distance_km,
            place,
        }
    }

    fn result<'a>(
        &'a self,
        total: usize,
        hits: Vec<Hit<'a>>,
        counts: Vec<Vec<u32>>,
        flags: &[Option<Vec<bool>>],
        unknown_words: Vec<String>,
        corrections: Vec<(String, String)>,
    ) -> SearchResult<'a> {
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
                        selected: flags[f].as_ref().is_some_and(|s| s[v]),
                    })
                    .collect(),
            })
            .collect();
        SearchResult {
            total,
            hits,
            facets,
            unknown_words,
            corrections,
        }
    }
}
