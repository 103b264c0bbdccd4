//! HSDS import and export: schema-valid, lossless round trip, all-or-nothing with precise problems.

use crate::support::{TestApp, shared};
use kapstok_domain::hsds::{KnownIds, parse_directory};
use serde_json::Value;

fn load_schema(path: &str) -> Option<Value> {
    let text = std::fs::read_to_string(shared(path)).ok()?;
    Some(serde_json::from_str(&text).expect("schema is JSON"))
}

#[tokio::test]
async fn export_validates_against_the_official_hsds_schemas() {
    let app = TestApp::init().with_demo().build().await;
    let export: Value = serde_json::from_str(&app.export().await).unwrap();
    let (Some(services), Some(organizations)) = (
        load_schema("hsds/schema/compiled/service_package.json"),
        load_schema("hsds/schema/compiled/organization_package.json"),
    ) else {
        panic!("../shared/hsds/schema is missing; the HSDS schemas are part of the test data");
    };
    for (schema, list) in [(services, "services"), (organizations, "organizations")] {
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&export[list])
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{list}: {errors:#?}");
        assert!(export[list].as_array().unwrap().len() > 60);
    }
}

#[tokio::test]
async fn export_import_export_is_identical() {
    let source = TestApp::init().with_demo().build().await;
    let first = source.export().await;
    let file = source.dir.path().join("export.json");
    std::fs::write(&file, &first).unwrap();

    let target = TestApp::init().build().await;
    kapstok::commands::import_hsds(&target.importer(), &file)
        .await
        .expect("import");
    let second = target.export().await;
    assert_eq!(first, second);

    // Importing the same file again updates, it does not duplicate.
    let summary = kapstok::commands::import_hsds(&target.importer(), &file)
        .await
        .expect("re-import");
    assert_eq!(summary.services, 152);
    assert_eq!(target.export().await, first);
}

fn problems(doc: &str) -> Vec<String> {
    parse_directory(doc, &KnownIds::default())
        .expect_err("must be refused")
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn bad_json_is_refused_with_its_position() {
    let p = problems("{\"services\": [\n  {\"id\": \"a\",,}\n]}");
    assert_eq!(p.len(), 1);
    assert!(p[0].contains("not valid JSON (line 2"), "{p:?}");
}

#[test]
fn missing_required_field_names_record_id_and_field() {
    let doc = r#"{"organizations": [{"id": "o1", "name": "Org", "description": "d"}],
        "services": [{"id": "s1", "organization_id": "o1", "status": "active"}]}"#;
    let p = problems(doc);
    assert_eq!(
        p,
        vec!["services[0] (id s1), field name: missing field `name`".to_string()]
    );
}

#[test]
fn unknown_taxonomy_term_is_refused() {
    let doc = r#"{"organizations": [{"id": "o1", "name": "Org", "description": "d"}],
        "services": [{"id": "s1", "organization_id": "o1", "name": "S", "status": "active",
                      "attributes": [{"id": "a1", "taxonomy_term_id": "t-unknown"}]}]}"#;
    let p = problems(doc);
    assert_eq!(p, vec!["services[0] (id s1), field attributes[0].taxonomy_term_id: unknown taxonomy term t-unknown".to_string()]);
}

#[test]
fn duplicate_ids_and_other_rules_are_each_reported() {
    let doc = r#"{"organizations": [{"id": "o1", "name": "Org", "description": "d"}, {"id": "o1", "name": "Twee", "description": "d"}],
        "services": [{"id": "s1", "organization_id": "o2", "name": "S", "status": "open", "assured_date": "1-1-2026",
                      "service_at_locations": [{"id": "l1", "location": {"id": "loc", "location_type": "physical",
                        "addresses": [{"id": "ad", "address_1": "Straat 1", "city": "Emmen", "state_province": "Drenthe",
                                       "postal_code": "7811 ZZZ", "country": "NL", "address_type": "physical"}]}}]}]}"#;
    let p = problems(doc).join("\n");
    for needle in [
        "organizations[1] (id o1), field id: duplicate id",
        "services[0] (id s1), field status: must be one of",
        "services[0] (id s1), field organization_id: unknown organization o2",
        "services[0] (id s1), field assured_date",
        "field service_at_locations[0].location.addresses[0].postal_code: '7811 ZZZ' is not a Dutch postcode",
    ] {
        assert!(p.contains(needle), "{needle} not in\n{p}");
    }
}

#[tokio::test]
async fn a_refused_file_changes_nothing() {
    let app = TestApp::init().with_demo().build().await;
    let before = app.export().await;
    let mut doc: Value = serde_json::from_str(&before).unwrap();
    // A good edit and a bad one in the same file: neither may land.
    doc["services"][0]["name"] = "Gewijzigde naam".into();
    doc["services"][1]["attributes"][0]["taxonomy_term_id"] = "bestaat-niet".into();
    let file = app.dir.path().join("bad.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let err = kapstok::commands::import_hsds(&app.importer(), &file)
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("probleem"), "{err}");
    assert_eq!(app.export().await, before);

    std::fs::write(&file, "{ kapot").unwrap();
    assert!(
        kapstok::commands::import_hsds(&app.importer(), &file)
            .await
            .is_err()
    );
    assert_eq!(app.export().await, before);
}

#[tokio::test]
async fn a_partial_document_may_refer_to_stored_records() {
    let app = TestApp::init().with_demo().build().await;
    let export: Value = serde_json::from_str(&app.export().await).unwrap();
    let mut service = export["services"][0].clone();
    service["id"] = "0f0c4d7e-1b1a-4c59-9a77-4a1b1c1d1e1f".into();
    service["name"] = "Nieuw: lotgenotenwandeling".into();
    for a in service["attributes"].as_array_mut().unwrap() {
        a["id"] = format!("{}-new", a["id"].as_str().unwrap()).into();
    }
    service["service_at_locations"] = Value::Array(vec![]);
    let file = app.dir.path().join("one.json");
    std::fs::write(
        &file,
        serde_json::json!({ "services": [service] }).to_string(),
    )
    .unwrap();
    let s = kapstok::commands::import_hsds(&app.importer(), &file)
        .await
        .expect("import");
    assert_eq!(s.services, 1);
    app.refresh().await;
    assert!(
        app.get("/zoeken?q=lotgenotenwandeling")
            .await
            .body
            .contains("Nieuw: lotgenotenwandeling")
    );
}

/// Gives every nested record of a copied service its own id (a shared location stays shared).
fn renumber_nested(v: &mut Value, k: usize) {
    let Value::Object(map) = v else { return };
    for (key, child) in map.iter_mut() {
        if key == "location" || key == "id" {
            continue;
        }
        if let Value::Array(items) = child {
            for item in items {
                if let Some(id) = item.get("id").and_then(Value::as_str) {
                    item["id"] = format!("{id}-{k}").into();
                }
                renumber_nested(item, k);
            }
        } else {
            renumber_nested(child, k);
        }
    }
}

/// The demo, reordered the way other generators write it: services first, then organisations,
/// then terms (children before parents), then taxonomies; plus `extra` copies of a service.
fn reordered_demo(export: &str, extra: usize) -> Value {
    let doc: Value = serde_json::from_str(export).unwrap();
    let mut services = doc["services"].as_array().unwrap().clone();
    let template = services[0].clone();
    for k in 0..extra {
        let mut s = template.clone();
        s["id"] = format!("extra-{k:05}").into();
        s["name"] = format!("Extra dienst {k}").into();
        renumber_nested(&mut s, k);
        services.push(s);
    }
    let mut terms = doc["taxonomy_terms"].as_array().unwrap().clone();
    terms.sort_by_key(|t| t["parent_id"].is_null());
    serde_json::json!({
        "services": services,
        "organizations": doc["organizations"],
        "taxonomy_terms": terms,
        "taxonomies": doc["taxonomies"],
    })
}

#[tokio::test]
async fn imports_take_any_order_and_a_late_problem_rolls_back_every_batch_on_both_backends() {
    let source = TestApp::init().with_demo().build().await;
    let export = source.export().await;
    for backend in crate::support::Backend::ALL {
        let target = TestApp::init().with_backend(backend).build().await;
        let file = target.dir.path().join("reordered.json");
        // 2,152 services: the first batches are written before the last one is read.
        let mut doc = reordered_demo(&export, 2_000);
        std::fs::write(&file, doc.to_string()).unwrap();
        let summary = kapstok::commands::import_hsds(&target.importer(), &file)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        assert_eq!(summary.services, 2_152, "{backend:?}");
        assert_eq!(summary.organizations, 68, "{backend:?}");
        let stored = target.store.load_directory().await.unwrap();
        assert_eq!(stored.services.len(), 2_152, "{backend:?}");
        let version = target.store.directory_version().await.unwrap();

        // The last service names an organisation that is nowhere: found only once the whole
        // document is read, after earlier batches went to the database. Nothing stays.
        let services = doc["services"].as_array_mut().unwrap();
        for s in services.iter_mut() {
            s["name"] = format!("{} (gewijzigd)", s["name"].as_str().unwrap()).into();
        }
        services.last_mut().unwrap()["organization_id"] = "nergens".into();
        std::fs::write(&file, doc.to_string()).unwrap();
        let err = kapstok::commands::import_hsds(&target.importer(), &file)
            .await
            .expect_err("refused");
        assert!(
            err.to_string().starts_with("1 probleem"),
            "{backend:?}: {err:#}"
        );
        let after = target.store.load_directory().await.unwrap();
        assert!(after == stored, "{backend:?}: nothing changed");
        assert!(
            !after
                .services
                .iter()
                .any(|s| s.name.ends_with("(gewijzigd)"))
        );
        assert_eq!(target.store.directory_version().await.unwrap(), version);
    }
}
