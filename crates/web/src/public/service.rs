//! Service detail, organisation page and the printable selection.

use crate::error::{AppError, PageError};
use crate::extract::Visitor;
use crate::extract::params::{Pairs, query_string};
use crate::i18n::Tr;
use crate::render;
use crate::state::{AppState, Catalog};
use crate::views::ResultItem;
use crate::views::layout::{Layout, euro, long_date, tel_href};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_domain::geo::Postcode;
use kapstok_domain::model::TaxonomyRole;
use kapstok_domain::model::{
    Location, Organization, OrganizationId, Phone, Schedule, Service, TaxonomyTerm,
};
use kapstok_search::SearchQuery;

pub struct PhoneView {
    pub number: String,
    pub href: String,
}

pub struct LocationView {
    pub name: String,
    pub lines: Vec<String>,
    pub area: Option<String>,
    pub accessibility: Vec<String>,
    pub transportation: Option<String>,
    pub map_href: Option<String>,
}

pub struct TermGroup {
    pub taxonomy: String,
    pub terms: Vec<(String, String)>,
}

pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub organization_name: String,
    pub description: String,
    pub for_whom: Vec<String>,
    pub ages: Option<String>,
    pub eligibility: Option<String>,
    pub fees: Option<String>,
    pub funding: Vec<String>,
    pub costs: Vec<String>,
    pub apply: Option<String>,
    pub wait: Option<String>,
    pub referral: Option<String>,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
    pub url: Option<String>,
    pub contacts: Vec<String>,
    pub hours: Vec<String>,
    pub locations: Vec<LocationView>,
    pub areas: Vec<String>,
    pub groups: Vec<TermGroup>,
    pub languages: Vec<String>,
    pub verified: Option<String>,
    pub stale: bool,
    pub source: Option<String>,
    pub alert: Option<String>,
}

fn days(byday: &str, tr: Tr) -> String {
    byday
        .split(',')
        .map(|d| tr.t(&format!("day-{}", d.trim())))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hours(s: &Schedule, tr: Tr) -> String {
    let mut out = String::new();
    if let Some(d) = &s.byday {
        out.push_str(&days(d, tr));
    }
    if let (Some(o), Some(c)) = (&s.opens_at, &s.closes_at) {
        out.push_str(&format!(
            " {}–{}",
            o.get(..5).unwrap_or(o),
            c.get(..5).unwrap_or(c)
        ));
    }
    if let Some(desc) = &s.description {
        if !out.is_empty() {
            out.push_str(". ");
        }
        out.push_str(desc);
    }
    out.trim().to_string()
}

fn location_view(l: &Location, catalog: &Catalog) -> LocationView {
    let mut lines = Vec::new();
    for a in &l.addresses {
        lines.push(a.address_1.clone());
        if let Some(a2) = &a.address_2 {
            lines.push(a2.clone());
        }
        let pc = Postcode::parse(&a.postal_code)
            .map(|p| p.display())
            .unwrap_or_else(|_| a.postal_code.clone());
        lines.push(format!("{pc} {}", a.city));
    }
    let area = l
        .postal_code()
        .and_then(|p| Postcode::parse(p).ok())
        .and_then(|p| catalog.geo.area_of(&p))
        .map(|a| a.name.clone());
    let map_href = catalog
        .geo
        .point_of(l)
        .map(|p| format!("geo:{:.5},{:.5}", p.lat, p.lon));
    LocationView {
        name: l.name.clone().unwrap_or_default(),
        lines,
        area,
        accessibility: l
            .accessibility
            .iter()
            .filter_map(|a| a.description.clone())
            .collect(),
        transportation: l.transportation.clone(),
        map_href,
    }
}

impl ServiceView {
    pub fn new(s: &Service, catalog: &Catalog, tr: Tr) -> Self {
        let terms: Vec<&TaxonomyTerm> = s
            .term_ids()
            .filter_map(|id| catalog.terms.get(id))
            .collect();
        let in_facet = |key: &str| -> Vec<String> {
            terms
                .iter()
                .filter(|t| catalog.facet_of(t) == Some(key))
                .map(|t| t.name.clone())
                .collect()
        };
        let mut for_whom = in_facet(catalog.facet_key(TaxonomyRole::TargetGroup));
        for_whom.extend(in_facet(catalog.facet_key(TaxonomyRole::Condition)));
        let org = catalog.organization(&s.organization_id);
        let org = org.as_ref();
        // The service's own phones, else the organisation's.
        let phones = if s.phones.is_empty() {
            org.map(|o| phone_views(&o.phones)).unwrap_or_default()
        } else {
            phone_views(&s.phones)
        };
        ServiceView {
            id: s.id.to_string(),
            name: s.name.clone(),
            organization_id: s.organization_id.to_string(),
            organization_name: org.map(|o| o.name.clone()).unwrap_or_default(),
            description: s.description.clone(),
            for_whom,
            ages: age_range(s.minimum_age, s.maximum_age, tr),
            eligibility: s.eligibility_description.clone(),
            fees: s.fees_description.clone(),
            funding: in_facet(catalog.facet_key(TaxonomyRole::Funding)),
            costs: s
                .cost_options
                .iter()
                .filter_map(|c| {
                    let amount = euro(c.amount?, tr.lang);
                    let option = c.option.clone().unwrap_or_default();
                    Some(format!("{amount} {option}").trim().to_string())
                })
                .collect(),
            apply: s.application_process.clone(),
            wait: s.wait_time.clone().filter(|w| !w.trim().is_empty()),
            referral: s.kapstok_referral.clone(),
            phones,
            // Service and organisation come cleaned (MapReader, Catalog): only real addresses.
            email: s
                .email
                .clone()
                .or_else(|| org.and_then(|o| o.email.clone())),
            url: s.url.clone(),
            contacts: s
                .contacts
                .iter()
                .map(|c| {
                    [c.name.clone(), c.title.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .filter(|c| !c.is_empty())
                .collect(),
            hours: s
                .schedules
                .iter()
                .map(|h| hours(h, tr))
                .filter(|h| !h.is_empty())
                .collect(),
            locations: s.locations().map(|l| location_view(l, catalog)).collect(),
            areas: area_names(s, catalog),
            groups: term_groups(&terms, catalog),
            languages: s.languages.iter().filter_map(|l| l.name.clone()).collect(),
            verified: s.assured_date.as_deref().map(|d| long_date(d, tr.lang)),
            stale: s.is_stale(time::OffsetDateTime::now_utc().date()),
            source: s.kapstok_source.clone(),
            alert: s.alert.clone(),
        }
    }
}

fn phone_views(phones: &[Phone]) -> Vec<PhoneView> {
    phones
        .iter()
        .map(|p| PhoneView {
            number: p.number.clone(),
            href: tel_href(&p.number),
        })
        .collect()
}

fn age_range(min: Option<i64>, max: Option<i64>, tr: Tr) -> Option<String> {
    let years = tr.t("detail-years");
    match (min, max) {
        (Some(a), Some(b)) => Some(format!("{a}–{b} {years}")),
        (Some(a), None) => Some(format!("{} {a} {years}", tr.t("detail-age-from"))),
        (None, Some(b)) => Some(format!("{} {b} {years}", tr.t("detail-age-to"))),
        (None, None) => None,
    }
}

/// Where the service is offered: the areas of its locations, else its named service areas.
fn area_names(s: &Service, catalog: &Catalog) -> Vec<String> {
    if s.service_at_locations.is_empty() {
        s.service_areas
            .iter()
            .filter_map(|a| a.name.clone())
            .collect()
    } else {
        catalog
            .geo
            .area_codes_of(s)
            .iter()
            .filter_map(|c| catalog.geo.area(c))
            .map(|a| a.name.clone())
            .collect()
    }
}

/// The service's terms per taxonomy, each linking to a search for it.
fn term_groups(terms: &[&TaxonomyTerm], catalog: &Catalog) -> Vec<TermGroup> {
    catalog
        .taxonomies
        .iter()
        .filter_map(|tax| {
            let mut ts: Vec<&&TaxonomyTerm> = terms
                .iter()
                .filter(|t| t.taxonomy_id.as_deref() == Some(tax.id.as_str()))
                .collect();
            if ts.is_empty() {
                return None;
            }
            ts.sort_by_key(|t| t.kapstok_order);
            let terms = ts
                .iter()
                .map(|t| {
                    let href = match (&tax.kapstok_facet, &t.code) {
                        (Some(k), Some(code)) => {
                            format!("/zoeken{}", query_string([(k.as_str(), code.as_str())]))
                        }
                        _ => format!("/zoeken{}", query_string([("q", t.name.as_str())])),
                    };
                    (t.name.clone(), href)
                })
                .collect();
            Some(TermGroup {
                taxonomy: tax.name.clone(),
                terms,
            })
        })
        .collect()
}

/// The public services of an organisation, as list items.
fn services_of(catalog: &Catalog, org: &OrganizationId, limit: usize, tr: Tr) -> Vec<ResultItem> {
    catalog
        .index
        .search(&SearchQuery {
            organization_id: Some(org.to_string()),
            limit,
            ..SearchQuery::default()
        })
        .hits
        .iter()
        .map(|h| ResultItem::from_hit(h, catalog, tr))
        .collect()
}

#[derive(Template)]
#[template(path = "service.html")]
pub struct ServicePage {
    pub l: Layout,
    pub s: ServiceView,
    pub others: Vec<ResultItem>,
}

pub async fn service_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let reader = state.map_reader();
    let catalog = reader.catalog();
    // The reader hands out public services only, their links cleaned.
    let Some(service) = reader.service(&id) else {
        return Err(PageError::not_found(lang));
    };
    let tr = Tr { lang };
    let view = ServiceView::new(&service, catalog, tr);
    let mut others = services_of(catalog, &service.organization_id, 10, tr);
    others.retain(|o| o.id != service.id);
    let page = ServicePage {
        l: Layout::new(&visitor, view.name.clone(), catalog.demo),
        s: view,
        others,
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "organization.html")]
pub struct OrganizationPage {
    pub l: Layout,
    pub o: Organization,
    pub phones: Vec<PhoneView>,
    pub services: Vec<ResultItem>,
}

pub async fn organization_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let reader = state.map_reader();
    let catalog = reader.catalog();
    let Some(org) = reader.organization(&id) else {
        return Err(PageError::not_found(lang));
    };
    let tr = Tr { lang };
    let services = services_of(catalog, &org.id, 200, tr);
    let phones = phone_views(&org.phones);
    let page = OrganizationPage {
        l: Layout::new(&visitor, org.name.clone(), catalog.demo),
        o: org,
        phones,
        services,
    };
    render::ok(&page, lang)
}

#[derive(Template)]
#[template(path = "print.html")]
pub struct PrintPage {
    pub l: Layout,
    pub services: Vec<ServiceView>,
    pub date: String,
}

pub const MAX_PRINT: usize = 50;

pub async fn print_page(
    State(state): State<AppState>,
    visitor: Visitor,
    pairs: Pairs,
) -> Result<Response, PageError> {
    let lang = visitor.lang;
    let tr = Tr { lang };
    let mut ids: Vec<String> = pairs.all("id").into_iter().map(str::to_owned).collect();
    ids.dedup();
    if ids.len() > MAX_PRINT {
        return Err(PageError::new(
            AppError::bad("id", tr.t("selection-too-large")),
            lang,
        ));
    }
    let reader = state.map_reader();
    let catalog = reader.catalog();
    let services = reader.services(&ids);
    let services = services
        .iter()
        .map(|s| ServiceView::new(s, catalog, tr))
        .collect();
    let today = time::OffsetDateTime::now_utc().date();
    let date = long_date(
        &format!(
            "{:04}-{:02}-{:02}",
            today.year(),
            today.month() as u8,
            today.day()
        ),
        lang,
    );
    let page = PrintPage {
        l: Layout::new(&visitor, tr.t("print-title"), catalog.demo),
        services,
        date,
    };
    render::ok(&page, lang)
}
