//! Reading the public social map: searches on the read model, records from the store.

use crate::AppResult;
use kapstok_domain::fields::{clean_organization, clean_service};
use kapstok_domain::model::{
    Organization, Service, ServiceAtLocation, ServiceStatus, Taxonomy, TaxonomyTerm,
};
use kapstok_domain::paging::Paging;
use kapstok_search::Catalog;
use kapstok_store::SocialMapRead;
use std::sync::Arc;

/// The capability to read the public social map. Holds the read side of the store only.
pub struct MapReader {
    store: Arc<dyn SocialMapRead>,
    catalog: Arc<Catalog>,
}

impl MapReader {
    pub(crate) fn new(store: Arc<dyn SocialMapRead>, catalog: Arc<Catalog>) -> Self {
        MapReader { store, catalog }
    }

    /// The read model this reader was handed (search index and lookups).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Public services by id, in the order asked; unknown and non-public ones left out; links
    /// and addresses cleaned (`fields::clean_service`).
    pub async fn services(&self, ids: &[String]) -> AppResult<Vec<Service>> {
        let mut services = self.store.services(ids).await?;
        services.retain(|s| s.status.is_public());
        services.iter_mut().for_each(clean_service);
        Ok(services)
    }

    /// One public service.
    pub async fn service(&self, id: &str) -> AppResult<Option<Service>> {
        Ok(self.services(&[id.to_string()]).await?.pop())
    }

    pub async fn organization(&self, id: &str) -> AppResult<Option<Organization>> {
        let mut org = self.store.organization(id).await?;
        org.iter_mut().for_each(clean_organization);
        Ok(org)
    }

    pub async fn organizations(&self, paging: Paging) -> AppResult<(Vec<Organization>, u64)> {
        let (mut orgs, total) = self.store.organizations(paging).await?;
        orgs.iter_mut().for_each(clean_organization);
        Ok((orgs, total))
    }

    pub async fn taxonomies(&self, paging: Paging) -> AppResult<(Vec<Taxonomy>, u64)> {
        Ok(self.store.taxonomies(paging).await?)
    }

    pub async fn taxonomy(&self, id: &str) -> AppResult<Option<Taxonomy>> {
        Ok(self.store.taxonomy(id).await?)
    }

    pub async fn taxonomy_terms(
        &self,
        taxonomy_id: Option<&str>,
        paging: Paging,
    ) -> AppResult<(Vec<TaxonomyTerm>, u64)> {
        Ok(self.store.taxonomy_terms(taxonomy_id, paging).await?)
    }

    pub async fn taxonomy_term(&self, id: &str) -> AppResult<Option<TaxonomyTerm>> {
        Ok(self.store.taxonomy_term(id).await?)
    }

    /// Service-at-location records of public services only.
    pub async fn service_at_locations(
        &self,
        paging: Paging,
    ) -> AppResult<(Vec<ServiceAtLocation>, u64)> {
        let public: Vec<ServiceStatus> = ServiceStatus::ALL
            .into_iter()
            .filter(|s| s.is_public())
            .collect();
        Ok(self.store.service_at_locations(&public, paging).await?)
    }

    /// One service-at-location record, if its service is public.
    pub async fn service_at_location(&self, id: &str) -> AppResult<Option<ServiceAtLocation>> {
        let Some(sal) = self.store.service_at_location(id).await? else {
            return Ok(None);
        };
        let service = match &sal.service_id {
            Some(sid) => self.service(sid).await?,
            None => None,
        };
        Ok(service.map(|_| sal))
    }
}
