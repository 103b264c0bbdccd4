//! View models and helpers every page shares: the layout, an offer in a list, a typed postcode,
//! nearby offers, browse entries.

pub mod chart;
pub mod layout;
pub mod result;

pub use layout::{Layout, Me};
pub use result::ResultItem;

use crate::extract::params::{Pairs, query_string};
use crate::i18n::Tr;
use crate::state::Catalog;
use kapstok_domain::geo::{GeoPoint, Postcode, PostcodeError};
use kapstok_search::SearchQuery;

/// A postcode typed by a visitor: `Ok(None)` when empty, a Dutch message when malformed or unknown.
pub fn locate_postcode(
    input: &str,
    catalog: &Catalog,
    tr: Tr,
) -> Result<Option<(Postcode, GeoPoint)>, String> {
    match Postcode::parse(input) {
        Ok(pc) => match catalog.geo.locate(&pc) {
            Some(entry) => Ok(Some((pc, entry.point))),
            None => Err(format!("{} {}", pc.display(), tr.t("postcode-unknown"))),
        },
        Err(PostcodeError::Empty) => Ok(None),
        Err(PostcodeError::Malformed) => Err(format!("‘{input}’ {}", tr.t("postcode-invalid"))),
    }
}

/// The nearest (or first by name) offers matching facet filters.
pub fn nearby(
    catalog: &Catalog,
    filters: Vec<(String, Vec<String>)>,
    near: Option<GeoPoint>,
    limit: usize,
    tr: Tr,
) -> Vec<ResultItem> {
    let result = catalog.index.search(&SearchQuery {
        filters,
        near,
        limit,
        ..SearchQuery::default()
    });
    result
        .hits
        .iter()
        .map(|h| ResultItem::from_hit(h, catalog, tr))
        .collect()
}

pub struct Entry {
    pub label: String,
    pub href: String,
    pub count: u32,
    pub description: String,
}

/// The values of one facet with their counts over everything, as browse entries.
pub fn facet_entries(catalog: &Catalog, key: &str) -> Vec<Entry> {
    let all = catalog.index.search(&SearchQuery {
        limit: 0,
        ..SearchQuery::default()
    });
    let Some(facet) = all.facets.iter().find(|f| f.key == key) else {
        return Vec::new();
    };
    facet
        .values
        .iter()
        .map(|v| Entry {
            label: v.label.to_string(),
            href: format!("/zoeken{}", query_string([(key, v.code)])),
            count: v.count,
            description: catalog
                .terms
                .values()
                .find(|t| t.code.as_deref() == Some(v.code) && catalog.facet_of(t) == Some(key))
                .map(|t| t.description.clone())
                .unwrap_or_default(),
        })
        .collect()
}

/// A role's name as the deployment calls it (the `roles` table), in the visitor's language.
pub fn role_label(
    state: &crate::state::AppState,
    lang: crate::i18n::Lang,
    role: kapstok_domain::account::Role,
) -> String {
    state.app().role_name(role, lang == crate::i18n::Lang::En)
}

/// A form shown again with what was typed and its errors: the helpers its template calls.
pub trait TypedForm {
    fn typed(&self) -> &Pairs;
    fn field_errors(&self) -> &[(String, String)];

    /// What was typed in `key` (empty if nothing).
    fn value(&self, key: &str) -> String {
        self.typed().get(key).unwrap_or("").to_string()
    }

    /// Whether `code` was chosen for `key` (a radio button or an option).
    fn chosen(&self, key: &str, code: &str) -> bool {
        self.typed().get(key) == Some(code)
    }

    fn has_error(&self, field: &str) -> bool {
        self.field_errors().iter().any(|(f, _)| f == field)
    }
}
