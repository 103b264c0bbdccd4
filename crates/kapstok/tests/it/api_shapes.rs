//! The API's shapes as the HSDS API reference has them: `format=ndjson` (every result, one per
//! line, streamed), `full` and `minimal`, compiled single records, and CORS for public reads.

use crate::support::{TestApp, demo_service_id, shared};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON record ({e}): {l}"))
        })
        .collect()
}

fn validator(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(shared(path)).expect("the HSDS schemas are test data");
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).expect("compiles")
}

fn errors(validator: &jsonschema::Validator, record: &Value) -> Vec<String> {
    validator
        .iter_errors(record)
        .take(3)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Every list endpoint streams all its results as NDJSON, the same records its pages hold.
#[tokio::test]
async fn ndjson_hands_out_every_result_of_every_list() {
    let app = TestApp::init().with_demo().build().await;
    for list in [
        "/api/services",
        "/api/services?search=dagbesteding&postcode=7811",
        "/api/organizations",
        "/api/taxonomies",
        "/api/taxonomy_terms",
        "/api/service_at_locations",
    ] {
        let sep = if list.contains('?') { '&' } else { '?' };
        let page = app.get(list).await.json();
        let total = page["total_items"].as_u64().unwrap() as usize;
        let r = app.get(&format!("{list}{sep}format=ndjson")).await;
        assert_eq!(r.status, StatusCode::OK, "{list}");
        assert_eq!(r.headers["content-type"], "application/x-ndjson", "{list}");
        let all = lines(&r.body);
        assert_eq!(all.len(), total, "{list}: every result, not a page");
        assert!(total > 5, "{list}: {total}");
        let first_page = page["contents"].as_array().unwrap();
        assert_eq!(
            &all[..first_page.len()],
            &first_page[..],
            "{list}: same order"
        );
        // Paging parameters are still checked, and don't cut the stream.
        let r = app
            .get(&format!("{list}{sep}format=ndjson&per_page=2"))
            .await;
        assert_eq!(lines(&r.body).len(), total, "{list}");
    }
    let near = app.get("/api/services?postcode=7891&format=ndjson").await;
    let km: Vec<Option<f64>> = lines(&near.body)
        .iter()
        .map(|s| s["distance_km"].as_f64())
        .collect();
    assert_eq!(km.len(), 152);
    // Services with a place come nearest first; those without one (by phone, online) last.
    let placed: Vec<f64> = km.iter().map_while(|k| *k).collect();
    assert!(placed.len() > 100, "{}", placed.len());
    assert!(km[placed.len()..].iter().all(Option::is_none));
    assert!(placed.windows(2).all(|w| w[0] <= w[1]), "nearest first");
}

/// `full` nests what HSDS nests, and the result validates against the compiled schemas;
/// `minimal` is id and last change only.
#[tokio::test]
async fn full_nests_and_minimal_trims() {
    let app = TestApp::init().with_demo().build().await;
    let service_schema = validator("hsds/schema/compiled/service.json");
    let full = lines(&app.get("/api/services?full=true&format=ndjson").await.body);
    assert_eq!(full.len(), 152);
    for s in &full {
        assert!(
            errors(&service_schema, s).is_empty(),
            "{}: {:?}",
            s["id"],
            errors(&service_schema, s)
        );
        assert_eq!(s["organization"]["id"], s["organization_id"]);
        let a = &s["attributes"][0];
        assert_eq!(a["taxonomy_term"]["id"], a["taxonomy_term_id"]);
        assert!(a["taxonomy_term"]["taxonomy_detail"]["name"].is_string());
    }
    // The API's full services are the compiled export's records.
    let path = app.dir.path().join("compiled.json");
    kapstok::commands::export_hsds(
        &app.importer(),
        &path,
        kapstok::config::ExportFormat::Compiled,
    )
    .await
    .expect("export");
    let exported: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let by_id = |v: &[Value]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        v
    };
    assert_eq!(by_id(&full), by_id(&exported));

    let plain = app.get("/api/services?per_page=5").await.json();
    assert!(
        plain["contents"][0].get("organization").is_none(),
        "not nested unless asked"
    );
    let minimal = app
        .get("/api/services?minimal=true&per_page=100")
        .await
        .json();
    assert_eq!(minimal["total_items"], 152);
    for s in minimal["contents"].as_array().unwrap() {
        let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "last_modified"], "{s}");
    }

    let id = demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
    let one = app.get(&format!("/api/services/{id}")).await.json();
    assert_eq!(
        one["organization"]["name"],
        "Steunpunt Mantelzorg De Kapstok"
    );
    assert!(errors(&service_schema, &one).is_empty());

    let org_schema = validator("hsds/schema/compiled/organization.json");
    let org_id = one["organization_id"].as_str().unwrap();
    let org = app
        .get(&format!("/api/organizations/{org_id}"))
        .await
        .json();
    assert!(
        errors(&org_schema, &org).is_empty(),
        "{:?}",
        errors(&org_schema, &org)
    );
    let names: Vec<&str> = org["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Gesprek met een mantelzorgconsulent"),
        "{names:?}"
    );
    assert!(
        org["services"][0]["attributes"][0]
            .get("taxonomy_term")
            .is_none()
    );
    let nested = app
        .get(&format!("/api/organizations/{org_id}?full_service=true"))
        .await
        .json();
    assert!(nested["services"][0]["attributes"][0]["taxonomy_term"]["name"].is_string());
    let orgs = app
        .get("/api/organizations?full=true&per_page=100")
        .await
        .json();
    let with_services = orgs["contents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["services"].as_array().is_some_and(|s| !s.is_empty()))
        .count();
    assert_eq!(
        with_services, 68,
        "every demo organisation offers something"
    );
    let listed = app.get("/api/organizations?per_page=5").await.json();
    assert!(listed["contents"][0].get("services").is_none());

    let sals = app
        .get("/api/service_at_locations?full=true&per_page=3")
        .await
        .json();
    let sal = &sals["contents"][0];
    assert_eq!(sal["service"]["id"], sal["service_id"]);
    assert!(sal["service"]["name"].is_string());
    assert!(sal["service"].get("service_at_locations").is_none());
}

/// Any site may read the public API from a browser: simple reads and preflights are allowed
/// for GET, with no credentials.
#[tokio::test]
async fn public_reads_allow_other_origins() {
    let app = TestApp::init().with_demo().build().await;
    let r = app
        .request(
            Request::get("/api/services?per_page=1")
                .header("origin", "https://example.org")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["access-control-allow-origin"], "*");
    assert!(r.headers.get("access-control-allow-credentials").is_none());
    let preflight = app
        .request(
            Request::options("/api/services")
                .header("origin", "https://example.org")
                .header("access-control-request-method", "GET")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    let methods = preflight.headers["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(
        methods.contains("GET") && !methods.contains("POST"),
        "{methods}"
    );
    // The site's own pages are not opened to other origins.
    let page = app
        .request(
            Request::get("/")
                .header("origin", "https://example.org")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.headers.get("access-control-allow-origin").is_none());
}
