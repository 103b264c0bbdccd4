//! Shared state: the store and the current catalog (search index plus lookups derived from the
//! database). The catalog is rebuilt whenever the database's directory version moves.

use crate::guard::Throttle;
use kapstok_domain::geo::GeoData;
use kapstok_domain::instrument::{DEFAULT_INSTRUMENT, Instrument};
use kapstok_domain::model::{Organization, Taxonomy, TaxonomyTerm};
use kapstok_domain::respite::{DEFAULT_GUIDE, RespiteGuide};
use kapstok_search::{Index, SearchConfig, build_index};
use kapstok_store::{Store, StoreResult};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

/// Everything pages and the API read without touching the database.
pub struct Catalog {
    pub version: i64,
    pub index: Index,
    pub geo: GeoData,
    pub taxonomies: Vec<Taxonomy>,
    pub terms: HashMap<String, TaxonomyTerm>,
    pub organizations: HashMap<String, Organization>,
    /// Age limits of services (minimum, maximum), for the respite guide.
    pub ages: HashMap<String, (Option<i64>, Option<i64>)>,
    /// Whether the data is the shipped demo (a banner says so on every page).
    pub demo: bool,
}

impl Catalog {
    pub async fn load(store: &dyn Store, config: &SearchConfig) -> StoreResult<Catalog> {
        let started = Instant::now();
        // Read the version first: a change that lands while we build is seen on the next check.
        let version = store.directory_version().await?;
        let dir = store.load_directory().await?;
        let geo = store.geo_data().await?;
        let demo = store.meta("demo").await?.as_deref() == Some("true");
        let index = build_index(&dir, &geo, config);
        let ages = dir
            .services
            .iter()
            .filter(|s| s.minimum_age.is_some() || s.maximum_age.is_some())
            .map(|s| (s.id.clone(), (s.minimum_age, s.maximum_age)))
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
            taxonomies: dir.taxonomies,
            terms: dir
                .taxonomy_terms
                .into_iter()
                .map(|t| (t.id.clone(), t))
                .collect(),
            organizations: dir
                .organizations
                .into_iter()
                .map(|o| (o.id.clone(), o))
                .collect(),
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

    pub fn taxonomy_name(&self, id: &str) -> Option<&str> {
        self.taxonomies
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.as_str())
    }
}

/// The guided flows' data: the respite guide and the self-check instruments.
#[derive(Debug)]
pub struct Guides {
    pub respite: RespiteGuide,
    pub instruments: Vec<Instrument>,
}

impl Default for Guides {
    fn default() -> Self {
        Guides {
            respite: RespiteGuide::parse("respijtwijzer.toml (ingebouwd)", DEFAULT_GUIDE)
                .expect("the shipped guide is valid"),
            instruments: vec![
                Instrument::parse("mantelzorgtest.toml (ingebouwd)", DEFAULT_INSTRUMENT)
                    .expect("the shipped check is valid"),
            ],
        }
    }
}

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Form submissions per minute per client address.
    pub writes_per_minute: u32,
    /// Origins (`https://host`) trusted for form submissions besides the request's own host.
    pub trusted_origins: Vec<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            writes_per_minute: 20,
            trusted_origins: Vec::new(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub search_config: Arc<SearchConfig>,
    pub guides: Arc<Guides>,
    pub web: Arc<WebConfig>,
    pub throttle: Arc<Throttle>,
    catalog: Arc<RwLock<Arc<Catalog>>>,
}

impl AppState {
    pub async fn new(store: Arc<dyn Store>, search_config: SearchConfig) -> StoreResult<Self> {
        let catalog = Catalog::load(store.as_ref(), &search_config).await?;
        Ok(AppState {
            store,
            search_config: Arc::new(search_config),
            guides: Arc::new(Guides::default()),
            web: Arc::new(WebConfig::default()),
            throttle: Arc::new(Throttle::per_minute(WebConfig::default().writes_per_minute)),
            catalog: Arc::new(RwLock::new(Arc::new(catalog))),
        })
    }

    pub fn with_guides(mut self, guides: Guides) -> Self {
        self.guides = Arc::new(guides);
        self
    }

    pub fn with_web_config(mut self, web: WebConfig) -> Self {
        self.throttle = Arc::new(Throttle::per_minute(web.writes_per_minute));
        self.web = Arc::new(web);
        self
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rebuilds the catalog when the database changed since it was built. Returns whether it did.
    pub async fn refresh(&self) -> StoreResult<bool> {
        let current = self.store.directory_version().await?;
        if current == self.catalog().version {
            return Ok(false);
        }
        let fresh = Catalog::load(self.store.as_ref(), &self.search_config).await?;
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(true)
    }
}
