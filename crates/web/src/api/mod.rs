//! The read API, shaped after the Open Referral HSDS API reference. The route table and the
//! OpenAPI document come from the same attributes.

use crate::error::{ApiError, AppError, ErrorBody};
use crate::extract::params::{MAX_QUERY_CHARS, Pairs};
use crate::state::{AppState, Catalog};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use kapstok_domain::geo::Postcode;
use kapstok_domain::model::{Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm};
use kapstok_domain::paging::{Page, Paging};
use kapstok_search::SearchQuery;
use serde_json::value::RawValue;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod shape;
use shape::{Shape, raw};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kapstok API",
        description = "The social map of local carer support (Mantelzorgwijzer), shaped after the Open Referral HSDS 3.0 API reference. Read-only, no sign-in.",
        license(name = "EUPL-1.2")
    ),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// The API routes with the OpenAPI document built from their attributes, served at
/// `/api/openapi.json`.
pub fn router() -> axum::Router<AppState> {
    let (routes, openapi) = routes_and_document();
    let documented = std::sync::Arc::new(query_parameters(&openapi));
    let routes = routes.route_layer(axum::middleware::from_fn_with_state(
        documented,
        refuse_unknown_parameters,
    ));
    let openapi = std::sync::Arc::new(openapi);
    routes
        .route(
            "/api/openapi.json",
            axum::routing::get(move || std::future::ready(Json(openapi.as_ref().clone()))),
        )
        .layer(public_reads())
}

/// CORS for public reads: any site may read the social map from a browser (no cookies, no
/// writes; the API has none).
fn public_reads() -> tower_http::cors::CorsLayer {
    use axum::http::Method;
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::HEAD])
        .max_age(std::time::Duration::from_secs(86_400))
}

/// The query parameters each route's operation documents, by path template.
type Documented = std::collections::HashMap<String, Vec<String>>;

fn query_parameters(doc: &utoipa::openapi::OpenApi) -> Documented {
    let doc = serde_json::to_value(doc).unwrap_or_default();
    let mut out = Documented::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let names = item["get"]["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query")
                        .filter_map(|p| p["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(path.clone(), names);
        }
    }
    out
}

/// A parameter the route does not document gets a 400 naming it (not silence).
async fn refuse_unknown_parameters(
    axum::extract::State(documented): axum::extract::State<std::sync::Arc<Documented>>,
    matched: Option<axum::extract::MatchedPath>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let known = matched
        .as_ref()
        .and_then(|m| documented.get(m.as_str()))
        .cloned()
        .unwrap_or_default();
    let query = request.uri().query().unwrap_or("").to_string();
    for (key, _) in form_urlencoded::parse(query.as_bytes()) {
        if !known.iter().any(|k| *k == key) {
            let takes = if known.is_empty() {
                "no query parameters".to_string()
            } else {
                known.join(", ")
            };
            let message = format!("unknown parameter; this endpoint takes {takes}");
            return ApiError(AppError::bad(
                &key.chars().take(100).collect::<String>(),
                message,
            ))
            .into_response();
        }
    }
    next.run(request).await
}

fn routes_and_document() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api_root))
        .routes(routes!(list_services))
        .routes(routes!(get_service))
        .routes(routes!(list_organizations))
        .routes(routes!(get_organization))
        .routes(routes!(list_taxonomies))
        .routes(routes!(get_taxonomy))
        .routes(routes!(list_taxonomy_terms))
        .routes(routes!(get_taxonomy_term))
        .routes(routes!(list_service_at_locations))
        .routes(routes!(get_service_at_location))
        .split_for_parts()
}

/// The HSDS API root: which HSDS version this API follows, its profile, and where its OpenAPI
/// document is.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct ApiRoot {
    /// HSDS version of this API.
    version: &'static str,
    /// Where the HSDS profile this API follows is described (Kapstok uses HSDS 3.0 as it is).
    profile: &'static str,
    /// This API's OpenAPI document.
    openapi_url: String,
}

/// HSDS 3.0 base profile: the specification itself.
const PROFILE: &str = "https://docs.openreferral.org/en/3.0/";

#[utoipa::path(
    get,
    path = "/api/",
    tag = "meta",
    operation_id = "getAPIMetaInformation",
    description = "Retrieve information about this API and its relationship with HSDS.",
    responses((status = 200, body = ApiRoot))
)]
async fn api_root(State(state): State<AppState>) -> Json<ApiRoot> {
    let base = state
        .web
        .public_url
        .as_deref()
        .unwrap_or("http://127.0.0.1:8080")
        .trim_end_matches('/')
        .to_string();
    Json(ApiRoot {
        version: "3.0",
        profile: PROFILE,
        openapi_url: format!("{base}/api/openapi.json"),
    })
}

fn paging(p: &Pairs) -> Result<Paging, ApiError> {
    Paging::parse(
        p.0.iter()
            .find(|(k, _)| k == "page")
            .map(|(_, v)| v.as_str()),
        p.0.iter()
            .find(|(k, _)| k == "per_page")
            .map(|(_, v)| v.as_str()),
    )
    .map_err(|e| {
        let parameter = match e {
            kapstok_domain::paging::PagingError::Page => "page",
            kapstok_domain::paging::PagingError::PerPage => "per_page",
        };
        ApiError(AppError::bad(parameter, e.to_string()))
    })
}

/// `2026-11-01` or `2026-11-01T09:00:00Z` → unix seconds.
fn parse_instant(value: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(value, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let d = time::Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(d.midnight().assume_utc().unix_timestamp())
}

/// Reads the `/services` parameters into a search.
pub fn service_query(p: &Pairs, catalog: &Catalog) -> Result<(SearchQuery, Paging), ApiError> {
    let paging = paging(p)?;
    let text = p.get("search").unwrap_or("").to_string();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::bad(
            "search",
            format!("search must be at most {MAX_QUERY_CHARS} characters"),
        )
        .into());
    }
    let mut q = SearchQuery {
        text,
        offset: paging.offset(),
        limit: paging.limit(),
        ..SearchQuery::default()
    };
    if let Some(t) = p.get("taxonomy_term_id") {
        if !catalog.terms.contains_key(t) {
            return Err(
                AppError::bad("taxonomy_term_id", format!("unknown taxonomy term '{t}'")).into(),
            );
        }
        q.taxonomy_term_id = Some(t.to_string());
    }
    if let Some(t) = p.get("taxonomy_id") {
        if catalog.taxonomy_name(t).is_none() {
            return Err(AppError::bad("taxonomy_id", format!("unknown taxonomy '{t}'")).into());
        }
        q.taxonomy_id = Some(t.to_string());
    }
    if let Some(o) = p.get("organization_id") {
        if catalog.organizations.number_of(o).is_none() {
            return Err(
                AppError::bad("organization_id", format!("unknown organization '{o}'")).into(),
            );
        }
        q.organization_id = Some(o.to_string());
    }
    if let Some(m) = p.get("modified_after") {
        q.modified_after = Some(parse_instant(m).ok_or_else(|| {
            AppError::bad(
                "modified_after",
                "expected a date (2026-11-01) or an RFC 3339 timestamp (2026-11-01T09:00:00Z)",
            )
        })?);
    }
    if let Some(pc) = p.get("postcode") {
        let postcode = Postcode::parse(pc).map_err(|_| {
            AppError::bad(
                "postcode",
                format!("'{pc}' is not a Dutch postcode; expected 1234 or 1234 AB"),
            )
        })?;
        let entry = catalog.geo.locate(&postcode).ok_or_else(|| {
            AppError::bad(
                "postcode",
                format!(
                    "postcode {} is not in the postcode table",
                    postcode.display()
                ),
            )
        })?;
        q.near = Some(entry.point);
    }
    if let Some(r) = p.get("radius") {
        let radius: f64 = r
            .parse()
            .ok()
            .filter(|r: &f64| (0.1..=500.0).contains(r))
            .ok_or_else(|| {
                AppError::bad(
                    "radius",
                    "radius must be a number of kilometres from 0.1 to 500",
                )
            })?;
        if q.near.is_none() {
            return Err(AppError::bad("radius", "radius needs a postcode").into());
        }
        q.radius_km = Some(radius);
    }
    Ok((q, paging))
}

/// A service's JSON with `distance_km` as its first field (the record is an object).
fn with_distance(raw: Box<RawValue>, km: f64) -> Box<RawValue> {
    let text = raw.get();
    match text.strip_prefix('{') {
        Some(rest) => {
            let sep = if rest.trim_start().starts_with('}') {
                ""
            } else {
                ","
            };
            RawValue::from_string(format!("{{\"distance_km\":{:.2}{sep}{rest}", km.max(0.0)))
                .unwrap_or(raw)
        }
        None => raw,
    }
}

/// Services, filtered and searched; nearest first when a postcode is given.
#[utoipa::path(
    get,
    path = "/api/services",
    tag = "services",
    params(
        ("search" = Option<String>, Query, description = "Dutch full-text search (stemming, accents, compounds, typos, synonyms); at most 200 characters"),
        ("taxonomy_term_id" = Option<String>, Query, description = "Only services linked to this taxonomy term"),
        ("taxonomy_id" = Option<String>, Query, description = "Only services linked to a term of this taxonomy"),
        ("organization_id" = Option<String>, Query, description = "Only services of this organization"),
        ("modified_after" = Option<String>, Query, description = "Only services changed after this date or RFC 3339 timestamp"),
        ("postcode" = Option<String>, Query, description = "Dutch postcode (PC4 or PC6); orders nearest first and adds `distance_km` to each result: kilometres from the postcode to the service's nearest location, rounded to 0.01 (an extension field, not in HSDS 3.0)"),
        ("radius" = Option<f64>, Query, description = "With postcode: only services within this many kilometres"),
        ("page" = Option<u64>, Query, description = "Page number, from 1"), ("per_page" = Option<u64>, Query, description = "Items per page, 1 to 100 (default 20)"),
        ("format" = Option<String>, Query, description = "`json` (the default): a page; `ndjson`: every result, unpaged, one JSON record per line, streamed as `application/x-ndjson`"),
        ("minimal" = Option<bool>, Query, description = "true: each service as just `id` and `last_modified`"),
        ("full" = Option<bool>, Query, description = "true: each service fully nested (its organization, and each attribute's taxonomy term with its taxonomy)"),
    ),
    responses(
        (status = 200, description = "A page of services (or, with format=ndjson, every service, one per line)", body = Page<Service>),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
    )
)]
async fn list_services(State(state): State<AppState>, pairs: Pairs) -> Result<Response, ApiError> {
    let shape = Shape::parse(&pairs)?;
    // One reader, so the search and the records come from the same snapshot; the records are
    // embedded as the read model holds them, already JSON.
    let reader = state.map_reader();
    let (mut query, paging) = service_query(&pairs, reader.catalog())?;
    let paging = shape.paging(paging);
    query.offset = paging.offset();
    query.limit = paging.limit();
    let result = reader.catalog().index.search(&query);
    let hits: Vec<(String, Option<f64>)> = result
        .hits
        .iter()
        .map(|h| (h.doc.id().to_string(), h.distance_km))
        .collect();
    let total = result.total as u64;
    drop(result);
    Ok(shape.answer(paging, total, hits, move |(id, km)| {
        let record = if shape.minimal {
            raw(&reader.service_minimal(id)?)?
        } else if shape.full {
            raw(&reader.service_full(id)?)?
        } else {
            reader.service_json(id)?
        };
        Some(match km {
            Some(km) => with_distance(record, *km),
            None => record,
        })
    }))
}

/// One service, compiled as the HSDS API reference has it (organization and terms nested).
#[utoipa::path(
    get,
    path = "/api/services/{id}",
    tag = "services",
    params(("id" = String, Path, description = "Service id")),
    responses((status = 200, body = Service), (status = 404, body = ErrorBody))
)]
async fn get_service(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state
        .map_reader()
        .service_full(&id)
        .map(Json)
        .ok_or(ApiError(AppError::NotFound))
}

#[utoipa::path(
    get,
    path = "/api/organizations",
    tag = "organizations",
    params(
        ("page" = Option<u64>, Query, description = "Page number, from 1"), ("per_page" = Option<u64>, Query, description = "Items per page, 1 to 100 (default 20)"),
        ("format" = Option<String>, Query, description = "`json` (the default): a page; `ndjson`: every result, unpaged, one JSON record per line, streamed as `application/x-ndjson`"),
        ("full" = Option<bool>, Query, description = "true: each organization with its services (`services`)"),
        ("full_service" = Option<bool>, Query, description = "true: each organization with its services, each service fully nested (taxonomy terms)"),
    ),
    responses((status = 200, body = Page<Organization>), (status = 400, body = ErrorBody))
)]
async fn list_organizations(
    State(state): State<AppState>,
    pairs: Pairs,
) -> Result<Response, ApiError> {
    let shape = Shape::parse(&pairs)?;
    let paging = shape.paging(paging(&pairs)?);
    let reader = state.map_reader();
    let total = reader.organization_count();
    let start = paging.offset().min(total);
    let end = start.saturating_add(paging.limit()).min(total);
    Ok(
        shape.answer(paging, total as u64, (start..end).collect(), move |&n| {
            let org = reader.organization_at(n)?;
            if shape.full || shape.full_service {
                raw(&reader.organization_full(&org, shape.full_service))
            } else {
                raw(&org)
            }
        }),
    )
}

/// One organization, compiled as the HSDS API reference has it: with its services.
#[utoipa::path(
    get,
    path = "/api/organizations/{id}",
    tag = "organizations",
    params(
        ("id" = String, Path),
        ("full_service" = Option<bool>, Query, description = "true: each service fully nested (taxonomy terms)"),
    ),
    responses((status = 200, body = Organization), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn get_organization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    pairs: Pairs,
) -> Result<Json<serde_json::Value>, ApiError> {
    let shape = Shape::parse(&pairs)?;
    let reader = state.map_reader();
    let org = reader
        .organization(&id)
        .ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(reader.organization_full(&org, shape.full_service)))
}

#[utoipa::path(
    get,
    path = "/api/taxonomies",
    tag = "taxonomies",
    params(("page" = Option<u64>, Query, description = "Page number, from 1"), ("per_page" = Option<u64>, Query, description = "Items per page, 1 to 100 (default 20)"), ("format" = Option<String>, Query, description = "`json` (the default): a page; `ndjson`: every result, unpaged, one JSON record per line, streamed as `application/x-ndjson`")),
    responses((status = 200, body = Page<Taxonomy>), (status = 400, body = ErrorBody))
)]
async fn list_taxonomies(
    State(state): State<AppState>,
    pairs: Pairs,
) -> Result<Response, ApiError> {
    let shape = Shape::parse(&pairs)?;
    let paging = shape.paging(paging(&pairs)?);
    let (items, total) = state.map_reader().taxonomies(paging);
    Ok(shape.answer(paging, total, items, raw))
}

#[utoipa::path(
    get,
    path = "/api/taxonomies/{id}",
    tag = "taxonomies",
    params(("id" = String, Path)),
    responses((status = 200, body = Taxonomy), (status = 404, body = ErrorBody))
)]
async fn get_taxonomy(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Taxonomy>, ApiError> {
    state
        .map_reader()
        .taxonomy(&id)
        .map(Json)
        .ok_or(ApiError(AppError::NotFound))
}

#[utoipa::path(
    get,
    path = "/api/taxonomy_terms",
    tag = "taxonomies",
    params(
        ("taxonomy_id" = Option<String>, Query, description = "Only terms of this taxonomy"),
        ("page" = Option<u64>, Query, description = "Page number, from 1"), ("per_page" = Option<u64>, Query, description = "Items per page, 1 to 100 (default 20)"),
        ("format" = Option<String>, Query, description = "`json` (the default): a page; `ndjson`: every result, unpaged, one JSON record per line, streamed as `application/x-ndjson`"),
    ),
    responses((status = 200, body = Page<TaxonomyTerm>), (status = 400, body = ErrorBody))
)]
async fn list_taxonomy_terms(
    State(state): State<AppState>,
    pairs: Pairs,
) -> Result<Response, ApiError> {
    let shape = Shape::parse(&pairs)?;
    let paging = shape.paging(paging(&pairs)?);
    let taxonomy_id = pairs.get("taxonomy_id");
    let reader = state.map_reader();
    if let Some(t) = taxonomy_id
        && reader.catalog().taxonomy_name(t).is_none()
    {
        return Err(AppError::bad("taxonomy_id", format!("unknown taxonomy '{t}'")).into());
    }
    let (items, total) = reader.taxonomy_terms(taxonomy_id, paging);
    Ok(shape.answer(paging, total, items, raw))
}

#[utoipa::path(
    get,
    path = "/api/taxonomy_terms/{id}",
    tag = "taxonomies",
    params(("id" = String, Path)),
    responses((status = 200, body = TaxonomyTerm), (status = 404, body = ErrorBody))
)]
async fn get_taxonomy_term(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<TaxonomyTerm>, ApiError> {
    state
        .map_reader()
        .taxonomy_term(&id)
        .map(Json)
        .ok_or(ApiError(AppError::NotFound))
}

#[utoipa::path(
    get,
    path = "/api/service_at_locations",
    tag = "services",
    params(
        ("page" = Option<u64>, Query, description = "Page number, from 1"), ("per_page" = Option<u64>, Query, description = "Items per page, 1 to 100 (default 20)"),
        ("format" = Option<String>, Query, description = "`json` (the default): a page; `ndjson`: every result, unpaged, one JSON record per line, streamed as `application/x-ndjson`"),
        ("full" = Option<bool>, Query, description = "true: each record with its service nested (`service`)"),
    ),
    responses((status = 200, body = Page<ServiceAtLocation>), (status = 400, body = ErrorBody))
)]
async fn list_service_at_locations(
    State(state): State<AppState>,
    pairs: Pairs,
) -> Result<Response, ApiError> {
    let shape = Shape::parse(&pairs)?;
    let paging = shape.paging(paging(&pairs)?);
    let reader = state.map_reader();
    let (items, total) = reader.service_at_locations(paging);
    Ok(shape.answer(paging, total, items, move |sal| {
        if shape.full {
            raw(&reader.service_at_location_full(sal))
        } else {
            raw(sal)
        }
    }))
}

/// One service-at-location record, compiled as the HSDS API reference has it (its service
/// nested).
#[utoipa::path(
    get,
    path = "/api/service_at_locations/{id}",
    tag = "services",
    params(("id" = String, Path)),
    responses((status = 200, body = ServiceAtLocation), (status = 404, body = ErrorBody))
)]
async fn get_service_at_location(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reader = state.map_reader();
    reader
        .service_at_location(&id)
        .map(|sal| Json(reader.service_at_location_full(&sal)))
        .ok_or(ApiError(AppError::NotFound))
}
