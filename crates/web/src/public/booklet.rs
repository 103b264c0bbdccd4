//! The Mantelzorgwijzer as a booklet to print or to read with a screen reader: a tagged PDF of the
//! public social map, for the whole municipality or one area, made from what the site shows
//! (the same services as `/zoeken?gebied=…`, one chapter per basic function).

use crate::error::PageError;
use crate::extract::Visitor;
use crate::i18n::{Lang, Tr};
use crate::public::service::ServiceView;
use crate::render::{self, InLang};
use crate::state::{AppState, Catalog};
use crate::views::layout::{Layout, long_date};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kapstok_booklet::{Booklet, Entry, Labels, Section};
use kapstok_domain::geo::Area;
use kapstok_domain::model::TaxonomyRole;
use kapstok_search::{AREA_FACET, SearchQuery};

/// One booklet to choose on the page.
pub struct Choice {
    pub label: String,
    pub href: String,
    /// Services in it.
    pub count: usize,
}

#[derive(Template)]
#[template(path = "booklet.html")]
struct BookletPage {
    l: Layout,
    whole: Choice,
    areas: Vec<Choice>,
}

/// The ids of the public services in `area` (all when `None`) with `filters`, in name order.
fn service_ids(catalog: &Catalog, area: Option<&str>, more: Option<(&str, &str)>) -> Vec<String> {
    let mut filters = Vec::new();
    if let Some(code) = area {
        filters.push((AREA_FACET.to_string(), vec![code.to_string()]));
    }
    if let Some((key, code)) = more {
        filters.push((key.to_string(), vec![code.to_string()]));
    }
    catalog
        .index
        .search(&SearchQuery {
            filters,
            limit: usize::MAX,
            ..SearchQuery::default()
        })
        .hits
        .iter()
        .map(|h| h.doc.id().to_string())
        .collect()
}

/// `/boekje`: the whole municipality and each area, with how many services each holds.
pub async fn page(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let catalog = state.catalog();
    let tr = Tr { lang: visitor.lang };
    let count = |area: Option<&str>| {
        catalog
            .index
            .search(&SearchQuery {
                filters: area
                    .map(|c| vec![(AREA_FACET.to_string(), vec![c.to_string()])])
                    .unwrap_or_default(),
                limit: 0,
                ..SearchQuery::default()
            })
            .total
    };
    let page = BookletPage {
        l: Layout::new(&visitor, tr.t("booklet-title"), catalog.demo),
        whole: Choice {
            label: municipality_label(&catalog, tr),
            href: "/boekje/gemeente.pdf".into(),
            count: count(None),
        },
        areas: catalog
            .geo
            .areas
            .iter()
            .map(|a| Choice {
                label: a.name.clone(),
                href: format!("/boekje/gebied/{}.pdf", a.code),
                count: count(Some(&a.code)),
            })
            .collect(),
    };
    render::ok(&page, visitor.lang)
}

fn municipality(catalog: &Catalog) -> Option<&str> {
    catalog.geo.areas.first().map(|a| a.municipality.as_str())
}

fn municipality_label(catalog: &Catalog, tr: Tr) -> String {
    match municipality(catalog) {
        Some(m) => format!("{} {m}", tr.t("booklet-whole-of")),
        None => tr.t("booklet-whole"),
    }
}

/// `/boekje/gemeente.pdf`: the whole municipality.
pub async fn whole(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    deliver(&state, visitor.lang, None, &headers).await
}

/// `/boekje/gebied/{code}.pdf`: one area; an unknown area is a page not found.
pub async fn area(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let catalog = state.catalog();
    let Some(area) = file
        .strip_suffix(".pdf")
        .and_then(|code| catalog.geo.areas.iter().find(|a| a.code == code))
    else {
        return Err(PageError::not_found(lang));
    };
    deliver(&state, lang, Some(area.clone()), &headers).await
}

async fn deliver(
    state: &AppState,
    lang: Lang,
    area: Option<Area>,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let shelf = state.app().booklet_shelf(&kapstok_app::Actor::visitor());
    let code = area.as_ref().map_or("gemeente", |a| a.code.as_str());
    let key = format!("{}/{code}", lang.code());
    let etag = format!("\"{}-{}\"", shelf.catalog().version, key.replace('/', "-"));
    if headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let file = format!("mantelzorgwijzer-{code}.pdf");
    let tr = Tr { lang };
    let today = kapstok_domain::calendar::date_of(kapstok_domain::calendar::Timestamp::now());
    let pdf = shelf
        .booklet(&key, move |catalog| {
            make(catalog, area.as_ref(), tr, long_date(&today, lang))
        })
        .await
        .in_lang(lang)?;
    let mut r = pdf.bytes.as_ref().clone().into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{file}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(ETAG, v);
    }
    Ok(r)
}

/// The booklet of `area` (the whole municipality when `None`): a chapter per basic function in
/// the site's order, each with the area's services of that function in name order (a service
/// with two functions is in both, as on the site); services without one in a last chapter.
pub fn make(catalog: &Catalog, area: Option<&Area>, tr: Tr, printed_on: String) -> Booklet {
    let code = area.map(|a| a.code.as_str());
    let function = catalog.facet_key(TaxonomyRole::Function);
    let functions: Vec<(String, String)> = catalog
        .index
        .search(&SearchQuery {
            limit: 0,
            ..SearchQuery::default()
        })
        .facets
        .iter()
        .find(|f| f.key == function)
        .map(|f| {
            f.values
                .iter()
                .map(|v| (v.code.to_string(), v.label.to_string()))
                .collect()
        })
        .unwrap_or_default();
    let mut placed = std::collections::HashSet::new();
    let mut sections = Vec::new();
    for (value, label) in &functions {
        let ids = service_ids(catalog, code, Some((function, value)));
        placed.extend(ids.iter().cloned());
        sections.push(section(catalog, label.clone(), &ids, tr));
    }
    let rest: Vec<String> = service_ids(catalog, code, None)
        .into_iter()
        .filter(|id| !placed.contains(id))
        .collect();
    sections.push(section(catalog, tr.t("booklet-other"), &rest, tr));
    sections.retain(|s| !s.entries.is_empty());
    Booklet {
        title: match municipality(catalog) {
            Some(m) => format!("{} {m}", tr.t("booklet-name")),
            None => tr.t("booklet-name"),
        },
        subtitle: area.map_or_else(|| municipality_label(catalog, tr), |a| a.name.clone()),
        printed_on,
        lang: match tr.lang {
            Lang::Nl => "nl-NL".into(),
            Lang::En => "en-GB".into(),
        },
        intro: tr.t("booklet-intro"),
        sections,
        labels: Labels {
            contents: tr.t("booklet-contents"),
            what: tr.t("detail-what"),
            for_whom: tr.t("detail-for-whom"),
            cost: tr.t("detail-cost"),
            apply: tr.t("detail-apply"),
            contact: tr.t("detail-contact"),
            index: tr.t("booklet-index"),
            printed_on: tr.t("booklet-printed-on"),
            page: tr.t("booklet-page"),
        },
    }
}

fn section(catalog: &Catalog, title: String, ids: &[String], tr: Tr) -> Section {
    Section {
        title,
        entries: ids
            .iter()
            .filter_map(|id| catalog.records.service(id))
            .map(|s| entry(&ServiceView::new(&s, catalog, tr), tr))
            .collect(),
    }
}

/// Parts joined into one line, `None` when all are empty.
fn joined(parts: impl IntoIterator<Item = String>, sep: &str) -> Option<String> {
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// Parts as sentences: a full stop between two unless the first already ends in one; a part
/// said before (a fee text "Gratis" and the funding tag "Gratis") once.
fn sentences(parts: impl IntoIterator<Item = String>) -> Option<String> {
    let mut out = String::new();
    let mut said: Vec<String> = Vec::new();
    for part in parts {
        let part = part.trim();
        let key = part.trim_end_matches(['.', '!', '?', ':']).to_lowercase();
        if part.is_empty() || said.contains(&key) {
            continue;
        }
        said.push(key);
        if !out.is_empty() {
            if !out.ends_with(['.', '!', '?', ':']) {
                out.push('.');
            }
            out.push(' ');
        }
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}

fn entry(v: &ServiceView, tr: Tr) -> Entry {
    let labelled = |key: &str, value: &Option<String>| {
        value
            .as_ref()
            .map(|v| format!("{}: {v}", tr.t(key)))
            .unwrap_or_default()
    };
    let mut contact: Vec<String> = v
        .phones
        .iter()
        .map(|p| format!("{}: {}", tr.t("detail-phone"), p.number))
        .collect();
    if let Some(e) = &v.email {
        contact.push(format!("{}: {e}", tr.t("detail-email")));
    }
    if let Some(u) = &v.url {
        contact.push(format!("{}: {u}", tr.t("detail-website")));
    }
    for l in &v.locations {
        let mut parts = vec![l.name.clone()];
        parts.extend(l.lines.iter().cloned());
        if let Some(line) = joined(parts, ", ") {
            contact.push(line);
        }
    }
    if !v.hours.is_empty() {
        contact.push(format!("{}: {}", tr.t("detail-hours"), v.hours.join("; ")));
    }
    Entry {
        name: v.name.clone(),
        organization: v.organization_name.clone(),
        what: v.description.clone(),
        for_whom: sentences(
            joined(v.for_whom.iter().cloned(), ", ")
                .into_iter()
                .chain(v.ages.clone())
                .chain(v.eligibility.clone()),
        ),
        cost: sentences(
            v.fees
                .iter()
                .cloned()
                .chain(joined(v.costs.iter().cloned(), ", "))
                .chain(joined(v.funding.iter().cloned(), ", ")),
        ),
        apply: sentences([
            v.apply.clone().unwrap_or_default(),
            labelled("detail-referral", &v.referral),
            labelled("detail-wait", &v.wait),
        ]),
        contact,
    }
}
