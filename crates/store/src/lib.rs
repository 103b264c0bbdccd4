#![forbid(unsafe_code)]
//! Kapstok's storage: one `Store` interface, one module per backend.
//! The embedded default is SQLite; a PostgreSQL backend implements the same trait.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, PostcodeEntry};
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{
    Directory, Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm,
};
use kapstok_domain::paging::Paging;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored record {id} cannot be read: {reason}")]
    Corrupt { id: String, reason: String },
    #[error("cannot open the database: {0}")]
    Open(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub taxonomies: usize,
    pub taxonomy_terms: usize,
    pub organizations: usize,
    pub services: usize,
    pub locations: usize,
}

/// One anonymous self-check result: which instrument and band, where (area) and when (month).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCheckTally {
    pub instrument: String,
    pub band: String,
    pub area_code: Option<String>,
    /// `YYYY-MM`.
    pub month: String,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Goes up by one with every committed change to the social map, postcodes or areas, so
    /// each app instance knows when to rebuild its search index.
    async fn directory_version(&self) -> StoreResult<i64>;
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
    async fn is_empty(&self) -> StoreResult<bool>;

    /// The whole social map, sorted by id.
    async fn load_directory(&self) -> StoreResult<Directory>;
    async fn known_ids(&self) -> StoreResult<KnownIds>;
    /// Inserts or updates every record of a checked document in one transaction.
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary>;

    async fn service(&self, id: &str) -> StoreResult<Option<Service>>;
    /// Services by id, in the order asked, skipping unknown ids.
    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>>;
    async fn organization(&self, id: &str) -> StoreResult<Option<Organization>>;
    async fn organizations(&self, paging: Paging) -> StoreResult<(Vec<Organization>, u64)>;
    async fn taxonomies(&self, paging: Paging) -> StoreResult<(Vec<Taxonomy>, u64)>;
    async fn taxonomy(&self, id: &str) -> StoreResult<Option<Taxonomy>>;
    async fn taxonomy_terms(
        &self,
        taxonomy_id: Option<&str>,
        paging: Paging,
    ) -> StoreResult<(Vec<TaxonomyTerm>, u64)>;
    async fn taxonomy_term(&self, id: &str) -> StoreResult<Option<TaxonomyTerm>>;
    async fn service_at_locations(
        &self,
        paging: Paging,
    ) -> StoreResult<(Vec<ServiceAtLocation>, u64)>;
    async fn service_at_location(&self, id: &str) -> StoreResult<Option<ServiceAtLocation>>;

    /// Adds or replaces postcode rows; returns how many were written.
    async fn import_postcodes(&self, entries: &[PostcodeEntry]) -> StoreResult<usize>;
    /// Replaces all areas and the postcode → area mapping.
    async fn replace_areas(&self, areas: &[Area], mapping: &[AreaPostcode]) -> StoreResult<()>;
    async fn geo_data(&self) -> StoreResult<GeoData>;

    /// Adds one to the anonymous tally; nothing else about the check is kept.
    async fn count_self_check(&self, tally: &SelfCheckTally) -> StoreResult<()>;
    async fn self_check_counts(&self) -> StoreResult<Vec<(SelfCheckTally, i64)>>;
}
