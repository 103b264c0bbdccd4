//! `SocialMapWrite`: an import in one transaction, written in multi-row statements; the links of
//! each service are replaced as a whole.

use crate::SqlStore;
use crate::meta::bump_version;
use crate::rows::{AnyQuery, insert_all, to_json};
use async_trait::async_trait;
use kapstok_domain::model::{
    Attribute, Directory, Location, Organization, Service, ServiceAtLocation, Taxonomy,
    TaxonomyRole, TaxonomyTerm,
};
use kapstok_store::{ImportSummary, SocialMapWrite, StoreResult};
use std::collections::HashSet;
use tracing::instrument;

/// Services written per round: their locations, records, and links.
const SERVICES_PER_ROUND: usize = 2_000;

fn bind_taxonomy<'q>(q: AnyQuery<'q>, t: &&Taxonomy) -> AnyQuery<'q> {
    q.bind(t.id.to_string())
        .bind(t.name.clone())
        .bind(t.description.clone())
        .bind(t.uri.clone())
        .bind(t.version.clone())
        .bind(t.kapstok_facet.clone())
        .bind(t.kapstok_order)
        .bind(t.kapstok_role.map(TaxonomyRole::as_str))
}

fn bind_term<'q>(q: AnyQuery<'q>, t: &&TaxonomyTerm) -> AnyQuery<'q> {
    q.bind(t.id.to_string())
        .bind(t.taxonomy_id.as_deref().map(str::to_string))
        .bind(t.code.clone())
        .bind(t.name.clone())
        .bind(t.description.clone())
        .bind(t.parent_id.as_deref().map(str::to_string))
        .bind(t.language.clone())
        .bind(t.term_uri.clone())
        .bind(t.kapstok_order)
}

fn bind_organization<'q>(q: AnyQuery<'q>, o: &&Organization) -> AnyQuery<'q> {
    q.bind(o.id.to_string())
        .bind(o.name.clone())
        .bind(to_json(o))
}

fn bind_location<'q>(q: AnyQuery<'q>, l: &&Location) -> AnyQuery<'q> {
    q.bind(l.id.to_string())
        .bind(l.organization_id.as_deref().map(str::to_string))
        .bind(l.location_type.clone())
        .bind(l.postal_code().map(str::to_string))
        .bind(l.latitude)
        .bind(l.longitude)
        .bind(to_json(l))
}

fn bind_service<'q>(q: AnyQuery<'q>, s: &&Service) -> AnyQuery<'q> {
    // Links live in their own tables; the record keeps the rest.
    let core = Service {
        service_at_locations: Vec::new(),
        attributes: Vec::new(),
        ..(*s).clone()
    };
    q.bind(s.id.to_string())
        .bind(s.organization_id.to_string())
        .bind(s.name.clone())
        .bind(s.status.as_str())
        .bind(s.assured_date.clone())
        .bind(s.last_modified.clone())
        .bind(to_json(&core))
}

/// (service id, position, attribute)
fn bind_attribute<'q>(
    q: AnyQuery<'q>,
    (service, i, a): &(&str, usize, &Attribute),
) -> AnyQuery<'q> {
    q.bind(a.id.clone())
        .bind(service.to_string())
        .bind(a.taxonomy_term_id.to_string())
        .bind(a.link_type.clone())
        .bind(a.link_entity.clone())
        .bind(a.value.clone())
        .bind(*i as i64)
}

/// (service id, position, service at location)
fn bind_sal<'q>(
    q: AnyQuery<'q>,
    (service, i, sal): &(&str, usize, &ServiceAtLocation),
) -> AnyQuery<'q> {
    q.bind(sal.id.clone())
        .bind(service.to_string())
        .bind(sal.location.id.to_string())
        .bind(sal.description.clone())
        .bind(*i as i64)
}

#[async_trait]
impl SocialMapWrite for SqlStore {
    #[instrument(skip_all, fields(services = dir.services.len()))]
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let taxonomies: Vec<&Taxonomy> = dir.taxonomies.iter().collect();
        insert_all(
            conn,
            self.placeholder(),
            "INSERT INTO taxonomies (id, name, description, uri, version, facet_key, sort_order, role)",
            8,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, uri = excluded.uri, \
             version = excluded.version, facet_key = excluded.facet_key, sort_order = excluded.sort_order, role = excluded.role",
            &taxonomies,
            bind_taxonomy,
        )
        .await?;
        // Parents before children, so the parent_id reference always resolves.
        let mut terms: Vec<&TaxonomyTerm> = dir.taxonomy_terms.iter().collect();
        terms.sort_by_key(|t| t.parent_id.is_some());
        insert_all(
            conn,
            self.placeholder(),
            "INSERT INTO taxonomy_terms (id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order)",
            9,
            "ON CONFLICT (id) DO UPDATE SET taxonomy_id = excluded.taxonomy_id, \
             code = excluded.code, name = excluded.name, description = excluded.description, parent_id = excluded.parent_id, \
             language = excluded.language, term_uri = excluded.term_uri, sort_order = excluded.sort_order",
            &terms,
            bind_term,
        )
        .await?;
        let organizations: Vec<&Organization> = dir.organizations.iter().collect();
        insert_all(
            conn,
            self.placeholder(),
            "INSERT INTO organizations (id, name, details)",
            3,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, details = excluded.details",
            &organizations,
            bind_organization,
        )
        .await?;
        let mut written_locations = HashSet::new();
        let mut done = 0;
        for round in dir.services.chunks(SERVICES_PER_ROUND) {
            let locations: Vec<&Location> = round
                .iter()
                .flat_map(|s| &s.service_at_locations)
                .map(|sal| &sal.location)
                .filter(|l| written_locations.insert(l.id.as_str()))
                .collect();
            insert_all(
                conn,
                self.placeholder(),
                "INSERT INTO locations (id, organization_id, location_type, postal_code, latitude, longitude, details)",
                7,
                "ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
                 location_type = excluded.location_type, postal_code = excluded.postal_code, latitude = excluded.latitude, \
                 longitude = excluded.longitude, details = excluded.details",
                &locations,
                bind_location,
            )
            .await?;
            let services: Vec<&Service> = round.iter().collect();
            insert_all(
                conn,
                self.placeholder(),
                "INSERT INTO services (id, organization_id, name, status, assured_date, last_modified, details)",
                7,
                "ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name, status = excluded.status, \
                 assured_date = excluded.assured_date, last_modified = excluded.last_modified, details = excluded.details",
                &services,
                bind_service,
            )
            .await?;
            // Links are replaced as a whole: the document is the truth for these services.
            let ids = to_json(&round.iter().map(|s| s.id.as_str()).collect::<Vec<_>>());
            for table in ["service_attributes", "service_at_locations"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE service_id IN ({})",
                    self.json_strings("$1")
                )))
                .bind(ids.clone())
                .execute(&mut *conn)
                .await?;
            }
            let attributes: Vec<(&str, usize, &Attribute)> = round
                .iter()
                .flat_map(|s| {
                    s.attributes
                        .iter()
                        .enumerate()
                        .map(|(i, a)| (s.id.as_str(), i, a))
                })
                .collect();
            insert_all(
                conn,
                self.placeholder(),
                "INSERT INTO service_attributes (id, service_id, taxonomy_term_id, link_type, link_entity, value, position)",
                7,
                "",
                &attributes,
                bind_attribute,
            )
            .await?;
            let sals: Vec<(&str, usize, &ServiceAtLocation)> = round
                .iter()
                .flat_map(|s| {
                    s.service_at_locations
                        .iter()
                        .enumerate()
                        .map(|(i, sal)| (s.id.as_str(), i, sal))
                })
                .collect();
            insert_all(
                conn,
                self.placeholder(),
                "INSERT INTO service_at_locations (id, service_id, location_id, description, position)",
                5,
                "",
                &sals,
                bind_sal,
            )
            .await?;
            let before = done;
            done += round.len();
            if done / 10_000 > before / 10_000 {
                // Progress for large imports (the command line shows it on standard error).
                tracing::info!(done, of = dir.services.len(), "importing services");
            }
        }
        bump_version(conn).await?;
        tx.commit().await?;
        Ok(ImportSummary {
            taxonomies: dir.taxonomies.len(),
            taxonomy_terms: dir.taxonomy_terms.len(),
            organizations: dir.organizations.len(),
            services: dir.services.len(),
            locations: written_locations.len(),
        })
    }
}
