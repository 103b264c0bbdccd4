//! The printed Mantelzorgwijzer: booklets (PDF) of the public social map, made when first asked
//! for and kept until the map changes.
//!
//! A booklet is made from the read model (public services only) by the caller's `make`, which
//! chooses the area and the words; the shelf renders it once per read-model version and key, one
//! at a time (rendering takes a fraction of a second of CPU; a burst of requests waits for the
//! first instead of rendering the same booklet many times).

use crate::{AppError, AppResult};
use kapstok_booklet::Booklet;
use kapstok_search::Catalog;
use std::collections::HashMap;
use std::sync::Arc;

/// Booklets rendered for one read-model version, by key (area and language).
#[derive(Default)]
struct Shelf {
    version: i64,
    pdfs: HashMap<String, Arc<Vec<u8>>>,
}

/// The booklets kept in memory; shared by every clone of the application.
#[derive(Clone, Default)]
pub(crate) struct BookletCache(Arc<tokio::sync::Mutex<Shelf>>);

/// The capability to take a booklet of the public map: anyone may (it holds only public data).
pub struct BookletShelf {
    catalog: Arc<Catalog>,
    cache: BookletCache,
}

/// A rendered booklet.
pub struct Pdf {
    pub bytes: Arc<Vec<u8>>,
    /// The read-model version it was made from (for the `ETag`).
    pub version: i64,
}

impl BookletShelf {
    pub(crate) fn new(catalog: Arc<Catalog>, cache: BookletCache) -> Self {
        BookletShelf { catalog, cache }
    }

    /// The read model the booklet is made from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The booklet under `key`, rendered from this read model by `make` unless already kept for
    /// its version. A newer read model empties the shelf; an older one (a request that began
    /// before a change) renders without keeping.
    pub async fn booklet<F>(&self, key: &str, make: F) -> AppResult<Pdf>
    where
        F: FnOnce(&Catalog) -> Booklet + Send + 'static,
    {
        let version = self.catalog.version;
        let mut shelf = self.cache.0.lock().await;
        if shelf.version == version
            && let Some(bytes) = shelf.pdfs.get(key)
        {
            return Ok(Pdf {
                bytes: bytes.clone(),
                version,
            });
        }
        let catalog = self.catalog.clone();
        let bytes = tokio::task::spawn_blocking(move || kapstok_booklet::render(&make(&catalog)))
            .await
            .map_err(|e| AppError::Booklet(e.to_string()))?
            .map_err(|e| AppError::Booklet(e.to_string()))?;
        let bytes = Arc::new(bytes);
        if version > shelf.version {
            shelf.version = version;
            shelf.pdfs.clear();
        }
        if version == shelf.version {
            shelf.pdfs.insert(key.to_owned(), bytes.clone());
        }
        Ok(Pdf { bytes, version })
    }

    /// How many booklets are kept, for tests.
    pub async fn kept(&self) -> usize {
        self.cache.0.lock().await.pdfs.len()
    }
}
