//! From the social map to index documents.

use crate::index::{FacetSpec, Index, IndexBuilder, SearchDoc};
use crate::text::{CompoundSplitter, Synonyms};
use kapstok_domain::geo::GeoData;
use kapstok_domain::model::{Directory, Organization, Service, TaxonomyTerm};
use std::collections::HashMap;

/// The facet key of areas; the others come from taxonomies marked as facets.
pub const AREA_FACET: &str = "gebied";

/// Word lists that tune the search; defaults ship with Kapstok, a deployment may replace them.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    pub synonyms: Synonyms,
    pub compounds: CompoundSplitter,
    /// The lists as written (comments and spelling kept), for showing and editing them.
    pub synonyms_text: String,
    pub compounds_text: String,
}

pub const DEFAULT_SYNONYMS: &str = include_str!("../defaults/synonyms.txt");
pub const DEFAULT_COMPOUNDS: &str = include_str!("../defaults/compounds.txt");

impl SearchConfig {
    /// The synonym list from its text (`Err`: the line that is not a group), keeping the text.
    pub fn with_synonyms(mut self, text: &str) -> Result<Self, String> {
        self.synonyms = Synonyms::parse(text)?;
        self.synonyms_text = text.to_string();
        Ok(self)
    }

    /// The compound parts from their text, keeping the text.
    pub fn with_compounds(mut self, text: &str) -> Self {
        self.compounds = CompoundSplitter::parse(text);
        self.compounds_text = text.to_string();
        self
    }

    /// Tells one configuration from another (FNV-1a over its canonical text): a read-model
    /// snapshot built with other word lists is not used.
    pub fn fingerprint(&self) -> u64 {
        let text = format!(
            "{}\u{0}{}",
            self.synonyms.canonical(),
            self.compounds.canonical()
        );
        crate::text::fnv1a64(text.as_bytes())
    }
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            synonyms: Synonyms::parse(DEFAULT_SYNONYMS).expect("the shipped synonym list is valid"),
            compounds: CompoundSplitter::parse(DEFAULT_COMPOUNDS),
            synonyms_text: DEFAULT_SYNONYMS.to_string(),
            compounds_text: DEFAULT_COMPOUNDS.to_string(),
        }
    }
}

/// Facets in display order: taxonomies marked `kapstok_facet`, then areas.
pub fn facet_specs(dir: &Directory, geo: &GeoData, area_label: &str) -> Vec<FacetSpec> {
    let mut taxonomies: Vec<_> = dir
        .taxonomies
        .iter()
        .filter(|t| t.kapstok_facet.is_some())
        .collect();
    taxonomies.sort_by_key(|t| (t.kapstok_order.unwrap_or(i64::MAX), t.name.clone()));
    let mut specs: Vec<FacetSpec> = taxonomies
        .into_iter()
        .map(|t| {
            let mut terms: Vec<_> = dir
                .taxonomy_terms
                .iter()
                .filter(|term| term.taxonomy_id.as_ref() == Some(&t.id))
                .collect();
            terms.sort_by_key(|term| (term.kapstok_order.unwrap_or(i64::MAX), term.name.clone()));
            FacetSpec {
                key: t.kapstok_facet.clone().unwrap_or_default(),
                label: t.name.clone(),
                values: terms
                    .into_iter()
                    .map(|term| {
                        (
                            term.code.clone().unwrap_or_else(|| term.id.to_string()),
                            term.name.clone(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    if !geo.areas.is_empty() {
        specs.push(FacetSpec {
            key: AREA_FACET.into(),
            label: area_label.into(),
            values: geo
                .areas
                .iter()
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect(),
        });
    }
    specs
}

fn unix_seconds(rfc3339: Option<&str>) -> i64 {
    rfc3339
        .and_then(|s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        })
        .map_or(0, |t| t.unix_timestamp())
}

/// Turns services into index documents, with the lookups of one social map's frame
/// (taxonomies, terms, organisations) and its geography.
pub struct DocMaker<'a> {
    terms: HashMap<&'a str, &'a TaxonomyTerm>,
    facet_of_taxonomy: HashMap<&'a str, &'a str>,
    orgs: HashMap<&'a str, &'a Organization>,
    geo: &'a GeoData,
}

impl<'a> DocMaker<'a> {
    /// `frame` needs taxonomies, terms and organisations; its services are not read.
    pub fn new(frame: &'a Directory, geo: &'a GeoData) -> Self {
        DocMaker {
            terms: frame
                .taxonomy_terms
                .iter()
                .map(|t| (t.id.as_str(), t))
                .collect(),
            facet_of_taxonomy: frame
                .taxonomies
                .iter()
                .filter_map(|t| t.kapstok_facet.as_deref().map(|k| (t.id.as_str(), k)))
                .collect(),
            orgs: frame
                .organizations
                .iter()
                .map(|o| (o.id.as_str(), o))
                .collect(),
            geo,
        }
    }

    /// An empty index builder with the frame's facets and the search configuration.
    pub fn builder(frame: &Directory, geo: &GeoData, config: &SearchConfig) -> IndexBuilder {
        IndexBuilder::new(
            config.compounds.clone(),
            config.synonyms.clone(),
            facet_specs(frame, geo, "Gebied"),
        )
    }

    /// The index document of a (public) service.
    pub fn doc(&self, s: &Service) -> SearchDoc {
        let geo = self.geo;
        let org = self.orgs.get(s.organization_id.as_str());
        let linked: Vec<&TaxonomyTerm> = s
            .term_ids()
            .filter_map(|id| self.terms.get(id).copied())
            .collect();
        let mut facets: Vec<(String, String)> = linked
            .iter()
            .filter_map(|t| {
                let key = self.facet_of_taxonomy.get(t.taxonomy_id.as_deref()?)?;
                Some((
                    key.to_string(),
                    t.code.clone().unwrap_or_else(|| t.id.to_string()),
                ))
            })
            .collect();
        facets.extend(
            geo.area_codes_of(s)
                .into_iter()
                .map(|c| (AREA_FACET.to_string(), c)),
        );
        let mut description = s.description.clone();
        for extra in [&s.alternate_name, &s.eligibility_description]
            .into_iter()
            .flatten()
        {
            description.push(' ');
            description.push_str(extra);
        }
        SearchDoc {
            id: s.id.to_string(),
            name: s.name.clone(),
            organization_id: s.organization_id.to_string(),
            organization_name: org.map(|o| o.name.clone()).unwrap_or_default(),
            description,
            tags: linked.iter().map(|t| t.name.clone()).collect(),
            places: s
                .locations()
                .filter_map(|l| l.city().map(str::to_owned))
                .collect(),
            term_ids: linked.iter().map(|t| t.id.to_string()).collect(),
            taxonomy_ids: linked
                .iter()
                .filter_map(|t| t.taxonomy_id.as_deref().map(str::to_owned))
                .collect(),
            facets,
            points: s
                .locations()
                .filter_map(|l| {
                    Some((
                        geo.point_of(l)?,
                        l.city()
                            .or(l.name.as_deref())
                            .unwrap_or_default()
                            .to_string(),
                    ))
                })
                .collect(),
            modified: unix_seconds(s.last_modified.as_deref()),
        }
    }
}

/// The index of a whole directory held in memory (benchmarks and tests; the app streams).
pub fn build_index(dir: &Directory, geo: &GeoData, config: &SearchConfig) -> Index {
    let maker = DocMaker::new(dir, geo);
    let mut builder = DocMaker::builder(dir, geo, config);
    for s in dir.services.iter().filter(|s| s.status.is_public()) {
        builder.add(maker.doc(s));
    }
    builder.build()
}
