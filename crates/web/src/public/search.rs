//! The results page: one GET form (words, postcode, distance, facets), results, paging and the
//! empty-result help. Works without JavaScript.

use crate::error::PageError;
use crate::extract::Visitor;
use crate::extract::params::{MAX_QUERY_CHARS, Pairs, query_string};
use crate::i18n::Tr;
use crate::render;
use crate::state::{AppState, Catalog};
use crate::views::{Layout, ResultItem};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kapstok_domain::geo::{GeoPoint, Postcode};
use kapstok_domain::model::TaxonomyRole;
use kapstok_search::{AREA_FACET, SearchQuery, SearchResult};

pub const PER_PAGE: usize = 20;
const RADII: [u32; 6] = [2, 5, 10, 20, 50, 100];

/// A problem with one form field, shown in the error summary and at the field.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// The page's search, read from the query string.
pub struct PageSearch {
    pub q: String,
    pub postcode_input: String,
    pub point: Option<GeoPoint>,
    pub postcode: Option<Postcode>,
    pub radius: Option<u32>,
    pub filters: Vec<(String, Vec<String>)>,
    pub page: usize,
    pub errors: Vec<FieldError>,
}

impl PageSearch {
    pub fn parse(p: &Pairs, catalog: &Catalog, tr: Tr) -> Self {
        let mut errors = Vec::new();
        let mut q = p.get("q").unwrap_or("").to_string();
        if q.chars().count() > MAX_QUERY_CHARS {
            errors.push(FieldError {
                field: "q",
                message: tr.t("query-too-long"),
            });
            q = q.chars().take(MAX_QUERY_CHARS).collect();
        }
        let postcode_input = p
            .get("postcode")
            .unwrap_or("")
            .chars()
            .take(20)
            .collect::<String>();
        let (mut postcode, mut point) = (None, None);
        match crate::views::locate_postcode(&postcode_input, catalog, tr) {
            Ok(found) => {
                if let Some((pc, at)) = found {
                    postcode = Some(pc);
                    point = Some(at);
                }
            }
            Err(message) => errors.push(FieldError {
                field: "postcode",
                message,
            }),
        }
        let radius = match p.get("straal") {
            None => None,
            Some(r) => match r.parse::<u32>() {
                Ok(r @ 1..=200) if point.is_some() => Some(r),
                Ok(1..=200) => {
                    if postcode_input.is_empty() {
                        errors.push(FieldError {
                            field: "postcode",
                            message: tr.t("radius-needs-postcode"),
                        });
                    }
                    None
                }
                _ => {
                    errors.push(FieldError {
                        field: "straal",
                        message: tr.t("radius-invalid"),
                    });
                    None
                }
            },
        };
        let mut filters = Vec::new();
        for facet in catalog.index.facets() {
            let mut chosen = Vec::new();
            for code in p.all(&facet.key) {
                if facet.values.iter().any(|(c, _)| c == code) {
                    if !chosen.iter().any(|c| c == code) {
                        chosen.push(code.to_string());
                    }
                } else {
                    errors.push(FieldError {
                        field: "filters",
                        message: format!(
                            "{} ‘{}’ {}",
                            facet.label,
                            code.chars().take(40).collect::<String>(),
                            tr.t("filter-unknown")
                        ),
                    });
                }
            }
            if !chosen.is_empty() {
                filters.push((facet.key.clone(), chosen));
            }
        }
        let page = match p.get("pagina") {
            None => 1,
            Some(v) => match v.parse::<usize>() {
                Ok(n @ 1..=10_000) => n,
                _ => {
                    errors.push(FieldError {
                        field: "filters",
                        message: tr.t("page-invalid"),
                    });
                    1
                }
            },
        };
        PageSearch {
            q,
            postcode_input,
            point,
            postcode,
            radius,
            filters,
            page,
            errors,
        }
    }

    pub fn query(&self) -> SearchQuery {
        SearchQuery {
            text: self.q.clone(),
            filters: self.filters.clone(),
            near: self.point,
            radius_km: self.radius.map(f64::from),
            offset: (self.page - 1) * PER_PAGE,
            limit: PER_PAGE,
            ..SearchQuery::default()
        }
    }

    /// The query string of this search, optionally changed.
    pub fn href(&self, change: impl FnOnce(&mut PageSearchParams)) -> String {
        let mut p = PageSearchParams {
            q: self.q.clone(),
            postcode: self
                .postcode
                .as_ref()
                .map(Postcode::display)
                .unwrap_or_default(),
            radius: self.radius,
            filters: self.filters.clone(),
            page: 1,
        };
        change(&mut p);
        let radius = p.radius.map(|r| r.to_string());
        let page = (p.page > 1).then(|| p.page.to_string());
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if !p.q.is_empty() {
            pairs.push(("q", &p.q));
        }
        if !p.postcode.is_empty() {
            pairs.push(("postcode", &p.postcode));
        }
        if let Some(r) = &radius {
            pairs.push(("straal", r));
        }
        for (k, vs) in &p.filters {
            for v in vs {
                pairs.push((k, v));
            }
        }
        if let Some(pg) = &page {
            pairs.push(("pagina", pg));
        }
        format!("/zoeken{}", query_string(pairs))
    }
}

/// The editable form of a search, for building links.
pub struct PageSearchParams {
    pub q: String,
    pub postcode: String,
    pub radius: Option<u32>,
    pub filters: Vec<(String, Vec<String>)>,
    pub page: usize,
}

pub struct FacetValueView {
    pub code: String,
    pub label: String,
    pub count: u32,
    pub selected: bool,
    pub input_id: String,
}

pub struct FacetView {
    pub key: String,
    pub label: String,
    pub values: Vec<FacetValueView>,
}

pub struct Link {
    pub label: String,
    pub href: String,
}

pub struct RadiusOption {
    pub value: u32,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub l: Layout,
    pub s: PageSearch,
    pub total: usize,
    pub items: Vec<ResultItem>,
    pub facets: Vec<FacetView>,
    pub active: Vec<Link>,
    pub radii: Vec<RadiusOption>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub page_count: usize,
    pub sorted_by: String,
    pub suggestions: Vec<Link>,
    pub related: Vec<Link>,
    pub corrections: Vec<String>,
    pub unknown_words: Vec<String>,
    pub clear_href: String,
    pub q_error: bool,
    pub postcode_error: bool,
}

pub async fn search_page(
    State(state): State<AppState>,
    visitor: Visitor,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let s = PageSearch::parse(&pairs, &catalog, tr);
    let result = catalog.index.search(&s.query());
    let active = active_filters(&s, &catalog);
    let page_count = result.total.div_ceil(PER_PAGE).max(1);
    let (suggestions, related) = if result.total == 0 {
        (empty_result_help(&s, &active, tr), function_links(&catalog))
    } else {
        (Vec::new(), Vec::new())
    };
    let status = if s.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = SearchPage {
        l: Layout::new(&visitor, s.title(tr), catalog.demo),
        total: result.total,
        items: result
            .hits
            .iter()
            .map(|h| ResultItem::from_hit(h, &catalog, tr))
            .collect(),
        facets: facet_views(&result, tr),
        active,
        radii: RADII
            .iter()
            .map(|&value| RadiusOption {
                value,
                selected: s.radius == Some(value),
            })
            .collect(),
        prev: (s.page > 1 && s.page <= page_count).then(|| s.href(|p| p.page = s.page - 1)),
        next: (s.page < page_count).then(|| s.href(|p| p.page = s.page + 1)),
        page_count,
        sorted_by: s.sorted_by(tr),
        suggestions,
        related,
        corrections: result
            .corrections
            .iter()
            .map(|(_, used)| used.clone())
            .collect(),
        unknown_words: result.unknown_words.clone(),
        clear_href: s.href(|p| p.filters.clear()),
        q_error: s.errors.iter().any(|e| e.field == "q"),
        postcode_error: s.errors.iter().any(|e| e.field == "postcode"),
        s,
    };
    render::page(&page, status, visitor.lang)
}

impl PageSearch {
    fn title(&self, tr: Tr) -> String {
        if self.q.is_empty() {
            tr.t("results-title")
        } else {
            format!(
                "{} {} ‘{}’",
                tr.t("results-title"),
                tr.t("results-for"),
                self.q
            )
        }
    }

    fn sorted_by(&self, tr: Tr) -> String {
        if self.point.is_some() {
            tr.t("results-sorted-distance")
        } else if self.q.is_empty() {
            tr.t("results-sorted-name")
        } else {
            tr.t("results-sorted-relevance")
        }
    }
}

/// The facets with their values (those with results, or chosen).
fn facet_views(result: &SearchResult<'_>, tr: Tr) -> Vec<FacetView> {
    result
        .facets
        .iter()
        .map(|f| FacetView {
            key: f.key.to_string(),
            label: area_label(f.key, f.label, tr),
            values: f
                .values
                .iter()
                .filter(|v| v.count > 0 || v.selected)
                .map(|v| FacetValueView {
                    code: v.code.to_string(),
                    label: v.label.to_string(),
                    count: v.count,
                    selected: v.selected,
                    input_id: format!("f-{}-{}", f.key, v.code),
                })
                .collect(),
        })
        .filter(|f| !f.values.is_empty())
        .collect()
}

/// The chosen filters, each with a link that drops it.
fn active_filters(s: &PageSearch, catalog: &Catalog) -> Vec<Link> {
    let label_of = |key: &str, code: &str| {
        catalog
            .index
            .facets()
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.values.iter().find(|(c, _)| c == code))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let without = |key: &str, code: &str| {
        s.href(|p| {
            for (k, vs) in &mut p.filters {
                if k == key {
                    vs.retain(|v| v != code);
                }
            }
            p.filters.retain(|(_, vs)| !vs.is_empty());
        })
    };
    s.filters
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v)))
        .map(|(k, v)| Link {
            label: label_of(k, v),
            href: without(k, v),
        })
        .collect()
}

/// Ways out of an empty result: drop a filter, a wider distance, no words.
fn empty_result_help(s: &PageSearch, active: &[Link], tr: Tr) -> Vec<Link> {
    let mut suggestions: Vec<Link> = active
        .iter()
        .map(|link| Link {
            label: format!("{}: {}", tr.t("no-results-drop-filter"), link.label),
            href: link.href.clone(),
        })
        .collect();
    if let Some(r) = s.radius {
        let wider = RADII.iter().copied().find(|&x| x > r);
        suggestions.push(Link {
            label: match wider {
                Some(w) => format!("{} ({w} km)", tr.t("no-results-wider")),
                None => tr.t("radius-any"),
            },
            href: s.href(|p| p.radius = wider),
        });
    }
    if !s.q.is_empty() {
        suggestions.push(Link {
            label: tr.t("no-results-no-text"),
            href: s.href(|p| p.q.clear()),
        });
    }
    suggestions
}

/// The basic functions, to browse when nothing was found.
fn function_links(catalog: &Catalog) -> Vec<Link> {
    catalog
        .index
        .facets()
        .iter()
        .find(|f| f.key == catalog.facet_key(TaxonomyRole::Function))
        .map(|f| {
            f.values
                .iter()
                .map(|(code, label)| Link {
                    label: label.clone(),
                    href: format!("/zoeken{}", query_string([(f.key.as_str(), code.as_str())])),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The area facet's label comes from the interface language; taxonomy names are data.
fn area_label(key: &str, label: &str, tr: Tr) -> String {
    if key == AREA_FACET {
        tr.t("nav-areas")
    } else {
        label.to_string()
    }
}
