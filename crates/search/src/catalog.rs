//! The read model: the search index plus everything public pages and the API read, derived from
//! the database and rebuilt when its directory version moves. Never the truth, always derivable.
//!
//! Built by streaming: the map's frame (taxonomies, terms, organisations), then services a page
//! at a time, each turned into its index document and its compact public record and dropped, so
//! the whole directory is never held in memory.

use crate::directory::DocMaker;
use crate::records::Records;
use crate::{Index, SearchConfig};
use kapstok_domain::fields::{clean_organization, clean_service};
use kapstok_domain::geo::GeoData;
use kapstok_domain::model::{
    Organization, OrganizationId, ServiceId, Taxonomy, TaxonomyRole, TaxonomyTerm, TermId,
};
use kapstok_store::{GeoStore, MetaStore, SERVICE_PAGE, SocialMapRead, StoreResult};
use std::collections::HashMap;
use std::time::Instant;

/// Everything pages and the API read without touching the database.
pub struct Catalog {
    pub version: i64,
    pub index: Index,
    pub geo: GeoData,
    /// Sorted by id.
    pub taxonomies: Vec<Taxonomy>,
    pub terms: HashMap<TermId, TaxonomyTerm>,
    /// Cleaned, like every record handed out.
    pub organizations: HashMap<OrganizationId, Organization>,
    /// Organisation ids by (name, id), the order of the API's list.
    pub organizations_by_name: Vec<OrganizationId>,
    /// The public services as the API hands them out.
    pub records: Records,
    /// Service-at-location ids of public services, sorted, with their service.
    pub service_at_locations: Vec<(String, ServiceId)>,
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
        let geo = geo_store.geo_data().await?;
        let demo = meta.meta("demo").await?.as_deref() == Some("true");
        let frame = map.map_frame().await?;
        let mut records = Records::default();
        let mut service_at_locations = Vec::new();
        let mut ages = HashMap::new();
        let index = {
            let maker = DocMaker::new(&frame, &geo);
            let mut builder = DocMaker::builder(&frame, &geo, config);
            let mut after: Option<ServiceId> = None;
            loop {
                let page = map.services_after(after.as_deref(), SERVICE_PAGE).await?;
                let done = page.len() < SERVICE_PAGE;
                after = page.last().map(|s| s.id.clone());
                for mut s in page.into_iter().filter(|s| s.status.is_public()) {
                    builder.add(maker.doc(&s));
                    clean_service(&mut s);
                    records.insert(&s);
                    service_at_locations.extend(
                        s.service_at_locations
                            .iter()
                            .map(|l| (l.id.clone(), s.id.clone())),
                    );
                    if s.minimum_age.is_some() || s.maximum_age.is_some() {
                        ages.insert(s.id.clone(), (s.minimum_age, s.maximum_age));
                    }
                }
                if done {
                    break;
                }
            }
            builder.build()
        };
        records.finish();
        service_at_locations.sort_unstable();
        let mut organizations_by_name: Vec<&Organization> = frame.organizations.iter().collect();
        organizations_by_name.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let organizations_by_name = organizations_by_name
            .into_iter()
            .map(|o| o.id.clone())
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
            taxonomies: frame.taxonomies,
            terms: frame
                .taxonomy_terms
                .into_iter()
                .map(|t| (t.id.clone(), t))
                .collect(),
            // Cleaned once here, like the records a MapReader hands out: pages that show an
            // organisation's address from the read model get only real links and addresses.
            organizations: frame
                .organizations
                .into_iter()
                .map(|mut o| {
                    clean_organization(&mut o);
                    (o.id.clone(), o)
                })
                .collect(),
            organizations_by_name,
            records,
            service_at_locations,
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

    /// Where the read model's bytes go, counted: (part, bytes held), largest parts first.
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        let (_, records) = self.records.sizes();
        let orgs: usize = self
            .organizations
            .values()
            .map(|o| serde_json::to_string(o).map_or(0, |j| j.len()))
            .sum();
        let sals: usize = self
            .service_at_locations
            .iter()
            .map(|(a, b)| a.len() + b.len() + 2 * std::mem::size_of::<String>())
            .sum();
        let mut parts = self.index.sizes();
        parts.push(("service records (LZ4 + dictionary)", records));
        parts.push(("organisations (as JSON, approx.)", orgs));
        parts.push(("service-at-location ids", sals));
        parts.sort_by_key(|(_, b)| std::cmp::Reverse(*b));
        parts
    }
}
