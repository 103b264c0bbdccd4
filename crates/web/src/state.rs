//! Shared state: the store and the current catalog (the search crate's read model). The catalog
//! is rebuilt whenever the database's directory version moves.

use crate::guard::Throttle;
use kapstok_domain::instrument::{DEFAULT_INSTRUMENT, Instrument};
use kapstok_domain::respite::{DEFAULT_GUIDE, RespiteGuide};
pub use kapstok_search::Catalog;
use kapstok_search::SearchConfig;
use kapstok_store::{Store, StoreResult};
use std::sync::{Arc, RwLock};

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
