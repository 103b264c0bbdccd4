//! The HSDS-shaped JSON API: every endpoint, every parameter, and bad input.

use crate::support::{TestApp, demo_service_id};
use axum::http::StatusCode;
use kapstok_demo::taxonomy::{taxonomy_id, term_id};
use serde_json::Value;

fn contents(v: &Value) -> &Vec<Value> {
    v["contents"].as_array().expect("contents")
}

#[tokio::test]
async fn services_are_paged_the_hsds_way() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/api/services").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["total_items"], 152);
    assert_eq!(v["total_pages"], 8);
    assert_eq!(v["page_number"], 1);
    assert_eq!(v["size"], 20);
    assert_eq!(v["first_page"], true);
    assert_eq!(v["last_page"], false);
    assert_eq!(v["empty"], false);
    let first = &contents(&v)[0];
    assert!(first["id"].is_string() && first["name"].is_string() && first["status"] == "active");
    assert!(
        first["attributes"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );

    let last = app.get("/api/services?page=8&per_page=20").await.json();
    assert_eq!(
        (last["size"].as_u64(), last["last_page"].as_bool()),
        (Some(12), Some(true))
    );
    let beyond = app.get("/api/services?page=9").await.json();
    assert_eq!(
        (beyond["empty"].as_bool(), beyond["size"].as_u64()),
        (Some(true), Some(0))
    );
    let small = app.get("/api/services?page=2&per_page=5").await.json();
    assert_eq!(
        (
            small["page_number"].as_u64(),
            small["size"].as_u64(),
            small["first_page"].as_bool()
        ),
        (Some(2), Some(5), Some(false))
    );
}

#[tokio::test]
async fn search_parameter_uses_dutch_search() {
    let app = TestApp::init().with_demo().build().await;
    let v = app.get("/api/services?search=dagbestedng").await.json();
    let total = v["total_items"].as_u64().unwrap();
    assert!((10..152).contains(&total), "{total}");
    assert!(contents(&v).iter().all(|s| {
        let text = format!("{} {}", s["name"], s["description"]).to_lowercase();
        text.contains("dagbesteding")
            || text.contains("dagopvang")
            || s["attributes"]
                .to_string()
                .contains(&term_id("respijtvorm", "dagprogramma"))
    }));
}

#[tokio::test]
async fn taxonomy_filters() {
    let app = TestApp::init().with_demo().build().await;
    let term = term_id("functie", "respijtzorg");
    let v = app
        .get(&format!(
            "/api/services?taxonomy_term_id={term}&per_page=100"
        ))
        .await
        .json();
    assert!(v["total_items"].as_u64().unwrap() > 20);
    assert!(
        contents(&v)
            .iter()
            .all(|s| s["attributes"].to_string().contains(&term))
    );

    let young = term_id("doelgroep", "jonge-mantelzorgers");
    let by_taxonomy = app
        .get(&format!(
            "/api/services?taxonomy_id={}&per_page=100",
            taxonomy_id("doelgroep")
        ))
        .await
        .json();
    let by_term = app
        .get(&format!("/api/services?taxonomy_term_id={young}"))
        .await
        .json();
    assert!(by_taxonomy["total_items"].as_u64() > by_term["total_items"].as_u64());
    assert!(by_taxonomy["total_items"].as_u64() < Some(152));
}

#[tokio::test]
async fn organization_and_modified_after_filters() {
    let app = TestApp::init().with_demo().build().await;
    let org = kapstok_demo::id("organization:Steunpunt Mantelzorg De Kapstok");
    let v = app
        .get(&format!("/api/services?organization_id={org}&per_page=50"))
        .await
        .json();
    assert_eq!(v["total_items"], 9);
    assert!(
        contents(&v)
            .iter()
            .all(|s| s["organization_id"] == org.as_str())
    );

    let all = app.get("/api/services?per_page=100").await.json()["total_items"]
        .as_u64()
        .unwrap();
    let recent = app
        .get("/api/services?modified_after=2026-06-01&per_page=100")
        .await
        .json();
    let n = recent["total_items"].as_u64().unwrap();
    assert!(n > 0 && n < all, "{n} of {all}");
    assert!(
        contents(&recent)
            .iter()
            .all(|s| s["last_modified"].as_str().unwrap() > "2026-06-01")
    );
    let none = app
        .get("/api/services?modified_after=2030-01-01T00:00:00Z")
        .await
        .json();
    assert_eq!(none["total_items"], 0);
}

#[tokio::test]
async fn postcode_orders_nearest_first() {
    let app = TestApp::init().with_demo().build().await;
    let v = app
        .get("/api/services?search=dagbesteding%20dementie&postcode=7891")
        .await
        .json();
    let first = &contents(&v)[0];
    let pc = first["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
        .as_str()
        .unwrap();
    assert!(pc.starts_with("789"), "{pc}");
    let within = app
        .get("/api/services?postcode=7891AB&radius=2")
        .await
        .json();
    assert!(within["total_items"].as_u64().unwrap() > 0);
    assert!(within["total_items"].as_u64() < Some(152));
}

#[tokio::test]
async fn bad_parameters_get_a_400_naming_the_parameter() {
    let app = TestApp::init().with_demo().build().await;
    let long = "a".repeat(10 * 1024);
    let cases: Vec<(String, &str)> = vec![
        ("/api/services?per_page=0".into(), "per_page"),
        ("/api/services?page=-1".into(), "page"),
        ("/api/services?page=0".into(), "page"),
        ("/api/services?per_page=100000".into(), "per_page"),
        ("/api/services?per_page=abc".into(), "per_page"),
        ("/api/services?postcode=1234".into(), "postcode"),
        ("/api/services?postcode=abcd".into(), "postcode"),
        ("/api/services?postcode=7811%20ZZZ".into(), "postcode"),
        (format!("/api/services?search={long}"), "search"),
        (
            "/api/services?modified_after=gisteren".into(),
            "modified_after",
        ),
        (
            "/api/services?taxonomy_term_id=nope".into(),
            "taxonomy_term_id",
        ),
        ("/api/services?taxonomy_id=nope".into(), "taxonomy_id"),
        (
            "/api/services?organization_id=nope".into(),
            "organization_id",
        ),
        ("/api/services?radius=5".into(), "radius"),
        ("/api/services?postcode=7891&radius=-3".into(), "radius"),
        ("/api/organizations?per_page=0".into(), "per_page"),
        ("/api/taxonomies?page=x".into(), "page"),
        // Not silence: a parameter the endpoint does not take is named, as is a format
        // other than json.
        ("/api/services?zoek=zorg".into(), "zoek"),
        ("/api/services?format=xml".into(), "format"),
        ("/api/organizations?format=NDJSON".into(), "format"),
        ("/api/services?full=yes".into(), "full"),
        ("/api/services?full=true&minimal=true".into(), "minimal"),
        ("/api/organizations/x?full_service=1".into(), "full_service"),
        ("/api/services/x?full=true".into(), "full"),
        ("/api/organizations?minimal=true".into(), "minimal"),
        ("/api/?lang=en".into(), "lang"),
        ("/api/taxonomy_terms?taxonomy_id=nope".into(), "taxonomy_id"),
        ("/api/service_at_locations?per_page=101".into(), "per_page"),
    ];
    for (uri, parameter) in cases {
        let r = app.get(&uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        let v = r.json();
        assert_eq!(v["error"], "bad_request", "{uri}");
        assert_eq!(v["parameter"], parameter, "{uri}");
        assert!(
            v["message"].as_str().is_some_and(|m| m.len() > 10),
            "{uri}: {v}"
        );
    }
}

#[tokio::test]
async fn single_records_and_404s() {
    let app = TestApp::init().with_demo().build().await;
    let id = demo_service_id("Steunpunt Mantelzorg De Kapstok", "mantelzorgconsulent");
    let v = app.get(&format!("/api/services/{id}")).await.json();
    assert_eq!(v["name"], "Gesprek met een mantelzorgconsulent");
    let org = app
        .get(&format!(
            "/api/organizations/{}",
            v["organization_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(org.status, StatusCode::OK);
    assert_eq!(org.json()["name"], "Steunpunt Mantelzorg De Kapstok");
    let sal = v["service_at_locations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .get(&format!("/api/service_at_locations/{sal}"))
        .await
        .json();
    assert_eq!(r["service_id"], id.as_str());
    assert_eq!(r["location"]["addresses"][0]["city"], "Emmen");
    for uri in [
        "/api/services/nope",
        "/api/organizations/nope",
        "/api/taxonomies/nope",
        "/api/taxonomy_terms/nope",
        "/api/service_at_locations/nope",
        "/api/nothing-here",
    ] {
        let r = app.get(uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.json()["error"], "not_found", "{uri}");
    }
}

#[tokio::test]
async fn lists_of_organizations_taxonomies_terms_and_locations() {
    let app = TestApp::init().with_demo().build().await;
    let orgs = app.get("/api/organizations?per_page=100").await.json();
    assert_eq!(orgs["total_items"], 68);
    let taxonomies = app.get("/api/taxonomies").await.json();
    assert_eq!(taxonomies["total_items"], 7);
    assert_eq!(contents(&taxonomies)[0]["name"], "Basisfunctie");
    let functie = taxonomy_id("functie");
    let t = app.get(&format!("/api/taxonomies/{functie}")).await.json();
    assert_eq!(t["kapstok_facet"], "functie");
    let terms = app
        .get(&format!("/api/taxonomy_terms?taxonomy_id={functie}"))
        .await
        .json();
    assert_eq!(terms["total_items"], 8);
    let names: Vec<&str> = contents(&terms)
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "Informatie");
    assert_eq!(names[7], "Materiële hulp");
    let all_terms = app.get("/api/taxonomy_terms?per_page=100").await.json();
    assert!(all_terms["total_items"].as_u64().unwrap() > 40);
    let one = app
        .get(&format!(
            "/api/taxonomy_terms/{}",
            term_id("functie", "respijtzorg")
        ))
        .await
        .json();
    assert_eq!(one["code"], "respijtzorg");
    let sals = app
        .get("/api/service_at_locations?per_page=10")
        .await
        .json();
    assert!(sals["total_items"].as_u64().unwrap() > 100);
    assert!(contents(&sals)[0]["location"]["id"].is_string());
}

#[tokio::test]
async fn openapi_document_lists_every_route_and_parameter() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/services",
        "/api/services/{id}",
        "/api/organizations",
        "/api/organizations/{id}",
        "/api/taxonomies",
        "/api/taxonomies/{id}",
        "/api/taxonomy_terms",
        "/api/taxonomy_terms/{id}",
        "/api/service_at_locations",
        "/api/service_at_locations/{id}",
    ] {
        assert!(v["paths"][path]["get"].is_object(), "{path} missing");
    }
    let params: Vec<&str> = v["paths"]["/api/services"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "search",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "postcode",
        "page",
        "per_page",
    ] {
        assert!(params.contains(&p), "{p} not documented");
    }
    assert!(v["components"]["schemas"]["Service"].is_object());
}

/// The HSDS API root (`GET /api/`): version 3.0, a profile and where the OpenAPI document is,
/// valid against the official HSDS OpenAPI's schema for it, and listed in our own document.
#[tokio::test]
async fn the_api_root_says_which_hsds_it_follows() {
    let app = TestApp::init().with_demo().build().await;
    let r = app.get("/api/").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["version"], "3.0");
    assert!(v["profile"].as_str().unwrap().starts_with("https://"));
    let openapi_url = v["openapi_url"].as_str().unwrap();
    assert!(openapi_url.ends_with("/api/openapi.json"), "{openapi_url}");
    let official: Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::shared("hsds/schema/openapi.json")).unwrap(),
    )
    .unwrap();
    let schema =
        &official["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    assert!(validator.is_valid(&v), "{v}");
    // Every field the official schema names, and the same operation in our document.
    for field in schema["properties"].as_object().unwrap().keys() {
        assert!(v.get(field).is_some(), "{field}");
    }
    let ours = app.get("/api/openapi.json").await.json();
    assert_eq!(
        ours["paths"]["/api/"]["get"]["operationId"],
        "getAPIMetaInformation"
    );
}

/// What the endpoints document is what they take: the default format and every documented
/// parameter are accepted.
#[tokio::test]
async fn documented_parameters_are_accepted() {
    let app = TestApp::init().with_demo().build().await;
    for path in [
        "/api/services?format=json&search=zorg&per_page=5",
        "/api/taxonomies?format=json",
        "/api/taxonomy_terms?format=json&taxonomy_id=x&page=1",
        "/api/organizations?format=json",
        "/api/service_at_locations?format=json",
    ] {
        let r = app.get(path).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
            "{path}"
        );
        if r.status == StatusCode::BAD_REQUEST {
            assert_ne!(r.json()["parameter"], "format", "{path}");
        }
    }
    assert_eq!(
        app.get("/api/services?format=json").await.status,
        StatusCode::OK
    );
}

/// With a postcode each result says how far it is (`distance_km`, in the order given);
/// without one, no result carries it.
#[tokio::test]
async fn results_near_a_postcode_say_how_far() {
    let app = TestApp::init().with_demo().build().await;
    let v = app
        .get("/api/services?postcode=7891&per_page=20")
        .await
        .json();
    let km: Vec<f64> = contents(&v)
        .iter()
        .map(|s| s["distance_km"].as_f64().expect("distance_km"))
        .collect();
    assert_eq!(km.len(), 20);
    assert!(km.windows(2).all(|w| w[0] <= w[1]), "{km:?}");
    assert!(km.iter().all(|k| (0.0..100.0).contains(k)), "{km:?}");
    assert!(contents(&v)[0]["id"].is_string(), "the record is whole");
    let plain = app.get("/api/services?per_page=20").await.json();
    assert!(
        contents(&plain)
            .iter()
            .all(|s| s.get("distance_km").is_none())
    );
}
