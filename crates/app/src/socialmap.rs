//! Reading the public social map: searches and records, all from the read model in memory (the
//! database is read only to build it). Only public services are in it, cleaned
//! (`fields::clean_service`), so nothing here can hand out anything else.

use kapstok_domain::hsds::compiled::{nest_service, nest_term};
use kapstok_domain::model::{Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm};
use kapstok_domain::paging::Paging;
use kapstok_search::Catalog;
use kapstok_search::SearchQuery;
use serde_json::Value;
use serde_json::value::RawValue;
use std::sync::Arc;

/// The capability to read the public social map: one snapshot of the read model, so a search
/// and the records it names always agree.
pub struct MapReader {
    catalog: Arc<Catalog>,
}

/// The positions of `paging`'s page in a list of `len`.
fn window(len: usize, paging: Paging) -> std::ops::Range<usize> {
    let start = paging.offset().min(len);
    start..start.saturating_add(paging.limit()).min(len)
}

fn page_of<T: Clone>(items: &[T], paging: Paging) -> (Vec<T>, u64) {
    (
        items[window(items.len(), paging)].to_vec(),
        items.len() as u64,
    )
}

impl MapReader {
    pub(crate) fn new(catalog: Arc<Catalog>) -> Self {
        MapReader { catalog }
    }

    /// The read model this reader was handed (search index and lookups).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Public services by id, in the order asked; unknown and non-public ones left out.
    pub fn services(&self, ids: &[String]) -> Vec<Service> {
        ids.iter()
            .filter_map(|id| self.catalog.records.service(id))
            .collect()
    }

    /// One public service.
    pub fn service(&self, id: &str) -> Option<Service> {
        self.catalog.records.service(id)
    }

    /// Public services as their stored JSON, in the order asked (the API embeds it unparsed).
    pub fn services_json(&self, ids: &[String]) -> Vec<Box<RawValue>> {
        ids.iter()
            .filter_map(|id| self.catalog.records.raw(id))
            .collect()
    }

    pub fn service_json(&self, id: &str) -> Option<Box<RawValue>> {
        self.catalog.records.raw(id)
    }

    pub fn organization(&self, id: &str) -> Option<Organization> {
        self.catalog.organization(id)
    }

    /// Organisations by name.
    pub fn organizations(&self, paging: Paging) -> (Vec<Organization>, u64) {
        let all = &self.catalog.organizations;
        let start = paging.offset().min(all.len());
        let end = start.saturating_add(paging.limit()).min(all.len());
        let orgs = (start..end).filter_map(|n| all.get_at(n as u32)).collect();
        (orgs, all.len() as u64)
    }

    /// Taxonomies by their order, then name.
    pub fn taxonomies(&self, paging: Paging) -> (Vec<Taxonomy>, u64) {
        let mut all = self.catalog.taxonomies.clone();
        all.sort_by(|a, b| {
            (a.kapstok_order.unwrap_or(i64::MAX), &a.name, &a.id).cmp(&(
                b.kapstok_order.unwrap_or(i64::MAX),
                &b.name,
                &b.id,
            ))
        });
        page_of(&all, paging)
    }

    pub fn taxonomy(&self, id: &str) -> Option<Taxonomy> {
        self.catalog.taxonomies.iter().find(|t| t.id == id).cloned()
    }

    /// Terms (of one taxonomy when given) by taxonomy, order, then name.
    pub fn taxonomy_terms(
        &self,
        taxonomy_id: Option<&str>,
        paging: Paging,
    ) -> (Vec<TaxonomyTerm>, u64) {
        let mut terms: Vec<&TaxonomyTerm> = self
            .catalog
            .terms
            .values()
            .filter(|t| taxonomy_id.is_none_or(|id| t.taxonomy_id.as_deref() == Some(id)))
            .collect();
        terms.sort_by_key(|t| {
            (
                t.taxonomy_id.as_deref(),
                t.kapstok_order.unwrap_or(i64::MAX),
                t.name.as_str(),
                t.id.as_str(),
            )
        });
        let all: Vec<TaxonomyTerm> = terms.into_iter().cloned().collect();
        page_of(&all, paging)
    }

    pub fn taxonomy_term(&self, id: &str) -> Option<TaxonomyTerm> {
        self.catalog.terms.get(id).cloned()
    }

    /// Service-at-location records of public services, by id.
    pub fn service_at_locations(&self, paging: Paging) -> (Vec<ServiceAtLocation>, u64) {
        let index = &self.catalog.service_at_locations;
        let at = window(index.len(), paging);
        let items = index
            .slice(at.start, at.end)
            .iter()
            .filter_map(|&(n, p)| self.sal_at(n, p))
            .collect();
        (items, index.len() as u64)
    }

    /// One service-at-location record, if its service is public.
    pub fn service_at_location(&self, id: &str) -> Option<ServiceAtLocation> {
        self.catalog
            .service_at_locations
            .candidates(id)
            .filter_map(|(n, p)| self.sal_at(n, p))
            .find(|sal| sal.id == id)
    }

    /// A public service as the HSDS API's `full` has it: its organisation nested, and each
    /// attribute's taxonomy term (with its taxonomy) nested.
    pub fn service_full(&self, id: &str) -> Option<Value> {
        let json = self.catalog.records.json(id)?;
        let service: Value = serde_json::from_str(&json).ok()?;
        let org = service["organization_id"]
            .as_str()
            .and_then(|o| self.catalog.organization(o));
        Some(nest_service(service, org.as_ref(), &|t| self.term_full(t)))
    }

    /// A public service as the HSDS API's `minimal` has it: id and last change only.
    pub fn service_minimal(&self, id: &str) -> Option<Value> {
        let json = self.catalog.records.json(id)?;
        let service: Value = serde_json::from_str(&json).ok()?;
        let mut out = serde_json::Map::new();
        for key in ["id", "last_modified"] {
            if let Some(v) = service.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        Some(Value::Object(out))
    }

    /// A taxonomy term with its taxonomy nested (`taxonomy_detail`).
    fn term_full(&self, id: &str) -> Option<Value> {
        let term = self.catalog.terms.get(id)?;
        let taxonomy = term
            .taxonomy_id
            .as_deref()
            .and_then(|t| self.catalog.taxonomies.iter().find(|x| x.id == t));
        let keep_parent = term
            .parent_id
            .as_deref()
            .is_some_and(|p| self.catalog.terms.contains_key(p));
        Some(nest_term(term, taxonomy, keep_parent))
    }

    /// The ids of an organisation's public services, by name.
    pub fn service_ids_of(&self, organization_id: &str) -> Vec<String> {
        let query = SearchQuery {
            organization_id: Some(organization_id.to_string()),
            limit: usize::MAX,
            ..SearchQuery::default()
        };
        let result = self.catalog.index.search(&query);
        result.hits.iter().map(|h| h.doc.id().to_string()).collect()
    }

    /// The number of organisations (the API list's length).
    pub fn organization_count(&self) -> usize {
        self.catalog.organizations.len()
    }

    /// The `n`-th organisation in the API list's order.
    pub fn organization_at(&self, n: usize) -> Option<Organization> {
        self.catalog.organizations.get_at(u32::try_from(n).ok()?)
    }

    /// An organisation as the HSDS compiled organisation has it: with its public services,
    /// each fully nested (terms) when `full_service`, as listed otherwise.
    pub fn organization_full(&self, org: &Organization, full_service: bool) -> Value {
        let mut v = serde_json::to_value(org).unwrap_or(Value::Null);
        let services: Vec<Value> = self
            .service_ids_of(&org.id)
            .iter()
            .filter_map(|id| {
                let json = self.catalog.records.json(id)?;
                let service: Value = serde_json::from_str(&json).ok()?;
                Some(if full_service {
                    nest_service(service, None, &|t| self.term_full(t))
                } else {
                    service
                })
            })
            .collect();
        if let Some(map) = v.as_object_mut() {
            map.insert("services".into(), Value::Array(services));
        }
        v
    }

    /// A service-at-location record with its service nested (`service`, without the service's
    /// own list of locations), as the HSDS API's `full` has it.
    pub fn service_at_location_full(&self, sal: &ServiceAtLocation) -> Value {
        let mut v = serde_json::to_value(sal).unwrap_or(Value::Null);
        let service = sal
            .service_id
            .as_deref()
            .and_then(|id| self.catalog.records.json(id))
            .and_then(|json| serde_json::from_str::<Value>(&json).ok());
        if let (Some(map), Some(mut service)) = (v.as_object_mut(), service) {
            if let Some(s) = service.as_object_mut() {
                s.remove("service_at_locations");
            }
            map.insert("service".into(), service);
        }
        v
    }

    /// The `p`-th service-at-location record of record number `n`, naming its service.
    fn sal_at(&self, n: u32, p: u32) -> Option<ServiceAtLocation> {
        let s = self.catalog.records.service_at(n)?;
        let mut found = s.service_at_locations.into_iter().nth(p as usize)?;
        found.service_id = Some(s.id);
        Some(found)
    }
}
