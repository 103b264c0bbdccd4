#![forbid(unsafe_code)]
//! Kapstok's storage interface, split by capability so each use case gets only what it needs:
//! [`MetaStore`], [`SocialMapRead`], [`SocialMapWrite`], [`GeoStore`], [`TallyStore`]. A backend
//! (crate `kapstok-store-sql`: SQLite and PostgreSQL) implements them all and so is a [`Store`];
//! the conformance suite in the integration tests runs the same story against every backend.

use async_trait::async_trait;
use kapstok_domain::geo::{Area, AreaPostcode, GeoData, PostcodeEntry};
use kapstok_domain::hsds::KnownIds;
use kapstok_domain::model::{Directory, Organization, Service, Taxonomy, TaxonomyTerm};
pub use kapstok_domain::tally::SelfCheckTally;

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

/// Small settings and the change counter.
#[async_trait]
pub trait MetaStore: Send + Sync {
    /// Goes up by one with every committed change to the social map, postcodes or areas, so
    /// each app instance knows when to rebuild its search index.
    async fn directory_version(&self) -> StoreResult<i64>;
    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
    /// The value of `key`, storing `value` first when there is none (the first writer wins).
    async fn meta_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;

    /// This database's own id, made on first use: tells one database from another (a read-model
    /// snapshot of another database at the same version is not this one's).
    async fn database_id(&self) -> StoreResult<String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let fresh = format!("{nanos:x}-{:x}", std::process::id());
        self.meta_or_insert("database_id", &fresh).await
    }
}

/// Reading the social map (HSDS records). Public pages and the API read the app's in-memory
/// read model, which is built from here by streaming: the map's frame first, then services a
/// page at a time.
#[async_trait]
pub trait SocialMapRead: Send + Sync {
    /// No organisations and no services yet.
    async fn is_empty(&self) -> StoreResult<bool>;
    /// Taxonomies, terms and organisations, sorted by id; no services.
    async fn map_frame(&self) -> StoreResult<Directory>;
    /// Up to `limit` services with ids after `after` (from the first when `None`), sorted by
    /// id, with their links and locations: page after page, the whole map without holding it.
    async fn services_after(&self, after: Option<&str>, limit: usize) -> StoreResult<Vec<Service>>;
    async fn known_ids(&self) -> StoreResult<KnownIds>;
    /// Services by id, in the order asked, skipping unknown ids.
    async fn services(&self, ids: &[String]) -> StoreResult<Vec<Service>>;
    async fn service(&self, id: &str) -> StoreResult<Option<Service>> {
        Ok(self.services(&[id.to_string()]).await?.pop())
    }
    async fn organization(&self, id: &str) -> StoreResult<Option<Organization>>;

    /// The whole social map, sorted by id (the export): the frame plus every page of services.
    async fn load_directory(&self) -> StoreResult<Directory> {
        let mut dir = self.map_frame().await?;
        loop {
            let after = dir.services.last().map(|s| s.id.to_string());
            let page = self.services_after(after.as_deref(), SERVICE_PAGE).await?;
            let done = page.len() < SERVICE_PAGE;
            dir.services.extend(page);
            if done {
                break;
            }
        }
        dir.normalize();
        Ok(dir)
    }
}

/// Services per page when the whole map is streamed.
pub const SERVICE_PAGE: usize = 2_000;

/// Changing the social map.
#[async_trait]
pub trait SocialMapWrite: Send + Sync {
    /// Starts an import: one transaction that batches of checked records are written into as
    /// they come, in any order (references are checked at commit).
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportSession>>;

    /// Inserts or updates every record of a checked document in one transaction.
    async fn import_directory(&self, dir: &Directory) -> StoreResult<ImportSummary> {
        let mut session = self.begin_import().await?;
        session.taxonomies(&dir.taxonomies).await?;
        session.taxonomy_terms(&dir.taxonomy_terms).await?;
        session.organizations(&dir.organizations).await?;
        for round in dir.services.chunks(SERVICE_PAGE) {
            session.services(round).await?;
        }
        session.commit().await
    }
}

/// An import under way. Records are inserted or updated; each service's links and locations are
/// replaced as a whole. Nothing is visible to anyone else until `commit`; a session dropped
/// without it changes nothing.
#[async_trait]
pub trait ImportSession: Send {
    async fn taxonomies(&mut self, records: &[Taxonomy]) -> StoreResult<()>;
    async fn taxonomy_terms(&mut self, records: &[TaxonomyTerm]) -> StoreResult<()>;
    async fn organizations(&mut self, records: &[Organization]) -> StoreResult<()>;
    async fn services(&mut self, records: &[Service]) -> StoreResult<()>;
    /// Checks every reference, moves the directory version and makes it all visible at once.
    async fn commit(self: Box<Self>) -> StoreResult<ImportSummary>;
}

/// Postcodes with coordinates, and areas (deelgebieden) as a postcode → area mapping.
#[async_trait]
pub trait GeoStore: Send + Sync {
    /// Adds or replaces postcode rows; returns how many were written.
    async fn import_postcodes(&self, entries: &[PostcodeEntry]) -> StoreResult<usize>;
    /// Replaces all areas and the postcode → area mapping.
    async fn replace_areas(&self, areas: &[Area], mapping: &[AreaPostcode]) -> StoreResult<()>;
    async fn geo_data(&self) -> StoreResult<GeoData>;
}

/// Anonymous counts of the guided flows.
#[async_trait]
pub trait TallyStore: Send + Sync {
    /// Adds one to the anonymous tally; nothing else about the check is kept.
    async fn count_self_check(&self, tally: &SelfCheckTally) -> StoreResult<()>;
    async fn self_check_counts(&self) -> StoreResult<Vec<(SelfCheckTally, i64)>>;
}

/// A whole backend: every capability.
pub trait Store: MetaStore + SocialMapRead + SocialMapWrite + GeoStore + TallyStore {}

impl<T: MetaStore + SocialMapRead + SocialMapWrite + GeoStore + TallyStore> Store for T {}
