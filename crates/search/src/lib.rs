#![forbid(unsafe_code)]
//! Kapstok's search: an in-memory index over the social map with Dutch text analysis,
//! facets with counts and nearest-first ordering, and the read model pages and the API read.
//! Derived from the database, never the truth.

pub mod bitset;
pub mod catalog;
pub mod directory;
pub mod index;
pub mod records;
pub mod snapshot;
pub mod text;

pub use catalog::Catalog;
pub use directory::{AREA_FACET, SearchConfig, build_index};
pub use index::{FacetResult, Hit, Index, SearchQuery, SearchResult};
