//! `SocialMapWrite`: an import in one transaction, written batch by batch in multi-row
//! statements; the links of each service are replaced as a whole.

use crate::meta::bump_version;
use crate::rows::{AnyQuery, insert_all, to_json};
use crate::{Backend, SqlStore};
use async_trait::async_trait;
use kapstok_domain::model::{
    Attribute, Location, LocationId, Organization, Service, ServiceAtLocation, Taxonomy,
    TaxonomyRole, TaxonomyTerm,
};
use kapstok_store::{ImportSession, ImportSummary, SocialMapWrite, StoreResult};
use sqlx::{Any, Transaction};
use std::collections::HashSet;

fn bind_taxonomy<'q>(q: AnyQuery<'q>, t: &Taxonomy) -> AnyQuery<'q> {
    q.bind(t.id.to_string())
        .bind(t.name.clone())
        .bind(t.description.clone())
        .bind(t.uri.clone())
        .bind(t.version.clone())
        .bind(t.kapstok_facet.clone())
        .bind(t.kapstok_order)
        .bind(t.kapstok_role.map(TaxonomyRole::as_str))
}

fn bind_term<'q>(q: AnyQuery<'q>, t: &TaxonomyTerm) -> AnyQuery<'q> {
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

fn bind_organization<'q>(q: AnyQuery<'q>, o: &Organization) -> AnyQuery<'q> {
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

fn bind_service<'q>(q: AnyQuery<'q>, s: &Service) -> AnyQuery<'q> {
    // Links live in their own tables; the record keeps the rest.
    let core = Service {
        service_at_locations: Vec::new(),
        attributes: Vec::new(),
        ..s.clone()
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
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportSession>> {
        Ok(Box::new(self.writer().await?))
    }
}

impl SqlStore {
    /// A transaction that writes records as an import does (references checked at commit).
    pub(crate) async fn writer(&self) -> StoreResult<SqlImport> {
        let mut tx = self.begin().await?;
        // Records may come in any order (services before their organisation, a term before its
        // parent): references are checked when the transaction commits.
        let defer = match self.backend {
            Backend::Sqlite => "PRAGMA defer_foreign_keys = ON",
            Backend::Postgres => "SET CONSTRAINTS ALL DEFERRED",
        };
        sqlx::query(defer).execute(&mut *tx).await?;
        Ok(SqlImport {
            store: self.clone(),
            tx,
            summary: ImportSummary::default(),
            written_locations: HashSet::new(),
        })
    }
}

/// One import: a transaction and what it wrote so far.
pub(crate) struct SqlImport {
    store: SqlStore,
    pub(crate) tx: Transaction<'static, Any>,
    summary: ImportSummary,
    /// Locations shared by services are written once.
    written_locations: HashSet<LocationId>,
}

#[async_trait]
impl ImportSession for SqlImport {
    async fn taxonomies(&mut self, records: &[Taxonomy]) -> StoreResult<()> {
        insert_all(
            &mut self.tx,
            self.store.placeholder(),
            "INSERT INTO taxonomies (id, name, description, uri, version, facet_key, sort_order, role)",
            8,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, uri = excluded.uri, \
             version = excluded.version, facet_key = excluded.facet_key, sort_order = excluded.sort_order, role = excluded.role",
            records,
            bind_taxonomy,
        )
        .await?;
        self.summary.taxonomies += records.len();
        Ok(())
    }

    async fn taxonomy_terms(&mut self, records: &[TaxonomyTerm]) -> StoreResult<()> {
        insert_all(
            &mut self.tx,
            self.store.placeholder(),
            "INSERT INTO taxonomy_terms (id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order)",
            9,
            "ON CONFLICT (id) DO UPDATE SET taxonomy_id = excluded.taxonomy_id, \
             code = excluded.code, name = excluded.name, description = excluded.description, parent_id = excluded.parent_id, \
             language = excluded.language, term_uri = excluded.term_uri, sort_order = excluded.sort_order",
            records,
            bind_term,
        )
        .await?;
        self.summary.taxonomy_terms += records.len();
        Ok(())
    }

    async fn organizations(&mut self, records: &[Organization]) -> StoreResult<()> {
        insert_all(
            &mut self.tx,
            self.store.placeholder(),
            "INSERT INTO organizations (id, name, details)",
            3,
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, details = excluded.details",
            records,
            bind_organization,
        )
        .await?;
        self.summary.organizations += records.len();
        Ok(())
    }

    async fn services(&mut self, round: &[Service]) -> StoreResult<()> {
        let mark = self.store.placeholder();
        let written = &mut self.written_locations;
        let locations: Vec<&Location> = round
            .iter()
            .flat_map(|s| &s.service_at_locations)
            .map(|sal| &sal.location)
            .filter(|l| written.insert(l.id.clone()))
            .collect();
        let conn = &mut *self.tx;
        insert_all(
            conn,
            mark,
            "INSERT INTO locations (id, organization_id, location_type, postal_code, latitude, longitude, details)",
            7,
            "ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
             location_type = excluded.location_type, postal_code = excluded.postal_code, latitude = excluded.latitude, \
             longitude = excluded.longitude, details = excluded.details",
            &locations,
            bind_location,
        )
        .await?;
        self.summary.locations += locations.len();
        insert_all(
            conn,
            mark,
            "INSERT INTO services (id, organization_id, name, status, assured_date, last_modified, details)",
            7,
            "ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name, status = excluded.status, \
             assured_date = excluded.assured_date, last_modified = excluded.last_modified, details = excluded.details",
            round,
            bind_service,
        )
        .await?;
        // Links are replaced as a whole: the document is the truth for these services.
        let ids = to_json(&round.iter().map(|s| s.id.as_str()).collect::<Vec<_>>());
        for table in ["service_attributes", "service_at_locations"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE service_id IN ({})",
                self.store.json_strings("$1")
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
            mark,
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
            mark,
            "INSERT INTO service_at_locations (id, service_id, location_id, description, position)",
            5,
            "",
            &sals,
            bind_sal,
        )
        .await?;
        let before = self.summary.services;
        self.summary.services += round.len();
        if self.summary.services / 10_000 > before / 10_000 {
            // Progress for large imports (the command line shows it on standard error).
            tracing::info!(done = self.summary.services, "importing services");
        }
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> StoreResult<ImportSummary> {
        bump_version(&mut self.tx).await?;
        self.tx.commit().await?;
        Ok(self.summary)
    }
}
