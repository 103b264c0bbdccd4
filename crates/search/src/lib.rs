#![forbid(unsafe_code)]
//! Kapstok's search: an in-memory index over the social map with Dutch text analysis,
//! facets with counts and nearest-first ordering. Derived from the database, never stored.

pub mod bitset;
pub mod catalog;
pub mod directory;
pub mod index;
pub mod text;

pub use catalog::Catalog;
pub use directory::{AREA_FACET, SearchConfig, build_index};
pub use index::{FacetResult, Hit, Index, SearchQuery, SearchResult};
