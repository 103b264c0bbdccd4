//! Server-rendered pages. Handlers read the request, call the catalog or store, fill a template.

pub mod layout;
pub mod respite;
pub mod search;
pub mod selfcheck;
pub mod service;

use crate::error::{AppError, PageError};
use crate::i18n::{Lang, Tr};
use crate::params::{Pairs, query_string};
use crate::redirect::{LocalPath, see_other};
use crate::state::{AppState, Catalog};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::response::{Html, IntoResponse, Response};
use kapstok_domain::geo::{GeoPoint, Postcode, PostcodeError};
use kapstok_search::facet;
use kapstok_search::{AREA_FACET, SearchQuery};
use layout::{Layout, Visitor};
use search::ResultItem;

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
fn facet_entries(catalog: &Catalog, key: &str) -> Vec<Entry> {
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

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    functions: Vec<Entry>,
    areas: Vec<Entry>,
}

pub async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Html<String>, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let page = HomePage {
        l: Layout::new(&visitor, tr.t("home-title"), catalog.demo),
        functions: facet_entries(&catalog, facet::FUNCTION),
        areas: facet_entries(&catalog, AREA_FACET),
    };
    Ok(Html(
        page.render()
            .map_err(|e| PageError::from((e, visitor.lang)))?,
    ))
}

#[derive(Template)]
#[template(path = "browse.html")]
struct BrowsePage {
    l: Layout,
    title: String,
    intro: String,
    entries: Vec<Entry>,
}

pub async fn functions(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Html<String>, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let page = BrowsePage {
        l: Layout::new(&visitor, tr.t("functions-title"), catalog.demo),
        title: tr.t("functions-title"),
        intro: tr.t("functions-intro"),
        entries: facet_entries(&catalog, facet::FUNCTION),
    };
    Ok(Html(
        page.render()
            .map_err(|e| PageError::from((e, visitor.lang)))?,
    ))
}

pub async fn areas(
    State(state): State<AppState>,
    visitor: Visitor,
) -> Result<Html<String>, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let mut entries = facet_entries(&catalog, AREA_FACET);
    for (entry, area) in entries.iter_mut().zip(&catalog.geo.areas) {
        let codes: Vec<String> = catalog
            .geo
            .postcodes_of(&area.code)
            .iter()
            .map(|p| p.display())
            .collect();
        if !codes.is_empty() {
            entry.description = format!("{}: {}", tr.t("areas-postcodes"), codes.join(", "));
        }
    }
    let page = BrowsePage {
        l: Layout::new(&visitor, tr.t("areas-title"), catalog.demo),
        title: tr.t("areas-title"),
        intro: tr.t("areas-intro"),
        entries,
    };
    Ok(Html(
        page.render()
            .map_err(|e| PageError::from((e, visitor.lang)))?,
    ))
}

/// `/taal/en?terug=/zoeken?q=x`: remembers the language and goes back to where the visitor was.
pub async fn switch_language(
    Path(code): Path<String>,
    visitor: Visitor,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let Some(lang) = Lang::parse(&code) else {
        return Err(PageError::from((AppError::NotFound, visitor.lang)));
    };
    let mut response = see_other(&LocalPath::parse_or_home(pairs.get("terug")));
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            lang.code()
        ))
        .expect("ascii cookie"),
    );
    Ok(response)
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/kapstok.css"),
    )
}

pub async fn not_found(visitor: Visitor) -> PageError {
    PageError {
        error: AppError::NotFound,
        lang: visitor.lang,
    }
}
