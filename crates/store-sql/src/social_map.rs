//! `SocialMapRead`: the map streamed for the read model, and records by id.

use crate::SqlStore;
use crate::rows::{
    DetailsRow, SAL_SELECT, SalRow, TAXONOMY_SELECT, TERM_SELECT, TaxonomyRow, TermRow, by_id,
    details_from, from_json, sal_from, taxonomy_from, term_from, to_json,
};
use async_trait::async_trait;
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{Attribute, Directory, Organization, Service, ServiceId};
use kapstok_store::{SocialMapRead, StoreError, StoreResult};
use sqlx::Row;
use std::collections::HashMap;
use tracing::instrument;

/// (id, taxonomy_term_id, link_type, link_entity, value)
type AttributeRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl SqlStore {
    /// Fills in attributes and locations of the given services: two queries, whatever the count.
    async fn attach(&self, mut services: Vec<Service>) -> StoreResult<Vec<Service>> {
        if services.is_empty() {
            return Ok(services);
        }
        let ids = to_json(&services.iter().map(|s| s.id.as_str()).collect::<Vec<_>>());
        let attrs: Vec<(String, AttributeRow)> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT service_id, id, taxonomy_term_id, link_type, link_entity, value FROM service_attributes \
             WHERE service_id IN ({}) ORDER BY service_id, position",
            self.json_strings("$1")
        )))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?))))
        .collect::<Result<_, sqlx::Error>>()?;
        let sals: Vec<SalRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SAL_SELECT} WHERE sal.service_id IN ({}) ORDER BY sal.service_id, sal.position",
            self.json_strings("$1")
        )))
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        let position: HashMap<ServiceId, usize> = services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        for (service_id, (id, taxonomy_term_id, link_type, link_entity, value)) in attrs {
            if let Some(&i) = position.get(service_id.as_str()) {
                services[i].attributes.push(Attribute {
                    id,
                    taxonomy_term_id: taxonomy_term_id.into(),
                    link_id: Some(service_id),
                    link_type,
                    link_entity,
                    value,
                });
            }
        }
        for row in sals {
            if let Some(&i) = position.get(row.0.as_str()) {
                services[i].service_at_locations.push(sal_from(row)?);
            }
        }
        Ok(services)
    }
}

#[async_trait]
impl SocialMapRead for SqlStore {
    async fn is_empty(&self) -> StoreResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM services) + (SELECT COUNT(*) FROM organizations)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }

    #[instrument(skip_all)]
    async fn map_frame(&self) -> StoreResult<Directory> {
        let taxonomies: Vec<TaxonomyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TAXONOMY_SELECT} ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let terms: Vec<TermRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{TERM_SELECT} ORDER BY id")))
                .fetch_all(&self.pool)
                .await?;
        let orgs: Vec<DetailsRow> =
            sqlx::query_as("SELECT id, details FROM organizations ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        Ok(Directory {
            taxonomies: taxonomies
                .into_iter()
                .map(taxonomy_from)
                .collect::<StoreResult<_>>()?,
            taxonomy_terms: terms
                .into_iter()
                .map(term_from)
                .collect::<StoreResult<_>>()?,
            organizations: orgs
                .into_iter()
                .map(details_from)
                .collect::<StoreResult<_>>()?,
            services: Vec::new(),
        })
    }

    async fn services_after(&self, after: Option<&str>, limit: usize) -> StoreResult<Vec<Service>> {
        // Two statements rather than `$1 IS NULL OR id > $1`, so both planners walk the key.
        let rows: Vec<DetailsRow> = match after {
            None => sqlx::query_as("SELECT id, details FROM services ORDER BY id LIMIT $1")
                .bind(limit as i64),
            Some(after) => sqlx::query_as(
                "SELECT id, details FROM services WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(after.to_string())
            .bind(limit as i64),
        }
        .fetch_all(&self.pool)
        .await?;
        let services = rows
            .into_iter()
            .map(details_from)
            .collect::<StoreResult<Vec<Service>>>()?;
        self.attach(services).await
    }

    async fn known_ids(&self) -> StoreResult<KnownIds> {
        let ids = |sql: &'static str| async move {
            let v: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&self.pool).await?;
            Ok::<_, StoreError>(v.into_iter().map(|(s,)| s).collect())
        };
        Ok(KnownIds {
            taxonomies: ids("SELECT id FROM taxonomies").await?,
            taxonomy_terms: ids("SELECT id FROM taxonomy_terms").await?,
            organizations: ids("SELECT id FROM organizations").await?,
            services: ids("SELECT id FROM services").await?,
        })
    }

    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>> {
        let rows: Vec<DetailsRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, details FROM services WHERE id IN ({})",
            self.json_strings("$1")
        )))
        .bind(to_json(&ids))
        .fetch_all(&self.pool)
        .await?;
        let mut found: HashMap<String, Service> = rows
            .into_iter()
            .map(|(id, details)| Ok((id.clone(), from_json(&id, &details)?)))
            .collect::<StoreResult<_>>()?;
        let ordered = ids.iter().filter_map(|id| found.remove(id)).collect();
        self.attach(ordered).await
    }

    async fn organization(&self, id: &str) -> StoreResult<Option<Organization>> {
        by_id::<DetailsRow, _>(
            &self.pool,
            "SELECT id, details FROM organizations WHERE id = $1",
            id,
            details_from,
        )
        .await
    }
}
