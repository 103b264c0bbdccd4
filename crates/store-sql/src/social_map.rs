//! `SocialMapRead`: the whole map for the search index, and records by id or page for the API.

use crate::SqlStore;
use crate::rows::{
    DetailsRow, SAL_SELECT, SalRow, TAXONOMY_SELECT, TERM_SELECT, TaxonomyRow, TermRow, by_id,
    details_from, from_json, page, sal_from, taxonomy_from, term_from, to_json,
};
use async_trait::async_trait;
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{
    Attribute, Directory, Location, Organization, Service, ServiceAtLocation, ServiceId,
    ServiceStatus, Taxonomy, TaxonomyTerm,
};
use kapstok_domain::paging::Paging;
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
    async fn load_directory(&self) -> StoreResult<Directory> {
        let taxonomies: Vec<TaxonomyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TAXONOMY_SELECT} ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let terms: Vec<TermRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{TERM_SELECT} ORDER BY id")))
                .fetch_all(&self.pool)
                .await?;
        let orgs: Vec<(String, String)> =
            sqlx::query_as("SELECT id, details FROM organizations ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let locations: Vec<(String, String)> = sqlx::query_as("SELECT id, details FROM locations")
            .fetch_all(&self.pool)
            .await?;
        let locations: HashMap<String, Location> = locations
            .into_iter()
            .map(|(id, d)| Ok((id.clone(), from_json(&id, &d)?)))
            .collect::<StoreResult<_>>()?;
        let mut attrs: HashMap<String, Vec<Attribute>> = HashMap::new();
        let rows = sqlx::query(
            "SELECT id, service_id, taxonomy_term_id, link_type, link_entity, value FROM service_attributes ORDER BY service_id, position",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let service_id: String = r.try_get(1)?;
            attrs
                .entry(service_id.clone())
                .or_default()
                .push(Attribute {
                    id: r.try_get(0)?,
                    taxonomy_term_id: r.try_get::<String, _>(2)?.into(),
                    link_id: Some(service_id),
                    link_type: r.try_get(3)?,
                    link_entity: r.try_get(4)?,
                    value: r.try_get(5)?,
                });
        }
        let mut sals: HashMap<String, Vec<ServiceAtLocation>> = HashMap::new();
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, service_id, location_id, description FROM service_at_locations ORDER BY service_id, position",
        )
        .fetch_all(&self.pool)
        .await?;
        for (id, service_id, location_id, description) in rows {
            let location =
                locations
                    .get(&location_id)
                    .cloned()
                    .ok_or_else(|| StoreError::Corrupt {
                        id: id.clone(),
                        reason: format!("missing location {location_id}"),
                    })?;
            sals.entry(service_id.clone())
                .or_default()
                .push(ServiceAtLocation {
                    id,
                    service_id: Some(service_id.into()),
                    description,
                    location,
                });
        }
        let services: Vec<(String, String)> =
            sqlx::query_as("SELECT id, details FROM services ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        let mut dir = Directory {
            taxonomies: taxonomies
                .into_iter()
                .map(taxonomy_from)
                .collect::<StoreResult<_>>()?,
            taxonomy_terms: terms
                .into_iter()
                .map(term_from)
                .collect::<StoreResult<_>>()?,
            organizations: orgs
                .iter()
                .map(|(id, d)| from_json(id, d))
                .collect::<StoreResult<_>>()?,
            services: services
                .iter()
                .map(|(id, d)| {
                    let mut s: Service = from_json(id, d)?;
                    s.attributes = attrs.remove(id).unwrap_or_default();
                    s.service_at_locations = sals.remove(id).unwrap_or_default();
                    Ok(s)
                })
                .collect::<StoreResult<_>>()?,
        };
        dir.normalize();
        Ok(dir)
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
        })
    }

    async fn service(&self, id: &str) -> StoreResult<Option<Service>> {
        Ok(self.services(&[id.to_string()]).await?.pop())
    }

    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT details FROM services WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            if let Some((details,)) = row {
                out.push(from_json(id, &details)?);
            }
        }
        self.attach(out).await
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

    async fn organizations(&self, paging: Paging) -> StoreResult<(Vec<Organization>, u64)> {
        page::<DetailsRow, _>(
            &self.pool,
            "SELECT id, details FROM organizations ORDER BY name, id",
            "SELECT COUNT(*) FROM organizations",
            None,
            paging,
            details_from,
        )
        .await
    }

    async fn taxonomies(&self, paging: Paging) -> StoreResult<(Vec<Taxonomy>, u64)> {
        page::<TaxonomyRow, _>(
            &self.pool,
            &format!("{TAXONOMY_SELECT} ORDER BY sort_order, name"),
            "SELECT COUNT(*) FROM taxonomies",
            None,
            paging,
            taxonomy_from,
        )
        .await
    }

    async fn taxonomy(&self, id: &str) -> StoreResult<Option<Taxonomy>> {
        by_id::<TaxonomyRow, _>(
            &self.pool,
            &format!("{TAXONOMY_SELECT} WHERE id = $1"),
            id,
            taxonomy_from,
        )
        .await
    }

    async fn taxonomy_terms(
        &self,
        taxonomy_id: Option<&str>,
        paging: Paging,
    ) -> StoreResult<(Vec<TaxonomyTerm>, u64)> {
        page::<TermRow, _>(
            &self.pool,
            &format!(
                "{TERM_SELECT} WHERE ($1 IS NULL OR taxonomy_id = $1) ORDER BY taxonomy_id, sort_order, name"
            ),
            "SELECT COUNT(*) FROM taxonomy_terms WHERE ($1 IS NULL OR taxonomy_id = $1)",
            Some(taxonomy_id),
            paging,
            term_from,
        )
        .await
    }

    async fn taxonomy_term(&self, id: &str) -> StoreResult<Option<TaxonomyTerm>> {
        by_id::<TermRow, _>(
            &self.pool,
            &format!("{TERM_SELECT} WHERE id = $1"),
            id,
            term_from,
        )
        .await
    }

    async fn service_at_locations(
        &self,
        statuses: &[ServiceStatus],
        paging: Paging,
    ) -> StoreResult<(Vec<ServiceAtLocation>, u64)> {
        let statuses = to_json(&statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        let of_status = format!(
            "sal.service_id IN (SELECT id FROM services WHERE status IN ({}))",
            self.json_strings("$1")
        );
        page::<SalRow, _>(
            &self.pool,
            &format!("{SAL_SELECT} WHERE {of_status} ORDER BY sal.id"),
            &format!("SELECT COUNT(*) FROM service_at_locations sal WHERE {of_status}"),
            Some(Some(statuses.as_str())),
            paging,
            sal_from,
        )
        .await
    }

    async fn service_at_location(&self, id: &str) -> StoreResult<Option<ServiceAtLocation>> {
        by_id::<SalRow, _>(
            &self.pool,
            &format!("{SAL_SELECT} WHERE sal.id = $1"),
            id,
            sal_from,
        )
        .await
    }
}
