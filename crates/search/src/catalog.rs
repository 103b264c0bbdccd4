//! The read model: the search index plus the lookups pages and the API need, derived from the
//! database and rebuilt when its directory version moves. Never the truth, always derivable.

use crate::{Index, SearchConfig, build_index};
use kapstok_domain::fields::clean_organization;
use kapstok_domain::geo::GeoData;
use kapstok_domain::model::{
    Organization, OrganizationId, ServiceId, Taxonomy, TaxonomyRole, TaxonomyTerm, TermId,
};
use kapstok_store::{GeoStore, MetaStore, SocialMapRead, StoreResult};
use std::collections::HashMap;
use std::time::Instant;

/// Everything pages and the API read without touching the database.
pub struct Catalog {
    pub version: i64,
    pub index: Index,
    pub geo: GeoData,
    pub taxonomies: Vec<Taxonomy>,
    pub terms: HashMap<TermId, TaxonomyTerm>,
    pub organizations: HashMap<OrganizationId, Organization>,
    /// Age limits of services (minimum, maximum), for the respite guide.
    pub ages: HashMap<ServiceId, (Option<i64>, Option<i64>)>,
    /// Whether the data is the shipped demo (a banner says so on every page).
    pub demo: bool,
}

impl Catalog {
    /// Builds the read model from the three storage capabilities it reads.
    pub async fn load(
        meta: &dyn MetaStore,
        map: &dyn SocialMapRead,
        geo_store: &dyn GeoStore,
        config: &SearchConfig,
    ) -> StoreResult<Catalog> {
        let started = Instant::now();
        // Read the version first: a change that lands while we build is seen on the next check.
        let version = meta.directory_version().await?;
        let dir = map.load_directory().await?;
        let geo = geo_store.geo_data().await?;
        let demo = meta.meta("demo").await?.as_deref() == Some("true");
        let index = build_index(&dir, &geo, config);
        let ages = dir
            .services
            .iter()
            .filter(|s| s.minimum_age.is_some() || s.maximum_age.is_some())
            .map(|s| (s.id.clone(), (s.minimum_age, s.maximum_age)))
            .collect();
        tracing::info!(
            version,
            services = index.len(),
            terms = index.term_count(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        Ok(Catalog {
            version,
            index,
            geo,
            taxonomies: dir.taxonomies,
            terms: dir
                .taxonomy_terms
                .into_iter()
                .map(|t| (t.id.clone(), t))
                .collect(),
            // Cleaned once here, like the records a MapReader hands out: pages that show an
            // organisation's address from the read model get only real links and addresses.
            organizations: dir
                .organizations
                .into_iter()
                .map(|mut o| {
                    clean_organization(&mut o);
                    (o.id.clone(), o)
                })
                .collect(),
            ages,
            demo,
        })
    }

    /// The facet key of a taxonomy term, with the term, e.g. ("functie", Respijtzorg).
    pub fn facet_of(&self, term: &TaxonomyTerm) -> Option<&str> {
        let tax = term.taxonomy_id.as_deref()?;
        self.taxonomies
            .iter()
            .find(|t| t.id == tax)?
            .kapstok_facet
            .as_deref()
    }

    /// The facet key of the taxonomy that holds `role` in the data (`kapstok_role`); an empty
    /// key, which no facet has, when no taxonomy holds it.
    pub fn facet_key(&self, role: TaxonomyRole) -> &str {
        self.taxonomies
            .iter()
            .find(|t| t.kapstok_role == Some(role))
            .and_then(|t| t.kapstok_facet.as_deref())
            .unwrap_or("")
    }

    pub fn taxonomy_name(&self, id: &str) -> Option<&str> {
        self.taxonomies
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
    }
}
