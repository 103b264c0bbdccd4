//! `SocialMapWrite`: an import in one transaction; links of each service replaced as a whole.

use crate::SqliteStore;
use crate::meta::bump_version;
use crate::rows::to_json;
use async_trait::async_trait;
use kapstok_domain::model::{Directory, Service, TaxonomyRole, TaxonomyTerm};
use kapstok_store::{ImportSummary, SocialMapWrite, StoreResult};
use tracing::instrument;

#[async_trait]
impl SocialMapWrite for SqliteStore {
    #[instrument(skip_all, fields(services = dir.services.len()))]
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut summary = ImportSummary::default();
        for t in &dir.taxonomies {
            sqlx::query(
                "INSERT INTO taxonomies (id, name, description, uri, version, facet_key, sort_order, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, uri = excluded.uri, \
                 version = excluded.version, facet_key = excluded.facet_key, sort_order = excluded.sort_order, role = excluded.role",
            )
            .bind(t.id.as_str())
            .bind(&t.name)
            .bind(&t.description)
            .bind(&t.uri)
            .bind(&t.version)
            .bind(&t.kapstok_facet)
            .bind(t.kapstok_order)
            .bind(t.kapstok_role.map(TaxonomyRole::as_str))
            .execute(&mut *tx)
            .await?;
            summary.taxonomies += 1;
        }
        // Parents before children, so the parent_id reference always resolves.
        let mut terms: Vec<&TaxonomyTerm> = dir.taxonomy_terms.iter().collect();
        terms.sort_by_key(|t| t.parent_id.is_some());
        for t in terms {
            sqlx::query(
                "INSERT INTO taxonomy_terms (id, taxonomy_id, code, name, description, parent_id, language, term_uri, sort_order) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET taxonomy_id = excluded.taxonomy_id, \
                 code = excluded.code, name = excluded.name, description = excluded.description, parent_id = excluded.parent_id, \
                 language = excluded.language, term_uri = excluded.term_uri, sort_order = excluded.sort_order",
            )
            .bind(t.id.as_str())
            .bind(t.taxonomy_id.as_deref())
            .bind(&t.code)
            .bind(&t.name)
            .bind(&t.description)
            .bind(t.parent_id.as_deref())
            .bind(&t.language)
            .bind(&t.term_uri)
            .bind(t.kapstok_order)
            .execute(&mut *tx)
            .await?;
            summary.taxonomy_terms += 1;
        }
        for o in &dir.organizations {
            sqlx::query(
                "INSERT INTO organizations (id, name, details) VALUES (?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, details = excluded.details",
            )
            .bind(o.id.as_str())
            .bind(&o.name)
            .bind(to_json(o))
            .execute(&mut *tx)
            .await?;
            summary.organizations += 1;
        }
        let mut written_locations = std::collections::HashSet::new();
        for s in &dir.services {
            for sal in &s.service_at_locations {
                let l = &sal.location;
                if !written_locations.insert(l.id.as_str()) {
                    continue;
                }
                sqlx::query(
                    "INSERT INTO locations (id, organization_id, location_type, postal_code, latitude, longitude, details) \
                     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, \
                     location_type = excluded.location_type, postal_code = excluded.postal_code, latitude = excluded.latitude, \
                     longitude = excluded.longitude, details = excluded.details",
                )
                .bind(l.id.as_str())
                .bind(l.organization_id.as_deref())
                .bind(&l.location_type)
                .bind(l.postal_code())
                .bind(l.latitude)
                .bind(l.longitude)
                .bind(to_json(l))
                .execute(&mut *tx)
                .await?;
                summary.locations += 1;
            }
            let core = Service {
                service_at_locations: Vec::new(),
                attributes: Vec::new(),
                ..s.clone()
            };
            sqlx::query(
                "INSERT INTO services (id, organization_id, name, status, assured_date, last_modified, details) VALUES (?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (id) DO UPDATE SET organization_id = excluded.organization_id, name = excluded.name, status = excluded.status, \
                 assured_date = excluded.assured_date, last_modified = excluded.last_modified, details = excluded.details",
            )
            .bind(s.id.as_str())
            .bind(s.organization_id.as_str())
            .bind(&s.name)
            .bind(s.status.as_str())
            .bind(&s.assured_date)
            .bind(&s.last_modified)
            .bind(to_json(&core))
            .execute(&mut *tx)
            .await?;
            // Links are replaced as a whole: the document is the truth for this service.
            sqlx::query("DELETE FROM service_attributes WHERE service_id = ?")
                .bind(s.id.as_str())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM service_at_locations WHERE service_id = ?")
                .bind(s.id.as_str())
                .execute(&mut *tx)
                .await?;
            for (i, a) in s.attributes.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO service_attributes (id, service_id, taxonomy_term_id, link_type, link_entity, value, position) \
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&a.id)
                .bind(s.id.as_str())
                .bind(a.taxonomy_term_id.as_str())
                .bind(&a.link_type)
                .bind(&a.link_entity)
                .bind(&a.value)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
            }
            for (i, sal) in s.service_at_locations.iter().enumerate() {
                sqlx::query("INSERT INTO service_at_locations (id, service_id, location_id, description, position) VALUES (?, ?, ?, ?, ?)")
                    .bind(&sal.id)
                    .bind(s.id.as_str())
                    .bind(sal.location.id.as_str())
                    .bind(&sal.description)
                    .bind(i as i64)
                    .execute(&mut *tx)
                    .await?;
            }
            summary.services += 1;
            if summary.services % 10_000 == 0 {
                // Progress for large imports (the command line shows it on standard error).
                tracing::info!(
                    done = summary.services,
                    of = dir.services.len(),
                    "importing services"
                );
            }
        }
        bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(summary)
    }
}
