//! One offer in a list (results, help after a self-check, respite offers, an organisation's list).

use crate::i18n::Tr;
use crate::state::Catalog;
use crate::views::layout::distance;
use kapstok_domain::model::TaxonomyRole;
use kapstok_search::Hit;

pub struct ResultItem {
    pub id: String,
    pub name: String,
    pub organization: String,
    pub snippet: String,
    pub place: Option<String>,
    pub distance: Option<String>,
    pub badges: Vec<String>,
}

impl ResultItem {
    pub fn from_hit(hit: &Hit<'_>, catalog: &Catalog, tr: Tr) -> Self {
        let badges = catalog
            .index
            .facet_values_of(hit.doc, catalog.facet_key(TaxonomyRole::Function))
            .map(|(_, label)| label.clone())
            .collect();
        ResultItem {
            id: hit.doc.id().to_string(),
            name: hit.doc.name().to_string(),
            organization: hit.organization_name.to_string(),
            snippet: hit.doc.snippet().to_string(),
            place: hit.place.map(str::to_owned),
            distance: hit.distance_km.map(|d| distance(d, tr.lang)),
            badges,
        }
    }
}
