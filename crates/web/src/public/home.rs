//! The home page, the browse pages, the language switch and the stylesheet.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::Pairs;
use crate::i18n::{Lang, Tr};
use crate::redirect::{LocalPath, see_other};
use crate::render;
use crate::state::AppState;
use crate::views::{Entry, Layout, facet_entries};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use kapstok_domain::model::TaxonomyRole;
use kapstok_search::AREA_FACET;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    functions: Vec<Entry>,
    areas: Vec<Entry>,
}

pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let page = HomePage {
        l: Layout::new(&visitor, tr.t("home-title"), catalog.demo),
        functions: facet_entries(&catalog, catalog.facet_key(TaxonomyRole::Function)),
        areas: facet_entries(&catalog, AREA_FACET),
    };
    render::ok(&page, visitor.lang)
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
) -> Result<Response, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let page = BrowsePage {
        l: Layout::new(&visitor, tr.t("functions-title"), catalog.demo),
        title: tr.t("functions-title"),
        intro: tr.t("functions-intro"),
        entries: facet_entries(&catalog, catalog.facet_key(TaxonomyRole::Function)),
    };
    render::ok(&page, visitor.lang)
}

pub async fn areas(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
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
    render::ok(&page, visitor.lang)
}

/// `/taal/en?terug=/zoeken?q=x`: remembers the language and goes back to where the visitor was.
pub async fn switch_language(
    Path(code): Path<String>,
    visitor: Visitor,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let Some(lang) = Lang::parse(&code) else {
        return Err(PageError::not_found(visitor.lang));
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
    PageError::not_found(visitor.lang)
}
